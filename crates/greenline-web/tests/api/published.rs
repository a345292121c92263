//! Results in the open (办理结果公开): the published list and page, the Atom feed, the public
//! figures, and the promise that no public output carries a reporter's identity.

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, load_beijing, spawn_app, web_report};

/// Takes a case from intake to published, as the national office (which holds web reports).
async fn publish(app: &TestApp, token: &str, id: i64, texts: &Texts) {
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({
            "action": "conclude",
            "outcome": "substantiated",
            "findings": texts.findings,
            "enforcement": [
                {"type": "ordered_to_rectify"},
                {"type": "fine", "amount_yuan": 30000},
                {"type": "other", "description": texts.other_action}
            ]
        }),
        json!({"action": "reply", "text": texts.reply}),
        json!({"action": "publish", "summary": texts.summary}),
    ] {
        let reply = app.act(token, id, command.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{command}: {}", reply.body);
    }
}

struct Texts {
    findings: &'static str,
    other_action: &'static str,
    reply: &'static str,
    summary: &'static str,
}

const PLAIN: Texts = Texts {
    findings: "现场检查发现该工地夜间施工，未落实扬尘防治措施。",
    other_action: "约谈施工单位负责人",
    reply: "经查，您反映的情况属实，已责令整改并处罚款3万元。",
    summary: "工地夜间违规施工，已责令整改并处罚款3万元。",
};

/// Registers a web report with `changes` applied, returning its id and tracking number.
async fn report(app: &TestApp, changes: Value) -> (i64, String) {
    let mut body = web_report();
    for (key, value) in changes.as_object().expect("object") {
        body[key] = value.clone();
    }
    let receipt = app.post(None, "/api/v1/cases", &body).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    (
        receipt.body["id"].as_i64().expect("id"),
        receipt.body["tracking_no"]
            .as_str()
            .expect("tracking number")
            .to_owned(),
    )
}

