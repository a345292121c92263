//! The store behaviour suite: the same tests run on SQLite and on PostgreSQL.
//!
//! Each backend's test file defines `async fn fresh() -> (Store, String)`, giving an empty,
//! migrated store and its URL, and invokes `behaviour_suite!`.

use chrono::{DateTime, Duration, Utc};
use greenline_domain::{
    Case, CaseKind, Command, DeadlineTable, IntakeForm, NewCase, PollutionType, RegionCode,
    RejectionReason, Role, Stage, TypeReview, TypeSuggestion, TypesForm, apply, merge,
    review_types,
};
use greenline_store::{
    Actor, AuditCheck, AuditEntry, AuditOutcome, AuditQuery, CaseFilter, GENESIS_HASH,
    IdempotencyKey, IntakeReceipt, IntakeRecord, NewEvent, NewStaff, Store, StoreError,
};
use sqlx::Connection;
use std::sync::Arc;

mod admin;
mod answers;
mod disclosure;
mod eia;
mod evidence;
mod notices;
mod place;
pub use admin::*;
pub use answers::*;
pub use disclosure::*;
pub use eia::*;
pub use evidence::*;
pub use notices::*;
pub use place::*;

pub fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
        .expect("time")
        .with_timezone(&Utc)
}

pub fn form(region: &str, primary: &str) -> IntakeForm {
    IntakeForm {
        channel: "phone".into(),
        primary_type: primary.into(),
        region: region.into(),
        address: "某路100号".into(),
        description: "夜里有刺鼻气味".into(),
        reporter_name: Some("王先生".into()),
        reporter_phone: Some("13900000000".into()),
        ..IntakeForm::default()
    }
}

pub async fn unit(store: &Store, name: &str, region: &str) -> i64 {
    store
        .create_unit(name, RegionCode::parse(region).expect("region"), now())
        .await
        .expect("unit")
        .id
}

pub async fn intake(
    store: &Store,
    form: &IntakeForm,
    unit_id: i64,
    key: Option<&str>,
) -> Result<IntakeReceipt, StoreError> {
    let new = NewCase::parse(form).expect("valid form");
    store
        .intake(IntakeRecord {
            case: new,
            unit_id,
            received_at: now(),
            due_at: Some(now() + Duration::days(15)),
            secret: "SECRET123456".into(),
            secret_hash: "hash-of-secret".into(),
            actor: Actor::public(),
            idempotency: key.map(|k| IdempotencyKey {
                scope: "public".into(),
                key: k.into(),
                request_hash: format!("{:?}", form.description),
                secret: "SECRET123456".into(),
            }),
            suggestion: None,
        })
        .await
}

fn event<'a>(actor: &'a Actor) -> NewEvent<'a> {
    NewEvent {
        actor,
        at: now(),
        note: None,
        data: serde_json::json!({}),
    }
}

pub async fn change(store: &Store, case: &Case, command: Command) -> Result<Case, StoreError> {
    let limits = DeadlineTable::statutory().limits_for(case.kind, case.region);
    let applied = apply(case, &command, now(), &limits).expect("allowed");
    let due = applied.case.current_deadline(&limits).map(|d| d.due_at);
    let actor = Actor::system("test");
    let mut new_event = event(&actor);
    new_event.note = command.note();
    store.record_change(&applied, due, new_event).await?;
    store.case(case.id).await
}

async fn all(store: &Store, filter: CaseFilter) -> Vec<i64> {
    store
        .search(&CaseFilter {
            limit: if filter.limit == 0 { 50 } else { filter.limit },
            ..filter
        })
        .await
        .expect("search")
        .into_iter()
        .map(|c| c.id)
        .collect()
}

