//! Reading requests: one with its clock and history, a unit's list by due date, and the
//! applicant's identity (recorded as an event and in the audit trail).

use greenline_domain::disclosure::Applicant;
use greenline_store::{AuditOutcome, DisclosureEvent, DisclosureFilter, NewEvent};
use serde::Serialize;
use utoipa::ToSchema;

use super::DisclosureView;
use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The most requests one list holds.
pub const DISCLOSURE_PAGE: u32 = 500;

/// A request with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureFile {
    #[serde(flatten)]
    pub view: DisclosureView,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<DisclosureEvent>,
    /// Whether the caller may read the applicant's identity.
    pub may_read_applicant: bool,
}

impl App {
    /// Request `id` with its clock, the steps open to the caller and its history.
    pub async fn disclosure(&self, caller: &Caller, id: i64) -> ServiceResult<DisclosureFile> {
        let (stored, holder) = self.visible_request(caller, id).await?;
        let events = self.store.disclosure_events(id).await?;
        Ok(DisclosureFile {
            view: self.disclosure_view(caller, stored.request, &holder),
            events,
            may_read_applicant: caller.scope().can_read_reporter(holder.region),
        })
    }

    /// The requests held by the units of the caller's jurisdiction, the nearest due date first
    /// (requests whose clock stands and answered ones after them).
    pub async fn disclosures(
        &self,
        caller: &Caller,
        open_only: bool,
    ) -> ServiceResult<Vec<DisclosureView>> {
        let region = caller.jurisdiction()?;
        let units: Vec<_> = self
            .store
            .unit_entries()
            .await?
            .into_iter()
            .map(|e| e.unit)
            .filter(|u| u.region.is_within(region))
            .collect();
        let stored = self
            .store
            .disclosure_requests(&DisclosureFilter {
                unit_ids: units.iter().map(|u| u.id).collect(),
                open_only,
                limit: DISCLOSURE_PAGE,
            })
            .await?;
        Ok(stored
            .into_iter()
            .filter_map(|s| {
                let holder = units.iter().find(|u| u.id == s.request.unit_id)?;
                Some(self.disclosure_view(caller, s.request, holder))
            })
            .collect())
    }

    /// The applicant's identity: only for staff of the holding unit's chain whose role reads
    /// reporters. Every read, and every refused attempt, is recorded.
    pub async fn applicant(&self, caller: &Caller, id: i64) -> ServiceResult<Applicant> {
        let (_, holder) = self.visible_request(caller, id).await?;
        let target = format!("disclosure:{id}");
        if !caller.scope().can_read_reporter(holder.region) {
            self.record(
                caller,
                AuditAction::ReadApplicant,
                target,
                AuditOutcome::Denied,
                serde_json::json!({}),
            )
            .await?;
            return Err(ServiceError::Forbidden(
                "the applicant's identity is only for the holding unit's chain, in roles that need it"
                    .to_owned(),
            ));
        }
        let audit = self.audit_entry(
            caller,
            AuditAction::ReadApplicant,
            target,
            AuditOutcome::Ok,
            serde_json::json!({}),
        );
        let actor = caller.actor();
        Ok(self
            .store
            .read_applicant(
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
