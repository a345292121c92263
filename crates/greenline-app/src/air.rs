//! A city's air from its stations' stored hours: daily values (with the completeness rule of
//! [`greenline_aqi::station`]), daily AQI, the latest day with data and monthly summaries.
//! Shared by the API and the air page.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use greenline_aqi::station::{
    Daily, Hourly, Pollutant, Summary, city_daily, daily_report, daily_values, day_of_hour,
    first_hour_of_day,
};
use greenline_aqi::{Column, Report};
use greenline_domain::RegionCode;
use greenline_store::{AirStation, Store};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};

const HOUR_MS: i64 = 3_600_000;

/// The stations of a region (a province, city or county code).
#[derive(Debug)]
pub struct City {
    pub region: RegionCode,
    pub stations: Vec<AirStation>,
}

impl City {
    /// The region named by `code` and the stations within it; 404 when it has none.
    pub async fn find(store: &Store, code: &str) -> ServiceResult<City> {
        let region =
            RegionCode::parse(code).map_err(|e| ServiceError::field("code", e.to_string()))?;
        let text = region.to_string();
        let mut prefix = text.as_str();
        while let Some(shorter) = prefix.strip_suffix("00") {
            prefix = shorter;
        }
        let stations = store.air_stations_within(prefix).await?;
        if stations.is_empty() {
            return Err(ServiceError::NotFound("air-quality data of this region"));
        }
        Ok(City { region, stations })
    }

    fn ids(&self) -> Vec<i64> {
        self.stations.iter().map(|s| s.id).collect()
    }

    /// The city's days from `first` to `last` (China time, inclusive) that have data, with
    /// their index under the version in force on each day.
    pub async fn days(
        &self,
        store: &Store,
        first: NaiveDate,
        last: NaiveDate,
    ) -> ServiceResult<Vec<(Daily, Report)>> {
        let from = first_hour_of_day(first) * HOUR_MS;
        let to = first_hour_of_day(last.succ_opt().unwrap_or(last)) * HOUR_MS;
        let hours = store.air_hours(&self.ids(), from, to).await?;
        let mut by_station: BTreeMap<i64, Vec<Hourly>> = BTreeMap::new();
        for hour in hours {
            by_station.entry(hour.station_id).or_default().push(Hourly {
                hour: hour.hour_ms.div_euclid(HOUR_MS),
                values: hour.values,
            });
        }
        let stations: Vec<Vec<Daily>> = by_station
            .values()
            .map(|hours| daily_values(hours))
            .collect();
        Ok(city_daily(&stations)
            .into_iter()
            .filter(|day| day.has_data() && day.date >= first && day.date <= last)
            .filter_map(|day| daily_report(&day, None).ok().map(|report| (day, report)))
            .collect())
    }

    /// The latest day (China time) with any stored hour.
    pub async fn latest_day(&self, store: &Store) -> ServiceResult<Option<NaiveDate>> {
        Ok(store
            .air_latest_hour(&self.ids())
            .await?
            .map(|ms| day_of_hour(ms.div_euclid(HOUR_MS)).0))
    }

    /// The latest day whose values make an index, searching back from the latest stored hour,
    /// with the day before and the same day a year before (when they have data).
    pub async fn today(&self, store: &Store) -> ServiceResult<Option<Today>> {
        let Some(latest) = self.latest_day(store).await? else {
            return Ok(None);
        };
        let first = latest - chrono::Days::new(31);
        let recent = self.days(store, first, latest).await?;
        let Some(position) = recent.len().checked_sub(1) else {
            return Ok(None);
        };
        let (day, report) = recent[position];
        let yesterday = day
            .date
            .pred_opt()
            .and_then(|date| recent.iter().find(|(d, _)| d.date == date).copied());
        let last_year_date = day.date.checked_sub_months(Months::new(12));
        let last_year = match last_year_date {
            Some(date) => self.days(store, date, date).await?.into_iter().next(),
            None => None,
        };
        Ok(Some(Today {
            day,
            report,
            yesterday,
            last_year,
        }))
    }
}

/// The latest day with data, and the days it is compared with.
#[derive(Debug)]
pub struct Today {
    pub day: Daily,
    pub report: Report,
    pub yesterday: Option<(Daily, Report)>,
    pub last_year: Option<(Daily, Report)>,
}

impl Today {
    /// The day in words: called 今天 when it is `today`, else by its date.
    pub fn summary(&self, today: NaiveDate) -> greenline_aqi::plain::DaySummary {
        let date = self.day.date;
        let name = if date == today {
            "今天".to_owned()
        } else {
            date.format("%Y年%-m月%-d日").to_string()
        };
        greenline_aqi::plain::day_summary_named(
            &self.report,
            self.yesterday.map(|(_, r)| r.aqi),
            self.last_year.map(|(_, r)| r.aqi),
            &name,
        )
    }
}

/// The first and last day of a month `YYYY-MM`.
pub fn month_bounds(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (year, month) = text.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
    let last = first.checked_add_months(Months::new(1))?.pred_opt()?;
    Some((first, last))
}

/// `2013年1月`.
pub fn month_zh(first: NaiveDate) -> String {
    format!("{}年{}月", first.year(), first.month())
}

