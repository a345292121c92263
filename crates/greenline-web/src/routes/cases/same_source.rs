//! `GET /api/v1/cases/{id}/same-source` — earlier cases that may be about the same source
//! (疑似重复举报), with the evidence for and against each.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use greenline_app::cases::same_source::SameSource;
use serde::Deserialize;
use utoipa::IntoParams;

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SameSourceParams {
    /// Candidates at most (default 5, up to 20).
    pub limit: Option<usize>,
}

/// Earlier cases that may be about the same source as this one: same county (or city), within
/// 180 days before it, similar in the names, roads, compounds and kind of pollution they
/// describe. Only cases in the caller's jurisdiction; the case's own group is left out. Merge a
/// true repeat with `POST /api/v1/cases/{id}/merge`.
#[utoipa::path(get, path = "/api/v1/cases/{id}/same-source", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path), SameSourceParams),
    responses(
        (status = 200, body = SameSource),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn same_source(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    params: Result<Query<SameSourceParams>, QueryRejection>,
) -> ApiResult<Json<SameSource>> {
    let Query(params) = params.map_err(|e| ApiError::bad_query("query", e.body_text()))?;
    Ok(Json(
        app.same_source(&who, id, params.limit.unwrap_or(5)).await?,
    ))
}
