//! A jurisdiction's administration: units with their state, dispatch rules (自动分派), reply
//! templates and the deadline overrides an administrator stored. Every change is written with
//! its audit record in one transaction.

use chrono::{DateTime, Utc};
use greenline_domain::{CaseKind, LimitsOverride, PollutionType, RegionCode};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::accounts::Unit;
use crate::audit::{self, AuditEntry};
use crate::convert::{corrupt, instant, millis, region};
use crate::{Result, Store, StoreError};

/// A unit with its state, as the administration lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitEntry {
    pub unit: Unit,
    pub created_at: DateTime<Utc>,
    /// A disabled unit takes no new cases: no routing or rule may name it.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A dispatch rule as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub id: i64,
    pub owner_unit_id: i64,
    pub region: RegionCode,
    pub pollution_type: Option<PollutionType>,
    pub target_unit_id: i64,
    pub note: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a rule says, to add or to change one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRecord {
    pub owner_unit_id: i64,
    pub region: RegionCode,
    pub pollution_type: Option<PollutionType>,
    pub target_unit_id: i64,
    pub note: String,
}

/// A reply template as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTemplate {
    pub id: i64,
    /// The jurisdiction whose cases it serves (the nation: every case).
    pub region: RegionCode,
    /// Cases of this primary type; any type if `None`.
    pub pollution_type: Option<PollutionType>,
    pub title: String,
    pub body: String,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a template says, to add or to change one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRecord {
    pub region: RegionCode,
    pub pollution_type: Option<PollutionType>,
    pub title: String,
    pub body: String,
}

fn opt_instant(ms: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    ms.map(instant).transpose()
}

fn opt_type(code: Option<String>) -> Result<Option<PollutionType>> {
    code.map(|c| PollutionType::parse(&c).map_err(|_| corrupt("pollution type", &c)))
        .transpose()
}

fn rule_from_row(row: &AnyRow) -> Result<StoredRule> {
    Ok(StoredRule {
        id: row.try_get("id")?,
        owner_unit_id: row.try_get("owner_unit_id")?,
        region: region(&row.try_get::<String, _>("region_code")?)?,
        pollution_type: opt_type(row.try_get("pollution_type")?)?,
        target_unit_id: row.try_get("target_unit_id")?,
        note: row.try_get("note")?,
        disabled_at: opt_instant(row.try_get("disabled_at")?)?,
        created_at: instant(row.try_get("created_at")?)?,
        updated_at: instant(row.try_get("updated_at")?)?,
    })
}

fn template_from_row(row: &AnyRow) -> Result<StoredTemplate> {
    Ok(StoredTemplate {
        id: row.try_get("id")?,
        region: region(&row.try_get::<String, _>("region_code")?)?,
        pollution_type: opt_type(row.try_get("pollution_type")?)?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        disabled_at: opt_instant(row.try_get("disabled_at")?)?,
        created_at: instant(row.try_get("created_at")?)?,
        updated_at: instant(row.try_get("updated_at")?)?,
    })
}

fn days(row: &AnyRow, column: &str) -> Result<Option<u32>> {
    row.try_get::<Option<i64>, _>(column)?
        .map(|d| u32::try_from(d).map_err(|_| corrupt(column, &d.to_string())))
        .transpose()
}

fn override_from_row(row: &AnyRow) -> Result<LimitsOverride> {
    let kind: String = row.try_get("kind")?;
    Ok(LimitsOverride {
        region: region(&row.try_get::<String, _>("region_code")?)?,
        kind: CaseKind::parse_case(&kind).ok_or_else(|| corrupt("case kind", &kind))?,
        acceptance_days: days(row, "acceptance_days")?,
        handling_days: days(row, "handling_days")?,
        max_extension_days: days(row, "max_extension_days")?,
        review_request_days: days(row, "review_request_days")?,
        review_decision_days: days(row, "review_decision_days")?,
        re_review_request_days: days(row, "re_review_request_days")?,
        re_review_decision_days: days(row, "re_review_decision_days")?,
    })
}

const RULE_COLUMNS: &str = "id, owner_unit_id, region_code, pollution_type, target_unit_id, \
     note, disabled_at, created_at, updated_at";
const TEMPLATE_COLUMNS: &str =
    "id, region_code, pollution_type, title, body, disabled_at, created_at, updated_at";
const OVERRIDE_COLUMNS: &str = "region_code, kind, acceptance_days, handling_days, \
     max_extension_days, review_request_days, review_decision_days, re_review_request_days, \
     re_review_decision_days";

