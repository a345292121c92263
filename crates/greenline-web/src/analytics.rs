//! The analytics index the server keeps: built from the store when the server starts, then
//! kept current from the event log, so that every change of a case, made through this server,
//! another one or an import, reaches the statistics within a fraction of a second.
//!
//! The build reads the cases in id order without their texts; it notes the event log's
//! watermark first, so a case changed while the build runs is read again afterwards; then it
//! follows the event log ([`crate::follow`]). Reading a case twice is harmless: an upsert
//! overwrites its facts.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use greenline_domain::{Case, DeadlineTable};
use greenline_stats::{CaseFacts, Index, Query, QueryResult, StatsError};
use greenline_store::Store;

use crate::follow::{Follower, follow};

/// Cases read per page while building.
const BUILD_PAGE: u32 = 5_000;

/// The index and how far it has got.
#[derive(Debug)]
pub struct Analytics {
    index: RwLock<Index>,
    ready: AtomicBool,
    /// Cases read so far by the build.
    loaded: AtomicU64,
    deadlines: Arc<DeadlineTable>,
}

impl Analytics {
    /// An empty index that answers nothing until [`Analytics::start`] has built it.
    pub fn new(deadlines: Arc<DeadlineTable>) -> Arc<Analytics> {
        Arc::new(Analytics {
            index: RwLock::new(Index::new()),
            ready: AtomicBool::new(false),
            loaded: AtomicU64::new(0),
            deadlines,
        })
    }

    /// Builds the index from `store` and keeps it current until the process ends.
    pub fn start(self: &Arc<Self>, store: Store) {
        let analytics = self.clone();
        tokio::spawn(async move {
            let watermark = loop {
                match analytics.build(&store).await {
                    Ok(watermark) => break watermark,
                    Err(error) => {
                        tracing::error!("building the analytics index: {error:#}");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            };
            analytics.ready.store(true, Ordering::Release);
            follow(analytics.as_ref(), &store, watermark, "analytics index").await;
        });
    }

    /// Reads every case into the index; returns the event watermark it started from.
    async fn build(&self, store: &Store) -> anyhow::Result<i64> {
        let watermark = store.event_watermark().await?;
        let mut after = 0;
        loop {
            let cases = store.cases_without_text(after, BUILD_PAGE).await?;
            let Some(last) = cases.last() else { break };
            after = last.id;
            self.upsert(&cases);
            self.loaded.fetch_add(cases.len() as u64, Ordering::Relaxed);
        }
        Ok(watermark)
    }

    fn upsert(&self, cases: &[Case]) {
        // Facts are computed before the write lock is taken, so queries wait only for the
        // copy into the columns.
        let facts: Vec<(i64, CaseFacts)> = cases
            .iter()
            .filter_map(|case| {
                // A case merged into an earlier report of its source counts as a repeat.
                match CaseFacts::from_case(case, case.repeat_of.is_some(), &self.deadlines) {
                    Ok(facts) => Some((case.id, facts)),
                    Err(error) => {
                        tracing::warn!("case {} left out of analytics: {error}", case.id);
                        None
                    }
                }
            })
            .collect();
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        for (id, facts) in &facts {
            index.upsert(*id, facts);
        }
    }

    /// Whether the build has finished.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Cases read by the build so far.
    pub fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    /// Cases in the index.
    pub fn len(&self) -> usize {
        self.index.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Answers a query (blocking: call it off the async threads).
    pub fn query(&self, query: &Query) -> Result<QueryResult, StatsError> {
        self.index
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .query(query)
    }

    /// Runs `f` with the index (blocking: call it off the async threads).
    pub fn with_index<T>(&self, f: impl FnOnce(&Index) -> T) -> T {
        f(&self.index.read().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Follower for Analytics {
    async fn reread(&self, store: &Store, case_ids: &[i64], _reached: i64) -> anyhow::Result<()> {
        let cases = store.cases_without_text_by_id(case_ids).await?;
        self.upsert(&cases);
        Ok(())
    }
}
