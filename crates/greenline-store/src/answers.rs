//! Plain answers (通俗解说): the answers with their working and published versions, every change
//! as an append-only event, and the public's views and "this helped" counts.

use chrono::{DateTime, Utc};
use greenline_domain::{AnswerContent, AnswerState};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::cases::Actor;
use crate::convert::{instant, millis};
use crate::{Result, Store, StoreError};

/// An answer as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub id: i64,
    pub state: AnswerState,
    /// The version staff work on.
    pub working: AnswerContent,
    /// The version the public reads, when one is out.
    pub published: Option<AnswerContent>,
    pub published_at: Option<DateTime<Utc>>,
    /// Who sent the working version for review (a reviewer may not be the same person).
    pub submitted_by: Option<i64>,
    /// Rises with every change: a change names the version it was made on.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub views: i64,
    pub helped: i64,
    pub not_helped: i64,
}

/// One change of an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct AnswerEvent {
    /// `created`, `edited`, or a step's code (`submit`, `publish`, `return`, `withdraw`).
    pub kind: String,
    /// The text written, for `created`, `edited` and `publish`.
    pub content: Option<AnswerContent>,
    pub note: Option<String>,
    pub actor: String,
    pub actor_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A step to store: the answer's new state, what becomes public, and the event.
#[derive(Debug, Clone)]
pub struct AnswerChange<'a> {
    pub id: i64,
    /// The version the change was decided on; another change since makes it a conflict.
    pub version: i64,
    pub state: AnswerState,
    /// The working text, when it changes.
    pub working: Option<&'a AnswerContent>,
    /// What the public reads after the change: unchanged, a new version, or nothing.
    pub published: Publication<'a>,
    /// Who sent it for review, when the step sends it (cleared otherwise).
    pub submitted_by: Option<i64>,
    pub kind: &'a str,
    pub note: Option<&'a str>,
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
}

/// What a change does to the public version.
#[derive(Debug, Clone, Copy)]
pub enum Publication<'a> {
    Unchanged,
    Publish(&'a AnswerContent),
    Withdraw,
}

const COLUMNS: &str = "id, state, working, published, published_at, submitted_by, version, \
                       created_at, updated_at, views, helped, not_helped";

fn content(json: &str) -> Result<AnswerContent> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("plain answer: {e}")))
}

fn json(content: &AnswerContent) -> Result<String> {
    serde_json::to_string(content).map_err(|e| StoreError::Corrupt(format!("plain answer: {e}")))
}

fn answer_from_row(row: &AnyRow) -> Result<StoredAnswer> {
    let state: String = row.try_get("state")?;
    let published: Option<String> = row.try_get("published")?;
    let published_at: Option<i64> = row.try_get("published_at")?;
    Ok(StoredAnswer {
        id: row.try_get("id")?,
        state: AnswerState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("plain answer state {state:?}")))?,
        working: content(&row.try_get::<String, _>("working")?)?,
        published: published.as_deref().map(content).transpose()?,
        published_at: published_at.map(instant).transpose()?,
        submitted_by: row.try_get("submitted_by")?,
        version: row.try_get("version")?,
        created_at: instant(row.try_get("created_at")?)?,
        updated_at: instant(row.try_get("updated_at")?)?,
        views: row.try_get("views")?,
        helped: row.try_get("helped")?,
        not_helped: row.try_get("not_helped")?,
    })
}

