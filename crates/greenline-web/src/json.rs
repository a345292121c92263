//! A JSON body extractor whose errors name the field at fault, as problem responses.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use greenline_domain::FieldError;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Like `axum::Json`, but a body that does not fit gets a 400/422 problem naming the field, and
/// the raw bytes stay available (for idempotency digests).
#[derive(Debug)]
pub struct ApiJson<T> {
    pub value: T,
    pub raw: Bytes,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or("").trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType(
                "send the body as application/json".to_owned(),
            ));
        }
        let raw = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(format!("the body is larger than this route takes: {e}"))
            } else {
                ApiError::BadRequest {
                    detail: format!("could not read the body: {e}"),
                    errors: Vec::new(),
                }
            }
        })?;
        let value = parse(&raw)?;
        Ok(ApiJson { value, raw })
    }
}

/// Parses JSON, turning a failure into a problem that names the field.
pub fn parse<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(raw);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let inner = e.inner();
        let message = inner.to_string();
        let path = e.path().to_string();
        // serde reports a missing or unknown field on the enclosing object; name the field.
        let named = message.split('`').nth(1).filter(|_| {
            message.starts_with("missing field") || message.starts_with("unknown field")
        });
        let field = match (path.as_str(), named) {
            (".", Some(name)) => name.to_owned(),
            (".", None) => String::new(),
            (path, Some(name)) if message.starts_with("missing field") => format!("{path}.{name}"),
            (path, _) => path.to_owned(),
        };
        if inner.is_syntax() || inner.is_eof() || field.is_empty() {
            ApiError::BadRequest {
                detail: format!("the body is not valid JSON for this request: {message}"),
                errors: if field.is_empty() {
                    Vec::new()
                } else {
                    vec![FieldError::new(field, message)]
                },
            }
        } else {
            ApiError::Service(greenline_app::ServiceError::Invalid(vec![FieldError::new(
                field, message,
            )]))
        }
    })
}
