//! Open311 GeoReport v2 at `/open311/v2/`: every endpoint in both formats, every error the
//! spec names, pagination, clients' odd paths, client keys issued and revoked by
//! administrators, a submission seen the same through Open311, the API and the portal, and a
//! scan of every output for the reporters' identities.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};

/// A raw answer: status, content type and body text.
struct Raw {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl Raw {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

async fn raw(response: reqwest::Response) -> Raw {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Raw {
        status,
        content_type,
        text: response.text().await.expect("body"),
    }
}

async fn get(app: &TestApp, path: &str) -> Raw {
    raw(app.http.get(app.url(path)).send().await.expect("request")).await
}

/// A form post to `path` (with the key, if any, in the query string: `path` carries it).
async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> Raw {
    raw(app
        .http
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .expect("request"))
    .await
}

/// Registers a client through the API as Shenzhen's administrator; its id and key.
async fn issue_key(app: &TestApp, name: &str) -> (i64, String) {
    let admin = app.login("shenzhen-admin").await;
    let issued = app
        .post(
            Some(&admin),
            "/api/v1/open311/clients",
            &json!({ "name": name }),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let key = issued.body["api_key"].as_str().expect("key").to_owned();
    assert!(key.starts_with("glo_"), "{key}");
    (issued.body["id"].as_i64().expect("id"), key)
}

/// A noise complaint at a point in Nanshan, from a named reporter who also typed their
/// neighbour's name and their phone into the description.
fn noise_form(key: &str) -> Vec<(&str, &str)> {
    vec![
        ("api_key", key),
        ("jurisdiction_id", ""),
        ("service_code", "noise"),
        ("attribute[sub_type]", "construction"),
        ("lat", "22.5412"),
        ("long", "113.9347"),
        (
            "address_string",
            "深圳市南山区科技园南区高新南七道88号3栋501",
        ),
        (
            "description",
            "工地每天夜里十一点后还在打桩，我叫周慧敏，电话13922223333，邻居刘德华也被吵醒。",
        ),
        ("first_name", "慧敏"),
        ("last_name", "周"),
        ("phone", "13922223333"),
        ("email", "huimin.zhou@example.com"),
        ("device_id", "device-1"),
    ]
}

/// Identities the submissions carry; no output may show any of them.
const PLANTED: &[&str] = &[
    "周慧敏",
    "慧敏",
    "刘德华",
    "13922223333",
    "1392222",
    "huimin.zhou",
    "example.com",
    "3栋501",
];

fn assert_clean(what: &str, text: &str) {
    for planted in PLANTED {
        assert!(!text.contains(planted), "{what} shows {planted}: {text}");
    }
    assert!(!text.contains("glo_"), "{what} shows a key: {text}");
}

/// Submits the noise complaint as JSON; its id.
async fn submit(app: &TestApp, key: &str) -> String {
    let answer = post_form(app, "/open311/v2/requests.json", &noise_form(key)).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    let body = answer.json();
    body[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[backend_test]
pub async fn discovery_services_and_definitions_answer_in_both_formats(backend: Backend) {
    let app = spawn_app(backend).await;

    let discovery = get(&app, "/open311/v2/discovery.json").await;
    assert_eq!(discovery.status, StatusCode::OK, "{}", discovery.text);
    assert!(discovery.content_type.starts_with("application/json"));
    let body = discovery.json();
    assert!(
        body["endpoints"][0]["url"]
            .as_str()
            .expect("url")
            .ends_with("/open311/v2/")
    );
    assert_eq!(
        body["endpoints"][0]["formats"],
        json!(["text/xml", "application/json"])
    );
    let discovery = get(&app, "/open311/v2/discovery.xml").await;
    assert!(discovery.content_type.starts_with("text/xml"));
    assert!(discovery.text.contains("<discovery><changeset>"));
    assert!(
        discovery
            .text
            .contains("<formats><format>text/xml</format>")
    );

    // Services: a top-level array in JSON, codes as strings; <services> in XML.
    let services = get(&app, "/open311/v2/services.json").await.json();
    let list = services.as_array().expect("array");
    assert!(list.len() >= 6, "{services}");
    let noise = list
        .iter()
        .find(|s| s["service_code"] == "noise")
        .expect("noise");
    assert_eq!(noise["service_name"], "噪声");
    assert_eq!(noise["metadata"], true);
    assert_eq!(noise["type"], "realtime");
    let xml = get(&app, "/open311/v2/services.xml").await;
    assert_eq!(xml.status, StatusCode::OK);
    assert!(
        xml.text.contains("<services><service><service_code>"),
        "{}",
        xml.text
    );
    assert!(xml.text.contains("<service_name>噪声</service_name>"));

    // A definition: the sub-type list, required; at the plural path and the singular one.
    let definition = get(&app, "/open311/v2/services/noise.json").await.json();
    assert_eq!(definition["service_code"], "noise");
    let sub = &definition["attributes"][0];
    assert_eq!(sub["code"], "sub_type");
    assert_eq!(sub["datatype"], "singlevaluelist");
    assert_eq!(sub["required"], true);
    assert!(
        sub["values"]
            .as_array()
            .expect("values")
            .iter()
            .any(|v| v["key"] == "construction" && v["name"] == "建筑施工噪声")
    );
    let singular = get(&app, "/open311/v2/service/noise.xml").await;
    assert_eq!(singular.status, StatusCode::OK, "{}", singular.text);
    assert!(
        singular
            .text
            .contains("<service_definition><service_code>noise</service_code>")
    );
    assert!(singular.text.contains("<values><value><key>"));

    // Clients' odd paths: a doubled slash, a trailing one, no extension (XML).
    for path in [
        "/open311/v2//services.json",
        "/open311/v2/services.json/",
        "/open311/v2/services.json?jurisdiction_id=",
    ] {
        let answer = get(&app, path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert!(
            answer.content_type.starts_with("application/json"),
            "{path}"
        );
    }
    let bare = get(&app, "/open311/v2/services").await;
    assert!(
        bare.content_type.starts_with("text/xml"),
        "{}",
        bare.content_type
    );

    // Unknown service, unknown jurisdiction, unknown resource: the spec's 404 in its format.
    let unknown = get(&app, "/open311/v2/services/graffiti.json").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()[0]["code"], 404);
    let unknown = get(&app, "/open311/v2/services/graffiti.xml").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(
        unknown
            .text
            .contains("<errors><error><code>404</code><description>service not found"),
        "{}",
        unknown.text
    );
    let wrong = get(&app, "/open311/v2/services.json?jurisdiction_id=nyc.gov").await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert_eq!(wrong.json()[0]["description"], "jurisdiction not found");
    let nothing = get(&app, "/open311/v2/nothing.json").await;
    assert_eq!(nothing.status, StatusCode::NOT_FOUND);
    let wrong_method = raw(app
        .http
        .delete(app.url("/open311/v2/services.json"))
        .send()
        .await
        .expect("request"))
    .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong_method.json()[0]["code"], 405);
}

#[backend_test]
pub async fn a_configured_jurisdiction_is_accepted_and_no_other(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.open311_jurisdiction_id = Some("shenzhen.greenline".to_owned());
    })
    .await;
    for (query, status) in [
        ("", StatusCode::OK),
        ("?jurisdiction_id=", StatusCode::OK),
        ("?jurisdiction_id=shenzhen.greenline", StatusCode::OK),
        ("?jurisdiction_id=beijing.greenline", StatusCode::NOT_FOUND),
    ] {
        let answer = get(&app, &format!("/open311/v2/requests.json{query}")).await;
        assert_eq!(answer.status, status, "{query}: {}", answer.text);
    }
}

#[backend_test]
pub async fn a_submitted_request_is_the_same_case_through_open311_the_api_and_the_portal(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (_, key) = issue_key(&app, "城市通").await;

    // The key in the query string, the answer in XML.
    let mut form = noise_form("");
    form.retain(|(k, _)| *k != "api_key");
    let answer = post_form(
        &app,
        &format!("/open311/v2/requests.xml?api_key={key}"),
        &form,
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.text);
    assert!(
        answer
            .text
            .contains("<service_requests><request><service_request_id>GL"),
        "{}",
        answer.text
    );
    // The key in the form, the answer in JSON.
    let id = submit(&app, &key).await;
    assert!(id.starts_with("GL"), "{id}");

    // Open311 reads it back: open, the type, the unit, the due date, no reporter.
    let read = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let request = &read.json()[0];
    assert_eq!(request["service_request_id"], id.as_str());
    assert_eq!(request["status"], "open");
    assert_eq!(request["service_code"], "noise");
    assert_eq!(request["description"], "噪声：建筑施工噪声");
    assert_eq!(request["agency_responsible"], "生态环境部信访办");
    assert_eq!(request["status_notes"], Value::Null);
    assert_eq!(request["lat"], 22.541);
    assert_eq!(request["long"], 113.935);
    assert!(
        request["address"]
            .as_str()
            .expect("address")
            .starts_with("广东省深圳市南山区"),
        "{request}"
    );
    assert!(
        request["expected_datetime"]
            .as_str()
            .expect("due")
            .ends_with("+08:00")
    );
    assert!(
        request["requested_datetime"]
            .as_str()
            .expect("time")
            .starts_with("2026-11-27T10:00:00+08:00")
    );
    let token = get(&app, &format!("/open311/v2/tokens/{id}.json"))
        .await
        .json();
    assert_eq!(token, json!([{"service_request_id": id, "token": id}]));

    // Staff see a case on channel open311 with the reporter's own fields, the identity kept.
    let number = id.rsplit('-').next().expect("number");
    let case_id: i64 = number.parse().expect("case id");
    let nation = app.login("nation").await;
    let case = app
        .get(Some(&nation), &format!("/api/v1/cases/{case_id}"))
        .await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert_eq!(case.body["channel"], "open311");
    assert_eq!(case.body["sub_type"], "construction");
    assert_eq!(case.body["region"], "440305");
    let reporter = app
        .get(Some(&nation), &format!("/api/v1/cases/{case_id}/reporter"))
        .await;
    assert_eq!(reporter.body["name"], "周慧敏", "{}", reporter.body);
    assert_eq!(reporter.body["phone"], "13922223333");
    assert_eq!(reporter.body["email"], "huimin.zhou@example.com");
    let events = app
        .get(Some(&nation), &format!("/api/v1/cases/{case_id}/events"))
        .await;
    assert!(
        events.body.to_string().contains("open311:"),
        "the intake names the client: {}",
        events.body
    );

    // Staff take it to a published result.
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "夜间施工属实"}),
        json!({"action": "reply", "text": "经查属实，已责令工地停止夜间施工。"}),
        json!({"action": "publish", "summary": "科技园南区工地夜间施工，已责令停止。"}),
    ] {
        let done = app.act(&nation, case_id, command.clone()).await;
        assert_eq!(done.status, StatusCode::OK, "{command}: {}", done.body);
    }

    // Open311: closed, the reply as status notes, the summary as description, the history.
    let read = get(
        &app,
        &format!("/open311/v2/requests/{id}.json?extensions=true"),
    )
    .await
    .json();
    let request = &read[0];
    assert_eq!(request["status"], "closed");
    assert_eq!(
        request["status_notes"],
        "经查属实，已责令工地停止夜间施工。"
    );
    assert_eq!(
        request["description"],
        "科技园南区工地夜间施工，已责令停止。"
    );
    let notes: Vec<&str> = request["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n["description"].as_str().expect("note"))
        .collect();
    assert_eq!(notes[0], "已登记");
    assert!(notes.contains(&"受理"), "{notes:?}");
    assert!(notes.contains(&"公开结果"), "{notes:?}");
    assert_eq!(request["extended_attributes"]["sub_type"], "construction");
    let xml = get(
        &app,
        &format!("/open311/v2/requests/{id}.xml?extensions=true"),
    )
    .await;
    assert!(
        xml.text
            .contains("<status_notes>经查属实，已责令工地停止夜间施工。</status_notes>"),
        "{}",
        xml.text
    );
    assert!(xml.text.contains("<notes><note><datetime>"));

    // The API says the same.
    let case = app
        .get(Some(&nation), &format!("/api/v1/cases/{case_id}"))
        .await;
    assert_eq!(case.body["stage"], "published");
    assert_eq!(case.body["reply"], "经查属实，已责令工地停止夜间施工。");
    // And so does the portal's published result.
    let portal = app
        .http
        .get(app.url(&format!("/results/{id}")))
        .send()
        .await
        .expect("page");
    assert_eq!(portal.status(), StatusCode::OK);
    let page = portal.text().await.expect("page");
    assert!(page.contains("科技园南区工地夜间施工，已责令停止。"));
    assert!(page.contains("经查属实，已责令工地停止夜间施工。"));
    let public = app.get(None, &format!("/api/v1/public/results/{id}")).await;
    assert_eq!(public.body["tracking_no"], id.as_str());
}

