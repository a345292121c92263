//! The agency's answer to each theme of a project's comments (采纳, 部分采纳 or 不采纳, and why),
//! and the participation statement (公众参与说明) published with them: once published, the
//! answers and themes are final and shown on the project's public page.

use chrono::{DateTime, Utc};
use greenline_domain::eia::Adoption;
use greenline_domain::text::check_text;
use greenline_store::{EiaAnswer, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::projects::ProjectView;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// An answer to one theme.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnswerView {
    pub theme: String,
    /// `adopted`, `partly` or `not_adopted`.
    pub adoption: String,
    pub adoption_zh: String,
    pub reason: String,
    pub answered_at: DateTime<Utc>,
}

impl From<EiaAnswer> for AnswerView {
    fn from(a: EiaAnswer) -> Self {
        AnswerView {
            theme: a.theme,
            adoption: a.adoption.code().to_owned(),
            adoption_zh: a.adoption.zh().to_owned(),
            reason: a.reason,
            answered_at: a.answered_at,
        }
    }
}

/// The answer staff give a theme.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerForm {
    pub theme: String,
    /// `adopted`, `partly` or `not_adopted`.
    pub adoption: String,
    /// Why: what will be done, or why not.
    pub reason: String,
}

/// The participation statement to publish.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementForm {
    pub statement: String,
}

fn final_once_published(error: StoreError) -> ServiceError {
    match error {
        StoreError::Conflict => ServiceError::conflict(
            "the participation statement is published; its answers are final",
        ),
        other => other.into(),
    }
}

impl App {
    /// Sets the answer to one theme of the project's comments.
    pub async fn answer_eia_theme(
        &self,
        caller: &Caller,
        project_id: i64,
        form: AnswerForm,
    ) -> ServiceResult<AnswerView> {
        self.managed_project(caller, project_id).await?;
        let mut errors = Vec::new();
        let theme = form.theme.trim();
        let themes: Vec<String> = self
            .store
            .eia_comments(project_id)
            .await?
            .into_iter()
            .map(|c| c.theme)
            .collect();
        if !themes.iter().any(|t| t == theme) {
            errors.push(greenline_domain::FieldError::new(
                "theme",
                "not a theme of this project's comments",
            ));
        }
        let adoption = Adoption::parse(form.adoption.trim());
        if adoption.is_none() {
            errors.push(greenline_domain::FieldError::new(
                "adoption",
                "one of adopted, partly, not_adopted",
            ));
        }
        let reason = form.reason.trim();
        if reason.is_empty() {
            errors.push(greenline_domain::FieldError::new("reason", "required"));
        } else if let Err(e) = check_text("reason", reason, 2000) {
            errors.push(e);
        }
        let (Some(adoption), true) = (adoption, errors.is_empty()) else {
            return Err(ServiceError::Invalid(errors));
        };
        let answer = self
            .store
            .set_eia_answer(
                project_id,
                theme,
                adoption,
                reason,
                &caller.actor(),
                self.now(),
            )
            .await
            .map_err(final_once_published)?;
        Ok(answer.into())
    }

    /// Publishes the participation statement with the answers: every theme must have one.
    pub async fn publish_eia_statement(
        &self,
        caller: &Caller,
        project_id: i64,
        form: StatementForm,
    ) -> ServiceResult<ProjectView> {
        self.managed_project(caller, project_id).await?;
        let statement = form.statement.trim();
        if statement.is_empty() {
            return Err(ServiceError::field("statement", "required"));
        }
        check_text("statement", statement, 20_000).map_err(|e| ServiceError::Invalid(vec![e]))?;
        let answered: Vec<String> = self
            .store
            .eia_answers(project_id)
            .await?
            .into_iter()
            .map(|a| a.theme)
            .collect();
        let mut unanswered: Vec<String> = self
            .store
            .eia_comments(project_id)
            .await?
            .into_iter()
            .map(|c| c.theme)
            .filter(|t| !answered.contains(t))
            .collect();
        unanswered.sort();
        unanswered.dedup();
        if !unanswered.is_empty() {
            return Err(ServiceError::field(
                "statement",
                format!(
                    "every theme needs its answer first; unanswered: {}",
                    unanswered.join(", ")
                ),
            ));
        }
        let project = self
            .store
            .publish_eia_statement(project_id, statement, &caller.actor(), self.now())
            .await
            .map_err(final_once_published)?;
        let unit = self.store.unit(project.unit_id).await?;
        Ok(ProjectView::new(project, unit.name))
    }
}
