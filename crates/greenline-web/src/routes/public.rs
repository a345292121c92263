//! The public side of the API, for anyone (no sign-in): `POST /api/v1/public/similar`
//! ("已有人反映过此问题？": reports already in hand of the same type at the same place, before a
//! citizen submits); the published results and the public figures:
//! `GET /api/v1/public/results` (a page, filtered), `GET /api/v1/public/results/{tracking_no}`
//! (one) and `GET /api/v1/public/figures` (monthly counts, small ones withheld). Nothing in
//! them identifies a reporter: see `greenline_app::public`.

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use greenline_app::cases::similar::{SimilarQuery, SimilarReports};
use greenline_app::public::figures::{FiguresFilter, PublicFigures};
use greenline_app::public::published::{PublishedCase, PublishedFilter, PublishedPage};

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;

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

/// Reports already in hand (accepted, in handling, concluded, replied or published) of the
/// same type in the same county at the same road or compound — within 500 m when both have a
/// point, or within 100 m whatever the words — at most 3, newest first. Each shows its public
/// tracking number, type, county and road or compound, date, stage in plain words and, once
/// published, the official summary (masked); never the reporter, the description or the point.
/// Given a point and no county, the county whose seat lies nearest is suggested. No account
/// needed; rate-limited per client address like intake.
#[utoipa::path(post, path = "/api/v1/public/similar", tag = "cases",
    request_body = SimilarQuery,
    responses((status = 200, body = SimilarReports), (status = 400, body = Problem),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it"),
        (status = 429, body = Problem)))]
pub async fn similar(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    body: ApiJson<SimilarQuery>,
) -> ApiResult<Json<SimilarReports>> {
    Ok(Json(app.similar_reports(ip, body.value).await?))
}
