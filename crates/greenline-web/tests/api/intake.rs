//! Intake: validation, idempotency, who may key in what, and search.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, phone_report, read, spawn_app, web_report};

#[backend_test]
pub async fn a_malformed_body_gets_a_problem_naming_the_field_and_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut bad_region = web_report();
    bad_region["region"] = json!("449999");
    let reply = app.post(None, "/api/v1/cases", &bad_region).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.headers["content-type"], "application/problem+json");
    assert_eq!(reply.body["errors"][0]["field"], "region");

    let mut missing = web_report();
    missing
        .as_object_mut()
        .expect("object")
        .remove("description");
    let reply = app.post(None, "/api/v1/cases", &missing).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["field"], "description");

    let mut wrong_type = web_report();
    wrong_type["anonymous"] = json!("yes");
    let reply = app.post(None, "/api/v1/cases", &wrong_type).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["field"], "anonymous");

    // A description far over the limit (here 1.5 MB) is refused by its length.
    let mut huge = web_report();
    huge["description"] = json!("工地夜间施工噪声扰民。".repeat(50_000));
    let reply = app.post(None, "/api/v1/cases", &huge).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["field"], "description");

    // A body over the size limit is too large (413), not malformed.
    let mut oversized = web_report();
    oversized["description"] = json!("噪".repeat(1_000_000));
    // The server answers before reading the whole body and then closes the connection: the
    // request says so, so that the client does not reuse a connection about to close.
    let reply = read(
        app.http
            .post(app.url("/api/v1/cases"))
            .header("connection", "close")
            .json(&oversized)
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert_eq!(reply.headers["content-type"], "application/problem+json");

    let syntax = read(
        app.http
            .post(app.url("/api/v1/cases"))
            .header("content-type", "application/json")
            .body("{\"channel\": \"web\",")
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(syntax.status, StatusCode::BAD_REQUEST, "{}", syntax.body);
    let not_json = read(
        app.http
            .post(app.url("/api/v1/cases"))
            .body("channel=web")
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let shenzhen = app.login("shenzhen").await;
    let bad_action = app.act(&shenzhen, 1, json!({"action": "teleport"})).await;
    assert_eq!(bad_action.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_action.body["errors"][0]["field"], "action");
    let bad_id = app.get(Some(&shenzhen), "/api/v1/cases/first").await;
    assert_eq!(bad_id.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_id.body["errors"][0]["field"], "id");
    let nowhere = app.get(Some(&shenzhen), "/api/v1/nowhere").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(nowhere.headers["content-type"], "application/problem+json");
    let wrong_method = read(
        app.http
            .delete(app.url("/api/v1/cases"))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(app.case_count().await, 0, "no bad request wrote anything");
}

#[backend_test]
pub async fn a_replayed_idempotency_key_creates_nothing_new(backend: Backend) {
    let app = spawn_app(backend).await;
    let send = |body: serde_json::Value| {
        let request = app
            .http
            .post(app.url("/api/v1/cases"))
            .header("Idempotency-Key", "7d1c6a0e-form-submit")
            .json(&body);
        async move { read(request.send().await.expect("request")).await }
    };
    let first = send(web_report()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let retry = send(web_report()).await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.body);
    assert_eq!(retry.headers["idempotent-replayed"], "true");
    assert_eq!(
        retry.body, first.body,
        "the retry gets the first answer, secret included"
    );
    assert_eq!(app.case_count().await, 1);

    let mut different = web_report();
    different["description"] = json!("另一件事：河里有死鱼");
    let clash = send(different).await;
    assert_eq!(clash.status, StatusCode::CONFLICT, "{}", clash.body);
    assert_eq!(app.case_count().await, 1);

    // Two concurrent submissions with one key still make one case.
    let (a, b) = tokio::join!(
        async {
            read(
                app.http
                    .post(app.url("/api/v1/cases"))
                    .header("Idempotency-Key", "race")
                    .json(&web_report())
                    .send()
                    .await
                    .expect("a"),
            )
            .await
        },
        async {
            read(
                app.http
                    .post(app.url("/api/v1/cases"))
                    .header("Idempotency-Key", "race")
                    .json(&web_report())
                    .send()
                    .await
                    .expect("b"),
            )
            .await
        }
    );
    assert!(
        a.status.is_success() && b.status.is_success(),
        "{} {}",
        a.body,
        b.body
    );
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(app.case_count().await, 2);
}

#[backend_test]
pub async fn staff_channels_need_a_signed_in_staff_member_of_that_jurisdiction(backend: Backend) {
    let app = spawn_app(backend).await;
    let anonymous_phone = app.post(None, "/api/v1/cases", &phone_report()).await;
    assert_eq!(
        anonymous_phone.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        anonymous_phone.body
    );

    let analyst = app.login("shenzhen-analyst").await;
    let reply = app
        .post(Some(&analyst), "/api/v1/cases", &phone_report())
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    let nanshan = app.login("nanshan").await;
    let mut elsewhere = phone_report();
    elsewhere["region"] = json!("440304");
    let reply = app.post(Some(&nanshan), "/api/v1/cases", &elsewhere).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["field"], "region");

    let reply = app
        .post(Some(&nanshan), "/api/v1/cases", &phone_report())
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.body["id"].as_i64().expect("id");
    let case = app
        .get(Some(&nanshan), &format!("/api/v1/cases/{id}"))
        .await;
    assert_eq!(
        case.body["unit_id"], app.units["nanshan"],
        "staff intake stays with their unit"
    );
    assert_eq!(case.body["channel"], "phone");

    let stale = app.get(Some("not-a-live-token"), "/api/v1/cases").await;
    assert_eq!(stale.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get(None, "/api/v1/cases").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[backend_test]
pub async fn search_filters_and_pages_within_the_jurisdiction(backend: Backend) {
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    let mut ids = Vec::new();
    for (region, primary) in [
        ("440305", "noise"),
        ("440304", "water"),
        ("110108", "air"),
        ("440305", "air"),
    ] {
        let mut report = phone_report();
        report["region"] = json!(region);
        report["primary_type"] = json!(primary);
        report["other_types"] = json!([]);
        report["sub_type"] = json!(null);
        let reply = app.post(Some(&nation), "/api/v1/cases", &report).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        ids.push(reply.body["id"].as_i64().expect("id"));
    }
    let list = |body: &serde_json::Value| -> Vec<i64> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| c["id"].as_i64().expect("id"))
            .collect()
    };
    let all = app.get(Some(&nation), "/api/v1/cases").await;
    assert_eq!(list(&all.body), [ids[3], ids[2], ids[1], ids[0]]);
    let shenzhen = app.login("shenzhen").await;
    let theirs = app.get(Some(&shenzhen), "/api/v1/cases").await;
    assert_eq!(
        list(&theirs.body),
        [ids[3], ids[1], ids[0]],
        "only Shenzhen's"
    );
    let beijing = app
        .get(Some(&shenzhen), "/api/v1/cases?region=110000")
        .await;
    assert_eq!(
        list(&beijing.body),
        Vec::<i64>::new(),
        "a filter cannot widen the jurisdiction"
    );
    let air = app
        .get(Some(&nation), "/api/v1/cases?type=air&region=440000")
        .await;
    assert_eq!(list(&air.body), [ids[3]]);
    let phone = app.get(Some(&nation), "/api/v1/cases?channel=phone&kind=report&stage=registered&received_from=2026-11-27&received_to=2026-11-27").await;
    assert_eq!(list(&phone.body).len(), 4, "{}", phone.body);
    let next_day = app
        .get(Some(&nation), "/api/v1/cases?received_from=2026-11-28")
        .await;
    assert_eq!(list(&next_day.body), Vec::<i64>::new());

    let page1 = app.get(Some(&nation), "/api/v1/cases?limit=3").await;
    assert_eq!(list(&page1.body), [ids[3], ids[2], ids[1]]);
    let cursor = page1.body["next_before"].as_i64().expect("cursor");
    let page2 = app
        .get(
            Some(&nation),
            &format!("/api/v1/cases?limit=3&before={cursor}"),
        )
        .await;
    assert_eq!(list(&page2.body), [ids[0]]);
    assert_eq!(page2.body["next_before"], json!(null));

    for bad in [
        "stage=lost",
        "limit=0",
        "received_from=27/11/2026",
        "colour=green",
        "region=12",
    ] {
        let reply = app
            .get(Some(&nation), &format!("/api/v1/cases?{bad}"))
            .await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        let field = bad.split('=').next().expect("field");
        assert_eq!(reply.body["errors"][0]["field"], field, "{bad}");
    }
}
