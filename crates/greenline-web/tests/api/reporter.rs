//! The reporter after the reply, on the portal and through the API: their pass keeps the case
//! open on /track without the secret in the page, they rate the reply once, a petitioner asks
//! for a review (复查) online within the window, and the pass ends when asked.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::pages::{browser, csrf_token, page, post_form};

/// A case registered by the national desk (a phone report or a petition), accepted, concluded
/// and replied. Its id, tracking number and secret.
async fn replied(app: &TestApp, kind: &str) -> (i64, String, String) {
    let nation = app.login("nation").await;
    let mut report = crate::helpers::phone_report();
    report["kind"] = json!(kind);
    report["description"] = json!("楼下饭店油烟直排，我叫陈小红，电话13812345678。");
    let receipt = app.post(Some(&nation), "/api/v1/cases", &report).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let id = receipt.body["id"].as_i64().expect("id");
    let outcome = if kind == "petition" {
        "not_supported"
    } else {
        "substantiated"
    };
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": outcome, "findings": "属实"}),
        json!({"action": "reply", "text": "已责令饭店安装油烟净化设施"}),
    ] {
        let r = app.act(&nation, id, command).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    (
        id,
        receipt.body["tracking_no"].as_str().expect("no").to_owned(),
        receipt.body["secret"].as_str().expect("secret").to_owned(),
    )
}

async fn stage_of(app: &TestApp, id: i64) -> Value {
    let nation = app.login("nation").await;
    app.get(Some(&nation), &format!("/api/v1/cases/{id}"))
        .await
        .body["stage"]
        .clone()
}

#[backend_test]
pub async fn a_petitioner_asks_for_a_review_online_once_within_thirty_days(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, no, secret) = replied(&app, "petition").await;
    let path = format!("/api/v1/track/{no}/review");

    let tracked = app
        .http
        .get(app.url(&format!("/api/v1/track/{no}")))
        .header("X-Tracking-Secret", &secret)
        .send()
        .await
        .expect("request");
    let tracked: Value = tracked.json().await.expect("json");
    assert_eq!(tracked["review_until"], "2026-12-27", "{tracked}");
    assert_eq!(tracked["may_rate"], true);

    let no_reason = app
        .post(None, &path, &json!({"secret": secret, "reason": "  "}))
        .await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    let wrong = app
        .post(None, &path, &json!({"secret": "WRONG", "reason": "不服"}))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.body);
    assert_eq!(stage_of(&app, id).await, "replied", "nothing changed");

    let asked = app
        .post(
            None,
            &path,
            &json!({"secret": secret, "reason": "油烟仍然直排，答复与事实不符"}),
        )
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert_eq!(asked.body["stage"], "review_requested");
    assert!(asked.body["answer_by"].is_string(), "{}", asked.body);
    assert_eq!(stage_of(&app, id).await, "review_requested");
    let nation = app.login("nation").await;
    let events = app
        .get(Some(&nation), &format!("/api/v1/cases/{id}/events"))
        .await
        .body;
    let request = events
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["action"] == "request_review")
        .expect("the request is an event");
    assert_eq!(request["actor"], "public");

    let again = app
        .post(
            None,
            &path,
            &json!({"secret": secret, "reason": "再次申请"}),
        )
        .await;
    assert!(again.status.is_client_error(), "{}", again.body);

    // Past the window the request is refused, saying why.
    let (late_id, late_no, late_secret) = replied(&app, "petition").await;
    app.advance(31);
    let late = app
        .post(
            None,
            &format!("/api/v1/track/{late_no}/review"),
            &json!({"secret": late_secret, "reason": "不服"}),
        )
        .await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(stage_of(&app, late_id).await, "replied");
}

#[backend_test]
pub async fn a_report_has_no_review_and_is_handled_again_when_not_solved(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, no, secret) = replied(&app, "report").await;
    let review = app
        .post(
            None,
            &format!("/api/v1/track/{no}/review"),
            &json!({"secret": secret, "reason": "不服"}),
        )
        .await;
    assert!(review.status.is_client_error(), "{}", review.body);
    assert_eq!(stage_of(&app, id).await, "replied");
}

