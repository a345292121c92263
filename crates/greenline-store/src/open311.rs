//! Open311 GeoReport v2: the registered clients and their hashed API keys, and the question
//! the interface asks of the cases (reports of some types and stages, received in a span, a
//! page at a time, with the unit holding each and when it last changed).

use chrono::{DateTime, Utc};
use greenline_domain::{Case, CaseKind, PollutionType, Stage};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::convert::{Arg, CASE_COLUMNS, Sql, case_from_row, id_lists, instant, millis};
use crate::{Result, Store, StoreError};

/// A registered Open311 client (its key is stored only as a digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Client {
    pub id: i64,
    pub name: String,
    /// The key's first characters, to tell keys apart in a list.
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<i64>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A client to register.
#[derive(Debug, Clone)]
pub struct NewOpen311Client {
    pub name: String,
    pub key_hash: String,
    pub key_prefix: String,
    pub created_by: Option<i64>,
}

/// Which reports an Open311 `GET requests` asks for.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// These cases only; when not empty, every other condition but the kind is ignored.
    pub ids: Vec<i64>,
    /// Of these primary types (any when empty).
    pub types: Vec<PollutionType>,
    /// In these stages (any when empty).
    pub stages: Vec<Stage>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    pub offset: u32,
    pub limit: u32,
}

/// A report as Open311 shows it: the case, the unit holding it, when it last changed and when
/// its result was published (if it is).
#[derive(Debug, Clone)]
pub struct RequestRow {
    pub case: Case,
    pub unit_name: String,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

const CLIENT_COLUMNS: &str =
    "id, name, key_prefix, created_at, created_by, last_used_at, revoked_at";

fn client_from_row(row: &AnyRow) -> Result<Open311Client> {
    let opt = |column: &str| -> Result<Option<DateTime<Utc>>> {
        row.try_get::<Option<i64>, _>(column)?
            .map(instant)
            .transpose()
    };
    Ok(Open311Client {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        key_prefix: row.try_get("key_prefix")?,
        created_at: instant(row.try_get("created_at")?)?,
        created_by: row.try_get("created_by")?,
        last_used_at: opt("last_used_at")?,
        revoked_at: opt("revoked_at")?,
    })
}

fn request_from_row(row: &AnyRow) -> Result<RequestRow> {
    let published: Option<i64> = row.try_get("published_at")?;
    let case = case_from_row(row)?;
    let updated: Option<i64> = row.try_get("updated_at")?;
    Ok(RequestRow {
        updated_at: updated
            .map(instant)
            .transpose()?
            .unwrap_or(case.received_at),
        unit_name: row.try_get("unit_name")?,
        published_at: published.map(instant).transpose()?,
        case,
    })
}

impl Store {
    /// Registers a client with its key's digest and records it; returns it.
    pub async fn create_open311_client(
        &self,
        new: &NewOpen311Client,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<Open311Client> {
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO open311_clients (name, key_hash, key_prefix, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(new.name.clone())
        .bind(new.key_hash.clone())
        .bind(new.key_prefix.clone())
        .bind(millis(now))
        .bind(new.created_by)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "client key"))?
        .try_get("id")?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        self.open311_client(id).await
    }

    /// Every registered client, newest first (revoked ones too).
    pub async fn open311_clients(&self) -> Result<Vec<Open311Client>> {
        sqlx::query(&format!(
            "SELECT {CLIENT_COLUMNS} FROM open311_clients ORDER BY id DESC"
        ))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(client_from_row)
        .collect()
    }

    /// The client with `id`.
    pub async fn open311_client(&self, id: i64) -> Result<Open311Client> {
        sqlx::query(&format!(
            "SELECT {CLIENT_COLUMNS} FROM open311_clients WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(client_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound("client"))
    }

    /// The client whose key has this digest, revoked or not. Marks it used at most once a
    /// minute.
    pub async fn open311_client_by_key(
        &self,
        key_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Open311Client>> {
        let row = sqlx::query(&format!(
            "SELECT {CLIENT_COLUMNS} FROM open311_clients WHERE key_hash = $1"
        ))
        .bind(key_hash.to_owned())
        .fetch_optional(&self.reader)
        .await?;
        let Some(client) = row.as_ref().map(client_from_row).transpose()? else {
            return Ok(None);
        };
        let stale = client
            .last_used_at
            .is_none_or(|at| now - at > chrono::Duration::minutes(1));
        if client.revoked_at.is_none() && stale {
            sqlx::query("UPDATE open311_clients SET last_used_at = $1 WHERE id = $2")
                .bind(millis(now))
                .bind(client.id)
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(client))
    }

    /// Revokes a client's key and records it; a key revoked already stays as it was.
    pub async fn revoke_open311_client(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query(
            "UPDATE open311_clients SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The reports a `GET requests` names (see [`RequestQuery`]), newest first.
    pub async fn open311_requests(&self, query: &RequestQuery) -> Result<Vec<RequestRow>> {
        let mut sql = Sql::new(&format!(
            "SELECT {CASE_COLUMNS}, u.name AS unit_name, \
             (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id) AS updated_at, \
             (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id \
              AND e.action = 'publish') AS published_at \
             FROM cases c JOIN units u ON u.id = c.unit_id WHERE c.kind = "
        ));
        sql.bind(Arg::text(CaseKind::Report.code()));
        if !query.ids.is_empty() {
            // Ids are numbers, written inline (see `id_lists`); one list is plenty for a
            // question that names cases one by one.
            let lists: Vec<String> = id_lists(&query.ids).collect();
            sql.push(&format!(" AND c.id IN ({})", lists.join(", ")));
        } else {
            if !query.types.is_empty() {
                sql.push(" AND c.primary_type IN (");
                for (i, t) in query.types.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(Arg::text(t.code()));
                }
                sql.push(")");
            }
            if !query.stages.is_empty() {
                sql.push(" AND c.stage IN (");
                for (i, stage) in query.stages.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.bind(Arg::text(stage.code()));
                }
                sql.push(")");
            }
            if let Some(from) = query.received_from {
                sql.push(" AND c.received_at >= ")
                    .bind(Arg::int(millis(from)));
            }
            if let Some(before) = query.received_before {
                sql.push(" AND c.received_at < ")
                    .bind(Arg::int(millis(before)));
            }
        }
        sql.push(" ORDER BY c.received_at DESC, c.id DESC LIMIT ")
            .bind(Arg::int(i64::from(query.limit.max(1))))
            .push(" OFFSET ")
            .bind(Arg::int(i64::from(query.offset)));
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(request_from_row)
            .collect()
    }
}
