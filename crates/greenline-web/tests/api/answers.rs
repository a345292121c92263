//! Plain answers (通俗解说): the shipped set published at first start and found by what people
//! type; an answer written, refused while incomplete, sent for review, published by another
//! reviewer, changed while its published version stays, returned with a note, withdrawn; the
//! public's views and "this helped" counts; the desk offered the answer too.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TestApp, read, spawn_app};

async fn put(app: &TestApp, token: &str, path: &str, body: &Value) -> Reply {
    read(
        app.http
            .put(app.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

fn content(question: &str) -> Value {
    json!({
        "question": question,
        "answer": "露天烧烤的油烟和炭火烟气会影响附近居民。城市人民政府禁止的区域内不得露天烧烤食品。\n请写明位置和时间后举报。",
        "basis": [{"standard": "《中华人民共和国大气污染防治法》", "clause": "第八十一条"}],
        "keywords": ["露天烧烤", "烧烤摊"],
        "department": "城市管理部门",
        "checked_on": "2026-11-20"
    })
}

async fn step(
    app: &TestApp,
    token: &str,
    id: i64,
    version: i64,
    step: &str,
    note: Option<&str>,
) -> Reply {
    app.post(
        Some(token),
        &format!("/api/v1/answers/{id}/steps"),
        &json!({"step": step, "version": version, "note": note}),
    )
    .await
}

fn questions(reply: &Reply) -> Vec<String> {
    reply.body["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .map(|a| a["question"].as_str().expect("question").to_owned())
        .collect()
}

#[backend_test]
pub async fn the_shipped_answers_are_published_once_and_found_by_what_people_type(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let installed = app.core.install_shipped_answers().await.expect("install");
    assert!(installed >= 7, "{installed}");
    // A second start publishes nothing again.
    assert_eq!(app.core.install_shipped_answers().await.expect("again"), 0);

    let all = app.get(None, "/api/v1/public/answers").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    assert_eq!(questions(&all).len(), installed);
    for answer in all.body["answers"].as_array().expect("answers") {
        assert!(
            !answer["basis"].as_array().expect("basis").is_empty(),
            "{answer}"
        );
        assert!(answer["checked_on"].is_string(), "{answer}");
    }

    let offered = app
        .post(
            None,
            "/api/v1/public/answers/match",
            &json!({"text": "我家楼顶装了基站，担心有辐射"}),
        )
        .await;
    assert_eq!(offered.status, StatusCode::OK, "{}", offered.body);
    assert!(
        offered.body[0]["question"]
            .as_str()
            .expect("question")
            .contains("基站"),
        "{}",
        offered.body
    );
    assert_eq!(
        offered.body[0]["url"],
        format!("/answers/{}", offered.body[0]["id"])
    );
    let none = app
        .post(
            None,
            "/api/v1/public/answers/match",
            &json!({"text": "河里漂着死鱼"}),
        )
        .await;
    assert_eq!(none.body, json!([]));
    let too_long = app
        .post(
            None,
            "/api/v1/public/answers/match",
            &json!({"text": "基".repeat(4001)}),
        )
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);

    let found = app
        .get(None, "/api/v1/public/answers?q=%E7%94%B2%E9%86%9B")
        .await; // 甲醛
    assert!(questions(&found)[0].contains("甲醛"), "{}", found.body);
    assert_eq!(found.body["query"], "甲醛");

    // The desk offers the same answer to the operator.
    let operator = app.login("nanshan").await;
    let desk = app
        .post(
            Some(&operator),
            "/api/v1/desk/suggestions",
            &json!({"description": "来电反映小区楼顶新装了5G基站", "region": "440305"}),
        )
        .await;
    assert_eq!(desk.status, StatusCode::OK, "{}", desk.body);
    assert!(
        desk.body["answers"][0]["question"]
            .as_str()
            .expect("answer")
            .contains("基站"),
        "{}",
        desk.body
    );
}

#[backend_test]
pub async fn an_answer_is_reviewed_by_another_before_the_public_reads_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let writer = app.login("nanshan").await; // operator and handler
    let reviewer = app.login("shenzhen").await; // handler and supervisor
    let other_reviewer = app.login("futian").await;
    let analyst = app.login("shenzhen-analyst").await;

    // Incomplete: every field at fault named, nothing stored.
    let bad = app
        .post(
            Some(&writer),
            "/api/v1/answers",
            &json!({"question": "烧烤", "answer": "短", "basis": [], "keywords": [], "checked_on": "2099-01-01"}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let fields: Vec<&str> = bad.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(
        fields,
        ["question", "answer", "basis", "keywords", "checked_on"]
    );
    assert_eq!(app.store.answer_count().await.expect("count"), 0);
    let refused = app
        .post(
            Some(&analyst),
            "/api/v1/answers",
            &content("路边露天烧烤归谁管？"),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let created = app
        .post(
            Some(&writer),
            "/api/v1/answers",
            &content("路边露天烧烤归谁管？"),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["state"], "draft");
    let id = created.body["id"].as_i64().expect("id");
    let public = format!("/api/v1/public/answers/{id}");
    assert_eq!(app.get(None, &public).await.status, StatusCode::NOT_FOUND);

    // The writer sends it; a writer who is no supervisor cannot publish it.
    let sent = step(&app, &writer, id, 1, "submit", None).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    assert_eq!(sent.body["state"], "in_review");
    let version = sent.body["version"].as_i64().expect("version");
    let not_theirs = step(&app, &writer, id, version, "publish", None).await;
    assert_eq!(not_theirs.status, StatusCode::FORBIDDEN);
    // No changes while it waits for review.
    let waiting = put(
        &app,
        &writer,
        &format!("/api/v1/answers/{id}"),
        &json!({"version": version, "content": content("露天烧烤可以举报吗？")}),
    )
    .await;
    assert_eq!(waiting.status, StatusCode::CONFLICT, "{}", waiting.body);
    // A return needs a note.
    let bare = step(&app, &reviewer, id, version, "return", None).await;
    assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bare.body["errors"][0]["field"], "note");
    let returned = step(
        &app,
        &reviewer,
        id,
        version,
        "return",
        Some("请补充投诉电话"),
    )
    .await;
    assert_eq!(returned.body["state"], "draft", "{}", returned.body);

    // The reviewer sends it again themselves: someone else must publish it.
    let version = returned.body["version"].as_i64().expect("version");
    let resent = step(&app, &reviewer, id, version, "submit", None).await;
    let version = resent.body["version"].as_i64().expect("version");
    assert!(
        !resent.body["steps"]
            .as_array()
            .expect("steps")
            .contains(&json!("publish"))
    );
    let own = step(&app, &reviewer, id, version, "publish", None).await;
    assert_eq!(own.status, StatusCode::FORBIDDEN);
    let published = step(&app, &other_reviewer, id, version, "publish", None).await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(published.body["state"], "published");
    let read_once = app.get(None, &public).await;
    assert_eq!(read_once.status, StatusCode::OK);
    assert_eq!(read_once.body["question"], "路边露天烧烤归谁管？");
    assert_eq!(
        read_once.body["paragraphs"]
            .as_array()
            .expect("paragraphs")
            .len(),
        2
    );
    let offered = app
        .post(
            None,
            "/api/v1/public/answers/match",
            &json!({"text": "楼下有个烧烤摊天天冒烟"}),
        )
        .await;
    assert_eq!(offered.body[0]["id"], id, "{}", offered.body);

    // A change leaves the published version public until it is published in turn.
    let version = published.body["version"].as_i64().expect("version");
    let edit = json!({"version": version, "content": content("夜市烧烤摊的油烟归谁管？")});
    let edited = put(&app, &writer, &format!("/api/v1/answers/{id}"), &edit).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["state"], "draft");
    assert_eq!(edited.body["changed_since_published"], true);
    assert_eq!(
        app.get(None, &public).await.body["question"],
        "路边露天烧烤归谁管？"
    );
    // The same change again, on the version it was made on, is stale.
    let stale = put(&app, &writer, &format!("/api/v1/answers/{id}"), &edit).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    // Readers' counts.
    for helped in [true, true, false] {
        let counted = app
            .post(
                None,
                &format!("{public}/feedback"),
                &json!({"helped": helped}),
            )
            .await;
        assert_eq!(counted.status, StatusCode::NO_CONTENT);
    }
    let record = app
        .get(Some(&reviewer), &format!("/api/v1/answers/{id}"))
        .await;
    assert_eq!(record.body["views"], 2, "{}", record.body);
    assert_eq!(
        (
            record.body["helped"].clone(),
            record.body["not_helped"].clone()
        ),
        (json!(2), json!(1))
    );
    let kinds: Vec<&str> = record.body["history"]
        .as_array()
        .expect("history")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        ["created", "submit", "return", "submit", "publish", "edited"]
    );
    assert_eq!(record.body["history"][2]["note"], "请补充投诉电话");

    // Withdrawn: gone from the public side, the match and the list.
    let version = record.body["version"].as_i64().expect("version");
    let withdrawn = step(&app, &reviewer, id, version, "withdraw", None).await;
    assert_eq!(withdrawn.body["state"], "withdrawn", "{}", withdrawn.body);
    assert_eq!(app.get(None, &public).await.status, StatusCode::NOT_FOUND);
    let offered = app
        .post(
            None,
            "/api/v1/public/answers/match",
            &json!({"text": "楼下有个烧烤摊"}),
        )
        .await;
    assert_eq!(offered.body, json!([]));
    assert_eq!(
        app.post(
            None,
            &format!("{public}/feedback"),
            &json!({"helped": true})
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
}
