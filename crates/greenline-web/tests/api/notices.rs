//! Notices to reporters through the recording senders, and tracking by phone with a one-time
//! code: every refusal.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, Outbox, PORTAL, TestApp, spawn_app, spawn_app_noticed, web_report};
use crate::pages::{browser, csrf_token, page, post_form};

const PHONE: &str = "13812345678";

async fn report(app: &TestApp, body: Value) -> (i64, String, String) {
    let receipt = app.post(None, "/api/v1/cases", &body).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    (
        receipt.body["id"].as_i64().expect("id"),
        receipt.body["tracking_no"].as_str().expect("no").to_owned(),
        receipt.body["secret"].as_str().expect("secret").to_owned(),
    )
}

/// The code in the last SMS sent.
fn last_code(outbox: &Outbox) -> String {
    let (_, text) = outbox.sms().pop().expect("an SMS");
    text.split("验证码是 ")
        .nth(1)
        .and_then(|rest| rest.get(..6))
        .expect("a code in the SMS")
        .to_owned()
}

async fn ask_code(app: &TestApp, no: &str, phone: &str) -> crate::helpers::Reply {
    app.post(
        None,
        &format!("/api/v1/track/{no}/code"),
        &json!({ "phone": phone }),
    )
    .await
}

async fn track_by_code(app: &TestApp, no: &str, phone: &str, code: &str) -> crate::helpers::Reply {
    app.post(
        None,
        &format!("/api/v1/track/{no}"),
        &json!({ "phone": phone, "code": code }),
    )
    .await
}

#[backend_test]
pub async fn acceptance_sends_an_sms_and_an_e_mail_with_the_number_and_link_never_the_secret(
    backend: Backend,
) {
    let (app, outbox) = spawn_app_noticed(backend).await;
    let mut body = web_report();
    body["reporter_email"] = json!("chen@example.com");
    let (id, no, secret) = report(&app, body).await;
    let nation = app.login("nation").await;
    let accepted = app.act(&nation, id, json!({"action": "accept"})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    // Written with the step, before anything is sent.
    let pending = app.store.notices_of(id).await.expect("notices");
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(
        pending
            .iter()
            .all(|n| n.kind == "accepted" && n.attempts == 0)
    );

    app.deliver_notices().await;
    let sms = outbox.sms();
    assert_eq!(sms.len(), 1, "{sms:?}");
    let (to, text) = &sms[0];
    assert_eq!(to, PHONE);
    assert!(text.contains(&no), "{text}");
    assert!(text.contains("已受理"), "{text}");
    assert!(text.contains(&format!("{PORTAL}/track")), "{text}");
    let mail = outbox.mail.0.sent();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, "chen@example.com");
    assert!(mail[0].subject.contains(&no));
    for text in [text, &mail[0].text, &mail[0].subject] {
        assert!(
            !text.contains(&secret),
            "a notice carries the secret: {text}"
        );
        assert!(!text.contains("staff-name"), "a notice names staff: {text}");
    }
    let sent = app.store.notices_of(id).await.expect("notices");
    assert!(
        sent.iter()
            .all(|n| n.status.code() == "sent" && n.attempts == 1)
    );
    // Nothing is sent twice.
    assert_eq!(app.deliver_notices().await, 0);
    assert_eq!(outbox.sms().len(), 1);
}

#[backend_test]
pub async fn an_anonymous_report_gets_no_notice(backend: Backend) {
    let (app, outbox) = spawn_app_noticed(backend).await;
    let mut body = web_report();
    body["anonymous"] = json!(true);
    body["reporter_email"] = json!("chen@example.com");
    let (id, _, _) = report(&app, body).await;
    let nation = app.login("nation").await;
    assert_eq!(
        app.act(&nation, id, json!({"action": "accept"}))
            .await
            .status,
        StatusCode::OK
    );
    assert!(app.store.notices_of(id).await.expect("notices").is_empty());
    app.deliver_notices().await;
    assert!(outbox.sms().is_empty());
    assert!(outbox.mail.0.sent().is_empty());
}

