//! The case itself: intake (a validated [`NewCase`]), its lifecycle state ([`Case`]) and the
//! commands that move it through its workflow ([`Command`], [`apply`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::classification::{TypeReview, TypeSuggestion};
use crate::deadline::{Deadline, DeadlineKind, TimeLimits, end_of_limit};
use crate::error::FieldError;
use crate::geo::{Datum, GeoPoint};
use crate::workflow::{allowed_actions, next_stage};
use crate::{
    Action, Approval, CaseKind, Channel, DomainError, Draft, EnforcementAction, Industry, Outcome,
    PollutionType, RegionCode, RejectionReason, Stage, SubType, TrackingNo,
};

use crate::text::check_text;
pub use crate::text::{MAX_DESCRIPTION_CHARS, MAX_TEXT_CHARS};

/// The person who reported: never shown in public outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reporter {
    pub anonymous: bool,
    pub name: Option<String>,
    pub phone: Option<String>,
    /// A postal address for written replies (letters, petitions).
    pub contact_address: Option<String>,
    /// An e-mail address for notices (告知), kept as confidential as the phone.
    #[serde(default)]
    pub email: Option<String>,
}

/// Intake as submitted: loose text fields, checked all at once by [`NewCase::parse`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeForm {
    /// `report` (default), `petition` or `reconsideration`.
    pub kind: Option<String>,
    /// `phone`, `wechat`, `web`, `letter`, `visit`, `fax`, `email`, `12345`, `open311`, `other`.
    pub channel: String,
    /// Primary pollution type code (`air`, `noise`, …). Left out, the type the classifier
    /// suggests from the description is taken (staff review it later).
    #[serde(default)]
    pub primary_type: String,
    /// Further types the case involves (multi-label).
    #[serde(default)]
    pub other_types: Vec<String>,
    pub sub_type: Option<String>,
    pub industry: Option<String>,
    /// The most precise known administrative region (six-digit code).
    pub region: String,
    /// Street-level address or description of the place.
    #[serde(default)]
    pub address: String,
    /// What the reporter says, in their words.
    pub description: String,
    #[serde(default)]
    pub anonymous: bool,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_address: Option<String>,
    /// An e-mail address for notices of the case's progress (optional; none for anonymous
    /// reports).
    #[serde(default)]
    pub reporter_email: Option<String>,
    /// An identifier in another system (12345 work order number, import key).
    pub external_id: Option<String>,
    /// Where the problem is, degrees north (both or neither of `latitude`, `longitude`).
    pub latitude: Option<f64>,
    /// Where the problem is, degrees east.
    pub longitude: Option<f64>,
    /// The datum of `latitude`/`longitude`: `wgs84` (default; GPS, 天地图's CGCS2000) or
    /// `gcj02` (高德, 腾讯 maps), which is converted to WGS-84 before it is kept.
    pub datum: Option<String>,
}

/// A case ready to be stored: every field checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCase {
    pub kind: CaseKind,
    pub channel: Channel,
    pub primary_type: PollutionType,
    /// All types, the primary first, without repeats.
    pub types: Vec<PollutionType>,
    pub sub_type: Option<SubType>,
    pub industry: Option<Industry>,
    pub region: RegionCode,
    pub address: String,
    pub description: String,
    pub reporter: Reporter,
    pub external_id: Option<String>,
    /// The point the reporter gave, in WGS-84.
    pub point: Option<GeoPoint>,
}

fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn field_result<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    result: Result<T, DomainError>,
) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

fn check_len(errors: &mut Vec<FieldError>, field: &str, text: &str, max: usize) {
    if let Err(error) = check_text(field, text, max) {
        errors.push(error);
    }
}

/// A phone number: 5 to 20 digits, with an optional leading `+` and `-` or spaces between.
fn is_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let rest_ok = text
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (i == 0 && c == '+'));
    (5..=20).contains(&digits) && rest_ok
}

