//! The call-taker's desk (来电登记): an operator keys in a phone call, a letter, a visit or a
//! 12345 transfer while the caller is still on the line. As they type, the desk suggests the
//! type and sub-type (the classifier), the place the words name (the gazetteer), earlier reports
//! of the same source in the operator's jurisdiction (the same-source index) and the caller's
//! earlier cases by phone number (a read of reporters' identities: recorded, and only for roles
//! that may read them). The save is the one intake use case ([`App::register`]); linking the
//! call to an earlier report then merges it into that report's group
//! ([`App::join_group`](crate::App)), an event like every merge.

use greenline_domain::case::{MAX_DESCRIPTION_CHARS, MAX_TEXT_CHARS};
use greenline_domain::{
    Case, Channel, IntakeForm, PollutionType, RegionCode, RegionLevel, Stage, SubType, phone_keys,
};
use greenline_text::{Classifier, Gazetteer, Tokenizer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::intake::{Registered, RetryKey, Submitter};
use super::merge::MergeResponse;
use super::same_source::SameSourceCandidate;
use crate::audit::{AuditAction, AuditOutcome};
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The channels the desk keys in: those a person brings to an operator.
pub const DESK_CHANNELS: [Channel; 4] = [
    Channel::Phone,
    Channel::Letter,
    Channel::Visit,
    Channel::Transfer12345,
];

/// Same-source candidates scoring below this are left out: the index's near misses under it
/// share a road or a kind of pollution and little else, which only slows an operator down. (The
/// detector's own threshold, in its model file, marks a likely repeat; between the two the desk
/// still shows the candidate, marked as less certain.)
pub const DESK_MIN_SCORE: f64 = 0.3;
/// Earlier reports offered at most: one key each (Alt+1 to Alt+3).
pub const DESK_CANDIDATES: usize = 3;
/// The caller's earlier cases listed at most.
const SAME_PHONE_CASES: u32 = 5;
/// Fewer characters than this say too little for a type suggestion.
const MIN_CLASSIFIED_CHARS: usize = 4;

/// What the operator has typed so far.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DeskDraft {
    /// The caller's account of the problem, as typed so far.
    pub description: String,
    /// The street-level address typed so far.
    pub address: String,
    /// The region chosen in the form so far (six-digit code), if any.
    pub region: Option<String>,
    /// The caller's phone number. Given (and complete), the caller's earlier cases are looked
    /// up: a read of reporters' identities, recorded in the audit trail, for roles that may
    /// read them only.
    pub phone: Option<String>,
}

/// The type the classifier suggests.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeHint {
    pub primary_type: PollutionType,
    pub primary_type_zh: String,
    pub sub_type: Option<SubType>,
    pub sub_type_zh: Option<String>,
    /// 0–1.
    pub confidence: f64,
}

/// The place the words name, for the form's region lists.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlaceHint {
    /// The most precise region named for certain (six-digit code).
    pub region: String,
    /// 重庆市渝北区
    pub region_name: String,
    /// The province, prefecture and county codes, each where certain.
    pub province: Option<String>,
    pub city: Option<String>,
    pub county: Option<String>,
    /// The street-level address after the last region name, when the words hold one.
    pub address: Option<String>,
    /// Whether the region lies inside the caller's jurisdiction (a case outside it cannot be
    /// registered here: the caller is told where to turn).
    pub within_jurisdiction: bool,
}

/// An earlier report that may be about the same source, as the desk lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskCandidate {
    pub case_id: i64,
    pub tracking_no: String,
    /// The day it was received, China time (2026-11-27).
    pub received_on: String,
    pub region_name: String,
    pub stage: Stage,
    pub stage_zh: String,
    /// 0–1.
    pub score: f64,
    /// Whether the score reaches the detector's threshold (a likely repeat).
    pub same_source: bool,
    /// What matched and what differed, for staff (同一单位名称：…).
    pub evidence: Vec<String>,
}

