//! Requests: reading them (`requests.{fmt}`, `requests/{id}.{fmt}`, `tokens/{token}.{fmt}`)
//! and submitting one (`POST requests.{fmt}`).
//!
//! A request is one of our reports, its `service_request_id` the tracking number. Reading is
//! public, so a request shows only what the published results would: the type and sub-type
//! (the description as the reporter wrote it is never handed out; once the result is public,
//! its masked summary stands in its place), the county and the road, the point rounded to
//! 0.001°, the unit holding the case, its statutory due date, the public reply (masked) as
//! `status_notes`, and the published photos' public copies. With `extensions=true` the history
//! comes as `notes`: each public step and its time, never who took it or what they wrote.
//!
//! Submitting is liberal in what it takes (see the facts): `jurisdiction_id=` empty, `lat` and
//! `long` or `address_string` (or `address_id`, which we take as an address), attributes as
//! `attribute[code]` or `attribute[code][]`; strict in what it checks: the service, the place
//! (a point must be in China; an address must name a region we know), the required sub-type,
//! the description (at most 4000 characters, no HTML).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use greenline_domain::deadline::china_time;
use greenline_domain::geo::nearest_county;
use greenline_domain::{
    Action, Case, FieldError, GeoPoint, IntakeForm, Stage, SubType, TrackingNo,
};
use greenline_store::{Open311Client, RequestQuery, RequestRow};
use greenline_text::Gazetteer;

use super::datetime;
use super::services::{REGION, SUB_TYPE, region_attribute, service_type};
use crate::App;
use crate::cases::intake::Submitter;
use crate::error::{ServiceError, ServiceResult};
use crate::masking::mask_case_public;
use crate::public::place::public_place;

/// The longest description the spec allows.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
/// The widest span of `start_date` to `end_date`, and the default span back from now.
pub const MAX_SPAN_DAYS: i64 = 90;
/// Requests answered when no `page_size` is given (the spec's "first 1000").
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
/// The largest `page_size`.
pub const MAX_PAGE_SIZE: u32 = 1000;
/// Decimal places a request's point keeps (0.001° is about 100 m).
const POINT_DECIMALS: i32 = 3;

/// The stages a request is `closed` in: the result is concluded, or the case was not accepted.
fn is_closed(stage: Stage) -> bool {
    use greenline_domain::workflow::PublicStatus;
    matches!(
        stage.public_status(),
        PublicStatus::Concluded | PublicStatus::NotAccepted
    )
}

/// A `GET requests` as the client sent it: every parameter loose text, read here.
#[derive(Debug, Clone, Default)]
pub struct RequestsQuery {
    pub jurisdiction_id: Option<String>,
    pub service_request_id: Option<String>,
    pub service_code: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub status: Option<String>,
    pub page: Option<String>,
    pub page_size: Option<String>,
    pub extensions: Option<String>,
}

/// One entry of a request's history (`notes`, with `extensions=true`).
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub datetime: String,
    pub description: String,
    pub kind: String,
}

/// A request as the interface shows it. Paths (`media_url`) are relative to the site; the
/// door makes them absolute.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: String,
    pub status_notes: Option<String>,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
    /// With `extensions=true`: the history, and the extended attributes.
    pub notes: Option<Vec<Note>>,
    pub extended_attributes: Option<BTreeMap<String, String>>,
}

/// A submission (`POST requests`) as the client sent it.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    pub jurisdiction_id: Option<String>,
    pub service_code: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    /// `attribute[code]` and `attribute[code][]`, each code with its values.
    pub attributes: BTreeMap<String, Vec<String>>,
    pub email: Option<String>,
    pub device_id: Option<String>,
    pub account_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
}

/// What a submission answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Submitted {
    pub service_request_id: String,
    pub token: String,
    pub service_notice: String,
}

