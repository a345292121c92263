//! The type suggestion made at intake, staff's review of the types, and repeat reports merged
//! into one group.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app, web_report};

async fn submit(app: &TestApp, report: &Value) -> i64 {
    let reply = app.post(None, "/api/v1/cases", report).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_i64().expect("id")
}

async fn case(app: &TestApp, token: &str, id: i64) -> Value {
    let reply = app.get(Some(token), &format!("/api/v1/cases/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn events(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let reply = app
        .get(Some(token), &format!("/api/v1/cases/{id}/events"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body.as_array().expect("events").clone()
}

#[backend_test]
pub async fn intake_suggests_types_and_staff_confirm_or_correct_them(backend: Backend) {
    let app = spawn_app(backend).await;
    // Public submissions are held by the national office until routed.
    let token = app.login("nation").await;

    // No type given: the suggestion from the text stands in for it.
    let mut report = web_report();
    report
        .as_object_mut()
        .expect("object")
        .remove("primary_type");
    report
        .as_object_mut()
        .expect("object")
        .remove("other_types");
    report.as_object_mut().expect("object").remove("sub_type");
    report["description"] =
        json!("楼下烧烤店的油烟每天晚上直往我家窗户里灌，呛得人咳嗽，衣服都是油烟味。");
    let id = submit(&app, &report).await;
    let stored = case(&app, &token, id).await;
    let suggestion = &stored["suggestion"];
    assert_eq!(suggestion["primary_type"], "air", "{stored}");
    assert_eq!(stored["primary_type"], suggestion["primary_type"]);
    let confidence = suggestion["confidence"].as_f64().expect("confidence");
    assert!((0.0..=1.0).contains(&confidence), "{confidence}");
    assert_eq!(stored["type_review"], Value::Null);
    let history = events(&app, &token, id).await;
    assert_eq!(history[0]["data"]["suggestion"], *suggestion);

    // A given type is kept; the suggestion sits beside it.
    let given = submit(&app, &web_report()).await;
    let stored = case(&app, &token, given).await;
    assert_eq!(stored["primary_type"], "noise");
    assert!(stored["suggestion"].is_object(), "{stored}");

    // Confirming sends the types as they are.
    let path = format!("/api/v1/cases/{given}/types");
    let confirm =
        json!({"primary_type": "noise", "other_types": ["air"], "sub_type": "construction"});
    let reply = app.post(Some(&token), &path, &confirm).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["event"]["action"], "confirm_types");
    assert_eq!(reply.body["case"]["type_review"], "confirmed");

    // Correcting changes them, and the event keeps both.
    let correct = json!({"primary_type": "air", "sub_type": "dust", "note": "主要反映扬尘"});
    let reply = app.post(Some(&token), &path, &correct).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["event"]["action"], "correct_types");
    assert_eq!(
        reply.body["event"]["data"]["before"]["primary_type"],
        "noise"
    );
    assert_eq!(reply.body["event"]["data"]["after"]["sub_type"], "dust");
    assert_eq!(reply.body["event"]["note"], "主要反映扬尘");
    let stored = case(&app, &token, given).await;
    assert_eq!(stored["types"], json!(["air"]));
    assert_eq!(stored["type_review"], "corrected");
    let actions: Vec<_> = events(&app, &token, given)
        .await
        .iter()
        .map(|e| e["action"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(actions, ["register", "confirm_types", "correct_types"]);

    // Bad codes name their field and change nothing.
    let reply = app
        .post(
            Some(&token),
            &path,
            &json!({"primary_type": "air", "sub_type": "construction"}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["field"], "sub_type");
    assert_eq!(case(&app, &token, given).await["sub_type"], "dust");

    // An analyst may not review; a sibling county does not see the case at all.
    let analyst = app.login("shenzhen-analyst").await;
    let reply = app.post(Some(&analyst), &path, &confirm).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    let futian = app.login("futian").await;
    let reply = app.post(Some(&futian), &path, &confirm).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
}

#[backend_test]
pub async fn a_repeat_of_a_case_in_hand_is_merged_rejected_and_counted(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.login("nation").await;
    let first = submit(&app, &web_report()).await;
    let reply = app.act(&token, first, json!({"action": "accept"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let tracking_no = reply.body["case"]["tracking_no"]
        .as_str()
        .expect("tracking no")
        .to_owned();
    let second = submit(&app, &web_report()).await;
    let third = submit(&app, &web_report()).await;

    let reply = app
        .post(
            Some(&token),
            &format!("/api/v1/cases/{second}/merge"),
            &json!({"into": first, "note": "同一工地"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["lead"], first);
    assert_eq!(reply.body["events"][0]["action"], "merge");
    // The first case is in hand, the repeat was waiting: not accepted, pointed to the first.
    assert_eq!(reply.body["events"][1]["action"], "reject");
    assert_eq!(reply.body["case"]["stage"], "rejected");
    assert_eq!(reply.body["case"]["rejection"], "already_accepted");
    assert_eq!(reply.body["case"]["repeat_of"], first);
    let note = reply.body["events"][1]["note"].as_str().expect("note");
    assert!(note.contains(&tracking_no), "{note}");

    // Merging into a repeat joins its group's first case.
    let reply = app
        .post(
            Some(&token),
            &format!("/api/v1/cases/{third}/merge"),
            &json!({"into": second}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["lead"], first);
    let group = app
        .get(Some(&token), &format!("/api/v1/cases/{third}/group"))
        .await;
    assert_eq!(
        group.body,
        json!({"lead": first, "repeats": [second, third]})
    );

    // Nonsense merges name the field.
    for (id, into) in [(first, first), (first, second), (second, first)] {
        let reply = app
            .post(
                Some(&token),
                &format!("/api/v1/cases/{id}/merge"),
                &json!({"into": into}),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert_eq!(reply.body["errors"][0]["field"], "into", "{}", reply.body);
    }
    let reply = app
        .post(
            Some(&token),
            &format!("/api/v1/cases/{first}/merge"),
            &json!({"into": 999_999}),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );

    // The statistics count the two repeats as such.
    app.caught_up().await;
    let reply = app
        .get(Some(&token), "/api/v1/stats?group_by=repeat_source")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let repeats = reply.body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|row| row["key"]["repeat_source"]["code"] == "true")
        .and_then(|row| row["count"].as_i64())
        .unwrap_or(0);
    assert_eq!(repeats, 2, "repeats counted: {}", reply.body);
}
