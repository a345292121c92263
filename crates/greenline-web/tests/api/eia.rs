//! Public participation in EIA over HTTP: notices scheduled with their working-day dates, a
//! comment taken in a window and refused outside it with the day the next opens, the
//! commenter's identity never in public output and read only with an audit record, answers
//! published with the statement, and the comment figures.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};

/// A project in Nanshan, as its form is posted.
pub fn project_form() -> Value {
    json!({
        "name": "南山热电联产扩建项目",
        "developer": "深圳某能源有限公司",
        "location": "南山区科技园南路1号",
        "region": "440305",
        "project_type": "energy",
        "consultant": "某环境科技有限公司",
    })
}

/// A project whose draft report is open for comment today (2026-11-27), with one comment whose
/// commenter left a phone: the project's and the comment's ids.
pub async fn project_open_today(app: &TestApp, token: &str) -> (i64, i64) {
    let project = app
        .post(Some(token), "/api/v1/eia/projects", &project_form())
        .await;
    assert_eq!(project.status, StatusCode::CREATED, "{}", project.body);
    let id = project.body["id"].as_i64().expect("id");
    for notice in [
        json!({"kind": "first", "start": "2026-11-26", "counted_from": "2026-11-25", "body": "首次公示"}),
        json!({"kind": "draft", "start": "2026-11-27", "body": "征求意见稿"}),
    ] {
        let added = app
            .post(
                Some(token),
                &format!("/api/v1/eia/projects/{id}/notices"),
                &notice,
            )
            .await;
        assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    }
    let sent = comment(
        app,
        id,
        &json!({"text": "夜间施工噪声", "phone": "13912345678"}),
    )
    .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    (id, sent.body["id"].as_i64().expect("comment id"))
}

