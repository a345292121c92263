//! `GET /api/v1/track/{tracking_no}` — the reporter follows their case.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use greenline_domain::TrackingNo;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::limiter::ClientIp;
use crate::routes::cases::intake::secret_hash;
use crate::views::TrackView;

#[derive(Debug, Deserialize, IntoParams)]
pub struct TrackProof {
    /// The secret given at intake (or send it as the `X-Tracking-Secret` header).
    pub secret: Option<String>,
    /// Or the phone number the case was reported with.
    pub phone: Option<String>,
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
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
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(tracking_no): Path<String>,
    Query(proof): Query<TrackProof>,
    headers: HeaderMap,
) -> ApiResult<Json<TrackView>> {
    let secret = headers
        .get("x-tracking-secret")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(proof.secret);
    lookup(&state, ip, &tracking_no, secret, proof.phone)
        .await
        .map(Json)
}

/// The reporter's view of a case, given its tracking number and the secret or the phone; shared
/// by the API and the tracking page. Counts against the public rate limit.
pub(crate) async fn lookup(
    state: &AppState,
    ip: std::net::IpAddr,
    tracking_no: &str,
    secret: Option<String>,
    phone: Option<String>,
) -> ApiResult<TrackView> {
    state.limiter.check(ip)?;
    let number = TrackingNo::parse(tracking_no)?;
    if secret.is_none() && phone.is_none() {
        return Err(ApiError::BadRequest {
            detail: "give the secret from intake or the phone number you reported with".into(),
            errors: vec![greenline_domain::FieldError::new(
                "secret",
                "required (or phone)",
            )],
        });
    }
    let not_found = || ApiError::NotFound("case with this tracking number and secret");
    let (hash, known_phone) = match state.store.case_credentials(number.case_id).await {
        Ok(found) => found,
        Err(greenline_store::StoreError::NotFound(_)) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let by_secret = secret.is_some_and(|s| secret_hash(&s) == hash);
    let by_phone = match (phone, known_phone) {
        (Some(given), Some(known)) => {
            !digits(&given).is_empty() && digits(&given) == digits(&known)
        }
        _ => false,
    };
    if !(by_secret || by_phone) {
        return Err(not_found());
    }
    let case = state.store.case(number.case_id).await?;
    if case.tracking_no() != number {
        return Err(not_found());
    }
    let unit = state.store.unit(case.unit_id).await?;
    let events = state.store.events(case.id).await?;
    Ok(TrackView::new(
        &case,
        unit.name,
        &events,
        &state.deadlines,
        state.clock.now(),
    ))
}
