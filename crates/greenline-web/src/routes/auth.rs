//! Staff sign-in and sign-out, password changes, and the caller's own API tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::{SESSION_COOKIE, SignedIn, set_cookie, token_from};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;
use crate::routes::accounts::account_id;
use greenline_app::views::{StaffView, TokenView};

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
        (status = 401, body = Problem, description = "Wrong username or password, or the account is locked or disabled"),
        (status = 403, body = Problem, description = "The password has expired: change it (`POST /api/v1/auth/password`)"),
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
            staff: session.caller.staff.into(),
        }),
    ))
}

/// End the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem)))]
pub async fn logout(
    State(app): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
) -> ApiResult<(axum::http::StatusCode, HeaderMap)> {
    if let Some(token) = token_from(&headers) {
        app.sign_out(&who, &token).await?;
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
    Json(who.0.staff.into())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub username: String,
    pub current_password: String,
    /// At least 10 characters from three of: lower-case letters, capitals, digits, symbols;
    /// not the username, not one of the account's last passwords.
    pub new_password: String,
}

/// Change a password, given the current one (also when it has expired). Ends every session and
/// API token of the account: sign in again.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, body = Problem, description = "Wrong username or password"),
        (status = 422, body = Problem, description = "The new password breaks a rule"),
        (status = 429, body = Problem),
    ))]
pub async fn change_password(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    body: ApiJson<PasswordChange>,
) -> ApiResult<axum::http::StatusCode> {
    let PasswordChange {
        username,
        current_password,
        new_password,
    } = body.value;
    app.change_password(
        greenline_app::Origin::Address(ip),
        &username,
        current_password,
        new_password,
    )
    .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for, e.g. the system that uses it.
    pub name: String,
    /// How many days it lasts (at most the configured longest, 90 by default).
    pub days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedToken {
    /// Send as `Authorization: Bearer <token>`. Shown once; only its hash is kept.
    pub token: String,
    #[serde(flatten)]
    pub details: TokenView,
}

/// Issue an API token for the signed-in account, for a system that calls the API.
#[utoipa::path(post, path = "/api/v1/auth/tokens", tag = "auth",
    security(("bearer" = [])),
    request_body = NewToken,
    responses((status = 201, body = IssuedToken), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn create_token(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<NewToken>,
) -> ApiResult<(axum::http::StatusCode, Json<IssuedToken>)> {
    let NewToken { name, days } = body.value;
    let (details, token) = app.create_token(&who, &name, days).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(IssuedToken {
            token,
            details: details.into(),
        }),
    ))
}

/// The signed-in account's API tokens (revoked and expired ones too).
#[utoipa::path(get, path = "/api/v1/auth/tokens", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = Problem)))]
pub async fn tokens(State(app): State<AppState>, who: SignedIn) -> ApiResult<Json<Vec<TokenView>>> {
    let tokens = app.tokens(&who).await?;
    Ok(Json(tokens.into_iter().map(TokenView::from).collect()))
}

/// Revoke an API token: one's own, or as administrator one of an account in one's jurisdiction.
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", tag = "auth",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_token(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<axum::http::StatusCode> {
    app.revoke_token(&who, account_id(&id)?).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
