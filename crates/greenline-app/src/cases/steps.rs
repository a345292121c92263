//! Taking a step on a case: accept, assign (转办/交办), return, extend, conclude, reply, …

use greenline_domain::{Command, apply, check_assignment};
use greenline_store::{NewEvent, StoreError};

use crate::error::{ServiceError, ServiceResult};
use crate::views::{CaseView, EventView, TransitionResponse};
use crate::{App, Caller};

impl App {
    /// Applies `command` to case `id` for `caller`: jurisdiction, role, routing and workflow
    /// checks, then the change and its event in one write.
    pub async fn take_step(
        &self,
        caller: &Caller,
        id: i64,
        command: Command,
    ) -> ServiceResult<TransitionResponse> {
        let case = self.visible_case(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        let action = command.action();
        if !caller.scope().can_act_on(holder.region, action) {
            return Err(ServiceError::Forbidden(format!(
                "you may not {action} this case: it is held by {}, or your role does not allow it",
                holder.name
            )));
        }
        if let Command::Assign { unit_id, .. } = &command {
            let target = match self.store.unit(*unit_id).await {
                Err(StoreError::NotFound(_)) => {
                    return Err(ServiceError::field("unit_id", "no such unit"));
                }
                other => other?,
            };
            check_assignment(holder.region, target.region, case.region)
                .map_err(|why| ServiceError::field("unit_id", why))?;
        }
        let now = self.now();
        let limits = self.deadlines.limits_for(case.kind, case.region);
        let applied = apply(&case, &command, now, &limits)?;
        let due = applied.case.current_deadline(&limits).map(|d| d.due_at);
        let actor = caller.actor();
        let data = serde_json::to_value(&command).map_err(ServiceError::internal)?;
        let event = self
            .store
            .record_change(
                &applied,
                due,
                NewEvent {
                    actor: &actor,
                    at: now,
                    note: command.note(),
                    data,
                },
            )
            .await?;
        Ok(TransitionResponse {
            case: CaseView::new(applied.case, &self.deadlines, now),
            event: EventView::from(event),
        })
    }
}
