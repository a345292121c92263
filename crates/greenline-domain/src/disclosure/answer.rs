//! The answer to a request (答复), one of the kinds art. 36 lists, each with the content the
//! regulation requires of it: [`AnswerForm`] is what staff submit, [`Answer`] what is kept,
//! and [`Answer::parse`] refuses an answer whose required part is missing by naming the field.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::DeliveryForm;
use crate::text::check_text;
use crate::{DomainError, FieldError, MAX_TEXT_CHARS};

/// The legal ground for withholding information, from the fixed list of arts. 14–16 of the
/// regulation, in the order of the annual report's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WithholdingGround {
    /// 属于国家秘密 (art. 14)
    StateSecret,
    /// 其他法律行政法规禁止公开 (art. 14)
    ProhibitedByLaw,
    /// 危及"三安全一稳定" — national, public or economic security or social stability (art. 14)
    Security,
    /// 保护第三方合法权益 — trade secrets or personal privacy of a third party who did not
    /// consent (art. 15)
    ThirdPartyRights,
    /// 属于三类内部事务信息 — personnel, logistics, internal procedures (art. 16)
    InternalAffairs,
    /// 属于四类过程性信息 — discussion records, drafts, consultation letters, requests for
    /// instructions (art. 16)
    ProcessInformation,
    /// 属于行政执法案卷 (art. 16)
    EnforcementFile,
}

impl WithholdingGround {
    pub const ALL: [WithholdingGround; 7] = [
        WithholdingGround::StateSecret,
        WithholdingGround::ProhibitedByLaw,
        WithholdingGround::Security,
        WithholdingGround::ThirdPartyRights,
        WithholdingGround::InternalAffairs,
        WithholdingGround::ProcessInformation,
        WithholdingGround::EnforcementFile,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WithholdingGround::StateSecret => "state_secret",
            WithholdingGround::ProhibitedByLaw => "prohibited_by_law",
            WithholdingGround::Security => "security",
            WithholdingGround::ThirdPartyRights => "third_party_rights",
            WithholdingGround::InternalAffairs => "internal_affairs",
            WithholdingGround::ProcessInformation => "process_information",
            WithholdingGround::EnforcementFile => "enforcement_file",
        }
    }

    pub fn parse(code: &str) -> Option<WithholdingGround> {
        Self::ALL.into_iter().find(|g| g.code() == code)
    }

    /// The row's wording in the annual report.
    pub fn zh(self) -> &'static str {
        match self {
            WithholdingGround::StateSecret => "属于国家秘密",
            WithholdingGround::ProhibitedByLaw => "其他法律行政法规禁止公开",
            WithholdingGround::Security => "危及“三安全一稳定”",
            WithholdingGround::ThirdPartyRights => "保护第三方合法权益",
            WithholdingGround::InternalAffairs => "属于三类内部事务信息",
            WithholdingGround::ProcessInformation => "属于四类过程性信息",
            WithholdingGround::EnforcementFile => "属于行政执法案卷",
        }
    }

    /// The article of the regulation the answer cites.
    pub fn article_zh(self) -> &'static str {
        match self {
            WithholdingGround::StateSecret
            | WithholdingGround::ProhibitedByLaw
            | WithholdingGround::Security => "第十四条",
            WithholdingGround::ThirdPartyRights => "第十五条",
            WithholdingGround::InternalAffairs
            | WithholdingGround::ProcessInformation
            | WithholdingGround::EnforcementFile => "第十六条",
        }
    }
}

/// Where a request that is not one for government information belongs (art. 36 (7), art. 39).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Redirect {
    /// 投诉举报 — a complaint; the platform can turn the request into a report case.
    Complaint,
    /// 信访
    Petition,
    /// 咨询
    Consultation,
    /// 其他 — something else that is not a request for government information.
    Other,
}

impl Redirect {
    pub const ALL: [Redirect; 4] = [
        Redirect::Complaint,
        Redirect::Petition,
        Redirect::Consultation,
        Redirect::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Redirect::Complaint => "complaint",
            Redirect::Petition => "petition",
            Redirect::Consultation => "consultation",
            Redirect::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Redirect> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Redirect::Complaint => "投诉举报",
            Redirect::Petition => "信访",
            Redirect::Consultation => "咨询",
            Redirect::Other => "其他事项",
        }
    }
}

/// The answer, typed by its kind, with what the regulation requires it to say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    /// 予以公开 (art. 36 (2)): the information is provided, in this form.
    Disclosed { delivery: DeliveryForm },
    /// 已主动公开 (art. 36 (1)): already public; where and how to get it.
    AlreadyPublic { where_published: String },
    /// 不予公开 (art. 36 (3)): refused, with the legal ground and the reason.
    Withheld {
        ground: WithholdingGround,
        reason: String,
    },
    /// 部分公开 (art. 37): what can be separated is provided; what was withheld and on which
    /// ground.
    PartlyDisclosed {
        delivery: DeliveryForm,
        withheld: String,
        ground: WithholdingGround,
    },
    /// 信息不存在 (art. 36 (4)).
    NotExist,
    /// 非本机关 (art. 36 (5)): not held by this agency; the right one named where it is known.
    NotHeld {
        right_agency: Option<String>,
        right_agency_contact: Option<String>,
    },
    /// 重复申请 (art. 36 (6)): the same request again; it refers to the earlier one.
    Repeated { earlier_request: i64 },
    /// 不属于政府信息公开申请 (art. 36 (7), art. 39): where the matter belongs instead.
    Redirected { to: Redirect, note: String },
}

