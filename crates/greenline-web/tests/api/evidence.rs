//! A citizen's photos and videos on the report form: kept with the case in the intake's one
//! transaction, refused by their bytes (never their names) with the field named and nothing
//! kept, the originals read by the handling staff only and everyone else given a copy without
//! the photo's metadata.

use std::io::Cursor;

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::pages::{browser, console_sign_in, csrf_token, element_text, good_report, page};

/// What a phone writes into a photo and must not reach anyone but the handling staff.
const PLANTED: [&[u8]; 4] = [b"Exif", b"SecretPhone", b"GPSLatitude", b"xmpmeta"];

fn holds(bytes: &[u8], needle: &[u8]) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// A JPEG photo with an EXIF segment (a phone's model, a GPS IFD) and an XMP packet naming
/// the position, inserted after SOI.
pub(crate) fn photo_with_gps() -> Vec<u8> {
    let plain = crate::helpers::jpeg_with_exif(40, 30, [240, 200, 90]);
    let xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>22,32.1N</exif:GPSLatitude></x:xmpmeta>";
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend(u16::try_from(2 + xmp.len()).expect("small").to_be_bytes());
    app1.extend(xmp);
    [&plain[..2], &app1, &plain[2..]].concat()
}

fn png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(16, 16, image::Rgb([30, 140, 60]))
        .write_to(&mut Cursor::new(&mut bytes), image::ImageFormat::Png)
        .expect("png");
    bytes
}

/// The report form posted as the page sends it, with `files` in the field `evidence`.
pub(crate) async fn post_report(
    client: &reqwest::Client,
    app: &TestApp,
    fields: &[(&str, &str)],
    files: Vec<(&str, Vec<u8>)>,
) -> (StatusCode, String) {
    let mut form = Form::new();
    for (name, value) in fields {
        form = form.text((*name).to_owned(), (*value).to_owned());
    }
    for (name, bytes) in files {
        form = form.part("evidence", Part::bytes(bytes).file_name(name.to_owned()));
    }
    let response = client
        .post(app.url("/report"))
        .multipart(form)
        .send()
        .await
        .expect("post");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

async fn attachment_rows(app: &TestApp) -> i64 {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&app.database)
        .await
        .expect("connect");
    sqlx::query("SELECT COUNT(*) AS n FROM attachments")
        .fetch_one(&mut conn)
        .await
        .expect("count")
        .try_get("n")
        .expect("n")
}

/// Nothing of a refused form was kept: no case, no file row, no object.
async fn nothing_kept(app: &TestApp) {
    assert_eq!(app.case_count().await, 0, "a refused form creates no case");
    assert_eq!(attachment_rows(app).await, 0, "and records no file");
    assert_eq!(
        app.core.files().keys("").await.expect("keys"),
        Vec::<String>::new(),
        "and writes no bytes"
    );
}