impl Store {
    /// Every unit with its state, in id order.
    pub async fn unit_entries(&self) -> Result<Vec<UnitEntry>> {
        sqlx::query("SELECT id, name, region_code, created_at, disabled_at FROM units ORDER BY id")
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                Ok(UnitEntry {
                    unit: Unit {
                        id: row.try_get("id")?,
                        name: row.try_get("name")?,
                        region: region(&row.try_get::<String, _>("region_code")?)?,
                    },
                    created_at: instant(row.try_get("created_at")?)?,
                    disabled_at: opt_instant(row.try_get("disabled_at")?)?,
                })
            })
            .collect()
    }

    /// Creates a unit and records it, in one transaction.
    pub async fn add_unit(
        &self,
        name: &str,
        region: RegionCode,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<Unit> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "INSERT INTO units (name, region_code, created_at) VALUES ($1, $2, $3) \
             RETURNING id, name, region_code",
        )
        .bind(name.to_owned())
        .bind(region.to_string())
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "unit"))?;
        let unit = Unit {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            region: crate::convert::region(&row.try_get::<String, _>("region_code")?)?,
        };
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(unit)
    }

    /// Disables a unit (it takes no new cases) or enables it again; recorded.
    pub async fn set_unit_disabled(
        &self,
        id: i64,
        disabled: bool,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query("UPDATE units SET disabled_at = $1 WHERE id = $2")
            .bind(disabled.then(|| millis(now)))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("unit"));
        }
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every dispatch rule, enabled or not, in id order.
    pub async fn dispatch_rules(&self) -> Result<Vec<StoredRule>> {
        sqlx::query(&format!(
            "SELECT {RULE_COLUMNS} FROM dispatch_rules ORDER BY id"
        ))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(rule_from_row)
        .collect()
    }

    pub async fn dispatch_rule(&self, id: i64) -> Result<StoredRule> {
        let row = sqlx::query(&format!(
            "SELECT {RULE_COLUMNS} FROM dispatch_rules WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::NotFound("dispatch rule"))?;
        rule_from_row(&row)
    }

    /// Adds a rule and records it, in one transaction.
    pub async fn add_dispatch_rule(
        &self,
        rule: &RuleRecord,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<StoredRule> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO dispatch_rules (owner_unit_id, region_code, pollution_type, \
             target_unit_id, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             RETURNING {RULE_COLUMNS}"
        ))
        .bind(rule.owner_unit_id)
        .bind(rule.region.to_string())
        .bind(rule.pollution_type.map(|t| t.code().to_owned()))
        .bind(rule.target_unit_id)
        .bind(rule.note.clone())
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await?;
        let stored = rule_from_row(&row)?;
        let mut audit = audit.clone();
        audit.target = format!("dispatch rule {}", stored.id);
        audit::append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Changes what rule `id` says; recorded.
    pub async fn update_dispatch_rule(
        &self,
        id: i64,
        rule: &RuleRecord,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<StoredRule> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE dispatch_rules SET owner_unit_id = $1, region_code = $2, \
             pollution_type = $3, target_unit_id = $4, note = $5, updated_at = $6 \
             WHERE id = $7 RETURNING {RULE_COLUMNS}"
        ))
        .bind(rule.owner_unit_id)
        .bind(rule.region.to_string())
        .bind(rule.pollution_type.map(|t| t.code().to_owned()))
        .bind(rule.target_unit_id)
        .bind(rule.note.clone())
        .bind(millis(now))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("dispatch rule"))?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        rule_from_row(&row)
    }

    /// Disables a rule (it routes nothing) or enables it again; recorded.
    pub async fn set_dispatch_rule_disabled(
        &self,
        id: i64,
        disabled: bool,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        self.switch_disabled(Switchable::Rule, id, disabled, now, audit)
            .await
    }

    /// Every reply template, enabled or not, in id order.
    pub async fn reply_templates(&self) -> Result<Vec<StoredTemplate>> {
        sqlx::query(&format!(
            "SELECT {TEMPLATE_COLUMNS} FROM reply_templates ORDER BY id"
        ))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(template_from_row)
        .collect()
    }

    pub async fn reply_template(&self, id: i64) -> Result<StoredTemplate> {
        let row = sqlx::query(&format!(
            "SELECT {TEMPLATE_COLUMNS} FROM reply_templates WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::NotFound("reply template"))?;
        template_from_row(&row)
    }

    /// Adds a template and records it, in one transaction.
    pub async fn add_reply_template(
        &self,
        template: &TemplateRecord,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<StoredTemplate> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO reply_templates (region_code, pollution_type, title, body, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING {TEMPLATE_COLUMNS}"
        ))
        .bind(template.region.to_string())
        .bind(template.pollution_type.map(|t| t.code().to_owned()))
        .bind(template.title.clone())
        .bind(template.body.clone())
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await?;
        let stored = template_from_row(&row)?;
        let mut audit = audit.clone();
        audit.target = format!("reply template {}", stored.id);
        audit::append(&mut tx, &audit).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Changes what template `id` says; recorded.
    pub async fn update_reply_template(
        &self,
        id: i64,
        template: &TemplateRecord,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<StoredTemplate> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(&format!(
            "UPDATE reply_templates SET region_code = $1, pollution_type = $2, title = $3, \
             body = $4, updated_at = $5 WHERE id = $6 RETURNING {TEMPLATE_COLUMNS}"
        ))
        .bind(template.region.to_string())
        .bind(template.pollution_type.map(|t| t.code().to_owned()))
        .bind(template.title.clone())
        .bind(template.body.clone())
        .bind(millis(now))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("reply template"))?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        template_from_row(&row)
    }

    /// Disables a template (no longer offered) or enables it again; recorded.
    pub async fn set_reply_template_disabled(
        &self,
        id: i64,
        disabled: bool,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        self.switch_disabled(Switchable::Template, id, disabled, now, audit)
            .await
    }

    /// The deadline overrides administrators stored, by region and kind.
    pub async fn deadline_overrides(&self) -> Result<Vec<LimitsOverride>> {
        sqlx::query(&format!(
            "SELECT {OVERRIDE_COLUMNS} FROM deadline_overrides ORDER BY region_code, kind"
        ))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(override_from_row)
        .collect()
    }

    /// Stores the override of its region and kind (replacing any before it); recorded.
    pub async fn put_deadline_override(
        &self,
        limits: &LimitsOverride,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        sqlx::query("DELETE FROM deadline_overrides WHERE region_code = $1 AND kind = $2")
            .bind(limits.region.to_string())
            .bind(limits.kind.code().to_owned())
            .execute(&mut *tx)
            .await?;
        let day = |d: Option<u32>| d.map(i64::from);
        sqlx::query(&format!(
            "INSERT INTO deadline_overrides ({OVERRIDE_COLUMNS}, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        ))
        .bind(limits.region.to_string())
        .bind(limits.kind.code().to_owned())
        .bind(day(limits.acceptance_days))
        .bind(day(limits.handling_days))
        .bind(day(limits.max_extension_days))
        .bind(day(limits.review_request_days))
        .bind(day(limits.review_decision_days))
        .bind(day(limits.re_review_request_days))
        .bind(day(limits.re_review_decision_days))
        .bind(millis(now))
        .execute(&mut *tx)
        .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the override of a region and kind (the wider limits apply again); recorded.
    pub async fn remove_deadline_override(
        &self,
        region: RegionCode,
        kind: CaseKind,
        audit: &AuditEntry,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        let done =
            sqlx::query("DELETE FROM deadline_overrides WHERE region_code = $1 AND kind = $2")
                .bind(region.to_string())
                .bind(kind.code().to_owned())
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("deadline override"));
        }
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A kind of row an administrator disables and enables again.
#[derive(Debug, Clone, Copy)]
enum Switchable {
    Rule,
    Template,
}

impl Switchable {
    /// Its table's statement, and its name in a "not found".
    fn statement(self) -> (&'static str, &'static str) {
        match self {
            Switchable::Rule => (
                "UPDATE dispatch_rules SET disabled_at = $1, updated_at = $2 WHERE id = $3",
                "dispatch rule",
            ),
            Switchable::Template => (
                "UPDATE reply_templates SET disabled_at = $1, updated_at = $2 WHERE id = $3",
                "reply template",
            ),
        }
    }
}

impl Store {
    /// Disables (or enables) one row of `which`, with its audit record, in one transaction.
    async fn switch_disabled(
        &self,
        which: Switchable,
        id: i64,
        disabled: bool,
        now: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        let (statement, what) = which.statement();
        let mut tx = self.writer.begin().await?;
        let done = sqlx::query(statement)
            .bind(disabled.then(|| millis(now)))
            .bind(millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(what));
        }
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}
