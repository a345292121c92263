//! The 12345 hand-over: the centres that transfer work orders in (each with its hashed key and
//! its callback), the outbox of callbacks with every delivery attempt, and the status feed a
//! centre polls (the public steps of the cases it transferred).

use chrono::{DateTime, Utc};
use greenline_domain::{RegionCode, Stage};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::convert::{instant, millis, region};
use crate::{Result, Store, StoreError};

/// A 12345 centre (its key is stored only as a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferCentre {
    pub id: i64,
    /// Short and unique (`sz12345`): the prefix of its cases' external ids.
    pub code: String,
    pub name: String,
    /// The area it serves.
    pub region: RegionCode,
    pub key_prefix: String,
    /// Where results are pushed, if anywhere.
    pub callback_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A centre to register.
#[derive(Debug, Clone)]
pub struct NewTransferCentre {
    pub code: String,
    pub name: String,
    pub region: RegionCode,
    pub key_hash: String,
    pub key_prefix: String,
    pub callback_url: Option<String>,
    pub callback_secret: Option<String>,
    pub created_by: Option<i64>,
}

/// A callback a step writes in its own transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransferCallback {
    pub centre_id: i64,
    /// `accepted`, `rejected`, `concluded`, `replied`.
    pub kind: String,
    /// The JSON body to post.
    pub body: String,
}

