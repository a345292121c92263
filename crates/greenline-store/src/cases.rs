//! Cases, their reporters and their append-only events.

use chrono::{DateTime, Utc};
use greenline_domain::{
    Applied, Case, CaseKind, Channel, FieldError, NewCase, PollutionType, RegionCode, Reporter,
    Stage, TypeSuggestion,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::callbacks::NewCallback;
use crate::convert::{
    Arg, CASE_COLUMNS, Sql, bind_all, case_from_row, code_of, id_lists, instant, millis,
    millis_opt, region,
};
use crate::{HeldCase, Result, Store, StoreError};

/// Who did something, as the event log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The staff account, if a staff member acted.
    pub staff_id: Option<i64>,
    /// A readable label: the staff member's name and unit, `public`, or `system`.
    pub label: String,
}

impl Actor {
    pub fn public() -> Self {
        Actor {
            staff_id: None,
            label: "public".to_owned(),
        }
    }

    pub fn system(what: &str) -> Self {
        Actor {
            staff_id: None,
            label: format!("system:{what}"),
        }
    }

    pub fn staff(id: i64, label: impl Into<String>) -> Self {
        Actor {
            staff_id: Some(id),
            label: label.into(),
        }
    }
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Event {
    pub id: i64,
    pub case_id: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub from_stage: Option<Stage>,
    pub to_stage: Option<Stage>,
    pub note: Option<String>,
    pub data: serde_json::Value,
}

/// An event to append, described by the caller.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
    pub data: serde_json::Value,
}

/// One event of a change: its action code and the stages it moved between.
#[derive(Debug, Clone)]
pub struct StepEvent<'a> {
    pub action: String,
    pub from: Stage,
    pub to: Stage,
    pub event: NewEvent<'a>,
}

/// The key a client sent to make its submission safe to retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// Whose key it is (`public:203.0.113.7`, `staff:12`): keys of different callers never
    /// collide.
    pub scope: String,
    /// The key as stored (the core keeps a digest of the client's key, not the key itself).
    pub key: String,
    /// A digest of the request body: the same key with another body is refused.
    pub request_hash: String,
    /// What a retry answers as the case's tracking secret, as stored (the core seals it with
    /// the client's key, so the table alone does not give it away).
    pub secret: String,
}

/// Everything intake writes.
#[derive(Debug, Clone)]
pub struct IntakeRecord {
    pub case: NewCase,
    pub unit_id: i64,
    pub received_at: DateTime<Utc>,
    /// The acceptance deadline, stored for the overdue filter.
    pub due_at: Option<DateTime<Utc>>,
    /// The reporter's secret for tracking, shown once; only its hash is kept with the case.
    pub secret: String,
    pub secret_hash: String,
    pub actor: Actor,
    pub idempotency: Option<IdempotencyKey>,
    /// The classifier's suggestion for the text, kept with the case.
    pub suggestion: Option<TypeSuggestion>,
}

/// What intake returns: the case, and whether it was created now or by an earlier request with
/// the same Idempotency-Key.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeReceipt {
    pub case: Case,
    pub secret: String,
    pub replayed: bool,
}

/// Staff search filters. Region filters take a whole subtree.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// The caller's jurisdiction: only cases placed in this region.
    pub within: Option<RegionCode>,
    pub region: Option<RegionCode>,
    pub kind: Option<CaseKind>,
    pub stage: Option<Stage>,
    pub pollution_type: Option<PollutionType>,
    pub channel: Option<Channel>,
    pub unit_id: Option<i64>,
    pub received_from: Option<DateTime<Utc>>,
    pub received_before: Option<DateTime<Utc>>,
    /// `Some(now)`: only cases whose running deadline has passed at `now`.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Keyset pagination: cases with a smaller id than this (newest first).
    pub before_id: Option<i64>,
    /// Keyset pagination the other way: cases with a larger id than this, oldest first
    /// (`Some(0)` starts from the beginning). Takes precedence over `before_id`.
    pub after_id: Option<i64>,
    pub limit: u32,
}

