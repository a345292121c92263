//! The call-taker's desk: suggestions while an operator types (type, place, earlier reports of
//! the same source inside the jurisdiction, the caller's earlier cases by phone — recorded, and
//! refused to roles that may not read reporters), and the save with and without a link to an
//! earlier report.

use greenline_store::{AuditOutcome, AuditQuery};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TestApp, phone_report, spawn_app, web_report};
use crate::pages::{browser, console_sign_in, csrf_token, page, post_form};

const FIRST: &str = "南山区科技园南路鑫达化工有限公司每天晚上排放刺鼻气味，附近居民都闻得到";
const AGAIN: &str = "鑫达化工晚上又在偷排废气，味道很冲，就在科技园南路那边";

async fn suggest(app: &TestApp, token: &str, draft: Value) -> Reply {
    app.post(Some(token), "/api/v1/desk/suggestions", &draft)
        .await
}

/// A public web report about `text` in `region`; its id and tracking number.
async fn web_case(app: &TestApp, region: &str, text: &str) -> (i64, String) {
    let mut body = web_report();
    body["region"] = json!(region);
    body["description"] = json!(text);
    let reply = app.post(None, "/api/v1/cases", &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    (
        reply.body["id"].as_i64().expect("id"),
        reply.body["tracking_no"].as_str().expect("no").to_owned(),
    )
}

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|c| c["case_id"].as_i64().expect("id"))
        .collect()
}

