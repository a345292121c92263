//! `GET /api/v1/topics` — hot topics (热点): the terms that stand out in a period's complaints
//! of the caller's jurisdiction against the months before it (`greenline_app::topics`).

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use greenline_app::topics::{TopicParams, Topics};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// Hot topics of a period in the caller's jurisdiction: terms more frequent than in the months
/// before, by log-likelihood, with example cases.
#[utoipa::path(get, path = "/api/v1/topics", tag = "stats",
    security(("bearer" = [])),
    params(TopicParams),
    responses(
        (status = 200, body = Topics),
        (status = 400, body = Problem, description = "A parameter is not valid; `errors` names it"),
        (status = 401, body = Problem), (status = 403, body = Problem),
    ))]
pub async fn topics(
    State(app): State<AppState>,
    who: SignedIn,
    params: Result<Query<TopicParams>, QueryRejection>,
) -> ApiResult<Json<Topics>> {
    let Query(params) = params.map_err(|e| ApiError::bad_query("query", e.body_text()))?;
    Ok(Json(app.topics(&who, params).await?))
}
