//! An index from a file's columns: which fields of a case record a query needs, each field's
//! value read into its fact code, and an [`Index`] built from those codes alone.
//!
//! Building [`CaseFacts`] from whole cases means reading every field of every record, the
//! descriptions included, and working out each case's deadlines. Most questions asked of a
//! file need two or three fields: `province × month` reads the region and the received time.
//! [`fields_needed`] says which, or `None` when the question needs what only a whole case gives
//! (deadlines, overdue status, durations); a reader then decodes those fields alone, maps each
//! distinct value to its code once ([`CaseField::code`]), and hands the codes to
//! [`Index::from_columns`]. Facts no field was read for keep the value a case without them
//! would have, and the query does not look at them, so the answer is the one the whole cases
//! give (the command's tests compare the two on random queries).
//!
//! A value is checked as the import checks that field alone; checks that join two fields
//! (the types list starting with the primary type, a sub-type belonging to a carried type, the
//! history fitting the stage) need both and belong to the import.
//!
//! [`CaseFacts`]: crate::CaseFacts

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::record::parse_time;
use greenline_domain::{CaseKind, Channel, Industry, PollutionType, RegionCode, Stage, SubType};

use crate::dict::{self, REGIONS};
use crate::facts::{self, ACCEPTED, REJECTED};
use crate::index::{BLOCK_ROWS, Index};
use crate::model::{Dimension, Filter, Measure, Query};

/// A field of a case record that facts are read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CaseField {
    Kind,
    Channel,
    PrimaryType,
    /// Every type, the primary first, separated by `;`.
    Types,
    SubType,
    Industry,
    Region,
    Stage,
    Outcome,
    RejectionReason,
    /// Only whether it is there (and a time) is kept: the case was accepted.
    AcceptedAt,
    ReceivedAt,
}

/// A field's value that cannot be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct BadField {
    pub field: &'static str,
    pub why: String,
}

impl CaseField {
    pub const ALL: [CaseField; 12] = [
        CaseField::Kind,
        CaseField::Channel,
        CaseField::PrimaryType,
        CaseField::Types,
        CaseField::SubType,
        CaseField::Industry,
        CaseField::Region,
        CaseField::Stage,
        CaseField::Outcome,
        CaseField::RejectionReason,
        CaseField::AcceptedAt,
        CaseField::ReceivedAt,
    ];