impl Store {
    /// Stores a new answer as a draft with its first event; returns it.
    pub async fn create_answer(
        &self,
        working: &AnswerContent,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<StoredAnswer> {
        let text = json(working)?;
        let mut tx = self.writer.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO plain_answers (state, working, version, created_at, created_by, updated_at) \
             VALUES ($1, $2, 1, $3, $4, $3) RETURNING id",
        )
        .bind(AnswerState::Draft.code())
        .bind(text.clone())
        .bind(millis(at))
        .bind(actor.staff_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        append_event(&mut tx, id, "created", Some(&text), None, actor, at).await?;
        tx.commit().await?;
        self.answer(id).await
    }

    /// Writes a change with its event, if the answer is still at `change.version`; a stale
    /// change is [`StoreError::Conflict`] and writes nothing.
    pub async fn change_answer(&self, change: &AnswerChange<'_>) -> Result<StoredAnswer> {
        let working = change.working.map(json).transpose()?;
        let mut tx = self.writer.begin().await?;
        let mut sql = String::from(
            "UPDATE plain_answers SET state = $1, version = version + 1, updated_at = $2, \
             submitted_by = $3",
        );
        let mut next = 4;
        if working.is_some() {
            sql.push_str(&format!(", working = ${next}"));
            next += 1;
        }
        let published = match change.published {
            Publication::Unchanged => None,
            Publication::Publish(c) => Some(Some(json(c)?)),
            Publication::Withdraw => Some(None),
        };
        if published.is_some() {
            sql.push_str(&format!(
                ", published = ${next}, published_at = ${}",
                next + 1
            ));
            next += 2;
        }
        sql.push_str(&format!(" WHERE id = ${next} AND version = ${}", next + 1));
        let mut query = sqlx::query(&sql)
            .bind(change.state.code())
            .bind(millis(change.at))
            .bind(change.submitted_by);
        if let Some(text) = &working {
            query = query.bind(text.clone());
        }
        if let Some(published) = &published {
            query = query
                .bind(published.clone())
                .bind(published.as_ref().map(|_| millis(change.at)));
        }
        let done = query
            .bind(change.id)
            .bind(change.version)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            let exists = sqlx::query("SELECT id FROM plain_answers WHERE id = $1")
                .bind(change.id)
                .fetch_optional(&mut *tx)
                .await?
                .is_some();
            return Err(if exists {
                StoreError::Conflict
            } else {
                StoreError::NotFound("plain answer")
            });
        }
        let event_text = match (&working, &published) {
            (Some(text), _) => Some(text.clone()),
            (None, Some(Some(text))) => Some(text.clone()),
            _ => None,
        };
        append_event(
            &mut tx,
            change.id,
            change.kind,
            event_text.as_deref(),
            change.note,
            change.actor,
            change.at,
        )
        .await?;
        tx.commit().await?;
        self.answer(change.id).await
    }

    /// The answer with `id`.
    pub async fn answer(&self, id: i64) -> Result<StoredAnswer> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM plain_answers WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.writer)
        .await?
        .as_ref()
        .map(answer_from_row)
        .transpose()?
        .ok_or(StoreError::NotFound("plain answer"))
    }

    /// Every answer, most recently changed first.
    pub async fn answers(&self) -> Result<Vec<StoredAnswer>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM plain_answers ORDER BY updated_at DESC, id DESC"
        ))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(answer_from_row)
        .collect()
    }

    /// The answers with a published version, most viewed first.
    pub async fn published_answers(&self) -> Result<Vec<StoredAnswer>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM plain_answers WHERE published IS NOT NULL \
             ORDER BY views DESC, id"
        ))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(answer_from_row)
        .collect()
    }

    /// How many answers there are, in any state.
    pub async fn answer_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM plain_answers")
            .fetch_one(&self.reader)
            .await?
            .try_get("n")?)
    }

    /// An answer's changes, oldest first.
    pub async fn answer_events(&self, id: i64) -> Result<Vec<AnswerEvent>> {
        sqlx::query(
            "SELECT kind, content, note, actor, actor_id, at FROM plain_answer_events \
             WHERE answer_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(|row| {
            let text: Option<String> = row.try_get("content")?;
            Ok(AnswerEvent {
                kind: row.try_get("kind")?,
                content: text.as_deref().map(content).transpose()?,
                note: row.try_get("note")?,
                actor: row.try_get("actor")?,
                actor_id: row.try_get("actor_id")?,
                at: instant(row.try_get("at")?)?,
            })
        })
        .collect()
    }

    /// Counts one view of a published answer; false if it has none out.
    pub async fn count_answer_view(&self, id: i64) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE plain_answers SET views = views + 1 WHERE id = $1 AND published IS NOT NULL",
        )
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts a reader's "this helped" (or "it did not"); false if the answer has no
    /// published version.
    pub async fn count_answer_feedback(&self, id: i64, helped: bool) -> Result<bool> {
        let column = if helped { "helped" } else { "not_helped" };
        let done = sqlx::query(&format!(
            "UPDATE plain_answers SET {column} = {column} + 1 \
             WHERE id = $1 AND published IS NOT NULL"
        ))
        .bind(id)
        .execute(&self.writer)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

async fn append_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: i64,
    kind: &str,
    content: Option<&str>,
    note: Option<&str>,
    actor: &Actor,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO plain_answer_events (answer_id, kind, content, note, actor_id, actor, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(kind.to_owned())
    .bind(content.map(str::to_owned))
    .bind(note.map(str::to_owned))
    .bind(actor.staff_id)
    .bind(actor.label.clone())
    .bind(millis(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