/// A token and the request it stands for (`tokens/{token}`).
#[derive(Debug, Clone, PartialEq)]
pub struct TokenAnswer {
    pub service_request_id: String,
    pub token: String,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A date as clients send it: ISO 8601 with an offset or `Z`, a local date-time (China
/// time), or a plain date (its start, China time).
fn instant(field: &str, text: &str) -> ServiceResult<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(at) = DateTime::parse_from_str(text, format) {
            return Ok(at.with_timezone(&Utc));
        }
    }
    let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
        .ok_or_else(|| ServiceError::parameter(field, "expected an ISO 8601 date and time"))?;
    local
        .and_local_timezone(china_time())
        .single()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| ServiceError::parameter(field, "expected an ISO 8601 date and time"))
}

fn number(field: &str, text: &str, range: std::ops::RangeInclusive<u32>) -> ServiceResult<u32> {
    text.trim()
        .parse()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            ServiceError::parameter(
                field,
                format!(
                    "expected a number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )
        })
}

fn truthy(value: &Option<String>) -> bool {
    present(value).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

impl RequestsQuery {
    /// The store's question, or the first parameter that does not read.
    fn read(&self, now: DateTime<Utc>) -> ServiceResult<RequestQuery> {
        let size = present(&self.page_size)
            .map(|s| number("page_size", s, 1..=MAX_PAGE_SIZE))
            .transpose()?
            .unwrap_or(DEFAULT_PAGE_SIZE);
        let page = present(&self.page)
            .map(|p| number("page", p, 1..=1_000_000))
            .transpose()?
            .unwrap_or(1);
        let mut query = RequestQuery {
            limit: size,
            offset: (page - 1).saturating_mul(size),
            ..RequestQuery::default()
        };
        if let Some(ids) = present(&self.service_request_id) {
            // An id that is not one of ours names nothing: it is left out, not refused.
            query.ids = ids
                .split(',')
                .filter_map(|id| TrackingNo::parse(id).ok())
                .map(|n| n.case_id)
                .collect();
            if query.ids.is_empty() {
                query.ids.push(0);
            }
            return Ok(query);
        }
        if let Some(codes) = present(&self.service_code) {
            for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                query.types.push(service_type(code)?);
            }
        }
        if let Some(status) = present(&self.status) {
            let mut open = false;
            let mut closed = false;
            for word in status.split(',').map(str::trim) {
                match word.to_ascii_lowercase().as_str() {
                    "open" => open = true,
                    "closed" => closed = true,
                    _ => return Err(ServiceError::parameter("status", "expected open or closed")),
                }
            }
            if open != closed {
                query.stages = Stage::ALL
                    .into_iter()
                    .filter(|s| is_closed(*s) == closed)
                    .collect();
            }
        }
        let start = present(&self.start_date)
            .map(|t| instant("start_date", t))
            .transpose()?;
        let end = present(&self.end_date)
            .map(|t| instant("end_date", t))
            .transpose()?;
        let span = Duration::days(MAX_SPAN_DAYS);
        let (start, end) = match (start, end) {
            (Some(start), Some(end)) => (start, end),
            (Some(start), None) => (start, start + span),
            (None, Some(end)) => (end - span, end),
            (None, None) => (now - span, now),
        };
        if start > end {
            return Err(ServiceError::parameter(
                "start_date",
                "must not be after end_date",
            ));
        }
        if end - start > span {
            return Err(ServiceError::parameter(
                "end_date",
                format!("start_date and end_date are at most {MAX_SPAN_DAYS} days apart"),
            ));
        }
        query.received_from = Some(start);
        // The end is inclusive: a request received at that very second is in.
        query.received_before = Some(end + Duration::seconds(1));
        Ok(query)
    }
}

/// Whether a text holds HTML markup: a tag (`<b>`, `</p>`, `<!--`) or an entity
/// (`&lt;`, `&#60;`).
fn has_html(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.windows(2).any(|w| {
        w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/' || w[1] == b'!' || w[1] == b'?')
    }) || {
        let mut rest = text;
        let mut found = false;
        while let Some(at) = rest.find('&') {
            rest = &rest[at + 1..];
            let entity: String = rest.chars().take_while(|c| *c != ';').take(9).collect();
            if rest[entity.len()..].starts_with(';')
                && !entity.is_empty()
                && (entity.chars().all(|c| c.is_ascii_alphanumeric())
                    || (entity.starts_with('#') && entity.len() > 1))
            {
                found = true;
                break;
            }
        }
        found
    }
}