    /// The record's field name (`greenline_domain::CaseRecord`).
    pub fn name(self) -> &'static str {
        match self {
            CaseField::Kind => "kind",
            CaseField::Channel => "channel",
            CaseField::PrimaryType => "primary_type",
            CaseField::Types => "types",
            CaseField::SubType => "sub_type",
            CaseField::Industry => "industry",
            CaseField::Region => "region",
            CaseField::Stage => "stage",
            CaseField::Outcome => "outcome",
            CaseField::RejectionReason => "rejection_reason",
            CaseField::AcceptedAt => "accepted_at",
            CaseField::ReceivedAt => "received_at",
        }
    }

    /// The Chinese column heading a file may use instead (the record's aliases).
    pub fn alias(self) -> &'static str {
        match self {
            CaseField::Kind => "类别",
            CaseField::Channel => "渠道",
            CaseField::PrimaryType => "污染类型",
            CaseField::Types => "涉及类型",
            CaseField::SubType => "子类型",
            CaseField::Industry => "行业",
            CaseField::Region => "行政区划代码",
            CaseField::Stage => "办理阶段",
            CaseField::Outcome => "办理结果",
            CaseField::RejectionReason => "不予受理原因",
            CaseField::AcceptedAt => "受理时间",
            CaseField::ReceivedAt => "接收时间",
        }
    }

    /// Whether the record must have a value here.
    pub fn required(self) -> bool {
        matches!(
            self,
            CaseField::Kind
                | CaseField::Channel
                | CaseField::PrimaryType
                | CaseField::Types
                | CaseField::Region
                | CaseField::Stage
                | CaseField::ReceivedAt
        )
    }

    fn bad(self, why: impl Into<String>) -> BadField {
        BadField {
            field: self.name(),
            why: why.into(),
        }
    }

    /// The code of a field's text (`None`: absent or null), checked as the import checks the
    /// field: the same parse, the same refusals.
    pub fn code(self, text: Option<&str>) -> Result<u16, BadField> {
        let trimmed = text.map(str::trim).filter(|t| !t.is_empty());
        let Some(value) = trimmed else {
            return match self {
                // An empty list of types leaves the primary type alone.
                CaseField::Types
                | CaseField::SubType
                | CaseField::Industry
                | CaseField::Outcome
                | CaseField::RejectionReason
                | CaseField::AcceptedAt => Ok(0),
                _ => Err(self.bad("must not be empty")),
            };
        };
        let unknown = |what: &str| self.bad(format!("unknown {what} {value:?}"));
        let code = match self {
            CaseField::Kind => CaseKind::parse_case(value)
                .map(dict::kind_index)
                .ok_or_else(|| unknown("kind"))?,
            CaseField::Channel => Channel::parse(value)
                .map(dict::channel_index)
                .ok_or_else(|| unknown("channel"))?,
            CaseField::PrimaryType => type_index(value).map_err(|why| self.bad(why))?,
            CaseField::Types => {
                let mut bits = 0u16;
                for t in value.split(';').map(str::trim).filter(|t| !t.is_empty()) {
                    bits |= 1 << type_index(t).map_err(|why| self.bad(why))?;
                }
                return Ok(bits);
            }
            CaseField::SubType => {
                let sub = SubType::parse(value).map_err(|e| self.bad(e.to_string()))?;
                dict::sub_type_index(Some(sub))
            }
            CaseField::Industry => {
                let industry = Industry::parse(value).map_err(|e| self.bad(e.to_string()))?;
                dict::industry_index(Some(industry))
            }
            CaseField::Region => {
                let region = RegionCode::parse(value).map_err(|e| self.bad(e.to_string()))?;
                if region == RegionCode::NATIONAL {
                    return Err(self.bad("name at least the province where the problem is"));
                }
                return REGIONS
                    .index(region)
                    .ok_or_else(|| self.bad(format!("{value} is not in the dictionary")));
            }
            CaseField::Stage => Stage::parse(value)
                .map(dict::stage_index)
                .ok_or_else(|| unknown("stage"))?,
            CaseField::Outcome => dict::OUTCOMES
                .iter()
                .position(|o| o.code() == value)
                .map(|i| i as u8 + 1)
                .ok_or_else(|| self.bad(format!("unknown code {value:?}")))?,
            CaseField::RejectionReason => dict::REJECTION_REASONS
                .iter()
                .position(|r| r.code() == value)
                .map(|i| i as u8 + 1)
                .ok_or_else(|| self.bad(format!("unknown code {value:?}")))?,
            CaseField::AcceptedAt | CaseField::ReceivedAt => {
                let at = parse_time(value).ok_or_else(|| {
                    self.bad(format!(
                        "{value:?} is not a time: use RFC 3339 or YYYY-MM-DD HH:MM:SS"
                    ))
                })?;
                return self.time_code(Some(at));
            }
        };
        Ok(u16::from(code))
    }

    /// The code of a time field given as a time (a Parquet timestamp): the received day, or
    /// 1 for an acceptance time that is there.
    pub fn time_code(self, at: Option<DateTime<Utc>>) -> Result<u16, BadField> {
        match (self, at) {
            (CaseField::AcceptedAt, at) => Ok(u16::from(at.is_some())),
            (CaseField::ReceivedAt, Some(at)) => {
                facts::day_number(local_date(at)).map_err(|e| self.bad(e.to_string()))
            }
            (CaseField::ReceivedAt, None) => Err(self.bad("must not be empty")),
            (other, _) => Err(other.bad("not a time field")),
        }
    }

    /// The code of a time field given in milliseconds since 1970 (UTC), as Parquet stores it:
    /// the same as [`CaseField::time_code`], without building a calendar date.
    pub fn day_code_of_millis(self, millis: i64) -> Result<u16, BadField> {
        const DAY: i64 = 86_400_000;
        const CHINA: i64 = 8 * 3_600_000;
        match self {
            CaseField::AcceptedAt => Ok(1),
            CaseField::ReceivedAt => u16::try_from((millis + CHINA).div_euclid(DAY))
                .map_err(|_| self.bad("the date is outside the range the index holds")),
            other => Err(other.bad("not a time field")),
        }
    }
}

