//! A case's way through its workflow, across levels and jurisdictions.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, phone_report, spawn_app};

#[backend_test]
pub async fn a_report_goes_from_intake_down_two_levels_to_a_reply_the_reporter_can_read(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let receipt = app.public_report().await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let id = receipt.body["id"].as_i64().expect("id");
    let tracking_no = receipt.body["tracking_no"]
        .as_str()
        .expect("tracking no")
        .to_owned();
    let secret = receipt.body["secret"].as_str().expect("secret").to_owned();
    assert_eq!(tracking_no, format!("GL20261127-{id:07}"));
    assert_eq!(receipt.body["acceptance_due"], "2026-12-12");

    let nation = app.login("nation").await;
    let guangdong = app.login("guangdong").await;
    let shenzhen = app.login("shenzhen").await;

    let case = app.get(Some(&nation), &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        case.body["unit_id"], app.units["nation"],
        "public intake lands at the platform"
    );
    assert_eq!(case.body["stage"], "registered");

    let steps = [
        (
            &nation,
            json!({"action": "accept", "note": "属于受理范围"}),
            "accepted",
        ),
        (
            &nation,
            json!({"action": "assign", "unit_id": app.units["guangdong"]}),
            "accepted",
        ),
        (
            &guangdong,
            json!({"action": "assign", "unit_id": app.units["shenzhen"], "note": "请深圳市局办理"}),
            "accepted",
        ),
        (&shenzhen, json!({"action": "handle"}), "handling"),
        (
            &shenzhen,
            json!({
                "action": "conclude",
                "outcome": "substantiated",
                "findings": "该工地夜间施工未取得夜间施工许可，现场扬尘防治措施不到位。",
                "enforcement": [{"type": "ordered_to_rectify"}, {"type": "fine", "amount_yuan": 30000}]
            }),
            "concluded",
        ),
        (
            &shenzhen,
            json!({"action": "reply", "text": "经查，您反映的情况属实。我局已责令该工地停止夜间施工并处罚款3万元。"}),
            "replied",
        ),
    ];
    for (token, command, stage) in steps {
        let reply = app.act(token, id, command.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{command}: {}", reply.body);
        assert_eq!(reply.body["case"]["stage"], stage, "{command}");
        assert_eq!(reply.body["event"]["action"], command["action"]);
    }

    let events = app
        .get(Some(&shenzhen), &format!("/api/v1/cases/{id}/events"))
        .await;
    let actions: Vec<_> = events
        .body
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["action"].clone())
        .collect();
    assert_eq!(
        actions,
        [
            "register", "accept", "assign", "assign", "handle", "conclude", "reply"
        ]
        .map(|a| json!(a))
    );
    assert!(events.body[2]["actor_id"].is_i64(), "every event says who");

    let track = app
        .post(
            None,
            &format!("/api/v1/track/{tracking_no}"),
            &json!({ "secret": secret }),
        )
        .await;
    assert_eq!(track.status, StatusCode::OK, "{}", track.body);
    assert_eq!(track.body["status_zh"], "已办结");
    assert_eq!(track.body["outcome_zh"], "属实");
    assert_eq!(track.body["handled_by"], "深圳市生态环境局");
    assert!(
        track.body["reply"]
            .as_str()
            .expect("reply")
            .contains("罚款3万元")
    );
    assert_eq!(
        track.body["enforcement_zh"],
        json!(["责令整改", "罚款30000元"])
    );
}

#[backend_test]
pub async fn a_sibling_county_cannot_see_the_case_and_a_lower_unit_cannot_act_above_itself(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let futian = app.login("futian").await;
    let nanshan = app.login("nanshan").await;

    for path in [
        format!("/api/v1/cases/{id}"),
        format!("/api/v1/cases/{id}/events"),
    ] {
        let reply = app.get(Some(&futian), &path).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            reply.body
        );
    }
    let act = app.act(&futian, id, json!({"action": "accept"})).await;
    assert_eq!(act.status, StatusCode::NOT_FOUND);
    let listed = app.get(Some(&futian), "/api/v1/cases").await;
    assert_eq!(
        listed.body["items"],
        json!([]),
        "the sibling's list leaves it out"
    );

    // Nanshan sees a case placed in Nanshan, but it is still held by the national platform.
    assert_eq!(
        app.get(Some(&nanshan), &format!("/api/v1/cases/{id}"))
            .await
            .status,
        StatusCode::OK
    );
    let act = app.act(&nanshan, id, json!({"action": "accept"})).await;
    assert_eq!(act.status, StatusCode::FORBIDDEN, "{}", act.body);
    assert_eq!(act.body["status"], 403);
}

