//! What a use case can answer instead of its result. Each door maps it once: the API to an
//! RFC 9457 problem, the pages to a Chinese error page, the command line to a message.

use greenline_domain::{Action, DomainError, FieldError};
use greenline_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A parameter of a question (a filter, a period, a limit) is not valid.
    #[error("parameter {field}: {message}")]
    BadParameter { field: String, message: String },
    /// Fields of submitted input are not valid; each names its field.
    #[error("{}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// No signed-in staff member, or a wrong username or password.
    #[error("sign in first")]
    Unauthorized,
    /// The password was right but has expired: change it first.
    #[error("the password has expired; change it first")]
    PasswordExpired,
    /// The caller may not do this (their role or jurisdiction).
    #[error("{0}")]
    Forbidden(String),
    /// No such thing, or none the caller may see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The thing changed meanwhile, exists already, or its stage does not allow the step
    /// (`allowed_actions` then lists what does).
    #[error("{detail}")]
    Conflict {
        detail: String,
        allowed_actions: Option<Vec<Action>>,
    },
    /// Too many requests from one client or for one account.
    #[error("too many requests; try again in a minute")]
    TooManyRequests,
    /// Too many failed attempts at one thing (a case's tracking view): refused for a while,
    /// the right answer included; the message says how long.
    #[error("{0}")]
    TooManyAttempts(String),
    /// More requests are in progress than the server takes at once: shed, to be retried.
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// The service cannot answer yet (a view is still being built) or here (no office).
    #[error("{0}")]
    Unavailable(String),
    /// Anything else: logged by the door, never shown.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Fields at fault in one line: `region: unknown region code; phone: …`.
pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    /// One field of submitted input is not valid.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid(vec![FieldError::new(field, message)])
    }

    /// One parameter of a question is not valid.
    pub fn parameter(field: &str, message: impl Into<String>) -> Self {
        ServiceError::BadParameter {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        ServiceError::Conflict {
            detail: detail.into(),
            allowed_actions: None,
        }
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        ServiceError::Internal(error.into())
    }
}

impl From<DomainError> for ServiceError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Invalid(errors) => ServiceError::Invalid(errors),
            DomainError::IllegalTransition { ref allowed, .. } => ServiceError::Conflict {
                allowed_actions: Some(allowed.clone()),
                detail: error.to_string(),
            },
            DomainError::AlreadyExtended { .. } | DomainError::IllegalDisclosureStep { .. } => {
                ServiceError::conflict(error.to_string())
            }
            DomainError::CommentsClosed { .. } => ServiceError::conflict(error.to_string()),
            DomainError::WindowClosed { .. } => ServiceError::field("action", error.to_string()),
            DomainError::UnknownRegion(_) => ServiceError::field("region", error.to_string()),
            DomainError::UnknownType(_) => ServiceError::field("type", error.to_string()),
            DomainError::UnknownSubType(_) => ServiceError::field("sub_type", error.to_string()),
            DomainError::UnknownIndustry(_) => ServiceError::field("industry", error.to_string()),
            DomainError::BadDeadlineTable(_) | DomainError::BadCalendar(_) => {
                ServiceError::Internal(anyhow::Error::new(error))
            }
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Duplicate(what) => ServiceError::conflict(format!("{what} already exists")),
            StoreError::Conflict | StoreError::IdempotencyMismatch => {
                ServiceError::conflict(error.to_string())
            }
            other => ServiceError::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<tokio::task::JoinError> for ServiceError {
    fn from(error: tokio::task::JoinError) -> Self {
        ServiceError::Internal(error.into())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