fn type_index(code: &str) -> Result<u8, String> {
    let t = PollutionType::parse(code).map_err(|e| e.to_string())?;
    dict::type_index(t).ok_or_else(|| format!("{code} is not in the dictionary"))
}

/// The fields a query needs, in [`CaseField`] order, or `None` when it needs facts that only
/// whole cases give: overdue status, late acceptance or conclusion, durations, on-time rates.
/// The region (for the scope) and the received time are always among them.
pub fn fields_needed(query: &Query) -> Option<Vec<CaseField>> {
    let mut fields = vec![CaseField::Region, CaseField::ReceivedAt];
    for dimension in &query.group_by {
        fields.extend(dimension_fields(*dimension)?);
    }
    for filter in &query.filters {
        fields.extend(filter_fields(filter)?);
    }
    for measure in &query.measures {
        match measure {
            Measure::Count
            | Measure::Share { .. }
            | Measure::PeriodOnPeriod
            | Measure::YearOnYear
            // A file's cases are each their own source (as `import` reads them).
            | Measure::RepeatRate
            | Measure::DistinctSources => {}
            Measure::AcceptanceRate => fields.extend([CaseField::Stage, CaseField::AcceptedAt]),
            Measure::AcceptanceDaysMean
            | Measure::AcceptanceDaysPercentile(_)
            | Measure::HandlingDaysMean
            | Measure::HandlingDaysPercentile(_)
            | Measure::OnTimeRate
            | Measure::OnTimeAcceptanceRate => return None,
        }
    }
    fields.sort_unstable();
    fields.dedup();
    Some(fields)
}

/// The received days (China calendar, as [`facts::day_number`] counts them) whose cases can
/// change the answer to `query`, both ends included: the span its date filters leave, moved
/// back as far as 环比 and 同比 look for earlier buckets. A reader may skip rows received
/// outside it (a Parquet row group whose statistics say so) without changing the answer.
pub fn days_needed(query: &Query) -> (u16, u16) {
    let mut from = NaiveDate::MIN;
    let mut until = NaiveDate::MAX;
    for filter in &query.filters {
        if let Filter::Received { from: f, until: u } = filter {
            from = from.max(*f);
            until = until.min(*u);
        }
    }
    let day = |date: NaiveDate| {
        let n = (date - facts::epoch()).num_days();
        u16::try_from(n.clamp(0, i64::from(u16::MAX))).unwrap_or(u16::MAX)
    };
    let mut low = day(from);
    // `until` is the first day left out.
    let high = match until.pred_opt() {
        Some(last) if until != NaiveDate::MAX => day(last),
        _ => u16::MAX,
    };
    if query
        .measures
        .iter()
        .any(|m| matches!(m, Measure::PeriodOnPeriod | Measure::YearOnYear))
    {
        low = low.saturating_sub(crate::engine::CHANGE_LOOKBACK_DAYS);
    }
    (low, high)
}

/// Which rows of a file can change the answer to a query, judged from the codes of single
/// fields: the days of [`days_needed`] and the values the query's filters on one field let
/// through (kind, channel, primary type, sub-type, industry, stage, outcome, reason for
/// rejection, and NOT of each). A reader drops the other rows before building the index
/// ([`FactColumns::keep`]); the answer is the same, from fewer rows.
#[derive(Debug, Clone)]
pub struct RowTest {
    days: (u16, u16),
    /// A field and whether each code (as `u8`, as the index stores it) passes.
    fields: Vec<(CaseField, Box<[bool; 256]>)>,
}

