//! `GET`/`POST /api/v1/track/{tracking_no}` — the reporter follows their case with the secret
//! (a header or the body) or with their phone and a one-time code (the body);
//! `POST /api/v1/track/{tracking_no}/code` — asks for that code by SMS;
//! `POST /api/v1/track/{tracking_no}/secret` — a new secret by SMS, with phone and code;
//! `POST /api/v1/track/{tracking_no}/rating` — and rates the reply;
//! `POST /api/v1/track/{tracking_no}/review` — a petitioner asks for a review (复查).

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use greenline_app::ServiceError;
use greenline_app::cases::callback::{CallbackReceipt, RatingForm};
use greenline_app::cases::review_request::{ReviewRequestForm, ReviewRequestReceipt};
use greenline_app::cases::track::{CodeRequested, Proof, SecretReissued};
use greenline_app::views::TrackView;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;

/// What the address of a look-up may not carry: a secret or a phone there ends up in logs,
/// browser history and proxies, and a phone alone proves nothing.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RefusedQuery {
    secret: Option<String>,
    phone: Option<String>,
}

fn refuse_proofs_in_query(query: &RefusedQuery) -> ApiResult<()> {
    if query.secret.is_some() {
        return Err(ServiceError::parameter(
            "secret",
            "never put the secret in the address (addresses end up in logs and browser \
             history): send it in the X-Tracking-Secret header, or POST it in the body",
        )
        .into());
    }
    if query.phone.is_some() {
        return Err(ServiceError::parameter(
            "phone",
            "a phone number alone no longer proves a case: request a code \
             (POST /api/v1/track/{tracking_no}/code), then POST the phone and the code to \
             /api/v1/track/{tracking_no}",
        )
        .into());
    }
    Ok(())
}

/// The reporter's view: stage, public status, deadline, reply and published result. Needs the
/// secret from intake in the `X-Tracking-Secret` header (never in the address: `?secret=` and
/// `?phone=` are refused). Shows no staff and no other reporter.
#[utoipa::path(get, path = "/api/v1/track/{tracking_no}", tag = "track",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123 (any case)"),
        ("X-Tracking-Secret" = String, Header, description = "The secret given at intake")),
    responses((status = 200, body = TrackView), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "No case with this number and secret"),
        (status = 429, body = Problem)))]
pub async fn track(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    RawQuery(raw): RawQuery,
    Query(query): Query<RefusedQuery>,
    headers: HeaderMap,
) -> ApiResult<Json<TrackView>> {
    crate::routes::check_query_utf8(raw.as_deref())?;
    refuse_proofs_in_query(&query)?;
    let secret = headers
        .get("x-tracking-secret")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_default();
    Ok(Json(
        app.track(ip, &tracking_no, Proof::Secret(secret)).await?,
    ))
}

/// A look-up's proof, in the body: the secret, or the phone and the code sent to it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackRequest {
    /// The secret given at intake.
    pub secret: Option<String>,
    /// Or the phone the case was reported with …
    pub phone: Option<String>,
    /// … with the one-time code sent to it (`POST /api/v1/track/{tracking_no}/code`).
    pub code: Option<String>,
}

/// The reporter's view, the proof in the body: the secret, or the phone with a one-time code
/// (a code proves one look-up). A phone without a code is refused.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}", tag = "track",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123 (any case)")),
    request_body = TrackRequest,
    responses((status = 200, body = TrackView), (status = 400, body = Problem),
        (status = 404, body = Problem,
            description = "No case with this number and secret, or phone and valid code"),
        (status = 429, body = Problem)))]
pub async fn track_post(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    body: ApiJson<TrackRequest>,
) -> ApiResult<Json<TrackView>> {
    let TrackRequest {
        secret,
        phone,
        code,
    } = body.value;
    let proof = match (secret, phone) {
        (Some(secret), _) => Proof::Secret(secret),
        (None, Some(phone)) => Proof::Code {
            phone,
            code: code.unwrap_or_default(),
        },
        (None, None) => Proof::Secret(String::new()),
    };
    Ok(Json(app.track(ip, &tracking_no, proof).await?))
}

/// A code request: the phone the case was reported with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    pub phone: String,
}

/// Sends a six-digit code by SMS to the phone if it is the one the case was reported with. The
/// answer is the same whether it is or not. A code lasts ten minutes, takes five tries and
/// proves one look-up; at most five codes an hour per phone number and per case.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/code", tag = "track",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123 (any case)")),
    request_body = CodeRequest,
    responses((status = 202, body = CodeRequested), (status = 400, body = Problem),
        (status = 422, body = Problem, description = "Not a phone number"),
        (status = 429, body = Problem, description = "Too many codes for this phone or case"),
        (status = 503, body = Problem, description = "No SMS gateway is set up")))]
pub async fn request_code(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    body: ApiJson<CodeRequest>,
) -> ApiResult<(StatusCode, Json<CodeRequested>)> {
    let answer = app
        .request_tracking_code(ip, &tracking_no, &body.value.phone)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(answer)))
}

/// A new secret request: the phone and the code sent to it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRequest {
    pub phone: String,
    pub code: String,
}

/// A lost secret: with the phone and a one-time code, a new secret is sent by SMS to that
/// phone and the old one stops working. The new secret is never in the answer.
#[utoipa::path(post, path = "/api/v1/track/{tracking_no}/secret", tag = "track",
    params(("tracking_no" = String, Path, description = "e.g. GL20261127-0000123 (any case)")),
    request_body = SecretRequest,
    responses((status = 200, body = SecretReissued), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "No case with this number, phone and valid code"),
        (status = 429, body = Problem),
        (status = 503, body = Problem, description = "No SMS gateway, or the SMS failed")))]
pub async fn reissue_secret(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    body: ApiJson<SecretRequest>,
) -> ApiResult<Json<SecretReissued>> {
    let SecretRequest { phone, code } = body.value;
    Ok(Json(
        app.reissue_secret(ip, &tracking_no, phone, code).await?,
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