async fn text_of(app: &TestApp, path: &str) -> (StatusCode, String) {
    let response = app.http.get(app.url(path)).send().await.expect("request");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// Identities planted in every text a published case has; none may reach a public output.
const PLANTED: &[&str] = &[
    "王建国",
    "李秀英",
    "欧阳振华",
    "赵女士",
    "13912345678",
    "1391234",
    "139 1234 5678",
    "18600001111",
    "0755-26661234",
    "26661234",
    "440305199001011234",
    "11010519851212002X",
    "粤B12345",
    "粤BD12345",
    "B12345",
    "幸福小区5栋2单元301",
    "5栋2单元301",
    // The reporters' own names and phones, given in the form's fields.
    "陈小姐",
    "13812345678",
    "孙丽娟",
    "13700002222",
    "1370000",
];

/// The digit runs of every planted phone and identity number: not one of them may appear in a
/// public page in any spacing.
fn digit_runs() -> Vec<String> {
    [
        "13912345678",
        "18600001111",
        "075526661234",
        "13700002222",
        "13812345678",
    ]
    .iter()
    .map(|d| (*d).to_owned())
    .collect()
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[backend_test]
pub async fn no_public_page_feed_or_endpoint_carries_a_planted_identity(backend: Backend) {
    let app = spawn_app(backend).await;
    load_beijing(&app.store).await;
    let nation = app.login("nation").await;
    let (id, tracking_no) = report(
        &app,
        json!({
            "address": "幸福小区5栋2单元301",
            "description": "我叫王建国，电话139 1234 5678，身份证440305199001011234。楼下工地夜里打桩，车牌粤B12345的渣土车乱倒。",
            "reporter_name": "孙丽娟",
            "reporter_phone": "13700002222"
        }),
    )
    .await;
    publish(
        &app,
        &nation,
        id,
        &Texts {
            findings: "经回电举报人孙丽娟（13700002222）核实，联系人：李秀英，电话18600001111，粤BD12345新能源车辆参与运输。",
            other_action: "约谈负责人欧阳振华（身份证11010519851212002X）",
            reply: "孙丽娟您好：经查属实。如有疑问请联系赵女士，座机0755-26661234。",
            summary: "举报人王建国反映的工地夜间施工问题属实，已责令整改，车辆粤B12345已处罚。",
        },
    )
    .await;
    // A second, ordinary case in another county and type, so that lists have two items.
    let (other, other_no) = report(
        &app,
        json!({"region": "440304", "primary_type": "air", "other_types": [], "sub_type": null,
               "address": "福华路88号"}),
    )
    .await;
    publish(&app, &nation, other, &PLAIN).await;
    // The figures count whole months: move into the next one.
    app.advance(10);
    app.caught_up().await;

    let region = "440305";
    let paths = [
        "/".to_owned(),
        "/results".to_owned(),
        format!("/results?province=440000&city=440300&county={region}"),
        "/results?type=noise".to_owned(),
        format!("/results/{tracking_no}"),
        format!("/results/{}", tracking_no.to_lowercase()),
        format!("/results/{other_no}"),
        "/results/feed.atom".to_owned(),
        format!("/results/feed.atom?region={region}&type=noise"),
        "/figures".to_owned(),
        format!("/figures?province=440000&city=440300&county={region}"),
        "/figures?type=noise".to_owned(),
        "/api/v1/public/results".to_owned(),
        format!("/api/v1/public/results?region={region}"),
        format!("/api/v1/public/results/{tracking_no}"),
        "/api/v1/public/figures".to_owned(),
        format!("/api/v1/public/figures?region={region}&type=noise"),
        "/air/110000".to_owned(),
    ];
    let mut leaks = Vec::new();
    for path in &paths {
        let (status, body) = text_of(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        for planted in PLANTED {
            if body.contains(planted) {
                leaks.push(format!("{path}: {planted}"));
            }
        }
        let all_digits = digits(&body);
        for run in digit_runs() {
            if all_digits.contains(&run) {
                leaks.push(format!("{path}: the digits {run}"));
            }
        }
        // The description as written is never shown, masked or not.
        if body.contains("楼下工地夜里打桩") || body.contains("十一点后还在打桩") {
            leaks.push(format!("{path}: the description"));
        }
    }
    assert!(leaks.is_empty(), "{leaks:#?}");

    // The pages do show the result, masked: the test would pass on an empty page otherwise.
    let (_, page) = text_of(&app, &format!("/results/{tracking_no}")).await;
    for shown in [
        tracking_no.as_str(),
        "[姓名]",
        "[电话]",
        "[车牌]",
        "[证件号]",
        "幸福小区",
        "广东省深圳市南山区",
        "责令整改",
        "罚款30000元",
    ] {
        assert!(page.contains(shown), "{shown} missing from the page");
    }
    let list = app.get(None, "/api/v1/public/results").await;
    let numbers: Vec<&str> = list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["tracking_no"].as_str())
        .collect();
    assert_eq!(numbers, [other_no.as_str(), tracking_no.as_str()]);
    let one = app
        .get(None, &format!("/api/v1/public/results/{tracking_no}"))
        .await;
    assert_eq!(one.body["place"], "幸福小区");
    assert_eq!(one.body["region_name"], "广东省深圳市南山区");
    assert_eq!(one.body["outcome_zh"], "属实");
    assert!(one.body.get("description").is_none());
    for field in [
        "received_on",
        "accepted_on",
        "concluded_on",
        "replied_on",
        "published_on",
    ] {
        assert_eq!(one.body[field], "2026-11-27", "{field}");
    }
}

#[backend_test]
pub async fn results_are_filtered_paged_and_a_case_not_published_is_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    let (noise, noise_no) = report(&app, json!({})).await;
    publish(&app, &nation, noise, &PLAIN).await;
    app.advance(40);
    // Sessions do not last 40 days.
    let nation = app.login("nation").await;
    let (air, air_no) = report(
        &app,
        json!({"region": "440304", "primary_type": "air", "other_types": [], "sub_type": null}),
    )
    .await;
    publish(&app, &nation, air, &PLAIN).await;
    let (replied, replied_no) = report(&app, json!({})).await;
    for command in [
        json!({"action": "accept"}),
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated", "findings": "属实"}),
        json!({"action": "reply", "text": "已答复"}),
    ] {
        app.act(&nation, replied, command).await;
    }

    let numbers = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["tracking_no"].as_str().map(str::to_owned))
            .collect()
    };
    let (air_no, noise_no) = (air_no.as_str(), noise_no.as_str());
    let list = |query: &str| {
        let app = &app;
        let path = format!("/api/v1/public/results{query}");
        async move { app.get(None, &path).await }
    };
    assert_eq!(numbers(&list("").await.body), [air_no, noise_no]);
    assert_eq!(numbers(&list("?region=440304").await.body), [air_no]);
    assert_eq!(
        numbers(&list("?region=440000").await.body),
        [air_no, noise_no]
    );
    assert_eq!(numbers(&list("?type=noise").await.body), [noise_no]);
    // The first case came in November 2026, the second 40 days later.
    assert_eq!(
        numbers(&list("?from=2026-11&to=2026-11").await.body),
        [noise_no]
    );
    assert_eq!(numbers(&list("?from=2027-01").await.body), [air_no]);
    let first = list("?limit=1").await;
    assert_eq!(numbers(&first.body), [air_no]);
    let before = first.body["next_before"].as_i64().expect("a next page");
    assert_eq!(
        numbers(&list(&format!("?limit=1&before={before}")).await.body),
        [noise_no]
    );
    for (query, field) in [
        ("?region=123456", "region"),
        ("?type=smell", "type"),
        ("?from=2026-13", "from"),
        ("?from=2026-12&to=2026-11", "from"),
        ("?limit=1000", "limit"),
    ] {
        let answer = list(query).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            answer.body.to_string().contains(field),
            "{query}: {}",
            answer.body
        );
    }
    for missing in [
        replied_no.clone(),
        "GL20261127-9999999".to_owned(),
        "not-a-number".to_owned(),
        // The right id with another day is not the case's number.
        noise_no.replace("GL20261127", "GL20261128"),
    ] {
        let answer = app
            .get(None, &format!("/api/v1/public/results/{missing}"))
            .await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        let (status, page) = text_of(&app, &format!("/results/{missing}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
        assert!(page.contains("未找到"), "a Chinese page: {page}");
    }

    // The page: filters kept in the next page's link, an empty state, errors tied to fields.
    let (_, page) = text_of(&app, "/results?province=440000&city=440300&county=440304").await;
    assert!(page.contains(air_no) && !page.contains(noise_no));
    let (_, empty) = text_of(&app, "/results?type=water").await;
    assert!(empty.contains("没有符合条件的公开结果"), "{empty}");
    let (status, bad) = text_of(&app, "/results?from=2026-1x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.contains("请按“年-月”填写月份"), "{bad}");
}

#[backend_test]
pub async fn the_feed_is_valid_atom_with_stable_ids_and_answers_304_when_unchanged(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let nation = app.login("nation").await;
    let (noise, noise_no) = report(&app, json!({})).await;
    publish(&app, &nation, noise, &PLAIN).await;

    let get = |path: &str, header: Option<(reqwest::header::HeaderName, String)>| {
        let mut request = app.http.get(app.url(path));
        if let Some((name, value)) = header {
            request = request.header(name, value);
        }
        request.send()
    };
    let path = "/results/feed.atom?region=440305&type=noise";
    let response = get(path, None).await.expect("feed");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("application/atom+xml")
    );
    let etag = response.headers()[ETAG].to_str().expect("etag").to_owned();
    let modified = response.headers()[LAST_MODIFIED]
        .to_str()
        .expect("last modified")
        .to_owned();
    assert_eq!(modified, "Fri, 27 Nov 2026 02:00:00 GMT");
    let body = response.text().await.expect("body");
    let feed: atom_syndication::Feed = body.parse().expect("valid Atom");
    assert!(
        feed.id().starts_with("tag:greenline,2026:results?"),
        "{}",
        feed.id()
    );
    assert_eq!(feed.updated().to_rfc3339(), "2026-11-27T02:00:00+00:00");
    assert!(feed.title().as_str().contains("南山区"));
    assert_eq!(feed.entries().len(), 1);
    let entry = &feed.entries()[0];
    assert_eq!(entry.id(), format!("tag:greenline,2026:results/{noise_no}"));
    assert_eq!(entry.links()[0].href(), format!("/results/{noise_no}"));
    assert!(
        entry
            .summary()
            .expect("summary")
            .as_str()
            .contains("责令整改")
    );

    // Unchanged: 304 on the tag or the time, with no body.
    for header in [
        (IF_NONE_MATCH, etag.clone()),
        (IF_MODIFIED_SINCE, modified.clone()),
    ] {
        let again = get(path, Some(header.clone())).await.expect("again");
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{header:?}");
        assert_eq!(again.headers()[ETAG].to_str().expect("etag"), etag);
        assert!(again.text().await.expect("body").is_empty());
    }
    let stale = get(path, Some((IF_NONE_MATCH, "\"other\"".to_owned())))
        .await
        .expect("stale");
    assert_eq!(stale.status(), StatusCode::OK);

    // Another type: an empty but valid feed; a new publication changes the tag and the time.
    let water = get("/results/feed.atom?type=water", None)
        .await
        .expect("water")
        .text()
        .await
        .expect("body");
    let water: atom_syndication::Feed = water.parse().expect("valid Atom");
    assert!(water.entries().is_empty());
    app.advance(1);
    let nation = app.login("nation").await;
    let (second, second_no) = report(&app, json!({})).await;
    publish(&app, &nation, second, &PLAIN).await;
    let changed = get(path, Some((IF_NONE_MATCH, etag.clone())))
        .await
        .expect("changed");
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[ETAG].to_str().expect("etag"), etag);
    let feed: atom_syndication::Feed = changed.text().await.expect("body").parse().expect("atom");
    assert_eq!(
        feed.entries()[0].id(),
        format!("tag:greenline,2026:results/{second_no}")
    );
    assert_eq!(
        feed.entries()[1].id(),
        format!("tag:greenline,2026:results/{noise_no}")
    );
    let modified_since = get(path, Some((IF_MODIFIED_SINCE, modified)))
        .await
        .expect("since");
    assert_eq!(modified_since.status(), StatusCode::OK);
}