impl RowTest {
    pub fn new(query: &Query) -> RowTest {
        RowTest {
            days: days_needed(query),
            fields: query
                .filters
                .iter()
                .filter_map(crate::engine::field_mask)
                .map(|(field, allowed)| {
                    let mut table = Box::new([false; 256]);
                    for (slot, ok) in table.iter_mut().zip(allowed) {
                        *slot = ok;
                    }
                    (field, table)
                })
                .collect(),
        }
    }

    /// The received days the query can need ([`days_needed`]).
    pub fn days(&self) -> (u16, u16) {
        self.days
    }

    /// Every row passes: nothing to test.
    pub fn keeps_all(&self) -> bool {
        self.days == (0, u16::MAX) && self.fields.is_empty()
    }
}

fn dimension_fields(dimension: Dimension) -> Option<Vec<CaseField>> {
    Some(match dimension {
        Dimension::Kind => vec![CaseField::Kind],
        Dimension::Channel => vec![CaseField::Channel],
        Dimension::Type => vec![CaseField::PrimaryType, CaseField::Types],
        Dimension::PrimaryType => vec![CaseField::PrimaryType],
        Dimension::SubType => vec![CaseField::SubType],
        Dimension::Industry => vec![CaseField::Industry],
        Dimension::Region(_) => vec![CaseField::Region],
        Dimension::Stage => vec![CaseField::Stage],
        Dimension::Outcome => vec![CaseField::Outcome],
        Dimension::Status => vec![CaseField::Stage, CaseField::AcceptedAt],
        Dimension::RejectionReason => vec![CaseField::RejectionReason],
        Dimension::RepeatSource => Vec::new(),
        Dimension::Time(_) => vec![CaseField::ReceivedAt],
        Dimension::Overdue => return None,
    })
}

fn filter_fields(filter: &Filter) -> Option<Vec<CaseField>> {
    Some(match filter {
        Filter::Kind(_) => vec![CaseField::Kind],
        Filter::Channel(_) => vec![CaseField::Channel],
        Filter::Type(_) => vec![CaseField::PrimaryType, CaseField::Types],
        Filter::PrimaryType(_) => vec![CaseField::PrimaryType],
        Filter::SubType(_) => vec![CaseField::SubType],
        Filter::Industry(_) => vec![CaseField::Industry],
        Filter::Region(_) => vec![CaseField::Region],
        Filter::Stage(_) => vec![CaseField::Stage],
        Filter::Outcome(_) => vec![CaseField::Outcome],
        Filter::Status(_) => vec![CaseField::Stage, CaseField::AcceptedAt],
        Filter::RejectionReason(_) => vec![CaseField::RejectionReason],
        Filter::RepeatSource(_) => Vec::new(),
        Filter::Received { .. } => vec![CaseField::ReceivedAt],
        Filter::Not(inner) => filter_fields(inner)?,
        Filter::Overdue(_) | Filter::AcceptedLate(_) | Filter::ConcludedLate(_) => return None,
    })
}

/// The codes of some fields for a run of rows (one Parquet row group, one stretch of a file),
/// as [`CaseField::code`] gives them.
#[derive(Debug, Clone, Default)]
pub struct FactColumns {
    columns: Vec<(CaseField, Vec<u16>)>,
}

impl FactColumns {
    /// Empty columns for `fields`.
    pub fn new(fields: &[CaseField]) -> FactColumns {
        FactColumns {
            columns: fields.iter().map(|f| (*f, Vec::new())).collect(),
        }
    }

    /// The codes of one field, to push a row's code onto (`None` if the field is not held).
    pub fn column_mut(&mut self, field: CaseField) -> Option<&mut Vec<u16>> {
        self.columns
            .iter_mut()
            .find(|(f, _)| *f == field)
            .map(|(_, codes)| codes)
    }

    /// Rows held: the length of the shortest column.
    pub fn rows(&self) -> usize {
        self.columns
            .iter()
            .map(|(_, codes)| codes.len())
            .min()
            .unwrap_or(0)
    }

