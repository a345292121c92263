//! The registered Open311 clients (administrators): issue a key, list the clients, revoke a
//! key. The key is shown once, when issued; only its hash is kept.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use greenline_app::open311::clients::Open311Client;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::json::ApiJson;
use crate::routes::accounts::account_id;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Who the client is (an app, an NGO), 1 to 64 characters.
    pub name: String,
}

/// A registered client, without its key.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    pub id: i64,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub key_prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<Open311Client> for ClientView {
    fn from(c: Open311Client) -> Self {
        ClientView {
            id: c.id,
            name: c.name,
            key_prefix: c.key_prefix,
            created_at: c.created_at,
            last_used_at: c.last_used_at,
            revoked_at: c.revoked_at,
        }
    }
}

/// A client just registered, with its key.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedKey {
    /// The Open311 `api_key`. Shown once; only its hash is kept.
    pub api_key: String,
    #[serde(flatten)]
    pub client: ClientView,
}

/// Register an Open311 client and issue its `api_key` (administrators).
#[utoipa::path(post, path = "/api/v1/open311/clients", tag = "open311",
    security(("bearer" = [])),
    request_body = NewClient,
    responses((status = 201, body = IssuedKey), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_client(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<NewClient>,
) -> ApiResult<(StatusCode, Json<IssuedKey>)> {
    let (client, api_key) = app.issue_open311_key(&who, &body.value.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedKey {
            api_key,
            client: client.into(),
        }),
    ))
}

/// The registered Open311 clients, newest first, revoked ones too (administrators).
#[utoipa::path(get, path = "/api/v1/open311/clients", tag = "open311",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ClientView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list_clients(
    State(app): State<AppState>,
    who: SignedIn,
) -> ApiResult<Json<Vec<ClientView>>> {
    let clients = app.open311_clients(&who).await?;
    Ok(Json(clients.into_iter().map(ClientView::from).collect()))
}

/// Revoke a client's `api_key`: its submissions are refused from now on (administrators).
#[utoipa::path(post, path = "/api/v1/open311/clients/{id}/revoke", tag = "open311",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The client's id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_client(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.revoke_open311_key(&who, account_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
