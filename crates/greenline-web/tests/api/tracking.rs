//! The reporter's view, and who may see the reporter.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, spawn_app};

#[backend_test]
pub async fn the_reporter_tracks_with_the_secret_or_phone_and_sees_no_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let receipt = app.public_report().await.body;
    let id = receipt["id"].as_i64().expect("id");
    let no = receipt["tracking_no"].as_str().expect("no");
    let secret = receipt["secret"].as_str().expect("secret");
    let nation = app.login("nation").await;
    let accepted = app
        .act(
            &nation,
            id,
            json!({"action": "accept", "note": "internal note"}),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK);

    let by_secret = app
        .get(
            None,
            &format!("/api/v1/track/{no}?secret={}", secret.to_lowercase()),
        )
        .await;
    assert_eq!(by_secret.status, StatusCode::OK, "{}", by_secret.body);
    assert_eq!(by_secret.body["status_zh"], "办理中");
    let steps: Vec<_> = by_secret.body["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|s| s["stage"].clone())
        .collect();
    assert_eq!(steps, [json!("registered"), json!("accepted")]);
    let text = by_secret.body.to_string();
    for private in ["陈小姐", "13812345678", "staff-name", "internal note"] {
        assert!(
            !text.contains(private),
            "the reporter view shows {private}: {text}"
        );
    }

    let with_header = app
        .http
        .get(app.url(&format!("/api/v1/track/{no}")))
        .header("X-Tracking-Secret", secret)
        .send()
        .await
        .expect("request");
    assert_eq!(with_header.status(), StatusCode::OK);
    let by_phone = app
        .get(None, &format!("/api/v1/track/{no}?phone=138-1234-5678"))
        .await;
    assert_eq!(by_phone.status, StatusCode::OK);

    let wrong = app
        .get(None, &format!("/api/v1/track/{no}?secret=WRONGSECRET1"))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let wrong_day = no.replace("GL20261127", "GL20261126");
    let wrong = app
        .get(None, &format!("/api/v1/track/{wrong_day}?secret={secret}"))
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let none = app.get(None, &format!("/api/v1/track/{no}")).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    let garbage = app.get(None, "/api/v1/track/12345?secret=x").await;
    assert_eq!(garbage.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(garbage.body["errors"][0]["field"], "tracking_no");
}

#[backend_test]
pub async fn reading_the_reporter_is_for_the_handling_chain_and_is_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    for command in [
        json!({"action": "accept"}),
        json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
    ] {
        assert_eq!(app.act(&nation, id, command).await.status, StatusCode::OK);
    }
    let case = app.get(Some(&nation), &format!("/api/v1/cases/{id}")).await;
    assert!(
        !case.body.to_string().contains("13812345678"),
        "the case itself carries no reporter"
    );

    let handler = app.login("shenzhen-handler").await;
    let reporter = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}/reporter"))
        .await;
    assert_eq!(reporter.status, StatusCode::OK, "{}", reporter.body);
    assert_eq!(reporter.body["phone"], "13812345678");
    let above = app
        .get(Some(&nation), &format!("/api/v1/cases/{id}/reporter"))
        .await;
    assert_eq!(
        above.status,
        StatusCode::OK,
        "the chain above the holder may read it"
    );

    let analyst = app.login("shenzhen-analyst").await;
    let denied = app
        .get(Some(&analyst), &format!("/api/v1/cases/{id}/reporter"))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let nanshan = app.login("nanshan").await;
    let below = app
        .get(Some(&nanshan), &format!("/api/v1/cases/{id}/reporter"))
        .await;
    assert_eq!(
        below.status,
        StatusCode::FORBIDDEN,
        "a unit below the holder is not in its chain"
    );

    let events = app
        .get(Some(&handler), &format!("/api/v1/cases/{id}/events"))
        .await;
    let views: Vec<_> = events
        .body
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| e["action"] == "view_reporter")
        .map(|e| e["actor"].as_str().expect("actor").to_owned())
        .collect();
    assert_eq!(views.len(), 2, "each read is an event: {views:?}");
    assert!(views[0].contains("shenzhen-handler-staff-name"));
}

#[backend_test]
pub async fn a_case_probed_too_often_refuses_even_the_right_secret_for_an_hour(backend: Backend) {
    let app = spawn_app(backend).await;
    let receipt = app.public_report().await.body;
    let no = receipt["tracking_no"].as_str().expect("no");
    let secret = receipt["secret"].as_str().expect("secret");
    let other = app.public_report().await.body;
    let other_no = other["tracking_no"].as_str().expect("no");
    let other_secret = other["secret"].as_str().expect("secret");
    // A neighbour tries phone numbers.
    for guess in 0..5 {
        let probe = app
            .get(None, &format!("/api/v1/track/{no}?phone=1390000000{guess}"))
            .await;
        assert_eq!(probe.status, StatusCode::NOT_FOUND, "{}", probe.body);
    }
    let locked = app
        .get(None, &format!("/api/v1/track/{no}?secret={secret}"))
        .await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(
        locked.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("minutes")),
        "{}",
        locked.body
    );
    // Other cases are not affected.
    let unaffected = app
        .get(
            None,
            &format!("/api/v1/track/{other_no}?secret={other_secret}"),
        )
        .await;
    assert_eq!(unaffected.status, StatusCode::OK, "{}", unaffected.body);
    app.clock.advance(chrono::Duration::minutes(59));
    let still = app
        .get(None, &format!("/api/v1/track/{no}?secret={secret}"))
        .await;
    assert_eq!(still.status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(chrono::Duration::minutes(2));
    let open = app
        .get(None, &format!("/api/v1/track/{no}?secret={secret}"))
        .await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
}
