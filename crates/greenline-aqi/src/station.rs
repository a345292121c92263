//! From hourly station measurements to the numbers an index is computed from: daily means,
//! O₃ 8-hour running means and daily maxima, city values, hourly and daily AQI, and monthly or
//! annual summaries.
//!
//! # Data completeness (数据统计的有效性规定)
//!
//! The rule applied is GB 3095-2012, Table 4 (数据统计的有效性规定), with HJ 663-2013 for the
//! daily maximum 8-hour mean:
//!
//! - a **24-hour mean** (SO₂, NO₂, CO, PM10, PM2.5) needs at least **20 valid hourly values**
//!   in the natural day (China Standard Time, 00:00–24:00);
//! - an **8-hour mean** of O₃ needs at least **6 valid hourly values** among its 8 hours;
//! - the **daily maximum 8-hour mean** of O₃ is the largest of the day's 17 running 8-hour
//!   means whose 8 hours lie within the day (the means ending with hours 07…23, i.e. 00–08 …
//!   16–24), and needs at least **14 valid 8-hour means**;
//! - the **daily maximum 1-hour** O₃ value is the day's largest valid hourly value, taken when
//!   the day has at least 20 valid O₃ hours (the same rule as a 24-hour mean).
//!
//! A value that does not meet its rule is missing (`None`), never a mean of too few hours.
//! Hours are numbered from the Unix epoch (UTC); the day of an hour is its date in China
//! Standard Time (UTC+8), the zone the standard's natural day refers to. An hour's value is
//! the mean over the hour that starts at it.
//!
//! Means are plain `f64` arithmetic means of the given concentrations; the index then rounds
//! them to the reporting precision of the table in use (see [`crate::Table::round`]).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use crate::column::{Column, Period};
use crate::data::{Level, Standard};
use crate::engine::{Iaqi, Readings, Report, compute};
use crate::error::AqiError;

/// A pollutant measured at a station, in the order of the hourly CSV's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pollutant {
    Pm25,
    Pm10,
    So2,
    No2,
    /// mg/m³.
    Co,
    O3,
}

impl Pollutant {
    pub const ALL: [Pollutant; 6] = [
        Pollutant::Pm25,
        Pollutant::Pm10,
        Pollutant::So2,
        Pollutant::No2,
        Pollutant::Co,
        Pollutant::O3,
    ];

    /// `pm25`, `pm10`, `so2`, `no2`, `co`, `o3`: the CSV header and the storage column.
    pub const fn key(self) -> &'static str {
        match self {
            Pollutant::Pm25 => "pm25",
            Pollutant::Pm10 => "pm10",
            Pollutant::So2 => "so2",
            Pollutant::No2 => "no2",
            Pollutant::Co => "co",
            Pollutant::O3 => "o3",
        }
    }

    pub fn from_key(key: &str) -> Option<Pollutant> {
        Pollutant::ALL.into_iter().find(|p| p.key() == key)
    }

    pub const fn index(self) -> usize {
        self as usize
    }

    /// The 24-hour column of the table (O₃: the daily maximum 8-hour column).
    pub const fn daily_column(self) -> Column {
        match self {
            Pollutant::Pm25 => Column::Pm25H24,
            Pollutant::Pm10 => Column::Pm10H24,
            Pollutant::So2 => Column::So2H24,
            Pollutant::No2 => Column::No2H24,
            Pollutant::Co => Column::CoH24,
            Pollutant::O3 => Column::O3H8,
        }
    }

    /// The column an hourly value goes to in a real-time report (PM has no 1-hour column).
    pub const fn hourly_column(self) -> Column {
        match self {
            Pollutant::Pm25 => Column::Pm25H24,
            Pollutant::Pm10 => Column::Pm10H24,
            Pollutant::So2 => Column::So2H1,
            Pollutant::No2 => Column::No2H1,
            Pollutant::Co => Column::CoH1,
            Pollutant::O3 => Column::O3H1,
        }
    }
}

/// Concentrations of the six pollutants (µg/m³, CO mg/m³); `None` is missing.
pub type Values = [Option<f64>; 6];

