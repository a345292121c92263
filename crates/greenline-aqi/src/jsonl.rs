//! JSON Lines: one reading a line in, the same line with its index added out.
//!
//! Input: a JSON object with any of the columns' keys (`so2_24h` … `o3_8h`; numbers, or `null`
//! for missing), and optionally `standard` (`"2012"` | `"2026"`), `period` (`"hourly"` |
//! `"daily"`) and `date` (`YYYY-MM-DD`, or a date-time starting with it). Without `standard`,
//! the version in force on `date` is used, or on the caller's day. Every input field passes
//! through unchanged; the output adds:
//!
//! | field | |
//! |---|---|
//! | `aqi` | integer, or the string `">500"` beyond the scale |
//! | `iaqi` | column → integer (or `">500"`), for the columns that counted |
//! | `level` | 1–6 |
//! | `category` | 优 … 严重污染 |
//! | `category_en` | Excellent … Severely polluted |
//! | `colour` | `#RRGGBB` |
//! | `primary_pollutants` | columns, empty when AQI ≤ 50 |
//! | `exceeding_pollutants` | columns with IAQI > 100 |
//! | `beyond_scale` | true when the AQI is above the scale |
//! | `standard` | `"2012"` or `"2026"` (kept as given when the input names it) |
//! | `standard_name` | `HJ 633-2012` or `HJ 633—2026` |
//! | `table_from` | the first day of the table (version phase) that produced the numbers |

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::column::{Column, ColumnSet, Period};
use crate::data::Standard;
use crate::engine::{Iaqi, Readings, Report, compute};
use crate::error::AqiError;

/// The fields the index adds (besides `standard`, which passes through when given).
pub const ADDED_FIELDS: [&str; 11] = [
    "aqi",
    "iaqi",
    "level",
    "category",
    "category_en",
    "colour",
    "primary_pollutants",
    "exceeding_pollutants",
    "beyond_scale",
    "standard_name",
    "table_from",
];

/// What a line gets when it does not say.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    /// The caller's day, for lines with neither `standard` nor `date`.
    pub today: NaiveDate,
    /// For lines without `period`; `None` makes `period` required.
    pub period: Option<Period>,
    /// For lines without `standard`, instead of the version in force on their date.
    pub standard: Option<Standard>,
}

/// The line with its index added.
pub fn annotate(
    mut line: Map<String, Value>,
    defaults: &Defaults,
) -> Result<Map<String, Value>, AqiError> {
    if let Some(field) = ADDED_FIELDS.iter().find(|field| line.contains_key(**field)) {
        return Err(AqiError::Reserved { field });
    }
    let mut readings = Readings::new();
    for column in Column::ALL {
        match line.get(column.key()) {
            None | Some(Value::Null) => {}
            Some(Value::Number(number)) => match number.as_f64() {
                Some(value) => readings.set(column, value),
                None => {
                    return Err(AqiError::NotNumeric {
                        field: column.key(),
                        found: number.to_string(),
                    });
                }
            },
            Some(other) => {
                return Err(AqiError::NotNumeric {
                    field: column.key(),
                    found: other.to_string(),
                });
            }
        }
    }
    let date = match line.get("date") {
        None | Some(Value::Null) => None,
        Some(value) => Some(date(value)?),
    };
    let standard = match line.get("standard") {
        None | Some(Value::Null) => defaults
            .standard
            .unwrap_or_else(|| Standard::in_force_on(date.unwrap_or(defaults.today))),
        Some(value) => standard(value)?,
    };
    let period = match line.get("period") {
        None | Some(Value::Null) => defaults.period.ok_or(AqiError::Invalid {
            field: "period",
            found: String::new(),
            expected: "hourly, daily",
        })?,
        Some(value) => {
            value
                .as_str()
                .and_then(Period::from_key)
                .ok_or_else(|| AqiError::Invalid {
                    field: "period",
                    found: value.to_string(),
                    expected: "hourly, daily",
                })?
        }
    };
    let table = standard.table_on(date.unwrap_or(defaults.today));
    let report = compute(table, period, &readings)?;
    add(&mut line, &report);
    Ok(line)
}

/// One line of text in, one line of text out (without its newline).
pub fn annotate_line(text: &str, defaults: &Defaults) -> Result<String, AqiError> {
    let line: Map<String, Value> =
        serde_json::from_str(text).map_err(|error| AqiError::NotJson {
            message: error.to_string(),
        })?;
    let line = annotate(line, defaults)?;
    Ok(Value::Object(line).to_string())
}

fn date(value: &Value) -> Result<NaiveDate, AqiError> {
    let invalid = || AqiError::Invalid {
        field: "date",
        found: value.to_string(),
        expected: "a date YYYY-MM-DD",
    };
    let text = value.as_str().ok_or_else(invalid)?;
    let day = text.get(..10).ok_or_else(invalid)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| invalid())
}

fn standard(value: &Value) -> Result<Standard, AqiError> {
    let code = match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    };
    code.as_deref()
        .and_then(Standard::from_code)
        .ok_or_else(|| AqiError::Invalid {
            field: "standard",
            found: value.to_string(),
            expected: "2012, 2026",
        })
}

fn index(iaqi: Iaqi) -> Value {
    match iaqi {
        Iaqi::Value(value) => Value::from(value),
        Iaqi::BeyondScale => Value::from(iaqi.to_string()),
    }
}

fn columns(set: ColumnSet) -> Value {
    Value::Array(set.iter().map(|column| Value::from(column.key())).collect())
}

fn add(line: &mut Map<String, Value>, report: &Report) {
    let level = report.level;
    line.insert("aqi".into(), index(report.aqi));
    line.insert(
        "iaqi".into(),
        Value::Object(
            report
                .iaqis()
                .map(|(column, iaqi)| (column.key().to_owned(), index(iaqi)))
                .collect(),
        ),
    );
    line.insert("level".into(), Value::from(level.number));
    line.insert("category".into(), Value::from(level.category_zh.as_str()));
    line.insert(
        "category_en".into(),
        Value::from(level.category_en.as_str()),
    );
    line.insert("colour".into(), Value::from(level.rgb.as_str()));
    line.insert(
        "primary_pollutants".into(),
        columns(report.primary_pollutants),
    );
    line.insert(
        "exceeding_pollutants".into(),
        columns(report.exceeding_pollutants),
    );
    line.insert(
        "beyond_scale".into(),
        Value::from(report.aqi.is_beyond_scale()),
    );
    line.entry("standard")
        .or_insert_with(|| Value::from(report.standard().code()));
    line.insert(
        "standard_name".into(),
        Value::from(report.standard().name()),
    );
    line.insert(
        "table_from".into(),
        Value::from(report.table.valid_from.to_string()),
    );
}
