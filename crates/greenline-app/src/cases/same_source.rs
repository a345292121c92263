//! Earlier cases that may be about the same source (疑似重复举报), with the evidence for and
//! against each, from the node's same-source index.

use chrono::{DateTime, Utc};
use greenline_domain::{Case, Stage};
use greenline_text::Candidate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

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
    /// False while the node is still reading the earlier cases at start.
    pub ready: bool,
    pub candidates: Vec<SameSourceCandidate>,
}

impl App {
    /// Earlier candidates (up to `limit`, 1 to 20) for case `id` within `caller`'s
    /// jurisdiction, its own group left out.
    pub async fn same_source(
        &self,
        caller: &Caller,
        id: i64,
        limit: usize,
    ) -> ServiceResult<SameSource> {
        if !(1..=20).contains(&limit) {
            return Err(ServiceError::parameter("limit", "1 to 20"));
        }
        let case = self.visible_case(caller, id).await?;
        let (lead, _) = self.store.group_lead(case.id).await?;
        let mut exclude = self.store.repeats_of(lead).await?;
        exclude.extend([case.id, lead]);
        let found = self.lookup_sources(caller, &case, exclude, limit).await?;
        Ok(SameSource {
            ready: self.projections.is_ready(crate::projections::sources::NAME),
            candidates: self.candidate_views(found).await,
        })
    }

    /// The likely repeats (score over the threshold) of a case just registered, for the intake
    /// answer: a new case has no group yet, and only the cases found are read.
    pub(crate) async fn repeats_of_new(
        &self,
        caller: &Caller,
        case: &Case,
        limit: usize,
    ) -> ServiceResult<Vec<SameSourceCandidate>> {
        let mut found = self
            .lookup_sources(caller, case, vec![case.id], limit)
            .await?;
        found.retain(|c| c.matched.same);
        Ok(self.candidate_views(found).await)
    }

    /// Asks the same-source index, off the async threads.
    async fn lookup_sources(
        &self,
        caller: &Caller,
        case: &Case,
        exclude: Vec<i64>,
        limit: usize,
    ) -> ServiceResult<Vec<Candidate>> {
        let sources = self.projections.sources.clone();
        let scope = caller.unit.region;
        let (region, at, text) = (case.region, case.received_at, case.description.clone());
        Ok(tokio::task::spawn_blocking(move || {
            sources.candidates(scope, region, at, &text, &exclude, limit)
        })
        .await?)
    }

    /// Reads the candidates' cases; those that vanished are left out (the index keeps to the
    /// caller's scope already).
    pub(crate) async fn candidate_views(&self, found: Vec<Candidate>) -> Vec<SameSourceCandidate> {
        let mut out = Vec::with_capacity(found.len());
        for candidate in found {
            let Ok(case) = self.store.case(candidate.case_id).await else {
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
        out
    }
}
