//! Intake with group commit: every submission goes through one writer, which takes all
//! submissions waiting at that moment and commits them in one transaction. One disk sync then
//! makes a whole batch durable, and each caller hears back only after the commit, so an
//! acknowledged case is on disk.
//!
//! On PostgreSQL the writer is a task on a pooled connection. On SQLite it is a thread of its
//! own with a plain rusqlite connection: a batch then runs without a thread hand-off per
//! statement, which is where sqlx's SQLite driver spends most of an insert's time (see the
//! intake benchmark). Both run the same statements, defined once below.

use greenline_domain::{Case, PollutionType, Reporter, Stage};
use sqlx::{AnyConnection, AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use crate::cases::{INSERT_EVENT, event_args, load_case, types_text};
use crate::convert::{Arg, bind_all, millis, millis_opt};
use crate::{
    IdempotencyKey, IntakeReceipt, IntakeRecord, NewEvent, NewEvidence, Result, Store, StoreError,
};

/// The most submissions one transaction carries.
const MAX_BATCH: usize = 256;

const SELECT_KEY: &str =
    "SELECT case_id, request_hash, secret FROM idempotency_keys WHERE scope = $1 AND key = $2";
const INSERT_CASE: &str = "INSERT INTO cases (kind, channel, stage, primary_type, types, \
     sub_type, industry, region_code, address, description, unit_id, received_at, due_at, \
     secret_hash, external_id, suggested_type, suggested_sub_type, suggestion_confidence, \
     latitude_e6, longitude_e6) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20) \
     RETURNING id";
const INSERT_REPORTER: &str = "INSERT INTO reporters (case_id, anonymous, name, phone, \
     contact_address, email) VALUES ($1, $2, $3, $4, $5, $6)";
const INSERT_KEY: &str = "INSERT INTO idempotency_keys (scope, key, request_hash, case_id, \
     secret, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

/// `INSERT INTO case_types … VALUES ($1, $2), ($1, $3), …` for `n` types.
pub(crate) fn insert_types_sql(n: usize) -> String {
    let rows: Vec<String> = (0..n).map(|i| format!("($1, ${})", i + 2)).collect();
    format!(
        "INSERT INTO case_types (case_id, type_code) VALUES {}",
        rows.join(", ")
    )
}

/// The rows that go with every new case, once its id is known: its types and its reporter.
pub(crate) fn detail_rows(
    id: i64,
    types: &[PollutionType],
    reporter: &Reporter,
) -> Vec<(String, Vec<Arg>)> {
    let mut type_args = vec![Arg::int(id)];
    type_args.extend(types.iter().map(|t| Arg::text(t.code())));
    vec![
        (insert_types_sql(types.len()), type_args),
        (
            INSERT_REPORTER.to_owned(),
            vec![
                Arg::int(id),
                Arg::int(i64::from(reporter.anonymous)),
                Arg::Text(reporter.name.clone()),
                Arg::Text(reporter.phone.clone()),
                Arg::Text(reporter.contact_address.clone()),
                Arg::Text(reporter.email.clone()),
            ],
        ),
    ]
}

/// One automatic routing (自动分派) of a new case by a dispatch rule, written as an `assign`
/// event right after the case's registration, in the same transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoRouting {
    pub rule_id: i64,
    pub from_unit_id: i64,
    pub to_unit_id: i64,
    pub from_stage: Stage,
    pub to_stage: Stage,
    /// How the history names the rule.
    pub note: String,
}

/// The actor of automatic routings, as the event log records it.
pub const DISPATCH_ACTOR: &str = "system:dispatch";

/// Where a new case ends up: the last routing's unit and stage, or where it was received.
fn holder(record: &IntakeRecord, routing: &[AutoRouting]) -> (i64, Stage) {
    routing
        .last()
        .map_or((record.unit_id, Stage::Registered), |r| {
            (r.to_unit_id, r.to_stage)
        })
}

