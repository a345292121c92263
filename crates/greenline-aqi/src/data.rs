//! The tables of `data/aqi/`, parsed once: breakpoints per version and phase, the special rules
//! above a column's top, rounding, levels and advice, grade II limits, names, the US EPA scale.
//!
//! The files ship inside the binary, so a broken file is a defect of the build, not of the
//! user's input: parsing panics with the file and line, and the crate's tests parse every file.

use std::collections::HashMap;
use std::fmt;
use std::sync::LazyLock;

use chrono::NaiveDate;

use crate::column::Column;
use crate::engine::Iaqi;

const HJ633_2012: &str = include_str!("../data/aqi/hj633-2012.csv");
const HJ633_2026: &str = include_str!("../data/aqi/hj633-2026.csv");
const ABOVE_TOP: &str = include_str!("../data/aqi/above_top.csv");
const ROUNDING: &str = include_str!("../data/aqi/rounding.csv");
const LEVELS: &str = include_str!("../data/aqi/levels.csv");
const ADVICE_2026: &str = include_str!("../data/aqi/advice-2026.csv");
const LIMITS: &str = include_str!("../data/aqi/gb3095-2012-limits.csv");
const POLLUTANTS: &str = include_str!("../data/aqi/pollutants.csv");
pub(crate) const US_EPA_PM25: &str = include_str!("../data/aqi/us-epa-2024-pm25.csv");

/// A version of the technical rule HJ 633 (环境空气质量指数（AQI）技术规定).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standard {
    /// HJ 633-2012, with GB 3095-2012 (nationwide from 2016-01-01).
    Hj2012,
    /// HJ 633—2026, with GB 3095—2026 (from 2026-03-01).
    Hj2026,
}

impl Standard {
    pub const ALL: [Standard; 2] = [Standard::Hj2012, Standard::Hj2026];

    /// `2012` or `2026`, as the `standard` input field and `--standard` take it.
    pub const fn code(self) -> &'static str {
        match self {
            Standard::Hj2012 => "2012",
            Standard::Hj2026 => "2026",
        }
    }

    /// The standard's name as it is cited: `HJ 633-2012`, `HJ 633—2026`.
    pub const fn name(self) -> &'static str {
        match self {
            Standard::Hj2012 => "HJ 633-2012",
            Standard::Hj2026 => "HJ 633—2026",
        }
    }

    /// The version a code (`2012`, `2026`) names, if any.
    pub fn from_code(code: &str) -> Option<Standard> {
        Standard::ALL
            .into_iter()
            .find(|standard| standard.code() == code)
    }

    /// The version in force on a day: the latest whose first table applies by then (HJ 633—2026
    /// from 2026-03-01). Days before any version came into force get the oldest.
    pub fn in_force_on(date: NaiveDate) -> Standard {
        Standard::ALL
            .into_iter()
            .filter(|standard| standard.phases()[0].valid_from <= date)
            .max_by_key(|standard| standard.phases()[0].valid_from)
            .unwrap_or(Standard::Hj2012)
    }

    /// This version's table for a day: its latest phase that applies by then, or its first
    /// phase for days before it came into force (when a caller asks for it explicitly).
    pub fn table_on(self, date: NaiveDate) -> &'static Table {
        let phases = self.phases();
        phases
            .iter()
            .rev()
            .find(|table| table.valid_from <= date)
            .unwrap_or(&phases[0])
    }

    /// Every phase of this version's table, earliest first (never empty).
    pub fn phases(self) -> &'static [Table] {
        match self {
            Standard::Hj2012 => &DATA.hj2012,
            Standard::Hj2026 => &DATA.hj2026,
        }
    }
}

impl fmt::Display for Standard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One breakpoint table: a version of HJ 633 from a day on.
#[derive(Debug)]
pub struct Table {
    pub standard: Standard,
    /// The first day this table applies.
    pub valid_from: NaiveDate,
    pub(crate) scales: [Scale; 10],
    /// The top of 一级 (no primary pollutant at or below it) and of 二级 (a pollutant above it
    /// exceeds), from the levels.
    pub(crate) good_top: u16,
    pub(crate) exceeding_above: u16,
}

