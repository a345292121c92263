//! The work queue (待办): what each role's unit must act on, under tabs with counts, the least
//! time left first.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, phone_report, spawn_app};

/// The queue of `token` under `query`; asserts it answered.
async fn queue(app: &TestApp, token: &str, query: &str) -> Value {
    let reply = app
        .get(Some(token), &format!("/api/v1/queue?{query}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    reply.body
}

/// Each tab's count, in the tabs' order.
fn counts(queue: &Value) -> Vec<(String, u64)> {
    queue["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| {
            (
                c["tab"].as_str().expect("tab").to_owned(),
                c["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn count(queue: &Value, tab: &str) -> u64 {
    counts(queue)
        .into_iter()
        .find(|(t, _)| t == tab)
        .map(|(_, n)| n)
        .expect("the tab is counted")
}

fn ids(queue: &Value) -> Vec<i64> {
    queue["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

/// A phone report keyed in by Nanshan's operator: held by Nanshan, in Nanshan.
async fn nanshan_case(app: &TestApp, nanshan: &str) -> i64 {
    let receipt = app
        .post(Some(nanshan), "/api/v1/cases", &phone_report())
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    receipt.body["id"].as_i64().expect("id")
}

#[backend_test]
pub async fn a_case_moves_through_the_tabs_as_it_is_accepted_handled_and_replied(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let id = nanshan_case(&app, &nanshan).await;

    let first = queue(&app, &nanshan, "").await;
    assert_eq!(first["tab"], "to_accept", "the first tab by default");
    let labels: Vec<&str> = first["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| c["label"].as_str().expect("label"))
        .collect();
    assert_eq!(
        labels,
        ["待受理", "办理中", "即将超期", "已超期", "待审核", "待回访"]
    );
    assert_eq!(
        counts(&first),
        [
            ("to_accept".to_owned(), 1),
            ("in_progress".to_owned(), 0),
            ("due_soon".to_owned(), 0),
            ("overdue".to_owned(), 0),
            ("to_review".to_owned(), 0),
            ("to_call_back".to_owned(), 0),
        ]
    );
    assert_eq!(ids(&first), [id]);
    let row = &first["items"][0];
    assert_eq!(row["days_left"], 15, "{row}");
    assert_eq!(row["deadline"]["last_day"], "2026-12-12");
    assert_eq!(row["overdue"], false);
    assert!(
        row["actions"]
            .as_array()
            .expect("actions")
            .contains(&json!("accept")),
        "{row}"
    );

    for (command, tab) in [
        (json!({"action": "accept"}), "in_progress"),
        (json!({"action": "handle"}), "in_progress"),
        (
            json!({"action": "conclude", "outcome": "substantiated", "findings": "夜间施工属实"}),
            "in_progress",
        ),
        (
            json!({"action": "reply", "text": "已责令停止夜间施工"}),
            "to_call_back",
        ),
    ] {
        let reply = app.act(&nanshan, id, command.clone()).await;
        assert_eq!(reply.status, StatusCode::OK, "{command}: {}", reply.body);
        let now = queue(&app, &nanshan, &format!("tab={tab}")).await;
        assert_eq!(count(&now, tab), 1, "{command}");
        assert_eq!(count(&now, "to_accept"), 0, "{command}");
        assert_eq!(ids(&now), [id], "{command}");
    }

    let reply = app.act(&nanshan, id, json!({"action": "close"})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let closed = queue(&app, &nanshan, "tab=to_call_back").await;
    assert!(
        counts(&closed).iter().all(|(_, n)| *n == 0),
        "a closed case needs nothing: {closed}"
    );
}

#[backend_test]
pub async fn the_most_overdue_case_comes_first(backend: Backend) {
    let app = spawn_app(backend).await;
    // A session ends when idle: sign in afresh after each jump of the clock.
    let oldest = nanshan_case(&app, &app.login("nanshan").await).await;
    app.advance(1);
    let older = nanshan_case(&app, &app.login("nanshan").await).await;
    app.advance(19);
    let nanshan = app.login("nanshan").await;
    let fresh = nanshan_case(&app, &nanshan).await;

    let waiting = queue(&app, &nanshan, "tab=to_accept").await;
    assert_eq!(ids(&waiting), [oldest, older, fresh]);
    assert_eq!(waiting["items"][0]["days_left"], -5);
    assert_eq!(waiting["items"][0]["overdue"], true);
    assert_eq!(waiting["items"][2]["overdue"], false);

    let overdue = queue(&app, &nanshan, "tab=overdue").await;
    assert_eq!(count(&overdue, "overdue"), 2);
    assert_eq!(ids(&overdue), [oldest, older]);

    // Thirteen days on, the fresh case's acceptance limit ends within three days.
    app.advance(13);
    let nanshan = app.login("nanshan").await;
    let soon = queue(&app, &nanshan, "tab=due_soon").await;
    assert_eq!(ids(&soon), [fresh], "{soon}");
    assert_eq!(soon["items"][0]["days_left"], 2);

    let page = queue(&app, &nanshan, "tab=overdue&limit=1").await;
    assert_eq!(ids(&page), [oldest]);
    assert_eq!(page["next_offset"], 1);
    let next = queue(&app, &nanshan, "tab=overdue&limit=1&offset=1").await;
    assert_eq!(ids(&next), [older]);
    assert_eq!(next["next_offset"], Value::Null);
}

#[backend_test]
pub async fn only_cases_the_caller_can_act_on_are_listed(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let held_by_nanshan = nanshan_case(&app, &nanshan).await;
    // A public report about Nanshan lands at the national platform: Nanshan sees it but cannot
    // act on it until it is routed down.
    let receipt = app.public_report().await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let held_above = receipt.body["id"].as_i64().expect("id");
    let visible = app
        .get(Some(&nanshan), &format!("/api/v1/cases/{held_above}"))
        .await;
    assert_eq!(visible.status, StatusCode::OK);

    let mine = queue(&app, &nanshan, "").await;
    assert_eq!(ids(&mine), [held_by_nanshan]);

    // Shenzhen's supervisors act on what their county holds.
    let shenzhen = app.login("shenzhen").await;
    assert_eq!(ids(&queue(&app, &shenzhen, "").await), [held_by_nanshan]);
    let nation = app.login("nation").await;
    assert_eq!(
        ids(&queue(&app, &nation, "").await),
        [held_by_nanshan, held_above]
    );

    // An analyst of Shenzhen sees the case but takes no steps: an empty queue, not a refusal.
    let analyst = app.login("shenzhen-analyst").await;
    let none = queue(&app, &analyst, "").await;
    assert!(counts(&none).iter().all(|(_, n)| *n == 0), "{none}");

    // The neighbouring county never lists it, nor may it ask about Nanshan.
    let futian = app.login("futian").await;
    let theirs = queue(&app, &futian, "").await;
    assert!(counts(&theirs).iter().all(|(_, n)| *n == 0), "{theirs}");
    let outside = app.get(Some(&futian), "/api/v1/queue?region=440305").await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN, "{}", outside.body);

    let auditor = app.login("guangdong-auditor").await;
    let refused = app.get(Some(&auditor), "/api/v1/queue").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[backend_test]
pub async fn the_queue_filters_by_type_region_and_channel(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let id = nanshan_case(&app, &nanshan).await;
    for (query, expected) in [
        ("type=noise", vec![id]),
        ("type=air", vec![id]),
        ("type=water", vec![]),
        ("channel=phone", vec![id]),
        ("channel=web", vec![]),
        ("region=440305", vec![id]),
    ] {
        let answer = queue(&app, &nanshan, query).await;
        assert_eq!(ids(&answer), expected, "{query}");
        assert_eq!(
            count(&answer, "to_accept"),
            expected.len() as u64,
            "{query}"
        );
    }
    let bad = app.get(Some(&nanshan), "/api/v1/queue?tab=someday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.to_string().contains("tab"), "{}", bad.body);
}

#[backend_test]
pub async fn the_queue_narrows_to_a_stage_and_to_words_in_the_texts(backend: Backend) {
    let app = spawn_app(backend).await;
    let nanshan = app.login("nanshan").await;
    let building_site = nanshan_case(&app, &nanshan).await;
    let mut smell = phone_report();
    smell["primary_type"] = json!("air");
    smell["other_types"] = json!([]);
    smell["sub_type"] = json!(null);
    smell["address"] = json!("南山区后海大道海鲜酒楼");
    smell["description"] = json!("酒楼厨房的油烟直接排到居民楼里，晚上味道很大。");
    let receipt = app.post(Some(&nanshan), "/api/v1/cases", &smell).await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let restaurant = receipt.body["id"].as_i64().expect("id");
    let accepted = app
        .act(&nanshan, building_site, json!({"action": "accept"}))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    app.caught_up().await;

    for (query, expected) in [
        ("tab=in_progress&stage=accepted", vec![building_site]),
        ("tab=in_progress&stage=handling", vec![]),
        ("tab=to_accept&q=油烟", vec![restaurant]),
        ("tab=to_accept&q=打桩", vec![]),
        ("tab=in_progress&q=打桩", vec![building_site]),
        ("tab=to_accept&q=海鲜酒楼", vec![restaurant]),
    ] {
        let answer = queue(&app, &nanshan, query).await;
        assert_eq!(ids(&answer), expected, "{query}");
        assert_eq!(answer["text_hits_capped"], json!(false), "{query}");
    }
    // The counts follow the words too.
    let answer = queue(&app, &nanshan, "q=油烟").await;
    assert_eq!(count(&answer, "to_accept"), 1);
    assert_eq!(count(&answer, "in_progress"), 0);
    let bad = app.get(Some(&nanshan), "/api/v1/queue?stage=someday").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.to_string().contains("stage"), "{}", bad.body);
}

#[backend_test]
pub async fn the_queue_page_lists_and_counts_the_cases_in_chinese(backend: Backend) {
    use crate::pages::{browser, console_sign_in, page};
    let app = spawn_app(backend).await;
    let overdue = nanshan_case(&app, &app.login("nanshan").await).await;
    app.advance(17);
    let nanshan = app.login("nanshan").await;
    let fresh = nanshan_case(&app, &nanshan).await;
    let accepted = nanshan_case(&app, &nanshan).await;
    let reply = app
        .act(&nanshan, accepted, json!({"action": "accept"}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let client = browser();
    console_sign_in(&client, &app, "nanshan").await;
    let (status, console) = page(&client, &app, "/console").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        console.contains(r#"<a href="/console/queue">待办</a>"#),
        "the nav opens the queue first: {console}"
    );

    let (status, html) = page(&client, &app, "/console/queue").await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1>待办</h1>"), "{html}");
    assert!(
        html.contains(r#"aria-current="page">待受理 <span class="count">2</span>"#),
        "the current tab and its count: {html}"
    );
    assert!(
        html.contains(r#"办理中 <span class="count">1</span>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"已超期 <span class="count">1</span>"#),
        "{html}"
    );
    let first = html
        .find(&format!("/console/cases/{overdue}\""))
        .expect("the overdue case is listed");
    let second = html
        .find(&format!("/console/cases/{fresh}\""))
        .expect("the fresh case is listed");
    assert!(first < second, "the overdue case comes first");
    assert!(
        html.contains(r#"<span class="overdue">超期 2 天</span>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<span class="due">剩 15 天</span>"#),
        "{html}"
    );
    assert!(
        !html.contains(&format!("/console/cases/{accepted}\"")),
        "an accepted case is under 办理中"
    );

    let (status, html) = page(&client, &app, "/console/queue?tab=in_progress").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/console/cases/{accepted}\"")),
        "{html}"
    );
    assert!(html.contains("剩 60 天"), "{html}");

    let (status, html) = page(&client, &app, "/console/queue?type=water").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("暂无待办案件"), "{html}");
    let (status, html) = page(&client, &app, "/console/queue?tab=later").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("筛选条件有误"), "{html}");

    let analyst = browser();
    console_sign_in(&analyst, &app, "shenzhen-analyst").await;
    let (_, console) = page(&analyst, &app, "/console").await;
    assert!(
        !console.contains("/console/queue"),
        "an analyst has no queue link"
    );
}

#[backend_test]
pub async fn bulk_assignment_routes_each_chosen_case_and_names_those_it_could_not(
    backend: Backend,
) {
    use crate::pages::{browser, console_sign_in, csrf_token, page, post_form};
    let app = spawn_app(backend).await;
    let shenzhen = app.login("shenzhen").await;
    let in_nanshan = nanshan_case(&app, &shenzhen).await;
    let mut futian_report = phone_report();
    futian_report["region"] = json!("440304");
    let receipt = app
        .post(Some(&shenzhen), "/api/v1/cases", &futian_report)
        .await;
    assert_eq!(receipt.status, StatusCode::CREATED, "{}", receipt.body);
    let in_futian = receipt.body["id"].as_i64().expect("id");

    let client = browser();
    console_sign_in(&client, &app, "shenzhen").await;
    let (status, html) = page(&client, &app, "/console/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("批量转办所选案件"), "{html}");
    assert!(html.contains("深圳市生态环境局南山管理局"), "{html}");
    let token = csrf_token(&html);
    let (in_nanshan_id, in_futian_id, nanshan_unit) = (
        in_nanshan.to_string(),
        in_futian.to_string(),
        app.units["nanshan"].to_string(),
    );
    let (status, _, html) = post_form(
        &client,
        &app,
        "/console/queue",
        &[
            ("csrf_token", &token),
            ("tab", "to_accept"),
            ("case_id", &in_nanshan_id),
            ("case_id", &in_futian_id),
            ("unit_id", &nanshan_unit),
            ("note", "请南山管理局办理"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已转办 1 件"), "{html}");
    assert!(
        html.contains(&format!("案件 {in_futian}：不能转办到所选单位")),
        "the Futian case is named with its reason: {html}"
    );
    let routed = app
        .get(Some(&shenzhen), &format!("/api/v1/cases/{in_nanshan}"))
        .await;
    assert_eq!(routed.body["unit_id"], app.units["nanshan"]);
    let kept = app
        .get(Some(&shenzhen), &format!("/api/v1/cases/{in_futian}"))
        .await;
    assert_eq!(kept.body["unit_id"], app.units["shenzhen"]);

    let (status, _, html) = post_form(
        &client,
        &app,
        "/console/queue",
        &[("csrf_token", &token), ("unit_id", &nanshan_unit)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请先勾选案件"), "{html}");

    let (status, _, _) = post_form(
        &client,
        &app,
        "/console/queue",
        &[("case_id", &in_futian_id), ("unit_id", &nanshan_unit)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no token, nothing done");
}
