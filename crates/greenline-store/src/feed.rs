//! The event log as the derived views (statistics, search, same-source index) follow it: a feed
//! that gives every committed event's case at least once, soon after its commit, and never
//! skips one.
//!
//! # Why not "events with an id above the last one read"
//!
//! Event ids come from a counter at insert time, not at commit. On SQLite there is one writer
//! at a time, so the ids are committed in order and a reader that has seen id `n` will never
//! find a new event at or below `n`: there the feed is exactly that, and a [`FeedPosition`] is
//! the highest event id read. On PostgreSQL transactions run side by side: an import that
//! writes a large file in one transaction takes its ids early and commits late, after live
//! intake has written and committed higher ids. A reader that moved past those higher ids never
//! looks below them again and loses the import's events for good.
//!
//! # The safe path: positions are (transaction, event id)
//!
//! On PostgreSQL every event records the transaction that wrote it (`case_events.tx`, an
//! `xid8`, filled in by the column's default `pg_current_xact_id()`; migration 0004). The feed
//! reads in `(tx, id)` order and only events of transactions older than the snapshot's `xmin`:
//!
//! ```sql
//! WHERE (tx, id) > (cursor_tx, cursor_id) AND tx < pg_snapshot_xmin(pg_current_snapshot())
//! ORDER BY tx, id
//! ```
//!
//! `xmin` is the oldest transaction still running when the statement's snapshot was taken:
//! every transaction with a smaller id has finished, and the snapshot sees the events of those
//! that committed. A transaction that has not written yet gets its id when it first writes,
//! from a counter past every id the snapshot knows, so it is at or above `xmin` too. Hence no
//! event can ever appear behind a position this read reaches: the cursor is gap-free by
//! construction, with no timing assumption. When a read returns fewer events than asked, the
//! reader has seen everything below `xmin`, and its position moves to `(xmin, 0)`, so that it
//! advances while nothing is written. `xmin` is taken in the same statement as the read (one
//! snapshot), so the jump never passes an event the read could not see.
//!
//! Events written before migration 0004 have `tx = 0`: they come first, in id order.
//!
//! # The fast path: live events while a long transaction is open
//!
//! The safe path alone holds every later event back until the oldest running transaction ends:
//! a one-hour import would hide an hour of live intake from the views. So each read also takes,
//! by id, the visible events above the highest id its fast path has read, and gives at once
//! those the safe position has not passed. Giving a case twice is harmless (the views replace
//! what they hold of a case), but to keep it rare the reader remembers the events the fast path
//! gave ahead of its position (up to [`AHEAD_REMEMBERED`] of them) and the safe path skips
//! them when it reaches them. The fast path only ever adds: completeness rests on the safe path
//! alone. A reader's first read only notes where the log ends, so a new reader does not read
//! the whole log twice; the events it did not take by the fast path come by the safe one.
//!
//! # Trade-off
//!
//! The alternative is a position assigned in commit order: a counter taken under a lock held
//! until commit (or a table lock on the log). That gives one plain integer, but it serializes
//! every commit that writes an event behind the one before it, and an import holding that lock
//! for its whole transaction stops live intake until it commits. Transaction ids cost nothing on
//! the write path; the price is on the read side: two queries per read on PostgreSQL, a
//! position of two numbers, and a safe position that waits for the oldest running transaction
//! (of the whole server: xids are cluster-wide, so a long writing transaction in another
//! database holds it back too; read-only transactions, having no xid, do not). Callers that
//! wait for a [`FeedTarget`] wait for that transaction as well, while the fast path has already
//! given them the live cases.
//!
//! Transaction ids belong to one PostgreSQL cluster: a logical dump restored into another
//! cluster brings the old `tx` values along. Views should be rebuilt after such a move.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Backend, Result, Store, StoreError};

/// How many events given ahead of the safe position a [`FeedReader`] remembers, so as not to
/// give them again. Past that, they are given again: harmless, and the memory stays bounded.
pub const AHEAD_REMEMBERED: usize = 65_536;

/// A position in the event log, as a view records how far it has read: every event at or behind
/// it has been given, and no event can appear behind it later. Positions of one store are
/// ordered; one from another store means nothing (see [`FeedPosition::is_beyond`]).
///
/// On PostgreSQL it is (writing transaction, event id); on SQLite the transaction is always 0
/// and the event id is the highest read. The default is the start of the log.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct FeedPosition {
    tx: i64,
    event: i64,
}

/// A point a view can wait for: every event committed before [`Store::feed_target`] returned it
/// lies behind it. Not a place to start reading from (transactions open at that moment may
/// still write behind it): that is [`Store::feed_head`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FeedTarget(FeedPosition);

