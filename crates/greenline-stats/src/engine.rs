//! Answering a [`Query`]: one pass over the rows, the group key packed into an integer, dense
//! arrays when the key space is small, the rows split among threads.
//!
//! The scan reads each column in a tight loop over a run of rows and packs the key with the
//! time dimension most significant: rows arrive in time order, so a run touches the few
//! thousand cells of one month even when the grouping has millions (city × type × channel ×
//! month). Plain counts in a dense array are read back, by each thread, as `result key << 32 |
//! count` for the cells it touched, the result key following the scan like an odometer; the
//! threads' cells are put in result order by a radix sort and added up. Counting under the
//! result's own key order instead scattered the increments over the whole array, and sorting
//! and dividing keys apart afterwards cost more than the scan (measured on 10 million
//! simulated cases; `bench/stats_vs_duckdb.sh`). No pre-aggregated rollup is kept: every
//! answer is a scan of the current rows, so an upsert is visible to the next query.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use chrono::NaiveDate;
use greenline_domain::RegionLevel;
use greenline_domain::deadline::local_date;

use crate::StatsError;
use crate::dict::{self, REGIONS};
use crate::facts::{
    self, ACCEPTED, ACCEPTED_ON_TIME, CONCLUDED, NO_DURATION, ON_TIME, REJECTED, REPEAT_SOURCE,
};
use crate::index::{BLOCK_ROWS, Index};
use crate::model::{AcceptanceStatus, Dimension, Filter, KeyValue, Measure, Query, TimeBucket};

/// Dense group arrays are used up to this many cells (counts) …
const DENSE_COUNT_CELLS: u64 = 1 << 23;
/// … or this many (full accumulators).
const DENSE_ACC_CELLS: u64 = 1 << 17;
/// Fewer rows than this are scanned on one thread: a few milliseconds of work, which on a busy
/// machine a second thread would more often wait for than shorten (one month's rows, about
/// 60,000 at national scale, span two blocks).
const PARALLEL_ROWS: usize = 1 << 19;

/// A column as the scan reads it: a raw value that indexes a lookup table.
#[derive(Debug, Clone, Copy)]
enum Col<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
    /// Received day minus the index's first day.
    Day(&'a [u16], u16),
    /// 1 if overdue on the given day number.
    Overdue(&'a [u16], u16),
}

impl Col<'_> {
    #[inline(always)]
    fn get(self, row: usize) -> usize {
        match self {
            Col::U8(c) => usize::from(c[row]),
            Col::U16(c) => usize::from(c[row]),
            Col::Day(c, base) => usize::from(c[row] - base),
            Col::Overdue(c, today) => {
                let due = c[row];
                usize::from(due != 0 && today >= due)
            }
        }
    }
}

impl Col<'_> {
    /// `keys[i] += table[value of row start + i] * stride` for a run of rows: one match per
    /// run rather than per row, so the loop inside is plain and tight.
    #[inline(always)]
    fn add_keys(self, start: usize, table: &[u32], stride: u64, keys: &mut [u64]) {
        let end = start + keys.len();
        match self {
            Col::U8(c) => {
                for (key, v) in keys.iter_mut().zip(&c[start..end]) {
                    *key += u64::from(table[usize::from(*v)]) * stride;
                }
            }
            Col::U16(c) => {
                for (key, v) in keys.iter_mut().zip(&c[start..end]) {
                    *key += u64::from(table[usize::from(*v)]) * stride;
                }
            }
            Col::Day(c, base) => {
                for (key, v) in keys.iter_mut().zip(&c[start..end]) {
                    *key += u64::from(table[usize::from(*v - base)]) * stride;
                }
            }
            Col::Overdue(..) => {
                for (i, key) in keys.iter_mut().enumerate() {
                    *key += u64::from(table[self.get(start + i)]) * stride;
                }
            }
        }
    }

    /// `keep[i] &= allowed[value of row start + i]` for a run of rows.
    #[inline(always)]
    fn filter(self, start: usize, allowed: &[bool], keep: &mut [bool]) {
        let end = start + keep.len();
        match self {
            Col::U8(c) => {
                for (k, v) in keep.iter_mut().zip(&c[start..end]) {
                    *k &= allowed[usize::from(*v)];
                }
            }
            Col::U16(c) => {
                for (k, v) in keep.iter_mut().zip(&c[start..end]) {
                    *k &= allowed[usize::from(*v)];
                }
            }
            _ => {
                for (i, k) in keep.iter_mut().enumerate() {
                    *k &= allowed[self.get(start + i)];
                }
            }
        }
    }
}

/// Rows worked on together: each column is read in a tight loop over this many rows.
const RUN_ROWS: usize = 2_048;

/// How far before the date filter's start 环比 and 同比 read, in days: enough for the bucket
/// before the first and the same bucket a year earlier, at any time grain.
pub(crate) const CHANGE_LOOKBACK_DAYS: u16 = 800;

#[derive(Debug)]
struct Mask<'a> {
    col: Col<'a>,
    allowed: Vec<bool>,
}

/// One grouping dimension, planned.
#[derive(Debug)]
struct DimPlan<'a> {
    dimension: Dimension,
    col: Col<'a>,
    /// Raw value → component (for `Type`: type bit → component).
    table: Vec<u32>,
    card: u32,
    /// The component's weight in the packed key of the result (first dimension most
    /// significant, so keys sort as rows should).
    stride: u64,
    /// The component's weight in the packed key the scan counts under: time dimensions first.
    /// Rows arrive in time order, so the cells a run of rows touches lie close together.
    scan_stride: u64,
    labels: Cow<'static, [KeyValue]>,
    /// For time dimensions: the bucket and the ordinal of component 0.
    time: Option<(TimeBucket, i64)>,
}

#[derive(Debug)]
struct Plan<'a> {
    index: &'a Index,
    masks: Vec<Mask<'a>>,
    /// Cases must carry one of these types (0: no type filter).
    types_any: u16,
    /// Inclusive range of received days; `None` when no case can pass.
    days: Option<(u16, u16)>,
    dims: Vec<DimPlan<'a>>,
    /// The position of the multi-label `Type` dimension, if grouped by it.
    type_dim: Option<usize>,
    cells: u64,
}

/// Sums for one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Acc {
    pub count: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub acceptance_secs: u64,
    pub concluded: u64,
    pub handling_secs: u64,
    pub on_time: u64,
    pub accepted_on_time: u64,
    pub repeats: u64,
}

impl Acc {
    #[inline(always)]
    fn add(&mut self, index: &Index, row: usize) {
        let flags = index.flags[row];
        self.count += 1;
        if flags & REPEAT_SOURCE != 0 {
            self.repeats += 1;
        }
        if flags & ACCEPTED != 0 {
            self.accepted += 1;
            if flags & ACCEPTED_ON_TIME != 0 {
                self.accepted_on_time += 1;
            }
            let secs = index.acceptance_secs[row];
            if secs != NO_DURATION {
                self.acceptance_secs += u64::from(secs);
            }
        }
        if flags & REJECTED != 0 {
            self.rejected += 1;
        }
        if flags & CONCLUDED != 0 {
            self.concluded += 1;
            self.handling_secs += u64::from(index.handling_secs[row]);
            if flags & ON_TIME != 0 {
                self.on_time += 1;
            }
        }
    }

