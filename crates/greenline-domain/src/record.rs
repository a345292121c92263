//! The case record: one flat row per case, as the simulator writes it and as import and export
//! read and write it (CSV with a header row, or JSON Lines). Reporter fields are personal data.
//!
//! Columns may be named in English (the field names below) or in Chinese:
//!
//! | field | Chinese header | content |
//! |---|---|---|
//! | external_id | 编号 | the source system's identifier; re-importing it creates no duplicate |
//! | kind | 类别 | `report`, `petition`, `reconsideration` |
//! | channel | 渠道 | `phone`, `wechat`, `web`, `letter`, `visit`, `fax`, `email`, `12345`, `open311`, `other` |
//! | primary_type | 污染类型 | type code (`air`, `noise`, …) |
//! | types | 涉及类型 | every type, the primary first, separated by `;` |
//! | sub_type | 子类型 | sub-type code, optional |
//! | industry | 行业 | GB/T 4754 code, optional |
//! | region | 行政区划代码 | six-digit code, the most precise known |
//! | address | 地址 | street-level place |
//! | description | 举报内容 | what the reporter said |
//! | received_at | 受理时间 / 接收时间 | when the case arrived |
//! | stage | 办理阶段 | the stage reached |
//! | accepted_at, rejected_at, concluded_at, replied_at, published_at | 受理时间, 不予受理时间, 办结时间, 答复时间, 公开时间 | when each step happened |
//! | rejection_reason | 不予受理原因 | reason code |
//! | extension_days | 延期天数 | days, if extended |
//! | outcome | 办理结果 | outcome code |
//! | anonymous | 匿名 | `true` or `false` |
//! | reporter_name, reporter_phone | 举报人, 联系电话 | personal data |
//!
//! Times are RFC 3339 (`2025-03-01T08:30:00Z`, or with `+08:00`), or China time written
//! `2025-03-01 16:30:00` or `2025-03-01 16:30`.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::deadline::china_time;
use crate::error::FieldError;
use crate::workflow::next_stage;
use crate::{
    Action, Case, CaseKind, Extension, IntakeForm, NewCase, Outcome, RejectionReason, Reporter,
    Stage, TimeLimits,
};

/// One case with its history flattened into timestamps. Optional fields are empty in CSV and
/// absent or `null` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    #[serde(alias = "编号")]
    pub external_id: String,
    #[serde(alias = "类别")]
    pub kind: String,
    #[serde(alias = "渠道")]
    pub channel: String,
    #[serde(alias = "污染类型")]
    pub primary_type: String,
    #[serde(alias = "涉及类型")]
    pub types: String,
    #[serde(alias = "子类型")]
    pub sub_type: Option<String>,
    #[serde(alias = "行业")]
    pub industry: Option<String>,
    #[serde(alias = "行政区划代码")]
    pub region: String,
    #[serde(alias = "地址")]
    pub address: String,
    #[serde(alias = "举报内容")]
    pub description: String,
    #[serde(alias = "接收时间")]
    pub received_at: String,
    #[serde(alias = "办理阶段")]
    pub stage: String,
    #[serde(alias = "受理时间")]
    pub accepted_at: Option<String>,
    #[serde(alias = "不予受理时间")]
    pub rejected_at: Option<String>,
    #[serde(alias = "不予受理原因")]
    pub rejection_reason: Option<String>,
    #[serde(alias = "延期天数")]
    pub extension_days: Option<u32>,
    #[serde(alias = "办结时间")]
    pub concluded_at: Option<String>,
    #[serde(alias = "办理结果")]
    pub outcome: Option<String>,
    #[serde(alias = "答复时间")]
    pub replied_at: Option<String>,
    #[serde(alias = "公开时间")]
    pub published_at: Option<String>,
    #[serde(alias = "匿名")]
    pub anonymous: bool,
    #[serde(alias = "举报人")]
    pub reporter_name: Option<String>,
    #[serde(alias = "联系电话")]
    pub reporter_phone: Option<String>,
}

/// A timestamp as records write it: RFC 3339 in UTC, to the second.
pub fn format_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Reads a timestamp: RFC 3339, or China time as `YYYY-MM-DD HH:MM[:SS]`.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|local| china_time().from_local_datetime(&local).single())
        .map(|at| at.with_timezone(&Utc))
}

