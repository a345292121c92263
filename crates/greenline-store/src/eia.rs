//! Public participation in environmental impact assessment (环评公众参与): projects, their
//! notices, the public's comments with their themes, the commenters' identities (read only with
//! an audit record), the agency's answers per theme and the participation statement; every
//! change with its event in `eia_events`, in the same transaction.
//!
//! What a change means — the notices' order and periods, whether a comment window is open —
//! is decided in `greenline_domain::eia`; this module keeps what it is given.

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::RegionCode;
use greenline_domain::eia::{
    Adoption, Commenter, NewProject, NoticeKind, PlannedNotice, ProjectType, ScheduledNotice,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{self, AuditEntry};
use crate::convert::{Arg, Sql, corrupt, instant, millis, region};
use crate::{Actor, Result, Store, StoreError};

/// A project under assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EiaProject {
    pub id: i64,
    pub name: String,
    pub developer: String,
    pub location: String,
    pub region: RegionCode,
    pub project_type: ProjectType,
    pub consultant: String,
    /// The reviewing unit.
    pub unit_id: i64,
    pub created_at: DateTime<Utc>,
    /// The participation statement (公众参与说明), once written.
    pub statement: Option<String>,
    /// When the statement and the answers were published.
    pub statement_published_at: Option<DateTime<Utc>>,
}

/// A scheduled notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EiaNotice {
    pub id: i64,
    pub project_id: i64,
    pub kind: NoticeKind,
    pub start: NaiveDate,
    pub working_days: u32,
    pub last_day: NaiveDate,
    pub counted_from: Option<NaiveDate>,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl EiaNotice {
    pub fn scheduled(&self) -> ScheduledNotice {
        ScheduledNotice {
            kind: self.kind,
            start: self.start,
            last_day: self.last_day,
        }
    }
}

/// A comment to keep.
#[derive(Debug, Clone)]
pub struct NewEiaComment {
    pub text: String,
    /// The window it came in.
    pub notice_kind: NoticeKind,
    /// The classifier's pollution type code, if it gave one.
    pub suggested_type: Option<String>,
    pub theme: String,
    pub commenter: Option<Commenter>,
}

/// A kept comment, without its commenter's identity (only whether one was given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EiaComment {
    pub id: i64,
    pub project_id: i64,
    pub received_at: DateTime<Utc>,
    pub notice_kind: NoticeKind,
    /// As written; whoever shows it to the public masks it.
    pub text: String,
    pub suggested_type: Option<String>,
    pub theme: String,
    pub identified: bool,
}

/// The agency's answer to one theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EiaAnswer {
    pub project_id: i64,
    pub theme: String,
    pub adoption: Adoption,
    pub reason: String,
    pub answered_at: DateTime<Utc>,
}

/// One entry of a project's history.
#[derive(Debug, Clone, PartialEq)]
pub struct EiaEvent {
    pub id: i64,
    pub project_id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub data: serde_json::Value,
}

/// A comment's place in the figures: its project, when it came and its theme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EiaCommentFact {
    pub project_id: i64,
    pub received_at: DateTime<Utc>,
    pub theme: String,
}

const PROJECT_COLUMNS: &str = "id, name, developer, location, region_code, project_type, \
     consultant, unit_id, created_at, statement, statement_published_at";
const NOTICE_COLUMNS: &str =
    "id, project_id, kind, start_date, working_days, last_day, counted_from, body, created_at";
const COMMENT_COLUMNS: &str =
    "id, project_id, received_at, notice_kind, text, suggested_type, theme, commenter_id";

fn day(row: &AnyRow, column: &str) -> Result<NaiveDate> {
    let text: String = row.try_get(column)?;
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| corrupt(column, &text))
}

fn project_from_row(row: &AnyRow) -> Result<EiaProject> {
    let project_type: String = row.try_get("project_type")?;
    Ok(EiaProject {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        developer: row.try_get("developer")?,
        location: row.try_get("location")?,
        region: region(&row.try_get::<String, _>("region_code")?)?,
        project_type: ProjectType::parse(&project_type)
            .ok_or_else(|| corrupt("project_type", &project_type))?,
        consultant: row.try_get("consultant")?,
        unit_id: row.try_get("unit_id")?,
        created_at: instant(row.try_get("created_at")?)?,
        statement: row.try_get("statement")?,
        statement_published_at: row
            .try_get::<Option<i64>, _>("statement_published_at")?
            .map(instant)
            .transpose()?,
    })
}

