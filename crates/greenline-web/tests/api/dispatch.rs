//! Automatic dispatch (自动分派), reply templates and the deadline table over the API: rules
//! route a public report down the chain at intake, each step an event naming its rule; staff
//! still send back and re-route; bad rules and other jurisdictions' rules are refused; templates
//! are filled for a case and never carry a reporter; stored deadline overrides apply at once.

use greenline_app::accounts::hash_password;
use greenline_domain::{RegionCode, Role};
use greenline_store::{AuditQuery, NewStaff};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, read, spawn_app, start_time, web_report};

/// An administrator of `unit` (a short name of the test units).
async fn admin(app: &TestApp, username: &str, unit: i64) -> String {
    app.store
        .create_staff(
            &NewStaff {
                username: username.into(),
                display_name: username.into(),
                password_hash: hash_password(PASSWORD).expect("hash"),
                unit_id: unit,
                roles: vec![Role::Admin],
            },
            start_time(),
        )
        .await
        .expect("admin");
    app.login(username).await
}

async fn add_rule(app: &TestApp, token: &str, rule: Value) -> crate::helpers::Reply {
    app.post(Some(token), "/api/v1/dispatch-rules", &rule).await
}

/// The national, provincial and city rules that take a Nanshan report to Nanshan; their ids.
async fn chain_rules(app: &TestApp) -> Vec<i64> {
    let nation = admin(app, "nation-admin", app.units["nation"]).await;
    let mut ids = Vec::new();
    for (owner, region, target) in [
        ("nation", "440000", "guangdong"),
        ("guangdong", "440300", "shenzhen"),
        ("shenzhen", "440305", "nanshan"),
    ] {
        let added = add_rule(
            app,
            &nation,
            json!({"owner_unit_id": app.units[owner], "region": region,
                   "target_unit_id": app.units[target]}),
        )
        .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
        ids.push(added.body["id"].as_i64().expect("id"));
    }
    ids
}

