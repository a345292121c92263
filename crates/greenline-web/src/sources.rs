//! Same-source suggestions (疑似重复举报): the server keeps the earlier cases of the last
//! [`WINDOW_DAYS`] days in a [`SourceIndex`] (their place, time and what identifies their
//! source, not their texts), built at start and kept current from the event log, and asks it
//! for the cases a new or open case may repeat. Every lookup is bounded by the caller's
//! jurisdiction.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use greenline_domain::RegionCode;
use greenline_store::{SourceText, Store};
use greenline_text::{Candidate, SourceFeatures, SourceIndex};

use crate::Clock;
use crate::follow::{Follower, follow};

/// How far back earlier cases are kept and searched.
pub const WINDOW_DAYS: u32 = 180;
/// Cases read per page while building.
const BUILD_PAGE: u32 = 5_000;

/// The index and whether it is built.
#[derive(Debug)]
pub struct Sources {
    index: RwLock<SourceIndex>,
    ready: AtomicBool,
}

impl Sources {
    pub fn new() -> Arc<Sources> {
        Arc::new(Sources {
            index: RwLock::new(SourceIndex::with_window_days(WINDOW_DAYS)),
            ready: AtomicBool::new(false),
        })
    }

    /// Builds the index from the cases of the window before `clock`'s now, then follows the
    /// event log until the process ends.
    pub fn start(self: &Arc<Self>, store: Store, clock: Arc<dyn Clock>) {
        let sources = self.clone();
        tokio::spawn(async move {
            let watermark = loop {
                match sources.build(&store, clock.now()).await {
                    Ok(watermark) => break watermark,
                    Err(error) => {
                        tracing::error!("building the same-source index: {error:#}");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            };
            sources.ready.store(true, Ordering::Release);
            follow(sources.as_ref(), &store, watermark, "same-source index").await;
        });
    }

    async fn build(&self, store: &Store, now: DateTime<Utc>) -> anyhow::Result<i64> {
        let watermark = store.event_watermark().await?;
        let since = now - chrono::Duration::days(i64::from(WINDOW_DAYS));
        let mut after = 0;
        loop {
            let page = store.source_texts(since, after, BUILD_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            self.insert(page).await?;
        }
        Ok(watermark)
    }

    /// Extracts the features off the async threads, then holds the lock only to insert.
    async fn insert(&self, texts: Vec<SourceText>) -> anyhow::Result<()> {
        let extracted = tokio::task::spawn_blocking(move || {
            texts
                .into_iter()
                .map(|t| {
                    let features = SourceFeatures::extract(&t.description);
                    (t.id, t.region, t.received_at.timestamp_millis(), features)
                })
                .collect::<Vec<_>>()
        })
        .await?;
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        for (id, region, at, features) in &extracted {
            index.insert(*id, *region, *at, features);
        }
        Ok(())
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
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

impl Follower for Sources {
    async fn reread(&self, store: &Store, case_ids: &[i64], _reached: i64) -> anyhow::Result<()> {
        let texts = store.source_texts_by_id(case_ids).await?;
        self.insert(texts).await
    }

    /// Reading texts and their features is the costliest update of the server's indexes, and a
    /// repeat report rarely follows its first within a second: under a stream of new cases they
    /// are taken a second's worth at a time, leaving the CPU to intake.
    fn pause_after_changes(&self) -> Duration {
        Duration::from_secs(1)
    }
}
