//! `POST /api/v1/cases/{id}/transitions` — take a step on a case.

use axum::Json;
use axum::extract::State;
use greenline_app::views::TransitionResponse;
use greenline_domain::{Action, Command};

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;

/// Take a step on a case: `{"action": "accept"}`, `{"action": "assign", "unit_id": 7}`,
/// `{"action": "extend", "days": 20, "reason": "…"}`, …
///
/// Allowed only from the stages the case's workflow allows (409 lists the allowed actions), by
/// staff whose role may take it, on a case held in their region or below (403).
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = Command,
    responses(
        (status = 200, body = TransitionResponse),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not allowed from the current stage; `allowed_actions` lists what is"),
        (status = 422, body = Problem),
    ))]
pub async fn transition(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<serde_json::Value>,
) -> ApiResult<Json<TransitionResponse>> {
    // Name the `action` field when it is missing or unknown; then read the whole command.
    match body.value.get("action").and_then(serde_json::Value::as_str) {
        None => return Err(ApiError::field("action", "required: the step to take")),
        Some(code) if Action::parse(code).is_none() => {
            let known: Vec<_> = Action::ALL.iter().map(|a| a.code()).collect();
            return Err(ApiError::field(
                "action",
                format!("unknown action {code:?}; one of {}", known.join(", ")),
            ));
        }
        Some(_) => {}
    }
    let command: Command = crate::json::parse(&body.raw)?;
    Ok(Json(app.take_step(&who, id, command).await?))
}