fn kind(row: &AnyRow, column: &str) -> Result<NoticeKind> {
    let code: String = row.try_get(column)?;
    NoticeKind::parse(&code).ok_or_else(|| corrupt(column, &code))
}

fn notice_from_row(row: &AnyRow) -> Result<EiaNotice> {
    let working_days: i64 = row.try_get("working_days")?;
    Ok(EiaNotice {
        id: row.try_get("id")?,
        project_id: row.try_get("project_id")?,
        kind: kind(row, "kind")?,
        start: day(row, "start_date")?,
        working_days: u32::try_from(working_days)
            .map_err(|_| corrupt("working_days", &working_days.to_string()))?,
        last_day: day(row, "last_day")?,
        counted_from: row
            .try_get::<Option<String>, _>("counted_from")?
            .map(|t| {
                NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| corrupt("counted_from", &t))
            })
            .transpose()?,
        body: row.try_get("body")?,
        created_at: instant(row.try_get("created_at")?)?,
    })
}

fn comment_from_row(row: &AnyRow) -> Result<EiaComment> {
    Ok(EiaComment {
        id: row.try_get("id")?,
        project_id: row.try_get("project_id")?,
        received_at: instant(row.try_get("received_at")?)?,
        notice_kind: kind(row, "notice_kind")?,
        text: row.try_get("text")?,
        suggested_type: row.try_get("suggested_type")?,
        theme: row.try_get("theme")?,
        identified: row.try_get::<Option<i64>, _>("commenter_id")?.is_some(),
    })
}

fn answer_from_row(row: &AnyRow) -> Result<EiaAnswer> {
    let adoption: String = row.try_get("adoption")?;
    Ok(EiaAnswer {
        project_id: row.try_get("project_id")?,
        theme: row.try_get("theme")?,
        adoption: Adoption::parse(&adoption).ok_or_else(|| corrupt("adoption", &adoption))?,
        reason: row.try_get("reason")?,
        answered_at: instant(row.try_get("answered_at")?)?,
    })
}

/// Appends one event of a project's history.
async fn append(
    tx: &mut sqlx::AnyConnection,
    project_id: i64,
    actor: &Actor,
    at: DateTime<Utc>,
    action: &str,
    data: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO eia_events (project_id, at, actor_id, actor, action, data) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(project_id)
    .bind(millis(at))
    .bind(actor.staff_id)
    .bind(actor.label.clone())
    .bind(action.to_owned())
    .bind(data.to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound("project"),
        other => StoreError::Database(other),
    })?;
    Ok(())
}

