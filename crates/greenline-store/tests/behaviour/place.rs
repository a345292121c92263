//! A case's point, kept exactly (millionths of a degree) and absent when none was given; and
//! the reports of a county and type in given stages, newest first, repeats left out.

use greenline_domain::{Command, PollutionType, RegionCode, Stage, merge};
use greenline_store::{Actor, NewEvent, Store};

use super::{change, form, intake, now, unit};

pub async fn a_point_is_kept_exactly_and_reports_are_found_by_county_type_and_stage(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "全国平台", "000000").await;
    let mut with_point = form("440305", "air");
    with_point.latitude = Some(22.543_099);
    with_point.longitude = Some(-113.934_527);
    let first = intake(&store, &with_point, unit_id, None)
        .await
        .expect("intake")
        .case;
    let stored = store.case(first.id).await.expect("read back");
    let point = stored.point.expect("point");
    assert_eq!(
        (point.latitude, point.longitude),
        (22.543_099, -113.934_527)
    );
    assert_eq!(stored, first);
    let events = store.events(first.id).await.expect("events");
    assert_eq!(
        events[0].data["point"],
        serde_json::json!({"latitude": 22.543_099, "longitude": -113.934_527})
    );
    let without = intake(&store, &form("440305", "air"), unit_id, None)
        .await
        .expect("intake")
        .case;
    assert_eq!(store.case(without.id).await.expect("read").point, None);

    let accept = || Command::Accept { note: None };
    let first = change(&store, &first, accept()).await.expect("accept");
    let second = change(&store, &without, accept()).await.expect("accept");
    let waiting = intake(&store, &form("440305", "air"), unit_id, None)
        .await
        .expect("intake")
        .case;
    let elsewhere = intake(&store, &form("440304", "air"), unit_id, None)
        .await
        .expect("intake")
        .case;
    change(&store, &elsewhere, accept()).await.expect("accept");
    let noise = intake(&store, &form("440305", "noise"), unit_id, None)
        .await
        .expect("intake")
        .case;
    change(&store, &noise, accept()).await.expect("accept");
    let nanshan = RegionCode::parse("440305").expect("region");
    let found = |stages: &'static [Stage]| {
        let store = store.clone();
        async move {
            store
                .reports_in_stages(
                    nanshan,
                    PollutionType::parse("air").expect("type"),
                    stages,
                    10,
                )
                .await
                .expect("reports")
                .into_iter()
                .map(|c| c.id)
                .collect::<Vec<_>>()
        }
    };
    // Same received time: the larger id first.
    assert_eq!(found(&[Stage::Accepted]).await, [second.id, first.id]);
    assert_eq!(found(&[Stage::Registered]).await, [waiting.id]);
    assert!(found(&[]).await.is_empty());

    // A repeat stands behind its group's first case.
    let merged = merge(&second, &first, (first.id, first.stage), false).expect("merge");
    let actor = Actor::system("test");
    store
        .record_merge(
            &merged,
            NewEvent {
                actor: &actor,
                at: now(),
                note: None,
                data: serde_json::json!({}),
            },
        )
        .await
        .expect("merge");
    assert_eq!(found(&[Stage::Accepted]).await, [first.id]);
}
