//! Import of case records with their history, all or nothing: every case of a file goes in
//! one transaction, and a failure anywhere rolls all of it back. A case whose external id is
//! already stored is skipped, so importing a file again changes nothing.
//!
//! Cases arrive through a channel, so a file of any size streams through bounded memory. On
//! SQLite the transaction runs on a connection of its own in a blocking thread (as intake's
//! writer does); on PostgreSQL on a pooled connection.

mod sqlite;

use chrono::{DateTime, Utc};
use greenline_domain::ImportedCase;
use sqlx::Row;
use tokio::sync::mpsc;

use crate::cases::{INSERT_EVENTS_HEAD, event_args, types_text};
use crate::convert::{Arg, bind_all, code_of, millis, millis_opt};
use crate::intake::detail_rows;
use crate::{Actor, NewEvent, Result, Store, StoreError};

/// One case to import, placed with its unit.
#[derive(Debug, Clone)]
pub struct ImportItem {
    pub imported: ImportedCase,
    pub unit_id: i64,
    /// The running deadline, for the overdue filter.
    pub due_at: Option<DateTime<Utc>>,
}

/// What the importer is sent: cases, a few hundred at a time (one hand-off between threads per
/// message, not per case), then `Commit`. A channel that closes without `Commit` rolls
/// everything back.
#[derive(Debug, Clone)]
pub enum ImportMessage {
    Cases(Vec<ImportItem>),
    Commit,
}

fn aborted() -> StoreError {
    StoreError::NotCommitted("the import was abandoned before its end; nothing was written".into())
}

fn twice(external: &str) -> StoreError {
    StoreError::NotCommitted(format!(
        "external_id {external:?} appears twice in the import; nothing was imported"
    ))
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub imported: u64,
    /// Cases whose external id was already stored.
    pub skipped: u64,
}

/// Imported cases have no tracking secret (reporters follow them by phone); this can match no
/// SHA-256 digest.
const NO_SECRET: &str = "-";

const INSERT_IMPORTED: &str = "INSERT INTO cases (kind, channel, stage, primary_type, types, \
     sub_type, industry, region_code, address, description, unit_id, received_at, accepted_at, \
     concluded_at, replied_at, closed_at, extension_days, extension_reason, rejection_reason, \
     outcome, due_at, secret_hash, external_id, version) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20, $21, $22, $23, $24) ON CONFLICT (external_id) DO NOTHING RETURNING id";
fn case_args(item: &ImportItem) -> Vec<Arg> {
    let case = &item.imported.case;
    vec![
        Arg::text(case.kind.code()),
        Arg::text(case.channel.code()),
        Arg::text(case.stage.code()),
        Arg::text(case.primary_type.code()),
        Arg::text(types_text(&case.types)),
        Arg::Text(case.sub_type.map(|s| s.code().to_owned())),
        Arg::Text(case.industry.map(|i| i.code().to_owned())),
        Arg::text(case.region.to_string()),
        Arg::text(case.address.clone()),
        Arg::text(case.description.clone()),
        Arg::int(item.unit_id),
        Arg::int(millis(case.received_at)),
        Arg::Int(millis_opt(case.accepted_at)),
        Arg::Int(millis_opt(case.concluded_at)),
        Arg::Int(millis_opt(case.replied_at)),
        Arg::Int(millis_opt(case.closed_at)),
        Arg::Int(case.extension.as_ref().map(|e| i64::from(e.days))),
        Arg::Text(case.extension.as_ref().map(|e| e.reason.clone())),
        Arg::Text(case.rejection.as_ref().map(code_of)),
        Arg::Text(case.outcome.as_ref().map(code_of)),
        Arg::Int(millis_opt(item.due_at)),
        Arg::text(NO_SECRET),
        Arg::Text(case.external_id.clone()),
        Arg::int(case.version),
    ]
}

/// What every imported event carries in its `data`.
fn imported_data() -> serde_json::Value {
    serde_json::json!({ "imported": true })
}

/// The statements that follow the case row: its types, reporter and history.
fn rows_for(item: &ImportItem, id: i64) -> Vec<(String, Vec<Arg>)> {
    let case = &item.imported.case;
    let mut statements = detail_rows(id, &case.types, &item.imported.reporter);
    // The whole history in one statement: `VALUES ($1, …, $9), ($10, …, $18), …`.
    let actor = Actor::system("import");
    let mut args = Vec::new();
    let mut rows = Vec::new();
    for step in &item.imported.steps {
        let event = NewEvent {
            actor: &actor,
            at: step.at,
            note: None,
            data: imported_data(),
        };
        let step_args = event_args(id, step.action, step.from, Some(step.to), &event);
        let first = args.len() + 1;
        let placeholders: Vec<String> = (first..first + step_args.len())
            .map(|n| format!("${n}"))
            .collect();
        rows.push(format!("({})", placeholders.join(", ")));
        args.extend(step_args);
    }
    statements.push((format!("{INSERT_EVENTS_HEAD} {}", rows.join(", ")), args));
    statements
}

