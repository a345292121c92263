//! `/console/dashboard` — the dashboard (数据分析): the figures of `App::dashboard` for a
//! period, a region at any level inside the staff member's jurisdiction and a type, drawn with
//! the vendored ECharts (`/static/echarts-….min.js`, see `static/vendor/echarts/README.md`)
//! by `static/dashboard.js`, each chart element opening the case list of the cases behind it.
//! The same figures stand in tables under the charts, so the page reads without the script.
//! `/console/dashboard/bulletin` downloads the monthly bulletin (HTML or Word) of the selection.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{Datelike, Months, NaiveDate};
use greenline_app::dashboard::{Dashboard, DashboardFilter};
use greenline_domain::RegionCode;
use greenline_domain::deadline::local_date;
use greenline_report::{Format, Period, render as render_bulletin};

use super::console::type_choices;
use super::csrf::Csrf;
use super::report::{Choice, regions_under};
use super::staff::ConsoleUser;
use super::{PageError, PageResult, render};
use crate::AppState;
use axum::http::StatusCode;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/dashboard", get(page))
        .route("/console/dashboard/bulletin", get(bulletin))
}

/// One level of the region cascade: its label, field name and choices.
#[derive(Debug)]
struct Level {
    name: &'static str,
    label: &'static str,
    choices: Vec<Choice>,
}

/// An option group of the period select.
#[derive(Debug)]
struct PeriodGroup {
    label: &'static str,
    choices: Vec<Choice>,
}

/// A share as a percentage with one decimal.
fn percent(share: &Option<f64>) -> String {
    share.map_or_else(|| "—".to_owned(), |s| format!("{:.1}%", s * 100.0))
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: super::Chrome,
    title: &'static str,
    jurisdiction: String,
    periods: Vec<PeriodGroup>,
    levels: Vec<Level>,
    types: Vec<Choice>,
    d: Dashboard,
    /// The figures as JSON for the charts, with `<` escaped so it cannot end the element.
    data: String,
    /// The monthly bulletin's month and the query of its downloads.
    bulletin_month: String,
    bulletin_query: String,
}

impl DashboardPage {
    fn pct(&self, share: &Option<f64>) -> String {
        percent(share)
    }
}

