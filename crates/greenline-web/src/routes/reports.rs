//! `GET /api/v1/reports/{period}` — the decision bulletin (决策参考) of a month, quarter or
//! year for the caller's jurisdiction or a region inside it: HTML, Word, Markdown or its
//! figures as JSON.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use greenline_report::{Format, render};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// The bulletin of `period` (`2026-10`, `2026-Q3` or `2026`) for `region` (default: the
/// caller's jurisdiction; a region outside it is refused). `format`: `html` (default; one
/// self-contained file that prints to A4), `docx`, `md` or `json` (the figures).
#[utoipa::path(get, path = "/api/v1/reports/{period}", tag = "stats",
    security(("bearer" = [])),
    params(
        ("period" = String, Path, description = "2026-10, 2026-Q3 or 2026"),
        ("region" = Option<String>, Query, description = "A region within the caller's jurisdiction"),
        ("format" = Option<String>, Query, description = "html | docx | md | json"),
    ),
    responses(
        (status = 200, description = "The bulletin in the format asked for"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 503, body = Problem)))]
pub async fn report(
    State(app): State<AppState>,
    who: SignedIn,
    Path(period): Path<String>,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let format = match params.get("format").map(String::as_str) {
        None => Some(Format::Html),
        Some("json") => None,
        Some(code) => Some(
            Format::parse(code)
                .ok_or_else(|| ApiError::bad_query("format", "expected html, docx, md or json"))?,
        ),
    };
    let bulletin = app
        .bulletin(&who, &period, params.get("region").map(String::as_str))
        .await?;
    let Some(format) = format else {
        return Ok(axum::Json(bulletin).into_response());
    };
    let body = render(&bulletin, format).map_err(ApiError::internal)?;
    Ok(([(header::CONTENT_TYPE, format.media_type())], body).into_response())
}