/// A project in Nanshan reviewed by Shenzhen's bureau, with its first notice up today
/// (2026-11-27) and its draft report open for comment from 2026-12-07 to 2026-12-21; its id.
pub async fn project_with_draft(app: &TestApp, token: &str) -> i64 {
    let project = app
        .post(Some(token), "/api/v1/eia/projects", &project_form())
        .await;
    assert_eq!(project.status, StatusCode::CREATED, "{}", project.body);
    let id = project.body["id"].as_i64().expect("id");
    let first = app
        .post(
            Some(token),
            &format!("/api/v1/eia/projects/{id}/notices"),
            &json!({"kind": "first", "start": "2026-11-27", "counted_from": "2026-11-25",
                    "body": "建设项目基本情况"}),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let draft = app
        .post(
            Some(token),
            &format!("/api/v1/eia/projects/{id}/notices"),
            &json!({"kind": "draft", "start": "2026-12-07", "body": "环境影响报告书征求意见稿"}),
        )
        .await;
    assert_eq!(draft.status, StatusCode::CREATED, "{}", draft.body);
    assert_eq!(draft.body["working_days"], 10);
    assert_eq!(draft.body["last_day"], "2026-12-21");
    id
}

async fn comment(app: &TestApp, project: i64, body: &Value) -> crate::helpers::Reply {
    app.post(
        None,
        &format!("/api/v1/public/eia/projects/{project}/comments"),
        body,
    )
    .await
}

#[backend_test]
async fn a_comment_is_taken_in_the_window_and_refused_outside_with_the_next_opening(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let staff = app.login("shenzhen").await;
    let id = project_with_draft(&app, &staff).await;

    // Out of order, short or overlapping: refused, naming the field, and nothing is added.
    let short = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/notices"),
            &json!({"kind": "acceptance", "start": "2026-12-21", "working_days": 5, "body": "受理"}),
        )
        .await;
    assert_eq!(
        short.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        short.body
    );
    let fields: Vec<&str> = short.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["working_days", "start"], "{}", short.body);

    // A project without a notice up is not public: neither its page nor a comment on it.
    let unpublished = app
        .post(Some(&staff), "/api/v1/eia/projects", &project_form())
        .await;
    let hidden_id = unpublished.body["id"].as_i64().expect("id");
    let hidden = app
        .get(None, &format!("/api/v1/public/eia/projects/{hidden_id}"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let refused = comment(&app, hidden_id, &json!({"text": "意见"})).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.body);

    let early = comment(&app, id, &json!({"text": "施工噪声会不会影响小区"})).await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);
    assert!(
        early.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("next window opens on 2026-12-07")),
        "{}",
        early.body
    );
    let page = app
        .get(None, &format!("/api/v1/public/eia/projects/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.body["notices"].as_array().map(Vec::len),
        Some(1),
        "the draft is not up yet"
    );
    assert_eq!(page.body["window"]["next_opens_on"], "2026-12-07");

    app.advance(10); // 2026-12-07
    let page = app
        .get(None, &format!("/api/v1/public/eia/projects/{id}"))
        .await;
    assert_eq!(page.body["notices"].as_array().map(Vec::len), Some(2));
    assert_eq!(page.body["window"]["open"], "draft");
    assert_eq!(page.body["window"]["closes_on"], "2026-12-21");
    let taken = comment(
        &app,
        id,
        &json!({"text": "夜间施工噪声扰民，希望限制施工时间"}),
    )
    .await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    assert_eq!(taken.body["window"], "draft");
    assert_eq!(taken.body["closes_on"], "2026-12-21");

    app.advance(14); // 2026-12-21, the window's last day
    let last_day = comment(&app, id, &json!({"text": "烟囱排放的废气会不会影响空气"})).await;
    assert_eq!(last_day.status, StatusCode::CREATED, "{}", last_day.body);
    app.advance(1);
    let late = comment(&app, id, &json!({"text": "还有意见"})).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(
        late.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no comment window is scheduled")),
        "{}",
        late.body
    );

    // The acceptance notice takes opinions too. (Sessions do not outlive the days moved.)
    let staff = app.login("shenzhen").await;
    let acceptance = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/notices"),
            &json!({"kind": "acceptance", "start": "2026-12-24", "body": "受理公示"}),
        )
        .await;
    assert_eq!(
        acceptance.status,
        StatusCode::CREATED,
        "{}",
        acceptance.body
    );
    let waiting = comment(&app, id, &json!({"text": "还有意见"})).await;
    assert!(
        waiting.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("next window opens on 2026-12-24")),
        "{}",
        waiting.body
    );
    app.advance(2);
    let taken = comment(&app, id, &json!({"text": "希望公开监测数据"})).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    assert_eq!(taken.body["window"], "acceptance");

    // Staff of another district see nothing of it; an analyst may not schedule notices.
    let staff = app.login("shenzhen").await;
    let futian = app.login("futian").await;
    let hidden = app
        .get(Some(&futian), &format!("/api/v1/eia/projects/{id}"))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let analyst = app.login("shenzhen-analyst").await;
    let refused = app
        .post(
            Some(&analyst),
            &format!("/api/v1/eia/projects/{id}/notices"),
            &json!({"kind": "intended", "start": "2027-01-20", "body": "拟批准"}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let events = app
        .get(Some(&staff), &format!("/api/v1/eia/projects/{id}"))
        .await;
    let actions: Vec<&str> = events.body["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "add_notice",
            "add_notice",
            "comment",
            "comment",
            "add_notice",
            "comment"
        ]
    );
}

