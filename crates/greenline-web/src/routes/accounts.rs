//! Account administration: an administrator's accounts, disabling, ending sessions, resetting
//! a password.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use greenline_app::views::AccountView;

/// The accounts of units in the administrator's jurisdiction, with their state.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn accounts(
    State(app): State<AppState>,
    who: SignedIn,
) -> ApiResult<Json<Vec<AccountView>>> {
    let accounts = app.accounts(&who).await?;
    Ok(Json(accounts.into_iter().map(AccountView::from).collect()))
}

/// Disable an account: its sessions and API tokens end, and it cannot sign in.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 204, description = "Disabled"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn disable(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.set_account_disabled(&who, account_id(&id)?, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enable a disabled account again.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 204, description = "Enabled"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.set_account_disabled(&who, account_id(&id)?, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End every session and API token of an account.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/sessions/end", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 204, description = "Ended"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn end_sessions(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.end_account_sessions(&who, account_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetPassword {
    /// A one-time password, shown once; it must be changed at the next sign-in.
    pub password: String,
}

/// Reset an account's password to a one-time one, to be changed at the next sign-in.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password/reset", tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, body = ResetPassword), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn reset_password(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<ResetPassword>> {
    let password = app.reset_password(&who, account_id(&id)?).await?;
    Ok(Json(ResetPassword { password }))
}

/// The `{id}` of an account's or a token's URL; anything but a number is a 400 naming `id`.
pub(crate) fn account_id(text: &str) -> Result<i64, ApiError> {
    text.parse()
        .map_err(|_| ApiError::bad_query("id", "the id in the URL must be a number"))
}