impl From<SameSourceCandidate> for DeskCandidate {
    fn from(c: SameSourceCandidate) -> Self {
        DeskCandidate {
            case_id: c.case_id,
            tracking_no: c.tracking_no,
            received_on: greenline_domain::deadline::local_date(c.received_at).to_string(),
            region_name: c.region_name,
            stage: c.stage,
            stage_zh: c.stage.zh().to_owned(),
            score: c.score,
            same_source: c.same_source,
            evidence: c.evidence.into_iter().map(|e| e.label).collect(),
        }
    }
}

/// An earlier case of the same phone number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneCase {
    pub case_id: i64,
    pub tracking_no: String,
    pub received_on: String,
    pub region_name: String,
    pub stage: Stage,
    pub stage_zh: String,
    pub primary_type_zh: String,
}

/// Everything the desk suggests for a draft.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskSuggestions {
    /// The classifier's type and sub-type; absent while the description is too short.
    pub types: Option<TypeHint>,
    /// The place the address and description name; absent when they name none for certain.
    pub place: Option<PlaceHint>,
    /// Earlier reports in the caller's jurisdiction that may be about the same source, scoring
    /// at least 0.3, best first, at most 3.
    pub same_source: Vec<DeskCandidate>,
    /// False while the node is still reading the earlier cases at start.
    pub same_source_ready: bool,
    /// The caller's earlier cases by phone number, newest first (at most 5); absent when no
    /// complete phone number was given.
    pub same_phone: Option<Vec<PhoneCase>>,
    /// Plain answers (通俗解说) the description calls for, best first, at most 3: what the
    /// operator can tell the caller at once.
    pub answers: Vec<crate::answers::AnswerHint>,
}

/// A call saved at the desk.
#[derive(Debug)]
pub struct DeskRegistered {
    pub registered: Registered,
    /// The merge into the earlier report's group, when the call was linked to one.
    pub linked: Option<MergeResponse>,
    /// The earlier report's tracking number, when linked.
    pub linked_tracking_no: Option<String>,
    /// The case was saved but the link could not be written (the earlier report changed
    /// meanwhile): staff merge it from the case's page.
    pub link_failed: bool,
}

/// The form's region, if one is named: an unknown code names the field.
fn draft_region(region: Option<&str>) -> ServiceResult<Option<RegionCode>> {
    match region.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(code) => RegionCode::parse(code)
            .map(Some)
            .map_err(|_| ServiceError::field("region", "unknown region code")),
    }
}

/// The last four digits of a phone number, for the audit trail (which needs to say which
/// number was looked up, not to hold it).
fn phone_tail(keys: &[String]) -> String {
    let digits = keys.first().map(String::as_str).unwrap_or_default();
    // ASCII digits only: any byte is a character boundary.
    format!("phone:…{}", &digits[digits.len().saturating_sub(4)..])
}

impl App {
    /// The desk is for staff whose roles key in cases; the jurisdiction they register in.
    pub fn desk(&self, caller: &Caller) -> ServiceResult<RegionCode> {
        if caller.scope().can_register() {
            Ok(caller.unit.region)
        } else {
            Err(ServiceError::Forbidden(
                "the desk is for staff who register cases (operators, handlers, supervisors)"
                    .to_owned(),
            ))
        }
    }

    /// The earlier case an operator linked the call to: its tracking number as read out
    /// (GL20261127-0000123) or its case number (#123). One the caller may not see names the
    /// field `link`.
    async fn linked_case(&self, caller: &Caller, typed: &str) -> ServiceResult<Case> {
        let not_found = || ServiceError::field("link", "no such case in your jurisdiction");
        // A tracking number must match the case's own (its date too), not only its id.
        let (id, number) = match typed.trim_start_matches('#').parse::<i64>() {
            Ok(id) => (id, None),
            Err(_) => {
                let number = greenline_domain::TrackingNo::parse(&typed.to_ascii_uppercase())
                    .map_err(|_| {
                        ServiceError::field("link", "a tracking number or a case number")
                    })?;
                (number.case_id, Some(number))
            }
        };
        match self.visible_case(caller, id).await {
            Ok(case) if number.is_none_or(|n| n == case.tracking_no()) => Ok(case),
            Ok(_) | Err(ServiceError::NotFound(_)) => Err(not_found()),
            Err(other) => Err(other),
        }
    }

