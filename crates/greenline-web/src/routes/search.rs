//! `GET /api/v1/search` — full-text search over the case texts of the caller's jurisdiction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, RawQuery, State};
use greenline_app::search::SearchPage;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// Full-text search over the descriptions and addresses of the caller's jurisdiction, best
/// match first.
///
/// `q`: words separated by spaces; each must occur (in the description or the address), and a
/// run of words without spaces is a phrase (`油烟 扰民` finds both words anywhere; `油烟扰民`
/// the phrase). Filters narrow the caller's jurisdiction and never widen it: a `region`
/// outside it finds nothing.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", operation_id = "search_texts",
    security(("bearer" = [])),
    params(
        ("q" = String, Query, description = "Words to find, at most 200 characters"),
        ("region" = Option<String>, Query, description = "Region code; the whole subtree, within the caller's jurisdiction"),
        ("type" = Option<String>, Query, description = "Pollution type; matches any type a case carries"),
        ("primary_type" = Option<String>, Query, description = "Primary pollution type"),
        ("stage" = Option<String>, Query),
        ("kind" = Option<String>, Query, description = "report | petition | reconsideration"),
        ("channel" = Option<String>, Query),
        ("from" = Option<String>, Query, description = "Received on or after: YYYY-MM-DD (China time) or RFC 3339"),
        ("to" = Option<String>, Query, description = "Received up to: YYYY-MM-DD inclusive, or RFC 3339 exclusive"),
        ("limit" = Option<usize>, Query, description = "1 to 100, default 20"),
        ("offset" = Option<usize>, Query, description = "Hits to skip, at most 10000"),
    ),
    responses(
        (status = 200, body = SearchPage),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn search(
    State(app): State<AppState>,
    who: SignedIn,
    RawQuery(raw): RawQuery,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<SearchPage>> {
    crate::routes::check_query_utf8(raw.as_deref())?;
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let query = app.search_query(&who, params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    Ok(Json(app.search_texts(&who, query).await?))
}
