//! Sign-in has a limit of its own per client address: probes of the public tracking page from
//! an office's shared address do not lock its staff out, and guessing passwords is throttled
//! apart from the per-account lock.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use greenline_app::accounts::NewAccount;
use greenline_app::{App, ServiceError, Settings, SystemClock};
use greenline_domain::{DeadlineTable, RegionCode, Role};
use greenline_store::Store;

#[tokio::test]
async fn tracking_probes_and_sign_in_attempts_are_limited_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("sign-in.db").display());
    let store = Store::open(&url).await.expect("store");
    let app = App::new(
        store,
        Arc::new(SystemClock),
        DeadlineTable::statutory(),
        Settings {
            public_requests_per_minute: 3,
            sign_in_attempts_per_minute: 4,
            ..Settings::default()
        },
    );
    app.add_account(NewAccount {
        username: "duty".into(),
        display_name: "值班员".into(),
        password: "Night-shift-0k".into(),
        unit: "生态环境部".into(),
        region: Some(RegionCode::NATIONAL),
        roles: vec![Role::Operator],
    })
    .await
    .expect("account");
    let office = IpAddr::V4(Ipv4Addr::new(198, 51, 100, 20));

    // Someone at the office's address probes tracking numbers until refused.
    let mut refused = false;
    for n in 0..5 {
        let probe = app
            .track(
                office,
                &format!("GL-2026-{n:08}"),
                greenline_app::cases::track::Proof::Secret("WRONG".into()),
            )
            .await;
        refused |= matches!(probe, Err(ServiceError::TooManyRequests));
    }
    assert!(refused, "the public limit applies to tracking");
    // A colleague behind the same address still signs in.
    let session = app.sign_in(office, "duty", "Night-shift-0k".into()).await;
    assert!(session.is_ok(), "{session:?}");

    // Guessing is throttled by address (before any account is locked).
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        outcomes.push(app.sign_in(office, "duty", "guess".into()).await);
    }
    assert!(
        matches!(outcomes.last(), Some(Err(ServiceError::TooManyRequests))),
        "{outcomes:?}"
    );
}
