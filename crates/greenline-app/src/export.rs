//! Exports: who may take reporters' identities out of the system, and the record of every
//! export.

use greenline_store::{AuditOutcome, ExportReader};
use serde_json::json;

use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller, Origin};

impl App {
    /// The staff member who exports with reporters' identities (`--include-pii`), given their
    /// password: a role whose work needs reporters (operator, handler, supervisor), and only the
    /// identities of cases held by the units of their jurisdiction — as on a case page. The
    /// export is then limited to cases placed in their jurisdiction (`within`).
    pub async fn pii_exporter(
        &self,
        username: &str,
        password: String,
    ) -> ServiceResult<(Caller, ExportReader)> {
        let caller = self
            .check_password(Origin::CommandLine, username, password)
            .await?;
        if !caller.roles.iter().any(|r| r.may_read_reporter()) {
            self.record(
                &caller,
                AuditAction::Export,
                "",
                AuditOutcome::Denied,
                json!({ "include_pii": true }),
            )
            .await?;
            return Err(ServiceError::Forbidden(format!(
                "{username}'s roles do not read reporters' identities"
            )));
        }
        let units = self
            .units_within(&caller)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        let mut actor = caller.actor();
        actor.label.push_str(", export");
        Ok((caller, ExportReader { actor, units }))
    }

    /// Records an export: by `caller` with identities, or without them by whoever runs the
    /// command on the server.
    pub async fn record_export(
        &self,
        caller: Option<&Caller>,
        filters: &[String],
    ) -> ServiceResult<()> {
        let detail = json!({ "filters": filters, "include_pii": caller.is_some() });
        let entry = match caller {
            Some(caller) => {
                self.audit_entry(caller, AuditAction::Export, "", AuditOutcome::Ok, detail)
            }
            None => self.anonymous_audit_entry(
                "command line",
                Origin::CommandLine,
                AuditAction::Export,
                AuditOutcome::Ok,
                detail,
            ),
        };
        self.store.audit(&entry).await?;
        Ok(())
    }
}