pub(crate) fn event_from_row(row: &AnyRow) -> Result<Event> {
    let stage = |col: &str| -> Result<Option<Stage>> {
        let code: Option<String> = row.try_get(col)?;
        code.map(|c| Stage::parse(&c).ok_or_else(|| crate::convert::corrupt("stage", &c)))
            .transpose()
    };
    let data: String = row.try_get("data")?;
    Ok(Event {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        at: instant(row.try_get("at")?)?,
        actor_id: row.try_get("actor_id")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        from_stage: stage("from_stage")?,
        to_stage: stage("to_stage")?,
        note: row.try_get("note")?,
        data: serde_json::from_str(&data)
            .map_err(|_| crate::convert::corrupt("event data", &data))?,
    })
}

macro_rules! insert_events_head {
    () => {
        "INSERT INTO case_events (case_id, at, actor_id, actor, action, from_stage, to_stage, \
         note, data) VALUES"
    };
}

/// The start of an insert of events; rows of [`event_args`] follow.
pub(crate) const INSERT_EVENTS_HEAD: &str = insert_events_head!();
pub(crate) const INSERT_EVENT: &str = concat!(
    insert_events_head!(),
    " ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
);

pub(crate) fn event_args(
    case_id: i64,
    action: &str,
    from: Option<Stage>,
    to: Option<Stage>,
    event: &NewEvent<'_>,
) -> Vec<Arg> {
    vec![
        Arg::int(case_id),
        Arg::int(millis(event.at)),
        Arg::Int(event.actor.staff_id),
        Arg::text(event.actor.label.clone()),
        Arg::text(action),
        Arg::Text(from.map(|s| s.code().to_owned())),
        Arg::Text(to.map(|s| s.code().to_owned())),
        Arg::Text(event.note.clone()),
        Arg::text(event.data.to_string()),
    ]
}

pub(crate) async fn append_event(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    action: &str,
    from: Option<Stage>,
    to: Option<Stage>,
    event: &NewEvent<'_>,
) -> Result<()> {
    let args = event_args(case_id, action, from, to, event);
    bind_all(sqlx::query(INSERT_EVENT), &args)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn load_case<'e, E>(executor: E, id: i64) -> Result<Case>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await?
    .ok_or(StoreError::NotFound("case"))?;
    case_from_row(&row)
}

pub(crate) fn types_text(types: &[PollutionType]) -> String {
    types.iter().map(|t| t.code()).collect::<Vec<_>>().join(",")
}

/// The most cases one page of a search returns.
pub const MAX_PAGE: u32 = 500;

/// An instant from `2026-11-27` (the start of that day in China, or of the next day for the
/// end of a range) or an RFC 3339 timestamp.
fn filter_instant(text: &str, end_of_day: bool) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let date = if end_of_day { date.succ_opt()? } else { date };
    date.and_hms_opt(0, 0, 0)?
        .and_local_timezone(greenline_domain::deadline::china_time())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

