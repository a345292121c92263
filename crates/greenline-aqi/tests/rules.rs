//! The special rules of HJ 633, rounding, primary and exceeding pollutants, levels, the scale's
//! top, bad input, the version in force, and the US EPA comparison.

use chrono::NaiveDate;
use greenline_aqi::{
    AqiError, Column, ColumnSet, Iaqi, Level, Period, Readings, Report, Standard, Table, compute,
    us_epa_pm25,
};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn v2012() -> &'static Table {
    Standard::Hj2012.table_on(day("2025-06-01"))
}

fn v2026() -> &'static Table {
    Standard::Hj2026.table_on(day("2026-06-01"))
}

fn readings(values: &[(Column, f64)]) -> Readings {
    values.iter().fold(Readings::new(), |r, (column, value)| {
        r.with(*column, *value)
    })
}

fn report(table: &'static Table, period: Period, values: &[(Column, f64)]) -> Report {
    compute(table, period, &readings(values)).expect("an index")
}

fn set(columns: &[Column]) -> ColumnSet {
    columns.iter().copied().collect()
}

use Column::*;

// ---- special rules -------------------------------------------------------------------------

#[test]
fn an_so2_hourly_value_above_800_uses_the_daily_column_under_2012() {
    let r = report(v2012(), Period::Hourly, &[(So2H1, 801.0), (So2H24, 475.0)]);
    assert_eq!(r.iaqi(So2H1), None);
    assert_eq!(r.iaqi(So2H24), Some(Iaqi::Value(150)));
    assert_eq!(r.aqi, Iaqi::Value(150));
    assert_eq!(r.primary_pollutants, set(&[So2H24]));
    assert!(r.special_rule_applied.contains(So2H1));
}

#[test]
fn an_so2_hourly_value_of_800_still_uses_its_own_column_under_2012() {
    let r = report(v2012(), Period::Hourly, &[(So2H1, 800.0), (So2H24, 475.0)]);
    assert_eq!(r.iaqi(So2H1), Some(Iaqi::Value(200)));
    assert_eq!(r.iaqi(So2H24), None);
    assert!(r.special_rule_applied.is_empty());
}

#[test]
fn an_so2_hourly_value_above_800_without_a_daily_mean_is_an_error_naming_so2_24h_under_2012() {
    let error =
        compute(v2012(), Period::Hourly, &readings(&[(So2H1, 900.0)])).expect_err("an error");
    assert_eq!(error.field(), Some("so2_24h"));
    assert!(matches!(
        error,
        AqiError::Needed {
            because: "so2_1h",
            ..
        }
    ));
}

#[test]
fn an_so2_hourly_value_above_800_is_200_under_2026() {
    let r = report(v2026(), Period::Hourly, &[(So2H1, 5000.0), (So2H24, 475.0)]);
    assert_eq!(r.iaqi(So2H1), Some(Iaqi::Value(200)));
    assert_eq!(r.iaqi(So2H24), None);
    assert_eq!(r.aqi, Iaqi::Value(200));
    assert!(r.special_rule_applied.contains(So2H1));
    // No daily mean is needed under 2026.
    assert!(compute(v2026(), Period::Hourly, &readings(&[(So2H1, 900.0)])).is_ok());
}

#[test]
fn an_o3_8h_value_above_800_uses_the_1h_value_under_2012() {
    let r = report(v2012(), Period::Daily, &[(O3H8, 900.0), (O3H1, 1000.0)]);
    assert_eq!(r.iaqi(O3H8), None);
    assert_eq!(r.iaqi(O3H1), Some(Iaqi::Value(400)));
    assert_eq!(r.aqi, Iaqi::Value(400));
    assert_eq!(r.primary_pollutants, set(&[O3H1]));
    assert!(r.special_rule_applied.contains(O3H8));
}

#[test]
fn an_o3_8h_value_above_800_without_a_1h_value_is_an_error_naming_o3_1h_under_2012() {
    let error =
        compute(v2012(), Period::Hourly, &readings(&[(O3H8, 801.0)])).expect_err("an error");
    assert_eq!(error.field(), Some("o3_1h"));
}