/// Valid hourly values a 24-hour mean needs (GB 3095-2012, Table 4).
pub const MIN_HOURS_PER_DAY: usize = 20;
/// Valid hourly values an 8-hour O₃ mean needs.
pub const MIN_HOURS_PER_8H: usize = 6;
/// Valid 8-hour means the daily maximum 8-hour O₃ mean needs (HJ 663-2013).
pub const MIN_8H_MEANS_PER_DAY: usize = 14;

/// Seconds east of UTC of China Standard Time.
const CST_OFFSET_HOURS: i64 = 8;

/// One station's (or city's) value for one hour.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hourly {
    /// Hours since the Unix epoch (UTC) of the hour's start.
    pub hour: i64,
    pub values: Values,
}

/// The day (China Standard Time) an hour belongs to, and the hour of that day (0–23).
pub fn day_of_hour(hour: i64) -> (NaiveDate, usize) {
    let local = hour + CST_OFFSET_HOURS;
    let days = local.div_euclid(24);
    let hour_of_day = usize::try_from(local.rem_euclid(24)).unwrap_or(0);
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    let date = epoch
        .checked_add_days(chrono::Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(epoch);
    (date, hour_of_day)
}

/// The first hour (since the epoch, UTC) of a day in China Standard Time.
pub fn first_hour_of_day(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days() * 24 - CST_OFFSET_HOURS
}

/// A day's values from its hours, with the completeness rule applied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Daily {
    pub date: NaiveDate,
    /// 24-hour means; for O₃ this slot holds the daily maximum 8-hour mean.
    pub means: Values,
    /// O₃'s daily maximum 1-hour value.
    pub o3_max_1h: Option<f64>,
    /// Valid hourly values per pollutant.
    pub valid_hours: [u8; 6],
}

impl Daily {
    /// The readings of a daily report.
    pub fn readings(&self) -> Readings {
        let mut readings = Readings::new();
        for pollutant in Pollutant::ALL {
            if let Some(value) = self.means[pollutant.index()] {
                readings.set(pollutant.daily_column(), value);
            }
        }
        if let Some(value) = self.o3_max_1h {
            readings.set(Column::O3H1, value);
        }
        readings
    }

    /// Whether any value made its completeness rule.
    pub fn has_data(&self) -> bool {
        self.means.iter().any(Option::is_some) || self.o3_max_1h.is_some()
    }
}

fn mean(values: impl Iterator<Item = f64>) -> (usize, f64) {
    let (mut n, mut sum) = (0usize, 0.0f64);
    for value in values {
        n += 1;
        sum += value;
    }
    (n, if n == 0 { 0.0 } else { sum / n as f64 })
}

/// The 8-hour O₃ means of a day whose 8 hours lie within it: those ending with hours 07…23
/// (17 windows). A mean with fewer than [`MIN_HOURS_PER_8H`] valid hours is `None`.
fn o3_8h_within_day(day: &[Option<f64>; 24]) -> [Option<f64>; 17] {
    let mut out = [None; 17];
    for (i, slot) in out.iter_mut().enumerate() {
        let (n, m) = mean(day[i..i + 8].iter().flatten().copied());
        if n >= MIN_HOURS_PER_8H {
            *slot = Some(m);
        }
    }
    out
}

