//! Same-source suggestions (疑似重复举报): a node keeps the earlier cases of the last
//! [`WINDOW_DAYS`] days in a [`SourceIndex`] (their place, time and what identifies their
//! source, not their texts), built at start and kept current from the feed, and asks it for the
//! cases a new or open case may repeat. Every lookup is bounded by the caller's jurisdiction.
//!
//! Building means reading every text of the window and its features, the costliest read of a
//! start. With a snapshot file (`sources_snapshot`; `greenline serve` puts it beside an SQLite
//! file) the cases' features and the feed position they hold are written after a build and
//! then at most every [`snapshot::EVERY`] while cases change; a restart reads them back,
//! leaves out the cases the window has passed, and catches up from the feed. A file written
//! under other feature tables ([`greenline_text::features_fingerprint`]), that cannot be read
//! whole, or whose position lies beyond the store's head is left aside and the index is built.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use greenline_domain::{Case, RegionCode};
use greenline_store::Store;
use greenline_text::{Candidate, SourceFeatures, SourceIndex, features_fingerprint};

use super::analytics::blocking;
use super::{Position, Projection, snapshot};
use crate::Clock;

/// The first bytes of a snapshot file, with its format's version.
const MAGIC: &[u8; 8] = b"GLSRCS01";

/// How far back earlier cases are kept and searched.
pub const WINDOW_DAYS: u32 = 180;
/// The view's name in logs and status.
pub const NAME: &str = "same-source index";
/// Cases read per page while building.
const BUILD_PAGE: u32 = 5_000;

/// The index and the feed position it holds.
#[derive(Debug)]
struct State {
    index: SourceIndex,
    position: Option<Position>,
}

impl State {
    fn empty() -> State {
        State {
            index: SourceIndex::with_window_days(WINDOW_DAYS),
            position: None,
        }
    }
}

/// The index.
#[derive(Debug)]
pub struct Sources {
    state: RwLock<State>,
    clock: Arc<dyn Clock>,
    loaded: AtomicU64,
    snapshot: Option<PathBuf>,
    /// The position of the snapshot found at start, if its header could be read.
    kept: Option<Position>,
    /// The snapshot's cases still wait to be read (by the first update).
    pending: AtomicBool,
    schedule: snapshot::Schedule,
}

/// What the index keeps of one case.
type Entry = (i64, RegionCode, i64, SourceFeatures);

impl Sources {
    /// An empty index, without a snapshot.
    pub fn new(clock: Arc<dyn Clock>) -> Arc<Sources> {
        Sources::open(clock, None)
    }

    /// An empty index that keeps its snapshot in `snapshot`, and resumes from the one there.
    pub fn open(clock: Arc<dyn Clock>, snapshot: Option<&Path>) -> Arc<Sources> {
        let kept = snapshot.and_then(|path| match snapshot::read_header(path, MAGIC) {
            Ok(Some(header)) if header.fingerprint == fingerprint() => Some(header.position),
            Ok(Some(_)) => {
                tracing::info!(
                    "same-source snapshot {}: written under other feature tables; building",
                    path.display()
                );
                None
            }
            Ok(None) => None,
            Err(error) => {
                tracing::warn!("same-source snapshot {}: {error}; building", path.display());
                None
            }
        });
        Arc::new(Sources {
            state: RwLock::new(State::empty()),
            clock,
            loaded: AtomicU64::new(0),
            snapshot: snapshot.map(Path::to_path_buf),
            kept,
            pending: AtomicBool::new(kept.is_some()),
            schedule: snapshot::Schedule::default(),
        })
    }

    /// The start of the window now.
    fn window_start(&self) -> DateTime<Utc> {
        self.clock.now() - chrono::Duration::days(i64::from(WINDOW_DAYS))
    }