#[test]
fn an_o3_8h_value_above_800_is_300_under_2026() {
    let r = report(v2026(), Period::Daily, &[(O3H8, 900.0), (O3H1, 300.0)]);
    assert_eq!(r.iaqi(O3H8), Some(Iaqi::Value(300)));
    assert_eq!(r.iaqi(O3H1), Some(Iaqi::Value(150)));
    assert_eq!(r.aqi, Iaqi::Value(300));
    assert_eq!(r.primary_pollutants, set(&[O3H8]));
}

#[test]
fn one_hour_so2_no2_and_co_do_not_count_in_a_daily_report() {
    let r = report(
        v2012(),
        Period::Daily,
        &[
            (So2H1, 700.0),
            (No2H1, 1000.0),
            (CoH1, 50.0),
            (Pm25H24, 30.0),
        ],
    );
    assert_eq!(r.iaqis().map(|(c, _)| c).collect::<Vec<_>>(), [Pm25H24]);
    assert_eq!(r.aqi, Iaqi::Value(43));
}

#[test]
fn twenty_four_hour_so2_no2_and_co_do_not_count_in_an_hourly_report() {
    let r = report(
        v2012(),
        Period::Hourly,
        &[
            (So2H24, 700.0),
            (No2H24, 500.0),
            (CoH24, 30.0),
            (No2H1, 100.0),
        ],
    );
    assert_eq!(r.iaqis().collect::<Vec<_>>(), [(No2H1, Iaqi::Value(50))]);
}

#[test]
fn an_hourly_report_applies_the_hourly_particulate_value_to_the_24_hour_column() {
    // There is no 1-hour column for PM: 75 µg/m³ in an hour is IAQI 100 under 2012.
    let r = report(
        v2012(),
        Period::Hourly,
        &[(Pm25H24, 75.0), (Pm10H24, 150.0)],
    );
    assert_eq!(r.iaqi(Pm25H24), Some(Iaqi::Value(100)));
    assert_eq!(r.iaqi(Pm10H24), Some(Iaqi::Value(100)));
    assert_eq!(Period::Hourly.column_for("pm25"), Some(Pm25H24));
}

#[test]
fn o3_counts_with_both_its_1_hour_and_8_hour_values_in_both_kinds_of_report() {
    for period in [Period::Hourly, Period::Daily] {
        let r = report(v2012(), period, &[(O3H1, 200.0), (O3H8, 215.0)]);
        assert_eq!(r.iaqi(O3H1), Some(Iaqi::Value(100)));
        assert_eq!(r.iaqi(O3H8), Some(Iaqi::Value(150)));
        assert_eq!(period.column_for("o3"), None, "o3 is ambiguous");
    }
}

// ---- rounding ------------------------------------------------------------------------------

#[test]
fn segments_are_continuous_so_pm25_of_36_gives_52_not_51() {
    let r = report(v2012(), Period::Daily, &[(Pm25H24, 36.0)]);
    assert_eq!(r.aqi, Iaqi::Value(52));
}

#[test]
fn pm25_of_75_is_100_under_2012_and_114_under_2026() {
    assert_eq!(
        report(v2012(), Period::Daily, &[(Pm25H24, 75.0)]).aqi,
        Iaqi::Value(100)
    );
    assert_eq!(
        report(v2026(), Period::Daily, &[(Pm25H24, 75.0)]).aqi,
        Iaqi::Value(114)
    );
}

#[test]
fn the_index_is_rounded_up_to_an_integer() {
    // PM10 51: 50 + 50 × 1/100 = 50.5 → 51; SO₂ 24h 151: 100 + 50 × 1/325 = 100.15… → 101.
    assert_eq!(
        report(v2012(), Period::Daily, &[(Pm10H24, 51.0)]).aqi,
        Iaqi::Value(51)
    );
    assert_eq!(
        report(v2012(), Period::Daily, &[(So2H24, 151.0)]).aqi,
        Iaqi::Value(101)
    );
}

