//! What the API sends back: cases with their derived facts, the reporter's view, receipts.
//! Public views are built from fields chosen one by one, so nothing private slips in.

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::{
    Action, Approval, Case, CaseKind, Deadline, DeadlineTable, EnforcementAction, Outcome,
    PublicStatus, RegionCode, Role, Stage,
};
use greenline_store::{Event, Staff};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A case as staff see it, with what follows from it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    pub tracking_no: String,
    pub region_name: String,
    pub public_status: PublicStatus,
    /// The statutory deadline running in the current stage.
    pub deadline: Option<Deadline>,
    /// 超期: the running deadline has passed.
    pub overdue: bool,
    pub allowed_actions: Vec<Action>,
}

impl CaseView {
    pub fn new(case: Case, deadlines: &DeadlineTable, now: DateTime<Utc>) -> Self {
        let limits = deadlines.limits_for(case.kind, case.region);
        let deadline = case.current_deadline(&limits);
        CaseView {
            tracking_no: case.tracking_no().to_string(),
            region_name: case.region.full_name(),
            public_status: case.stage.public_status(),
            overdue: deadline.is_some_and(|d| d.is_past(now)),
            allowed_actions: case.actions_now(&limits, now),
            deadline,
            case,
        }
    }

    /// The view with the steps allowed under the holding unit's approval setting (审核): the
    /// conclusion step is `submit` where the unit's conclusions need approval, `conclude`
    /// where they do not.
    pub fn under(mut self, approval: Approval) -> Self {
        self.allowed_actions.retain(|action| match action {
            Action::Conclude => !approval.is_required(),
            Action::Submit => approval.is_required(),
            _ => true,
        });
        self
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CasePage {
    pub items: Vec<CaseView>,
    /// Pass as `before` to get the next page; absent on the last page.
    pub next_before: Option<i64>,
}

/// One entry of a case's history, for staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    pub note: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        EventView {
            id: e.id,
            at: e.at,
            actor_id: e.actor_id,
            actor: e.actor,
            action: e.action,
            from_stage: e.from_stage,
            to_stage: e.to_stage,
            note: e.note,
            data: e.data,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionResponse {
    pub case: CaseView,
    pub event: EventView,
}

/// What intake answers: the tracking number and the secret to follow the case with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IntakeResponse {
    pub id: i64,
    /// 受理编号, e.g. `GL20261127-0000123`.
    pub tracking_no: String,
    /// Shown once: with the tracking number, it lets the reporter follow the case.
    pub secret: String,
    pub kind: CaseKind,
    pub stage: Stage,
    pub received_at: DateTime<Utc>,
    /// The last day by which the case must be accepted (or routed).
    pub acceptance_due: NaiveDate,
    /// For staff only: earlier cases of their jurisdiction this one may repeat (疑似重复举报),
    /// so the caller can be told on the spot how to follow an existing case. Never sent to the
    /// public.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub possible_repeats: Vec<crate::cases::same_source::SameSourceCandidate>,
}

/// A stage the case went through, for the reporter: no names, no notes.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackStep {
    pub at: DateTime<Utc>,
    pub stage: Stage,
    pub stage_zh: String,
}

/// The stage as the reporter is shown it: approval (审核) is the agency's internal step, so a
/// case whose draft awaits it is still being handled (办理中) to them.
fn reporter_stage(stage: Stage) -> Stage {
    match stage {
        Stage::PendingApproval => Stage::Handling,
        other => other,
    }
}

/// The reporter's view of their case.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrackView {
    pub tracking_no: String,
    pub kind: CaseKind,
    pub kind_zh: String,
    pub stage: Stage,
    pub status: PublicStatus,
    /// 待受理 / 办理中 / 已办结 / 不受理
    pub status_zh: String,
    pub received_at: DateTime<Utc>,
    pub region_name: String,
    /// The office handling the case.
    pub handled_by: String,
    /// The last day of the deadline running now.
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
    pub outcome: Option<Outcome>,
    pub outcome_zh: Option<String>,
    pub rejection_reason_zh: Option<String>,
    pub enforcement_zh: Vec<String>,
    /// The written reply to the reporter.
    pub reply: Option<String>,
    pub public_summary: Option<String>,
    /// The reporter's own description and address, as they wrote them.
    pub description: String,
    pub address: String,
    pub history: Vec<TrackStep>,
    /// What the reporter said of the latest reply (满意/基本满意/不满意), once they rated it.
    pub rated_zh: Option<String>,
    /// Whether the reporter may rate the latest reply now.
    pub may_rate: bool,
    /// For a petition: the last day on which the petitioner may ask for a review (复查) online,
    /// while that is open.
    pub review_until: Option<NaiveDate>,
}

/// What the reporter may do with their case now (see [`TrackView::with_choices`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReporterChoices {
    pub rated: Option<greenline_domain::Satisfaction>,
    pub may_rate: bool,
    pub review_until: Option<NaiveDate>,
}

