//! Rate limiting for public (not signed-in) requests, per client address.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// A per-address limit on public requests; `None` inside when turned off.
#[derive(Debug)]
pub struct PublicLimiter(Option<DefaultKeyedRateLimiter<IpAddr>>);

impl PublicLimiter {
    pub fn new(per_minute: u32) -> Self {
        PublicLimiter(NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Counts one request from `client`; refuses it if over the limit.
    pub fn check(&self, client: IpAddr) -> Result<(), ApiError> {
        match &self.0 {
            Some(limiter) => limiter
                .check_key(&client)
                .map_err(|_| ApiError::TooManyRequests),
            None => Ok(()),
        }
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