#[backend_test]
pub async fn a_rejection_tells_the_reason_and_where_to_go(backend: Backend) {
    let (app, outbox) = spawn_app_noticed(backend).await;
    let (id, no, _) = report(&app, web_report()).await;
    let nation = app.login("nation").await;
    let rejected = app
        .act(
            &nation,
            id,
            json!({"action": "reject", "reason": "outside_remit", "note": "请向市住房和建设局反映"}),
        )
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    app.deliver_notices().await;
    let (_, text) = outbox.sms().pop().expect("an SMS");
    assert!(text.contains(&no), "{text}");
    assert!(text.contains("不予受理"), "{text}");
    assert!(text.contains("不属于生态环境部门职责范围"), "{text}");
    assert!(text.contains("请向市住房和建设局反映"), "{text}");
    // No e-mail address: no e-mail notice.
    assert!(outbox.mail.0.sent().is_empty());
}

#[backend_test]
pub async fn a_failed_notice_is_tried_again_later_and_every_attempt_is_kept(backend: Backend) {
    let (app, outbox) = spawn_app_noticed(backend).await;
    let (id, _, _) = report(&app, web_report()).await;
    let nation = app.login("nation").await;
    app.act(&nation, id, json!({"action": "accept"})).await;
    outbox.sms.0.fail_next(2);
    assert_eq!(app.deliver_notices().await, 0);
    // Not due again at once …
    assert_eq!(app.deliver_notices().await, 0);
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        app.deliver_notices().await,
        0,
        "the second attempt fails too"
    );
    app.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        app.deliver_notices().await,
        0,
        "the next wait is twice as long"
    );
    app.clock.advance(chrono::Duration::seconds(60));
    assert_eq!(app.deliver_notices().await, 1);
    assert_eq!(outbox.sms().len(), 1);
    let notice = app.store.notices_of(id).await.expect("notices").remove(0);
    let attempts = app
        .store
        .notice_attempts(notice.id)
        .await
        .expect("attempts");
    assert_eq!(
        attempts.iter().map(|a| a.ok).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert!(
        attempts[0]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("fail"))
    );
}

#[backend_test]
pub async fn a_phone_with_a_one_time_code_tracks_and_gets_a_new_secret(backend: Backend) {
    let (app, outbox) = spawn_app_noticed(backend).await;
    let (id, no, secret) = report(&app, web_report()).await;

    // A phone that is not the case's: the same answer, and nothing sent.
    let stranger = ask_code(&app, &no, "13900000000").await;
    assert_eq!(stranger.status, StatusCode::ACCEPTED, "{}", stranger.body);
    let owner = ask_code(&app, &no.to_lowercase(), "+86 138-1234-5678").await;
    assert_eq!(owner.status, StatusCode::ACCEPTED);
    assert_eq!(stranger.body, owner.body, "the answer tells nothing");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let sms = outbox.sms();
    assert_eq!(sms.len(), 1, "only the case's phone gets a code: {sms:?}");
    assert_eq!(sms[0].0, "+86 138-1234-5678");
    let code = last_code(&outbox);

    // The stranger's phone with the code proves nothing.
    let wrong_phone = track_by_code(&app, &no, "13900000000", &code).await;
    assert_eq!(wrong_phone.status, StatusCode::NOT_FOUND);
    let tracked = track_by_code(&app, &no, PHONE, &code).await;
    assert_eq!(tracked.status, StatusCode::OK, "{}", tracked.body);
    assert_eq!(tracked.body["tracking_no"], no.as_str());
    // One code, one look-up.
    let again = track_by_code(&app, &no, PHONE, &code).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);

    // A lost secret: a new one by SMS, the old one void.
    ask_code(&app, &no, PHONE).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let code = last_code(&outbox);
    let reissued = app
        .post(
            None,
            &format!("/api/v1/track/{no}/secret"),
            &json!({ "phone": PHONE, "code": code }),
        )
        .await;
    assert_eq!(reissued.status, StatusCode::OK, "{}", reissued.body);
    assert_eq!(reissued.body["sent_to"], "…5678");
    let (_, text) = outbox.sms().pop().expect("the new secret");
    let new_secret = text
        .split("新查询码：")
        .nth(1)
        .and_then(|rest| rest.split('（').next())
        .expect("a secret in the SMS")
        .to_owned();
    assert_eq!(new_secret.len(), 12);
    assert!(!reissued.body.to_string().contains(&new_secret));
    let old = app
        .post(
            None,
            &format!("/api/v1/track/{no}"),
            &json!({ "secret": secret }),
        )
        .await;
    assert_eq!(old.status, StatusCode::NOT_FOUND, "the old secret is void");
    let new = app
        .post(
            None,
            &format!("/api/v1/track/{no}"),
            &json!({ "secret": new_secret }),
        )
        .await;
    assert_eq!(new.status, StatusCode::OK, "{}", new.body);
    // The history does not show the change, and the case's events record it without the secret.
    let events = app.store.events(id).await.expect("events");
    let reissue = events
        .iter()
        .find(|e| e.action == "reissue_secret")
        .expect("an event");
    assert!(!reissue.data.to_string().contains(&new_secret));
}

