//! The air-quality API and page over HTTP, on the real Beijing PM2.5 series (2010–2014).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};

/// A fresh app with the Beijing series loaded.
async fn with_beijing(backend: Backend) -> TestApp {
    let app = spawn_app(backend).await;
    crate::helpers::load_beijing(&app.store).await;
    app
}

fn day<'a>(days: &'a Value, date: &str) -> &'a Value {
    days.as_array()
        .expect("array")
        .iter()
        .find(|d| d["date"] == date)
        .unwrap_or_else(|| panic!("{date} in {days}"))
}

#[backend_test]
pub async fn a_citys_days_today_and_month_come_from_its_stations(backend: Backend) {
    let app = with_beijing(backend).await;

    let days = app
        .get(
            None,
            "/api/v1/air/cities/110000/days?from=2013-01-01&to=2013-01-31",
        )
        .await;
    assert_eq!(days.status, StatusCode::OK, "{}", days.body);
    assert_eq!(days.body.as_array().expect("days").len(), 31);
    // Worked by hand in greenline-aqi's tests/beijing.rs: 396 / 24 = 16.5 → 16 → IAQI 23.
    let first = day(&days.body, "2013-01-01");
    assert_eq!(first["aqi"], 23);
    assert_eq!(first["category"], "优");
    assert_eq!(first["colour"], "#00E400");
    assert_eq!(first["means"]["pm25"], 16.0);
    assert_eq!(first["primary_pollutants"], json!([]));
    assert_eq!(first["standard"], "HJ 633-2012");
    let smog = day(&days.body, "2013-01-12");
    assert_eq!(smog["aqi"], Value::Null);
    assert_eq!(smog["aqi_text"], ">500");
    assert_eq!(smog["beyond_scale"], true);
    assert_eq!(smog["level"], 6);
    assert_eq!(smog["primary_pollutants"], json!(["pm25_24h"]));
    let moderate = day(&days.body, "2013-01-20");
    assert_eq!(moderate["aqi"], 137);
    assert_eq!(moderate["exceeding_pollutants"], json!(["pm25_24h"]));
    // The city code of the station answers too; a county without stations does not.
    let city = app
        .get(
            None,
            "/api/v1/air/cities/110100/days?from=2013-01-01&to=2013-01-02",
        )
        .await;
    assert_eq!(city.body.as_array().expect("days").len(), 2);

    let today = app.get(None, "/api/v1/air/cities/110000/today").await;
    assert_eq!(today.status, StatusCode::OK, "{}", today.body);
    assert_eq!(
        today.body["day"]["date"], "2014-12-31",
        "the latest day with data"
    );
    assert_eq!(today.body["yesterday"]["day"]["date"], "2014-12-30");
    assert_eq!(
        today.body["same_day_last_year"]["day"]["date"],
        "2013-12-31"
    );
    let sentence = today.body["sentence"].as_str().expect("sentence");
    let aqi = today.body["day"]["aqi_text"].as_str().expect("aqi");
    assert!(sentence.contains(&format!("AQI {aqi}")), "{sentence}");
    // 2014-12-31 is not today: the sentence names it and compares with the day before it.
    assert!(sentence.starts_with("2014年12月31日空气质量"), "{sentence}");
    for (key, against) in [("yesterday", "前一天"), ("same_day_last_year", "去年同期")] {
        let percent = today.body[key]["improvement_percent"]
            .as_i64()
            .expect("a change");
        let phrase = match percent {
            0 => format!("与{against}持平"),
            p if p > 0 => format!("比{against}改善{p}%"),
            p => format!("比{against}加重{}%", -p),
        };
        assert!(sentence.contains(&phrase), "{phrase} in {sentence}");
    }

    let month = app
        .get(None, "/api/v1/air/cities/110000/months/2013-01")
        .await;
    assert_eq!(month.status, StatusCode::OK, "{}", month.body);
    let good = days
        .body
        .as_array()
        .expect("days")
        .iter()
        .filter(|d| d["aqi"].as_u64().is_some_and(|aqi| aqi <= 100))
        .count();
    assert_eq!(month.body["days_with_data"], 31);
    assert_eq!(month.body["good_days"], good);
    let per_level: u64 = month.body["days_per_level"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|l| l["days"].as_u64().expect("days"))
        .sum();
    assert_eq!(per_level, 31);
    assert_eq!(month.body["worst_days"][0]["aqi_text"], ">500");
    let share = month.body["good_share_percent"].as_f64().expect("share");
    assert!(
        month.body["sentence"]
            .as_str()
            .expect("sentence")
            .contains(&format!("优良天数{good}天，优良天数比例为{share:.1}%")),
        "{}",
        month.body["sentence"]
    );
}

#[backend_test]
pub async fn bad_air_requests_get_problems(backend: Backend) {
    let app = with_beijing(backend).await;
    for (path, status, field) in [
        (
            "/api/v1/air/cities/440300/today",
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            "/api/v1/air/cities/abc/today",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("code"),
        ),
        (
            "/api/v1/air/cities/110000/months/2013-13",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("month"),
        ),
        (
            "/api/v1/air/cities/110000/days?from=2013-02-01&to=2013-01-01",
            StatusCode::BAD_REQUEST,
            Some("from"),
        ),
        (
            "/api/v1/air/cities/110000/days?from=2010-01-01&to=2014-01-01",
            StatusCode::BAD_REQUEST,
            Some("from"),
        ),
        (
            "/api/v1/air/cities/110000/days?to=yesterday",
            StatusCode::BAD_REQUEST,
            Some("to"),
        ),
    ] {
        let reply = app.get(None, path).await;
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        if let Some(field) = field {
            assert_eq!(reply.body["errors"][0]["field"], field, "{path}");
        }
    }
}