impl Table {
    /// The number of decimal places a column's concentration is rounded to before the index.
    pub fn decimals(&self, column: Column) -> u32 {
        self.scales[column.index()].decimals
    }

    /// The breakpoints of a column, `(concentration, IAQI)`, lowest first; concentrations in
    /// units of 10^-[`Table::decimals`].
    pub fn breakpoints(&self, column: Column) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.scales[column.index()]
            .points
            .iter()
            .map(|point| (point.ticks, point.iaqi))
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (table from {})", self.standard, self.valid_from)
    }
}

/// One column of a table, with its rounding and its rule above the top.
#[derive(Debug)]
pub(crate) struct Scale {
    pub(crate) decimals: u32,
    /// 10^decimals.
    pub(crate) factor: f64,
    pub(crate) points: Box<[Point]>,
    /// The index of every concentration from 0 to the top, worked once with exact integer
    /// arithmetic from the points: the hot path is then one bounds check and one load.
    pub(crate) index: Box<[u16]>,
    pub(crate) above_top: AboveTop,
}

impl Scale {
    /// IAQI_Lo + ceil((IAQI_Hi − IAQI_Lo)(C − BP_Lo) / (BP_Hi − BP_Lo)) for every C from 0 to
    /// the top, on the segment BP_Lo ≤ C ≤ BP_Hi (continuous, so the segment a breakpoint is
    /// given to does not matter).
    fn index_table(points: &[Point]) -> Box<[u16]> {
        let top = points[points.len() - 1].ticks;
        (0..=top)
            .map(|ticks| {
                let at = points
                    .windows(2)
                    .find(|pair| ticks <= pair[1].ticks)
                    .unwrap_or_else(|| unreachable!("ticks ≤ top"));
                let (lo, hi) = (at[0], at[1]);
                let numerator = (hi.iaqi - lo.iaqi) * (ticks - lo.ticks);
                let index = lo.iaqi
                    + numerator.div_euclid(hi.ticks - lo.ticks)
                    + i64::from(numerator.rem_euclid(hi.ticks - lo.ticks) != 0);
                u16::try_from(index).unwrap_or_else(|_| panic!("IAQI {index} does not fit"))
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    /// The concentration in units of 10^-decimals.
    pub(crate) ticks: i64,
    pub(crate) iaqi: i64,
}

/// What a concentration above a column's top breakpoint gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AboveTop {
    /// An index above 500: beyond the scale.
    BeyondScale,
    /// No index from this column; the pollutant's index comes from another column.
    UseColumn(Column),
    /// A fixed index.
    FixedIaqi(u16),
}

/// An AQI level (级别) with its category (类别), colour and health information.
#[derive(Debug, PartialEq, Eq)]
pub struct Level {
    /// 1 to 6.
    pub number: u8,
    pub aqi_lo: u16,
    /// `None` for the top level (no upper end, including beyond the scale).
    pub aqi_hi: Option<u16>,
    /// 一级 … 六级.
    pub name_zh: String,
    /// 优 … 严重污染.
    pub category_zh: String,
    pub category_en: String,
    /// 绿色 … 褐红色.
    pub colour_zh: String,
    /// `#RRGGBB`.
    pub rgb: String,
    /// 对健康影响情况.
    pub health_effect: String,
    advice_2012: String,
}

impl Level {
    /// The level of an index.
    #[inline]
    pub fn of(aqi: Iaqi) -> &'static Level {
        let levels = &DATA.levels;
        let top = &levels[levels.len() - 1];
        match aqi {
            Iaqi::BeyondScale => top,
            Iaqi::Value(value) => match DATA.level_of.get(usize::from(value)) {
                Some(index) => &levels[usize::from(*index)],
                None => levels
                    .iter()
                    .find(|level| level.aqi_hi.is_none_or(|hi| value <= hi))
                    .unwrap_or(top),
            },
        }
    }

    /// Every level, 一级 first.
    pub fn all() -> &'static [Level] {
        &DATA.levels
    }

