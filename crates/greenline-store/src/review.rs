//! Changes to a case beside its workflow: staff's review of its types (确认/更正) and its merge
//! into the group of an earlier report of the same source (重复举报归并). Each is written with
//! its event in one transaction, against the version the change started from.

use greenline_domain::{Merge, Reviewed, Stage};
use sqlx::Row;

use crate::cases::{Event, NewEvent, append_event, event_from_row, types_text};
use crate::convert::{Arg, bind_all, corrupt};
use crate::intake::insert_types_sql;
use crate::{Result, Store, StoreError};

const LAST_EVENT: &str = "SELECT id, case_id, at, actor_id, actor, action, from_stage, to_stage, \
     note, data FROM case_events WHERE case_id = $1 ORDER BY id DESC LIMIT 1";

/// Appends the change's event (the stage unchanged), commits, and returns the event as stored.
async fn commit_with_event(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    case_id: i64,
    action: &str,
    stage: Stage,
    event: &NewEvent<'_>,
) -> Result<Event> {
    append_event(&mut tx, case_id, action, Some(stage), Some(stage), event).await?;
    let row = sqlx::query(LAST_EVENT)
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    event_from_row(&row)
}

impl Store {
    /// Writes a review of a case's types, its type rows and its event (`confirm_types` or
    /// `correct_types`, the types before and after in the event's data).
    pub async fn record_review(&self, reviewed: &Reviewed, event: NewEvent<'_>) -> Result<Event> {
        let case = &reviewed.case;
        let mut tx = self.writer.begin().await?;
        let updated = sqlx::query(
            "UPDATE cases SET primary_type = $1, types = $2, sub_type = $3, type_review = $4, \
             version = $5 WHERE id = $6 AND version = $7",
        )
        .bind(case.primary_type.code().to_owned())
        .bind(types_text(&case.types))
        .bind(case.sub_type.map(|s| s.code().to_owned()))
        .bind(reviewed.review.code().to_owned())
        .bind(case.version)
        .bind(case.id)
        .bind(case.version - 1)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        sqlx::query("DELETE FROM case_types WHERE case_id = $1")
            .bind(case.id)
            .execute(&mut *tx)
            .await?;
        let mut args = vec![Arg::int(case.id)];
        args.extend(case.types.iter().map(|t| Arg::text(t.code())));
        bind_all(sqlx::query(&insert_types_sql(case.types.len())), &args)
            .execute(&mut *tx)
            .await?;
        commit_with_event(tx, case.id, reviewed.review.action(), case.stage, &event).await
    }

    /// The first case of the group `case_id` belongs to (itself when it repeats none) and that
    /// case's stage.
    pub async fn group_lead(&self, case_id: i64) -> Result<(i64, Stage)> {
        let row = sqlx::query(
            "SELECT l.id, l.stage FROM cases c JOIN cases l ON l.id = coalesce(c.repeat_of, c.id) \
             WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::NotFound("case"))?;
        let stage: String = row.try_get("stage")?;
        Ok((
            row.try_get("id")?,
            Stage::parse(&stage).ok_or_else(|| corrupt("stage", &stage))?,
        ))
    }

    /// The cases that repeat `lead`, in id order.
    pub async fn repeats_of(&self, lead: i64) -> Result<Vec<i64>> {
        let rows = sqlx::query("SELECT id FROM cases WHERE repeat_of = $1 ORDER BY id")
            .bind(lead)
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|row| Ok(row.try_get::<i64, _>("id")?))
            .collect()
    }

    /// Writes a merge and its `merge` event (the group's first case in its data). Refused with
    /// [`StoreError::Conflict`] if the case changed meanwhile, or if another case was merged
    /// into it meanwhile (a group has one level).
    pub async fn record_merge(&self, merge: &Merge, event: NewEvent<'_>) -> Result<Event> {
        let case = &merge.case;
        let mut tx = self.writer.begin().await?;
        let updated = sqlx::query(
            "UPDATE cases SET repeat_of = $1, version = $2 WHERE id = $3 AND version = $4 \
             AND NOT EXISTS (SELECT 1 FROM cases r WHERE r.repeat_of = $3) \
             AND EXISTS (SELECT 1 FROM cases l WHERE l.id = $1 AND l.repeat_of IS NULL)",
        )
        .bind(merge.lead)
        .bind(case.version)
        .bind(case.id)
        .bind(case.version - 1)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        commit_with_event(tx, case.id, "merge", case.stage, &event).await
    }

    /// Up to `limit` cases whose types staff reviewed, with ids above `after_id`, in id order:
    /// (id, description, primary type code, sub-type code) — what a classifier is trained on.
    pub async fn reviewed_texts(
        &self,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String, String, Option<String>)>> {
        let rows = sqlx::query(
            "SELECT id, description, primary_type, sub_type FROM cases \
             WHERE type_review IS NOT NULL AND id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    row.try_get("id")?,
                    row.try_get("description")?,
                    row.try_get("primary_type")?,
                    row.try_get("sub_type")?,
                ))
            })
            .collect()
    }
}
