//! The SMS webhook sender against a local HTTP server that checks the signature. (The SMTP
//! sender is tested against a real SMTP sink with the API suite: `tests/api/notices.rs`.)

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use greenline_app::notices::{SecretText, SmsGateway, WebhookMessage, WebhookSms};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET: &str = "shared webhook secret";

/// What the listener received: the headers and the body of each request.
type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A listener on loopback answering every POST to `/sms` with `status`; its address.
async fn listener(status: StatusCode) -> (String, Received) {
    let received: Received = Arc::default();
    let kept = received.clone();
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let kept = kept.clone();
            async move {
                kept.lock().expect("lock").push((headers, body));
                status
            }
        }),
    );
    let socket = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = socket.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(socket, app).await });
    (format!("http://{address}/sms"), received)
}

/// The signature as an adapter checks it, computed here independently of the sender.
fn expected_signature(timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn the_webhook_posts_signed_json_that_an_adapter_can_verify() {
    let (url, received) = listener(StatusCode::NO_CONTENT).await;
    let sms = WebhookSms::new(&url, SecretText(SECRET.into())).expect("sender");
    let text = "【12369】您反映的问题（受理编号 GL20261127-0000123）已受理，正在办理。";
    sms.send("+86 138-1234-5678", text).await.expect("sent");

    let requests = received.lock().expect("lock").clone();
    assert_eq!(requests.len(), 1);
    let (headers, body) = &requests[0];
    assert_eq!(headers["content-type"], "application/json");
    let timestamp = headers["x-greenline-timestamp"].to_str().expect("ascii");
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().expect("seconds");
    assert!((0..60).contains(&age), "a fresh timestamp: {age}");
    assert_eq!(
        headers["x-greenline-signature"].to_str().expect("ascii"),
        expected_signature(timestamp, body)
    );
    let message: WebhookMessage = serde_json::from_slice(body).expect("json");
    assert_eq!(message.to, "+86 138-1234-5678");
    assert_eq!(message.text, text);
    // A body changed on the way no longer matches its signature.
    let mut tampered = body.to_vec();
    tampered.extend_from_slice(b" ");
    assert_ne!(
        headers["x-greenline-signature"].to_str().expect("ascii"),
        expected_signature(timestamp, &tampered)
    );
}

#[tokio::test]
async fn a_webhook_that_refuses_or_is_absent_is_a_failed_send() {
    let (url, _) = listener(StatusCode::UNAUTHORIZED).await;
    let sms = WebhookSms::new(&url, SecretText(SECRET.into())).expect("sender");
    let refused = sms.send("13812345678", "文本").await;
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("401")),
        "{refused:?}"
    );
    // Nothing listens on port 9 of loopback.
    let gone = WebhookSms::new("http://127.0.0.1:9/sms", SecretText(SECRET.into()))
        .expect("sender")
        .send("13812345678", "文本")
        .await;
    assert!(gone.is_err());
    assert!(WebhookSms::new("ftp://example.com", SecretText(SECRET.into())).is_err());
    assert!(WebhookSms::new(&url, SecretText(String::new())).is_err());
}