/// What a refused submission is, its form, and the status and words of its answer.
type Refusal = (
    &'static str,
    Vec<(String, String)>,
    StatusCode,
    &'static str,
);

#[backend_test]
pub async fn every_refusal_is_the_specs_error_and_registers_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (revoked_id, revoked) = issue_key(&app, "旧客户端").await;
    let admin = app.login("shenzhen-admin").await;
    let done = app
        .post(
            Some(&admin),
            &format!("/api/v1/open311/clients/{revoked_id}/revoke"),
            &json!({}),
        )
        .await;
    assert_eq!(done.status, StatusCode::NO_CONTENT, "{}", done.body);
    let listed = app.get(Some(&admin), "/api/v1/open311/clients").await;
    assert!(listed.body[0]["revoked_at"].is_string(), "{}", listed.body);
    assert!(
        !listed.body.to_string().contains(&revoked),
        "{}",
        listed.body
    );
    let (_, key) = issue_key(&app, "城市通").await;
    let long = "噪".repeat(4001);

    let with = |changes: &[(&'static str, &str)], drop: &[&str]| -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = noise_form(&key)
            .into_iter()
            .filter(|(k, _)| !drop.contains(k))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for (k, v) in changes {
            form.retain(|(name, _)| name != k);
            form.push(((*k).to_owned(), (*v).to_owned()));
        }
        form
    };
    let cases: Vec<Refusal> = vec![
        (
            "no key",
            with(&[], &["api_key"]),
            StatusCode::FORBIDDEN,
            "api_key is required",
        ),
        (
            "bad key",
            with(&[("api_key", "glo_0000")], &[]),
            StatusCode::FORBIDDEN,
            "api_key is not valid",
        ),
        (
            "revoked key",
            with(&[("api_key", revoked.as_str())], &[]),
            StatusCode::FORBIDDEN,
            "api_key has been revoked",
        ),
        (
            "unknown service",
            with(&[("service_code", "graffiti")], &[]),
            StatusCode::NOT_FOUND,
            "service not found",
        ),
        (
            "no service",
            with(&[], &["service_code"]),
            StatusCode::BAD_REQUEST,
            "service_code",
        ),
        (
            "a point outside China",
            with(&[("lat", "40.7128"), ("long", "-74.0060")], &[]),
            StatusCode::BAD_REQUEST,
            "lat: the point (WGS84 lat, long) is not in China",
        ),
        (
            "a latitude that is no number",
            with(&[("lat", "north")], &[]),
            StatusCode::BAD_REQUEST,
            "lat: not a number",
        ),
        (
            "an address that names no region",
            with(&[("address_string", "月亮背面环形山")], &["lat", "long"]),
            StatusCode::BAD_REQUEST,
            "address_string: the location is not in any region we serve",
        ),
        (
            "no location at all",
            with(&[], &["lat", "long", "address_string"]),
            StatusCode::BAD_REQUEST,
            "a location is required",
        ),
        (
            "required attribute missing",
            with(&[], &["attribute[sub_type]"]),
            StatusCode::BAD_REQUEST,
            "required attribute sub_type is missing",
        ),
        (
            "an attribute value of another service",
            with(&[("attribute[sub_type]", "odor")], &[]),
            StatusCode::BAD_REQUEST,
            "attribute[sub_type]",
        ),
        (
            "description too long",
            with(&[("description", long.as_str())], &[]),
            StatusCode::BAD_REQUEST,
            "description: longer than 4000 characters",
        ),
        (
            "HTML in the description",
            with(&[("description", "夜间施工<script>alert(1)</script>")], &[]),
            StatusCode::BAD_REQUEST,
            "description: HTML is not accepted",
        ),
        (
            "a wrong jurisdiction",
            with(&[("jurisdiction_id", "nyc.gov")], &[]),
            StatusCode::NOT_FOUND,
            "jurisdiction not found",
        ),
    ];
    for (what, form, status, words) in &cases {
        for format in ["json", "xml"] {
            let answer = raw(app
                .http
                .post(app.url(&format!("/open311/v2/requests.{format}")))
                .form(form)
                .send()
                .await
                .expect("request"))
            .await;
            assert_eq!(answer.status, *status, "{what} ({format}): {}", answer.text);
            assert!(
                answer.text.contains(words),
                "{what} ({format}): {}",
                answer.text
            );
            let code = status.as_u16().to_string();
            if format == "json" {
                let errors = answer.json();
                assert_eq!(errors[0]["code"].to_string(), code, "{what}");
            } else {
                assert!(
                    answer
                        .text
                        .contains(&format!("<errors><error><code>{code}</code><description>")),
                    "{what}: {}",
                    answer.text
                );
            }
            assert_clean(what, &answer.text);
        }
    }
    // Several faults at once: one error each.
    let answer = post_form(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "noise"),
            ("description", "<b>噪音</b>"),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(
        answer.json().as_array().expect("errors").len() >= 3,
        "{}",
        answer.text
    );
    assert_eq!(app.case_count().await, 0, "a refusal registers nothing");
}

