//! Plain answers on the public side: the list and its search, one answer (its views counted),
//! "this helped", and the answers a text calls for — on the report form while a citizen types
//! and at the desk while an operator does.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::{AnswerContent, Basis};
use greenline_store::StoredAnswer;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// The longest text matched against the answers (the report form's description is longer; the
/// first part says what it is about).
pub const MAX_MATCH_CHARS: usize = 2000;
/// The most answers offered for one text.
pub const OFFERED: usize = 3;
/// The longest search.
const MAX_QUERY_CHARS: usize = 100;

/// A published answer as the public reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicAnswer {
    pub id: i64,
    pub question: String,
    /// The answer, one paragraph per item.
    pub paragraphs: Vec<String>,
    pub basis: Vec<Basis>,
    /// The department that usually handles the matter, when not the environment agency.
    pub department: Option<String>,
    pub checked_on: NaiveDate,
    pub published_at: Option<DateTime<Utc>>,
    pub views: i64,
    pub helped: i64,
    pub not_helped: i64,
}

/// A short pointer to an answer, offered beside a text being typed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerHint {
    pub id: i64,
    pub question: String,
    /// The answer's first sentence.
    pub summary: String,
    /// The keywords the text matched.
    pub matched: Vec<String>,
    /// The answer's page on the portal.
    pub url: String,
}

/// The portal's list: every published answer (most read first), or those a search finds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicAnswers {
    /// The search, as understood (trimmed); none for the whole list.
    pub query: Option<String>,
    pub answers: Vec<PublicAnswer>,
}

/// A text to find answers for.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AnswerMatch {
    pub text: String,
}

fn public(answer: &StoredAnswer, content: &AnswerContent) -> PublicAnswer {
    PublicAnswer {
        id: answer.id,
        question: content.question.clone(),
        paragraphs: content
            .answer
            .split('\n')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        basis: content.basis.clone(),
        department: content.department.clone(),
        checked_on: content.checked_on,
        published_at: answer.published_at,
        views: answer.views,
        helped: answer.helped,
        not_helped: answer.not_helped,
    }
}

/// The first sentence of `text`, at most 60 characters.
fn summary(text: &str) -> String {
    let first: String = text
        .chars()
        .take_while(|c| !matches!(c, '。' | '！' | '？' | '\n'))
        .collect();
    let mut short: String = first.chars().take(60).collect();
    if short.chars().count() < first.chars().count() {
        short.push('…');
    } else if text.chars().count() > first.chars().count() {
        short.push('。');
    }
    short
}

impl App {
    /// Every published answer, most read first; with a `query`, those it finds, best first.
    pub async fn public_answers(&self, query: Option<&str>) -> ServiceResult<PublicAnswers> {
        let query = query.map(str::trim).filter(|q| !q.is_empty());
        if let Some(q) = query
            && q.chars().count() > MAX_QUERY_CHARS
        {
            return Err(ServiceError::parameter(
                "q",
                format!("at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        let published = self.published_answers().await?;
        let answers = match query {
            None => published
                .answers
                .iter()
                .filter_map(|a| a.published.as_ref().map(|p| public(a, p)))
                .collect(),
            Some(q) => published
                .index
                .search(q)
                .into_iter()
                .filter_map(|id| published.get(id))
                .filter_map(|a| a.published.as_ref().map(|p| public(a, p)))
                .collect(),
        };
        Ok(PublicAnswers {
            query: query.map(str::to_owned),
            answers,
        })
    }

    /// One published answer, its view counted.
    pub async fn public_answer(&self, id: i64) -> ServiceResult<PublicAnswer> {
        if !self.store.count_answer_view(id).await? {
            return Err(ServiceError::NotFound("plain answer"));
        }
        self.public_answer_uncounted(id).await
    }

    /// One published answer, not counted as a view (the page shown again after a reader's
    /// "this helped").
    pub async fn public_answer_uncounted(&self, id: i64) -> ServiceResult<PublicAnswer> {
        let answer = self.store.answer(id).await?;
        let content = answer
            .published
            .as_ref()
            .ok_or(ServiceError::NotFound("plain answer"))?;
        Ok(public(&answer, content))
    }

    /// A reader's "this helped" (or "it did not"), counted per address within the public
    /// limit.
    pub async fn answer_feedback(
        &self,
        client: IpAddr,
        id: i64,
        helped: bool,
    ) -> ServiceResult<()> {
        self.limiter.check(client)?;
        if self.store.count_answer_feedback(id, helped).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound("plain answer"))
        }
    }

    /// The answers a citizen's text calls for, on the report form (counted against the
    /// address's own limit for look-ups, apart from reports, so that typing never uses up
    /// the right to submit).
    pub async fn answers_for_text(
        &self,
        client: IpAddr,
        input: AnswerMatch,
    ) -> ServiceResult<Vec<AnswerHint>> {
        self.answer_limiter.check(client)?;
        self.answer_hints(&input.text).await
    }

    /// The answers `text` calls for, best first (at most [`OFFERED`]).
    pub(crate) async fn answer_hints(&self, text: &str) -> ServiceResult<Vec<AnswerHint>> {
        if text.chars().count() > MAX_MATCH_CHARS * 2 {
            return Err(ServiceError::field(
                "text",
                format!("at most {} characters", MAX_MATCH_CHARS * 2),
            ));
        }
        let text: String = text.chars().take(MAX_MATCH_CHARS).collect();
        let published = self.published_answers().await?;
        Ok(published
            .index
            .offered(&text, OFFERED)
            .into_iter()
            .filter_map(|(id, matched)| {
                let answer = published.get(id)?;
                let content = answer.published.as_ref()?;
                Some(AnswerHint {
                    id,
                    question: content.question.clone(),
                    summary: summary(&content.answer),
                    matched,
                    url: format!("/answers/{id}"),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn the_summary_is_the_first_sentence_cut_at_sixty_characters() {
        assert_eq!(summary("不会超标。还有别的。"), "不会超标。");
        assert_eq!(summary("只有一句"), "只有一句");
        let long = "很".repeat(70);
        assert_eq!(summary(&long).chars().count(), 61);
    }
}
