//! Units (offices), staff accounts and login sessions.

use chrono::{DateTime, Utc};
use greenline_domain::{RegionCode, Role};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::convert::{Arg, Sql, corrupt, instant, millis, region};
use crate::{Result, Store, StoreError};

/// An office of an agency at some level, responsible for a region.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unit {
    pub id: i64,
    pub name: String,
    pub region: RegionCode,
}

/// A staff account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub unit: Unit,
    pub roles: Vec<Role>,
}

/// An account with what signing in needs to know about it.
#[derive(Debug, Clone)]
pub struct Login {
    pub staff: Staff,
    /// A PHC string (Argon2id).
    pub password_hash: String,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Refuses sign-in until then, after too many failures in a row.
    pub locked_until: Option<DateTime<Utc>>,
    /// Failures since the last successful sign-in.
    pub failed_sign_ins: i64,
    /// When the password was last set (the account's creation if never changed).
    pub password_set_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A named, revocable API token of a staff member (the token itself is shown once and stored
/// only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub staff_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub token_hash: String,
    pub staff_id: i64,
    pub name: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    /// A PHC string (Argon2id), made by the caller.
    pub password_hash: String,
    pub unit_id: i64,
    pub roles: Vec<Role>,
}

fn unit_from_row(row: &AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        region: region(&row.try_get::<String, _>("region_code")?)?,
    })
}

const STAFF_COLUMNS: &str = "SELECT s.id, s.username, s.display_name, s.roles, s.password_hash, \
     s.created_at, s.disabled_at, s.locked_until, s.failed_sign_ins, s.password_set_at, \
     u.id AS unit_id, u.name AS unit_name, u.region_code";
const STAFF_FROM: &str = "FROM staff s JOIN units u ON u.id = s.unit_id";

fn staff_from_row(row: &AnyRow) -> Result<Staff> {
    let roles = row
        .try_get::<String, _>("roles")?
        .split(',')
        .map(|code| Role::parse(code).ok_or_else(|| corrupt("role", code)))
        .collect::<Result<Vec<_>>>()?;
    Ok(Staff {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        unit: Unit {
            id: row.try_get("unit_id")?,
            name: row.try_get("unit_name")?,
            region: region(&row.try_get::<String, _>("region_code")?)?,
        },
        roles,
    })
}