#[backend_test]
pub async fn public_figures_withhold_counts_below_three(backend: Backend) {
    let app = spawn_app(backend).await;
    // November 2026: three noise reports in Nanshan, one air report in Futian.
    for _ in 0..3 {
        report(&app, json!({})).await;
    }
    report(
        &app,
        json!({"region": "440304", "primary_type": "air", "other_types": [], "sub_type": null}),
    )
    .await;
    app.advance(10);
    app.caught_up().await;

    let figures = app.get(None, "/api/v1/public/figures?region=440300").await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    let body = &figures.body;
    let months: Vec<&str> = body["months"]
        .as_array()
        .expect("months")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(months.len(), 12);
    assert_eq!(months[11], "2026-11");
    assert_eq!(months[0], "2025-12");
    // Four received (the web report carries noise and air), none accepted yet.
    assert_eq!(body["received"][11]["count"], 4);
    assert_eq!(body["accepted"][11]["count"], 0);
    assert_eq!(body["received"][10]["count"], 0);
    let by_type = body["by_type"].as_array().expect("by type");
    let row = |code: &str| {
        by_type
            .iter()
            .find(|r| r["type"] == code)
            .unwrap_or_else(|| panic!("{code} row"))
    };
    assert_eq!(row("air")["received"][11]["count"], 4);
    assert_eq!(row("noise")["received"][11]["count"], 3);
    // Futian alone: one case, withheld.
    let futian = app.get(None, "/api/v1/public/figures?region=440304").await;
    assert_eq!(futian.body["received"][11]["count"], Value::Null);
    assert_eq!(futian.body["min_count"], 3);
    let (_, page) = text_of(&app, "/figures?province=440000&city=440300&county=440304").await;
    assert!(page.contains("&lt;3"), "withheld on the page");
    assert!(page.contains("少于 3 件的数字不公布"));
    let bad = app.get(None, "/api/v1/public/figures?type=smell").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}

#[backend_test]
pub async fn the_home_page_links_results_figures_air_and_the_hotline(backend: Backend) {
    let app = spawn_app(backend).await;
    load_beijing(&app.store).await;
    let (status, home) = text_of(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    for link in [
        "href=\"/results\"",
        "href=\"/figures\"",
        "href=\"/air/110000\"",
        "href=\"tel:12369\"",
        "href=\"tel:12345\"",
        "href=\"tel:110\"",
        "人民法院",
    ] {
        assert!(home.contains(link), "{link} missing from the home page");
    }
}