/// A plausible e-mail address: one `@` with a local part before it and a domain with a dot
/// after it, no spaces or angle brackets (nothing that could split a mail header), at most 254
/// characters. Whether it exists only sending tells.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let clean = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control() && !"<>@,;:\\\"()[]".contains(c))
    };
    text.len() <= 254
        && clean(local)
        && clean(domain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// The ways a stored phone may spell the number `text` names, digits only (as the store's
/// phone index keeps them): the digits as given, and with or without China's country code 86
/// for a mobile number (11 digits starting with 1). Empty when `text` is no phone number.
pub fn phone_keys(text: &str) -> Vec<String> {
    let text = text.trim();
    if !is_phone(text) {
        return Vec::new();
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let mut keys = vec![digits.clone()];
    match digits.strip_prefix("86") {
        Some(national) if national.len() == 11 => keys.push(national.to_owned()),
        _ if digits.len() == 11 && digits.starts_with('1') => keys.push(format!("86{digits}")),
        _ => {}
    }
    keys
}

/// The form's point, if it gives one: both coordinates in range, in a known datum.
fn parse_point(errors: &mut Vec<FieldError>, form: &IntakeForm) -> Option<GeoPoint> {
    let datum = match form.datum.as_deref() {
        None => Datum::Wgs84,
        Some(code) => match Datum::parse(code) {
            Some(datum) => datum,
            None => {
                errors.push(FieldError::new(
                    "datum",
                    format!("unknown datum {code:?}; expected wgs84 or gcj02"),
                ));
                return None;
            }
        },
    };
    match (form.latitude, form.longitude) {
        (None, None) => None,
        (Some(lat), Some(lon)) => match GeoPoint::from_datum(lat, lon, datum) {
            Ok(point) => Some(point),
            Err(DomainError::Invalid(found)) => {
                errors.extend(found);
                None
            }
            Err(other) => {
                errors.push(FieldError::new("latitude", other.to_string()));
                None
            }
        },
        (None, Some(_)) => {
            errors.push(FieldError::new(
                "latitude",
                "give both latitude and longitude, or neither",
            ));
            None
        }
        (Some(_), None) => {
            errors.push(FieldError::new(
                "longitude",
                "give both latitude and longitude, or neither",
            ));
            None
        }
    }
}

impl NewCase {
    /// Checks every field of an intake form and reports every problem at once.
    pub fn parse(form: &IntakeForm) -> Result<NewCase, DomainError> {
        let mut errors = Vec::new();
        let kind = match form.kind.as_deref() {
            None => Some(CaseKind::Report),
            Some(code) => CaseKind::parse_case(code).or_else(|| {
                let why = if code == CaseKind::Disclosure.code() {
                    "a disclosure request (依申请公开) is filed as such, not as a case".to_owned()
                } else {
                    format!("unknown kind {code:?}; expected report, petition or reconsideration")
                };
                errors.push(FieldError::new("kind", why));
                None
            }),
        };
        let channel = Channel::parse(&form.channel).or_else(|| {
            errors.push(FieldError::new(
                "channel",
                format!("unknown channel {:?}", form.channel),
            ));
            None
        });
        let primary_type = field_result(
            &mut errors,
            "primary_type",
            PollutionType::parse(&form.primary_type),
        );
        let other_types: Vec<Option<PollutionType>> = form
            .other_types
            .iter()
            .enumerate()
            .map(|(i, code)| {
                field_result(
                    &mut errors,
                    &format!("other_types[{i}]"),
                    PollutionType::parse(code),
                )
            })
            .collect();
        let sub_type = match clean(form.sub_type.as_deref()) {
            Some(code) => field_result(&mut errors, "sub_type", SubType::parse(&code)),
            None => None,
        };
        let industry = match clean(form.industry.as_deref()) {
            Some(code) => field_result(&mut errors, "industry", Industry::parse(&code)),
            None => None,
        };
        let region = field_result(&mut errors, "region", RegionCode::parse(&form.region));
        if region == Some(RegionCode::NATIONAL) {
            errors.push(FieldError::new(
                "region",
                "name at least the province where the problem is",
            ));
        }

        let mut types = Vec::new();
        for t in primary_type
            .into_iter()
            .chain(other_types.into_iter().flatten())
        {
            if !types.contains(&t) {
                types.push(t);
            }
        }
        if let Some(sub) = sub_type
            && !types.is_empty()
            && !types.contains(&sub.pollution_type())
        {
            errors.push(FieldError::new(
                "sub_type",
                format!(
                    "sub-type {} belongs to type {}, which the case does not carry",
                    sub.code(),
                    sub.pollution_type().code()
                ),
            ));
        }

        let description = form.description.trim().to_owned();
        if description.is_empty() {
            errors.push(FieldError::new("description", "must not be empty"));
        }
        check_len(
            &mut errors,
            "description",
            &description,
            MAX_DESCRIPTION_CHARS,
        );
        let address = form.address.trim().to_owned();
        check_len(&mut errors, "address", &address, MAX_TEXT_CHARS);

        // An anonymous report keeps no identity, whatever else the form carried.
        let identity = |value: Option<&str>| clean(value).filter(|_| !form.anonymous);
        let reporter = Reporter {
            anonymous: form.anonymous,
            name: identity(form.reporter_name.as_deref()),
            phone: identity(form.reporter_phone.as_deref()),
            contact_address: identity(form.reporter_address.as_deref()),
            email: identity(form.reporter_email.as_deref()),
        };
        if let Some(email) = &reporter.email
            && !is_email(email)
        {
            errors.push(FieldError::new(
                "reporter_email",
                "expected an e-mail address such as name@example.com",
            ));
        }
        if let Some(phone) = &reporter.phone
            && !is_phone(phone)
        {
            errors.push(FieldError::new(
                "reporter_phone",
                "expected 5 to 20 digits, optionally with +, - or spaces",
            ));
        }
        if !reporter.anonymous && reporter.phone.is_none() && reporter.contact_address.is_none() {
            errors.push(FieldError::new(
                "reporter_phone",
                "give a phone number or a postal address, or report anonymously",
            ));
        }
        for (field, value) in [
            ("reporter_name", &reporter.name),
            ("reporter_address", &reporter.contact_address),
            ("reporter_email", &reporter.email),
            ("external_id", &form.external_id),
            // Its digits are checked above; this catches what those rules let through.
            ("reporter_phone", &reporter.phone),
        ] {
            if let Some(v) = value {
                check_len(&mut errors, field, v, MAX_TEXT_CHARS);
            }
        }

        let point = parse_point(&mut errors, form);

        match (kind, channel, primary_type, region) {
            (Some(kind), Some(channel), Some(primary_type), Some(region)) if errors.is_empty() => {
                Ok(NewCase {
                    kind,
                    channel,
                    primary_type,
                    types,
                    sub_type,
                    industry,
                    region,
                    address,
                    description,
                    reporter,
                    external_id: clean(form.external_id.as_deref()),
                    point,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// A granted extension of the handling limit (延期).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Extension {
    pub days: u32,
    pub reason: String,
}

/// A stored case: what it is about and where it stands. The reporter lives apart from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Case {
    pub id: i64,
    pub kind: CaseKind,
    pub channel: Channel,
    pub stage: Stage,
    pub primary_type: PollutionType,
    pub types: Vec<PollutionType>,
    pub sub_type: Option<SubType>,
    pub industry: Option<Industry>,
    pub region: RegionCode,
    pub address: String,
    pub description: String,
    /// The unit that holds the case now.
    pub unit_id: i64,
    pub received_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub concluded_at: Option<DateTime<Utc>>,
    pub replied_at: Option<DateTime<Utc>>,
    pub review_requested_at: Option<DateTime<Utc>>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub re_review_requested_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub extension: Option<Extension>,
    pub rejection: Option<RejectionReason>,
    pub outcome: Option<Outcome>,
    pub findings: Option<String>,
    pub enforcement: Vec<EnforcementAction>,
    /// The latest written answer to the reporter (处理意见书, 复查/复核意见).
    pub reply: Option<String>,
    /// What is published about the result.
    pub public_summary: Option<String>,
    pub external_id: Option<String>,
    /// What the classifier suggested from the text at intake, if it ran.
    pub suggestion: Option<TypeSuggestion>,
    /// Whether staff have reviewed the types (confirmed or corrected them).
    pub type_review: Option<TypeReview>,
    /// The first case of the same source when this one repeats it (重复举报).
    pub repeat_of: Option<i64>,
    /// A conclusion and reply awaiting approval, or returned for editing (审核); never shown
    /// outside the staff who handle and approve the case.
    pub draft: Option<Draft>,
    /// When a report was last reopened after a callback (重新办理): its handling limit runs
    /// from then.
    pub reopened_at: Option<DateTime<Utc>>,
    /// Bumped by every change; a change made against an older version is refused.
    pub version: i64,
    /// The point the reporter gave (WGS-84), if any.
    #[serde(default)]
    pub point: Option<GeoPoint>,
}

impl Case {
    /// The case as it stands right after intake.
    pub fn registered(id: i64, new: &NewCase, unit_id: i64, now: DateTime<Utc>) -> Case {
        Case {
            id,
            kind: new.kind,
            channel: new.channel,
            stage: Stage::Registered,
            primary_type: new.primary_type,
            types: new.types.clone(),
            sub_type: new.sub_type,
            industry: new.industry,
            region: new.region,
            address: new.address.clone(),
            description: new.description.clone(),
            unit_id,
            received_at: now,
            accepted_at: None,
            concluded_at: None,
            replied_at: None,
            review_requested_at: None,
            reviewed_at: None,
            re_review_requested_at: None,
            closed_at: None,
            extension: None,
            rejection: None,
            outcome: None,
            findings: None,
            enforcement: Vec::new(),
            reply: None,
            public_summary: None,
            external_id: new.external_id.clone(),
            suggestion: None,
            type_review: None,
            repeat_of: None,
            draft: None,
            reopened_at: None,
            version: 0,
            point: new.point,
        }
    }

    pub fn tracking_no(&self) -> TrackingNo {
        TrackingNo {
            received_on: crate::deadline::local_date(self.received_at),
            case_id: self.id,
        }
    }

    /// The statutory deadline running in the current stage, if any.
    pub fn current_deadline(&self, limits: &TimeLimits) -> Option<Deadline> {
        match self.stage {
            Stage::Registered | Stage::Routed => Some(Deadline::starting(
                DeadlineKind::Acceptance,
                self.received_at,
                limits.acceptance_days,
            )),
            Stage::Accepted | Stage::Handling | Stage::PendingApproval | Stage::Concluded => {
                self.handling_deadline(limits)
            }
            Stage::ReviewRequested => self.review_requested_at.map(|at| {
                Deadline::starting(
                    DeadlineKind::ReviewDecision,
                    at,
                    limits.review_decision_days,
                )
            }),
            Stage::ReReviewRequested => self.re_review_requested_at.map(|at| {
                Deadline::starting(
                    DeadlineKind::ReReviewDecision,
                    at,
                    limits.re_review_decision_days,
                )
            }),
            _ => None,
        }
    }

    /// The handling limit: from acceptance (or, for a reopened report, from its reopening),
    /// plus the extension if one was granted.
    pub fn handling_deadline(&self, limits: &TimeLimits) -> Option<Deadline> {
        let extra = self.extension.as_ref().map_or(0, |e| e.days);
        self.reopened_at
            .or(self.accepted_at)
            .map(|at| Deadline::starting(DeadlineKind::Handling, at, limits.handling_days + extra))
    }

    /// 超期: a deadline is running in the current stage and has passed.
    pub fn is_overdue(&self, limits: &TimeLimits, now: DateTime<Utc>) -> bool {
        self.current_deadline(limits)
            .is_some_and(|d| d.is_past(now))
    }

    pub fn allowed_actions(&self) -> Vec<Action> {
        allowed_actions(self.kind, self.stage)
    }

    /// The steps the stage allows that this case can still take at `now`: an extension only
    /// once, a request for review or re-review only within its window. What a page offers and
    /// the API lists as allowed, so that nothing offered fails for a reason known beforehand.
    ///
    /// The conclusion step is offered both ways (`conclude` and `submit` for approval), since
    /// which one applies is the holding unit's setting: [`Case::actions_under`] picks it.
    /// Reopening is never offered: a callback reopens.
    pub fn actions_now(&self, limits: &TimeLimits, now: DateTime<Utc>) -> Vec<Action> {
        self.allowed_actions()
            .into_iter()
            .filter(|action| {
                action.stage_decides()
                    || match action {
                        Action::Reopen => false,
                        Action::Extend => self.extension.is_none(),
                        Action::RequestReview => check_window(
                            "review",
                            self.replied_at.unwrap_or(self.received_at),
                            limits.review_request_days,
                            now,
                        )
                        .is_ok(),
                        Action::RequestReReview => check_window(
                            "re-review",
                            self.reviewed_at.unwrap_or(self.received_at),
                            limits.re_review_request_days,
                            now,
                        )
                        .is_ok(),
                        _ => true,
                    }
            })
            .collect()
    }

    /// [`Case::actions_now`] under the holding unit's approval setting: `submit` where its
    /// conclusions need approval, `conclude` where they do not.
    pub fn actions_under(
        &self,
        limits: &TimeLimits,
        now: DateTime<Utc>,
        approval: Approval,
    ) -> Vec<Action> {
        self.actions_now(limits, now)
            .into_iter()
            .filter(|action| match action {
                Action::Conclude => !approval.is_required(),
                Action::Submit => approval.is_required(),
                _ => true,
            })
            .collect()
    }
}

/// A step on a case, with what it needs. The JSON form is tagged by `action`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    Accept {
        note: Option<String>,
    },
    Reject {
        reason: RejectionReason,
        /// Required for `outside_remit`: which authority to turn to.
        note: Option<String>,
    },
    Assign {
        /// The unit below that takes the case over.
        unit_id: i64,
        note: Option<String>,
    },
    Handle {
        note: Option<String>,
    },
    Extend {
        days: u32,
        reason: String,
    },
    Conclude {
        outcome: Outcome,
        findings: String,
        #[serde(default)]
        enforcement: Vec<EnforcementAction>,
    },
    Reply {
        text: String,
    },
    Publish {
        summary: String,
    },
    RequestReview {
        reason: String,
    },
    DecideReview {
        outcome: Outcome,
        text: String,
    },
    RequestReReview {
        reason: String,
    },
    DecideReReview {
        outcome: Outcome,
        text: String,
    },
    Close {
        note: Option<String>,
    },
    /// Back to the unit that routed it here (退回), which routes it again: why it does not
    /// belong here. The service finds the unit; the stage stays.
    SendBack {
        reason: String,
    },
    /// The conclusion and the reply as a draft for approval (提交审核).
    Submit {
        outcome: Outcome,
        findings: String,
        #[serde(default)]
        enforcement: Vec<EnforcementAction>,
        /// The reply to the reporter.
        reply: String,
    },
    /// The draft takes effect (审核通过).
    Approve {
        note: Option<String>,
    },
    /// The draft goes back to the handler (审核退回): what to change.
    ReturnDraft {
        reason: String,
    },
    /// A report handled again after its reporter said the problem is not solved (重新办理).
    Reopen {
        reason: String,
    },
}

impl Command {
    pub fn action(&self) -> Action {
        match self {
            Command::Accept { .. } => Action::Accept,
            Command::Reject { .. } => Action::Reject,
            Command::Assign { .. } => Action::Assign,
            Command::Handle { .. } => Action::Handle,
            Command::Extend { .. } => Action::Extend,
            Command::Conclude { .. } => Action::Conclude,
            Command::Reply { .. } => Action::Reply,
            Command::Publish { .. } => Action::Publish,
            Command::RequestReview { .. } => Action::RequestReview,
            Command::DecideReview { .. } => Action::DecideReview,
            Command::RequestReReview { .. } => Action::RequestReReview,
            Command::DecideReReview { .. } => Action::DecideReReview,
            Command::Close { .. } => Action::Close,
            Command::SendBack { .. } => Action::SendBack,
            Command::Submit { .. } => Action::Submit,
            Command::Approve { .. } => Action::Approve,
            Command::ReturnDraft { .. } => Action::ReturnDraft,
            Command::Reopen { .. } => Action::Reopen,
        }
    }

    /// The free-text note or reason the event records.
    pub fn note(&self) -> Option<String> {
        match self {
            Command::Accept { note }
            | Command::Reject { note, .. }
            | Command::Assign { note, .. }
            | Command::Handle { note }
            | Command::Approve { note }
            | Command::Close { note } => note.clone(),
            Command::Extend { reason, .. }
            | Command::RequestReview { reason }
            | Command::RequestReReview { reason }
            | Command::ReturnDraft { reason }
            | Command::Reopen { reason }
            | Command::SendBack { reason } => Some(reason.clone()),
            // A draft's texts are not the event's note: the history shows the step, the draft
            // is read on the case.
            Command::Submit { .. } => None,
            Command::Conclude { findings, .. } => Some(findings.clone()),
            Command::Reply { text }
            | Command::DecideReview { text, .. }
            | Command::DecideReReview { text, .. } => Some(text.clone()),
            Command::Publish { summary } => Some(summary.clone()),
        }
    }
}

/// What applying a command yields: the case after it, and the stages it moved between.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub case: Case,
    pub action: Action,
    pub from: Stage,
    pub to: Stage,
}

/// A required long text (findings, a reply, a reason): not empty, within the description's
/// limit, no refused character.
fn required_text(field: &str, text: &str) -> Result<String, DomainError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DomainError::invalid(field, "must not be empty"));
    }
    check_text(field, text, MAX_DESCRIPTION_CHARS).map_err(|e| DomainError::Invalid(vec![e]))?;
    Ok(text.to_owned())
}

