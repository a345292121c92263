//! What operators rely on: the security headers on every answer, the client's address behind a
//! proxy, the probes and the metrics.

use std::net::SocketAddr;
use std::sync::Arc;

use greenline_app::{App, ManualClock, MetricsToken, Settings, TrustedProxies};
use greenline_domain::DeadlineTable;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::json;

use crate::helpers::{Backend, TestApp, read, spawn_app, spawn_app_with, start_time};

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// The headers every answer that is not a page carries.
fn assert_strict_headers(what: &str, headers: &HeaderMap) {
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(
        header(headers, "content-security-policy"),
        API_POLICY,
        "{what}"
    );
    assert!(headers.get("strict-transport-security").is_none(), "{what}");
}

#[backend_test]
async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let ok = app.get(None, "/api/v1/units").await;
    assert_strict_headers("an API answer", &ok.headers);
    let unauthorised = app.get(None, "/api/v1/cases/1").await;
    assert_eq!(unauthorised.status, StatusCode::UNAUTHORIZED);
    assert_strict_headers("a 401 problem", &unauthorised.headers);
    let missing = app.get(None, "/api/v1/no/such/route").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_strict_headers("the API's 404 fallback", &missing.headers);
    let wrong_method = read(
        app.http
            .delete(app.url("/api/v1/health"))
            .send()
            .await
            .expect("delete"),
    )
    .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_strict_headers("a 405", &wrong_method.headers);
    // The server answers 413 before the body has arrived: the connection is closed after it,
    // not handed back to the pool for the next request.
    let too_large = read(
        app.http
            .post(app.url("/api/v1/cases"))
            .header("connection", "close")
            .json(&json!({ "description": "噪".repeat(1_000_000) }))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(too_large.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_strict_headers("a 413", &too_large.headers);
    let openapi = app.get(None, "/api/v1/openapi.json").await;
    assert_strict_headers("the OpenAPI document", &openapi.headers);
    let alive = app.get(None, "/healthz").await;
    assert_strict_headers("a probe", &alive.headers);

    // Pages keep their own policy, which lets them load the site's styles and scripts.
    let page = app.get(None, "/").await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = header(&page.headers, "content-security-policy");
    assert!(policy.contains("script-src 'self'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert_eq!(header(&page.headers, "x-content-type-options"), "nosniff");
    assert_eq!(header(&page.headers, "x-frame-options"), "DENY");
    assert_eq!(header(&page.headers, "referrer-policy"), "same-origin");
    let missing_page = app.get(None, "/console/cases/not-a-number").await;
    assert_eq!(header(&missing_page.headers, "x-frame-options"), "DENY");
}

#[backend_test]
async fn the_bulletin_as_html_may_use_its_inline_styles_but_no_script(backend: Backend) {
    let app = spawn_app(backend).await;
    app.caught_up().await;
    let token = app.login("shenzhen").await;
    let bulletin = app.get(Some(&token), "/api/v1/reports/2026-10").await;
    assert_eq!(bulletin.status, StatusCode::OK, "{}", bulletin.body);
    assert!(header(&bulletin.headers, "content-type").starts_with("text/html"));
    let policy = header(&bulletin.headers, "content-security-policy");
    assert!(policy.starts_with("default-src 'none'"), "{policy}");
    assert!(policy.contains("style-src 'unsafe-inline'"), "{policy}");
    assert!(!policy.contains("script-src"), "{policy}");
    assert_eq!(
        header(&bulletin.headers, "x-content-type-options"),
        "nosniff"
    );
}

#[backend_test]
async fn strict_transport_security_is_sent_only_when_served_over_https(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.https = true).await;
    for path in ["/api/v1/units", "/", "/no/such/route"] {
        let reply = app.get(None, path).await;
        assert_eq!(
            header(&reply.headers, "strict-transport-security"),
            "max-age=31536000",
            "{path}"
        );
    }
}

#[backend_test]
async fn cookies_are_secure_unless_turned_off(backend: Backend) {
    async fn session_cookie(app: &TestApp) -> String {
        let reply = app
            .http
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({ "username": "shenzhen", "password": crate::helpers::PASSWORD }))
            .send()
            .await
            .expect("login");
        assert_eq!(reply.status(), StatusCode::OK);
        header(reply.headers(), "set-cookie").to_owned()
    }
    let secure = spawn_app(backend).await;
    assert!(session_cookie(&secure).await.contains("; Secure"));
    let intranet = spawn_app_with(backend, |s| s.secure_cookies = false).await;
    assert!(!session_cookie(&intranet).await.contains("Secure"));
}

/// Tracking requests of a client that names itself through `X-Forwarded-For`, until refused.
async fn tracking_allowed(app: &TestApp, forwarded_for: &str, tries: usize) -> usize {
    let mut allowed = 0;
    for _ in 0..tries {
        let reply = app
            .http
            .get(app.url("/api/v1/track/GL20261127-0000001"))
            .header("x-tracking-secret", "WRONGSECRET")
            .header("x-forwarded-for", forwarded_for)
            .send()
            .await
            .expect("track");
        if reply.status() != StatusCode::TOO_MANY_REQUESTS {
            allowed += 1;
        }
    }
    allowed
}

#[backend_test]
async fn behind_a_trusted_proxy_each_client_has_its_own_allowance(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.public_requests_per_minute = 2;
        s.trusted_proxies = TrustedProxies::parse(["127.0.0.1"]).expect("proxies");
    })
    .await;
    assert_eq!(tracking_allowed(&app, "203.0.113.5", 3).await, 2);
    // Another client behind the same proxy is not held back by the first.
    assert_eq!(tracking_allowed(&app, "203.0.113.6", 2).await, 2);
    // A client cannot escape by prepending a forged address: the proxy's entry is the last.
    assert_eq!(
        tracking_allowed(&app, "198.51.100.1, 203.0.113.5", 1).await,
        0
    );
}