#[backend_test]
pub async fn wrong_expired_and_overtried_codes_are_refused(backend: Backend) {
    let (app, outbox) = spawn_app_noticed(backend).await;
    let (_, no, _) = report(&app, web_report()).await;
    let (_, other_no, _) = report(&app, web_report()).await;

    // Expired.
    ask_code(&app, &no, PHONE).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let code = last_code(&outbox);
    app.clock.advance(chrono::Duration::minutes(11));
    let expired = track_by_code(&app, &no, PHONE, &code).await;
    assert_eq!(expired.status, StatusCode::NOT_FOUND, "{}", expired.body);

    // Five wrong tries void the code, the right one included.
    ask_code(&app, &other_no, PHONE).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let code = last_code(&outbox);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let refused = track_by_code(&app, &other_no, PHONE, wrong).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
    }
    let overtried = track_by_code(&app, &other_no, PHONE, &code).await;
    assert_ne!(overtried.status, StatusCode::OK, "{}", overtried.body);

    // A phone without a code, and a code without a request.
    let phone_only = track_by_code(&app, &no, PHONE, "").await;
    assert_eq!(
        phone_only.status,
        StatusCode::BAD_REQUEST,
        "{}",
        phone_only.body
    );
    let not_a_phone = ask_code(&app, &no, "call me").await;
    assert_eq!(not_a_phone.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(not_a_phone.body["errors"][0]["field"], "phone");
}

#[backend_test]
pub async fn codes_are_limited_per_phone_and_per_case(backend: Backend) {
    let (app, _outbox) = spawn_app_noticed(backend).await;
    let mut numbers = Vec::new();
    for _ in 0..3 {
        numbers.push(report(&app, web_report()).await.1);
    }
    // Per case, whoever asks.
    for n in 0..5 {
        let asked = ask_code(&app, &numbers[0], &format!("1390000000{n}")).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    }
    let sixth = ask_code(&app, &numbers[0], PHONE).await;
    assert_eq!(
        sixth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        sixth.body
    );
    assert!(
        sixth.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("case"))
    );
    // Per phone, whichever case.
    for n in 0..5 {
        let no = &numbers[1 + n % 2];
        let asked = ask_code(&app, no, "13700000000").await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    }
    let over = ask_code(&app, &numbers[2], "137-0000-0000").await;
    assert_eq!(over.status, StatusCode::TOO_MANY_REQUESTS, "{}", over.body);
    assert!(
        over.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("phone"))
    );
    // An hour later the phone may ask again.
    app.clock.advance(chrono::Duration::minutes(61));
    let later = ask_code(&app, &numbers[2], "13700000000").await;
    assert_eq!(later.status, StatusCode::ACCEPTED);
}

