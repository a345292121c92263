//! The cases of a jurisdiction under filters, newest first, a page at a time.

use greenline_store::CaseFilter;

use crate::error::{ServiceError, ServiceResult};
use crate::views::{CasePage, CaseView};
use crate::{App, Caller};

const DEFAULT_LIMIT: u32 = 50;

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
}
