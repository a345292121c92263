//! The application (政府信息公开申请, art. 29): who applies, how to reach them, what they ask
//! for and in which form they want it. The applicant's identity is kept like a reporter's:
//! apart from the request, never in public output, every read audited.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::case::is_email;
use crate::text::check_text;
use crate::{Channel, DomainError, FieldError, MAX_DESCRIPTION_CHARS};

/// The longest name, number or contact line kept.
const MAX_FIELD_CHARS: usize = 200;

/// Who applies, in the rows of the annual report (年度报告): natural persons, or one of the
/// five kinds of legal person and other organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantKind {
    /// 自然人
    NaturalPerson,
    /// 商业企业
    CommercialEnterprise,
    /// 科研机构
    ResearchBody,
    /// 社会公益组织
    SocialOrganisation,
    /// 法律服务机构
    LawFirm,
    /// 其他 (legal persons and other organisations not listed)
    OtherOrganisation,
}

impl ApplicantKind {
    pub const ALL: [ApplicantKind; 6] = [
        ApplicantKind::NaturalPerson,
        ApplicantKind::CommercialEnterprise,
        ApplicantKind::ResearchBody,
        ApplicantKind::SocialOrganisation,
        ApplicantKind::LawFirm,
        ApplicantKind::OtherOrganisation,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "natural_person",
            ApplicantKind::CommercialEnterprise => "commercial_enterprise",
            ApplicantKind::ResearchBody => "research_body",
            ApplicantKind::SocialOrganisation => "social_organisation",
            ApplicantKind::LawFirm => "law_firm",
            ApplicantKind::OtherOrganisation => "other_organisation",
        }
    }

    pub fn parse(code: &str) -> Option<ApplicantKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            ApplicantKind::NaturalPerson => "自然人",
            ApplicantKind::CommercialEnterprise => "商业企业",
            ApplicantKind::ResearchBody => "科研机构",
            ApplicantKind::SocialOrganisation => "社会公益组织",
            ApplicantKind::LawFirm => "法律服务机构",
            ApplicantKind::OtherOrganisation => "其他",
        }
    }

    pub fn is_person(self) -> bool {
        self == ApplicantKind::NaturalPerson
    }
}

/// The form in which the applicant wants the information (art. 29, art. 40).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryForm {
    /// 纸质文本
    Paper,
    /// 电子邮件
    Email,
    /// 光盘或其他电子介质
    Disc,
    /// 当场查阅、抄录
    Inspection,
}

impl DeliveryForm {
    pub const ALL: [DeliveryForm; 4] = [
        DeliveryForm::Paper,
        DeliveryForm::Email,
        DeliveryForm::Disc,
        DeliveryForm::Inspection,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DeliveryForm::Paper => "paper",
            DeliveryForm::Email => "email",
            DeliveryForm::Disc => "disc",
            DeliveryForm::Inspection => "inspection",
        }
    }

    pub fn parse(code: &str) -> Option<DeliveryForm> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            DeliveryForm::Paper => "纸质文本",
            DeliveryForm::Email => "电子邮件",
            DeliveryForm::Disc => "光盘等电子介质",
            DeliveryForm::Inspection => "当场查阅、抄录",
        }
    }
}

/// The channels an application comes by: the portal form, or on paper, by e-mail or fax, or in
/// person (an oral application is written down by staff, art. 29) keyed in at the desk.
pub const APPLICATION_CHANNELS: [Channel; 5] = [
    Channel::Web,
    Channel::Letter,
    Channel::Visit,
    Channel::Email,
    Channel::Fax,
];

/// The applicant (申请人): required, kept apart from the request like a reporter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Applicant {
    pub kind: ApplicantKind,
    /// 姓名 or 名称.
    pub name: String,
    /// 身份证件号码 for a person, 统一社会信用代码 (or another registration number) for an
    /// organisation.
    pub id_number: String,
    /// 联系人, for an organisation.
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// A postal address for the written answer.
    pub address: Option<String>,
}

/// An application as submitted: loose text fields, checked all at once by
/// [`NewApplication::parse`].
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationForm {
    /// `web` (the portal), `letter`, `visit`, `email` or `fax`.
    pub channel: String,
    /// One of `natural_person`, `commercial_enterprise`, `research_body`,
    /// `social_organisation`, `law_firm`, `other_organisation`.
    pub applicant_kind: String,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// The information asked for: its title, reference number or whatever identifies it.
    pub description: String,
    /// `paper`, `email`, `disc` or `inspection`.
    pub delivery: String,
}

/// An application with every field checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewApplication {
    pub channel: Channel,
    pub applicant: Applicant,
    pub description: String,
    pub delivery: DeliveryForm,
}

