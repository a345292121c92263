//! Intake refuses the cheap way first: a citizen over the rate limit is turned away before the
//! form is read, so a flood of oversized descriptions costs no classification.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use greenline_app::cases::intake::Submitter;
use greenline_app::{App, ServiceError, Settings, SystemClock};
use greenline_domain::{DeadlineTable, IntakeForm, RegionCode};
use greenline_store::Store;

fn report(description: String) -> IntakeForm {
    IntakeForm {
        channel: "web".into(),
        primary_type: "noise".into(),
        region: "440305".into(),
        description,
        anonymous: true,
        ..IntakeForm::default()
    }
}

/// The core over a new SQLite file with a national office; the file's folder and URL.
async fn core(
    clock: Arc<dyn greenline_app::Clock>,
    settings: Settings,
) -> (App, Store, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("intake.db").display());
    let store = Store::open(&url).await.expect("store");
    let app = App::new(store.clone(), clock, DeadlineTable::statutory(), settings);
    app.add_unit("生态环境部", RegionCode::NATIONAL)
        .await
        .expect("unit");
    (app, store, dir, url)
}

#[tokio::test]
async fn the_rate_limit_and_the_length_come_before_the_text_is_read() {
    let (app, store, _dir, _) = core(
        Arc::new(SystemClock),
        Settings {
            public_requests_per_minute: 2,
            ..Settings::default()
        },
    )
    .await;
    let client = Submitter::Public(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)));
    let huge = "工地夜间施工噪声扰民。".repeat(50_000);

    let first = app.register(client, report(huge.clone()), None).await;
    assert!(
        matches!(&first, Err(ServiceError::Invalid(errors)) if errors[0].field == "description"),
        "{first:?}"
    );
    let second = app
        .register(client, report("工地夜里打桩太吵了".into()), None)
        .await;
    assert!(second.is_ok(), "{second:?}");
    // Over the limit: refused before the form is read, whatever it holds.
    let third = app.register(client, report(huge), None).await;
    assert!(
        matches!(third, Err(ServiceError::TooManyRequests)),
        "{third:?}"
    );
    store.close().await;
}

#[tokio::test]
async fn a_retry_key_of_the_public_belongs_to_the_client_that_sent_it() {
    use greenline_app::cases::intake::RetryKey;
    let (app, store, _dir, url) = core(Arc::new(SystemClock), Settings::default()).await;
    let key = || {
        Some(RetryKey {
            key: "2026-12-06-1".into(),
            request_hash: "the same body".into(),
        })
    };
    let form = || report("河边排污口夜里冒黑水".into());
    let one = Submitter::Public(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)));
    let other = Submitter::Public(IpAddr::V4(Ipv4Addr::new(198, 51, 100, 9)));

    let first = app.register(one, form(), key()).await.expect("first");
    let retried = app.register(one, form(), key()).await.expect("retry");
    assert!(retried.replayed);
    assert_eq!(retried.case.id, first.case.id);
    assert_eq!(retried.receipt.secret, first.receipt.secret);

    // The table holds neither the client's key nor the secret as they are.
    let kept: Vec<(String, String)> = {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&url)
            .await
            .expect("connect");
        sqlx::query_as("SELECT key, secret FROM idempotency_keys")
            .fetch_all(&mut conn)
            .await
            .expect("rows")
    };
    assert_eq!(kept.len(), 1);
    assert_ne!(kept[0].0, "2026-12-06-1");
    assert!(!kept[0].1.contains(&first.receipt.secret), "{kept:?}");

    let stranger = app
        .register(other, form(), key())
        .await
        .expect("other client");
    assert!(!stranger.replayed, "another client's key is not a retry");
    assert_ne!(stranger.case.id, first.case.id);
    assert_ne!(stranger.receipt.secret, first.receipt.secret);
    store.close().await;
}

#[tokio::test]
async fn a_retry_key_is_forgotten_after_a_day() {
    use greenline_app::ManualClock;
    use greenline_app::cases::intake::RetryKey;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let (app, store, _dir, _) = core(clock.clone(), Settings::default()).await;
    let key = || {
        Some(RetryKey {
            key: "a-day-old".into(),
            request_hash: "the same body".into(),
        })
    };
    let client = Submitter::Public(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)));
    let form = || report("河边排污口夜里冒黑水".into());
    let first = app.register(client, form(), key()).await.expect("first");

    clock.advance(chrono::Duration::hours(23));
    assert_eq!(app.forget_old_retry_keys().await.expect("forget"), 0);
    let retried = app.register(client, form(), key()).await.expect("retry");
    assert!(retried.replayed, "kept for a day");

    clock.advance(chrono::Duration::hours(2));
    assert_eq!(app.forget_old_retry_keys().await.expect("forget"), 1);
    let later = app.register(client, form(), key()).await.expect("later");
    assert!(!later.replayed, "forgotten after a day");
    assert_ne!(later.case.id, first.case.id);
    store.close().await;
}
