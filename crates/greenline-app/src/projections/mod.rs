//! The derived views (projections) a node keeps of the store — the statistics index, the
//! same-source index, the full-text index — and the one supervisor that builds and follows them.
//!
//! At start the supervisor notes the feed's head, then every view builds itself from the store
//! (each reads what it needs: the statistics every case without its texts, the same-source index
//! the last 180 days, the full-text index every text unless its copy on disk is recent). Views
//! build one after another, the statistics first: side by side on two cores they slowed each
//! other down, and the statistics took twice as long to be ready.
//!
//! One reader follows the feed from the head (or from the oldest position a view kept on disk):
//! each batch of changed cases is read from the store once, with their texts, and handed to every
//! view that has finished building. For a view still building, the reader only notes the ids of
//! the changed cases; when its build ends those are read and handed to it, so no change made
//! while it built is lost. Reading a case twice is harmless: every view replaces what it held.
//!
//! Each view applies batches in its own task, taking together whatever has queued while it was
//! busy (the reader never waits for a slow view: the statistics stay current while the
//! full-text index commits), and may pause after an update (the full-text index commits to disk at most once a
//! second). Each reports the feed position it holds; [`Projections::caught_up`] awaits a
//! position, so a test or a page that has just written can wait for its write to show instead
//! of polling, and a readiness probe can ask [`Projections::status`].

pub mod analytics;
pub mod feed;
pub mod search;
mod snapshot;
pub mod sources;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use greenline_domain::{Case, DeadlineTable};
use greenline_store::{FeedReader, Store};
use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use utoipa::ToSchema;

pub use feed::{Position, Target};

use crate::Clock;

/// How often the feed is read when nothing is new.
pub const POLL: Duration = Duration::from_millis(100);
/// How long a failed build or read waits before it is tried again.
const RETRY: Duration = Duration::from_secs(2);

/// A changed set of cases and the feed position they bring a view to.
#[derive(Debug, Clone)]
pub struct Batch {
    pub cases: Arc<Vec<Case>>,
    pub position: Position,
    /// The highest event id the reader has given with it.
    pub highest_event_id: i64,
}

/// A derived view of the store.
#[async_trait::async_trait]
pub trait Projection: Send + Sync + std::fmt::Debug + 'static {
    /// Its name in logs and status.
    fn name(&self) -> &'static str;

    /// The position a copy kept from an earlier run holds, if it needs no build.
    fn resume_from(&self) -> Option<Position> {
        None
    }

    /// Reads every case it needs from the store; `head` was taken before, and every change
    /// after it will also be handed over. Called again after a failure.
    async fn build(&self, store: &Store, head: Position) -> anyhow::Result<()>;

    /// Replaces what it holds of these cases (reading more from `store` if it needs to).
    async fn apply(&self, store: &Store, cases: &[Case], position: Position) -> anyhow::Result<()>;

    /// Cases read so far by the build (for status while it runs).
    fn loaded(&self) -> u64 {
        0
    }

    /// Cases it holds now.
    fn held(&self) -> u64;

    /// How long to wait after an update before taking the next: what has queued meanwhile is
    /// taken in one update.
    fn pause_after_apply(&self) -> Duration {
        Duration::ZERO
    }
}

/// One view's progress, as [`Projections::status`] reports it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ViewStatus {
    pub name: String,
    /// Built and following the feed.
    pub ready: bool,
    /// The feed position it holds (absent while it builds).
    pub position: Option<String>,
    /// Cases read by its build so far.
    pub loaded: u64,
    /// Cases it holds (the same-source index only those of its window).
    pub cases: u64,
    /// Events of the log it has not applied yet (0 when current).
    pub lag_events: i64,
}

#[derive(Debug)]
struct Tracked {
    view: Arc<dyn Projection>,
    /// `None` until built; then the position of the last batch applied.
    position: watch::Sender<Option<Position>>,
    /// The highest event id applied (for lag).
    applied_id: AtomicU64,
}