impl FeedPosition {
    /// Whether a reader at this position has been given every event committed before `target`
    /// was taken.
    pub fn covers(&self, target: FeedTarget) -> bool {
        *self >= target.0
    }

    /// Whether this position lies past everything the store had committed when `target` was
    /// taken. With a target taken after the position was recorded, that means the position
    /// cannot have come from this store's log (another database, or one restored from an older
    /// copy). Against an older target it says nothing: positions move past targets.
    pub fn is_beyond(&self, target: FeedTarget) -> bool {
        *self > target.0
    }
}

/// What a view keeps while following the log: its [`FeedPosition`], and on PostgreSQL what the
/// fast path needs (see the module documentation). Start one at a recorded position or at
/// [`Store::feed_head`] and pass it to every [`Store::feed_read`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedReader {
    position: FeedPosition,
    /// The highest event id the fast path has read; `None` before the first read.
    fast_after: Option<i64>,
    /// Events the fast path gave ahead of `position`, for the safe path to skip.
    ahead: BTreeSet<FeedPosition>,
    /// The highest event id given by either path.
    highest: i64,
}

impl FeedReader {
    /// A reader that gives the events ahead of `position`.
    pub fn new(position: FeedPosition) -> FeedReader {
        FeedReader {
            position,
            ..FeedReader::default()
        }
    }

    /// How far the reader has read: what a view records to resume from.
    pub fn position(&self) -> FeedPosition {
        self.position
    }

    /// The highest event id given so far (0 if none): with [`Store::latest_event_id`], how far
    /// behind the log a view is. Not a position: on PostgreSQL lower ids may still come.
    pub fn highest_event_id(&self) -> i64 {
        self.highest
    }
}

/// What one [`Store::feed_read`] gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The cases of the events read, each once, in id order.
    pub case_ids: Vec<i64>,
    /// The reader's position after this read.
    pub position: FeedPosition,
    /// Whether a read reached its limit, so that more may be waiting: read again at once.
    pub more: bool,
}

/// One event as the feed reads it.
struct Entry {
    at: FeedPosition,
    case_id: i64,
}

fn entry(row: &sqlx::any::AnyRow) -> Result<Entry> {
    Ok(Entry {
        at: FeedPosition {
            tx: xid(row.try_get("tx")?)?,
            event: row.try_get("id")?,
        },
        case_id: row.try_get("case_id")?,
    })
}

/// A transaction id as a number: `xid8` is unsigned 64-bit, but counts from 3 up by one per
/// writing transaction and cannot come near 2^63.
fn xid(value: i64) -> Result<i64> {
    if value < 0 {
        return Err(StoreError::Corrupt(format!("transaction id {value}")));
    }
    Ok(value)
}

/// The safe path's read on PostgreSQL: events past the cursor of transactions below `xmin`, and
/// that `xmin`, from one snapshot. The left join gives one row with no event when none is found.
const SAFE_READ: &str = "WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) \
     SELECT h.xmin::text::bigint AS xmin, e.tx::text::bigint AS tx, e.id, e.case_id \
     FROM horizon h LEFT JOIN LATERAL ( \
         SELECT tx, id, case_id FROM case_events \
         WHERE (tx, id) > ($1::bigint::text::xid8, $2) AND tx < h.xmin \
         ORDER BY tx, id LIMIT $3 \
     ) e ON true \
     ORDER BY e.tx, e.id";

/// The fast path's read on PostgreSQL: visible events by id, whatever their transaction.
const FAST_READ: &str = "SELECT tx::text::bigint AS tx, id, case_id FROM case_events \
     WHERE id > $1 ORDER BY id LIMIT $2";