fn field_of(reply: &crate::helpers::Reply) -> String {
    reply.body["errors"][0]["field"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[backend_test]
pub async fn a_public_report_goes_down_the_chain_each_step_naming_its_rule(backend: Backend) {
    let app = spawn_app(backend).await;
    let rules = chain_rules(&app).await;

    let receipt = app.public_report().await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let id = receipt.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    let case = app.get(Some(&nation), &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case.body["unit_id"], app.units["nanshan"], "{}", case.body);
    assert_eq!(case.body["stage"], "registered");

    let events = app
        .get(Some(&nation), &format!("/api/v1/cases/{id}/events"))
        .await;
    let events = events.body.as_array().expect("events").clone();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(actions, ["register", "assign", "assign", "assign"]);
    let steps: Vec<(i64, i64, i64)> = events[1..]
        .iter()
        .map(|e| {
            (
                e["data"]["rule_id"].as_i64().expect("rule"),
                e["data"]["from_unit"].as_i64().expect("from"),
                e["data"]["unit_id"].as_i64().expect("to"),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (rules[0], app.units["nation"], app.units["guangdong"]),
            (rules[1], app.units["guangdong"], app.units["shenzhen"]),
            (rules[2], app.units["shenzhen"], app.units["nanshan"]),
        ]
    );
    for (event, rule) in events[1..].iter().zip(&rules) {
        assert_eq!(event["actor"], "system:dispatch");
        let note = event["note"].as_str().expect("note");
        assert!(note.contains(&format!("自动分派规则 {rule}")), "{note}");
    }

    // Staff keying in a case keep it: no rule applies to the phone desk's cases.
    let mut phone = web_report();
    phone["channel"] = json!("phone");
    let keyed = app.post(Some(&nation), "/api/v1/cases", &phone).await;
    assert_eq!(keyed.status, StatusCode::CREATED, "{}", keyed.body);
    let keyed = app
        .get(
            Some(&nation),
            &format!("/api/v1/cases/{}", keyed.body["id"]),
        )
        .await;
    assert_eq!(keyed.body["unit_id"], app.units["nation"]);

    // A place no rule covers stays at the receiving desk.
    let mut beijing = web_report();
    beijing["region"] = json!("110108");
    let receipt = app.post(None, "/api/v1/cases", &beijing).await;
    let stayed = app
        .get(
            Some(&nation),
            &format!("/api/v1/cases/{}", receipt.body["id"]),
        )
        .await;
    assert_eq!(stayed.body["unit_id"], app.units["nation"]);
}

#[backend_test]
pub async fn the_most_specific_rule_wins_and_a_disabled_rule_routes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let rules = chain_rules(&app).await;
    let shenzhen = admin(&app, "shenzhen-admin-2", app.units["shenzhen"]).await;
    // A noise rule at Nanshan's own region beats the any-type one for the noise report.
    let noise = add_rule(
        &app,
        &shenzhen,
        json!({"region": "440305", "pollution_type": "noise",
               "target_unit_id": app.units["nanshan"], "note": "噪声专办"}),
    )
    .await;
    assert_eq!(noise.status, StatusCode::CREATED, "{}", noise.body);
    let noise = noise.body["id"].as_i64().expect("id");
    let trial = app
        .get(
            Some(&shenzhen),
            "/api/v1/dispatch-rules/trial?region=440305&type=noise",
        )
        .await;
    assert_eq!(trial.status, StatusCode::OK, "{}", trial.body);
    let used: Vec<i64> = trial.body["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["rule_id"].as_i64().expect("rule"))
        .collect();
    assert_eq!(used, vec![rules[0], rules[1], noise]);
    assert_eq!(trial.body["lands_at_id"], app.units["nanshan"]);
    let air = app
        .get(
            Some(&shenzhen),
            "/api/v1/dispatch-rules/trial?region=440305&type=air",
        )
        .await;
    assert_eq!(air.body["steps"][2]["rule_id"], rules[2]);

    // Disabling the province's rule stops the chain there.
    let guangdong = admin(&app, "guangdong-admin", app.units["guangdong"]).await;
    let off = app
        .post(
            Some(&guangdong),
            &format!("/api/v1/dispatch-rules/{}/disable", rules[1]),
            &json!({}),
        )
        .await;
    assert_eq!(off.status, StatusCode::NO_CONTENT, "{}", off.body);
    let receipt = app.public_report().await;
    let nation = app.login("nation").await;
    let case = app
        .get(
            Some(&nation),
            &format!("/api/v1/cases/{}", receipt.body["id"]),
        )
        .await;
    assert_eq!(case.body["unit_id"], app.units["guangdong"]);
}

#[backend_test]
pub async fn a_wrongly_routed_case_is_sent_back_and_routed_again_by_staff(backend: Backend) {
    let app = spawn_app(backend).await;
    chain_rules(&app).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let nanshan = app.login("nanshan").await;
    let back = app
        .act(
            &nanshan,
            id,
            json!({"action": "send_back", "reason": "地址在福田区，不属本局辖区"}),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["case"]["unit_id"], app.units["shenzhen"]);
    assert_eq!(back.body["event"]["note"], "地址在福田区，不属本局辖区");
    let shenzhen = app.login("shenzhen").await;
    let again = app
        .act(
            &shenzhen,
            id,
            json!({"action": "assign", "unit_id": app.units["nanshan"], "note": "经核实仍属南山"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["case"]["unit_id"], app.units["nanshan"]);
}

#[backend_test]
pub async fn bad_rules_are_refused_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    let shenzhen = admin(&app, "shenzhen-admin-2", app.units["shenzhen"]).await;
    let cases: [(Value, &str); 5] = [
        // Up the chain.
        (
            json!({"region": "440305", "target_unit_id": app.units["guangdong"]}),
            "target_unit_id",
        ),
        // No such unit.
        (
            json!({"region": "440305", "target_unit_id": 999_999}),
            "target_unit_id",
        ),
        // The region is wider than the target's.
        (
            json!({"region": "440300", "target_unit_id": app.units["nanshan"]}),
            "region",
        ),
        // Not a region.
        (
            json!({"region": "44030", "target_unit_id": app.units["nanshan"]}),
            "region",
        ),
        (
            json!({"region": "440305", "pollution_type": "smog",
                   "target_unit_id": app.units["nanshan"]}),
            "pollution_type",
        ),
    ];
    for (rule, field) in cases {
        let refused = add_rule(&app, &shenzhen, rule.clone()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{rule}");
        assert_eq!(field_of(&refused), field, "{rule}: {}", refused.body);
    }
    // A disabled unit takes no rule.
    let off = app
        .http
        .post(app.url("/api/v1/dispatch-rules"))
        .bearer_auth(&shenzhen)
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(off.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.core
        .set_unit_disabled(
            &app.core
                .session(&shenzhen, greenline_app::Origin::CommandLine)
                .await
                .expect("caller"),
            app.units["nanshan"],
            true,
        )
        .await
        .expect("disable Nanshan");
    let refused = add_rule(
        &app,
        &shenzhen,
        json!({"region": "440305", "target_unit_id": app.units["nanshan"]}),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&refused), "target_unit_id", "{}", refused.body);
    assert!(
        app.get(Some(&shenzhen), "/api/v1/dispatch-rules")
            .await
            .body
            .as_array()
            .expect("rules")
            .is_empty(),
        "nothing was saved"
    );
}

#[backend_test]
pub async fn an_administrator_writes_only_their_own_jurisdictions_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let guangzhou = app
        .store
        .create_unit(
            "广州市生态环境局",
            RegionCode::parse("440100").expect("region"),
            start_time(),
        )
        .await
        .expect("unit");
    let theirs = admin(&app, "guangzhou-admin", guangzhou.id).await;
    let shenzhen = admin(&app, "shenzhen-admin-2", app.units["shenzhen"]).await;
    let rule = add_rule(
        &app,
        &shenzhen,
        json!({"region": "440305", "target_unit_id": app.units["nanshan"]}),
    )
    .await;
    assert_eq!(rule.status, StatusCode::CREATED, "{}", rule.body);
    let id = rule.body["id"].as_i64().expect("id");

    // Guangzhou's administrator cannot add a rule for Shenzhen, see, change or disable one.
    let foreign = add_rule(
        &app,
        &theirs,
        json!({"owner_unit_id": app.units["shenzhen"], "region": "440305",
               "target_unit_id": app.units["nanshan"]}),
    )
    .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&foreign), "owner_unit_id");
    let listed = app.get(Some(&theirs), "/api/v1/dispatch-rules").await;
    assert_eq!(listed.body, json!([]));
    let changed = read(
        app.http
            .put(app.url(&format!("/api/v1/dispatch-rules/{id}")))
            .bearer_auth(&theirs)
            .json(&json!({"region": "440305", "target_unit_id": app.units["futian"]}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(changed.status, StatusCode::NOT_FOUND);
    // The province's administrator changes the rule's type; its owner stays Shenzhen.
    let province = admin(&app, "guangdong-admin", app.units["guangdong"]).await;
    let changed = read(
        app.http
            .put(app.url(&format!("/api/v1/dispatch-rules/{id}")))
            .bearer_auth(&province)
            .json(&json!({"region": "440305", "pollution_type": "noise",
                          "target_unit_id": app.units["nanshan"]}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.body["owner_unit_id"], app.units["shenzhen"]);
    assert_eq!(changed.body["pollution_type"], "noise");
    let disabled = app
        .post(
            Some(&theirs),
            &format!("/api/v1/dispatch-rules/{id}/disable"),
            &json!({}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::NOT_FOUND);
    // Nor may a handler manage rules at all.
    let handler = app.login("shenzhen").await;
    let refused = app.get(Some(&handler), "/api/v1/dispatch-rules").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The changes that were made are in the audit trail.
    let records = app
        .store
        .audit_records(&AuditQuery {
            within: None,
            actor_id: None,
            text: None,
            action: Some("add_dispatch_rule".into()),
            outcome: None,
            from: None,
            to: None,
            before: None,
            limit: 10,
        })
        .await
        .expect("audit");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].entry.target, format!("dispatch rule {id}"));
}

#[backend_test]
pub async fn templates_are_filled_for_a_case_and_never_carry_a_reporter(backend: Backend) {
    let app = spawn_app(backend).await;
    let shenzhen_admin = admin(&app, "shenzhen-admin-2", app.units["shenzhen"]).await;
    let refused = app
        .post(
            Some(&shenzhen_admin),
            "/api/v1/reply-templates",
            &json!({"pollution_type": "noise", "title": "噪声回复",
                    "body": "请联系陈小姐 13812345678 核实"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&refused), "body", "{}", refused.body);
    for (kind, title) in [("noise", "噪声回复"), ("water", "水污染回复")] {
        let added = app
            .post(
                Some(&shenzhen_admin),
                "/api/v1/reply-templates",
                &json!({"pollution_type": kind, "title": title,
                        "body": "您反映的{type}问题（编号 {tracking_no}）已于{date}由{unit}办理。"}),
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    }

    let receipt = app.public_report().await;
    let id = receipt.body["id"].as_i64().expect("id");
    let tracking_no = receipt.body["tracking_no"].as_str().expect("no").to_owned();
    let nation = app.login("nation").await;
    app.act(&nation, id, json!({"action": "accept"})).await;
    app.act(
        &nation,
        id,
        json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
    )
    .await;
    let handler = app.login("shenzhen").await;
    let offered = app
        .get(
            Some(&handler),
            &format!("/api/v1/cases/{id}/reply-templates"),
        )
        .await;
    assert_eq!(offered.status, StatusCode::OK, "{}", offered.body);
    let offered = offered.body.as_array().expect("templates").clone();
    assert_eq!(
        offered.len(),
        1,
        "only the noise template fits: {offered:?}"
    );
    let text = offered[0]["text"].as_str().expect("text");
    assert!(text.contains(&tracking_no), "{text}");
    assert!(text.contains("噪声"), "{text}");
    assert!(text.contains("深圳市生态环境局"), "{text}");
    assert!(!text.contains('{'), "every placeholder filled: {text}");
    assert!(!text.contains("陈小姐") && !text.contains("13812345678"));
    // An analyst reads the case but replies to nothing: no templates.
    let analyst = app.login("shenzhen-analyst").await;
    let none = app
        .get(
            Some(&analyst),
            &format!("/api/v1/cases/{id}/reply-templates"),
        )
        .await;
    assert_eq!(none.body, json!([]));
    // Outside the jurisdiction the case does not exist.
    let futian = app.login("futian").await;
    let hidden = app
        .get(
            Some(&futian),
            &format!("/api/v1/cases/{id}/reply-templates"),
        )
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

#[backend_test]
pub async fn a_stored_deadline_override_applies_to_new_cases_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let shenzhen_admin = admin(&app, "shenzhen-admin-2", app.units["shenzhen"]).await;
    let caller = app
        .core
        .session(&shenzhen_admin, greenline_app::Origin::CommandLine)
        .await
        .expect("caller");
    // Units: a name taken already, and a region outside the jurisdiction, are named.
    for (name, region, field) in [
        ("深圳市生态环境局南山管理局", "440305", "name"),
        ("广州市生态环境局", "440100", "region"),
    ] {
        match app.core.create_unit(&caller, name, region).await {
            Err(greenline_app::ServiceError::Invalid(errors)) => {
                assert_eq!(errors[0].field, field);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    let created = app
        .core
        .create_unit(&caller, "深圳市生态环境局宝安管理局", "440306")
        .await
        .expect("a unit of the jurisdiction");
    assert_eq!(created.region.to_string(), "440306");
    let mut limits = greenline_domain::LimitsOverride {
        region: RegionCode::parse("440300").expect("region"),
        kind: greenline_domain::CaseKind::Report,
        acceptance_days: Some(16),
        handling_days: None,
        max_extension_days: None,
        review_request_days: None,
        review_decision_days: None,
        re_review_request_days: None,
        re_review_decision_days: None,
    };
    match app
        .core
        .set_deadline_override(&caller, limits.clone())
        .await
    {
        Err(greenline_app::ServiceError::Invalid(errors)) => {
            assert_eq!(errors[0].field, "acceptance_days");
        }
        other => panic!("beyond the statutory 15 days: {other:?}"),
    }
    limits.region = RegionCode::parse("440100").expect("region");
    limits.acceptance_days = Some(3);
    assert!(matches!(
        app.core
            .set_deadline_override(&caller, limits.clone())
            .await,
        Err(greenline_app::ServiceError::Invalid(_))
    ));
    limits.region = RegionCode::parse("440300").expect("region");
    app.core
        .set_deadline_override(&caller, limits)
        .await
        .expect("saved");

    let receipt = app.public_report().await;
    let received = chrono::NaiveDate::parse_from_str(
        &receipt.body["acceptance_due"].as_str().expect("due")[..10],
        "%Y-%m-%d",
    )
    .expect("date");
    let today = greenline_domain::deadline::local_date(start_time());
    assert_eq!((received - today).num_days(), 3, "{}", receipt.body);
    let rows = app.core.deadline_rows(&caller).await.expect("rows");
    let report = rows
        .iter()
        .find(|r| r.kind == greenline_domain::CaseKind::Report)
        .expect("report row");
    assert_eq!(report.limits.acceptance_days, 3);
    assert_eq!(report.maxima.acceptance_days, 15);
}

#[backend_test]
pub async fn the_case_page_offers_templates_and_fills_the_reply_without_script(backend: Backend) {
    use crate::pages::{browser, console_sign_in, page};
    let app = spawn_app(backend).await;
    let shenzhen_admin = admin(&app, "shenzhen-admin-2", app.units["shenzhen"]).await;
    let added = app
        .post(
            Some(&shenzhen_admin),
            "/api/v1/reply-templates",
            &json!({"title": "通用答复", "body": "案件 {tracking_no} 已办结。"}),
        )
        .await;
    let template = added.body["id"].as_i64().expect("id");
    let receipt = app.public_report().await;
    let id = receipt.body["id"].as_i64().expect("id");
    let tracking_no = receipt.body["tracking_no"].as_str().expect("no").to_owned();
    let nation = app.login("nation").await;
    app.act(&nation, id, json!({"action": "accept"})).await;
    app.act(
        &nation,
        id,
        json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
    )
    .await;
    let shenzhen = app.login("shenzhen").await;
    for step in [
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "现场核实属实"}),
    ] {
        let done = app.act(&shenzhen, id, step).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    }
    let client = browser();
    console_sign_in(&client, &app, "shenzhen").await;
    let (status, html) = page(&client, &app, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("id=\"reply-template\""),
        "the picker is offered"
    );
    assert!(html.contains("/static/reply.js"));
    assert!(html.contains(&format!("data-text=\"案件 {tracking_no} 已办结。\"")));
    let (_, html) = page(
        &client,
        &app,
        &format!("/console/cases/{id}?template={template}"),
    )
    .await;
    assert!(
        html.contains(&format!(">案件 {tracking_no} 已办结。</textarea>")),
        "the reply text is filled in"
    );
    // A template that is not offered for the case fills nothing.
    let (_, html) = page(&client, &app, &format!("/console/cases/{id}?template=999")).await;
    assert!(!html.contains("已办结。</textarea>"));
}