    fn merge(&mut self, other: &Acc) {
        self.count += other.count;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.acceptance_secs += other.acceptance_secs;
        self.concluded += other.concluded;
        self.handling_secs += other.handling_secs;
        self.on_time += other.on_time;
        self.accepted_on_time += other.accepted_on_time;
        self.repeats += other.repeats;
    }
}

/// What the scan must gather besides counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Needs {
    sums: bool,
    durations: bool,
}

/// Durations of one group, for percentiles, and its cases' sources, for distinct sources.
#[derive(Debug, Default)]
struct Durations {
    acceptance: Vec<u32>,
    handling: Vec<u32>,
    sources: Vec<i64>,
}

/// Dense count arrays up to this many cells keep [`LANES`] counters a cell, so that runs of
/// rows falling into the same cell (one month after another) do not wait on each other's
/// increments.
const LANE_CELLS: u64 = 1 << 16;
const LANES: usize = 4;

/// Where one thread puts what it finds, besides plain counts in a dense array (those become
/// [`Part::Packed`] at once).
#[derive(Debug)]
enum Sink {
    SparseCount(HashMap<u64, u64>),
    DenseAcc(Vec<Acc>),
    SparseAcc(HashMap<u64, Acc>),
}

/// Groups found, sorted by packed key; `accs` is empty when only counts were gathered.
#[derive(Debug, Default)]
struct Groups {
    keys: Vec<u64>,
    counts: Vec<u64>,
    accs: Vec<Acc>,
    durations: HashMap<u64, Durations>,
    /// Distinct rows selected.
    selected: u64,
}

impl Groups {
    fn count_of(&self, key: u64) -> Option<u64> {
        self.keys.binary_search(&key).ok().map(|i| self.counts[i])
    }
}

fn labels<T: Copy>(
    values: &[T],
    none: Option<&str>,
    code: impl Fn(T) -> String,
    label: impl Fn(T) -> String,
) -> Vec<KeyValue> {
    none.map(|n| KeyValue {
        code: String::new(),
        label: n.to_owned(),
    })
    .into_iter()
    .chain(values.iter().map(|v| KeyValue {
        code: code(*v),
        label: label(*v),
    }))
    .collect()
}

/// Per level (province, city, county): region index → component, and the components' labels.
struct LevelDict {
    table: Vec<u32>,
    labels: Vec<KeyValue>,
}

static LEVELS: LazyLock<[LevelDict; 3]> = LazyLock::new(|| {
    let build = |level: usize| {
        let reps = &REGIONS.at_level[level];
        let mut members: Vec<u16> = reps.clone();
        members.sort_unstable();
        members.dedup();
        let mut compact = vec![0u32; REGIONS.codes.len()];
        for (c, m) in members.iter().enumerate() {
            compact[usize::from(*m)] = c as u32;
        }
        let want = [
            RegionLevel::Province,
            RegionLevel::Prefecture,
            RegionLevel::County,
        ][level];
        let labels = members
            .iter()
            .map(|m| {
                let code = REGIONS.codes[usize::from(*m)];
                let name = if code.level() == RegionLevel::Province {
                    code.name().to_owned()
                } else {
                    code.full_name()
                };
                let label = if code.level() < want {
                    match want {
                        RegionLevel::County => format!("{name}（未细分到区县）"),
                        _ => format!("{name}（未细分到地市）"),
                    }
                } else {
                    name
                };
                KeyValue {
                    code: code.to_string(),
                    label,
                }
            })
            .collect();
        LevelDict {
            table: reps.iter().map(|r| compact[usize::from(*r)]).collect(),
            labels,
        }
    };
    [build(0), build(1), build(2)]
});

fn level_slot(level: RegionLevel) -> Result<usize, StatsError> {
    match level {
        RegionLevel::Province => Ok(0),
        RegionLevel::Prefecture => Ok(1),
        RegionLevel::County => Ok(2),
        RegionLevel::National => Err(StatsError::InvalidQuery(
            "the national level is not a grouping: leave the region out".to_owned(),
        )),
    }
}

/// A table over all 256 values of a `u8` column.
fn u8_table(f: impl Fn(u8) -> u32) -> Vec<u32> {
    (0..=255u8).map(f).collect()
}

fn yes_no() -> Vec<KeyValue> {
    vec![
        KeyValue {
            code: "false".to_owned(),
            label: "否".to_owned(),
        },
        KeyValue {
            code: "true".to_owned(),
            label: "是".to_owned(),
        },
    ]
}

fn status_of(flags: u8) -> AcceptanceStatus {
    if flags & ACCEPTED != 0 {
        AcceptanceStatus::Accepted
    } else if flags & REJECTED != 0 {
        AcceptanceStatus::Rejected
    } else {
        AcceptanceStatus::Pending
    }
}

fn mask_u8(allowed: impl Fn(u8) -> bool) -> Vec<bool> {
    (0..=255u8).map(allowed).collect()
}

/// The regions inside any of `areas`, as a mask over region indices.
fn region_set(areas: &[greenline_domain::RegionCode]) -> Vec<bool> {
    let mut inside = vec![false; REGIONS.codes.len()];
    for area in areas {
        let (low, high) = REGIONS.subtree(*area);
        inside[low..high].fill(true);
    }
    inside
}

/// The mask of a filter that tests one column's value (every filter but type, region, dates
/// and NOT, which the plan handles itself); `None` for those.
fn simple_mask<'a>(index: &'a Index, filter: &Filter, today: u16) -> Option<Mask<'a>> {
    let u8_mask = |col: &'a [u8], allowed: Vec<bool>| Mask {
        col: Col::U8(col),
        allowed,
    };
    Some(match filter {
        Filter::Kind(values) => u8_mask(
            &index.kind,
            mask_u8(|v| values.iter().any(|k| dict::kind_slot(*k) == Some(v))),
        ),
        Filter::Channel(values) => u8_mask(
            &index.channel,
            mask_u8(|v| values.iter().any(|c| dict::channel_index(*c) == v)),
        ),
        Filter::PrimaryType(values) => u8_mask(
            &index.primary_type,
            mask_u8(|v| values.iter().any(|t| dict::type_index(*t) == Some(v))),
        ),
        Filter::SubType(values) => u8_mask(
            &index.sub_type,
            mask_u8(|v| v != 0 && values.iter().any(|t| dict::sub_type_index(Some(*t)) == v)),
        ),
        Filter::Industry(values) => u8_mask(
            &index.industry,
            mask_u8(|v| v != 0 && values.iter().any(|t| dict::industry_index(Some(*t)) == v)),
        ),
        Filter::Stage(values) => u8_mask(
            &index.stage,
            mask_u8(|v| values.iter().any(|s| dict::stage_index(*s) == v)),
        ),
        Filter::Outcome(values) => u8_mask(
            &index.outcome,
            mask_u8(|v| v != 0 && values.iter().any(|o| dict::outcome_index(Some(*o)) == v)),
        ),
        Filter::Status(values) => {
            u8_mask(&index.flags, mask_u8(|f| values.contains(&status_of(f))))
        }
        Filter::RejectionReason(values) => u8_mask(
            &index.rejection,
            mask_u8(|v| v != 0 && values.iter().any(|r| dict::rejection_index(Some(*r)) == v)),
        ),
        Filter::Overdue(wanted) => Mask {
            col: Col::Overdue(&index.due_day, today),
            allowed: vec![!wanted, *wanted],
        },
        Filter::RepeatSource(wanted) => u8_mask(
            &index.flags,
            mask_u8(|f| (f & REPEAT_SOURCE != 0) == *wanted),
        ),
        Filter::AcceptedLate(late) => u8_mask(
            &index.flags,
            mask_u8(|f| f & ACCEPTED != 0 && (f & ACCEPTED_ON_TIME == 0) == *late),
        ),
        Filter::ConcludedLate(late) => u8_mask(
            &index.flags,
            mask_u8(|f| f & CONCLUDED != 0 && (f & ON_TIME == 0) == *late),
        ),
        Filter::Type(_) | Filter::Region(_) | Filter::Received { .. } | Filter::Not(_) => {
            return None;
        }
    })
}