/// How an import runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// On SQLite, once this many cases (and at least half as many as are stored) have gone in,
    /// the case tables' secondary indexes are dropped and built again, sorted, before the
    /// commit: for a large import that is several times faster than growing them row by row.
    pub rebuild_indexes_after: u64,
    /// On SQLite, the page cache of the import's connection, in KiB (SQLite's default is
    /// 2 MiB). Too small a cache writes pages out and reads them back again and again; the
    /// cache is most of an import's memory.
    pub cache_kib: u32,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            rebuild_indexes_after: 50_000,
            cache_kib: 128 * 1024,
        }
    }
}

/// The SQLite import on a blocking thread of its own.
async fn sqlite_import(
    path: std::path::PathBuf,
    items: mpsc::Receiver<ImportMessage>,
    options: ImportOptions,
    journal: sqlite::Journal,
) -> Result<ImportSummary> {
    tokio::task::spawn_blocking(move || sqlite::import(&path, items, options, journal))
        .await
        .map_err(|e| StoreError::NotCommitted(format!("the import stopped: {e}")))?
}

impl Store {
    /// Imports every case the channel delivers, in one transaction, committed on
    /// [`ImportMessage::Commit`]. Returns an error, with nothing written, if any case fails or
    /// the channel closes first.
    pub async fn import(&self, items: mpsc::Receiver<ImportMessage>) -> Result<ImportSummary> {
        self.import_with(items, ImportOptions::default()).await
    }

    /// [`Store::import`] with the database to itself, for a command that does nothing else:
    /// the store's own connections are closed first, and the store with them. On SQLite the
    /// import can then write through a rollback journal instead of the write-ahead log, so
    /// each new page reaches the file once rather than going to the log and being copied into
    /// the file again at the checkpoint; the rollback journal keeps the import all or nothing
    /// across a crash as the log does. While another process holds the file open the log
    /// stays, as with [`Store::import`].
    pub async fn import_alone(
        self,
        items: mpsc::Receiver<ImportMessage>,
        options: ImportOptions,
    ) -> Result<ImportSummary> {
        let Some(path) = self.sqlite_path.clone() else {
            return self.import_with(items, options).await;
        };
        self.close().await;
        // Dropping the last clone ends intake's writer thread, which closes its connection.
        drop(self);
        sqlite_import(path, items, options, sqlite::Journal::Rollback).await
    }

    /// [`Store::import`] with options.
    pub async fn import_with(
        &self,
        mut items: mpsc::Receiver<ImportMessage>,
        options: ImportOptions,
    ) -> Result<ImportSummary> {
        if let Some(path) = self.sqlite_path.clone() {
            return sqlite_import(path, items, options, sqlite::Journal::Log).await;
        }
        let mut tx = self.writer.begin().await?;
        let before: i64 = sqlx::query("SELECT coalesce(max(id), 0) AS id FROM cases")
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
        let mut summary = ImportSummary::default();
        loop {
            let chunk = match items.recv().await {
                Some(ImportMessage::Cases(chunk)) => chunk,
                Some(ImportMessage::Commit) => break,
                None => return Err(aborted()),
            };
            for item in chunk {
                // A known external id inserts nothing and returns no row: skip the case.
                let inserted = bind_all(sqlx::query(INSERT_IMPORTED), &case_args(&item))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(|e| StoreError::unique_as(e, "external id"))?;
                let Some(row) = inserted else {
                    // Stored before the import began: skip it; written by this import: the
                    // same case twice in one import, which fails it.
                    let external = item.imported.case.external_id.clone().unwrap_or_default();
                    let existing: i64 = sqlx::query("SELECT id FROM cases WHERE external_id = $1")
                        .bind(external.clone())
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("id")?;
                    if existing > before {
                        return Err(twice(&external));
                    }
                    summary.skipped += 1;
                    continue;
                };
                let id: i64 = row.try_get("id")?;
                for (sql, args) in rows_for(&item, id) {
                    bind_all(sqlx::query(&sql), &args).execute(&mut *tx).await?;
                }
                summary.imported += 1;
            }
        }
        tx.commit().await?;
        Ok(summary)
    }
}