/// The daily values of one series, one [`Daily`] per day that has any hour, in date order.
/// Hours may come in any order; a repeated hour keeps its last value.
pub fn daily_values(hours: &[Hourly]) -> Vec<Daily> {
    let mut days: BTreeMap<NaiveDate, [[Option<f64>; 24]; 6]> = BTreeMap::new();
    for hour in hours {
        let (date, h) = day_of_hour(hour.hour);
        let grid = days.entry(date).or_insert([[None; 24]; 6]);
        for (p, value) in hour.values.iter().enumerate() {
            if let Some(value) = value {
                grid[p][h] = Some(*value);
            }
        }
    }
    days.iter()
        .map(|(date, grid)| {
            let mut means = [None; 6];
            let mut valid_hours = [0u8; 6];
            for p in 0..6 {
                let (n, m) = mean(grid[p].iter().flatten().copied());
                valid_hours[p] = u8::try_from(n).unwrap_or(u8::MAX);
                if n >= MIN_HOURS_PER_DAY && p != Pollutant::O3.index() {
                    means[p] = Some(m);
                }
            }
            let o3 = &grid[Pollutant::O3.index()];
            let o3_max_1h = (usize::from(valid_hours[Pollutant::O3.index()]) >= MIN_HOURS_PER_DAY)
                .then(|| o3.iter().flatten().copied().fold(0.0f64, f64::max));
            let within: Vec<f64> = o3_8h_within_day(o3).iter().flatten().copied().collect();
            means[Pollutant::O3.index()] = (within.len() >= MIN_8H_MEANS_PER_DAY)
                .then(|| within.iter().copied().fold(0.0f64, f64::max));
            Daily {
                date: *date,
                means,
                o3_max_1h,
                valid_hours,
            }
        })
        .collect()
}

/// The O₃ 8-hour running mean ending with each given hour (the hour and the 7 before it),
/// `None` with fewer than [`MIN_HOURS_PER_8H`] valid hours. `hours` sorted by hour.
pub fn o3_8h_running(hours: &[Hourly]) -> Vec<(i64, Option<f64>)> {
    let by_hour: BTreeMap<i64, Option<f64>> = hours
        .iter()
        .map(|h| (h.hour, h.values[Pollutant::O3.index()]))
        .collect();
    by_hour
        .keys()
        .map(|&end| {
            let (n, m) = mean(by_hour.range(end - 7..=end).filter_map(|(_, v)| *v));
            (end, (n >= MIN_HOURS_PER_8H).then_some(m))
        })
        .collect()
}

/// A city's hourly values: for each hour and pollutant, the mean over the stations that have
/// a value. Each station's series sorted or not; the result is sorted by hour.
pub fn city_hourly(stations: &[Vec<Hourly>]) -> Vec<Hourly> {
    let mut sums: BTreeMap<i64, [(usize, f64); 6]> = BTreeMap::new();
    for station in stations {
        for hour in station {
            let slot = sums.entry(hour.hour).or_insert([(0, 0.0); 6]);
            for (p, value) in hour.values.iter().enumerate() {
                if let Some(value) = value {
                    slot[p].0 += 1;
                    slot[p].1 += value;
                }
            }
        }
    }
    sums.into_iter()
        .map(|(hour, slot)| Hourly {
            hour,
            values: slot.map(|(n, sum)| (n > 0).then(|| sum / n as f64)),
        })
        .collect()
}

/// A city's daily values: for each day and value, the mean over the stations whose value made
/// its completeness rule (HJ 663: a city's daily concentration is the mean of its stations').
pub fn city_daily(stations: &[Vec<Daily>]) -> Vec<Daily> {
    // Per day: (count, sum) of the six daily values and O₃'s 1-hour maximum; valid hours.
    type Sums = ([(usize, f64); 7], [u8; 6]);
    let mut sums: BTreeMap<NaiveDate, Sums> = BTreeMap::new();
    for station in stations {
        for day in station {
            let (slot, hours) = sums.entry(day.date).or_insert(([(0, 0.0); 7], [0; 6]));
            for (p, value) in day.means.iter().chain([&day.o3_max_1h]).enumerate() {
                if let Some(value) = value {
                    slot[p].0 += 1;
                    slot[p].1 += value;
                }
            }
            for (total, h) in hours.iter_mut().zip(day.valid_hours) {
                *total = (*total).max(h);
            }
        }
    }
    sums.into_iter()
        .map(|(date, (slot, valid_hours))| {
            let values = slot.map(|(n, sum)| (n > 0).then(|| sum / n as f64));
            let mut means = [None; 6];
            means.copy_from_slice(&values[..6]);
            Daily {
                date,
                means,
                o3_max_1h: values[6],
                valid_hours,
            }
        })
        .collect()
}

