//! Keys never reach a log: with every crate logging at its most verbose (TRACE) into a buffer,
//! an Open311 client's `api_key` (in the query string and in the form) and a 12345 centre's key
//! are used, refused and revoked, and the buffer is searched for them. A test binary of its own,
//! so that the process-wide subscriber sees this test alone.

#![expect(
    dead_code,
    reason = "the API suite's helpers, of which this test uses a few"
)]

use std::io::Write;
use std::sync::{Arc, Mutex};

use reqwest::StatusCode;
use serde_json::json;

#[path = "api/helpers.rs"]
mod helpers;

use helpers::{Backend, spawn_app};

/// Everything logged, as text.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_reaches_a_log_line_or_a_span() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.login("shenzhen-admin").await;
    let issued = app
        .post(
            Some(&admin),
            "/api/v1/open311/clients",
            &json!({"name": "城市通"}),
        )
        .await;
    let key = issued.body["api_key"].as_str().expect("key").to_owned();
    let form = [
        ("service_code", "noise"),
        ("attribute[sub_type]", "construction"),
        ("lat", "22.5412"),
        ("long", "113.9347"),
        ("description", "工地夜间打桩"),
    ];
    // In the query string, then in the form.
    let answer = app
        .http
        .post(app.url(&format!("/open311/v2/requests.json?api_key={key}")))
        .form(&form)
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status(), StatusCode::CREATED);
    let mut with_key = form.to_vec();
    with_key.push(("api_key", &key));
    let answer = app
        .http
        .post(app.url("/open311/v2/requests.xml"))
        .form(&with_key)
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status(), StatusCode::CREATED);
    // A wrong key, and a revoked one, refused.
    let wrong = format!("{key}x");
    let refused = app
        .http
        .post(app.url(&format!("/open311/v2/requests.json?api_key={wrong}")))
        .form(&form)
        .send()
        .await
        .expect("request");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let id = issued.body["id"].as_i64().expect("id");
    app.post(
        Some(&admin),
        &format!("/api/v1/open311/clients/{id}/revoke"),
        &json!({}),
    )
    .await;
    let revoked = app
        .http
        .post(app.url("/open311/v2/requests.json"))
        .form(&with_key)
        .send()
        .await
        .expect("request");
    assert_eq!(revoked.status(), StatusCode::FORBIDDEN);

    // A centre's key in its header.
    let centre = app
        .post(
            Some(&admin),
            "/api/v1/transfer-centres",
            &json!({"code": "sz12345", "name": "深圳市12345热线", "region": "440300"}),
        )
        .await;
    let centre_key = centre.body["api_key"].as_str().expect("key").to_owned();
    let transferred = app
        .http
        .post(app.url("/api/v1/transfers"))
        .header("x-centre-key", &centre_key)
        .json(
            &json!({"order_no": "SZ-1", "region": "440305", "primary_type": "noise",
            "address": "科技园南区", "description": "市民来电反映工地夜间施工噪声扰民"}),
        )
        .send()
        .await
        .expect("request");
    let status = transferred.status();
    assert_eq!(
        status,
        StatusCode::CREATED,
        "{}",
        transferred.text().await.expect("body")
    );

    let logged = String::from_utf8_lossy(&buffer.0.lock().expect("lock")).into_owned();
    assert!(
        logged.contains("answered"),
        "the subscriber saw the requests"
    );
    for secret in [&key, &wrong, &centre_key] {
        // The whole key, and enough of it to matter.
        assert!(!logged.contains(secret.as_str()), "a key reached the log");
        assert!(
            !logged.contains(&secret[4..24]),
            "part of a key reached the log"
        );
    }
}