impl ReporterChoices {
    /// The choices on `case` given its callbacks: a reply not yet rated by the reporter may be
    /// rated while the case takes callbacks; a petition's review may be asked for within its
    /// window.
    pub fn of(
        case: &Case,
        callbacks: &[greenline_store::Callback],
        limits: &greenline_domain::TimeLimits,
        now: DateTime<Utc>,
    ) -> Self {
        let rated = case.replied_at.and_then(|replied| {
            callbacks
                .iter()
                .rev()
                .find(|c| c.source == greenline_store::CallbackSource::Reporter && c.at >= replied)
                .map(|c| c.satisfaction)
        });
        let may_rate = case.replied_at.is_some()
            && rated.is_none()
            && greenline_domain::callback::CALLBACK_STAGES.contains(&case.stage);
        let review_until = (case
            .actions_now(limits, now)
            .contains(&Action::RequestReview))
        .then(|| {
            case.replied_at.map(|replied| {
                greenline_domain::deadline::local_date(replied)
                    + chrono::Days::new(u64::from(limits.review_request_days))
            })
        })
        .flatten();
        ReporterChoices {
            rated,
            may_rate,
            review_until,
        }
    }
}

impl TrackView {
    pub fn new(
        case: &Case,
        handled_by: String,
        events: &[Event],
        deadlines: &DeadlineTable,
        now: DateTime<Utc>,
    ) -> Self {
        let limits = deadlines.limits_for(case.kind, case.region);
        let deadline = case.current_deadline(&limits);
        let status = case.stage.public_status();
        let mut history: Vec<TrackStep> = Vec::new();
        for event in events {
            if let Some(stage) = event.to_stage.map(reporter_stage)
                && history.last().is_none_or(|last| last.stage != stage)
            {
                history.push(TrackStep {
                    at: event.at,
                    stage,
                    stage_zh: stage.zh().to_owned(),
                });
            }
        }
        TrackView {
            tracking_no: case.tracking_no().to_string(),
            kind: case.kind,
            kind_zh: case.kind.zh().to_owned(),
            stage: reporter_stage(case.stage),
            status,
            status_zh: status.zh().to_owned(),
            received_at: case.received_at,
            region_name: case.region.full_name(),
            handled_by,
            due_on: deadline.map(|d| d.last_day),
            overdue: deadline.is_some_and(|d| d.is_past(now)),
            outcome: case.outcome,
            outcome_zh: case.outcome.map(|o| o.zh().to_owned()),
            rejection_reason_zh: case.rejection.map(|r| r.zh().to_owned()),
            enforcement_zh: case.enforcement.iter().map(EnforcementAction::zh).collect(),
            reply: case.reply.clone(),
            public_summary: case.public_summary.clone(),
            description: case.description.clone(),
            address: case.address.clone(),
            history,
            rated_zh: None,
            may_rate: false,
            review_until: None,
        }
    }

    /// The view with what the reporter may do now.
    pub fn with_choices(mut self, choices: ReporterChoices) -> Self {
        self.rated_zh = choices.rated.map(|s| s.zh().to_owned());
        self.may_rate = choices.may_rate;
        self.review_until = choices.review_until;
        self
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    pub name: String,
    pub region: RegionCode,
    pub region_name: String,
}

impl From<greenline_store::Unit> for UnitView {
    fn from(unit: greenline_store::Unit) -> Self {
        UnitView {
            id: unit.id,
            region_name: unit.region.full_name(),
            name: unit.name,
            region: unit.region,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit: UnitView,
    pub roles: Vec<Role>,
}

impl From<Staff> for StaffView {
    fn from(staff: Staff) -> Self {
        StaffView {
            id: staff.id,
            username: staff.username,
            display_name: staff.display_name,
            unit: staff.unit.into(),
            roles: staff.roles,
        }
    }
}

/// An account as its administrator sees it: who, and the state of its sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    #[serde(flatten)]
    pub staff: StaffView,
    pub disabled: bool,
    /// Locked after repeated sign-in failures until then.
    pub locked_until: Option<DateTime<Utc>>,
    pub failed_sign_ins: i64,
    pub password_set_at: DateTime<Utc>,
}

impl From<greenline_store::Login> for AccountView {
    fn from(login: greenline_store::Login) -> Self {
        AccountView {
            staff: login.staff.into(),
            disabled: login.disabled_at.is_some(),
            locked_until: login.locked_until,
            failed_sign_ins: login.failed_sign_ins,
            password_set_at: login.password_set_at,
        }
    }
}

/// An API token, without the token itself (shown once, when issued).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<greenline_store::ApiToken> for TokenView {
    fn from(token: greenline_store::ApiToken) -> Self {
        TokenView {
            id: token.id,
            name: token.name,
            created_at: token.created_at,
            expires_at: token.expires_at,
            last_used_at: token.last_used_at,
            revoked_at: token.revoked_at,
        }
    }
}

/// One record of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditRecordView {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    /// The region of the actor's unit.
    pub region: RegionCode,
    /// `sign_in`, `read_case`, `read_reporter`, `search`, `export`, …
    pub action: String,
    pub target: String,
    /// `ok`, `denied` or `failed`.
    pub outcome: String,
    pub client: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub hash: String,
}

impl From<greenline_store::AuditRecord> for AuditRecordView {
    fn from(record: greenline_store::AuditRecord) -> Self {
        let entry = record.entry;
        AuditRecordView {
            seq: record.seq,
            at: entry.at,
            actor_id: entry.actor_id,
            actor: entry.actor,
            region: entry.region,
            action: entry.action,
            target: entry.target,
            outcome: entry.outcome.code().to_owned(),
            client: entry.client,
            detail: entry.detail,
            hash: record.hash,
        }
    }
}
