//! Import on SQLite: one blocking connection, one transaction, and every table written by
//! multi-row inserts of [`BATCH`] rows bound straight from the cases.
//!
//! The importer holds the write lock from start to end, so it can give the new cases their ids
//! itself (after the highest id ever used) instead of asking for each one back; which external
//! ids are already stored is asked once per chunk. A case whose external id is stored from
//! before is skipped; one that appears twice in the same import fails it. When no stored case
//! has an external id, nothing is asked: the column's unique index refuses a second case with
//! the same id, and only then is the chunk looked up, to name it.

use std::collections::{HashMap, HashSet};

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Statement, Transaction};
use tokio::sync::mpsc;

use super::{ImportItem, ImportMessage, ImportOptions, ImportSummary};
use crate::cases::types_text;
use crate::convert::{code_of, millis, millis_opt};
use crate::{Result, StoreError};

/// Rows per multi-row insert. Fewer statements to step is most of what makes bulk inserts
/// fast on SQLite; 128 rows of the widest table (25 columns) bind 3,200 values, far below
/// SQLite's limit of 32,766.
const BATCH: usize = 128;

/// A table's columns with the value each row gives them: `?` is bound per row, anything else
/// is the same for every imported row and written into the statement (fewer values to bind).
type Columns = &'static [(&'static str, &'static str)];

const CASE_COLUMNS: Columns = &[
    ("id", "?"),
    ("kind", "?"),
    ("channel", "?"),
    ("stage", "?"),
    ("primary_type", "?"),
    ("types", "?"),
    ("sub_type", "?"),
    ("industry", "?"),
    ("region_code", "?"),
    ("address", "?"),
    ("description", "?"),
    ("unit_id", "?"),
    ("received_at", "?"),
    ("accepted_at", "?"),
    ("concluded_at", "?"),
    ("replied_at", "?"),
    ("closed_at", "?"),
    ("extension_days", "?"),
    ("extension_reason", "?"),
    ("rejection_reason", "?"),
    ("outcome", "?"),
    ("due_at", "?"),
    ("secret_hash", NO_SECRET_SQL),
    ("external_id", "?"),
    ("version", "?"),
];
const TYPE_COLUMNS: Columns = &[("case_id", "?"), ("type_code", "?")];
const REPORTER_COLUMNS: Columns = &[
    ("case_id", "?"),
    ("anonymous", "?"),
    ("name", "?"),
    ("phone", "?"),
    ("contact_address", "?"),
];
const EVENT_COLUMNS: Columns = &[
    ("case_id", "?"),
    ("at", "?"),
    ("actor_id", "NULL"),
    ("actor", ACTOR_SQL),
    ("action", "?"),
    ("from_stage", "?"),
    ("to_stage", "?"),
    ("note", "NULL"),
    ("data", IMPORTED_DATA_SQL),
];
/// The imported cases' secret, their events' `data` and the label of `Actor::system("import")`,
/// as SQL literals (a test checks them against the values the other backend binds).
const NO_SECRET_SQL: &str = "'-'";
const IMPORTED_DATA_SQL: &str = r#"'{"imported":true}'"#;
const ACTOR_SQL: &str = "'system:import'";

fn fail(error: rusqlite::Error) -> StoreError {
    StoreError::NotCommitted(error.to_string())
}

fn aborted() -> StoreError {
    StoreError::NotCommitted("the import was abandoned before its end; nothing was written".into())
}

/// `INSERT OR FAIL INTO table (columns) VALUES (?, …), …` for `rows` rows. `OR FAIL`: a
/// failing row fails the import, which rolls back everything, so SQLite need not keep a
/// journal to undo a single statement.
fn insert_sql(table: &str, columns: Columns, rows: usize) -> String {
    let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let values: Vec<&str> = columns.iter().map(|(_, value)| *value).collect();
    let row = format!("({})", values.join(", "));
    format!(
        "INSERT OR FAIL INTO {table} ({}) VALUES {}",
        names.join(", "),
        vec![row; rows].join(", ")
    )
}

/// One table's inserts: a statement for a full batch and one for a single row.
struct Table<'c> {
    width: usize,
    batch: Statement<'c>,
    single: Statement<'c>,
}

