//! `GET /api/v1/track/{tracking_no}` — the reporter follows their case;
//! `POST /api/v1/track/{tracking_no}/rating` — and rates the reply;
//! `POST /api/v1/track/{tracking_no}/review` — a petitioner asks for a review (复查).

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::HeaderMap;
use greenline_app::cases::callback::{CallbackReceipt, RatingForm};
use greenline_app::cases::review_request::{ReviewRequestForm, ReviewRequestReceipt};
use greenline_app::views::TrackView;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;

#[derive(Debug, Deserialize, IntoParams)]
pub struct TrackProof {
    /// The secret given at intake (or send it as the `X-Tracking-Secret` header).
    pub secret: Option<String>,
    /// Or the phone number the case was reported with.
    pub phone: Option<String>,
}

/// The reporter's view: stage, public status, deadline, reply and published result. Needs the
/// secret from intake or the reporter's phone; shows no staff and no other reporter.
#[utoipa::path(get, path = "/api/v1/track/{tracking_no}", tag = "track",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123"), TrackProof,
        ("X-Tracking-Secret" = Option<String>, Header)),
    responses((status = 200, body = TrackView), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "No case with this number and secret or phone"),
        (status = 429, body = Problem)))]
pub async fn track(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    RawQuery(raw): RawQuery,
    Query(proof): Query<TrackProof>,
    headers: HeaderMap,
) -> ApiResult<Json<TrackView>> {
    crate::routes::check_query_utf8(raw.as_deref())?;
    let secret = headers
        .get("x-tracking-secret")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(proof.secret);
    Ok(Json(
        app.track(ip, &tracking_no, secret, proof.phone).await?,
    ))
}

/// The reporter rates the reply (回访 on the web): satisfaction (`satisfied` 满意,
/// `basically_satisfied` 基本满意, `dissatisfied` 不满意), whether the problem is solved, a note.
/// The secret from intake goes in the body, never in the address; a wrong one counts against
/// the case's limit on failed proofs, as tracking does. Once per reply. A report not solved is
/// reopened.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/rating", tag = "track",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123")),
    request_body = RatingForm,
    responses((status = 200, body = CallbackReceipt), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "No case with this number and secret"),
        (status = 409, body = Problem, description = "This reply was rated already"),
        (status = 422, body = Problem, description = "No reply to rate yet, or a bad note"),
        (status = 429, body = Problem)))]
pub async fn rate(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    body: ApiJson<RatingForm>,
) -> ApiResult<Json<CallbackReceipt>> {
    Ok(Json(app.rate_reply(ip, &tracking_no, body.value).await?))
}

/// A petitioner asks the next level up for a review (复查) of the reply, online, within 30
/// days of it; once. The secret from intake goes in the body, never in the address; a wrong one
/// counts against the case's limit on failed proofs. Reports (举报) have no review: a reporter
/// who finds the problem not solved says so in the rating, and the report is handled again.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/review", tag = "track", operation_id = "request_review",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123")),
    request_body = ReviewRequestForm,
    responses((status = 200, body = ReviewRequestReceipt), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "No case with this number and secret"),
        (status = 409, body = Problem, description = "The case is not at a stage that takes a review request"),
        (status = 422, body = Problem, description = "No reason, or the 30 days are over"),
        (status = 429, body = Problem)))]
pub async fn review(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    body: ApiJson<ReviewRequestForm>,
) -> ApiResult<Json<ReviewRequestReceipt>> {
    Ok(Json(
        app.request_review(ip, &tracking_no, body.value).await?,
    ))
}
