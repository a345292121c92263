//! Approval of conclusions (审核) and callbacks (回访): a unit's setting turns a handler's
//! conclusion and reply into a draft that a supervisor approves or returns; callbacks are
//! recorded, counted, and reopen a report that is not solved; web reporters rate the reply with
//! their secret.

use greenline_app::accounts::hash_password;
use greenline_domain::{Approval, Role};
use greenline_store::NewStaff;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app, start_time};

const NANSHAN: &str = "深圳市生态环境局南山管理局";

/// A handler and supervisor of Nanshan (the unit's own approver).
async fn nanshan_lead(app: &TestApp) -> String {
    app.store
        .create_staff(
            &NewStaff {
                username: "nanshan-lead".into(),
                display_name: "南山审核人".into(),
                password_hash: hash_password(PASSWORD).expect("hash"),
                unit_id: app.units["nanshan"],
                roles: vec![Role::Handler, Role::Supervisor],
            },
            start_time(),
        )
        .await
        .expect("staff");
    app.login("nanshan-lead").await
}

/// A public report in Nanshan, accepted by the national desk and routed to `unit`, where
/// `handler` starts handling it. Its id, tracking number and secret.
async fn case_at(app: &TestApp, unit: &str, handler: &str) -> (i64, String, String) {
    let receipt = app.public_report().await.body;
    let id = receipt["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    for command in [
        json!({"action": "accept"}),
        json!({"action": "assign", "unit_id": app.units[unit]}),
    ] {
        let r = app.act(&nation, id, command).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app.act(handler, id, json!({"action": "handle"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    (
        id,
        receipt["tracking_no"].as_str().expect("no").to_owned(),
        receipt["secret"].as_str().expect("secret").to_owned(),
    )
}

fn submission() -> Value {
    json!({
        "action": "submit",
        "outcome": "substantiated",
        "findings": "现场检查发现夜间违规打桩",
        "enforcement": [{"type": "ordered_to_rectify"}, {"type": "fine", "amount_yuan": 50000}],
        "reply": "经查属实，已责令整改并处罚款五万元。",
    })
}

async fn track(app: &TestApp, no: &str, secret: &str) -> Value {
    let r = app
        .http
        .get(app.url(&format!("/api/v1/track/{no}")))
        .header("X-Tracking-Secret", secret)
        .send()
        .await
        .expect("request");
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.expect("json")
}

fn actions(body: &Value) -> Vec<String> {
    body["allowed_actions"]
        .as_array()
        .expect("actions")
        .iter()
        .map(|a| a.as_str().expect("code").to_owned())
        .collect()
}

#[backend_test]
pub async fn under_approval_a_conclusion_is_a_hidden_draft_until_a_supervisor_approves_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.core
        .set_unit_approval(None, NANSHAN, Approval::Required)
        .await
        .expect("approval on");
    let handler = app.login("nanshan").await;
    let lead = nanshan_lead(&app).await;
    let (id, no, secret) = case_at(&app, "nanshan", &handler).await;

    let view = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}"))
        .await;
    assert!(
        actions(&view.body).contains(&"submit".to_owned()),
        "{}",
        view.body
    );
    assert!(!actions(&view.body).contains(&"conclude".to_owned()));
    let direct = app
        .act(
            &handler,
            id,
            json!({"action": "conclude", "outcome": "substantiated", "findings": "属实"}),
        )
        .await;
    assert_eq!(direct.status, StatusCode::CONFLICT, "{}", direct.body);
    assert_eq!(direct.body["allowed_actions"], json!(["extend", "submit"]));

    let submitted = app.act(&handler, id, submission()).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["case"]["stage"], "pending_approval");
    assert_eq!(submitted.body["case"]["reply"], Value::Null);
    assert_eq!(
        submitted.body["case"]["draft"]["reply"],
        "经查属实，已责令整改并处罚款五万元。"
    );
    assert_eq!(submitted.body["case"]["public_status"], "in_progress");

    // Nothing of the draft reaches the reporter; the approval step is not theirs to see.
    let tracked = track(&app, &no, &secret).await;
    assert_eq!(tracked["stage"], "handling");
    assert_eq!(tracked["status_zh"], "办理中");
    let text = tracked.to_string();
    for private in [
        "罚款",
        "夜间违规打桩",
        "pending_approval",
        "待审核",
        "draft",
    ] {
        assert!(
            !text.contains(private),
            "the tracking view shows {private}: {text}"
        );
    }
    assert!(
        tracked["due_on"].is_string(),
        "the handling limit keeps running"
    );

    // A handler may not approve, not even their own unit's case.
    let by_handler = app.act(&handler, id, json!({"action": "approve"})).await;
    assert_eq!(
        by_handler.status,
        StatusCode::FORBIDDEN,
        "{}",
        by_handler.body
    );
    let approved = app
        .act(&lead, id, json!({"action": "approve", "note": "同意"}))
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["case"]["stage"], "replied");
    assert_eq!(approved.body["case"]["draft"], Value::Null);
    assert_eq!(approved.body["case"]["outcome"], "substantiated");
    assert_eq!(approved.body["event"]["action"], "approve");

    let events = app
        .get(Some(&lead), &format!("/api/v1/cases/{id}/events"))
        .await;
    let tail: Vec<(String, String)> = events
        .body
        .as_array()
        .expect("events")
        .iter()
        .rev()
        .take(3)
        .map(|e| {
            (
                e["action"].as_str().expect("action").to_owned(),
                e["actor"].as_str().expect("actor").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        tail.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>(),
        ["reply", "conclude", "approve"]
    );
    assert!(
        tail.iter().all(|(_, actor)| actor.contains("南山审核人")),
        "{tail:?}"
    );
    let submit = events
        .body
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["action"] == "submit")
        .expect("the submission");
    assert!(
        submit["actor"]
            .as_str()
            .expect("actor")
            .contains("nanshan-staff-name")
    );

    let tracked = track(&app, &no, &secret).await;
    assert_eq!(tracked["reply"], "经查属实，已责令整改并处罚款五万元。");
    assert_eq!(
        tracked["enforcement_zh"],
        json!(["责令整改", "罚款50000元"])
    );
}

#[backend_test]
pub async fn a_returned_draft_needs_a_reason_and_the_one_who_drafted_it_does_not_approve_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.core
        .set_unit_approval(None, NANSHAN, Approval::Required)
        .await
        .expect("approval on");
    let lead = nanshan_lead(&app).await;
    let (id, _, _) = case_at(&app, "nanshan", &lead).await;
    let submitted = app.act(&lead, id, submission()).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);

    let own = app.act(&lead, id, json!({"action": "approve"})).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN, "{}", own.body);

    let shenzhen = app.login("shenzhen").await;
    let no_reason = app
        .act(
            &shenzhen,
            id,
            json!({"action": "return_draft", "reason": " "}),
        )
        .await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let returned = app
        .act(
            &shenzhen,
            id,
            json!({"action": "return_draft", "reason": "请补充监测数据"}),
        )
        .await;
    assert_eq!(returned.status, StatusCode::OK, "{}", returned.body);
    assert_eq!(returned.body["case"]["stage"], "handling");
    assert_eq!(
        returned.body["case"]["draft"]["findings"],
        "现场检查发现夜间违规打桩"
    );
    assert!(actions(&returned.body["case"]).contains(&"submit".to_owned()));

    let mut again = submission();
    again["findings"] = json!("补充：夜间噪声监测超标 12 分贝");
    let resubmitted = app.act(&lead, id, again).await;
    assert_eq!(resubmitted.status, StatusCode::OK, "{}", resubmitted.body);
    // A supervisor above the unit approves.
    let approved = app.act(&shenzhen, id, json!({"action": "approve"})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(
        approved.body["case"]["findings"],
        "补充：夜间噪声监测超标 12 分贝"
    );
}

