use serde::Serialize;
use utoipa::ToSchema;

use crate::disclosure::{DisclosureAction, DisclosureStage};
use crate::{Action, CaseKind, Stage};

/// A problem with one named field of some input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's name as the input spells it (`reporter.phone`, `types[1]`).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Everything the domain can refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DomainError {
    #[error("unknown region code {0:?}: not in the administrative division table")]
    UnknownRegion(String),
    #[error("unknown pollution type {0:?}")]
    UnknownType(String),
    #[error("unknown pollution sub-type {0:?}")]
    UnknownSubType(String),
    #[error("unknown industry code {0:?}")]
    UnknownIndustry(String),
    #[error("the deadline table is broken: {0}")]
    BadDeadlineTable(String),
    #[error("the holiday arrangements are broken: {0}")]
    BadCalendar(String),
    #[error("{} input: {}", .0.len(), .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error(
        "a {} case at stage {} cannot {}; allowed from {}: {}",
        kind.code(), stage.code(), action.code(), stage.code(),
        if allowed.is_empty() { "nothing (final stage)".to_owned() }
        else { allowed.iter().map(|a| a.code()).collect::<Vec<_>>().join(", ") }
    )]
    IllegalTransition {
        kind: CaseKind,
        stage: Stage,
        action: Action,
        allowed: Vec<Action>,
    },
    #[error(
        "a disclosure request at stage {} cannot {}; allowed now: {}",
        stage.code(), action.code(),
        if allowed.is_empty() { "nothing".to_owned() }
        else { allowed.iter().map(|a| a.code()).collect::<Vec<_>>().join(", ") }
    )]
    IllegalDisclosureStep {
        stage: DisclosureStage,
        action: DisclosureAction,
        allowed: Vec<DisclosureAction>,
    },
    #[error("the handling limit was already extended once ({days} days: {reason})")]
    AlreadyExtended { days: u32, reason: String },
    #[error(
        "comments on this project are not taken now; {}",
        next_opens.map_or_else(|| "no comment window is scheduled".to_owned(), |d| format!("the next window opens on {d}"))
    )]
    CommentsClosed {
        next_opens: Option<chrono::NaiveDate>,
    },
    #[error("the window for {what} closed at the end of {last_day}")]
    WindowClosed {
        what: &'static str,
        last_day: chrono::NaiveDate,
    },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, message)])
    }
}
