//! The published results and the public figures, for anyone (no sign-in):
//! `GET /api/v1/public/results` (a page, filtered), `GET /api/v1/public/results/{tracking_no}`
//! (one) and `GET /api/v1/public/figures` (monthly counts, small ones withheld). Nothing in
//! them identifies a reporter: see `greenline_app::public`.

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use greenline_app::public::figures::{FiguresFilter, PublicFigures};
use greenline_app::public::published::{PublishedCase, PublishedFilter, PublishedPage};

use crate::AppState;
use crate::error::{ApiResult, Problem};

/// Published results (办理结果公开), newest first: each case's tracking number, type, county
/// and road, dates, finding, enforcement, reply and public summary, with names, phone
/// numbers, identity numbers and plates masked; never the reporter's own description.
#[utoipa::path(get, path = "/api/v1/public/results", tag = "public",
    params(PublishedFilter),
    responses((status = 200, body = PublishedPage), (status = 400, body = Problem)))]
pub async fn results(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(filter): Query<PublishedFilter>,
) -> ApiResult<Json<PublishedPage>> {
    super::check_query_utf8(raw.as_deref())?;
    Ok(Json(app.published_results(&filter).await?))
}

/// One published result by its tracking number; 404 unless its result is public.
#[utoipa::path(get, path = "/api/v1/public/results/{tracking_no}", tag = "public",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123")),
    responses((status = 200, body = PublishedCase),
        (status = 404, body = Problem, description = "No published result with this number")))]
pub async fn result(
    State(app): State<AppState>,
    Path(tracking_no): Path<String>,
) -> ApiResult<Json<PublishedCase>> {
    Ok(Json(app.published_result(&tracking_no).await?))
}

/// Public monthly figures of a region (any level) and optionally a type over the last twelve
/// whole months: received, and of those accepted and concluded by now, and received per type.
/// Counts from 1 to `min_count` − 1 are withheld (null).
#[utoipa::path(get, path = "/api/v1/public/figures", tag = "public",
    params(FiguresFilter),
    responses((status = 200, body = PublicFigures), (status = 400, body = Problem),
        (status = 503, body = Problem, description = "The statistics are being prepared")))]
pub async fn figures(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(filter): Query<FiguresFilter>,
) -> ApiResult<Json<PublicFigures>> {
    super::check_query_utf8(raw.as_deref())?;
    Ok(Json(app.public_figures(&filter).await?))
}