impl Store {
    /// Keeps a new project reviewed by `unit_id`; returns it.
    pub async fn create_eia_project(
        &self,
        new: &NewProject,
        unit_id: i64,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<EiaProject> {
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO eia_projects (name, developer, location, region_code, project_type, \
             consultant, unit_id, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(new.name.clone())
        .bind(new.developer.clone())
        .bind(new.location.clone())
        .bind(new.region.to_string())
        .bind(new.project_type.code().to_owned())
        .bind(new.consultant.clone())
        .bind(unit_id)
        .bind(millis(now))
        .bind(actor.staff_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        append(
            &mut tx,
            id,
            actor,
            now,
            "create",
            serde_json::json!({
                "name": new.name, "developer": new.developer, "location": new.location,
                "region": new.region.to_string(), "project_type": new.project_type.code(),
                "consultant": new.consultant, "unit_id": unit_id,
            }),
        )
        .await?;
        tx.commit().await?;
        self.eia_project(id).await
    }

    pub async fn eia_project(&self, id: i64) -> Result<EiaProject> {
        let row = sqlx::query(&format!(
            "SELECT {PROJECT_COLUMNS} FROM eia_projects WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::NotFound("project"))?;
        project_from_row(&row)
    }

    /// The projects located within `area` (every project when `None`), newest first.
    pub async fn eia_projects(&self, area: Option<RegionCode>) -> Result<Vec<EiaProject>> {
        let mut sql = Sql::new(&format!(
            "SELECT {PROJECT_COLUMNS} FROM eia_projects WHERE 1 = 1"
        ));
        if let Some(area) = area
            && area != RegionCode::NATIONAL
        {
            let (low, high) = area.subtree_range();
            sql.push(" AND region_code >= ")
                .bind(Arg::text(format!("{low:06}")))
                .push(" AND region_code < ")
                .bind(Arg::text(format!("{high:06}")));
        }
        sql.push(" ORDER BY id DESC");
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(project_from_row)
            .collect()
    }

    /// Schedules a notice checked against the project's notices (`earlier`, as read before):
    /// refused with [`StoreError::Conflict`] when another notice was added meanwhile.
    pub async fn add_eia_notice(
        &self,
        project_id: i64,
        earlier: usize,
        notice: &PlannedNotice,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<EiaNotice> {
        let mut tx = self.writer.begin().await?;
        append(
            &mut tx,
            project_id,
            actor,
            now,
            "add_notice",
            serde_json::json!({
                "kind": notice.kind.code(), "start": notice.start.to_string(),
                "working_days": notice.working_days, "last_day": notice.last_day.to_string(),
                "counted_from": notice.counted_from.map(|d| d.to_string()), "body": notice.body,
            }),
        )
        .await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM eia_notices WHERE project_id = $1")
            .bind(project_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
        if usize::try_from(count).ok() != Some(earlier) {
            return Err(StoreError::Conflict);
        }
        let id: i64 = sqlx::query(
            "INSERT INTO eia_notices (project_id, kind, start_date, working_days, last_day, \
             counted_from, body, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(project_id)
        .bind(notice.kind.code().to_owned())
        .bind(notice.start.to_string())
        .bind(i64::from(notice.working_days))
        .bind(notice.last_day.to_string())
        .bind(notice.counted_from.map(|d| d.to_string()))
        .bind(notice.body.clone())
        .bind(millis(now))
        .bind(actor.staff_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| StoreError::unique_as(e, "notice of this kind"))?
        .try_get("id")?;
        tx.commit().await?;
        let row = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM eia_notices WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(&self.reader)
        .await?;
        notice_from_row(&row)
    }

    /// A project's notices, in their order.
    pub async fn eia_notices(&self, project_id: i64) -> Result<Vec<EiaNotice>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM eia_notices WHERE project_id = $1 ORDER BY start_date, id"
        ))
        .bind(project_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(notice_from_row).collect()
    }

    /// The notices of every project that are up by `day`, latest start first, at most `limit`.
    pub async fn eia_notices_up_by(&self, day: NaiveDate, limit: i64) -> Result<Vec<EiaNotice>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTICE_COLUMNS} FROM eia_notices WHERE start_date <= $1 \
             ORDER BY start_date DESC, id DESC LIMIT $2"
        ))
        .bind(day.to_string())
        .bind(limit)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(notice_from_row).collect()
    }

    /// Keeps a comment from the public (and its commenter apart, when given); returns its id.
    pub async fn add_eia_comment(
        &self,
        project_id: i64,
        comment: &NewEiaComment,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let mut tx = self.writer.begin().await?;
        append(
            &mut tx,
            project_id,
            &Actor::public(),
            now,
            "comment",
            serde_json::json!({
                "window": comment.notice_kind.code(), "theme": comment.theme,
                "identified": comment.commenter.is_some(),
            }),
        )
        .await?;
        let commenter_id: Option<i64> = match &comment.commenter {
            None => None,
            Some(c) => Some(
                sqlx::query(
                    "INSERT INTO eia_commenters (name, phone, email) VALUES ($1, $2, $3) \
                     RETURNING id",
                )
                .bind(c.name.clone())
                .bind(c.phone.clone())
                .bind(c.email.clone())
                .fetch_one(&mut *tx)
                .await?
                .try_get("id")?,
            ),
        };
        let id: i64 = sqlx::query(
            "INSERT INTO eia_comments (project_id, received_at, notice_kind, text, \
             suggested_type, theme, commenter_id) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             RETURNING id",
        )
        .bind(project_id)
        .bind(millis(now))
        .bind(comment.notice_kind.code().to_owned())
        .bind(comment.text.clone())
        .bind(comment.suggested_type.clone())
        .bind(comment.theme.clone())
        .bind(commenter_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        tx.commit().await?;
        Ok(id)
    }

    /// A project's comments, oldest first.
    pub async fn eia_comments(&self, project_id: i64) -> Result<Vec<EiaComment>> {
        let rows = sqlx::query(&format!(
            "SELECT {COMMENT_COLUMNS} FROM eia_comments WHERE project_id = $1 ORDER BY id"
        ))
        .bind(project_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(comment_from_row).collect()
    }

    /// The texts of every comment but those of `theme` in `project_id`: the background against
    /// which a theme's phrases stand out.
    pub async fn eia_comment_texts_besides(
        &self,
        project_id: i64,
        theme: &str,
    ) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT id, text FROM eia_comments WHERE NOT (project_id = $1 AND theme = $2) \
             ORDER BY id",
        )
        .bind(project_id)
        .bind(theme.to_owned())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("id")?, row.try_get("text")?)))
            .collect()
    }

    /// Who sent a comment, if they said, recording the read (the audit entry and an event) in
    /// the same transaction.
    pub async fn read_eia_commenter(
        &self,
        comment_id: i64,
        actor: &Actor,
        audit: &AuditEntry,
    ) -> Result<Option<Commenter>> {
        let mut tx = self.writer.begin().await?;
        let row = sqlx::query(
            "SELECT c.project_id, p.name, p.phone, p.email FROM eia_comments c \
             LEFT JOIN eia_commenters p ON p.id = c.commenter_id WHERE c.id = $1",
        )
        .bind(comment_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("comment"))?;
        let project_id: i64 = row.try_get("project_id")?;
        append(
            &mut tx,
            project_id,
            actor,
            audit.at,
            "read_commenter",
            serde_json::json!({ "comment": comment_id }),
        )
        .await?;
        audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        let (name, phone, email): (Option<String>, Option<String>, Option<String>) = (
            row.try_get("name")?,
            row.try_get("phone")?,
            row.try_get("email")?,
        );
        Ok(
            (name.is_some() || phone.is_some() || email.is_some()).then_some(Commenter {
                name,
                phone,
                email,
            }),
        )
    }

    /// The names and phones given with a project's comments, by comment id: only to mask them
    /// wherever a comment's text is shown (nothing read is shown, so no audit record).
    pub async fn eia_comment_identities(
        &self,
        project_id: i64,
    ) -> Result<Vec<(i64, Option<String>, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT c.id, p.name, p.phone FROM eia_comments c \
             JOIN eia_commenters p ON p.id = c.commenter_id WHERE c.project_id = $1",
        )
        .bind(project_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("id")?,
                    row.try_get("name")?,
                    row.try_get("phone")?,
                ))
            })
            .collect()
    }

    /// Moves comments of a project to `theme`; returns how many moved. A comment of another
    /// project is refused with [`StoreError::NotFound`], and nothing moves.
    pub async fn regroup_eia_comments(
        &self,
        project_id: i64,
        comment_ids: &[i64],
        theme: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.writer.begin().await?;
        append(
            &mut tx,
            project_id,
            actor,
            now,
            "regroup",
            serde_json::json!({ "comments": comment_ids, "theme": theme }),
        )
        .await?;
        let mut moved = 0;
        for id in comment_ids {
            let done =
                sqlx::query("UPDATE eia_comments SET theme = $1 WHERE id = $2 AND project_id = $3")
                    .bind(theme.to_owned())
                    .bind(*id)
                    .bind(project_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if done == 0 {
                return Err(StoreError::NotFound("comment"));
            }
            moved += done;
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// Sets the answer to one theme; refused with [`StoreError::Conflict`] once the
    /// statement is published.
    pub async fn set_eia_answer(
        &self,
        project_id: i64,
        theme: &str,
        adoption: Adoption,
        reason: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<EiaAnswer> {
        let mut tx = self.writer.begin().await?;
        append(
            &mut tx,
            project_id,
            actor,
            now,
            "answer",
            serde_json::json!({ "theme": theme, "adoption": adoption.code(), "reason": reason }),
        )
        .await?;
        let published: Option<i64> =
            sqlx::query("SELECT statement_published_at FROM eia_projects WHERE id = $1")
                .bind(project_id)
                .fetch_one(&mut *tx)
                .await?
                .try_get("statement_published_at")?;
        if published.is_some() {
            return Err(StoreError::Conflict);
        }
        sqlx::query("DELETE FROM eia_answers WHERE project_id = $1 AND theme = $2")
            .bind(project_id)
            .bind(theme.to_owned())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO eia_answers (project_id, theme, adoption, reason, answered_at, \
             answered_by) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(project_id)
        .bind(theme.to_owned())
        .bind(adoption.code().to_owned())
        .bind(reason.to_owned())
        .bind(millis(now))
        .bind(actor.staff_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(EiaAnswer {
            project_id,
            theme: theme.to_owned(),
            adoption,
            reason: reason.to_owned(),
            answered_at: now,
        })
    }

    /// A project's answers, by theme.
    pub async fn eia_answers(&self, project_id: i64) -> Result<Vec<EiaAnswer>> {
        let rows = sqlx::query(
            "SELECT project_id, theme, adoption, reason, answered_at FROM eia_answers \
             WHERE project_id = $1 ORDER BY theme",
        )
        .bind(project_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(answer_from_row).collect()
    }

    /// Publishes the participation statement with the answers as they stand; once only
    /// ([`StoreError::Conflict`] the second time).
    pub async fn publish_eia_statement(
        &self,
        project_id: i64,
        statement: &str,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<EiaProject> {
        let mut tx = self.writer.begin().await?;
        append(
            &mut tx,
            project_id,
            actor,
            now,
            "publish_statement",
            serde_json::json!({ "statement": statement }),
        )
        .await?;
        let done = sqlx::query(
            "UPDATE eia_projects SET statement = $1, statement_published_at = $2 \
             WHERE id = $3 AND statement_published_at IS NULL",
        )
        .bind(statement.to_owned())
        .bind(millis(now))
        .bind(project_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        tx.commit().await?;
        self.eia_project(project_id).await
    }

    /// A project's history, oldest first.
    pub async fn eia_events(&self, project_id: i64) -> Result<Vec<EiaEvent>> {
        let rows = sqlx::query(
            "SELECT id, project_id, at, actor, action, data FROM eia_events \
             WHERE project_id = $1 ORDER BY id",
        )
        .bind(project_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let data: String = row.try_get("data")?;
                Ok(EiaEvent {
                    id: row.try_get("id")?,
                    project_id: row.try_get("project_id")?,
                    at: instant(row.try_get("at")?)?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    data: serde_json::from_str(&data).map_err(|_| corrupt("data", &data))?,
                })
            })
            .collect()
    }

    /// Every comment received in `[from, before)` on the projects given, as figures.
    pub async fn eia_comment_facts(
        &self,
        project_ids: &[i64],
        from: DateTime<Utc>,
        before: DateTime<Utc>,
    ) -> Result<Vec<EiaCommentFact>> {
        let mut facts = Vec::new();
        for ids in crate::convert::id_lists(project_ids) {
            let rows = sqlx::query(&format!(
                "SELECT project_id, received_at, theme FROM eia_comments \
                 WHERE project_id IN ({ids}) AND received_at >= $1 AND received_at < $2 \
                 ORDER BY id"
            ))
            .bind(millis(from))
            .bind(millis(before))
            .fetch_all(&self.reader)
            .await?;
            for row in &rows {
                facts.push(EiaCommentFact {
                    project_id: row.try_get("project_id")?,
                    received_at: instant(row.try_get("received_at")?)?,
                    theme: row.try_get("theme")?,
                });
            }
        }
        Ok(facts)
    }
}
