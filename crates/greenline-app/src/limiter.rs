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