/// The statements that store one new case, once its id is known, with their arguments.
fn rows_for(
    record: &IntakeRecord,
    routing: &[AutoRouting],
    evidence: &[NewEvidence],
    id: i64,
) -> Vec<(String, Vec<Arg>)> {
    let new = &record.case;
    let event = NewEvent {
        actor: &record.actor,
        at: record.received_at,
        note: None,
        data: {
            let mut data = match &record.suggestion {
                None => {
                    serde_json::json!({ "channel": new.channel.code(), "unit_id": record.unit_id })
                }
                Some(suggested) => serde_json::json!({
                    "channel": new.channel.code(),
                    "unit_id": record.unit_id,
                    "suggestion": suggested,
                }),
            };
            if let (Some(point), Some(map)) = (new.point, data.as_object_mut()) {
                map.insert("point".to_owned(), serde_json::json!(point));
            }
            data
        },
    };
    let mut statements = detail_rows(id, &new.types, &new.reporter);
    statements.push((
        INSERT_EVENT.to_owned(),
        event_args(id, "register", None, Some(Stage::Registered), &event),
    ));
    // The citizen's photos and videos, each with its `attach` event, as the staff's uploads.
    for file in evidence {
        let event = NewEvent {
            actor: &record.actor,
            at: record.received_at,
            // Without the sender's file name, which may name a person: the history is read
            // by staff who may not read the reporter.
            note: Some(format!(
                "举报人提供的{}",
                if file.file_type.is_video() {
                    "视频"
                } else {
                    "照片"
                }
            )),
            data: serde_json::json!({
                "kind": greenline_domain::AttachmentKind::SiteEvidence.code(),
                "media_type": file.file_type.media_type(),
                "size_bytes": file.size_bytes,
                "sha256": file.sha256,
                "from_reporter": true,
                "public_sha256": file.public.as_ref().map(|p| p.sha256.clone()),
            }),
        };
        statements.push((
            INSERT_EVENT.to_owned(),
            event_args(id, "attach", None, None, &event),
        ));
        statements.push(crate::attachments::evidence_row(
            id,
            file,
            record.received_at,
        ));
    }
    let dispatcher = crate::Actor::system("dispatch");
    for step in routing {
        let event = NewEvent {
            actor: &dispatcher,
            at: record.received_at,
            note: Some(step.note.clone()),
            data: serde_json::json!({
                "action": "assign",
                "unit_id": step.to_unit_id,
                "from_unit": step.from_unit_id,
                "rule_id": step.rule_id,
                "note": step.note,
            }),
        };
        statements.push((
            INSERT_EVENT.to_owned(),
            event_args(
                id,
                "assign",
                Some(step.from_stage),
                Some(step.to_stage),
                &event,
            ),
        ));
    }
    if let Some(key) = &record.idempotency {
        statements.push((
            INSERT_KEY.to_owned(),
            vec![
                Arg::text(key.scope.clone()),
                Arg::text(key.key.clone()),
                Arg::text(key.request_hash.clone()),
                Arg::int(id),
                Arg::text(key.secret.clone()),
                Arg::int(millis(record.received_at)),
            ],
        ));
    }
    statements
}

fn case_args(record: &IntakeRecord, routing: &[AutoRouting]) -> Vec<Arg> {
    let new = &record.case;
    let (unit_id, stage) = holder(record, routing);
    vec![
        Arg::text(new.kind.code()),
        Arg::text(new.channel.code()),
        Arg::text(stage.code()),
        Arg::text(new.primary_type.code()),
        Arg::text(types_text(&new.types)),
        Arg::Text(new.sub_type.map(|s| s.code().to_owned())),
        Arg::Text(new.industry.map(|i| i.code().to_owned())),
        Arg::text(new.region.to_string()),
        Arg::text(new.address.clone()),
        Arg::text(new.description.clone()),
        Arg::int(unit_id),
        Arg::int(millis(record.received_at)),
        Arg::Int(millis_opt(record.due_at)),
        Arg::text(record.secret_hash.clone()),
        Arg::Text(new.external_id.clone()),
        Arg::Text(record.suggestion.map(|s| s.primary_type.code().to_owned())),
        Arg::Text(
            record
                .suggestion
                .and_then(|s| s.sub_type)
                .map(|s| s.code().to_owned()),
        ),
        Arg::Int(
            record
                .suggestion
                .map(|s| (s.confidence.clamp(0.0, 1.0) * 1000.0).round() as i64),
        ),
        Arg::Int(new.point.map(|p| p.to_micro().0)),
        Arg::Int(new.point.map(|p| p.to_micro().1)),
    ]
}

