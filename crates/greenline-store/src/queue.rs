//! The work queue's questions (待办): how many open cases a set of units holds, by kind, stage
//! and running deadline, and one page of them in order of urgency — both answered in SQL from
//! the stored deadline (`due_at`, written with every change from the domain's deadline rules),
//! so that a national desk's queue never reads its tens of thousands of open cases whole.

use chrono::{DateTime, Utc};
use greenline_domain::{Case, CaseKind, RegionCode, Stage};
use sqlx::Row;

use crate::cases::{CaseFilter, columns_without_text, held_sql};
use crate::convert::{Arg, Sql, case_from_row, millis, region};
use crate::{Result, Store};

/// A case with the region of the unit holding it (whose staff, and those above, act on it).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldCase {
    pub case: Case,
    pub holder_region: RegionCode,
}

/// Which cases a question takes by their running deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueBand {
    /// Every case, with a deadline or without.
    Any,
    /// The deadline has passed at this instant (`due_at <= now`).
    Overdue { now: DateTime<Utc> },
    /// The deadline has not passed at `now` and falls at or before `until`.
    DueSoon {
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    },
}

/// The order of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueOrder {
    /// The earliest deadline first (so the most overdue first), cases without one last, the
    /// oldest first among equals.
    Urgency,
    /// The oldest received first.
    Received,
}

/// What a queue asks of the store.
#[derive(Debug, Clone, Copy)]
pub struct QueueQuestion<'a> {
    /// Cases held by a unit whose region lies here.
    pub held_within: RegionCode,
    /// Cases in one of these stages.
    pub stages: &'a [Stage],
    /// Pairs left out although their stage is asked for (a kind the caller cannot act on in
    /// that stage).
    pub excluded: &'a [(CaseKind, Stage)],
    /// The filter's conditions (its keyset page is ignored).
    pub filter: &'a CaseFilter,
    /// Only these cases (the hits of a text search), when given.
    pub among: Option<&'a [i64]>,
}

/// How many cases of one kind in one stage a question finds, and how many of them are past
/// their deadline or close to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCount {
    pub kind: CaseKind,
    pub stage: Stage,
    pub total: u64,
    pub overdue: u64,
    pub due_soon: u64,
}

impl QueueQuestion<'_> {
    /// Appends the question's conditions to a query over `cases c`; the excluded pairs only
    /// with `exclude` (counts by kind and stage leave them to the caller: testing them on
    /// every row of a national count doubled its time).
    fn conditions(&self, sql: &mut Sql, exclude: bool) {
        held_sql(sql, self.held_within, self.stages, self.filter);
        for (kind, stage) in self.excluded.iter().filter(|_| exclude) {
            sql.push(" AND NOT (c.kind = ")
                .bind(Arg::text(kind.code()))
                .push(" AND c.stage = ")
                .bind(Arg::text(stage.code()))
                .push(")");
        }
        if let Some(ids) = self.among {
            // Ids are integers we hold, written as numbers: no text of a caller's reaches
            // the statement.
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            if list.is_empty() {
                sql.push(" AND 1 = 0");
            } else {
                sql.push(&format!(" AND c.id IN ({})", list.join(", ")));
            }
        }
    }
}

fn band_sql(sql: &mut Sql, band: DueBand) {
    match band {
        DueBand::Any => {}
        DueBand::Overdue { now } => {
            sql.push(" AND c.due_at IS NOT NULL AND c.due_at <= ")
                .bind(Arg::int(millis(now)));
        }
        DueBand::DueSoon { now, until } => {
            sql.push(" AND c.due_at IS NOT NULL AND c.due_at > ")
                .bind(Arg::int(millis(now)))
                .push(" AND c.due_at <= ")
                .bind(Arg::int(millis(until)));
        }
    }
}

fn count(row: &sqlx::any::AnyRow, column: &str) -> Result<u64> {
    // SUM over no rows is NULL.
    let n: Option<i64> = row.try_get(column)?;
    Ok(u64::try_from(n.unwrap_or_default()).unwrap_or_default())
}

