//! What handlers read from a request besides its body: a case's id from the path, the
//! client's address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Path};
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

/// The address the request came from (the peer of the TCP connection).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip()),
        ))
    }
}