fn clean(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn is_phone(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && text
            .chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (i == 0 && c == '+'))
}

impl NewApplication {
    /// Checks every field and reports every problem at once, each naming its field.
    pub fn parse(form: &ApplicationForm) -> Result<NewApplication, DomainError> {
        let mut errors = Vec::new();
        let channel = Channel::parse(form.channel.trim())
            .filter(|c| APPLICATION_CHANNELS.contains(c))
            .or_else(|| {
                errors.push(FieldError::new(
                    "channel",
                    "expected web, letter, visit, email or fax",
                ));
                None
            });
        let kind = ApplicantKind::parse(form.applicant_kind.trim()).or_else(|| {
            errors.push(FieldError::new(
                "applicant_kind",
                "expected natural_person, commercial_enterprise, research_body, \
                 social_organisation, law_firm or other_organisation",
            ));
            None
        });
        let mut required = |field: &str, value: &str, max: usize| {
            let value = value.trim();
            if value.is_empty() {
                errors.push(FieldError::new(field, "required"));
            } else if let Err(e) = check_text(field, value, max) {
                errors.push(e);
            }
            value.to_owned()
        };
        let name = required("applicant_name", &form.applicant_name, MAX_FIELD_CHARS);
        let id_number = required(
            "applicant_id_number",
            &form.applicant_id_number,
            MAX_FIELD_CHARS,
        );
        let description = required("description", &form.description, MAX_DESCRIPTION_CHARS);
        let contact_person = clean(form.contact_person.as_deref());
        let phone = clean(form.phone.as_deref());
        let email = clean(form.email.as_deref());
        let address = clean(form.address.as_deref());
        for (field, value) in [("contact_person", &contact_person), ("address", &address)] {
            if let Some(value) = value
                && let Err(e) = check_text(field, value, MAX_FIELD_CHARS)
            {
                errors.push(e);
            }
        }
        if phone.as_deref().is_some_and(|p| !is_phone(p)) {
            errors.push(FieldError::new("phone", "not a phone number"));
        }
        if email.as_deref().is_some_and(|e| !is_email(e)) {
            errors.push(FieldError::new("email", "not an e-mail address"));
        }
        if phone.is_none() && email.is_none() && address.is_none() {
            errors.push(FieldError::new(
                "phone",
                "a contact is required: a phone number, an e-mail address or a postal address",
            ));
        }
        let delivery = DeliveryForm::parse(form.delivery.trim()).or_else(|| {
            errors.push(FieldError::new(
                "delivery",
                "expected paper, email, disc or inspection",
            ));
            None
        });
        if delivery == Some(DeliveryForm::Email) && email.is_none() {
            errors.push(FieldError::new(
                "email",
                "required when the information is to be sent by e-mail",
            ));
        }
        match (channel, kind, delivery) {
            (Some(channel), Some(kind), Some(delivery)) if errors.is_empty() => {
                Ok(NewApplication {
                    channel,
                    applicant: Applicant {
                        kind,
                        name,
                        id_number,
                        contact_person,
                        phone,
                        email,
                        address,
                    },
                    description,
                    delivery,
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn form() -> ApplicationForm {
        ApplicationForm {
            channel: "web".into(),
            applicant_kind: "natural_person".into(),
            applicant_name: "王小明".into(),
            applicant_id_number: "110101199003071234".into(),
            phone: Some("13800138000".into()),
            description: "2025年某化工厂排污许可证及其执行报告".into(),
            delivery: "paper".into(),
            ..ApplicationForm::default()
        }
    }

    fn fields(result: Result<NewApplication, DomainError>) -> Vec<String> {
        match result {
            Err(DomainError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_application_is_taken() {
        let new = NewApplication::parse(&form()).expect("valid");
        assert_eq!(new.channel, Channel::Web);
        assert_eq!(new.applicant.kind, ApplicantKind::NaturalPerson);
        assert_eq!(new.delivery, DeliveryForm::Paper);
    }

    #[test]
    fn the_applicants_identity_and_a_contact_are_required() {
        let mut f = form();
        f.applicant_name = " ".into();
        f.applicant_id_number = String::new();
        f.phone = None;
        assert_eq!(
            fields(NewApplication::parse(&f)),
            ["applicant_name", "applicant_id_number", "phone"]
        );
    }

    #[test]
    fn a_phone_call_is_not_a_channel_for_an_application_and_email_delivery_needs_an_address() {
        let mut f = form();
        f.channel = "phone".into();
        f.delivery = "email".into();
        assert_eq!(fields(NewApplication::parse(&f)), ["channel", "email"]);
    }
}
