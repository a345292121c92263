//! Working days (工作日) in China: Monday to Friday, except the days the State Council's yearly
//! holiday arrangement gives off, plus the weekend days it makes working days (调休).
//!
//! The arrangements are data (`data/calendar/workdays.tsv`, 2004 onward, one row per date that
//! differs from Monday–Friday with the notice it comes from). Past the last year loaded a day is
//! a working day when it is Monday to Friday, and every answer that relied on that says so
//! (`assumed`), so that a limit counted into a year whose notice is not loaded yet is shown as an
//! estimate.
//!
//! Counting follows the instruments' wording "within N working days of receipt": the day of
//! receipt is not counted, the N-th working day after it is the last day of the limit.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::DomainError;

const WORKDAYS: &str = include_str!("../data/calendar/workdays.tsv");

static SHIPPED: LazyLock<WorkingCalendar> = LazyLock::new(|| {
    WorkingCalendar::parse(WORKDAYS)
        .unwrap_or_else(|e| unreachable!("the shipped holiday arrangements load: {e}"))
});

/// How a listed date differs from Monday–Friday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arranged {
    /// A weekday off, for this holiday (春节, 国庆节 …).
    Holiday(String),
    /// A weekend day worked (调休), to make up for this holiday.
    Workday(String),
}

/// The holiday arrangements of the years loaded.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    days: BTreeMap<NaiveDate, Arranged>,
    first_year: i32,
    last_year: i32,
}

/// The last day of a limit counted in working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingDue {
    pub last_day: NaiveDate,
    /// Some day counted lies past the last year loaded and was taken as Monday–Friday.
    pub assumed: bool,
}

impl WorkingDue {
    /// What staff are told when the date is an estimate.
    pub fn warning_zh(&self, calendar: &WorkingCalendar) -> Option<String> {
        self.assumed.then(|| {
            format!(
                "期限跨入{}年以后，该年节假日安排尚未载入，按周一至周五推算，请在国务院办公厅公布安排后复核",
                calendar.last_year
            )
        })
    }
}

