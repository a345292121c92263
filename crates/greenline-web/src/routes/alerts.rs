//! `GET /api/v1/alerts` — region × type series of the caller's jurisdiction that rose well
//! above their own expected level: the early sign of a sudden incident (突发环境事件).

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use greenline_app::stats::Alerts;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// One alert, with the cases behind it.
#[utoipa::path(get, path = "/api/v1/alerts", tag = "stats",
    security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, description = "YYYY-MM-DD, default 30 days ago"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD inclusive, default today"),
    ),
    responses((status = 200, body = Alerts), (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn alerts(
    State(app): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Alerts>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    Ok(Json(app.alerts(&who, &params).await?))
}
