//! Answering a [`Query`]: one pass over the rows, the group key packed into an integer, dense
//! arrays when the key space is small, the rows split among threads.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use chrono::NaiveDate;
use greenline_domain::RegionLevel;
use greenline_domain::deadline::local_date;

use crate::StatsError;
use crate::dict::{self, REGIONS};
use crate::facts::{self, ACCEPTED, CONCLUDED, NO_DURATION, ON_TIME, REJECTED, REPEAT_SOURCE};
use crate::index::{BLOCK_ROWS, Index};
use crate::model::{AcceptanceStatus, Dimension, Filter, KeyValue, Measure, Query, TimeBucket};

/// Dense group arrays are used up to this many cells (counts) …
const DENSE_COUNT_CELLS: u64 = 1 << 23;
/// … or this many (full accumulators).
const DENSE_ACC_CELLS: u64 = 1 << 17;
/// Fewer rows than this are scanned on one thread.
const PARALLEL_ROWS: usize = 1 << 17;

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
    stride: u64,
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
}

impl Acc {
    #[inline(always)]
    fn add(&mut self, index: &Index, row: usize) {
        let flags = index.flags[row];
        self.count += 1;
        if flags & ACCEPTED != 0 {
            self.accepted += 1;
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
    }
}

/// What the scan must gather besides counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Needs {
    sums: bool,
    durations: bool,
}

/// Durations of one group, for percentiles.
#[derive(Debug, Default)]
struct Durations {
    acceptance: Vec<u32>,
    handling: Vec<u32>,
}

/// Where one thread puts what it finds.
#[derive(Debug)]
enum Sink {
    DenseCount(Vec<u32>),
    SparseCount(HashMap<u64, u64>),
    DenseAcc(Vec<Acc>),
    SparseAcc(HashMap<u64, Acc>),
}

/// Groups found: sorted by packed key.
#[derive(Debug, Default)]
struct Groups {
    sums: Vec<(u64, Acc)>,
    durations: HashMap<u64, Durations>,
    /// Distinct rows selected.
    selected: u64,
}

