//! `GET /api/v1/trends` — the monthly series of the caller's jurisdiction (filtered as the
//! stats are) and its Mann–Kendall trend with Sen's slope, or why no trend may be claimed.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use greenline_app::stats::Trend;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// One month of the series.
#[utoipa::path(get, path = "/api/v1/trends", tag = "stats",
    security(("bearer" = [])),
    params(
        ("months" = Option<u32>, Query, description = "Whole months before the current one, 3–240, default 24"),
        ("seasonal" = Option<bool>, Query, description = "Seasonal Mann–Kendall (period 12)"),
    ),
    responses((status = 200, body = Trend), (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn trends(
    State(app): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Trend>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    Ok(Json(app.trend(&who, params).await?))
}
