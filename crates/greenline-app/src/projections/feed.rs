//! The event feed as the projections read it (see `greenline_store`'s feed for why a position
//! never skips an event, on SQLite or PostgreSQL, whatever order transactions commit in).

use greenline_store::{FeedReader, Store};

pub use greenline_store::{FeedPosition as Position, FeedTarget as Target};

/// Events read at most per poll (the rest on the next poll, at once).
pub const EVENTS_PER_POLL: u32 = 20_000;

/// The cases changed after the reader's position, and where it has got to.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub case_ids: Vec<i64>,
    pub position: Position,
    /// The highest event id given so far (for the lag).
    pub highest_event_id: i64,
    /// More events wait: poll again at once.
    pub more: bool,
}

/// Where to start reading before a view is built from the store: every event not committed
/// yet lies ahead of it.
pub async fn head(store: &Store) -> anyhow::Result<Position> {
    Ok(store.feed_head().await?)
}

/// What to wait for: every event committed before the call lies behind it.
pub async fn target(store: &Store) -> anyhow::Result<Target> {
    Ok(store.feed_target().await?)
}

/// The cases of the events after `reader`'s position; moves it on.
pub async fn read(store: &Store, reader: &mut FeedReader) -> anyhow::Result<Changes> {
    let changes = store.feed_read(reader, EVENTS_PER_POLL).await?;
    Ok(Changes {
        case_ids: changes.case_ids,
        position: changes.position,
        highest_event_id: reader.highest_event_id(),
        more: changes.more,
    })
}

/// The text form of a position, for a view that outlives the process.
pub fn to_text(position: &Position) -> String {
    serde_json::to_string(position).unwrap_or_default()
}

/// A position from its text form; `None` for another format (that view is then rebuilt).
pub fn from_text(text: &str) -> Option<Position> {
    serde_json::from_str(text).ok()
}
