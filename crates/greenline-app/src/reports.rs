//! The decision bulletin (决策参考) of a month, quarter or year, for a jurisdiction or a region
//! inside it, built from the statistics index.

use greenline_domain::RegionCode;
use greenline_report::{Bulletin, HotTopic, Period};

use crate::topics::TopicParams;

/// Hot topics a bulletin names at most.
const HOT_TOPICS: usize = 5;
/// Months before the period the hot topics are measured against.
const HOT_TOPIC_BASELINE_MONTHS: u32 = 12;

use crate::audit::{AuditAction, AuditOutcome};
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

impl App {
    /// The bulletin of `period` (`2026-10`, `2026-Q3`, `2026`) for `region` (default: all of
    /// `caller`'s jurisdiction).
    pub async fn bulletin(
        &self,
        caller: &Caller,
        period: &str,
        region: Option<&str>,
    ) -> ServiceResult<Bulletin> {
        let period =
            Period::parse(period).map_err(|e| ServiceError::parameter("period", e.to_string()))?;
        let jurisdiction = caller.jurisdiction()?;
        let region = match region {
            None => jurisdiction,
            Some(code) => caller.region(
                RegionCode::parse(code)
                    .map_err(|e| ServiceError::parameter("region", e.to_string()))?,
            )?,
        };
        let as_of = self.now();
        let bulletin = self
            .on_statistics(move |index| Bulletin::build(index, period, region, as_of))
            .await?
            .map_err(ServiceError::internal)?;
        // The hot topics come from the texts, which the statistics index does not hold.
        let topics = self
            .topics(
                caller,
                TopicParams {
                    period: period.code(),
                    region: Some(region.to_string()),
                    baseline_months: Some(HOT_TOPIC_BASELINE_MONTHS),
                    limit: Some(HOT_TOPICS),
                    ..TopicParams::default()
                },
            )
            .await?;
        let hot: Vec<HotTopic> = topics
            .groups
            .iter()
            .map(|g| HotTopic {
                label: g.label.clone(),
                count: g.count,
                share: g.share,
                emerging: g.emerging,
            })
            .collect();
        let bulletin = bulletin.with_hot_topics(&hot, HOT_TOPIC_BASELINE_MONTHS);
        self.record(
            caller,
            AuditAction::Bulletin,
            format!("{period} {region}"),
            AuditOutcome::Ok,
            serde_json::json!({}),
        )
        .await?;
        Ok(bulletin)
    }
}
