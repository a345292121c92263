//! The store behaviour suite on a real PostgreSQL server, each test in a fresh database.
//!
//! Needs `GREENLINE_TEST_POSTGRES_URL` (a role that may CREATE DATABASE); `.ci/run` starts a
//! server and runs these with `--ignored`. Without the variable they fail, never pass quietly.

mod behaviour;

use greenline_store::Store;

async fn fresh() -> (Store, String) {
    let (url, _admin) = fresh_postgres_database().await;
    let store = Store::open(&url).await.expect("open PostgreSQL store");
    (store, url)
}

async fn fresh_postgres_database() -> (String, String) {
    use sqlx::Connection;
    let admin = std::env::var("GREENLINE_TEST_POSTGRES_URL").expect(
        "GREENLINE_TEST_POSTGRES_URL must name a PostgreSQL server for this suite (.ci/run starts one)",
    );
    sqlx::any::install_default_drivers();
    let name = format!(
        "greenline_test_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    let mut conn = sqlx::AnyConnection::connect(&admin)
        .await
        .expect("connect to the PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create a test database");
    conn.close().await.expect("close");
    let (base, _) = admin.rsplit_once('/').expect("URL with a database name");
    (format!("{base}/{name}"), admin)
}

behaviour_suite!(#[ignore = "needs PostgreSQL: run by .ci/run with GREENLINE_TEST_POSTGRES_URL"]);