#[backend_test]
pub async fn a_keys_requests_are_limited_per_minute(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.open311_requests_per_minute = 2).await;
    let (_, key) = issue_key(&app, "城市通").await;
    let (_, other) = issue_key(&app, "环保志愿者").await;
    submit(&app, &key).await;
    submit(&app, &key).await;
    let third = post_form(&app, "/open311/v2/requests.json", &noise_form(&key)).await;
    assert_eq!(
        third.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        third.text
    );
    assert_eq!(third.json()[0]["code"], 429);
    // Another key has its own limit.
    submit(&app, &other).await;
    assert_eq!(app.case_count().await, 3);
}

#[backend_test]
pub async fn requests_are_filtered_and_paged(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, key) = issue_key(&app, "城市通").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(submit(&app, &key).await);
        app.clock.advance(chrono::Duration::minutes(1));
    }
    // An air complaint placed by its address alone.
    let air = post_form(
        &app,
        "/open311/v2/requests.json",
        &[
            ("api_key", key.as_str()),
            ("service_code", "air"),
            ("attribute[sub_type]", "cooking_fumes"),
            ("address_string", "深圳市福田区华强北路"),
            ("description", "餐馆油烟直排"),
        ],
    )
    .await;
    assert_eq!(air.status, StatusCode::CREATED, "{}", air.text);
    let air_id = air.json()[0]["service_request_id"]
        .as_str()
        .expect("id")
        .to_owned();

    let all = get(&app, "/open311/v2/requests.json").await.json();
    assert_eq!(all.as_array().expect("list").len(), 6);
    // Newest first.
    assert_eq!(all[0]["service_request_id"], air_id.as_str());
    assert_eq!(all[0]["address"], "广东省深圳市福田区华强北路");

    // Pages of two: every request once.
    let mut seen = Vec::new();
    for page in 1..=4 {
        let answer = get(
            &app,
            &format!("/open311/v2/requests.json?page_size=2&page={page}"),
        )
        .await
        .json();
        let items = answer.as_array().expect("page");
        assert_eq!(items.len(), if page <= 3 { 2 } else { 0 }, "page {page}");
        seen.extend(items.iter().map(|r| r["service_request_id"].clone()));
    }
    seen.sort_by_key(|v| v.to_string());
    seen.dedup();
    assert_eq!(seen.len(), 6);
    let xml = get(&app, "/open311/v2/requests.xml?page_size=1").await;
    assert_eq!(xml.text.matches("<request>").count(), 1, "{}", xml.text);

    // Filters.
    let noise = get(&app, "/open311/v2/requests.json?service_code=noise")
        .await
        .json();
    assert_eq!(noise.as_array().expect("list").len(), 5);
    let both = get(
        &app,
        "/open311/v2/requests.json?service_code=noise,air&status=open",
    )
    .await
    .json();
    assert_eq!(both.as_array().expect("list").len(), 6);
    let closed = get(&app, "/open311/v2/requests.json?status=closed")
        .await
        .json();
    assert_eq!(closed, json!([]));
    let named = get(
        &app,
        &format!(
            "/open311/v2/requests.json?service_request_id={},{},GL20000101-9999999&service_code=air",
            ids[0], ids[1]
        ),
    )
    .await
    .json();
    assert_eq!(
        named.as_array().expect("list").len(),
        2,
        "the ids override the rest"
    );
    let later = get(
        &app,
        "/open311/v2/requests.json?start_date=2026-11-27T10:02:00%2B08:00&end_date=2026-11-28",
    )
    .await
    .json();
    assert_eq!(later.as_array().expect("list").len(), 4, "{later}");
    let before = get(&app, "/open311/v2/requests.json?end_date=2026-11-26")
        .await
        .json();
    assert_eq!(before, json!([]));

    // Parameters at fault.
    for (query, words) in [
        (
            "start_date=2026-01-01&end_date=2026-11-27",
            "at most 90 days",
        ),
        ("start_date=yesterday", "start_date"),
        ("status=pending", "status"),
        ("page=0", "page"),
        ("page_size=1001", "page_size"),
    ] {
        let answer = get(&app, &format!("/open311/v2/requests.json?{query}")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(answer.text.contains(words), "{query}: {}", answer.text);
    }
    let unknown = get(&app, "/open311/v2/requests.json?service_code=graffiti").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let missing = get(&app, "/open311/v2/requests/GL20261127-0999999.json").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let missing = get(&app, "/open311/v2/tokens/whatever.xml").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text.contains("token not found"), "{}", missing.text);
}

