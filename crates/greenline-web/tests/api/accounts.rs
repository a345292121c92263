//! Accounts as level-3 protection asks: lock-out, password rules and age, idle sessions,
//! disabled accounts, revocable API tokens; and the audit trail that records all of it.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app, web_report};

async fn sign_in(app: &TestApp, username: &str, password: &str) -> (StatusCode, Value) {
    let reply = app
        .post(
            None,
            "/api/v1/auth/login",
            &json!({"username": username, "password": password}),
        )
        .await;
    (reply.status, reply.body)
}

/// The audit records an auditor finds with `query`.
async fn trail(app: &TestApp, auditor: &str, query: &str) -> Vec<Value> {
    let reply = app
        .get(Some(auditor), &format!("/api/v1/audit?limit=200&{query}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body.as_array().expect("records").clone()
}

fn count(records: &[Value], action: &str, target: &str, outcome: &str) -> usize {
    records
        .iter()
        .filter(|r| r["action"] == action && r["target"] == target && r["outcome"] == outcome)
        .count()
}

#[backend_test]
pub async fn repeated_failures_lock_an_account_and_every_attempt_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    for _ in 0..5 {
        assert_eq!(
            sign_in(&app, "shenzhen", "wrong password").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, body) = sign_in(&app, "shenzhen", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "locked: {body}");
    assert_eq!(
        sign_in(&app, "nobody", "guess").await.0,
        StatusCode::UNAUTHORIZED
    );
    app.clock.advance(Duration::minutes(16));
    let (status, body) = sign_in(&app, "shenzhen", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the lock ends: {body}");

    let auditor = app.login("guangdong-auditor").await;
    let records = trail(&app, &auditor, "action=sign_in").await;
    assert_eq!(count(&records, "sign_in", "shenzhen", "denied"), 5);
    assert_eq!(count(&records, "sign_in", "shenzhen", "failed"), 1);
    assert_eq!(count(&records, "sign_in", "shenzhen", "ok"), 1);
    let locked = records
        .iter()
        .find(|r| r["outcome"] == "failed")
        .expect("the locked attempt");
    assert_eq!(locked["detail"]["reason"], "account locked");
    assert_eq!(locked["client"], "127.0.0.1");
    assert!(
        records.iter().all(|r| r["actor"] != "nobody"),
        "an unknown username's attempt is national, outside Guangdong's trail"
    );

    // Only auditors read the trail.
    let admin = app.login("shenzhen-admin").await;
    assert_eq!(
        app.get(Some(&admin), "/api/v1/audit").await.status,
        StatusCode::FORBIDDEN
    );
    let check = app.get(Some(&auditor), "/api/v1/audit/verify").await;
    assert_eq!(check.body["intact"], true, "{}", check.body);
    assert!(check.body["records"].as_u64().unwrap_or_default() >= 9);
}

#[backend_test]
pub async fn an_expired_password_is_changed_by_the_rules_and_not_repeated(backend: Backend) {
    let app = spawn_app(backend).await;
    app.clock.advance(Duration::days(91));
    let (status, body) = sign_in(&app, "shenzhen", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("/password-expired")),
        "{body}"
    );
    let change = |current: &'static str, new: &'static str| {
        let app = &app;
        async move {
            app.post(
                None,
                "/api/v1/auth/password",
                &json!({"username": "shenzhen", "current_password": current, "new_password": new}),
            )
            .await
        }
    };
    let weak = change(PASSWORD, "onlylowercaseletters").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.body["errors"][0]["field"], "password");
    let with_name = change(PASSWORD, "Shenzhen-2026!").await;
    assert_eq!(with_name.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        change("not the password", "Fresh-passw0rd").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        change(PASSWORD, "Fresh-passw0rd").await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sign_in(&app, "shenzhen", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&app, "shenzhen", "Fresh-passw0rd").await.0,
        StatusCode::OK
    );
    assert_eq!(
        change("Fresh-passw0rd", "Second-passw0rd").await.status,
        StatusCode::NO_CONTENT
    );
    let back = change("Second-passw0rd", "Fresh-passw0rd").await;
    assert_eq!(
        back.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        back.body
    );
    assert_eq!(back.body["errors"][0]["field"], "new_password");
}

#[backend_test]
pub async fn sessions_end_when_idle_and_tokens_when_revoked_or_the_account_is_disabled(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let session = app.login("shenzhen-handler").await;
    let issued = app
        .post(
            Some(&session),
            "/api/v1/auth/tokens",
            &json!({"name": "报表系统", "days": 30}),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let token = issued.body["token"].as_str().expect("token").to_owned();
    assert!(token.starts_with("glt_"));
    let listed = app.get(Some(&session), "/api/v1/auth/tokens").await;
    assert_eq!(listed.body[0]["name"], "报表系统");
    assert!(
        !listed.body.to_string().contains(&token),
        "a token is shown only when issued"
    );
    assert_eq!(
        app.post(
            Some(&session),
            "/api/v1/auth/tokens",
            &json!({"name": "太久", "days": 365})
        )
        .await
        .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Thirty-one quiet minutes end the session, not the token.
    app.clock.advance(Duration::minutes(31));
    assert_eq!(
        app.get(Some(&session), "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(Some(&token), "/api/v1/me").await.status,
        StatusCode::OK
    );

    // An administrator of Shenzhen disables the account: its token stops at once.
    let admin = app.login("shenzhen-admin").await;
    let accounts = app.get(Some(&admin), "/api/v1/accounts").await;
    let id_of = |name: &str| {
        accounts
            .body
            .as_array()
            .and_then(|list| list.iter().find(|a| a["username"] == name))
            .and_then(|a| a["id"].as_i64())
    };
    let handler = id_of("shenzhen-handler").expect("listed");
    assert_eq!(
        id_of("nation"),
        None,
        "only accounts of the admin's jurisdiction"
    );
    let disabled = app
        .post(
            Some(&admin),
            &format!("/api/v1/accounts/{handler}/disable"),
            &json!({}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(Some(&token), "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&app, "shenzhen-handler", PASSWORD).await.0,
        StatusCode::UNAUTHORIZED
    );
    let nation = app.login("nation").await;
    let nation_id = app.get(Some(&nation), "/api/v1/me").await.body["id"]
        .as_i64()
        .expect("id");
    assert_eq!(
        app.post(
            Some(&admin),
            &format!("/api/v1/accounts/{nation_id}/disable"),
            &json!({})
        )
        .await
        .status,
        StatusCode::NOT_FOUND,
        "outside the admin's jurisdiction"
    );
    let handler_session = app.login("shenzhen").await;
    assert_eq!(
        app.get(Some(&handler_session), "/api/v1/accounts")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    app.post(
        Some(&admin),
        &format!("/api/v1/accounts/{handler}/enable"),
        &json!({}),
    )
    .await;
    assert_eq!(
        sign_in(&app, "shenzhen-handler", PASSWORD).await.0,
        StatusCode::OK
    );

    // A reset password works once, then must be changed.
    let reset = app
        .post(
            Some(&admin),
            &format!("/api/v1/accounts/{handler}/password/reset"),
            &json!({}),
        )
        .await;
    let one_time = reset.body["password"]
        .as_str()
        .expect("password")
        .to_owned();
    assert_eq!(
        sign_in(&app, "shenzhen-handler", &one_time).await.0,
        StatusCode::FORBIDDEN,
        "changed at the next sign-in"
    );

    let auditor = app.login("guangdong-auditor").await;
    let records = trail(&app, &auditor, "").await;
    for action in [
        "create_token",
        "disable_account",
        "enable_account",
        "reset_password",
    ] {
        assert!(
            records
                .iter()
                .any(|r| r["action"] == action && r["outcome"] == "ok"),
            "{action} is recorded"
        );
    }
}

#[backend_test]
pub async fn every_read_of_a_reporter_is_recorded_also_when_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = app.post(None, "/api/v1/cases", &web_report()).await;
    let id = case.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    assert_eq!(
        app.get(Some(&nation), &format!("/api/v1/cases/{id}/reporter"))
            .await
            .status,
        StatusCode::OK
    );
    let analyst = app.login("shenzhen-analyst").await;
    assert_eq!(
        app.get(Some(&analyst), &format!("/api/v1/cases/{id}/reporter"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // The national auditor's view is needed for the national reader; Guangdong's auditor sees
    // the analyst's refused attempt.
    let auditor = app.login("guangdong-auditor").await;
    let records = trail(&app, &auditor, "action=read_reporter").await;
    assert_eq!(
        count(&records, "read_reporter", &id.to_string(), "denied"),
        1
    );
    assert_eq!(count(&records, "read_reporter", &id.to_string(), "ok"), 0);
    let rows: i64 = {
        use sqlx::{Connection, Row};
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&app.database)
            .await
            .expect("connect");
        sqlx::query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'read_reporter' AND outcome = 'ok'",
        )
        .fetch_one(&mut conn)
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
    };
    assert_eq!(rows, 1, "the national read is recorded too");
}

/// The words of a page's visible text made only of Latin letters (tags, attributes and
/// scripts removed); usernames and the like are passed in `allowed`.
fn latin_words(html: &str, allowed: &[&str]) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1 && !allowed.iter().any(|a| a.contains(w)))
        .map(str::to_owned)
        .collect()
}

#[backend_test]
pub async fn auditors_search_the_trail_and_admins_manage_accounts_in_the_console(backend: Backend) {
    use crate::pages::{browser, console_sign_in, page, post_form};
    let app = spawn_app(backend).await;
    assert_eq!(
        sign_in(&app, "shenzhen", "wrong").await.0,
        StatusCode::UNAUTHORIZED
    );

    let auditor = browser();
    console_sign_in(&auditor, &app, "guangdong-auditor").await;
    let (status, html) = page(&auditor, &app, "/console/audit?outcome=denied").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("审计记录") && html.contains("href=\"/console/audit\""));
    assert!(html.contains("拒绝") && html.contains("shenzhen"), "{html}");
    let (_, checked) = page(&auditor, &app, "/console/audit?verify=1").await;
    assert!(checked.contains("校验通过"), "{checked}");
    let (status, _) = page(&auditor, &app, "/console/audit?from=yesterday").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let staff_names = [
        "shenzhen",
        "staff",
        "name",
        "guangdong",
        "auditor",
        "admin",
        "handler",
        "futian",
        "nanshan",
        "analyst",
    ];
    assert_eq!(latin_words(&checked, &staff_names), Vec::<String>::new());

    let admin = browser();
    let token = console_sign_in(&admin, &app, "shenzhen-admin").await;
    let (status, html) = page(&admin, &app, "/console/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("shenzhen-handler") && !html.contains(">nation<"));
    assert_eq!(latin_words(&html, &staff_names), Vec::<String>::new());
    let (status, _) = page(&auditor, &app, "/console/accounts").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "auditors do not administer");

    let handler = browser();
    console_sign_in(&handler, &app, "shenzhen-handler").await;
    let id = app
        .get(Some(&app.login("shenzhen-handler").await), "/api/v1/me")
        .await
        .body["id"]
        .as_i64()
        .expect("id");
    let (status, _, html) = post_form(
        &admin,
        &app,
        &format!("/console/accounts/{id}/disable"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("账户已停用"), "{html}");
    let (status, _) = page(&handler, &app, "/console").await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "the disabled account's session ended"
    );

    // An expired password leads to the form that changes it.
    app.clock.advance(Duration::days(91));
    let client = browser();
    let (_, form) = page(&client, &app, "/login").await;
    let csrf = crate::pages::csrf_token(&form);
    let (status, _, html) = post_form(
        &client,
        &app,
        "/login",
        &[
            ("csrf_token", &csrf),
            ("username", "futian"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("密码已超过有效期") && html.contains("action=\"/password\""));
    let change = |new: &'static str, repeat: &'static str| {
        let (client, app, csrf) = (&client, &app, csrf.clone());
        async move {
            post_form(
                client,
                app,
                "/password",
                &[
                    ("csrf_token", csrf.as_str()),
                    ("username", "futian"),
                    ("current_password", PASSWORD),
                    ("new_password", new),
                    ("repeat_password", repeat),
                ],
            )
            .await
        }
    };
    let (status, _, html) = change("Futian-new-1", "Futian-new-2").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("两次输入的新密码不一致"));
    let (status, headers, _) = change("Green-hills-9", "Green-hills-9").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/login?changed=1");
}

#[backend_test]
pub async fn case_reads_searches_and_bulletins_are_recorded_with_their_targets(backend: Backend) {
    let app = spawn_app(backend).await;
    let case = app.post(None, "/api/v1/cases", &web_report()).await;
    let id = case.body["id"].as_i64().expect("id");
    app.caught_up().await;
    let handler = app.login("shenzhen-handler").await;
    assert_eq!(
        app.get(Some(&handler), &format!("/api/v1/cases/{id}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(Some(&handler), &format!("/api/v1/cases/{id}/events"))
            .await
            .status,
        StatusCode::OK
    );
    let found = app.get(Some(&handler), "/api/v1/search?q=打桩").await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    let bulletin = app.get(Some(&handler), "/api/v1/reports/2026-11").await;
    assert_eq!(bulletin.status, StatusCode::OK, "{}", bulletin.body);
    // Reading a case outside the jurisdiction is a 404 and reads nothing: no record of a read.
    let nanshan_case = id;
    let futian = app.login("futian").await;
    assert_eq!(
        app.get(Some(&futian), &format!("/api/v1/cases/{nanshan_case}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    let auditor = app.login("guangdong-auditor").await;
    let records = trail(&app, &auditor, "").await;
    let mine: Vec<&Value> = records
        .iter()
        .filter(|r| {
            r["actor"]
                .as_str()
                .is_some_and(|a| a.starts_with("shenzhen-handler-staff-name"))
        })
        .collect();
    let actions: Vec<(&str, &str)> = mine
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap_or_default(),
                r["target"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let id = id.to_string();
    for expected in [
        ("read_case", id.as_str()),
        ("search", "打桩"),
        ("bulletin", "2026-11 440300"),
        ("sign_in", "shenzhen-handler"),
    ] {
        assert!(actions.contains(&expected), "{expected:?} in {actions:?}");
    }
    assert_eq!(
        actions.iter().filter(|(a, _)| *a == "read_case").count(),
        2,
        "the case and its history"
    );
    assert!(
        records.iter().all(|r| !(r["action"] == "read_case"
            && r["actor"].as_str().is_some_and(|a| a.starts_with("futian")))),
        "a refused read outside the jurisdiction reads nothing"
    );
    // The trail's own readers are in it too.
    let again = trail(&app, &auditor, "action=read_audit").await;
    assert!(!again.is_empty());
}
