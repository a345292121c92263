//! Query parameters several questions share: a region and a period of days (`region`, `from`,
//! `to`, YYYY-MM-DD in China time, both ends included), read once here.

use chrono::NaiveDate;
use greenline_domain::RegionCode;

use crate::error::{ServiceError, ServiceResult};

/// A region and a period, as read from `key=value` pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RegionPeriod {
    pub region: Option<RegionCode>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl RegionPeriod {
    /// Takes `key=value` (trimmed, not empty) when `key` is `region`, `from` or `to`; false for
    /// any other key, left to the caller.
    pub fn take(&mut self, key: &str, value: &str) -> ServiceResult<bool> {
        let bad = |message: &str| ServiceError::parameter(key, message);
        let date = |v: &str| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| bad("expected YYYY-MM-DD"))
        };
        match key {
            "region" => {
                self.region = Some(RegionCode::parse(value).map_err(|e| bad(&e.to_string()))?)
            }
            "from" => self.from = Some(date(value)?),
            "to" => self.to = Some(date(value)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The period read, refused when it ends before it starts.
    pub fn checked(self) -> ServiceResult<RegionPeriod> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if from > to => {
                Err(ServiceError::parameter("to", "must not be before from"))
            }
            _ => Ok(self),
        }
    }
}
