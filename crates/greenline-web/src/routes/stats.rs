//! `GET /api/v1/stats` — grouped counts, shares, rates and changes over the caller's
//! jurisdiction, answered by the analytics index.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use greenline_stats::{Measure, QueryResult};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// A code with the label users see.
#[derive(Debug, Serialize, ToSchema)]
pub struct Labelled {
    pub code: String,
    pub label: String,
}

/// One group: its key (dimension code → value), case count and measures (measure code →
/// value; null where there is none, e.g. no previous period for 环比).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsRow {
    pub key: BTreeMap<String, Labelled>,
    pub count: u64,
    pub values: BTreeMap<String, Option<f64>>,
}

/// The answer: the groups in order, and the number of distinct cases selected (`total`; a
/// case carrying two types is one case in `total` and counts in both type groups).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsResult {
    pub group_by: Vec<Labelled>,
    pub measures: Vec<Labelled>,
    pub total: u64,
    pub rows: Vec<StatsRow>,
}

/// The query parameters that are not part of the query.
const NOT_QUERY: [&str; 1] = ["format"];

/// Reads the query for the caller's jurisdiction from the parameters.
pub(crate) fn read_query(
    state: &AppState,
    who: &SignedIn,
    params: &HashMap<String, String>,
) -> ApiResult<greenline_stats::Query> {
    greenline_stats::Query::from_params(
        who.0.unit.region,
        state.clock.now(),
        params
            .iter()
            .filter(|(key, _)| !NOT_QUERY.contains(&key.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
    .map_err(|e| ApiError::bad_query(&e.field, e.error.to_string()))
}

impl StatsResult {
    pub fn new(result: &QueryResult) -> StatsResult {
        let rows = result
            .rows()
            .map(|row| StatsRow {
                key: result
                    .dimensions
                    .iter()
                    .zip(row.keys())
                    .map(|(d, k)| {
                        (
                            d.code().to_owned(),
                            Labelled {
                                code: k.code.clone(),
                                label: k.label.clone(),
                            },
                        )
                    })
                    .collect(),
                count: row.count(),
                values: result
                    .measures
                    .iter()
                    .zip(row.values())
                    .map(|(m, v)| (m.code(), *v))
                    .collect(),
            })
            .collect();
        StatsResult {
            group_by: result
                .dimensions
                .iter()
                .map(|d| Labelled {
                    code: d.code().to_owned(),
                    label: d.zh().to_owned(),
                })
                .collect(),
            measures: result
                .measures
                .iter()
                .map(|m| Labelled {
                    code: m.code(),
                    label: m.zh(),
                })
                .collect(),
            total: result.total,
            rows,
        }
    }
}

/// CSV: for each dimension its code and its label (`province`, `province_name`), then
/// `count` and the measures. Numbers as computed, empty where there is no value.
pub fn to_csv(result: &QueryResult) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = Vec::new();
    for d in &result.dimensions {
        header.push(d.code().to_owned());
        header.push(format!("{}_name", d.code()));
    }
    header.push("count".to_owned());
    header.extend(
        result
            .measures
            .iter()
            .filter(|m| **m != Measure::Count)
            .map(Measure::code),
    );
    out.write_record(&header)?;
    for row in result.rows() {
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        for key in row.keys() {
            record.push(key.code.clone());
            record.push(key.label.clone());
        }
        record.push(row.count().to_string());
        for (m, v) in result.measures.iter().zip(row.values()) {
            if *m != Measure::Count {
                record.push(v.map(|v| v.to_string()).unwrap_or_default());
            }
        }
        out.write_record(&record)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// Runs `work` on the analytics index, off the async threads; 503 while the index is built.
pub(crate) async fn on_index<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&greenline_stats::Index) -> T + Send + 'static,
) -> ApiResult<T> {
    let analytics = state.analytics.clone();
    if !analytics.is_ready() {
        return Err(ApiError::Unavailable(format!(
            "the statistics are being prepared ({} cases read so far); try again shortly",
            analytics.loaded()
        )));
    }
    tokio::task::spawn_blocking(move || analytics.with_index(work))
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

/// Answers a query on the analytics index.
pub(crate) async fn answer(
    state: &AppState,
    query: greenline_stats::Query,
) -> ApiResult<QueryResult> {
    on_index(state, move |index| index.query(&query))
        .await?
        .map_err(|e| ApiError::BadRequest {
            detail: e.to_string(),
            errors: Vec::new(),
        })
}

/// Count, share, rates and changes of the cases of the caller's jurisdiction, grouped.
///
/// `group_by`: comma-separated dimensions — `kind`, `channel`, `type` (every type a case
/// carries), `primary_type`, `sub_type`, `industry`, `province`, `city`, `county`, `stage`,
/// `outcome`, `status`, `rejection_reason`, `overdue`, `repeat_source`, `day`, `week`, `month`,
/// `quarter`, `year`. `measure`: `count` (default), `share`, `share(month)`,
/// `acceptance_rate`, `acceptance_days_mean`, `acceptance_days_p90`, `handling_days_mean`,
/// `handling_days_p50`, `on_time_rate`, `mom` (环比), `yoy` (同比). Any other parameter is a
/// filter with the dimension's name (several values separated by commas) or `received_from` /
/// `received_to` (dates, inclusive). `format=csv` answers CSV.
#[utoipa::path(get, path = "/api/v1/stats", tag = "stats",
    security(("bearer" = [])),
    params(
        ("group_by" = Option<String>, Query, description = "e.g. `type,province,month`"),
        ("measure" = Option<String>, Query, description = "e.g. `count,share(month)`"),
        ("format" = Option<String>, Query, description = "`json` (default) or `csv`"),
        ("received_from" = Option<String>, Query, description = "YYYY-MM-DD (China time), inclusive"),
        ("received_to" = Option<String>, Query, description = "YYYY-MM-DD (China time), inclusive"),
    ),
    responses(
        (status = 200, body = StatsResult, description = "JSON; with `format=csv`, text/csv"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn stats(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Response> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let csv = match params.get("format").map(String::as_str) {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_query(
                "format",
                format!("expected json or csv, got {other:?}"),
            ));
        }
    };
    let query = read_query(&state, &who, &params)?;
    let result = answer(&state, query).await?;
    if csv {
        let body = to_csv(&result).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
    }
    Ok(Json(StatsResult::new(&result)).into_response())
}