/// A day's AQI under the version in force on that day (or `standard`).
pub fn daily_report(day: &Daily, standard: Option<Standard>) -> Result<Report, AqiError> {
    let standard = standard.unwrap_or_else(|| Standard::in_force_on(day.date));
    compute(standard.table_on(day.date), Period::Daily, &day.readings())
}

/// An hour's real-time AQI from its hourly values and, for O₃, its running 8-hour mean (and,
/// for the SO₂ rule of HJ 633-2012, the SO₂ 24-hour mean when known).
pub fn hourly_report(
    hour: &Hourly,
    o3_8h: Option<f64>,
    so2_24h: Option<f64>,
    standard: Option<Standard>,
) -> Result<Report, AqiError> {
    let (date, _) = day_of_hour(hour.hour);
    let standard = standard.unwrap_or_else(|| Standard::in_force_on(date));
    let mut readings = Readings::new();
    for pollutant in Pollutant::ALL {
        if let Some(value) = hour.values[pollutant.index()] {
            readings.set(pollutant.hourly_column(), value);
        }
    }
    if let Some(value) = o3_8h {
        readings.set(Column::O3H8, value);
    }
    if let Some(value) = so2_24h {
        readings.set(Column::So2H24, value);
    }
    compute(standard.table_on(date), Period::Hourly, &readings)
}

/// A day with its index, as a summary lists it.
#[derive(Debug, Clone, Copy)]
pub struct DayIndex {
    pub date: NaiveDate,
    pub aqi: Iaqi,
    pub level: &'static Level,
}

/// A run of consecutive polluted days (AQI above 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Episode {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub days: u32,
    /// The worst AQI of the run.
    pub peak: Iaqi,
}

/// A month's or year's air: how many days had an index, how many were good (优良, AQI ≤ 100),
/// days per level, the worst days and polluted episodes, and the mean concentrations.
#[derive(Debug, Clone)]
pub struct Summary {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub days_with_data: u32,
    /// 优良天数: days with AQI ≤ 100.
    pub good_days: u32,
    /// Days per level, 一级 first.
    pub days_per_level: [u32; 6],
    /// The worst days, worst first (ties: earlier first), at most five.
    pub worst_days: Vec<DayIndex>,
    /// Runs of consecutive days with AQI above 100, longest first, then worst.
    pub episodes: Vec<Episode>,
    /// The mean over the period's days of each pollutant's daily value (O₃: of its daily
    /// maximum 8-hour mean), with the days that had one.
    pub mean_concentrations: [Option<(f64, u32)>; 6],
}

/// The AQI top of the 良 level: days at or below are 优良.
const GOOD_TOP: u16 = 100;

impl Summary {
    /// 优良天数比例 in tenths of a percent (rounded half up), `None` without data.
    pub fn good_share_permille(&self) -> Option<u32> {
        (self.days_with_data > 0)
            .then(|| (2000 * self.good_days + self.days_with_data) / (2 * self.days_with_data))
    }

