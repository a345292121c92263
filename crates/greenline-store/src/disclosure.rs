//! Information-disclosure requests (依申请公开): the request with its append-only events, and
//! the applicant apart from it, read only with an event and an audit record.
//!
//! The request's state is kept whole as the domain's JSON; the columns beside it (stage,
//! dates, the answer's kind and ground, the running due date) are written from the same value
//! in the same statement, for lists and the annual report. A change computed from an older
//! version is refused ([`StoreError::Conflict`]).

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::disclosure::{
    Answer, AnswerKind, Applicant, ApplicantKind, DisclosureStage, Redirect, Request, Tally,
    WithholdingGround,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::cases::{Actor, NewEvent};
use crate::convert::{corrupt, instant, millis};
use crate::{AuditEntry, Result, Store, StoreError};

/// A new request to store with its applicant and its first event.
#[derive(Debug, Clone)]
pub struct NewDisclosure<'a> {
    /// The request as received (its id and version are the store's to give).
    pub request: &'a Request,
    pub applicant: &'a Applicant,
    pub received_at: DateTime<Utc>,
    /// The running limit's last day.
    pub due_on: Option<NaiveDate>,
    pub secret_hash: String,
    pub actor: &'a Actor,
}

/// A change to store: the request as it stands afterwards, with the event that says what
/// happened.
#[derive(Debug, Clone)]
pub struct DisclosureChange<'a> {
    /// The version the change was computed from.
    pub from_version: i64,
    pub from_stage: DisclosureStage,
    pub request: &'a Request,
    pub due_on: Option<NaiveDate>,
    pub action: &'a str,
    pub event: NewEvent<'a>,
}

/// One entry of a request's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DisclosureEvent {
    pub id: i64,
    pub request_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub from_stage: Option<DisclosureStage>,
    pub to_stage: Option<DisclosureStage>,
    pub note: Option<String>,
    pub data: serde_json::Value,
}

/// A stored request with its list columns.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDisclosure {
    pub request: Request,
    pub received_at: DateTime<Utc>,
    pub due_on: Option<NaiveDate>,
}

/// Which requests to list: those held by these units, open ones only if asked, oldest due
/// first.
#[derive(Debug, Clone, Default)]
pub struct DisclosureFilter {
    pub unit_ids: Vec<i64>,
    pub open_only: bool,
    pub limit: u32,
}

fn date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| corrupt("date", text))
}

fn date_opt(text: Option<String>) -> Result<Option<NaiveDate>> {
    text.as_deref().map(date).transpose()
}

/// The answer's kind, ground and redirect, as the columns keep them.
fn answer_columns(answer: Option<&Answer>) -> [Option<String>; 3] {
    let ground = match answer {
        Some(Answer::Withheld { ground, .. } | Answer::PartlyDisclosed { ground, .. }) => {
            Some(ground.code().to_owned())
        }
        _ => None,
    };
    let redirect = match answer {
        Some(Answer::Redirected { to, .. }) => Some(to.code().to_owned()),
        _ => None,
    };
    [answer.map(|a| a.kind().code().to_owned()), ground, redirect]
}

fn state_json(request: &Request) -> Result<String> {
    serde_json::to_string(request).map_err(|e| StoreError::Corrupt(e.to_string()))
}

const COLUMNS: &str = "id, version, state, received_at, due_on";

fn stored_from_row(row: &AnyRow) -> Result<StoredDisclosure> {
    let state: String = row.try_get("state")?;
    let mut request: Request =
        serde_json::from_str(&state).map_err(|_| corrupt("disclosure request", &state))?;
    request.id = row.try_get("id")?;
    request.version = row.try_get("version")?;
    Ok(StoredDisclosure {
        request,
        received_at: instant(row.try_get("received_at")?)?,
        due_on: date_opt(row.try_get("due_on")?)?,
    })
}

async fn append(
    conn: &mut sqlx::AnyConnection,
    request_id: i64,
    action: &str,
    from: Option<DisclosureStage>,
    to: Option<DisclosureStage>,
    event: &NewEvent<'_>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO disclosure_events (request_id, at, actor_id, actor, action, from_stage, \
         to_stage, note, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(request_id)
    .bind(millis(event.at))
    .bind(event.actor.staff_id)
    .bind(event.actor.label.clone())
    .bind(action.to_owned())
    .bind(from.map(|s| s.code().to_owned()))
    .bind(to.map(|s| s.code().to_owned()))
    .bind(event.note.clone())
    .bind(event.data.to_string())
    .execute(&mut *conn)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            StoreError::NotFound("disclosure request")
        }
        other => StoreError::Database(other),
    })?;
    Ok(())
}

