//! The facts of one case that analytics needs, dictionary-encoded into a few dozen bytes.

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::deadline::{Deadline, DeadlineKind};
use greenline_domain::{Case, DeadlineTable, Stage};

use crate::StatsError;
use crate::dict;

/// Flag bits of [`CaseFacts::flags`].
pub(crate) const ACCEPTED: u8 = 1;
pub(crate) const REJECTED: u8 = 2;
pub(crate) const CONCLUDED: u8 = 4;
pub(crate) const ON_TIME: u8 = 8;
pub(crate) const REPEAT_SOURCE: u8 = 16;
/// Accepted before the acceptance limit ran out (按时受理).
pub(crate) const ACCEPTED_ON_TIME: u8 = 32;

/// "No duration recorded" in the duration columns.
pub(crate) const NO_DURATION: u32 = u32::MAX;

/// The first day the index can hold: day numbers count from here.
pub(crate) fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// A China-time calendar day as a day number (days since 1970-01-01).
pub fn day_number(date: NaiveDate) -> Result<u16, StatsError> {
    u16::try_from((date - epoch()).num_days())
        .map_err(|_| StatsError::DateOutOfRange(date.to_string()))
}

/// The calendar day of a day number.
pub fn day_date(day: u16) -> NaiveDate {
    epoch() + chrono::Days::new(u64::from(day))
}

fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> u32 {
    // Negative spans (clock skew in imported data) count as zero; spans beyond 136 years cannot
    // happen in a valid record and are capped.
    u32::try_from((to - from).num_seconds().max(0)).unwrap_or(NO_DURATION - 1)
}

/// One case's analytic facts: what it is about, where and when, how far it got and how fast.
///
/// Every categorical value is an index into this crate's dictionaries. Overdue status is not
/// stored as a flag, because it changes with the clock: the first day past the running
/// statutory deadline is stored instead and compared with the query's `as_of` day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseFacts {
    pub(crate) kind: u8,
    pub(crate) channel: u8,
    pub(crate) primary_type: u8,
    /// Every type the case carries, one bit per type (multi-label).
    pub(crate) types: u16,
    pub(crate) sub_type: u8,
    pub(crate) industry: u8,
    /// The most precise known region (index in code order).
    pub(crate) region: u16,
    pub(crate) stage: u8,
    pub(crate) outcome: u8,
    pub(crate) rejection: u8,
    pub(crate) flags: u8,
    /// Received day (China time) as a day number.
    pub(crate) day: u16,
    /// The first day past the deadline running in the current stage; 0 when none runs.
    pub(crate) due_day: u16,
    /// Receipt to acceptance, in seconds ([`NO_DURATION`] if not accepted).
    pub(crate) acceptance_secs: u32,
    /// Acceptance to conclusion (办结), in seconds ([`NO_DURATION`] if not concluded).
    pub(crate) handling_secs: u32,
    /// The unit that holds the case now (0 when its id does not fit 32 bits).
    pub(crate) unit: u32,
    /// The earlier case this one repeats (its source's first report), 0 when none: the case
    /// is then its own source.
    pub(crate) repeat_of: i64,
}

/// The length of [`CaseFacts::to_bytes`].
pub const FACT_BYTES: usize = 40;

impl CaseFacts {
    /// The facts of `case`. `repeat_source` says whether the same source has been reported
    /// before (the store or the importer knows; a case cannot tell by itself). `limits` gives
    /// the statutory deadlines, for on-time completion and overdue status.
    pub fn from_case(
        case: &Case,
        repeat_source: bool,
        limits: &DeadlineTable,
    ) -> Result<CaseFacts, StatsError> {
        let region = dict::REGIONS
            .index(case.region)
            .ok_or_else(|| StatsError::NotInDictionary(case.region.to_string()))?;
        let primary_type = dict::type_index(case.primary_type)
            .ok_or_else(|| StatsError::NotInDictionary(case.primary_type.code().to_owned()))?;
        let mut types = 1u16 << primary_type;
        for t in &case.types {
            let i = dict::type_index(*t)
                .ok_or_else(|| StatsError::NotInDictionary(t.code().to_owned()))?;
            types |= 1 << i;
        }
        let time_limits = limits.limits_for(case.kind, case.region);
        let mut flags = 0;
        if case.accepted_at.is_some() {
            flags |= ACCEPTED;
        }
        if case.stage == Stage::Rejected {
            flags |= REJECTED;
        }
        if repeat_source {
            flags |= REPEAT_SOURCE;
        }
        if let Some(accepted) = case.accepted_at {
            let due = Deadline::starting(
                DeadlineKind::Acceptance,
                case.received_at,
                time_limits.acceptance_days,
            );
            if accepted < due.due_at {
                flags |= ACCEPTED_ON_TIME;
            }
        }
        let handling_due = case.handling_deadline(&time_limits);
        let mut handling_secs = NO_DURATION;
        if let (Some(accepted), Some(concluded)) = (case.accepted_at, case.concluded_at) {
            flags |= CONCLUDED;
            handling_secs = seconds_between(accepted, concluded);
            if handling_due.is_some_and(|d| concluded < d.due_at) {
                flags |= ON_TIME;
            }
        }
        let acceptance_secs = case
            .accepted_at
            .map_or(NO_DURATION, |at| seconds_between(case.received_at, at));
        let due_day = match case.current_deadline(&time_limits) {
            Some(deadline) => day_number(local_date(deadline.due_at))?,
            None => 0,
        };
        Ok(CaseFacts {
            kind: dict::kind_index(case.kind),
            channel: dict::channel_index(case.channel),
            primary_type,
            types,
            sub_type: dict::sub_type_index(case.sub_type),
            industry: dict::industry_index(case.industry),
            region,
            stage: dict::stage_index(case.stage),
            outcome: dict::outcome_index(case.outcome),
            rejection: dict::rejection_index(case.rejection),
            flags,
            day: day_number(local_date(case.received_at))?,
            due_day,
            acceptance_secs,
            handling_secs,
            unit: u32::try_from(case.unit_id).unwrap_or(0),
            repeat_of: case.repeat_of.unwrap_or(0),
        })
    }

