//! The answer document (政府信息公开申请答复书), written from the stored answer with the content
//! the regulation requires of its kind — the legal ground of a refusal, the right agency, where
//! public information is — and the remedies (art. 51), as HTML and Word through the bulletin's
//! writers; downloaded by staff (an audited read of the applicant, whom it is addressed to) and by
//! the applicant with the tracking number and secret; its sending recorded as an event.

use chrono::NaiveDate;
use greenline_domain::disclosure::{Answer, Request};
use greenline_report::{Document, Format, Section, render_document};
use greenline_store::NewEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::tracking_no;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// A document to download.
#[derive(Debug, Clone)]
pub struct AnswerFile {
    pub file_name: String,
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// How the answer went to the applicant.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SentInput {
    /// `post`, `email`, `in_person` or `online` (downloaded by the applicant).
    pub by: String,
    pub note: Option<String>,
}

const SENT_BY: [(&str, &str); 4] = [
    ("post", "邮寄"),
    ("email", "电子邮件"),
    ("in_person", "当面送达"),
    ("online", "网上查阅下载"),
];

fn zh_date(day: NaiveDate) -> String {
    day.format("%Y年%-m月%-d日").to_string()
}

const REGULATION: &str = "《中华人民共和国政府信息公开条例》";

/// The paragraph that answers, by kind.
fn answer_paragraph(answer: &Answer) -> String {
    match answer {
        Answer::Disclosed { delivery } => format!(
            "经审查，您申请获取的政府信息属于公开范围。根据{REGULATION}第三十六条第（二）项的规定，本机关予以公开，以{}形式向您提供。",
            delivery.zh()
        ),
        Answer::AlreadyPublic { where_published } => format!(
            "经审查，您申请获取的政府信息本机关已经主动公开。根据{REGULATION}第三十六条第（一）项的规定，您可以通过以下方式和途径获取：{where_published}。"
        ),
        Answer::Withheld { ground, reason } => format!(
            "经审查，您申请获取的政府信息{}。根据{REGULATION}{}和第三十六条第（三）项的规定，本机关决定不予公开。理由如下：{reason}。",
            ground.zh(),
            ground.article_zh()
        ),
        Answer::PartlyDisclosed {
            delivery,
            withheld,
            ground,
        } => format!(
            "经审查，您申请获取的政府信息中，{withheld}{}，根据{REGULATION}{}和第三十七条的规定不予公开；其余部分予以公开，以{}形式向您提供。",
            ground.zh(),
            ground.article_zh(),
            delivery.zh()
        ),
        Answer::NotExist => format!(
            "经检索，本机关未制作或者获取您申请公开的政府信息。根据{REGULATION}第三十六条第（四）项的规定，告知您该政府信息不存在。"
        ),
        Answer::NotHeld {
            right_agency: Some(agency),
            right_agency_contact,
        } => format!(
            "经审查，您申请公开的政府信息不属于本机关负责公开。根据{REGULATION}第三十六条第（五）项的规定，告知您负责公开该政府信息的行政机关为{agency}{}。",
            right_agency_contact
                .as_deref()
                .map(|c| format!("（联系方式：{c}）"))
                .unwrap_or_default()
        ),
        Answer::NotHeld {
            right_agency: None, ..
        } => format!(
            "经审查，您申请公开的政府信息不属于本机关负责公开，本机关无法确定负责公开该政府信息的行政机关。根据{REGULATION}第三十六条第（五）项的规定，特此告知。"
        ),
        Answer::Repeated { earlier_request } => format!(
            "您的申请与您此前提出的第{earlier_request}号申请内容相同，本机关已就该申请作出答复。根据{REGULATION}第三十六条第（六）项的规定，不再重复处理。"
        ),
        Answer::Redirected { to, note } => format!(
            "您的申请系{}事项，不属于政府信息公开申请。根据{REGULATION}第三十六条第（七）项和第三十九条的规定，不作为政府信息公开申请处理。{note}",
            to.zh()
        ),
    }
}

