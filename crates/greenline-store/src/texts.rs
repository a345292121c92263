//! Case descriptions in bulk, for text analysis (hot topics): the texts of the cases a filter
//! selects, in id order, optionally every k-th case only for a background sample.

use sqlx::Row;

use crate::cases::where_sql;
use crate::convert::{Arg, Sql, millis};
use crate::{CaseFilter, Result, Store};

/// Texts read per query.
const PAGE: i64 = 2_000;

impl Store {
    /// Up to `limit` (id, description) pairs of the cases `filter` selects (its region, type,
    /// kind, channel and received range; its paging is ignored), oldest first, keeping only
    /// cases whose id is a multiple of `every` (1 keeps all).
    pub async fn texts(
        &self,
        filter: &CaseFilter,
        every: u32,
        limit: usize,
    ) -> Result<Vec<(i64, String)>> {
        // Start at the first case received in the range: ids grow with time, and without a
        // starting point every page would scan the older cases again.
        let mut after = match filter.received_from {
            Some(from) => {
                let row = sqlx::query(
                    "SELECT coalesce(min(id), 0) - 1 AS id FROM cases WHERE received_at >= $1",
                )
                .bind(millis(from))
                .fetch_one(&self.reader)
                .await?;
                row.try_get::<i64, _>("id")?.max(0)
            }
            None => 0,
        };
        let every = i64::from(every.max(1));
        let mut out = Vec::new();
        while out.len() < limit {
            let mut sql = Sql::new("SELECT c.id, c.description FROM cases c WHERE 1 = 1");
            if every > 1 {
                sql.push(" AND c.id % ").bind(Arg::int(every)).push(" = 0");
            }
            where_sql(&mut sql, filter);
            sql.push(" AND c.id > ")
                .bind(Arg::int(after))
                .push(" ORDER BY c.id LIMIT ")
                .bind(Arg::int(PAGE));
            let rows = sql.query().fetch_all(&self.reader).await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("id")?;
            for row in &rows {
                out.push((row.try_get("id")?, row.try_get("description")?));
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// How many cases `filter` selects (its paging ignored).
    pub async fn count_cases(&self, filter: &CaseFilter) -> Result<u64> {
        let mut sql = Sql::new("SELECT count(*) AS n FROM cases c WHERE 1 = 1");
        where_sql(&mut sql, filter);
        let row = sql.query().fetch_one(&self.reader).await?;
        Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
    }
}
