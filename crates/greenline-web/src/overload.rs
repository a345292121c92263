//! Load shedding: a node serves at most `max_requests_in_flight` requests at once and refuses
//! the rest at once — 503 with `Retry-After`, a problem for the API and a Chinese page for the
//! site — instead of letting them queue until clients time out. Nothing is half-done: a refused
//! request never reached a handler. The probes and the metrics are never refused, so an
//! overloaded node still says how it is.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use greenline_app::ServiceError;
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::pages::PageError;

/// The permits of one node.
#[derive(Debug, Clone)]
pub struct InFlight(Option<Arc<Semaphore>>);

impl InFlight {
    /// `limit` requests at once; 0 for no limit.
    pub fn new(limit: u32) -> InFlight {
        InFlight((limit > 0).then(|| Arc::new(Semaphore::new(limit as usize))))
    }
}

/// Paths that answer however busy the node is.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics" | "/api/v1/health")
}

pub async fn shed(State(limit): State<InFlight>, request: Request, next: Next) -> Response {
    let Some(semaphore) = &limit.0 else {
        return next.run(request).await;
    };
    if exempt(request.uri().path()) {
        return next.run(request).await;
    }
    match semaphore.clone().try_acquire_owned() {
        Ok(permit) => {
            let response = next.run(request).await;
            drop(permit);
            response
        }
        Err(_) => {
            crate::telemetry::count_shed();
            if request.uri().path().starts_with("/api/") {
                ApiError::Service(ServiceError::Busy).into_response()
            } else {
                PageError::Service(ServiceError::Busy).into_response()
            }
        }
    }
}