impl CaseFilter {
    /// Reads filters given as `key=value` pairs, as the search API and the export command take
    /// them: `kind`, `stage`, `type`, `region`, `channel`, `unit_id`, `received_from`,
    /// `received_to` (a date includes the whole day), `overdue=true`, `before`, `limit`.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        now: DateTime<Utc>,
    ) -> Result<CaseFilter, FieldError> {
        let mut filter = CaseFilter {
            limit: MAX_PAGE,
            ..CaseFilter::default()
        };
        for (key, value) in params {
            let value = value.trim();
            let bad = |message: &str| FieldError::new(key, message);
            match key {
                "kind" => {
                    filter.kind = Some(
                        CaseKind::parse_case(value)
                            .ok_or_else(|| bad("expected report, petition or reconsideration"))?,
                    )
                }
                "stage" => {
                    filter.stage = Some(Stage::parse(value).ok_or_else(|| bad("unknown stage"))?)
                }
                "type" => {
                    filter.pollution_type =
                        Some(PollutionType::parse(value).map_err(|e| bad(&e.to_string()))?)
                }
                "region" => {
                    filter.region = Some(RegionCode::parse(value).map_err(|e| bad(&e.to_string()))?)
                }
                "channel" => {
                    filter.channel =
                        Some(Channel::parse(value).ok_or_else(|| bad("unknown channel"))?)
                }
                "unit_id" => {
                    filter.unit_id = Some(value.parse().map_err(|_| bad("expected a unit id"))?)
                }
                "received_from" | "received_to" => {
                    let at = filter_instant(value, key == "received_to").ok_or_else(|| {
                        bad("expected a date YYYY-MM-DD or an RFC 3339 timestamp")
                    })?;
                    if key == "received_from" {
                        filter.received_from = Some(at);
                    } else {
                        filter.received_before = Some(at);
                    }
                }
                "overdue" => match value {
                    "true" => filter.overdue_at = Some(now),
                    "false" | "" => {}
                    _ => return Err(bad("expected true or false")),
                },
                "before" => {
                    filter.before_id = Some(value.parse().map_err(|_| bad("expected a case id"))?)
                }
                "limit" => {
                    let limit: u32 = value.parse().map_err(|_| bad("expected a number"))?;
                    if !(1..=MAX_PAGE).contains(&limit) {
                        return Err(bad(&format!("between 1 and {MAX_PAGE}")));
                    }
                    filter.limit = limit;
                }
                _ => return Err(bad("unknown filter")),
            }
        }
        Ok(filter)
    }
}

/// Appends the filter's conditions, order and limit to a query over `cases c`.
fn filter_sql(sql: &mut Sql, filter: &CaseFilter) {
    where_sql(sql, filter);
    page_sql(sql, filter);
}

/// The conditions of a filter, each as ` AND …`.
pub(crate) fn where_sql(sql: &mut Sql, filter: &CaseFilter) {
    for area in [filter.within, filter.region].into_iter().flatten() {
        if area != RegionCode::NATIONAL {
            let (low, high) = area.subtree_range();
            sql.push(" AND c.region_code >= ")
                .bind(Arg::text(format!("{low:06}")))
                .push(" AND c.region_code < ")
                .bind(Arg::text(format!("{high:06}")));
        }
    }
    if let Some(kind) = filter.kind {
        sql.push(" AND c.kind = ").bind(Arg::text(kind.code()));
    }
    if let Some(stage) = filter.stage {
        sql.push(" AND c.stage = ").bind(Arg::text(stage.code()));
    }
    if let Some(channel) = filter.channel {
        sql.push(" AND c.channel = ")
            .bind(Arg::text(channel.code()));
    }
    if let Some(t) = filter.pollution_type {
        sql.push(
            " AND EXISTS (SELECT 1 FROM case_types t WHERE t.case_id = c.id AND t.type_code = ",
        )
        .bind(Arg::text(t.code()))
        .push(")");
    }
    if let Some(unit) = filter.unit_id {
        sql.push(" AND c.unit_id = ").bind(Arg::int(unit));
    }
    if let Some(from) = filter.received_from {
        sql.push(" AND c.received_at >= ")
            .bind(Arg::int(millis(from)));
    }
    if let Some(before) = filter.received_before {
        sql.push(" AND c.received_at < ")
            .bind(Arg::int(millis(before)));
    }
    if let Some(now) = filter.overdue_at {
        sql.push(" AND c.due_at IS NOT NULL AND c.due_at <= ")
            .bind(Arg::int(millis(now)));
    }
}

