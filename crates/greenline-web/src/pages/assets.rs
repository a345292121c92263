//! `/static/…` — the stylesheet, script and icon, compiled into the binary so the pages need
//! nothing from any other server.

use axum::Router;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::PageError;
use crate::AppState;
use greenline_app::ServiceError;

const ASSETS: &[(&str, &str, &str)] = &[
    (
        "site.css",
        "text/css; charset=utf-8",
        include_str!("../../static/site.css"),
    ),
    (
        "report.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/report.js"),
    ),
    (
        "reply.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/reply.js"),
    ),
    (
        "desk.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/desk.js"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_str!("../../static/icon.svg"),
    ),
];

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/static/{name}", get(asset))
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, mime, body)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *body,
        )
            .into_response(),
        None => PageError::from(ServiceError::NotFound("file")).into_response(),
    }
}
