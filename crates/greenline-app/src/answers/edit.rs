//! Staff write and review plain answers. Writers (operators, handlers, supervisors) create and
//! change drafts and send them for review (送审); a supervisor other than the one who sent a draft
//! publishes it (发布) or returns it with a note (退回), and may withdraw (撤下) a published answer.
//! A change names the version it was made on: one made on a stale page changes nothing.

use chrono::{DateTime, Utc};
use greenline_domain::plain_answer::next_state;
use greenline_domain::{AnswerContent, AnswerState, AnswerStep};
use greenline_store::{AnswerChange, AnswerEvent, Publication, StoredAnswer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The longest note of a step.
const MAX_NOTE_CHARS: usize = 500;

/// An answer as staff see it: its working version, the published one, and its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerRecord {
    pub id: i64,
    pub state: AnswerState,
    /// The state in the interface's words.
    pub state_zh: &'static str,
    /// Give this back with a change: a change made on an older version is refused.
    pub version: i64,
    pub working: AnswerContent,
    /// What the public reads now, if anything.
    pub published: Option<AnswerContent>,
    pub published_at: Option<DateTime<Utc>>,
    /// Whether the working version differs from the published one.
    pub changed_since_published: bool,
    pub submitted_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub views: i64,
    pub helped: i64,
    pub not_helped: i64,
    /// Steps the caller may take now.
    pub steps: Vec<AnswerStep>,
    /// Whether the caller may change the text now.
    pub editable: bool,
    /// Changes, oldest first (filled when one answer is read).
    pub history: Vec<AnswerEventView>,
}

/// One change of an answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerEventView {
    /// `created`, `edited`, `submit`, `publish`, `return` or `withdraw`.
    pub kind: String,
    pub kind_zh: &'static str,
    pub note: Option<String>,
    pub actor: String,
    pub at: DateTime<Utc>,
}

/// A step with its note and the version it was decided on.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AnswerStepInput {
    pub step: AnswerStep,
    pub version: i64,
    /// Why: required to return a draft.
    #[serde(default)]
    pub note: Option<String>,
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "created" => "新建",
        "edited" => "修改",
        _ => AnswerStep::parse(kind).map_or("其他", AnswerStep::zh),
    }
}

fn require_staff(caller: &Caller) -> ServiceResult<()> {
    let scope = caller.scope();
    if scope.can_write_answers() || scope.can_review_answers() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only operators, handlers and supervisors keep plain answers".to_owned(),
        ))
    }
}

fn require_writer(caller: &Caller) -> ServiceResult<()> {
    if caller.scope().can_write_answers() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only operators, handlers and supervisors write plain answers".to_owned(),
        ))
    }
}

/// Steps `caller` may take on `answer` now.
fn steps_for(caller: &Caller, answer: &StoredAnswer) -> Vec<AnswerStep> {
    let scope = caller.scope();
    AnswerStep::ALL
        .into_iter()
        .filter(|step| next_state(answer.state, answer.published.is_some(), *step).is_ok())
        .filter(|step| match step {
            AnswerStep::Submit => scope.can_write_answers(),
            AnswerStep::Publish => {
                scope.can_review_answers() && answer.submitted_by != Some(caller.id)
            }
            AnswerStep::Return | AnswerStep::Withdraw => scope.can_review_answers(),
        })
        .collect()
}

fn record(caller: &Caller, answer: StoredAnswer, events: Vec<AnswerEvent>) -> AnswerRecord {
    AnswerRecord {
        steps: steps_for(caller, &answer),
        editable: answer.state.editable() && caller.scope().can_write_answers(),
        id: answer.id,
        state: answer.state,
        state_zh: answer.state.zh(),
        version: answer.version,
        changed_since_published: answer.published.as_ref() != Some(&answer.working),
        working: answer.working,
        published: answer.published,
        published_at: answer.published_at,
        submitted_by: answer.submitted_by,
        updated_at: answer.updated_at,
        views: answer.views,
        helped: answer.helped,
        not_helped: answer.not_helped,
        history: events
            .into_iter()
            .map(|e| AnswerEventView {
                kind_zh: kind_zh(&e.kind),
                kind: e.kind,
                note: e.note,
                // Staff are named with their unit; steps of the system itself (the shipped
                // answers' publication) in the interface's words.
                actor: if e.actor_id.is_some() {
                    e.actor
                } else {
                    "系统".to_owned()
                },
                at: e.at,
            })
            .collect(),
    }
}