#[backend_test]
pub async fn one_reading_gets_the_engines_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let reply = app
        .post(
            None,
            "/api/v1/aqi",
            &json!({"period": "daily", "standard": "2012", "pm25_24h": 80, "pm10_24h": 120}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // PM2.5 80: 100 + 50 × 5 / 40 = 106.25 → 107; PM10 120: 50 + 50 × 70 / 100 = 85.
    assert_eq!(reply.body["aqi"], 107);
    assert_eq!(reply.body["iaqi"]["pm10_24h"], 85);
    assert_eq!(reply.body["category"], "轻度污染");
    assert_eq!(reply.body["primary_pollutants"], json!(["pm25_24h"]));
    assert_eq!(reply.body["pm25_24h"], 80, "the input passes through");

    let bad = app
        .post(
            None,
            "/api/v1/aqi",
            &json!({"period": "daily", "pm25_24h": -3}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.body["errors"][0]["field"], "pm25_24h");
    let no_period = app.post(None, "/api/v1/aqi", &json!({"pm25_24h": 3})).await;
    assert_eq!(no_period.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_period.body["errors"][0]["field"], "period");
}

#[backend_test]
pub async fn the_air_page_shows_the_level_sentence_and_chart(backend: Backend) {
    let app = with_beijing(backend).await;
    let response = app
        .http
        .get(app.url("/air/110000"))
        .send()
        .await
        .expect("page");
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response
        .headers()
        .get("content-security-policy")
        .expect("CSP")
        .to_str()
        .expect("text")
        .to_owned();
    assert!(csp.contains("default-src 'self'"));
    let html = response.text().await.expect("body");
    let today = app.get(None, "/api/v1/air/cities/110000/today").await;
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("name=\"viewport\""));
    assert!(html.contains("北京市空气质量"), "{html}");
    assert!(html.contains("2014-12-31"));
    let category = today.body["day"]["category"].as_str().expect("category");
    assert!(html.contains(category));
    assert!(html.contains(&format!("level-{}", today.body["day"]["level"])));
    assert!(html.contains(today.body["sentence"].as_str().expect("sentence")));
    assert!(html.contains("<svg id=\"aqi-chart\""));
    let bars = html.matches("class=\"bar\"").count();
    assert!((25..=30).contains(&bars), "{bars} bars");
    assert!(
        !html.contains("http://") || !html.contains("src=\"http"),
        "no external requests"
    );
    assert!(!html.contains("style=\""), "no inline styles under the CSP");

    let none = app
        .http
        .get(app.url("/air/440300"))
        .send()
        .await
        .expect("page");
    assert_eq!(none.status(), StatusCode::NOT_FOUND);
}

/// Sen's slope worked directly: the median of every pairwise slope.
fn sen_slope(values: &[f64]) -> f64 {
    let mut slopes = Vec::new();
    for i in 0..values.len() {
        for j in i + 1..values.len() {
            slopes.push((values[j] - values[i]) / (j - i) as f64);
        }
    }
    slopes.sort_by(f64::total_cmp);
    let n = slopes.len();
    if n % 2 == 1 {
        slopes[n / 2]
    } else {
        (slopes[n / 2 - 1] + slopes[n / 2]) / 2.0
    }
}

#[backend_test]
pub async fn a_year_sums_its_months_and_tests_the_pm25_trend(backend: Backend) {
    let app = spawn_app(backend).await;
    crate::helpers::load_beijing(&app.store).await;
    let reply = app.get(None, "/api/v1/air/cities/110000/years/2013").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let months = reply.body["months"].as_array().expect("months");
    assert_eq!(months.len(), 12);
    let sum = |field: &str| -> u64 {
        months
            .iter()
            .map(|m| m[field].as_u64().expect("days"))
            .sum()
    };
    assert_eq!(
        reply.body["year"]["days_with_data"].as_u64(),
        Some(sum("days_with_data"))
    );
    assert_eq!(
        reply.body["year"]["good_days"].as_u64(),
        Some(sum("good_days"))
    );
    let means: Vec<f64> = months
        .iter()
        .map(|m| m["mean_concentrations"]["pm25"].as_f64().expect("pm25"))
        .collect();
    let slope = reply.body["pm25_slope_per_month"].as_f64().expect("tested");
    assert!(
        (slope - sen_slope(&means)).abs() < 1e-9,
        "{slope} vs {}",
        sen_slope(&means)
    );
    let sentence = reply.body["sentence"].as_str().expect("sentence");
    let days = reply.body["year"]["good_days"].as_u64().expect("good days");
    assert!(
        sentence.contains(&format!("优良天数{days}天")),
        "{sentence}"
    );
    let none = app.get(None, "/api/v1/air/cities/110000/years/2020").await;
    assert_eq!(none.body["pm25_trend"], "not_tested", "{}", none.body);
}
