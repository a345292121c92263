//! The audit trail (安全审计): an append-only, hash-chained record of who did or tried what.
//!
//! Each row holds the SHA-256 of the row before and of its own content. Appending first
//! updates the single `audit_head` row, which takes the write lock on SQLite and the row lock on
//! PostgreSQL, so appends from every connection and node form one chain in `seq` order. The
//! schema's triggers refuse updates and deletions; [`Store::verify_audit`] finds any row that
//! was changed, removed or slipped in behind the database's back.

use chrono::{DateTime, Utc};
use greenline_domain::RegionCode;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::convert::{Arg, Sql, instant, millis};
use crate::{Result, Store};

/// How an audited attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Done.
    Ok,
    /// Refused: not allowed, or a wrong password.
    Denied,
    /// Attempted and failed for another reason (bad input, locked account).
    Failed,
}

impl AuditOutcome {
    pub fn code(self) -> &'static str {
        match self {
            AuditOutcome::Ok => "ok",
            AuditOutcome::Denied => "denied",
            AuditOutcome::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<AuditOutcome> {
        [AuditOutcome::Ok, AuditOutcome::Denied, AuditOutcome::Failed]
            .into_iter()
            .find(|o| o.code() == code)
    }
}

/// One thing to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    /// The staff account that acted, when one is known.
    pub actor_id: Option<i64>,
    /// Who acted, readably: a staff member's name and unit, the username tried, `command line`.
    pub actor: String,
    /// The actor's unit's region (national when unknown): auditors see the records of their
    /// jurisdiction.
    pub region: RegionCode,
    /// What was done: `sign_in`, `read_case`, `export`, … (see the application core).
    pub action: String,
    /// What it was done to: a case number, a username, a query.
    pub target: String,
    pub outcome: AuditOutcome,
    /// Where from: the client's address, or `command line`.
    pub client: String,
    /// Anything else worth keeping, as JSON.
    pub detail: serde_json::Value,
}

/// A recorded entry with its place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub seq: i64,
    pub entry: AuditEntry,
    pub prev_hash: String,
    pub hash: String,
}

/// What to look for in the audit trail; newest first, `before` for the next page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    /// Only actors of units in this region.
    pub within: Option<RegionCode>,
    pub actor_id: Option<i64>,
    /// Part of the actor's label or of the target.
    pub text: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<AuditOutcome>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only records older than this sequence number.
    pub before: Option<i64>,
    pub limit: u32,
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    pub records: u64,
    /// The first record whose hash or link does not hold, if any.
    pub first_broken: Option<i64>,
    /// Whether the head agrees with the last record.
    pub head_matches: bool,
}

/// The hash before the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The SHA-256 of a record's content and the hash before it, fields separated by U+001F.
fn chain_hash(seq: i64, entry: &AuditEntry, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    let actor_id = entry.actor_id.map(|id| id.to_string()).unwrap_or_default();
    let fields = [
        prev_hash,
        &seq.to_string(),
        &millis(entry.at).to_string(),
        &actor_id,
        &entry.actor,
        &entry.region.to_string(),
        &entry.action,
        &entry.target,
        entry.outcome.code(),
        &entry.client,
        &entry.detail.to_string(),
    ];
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            hasher.update([0x1f]);
        }
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Appends `entry` inside the caller's transaction (so that what it records and the record
/// commit together). Returns its sequence number.
pub(crate) async fn append(conn: &mut sqlx::AnyConnection, entry: &AuditEntry) -> Result<i64> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev_hash: String = head.try_get("hash")?;
    let hash = chain_hash(seq, entry, &prev_hash);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor_id, actor, region_code, action, target, outcome, \
         client, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(millis(entry.at))
    .bind(entry.actor_id)
    .bind(entry.actor.clone())
    .bind(entry.region.to_string())
    .bind(entry.action.clone())
    .bind(entry.target.clone())
    .bind(entry.outcome.code())
    .bind(entry.client.clone())
    .bind(entry.detail.to_string())
    .bind(prev_hash)
    .bind(hash.clone())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(hash)
        .execute(&mut *conn)
        .await?;
    Ok(seq)
}