/// The values of its column a filter on one field of the record lets through, indexed by the
/// field's code as the index stores it (`u8`), when the filter reads that field alone; `None`
/// for filters on types, regions, dates, status and what only whole cases give. The very masks
/// the plan uses, so a reader that drops rows by them drops only rows the plan would skip.
pub(crate) fn field_mask(filter: &Filter) -> Option<(crate::columns::CaseField, Vec<bool>)> {
    use crate::columns::CaseField;
    let field = match filter {
        Filter::Kind(_) => CaseField::Kind,
        Filter::Channel(_) => CaseField::Channel,
        Filter::PrimaryType(_) => CaseField::PrimaryType,
        Filter::SubType(_) => CaseField::SubType,
        Filter::Industry(_) => CaseField::Industry,
        Filter::Stage(_) => CaseField::Stage,
        Filter::Outcome(_) => CaseField::Outcome,
        Filter::RejectionReason(_) => CaseField::RejectionReason,
        Filter::Not(inner) if !matches!(inner.as_ref(), Filter::Not(_)) => {
            let (field, mut allowed) = field_mask(inner)?;
            allowed.iter_mut().for_each(|a| *a = !*a);
            return Some((field, allowed));
        }
        _ => return None,
    };
    let index = Index::new();
    let allowed = simple_mask(&index, filter, 0)?.allowed;
    Some((field, allowed))
}

impl<'a> Plan<'a> {
    fn new(
        index: &'a Index,
        query: &Query,
        group_by: &[Dimension],
        day_floor: Option<u16>,
    ) -> Result<Plan<'a>, StatsError> {
        let (span_low, span_high) = index.day_span.unwrap_or((0, 0));
        let today = facts::day_number(local_date(query.as_of)).unwrap_or(u16::MAX);
        let day_col = Col::Day(&index.day, span_low);

        // Filters. The scope and every region filter make one mask over region indices.
        let mut region_ok = vec![false; REGIONS.codes.len()];
        let (low, high) = REGIONS.subtree(query.scope);
        region_ok[low..high].fill(true);
        let mut masks = Vec::new();
        let mut types_any = 0u16;
        let mut day_low = NaiveDate::MIN;
        let mut day_high = NaiveDate::MAX;
        for filter in &query.filters {
            if let Some(mask) = simple_mask(index, filter, today) {
                masks.push(mask);
                continue;
            }
            match filter {
                Filter::Type(values) => {
                    let mut bits = 0u16;
                    for t in values {
                        if let Some(i) = dict::type_index(*t) {
                            bits |= 1 << i;
                        }
                    }
                    // An empty list selects nothing; keep a mask that says so.
                    if bits == 0 {
                        masks.push(Mask {
                            col: Col::U8(&index.kind),
                            allowed: vec![false; 256],
                        });
                    } else if types_any == 0 {
                        types_any = bits;
                    } else {
                        // Two type filters: a case must meet both; fall back to a row mask.
                        let first = types_any;
                        masks.push(Mask {
                            col: Col::U16(&index.types),
                            allowed: (0..=u16::MAX)
                                .map(|t| t & first != 0 && t & bits != 0)
                                .collect(),
                        });
                        types_any = 0;
                    }
                }
                Filter::Region(areas) => {
                    let inside = region_set(areas);
                    for (ok, inside) in region_ok.iter_mut().zip(inside) {
                        *ok &= inside;
                    }
                }
                Filter::Received { from, until } => {
                    day_low = day_low.max(*from);
                    day_high = day_high.min(until.pred_opt().unwrap_or(NaiveDate::MIN));
                }
                Filter::Not(inner) => match inner.as_ref() {
                    Filter::Type(values) => {
                        let mut bits = 0u16;
                        for t in values {
                            if let Some(i) = dict::type_index(*t) {
                                bits |= 1 << i;
                            }
                        }
                        masks.push(Mask {
                            col: Col::U16(&index.types),
                            allowed: (0..=u16::MAX).map(|t| t & bits == 0).collect(),
                        });
                    }
                    Filter::Region(areas) => {
                        let inside = region_set(areas);
                        for (ok, inside) in region_ok.iter_mut().zip(inside) {
                            *ok &= !inside;
                        }
                    }
                    other => {
                        let mut mask = simple_mask(index, other, today).ok_or_else(|| {
                            StatsError::InvalidQuery(
                                "NOT applies to a list or yes/no filter, not to dates or to \
                                 another NOT"
                                    .to_owned(),
                            )
                        })?;
                        mask.allowed.iter_mut().for_each(|a| *a = !*a);
                        masks.push(mask);
                    }
                },
                // Every other filter is a simple mask.
                _ => {}
            }
        }
        masks.push(Mask {
            col: Col::U16(&index.region),
            allowed: region_ok,
        });
        let clamp = |d: NaiveDate| {
            let n = (d - facts::epoch()).num_days();
            n.clamp(-1, i64::from(u16::MAX) + 1)
        };
        let mut low = clamp(day_low).max(i64::from(span_low));
        if let Some(floor) = day_floor {
            low = low.min(i64::from(floor)).max(i64::from(span_low));
        }
        let high = clamp(day_high).min(i64::from(span_high));
        let days = (index.day_span.is_some() && low <= high).then_some((low as u16, high as u16));

