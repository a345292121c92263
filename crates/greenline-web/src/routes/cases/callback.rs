//! `POST /api/v1/cases/{id}/callbacks` — record a callback (回访) on a replied case.

use axum::Json;
use axum::extract::State;
use greenline_app::cases::callback::CallbackReceipt;
use greenline_domain::CallbackForm;

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::json::ApiJson;

/// Record the reporter's answers at a callback: satisfaction (`satisfied` 满意,
/// `basically_satisfied` 基本满意, `dissatisfied` 不满意), whether the problem is solved, a note.
/// An event of the case and a row the statistics count. A report not solved is reopened
/// (办理中, a new handling limit from now); a petition not solved is told of its review (复查)
/// window. Operators, handlers and supervisors whose jurisdiction holds the case's place,
/// after a reply.
#[utoipa::path(post, path = "/api/v1/cases/{id}/callbacks", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = CallbackForm,
    responses(
        (status = 200, body = CallbackReceipt),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem, description = "No reply yet, or a bad note"),
    ))]
pub async fn call_back(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<CallbackForm>,
) -> ApiResult<Json<CallbackReceipt>> {
    Ok(Json(app.record_callback(&who, id, &body.value).await?))
}
