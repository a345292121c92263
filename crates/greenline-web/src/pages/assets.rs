//! `/static/…` — the stylesheet, scripts and icon, compiled into the binary so the pages need
//! nothing from any other server.
//!
//! Apache ECharts is vendored from its npm package (`static/vendor/echarts/`, with its LICENSE
//! and NOTICE; see the README there) and served under a name that carries its version, so it
//! is cached for a year and a new version is a new address. It is sent gzipped to browsers
//! that accept it, compressed once per process.

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::PageError;
use crate::AppState;
use greenline_app::ServiceError;

/// The vendored ECharts under `/static/`, its version in the name.
pub const ECHARTS_FILE: &str = "echarts-6.1.0.min.js";
const ECHARTS: &str = include_str!("../../static/vendor/echarts/echarts.min.js");

/// The vendored Leaflet under `/static/`, its version in the names (see
/// `static/vendor/leaflet/README.md`).
pub const LEAFLET_JS_FILE: &str = "leaflet-1.9.4.js";
pub const LEAFLET_CSS_FILE: &str = "leaflet-1.9.4.css";

/// Vendored files served with a one-year cache: their names change with their versions.
const VERSIONED: &[(&str, &str, &str)] = &[
    (
        LEAFLET_JS_FILE,
        "text/javascript; charset=utf-8",
        include_str!("../../static/vendor/leaflet/leaflet.js"),
    ),
    (
        LEAFLET_CSS_FILE,
        "text/css; charset=utf-8",
        include_str!("../../static/vendor/leaflet/leaflet.css"),
    ),
];

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
        "dashboard.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/dashboard.js"),
    ),
    (
        "place.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/place.js"),
    ),
    (
        "answers.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/answers.js"),
    ),
    (
        "similar.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/similar.js"),
    ),
    (
        "case-map.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/case-map.js"),
    ),
    (
        "public.js",
        "text/javascript; charset=utf-8",
        include_str!("../../static/public.js"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_str!("../../static/icon.svg"),
    ),
];

static ECHARTS_GZIP: LazyLock<Vec<u8>> = LazyLock::new(|| {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to memory cannot fail.
    let _ = encoder.write_all(ECHARTS.as_bytes());
    encoder.finish().unwrap_or_default()
});

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/static/{name}", get(asset))
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| p.trim().replace(' ', "") == "q=0");
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if name == ECHARTS_FILE {
        let cache = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
        let mime = (header::CONTENT_TYPE, "text/javascript; charset=utf-8");
        let vary = (header::VARY, "Accept-Encoding");
        if accepts_gzip(&headers) && !ECHARTS_GZIP.is_empty() {
            return (
                [mime, cache, vary, (header::CONTENT_ENCODING, "gzip")],
                ECHARTS_GZIP.as_slice(),
            )
                .into_response();
        }
        return ([mime, cache, vary], ECHARTS).into_response();
    }
    if let Some((_, mime, body)) = VERSIONED.iter().find(|(n, _, _)| *n == name) {
        return (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            *body,
        )
            .into_response();
    }
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
