//! Import on SQLite: one blocking connection, one transaction, and every table written by
//! multi-row inserts of [`BATCH`] rows bound straight from the cases.
//!
//! The importer holds the write lock from start to end, so it can give the new cases their ids
//! itself (after the highest id ever used) instead of asking for each one back; which external
//! ids are already stored is asked once per chunk. A case whose external id is stored from
//! before is skipped; one that appears twice in the same import fails it.

use std::collections::{HashMap, HashSet};

use rusqlite::types::{ToSqlOutput, Value, ValueRef};
use rusqlite::{Statement, Transaction};
use tokio::sync::mpsc;

use super::{IMPORTED_DATA, ImportItem, ImportMessage, ImportOptions, ImportSummary, NO_SECRET};
use crate::cases::types_text;
use crate::convert::{code_of, millis, millis_opt};
use crate::{Actor, Result, StoreError};

/// Page cache of the import's own connection, in KiB (SQLite's default is 2 MiB): with too
/// small a cache every insert evicts pages into the log and looks them up there again.
const CACHE_KIB: u32 = 128 * 1024;

/// Rows per multi-row insert. Fewer statements to step is most of what makes bulk inserts
/// fast on SQLite; 128 rows of the widest table (25 columns) bind 3,200 values, far below
/// SQLite's limit of 32,766.
const BATCH: usize = 128;

const CASE_COLUMNS: &str = "id, kind, channel, stage, primary_type, types, sub_type, industry, \
     region_code, address, description, unit_id, received_at, accepted_at, concluded_at, \
     replied_at, closed_at, extension_days, extension_reason, rejection_reason, outcome, due_at, \
     secret_hash, external_id, version";
const TYPE_COLUMNS: &str = "case_id, type_code";
const REPORTER_COLUMNS: &str = "case_id, anonymous, name, phone, contact_address";
const EVENT_COLUMNS: &str =
    "case_id, at, actor_id, actor, action, from_stage, to_stage, note, data";

fn fail(error: rusqlite::Error) -> StoreError {
    StoreError::NotCommitted(error.to_string())
}

fn aborted() -> StoreError {
    StoreError::NotCommitted("the import was abandoned before its end; nothing was written".into())
}

/// `INSERT INTO table (columns) VALUES (?, …), …` for `rows` rows.
fn insert_sql(table: &str, columns: &str, rows: usize) -> String {
    let width = columns.split(',').count();
    let row = format!("({})", vec!["?"; width].join(", "));
    format!(
        "INSERT INTO {table} ({columns}) VALUES {}",
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
    fn new(tx: &'c Transaction<'_>, table: &str, columns: &str) -> rusqlite::Result<Table<'c>> {
        Ok(Table {
            width: columns.split(',').count(),
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

/// Drops the secondary indexes of the case tables, returning the statements that create them.
fn drop_indexes(tx: &Transaction<'_>) -> rusqlite::Result<Vec<String>> {
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
             AND tbl_name IN ('cases', 'case_types', 'case_events', 'reporters')",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &indexes {
        tx.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    Ok(indexes.into_iter().map(|(_, sql)| sql).collect())
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

pub(super) fn import(
    path: &std::path::Path,
    mut items: mpsc::Receiver<ImportMessage>,
    options: ImportOptions,
) -> Result<ImportSummary> {
    let mut conn = crate::sqlite::open_blocking(path)?;
    // Foreign keys are off for this connection only: every row refers to a case written in
    // the same chunk or to a unit checked against the store's list. Sorting for the index
    // rebuild goes to temporary files, not memory, and may use a second thread.
    conn.execute_batch(&format!(
        "PRAGMA cache_size = -{CACHE_KIB}; PRAGMA foreign_keys = OFF; \
         PRAGMA temp_store = FILE; PRAGMA threads = 2;"
    ))
    .map_err(fail)?;
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
    let mut dropped: Option<Vec<String>> = None;
    let mut summary = ImportSummary::default();
    let mut next_id = first_id;
    {
        let mut cases = Table::new(&tx, "cases", CASE_COLUMNS).map_err(fail)?;
        let mut types = Table::new(&tx, "case_types", TYPE_COLUMNS).map_err(fail)?;
        let mut reporters = Table::new(&tx, "reporters", REPORTER_COLUMNS).map_err(fail)?;
        let mut events = Table::new(&tx, "case_events", EVENT_COLUMNS).map_err(fail)?;
        let actor = Actor::system("import");
        loop {
            let chunk = match items.blocking_recv() {
                Some(ImportMessage::Cases(chunk)) => chunk,
                Some(ImportMessage::Commit) => break,
                None => return Err(aborted()),
            };
            if dropped.is_none() && summary.imported >= rebuild_after {
                dropped = Some(drop_indexes(&tx).map_err(fail)?);
            }
            let stored = stored_ids(&tx, &chunk)?;
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
                    int(millis(case.received_at)),
                    int_opt(millis_opt(case.accepted_at)),
                    int_opt(millis_opt(case.concluded_at)),
                    int_opt(millis_opt(case.replied_at)),
                    int_opt(millis_opt(case.closed_at)),
                    int_opt(case.extension.as_ref().map(|e| i64::from(e.days))),
                    text_opt(case.extension.as_ref().map(|e| e.reason.as_str())),
                    text_opt(derived.rejection.as_deref()),
                    text_opt(derived.outcome.as_deref()),
                    int_opt(millis_opt(item.due_at)),
                    text(NO_SECRET),
                    text_opt(case.external_id.as_deref()),
                    int(case.version),
                ]);
                cases.push(&mut case_rows).map_err(fail)?;
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
                        int_opt(None),
                        text(&actor.label),
                        text(step.action),
                        text_opt(step.from.map(|s| s.code())),
                        text(step.to.code()),
                        text_opt(None),
                        text(IMPORTED_DATA),
                    ]);
                    events.push(&mut event_rows).map_err(fail)?;
                }
                summary.imported += 1;
            }
            cases.finish(&mut case_rows).map_err(fail)?;
            types.finish(&mut type_rows).map_err(fail)?;
            reporters.finish(&mut reporter_rows).map_err(fail)?;
            events.finish(&mut event_rows).map_err(fail)?;
        }
    }
    for sql in dropped.iter().flatten() {
        tx.execute_batch(sql).map_err(fail)?;
    }
    tx.commit().map_err(fail)?;
    Ok(summary)
}
