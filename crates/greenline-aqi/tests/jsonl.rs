//! JSON Lines: fields pass through, the index is added, bad lines name their field.

use chrono::NaiveDate;
use greenline_aqi::jsonl::{Defaults, annotate, annotate_line};
use greenline_aqi::{Period, Standard};
use serde_json::{Map, Value, json};

fn defaults() -> Defaults {
    Defaults {
        today: NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date"),
        period: None,
        standard: None,
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn field_of(value: Value) -> Option<&'static str> {
    annotate(object(value), &defaults())
        .expect_err("an error")
        .field()
}

#[test]
fn every_input_field_passes_through_and_the_index_is_added() {
    let input = json!({
        "station": "1001A", "time": "2025-01-05T08:00:00+08:00", "note": {"x": [1, 2]},
        "date": "2025-01-05", "period": "daily",
        "pm25_24h": 80, "pm10_24h": 120, "so2_24h": null,
    });
    let out = annotate(object(input.clone()), &defaults()).expect("an index");
    for (key, value) in object(input) {
        assert_eq!(out.get(&key), Some(&value), "{key}");
    }
    assert_eq!(out["aqi"], json!(107));
    assert_eq!(out["iaqi"], json!({"pm25_24h": 107, "pm10_24h": 85}));
    assert_eq!(out["level"], json!(3));
    assert_eq!(out["category"], json!("轻度污染"));
    assert_eq!(out["category_en"], json!("Lightly polluted"));
    assert_eq!(out["colour"], json!("#FF7E00"));
    assert_eq!(out["primary_pollutants"], json!(["pm25_24h"]));
    assert_eq!(out["exceeding_pollutants"], json!(["pm25_24h"]));
    assert_eq!(out["beyond_scale"], json!(false));
    // 2025-01-05 is under HJ 633-2012.
    assert_eq!(out["standard"], json!("2012"));
    assert_eq!(out["standard_name"], json!("HJ 633-2012"));
    assert_eq!(out["table_from"], json!("2016-01-01"));
}

#[test]
fn without_a_standard_the_version_in_force_on_the_lines_date_or_today_is_used() {
    let on = |date: Option<&str>| {
        let mut line = json!({"period": "daily", "pm25_24h": 75});
        if let Some(date) = date {
            line["date"] = json!(date);
        }
        annotate(object(line), &defaults()).expect("an index")
    };
    assert_eq!(on(Some("2026-02-28"))["aqi"], json!(100));
    assert_eq!(on(Some("2026-02-28"))["standard"], json!("2012"));
    assert_eq!(on(Some("2026-03-01 00:00"))["aqi"], json!(114));
    assert_eq!(
        on(Some("2026-03-01"))["standard_name"],
        json!("HJ 633—2026")
    );
    assert_eq!(on(None)["standard"], json!("2026"), "today is 2026-11-27");
}

#[test]
fn a_standard_named_on_the_line_wins_and_passes_through_as_given() {
    let out = annotate(
        object(json!({"standard": 2012, "date": "2026-06-01", "period": "daily", "pm25_24h": 75})),
        &defaults(),
    )
    .expect("an index");
    assert_eq!(out["aqi"], json!(100));
    assert_eq!(out["standard"], json!(2012));
    assert_eq!(out["standard_name"], json!("HJ 633-2012"));
}

#[test]
fn the_callers_defaults_apply_to_lines_that_do_not_say() {
    let defaults = Defaults {
        period: Some(Period::Hourly),
        standard: Some(Standard::Hj2012),
        ..defaults()
    };
    let out = annotate(object(json!({"so2_1h": 150})), &defaults).expect("an index");
    assert_eq!(out["iaqi"], json!({"so2_1h": 50}));
    assert_eq!(out["standard"], json!("2012"));
}

#[test]
fn beyond_the_scale_is_said_in_the_output_not_clamped() {
    let out = annotate(
        object(json!({"period": "daily", "pm25_24h": 600, "pm10_24h": 100})),
        &defaults(),
    )
    .expect("an index");
    assert_eq!(out["aqi"], json!(">500"));
    assert_eq!(out["iaqi"]["pm25_24h"], json!(">500"));
    assert_eq!(out["beyond_scale"], json!(true));
    assert_eq!(out["level"], json!(6));
}

#[test]
fn bad_lines_name_the_field() {
    assert_eq!(
        field_of(json!({"period": "daily", "pm25_24h": "80"})),
        Some("pm25_24h")
    );
    assert_eq!(
        field_of(json!({"period": "daily", "pm10_24h": -3})),
        Some("pm10_24h")
    );
    assert_eq!(
        field_of(json!({"period": "daily", "o3_8h": [1]})),
        Some("o3_8h")
    );
    assert_eq!(field_of(json!({"pm25_24h": 80})), Some("period"));
    assert_eq!(
        field_of(json!({"period": "weekly", "pm25_24h": 80})),
        Some("period")
    );
    assert_eq!(
        field_of(json!({"period": "daily", "standard": "2020", "pm25_24h": 80})),
        Some("standard")
    );
    assert_eq!(
        field_of(json!({"period": "daily", "date": "5 Jan", "pm25_24h": 80})),
        Some("date")
    );
    assert_eq!(
        field_of(json!({"period": "daily", "aqi": 3, "pm25_24h": 80})),
        Some("aqi")
    );
    let error = annotate(
        object(json!({"period": "daily", "station": "A"})),
        &defaults(),
    )
    .expect_err("no readings");
    assert!(error.to_string().contains("no concentration"), "{error}");
}

#[test]
fn a_line_of_text_that_is_not_a_json_object_is_an_error() {
    assert!(annotate_line("[1,2]", &defaults()).is_err());
    assert!(annotate_line("{", &defaults()).is_err());
    let line = annotate_line(r#"{"period":"hourly","co_1h":5}"#, &defaults()).expect("a line");
    let out: Value = serde_json::from_str(&line).expect("JSON");
    assert_eq!(out["aqi"], json!(50));
    assert_eq!(out["primary_pollutants"], json!([]));
}