    /// Keeps the rows `test` lets through, in order. Returns the received days of all the
    /// rows held before (lowest, highest), for [`Index::note_unread_days`], when rows were
    /// dropped; `None` when every row stays. Columns `test` needs but this part does not
    /// hold are not tested.
    pub fn keep(&mut self, test: &RowTest) -> Option<(u16, u16)> {
        if test.keeps_all() {
            return None;
        }
        let rows = self.rows();
        let mut keep = vec![true; rows];
        let day = self.column(CaseField::ReceivedAt);
        if let Some(day) = day {
            let (low, high) = test.days;
            for (k, d) in keep.iter_mut().zip(day) {
                *k &= low <= *d && *d <= high;
            }
        }
        for (field, allowed) in &test.fields {
            if let Some(codes) = self.column(*field) {
                for (k, c) in keep.iter_mut().zip(codes) {
                    *k &= allowed[usize::from(*c as u8)];
                }
            }
        }
        if keep.iter().all(|k| *k) {
            return None;
        }
        let span = day.and_then(|day| {
            let day = &day[..rows];
            Some((*day.iter().min()?, *day.iter().max()?))
        });
        // Each kept row moves down to the next free place; the write position moves on only
        // past a kept one (no branch a row).
        for (_, codes) in &mut self.columns {
            codes.truncate(rows);
            let mut to = 0;
            for from in 0..rows {
                codes[to] = codes[from];
                to += usize::from(keep[from]);
            }
            codes.truncate(to);
        }
        span
    }

    fn column(&self, field: CaseField) -> Option<&[u16]> {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, codes)| codes.as_slice())
    }
}

impl Index {
    /// An index of the rows of `parts`, in order, numbered from 1. Every part must hold the
    /// received time; facts of fields not held keep the value of a case without them (no
    /// sub-type, not accepted, …), which the queries the fields were chosen for do not read.
    /// Durations, deadlines, units and repeats are not read from files: they stay zero.
    pub fn from_columns(parts: &[FactColumns]) -> Index {
        let n: usize = parts.iter().map(FactColumns::rows).sum();
        let held = |field: CaseField| parts.iter().all(|p| p.column(field).is_some());
        // A column no field was read for is zeroed memory the scan never touches (the
        // allocator hands out fresh zero pages, so it costs neither time nor resident memory).
        let narrow = |field: CaseField| -> Vec<u8> {
            if !held(field) {
                return vec![0; n];
            }
            let mut out = Vec::with_capacity(n);
            for part in parts {
                let codes = part.column(field).unwrap_or_default();
                out.extend(codes[..part.rows()].iter().map(|c| *c as u8));
            }
            out
        };
        let wide = |field: CaseField| -> Vec<u16> {
            if !held(field) {
                return vec![0; n];
            }
            let mut out = Vec::with_capacity(n);
            for part in parts {
                let codes = part.column(field).unwrap_or_default();
                out.extend_from_slice(&codes[..part.rows()]);
            }
            out
        };
        let mut index = Index::new();
        index.kind = narrow(CaseField::Kind);
        index.channel = narrow(CaseField::Channel);
        index.primary_type = narrow(CaseField::PrimaryType);
        index.sub_type = narrow(CaseField::SubType);
        index.industry = narrow(CaseField::Industry);
        index.stage = narrow(CaseField::Stage);
        index.outcome = narrow(CaseField::Outcome);
        index.rejection = narrow(CaseField::RejectionReason);
        index.region = wide(CaseField::Region);
        index.day = wide(CaseField::ReceivedAt);
        // A case carries its primary type and every type of its list.
        index.types = if held(CaseField::PrimaryType) || held(CaseField::Types) {
            let mut types = wide(CaseField::Types);
            if held(CaseField::PrimaryType) {
                for (bits, primary) in types.iter_mut().zip(&index.primary_type) {
                    *bits |= 1 << primary;
                }
            }
            types
        } else {
            vec![0; n]
        };
        index.flags = vec![0; n];
        if held(CaseField::AcceptedAt) {
            let accepted = wide(CaseField::AcceptedAt);
            for (flags, accepted) in index.flags.iter_mut().zip(accepted) {
                if accepted != 0 {
                    *flags |= ACCEPTED;
                }
            }
        }
        if held(CaseField::Stage) {
            let rejected = dict::stage_index(Stage::Rejected);
            for (flags, stage) in index.flags.iter_mut().zip(&index.stage) {
                if *stage == rejected {
                    *flags |= REJECTED;
                }
            }
        }
        index.ids = (1..=n as i64).collect();
        index.set_sorted_len(n);
        index.due_day = vec![0; n];
        index.acceptance_secs = vec![0; n];
        index.handling_secs = vec![0; n];
        index.unit = vec![0; n];
        index.repeat_of = vec![0; n];
        for block in index.day.chunks(BLOCK_ROWS) {
            let low = block.iter().copied().min().unwrap_or(0);
            let high = block.iter().copied().max().unwrap_or(0);
            index.blocks.push((low, high));
            index.day_span = Some(match index.day_span {
                Some((l, h)) => (l.min(low), h.max(high)),
                None => (low, high),
            });
        }
        index
    }

