//! Reading one case, its history, and (for those whose work needs it) its reporter.

use axum::Json;
use axum::extract::State;
use greenline_app::views::{CaseView, EventView};
use greenline_domain::Reporter;

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};

/// One case, with its running deadline and the actions allowed now.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 401, body = Problem),
        (status = 404, body = Problem, description = "No such case in your jurisdiction")))]
pub async fn case(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<CaseView>> {
    Ok(Json(app.case_view(&who, id).await?))
}

/// The case's history, oldest first: every change, who made it, when and why.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn events(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<Vec<EventView>>> {
    Ok(Json(app.case_events(&who, id).await?))
}

/// The reporter's name and phone: only for staff of the holding unit's chain whose role needs
/// them. Every read is recorded as an event of the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/reporter", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Reporter), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reporter(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<Reporter>> {
    Ok(Json(app.reporter(&who, id).await?))
}
