//! `/air/{code}` — a city's air for citizens: the latest day's level and colour, the plain
//! sentence, and the last 30 days as a bar chart drawn here as inline SVG (no script, no
//! external request; colours are SVG attributes, which the page's CSP allows).

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;

use super::{Chrome, PageResult, render};
use crate::AppState;
use greenline_app::ServiceError;
use greenline_app::air::AirDay;
use greenline_app::air::City;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/air/{code}", get(air))
}

/// Chart geometry, in SVG user units (the chart scales to the page width).
const WIDTH: u32 = 360;
const HEIGHT: u32 = 200;
const LEFT: u32 = 30;
const BOTTOM: u32 = 20;
const TOP: u32 = 8;
/// The chart's AQI range: bars beyond it are drawn to the top.
const CHART_TOP: u32 = 500;
const DAYS: u64 = 30;

/// One day's bar.
struct Bar {
    x: String,
    y: String,
    width: String,
    height: String,
    fill: String,
    /// For the tooltip and screen readers: `2014-12-31 AQI 123 轻度污染`.
    label: String,
}

/// A horizontal guide line at a level boundary.
struct Guide {
    y: String,
    label: u32,
}

#[derive(Template)]
#[template(path = "air.html")]
struct AirPage {
    chrome: Chrome,
    title: String,
    region_name: String,
    day: AirDay,
    sentence: String,
    bars: Vec<Bar>,
    guides: Vec<Guide>,
    first_label: String,
    last_label: String,
    width: u32,
    height: u32,
    left: u32,
    plot_bottom: u32,
    label_y: u32,
    levels: Vec<(String, String)>,
}

fn y_of(aqi: u32) -> f64 {
    let plot = f64::from(HEIGHT - BOTTOM - TOP);
    f64::from(HEIGHT - BOTTOM) - plot * f64::from(aqi.min(CHART_TOP)) / f64::from(CHART_TOP)
}

async fn air(State(state): State<AppState>, Path(code): Path<String>) -> PageResult {
    let city = City::find(&state.store, &code).await?;
    let today = state.air_today(&city).await?;
    let last = chrono::NaiveDate::parse_from_str(&today.day.date, "%Y-%m-%d")
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("date: {e}")))?;
    let first = last - chrono::Days::new(DAYS - 1);
    let days = city.days(&state.store, first, last).await?;
    let slot = f64::from(WIDTH - LEFT) / DAYS as f64;
    let bars = days
        .iter()
        .map(|(day, report)| {
            let index = (day.date - first).num_days() as f64;
            let aqi = report.aqi.value().map_or(CHART_TOP, u32::from);
            let top = y_of(aqi);
            Bar {
                x: format!("{:.1}", f64::from(LEFT) + index * slot + slot * 0.15),
                y: format!("{top:.1}"),
                width: format!("{:.1}", slot * 0.7),
                height: format!("{:.1}", f64::from(HEIGHT - BOTTOM) - top),
                fill: report.level.rgb.clone(),
                label: format!(
                    "{} AQI {} {}",
                    day.date, report.aqi, report.level.category_zh
                ),
            }
        })
        .collect();
    let guides = [100, 200, 300, 500]
        .into_iter()
        .map(|aqi| Guide {
            y: format!("{:.1}", y_of(aqi)),
            label: aqi,
        })
        .collect();
    let levels = greenline_aqi::Level::all()
        .iter()
        .map(|level| (level.category_zh.clone(), level.rgb.clone()))
        .collect();
    render(
        StatusCode::OK,
        &AirPage {
            chrome: Chrome::default(),
            title: format!("{}空气质量", today.region_name),
            region_name: today.region_name.clone(),
            sentence: today.sentence.clone(),
            day: today.day,
            bars,
            guides,
            first_label: first.format("%m-%d").to_string(),
            last_label: last.format("%m-%d").to_string(),
            width: WIDTH,
            height: HEIGHT,
            left: LEFT,
            plot_bottom: HEIGHT - BOTTOM,
            label_y: HEIGHT - 5,
            levels,
        },
    )
}
