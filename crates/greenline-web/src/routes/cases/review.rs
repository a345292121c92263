//! `POST /api/v1/cases/{id}/types` — confirm or correct a case's types (分类确认/更正).

use axum::Json;
use axum::extract::State;
use greenline_app::cases::review::ReviewResponse;
use greenline_domain::TypesForm;

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::json::ApiJson;

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
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<TypesForm>,
) -> ApiResult<Json<ReviewResponse>> {
    Ok(Json(app.review_types(&who, id, &body.value).await?))
}
