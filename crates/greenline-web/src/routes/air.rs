//! Air quality, public (no reporter data involved):
//! `GET /api/v1/air/cities/{code}/days`, `…/today`, `…/months/{YYYY-MM}` and `POST
//! /api/v1/aqi` (one reading → the index).

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;
use greenline_app::air::{AirDay, AirMonth, AirToday, AirYear, City};

#[derive(Debug, Deserialize, IntoParams)]
pub struct DayRange {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: the latest day with data).
    pub to: Option<String>,
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
    Ok(Json(
        app.air_days(&code, range.from.as_deref(), range.to.as_deref())
            .await?,
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
    Ok(Json(app.air_month(&code, &month).await?))
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
    Ok(Json(app.air_year(&code, year).await?))
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