#[backend_test]
pub async fn a_report_keeps_its_photos_and_others_see_them_without_metadata(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let (status, form) = page(&client, &app, "/report").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(r#"enctype="multipart/form-data""#), "{form}");
    assert!(
        form.contains(r#"name="evidence" type="file" multiple"#),
        "{form}"
    );
    assert!(
        form.contains("最多 9 个文件"),
        "the form says what is allowed"
    );
    let token = csrf_token(&form);
    let photo = photo_with_gps();
    for needle in PLANTED {
        assert!(holds(&photo, needle), "the test photo carries its metadata");
    }
    let (status, receipt) = post_report(
        &client,
        &app,
        &good_report(&token),
        vec![("IMG_0001.JPG", photo.clone()), ("截图.png", png())],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(
        element_text(&receipt, "evidence-count"),
        "已随举报保存 2 个文件"
    );

    let case = app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("search")
        .remove(0);
    let id = case.id;
    // One `attach` event per file, written with the case.
    let actions: Vec<String> = app
        .store
        .events(id)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["register", "attach", "attach"]);

    let nation = app.login("nation").await;
    app.act(&nation, id, json!({"action": "accept"})).await;
    let routed = app
        .act(
            &nation,
            id,
            json!({"action": "assign", "unit_id": app.units["shenzhen"]}),
        )
        .await;
    assert_eq!(routed.status, StatusCode::OK, "{}", routed.body);

    // The handling staff: both files, as sent, with their checksums; marked as the citizen's.
    let shenzhen = app.login("shenzhen").await;
    let listed = app
        .get(Some(&shenzhen), &format!("/api/v1/cases/{id}/attachments"))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let files = listed.body.as_array().expect("files").clone();
    assert_eq!(files.len(), 2, "{}", listed.body);
    for file in &files {
        assert_eq!(file["from_reporter"], true);
        assert_eq!(file["original"], true);
        assert_eq!(file["kind"], "site_evidence");
        assert!(file["public_copy"]["sha256"].is_string(), "{file}");
    }
    assert_eq!(files[0]["file_name"], "IMG_0001.JPG");
    assert_eq!(files[0]["sha256"], hex::encode(Sha256::digest(&photo)));
    let photo_id = files[0]["id"].as_i64().expect("id");
    let original = app
        .http
        .get(app.url(&format!("/api/v1/cases/{id}/attachments/{photo_id}")))
        .bearer_auth(&shenzhen)
        .send()
        .await
        .expect("read");
    assert_eq!(original.status(), StatusCode::OK);
    assert_eq!(original.bytes().await.expect("bytes").to_vec(), photo);

    // An analyst of the same city: only the public copies, which carry none of the metadata.
    let analyst = app.login("shenzhen-analyst").await;
    let listed = app
        .get(Some(&analyst), &format!("/api/v1/cases/{id}/attachments"))
        .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let copies = listed.body.as_array().expect("files").clone();
    assert_eq!(copies.len(), 2);
    assert_eq!(copies[0]["original"], false);
    assert_ne!(
        copies[0]["file_name"], "IMG_0001.JPG",
        "the sender's file name is not shown"
    );
    assert_eq!(copies[0]["sha256"], files[0]["public_copy"]["sha256"]);
    let copy = app
        .http
        .get(app.url(&format!("/api/v1/cases/{id}/attachments/{photo_id}")))
        .bearer_auth(&analyst)
        .send()
        .await
        .expect("read");
    assert_eq!(copy.status(), StatusCode::OK);
    assert_eq!(
        copy.headers()["content-type"].to_str().expect("type"),
        "image/jpeg"
    );
    let copy = copy.bytes().await.expect("bytes").to_vec();
    assert_eq!(
        json!(hex::encode(Sha256::digest(&copy))),
        files[0]["public_copy"]["sha256"]
    );
    for needle in PLANTED {
        assert!(
            !holds(&copy, needle),
            "the copy still holds {}",
            String::from_utf8_lossy(needle)
        );
    }
    let seen = image::load_from_memory(&copy).expect("the copy is a picture");
    assert_eq!((seen.width(), seen.height()), (40, 30));

    // The case page: thumbnails (the copies) for both; the original linked for those who may
    // read it.
    let handler = browser();
    console_sign_in(&handler, &app, "shenzhen").await;
    let (status, html) = page(&handler, &app, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let thumb = format!("/console/cases/{id}/attachments/{photo_id}/copy");
    assert!(html.contains(&format!(r#"<img src="{thumb}""#)), "{html}");
    assert!(html.contains(&format!(
        r#"href="/console/cases/{id}/attachments/{photo_id}""#
    )));
    assert!(html.contains("举报人提供"));
    let shown = handler.get(app.url(&thumb)).send().await.expect("thumb");
    assert_eq!(shown.status(), StatusCode::OK);
    assert_eq!(shown.bytes().await.expect("bytes").to_vec(), copy);
    let other = browser();
    console_sign_in(&other, &app, "shenzhen-analyst").await;
    let (status, html) = page(&other, &app, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!(r#"<img src="{thumb}""#)), "{html}");
    assert!(html.contains("公开副本"));
    assert!(!html.contains("IMG_0001.JPG"));

    // Nothing for the public until the case is published; then only the copy.
    assert!(app.core.public_photo(id, photo_id).await.is_err());
    for command in [
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "夜间施工属实。",
               "enforcement": [{"type": "ordered_to_rectify"}]}),
        json!({"action": "reply", "text": "经查属实，已责令整改。"}),
        json!({"action": "publish", "summary": "某工地夜间施工，已责令整改。"}),
    ] {
        let done = app.act(&shenzhen, id, command.clone()).await;
        assert_eq!(done.status, StatusCode::OK, "{command}: {}", done.body);
    }
    let public = app
        .core
        .public_photo(id, photo_id)
        .await
        .expect("published");
    assert_eq!(public.bytes, copy);
    for needle in PLANTED {
        assert!(!holds(&public.bytes, needle));
    }
}

#[backend_test]
pub async fn a_file_that_is_not_a_photo_is_refused_by_its_bytes_and_nothing_is_kept(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let client = browser();
    let (_, form) = page(&client, &app, "/report").await;
    let token = csrf_token(&form);
    // A text file called a photo, beside a real photo: the whole report is refused.
    let (status, html) = post_report(
        &client,
        &app,
        &good_report(&token),
        vec![
            ("现场.jpg", photo_with_gps()),
            ("烟囱.jpg", b"this is a text file, not a photo".to_vec()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let message = element_text(&html, "evidence-error");
    assert!(message.contains("“烟囱.jpg”不是照片或视频"), "{message}");
    assert!(
        html.contains(r##"<a href="#evidence">"##),
        "the summary names the field"
    );
    // What was typed stays; the files must be chosen again.
    assert!(html.contains("工地每天夜里十一点后还在打桩"));
    assert!(html.contains(r#"value="13812345678""#));
    nothing_kept(&app).await;

    // A photo that says JPEG in its first bytes but does not decode.
    let mut broken = photo_with_gps();
    broken.truncate(300);
    let (status, html) = post_report(
        &client,
        &app,
        &good_report(&token),
        vec![("坏.jpg", broken)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(element_text(&html, "evidence-error").contains("“坏.jpg”无法作为照片打开"));
    nothing_kept(&app).await;

    // A form error elsewhere names the files' fault too, in one go.
    let mut fields = good_report(&token);
    fields.retain(|(name, _)| *name != "description");
    let (status, html) = post_report(
        &client,
        &app,
        &fields,
        vec![("a.pdf", b"%PDF-1.7\n".to_vec())],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        element_text(&html, "description-error"),
        "请描述您要举报的问题"
    );
    assert!(element_text(&html, "evidence-error").contains("“a.pdf”不是照片或视频"));
    nothing_kept(&app).await;
}

#[backend_test]
pub async fn the_count_and_size_limits_are_kept(backend: Backend) {
    use greenline_domain::attachment::{MAX_EVIDENCE_FILES, MAX_EVIDENCE_PHOTO_BYTES};
    let app = spawn_app(backend).await;
    let client = browser();
    let (_, form) = page(&client, &app, "/report").await;
    let token = csrf_token(&form);
    let too_many: Vec<(&str, Vec<u8>)> =
        (0..=MAX_EVIDENCE_FILES).map(|_| ("p.png", png())).collect();
    let (status, html) = post_report(&client, &app, &good_report(&token), too_many).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert_eq!(
        element_text(&html, "evidence-error"),
        "最多上传 9 个照片或视频，您选择了 10 个"
    );
    assert!(html.contains("您选择的 10 个文件未保存") || html.contains("evidence-error"));
    nothing_kept(&app).await;

    // A photo over its limit (its first bytes say JPEG; the rest is padding).
    let mut big = photo_with_gps();
    big.resize(MAX_EVIDENCE_PHOTO_BYTES + 1, 0);
    let (status, html) =
        post_report(&client, &app, &good_report(&token), vec![("大.jpg", big)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        element_text(&html, "evidence-error").contains("每个照片不能超过 10 MB"),
        "{html}"
    );
    nothing_kept(&app).await;

    // Exactly the limit's count is taken; an empty file input (no file chosen) is no file.
    let nine: Vec<(&str, Vec<u8>)> = (0..MAX_EVIDENCE_FILES).map(|_| ("p.png", png())).collect();
    let (status, receipt) = post_report(&client, &app, &good_report(&token), nine).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert_eq!(attachment_rows(&app).await, 9);
    // Nine equal photos are one object (and one public copy): keyed by their checksum.
    assert_eq!(app.core.files().keys("").await.expect("keys").len(), 2);
    let (status, receipt) =
        post_report(&client, &app, &good_report(&token), vec![("", Vec::new())]).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert!(!receipt.contains("evidence-count"));

    // A body past the route's limit (all files together, and room for the fields) is refused
    // before it is read.
    let over = greenline_web::upload::REPORT_BODY_LIMIT + 1;
    // A client of its own: the server answers without reading the body, and a connection
    // that carried such a post is not used again.
    let client = browser();
    let (_, form) = page(&client, &app, "/report").await;
    let token = csrf_token(&form);
    let (status, html) = post_report(
        &client,
        &app,
        &good_report(&token),
        vec![("大.mp4", vec![0; over])],
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{html}");
    assert!(html.contains("内容过长"));
    assert_eq!(
        attachment_rows(&app).await,
        9,
        "the refused body added nothing"
    );
    assert_eq!(app.case_count().await, 2);
}
