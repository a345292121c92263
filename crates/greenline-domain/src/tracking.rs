//! The tracking number (受理编号) a reporter uses to follow a case: `GL20261127-0000123`.
//!
//! It is made of the local day the case was received and its number, so it is derived, never
//! stored. Looking a case up also needs the secret or the reporter's phone number.

use std::fmt;

use chrono::NaiveDate;

use crate::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrackingNo {
    pub received_on: NaiveDate,
    pub case_id: i64,
}

impl fmt::Display for TrackingNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "GL{}-{:07}",
            self.received_on.format("%Y%m%d"),
            self.case_id
        )
    }
}

impl TrackingNo {
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let bad = || DomainError::invalid("tracking_no", "expected GLyyyymmdd-nnnnnnn");
        // Read aloud or copied from a text message, the letters may come in either case.
        let text = text.trim();
        let rest = text
            .get(..2)
            .filter(|prefix| prefix.eq_ignore_ascii_case("GL"))
            .and_then(|_| text.get(2..))
            .ok_or_else(bad)?;
        let (date, number) = rest.split_once('-').ok_or_else(bad)?;
        if date.len() != 8 || number.len() < 7 || !number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let received_on = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| bad())?;
        let case_id = number.parse().map_err(|_| bad())?;
        Ok(TrackingNo {
            received_on,
            case_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_are_read_in_either_case() {
        let upper = TrackingNo::parse("GL20261127-0000123").expect("upper");
        assert_eq!(
            TrackingNo::parse(" gl20261127-0000123 ").expect("lower"),
            upper
        );
        assert_eq!(
            TrackingNo::parse("Gl20261127-0000123").expect("mixed"),
            upper
        );
        assert!(TrackingNo::parse("XL20261127-0000123").is_err());
        assert!(TrackingNo::parse("工单20261127").is_err());
    }

    #[test]
    fn tracking_numbers_round_trip_and_reject_garbage() {
        let no = TrackingNo {
            received_on: NaiveDate::from_ymd_opt(2026, 11, 27).expect("date"),
            case_id: 123,
        };
        assert_eq!(no.to_string(), "GL20261127-0000123");
        assert_eq!(TrackingNo::parse("GL20261127-0000123"), Ok(no));
        for bad in [
            "",
            "GL2026-1",
            "XX20261127-0000123",
            "GL20261327-0000123",
            "GL20261127-12",
        ] {
            assert!(TrackingNo::parse(bad).is_err(), "{bad}");
        }
    }
}
