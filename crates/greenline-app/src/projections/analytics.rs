//! The statistics index a node keeps (`greenline-stats`): every case's facts, built from the
//! store at start (without the texts) and kept current from the feed.
//!
//! With a snapshot file (`stats_snapshot`; `greenline serve` puts it beside an SQLite file) a
//! restart does not read every case again: the facts and the feed position they hold are
//! written to the file after a build and then at most every [`snapshot::EVERY`] while cases
//! change, and at start the view resumes from the file's position, reading the facts back
//! (48 bytes a case) and catching up from the feed. A file whose deadline table differs from
//! the node's (the on-time figures would be stale), that cannot be read whole, or whose
//! position lies beyond the store's head (another database) is left aside and the view is
//! built from the store.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use greenline_domain::{Case, CaseKind, DeadlineTable, RegionCode};
use greenline_stats::{CaseFacts, FACT_BYTES, Index, Query, QueryResult, StatsError};
use greenline_store::Store;
use sha2::{Digest, Sha256};

use super::{Position, Projection, snapshot};

/// The view's name in logs and status.
pub const NAME: &str = "statistics";
/// Cases read per page while building.
const BUILD_PAGE: u32 = 5_000;
/// The first bytes of a snapshot file, with its format's version.
const MAGIC: &[u8; 8] = b"GLSTATS1";

/// The index and the feed position it holds.
#[derive(Debug, Default)]
struct State {
    index: Index,
    position: Option<Position>,
}

/// The index and how far its build has got.
#[derive(Debug)]
pub struct Analytics {
    state: RwLock<State>,
    /// Cases read so far by the build.
    loaded: AtomicU64,
    deadlines: Arc<DeadlineTable>,
    snapshot: Option<PathBuf>,
    /// The position of the snapshot found at start, if its header could be read.
    kept: Option<Position>,
    /// The snapshot's facts still wait to be read (by the first update).
    pending: AtomicBool,
    schedule: snapshot::Schedule,
}

impl Analytics {
    /// An empty index, without a snapshot.
    pub fn new(deadlines: Arc<DeadlineTable>) -> Arc<Analytics> {
        Analytics::open(deadlines, None)
    }