impl Store {
    pub async fn create_unit(
        &self,
        name: &str,
        region: RegionCode,
        now: DateTime<Utc>,
    ) -> Result<Unit> {
        let row = sqlx::query(
            "INSERT INTO units (name, region_code, created_at) VALUES ($1, $2, $3) \
             RETURNING id, name, region_code",
        )
        .bind(name.to_owned())
        .bind(region.to_string())
        .bind(millis(now))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| StoreError::unique_as(e, "unit"))?;
        unit_from_row(&row)
    }

    pub async fn unit(&self, id: i64) -> Result<Unit> {
        let row = sqlx::query("SELECT id, name, region_code FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound("unit"))?;
        unit_from_row(&row)
    }

    pub async fn unit_by_name(&self, name: &str) -> Result<Option<Unit>> {
        sqlx::query("SELECT id, name, region_code FROM units WHERE name = $1")
            .bind(name.to_owned())
            .fetch_optional(&self.reader)
            .await?
            .as_ref()
            .map(unit_from_row)
            .transpose()
    }

    pub async fn units(&self) -> Result<Vec<Unit>> {
        sqlx::query("SELECT id, name, region_code FROM units ORDER BY id")
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(unit_from_row)
            .collect()
    }

    pub async fn create_staff(&self, new: &NewStaff, now: DateTime<Utc>) -> Result<Staff> {
        let roles: Vec<&str> = new.roles.iter().map(|r| r.code()).collect();
        let id: i64 = sqlx::query(
            "INSERT INTO staff (username, display_name, password_hash, unit_id, roles, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.username.clone())
        .bind(new.display_name.clone())
        .bind(new.password_hash.clone())
        .bind(new.unit_id)
        .bind(roles.join(","))
        .bind(millis(now))
        .fetch_one(&self.writer)
        .await
        .map_err(|e| StoreError::unique_as(e, "username"))?
        .try_get("id")?;
        self.staff(id).await
    }

    pub async fn staff(&self, id: i64) -> Result<Staff> {
        let row = sqlx::query(&format!("{STAFF_COLUMNS} {STAFF_FROM} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&self.writer)
            .await?
            .ok_or(StoreError::NotFound("staff member"))?;
        staff_from_row(&row)
    }

    /// The account, its password hash and its sign-in state, for signing in.
    pub async fn staff_login(&self, username: &str) -> Result<Option<Login>> {
        let row = sqlx::query(&format!(
            "{STAFF_COLUMNS} {STAFF_FROM} WHERE s.username = $1"
        ))
        .bind(username.to_owned())
        .fetch_optional(&self.writer)
        .await?;
        row.as_ref().map(login_from_row).transpose()
    }

    /// Every account of units in `within` (all when `None`), with its state, by username.
    pub async fn accounts(&self, within: Option<RegionCode>) -> Result<Vec<Login>> {
        let mut sql = Sql::new(&format!("{STAFF_COLUMNS} {STAFF_FROM} WHERE 1 = 1"));
        if let Some(area) = within
            && area != RegionCode::NATIONAL
        {
            let (low, high) = area.subtree_range();
            sql.push(" AND u.region_code >= ")
                .bind(Arg::text(format!("{low:06}")))
                .push(" AND u.region_code < ")
                .bind(Arg::text(format!("{high:06}")));
        }
        sql.push(" ORDER BY s.username");
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(login_from_row)
            .collect()
    }

    /// The account with `id` and its state.
    pub async fn account(&self, id: i64) -> Result<Login> {
        let row = sqlx::query(&format!("{STAFF_COLUMNS} {STAFF_FROM} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&self.writer)
            .await?
            .ok_or(StoreError::NotFound("staff member"))?;
        login_from_row(&row)
    }

    pub async fn staff_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM staff")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?)
    }

    /// A successful sign-in: clears the failure count, opens the session and records it, in one
    /// transaction.
    pub async fn open_session(
        &self,
        token_hash: &str,
        staff_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE staff SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1")
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $3)",
        )
        .bind(token_hash.to_owned())
        .bind(staff_id)
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A successful sign-in without a session (a command that asked for a password): clears
    /// the failure count and records it.
    pub async fn signed_in(&self, staff_id: i64, audit: &AuditEntry) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE staff SET failed_sign_ins = 0, locked_until = NULL WHERE id = $1")
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A failed sign-in: counts it against the account (when there is one), locks the account
    /// until `lock_until` once `lock_after` failures follow one another, and records it. Returns
    /// until when the account is locked, if it is.
    pub async fn sign_in_failed(
        &self,
        staff_id: Option<i64>,
        lock_after: u32,
        lock_until: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<Option<DateTime<Utc>>> {
        let mut tx = self.writer.begin().await?;
        let mut locked = None;
        if let Some(id) = staff_id {
            let row = sqlx::query(
                "UPDATE staff SET failed_sign_ins = failed_sign_ins + 1, \
                 locked_until = CASE WHEN failed_sign_ins + 1 >= $1 THEN $2 ELSE locked_until END \
                 WHERE id = $3 RETURNING locked_until",
            )
            .bind(i64::from(lock_after.max(1)))
            .bind(millis(lock_until))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            locked = row
                .try_get::<Option<i64>, _>("locked_until")?
                .map(instant)
                .transpose()?;
        }
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(locked)
    }

    /// The staff member of a live session: not expired, used since `idle_since`, its account not
    /// disabled. Marks the session used at `now` when it was last marked over a minute ago (a
    /// write on every request would serialise readers on SQLite).
    pub async fn session_staff(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> Result<Option<Staff>> {
        let row = sqlx::query(&format!(
            "{STAFF_COLUMNS}, x.last_seen_at {STAFF_FROM} \
             JOIN sessions x ON x.staff_id = s.id \
             WHERE x.token_hash = $1 AND x.expires_at > $2 AND x.last_seen_at >= $3 \
             AND s.disabled_at IS NULL"
        ))
        .bind(token_hash.to_owned())
        .bind(millis(now))
        .bind(millis(idle_since))
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let staff = staff_from_row(&row)?;
        let last_seen: i64 = row.try_get("last_seen_at")?;
        if millis(now) - last_seen > 60_000 {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(millis(now))
                .bind(token_hash.to_owned())
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(staff))
    }

    /// Ends a session (nothing if there is none), recording it when `audit` is given.
    pub async fn delete_session(&self, token_hash: &str, audit: Option<&AuditEntry>) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&mut *tx)
            .await?;
        if let Some(audit) = audit {
            audit::append(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Forgets sessions that expired before `now` or were idle since before `idle_since`.
    pub async fn purge_sessions(
        &self,
        now: DateTime<Utc>,
        idle_since: DateTime<Utc>,
    ) -> Result<u64> {
        Ok(
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                .bind(millis(now))
                .bind(millis(idle_since))
                .execute(&self.writer)
                .await?
                .rows_affected(),
        )
    }

    /// The hashes of an account's current and `n` previous passwords, newest first.
    pub async fn recent_password_hashes(&self, staff_id: i64, n: u32) -> Result<Vec<String>> {
        let mut hashes = vec![
            sqlx::query("SELECT password_hash FROM staff WHERE id = $1")
                .bind(staff_id)
                .fetch_optional(&self.reader)
                .await?
                .ok_or(StoreError::NotFound("staff member"))?
                .try_get::<String, _>("password_hash")?,
        ];
        let older = sqlx::query(
            "SELECT password_hash FROM password_history WHERE staff_id = $1 \
             ORDER BY set_at DESC LIMIT $2",
        )
        .bind(staff_id)
        .bind(i64::from(n))
        .fetch_all(&self.reader)
        .await?;
        for row in &older {
            hashes.push(row.try_get("password_hash")?);
        }
        Ok(hashes)
    }

    /// Sets an account's password, keeping the old hash in its history, clearing any lock and
    /// ending every session and API token of the account (whoever holds them signs in again).
    /// With `must_change` the password counts as expired at once (an administrator's reset).
    pub async fn set_password(
        &self,
        staff_id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
        must_change: bool,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let affected = sqlx::query(
            "INSERT INTO password_history (staff_id, password_hash, set_at) \
             SELECT id, password_hash, COALESCE(password_set_at, created_at) FROM staff WHERE id = $1",
        )
        .bind(staff_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if affected == 0 {
            return Err(StoreError::NotFound("staff member"));
        }
        sqlx::query(
            "UPDATE staff SET password_hash = $1, password_set_at = $2, failed_sign_ins = 0, \
             locked_until = NULL WHERE id = $3",
        )
        .bind(password_hash.to_owned())
        .bind(if must_change { 0 } else { millis(now) })
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
        end_access(&mut tx, staff_id, now).await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables an account (ending its sessions and tokens) or enables it again.
    pub async fn set_disabled(
        &self,
        staff_id: i64,
        disabled: bool,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let affected = sqlx::query(
            "UPDATE staff SET disabled_at = $1, failed_sign_ins = 0, locked_until = NULL \
             WHERE id = $2",
        )
        .bind(disabled.then(|| millis(now)))
        .bind(staff_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if affected == 0 {
            return Err(StoreError::NotFound("staff member"));
        }
        if disabled {
            end_access(&mut tx, staff_id, now).await?;
        }
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends every session and API token of an account.
    pub async fn end_sessions(
        &self,
        staff_id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        end_access(&mut tx, staff_id, now).await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Stores a new API token (only its hash) and records it; returns its id.
    pub async fn create_api_token(
        &self,
        new: &NewApiToken,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO api_tokens (token_hash, staff_id, name, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(new.token_hash.clone())
        .bind(new.staff_id)
        .bind(new.name.clone())
        .bind(millis(now))
        .bind(millis(new.expires_at))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An account's API tokens, newest first (revoked and expired ones too).
    pub async fn api_tokens(&self, staff_id: i64) -> Result<Vec<ApiToken>> {
        sqlx::query(
            "SELECT id, staff_id, name, created_at, expires_at, last_used_at, revoked_at \
             FROM api_tokens WHERE staff_id = $1 ORDER BY id DESC",
        )
        .bind(staff_id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(token_from_row)
        .collect()
    }

    /// The API token with `id`.
    pub async fn api_token(&self, id: i64) -> Result<ApiToken> {
        sqlx::query(
            "SELECT id, staff_id, name, created_at, expires_at, last_used_at, revoked_at \
             FROM api_tokens WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .as_ref()
        .map(token_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound("token"))
    }

    /// Revokes an API token and records it.
    pub async fn revoke_api_token(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The staff member an API token belongs to, if it is live (not revoked, not expired, its
    /// account not disabled). Marks it used at most once a minute.
    pub async fn token_staff(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Staff>> {
        let row = sqlx::query(&format!(
            "{STAFF_COLUMNS}, t.last_used_at {STAFF_FROM} \
             JOIN api_tokens t ON t.staff_id = s.id \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND t.revoked_at IS NULL \
             AND s.disabled_at IS NULL"
        ))
        .bind(token_hash.to_owned())
        .bind(millis(now))
        .fetch_optional(&self.reader)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let staff = staff_from_row(&row)?;
        let last_used: Option<i64> = row.try_get("last_used_at")?;
        if last_used.is_none_or(|at| millis(now) - at > 60_000) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(millis(now))
                .bind(token_hash.to_owned())
                .execute(&self.writer)
                .await?;
        }
        Ok(Some(staff))
    }
}

/// Deletes an account's sessions and revokes its tokens, inside a transaction.
async fn end_access(tx: &mut sqlx::AnyConnection, staff_id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE staff_id = $1")
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE staff_id = $2 AND revoked_at IS NULL")
        .bind(millis(now))
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

fn token_from_row(row: &AnyRow) -> Result<ApiToken> {
    let opt = |column: &str| -> Result<Option<DateTime<Utc>>> {
        row.try_get::<Option<i64>, _>(column)?
            .map(instant)
            .transpose()
    };
    Ok(ApiToken {
        id: row.try_get("id")?,
        staff_id: row.try_get("staff_id")?,
        name: row.try_get("name")?,
        created_at: instant(row.try_get("created_at")?)?,
        expires_at: instant(row.try_get("expires_at")?)?,
        last_used_at: opt("last_used_at")?,
        revoked_at: opt("revoked_at")?,
    })
}

fn login_from_row(row: &AnyRow) -> Result<Login> {
    let opt = |column: &str| -> Result<Option<DateTime<Utc>>> {
        row.try_get::<Option<i64>, _>(column)?
            .map(instant)
            .transpose()
    };
    let created_at = instant(row.try_get("created_at")?)?;
    Ok(Login {
        staff: staff_from_row(row)?,
        password_hash: row.try_get("password_hash")?,
        disabled_at: opt("disabled_at")?,
        locked_until: opt("locked_until")?,
        failed_sign_ins: row.try_get("failed_sign_ins")?,
        password_set_at: opt("password_set_at")?.unwrap_or(created_at),
        created_at,
    })
}
