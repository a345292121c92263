//! Staff sign-in and sign-out.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, SignedIn, set_cookie, token_from};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;
use greenline_app::views::StaffView;

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

/// Sign in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse, description = "Signed in; also sets the session cookie"),
        (status = 401, body = Problem, description = "Wrong username or password"),
        (status = 429, body = Problem),
    ))]
pub async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    body: ApiJson<LoginRequest>,
) -> ApiResult<(HeaderMap, Json<LoginResponse>)> {
    let LoginRequest { username, password } = body.value;
    let session = app.sign_in(ip, &username, password).await?;
    let hours = i64::from(app.settings.session_hours);
    let mut headers = HeaderMap::new();
    headers.insert(
        header::SET_COOKIE,
        set_cookie(&app, SESSION_COOKIE, &session.token, Some(hours * 3600))
            .map_err(ApiError::internal)?,
    );
    Ok((
        headers,
        Json(LoginResponse {
            token: session.token,
            expires_at: session.expires_at,
            staff: session.caller.0.into(),
        }),
    ))
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
pub async fn logout(
    State(app): State<AppState>,
    _who: SignedIn,
    headers: HeaderMap,
) -> ApiResult<(axum::http::StatusCode, HeaderMap)> {
    if let Some(token) = token_from(&headers) {
        app.sign_out(&token).await?;
    }
    let mut out = HeaderMap::new();
    out.insert(
        header::SET_COOKIE,
        set_cookie(&app, SESSION_COOKIE, "", Some(0)).map_err(ApiError::internal)?,
    );
    Ok((axum::http::StatusCode::NO_CONTENT, out))
}

/// The signed-in staff member, their unit and roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = StaffView), (status = 401, body = Problem)))]
pub async fn me(who: SignedIn) -> Json<StaffView> {
    Json(who.0.0.into())
}
