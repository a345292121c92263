//! `POST /api/v1/desk/suggestions` — what the call-taker's desk shows while an operator types.

use axum::Json;
use axum::extract::State;
use greenline_app::cases::desk::{DeskDraft, DeskSuggestions};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::json::ApiJson;

/// Suggestions for a case being keyed in: the type and sub-type the classifier reads in the
/// description, the place the address and description name, earlier reports in the caller's
/// jurisdiction that may be about the same source (scoring at least 0.3, at most 3), and — when
/// `phone` is given — the caller's earlier cases by phone number. The phone look-up reads
/// reporters' identities: it is recorded in the audit trail and refused (403, recorded too) to
/// roles that may not read them. Nothing is saved; save with `POST /api/v1/cases`.
#[utoipa::path(post, path = "/api/v1/desk/suggestions", tag = "cases",
    security(("bearer" = [])),
    request_body = DeskDraft,
    responses(
        (status = 200, body = DeskSuggestions),
        (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem, description = "An auditor, or a phone look-up by a role that may not read reporters"),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it"),
    ))]
pub async fn suggestions(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<DeskDraft>,
) -> ApiResult<Json<DeskSuggestions>> {
    Ok(Json(app.desk_suggestions(&who, body.value).await?))
}
