//! The event log as the derived views (statistics, search, same-source index) follow it: the
//! cases changed since a point in the log.

use sqlx::Row;

use crate::{Result, Store};

/// Events written since a watermark, and the new watermark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The cases those events belong to, each once, in no particular order.
    pub case_ids: Vec<i64>,
    /// The highest event id read (the old watermark if there was none).
    pub watermark: i64,
}

impl Store {
    /// The highest event id written so far (0 if none).
    pub async fn event_watermark(&self) -> Result<i64> {
        let row = sqlx::query("SELECT coalesce(max(id), 0) AS id FROM case_events")
            .fetch_one(&self.reader)
            .await?;
        Ok(row.try_get("id")?)
    }

    /// The cases of up to `limit` events with ids above `after_event`.
    pub async fn changes_since(&self, after_event: i64, limit: u32) -> Result<Changes> {
        let rows =
            sqlx::query("SELECT id, case_id FROM case_events WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after_event)
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?;
        let mut changes = Changes {
            case_ids: Vec::with_capacity(rows.len()),
            watermark: after_event,
        };
        for row in &rows {
            changes.watermark = changes.watermark.max(row.try_get("id")?);
            changes.case_ids.push(row.try_get("case_id")?);
        }
        changes.case_ids.sort_unstable();
        changes.case_ids.dedup();
        Ok(changes)
    }
}