impl WorkingCalendar {
    /// The arrangements shipped with the crate.
    pub fn shipped() -> &'static WorkingCalendar {
        &SHIPPED
    }

    /// Reads arrangements: `date kind holiday notice` a line, tab-separated, `#` comments. A
    /// holiday must fall on a weekday and a working day on a weekend; each date once.
    pub fn parse(text: &str) -> Result<WorkingCalendar, DomainError> {
        let bad =
            |line: usize, what: String| DomainError::BadCalendar(format!("line {line}: {what}"));
        let mut days = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&str> = line.split('\t').collect();
            let [date, kind, holiday, notice] = cols.as_slice() else {
                return Err(bad(n, "expected date, kind, holiday and notice".to_owned()));
            };
            let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| bad(n, format!("{date:?} is not a YYYY-MM-DD date")))?;
            if notice.trim().is_empty() || holiday.trim().is_empty() {
                return Err(bad(n, "the holiday and its notice are required".to_owned()));
            }
            let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
            let arranged = match (*kind, weekend) {
                ("holiday", false) => Arranged::Holiday((*holiday).to_owned()),
                ("workday", true) => Arranged::Workday((*holiday).to_owned()),
                ("holiday", true) => return Err(bad(n, format!("{date} is a weekend already"))),
                ("workday", false) => return Err(bad(n, format!("{date} is a weekday already"))),
                (other, _) => return Err(bad(n, format!("unknown kind {other:?}"))),
            };
            if days.insert(date, arranged).is_some() {
                return Err(bad(n, format!("{date} listed twice")));
            }
        }
        let first_year = days.keys().next().map_or(0, |d| d.year());
        let last_year = days.keys().next_back().map_or(0, |d| d.year());
        Ok(WorkingCalendar {
            days,
            first_year,
            last_year,
        })
    }

    /// The first and last years whose arrangements are loaded.
    pub fn years(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }

    /// Whether `date`'s year has its arrangement loaded.
    pub fn covers(&self, date: NaiveDate) -> bool {
        (self.first_year..=self.last_year).contains(&date.year())
    }

    /// How `date` differs from Monday–Friday, if it does.
    pub fn arranged(&self, date: NaiveDate) -> Option<&Arranged> {
        self.days.get(&date)
    }

    /// Whether `date` is a working day (outside the years loaded: Monday to Friday).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date) {
            Some(Arranged::Holiday(_)) => false,
            Some(Arranged::Workday(_)) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The `n`-th working day after `start` (`start` itself not counted; `n` = 0: `start`).
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> WorkingDue {
        let mut day = start;
        let mut counted = 0;
        let mut assumed = false;
        while counted < n {
            day = day + Days::new(1);
            if self.is_working_day(day) {
                counted += 1;
                assumed |= !self.covers(day);
            }
        }
        WorkingDue {
            last_day: day,
            assumed,
        }
    }

    /// Working days after `from` up to and including `to` (0 if `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut day = from;
        let mut counted = 0;
        while day < to {
            day = day + Days::new(1);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn the_shipped_arrangements_run_from_2004_to_2026() {
        assert_eq!(WorkingCalendar::shipped().years(), (2004, 2026));
    }

    #[test]
    fn national_day_and_its_make_up_weekends_in_2024() {
        let c = WorkingCalendar::shipped();
        // 2024: 10月1日至7日放假; 9月29日（星期日）、10月12日（星期六）上班.
        for day in 1..=7 {
            assert!(!c.is_working_day(d(2024, 10, day)), "10-{day}");
        }
        assert!(c.is_working_day(d(2024, 9, 29)));
        assert!(c.is_working_day(d(2024, 10, 12)));
        assert!(!c.is_working_day(d(2024, 10, 13)), "an ordinary Sunday");
        assert!(matches!(c.arranged(d(2024, 9, 29)), Some(Arranged::Workday(h)) if h == "国庆节"));
    }

    #[test]
    fn spring_festival_2026_with_both_make_up_saturdays() {
        let c = WorkingCalendar::shipped();
        // 2026: 2月15日至23日放假，共9天; 2月14日（星期六）、2月28日（星期六）上班.
        assert!(c.is_working_day(d(2026, 2, 14)));
        assert!(c.is_working_day(d(2026, 2, 28)));
        for day in 15..=23 {
            assert!(!c.is_working_day(d(2026, 2, day)), "02-{day}");
        }
        // Seven working days from 2月12日 (Thursday): 13, 14 (Saturday worked), 24, 25, 26, 27, 28.
        let due = c.add_working_days(d(2026, 2, 12), 7);
        assert_eq!(due.last_day, d(2026, 2, 28));
        assert!(!due.assumed);
    }

    #[test]
    fn twenty_working_days_over_national_day_2025() {
        let c = WorkingCalendar::shipped();
        // 2025: 10月1日至8日放假; 9月28日（星期日）、10月11日（星期六）上班.
        let due = c.add_working_days(d(2025, 9, 22), 20);
        // 23–26 (4), 28 Sunday worked (5), 29, 30 (7), 9–10 Oct (9), 11 Saturday worked (10),
        // 13–17 (15), 20–24 (20).
        assert_eq!(due.last_day, d(2025, 10, 24));
        assert_eq!(c.working_days_between(d(2025, 9, 22), due.last_day), 20);
    }

    #[test]
    fn past_the_last_year_loaded_monday_to_friday_is_assumed_and_said() {
        let c = WorkingCalendar::shipped();
        let due = c.add_working_days(d(2026, 12, 25), 10);
        assert!(due.assumed);
        // 28–31 Dec (4), then 2027: 1 Jan is a Friday taken as a working day.
        assert_eq!(due.last_day, d(2027, 1, 8));
        assert!(due.warning_zh(c).is_some_and(|w| w.contains("2026年以后")));
        let inside = c.add_working_days(d(2026, 11, 2), 5);
        assert!(!inside.assumed && inside.warning_zh(c).is_none());
    }

    #[test]
    fn bad_rows_are_refused_with_their_line() {
        let e =
            WorkingCalendar::parse("2024-10-05\tholiday\t国庆节\t通知\n").expect_err("Saturday");
        assert!(e.to_string().contains("line 1"), "{e}");
        let e = WorkingCalendar::parse("2024-10-08\tworkday\t国庆节\t通知\n").expect_err("Tuesday");
        assert!(e.to_string().contains("weekday already"), "{e}");
        let twice = "2024-10-01\tholiday\t国庆节\t通知\n2024-10-01\tholiday\t国庆节\t通知\n";
        assert!(WorkingCalendar::parse(twice).is_err());
        assert!(WorkingCalendar::parse("2024-10-01\tholiday\t国庆节\t\n").is_err());
    }
}
