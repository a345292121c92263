//! Taking a step on a case: accept, assign (转办/交办), send back (退回), extend, conclude,
//! reply, submit for approval, approve or return a draft (审核), …

use greenline_domain::{
    Action, Approval, Case, Command, Stage, WorkingCalendar, apply, check_assignment,
    check_send_back,
};
use greenline_store::{NewEvent, StepEvent, StoreError, Unit};

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
            let disabled = self
                .store
                .unit_entries()
                .await?
                .iter()
                .any(|u| u.unit.id == target.id && u.disabled_at.is_some());
            if disabled {
                return Err(ServiceError::field(
                    "unit_id",
                    "the unit is disabled and takes no new cases",
                ));
            }
        }
        let now = self.now();
        if matches!(command, Command::SendBack { .. }) {
            let arrived = self.arrived_at_holder(&case).await?;
            check_send_back(case.kind, arrived, now, WorkingCalendar::shipped())?;
        }
        let limits = self.deadlines.limits_for(case.kind, case.region);
        let approval = self.approval_of(holder.id).await?;
        self.check_approval_step(caller, &case, &command, approval, &limits)
            .await?;
        let mut applied = apply(&case, &command, now, &limits)?;
        let due = applied.case.current_deadline(&limits).map(|d| d.due_at);
        let actor = caller.actor();
        let mut data = serde_json::to_value(&command).map_err(ServiceError::internal)?;
        // Routing remembers where the case came from, so that it can be sent back there.
        match &command {
            Command::Assign { .. } => data["from_unit"] = holder.id.into(),
            Command::SendBack { .. } => {
                let back = self.unit_above(id, &holder).await?;
                applied.case.unit_id = back.id;
                data["from_unit"] = holder.id.into();
                data["to_unit"] = back.id.into();
            }
            _ => {}
        }
        let event = if let Command::Approve { note } = &command {
            // The draft takes effect as the conclusion and the reply, each an event naming the
            // approver, after the approval itself.
            let drafted_by = self.drafter(id).await?;
            let case = &applied.case;
            let approved = serde_json::json!({ "drafted_by": drafted_by.1 });
            let conclusion = serde_json::json!({
                "action": "conclude",
                "outcome": case.outcome,
                "findings": case.findings,
                "enforcement": case.enforcement,
                "approved": true,
            });
            let reply = serde_json::json!({
                "action": "reply",
                "text": case.reply,
                "approved": true,
            });
            let step = |action: Action, from, to, note, data| StepEvent {
                action: action.code().to_owned(),
                from,
                to,
                event: NewEvent {
                    actor: &actor,
                    at: now,
                    note,
                    data,
                },
            };
            let steps = [
                step(
                    Action::Approve,
                    Stage::PendingApproval,
                    Stage::PendingApproval,
                    note.clone(),
                    approved,
                ),
                step(
                    Action::Conclude,
                    Stage::PendingApproval,
                    Stage::Concluded,
                    case.findings.clone(),
                    conclusion,
                ),
                step(
                    Action::Reply,
                    Stage::Concluded,
                    Stage::Replied,
                    case.reply.clone(),
                    reply,
                ),
            ];
            let actions = [Action::Approve, Action::Conclude, Action::Reply];
            let notices = self.notices_for(&applied.case, &actions, None);
            let transfer = self
                .transfer_callback_for(&applied.case, &actions, now)
                .await?;
            let mut events = self
                .store
                .record_change_told(&applied, due, &steps, &notices, transfer.as_ref())
                .await?;
            events.truncate(1);
            events.pop().ok_or(ServiceError::NotFound("event"))?
        } else {
            let notices = self.notices_for(&applied.case, &[action], command.note().as_deref());
            let transfer = self
                .transfer_callback_for(&applied.case, &[action], now)
                .await?;
            let step = StepEvent {
                action: applied.action.code().to_owned(),
                from: applied.from,
                to: applied.to,
                event: NewEvent {
                    actor: &actor,
                    at: now,
                    note: command.note(),
                    data,
                },
            };
            let mut events = self
                .store
                .record_change_told(
                    &applied,
                    due,
                    std::slice::from_ref(&step),
                    &notices,
                    transfer.as_ref(),
                )
                .await?;
            events.pop().ok_or(ServiceError::NotFound("event"))?
        };
        Ok(TransitionResponse {
            case: CaseView::new(applied.case, &self.deadlines, now).under(approval),
            event: EventView::from(event),
        })
    }

    /// The rules of approval (审核) a step must meet besides the workflow's: the conclusion
    /// step the holding unit's setting calls for, and an approver other than the person who
    /// submitted the draft.
    async fn check_approval_step(
        &self,
        caller: &Caller,
        case: &greenline_domain::Case,
        command: &Command,
        approval: Approval,
        limits: &greenline_domain::TimeLimits,
    ) -> ServiceResult<()> {
        let action = command.action();
        let offered = case.actions_under(limits, self.now(), approval);
        match action {
            Action::Conclude | Action::Submit
                if case.allowed_actions().contains(&action) && !offered.contains(&action) =>
            {
                Err(ServiceError::Conflict {
                    detail: if approval.is_required() {
                        "this unit's conclusions need approval: submit the conclusion and the \
                         reply for approval (submit)"
                            .to_owned()
                    } else {
                        "this unit's conclusions take effect without approval: conclude".to_owned()
                    },
                    allowed_actions: Some(offered),
                })
            }
            Action::Approve => {
                let (drafter, _) = self.drafter(case.id).await?;
                if drafter.is_some() && drafter == Some(caller.id) {
                    Err(ServiceError::Forbidden(
                        "you submitted this draft: another supervisor approves it".to_owned(),
                    ))
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    /// Who submitted the case's latest draft: their account and how the history names them.
    async fn drafter(&self, id: i64) -> ServiceResult<(Option<i64>, Option<String>)> {
        let events = self.store.events(id).await?;
        Ok(events
            .into_iter()
            .rev()
            .find(|e| e.action == Action::Submit.code())
            .map_or((None, None), |e| (e.actor_id, Some(e.actor))))
    }

    /// When the case reached the unit holding it: its last routing there (by staff or by the
    /// dispatch rules at intake), or its receipt when it was never routed.
    pub(crate) async fn arrived_at_holder(
        &self,
        case: &Case,
    ) -> ServiceResult<chrono::DateTime<chrono::Utc>> {
        let events = self.store.events(case.id).await?;
        Ok(events
            .iter()
            .rev()
            .find(|e| e.action == Action::Assign.code() && e.data["unit_id"] == case.unit_id)
            .map_or(case.received_at, |e| e.at))
    }

    /// Where a case held by `holder` goes back to (退回): the unit that routed it to `holder`,
    /// as the last routing recorded it; for a case routed before routings recorded their
    /// origin, the nearest unit above `holder`'s region. A case at the top has nowhere to go.
    async fn unit_above(&self, id: i64, holder: &Unit) -> ServiceResult<Unit> {
        let events = self.store.events(id).await?;
        let routed_from = events
            .iter()
            .rev()
            .find(|e| e.action == "assign" && e.data["unit_id"] == holder.id)
            .and_then(|e| e.data["from_unit"].as_i64());
        if let Some(from) = routed_from {
            return Ok(self.store.unit(from).await?);
        }
        let units = self.store.units().await?;
        let mut region = holder.region.parent();
        while let Some(area) = region {
            if let Some(unit) = units.iter().find(|u| u.region == area) {
                return Ok(unit.clone());
            }
            region = area.parent();
        }
        Err(ServiceError::conflict(
            "no unit above this one to send the case back to",
        ))
    }
}