impl Store {
    /// Stores a new request, its applicant and its first event (`apply`) in one transaction,
    /// and returns it with its id.
    pub async fn insert_disclosure(&self, new: &NewDisclosure<'_>) -> Result<Request> {
        let mut tx = self.writer.begin().await?;
        let r = new.request;
        let [answer_kind, ground, redirect] = answer_columns(r.answer.as_ref());
        let row = sqlx::query(
            "INSERT INTO disclosure_requests (unit_id, channel, applicant_kind, stage, \
             received_at, received_on, answered_on, answer_kind, answer_ground, \
             answer_redirect, due_on, complaint_case_id, secret_hash, state, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0) \
             RETURNING id",
        )
        .bind(r.unit_id)
        .bind(r.channel.code().to_owned())
        .bind(r.applicant_kind.code().to_owned())
        .bind(r.stage.code().to_owned())
        .bind(millis(new.received_at))
        .bind(r.received_on.to_string())
        .bind(r.answered_on.map(|d| d.to_string()))
        .bind(answer_kind)
        .bind(ground)
        .bind(redirect)
        .bind(new.due_on.map(|d| d.to_string()))
        .bind(r.complaint_case)
        .bind(new.secret_hash.clone())
        .bind(state_json(r)?)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        let a = new.applicant;
        sqlx::query(
            "INSERT INTO disclosure_applicants (request_id, name, id_number, contact_person, \
             phone, email, address) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(a.name.clone())
        .bind(a.id_number.clone())
        .bind(a.contact_person.clone())
        .bind(a.phone.clone())
        .bind(a.email.clone())
        .bind(a.address.clone())
        .execute(&mut *tx)
        .await?;
        let event = NewEvent {
            actor: new.actor,
            at: new.received_at,
            note: None,
            data: serde_json::json!({
                "channel": r.channel.code(),
                "applicant_kind": r.applicant_kind.code(),
            }),
        };
        append(&mut tx, id, "apply", None, Some(r.stage), &event).await?;
        tx.commit().await?;
        let mut stored = r.clone();
        stored.id = id;
        stored.version = 0;
        Ok(stored)
    }

    /// One request.
    pub async fn disclosure(&self, id: i64) -> Result<StoredDisclosure> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM disclosure_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::NotFound("disclosure request"))?;
        stored_from_row(&row)
    }

    /// The tracking secret's hash of a request, to check an applicant's look-up.
    pub async fn disclosure_secret_hash(&self, id: i64) -> Result<String> {
        let row = sqlx::query("SELECT secret_hash FROM disclosure_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound("disclosure request"))?;
        Ok(row.try_get("secret_hash")?)
    }

    /// Writes a change with its event in one transaction; refused if the request changed
    /// since `from_version` was read.
    pub async fn record_disclosure_change(&self, change: &DisclosureChange<'_>) -> Result<Request> {
        let r = change.request;
        let [answer_kind, ground, redirect] = answer_columns(r.answer.as_ref());
        let mut tx = self.writer.begin().await?;
        let updated = sqlx::query(
            "UPDATE disclosure_requests SET stage = $1, answered_on = $2, answer_kind = $3, \
             answer_ground = $4, answer_redirect = $5, due_on = $6, complaint_case_id = $7, \
             state = $8, version = version + 1 WHERE id = $9 AND version = $10",
        )
        .bind(r.stage.code().to_owned())
        .bind(r.answered_on.map(|d| d.to_string()))
        .bind(answer_kind)
        .bind(ground)
        .bind(redirect)
        .bind(change.due_on.map(|d| d.to_string()))
        .bind(r.complaint_case)
        .bind(state_json(r)?)
        .bind(r.id)
        .bind(change.from_version)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            let exists = sqlx::query("SELECT id FROM disclosure_requests WHERE id = $1")
                .bind(r.id)
                .fetch_optional(&mut *tx)
                .await?;
            return Err(if exists.is_some() {
                StoreError::Conflict
            } else {
                StoreError::NotFound("disclosure request")
            });
        }
        append(
            &mut tx,
            r.id,
            change.action,
            Some(change.from_stage),
            Some(r.stage),
            &change.event,
        )
        .await?;
        tx.commit().await?;
        let mut stored = r.clone();
        stored.version = change.from_version + 1;
        Ok(stored)
    }

    /// Records an event that changes nothing of the request (the answer document sent, a
    /// download).
    pub async fn note_disclosure_event(
        &self,
        request_id: i64,
        action: &str,
        event: NewEvent<'_>,
    ) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        append(&mut tx, request_id, action, None, None, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The requests held by the filter's units, those whose limit ends first first (requests
    /// whose clock stands, then answered ones, after them), newest received within a day.
    pub async fn disclosure_requests(
        &self,
        filter: &DisclosureFilter,
    ) -> Result<Vec<StoredDisclosure>> {
        if filter.unit_ids.is_empty() {
            return Ok(Vec::new());
        }
        let units = filter
            .unit_ids
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let open = if filter.open_only {
            " AND stage <> 'answered'"
        } else {
            ""
        };
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM disclosure_requests WHERE unit_id IN ({units}){open} \
             ORDER BY CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, \
             CASE WHEN stage = 'answered' THEN 1 ELSE 0 END, id DESC LIMIT $1"
        ))
        .bind(i64::from(filter.limit.max(1)))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(stored_from_row).collect()
    }

    /// What the annual report counts, for every request of `unit_id` received on or before
    /// `until`.
    pub async fn disclosure_tallies(&self, unit_id: i64, until: NaiveDate) -> Result<Vec<Tally>> {
        let rows = sqlx::query(
            "SELECT applicant_kind, received_on, answered_on, answer_kind, answer_ground, \
             answer_redirect FROM disclosure_requests WHERE unit_id = $1 AND received_on <= $2 ORDER BY id",
        )
        .bind(unit_id)
        .bind(until.to_string())
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let kind: String = row.try_get("applicant_kind")?;
                let answer: Option<String> = row.try_get("answer_kind")?;
                let ground: Option<String> = row.try_get("answer_ground")?;
                let redirect: Option<String> = row.try_get("answer_redirect")?;
                Ok(Tally {
                    applicant_kind: ApplicantKind::parse(&kind)
                        .ok_or_else(|| corrupt("applicant kind", &kind))?,
                    received_on: date(&row.try_get::<String, _>("received_on")?)?,
                    answered_on: date_opt(row.try_get("answered_on")?)?,
                    answer_kind: answer
                        .map(|a| AnswerKind::parse(&a).ok_or_else(|| corrupt("answer kind", &a)))
                        .transpose()?,
                    ground: ground
                        .map(|g| WithholdingGround::parse(&g).ok_or_else(|| corrupt("ground", &g)))
                        .transpose()?,
                    redirect: redirect
                        .map(|r| Redirect::parse(&r).ok_or_else(|| corrupt("redirect", &r)))
                        .transpose()?,
                })
            })
            .collect()
    }

    /// A request's history, oldest first.
    pub async fn disclosure_events(&self, request_id: i64) -> Result<Vec<DisclosureEvent>> {
        let rows = sqlx::query(
            "SELECT id, request_id, at, actor_id, actor, action, from_stage, to_stage, note, \
             data FROM disclosure_events WHERE request_id = $1 ORDER BY id",
        )
        .bind(request_id)
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|row| {
                let stage = |column: &str| -> Result<Option<DisclosureStage>> {
                    let code: Option<String> = row.try_get(column)?;
                    code.map(|c| DisclosureStage::parse(&c).ok_or_else(|| corrupt("stage", &c)))
                        .transpose()
                };
                let data: String = row.try_get("data")?;
                Ok(DisclosureEvent {
                    id: row.try_get("id")?,
                    request_id: row.try_get("request_id")?,
                    at: instant(row.try_get("at")?)?,
                    actor_id: row.try_get("actor_id")?,
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    from_stage: stage("from_stage")?,
                    to_stage: stage("to_stage")?,
                    note: row.try_get("note")?,
                    data: serde_json::from_str(&data).map_err(|_| corrupt("event data", &data))?,
                })
            })
            .collect()
    }

    /// The applicant's identity. The read is recorded as an event and an audit record in the
    /// same transaction: no one sees an applicant without leaving a trace.
    pub async fn read_applicant(
        &self,
        request_id: i64,
        event: NewEvent<'_>,
        audit: &AuditEntry,
    ) -> Result<Applicant> {
        let mut tx = self.writer.begin().await?;
        append(&mut tx, request_id, "view_applicant", None, None, &event).await?;
        let row = sqlx::query(
            "SELECT r.applicant_kind, a.name, a.id_number, a.contact_person, a.phone, a.email, \
             a.address FROM disclosure_applicants a \
             JOIN disclosure_requests r ON r.id = a.request_id WHERE a.request_id = $1",
        )
        .bind(request_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("disclosure request"))?;
        crate::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        let kind: String = row.try_get("applicant_kind")?;
        Ok(Applicant {
            kind: ApplicantKind::parse(&kind).ok_or_else(|| corrupt("applicant kind", &kind))?,
            name: row.try_get("name")?,
            id_number: row.try_get("id_number")?,
            contact_person: row.try_get("contact_person")?,
            phone: row.try_get("phone")?,
            email: row.try_get("email")?,
            address: row.try_get("address")?,
        })
    }
}
