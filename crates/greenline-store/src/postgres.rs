//! PostgreSQL, the production backend.

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;

use crate::intake::Writer;
use crate::{Backend, Result, Store};

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

pub(crate) async fn open(url: &str) -> Result<Store> {
    let pool = AnyPoolOptions::new()
        .max_connections(16)
        .connect(url)
        .await?;
    let intake = Writer::Pool(pool.clone());
    Ok(Store::new(
        Backend::Postgres,
        pool.clone(),
        pool,
        intake,
        None,
    ))
}
