//! The full-text index the server keeps: opened at start, built from the store when it is new
//! (or belongs to another database), then kept current from the event log (see [`crate::follow`]):
//! the cases of new events are read again with their texts, replaced in the index and committed.
//!
//! On disk (`web.search_dir`; `greenline serve` puts it beside an SQLite file) every commit
//! records the event watermark it has reached, so a restart only catches up on the events
//! since. Without a directory the index lives in memory and is built at every start. An index
//! whose watermark lies beyond the store's log was written for another database: it is emptied
//! and built again.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use greenline_search::SearchIndex;
use greenline_store::Store;

use crate::follow::{Follower, follow};

/// Cases read per page while building.
const BUILD_PAGE: u32 = 2_000;
/// Time between two commits while cases keep arriving.
const COMMIT_PAUSE: Duration = Duration::from_secs(1);

/// The index and how far it has got.
#[derive(Debug)]
pub struct CaseSearch {
    /// `None` if no index could be opened at all (then searches answer 503).
    index: Option<Arc<SearchIndex>>,
    ready: AtomicBool,
    /// Cases read so far by a build.
    loaded: AtomicU64,
}

impl CaseSearch {
    /// Opens the index in `dir`, or in memory without one (or if `dir` cannot be opened, e.g.
    /// because another server holds it). Answers nothing until [`CaseSearch::start`] has
    /// caught up.
    pub fn open(dir: Option<&Path>) -> Arc<CaseSearch> {
        let index = match dir.map(SearchIndex::open) {
            Some(Ok(index)) => Ok(index),
            Some(Err(error)) => {
                tracing::error!("search index: {error}; keeping it in memory instead");
                SearchIndex::open_in_ram()
            }
            None => SearchIndex::open_in_ram(),
        };
        let index = index
            .map_err(|error| tracing::error!("search index: {error}; search is off"))
            .ok();
        Arc::new(CaseSearch {
            index: index.map(Arc::new),
            ready: AtomicBool::new(false),
            loaded: AtomicU64::new(0),
        })
    }

    /// Brings the index up to date with `store` and keeps it so until the process ends (or the
    /// task is aborted).
    pub fn start(self: &Arc<Self>, store: Store) -> tokio::task::JoinHandle<()> {
        let Some(index) = self.index.clone() else {
            return tokio::spawn(async {});
        };
        let search = self.clone();
        tokio::spawn(async move {
            let watermark = loop {
                match search.catch_up(&index, &store).await {
                    Ok(watermark) => break watermark,
                    Err(error) => {
                        tracing::error!("building the search index: {error:#}");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            };
            search.ready.store(true, Ordering::Release);
            follow(&Refresher(index), &store, watermark, "search index").await;
        })
    }

    /// The watermark to refresh from: the index's own if it has one from this store, else that
    /// of a build from scratch.
    async fn catch_up(&self, index: &Arc<SearchIndex>, store: &Store) -> anyhow::Result<i64> {
        let latest = store.event_watermark().await?;
        if let Some(watermark) = index.watermark()
            && watermark <= latest
        {
            tracing::info!(
                "search index holds {} cases up to event {watermark}; catching up to {latest}",
                index.len()
            );
            return Ok(watermark);
        }
        self.loaded.store(0, Ordering::Relaxed);
        blocking(index, SearchIndex::clear).await?;
        let mut after = 0;
        loop {
            let cases = store.cases_with_text(after, BUILD_PAGE).await?;
            let Some(last) = cases.last() else { break };
            after = last.id;
            let count = cases.len() as u64;
            blocking(index, move |index| index.add_new(&cases)).await?;
            self.loaded.fetch_add(count, Ordering::Relaxed);
        }
        blocking(index, move |index| index.commit_at(latest)).await?;
        tracing::info!(
            "search index built: {} cases up to event {latest}",
            index.len()
        );
        Ok(latest)
    }

    /// Whether the index has caught up with the store once.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Cases read by a build so far.
    pub fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    /// The index, once it has caught up.
    pub fn index(&self) -> Option<&Arc<SearchIndex>> {
        self.index.as_ref().filter(|_| self.is_ready())
    }
}

/// Runs `work` on the index on a blocking thread: tantivy writes and commits block.
async fn blocking<T: Send + 'static>(
    index: &Arc<SearchIndex>,
    work: impl FnOnce(&SearchIndex) -> Result<T, greenline_search::SearchError> + Send + 'static,
) -> anyhow::Result<T> {
    let index = index.clone();
    Ok(tokio::task::spawn_blocking(move || work(&index)).await??)
}

/// Keeps the index current: changed cases are read again with their texts, replaced in the
/// index and committed with the watermark reached.
struct Refresher(Arc<SearchIndex>);

impl Follower for Refresher {
    async fn reread(&self, store: &Store, case_ids: &[i64], reached: i64) -> anyhow::Result<()> {
        let cases = store.cases_with_text_by_id(case_ids).await?;
        blocking(&self.0, move |index| {
            index.upsert(&cases)?;
            index.commit_at(reached)
        })
        .await
    }

    /// Every update is a commit, with a new segment to merge later: at most one a second.
    fn pause_after_changes(&self) -> Duration {
        COMMIT_PAUSE
    }
}
