//! `GET /api/v1/cases` — staff search within their jurisdiction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, RawQuery, State};
use greenline_app::views::CasePage;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// Search the cases of the caller's jurisdiction, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    security(("bearer" = [])),
    params(
        ("kind" = Option<String>, Query, description = "report | petition | reconsideration"),
        ("stage" = Option<String>, Query),
        ("type" = Option<String>, Query, description = "Pollution type; matches any type a case carries"),
        ("region" = Option<String>, Query, description = "Region code; includes the whole subtree"),
        ("channel" = Option<String>, Query),
        ("unit_id" = Option<i64>, Query, description = "The unit holding the case"),
        ("received_from" = Option<String>, Query, description = "YYYY-MM-DD (China time) or RFC 3339"),
        ("received_to" = Option<String>, Query, description = "YYYY-MM-DD inclusive, or RFC 3339 exclusive"),
        ("overdue" = Option<bool>, Query, description = "Only cases past their running deadline"),
        ("before" = Option<i64>, Query, description = "Cursor: `next_before` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 500, default 50"),
    ),
    responses((status = 200, body = CasePage), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn search(
    State(app): State<AppState>,
    who: SignedIn,
    RawQuery(raw): RawQuery,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<CasePage>> {
    crate::routes::check_query_utf8(raw.as_deref())?;
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    Ok(Json(
        app.list_cases(&who, params.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .await?,
    ))
}