        // Groupings.
        let mut dims = Vec::with_capacity(group_by.len());
        let mut type_dim = None;
        for (position, dimension) in group_by.iter().enumerate() {
            let (col, table, labels, time): (Col<'a>, Vec<u32>, Cow<'static, [KeyValue]>, _) =
                match dimension {
                    Dimension::Kind => (
                        Col::U8(&index.kind),
                        u8_table(u32::from),
                        labels(&dict::KINDS, None, |k| k.code().into(), |k| k.zh().into()).into(),
                        None,
                    ),
                    Dimension::Channel => (
                        Col::U8(&index.channel),
                        u8_table(u32::from),
                        labels(
                            &dict::CHANNELS,
                            None,
                            |c| c.code().into(),
                            |c| c.zh().into(),
                        )
                        .into(),
                        None,
                    ),
                    Dimension::Type | Dimension::PrimaryType => {
                        if *dimension == Dimension::Type {
                            if type_dim.is_some() {
                                return Err(StatsError::InvalidQuery(
                                    "group by type only once".to_owned(),
                                ));
                            }
                            type_dim = Some(position);
                        }
                        (
                            Col::U8(&index.primary_type),
                            u8_table(u32::from),
                            labels(&dict::TYPES, None, |t| t.code().into(), |t| t.zh().into())
                                .into(),
                            None,
                        )
                    }
                    Dimension::SubType => (
                        Col::U8(&index.sub_type),
                        u8_table(u32::from),
                        labels(
                            &dict::SUB_TYPES,
                            Some("（未细分）"),
                            |t| t.code().into(),
                            |t| t.zh().into(),
                        )
                        .into(),
                        None,
                    ),
                    Dimension::Industry => (
                        Col::U8(&index.industry),
                        u8_table(u32::from),
                        labels(
                            &dict::INDUSTRIES,
                            Some("（未注明）"),
                            |t| t.code().into(),
                            |t| t.zh().into(),
                        )
                        .into(),
                        None,
                    ),
                    Dimension::Region(level) => {
                        let level = &LEVELS[level_slot(*level)?];
                        (
                            Col::U16(&index.region),
                            level.table.clone(),
                            Cow::Borrowed(level.labels.as_slice()),
                            None,
                        )
                    }
                    Dimension::Stage => (
                        Col::U8(&index.stage),
                        u8_table(u32::from),
                        labels(&dict::STAGES, None, |s| s.code().into(), |s| s.zh().into()).into(),
                        None,
                    ),
                    Dimension::Outcome => (
                        Col::U8(&index.outcome),
                        u8_table(u32::from),
                        labels(
                            &dict::OUTCOMES,
                            Some("（无）"),
                            |o| o.code().into(),
                            |o| o.zh().into(),
                        )
                        .into(),
                        None,
                    ),
                    Dimension::Status => (
                        Col::U8(&index.flags),
                        u8_table(|f| {
                            AcceptanceStatus::ALL
                                .iter()
                                .position(|s| *s == status_of(f))
                                .unwrap_or(0) as u32
                        }),
                        labels(
                            &AcceptanceStatus::ALL,
                            None,
                            |s| s.code().into(),
                            |s| s.zh().into(),
                        )
                        .into(),
                        None,
                    ),
                    Dimension::RejectionReason => (
                        Col::U8(&index.rejection),
                        u8_table(u32::from),
                        labels(
                            &dict::REJECTION_REASONS,
                            Some("（无）"),
                            |r| r.code().into(),
                            |r| r.zh_short().into(),
                        )
                        .into(),
                        None,
                    ),
                    Dimension::Overdue => (
                        Col::Overdue(&index.due_day, today),
                        vec![0, 1],
                        yes_no().into(),
                        None,
                    ),
                    Dimension::RepeatSource => (
                        Col::U8(&index.flags),
                        u8_table(|f| u32::from(f & REPEAT_SOURCE != 0)),
                        yes_no().into(),
                        None,
                    ),
                    Dimension::Time(bucket) => {
                        let first = bucket.ordinal(facts::day_date(span_low));
                        let last = bucket.ordinal(facts::day_date(span_high));
                        let table = (span_low..=span_high)
                            .map(|d| (bucket.ordinal(facts::day_date(d)) - first) as u32)
                            .collect();
                        let labels = (first..=last)
                            .map(|o| {
                                let (code, label) = bucket.key(o);
                                KeyValue { code, label }
                            })
                            .collect::<Vec<_>>();
                        (day_col, table, labels.into(), Some((*bucket, first)))
                    }
                };
            let card = labels.len() as u32;
            dims.push(DimPlan {
                dimension: *dimension,
                col,
                table,
                card,
                stride: 0,
                scan_stride: 0,
                labels,
                time,
            });
        }
        // Mixed radix with the first dimension most significant, so packed keys sort as the
        // rows should.
        let mut cells: u64 = 1;
        for dim in dims.iter_mut().rev() {
            dim.stride = cells;
            cells = cells
                .checked_mul(u64::from(dim.card.max(1)))
                .ok_or_else(|| StatsError::InvalidQuery("too many groupings at once".to_owned()))?;
        }
        // The scan's order: time dimensions first, the others as asked.
        let mut scan_cells: u64 = 1;
        for time_first in [false, true] {
            for dim in dims.iter_mut().rev() {
                if dim.time.is_some() == time_first {
                    dim.scan_stride = scan_cells;
                    scan_cells *= u64::from(dim.card.max(1));
                }
            }
        }
        // A mask that lets every value through (the national scope) costs a pass for nothing.
        masks.retain(|m| !m.allowed.iter().all(|a| *a));
        Ok(Plan {
            index,
            masks,
            types_any,
            days,
            dims,
            type_dim,
            cells,
        })
    }

    /// Hands the selected rows of `blocks` to `visit` a run at a time, with their packed scan
    /// keys (one key per type carried, when grouping by type); returns the number of rows
    /// selected. In a run, the dimensions add their parts of the key and the filters mark which
    /// rows stay, each column in a loop of its own. `visit(start, keys, rows)` gets the keys
    /// and, unless the run is whole (`None`: key `i` belongs to row `start + i`), the offset of
    /// each key's row from `start`.
    /// Without `ROWS`, the offsets are not written and `visit` gets none.
    #[inline(always)]
    fn scan<const ROWS: bool>(
        &self,
        blocks: Range<usize>,
        mut visit: impl FnMut(usize, &[u64], Option<&[u16]>),
    ) -> u64 {
        let Some((low, high)) = self.days else {
            return 0;
        };
        let mut selected = 0u64;
        let index = self.index;
        let len = index.len();
        let type_dim = self.type_dim.map(|p| &self.dims[p]);
        let filtered = !self.masks.is_empty() || self.types_any != 0;
        let mut keys = vec![0u64; RUN_ROWS];
        let mut keep = vec![true; RUN_ROWS];
        // A case carries at most one type per bit of its type set.
        let most = if type_dim.is_some() { 16 } else { 1 };
        let mut out_keys = vec![0u64; RUN_ROWS * most];
        let mut out_rows = vec![0u16; if ROWS { RUN_ROWS * most } else { 0 }];
        // What each type adds to the key, by type bit.
        let mut type_add = [0u64; 16];
        if let Some(dim) = type_dim {
            for (bit, add) in type_add.iter_mut().enumerate() {
                *add = dim
                    .table
                    .get(bit)
                    .map_or(0, |c| u64::from(*c) * dim.scan_stride);
            }
        }
        for block in blocks {
            let (block_low, block_high) = index.blocks[block];
            if block_high < low || block_low > high {
                continue;
            }
            let whole = block_low >= low && block_high <= high;
            let block_end = ((block + 1) * BLOCK_ROWS).min(len);
            let mut start = block * BLOCK_ROWS;
            while start < block_end {
                let n = RUN_ROWS.min(block_end - start);
                let keys = &mut keys[..n];
                keys.fill(0);
                for (d, dim) in self.dims.iter().enumerate() {
                    if self.type_dim != Some(d) {
                        dim.col.add_keys(start, &dim.table, dim.scan_stride, keys);
                    }
                }
                if whole && !filtered && type_dim.is_none() {
                    selected += n as u64;
                    visit(start, keys, None);
                    start += n;
                    continue;
                }
                if whole && !filtered && !ROWS {
                    // Every row taken, each once per type it carries.
                    let mut m = 0;
                    for (key, bits) in keys.iter().zip(&index.types[start..start + n]) {
                        let mut bits = *bits;
                        while bits != 0 {
                            out_keys[m] = key + type_add[bits.trailing_zeros() as usize & 15];
                            m += 1;
                            bits &= bits - 1;
                        }
                    }
                    selected += n as u64;
                    visit(start, &out_keys[..m], None);
                    start += n;
                    continue;
                }
                let keep = &mut keep[..n];
                if whole {
                    keep.fill(true);
                } else {
                    for (k, day) in keep.iter_mut().zip(&index.day[start..start + n]) {
                        *k = *day >= low && *day <= high;
                    }
                }
                for mask in &self.masks {
                    mask.col.filter(start, &mask.allowed, keep);
                }
                if self.types_any != 0 {
                    for (k, types) in keep.iter_mut().zip(&index.types[start..start + n]) {
                        *k &= *types & self.types_any != 0;
                    }
                }
                let mut m = 0;
                match type_dim {
                    None => {
                        // Branch-free: every row is written, only kept rows advance.
                        for (i, (key, k)) in keys.iter().zip(keep.iter()).enumerate() {
                            out_keys[m] = *key;
                            if ROWS {
                                out_rows[m] = i as u16;
                            }
                            m += usize::from(*k);
                        }
                        selected += m as u64;
                    }
                    Some(_) => {
                        let types = &index.types[start..start + n];
                        let mut taken = 0u64;
                        for (i, ((key, k), bits)) in
                            keys.iter().zip(keep.iter()).zip(types).enumerate()
                        {
                            if !*k {
                                continue;
                            }
                            taken += 1;
                            let mut bits = *bits;
                            while bits != 0 {
                                let bit = bits.trailing_zeros() as usize;
                                out_keys[m] = key + type_add[bit & 15];
                                if ROWS {
                                    out_rows[m] = i as u16;
                                }
                                m += 1;
                                bits &= bits - 1;
                            }
                        }
                        selected += taken;
                    }
                }
                let rows = if ROWS { Some(&out_rows[..m]) } else { None };
                visit(start, &out_keys[..m], rows);
                start += n;
            }
        }
        selected
    }

    /// Counts under a single dimension read straight from a column, with no filter but the
    /// received days (the national monthly series): each row's cell is looked up and counted
    /// in one loop, with no key buffer between. `None` when the query is not of that shape.
    fn single_column_counts(&self, blocks: Range<usize>, needs: Needs) -> Option<Part> {
        let (low, high) = self.days?;
        let [dim] = self.dims.as_slice() else {
            return None;
        };
        if needs.sums
            || self.type_dim.is_some()
            || !self.masks.is_empty()
            || self.types_any != 0
            || self.cells > LANE_CELLS
            || matches!(dim.col, Col::Overdue(..))
        {
            return None;
        }
        let index = self.index;
        let table = dim.table.as_slice();
        let mut counts = vec![0u32; self.cells as usize * LANES];
        let mut selected = 0u64;
        for block in blocks {
            let (block_low, block_high) = index.blocks[block];
            if block_high < low || block_low > high {
                continue;
            }
            let whole = block_low >= low && block_high <= high;
            let rows = block * BLOCK_ROWS..((block + 1) * BLOCK_ROWS).min(index.len());
            let days = &index.day[rows.clone()];
            let range = (low, high);
            selected += match dim.col {
                Col::U8(c) => count_cells(&c[rows], days, whole, range, &mut counts, |v| {
                    table[usize::from(v)] as usize
                }),
                Col::U16(c) => count_cells(&c[rows], days, whole, range, &mut counts, |v| {
                    table[usize::from(v)] as usize
                }),
                Col::Day(c, base) => count_cells(&c[rows], days, whole, range, &mut counts, |v| {
                    table[usize::from(v - base)] as usize
                }),
                Col::Overdue(..) => 0,
            };
        }
        Some(Part::Packed {
            cells: self.packed_cells(&counts, LANES, 0, self.cells - 1),
            selected,
        })
    }

    fn run_part(&self, blocks: Range<usize>, needs: Needs) -> Part {
        if let Some(part) = self.single_column_counts(blocks.clone(), needs) {
            return part;
        }
        let index = self.index;
        let mut durations: HashMap<u64, Durations> = HashMap::new();
        let mut collect = |key: u64, row: usize| {
            let d = durations.entry(key).or_default();
            let a = index.acceptance_secs[row];
            if a != NO_DURATION {
                d.acceptance.push(a);
            }
            let h = index.handling_secs[row];
            if h != NO_DURATION {
                d.handling.push(h);
            }
            let source = index.repeat_of[row];
            d.sources
                .push(if source == 0 { index.ids[row] } else { source });
        };
        let row_of = |start: usize, rows: Option<&[u16]>, i: usize| {
            start + rows.map_or(i, |r| usize::from(r[i]))
        };
        let selected;
        let sink = match (needs.sums, self.cells) {
            (false, cells) if cells <= DENSE_COUNT_CELLS => {
                let lanes = if cells <= LANE_CELLS { LANES } else { 1 };
                let mut counts = vec![0u32; cells as usize * lanes];
                // The lowest and highest cell touched: a thread's rows span a few months, so
                // only that stretch of a large array needs reading back.
                let (mut low, mut high) = (u64::MAX, 0u64);
                selected = if lanes == 1 {
                    self.scan::<false>(blocks, |_, keys, _| {
                        let (l, h) = keys
                            .iter()
                            .fold((low, high), |(l, h), k| (l.min(*k), h.max(*k)));
                        (low, high) = (l, h);
                        for key in keys {
                            counts[*key as usize] += 1;
                        }
                    })
                } else {
                    self.scan::<false>(blocks, |_, keys, _| {
                        let mut quads = keys.chunks_exact(LANES);
                        for quad in &mut quads {
                            for (lane, key) in quad.iter().enumerate() {
                                counts[*key as usize * LANES + lane] += 1;
                            }
                        }
                        for key in quads.remainder() {
                            counts[*key as usize * LANES] += 1;
                        }
                    })
                };
                if lanes > 1 {
                    (low, high) = (0, cells - 1);
                }
                return Part::Packed {
                    cells: self.packed_cells(&counts, lanes, low, high),
                    selected,
                };
            }
            (false, _) => {
                let mut counts: HashMap<u64, u64> = HashMap::new();
                selected = self.scan::<false>(blocks, |_, keys, _| {
                    for key in keys {
                        *counts.entry(*key).or_default() += 1;
                    }
                });
                Sink::SparseCount(counts)
            }
            (true, cells) if cells <= DENSE_ACC_CELLS => {
                let mut sums = vec![Acc::default(); cells as usize];
                selected = self.scan::<true>(blocks, |start, keys, rows| {
                    for (i, key) in keys.iter().enumerate() {
                        let row = row_of(start, rows, i);
                        sums[*key as usize].add(index, row);
                        if needs.durations {
                            collect(*key, row);
                        }
                    }
                });
                Sink::DenseAcc(sums)
            }
            (true, _) => {
                let mut sums: HashMap<u64, Acc> = HashMap::new();
                selected = self.scan::<true>(blocks, |start, keys, rows| {
                    for (i, key) in keys.iter().enumerate() {
                        let row = row_of(start, rows, i);
                        sums.entry(*key).or_default().add(index, row);
                        if needs.durations {
                            collect(*key, row);
                        }
                    }
                });
                Sink::SparseAcc(sums)
            }
        };
        let (keys, counts, accs) = sink.into_sorted();
        Part::Groups(Groups {
            keys,
            counts,
            accs,
            durations,
            selected,
        })
    }

    /// Scans every row, in parallel when there are many; the groups come back under their
    /// result keys.
    fn run(&self, needs: Needs) -> Groups {
        let blocks = self.index.blocks.len();
        let relevant = match self.days {
            None => 0,
            Some((low, high)) => self
                .index
                .blocks
                .iter()
                .filter(|(bl, bh)| *bh >= low && *bl <= high)
                .count(),
        };
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(relevant.max(1));
        let parts: Vec<Part> = if threads <= 1 || relevant * BLOCK_ROWS < PARALLEL_ROWS {
            vec![self.run_part(0..blocks, needs)]
        } else {
            // Hand each thread an equal share of the blocks that hold selected days.
            let wanted: Vec<usize> = (0..blocks)
                .filter(|b| {
                    let (bl, bh) = self.index.blocks[*b];
                    self.days.is_some_and(|(low, high)| bh >= low && bl <= high)
                })
                .collect();
            let per = wanted.len().div_ceil(threads);
            std::thread::scope(|s| {
                let handles: Vec<_> = wanted
                    .chunks(per)
                    .map(|chunk| {
                        let range = chunk[0]..chunk[chunk.len() - 1] + 1;
                        s.spawn(move || self.run_part(range, needs))
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        if parts.iter().all(|p| matches!(p, Part::Packed { .. })) {
            return self.merge_packed(parts);
        }
        let merged = merge(parts);
        self.to_result_keys(merged)
    }

    /// Re-packs scan keys (time first) as result keys (the query's order) and sorts by them.
    fn to_result_keys(&self, mut groups: Groups) -> Groups {
        if self.dims.iter().all(|d| d.stride == d.scan_stride) {
            return groups;
        }
        let convert = |key: u64| {
            self.dims
                .iter()
                .map(|d| (key / d.scan_stride) % u64::from(d.card.max(1)) * d.stride)
                .sum::<u64>()
        };
        let mut order: Vec<(u64, u32)> = groups
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| (convert(*k), i as u32))
            .collect();
        order.sort_unstable_by_key(|(k, _)| *k);
        groups.keys = order.iter().map(|(k, _)| *k).collect();
        groups.counts = order
            .iter()
            .map(|(_, i)| groups.counts[*i as usize])
            .collect();
        if !groups.accs.is_empty() {
            groups.accs = order
                .iter()
                .map(|(_, i)| groups.accs[*i as usize])
                .collect();
        }
        groups.durations = std::mem::take(&mut groups.durations)
            .into_iter()
            .map(|(k, d)| (convert(k), d))
            .collect();
        groups
    }
}

impl Sink {
    /// The non-empty groups in key order: keys, counts and (for full accumulators) sums.
    fn into_sorted(self) -> (Vec<u64>, Vec<u64>, Vec<Acc>) {
        let mut keys = Vec::new();
        let mut counts = Vec::new();
        let mut accs = Vec::new();
        match self {
            Sink::SparseCount(c) => {
                let mut all: Vec<(u64, u64)> = c.into_iter().collect();
                all.sort_unstable_by_key(|(k, _)| *k);
                (keys, counts) = all.into_iter().unzip();
            }
            Sink::DenseAcc(a) => {
                for (key, acc) in a.into_iter().enumerate() {
                    if acc.count > 0 {
                        keys.push(key as u64);
                        counts.push(acc.count);
                        accs.push(acc);
                    }
                }
            }
            Sink::SparseAcc(a) => {
                let mut all: Vec<(u64, Acc)> = a.into_iter().collect();
                all.sort_unstable_by_key(|(k, _)| *k);
                for (k, acc) in all {
                    keys.push(k);
                    counts.push(acc.count);
                    accs.push(acc);
                }
            }
        }
        (keys, counts, accs)
    }
}

/// Counts `values` (rows whose received day is in `range`, all of them when `whole`) into
/// `counts`, [`LANES`] counters a cell, the cell of a value given by `cell`; returns the rows
/// counted.
#[inline(always)]
fn count_cells<T: Copy>(
    values: &[T],
    days: &[u16],
    whole: bool,
    (low, high): (u16, u16),
    counts: &mut [u32],
    cell: impl Fn(T) -> usize,
) -> u64 {
    if whole {
        let mut quads = values.chunks_exact(LANES);
        for quad in &mut quads {
            for (lane, v) in quad.iter().enumerate() {
                counts[cell(*v) * LANES + lane] += 1;
            }
        }
        for v in quads.remainder() {
            counts[cell(*v) * LANES] += 1;
        }
        values.len() as u64
    } else {
        let mut taken = 0;
        for (i, (v, day)) in values.iter().zip(days).enumerate() {
            if *day >= low && *day <= high {
                counts[cell(*v) * LANES + (i & (LANES - 1))] += 1;
                taken += 1;
            }
        }
        taken
    }
}

/// What one thread found.
#[derive(Debug)]
enum Part {
    /// Counts only, each non-empty cell as `result key << 32 | count`, in no particular order.
    Packed { cells: Vec<u64>, selected: u64 },
    /// Groups under scan keys, sorted.
    Groups(Groups),
}

impl Plan<'_> {
    /// The non-empty cells of a dense count array (`lanes` counters a cell) between `low` and
    /// `high`, packed as `result key << 32 | count`. The cells are read in scan order and the
    /// result key follows along like an odometer, one digit per dimension, so no key is taken
    /// apart by division.
    fn packed_cells(&self, counts: &[u32], lanes: usize, low: u64, high: u64) -> Vec<u64> {
        let mut packed = Vec::new();
        if low > high {
            return packed;
        }
        // Dimensions from the most significant in scan order.
        let mut order: Vec<&DimPlan<'_>> = self.dims.iter().collect();
        order.sort_by_key(|d| std::cmp::Reverse(d.scan_stride));
        let cards: Vec<u64> = order.iter().map(|d| u64::from(d.card.max(1))).collect();
        let strides: Vec<u64> = order.iter().map(|d| d.stride).collect();
        let mut digits: Vec<u64> = order
            .iter()
            .zip(&cards)
            .map(|(d, card)| (low / d.scan_stride) % card)
            .collect();
        let mut key: u64 = digits.iter().zip(&strides).map(|(c, s)| c * s).sum();
        let cells = &counts[low as usize * lanes..(high as usize + 1) * lanes];
        for cell in cells.chunks_exact(lanes) {
            let n: u32 = cell.iter().sum();
            if n > 0 {
                packed.push(key << 32 | u64::from(n));
            }
            for j in (0..digits.len()).rev() {
                digits[j] += 1;
                key += strides[j];
                if digits[j] < cards[j] {
                    break;
                }
                digits[j] = 0;
                key -= cards[j] * strides[j];
            }
        }
        packed
    }

    /// Brings the threads' packed cells together: sorted by result key (a radix sort on the
    /// key's bits), counts of one key added up.
    fn merge_packed(&self, parts: Vec<Part>) -> Groups {
        let mut all = Vec::new();
        let mut selected = 0;
        for part in parts {
            if let Part::Packed { cells, selected: s } = part {
                if all.is_empty() {
                    all = cells;
                } else {
                    all.extend_from_slice(&cells);
                }
                selected += s;
            }
        }
        let key_bits = u64::BITS - self.cells.saturating_sub(1).leading_zeros();
        sort_by_high_word(&mut all, key_bits);
        let mut keys: Vec<u64> = Vec::with_capacity(all.len());
        let mut counts: Vec<u64> = Vec::with_capacity(all.len());
        for cell in all {
            let (key, n) = (cell >> 32, cell & u64::from(u32::MAX));
            match keys.last() {
                Some(last) if *last == key => {
                    if let Some(c) = counts.last_mut() {
                        *c += n;
                    }
                }
                _ => {
                    keys.push(key);
                    counts.push(n);
                }
            }
        }
        Groups {
            keys,
            counts,
            accs: Vec::new(),
            durations: HashMap::new(),
            selected,
        }
    }
}

/// Sorts by the high 32 bits, of which the lowest `key_bits` are in use: a stable least
/// significant digit radix sort, 12 bits a pass.
fn sort_by_high_word(values: &mut Vec<u64>, key_bits: u32) {
    const DIGIT: u32 = 12;
    const MASK: u64 = (1 << DIGIT) - 1;
    if values.len() < 2 || key_bits == 0 {
        return;
    }
    let mut spare = vec![0u64; values.len()];
    let mut shift = 32;
    while shift < 32 + key_bits {
        let mut offsets = vec![0usize; 1 << DIGIT];
        for v in values.iter() {
            offsets[((v >> shift) & MASK) as usize] += 1;
        }
        let mut sum = 0;
        for o in offsets.iter_mut() {
            let n = *o;
            *o = sum;
            sum += n;
        }
        for v in values.iter() {
            let digit = ((v >> shift) & MASK) as usize;
            spare[offsets[digit]] = *v;
            offsets[digit] += 1;
        }
        std::mem::swap(values, &mut spare);
        shift += DIGIT;
    }
}

/// Adds up the threads' groups (each sorted by key) into one sorted list.
fn merge(parts: Vec<Part>) -> Groups {
    let mut parts = parts.into_iter().filter_map(|p| match p {
        Part::Groups(g) => Some(g),
        Part::Packed { .. } => None,
    });
    let Some(mut all) = parts.next() else {
        return Groups::default();
    };
    for other in parts {
        let sums = !all.accs.is_empty() || !other.accs.is_empty();
        let capacity = all.keys.len() + other.keys.len();
        let mut keys = Vec::with_capacity(capacity);
        let mut counts = Vec::with_capacity(capacity);
        let mut accs = Vec::with_capacity(if sums { capacity } else { 0 });
        let (mut i, mut j) = (0, 0);
        while i < all.keys.len() || j < other.keys.len() {
            let take_left =
                j >= other.keys.len() || (i < all.keys.len() && all.keys[i] <= other.keys[j]);
            let take_right =
                i >= all.keys.len() || (j < other.keys.len() && other.keys[j] <= all.keys[i]);
            let (key, mut count, mut acc) = if take_left {
                let left = (all.keys[i], all.counts[i], all.accs.get(i).copied());
                i += 1;
                left
            } else {
                let right = (other.keys[j], other.counts[j], other.accs.get(j).copied());
                j += 1;
                right
            };
            if take_left && take_right {
                count += other.counts[j];
                if let (Some(a), Some(b)) = (&mut acc, other.accs.get(j)) {
                    a.merge(b);
                }
                j += 1;
            }
            keys.push(key);
            counts.push(count);
            if let Some(acc) = acc {
                accs.push(acc);
            }
        }
        for (k, mut d) in other.durations {
            let into = all.durations.entry(k).or_default();
            into.acceptance.append(&mut d.acceptance);
            into.handling.append(&mut d.handling);
            into.sources.append(&mut d.sources);
        }
        all = Groups {
            keys,
            counts,
            accs,
            durations: all.durations,
            selected: all.selected + other.selected,
        };
    }
    all
}

/// Nearest-rank percentile: the smallest value with at least `p`% of the values at or below it.
pub(crate) fn nearest_rank(values: &mut [u32], p: u8) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    let n = values.len();
    let rank = (usize::from(p) * n).div_ceil(100).max(1);
    let (_, value, _) = values.select_nth_unstable(rank - 1);
    Some(*value)
}

const SECONDS_PER_DAY: f64 = 86_400.0;

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The answer to a query: one row per non-empty group, in the order of the dimensions' values
/// (code order, dictionary order, time order).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub dimensions: Vec<Dimension>,
    pub measures: Vec<Measure>,
    /// Distinct cases the query selected (before any multi-label expansion).
    pub total: u64,
    /// For each dimension, its values; rows refer to them by position.
    values: Vec<Vec<KeyValue>>,
    keys: Vec<u32>,
    counts: Vec<u64>,
    measure_values: Vec<Option<f64>>,
}

