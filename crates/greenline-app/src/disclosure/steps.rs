//! Steps on a request: ask for a correction and receive it, consult a third party and record
//! what it said, extend once, answer. Each is an event written with the change.

use greenline_domain::Action;
use greenline_domain::disclosure::{AnswerKind, DisclosureAction, DisclosureStep, Request};
use greenline_store::{DisclosureChange, NewEvent, Unit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{DisclosureView, calendar};
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// A step with the version of the request it was decided on (a change made meanwhile refuses
/// it).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct StepInput {
    /// The request's `version` as read; left out, the step applies to whatever is current.
    pub version: Option<i64>,
    #[serde(flatten)]
    pub step: DisclosureStep,
}

/// Whether `caller` may take `action` on a request held by `holder`: handlers and supervisors
/// of the holder's chain; an extension, which needs the head's consent, is a supervisor's to
/// record.
pub(crate) fn may_take(caller: &Caller, holder: &Unit, action: DisclosureAction) -> bool {
    let as_case_action = match action {
        DisclosureAction::Extend => Action::Extend,
        _ => Action::Conclude,
    };
    caller.scope().can_act_on(holder.region, as_case_action)
}

impl App {
    /// Takes a step on request `id`.
    pub async fn disclosure_step(
        &self,
        caller: &Caller,
        id: i64,
        input: StepInput,
    ) -> ServiceResult<DisclosureView> {
        let (stored, holder) = self.visible_request(caller, id).await?;
        let action = input.step.action();
        if !may_take(caller, &holder, action) {
            return Err(ServiceError::Forbidden(format!(
                "{} on a disclosure request is not for your role or unit",
                action.code()
            )));
        }
        let request = stored.request;
        if input.version.is_some_and(|v| v != request.version) {
            return Err(ServiceError::conflict(
                "the request changed meanwhile; reload it and try again",
            ));
        }
        let next = request.apply(&input.step, self.today(), calendar())?;
        if let Some(answer) = &next.answer
            && answer.kind() == AnswerKind::Repeated
            && request.answer.is_none()
        {
            self.check_earlier_request(&next, answer).await?;
        }
        let saved = self
            .save_disclosure_step(
                caller,
                &request,
                &next,
                action.code(),
                step_data(&input.step),
            )
            .await?;
        Ok(self.disclosure_view(caller, saved, &holder))
    }

    /// A repeated request refers to an earlier one of the same agency.
    async fn check_earlier_request(
        &self,
        request: &Request,
        answer: &greenline_domain::disclosure::Answer,
    ) -> ServiceResult<()> {
        let greenline_domain::disclosure::Answer::Repeated { earlier_request } = answer else {
            return Ok(());
        };
        let earlier = match self.store.disclosure(*earlier_request).await {
            Ok(earlier) => earlier.request,
            Err(greenline_store::StoreError::NotFound(_)) => {
                return Err(ServiceError::field("earlier_request", "no such request"));
            }
            Err(other) => return Err(other.into()),
        };
        if earlier.unit_id != request.unit_id || earlier.id >= request.id {
            return Err(ServiceError::field(
                "earlier_request",
                "must be an earlier request to the same agency",
            ));
        }
        Ok(())
    }

    /// Writes `next` with the event of `action`, the due date recomputed.
    pub(crate) async fn save_disclosure_step(
        &self,
        caller: &Caller,
        before: &Request,
        next: &Request,
        action: &str,
        data: serde_json::Value,
    ) -> ServiceResult<Request> {
        let actor = caller.actor();
        Ok(self
            .store
            .record_disclosure_change(&DisclosureChange {
                from_version: before.version,
                from_stage: before.stage,
                request: next,
                due_on: next.due(calendar()).map(|d| d.last_day),
                action,
                event: NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: None,
                    data,
                },
            })
            .await?)
    }
}

/// What the event keeps of a step: its fields as given.
fn step_data(step: &DisclosureStep) -> serde_json::Value {
    serde_json::to_value(step).unwrap_or_default()
}
