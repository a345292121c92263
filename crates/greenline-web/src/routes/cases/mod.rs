//! Cases: intake, staff search and reading, transitions, type review and repeat grouping.

pub mod intake;
pub mod merge;
pub mod read;
pub mod review;
pub mod same_source;
pub mod search;
pub mod transition;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use greenline_domain::FieldError;

use crate::error::ApiError;

/// The `{id}` of a case's URL; anything but a number is a 400 problem naming `id`.
#[derive(Debug, Clone, Copy)]
pub struct CaseId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for CaseId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let bad = || ApiError::BadRequest {
            detail: "the case id in the URL must be a number".to_owned(),
            errors: vec![FieldError::new("id", "a case number")],
        };
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| bad())?;
        text.parse().map(CaseId).map_err(|_| bad())
    }
}