#[backend_test]
pub async fn no_open311_output_carries_a_reporters_identity(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, key) = issue_key(&app, "城市通").await;
    let id = submit(&app, &key).await;
    let xml = post_form(&app, "/open311/v2/requests.xml", &noise_form(&key)).await;
    assert_clean("a submission's answer", &xml.text);
    // A web report from the same reporter, so that every kind of case is listed.
    let web = app.public_report().await;
    assert_eq!(web.status, StatusCode::CREATED, "{}", web.body);
    // A reply and a summary that name the reporter and their neighbour.
    let case_id: i64 = id.rsplit('-').next().expect("n").parse().expect("id");
    let nation = app.login("nation").await;
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "周慧敏反映属实"}),
        json!({"action": "reply", "text": "周慧敏您好：经查属实（联系电话13922223333），已责令停工。"}),
        json!({"action": "publish", "summary": "工地夜间施工，举报人周慧敏。"}),
    ] {
        let done = app.act(&nation, case_id, command.clone()).await;
        assert_eq!(done.status, StatusCode::OK, "{command}: {}", done.body);
    }
    let mut paths = vec![
        "/open311/v2/discovery.json".to_owned(),
        "/open311/v2/discovery.xml".to_owned(),
        "/open311/v2/services.json".to_owned(),
        "/open311/v2/services.xml".to_owned(),
        "/open311/v2/services/noise.json".to_owned(),
        "/open311/v2/service/noise.xml".to_owned(),
        "/open311/v2/requests.json".to_owned(),
        "/open311/v2/requests.xml".to_owned(),
        "/open311/v2/requests.json?extensions=true".to_owned(),
        "/open311/v2/requests.xml?extensions=true".to_owned(),
        "/open311/v2/requests.json?status=closed&extensions=true".to_owned(),
    ];
    for format in ["json", "xml"] {
        paths.push(format!(
            "/open311/v2/requests/{id}.{format}?extensions=true"
        ));
        paths.push(format!("/open311/v2/tokens/{id}.{format}"));
    }
    for path in &paths {
        let answer = get(&app, path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
        assert_clean(path, &answer.text);
    }
    let listed = get(&app, "/open311/v2/requests.json?extensions=true")
        .await
        .json();
    assert_eq!(listed.as_array().expect("list").len(), 3, "{listed}");
    assert!(
        listed.to_string().contains("[姓名]"),
        "the reply is masked: {listed}"
    );
}