/// The views of this node and the tasks that keep them.
#[derive(Debug)]
pub struct Projections {
    pub analytics: Arc<analytics::Analytics>,
    pub sources: Arc<sources::Sources>,
    pub search: Arc<search::CaseSearch>,
    tracked: Vec<Arc<Tracked>>,
    /// The supervisor and every view's task.
    tasks: Tasks,
}

/// Task handles, shared with the supervisor so the tasks it starts can be stopped too.
type Tasks = Arc<Mutex<Vec<JoinHandle<()>>>>;

impl Projections {
    /// The views, empty and not yet started.
    pub fn new(
        deadlines: Arc<DeadlineTable>,
        clock: Arc<dyn Clock>,
        search_dir: Option<&std::path::Path>,
        stats_snapshot: Option<&std::path::Path>,
        sources_snapshot: Option<&std::path::Path>,
    ) -> Projections {
        let analytics = analytics::Analytics::open(deadlines, stats_snapshot);
        let sources = sources::Sources::open(clock, sources_snapshot);
        let search = search::CaseSearch::open(search_dir);
        let views: [Arc<dyn Projection>; 3] = [analytics.clone(), sources.clone(), search.clone()];
        Projections {
            analytics,
            sources,
            search,
            tracked: views
                .into_iter()
                .map(|view| {
                    Arc::new(Tracked {
                        view,
                        position: watch::Sender::new(None),
                        applied_id: AtomicU64::new(0),
                    })
                })
                .collect(),
            tasks: Tasks::default(),
        }
    }

    /// Builds every view from `store` and follows the feed, until [`Projections::stop`] or
    /// the end of the process. Call once, inside a Tokio runtime.
    pub fn start(&self, store: Store) {
        let task = tokio::spawn(supervise(store, self.tracked.clone(), self.tasks.clone()));
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(task);
    }

    /// Runs `task` until [`Projections::stop`] (upkeep that lives as long as the views).
    pub fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tokio::spawn(task));
    }

    /// Stops every task and waits until they have ended (a node shutting down, or a test):
    /// afterwards nothing holds the views' files.
    pub async fn stop(&self) {
        let tasks: Vec<_> = self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
            .collect();
        for task in &tasks {
            task.abort();
        }
        for task in tasks {
            // A cancelled task answers an error: that is what was asked for.
            let _ = task.await;
        }
    }

    /// Waits until every view holds every change up to `target`.
    pub async fn caught_up(&self, target: Target) {
        self.caught_up_of(None, target).await;
    }

    /// Waits until the view named `only` (or every view) holds every change up to `target`.
    pub async fn caught_up_of(&self, only: Option<&str>, target: Target) {
        for tracked in self
            .tracked
            .iter()
            .filter(|t| only.is_none_or(|name| t.view.name() == name))
        {
            let mut rx = tracked.position.subscribe();
            // An error means the sender is gone with the process' views: nothing to wait for.
            let _ = rx
                .wait_for(|held| held.is_some_and(|p| p.covers(target)))
                .await;
        }
    }

    /// Waits until the view named `only` (or every view) holds every change committed before
    /// the call.
    pub async fn caught_up_with(&self, store: &Store, only: Option<&str>) -> anyhow::Result<()> {
        let target = feed::target(store).await?;
        self.caught_up_of(only, target).await;
        Ok(())
    }

    /// Whether the view of this name has been built (and follows the feed).
    pub fn is_ready(&self, name: &str) -> bool {
        self.tracked
            .iter()
            .any(|t| t.view.name() == name && t.position.borrow().is_some())
    }

    /// Each view's progress; `latest` is the store's highest event id (for the lag).
    pub fn status(&self, latest: i64) -> Vec<ViewStatus> {
        self.tracked
            .iter()
            .map(|t| {
                let position = *t.position.borrow();
                let applied = i64::try_from(t.applied_id.load(Ordering::Relaxed)).unwrap_or(0);
                ViewStatus {
                    name: t.view.name().to_owned(),
                    ready: position.is_some(),
                    position: position.map(|p| feed::to_text(&p)),
                    loaded: t.view.loaded(),
                    cases: t.view.held(),
                    lag_events: if position.is_some() {
                        (latest - applied).max(0)
                    } else {
                        latest
                    },
                }
            })
            .collect()
    }
}

