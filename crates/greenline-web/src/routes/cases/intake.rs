//! `POST /api/v1/cases` — every channel's way in.

use std::net::IpAddr;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use greenline_domain::{Case, Clock, Deadline, IntakeForm, NewCase, TypeSuggestion};
use greenline_store::{Actor, IdempotencyKey, IntakeRecord, Unit};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::auth::{MaybeSignedIn, SignedIn};
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;
use crate::limiter::ClientIp;
use crate::routes::cases::same_source::repeats_of_new;
use crate::views::IntakeResponse;

/// Earlier cases a staff intake answer names at most.
const REPEAT_HINTS: usize = 3;

/// Letters and digits that cannot be mistaken for one another when read out on the phone.
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const SECRET_LEN: usize = 12;

fn new_secret() -> String {
    let mut rng = rand::rng();
    (0..SECRET_LEN)
        .map(|_| char::from(SECRET_ALPHABET[rng.random_range(0..SECRET_ALPHABET.len())]))
        .collect()
}

pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(
        secret.trim().to_ascii_uppercase().as_bytes(),
    ))
}

/// The office that receives a public submission: the widest unit whose region contains the
/// place (the platform's own office), which then routes it down.
fn receiving_unit(units: Vec<Unit>, new: &NewCase) -> Option<Unit> {
    units
        .into_iter()
        .filter(|u| new.region.is_within(u.region))
        .min_by_key(|u| (u.region.level(), u.id))
}

fn idempotency_key(
    headers: &HeaderMap,
    scope: String,
    raw: &[u8],
) -> ApiResult<Option<IdempotencyKey>> {
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
    Ok(Some(IdempotencyKey {
        scope,
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
    State(state): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: ApiJson<IntakeForm>,
) -> ApiResult<(StatusCode, HeaderMap, Json<IntakeResponse>)> {
    let mut form = body.value;
    let suggestion = crate::suggest::suggest(&mut form);
    let new = NewCase::parse(&form)?;
    let mut registered = register(&state, who.as_ref(), ip, new, suggestion, |scope| {
        idempotency_key(&headers, scope, &body.raw)
    })
    .await?;
    // Staff keying in a case are told at once if it may repeat one they already hold. The
    // case is stored by now: a failed lookup only leaves the hint out of the answer.
    if let Some(staff) = &who
        && !registered.replayed
    {
        match repeats_of_new(&state, staff, &registered.case, REPEAT_HINTS).await {
            Ok(repeats) => registered.receipt.possible_repeats = repeats,
            Err(error) => tracing::warn!("repeat hints for case {}: {error}", registered.case.id),
        }
    }
    let mut out = HeaderMap::new();
    let status = if registered.replayed {
        out.insert("idempotent-replayed", HeaderValue::from_static("true"));
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, out, Json(registered.receipt)))
}

/// A registered case, as intake answers it.
#[derive(Debug)]
pub(crate) struct Registered {
    pub receipt: IntakeResponse,
    /// The case as stored.
    pub case: Case,
    /// An earlier submission with the same idempotency key: nothing new was created.
    pub replayed: bool,
}

/// The one intake path behind every channel (the API and the public pages): who may register
/// what, which unit receives it, its first deadline, and the store's write. `key` turns the
/// caller's scope into an idempotency key, if the channel has one.
pub(crate) async fn register(
    state: &AppState,
    who: Option<&SignedIn>,
    ip: IpAddr,
    new: NewCase,
    suggestion: Option<TypeSuggestion>,
    key: impl FnOnce(String) -> ApiResult<Option<IdempotencyKey>>,
) -> ApiResult<Registered> {
    let (unit, actor, scope) = match who {
        None => {
            state.limiter.check(ip)?;
            if !new.channel.is_self_service() {
                return Err(ApiError::Unauthorized);
            }
            let unit = receiving_unit(state.store.units().await?, &new).ok_or_else(|| {
                ApiError::Unavailable(format!(
                    "no office is set up to receive cases from {}",
                    new.region.full_name()
                ))
            })?;
            (unit, Actor::public(), "public".to_owned())
        }
        Some(staff) => {
            let scope = staff.scope();
            if !scope.can_register() {
                return Err(ApiError::Forbidden(
                    "registering cases needs the operator, handler or supervisor role".to_owned(),
                ));
            }
            if !scope.can_see(new.region) {
                return Err(ApiError::field(
                    "region",
                    format!(
                        "{} is outside your jurisdiction ({})",
                        new.region.full_name(),
                        staff.0.unit.region.full_name()
                    ),
                ));
            }
            (
                staff.0.unit.clone(),
                staff.actor(),
                format!("staff:{}", staff.0.id),
            )
        }
    };
    let key = key(scope)?;
    let now = state.clock.now();
    let limits = state.deadlines.limits_for(new.kind, new.region);
    let due = Deadline::starting(Clock::Acceptance, now, limits.acceptance_days);
    let secret = new_secret();
    let receipt = state
        .store
        .intake(IntakeRecord {
            secret_hash: secret_hash(&secret),
            secret,
            case: new,
            unit_id: unit.id,
            received_at: now,
            due_at: Some(due.due_at),
            actor,
            idempotency: key,
            suggestion,
        })
        .await?;
    let case = receipt.case;
    // A replayed case came from the same body, so the same limits apply to it.
    let acceptance =
        Deadline::starting(Clock::Acceptance, case.received_at, limits.acceptance_days);
    Ok(Registered {
        replayed: receipt.replayed,
        receipt: IntakeResponse {
            id: case.id,
            tracking_no: case.tracking_no().to_string(),
            secret: receipt.secret,
            kind: case.kind,
            stage: case.stage,
            received_at: case.received_at,
            acceptance_due: acceptance.last_day,
            possible_repeats: Vec::new(),
        },
        case,
    })
}
