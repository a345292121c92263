//! # greenline-web
//!
//! The HTTP face of Greenline: the JSON API under `/api/v1` (intake, staff case handling,
//! the reporter's tracking view, sign-in) with its OpenAPI document generated from the
//! handlers, and the mapping of every error to an RFC 9457 problem response; Open311
//! GeoReport v2 under `/open311/v2/` ([`open311`]); and the pages
//! (`pages/`): the public portal and the staff console, rendered on the server in Chinese.
//!
//! Handlers parse their input, call one use case of the application core (`greenline-app`) and
//! render its answer; they hold no SQL and no business rules of their own. Routes live in
//! `routes/<resource>/<action>.rs`, pages in `pages/`. The API maps the core's errors to problem
//! documents ([`error`]), the pages to Chinese error pages ([`pages`]).
//!
//! Around every answer — API, pages, the OpenAPI document, the bulletin, the 404/405/413
//! answers — one stack of layers ([`app`]): a request id, a log event without the URL and
//! metrics by route template ([`telemetry`]), and the security headers ([`security_headers`]).
//! Beside the API, the operators' routes: `/healthz`, `/readyz` and `/metrics`.
#![forbid(unsafe_code)]

pub mod auth;
pub mod error;
pub mod extract;
pub mod json;
pub mod open311;
pub mod overload;
pub mod pages;
pub mod routes;
pub mod telemetry;
pub mod upload;

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
pub use greenline_app::App;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What every handler can reach: the application core.
pub type AppState = App;

/// The whole application: API, OpenAPI document, pages and the operators' routes, inside the
/// layers every answer goes through.
pub fn app(state: AppState) -> Router {
    // Installed before the first request, so no request goes uncounted.
    telemetry::recorder();
    let https = state.settings.https;
    let in_flight = overload::InFlight::new(state.settings.max_requests_in_flight);
    let (api, openapi) = routes::api().with_state(state.clone()).split_for_parts();
    let openapi_json = Arc::new(openapi);
    let router = api
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let doc = openapi_json.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .merge(
            Router::new()
                .route("/healthz", get(routes::probes::alive))
                .route("/readyz", get(routes::probes::ready))
                .route("/metrics", get(routes::metrics::metrics))
                .with_state(state.clone()),
        )
        .merge(open311::router().with_state(state.clone()))
        .merge(pages::router(&state.settings.clone()).with_state(state))
        // An unknown address under the API answers as the API does; any other is a page
        // someone followed or typed, and gets a Chinese page.
        .fallback(|uri: axum::http::Uri| async move {
            if pages::is_api_path(uri.path()) {
                error::ApiError::Service(greenline_app::ServiceError::NotFound("route"))
                    .into_response()
            } else {
                pages::not_found()
            }
        })
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            error::ApiError::MethodNotAllowed(method.to_string())
        })
        // Innermost: sees the matched route.
        .layer(axum::middleware::from_fn(telemetry::count_requests))
        .layer(axum::middleware::from_fn_with_state(
            in_flight,
            overload::shed,
        ));
    security_headers(router, https)
        .layer(PropagateRequestIdLayer::new(telemetry::REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(telemetry::request_span)
                .on_request(())
                .on_response(telemetry::log_response)
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(
            telemetry::REQUEST_ID,
            MakeRequestUuid,
        ))
}

/// What nothing but a page may load: nothing at all, and no one may frame it.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";
/// The bulletin (决策参考) as HTML: one self-contained file with its styles inline and its
/// charts as inline SVG; no scripts, no requests.
const DOCUMENT_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// Browsers remember for a year to reach this host over HTTPS only.
const HSTS: &str = "max-age=31536000";

/// The headers every answer carries unless it set its own: the pages set a policy that lets
/// them load their own styles and scripts, and a referrer policy that keeps the referrer
/// within the site; everything else gets the strict ones.
pub fn security_headers(router: Router, https: bool) -> Router {
    let fixed = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            |response: &Response| {
                let html = response
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/html"));
                Some(HeaderValue::from_static(if html {
                    DOCUMENT_POLICY
                } else {
                    API_POLICY
                }))
            },
        ))
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
        .layer(fixed(header::REFERRER_POLICY, "no-referrer"))
        .layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| https.then(|| HeaderValue::from_static(HSTS)),
        ))
}

/// The OpenAPI document of the API, as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    routes::api().split_for_parts().1
}

/// Serves the application on `listener` until `shutdown` completes: then it stops accepting,
/// lets the requests in flight finish for at most `web.shutdown_grace_seconds`, and returns.
///
/// Nothing the requests queued is left behind: an intake is answered only once its case is
/// committed, so when the requests have finished the intake writer has nothing more to write;
/// a request still running when the wait ends was never acknowledged. Stopping the views and
/// closing the store are the caller's (`greenline serve` does both).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let grace = Duration::from_secs(state.settings.shutdown_grace_seconds);
    let (stopping, mut stopped) = tokio::sync::watch::channel(false);
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections; waiting for requests in flight");
        let _ = stopping.send(true);
    };
    let server = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let deadline = async move {
        if stopped.wait_for(|s| *s).await.is_err() {
            // The server ended on its own; nothing to wait for.
            return std::future::pending().await;
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        result = server.into_future() => result,
        () = deadline => {
            tracing::warn!("requests still running after {} s; stopping without them", grace.as_secs());
            Ok(())
        }
    }
}
