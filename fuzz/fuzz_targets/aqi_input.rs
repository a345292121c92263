//! The air quality index's input: a line of `greenline aqi --batch` (the same object the
//! `POST /api/v1/aqi` body is), and raw concentrations given to the engine directly. The first
//! byte picks which, and the defaults a line gets.
//!
//! Checks: no panic; a line that is indexed gets an AQI that is an integer from 0 to 500 or
//! `">500"` (and then `beyond_scale`), a level from 1 to 6, each pollutant's index no higher than
//! the AQI, primary pollutants only above 50 and exceeding ones only above 100.
#![no_main]

use chrono::NaiveDate;
use greenline_aqi::jsonl::{Defaults, annotate_line};
use greenline_aqi::{Column, Iaqi, Period, Readings, Standard, compute};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn check_line(line: &str) {
    let out: serde_json::Map<String, Value> =
        serde_json::from_str(line).expect("an indexed line is a JSON object");
    let top = u64::from(Iaqi::scale_top());
    let aqi = match &out["aqi"] {
        Value::Number(n) => {
            let aqi = n.as_u64().expect("the AQI is a whole number");
            assert!(aqi <= top, "AQI {aqi} above the scale's top");
            assert_eq!(out["beyond_scale"], Value::Bool(false));
            aqi
        }
        Value::String(s) => {
            assert_eq!(s, &format!(">{top}"));
            assert_eq!(out["beyond_scale"], Value::Bool(true));
            top + 1
        }
        other => panic!("AQI {other}"),
    };
    let level = out["level"].as_u64().expect("a level");
    assert!((1..=6).contains(&level), "level {level}");
    for (column, iaqi) in out["iaqi"].as_object().expect("iaqi by column") {
        let value = iaqi.as_u64().unwrap_or(top + 1);
        assert!(value <= aqi, "{column}: {value} above the AQI {aqi}");
    }
    let primary = out["primary_pollutants"].as_array().expect("a list");
    assert_eq!(
        primary.is_empty(),
        aqi <= 50,
        "primary pollutants at AQI {aqi}"
    );
    let exceeding = out["exceeding_pollutants"].as_array().expect("a list");
    assert!(
        exceeding.is_empty() || aqi > 100,
        "exceeding pollutants at AQI {aqi}"
    );
}

fuzz_target!(|data: &[u8]| {
    let [choice, rest @ ..] = data else {
        return;
    };
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date");
    if choice & 1 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let defaults = Defaults {
            today,
            period: [None, Some(Period::Daily), Some(Period::Hourly)][usize::from(choice >> 1) % 3],
            standard: [None, Some(Standard::Hj2012), Some(Standard::Hj2026)]
                [usize::from(choice >> 3) % 3],
        };
        if let Ok(line) = annotate_line(text, &defaults) {
            check_line(&line);
        }
    } else {
        // Ten concentrations as f64 bits, for the values no JSON text spells (NaN, -0, subnormals).
        let mut readings = Readings::new();
        for (column, chunk) in Column::ALL.iter().zip(rest.chunks_exact(9)) {
            if chunk[0] & 1 == 1 {
                let bits: [u8; 8] = chunk[1..].try_into().expect("eight bytes");
                readings.set(*column, f64::from_le_bytes(bits));
            }
        }
        let period = if choice & 2 == 0 {
            Period::Daily
        } else {
            Period::Hourly
        };
        for standard in Standard::ALL {
            let table = standard.table_on(today);
            if let Ok(report) = compute(table, period, &readings) {
                let top = Iaqi::Value(Iaqi::scale_top());
                assert!(report.aqi <= top || report.aqi.is_beyond_scale());
                assert!(report.iaqis().all(|(_, iaqi)| iaqi <= report.aqi));
                assert!((1..=6).contains(&report.level.number));
            }
        }
    }
});
