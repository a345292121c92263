//! The one place where errors become HTTP responses: RFC 9457 problem details
//! (`application/problem+json`).
//!
//! Policy: handlers return [`ApiError`]: the core's [`ServiceError`], mapped to a status and a
//! problem here and only here, or a request that could not be read.
//! Client errors say exactly what is wrong and name the field; a 5xx says only that something
//! failed and logs the cause, so no internals leak.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use greenline_app::{ServiceError, describe};
use greenline_domain::{Action, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The fields at fault, when the input was bad.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The actions allowed from the case's current stage, when an action was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<Action>>,
}

/// What a handler answers instead of its result: the core's error, or a request that could not
/// be read at all.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The core's answer.
    #[error(transparent)]
    Service(#[from] ServiceError),
    /// A body, query string or path that does not parse; `errors` names the parts at fault.
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("this route does not take {0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    PayloadTooLarge(String),
}

impl ApiError {
    /// One field of the body is not valid (422).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ServiceError::field(field, message).into()
    }

    /// One query parameter is not valid (400).
    pub fn bad_query(field: &str, message: impl Into<String>) -> Self {
        ServiceError::parameter(field, message).into()
    }

    /// Anything else that failed: logged, never shown.
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        ServiceError::Internal(error.into()).into()
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Service(error) => match error {
                ServiceError::BadParameter { .. } => StatusCode::BAD_REQUEST,
                ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                ServiceError::Unauthorized => StatusCode::UNAUTHORIZED,
                ServiceError::PasswordExpired | ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
                ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
                ServiceError::Conflict { .. } => StatusCode::CONFLICT,
                ServiceError::TooManyRequests | ServiceError::TooManyAttempts(_) => {
                    StatusCode::TOO_MANY_REQUESTS
                }
                ServiceError::Unavailable(_) | ServiceError::Busy => {
                    StatusCode::SERVICE_UNAVAILABLE
                }
                ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad-request",
            ApiError::MethodNotAllowed(_) => "method-not-allowed",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::Service(error) => match error {
                ServiceError::BadParameter { .. } => "bad-request",
                ServiceError::Invalid(_) => "invalid-input",
                ServiceError::Unauthorized => "unauthorized",
                ServiceError::PasswordExpired => "password-expired",
                ServiceError::Forbidden(_) => "forbidden",
                ServiceError::NotFound(_) => "not-found",
                ServiceError::Conflict {
                    allowed_actions: Some(_),
                    ..
                } => "illegal-transition",
                ServiceError::Conflict { .. } => "conflict",
                ServiceError::TooManyRequests => "rate-limited",
                ServiceError::TooManyAttempts(_) => "too-many-attempts",
                ServiceError::Unavailable(_) => "unavailable",
                ServiceError::Busy => "overloaded",
                ServiceError::Internal(_) => "internal",
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let slug = self.slug();
        let retry_after = match &self {
            ApiError::Service(error) => retry_after(error),
            _ => None,
        };
        let (detail, errors, allowed_actions) = match self {
            ApiError::Service(ServiceError::Internal(cause)) => {
                tracing::error!(error = ?cause, "request failed");
                (
                    "the server could not complete the request; it has been logged".to_owned(),
                    Vec::new(),
                    None,
                )
            }
            ApiError::Service(ServiceError::Invalid(errors)) => (describe(&errors), errors, None),
            ApiError::Service(ServiceError::BadParameter { field, message }) => (
                format!("query parameter {field}: {message}"),
                vec![FieldError::new(field, message)],
                None,
            ),
            ApiError::Service(ServiceError::Conflict {
                detail,
                allowed_actions,
            }) => (detail, Vec::new(), allowed_actions),
            ApiError::BadRequest { detail, errors } => (detail, errors, None),
            other => (other.to_string(), Vec::new(), None),
        };
        let problem = Problem {
            kind: format!("https://greenline.invalid/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
            allowed_actions,
        };
        let mut response = (status, Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static(seconds));
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// When a client refused for load or limits may try again, in seconds (`Retry-After`): the
/// public limits count per minute, a case's tracking proofs per hour, and a view being built
/// or a busy server clears in seconds.
pub fn retry_after(error: &ServiceError) -> Option<&'static str> {
    match error {
        ServiceError::TooManyRequests => Some("60"),
        ServiceError::TooManyAttempts(_) => Some("3600"),
        ServiceError::Unavailable(_) | ServiceError::Busy => Some("2"),
        _ => None,
    }
}