/// A pollutant's daily value as the index rounded it (µg/m³; CO mg/m³).
pub fn rounded_means(report: &Report) -> BTreeMap<String, f64> {
    Pollutant::ALL
        .into_iter()
        .map(|p| (p.key(), p.daily_column()))
        .chain([("o3_1h_max", Column::O3H1)])
        .filter_map(|(key, column)| {
            let ticks = report.rounded_concentration(column)?;
            let scale = 10f64.powi(i32::try_from(report.table.decimals(column)).unwrap_or(0));
            Some((key.to_owned(), ticks as f64 / scale))
        })
        .map(|(key, value)| {
            let key = if key == "o3" {
                "o3_8h_max".to_owned()
            } else {
                key
            };
            (key, value)
        })
        .collect()
}

/// The summary of a month of a city.
pub async fn month(
    city: &City,
    store: &Store,
    first: NaiveDate,
    last: NaiveDate,
) -> ServiceResult<Summary> {
    let days = city.days(store, first, last).await?;
    Ok(Summary::of(first, last, &days))
}

/// One day of a city: its AQI and what goes with it, and the daily values it was computed
/// from.
#[derive(Debug, Serialize, ToSchema)]
pub struct AirDay {
    /// `YYYY-MM-DD`, China time.
    pub date: String,
    /// The AQI; null when beyond the scale (see `beyond_scale`).
    pub aqi: Option<u16>,
    /// The AQI as shown: a number, or `>500`.
    pub aqi_text: String,
    pub beyond_scale: bool,
    /// 1–6.
    pub level: u8,
    /// 一级 … 六级.
    pub level_name: String,
    /// 优 … 严重污染.
    pub category: String,
    /// `#RRGGBB`.
    pub colour: String,
    /// Column keys (`pm25_24h`, …), only when AQI > 50.
    pub primary_pollutants: Vec<String>,
    /// Column keys with IAQI > 100.
    pub exceeding_pollutants: Vec<String>,
    /// `HJ 633-2012` or `HJ 633—2026`.
    pub standard: String,
    /// Daily values as rounded for the index (µg/m³; CO mg/m³): `pm25`, `pm10`, `so2`, `no2`,
    /// `co` 24-hour means, `o3_8h_max`, `o3_1h_max`.
    pub means: BTreeMap<String, f64>,
}

impl AirDay {
    pub fn new(day: &Daily, report: &Report) -> AirDay {
        AirDay {
            date: day.date.to_string(),
            aqi: report.aqi.value(),
            aqi_text: report.aqi.to_string(),
            beyond_scale: report.aqi.is_beyond_scale(),
            level: report.level.number,
            level_name: report.level.name_zh.clone(),
            category: report.level.category_zh.clone(),
            colour: report.level.rgb.clone(),
            primary_pollutants: report
                .primary_pollutants
                .iter()
                .map(|c| c.key().to_owned())
                .collect(),
            exceeding_pollutants: report
                .exceeding_pollutants
                .iter()
                .map(|c| c.key().to_owned())
                .collect(),
            standard: report.standard().name().to_owned(),
            means: rounded_means(report),
        }
    }
}

/// How the latest day compares with an earlier one.
#[derive(Debug, Serialize, ToSchema)]
pub struct Comparison {
    pub day: AirDay,
    /// The AQI's improvement in percent of the earlier day's (negative: worse); null when
    /// either is beyond the scale.
    pub improvement_percent: Option<i64>,
}

/// The latest day with data, told in words.
#[derive(Debug, Serialize, ToSchema)]
pub struct AirToday {
    /// The region asked for.
    pub region: String,
    pub region_name: String,
    /// The latest day with data: the stored series may end before today.
    pub day: AirDay,
    /// One or two sentences (zh-CN); its numbers are those of `day` and the comparisons.
    pub sentence: String,
    /// The official advice for the level.
    pub advice: String,
    pub yesterday: Option<Comparison>,
    pub same_day_last_year: Option<Comparison>,
}

impl crate::App {
    /// The latest day with data of a city: the index, the sentence, and the comparison with
    /// the day before and the same day a year before.
    pub async fn air_today(&self, city: &City) -> ServiceResult<AirToday> {
        let today = city
            .today(&self.store)
            .await?
            .ok_or(ServiceError::NotFound("a day with air-quality data"))?;
        let summary = today.summary(greenline_domain::deadline::local_date(self.now()));
        let compare = |earlier: Option<(Daily, Report)>,
                       change: Option<greenline_aqi::plain::Change>| {
            earlier.map(|(day, report)| Comparison {
                day: AirDay::new(&day, &report),
                improvement_percent: change.map(|c| c.improvement_percent),
            })
        };
        Ok(AirToday {
            region: city.region.to_string(),
            region_name: city.region.full_name(),
            day: AirDay::new(&today.day, &today.report),
            sentence: summary.text.clone(),
            advice: today
                .report
                .level
                .advice(today.report.standard())
                .text
                .to_owned(),
            yesterday: compare(today.yesterday, summary.change_from_yesterday),
            same_day_last_year: compare(today.last_year, summary.change_from_last_year),
        })
    }
}
