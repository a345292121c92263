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
    values: [f64; 10],
    given: ColumnSet,
}

impl Readings {
    pub const fn new() -> Readings {
        Readings {
            values: [0.0; 10],
            given: ColumnSet::EMPTY,
        }
    }

    /// These readings with a column's concentration (µg/m³; CO mg/m³).
    #[must_use]
    pub fn with(mut self, column: Column, value: f64) -> Readings {
        self.set(column, value);
        self
    }

    pub fn set(&mut self, column: Column, value: f64) {
        self.values[column.index()] = value;
        self.given.insert(column);
    }

    pub fn clear(&mut self, column: Column) {
        self.values[column.index()] = 0.0;
        self.given.remove(column);
    }

    pub fn get(&self, column: Column) -> Option<f64> {
        self.given
            .contains(column)
            .then_some(self.values[column.index()])
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
    counted: ColumnSet,
    /// Each column's index as a code: the value, or [`BEYOND`] (0 where not counted).
    codes: [u16; 10],
    given: ColumnSet,
    values: [f64; 10],
}

/// The code of an index beyond the scale: above every value, so a plain `max` finds the AQI.
const BEYOND: u16 = u16::MAX;

impl Iaqi {
    #[inline]
    fn from_code(code: u16) -> Iaqi {
        if code == BEYOND {
            Iaqi::BeyondScale
        } else {
            Iaqi::Value(code)
        }
    }
}

impl Report {
    /// The version of HJ 633 that produced this report.
    pub fn standard(&self) -> Standard {
        self.table.standard
    }