#[backend_test]
async fn a_commenters_identity_is_never_public_and_its_reading_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let staff = app.login("shenzhen").await;
    let id = project_with_draft(&app, &staff).await;
    app.advance(10);
    let named = comment(
        &app,
        id,
        &json!({
            "text": "我是陈小红，住在旁边小区，晚上施工噪声太大，请联系13912345678",
            "name": "陈小红",
            "phone": "13912345678",
            "email": "chen@example.com",
        }),
    )
    .await;
    assert_eq!(named.status, StatusCode::CREATED, "{}", named.body);
    let comment_id = named.body["id"].as_i64().expect("id");
    let bad = comment(&app, id, &json!({"text": "意见", "phone": "不是电话"})).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let staff = app.login("shenzhen").await;

    let answer = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/answers"),
            &json!({"theme": named.body["theme"], "adoption": "adopted",
                    "reason": "夜间22时至次日6时禁止施工"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let published = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/statement"),
            &json!({"statement": "本项目公众参与说明"}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);

    for path in [
        format!("/api/v1/public/eia/projects/{id}"),
        "/api/v1/public/eia/projects".to_owned(),
        "/eia/feed.atom".to_owned(),
    ] {
        let text = app
            .http
            .get(app.url(&path))
            .send()
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        for secret in ["陈小红", "13912345678", "chen@example.com"] {
            assert!(!text.contains(secret), "{path} shows {secret}: {text}");
        }
    }
    let page = app
        .get(None, &format!("/api/v1/public/eia/projects/{id}"))
        .await;
    let shown = page.body["themes"][0]["comments"][0]["text"]
        .as_str()
        .expect("the comment, masked");
    assert!(shown.contains("晚上施工噪声太大"), "{shown}");

    // An analyst reads the text masked and may not read the commenter; a handler may, and
    // both are in the audit trail.
    let analyst = app.login("shenzhen-analyst").await;
    let file = app
        .get(Some(&analyst), &format!("/api/v1/eia/projects/{id}"))
        .await;
    assert!(
        !file.body.to_string().contains("13912345678"),
        "{}",
        file.body
    );
    let refused = app
        .get(
            Some(&analyst),
            &format!("/api/v1/eia/projects/{id}/comments/{comment_id}/commenter"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let read = app
        .get(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/comments/{comment_id}/commenter"),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(read.body["phone"], "13912345678");
    let auditor = app.login("guangdong-auditor").await;
    let trail = app
        .get(Some(&auditor), "/api/v1/audit?action=read_commenter")
        .await;
    let outcomes: Vec<&str> = trail
        .body
        .as_array()
        .unwrap_or_else(|| panic!("records: {}", trail.body))
        .iter()
        .filter_map(|r| r["outcome"].as_str())
        .collect();
    assert_eq!(outcomes, ["ok", "denied"], "{}", trail.body);
}

#[backend_test]
async fn answers_are_published_with_the_statement_and_the_counts_reach_the_figures(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let staff = app.login("shenzhen").await;
    let id = project_with_draft(&app, &staff).await;
    app.advance(10);
    for text in [
        "夜间施工噪声太大，影响休息",
        "冷却塔噪声会很吵",
        "烟囱废气排放影响空气质量",
    ] {
        let taken = comment(&app, id, &json!({"text": text})).await;
        assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    }
    let staff = app.login("shenzhen").await;
    let file = app
        .get(Some(&staff), &format!("/api/v1/eia/projects/{id}"))
        .await;
    let themes = file.body["themes"].as_array().expect("themes").clone();
    assert!(!themes.is_empty(), "{}", file.body);
    let total: u64 = themes.iter().filter_map(|t| t["count"].as_u64()).sum();
    assert_eq!(total, 3);

    // Staff regroup everything under one theme of their own, then answer it.
    let ids: Vec<i64> = themes
        .iter()
        .flat_map(|t| t["comments"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["id"].as_i64())
        .collect();
    let moved = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/regroup"),
            &json!({"comment_ids": ids, "theme": "施工期与运营期环境影响"}),
        )
        .await;
    assert_eq!(moved.body["moved"], 3, "{}", moved.body);
    let not_yet = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/statement"),
            &json!({"statement": "公众参与说明"}),
        )
        .await;
    assert_eq!(
        not_yet.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        not_yet.body
    );
    let unknown = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/answers"),
            &json!({"theme": "没有这个主题", "adoption": "maybe", "reason": ""}),
        )
        .await;
    let fields: Vec<&str> = unknown.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["theme", "adoption", "reason"], "{}", unknown.body);
    let answer = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/answers"),
            &json!({"theme": "施工期与运营期环境影响", "adoption": "partly",
                    "reason": "夜间禁止高噪声施工；废气执行特别排放限值"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);

    let before = app
        .get(None, &format!("/api/v1/public/eia/projects/{id}"))
        .await;
    assert_eq!(
        before.body["themes"][0]["answer"],
        Value::Null,
        "not before the statement"
    );
    let published = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/statement"),
            &json!({"statement": "建设单位已逐条回应公众意见"}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let after = app
        .get(None, &format!("/api/v1/public/eia/projects/{id}"))
        .await;
    assert_eq!(
        after.body["project"]["statement"],
        "建设单位已逐条回应公众意见"
    );
    assert_eq!(after.body["themes"][0]["answer"]["adoption"], "partly");
    assert_eq!(after.body["themes"][0]["answer"]["adoption_zh"], "部分采纳");
    assert_eq!(after.body["themes"][0]["count"], 3);
    let again = app
        .post(
            Some(&staff),
            &format!("/api/v1/eia/projects/{id}/answers"),
            &json!({"theme": "施工期与运营期环境影响", "adoption": "adopted", "reason": "改"}),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    let analyst = app.login("shenzhen-analyst").await;
    let figures = app
        .get(Some(&analyst), "/api/v1/stats/eia-comments?from=2026-12-01")
        .await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    assert_eq!(figures.body["comments"], 3);
    assert_eq!(figures.body["by_month"][0]["month"], "2026-12");
    assert_eq!(figures.body["by_month"][0]["comments"], 3);
    assert_eq!(figures.body["by_project"][0]["project_id"], id);
    assert_eq!(figures.body["themes"][0]["theme"], "施工期与运营期环境影响");
    let earlier = app
        .get(Some(&analyst), "/api/v1/stats/eia-comments?to=2026-11-30")
        .await;
    assert_eq!(earlier.body["comments"], 0);
    let futian = app.login("futian").await;
    let elsewhere = app.get(Some(&futian), "/api/v1/stats/eia-comments").await;
    assert_eq!(
        elsewhere.body["comments"], 0,
        "Nanshan's project is not Futian's"
    );
    let outside = app
        .get(Some(&futian), "/api/v1/stats/eia-comments?region=440305")
        .await;
    assert_eq!(outside.status, StatusCode::FORBIDDEN);
}

#[backend_test]
async fn the_notices_feed_carries_each_notice_from_its_date_and_answers_304_when_unchanged(
    backend: Backend,
) {
    use reqwest::header::{ETAG, IF_NONE_MATCH};
    let app = spawn_app(backend).await;
    let staff = app.login("shenzhen").await;
    let id = project_with_draft(&app, &staff).await;
    let read = |header: Option<String>| {
        let mut request = app.http.get(app.url("/eia/feed.atom"));
        if let Some(tag) = header {
            request = request.header(IF_NONE_MATCH, tag);
        }
        request.send()
    };

    let response = read(None).await.expect("feed");
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response.headers()[ETAG].to_str().expect("etag").to_owned();
    let feed: atom_syndication::Feed = response
        .text()
        .await
        .expect("body")
        .parse()
        .expect("an Atom feed");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(
        titles,
        ["南山热电联产扩建项目：首次公示"],
        "the draft is not up yet"
    );
    assert!(
        feed.entries()[0]
            .links()
            .iter()
            .any(|l| l.href() == format!("/eia/{id}"))
    );
    let unchanged = read(Some(etag.clone())).await.expect("feed");
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);

    app.advance(10);
    let response = read(Some(etag)).await.expect("feed");
    assert_eq!(response.status(), StatusCode::OK, "the draft went up");
    let feed: atom_syndication::Feed = response
        .text()
        .await
        .expect("body")
        .parse()
        .expect("an Atom feed");
    assert_eq!(feed.entries().len(), 2);
    assert_eq!(
        feed.entries()[0].title().as_str(),
        "南山热电联产扩建项目：征求意见稿公示"
    );
    let summary = feed.entries()[0]
        .summary()
        .map(|s| s.as_str())
        .unwrap_or_default();
    assert!(
        summary.contains("公示期2026年12月7日至2026年12月21日（10个工作日）"),
        "{summary}"
    );
}

/// The words of ASCII letters in a page's visible text (tags, attributes and the contents of
/// scripts left out).
fn latin_words(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 2)
        .map(str::to_owned)
        .collect()
}

#[backend_test]
async fn the_comment_form_names_a_wrong_field_in_chinese_and_keeps_what_was_typed(
    backend: Backend,
) {
    use crate::pages::{browser, csrf_token, page, post_form};
    let app = spawn_app(backend).await;
    let staff = app.login("shenzhen").await;
    let id = project_with_draft(&app, &staff).await;
    app.advance(10);
    let client = browser();
    for path in ["/eia".to_owned(), format!("/eia/{id}")] {
        let (status, html) = page(&client, &app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(
            latin_words(&html),
            Vec::<String>::new(),
            "{path} is not all Chinese"
        );
    }
    let (_, html) = page(&client, &app, &format!("/eia/{id}")).await;
    assert!(html.contains("截止2026年12月21日"), "{html}");
    let token = csrf_token(&html);
    let (status, _, html) = post_form(
        &client,
        &app,
        &format!("/eia/{id}/comment"),
        &[
            ("csrf_token", &token),
            ("text", "冷却塔噪声扰民"),
            ("phone", "不是电话"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("请填写正确的电话号码，或不填。"), "{html}");
    assert!(
        html.contains(">冷却塔噪声扰民</textarea>"),
        "the text is kept"
    );
    assert_eq!(latin_words(&html), Vec::<String>::new());
    let (status, headers, _) = post_form(
        &client,
        &app,
        &format!("/eia/{id}/comment"),
        &[("csrf_token", &token), ("text", "冷却塔噪声扰民")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], format!("/eia/{id}?sent=1#comment"));
    let (_, html) = page(&client, &app, &format!("/eia/{id}?sent=1")).await;
    assert!(html.contains("您的意见已收到"), "{html}");
}
