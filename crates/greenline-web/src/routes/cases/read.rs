//! Reading one case, its history, and (for those whose work needs it) its reporter.

use axum::Json;
use axum::extract::State;
use greenline_domain::Reporter;
use greenline_store::NewEvent;

use super::{CaseId, visible_case};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::views::{CaseView, EventView};

/// One case, with its running deadline and the actions allowed now.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = Problem),
        (status = 404, body = Problem, description = "No such case in your jurisdiction")))]
pub async fn case(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<CaseView>> {
    let case = visible_case(&state, &who, id).await?;
    Ok(Json(CaseView::new(
        case,
        &state.deadlines,
        state.clock.now(),
    )))
}

/// The case's history, oldest first: every change, who made it, when and why.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn events(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<Vec<EventView>>> {
    visible_case(&state, &who, id).await?;
    let events = state.store.events(id).await?;
    Ok(Json(events.into_iter().map(EventView::from).collect()))
}

/// The reporter's name and phone: only for staff of the holding unit's chain whose role needs
/// them. Every read is recorded as an event of the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/reporter", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Reporter), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reporter(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<Reporter>> {
    let case = visible_case(&state, &who, id).await?;
    let holder = state.store.unit(case.unit_id).await?;
    if !who.scope().can_read_reporter(holder.region) {
        return Err(ApiError::Forbidden(
            "the reporter's identity is only for the handling unit's chain, in roles that need it"
                .to_owned(),
        ));
    }
    let actor = who.actor();
    let reporter = state
        .store
        .read_reporter(
            id,
            NewEvent {
                actor: &actor,
                at: state.clock.now(),
                note: None,
                data: serde_json::json!({}),
            },
        )
        .await?;
    Ok(Json(reporter))
}