/// The conditions of a work-queue question: in one of `stages`, held by a unit in
/// `held_within` (through the unit index: a county's queue reads its own cases, not every open
/// case of the country), and the filter's conditions.
pub(crate) fn held_sql(
    sql: &mut Sql,
    held_within: RegionCode,
    stages: &[Stage],
    filter: &CaseFilter,
) {
    sql.push(" AND c.stage IN (");
    for (i, stage) in stages.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Arg::text(stage.code()));
    }
    sql.push(")");
    if held_within != RegionCode::NATIONAL {
        let (low, high) = held_within.subtree_range();
        sql.push(" AND c.unit_id IN (SELECT h.id FROM units h WHERE h.region_code >= ")
            .bind(Arg::text(format!("{low:06}")))
            .push(" AND h.region_code < ")
            .bind(Arg::text(format!("{high:06}")))
            .push(")");
    }
    where_sql(sql, filter);
}

/// The keyset page of a filter: `after_id` ascending, else `before_id` descending.
fn page_sql(sql: &mut Sql, filter: &CaseFilter) {
    let limit = Arg::int(i64::from(filter.limit.clamp(1, MAX_PAGE)));
    match filter.after_id {
        Some(after) => {
            sql.push(" AND c.id > ").bind(Arg::int(after));
            sql.push(" ORDER BY c.id ASC LIMIT ").bind(limit);
        }
        None => {
            if let Some(before) = filter.before_id {
                sql.push(" AND c.id < ").bind(Arg::int(before));
            }
            sql.push(" ORDER BY c.id DESC LIMIT ").bind(limit);
        }
    }
}

/// A case whose result is public, and when it was published (the latest publication).
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRow {
    pub case: Case,
    pub published_at: Option<DateTime<Utc>>,
}

/// The columns of a published case: the case's and its latest publication time.
const PUBLISHED_SELECT: &str = "(SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id \
     AND e.action = 'publish') AS published_at";

fn published_row(row: &AnyRow) -> Result<PublishedRow> {
    let published: Option<i64> = row.try_get("published_at")?;
    Ok(PublishedRow {
        case: case_from_row(row)?,
        published_at: published.map(instant).transpose()?,
    })
}

/// The condition of a case whose result is public: a published summary, and a stage that
/// keeps it ([`Stage::PUBLISHED_RESULT`]).
fn published_sql(sql: &mut Sql) {
    sql.push(" AND c.public_summary IS NOT NULL AND c.stage IN (");
    for (i, stage) in Stage::PUBLISHED_RESULT.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Arg::text(stage.code()));
    }
    sql.push(")");
}

/// Who exports reporters' identities, and the units whose cases' reporters they may read.
#[derive(Debug, Clone)]
pub struct ExportReader {
    pub actor: Actor,
    pub units: Vec<i64>,
}

/// A case as export writes it: with its publication time and its reporter, whose name, phone
/// and address are left out unless they were asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub case: Case,
    pub published_at: Option<DateTime<Utc>>,
    pub reporter: Reporter,
}