    /// The advice (建议采取的措施) of this level under a version of the standard.
    pub fn advice(&self, standard: Standard) -> Advice {
        if standard == Standard::Hj2026
            && let Some((text, verified)) = DATA.advice_2026.get(&self.number)
        {
            return Advice {
                text,
                source: Standard::Hj2026,
                verified: *verified,
            };
        }
        Advice {
            text: DATA
                .levels
                .iter()
                .find(|level| level.number == self.number)
                .map_or("", |level| level.advice_2012.as_str()),
            source: Standard::Hj2012,
            verified: true,
        }
    }
}

/// Advice for a level, with where its wording comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Advice {
    pub text: &'static str,
    /// The version whose wording this is (HJ 633—2026 levels without their own wording in
    /// `data/aqi/advice-2026.csv` use the 2012 wording).
    pub source: Standard,
    /// False when the wording could not be checked against the official text.
    pub verified: bool,
}

/// A GB 3095-2012 grade II concentration limit (二级浓度限值) of a column.
#[derive(Debug)]
pub struct GradeTwoLimit {
    pub column: Column,
    /// As written in the standard (`75`, `4`).
    pub text: String,
    /// The limit in units of 10^-`decimals`.
    pub scaled: i64,
    pub decimals: u32,
    /// 24小时平均, 1小时平均, 日最大8小时平均.
    pub averaging: String,
}

impl GradeTwoLimit {
    /// The limit of a column.
    pub fn of(column: Column) -> &'static GradeTwoLimit {
        &DATA.limits[column.index()]
    }
}

/// The Chinese name of a column's pollutant (细颗粒物, 臭氧, …).
pub fn pollutant_name(column: Column) -> &'static str {
    &DATA.names[column.index()]
}

struct Data {
    hj2012: Vec<Table>,
    hj2026: Vec<Table>,
    levels: Vec<Level>,
    /// The index into `levels` of every AQI up to the last level's start, for the hot path.
    level_of: Vec<u8>,
    advice_2026: HashMap<u8, (String, bool)>,
    limits: Vec<GradeTwoLimit>,
    names: Vec<String>,
}

static DATA: LazyLock<Data> = LazyLock::new(|| {
    let levels = levels();
    let level_of: Vec<u8> = levels
        .iter()
        .enumerate()
        .flat_map(|(index, level)| {
            let end = level.aqi_hi.unwrap_or(level.aqi_lo);
            (level.aqi_lo..=end).map(move |_| u8::try_from(index).unwrap_or(u8::MAX))
        })
        .collect();
    Data {
        hj2012: tables(Standard::Hj2012, "hj633-2012.csv", HJ633_2012, &levels),
        hj2026: tables(Standard::Hj2026, "hj633-2026.csv", HJ633_2026, &levels),
        levels,
        level_of,
        advice_2026: advice_2026(),
        limits: limits(),
        names: names(),
    }
});

/// Parses every embedded table now, so that a broken build fails at start-up rather than on
/// the first reading (the tables are otherwise parsed on first use).
pub fn load() {
    LazyLock::force(&DATA);
    LazyLock::force(&crate::epa::SCALE);
}

/// The records of an embedded CSV file, with its line numbers and header.
pub(crate) fn records(
    file: &str,
    text: &str,
) -> (csv::StringRecord, Vec<(u64, csv::StringRecord)>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap_or_else(|error| panic!("data/aqi/{file}: header: {error}"))
        .clone();
    let rows = reader
        .records()
        .map(|record| {
            let record = record.unwrap_or_else(|error| panic!("data/aqi/{file}: {error}"));
            let line = record.position().map_or(0, |position| position.line());
            (line, record)
        })
        .collect();
    (header, rows)
}

