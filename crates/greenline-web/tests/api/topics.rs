//! Hot topics: a term planted in one month's complaints stands out against the month before,
//! within the caller's jurisdiction only.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, spawn_app, web_report};

const ORDINARY: [&str; 4] = [
    "楼下饭店油烟很大，晚上呛得睡不着",
    "工地夜间施工噪音扰民，希望管一管",
    "小区旁边的河道发黑发臭，夏天更严重",
    "广场舞音响声音太大，影响老人休息",
];
const PLANTED: &str = "化工园区方向飘来刺鼻的农药味，闻了头晕恶心";

async fn report(app: &TestApp, text: &str) {
    let mut body = web_report();
    body["description"] = json!(text);
    let reply = app.post(None, "/api/v1/cases", &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[backend_test]
pub async fn a_planted_term_stands_out_within_the_jurisdiction(backend: Backend) {
    let app = spawn_app(backend).await;
    // November: the ordinary complaints only.
    for _ in 0..6 {
        for text in ORDINARY {
            report(&app, text).await;
        }
    }
    // December: the same, and a new smell.
    app.advance(10);
    for _ in 0..2 {
        for text in ORDINARY {
            report(&app, text).await;
        }
    }
    for _ in 0..6 {
        report(&app, PLANTED).await;
    }

    let shenzhen = app.login("shenzhen").await;
    let reply = app
        .get(
            Some(&shenzhen),
            "/api/v1/topics?period=2026-12&baseline_months=1&min_count=3",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["texts"], 14);
    assert_eq!(reply.body["background_texts"], 24);
    let topics = reply.body["topics"].as_array().expect("topics");
    let smell = topics
        .iter()
        .find(|t| t["term"] == "农药味")
        .unwrap_or_else(|| panic!("农药味 stands out: {}", reply.body));
    assert_eq!(smell["count"], 6);
    assert_eq!(smell["background_count"], 0);
    assert_eq!(smell["emerging"], true);
    assert_eq!(smell["examples"].as_array().map(Vec::len), Some(3));
    assert!(
        !topics.iter().any(|t| t["term"] == "油烟"),
        "unchanged complaints do not stand out: {}",
        reply.body
    );

    // Futian sees none of Nanshan's cases, and may not ask for Nanshan.
    let futian = app.login("futian").await;
    let reply = app
        .get(
            Some(&futian),
            "/api/v1/topics?period=2026-12&baseline_months=1",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["texts"], 0);
    assert_eq!(reply.body["topics"], json!([]));
    let reply = app
        .get(Some(&futian), "/api/v1/topics?period=2026-12&region=440305")
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);

    // Bad parameters are named.
    for (query, field) in [
        ("period=2026-13", "period"),
        ("period=2026-12&baseline_months=0", "baseline_months"),
        ("period=2026-12&type=smog", "type"),
    ] {
        let reply = app
            .get(Some(&shenzhen), &format!("/api/v1/topics?{query}"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.body
        );
        assert_eq!(reply.body["errors"][0]["field"], field, "{}", reply.body);
    }
}

#[backend_test]
pub async fn a_name_reporters_typed_never_rises_as_a_topic(backend: Backend) {
    let app = spawn_app(backend).await;
    for _ in 0..6 {
        for text in ORDINARY {
            report(&app, text).await;
        }
    }
    app.advance(10);
    for _ in 0..6 {
        report(&app, &format!("{PLANTED}。联系人欧阳振华，电话13812345678")).await;
    }
    let analyst = app.login("shenzhen-analyst").await;
    let reply = app
        .get(
            Some(&analyst),
            "/api/v1/topics?period=2026-12&baseline_months=1&min_count=3",
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let said = reply.body.to_string();
    assert!(
        said.contains("农药味"),
        "the smell still stands out: {said}"
    );
    for identity in ["欧阳", "振华", "13812345678", "12345678"] {
        assert!(!said.contains(identity), "{identity} in {said}");
    }
}
