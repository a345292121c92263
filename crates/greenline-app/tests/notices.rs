//! The notice senders against real listeners: the SMS webhook against a local HTTP server that
//! checks the signature, and SMTP against a local SMTP sink (aiosmtpd, `--ignored`).

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use greenline_app::notices::{
    Mailer, SecretText, SmsGateway, SmtpMailer, WebhookMessage, WebhookSms,
};
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

/// A local SMTP sink: aiosmtpd run by the interpreter `GREENLINE_TEST_SMTP_SINK` names, keeping
/// each message in a maildir. Killed when dropped.
struct Sink {
    child: std::process::Child,
    python: String,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn smtp_sink() -> Sink {
    let python = std::env::var("GREENLINE_TEST_SMTP_SINK").expect(
        "GREENLINE_TEST_SMTP_SINK must name a Python interpreter with aiosmtpd (.ci/run installs one)",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = tempfile::tempdir().expect("maildir");
    let child = std::process::Command::new(&python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir.path().join("mail"))
        .spawn()
        .expect("start aiosmtpd");
    let sink = Sink {
        child,
        python,
        port,
        dir,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return sink;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the SMTP sink did not start on port {port}");
}

#[tokio::test]
#[ignore = "needs an SMTP sink: run by .ci/run with GREENLINE_TEST_SMTP_SINK"]
async fn an_e_mail_notice_arrives_at_a_real_smtp_server() {
    let sink = smtp_sink().await;
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

    let new = sink.dir.path().join("mail").join("new");
    let files: Vec<_> = std::fs::read_dir(&new)
        .expect("the maildir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    // Python's own e-mail parser reads it back: headers decoded, body decoded.
    let read = std::process::Command::new(&sink.python)
        .args([
            "-c",
            "import email, email.header, sys\n\
             m = email.message_from_binary_file(open(sys.argv[1], 'rb'))\n\
             print(m['To'])\n\
             print(m['From'])\n\
             print(str(email.header.make_header(email.header.decode_header(m['Subject']))))\n\
             print(m.get_payload(decode=True).decode(m.get_content_charset()))",
        ])
        .arg(&files[0])
        .output()
        .expect("python");
    assert!(read.status.success(), "{read:?}");
    let text = String::from_utf8(read.stdout).expect("utf-8");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("chen@example.com"));
    assert_eq!(lines.next(), Some("12369 <notices@example.gov.cn>"));
    assert_eq!(lines.next(), Some("您的举报已受理（GL20261127-0000123）"));
    assert!(text.contains("已受理，正在办理"), "{text}");
}