fn round(value: f64) -> f64 {
    let scale = 10f64.powi(POINT_DECIMALS);
    (value * scale).round() / scale
}

/// The public words of a step in the history, or `None` for a step the public does not see
/// (a draft submitted, approved or returned: the conclusion and reply it leads to are shown).
fn public_step(action: &str) -> Option<&'static str> {
    if action == "register" {
        return Some("已登记");
    }
    match Action::parse(action)? {
        Action::Submit | Action::Approve | Action::ReturnDraft => None,
        other => Some(other.zh()),
    }
}

/// The road or compound of a case (see [`public_place`]) without the region names it may
/// begin with, which the address shows before it from the case's region.
fn local_place(case: &Case) -> String {
    let mut place = public_place(&case.address);
    let full = case.region.full_name();
    if let Some(rest) = place.strip_prefix(full.as_str()) {
        place = rest.to_owned();
    }
    for code in case.region.ancestry().collect::<Vec<_>>().into_iter().rev() {
        if let Some(rest) = place.strip_prefix(code.name()) {
            place = rest.to_owned();
        }
    }
    place
}

impl App {
    /// A page of requests under `query`, newest first.
    pub async fn open311_requests(
        &self,
        query: &RequestsQuery,
    ) -> ServiceResult<Vec<ServiceRequest>> {
        self.open311_jurisdiction(query.jurisdiction_id.as_deref())?;
        let question = query.read(self.now())?;
        let rows = self.store.open311_requests(&question).await?;
        self.service_requests(rows, truthy(&query.extensions)).await
    }

