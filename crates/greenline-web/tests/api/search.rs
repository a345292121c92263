//! `/api/v1/search`: full-text search within the caller's jurisdiction, kept current as cases
//! arrive and change.

use std::time::Instant;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TestApp, phone_report, spawn_app, web_report};

fn ids(reply: &Reply) -> Vec<i64> {
    let mut ids: Vec<i64> = reply.body["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("hits in {}", reply.body))
        .iter()
        .map(|hit| hit["case"]["id"].as_i64().expect("case id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// Searches once the index holds every change so far (it is built and refreshed in the
/// background), and checks that `done` holds for the answer.
async fn search_until(
    app: &TestApp,
    token: &str,
    query: &str,
    done: impl Fn(&Reply) -> bool,
) -> Reply {
    app.caught_up().await;
    let reply = app
        .get(Some(token), &format!("/api/v1/search?{query}"))
        .await;
    assert!(
        reply.status == StatusCode::OK && done(&reply),
        "search {query}: {} {}",
        reply.status,
        reply.body
    );
    reply
}

/// Keys in a case by phone as the national operator; returns its id.
async fn register(app: &TestApp, token: &str, region: &str, address: &str, text: &str) -> i64 {
    let mut report = phone_report();
    report["region"] = json!(region);
    report["address"] = json!(address);
    report["description"] = json!(text);
    let reply = app.post(Some(token), "/api/v1/cases", &report).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_i64().expect("id")
}

#[backend_test]
pub async fn a_county_never_finds_a_neighbouring_countys_cases(backend: Backend) {
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    let nanshan_case = register(
        &app,
        &nation,
        "440305",
        "科技园南区",
        "工地夜里打桩，噪音扰民。",
    )
    .await;
    let futian_case = register(
        &app,
        &nation,
        "440304",
        "车公庙",
        "KTV夜里唱歌噪音扰民，还有油烟。",
    )
    .await;
    let beijing_case = register(&app, &nation, "110108", "中关村", "空调外机噪音很大。").await;
    let all = search_until(&app, &nation, "q=噪音", |r| r.body["total"] == 3).await;
    assert_eq!(ids(&all), [nanshan_case, futian_case, beijing_case]);

    let nanshan = app.login("nanshan").await;
    let own = app.get(Some(&nanshan), "/api/v1/search?q=噪音").await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(
        (own.body["total"].clone(), ids(&own)),
        (json!(1), vec![nanshan_case])
    );
    for query in [
        "q=KTV",
        "q=油烟",
        "q=噪音&region=440304",
        "q=KTV&region=440304",
        "q=噪音&region=110000",
    ] {
        let reply = app
            .get(Some(&nanshan), &format!("/api/v1/search?{query}"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
        assert_eq!(reply.body["total"], 0, "{query}: {}", reply.body);
        assert_eq!(ids(&reply), Vec::<i64>::new(), "{query}");
    }

    let shenzhen = app.login("shenzhen-analyst").await;
    let city = app.get(Some(&shenzhen), "/api/v1/search?q=噪音").await;
    assert_eq!(ids(&city), [nanshan_case, futian_case]);
    let narrowed = app
        .get(Some(&shenzhen), "/api/v1/search?q=噪音&region=440304")
        .await;
    assert_eq!(ids(&narrowed), [futian_case]);
    let hit = &narrowed.body["hits"][0];
    assert!(
        hit["snippet_html"]
            .as_str()
            .expect("snippet")
            .contains("<mark>噪音</mark>"),
        "{hit}"
    );
    assert_eq!(hit["address_html"], "车公庙");
    assert_eq!(hit["case"]["region"], "440304");

    // The reporter stays out of search, for every role.
    let body = all.body.to_string();
    let reporter = phone_report();
    for private in [&reporter["reporter_name"], &reporter["reporter_phone"]] {
        let private = private.as_str().expect("text");
        assert!(!body.contains(private), "{private} in {body}");
    }
}

#[backend_test]
pub async fn a_new_or_changed_case_is_found_within_moments(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    // Ready once it answers at all.
    search_until(&app, &nanshan, "q=噪音", |_| true).await;

    let mut report = web_report();
    report["description"] = json!("鑫达化工厂夜里偷排废气，臭味刺鼻。");
    let submitted = Instant::now();
    let reply = app.post(None, "/api/v1/cases", &report).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.body["id"].as_i64().expect("id");
    let found = search_until(&app, &nanshan, "q=鑫达 化工", |r| r.body["total"] == 1).await;
    assert_eq!(ids(&found), [id]);
    println!(
        "found {:.0} ms after intake",
        submitted.elapsed().as_secs_f64() * 1000.0
    );
    let snippet = found.body["hits"][0]["snippet_html"]
        .as_str()
        .expect("snippet");
    // Two words found side by side are one mark; 化工 is marked inside 化工厂.
    assert!(snippet.starts_with("<mark>鑫达化工</mark>厂"), "{snippet}");

    // Web reports are held at the national platform first.
    let nation = app.login("nation").await;
    let accepted = app.act(&nation, id, json!({"action": "accept"})).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    let staged = search_until(&app, &nanshan, "q=臭味&stage=accepted", |r| {
        r.body["total"] == 1
    })
    .await;
    assert_eq!(ids(&staged), [id]);
    assert_eq!(staged.body["hits"][0]["case"]["stage"], "accepted");
    let registered = app
        .get(Some(&nanshan), "/api/v1/search?q=臭味&stage=registered")
        .await;
    assert_eq!(registered.body["total"], 0, "{}", registered.body);
}

#[backend_test]
pub async fn bad_search_parameters_get_a_problem_naming_the_parameter(backend: Backend) {
    let app = spawn_app(backend).await;
    let shenzhen = app.login("shenzhen").await;
    search_until(&app, &shenzhen, "q=噪音", |_| true).await;
    for (query, field) in [
        ("", "q"),
        ("q=%EF%BC%8C%E3%80%82", "q"),
        ("q=噪音&limit=0", "limit"),
        ("q=噪音&limit=101", "limit"),
        ("q=噪音&offset=-1", "offset"),
        ("q=噪音&region=449999", "region"),
        ("q=噪音&type=smell", "type"),
        ("q=噪音&primary_type=smell", "primary_type"),
        ("q=噪音&stage=lost", "stage"),
        ("q=噪音&kind=rumour", "kind"),
        ("q=噪音&channel=pigeon", "channel"),
        ("q=噪音&from=2026-13-01", "from"),
        ("q=噪音&to=tomorrow", "to"),
        ("q=噪音&sort=newest", "sort"),
    ] {
        let reply = app
            .get(Some(&shenzhen), &format!("/api/v1/search?{query}"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{query}: {}",
            reply.body
        );
        assert_eq!(reply.headers["content-type"], "application/problem+json");
        assert_eq!(
            reply.body["errors"][0]["field"], field,
            "{query}: {}",
            reply.body
        );
    }
    let long = format!("/api/v1/search?q={}", "噪".repeat(201));
    let reply = app.get(Some(&shenzhen), &long).await;
    assert_eq!(reply.body["errors"][0]["field"], "q", "{}", reply.body);
    let anonymous = app.get(None, "/api/v1/search?q=噪音").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let page: Value = app
        .get(
            Some(&shenzhen),
            "/api/v1/search?q=噪音&limit=5&offset=5&from=2026-01-01&to=2026-12-31",
        )
        .await
        .body;
    assert_eq!(
        (page["limit"].clone(), page["offset"].clone()),
        (json!(5), json!(5)),
        "{page}"
    );
}

#[backend_test]
pub async fn the_console_searches_the_texts_and_shows_the_passage(backend: Backend) {
    use crate::pages::{browser, console_sign_in, page};
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    let id = register(
        &app,
        &nation,
        "440305",
        "科技园",
        "搅拌站夜里运料，<粉尘>很大。",
    )
    .await;
    register(&app, &nation, "440304", "车公庙", "另一处搅拌站的粉尘。").await;
    search_until(&app, &nation, "q=粉尘", |r| r.body["total"] == 2).await;

    let client = browser();
    console_sign_in(&client, &app, "nanshan").await;
    let (status, html) = page(&client, &app, "/console?q=%E7%B2%89%E5%B0%98&stage=").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("共找到 1 件"), "{html}");
    assert!(html.contains(&format!("/console/cases/{id}")), "{html}");
    assert!(html.contains("&#60;<mark>粉尘</mark>&#62;"), "{html}");
    assert!(html.contains(r#"value="粉尘""#), "{html}");
    let (status, html) = page(&client, &app, "/console?q=%EF%BC%8C").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("检索词或筛选条件有误"), "{html}");
}

#[backend_test]
pub async fn an_index_on_disk_catches_up_after_a_restart_without_rebuilding(backend: Backend) {
    use greenline_app::{App, Settings};
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    register(&app, &nation, "440305", "科技园", "工地夜里打桩。").await;
    register(&app, &nation, "440304", "车公庙", "工地粉尘很大。").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let node = || {
        App::new(
            app.store.clone(),
            app.clock.clone(),
            greenline_domain::DeadlineTable::statutory(),
            Settings {
                search_dir: Some(dir.path().join("search")),
                ..Settings::default()
            },
        )
    };
    let holds = |node: &App| node.projections.search.index().map(|index| index.len());

    let first = node();
    first.start();
    first.caught_up().await.expect("caught up");
    assert_eq!(holds(&first), Some(2));
    assert_eq!(
        first.projections.search.loaded(),
        2,
        "a new index is built from the store"
    );
    first.projections.stop().await;
    drop(first);

    // A case arrives while the index is down; the next start reads only the events since.
    register(&app, &nation, "440305", "科技园", "搅拌站工地噪音。").await;
    let second = node();
    second.start();
    second.caught_up().await.expect("caught up");
    assert_eq!(holds(&second), Some(3));
    assert_eq!(
        second.projections.search.loaded(),
        0,
        "caught up from its position, not rebuilt"
    );
    let index = second.projections.search.index().expect("ready");
    let found = index
        .search(&greenline_search::SearchQuery::new("工地"))
        .expect("search");
    assert_eq!(found.total, 3);
}