impl Store {
    async fn case_from(&self, pool: &sqlx::AnyPool, id: i64) -> Result<Case> {
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound("case"))?;
        case_from_row(&row)
    }

    pub async fn case(&self, id: i64) -> Result<Case> {
        self.case_from(&self.reader, id).await
    }

    /// The tracking secret's hash and the reporter's phone, to check a reporter's lookup.
    pub async fn case_credentials(&self, id: i64) -> Result<(String, Option<String>)> {
        let row = sqlx::query(
            "SELECT c.secret_hash, r.phone FROM cases c JOIN reporters r ON r.case_id = c.id \
             WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::NotFound("case"))?;
        Ok((row.try_get("secret_hash")?, row.try_get("phone")?))
    }

    /// The cases, newest first and at most `limit`, placed in `within` whose reporter left one
    /// of `phones` (digits only; see [`greenline_domain::phone_keys`]), each with the region of
    /// the unit holding it. Reads the reporters table: the caller records the look-up.
    pub async fn cases_by_phone(
        &self,
        phones: &[String],
        within: RegionCode,
        limit: u32,
    ) -> Result<Vec<HeldCase>> {
        if phones.is_empty() {
            return Ok(Vec::new());
        }
        // The expression of migration 0010's index, so the look-up reads it.
        let mut sql = Sql::new(&format!(
            "SELECT {CASE_COLUMNS}, u.region_code AS holder_region FROM reporters r \
             JOIN cases c ON c.id = r.case_id JOIN units u ON u.id = c.unit_id \
             WHERE REPLACE(REPLACE(REPLACE(r.phone, '-', ''), ' ', ''), '+', '') IN ("
        ));
        for (i, phone) in phones.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::text(phone.as_str()));
        }
        sql.push(")");
        where_sql(
            &mut sql,
            &CaseFilter {
                within: Some(within),
                ..CaseFilter::default()
            },
        );
        sql.push(" ORDER BY c.received_at DESC, c.id DESC LIMIT ")
            .bind(Arg::int(i64::from(limit)));
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

    /// Cases matching the filter, newest first.
    pub async fn search(&self, filter: &CaseFilter) -> Result<Vec<Case>> {
        let mut sql = Sql::new(&format!("SELECT {CASE_COLUMNS} FROM cases c WHERE 1 = 1"));
        filter_sql(&mut sql, filter);
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(case_from_row)
            .collect()
    }

    /// The cases whose result is public (see [`PublishedRow`]) under the filter's region, type,
    /// received range and keyset page, newest first, each with its publication time.
    pub async fn published_cases(&self, filter: &CaseFilter) -> Result<Vec<PublishedRow>> {
        let mut sql = Sql::new(&format!(
            "SELECT {CASE_COLUMNS}, {PUBLISHED_SELECT} FROM cases c WHERE 1 = 1"
        ));
        published_sql(&mut sql);
        filter_sql(
            &mut sql,
            &CaseFilter {
                after_id: None,
                ..filter.clone()
            },
        );
        sql.query()
            .fetch_all(&self.reader)
            .await?
            .iter()
            .map(published_row)
            .collect()
    }

    /// When any case under the filter's region, type and received range last changed (its
    /// latest event), if any case is there: the `updated` time of public figures over them.
    pub async fn last_change(&self, filter: &CaseFilter) -> Result<Option<DateTime<Utc>>> {
        let mut sql = Sql::new(
            "SELECT MAX(e.at) AS at FROM cases c JOIN case_events e ON e.case_id = c.id \
             WHERE 1 = 1",
        );
        where_sql(&mut sql, filter);
        let at: Option<i64> = sql.query().fetch_one(&self.reader).await?.try_get("at")?;
        at.map(instant).transpose()
    }

    /// One case whose result is public; not found when there is no such case or its result is
    /// not public.
    pub async fn published_case(&self, id: i64) -> Result<PublishedRow> {
        let mut sql = Sql::new(&format!(
            "SELECT {CASE_COLUMNS}, {PUBLISHED_SELECT} FROM cases c WHERE c.id = "
        ));
        sql.bind(Arg::int(id));
        published_sql(&mut sql);
        let row = sql
            .query()
            .fetch_optional(&self.reader)
            .await?
            .ok_or(StoreError::NotFound("case"))?;
        published_row(&row)
    }

    /// Writes a change computed by the domain and its event, in one transaction. Refused with
    /// [`StoreError::Conflict`] if the case changed since the version the change started from.
    pub async fn record_change(
        &self,
        applied: &Applied,
        due_at: Option<DateTime<Utc>>,
        event: NewEvent<'_>,
    ) -> Result<Event> {
        let step = StepEvent {
            action: applied.action.code().to_owned(),
            from: applied.from,
            to: applied.to,
            event,
        };
        let mut events = self
            .record_change_as(applied, due_at, std::slice::from_ref(&step), None)
            .await?;
        events.pop().ok_or(StoreError::NotFound("event"))
    }

    /// Writes a change and the events that tell it, in one transaction (an approval: the
    /// approval, the conclusion and the reply it puts into effect), with a callback's row when
    /// one caused the change. The events come back in order.
    pub async fn record_change_as(
        &self,
        applied: &Applied,
        due_at: Option<DateTime<Utc>>,
        steps: &[StepEvent<'_>],
        callback: Option<&NewCallback>,
    ) -> Result<Vec<Event>> {
        self.record_change_full(applied, due_at, steps, callback, &[], None)
            .await
    }

    /// [`Store::record_change_as`] with the notices to the reporter it causes, all in one
    /// transaction.
    pub(crate) async fn record_change_full(
        &self,
        applied: &Applied,
        due_at: Option<DateTime<Utc>>,
        steps: &[StepEvent<'_>],
        callback: Option<&NewCallback>,
        notices: &[crate::NewNotice],
        transfer: Option<&crate::NewTransferCallback>,
    ) -> Result<Vec<Event>> {
        let case = &applied.case;
        let mut tx = self.writer.begin().await?;
        let result = sqlx::query(
            "UPDATE cases SET stage = $1, unit_id = $2, accepted_at = $3, concluded_at = $4, \
             replied_at = $5, review_requested_at = $6, reviewed_at = $7, \
             re_review_requested_at = $8, closed_at = $9, extension_days = $10, \
             extension_reason = $11, rejection_reason = $12, outcome = $13, findings = $14, \
             enforcement = $15, reply = $16, public_summary = $17, due_at = $18, version = $19, \
             approval_draft = $20, reopened_at = $21 WHERE id = $22 AND version = $23",
        )
        .bind(case.stage.code().to_owned())
        .bind(case.unit_id)
        .bind(millis_opt(case.accepted_at))
        .bind(millis_opt(case.concluded_at))
        .bind(millis_opt(case.replied_at))
        .bind(millis_opt(case.review_requested_at))
        .bind(millis_opt(case.reviewed_at))
        .bind(millis_opt(case.re_review_requested_at))
        .bind(millis_opt(case.closed_at))
        .bind(case.extension.as_ref().map(|e| i64::from(e.days)))
        .bind(case.extension.as_ref().map(|e| e.reason.clone()))
        .bind(case.rejection.as_ref().map(code_of))
        .bind(case.outcome.as_ref().map(code_of))
        .bind(case.findings.clone())
        .bind(serde_json::to_string(&case.enforcement).map_err(|e| {
            StoreError::Corrupt(format!("enforcement actions do not serialise: {e}"))
        })?)
        .bind(case.reply.clone())
        .bind(case.public_summary.clone())
        .bind(millis_opt(due_at))
        .bind(case.version)
        .bind(
            case.draft
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("a draft does not serialise: {e}")))?,
        )
        .bind(millis_opt(case.reopened_at))
        .bind(case.id)
        .bind(case.version - 1)
        .execute(&mut *tx)
        .await?;
        if result.rows_affected() != 1 {
            return Err(StoreError::Conflict);
        }
        for step in steps {
            append_event(
                &mut tx,
                case.id,
                &step.action,
                Some(step.from),
                Some(step.to),
                &step.event,
            )
            .await?;
        }
        if let Some(callback) = callback {
            crate::callbacks::insert(&mut tx, callback).await?;
        }
        if !notices.is_empty() {
            let at = steps.last().map_or(case.received_at, |s| s.event.at);
            crate::notices::insert_notices(&mut tx, case.id, notices, at).await?;
        }
        if let Some(transfer) = transfer {
            let at = steps.last().map_or(case.received_at, |s| s.event.at);
            crate::transfers::insert_callback(&mut tx, case.id, transfer, at).await?;
        }
        let rows = sqlx::query(
            "SELECT id, case_id, at, actor_id, actor, action, from_stage, to_stage, note, data \
             FROM case_events WHERE case_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(case.id)
        .bind(i64::try_from(steps.len()).unwrap_or(i64::MAX))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter().rev().map(event_from_row).collect()
    }

    /// The histories of several cases in one read: every event of any of them, by case and
    /// then oldest first.
    pub async fn events_of(&self, case_ids: &[i64]) -> Result<Vec<Event>> {
        let mut events = Vec::new();
        for list in id_lists(case_ids) {
            let rows = sqlx::query(&format!(
                "SELECT id, case_id, at, actor_id, actor, action, from_stage, to_stage, note, \
                 data FROM case_events WHERE case_id IN ({list}) ORDER BY case_id, id"
            ))
            .fetch_all(&self.reader)
            .await?;
            for row in &rows {
                events.push(event_from_row(row)?);
            }
        }
        Ok(events)
    }

    /// The case's history, oldest first.
    pub async fn events(&self, case_id: i64) -> Result<Vec<Event>> {
        sqlx::query(
            "SELECT id, case_id, at, actor_id, actor, action, from_stage, to_stage, note, data \
             FROM case_events WHERE case_id = $1 ORDER BY id",
        )
        .bind(case_id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(event_from_row)
        .collect()
    }

    /// A page of cases for export, oldest first from `filter.after_id`, each with its
    /// publication time. With `reader`, the reporters of the cases held by the reader's units
    /// come too, and each such read is recorded as an event of its case in the same
    /// transaction.
    pub async fn export_page(
        &self,
        filter: &CaseFilter,
        reader: Option<&ExportReader>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ExportRow>> {
        let mut sql = Sql::new(&format!(
            "SELECT {CASE_COLUMNS}, \
             (SELECT MAX(e.at) FROM case_events e WHERE e.case_id = c.id AND e.action = 'publish') \
             AS published_at, r.anonymous, r.name, r.phone, r.contact_address, r.email \
             FROM cases c JOIN reporters r ON r.case_id = c.id WHERE 1 = 1"
        ));
        filter_sql(
            &mut sql,
            &CaseFilter {
                after_id: Some(filter.after_id.unwrap_or(0)),
                ..filter.clone()
            },
        );
        let mut tx = self.writer.begin().await?;
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let mut page = Vec::with_capacity(rows.len());
        let mut revealed = Vec::new();
        for row in &rows {
            let unit_id: i64 = row.try_get("unit_id")?;
            let reveal = reader.is_some_and(|r| r.units.contains(&unit_id));
            let identity = |column: &str| -> Result<Option<String>> {
                Ok(if reveal { row.try_get(column)? } else { None })
            };
            let reporter = Reporter {
                anonymous: row.try_get::<i64, _>("anonymous")? != 0,
                name: identity("name")?,
                phone: identity("phone")?,
                contact_address: identity("contact_address")?,
                email: identity("email")?,
            };
            let published: Option<i64> = row.try_get("published_at")?;
            let case = case_from_row(row)?;
            if reveal {
                revealed.push(case.id);
            }
            page.push(ExportRow {
                case,
                published_at: published.map(instant).transpose()?,
                reporter,
            });
        }
        if let Some(ExportReader { actor, .. }) = reader
            && !revealed.is_empty()
        {
            // One statement records every read of the page.
            let mut audit = Sql::new(
                "INSERT INTO case_events (case_id, at, actor_id, actor, action, data) VALUES ",
            );
            for (i, case_id) in revealed.iter().enumerate() {
                if i > 0 {
                    audit.push(", ");
                }
                audit.push("(").bind(Arg::int(*case_id)).push(", ");
                audit.bind(Arg::int(millis(now))).push(", ");
                audit.bind(Arg::Int(actor.staff_id)).push(", ");
                audit
                    .bind(Arg::text(actor.label.clone()))
                    .push(", 'export_reporter', '{}')");
            }
            audit.query().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(page)
    }

    /// Appends an event that changes nothing of the case (an urging, a supervision).
    pub async fn note_event(&self, case_id: i64, action: &str, event: NewEvent<'_>) -> Result<()> {
        let mut tx = self.writer.begin().await?;
        append_event(&mut tx, case_id, action, None, None, &event)
            .await
            .map_err(|e| match e {
                StoreError::Database(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
                    StoreError::NotFound("case")
                }
                other => other,
            })?;
        tx.commit().await?;
        Ok(())
    }

    /// The reporter's identity. The read itself is recorded as an event, in the same
    /// transaction: no one sees a reporter without leaving a trace.
    /// The audit record (`audit`) is appended in the same transaction.
    pub async fn read_reporter(
        &self,
        case_id: i64,
        event: NewEvent<'_>,
        audit: &crate::AuditEntry,
    ) -> Result<Reporter> {
        // The write comes first, so that on SQLite the transaction takes the write lock (waiting
        // for it if need be) before it reads anything.
        let mut tx = self.writer.begin().await?;
        append_event(&mut tx, case_id, "view_reporter", None, None, &event)
            .await
            .map_err(|e| match e {
                StoreError::Database(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
                    StoreError::NotFound("case")
                }
                other => other,
            })?;
        let row = sqlx::query(
            "SELECT anonymous, name, phone, contact_address, email FROM reporters \
             WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound("case"))?;
        crate::audit::append(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(Reporter {
            anonymous: row.try_get::<i64, _>("anonymous")? != 0,
            name: row.try_get("name")?,
            phone: row.try_get("phone")?,
            contact_address: row.try_get("contact_address")?,
            email: row.try_get("email")?,
        })
    }
}

/// The case columns with the free texts left out (read as empty): the statistics need none of
/// them, and they are most of a case's bytes.
pub(crate) fn columns_without_text() -> String {
    CASE_COLUMNS
        .replace("c.address,", "'' AS address,")
        .replace("c.description,", "'' AS description,")
        .replace("c.findings,", "NULL AS findings,")
        .replace("c.reply,", "NULL AS reply,")
        .replace("c.public_summary,", "NULL AS public_summary,")
        .replace("c.approval_draft,", "NULL AS approval_draft,")
}

// Cases in bulk, for the derived views: every case in id order without its texts (for the
// statistics' build at start) and the cases the event log says changed (to keep it current).
// The siblings with texts are in `texts`.
impl Store {
    /// Up to `limit` cases with ids above `after_id`, in id order, with empty texts
    /// (address, description, findings, reply and public summary).
    pub async fn cases_without_text(&self, after_id: i64, limit: u32) -> Result<Vec<Case>> {
        self.cases_after(&columns_without_text(), after_id, limit)
            .await
    }

    /// Up to `limit` cases with ids above `after_id`, in id order, with `columns` (a list
    /// that [`case_from_row`] reads).
    pub(crate) async fn cases_after(
        &self,
        columns: &str,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<Case>> {
        sqlx::query(&format!(
            "SELECT {columns} FROM cases c WHERE c.id > $1 ORDER BY c.id LIMIT $2"
        ))
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(case_from_row)
        .collect()
    }

    /// The given cases in full, in id order; ids not stored are left out.
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<Case>> {
        self.cases_by_id(CASE_COLUMNS, ids).await
    }

    /// The given cases with empty texts, in id order; ids not stored are left out.
    pub async fn cases_without_text_by_id(&self, ids: &[i64]) -> Result<Vec<Case>> {
        self.cases_by_id(&columns_without_text(), ids).await
    }

    /// The given cases with `columns` (a list that [`case_from_row`] reads), in id order; ids
    /// not stored are left out.
    pub(crate) async fn cases_by_id(&self, columns: &str, ids: &[i64]) -> Result<Vec<Case>> {
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
}