/// One row of a [`QueryResult`].
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    result: &'a QueryResult,
    row: usize,
}

impl<'a> Row<'a> {
    /// The value of the `d`-th grouping dimension.
    pub fn key(&self, d: usize) -> &'a KeyValue {
        let dims = self.result.dimensions.len();
        let component = self.result.keys[self.row * dims + d];
        &self.result.values[d][component as usize]
    }

    pub fn keys(&self) -> impl Iterator<Item = &'a KeyValue> + 'a {
        let row = *self;
        (0..self.result.dimensions.len()).map(move |d| row.key(d))
    }

    /// The number of cases in the group.
    pub fn count(&self) -> u64 {
        self.result.counts[self.row]
    }

    /// The measures, in the query's order; `None` where a measure has no value (no cases to
    /// average, no previous period).
    pub fn values(&self) -> &'a [Option<f64>] {
        let m = self.result.measures.len();
        &self.result.measure_values[self.row * m..(self.row + 1) * m]
    }

    pub fn value(&self, measure: &Measure) -> Option<f64> {
        let i = self.result.measures.iter().position(|m| m == measure)?;
        self.values()[i]
    }
}

impl QueryResult {
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    pub fn row(&self, row: usize) -> Row<'_> {
        Row { result: self, row }
    }

    pub fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(|row| Row { result: self, row })
    }
}