impl<'c> Table<'c> {
    fn new(tx: &'c Transaction<'_>, table: &str, columns: Columns) -> rusqlite::Result<Table<'c>> {
        Ok(Table {
            width: columns.iter().filter(|(_, value)| *value == "?").count(),
            batch: tx.prepare(&insert_sql(table, columns, BATCH))?,
            single: tx.prepare(&insert_sql(table, columns, 1))?,
        })
    }

    /// Writes a full batch once `pending` holds one.
    fn push(&mut self, pending: &mut Vec<ToSqlOutput<'_>>) -> rusqlite::Result<()> {
        if pending.len() == self.width * BATCH {
            self.batch
                .execute(rusqlite::params_from_iter(pending.iter()))?;
            pending.clear();
        }
        Ok(())
    }

    /// Writes what is left, a row at a time.
    fn finish(&mut self, pending: &mut Vec<ToSqlOutput<'_>>) -> rusqlite::Result<()> {
        for row in pending.chunks(self.width) {
            self.single
                .execute(rusqlite::params_from_iter(row.iter()))?;
        }
        pending.clear();
        Ok(())
    }
}

fn text(value: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes()))
}

fn text_opt(value: Option<&str>) -> ToSqlOutput<'_> {
    value.map_or(ToSqlOutput::Owned(Value::Null), text)
}

fn int(value: i64) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(Value::Integer(value))
}

fn int_opt(value: Option<i64>) -> ToSqlOutput<'static> {
    ToSqlOutput::Owned(value.map_or(Value::Null, Value::Integer))
}

/// Values of a case computed rather than borrowed, kept alive while its row is bound.
struct Derived {
    types: String,
    region: String,
    rejection: Option<String>,
    outcome: Option<String>,
}

/// Indexes an import keeps, since building one again reads its whole table: partial indexes on
/// columns an import never writes (no imported row enters them), and the history's
/// `(case_id, id)`, whose keys an import writes in ascending order after every stored one, so
/// that each goes on the end of the index as a sorted build would put it.
const KEPT_INDEXES: [&str; 3] = ["cases_repeat_of", "cases_type_review", "case_events_case"];

/// The index of cases by time of receipt: kept as well when the cases arrive in that order
/// after every stored one (an export, a simulation), for the same reason as the history's.
const RECEIVED_INDEX: &str = "cases_received";

/// Drops the secondary indexes of the case tables but the kept ones (and `also_kept`),
/// returning the statements that create them.
fn drop_indexes(tx: &Transaction<'_>, also_kept: Option<&str>) -> rusqlite::Result<Vec<String>> {
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('cases', 'case_types', 'case_events', 'reporters')",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .filter(|index| {
            index.as_ref().map_or(true, |(name, _): &(String, String)| {
                !KEPT_INDEXES.contains(&name.as_str()) && also_kept != Some(name.as_str())
            })
        })
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
}

/// Whether `error` is a unique index refusing a row.
fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(
        error,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

/// The error of a chunk whose cases the unique index of external ids refused: one of them was
/// written by an earlier chunk of this import (`ids` before `chunk_first`), and is named.
fn refused_twice(
    tx: &Transaction<'_>,
    chunk: &[ImportItem],
    chunk_first: i64,
    error: rusqlite::Error,
) -> StoreError {
    if !is_unique_violation(&error) {
        return fail(error);
    }
    match stored_ids(tx, chunk) {
        Ok(stored) => stored
            .iter()
            .filter(|(_, id)| **id < chunk_first)
            .map(|(external, _)| external.as_str())
            .min()
            .map_or_else(|| fail(error), super::twice),
        Err(e) => e,
    }
}

/// The ids of the chunk's external ids that are stored already.
fn stored_ids(tx: &Transaction<'_>, chunk: &[ImportItem]) -> Result<HashMap<String, i64>> {
    let ids: Vec<&str> = chunk
        .iter()
        .filter_map(|item| item.imported.case.external_id.as_deref())
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT external_id, id FROM cases WHERE external_id IN ({})",
        vec!["?"; ids.len()].join(", ")
    );
    let mut query = tx.prepare_cached(&sql).map_err(fail)?;
    let found = query
        .query_map(rusqlite::params_from_iter(ids.iter()), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .map_err(fail)?
        .collect::<rusqlite::Result<_>>()
        .map_err(fail)?;
    Ok(found)
}

/// How the import's transaction is kept all or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Journal {
    /// The write-ahead log every connection uses: other connections may read beside it.
    Log,
    /// A rollback journal, when no other connection has the file open: pages that exist
    /// before the import have their old contents copied aside, new pages are written to the
    /// file once and cut off again if the import does not commit. The log is taken up again
    /// after the commit.
    Rollback,
}

