//! The table's columns (a pollutant and its averaging time) and the two kinds of report.

use std::fmt;

/// A column of the breakpoint table: a pollutant and its averaging time. Keys are the table's
/// (`pm25_24h`, `o3_8h`, …); see [`Column::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// SO₂ 24-hour mean, µg/m³.
    So2H24,
    /// SO₂ 1-hour mean, µg/m³ (real-time reports only).
    So2H1,
    /// NO₂ 24-hour mean, µg/m³.
    No2H24,
    /// NO₂ 1-hour mean, µg/m³ (real-time reports only).
    No2H1,
    /// PM10 24-hour mean, µg/m³; real-time reports put the hourly value here.
    Pm10H24,
    /// PM2.5 24-hour mean, µg/m³; real-time reports put the hourly value here.
    Pm25H24,
    /// CO 24-hour mean, mg/m³.
    CoH24,
    /// CO 1-hour mean, mg/m³ (real-time reports only).
    CoH1,
    /// O₃ 1-hour mean (a daily report takes the day's largest), µg/m³.
    O3H1,
    /// O₃ 8-hour running mean (a daily report takes the day's largest), µg/m³.
    O3H8,
}

impl Column {
    /// Every column, in the order of the keys' list.
    pub const ALL: [Column; 10] = [
        Column::So2H24,
        Column::So2H1,
        Column::No2H24,
        Column::No2H1,
        Column::Pm10H24,
        Column::Pm25H24,
        Column::CoH24,
        Column::CoH1,
        Column::O3H1,
        Column::O3H8,
    ];

    /// The column's key, as in the data files and in JSON: `so2_24h`, …, `o3_8h`.
    pub const fn key(self) -> &'static str {
        match self {
            Column::So2H24 => "so2_24h",
            Column::So2H1 => "so2_1h",
            Column::No2H24 => "no2_24h",
            Column::No2H1 => "no2_1h",
            Column::Pm10H24 => "pm10_24h",
            Column::Pm25H24 => "pm25_24h",
            Column::CoH24 => "co_24h",
            Column::CoH1 => "co_1h",
            Column::O3H1 => "o3_1h",
            Column::O3H8 => "o3_8h",
        }
    }

    /// The column a key names, if any.
    pub fn from_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|column| column.key() == key)
    }

    /// The pollutant's short name: the key without its averaging time (`pm25`, `o3`, …).
    pub fn pollutant(self) -> &'static str {
        let key = self.key();
        key.split_once('_').map_or(key, |(pollutant, _)| pollutant)
    }

    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Column {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A set of columns, without allocation (the primary and exceeding pollutants of a report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ColumnSet(u16);

impl ColumnSet {
    /// No columns.
    pub const EMPTY: ColumnSet = ColumnSet(0);

    pub fn insert(&mut self, column: Column) {
        self.0 |= 1 << column.index();
    }

    pub(crate) fn insert_if(&mut self, column: Column, condition: bool) {
        self.0 |= u16::from(condition) << column.index();
    }

    pub(crate) const fn bits(self) -> u16 {
        self.0
    }

    pub(crate) const fn from_bits(bits: u16) -> ColumnSet {
        ColumnSet(bits)
    }

    /// The columns of this set that are not in `other`.
    #[must_use]
    pub const fn without(self, other: ColumnSet) -> ColumnSet {
        ColumnSet(self.0 & !other.0)
    }

    pub fn remove(&mut self, column: Column) {
        self.0 &= !(1 << column.index());
    }

    pub fn contains(self, column: Column) -> bool {
        self.0 & (1 << column.index()) != 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The columns, in the order of [`Column::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Column> {
        let mut bits = self.0;
        std::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let index = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Column::ALL.get(index).copied()
        })
    }
}

impl FromIterator<Column> for ColumnSet {
    fn from_iter<I: IntoIterator<Item = Column>>(columns: I) -> Self {
        let mut set = ColumnSet::EMPTY;
        for column in columns {
            set.insert(column);
        }
        set
    }
}

/// The kind of report: real-time (实时报, from 1-hour values) or daily (日报, from 24-hour means,
/// O₃'s daily largest 1-hour value and daily largest 8-hour running mean).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Hourly,
    Daily,
}

impl Period {
    /// The columns whose index counts in this kind of report. The SO₂, NO₂ and CO 1-hour
    /// columns are for real-time reports only; particulate matter has no 1-hour column, so a
    /// real-time report applies the hourly value to the 24-hour column.
    pub const fn columns(self) -> &'static [Column] {
        match self {
            Period::Hourly => &[
                Column::So2H1,
                Column::No2H1,
                Column::Pm10H24,
                Column::Pm25H24,
                Column::CoH1,
                Column::O3H1,
                Column::O3H8,
            ],
            Period::Daily => &[
                Column::So2H24,
                Column::No2H24,
                Column::Pm10H24,
                Column::Pm25H24,
                Column::CoH24,
                Column::O3H1,
                Column::O3H8,
            ],
        }
    }

    /// [`Period::columns`] as a set.
    pub const fn column_set(self) -> ColumnSet {
        const HOURLY: ColumnSet = set_of(Period::Hourly.columns());
        const DAILY: ColumnSet = set_of(Period::Daily.columns());
        match self {
            Period::Hourly => HOURLY,
            Period::Daily => DAILY,
        }
    }

    /// `hourly` or `daily`.
    pub const fn key(self) -> &'static str {
        match self {
            Period::Hourly => "hourly",
            Period::Daily => "daily",
        }
    }

    /// The period a key names, if any.
    pub fn from_key(key: &str) -> Option<Period> {
        match key {
            "hourly" => Some(Period::Hourly),
            "daily" => Some(Period::Daily),
            _ => None,
        }
    }

    /// The one column of this kind of report that a pollutant's short name (`pm25`, `so2`, …)
    /// stands for; `None` if there is none or more than one (`o3` has a 1-hour and an 8-hour
    /// column in both kinds of report).
    pub fn column_for(self, pollutant: &str) -> Option<Column> {
        let mut found = self
            .columns()
            .iter()
            .filter(|column| column.pollutant() == pollutant);
        match (found.next(), found.next()) {
            (Some(column), None) => Some(*column),
            _ => None,
        }
    }
}

const fn set_of(columns: &[Column]) -> ColumnSet {
    let mut bits = 0u16;
    let mut i = 0;
    while i < columns.len() {
        bits |= 1 << columns[i].index();
        i += 1;
    }
    ColumnSet(bits)
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}
