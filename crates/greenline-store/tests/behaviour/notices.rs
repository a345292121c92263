//! The notice outbox, written with its change and delivered once; the one-time codes of
//! tracking by phone; a replaced secret with its event.

use chrono::Duration;
use greenline_domain::{Case, Command, DeadlineTable, IntakeForm, apply};
use greenline_store::{Actor, NewEvent, NewNotice, NoticeStatus, StepEvent, Store, StoreError};

use super::{form, intake, now, unit};

fn notice() -> NewNotice {
    NewNotice {
        kind: "accepted".into(),
        subject: "您的举报已受理".into(),
        sms: Some("短信：已受理".into()),
        email: Some("邮件：已受理".into()),
    }
}

/// Accepts `case` with `notices`, as a step of the core does.
async fn accept(store: &Store, case: &Case, notices: &[NewNotice]) -> Result<(), StoreError> {
    let limits = DeadlineTable::statutory().limits_for(case.kind, case.region);
    let applied = apply(case, &Command::Accept { note: None }, now(), &limits).expect("allowed");
    let actor = Actor::system("test");
    let step = StepEvent {
        action: "accept".into(),
        from: applied.from,
        to: applied.to,
        event: NewEvent {
            actor: &actor,
            at: now(),
            note: None,
            data: serde_json::json!({}),
        },
    };
    store
        .record_change_noticed(&applied, None, &[step], notices)
        .await
        .map(|_| ())
}

pub async fn notices_are_written_with_their_change_per_channel_and_delivered_once(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let both = IntakeForm {
        reporter_email: Some("wang@example.com".into()),
        ..form("110108", "noise")
    };
    let case = intake(&store, &both, unit_id, None)
        .await
        .expect("intake")
        .case;
    let phone_only = intake(&store, &form("110108", "air"), unit_id, None)
        .await
        .expect("intake")
        .case;
    let anonymous = IntakeForm {
        anonymous: true,
        ..both.clone()
    };
    let hidden = intake(&store, &anonymous, unit_id, None)
        .await
        .expect("intake")
        .case;
    for c in [&case, &phone_only, &hidden] {
        accept(&store, c, &[notice()]).await.expect("accept");
    }
    // A stale change writes neither its event nor its notices.
    let stale = accept(&store, &case, &[notice()]).await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");

    let written = store.notices_of(case.id).await.expect("notices");
    let channels: Vec<_> = written.iter().map(|n| n.channel.as_str()).collect();
    assert_eq!(channels, ["sms", "email"]);
    assert!(written.iter().all(|n| n.status == NoticeStatus::Pending));
    assert_eq!(written[0].body, "短信：已受理");
    assert_eq!(written[1].subject, "您的举报已受理");
    let channels: Vec<_> = store
        .notices_of(phone_only.id)
        .await
        .expect("notices")
        .into_iter()
        .map(|n| n.channel)
        .collect();
    assert_eq!(channels, ["sms"], "no address, no e-mail");
    assert!(
        store
            .notices_of(hidden.id)
            .await
            .expect("notices")
            .is_empty()
    );

    // Claimed once: a second sender (another node) finds nothing until the lease ends.
    let lease = now() + Duration::minutes(5);
    let due = store.due_notices(now(), lease, 10).await.expect("due");
    assert_eq!(due.len(), 3);
    let sms = due
        .iter()
        .find(|d| d.notice.case_id == case.id && d.notice.channel == "sms")
        .expect("the SMS");
    assert_eq!(sms.to.as_deref(), Some("13900000000"));
    let mail = due
        .iter()
        .find(|d| d.notice.channel == "email")
        .expect("the e-mail");
    assert_eq!(mail.to.as_deref(), Some("wang@example.com"));
    assert!(
        store
            .due_notices(now(), lease, 10)
            .await
            .expect("due")
            .is_empty()
    );

    // A failure, then a retry that goes; both attempts kept.
    let retry = now() + Duration::minutes(1);
    store
        .record_notice_attempt(sms.notice.id, now(), Some("gateway down"), Some(retry))
        .await
        .expect("attempt");
    for d in due.iter().filter(|d| d.notice.id != sms.notice.id) {
        store
            .record_notice_attempt(d.notice.id, now(), None, None)
            .await
            .expect("attempt");
    }
    let again = store
        .due_notices(retry, retry + Duration::minutes(5), 10)
        .await
        .expect("due");
    assert_eq!(
        again.iter().map(|d| d.notice.id).collect::<Vec<_>>(),
        [sms.notice.id]
    );
    store
        .record_notice_attempt(sms.notice.id, retry, None, None)
        .await
        .expect("attempt");
    let attempts = store
        .notice_attempts(sms.notice.id)
        .await
        .expect("attempts");
    assert_eq!(
        attempts
            .iter()
            .map(|a| (a.ok, a.error.clone()))
            .collect::<Vec<_>>(),
        [(false, Some("gateway down".into())), (true, None)]
    );
    let sent = store.notices_of(case.id).await.expect("notices");
    assert!(sent.iter().all(|n| n.status == NoticeStatus::Sent));
    assert_eq!(sent[0].attempts, 2);
    assert_eq!(sent[0].sent_at, Some(retry));
    let later = now() + Duration::days(1);
    assert!(
        store
            .due_notices(later, later, 10)
            .await
            .expect("due")
            .is_empty()
    );

    // Given up: failed for good.
    let other = intake(&store, &form("110108", "water"), unit_id, None)
        .await
        .expect("intake")
        .case;
    accept(&store, &other, &[notice()]).await.expect("accept");
    let id = store.notices_of(other.id).await.expect("notices")[0].id;
    store
        .record_notice_attempt(id, now(), Some("no such number"), None)
        .await
        .expect("attempt");
    assert_eq!(
        store.notices_of(other.id).await.expect("notices")[0].status,
        NoticeStatus::Failed
    );
    assert!(
        store
            .due_notices(later, later, 10)
            .await
            .expect("due")
            .is_empty()
    );
}