#[backend_test]
pub async fn an_illegal_transition_gets_409_with_the_allowed_actions(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    let reply = app
        .act(&nation, id, json!({"action": "reply", "text": "已处理"}))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "application/problem+json");
    assert_eq!(
        reply.body["allowed_actions"],
        json!(["accept", "reject", "assign", "send_back"])
    );
    let detail = reply.body["detail"].as_str().expect("detail");
    assert!(detail.contains("registered"), "{detail}");
    let events = app
        .get(Some(&nation), &format!("/api/v1/cases/{id}/events"))
        .await;
    assert_eq!(
        events.body.as_array().map(Vec::len),
        Some(1),
        "nothing was written"
    );
}

#[backend_test]
pub async fn a_case_past_its_handling_limit_is_overdue_and_extends_once_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let shenzhen = app.login("shenzhen").await;
    let handler = app.login("shenzhen-handler").await;
    let receipt = app
        .post(Some(&shenzhen), "/api/v1/cases", &phone_report())
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let id = receipt.body["id"].as_i64().expect("id");
    for action in ["accept", "handle"] {
        let reply = app.act(&handler, id, json!({ "action": action })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let case = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(case.body["deadline"]["clock"], "handling");
    assert_eq!(case.body["deadline"]["last_day"], "2027-01-26");
    assert_eq!(case.body["overdue"], false);

    app.advance(61);
    let expired = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(
        expired.status,
        StatusCode::UNAUTHORIZED,
        "sessions end after 12 hours"
    );
    let (shenzhen, handler) = (
        app.login("shenzhen").await,
        app.login("shenzhen-handler").await,
    );
    let case = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(case.body["overdue"], true);
    let overdue = app.get(Some(&handler), "/api/v1/cases?overdue=true").await;
    assert_eq!(overdue.body["items"][0]["id"], id);

    let no_reason = app
        .act(
            &shenzhen,
            id,
            json!({"action": "extend", "days": 20, "reason": " "}),
        )
        .await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    assert_eq!(no_reason.body["errors"][0]["field"], "reason");
    let by_handler = app
        .act(
            &handler,
            id,
            json!({"action": "extend", "days": 20, "reason": "需委托检测"}),
        )
        .await;
    assert_eq!(
        by_handler.status,
        StatusCode::FORBIDDEN,
        "extensions need a supervisor's approval"
    );

    let extended = app
        .act(
            &shenzhen,
            id,
            json!({"action": "extend", "days": 20, "reason": "需委托第三方检测"}),
        )
        .await;
    assert_eq!(extended.status, StatusCode::OK, "{}", extended.body);
    assert_eq!(extended.body["case"]["deadline"]["last_day"], "2027-02-15");
    assert_eq!(extended.body["case"]["overdue"], false);
    let overdue = app.get(Some(&handler), "/api/v1/cases?overdue=true").await;
    assert_eq!(overdue.body["items"], json!([]));

    let again = app
        .act(
            &shenzhen,
            id,
            json!({"action": "extend", "days": 5, "reason": "仍需时间"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    app.advance(20);
    let handler = app.login("shenzhen-handler").await;
    let case = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(case.body["overdue"], true, "past the extended limit");
    assert_eq!(case.body["extension"]["days"], 20);
}

#[backend_test]
pub async fn routing_only_goes_down_and_inside_the_cases_region(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    let sideways = app
        .act(
            &nation,
            id,
            json!({"action": "assign", "unit_id": app.units["futian"]}),
        )
        .await;
    assert_eq!(
        sideways.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        sideways.body
    );
    assert_eq!(sideways.body["errors"][0]["field"], "unit_id");
    let missing = app
        .act(&nation, id, json!({"action": "assign", "unit_id": 99_999}))
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let to_nanshan = app
        .act(
            &nation,
            id,
            json!({"action": "assign", "unit_id": app.units["nanshan"]}),
        )
        .await;
    assert_eq!(
        to_nanshan.status,
        StatusCode::OK,
        "straight to the county is down too"
    );
    let back_up = app
        .act(
            &app.login("nanshan").await,
            id,
            json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
        )
        .await;
    assert_eq!(
        back_up.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        back_up.body
    );
}

#[backend_test]
pub async fn a_supervisor_urges_and_supervises_an_open_case_and_the_case_shows_it(
    backend: Backend,
) {
    use crate::pages::{browser, console_sign_in, page, post_form};
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    app.act(&nation, id, json!({"action": "accept"})).await;
    let routed = app
        .act(
            &nation,
            id,
            json!({"action": "assign", "unit_id": app.units["nanshan"]}),
        )
        .await;
    assert_eq!(routed.status, StatusCode::OK, "{}", routed.body);
    let path = format!("/api/v1/cases/{id}/oversight");

    // Shenzhen's supervisor urges Nanshan's case; Nanshan's handler, Shenzhen's handler and
    // analyst may not.
    let shenzhen = app.login("shenzhen").await;
    let urged = app
        .post(
            Some(&shenzhen),
            &path,
            &json!({"kind": "urge", "note": "请三日内反馈"}),
        )
        .await;
    assert_eq!(urged.status, StatusCode::NO_CONTENT, "{}", urged.body);
    for who in ["nanshan", "shenzhen-handler", "shenzhen-analyst"] {
        let token = app.login(who).await;
        let refused = app
            .post(
                Some(&token),
                &path,
                &json!({"kind": "urge", "note": "请反馈"}),
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
    }
    let empty = app
        .post(
            Some(&shenzhen),
            &path,
            &json!({"kind": "supervise", "note": " "}),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty.body["errors"][0]["field"], "note");

    let case = app.store.case(id).await.expect("case");
    assert_eq!(case.stage.code(), "accepted", "the stage stays");
    let events = app
        .get(Some(&shenzhen), &format!("/api/v1/cases/{id}/events"))
        .await;
    let last = &events
        .body
        .as_array()
        .expect("events")
        .last()
        .cloned()
        .expect("event");
    assert_eq!(
        (last["action"].as_str(), last["note"].as_str()),
        (Some("urge"), Some("请三日内反馈"))
    );

    // The console: a supervisor supervises it from the case page; the page counts both.
    let client = browser();
    let token = console_sign_in(&client, &app, "shenzhen").await;
    let (status, headers, _) = post_form(
        &client,
        &app,
        &format!("/console/cases/{id}/oversight"),
        &[
            ("csrf_token", &token),
            ("kind", "supervise"),
            ("note", "列入督办"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/console/cases/{id}").as_str());
    let (_, html) = page(&client, &app, &format!("/console/cases/{id}")).await;
    assert!(html.contains("督办中，已催办 1 次"), "{html}");
    assert!(html.contains("<strong>催办</strong>") && html.contains("<strong>督办</strong>"));
    let nanshan = browser();
    console_sign_in(&nanshan, &app, "nanshan").await;
    let (_, html) = page(&nanshan, &app, &format!("/console/cases/{id}")).await;
    assert!(html.contains("督办中") && !html.contains("data-action=\"oversee\""));
}

#[backend_test]
pub async fn a_wrongly_routed_case_is_sent_back_and_routed_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    app.act(&nation, id, json!({"action": "accept"})).await;
    // The national desk has nowhere above it to send a case back to.
    let top = app
        .act(
            &nation,
            id,
            json!({"action": "send_back", "reason": "不属本级"}),
        )
        .await;
    assert_eq!(top.status, StatusCode::CONFLICT, "{}", top.body);
    let client = crate::pages::browser();
    crate::pages::console_sign_in(&client, &app, "nation").await;
    let (_, html) = crate::pages::page(&client, &app, &format!("/console/cases/{id}")).await;
    assert!(
        !html.contains("data-action=\"send_back\""),
        "not offered at the top"
    );
    // Routed to Shenzhen's bureau, which finds it is not theirs to handle.
    let routed = app
        .act(
            &nation,
            id,
            json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
        )
        .await;
    assert_eq!(routed.status, StatusCode::OK, "{}", routed.body);

    let shenzhen = app.login("shenzhen-handler").await;
    let no_reason = app
        .act(&shenzhen, id, json!({"action": "send_back", "reason": " "}))
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    let back = app
        .act(
            &shenzhen,
            id,
            json!({"action": "send_back", "reason": "涉及国家级保护区，不属本局管辖"}),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert_eq!(back.body["case"]["unit_id"], app.units["nation"]);
    assert_eq!(back.body["case"]["stage"], "accepted", "the stage stays");
    assert_eq!(back.body["event"]["action"], "send_back");
    assert_eq!(back.body["event"]["data"]["to_unit"], app.units["nation"]);
    let (_, html) = crate::pages::page(&client, &app, &format!("/console/cases/{id}")).await;
    assert!(
        html.contains("退回") && html.contains("涉及国家级保护区"),
        "the history shows it"
    );
    // Shenzhen holds it no longer; the national desk routes it again.
    let again = app
        .act(
            &shenzhen,
            id,
            json!({"action": "send_back", "reason": "再退"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN);
    let rerouted = app
        .act(
            &nation,
            id,
            json!({"action": "assign", "unit_id": app.units["nanshan"]}),
        )
        .await;
    assert_eq!(rerouted.status, StatusCode::OK, "{}", rerouted.body);
    assert_eq!(rerouted.body["case"]["unit_id"], app.units["nanshan"]);
}

/// 信访工作条例 第二十三条: a unit objects to a petition routed to it by mistake within 5 working
/// days of receiving it. Routed on Friday 27 November 2026, Shenzhen may send it back until
/// Friday 4 December, not on Monday 7 December; a report has no such window.
#[backend_test]
pub async fn a_petition_is_sent_back_within_five_working_days_of_reaching_the_unit(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    let routed = |kind: &'static str| {
        let app = &app;
        let nation = nation.clone();
        async move {
            let mut report = crate::helpers::phone_report();
            report["kind"] = json!(kind);
            let id = app.post(Some(&nation), "/api/v1/cases", &report).await.body["id"]
                .as_i64()
                .expect("id");
            let r = app
                .act(
                    &nation,
                    id,
                    json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            id
        }
    };
    let late = routed("petition").await;
    let in_time = routed("petition").await;
    let report = routed("report").await;
    let back = json!({"action": "send_back", "reason": "不属本局职责范围"});

    app.advance(6); // Thursday 3 December: the fourth working day
    let shenzhen = app.login("shenzhen-handler").await;
    let r = app.act(&shenzhen, in_time, back.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    app.advance(4); // Monday 7 December: past the fifth
    let shenzhen = app.login("shenzhen-handler").await;
    // The case page no longer offers it.
    let client = crate::pages::browser();
    crate::pages::console_sign_in(&client, &app, "shenzhen-handler").await;
    let (_, html) = crate::pages::page(&client, &app, &format!("/console/cases/{late}")).await;
    assert!(
        !html.contains("data-action=\"send_back\""),
        "offered past the window"
    );
    let (_, html) = crate::pages::page(&client, &app, &format!("/console/cases/{report}")).await;
    assert!(
        html.contains("data-action=\"send_back\""),
        "a report keeps it"
    );
    let r = app.act(&shenzhen, late, back.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.body["errors"][0]["field"], "action");
    assert!(
        r.body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("2026-12-04"),
        "{}",
        r.body
    );
    let r = app.act(&shenzhen, report, back).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a report has no window: {}",
        r.body
    );
}
