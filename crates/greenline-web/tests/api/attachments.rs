//! A case's files (附件): kept with the case by the staff who handle it, read back as they
//! were sent, refused when they are not a file a case takes, and read only by those who may
//! read the reporter — each read recorded.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, Reply, TestApp, phone_report, read, spawn_app};

/// A tiny JPEG's first bytes (what the type is read from) and some more.
fn jpeg() -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    bytes.extend((0..4000u32).map(|i| (i % 251) as u8));
    bytes
}

async fn upload(
    app: &TestApp,
    token: &str,
    case: i64,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Reply {
    let form = Form::new()
        .text("kind", kind.to_owned())
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    read(
        app.http
            .post(app.url(&format!("/api/v1/cases/{case}/attachments")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await
}

/// An upload form with a photo, as the authorisation matrix sends it.
pub fn photo_form() -> Form {
    Form::new()
        .text("kind", "site_evidence")
        .part("file", Part::bytes(jpeg()).file_name("现场.jpg"))
}

/// Keeps a photo with `case` as `token`; its id.
pub async fn photo_of(app: &TestApp, token: &str, case: i64) -> i64 {
    let kept = upload(app, token, case, "site_evidence", "现场.jpg", jpeg()).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    kept.body["id"].as_i64().expect("id")
}

async fn nanshan_case(app: &TestApp, nanshan: &str) -> i64 {
    let receipt = app
        .post(Some(nanshan), "/api/v1/cases", &phone_report())
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    receipt.body["id"].as_i64().expect("id")
}

#[backend_test]
pub async fn a_file_is_kept_with_its_checksum_and_read_back_as_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let id = nanshan_case(&app, &nanshan).await;
    let bytes = jpeg();
    // The name says PDF; the bytes say JPEG, and the bytes decide.
    let kept = upload(
        &app,
        &nanshan,
        id,
        "site_evidence",
        "D:\\现场\\工地夜间.pdf",
        bytes.clone(),
    )
    .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    assert_eq!(kept.body["media_type"], json!("image/jpeg"));
    assert_eq!(kept.body["file_name"], json!("工地夜间.pdf"));
    assert_eq!(kept.body["kind_label"], json!("现场照片或视频"));
    assert_eq!(kept.body["size_bytes"], json!(bytes.len()));
    assert_eq!(
        kept.body["sha256"],
        json!(hex::encode(Sha256::digest(&bytes)))
    );
    let file = kept.body["id"].as_i64().expect("id");

    let listed = app
        .get(Some(&nanshan), &format!("/api/v1/cases/{id}/attachments"))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));

    let got = app
        .http
        .get(app.url(&format!("/api/v1/cases/{id}/attachments/{file}")))
        .bearer_auth(&nanshan)
        .send()
        .await
        .expect("read");
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.headers()["content-type"], "image/jpeg");
    assert!(
        got.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .starts_with("inline; filename*=UTF-8''"),
    );
    assert_eq!(got.bytes().await.expect("bytes").to_vec(), bytes);

    // The upload is an event of the case; the read an audit record.
    let events = app
        .get(Some(&nanshan), &format!("/api/v1/cases/{id}/events"))
        .await;
    assert!(
        events
            .body
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["action"] == "attach"),
        "{}",
        events.body
    );
    let auditor = app.login("guangdong-auditor").await;
    let trail = app
        .get(
            Some(&auditor),
            "/api/v1/audit?limit=200&action=read_attachment",
        )
        .await;
    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    let reads: Vec<&Value> = trail
        .body
        .as_array()
        .expect("records")
        .iter()
        .filter(|r| r["action"] == "read_attachment" && r["target"] == json!(id.to_string()))
        .collect();
    assert_eq!(reads.len(), 1, "{}", trail.body);
}

#[backend_test]
pub async fn a_file_a_case_does_not_take_is_refused_and_nothing_is_kept(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let id = nanshan_case(&app, &nanshan).await;
    let page = b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec();
    let refused = upload(&app, &nanshan, id, "site_evidence", "photo.jpg", page).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.to_string().contains("\"file\""),
        "{}",
        refused.body
    );
    let no_kind = upload(&app, &nanshan, id, "selfie", "a.jpg", jpeg()).await;
    assert_eq!(
        no_kind.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_kind.body
    );
    assert!(
        no_kind.body.to_string().contains("\"kind\""),
        "{}",
        no_kind.body
    );
    let mut huge = jpeg();
    huge.resize(21 * 1024 * 1024, 0);
    // On a connection of its own: the server answers before the body ends and closes it.
    let form = Form::new()
        .text("kind", "site_evidence")
        .part("file", Part::bytes(huge).file_name("big.jpg"));
    let too_big = read(
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(app.url(&format!("/api/v1/cases/{id}/attachments")))
            .bearer_auth(&nanshan)
            .multipart(form)
            .send()
            .await
            .expect("upload"),
    )
    .await;
    assert_eq!(
        too_big.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        too_big.body
    );
    let listed = app
        .get(Some(&nanshan), &format!("/api/v1/cases/{id}/attachments"))
        .await;
    assert_eq!(listed.body, json!([]));
}

