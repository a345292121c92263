//! # greenline-aqi
//!
//! The air quality index (空气质量指数, AQI) as China's standard defines it, exactly: the
//! individual index of each pollutant (空气质量分指数, IAQI), the AQI, its level (一级…六级),
//! category (优…严重污染), colour, primary pollutants (首要污染物) and exceeding pollutants
//! (超标污染物), for real-time (hourly) and daily reports under HJ 633-2012 and HJ 633—2026. The
//! US EPA's 2024 PM2.5 scale is there for comparison. A day's result can be told in one or two
//! plain Chinese sentences ([`plain`]).
//!
//! The breakpoint tables, special rules, rounding, levels, advice and limits are data, in
//! this crate's `data/aqi/` (each file's source is noted in its README), embedded
//! and parsed once. Arithmetic is exact: concentrations are rounded to the standard's reporting
//! precision and become integers, so the standard's rounding up (向上进位) of the index is an
//! integer ceiling, never a float a hair above an integer.
//!
//! How it fits: it depends on nothing else of Greenline's. The `greenline aqi` command and the
//! web pages call it; station data (hourly means, daily means, 8-hour running means) are
//! turned into the concentrations an index needs by [`station`] (daily means under the data
//! completeness rule, O₃ 8-hour means, city means, monthly summaries). It does not fetch or
//! store measurements.
//!
//! ```
//! use greenline_aqi::{Column, Period, Readings, Standard, compute};
//! let date = chrono::NaiveDate::from_ymd_opt(2025, 6, 1).expect("a date");
//! let table = Standard::in_force_on(date).table_on(date);
//! let readings = Readings::new().with(Column::Pm25H24, 80.0).with(Column::Pm10H24, 120.0);
//! let report = compute(table, Period::Daily, &readings)?;
//! assert_eq!(report.aqi.to_string(), "107");
//! assert_eq!(report.level.category_zh, "轻度污染");
//! # Ok::<(), greenline_aqi::AqiError>(())
//! ```
#![forbid(unsafe_code)]

pub mod beijing;
mod column;
mod data;
mod engine;
mod epa;
mod error;
pub mod jsonl;
pub mod plain;
pub mod station;

pub use column::{Column, ColumnSet, Period};
pub use data::{Advice, GradeTwoLimit, Level, Standard, Table, load, pollutant_name};
pub use engine::{ColumnIaqi, Iaqi, Readings, Report, compute};
pub use epa::us_epa_pm25;
pub use error::AqiError;
