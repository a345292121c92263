//! A city's air from its stations' stored hours: daily values (with the completeness rule of
//! [`greenline_aqi::station`]), daily AQI, the latest day with data and monthly summaries.
//! Shared by the API and the air page.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use greenline_aqi::station::{
    Daily, Episode, Hourly, Pollutant, Summary, city_daily, daily_report, daily_values,
    day_of_hour, first_hour_of_day,
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

/// A city with air-quality stations, for the home page's links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AirCity {
    pub code: String,
    pub name: String,
}

/// The city a station's region belongs to: its prefecture, or its province for the
/// municipalities (北京, 天津, 上海, 重庆) and a county directly under its province.
fn city_of(region: RegionCode) -> RegionCode {
    const MUNICIPALITIES: [u32; 4] = [110_000, 120_000, 310_000, 500_000];
    let province = region
        .ancestry()
        .find(|r| r.level() == greenline_domain::RegionLevel::Province)
        .unwrap_or(region);
    if MUNICIPALITIES.contains(&province.as_u32()) {
        return province;
    }
    region
        .ancestry()
        .find(|r| r.level() == greenline_domain::RegionLevel::Prefecture)
        .unwrap_or(province)
}

impl crate::App {
    /// The cities that have air-quality stations, in code order.
    pub async fn air_cities(&self) -> ServiceResult<Vec<AirCity>> {
        let mut cities: Vec<RegionCode> = self
            .store
            .air_stations()
            .await?
            .iter()
            .filter_map(|s| RegionCode::parse(&s.region_code).ok())
            .map(city_of)
            .collect();
        cities.sort_by_key(|c| c.as_u32());
        cities.dedup();
        Ok(cities
            .into_iter()
            .map(|c| AirCity {
                code: c.to_string(),
                name: c.full_name(),
            })
            .collect())
    }

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

/// Days a question about days may span.
const MAX_DAYS: i64 = 366;

fn parse_day(field: &str, text: &str) -> ServiceResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ServiceError::parameter(field, format!("{text:?} is not a date YYYY-MM-DD")))
}

/// A day in a summary.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryDay {
    pub date: String,
    pub aqi_text: String,
    pub level: u8,
    pub category: String,
}

/// A run of consecutive days with AQI above 100.
#[derive(Debug, Serialize, ToSchema)]
pub struct AirEpisode {
    pub first: String,
    pub last: String,
    pub days: u32,
    pub peak_aqi_text: String,
}

impl From<&Episode> for AirEpisode {
    fn from(episode: &Episode) -> Self {
        AirEpisode {
            first: episode.first.to_string(),
            last: episode.last.to_string(),
            days: episode.days,
            peak_aqi_text: episode.peak.to_string(),
        }
    }
}

/// Days of one level.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelDays {
    pub level: u8,
    pub category: String,
    pub colour: String,
    pub days: u32,
}

/// A month of a city.
#[derive(Debug, Serialize, ToSchema)]
pub struct AirMonth {
    pub region: String,
    /// `YYYY-MM`.
    pub month: String,
    pub days_with_data: u32,
    /// 优良天数: days with AQI ≤ 100.
    pub good_days: u32,
    /// 优良天数比例, percent to one decimal (rounded half up); null without data.
    pub good_share_percent: Option<f64>,
    pub days_per_level: Vec<LevelDays>,
    /// The worst days, worst first (at most five).
    pub worst_days: Vec<SummaryDay>,
    /// Polluted episodes (consecutive days above AQI 100), longest first.
    pub episodes: Vec<AirEpisode>,
    /// Mean over the month's days of each daily value (µg/m³; CO mg/m³; `o3` is the daily
    /// maximum 8-hour mean), unrounded.
    pub mean_concentrations: BTreeMap<String, f64>,
    /// The summary in words (zh-CN); its numbers are the fields above.
    pub sentence: String,
}

impl AirMonth {
    pub fn new(region: &str, month: &str, first: NaiveDate, summary: &Summary) -> AirMonth {
        let levels = greenline_aqi::Level::all();
        AirMonth {
            region: region.to_owned(),
            month: month.to_owned(),
            days_with_data: summary.days_with_data,
            good_days: summary.good_days,
            good_share_percent: summary
                .good_share_permille()
                .map(|permille| f64::from(permille) / 10.0),
            days_per_level: levels
                .iter()
                .zip(summary.days_per_level)
                .map(|(level, days)| LevelDays {
                    level: level.number,
                    category: level.category_zh.clone(),
                    colour: level.rgb.clone(),
                    days,
                })
                .collect(),
            worst_days: summary
                .worst_days
                .iter()
                .map(|day| SummaryDay {
                    date: day.date.to_string(),
                    aqi_text: day.aqi.to_string(),
                    level: day.level.number,
                    category: day.level.category_zh.clone(),
                })
                .collect(),
            episodes: summary.episodes.iter().map(AirEpisode::from).collect(),
            mean_concentrations: greenline_aqi::station::Pollutant::ALL
                .iter()
                .zip(summary.mean_concentrations)
                .filter_map(|(p, mean)| mean.map(|(value, _)| (p.key().to_owned(), value)))
                .collect(),
            sentence: summary.sentence(&month_zh(first)),
        }
    }
}

