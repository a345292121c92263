//! `GET /api/v1/stats` — grouped counts, shares, rates and changes over the caller's
//! jurisdiction, answered by the analytics index.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use greenline_app::stats::{StatsResult, to_csv};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

/// Count, share, rates and changes of the cases of the caller's jurisdiction, grouped.
///
/// `group_by`: comma-separated dimensions — `kind`, `channel`, `type` (every type a case
/// carries), `primary_type`, `sub_type`, `industry`, `province`, `city`, `county`, `stage`,
/// `outcome`, `status`, `rejection_reason`, `overdue`, `repeat_source`, `day`, `week`, `month`,
/// `quarter`, `year`. `measure`: `count` (default), `share`, `share(month)`,
/// `acceptance_rate`, `acceptance_days_mean`, `acceptance_days_p90` (any `pNN`),
/// `handling_days_mean`, `handling_days_p50`, `on_time_rate`, `on_time_acceptance_rate`,
/// `repeat_rate`, `distinct_sources` (问题源数: a repeat counts with the report it repeats),
/// `mom` (环比), `yoy` (同比). Any other parameter is a
/// filter with the dimension's name (several values separated by commas: any of them) or
/// `received_from` / `received_to` (dates, inclusive); `not_` before a filter's name keeps the
/// cases it would leave out (`not_type=noise,air`: carrying neither). `format=csv` answers CSV.
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
    State(app): State<AppState>,
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
    let query = app.stats_query(&who, &params)?;
    let result = app.stats(query).await?;
    if csv {
        let body = to_csv(&result).map_err(ApiError::internal)?;
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response());
    }
    Ok(Json(StatsResult::new(&result)).into_response())
}

/// Two periods compared: which groups moved most beyond the whole's own move, and whether each
/// move is more than noise (a two-sided binomial test of the group's share, with
/// Benjamini–Hochberg q-values over all groups; significant when q < 0.05). `group_by` and
/// filters as for `/api/v1/stats` (no `received_from`/`received_to`: the periods give the
/// dates); `limit`: largest moves returned (default 20, at most 500).
#[utoipa::path(get, path = "/api/v1/stats/compare", tag = "stats",
    security(("bearer" = [])),
    params(
        ("before_from" = String, Query, description = "YYYY-MM-DD (China time), inclusive"),
        ("before_to" = String, Query, description = "YYYY-MM-DD (China time), inclusive"),
        ("after_from" = String, Query, description = "YYYY-MM-DD (China time), inclusive"),
        ("after_to" = String, Query, description = "YYYY-MM-DD (China time), inclusive"),
        ("group_by" = Option<String>, Query, description = "e.g. `county,type`"),
        ("limit" = Option<u32>, Query, description = "1–500, default 20"),
    ),
    responses(
        (status = 200, body = greenline_app::stats::PeriodComparison),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn compare(
    State(app): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<greenline_app::stats::PeriodComparison>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    Ok(Json(app.compare_periods(&who, &params).await?))
}

/// Callback figures (回访) of the caller's jurisdiction: 回访数, 满意 / 基本满意 / 不满意, 已解决,
/// 满意率 = (满意 + 基本满意) / 回访数 and 解决率 = 已解决 / 回访数, in all and per unit whose
/// reply was rated. Filters: `region` (inside the jurisdiction), `unit_id`, `from` and `to`
/// (YYYY-MM-DD, China time, inclusive).
#[utoipa::path(get, path = "/api/v1/stats/callbacks", tag = "stats",
    security(("bearer" = [])),
    params(
        ("region" = Option<String>, Query, description = "six-digit region code"),
        ("unit_id" = Option<i64>, Query),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD (China time), inclusive"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD (China time), inclusive"),
    ),
    responses(
        (status = 200, body = greenline_app::cases::callback::CallbackStats),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn callbacks(
    State(app): State<AppState>,
    who: SignedIn,
    params: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<axum::Json<greenline_app::cases::callback::CallbackStats>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let query = greenline_app::cases::callback::CallbackStatsQuery::from_params(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    Ok(axum::Json(app.callback_stats(&who, &query).await?))
}

/// Comments on EIA projects (环评公众参与意见) in the caller's jurisdiction: how many, on which
/// themes, per project and per month (China time). Filters: `region` (inside the
/// jurisdiction), `from` and `to` (YYYY-MM-DD, China time, inclusive).
#[utoipa::path(get, path = "/api/v1/stats/eia-comments", tag = "stats",
    security(("bearer" = [])),
    params(
        ("region" = Option<String>, Query, description = "six-digit region code"),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD (China time), inclusive"),
        ("to" = Option<String>, Query, description = "YYYY-MM-DD (China time), inclusive"),
    ),
    responses(
        (status = 200, body = greenline_app::eia::figures::CommentFigures),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn eia_comments(
    State(app): State<AppState>,
    who: SignedIn,
    params: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult<axum::Json<greenline_app::eia::figures::CommentFigures>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let query = greenline_app::eia::figures::CommentFiguresQuery::from_params(
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    )?;
    Ok(axum::Json(app.eia_comment_figures(&who, &query).await?))
}