    /// The facts as [`FACT_BYTES`] bytes (little-endian fields in declaration order, the case
    /// repeated at 32), to keep a built set
    /// of facts on disk, as the engine benchmark does between runs.
    pub fn to_bytes(&self) -> [u8; FACT_BYTES] {
        let mut out = [0u8; FACT_BYTES];
        out[0] = self.kind;
        out[1] = self.channel;
        out[2] = self.primary_type;
        out[3..5].copy_from_slice(&self.types.to_le_bytes());
        out[5] = self.sub_type;
        out[6] = self.industry;
        out[7..9].copy_from_slice(&self.region.to_le_bytes());
        out[9] = self.stage;
        out[10] = self.outcome;
        out[11] = self.rejection;
        out[12] = self.flags;
        out[13..15].copy_from_slice(&self.day.to_le_bytes());
        out[15..17].copy_from_slice(&self.due_day.to_le_bytes());
        out[17..21].copy_from_slice(&self.acceptance_secs.to_le_bytes());
        out[21..25].copy_from_slice(&self.handling_secs.to_le_bytes());
        out[25..29].copy_from_slice(&self.unit.to_le_bytes());
        out[32..40].copy_from_slice(&self.repeat_of.to_le_bytes());
        out
    }

    /// Reads what [`CaseFacts::to_bytes`] wrote; `None` if a value is outside the dictionaries.
    pub fn from_bytes(b: &[u8; FACT_BYTES]) -> Option<CaseFacts> {
        let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let facts = CaseFacts {
            kind: b[0],
            channel: b[1],
            primary_type: b[2],
            types: u16_at(3),
            sub_type: b[5],
            industry: b[6],
            region: u16_at(7),
            stage: b[9],
            outcome: b[10],
            rejection: b[11],
            flags: b[12],
            day: u16_at(13),
            due_day: u16_at(15),
            acceptance_secs: u32_at(17),
            handling_secs: u32_at(21),
            unit: u32_at(25),
            repeat_of: i64::from_le_bytes([b[32], b[33], b[34], b[35], b[36], b[37], b[38], b[39]]),
        };
        let valid = usize::from(facts.kind) < dict::KINDS.len()
            && usize::from(facts.channel) < dict::CHANNELS.len()
            && usize::from(facts.primary_type) < dict::TYPES.len()
            && facts
                .types
                .checked_shr(dict::TYPES.len() as u32)
                .unwrap_or(0)
                == 0
            && usize::from(facts.sub_type) <= dict::SUB_TYPES.len()
            && usize::from(facts.industry) <= dict::INDUSTRIES.len()
            && usize::from(facts.region) < dict::REGIONS.codes.len()
            && usize::from(facts.stage) < dict::STAGES.len()
            && usize::from(facts.outcome) <= dict::OUTCOMES.len()
            && usize::from(facts.rejection) <= dict::REJECTION_REASONS.len();
        valid.then_some(facts)
    }

    /// The unit that holds the case now.
    pub fn unit(&self) -> u32 {
        self.unit
    }

    /// The received day (China time).
    pub fn received_on(&self) -> NaiveDate {
        day_date(self.day)
    }

    /// Whether the case had a running deadline that had passed at `now` (超期), exactly as
    /// [`Case::is_overdue`] decides it.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        let today = day_number(local_date(now)).unwrap_or(u16::MAX);
        self.due_day != 0 && today >= self.due_day
    }
}
