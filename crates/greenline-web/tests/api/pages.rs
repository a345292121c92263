//! The pages over plain HTTP: Chinese, fit for a phone, forms that go through intake, errors per
//! field, CSRF tokens required, the console closed to the signed-out.

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app};

/// A browser-like client: keeps cookies, does not follow redirects (so tests can see them).
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// The CSRF token in a page's forms.
pub(crate) fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().expect("token").to_owned()
}

pub(crate) async fn page(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.expect("request");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

pub(crate) async fn post_form(
    client: &reqwest::Client,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let response = client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .expect("request");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.text().await.expect("body"))
}

/// Signs `username` in to the console with a fresh client; returns its CSRF token.
pub(crate) async fn console_sign_in(
    client: &reqwest::Client,
    app: &TestApp,
    username: &str,
) -> String {
    let (_, form) = page(client, app, "/login").await;
    let token = csrf_token(&form);
    let (status, _, html) = post_form(
        client,
        app,
        "/login",
        &[
            ("csrf_token", &token),
            ("username", username),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    token
}

pub(crate) fn good_report(token: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf_token", token),
        ("primary_type", "noise"),
        ("province", "440000"),
        ("city", "440300"),
        ("county", "440305"),
        ("address", "科技园南区高新南七道工地"),
        (
            "description",
            "工地每天夜里十一点后还在打桩，严重影响休息。",
        ),
        ("reporter_name", "陈小姐"),
        ("reporter_phone", "13812345678"),
    ]
}

/// The text between `id="{id}">` and the next `<`.
pub(crate) fn element_text(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker).expect(id) + marker.len();
    html[start..]
        .split('<')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[backend_test]
pub async fn every_page_is_chinese_and_fits_a_phone(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    for path in ["/", "/report", "/track", "/login", "/disclosure"] {
        let response = client.get(app.url(path)).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let csp = response
            .headers()
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        let html = response.text().await.expect("body");
        assert!(html.contains(r#"<html lang="zh-CN">"#), "{path}");
        assert!(
            html.contains(
                r#"<meta name="viewport" content="width=device-width, initial-scale=1">"#
            ),
            "{path}"
        );
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{path} links out"
        );
    }
    let css = client
        .get(app.url("/static/site.css"))
        .send()
        .await
        .expect("css");
    assert_eq!(css.status(), StatusCode::OK);
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    let (status, cities) = page(&client, &app, "/regions/440000").await;
    assert_eq!(status, StatusCode::OK);
    assert!(cities.contains("深圳市"), "{cities}");
}

#[backend_test]
pub async fn an_unknown_page_answers_in_chinese_and_an_unknown_api_route_in_json(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    for path in ["/no-such-page", "/results/x/y/z", "/console/nothing-here"] {
        let response = client.get(app.url(path)).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/html"),
            "{path}"
        );
        // The page's own policy, so its style sheet loads.
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap_or_default()
                .contains("style-src 'self'"),
            "{path}"
        );
        let html = response.text().await.expect("body");
        assert!(html.contains(r#"<html lang="zh-CN">"#), "{path}");
        assert!(html.contains("未找到"), "{path}: {html}");
        assert!(!html.contains("not found"), "{path}: {html}");
    }
    let response = client
        .get(app.url("/api/v1/no-such-route"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .contains("json")
    );
}

#[backend_test]
pub async fn the_report_form_registers_a_case_through_intake(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let (_, form) = page(&client, &app, "/report").await;
    let token = csrf_token(&form);
    let (status, _, receipt) = post_form(&client, &app, "/report", &good_report(&token)).await;
    assert_eq!(status, StatusCode::CREATED, "{receipt}");
    let tracking_no = element_text(&receipt, "tracking-no");
    let secret = element_text(&receipt, "secret");
    assert!(tracking_no.starts_with("GL"), "{tracking_no}");
    assert_eq!(secret.len(), 12, "{secret}");
    assert_eq!(app.case_count().await, 1);
    let case = app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("search")
        .remove(0);
    assert_eq!(case.channel.code(), "web");
    assert_eq!(case.region.to_string(), "440305");

    let (status, _, tracked) = post_form(
        &client,
        &app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &tracking_no),
            ("secret", &secret.to_lowercase()),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tracked}");
    assert_eq!(element_text(&tracked, "status"), "待受理");
    for private in ["陈小姐", "13812345678", "staff-name", &secret] {
        assert!(
            !tracked.contains(private),
            "the tracking page shows {private}"
        );
    }
    let (status, _, wrong) = post_form(
        &client,
        &app,
        "/track",
        &[
            ("csrf_token", &token),
            ("tracking_no", &tracking_no),
            ("secret", "WRONGSECRET2"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(wrong.contains("未查到该举报"));
}

#[backend_test]
pub async fn a_bad_report_shows_each_fields_error_and_keeps_what_was_typed(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let (_, form) = page(&client, &app, "/report").await;
    let token = csrf_token(&form);
    let (status, _, html) = post_form(
        &client,
        &app,
        "/report",
        &[
            ("csrf_token", &token),
            ("primary_type", ""),
            ("province", "440000"),
            ("address", "宝安大道<旁>"),
            ("description", "   "),
            ("reporter_phone", "12ab"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for (id, message) in [
        ("primary_type-error", "请选择问题类型"),
        ("description-error", "请描述您要举报的问题"),
        (
            "reporter_phone-error",
            "请填写正确的电话号码（5 至 20 位数字）",
        ),
    ] {
        assert_eq!(element_text(&html, id), message, "{id}");
    }
    assert!(html.contains(r#"aria-invalid="true""#));
    // What was typed comes back, escaped; the chosen province stays chosen, its cities listed.
    assert!(html.contains("宝安大道&#60;旁&#62;") || html.contains("宝安大道&lt;旁&gt;"));
    assert!(html.contains(r#"value="12ab""#));
    assert!(html.contains(r#"<option value="440000" selected>"#));
    assert!(html.contains(r#"<option value="440300">深圳市</option>"#));
    assert_eq!(app.case_count().await, 0, "a bad form creates nothing");
}

#[backend_test]
pub async fn a_form_post_without_its_csrf_token_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let client = browser();
    let no_cookie = post_form(&client, &app, "/report", &good_report("")).await;
    assert_eq!(no_cookie.0, StatusCode::FORBIDDEN);
    assert!(no_cookie.2.contains("页面已过期"));
    let (_, form) = page(&client, &app, "/report").await;
    let token = csrf_token(&form);
    let missing = post_form(&client, &app, "/report", &good_report("")).await;
    assert_eq!(missing.0, StatusCode::FORBIDDEN);
    let wrong = "0".repeat(token.len());
    let forged = post_form(&client, &app, "/report", &good_report(&wrong)).await;
    assert_eq!(forged.0, StatusCode::FORBIDDEN);
    let login = post_form(
        &client,
        &app,
        "/login",
        &[("username", "nation"), ("password", PASSWORD)],
    )
    .await;
    assert_eq!(login.0, StatusCode::FORBIDDEN);

    // A form larger than the site takes is too large (413), said in Chinese, not "bad".
    let huge = "噪".repeat(240_000);
    let mut oversized = good_report(&token);
    oversized.retain(|(name, _)| *name != "description");
    oversized.push(("description", &huge));
    let (status, _, html) = post_form(&client, &app, "/report", &oversized).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(html.contains("内容过长"), "{html}");
    assert_eq!(app.case_count().await, 0);
}

#[backend_test]
pub async fn the_console_sends_the_signed_out_to_login_and_acts_like_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let client = browser();
    for path in ["/console", &format!("/console/cases/{id}")] {
        let response = client.get(app.url(path)).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()["location"], "/login");
    }

    let (_, form) = page(&client, &app, "/login").await;
    let token = csrf_token(&form);
    let (status, _, html) = post_form(
        &client,
        &app,
        "/login",
        &[
            ("csrf_token", &token),
            ("username", "nation"),
            ("password", "wrong"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(html.contains("用户名或密码不正确"));
    let (status, headers, _) = post_form(
        &client,
        &app,
        "/login",
        &[
            ("csrf_token", &token),
            ("username", "nation"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/console");
    let cookie = headers["set-cookie"].to_str().expect("cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));

    let (status, list) = page(&client, &app, "/console").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(&format!("/console/cases/{id}")));
    let (status, detail) = page(&client, &app, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains(r#"data-action="accept""#));
    assert!(
        !detail.contains("13812345678"),
        "the reporter is read only on purpose"
    );

    let (status, headers, _) = post_form(
        &client,
        &app,
        &format!("/console/cases/{id}/actions"),
        &[("csrf_token", &token), ("action", "accept"), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/console/cases/{id}").as_str());
    assert_eq!(
        app.store.case(id).await.expect("case").stage.code(),
        "accepted"
    );
    // An action the stage no longer allows changes nothing and says why.
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("/console/cases/{id}/actions"),
        &[("csrf_token", &token), ("action", "accept")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("不允许此操作"));

    let (status, headers, _) = post_form(&client, &app, "/logout", &[("csrf_token", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/login");
    let response = client
        .get(app.url("/console"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[backend_test]
pub async fn the_console_reviews_types_and_merges_repeats_like_the_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.public_report().await.body["id"].as_i64().expect("id");
    let second = app.public_report().await.body["id"].as_i64().expect("id");
    let client = browser();
    let token = console_sign_in(&client, &app, "nation").await;

    let (status, detail) = page(&client, &app, &format!("/console/cases/{second}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("分类建议"), "the suggestion is shown");
    assert!(detail.contains("未审核"));
    assert!(detail.contains(r#"data-action="review""#));
    assert!(detail.contains(r#"data-action="merge""#));

    // Correct the type: the further type (air) is kept, the sub-type dropped.
    let (status, headers, _) = post_form(
        &client,
        &app,
        &format!("/console/cases/{second}/types"),
        &[
            ("csrf_token", &token),
            ("primary_type", "air"),
            ("other_types", "air"),
            ("sub_type", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers["location"],
        format!("/console/cases/{second}").as_str()
    );
    let case = app.store.case(second).await.expect("case");
    assert_eq!(case.primary_type.code(), "air");
    assert_eq!(case.types.len(), 1);
    let (_, detail) = page(&client, &app, &format!("/console/cases/{second}")).await;
    assert!(
        detail.contains("已更正") && detail.contains("更正分类"),
        "{detail}"
    );

    // A bad case number is named; a good one merges.
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("/console/cases/{second}/merge"),
        &[("csrf_token", &token), ("into", "abc"), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("归并"), "{html}");
    // A tracking number as staff read it out; one whose date is not its case's is no case's.
    let first_no = app
        .store
        .case(first)
        .await
        .expect("case")
        .tracking_no()
        .to_string();
    let wrong_day = format!("GL19990101-{}", &first_no[11..]);
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("/console/cases/{second}/merge"),
        &[("csrf_token", &token), ("into", &wrong_day), ("note", "")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("/console/cases/{second}/merge"),
        &[
            ("csrf_token", &token),
            ("into", &first_no),
            ("note", "同一工地"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert_eq!(
        app.store.case(second).await.expect("case").repeat_of,
        Some(first)
    );
    let (_, detail) = page(&client, &app, &format!("/console/cases/{second}")).await;
    assert!(detail.contains("归并为重复举报") && detail.contains("同一污染源"));
    assert!(
        detail.contains("· 举报人") && !detail.contains("· public"),
        "the public's registration is named in Chinese"
    );
}

#[backend_test]
pub async fn a_form_field_that_is_not_utf8_is_refused_by_name_and_nothing_is_stored(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let client = browser();
    let form = client
        .get(app.url("/report"))
        .send()
        .await
        .expect("form")
        .text()
        .await
        .expect("html");
    let token = csrf_token(&form);
    // "工地" with its last byte broken, as a client with the wrong encoding would send it.
    let body = format!(
        "csrf_token={token}&primary_type=noise&province=440000&city=440300&county=440305\
         &address=%E7%A7%91&description=%E5%B7%A5%E5%9C&reporter_phone=13812345678"
    );
    let before = app.case_count().await;
    let response = client
        .post(app.url("/report"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = response.text().await.expect("html");
    assert!(
        html.contains("问题描述") && html.contains("UTF-8"),
        "{html}"
    );
    assert!(!html.contains('\u{fffd}'), "{html}");
    assert_eq!(app.case_count().await, before, "nothing was stored");

    // The API's query strings likewise.
    let token = app.login("nation").await;
    let search = app.get(Some(&token), "/api/v1/search?q=%E5%B7").await;
    assert_eq!(search.status, StatusCode::BAD_REQUEST, "{}", search.body);
    assert_eq!(search.body["errors"][0]["field"], "q");
}

#[backend_test]
pub async fn a_handler_concludes_with_enforcement_measures_and_opens_the_reporter_on_record(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let id = app.public_report().await.body["id"].as_i64().expect("id");
    let nation = app.login("nation").await;
    for step in [json!({"action": "accept"}), json!({"action": "handle"})] {
        assert_eq!(app.act(&nation, id, step).await.status, StatusCode::OK);
    }
    let client = browser();
    let token = console_sign_in(&client, &app, "nation").await;
    let (_, html) = page(&client, &app, &format!("/console/cases/{id}")).await;
    assert!(
        html.contains("责令整改") && html.contains("罚款金额（元）"),
        "{html}"
    );
    assert!(
        !html.contains("13812345678"),
        "the contact stays closed until asked for"
    );

    // A fine in words is named; a good conclusion keeps every measure.
    let conclude = |fine: &'static str| {
        let (client, app, token) = (&client, &app, token.clone());
        async move {
            post_form(
                client,
                app,
                &format!("/console/cases/{id}/actions"),
                &[
                    ("csrf_token", token.as_str()),
                    ("action", "conclude"),
                    ("outcome", "substantiated"),
                    ("findings", "现场核实，夜间施工属实"),
                    ("enforce_rectify", "1"),
                    ("fine_yuan", fine),
                ],
            )
            .await
        }
    };
    let (status, _, html) = conclude("五千").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("罚款金额（元）"),
        "the field is named: {html}"
    );
    let (status, _, _) = conclude("5000").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, html) = page(&client, &app, &format!("/console/cases/{id}")).await;
    assert!(html.contains("责令整改、罚款5000元"), "{html}");
    assert!(html.contains("属实"));

    // The reporter's contact, one recorded click away.
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("/console/cases/{id}/reporter"),
        &[("csrf_token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("tel:13812345678") && html.contains("本次查看已记录"));
    let events = app.store.events(id).await.expect("events");
    assert_eq!(
        events.last().map(|e| e.action.as_str()),
        Some("view_reporter")
    );
    // An analyst is not offered it.
    let analyst = browser();
    console_sign_in(&analyst, &app, "shenzhen-analyst").await;
    let (_, html) = page(&analyst, &app, &format!("/console/cases/{id}")).await;
    assert!(!html.contains("data-action=\"reporter\""));
}
