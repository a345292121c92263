//! The layout of the Beijing PM2.5 series shipped in `crates/greenline/data/air/` (UCI "Beijing
//! PM2.5 Data": `No,year,month,day,hour,pm2.5,…`, Beijing time, `NA` for a missing value), read
//! into hourly values of one station.

use chrono::NaiveDate;

use crate::error::AqiError;
use crate::station::{Hourly, Pollutant, first_hour_of_day};

/// The header's first fields, by which the layout is recognised.
pub const HEADER_START: &str = "No,year,month,day,hour,pm2.5";

/// Whether a CSV header line is the Beijing series' layout.
pub fn is_beijing_header(line: &str) -> bool {
    line.trim_start_matches('\u{feff}')
        .starts_with(HEADER_START)
}

/// Every row of the series, in file order, PM2.5 only (`NA` is a missing value). Errors name
/// the line and field.
pub fn read(reader: impl std::io::Read) -> Result<Vec<Hourly>, AqiError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(reader);
    let header = csv.headers().map_err(|e| bad(1, "header", e.to_string()))?;
    let header: Vec<&str> = header.iter().collect();
    if header.get(1..6) != Some(&["year", "month", "day", "hour", "pm2.5"][..]) {
        return Err(bad(
            1,
            "header",
            format!("expected {HEADER_START},…, got {}", header.join(",")),
        ));
    }
    let mut hours = Vec::with_capacity(44_000);
    for (index, record) in csv.records().enumerate() {
        let line = index as u64 + 2;
        let record = record.map_err(|e| bad(line, "row", e.to_string()))?;
        let int = |i: usize, field: &'static str| -> Result<u32, AqiError> {
            let text = record.get(i).unwrap_or("").trim();
            text.parse().map_err(|_| {
                bad(
                    line,
                    field,
                    format!("expected a whole number, got {text:?}"),
                )
            })
        };
        let (year, month, day, hour) = (
            int(1, "year")?,
            int(2, "month")?,
            int(3, "day")?,
            int(4, "hour")?,
        );
        let date = i32::try_from(year)
            .ok()
            .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
            .ok_or_else(|| bad(line, "day", format!("no such date {year}-{month}-{day}")))?;
        if hour > 23 {
            return Err(bad(
                line,
                "hour",
                format!("{hour} is not an hour of the day"),
            ));
        }
        let text = record.get(5).unwrap_or("").trim();
        let pm25 = match text {
            "NA" | "" => None,
            _ => {
                let value: f64 = text
                    .parse()
                    .map_err(|_| bad(line, "pm2.5", format!("expected a number, got {text:?}")))?;
                if !value.is_finite() || value < 0.0 {
                    return Err(bad(
                        line,
                        "pm2.5",
                        format!("a concentration cannot be {value}"),
                    ));
                }
                Some(value)
            }
        };
        let mut values = [None; 6];
        values[Pollutant::Pm25.index()] = pm25;
        hours.push(Hourly {
            hour: first_hour_of_day(date) + i64::from(hour),
            values,
        });
    }
    Ok(hours)
}

fn bad(line: u64, field: &'static str, message: String) -> AqiError {
    AqiError::BadRow {
        line,
        field,
        message,
    }
}
