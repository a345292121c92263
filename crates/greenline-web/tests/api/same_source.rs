//! Same-source suggestions: an earlier report of the same firm is found despite other wording,
//! named to staff at intake, never across jurisdictions, and a neighbour shop is not taken for
//! it.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, phone_report, spawn_app, web_report};

const FIRST: &str = "南山区科技园南路鑫达化工有限公司每天晚上排放刺鼻气味，附近居民都闻得到";
const AGAIN: &str = "鑫达化工晚上又在偷排废气，味道很冲，就在科技园南路那边";
const THIRD: &str = "科技园南路的鑫达化工厂夜里排臭气，熏得人头疼，请环保局查一查";
const NEIGHBOUR: &str = "科技园南路的老王烧烤店每天晚上油烟很大，熏得睡不着";

async fn submit(app: &TestApp, token: Option<&str>, region: &str, text: &str) -> Value {
    let mut body = if token.is_some() {
        phone_report()
    } else {
        web_report()
    };
    body["region"] = json!(region);
    body["description"] = json!(text);
    let reply = app.post(token, "/api/v1/cases", &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

async fn candidates(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let reply = app
        .get(Some(token), &format!("/api/v1/cases/{id}/same-source"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["candidates"]
        .as_array()
        .expect("candidates")
        .clone()
}

#[backend_test]
pub async fn earlier_reports_of_the_same_source_are_suggested_within_the_jurisdiction(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let first = submit(&app, None, "440305", FIRST).await["id"]
        .as_i64()
        .expect("id");
    let neighbour = submit(&app, None, "440305", NEIGHBOUR).await["id"]
        .as_i64()
        .expect("id");
    let elsewhere = submit(&app, None, "440304", FIRST).await["id"]
        .as_i64()
        .expect("id");
    app.advance(3);
    // Sessions last hours: sign in after the clock moved on.
    let nation = app.login("nation").await;
    let again = submit(&app, None, "440305", AGAIN).await["id"]
        .as_i64()
        .expect("id");

    // The index learns of new cases from the event feed.
    app.caught_up().await;
    let found = candidates(&app, &nation, again).await;
    let best = &found[0];
    assert_eq!(best["case_id"], first, "{found:?}");
    assert_eq!(best["same_source"], true, "{best}");
    assert!(best["score"].as_f64().expect("score") > 0.5, "{best}");
    assert!(
        best["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .any(|e| e["label"].as_str().is_some_and(|l| l.contains("鑫达"))),
        "the evidence names the firm: {best}"
    );
    assert!(
        !found
            .iter()
            .any(|c| c["case_id"] == neighbour && c["same_source"] == true),
        "a neighbour shop on the same road is another source: {found:?}"
    );
    assert!(
        !found.iter().any(|c| c["case_id"] == elsewhere),
        "another county is another locality: {found:?}"
    );

    // The case page offers one-click merging only into a likely same source; a weaker
    // candidate (the neighbour shop) is listed, merged only by typing its number.
    {
        use crate::pages::{browser, console_sign_in, page};
        let client = browser();
        console_sign_in(&client, &app, "nation").await;
        let (_, html) = page(&client, &app, &format!("/console/cases/{again}")).await;
        assert!(
            html.contains(&format!("data-action=\"merge-into-{first}\"")),
            "{html}"
        );
        assert!(html.contains(&format!("案件 #{neighbour}")), "{html}");
        assert!(
            !html.contains(&format!("data-action=\"merge-into-{neighbour}\"")),
            "{html}"
        );
    }

    // Staff keying in a third report are told at once.
    let nanshan = app.login("nanshan").await;
    let receipt = submit(&app, Some(&nanshan), "440305", THIRD).await;
    let hinted: Vec<i64> = receipt["possible_repeats"]
        .as_array()
        .map(|list| list.iter().filter_map(|c| c["case_id"].as_i64()).collect())
        .unwrap_or_default();
    assert!(hinted.contains(&first), "{receipt}");
    // The public never sees other cases.
    let public = submit(&app, None, "440305", THIRD).await;
    assert!(public.get("possible_repeats").is_none(), "{public}");

    // Futian's staff see none of Nanshan's cases, whatever the text.
    let futian = app.login("futian").await;
    let found = candidates(&app, &futian, elsewhere).await;
    assert!(
        found.iter().all(|c| c["region_name"]
            .as_str()
            .is_some_and(|r| r.contains("福田"))),
        "{found:?}"
    );

    // Once merged, a case's group is no longer suggested to it.
    let reply = app
        .post(
            Some(&nation),
            &format!("/api/v1/cases/{again}/merge"),
            &json!({"into": first}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let found = candidates(&app, &nation, again).await;
    assert!(!found.iter().any(|c| c["case_id"] == first), "{found:?}");
}

#[backend_test]
pub async fn the_index_resumes_from_its_snapshot_after_a_restart(backend: Backend) {
    use greenline_app::projections::Projection;
    use greenline_app::{App, Clock, Settings};
    let app = spawn_app(backend).await;
    let first = submit(&app, None, "440305", FIRST).await["id"]
        .as_i64()
        .expect("id");
    submit(&app, None, "440305", NEIGHBOUR).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("sources");
    let node = || {
        App::new(
            app.store.clone(),
            app.clock.clone(),
            greenline_domain::DeadlineTable::statutory(),
            Settings {
                sources_snapshot: Some(snapshot.clone()),
                ..Settings::default()
            },
        )
    };
    let region = greenline_domain::RegionCode::parse("440305").expect("a county");
    let suggested = |node: &App| -> Vec<i64> {
        node.projections
            .sources
            .candidates(
                greenline_domain::RegionCode::NATIONAL,
                region,
                app.clock.now(),
                AGAIN,
                &[],
                5,
            )
            .iter()
            .filter(|c| c.matched.same)
            .map(|c| c.case_id)
            .collect()
    };
    let built = node();
    built.start();
    built.caught_up().await.expect("caught up");
    assert_eq!(
        built.projections.sources.loaded(),
        2,
        "built from the store"
    );
    assert!(snapshot.exists(), "the snapshot is written once built");
    assert_eq!(suggested(&built), vec![first]);
    built.projections.stop().await;
    drop(built);

    // A report arrives while the node is down; the next start reads the snapshot's two cases
    // (not their texts) and only the events since, and finds the same repeat.
    let third = submit(&app, None, "440305", THIRD).await["id"]
        .as_i64()
        .expect("id");
    let resumed = node();
    resumed.start();
    resumed.caught_up().await.expect("caught up");
    assert_eq!(resumed.projections.sources.held(), 3);
    assert_eq!(
        resumed.projections.sources.loaded(),
        2,
        "resumed from the snapshot, not rebuilt"
    );
    let mut found = suggested(&resumed);
    found.sort_unstable();
    assert_eq!(found, vec![first, third]);
    resumed.projections.stop().await;
    drop(resumed);

    // A snapshot cut short is left aside: the node builds from the store.
    let bytes = std::fs::read(&snapshot).expect("snapshot");
    std::fs::write(&snapshot, &bytes[..bytes.len() - 5]).expect("cut");
    let rebuilt = node();
    rebuilt.start();
    rebuilt.caught_up().await.expect("caught up");
    assert_eq!(rebuilt.projections.sources.held(), 3);
    assert_eq!(rebuilt.projections.sources.loaded(), 3, "built again");
}
