//! Confirming or correcting a case's types (分类确认/更正).

use greenline_domain::{TypesForm, review_types};
use greenline_store::NewEvent;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::views::{CaseView, EventView};
use crate::{App, Caller};

/// A review's result: the case after it and the event that records it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResponse {
    pub case: CaseView,
    pub event: EventView,
}

impl App {
    /// Reviews the types of case `id`: the intake suggestion stays as it was, the case's types
    /// become the ones sent, and the event records them before and after.
    pub async fn review_types(
        &self,
        caller: &Caller,
        id: i64,
        form: &TypesForm,
    ) -> ServiceResult<ReviewResponse> {
        let case = self.visible_case(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        if !caller.scope().can_review_types(holder.region) {
            return Err(ServiceError::Forbidden(format!(
                "you may not review this case's types: it is held by {}, or your role does not allow it",
                holder.name
            )));
        }
        let types = form.parse()?;
        let reviewed = review_types(&case, types);
        let actor = caller.actor();
        let now = self.now();
        let data = serde_json::json!({
            "before": reviewed.before,
            "after": reviewed.after,
            "suggestion": case.suggestion,
        });
        let event = self
            .store
            .record_review(
                &reviewed,
                NewEvent {
                    actor: &actor,
                    at: now,
                    note: form.note.clone().filter(|n| !n.trim().is_empty()),
                    data,
                },
            )
            .await?;
        Ok(ReviewResponse {
            case: CaseView::new(reviewed.case, &self.deadlines, now),
            event: EventView::from(event),
        })
    }
}
