//! `GET /api/v1/queue` — the caller's work queue (待办).

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, RawQuery, State};
use greenline_app::cases::queue::{Queue, QueueQuery};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// The open cases held by a unit in the caller's jurisdiction on which the caller can take a
/// step now, with each tab's count and a page of the chosen tab, the least time left first
/// (the most overdue at the top, cases without a running deadline last). A role that takes no
/// steps (analyst, administrator) gets an empty queue; an auditor is refused.
#[utoipa::path(get, path = "/api/v1/queue", tag = "cases", operation_id = "queue",
    security(("bearer" = [])),
    params(
        ("tab" = Option<String>, Query, description = "to_accept (default) | in_progress | due_soon | overdue | to_review | to_call_back"),
        ("type" = Option<String>, Query, description = "Pollution type; matches any type a case carries"),
        ("region" = Option<String>, Query, description = "Region code inside the caller's jurisdiction; the whole subtree"),
        ("channel" = Option<String>, Query),
        ("stage" = Option<String>, Query, description = "One stage of the tab's"),
        ("q" = Option<String>, Query, description = "Words in the description or address (up to 200 characters); narrows to the best 2,000 matches, and `text_hits_capped` says when there were more"),
        ("limit" = Option<u32>, Query, description = "1 to 500, default 50"),
        ("offset" = Option<u32>, Query, description = "Rows of the tab to skip"),
    ),
    responses(
        (status = 200, body = Queue),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn queue(
    State(app): State<AppState>,
    who: SignedIn,
    RawQuery(raw): RawQuery,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Queue>> {
    crate::routes::check_query_utf8(raw.as_deref())?;
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let query = QueueQuery::from_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok(Json(app.queue(&who, query).await?))
}
