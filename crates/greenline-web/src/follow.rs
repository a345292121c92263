//! Following the event log: the indexes the server keeps (statistics, same-source detection,
//! full-text search) learn of every change of a case — made through this server, another one or an
//! import — by polling for events above a watermark and reading their cases again.
//!
//! Each poll reads again the last [`REREAD_EVENTS`] events: on PostgreSQL two transactions may
//! commit their events in the other order than their ids, and a late one would otherwise be
//! skipped. Reading a case twice is harmless: the indexes replace what they held of it.

use std::future::Future;
use std::time::Duration;

use greenline_store::Store;

/// How often the log is polled when nothing is new.
pub const POLL: Duration = Duration::from_millis(250);
/// Events read per poll at most (the rest on the next poll, at once).
const EVENTS_PER_POLL: u32 = 20_000;
/// Events read again on each poll (see the module documentation).
pub const REREAD_EVENTS: i64 = 64;
/// The default of [`Follower::pause_after_changes`]: at most ten polls a second under load,
/// well inside the second in which a new case must show in the statistics.
pub const PAUSE_AFTER_CHANGES: Duration = Duration::from_millis(100);

/// An index that reads changed cases again.
pub trait Follower: Send + Sync {
    /// Reads the cases with these ids again (ids no longer stored are skipped); `reached` is
    /// the event watermark the index holds once they are read (an index that outlives the
    /// process records it).
    fn reread(
        &self,
        store: &Store,
        case_ids: &[i64],
        reached: i64,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// How long to wait after reading changes before looking for more, so that under a
    /// stream of new cases they are taken in batches: every poll also reads the last
    /// [`REREAD_EVENTS`] events' cases again, which a poll after every few new cases would
    /// spend most of its work on. An index whose every update is costly (a commit to disk)
    /// waits longer.
    fn pause_after_changes(&self) -> Duration {
        PAUSE_AFTER_CHANGES
    }
}

/// Reads the cases of events above `watermark`; returns the new watermark.
async fn poll<F: Follower>(follower: &F, store: &Store, watermark: i64) -> anyhow::Result<i64> {
    let changes = store
        .changes_since((watermark - REREAD_EVENTS).max(0), EVENTS_PER_POLL)
        .await?;
    if changes.watermark <= watermark {
        return Ok(watermark);
    }
    follower
        .reread(store, &changes.case_ids, changes.watermark)
        .await?;
    Ok(changes.watermark)
}

/// Keeps `follower` current from `watermark` on, until the process ends. What: names it in the
/// log when a poll fails (it is tried again).
pub async fn follow<F: Follower>(follower: &F, store: &Store, mut watermark: i64, what: &str) {
    loop {
        match poll(follower, store, watermark).await {
            Ok(next) if next > watermark => {
                watermark = next;
                tokio::time::sleep(follower.pause_after_changes()).await;
            }
            Ok(_) => tokio::time::sleep(POLL).await,
            Err(error) => {
                tracing::warn!("refreshing the {what}: {error:#}");
                tokio::time::sleep(POLL).await;
            }
        }
    }
}
