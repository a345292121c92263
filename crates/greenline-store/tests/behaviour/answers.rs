//! Plain answers: a working version and a published one, each change with its event, a stale
//! change refused, the events append-only, and the public's counts.

use chrono::NaiveDate;
use greenline_domain::{AnswerContent, AnswerState, Basis};
use greenline_store::{Actor, AnswerChange, Publication, Store, StoreError};
use sqlx::Connection;

use super::now;

fn content(question: &str) -> AnswerContent {
    AnswerContent {
        question: question.to_owned(),
        answer: "建筑施工场界夜间噪声不得超过55分贝，确需连续施工的须取得证明并公告附近居民。"
            .to_owned(),
        basis: vec![Basis {
            standard: "GB 12523-2011《建筑施工场界环境噪声排放标准》".to_owned(),
            clause: "表1".to_owned(),
        }],
        keywords: vec!["夜间施工".to_owned()],
        department: None,
        checked_on: NaiveDate::from_ymd_opt(2026, 12, 1).expect("day"),
    }
}

pub async fn an_answer_keeps_its_published_version_while_a_change_waits_and_logs_every_step(
    store: Store,
    url: String,
) {
    let writer = Actor::system("writer");
    let reviewer = Actor::system("reviewer");
    let first = content("工地晚上施工合法吗？");
    let answer = store
        .create_answer(&first, &writer, now())
        .await
        .expect("create");
    assert_eq!(answer.state, AnswerState::Draft);
    assert_eq!(answer.published, None);
    assert_eq!(store.answer_count().await.expect("count"), 1);
    assert!(store.published_answers().await.expect("list").is_empty());
    // Nothing published: nothing to count.
    assert!(!store.count_answer_view(answer.id).await.expect("view"));

    let step = |version, state, published, kind| AnswerChange {
        id: answer.id,
        version,
        state,
        working: None,
        published,
        submitted_by: None,
        kind,
        note: None,
        actor: &reviewer,
        at: now(),
    };
    let submitted = store
        .change_answer(&step(
            1,
            AnswerState::InReview,
            Publication::Unchanged,
            "submit",
        ))
        .await
        .expect("submit");
    let published = store
        .change_answer(&step(
            submitted.version,
            AnswerState::Published,
            Publication::Publish(&first),
            "publish",
        ))
        .await
        .expect("publish");
    assert_eq!(published.published.as_ref(), Some(&first));
    assert_eq!(published.published_at, Some(now()));

    // A change of the text leaves the public version as it was.
    let second = content("夜里工地施工吵得睡不着怎么办？");
    let edited = store
        .change_answer(&AnswerChange {
            working: Some(&second),
            kind: "edited",
            ..step(
                published.version,
                AnswerState::Draft,
                Publication::Unchanged,
                "edited",
            )
        })
        .await
        .expect("edit");
    assert_eq!(edited.working, second);
    assert_eq!(edited.published.as_ref(), Some(&first));
    // A change decided on an older version is refused and writes nothing.
    let stale = store
        .change_answer(&step(
            published.version,
            AnswerState::Withdrawn,
            Publication::Withdraw,
            "withdraw",
        ))
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    let missing = store
        .change_answer(&AnswerChange {
            id: answer.id + 100,
            ..step(1, AnswerState::Draft, Publication::Unchanged, "edited")
        })
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );

    assert!(store.count_answer_view(answer.id).await.expect("view"));
    assert!(store.count_answer_view(answer.id).await.expect("view"));
    assert!(
        store
            .count_answer_feedback(answer.id, true)
            .await
            .expect("helped")
    );
    assert!(
        store
            .count_answer_feedback(answer.id, false)
            .await
            .expect("not")
    );
    let counted = store.answer(answer.id).await.expect("read");
    assert_eq!(
        (counted.views, counted.helped, counted.not_helped),
        (2, 1, 1)
    );
    assert_eq!(store.published_answers().await.expect("list").len(), 1);

    let withdrawn = store
        .change_answer(&step(
            counted.version,
            AnswerState::Withdrawn,
            Publication::Withdraw,
            "withdraw",
        ))
        .await
        .expect("withdraw");
    assert_eq!(withdrawn.published, None);
    assert!(store.published_answers().await.expect("list").is_empty());

    let events = store.answer_events(answer.id).await.expect("events");
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["created", "submit", "publish", "edited", "withdraw"]
    );
    assert_eq!(events[0].content.as_ref(), Some(&first));
    assert_eq!(events[2].content.as_ref(), Some(&first));
    assert_eq!(events[3].content.as_ref(), Some(&second));
    assert_eq!(events[4].content, None);

    // The log cannot be rewritten.
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
    for sql in [
        "UPDATE plain_answer_events SET kind = 'publish'",
        "DELETE FROM plain_answer_events",
    ] {
        assert!(sqlx::query(sql).execute(&mut conn).await.is_err(), "{sql}");
    }
    conn.close().await.expect("close");
}