#[backend_test]
pub async fn administrators_issue_and_revoke_keys_on_the_console(backend: Backend) {
    use crate::pages::{browser, console_sign_in, page, post_form};
    let app = spawn_app(backend).await;
    let admin = browser();
    let token = console_sign_in(&admin, &app, "shenzhen-admin").await;
    let (status, html) = page(&admin, &app, "/console/admin/interfaces").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("尚未登记第三方应用"), "{html}");

    // A client: its key is shown once, and it submits.
    let (status, _, html) = post_form(
        &admin,
        &app,
        "/console/admin/interfaces/clients",
        &[("csrf_token", &token), ("name", "城市通")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let start = html.find("glo_").expect("the key is shown");
    let key: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    submit(&app, &key).await;
    let (_, again) = page(&admin, &app, "/console/admin/interfaces").await;
    assert!(!again.contains(&key), "the key is not shown again");

    // A centre with a callback: key and secret shown once; a bad code is named.
    let (status, _, html) = post_form(
        &admin,
        &app,
        "/console/admin/interfaces/centres",
        &[
            ("csrf_token", &token),
            ("code", "深圳"),
            ("name", "深圳市12345热线"),
            ("region", "440300"),
            ("callback_url", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("中心代码须为"), "{html}");
    let (status, _, html) = post_form(
        &admin,
        &app,
        "/console/admin/interfaces/centres",
        &[
            ("csrf_token", &token),
            ("code", "sz12345"),
            ("name", "深圳市12345热线"),
            ("region", "440300"),
            ("callback_url", "https://12345.example/greenline"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("glc_") && html.contains("结果推送签名密钥"),
        "{html}"
    );

    // Revoked on the page: the client is refused.
    let listed = app
        .get(
            Some(&app.login("shenzhen-admin").await),
            "/api/v1/open311/clients",
        )
        .await;
    let id = listed.body[0]["id"].as_i64().expect("id");
    let (status, _, html) = post_form(
        &admin,
        &app,
        &format!("/console/admin/interfaces/clients/{id}/revoke"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("密钥已吊销"), "{html}");
    let refused = post_form_raw(&app, &key).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // Other roles may not see the page.
    let handler = browser();
    console_sign_in(&handler, &app, "shenzhen-handler").await;
    let (status, _) = page(&handler, &app, "/console/admin/interfaces").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn post_form_raw(app: &TestApp, key: &str) -> Raw {
    post_form(app, "/open311/v2/requests.json", &noise_form(key)).await
}

#[backend_test]
pub async fn a_published_requests_media_url_is_its_photos_public_copy(backend: Backend) {
    use crate::evidence::{photo_with_gps, post_report};
    use crate::pages::{browser, csrf_token, good_report, page};
    let app = spawn_app(backend).await;
    let client = browser();
    let (_, form) = page(&client, &app, "/report").await;
    let token = csrf_token(&form);
    let (status, receipt) = post_report(
        &client,
        &app,
        &good_report(&token),
        vec![("IMG_0001.JPG", photo_with_gps())],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let case = app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("search")
        .remove(0);
    let id = case.tracking_no().to_string();
    // Not published yet: no media.
    let read = get(&app, &format!("/open311/v2/requests/{id}.json"))
        .await
        .json();
    assert_eq!(read[0]["media_url"], Value::Null, "{read}");

    let nation = app.login("nation").await;
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "属实"}),
        json!({"action": "reply", "text": "已责令整改。"}),
        json!({"action": "publish", "summary": "已责令整改。"}),
    ] {
        let done = app.act(&nation, case.id, command.clone()).await;
        assert_eq!(done.status, StatusCode::OK, "{command}: {}", done.body);
    }
    let read = get(&app, &format!("/open311/v2/requests/{id}.json"))
        .await
        .json();
    let url = read[0]["media_url"].as_str().expect("media_url").to_owned();
    assert!(
        url.starts_with(&format!("{}/results/{id}/photos/", app.base)),
        "{url}"
    );
    let photo = app.http.get(&url).send().await.expect("photo");
    assert_eq!(photo.status(), StatusCode::OK);
    let bytes = photo.bytes().await.expect("bytes");
    for needle in [&b"Exif"[..], b"GPSLatitude", b"xmpmeta"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "the public copy carries no metadata"
        );
    }
}