/// A callback in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferCallback {
    pub id: i64,
    pub centre_id: i64,
    pub case_id: i64,
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// A callback due for delivery, with where it goes and the secret it is signed with.
#[derive(Debug, Clone)]
pub struct DueCallback {
    pub callback: TransferCallback,
    pub url: Option<String>,
    pub secret: Option<String>,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackAttempt {
    pub at: DateTime<Utc>,
    pub ok: bool,
    /// The HTTP status the centre answered, if it answered.
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// One public step of a transferred case, as the status feed lists it.
#[derive(Debug, Clone)]
pub struct TransferStep {
    /// The event's id: the feed's cursor.
    pub event_id: i64,
    pub case_id: i64,
    pub external_id: String,
    pub received_at: DateTime<Utc>,
    pub at: DateTime<Utc>,
    pub action: String,
    pub stage: Option<Stage>,
    /// What a reply step said (its `text`), as written; the caller masks it.
    pub reply: Option<String>,
}

const CENTRE_COLUMNS: &str = "id, code, name, region_code, key_prefix, callback_url, \
     created_at, last_used_at, revoked_at";
const CALLBACK_COLUMNS: &str = "c.id, c.centre_id, c.case_id, c.kind, c.body, c.created_at, \
     c.status, c.attempts, c.next_attempt_at, c.sent_at, c.last_error";

fn opt_time(row: &AnyRow, column: &str) -> Result<Option<DateTime<Utc>>> {
    row.try_get::<Option<i64>, _>(column)?
        .map(instant)
        .transpose()
}

fn centre_from_row(row: &AnyRow) -> Result<TransferCentre> {
    Ok(TransferCentre {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        region: region(&row.try_get::<String, _>("region_code")?)?,
        key_prefix: row.try_get("key_prefix")?,
        callback_url: row.try_get("callback_url")?,
        created_at: instant(row.try_get("created_at")?)?,
        last_used_at: opt_time(row, "last_used_at")?,
        revoked_at: opt_time(row, "revoked_at")?,
    })
}

fn callback_from_row(row: &AnyRow) -> Result<TransferCallback> {
    Ok(TransferCallback {
        id: row.try_get("id")?,
        centre_id: row.try_get("centre_id")?,
        case_id: row.try_get("case_id")?,
        kind: row.try_get("kind")?,
        body: row.try_get("body")?,
        created_at: instant(row.try_get("created_at")?)?,
        status: row.try_get("status")?,
        attempts: row.try_get("attempts")?,
        next_attempt_at: instant(row.try_get("next_attempt_at")?)?,
        sent_at: opt_time(row, "sent_at")?,
        last_error: row.try_get("last_error")?,
    })
}

/// Writes a step's callback, in the step's transaction.
pub(crate) async fn insert_callback(
    tx: &mut sqlx::AnyConnection,
    case_id: i64,
    callback: &NewTransferCallback,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO transfer_callbacks (centre_id, case_id, kind, body, created_at, \
         next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(callback.centre_id)
    .bind(case_id)
    .bind(callback.kind.clone())
    .bind(callback.body.clone())
    .bind(millis(now))
    .bind(millis(now))
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Store {
    /// Registers a centre and records it; returns it.
    pub async fn create_transfer_centre(
        &self,
        new: &NewTransferCentre,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<TransferCentre> {
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO transfer_centres (code, name, region_code, key_hash, key_prefix, \
             callback_url, callback_secret, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.code.clone())
        .bind(new.name.clone())
        .bind(new.region.to_string())
        .bind(new.key_hash.clone())
        .bind(new.key_prefix.clone())
        .bind(new.callback_url.clone())
        .bind(new.callback_secret.clone())
        .bind(millis(now))
        .bind(new.created_by)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "centre code"))?
        .try_get("id")?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        self.transfer_centre(id).await
    }

    /// Every centre, newest first.
    pub async fn transfer_centres(&self) -> Result<Vec<TransferCentre>> {
        sqlx::query(&format!(
            "SELECT {CENTRE_COLUMNS} FROM transfer_centres ORDER BY id DESC"
        ))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(centre_from_row)
        .collect()
    }

    /// The centre with `id`.
    pub async fn transfer_centre(&self, id: i64) -> Result<TransferCentre> {
        sqlx::query(&format!(
            "SELECT {CENTRE_COLUMNS} FROM transfer_centres WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(centre_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound("centre"))
    }

    /// The centre with `code`, if any.
    pub async fn transfer_centre_by_code(&self, code: &str) -> Result<Option<TransferCentre>> {
        sqlx::query(&format!(
            "SELECT {CENTRE_COLUMNS} FROM transfer_centres WHERE code = $1"
        ))
        .bind(code.to_owned())
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(centre_from_row)
        .transpose()
    }

    /// The centre whose key has this digest, revoked or not; marked used at most once a
    /// minute.
    pub async fn transfer_centre_by_key(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TransferCentre>> {
        let Some(centre) = sqlx::query(&format!(
            "SELECT {CENTRE_COLUMNS} FROM transfer_centres WHERE key_hash = $1"
        ))
        .bind(key_hash.to_owned())
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(centre_from_row)
        .transpose()?
        else {
            return Ok(None);
        };
        let stale = centre
            .last_used_at
            .is_none_or(|at| now - at > chrono::Duration::minutes(1));
        if centre.revoked_at.is_none() && stale {
            sqlx::query("UPDATE transfer_centres SET last_used_at = $1 WHERE id = $2")
                .bind(millis(now))
                .bind(centre.id)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(centre))
    }

    /// Revokes a centre's key and records it.
    pub async fn revoke_transfer_centre(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE transfer_centres SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The case a centre transferred under `external_id`, if any.
    pub async fn case_by_external_id(&self, external_id: &str) -> Result<Option<i64>> {
        Ok(sqlx::query("SELECT id FROM cases WHERE external_id = $1")
            .bind(external_id.to_owned())
            .fetch_optional(&self.reader)
            .await?
            .map(|row| row.try_get("id"))
            .transpose()?)
    }

    /// Claims at most `limit` pending callbacks due at `now` (each left alone by other senders
    /// until `lease_until`), each with its centre's URL and secret.
    pub async fn due_transfer_callbacks(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DueCallback>> {
        let rows = sqlx::query(&format!(
            "SELECT {CALLBACK_COLUMNS}, t.callback_url, t.callback_secret \
             FROM transfer_callbacks c JOIN transfer_centres t ON t.id = c.centre_id \
             WHERE c.status = 'pending' AND c.next_attempt_at <= $1 \
             ORDER BY c.next_attempt_at, c.id LIMIT $2"
        ))
        .bind(millis(now))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        let mut due = Vec::with_capacity(rows.len());
        for row in &rows {
            let callback = callback_from_row(row)?;
            let claimed = sqlx::query(
                "UPDATE transfer_callbacks SET next_attempt_at = $1 WHERE id = $2 \
                 AND status = 'pending' AND next_attempt_at = $3",
            )
            .bind(millis(lease_until))
            .bind(callback.id)
            .bind(millis(callback.next_attempt_at))
            .execute(&self.writer)
            .await?;
            if claimed.rows_affected() == 1 {
                due.push(DueCallback {
                    url: row.try_get("callback_url")?,
                    secret: row.try_get("callback_secret")?,
                    callback,
                });
            }
        }
        Ok(due)
    }

    /// Records one delivery attempt: sent (no error), to be tried again at `retry_at`, or
    /// given up.
    pub async fn record_transfer_callback_attempt(
        &self,
        id: i64,
        at: DateTime<Utc>,
        status_code: Option<u16>,
        error: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "INSERT INTO transfer_callback_attempts (callback_id, at, ok, status_code, error) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(millis(at))
        .bind(i64::from(error.is_none()))
        .bind(status_code.map(i64::from))
        .bind(error.map(str::to_owned))
        .execute(&mut *tx)
        .await?;
        let (status, next) = match (error, retry_at) {
            (None, _) => ("sent", at),
            (Some(_), Some(retry)) => ("pending", retry),
            (Some(_), None) => ("failed", at),
        };
        let updated = sqlx::query(
            "UPDATE transfer_callbacks SET status = $1, attempts = attempts + 1, \
             next_attempt_at = $2, sent_at = $3, last_error = $4 WHERE id = $5",
        )
        .bind(status)
        .bind(millis(next))
        .bind(error.is_none().then(|| millis(at)))
        .bind(error.map(str::to_owned))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::NotFound("callback"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// A centre's callbacks, newest first, at most `limit`.
    pub async fn transfer_callbacks(
        &self,
        centre_id: i64,
        limit: u32,
    ) -> Result<Vec<TransferCallback>> {
        sqlx::query(&format!(
            "SELECT {CALLBACK_COLUMNS} FROM transfer_callbacks c WHERE c.centre_id = $1 \
             ORDER BY c.id DESC LIMIT $2"
        ))
        .bind(centre_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(callback_from_row)
        .collect()
    }

    /// Every delivery attempt of callback `id`, oldest first.
    pub async fn transfer_callback_attempts(&self, id: i64) -> Result<Vec<CallbackAttempt>> {
        sqlx::query(
            "SELECT at, ok, status_code, error FROM transfer_callback_attempts \
             WHERE callback_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            Ok(CallbackAttempt {
                at: instant(row.try_get("at")?)?,
                ok: row.try_get::<i64, _>("ok")? != 0,
                status_code: row
                    .try_get::<Option<i64>, _>("status_code")?
                    .and_then(|c| u16::try_from(c).ok()),
                error: row.try_get("error")?,
            })
        })
        .collect()
    }

    /// The steps of the cases a centre transferred (their external ids start with
    /// `prefix`), after event `after`, oldest first, at most `limit`: every event that
    /// changed a stage, and the registration.
    pub async fn transfer_steps(
        &self,
        prefix: &str,
        after: i64,
        limit: u32,
    ) -> Result<Vec<TransferStep>> {
        // The external ids of one centre form one range of text: `code:` up to `code;`
        // (';' follows ':' in ASCII), which the unique index on external_id reads.
        let low = format!("{prefix}:");
        let high = format!("{prefix};");
        sqlx::query(
            "SELECT e.id, e.case_id, e.at, e.action, e.to_stage, e.data, c.external_id, \
             c.received_at \
             FROM cases c JOIN case_events e ON e.case_id = c.id \
             WHERE c.external_id >= $1 AND c.external_id < $2 AND c.channel = '12345' \
             AND e.id > $3 AND e.to_stage IS NOT NULL ORDER BY e.id LIMIT $4",
        )
        .bind(low)
        .bind(high)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            let stage: Option<String> = row.try_get("to_stage")?;
            let action: String = row.try_get("action")?;
            let reply = if action == "reply" {
                let data: String = row.try_get("data")?;
                serde_json::from_str::<serde_json::Value>(&data)
                    .ok()
                    .and_then(|d| d["text"].as_str().map(str::to_owned))
            } else {
                None
            };
            Ok(TransferStep {
                event_id: row.try_get("id")?,
                case_id: row.try_get("case_id")?,
                external_id: row.try_get("external_id")?,
                received_at: instant(row.try_get("received_at")?)?,
                at: instant(row.try_get("at")?)?,
                action,
                reply,
                stage: stage
                    .map(|s| Stage::parse(&s).ok_or_else(|| crate::convert::corrupt("stage", &s)))
                    .transpose()?,
            })
        })
        .collect()
    }
}