    /// What the desk suggests for `draft`: type, place, earlier reports of the same source in
    /// the caller's jurisdiction and, when a phone number is given, the caller's earlier cases
    /// (recorded; refused, and recorded as refused, to roles that may not read reporters).
    pub async fn desk_suggestions(
        &self,
        caller: &Caller,
        draft: DeskDraft,
    ) -> ServiceResult<DeskSuggestions> {
        let scope_region = caller.jurisdiction()?;
        if draft.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ServiceError::field(
                "description",
                format!("longer than {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        if draft.address.chars().count() > MAX_TEXT_CHARS {
            return Err(ServiceError::field(
                "address",
                format!("longer than {MAX_TEXT_CHARS} characters"),
            ));
        }
        let chosen = draft_region(draft.region.as_deref())?;
        // The phone look-up is refused before anything else is read.
        let same_phone = match draft.phone.as_deref().map(str::trim) {
            Some(phone) if !phone.is_empty() => self.cases_of_phone(caller, phone).await?,
            _ => None,
        };
        let answers = self.answer_hints(&draft.description).await?;

        let DeskDraft {
            description,
            address,
            ..
        } = draft;
        // Classifier and gazetteer are CPU work: off the async threads.
        let (types, place, text) = tokio::task::spawn_blocking(move || {
            let description = description.trim().to_owned();
            let types = (description.chars().count() >= MIN_CLASSIFIED_CHARS)
                .then(|| Classifier::shipped().ok())
                .flatten()
                .map(|model| {
                    let p = model.predict(Tokenizer::shared(), &description);
                    TypeHint {
                        primary_type: p.category,
                        primary_type_zh: p.category.zh().to_owned(),
                        sub_type: p.subcategory,
                        sub_type_zh: p.subcategory.map(|s| s.zh().to_owned()),
                        confidence: (p.confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
                    }
                });
            // The address is where the place is said most precisely: it is read first.
            let text = format!("{}，{}", address.trim(), description);
            let place = Gazetteer::shared().locate(&text);
            (types, place, text)
        })
        .await?;
        // A name that stays ambiguous (南山区 is in 深圳 and in 鹤岗) is the caller's own when
        // exactly one of its regions lies in their jurisdiction.
        let mut place = place;
        let inside: Vec<RegionCode> = place
            .alternatives
            .iter()
            .copied()
            .filter(|c| caller.scope().can_see(*c))
            .collect();
        if let [only] = inside[..] {
            place.region = Some(only);
        }
        let place = place.region.map(|region| {
            let (province, city, county) = place.levels();
            PlaceHint {
                region: region.to_string(),
                region_name: region.full_name(),
                province: province.map(|c| c.to_string()),
                city: city.map(|c| c.to_string()),
                county: county.map(|c| c.to_string()),
                address: place.address.clone(),
                within_jurisdiction: caller.scope().can_see(region),
            }
        });

        // Where to look for the same source: the region chosen, or else the one the words name.
        let near = chosen.or_else(|| {
            place
                .as_ref()
                .and_then(|p| RegionCode::parse(&p.region).ok())
        });
        let mut same_source = Vec::new();
        if let Some(near) = near.filter(|r| {
            matches!(r.level(), RegionLevel::County | RegionLevel::Prefecture)
                && caller.scope().can_see(*r)
        }) && text.chars().count() > 2
        {
            let sources = self.projections.sources.clone();
            let at = self.now();
            let found = tokio::task::spawn_blocking(move || {
                sources.candidates(scope_region, near, at, &text, &[], DESK_CANDIDATES * 2)
            })
            .await?;
            let found = found
                .into_iter()
                .filter(|c| c.matched.score >= DESK_MIN_SCORE)
                .take(DESK_CANDIDATES)
                .collect();
            same_source = self
                .candidate_views(found)
                .await
                .into_iter()
                .map(DeskCandidate::from)
                .collect();
        }
        Ok(DeskSuggestions {
            types,
            place,
            same_source,
            answers,
            same_source_ready: self.projections.is_ready(crate::projections::sources::NAME),
            same_phone,
        })
    }

    /// The caller's earlier cases by phone number, within the jurisdiction and of units whose
    /// reporters the caller may read; `None` for an incomplete number. Every look-up is an
    /// audit record, a refused one too.
    async fn cases_of_phone(
        &self,
        caller: &Caller,
        phone: &str,
    ) -> ServiceResult<Option<Vec<PhoneCase>>> {
        let keys = phone_keys(phone);
        let target = phone_tail(&keys);
        if !caller.roles.iter().any(|r| r.may_read_reporter()) {
            self.record(
                caller,
                AuditAction::ReadReporter,
                target,
                AuditOutcome::Denied,
                serde_json::json!({ "look_up": "phone" }),
            )
            .await?;
            return Err(ServiceError::Forbidden(
                "looking up a caller's earlier cases by phone reads reporters' identities, \
                 which this role may not"
                    .to_owned(),
            ));
        }
        // A number still being typed is not looked up (nor recorded).
        if keys.is_empty() || keys[0].len() < 7 {
            return Ok(None);
        }
        let scope = caller.scope();
        let found: Vec<Case> = self
            .store
            .cases_by_phone(&keys, caller.unit.region, SAME_PHONE_CASES)
            .await?
            .into_iter()
            .filter(|held| scope.can_read_reporter(held.holder_region))
            .map(|held| held.case)
            .collect();
        self.record(
            caller,
            AuditAction::ReadReporter,
            target,
            AuditOutcome::Ok,
            serde_json::json!({
                "look_up": "phone",
                "cases": found.iter().map(|c| c.id).collect::<Vec<_>>(),
            }),
        )
        .await?;
        Ok(Some(
            found
                .into_iter()
                .map(|case| PhoneCase {
                    case_id: case.id,
                    tracking_no: case.tracking_no().to_string(),
                    received_on: greenline_domain::deadline::local_date(case.received_at)
                        .to_string(),
                    region_name: case.region.full_name(),
                    stage: case.stage,
                    stage_zh: case.stage.zh().to_owned(),
                    primary_type_zh: case.primary_type.zh().to_owned(),
                })
                .collect(),
        ))
    }

    /// Saves a call keyed in at the desk through the one intake use case, then, when the
    /// operator linked it to an earlier report (`link`, a case id), merges it into that
    /// report's group. The link is checked before anything is saved: a case the caller may not
    /// see names the field `link`. Registering staff may link the case they are registering
    /// (its holder is their own unit), whatever their right to merge other cases.
    pub async fn register_at_desk(
        &self,
        caller: &Caller,
        form: IntakeForm,
        link: Option<&str>,
        retry: Option<RetryKey>,
    ) -> ServiceResult<DeskRegistered> {
        self.desk(caller)?;
        if !Channel::parse(&form.channel).is_some_and(|c| DESK_CHANNELS.contains(&c)) {
            return Err(ServiceError::field(
                "channel",
                "the desk keys in phone, letter, visit and 12345 cases",
            ));
        }
        let into = match link.map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(typed) => Some(self.linked_case(caller, typed).await?),
        };
        let registered = self.register(Submitter::Staff(caller), form, retry).await?;
        let mut out = DeskRegistered {
            linked_tracking_no: None,
            linked: None,
            link_failed: false,
            registered,
        };
        // A retry's case was linked by the first save.
        let Some(into) = into.filter(|_| !out.registered.replayed) else {
            return Ok(out);
        };
        let case = out.registered.case.clone();
        match self
            .join_group(
                caller,
                case,
                into,
                caller.unit.region,
                Some("来电登记时关联".to_owned()),
            )
            .await
        {
            Ok(merged) => {
                out.linked_tracking_no = Some(
                    self.store
                        .case(merged.lead)
                        .await?
                        .tracking_no()
                        .to_string(),
                );
                out.linked = Some(merged);
            }
            Err(error) => {
                // The case is saved; the operator is told to merge it from its page.
                tracing::warn!(
                    "linking case {} at the desk: {error}",
                    out.registered.case.id
                );
                out.link_failed = true;
            }
        }
        Ok(out)
    }
}
