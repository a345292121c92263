//! The 12345 hand-over: a centre transfers a work order in (`POST /api/v1/transfers`) and polls
//! the steps of its cases (`GET /api/v1/transfers/status`), with its key in `X-Centre-Key`;
//! administrators register centres, revoke their keys and read the callbacks sent to them with
//! every attempt (`/api/v1/transfer-centres`). See `greenline_app::transfers`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use greenline_app::transfers::{
    CallbackRecord, NewCentre, StatusFeed, TransferCentre, TransferForm, Transferred,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::json::ApiJson;
use crate::routes::accounts::account_id;

/// The header a centre's key travels in.
pub const CENTRE_KEY: &str = "x-centre-key";

fn centre_key(headers: &HeaderMap) -> Option<&str> {
    headers.get(CENTRE_KEY).and_then(|v| v.to_str().ok())
}

/// Transfer a 12345 work order in: a case on channel `12345` with the order number as its
/// external reference, through the same intake as every channel. The same order from the same
/// centre again is refused (409, naming the tracking number it got).
#[utoipa::path(post, path = "/api/v1/transfers", tag = "transfers",
    params(("X-Centre-Key" = String, Header, description = "The centre's key (glc_…)")),
    request_body = TransferForm,
    responses((status = 201, body = Transferred),
        (status = 403, body = Problem, description = "No key, an unknown key or a revoked key"),
        (status = 409, body = Problem, description = "The centre transferred this order already"),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it")))]
pub async fn transfer_in(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: ApiJson<TransferForm>,
) -> ApiResult<(StatusCode, Json<Transferred>)> {
    let done = app.transfer_in(centre_key(&headers), body.value).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// The last cursor seen (0 or absent: from the start).
    pub after: Option<String>,
    /// Steps on the page, 1 to 500 (default 500).
    pub limit: Option<String>,
}

/// The steps of the centre's cases after a cursor, oldest first: registered, accepted,
/// rejected, routed, concluded, replied (with the reply, masked), published … Poll with the
/// last `next_after`.
#[utoipa::path(get, path = "/api/v1/transfers/status", tag = "transfers",
    params(("X-Centre-Key" = String, Header, description = "The centre's key (glc_…)"), StatusQuery),
    responses((status = 200, body = StatusFeed), (status = 400, body = Problem),
        (status = 403, body = Problem)))]
pub async fn transfer_status(
    State(app): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<StatusQuery>,
) -> ApiResult<Json<StatusFeed>> {
    Ok(Json(
        app.transfer_status(
            centre_key(&headers),
            query.after.as_deref(),
            query.limit.as_deref(),
        )
        .await?,
    ))
}

/// A registered centre, without its key or secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct CentreView {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub region: String,
    pub key_prefix: String,
    pub callback_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<TransferCentre> for CentreView {
    fn from(c: TransferCentre) -> Self {
        CentreView {
            id: c.id,
            code: c.code,
            name: c.name,
            region: c.region.to_string(),
            key_prefix: c.key_prefix,
            callback_url: c.callback_url,
            created_at: c.created_at,
            last_used_at: c.last_used_at,
            revoked_at: c.revoked_at,
        }
    }
}

/// A centre just registered: its key, and the secret its callbacks are signed with (each shown
/// once).
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedCentreView {
    pub api_key: String,
    pub callback_secret: Option<String>,
    #[serde(flatten)]
    pub centre: CentreView,
}

/// Register a 12345 centre (administrators).
#[utoipa::path(post, path = "/api/v1/transfer-centres", tag = "transfers",
    security(("bearer" = [])),
    request_body = NewCentre,
    responses((status = 201, body = IssuedCentreView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn issue_centre(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<NewCentre>,
) -> ApiResult<(StatusCode, Json<IssuedCentreView>)> {
    let issued = app.issue_transfer_centre(&who, body.value).await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCentreView {
            api_key: issued.key,
            callback_secret: issued.callback_secret,
            centre: issued.centre.into(),
        }),
    ))
}

/// The registered 12345 centres (administrators).
#[utoipa::path(get, path = "/api/v1/transfer-centres", tag = "transfers",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<CentreView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list_centres(
    State(app): State<AppState>,
    who: SignedIn,
) -> ApiResult<Json<Vec<CentreView>>> {
    let centres = app.transfer_centres(&who).await?;
    Ok(Json(centres.into_iter().map(CentreView::from).collect()))
}

/// Revoke a centre's key (administrators).
#[utoipa::path(post, path = "/api/v1/transfer-centres/{id}/revoke", tag = "transfers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The centre's id")),
    responses((status = 204, description = "Revoked"), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn revoke_centre(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.revoke_transfer_centre(&who, account_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One delivery attempt of a callback.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    pub at: DateTime<Utc>,
    pub ok: bool,
    pub status_code: Option<u16>,
    pub error: Option<String>,
}

/// A callback to a centre and every attempt to deliver it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackView {
    pub id: i64,
    pub case_id: i64,
    /// `accepted`, `rejected`, `concluded`, `replied`.
    pub kind: String,
    /// `pending`, `sent` or `failed` (given up).
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
    /// What is posted.
    #[schema(value_type = Object)]
    pub body: serde_json::Value,
    pub attempts: Vec<AttemptView>,
}

impl From<CallbackRecord> for CallbackView {
    fn from(r: CallbackRecord) -> Self {
        let c = r.callback;
        CallbackView {
            id: c.id,
            case_id: c.case_id,
            kind: c.kind,
            status: c.status,
            created_at: c.created_at,
            sent_at: c.sent_at,
            next_attempt_at: c.next_attempt_at,
            body: serde_json::from_str(&c.body).unwrap_or(serde_json::Value::String(c.body)),
            attempts: r
                .attempts
                .into_iter()
                .map(|a| AttemptView {
                    at: a.at,
                    ok: a.ok,
                    status_code: a.status_code,
                    error: a.error,
                })
                .collect(),
        }
    }
}

/// The callbacks sent to a centre, newest first, each with every attempt (administrators).
#[utoipa::path(get, path = "/api/v1/transfer-centres/{id}/callbacks", tag = "transfers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The centre's id")),
    responses((status = 200, body = Vec<CallbackView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn centre_callbacks(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<CallbackView>>> {
    let records = app.transfer_callbacks(&who, account_id(&id)?).await?;
    Ok(Json(records.into_iter().map(CallbackView::from).collect()))
}
