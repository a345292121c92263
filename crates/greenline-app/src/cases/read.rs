//! Reading one case, its history, and (for those whose work needs it) its reporter.

use greenline_domain::{Case, Reporter};
use greenline_store::{AuditOutcome, NewEvent};

use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::masking::mask_event;
use crate::views::{CaseView, EventView};
use crate::{App, Caller};

impl App {
    /// One case, with its running deadline and the actions allowed now.
    pub async fn case_view(&self, caller: &Caller, id: i64) -> ServiceResult<CaseView> {
        let case = self.visible_case(caller, id).await?;
        self.record_case_read(caller, id).await?;
        let approval = self.approval_of(case.unit_id).await?;
        let case = self.readable_case(caller, case).await?;
        Ok(CaseView::new(case, &self.deadlines, self.now()).under(approval))
    }

    /// The case's history, oldest first.
    pub async fn case_events(&self, caller: &Caller, id: i64) -> ServiceResult<Vec<EventView>> {
        self.visible_case(caller, id).await?;
        self.record_case_read(caller, id).await?;
        let events = self.readable_events(caller, id).await?;
        Ok(events.into_iter().map(EventView::from).collect())
    }

    /// The case whose tracking number `tracking_no` is, if `caller` may see it (a number whose
    /// date does not match its case is no case's).
    pub async fn case_id_of(&self, caller: &Caller, tracking_no: &str) -> ServiceResult<i64> {
        let number = greenline_domain::TrackingNo::parse(tracking_no)?;
        let case = self.visible_case(caller, number.case_id).await?;
        if case.tracking_no() == number {
            Ok(case.id)
        } else {
            Err(ServiceError::NotFound("case"))
        }
    }

    /// Records that `caller` read case `id` (its file, view or history).
    async fn record_case_read(&self, caller: &Caller, id: i64) -> ServiceResult<()> {
        self.record(
            caller,
            AuditAction::ReadCase,
            id.to_string(),
            AuditOutcome::Ok,
            serde_json::json!({}),
        )
        .await
    }

    /// `case` as `caller` may read it (see [`crate::masking`]).
    async fn readable_case(&self, caller: &Caller, case: Case) -> ServiceResult<Case> {
        self.readable_cases(caller, vec![case])
            .await?
            .pop()
            .ok_or(ServiceError::NotFound("case"))
    }

    /// The history of case `id`, its notes and data masked unless `caller` may read reporters.
    async fn readable_events(
        &self,
        caller: &Caller,
        id: i64,
    ) -> ServiceResult<Vec<greenline_store::Event>> {
        let mut events = self.store.events(id).await?;
        if !caller.may_read_identities() {
            let known = self.identity_to_mask(id).await?;
            for event in &mut events {
                mask_event(&mut event.note, &mut event.data, &known);
            }
        }
        Ok(events)
    }

    /// The reporter's name and phone: only for staff of the holding unit's chain whose role
    /// needs them. Every read is recorded as an event of the case.
    pub async fn reporter(&self, caller: &Caller, id: i64) -> ServiceResult<Reporter> {
        let case = self.visible_case(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        if !caller.scope().can_read_reporter(holder.region) {
            self.record(
                caller,
                AuditAction::ReadReporter,
                id.to_string(),
                AuditOutcome::Denied,
                serde_json::json!({}),
            )
            .await?;
            return Err(ServiceError::Forbidden(
                "the reporter's identity is only for the handling unit's chain, in roles that need it"
                    .to_owned(),
            ));
        }
        let actor = caller.actor();
        let audit = self.audit_entry(
            caller,
            AuditAction::ReadReporter,
            id.to_string(),
            AuditOutcome::Ok,
            serde_json::json!({}),
        );
        Ok(self
            .store
            .read_reporter(
                id,
                NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: None,
                    data: serde_json::json!({}),
                },
                &audit,
            )
            .await?)
    }
}

