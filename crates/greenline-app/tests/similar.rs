//! "已有人反映过此问题？": the earlier reports a citizen is shown before submitting, and the
//! submission that follows one.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use greenline_app::cases::intake::Submitter;
use greenline_app::cases::similar::SimilarQuery;
use greenline_app::{App, ServiceError, Settings, SystemClock};
use greenline_domain::{
    Case, Command, DeadlineTable, IntakeForm, Outcome, RegionCode, RejectionReason, apply,
};
use greenline_store::{Actor, NewEvent, Store};

const CLIENT: IpAddr = IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9));
const NAME: &str = "欧阳娜娜";
const PHONE: &str = "13912345678";

async fn core() -> (App, Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("similar.db").display());
    let store = Store::open(&url).await.expect("store");
    let app = App::new(
        store.clone(),
        Arc::new(SystemClock),
        DeadlineTable::statutory(),
        Settings {
            public_requests_per_minute: 0,
            ..Settings::default()
        },
    );
    app.add_unit("生态环境部", RegionCode::NATIONAL)
        .await
        .expect("unit");
    (app, store, dir)
}

fn form(region: &str, primary: &str, address: &str, description: &str) -> IntakeForm {
    IntakeForm {
        channel: "web".into(),
        primary_type: primary.into(),
        region: region.into(),
        address: address.into(),
        description: description.into(),
        reporter_name: Some(NAME.into()),
        reporter_phone: Some(PHONE.into()),
        ..IntakeForm::default()
    }
}

async fn report(app: &App, form: IntakeForm) -> Case {
    app.register(Submitter::Public(CLIENT), form, None)
        .await
        .expect("registered")
        .case
}

/// Takes `commands` on the case in turn, as the store's own writes do.
async fn steps(store: &Store, case: &Case, commands: Vec<Command>) -> Case {
    let mut case = store.case(case.id).await.expect("case");
    for command in commands {
        let limits = DeadlineTable::statutory().limits_for(case.kind, case.region);
        let now = chrono::Utc::now();
        let applied = apply(&case, &command, now, &limits).expect("allowed");
        let actor = Actor::system("test");
        store
            .record_change(
                &applied,
                applied.case.current_deadline(&limits).map(|d| d.due_at),
                NewEvent {
                    actor: &actor,
                    at: now,
                    note: None,
                    data: serde_json::json!({}),
                },
            )
            .await
            .expect("step");
        case = store.case(case.id).await.expect("case");
    }
    case
}

fn accept() -> Command {
    Command::Accept { note: None }
}

fn query(region: &str, primary: &str, address: &str) -> SimilarQuery {
    SimilarQuery {
        primary_type: primary.into(),
        region: Some(region.into()),
        address: address.into(),
        description: "晚上烧烤油烟很大".into(),
        ..SimilarQuery::default()
    }
}

#[tokio::test]
async fn reports_in_hand_at_the_same_road_are_found_and_nothing_else() {
    let (app, store, _dir) = core().await;
    let planted = format!("我叫{NAME}，电话{PHONE}，解放北路12号烧烤店油烟直冲我家窗户");
    // In hand, same county, type and road: found.
    let handled = report(&app, form("440305", "air", "解放北路12号", &planted)).await;
    let handled = steps(&store, &handled, vec![accept()]).await;
    // Published, with a summary that (wrongly) carries a name and phone: found, masked.
    let published = report(&app, form("440305", "air", "解放北路30号", "烧烤油烟")).await;
    let published = steps(
        &store,
        &published,
        vec![
            accept(),
            Command::Handle { note: None },
            Command::Conclude {
                outcome: Outcome::Substantiated,
                findings: "油烟净化器未开启".into(),
                enforcement: Vec::new(),
            },
            Command::Reply {
                text: "已责令整改".into(),
            },
            Command::Publish {
                summary: format!("经查属实，已责令整改。联系人{NAME}，电话{PHONE}"),
            },
        ],
    )
    .await;
    // Not found: waiting for acceptance, rejected, another county, another type, another road.
    report(&app, form("440305", "air", "解放北路5号", "烧烤油烟")).await;
    let rejected = report(&app, form("440305", "air", "解放北路7号", "烧烤油烟")).await;
    steps(
        &store,
        &rejected,
        vec![Command::Reject {
            reason: RejectionReason::InsufficientDetail,
            note: None,
        }],
    )
    .await;
    let other_county = report(&app, form("440304", "air", "解放北路9号", "烧烤油烟")).await;
    steps(&store, &other_county, vec![accept()]).await;
    let other_type = report(&app, form("440305", "noise", "解放北路9号", "噪声")).await;
    steps(&store, &other_type, vec![accept()]).await;
    let other_road = report(&app, form("440305", "air", "解放南路9号", "烧烤油烟")).await;
    steps(&store, &other_road, vec![accept()]).await;

    let found = app
        .similar_reports(CLIENT, query("440305", "air", "解放北路100号"))
        .await
        .expect("similar");
    let numbers: Vec<&str> = found
        .reports
        .iter()
        .map(|r| r.tracking_no.as_str())
        .collect();
    assert_eq!(
        numbers,
        [
            published.tracking_no().to_string(),
            handled.tracking_no().to_string()
        ],
        "newest first, only the two in hand at 解放北路"
    );
    assert_eq!(found.reports[0].place, "解放北路");
    assert_eq!(found.reports[0].stage_zh, "已办结，结果已公开");
    assert_eq!(found.reports[1].stage_zh, "已受理，正在办理");
    assert_eq!(found.reports[1].public_summary, None);
    let summary = found.reports[0].public_summary.as_deref().expect("summary");
    assert!(summary.contains("经查属实"), "{summary}");
    let shown = serde_json::to_string(&found).expect("json");
    for secret in [NAME, PHONE, "12号", "直冲我家", "30号"] {
        assert!(!shown.contains(secret), "{secret} shown in {shown}");
    }

    // Without a county, without a type, or in another county: nothing.
    for q in [
        query("440300", "air", "解放北路"),
        query("440305", "auto", "解放北路"),
        query("440306", "air", "解放北路"),
    ] {
        let found = app.similar_reports(CLIENT, q).await.expect("similar");
        assert!(found.reports.is_empty(), "{found:?}");
    }
    store.close().await;
}

