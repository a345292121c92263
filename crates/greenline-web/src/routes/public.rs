//! `POST /api/v1/public/similar` — "已有人反映过此问题？": before a citizen submits, the reports
//! already in hand of the same type at the same place, without any reporter detail.

use axum::Json;
use axum::extract::State;
use greenline_app::cases::similar::{SimilarQuery, SimilarReports};

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;

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