/// One step of an imported case's history, for its event log.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// `register` for the first step, else the action's code.
    pub action: &'static str,
    pub from: Option<Stage>,
    pub to: Stage,
    pub at: DateTime<Utc>,
}

/// A record checked and turned into a case (id and unit still unset), its reporter and history.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCase {
    pub case: Case,
    pub reporter: Reporter,
    pub steps: Vec<Step>,
}

impl ImportedCase {
    /// Checks the case against the time limits in force for its kind and place (the caller
    /// knows them; the record does not): an extension no longer than the longest the rules
    /// allow, as when staff extend a case. A longer one is no real case's, and would put the
    /// handling deadline past the end of the calendar.
    pub fn check_limits(&self, limits: &TimeLimits) -> Result<(), FieldError> {
        match &self.case.extension {
            Some(extension) if extension.days > limits.max_extension_days => Err(FieldError::new(
                "extension_days",
                format!(
                    "{} days is longer than the longest extension allowed ({} days)",
                    extension.days, limits.max_extension_days
                ),
            )),
            _ => Ok(()),
        }
    }
}

fn empty_to_none(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl CaseRecord {
    /// Checks every field and the history's consistency with the workflow, reporting every
    /// problem at once.
    pub fn to_imported(&self) -> Result<ImportedCase, Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.external_id.trim().is_empty() {
            errors.push(FieldError::new("external_id", "must not be empty"));
        }
        let mut types = self
            .types
            .split(';')
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let first = types.next();
        if first.is_some_and(|t| t != self.primary_type.trim()) {
            errors.push(FieldError::new("types", "must start with the primary type"));
        }
        let form = IntakeForm {
            kind: Some(self.kind.trim().to_owned()),
            channel: self.channel.trim().to_owned(),
            primary_type: self.primary_type.trim().to_owned(),
            other_types: types.map(str::to_owned).collect(),
            sub_type: self.sub_type.clone(),
            industry: self.industry.clone(),
            region: self.region.clone(),
            address: self.address.clone(),
            description: self.description.clone(),
            anonymous: self.anonymous,
            reporter_name: self.reporter_name.clone(),
            reporter_phone: self.reporter_phone.clone(),
            // Letters and visits of the past often have neither phone nor address on record.
            reporter_address: (!self.anonymous && self.reporter_phone.is_none())
                .then(|| "（历史记录）".to_owned()),
            external_id: Some(self.external_id.clone()),
            ..IntakeForm::default()
        };
        let new = match NewCase::parse(&form) {
            Ok(new) => Some(new),
            Err(crate::DomainError::Invalid(found)) => {
                errors.extend(found.into_iter().map(|mut e| {
                    if e.field.starts_with("other_types") {
                        e.field = "types".to_owned();
                    }
                    e
                }));
                None
            }
            Err(other) => {
                errors.push(FieldError::new("record", other.to_string()));
                None
            }
        };

        let mut time = |field: &str, value: Option<&str>| -> Option<DateTime<Utc>> {
            let value = value?;
            let parsed = parse_time(value);
            if parsed.is_none() {
                errors.push(FieldError::new(
                    field,
                    format!("{value:?} is not a time: use RFC 3339 or YYYY-MM-DD HH:MM:SS"),
                ));
            }
            parsed
        };
        let received = time("received_at", Some(self.received_at.as_str()));
        let accepted = time("accepted_at", empty_to_none(&self.accepted_at));
        let rejected = time("rejected_at", empty_to_none(&self.rejected_at));
        let concluded = time("concluded_at", empty_to_none(&self.concluded_at));
        let replied = time("replied_at", empty_to_none(&self.replied_at));
        let published = time("published_at", empty_to_none(&self.published_at));
        let stage = Stage::parse(self.stage.trim());
        if stage.is_none() {
            errors.push(FieldError::new(
                "stage",
                format!("unknown stage {:?}", self.stage),
            ));
        }
        let outcome = code::<Outcome>(&mut errors, "outcome", empty_to_none(&self.outcome));
        let rejection = code::<RejectionReason>(
            &mut errors,
            "rejection_reason",
            empty_to_none(&self.rejection_reason),
        );

        let (Some(new), Some(received), Some(stage)) = (new, received, stage) else {
            return Err(errors);
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let history = History {
            kind: new.kind,
            received,
            accepted,
            rejected,
            concluded,
            replied,
            published,
            outcome,
            rejection,
            extension_days: self.extension_days,
        };
        let steps = history.steps(stage)?;
        let mut case = Case::registered(0, &new, 0, received);
        case.stage = stage;
        case.accepted_at = accepted;
        case.concluded_at = concluded;
        case.replied_at = replied;
        case.closed_at = rejected;
        case.rejection = rejection;
        case.outcome = outcome;
        case.extension = self
            .extension_days
            .filter(|d| *d > 0)
            .map(|days| Extension {
                days,
                reason: "（历史记录）".to_owned(),
            });
        case.version = steps.len() as i64 - 1;
        Ok(ImportedCase {
            case,
            reporter: new.reporter.clone(),
            steps,
        })
    }

    /// The record of a stored case and its reporter (`None` leaves the reporter out).
    pub fn from_case(
        case: &Case,
        published_at: Option<DateTime<Utc>>,
        reporter: Option<&Reporter>,
    ) -> CaseRecord {
        CaseRecord {
            external_id: case
                .external_id
                .clone()
                .unwrap_or_else(|| case.tracking_no().to_string()),
            kind: case.kind.code().to_owned(),
            channel: case.channel.code().to_owned(),
            primary_type: case.primary_type.code().to_owned(),
            types: case
                .types
                .iter()
                .map(|t| t.code())
                .collect::<Vec<_>>()
                .join(";"),
            sub_type: case.sub_type.map(|s| s.code().to_owned()),
            industry: case.industry.map(|i| i.code().to_owned()),
            region: case.region.to_string(),
            address: case.address.clone(),
            description: case.description.clone(),
            received_at: format_time(case.received_at),
            stage: case.stage.code().to_owned(),
            accepted_at: case.accepted_at.map(format_time),
            rejected_at: case.rejection.and(case.closed_at).map(format_time),
            rejection_reason: case.rejection.map(|r| r.code().to_owned()),
            extension_days: case.extension.as_ref().map(|e| e.days),
            concluded_at: case.concluded_at.map(format_time),
            outcome: case.outcome.map(|o| o.code().to_owned()),
            replied_at: case.replied_at.map(format_time),
            published_at: published_at.map(format_time),
            anonymous: reporter.is_some_and(|r| r.anonymous),
            reporter_name: reporter.and_then(|r| r.name.clone()),
            reporter_phone: reporter.and_then(|r| r.phone.clone()),
        }
    }
}

fn code<T: serde::de::DeserializeOwned>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
) -> Option<T> {
    let value = value?;
    let parsed = serde::de::value::StrDeserializer::<serde::de::value::Error>::new(value);
    match T::deserialize(parsed) {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(field, format!("unknown code {value:?}")));
            None
        }
    }
}

