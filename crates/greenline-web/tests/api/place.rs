//! The place of a report (a WGS-84 point from the map, the device or typed) and "已有人反映过此
//! 问题？": the public look-up of reports in hand at the same place, and the report form's
//! `follows`.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::pages::{browser, csrf_token, page, post_form};

const NAME: &str = "司马相如";
const PHONE: &str = "13987654321";

/// A citizen's report at 解放北路 in Nanshan, accepted by the national office that received
/// it; its tracking number.
async fn report_in_hand(app: &TestApp) -> (i64, String) {
    let reply = app
        .post(
            None,
            "/api/v1/cases",
            &json!({
                "channel": "web",
                "primary_type": "air",
                "region": "440305",
                "address": "解放北路12号",
                "description": format!("我叫{NAME}，电话{PHONE}，楼下烧烤店油烟直冲我家窗户"),
                "reporter_name": NAME,
                "reporter_phone": PHONE,
                "latitude": 22.53,
                "longitude": 113.93
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.body["id"].as_i64().expect("id");
    let token = app.login("nation").await;
    let accepted = app.act(&token, id, json!({"action": "accept"})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let case = app.get(Some(&token), &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        case.body["point"],
        json!({"latitude": 22.53, "longitude": 113.93})
    );
    (
        id,
        reply.body["tracking_no"].as_str().expect("no").to_owned(),
    )
}

#[backend_test]
pub async fn the_public_look_up_shows_reports_in_hand_without_reporter_detail(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, number) = report_in_hand(&app).await;
    let reply = app
        .post(
            None,
            "/api/v1/public/similar",
            &json!({"primary_type": "air", "region": "440305", "address": "解放北路88号",
                    "description": "烧烤油烟"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reports = reply.body["reports"].as_array().expect("reports");
    assert_eq!(reports.len(), 1, "{}", reply.body);
    assert_eq!(reports[0]["tracking_no"], json!(number));
    assert_eq!(reports[0]["place"], json!("解放北路"));
    assert_eq!(reports[0]["stage_zh"], json!("已受理，正在办理"));
    let text = reply.body.to_string();
    for private in [NAME, PHONE, "12号", "窗户", "22.53", "113.93"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
    // Another type: nothing. A bad point: refused naming the field.
    let other = app
        .post(
            None,
            "/api/v1/public/similar",
            &json!({"primary_type": "noise", "region": "440305", "address": "解放北路"}),
        )
        .await;
    assert_eq!(other.body["reports"], json!([]));
    let bad = app
        .post(
            None,
            "/api/v1/public/similar",
            &json!({"primary_type": "air", "region": "440305", "latitude": 91.0, "longitude": 1.0}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.body["errors"][0]["field"], json!("latitude"));
    // The document names the look-up, the intake's point fields and the case's point.
    let doc = app.get(None, "/api/v1/openapi.json").await.body;
    assert!(doc["paths"]["/api/v1/public/similar"]["post"].is_object());
    let schemas = &doc["components"]["schemas"];
    for name in [
        "SimilarQuery",
        "SimilarReports",
        "SimilarReport",
        "GeoPoint",
    ] {
        assert!(schemas[name].is_object(), "{name} missing");
    }
    for field in ["latitude", "longitude", "datum"] {
        assert!(
            schemas["IntakeForm"]["properties"][field].is_object(),
            "IntakeForm.{field}"
        );
    }
    assert!(schemas["Case"]["properties"]["point"].is_object());
    // An intake with half a point is refused naming the missing half.
    let mut half = crate::helpers::web_report();
    half["latitude"] = json!(22.5);
    let refused = app.post(None, "/api/v1/cases", &half).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.body["errors"][0]["field"], json!("longitude"));
}

fn follow_form<'a>(token: &'a str, follows: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", token),
        ("primary_type", "air"),
        ("province", "440000"),
        ("city", "440300"),
        ("county", "440305"),
        ("address", "解放北路20号"),
        ("description", "烧烤店油烟又来了，晚上开窗就是油烟味"),
        ("reporter_phone", "13700000000"),
        ("latitude", "22.530200"),
        ("longitude", "113.930100"),
        ("follows", follows),
    ]
}

#[backend_test]
pub async fn the_report_form_keeps_a_point_and_follows_an_earlier_report(backend: Backend) {
    let app = spawn_app(backend).await;
    let (earlier, number) = report_in_hand(&app).await;
    let client = browser();
    let (_, html) = page(&client, &app, "/report").await;
    assert!(html.contains(r#"id="latitude""#) && html.contains("/static/similar.js"));
    assert!(!html.contains("data-tiles"), "no map without tiles");
    let token = csrf_token(&html);

    // A forged follow (a number of no such case): refused, nothing saved, the follow dropped.
    let before = app.case_count().await;
    let (status, _, html) = post_form(
        &client,
        &app,
        "/report",
        &follow_form(&token, "GL20200101-0009999"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("您选择关注的举报已不符合条件"), "{html}");
    assert!(html.contains(r#"name="follows" id="follows" value="""#));
    assert_eq!(app.case_count().await, before);

    let lower = number.to_lowercase();
    let (status, _, receipt) =
        post_form(&client, &app, "/report", &follow_form(&token, &lower)).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    assert!(receipt.contains("已与受理编号"), "{receipt}");
    assert!(receipt.contains(&number));
    let mine = app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("search")
        .remove(0);
    assert_eq!(mine.repeat_of, Some(earlier));
    let point = mine.point.expect("point");
    assert_eq!((point.latitude, point.longitude), (22.5302, 113.9301));

    // The staff case page shows the point.
    let staff = browser();
    crate::pages::console_sign_in(&staff, &app, "nation").await;
    let (status, case_page) = page(&staff, &app, &format!("/console/cases/{}", mine.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        case_page.contains("标注位置") && case_page.contains("22.530200"),
        "{case_page}"
    );
    assert!(!case_page.contains("case-map"), "no map without tiles");
}

#[backend_test]
pub async fn a_point_without_a_region_fills_in_the_nearest_county(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let (_, html) = page(&client, &app, "/report").await;
    let token = csrf_token(&html);
    let (status, _, html) = post_form(
        &client,
        &app,
        "/report",
        &[
            ("csrf_token", &token),
            ("primary_type", "air"),
            ("description", "油烟很大"),
            ("anonymous", "1"),
            ("latitude", "22.5335"),
            ("longitude", "113.9255"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    assert!(html.contains("已根据您填写的经纬度选择了问题发生地：广东省深圳市南山区"));
    assert!(
        html.contains(r#"<option value="440305" selected>"#),
        "{html}"
    );
    assert_eq!(app.case_count().await, 0);
    // Not a number: the field says so.
    let (status, _, html) = post_form(
        &client,
        &app,
        "/report",
        &[
            ("csrf_token", &token),
            ("primary_type", "air"),
            ("description", "油烟很大"),
            ("anonymous", "1"),
            ("province", "440000"),
            ("latitude", "北纬22度"),
            ("longitude", "113.9"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains(r#"id="latitude-error">纬度请填写数字"#),
        "{html}"
    );
}

#[backend_test]
pub async fn with_tiles_set_the_pages_draw_a_map_and_allow_only_that_tile_server(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.map_tiles = Some("https://t{s}.tiles.example.cn/{z}/{x}/{y}.png".into());
        s.map_attribution = Some("示例地图 审图号：GS(2026)0001号".into());
    })
    .await;
    let client = browser();
    let response = client
        .get(app.url("/report"))
        .send()
        .await
        .expect("request");
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("policy")
        .to_owned();
    assert!(
        policy.contains("img-src 'self' data: https://*.tiles.example.cn;"),
        "{policy}"
    );
    assert!(policy.contains("style-src 'self';") && policy.contains("script-src 'self';"));
    let html = response.text().await.expect("body");
    assert!(html.contains(r#"data-tiles="https://t{s}.tiles.example.cn/{z}/{x}/{y}.png""#));
    assert!(
        html.contains("/static/leaflet-1.9.4.js") && html.contains("/static/leaflet-1.9.4.css")
    );
    // The staff case page draws the reporter's point on the same tiles.
    let (id, _) = report_in_hand(&app).await;
    let staff = browser();
    crate::pages::console_sign_in(&staff, &app, "nation").await;
    let (status, case_page) = page(&staff, &app, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        case_page.contains(r#"id="case-map""#)
            && case_page.contains(r#"data-lat="22.530000" data-lon="113.930000""#)
            && case_page.contains("/static/case-map.js"),
        "{case_page}"
    );
    for asset in [
        "leaflet-1.9.4.js",
        "leaflet-1.9.4.css",
        "place.js",
        "similar.js",
        "case-map.js",
    ] {
        let response = client
            .get(app.url(&format!("/static/{asset}")))
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
    }
}

#[backend_test]
pub async fn the_public_look_up_counts_against_the_public_limit(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.public_requests_per_minute = 2).await;
    let ask = json!({"primary_type": "air", "region": "440305", "address": "解放北路"});
    for _ in 0..2 {
        let reply = app.post(None, "/api/v1/public/similar", &ask).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let refused = app.post(None, "/api/v1/public/similar", &ask).await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
}