pub async fn an_intake_is_stored_with_its_first_event(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let receipt = intake(&store, &form("440305", "air"), unit_id, None)
        .await
        .expect("intake");
    assert!(!receipt.replayed);
    let stored = store.case(receipt.case.id).await.expect("read back");
    assert_eq!(stored, receipt.case);
    assert_eq!(stored.stage, Stage::Registered);
    assert_eq!(stored.region.to_string(), "440305");
    let events = store.events(stored.id).await.expect("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "register");
    assert_eq!(events[0].to_stage, Some(Stage::Registered));
    assert_eq!(events[0].actor, "public");
}

pub async fn an_acknowledged_intake_survives_reopening_the_store(store: Store, url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let receipt = intake(&store, &form("440305", "air"), unit_id, None)
        .await
        .expect("intake");
    store.close().await;
    let reopened = Store::open(&url).await.expect("reopen");
    assert_eq!(
        reopened.case(receipt.case.id).await.expect("still there"),
        receipt.case
    );
    reopened.close().await;
}

pub async fn a_replayed_idempotency_key_creates_nothing_new(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let f = form("440305", "air");
    let first = intake(&store, &f, unit_id, Some("k-1"))
        .await
        .expect("first");
    let second = intake(&store, &f, unit_id, Some("k-1"))
        .await
        .expect("retry");
    assert!(second.replayed);
    assert_eq!(first.case.id, second.case.id);
    assert_eq!(first.secret, second.secret);
    assert_eq!(all(&store, CaseFilter::default()).await.len(), 1);
    let other_body = IntakeForm {
        description: "另一件事".into(),
        ..f
    };
    let mismatch = intake(&store, &other_body, unit_id, Some("k-1")).await;
    assert!(
        matches!(mismatch, Err(StoreError::IdempotencyMismatch)),
        "{mismatch:?}"
    );
    assert_eq!(all(&store, CaseFilter::default()).await.len(), 1);
}

pub async fn a_change_is_written_with_its_event_and_a_stale_change_is_refused(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let receipt = intake(&store, &form("110108", "noise"), unit_id, None)
        .await
        .expect("intake");
    let accepted = change(
        &store,
        &receipt.case,
        Command::Accept {
            note: Some("受理".into()),
        },
    )
    .await
    .expect("accept");
    assert_eq!(accepted.stage, Stage::Accepted);
    assert_eq!(accepted.version, 1);
    assert_eq!(accepted.accepted_at, Some(now()));

    // A second writer still holding version 0 must not overwrite the change.
    let stale = change(
        &store,
        &receipt.case,
        Command::Reject {
            reason: RejectionReason::InsufficientDetail,
            note: None,
        },
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    let events = store.events(receipt.case.id).await.expect("events");
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["register", "accept"]);
    assert_eq!(events[1].from_stage, Some(Stage::Registered));
    assert_eq!(events[1].note.as_deref(), Some("受理"));
    assert_eq!(
        store.case(receipt.case.id).await.expect("case").stage,
        Stage::Accepted
    );
}

pub async fn events_cannot_be_edited_or_deleted(store: Store, url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let case = intake(&store, &form("440305", "air"), unit_id, None)
        .await
        .expect("intake")
        .case;
    let mut raw = sqlx::AnyConnection::connect(&url)
        .await
        .expect("raw connection");
    let update = sqlx::query("UPDATE case_events SET note = 'changed'")
        .execute(&mut raw)
        .await;
    assert!(update.is_err(), "an update of an event must fail");
    let delete = sqlx::query("DELETE FROM case_events")
        .execute(&mut raw)
        .await;
    assert!(delete.is_err(), "a delete of an event must fail");
    raw.close().await.expect("close");
    assert_eq!(store.events(case.id).await.expect("events").len(), 1);
}

pub async fn search_filters_by_region_subtree_type_stage_and_overdue(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let nanshan = intake(&store, &form("440305", "air"), unit_id, None)
        .await
        .expect("a")
        .case;
    let mut noisy = form("440304", "noise");
    noisy.other_types = vec!["air".into()];
    let futian = intake(&store, &noisy, unit_id, None).await.expect("b").case;
    let beijing = intake(&store, &form("110108", "water"), unit_id, None)
        .await
        .expect("c")
        .case;
    change(&store, &beijing, Command::Accept { note: None })
        .await
        .expect("accept");

    let region = |c: &str| Some(RegionCode::parse(c).expect("region"));
    let none: Vec<i64> = Vec::new();
    assert_eq!(
        all(&store, CaseFilter::default()).await,
        [beijing.id, futian.id, nanshan.id]
    );
    let within = |c: &str| CaseFilter {
        within: region(c),
        ..CaseFilter::default()
    };
    assert_eq!(all(&store, within("440300")).await, [futian.id, nanshan.id]);
    assert_eq!(all(&store, within("440305")).await, [nanshan.id]);
    let widened = CaseFilter {
        region: region("110000"),
        ..within("440000")
    };
    assert_eq!(
        all(&store, widened).await,
        none,
        "a region filter cannot widen the jurisdiction"
    );
    let air = CaseFilter {
        pollution_type: PollutionType::parse("air").ok(),
        ..CaseFilter::default()
    };
    assert_eq!(
        all(&store, air).await,
        [futian.id, nanshan.id],
        "multi-label"
    );
    let accepted = CaseFilter {
        stage: Some(Stage::Accepted),
        ..CaseFilter::default()
    };
    assert_eq!(all(&store, accepted).await, [beijing.id]);
    let petitions = CaseFilter {
        kind: Some(CaseKind::Petition),
        ..CaseFilter::default()
    };
    assert_eq!(all(&store, petitions).await, none);
    let overdue = |days| CaseFilter {
        overdue_at: Some(now() + Duration::days(days)),
        ..CaseFilter::default()
    };
    assert_eq!(all(&store, overdue(1)).await, none);
    assert_eq!(
        all(&store, overdue(20)).await,
        [futian.id, nanshan.id],
        "the accepted case's handling limit runs 60 days"
    );
    let page1 = all(
        &store,
        CaseFilter {
            limit: 2,
            ..CaseFilter::default()
        },
    )
    .await;
    assert_eq!(page1, [beijing.id, futian.id]);
    let page2 = store
        .search(&CaseFilter {
            limit: 2,
            before_id: page1.last().copied(),
            ..CaseFilter::default()
        })
        .await
        .expect("page 2");
    assert_eq!(page2.iter().map(|c| c.id).collect::<Vec<_>>(), [nanshan.id]);
}

pub async fn reading_a_reporter_is_itself_recorded(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let case = intake(&store, &form("440305", "air"), unit_id, None)
        .await
        .expect("intake")
        .case;
    let handler = store
        .create_staff(
            &NewStaff {
                username: "li".into(),
                display_name: "李四".into(),
                password_hash: "$argon2id$fake".into(),
                unit_id,
                roles: vec![Role::Handler],
            },
            now(),
        )
        .await
        .expect("staff");
    let actor = Actor::staff(handler.id, "李四");
    let reporter = store
        .read_reporter(
            case.id,
            event(&actor),
            &audit_entry(Some(handler.id), "read_reporter"),
        )
        .await
        .expect("reporter");
    let trail = store
        .audit_records(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert_eq!(
        trail
            .iter()
            .map(|r| r.entry.action.as_str())
            .collect::<Vec<_>>(),
        ["read_reporter"],
        "the read and its audit record commit together"
    );
    assert_eq!(reporter.phone.as_deref(), Some("13900000000"));
    let events = store.events(case.id).await.expect("events");
    assert_eq!(
        events.last().map(|e| e.action.as_str()),
        Some("view_reporter")
    );
    assert_eq!(events.last().and_then(|e| e.actor_id), Some(handler.id));
    let (hash, phone) = store.case_credentials(case.id).await.expect("credentials");
    assert_eq!(
        (hash.as_str(), phone.as_deref()),
        ("hash-of-secret", Some("13900000000"))
    );
}

pub async fn cases_are_found_by_the_reporters_phone_however_it_was_typed(
    store: Store,
    _url: String,
) {
    let shenzhen = unit(&store, "深圳市生态环境局", "440300").await;
    let nanshan = unit(&store, "南山管理局", "440305").await;
    let mut ids = Vec::new();
    for (phone, region, held_by) in [
        ("139-0000 0000", "440305", nanshan),
        ("+86 13900000000", "440304", shenzhen),
        ("13900000001", "440305", nanshan),
    ] {
        let mut f = form(region, "air");
        f.reporter_phone = Some(phone.into());
        ids.push(
            intake(&store, &f, held_by, None)
                .await
                .expect("intake")
                .case
                .id,
        );
    }
    let mut anonymous = form("440305", "air");
    anonymous.anonymous = true;
    intake(&store, &anonymous, nanshan, None)
        .await
        .expect("intake");

    let keys = greenline_domain::phone_keys("139 0000 0000");
    let found = store
        .cases_by_phone(&keys, RegionCode::parse("440300").expect("region"), 10)
        .await
        .expect("look-up");
    let mut found_ids: Vec<i64> = found.iter().map(|h| h.case.id).collect();
    found_ids.sort_unstable();
    assert_eq!(found_ids, vec![ids[0], ids[1]]);
    let held: Vec<String> = found.iter().map(|h| h.holder_region.to_string()).collect();
    assert!(held.contains(&"440305".to_owned()) && held.contains(&"440300".to_owned()));
    // Only the jurisdiction's cases, and at most `limit`.
    let nanshan_only = store
        .cases_by_phone(&keys, RegionCode::parse("440305").expect("region"), 10)
        .await
        .expect("look-up");
    assert_eq!(
        nanshan_only.iter().map(|h| h.case.id).collect::<Vec<_>>(),
        vec![ids[0]]
    );
    let one = store
        .cases_by_phone(&keys, RegionCode::NATIONAL, 1)
        .await
        .expect("look-up");
    assert_eq!(one.len(), 1);
    assert!(
        store
            .cases_by_phone(&[], RegionCode::NATIONAL, 5)
            .await
            .expect("look-up")
            .is_empty()
    );
}

pub async fn accounts_units_and_sessions(store: Store, _url: String) {
    assert_eq!(store.staff_count().await.expect("count"), 0);
    let unit_id = unit(&store, "深圳市生态环境局", "440300").await;
    assert!(matches!(
        store
            .create_unit("深圳市生态环境局", RegionCode::NATIONAL, now())
            .await,
        Err(StoreError::Duplicate("unit"))
    ));
    let new = NewStaff {
        username: "zhang".into(),
        display_name: "张三".into(),
        password_hash: "$argon2id$fake".into(),
        unit_id,
        roles: vec![Role::Handler, Role::Supervisor],
    };
    let staff = store.create_staff(&new, now()).await.expect("staff");
    assert_eq!(staff.unit.region.to_string(), "440300");
    assert_eq!(staff.roles, [Role::Handler, Role::Supervisor]);
    assert!(matches!(
        store.create_staff(&new, now()).await,
        Err(StoreError::Duplicate(_))
    ));
    let login = store
        .staff_login("zhang")
        .await
        .expect("login")
        .expect("exists");
    assert_eq!(
        (login.staff.id, login.password_hash.as_str()),
        (staff.id, "$argon2id$fake")
    );
    assert_eq!((login.disabled_at, login.failed_sign_ins), (None, 0));
    let sign_in = audit_entry(Some(staff.id), "sign_in");

    let later = now() + Duration::hours(8);
    let idle_since = |at: DateTime<Utc>| at - Duration::minutes(30);
    store
        .open_session("t1", staff.id, now(), later, &sign_in)
        .await
        .expect("session");
    let live = store
        .session_staff("t1", now(), idle_since(now()))
        .await
        .expect("session");
    assert_eq!(live.map(|s| s.id), Some(staff.id));
    let expired = store
        .session_staff("t1", later + Duration::hours(1), idle_since(later))
        .await
        .expect("session");
    assert_eq!(expired, None);
    let idle = store
        .session_staff(
            "t1",
            now() + Duration::minutes(31),
            idle_since(now() + Duration::minutes(31)),
        )
        .await
        .expect("session");
    assert_eq!(
        idle, None,
        "a session unused for longer than the idle limit ends"
    );
    store.delete_session("t1", None).await.expect("logout");
    assert_eq!(
        store
            .session_staff("t1", now(), idle_since(now()))
            .await
            .expect("s"),
        None
    );

    // Failures in a row lock the account; a success clears the count.
    let until = now() + Duration::minutes(15);
    for attempt in 1..=3 {
        let locked = store
            .sign_in_failed(
                Some(staff.id),
                3,
                until,
                &audit_entry(Some(staff.id), "sign_in"),
            )
            .await
            .expect("failure");
        assert_eq!(locked, (attempt == 3).then_some(until), "attempt {attempt}");
    }
    store
        .open_session("t2", staff.id, now(), later, &sign_in)
        .await
        .expect("session");
    let login = store.staff_login("zhang").await.expect("l").expect("e");
    assert_eq!((login.failed_sign_ins, login.locked_until), (0, None));

    // Disabling ends the sessions and refuses new ones at once.
    store
        .set_disabled(staff.id, true, now(), &audit_entry(None, "disable_account"))
        .await
        .expect("disable");
    assert_eq!(
        store
            .session_staff("t2", now(), idle_since(now()))
            .await
            .expect("s"),
        None
    );
    assert_eq!(
        store
            .purge_sessions(now(), idle_since(now()))
            .await
            .expect("purge"),
        0
    );
}

pub fn audit_entry(actor_id: Option<i64>, action: &str) -> AuditEntry {
    AuditEntry {
        at: now(),
        actor_id,
        actor: "张三 (深圳市生态环境局)".into(),
        region: RegionCode::parse("440300").expect("region"),
        action: action.into(),
        target: "1".into(),
        outcome: AuditOutcome::Ok,
        client: "127.0.0.1".into(),
        detail: serde_json::json!({"n": 1}),
    }
}

pub async fn the_audit_trail_is_chained_and_cannot_be_altered(store: Store, url: String) {
    for i in 0..5 {
        let mut entry = audit_entry(None, "search");
        entry.target = format!("query {i}");
        assert_eq!(store.audit(&entry).await.expect("append"), i + 1);
    }
    let check = store.verify_audit().await.expect("verify");
    assert_eq!(
        check,
        AuditCheck {
            records: 5,
            first_broken: None,
            head_matches: true
        }
    );
    let records = store
        .audit_records(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("records");
    assert_eq!(records.len(), 5);
    assert_eq!(records[0].seq, 5, "newest first");
    assert_eq!(records[4].prev_hash, GENESIS_HASH);
    assert_eq!(records[0].prev_hash, records[1].hash);
    assert_eq!(records[0].entry, {
        let mut e = audit_entry(None, "search");
        e.target = "query 4".into();
        e
    });
    let within = |code: &str| AuditQuery {
        within: Some(RegionCode::parse(code).expect("region")),
        limit: 10,
        ..AuditQuery::default()
    };
    assert_eq!(
        store
            .audit_records(&within("440000"))
            .await
            .expect("r")
            .len(),
        5
    );
    assert_eq!(
        store
            .audit_records(&within("110000"))
            .await
            .expect("r")
            .len(),
        0
    );

    let mut raw = sqlx::AnyConnection::connect(&url)
        .await
        .expect("raw connection");
    for statement in [
        "UPDATE audit_log SET target = 'nothing' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 5",
        "DELETE FROM audit_log",
    ] {
        assert!(
            sqlx::query(statement).execute(&mut raw).await.is_err(),
            "{statement} must fail"
        );
    }
    // Even behind the triggers' back (the head moved by hand), verification notices.
    sqlx::query("UPDATE audit_head SET hash = 'forged' WHERE id = 1")
        .execute(&mut raw)
        .await
        .expect("head");
    raw.close().await.expect("close");
    let check = store.verify_audit().await.expect("verify");
    assert_eq!(
        (check.records, check.first_broken, check.head_matches),
        (5, None, false)
    );
}

pub async fn a_duplicate_external_id_is_refused_and_leaves_nothing(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let mut f = form("440305", "air");
    f.external_id = Some("12345-0001".into());
    intake(&store, &f, unit_id, None).await.expect("first");
    let again = intake(&store, &f, unit_id, None).await;
    assert!(
        matches!(again, Err(StoreError::Duplicate("external id"))),
        "{again:?}"
    );
    assert_eq!(all(&store, CaseFilter::default()).await.len(), 1);
}

pub async fn one_bad_submission_among_concurrent_ones_fails_alone(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let mut taken = form("440305", "air");
    taken.external_id = Some("12345-0002".into());
    intake(&store, &taken, unit_id, None).await.expect("first");

    // Submitted together, these are committed in shared batches; the duplicate must not take
    // the others down with it.
    let mut submissions = Vec::new();
    for i in 0..40 {
        let mut f = form("440305", "air");
        f.external_id = Some(if i == 17 {
            "12345-0002".to_owned()
        } else {
            format!("12345-1{i:03}")
        });
        let store = store.clone();
        submissions.push(tokio::spawn(async move {
            intake(&store, &f, unit_id, None).await
        }));
    }
    let mut outcomes = Vec::new();
    for submission in submissions {
        outcomes.push(submission.await.expect("task"));
    }
    for (i, outcome) in outcomes.iter().enumerate() {
        if i == 17 {
            assert!(
                matches!(outcome, Err(StoreError::Duplicate("external id"))),
                "{outcome:?}"
            );
        } else {
            let receipt = outcome.as_ref().expect("stored");
            let stored = store.case(receipt.case.id).await.expect("committed");
            assert_eq!(stored, receipt.case);
        }
    }
    let filter = CaseFilter {
        limit: 100,
        ..CaseFilter::default()
    };
    assert_eq!(all(&store, filter).await.len(), 40);
}

fn record(external_id: &str) -> greenline_domain::CaseRecord {
    greenline_domain::CaseRecord {
        external_id: external_id.into(),
        kind: "report".into(),
        channel: "phone".into(),
        primary_type: "noise".into(),
        types: "noise;air".into(),
        sub_type: Some("construction".into()),
        industry: None,
        region: "440305".into(),
        address: "科技园".into(),
        description: "夜间施工".into(),
        received_at: "2025-03-01T00:00:00Z".into(),
        stage: "concluded".into(),
        accepted_at: Some("2025-03-02T00:00:00Z".into()),
        rejected_at: None,
        rejection_reason: None,
        extension_days: None,
        concluded_at: Some("2025-03-10T00:00:00Z".into()),
        outcome: Some("substantiated".into()),
        replied_at: None,
        published_at: None,
        anonymous: true,
        reporter_name: None,
        reporter_phone: None,
    }
}

pub async fn run_import(
    store: &Store,
    unit_id: i64,
    ids: &[&str],
    commit: bool,
) -> Result<greenline_store::ImportSummary, StoreError> {
    run_import_with(store, unit_id, ids, commit, Default::default()).await
}

pub async fn run_import_with(
    store: &Store,
    unit_id: i64,
    ids: &[&str],
    commit: bool,
    options: greenline_store::ImportOptions,
) -> Result<greenline_store::ImportSummary, StoreError> {
    use greenline_store::{ImportItem, ImportMessage};
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    let items: Vec<_> = ids
        .iter()
        .map(|id| ImportItem {
            imported: record(id).to_imported().expect("valid record"),
            unit_id,
            due_at: None,
        })
        .collect();
    let feeder = tokio::spawn(async move {
        // One case a message, to exercise several messages.
        for item in items {
            sender
                .send(ImportMessage::Cases(vec![item]))
                .await
                .expect("importer listens");
        }
        if commit {
            sender.send(ImportMessage::Commit).await.expect("commit");
        }
    });
    let result = store.import_with(receiver, options).await;
    feeder.await.expect("feeder");
    result
}

/// Into a store holding no external id, an import looks none up: a case that comes twice, in
/// two messages, is still refused by name and nothing is written.
pub async fn a_first_import_refuses_a_case_that_comes_twice(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let repeated = run_import(&store, unit_id, &["G", "H", "I", "H"], true).await;
    assert!(
        matches!(&repeated, Err(StoreError::NotCommitted(m)) if m.contains("\"H\" appears twice")),
        "{repeated:?}"
    );
    assert!(all(&store, CaseFilter::default()).await.is_empty());
    let summary = run_import(&store, unit_id, &["G", "H"], true)
        .await
        .expect("import");
    assert_eq!((summary.imported, summary.skipped), (2, 0));
}

pub async fn an_import_is_all_or_nothing_and_skips_known_ids(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let summary = run_import(&store, unit_id, &["A", "B", "C"], true)
        .await
        .expect("import");
    assert_eq!((summary.imported, summary.skipped), (3, 0));
    let cases = store
        .search(&CaseFilter {
            limit: 10,
            ..CaseFilter::default()
        })
        .await
        .expect("search");
    assert_eq!(cases.len(), 3);
    assert_eq!(cases[0].stage, Stage::Concluded);
    let actions: Vec<_> = store
        .events(cases[0].id)
        .await
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["register", "accept", "handle", "conclude"]);

    let again = run_import(&store, unit_id, &["A", "B", "C"], true)
        .await
        .expect("again");
    assert_eq!((again.imported, again.skipped), (0, 3));
    let abandoned = run_import(&store, unit_id, &["D", "E"], false).await;
    assert!(
        matches!(abandoned, Err(StoreError::NotCommitted(_))),
        "{abandoned:?}"
    );
    let repeated = run_import(&store, unit_id, &["G", "H", "G"], true).await;
    assert!(
        matches!(&repeated, Err(StoreError::NotCommitted(m)) if m.contains("\"G\" appears twice")),
        "{repeated:?}"
    );
    let failing = run_import(&store, unit_id + 1_000, &["F"], true).await;
    assert!(
        failing.is_err(),
        "a case for a missing unit fails the import"
    );
    assert_eq!(
        all(&store, CaseFilter::default()).await.len(),
        3,
        "nothing more was written"
    );
}

fn air_station(code: &str) -> greenline_store::NewAirStation {
    greenline_store::NewAirStation {
        code: code.into(),
        name: format!("{code}监测站"),
        region_code: "110100".into(),
    }
}

/// Sends `rows` hours of station 0 from 2013-01-01 00:00 CST, then commits if asked.
pub async fn run_air_import(
    store: &Store,
    stations: Vec<greenline_store::NewAirStation>,
    codes: &[&str],
    rows: i64,
    commit: bool,
) -> Result<greenline_store::AirImportSummary, StoreError> {
    use greenline_store::{AirMessage, AirRow};
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let codes: Vec<String> = codes.iter().map(|c| (*c).to_owned()).collect();
    let import = store.import_air(stations, codes, rx);
    let send = async move {
        let start = 1_356_969_600_000i64; // 2013-01-01T00:00+08:00
        let rows: Vec<AirRow> = (0..rows)
            .map(|i| AirRow {
                station: 0,
                hour_ms: start + i * 3_600_000,
                values: [
                    Some(10.0 + i as f64),
                    None,
                    Some(3.0),
                    None,
                    Some(0.4),
                    None,
                ],
            })
            .collect();
        // The receiver may have given up already (an unknown station): nothing to send to.
        let _ = tx.send(AirMessage::Rows(rows)).await;
        if commit {
            let _ = tx.send(AirMessage::Commit).await;
        }
    };
    let (result, ()) = tokio::join!(import, send);
    result
}

pub async fn an_air_import_is_all_or_nothing_and_idempotent(store: Store, _url: String) {
    // A file whose reading stopped at a bad line: the channel closes without Commit.
    let abandoned = run_air_import(&store, vec![air_station("A")], &["A"], 30, false).await;
    assert!(abandoned.is_err());
    assert!(store.air_stations().await.expect("stations").is_empty());
    assert!(!store.has_air_data().await.expect("any"));

    // A row for a station neither stored nor brought along: nothing, not even station A.
    let unknown = run_air_import(&store, vec![air_station("A")], &["B"], 30, true).await;
    assert!(unknown.is_err());
    assert!(store.air_stations().await.expect("stations").is_empty());

    let first = run_air_import(&store, vec![air_station("A")], &["A"], 30, true)
        .await
        .expect("import");
    assert_eq!(
        (first.stations_created, first.inserted, first.skipped),
        (1, 30, 0)
    );
    // The same rows again (station already present): nothing new.
    let again = run_air_import(&store, vec![air_station("A")], &["A"], 30, true)
        .await
        .expect("again");
    assert_eq!(
        (again.stations_created, again.inserted, again.skipped),
        (0, 0, 30)
    );
    // A longer file overlapping the first: only the new hours go in.
    let more = run_air_import(&store, vec![], &["A"], 40, true)
        .await
        .expect("more");
    assert_eq!((more.inserted, more.skipped), (10, 30));

    let stations = store.air_stations_within("1101").await.expect("within");
    assert_eq!(stations.len(), 1);
    assert!(
        store
            .air_stations_within("44")
            .await
            .expect("within")
            .is_empty()
    );
    let ids = [stations[0].id];
    let hours = store
        .air_hours(&ids, 1_356_969_600_000, 1_356_969_600_000 + 5 * 3_600_000)
        .await
        .expect("hours");
    assert_eq!(hours.len(), 5);
    assert_eq!(
        hours[2].values,
        [Some(12.0), None, Some(3.0), None, Some(0.4), None]
    );
    assert_eq!(
        store.air_latest_hour(&ids).await.expect("latest"),
        Some(1_356_969_600_000 + 39 * 3_600_000)
    );
}

/// The full-text index reads cases with their texts, a page at a time and by id.
pub async fn cases_are_read_with_their_texts_in_pages_and_by_id(store: Store, _url: String) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let mut ids = Vec::new();
    for description in ["工地夜里打桩", "烧烤油烟很大", "河道发黑发臭"] {
        let mut form = form("440305", "noise");
        form.description = description.into();
        ids.push(
            intake(&store, &form, unit_id, None)
                .await
                .expect("intake")
                .case
                .id,
        );
    }
    let first = store.cases_with_text(0, 2).await.expect("page");
    let texts: Vec<&str> = first.iter().map(|c| c.description.as_str()).collect();
    assert_eq!(texts, ["工地夜里打桩", "烧烤油烟很大"]);
    assert_eq!(first[0].address, "某路100号");
    let rest = store.cases_with_text(first[1].id, 2).await.expect("page");
    assert_eq!(rest.iter().map(|c| c.id).collect::<Vec<_>>(), [ids[2]]);
    let picked = store
        .cases_with_text_by_id(&[ids[2], ids[0], ids[2] + 1_000])
        .await
        .expect("by id");
    let picked: Vec<(i64, &str)> = picked
        .iter()
        .map(|c| (c.id, c.description.as_str()))
        .collect();
    assert_eq!(picked, [(ids[0], "工地夜里打桩"), (ids[2], "河道发黑发臭")]);
}

pub async fn a_suggestion_is_kept_and_a_review_rewrites_the_types_with_its_event(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let new = NewCase::parse(&form("440305", "noise")).expect("valid form");
    let suggestion = TypeSuggestion {
        primary_type: PollutionType::parse("air").expect("type"),
        sub_type: Some(greenline_domain::SubType::parse("odor").expect("sub-type")),
        confidence: 0.8734,
    };
    let receipt = store
        .intake(IntakeRecord {
            case: new,
            unit_id,
            received_at: now(),
            due_at: None,
            secret: "SECRET123456".into(),
            secret_hash: "hash-of-secret".into(),
            actor: Actor::public(),
            idempotency: None,
            suggestion: Some(suggestion),
        })
        .await
        .expect("intake");
    let stored = store.case(receipt.case.id).await.expect("read back");
    assert_eq!(stored, receipt.case, "the receipt is the case as stored");
    let kept = stored.suggestion.expect("suggestion kept");
    assert_eq!(kept.primary_type.code(), "air");
    assert_eq!(kept.sub_type.map(|s| s.code()), Some("odor"));
    assert!(
        (kept.confidence - 0.873).abs() < 1e-9,
        "{}",
        kept.confidence
    );
    assert_eq!(stored.type_review, None);

    let types = TypesForm {
        primary_type: "air".into(),
        other_types: vec!["noise".into()],
        sub_type: Some("odor".into()),
        note: Some("来电核实".into()),
    }
    .parse()
    .expect("types");
    let reviewed = review_types(&stored, types);
    let actor = Actor::system("test");
    let written = store
        .record_review(&reviewed, event(&actor))
        .await
        .expect("review");
    assert_eq!(written.action, "correct_types");
    let after = store.case(stored.id).await.expect("read back");
    assert_eq!(after, reviewed.case);
    assert_eq!(after.type_review, Some(TypeReview::Corrected));
    let air = PollutionType::parse("air").expect("type");
    let noise = PollutionType::parse("noise").expect("type");
    let by_type = |t| {
        let store = store.clone();
        async move {
            all(
                &store,
                CaseFilter {
                    pollution_type: Some(t),
                    ..CaseFilter::default()
                },
            )
            .await
        }
    };
    assert_eq!(by_type(air).await, vec![stored.id], "type rows rewritten");
    assert_eq!(by_type(noise).await, vec![stored.id]);
    let texts = store.reviewed_texts(0, 10).await.expect("reviewed");
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].2, "air");

    // The same review again, from the old version, is stale.
    assert!(matches!(
        store.record_review(&reviewed, event(&actor)).await,
        Err(StoreError::Conflict)
    ));
    let events = store.events(stored.id).await.expect("events");
    assert_eq!(events.len(), 2, "register and one review");
}