    /// The summary of the days from `first` to `last` (inclusive) out of `days` (daily values
    /// and their reports; days outside the range are ignored).
    pub fn of(first: NaiveDate, last: NaiveDate, days: &[(Daily, Report)]) -> Summary {
        let mut in_range: Vec<&(Daily, Report)> = days
            .iter()
            .filter(|(day, _)| day.date >= first && day.date <= last)
            .collect();
        in_range.sort_by_key(|(day, _)| day.date);
        let mut days_per_level = [0u32; 6];
        let mut good_days = 0;
        let mut sums = [(0u32, 0.0f64); 6];
        for (day, report) in &in_range {
            let level = usize::from(report.level.number.clamp(1, 6)) - 1;
            days_per_level[level] += 1;
            if report.aqi.value().is_some_and(|aqi| aqi <= GOOD_TOP) {
                good_days += 1;
            }
            for (sum, value) in sums.iter_mut().zip(day.means) {
                if let Some(value) = value {
                    sum.0 += 1;
                    sum.1 += value;
                }
            }
        }
        let mut worst: Vec<DayIndex> = in_range
            .iter()
            .map(|(day, report)| DayIndex {
                date: day.date,
                aqi: report.aqi,
                level: report.level,
            })
            .collect();
        worst.sort_by(|a, b| b.aqi.cmp(&a.aqi).then(a.date.cmp(&b.date)));
        worst.truncate(5);
        let mut episodes: Vec<Episode> = Vec::new();
        let mut current: Option<Episode> = None;
        for (day, report) in &in_range {
            let polluted = report.aqi.value().is_none_or(|aqi| aqi > GOOD_TOP);
            current = match (current, polluted) {
                (Some(mut run), true) if run.last.succ_opt() == Some(day.date) => {
                    run.last = day.date;
                    run.days += 1;
                    run.peak = run.peak.max(report.aqi);
                    Some(run)
                }
                (run, true) => {
                    episodes.extend(run);
                    Some(Episode {
                        first: day.date,
                        last: day.date,
                        days: 1,
                        peak: report.aqi,
                    })
                }
                (run, false) => {
                    episodes.extend(run);
                    None
                }
            };
        }
        episodes.extend(current);
        episodes.sort_by(|a, b| {
            b.days
                .cmp(&a.days)
                .then(b.peak.cmp(&a.peak))
                .then(a.first.cmp(&b.first))
        });
        Summary {
            first,
            last,
            days_with_data: u32::try_from(in_range.len()).unwrap_or(u32::MAX),
            good_days,
            days_per_level,
            worst_days: worst,
            episodes,
            mean_concentrations: sums.map(|(n, sum)| (n > 0).then(|| (sum / f64::from(n), n))),
        }
    }