#[backend_test]
pub async fn without_an_sms_gateway_codes_are_refused_plainly(backend: Backend) {
    let app = spawn_app(backend).await;
    let no = app.public_report().await.body["tracking_no"]
        .as_str()
        .expect("no")
        .to_owned();
    let asked = ask_code(&app, &no, PHONE).await;
    assert_eq!(
        asked.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        asked.body
    );
}

#[backend_test]
pub async fn the_tracking_page_sends_a_code_and_tracks_with_it_never_with_a_phone_alone(
    backend: Backend,
) {
    let (app, outbox) = spawn_app_noticed(backend).await;
    let (_, no, _) = report(&app, web_report()).await;
    let client = browser();
    let (_, form) = page(&client, &app, "/track").await;
    assert!(form.contains("发送验证码"));
    let token = csrf_token(&form);

    let (status, _, html) = post_form(
        &client,
        &app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &no),
            ("phone", PHONE),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a phone alone");
    assert!(html.contains("仅凭电话号码不能查询"), "{html}");
    assert!(!html.contains("id=\"status\""));

    let (status, _, html) = post_form(
        &client,
        &app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &no.to_lowercase()),
            ("phone", PHONE),
            ("intent", "send_code"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("验证码已通过短信发送"), "{html}");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let code = last_code(&outbox);

    let (status, _, html) = post_form(
        &client,
        &app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &no),
            ("phone", PHONE),
            ("code", "999999"),
            ("intent", "track"),
        ],
    )
    .await;
    if code != "999999" {
        assert_eq!(status, StatusCode::NOT_FOUND, "a wrong code");
        assert!(html.contains("未查到该举报"));
    }
    let (status, _, html) = post_form(
        &client,
        &app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &no),
            ("phone", PHONE),
            ("code", &code),
            ("intent", "track"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"status\""), "{html}");
    assert!(
        !html.contains(&code),
        "the code is not sent back into the page"
    );

    // Too many code requests for the case, said beside the phone field.
    for _ in 0..5 {
        post_form(
            &client,
            &app,
            "/track",
            &[
                ("csrf_token", &token),
                ("tracking_no", &no),
                ("phone", "13900000000"),
                ("intent", "send_code"),
            ],
        )
        .await;
    }
    let (status, _, html) = post_form(
        &client,
        &app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &no),
            ("phone", PHONE),
            ("intent", "send_code"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("获取验证码或尝试次数过多"), "{html}");
}

#[tokio::test]
#[ignore = "needs an SMTP sink: run by .ci/run with GREENLINE_TEST_SMTP_SINK"]
async fn an_e_mail_notice_arrives_at_a_real_smtp_server() {
    use greenline_app::notices::{Mailer, SmtpMailer};
    let sink = crate::helpers::SmtpSink::start().await;
    let mailer = SmtpMailer::new(
        &format!("smtp://127.0.0.1:{}", sink.port),
        "12369 <notices@example.gov.cn>",
    )
    .expect("mailer");
    let body = "您好：\n\n您反映的问题（受理编号 GL20261127-0000123）已受理，正在办理。\n";
    mailer
        .send(
            "chen@example.com",
            "您的举报已受理（GL20261127-0000123）",
            body,
        )
        .await
        .expect("sent");
    // Python's own e-mail parser reads it back: headers decoded, body decoded.
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "{messages:?}");
    let mut lines = messages[0].lines();
    assert_eq!(lines.next(), Some("chen@example.com"));
    assert_eq!(lines.next(), Some("您的举报已受理（GL20261127-0000123）"));
    assert!(messages[0].contains("已受理，正在办理"), "{}", messages[0]);
}
