//! The one place where errors become HTTP responses: RFC 9457 problem details
//! (`application/problem+json`).
//!
//! Policy: handlers return [`ApiError`]; the core's [`ServiceError`] becomes one here, once.
//! Client errors say exactly what is wrong and name the field; a 5xx says only that something
//! failed and logs the cause, so no internals leak.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use greenline_app::ServiceError;
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

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("the input is not valid")]
    Invalid(Vec<FieldError>),
    #[error("sign in first")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{detail}")]
    Conflict {
        detail: String,
        allowed_actions: Option<Vec<Action>>,
    },
    #[error("this route does not take {0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("too many requests; try again in a minute")]
    TooManyRequests,
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn bad_query(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("query parameter {field}: {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::BadRequest { .. } => "bad-request",
            ApiError::Invalid(_) => "invalid-input",
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::Conflict {
                allowed_actions: Some(_),
                ..
            } => "illegal-transition",
            ApiError::Conflict { .. } => "conflict",
            ApiError::MethodNotAllowed(_) => "method-not-allowed",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::TooManyRequests => "rate-limited",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(error = ?cause, "request failed");
                "the server could not complete the request; it has been logged".to_owned()
            }
            ApiError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        let problem = Problem {
            kind: format!("https://greenline.invalid/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            allowed_actions: match &self {
                ApiError::Conflict {
                    allowed_actions, ..
                } => allowed_actions.clone(),
                _ => None,
            },
            errors: match self {
                ApiError::Invalid(errors) | ApiError::BadRequest { errors, .. } => errors,
                _ => Vec::new(),
            },
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
        response
    }
}

/// The one mapping of the core's errors to problems.
impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::BadParameter { field, message } => ApiError::bad_query(&field, message),
            ServiceError::Invalid(errors) => ApiError::Invalid(errors),
            ServiceError::Unauthorized => ApiError::Unauthorized,
            ServiceError::Forbidden(why) => ApiError::Forbidden(why),
            ServiceError::NotFound(what) => ApiError::NotFound(what),
            ServiceError::Conflict {
                detail,
                allowed_actions,
            } => ApiError::Conflict {
                detail,
                allowed_actions,
            },
            ServiceError::TooManyRequests => ApiError::TooManyRequests,
            ServiceError::Unavailable(why) => ApiError::Unavailable(why),
            ServiceError::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
