//! The statistics index a node keeps (`greenline-stats`): every case's facts, built from the
//! store at start (without the texts) and kept current from the feed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use greenline_domain::{Case, DeadlineTable};
use greenline_stats::{CaseFacts, Index, Query, QueryResult, StatsError};
use greenline_store::Store;

use super::{Position, Projection};

/// The view's name in logs and status.
pub const NAME: &str = "statistics";
/// Cases read per page while building.
const BUILD_PAGE: u32 = 5_000;

/// The index and how far its build has got.
#[derive(Debug)]
pub struct Analytics {
    index: RwLock<Index>,
    /// Cases read so far by the build.
    loaded: AtomicU64,
    deadlines: Arc<DeadlineTable>,
}

impl Analytics {
    /// An empty index.
    pub fn new(deadlines: Arc<DeadlineTable>) -> Arc<Analytics> {
        Arc::new(Analytics {
            index: RwLock::new(Index::new()),
            loaded: AtomicU64::new(0),
            deadlines,
        })
    }

    /// Every case of `store`, read a page at a time: the build of a node's view, and of the
    /// command line's offline statistics.
    pub async fn read_all(&self, store: &Store) -> anyhow::Result<()> {
        let mut after = 0;
        loop {
            let cases = store.cases_without_text(after, BUILD_PAGE).await?;
            let Some(last) = cases.last() else { break };
            after = last.id;
            self.upsert(&cases);
            self.loaded.fetch_add(cases.len() as u64, Ordering::Relaxed);
        }
        Ok(())
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

    /// Takes the index out (for a command that built it once and only reads it).
    pub fn into_index(self) -> Index {
        self.index.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl Projection for Analytics {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn build(&self, store: &Store, _head: Position) -> anyhow::Result<()> {
        *self.index.write().unwrap_or_else(|e| e.into_inner()) = Index::new();
        self.loaded.store(0, Ordering::Relaxed);
        self.read_all(store).await
    }

    async fn apply(
        &self,
        _store: &Store,
        cases: &[Case],
        _position: Position,
    ) -> anyhow::Result<()> {
        self.upsert(cases);
        Ok(())
    }

    fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    fn held(&self) -> u64 {
        self.len() as u64
    }
}