#[backend_test]
pub async fn without_approval_a_unit_concludes_and_the_setting_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let handler = app.login("nanshan").await;
    let (id, _, _) = case_at(&app, "nanshan", &handler).await;
    let submitted = app.act(&handler, id, submission()).await;
    assert_eq!(submitted.status, StatusCode::CONFLICT, "{}", submitted.body);
    assert!(
        submitted.body["allowed_actions"]
            .as_array()
            .expect("allowed")
            .contains(&json!("conclude"))
    );
    let concluded = app
        .act(
            &handler,
            id,
            json!({"action": "conclude", "outcome": "unsubstantiated", "findings": "未发现夜间施工"}),
        )
        .await;
    assert_eq!(concluded.status, StatusCode::OK, "{}", concluded.body);

    // Setting it is an administrator's act of their region, and recorded.
    let admin = app.login("shenzhen-admin").await;
    let admin_caller = app
        .core
        .session(&admin, greenline_app::Origin::CommandLine)
        .await
        .expect("admin");
    let set = app
        .core
        .set_unit_approval(Some(&admin_caller), NANSHAN, Approval::Required)
        .await;
    assert!(set.is_ok(), "{set:?}");
    let handler_caller = app
        .core
        .session(&handler, greenline_app::Origin::CommandLine)
        .await
        .expect("handler");
    assert!(
        app.core
            .set_unit_approval(Some(&handler_caller), NANSHAN, Approval::NotRequired)
            .await
            .is_err(),
        "a handler does not change the setting"
    );
    let auditor = app.login("guangdong-auditor").await;
    let records = app
        .get(Some(&auditor), "/api/v1/audit?action=set_unit_approval")
        .await;
    assert_eq!(records.status, StatusCode::OK, "{}", records.body);
    assert!(
        records.body.to_string().contains(NANSHAN),
        "{}",
        records.body
    );
}

