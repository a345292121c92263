//! A day in plain words: the numbers in the sentence are the computed ones.

use chrono::NaiveDate;
use greenline_aqi::plain::{Change, day_summary};
use greenline_aqi::{Column, Iaqi, Period, Readings, Report, Standard, compute};

fn daily(standard: Standard, values: &[(Column, f64)]) -> Report {
    let table = standard.table_on(NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"));
    let readings = values.iter().fold(Readings::new(), |r, (column, value)| {
        r.with(*column, *value)
    });
    compute(table, Period::Daily, &readings).expect("an index")
}

/// The numbers written in a text, in order ("1.5", "12").
fn numbers(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty()) {
            current.push(c);
        } else if !current.is_empty() {
            found.push(current.trim_end_matches('.').to_owned());
            current.clear();
        }
    }
    if !current.is_empty() {
        found.push(current);
    }
    found
}

#[test]
fn a_polluted_day_says_its_level_driver_ratio_advice_and_change() {
    // PM2.5 113 µg/m³ under 2012: IAQI 100 + 50 × 38/40 = 147.5 → 148; 113/75 = 1.506… → 1.5.
    let today = daily(
        Standard::Hj2012,
        &[(Column::Pm25H24, 113.0), (Column::Pm10H24, 100.0)],
    );
    let summary = day_summary(&today, Some(Iaqi::Value(168)), Some(Iaqi::Value(140)));
    assert_eq!(summary.aqi, Iaqi::Value(148));
    assert_eq!(summary.drivers.len(), 1);
    assert_eq!(summary.drivers[0].times_limit_tenths, 15);
    // (168 − 148)/168 = 11.9% → 12% better; (140 − 148)/140 = −5.7% → 6% worse.
    assert_eq!(
        summary.change_from_yesterday,
        Some(Change {
            improvement_percent: 12
        })
    );
    assert_eq!(
        summary.change_from_last_year,
        Some(Change {
            improvement_percent: -6
        })
    );
    assert_eq!(
        summary.text,
        "今天空气质量轻度污染（三级，AQI 148），易感人群症状有轻度加剧，健康人群出现刺激症状；\
         首要污染物是细颗粒物，细颗粒物浓度约为二级标准的1.5倍。\
         儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼；\
         空气质量指数比昨天改善12%，比去年同期加重6%。"
    );
    assert_eq!(numbers(&summary.text), ["148", "1.5", "12", "6"]);
    assert!(summary.text.matches('。').count() <= 2);
}

#[test]
fn the_numbers_in_the_sentence_equal_the_computed_ones_across_many_days() {
    for pm25 in (0..=500).step_by(7) {
        for yesterday in [1u16, 37, 99, 150, 260] {
            let today = daily(Standard::Hj2026, &[(Column::Pm25H24, f64::from(pm25))]);
            let summary = day_summary(&today, Some(Iaqi::Value(yesterday)), None);
            let aqi = summary.aqi.value().expect("on the scale");
            let mut expected = vec![aqi.to_string()];
            // Independently: ratio to 75 µg/m³ in tenths, half up; change in percent, half away from 0.
            if aqi > 50 && pm25 > 75 {
                let tenths = (pm25 * 10 * 2 + 75) / (2 * 75);
                expected.push(format!("{}.{}", tenths / 10, tenths % 10));
            }
            let diff = f64::from(yesterday) - f64::from(aqi);
            let percent = (diff * 100.0 / f64::from(yesterday)).round() as i64;
            if percent != 0 {
                expected.push(percent.abs().to_string());
            }
            assert_eq!(
                numbers(&summary.text),
                expected,
                "PM2.5 {pm25}, yesterday {yesterday}: {}",
                summary.text
            );
            if percent > 0 {
                assert!(summary.text.contains(&format!("比昨天改善{percent}%")));
            } else if percent < 0 {
                assert!(summary.text.contains(&format!("比昨天加重{}%", -percent)));
            } else {
                assert!(summary.text.contains("与昨天持平"));
            }
        }
    }
}

#[test]
fn a_good_day_has_no_primary_pollutant_in_the_sentence() {
    let today = daily(Standard::Hj2026, &[(Column::Pm25H24, 20.0)]);
    let summary = day_summary(&today, None, None);
    assert_eq!(
        summary.text,
        "今天空气质量优（一级，AQI 29），空气质量令人满意，基本无空气污染。各类人群可正常活动。"
    );
    assert!(summary.drivers.is_empty());
}

#[test]
fn a_primary_pollutant_within_its_limit_is_said_to_be_within_it() {
    // 良: O₃ 8h 150 µg/m³ is IAQI 92 but below its 160 µg/m³ limit.
    let today = daily(
        Standard::Hj2012,
        &[(Column::O3H8, 150.0), (Column::O3H1, 100.0)],
    );
    let summary = day_summary(&today, None, None);
    assert!(
        summary
            .text
            .contains("首要污染物是臭氧，臭氧浓度未超过二级标准"),
        "{}",
        summary.text
    );
    assert!(!summary.drivers[0].above_limit);
}

#[test]
fn the_2026_advice_is_used_under_2026() {
    // PM2.5 90 µg/m³: IAQI 128 under 2026; 90/75 = 1.2 times the GB 3095-2012 limit.
    let today = daily(Standard::Hj2026, &[(Column::Pm25H24, 90.0)]);
    let summary = day_summary(&today, None, None);
    assert_eq!(summary.aqi, Iaqi::Value(128));
    assert!(
        summary
            .text
            .contains("青少年儿童、老年人及心血管、呼吸系统疾病患者")
    );
    assert!(
        summary.text.contains("约为二级标准的1.2倍"),
        "{}",
        summary.text
    );
}

#[test]
fn a_concentration_exactly_at_its_limit_is_within_it() {
    let today = daily(Standard::Hj2026, &[(Column::Pm25H24, 75.0)]);
    let summary = day_summary(&today, None, None);
    assert!(
        summary.text.contains("细颗粒物浓度未超过二级标准"),
        "{}",
        summary.text
    );
}

#[test]
fn a_day_beyond_the_scale_says_so_and_has_no_percentage() {
    let today = daily(Standard::Hj2012, &[(Column::Pm25H24, 600.0)]);
    let summary = day_summary(&today, Some(Iaqi::Value(300)), None);
    assert!(
        summary.text.contains("AQI 超过500，超出指数上限"),
        "{}",
        summary.text
    );
    assert!(summary.text.contains("约为二级标准的8.0倍"));
    assert_eq!(summary.change_from_yesterday, None);
}

#[test]
fn tied_pollutants_are_all_named() {
    let today = daily(
        Standard::Hj2012,
        &[(Column::Pm25H24, 115.0), (Column::Pm10H24, 250.0)],
    );
    let summary = day_summary(&today, None, None);
    assert!(
        summary.text.contains("首要污染物是可吸入颗粒物和细颗粒物"),
        "{}",
        summary.text
    );
    assert!(summary.text.contains("可吸入颗粒物浓度约为二级标准的1.7倍"));
    assert!(summary.text.contains("细颗粒物浓度约为二级标准的1.5倍"));
}