#[backend_test]
pub async fn only_the_holding_chains_case_workers_read_or_add_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let id = nanshan_case(&app, &nanshan).await;
    let kept = upload(&app, &nanshan, id, "official_letter", "交办函.jpg", jpeg()).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    let file = kept.body["id"].as_i64().expect("id");
    // A neighbouring county does not find the case; an analyst may not read its files (the
    // list shows an analyst only the public copies of a citizen's photos: none here).
    let futian = app.login("futian").await;
    let analyst = app.login("shenzhen-analyst").await;
    for (token, status) in [
        (&futian, StatusCode::NOT_FOUND),
        (&analyst, StatusCode::FORBIDDEN),
    ] {
        let list = app
            .get(Some(token), &format!("/api/v1/cases/{id}/attachments"))
            .await;
        if status == StatusCode::FORBIDDEN {
            assert_eq!(list.status, StatusCode::OK, "{}", list.body);
            assert_eq!(list.body, json!([]));
        } else {
            assert_eq!(list.status, status, "{}", list.body);
        }
        let content = app
            .get(
                Some(token),
                &format!("/api/v1/cases/{id}/attachments/{file}"),
            )
            .await;
        assert_eq!(content.status, status, "{}", content.body);
        let add = upload(&app, token, id, "other", "x.jpg", jpeg()).await;
        assert_eq!(add.status, status, "{}", add.body);
    }
    // The city above reads it; a file asked for under another case is not found.
    let shenzhen = app.login("shenzhen").await;
    let list = app
        .get(Some(&shenzhen), &format!("/api/v1/cases/{id}/attachments"))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let other = nanshan_case(&app, &nanshan).await;
    let wrong = app
        .get(
            Some(&nanshan),
            &format!("/api/v1/cases/{other}/attachments/{file}"),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "{}", wrong.body);
}

#[backend_test]
pub async fn the_case_page_uploads_lists_and_opens_a_file_and_names_a_refusal(backend: Backend) {
    use crate::pages::{browser, console_sign_in, csrf_token, page};
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let id = nanshan_case(&app, &nanshan).await;
    let client = browser();
    console_sign_in(&client, &app, "nanshan").await;
    let (status, html) = page(&client, &app, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("暂无附件"), "{html}");
    let post = |name: &'static str, bytes: Vec<u8>, token: String| {
        let form = Form::new()
            .text("csrf_token", token)
            .text("kind", "official_letter")
            .part("file", Part::bytes(bytes).file_name(name));
        client
            .post(app.url(&format!("/console/cases/{id}/attachments")))
            .multipart(form)
            .send()
    };
    let sent = post("交办函.jpg", jpeg(), csrf_token(&html))
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&client, &app, &format!("/console/cases/{id}")).await;
    assert!(
        html.contains("交办函.jpg") && html.contains("公函、文书"),
        "{html}"
    );
    assert!(
        html.contains("上传附件"),
        "the history names the upload: {html}"
    );
    let refused = post(
        "病毒.jpg",
        b"MZ\x90\0\x03\0\0\0".to_vec(),
        csrf_token(&html),
    )
    .await
    .expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.expect("body");
    assert!(body.contains("附件未上传：只能上传照片"), "{body}");
    assert!(
        !body.contains("病毒.jpg"),
        "nothing of the refused file is kept"
    );
    // Without the form's token nothing is kept.
    let forged = post("伪造.jpg", jpeg(), "forged".to_owned())
        .await
        .expect("post");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let listed = app
        .get(Some(&nanshan), &format!("/api/v1/cases/{id}/attachments"))
        .await;
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(1),
        "{}",
        listed.body
    );
    let file = listed.body[0]["id"].as_i64().expect("id");
    let opened = client
        .get(app.url(&format!("/console/cases/{id}/attachments/{file}")))
        .send()
        .await
        .expect("open");
    assert_eq!(opened.status(), StatusCode::OK);
    assert_eq!(opened.bytes().await.expect("bytes").to_vec(), jpeg());
}