/// A year of a city: the year's summary, each month's, and the trend of the monthly mean
/// PM2.5 (Mann–Kendall with Sen's slope; no claim from fewer than 10 months with data).
#[derive(Debug, Serialize, ToSchema)]
pub struct AirYear {
    pub year: AirMonth,
    pub months: Vec<AirMonth>,
    /// `increasing`, `decreasing`, `no_trend`, or `not_tested`.
    pub pm25_trend: String,
    /// Sen's slope of the monthly mean PM2.5, µg/m³ a month; null when not tested.
    pub pm25_slope_per_month: Option<f64>,
    pub pm25_trend_p_value: Option<f64>,
    /// The year in words (zh-CN); its numbers are the fields above.
    pub sentence: String,
}

impl crate::App {
    /// The daily AQI of the region `code` names (the mean of its stations' daily values) from
    /// `from` to `to` (`YYYY-MM-DD`; by default the 30 days up to the latest day with data).
    pub async fn air_days(
        &self,
        code: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> ServiceResult<Vec<AirDay>> {
        let city = City::find(&self.store, code).await?;
        let to = match to {
            Some(text) => parse_day("to", text)?,
            None => match city.latest_day(&self.store).await? {
                Some(day) => day,
                None => return Ok(Vec::new()),
            },
        };
        let from = match from {
            Some(text) => parse_day("from", text)?,
            None => to - chrono::Days::new(29),
        };
        if from > to {
            return Err(ServiceError::parameter("from", "must not be after to"));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(ServiceError::parameter(
                "from",
                format!("at most {MAX_DAYS} days at a time"),
            ));
        }
        let days = city.days(&self.store, from, to).await?;
        Ok(days
            .iter()
            .map(|(day, report)| AirDay::new(day, report))
            .collect())
    }

    /// The summary of one month (`YYYY-MM`) of the region `code` names.
    pub async fn air_month(&self, code: &str, month_code: &str) -> ServiceResult<AirMonth> {
        let (first, last) = month_bounds(month_code).ok_or_else(|| {
            ServiceError::field("month", format!("{month_code:?} is not a month YYYY-MM"))
        })?;
        let city = City::find(&self.store, code).await?;
        let summary = month(&city, &self.store, first, last).await?;
        Ok(AirMonth::new(
            &city.region.to_string(),
            month_code,
            first,
            &summary,
        ))
    }

    /// The summary of a year of the region `code` names, with its months and the trend of the
    /// monthly mean PM2.5.
    pub async fn air_year(&self, code: &str, year: i32) -> ServiceResult<AirYear> {
        use greenline_stats::trend::{Direction, TrendFinding, TrendGuard, assess};
        let bounds = |m: u32| {
            let first = NaiveDate::from_ymd_opt(year, m, 1)?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            Some((first, next.pred_opt()?))
        };
        let (Some((first, _)), Some((_, last))) = (bounds(1), bounds(12)) else {
            return Err(ServiceError::field("year", format!("{year} is not a year")));
        };
        let city = City::find(&self.store, code).await?;
        let region = city.region.to_string();
        let whole = month(&city, &self.store, first, last).await?;
        let mut months = Vec::with_capacity(12);
        let mut pm25 = Vec::with_capacity(12);
        for m in 1..=12 {
            let Some((from, to)) = bounds(m) else {
                continue;
            };
            let summary = month(&city, &self.store, from, to).await?;
            let month = AirMonth::new(&region, &from.format("%Y-%m").to_string(), from, &summary);
            if let Some(mean) = month.mean_concentrations.get("pm25") {
                pm25.push(*mean);
            }
            months.push(month);
        }
        // Concentrations, not case counts: the guard asks for months, not for a volume.
        let guard = TrendGuard {
            min_points: 10,
            min_cases: 0.0,
            alpha: 0.05,
        };
        let finding =
            assess(&pm25, &guard).map_err(|e| ServiceError::parameter("year", e.to_string()))?;
        let year_summary = AirMonth::new(&region, &year.to_string(), first, &whole);
        let (trend, slope, p, words) = match finding {
            TrendFinding::Tested { direction, test } => {
                let code = match direction {
                    Direction::Increasing => "increasing",
                    Direction::Decreasing => "decreasing",
                    Direction::NoTrend => "no_trend",
                };
                let words = match direction {
                    Direction::NoTrend => {
                        format!("月均细颗粒物浓度无显著变化趋势（p={:.3}）", test.p_value)
                    }
                    _ => format!(
                        "月均细颗粒物浓度呈{}趋势，平均每月变化{:.1}微克/立方米（p={:.3}）",
                        direction.zh(),
                        test.slope,
                        test.p_value
                    ),
                };
                (code, Some(test.slope), Some(test.p_value), words)
            }
            _ => (
                "not_tested",
                None,
                None,
                format!(
                    "有细颗粒物数据的月份仅{}个（不足10个），不作趋势判断",
                    pm25.len()
                ),
            ),
        };
        let share = year_summary
            .good_share_percent
            .map_or_else(|| "无数据".to_owned(), |s| format!("{s:.1}%"));
        let sentence = format!(
            "{year}年有效监测{}天，优良天数{}天，优良天数比例{share}；{words}。",
            year_summary.days_with_data, year_summary.good_days
        );
        Ok(AirYear {
            year: year_summary,
            months,
            pm25_trend: trend.to_owned(),
            pm25_slope_per_month: slope,
            pm25_trend_p_value: p,
            sentence,
        })
    }
}