/// A decimal number as written (`2`, `0.5`, `325.4`) in units of 10^-decimals, exactly; `None`
/// if it is not a plain non-negative decimal or has more places.
pub(crate) fn scaled(text: &str, decimals: u32) -> Option<i64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > decimals as usize
    {
        return None;
    }
    let mut value: i64 = whole.parse().ok()?;
    for place in 0..decimals as usize {
        let digit = fraction
            .as_bytes()
            .get(place)
            .map_or(0, |b| i64::from(b - b'0'));
        value = value.checked_mul(10)?.checked_add(digit)?;
    }
    Some(value)
}

/// The number of decimal places written in a number.
pub(crate) fn places(text: &str) -> u32 {
    text.split_once('.')
        .map_or(0, |(_, fraction)| fraction.len() as u32)
}

fn field<'a>(
    file: &str,
    line: u64,
    header: &csv::StringRecord,
    record: &'a csv::StringRecord,
    name: &str,
) -> &'a str {
    header
        .iter()
        .position(|h| h == name)
        .and_then(|i| record.get(i))
        .unwrap_or_else(|| panic!("data/aqi/{file} line {line}: no {name}"))
}

fn tables(standard: Standard, file: &str, text: &str, levels: &[Level]) -> Vec<Table> {
    let rounding = rounding(standard);
    let above_top = above_top(standard);
    let (header, rows) = records(file, text);
    let mut phases: Vec<(NaiveDate, Vec<Vec<Point>>)> = Vec::new();
    for (line, record) in &rows {
        let valid_from = field(file, *line, &header, record, "valid_from");
        let valid_from = NaiveDate::parse_from_str(valid_from, "%Y-%m-%d")
            .unwrap_or_else(|error| panic!("data/aqi/{file} line {line}: valid_from: {error}"));
        let iaqi: i64 = field(file, *line, &header, record, "iaqi")
            .parse()
            .unwrap_or_else(|error| panic!("data/aqi/{file} line {line}: iaqi: {error}"));
        if phases.last().is_none_or(|(from, _)| *from != valid_from) {
            assert!(
                phases.last().is_none_or(|(from, _)| *from < valid_from),
                "data/aqi/{file} line {line}: phases must be in order of valid_from"
            );
            phases.push((valid_from, vec![Vec::new(); Column::ALL.len()]));
        }
        let Some((_, points)) = phases.last_mut() else {
            unreachable!("a phase was just pushed")
        };
        for column in Column::ALL {
            let cell = field(file, *line, &header, record, column.key());
            if cell.is_empty() {
                continue;
            }
            let decimals = rounding[column.index()];
            let ticks = scaled(cell, decimals).unwrap_or_else(|| {
                panic!("data/aqi/{file} line {line}: {column}: {cell:?} is not a concentration with at most {decimals} places")
            });
            points[column.index()].push(Point { ticks, iaqi });
        }
    }
    assert!(!phases.is_empty(), "data/aqi/{file}: no rows");
    phases
        .into_iter()
        .map(|(valid_from, points)| {
            let mut points = points.into_iter();
            let scales = Column::ALL.map(|column| {
                let points = points.next().unwrap_or_default();
                check_scale(file, valid_from, column, &points);
                let decimals = rounding[column.index()];
                Scale {
                    decimals,
                    factor: 10f64.powi(decimals as i32),
                    index: Scale::index_table(&points),
                    points: points.into_boxed_slice(),
                    above_top: above_top[column.index()],
                }
            });
            let top_of = |number: u8| {
                levels
                    .iter()
                    .find(|level| level.number == number)
                    .and_then(|level| level.aqi_hi)
                    .unwrap_or_else(|| {
                        panic!("data/aqi/levels.csv: level {number} has no upper end")
                    })
            };
            Table {
                standard,
                valid_from,
                scales,
                good_top: top_of(1),
                exceeding_above: top_of(2),
            }
        })
        .collect()
}