#[backend_test]
async fn without_trusted_proxies_a_forwarded_address_is_ignored(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.public_requests_per_minute = 2).await;
    assert_eq!(tracking_allowed(&app, "203.0.113.5", 2).await, 2);
    assert_eq!(tracking_allowed(&app, "203.0.113.6", 1).await, 0);
}

#[backend_test]
async fn ipv6_clients_of_one_64_network_share_an_allowance(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.public_requests_per_minute = 2;
        s.trusted_proxies = TrustedProxies::parse(["127.0.0.1"]).expect("proxies");
    })
    .await;
    assert_eq!(tracking_allowed(&app, "2001:db8:1:2::1", 1).await, 1);
    assert_eq!(tracking_allowed(&app, "2001:db8:1:2:ffff::9", 2).await, 1);
    assert_eq!(tracking_allowed(&app, "2001:db8:1:3::1", 2).await, 2);
}

#[backend_test]
async fn healthz_answers_while_serving_and_readyz_once_the_views_caught_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let alive = app.get(None, "/healthz").await;
    assert_eq!(alive.status, StatusCode::OK);
    app.caught_up().await;
    let ready = app.get(None, "/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body["ready"], json!(true));

    // A node whose views have not been started is alive but not ready, and says why.
    let idle = App::new(
        app.store.clone(),
        Arc::new(ManualClock::new(start_time())),
        DeadlineTable::statutory(),
        Settings::default(),
    );
    let base = serve(idle).await;
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let alive = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("get");
    assert_eq!(alive.status(), StatusCode::OK);
    let not_ready = read(
        http.get(format!("{base}/readyz"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_ready.body["ready"], json!(false));
    let views = not_ready.body["views"].as_array().expect("views");
    assert_eq!(views.len(), 3, "{}", not_ready.body);
    assert!(views.iter().all(|v| v["ready"] == json!(false)));
    assert!(views.iter().any(|v| v["name"] == json!("statistics")));
    // The API's own health answer is still there.
    let health = http
        .get(format!("{base}/api/v1/health"))
        .send()
        .await
        .expect("get");
    assert_eq!(health.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// Serves `core` on a free loopback port; its base URL.
async fn serve(core: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address: SocketAddr = listener.local_addr().expect("address");
    tokio::spawn(greenline_web::serve(listener, core, std::future::pending()));
    format!("http://{address}")
}

async fn scrape(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let reply = request.send().await.expect("scrape");
    let status = reply.status();
    (status, reply.text().await.expect("body"))
}

#[backend_test]
async fn metrics_count_requests_by_route_template_and_show_the_cases(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.public_report().await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = app.login("shenzhen").await;
    let id = created.body["id"].as_i64().expect("id");
    let seen = app.get(Some(&token), &format!("/api/v1/cases/{id}")).await;
    assert_eq!(seen.status, StatusCode::OK);
    app.get(None, "/api/v1/units?secret=987654321").await;
    app.get(None, "/no/such/route/5550123").await;
    greenline_app::count_audit_event("test_scrape");
    app.caught_up().await;

    let (status, text) = scrape(app.http.get(app.url("/metrics"))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let has = |needle: &str| text.lines().any(|l| l.contains(needle));
    assert!(
        has(
            r#"greenline_http_requests_total{method="GET",route="/api/v1/cases/{id}",status="200"}"#
        ),
        "{text}"
    );
    assert!(has(r#"route="/api/v1/units""#), "{text}");
    assert!(has(r#"route="unmatched",status="404""#), "{text}");
    assert!(
        has("greenline_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        has(r#"greenline_audit_events_total{action="test_scrape"}"#),
        "{text}"
    );
    assert!(has(r#"greenline_intake_total{channel="web"}"#), "{text}");
    assert!(has("greenline_cases_by_stage{stage="), "{text}");
    assert!(has("greenline_cases_overdue "), "{text}");
    assert!(
        has(r#"greenline_view_lag_events{view="statistics"} 0"#),
        "{text}"
    );
    // Neither the URL's query nor the ids in its path become labels.
    assert!(!text.contains("987654321"), "{text}");
    assert!(!text.contains("5550123"), "{text}");
    assert!(!text.contains(&format!("/api/v1/cases/{id}\"")), "{text}");
}

#[backend_test]
async fn metrics_are_only_for_this_machine_unless_a_token_is_set(backend: Backend) {
    let app = spawn_app(backend).await;
    // Relayed by a proxy (on this machine or not): refused.
    let (status, _) = scrape(
        app.http
            .get(app.url("/metrics"))
            .header("x-forwarded-for", "203.0.113.5"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let guarded = spawn_app_with(backend, |s| {
        s.metrics_token = Some(MetricsToken("scrape-me-please".to_owned()));
    })
    .await;
    let (status, _) = scrape(guarded.http.get(guarded.url("/metrics"))).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the token is needed even from loopback"
    );
    let (status, _) = scrape(
        guarded
            .http
            .get(guarded.url("/metrics"))
            .bearer_auth("wrong"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, text) = scrape(
        guarded
            .http
            .get(guarded.url("/metrics"))
            .header("x-forwarded-for", "203.0.113.5")
            .bearer_auth("scrape-me-please"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("greenline_view_ready"), "{text}");
}

#[backend_test]
async fn a_request_id_is_made_up_or_kept_and_echoed(backend: Backend) {
    let app = spawn_app(backend).await;
    let made_up = app.get(None, "/healthz").await;
    assert_eq!(header(&made_up.headers, "x-request-id").len(), 36);
    let kept = app
        .http
        .get(app.url("/no/such/route"))
        .header("x-request-id", "lb-7f3a")
        .send()
        .await
        .expect("get");
    assert_eq!(header(kept.headers(), "x-request-id"), "lb-7f3a");
}

#[backend_test]
async fn an_overloaded_node_sheds_requests_with_retry_after_and_recovers_by_itself(
    backend: Backend,
) {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(backend, |s| s.max_requests_in_flight = 1).await;
    let before = app.case_count().await;

    // A report whose body is still arriving holds the one place.
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let body = serde_json::to_vec(&crate::helpers::web_report()).expect("body");
    let head = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    );
    slow.write_all(head.as_bytes()).await.expect("head");
    slow.write_all(&body[..10]).await.expect("part of the body");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let shed = app
        .post(None, "/api/v1/cases", &crate::helpers::web_report())
        .await;
    assert_eq!(
        shed.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        shed.body
    );
    assert_eq!(shed.headers["retry-after"], "2");
    assert!(
        shed.body["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("/overloaded"))
    );
    let page = app.http.get(app.url("/report")).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(page.headers()["retry-after"], "2");
    assert!(page.text().await.expect("html").contains("系统繁忙"));
    let probe = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("probe");
    assert_eq!(probe.status(), StatusCode::OK, "probes are never shed");
    assert_eq!(app.case_count().await, before, "a shed report did nothing");

    // The slow report finishes; the node takes requests again by itself.
    slow.write_all(&body[10..]).await.expect("rest of the body");
    let mut answer = vec![0u8; 12];
    tokio::io::AsyncReadExt::read_exact(&mut slow, &mut answer)
        .await
        .expect("answer");
    assert_eq!(&answer, b"HTTP/1.1 201");
    drop(slow);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let after = app
        .post(None, "/api/v1/cases", &crate::helpers::web_report())
        .await;
    assert_eq!(after.status, StatusCode::CREATED, "{}", after.body);
    assert_eq!(app.case_count().await, before + 2);
}

#[backend_test]
async fn a_wait_for_the_views_says_whether_they_caught_up(backend: Backend) {
    let app = spawn_app(backend).await;
    let reply = app
        .post(None, "/api/v1/cases", &crate::helpers::web_report())
        .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let waited = app.get(None, "/api/v1/health?wait=true").await;
    assert_eq!(waited.status, StatusCode::OK, "{}", waited.body);
    assert_eq!(waited.body["caught_up"], true);
    let plain = app.get(None, "/api/v1/health").await;
    assert!(plain.body.get("caught_up").is_none(), "only a wait says it");
}
