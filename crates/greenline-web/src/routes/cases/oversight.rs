//! `POST /api/v1/cases/{id}/oversight` — urge or supervise a case (催办, 督办).

use axum::extract::State;
use axum::http::StatusCode;
use greenline_app::cases::oversight::OversightForm;

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::json::ApiJson;

/// Urge (`urge`, 催办) or supervise (`supervise`, 督办) a case not yet closed: an event of the
/// case with the opinion, for the holding unit; the stage and deadline do not change.
/// Supervisors of the holding unit's region or above.
#[utoipa::path(post, path = "/api/v1/cases/{id}/oversight", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = OversightForm,
    responses(
        (status = 204, description = "Recorded"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 422, body = Problem, description = "No opinion, or the case is closed"),
    ))]
pub async fn oversee(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<OversightForm>,
) -> ApiResult<StatusCode> {
    app.oversee(&who, id, &body.value).await?;
    Ok(StatusCode::NO_CONTENT)
}
