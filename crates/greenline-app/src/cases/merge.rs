//! Merging a repeat report into the group of an earlier report of the same source
//! (重复举报归并), and reading a case's group.

use greenline_domain::{Action, Command, Merge, RejectionReason, merge};
use greenline_store::{Actor, Event, NewEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::views::{CaseView, EventView};
use crate::{App, Caller};

/// Which case this one repeats.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeForm {
    /// A case of the same source (the group's first case or any case in its group).
    pub into: i64,
    /// Why they are the same source (recorded with the event).
    pub note: Option<String>,
}

/// A merge's result.
#[derive(Debug, Serialize, ToSchema)]
pub struct MergeResponse {
    pub case: CaseView,
    /// The group's first case, which this one now repeats.
    pub lead: i64,
    /// The events written: `merge`, then `reject` when the rules say the repeat is not
    /// accepted.
    pub events: Vec<EventView>,
}

/// A group of reports of one source.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    /// The group's first case; absent when it lies outside the caller's jurisdiction.
    pub lead: Option<i64>,
    /// The cases that repeat it, oldest first (only those the caller may see).
    pub repeats: Vec<i64>,
}

impl App {
    /// Merges case `id` into the group `form.into` belongs to. A repeat still waiting for
    /// acceptance of a case already in hand is rejected at once as `already_accepted` (if the
    /// caller's role may reject), pointing the reporter to the first case's tracking number.
    pub async fn merge(
        &self,
        caller: &Caller,
        id: i64,
        form: &MergeForm,
    ) -> ServiceResult<MergeResponse> {
        greenline_domain::text::check_optional_text(
            "note",
            form.note.as_deref(),
            greenline_domain::text::MAX_TEXT_CHARS,
        )
        .map_err(|e| ServiceError::Invalid(vec![e]))?;
        let case = self.visible_case(caller, id).await?;
        let into = match self.visible_case(caller, form.into).await {
            Err(ServiceError::NotFound(_)) => {
                return Err(ServiceError::field("into", "no such case"));
            }
            other => other?,
        };
        let holder = self.store.unit(case.unit_id).await?;
        if !caller.scope().can_merge(holder.region) {
            return Err(ServiceError::Forbidden(format!(
                "you may not merge this case: it is held by {}, or your role does not allow it",
                holder.name
            )));
        }
        self.join_group(caller, case, into, holder.region, form.note.clone())
            .await
    }

    /// Writes `case` into the group `into` belongs to (the `merge` event), and rejects it as
    /// `already_accepted` when the rules say so and the caller's role may reject. The caller's
    /// right to merge `case` (held in `holder_region`) is checked by the use case calling this.
    pub(crate) async fn join_group(
        &self,
        caller: &Caller,
        case: greenline_domain::Case,
        into: greenline_domain::Case,
        holder_region: greenline_domain::RegionCode,
        note: Option<String>,
    ) -> ServiceResult<MergeResponse> {
        let id = case.id;
        let now = self.now();
        let (merged, lead_case, event) =
            self.write_join(&caller.actor(), &case, &into, note).await?;
        let mut events = vec![EventView::from(event)];
        if merged.reject_as_repeat && caller.scope().can_act_on(holder_region, Action::Reject) {
            let step = self
                .take_step(
                    caller,
                    id,
                    Command::Reject {
                        reason: RejectionReason::AlreadyAccepted,
                        note: Some(format!(
                            "同一问题已于{}受理（查询编号 {}），请通过该编号查询办理进展。",
                            greenline_domain::deadline::local_date(lead_case.received_at)
                                .format("%Y年%m月%d日"),
                            lead_case.tracking_no()
                        )),
                    },
                )
                .await?;
            events.push(step.event);
            return Ok(MergeResponse {
                case: step.case,
                lead: merged.lead,
                events,
            });
        }
        Ok(MergeResponse {
            case: CaseView::new(merged.case, &self.deadlines, now),
            lead: merged.lead,
            events,
        })
    }

    /// The `merge` event that puts `case` into the group `into` belongs to, written by `actor`:
    /// the one way a case joins a group, whoever asks (staff merging, the desk linking a call, a
    /// citizen following an earlier report). Returns the merge, the group's first case and
    /// the event.
    pub(crate) async fn write_join(
        &self,
        actor: &Actor,
        case: &greenline_domain::Case,
        into: &greenline_domain::Case,
        note: Option<String>,
    ) -> ServiceResult<(Merge, greenline_domain::Case, Event)> {
        let lead = self.store.group_lead(into.id).await?;
        let has_repeats = !self.store.repeats_of(case.id).await?.is_empty();
        let merged = merge(case, into, lead, has_repeats)?;
        let lead_case = self.store.case(merged.lead).await?;
        let event = self
            .store
            .record_merge(
                &merged,
                NewEvent {
                    actor,
                    at: self.now(),
                    note: note.filter(|n| !n.trim().is_empty()),
                    data: serde_json::json!({
                        "into": into.id,
                        "lead": merged.lead,
                        "lead_tracking_no": lead_case.tracking_no().to_string(),
                    }),
                },
            )
            .await?;
        Ok((merged, lead_case, event))
    }

    /// The group of reports of one source that case `id` belongs to, as far as `caller` may
    /// see it.
    pub async fn group(&self, caller: &Caller, id: i64) -> ServiceResult<GroupView> {
        self.visible_case(caller, id).await?;
        let (lead, _) = self.store.group_lead(id).await?;
        let visible_lead = self
            .visible_case(caller, lead)
            .await
            .is_ok()
            .then_some(lead);
        let mut repeats = Vec::new();
        for repeat in self.store.repeats_of(lead).await? {
            if self.visible_case(caller, repeat).await.is_ok() {
                repeats.push(repeat);
            }
        }
        Ok(GroupView {
            lead: visible_lead,
            repeats,
        })
    }
}
