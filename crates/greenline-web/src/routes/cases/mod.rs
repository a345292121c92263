//! Cases: intake, staff search and reading, transitions, type review and repeat grouping.

pub mod attachments;
pub mod callback;
pub mod intake;
pub mod merge;
pub mod oversight;
pub mod read;
pub mod review;
pub mod same_source;
pub mod search;
pub mod transition;

pub use crate::extract::CaseId;
