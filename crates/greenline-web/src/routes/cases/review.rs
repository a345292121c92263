//! `POST /api/v1/cases/{id}/types` — confirm or correct a case's types (分类确认/更正).

use axum::Json;
use axum::extract::State;
use greenline_domain::{TypesForm, review_types};
use greenline_store::NewEvent;
use serde::Serialize;
use utoipa::ToSchema;

use super::{CaseId, visible_case};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;
use crate::views::{CaseView, EventView};

/// A review's result: the case after it and the event that records it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResponse {
    pub case: CaseView,
    pub event: EventView,
}

/// Confirm a case's types (send them as they are) or correct them (send others).
///
/// The intake suggestion stays on the case as it was; the case's types become the ones sent,
/// and the event (`confirm_types` or `correct_types`) records them before and after, with the
/// suggestion. Reviewed cases are what `greenline train --database` learns from. Operators,
/// handlers and supervisors of the holding unit's region or above may review.
#[utoipa::path(post, path = "/api/v1/cases/{id}/types", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = TypesForm,
    responses(
        (status = 200, body = ReviewResponse),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The case changed meanwhile; read it again"),
        (status = 422, body = Problem, description = "A type code is not valid; `errors` names it"),
    ))]
pub async fn review(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<TypesForm>,
) -> ApiResult<Json<ReviewResponse>> {
    review_case(&state, &who, id, &body.value).await.map(Json)
}

/// Reviews the types of case `id` for `who`. Shared by the API and the staff console.
pub(crate) async fn review_case(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    form: &TypesForm,
) -> ApiResult<ReviewResponse> {
    let case = visible_case(state, who, id).await?;
    let holder = state.store.unit(case.unit_id).await?;
    if !who.scope().can_review_types(holder.region) {
        return Err(ApiError::Forbidden(format!(
            "you may not review this case's types: it is held by {}, or your role does not allow it",
            holder.name
        )));
    }
    let types = form.parse()?;
    let reviewed = review_types(&case, types);
    let actor = who.actor();
    let now = state.clock.now();
    let data = serde_json::json!({
        "before": reviewed.before,
        "after": reviewed.after,
        "suggestion": case.suggestion,
    });
    let event = state
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
        case: CaseView::new(reviewed.case, &state.deadlines, now),
        event: EventView::from(event),
    })
}
