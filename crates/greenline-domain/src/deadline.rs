//! Statutory time limits (办理时限): the table of limits, per-jurisdiction overrides, and the
//! arithmetic of "within N days" in China Standard Time.
//!
//! The defaults ship in `data/workflow/deadlines.csv`. A limit of N days from an event on local
//! day D runs to the close of day D + N; the deadline is stored as the first instant after it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use chrono::{DateTime, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{CaseKind, DomainError, FieldError, RegionCode};

const DEADLINES_CSV: &str = include_str!("../data/workflow/deadlines.csv");

/// China Standard Time (UTC+8), in which statutory days are counted.
pub fn china_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("+08:00 is a valid offset"))
}

/// The local (China) calendar day of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china_time()).date_naive()
}

/// The first instant after the close of the day `days` calendar days after `from`'s local day.
pub fn end_of_limit(from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let last_day = local_date(from) + Days::new(u64::from(days));
    let next_midnight = (last_day + Days::new(1))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_else(|| unreachable!("midnight exists"));
    china_time()
        .from_local_datetime(&next_midnight)
        .single()
        .unwrap_or_else(|| unreachable!("a fixed offset has no gaps"))
        .with_timezone(&Utc)
}

/// Which statutory time limit (时限) a deadline belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// 受理/转送时限 — from receipt to acceptance (or routing).
    Acceptance,
    /// 办理时限 — from acceptance to the reply, plus any extension.
    Handling,
    /// 复查时限 — from the review request to its decision.
    ReviewDecision,
    /// 复核时限 — from the re-review request to its decision.
    ReReviewDecision,
}

/// The time limits, in calendar days, for one kind of case in one jurisdiction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TimeLimits {
    pub acceptance_days: u32,
    pub handling_days: u32,
    pub max_extension_days: u32,
    pub review_request_days: u32,
    pub review_decision_days: u32,
    pub re_review_request_days: u32,
    pub re_review_decision_days: u32,
}

/// An agency's override of some limits, for one kind of case, in its region and below.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LimitsOverride {
    pub region: RegionCode,
    pub kind: CaseKind,
    pub acceptance_days: Option<u32>,
    pub handling_days: Option<u32>,
    pub max_extension_days: Option<u32>,
    pub review_request_days: Option<u32>,
    pub review_decision_days: Option<u32>,
    pub re_review_request_days: Option<u32>,
    pub re_review_decision_days: Option<u32>,
}

/// The shipped defaults plus the overrides: those of the configuration file, and those an
/// administrator stored (which can be replaced while the service runs, see
/// [`DeadlineTable::replace_stored`]).
///
/// At one region a stored override wins over the configuration file's; between regions the
/// narrowest wins, wherever it comes from.
#[derive(Debug)]
pub struct DeadlineTable {
    defaults: HashMap<CaseKind, TimeLimits>,
    overrides: Vec<LimitsOverride>,
    /// Swapped whole: a reader sees the old list or the new one, never a mixture.
    stored: RwLock<Arc<Vec<LimitsOverride>>>,
}

impl Clone for DeadlineTable {
    fn clone(&self) -> Self {
        DeadlineTable {
            defaults: self.defaults.clone(),
            overrides: self.overrides.clone(),
            stored: RwLock::new(self.stored()),
        }
    }
}

impl PartialEq for DeadlineTable {
    fn eq(&self, other: &Self) -> bool {
        self.defaults == other.defaults
            && self.overrides == other.overrides
            && self.stored() == other.stored()
    }
}

/// Which limits a kind of case has at all, and their statutory maxima: the shipped defaults
/// (the domain facts' 15 / 60 / +30 days and their kin). A limit of 0 does not apply to the
/// kind (a tip-off has no review).
pub fn statutory_limits(kind: CaseKind) -> TimeLimits {
    DeadlineTable::statutory().defaults[&kind]
}

