//! A day's air in one or two plain Chinese sentences (用最简单通俗的语言): the level and what it
//! means, the pollutant that drives it and how far it is from its GB 3095-2012 grade II limit,
//! the official advice for the level, and how the day compares with yesterday and with the same
//! day last year.
//!
//! Every number in the text is a field of [`DaySummary`], computed exactly, so tests (and pages
//! that show the numbers beside the text) can check the words against the figures.

use std::fmt::Write;

use crate::column::Column;
use crate::data::{GradeTwoLimit, Level, pollutant_name};
use crate::engine::{Iaqi, Report};

/// What the sentence is made of, beside the text itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySummary {
    /// One or two sentences.
    pub text: String,
    pub aqi: Iaqi,
    pub level: &'static Level,
    /// The primary pollutants, with how far each is from its limit.
    pub drivers: Vec<Driver>,
    pub change_from_yesterday: Option<Change>,
    pub change_from_last_year: Option<Change>,
}

/// A primary pollutant and its concentration as a multiple of its grade II limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Driver {
    pub column: Column,
    /// Concentration ÷ limit, in tenths, rounded half up (15 is 1.5 times the limit).
    pub times_limit_tenths: i64,
    /// Whether the concentration is above the limit (exactly, not from the rounded ratio).
    pub above_limit: bool,
}

/// How the AQI moved from an earlier day, in whole percent of the earlier AQI (rounded half
/// away from zero). Positive is better (a lower AQI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub improvement_percent: i64,
}

impl Change {
    /// The change from `earlier` to `today`; `None` when either is beyond the scale or the
    /// earlier AQI is 0 (no percentage of nothing).
    pub fn between(earlier: Iaqi, today: Iaqi) -> Option<Change> {
        let earlier = i64::from(earlier.value()?);
        let today = i64::from(today.value()?);
        if earlier == 0 {
            return None;
        }
        let numerator = 100 * (earlier - today);
        let rounded = (2 * numerator + numerator.signum() * earlier) / (2 * earlier);
        Some(Change {
            improvement_percent: rounded,
        })
    }

    fn phrase(self, against: &str) -> String {
        match self.improvement_percent {
            0 => format!("与{against}持平"),
            p if p > 0 => format!("比{against}改善{p}%"),
            p => format!("比{against}加重{}%", -p),
        }
    }
}

/// A day's report in words, as today's.
///
/// `yesterday` and `last_year` are those days' AQI, when known.
pub fn day_summary(today: &Report, yesterday: Option<Iaqi>, last_year: Option<Iaqi>) -> DaySummary {
    day_summary_named(today, yesterday, last_year, "今天")
}

/// A day's report in words, the day called `day` (今天, or its date when it is not today);
/// "yesterday" then means the day before it.
pub fn day_summary_named(
    today: &Report,
    yesterday: Option<Iaqi>,
    last_year: Option<Iaqi>,
    day: &str,
) -> DaySummary {
    let level = today.level;
    let drivers: Vec<Driver> = today
        .primary_pollutants
        .iter()
        .filter_map(|column| {
            let concentration = today.rounded_concentration(column)?;
            let (times_limit_tenths, above_limit) = against_limit(
                concentration,
                today.table.decimals(column),
                GradeTwoLimit::of(column),
            );
            Some(Driver {
                column,
                times_limit_tenths,
                above_limit,
            })
        })
        .collect();
    let change_from_yesterday = yesterday.and_then(|earlier| Change::between(earlier, today.aqi));
    let change_from_last_year = last_year.and_then(|earlier| Change::between(earlier, today.aqi));

    let mut text = String::new();
    let aqi = match today.aqi {
        Iaqi::Value(value) => value.to_string(),
        Iaqi::BeyondScale => format!("超过{}，超出指数上限", Iaqi::scale_top()),
    };
    let _ = write!(
        text,
        "{day}空气质量{}（{}，AQI {}），{}",
        level.category_zh, level.name_zh, aqi, level.health_effect
    );
    if !drivers.is_empty() {
        let same_pollutant_twice = drivers.iter().any(|a| {
            drivers
                .iter()
                .any(|b| a.column != b.column && a.column.pollutant() == b.column.pollutant())
        });
        let name = |column: Column| {
            if same_pollutant_twice {
                format!(
                    "{}（{}）",
                    pollutant_name(column),
                    GradeTwoLimit::of(column).averaging
                )
            } else {
                pollutant_name(column).to_owned()
            }
        };
        let names: Vec<String> = drivers.iter().map(|driver| name(driver.column)).collect();
        let _ = write!(text, "；首要污染物是{}", names.join("和"));
        for driver in &drivers {
            let tenths = driver.times_limit_tenths;
            if driver.above_limit {
                let _ = write!(
                    text,
                    "，{}浓度约为二级标准的{}.{}倍",
                    name(driver.column),
                    tenths / 10,
                    tenths % 10
                );
            } else {
                let _ = write!(text, "，{}浓度未超过二级标准", name(driver.column));
            }
        }
    }
    text.push('。');
    text.push_str(level.advice(today.standard()).text);
    let changes: Vec<String> = [
        change_from_yesterday.map(|change| {
            change.phrase(if day == "今天" {
                "昨天"
            } else {
                "前一天"
            })
        }),
        change_from_last_year.map(|change| change.phrase("去年同期")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !changes.is_empty() {
        let _ = write!(text, "；空气质量指数{}", changes.join("，"));
    }
    text.push('。');
    DaySummary {
        text,
        aqi: today.aqi,
        level,
        drivers,
        change_from_yesterday,
        change_from_last_year,
    }
}

/// Concentration ÷ limit in tenths (rounded half up) and whether it is above the limit, from
/// exact integers.
fn against_limit(concentration: i64, decimals: u32, limit: &GradeTwoLimit) -> (i64, bool) {
    // (c / 10^dc) ÷ (L / 10^dl) = c·10^dl / (L·10^dc)
    let numerator = i128::from(concentration) * 10i128.pow(limit.decimals);
    let denominator = i128::from(limit.scaled) * 10i128.pow(decimals);
    let tenths = (20 * numerator + denominator) / (2 * denominator);
    (
        i64::try_from(tenths).unwrap_or(i64::MAX),
        numerator > denominator,
    )
}
