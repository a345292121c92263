//! The published results (办理结果公开): a page of the cases whose result is public, filtered
//! by region (any level), pollution type and period (months of receipt), newest first; and
//! one of them by its tracking number.
//!
//! A case's result is public from the step 公开 (publish) on, while it stays in a stage that
//! keeps it ([`greenline_domain::Stage::PUBLISHED_RESULT`]); a report reopened after its callback leaves the list
//! until it is published again. Each item carries the tracking number, type and sub-type, the
//! county and the road ([`super::place::public_place`]), the dates of receipt, acceptance,
//! conclusion, reply and publication, the finding, the enforcement actions, the official reply
//! and the public summary — every text masked (see the parent module) — and never the
//! description the reporter wrote.
//!
//! One published result also lists its reporter's photos that have a public copy (re-encoded,
//! without their metadata: see `cases::evidence`); [`App::published_photo`] hands out the copy.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use greenline_domain::deadline::{china_time, local_date};
use greenline_domain::{CaseKind, EnforcementAction, PollutionType, RegionCode, TrackingNo};
use greenline_store::{CaseFilter, PublishedRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::place::public_place;
use crate::App;
use crate::error::{ServiceError, ServiceResult};
use crate::masking::mask_case_public;

/// Results on a page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
/// The most results a page holds.
pub const MAX_LIMIT: u32 = 100;

/// Which published results: every field optional.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublishedFilter {
    /// A region code of any level (`440000`, `440300`, `440305`).
    pub region: Option<String>,
    /// A pollution type code (`air`, `noise` …): cases carrying it.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub pollution_type: Option<String>,
    /// First month of receipt, `YYYY-MM`.
    pub from: Option<String>,
    /// Last month of receipt, `YYYY-MM` (inclusive).
    pub to: Option<String>,
    /// Keyset page: results older than this one (the `next_before` of the previous page).
    pub before: Option<String>,
    /// Results on the page, 1 to 100 (default 20).
    pub limit: Option<String>,
}

/// One published result, as the public reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedCase {
    /// 受理编号, e.g. `GL20261127-0000123`.
    pub tracking_no: String,
    pub kind: CaseKind,
    pub kind_zh: String,
    /// The main pollution type's code and name.
    #[serde(rename = "type")]
    pub pollution_type: String,
    pub type_zh: String,
    /// Every type the case carries, by name.
    pub types_zh: Vec<String>,
    pub sub_type_zh: Option<String>,
    /// The region code (county level at most) and its full name.
    pub region: String,
    pub region_name: String,
    /// The road, street or compound, without house numbers; may be empty.
    pub place: String,
    /// China-time dates of each step.
    pub received_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub concluded_on: Option<NaiveDate>,
    pub replied_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    /// When the result was published (the latest publication).
    pub published_at: Option<DateTime<Utc>>,
    /// 属实 / 部分属实 / 不属实 …
    pub outcome_zh: Option<String>,
    /// The finding of the investigation.
    pub findings: Option<String>,
    /// Enforcement actions taken, in words.
    pub enforcement_zh: Vec<String>,
    /// The official reply.
    pub reply: Option<String>,
    /// The public summary of the result.
    pub public_summary: String,
    /// 已办结 (every published case is concluded).
    pub status_zh: String,
    /// The reporter's photos that have a public copy (ids for `published_photo`); listed for
    /// one result only, empty in a page of results.
    pub photos: Vec<i64>,
}

/// A page of published results, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublishedPage {
    pub items: Vec<PublishedCase>,
    /// The `before` of the next page, when there may be one.
    pub next_before: Option<i64>,
}

fn month(field: &str, text: &str) -> ServiceResult<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", text.trim()), "%Y-%m-%d")
        .map_err(|_| ServiceError::parameter(field, format!("{text:?} is not a YYYY-MM month")))
}

/// The instant a China-time day starts.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china_time()).single())
        .map_or_else(
            || DateTime::<Utc>::from_naive_utc_and_offset(day.and_time(Default::default()), Utc),
            |t| t.with_timezone(&Utc),
        )
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl PublishedFilter {
    /// The store's filter, or the first field that does not read.
    fn read(&self) -> ServiceResult<CaseFilter> {
        let mut filter = CaseFilter {
            limit: DEFAULT_LIMIT,
            ..CaseFilter::default()
        };
        if let Some(code) = present(&self.region) {
            filter.region = Some(
                RegionCode::parse(code)
                    .map_err(|_| ServiceError::parameter("region", "not a known region code"))?,
            );
        }
        if let Some(code) = present(&self.pollution_type) {
            filter.pollution_type = Some(
                PollutionType::parse(code)
                    .map_err(|_| ServiceError::parameter("type", "not a known pollution type"))?,
            );
        }
        let from = present(&self.from).map(|m| month("from", m)).transpose()?;
        let to = present(&self.to).map(|m| month("to", m)).transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && from > to
        {
            return Err(ServiceError::parameter("from", "must not be after `to`"));
        }
        filter.received_from = from.map(start_of);
        filter.received_before = to
            .and_then(|to| to.checked_add_months(Months::new(1)))
            .map(start_of);
        if let Some(before) = present(&self.before) {
            filter.before_id =
                Some(before.parse().map_err(|_| {
                    ServiceError::parameter("before", "expected a result's number")
                })?);
        }
        if let Some(limit) = present(&self.limit) {
            filter.limit = limit
                .parse()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| {
                    ServiceError::parameter("limit", format!("expected 1 to {MAX_LIMIT}"))
                })?;
        }
        Ok(filter)
    }
}