/// The kind of an answer, without its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerKind {
    Disclosed,
    AlreadyPublic,
    Withheld,
    PartlyDisclosed,
    NotExist,
    NotHeld,
    Repeated,
    Redirected,
}

impl AnswerKind {
    pub const ALL: [AnswerKind; 8] = [
        AnswerKind::Disclosed,
        AnswerKind::AlreadyPublic,
        AnswerKind::Withheld,
        AnswerKind::PartlyDisclosed,
        AnswerKind::NotExist,
        AnswerKind::NotHeld,
        AnswerKind::Repeated,
        AnswerKind::Redirected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AnswerKind::Disclosed => "disclosed",
            AnswerKind::AlreadyPublic => "already_public",
            AnswerKind::Withheld => "withheld",
            AnswerKind::PartlyDisclosed => "partly_disclosed",
            AnswerKind::NotExist => "not_exist",
            AnswerKind::NotHeld => "not_held",
            AnswerKind::Repeated => "repeated",
            AnswerKind::Redirected => "redirected",
        }
    }

    pub fn parse(code: &str) -> Option<AnswerKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            AnswerKind::Disclosed => "予以公开",
            AnswerKind::AlreadyPublic => "已主动公开",
            AnswerKind::Withheld => "不予公开",
            AnswerKind::PartlyDisclosed => "部分公开",
            AnswerKind::NotExist => "信息不存在",
            AnswerKind::NotHeld => "非本机关负责公开",
            AnswerKind::Repeated => "重复申请",
            AnswerKind::Redirected => "不属于政府信息公开申请",
        }
    }
}

/// An answer as submitted: the kind and the loose fields, checked by [`Answer::parse`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerForm {
    /// One of `disclosed`, `already_public`, `withheld`, `partly_disclosed`, `not_exist`,
    /// `not_held`, `repeated`, `redirected`.
    pub kind: String,
    /// `disclosed`, `partly_disclosed`: `paper`, `email`, `disc` or `inspection`.
    pub delivery: Option<String>,
    /// `already_public`: where and how to get it.
    pub where_published: Option<String>,
    /// `withheld`, `partly_disclosed`: one of the grounds of arts. 14–16.
    pub ground: Option<String>,
    /// `withheld`: why the ground applies.
    pub reason: Option<String>,
    /// `partly_disclosed`: what was withheld.
    pub withheld: Option<String>,
    /// `not_held`: whether the agency responsible is known; when it is, `right_agency` names it.
    #[serde(default)]
    pub right_agency_known: bool,
    pub right_agency: Option<String>,
    pub right_agency_contact: Option<String>,
    /// `repeated`: the number of the earlier request.
    pub earlier_request: Option<i64>,
    /// `redirected`: `complaint`, `petition`, `consultation` or `other`.
    pub redirect_to: Option<String>,
    /// `redirected`: where to turn and how.
    pub note: Option<String>,
}

