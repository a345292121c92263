//! The one error type of this crate.

use thiserror::Error;

/// What can go wrong when building facts, reading a query or testing a series.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StatsError {
    /// A dimension, measure or filter named by a code this crate does not know.
    #[error("unknown {what} {code:?}")]
    Unknown { what: &'static str, code: String },
    /// A filter value that does not parse (a date, a boolean, a region code).
    #[error("bad value {value:?} for {field}: {why}")]
    BadValue {
        field: String,
        value: String,
        why: String,
    },
    /// A query that cannot be answered as asked.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A date outside what the index can hold (1970-01-01 to 2149-06-06, China time).
    #[error("date {0} is outside the range the index holds")]
    DateOutOfRange(String),
    /// A case or region code the dictionaries do not hold.
    #[error("{0} is not in the dictionary")]
    NotInDictionary(String),
}
