//! `GET /api/v1/cases` — staff search within their jurisdiction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::deadline::china_time;
use greenline_domain::{CaseKind, Channel, PollutionType, RegionCode, Stage};
use greenline_store::CaseFilter;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::views::{CasePage, CaseView};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

/// An instant from `2026-11-27` (the start of that day in China) or an RFC 3339 timestamp.
fn instant(field: &str, text: &str, end_of_day: bool) -> ApiResult<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        ApiError::bad_query(field, "expected a date YYYY-MM-DD or an RFC 3339 timestamp")
    })?;
    let date = if end_of_day {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china_time()).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::bad_query(field, "not a valid date"))
}

pub(crate) fn filter_from(
    params: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> ApiResult<CaseFilter> {
    let mut filter = CaseFilter {
        limit: DEFAULT_LIMIT,
        ..CaseFilter::default()
    };
    for (key, value) in params {
        let value = value.trim();
        let bad = |message: &str| ApiError::bad_query(key, message.to_owned());
        match key.as_str() {
            "kind" => {
                filter.kind = Some(
                    CaseKind::parse(value)
                        .ok_or_else(|| bad("expected report, petition or reconsideration"))?,
                )
            }
            "stage" => {
                filter.stage = Some(Stage::parse(value).ok_or_else(|| bad("unknown stage"))?)
            }
            "type" => {
                filter.pollution_type =
                    Some(PollutionType::parse(value).map_err(|e| bad(&e.to_string()))?)
            }
            "region" => {
                filter.region = Some(RegionCode::parse(value).map_err(|e| bad(&e.to_string()))?)
            }
            "channel" => {
                filter.channel = Some(Channel::parse(value).ok_or_else(|| bad("unknown channel"))?)
            }
            "unit_id" => {
                filter.unit_id = Some(value.parse().map_err(|_| bad("expected a unit id"))?)
            }
            "received_from" => filter.received_from = Some(instant(key, value, false)?),
            "received_to" => filter.received_before = Some(instant(key, value, true)?),
            "overdue" => match value {
                "true" => filter.overdue_at = Some(now),
                "false" | "" => {}
                _ => return Err(bad("expected true or false")),
            },
            "before" => {
                filter.before_id = Some(value.parse().map_err(|_| bad("expected a case id"))?)
            }
            "limit" => {
                let limit: u32 = value.parse().map_err(|_| bad("expected a number"))?;
                if !(1..=MAX_LIMIT).contains(&limit) {
                    return Err(bad(&format!("between 1 and {MAX_LIMIT}")));
                }
                filter.limit = limit;
            }
            _ => return Err(bad("unknown query parameter")),
        }
    }
    Ok(filter)
}

/// Search the cases of the caller's jurisdiction, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases",
    security(("bearer" = [])),
    params(
        ("kind" = Option<String>, Query, description = "report | petition | reconsideration"),
        ("stage" = Option<String>, Query),
        ("type" = Option<String>, Query, description = "Pollution type; matches any type a case carries"),
        ("region" = Option<String>, Query, description = "Region code; includes the whole subtree"),
        ("channel" = Option<String>, Query),
        ("unit_id" = Option<i64>, Query, description = "The unit holding the case"),
        ("received_from" = Option<String>, Query, description = "YYYY-MM-DD (China time) or RFC 3339"),
        ("received_to" = Option<String>, Query, description = "YYYY-MM-DD inclusive, or RFC 3339 exclusive"),
        ("overdue" = Option<bool>, Query, description = "Only cases past their running deadline"),
        ("before" = Option<i64>, Query, description = "Cursor: `next_before` of the previous page"),
        ("limit" = Option<u32>, Query, description = "1 to 500, default 50"),
    ),
    responses((status = 200, body = CasePage), (status = 400, body = Problem), (status = 401, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<CasePage>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let now = state.clock.now();
    let mut filter = filter_from(&params, now)?;
    filter.within = Some(who.0.unit.region);
    let cases = state.store.search(&filter).await?;
    let next_before = (cases.len() == filter.limit as usize)
        .then(|| cases.last().map(|c| c.id))
        .flatten();
    Ok(Json(CasePage {
        items: cases
            .into_iter()
            .map(|c| CaseView::new(c, &state.deadlines, now))
            .collect(),
        next_before,
    }))
}
