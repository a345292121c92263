//! SQLite, the embedded default: one file, WAL, foreign keys on, `synchronous=FULL`.

use std::str::FromStr;

use sqlx::Executor;
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;

use crate::intake::Writer;
use crate::{Backend, Result, Store, StoreError};

pub(crate) static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// Settings every connection gets. `synchronous=FULL` makes each commit reach the disk before
/// it returns: an acknowledged case survives a crash or power loss. After a large import the
/// write-ahead log is cut back to 64 MiB once checkpointed, rather than keeping its size.
const PRAGMAS: &str = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                       PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                       PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864;";

/// Page size of a new database file (SQLite's default is 4 KiB). Case rows carry a few hundred
/// bytes of text, and bulk import and the statistics' full scans read and write the tables
/// end to end: larger pages mean fewer of them to balance, look up and checkpoint (an import
/// of a million cases took 0.82 times as long). An existing file keeps its size.
const PAGE_SIZE: u32 = 16 * 1024;

pub(crate) async fn open(url: &str) -> Result<Store> {
    // Create the file if it is missing, then talk to it through the Any driver.
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .page_size(PAGE_SIZE);
    let path = options.get_filename().to_owned();
    let mut first = sqlx::ConnectOptions::connect(&options).await?;
    first.execute(PRAGMAS).await?;
    sqlx::Connection::close(first).await?;

    let pool = |max: u32| {
        AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(PRAGMAS).await?;
                    Ok(())
                })
            })
            .connect(url)
    };
    let writer = pool(1).await?;
    let reader = pool(8).await?;
    let intake = open_blocking(&path)?;
    Ok(Store::new(
        Backend::Sqlite,
        writer,
        reader,
        Writer::Sqlite(intake),
        Some(path),
    ))
}

/// A plain (blocking) connection with the same settings, for the bulk writers: intake's writer
/// thread and import.
pub(crate) fn open_blocking(path: &std::path::Path) -> Result<rusqlite::Connection> {
    rusqlite::Connection::open(path)
        .and_then(|conn| {
            conn.execute_batch(PRAGMAS)?;
            conn.set_prepared_statement_cache_capacity(32);
            Ok(conn)
        })
        .map_err(|e| StoreError::NotCommitted(format!("opening {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    /// `.cargo/config.toml` builds the bundled SQLite without memory statistics (see there).
    #[test]
    fn sqlite_is_built_without_memory_statistics() {
        let conn = rusqlite::Connection::open_in_memory().expect("in-memory database");
        let options: Vec<String> = conn
            .prepare("PRAGMA compile_options")
            .and_then(|mut query| query.query_map([], |row| row.get(0))?.collect())
            .expect("compile options");
        assert!(
            options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
            "{options:?}"
        );
    }
}