    /// Every case of the window, with its text, from the store.
    async fn read_window(&self, store: &Store) -> anyhow::Result<()> {
        let since = self.window_start();
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

    /// Reads the snapshot's cases into the index; false (with the reason logged) if they
    /// cannot be used.
    fn load_snapshot(&self) -> bool {
        let Some(path) = &self.snapshot else {
            return false;
        };
        let since = self.window_start().timestamp_millis();
        match read_snapshot(path, fingerprint(), since) {
            Ok((position, index)) => {
                self.loaded.store(index.len() as u64, Ordering::Relaxed);
                *self.state.write().unwrap_or_else(|e| e.into_inner()) = State {
                    index,
                    position: Some(position),
                };
                true
            }
            Err(error) => {
                tracing::warn!("same-source snapshot {}: {error}; building", path.display());
                false
            }
        }
    }

    /// Writes the snapshot if one is kept and one is due (or `now` says so).
    fn maybe_write_snapshot(&self, now: bool) {
        let Some(path) = &self.snapshot else {
            return;
        };
        if !self.schedule.due(now) {
            return;
        }
        let started = Instant::now();
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let Some(position) = state.position else {
            return;
        };
        match write_snapshot(path, fingerprint(), position, &state.index) {
            Ok(()) => tracing::info!(
                "same-source snapshot written: {} cases in {:.1} s",
                state.index.len(),
                started.elapsed().as_secs_f64()
            ),
            Err(error) => {
                tracing::error!("same-source snapshot {}: {error}", path.display());
            }
        }
        self.schedule.written();
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
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        for (id, region, at, features) in &extracted {
            state.index.insert(*id, *region, *at, features);
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
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let mut found = state.index.candidates(
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

    fn resume_from(&self) -> Option<Position> {
        self.kept
    }

    async fn build(&self, store: &Store, head: Position) -> anyhow::Result<()> {
        self.pending.store(false, Ordering::Relaxed);
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = State::empty();
        self.loaded.store(0, Ordering::Relaxed);
        self.read_window(store).await?;
        self.state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .position = Some(head);
        Ok(())
    }

    async fn apply(&self, store: &Store, cases: &[Case], position: Position) -> anyhow::Result<()> {
        if self.pending.swap(false, Ordering::Relaxed) {
            let loaded = self.snapshot.is_some() && blocking(|| self.load_snapshot());
            if !loaded {
                // Every case of the window as it is now; the changes after the kept position
                // come again below and after, and reading a case twice replaces it.
                self.read_window(store).await?;
            }
        }
        self.insert(
            cases
                .iter()
                .map(|c| (c.id, c.region, c.received_at, c.description.clone()))
                .collect(),
        )
        .await?;
        self.state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .position = Some(position);
        let first = self.schedule.never_written();
        if self.snapshot.is_some() && (!cases.is_empty() || first) {
            blocking(|| self.maybe_write_snapshot(false));
        }
        Ok(())
    }

    fn loaded(&self) -> u64 {
        self.loaded.load(Ordering::Relaxed)
    }

    fn held(&self) -> u64 {
        self.state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .index
            .len() as u64
    }

    /// Reading features is the costliest update of a node's views: under a stream of new
    /// cases they are taken half a second's worth at a time, leaving the CPU to intake, and a
    /// repeat is still suggested within a second of its first.
    fn pause_after_apply(&self) -> Duration {
        Duration::from_millis(500)
    }
}

/// The snapshot's position and index (without the cases received before `since_ms`), if it is
/// whole and was written under these feature tables.
fn read_snapshot(
    path: &Path,
    fingerprint: [u8; 8],
    since_ms: i64,
) -> anyhow::Result<(Position, SourceIndex)> {
    snapshot::read(path, MAGIC, fingerprint, |header, input| {
        let mut index = SourceIndex::with_window_days(WINDOW_DAYS);
        index.read_cases(input, header.count, since_ms)?;
        Ok(index)
    })
}

/// Writes the snapshot of `index` at `position` to `path`.
fn write_snapshot(
    path: &Path,
    fingerprint: [u8; 8],
    position: Position,
    index: &SourceIndex,
) -> std::io::Result<()> {
    snapshot::write(
        path,
        MAGIC,
        fingerprint,
        position,
        index.len() as u64,
        |out| index.write_cases(out),
    )
}

/// The fingerprint of the feature tables, as the snapshot's header keeps it.
fn fingerprint() -> [u8; 8] {
    features_fingerprint().to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_the_window_and_refuses_other_tables_or_a_cut() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sources");
        let day = 86_400_000;
        let now = 1_790_000_000_000_i64;
        let mut index = SourceIndex::with_window_days(WINDOW_DAYS);
        let region = RegionCode::parse("440305").expect("a county");
        index.insert_text(
            7,
            region,
            now - 400 * day,
            "宏达塑料厂天天排黑烟，气味刺鼻。",
        );
        index.insert_text(8, region, now - 3 * day, "宏达塑料厂晚上偷偷排废气，呛人。");
        index.insert_text(9, region, now - day, "锦苑小区3栋楼下烧烤店油烟扰民。");
        let position = Position::default();
        let print = fingerprint();
        write_snapshot(&path, print, position, &index).expect("written");
        let header = snapshot::read_header(&path, MAGIC)
            .expect("read")
            .expect("a header");
        assert_eq!(header.count, 3);

        // The case the window has passed is left out; the others are found as before.
        let since = now - i64::from(WINDOW_DAYS) * day;
        let (at, again) = read_snapshot(&path, print, since).expect("read back");
        assert_eq!(at, position);
        assert_eq!(again.len(), 2);
        let text = "宏达塑料厂又在排废气";
        let features = SourceFeatures::extract(text);
        let ids = |index: &SourceIndex| -> Vec<i64> {
            index
                .candidates(RegionCode::NATIONAL, region, now, &features, 5)
                .iter()
                .map(|c| c.case_id)
                .collect()
        };
        assert_eq!(
            ids(&again),
            vec![8],
            "the repeat is found from the snapshot"
        );
        assert_eq!(ids(&again), ids(&index));

        let mut other = print;
        other[0] ^= 1;
        assert!(read_snapshot(&path, other, since).is_err());
        // A file cut short is refused, not half read.
        let bytes = std::fs::read(&path).expect("bytes");
        std::fs::write(&path, &bytes[..bytes.len() - 10]).expect("cut");
        assert!(read_snapshot(&path, print, since).is_err());
    }
}