impl Store {
    /// The highest event id committed so far (0 if none), for reporting how far behind a view
    /// is ([`FeedReader::highest_event_id`]). Not a feed position.
    pub async fn latest_event_id(&self) -> Result<i64> {
        let row = sqlx::query("SELECT coalesce(max(id), 0) AS id FROM case_events")
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get("id")?)
    }

    /// Where a view built from reads made after this call starts following the log: every event
    /// not yet committed when it returns lies ahead of it. Take it before (re)building a view
    /// from the tables, then read from it: nothing the build missed is skipped. Some events the
    /// build already saw may be given again (on PostgreSQL, those of transactions that were
    /// still running somewhere on the server, or committed after the oldest of them began).
    pub async fn feed_head(&self) -> Result<FeedPosition> {
        match self.backend {
            Backend::Sqlite => Ok(FeedPosition {
                tx: 0,
                event: self.latest_event_id().await?,
            }),
            Backend::Postgres => {
                let row = sqlx::query(
                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin",
                )
                .fetch_one(&self.reader)
                .await?;
                Ok(FeedPosition {
                    tx: xid(row.try_get("xmin")?)?,
                    event: 0,
                })
            }
        }
    }

    /// A point to wait for: once a reader's position [covers](FeedPosition::covers) it, the
    /// reader has been given every event committed before this call.
    pub async fn feed_target(&self) -> Result<FeedTarget> {
        match self.backend {
            Backend::Sqlite => Ok(FeedTarget(FeedPosition {
                tx: 0,
                event: self.latest_event_id().await?,
            })),
            Backend::Postgres => {
                // Every transaction that committed so far has an id below xmax.
                let row = sqlx::query(
                    "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax",
                )
                .fetch_one(&self.reader)
                .await?;
                Ok(FeedTarget(FeedPosition {
                    tx: xid(row.try_get("xmax")?)?,
                    event: 0,
                }))
            }
        }
    }

    /// The cases of the next events for `reader` (up to `limit` events per query; at least
    /// one), moving it on. On an error the reader is left as it was.
    pub async fn feed_read(&self, reader: &mut FeedReader, limit: u32) -> Result<Changes> {
        let limit = limit.max(1);
        let mut changes = match self.backend {
            Backend::Sqlite => self.read_in_id_order(reader, limit).await?,
            Backend::Postgres => self.read_by_transaction(reader, limit).await?,
        };
        changes.case_ids.sort_unstable();
        changes.case_ids.dedup();
        Ok(changes)
    }

    /// SQLite: ids are committed in order, so the highest id read is a safe position.
    async fn read_in_id_order(&self, reader: &mut FeedReader, limit: u32) -> Result<Changes> {
        let rows = sqlx::query(
            "SELECT 0 AS tx, id, case_id FROM case_events WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(reader.position.event)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        let entries = rows.iter().map(entry).collect::<Result<Vec<_>>>()?;
        if let Some(last) = entries.last() {
            reader.position = last.at;
            reader.highest = reader.highest.max(last.at.event);
        }
        Ok(Changes {
            case_ids: entries.iter().map(|e| e.case_id).collect(),
            position: reader.position,
            more: entries.len() == limit as usize,
        })
    }

    /// PostgreSQL: the safe path, then the fast path (see the module documentation). Everything
    /// is read and decoded before the reader is changed, so an error leaves it as it was.
    async fn read_by_transaction(&self, reader: &mut FeedReader, limit: u32) -> Result<Changes> {
        let rows = sqlx::query(SAFE_READ)
            .bind(reader.position.tx)
            .bind(reader.position.event)
            .bind(i64::from(limit))
            .fetch_all(&self.reader)
            .await?;
        let mut xmin = None;
        let mut safe = Vec::with_capacity(rows.len());
        for row in &rows {
            xmin = Some(xid(row.try_get("xmin")?)?);
            if row.try_get::<Option<i64>, _>("id")?.is_some() {
                safe.push(entry(row)?);
            }
        }
        let xmin = xmin.ok_or_else(|| StoreError::Corrupt("the feed read no snapshot".into()))?;
        let (fast, fast_after) = match reader.fast_after {
            Some(after) => {
                let rows = sqlx::query(FAST_READ)
                    .bind(after)
                    .bind(i64::from(limit))
                    .fetch_all(&self.reader)
                    .await?;
                let fast = rows.iter().map(entry).collect::<Result<Vec<_>>>()?;
                let last = fast.last().map_or(after, |e| e.at.event);
                (fast, last)
            }
            // A first read only notes where the log ends (see the module documentation).
            None => (Vec::new(), self.latest_event_id().await?),
        };

        let mut case_ids = Vec::with_capacity(safe.len() + fast.len());
        for entry in &safe {
            reader.position = entry.at;
            reader.highest = reader.highest.max(entry.at.event);
            if !reader.ahead.remove(&entry.at) {
                case_ids.push(entry.case_id);
            }
        }
        let safe_full = safe.len() == limit as usize;
        if !safe_full {
            // Everything below xmin has been read: move up to it.
            reader.position = reader.position.max(FeedPosition { tx: xmin, event: 0 });
        }
        // What the fast path gave that the position has now passed stays behind it for good.
        reader.ahead = reader.ahead.split_off(&reader.position);

        for entry in &fast {
            if entry.at > reader.position && !reader.ahead.contains(&entry.at) {
                reader.highest = reader.highest.max(entry.at.event);
                case_ids.push(entry.case_id);
                if reader.ahead.len() < AHEAD_REMEMBERED {
                    reader.ahead.insert(entry.at);
                }
            }
        }
        reader.fast_after = Some(fast_after);
        Ok(Changes {
            case_ids,
            position: reader.position,
            more: safe_full || fast.len() == limit as usize,
        })
    }
}