impl Store {
    /// The cases the question finds, counted by kind and stage (the excluded pairs left out),
    /// with those past their deadline at `now` and those due by `soon` (and not past) counted
    /// apart.
    pub async fn queue_counts(
        &self,
        question: &QueueQuestion<'_>,
        now: DateTime<Utc>,
        soon: DateTime<Utc>,
    ) -> Result<Vec<QueueCount>> {
        if question.stages.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(
            "SELECT c.kind, c.stage, COUNT(*) AS total, \
             SUM(CASE WHEN c.due_at IS NOT NULL AND c.due_at <= ",
        );
        sql.bind(Arg::int(millis(now)))
            .push(" THEN 1 ELSE 0 END) AS overdue, SUM(CASE WHEN c.due_at IS NOT NULL AND c.due_at > ")
            .bind(Arg::int(millis(now)))
            .push(" AND c.due_at <= ")
            .bind(Arg::int(millis(soon)))
            .push(" THEN 1 ELSE 0 END) AS due_soon FROM cases c WHERE 1 = 1");
        question.conditions(&mut sql, false);
        // Below the country, grouped by unit too: the planner then reads the unit index,
        // the few units' own cases, rather than every open case of each stage.
        sql.push(if question.held_within == RegionCode::NATIONAL {
            " GROUP BY c.kind, c.stage"
        } else {
            " GROUP BY c.unit_id, c.kind, c.stage"
        });
        let mut counts: Vec<QueueCount> = Vec::new();
        for row in sql.query().fetch_all(&self.reader).await? {
            let kind: String = row.try_get("kind")?;
            let stage: String = row.try_get("stage")?;
            let kind = CaseKind::parse_case(&kind)
                .ok_or_else(|| crate::convert::corrupt("kind", &kind))?;
            let stage =
                Stage::parse(&stage).ok_or_else(|| crate::convert::corrupt("stage", &stage))?;
            let (total, overdue, due_soon) = (
                count(&row, "total")?,
                count(&row, "overdue")?,
                count(&row, "due_soon")?,
            );
            if question.excluded.contains(&(kind, stage)) {
                continue;
            }
            match counts
                .iter_mut()
                .find(|c| c.kind == kind && c.stage == stage)
            {
                Some(c) => {
                    c.total += total;
                    c.overdue += overdue;
                    c.due_soon += due_soon;
                }
                None => counts.push(QueueCount {
                    kind,
                    stage,
                    total,
                    overdue,
                    due_soon,
                }),
            }
        }
        Ok(counts)
    }

    /// A page of the cases the question finds in `band`, in `order`, each with the region of
    /// the unit holding it and with empty texts.
    pub async fn queue_page(
        &self,
        question: &QueueQuestion<'_>,
        band: DueBand,
        order: QueueOrder,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<HeldCase>> {
        if question.stages.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let order_by = match order {
            // `due_at IS NULL` first in the key: NULLs sort first on SQLite and last on
            // PostgreSQL, and the queue wants them last on both.
            QueueOrder::Urgency => " ORDER BY c.due_at IS NULL, c.due_at, c.received_at, c.id",
            QueueOrder::Received => " ORDER BY c.received_at, c.id",
        };
        // The page's ids first, from the covering indexes alone; then those few cases whole.
        // Sorting whole rows read every open case of the stages from the table (half a
        // second for a national desk's replied cases).
        let mut sql = Sql::new(&format!(
            "SELECT {}, u.region_code AS holder_region FROM cases c \
             JOIN units u ON u.id = c.unit_id WHERE c.id IN (SELECT c.id FROM cases c WHERE 1 = 1",
            columns_without_text()
        ));
        question.conditions(&mut sql, true);
        band_sql(&mut sql, band);
        sql.push(order_by)
            .push(" LIMIT ")
            .bind(Arg::int(i64::from(limit)))
            .push(" OFFSET ")
            .bind(Arg::int(i64::from(offset)))
            .push(")")
            .push(order_by);
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(|row| {
                Ok(HeldCase {
                    case: case_from_row(row)?,
                    holder_region: region(&row.try_get::<String, _>("holder_region")?)?,
                })
            })
            .collect()
    }
}
