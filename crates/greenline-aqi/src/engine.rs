//! IAQI and AQI: the hot path. Nothing here allocates.

use std::fmt;
use std::sync::LazyLock;

use crate::column::{Column, ColumnSet, Period};
use crate::data::{AboveTop, Level, Scale, Standard, Table};
use crate::error::AqiError;

/// An individual or overall air quality index: a value on the scale, or beyond its top.
///
/// Beyond the scale sorts above every value; it is not clamped to the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Iaqi {
    Value(u16),
    /// Above the scale's top (above 500): the concentration exceeds the table.
    BeyondScale,
}

impl Iaqi {
    /// The value, if on the scale.
    pub fn value(self) -> Option<u16> {
        match self {
            Iaqi::Value(value) => Some(value),
            Iaqi::BeyondScale => None,
        }
    }

    pub fn is_beyond_scale(self) -> bool {
        self == Iaqi::BeyondScale
    }

    /// The top of the scale (500), from the tables.
    pub fn scale_top() -> u16 {
        *SCALE_TOP
    }
}

static SCALE_TOP: LazyLock<u16> = LazyLock::new(|| {
    Standard::ALL
        .iter()
        .flat_map(|standard| standard.phases())
        .flat_map(|table| Column::ALL.map(|column| table.breakpoints(column).last()))
        .flatten()
        .map(|(_, iaqi)| u16::try_from(iaqi).unwrap_or(u16::MAX))
        .max()
        .unwrap_or(u16::MAX)
});

impl fmt::Display for Iaqi {
    /// The number, or `>500` beyond the scale.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Iaqi::Value(value) => write!(f, "{value}"),
            Iaqi::BeyondScale => write!(f, ">{}", Iaqi::scale_top()),
        }
    }
}

/// What one column's concentration gives on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnIaqi {
    /// An index (possibly fixed by a special rule, possibly beyond the scale).
    Index(Iaqi),
    /// No index from this column: above its top, the pollutant's index comes from another
    /// column (HJ 633-2012: SO₂ 1h above 800 → SO₂ 24h; O₃ 8h above 800 → O₃ 1h).
    UseColumn(Column),
}

/// The concentrations of one place and time, by column. Missing columns are left out of the
/// index; every given value is checked (finite, not negative).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Readings {
    values: [Option<f64>; 10],
}

impl Readings {
    pub const fn new() -> Readings {
        Readings { values: [None; 10] }
    }

    /// These readings with a column's concentration (µg/m³; CO mg/m³).
    #[must_use]
    pub fn with(mut self, column: Column, value: f64) -> Readings {
        self.set(column, value);
        self
    }

    pub fn set(&mut self, column: Column, value: f64) {
        self.values[column.index()] = Some(value);
    }

    pub fn clear(&mut self, column: Column) {
        self.values[column.index()] = None;
    }

    pub fn get(&self, column: Column) -> Option<f64> {
        self.values[column.index()]
    }
}

/// The index of one place and time, with everything the standard asks to report.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// The table (version and phase) that produced the numbers.
    pub table: &'static Table,
    pub period: Period,
    /// AQI: the largest IAQI.
    pub aqi: Iaqi,
    pub level: &'static Level,
    /// 首要污染物: the columns with the largest IAQI (ties all listed), only when AQI > 50.
    pub primary_pollutants: ColumnSet,
    /// 超标污染物: the columns with IAQI > 100.
    pub exceeding_pollutants: ColumnSet,
    /// Columns whose concentration was above their top and were handled by the version's
    /// special rule (a fixed index, or the pollutant's other column standing in).
    pub special_rule_applied: ColumnSet,
    iaqi: [Option<Iaqi>; 10],
    rounded: [Option<i64>; 10],
}

impl Report {
    /// The version of HJ 633 that produced this report.
    pub fn standard(&self) -> Standard {
        self.table.standard
    }

    /// A column's IAQI, if it counted in this report.
    pub fn iaqi(&self, column: Column) -> Option<Iaqi> {
        self.iaqi[column.index()]
    }

    /// The columns that counted, with their IAQI, in the order of [`Column::ALL`].
    pub fn iaqis(&self) -> impl Iterator<Item = (Column, Iaqi)> + '_ {
        Column::ALL
            .into_iter()
            .filter_map(|column| self.iaqi(column).map(|iaqi| (column, iaqi)))
    }

    /// A column's concentration as rounded before the index, in units of
    /// 10^-[`Table::decimals`] (`None` if not given).
    pub fn rounded_concentration(&self, column: Column) -> Option<i64> {
        self.rounded[column.index()]
    }
}

impl Scale {
    /// The index of a rounded concentration on this column, `None` above the top.
    #[inline]
    fn index_of(&self, ticks: i64) -> Option<u16> {
        let points = &self.points;
        for pair in points.windows(2) {
            let (lo, hi) = (pair[0], pair[1]);
            if ticks <= hi.ticks {
                // IAQI_Lo + ceil((IAQI_Hi − IAQI_Lo)(C − BP_Lo) / (BP_Hi − BP_Lo)), exactly.
                let numerator = (hi.iaqi - lo.iaqi) * (ticks - lo.ticks);
                let denominator = hi.ticks - lo.ticks;
                let index = lo.iaqi + (numerator + denominator - 1) / denominator;
                return Some(index as u16);
            }
        }
        None
    }
}