    /// An empty index that keeps its snapshot in `snapshot`, and resumes from the one there.
    pub fn open(deadlines: Arc<DeadlineTable>, snapshot: Option<&Path>) -> Arc<Analytics> {
        let kept = snapshot.and_then(|path| match snapshot::read_header(path, MAGIC) {
            Ok(header) => header.map(|h| h.position),
            Err(error) => {
                tracing::warn!("statistics snapshot {}: {error}; building", path.display());
                None
            }
        });
        Arc::new(Analytics {
            state: RwLock::new(State::default()),
            loaded: AtomicU64::new(0),
            deadlines,
            snapshot: snapshot.map(Path::to_path_buf),
            kept,
            pending: AtomicBool::new(kept.is_some()),
            schedule: snapshot::Schedule::default(),
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
            self.upsert(&cases, None);
            self.loaded.fetch_add(cases.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }

    fn upsert(&self, cases: &[Case], position: Option<Position>) {
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
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        for (id, facts) in &facts {
            state.index.upsert(*id, facts);
        }
        if position.is_some() {
            state.position = position;
        }
    }

    /// Cases in the index.
    pub fn len(&self) -> usize {
        self.state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .index
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Answers a query (blocking: call it off the async threads).
    pub fn query(&self, query: &Query) -> Result<QueryResult, StatsError> {
        self.state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .index
            .query(query)
    }

    /// Runs `f` with the index (blocking: call it off the async threads).
    pub fn with_index<T>(&self, f: impl FnOnce(&Index) -> T) -> T {
        f(&self.state.read().unwrap_or_else(|e| e.into_inner()).index)
    }

    /// Takes the index out (for a command that built it once and only reads it).
    pub fn into_index(self) -> Index {
        self.state
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .index
    }

    /// Reads the snapshot's facts into the index; false (with the reason logged) if they
    /// cannot be used.
    fn load_snapshot(&self) -> bool {
        let Some(path) = &self.snapshot else {
            return false;
        };
        match read_snapshot(path, fingerprint(&self.deadlines)) {
            Ok((position, index)) => {
                self.loaded.store(index.len() as u64, Ordering::Relaxed);
                *self.state.write().unwrap_or_else(|e| e.into_inner()) = State {
                    index,
                    position: Some(position),
                };
                true
            }
            Err(error) => {
                tracing::warn!("statistics snapshot {}: {error}; building", path.display());
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
        match write_snapshot(path, fingerprint(&self.deadlines), position, &state.index) {
            Ok(()) => tracing::info!(
                "statistics snapshot written: {} cases in {:.1} s",
                state.index.len(),
                started.elapsed().as_secs_f64()
            ),
            Err(error) => {
                tracing::error!("statistics snapshot {}: {error}", path.display());
            }
        }
        self.schedule.written();
    }
}

/// A digest of the time limits of every kind of case in every region: facts computed under
/// other limits (on time or not) are stale.
fn fingerprint(deadlines: &DeadlineTable) -> [u8; 8] {
    let mut digest = Sha256::new();
    for kind in CaseKind::CASES {
        for region in RegionCode::all() {
            digest.update(format!(
                "{kind:?}{:?}",
                deadlines.limits_for(kind, region.code)
            ));
        }
    }
    let full = digest.finalize();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    out
}

/// The snapshot's position and index, if it is whole and was written under these limits.
fn read_snapshot(path: &Path, expected: [u8; 8]) -> anyhow::Result<(Position, Index)> {
    snapshot::read(path, MAGIC, expected, |header, input| {
        let mut rows = Vec::with_capacity(usize::try_from(header.count).unwrap_or(0).min(1 << 26));
        let mut id = [0u8; 8];
        let mut bytes = [0u8; FACT_BYTES];
        for _ in 0..header.count {
            input.read_exact(&mut id)?;
            input.read_exact(&mut bytes)?;
            let facts = CaseFacts::from_bytes(&bytes)
                .ok_or_else(|| anyhow::anyhow!("a case's facts are outside the dictionaries"))?;
            rows.push((i64::from_le_bytes(id), facts));
        }
        Ok(Index::build(rows))
    })
}

/// Writes the snapshot of `index` at `position` to `path`.
fn write_snapshot(
    path: &Path,
    fingerprint: [u8; 8],
    position: Position,
    index: &Index,
) -> std::io::Result<()> {
    snapshot::write(
        path,
        MAGIC,
        fingerprint,
        position,
        index.len() as u64,
        |out| {
            let mut written = 0;
            for (id, facts) in index.rows() {
                out.write_all(&id.to_le_bytes())?;
                out.write_all(&facts.to_bytes())?;
                written += 1;
            }
            Ok(written)
        },
    )
}

/// Runs blocking file work on this task's thread, telling a multi-threaded runtime so that it
/// moves its other tasks away meanwhile.
pub(super) fn blocking<T>(work: impl FnOnce() -> T) -> T {
    let multi = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if multi {
        tokio::task::block_in_place(work)
    } else {
        work()
    }
}

#[async_trait::async_trait]
impl Projection for Analytics {
    fn name(&self) -> &'static str {
        NAME
    }

    fn resume_from(&self) -> Option<Position> {
        self.kept
    }

    async fn build(&self, store: &Store, head: Position) -> anyhow::Result<()> {
        self.pending.store(false, Ordering::Relaxed);
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = State::default();
        self.loaded.store(0, Ordering::Relaxed);
        self.read_all(store).await?;
        self.state
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .position = Some(head);
        Ok(())
    }

    async fn apply(&self, store: &Store, cases: &[Case], position: Position) -> anyhow::Result<()> {
        // Reading and writing the snapshot block this task's thread for a second or two (the
        // server's runtime has others); without a snapshot nothing blocks.
        if self.pending.swap(false, Ordering::Relaxed) {
            let loaded = self.snapshot.is_some() && blocking(|| self.load_snapshot());
            if !loaded {
                // Every case as it is now; the changes after the kept position come again
                // below and after, and replacing a case's facts twice changes nothing.
                self.read_all(store).await?;
            }
        }
        self.upsert(cases, Some(position));
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
        self.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_what_was_written_and_refuses_other_limits() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("stats");
        let deadlines = DeadlineTable::statutory();
        let mut index = Index::new();
        let facts = CaseFacts::from_bytes(&[0u8; FACT_BYTES]).expect("facts");
        index.upsert(7, &facts);
        index.upsert(9, &facts);
        let position = Position::default();
        let print = fingerprint(&deadlines);
        write_snapshot(&path, print, position, &index).expect("written");
        let header = snapshot::read_header(&path, MAGIC)
            .expect("read")
            .expect("a header");
        assert_eq!(header.count, 2);
        let (at, again) = read_snapshot(&path, print).expect("read back");
        assert_eq!(at, position);
        assert_eq!(
            again.rows().collect::<Vec<_>>(),
            index.rows().collect::<Vec<_>>()
        );
        let mut other = print;
        other[0] ^= 1;
        assert!(read_snapshot(&path, other).is_err());
        // A file cut short is refused, not half read.
        let bytes = std::fs::read(&path).expect("bytes");
        std::fs::write(&path, &bytes[..bytes.len() - 10]).expect("cut");
        assert!(read_snapshot(&path, print).is_err());
    }
}
