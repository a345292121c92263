//! # greenline-web
//!
//! The HTTP face of Greenline: the JSON API under `/api/v1` (intake, staff case handling,
//! the reporter's tracking view, sign-in) with its OpenAPI document generated from the
//! handlers, and the mapping of every error to an RFC 9457 problem response; and the pages
//! (`pages/`): the public portal and the staff console, rendered on the server in Chinese.
//!
//! Handlers parse input into domain types, ask `greenline-domain` what a change means and
//! `greenline-store` to keep it; they hold no SQL and no business rules of their own. Routes
//! live in `routes/<resource>/<action>.rs`.
#![forbid(unsafe_code)]

pub mod air;
pub mod analytics;
pub mod auth;
pub mod clock;
pub mod error;
pub mod follow;
pub mod json;
mod limiter;
pub mod pages;
pub mod routes;
pub mod search;
pub mod sources;
pub mod suggest;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use greenline_domain::DeadlineTable;
use greenline_store::Store;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use clock::{Clock, ManualClock, SystemClock};
pub use limiter::PublicLimiter;

/// Settings of the web layer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct WebConfig {
    /// Public (not signed-in) intake and tracking requests allowed per client address and
    /// minute; 0 turns the limit off.
    pub public_requests_per_minute: u32,
    /// How long a staff session lasts.
    pub session_hours: u32,
    /// Mark the session cookie `Secure` (serve over HTTPS).
    pub secure_cookies: bool,
    /// Where the full-text search index lives; in memory (built at every start) if unset.
    pub search_dir: Option<std::path::PathBuf>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            public_requests_per_minute: 30,
            session_hours: 12,
            secure_cookies: false,
            search_dir: None,
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub deadlines: Arc<DeadlineTable>,
    pub limiter: Arc<PublicLimiter>,
    pub config: Arc<WebConfig>,
    /// The statistics index, kept current from the store.
    pub analytics: Arc<analytics::Analytics>,
    /// Earlier cases by what identifies their source, kept current from the store.
    pub sources: Arc<sources::Sources>,
    /// Hot-topic answers, kept a few minutes.
    pub topics: Arc<routes::topics::TopicsCache>,
    /// The full-text index of case texts, kept current from the store.
    pub search: Arc<search::CaseSearch>,
}

impl AppState {
    /// The state of a running server. Call it inside a Tokio runtime: it starts building the
    /// analytics, search and same-source indexes from `store` in the background.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        deadlines: DeadlineTable,
        config: WebConfig,
    ) -> Self {
        let deadlines = Arc::new(deadlines);
        let analytics = analytics::Analytics::new(deadlines.clone());
        analytics.start(store.clone());
        let sources = sources::Sources::new();
        sources.start(store.clone(), clock.clone());
        let search = search::CaseSearch::open(config.search_dir.as_deref());
        // Runs as long as the process.
        drop(search.start(store.clone()));
        AppState {
            store,
            clock,
            deadlines,
            limiter: Arc::new(PublicLimiter::new(config.public_requests_per_minute)),
            config: Arc::new(config),
            analytics,
            sources,
            topics: Arc::default(),
            search,
        }
    }
}

/// The whole application: API, OpenAPI document and pages.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = routes::api().with_state(state.clone()).split_for_parts();
    let openapi_json = Arc::new(openapi);
    api.route(
        "/api/v1/openapi.json",
        axum::routing::get(move || {
            let doc = openapi_json.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    .merge(pages::router().with_state(state))
    .fallback(|| async { error::ApiError::NotFound("route") })
    .method_not_allowed_fallback(|method: axum::http::Method| async move {
        error::ApiError::MethodNotAllowed(method.to_string())
    })
    .layer(TraceLayer::new_for_http())
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::api().split_for_parts().1
}

/// Serves the application on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
