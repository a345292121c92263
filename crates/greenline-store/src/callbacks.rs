//! Callbacks (回访) and the units' approval setting (审核).

use chrono::{DateTime, Utc};
use greenline_domain::{RegionCode, Satisfaction};
use sqlx::Row;

use crate::cases::{NewEvent, append_event};
use crate::convert::{Arg, Sql, corrupt, instant, millis, region};
use crate::{AuditEntry, Result, Store, StoreError};

/// Who gave a callback's answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackSource {
    /// Staff called the reporter and recorded the answers.
    Staff,
    /// The reporter rated the reply themselves, with their tracking number and secret.
    Reporter,
}

impl CallbackSource {
    pub fn code(self) -> &'static str {
        match self {
            CallbackSource::Staff => "staff",
            CallbackSource::Reporter => "reporter",
        }
    }

    fn parse(code: &str) -> Result<CallbackSource> {
        match code {
            "staff" => Ok(CallbackSource::Staff),
            "reporter" => Ok(CallbackSource::Reporter),
            other => Err(corrupt("callback source", other)),
        }
    }
}

/// A callback to record.
#[derive(Debug, Clone)]
pub struct NewCallback {
    pub case_id: i64,
    /// The unit holding the case (whose reply is rated).
    pub unit_id: i64,
    /// The case's region.
    pub region: RegionCode,
    pub at: DateTime<Utc>,
    pub satisfaction: Satisfaction,
    pub solved: bool,
    pub note: Option<String>,
    pub source: CallbackSource,
    pub actor_id: Option<i64>,
    pub actor: String,
}

/// A recorded callback.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Callback {
    pub id: i64,
    pub case_id: i64,
    pub unit_id: i64,
    pub at: DateTime<Utc>,
    pub satisfaction: Satisfaction,
    pub solved: bool,
    pub note: Option<String>,
    pub source: CallbackSource,
    pub actor: String,
}

/// Which callbacks to count: a region's (with everything below it), a unit's, a period.
#[derive(Debug, Clone, Default)]
pub struct CallbackQuery {
    pub within: Option<RegionCode>,
    pub unit_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub before: Option<DateTime<Utc>>,
}

/// How many callbacks of one unit, in one region, had one answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackCount {
    pub unit_id: i64,
    pub region: RegionCode,
    pub satisfaction: Satisfaction,
    pub solved: bool,
    pub count: u64,
}

fn satisfaction(code: &str) -> Result<Satisfaction> {
    Satisfaction::parse(code).ok_or_else(|| corrupt("satisfaction", code))
}

pub(crate) async fn insert(conn: &mut sqlx::AnyConnection, callback: &NewCallback) -> Result<()> {
    sqlx::query(
        "INSERT INTO case_callbacks (case_id, unit_id, region_code, at, satisfaction, solved, \
         note, source, actor_id, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(callback.case_id)
    .bind(callback.unit_id)
    .bind(callback.region.to_string())
    .bind(millis(callback.at))
    .bind(callback.satisfaction.code().to_owned())
    .bind(i64::from(callback.solved))
    .bind(callback.note.clone())
    .bind(callback.source.code().to_owned())
    .bind(callback.actor_id)
    .bind(callback.actor.clone())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

impl Store {
    /// Records a callback that changes nothing of the case, with its event, in one
    /// transaction. (A callback that reopens the case goes with the change:
    /// [`Store::record_change_as`].)
    pub async fn record_callback(
        &self,
        callback: &NewCallback,
        action: &str,
        event: NewEvent<'_>,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        append_event(&mut tx, callback.case_id, action, None, None, &event)
            .await
            .map_err(|e| match e {
                StoreError::Database(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
                    StoreError::NotFound("case")
                }
                other => other,
            })?;
        insert(&mut tx, callback).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A case's callbacks, oldest first.
    pub async fn callbacks(&self, case_id: i64) -> Result<Vec<Callback>> {
        sqlx::query(
            "SELECT id, case_id, unit_id, at, satisfaction, solved, note, source, actor \
             FROM case_callbacks WHERE case_id = $1 ORDER BY at, id",
        )
        .bind(case_id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            Ok(Callback {
                id: row.try_get("id")?,
                case_id: row.try_get("case_id")?,
                unit_id: row.try_get("unit_id")?,
                at: instant(row.try_get("at")?)?,
                satisfaction: satisfaction(&row.try_get::<String, _>("satisfaction")?)?,
                solved: row.try_get::<i64, _>("solved")? != 0,
                note: row.try_get("note")?,
                source: CallbackSource::parse(&row.try_get::<String, _>("source")?)?,
                actor: row.try_get("actor")?,
            })
        })
        .collect()
    }

    /// The callbacks under `query`, counted by unit, case region, satisfaction and solved.
    pub async fn callback_counts(&self, query: &CallbackQuery) -> Result<Vec<CallbackCount>> {
        let mut sql = Sql::new(
            "SELECT unit_id, region_code, satisfaction, solved, COUNT(*) AS n \
             FROM case_callbacks WHERE 1 = 1",
        );
        if let Some(area) = query.within
            && area != RegionCode::NATIONAL
        {
            let (low, high) = area.subtree_range();
            sql.push(" AND region_code >= ")
                .bind(Arg::text(format!("{low:06}")))
                .push(" AND region_code < ")
                .bind(Arg::text(format!("{high:06}")));
        }
        if let Some(unit) = query.unit_id {
            sql.push(" AND unit_id = ").bind(Arg::int(unit));
        }
        if let Some(from) = query.from {
            sql.push(" AND at >= ").bind(Arg::int(millis(from)));
        }
        if let Some(before) = query.before {
            sql.push(" AND at < ").bind(Arg::int(millis(before)));
        }
        sql.push(
            " GROUP BY unit_id, region_code, satisfaction, solved \
             ORDER BY unit_id, region_code, satisfaction, solved",
        );
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                Ok(CallbackCount {
                    unit_id: row.try_get("unit_id")?,
                    region: region(&row.try_get::<String, _>("region_code")?)?,
                    satisfaction: satisfaction(&row.try_get::<String, _>("satisfaction")?)?,
                    solved: row.try_get::<i64, _>("solved")? != 0,
                    count: u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or_default(),
                })
            })
            .collect()
    }

    /// Whether unit `id`'s conclusions need a supervisor's approval (审核).
    pub async fn unit_needs_approval(&self, id: i64) -> Result<bool> {
        let row = sqlx::query("SELECT conclusions_need_approval FROM units WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound("unit"))?;
        Ok(row.try_get::<i64, _>("conclusions_need_approval")? != 0)
    }

    /// The ids of the units whose conclusions need approval.
    pub async fn units_needing_approval(&self) -> Result<Vec<i64>> {
        sqlx::query("SELECT id FROM units WHERE conclusions_need_approval <> 0 ORDER BY id")
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| Ok(row.try_get("id")?))
            .collect()
    }

    /// Sets whether unit `id`'s conclusions need approval, with its audit record, in one
    /// transaction.
    pub async fn set_unit_approval(
        &self,
        id: i64,
        required: bool,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let changed = sqlx::query("UPDATE units SET conclusions_need_approval = $1 WHERE id = $2")
            .bind(i64::from(required))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return Err(StoreError::NotFound("unit"));
        }
        crate::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
