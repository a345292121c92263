//! Staff sign-in and sign-out.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, SignedIn, new_token, token_from, token_hash, verify_password};
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;
use crate::limiter::ClientIp;
use crate::views::StaffView;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; pages use the cookie set alongside.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub staff: StaffView,
}

/// The `Set-Cookie` value carrying a page session (empty with age 0 to end it).
pub(crate) fn session_cookie(
    state: &AppState,
    value: &str,
    max_age_seconds: i64,
) -> ApiResult<HeaderValue> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_seconds}{secure}"
    ))
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("cookie header: {e}")))
}

/// Sign in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse, description = "Signed in; also sets the session cookie"),
        (status = 401, body = Problem, description = "Wrong username or password"),
        (status = 429, body = Problem),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    body: ApiJson<LoginRequest>,
) -> ApiResult<(HeaderMap, Json<LoginResponse>)> {
    let LoginRequest { username, password } = body.value;
    let (token, expires_at, staff) = sign_in(&state, ip, &username, password).await?;
    let hours = i64::from(state.config.session_hours);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        session_cookie(&state, &token, hours * 3600)?,
    );
    Ok((
        headers,
        Json(LoginResponse {
            token,
            expires_at,
            staff: staff.into(),
        }),
    ))
}

/// Checks a username and password (rate-limited per address, in constant work whether or not
/// the account exists) and opens a session: its token, when it ends, and who it is for. Shared
/// by the API and the sign-in page.
pub(crate) async fn sign_in(
    state: &AppState,
    ip: std::net::IpAddr,
    username: &str,
    password: String,
) -> ApiResult<(String, DateTime<Utc>, greenline_store::Staff)> {
    state.limiter.check(ip)?;
    let found = state.store.staff_login(username).await?;
    // Verify even for an unknown user, so timing does not tell which usernames exist.
    let (staff, phc) = match found {
        Some((staff, phc)) => (Some(staff), phc),
        None => (None, crate::auth::DUMMY_HASH.clone()),
    };
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let staff = match (ok, staff) {
        (true, Some(staff)) => staff,
        _ => return Err(ApiError::Unauthorized),
    };
    let token = new_token();
    let now = state.clock.now();
    let expires_at = now + Duration::hours(i64::from(state.config.session_hours));
    state
        .store
        .create_session(&token_hash(&token), staff.id, now, expires_at)
        .await?;
    Ok((token, expires_at, staff))
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
pub async fn logout(
    State(state): State<AppState>,
    _who: SignedIn,
    headers: HeaderMap,
) -> ApiResult<(axum::http::StatusCode, HeaderMap)> {
    if let Some(token) = token_from(&headers) {
        state.store.delete_session(&token_hash(&token)).await?;
    }
    let mut out = HeaderMap::new();
    out.insert(header::SET_COOKIE, session_cookie(&state, "", 0)?);
    Ok((axum::http::StatusCode::NO_CONTENT, out))
}

/// The signed-in staff member, their unit and roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = StaffView), (status = 401, body = Problem)))]
pub async fn me(who: SignedIn) -> Json<StaffView> {
    Json(who.0.into())
}
