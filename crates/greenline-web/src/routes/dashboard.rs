//! `GET /api/v1/dashboard` — the figures of the console's dashboard (数据分析) for a period, a
//! region and a type inside the caller's jurisdiction (`greenline_app::dashboard`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use greenline_app::dashboard::{Dashboard, DashboardFilter};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// The dashboard: monthly volume with its trend test, type shares (multi-label), regions
/// ranked, the stage funnel, channels, timeliness, spike alerts, hot topics and units ranked.
/// Every figure carries `cases`: the filter of `GET /api/v1/cases` that lists the cases
/// behind it. A region outside the caller's jurisdiction is refused with 403.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "stats",
    security(("bearer" = [])),
    params(DashboardFilter),
    responses(
        (status = 200, body = Dashboard),
        (status = 400, body = Problem, description = "A parameter is not valid; `errors` names it"),
        (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 503, body = Problem, description = "The statistics are being prepared"),
    ))]
pub async fn dashboard(
    State(app): State<AppState>,
    who: SignedIn,
    params: Result<Query<DashboardFilter>, QueryRejection>,
) -> ApiResult<Json<Dashboard>> {
    let Query(filter) = params.map_err(|e| ApiError::bad_query("query", e.body_text()))?;
    Ok(Json(app.dashboard(&who, &filter).await?))
}