impl Command {
    /// Checks the command's free texts that the step itself does not read: the optional notes
    /// (a short text, [`MAX_TEXT_CHARS`]) and an enforcement action's description. Required
    /// texts are checked where the step reads them.
    fn check_notes(&self) -> Result<(), DomainError> {
        let note = match self {
            Command::Accept { note }
            | Command::Reject { note, .. }
            | Command::Assign { note, .. }
            | Command::Handle { note }
            | Command::Approve { note }
            | Command::Close { note } => note.as_deref(),
            _ => None,
        };
        let mut errors = Vec::new();
        if let Err(e) = crate::text::check_optional_text("note", note, MAX_TEXT_CHARS) {
            errors.push(e);
        }
        if let Command::Conclude { enforcement, .. } | Command::Submit { enforcement, .. } = self {
            for (i, action) in enforcement.iter().enumerate() {
                if let EnforcementAction::Other { description } = action
                    && let Err(e) = check_text(
                        &format!("enforcement[{i}].description"),
                        description,
                        MAX_TEXT_CHARS,
                    )
                {
                    errors.push(e);
                }
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

fn check_outcome(kind: CaseKind, outcome: Outcome) -> Result<Outcome, DomainError> {
    let fitting = Outcome::for_kind(kind);
    if fitting.contains(&outcome) {
        Ok(outcome)
    } else {
        let names: Vec<_> = fitting.iter().map(|o| o.code()).collect();
        Err(DomainError::invalid(
            "outcome",
            format!("a {} ends with one of: {}", kind.code(), names.join(", ")),
        ))
    }
}

/// Applies a command to a case at `now`, under the time limits of its kind and place.
///
/// The workflow table decides whether the step is allowed from the current stage; the step's
/// own rules (an extension only once, review only within its window, an outcome that fits the
/// kind) are checked here. Who may take the step is the caller's business (see
/// [`crate::access`]).
pub fn apply(
    case: &Case,
    command: &Command,
    now: DateTime<Utc>,
    limits: &TimeLimits,
) -> Result<Applied, DomainError> {
    let action = command.action();
    let to = next_stage(case.kind, case.stage, action).ok_or_else(|| {
        DomainError::IllegalTransition {
            kind: case.kind,
            stage: case.stage,
            action,
            allowed: case.allowed_actions(),
        }
    })?;
    command.check_notes()?;
    let mut next = case.clone();
    match command {
        Command::Accept { .. } => next.accepted_at = Some(now),
        Command::Reject { reason, note } => {
            if *reason == RejectionReason::OutsideRemit
                && note.as_deref().is_none_or(|n| n.trim().is_empty())
            {
                return Err(DomainError::invalid(
                    "note",
                    "say which authority the matter belongs to",
                ));
            }
            next.rejection = Some(*reason);
            next.closed_at = Some(now);
        }
        Command::Assign { unit_id, .. } => next.unit_id = *unit_id,
        Command::Handle { .. } => {}
        Command::Extend { days, reason } => {
            if let Some(granted) = &case.extension {
                return Err(DomainError::AlreadyExtended {
                    days: granted.days,
                    reason: granted.reason.clone(),
                });
            }
            if *days == 0 || *days > limits.max_extension_days {
                return Err(DomainError::invalid(
                    "days",
                    format!("extend by 1 to {} days", limits.max_extension_days),
                ));
            }
            next.extension = Some(Extension {
                days: *days,
                reason: required_text("reason", reason)?,
            });
        }
        Command::Conclude {
            outcome,
            findings,
            enforcement,
        } => {
            next.outcome = Some(check_outcome(case.kind, *outcome)?);
            next.findings = Some(required_text("findings", findings)?);
            next.enforcement = enforcement.clone();
            next.concluded_at = Some(now);
            // A draft returned before the unit stopped requiring approval is superseded.
            next.draft = None;
        }
        Command::Reply { text } => {
            next.reply = Some(required_text("text", text)?);
            next.replied_at = Some(now);
        }
        Command::Publish { summary } => {
            next.public_summary = Some(required_text("summary", summary)?);
        }
        Command::RequestReview { reason } => {
            let replied = case.replied_at.unwrap_or(case.received_at);
            check_window("review", replied, limits.review_request_days, now)?;
            required_text("reason", reason)?;
            next.review_requested_at = Some(now);
        }
        Command::DecideReview { outcome, text } => {
            next.outcome = Some(check_outcome(case.kind, *outcome)?);
            next.reply = Some(required_text("text", text)?);
            next.reviewed_at = Some(now);
        }
        Command::RequestReReview { reason } => {
            let reviewed = case.reviewed_at.unwrap_or(case.received_at);
            check_window("re-review", reviewed, limits.re_review_request_days, now)?;
            required_text("reason", reason)?;
            next.re_review_requested_at = Some(now);
        }
        Command::DecideReReview { outcome, text } => {
            next.outcome = Some(check_outcome(case.kind, *outcome)?);
            next.reply = Some(required_text("text", text)?);
            next.closed_at = Some(now);
        }
        Command::Close { .. } => next.closed_at = Some(now),
        Command::SendBack { reason } => {
            required_text("reason", reason)?;
        }
        Command::Submit {
            outcome,
            findings,
            enforcement,
            reply,
        } => {
            let outcome = check_outcome(case.kind, *outcome);
            let findings = required_text("findings", findings);
            let reply = required_text("reply", reply);
            let mut errors = Vec::new();
            for result in [
                outcome.as_ref().map(|_| ()),
                findings.as_ref().map(|_| ()),
                reply.as_ref().map(|_| ()),
            ] {
                if let Err(DomainError::Invalid(found)) = result {
                    errors.extend(found.iter().cloned());
                }
            }
            if !errors.is_empty() {
                return Err(DomainError::Invalid(errors));
            }
            next.draft = Some(Draft {
                outcome: outcome?,
                findings: findings?,
                enforcement: enforcement.clone(),
                reply: reply?,
                submitted_at: now,
            });
        }
        Command::Approve { .. } => {
            let draft = case
                .draft
                .clone()
                .ok_or_else(|| DomainError::invalid("draft", "no draft awaits approval"))?;
            next.outcome = Some(check_outcome(case.kind, draft.outcome)?);
            next.findings = Some(draft.findings);
            next.enforcement = draft.enforcement;
            next.reply = Some(draft.reply);
            next.concluded_at = Some(now);
            next.replied_at = Some(now);
            next.draft = None;
        }
        Command::ReturnDraft { reason } => {
            required_text("reason", reason)?;
        }
        Command::Reopen { reason } => {
            required_text("reason", reason)?;
            next.reopened_at = Some(now);
            // A new round of handling: it may be extended once more, and it is not concluded
            // until it is again (the first round's extension stays in the history).
            next.extension = None;
            next.concluded_at = None;
        }
    }
    next.stage = to;
    next.version = case.version + 1;
    Ok(Applied {
        case: next,
        action,
        from: case.stage,
        to,
    })
}

/// Working days a unit has to send back a petition routed to it by mistake (信访工作条例 第二十三条:
/// 对不属于本机关职责范围的 … 应当自收到之日起5个工作日内提出异议).
pub const SEND_BACK_WORKING_DAYS: u32 = 5;

/// Whether a unit that received a petition at `arrived` may still send it back (退回) at
/// `now`: until the end of the fifth working day after the day it arrived, counted with the
/// State Council's holiday arrangements. Reports (举报件) and reconsiderations have no such
/// window. Past the years loaded the days are taken as Monday–Friday (`WorkingDue::assumed`).
pub fn check_send_back(
    kind: crate::CaseKind,
    arrived: DateTime<Utc>,
    now: DateTime<Utc>,
    calendar: &crate::WorkingCalendar,
) -> Result<(), DomainError> {
    if kind != crate::CaseKind::Petition {
        return Ok(());
    }
    let last_day = calendar
        .add_working_days(crate::deadline::local_date(arrived), SEND_BACK_WORKING_DAYS)
        .last_day;
    if crate::deadline::local_date(now) > last_day {
        Err(DomainError::WindowClosed {
            what: "sending back a wrongly routed petition (5 working days)",
            last_day,
        })
    } else {
        Ok(())
    }
}

fn check_window(
    what: &'static str,
    from: DateTime<Utc>,
    days: u32,
    now: DateTime<Utc>,
) -> Result<(), DomainError> {
    if now >= end_of_limit(from, days) {
        Err(DomainError::WindowClosed {
            what,
            last_day: crate::deadline::local_date(from) + chrono::Days::new(u64::from(days)),
        })
    } else {
        Ok(())
    }
}

/// The enforcement measures a conclusion form names by a field each (a check box); a fine is
/// `fine_yuan` (its amount) and any other measure `enforcement_other` (its description).
pub const ENFORCEMENT_FIELDS: [(&str, EnforcementAction); 5] = [
    ("enforce_rectify", EnforcementAction::OrderedToRectify),
    ("enforce_seize", EnforcementAction::SealedOrSeized),
    ("enforce_halt", EnforcementAction::ProductionHalted),
    ("enforce_police", EnforcementAction::ReferredToPolice),
    ("enforce_refer", EnforcementAction::ReferredToOtherAuthority),
];

/// A code of a unit-variant enum, read as its serde name (`already_accepted`, `substantiated`).
fn code_of<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    use serde::de::IntoDeserializer;
    T::deserialize(IntoDeserializer::<serde::de::value::Error>::into_deserializer(code)).ok()
}

impl Command {
    /// The command `action` stands for, read from named text fields (a form: `note`, `reason`,
    /// `unit_id`, `days`, `outcome`, `findings`, `text`, `summary`); an empty field is absent.
    /// Every missing or bad field is named.
    pub fn from_fields<'a>(
        action: Action,
        field: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Command, crate::DomainError> {
        let errors = std::cell::RefCell::new(Vec::<FieldError>::new());
        let optional = |name: &str| {
            field(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let required = |name: &str| {
            optional(name).unwrap_or_else(|| {
                errors.borrow_mut().push(FieldError::new(name, "required"));
                String::new()
            })
        };
        let parsed = |name: &str, what: &str, read: &dyn Fn(&str) -> bool| {
            let value = required(name);
            if !value.is_empty() && !read(&value) {
                errors
                    .borrow_mut()
                    .push(FieldError::new(name, format!("not {what}: {value:?}")));
            }
            value
        };
        let number = |name: &str| {
            parsed(name, "a whole number", &|v| v.parse::<u32>().is_ok())
                .parse::<i64>()
                .unwrap_or_default()
        };
        let outcome = |name: &str| {
            code_of::<Outcome>(&parsed(name, "an outcome", &|v| {
                code_of::<Outcome>(v).is_some()
            }))
            .unwrap_or(Outcome::Substantiated)
        };
        // Each measure is a field of its own (a check box), the fine its amount and anything
        // else its description.
        let enforcement = || {
            let mut enforcement: Vec<EnforcementAction> = ENFORCEMENT_FIELDS
                .iter()
                .filter(|(name, _)| optional(name).is_some())
                .map(|(_, action)| action.clone())
                .collect();
            if let Some(amount) = optional("fine_yuan") {
                match amount.parse::<u64>() {
                    Ok(amount_yuan) if amount_yuan > 0 => {
                        enforcement.push(EnforcementAction::Fine { amount_yuan });
                    }
                    _ => errors.borrow_mut().push(FieldError::new(
                        "fine_yuan",
                        format!("not an amount in whole yuan: {amount:?}"),
                    )),
                }
            }
            if let Some(description) = optional("enforcement_other") {
                enforcement.push(EnforcementAction::Other { description });
            }
            enforcement
        };
        let command = match action {
            Action::Accept => Command::Accept {
                note: optional("note"),
            },
            Action::Handle => Command::Handle {
                note: optional("note"),
            },
            Action::SendBack => Command::SendBack {
                reason: required("reason"),
            },
            Action::Close => Command::Close {
                note: optional("note"),
            },
            Action::Reject => Command::Reject {
                reason: code_of(&parsed("reason", "a reason", &|v| {
                    code_of::<RejectionReason>(v).is_some()
                }))
                .unwrap_or(RejectionReason::AlreadyAccepted),
                note: optional("note"),
            },
            Action::Assign => Command::Assign {
                unit_id: number("unit_id"),
                note: optional("note"),
            },
            Action::Extend => Command::Extend {
                days: u32::try_from(number("days")).unwrap_or_default(),
                reason: required("reason"),
            },
            Action::Conclude => Command::Conclude {
                outcome: outcome("outcome"),
                findings: required("findings"),
                enforcement: enforcement(),
            },
            Action::Submit => Command::Submit {
                outcome: outcome("outcome"),
                findings: required("findings"),
                enforcement: enforcement(),
                reply: required("reply"),
            },
            Action::Approve => Command::Approve {
                note: optional("note"),
            },
            Action::ReturnDraft => Command::ReturnDraft {
                reason: required("reason"),
            },
            Action::Reopen => Command::Reopen {
                reason: required("reason"),
            },
            Action::Reply => Command::Reply {
                text: required("text"),
            },
            Action::Publish => Command::Publish {
                summary: required("summary"),
            },
            Action::RequestReview => Command::RequestReview {
                reason: required("reason"),
            },
            Action::RequestReReview => Command::RequestReReview {
                reason: required("reason"),
            },
            Action::DecideReview => Command::DecideReview {
                outcome: outcome("outcome"),
                text: required("text"),
            },
            Action::DecideReReview => Command::DecideReReview {
                outcome: outcome("outcome"),
                text: required("text"),
            },
        };
        let errors = errors.into_inner();
        if errors.is_empty() {
            Ok(command)
        } else {
            Err(crate::DomainError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn e_mail_addresses_are_checked_loosely_but_never_split_a_header() {
        for good in ["a@example.com", "zhang.san+12369@mail.example.cn"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "",
            "a",
            "a@b",
            "@example.com",
            "a@.com",
            "a@example.",
            "a b@example.com",
            "a@example.com\r\nBcc: x@example.com",
            "<a@example.com>",
            "a@@example.com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    use chrono::Duration;

    use super::*;
    use crate::DeadlineTable;

    fn form() -> IntakeForm {
        IntakeForm {
            channel: "phone".into(),
            primary_type: "noise".into(),
            other_types: vec!["air".into()],
            sub_type: Some("construction".into()),
            region: "440305".into(),
            address: "科技园南区某工地".into(),
            description: "工地每天晚上十一点以后还在打桩，吵得睡不着。".into(),
            reporter_name: Some("李女士".into()),
            reporter_phone: Some("138-0000-0000".into()),
            ..IntakeForm::default()
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
            .expect("time")
            .with_timezone(&Utc)
    }

    fn registered(kind: CaseKind) -> Case {
        let mut new = NewCase::parse(&form()).expect("valid form");
        new.kind = kind;
        Case::registered(7, &new, 1, now())
    }

    fn run(case: &Case, command: Command, at: DateTime<Utc>) -> Result<Case, DomainError> {
        let limits = DeadlineTable::statutory().limits_for(case.kind, case.region);
        apply(case, &command, at, &limits).map(|a| a.case)
    }

    #[test]
    fn a_phone_is_looked_up_by_its_digits_with_or_without_the_country_code() {
        assert_eq!(
            phone_keys("138-1234 5678"),
            ["13812345678", "8613812345678"]
        );
        assert_eq!(
            phone_keys("+86 138 1234 5678"),
            ["8613812345678", "13812345678"]
        );
        assert_eq!(phone_keys("0755-8888888"), ["07558888888"]);
        assert_eq!(phone_keys("12369"), ["12369"]);
        assert!(phone_keys("call me").is_empty());
        assert!(phone_keys("1234").is_empty());
    }

    #[test]
    fn an_anonymous_report_keeps_no_name_phone_or_address() {
        let anonymous = IntakeForm {
            anonymous: true,
            reporter_address: Some("某小区3栋".into()),
            ..form()
        };
        let new = NewCase::parse(&anonymous).expect("valid");
        assert!(new.reporter.anonymous);
        assert_eq!(
            (
                new.reporter.name,
                new.reporter.phone,
                new.reporter.contact_address
            ),
            (None, None, None)
        );
        let named = NewCase::parse(&form()).expect("valid");
        assert_eq!(named.reporter.name.as_deref(), Some("李女士"));
    }

    #[test]
    fn a_valid_form_becomes_a_new_case_with_its_types_in_order() {
        let new = NewCase::parse(&form()).expect("valid");
        assert_eq!(new.kind, CaseKind::Report);
        let codes: Vec<_> = new.types.iter().map(|t| t.code()).collect();
        assert_eq!(codes, ["noise", "air"]);
    }

    #[test]
    fn a_bad_form_names_every_bad_field() {
        let bad = IntakeForm {
            channel: "pigeon".into(),
            region: "999999".into(),
            description: "  ".into(),
            sub_type: Some("sewage".into()),
            reporter_phone: Some("call me".into()),
            ..form()
        };
        let Err(DomainError::Invalid(errors)) = NewCase::parse(&bad) else {
            panic!("expected field errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        for field in [
            "channel",
            "region",
            "description",
            "sub_type",
            "reporter_phone",
        ] {
            assert!(fields.contains(&field), "{field} missing from {fields:?}");
        }
    }

    #[test]
    fn an_illegal_transition_names_the_stage_and_the_allowed_actions() {
        let case = registered(CaseKind::Report);
        let err = run(&case, Command::Reply { text: "ok".into() }, now()).expect_err("illegal");
        let DomainError::IllegalTransition { stage, allowed, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(*stage, Stage::Registered);
        assert_eq!(
            allowed,
            &[
                Action::Accept,
                Action::Reject,
                Action::Assign,
                Action::SendBack
            ]
        );
        assert!(err.to_string().contains("registered"));
        assert!(
            err.to_string()
                .contains("accept, reject, assign, send_back")
        );
    }

    #[test]
    fn a_report_runs_from_intake_to_publication() {
        let mut case = registered(CaseKind::Report);
        for command in [
            Command::Accept { note: None },
            Command::Handle { note: None },
            Command::Conclude {
                outcome: Outcome::Substantiated,
                findings: "夜间施工未办理许可".into(),
                enforcement: vec![EnforcementAction::Fine {
                    amount_yuan: 20_000,
                }],
            },
            Command::Reply {
                text: "已责令停止夜间施工并处罚款".into(),
            },
            Command::Publish {
                summary: "某工地夜间违规施工，已处罚款2万元".into(),
            },
        ] {
            case = run(&case, command, now()).expect("allowed");
        }
        assert_eq!(case.stage, Stage::Published);
        assert_eq!(case.version, 5);
        assert_eq!(case.outcome, Some(Outcome::Substantiated));
    }

    fn submitted(kind: CaseKind) -> Case {
        let mut case = registered(kind);
        let outcome = Outcome::for_kind(kind)[0];
        for command in [
            Command::Accept { note: None },
            Command::Handle { note: None },
            Command::Submit {
                outcome,
                findings: "现场核实属实".into(),
                enforcement: vec![EnforcementAction::OrderedToRectify],
                reply: "已责令整改".into(),
            },
        ] {
            case = run(&case, command, now()).expect("allowed");
        }
        case
    }

    #[test]
    fn a_submitted_draft_waits_for_approval_and_keeps_the_public_fields_empty() {
        let limits = DeadlineTable::statutory().limits_for(CaseKind::Report, RegionCode::NATIONAL);
        let case = submitted(CaseKind::Report);
        assert_eq!(case.stage, Stage::PendingApproval);
        assert_eq!(
            (&case.findings, &case.reply, &case.outcome),
            (&None, &None, &None)
        );
        assert!(case.enforcement.is_empty());
        assert_eq!(
            case.draft.as_ref().map(|d| d.reply.as_str()),
            Some("已责令整改")
        );
        assert_eq!(
            case.actions_now(&limits, now()),
            [Action::Approve, Action::ReturnDraft]
        );
        assert_eq!(case.stage.public_status(), crate::PublicStatus::InProgress);
        // The handling limit keeps running while the draft waits.
        assert_eq!(
            case.current_deadline(&limits).map(|d| d.clock),
            Some(DeadlineKind::Handling)
        );
        assert!(case.is_overdue(&limits, now() + Duration::days(61)));
    }

    #[test]
    fn approval_makes_the_draft_the_conclusion_and_the_reply() {
        let case = submitted(CaseKind::Report);
        let later = now() + Duration::days(2);
        let approved = run(&case, Command::Approve { note: None }, later).expect("approve");
        assert_eq!(approved.stage, Stage::Replied);
        assert_eq!(approved.outcome, Some(Outcome::Substantiated));
        assert_eq!(approved.findings.as_deref(), Some("现场核实属实"));
        assert_eq!(approved.reply.as_deref(), Some("已责令整改"));
        assert_eq!(approved.enforcement, [EnforcementAction::OrderedToRectify]);
        assert_eq!(
            (approved.concluded_at, approved.replied_at),
            (Some(later), Some(later))
        );
        assert_eq!(approved.draft, None);
    }

    #[test]
    fn a_returned_draft_goes_back_to_handling_kept_and_a_reason_is_required() {
        let case = submitted(CaseKind::Petition);
        let no_reason = run(&case, Command::ReturnDraft { reason: " ".into() }, now());
        assert!(matches!(no_reason, Err(DomainError::Invalid(e)) if e[0].field == "reason"));
        let back = run(
            &case,
            Command::ReturnDraft {
                reason: "请补充监测数据".into(),
            },
            now(),
        )
        .expect("return");
        assert_eq!(back.stage, Stage::Handling);
        assert_eq!(back.draft, case.draft);
        let limits =
            DeadlineTable::statutory().limits_for(CaseKind::Petition, RegionCode::NATIONAL);
        assert!(
            back.actions_under(&limits, now(), Approval::Required)
                .contains(&Action::Submit)
        );
        assert!(
            !back
                .actions_under(&limits, now(), Approval::Required)
                .contains(&Action::Conclude)
        );
        assert!(
            !back
                .actions_under(&limits, now(), Approval::NotRequired)
                .contains(&Action::Submit)
        );
        assert!(
            matches!(
                run(&back, Command::Approve { note: None }, now()),
                Err(DomainError::IllegalTransition { .. })
            ),
            "approval only from 待审核"
        );
        let concluded = run(
            &back,
            Command::Conclude {
                outcome: Outcome::Explained,
                findings: "已核实".into(),
                enforcement: vec![],
            },
            now(),
        )
        .expect("the unit no longer requires approval");
        assert_eq!(
            concluded.draft, None,
            "a conclusion supersedes the returned draft"
        );
    }

    #[test]
    fn a_submission_names_every_missing_part() {
        let mut case = registered(CaseKind::Report);
        case = run(&case, Command::Accept { note: None }, now()).expect("accept");
        case = run(&case, Command::Handle { note: None }, now()).expect("handle");
        let err = run(
            &case,
            Command::Submit {
                outcome: Outcome::Supported,
                findings: "".into(),
                enforcement: vec![],
                reply: " ".into(),
            },
            now(),
        )
        .expect_err("nothing fits");
        let DomainError::Invalid(errors) = err else {
            panic!("{err:?}");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "findings", "reply"]);
    }

    #[test]
    fn a_reopened_report_is_handled_again_on_a_fresh_limit_with_one_more_extension() {
        let limits = DeadlineTable::statutory().limits_for(CaseKind::Report, RegionCode::NATIONAL);
        let mut case = submitted(CaseKind::Report);
        assert!(
            run(
                &case,
                Command::Extend {
                    days: 10,
                    reason: "需检测".into(),
                },
                now(),
            )
            .is_err(),
            "no extension while the draft waits"
        );
        case = run(&case, Command::Approve { note: None }, now()).expect("approve");
        assert!(
            !case.actions_now(&limits, now()).contains(&Action::Reopen),
            "reopening is not offered as a step"
        );
        let reopen_at = now() + Duration::days(50);
        let reopened = run(
            &case,
            Command::Reopen {
                reason: "回访：问题未解决".into(),
            },
            reopen_at,
        )
        .expect("reopen");
        assert_eq!(reopened.stage, Stage::Handling);
        assert_eq!(reopened.concluded_at, None);
        let deadline = reopened.handling_deadline(&limits).expect("running");
        assert_eq!(
            deadline.last_day,
            crate::deadline::local_date(reopen_at) + chrono::Days::new(60)
        );
        assert!(
            reopened
                .actions_now(&limits, reopen_at)
                .contains(&Action::Extend)
        );
        let petition = run(
            &submitted(CaseKind::Petition),
            Command::Approve { note: None },
            now(),
        )
        .expect("approve");
        assert!(
            run(
                &petition,
                Command::Reopen {
                    reason: "未解决".into()
                },
                now()
            )
            .is_err(),
            "a petition goes to review, not back to handling"
        );
    }

    #[test]
    fn outcomes_must_fit_the_kind() {
        let mut case = registered(CaseKind::Petition);
        case = run(&case, Command::Accept { note: None }, now()).expect("accept");
        case = run(&case, Command::Handle { note: None }, now()).expect("handle");
        let err = run(
            &case,
            Command::Conclude {
                outcome: Outcome::Substantiated,
                findings: "x".into(),
                enforcement: vec![],
            },
            now(),
        )
        .expect_err("report outcome on a petition");
        assert!(err.to_string().contains("supported"), "{err}");
    }

    #[test]
    fn a_case_past_its_handling_limit_is_overdue_and_an_extension_moves_the_limit_once() {
        let limits = DeadlineTable::statutory().limits_for(CaseKind::Report, RegionCode::NATIONAL);
        let mut case = registered(CaseKind::Report);
        // Received 2026-11-27 10:00 China time; acceptance due by the close of 12-12.
        assert!(!case.is_overdue(&limits, now() + Duration::days(15)));
        assert!(case.is_overdue(&limits, now() + Duration::days(16)));
        case = run(&case, Command::Accept { note: None }, now()).expect("accept");
        case = run(&case, Command::Handle { note: None }, now()).expect("handle");
        let deadline = case.handling_deadline(&limits).expect("running");
        assert_eq!(deadline.last_day.to_string(), "2027-01-26");
        let day_61 = now() + Duration::days(61);
        assert!(case.is_overdue(&limits, day_61));

        let extend = |days| Command::Extend {
            days,
            reason: "需第三方检测".into(),
        };
        assert!(run(&case, extend(31), now()).is_err(), "more than 30 days");
        case = run(&case, extend(20), now()).expect("first extension");
        assert!(!case.is_overdue(&limits, day_61));
        assert!(case.is_overdue(&limits, now() + Duration::days(81)));
        let again = run(&case, extend(5), now()).expect_err("second extension");
        assert!(matches!(
            again,
            DomainError::AlreadyExtended { days: 20, .. }
        ));
        assert!(
            !case.actions_now(&limits, now()).contains(&Action::Extend),
            "the extension used, it is no longer offered"
        );
        assert!(case.allowed_actions().contains(&Action::Extend));
    }

    #[test]
    fn a_conclusion_form_names_its_enforcement_measures_and_a_bad_fine() {
        let fields = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        };
        let read = Command::from_fields(
            Action::Conclude,
            fields(&[
                ("outcome", "substantiated"),
                ("findings", "现场核实属实"),
                ("enforce_rectify", "1"),
                ("enforce_police", "1"),
                ("fine_yuan", "50000"),
                ("enforcement_other", "约谈负责人"),
            ]),
        )
        .expect("a conclusion");
        let Command::Conclude { enforcement, .. } = read else {
            panic!("not a conclusion: {read:?}");
        };
        assert_eq!(
            enforcement,
            [
                EnforcementAction::OrderedToRectify,
                EnforcementAction::ReferredToPolice,
                EnforcementAction::Fine {
                    amount_yuan: 50_000
                },
                EnforcementAction::Other {
                    description: "约谈负责人".into()
                },
            ]
        );
        let bad = Command::from_fields(
            Action::Conclude,
            fields(&[
                ("outcome", "substantiated"),
                ("findings", "属实"),
                ("fine_yuan", "五万"),
            ]),
        )
        .expect_err("a fine in words");
        assert!(bad.to_string().contains("fine_yuan"), "{bad}");
    }

    #[test]
    fn review_must_be_requested_within_its_window() {
        let mut case = registered(CaseKind::Petition);
        for command in [
            Command::Accept { note: None },
            Command::Handle { note: None },
            Command::Conclude {
                outcome: Outcome::Explained,
                findings: "已核实".into(),
                enforcement: vec![],
            },
            Command::Reply {
                text: "处理意见书".into(),
            },
        ] {
            case = run(&case, command, now()).expect("allowed");
        }
        let ask = Command::RequestReview {
            reason: "不服处理意见".into(),
        };
        let late = run(&case, ask.clone(), now() + Duration::days(31));
        assert!(matches!(late, Err(DomainError::WindowClosed { .. })));
        let limits = DeadlineTable::statutory().limits_for(case.kind, case.region);
        let offered = |days| case.actions_now(&limits, now() + Duration::days(days));
        assert!(offered(29).contains(&Action::RequestReview));
        assert!(
            !offered(31).contains(&Action::RequestReview),
            "not offered once closed"
        );
        let reviewed = run(&case, ask, now() + Duration::days(29)).expect("in time");
        assert_eq!(reviewed.stage, Stage::ReviewRequested);
    }

    #[test]
    fn notes_and_every_other_free_text_have_a_limit_and_no_control_characters() {
        let case = registered(CaseKind::Report);
        let long_note = Command::Accept {
            note: Some("字".repeat(MAX_TEXT_CHARS + 1)),
        };
        let err = run(&case, long_note, now()).expect_err("a note without end");
        assert!(
            matches!(&err, DomainError::Invalid(e) if e[0].field == "note" && e[0].message.contains("longer")),
            "{err:?}"
        );
        let hidden = Command::Assign {
            unit_id: 2,
            note: Some("转\u{202e}办".into()),
        };
        let err = run(&case, hidden, now()).expect_err("a bidi override");
        assert!(
            matches!(&err, DomainError::Invalid(e) if e[0].field == "note" && e[0].message.contains("U+202E")),
            "{err:?}"
        );
        let mut accepted = run(&case, Command::Accept { note: None }, now()).expect("accept");
        accepted = run(&accepted, Command::Handle { note: None }, now()).expect("handle");
        let err = run(
            &accepted,
            Command::Conclude {
                outcome: Outcome::Substantiated,
                findings: "已核实\u{0}".into(),
                enforcement: vec![],
            },
            now(),
        )
        .expect_err("NUL in findings");
        assert!(
            matches!(&err, DomainError::Invalid(e) if e[0].field == "findings"),
            "{err:?}"
        );
        let err = run(
            &accepted,
            Command::Conclude {
                outcome: Outcome::Substantiated,
                findings: "已核实".into(),
                enforcement: vec![EnforcementAction::Other {
                    description: "\u{1b}[2J".into(),
                }],
            },
            now(),
        )
        .expect_err("an escape in an enforcement description");
        assert!(
            matches!(&err, DomainError::Invalid(e) if e[0].field == "enforcement[0].description"),
            "{err:?}"
        );
        let bad_form = IntakeForm {
            description: "工地\u{0}夜间施工".into(),
            address: "科技园\u{2066}南区".into(),
            reporter_name: Some("李\u{feff}女士".into()),
            ..form()
        };
        let Err(DomainError::Invalid(errors)) = NewCase::parse(&bad_form) else {
            panic!("refused characters in intake");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["description", "address", "reporter_name"]);
        let review = crate::TypesForm {
            primary_type: "noise".into(),
            note: Some("\u{7}".into()),
            ..Default::default()
        };
        assert!(review.parse().is_err(), "a review note is checked too");
    }

    #[test]
    fn a_form_becomes_a_command_and_every_missing_or_bad_field_is_named() {
        let form = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
        };
        let assign = Command::from_fields(Action::Assign, form(&[("unit_id", " 7 ")]));
        assert!(
            matches!(
                assign,
                Ok(Command::Assign {
                    unit_id: 7,
                    note: None
                })
            ),
            "{assign:?}"
        );
        let reject = Command::from_fields(
            Action::Reject,
            form(&[("reason", "already_accepted"), ("note", "见前案")]),
        );
        assert!(
            matches!(&reject, Ok(Command::Reject { reason: RejectionReason::AlreadyAccepted, note: Some(n) }) if n == "见前案"),
            "{reject:?}"
        );
        let Err(DomainError::Invalid(errors)) = Command::from_fields(
            Action::Conclude,
            form(&[("outcome", "maybe"), ("findings", " ")]),
        ) else {
            panic!("a bad outcome and empty findings are refused");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["outcome", "findings"]);
        let Err(DomainError::Invalid(errors)) =
            Command::from_fields(Action::Extend, form(&[("days", "twenty")]))
        else {
            panic!("days must be a number and a reason is needed");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["days", "reason"]);
    }

    #[test]
    fn a_petition_is_sent_back_within_five_working_days_counted_over_national_day() {
        use crate::WorkingCalendar;
        let china = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .expect("time")
                .with_timezone(&Utc)
        };
        let calendar = WorkingCalendar::shipped();
        // Arrived Tuesday 29 September 2026: 30 Sep, then 1–7 Oct off, 8, 9, Saturday 10 Oct
        // (调休, a working day), and Monday 12 Oct is the fifth working day.
        let arrived = china("2026-09-29T10:00:00+08:00");
        for (now, open) in [
            ("2026-10-07T18:00:00+08:00", true),
            ("2026-10-12T23:30:00+08:00", true),
            ("2026-10-13T09:00:00+08:00", false),
        ] {
            let found = check_send_back(CaseKind::Petition, arrived, china(now), calendar);
            assert_eq!(found.is_ok(), open, "{now}: {found:?}");
            if let Err(DomainError::WindowClosed { last_day, .. }) = found {
                assert_eq!(last_day.to_string(), "2026-10-12");
            }
        }
        // A report has no such window.
        let late = china("2027-03-01T09:00:00+08:00");
        assert!(check_send_back(CaseKind::Report, arrived, late, calendar).is_ok());
    }
}
