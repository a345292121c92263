//! Approval of conclusions (审核): a unit setting under which a handler's conclusion and reply
//! are a draft until a supervisor approves them.
//!
//! Rules (see also [`crate::workflow`]):
//! - The setting belongs to the unit holding the case, and is read when the conclusion step is
//!   offered or taken: under it the handler `submit`s (提交审核) the conclusion and the reply
//!   together; without it they `conclude` and `reply` as before. A case already concluded when
//!   the setting was turned on keeps its reply step (the conclusion was not a draft).
//! - The draft ([`Draft`]) is kept apart from the case's findings, enforcement measures and
//!   reply, which are what the reporter and the public read: nothing of a draft reaches the
//!   tracking view, a public output or the published result before approval.
//! - 审核通过 (`approve`): supervisors of the holding unit's region or above, but not the
//!   person who submitted the draft (four eyes: a supervisor who handled the case themselves
//!   needs another supervisor). The conclusion and the reply then take effect, as events naming
//!   the approver.
//! - 审核退回 (`return_draft`): the same people, with a reason; the case goes back to handling
//!   with the draft kept for editing.
//! - The handling limit keeps running while a draft awaits approval.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{EnforcementAction, Outcome};

/// Whether a unit's conclusions need a supervisor's approval before they take effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// The handler's conclusion and reply take effect at once.
    NotRequired,
    /// They are a draft until a supervisor approves them (审核).
    Required,
}

impl Approval {
    pub fn from_flag(required: bool) -> Approval {
        if required {
            Approval::Required
        } else {
            Approval::NotRequired
        }
    }

    pub fn is_required(self) -> bool {
        self == Approval::Required
    }
}

/// A conclusion and reply awaiting approval (or returned for editing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Draft {
    pub outcome: Outcome,
    pub findings: String,
    #[serde(default)]
    pub enforcement: Vec<EnforcementAction>,
    /// The reply to the reporter (答复), as drafted.
    pub reply: String,
    pub submitted_at: DateTime<Utc>,
}