impl App {
    /// Every answer, most recently changed first, for staff who keep them.
    pub async fn staff_answers(&self, caller: &Caller) -> ServiceResult<Vec<AnswerRecord>> {
        require_staff(caller)?;
        Ok(self
            .store
            .answers()
            .await?
            .into_iter()
            .map(|a| record(caller, a, Vec::new()))
            .collect())
    }

    /// One answer with its history.
    pub async fn staff_answer(&self, caller: &Caller, id: i64) -> ServiceResult<AnswerRecord> {
        require_staff(caller)?;
        let answer = self.store.answer(id).await?;
        let events = self.store.answer_events(id).await?;
        Ok(record(caller, answer, events))
    }

    /// What a new answer's form starts from: today as its checked date; refused to roles that
    /// do not write answers.
    pub fn blank_answer(&self, caller: &Caller) -> ServiceResult<chrono::NaiveDate> {
        require_writer(caller)?;
        Ok(self.today())
    }

    /// Writes a new answer as a draft.
    pub async fn create_answer(
        &self,
        caller: &Caller,
        content: AnswerContent,
    ) -> ServiceResult<AnswerRecord> {
        require_writer(caller)?;
        let content = content.tidy();
        content.check(self.today())?;
        let answer = self
            .store
            .create_answer(&content, &caller.actor(), self.clock.now())
            .await?;
        let events = self.store.answer_events(answer.id).await?;
        Ok(record(caller, answer, events))
    }

    /// Changes an answer's text; it becomes a draft again (its published version, if any,
    /// stays on the public side until the change is published).
    pub async fn edit_answer(
        &self,
        caller: &Caller,
        id: i64,
        version: i64,
        content: AnswerContent,
    ) -> ServiceResult<AnswerRecord> {
        require_writer(caller)?;
        let content = content.tidy();
        content.check(self.today())?;
        let answer = self.store.answer(id).await?;
        if !answer.state.editable() {
            return Err(ServiceError::conflict(
                "the answer waits for review: return it before changing it",
            ));
        }
        let actor = caller.actor();
        let changed = self
            .store
            .change_answer(&AnswerChange {
                id,
                version,
                state: AnswerState::Draft,
                working: Some(&content),
                published: Publication::Unchanged,
                submitted_by: None,
                kind: "edited",
                note: None,
                actor: &actor,
                at: self.clock.now(),
            })
            .await?;
        let events = self.store.answer_events(id).await?;
        Ok(record(caller, changed, events))
    }

    /// Sends an answer for review, publishes, returns or withdraws it.
    pub async fn answer_step(
        &self,
        caller: &Caller,
        id: i64,
        input: AnswerStepInput,
    ) -> ServiceResult<AnswerRecord> {
        require_staff(caller)?;
        let scope = caller.scope();
        let step = input.step;
        if step.is_review() && !scope.can_review_answers() {
            return Err(ServiceError::Forbidden(
                "only supervisors publish, return or withdraw plain answers".to_owned(),
            ));
        }
        if !step.is_review() && !scope.can_write_answers() {
            return Err(ServiceError::Forbidden(
                "only writers send plain answers for review".to_owned(),
            ));
        }
        let note = input
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if let Some(note) = &note {
            greenline_domain::check_text("note", note, MAX_NOTE_CHARS)
                .map_err(|e| ServiceError::Invalid(vec![e]))?;
        }
        if step == AnswerStep::Return && note.is_none() {
            return Err(ServiceError::field(
                "note",
                "say what to change when returning an answer",
            ));
        }
        let answer = self.store.answer(id).await?;
        if answer.version != input.version {
            return Err(ServiceError::conflict(
                "the answer changed meanwhile; reload it and try again",
            ));
        }
        let state = next_state(answer.state, answer.published.is_some(), step)?;
        if step == AnswerStep::Publish && answer.submitted_by == Some(caller.id) {
            return Err(ServiceError::Forbidden(
                "an answer is published by a reviewer other than the one who sent it".to_owned(),
            ));
        }
        let published = match step {
            AnswerStep::Publish => Publication::Publish(&answer.working),
            AnswerStep::Withdraw => Publication::Withdraw,
            AnswerStep::Submit | AnswerStep::Return => Publication::Unchanged,
        };
        let actor = caller.actor();
        let changed = self
            .store
            .change_answer(&AnswerChange {
                id,
                version: input.version,
                state,
                working: None,
                published,
                submitted_by: (step == AnswerStep::Submit).then_some(caller.id),
                kind: step.code(),
                note: note.as_deref(),
                actor: &actor,
                at: self.clock.now(),
            })
            .await?;
        if matches!(step, AnswerStep::Publish | AnswerStep::Withdraw) {
            self.answers.forget().await;
        }
        let events = self.store.answer_events(id).await?;
        Ok(record(caller, changed, events))
    }
}
