//! `GET /api/v1/trends` — the monthly series of the caller's jurisdiction (filtered as the
//! stats are) and its Mann–Kendall trend with Sen's slope, or why no trend may be claimed.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{Datelike, Months, NaiveDate};
use greenline_domain::deadline::local_date;
use greenline_stats::trend::{TrendFinding, TrendGuard, assess, assess_seasonal};
use greenline_stats::{Dimension, Filter, TimeBucket};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::routes::stats::answer;

/// One month of the series.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`
    pub month: String,
    pub count: u64,
}

/// What the test found.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendView {
    /// `increasing`, `decreasing`, `no_trend`, or `not_tested` when the guard forbids a claim.
    pub direction: String,
    /// 上升 / 下降 / 无显著趋势 / the reason no claim is made.
    pub summary: String,
    pub p_value: Option<f64>,
    pub z: Option<f64>,
    pub s: Option<i64>,
    pub tau: Option<f64>,
    /// Sen's slope: cases per month (per year for the seasonal test).
    pub slope: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Trend {
    pub series: Vec<MonthCount>,
    /// `mann_kendall`, or `seasonal_mann_kendall` (same month of each year compared).
    pub test: String,
    pub trend: TrendView,
}

fn view(finding: &TrendFinding, alpha: f64) -> TrendView {
    match finding {
        TrendFinding::Tested { direction, test } => TrendView {
            direction: match direction {
                greenline_stats::trend::Direction::Increasing => "increasing",
                greenline_stats::trend::Direction::Decreasing => "decreasing",
                greenline_stats::trend::Direction::NoTrend => "no_trend",
            }
            .to_owned(),
            summary: format!(
                "{}（p={:.3}，显著性水平{alpha}）",
                direction.zh(),
                test.p_value
            ),
            p_value: Some(test.p_value),
            z: Some(test.z),
            s: Some(test.s),
            tau: Some(test.tau),
            slope: Some(test.slope),
        },
        TrendFinding::TooFewPoints { points, needed } => TrendView {
            direction: "not_tested".to_owned(),
            summary: format!("仅有{points}个月的数据（不足{needed}个月），不作趋势判断"),
            p_value: None,
            z: None,
            s: None,
            tau: None,
            slope: None,
        },
        TrendFinding::TooFewCases { cases, needed } => TrendView {
            direction: "not_tested".to_owned(),
            summary: format!("举报量仅{cases}件（不足{needed}件），不作趋势判断"),
            p_value: None,
            z: None,
            s: None,
            tau: None,
            slope: None,
        },
    }
}

/// The monthly series of the last `months` whole months (default 24; 3 to 240) and its trend.
///
/// Other parameters filter as in `/api/v1/stats`. `seasonal=true` compares each month with
/// the same month of other years (seasonal Mann–Kendall; needs two whole years). No trend is
/// claimed from fewer than 10 months or 100 cases.
#[utoipa::path(get, path = "/api/v1/trends", tag = "stats",
    security(("bearer" = [])),
    params(
        ("months" = Option<u32>, Query, description = "Whole months before the current one, 3–240, default 24"),
        ("seasonal" = Option<bool>, Query, description = "Seasonal Mann–Kendall (period 12)"),
    ),
    responses((status = 200, body = Trend), (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn trends(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Trend>> {
    let Query(mut params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let months: u32 = match params.remove("months") {
        None => 24,
        Some(text) => text
            .parse()
            .ok()
            .filter(|m| (3..=240).contains(m))
            .ok_or_else(|| {
                ApiError::bad_query("months", "expected a whole number from 3 to 240")
            })?,
    };
    let seasonal = match params.remove("seasonal").as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::bad_query("seasonal", "expected true or false")),
    };
    for reserved in ["group_by", "measure", "received_from", "received_to"] {
        if params.contains_key(reserved) {
            return Err(ApiError::bad_query(
                reserved,
                "the series is monthly over `months`; use /api/v1/stats for other groupings",
            ));
        }
    }
    let today = local_date(state.clock.now());
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(Months::new(months))
        .unwrap_or(this_month);
    let query = super::stats::read_query(&state, &who, &params)?
        .group_by(Dimension::Time(TimeBucket::Month))
        .filter(Filter::Received {
            from: first,
            until: this_month,
        });
    let result = answer(&state, query).await?;
    let found: HashMap<String, u64> = result
        .rows()
        .map(|row| (row.key(0).code.clone(), row.count()))
        .collect();
    let series: Vec<MonthCount> = (0..months)
        .filter_map(|i| first.checked_add_months(Months::new(i)))
        .map(|month| {
            let code = month.format("%Y-%m").to_string();
            MonthCount {
                count: found.get(&code).copied().unwrap_or(0),
                month: code,
            }
        })
        .collect();
    let counts: Vec<f64> = series.iter().map(|m| m.count as f64).collect();
    let guard = TrendGuard::default();
    let finding = if seasonal {
        assess_seasonal(&counts, 12, &guard)
    } else {
        assess(&counts, &guard)
    }
    .map_err(|e| ApiError::BadRequest {
        detail: e.to_string(),
        errors: Vec::new(),
    })?;
    Ok(Json(Trend {
        series,
        test: if seasonal {
            "seasonal_mann_kendall"
        } else {
            "mann_kendall"
        }
        .to_owned(),
        trend: view(&finding, guard.alpha),
    }))
}
