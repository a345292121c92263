//! `GET /api/v1/health` — whether this node's views are built and how far behind the event
//! feed each is: for a readiness probe behind a load balancer, and for a client that has just
//! written through another node and wants to read its write here (`wait=true`).

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use greenline_app::projections::ViewStatus;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};

/// How long `wait=true` waits at most.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// The node's views.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Every view is built and follows the feed.
    pub ready: bool,
    /// With `wait=true`: whether every view came to hold every change committed before the
    /// request within the wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caught_up: Option<bool>,
    pub views: Vec<ViewStatus>,
}

/// The node's views: built or not, their feed position and lag. 200 when every view is ready,
/// 503 while one is still building. With `wait=true` it first waits (up to 30 s) until every
/// view holds every change committed before the request, and answers 503 with `caught_up:
/// false` if they did not within the wait (a client must not read its write here yet).
#[utoipa::path(get, path = "/api/v1/health", tag = "health",
    params(("wait" = Option<bool>, Query, description = "Wait until the views hold every change committed before the request")),
    responses((status = 200, body = Health), (status = 503, body = Health),
        (status = 400, body = Problem)))]
pub async fn health(
    State(app): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<(StatusCode, Json<Health>)> {
    let caught_up = match params.get("wait").map(String::as_str) {
        None | Some("false") => None,
        Some("true") => Some(matches!(
            tokio::time::timeout(MAX_WAIT, app.caught_up()).await,
            Ok(Ok(()))
        )),
        Some(_) => return Err(ApiError::bad_query("wait", "expected true or false")),
    };
    let views = app.view_status().await?;
    let ready = views.iter().all(|v| v.ready);
    let status = if ready && caught_up != Some(false) {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((
        status,
        Json(Health {
            ready,
            caught_up,
            views,
        }),
    ))
}