impl LimitsOverride {
    /// The limits it sets, by field name.
    pub fn fields(&self) -> [(&'static str, Option<u32>); 7] {
        [
            ("acceptance_days", self.acceptance_days),
            ("handling_days", self.handling_days),
            ("max_extension_days", self.max_extension_days),
            ("review_request_days", self.review_request_days),
            ("review_decision_days", self.review_decision_days),
            ("re_review_request_days", self.re_review_request_days),
            ("re_review_decision_days", self.re_review_decision_days),
        ]
    }

    /// Checks each limit it sets: at least a day, and within the statutory maximum of its kind
    /// (a jurisdiction may shorten a limit, never lengthen it); a limit the kind does not have
    /// cannot be set. Every field at fault is named.
    pub fn check(&self) -> Result<(), DomainError> {
        let maxima = statutory_limits(self.kind);
        let max_of = |field: &str| match field {
            "acceptance_days" => maxima.acceptance_days,
            "handling_days" => maxima.handling_days,
            "max_extension_days" => maxima.max_extension_days,
            "review_request_days" => maxima.review_request_days,
            "review_decision_days" => maxima.review_decision_days,
            "re_review_request_days" => maxima.re_review_request_days,
            _ => maxima.re_review_decision_days,
        };
        let mut errors = Vec::new();
        for (field, value) in self.fields() {
            let Some(days) = value else { continue };
            let max = max_of(field);
            if max == 0 {
                errors.push(FieldError::new(
                    field,
                    format!("a {} has no such limit", self.kind.code()),
                ));
            } else if days == 0 || days > max {
                errors.push(FieldError::new(
                    field,
                    format!("between 1 and {max} days (the statutory limit)"),
                ));
            }
        }
        if self.fields().iter().all(|(_, v)| v.is_none()) {
            errors.push(FieldError::new("acceptance_days", "set at least one limit"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

static DEFAULTS: LazyLock<Result<HashMap<CaseKind, TimeLimits>, DomainError>> =
    LazyLock::new(|| parse_defaults(DEADLINES_CSV));

fn parse_defaults(text: &str) -> Result<HashMap<CaseKind, TimeLimits>, DomainError> {
    let mut days: HashMap<(CaseKind, String), u32> = HashMap::new();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for (index, row) in reader.records().enumerate() {
        let line = index + 2;
        let bad = |why: &str| DomainError::BadDeadlineTable(format!("line {line}: {why}"));
        let row = row.map_err(|e| bad(&e.to_string()))?;
        let kind =
            CaseKind::parse_case(row.get(0).unwrap_or("")).ok_or_else(|| bad("unknown kind"))?;
        let clock = row.get(1).unwrap_or("").to_owned();
        let value = row
            .get(2)
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| bad("days must be a whole number"))?;
        days.insert((kind, clock), value);
    }
    let get = |kind: CaseKind, clock: &str| days.get(&(kind, clock.to_owned())).copied();
    CaseKind::CASES
        .into_iter()
        .map(|kind| {
            let required = |clock: &str| {
                get(kind, clock).ok_or_else(|| {
                    DomainError::BadDeadlineTable(format!("{} has no {clock} limit", kind.code()))
                })
            };
            let limits = TimeLimits {
                acceptance_days: required("acceptance")?,
                handling_days: required("handling")?,
                max_extension_days: required("max_extension")?,
                review_request_days: get(kind, "review_request").unwrap_or(0),
                review_decision_days: get(kind, "review_decision").unwrap_or(0),
                re_review_request_days: get(kind, "re_review_request").unwrap_or(0),
                re_review_decision_days: get(kind, "re_review_decision").unwrap_or(0),
            };
            Ok((kind, limits))
        })
        .collect()
}

impl DeadlineTable {
    /// The shipped statutory defaults with the given overrides.
    pub fn new(overrides: Vec<LimitsOverride>) -> Result<Self, DomainError> {
        let defaults = DEFAULTS.as_ref().map_err(Clone::clone)?.clone();
        Ok(DeadlineTable {
            defaults,
            overrides,
            stored: RwLock::default(),
        })
    }

    /// The shipped statutory defaults, with no overrides.
    pub fn statutory() -> Self {
        Self::new(Vec::new())
            .unwrap_or_else(|e| panic!("the shipped deadline table is broken: {e}"))
    }

    /// The overrides an administrator stored, as last loaded.
    pub fn stored(&self) -> Arc<Vec<LimitsOverride>> {
        match self.stored.read() {
            Ok(stored) => stored.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the stored overrides: every deadline started afterwards follows them.
    pub fn replace_stored(&self, overrides: Vec<LimitsOverride>) {
        let overrides = Arc::new(overrides);
        match self.stored.write() {
            Ok(mut stored) => *stored = overrides,
            Err(poisoned) => *poisoned.into_inner() = overrides,
        }
    }

    /// The configuration file's overrides.
    pub fn configured(&self) -> &[LimitsOverride] {
        &self.overrides
    }

    /// The limits for a case of `kind` in `region`: the defaults, with the overrides of every
    /// region that contains it applied from the widest to the narrowest (at one region the
    /// configuration file's first, then the stored ones).
    pub fn limits_for(&self, kind: CaseKind, region: RegionCode) -> TimeLimits {
        let mut limits = self.defaults[&kind];
        let mut ancestry: Vec<RegionCode> = region.ancestry().collect();
        ancestry.reverse();
        let stored = self.stored();
        for area in ancestry {
            for o in self
                .overrides
                .iter()
                .chain(stored.iter())
                .filter(|o| o.kind == kind && o.region == area)
            {
                let set = |slot: &mut u32, value: Option<u32>| {
                    if let Some(v) = value {
                        *slot = v;
                    }
                };
                set(&mut limits.acceptance_days, o.acceptance_days);
                set(&mut limits.handling_days, o.handling_days);
                set(&mut limits.max_extension_days, o.max_extension_days);
                set(&mut limits.review_request_days, o.review_request_days);
                set(&mut limits.review_decision_days, o.review_decision_days);
                set(&mut limits.re_review_request_days, o.re_review_request_days);
                set(
                    &mut limits.re_review_decision_days,
                    o.re_review_decision_days,
                );
            }
        }
        limits
    }
}

impl Default for DeadlineTable {
    fn default() -> Self {
        Self::statutory()
    }
}

/// One running or finished statutory deadline of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Deadline {
    pub clock: DeadlineKind,
    /// The last day of the limit (local date).
    pub last_day: NaiveDate,
    /// The first instant past the limit.
    pub due_at: DateTime<Utc>,
}

impl Deadline {
    pub fn starting(clock: DeadlineKind, from: DateTime<Utc>, days: u32) -> Self {
        Deadline {
            clock,
            last_day: local_date(from) + Days::new(u64::from(days)),
            due_at: end_of_limit(from, days),
        }
    }

    /// A limit of `working_days` working days (工作日) after `from`'s local day, counted on
    /// `calendar`; also whether a day counted lay past the arrangements loaded (an estimate).
    pub fn starting_working_days(
        clock: DeadlineKind,
        from: DateTime<Utc>,
        working_days: u32,
        calendar: &crate::WorkingCalendar,
    ) -> (Self, bool) {
        let start = local_date(from);
        let due = calendar.add_working_days(start, working_days);
        let calendar_days = u32::try_from((due.last_day - start).num_days()).unwrap_or(u32::MAX);
        (
            Deadline {
                clock,
                last_day: due.last_day,
                due_at: end_of_limit(from, calendar_days),
            },
            due.assumed,
        )
    }

    pub fn is_past(&self, now: DateTime<Utc>) -> bool {
        now >= self.due_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("timestamp")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_limit_in_working_days_ends_at_the_close_of_its_last_working_day() {
        // Received on Monday 2025-09-29 at 10:00 China time; five working days: 30 Sep, then
        // 9 Oct (the holiday runs 1–8 Oct), 10 Oct, 11 Oct (Saturday worked), 13 Oct.
        let (deadline, assumed) = Deadline::starting_working_days(
            DeadlineKind::Acceptance,
            at("2025-09-29T02:00:00Z"),
            5,
            crate::WorkingCalendar::shipped(),
        );
        assert!(!assumed);
        assert_eq!(deadline.last_day.to_string(), "2025-10-13");
        assert_eq!(deadline.due_at, at("2025-10-13T16:00:00Z"));
    }

    #[test]
    fn the_shipped_defaults_are_the_statutory_limits() {
        let table = DeadlineTable::statutory();
        let report = table.limits_for(CaseKind::Report, RegionCode::NATIONAL);
        assert_eq!(
            (
                report.acceptance_days,
                report.handling_days,
                report.max_extension_days
            ),
            (15, 60, 30)
        );
        let petition = table.limits_for(CaseKind::Petition, RegionCode::NATIONAL);
        assert_eq!(
            (
                petition.review_request_days,
                petition.review_decision_days,
                petition.re_review_decision_days
            ),
            (30, 30, 30)
        );
        let reconsideration = table.limits_for(CaseKind::Reconsideration, RegionCode::NATIONAL);
        assert_eq!(reconsideration.acceptance_days, 5);
    }

    #[test]
    fn the_narrowest_override_wins_and_only_inside_its_region() {
        let code = |c: &str| RegionCode::parse(c).expect("region");
        let table = DeadlineTable::new(vec![
            LimitsOverride {
                region: code("440000"),
                kind: CaseKind::Report,
                acceptance_days: Some(5),
                handling_days: Some(30),
                max_extension_days: None,
                review_request_days: None,
                review_decision_days: None,
                re_review_request_days: None,
                re_review_decision_days: None,
            },
            LimitsOverride {
                region: code("440300"),
                kind: CaseKind::Report,
                acceptance_days: Some(2),
                handling_days: None,
                max_extension_days: None,
                review_request_days: None,
                review_decision_days: None,
                re_review_request_days: None,
                re_review_decision_days: None,
            },
        ])
        .expect("table");
        let nanshan = table.limits_for(CaseKind::Report, code("440305"));
        assert_eq!((nanshan.acceptance_days, nanshan.handling_days), (2, 30));
        let guangzhou = table.limits_for(CaseKind::Report, code("440106"));
        assert_eq!(
            (guangzhou.acceptance_days, guangzhou.handling_days),
            (5, 30)
        );
        let beijing = table.limits_for(CaseKind::Report, code("110108"));
        assert_eq!((beijing.acceptance_days, beijing.handling_days), (15, 60));
        let petition = table.limits_for(CaseKind::Petition, code("440305"));
        assert_eq!(petition.acceptance_days, 15);
    }

    fn only(region: &str, acceptance: Option<u32>) -> LimitsOverride {
        LimitsOverride {
            region: RegionCode::parse(region).expect("region"),
            kind: CaseKind::Report,
            acceptance_days: acceptance,
            handling_days: None,
            max_extension_days: None,
            review_request_days: None,
            review_decision_days: None,
            re_review_request_days: None,
            re_review_decision_days: None,
        }
    }

    #[test]
    fn stored_overrides_win_at_their_region_and_apply_once_replaced() {
        let code = |c: &str| RegionCode::parse(c).expect("region");
        let table =
            DeadlineTable::new(vec![only("440000", Some(5)), only("440300", Some(3))]).expect("t");
        let shared = std::sync::Arc::new(table);
        let reader = shared.clone();
        assert_eq!(
            reader
                .limits_for(CaseKind::Report, code("440305"))
                .acceptance_days,
            3
        );
        shared.replace_stored(vec![only("440300", Some(2)), only("440000", Some(10))]);
        // Shenzhen: the stored 2 beats the file's 3 at the same region.
        assert_eq!(
            reader
                .limits_for(CaseKind::Report, code("440305"))
                .acceptance_days,
            2
        );
        // Guangzhou: the stored 10 beats the file's 5 at the province.
        assert_eq!(
            reader
                .limits_for(CaseKind::Report, code("440106"))
                .acceptance_days,
            10
        );
        shared.replace_stored(Vec::new());
        assert_eq!(
            reader
                .limits_for(CaseKind::Report, code("440106"))
                .acceptance_days,
            5
        );
    }

    #[test]
    fn an_override_is_refused_beyond_the_statutory_limit_naming_the_field() {
        assert!(only("440300", Some(15)).check().is_ok());
        for bad in [Some(0), Some(16), None] {
            match only("440300", bad).check() {
                Err(DomainError::Invalid(errors)) => {
                    assert_eq!(errors[0].field, "acceptance_days", "{bad:?}");
                }
                other => panic!("{bad:?}: {other:?}"),
            }
        }
        let mut review = only("440300", None);
        review.review_request_days = Some(10);
        match review.check() {
            Err(DomainError::Invalid(errors)) => assert_eq!(errors[0].field, "review_request_days"),
            other => panic!("a report has no review: {other:?}"),
        }
    }

    #[test]
    fn days_are_counted_in_china_time_to_the_close_of_the_last_day() {
        // 23:30 UTC on 1 March is 07:30 on 2 March in China: day 0 is 2 March.
        let received = at("2026-03-01T23:30:00Z");
        let deadline = Deadline::starting(DeadlineKind::Acceptance, received, 15);
        assert_eq!(deadline.last_day.to_string(), "2026-03-17");
        assert_eq!(deadline.due_at, at("2026-03-17T16:00:00Z"));
        assert!(!deadline.is_past(at("2026-03-17T15:59:59Z")));
        assert!(deadline.is_past(at("2026-03-17T16:00:00Z")));
    }
}