impl Groups {
    fn count_of(&self, key: u64) -> Option<u64> {
        self.sums
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| self.sums[i].1.count)
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
            let u8_mask = |col: &'a [u8], allowed: Vec<bool>| Mask {
                col: Col::U8(col),
                allowed,
            };
            match filter {
                Filter::Kind(values) => masks.push(u8_mask(
                    &index.kind,
                    mask_u8(|v| values.iter().any(|k| dict::kind_index(*k) == v)),
                )),
                Filter::Channel(values) => masks.push(u8_mask(
                    &index.channel,
                    mask_u8(|v| values.iter().any(|c| dict::channel_index(*c) == v)),
                )),
                Filter::Type(values) => {
                    let mut bits = 0u16;
                    for t in values {
                        if let Some(i) = dict::type_index(*t) {
                            bits |= 1 << i;
                        }
                    }
                    // An empty list selects nothing; keep a mask that says so.
                    if bits == 0 {
                        masks.push(u8_mask(&index.kind, vec![false; 256]));
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
                Filter::PrimaryType(values) => masks.push(u8_mask(
                    &index.primary_type,
                    mask_u8(|v| values.iter().any(|t| dict::type_index(*t) == Some(v))),
                )),
                Filter::SubType(values) => masks.push(u8_mask(
                    &index.sub_type,
                    mask_u8(|v| {
                        v != 0 && values.iter().any(|t| dict::sub_type_index(Some(*t)) == v)
                    }),
                )),
                Filter::Industry(values) => masks.push(u8_mask(
                    &index.industry,
                    mask_u8(|v| {
                        v != 0 && values.iter().any(|t| dict::industry_index(Some(*t)) == v)
                    }),
                )),
                Filter::Region(areas) => {
                    let mut inside = vec![false; region_ok.len()];
                    for area in areas {
                        let (low, high) = REGIONS.subtree(*area);
                        inside[low..high].fill(true);
                    }
                    for (ok, inside) in region_ok.iter_mut().zip(inside) {
                        *ok &= inside;
                    }
                }
                Filter::Stage(values) => masks.push(u8_mask(
                    &index.stage,
                    mask_u8(|v| values.iter().any(|s| dict::stage_index(*s) == v)),
                )),
                Filter::Outcome(values) => masks.push(u8_mask(
                    &index.outcome,
                    mask_u8(|v| {
                        v != 0 && values.iter().any(|o| dict::outcome_index(Some(*o)) == v)
                    }),
                )),
                Filter::Status(values) => masks.push(u8_mask(
                    &index.flags,
                    mask_u8(|f| values.contains(&status_of(f))),
                )),
                Filter::RejectionReason(values) => masks.push(u8_mask(
                    &index.rejection,
                    mask_u8(|v| {
                        v != 0 && values.iter().any(|r| dict::rejection_index(Some(*r)) == v)
                    }),
                )),
                Filter::Overdue(wanted) => masks.push(Mask {
                    col: Col::Overdue(&index.due_day, today),
                    allowed: vec![!wanted, *wanted],
                }),
                Filter::RepeatSource(wanted) => masks.push(u8_mask(
                    &index.flags,
                    mask_u8(|f| (f & REPEAT_SOURCE != 0) == *wanted),
                )),
                Filter::Received { from, until } => {
                    day_low = day_low.max(*from);
                    day_high = day_high.min(until.pred_opt().unwrap_or(NaiveDate::MIN));
                }
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
                            |r| dict::rejection_label(r).into(),
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

    /// Calls `add(key, row)` for every selected row of `blocks` (once per type carried, when
    /// grouping by type); returns the number of rows selected. Rows are taken a run at a time:
    /// the filters mark which rows stay and the dimensions add their parts of the key, each
    /// column in a loop of its own, before the selected rows are handed to `add`.
    #[inline(always)]
    fn scan(&self, blocks: Range<usize>, mut add: impl FnMut(u64, usize)) -> u64 {
        let Some((low, high)) = self.days else {
            return 0;
        };
        let mut selected = 0u64;
        let index = self.index;
        let len = index.len();
        let type_dim = self.type_dim.map(|p| &self.dims[p]);
        let mut keys = vec![0u64; RUN_ROWS];
        let mut keep = vec![true; RUN_ROWS];
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
                let (keys, keep) = (&mut keys[..n], &mut keep[..n]);
                keep.fill(true);
                if !whole {
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
                keys.fill(0);
                for dim in &self.dims {
                    dim.col.add_keys(start, &dim.table, dim.stride, keys);
                }
                for (i, (key, k)) in keys.iter().zip(keep.iter()).enumerate() {
                    if !*k {
                        continue;
                    }
                    let row = start + i;
                    selected += 1;
                    match type_dim {
                        None => add(*key, row),
                        Some(dim) => {
                            // The primary type's component was added above; replace it by
                            // each type carried.
                            let base = key
                                - u64::from(dim.table[usize::from(index.primary_type[row])])
                                    * dim.stride;
                            let mut bits = index.types[row];
                            while bits != 0 {
                                let bit = bits.trailing_zeros() as usize;
                                add(base + u64::from(dim.table[bit]) * dim.stride, row);
                                bits &= bits - 1;
                            }
                        }
                    }
                }
                start += n;
            }
        }
        selected
    }

    fn run_part(&self, blocks: Range<usize>, needs: Needs) -> Part {
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
        };
        let selected;
        let sink = match (needs.sums, self.cells) {
            (false, cells) if cells <= DENSE_COUNT_CELLS => {
                let mut counts = vec![0u32; cells as usize];
                selected = self.scan(blocks, |key, _| counts[key as usize] += 1);
                Sink::DenseCount(counts)
            }
            (false, _) => {
                let mut counts: HashMap<u64, u64> = HashMap::new();
                selected = self.scan(blocks, |key, _| *counts.entry(key).or_default() += 1);
                Sink::SparseCount(counts)
            }
            (true, cells) if cells <= DENSE_ACC_CELLS => {
                let mut sums = vec![Acc::default(); cells as usize];
                selected = self.scan(blocks, |key, row| {
                    sums[key as usize].add(index, row);
                    if needs.durations {
                        collect(key, row);
                    }
                });
                Sink::DenseAcc(sums)
            }
            (true, _) => {
                let mut sums: HashMap<u64, Acc> = HashMap::new();
                selected = self.scan(blocks, |key, row| {
                    sums.entry(key).or_default().add(index, row);
                    if needs.durations {
                        collect(key, row);
                    }
                });
                Sink::SparseAcc(sums)
            }
        };
        Part {
            sink,
            durations,
            selected,
        }
    }

    /// Scans every row, in parallel when there are many.
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
        merge(parts)
    }
}