fn key_args(key: &IdempotencyKey) -> Vec<Arg> {
    vec![Arg::text(key.scope.clone()), Arg::text(key.key.clone())]
}

/// What the writer did with one submission.
#[derive(Debug)]
enum Written {
    Created(Box<Case>),
    /// The key was seen before: the earlier case, to be read back after the commit.
    Replayed {
        case_id: i64,
        secret: String,
    },
}

fn created(record: &IntakeRecord, routing: &[AutoRouting], id: i64) -> Written {
    // As stored: to the millisecond, so that the first answer and every later read (a retry's
    // answer too) tell the same time.
    let received_at = crate::convert::instant(crate::convert::millis(record.received_at))
        .unwrap_or(record.received_at);
    let (unit_id, stage) = holder(record, routing);
    let mut case = Case::registered(id, &record.case, unit_id, received_at);
    case.stage = stage;
    // As stored: the confidence in thousandths.
    case.suggestion = record.suggestion.map(|mut s| {
        s.confidence = (s.confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0;
        s
    });
    Written::Created(Box::new(case))
}

fn check_replay(key: &IdempotencyKey, found: (i64, String, String)) -> Result<Written> {
    let (case_id, request_hash, secret) = found;
    if request_hash == key.request_hash {
        Ok(Written::Replayed { case_id, secret })
    } else {
        Err(StoreError::IdempotencyMismatch)
    }
}

pub(crate) struct Job {
    record: IntakeRecord,
    routing: Vec<AutoRouting>,
    evidence: Vec<NewEvidence>,
    reply: oneshot::Sender<Result<Written>>,
}

/// Where the writer writes.
pub(crate) enum Writer {
    Pool(AnyPool),
    Sqlite(rusqlite::Connection),
}

/// Starts the writer; it ends when every sender (every `Store` clone) is gone.
pub(crate) fn start_writer(writer: Writer) -> mpsc::Sender<Job> {
    let (sender, mut receiver) = mpsc::channel::<Job>(4 * MAX_BATCH);
    match writer {
        Writer::Pool(pool) => {
            tokio::spawn(async move {
                let mut batch = Vec::with_capacity(MAX_BATCH);
                while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
                    let jobs = std::mem::take(&mut batch);
                    let outcome = match pool_batch(&pool, &jobs, false).await {
                        Ok(outcomes) if outcomes.iter().all(Result::is_ok) => Ok(outcomes),
                        _ => pool_batch(&pool, &jobs, true).await,
                    };
                    answer(jobs, outcome);
                }
            });
        }
        Writer::Sqlite(mut conn) => {
            std::thread::spawn(move || {
                while let Some(first) = receiver.blocking_recv() {
                    let mut jobs = vec![first];
                    while jobs.len() < MAX_BATCH {
                        match receiver.try_recv() {
                            Ok(job) => jobs.push(job),
                            Err(_) => break,
                        }
                    }
                    let outcome = match sqlite_batch(&mut conn, &jobs, false) {
                        Ok(outcomes) if outcomes.iter().all(Result::is_ok) => Ok(outcomes),
                        _ => sqlite_batch(&mut conn, &jobs, true),
                    };
                    answer(jobs, outcome);
                }
            });
        }
    }
    sender
}

// A batch is first written in one go; failures (a duplicate external id) are rare, and only
// then is it written again with a savepoint around each submission, so that one bad submission
// cannot take the others down with it. Without savepoints the first failure ends the attempt.

