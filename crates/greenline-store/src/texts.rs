//! Case texts in bulk. For the full-text index: cases with their texts, in id order (for a
//! build) and by id (for the cases the event log says changed); the siblings without texts are in
//! `cases`. For hot topics: the descriptions of the cases a filter selects, optionally every
//! k-th case only for a background sample. For same-source detection: texts with their place
//! and time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use greenline_domain::{Case, RegionCode};
use sqlx::Row;

use crate::cases::where_sql;
use crate::convert::{Arg, CASE_COLUMNS, Sql, id_lists, instant, millis, region};
use crate::{CaseFilter, Result, Store};

impl Store {
    /// Up to `limit` cases with ids above `after_id`, in id order, texts included.
    pub async fn cases_with_text(&self, after_id: i64, limit: u32) -> Result<Vec<Case>> {
        self.cases_after(CASE_COLUMNS, after_id, limit).await
    }

    /// The given cases with their texts, in id order; ids not stored are left out.
    pub async fn cases_with_text_by_id(&self, ids: &[i64]) -> Result<Vec<Case>> {
        self.cases_by_id(CASE_COLUMNS, ids).await
    }

    /// The reporters' names and phones of the given cases, by case id, for one purpose only:
    /// masking them in the cases' texts before someone who may not read them sees those texts
    /// (or before they go into the masked half of the search index). Nothing read here is shown,
    /// so, unlike [`Store::read_reporter`], no event records the read. Cases without a reporter
    /// row, and anonymous reporters, are left out.
    pub async fn identities_to_mask(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, (Option<String>, Option<String>)>> {
        let mut out = HashMap::with_capacity(ids.len());
        for list in id_lists(ids) {
            let rows = sqlx::query(&format!(
                "SELECT case_id, name, phone FROM reporters WHERE case_id IN ({list})"
            ))
            .fetch_all(&self.reader)
            .await?;
            for row in &rows {
                let name: Option<String> = row.try_get("name")?;
                let phone: Option<String> = row.try_get("phone")?;
                if name.is_some() || phone.is_some() {
                    out.insert(row.try_get("case_id")?, (name, phone));
                }
            }
        }
        Ok(out)
    }
}

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

    /// Up to `limit` cases received at or after `since` with ids above `after_id`, in id order:
    /// (id, region, received time, description) — what same-source detection holds.
    pub async fn source_texts(
        &self,
        since: DateTime<Utc>,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<SourceText>> {
        let rows = sqlx::query(
            "SELECT id, region_code, received_at, description FROM cases \
             WHERE id > $1 AND received_at >= $2 ORDER BY id LIMIT $3",
        )
        .bind(after_id)
        .bind(millis(since))
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(source_text).collect()
    }

    /// The given cases as [`Store::source_texts`] reads them; ids not stored are left out.
    pub async fn source_texts_by_id(&self, ids: &[i64]) -> Result<Vec<SourceText>> {
        let mut out = Vec::with_capacity(ids.len());
        for list in id_lists(ids) {
            let rows = sqlx::query(&format!(
                "SELECT id, region_code, received_at, description FROM cases \
                 WHERE id IN ({}) ORDER BY id",
                list
            ))
            .fetch_all(&self.reader)
            .await?;
            for row in &rows {
                out.push(source_text(row)?);
            }
        }
        Ok(out)
    }
}

/// A case's text with where and when it was received.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceText {
    pub id: i64,
    pub region: RegionCode,
    pub received_at: DateTime<Utc>,
    pub description: String,
}

fn source_text(row: &sqlx::any::AnyRow) -> Result<SourceText> {
    Ok(SourceText {
        id: row.try_get("id")?,
        region: region(&row.try_get::<String, _>("region_code")?)?,
        received_at: instant(row.try_get("received_at")?)?,
        description: row.try_get("description")?,
    })
}