#[test]
fn rounding_up_is_exact_where_a_float_formula_lands_a_hair_above_an_integer() {
    // Exactly 55, 218 and 431; a float formula gives 55.000…01 and so 56 (219, 432).
    assert_eq!(
        report(v2012(), Period::Daily, &[(CoH24, 2.2)]).aqi,
        Iaqi::Value(55)
    );
    assert_eq!(
        report(v2012(), Period::Hourly, &[(CoH1, 65.4)]).aqi,
        Iaqi::Value(218)
    );
    assert_eq!(
        report(v2012(), Period::Hourly, &[(CoH1, 129.3)]).aqi,
        Iaqi::Value(431)
    );
}

#[test]
fn concentrations_are_rounded_half_to_even_to_whole_micrograms_before_the_index() {
    let pm25 = |value| report(v2012(), Period::Daily, &[(Pm25H24, value)]);
    assert_eq!(pm25(35.4).rounded_concentration(Pm25H24), Some(35));
    assert_eq!(pm25(35.4).aqi, Iaqi::Value(50));
    assert_eq!(pm25(35.5).rounded_concentration(Pm25H24), Some(36));
    assert_eq!(pm25(36.5).rounded_concentration(Pm25H24), Some(36));
    assert_eq!(pm25(36.5).aqi, Iaqi::Value(52));
    assert_eq!(pm25(36.51).rounded_concentration(Pm25H24), Some(37));
}

#[test]
fn carbon_monoxide_is_rounded_half_to_even_to_a_tenth_of_a_milligram() {
    let co = |value| report(v2026(), Period::Daily, &[(CoH24, value)]);
    assert_eq!(co(2.04).rounded_concentration(CoH24), Some(20));
    assert_eq!(co(2.25).rounded_concentration(CoH24), Some(22));
    assert_eq!(co(2.35).rounded_concentration(CoH24), Some(24));
    assert_eq!(co(2.25).aqi, Iaqi::Value(55));
    assert_eq!(v2026().decimals(CoH24), 1);
}

// ---- primary and exceeding pollutants ----------------------------------------------------

#[test]
fn an_aqi_of_50_or_less_has_no_primary_pollutant() {
    let r = report(v2012(), Period::Daily, &[(Pm25H24, 35.0), (Pm10H24, 50.0)]);
    assert_eq!(r.aqi, Iaqi::Value(50));
    assert!(r.primary_pollutants.is_empty());
    assert_eq!(r.level.category_zh, "优");
}

#[test]
fn an_aqi_of_51_names_its_primary_pollutant() {
    let r = report(v2012(), Period::Daily, &[(Pm25H24, 35.0), (Pm10H24, 51.0)]);
    assert_eq!(r.aqi, Iaqi::Value(51));
    assert_eq!(r.primary_pollutants, set(&[Pm10H24]));
}

#[test]
fn pollutants_tied_for_the_largest_index_are_all_primary() {
    let r = report(
        v2012(),
        Period::Daily,
        &[(Pm25H24, 75.0), (Pm10H24, 150.0), (No2H24, 40.0)],
    );
    assert_eq!(r.aqi, Iaqi::Value(100));
    assert_eq!(r.primary_pollutants, set(&[Pm10H24, Pm25H24]));
    assert_eq!(r.primary_pollutants.len(), 2);
}

#[test]
fn exceeding_pollutants_are_those_with_an_index_above_100() {
    let r = report(
        v2012(),
        Period::Daily,
        &[(Pm25H24, 76.0), (Pm10H24, 150.0), (O3H8, 215.0)],
    );
    assert_eq!(r.iaqi(Pm25H24), Some(Iaqi::Value(102)));
    assert_eq!(r.iaqi(Pm10H24), Some(Iaqi::Value(100)));
    assert_eq!(r.exceeding_pollutants, set(&[Pm25H24, O3H8]));
    assert_eq!(r.primary_pollutants, set(&[O3H8]));
}

// ---- levels --------------------------------------------------------------------------------