async fn phone_look_ups(app: &TestApp, outcome: AuditOutcome) -> usize {
    app.store
        .audit_records(&AuditQuery {
            action: Some("read_reporter".into()),
            outcome: Some(outcome),
            text: Some("phone:".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .expect("audit")
        .len()
}

#[backend_test]
pub async fn the_desk_suggests_type_place_and_earlier_reports_within_the_jurisdiction(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (nanshan_first, _) = web_case(&app, "440305", FIRST).await;
    let (futian_first, _) = web_case(&app, "440304", FIRST).await;
    app.advance(2);
    let nanshan = app.login("nanshan").await;
    let futian = app.login("futian").await;
    app.caught_up().await;

    // A Nanshan operator keying in a repeat call about the same firm.
    let reply = suggest(
        &app,
        &nanshan,
        json!({"description": AGAIN, "region": "440305"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = &reply.body;
    assert_eq!(body["types"]["primary_type"], "air", "{body}");
    assert_eq!(body["types"]["primary_type_zh"], "大气", "{body}");
    let found = ids(&body["same_source"]);
    assert!(found.contains(&nanshan_first), "{body}");
    assert!(
        !found.contains(&futian_first),
        "Futian's case is outside Nanshan: {body}"
    );
    for candidate in body["same_source"].as_array().expect("list") {
        assert!(
            candidate["score"].as_f64().expect("score") >= 0.3,
            "{candidate}"
        );
    }
    assert_eq!(body["same_source"][0]["same_source"], true, "{body}");
    assert_eq!(body["same_phone"], Value::Null, "no phone given: {body}");

    // Futian's handler sees Futian's report, never Nanshan's.
    let reply = suggest(
        &app,
        &futian,
        json!({"description": AGAIN, "region": "440304"}),
    )
    .await;
    let found = ids(&reply.body["same_source"]);
    assert!(found.contains(&futian_first), "{}", reply.body);
    assert!(!found.contains(&nanshan_first), "{}", reply.body);
    // Asked about a county outside the jurisdiction, the index is not read.
    let reply = suggest(
        &app,
        &nanshan,
        json!({"description": AGAIN, "region": "440304"}),
    )
    .await;
    assert_eq!(reply.body["same_source"], json!([]), "{}", reply.body);

    // The place the words name, offered for the region lists. (渝北区 500112 is missing from
    // the shipped division table, whose source folded it into 两江新区: its neighbour serves.)
    let chongqing = json!({"description": "沙坪坝那边有个工地天天半夜施工，噪音吵得睡不着"});
    let reply = suggest(&app, &nanshan, chongqing.clone()).await;
    let place = &reply.body["place"];
    assert_eq!(place["region"], "500106", "{}", reply.body);
    assert_eq!(place["region_name"], "重庆市沙坪坝区");
    assert_eq!(place["province"], "500000");
    assert_eq!(place["county"], "500106");
    assert_eq!(
        place["within_jurisdiction"], false,
        "Chongqing is not Nanshan's"
    );
    assert_eq!(
        reply.body["types"]["primary_type"], "noise",
        "{}",
        reply.body
    );
    let nation = app.login("nation").await;
    let reply = suggest(&app, &nation, chongqing).await;
    assert_eq!(reply.body["place"]["within_jurisdiction"], true);
    let reply = suggest(
        &app,
        &nanshan,
        json!({"description": "工地噪音", "address": "南山区科技园南路88号"}),
    )
    .await;
    // 南山区 is in 深圳 and in 鹤岗: Nanshan's operator means their own.
    assert_eq!(reply.body["place"]["region"], "440305", "{}", reply.body);
    assert_eq!(reply.body["place"]["within_jurisdiction"], true);
    assert_eq!(reply.body["place"]["address"], "科技园南路88号");
    let reply = suggest(
        &app,
        &nation,
        json!({"description": "工地噪音", "address": "南山区科技园南路88号"}),
    )
    .await;
    assert_eq!(
        reply.body["place"],
        Value::Null,
        "ambiguous nationally: {}",
        reply.body
    );

    // Bad input names the field; an auditor reads no cases.
    let reply = suggest(&app, &nanshan, json!({"description": "x", "region": "99"})).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.body["errors"][0]["field"], "region", "{}", reply.body);
    let reply = suggest(&app, &nanshan, json!({"description": "噪".repeat(5001)})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["field"], "description");
    let reply = suggest(&app, &nanshan, json!({"descripton": "噪音"})).await;
    assert_eq!(reply.status.as_u16() / 100, 4, "{}", reply.body);
    let auditor = app.login("guangdong-auditor").await;
    let reply = suggest(&app, &auditor, json!({"description": AGAIN})).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let reply = app
        .post(
            None,
            "/api/v1/desk/suggestions",
            &json!({"description": AGAIN}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[backend_test]
pub async fn the_phone_look_up_is_recorded_and_refused_to_roles_that_may_not_read_reporters(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let futian = app.login("futian").await;
    // The same caller (13812345678) earlier: by phone to Nanshan, to Futian, and on the web
    // (held by the national office, whose reporters Nanshan's staff may not read).
    let mut call = phone_report();
    call["reporter_phone"] = json!("138-1234-5678");
    let nanshan_call = app.post(Some(&nanshan), "/api/v1/cases", &call).await;
    assert_eq!(
        nanshan_call.status,
        StatusCode::CREATED,
        "{}",
        nanshan_call.body
    );
    let nanshan_call = nanshan_call.body["id"].as_i64().expect("id");
    call["region"] = json!("440304");
    let futian_call = app.post(Some(&futian), "/api/v1/cases", &call).await;
    let futian_call = futian_call.body["id"].as_i64().expect("id");
    let (web, _) = web_case(&app, "440305", FIRST).await;
    let mut other = phone_report();
    other["reporter_phone"] = json!("13900001111");
    app.post(Some(&nanshan), "/api/v1/cases", &other).await;

    let reply = suggest(&app, &nanshan, json!({"phone": "+86 138 1234 5678"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        ids(&reply.body["same_phone"]),
        vec![nanshan_call],
        "{}",
        reply.body
    );
    assert_eq!(reply.body["same_phone"][0]["stage_zh"], "已登记");
    assert_eq!(phone_look_ups(&app, AuditOutcome::Ok).await, 1);
    let record = app
        .store
        .audit_records(&AuditQuery {
            text: Some("phone:".into()),
            limit: 1,
            ..AuditQuery::default()
        })
        .await
        .expect("audit")
        .remove(0);
    assert_eq!(
        record.entry.target, "phone:…5678",
        "the number is not kept whole"
    );
    assert_eq!(record.entry.detail["cases"], json!([nanshan_call]));

    // The national office holds the web case, and is above Futian's: its staff read all three.
    let nation = app.login("nation").await;
    let reply = suggest(&app, &nation, json!({"phone": "13812345678"})).await;
    let mut found = ids(&reply.body["same_phone"]);
    found.sort_unstable();
    let mut all = vec![nanshan_call, futian_call, web];
    all.sort_unstable();
    assert_eq!(found, all, "{}", reply.body);
    assert_eq!(phone_look_ups(&app, AuditOutcome::Ok).await, 2);

    // A number still being typed is neither looked up nor recorded.
    let reply = suggest(&app, &nanshan, json!({"phone": "138"})).await;
    assert_eq!(reply.body["same_phone"], Value::Null);
    assert_eq!(phone_look_ups(&app, AuditOutcome::Ok).await, 2);

    // An analyst may read cases, not reporters: the type is suggested, the number refused.
    let analyst = app.login("shenzhen-analyst").await;
    let reply = suggest(&app, &analyst, json!({"description": AGAIN})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = suggest(
        &app,
        &analyst,
        json!({"description": AGAIN, "phone": "13812345678"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(phone_look_ups(&app, AuditOutcome::Denied).await, 1);
    assert_eq!(phone_look_ups(&app, AuditOutcome::Ok).await, 2);
}

/// The desk's form as a call fills it, with the page's tokens.
fn call_form<'a>(html: &str, description: &'a str, link: &'a str) -> Vec<(&'static str, String)> {
    let retry = {
        let marker = "name=\"retry_key\" value=\"";
        let start = html.find(marker).expect("a retry key") + marker.len();
        html[start..].split('"').next().expect("key").to_owned()
    };
    vec![
        ("csrf_token", csrf_token(html)),
        ("retry_key", retry),
        ("channel", "phone".into()),
        ("kind", "report".into()),
        ("reporter_name", "王先生".into()),
        ("reporter_phone", "13900001111".into()),
        ("description", description.into()),
        ("province", "440000".into()),
        ("city", "440300".into()),
        ("county", "440305".into()),
        ("address", "科技园南路".into()),
        ("primary_type", String::new()),
        ("sub_type", String::new()),
        ("link", link.into()),
    ]
}

async fn post_call(
    client: &reqwest::Client,
    app: &TestApp,
    form: &[(&'static str, String)],
) -> (StatusCode, String) {
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = post_form(client, app, "/console/intake", &pairs).await;
    (status, html)
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in {html}"))
        + start.len();
    html[from..].split(end).next().unwrap_or_default()
}

#[backend_test]
pub async fn a_call_saved_at_the_desk_goes_through_intake_and_may_join_an_earlier_group(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (first, first_no) = web_case(&app, "440305", FIRST).await;
    let client = browser();
    console_sign_in(&client, &app, "nanshan").await;
    let (status, console) = page(&client, &app, "/console").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        console.contains("href=\"/console/intake\""),
        "the nav links the desk"
    );
    let (status, html) = page(&client, &app, "/console/intake").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("来电登记") && html.contains("/static/desk.js"));
    assert!(
        html.contains("12345"),
        "the reminders say where to send the caller"
    );
    assert!(html.contains("行政复议"));
    // A Nanshan operator's region lists start at Nanshan.
    assert!(
        html.contains("<option value=\"440305\" selected>"),
        "{html}"
    );

    // Linked to the earlier report by its tracking number.
    let before = app.case_count().await;
    let form = call_form(&html, AGAIN, &first_no);
    let (status, done) = post_call(&client, &app, &form).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let tracking_no = between(&done, "id=\"tracking-no\">", "<").to_owned();
    let secret = between(&done, "data-secret=\"", "\"").to_owned();
    assert_eq!(secret.len(), 12);
    assert!(done.contains(&first_no), "the link is named: {done}");
    assert!(done.contains("再登记一条"));
    assert_eq!(app.case_count().await, before + 1);
    let id: i64 = tracking_no
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("case number");
    let case = app.store.case(id).await.expect("case");
    assert_eq!(case.repeat_of, Some(first));
    assert_eq!(case.channel.code(), "phone");
    assert_eq!(
        case.primary_type.code(),
        "air",
        "the classifier's type stands in"
    );
    let events: Vec<String> = app
        .store
        .events(id)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(events, ["register", "merge"]);
    // The reporter can follow it with the secret read out to them.
    let tracked = app
        .http
        .get(app.url(&format!("/api/v1/track/{tracking_no}")))
        .header("x-tracking-secret", &secret)
        .send()
        .await
        .expect("track");
    assert_eq!(tracked.status(), StatusCode::OK);

    // Pressed twice: the same case answers, nothing new is saved.
    let (status, again) = post_call(&client, &app, &form).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(again.contains(&tracking_no));
    assert_eq!(app.case_count().await, before + 1);

    // Without a link, the call stands alone.
    let (_, html) = page(&client, &app, "/console/intake").await;
    let form = call_form(&html, "科技园南路有家餐馆油烟很大，排烟管正对着居民楼", "");
    let (status, done) = post_call(&client, &app, &form).await;
    assert_eq!(status, StatusCode::CREATED, "{done}");
    let number = between(&done, "id=\"tracking-no\">", "<").to_owned();
    let id: i64 = number
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("id");
    let case = app.store.case(id).await.expect("case");
    assert_eq!(case.repeat_of, None);
    assert_eq!(app.case_count().await, before + 2);

    // Bad input: each field named, what was typed kept, nothing saved.
    let (_, html) = page(&client, &app, "/console/intake").await;
    let mut form = call_form(&html, "", "GL20200101-0009999");
    form.retain(|(k, _)| *k != "reporter_phone");
    let (status, bad) = post_call(&client, &app, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("未找到该受理编号"), "{bad}");
    assert_eq!(app.case_count().await, before + 2);
    let mut form = call_form(&html, "", "");
    form.retain(|(k, _)| *k != "reporter_phone");
    let (status, bad) = post_call(&client, &app, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("请记录来电人反映的问题"), "{bad}");
    assert!(bad.contains("请填写联系电话或通信地址"), "{bad}");
    assert!(bad.contains("王先生"), "what was typed is kept");
    let mut form = call_form(&html, AGAIN, "");
    form.retain(|(k, _)| *k != "channel");
    form.push(("channel", "web".into()));
    let (status, bad) = post_call(&client, &app, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("请选择来源渠道"), "{bad}");
    let mut form = call_form(&html, AGAIN, "");
    for (k, v) in &mut form {
        if *k == "province" {
            *v = "500000".into();
        }
        if *k == "city" || *k == "county" {
            v.clear();
        }
    }
    let (status, bad) = post_call(&client, &app, &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(bad.contains("不在本单位管辖范围"), "{bad}");
    assert_eq!(app.case_count().await, before + 2);

    // An analyst registers nothing: no desk in the nav, and the page refused.
    let analyst = browser();
    console_sign_in(&analyst, &app, "shenzhen-analyst").await;
    let (_, console) = page(&analyst, &app, "/console").await;
    assert!(!console.contains("/console/intake"));
    let (status, _) = page(&analyst, &app, "/console/intake").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