/// What one thread found.
#[derive(Debug)]
struct Part {
    sink: Sink,
    durations: HashMap<u64, Durations>,
    selected: u64,
}

fn merge(parts: Vec<Part>) -> Groups {
    let mut parts = parts.into_iter();
    let Some(Part {
        mut sink,
        mut durations,
        mut selected,
    }) = parts.next()
    else {
        return Groups::default();
    };
    for Part {
        sink: other,
        durations: more,
        selected: also,
    } in parts
    {
        selected += also;
        match (&mut sink, other) {
            (Sink::DenseCount(a), Sink::DenseCount(b)) => {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
            }
            (Sink::SparseCount(a), Sink::SparseCount(b)) => {
                for (k, v) in b {
                    *a.entry(k).or_default() += v;
                }
            }
            (Sink::DenseAcc(a), Sink::DenseAcc(b)) => {
                a.iter_mut().zip(b).for_each(|(x, y)| x.merge(&y));
            }
            (Sink::SparseAcc(a), Sink::SparseAcc(b)) => {
                for (k, v) in b {
                    a.entry(k).or_default().merge(&v);
                }
            }
            _ => unreachable!("every part of one scan uses the same kind of sink"),
        }
        for (k, mut d) in more {
            let into = durations.entry(k).or_default();
            into.acceptance.append(&mut d.acceptance);
            into.handling.append(&mut d.handling);
        }
    }
    let count_only = |count: u64| Acc {
        count,
        ..Acc::default()
    };
    let mut sums: Vec<(u64, Acc)> = match sink {
        Sink::DenseCount(c) => c
            .into_iter()
            .enumerate()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k as u64, count_only(u64::from(n))))
            .collect(),
        Sink::SparseCount(c) => c.into_iter().map(|(k, n)| (k, count_only(n))).collect(),
        Sink::DenseAcc(a) => a
            .into_iter()
            .enumerate()
            .filter(|(_, acc)| acc.count > 0)
            .map(|(k, acc)| (k as u64, acc))
            .collect(),
        Sink::SparseAcc(a) => a.into_iter().collect(),
    };
    sums.sort_unstable_by_key(|(k, _)| *k);
    Groups {
        sums,
        durations,
        selected,
    }
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
                    Measure::AcceptanceDaysPercentile(_) | Measure::HandlingDaysPercentile(_)
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
                let floor = low.saturating_sub(800);
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
            keys: Vec::with_capacity(groups.sums.len() * dims),
            counts: Vec::with_capacity(groups.sums.len()),
            measure_values: Vec::with_capacity(groups.sums.len() * query.measures.len()),
        };
        let component = |key: u64, d: &DimPlan<'_>| (key / d.stride) % u64::from(d.card.max(1));
        for (key, acc) in &groups.sums {
            for d in &plan.dims {
                result.keys.push(component(*key, d) as u32);
            }
            result.counts.push(acc.count);
            let mut durations = all_durations.remove(key);
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
