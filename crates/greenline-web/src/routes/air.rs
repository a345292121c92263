//! Air quality, public (no reporter data involved):
//! `GET /api/v1/air/cities/{code}/days`, `…/today`, `…/months/{YYYY-MM}` and `POST
//! /api/v1/aqi` (one reading → the index).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use greenline_aqi::station::{Episode, Summary};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;
use greenline_app::air::{AirDay, AirToday, City, month_bounds, month_zh};

/// Days a `days` query may span.
const MAX_DAYS: i64 = 366;

#[derive(Debug, Deserialize, IntoParams)]
pub struct DayRange {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: the latest day with data).
    pub to: Option<String>,
}

fn parse_day(field: &str, text: &str) -> ApiResult<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| ApiError::bad_query(field, format!("{text:?} is not a date YYYY-MM-DD")))
}

/// The daily AQI of a city (the mean of its stations' daily values), for the days with data.
#[utoipa::path(get, path = "/api/v1/air/cities/{code}/days", tag = "air",
    params(("code" = String, Path, description = "Region code, e.g. 110000"), DayRange),
    responses((status = 200, body = Vec<AirDay>), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "No stations in this region")))]
pub async fn days(
    State(app): State<AppState>,
    Path(code): Path<String>,
    Query(range): Query<DayRange>,
) -> ApiResult<Json<Vec<AirDay>>> {
    let city = City::find(&app.store, &code).await?;
    let to = match &range.to {
        Some(text) => parse_day("to", text)?,
        None => match city.latest_day(&app.store).await? {
            Some(day) => day,
            None => return Ok(Json(Vec::new())),
        },
    };
    let from = match &range.from {
        Some(text) => parse_day("from", text)?,
        None => to - chrono::Days::new(29),
    };
    if from > to {
        return Err(ApiError::bad_query("from", "must not be after to"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(ApiError::bad_query(
            "from",
            format!("at most {MAX_DAYS} days at a time"),
        ));
    }
    let days = city.days(&app.store, from, to).await?;
    Ok(Json(
        days.iter()
            .map(|(day, report)| AirDay::new(day, report))
            .collect(),
    ))
}

/// The latest day with data of a city: the index, the sentence, and the comparison with the
/// day before and the same day a year before.
#[utoipa::path(get, path = "/api/v1/air/cities/{code}/today", tag = "air",
    params(("code" = String, Path, description = "Region code, e.g. 110000")),
    responses((status = 200, body = AirToday), (status = 400, body = Problem),
        (status = 404, body = Problem, description = "No stations or no data in this region")))]
pub async fn today(
    State(app): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<AirToday>> {
    let city = City::find(&app.store, &code).await?;
    Ok(Json(app.air_today(&city).await?))
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

/// The summary of a month: days with data, 优良天数 and its share, days per level, the worst
/// days and episodes, mean concentrations, and a sentence.
#[utoipa::path(get, path = "/api/v1/air/cities/{code}/months/{month}", tag = "air",
    params(("code" = String, Path, description = "Region code, e.g. 110000"),
        ("month" = String, Path, description = "YYYY-MM")),
    responses((status = 200, body = AirMonth), (status = 400, body = Problem),
        (status = 404, body = Problem)))]
pub async fn month(
    State(app): State<AppState>,
    Path((code, month)): Path<(String, String)>,
) -> ApiResult<Json<AirMonth>> {
    let (first, last) = month_bounds(&month)
        .ok_or_else(|| ApiError::field("month", format!("{month:?} is not a month YYYY-MM")))?;
    let city = City::find(&app.store, &code).await?;
    let summary = greenline_app::air::month(&city, &app.store, first, last).await?;
    Ok(Json(AirMonth::new(
        &city.region.to_string(),
        &month,
        first,
        &summary,
    )))
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

/// The summary of a year with its months and the trend of monthly mean PM2.5.
#[utoipa::path(get, path = "/api/v1/air/cities/{code}/years/{year}", tag = "air",
    params(("code" = String, Path, description = "Region code, e.g. 110000"),
        ("year" = i32, Path, description = "YYYY")),
    responses((status = 200, body = AirYear), (status = 400, body = Problem),
        (status = 404, body = Problem)))]
pub async fn year(
    State(app): State<AppState>,
    Path((code, year)): Path<(String, i32)>,
) -> ApiResult<Json<AirYear>> {
    use greenline_stats::trend::{Direction, TrendFinding, TrendGuard, assess};
    let bounds = |m: u32| {
        let first = NaiveDate::from_ymd_opt(year, m, 1)?;
        let next = first.checked_add_months(chrono::Months::new(1))?;
        Some((first, next.pred_opt()?))
    };
    let (Some((first, _)), Some((_, last))) = (bounds(1), bounds(12)) else {
        return Err(ApiError::field("year", format!("{year} is not a year")));
    };
    let city = City::find(&app.store, &code).await?;
    let region = city.region.to_string();
    let whole = greenline_app::air::month(&city, &app.store, first, last).await?;
    let mut months = Vec::with_capacity(12);
    let mut pm25 = Vec::with_capacity(12);
    for m in 1..=12 {
        let Some((from, to)) = bounds(m) else {
            continue;
        };
        let summary = greenline_app::air::month(&city, &app.store, from, to).await?;
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
    let finding = assess(&pm25, &guard).map_err(|e| ApiError::BadRequest {
        detail: e.to_string(),
        errors: Vec::new(),
    })?;
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
    Ok(Json(AirYear {
        year: year_summary,
        months,
        pm25_trend: trend.to_owned(),
        pm25_slope_per_month: slope,
        pm25_trend_p_value: p,
        sentence,
    }))
}

/// One reading: the same fields as a line of `greenline aqi --batch` (column keys such as
/// `pm25_24h`, `o3_8h`; `period` `hourly` | `daily`; optional `standard` `2012` | `2026` and
/// `date`). The answer is the reading with the index added.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[schema(value_type = Object, example = json!({"period": "daily", "standard": "2012", "pm25_24h": 80, "pm10_24h": 120}))]
pub struct AqiReading(pub Map<String, Value>);

/// The index of one reading (no data stored).
#[utoipa::path(post, path = "/api/v1/aqi", tag = "air", request_body = AqiReading,
    responses((status = 200, body = AqiReading, description = "The reading with aqi, iaqi, level, category, colour, primary_pollutants, exceeding_pollutants, standard added"),
        (status = 400, body = Problem), (status = 422, body = Problem)))]
pub async fn aqi(
    State(app): State<AppState>,
    body: ApiJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let today = greenline_domain::deadline::local_date(app.now());
    let defaults = greenline_aqi::jsonl::Defaults {
        today,
        period: None,
        standard: None,
    };
    let answer = greenline_aqi::jsonl::annotate(body.value, &defaults)
        .map_err(|e| ApiError::field(e.field().unwrap_or("body"), e.to_string()))?;
    Ok(Json(Value::Object(answer)))
}