impl PublishedCase {
    /// The public view of a published case whose texts are already masked.
    fn new(row: PublishedRow) -> PublishedCase {
        let PublishedRow { case, published_at } = row;
        let day = |at: Option<DateTime<Utc>>| at.map(local_date);
        let status = case.stage.public_status();
        PublishedCase {
            tracking_no: case.tracking_no().to_string(),
            kind: case.kind,
            kind_zh: case.kind.zh().to_owned(),
            pollution_type: case.primary_type.code().to_owned(),
            type_zh: case.primary_type.zh().to_owned(),
            types_zh: case.types.iter().map(|t| t.zh().to_owned()).collect(),
            sub_type_zh: case.sub_type.map(|s| s.zh().to_owned()),
            region: case.region.to_string(),
            region_name: case.region.full_name(),
            place: public_place(&case.address),
            received_on: local_date(case.received_at),
            accepted_on: day(case.accepted_at),
            concluded_on: day(case.concluded_at),
            replied_on: day(case.replied_at),
            published_on: day(published_at),
            published_at,
            outcome_zh: case.outcome.map(|o| o.zh().to_owned()),
            findings: case.findings.clone(),
            enforcement_zh: case.enforcement.iter().map(EnforcementAction::zh).collect(),
            reply: case.reply.clone(),
            public_summary: case.public_summary.clone().unwrap_or_default(),
            status_zh: status.zh().to_owned(),
            photos: Vec::new(),
        }
    }

    /// The month of receipt, `YYYY-MM`.
    pub fn received_month(&self) -> String {
        format!(
            "{}-{:02}",
            self.received_on.year(),
            self.received_on.month()
        )
    }
}

impl App {
    /// Published rows masked for the public: each with the public masker and its own reporter.
    async fn public_rows(&self, mut rows: Vec<PublishedRow>) -> ServiceResult<Vec<PublishedCase>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.case.id).collect();
        let known = self.identities_to_mask(&ids).await?;
        let nobody = Default::default();
        for row in &mut rows {
            let case = &mut row.case;
            mask_case_public(case, known.get(&case.id).unwrap_or(&nobody));
            // Never handed out, masked or not.
            case.description.clear();
            case.draft = None;
        }
        Ok(rows.into_iter().map(PublishedCase::new).collect())
    }

    /// A page of published results under `filter`, newest first. Public: no caller.
    pub async fn published_results(
        &self,
        filter: &PublishedFilter,
    ) -> ServiceResult<PublishedPage> {
        let filter = filter.read()?;
        let rows = self.store.published_cases(&filter).await?;
        let next_before = (rows.len() == filter.limit as usize)
            .then(|| rows.last().map(|r| r.case.id))
            .flatten();
        Ok(PublishedPage {
            items: self.public_rows(rows).await?,
            next_before,
        })
    }

    /// One published result by its tracking number (case-insensitive); not found unless the
    /// number is exact and the case's result is public.
    pub async fn published_result(&self, tracking_no: &str) -> ServiceResult<PublishedCase> {
        let number = TrackingNo::parse(&tracking_no.trim().to_ascii_uppercase())
            .map_err(|_| ServiceError::NotFound("published result"))?;
        let row = self.store.published_case(number.case_id).await?;
        if row.case.tracking_no() != number {
            return Err(ServiceError::NotFound("published result"));
        }
        let mut items = self.public_rows(vec![row]).await?;
        let mut item = items
            .pop()
            .ok_or(ServiceError::NotFound("published result"))?;
        item.photos = self
            .store
            .attachments(number.case_id)
            .await?
            .into_iter()
            .filter(|file| file.from_reporter && file.public.is_some())
            .map(|file| file.id)
            .collect();
        Ok(item)
    }

    /// The public copy of photo `attachment` of the published result `tracking_no`: only a
    /// reporter's photo, only its copy without metadata, only while the result is public.
    pub async fn published_photo(
        &self,
        tracking_no: &str,
        attachment: i64,
    ) -> ServiceResult<crate::cases::evidence::PublicPhoto> {
        let number = TrackingNo::parse(&tracking_no.trim().to_ascii_uppercase())
            .map_err(|_| ServiceError::NotFound("photo"))?;
        let row = self.store.published_case(number.case_id).await?;
        if row.case.tracking_no() != number {
            return Err(ServiceError::NotFound("photo"));
        }
        self.public_photo(number.case_id, attachment).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(pairs: &[(&str, &str)]) -> ServiceResult<CaseFilter> {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| (*v).to_owned())
        };
        PublishedFilter {
            region: get("region"),
            pollution_type: get("type"),
            from: get("from"),
            to: get("to"),
            before: get("before"),
            limit: get("limit"),
        }
        .read()
    }

    #[test]
    fn a_month_range_covers_whole_china_time_months() {
        let f = filter(&[("from", "2026-03"), ("to", "2026-04")]).expect("filter");
        assert_eq!(
            f.received_from.map(|t| t.to_rfc3339()),
            Some("2026-02-28T16:00:00+00:00".to_owned())
        );
        assert_eq!(
            f.received_before.map(|t| t.to_rfc3339()),
            Some("2026-04-30T16:00:00+00:00".to_owned())
        );
        assert_eq!(f.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn each_bad_field_is_named() {
        for (pairs, field) in [
            (vec![("region", "999999")], "region"),
            (vec![("type", "smell")], "type"),
            (vec![("from", "2026-13")], "from"),
            (vec![("to", "march")], "to"),
            (vec![("from", "2026-05"), ("to", "2026-04")], "from"),
            (vec![("before", "x")], "before"),
            (vec![("limit", "0")], "limit"),
            (vec![("limit", "101")], "limit"),
        ] {
            match filter(&pairs) {
                Err(ServiceError::BadParameter { field: named, .. }) => assert_eq!(named, field),
                other => panic!("{pairs:?}: {other:?}"),
            }
        }
        assert!(filter(&[("region", " "), ("type", "")]).is_ok());
    }
}