fn record_from_row(row: &AnyRow) -> Result<AuditRecord> {
    let outcome: String = row.try_get("outcome")?;
    let region: String = row.try_get("region_code")?;
    let detail: String = row.try_get("detail")?;
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        entry: AuditEntry {
            at: instant(row.try_get("at")?)?,
            actor_id: row.try_get("actor_id")?,
            actor: row.try_get("actor")?,
            region: crate::convert::region(&region)?,
            action: row.try_get("action")?,
            target: row.try_get("target")?,
            outcome: AuditOutcome::parse(&outcome)
                .ok_or_else(|| crate::convert::corrupt("audit outcome", &outcome))?,
            client: row.try_get("client")?,
            detail: serde_json::from_str(&detail)
                .map_err(|_| crate::convert::corrupt("audit detail", &detail))?,
        },
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

const AUDIT_COLUMNS: &str = "seq, at, actor_id, actor, region_code, action, target, outcome, \
                             client, detail, prev_hash, hash";

impl Store {
    /// Records `entry` on its own.
    pub async fn audit(&self, entry: &AuditEntry) -> Result<i64> {
        let mut tx = self.writer.begin().await?;
        let seq = append(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Records matching `query`, newest first.
    pub async fn audit_records(&self, query: &AuditQuery) -> Result<Vec<AuditRecord>> {
        let mut sql = Sql::new(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1 = 1"
        ));
        if let Some(area) = query.within
            && area != RegionCode::NATIONAL
        {
            let (low, high) = area.subtree_range();
            sql.push(" AND region_code >= ")
                .bind(Arg::text(format!("{low:06}")))
                .push(" AND region_code < ")
                .bind(Arg::text(format!("{high:06}")));
        }
        if let Some(id) = query.actor_id {
            sql.push(" AND actor_id = ").bind(Arg::int(id));
        }
        if let Some(text) = query.text.as_deref().filter(|t| !t.is_empty()) {
            let pattern = format!("%{}%", text.replace(['%', '_'], ""));
            sql.push(" AND (actor LIKE ")
                .bind(Arg::text(pattern.clone()))
                .push(" OR target LIKE ")
                .bind(Arg::text(pattern))
                .push(")");
        }
        if let Some(action) = &query.action {
            sql.push(" AND action = ").bind(Arg::text(action.clone()));
        }
        if let Some(outcome) = query.outcome {
            sql.push(" AND outcome = ").bind(Arg::text(outcome.code()));
        }
        if let Some(from) = query.from {
            sql.push(" AND at >= ").bind(Arg::int(millis(from)));
        }
        if let Some(to) = query.to {
            sql.push(" AND at < ").bind(Arg::int(millis(to)));
        }
        if let Some(before) = query.before {
            sql.push(" AND seq < ").bind(Arg::int(before));
        }
        sql.push(" ORDER BY seq DESC LIMIT ")
            .bind(Arg::int(i64::from(query.limit.clamp(1, 1000))));
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(record_from_row)
            .collect()
    }

    /// Recomputes the chain from the first record, a page at a time.
    pub async fn verify_audit(&self) -> Result<AuditCheck> {
        let mut check = AuditCheck {
            records: 0,
            first_broken: None,
            head_matches: false,
        };
        let mut prev_hash = GENESIS_HASH.to_owned();
        let mut expected_seq = 1;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT 5000"
            ))
            .bind(expected_seq)
            .fetch_all(&self.reader)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let record = record_from_row(row)?;
                check.records += 1;
                let intact = record.seq == expected_seq
                    && record.prev_hash == prev_hash
                    && record.hash == chain_hash(record.seq, &record.entry, &prev_hash);
                if !intact && check.first_broken.is_none() {
                    check.first_broken = Some(record.seq);
                }
                prev_hash = record.hash;
                expected_seq = record.seq + 1;
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&self.reader)
            .await?;
        let head_seq: i64 = head.try_get("seq")?;
        let head_hash: String = head.try_get("hash")?;
        check.head_matches = head_seq == expected_seq - 1 && head_hash == prev_hash;
        Ok(check)
    }
}