fn answer(jobs: Vec<Job>, outcome: Result<Vec<Result<Written>>>) {
    match outcome {
        Ok(outcomes) => {
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                // A caller that gave up waiting is no reason to fail the others.
                let _ = job.reply.send(outcome);
            }
        }
        Err(error) => {
            tracing::error!(%error, size = jobs.len(), "an intake batch failed to commit");
            for job in jobs {
                let _ = job
                    .reply
                    .send(Err(StoreError::NotCommitted(error.to_string())));
            }
        }
    }
}

async fn pool_batch(
    pool: &AnyPool,
    jobs: &[Job],
    savepoints: bool,
) -> Result<Vec<Result<Written>>> {
    let mut tx = pool.begin().await?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        if savepoints {
            sqlx::query("SAVEPOINT intake").execute(&mut *tx).await?;
        }
        let outcome = pool_one(&mut tx, &job.record, &job.routing, &job.evidence).await;
        let failed = outcome.is_err();
        outcomes.push(outcome);
        if savepoints {
            let end = if failed {
                "ROLLBACK TO SAVEPOINT intake"
            } else {
                "RELEASE SAVEPOINT intake"
            };
            sqlx::query(end).execute(&mut *tx).await?;
        } else if failed {
            tx.rollback().await?;
            return Ok(outcomes);
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

async fn pool_one(
    conn: &mut AnyConnection,
    record: &IntakeRecord,
    routing: &[AutoRouting],
    evidence: &[NewEvidence],
) -> Result<Written> {
    if let Some(key) = &record.idempotency {
        let found = bind_all(sqlx::query(SELECT_KEY), &key_args(key))
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = found {
            let found = (
                row.try_get("case_id")?,
                row.try_get("request_hash")?,
                row.try_get("secret")?,
            );
            return check_replay(key, found);
        }
    }
    let id: i64 = bind_all(sqlx::query(INSERT_CASE), &case_args(record, routing))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| StoreError::unique_as(e, "external id"))?
        .try_get("id")?;
    for (sql, args) in rows_for(record, routing, evidence, id) {
        bind_all(sqlx::query(&sql), &args)
            .execute(&mut *conn)
            .await
            .map_err(|e| StoreError::unique_as(e, "idempotency key"))?;
    }
    Ok(created(record, routing, id))
}

fn sqlite_value(arg: &Arg) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    match arg {
        Arg::Int(Some(v)) => Value::Integer(*v),
        Arg::Text(Some(v)) => Value::Text(v.clone()),
        Arg::Int(None) | Arg::Text(None) => Value::Null,
    }
}

pub(crate) fn sqlite_error(error: rusqlite::Error, unique_means: &'static str) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY =>
        {
            StoreError::Duplicate(unique_means)
        }
        _ => StoreError::NotCommitted(error.to_string()),
    }
}

fn sqlite_batch(
    conn: &mut rusqlite::Connection,
    jobs: &[Job],
    savepoints: bool,
) -> Result<Vec<Result<Written>>> {
    let fail = |e: rusqlite::Error| StoreError::NotCommitted(e.to_string());
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(fail)?;
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        if savepoints {
            tx.execute_batch("SAVEPOINT intake").map_err(fail)?;
        }
        let outcome = sqlite_one(&tx, &job.record, &job.routing, &job.evidence);
        let failed = outcome.is_err();
        outcomes.push(outcome);
        if savepoints {
            let end = if failed {
                "ROLLBACK TO SAVEPOINT intake; RELEASE SAVEPOINT intake"
            } else {
                "RELEASE SAVEPOINT intake"
            };
            tx.execute_batch(end).map_err(fail)?;
        } else if failed {
            tx.rollback().map_err(fail)?;
            return Ok(outcomes);
        }
    }
    tx.commit().map_err(fail)?;
    Ok(outcomes)
}

pub(crate) fn params(args: &[Arg]) -> impl rusqlite::Params + '_ {
    rusqlite::params_from_iter(args.iter().map(sqlite_value))
}

