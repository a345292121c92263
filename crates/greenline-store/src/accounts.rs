//! Units (offices), staff accounts and login sessions.

use chrono::{DateTime, Utc};
use greenline_domain::{RegionCode, Role};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::convert::{corrupt, millis, region};
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

const STAFF_SELECT: &str = "SELECT s.id, s.username, s.display_name, s.roles, s.password_hash, \
     u.id AS unit_id, u.name AS unit_name, u.region_code \
     FROM staff s JOIN units u ON u.id = s.unit_id";

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
        let row = sqlx::query(&format!("{STAFF_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&self.writer)
            .await?
            .ok_or(StoreError::NotFound("staff member"))?;
        staff_from_row(&row)
    }

    /// The account and its password hash, for logging in.
    pub async fn staff_login(&self, username: &str) -> Result<Option<(Staff, String)>> {
        let row = sqlx::query(&format!("{STAFF_SELECT} WHERE s.username = $1"))
            .bind(username.to_owned())
            .fetch_optional(&self.reader)
            .await?;
        match row {
            Some(row) => Ok(Some((staff_from_row(&row)?, row.try_get("password_hash")?))),
            None => Ok(None),
        }
    }

    pub async fn staff_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM staff")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?)
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        staff_id: i64,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash.to_owned())
        .bind(staff_id)
        .bind(millis(now))
        .bind(millis(expires_at))
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// The staff member a live session belongs to.
    pub async fn session_staff(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Staff>> {
        let row = sqlx::query(&format!(
            "{STAFF_SELECT} JOIN sessions x ON x.staff_id = s.id \
             WHERE x.token_hash = $1 AND x.expires_at > $2"
        ))
        .bind(token_hash.to_owned())
        .bind(millis(now))
        .fetch_optional(&self.reader)
        .await?;
        row.as_ref().map(staff_from_row).transpose()
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash.to_owned())
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
