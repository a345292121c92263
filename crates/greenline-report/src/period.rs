//! The period a bulletin covers: a month, a quarter or a year.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use greenline_stats::TimeBucket;
use serde::{Serialize, Serializer};

use crate::ReportError;

/// A calendar month (`2026-10`), quarter (`2026-Q3`) or year (`2026`), China time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year(i32),
}

/// Years the analytics index can hold (its day numbers run from 1970 to 2149).
const YEARS: std::ops::RangeInclusive<i32> = 1971..=2148;

fn year(text: &str, whole: &str) -> Result<i32, ReportError> {
    let bad = || ReportError::BadPeriod(whole.to_owned());
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = text.parse().map_err(|_| bad())?;
    if YEARS.contains(&year) {
        Ok(year)
    } else {
        Err(bad())
    }
}

const QUARTER_ZH: [&str; 4] = ["一", "二", "三", "四"];

impl Period {
    /// Reads `2026-10` (also `2026-1`), `2026-Q3` (also `2026q3`) or `2026`.
    pub fn parse(text: &str) -> Result<Period, ReportError> {
        let whole = text.trim();
        let bad = || ReportError::BadPeriod(whole.to_owned());
        match whole.split_once('-') {
            None => Ok(Period::Year(year(whole, whole)?)),
            Some((y, rest)) => {
                let year = year(y, whole)?;
                if let Some(q) = rest.strip_prefix(['Q', 'q']) {
                    let quarter: u32 = q.parse().map_err(|_| bad())?;
                    if (1..=4).contains(&quarter) && q.len() == 1 {
                        return Ok(Period::Quarter { year, quarter });
                    }
                    return Err(bad());
                }
                if rest.is_empty() || rest.len() > 2 || !rest.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let month: u32 = rest.parse().map_err(|_| bad())?;
                if (1..=12).contains(&month) {
                    Ok(Period::Month { year, month })
                } else {
                    Err(bad())
                }
            }
        }
    }

    /// The period's code: `2026-10`, `2026-Q3`, `2026`.
    pub fn code(self) -> String {
        match self {
            Period::Month { year, month } => format!("{year}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year}-Q{quarter}"),
            Period::Year(year) => year.to_string(),
        }
    }

    /// The period as bulletins name it: `2026年10月`, `2026年第三季度`, `2026年`.
    pub fn zh(self) -> String {
        match self {
            Period::Month { year, month } => format!("{year}年{month}月"),
            Period::Quarter { year, quarter } => {
                format!("{year}年第{}季度", QUARTER_ZH[(quarter as usize - 1) % 4])
            }
            Period::Year(year) => format!("{year}年"),
        }
    }

    /// `本月`, `本季度`, `本年`.
    pub fn this_zh(self) -> &'static str {
        match self {
            Period::Month { .. } => "本月",
            Period::Quarter { .. } => "本季度",
            Period::Year(_) => "本年",
        }
    }

    /// `上月`, `上季度`, `上年`.
    pub fn previous_zh(self) -> &'static str {
        match self {
            Period::Month { .. } => "上月",
            Period::Quarter { .. } => "上季度",
            Period::Year(_) => "上年",
        }
    }

    /// The engine's time bucket of the same length.
    pub fn bucket(self) -> TimeBucket {
        match self {
            Period::Month { .. } => TimeBucket::Month,
            Period::Quarter { .. } => TimeBucket::Quarter,
            Period::Year(_) => TimeBucket::Year,
        }
    }

    /// The first day of the period.
    pub fn first_day(self) -> NaiveDate {
        let (year, month) = match self {
            Period::Month { year, month } => (year, month),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2),
            Period::Year(year) => (year, 1),
        };
        // Parsing keeps year and month in range, so the date exists.
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The number of months the period spans.
    pub fn months(self) -> u32 {
        match self {
            Period::Month { .. } => 1,
            Period::Quarter { .. } => 3,
            Period::Year(_) => 12,
        }
    }

    /// The day after the period's last day.
    pub fn end(self) -> NaiveDate {
        self.first_day()
            .checked_add_months(Months::new(self.months()))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The period just before (环比's comparison; for a year, the year before).
    pub fn previous(self) -> Period {
        match self {
            Period::Month { year, month: 1 } => Period::Month {
                year: year - 1,
                month: 12,
            },
            Period::Month { year, month } => Period::Month {
                year,
                month: month - 1,
            },
            Period::Quarter { year, quarter: 1 } => Period::Quarter {
                year: year - 1,
                quarter: 4,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year,
                quarter: quarter - 1,
            },
            Period::Year(year) => Period::Year(year - 1),
        }
    }

    /// The same period a year earlier (同比's comparison).
    pub fn year_earlier(self) -> Period {
        match self {
            Period::Month { year, month } => Period::Month {
                year: year - 1,
                month,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year: year - 1,
                quarter,
            },
            Period::Year(year) => Period::Year(year - 1),
        }
    }

    /// The month the period ends with, as its first day.
    pub fn last_month(self) -> NaiveDate {
        let end = self.end();
        NaiveDate::from_ymd_opt(
            if end.month() == 1 {
                end.year() - 1
            } else {
                end.year()
            },
            if end.month() == 1 {
                12
            } else {
                end.month() - 1
            },
            1,
        )
        .unwrap_or(end)
    }
}

impl FromStr for Period {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Period::parse(s)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_and_step() {
        let p = Period::parse("2026-10").expect("month");
        assert_eq!(
            p,
            Period::Month {
                year: 2026,
                month: 10
            }
        );
        assert_eq!(p.previous().code(), "2026-09");
        assert_eq!(p.year_earlier().code(), "2025-10");
        assert_eq!(p.zh(), "2026年10月");
        assert_eq!(p.end(), NaiveDate::from_ymd_opt(2026, 11, 1).expect("date"));
        let q = Period::parse("2026-Q1").expect("quarter");
        assert_eq!(q.previous().code(), "2025-Q4");
        assert_eq!(q.zh(), "2026年第一季度");
        assert_eq!(
            q.last_month(),
            NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
        );
        assert_eq!(
            Period::parse("2026").expect("year").end().to_string(),
            "2027-01-01"
        );
        assert_eq!(Period::parse("2026-1").expect("month").code(), "2026-01");
        assert_eq!(
            Period::parse("2026-12")
                .expect("m")
                .last_month()
                .to_string(),
            "2026-12-01"
        );
        for bad in [
            "",
            "26",
            "2026-13",
            "2026-0",
            "2026-Q5",
            "2026-Q",
            "abcd",
            "2026-10-01",
            "9999",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }
}
