//! The 12345 hand-over over HTTP: a centre registered by an administrator transfers a work
//! order in, a duplicate is refused, the callbacks reach a test receiver signed and after a
//! failed first attempt, every attempt is recorded, the status feed shows the result, and
//! nothing sent to the centre names the reporter.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use greenline_app::notices::webhook_signature;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TestApp, read, spawn_app, web_report};

/// What the receiver was sent: each request's timestamp, signature and body.
#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<(String, String, String)>>>);

impl Received {
    fn all(&self) -> Vec<(String, String, String)> {
        self.0.lock().expect("lock").clone()
    }
}

/// A centre's callback endpoint on loopback that fails the first request (500) and takes
/// every later one; its URL and what it received.
async fn receiver() -> (String, Received) {
    let received = Received::default();
    let kept = received.clone();
    let router = axum::Router::new().route(
        "/callback",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                let mut all = kept.0.lock().expect("lock");
                all.push((
                    header("x-greenline-timestamp"),
                    header("x-greenline-signature"),
                    body,
                ));
                if all.len() == 1 {
                    AxumStatus::INTERNAL_SERVER_ERROR
                } else {
                    AxumStatus::NO_CONTENT
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}/callback"), received)
}

async fn transfer(app: &TestApp, key: &str, body: &Value) -> Reply {
    read(
        app.http
            .post(app.url("/api/v1/transfers"))
            .header("x-centre-key", key)
            .json(body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

async fn status(app: &TestApp, key: &str, after: i64) -> Reply {
    read(
        app.http
            .get(app.url(&format!("/api/v1/transfers/status?after={after}")))
            .header("x-centre-key", key)
            .send()
            .await
            .expect("request"),
    )
    .await
}

fn work_order(order: &str) -> Value {
    json!({
        "order_no": order,
        "primary_type": "noise",
        "sub_type": "construction",
        "region": "440305",
        "address": "科技园南区高新南七道工地",
        "description": "市民来电：工地夜里十一点后还在打桩，本人姓林，电话13700001111，要求处理。",
        "reporter_name": "林晓峰",
        "reporter_phone": "13700001111"
    })
}

/// Identities the transfers carry; nothing sent to a centre may show them.
const PLANTED: &[&str] = &["林晓峰", "13700001111", "1370000"];

fn assert_clean(what: &str, text: &str) {
    for planted in PLANTED {
        assert!(!text.contains(planted), "{what} shows {planted}: {text}");
    }
}

#[backend_test]
pub async fn a_transferred_order_comes_back_by_a_signed_callback_and_the_status_feed(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (url, received) = receiver().await;
    let admin = app.login("shenzhen-admin").await;
    let centre = app
        .post(
            Some(&admin),
            "/api/v1/transfer-centres",
            &json!({"code": "sz12345", "name": "深圳市12345热线", "region": "440300",
                    "callback_url": url}),
        )
        .await;
    assert_eq!(centre.status, StatusCode::CREATED, "{}", centre.body);
    let key = centre.body["api_key"].as_str().expect("key").to_owned();
    let secret = centre.body["callback_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let centre_id = centre.body["id"].as_i64().expect("id");
    assert!(key.starts_with("glc_"));
    let listed = app.get(Some(&admin), "/api/v1/transfer-centres").await;
    assert!(!listed.body.to_string().contains(&key), "{}", listed.body);
    assert!(
        !listed.body.to_string().contains(&secret),
        "{}",
        listed.body
    );

    // In, once.
    let first = transfer(&app, &key, &work_order("SZ2026-000123")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let tracking_no = first.body["tracking_no"].as_str().expect("no").to_owned();
    assert_eq!(first.body["order_no"], "SZ2026-000123");
    assert_clean("the transfer's answer", &first.body.to_string());
    let again = transfer(&app, &key, &work_order("SZ2026-000123")).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(
        again.body["detail"]
            .as_str()
            .expect("detail")
            .contains(&tracking_no),
        "{}",
        again.body
    );
    // Another centre may use the same number.
    let other = app
        .post(
            Some(&admin),
            "/api/v1/transfer-centres",
            &json!({"code": "gd12345", "name": "广东省12345热线", "region": "440000"}),
        )
        .await;
    let other_key = other.body["api_key"].as_str().expect("key").to_owned();
    assert_eq!(other.body["callback_secret"], Value::Null);
    let same_number = transfer(&app, &other_key, &work_order("SZ2026-000123")).await;
    assert_eq!(
        same_number.status,
        StatusCode::CREATED,
        "{}",
        same_number.body
    );

    // Refusals.
    let no_key = read(
        app.http
            .post(app.url("/api/v1/transfers"))
            .json(&work_order("SZ2026-000124"))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(no_key.status, StatusCode::FORBIDDEN, "{}", no_key.body);
    let bad_key = transfer(&app, "glc_0000", &work_order("SZ2026-000124")).await;
    assert_eq!(bad_key.status, StatusCode::FORBIDDEN);
    let mut far = work_order("SZ2026-000125");
    far["region"] = json!("110105");
    let far = transfer(&app, &key, &far).await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", far.body);
    assert_eq!(far.body["errors"][0]["field"], "region");

    // Staff see a 12345 case with the order as its external reference.
    let case_id: i64 = tracking_no
        .rsplit('-')
        .next()
        .expect("n")
        .parse()
        .expect("id");
    let nation = app.login("nation").await;
    let case = app
        .get(Some(&nation), &format!("/api/v1/cases/{case_id}"))
        .await;
    assert_eq!(case.body["channel"], "12345", "{}", case.body);
    assert_eq!(case.body["external_id"], "sz12345:SZ2026-000123");

    // Accepted: the callback fails once, is recorded, and goes through on the retry.
    let accepted = app.act(&nation, case_id, json!({"action": "accept"})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(
        app.core.deliver_transfer_callbacks(10).await.expect("send"),
        0
    );
    let callbacks = app
        .get(
            Some(&admin),
            &format!("/api/v1/transfer-centres/{centre_id}/callbacks"),
        )
        .await;
    assert_eq!(callbacks.status, StatusCode::OK, "{}", callbacks.body);
    assert_eq!(callbacks.body[0]["kind"], "accepted");
    assert_eq!(callbacks.body[0]["status"], "pending");
    assert_eq!(callbacks.body[0]["attempts"][0]["status_code"], 500);
    assert_eq!(callbacks.body[0]["attempts"][0]["ok"], false);
    // Not due again until the back-off has passed.
    assert_eq!(
        app.core.deliver_transfer_callbacks(10).await.expect("send"),
        0
    );
    assert_eq!(received.all().len(), 1);
    app.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(
        app.core.deliver_transfer_callbacks(10).await.expect("send"),
        1
    );
    let callbacks = app
        .get(
            Some(&admin),
            &format!("/api/v1/transfer-centres/{centre_id}/callbacks"),
        )
        .await;
    assert_eq!(callbacks.body[0]["status"], "sent");
    let attempts = callbacks.body[0]["attempts"].as_array().expect("attempts");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[1]["ok"], true);

    // Handled, concluded, replied: each told, signed.
    for command in [
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "夜间施工属实"}),
        json!({"action": "reply", "text": "林晓峰您好：经查属实，已责令工地停止夜间施工。"}),
    ] {
        let done = app.act(&nation, case_id, command.clone()).await;
        assert_eq!(done.status, StatusCode::OK, "{command}: {}", done.body);
    }
    assert_eq!(
        app.core.deliver_transfer_callbacks(10).await.expect("send"),
        2
    );
    let all = received.all();
    assert_eq!(
        all.len(),
        4,
        "one failed, then accepted, concluded, replied"
    );
    let mut events = Vec::new();
    for (timestamp, signature, body) in &all {
        assert_eq!(
            signature,
            &webhook_signature(&secret, timestamp, body.as_bytes()),
            "a valid signature"
        );
        assert_clean("a callback", body);
        let body: Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(body["order_no"], "SZ2026-000123");
        assert_eq!(body["tracking_no"], tracking_no.as_str());
        events.push(body["event"].as_str().expect("event").to_owned());
    }
    assert_eq!(events, ["accepted", "accepted", "concluded", "replied"]);
    let replied: Value = serde_json::from_str(&all[3].2).expect("JSON");
    assert_eq!(replied["status"], "concluded");
    assert_eq!(
        replied["reply"],
        "[姓名]您好：经查属实，已责令工地停止夜间施工。"
    );

    // The status feed shows the same, a page at a time.
    let feed = status(&app, &key, 0).await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.body);
    assert_clean("the status feed", &feed.body.to_string());
    let items = feed.body["items"].as_array().expect("items");
    let steps: Vec<&str> = items
        .iter()
        .map(|i| i["event"].as_str().expect("event"))
        .collect();
    assert_eq!(steps, ["register", "accept", "handle", "conclude", "reply"]);
    assert!(items.iter().all(|i| i["order_no"] == "SZ2026-000123"));
    let last = items.last().expect("last");
    assert_eq!(last["status"], "concluded");
    assert_eq!(
        last["reply"],
        "[姓名]您好：经查属实，已责令工地停止夜间施工。"
    );
    let next = feed.body["next_after"].as_i64().expect("cursor");
    let empty = status(&app, &key, next).await;
    assert_eq!(empty.body["items"], json!([]));
    assert_eq!(empty.body["next_after"], next);
    // The other centre sees only its own order.
    let theirs = status(&app, &other_key, 0).await;
    assert_eq!(
        theirs.body["items"].as_array().expect("items").len(),
        1,
        "{}",
        theirs.body
    );
    let bad = status(&app, &key, -1).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // A revoked key transfers nothing more.
    let revoked = app
        .post(
            Some(&admin),
            &format!("/api/v1/transfer-centres/{centre_id}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let refused = transfer(&app, &key, &work_order("SZ2026-000126")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
}

#[backend_test]
pub async fn citizens_may_not_set_an_external_reference(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut report = web_report();
    report["external_id"] = json!("SZ2026-000123");
    let refused = app.post(None, "/api/v1/cases", &report).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert_eq!(refused.body["errors"][0]["field"], "external_id");
    assert_eq!(app.case_count().await, 0);
    // Staff keying in a 12345 call still record its order number.
    let nanshan = app.login("nanshan").await;
    let mut keyed = web_report();
    keyed["channel"] = json!("12345");
    keyed["external_id"] = json!("SZ2026-000123");
    let registered = app.post(Some(&nanshan), "/api/v1/cases", &keyed).await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
}
