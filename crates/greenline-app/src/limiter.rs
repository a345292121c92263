//! Rate limiting for public (not signed-in) requests, per client address.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ServiceError;

/// A per-address limit on public requests; `None` inside when turned off.
#[derive(Debug)]
pub struct PublicLimiter(Option<DefaultKeyedRateLimiter<IpAddr>>);

impl PublicLimiter {
    pub fn new(per_minute: u32) -> Self {
        PublicLimiter(NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Counts one request from `client`; refuses it if over the limit.
    pub fn check(&self, client: IpAddr) -> Result<(), ServiceError> {
        match &self.0 {
            Some(limiter) => limiter
                .check_key(&client)
                .map_err(|_| ServiceError::TooManyRequests),
            None => Ok(()),
        }
    }
}

/// A per-key limit on requests of registered clients (an Open311 client's key), keyed by the
/// client's id; `None` inside when turned off.
#[derive(Debug)]
pub struct ClientLimiter(Option<DefaultKeyedRateLimiter<i64>>);

impl ClientLimiter {
    pub fn new(per_minute: u32) -> Self {
        ClientLimiter(NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))))
    }

    /// Counts one request of client `id`; refuses it if over the limit.
    pub fn check(&self, id: i64) -> Result<(), ServiceError> {
        match &self.0 {
            Some(limiter) => limiter
                .check_key(&id)
                .map_err(|_| ServiceError::TooManyRequests),
            None => Ok(()),
        }
    }
}
