//! What the service tells its operators about each request: a log line and two metrics.
//!
//! Every request gets an id (`x-request-id`, kept if the client or a proxy sent one, echoed on
//! the answer) and, when answered, one log event in the request's span with the method, the
//! *route template* (`/api/v1/cases/{id}`), the status and the latency. The URL itself is never
//! logged nor used as a label: its query string can carry a reporter's phone number, a tracking
//! secret or a key, and its path a case number.
//!
//! Metrics go through the `metrics` facade to a Prometheus recorder installed once per process
//! ([`recorder`]); `/metrics` renders it together with the figures read at each scrape
//! ([`render_figures`]: cases per stage and channel, overdue cases, each view's lag), which are
//! written straight into the text so they can never go stale.

use std::fmt::Write as _;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, Method};
use axum::middleware::Next;
use axum::response::Response;
use greenline_app::operations::OperationalFigures;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing::Span;

/// Requests answered, by method, route template and status.
pub const HTTP_REQUESTS: &str = "greenline_http_requests_total";
/// Time to answer, in seconds, by method, route template and status.
pub const HTTP_DURATION: &str = "greenline_http_request_duration_seconds";

/// Requests refused at once because the node had as many in flight as it takes.
pub const HTTP_SHED: &str = "greenline_http_requests_shed_total";

/// Counts a request refused for load.
pub(crate) fn count_shed() {
    metrics::counter!(HTTP_SHED).increment(1);
}

/// The header that carries a request's id.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The label of a request that matched no route (the 404 fallback).
const UNMATCHED: &str = "unmatched";

/// Upper bounds of the latency buckets, in seconds: from a cached read to a slow bulletin.
const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The process's metrics recorder, installed as the `metrics` facade's global recorder on first
/// use. If another recorder was installed first (an embedding program's), this one still
/// renders, without the counters that went to the other.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.to_owned()), &LATENCY_BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics shows only figures");
        }
        metrics::describe_counter!(HTTP_REQUESTS, "HTTP requests answered");
        metrics::describe_counter!(HTTP_SHED, "HTTP requests refused for load (503)");
        metrics::describe_histogram!(
            HTTP_DURATION,
            metrics::Unit::Seconds,
            "Time to answer an HTTP request"
        );
        metrics::describe_counter!(
            greenline_app::operations::AUDIT_EVENTS,
            "Audit events recorded by this node"
        );
        handle
    })
}

/// The route template a request matched, or `unmatched`.
fn route(request: &Request) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| UNMATCHED.to_owned(), |p| p.as_str().to_owned())
}

/// Middleware: counts and times every answer by method, route template and status.
pub(crate) async fn count_requests(request: Request, next: Next) -> Response {
    let (method, route) = (request.method().clone(), route(&request));
    let started = Instant::now();
    let response = next.run(request).await;
    let labels = [
        ("method", method_label(&method)),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!(HTTP_REQUESTS, &labels).increment(1);
    metrics::histogram!(HTTP_DURATION, &labels).record(started.elapsed().as_secs_f64());
    response
}

/// The method as a label: the standard ones by name, anything else as `other`, so a client
/// cannot add label values at will.
fn method_label(method: &Method) -> String {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    if KNOWN.contains(method) {
        method.as_str().to_owned()
    } else {
        "other".to_owned()
    }
}

/// The span of a request: its id, method and route template — never its URL.
pub(crate) fn request_span(request: &Request) -> Span {
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %method_label(request.method()),
        route = %route(request),
    )
}

/// The log event of an answered request, inside its span.
pub(crate) fn log_response(response: &Response, latency: Duration, _: &Span) {
    let status = response.status().as_u16();
    let latency_ms = latency.as_secs_f64() * 1000.0;
    if response.status().is_server_error() {
        tracing::warn!(status, latency_ms, "answered");
    } else {
        tracing::info!(status, latency_ms, "answered");
    }
}

/// The scrape-time figures in the Prometheus text format.
pub fn render_figures(figures: &OperationalFigures) -> String {
    let mut out = String::new();
    let mut family = |name: &str, kind: &str, help: &str, samples: Vec<(String, u64)>| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (labels, value) in samples {
            let _ = writeln!(out, "{name}{labels} {value}");
        }
        out.push('\n');
    };
    let label = |key: &str, value: &str| format!("{{{key}=\"{}\"}}", escape(value));
    family(
        "greenline_view_ready",
        "gauge",
        "Whether the view is built and follows the event feed (1) or not (0)",
        figures
            .views
            .iter()
            .map(|v| (label("view", &v.name), u64::from(v.ready)))
            .collect(),
    );
    family(
        "greenline_view_lag_events",
        "gauge",
        "Events of the store the view has not applied yet",
        figures
            .views
            .iter()
            .map(|v| {
                (
                    label("view", &v.name),
                    u64::try_from(v.lag_events).unwrap_or(0),
                )
            })
            .collect(),
    );
    if let Some(cases) = &figures.cases {
        family(
            "greenline_cases_by_stage",
            "gauge",
            "Cases in the store by stage (from the statistics view)",
            cases
                .by_stage
                .iter()
                .map(|(stage, n)| (label("stage", stage), *n))
                .collect(),
        );
        family(
            "greenline_intake_total",
            "counter",
            "Cases registered, by channel, in the whole store (from the statistics view)",
            cases
                .by_channel
                .iter()
                .map(|(channel, n)| (label("channel", channel), *n))
                .collect(),
        );
        family(
            "greenline_cases_overdue",
            "gauge",
            "Cases past a statutory time limit now",
            vec![(String::new(), cases.overdue)],
        );
    }
    out
}

/// A label value as the text format quotes it.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
