//! `POST /api/v1/cases/{id}/merge` — merge a case into the group of an earlier report of the
//! same source (重复举报归并), and `GET /api/v1/cases/{id}/group` — the group a case is in.

use axum::Json;
use axum::extract::State;
use greenline_app::cases::merge::{GroupView, MergeForm, MergeResponse};

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::json::ApiJson;

/// Merge a case into the group of an earlier case about the same source.
///
/// The case then counts as a repeat report in the statistics. When it is still waiting for
/// acceptance and the group's first case is already accepted or being handled, the rules say it
/// is not accepted again: it is rejected as `already_accepted` at once, the note pointing the
/// reporter to the first case's tracking number (if the caller's role may reject; otherwise it
/// is left for someone who may). Handlers and supervisors of both cases' regions may merge.
#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = MergeForm,
    responses(
        (status = 200, body = MergeResponse),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "One of the cases changed meanwhile"),
        (status = 422, body = Problem, description = "The merge makes no sense (`into` names why)"),
    ))]
pub async fn merge_case(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<MergeForm>,
) -> ApiResult<Json<MergeResponse>> {
    Ok(Json(app.merge(&who, id, &body.value).await?))
}

/// The group of reports of one source that a case belongs to.
#[utoipa::path(get, path = "/api/v1/cases/{id}/group", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = GroupView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn group(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<GroupView>> {
    Ok(Json(app.group(&who, id).await?))
}