pub async fn a_merge_groups_a_repeat_and_a_stale_or_nested_merge_is_refused(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let receipt = intake(&store, &form("440305", "noise"), unit_id, None)
            .await
            .expect("intake");
        ids.push(receipt.case.id);
    }
    let first = store.case(ids[0]).await.expect("case");
    let first = change(&store, &first, Command::Accept { note: None })
        .await
        .expect("accept");
    let second = store.case(ids[1]).await.expect("case");
    let lead = store.group_lead(first.id).await.expect("lead");
    assert_eq!(lead, (first.id, Stage::Accepted));
    let merged = merge(&second, &first, lead, false).expect("merge");
    assert!(merged.reject_as_repeat);
    let actor = Actor::system("test");
    let written = store
        .record_merge(&merged, event(&actor))
        .await
        .expect("merge");
    assert_eq!(written.action, "merge");
    assert_eq!(
        store.case(second.id).await.expect("case").repeat_of,
        Some(first.id)
    );
    assert_eq!(
        store.repeats_of(first.id).await.expect("repeats"),
        vec![second.id]
    );
    assert_eq!(store.group_lead(second.id).await.expect("lead").0, first.id);

    // A stale merge (the case changed since) is refused.
    assert!(matches!(
        store.record_merge(&merged, event(&actor)).await,
        Err(StoreError::Conflict)
    ));
    // The first case leads a group now: merging it into the third is refused by the store even
    // when the caller skipped the check.
    let third = store.case(ids[2]).await.expect("case");
    let nested = merge(&first, &third, (third.id, third.stage), false).expect("domain allows");
    assert!(matches!(
        store.record_merge(&nested, event(&actor)).await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(store.case(first.id).await.expect("case").repeat_of, None);
}

/// Expands to one test per suite function, each on a fresh store from the caller's `fresh()`.
/// A view that follows the event log, as the server's indexes do: it polls, and keeps every case
/// it was given.
struct Follower {
    reader: greenline_store::FeedReader,
}

impl Follower {
    /// A follower from the start of the log.
    fn from_start() -> Follower {
        Follower {
            reader: greenline_store::FeedReader::default(),
        }
    }

    /// The cases of the events found by one poll.
    async fn poll(&mut self, store: &Store) -> Vec<i64> {
        store
            .feed_read(&mut self.reader, 1_000)
            .await
            .expect("read the event log")
            .case_ids
    }
}

/// What a follower polling in a task of its own has been given so far.
#[derive(Default)]
struct Followed {
    cases: std::sync::Mutex<std::collections::BTreeSet<i64>>,
    stop: std::sync::atomic::AtomicBool,
}

impl Followed {
    fn start(
        store: &Store,
        mut follower: Follower,
    ) -> (Arc<Followed>, tokio::task::JoinHandle<()>) {
        let followed = Arc::new(Followed::default());
        let (store, shared) = (store.clone(), followed.clone());
        let task = tokio::spawn(async move {
            while !shared.stop.load(std::sync::atomic::Ordering::Relaxed) {
                let ids = follower.poll(&store).await;
                shared.cases.lock().expect("not poisoned").extend(ids);
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        });
        (followed, task)
    }

    /// The cases of `ids` not given yet, after waiting up to `seconds` for them.
    async fn missing_after(&self, ids: &[i64], seconds: u64) -> Vec<i64> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            let missing: Vec<i64> = {
                let cases = self.cases.lock().expect("not poisoned");
                ids.iter()
                    .copied()
                    .filter(|id| !cases.contains(id))
                    .collect()
            };
            if missing.is_empty() || tokio::time::Instant::now() >= deadline {
                return missing;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

async fn case_ids_in_table(url: &str) -> Vec<i64> {
    let mut raw = sqlx::AnyConnection::connect(url)
        .await
        .expect("raw connection");
    let ids = sqlx::query_scalar("SELECT id FROM cases ORDER BY id")
        .fetch_all(&mut raw)
        .await
        .expect("case ids");
    raw.close().await.expect("close");
    ids
}

/// On PostgreSQL: the highest event id handed out, committed or not (a sequence is outside
/// transactions).
async fn event_ids_handed_out(url: &str) -> i64 {
    let mut raw = sqlx::AnyConnection::connect(url)
        .await
        .expect("raw connection");
    let last = sqlx::query_scalar("SELECT last_value FROM case_events_id_seq")
        .fetch_one(&mut raw)
        .await
        .expect("sequence");
    raw.close().await.expect("close");
    last
}

/// An import holds its transaction open while live cases are registered and committed; on
/// PostgreSQL its events took their (lower) ids first and commit last. A follower polling all
/// along must be given the live cases while the import is open, and every case once it commits.
/// (On SQLite the live cases wait for the import's write lock, so they commit after it.)
pub async fn a_follower_is_given_every_case_of_a_long_transaction_that_commits_late(
    store: Store,
    url: String,
) {
    use greenline_store::{ImportItem, ImportMessage};
    const IMPORTED: usize = 50;
    const LIVE: usize = 20;
    let postgres = url.starts_with("postgres");
    let unit_id = unit(&store, "全国平台", "000000").await;
    for _ in 0..3 {
        intake(&store, &form("440305", "air"), unit_id, None)
            .await
            .expect("intake");
    }
    let (followed, follower) = Followed::start(&store, Follower::from_start());

    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let importer = {
        let store = store.clone();
        tokio::spawn(async move { store.import(receiver).await })
    };
    let before = if postgres {
        event_ids_handed_out(&url).await
    } else {
        0
    };
    for i in 0..IMPORTED {
        let item = ImportItem {
            imported: record(&format!("LONG-{i}"))
                .to_imported()
                .expect("valid record"),
            unit_id,
            due_at: None,
        };
        sender
            .send(ImportMessage::Cases(vec![item]))
            .await
            .expect("importer listens");
    }
    let live = if postgres {
        // Every imported case wrote its four events (ids taken, not committed) ...
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while event_ids_handed_out(&url).await < before + 4 * IMPORTED as i64 {
            assert!(tokio::time::Instant::now() < deadline, "the import stalled");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        // ... before the live cases take higher ids and commit.
        let mut live = Vec::new();
        for _ in 0..LIVE {
            let receipt = intake(&store, &form("110108", "noise"), unit_id, None)
                .await
                .expect("live intake while the import is open");
            live.push(receipt.case.id);
        }
        let missing = followed.missing_after(&live, 10).await;
        assert!(
            missing.is_empty(),
            "live cases not given while the import was open: {missing:?}"
        );
        assert!(!importer.is_finished(), "the import is still open");
        sender.send(ImportMessage::Commit).await.expect("commit");
        live
    } else {
        let intakes = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut live = Vec::new();
                for _ in 0..LIVE {
                    let receipt = intake(&store, &form("110108", "noise"), unit_id, None)
                        .await
                        .expect("live intake after the import");
                    live.push(receipt.case.id);
                }
                live
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        sender.send(ImportMessage::Commit).await.expect("commit");
        intakes.await.expect("intakes")
    };
    let summary = importer.await.expect("importer").expect("import");
    assert_eq!(summary.imported, IMPORTED as u64);
    assert_eq!(live.len(), LIVE);

    let every = case_ids_in_table(&url).await;
    assert_eq!(every.len(), 3 + IMPORTED + LIVE);
    let missing = followed.missing_after(&every, 10).await;
    followed
        .stop
        .store(true, std::sync::atomic::Ordering::Relaxed);
    follower.await.expect("follower");
    assert!(
        missing.is_empty(),
        "the follower was never given {} of the {} cases: {missing:?}",
        missing.len(),
        every.len()
    );
}

/// Reads until `reader` covers `target` (on PostgreSQL a transaction running anywhere on the
/// server may hold that back a moment); returns the cases given.
async fn read_until_covered(
    store: &Store,
    reader: &mut greenline_store::FeedReader,
    target: greenline_store::FeedTarget,
) -> std::collections::BTreeSet<i64> {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut given = std::collections::BTreeSet::new();
    loop {
        let changes = store.feed_read(reader, 100).await.expect("feed read");
        assert_eq!(changes.position, reader.position());
        given.extend(changes.case_ids);
        if reader.position().covers(target) && !changes.more {
            return given;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the reader never reached {target:?}: at {:?}",
            reader.position()
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

pub async fn the_feed_of_an_empty_log_gives_nothing(store: Store, _url: String) {
    use greenline_store::{FeedPosition, FeedReader};
    assert_eq!(store.latest_event_id().await.expect("latest"), 0);
    let head = store.feed_head().await.expect("head");
    let target = store.feed_target().await.expect("target");
    assert!(!head.is_beyond(target), "{head:?} {target:?}");
    for start in [FeedPosition::default(), head] {
        let mut reader = FeedReader::new(start);
        let first = store.feed_read(&mut reader, 10).await.expect("read");
        assert!(first.case_ids.is_empty(), "{first:?}");
        assert!(!first.more);
        assert!(first.position >= start);
        assert!(
            read_until_covered(&store, &mut reader, target)
                .await
                .is_empty()
        );
        assert_eq!(reader.highest_event_id(), 0);
    }
}

pub async fn a_reader_from_the_head_is_given_what_came_after_it(store: Store, url: String) {
    use greenline_store::{FeedPosition, FeedReader};
    let unit_id = unit(&store, "全国平台", "000000").await;
    let mut before = Vec::new();
    for _ in 0..2 {
        let receipt = intake(&store, &form("440305", "air"), unit_id, None).await;
        before.push(receipt.expect("intake").case.id);
    }
    // A view built now from the tables would hold `before`; it follows the log from here.
    let head = store.feed_head().await.expect("head");
    let mut after = Vec::new();
    for _ in 0..3 {
        let receipt = intake(&store, &form("110108", "noise"), unit_id, None).await;
        after.push(receipt.expect("intake").case.id);
    }
    let accepted = change(
        &store,
        &store.case(before[0]).await.expect("case"),
        Command::Accept { note: None },
    )
    .await
    .expect("accept");
    let target = store.feed_target().await.expect("target");

    let mut reader = FeedReader::new(head);
    let given = read_until_covered(&store, &mut reader, target).await;
    let later: std::collections::BTreeSet<i64> =
        after.iter().copied().chain([accepted.id]).collect();
    assert!(
        given.is_superset(&later),
        "{given:?} lacks some of {later:?}"
    );
    if url.starts_with("sqlite") {
        // In id order nothing before the head comes again.
        assert_eq!(given, later);
    }
    assert!(reader.highest_event_id() <= store.latest_event_id().await.expect("latest"));

    // A view records its position and resumes from it: nothing again, then what is new.
    let recorded = serde_json::to_string(&reader.position()).expect("serialize");
    let resumed: FeedPosition = serde_json::from_str(&recorded).expect("deserialize");
    assert_eq!(resumed, reader.position());
    // Against a target taken later: the position has moved past earlier ones.
    let now = store.feed_target().await.expect("target");
    assert!(!resumed.is_beyond(now), "{resumed:?} {now:?}");
    let mut reader = FeedReader::new(resumed);
    let newest = intake(&store, &form("440305", "water"), unit_id, None)
        .await
        .expect("intake")
        .case
        .id;
    let target = store.feed_target().await.expect("target");
    let given = read_until_covered(&store, &mut reader, target).await;
    assert!(given.contains(&newest), "{given:?}");
    assert!(given.is_subset(&later.iter().copied().chain([newest]).collect()));

    // A position from some other log lies beyond this one.
    let foreign: FeedPosition =
        serde_json::from_str(r#"{"tx": 4000000000000000000, "event": 1}"#).expect("position");
    assert!(foreign.is_beyond(target));
}

/// On PostgreSQL: a live case is given while an older transaction, whose event took a lower id,
/// is still open; that transaction's case is given once it commits. (On SQLite an open write
/// transaction holds the only write lock: live cases wait for it, so there is nothing to test.)
pub async fn a_live_case_is_given_while_an_older_transaction_is_open(store: Store, url: String) {
    use greenline_store::FeedReader;
    if !url.starts_with("postgres") {
        return;
    }
    let unit_id = unit(&store, "全国平台", "000000").await;
    let mut reader = FeedReader::new(store.feed_head().await.expect("head"));
    // The first read notes where the log ends.
    store.feed_read(&mut reader, 100).await.expect("read");

    let mut raw = sqlx::AnyConnection::connect(&url)
        .await
        .expect("raw connection");
    let mut open = raw.begin().await.expect("begin");
    let held: i64 = sqlx::query_scalar(
        "INSERT INTO cases (kind, channel, stage, primary_type, types, region_code, address, \
         description, unit_id, received_at, secret_hash) VALUES ('report', 'phone', \
         'registered', 'air', 'air', '440305', '某路1号', '长事务里写的', $1, 0, '-') RETURNING id",
    )
    .bind(unit_id)
    .fetch_one(&mut *open)
    .await
    .expect("case in the open transaction");
    sqlx::query(
        "INSERT INTO case_events (case_id, at, actor, action, to_stage) \
         VALUES ($1, 0, 'system:test', 'register', 'registered')",
    )
    .bind(held)
    .execute(&mut *open)
    .await
    .expect("event in the open transaction");

    let live = intake(&store, &form("110108", "noise"), unit_id, None)
        .await
        .expect("live intake")
        .case
        .id;
    let target = store.feed_target().await.expect("target");
    let mut given = std::collections::BTreeSet::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !given.contains(&live) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "live case not given"
        );
        let changes = store.feed_read(&mut reader, 100).await.expect("read");
        given.extend(changes.case_ids);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(!given.contains(&held), "an uncommitted case was given");
    assert!(
        !reader.position().covers(target),
        "the position cannot pass a transaction still open"
    );

    open.commit().await.expect("commit");
    raw.close().await.expect("close");
    let target = store.feed_target().await.expect("target");
    let after = read_until_covered(&store, &mut reader, target).await;
    assert!(after.contains(&held), "{after:?}");
    assert!(
        !after.contains(&live),
        "the live case, given by the fast path, came again: {after:?}"
    );
}

async fn queue_ids(
    store: &Store,
    question: greenline_store::QueueQuestion<'_>,
    band: greenline_store::DueBand,
    order: greenline_store::QueueOrder,
    limit: u32,
    offset: u32,
) -> Vec<i64> {
    store
        .queue_page(&question, band, order, limit, offset)
        .await
        .expect("page")
        .into_iter()
        .map(|h| h.case.id)
        .collect()
}

pub async fn the_queue_counts_by_stage_and_deadline_and_pages_the_least_time_left_first(
    store: Store,
    _url: String,
) {
    use greenline_store::{DueBand, QueueOrder, QueueQuestion};
    let nation = unit(&store, "全国平台", "000000").await;
    let nanshan = unit(&store, "南山管理局", "440305").await;
    let mut ids = Vec::new();
    for (unit_id, due) in [
        (nanshan, Some(now() - Duration::days(1))),
        (nanshan, Some(now() + Duration::days(2))),
        (nanshan, Some(now() + Duration::days(10))),
        (nation, None),
    ] {
        let receipt = store
            .intake(IntakeRecord {
                case: NewCase::parse(&form("440305", "noise")).expect("valid form"),
                unit_id,
                received_at: now(),
                due_at: due,
                secret: "SECRET123456".into(),
                secret_hash: "hash-of-secret".into(),
                actor: Actor::public(),
                idempotency: None,
                suggestion: None,
            })
            .await
            .expect("intake");
        ids.push(receipt.case.id);
    }
    let (overdue, soon, later, undated) = (ids[0], ids[1], ids[2], ids[3]);
    let filter = CaseFilter::default();
    let question = QueueQuestion {
        held_within: RegionCode::NATIONAL,
        stages: &[Stage::Registered, Stage::Handling],
        excluded: &[],
        filter: &filter,
        among: None,
    };
    let counts = store
        .queue_counts(&question, now(), now() + Duration::days(3))
        .await
        .expect("counts");
    assert_eq!(counts.len(), 1, "{counts:?}");
    assert_eq!(
        (counts[0].kind, counts[0].stage, counts[0].total),
        (CaseKind::Report, Stage::Registered, 4)
    );
    assert_eq!((counts[0].overdue, counts[0].due_soon), (1, 1));

    // No deadline last, on both backends.
    assert_eq!(
        queue_ids(&store, question, DueBand::Any, QueueOrder::Urgency, 10, 0).await,
        vec![overdue, soon, later, undated]
    );
    assert_eq!(
        queue_ids(&store, question, DueBand::Any, QueueOrder::Urgency, 2, 1).await,
        vec![soon, later]
    );
    assert_eq!(
        queue_ids(
            &store,
            question,
            DueBand::Overdue { now: now() },
            QueueOrder::Urgency,
            10,
            0
        )
        .await,
        vec![overdue]
    );
    let due_soon = DueBand::DueSoon {
        now: now(),
        until: now() + Duration::days(3),
    };
    assert_eq!(
        queue_ids(&store, question, due_soon, QueueOrder::Urgency, 10, 0).await,
        vec![soon]
    );
    assert_eq!(
        queue_ids(&store, question, DueBand::Any, QueueOrder::Received, 10, 0).await,
        vec![overdue, soon, later, undated]
    );
    // Held in Nanshan: the national desk's case is not Nanshan's work.
    let nanshans = QueueQuestion {
        held_within: RegionCode::parse("440305").expect("region"),
        ..question
    };
    let counts = store
        .queue_counts(&nanshans, now(), now() + Duration::days(3))
        .await
        .expect("counts");
    assert_eq!(counts[0].total, 3);
    let holders: Vec<String> = store
        .queue_page(&nanshans, DueBand::Any, QueueOrder::Urgency, 10, 0)
        .await
        .expect("page")
        .into_iter()
        .map(|h| h.holder_region.to_string())
        .collect();
    assert_eq!(holders, vec!["440305"; 3]);
    // A kind left out, and the hits of a text search.
    let excluded = [(CaseKind::Report, Stage::Registered)];
    let without = QueueQuestion {
        excluded: &excluded,
        ..question
    };
    assert!(
        queue_ids(&store, without, DueBand::Any, QueueOrder::Urgency, 10, 0)
            .await
            .is_empty()
    );
    let none_counted = store
        .queue_counts(&without, now(), now() + Duration::days(3))
        .await
        .expect("counts");
    assert!(none_counted.is_empty(), "{none_counted:?}");
    let hits = [undated, soon];
    let among = QueueQuestion {
        among: Some(&hits),
        ..question
    };
    assert_eq!(
        queue_ids(&store, among, DueBand::Any, QueueOrder::Urgency, 10, 0).await,
        vec![soon, undated]
    );
    let none = QueueQuestion {
        among: Some(&[]),
        ..question
    };
    assert!(
        queue_ids(&store, none, DueBand::Any, QueueOrder::Urgency, 10, 0)
            .await
            .is_empty()
    );
}

pub async fn a_draft_an_approval_and_callbacks_are_kept_and_counted(store: Store, _url: String) {
    use greenline_domain::{EnforcementAction, Outcome, Satisfaction};
    use greenline_store::{CallbackQuery, CallbackSource, NewCallback, StepEvent};

    let county = unit(&store, "南山管理局", "440305").await;
    let other = unit(&store, "福田管理局", "440304").await;
    assert!(!store.unit_needs_approval(county).await.expect("flag"));
    let audit = audit_entry(None, "set_unit_approval");
    store
        .set_unit_approval(county, true, &audit)
        .await
        .expect("set");
    assert!(store.unit_needs_approval(county).await.expect("flag"));
    assert_eq!(
        store.units_needing_approval().await.expect("list"),
        [county]
    );
    assert!(matches!(
        store.set_unit_approval(9999, true, &audit).await,
        Err(StoreError::NotFound(_))
    ));

    let receipt = intake(&store, &form("440305", "noise"), county, None)
        .await
        .expect("intake");
    let mut case = receipt.case;
    for command in [
        Command::Accept { note: None },
        Command::Handle { note: None },
        Command::Submit {
            outcome: Outcome::Substantiated,
            findings: "夜间施工属实".into(),
            enforcement: vec![EnforcementAction::Fine {
                amount_yuan: 30_000,
            }],
            reply: "已罚款三万元".into(),
        },
    ] {
        case = change(&store, &case, command).await.expect("change");
    }
    assert_eq!(case.stage, Stage::PendingApproval);
    let draft = case.draft.clone().expect("the draft is kept");
    assert_eq!(draft.reply, "已罚款三万元");
    assert_eq!(case.reply, None);
    // The queue's rows leave the draft out with the other texts.
    let filter = CaseFilter::default();
    let held = store
        .queue_page(
            &greenline_store::QueueQuestion {
                held_within: RegionCode::parse("440305").expect("region"),
                stages: &[Stage::PendingApproval],
                excluded: &[],
                filter: &filter,
                among: None,
            },
            greenline_store::DueBand::Any,
            greenline_store::QueueOrder::Urgency,
            10,
            0,
        )
        .await
        .expect("held");
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].case.draft, None);

    // An approval writes its events in one go, the approver named on each.
    let limits = DeadlineTable::statutory().limits_for(case.kind, case.region);
    let applied = apply(&case, &Command::Approve { note: None }, now(), &limits).expect("approve");
    let approver = Actor {
        staff_id: None,
        label: "审核人".into(),
    };
    let steps = [
        ("approve", Stage::PendingApproval, Stage::PendingApproval),
        ("conclude", Stage::PendingApproval, Stage::Concluded),
        ("reply", Stage::Concluded, Stage::Replied),
    ]
    .map(|(action, from, to)| StepEvent {
        action: action.into(),
        from,
        to,
        event: NewEvent {
            actor: &approver,
            at: now(),
            note: None,
            data: serde_json::json!({}),
        },
    });
    let written = store
        .record_change_as(&applied, None, &steps, None)
        .await
        .expect("approve");
    let actions: Vec<&str> = written.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["approve", "conclude", "reply"]);
    assert!(written.iter().all(|e| e.actor == "审核人"));
    let approved = store.case(case.id).await.expect("case");
    assert_eq!(approved.stage, Stage::Replied);
    assert_eq!(
        (approved.draft, approved.reply.as_deref()),
        (None, Some("已罚款三万元"))
    );
    // A stale approval is refused.
    assert!(matches!(
        store.record_change_as(&applied, None, &steps, None).await,
        Err(StoreError::Conflict)
    ));

    let callback = |satisfaction, solved, unit_id, source| NewCallback {
        case_id: case.id,
        unit_id,
        region: RegionCode::parse("440305").expect("region"),
        at: now(),
        satisfaction,
        solved,
        note: Some("回访".into()),
        source,
        actor_id: None,
        actor: "回访员".into(),
    };
    let actor = Actor::system("test");
    for c in [
        callback(Satisfaction::Satisfied, true, county, CallbackSource::Staff),
        callback(
            Satisfaction::BasicallySatisfied,
            true,
            county,
            CallbackSource::Reporter,
        ),
        callback(
            Satisfaction::Dissatisfied,
            false,
            other,
            CallbackSource::Staff,
        ),
    ] {
        store
            .record_callback(&c, "callback", event(&actor))
            .await
            .expect("callback");
    }
    let kept = store.callbacks(case.id).await.expect("callbacks");
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[1].source, CallbackSource::Reporter);
    let events = store.events(case.id).await.expect("events");
    assert_eq!(events.iter().filter(|e| e.action == "callback").count(), 3);
    let counts = store
        .callback_counts(&CallbackQuery {
            within: RegionCode::parse("440300").ok(),
            ..CallbackQuery::default()
        })
        .await
        .expect("counts");
    let total: u64 = counts.iter().map(|c| c.count).sum();
    assert_eq!(total, 3);
    let of_county: u64 = store
        .callback_counts(&CallbackQuery {
            unit_id: Some(county),
            from: Some(now()),
            before: Some(now() + Duration::days(1)),
            ..CallbackQuery::default()
        })
        .await
        .expect("counts")
        .iter()
        .map(|c| c.count)
        .sum();
    assert_eq!(of_county, 2);
    let elsewhere = store
        .callback_counts(&CallbackQuery {
            within: RegionCode::parse("110000").ok(),
            ..CallbackQuery::default()
        })
        .await
        .expect("counts");
    assert!(elsewhere.is_empty());
    let later = store
        .callback_counts(&CallbackQuery {
            from: Some(now() + Duration::seconds(1)),
            ..CallbackQuery::default()
        })
        .await
        .expect("counts");
    assert!(later.is_empty());
}

/// A case taken from intake to `Published`, with `summary` as its published result.
pub async fn published(store: &Store, case: &Case, summary: &str) -> Case {
    let mut case = case.clone();
    for command in [
        Command::Accept { note: None },
        Command::Handle { note: None },
        Command::Conclude {
            outcome: greenline_domain::Outcome::Substantiated,
            findings: "现场检查属实".into(),
            enforcement: Vec::new(),
        },
        Command::Reply {
            text: "已责令整改".into(),
        },
        Command::Publish {
            summary: summary.into(),
        },
    ] {
        case = change(store, &case, command).await.expect("step");
    }
    case
}

pub async fn published_cases_are_those_with_a_public_result_newest_first(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let new = |region: &str, primary: &str| {
        let form = form(region, primary);
        let store = store.clone();
        async move {
            intake(&store, &form, unit_id, None)
                .await
                .expect("intake")
                .case
        }
    };
    let nanshan = new("440305", "air").await;
    let futian = new("440304", "noise").await;
    let replied_only = new("440305", "air").await;
    let closed_after = new("440305", "water").await;
    let nanshan = published(&store, &nanshan, "已查处").await;
    published(&store, &futian, "已整改").await;
    let closed_after = published(&store, &closed_after, "已公开").await;
    change(&store, &closed_after, Command::Close { note: None })
        .await
        .expect("close");
    let mut replied = replied_only.clone();
    for command in [
        Command::Accept { note: None },
        Command::Handle { note: None },
        Command::Conclude {
            outcome: greenline_domain::Outcome::Substantiated,
            findings: "属实".into(),
            enforcement: Vec::new(),
        },
        Command::Reply {
            text: "已答复".into(),
        },
    ] {
        replied = change(&store, &replied, command).await.expect("step");
    }

    let ids = |rows: Vec<greenline_store::PublishedRow>| -> Vec<i64> {
        rows.into_iter().map(|r| r.case.id).collect()
    };
    let page = |filter: CaseFilter| {
        let store = store.clone();
        async move {
            store
                .published_cases(&CaseFilter {
                    limit: 10,
                    ..filter
                })
                .await
                .expect("published")
        }
    };
    let everything = page(CaseFilter::default()).await;
    assert!(everything.iter().all(|r| r.published_at == Some(now())));
    assert_eq!(ids(everything), [closed_after.id, futian.id, nanshan.id]);
    let nanshan_only = CaseFilter {
        region: Some(RegionCode::parse("440305").expect("region")),
        ..CaseFilter::default()
    };
    assert_eq!(
        ids(page(nanshan_only.clone()).await),
        [closed_after.id, nanshan.id]
    );
    let noise = CaseFilter {
        pollution_type: Some(PollutionType::parse("noise").expect("type")),
        ..CaseFilter::default()
    };
    assert_eq!(ids(page(noise).await), [futian.id]);
    let older = CaseFilter {
        before_id: Some(closed_after.id),
        limit: 1,
        ..nanshan_only
    };
    assert_eq!(
        ids(store.published_cases(&older).await.expect("page")),
        [nanshan.id]
    );

    let one = store.published_case(nanshan.id).await.expect("published");
    assert_eq!(one.case.public_summary.as_deref(), Some("已查处"));
    assert!(matches!(
        store.published_case(replied.id).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.published_case(999_999).await,
        Err(StoreError::NotFound(_))
    ));
}

#[macro_export]
macro_rules! behaviour_suite {
    ($(#[$attr:meta])*) => {
        $crate::behaviour_suite!(@tests [$(#[$attr])*]
            an_intake_is_stored_with_its_first_event,
            an_acknowledged_intake_survives_reopening_the_store,
            a_replayed_idempotency_key_creates_nothing_new,
            a_change_is_written_with_its_event_and_a_stale_change_is_refused,
            events_cannot_be_edited_or_deleted,
            search_filters_by_region_subtree_type_stage_and_overdue,
            reading_a_reporter_is_itself_recorded,
            cases_are_found_by_the_reporters_phone_however_it_was_typed,
            accounts_units_and_sessions,
            the_audit_trail_is_chained_and_cannot_be_altered,
            a_duplicate_external_id_is_refused_and_leaves_nothing,
            one_bad_submission_among_concurrent_ones_fails_alone,
            an_import_is_all_or_nothing_and_skips_known_ids,
            a_first_import_refuses_a_case_that_comes_twice,
            an_air_import_is_all_or_nothing_and_idempotent,
            a_suggestion_is_kept_and_a_review_rewrites_the_types_with_its_event,
            a_merge_groups_a_repeat_and_a_stale_or_nested_merge_is_refused,
            cases_are_read_with_their_texts_in_pages_and_by_id,
            a_follower_is_given_every_case_of_a_long_transaction_that_commits_late,
            the_feed_of_an_empty_log_gives_nothing,
            a_reader_from_the_head_is_given_what_came_after_it,
            a_live_case_is_given_while_an_older_transaction_is_open,
            the_queue_counts_by_stage_and_deadline_and_pages_the_least_time_left_first,
            a_draft_an_approval_and_callbacks_are_kept_and_counted,
            units_rules_templates_and_deadlines_are_kept_with_their_audit_records,
            an_intake_routed_by_rules_is_stored_at_its_last_unit_with_an_event_per_step,
            a_reports_files_are_written_with_the_case_and_an_event_each,
            a_point_is_kept_exactly_and_reports_are_found_by_county_type_and_stage,
            published_cases_are_those_with_a_public_result_newest_first,
            notices_are_written_with_their_change_per_channel_and_delivered_once,
            tracking_codes_are_counted_used_once_and_a_secret_is_replaced_with_its_event,
            an_answer_keeps_its_published_version_while_a_change_waits_and_logs_every_step,
            an_eia_project_keeps_its_notices_in_order_with_an_event_each,
            a_commenters_identity_is_kept_apart_and_its_reading_recorded,
            comments_are_regrouped_and_answers_published_once_with_the_statement,
            a_disclosure_request_is_kept_with_its_events_and_a_stale_change_is_refused,
            reading_an_applicant_leaves_an_event_and_an_audit_record,
            the_annual_tallies_give_each_requests_answer_and_ground,
        );
    };
    (@tests $attrs:tt $($test:ident),* $(,)?) => {
        $( $crate::behaviour_suite!(@one $attrs $test); )*
    };
    (@one [$(#[$attr:meta])*] $test:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        $(#[$attr])*
        async fn $test() {
            let (store, url) = fresh().await;
            behaviour::$test(store.clone(), url).await;
            store.close().await;
        }
    };
}