#[test]
fn each_level_begins_and_ends_where_the_standard_says() {
    let cases = [
        (0, 1, "一级", "优", "#00E400"),
        (50, 1, "一级", "优", "#00E400"),
        (51, 2, "二级", "良", "#FFFF00"),
        (100, 2, "二级", "良", "#FFFF00"),
        (101, 3, "三级", "轻度污染", "#FF7E00"),
        (150, 3, "三级", "轻度污染", "#FF7E00"),
        (151, 4, "四级", "中度污染", "#FF0000"),
        (200, 4, "四级", "中度污染", "#FF0000"),
        (201, 5, "五级", "重度污染", "#99004C"),
        (300, 5, "五级", "重度污染", "#99004C"),
        (301, 6, "六级", "严重污染", "#7E0023"),
        (500, 6, "六级", "严重污染", "#7E0023"),
    ];
    for (aqi, number, name, category, rgb) in cases {
        let level = Level::of(Iaqi::Value(aqi));
        assert_eq!(
            (
                level.number,
                level.name_zh.as_str(),
                level.category_zh.as_str(),
                level.rgb.as_str()
            ),
            (number, name, category, rgb),
            "AQI {aqi}"
        );
    }
    assert_eq!(Level::of(Iaqi::BeyondScale).number, 6);
    assert_eq!(Level::of(Iaqi::Value(120)).category_en, "Lightly polluted");
}

#[test]
fn the_2026_advice_for_level_3_is_its_own_wording_marked_unverified() {
    let level = Level::of(Iaqi::Value(120));
    let advice = level.advice(Standard::Hj2026);
    assert_eq!(
        advice.text,
        "青少年儿童、老年人及心血管、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"
    );
    assert!(!advice.verified);
    let old = level.advice(Standard::Hj2012);
    assert_eq!(
        old.text,
        "儿童、老年人及心脏病、呼吸系统疾病患者应减少长时间、高强度的户外锻炼"
    );
    assert!(old.verified);
    // Levels without 2026 wording keep the 2012 text, and say so.
    let good = Level::of(Iaqi::Value(10)).advice(Standard::Hj2026);
    assert_eq!(good.text, "各类人群可正常活动");
    assert_eq!(good.source, Standard::Hj2012);
}

// ---- beyond the scale ----------------------------------------------------------------------

#[test]
fn a_concentration_above_the_top_of_the_table_is_beyond_the_scale_not_clamped() {
    let r = report(
        v2012(),
        Period::Daily,
        &[(Pm25H24, 501.0), (Pm10H24, 600.0)],
    );
    assert_eq!(r.iaqi(Pm25H24), Some(Iaqi::BeyondScale));
    assert_eq!(r.iaqi(Pm10H24), Some(Iaqi::Value(500)));
    assert_eq!(r.aqi, Iaqi::BeyondScale);
    assert_eq!(r.aqi.to_string(), ">500");
    assert_eq!(r.aqi.value(), None);
    assert_eq!(r.level.number, 6);
    assert_eq!(r.primary_pollutants, set(&[Pm25H24]));
    assert_eq!(r.exceeding_pollutants, set(&[Pm10H24, Pm25H24]));
    assert!(
        r.special_rule_applied.is_empty(),
        "beyond the scale is no special rule"
    );
}

#[test]
fn an_absurdly_large_concentration_is_beyond_the_scale_without_a_crash() {
    for table in [v2012(), v2026()] {
        for column in Column::ALL {
            let result = table.column_iaqi(column, 1e300).expect("a number");
            assert_ne!(
                result,
                greenline_aqi::ColumnIaqi::Index(Iaqi::Value(0)),
                "{column}"
            );
        }
    }
    let r = report(v2012(), Period::Hourly, &[(No2H1, f64::MAX)]);
    assert_eq!(r.aqi, Iaqi::BeyondScale);
}

// ---- bad input -----------------------------------------------------------------------------

#[test]
fn a_negative_concentration_is_an_error_naming_its_field() {
    let error =
        compute(v2012(), Period::Daily, &readings(&[(Pm25H24, -1.0)])).expect_err("an error");
    assert_eq!(error.field(), Some("pm25_24h"));
    assert!(error.to_string().contains("pm25_24h"));
}