fn text(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<String> {
    match value.map(str::trim).filter(|t| !t.is_empty()) {
        None => {
            errors.push(FieldError::new(field, "required for this kind of answer"));
            None
        }
        Some(t) => match check_text(field, t, MAX_TEXT_CHARS) {
            Ok(()) => Some(t.to_owned()),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    }
}

fn coded<T>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
    expected: &str,
) -> Option<T> {
    match value.map(str::trim).filter(|t| !t.is_empty()) {
        None => {
            errors.push(FieldError::new(field, "required for this kind of answer"));
            None
        }
        Some(code) => parse(code).or_else(|| {
            errors.push(FieldError::new(field, format!("expected {expected}")));
            None
        }),
    }
}

fn grounds() -> String {
    WithholdingGround::ALL
        .iter()
        .map(|g| g.code())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Answer {
    pub fn kind(&self) -> AnswerKind {
        match self {
            Answer::Disclosed { .. } => AnswerKind::Disclosed,
            Answer::AlreadyPublic { .. } => AnswerKind::AlreadyPublic,
            Answer::Withheld { .. } => AnswerKind::Withheld,
            Answer::PartlyDisclosed { .. } => AnswerKind::PartlyDisclosed,
            Answer::NotExist => AnswerKind::NotExist,
            Answer::NotHeld { .. } => AnswerKind::NotHeld,
            Answer::Repeated { .. } => AnswerKind::Repeated,
            Answer::Redirected { .. } => AnswerKind::Redirected,
        }
    }

    /// Checks that the answer carries what its kind requires; every missing or wrong part is
    /// named by its field.
    pub fn parse(form: &AnswerForm) -> Result<Answer, DomainError> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let delivery = |e: &mut Vec<FieldError>| {
            coded(
                e,
                "delivery",
                form.delivery.as_deref(),
                DeliveryForm::parse,
                "paper, email, disc or inspection",
            )
        };
        let ground = |e: &mut Vec<FieldError>| {
            coded(
                e,
                "ground",
                form.ground.as_deref(),
                WithholdingGround::parse,
                &grounds(),
            )
        };
        let answer = match AnswerKind::parse(form.kind.trim()) {
            None => {
                e.push(FieldError::new(
                    "kind",
                    format!(
                        "expected one of {}",
                        AnswerKind::ALL
                            .iter()
                            .map(|k| k.code())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                None
            }
            Some(AnswerKind::Disclosed) => {
                delivery(e).map(|delivery| Answer::Disclosed { delivery })
            }
            Some(AnswerKind::AlreadyPublic) => {
                text(e, "where_published", form.where_published.as_deref())
                    .map(|where_published| Answer::AlreadyPublic { where_published })
            }
            Some(AnswerKind::Withheld) => {
                let ground = ground(e);
                let reason = text(e, "reason", form.reason.as_deref());
                ground
                    .zip(reason)
                    .map(|(ground, reason)| Answer::Withheld { ground, reason })
            }
            Some(AnswerKind::PartlyDisclosed) => {
                let delivery = delivery(e);
                let withheld = text(e, "withheld", form.withheld.as_deref());
                let ground = ground(e);
                match (delivery, withheld, ground) {
                    (Some(delivery), Some(withheld), Some(ground)) => {
                        Some(Answer::PartlyDisclosed {
                            delivery,
                            withheld,
                            ground,
                        })
                    }
                    _ => None,
                }
            }
            Some(AnswerKind::NotExist) => Some(Answer::NotExist),
            Some(AnswerKind::NotHeld) => {
                if form.right_agency_known {
                    let agency = text(e, "right_agency", form.right_agency.as_deref());
                    let contact = form
                        .right_agency_contact
                        .as_deref()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned);
                    agency.map(|agency| Answer::NotHeld {
                        right_agency: Some(agency),
                        right_agency_contact: contact,
                    })
                } else {
                    Some(Answer::NotHeld {
                        right_agency: None,
                        right_agency_contact: None,
                    })
                }
            }
            Some(AnswerKind::Repeated) => match form.earlier_request {
                Some(id) if id > 0 => Some(Answer::Repeated {
                    earlier_request: id,
                }),
                Some(_) => {
                    e.push(FieldError::new("earlier_request", "not a request number"));
                    None
                }
                None => {
                    e.push(FieldError::new(
                        "earlier_request",
                        "required for this kind of answer",
                    ));
                    None
                }
            },
            Some(AnswerKind::Redirected) => {
                let to = coded(
                    e,
                    "redirect_to",
                    form.redirect_to.as_deref(),
                    Redirect::parse,
                    "complaint, petition, consultation or other",
                );
                let note = text(e, "note", form.note.as_deref());
                to.zip(note)
                    .map(|(to, note)| Answer::Redirected { to, note })
            }
        };
        match answer {
            Some(answer) if errors.is_empty() => Ok(answer),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn missing(form: AnswerForm) -> Vec<String> {
        match Answer::parse(&form) {
            Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected the missing fields, got {other:?}"),
        }
    }

    fn kind(kind: &str) -> AnswerForm {
        AnswerForm {
            kind: kind.into(),
            ..AnswerForm::default()
        }
    }

    #[test]
    fn every_answer_kind_is_refused_without_its_required_content() {
        assert_eq!(missing(kind("disclosed")), ["delivery"]);
        assert_eq!(missing(kind("already_public")), ["where_published"]);
        assert_eq!(missing(kind("withheld")), ["ground", "reason"]);
        assert_eq!(
            missing(kind("partly_disclosed")),
            ["delivery", "withheld", "ground"]
        );
        let not_held = AnswerForm {
            right_agency_known: true,
            ..kind("not_held")
        };
        assert_eq!(missing(not_held), ["right_agency"]);
        assert_eq!(missing(kind("repeated")), ["earlier_request"]);
        assert_eq!(missing(kind("redirected")), ["redirect_to", "note"]);
        assert_eq!(missing(kind("maybe")), ["kind"]);
    }

    #[test]
    fn a_ground_outside_the_list_is_refused_by_name() {
        let form = AnswerForm {
            ground: Some("inconvenient".into()),
            reason: Some("理由".into()),
            ..kind("withheld")
        };
        assert_eq!(missing(form), ["ground"]);
    }

    #[test]
    fn complete_answers_are_taken() {
        let partly = Answer::parse(&AnswerForm {
            delivery: Some("paper".into()),
            withheld: Some("第三方企业的工艺参数".into()),
            ground: Some("third_party_rights".into()),
            ..kind("partly_disclosed")
        })
        .expect("complete");
        assert_eq!(partly.kind(), AnswerKind::PartlyDisclosed);
        assert_eq!(Answer::parse(&kind("not_exist")), Ok(Answer::NotExist));
        assert_eq!(
            Answer::parse(&kind("not_held")),
            Ok(Answer::NotHeld {
                right_agency: None,
                right_agency_contact: None
            })
        );
    }
}