impl Table {
    /// A concentration rounded as this version reports it: to [`Table::decimals`] places,
    /// half to even (GB/T 8170), in units of 10^-decimals. Checks it is finite and not negative.
    pub fn round(&self, column: Column, value: f64) -> Result<i64, AqiError> {
        if !value.is_finite() {
            return Err(AqiError::NotFinite {
                field: column.key(),
            });
        }
        if value < 0.0 {
            return Err(AqiError::Negative {
                field: column.key(),
                value,
            });
        }
        // Saturates far above any table's top, which is then beyond the scale.
        Ok((value * self.scales[column.index()].factor).round_ties_even() as i64)
    }

    /// What one column's concentration gives on its own, after rounding.
    pub fn column_iaqi(&self, column: Column, value: f64) -> Result<ColumnIaqi, AqiError> {
        let ticks = self.round(column, value)?;
        let scale = &self.scales[column.index()];
        Ok(match scale.index_of(ticks) {
            Some(value) => ColumnIaqi::Index(Iaqi::Value(value)),
            None => match scale.above_top {
                AboveTop::BeyondScale => ColumnIaqi::Index(Iaqi::BeyondScale),
                AboveTop::FixedIaqi(value) => ColumnIaqi::Index(Iaqi::Value(value)),
                AboveTop::UseColumn(other) => ColumnIaqi::UseColumn(other),
            },
        })
    }
}

/// The IAQI of every column the kind of report uses, the AQI and what goes with it.
///
/// Concentrations are rounded first ([`Table::round`]). Columns not used by the period are
/// checked but do not count (the SO₂, NO₂ and CO 1-hour columns are for real-time reports;
/// a 24-hour column may stand in for its 1-hour column under the 2012 rule).
pub fn compute(
    table: &'static Table,
    period: Period,
    readings: &Readings,
) -> Result<Report, AqiError> {
    let mut rounded = [None; 10];
    for column in Column::ALL {
        if let Some(value) = readings.values[column.index()] {
            rounded[column.index()] = Some(table.round(column, value)?);
        }
    }
    let mut iaqi: [Option<Iaqi>; 10] = [None; 10];
    let mut special_rule_applied = ColumnSet::EMPTY;
    for &column in period.columns() {
        let Some(ticks) = rounded[column.index()] else {
            continue;
        };
        let scale = &table.scales[column.index()];
        let (target, index) = match scale.index_of(ticks) {
            Some(value) => (column, Iaqi::Value(value)),
            None => match scale.above_top {
                AboveTop::BeyondScale => (column, Iaqi::BeyondScale),
                AboveTop::FixedIaqi(value) => {
                    special_rule_applied.insert(column);
                    (column, Iaqi::Value(value))
                }
                AboveTop::UseColumn(other) => {
                    special_rule_applied.insert(column);
                    let ticks = rounded[other.index()].ok_or(AqiError::Needed {
                        field: other.key(),
                        because: column.key(),
                        standard: table.standard.name(),
                    })?;
                    // The data check makes sure a stand-in has no rule of its own.
                    let index = table.scales[other.index()]
                        .index_of(ticks)
                        .map_or(Iaqi::BeyondScale, Iaqi::Value);
                    (other, index)
                }
            },
        };
        iaqi[target.index()] = Some(index);
    }
    let mut aqi = None;
    for index in iaqi.iter().flatten() {
        aqi = aqi.max(Some(*index));
    }
    let Some(aqi) = aqi else {
        return Err(AqiError::NoReadings { period });
    };
    let mut primary_pollutants = ColumnSet::EMPTY;
    let mut exceeding_pollutants = ColumnSet::EMPTY;
    let (good_top, exceeding_from) = thresholds();
    for column in Column::ALL {
        let Some(index) = iaqi[column.index()] else {
            continue;
        };
        if aqi > good_top && index == aqi {
            primary_pollutants.insert(column);
        }
        if index > exceeding_from {
            exceeding_pollutants.insert(column);
        }
    }
    Ok(Report {
        table,
        period,
        aqi,
        level: Level::of(aqi),
        primary_pollutants,
        exceeding_pollutants,
        special_rule_applied,
        iaqi,
        rounded,
    })
}

/// The top of 一级 (AQI 50: no primary pollutant at or below it) and of 二级 (IAQI 100: above
/// it a pollutant exceeds), from the levels table.
fn thresholds() -> (Iaqi, Iaqi) {
    static THRESHOLDS: LazyLock<(Iaqi, Iaqi)> = LazyLock::new(|| {
        let top = |number: u8| {
            Level::all()
                .iter()
                .find(|level| level.number == number)
                .and_then(|level| level.aqi_hi)
                .map_or(Iaqi::BeyondScale, Iaqi::Value)
        };
        (top(1), top(2))
    });
    *THRESHOLDS
}