/// The document of an answered request, addressed to `applicant_name`, from `unit_name`.
pub fn answer_document(
    request: &Request,
    applicant_name: &str,
    unit_name: &str,
) -> ServiceResult<Document> {
    let (Some(answer), Some(answered_on)) = (&request.answer, request.answered_on) else {
        return Err(ServiceError::conflict(
            "the request is not answered yet: there is no answer document",
        ));
    };
    let mut paragraphs = vec![
        format!("{applicant_name}："),
        format!(
            "本机关于{}收到您提出的政府信息公开申请（受理编号{}），申请获取“{}”。",
            zh_date(request.received_on),
            tracking_no(request),
            request.description
        ),
    ];
    if let Some(c) = &request.correction {
        paragraphs.push(match c.received_on {
            Some(received) => format!(
                "本机关于{}告知您补正申请，于{}收到补正后的申请，答复期限自收到补正申请之日起计算。",
                zh_date(c.asked_on),
                zh_date(received)
            ),
            None => format!("本机关于{}告知您补正申请。", zh_date(c.asked_on)),
        });
    }
    if !request.consultations.is_empty() {
        paragraphs.push(
            "因您申请的政府信息涉及第三方合法权益，本机关依法书面征求了第三方意见，征求意见所需时间不计算在答复期限内。"
                .to_owned(),
        );
    }
    if let Some(e) = &request.extension {
        paragraphs.push(format!(
            "经本机关政府信息公开工作机构负责人同意，答复期限延长{}个工作日，并已告知您。",
            e.working_days
        ));
    }
    paragraphs.push(answer_paragraph(answer));
    paragraphs.push(
        "如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者自收到本答复之日起六个月内依法向人民法院提起行政诉讼。"
            .to_owned(),
    );
    paragraphs.push(format!("{unit_name}　{}", zh_date(answered_on)));
    Ok(Document {
        title: "政府信息公开申请答复书".to_owned(),
        meta: format!("{unit_name}　受理编号{}", tracking_no(request)),
        sections: vec![Section {
            heading: String::new(),
            paragraphs,
            tables: Vec::new(),
            charts: Vec::new(),
        }],
    })
}

/// `html` or `docx`.
pub fn document_format(code: &str) -> ServiceResult<Format> {
    match Format::parse(code) {
        Some(f @ (Format::Html | Format::Docx)) => Ok(f),
        _ => Err(ServiceError::parameter("format", "html or docx")),
    }
}

pub(crate) fn answer_file(
    request: &Request,
    applicant_name: &str,
    unit_name: &str,
    format: Format,
) -> ServiceResult<AnswerFile> {
    let document = answer_document(request, applicant_name, unit_name)?;
    let bytes = render_document(&document, format).map_err(ServiceError::internal)?;
    Ok(AnswerFile {
        file_name: format!("答复书-{}.{}", tracking_no(request), format.extension()),
        media_type: format.media_type(),
        bytes,
    })
}

impl App {
    /// The answer document of request `id` for staff: addressed to the applicant, whose name is
    /// read (and the read recorded) for it.
    pub async fn answer_document(
        &self,
        caller: &Caller,
        id: i64,
        format: Format,
    ) -> ServiceResult<AnswerFile> {
        let (stored, holder) = self.visible_request(caller, id).await?;
        if !caller.scope().can_read_reporter(holder.region) {
            // The document names the applicant: refused (and the refusal recorded) as a read
            // of the applicant is.
            self.applicant(caller, id).await?;
        }
        if stored.request.answer.is_none() {
            return Err(ServiceError::conflict(
                "the request is not answered yet: there is no answer document",
            ));
        }
        let applicant = self.applicant(caller, id).await?;
        answer_file(&stored.request, &applicant.name, &holder.name, format)
    }

    /// Records that the answer went to the applicant (`send_answer`).
    pub async fn record_answer_sent(
        &self,
        caller: &Caller,
        id: i64,
        input: SentInput,
    ) -> ServiceResult<super::DisclosureView> {
        let (stored, holder) = self.visible_request(caller, id).await?;
        if !super::steps::may_take(
            caller,
            &holder,
            greenline_domain::disclosure::DisclosureAction::Answer,
        ) {
            return Err(ServiceError::Forbidden(
                "recording an answer's sending is for the handlers of the holding unit".to_owned(),
            ));
        }
        if stored.request.answer.is_none() {
            return Err(ServiceError::conflict(
                "the request is not answered yet: nothing to send",
            ));
        }
        let Some((by, by_zh)) = SENT_BY.iter().find(|(code, _)| *code == input.by.trim()) else {
            return Err(ServiceError::field(
                "by",
                "post, email, in_person or online",
            ));
        };
        let actor = caller.actor();
        self.store
            .note_disclosure_event(
                id,
                "send_answer",
                NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: input
                        .note
                        .map(|n| n.trim().to_owned())
                        .filter(|n| !n.is_empty()),
                    data: serde_json::json!({ "by": by, "by_zh": by_zh }),
                },
            )
            .await?;
        Ok(self.disclosure_view(caller, stored.request, &holder))
    }
}
