//! Same-source suggestions (疑似重复举报): a node keeps the earlier cases of the last
//! [`WINDOW_DAYS`] days in a [`SourceIndex`] (their place, time and what identifies their
//! source, not their texts), built at start and kept current from the feed, and asks it for the
//! cases a new or open case may repeat. Every lookup is bounded by the caller's jurisdiction.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use greenline_domain::{Case, RegionCode};
use greenline_store::Store;
use greenline_text::{Candidate, SourceFeatures, SourceIndex};

use super::{Position, Projection};
use crate::Clock;

/// How far back earlier cases are kept and searched.
pub const WINDOW_DAYS: u32 = 180;
/// The view's name in logs and status.
pub const NAME: &str = "same-source index";
/// Cases read per page while building.
const BUILD_PAGE: u32 = 5_000;

/// The index.
#[derive(Debug)]
pub struct Sources {
    index: RwLock<SourceIndex>,
    clock: Arc<dyn Clock>,
    loaded: AtomicU64,
}

/// What the index keeps of one case.
type Entry = (i64, RegionCode, i64, SourceFeatures);

impl Sources {
    pub fn new(clock: Arc<dyn Clock>) -> Arc<Sources> {
        Arc::new(Sources {
            index: RwLock::new(SourceIndex::with_window_days(WINDOW_DAYS)),
            clock,
            loaded: AtomicU64::new(0),
        })
    }

    /// Reads the features off the async threads, then holds the lock only to insert.
    async fn insert(
        &self,
        texts: Vec<(i64, RegionCode, DateTime<Utc>, String)>,
    ) -> anyhow::Result<()> {
        let extracted: Vec<Entry> = tokio::task::spawn_blocking(move || {
            texts
                .into_iter()
                .map(|(id, region, at, text)| {
                    (
                        id,
                        region,
                        at.timestamp_millis(),
                        SourceFeatures::extract(&text),
                    )
                })
                .collect()
        })
        .await?;
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        for (id, region, at, features) in &extracted {
            index.insert(*id, *region, *at, features);
        }
        Ok(())
    }

    /// Earlier cases (up to `limit`, best first) that the text of a case received at `at` in
    /// `region` may repeat, within `scope`; `exclude` names cases not to return (the case
    /// itself, its group). Blocking: call it off the async threads.
    pub fn candidates(
        &self,
        scope: RegionCode,
        region: RegionCode,
        at: DateTime<Utc>,
        text: &str,
        exclude: &[i64],
        limit: usize,
    ) -> Vec<Candidate> {
        let features = SourceFeatures::extract(text);
        let index = self.index.read().unwrap_or_else(|e| e.into_inner());
        let mut found = index.candidates(
            scope,
            region,
            at.timestamp_millis(),
            &features,
            limit + exclude.len(),
        );
        found.retain(|c| !exclude.contains(&c.case_id));
        found.truncate(limit);
        found
    }
}

#[async_trait::async_trait]
impl Projection for Sources {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn build(&self, store: &Store, _head: Position) -> anyhow::Result<()> {
        *self.index.write().unwrap_or_else(|e| e.into_inner()) =
            SourceIndex::with_window_days(WINDOW_DAYS);
        self.loaded.store(0, Ordering::Relaxed);
        let since = self.clock.now() - chrono::Duration::days(i64::from(WINDOW_DAYS));
        let mut after = 0;
        loop {
            let page = store.source_texts(since, after, BUILD_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            self.loaded.fetch_add(page.len() as u64, Ordering::Relaxed);
            self.insert(
                page.into_iter()
                    .map(|t| (t.id, t.region, t.received_at, t.description))
                    .collect(),
            )
            .await?;
        }
        Ok(())
    }

    async fn apply(
        &self,
        _store: &Store,
        cases: &[Case],
        _position: Position,
    ) -> anyhow::Result<()> {
        self.insert(
            cases
                .iter()
                .map(|c| (c.id, c.region, c.received_at, c.description.clone()))
                .collect(),
        )
        .await
    }

    fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    fn held(&self) -> u64 {
        self.index.read().unwrap_or_else(|e| e.into_inner()).len() as u64
    }

    /// Reading features is the costliest update of a node's views: under a stream of new
    /// cases they are taken half a second's worth at a time, leaving the CPU to intake, and a
    /// repeat is still suggested within a second of its first.
    fn pause_after_apply(&self) -> Duration {
        Duration::from_millis(500)
    }
}
