//! `GET /api/v1/cases/{id}/same-source` — earlier cases that may be about the same source
//! (疑似重复举报), with the evidence for and against each.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use greenline_domain::{Case, Stage};
use greenline_text::Candidate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{CaseId, visible_case};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SameSourceParams {
    /// Candidates at most (default 5, up to 20).
    pub limit: Option<usize>,
}

/// One thing that matched or differed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EvidenceView {
    /// `same_name`, `same_road`, `different_name`, …
    pub kind: String,
    /// For staff: 同一单位名称：鑫达化工有限公司 / 新达化工厂.
    pub label: String,
    /// For (positive) or against (negative) the same source.
    pub weight: f64,
}

/// An earlier case that may be about the same source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SameSourceCandidate {
    pub case_id: i64,
    pub tracking_no: String,
    pub received_at: DateTime<Utc>,
    pub region_name: String,
    pub stage: Stage,
    /// 0–1: how likely the two are about the same source.
    pub score: f64,
    /// Whether the score reaches the detector's threshold (a suggestion to merge).
    pub same_source: bool,
    pub evidence: Vec<EvidenceView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SameSource {
    /// False while the server is still reading the earlier cases at start.
    pub ready: bool,
    pub candidates: Vec<SameSourceCandidate>,
}

/// Reads the candidates' cases; those the caller may not see (none, by the index's scope) or
/// that vanished are left out.
pub(crate) async fn candidate_views(
    state: &AppState,
    found: Vec<Candidate>,
) -> ApiResult<Vec<SameSourceCandidate>> {
    let mut out = Vec::with_capacity(found.len());
    for candidate in found {
        let Ok(case) = state.store.case(candidate.case_id).await else {
            continue;
        };
        out.push(SameSourceCandidate {
            case_id: case.id,
            tracking_no: case.tracking_no().to_string(),
            received_at: case.received_at,
            region_name: case.region.full_name(),
            stage: case.stage,
            score: (candidate.matched.score * 1000.0).round() / 1000.0,
            same_source: candidate.matched.same,
            evidence: candidate
                .matched
                .evidence
                .iter()
                .map(|e| EvidenceView {
                    kind: serde_json::to_value(e.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    label: e.label.clone(),
                    weight: (e.weight * 100.0).round() / 100.0,
                })
                .collect(),
        });
    }
    Ok(out)
}

/// Earlier candidates for `case` within `who`'s jurisdiction, its own group left out.
pub(crate) async fn candidates_for(
    state: &AppState,
    who: &SignedIn,
    case: &Case,
    limit: usize,
) -> ApiResult<Vec<SameSourceCandidate>> {
    let (lead, _) = state.store.group_lead(case.id).await?;
    let mut exclude = state.store.repeats_of(lead).await?;
    exclude.extend([case.id, lead]);
    let found = lookup(state, who, case, exclude, limit).await?;
    candidate_views(state, found).await
}

/// The likely repeats (score over the threshold) of a case just registered, for the intake
/// answer: a new case has no group yet, and only the cases found are read from the store.
pub(crate) async fn repeats_of_new(
    state: &AppState,
    who: &SignedIn,
    case: &Case,
    limit: usize,
) -> ApiResult<Vec<SameSourceCandidate>> {
    let mut found = lookup(state, who, case, vec![case.id], limit).await?;
    found.retain(|c| c.matched.same);
    candidate_views(state, found).await
}

/// Asks the same-source index, off the async threads.
async fn lookup(
    state: &AppState,
    who: &SignedIn,
    case: &Case,
    exclude: Vec<i64>,
    limit: usize,
) -> ApiResult<Vec<Candidate>> {
    let sources = state.sources.clone();
    let scope = who.scope().region;
    let (region, at, text) = (case.region, case.received_at, case.description.clone());
    tokio::task::spawn_blocking(move || {
        sources.candidates(scope, region, at, &text, &exclude, limit)
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))
}

/// Earlier cases that may be about the same source as this one: same county (or city), within
/// 180 days before it, similar in the names, roads, compounds and kind of pollution they
/// describe. Only cases in the caller's jurisdiction; the case's own group is left out. Merge a
/// true repeat with `POST /api/v1/cases/{id}/merge`.
#[utoipa::path(get, path = "/api/v1/cases/{id}/same-source", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path), SameSourceParams),
    responses(
        (status = 200, body = SameSource),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn same_source(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    params: Result<Query<SameSourceParams>, QueryRejection>,
) -> ApiResult<Json<SameSource>> {
    let Query(params) = params.map_err(|e| ApiError::bad_query("query", e.body_text()))?;
    let limit = params.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::bad_query("limit", "1 to 20"));
    }
    let case = visible_case(&state, &who, id).await?;
    let candidates = candidates_for(&state, &who, &case, limit).await?;
    Ok(Json(SameSource {
        ready: state.sources.is_ready(),
        candidates,
    }))
}