    /// One request by its id (the tracking number); not found unless it is one of our reports.
    pub async fn open311_request(
        &self,
        id: &str,
        jurisdiction: Option<&str>,
        extensions: bool,
    ) -> ServiceResult<ServiceRequest> {
        self.open311_jurisdiction(jurisdiction)?;
        let number = TrackingNo::parse(id).map_err(|_| ServiceError::NotFound("request"))?;
        let rows = self
            .store
            .open311_requests(&RequestQuery {
                ids: vec![number.case_id],
                limit: 1,
                ..RequestQuery::default()
            })
            .await?;
        let rows: Vec<RequestRow> = rows
            .into_iter()
            .filter(|r| r.case.tracking_no() == number)
            .collect();
        self.service_requests(rows, extensions)
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("request"))
    }

    /// The request a token stands for. Requests become cases at once, so a token is the
    /// request's own id; not found for any other.
    pub async fn open311_token(
        &self,
        token: &str,
        jurisdiction: Option<&str>,
    ) -> ServiceResult<TokenAnswer> {
        let request = self
            .open311_request(token, jurisdiction, false)
            .await
            .map_err(|e| match e {
                ServiceError::NotFound("request") => ServiceError::NotFound("token"),
                other => other,
            })?;
        Ok(TokenAnswer {
            token: request.service_request_id.clone(),
            service_request_id: request.service_request_id,
        })
    }

    async fn service_requests(
        &self,
        mut rows: Vec<RequestRow>,
        extensions: bool,
    ) -> ServiceResult<Vec<ServiceRequest>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.case.id).collect();
        let known = self.identities_to_mask(&ids).await?;
        let nobody = Default::default();
        // The histories of the whole page in one read, when they are asked for.
        let mut histories: std::collections::HashMap<i64, Vec<Note>> = Default::default();
        if extensions {
            for e in self.store.events_of(&ids).await? {
                if let Some(words) = public_step(&e.action) {
                    histories.entry(e.case_id).or_default().push(Note {
                        datetime: datetime(e.at),
                        description: words.to_owned(),
                        kind: "status".to_owned(),
                    });
                }
            }
        }
        let mut out = Vec::with_capacity(rows.len());
        for row in &mut rows {
            let case = &mut row.case;
            mask_case_public(case, known.get(&case.id).unwrap_or(&nobody));
            case.description.clear();
            case.draft = None;
            let published = row.published_at.is_some()
                && Stage::PUBLISHED_RESULT.contains(&case.stage)
                && case.public_summary.is_some();
            let media_url = if published {
                self.store
                    .attachments(case.id)
                    .await?
                    .into_iter()
                    .find(|file| file.from_reporter && file.public.is_some())
                    .map(|file| format!("/results/{}/photos/{}", case.tracking_no(), file.id))
            } else {
                None
            };
            let notes = extensions.then(|| histories.remove(&case.id).unwrap_or_default());
            out.push(self.service_request(row, published, media_url, notes));
        }
        Ok(out)
    }

    fn service_request(
        &self,
        row: &RequestRow,
        published: bool,
        media_url: Option<String>,
        notes: Option<Vec<Note>>,
    ) -> ServiceRequest {
        let case: &Case = &row.case;
        let limits = self.deadlines.limits_for(case.kind, case.region);
        let expected = case.current_deadline(&limits).map(|d| datetime(d.due_at));
        let type_words = match case.sub_type {
            Some(sub) => format!("{}：{}", case.primary_type.zh(), sub.zh()),
            None => case.primary_type.zh().to_owned(),
        };
        let description = match (&case.public_summary, published) {
            (Some(summary), true) => summary.clone(),
            _ => type_words,
        };
        let status_notes = match (&case.reply, case.rejection) {
            (Some(reply), _) => Some(reply.clone()),
            (None, Some(reason)) if case.stage == Stage::Rejected => {
                Some(format!("不予受理：{}", reason.zh()))
            }
            _ => None,
        };
        let place = local_place(case);
        let extended_attributes = notes.as_ref().map(|_| {
            let mut attributes = BTreeMap::new();
            attributes.insert("stage".to_owned(), case.stage.zh().to_owned());
            attributes.insert(
                "public_status".to_owned(),
                case.stage.public_status().zh().to_owned(),
            );
            attributes.insert("region".to_owned(), case.region.to_string());
            if let Some(sub) = case.sub_type {
                attributes.insert(SUB_TYPE.to_owned(), sub.code().to_owned());
            }
            attributes
        });
        ServiceRequest {
            service_request_id: case.tracking_no().to_string(),
            status: if is_closed(case.stage) {
                "closed"
            } else {
                "open"
            }
            .to_owned(),
            status_notes,
            service_name: case.primary_type.zh().to_owned(),
            service_code: case.primary_type.code().to_owned(),
            description,
            agency_responsible: row.unit_name.clone(),
            service_notice: None,
            requested_datetime: datetime(case.received_at),
            updated_datetime: datetime(row.updated_at),
            expected_datetime: expected,
            address: format!("{}{place}", case.region.full_name()),
            lat: case.point.map(|p| round(p.latitude)),
            long: case.point.map(|p| round(p.longitude)),
            media_url,
            notes,
            extended_attributes,
        }
    }

    /// Registers a submission from the client holding `key` (see the module doc): a case on
    /// channel `open311`, through the one intake use case.
    pub async fn open311_submit(
        &self,
        key: Option<&str>,
        submission: Submission,
    ) -> ServiceResult<Submitted> {
        let client = self.open311_client(key).await?;
        self.open311_jurisdiction(submission.jurisdiction_id.as_deref())?;
        let form = self.open311_form(&submission)?;
        self.open311_register(&client, form).await
    }

    async fn open311_register(
        &self,
        client: &Open311Client,
        form: IntakeForm,
    ) -> ServiceResult<Submitted> {
        let registered = self
            .register(Submitter::Open311(client), form, None)
            .await?;
        let number = registered.receipt.tracking_no.clone();
        Ok(Submitted {
            token: number.clone(),
            service_notice: format!(
                "已收到，受理编号 {number}，将于 {} 前决定是否受理",
                registered.receipt.acceptance_due.format("%Y-%m-%d")
            ),
            service_request_id: number,
        })
    }

    /// The intake form of a submission, or every field at fault.
    fn open311_form(&self, s: &Submission) -> ServiceResult<IntakeForm> {
        let mut errors: Vec<FieldError> = Vec::new();
        let code = present(&s.service_code)
            .ok_or_else(|| ServiceError::field("service_code", "service_code is required"))?;
        let service = service_type(code)?;
        let attribute = |name: &str| -> Option<&str> {
            s.attributes
                .get(name)
                .and_then(|values| values.iter().map(|v| v.trim()).find(|v| !v.is_empty()))
        };
        // The sub-type: required where the service has sub-types, one of its own.
        let mut sub_type = None;
        if service.sub_types().next().is_some() {
            match attribute(SUB_TYPE) {
                None => errors.push(FieldError::new(
                    "attribute[sub_type]",
                    "required attribute sub_type is missing",
                )),
                Some(value) => match SubType::parse(value) {
                    Ok(sub) if sub.pollution_type() == service => sub_type = Some(sub),
                    _ => errors.push(FieldError::new(
                        "attribute[sub_type]",
                        format!("{value:?} is not one of the service's values"),
                    )),
                },
            }
        }
        // The place: a point in China, or an address naming a region, or the region attribute.
        let coordinate = |field: &str, value: &Option<String>| -> Option<Result<f64, FieldError>> {
            present(value).map(|v| {
                v.parse::<f64>()
                    .ok()
                    .filter(|n| n.is_finite())
                    .ok_or_else(|| FieldError::new(field, "not a number"))
            })
        };
        let mut point = None;
        match (coordinate("lat", &s.lat), coordinate("long", &s.long)) {
            (None, None) => {}
            (Some(Ok(lat)), Some(Ok(long))) => match GeoPoint::new(lat, long) {
                Ok(p) if greenline_domain::geo::in_china(lat, long) => point = Some(p),
                _ => errors.push(FieldError::new(
                    "lat",
                    "the point (WGS84 lat, long) is not in China",
                )),
            },
            (Some(Err(e)), _) | (_, Some(Err(e))) => errors.push(e),
            _ => errors.push(FieldError::new("lat", "lat and long come together")),
        }
        let address = present(&s.address_string)
            .or_else(|| present(&s.address_id))
            .unwrap_or_default();
        if address.chars().count() > greenline_domain::text::MAX_TEXT_CHARS {
            errors.push(FieldError::new("address_string", "too long"));
        }
        let region = match attribute(REGION) {
            Some(value) => match region_attribute(value) {
                Ok(region) => Some(region),
                Err(ServiceError::Invalid(mut found)) => {
                    errors.append(&mut found);
                    None
                }
                Err(other) => return Err(other),
            },
            None => point
                .and_then(nearest_county)
                .or_else(|| Gazetteer::shared().locate(address).region),
        };
        if region.is_none() && !errors.iter().any(|e| e.field == "lat") {
            errors.push(FieldError::new(
                if point.is_some() {
                    "lat"
                } else {
                    "address_string"
                },
                if point.is_none() && address.is_empty() {
                    "a location is required: lat and long, address_string or address_id"
                } else {
                    "the location is not in any region we serve"
                },
            ));
        }
        let description = present(&s.description).unwrap_or_default();
        if description.chars().count() > MAX_DESCRIPTION_CHARS {
            errors.push(FieldError::new(
                "description",
                format!("longer than {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        if has_html(description) {
            errors.push(FieldError::new(
                "description",
                "HTML is not accepted; send plain text",
            ));
        }
        if !errors.is_empty() {
            return Err(ServiceError::Invalid(errors));
        }
        let region = region.ok_or_else(|| ServiceError::field("address_string", "no region"))?;
        let name = [present(&s.last_name), present(&s.first_name)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("");
        let phone = present(&s.phone).map(str::to_owned);
        let email = present(&s.email).map(str::to_owned);
        let anonymous = name.is_empty() && phone.is_none() && email.is_none();
        let description = if description.is_empty() {
            match sub_type {
                Some(sub) => format!("{}问题", sub.zh()),
                None => format!("{}问题", service.zh()),
            }
        } else {
            description.to_owned()
        };
        Ok(IntakeForm {
            kind: Some("report".to_owned()),
            channel: "open311".to_owned(),
            primary_type: service.code().to_owned(),
            other_types: Vec::new(),
            sub_type: sub_type.map(|s| s.code().to_owned()),
            industry: None,
            region: region.to_string(),
            address: address.to_owned(),
            description,
            anonymous,
            reporter_name: (!name.is_empty()).then_some(name),
            reporter_phone: phone,
            reporter_address: None,
            reporter_email: email,
            external_id: None,
            latitude: point.map(|p| p.latitude),
            longitude: point.map(|p| p.longitude),
            datum: point.map(|_| "wgs84".to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("time")
            .with_timezone(&Utc)
    }

    #[test]
    fn html_is_told_from_plain_text() {
        for html in [
            "<b>噪音</b>",
            "夜里</p>",
            "<!-- x -->",
            "a &lt; b",
            "&#60;script",
        ] {
            assert!(has_html(html), "{html}");
        }
        for plain in ["噪音 < 55 分贝", "A&B 公司", "3<4", "油烟 & 噪声；夜间"] {
            assert!(!has_html(plain), "{plain}");
        }
    }

    #[test]
    fn dates_are_read_liberally_and_spans_checked() {
        let now = at("2026-11-27T02:00:00Z");
        let q = RequestsQuery::default().read(now).expect("default");
        assert_eq!(q.received_from, Some(now - Duration::days(90)));
        assert_eq!(q.limit, DEFAULT_PAGE_SIZE);
        for (start, end) in [
            ("2026-11-01T00:00:00+08:00", "2026-11-27T00:00:00Z"),
            ("2026-11-01T00:00:00+0800", "2026-11-27"),
            ("2026-11-01", "2026-11-27 10:00:00"),
        ] {
            let q = RequestsQuery {
                start_date: Some(start.into()),
                end_date: Some(end.into()),
                ..Default::default()
            }
            .read(now);
            assert!(q.is_ok(), "{start} {end}: {q:?}");
        }
        let too_long = RequestsQuery {
            start_date: Some("2026-01-01".into()),
            end_date: Some("2026-11-01".into()),
            ..Default::default()
        }
        .read(now);
        assert!(
            matches!(too_long, Err(ServiceError::BadParameter { field, .. }) if field == "end_date")
        );
        let bad = RequestsQuery {
            status: Some("pending".into()),
            ..Default::default()
        }
        .read(now);
        assert!(matches!(bad, Err(ServiceError::BadParameter { field, .. }) if field == "status"));
    }

    #[test]
    fn pages_are_offsets_of_their_size() {
        let now = at("2026-11-27T02:00:00Z");
        let q = RequestsQuery {
            page: Some("3".into()),
            page_size: Some("10".into()),
            ..Default::default()
        }
        .read(now)
        .expect("page");
        assert_eq!((q.offset, q.limit), (20, 10));
        for (page, size) in [("0", "10"), ("1", "0"), ("1", "1001"), ("x", "10")] {
            let q = RequestsQuery {
                page: Some(page.into()),
                page_size: Some(size.into()),
                ..Default::default()
            }
            .read(now);
            assert!(q.is_err(), "{page} {size}");
        }
    }

    #[test]
    fn drafts_are_not_public_steps() {
        assert_eq!(public_step("register"), Some("已登记"));
        assert_eq!(public_step("accept"), Some("受理"));
        assert_eq!(public_step("submit"), None);
        assert_eq!(public_step("read_reporter"), None);
    }
}