fn check_scale(file: &str, valid_from: NaiveDate, column: Column, points: &[Point]) {
    let context = format!("data/aqi/{file} ({valid_from}) {column}");
    assert!(
        points.len() >= 2,
        "{context}: needs at least two breakpoints"
    );
    assert!(
        points[0].ticks == 0 && points[0].iaqi == 0,
        "{context}: the first breakpoint must be concentration 0 at IAQI 0"
    );
    assert!(
        points
            .windows(2)
            .all(|w| w[0].ticks < w[1].ticks && w[0].iaqi < w[1].iaqi),
        "{context}: breakpoints must rise in both concentration and IAQI"
    );
}

fn rounding(standard: Standard) -> [u32; 10] {
    let (header, rows) = records("rounding.csv", ROUNDING);
    let mut decimals = [None; 10];
    for (line, record) in &rows {
        if field("rounding.csv", *line, &header, record, "standard") != standard.code() {
            continue;
        }
        let key = field("rounding.csv", *line, &header, record, "column");
        let column = Column::from_key(key)
            .unwrap_or_else(|| panic!("data/aqi/rounding.csv line {line}: unknown column {key:?}"));
        let method = field("rounding.csv", *line, &header, record, "method");
        assert_eq!(
            method, "half_even",
            "data/aqi/rounding.csv line {line}: only half_even (GB/T 8170) is implemented"
        );
        let places = field("rounding.csv", *line, &header, record, "decimals");
        decimals[column.index()] = Some(places.parse().unwrap_or_else(|error| {
            panic!("data/aqi/rounding.csv line {line}: decimals: {error}")
        }));
    }
    Column::ALL.map(|column| {
        decimals[column.index()].unwrap_or_else(|| {
            panic!(
                "data/aqi/rounding.csv: no rounding for {} {column}",
                standard.code()
            )
        })
    })
}

fn above_top(standard: Standard) -> [AboveTop; 10] {
    let file = "above_top.csv";
    let (header, rows) = records(file, ABOVE_TOP);
    let mut rules = [AboveTop::BeyondScale; 10];
    for (line, record) in &rows {
        if field(file, *line, &header, record, "standard") != standard.code() {
            continue;
        }
        let key = field(file, *line, &header, record, "column");
        let column = Column::from_key(key)
            .unwrap_or_else(|| panic!("data/aqi/{file} line {line}: unknown column {key:?}"));
        let argument = field(file, *line, &header, record, "argument");
        rules[column.index()] = match field(file, *line, &header, record, "rule") {
            "use_column" => AboveTop::UseColumn(Column::from_key(argument).unwrap_or_else(|| {
                panic!("data/aqi/{file} line {line}: unknown column {argument:?}")
            })),
            "fixed_iaqi" => {
                AboveTop::FixedIaqi(argument.parse().unwrap_or_else(|error| {
                    panic!("data/aqi/{file} line {line}: argument: {error}")
                }))
            }
            other => panic!("data/aqi/{file} line {line}: unknown rule {other:?}"),
        };
    }
    // A stand-in column's own rule must not send the index on again.
    for rule in rules {
        if let AboveTop::UseColumn(other) = rule {
            assert_eq!(
                rules[other.index()],
                AboveTop::BeyondScale,
                "data/aqi/{file}: {} {other} stands in for another column and must have no rule of its own",
                standard.code()
            );
        }
    }
    rules
}

