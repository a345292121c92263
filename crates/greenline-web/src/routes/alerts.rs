//! `GET /api/v1/alerts` — region × type series of the caller's jurisdiction that rose well
//! above their own expected level: the early sign of a sudden incident (突发环境事件).

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use greenline_domain::deadline::local_date;
use greenline_stats::spikes::SpikeRule;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// One alert, with the cases behind it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    pub region: String,
    pub region_name: String,
    #[serde(rename = "type")]
    pub pollution_type: String,
    pub type_name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Cases in the alarming days, and how many were expected there.
    pub observed: u64,
    pub expected: f64,
    /// −log10 of the Poisson tail probability: 7 means one chance in ten million.
    pub score: f64,
    pub case_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Alerts {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub alerts: Vec<AlertView>,
}

fn day(params: &HashMap<String, String>, key: &str) -> ApiResult<Option<NaiveDate>> {
    params
        .get(key)
        .map(|text| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| ApiError::bad_query(key, format!("{text:?} is not a YYYY-MM-DD date")))
        })
        .transpose()
}

/// Alerts raised on days from `from` to `to` (inclusive, China time; default: the last 30
/// days): rolling 7-day counts of a region × type far above the 28 days before them (Poisson
/// tail p ≤ 10⁻⁷, at least 8 cases).
#[utoipa::path(get, path = "/api/v1/alerts", tag = "stats",
    security(("bearer" = [])),
    params(
        ("from" = Option<String>, Query, description = "YYYY-MM-DD, default 30 days ago"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD inclusive, default today"),
    ),
    responses((status = 200, body = Alerts), (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn alerts(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<Alerts>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let today = local_date(state.clock.now());
    let to = day(&params, "to")?.unwrap_or(today);
    let from = day(&params, "from")?.unwrap_or(to - chrono::Days::new(29));
    if from > to {
        return Err(ApiError::bad_query("from", "must not be after `to`"));
    }
    let scope = who.0.unit.region;
    let until = to.succ_opt().unwrap_or(to);
    let found = super::stats::on_index(&state, move |index| {
        index.spikes(scope, from, until, &SpikeRule::default())
    })
    .await?
    .map_err(|e| ApiError::BadRequest {
        detail: e.to_string(),
        errors: Vec::new(),
    })?;
    let alerts = found
        .into_iter()
        .map(|a| AlertView {
            region: a.region.to_string(),
            region_name: a.region.full_name(),
            pollution_type: a.pollution_type.code().to_owned(),
            type_name: a.pollution_type.zh().to_owned(),
            first_day: a.first_day,
            last_day: a.last_day,
            observed: a.observed,
            expected: a.expected,
            score: a.score,
            case_ids: a.case_ids,
        })
        .collect();
    Ok(Json(Alerts { from, to, alerts }))
}