#[test]
fn nan_and_infinity_are_errors_naming_their_field() {
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let error =
            compute(v2026(), Period::Hourly, &readings(&[(CoH1, value)])).expect_err("an error");
        assert_eq!(error.field(), Some("co_1h"), "{value}");
    }
}

#[test]
fn a_bad_value_in_a_column_the_report_does_not_use_is_still_an_error() {
    let error = compute(
        v2012(),
        Period::Daily,
        &readings(&[(Pm25H24, 30.0), (So2H1, -5.0)]),
    )
    .expect_err("an error");
    assert_eq!(error.field(), Some("so2_1h"));
}

#[test]
fn readings_missing_for_every_column_of_the_report_are_an_error() {
    assert!(matches!(
        compute(v2012(), Period::Daily, &Readings::new()),
        Err(AqiError::NoReadings {
            period: Period::Daily
        })
    ));
    // Only a 1-hour column, in a daily report.
    assert!(matches!(
        compute(v2012(), Period::Daily, &readings(&[(No2H1, 80.0)])),
        Err(AqiError::NoReadings { .. })
    ));
}

#[test]
fn zero_is_a_valid_concentration() {
    let r = report(v2012(), Period::Daily, &[(Pm25H24, 0.0), (O3H8, -0.0)]);
    assert_eq!(r.aqi, Iaqi::Value(0));
}

// ---- versions ------------------------------------------------------------------------------

#[test]
fn the_2026_version_is_in_force_from_1_march_2026() {
    assert_eq!(Standard::in_force_on(day("2016-01-01")), Standard::Hj2012);
    assert_eq!(Standard::in_force_on(day("2026-02-28")), Standard::Hj2012);
    assert_eq!(Standard::in_force_on(day("2026-03-01")), Standard::Hj2026);
    assert_eq!(Standard::in_force_on(day("2031-06-01")), Standard::Hj2026);
    // Before any version, the oldest.
    assert_eq!(Standard::in_force_on(day("2013-01-01")), Standard::Hj2012);
}

#[test]
fn every_result_names_its_version_and_table() {
    let r = report(v2026(), Period::Daily, &[(Pm25H24, 75.0)]);
    assert_eq!(r.standard(), Standard::Hj2026);
    assert_eq!(r.standard().name(), "HJ 633—2026");
    assert_eq!(r.table.valid_from, day("2026-03-01"));
    assert_eq!(r.table.to_string(), "HJ 633—2026 (table from 2026-03-01)");
    assert_eq!(
        report(v2012(), Period::Daily, &[(Pm25H24, 75.0)])
            .standard()
            .name(),
        "HJ 633-2012"
    );
}

#[test]
fn a_version_asked_for_before_it_came_into_force_uses_its_first_table() {
    assert_eq!(
        Standard::Hj2026.table_on(day("2020-01-01")).valid_from,
        day("2026-03-01")
    );
}

// ---- US EPA --------------------------------------------------------------------------------

#[test]
fn us_epa_pm25_truncates_to_a_tenth_and_rounds_to_the_nearest_integer() {
    // 35 µg/m³ is China's IAQI 50 but nearly 100 on the US scale.
    assert_eq!(us_epa_pm25(35.0), Ok(Iaqi::Value(99)));
    assert_eq!(
        report(v2012(), Period::Daily, &[(Pm25H24, 35.0)]).aqi,
        Iaqi::Value(50)
    );
    assert_eq!(us_epa_pm25(9.09), Ok(Iaqi::Value(50)), "truncated to 9.0");
    assert_eq!(
        us_epa_pm25(35.49),
        Ok(Iaqi::Value(100)),
        "truncated to 35.4"
    );
    assert_eq!(us_epa_pm25(35.5), Ok(Iaqi::Value(101)));
    assert_eq!(us_epa_pm25(325.5), Ok(Iaqi::BeyondScale));
    assert_eq!(
        us_epa_pm25(-0.1).expect_err("an error").field(),
        Some("pm25_24h")
    );
}

#[test]
fn the_embedded_tables_parse() {
    greenline_aqi::load();
    assert_eq!(Iaqi::scale_top(), 500);
    assert_eq!(Level::all().len(), 6);
}