impl Drop for Projections {
    fn drop(&mut self) {
        for task in self.tasks.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            task.abort();
        }
    }
}

/// How the reader treats one view.
enum Follow {
    /// Building: the ids of the cases changed meanwhile.
    Building(HashSet<i64>),
    /// Built: batches go to its task.
    Live(mpsc::UnboundedSender<Batch>),
}

/// The supervisor: builds, then the one reader of the feed.
async fn supervise(store: Store, tracked: Vec<Arc<Tracked>>, tasks: Tasks) {
    // The views read texts with these tables: load them before a view says it is ready, so the
    // first case after a start is not the one that waits for them (a second or more).
    if let Err(error) = tokio::task::spawn_blocking(greenline_text::load_tables).await {
        tracing::error!("loading the text tables: {error}");
    }
    let head = loop {
        match feed::head(&store).await {
            Ok(head) => break head,
            Err(error) => {
                tracing::error!("reading the event feed's head: {error:#}");
                tokio::time::sleep(RETRY).await;
            }
        }
    };
    let target = loop {
        match feed::target(&store).await {
            Ok(target) => break target,
            Err(error) => {
                tracing::error!("reading the event feed's end: {error:#}");
                tokio::time::sleep(RETRY).await;
            }
        }
    };
    // A kept position beyond the log's end was written for another database: that view builds.
    let kept: Vec<Option<Position>> = tracked
        .iter()
        .map(|t| t.view.resume_from().filter(|kept| !kept.is_beyond(target)))
        .collect();
    // Start at the oldest position a view kept from an earlier run, if any is older.
    let position = kept
        .iter()
        .flatten()
        .fold(head, |oldest, kept| oldest.min(*kept));
    let mut reader = FeedReader::new(position);
    // What a view built from here on holds at least (for the lag it reports).
    let mut highest_event_id = loop {
        match store.latest_event_id().await {
            Ok(id) => break id,
            Err(error) => {
                tracing::error!("reading the event log's end: {error:#}");
                tokio::time::sleep(RETRY).await;
            }
        }
    };
    // The first read tells every view where the log stands, even if nothing moved.
    let mut first = true;
    let (built_tx, mut built_rx) = mpsc::unbounded_channel::<usize>();
    let mut follows = Vec::with_capacity(tracked.len());
    let spawn = |task: JoinHandle<()>| {
        tasks.lock().unwrap_or_else(|e| e.into_inner()).push(task);
    };
    let mut to_build = Vec::new();
    for (i, t) in tracked.iter().enumerate() {
        if let Some(kept) = kept[i] {
            let sender = spawn_applier(t.clone(), store.clone(), &spawn);
            // It holds what it kept: say so, even if nothing changes from here on.
            let _ = sender.send(Batch {
                cases: Arc::new(Vec::new()),
                position: kept,
                highest_event_id: 0,
            });
            follows.push(Follow::Live(sender));
        } else {
            follows.push(Follow::Building(HashSet::new()));
            to_build.push((i, t.clone()));
        }
    }
    // One build after another, in the order the views are listed: on a small machine three
    // full reads at once take each other's time, and the statistics, first, are ready in
    // half the time they take beside the others.
    let builder = store.clone();
    spawn(tokio::spawn(async move {
        for (i, t) in to_build {
            let started = std::time::Instant::now();
            while let Err(error) = t.view.build(&builder, head).await {
                tracing::error!("building the {}: {error:#}", t.view.name());
                tokio::time::sleep(RETRY).await;
            }
            tracing::info!(
                "{} built in {:.1} s",
                t.view.name(),
                started.elapsed().as_secs_f64()
            );
            let _ = built_tx.send(i);
        }
    }));
    loop {
        // Views whose build has ended get the cases changed meanwhile, then join the stream.
        while let Ok(i) = built_rx.try_recv() {
            let Follow::Building(pending) = &mut follows[i] else {
                continue;
            };
            let ids: Vec<i64> = pending.drain().collect();
            let cases = loop {
                match store.cases_with_text_by_id(&ids).await {
                    Ok(cases) => break cases,
                    Err(error) => {
                        tracing::warn!(
                            "reading cases for the {}: {error:#}",
                            tracked[i].view.name()
                        );
                        tokio::time::sleep(RETRY).await;
                    }
                }
            };
            let sender = spawn_applier(tracked[i].clone(), store.clone(), &spawn);
            let batch = Batch {
                cases: Arc::new(cases),
                position: reader.position().max(head),
                highest_event_id,
            };
            if sender.send(batch).is_ok() {
                follows[i] = Follow::Live(sender);
            }
        }
        let before = reader.clone();
        let changes = match feed::read(&store, &mut reader).await {
            Ok(changes) => changes,
            Err(error) => {
                tracing::warn!("reading the event feed: {error:#}");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        let moved = changes.position != before.position() || std::mem::take(&mut first);
        highest_event_id = highest_event_id.max(changes.highest_event_id);
        if !changes.case_ids.is_empty() {
            let live = follows.iter().any(|f| matches!(f, Follow::Live(_)));
            let cases = if live {
                match store.cases_with_text_by_id(&changes.case_ids).await {
                    Ok(cases) => Arc::new(cases),
                    Err(error) => {
                        // Read these events again: no view may pass them unread.
                        tracing::warn!("reading changed cases: {error:#}");
                        reader = before;
                        tokio::time::sleep(RETRY).await;
                        continue;
                    }
                }
            } else {
                Arc::new(Vec::new())
            };
            for follow in &mut follows {
                match follow {
                    Follow::Building(pending) => pending.extend(&changes.case_ids),
                    Follow::Live(sender) => {
                        let batch = Batch {
                            cases: cases.clone(),
                            position: changes.position,
                            highest_event_id,
                        };
                        // A closed channel means the view's task ended with the process.
                        let _ = sender.send(batch);
                    }
                }
            }
        } else if moved {
            // The position moved without a change (nothing was in flight): tell the views.
            for follow in &follows {
                if let Follow::Live(sender) = follow {
                    let _ = sender.send(Batch {
                        cases: Arc::new(Vec::new()),
                        position: changes.position,
                        highest_event_id,
                    });
                }
            }
        }
        if !changes.more {
            tokio::time::sleep(POLL).await;
        }
    }
}

/// Starts the task that applies batches to one view; returns where to send them. The task ends
/// when the sender is dropped (with the supervisor), or is stopped with the others.
fn spawn_applier(
    tracked: Arc<Tracked>,
    store: Store,
    spawn: &impl Fn(JoinHandle<()>),
) -> mpsc::UnboundedSender<Batch> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Batch>();
    spawn(tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            // Take whatever else has queued: one update for all of it.
            let (mut position, mut highest) = (first.position, first.highest_event_id);
            let mut batches = vec![first];
            while let Ok(more) = rx.try_recv() {
                position = position.max(more.position);
                highest = highest.max(more.highest_event_id);
                batches.push(more);
            }
            let cases: Vec<Case> = if batches.len() == 1 {
                batches[0].cases.as_ref().clone()
            } else {
                batches
                    .iter()
                    .flat_map(|b| b.cases.iter().cloned())
                    .collect()
            };
            while let Err(error) = tracked.view.apply(&store, &cases, position).await {
                tracing::warn!("updating the {}: {error:#}", tracked.view.name());
                tokio::time::sleep(RETRY).await;
            }
            tracked
                .applied_id
                .fetch_max(u64::try_from(highest).unwrap_or(0), Ordering::Relaxed);
            // A view built past the reader's position keeps its own (the reader may still be
            // catching up from an older position another view kept).
            tracked.position.send_modify(|held| {
                *held = Some(held.map_or(position, |held| held.max(position)));
            });
            let pause = tracked.view.pause_after_apply();
            if !pause.is_zero() && !cases.is_empty() {
                tokio::time::sleep(pause).await;
            }
        }
    }));
    tx
}