#[backend_test]
pub async fn the_supervisors_queue_lists_drafts_to_approve_and_petition_reviews_are_in_progress(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.core
        .set_unit_approval(None, NANSHAN, Approval::Required)
        .await
        .expect("approval on");
    let handler = app.login("nanshan").await;
    let (id, _, _) = case_at(&app, "nanshan", &handler).await;
    app.act(&handler, id, submission()).await;
    let count = |queue: &Value, tab: &str| {
        queue["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .find(|c| c["tab"] == tab)
            .expect("tab")["count"]
            .as_u64()
            .expect("count")
    };
    let shenzhen = app.login("shenzhen").await;
    let queue = app
        .get(Some(&shenzhen), "/api/v1/queue?tab=to_review")
        .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    assert_eq!(count(&queue.body, "to_review"), 1);
    assert_eq!(queue.body["items"][0]["id"], id);
    assert_eq!(
        queue.body["items"][0]["actions"],
        json!(["approve", "return_draft"])
    );
    let own = app.get(Some(&handler), "/api/v1/queue?tab=to_review").await;
    assert_eq!(
        count(&own.body, "to_review"),
        0,
        "a handler does not approve"
    );
}

/// A case of Nanshan replied without approval.
async fn replied(app: &TestApp) -> (i64, String, String) {
    let handler = app.login("nanshan").await;
    let (id, no, secret) = case_at(app, "nanshan", &handler).await;
    for command in [
        json!({"action": "conclude", "outcome": "substantiated", "findings": "属实"}),
        json!({"action": "reply", "text": "已责令停止夜间施工"}),
    ] {
        let r = app.act(&handler, id, command).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    (id, no, secret)
}

#[backend_test]
pub async fn callbacks_are_recorded_and_counted_and_not_solved_reopens_a_report(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, _, _) = replied(&app).await;
    let operator = app.login("nanshan").await;
    let path = format!("/api/v1/cases/{id}/callbacks");
    let first = app
        .post(
            Some(&operator),
            &path,
            &json!({"satisfaction": "basically_satisfied", "solved": true, "note": "夜间已安静"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["followup"], "none");
    assert_eq!(first.body["stage"], "replied");

    let analyst = app.login("shenzhen-analyst").await;
    let refused = app
        .post(
            Some(&analyst),
            &path,
            &json!({"satisfaction": "satisfied", "solved": true}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    app.advance(20);
    let operator = app.login("nanshan").await;
    let analyst = app.login("shenzhen-analyst").await;
    let second = app
        .post(
            Some(&operator),
            &path,
            &json!({"satisfaction": "dissatisfied", "solved": false, "note": "又开始夜间施工"}),
        )
        .await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_eq!(second.body["followup"], "reopened");
    assert_eq!(second.body["stage"], "handling");
    let case = app
        .get(Some(&operator), &format!("/api/v1/cases/{id}"))
        .await
        .body;
    assert_eq!(case["stage"], "handling");
    // A new handling limit from the reopening: 60 days from today.
    let today = (start_time() + chrono::Duration::days(20))
        .with_timezone(&greenline_domain::deadline::china_time())
        .date_naive();
    assert_eq!(
        case["deadline"]["last_day"],
        (today + chrono::Days::new(60)).to_string()
    );
    let events = app
        .get(Some(&operator), &format!("/api/v1/cases/{id}/events"))
        .await
        .body;
    let last: Vec<&str> = events
        .as_array()
        .expect("events")
        .iter()
        .rev()
        .take(2)
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert_eq!(last, ["reopen", "callback"]);
    // No callback while it is handled again.
    let early = app
        .post(
            Some(&operator),
            &path,
            &json!({"satisfaction": "satisfied", "solved": true}),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );

    let stats = app.get(Some(&analyst), "/api/v1/stats/callbacks").await;
    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    assert_eq!(stats.body["total"]["callbacks"], 2);
    assert_eq!(stats.body["total"]["basically_satisfied"], 1);
    assert_eq!(stats.body["total"]["dissatisfied"], 1);
    assert_eq!(stats.body["total"]["satisfaction_rate"], 0.5);
    assert_eq!(stats.body["total"]["solved_rate"], 0.5);
    assert_eq!(stats.body["by_unit"][0]["unit"]["id"], app.units["nanshan"]);
    assert_eq!(stats.body["by_unit"][0]["callbacks"], 2);
    let first_day = app
        .get(
            Some(&analyst),
            "/api/v1/stats/callbacks?from=2026-11-27&to=2026-11-27",
        )
        .await;
    assert_eq!(
        first_day.body["total"]["callbacks"], 1,
        "{}",
        first_day.body
    );
    assert_eq!(first_day.body["total"]["satisfaction_rate"], 1.0);
    let futian = app.login("futian").await;
    let elsewhere = app.get(Some(&futian), "/api/v1/stats/callbacks").await;
    assert_eq!(
        elsewhere.body["total"]["callbacks"], 0,
        "{}",
        elsewhere.body
    );
    assert_eq!(elsewhere.body["total"]["satisfaction_rate"], Value::Null);
    let outside = app
        .get(Some(&futian), "/api/v1/stats/callbacks?region=440305")
        .await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN, "{}", outside.body);
    let bad = app
        .get(Some(&analyst), "/api/v1/stats/callbacks?from=27.11.2026")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
}

#[backend_test]
pub async fn a_dissatisfied_petitioner_is_pointed_to_review_not_reopened(backend: Backend) {
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    let mut report = crate::helpers::phone_report();
    report["kind"] = json!("petition");
    let id = app.post(Some(&nation), "/api/v1/cases", &report).await.body["id"]
        .as_i64()
        .expect("id");
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "explained", "findings": "已解释"}),
        json!({"action": "reply", "text": "处理意见书"}),
    ] {
        let r = app.act(&nation, id, command).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .post(
            Some(&nation),
            &format!("/api/v1/cases/{id}/callbacks"),
            &json!({"satisfaction": "dissatisfied", "solved": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["followup"], "review_available");
    assert_eq!(r.body["stage"], "replied");
    assert_eq!(r.body["review_until"], "2026-12-27");
}

#[backend_test]
pub async fn a_web_reporter_rates_with_the_secret_in_the_body_once_and_guessing_is_limited(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (id, no, secret) = replied(&app).await;
    let path = format!("/api/v1/track/{no}/rating");
    let rating = |secret: &str| json!({"secret": secret, "satisfaction": "satisfied", "solved": true, "note": "处理及时"});
    let rated = app.post(None, &path, &rating(&secret)).await;
    assert_eq!(rated.status, StatusCode::OK, "{}", rated.body);
    let twice = app.post(None, &path, &rating(&secret)).await;
    assert_eq!(twice.status, StatusCode::CONFLICT, "{}", twice.body);
    let nation = app.login("nation").await;
    let events = app
        .get(Some(&nation), &format!("/api/v1/cases/{id}/events"))
        .await
        .body;
    let callback = events
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["action"] == "callback")
        .expect("the rating");
    assert_eq!(callback["data"]["source"], "reporter");
    assert_eq!(callback["actor"], "public");

    // A wrong secret is refused, counted, and after the limit the right one is refused too.
    let (_, other_no, other_secret) = replied(&app).await;
    let other = format!("/api/v1/track/{other_no}/rating");
    for _ in 0..5 {
        let wrong = app.post(None, &other, &rating("WRONG-SECRET")).await;
        assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.body);
    }
    let locked = app.post(None, &other, &rating(&other_secret)).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    let empty = app.post(None, &path, &rating("")).await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        empty.body
    );
    // The secret is not taken from the address.
    let in_url = app
        .post(
            None,
            &format!("{path}?secret={secret}"),
            &json!({"satisfaction": "satisfied", "solved": true}),
        )
        .await;
    assert!(in_url.status.is_client_error(), "{}", in_url.body);
}

#[backend_test]
pub async fn a_draft_names_no_reporter_to_an_analyst(backend: Backend) {
    let app = spawn_app(backend).await;
    app.core
        .set_unit_approval(None, NANSHAN, Approval::Required)
        .await
        .expect("approval on");
    let handler = app.login("nanshan").await;
    let (id, _, _) = case_at(&app, "nanshan", &handler).await;
    let mut draft = submission();
    draft["reply"] = json!("陈小姐您好，经查属实，已责令整改。");
    let submitted = app.act(&handler, id, draft).await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let analyst = app.login("shenzhen-analyst").await;
    let read = app
        .get(Some(&analyst), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let reply = read.body["draft"]["reply"].as_str().expect("the draft");
    assert!(!reply.contains("陈小姐"), "{reply}");
    let handler_read = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}"))
        .await;
    assert!(
        handler_read.body["draft"]["reply"]
            .as_str()
            .expect("the draft")
            .contains("陈小姐")
    );
}

#[backend_test]
pub async fn the_dashboard_shows_each_units_satisfaction_from_its_callbacks(backend: Backend) {
    let app = spawn_app(backend).await;
    let operator = app.login("nanshan").await;
    let mut holder = 0;
    for satisfaction in ["satisfied", "dissatisfied", "basically_satisfied"] {
        let (id, _, _) = replied(&app).await;
        let view = app
            .get(Some(&operator), &format!("/api/v1/cases/{id}"))
            .await;
        holder = view.body["unit_id"].as_i64().expect("unit");
        let recorded = app
            .post(
                Some(&operator),
                &format!("/api/v1/cases/{id}/callbacks"),
                &json!({"satisfaction": satisfaction, "solved": true}),
            )
            .await;
        assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    }
    app.caught_up().await;
    let analyst = app.login("shenzhen-analyst").await;
    let row = |dashboard: &Value| {
        dashboard["units"]
            .as_array()
            .into_iter()
            .chain(dashboard["small_units"].as_array())
            .flatten()
            .find(|u| u["unit_id"] == holder)
            .cloned()
            .expect("the holding unit is listed")
    };
    let dashboard = app.get(Some(&analyst), "/api/v1/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.body);
    let unit = row(&dashboard.body);
    assert_eq!(unit["callbacks"], 3, "{unit}");
    let rate = unit["satisfaction_rate"].as_f64().expect("a rate");
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{unit}");
    // Narrowed to a type, callbacks (of cases, not types) are not counted.
    let typed = app
        .get(Some(&analyst), "/api/v1/dashboard?type=noise")
        .await;
    assert_eq!(typed.status, StatusCode::OK, "{}", typed.body);
    assert_eq!(row(&typed.body)["satisfaction_rate"], Value::Null);
}

#[backend_test]
pub async fn an_administrator_turns_a_units_approval_on_and_off_in_the_console(backend: Backend) {
    use crate::pages::{browser, console_sign_in, csrf_token, page, post_form};
    let app = spawn_app(backend).await;
    let nanshan = app.units["nanshan"];
    let client = browser();
    console_sign_in(&client, &app, "shenzhen-admin").await;
    let (status, html) = page(&client, &app, "/console/admin/units").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("设为办结需审核"), "{html}");
    let token = csrf_token(&html);
    let path = format!("/console/admin/units/{nanshan}/approval-on");
    let (status, _, html) = post_form(&client, &app, &path, &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("须经审核后生效"), "{html}");
    assert!(app.store.unit_needs_approval(nanshan).await.expect("flag"));
    // Recorded, and a unit outside the administrator's city is refused.
    let guangdong = app.units["guangdong"];
    let (status, _, _) = post_form(
        &client,
        &app,
        &format!("/console/admin/units/{guangdong}/approval-on"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        !app.store
            .unit_needs_approval(guangdong)
            .await
            .expect("flag")
    );
    let path = format!("/console/admin/units/{nanshan}/approval-off");
    let (status, _, _) = post_form(&client, &app, &path, &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!app.store.unit_needs_approval(nanshan).await.expect("flag"));
    let auditor = app.login("guangdong-auditor").await;
    let trail = app
        .get(
            Some(&auditor),
            "/api/v1/audit?limit=200&action=set_unit_approval",
        )
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let changes = trail
        .body
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "set_unit_approval")
        .count();
    assert!(changes >= 2, "{}", trail.body);
}