    /// Notes that the file holds rows received from `low` to `high` (day numbers) that the
    /// index does not: row groups not read because [`days_needed`] says the question cannot
    /// need them, or rows [`FactColumns::keep`] dropped. The span of days the answer's time
    /// buckets are laid over stays the one the whole file gives.
    pub fn note_unread_days(&mut self, low: u16, high: u16) {
        let (low, high) = (low.min(high), low.max(high));
        self.day_span = Some(match self.day_span {
            Some((l, h)) => (l.min(low), h.max(high)),
            None => (low, high),
        });
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeZone};

    use super::*;

    #[test]
    fn a_day_from_milliseconds_is_the_china_calendar_day() {
        let mut millis: i64 = 1_600_000_000_000;
        for step in [1, 999, 3_600_000 - 1, 57_600_000, 86_399_999, 7_777_777_777] {
            for _ in 0..50 {
                millis += step;
                let at = DateTime::from_timestamp_millis(millis).expect("a time");
                assert_eq!(
                    CaseField::ReceivedAt.day_code_of_millis(millis),
                    CaseField::ReceivedAt.time_code(Some(at)),
                    "{at}"
                );
            }
        }
        // 16:00 UTC is midnight in China: the next day starts there.
        let before = Utc
            .with_ymd_and_hms(2025, 3, 1, 15, 59, 59)
            .single()
            .expect("a time");
        let after = Utc
            .with_ymd_and_hms(2025, 3, 1, 16, 0, 0)
            .single()
            .expect("a time");
        let day = |at: DateTime<Utc>| {
            CaseField::ReceivedAt
                .day_code_of_millis(at.timestamp_millis())
                .expect("a day")
        };
        assert_eq!(day(after), day(before) + 1);
        assert!(
            CaseField::ReceivedAt
                .day_code_of_millis(-28_800_001)
                .is_err_and(|e| e.field == "received_at")
        );
    }

    #[test]
    fn a_value_is_checked_as_the_import_checks_it() {
        assert_eq!(CaseField::SubType.code(Some("  ")), Ok(0));
        assert!(CaseField::Kind.code(None).is_err());
        assert!(CaseField::Region.code(Some("000000")).is_err());
        assert!(CaseField::Region.code(Some("449999")).is_err());
        assert_eq!(
            CaseField::Region.code(Some(" 440305 ")),
            CaseField::Region.code(Some("440305000000"))
        );
        let noise = CaseField::PrimaryType.code(Some("noise")).expect("a type");
        let air = CaseField::PrimaryType.code(Some("air")).expect("a type");
        assert_eq!(
            CaseField::Types.code(Some("noise; air;")),
            Ok(1 << noise | 1 << air)
        );
        assert_eq!(
            CaseField::Types
                .code(Some("noise;smell"))
                .map_err(|e| e.field),
            Err("types")
        );
        assert_eq!(CaseField::AcceptedAt.code(Some("2025-03-01 08:00")), Ok(1));
        assert!(CaseField::AcceptedAt.code(Some("soon")).is_err());
    }
}