/// Everything a staff member's page of one case shows: the case, its history, what the
/// caller may do with it now, where it may be routed, and its likely earlier reports.
#[derive(Debug)]
pub struct CaseFile {
    pub view: CaseView,
    pub events: Vec<greenline_store::Event>,
    pub holder: greenline_store::Unit,
    /// The steps the stage allows and the caller's role and place permit.
    pub may_take: Vec<greenline_domain::Action>,
    /// Units the case may be routed to (only when the caller may route it).
    pub assign_targets: Vec<greenline_store::Unit>,
    pub may_review: bool,
    pub may_merge: bool,
    /// Whether the caller may open the reporter's contact ([`App::reporter`], recorded).
    pub may_read_reporter: bool,
    /// Whether the caller may urge or supervise the case, and how often it was.
    pub may_oversee: bool,
    pub oversight: super::oversight::OversightCount,
    /// Whether the holding unit's conclusions need approval (审核).
    pub approval: greenline_domain::Approval,
    /// Whether the caller may record a callback (回访) now, and the callbacks recorded.
    pub may_call_back: bool,
    pub callbacks: Vec<greenline_store::Callback>,
    /// Earlier cases of the same source, best first (none for a case already merged).
    pub repeats: Vec<super::same_source::SameSourceCandidate>,
    /// The case's files, for those who may read them (as they may read the reporter); for the
    /// rest, the public copies of the citizen's photos (`None` if there are none).
    pub attachments: Option<Vec<super::attachments::AttachmentView>>,
    /// Whether the caller may add a file now.
    pub may_attach: bool,
}

impl App {
    /// The case file of case `id` for `caller`.
    pub async fn case_file(&self, caller: &Caller, id: i64) -> ServiceResult<CaseFile> {
        use greenline_domain::{Action, check_assignment};
        let case = self.visible_case(caller, id).await?;
        self.record_case_read(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        let events = self.readable_events(caller, id).await?;
        let scope = caller.scope();
        let limits = self.deadlines.limits_for(case.kind, case.region);
        let approval = self.approval_of(holder.id).await?;
        // A petition is sent back within 5 working days of reaching its unit.
        let send_back_open = case.kind != greenline_domain::CaseKind::Petition
            || greenline_domain::check_send_back(
                case.kind,
                self.arrived_at_holder(&case).await?,
                self.now(),
                greenline_domain::WorkingCalendar::shipped(),
            )
            .is_ok();
        let may_take: Vec<Action> = case
            .actions_under(&limits, self.now(), approval)
            .into_iter()
            // The national desk has no unit above to send a case back to.
            .filter(|a| *a != Action::SendBack || holder.region.parent().is_some())
            .filter(|a| *a != Action::SendBack || send_back_open)
            .filter(|a| scope.can_act_on(holder.region, *a))
            .collect();
        let assign_targets = if may_take.contains(&Action::Assign) {
            // A disabled unit takes no new cases.
            self.store
                .unit_entries()
                .await?
                .into_iter()
                .filter(|u| u.disabled_at.is_none())
                .map(|u| u.unit)
                .filter(|u| check_assignment(holder.region, u.region, case.region).is_ok())
                .collect()
        } else {
            Vec::new()
        };
        let repeats = if case.repeat_of.is_none() {
            self.same_source(caller, id, 5).await?.candidates
        } else {
            Vec::new()
        };
        let reads_files = scope.can_read_reporter(holder.region);
        let attachments = if reads_files {
            Some(
                self.store
                    .attachments(id)
                    .await?
                    .into_iter()
                    .map(super::attachments::AttachmentView::from)
                    .collect(),
            )
        } else {
            // Others who see the case see the public copies of the citizen's photos, if any.
            let copies: Vec<_> = self
                .store
                .attachments(id)
                .await?
                .into_iter()
                .filter_map(super::attachments::AttachmentView::public_only)
                .collect();
            (!copies.is_empty()).then_some(copies)
        };
        let may_call_back = scope.can_call_back(case.region)
            && greenline_domain::callback::CALLBACK_STAGES.contains(&case.stage);
        let mut callbacks = self.store.callbacks(id).await?;
        if !caller.may_read_identities() {
            let known = self.identity_to_mask(id).await?;
            for callback in &mut callbacks {
                let mut none = serde_json::Value::Null;
                mask_event(&mut callback.note, &mut none, &known);
            }
        }
        Ok(CaseFile {
            may_attach: reads_files && case.stage != greenline_domain::Stage::Closed,
            attachments,
            approval,
            may_call_back,
            callbacks,
            may_review: scope.can_review_types(holder.region),
            may_merge: scope.can_merge(holder.region) && case.repeat_of.is_none(),
            may_read_reporter: scope.can_read_reporter(holder.region),
            may_oversee: scope.can_oversee(holder.region)
                && case.stage != greenline_domain::Stage::Closed,
            oversight: super::oversight::OversightCount::of(&events),
            view: CaseView::new(
                self.readable_case(caller, case).await?,
                &self.deadlines,
                self.now(),
            )
            .under(approval),
            events,
            holder,
            may_take,
            assign_targets,
            repeats,
        })
    }
}