/// The filter the form or an address gives: `region`, or the deepest of the cascade's
/// `r1`…`r3` that lies under the one above it.
fn read_filter(params: &HashMap<String, String>, top: RegionCode) -> DashboardFilter {
    let get = |k: &str| {
        params
            .get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let mut region = get("region");
    let mut parent = top;
    for key in ["r1", "r2", "r3"] {
        let Some(code) = get(key) else { break };
        match RegionCode::parse(&code) {
            Ok(chosen) if chosen.parent() == Some(parent) => {
                region = Some(code);
                parent = chosen;
            }
            // A level left over from another choice above it (no script to clear it).
            Ok(_) => break,
            Err(_) => {
                region = Some(code);
                break;
            }
        }
    }
    DashboardFilter {
        period: get("period"),
        region,
        pollution_type: get("type"),
    }
}

/// The cascade from the staff member's region down to the chosen one and its children.
fn cascade(top: RegionCode, chosen: RegionCode) -> Vec<Level> {
    const NAMES: [(&str, &str); 3] = [("r1", "一级"), ("r2", "二级"), ("r3", "三级")];
    let chain: Vec<RegionCode> = {
        let mut chain: Vec<RegionCode> = chosen
            .ancestry()
            .take_while(|r| *r != top)
            .collect::<Vec<_>>();
        chain.reverse();
        if chosen == top { Vec::new() } else { chain }
    };
    let mut levels = Vec::new();
    let mut parent = top;
    for (i, (name, _)) in NAMES.iter().enumerate() {
        let picked = chain.get(i).copied();
        let children: Vec<RegionCode> = regions_under(parent).collect();
        if children.is_empty() {
            break;
        }
        let label = match children[0].level() {
            greenline_domain::RegionLevel::Province => "省份",
            greenline_domain::RegionLevel::Prefecture => "地市",
            _ => "县区",
        };
        levels.push(Level {
            name,
            label,
            choices: children
                .into_iter()
                .map(|c| Choice {
                    value: c.to_string(),
                    label: c.name().to_owned(),
                    selected: Some(c) == picked,
                })
                .collect(),
        });
        match picked {
            Some(p) => parent = p,
            None => break,
        }
    }
    levels
}

/// Years, quarters and months a staff member may pick, newest first.
fn period_choices(today: NaiveDate, selected: &str) -> Vec<PeriodGroup> {
    let choice = |p: Period| Choice {
        value: p.code(),
        label: p.zh(),
        selected: p.code() == selected,
    };
    let years = (0..5)
        .map(|i| choice(Period::Year(today.year() - i)))
        .collect();
    let this_quarter = (today.month0() / 3) as i32;
    let quarters = (0..8)
        .map(|i| {
            let q = today.year() * 4 + this_quarter - i;
            choice(Period::Quarter {
                year: q.div_euclid(4),
                quarter: q.rem_euclid(4) as u32 + 1,
            })
        })
        .collect();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let months = (0..24)
        .filter_map(|i| first.checked_sub_months(Months::new(i)))
        .map(|m| {
            choice(Period::Month {
                year: m.year(),
                month: m.month(),
            })
        })
        .collect();
    vec![
        PeriodGroup {
            label: "年度",
            choices: years,
        },
        PeriodGroup {
            label: "季度",
            choices: quarters,
        },
        PeriodGroup {
            label: "月度",
            choices: months,
        },
    ]
}

/// The month of the bulletin offered: the period's last month, or the last whole month when
/// the period runs to today.
fn bulletin_month(d: &Dashboard, today: NaiveDate) -> String {
    let last = d.to;
    let running = last.year() == today.year() && last.month() == today.month();
    let month = if running && d.from.month() != last.month() {
        NaiveDate::from_ymd_opt(last.year(), last.month(), 1)
            .and_then(|m| m.pred_opt())
            .unwrap_or(last)
    } else {
        last
    };
    month.format("%Y-%m").to_string()
}

async fn page(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    let top = who.0.jurisdiction()?;
    let filter = read_filter(&params, top);
    let d = state.dashboard(&who.0, &filter).await?;
    let chosen = RegionCode::parse(&d.region).unwrap_or(top);
    let today = local_date(state.now());
    let data = serde_json::to_string(&d)
        .map_err(|e| PageError::Service(greenline_app::ServiceError::internal(e)))?
        .replace('<', "\\u003c");
    let month = bulletin_month(&d, today);
    let mut bulletin_query = format!("period={month}");
    if chosen != top {
        bulletin_query.push_str(&format!("&region={chosen}"));
    }
    let page = DashboardPage {
        chrome: who.chrome(&csrf),
        title: "数据分析",
        jurisdiction: top.full_name(),
        periods: period_choices(today, &d.period),
        levels: cascade(top, chosen),
        types: type_choices(d.pollution_type.as_deref().unwrap_or("")),
        data,
        bulletin_month: month,
        bulletin_query,
        d,
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

/// `GET /console/dashboard/bulletin?period=2026-10&region=…&format=html|docx` — the bulletin
/// of the dashboard's selection, as a download.
async fn bulletin(
    State(state): State<AppState>,
    who: ConsoleUser,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    let today = local_date(state.now());
    let period = params
        .get("period")
        .filter(|p| !p.trim().is_empty())
        .cloned()
        .unwrap_or_else(|| format!("{}-{:02}", today.year(), today.month()));
    let format = match params.get("format").map(String::as_str) {
        None | Some("html") => Format::Html,
        Some("docx") => Format::Docx,
        Some(_) => return Err(PageError::BadForm),
    };
    let region = params
        .get("region")
        .map(String::as_str)
        .filter(|r| !r.trim().is_empty());
    let bulletin = state.bulletin(&who.0, &period, region).await?;
    let body = render_bulletin(&bulletin, format)
        .map_err(|e| PageError::Service(greenline_app::ServiceError::internal(e)))?;
    let extension = match format {
        Format::Docx => "docx",
        _ => "html",
    };
    let file = format!(
        "attachment; filename=\"bulletin-{}-{}.{extension}\"",
        bulletin_code(&period),
        bulletin_code(region.unwrap_or("all"))
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, file),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// The period's code as a file name part: letters, digits and hyphens only.
fn bulletin_code(period: &str) -> String {
    period
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}
