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