/// The timestamps of a record, to be walked through the workflow.
struct History {
    kind: CaseKind,
    received: DateTime<Utc>,
    accepted: Option<DateTime<Utc>>,
    rejected: Option<DateTime<Utc>>,
    concluded: Option<DateTime<Utc>>,
    replied: Option<DateTime<Utc>>,
    published: Option<DateTime<Utc>>,
    outcome: Option<Outcome>,
    rejection: Option<RejectionReason>,
    extension_days: Option<u32>,
}

impl History {
    /// The steps from registration to `stage`, each allowed by the kind's workflow, in time
    /// order, with every timestamp the stage needs and none it does not.
    fn steps(&self, stage: Stage) -> Result<Vec<Step>, Vec<FieldError>> {
        let wanted: &[(Action, Stage)] = match stage {
            Stage::Registered => &[],
            Stage::Rejected => &[(Action::Reject, Stage::Rejected)],
            Stage::Accepted => &[(Action::Accept, Stage::Accepted)],
            Stage::Handling => &[
                (Action::Accept, Stage::Accepted),
                (Action::Handle, Stage::Handling),
            ],
            Stage::Concluded => &[
                (Action::Accept, Stage::Accepted),
                (Action::Handle, Stage::Handling),
                (Action::Conclude, Stage::Concluded),
            ],
            Stage::Replied => &[
                (Action::Accept, Stage::Accepted),
                (Action::Handle, Stage::Handling),
                (Action::Conclude, Stage::Concluded),
                (Action::Reply, Stage::Replied),
            ],
            Stage::Published => &[
                (Action::Accept, Stage::Accepted),
                (Action::Handle, Stage::Handling),
                (Action::Conclude, Stage::Concluded),
                (Action::Reply, Stage::Replied),
                (Action::Publish, Stage::Published),
            ],
            other => {
                return Err(vec![FieldError::new(
                    "stage",
                    format!(
                        "stage {} cannot be imported; import cases up to publication",
                        other.code()
                    ),
                )]);
            }
        };
        let mut errors = Vec::new();
        let mut require = |field: &str, value: bool, needed: bool| {
            if needed && !value {
                errors.push(FieldError::new(
                    field,
                    format!("required at stage {}", stage.code()),
                ));
            } else if !needed && value {
                errors.push(FieldError::new(
                    field,
                    format!("not expected at stage {}", stage.code()),
                ));
            }
        };
        let has = |a: Action| wanted.iter().any(|(x, _)| *x == a);
        require("accepted_at", self.accepted.is_some(), has(Action::Accept));
        require("rejected_at", self.rejected.is_some(), has(Action::Reject));
        require(
            "rejection_reason",
            self.rejection.is_some(),
            has(Action::Reject),
        );
        require(
            "concluded_at",
            self.concluded.is_some(),
            has(Action::Conclude),
        );
        require("outcome", self.outcome.is_some(), has(Action::Conclude));
        require("replied_at", self.replied.is_some(), has(Action::Reply));
        require(
            "published_at",
            self.published.is_some(),
            has(Action::Publish),
        );
        if self.extension_days.is_some_and(|d| d > 0) && !has(Action::Handle) {
            errors.push(FieldError::new(
                "extension_days",
                "only a handled case can be extended",
            ));
        }
        if let Some(outcome) = self.outcome
            && !Outcome::for_kind(self.kind).contains(&outcome)
        {
            errors.push(FieldError::new(
                "outcome",
                format!("{} does not end a {}", outcome.code(), self.kind.code()),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut steps = vec![Step {
            action: "register",
            from: None,
            to: Stage::Registered,
            at: self.received,
        }];
        let mut current = Stage::Registered;
        for (action, to) in wanted {
            let (at, field) = match action {
                Action::Reject => (self.rejected, "rejected_at"),
                Action::Accept | Action::Handle => (self.accepted, "accepted_at"),
                Action::Conclude => (self.concluded, "concluded_at"),
                Action::Reply => (self.replied, "replied_at"),
                _ => (self.published, "published_at"),
            };
            let Some(at) = at else { continue };
            if next_stage(self.kind, current, *action) != Some(*to) {
                return Err(vec![FieldError::new(
                    "stage",
                    format!(
                        "a {} cannot reach {} by {}",
                        self.kind.code(),
                        to.code(),
                        action.code()
                    ),
                )]);
            }
            if let Some(last) = steps.last()
                && at < last.at
            {
                return Err(vec![FieldError::new(
                    field,
                    format!("earlier than the step before it ({})", format_time(last.at)),
                )]);
            }
            steps.push(Step {
                action: action.code(),
                from: Some(current),
                to: *to,
                at,
            });
            current = *to;
        }
        Ok(steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CaseRecord {
        CaseRecord {
            external_id: "X-1".into(),
            kind: "report".into(),
            channel: "phone".into(),
            primary_type: "noise".into(),
            types: "noise;air".into(),
            sub_type: Some("construction".into()),
            industry: Some("47".into()),
            region: "440305".into(),
            address: "科技园".into(),
            description: "夜间施工".into(),
            received_at: "2025-03-01 08:00:00".into(),
            stage: "replied".into(),
            accepted_at: Some("2025-03-02T01:00:00Z".into()),
            rejected_at: None,
            rejection_reason: None,
            extension_days: None,
            concluded_at: Some("2025-03-10T01:00:00Z".into()),
            outcome: Some("substantiated".into()),
            replied_at: Some("2025-03-11T01:00:00Z".into()),
            published_at: None,
            anonymous: false,
            reporter_name: Some("王先生".into()),
            reporter_phone: Some("13900000000".into()),
        }
    }

    fn fields(errors: Vec<FieldError>) -> Vec<String> {
        errors.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_record_becomes_a_case_with_its_history() {
        let imported = record().to_imported().expect("valid");
        let actions: Vec<_> = imported.steps.iter().map(|s| s.action).collect();
        assert_eq!(
            actions,
            ["register", "accept", "handle", "conclude", "reply"]
        );
        assert_eq!(imported.case.stage, Stage::Replied);
        assert_eq!(imported.case.version, 4);
        // China time 08:00 is midnight UTC.
        assert_eq!(
            format_time(imported.case.received_at),
            "2025-03-01T00:00:00Z"
        );
        let back = CaseRecord::from_case(&imported.case, None, Some(&imported.reporter));
        assert_eq!(back.types, "noise;air");
        assert_eq!(back.received_at, "2025-03-01T00:00:00Z");
        assert_eq!(back.reporter_phone.as_deref(), Some("13900000000"));
        assert_eq!(
            CaseRecord::from_case(&imported.case, None, None).reporter_name,
            None
        );
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = CaseRecord {
            region: "449999".into(),
            received_at: "01/03/2025".into(),
            channel: "pigeon".into(),
            outcome: Some("maybe".into()),
            ..record()
        };
        let errors = fields(bad.to_imported().expect_err("invalid"));
        for field in ["region", "received_at", "channel", "outcome"] {
            assert!(errors.contains(&field.to_owned()), "{field} in {errors:?}");
        }
    }

    /// Found by fuzzing the import (`fuzz/fuzz_targets/import_jsonl.rs`): an extension of
    /// 100,000,000 days imported, and computing the case's deadline then panicked.
    #[test]
    fn an_extension_longer_than_the_rules_allow_is_refused_before_any_deadline_is_computed() {
        let handling = CaseRecord {
            stage: "handling".into(),
            concluded_at: None,
            outcome: None,
            replied_at: None,
            ..record()
        };
        let limits = crate::DeadlineTable::statutory()
            .limits_for(CaseKind::Report, "440305".parse().expect("a region"));
        for days in [limits.max_extension_days + 1, 100_000_000, u32::MAX] {
            let imported = CaseRecord {
                extension_days: Some(days),
                ..handling.clone()
            }
            .to_imported()
            .expect("well formed on its own");
            let error = imported.check_limits(&limits).expect_err("too long");
            assert_eq!(error.field, "extension_days");
        }
        let imported = CaseRecord {
            extension_days: Some(limits.max_extension_days),
            ..handling
        }
        .to_imported()
        .expect("an extension within the rules");
        imported.check_limits(&limits).expect("within the rules");
        let deadline = imported
            .case
            .current_deadline(&limits)
            .expect("handling runs");
        assert!(deadline.due_at > imported.case.received_at);
    }

    #[test]
    fn the_history_must_fit_the_stage_and_run_forward_in_time() {
        let missing = CaseRecord {
            replied_at: None,
            ..record()
        };
        assert_eq!(
            fields(missing.to_imported().expect_err("no reply time")),
            ["replied_at"]
        );
        let extra = CaseRecord {
            stage: "accepted".into(),
            ..record()
        };
        let errors = fields(extra.to_imported().expect_err("too much history"));
        assert!(errors.contains(&"concluded_at".to_owned()), "{errors:?}");
        let backwards = CaseRecord {
            concluded_at: Some("2025-02-01T00:00:00Z".into()),
            ..record()
        };
        assert_eq!(
            fields(backwards.to_imported().expect_err("backwards")),
            ["concluded_at"]
        );
        let petition_outcome = CaseRecord {
            kind: "petition".into(),
            ..record()
        };
        assert_eq!(
            fields(petition_outcome.to_imported().expect_err("wrong outcome")),
            ["outcome"]
        );
        let rejected = CaseRecord {
            stage: "rejected".into(),
            accepted_at: None,
            concluded_at: None,
            outcome: None,
            replied_at: None,
            rejected_at: Some("2025-03-02T00:00:00Z".into()),
            rejection_reason: Some("outside_remit".into()),
            ..record()
        };
        let imported = rejected.to_imported().expect("a rejection");
        assert_eq!(imported.case.rejection, Some(RejectionReason::OutsideRemit));
        let back = CaseRecord::from_case(&imported.case, None, None);
        assert_eq!(back.rejection_reason.as_deref(), Some("outside_remit"));
        assert_eq!(back.rejected_at.as_deref(), Some("2025-03-02T00:00:00Z"));
    }
}