#[tokio::test]
async fn points_decide_when_both_reports_have_one() {
    let (app, store, _dir) = core().await;
    let mut with_point = form("440305", "air", "解放北路12号", "烧烤油烟");
    with_point.latitude = Some(22.5300);
    with_point.longitude = Some(113.9300);
    let near = report(&app, with_point).await;
    assert_eq!(
        store.case(near.id).await.expect("case").point,
        near.point,
        "the point is stored"
    );
    steps(&store, &near, vec![accept()]).await;
    // Same road, 2 km away: another stretch of it.
    let mut far = query("440305", "air", "解放北路");
    far.latitude = Some(22.5480);
    far.longitude = Some(113.9300);
    assert!(
        app.similar_reports(CLIENT, far)
            .await
            .expect("similar")
            .reports
            .is_empty()
    );
    // No road named, 50 m away: the same spot.
    let mut spot = query("440305", "air", "");
    spot.description = "这里油烟很大".into();
    spot.latitude = Some(22.5304);
    spot.longitude = Some(113.9301);
    let found = app.similar_reports(CLIENT, spot).await.expect("similar");
    assert_eq!(found.reports.len(), 1);
    assert_eq!(found.reports[0].place, "解放北路");
    // A point without a county suggests the nearest county.
    let mut bare = SimilarQuery {
        primary_type: "air".into(),
        ..SimilarQuery::default()
    };
    bare.latitude = Some(22.5335);
    bare.longitude = Some(113.9255);
    let found = app.similar_reports(CLIENT, bare).await.expect("similar");
    let county = found.suggested_county.expect("suggested");
    assert_eq!(
        (
            county.province.as_str(),
            county.city.as_str(),
            county.county.as_str()
        ),
        ("440000", "440300", "440305")
    );
    // A bad point names its field.
    let mut bad = query("440305", "air", "解放北路");
    bad.latitude = Some(95.0);
    bad.longitude = Some(113.0);
    let refused = app.similar_reports(CLIENT, bad).await;
    assert!(
        matches!(&refused, Err(ServiceError::Invalid(e)) if e[0].field == "latitude"),
        "{refused:?}"
    );
    store.close().await;
}

#[tokio::test]
async fn a_report_that_follows_joins_the_group_and_a_forged_follow_is_refused() {
    let (app, store, _dir) = core().await;
    let earlier = report(&app, form("440305", "air", "解放北路12号", "烧烤油烟")).await;
    let earlier = steps(&store, &earlier, vec![accept()]).await;
    let number = earlier.tracking_no().to_string();

    let mine = form("440305", "air", "解放北路20号", "烧烤店油烟又来了");
    let done = app
        .register_public(CLIENT, mine.clone(), Some(&number.to_lowercase()), None)
        .await
        .expect("registered");
    assert_eq!(done.followed.as_deref(), Some(number.as_str()));
    assert_eq!(done.registered.case.repeat_of, Some(earlier.id));
    let events = store.events(done.registered.case.id).await.expect("events");
    assert_eq!(
        events.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["register", "merge"]
    );

    // Another type, another county, a case waiting, a made-up number: refused, nothing saved.
    let waiting = report(&app, form("440305", "air", "解放北路1号", "油烟")).await;
    let before = store
        .search(&greenline_store::CaseFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("search")
        .len();
    let mut other_type = mine.clone();
    other_type.primary_type = "noise".into();
    let mut other_county = mine.clone();
    other_county.region = "440304".into();
    for (form, follows) in [
        (other_type, number.clone()),
        (other_county, number.clone()),
        (mine.clone(), waiting.tracking_no().to_string()),
        (mine.clone(), "GL20200101-0000001".to_owned()),
        (mine.clone(), "不是编号".to_owned()),
    ] {
        let refused = app
            .register_public(CLIENT, form, Some(&follows), None)
            .await;
        assert!(
            matches!(&refused, Err(ServiceError::Invalid(e)) if e[0].field == "follows"),
            "{follows}: {refused:?}"
        );
    }
    let after = store
        .search(&greenline_store::CaseFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("search")
        .len();
    assert_eq!(before, after, "a refused follow saves nothing");
    store.close().await;
}