fn check(query: &Query) -> Result<Option<usize>, StatsError> {
    let times: Vec<usize> = query
        .group_by
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d, Dimension::Time(_)))
        .map(|(i, _)| i)
        .collect();
    for measure in &query.measures {
        match measure {
            Measure::PeriodOnPeriod | Measure::YearOnYear if times.len() != 1 => {
                return Err(StatsError::InvalidQuery(format!(
                    "{} needs exactly one time dimension (day, week, month, quarter or year) in the grouping",
                    measure.code()
                )));
            }
            Measure::Share { within } => {
                if let Some(d) = within.iter().find(|d| !query.group_by.contains(d)) {
                    return Err(StatsError::InvalidQuery(format!(
                        "share within {} needs {} in the grouping",
                        d.code(),
                        d.code()
                    )));
                }
            }
            Measure::AcceptanceDaysPercentile(p) | Measure::HandlingDaysPercentile(p)
                if !(1..=100).contains(p) =>
            {
                return Err(StatsError::InvalidQuery(format!(
                    "percentile {p} is not between 1 and 100"
                )));
            }
            _ => {}
        }
    }
    Ok(times.first().copied())
}

impl Index {
    /// Answers a query. Results are exact: the same as counting the cases one by one.
    pub fn query(&self, query: &Query) -> Result<QueryResult, StatsError> {
        let time_position = check(query)?;
        let plan = Plan::new(self, query, &query.group_by, None)?;
        let needs = Needs {
            sums: query.measures.iter().any(|m| {
                !matches!(
                    m,
                    Measure::Count
                        | Measure::Share { .. }
                        | Measure::PeriodOnPeriod
                        | Measure::YearOnYear
                )
            }),
            durations: query.measures.iter().any(|m| {
                matches!(
                    m,
                    Measure::AcceptanceDaysPercentile(_)
                        | Measure::HandlingDaysPercentile(_)
                        | Measure::DistinctSources
                )
            }),
        };
        let mut groups = plan.run(needs);

        let total = groups.selected;

        // Denominators of shares, by the packed key of their `within` dimensions.
        let mut shares: Vec<Option<(Plan<'_>, Groups)>> = Vec::new();
        for measure in &query.measures {
            shares.push(match measure {
                Measure::Share { within } if !within.is_empty() => {
                    let sub = Plan::new(self, query, within, None)?;
                    let found = sub.run(Needs {
                        sums: false,
                        durations: false,
                    });
                    Some((sub, found))
                }
                _ => None,
            });
        }

        // Counts to compare with for 环比 and 同比: the same grouping with the date filter's
        // start moved back, so earlier buckets are whole.
        let wants_change = query
            .measures
            .iter()
            .any(|m| matches!(m, Measure::PeriodOnPeriod | Measure::YearOnYear));
        let earlier = match (wants_change, plan.days) {
            (true, Some((low, _))) => {
                let floor = low.saturating_sub(CHANGE_LOOKBACK_DAYS);
                let wider = Plan::new(self, query, &query.group_by, Some(floor))?;
                Some(wider.run(Needs {
                    sums: false,
                    durations: false,
                }))
            }
            _ => None,
        };
        let mut all_durations = std::mem::take(&mut groups.durations);
        let compare = earlier.as_ref().unwrap_or(&groups);

        let dims = plan.dims.len();
        let mut result = QueryResult {
            dimensions: query.group_by.clone(),
            measures: query.measures.clone(),
            total,
            values: plan.dims.iter().map(|d| d.labels.to_vec()).collect(),
            keys: Vec::with_capacity(groups.keys.len() * dims),
            counts: Vec::with_capacity(groups.keys.len()),
            measure_values: Vec::with_capacity(groups.keys.len() * query.measures.len()),
        };
        let component = |key: u64, d: &DimPlan<'_>| (key / d.stride) % u64::from(d.card.max(1));
        for (g, key) in groups.keys.iter().enumerate() {
            let acc = groups.accs.get(g).copied().unwrap_or(Acc {
                count: groups.counts[g],
                ..Acc::default()
            });
            // Strides fall from the first dimension to the last: peel the components off.
            let mut rest = *key;
            for d in &plan.dims {
                let c = rest / d.stride;
                rest -= c * d.stride;
                result.keys.push(c as u32);
            }
            result.counts.push(acc.count);
            let mut durations = if all_durations.is_empty() {
                None
            } else {
                all_durations.remove(key)
            };
            for (m, measure) in query.measures.iter().enumerate() {
                let value = match measure {
                    Measure::Count => Some(acc.count as f64),
                    Measure::Share { within } => match &shares[m] {
                        None => ratio(acc.count, total),
                        Some((sub, found)) => {
                            let mut sub_key = 0;
                            for (w, dim) in within.iter().zip(&sub.dims) {
                                let position = plan
                                    .dims
                                    .iter()
                                    .position(|d| d.dimension == *w)
                                    .unwrap_or(0);
                                sub_key += component(*key, &plan.dims[position]) * dim.stride;
                            }
                            found
                                .count_of(sub_key)
                                .and_then(|whole| ratio(acc.count, whole))
                        }
                    },
                    Measure::AcceptanceRate => ratio(acc.accepted, acc.accepted + acc.rejected),
                    Measure::AcceptanceDaysMean => (acc.accepted > 0).then(|| {
                        acc.acceptance_secs as f64 / acc.accepted as f64 / SECONDS_PER_DAY
                    }),
                    Measure::HandlingDaysMean => (acc.concluded > 0)
                        .then(|| acc.handling_secs as f64 / acc.concluded as f64 / SECONDS_PER_DAY),
                    Measure::AcceptanceDaysPercentile(p) => durations
                        .as_mut()
                        .and_then(|d| nearest_rank(&mut d.acceptance, *p))
                        .map(|s| f64::from(s) / SECONDS_PER_DAY),
                    Measure::HandlingDaysPercentile(p) => durations
                        .as_mut()
                        .and_then(|d| nearest_rank(&mut d.handling, *p))
                        .map(|s| f64::from(s) / SECONDS_PER_DAY),
                    Measure::OnTimeRate => ratio(acc.on_time, acc.concluded),
                    Measure::OnTimeAcceptanceRate => ratio(acc.accepted_on_time, acc.accepted),
                    Measure::RepeatRate => ratio(acc.repeats, acc.count),
                    Measure::DistinctSources => durations.as_mut().map(|d| {
                        d.sources.sort_unstable();
                        d.sources.dedup();
                        d.sources.len() as f64
                    }),
                    Measure::PeriodOnPeriod | Measure::YearOnYear => {
                        let t = &plan.dims[time_position.unwrap_or(0)];
                        let (bucket, first) = t.time.unwrap_or((TimeBucket::Month, 0));
                        let c = component(*key, t) as i64;
                        let ordinal = first + c;
                        let previous = if *measure == Measure::PeriodOnPeriod {
                            Some(ordinal - 1)
                        } else {
                            bucket.year_earlier(ordinal)
                        };
                        previous
                            .filter(|p| *p >= first)
                            .and_then(|p| {
                                let k = key - c as u64 * t.stride + (p - first) as u64 * t.stride;
                                compare.count_of(k)
                            })
                            .map(|before| (acc.count as f64 - before as f64) / before as f64)
                    }
                };
                result.measure_values.push(value);
            }
        }
        Ok(result)
    }
}

impl Index {
    /// The rows a query selects (its grouping and measures are ignored), in row order.
    pub(crate) fn selected_rows(&self, query: &Query) -> Result<Vec<usize>, StatsError> {
        let plan = Plan::new(self, query, &[], None)?;
        let mut rows = Vec::new();
        plan.scan::<true>(0..self.blocks.len(), |start, keys, offsets| match offsets {
            None => rows.extend(start..start + keys.len()),
            Some(offsets) => rows.extend(offsets.iter().map(|o| start + usize::from(*o))),
        });
        Ok(rows)
    }
}