    /// A column's IAQI, if it counted in this report.
    pub fn iaqi(&self, column: Column) -> Option<Iaqi> {
        self.counted
            .contains(column)
            .then(|| Iaqi::from_code(self.codes[column.index()]))
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
        self.given
            .contains(column)
            .then(|| round_checked(self.table, column, self.values[column.index()]))
    }
}

impl Scale {
    /// The index of a rounded concentration on this column, `None` above the top.
    #[inline]
    fn index_of(&self, ticks: i64) -> Option<u16> {
        usize::try_from(ticks)
            .ok()
            .and_then(|ticks| self.index.get(ticks))
            .copied()
    }
}

/// A concentration must be a finite number, not negative.
#[inline]
fn check(column: Column, value: f64) -> Result<(), AqiError> {
    // The bits of a non-negative finite f64 are below those of +∞; negative numbers (sign bit)
    // and NaN are above. −0 is the one negative zero to let through.
    if value.to_bits() < f64::INFINITY.to_bits() || value == 0.0 {
        Ok(())
    } else {
        Err(invalid(column, value))
    }
}

#[cold]
fn invalid(column: Column, value: f64) -> AqiError {
    if value.is_finite() {
        AqiError::Negative {
            field: column.key(),
            value,
        }
    } else {
        AqiError::NotFinite {
            field: column.key(),
        }
    }
}

/// A checked concentration rounded as the table reports it.
#[inline]
fn round_checked(table: &Table, column: Column, value: f64) -> i64 {
    round_half_even(value * table.scales[column.index()].factor)
}

/// 2^52: from here to 2^53 the f64 numbers are exactly the integers.
const TWO_TO_52: f64 = 4_503_599_627_370_496.0;

/// x rounded to an integer, half to even; x finite and not negative. Saturates at 2^52 − 1,
/// far above any table.
///
/// Adding 2^52 leaves no bits for a fraction, so the addition itself rounds, and IEEE 754's
/// default rounding is to nearest, ties to even — GB/T 8170's rule; the integer is then the
/// low bits of the sum. (`f64::round_ties_even` is a library call on baseline x86-64.)
#[inline]
fn round_half_even(x: f64) -> i64 {
    let sum = x.min(TWO_TO_52 - 1.0) + TWO_TO_52;
    (sum.to_bits() - TWO_TO_52.to_bits()) as i64
}

impl Table {
    /// A concentration rounded as this version reports it: to [`Table::decimals`] places,
    /// half to even (GB/T 8170), in units of 10^-decimals. Checks it is finite and not negative.
    pub fn round(&self, column: Column, value: f64) -> Result<i64, AqiError> {
        check(column, value)?;
        Ok(round_checked(self, column, value))
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
    // Given columns the report does not use are checked too; the used ones in the loop below.
    for column in readings.given.without(period.column_set()).iter() {
        check(column, readings.values[column.index()])?;
    }
    let mut codes = [0u16; 10];
    let mut counted = ColumnSet::EMPTY;
    let mut special_rule_applied = ColumnSet::EMPTY;
    for &column in period.columns() {
        if !readings.given.contains(column) {
            continue;
        }
        let value = readings.values[column.index()];
        check(column, value)?;
        let ticks = round_checked(table, column, value);
        let (target, code) = match table.scales[column.index()].index_of(ticks) {
            Some(code) => (column, code),
            None => {
                let rule = table.scales[column.index()].above_top;
                special_rule_applied.insert_if(column, rule != AboveTop::BeyondScale);
                above_top(table, column, readings)?
            }
        };
        codes[target.index()] = code;
        counted.insert(target);
    }
    if counted.is_empty() {
        return Err(AqiError::NoReadings { period });
    }
    // Columns not counted hold 0, which neither raises the maximum nor exceeds.
    let aqi = codes.iter().copied().max().unwrap_or(0);
    let any_primary = u16::from(aqi > table.good_top);
    let (mut primary, mut exceeding) = (0u16, 0u16);
    let mut bits = counted.bits();
    while bits != 0 {
        let bit = bits.trailing_zeros();
        bits &= bits - 1;
        let code = codes[bit as usize % 10];
        primary |= (u16::from(code == aqi) & any_primary) << bit;
        exceeding |= u16::from(code > table.exceeding_above) << bit;
    }
    let primary_pollutants = ColumnSet::from_bits(primary);
    let exceeding_pollutants = ColumnSet::from_bits(exceeding);
    let aqi = Iaqi::from_code(aqi);
    Ok(Report {
        table,
        period,
        aqi,
        level: Level::of(aqi),
        primary_pollutants,
        exceeding_pollutants,
        special_rule_applied,
        counted,
        codes,
        given: readings.given,
        values: readings.values,
    })
}

/// A concentration above its column's top: beyond the scale, or the version's special rule
/// (a fixed index, or the pollutant's other column standing in). Returns the column that
/// carries the index and its code.
#[cold]
fn above_top(
    table: &Table,
    column: Column,
    readings: &Readings,
) -> Result<(Column, u16), AqiError> {
    Ok(match table.scales[column.index()].above_top {
        AboveTop::BeyondScale => (column, BEYOND),
        AboveTop::FixedIaqi(value) => (column, value),
        AboveTop::UseColumn(other) => {
            if !readings.given.contains(other) {
                return Err(AqiError::Needed {
                    field: other.key(),
                    because: column.key(),
                    standard: table.standard.name(),
                });
            }
            // The data check makes sure a stand-in has no rule of its own.
            let code = table.scales[other.index()]
                .index_of(round_checked(table, other, readings.values[other.index()]))
                .unwrap_or(BEYOND);
            (other, code)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_to_even() {
        let cases = [
            (0.0, 0),
            (0.4, 0),
            (0.5, 0),
            (0.6, 1),
            (1.5, 2),
            (2.5, 2),
            (2.5000001, 3),
            (3.5, 4),
            (123_456.5, 123_456),
            (123_457.5, 123_458),
            (4_503_599_627_370_495.0, 4_503_599_627_370_495),
            (1e300, 4_503_599_627_370_495),
        ];
        for (x, expected) in cases {
            assert_eq!(round_half_even(x), expected, "{x}");
            if x < 1e15 {
                assert_eq!(round_half_even(x), x.round_ties_even() as i64, "{x}");
            }
        }
        // Every half (the ties) and every tenth up to far beyond any table, against the
        // library's rounding.
        for n in 0..200_000u32 {
            for x in [f64::from(n) / 2.0, f64::from(n) / 10.0] {
                assert_eq!(round_half_even(x), x.round_ties_even() as i64, "{x}");
            }
        }
    }
}
