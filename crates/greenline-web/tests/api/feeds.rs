//! The public figures' Atom feed: one entry per whole month with a stable id, its `updated`
//! moving when a case behind its counts changes, small counts withheld as on the page, ETag
//! and Last-Modified with 304, and no reporter anywhere in it.

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde_json::json;

use crate::helpers::{Backend, TestApp, spawn_app};

async fn feed(
    app: &TestApp,
    path: &str,
    header: Option<(reqwest::header::HeaderName, &str)>,
) -> reqwest::Response {
    let mut request = app.http.get(app.url(path));
    if let Some((name, value)) = header {
        request = request.header(name, value);
    }
    request.send().await.expect("feed")
}

fn entry<'a>(feed: &'a atom_syndication::Feed, month: &str) -> &'a atom_syndication::Entry {
    feed.entries()
        .iter()
        .find(|e| e.id().ends_with(month))
        .unwrap_or_else(|| panic!("no entry for {month}"))
}

#[backend_test]
pub async fn the_figures_feed_has_a_stable_entry_per_month_and_answers_304_when_unchanged(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    // Three noise reports in November 2026 and one in December, read in January 2027, when
    // both are whole months.
    let mut november = Vec::new();
    for _ in 0..3 {
        let r = app.public_report().await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        november.push(r.body["id"].as_i64().expect("id"));
    }
    app.advance(10);
    let december = app.public_report().await;
    assert_eq!(december.status, StatusCode::CREATED);
    app.advance(30);
    app.core.statistics_caught_up().await.expect("statistics");

    let path = "/figures/feed.atom?region=440305&type=noise";
    let response = feed(&app, path, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("application/atom+xml")
    );
    let etag = response.headers()[ETAG].to_str().expect("etag").to_owned();
    let modified = response.headers()[LAST_MODIFIED]
        .to_str()
        .expect("last modified")
        .to_owned();
    let body = response.text().await.expect("body");
    for planted in ["陈小姐", "13812345678", "1381234"] {
        assert!(!body.contains(planted), "the feed shows {planted}");
    }
    let atom: atom_syndication::Feed = body.parse().expect("valid Atom");
    assert_eq!(
        atom.id(),
        "tag:greenline,2026:figures?region=440305&type=noise"
    );
    assert!(
        atom.title().as_str().contains("南山区"),
        "{}",
        atom.title().as_str()
    );
    assert_eq!(atom.entries().len(), 12);
    // Newest month first, each id the month's own.
    assert_eq!(
        atom.entries()[0].id(),
        "tag:greenline,2026:figures/440305/noise/2026-12"
    );
    let nov = entry(&atom, "2026-11");
    assert!(
        nov.summary()
            .expect("summary")
            .as_str()
            .contains("收到3件，其中已受理0件"),
        "{:?}",
        nov.summary()
    );
    // A single case is withheld.
    let dec = entry(&atom, "2026-12");
    assert!(
        dec.summary()
            .expect("summary")
            .as_str()
            .contains("收到<3件"),
        "{:?}",
        dec.summary()
    );
    // November's entry was last changed when its last case came in; an empty month at its end.
    assert_eq!(nov.updated().to_rfc3339(), "2026-11-27T02:00:00+00:00");
    assert_eq!(
        entry(&atom, "2026-01").updated().to_rfc3339(),
        "2026-01-31T16:00:00+00:00"
    );
    assert_eq!(atom.updated().to_rfc3339(), "2026-12-07T02:00:00+00:00");
    assert_eq!(modified, "Mon, 07 Dec 2026 02:00:00 GMT");

    // Unchanged: 304 on the tag or on the time.
    for header in [
        (IF_NONE_MATCH, etag.as_str()),
        (IF_MODIFIED_SINCE, modified.as_str()),
    ] {
        let again = feed(&app, path, Some(header.clone())).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{header:?}");
        assert!(again.text().await.expect("body").is_empty());
    }

    // A November case is accepted now: November's entry moves, keeping its id; the tag changes.
    let nation = app.login("nation").await;
    let accepted = app
        .act(&nation, november[0], json!({"action": "accept"}))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    app.core.statistics_caught_up().await.expect("statistics");
    let changed = feed(&app, path, Some((IF_NONE_MATCH, etag.as_str()))).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()[ETAG].to_str().expect("etag"), etag);
    let atom: atom_syndication::Feed = changed.text().await.expect("body").parse().expect("Atom");
    let nov = entry(&atom, "2026-11");
    assert_eq!(nov.id(), "tag:greenline,2026:figures/440305/noise/2026-11");
    assert_eq!(nov.updated().to_rfc3339(), "2027-01-06T02:00:00+00:00");
    assert!(
        nov.summary()
            .expect("summary")
            .as_str()
            .contains("其中已受理<3件"),
        "{:?}",
        nov.summary()
    );

    // Every type of the whole country, and a wrong parameter.
    let all = feed(&app, "/figures/feed.atom", None).await;
    assert_eq!(all.status(), StatusCode::OK);
    let all: atom_syndication::Feed = all.text().await.expect("body").parse().expect("Atom");
    assert_eq!(
        all.entries()[0].id(),
        "tag:greenline,2026:figures/000000/all/2026-12"
    );
    let wrong = feed(&app, "/figures/feed.atom?region=999999", None).await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
}
