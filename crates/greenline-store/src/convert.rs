//! Between domain values and the plain column types both backends share (TEXT, BIGINT).

use chrono::{DateTime, Utc};
use greenline_domain::{
    Case, CaseKind, Channel, EnforcementAction, Extension, GeoPoint, Industry, Outcome,
    PollutionType, RegionCode, RejectionReason, Stage, SubType, TypeReview, TypeSuggestion,
};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, StoreError};

pub(crate) fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(crate) fn millis_opt(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(millis)
}

pub(crate) fn instant(ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {ms} out of range")))
}

fn instant_opt(ms: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    ms.map(instant).transpose()
}

pub(crate) fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Corrupt(format!("{what} {value:?}"))
}

/// Codes of enums stored as text, by their serde names.
pub(crate) fn code_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("enum codes serialise as strings, got {other:?}"),
    }
}

pub(crate) fn from_code<T: serde::de::DeserializeOwned>(what: &str, code: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_err(|_| corrupt(what, code))
}

/// Case ids as comma-separated lists of at most 500, for `id IN (…)`: well under every
/// backend's limit on statement size. Ids are numbers, never text from a user, so they are
/// written inline.
pub(crate) fn id_lists(ids: &[i64]) -> impl Iterator<Item = String> + '_ {
    ids.chunks(500).map(|chunk| {
        chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

pub(crate) fn region(code: &str) -> Result<RegionCode> {
    RegionCode::parse(code).map_err(|_| corrupt("region", code))
}

/// The columns [`case_from_row`] reads, in a form to paste after `SELECT`.
pub(crate) const CASE_COLUMNS: &str = "c.id, c.kind, c.channel, c.stage, c.primary_type, c.types, \
     c.sub_type, c.industry, c.region_code, c.address, c.description, c.unit_id, c.received_at, \
     c.accepted_at, c.concluded_at, c.replied_at, c.review_requested_at, c.reviewed_at, \
     c.re_review_requested_at, c.closed_at, c.extension_days, c.extension_reason, \
     c.rejection_reason, c.outcome, c.findings, c.enforcement, c.reply, c.public_summary, \
     c.external_id, c.suggested_type, c.suggested_sub_type, c.suggestion_confidence, \
     c.type_review, c.repeat_of, c.approval_draft, c.reopened_at, c.version, \
     c.latitude_e6, c.longitude_e6";

pub(crate) fn case_from_row(row: &AnyRow) -> Result<Case> {
    let text = |col: &str| -> Result<String> { Ok(row.try_get::<String, _>(col)?) };
    let text_opt = |col: &str| -> Result<Option<String>> { Ok(row.try_get(col)?) };
    let int_opt = |col: &str| -> Result<Option<i64>> { Ok(row.try_get(col)?) };

    let kind_code = text("kind")?;
    let kind = CaseKind::parse_case(&kind_code).ok_or_else(|| corrupt("kind", &kind_code))?;
    let channel_code = text("channel")?;
    let channel = Channel::parse(&channel_code).ok_or_else(|| corrupt("channel", &channel_code))?;
    let stage_code = text("stage")?;
    let stage = Stage::parse(&stage_code).ok_or_else(|| corrupt("stage", &stage_code))?;
    let primary_code = text("primary_type")?;
    let primary_type =
        PollutionType::parse(&primary_code).map_err(|_| corrupt("type", &primary_code))?;
    let types = text("types")?
        .split(',')
        .map(|code| PollutionType::parse(code).map_err(|_| corrupt("type", code)))
        .collect::<Result<Vec<_>>>()?;
    let sub_type = text_opt("sub_type")?
        .map(|code| SubType::parse(&code).map_err(|_| corrupt("sub-type", &code)))
        .transpose()?;
    let industry = text_opt("industry")?
        .map(|code| Industry::parse(&code).map_err(|_| corrupt("industry", &code)))
        .transpose()?;
    let extension = match (int_opt("extension_days")?, text_opt("extension_reason")?) {
        (Some(days), Some(reason)) => Some(Extension {
            days: u32::try_from(days).map_err(|_| corrupt("extension", &days.to_string()))?,
            reason,
        }),
        _ => None,
    };
    let rejection = text_opt("rejection_reason")?
        .map(|code| from_code::<RejectionReason>("rejection reason", &code))
        .transpose()?;
    let outcome = text_opt("outcome")?
        .map(|code| from_code::<Outcome>("outcome", &code))
        .transpose()?;
    let suggestion = match text_opt("suggested_type")? {
        Some(code) => Some(TypeSuggestion {
            primary_type: PollutionType::parse(&code).map_err(|_| corrupt("type", &code))?,
            sub_type: text_opt("suggested_sub_type")?
                .map(|code| SubType::parse(&code).map_err(|_| corrupt("sub-type", &code)))
                .transpose()?,
            confidence: int_opt("suggestion_confidence")?.unwrap_or(0) as f64 / 1000.0,
        }),
        None => None,
    };
    let type_review = text_opt("type_review")?
        .map(|code| TypeReview::parse(&code).ok_or_else(|| corrupt("type review", &code)))
        .transpose()?;
    let draft = text_opt("approval_draft")?
        .map(|json| serde_json::from_str(&json).map_err(|_| corrupt("approval draft", &json)))
        .transpose()?;
    let enforcement_json = text("enforcement")?;
    let enforcement: Vec<EnforcementAction> = serde_json::from_str(&enforcement_json)
        .map_err(|_| corrupt("enforcement", &enforcement_json))?;

    Ok(Case {
        id: row.try_get("id")?,
        kind,
        channel,
        stage,
        primary_type,
        types,
        sub_type,
        industry,
        region: region(&text("region_code")?)?,
        address: text("address")?,
        description: text("description")?,
        unit_id: row.try_get("unit_id")?,
        received_at: instant(row.try_get("received_at")?)?,
        accepted_at: instant_opt(int_opt("accepted_at")?)?,
        concluded_at: instant_opt(int_opt("concluded_at")?)?,
        replied_at: instant_opt(int_opt("replied_at")?)?,
        review_requested_at: instant_opt(int_opt("review_requested_at")?)?,
        reviewed_at: instant_opt(int_opt("reviewed_at")?)?,
        re_review_requested_at: instant_opt(int_opt("re_review_requested_at")?)?,
        closed_at: instant_opt(int_opt("closed_at")?)?,
        extension,
        rejection,
        outcome,
        findings: text_opt("findings")?,
        enforcement,
        reply: text_opt("reply")?,
        public_summary: text_opt("public_summary")?,
        external_id: text_opt("external_id")?,
        suggestion,
        type_review,
        repeat_of: int_opt("repeat_of")?,
        draft,
        reopened_at: instant_opt(int_opt("reopened_at")?)?,
        version: row.try_get("version")?,
        point: match (int_opt("latitude_e6")?, int_opt("longitude_e6")?) {
            (Some(lat), Some(lon)) => Some(
                GeoPoint::from_micro(lat, lon)
                    .ok_or_else(|| corrupt("point", &format!("{lat},{lon}")))?,
            ),
            _ => None,
        },
    })
}

/// Builds SQL with `$n` placeholders, which both backends read, numbering them as it goes.
#[derive(Debug, Default)]
pub(crate) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

/// A value to bind, of one of the two column types the schema uses; `None` is SQL NULL.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
}

impl Arg {
    pub fn int(v: i64) -> Arg {
        Arg::Int(Some(v))
    }

    pub fn text(v: impl Into<String>) -> Arg {
        Arg::Text(Some(v.into()))
    }
}

/// Binds arguments to a sqlx query in order.
pub(crate) fn bind_all<'q>(
    mut query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &[Arg],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for arg in args {
        query = match arg {
            Arg::Int(v) => query.bind(*v),
            Arg::Text(v) => query.bind(v.clone()),
        };
    }
    query
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }

    pub fn query(&self) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
        bind_all(sqlx::query(&self.text), &self.args)
    }
}
