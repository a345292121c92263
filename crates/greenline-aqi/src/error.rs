//! The one error type of the crate.

use crate::column::Period;

/// Why an index could not be computed. Every variant about an input names its field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AqiError {
    #[error("{field}: a concentration cannot be negative, got {value}")]
    Negative { field: &'static str, value: f64 },
    #[error("{field}: not a finite number")]
    NotFinite { field: &'static str },
    #[error("{field}: expected a number, got {found}")]
    NotNumeric { field: &'static str, found: String },
    #[error("no concentration for a {period} report: give at least one of its columns")]
    NoReadings { period: Period },
    #[error("{field}: needed because {because} is above the top of its column under {standard}")]
    Needed {
        field: &'static str,
        because: &'static str,
        standard: &'static str,
    },
    #[error("{field}: {found:?} is not one of {expected}")]
    Invalid {
        field: &'static str,
        found: String,
        expected: &'static str,
    },
    #[error("{field}: the index adds this field; the input must not carry it")]
    Reserved { field: &'static str },
    #[error("not a JSON object: {message}")]
    NotJson { message: String },
    #[error("line {line}, {field}: {message}")]
    BadRow {
        line: u64,
        field: &'static str,
        message: String,
    },
}

impl AqiError {
    /// The input field the error is about, if it is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AqiError::Negative { field, .. }
            | AqiError::NotFinite { field }
            | AqiError::NotNumeric { field, .. }
            | AqiError::Needed { field, .. }
            | AqiError::Invalid { field, .. }
            | AqiError::Reserved { field }
            | AqiError::BadRow { field, .. } => Some(field),
            AqiError::NoReadings { .. } | AqiError::NotJson { .. } => None,
        }
    }
}