fn sqlite_one(
    conn: &rusqlite::Connection,
    record: &IntakeRecord,
    routing: &[AutoRouting],
    evidence: &[NewEvidence],
) -> Result<Written> {
    if let Some(key) = &record.idempotency {
        let mut select = conn
            .prepare_cached(SELECT_KEY)
            .map_err(|e| sqlite_error(e, "idempotency key"))?;
        let mut rows = select
            .query(params(&key_args(key)))
            .map_err(|e| sqlite_error(e, "idempotency key"))?;
        if let Some(row) = rows
            .next()
            .map_err(|e| sqlite_error(e, "idempotency key"))?
        {
            let found = (|| Ok::<_, rusqlite::Error>((row.get(0)?, row.get(1)?, row.get(2)?)))()
                .map_err(|e| sqlite_error(e, "idempotency key"))?;
            return check_replay(key, found);
        }
    }
    let id: i64 = conn
        .prepare_cached(INSERT_CASE)
        .and_then(|mut insert| {
            insert.query_row(params(&case_args(record, routing)), |row| row.get(0))
        })
        .map_err(|e| sqlite_error(e, "external id"))?;
    for (sql, args) in rows_for(record, routing, evidence, id) {
        conn.prepare_cached(&sql)
            .and_then(|mut statement| statement.execute(params(&args)))
            .map_err(|e| sqlite_error(e, "idempotency key"))?;
    }
    Ok(created(record, routing, id))
}

impl Store {
    /// Registers a new case with its reporter and its first event. With an idempotency key that
    /// was seen before, returns the first result and writes nothing. Returns once the case is
    /// committed.
    pub async fn intake(&self, record: IntakeRecord) -> Result<IntakeReceipt> {
        self.intake_routed(record, Vec::new()).await
    }

    /// [`Store::intake`], with the automatic routings of the new case written in the same
    /// transaction: the case is stored at the last routing's unit and stage. A replayed
    /// submission writes none of them.
    pub async fn intake_routed(
        &self,
        record: IntakeRecord,
        routing: Vec<AutoRouting>,
    ) -> Result<IntakeReceipt> {
        self.intake_with_evidence(record, routing, Vec::new()).await
    }

    /// [`Store::intake_routed`], with the photos and videos the citizen sent (their bytes
    /// already in the object store) recorded in the same transaction, each with an `attach`
    /// event. A replayed submission records none of them again.
    pub async fn intake_with_evidence(
        &self,
        record: IntakeRecord,
        routing: Vec<AutoRouting>,
        evidence: Vec<NewEvidence>,
    ) -> Result<IntakeReceipt> {
        let (key, secret) = (record.idempotency.clone(), record.secret.clone());
        let written = match self.submit(record, routing, evidence).await {
            // Another node committed the same key meanwhile (PostgreSQL): answer with its result.
            Err(StoreError::Duplicate("idempotency key")) => {
                let key = key.ok_or(StoreError::Duplicate("idempotency key"))?;
                let row = bind_all(sqlx::query(SELECT_KEY), &key_args(&key))
                    .fetch_optional(&self.writer)
                    .await?
                    .ok_or(StoreError::Duplicate("idempotency key"))?;
                let found = (
                    row.try_get("case_id")?,
                    row.try_get("request_hash")?,
                    row.try_get("secret")?,
                );
                check_replay(&key, found)?
            }
            other => other?,
        };
        match written {
            Written::Created(case) => Ok(IntakeReceipt {
                case: *case,
                secret,
                replayed: false,
            }),
            Written::Replayed { case_id, secret } => Ok(IntakeReceipt {
                case: load_case(&self.writer, case_id).await?,
                secret,
                replayed: true,
            }),
        }
    }

    /// Forgets the retry keys of submissions received before `before`: a retry after that
    /// registers anew. Returns how many were forgotten.
    pub async fn forget_idempotency_keys(
        &self,
        before: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64> {
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(millis(before))
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected())
    }

    async fn submit(
        &self,
        record: IntakeRecord,
        routing: Vec<AutoRouting>,
        evidence: Vec<NewEvidence>,
    ) -> Result<Written> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::NotCommitted("the store is shutting down".to_owned());
        self.intake_queue
            .send(Job {
                record,
                routing,
                evidence,
                reply,
            })
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}
