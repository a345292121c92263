//! `GET /metrics` — this node's metrics in the Prometheus text format (see [`crate::telemetry`]).
//!
//! Who may read them: with `web.metrics_token` set, whoever sends it as
//! `Authorization: Bearer <token>` (from any address; never in the URL, which proxies log);
//! without it, only a request made directly from this machine — a loopback peer that no proxy
//! relayed, since a reverse proxy on the same machine is a loopback peer too.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use greenline_app::{ServiceError, Settings};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::telemetry;

pub async fn metrics(
    State(app): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if !may_read(&app.settings, peer.map(|p| (p.0).0), &headers) {
        return Err(ApiError::Service(ServiceError::Forbidden(
            "metrics are for this machine or a holder of the metrics token".to_owned(),
        )));
    }
    let figures = app.operational_figures().await?;
    let handle = telemetry::recorder();
    handle.run_upkeep();
    let mut body = handle.render();
    body.push('\n');
    body.push_str(&telemetry::render_figures(&figures));
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

/// Whether this request may read the metrics.
fn may_read(settings: &Settings, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    // An empty token would open the metrics to every request without the header.
    match settings.metrics_token.as_ref().filter(|t| !t.0.is_empty()) {
        Some(token) => {
            let sent = headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            // Compared as digests, so the time taken says nothing about the token.
            Sha256::digest(sent.as_bytes()) == Sha256::digest(token.0.as_bytes())
        }
        None => {
            let relayed = ["forwarded", "x-forwarded-for", "x-real-ip"]
                .iter()
                .any(|name| headers.contains_key(*name));
            peer.is_some_and(|p| p.ip().to_canonical().is_loopback()) && !relayed
        }
    }
}
