//! `GET /healthz` and `GET /readyz` — the probes of an orchestrator or load balancer.
//!
//! `/healthz` answers 200 as long as the process serves: restart it only when this fails.
//! `/readyz` answers 200 once every view (statistics, same-source, full-text) is built and
//! follows the event feed closely, and 503 with each view's state otherwise: send it traffic
//! only when this succeeds. `/api/v1/health` remains for clients of the API (and can wait for a write).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::error::ApiResult;
use crate::routes::health::Health;

/// The process is alive.
pub async fn alive() -> Json<Value> {
    Json(json!({ "status": "alive" }))
}

/// How many events a built view may be behind and still count as caught up. A view applies new
/// events within about a second, so under a steady stream of intake its lag is rarely zero; a
/// readiness that demanded zero would take busy nodes out of rotation. A view that falls this
/// far behind (a follower that stalled, a restart catching up on a persisted index) should not
/// serve.
const READY_LAG_EVENTS: i64 = 1_000;

/// Every view has caught up with the store; else 503 and where each view stands.
pub async fn ready(State(app): State<AppState>) -> ApiResult<(StatusCode, Json<Health>)> {
    let views = app.view_status().await?;
    let ready = views
        .iter()
        .all(|v| v.ready && v.lag_events <= READY_LAG_EVENTS);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Ok((
        status,
        Json(Health {
            ready,
            caught_up: None,
            views,
        }),
    ))
}
