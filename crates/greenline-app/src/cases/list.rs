//! The cases of a jurisdiction under filters, newest first, a page at a time.

use greenline_store::CaseFilter;

use crate::error::{ServiceError, ServiceResult};
use crate::views::{CasePage, CaseView};
use crate::{App, Caller};

const DEFAULT_LIMIT: u32 = 50;
/// The most cases a page holds.
const MAX_LIMIT: u32 = 200;

/// The filters the store answers. A list asked for with any other filter of the statistics
/// (`status`, `accepted_late`, `concluded_late`, `repeat_source`, `primary_type`, `sub_type`,
/// `industry`, `outcome`, `rejection_reason`) or with several values of one filter
/// (`stage=replied,closed`) is answered from the statistics index, so that the cases behind a
/// figure are exactly those the figure counted.
const STORE_FILTERS: [&str; 11] = [
    "kind",
    "stage",
    "type",
    "region",
    "channel",
    "unit_id",
    "received_from",
    "received_to",
    "overdue",
    "before",
    "limit",
];

/// Whether the filters need the statistics index.
pub fn needs_statistics<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    params
        .into_iter()
        .any(|(k, v)| !STORE_FILTERS.contains(&k) || v.contains(','))
}

impl App {
    /// One page of `caller`'s jurisdiction under the filters named in `params` (`kind`,
    /// `stage`, `type`, `region`, `channel`, `unit_id`, `received_from`, `received_to`,
    /// `overdue`, `before`, `limit`).
    pub async fn list_cases<'a>(
        &self,
        caller: &Caller,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ServiceResult<CasePage> {
        let now = self.now();
        let params: Vec<(&str, &str)> = params.into_iter().collect();
        if needs_statistics(params.iter().copied()) {
            return self.list_counted_cases(caller, &params).await;
        }
        let mut filter = CaseFilter::from_params(params.iter().copied(), now)
            .map_err(|e| ServiceError::parameter(&e.field, e.message))?;
        if !params.iter().any(|(k, _)| *k == "limit") {
            filter.limit = DEFAULT_LIMIT;
        }
        filter.within = Some(caller.jurisdiction()?);
        let cases = self.store.search(&filter).await?;
        let cases = self.readable_cases(caller, cases).await?;
        let next_before = (cases.len() == filter.limit as usize)
            .then(|| cases.last().map(|c| c.id))
            .flatten();
        Ok(CasePage {
            items: cases
                .into_iter()
                .map(|c| CaseView::new(c, &self.deadlines, now))
                .collect(),
            next_before,
        })
    }

    /// One page of the cases a statistics filter selects, newest first: the cases behind a
    /// figure of the dashboard. The index follows the store within moments, so a case changed
    /// just now may still be listed as it was counted.
    async fn list_counted_cases(
        &self,
        caller: &Caller,
        params: &[(&str, &str)],
    ) -> ServiceResult<CasePage> {
        let mut before = None;
        let mut limit = DEFAULT_LIMIT;
        let mut filters = Vec::new();
        for (key, value) in params {
            match *key {
                "before" => {
                    before = Some(
                        value
                            .trim()
                            .parse::<i64>()
                            .map_err(|_| ServiceError::parameter("before", "expected a case id"))?,
                    )
                }
                "limit" => {
                    limit = value
                        .trim()
                        .parse()
                        .ok()
                        .filter(|l| (1..=MAX_LIMIT).contains(l))
                        .ok_or_else(|| {
                            ServiceError::parameter(
                                "limit",
                                format!("expected a number from 1 to {MAX_LIMIT}"),
                            )
                        })?
                }
                "unit_id" => {
                    return Err(ServiceError::parameter(
                        "unit_id",
                        "cannot be combined with filters of the statistics",
                    ));
                }
                "group_by" | "measure" => {
                    return Err(ServiceError::parameter(key, "unknown filter"));
                }
                _ => filters.push((*key, *value)),
            }
        }
        let query =
            greenline_stats::Query::from_params(caller.jurisdiction()?, self.now(), filters)
                .map_err(|e| ServiceError::parameter(&e.field, e.error.to_string()))?;
        let ids = self
            .on_statistics(move |index| index.case_ids(&query, before, limit as usize))
            .await?
            .map_err(|e| ServiceError::parameter("query", e.to_string()))?;
        let mut cases = self.store.cases_by_ids(&ids).await?;
        cases.sort_unstable_by_key(|c| std::cmp::Reverse(c.id));
        let cases = self.readable_cases(caller, cases).await?;
        let now = self.now();
        let next_before = (ids.len() == limit as usize)
            .then(|| ids.last().copied())
            .flatten();
        Ok(CasePage {
            items: cases
                .into_iter()
                .map(|c| CaseView::new(c, &self.deadlines, now))
                .collect(),
            next_before,
        })
    }
}
