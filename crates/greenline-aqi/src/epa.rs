//! The US EPA AQI for PM2.5 (24 h), as revised in 2024, for comparison with China's scale.

use std::sync::LazyLock;

use crate::data::{US_EPA_PM25, places, records, scaled};
use crate::engine::Iaqi;
use crate::error::AqiError;

#[derive(Debug)]
pub(crate) struct EpaScale {
    factor: f64,
    rows: Vec<Row>,
}

#[derive(Debug)]
struct Row {
    aqi_lo: i64,
    aqi_hi: i64,
    c_lo: i64,
    c_hi: i64,
}

pub(crate) static SCALE: LazyLock<EpaScale> = LazyLock::new(|| {
    let file = "us-epa-2024-pm25.csv";
    let (_, rows) = records(file, US_EPA_PM25);
    // The table's precision is the truncation step (0.1 µg/m³).
    let decimals = rows
        .iter()
        .flat_map(|(_, record)| [places(&record[2]), places(&record[3])])
        .max()
        .unwrap_or(0);
    let number = |line: u64, text: &str, decimals: u32| {
        scaled(text, decimals).unwrap_or_else(|| panic!("data/aqi/{file} line {line}: {text:?}"))
    };
    let rows: Vec<Row> = rows
        .iter()
        .map(|(line, record)| Row {
            aqi_lo: number(*line, &record[0], 0),
            aqi_hi: number(*line, &record[1], 0),
            c_lo: number(*line, &record[2], decimals),
            c_hi: number(*line, &record[3], decimals),
        })
        .collect();
    assert!(
        rows.first().is_some_and(|row| row.c_lo == 0),
        "data/aqi/{file}: must start at 0"
    );
    for pair in rows.windows(2) {
        assert!(
            pair[0].c_hi + 1 == pair[1].c_lo && pair[0].aqi_hi + 1 == pair[1].aqi_lo,
            "data/aqi/{file}: rows must follow each other by one step"
        );
    }
    EpaScale {
        factor: 10f64.powi(decimals as i32),
        rows,
    }
});

/// The US EPA AQI of a PM2.5 24-hour mean (µg/m³): truncated to 0.1 µg/m³, interpolated within
/// its row, rounded to the nearest integer (halves up). Above the table's top it is beyond the
/// scale.
pub fn us_epa_pm25(value: f64) -> Result<Iaqi, AqiError> {
    const FIELD: &str = "pm25_24h";
    if !value.is_finite() {
        return Err(AqiError::NotFinite { field: FIELD });
    }
    if value < 0.0 {
        return Err(AqiError::Negative {
            field: FIELD,
            value,
        });
    }
    let scale = &*SCALE;
    let product = value * scale.factor;
    // Truncate, but do not let binary representation turn 35.5 × 10 into 354.999….
    let nearest = product.round();
    let ticks = if (product - nearest).abs() < 1e-9 {
        nearest
    } else {
        product.floor()
    } as i64;
    let Some(row) = scale.rows.iter().find(|row| ticks <= row.c_hi) else {
        return Ok(Iaqi::BeyondScale);
    };
    let numerator = (row.aqi_hi - row.aqi_lo) * (ticks - row.c_lo);
    let denominator = row.c_hi - row.c_lo;
    let index = row.aqi_lo + (2 * numerator + denominator) / (2 * denominator);
    Ok(Iaqi::Value(index as u16))
}
