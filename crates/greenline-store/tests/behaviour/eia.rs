//! Public participation in EIA: projects, notices in order, comments with a confidential
//! commenter, regrouping, answers published once with the statement, and the project's history
//! append-only.

use chrono::Duration;
use greenline_domain::eia::{
    Adoption, Commenter, NewProject, NoticeForm, NoticeKind, ProjectForm, plan_notice,
};
use greenline_domain::{Role, WorkingCalendar};
use greenline_store::{Actor, AuditQuery, NewEiaComment, NewStaff, Store, StoreError};
use sqlx::Connection;

use super::{audit_entry, now, unit};

fn project() -> NewProject {
    NewProject::parse(&ProjectForm {
        name: "南山热电联产扩建项目".into(),
        developer: "深圳某能源有限公司".into(),
        location: "南山区某路1号".into(),
        region: "440305".into(),
        project_type: "energy".into(),
        consultant: "某环境科技有限公司".into(),
        unit_id: None,
    })
    .expect("valid project")
}

async fn staff(store: &Store, unit_id: i64) -> Actor {
    let s = store
        .create_staff(
            &NewStaff {
                username: "eia".into(),
                display_name: "周审批".into(),
                password_hash: "$argon2id$fake".into(),
                unit_id,
                roles: vec![Role::Handler],
            },
            now(),
        )
        .await
        .expect("staff");
    Actor::staff(s.id, "周审批 (深圳市生态环境局)")
}

fn comment(text: &str, commenter: Option<Commenter>) -> NewEiaComment {
    NewEiaComment {
        text: text.into(),
        notice_kind: NoticeKind::Draft,
        suggested_type: Some("noise".into()),
        theme: "噪声".into(),
        commenter,
    }
}

pub async fn an_eia_project_keeps_its_notices_in_order_with_an_event_each(
    store: Store,
    url: String,
) {
    let unit_id = unit(&store, "深圳市生态环境局", "440300").await;
    let actor = staff(&store, unit_id).await;
    let p = store
        .create_eia_project(&project(), unit_id, &actor, now())
        .await
        .expect("project");
    assert_eq!(p.region.to_string(), "440305");
    let calendar = WorkingCalendar::shipped();
    let first = plan_notice(
        &NoticeForm {
            kind: "first".into(),
            start: "2026-11-02".into(),
            counted_from: Some("2026-10-30".into()),
            body: "项目基本情况".into(),
            ..NoticeForm::default()
        },
        &[],
        calendar,
    )
    .expect("first notice");
    let stored = store
        .add_eia_notice(p.id, 0, &first, &actor, now())
        .await
        .expect("notice");
    assert_eq!(stored.kind, NoticeKind::First);
    assert_eq!(stored.start.to_string(), "2026-11-02");

    // A second writer that read the project before the first notice is refused.
    let stale = store.add_eia_notice(p.id, 0, &first, &actor, now()).await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");

    let draft = plan_notice(
        &NoticeForm {
            kind: "draft".into(),
            start: "2026-11-03".into(),
            body: "征求意见稿全文".into(),
            ..NoticeForm::default()
        },
        &[stored.scheduled()],
        calendar,
    )
    .expect("draft notice");
    store
        .add_eia_notice(p.id, 1, &draft, &actor, now())
        .await
        .expect("draft");
    let notices = store.eia_notices(p.id).await.expect("notices");
    assert_eq!(
        notices.iter().map(|n| n.kind).collect::<Vec<_>>(),
        [NoticeKind::First, NoticeKind::Draft]
    );
    assert_eq!(notices[1].last_day.to_string(), "2026-11-17");
    let up = store
        .eia_notices_up_by("2026-11-02".parse().expect("day"), 10)
        .await
        .expect("up");
    assert_eq!(up.len(), 1, "the draft goes up a day later");

    let events = store.eia_events(p.id).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["create", "add_notice", "add_notice"]
    );
    let mut raw = sqlx::AnyConnection::connect(&url).await.expect("raw");
    assert!(
        sqlx::query("UPDATE eia_events SET action = 'x'")
            .execute(&mut raw)
            .await
            .is_err(),
        "an event cannot be changed"
    );
    assert!(
        sqlx::query("DELETE FROM eia_events")
            .execute(&mut raw)
            .await
            .is_err(),
        "an event cannot be deleted"
    );
    raw.close().await.expect("close");
    assert!(matches!(
        store.eia_project(p.id + 100).await,
        Err(StoreError::NotFound("project"))
    ));
}

