//! The units' approval setting (审核): whether a unit's conclusions and replies need a
//! supervisor's approval before they take effect (see `greenline_domain::approval` for the
//! rules). The steps themselves (submit, approve, return) are taken in [`super::steps`].

use greenline_domain::Approval;
use greenline_store::{AuditOutcome, StoreError, Unit};
use serde_json::json;

use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller, Origin};

impl App {
    /// Whether unit `unit_id`'s conclusions need approval.
    pub async fn approval_of(&self, unit_id: i64) -> ServiceResult<Approval> {
        Ok(Approval::from_flag(
            self.store.unit_needs_approval(unit_id).await?,
        ))
    }

    /// The units whose conclusions need approval (ids).
    pub async fn units_needing_approval(&self) -> ServiceResult<Vec<i64>> {
        Ok(self.store.units_needing_approval().await?)
    }

    /// Turns approval of conclusions on or off for a unit named by its name or id: an
    /// administrator of the unit's region or above (`caller`), or the command line (`None`).
    /// Recorded in the audit trail with the change, in one write.
    pub async fn set_unit_approval(
        &self,
        caller: Option<&Caller>,
        unit: &str,
        approval: Approval,
    ) -> ServiceResult<Unit> {
        let named = unit.trim();
        let found = match named.parse::<i64>() {
            Ok(id) => match self.store.unit(id).await {
                Ok(unit) => Some(unit),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
            Err(_) => self.store.unit_by_name(named).await?,
        };
        let unit = found.ok_or_else(|| {
            ServiceError::field("unit", format!("no unit named or numbered {named:?}"))
        })?;
        let detail = json!({ "conclusions_need_approval": approval.is_required() });
        let mut entry = match caller {
            Some(caller) => {
                let scope = caller.scope();
                if !scope.can_manage_accounts() || !scope.can_see(unit.region) {
                    return Err(ServiceError::Forbidden(
                        "administrators of the unit's region or above set its approval".to_owned(),
                    ));
                }
                self.audit_entry(
                    caller,
                    AuditAction::SetUnitApproval,
                    "",
                    AuditOutcome::Ok,
                    detail,
                )
            }
            None => self.anonymous_audit_entry(
                "command line",
                Origin::CommandLine,
                AuditAction::SetUnitApproval,
                AuditOutcome::Ok,
                detail,
            ),
        };
        entry.target = unit.name.clone();
        if caller.is_none() {
            entry.region = unit.region;
        }
        self.store
            .set_unit_approval(unit.id, approval.is_required(), &entry)
            .await?;
        Ok(unit)
    }
}