/// Looks case `no` up on /track with `secret` in `client`; the page.
async fn look_up(client: &reqwest::Client, app: &TestApp, no: &str, secret: &str) -> String {
    let (_, form) = page(client, app, "/track").await;
    let token = csrf_token(&form);
    let (status, headers, html) = post_form(
        client,
        app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &no.to_lowercase()),
            ("secret", secret),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let cookies: Vec<_> = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let pass = cookies
        .iter()
        .find(|c| c.starts_with("greenline_track="))
        .expect("the reporter's pass");
    assert!(
        pass.contains("HttpOnly") && pass.contains("SameSite=Strict"),
        "{pass}"
    );
    assert!(!pass.contains(secret), "the pass is not the secret");
    assert!(!html.contains(secret), "the secret is not sent back");
    html
}

#[backend_test]
pub async fn on_the_portal_the_reporter_rates_the_reply_with_their_pass_and_then_leaves(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (id, no, secret) = replied(&app, "report").await;
    let client = browser();
    let html = look_up(&client, &app, &no, &secret).await;
    // Their own words as written, the plain stage word and the reply.
    assert!(html.contains("我叫陈小红，电话13812345678"), "{html}");
    assert!(html.contains("已责令饭店安装油烟净化设施"), "{html}");
    assert!(html.contains("评价办理结果"), "{html}");
    let token = csrf_token(&html);

    // The pass keeps the case open without the secret.
    let (status, again) = page(&client, &app, "/track").await;
    assert_eq!(status, StatusCode::OK);
    assert!(again.contains(&no), "{again}");

    // A rating without its answers names them and changes nothing.
    let (status, _, missing) =
        post_form(&client, &app, "/track/rating", &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.contains("请选择您对办理结果的评价"), "{missing}");
    assert!(missing.contains("请选择问题是否已经解决"), "{missing}");
    assert_eq!(stage_of(&app, id).await, "replied");

    let (status, _, rated) = post_form(
        &client,
        &app,
        "/track/rating",
        &[
            ("csrf_token", &token),
            ("satisfaction", "dissatisfied"),
            ("solved", "no"),
            ("note", "油烟还在排"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rated}");
    assert!(rated.contains("已重新交办理单位办理"), "{rated}");
    assert!(
        rated.contains("您对本次答复的评价：<strong>不满意</strong>"),
        "{rated}"
    );
    assert!(!rated.contains("id=\"rate\""), "rated once: {rated}");
    assert_eq!(stage_of(&app, id).await, "handling", "not solved reopens");

    // Another browser without the pass gets nothing from the follow-up forms.
    let stranger = browser();
    let (_, blank) = page(&stranger, &app, "/track").await;
    let stranger_token = csrf_token(&blank);
    let (status, _, refused) = post_form(
        &stranger,
        &app,
        "/track/rating",
        &[
            ("csrf_token", &stranger_token),
            ("satisfaction", "satisfied"),
            ("solved", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(refused.contains("查询已超时"), "{refused}");

    let (status, _, _) = post_form(&client, &app, "/track/leave", &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, after) = page(&client, &app, "/track").await;
    assert!(!after.contains(&no), "the pass ended: {after}");
}

#[backend_test]
pub async fn on_the_portal_a_petitioner_asks_for_a_review(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, no, secret) = replied(&app, "petition").await;
    let client = browser();
    let html = look_up(&client, &app, &no, &secret).await;
    assert!(html.contains("申请复查"), "{html}");
    assert!(html.contains("2026年12月27日"), "{html}");
    let token = csrf_token(&html);
    let (status, _, empty) = post_form(
        &client,
        &app,
        "/track/review",
        &[("csrf_token", &token), ("reason", " ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.contains("请写明申请复查的理由"), "{empty}");
    let (status, _, asked) = post_form(
        &client,
        &app,
        "/track/review",
        &[("csrf_token", &token), ("reason", "答复与事实不符")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{asked}");
    assert!(asked.contains("复查申请已提交"), "{asked}");
    assert_eq!(stage_of(&app, id).await, "review_requested");
}