fn levels() -> Vec<Level> {
    let file = "levels.csv";
    let (header, rows) = records(file, LEVELS);
    let text = |line: u64, record: &csv::StringRecord, name: &str| {
        field(file, line, &header, record, name).to_owned()
    };
    let levels: Vec<Level> = rows
        .iter()
        .map(|(line, record)| {
            let number = |name: &str| -> Option<u16> {
                let cell = field(file, *line, &header, record, name);
                (!cell.is_empty()).then(|| {
                    cell.parse().unwrap_or_else(|error| {
                        panic!("data/aqi/{file} line {line}: {name}: {error}")
                    })
                })
            };
            Level {
                number: number("level")
                    .and_then(|n| u8::try_from(n).ok())
                    .unwrap_or_else(|| panic!("data/aqi/{file} line {line}: level")),
                aqi_lo: number("aqi_lo")
                    .unwrap_or_else(|| panic!("data/aqi/{file} line {line}: aqi_lo")),
                aqi_hi: number("aqi_hi"),
                name_zh: text(*line, record, "level_zh"),
                category_zh: text(*line, record, "category_zh"),
                category_en: text(*line, record, "category_en"),
                colour_zh: text(*line, record, "colour_zh"),
                rgb: text(*line, record, "rgb"),
                health_effect: text(*line, record, "health_effect"),
                advice_2012: text(*line, record, "advice"),
            }
        })
        .collect();
    assert!(!levels.is_empty(), "data/aqi/{file}: no levels");
    for pair in levels.windows(2) {
        assert!(
            pair[0].aqi_hi.is_some_and(|hi| hi + 1 == pair[1].aqi_lo),
            "data/aqi/{file}: level {} must end just below where the next begins",
            pair[0].number
        );
    }
    assert!(
        levels[levels.len() - 1].aqi_hi.is_none(),
        "data/aqi/{file}: the top level has no upper end"
    );
    levels
}

fn advice_2026() -> HashMap<u8, (String, bool)> {
    let file = "advice-2026.csv";
    let (header, rows) = records(file, ADVICE_2026);
    rows.iter()
        .map(|(line, record)| {
            let level = field(file, *line, &header, record, "level")
                .parse()
                .unwrap_or_else(|error| panic!("data/aqi/{file} line {line}: level: {error}"));
            let verified = match field(file, *line, &header, record, "verified") {
                "yes" => true,
                "no" => false,
                other => panic!("data/aqi/{file} line {line}: verified: {other:?}, not yes|no"),
            };
            let advice = field(file, *line, &header, record, "advice").to_owned();
            (level, (advice, verified))
        })
        .collect()
}

fn limits() -> Vec<GradeTwoLimit> {
    let file = "gb3095-2012-limits.csv";
    let (header, rows) = records(file, LIMITS);
    let mut limits: Vec<Option<GradeTwoLimit>> = Column::ALL.map(|_| None).into();
    for (line, record) in &rows {
        let key = field(file, *line, &header, record, "column");
        let column = Column::from_key(key)
            .unwrap_or_else(|| panic!("data/aqi/{file} line {line}: unknown column {key:?}"));
        let text = field(file, *line, &header, record, "grade2_limit").to_owned();
        let decimals = places(&text);
        let scaled = scaled(&text, decimals)
            .filter(|value| *value > 0)
            .unwrap_or_else(|| panic!("data/aqi/{file} line {line}: grade2_limit {text:?}"));
        limits[column.index()] = Some(GradeTwoLimit {
            column,
            text,
            scaled,
            decimals,
            averaging: field(file, *line, &header, record, "averaging").to_owned(),
        });
    }
    limits
        .into_iter()
        .zip(Column::ALL)
        .map(|(limit, column)| {
            limit.unwrap_or_else(|| panic!("data/aqi/{file}: no limit for {column}"))
        })
        .collect()
}

fn names() -> Vec<String> {
    let file = "pollutants.csv";
    let (header, rows) = records(file, POLLUTANTS);
    Column::ALL
        .iter()
        .map(|column| {
            rows.iter()
                .find(|(line, record)| {
                    field(file, *line, &header, record, "column") == column.key()
                })
                .map(|(line, record)| field(file, *line, &header, record, "name_zh").to_owned())
                .unwrap_or_else(|| panic!("data/aqi/{file}: no name for {column}"))
        })
        .collect()
}
