//! What the full-text index reads: cases with their texts, in id order (for a build) and by id
//! (for the cases the event log says changed). The siblings without texts are in `analytics`.

use greenline_domain::Case;

use crate::convert::{CASE_COLUMNS, case_from_row};
use crate::{Result, Store};

/// Ids per `IN (…)` list: well under every backend's limit on bound values and statement size.
const IDS_PER_QUERY: usize = 500;

impl Store {
    /// Up to `limit` cases with ids above `after_id`, in id order, texts included.
    pub async fn cases_with_text(&self, after_id: i64, limit: u32) -> Result<Vec<Case>> {
        sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id > $1 ORDER BY c.id LIMIT $2"
        ))
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(case_from_row)
        .collect()
    }

    /// The given cases with their texts, in id order; ids not stored are left out.
    pub async fn cases_with_text_by_id(&self, ids: &[i64]) -> Result<Vec<Case>> {
        let mut cases = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_QUERY) {
            // Ids are numbers from the event log, never text from a user: written inline.
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let rows = sqlx::query(&format!(
                "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id IN ({}) ORDER BY c.id",
                list.join(", ")
            ))
            .fetch_all(&self.reader)
            .await?;
            for row in &rows {
                cases.push(case_from_row(row)?);
            }
        }
        Ok(cases)
    }
}
