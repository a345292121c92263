//! Turning a request that is really a complaint into a report case (转为投诉举报办理), in one
//! step: the report is registered through intake with the applicant as its reporter, the
//! request is answered with the redirect (art. 36 (7), art. 39) naming the new case, and
//! each records the other.
//!
//! The case is written first (intake has its own writer); the request's answer then refers to
//! it. Were the second write refused (the request changed meanwhile), the case stays
//! registered, its event naming the request, and the step can be taken again by answering.

use greenline_domain::disclosure::{AnswerForm, DisclosureAction, DisclosureStep};
use greenline_domain::{IntakeForm, TrackingNo};
use greenline_store::NewEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{DisclosureView, calendar};
use crate::cases::intake::Submitter;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// Where the complaint is: what intake needs beyond the request's text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintInput {
    /// The request's `version` as read.
    pub version: Option<i64>,
    /// The six-digit region of the place complained about.
    pub region: String,
    #[serde(default)]
    pub address: String,
    /// Pollution type code; left out, the classifier's suggestion from the text is taken.
    #[serde(default)]
    pub primary_type: String,
}

/// The request answered and the case it became.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TurnedIntoComplaint {
    pub request: DisclosureView,
    pub case_id: i64,
    /// The new case's tracking number (GL…).
    pub case_tracking_no: String,
}

impl App {
    /// Turns request `id` into a report case and closes it with the redirect answer.
    pub async fn turn_into_complaint(
        &self,
        caller: &Caller,
        id: i64,
        input: ComplaintInput,
    ) -> ServiceResult<TurnedIntoComplaint> {
        let (stored, holder) = self.visible_request(caller, id).await?;
        if !super::steps::may_take(caller, &holder, DisclosureAction::Answer) {
            return Err(ServiceError::Forbidden(
                "answering a disclosure request is not for your role or unit".to_owned(),
            ));
        }
        let request = stored.request;
        if input.version.is_some_and(|v| v != request.version) {
            return Err(ServiceError::conflict(
                "the request changed meanwhile; reload it and try again",
            ));
        }
        let answer = |note: &str| DisclosureStep::Answer {
            answer: Box::new(AnswerForm {
                kind: "redirected".into(),
                redirect_to: Some("complaint".into()),
                note: Some(note.to_owned()),
                ..AnswerForm::default()
            }),
        };
        // The stage is checked before anything is written.
        request.apply(&answer("转为投诉举报办理"), self.today(), calendar())?;
        let applicant = self.applicant(caller, id).await?;
        let form = IntakeForm {
            kind: Some("report".into()),
            channel: request.channel.code().to_owned(),
            primary_type: input.primary_type,
            region: input.region,
            address: input.address,
            description: request.description.clone(),
            reporter_name: Some(applicant.name),
            reporter_phone: applicant.phone,
            reporter_address: applicant.address,
            reporter_email: applicant.email,
            ..IntakeForm::default()
        };
        let registered = self.register(Submitter::Staff(caller), form, None).await?;
        let case = registered.case;
        let case_no = TrackingNo {
            received_on: greenline_domain::deadline::local_date(case.received_at),
            case_id: case.id,
        }
        .to_string();
        let actor = caller.actor();
        self.store
            .note_event(
                case.id,
                "from_disclosure",
                NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: None,
                    data: serde_json::json!({ "disclosure_request": id }),
                },
            )
            .await?;
        let note = format!(
            "您的申请系投诉举报事项，不作为政府信息公开申请处理，已转为举报件办理，受理编号{case_no}"
        );
        let mut next = request.apply(&answer(&note), self.today(), calendar())?;
        next.complaint_case = Some(case.id);
        let saved = self
            .save_disclosure_step(
                caller,
                &request,
                &next,
                "turn_into_complaint",
                serde_json::json!({ "complaint_case": case.id }),
            )
            .await?;
        Ok(TurnedIntoComplaint {
            request: self.disclosure_view(caller, saved, &holder),
            case_id: case.id,
            case_tracking_no: case_no,
        })
    }
}