pub async fn a_commenters_identity_is_kept_apart_and_its_reading_recorded(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "深圳市生态环境局", "440300").await;
    let actor = staff(&store, unit_id).await;
    let p = store
        .create_eia_project(&project(), unit_id, &actor, now())
        .await
        .expect("project");
    let named = Commenter {
        name: Some("陈女士".into()),
        phone: Some("13800138000".into()),
        email: None,
    };
    let with_name = store
        .add_eia_comment(p.id, &comment("晚上施工太吵", Some(named.clone())), now())
        .await
        .expect("comment");
    let anonymous = store
        .add_eia_comment(
            p.id,
            &comment("担心烟囱排放", None),
            now() + Duration::hours(1),
        )
        .await
        .expect("comment");
    let comments = store.eia_comments(p.id).await.expect("comments");
    assert_eq!(
        comments.iter().map(|c| c.identified).collect::<Vec<_>>(),
        [true, false]
    );

    let mut entry = audit_entry(actor.staff_id, "read_commenter");
    entry.target = with_name.to_string();
    let read = store
        .read_eia_commenter(with_name, &actor, &entry)
        .await
        .expect("read");
    assert_eq!(read, Some(named));
    assert_eq!(
        store
            .read_eia_commenter(anonymous, &actor, &entry)
            .await
            .expect("read"),
        None
    );
    let records = store
        .audit_records(&AuditQuery {
            action: Some("read_commenter".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert_eq!(records.len(), 2, "each read is recorded");
    let events = store.eia_events(p.id).await.expect("events");
    let comment_event = events
        .iter()
        .find(|e| e.action == "comment")
        .expect("comment event");
    assert!(
        !comment_event.data.to_string().contains("13800138000"),
        "the history holds no identity: {}",
        comment_event.data
    );
    assert!(matches!(
        store
            .read_eia_commenter(anonymous + 100, &actor, &entry)
            .await,
        Err(StoreError::NotFound("comment"))
    ));
}

pub async fn comments_are_regrouped_and_answers_published_once_with_the_statement(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "深圳市生态环境局", "440300").await;
    let actor = staff(&store, unit_id).await;
    let p = store
        .create_eia_project(&project(), unit_id, &actor, now())
        .await
        .expect("project");
    let other = store
        .create_eia_project(&project(), unit_id, &actor, now())
        .await
        .expect("project");
    let a = store
        .add_eia_comment(p.id, &comment("夜间噪声", None), now())
        .await
        .expect("comment");
    let b = store
        .add_eia_comment(p.id, &comment("冷却塔噪声", None), now())
        .await
        .expect("comment");
    let elsewhere = store
        .add_eia_comment(other.id, &comment("别的项目", None), now())
        .await
        .expect("comment");

    // A comment of another project moves nothing.
    let refused = store
        .regroup_eia_comments(p.id, &[a, elsewhere], "施工期噪声", &actor, now())
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound("comment"))));
    assert!(
        store
            .eia_comments(p.id)
            .await
            .expect("comments")
            .iter()
            .all(|c| c.theme == "噪声")
    );
    let moved = store
        .regroup_eia_comments(p.id, &[a], "施工期噪声", &actor, now())
        .await
        .expect("regroup");
    assert_eq!(moved, 1);
    let themes: Vec<String> = store
        .eia_comments(p.id)
        .await
        .expect("comments")
        .into_iter()
        .map(|c| c.theme)
        .collect();
    assert_eq!(themes, ["施工期噪声", "噪声"]);
    let background = store
        .eia_comment_texts_besides(p.id, "噪声")
        .await
        .expect("texts");
    assert_eq!(
        background.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        [a, elsewhere]
    );
    let _ = b;

    store
        .set_eia_answer(p.id, "噪声", Adoption::NotAdopted, "初稿", &actor, now())
        .await
        .expect("answer");
    store
        .set_eia_answer(
            p.id,
            "噪声",
            Adoption::Adopted,
            "冷却塔加装消声器",
            &actor,
            now(),
        )
        .await
        .expect("answer changed");
    let answers = store.eia_answers(p.id).await.expect("answers");
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0].adoption, Adoption::Adopted);

    let published = store
        .publish_eia_statement(p.id, "公众参与说明全文", &actor, now())
        .await
        .expect("publish");
    assert!(published.statement_published_at.is_some());
    assert!(matches!(
        store
            .publish_eia_statement(p.id, "again", &actor, now())
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store
            .set_eia_answer(p.id, "噪声", Adoption::NotAdopted, "late", &actor, now())
            .await,
        Err(StoreError::Conflict)
    ));
    let facts = store
        .eia_comment_facts(
            &[p.id, other.id],
            now() - Duration::days(1),
            now() + Duration::days(1),
        )
        .await
        .expect("facts");
    assert_eq!(facts.len(), 3);
    let within = store
        .eia_projects(Some("440305".parse().expect("region")))
        .await
        .expect("projects");
    assert_eq!(within.len(), 2);
    let outside = store
        .eia_projects(Some("110000".parse().expect("region")))
        .await
        .expect("projects");
    assert!(outside.is_empty());
}
