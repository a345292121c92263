//! What the analytics index reads: every case in id order without its texts (for the build at
//! start), and the cases changed since a point in the event log (to keep it current).

use sqlx::Row;

use crate::convert::{CASE_COLUMNS, case_from_row, id_lists};
use crate::{Result, Store};

/// The case columns with the free texts left out (read as empty): analytics needs none of them,
/// and they are most of a case's bytes.
fn columns_without_text() -> String {
    CASE_COLUMNS
        .replace("c.address,", "'' AS address,")
        .replace("c.description,", "'' AS description,")
        .replace("c.findings,", "NULL AS findings,")
        .replace("c.reply,", "NULL AS reply,")
        .replace("c.public_summary,", "NULL AS public_summary,")
}

/// Events written since a watermark, and the new watermark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The cases those events belong to, each once, in no particular order.
    pub case_ids: Vec<i64>,
    /// The highest event id read (the old watermark if there was none).
    pub watermark: i64,
}

impl Store {
    /// Up to `limit` cases with ids above `after_id`, in id order, with empty texts
    /// (address, description, findings, reply and public summary).
    pub async fn cases_without_text(
        &self,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<greenline_domain::Case>> {
        sqlx::query(&format!(
            "SELECT {} FROM cases c WHERE c.id > $1 ORDER BY c.id LIMIT $2",
            columns_without_text()
        ))
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(case_from_row)
        .collect()
    }

    /// The given cases with empty texts, in id order; ids not stored are left out.
    pub async fn cases_without_text_by_id(
        &self,
        ids: &[i64],
    ) -> Result<Vec<greenline_domain::Case>> {
        self.cases_by_id(&columns_without_text(), ids).await
    }

    /// The given cases with `columns` (a list that [`case_from_row`] reads), in id order; ids
    /// not stored are left out.
    pub(crate) async fn cases_by_id(
        &self,
        columns: &str,
        ids: &[i64],
    ) -> Result<Vec<greenline_domain::Case>> {
        let mut cases = Vec::with_capacity(ids.len());
        for list in id_lists(ids) {
            let rows = sqlx::query(&format!(
                "SELECT {columns} FROM cases c WHERE c.id IN ({list}) ORDER BY c.id"
            ))
            .fetch_all(&self.reader)
            .await?;
            for row in &rows {
                cases.push(case_from_row(row)?);
            }
        }
        Ok(cases)
    }

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
