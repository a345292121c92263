//! The store behaviour suite on SQLite, each test in a fresh database file.

mod behaviour;

use greenline_store::Store;

async fn fresh() -> (Store, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("greenline.db").display());
    // The directory lives as long as the test process; the OS cleans /tmp.
    std::mem::forget(dir);
    let store = Store::open(&url).await.expect("open SQLite store");
    (store, url)
}

behaviour_suite!();

async fn index_names(url: &str) -> Vec<String> {
    let pool = sqlx::SqlitePool::connect(url).await.expect("connect");
    sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
        .fetch_all(&pool)
        .await
        .expect("indexes")
}

#[tokio::test]
async fn a_large_import_builds_its_indexes_again_and_a_failed_one_keeps_them() {
    let (store, url) = fresh().await;
    let unit_id = behaviour::unit(&store, "全国平台", "000000").await;
    let before = index_names(&url).await;
    assert!(before.contains(&"cases_region".to_owned()), "{before:?}");
    let rebuild = greenline_store::ImportOptions {
        rebuild_indexes_after: 1,
        ..Default::default()
    };

    let summary = behaviour::run_import_with(&store, unit_id, &["A", "B", "C"], true, rebuild)
        .await
        .expect("import");
    assert_eq!(summary.imported, 3);
    assert_eq!(index_names(&url).await, before);

    let abandoned =
        behaviour::run_import_with(&store, unit_id, &["D", "E", "F"], false, rebuild).await;
    assert!(abandoned.is_err());
    assert_eq!(index_names(&url).await, before);
    let in_region =
        greenline_store::CaseFilter::from_params([("region", "440305")], chrono::Utc::now())
            .expect("filter");
    let found = store.search(&in_region).await.expect("search");
    assert_eq!(
        found.len(),
        3,
        "the three committed cases, found through the index"
    );
}
