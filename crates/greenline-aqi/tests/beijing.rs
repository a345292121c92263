//! The real Beijing PM2.5 series (`crates/greenline/data/air/`, CC BY 4.0) turned into daily
//! means, daily AQI (HJ 633-2012, PM2.5 only) and a month's summary by the crate, checked against
//! a computation done here from scratch: its own parsing, its own mean under the 20-hour rule,
//! its own rounding and interpolation from a literal copy of the PM2.5 breakpoints, its own
//! ceiling — in exact integer arithmetic, sharing no code with the crate.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use greenline_aqi::station::{Pollutant, Summary, daily_report, daily_values};
use greenline_aqi::{Iaqi, Standard};

const SERIES: &str = include_str!("../../greenline/data/air/beijing_pm25_hourly_2010_2014.csv");

/// HJ 633-2012, Table 1, PM2.5 24-hour column: (concentration µg/m³, IAQI).
const PM25_2012: [(i64, i64); 8] = [
    (0, 0),
    (35, 50),
    (75, 100),
    (115, 150),
    (150, 200),
    (250, 300),
    (350, 400),
    (500, 500),
];

/// Valid hourly PM2.5 values per day, read with nothing but string splitting.
fn days_by_hand() -> BTreeMap<(i32, u32, u32), Vec<i64>> {
    let mut days: BTreeMap<(i32, u32, u32), Vec<i64>> = BTreeMap::new();
    for line in SERIES.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let key = (
            fields[1].parse().expect("year"),
            fields[2].parse().expect("month"),
            fields[3].parse().expect("day"),
        );
        let hours = days.entry(key).or_default();
        if fields[5] != "NA" {
            // Every value in the file is a whole number of µg/m³.
            hours.push(fields[5].parse().expect("integer PM2.5"));
        }
    }
    days
}

/// The mean rounded to an integer, half to even (GB/T 8170), from the exact sum and count;
/// `None` with fewer than 20 values.
fn mean_by_hand(values: &[i64]) -> Option<i64> {
    if values.len() < 20 {
        return None;
    }
    let (sum, n) = (values.iter().sum::<i64>(), values.len() as i64);
    let (q, r) = (sum / n, sum % n);
    Some(match (2 * r).cmp(&n) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q % 2),
    })
}

/// The IAQI of an integer concentration, rounded up; `None` above 500 µg/m³ (beyond the scale).
fn iaqi_by_hand(c: i64) -> Option<i64> {
    for pair in PM25_2012.windows(2) {
        let ((bp_lo, i_lo), (bp_hi, i_hi)) = (pair[0], pair[1]);
        if c <= bp_hi {
            let numerator = (i_hi - i_lo) * (c - bp_lo);
            let denominator = bp_hi - bp_lo;
            // Ceiling of a non-negative fraction.
            return Some(i_lo + (numerator + denominator - 1) / denominator);
        }
    }
    None
}

fn crate_days() -> Vec<(greenline_aqi::station::Daily, greenline_aqi::Report)> {
    let hours = greenline_aqi::beijing::read(SERIES.as_bytes()).expect("the series reads");
    assert_eq!(hours.len(), 43_824);
    daily_values(&hours)
        .into_iter()
        .filter(|day| day.has_data())
        .map(|day| {
            let report = daily_report(&day, Some(Standard::Hj2012)).expect("a report");
            (day, report)
        })
        .collect()
}

#[test]
fn every_days_mean_and_aqi_match_an_independent_computation() {
    let by_hand = days_by_hand();
    assert_eq!(by_hand.len(), 1826, "five years of days");
    let computed = crate_days();
    let computed: BTreeMap<NaiveDate, _> = computed
        .iter()
        .map(|(day, report)| (day.date, (day, report)))
        .collect();
    let mut checked = 0;
    for (&(y, m, d), values) in &by_hand {
        let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
        let Some(mean) = mean_by_hand(values) else {
            assert!(
                !computed.contains_key(&date),
                "{date}: {} hours, no daily mean",
                values.len()
            );
            continue;
        };
        let (day, report) = computed.get(&date).expect("a day with 20 hours");
        assert_eq!(
            usize::from(day.valid_hours[Pollutant::Pm25.index()]),
            values.len(),
            "{date}"
        );
        assert_eq!(
            report.rounded_concentration(greenline_aqi::Column::Pm25H24),
            Some(mean),
            "{date}: mean"
        );
        let expected = iaqi_by_hand(mean).map_or(Iaqi::BeyondScale, |v| {
            Iaqi::Value(u16::try_from(v).expect("small"))
        });
        assert_eq!(report.aqi, expected, "{date}: AQI");
        checked += 1;
    }
    // 1,826 days, 37 without any value and 78 with fewer than 20 hours.
    assert_eq!(checked, 1711);
    assert_eq!(computed.len(), 1711);
}

