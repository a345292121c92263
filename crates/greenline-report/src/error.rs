//! The one error type of this crate.

use thiserror::Error;

/// What can go wrong when building or rendering a bulletin.
#[derive(Debug, Error)]
pub enum ReportError {
    /// A period that is not `YYYY-MM`, `YYYY-Qn` or `YYYY`, or is out of range.
    #[error("bad period {0:?}: expected YYYY-MM, YYYY-Qn or YYYY")]
    BadPeriod(String),
    /// The analytics engine refused a query.
    #[error("analytics query failed: {0}")]
    Stats(#[from] greenline_stats::StatsError),
    /// The Word document could not be written.
    #[error("could not write the Word document: {0}")]
    Docx(String),
    /// A format this kind of document is not written in.
    #[error("not written as {0}")]
    UnsupportedFormat(&'static str),
}