pub async fn tracking_codes_are_counted_used_once_and_a_secret_is_replaced_with_its_event(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let case = intake(&store, &form("110108", "noise"), unit_id, None)
        .await
        .expect("intake")
        .case;
    let expires = now() + Duration::minutes(10);
    // A request whose phone did not match: counted, no code.
    store
        .insert_tracking_code(case.id, "stranger", None, now(), expires)
        .await
        .expect("request");
    let id = store
        .insert_tracking_code(case.id, "owner", Some("digest"), now(), expires)
        .await
        .expect("request");
    store
        .insert_tracking_code(case.id + 1, "owner", None, now(), expires)
        .await
        .expect("request");
    let since = now() - Duration::hours(1);
    assert_eq!(
        store
            .tracking_code_requests(case.id, "owner", since)
            .await
            .expect("counts"),
        (2, 2)
    );
    assert_eq!(
        store
            .tracking_code_requests(case.id, "owner", now())
            .await
            .expect("counts"),
        (0, 0),
        "only requests inside the window count"
    );
    let latest = store
        .latest_tracking_code(case.id)
        .await
        .expect("latest")
        .expect("a code");
    assert_eq!(latest.id, id);
    assert_eq!(latest.code_hash.as_deref(), Some("digest"));
    store.fail_tracking_code(id).await.expect("fail");
    store.fail_tracking_code(id).await.expect("fail");
    assert_eq!(
        store
            .latest_tracking_code(case.id)
            .await
            .expect("latest")
            .expect("a code")
            .failures,
        2
    );
    assert!(store.use_tracking_code(id, now()).await.expect("use"));
    assert!(
        !store.use_tracking_code(id, now()).await.expect("use"),
        "once"
    );
    assert!(
        store
            .latest_tracking_code(case.id)
            .await
            .expect("latest")
            .is_none()
    );
    assert_eq!(
        store
            .forget_tracking_codes(now() + Duration::days(2))
            .await
            .expect("forget"),
        3
    );

    let actor = Actor::public();
    store
        .replace_secret(
            case.id,
            "new-hash",
            NewEvent {
                actor: &actor,
                at: now(),
                note: None,
                data: serde_json::json!({ "proof": "phone_code" }),
            },
        )
        .await
        .expect("replace");
    let (hash, _) = store.case_credentials(case.id).await.expect("credentials");
    assert_eq!(hash, "new-hash");
    let events = store.events(case.id).await.expect("events");
    assert_eq!(
        events.last().map(|e| e.action.as_str()),
        Some("reissue_secret")
    );
    let missing = store
        .replace_secret(
            case.id + 100,
            "x",
            NewEvent {
                actor: &actor,
                at: now(),
                note: None,
                data: serde_json::json!({}),
            },
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}