/// Tries to leave the write-ahead log for a rollback journal. The store's connections have
/// just been closed, but intake's writer thread closes its own a moment later; another process
/// may hold the file open for as long as it likes, and then the log stays.
fn leave_log(conn: &rusqlite::Connection) -> bool {
    for _ in 0..20 {
        let mode: rusqlite::Result<String> =
            conn.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get(0));
        if mode.is_ok_and(|mode| mode.eq_ignore_ascii_case("delete")) {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    tracing::info!("import: another connection has the database open; writing through its log");
    false
}

pub(super) fn import(
    path: &std::path::Path,
    mut items: mpsc::Receiver<ImportMessage>,
    options: ImportOptions,
    journal: Journal,
) -> Result<ImportSummary> {
    let mut conn = crate::sqlite::open_blocking(path)?;
    let rollback = journal == Journal::Rollback && leave_log(&conn);
    // Foreign keys are off for this connection only: every row refers to a case written in
    // the same chunk or to a unit checked against the store's list. Sorting for the index
    // rebuild goes to temporary files, not memory, and may use a second thread.
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{}; PRAGMA foreign_keys = OFF; \
         PRAGMA temp_store = FILE; PRAGMA threads = 2;",
        options.cache_kib
    ))
    .map_err(fail)?;
    let started = std::time::Instant::now();
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(fail)?;
    let units: HashSet<i64> = tx
        .prepare("SELECT id FROM units")
        .and_then(|mut query| query.query_map([], |row| row.get(0))?.collect())
        .map_err(fail)?;
    // The ids to give: after the highest ever used (AUTOINCREMENT never reuses one).
    let first_id: i64 = tx
        .query_row(
            "SELECT max(coalesce((SELECT max(id) FROM cases), 0), \
             coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'cases'), 0)) + 1",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?;
    // Once the import is large against what is stored, its indexes are cheaper to build
    // again, sorted, than to grow one row at a time: drop them inside the transaction (a failed
    // import brings them back with everything else) and build them before committing.
    let rebuild_after = u64::try_from(first_id / 2)
        .unwrap_or(0)
        .max(options.rebuild_indexes_after);
    // Without a stored external id there is nothing to skip, and nothing to look up per chunk.
    let none_stored: bool = tx
        .query_row(
            "SELECT NOT EXISTS (SELECT 1 FROM cases WHERE external_id IS NOT NULL)",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?;
    // The latest time of receipt so far while every case has come after the one before.
    let mut last_received: Option<i64> = Some(
        tx.query_row(
            "SELECT coalesce(max(received_at), 0) FROM cases",
            [],
            |row| row.get(0),
        )
        .map_err(fail)?,
    );
    let mut dropped: Option<Vec<String>> = None;
    let mut summary = ImportSummary::default();
    let mut next_id = first_id;
    {
        let mut cases = Table::new(&tx, "cases", CASE_COLUMNS).map_err(fail)?;
        let mut types = Table::new(&tx, "case_types", TYPE_COLUMNS).map_err(fail)?;
        let mut reporters = Table::new(&tx, "reporters", REPORTER_COLUMNS).map_err(fail)?;
        let mut events = Table::new(&tx, "case_events", EVENT_COLUMNS).map_err(fail)?;
        loop {
            let chunk = match items.blocking_recv() {
                Some(ImportMessage::Cases(chunk)) => chunk,
                Some(ImportMessage::Commit) => break,
                None => return Err(aborted()),
            };
            if dropped.is_none() && summary.imported >= rebuild_after {
                let in_order = last_received.is_some();
                dropped =
                    Some(drop_indexes(&tx, in_order.then_some(RECEIVED_INDEX)).map_err(fail)?);
            }
            let stored = if none_stored {
                HashMap::new()
            } else {
                stored_ids(&tx, &chunk)?
            };
            let chunk_first = next_id;
            let refused = |e| refused_twice(&tx, &chunk, chunk_first, e);
            let mut in_chunk = HashSet::with_capacity(chunk.len());
            let derived: Vec<Derived> = chunk
                .iter()
                .map(|item| {
                    let case = &item.imported.case;
                    Derived {
                        types: types_text(&case.types),
                        region: case.region.to_string(),
                        rejection: case.rejection.as_ref().map(code_of),
                        outcome: case.outcome.as_ref().map(code_of),
                    }
                })
                .collect();
            let (mut case_rows, mut type_rows, mut reporter_rows, mut event_rows) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (item, derived) in chunk.iter().zip(&derived) {
                let case = &item.imported.case;
                if !units.contains(&item.unit_id) {
                    return Err(StoreError::NotCommitted(format!(
                        "unit {} does not exist; nothing was imported",
                        item.unit_id
                    )));
                }
                if let Some(external) = case.external_id.as_deref() {
                    let twice = !in_chunk.insert(external)
                        || stored.get(external).is_some_and(|id| *id >= first_id);
                    if twice {
                        return Err(super::twice(external));
                    }
                    if stored.contains_key(external) {
                        summary.skipped += 1;
                        continue;
                    }
                }
                let id = next_id;
                next_id += 1;
                let received = millis(case.received_at);
                last_received = last_received
                    .filter(|last| received >= *last)
                    .map(|_| received);
                case_rows.extend([
                    int(id),
                    text(case.kind.code()),
                    text(case.channel.code()),
                    text(case.stage.code()),
                    text(case.primary_type.code()),
                    text(&derived.types),
                    text_opt(case.sub_type.map(|s| s.code())),
                    text_opt(case.industry.map(|i| i.code())),
                    text(&derived.region),
                    text(&case.address),
                    text(&case.description),
                    int(item.unit_id),
                    int(received),
                    int_opt(millis_opt(case.accepted_at)),
                    int_opt(millis_opt(case.concluded_at)),
                    int_opt(millis_opt(case.replied_at)),
                    int_opt(millis_opt(case.closed_at)),
                    int_opt(case.extension.as_ref().map(|e| i64::from(e.days))),
                    text_opt(case.extension.as_ref().map(|e| e.reason.as_str())),
                    text_opt(derived.rejection.as_deref()),
                    text_opt(derived.outcome.as_deref()),
                    int_opt(millis_opt(item.due_at)),
                    text_opt(case.external_id.as_deref()),
                    int(case.version),
                ]);
                cases.push(&mut case_rows).map_err(refused)?;
                for t in &case.types {
                    type_rows.extend([int(id), text(t.code())]);
                    types.push(&mut type_rows).map_err(fail)?;
                }
                let reporter = &item.imported.reporter;
                reporter_rows.extend([
                    int(id),
                    int(i64::from(reporter.anonymous)),
                    text_opt(reporter.name.as_deref()),
                    text_opt(reporter.phone.as_deref()),
                    text_opt(reporter.contact_address.as_deref()),
                ]);
                reporters.push(&mut reporter_rows).map_err(fail)?;
                for step in &item.imported.steps {
                    event_rows.extend([
                        int(id),
                        int(millis(step.at)),
                        text(step.action),
                        text_opt(step.from.map(|s| s.code())),
                        text(step.to.code()),
                    ]);
                    events.push(&mut event_rows).map_err(fail)?;
                }
                summary.imported += 1;
            }
            cases.finish(&mut case_rows).map_err(refused)?;
            types.finish(&mut type_rows).map_err(fail)?;
            reporters.finish(&mut reporter_rows).map_err(fail)?;
            events.finish(&mut event_rows).map_err(fail)?;
        }
    }
    // The last steps take a while on a large import and show no progress of their own.
    let elapsed = |what: &str| {
        tracing::info!(
            "import: {what} after {:.1} s",
            started.elapsed().as_secs_f64()
        );
    };
    if let Some(indexes) = &dropped {
        elapsed(&format!(
            "{} cases written; building {} indexes",
            summary.imported,
            indexes.len()
        ));
        for sql in indexes {
            tx.execute_batch(sql).map_err(fail)?;
        }
        elapsed("indexes built; committing");
    }
    tx.commit().map_err(fail)?;
    if dropped.is_some() {
        elapsed("committed");
    }
    if rollback {
        // Every connection opens the file with the log anyway; taking it up here keeps the
        // file in the mode its readers expect from the first moment.
        if let Err(error) = conn.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        }) {
            tracing::warn!(%error, "import: the write-ahead log was not taken up again");
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The literals written into the statements are what the other backend binds.
    #[test]
    fn constant_columns_match_the_shared_values() {
        assert_eq!(NO_SECRET_SQL, format!("'{}'", super::super::NO_SECRET));
        assert_eq!(
            ACTOR_SQL,
            format!("'{}'", crate::Actor::system("import").label)
        );
        assert_eq!(
            IMPORTED_DATA_SQL,
            format!("'{}'", super::super::imported_data())
        );
    }

    #[test]
    fn statements_bind_one_value_per_question_mark() {
        let sql = insert_sql("case_events", EVENT_COLUMNS, 2);
        assert_eq!(sql.matches('?').count(), 2 * 5);
        assert!(sql.starts_with("INSERT OR FAIL INTO case_events (case_id, at, actor_id,"));
    }
}
