//! Information-disclosure requests (依申请公开) under the 政府信息公开条例 (2019 revision,
//! State Council Order 711): the fourth kind of case, [`crate::CaseKind::Disclosure`].
//!
//! A request is not a [`crate::Case`]: it has no pollution type or place, its limits are
//! counted in working days on the [`crate::WorkingCalendar`], and its clock stops while the
//! applicant corrects the application or a third party is consulted. It shares the rest of the
//! spine: an applicant kept apart like a reporter, append-only events, the holding unit's
//! jurisdiction.
//!
//! - [`application`]: who applies and what for ([`NewApplication::parse`]);
//! - [`request`]: the workflow and its clock ([`Request::apply`], [`Request::clock`]);
//! - [`answer`]: the kinds of answer of art. 36, each with its required content
//!   ([`Answer::parse`]);
//! - [`annual`]: the annual report's tables filled from a year's requests ([`annual_report`]).
//!
//! The limits are data: `data/disclosure/limits.csv`, with the article each comes from.

pub mod annual;
pub mod answer;
pub mod application;
pub mod request;

use std::sync::LazyLock;

pub use annual::{AnnualReport, ReportRow, ReviewRow, Tally, annual_report};
pub use answer::{Answer, AnswerForm, AnswerKind, Redirect, WithholdingGround};
pub use application::{
    APPLICATION_CHANNELS, Applicant, ApplicantKind, ApplicationForm, DeliveryForm, NewApplication,
};
pub use request::{
    Clock, Consultation, Correction, DEFAULT_CORRECTION_PERIOD, DisclosureAction,
    DisclosureExtension, DisclosureStage, DisclosureStep, Request, ThirdPartyView,
    disclosure_transitions,
};

use crate::DomainError;

const LIMITS_CSV: &str = include_str!("../../data/disclosure/limits.csv");

/// The statutory limits of a request, in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisclosureLimits {
    /// To answer, from receipt (or from the corrected application's arrival).
    pub answer: u32,
    /// The one extension's maximum.
    pub max_extension: u32,
    /// To ask for a correction, from receipt.
    pub correction_request: u32,
    /// For a consulted third party to answer.
    pub third_party_reply: u32,
}

static LIMITS: LazyLock<DisclosureLimits> = LazyLock::new(|| {
    parse_limits(LIMITS_CSV)
        .unwrap_or_else(|e| unreachable!("the shipped disclosure limits load: {e}"))
});

/// The shipped limits.
pub fn limits() -> DisclosureLimits {
    *LIMITS
}

fn parse_limits(text: &str) -> Result<DisclosureLimits, DomainError> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut found = std::collections::HashMap::new();
    for (index, row) in reader.records().enumerate() {
        let bad = |why: String| DomainError::BadDeadlineTable(format!("line {}: {why}", index + 2));
        let row = row.map_err(|e| bad(e.to_string()))?;
        let name = row.get(0).unwrap_or("").to_owned();
        let days: u32 = row
            .get(1)
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| bad("working_days must be a whole number".to_owned()))?;
        found.insert(name, days);
    }
    let get = |name: &str| {
        found.get(name).copied().ok_or_else(|| {
            DomainError::BadDeadlineTable(format!("the disclosure limits lack {name}"))
        })
    };
    Ok(DisclosureLimits {
        answer: get("answer")?,
        max_extension: get("max_extension")?,
        correction_request: get("correction_request")?,
        third_party_reply: get("third_party_reply")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_limits_are_the_regulations() {
        assert_eq!(
            limits(),
            DisclosureLimits {
                answer: 20,
                max_extension: 20,
                correction_request: 7,
                third_party_reply: 15,
            }
        );
    }

    #[test]
    fn a_limits_table_missing_a_row_is_refused() {
        let e = parse_limits("limit,working_days,basis\nanswer,20,art. 33\n").expect_err("short");
        assert!(e.to_string().contains("max_extension"), "{e}");
    }
}
