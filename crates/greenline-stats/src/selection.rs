//! The cases behind a figure, and figures by the unit that holds each case: answers that are
//! not groupings of the fixed dimensions, computed from the rows a [`Query`] selects.

use std::collections::HashMap;

use crate::facts::{ACCEPTED, ACCEPTED_ON_TIME, CONCLUDED, ON_TIME, REPEAT_SOURCE};
use crate::{Index, Query, StatsError};

/// What one unit's cases add up to. Rates are `None` where their denominator is zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitFigures {
    /// The unit's id (the unit holding each case now).
    pub unit: u32,
    pub cases: u64,
    pub accepted: u64,
    /// Accepted within the acceptance limit.
    pub accepted_on_time: u64,
    /// Concluded (办结).
    pub concluded: u64,
    /// Concluded within the handling limit (with any extension).
    pub concluded_on_time: u64,
    /// Repeating an earlier report of the same source.
    pub repeats: u64,
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl UnitFigures {
    /// 按时受理率: accepted on time over accepted.
    pub fn on_time_acceptance_rate(&self) -> Option<f64> {
        ratio(self.accepted_on_time, self.accepted)
    }

    /// 按期办结率: concluded on time over concluded.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.concluded_on_time, self.concluded)
    }

    /// 重复举报率: repeats over cases.
    pub fn repeat_rate(&self) -> Option<f64> {
        ratio(self.repeats, self.cases)
    }
}

impl Index {
    /// The selected cases added up by the unit holding each, in unit id order. The query's
    /// grouping and measures are ignored.
    pub fn by_unit(&self, query: &Query) -> Result<Vec<UnitFigures>, StatsError> {
        let mut units: HashMap<u32, UnitFigures> = HashMap::new();
        for row in self.selected_rows(query)? {
            let unit = self.unit[row];
            let flags = self.flags[row];
            let f = units.entry(unit).or_insert(UnitFigures {
                unit,
                ..UnitFigures::default()
            });
            f.cases += 1;
            if flags & REPEAT_SOURCE != 0 {
                f.repeats += 1;
            }
            if flags & ACCEPTED != 0 {
                f.accepted += 1;
                if flags & ACCEPTED_ON_TIME != 0 {
                    f.accepted_on_time += 1;
                }
            }
            if flags & CONCLUDED != 0 {
                f.concluded += 1;
                if flags & ON_TIME != 0 {
                    f.concluded_on_time += 1;
                }
            }
        }
        let mut out: Vec<UnitFigures> = units.into_values().collect();
        out.sort_unstable_by_key(|f| f.unit);
        Ok(out)
    }

    /// The ids of the selected cases, newest (highest id) first: those below `before` if
    /// given, at most `limit`.
    pub fn case_ids(
        &self,
        query: &Query,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<i64>, StatsError> {
        let mut ids: Vec<i64> = self
            .selected_rows(query)?
            .into_iter()
            .map(|row| self.ids[row])
            .filter(|id| before.is_none_or(|b| *id < b))
            .collect();
        if ids.len() > limit {
            ids.select_nth_unstable_by(limit, |a, b| b.cmp(a));
            ids.truncate(limit);
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        Ok(ids)
    }
}
