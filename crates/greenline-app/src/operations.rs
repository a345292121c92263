//! What an operator watches: the figures `/metrics` exposes at each scrape (cases per stage and
//! channel, overdue cases, each view's lag), and the counter of audit events.
//!
//! The case figures are read from the statistics view, which already holds every case's stage,
//! channel and deadline in memory: a scrape costs three grouped counts over columns, no query of
//! the store. They count the whole store, so every node reports the same figures. Counters of
//! this node's own work (requests, audit events) go through the `metrics` facade; the web
//! adapter installs the recorder that renders them.

use greenline_domain::RegionCode;
use greenline_stats::{Dimension, Filter, Query};

use crate::projections::{ViewStatus, analytics};
use crate::{App, ServiceError, ServiceResult};

/// The name of the audit-event counter.
pub const AUDIT_EVENTS: &str = "greenline_audit_events_total";

/// Counts one audit event of `action` (`sign_in`, `view_reporter`, …) recorded by this node.
/// The audit trail itself is in the store; this lets an operator see its rate and alert on it.
pub fn count_audit_event(action: &'static str) {
    metrics::counter!(AUDIT_EVENTS, "action" => action).increment(1);
}

/// The figures of a scrape.
#[derive(Debug, Clone, Default)]
pub struct OperationalFigures {
    pub views: Vec<ViewStatus>,
    /// Cases by stage code, by channel code, and overdue now; `None` while the statistics view
    /// is still being built (a count then would be a partial one).
    pub cases: Option<CaseFigures>,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFigures {
    pub by_stage: Vec<(String, u64)>,
    pub by_channel: Vec<(String, u64)>,
    pub overdue: u64,
}

impl App {
    /// The figures `/metrics` exposes besides this node's counters.
    pub async fn operational_figures(&self) -> ServiceResult<OperationalFigures> {
        let views = self.view_status().await?;
        if !self.projections.is_ready(analytics::NAME) {
            return Ok(OperationalFigures { views, cases: None });
        }
        let (statistics, now) = (self.projections.analytics.clone(), self.now());
        let cases = tokio::task::spawn_blocking(move || {
            let counts = |dimension| {
                statistics
                    .query(&Query::new(RegionCode::NATIONAL, now).group_by(dimension))
                    .map(|result| {
                        result
                            .rows()
                            .map(|row| (row.key(0).code.clone(), row.count()))
                            .collect::<Vec<_>>()
                    })
            };
            let overdue = statistics
                .query(&Query::new(RegionCode::NATIONAL, now).filter(Filter::Overdue(true)))?
                .total;
            Ok::<_, greenline_stats::StatsError>(CaseFigures {
                by_stage: counts(Dimension::Stage)?,
                by_channel: counts(Dimension::Channel)?,
                overdue,
            })
        })
        .await
        .map_err(|e| ServiceError::Internal(e.into()))?
        .map_err(|e| ServiceError::Internal(e.into()))?;
        Ok(OperationalFigures {
            views,
            cases: Some(cases),
        })
    }
}