#[test]
fn days_worked_by_hand() {
    let days = crate_days();
    let aqi_on = |y, m, d| {
        let date = NaiveDate::from_ymd_opt(y, m, d).expect("date");
        days.iter()
            .find(|(day, _)| day.date == date)
            .map(|(_, report)| report.aqi)
    };
    // 2013-01-01: 24 hours summing to 396 → 16.5, rounded half to even → 16;
    // 50 × 16 / 35 = 22.86 → rounded up 23 (rounding 16.5 up to 17 would give 25).
    assert_eq!(aqi_on(2013, 1, 1), Some(Iaqi::Value(23)));
    // 2013-01-05: 1,594 / 24 = 66.42 → 66; 50 + 50 × (66 − 35) / 40 = 88.75 → 89.
    assert_eq!(aqi_on(2013, 1, 5), Some(Iaqi::Value(89)));
    // 2013-01-20: 2,501 / 24 = 104.21 → 104; 100 + 50 × (104 − 75) / 40 = 136.25 → 137.
    assert_eq!(aqi_on(2013, 1, 20), Some(Iaqi::Value(137)));
    // 2013-01-12: 23 hours summing to 12,707 → 552.48 → 552 µg/m³, above 500: beyond the scale.
    assert_eq!(aqi_on(2013, 1, 12), Some(Iaqi::BeyondScale));
    // 2010-05-27: 19 valid hours, one short of the rule: no daily value.
    assert_eq!(aqi_on(2010, 5, 27), None);
}

#[test]
fn the_summary_of_january_2013_matches_an_independent_count() {
    let days = crate_days();
    let first = NaiveDate::from_ymd_opt(2013, 1, 1).expect("date");
    let last = NaiveDate::from_ymd_opt(2013, 1, 31).expect("date");
    let summary = Summary::of(first, last, &days);

    let mut with_data = 0;
    let mut good = 0;
    let mut per_level = [0u32; 6];
    let mut worst = (0i64, 0u32); // (AQI, day); beyond the scale counts as 501
    let mut mean_sum = 0i64;
    for day in 1..=31u32 {
        let values = &days_by_hand()[&(2013, 1, day)];
        let Some(mean) = mean_by_hand(values) else {
            continue;
        };
        with_data += 1;
        mean_sum += mean;
        let aqi = iaqi_by_hand(mean).unwrap_or(501);
        if aqi <= 100 {
            good += 1;
        }
        let level = match aqi {
            0..=50 => 0,
            51..=100 => 1,
            101..=150 => 2,
            151..=200 => 3,
            201..=300 => 4,
            _ => 5,
        };
        per_level[level] += 1;
        if aqi > worst.0 {
            worst = (aqi, day);
        }
    }
    assert_eq!(summary.days_with_data, with_data);
    assert_eq!(summary.good_days, good);
    assert_eq!(summary.days_per_level, per_level);
    assert_eq!(
        summary.worst_days[0].date.format("%d").to_string(),
        format!("{:02}", worst.1)
    );
    let share = (2000 * good + with_data) / (2 * with_data);
    assert_eq!(summary.good_share_permille(), Some(share));
    let text = summary.sentence("2013年1月");
    assert!(
        text.contains(&format!(
            "优良天数{good}天，优良天数比例为{}.{}%",
            share / 10,
            share % 10
        )),
        "{text}"
    );
    // The summary's mean is of the unrounded daily means; the rounded ones differ from them
    // by at most half a µg/m³ each.
    let (mean, n) = summary.mean_concentrations[Pollutant::Pm25.index()].expect("a mean");
    assert_eq!(n, with_data);
    assert!(
        (mean - mean_sum as f64 / f64::from(with_data)).abs() <= 0.5,
        "{mean}"
    );
    // January 2013 in Beijing: every one of its 31 days has data; record smog mid-month.
    assert_eq!(with_data, 31);
    assert!(summary.worst_days[0].aqi.is_beyond_scale());
}
