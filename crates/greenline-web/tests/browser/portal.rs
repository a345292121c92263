//! The public side: the report form, the tracking page, public pages' privacy, air quality.

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::helpers;
use crate::{Browser, report_about};

/// Fills in and sends the report form the way a person would, on the phone.
pub(crate) async fn file_a_report(browser: &Browser) -> (String, String) {
    browser.open("/report").await;
    browser.assert_fits_the_screen().await;
    browser.choose("#primary_type", "noise").await;
    browser.choose("#province", "440000").await;
    browser.choose("#city", "440300").await;
    browser.choose("#county", "440305").await;
    browser
        .type_into("#address", "科技园南区高新南七道工地")
        .await;
    browser
        .type_into(
            "#description",
            "工地每天夜里十一点后还在打桩，严重影响休息。",
        )
        .await;
    browser.type_into("#reporter_name", "陈小姐").await;
    browser.type_into("#reporter_phone", "13812345678").await;
    browser.snapshot("report-filled").await;
    browser.click("#report-form button[type=submit]").await;
    let tracking_no = browser.text_of("#tracking-no").await;
    browser.snapshot("report-receipt").await;
    let secret = browser.text_of("#secret").await;
    browser.assert_fits_the_screen().await;
    (tracking_no, secret)
}

pub(crate) async fn track(browser: &Browser, tracking_no: &str, secret: &str) -> String {
    browser.open("/track").await;
    // A case looked up a moment ago is still shown (the reporter's pass): start another.
    if browser
        .client
        .find(fantoccini::Locator::Css("#leave"))
        .await
        .is_ok()
    {
        browser.click("#leave").await;
        browser.text_of("#tracking_no").await;
    }
    browser.type_into("#tracking_no", tracking_no).await;
    browser.type_into("#secret", secret).await;
    browser.click("main form button[type=submit]").await;
    browser.text_of("#status").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_citizen_reports_from_a_phone_and_finds_the_case_on_the_tracking_page() {
    let browser = Browser::start().await;
    let (tracking_no, secret) = file_a_report(&browser).await;
    assert!(tracking_no.starts_with("GL"), "{tracking_no}");
    assert_eq!(browser.app.case_count().await, 1);
    let status = track(&browser, &tracking_no, &secret).await;
    assert_eq!(status, "待受理");
    browser.snapshot("track-result").await;
    browser.assert_fits_the_screen().await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_bad_form_shows_the_fields_error_and_creates_nothing() {
    let browser = Browser::start().await;
    browser.open("/report").await;
    browser.choose("#province", "440000").await;
    browser.type_into("#reporter_phone", "13812345678").await;
    browser.click("#report-form button[type=submit]").await;
    assert_eq!(
        browser.text_of("#primary_type-error").await,
        "请选择问题类型"
    );
    assert_eq!(
        browser.text_of("#description-error").await,
        "请描述您要举报的问题"
    );
    let invalid = browser
        .client
        .find(Locator::Css("#description"))
        .await
        .expect("description")
        .attr("aria-invalid")
        .await
        .expect("attribute");
    assert_eq!(invalid.as_deref(), Some("true"));
    // What was typed is still there.
    let phone = browser
        .client
        .find(Locator::Css("#reporter_phone"))
        .await
        .expect("phone")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(phone.as_deref(), Some("13812345678"));
    browser.snapshot("report-errors").await;
    browser.assert_fits_the_screen().await;
    assert_eq!(browser.app.case_count().await, 0);
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn public_pages_show_no_reporter_name_or_phone() {
    let browser = Browser::start().await;
    let app = &browser.app;
    let (id, tracking_no, secret) = report_about(app, "440305").await;
    let nation = app.login("nation").await;
    let accepted = app
        .act(
            &nation,
            id,
            json!({"action": "accept", "note": "内部备注：先电话联系举报人"}),
        )
        .await;
    assert_eq!(accepted.status, reqwest::StatusCode::OK);
    assert_eq!(track(&browser, &tracking_no, &secret).await, "办理中");
    let mut pages = vec![browser.source().await];
    for path in ["/", "/report", "/track"] {
        browser.open(path).await;
        pages.push(browser.source().await);
    }
    for page in &pages {
        for private in [
            "陈小姐",
            "13812345678",
            "138-1234",
            "staff-name",
            "内部备注",
            &secret,
        ] {
            assert!(!page.contains(private), "a public page shows {private}");
        }
    }
    let _: Value = browser
        .client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .map(|lang| {
            assert_eq!(lang, json!("zh-CN"));
            lang
        })
        .expect("lang");
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn the_air_page_shows_the_level_and_the_chart_on_a_phone() {
    let browser = Browser::start().await;
    helpers::load_beijing(&browser.app.store).await;
    browser.open("/air/110000").await;
    let level = browser.text_of("#aqi-level").await;
    let today = browser
        .app
        .get(None, "/api/v1/air/cities/110000/today")
        .await;
    let category = today.body["day"]["category"].as_str().expect("category");
    assert!(level.contains(category), "{level}");
    assert!(level.contains(today.body["day"]["level_name"].as_str().expect("level")));
    let sentence = browser.text_of("#aqi-sentence").await;
    assert_eq!(sentence, today.body["sentence"].as_str().expect("sentence"));
    // The chart is drawn, has its bars and is no wider than the screen.
    let sizes = browser
        .client
        .execute(
            "const c = document.getElementById('aqi-chart'); const r = c.getBoundingClientRect(); \
             return [r.width, r.height, c.querySelectorAll('rect.bar').length];",
            vec![],
        )
        .await
        .expect("chart");
    let (width, height, bars) = (
        sizes[0].as_f64().expect("width"),
        sizes[1].as_f64().expect("height"),
        sizes[2].as_i64().expect("bars"),
    );
    assert!(width > 300.0 && width <= 375.0, "chart {width} px wide");
    assert!(height > 100.0, "chart {height} px high");
    assert!((25..=30).contains(&bars), "{bars} bars");
    browser.assert_fits_the_screen().await;
    browser.snapshot("air").await;
    browser.finish().await;
}
