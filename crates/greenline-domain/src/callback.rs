//! The callback (回访): after a reply, the reporter is asked whether they are satisfied and
//! whether the problem is solved; staff record the answer, or a web reporter gives it with
//! their tracking number and secret.
//!
//! What a "not solved" answer leads to depends on the kind of case, as the rules allow:
//! - a report (举报件) is reopened (重新办理 → 办理中). The rules say nothing of reopened
//!   tip-offs, so the choice made here: a reopened case is a new round of handling. Its handling
//!   limit runs afresh from the reopening for the kind's handling days, and it may be extended
//!   once more; the first round's extension stays in the history.
//! - a petition (信访事项) is not reopened: under 信访工作条例 art. 35 the petitioner who is
//!   not satisfied asks the level above for a review (复查) within 30 days of the reply. The
//!   answer says until when; staff record the request as its own step if the petitioner makes
//!   it.
//! - a reconsideration (行政复议) ends with its decision; the remedy is litigation.
//!
//! The satisfaction rate (满意率) hotline centres publish is (满意 + 基本满意) / 回访数, every
//! recorded callback counted once; the solved rate (解决率) is 已解决 / 回访数.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::text::{MAX_TEXT_CHARS, check_optional_text};
use crate::{CaseKind, DomainError, FieldError, Stage};

/// How satisfied the reporter is with the handling and the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意
    Satisfied,
    /// 基本满意
    BasicallySatisfied,
    /// 不满意
    Dissatisfied,
}

impl Satisfaction {
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Dissatisfied,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically_satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(code: &str) -> Option<Satisfaction> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "满意",
            Satisfaction::BasicallySatisfied => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
        }
    }

    /// Counts towards the satisfaction rate (满意 or 基本满意).
    pub fn is_satisfied(self) -> bool {
        self != Satisfaction::Dissatisfied
    }
}

/// A callback's answers as given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackForm {
    pub satisfaction: Satisfaction,
    /// Whether the reporter says the problem is solved.
    pub solved: bool,
    /// What the reporter said, briefly.
    #[serde(default)]
    pub note: Option<String>,
}

/// What a callback leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Followup {
    /// Nothing changes.
    None,
    /// The report is reopened (重新办理) and is being handled again.
    Reopened,
    /// The petitioner may ask for a review (复查) while its window is open.
    ReviewAvailable,
}

/// The stages in which a callback is taken: a reply was sent and the case is not closed.
pub const CALLBACK_STAGES: [Stage; 4] = [
    Stage::Replied,
    Stage::Published,
    Stage::Reviewed,
    Stage::ReReviewed,
];

impl CallbackForm {
    /// Checks the answers against a case of `kind` at `stage`, and says what they lead to.
    /// `review_open`: whether the petition's review window is still open.
    pub fn check(
        &self,
        kind: CaseKind,
        stage: Stage,
        review_open: bool,
    ) -> Result<(Option<String>, Followup), DomainError> {
        if !CALLBACK_STAGES.contains(&stage) {
            return Err(DomainError::invalid(
                "stage",
                format!(
                    "a callback follows a reply; this case is at {} ({})",
                    stage.code(),
                    stage.zh()
                ),
            ));
        }
        let note = self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        check_optional_text("note", note, MAX_TEXT_CHARS)
            .map_err(|e: FieldError| DomainError::Invalid(vec![e]))?;
        let followup = match (self.solved, kind, stage) {
            (true, _, _) => Followup::None,
            (false, CaseKind::Report, Stage::Replied | Stage::Published) => Followup::Reopened,
            (false, CaseKind::Petition, Stage::Replied | Stage::Published) if review_open => {
                Followup::ReviewAvailable
            }
            (false, _, _) => Followup::None,
        };
        Ok((note.map(str::to_owned), followup))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(solved: bool) -> CallbackForm {
        CallbackForm {
            satisfaction: Satisfaction::Dissatisfied,
            solved,
            note: Some(" 仍有噪声 ".into()),
        }
    }

    #[test]
    fn not_solved_reopens_a_report_and_points_a_petition_to_review() {
        let (note, followup) = form(false)
            .check(CaseKind::Report, Stage::Replied, false)
            .expect("a replied report");
        assert_eq!(
            (note.as_deref(), followup),
            (Some("仍有噪声"), Followup::Reopened)
        );
        assert_eq!(
            form(false)
                .check(CaseKind::Petition, Stage::Replied, true)
                .expect("a replied petition")
                .1,
            Followup::ReviewAvailable
        );
        assert_eq!(
            form(false)
                .check(CaseKind::Petition, Stage::Replied, false)
                .expect("window closed")
                .1,
            Followup::None
        );
        assert_eq!(
            form(false)
                .check(CaseKind::Reconsideration, Stage::Replied, true)
                .expect("a reconsideration")
                .1,
            Followup::None
        );
        assert_eq!(
            form(true)
                .check(CaseKind::Report, Stage::Published, false)
                .expect("solved")
                .1,
            Followup::None
        );
    }

    #[test]
    fn a_callback_needs_a_reply_and_a_clean_note() {
        for stage in [Stage::Handling, Stage::PendingApproval, Stage::Closed] {
            assert!(form(true).check(CaseKind::Report, stage, false).is_err());
        }
        let bad = CallbackForm {
            note: Some("满意\u{202e}".into()),
            ..form(true)
        };
        assert!(bad.check(CaseKind::Report, Stage::Replied, false).is_err());
        assert!(Satisfaction::BasicallySatisfied.is_satisfied());
        assert!(!Satisfaction::Dissatisfied.is_satisfied());
        assert_eq!(
            Satisfaction::parse("basically_satisfied"),
            Some(Satisfaction::BasicallySatisfied)
        );
    }
}
