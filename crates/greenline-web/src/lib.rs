//! # greenline-web
//!
//! The HTTP face of Greenline: the JSON API under `/api/v1` (intake, staff case handling,
//! the reporter's tracking view, sign-in) with its OpenAPI document generated from the
//! handlers, and the mapping of every error to an RFC 9457 problem response; and the pages
//! (`pages/`): the public portal and the staff console, rendered on the server in Chinese.
//!
//! Handlers parse their input, call one use case of the application core (`greenline-app`) and
//! render its answer; they hold no SQL and no business rules of their own. Routes live in
//! `routes/<resource>/<action>.rs`, pages in `pages/`. The API maps the core's errors to problem
//! documents ([`error`]), the pages to Chinese error pages ([`pages`]).
#![forbid(unsafe_code)]

pub mod auth;
pub mod error;
pub mod extract;
pub mod json;
pub mod pages;
pub mod routes;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
pub use greenline_app::App;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// What every handler can reach: the application core.
pub type AppState = App;

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
    .fallback(|| async { error::ApiError::Service(greenline_app::ServiceError::NotFound("route")) })
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