    /// One or two plain sentences about the period: share of good days, the worst day and the
    /// longest polluted episode. Numbers are the summary's own.
    pub fn sentence(&self, period_zh: &str) -> String {
        let Some(share) = self.good_share_permille() else {
            return format!("{period_zh}没有有效的空气质量数据。");
        };
        let mut text = format!(
            "{period_zh}共有{}天有效监测数据，其中优良天数{}天，优良天数比例为{}.{}%",
            self.days_with_data,
            self.good_days,
            share / 10,
            share % 10
        );
        let polluted: u32 = self.days_per_level[2..].iter().sum();
        if polluted > 0 {
            text.push_str(&format!("，污染天数{polluted}天"));
            let heavy = self.days_per_level[4] + self.days_per_level[5];
            if heavy > 0 {
                text.push_str(&format!("（其中重度及以上污染{heavy}天）"));
            }
        }
        text.push('。');
        if let Some(worst) = self.worst_days.first() {
            text.push_str(&format!(
                "最差的一天是{}月{}日，AQI {}（{}）",
                worst.date.month(),
                worst.date.day(),
                worst.aqi,
                worst.level.category_zh
            ));
            if let Some(episode) = self.episodes.first().filter(|e| e.days > 1) {
                text.push_str(&format!(
                    "；最长的一次污染过程从{}月{}日持续到{}月{}日，共{}天",
                    episode.first.month(),
                    episode.first.day(),
                    episode.last.month(),
                    episode.last.day(),
                    episode.days
                ));
            }
            text.push('。');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(values: &[Option<f64>]) -> Vec<Hourly> {
        let start = first_hour_of_day(NaiveDate::from_ymd_opt(2015, 6, 1).expect("date"));
        values
            .iter()
            .enumerate()
            .map(|(h, v)| {
                let mut values = [None; 6];
                values[Pollutant::Pm25.index()] = *v;
                values[Pollutant::O3.index()] = *v;
                Hourly {
                    hour: start + h as i64,
                    values,
                }
            })
            .collect()
    }

    #[test]
    fn the_day_starts_at_midnight_china_time() {
        let date = NaiveDate::from_ymd_opt(2013, 1, 1).expect("date");
        let first = first_hour_of_day(date);
        assert_eq!(day_of_hour(first), (date, 0));
        assert_eq!(day_of_hour(first - 1).1, 23);
        assert_eq!(day_of_hour(first + 23), (date, 23));
    }

    #[test]
    fn a_daily_mean_needs_twenty_valid_hours() {
        let mut hours = vec![Some(10.0); 20];
        hours.extend([None; 4]);
        let daily = daily_values(&day(&hours));
        assert_eq!(daily[0].means[Pollutant::Pm25.index()], Some(10.0));
        assert_eq!(daily[0].valid_hours[Pollutant::Pm25.index()], 20);
        hours[0] = None;
        let daily = daily_values(&day(&hours));
        assert_eq!(daily[0].means[Pollutant::Pm25.index()], None);
    }

    #[test]
    fn the_daily_maximum_8h_ozone_needs_fourteen_valid_means() {
        // Hours 0..=19 valid: means ending 7..=19 have 8 hours, those ending 20..=21 have 7
        // and 6, those ending 22, 23 have 5 and 4: 15 valid means.
        let mut hours: Vec<Option<f64>> = (0..20).map(|h| Some(f64::from(h))).collect();
        hours.extend([None; 4]);
        let daily = daily_values(&day(&hours));
        // The largest: hours 14..=19 (ending 21) → (14+…+19)/6 = 16.5.
        assert_eq!(daily[0].means[Pollutant::O3.index()], Some(16.5));
        assert_eq!(daily[0].o3_max_1h, Some(19.0));
        // Hours 0..=18: means ending 7..=20 valid (14): still enough.
        hours[19] = None;
        assert!(daily_values(&day(&hours))[0].means[Pollutant::O3.index()].is_some());
        // Hours 0..=17: 13 valid means: none.
        hours[18] = None;
        assert_eq!(
            daily_values(&day(&hours))[0].means[Pollutant::O3.index()],
            None
        );
    }

    #[test]
    fn running_8h_means_need_six_hours() {
        let hours = day(&[
            Some(8.0),
            None,
            None,
            Some(8.0),
            Some(8.0),
            Some(8.0),
            Some(8.0),
            Some(8.0),
            Some(16.0),
        ]);
        let running = o3_8h_running(&hours);
        assert_eq!(running[4].1, None, "3 valid hours");
        assert_eq!(running[7].1, Some(8.0), "6 valid hours");
        assert_eq!(running[8].1, Some((8.0 * 5.0 + 16.0) / 6.0));
    }

    #[test]
    fn a_city_is_the_mean_of_its_stations() {
        let a = day(&[Some(10.0)]);
        let b = day(&[Some(30.0)]);
        let c = day(&[None]);
        let city = city_hourly(&[a, b, c]);
        assert_eq!(city[0].values[Pollutant::Pm25.index()], Some(20.0));
    }

    #[test]
    fn a_summary_counts_good_days_and_episodes() {
        let pm = [20.0, 80.0, 120.0, 160.0, 30.0];
        let start = NaiveDate::from_ymd_opt(2015, 6, 1).expect("date");
        let days: Vec<(Daily, Report)> = pm
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut means = [None; 6];
                means[0] = Some(*v);
                let daily = Daily {
                    date: start + chrono::Days::new(i as u64),
                    means,
                    o3_max_1h: None,
                    valid_hours: [24, 0, 0, 0, 0, 0],
                };
                let report = daily_report(&daily, Some(Standard::Hj2012)).expect("report");
                (daily, report)
            })
            .collect();
        let last = start + chrono::Days::new(4);
        let summary = Summary::of(start, last, &days);
        assert_eq!(summary.days_with_data, 5);
        // PM2.5 20 → 29 (优), 80 → 107, 120 → 158, 160 → 210, 30 → 43.
        assert_eq!(summary.good_days, 2);
        assert_eq!(summary.days_per_level, [2, 0, 1, 1, 1, 0]);
        assert_eq!(summary.good_share_permille(), Some(400));
        assert_eq!(summary.episodes.len(), 1);
        assert_eq!(summary.episodes[0].days, 3);
        assert_eq!(summary.worst_days[0].aqi, Iaqi::Value(210));
        assert_eq!(summary.mean_concentrations[0], Some((82.0, 5)));
        let text = summary.sentence("6月");
        assert!(text.contains("优良天数比例为40.0%"), "{text}");
        assert!(text.contains("共3天"), "{text}");
    }
}
