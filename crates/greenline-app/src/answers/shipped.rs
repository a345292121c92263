//! The plain answers a new installation starts with: `data/plain_answers.json`, written for
//! this project from the standards and laws each cites (the clauses are listed with each
//! answer; docs/answers.md says how each was checked). They are published at the first start
//! on an empty table, as a system step; from then on staff keep them like any other.

use greenline_domain::{AnswerContent, AnswerState};
use greenline_store::{Actor, AnswerChange, Publication};

use crate::App;
use crate::error::{ServiceError, ServiceResult};

const SHIPPED: &str = include_str!("../../data/plain_answers.json");

/// The shipped answers, each checked as staff's would be.
pub fn shipped_answers() -> ServiceResult<Vec<AnswerContent>> {
    let answers: Vec<AnswerContent> = serde_json::from_str(SHIPPED)
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("plain_answers.json: {e}")))?;
    Ok(answers.into_iter().map(AnswerContent::tidy).collect())
}

impl App {
    /// Publishes the shipped answers when there are none at all (a new installation); returns
    /// how many it published.
    pub async fn install_shipped_answers(&self) -> ServiceResult<usize> {
        if self.store.answer_count().await? > 0 {
            return Ok(0);
        }
        let answers = shipped_answers()?;
        let now = self.clock.now();
        let actor = Actor::system("shipped plain answers");
        for content in &answers {
            // The file was checked on its own dates; a clock set earlier (a test's) does not
            // make them future days.
            let today = greenline_domain::deadline::local_date(now);
            content.check(today.max(content.checked_on))?;
            let answer = self.store.create_answer(content, &actor, now).await?;
            self.store
                .change_answer(&AnswerChange {
                    id: answer.id,
                    version: answer.version,
                    state: AnswerState::Published,
                    working: None,
                    published: Publication::Publish(content),
                    submitted_by: None,
                    kind: "publish",
                    note: None,
                    actor: &actor,
                    at: now,
                })
                .await?;
        }
        self.answers.forget().await;
        Ok(answers.len())
    }
}
