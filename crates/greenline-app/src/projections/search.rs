//! The full-text index a node keeps (`greenline-search`): opened at start, built from the store
//! when it is new (or belongs to another database), then kept current from the feed: changed
//! cases replace what it held of them, and every update is committed with the feed position
//! reached.
//!
//! On disk (`search_dir`; `greenline serve` puts it beside an SQLite file) a restart resumes from
//! the position of the last commit instead of building again. Without a directory the index
//! lives in memory and is built at every start. An index whose position lies beyond the store's
//! head was written for another database: it is emptied and built again.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use greenline_domain::Case;
use greenline_search::SearchIndex;
use greenline_store::Store;
use greenline_text::pii::Identity;

use super::{Position, Projection};

/// The view's name in logs and status.
pub const NAME: &str = "search index";
/// Cases read per page while building.
const BUILD_PAGE: u32 = 2_000;
/// Time between two commits while cases keep arriving: two segments a second to merge later,
/// and a new case searchable within a second.
const COMMIT_PAUSE: Duration = Duration::from_millis(500);

/// The index and how far it has got.
#[derive(Debug)]
pub struct CaseSearch {
    /// `None` if no index could be opened at all (then searches are unavailable).
    index: Option<Arc<SearchIndex>>,
    /// The position its last commit recorded, when it was opened.
    kept: Option<Position>,
    ready: AtomicBool,
    /// Cases read so far by a build.
    loaded: AtomicU64,
}

impl CaseSearch {
    /// Opens the index in `dir`, or in memory without one (or if `dir` cannot be opened, e.g.
    /// because another server holds it).
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
        let kept = index
            .as_ref()
            .and_then(SearchIndex::watermark)
            .and_then(|text| super::feed::from_text(&text));
        Arc::new(CaseSearch {
            index: index.map(Arc::new),
            kept,
            ready: AtomicBool::new(false),
            loaded: AtomicU64::new(0),
        })
    }

    /// Cases read by a build so far.
    pub fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    /// The index, once it has been built or resumed.
    pub fn index(&self) -> Option<&Arc<SearchIndex>> {
        self.index
            .as_ref()
            .filter(|_| self.ready.load(Ordering::Acquire))
    }
}

/// The reporters of `cases`, for the index's masked texts.
async fn identities(store: &Store, cases: &[Case]) -> anyhow::Result<HashMap<i64, Identity>> {
    if cases.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = cases.iter().map(|c| c.id).collect();
    Ok(store
        .identities_to_mask(&ids)
        .await?
        .into_iter()
        .map(|(id, (name, phone))| (id, Identity { name, phone }))
        .collect())
}

/// Runs `work` on the index on a blocking thread: tantivy writes and commits block.
async fn blocking<T: Send + 'static>(
    index: &Arc<SearchIndex>,
    work: impl FnOnce(&SearchIndex) -> Result<T, greenline_search::SearchError> + Send + 'static,
) -> anyhow::Result<T> {
    let index = index.clone();
    Ok(tokio::task::spawn_blocking(move || work(&index)).await??)
}

#[async_trait::async_trait]
impl Projection for CaseSearch {
    fn name(&self) -> &'static str {
        NAME
    }

    fn resume_from(&self) -> Option<Position> {
        self.kept
    }

    async fn build(&self, store: &Store, head: Position) -> anyhow::Result<()> {
        let Some(index) = &self.index else {
            return Ok(());
        };
        self.loaded.store(0, Ordering::Relaxed);
        blocking(index, SearchIndex::clear).await?;
        let mut after = 0;
        loop {
            let cases = store.cases_with_text(after, BUILD_PAGE).await?;
            let Some(last) = cases.last() else { break };
            after = last.id;
            let count = cases.len() as u64;
            let known = identities(store, &cases).await?;
            blocking(index, move |index| index.add_new_knowing(&cases, &known)).await?;
            self.loaded.fetch_add(count, Ordering::Relaxed);
        }
        let at = super::feed::to_text(&head);
        blocking(index, move |index| index.commit_at(&at)).await?;
        tracing::info!("search index built: {} cases", index.len());
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    async fn apply(&self, store: &Store, cases: &[Case], position: Position) -> anyhow::Result<()> {
        let Some(index) = &self.index else {
            return Ok(());
        };
        let known = identities(store, cases).await?;
        // A position that moved without a change is not worth a commit: after a restart the
        // few events since the last one are read again.
        if !cases.is_empty() {
            let cases = cases.to_vec();
            let at = super::feed::to_text(&position);
            blocking(index, move |index| {
                index.upsert_knowing(&cases, &known)?;
                index.commit_at(&at)
            })
            .await?;
        }
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    fn held(&self) -> u64 {
        self.index.as_ref().map_or(0, |index| index.len())
    }

    /// Every update is a commit, with a new segment to merge later: at most two a second.
    fn pause_after_apply(&self) -> Duration {
        COMMIT_PAUSE
    }
}
