//! `POST /api/v1/cases` — every channel's way in.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use greenline_app::cases::intake::{RetryKey, Submitter};
use greenline_app::views::IntakeResponse;
use greenline_domain::IntakeForm;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::MaybeSignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;

fn retry_key(headers: &HeaderMap, raw: &[u8]) -> ApiResult<Option<RetryKey>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| ApiError::BadRequest {
            detail: "Idempotency-Key must be 1 to 255 visible ASCII characters".to_owned(),
            errors: vec![greenline_domain::FieldError::new(
                "Idempotency-Key",
                "1 to 255 visible ASCII characters",
            )],
        })?;
    Ok(Some(RetryKey {
        key: key.to_owned(),
        request_hash: hex::encode(Sha256::digest(raw)),
    }))
}

/// Register a new case from any channel.
///
/// Citizens submit through `web` and `wechat` without signing in (rate-limited per address);
/// every other channel is keyed in by signed-in staff. Send an `Idempotency-Key` header to make
/// retries safe: a repeated key returns the first result (status 200) and creates nothing.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases",
    request_body = IntakeForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the submission safe to retry")),
    responses(
        (status = 201, body = IntakeResponse, description = "Registered"),
        (status = 200, body = IntakeResponse, description = "A retry of an earlier submission: its result"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem, description = "The Idempotency-Key was used with another body"),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it"),
        (status = 429, body = Problem),
    ))]
pub async fn intake(
    State(app): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: ApiJson<IntakeForm>,
) -> ApiResult<(StatusCode, HeaderMap, Json<IntakeResponse>)> {
    let retry = retry_key(&headers, &body.raw)?;
    let submitter = match &who {
        Some(staff) => Submitter::Staff(staff),
        None => Submitter::Public(ip),
    };
    let registered = app.register(submitter, body.value, retry).await?;
    let mut out = HeaderMap::new();
    let status = if registered.replayed {
        out.insert("idempotent-replayed", HeaderValue::from_static("true"));
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, out, Json(registered.receipt)))
}
