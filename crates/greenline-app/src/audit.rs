//! The audit trail (安全审计): what is recorded, and the auditor's search of it.
//!
//! Recorded: every sign-in attempt (succeeded, refused, locked out, disabled, password expired),
//! sign-out, password change, every read of a case and of a reporter's identity (also refused
//! ones), every search, export and bulletin, and every administrative action on units, accounts
//! and tokens, and every change of the administration (units, dispatch rules, reply templates,
//! the deadline table). Records go to the store's hash-chained, append-only log; where a record and the
//! change it records are written together they share one transaction.

use chrono::{DateTime, Utc};
use greenline_domain::RegionCode;
pub use greenline_store::AuditOutcome;
use greenline_store::{AuditCheck, AuditEntry, AuditQuery, AuditRecord};
use serde_json::Value;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller, Origin};

/// What an audit record says was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    SignIn,
    SignOut,
    ChangePassword,
    ReadCase,
    ReadReporter,
    ReadApplicant,
    ReadAttachment,
    Search,
    Export,
    Bulletin,
    AddUnit,
    DisableUnit,
    EnableUnit,
    AddDispatchRule,
    ChangeDispatchRule,
    DisableDispatchRule,
    EnableDispatchRule,
    AddReplyTemplate,
    ChangeReplyTemplate,
    DisableReplyTemplate,
    EnableReplyTemplate,
    SetDeadlines,
    RemoveDeadlines,
    AddAccount,
    DisableAccount,
    EnableAccount,
    EndSessions,
    ResetPassword,
    CreateToken,
    RevokeToken,
    ReadAudit,
    VerifyAudit,
    SetUnitApproval,
    IssueOpen311Key,
    RevokeOpen311Key,
    IssueCentreKey,
    RevokeCentreKey,
    ReadCommenter,
}

impl AuditAction {
    pub const ALL: [AuditAction; 38] = [
        AuditAction::SignIn,
        AuditAction::SignOut,
        AuditAction::ChangePassword,
        AuditAction::ReadCase,
        AuditAction::ReadReporter,
        AuditAction::ReadApplicant,
        AuditAction::ReadAttachment,
        AuditAction::Search,
        AuditAction::Export,
        AuditAction::Bulletin,
        AuditAction::AddUnit,
        AuditAction::DisableUnit,
        AuditAction::EnableUnit,
        AuditAction::AddDispatchRule,
        AuditAction::ChangeDispatchRule,
        AuditAction::DisableDispatchRule,
        AuditAction::EnableDispatchRule,
        AuditAction::AddReplyTemplate,
        AuditAction::ChangeReplyTemplate,
        AuditAction::DisableReplyTemplate,
        AuditAction::EnableReplyTemplate,
        AuditAction::SetDeadlines,
        AuditAction::RemoveDeadlines,
        AuditAction::AddAccount,
        AuditAction::DisableAccount,
        AuditAction::EnableAccount,
        AuditAction::EndSessions,
        AuditAction::ResetPassword,
        AuditAction::CreateToken,
        AuditAction::RevokeToken,
        AuditAction::ReadAudit,
        AuditAction::VerifyAudit,
        AuditAction::SetUnitApproval,
        AuditAction::IssueOpen311Key,
        AuditAction::RevokeOpen311Key,
        AuditAction::IssueCentreKey,
        AuditAction::RevokeCentreKey,
        AuditAction::ReadCommenter,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignOut => "sign_out",
            AuditAction::ChangePassword => "change_password",
            AuditAction::ReadCase => "read_case",
            AuditAction::ReadReporter => "read_reporter",
            AuditAction::ReadApplicant => "read_applicant",
            AuditAction::ReadAttachment => "read_attachment",
            AuditAction::Search => "search",
            AuditAction::Export => "export",
            AuditAction::Bulletin => "bulletin",
            AuditAction::AddUnit => "add_unit",
            AuditAction::DisableUnit => "disable_unit",
            AuditAction::EnableUnit => "enable_unit",
            AuditAction::AddDispatchRule => "add_dispatch_rule",
            AuditAction::ChangeDispatchRule => "change_dispatch_rule",
            AuditAction::DisableDispatchRule => "disable_dispatch_rule",
            AuditAction::EnableDispatchRule => "enable_dispatch_rule",
            AuditAction::AddReplyTemplate => "add_reply_template",
            AuditAction::ChangeReplyTemplate => "change_reply_template",
            AuditAction::DisableReplyTemplate => "disable_reply_template",
            AuditAction::EnableReplyTemplate => "enable_reply_template",
            AuditAction::SetDeadlines => "set_deadlines",
            AuditAction::RemoveDeadlines => "remove_deadlines",
            AuditAction::AddAccount => "add_account",
            AuditAction::DisableAccount => "disable_account",
            AuditAction::EnableAccount => "enable_account",
            AuditAction::EndSessions => "end_sessions",
            AuditAction::ResetPassword => "reset_password",
            AuditAction::CreateToken => "create_token",
            AuditAction::RevokeToken => "revoke_token",
            AuditAction::ReadAudit => "read_audit",
            AuditAction::VerifyAudit => "verify_audit",
            AuditAction::SetUnitApproval => "set_unit_approval",
            AuditAction::IssueOpen311Key => "issue_open311_key",
            AuditAction::RevokeOpen311Key => "revoke_open311_key",
            AuditAction::IssueCentreKey => "issue_centre_key",
            AuditAction::RevokeCentreKey => "revoke_centre_key",
            AuditAction::ReadCommenter => "read_commenter",
        }
    }

    pub fn parse(code: &str) -> Option<AuditAction> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    /// The action's name in the interface.
    pub fn zh(self) -> &'static str {
        match self {
            AuditAction::SignIn => "登录",
            AuditAction::SignOut => "退出",
            AuditAction::ChangePassword => "修改密码",
            AuditAction::ReadCase => "查看案件",
            AuditAction::ReadReporter => "查看举报人信息",
            AuditAction::ReadApplicant => "查看信息公开申请人信息",
            AuditAction::ReadAttachment => "查看附件",
            AuditAction::Search => "全文检索",
            AuditAction::Export => "导出",
            AuditAction::Bulletin => "下载简报",
            AuditAction::AddUnit => "新建单位",
            AuditAction::DisableUnit => "停用单位",
            AuditAction::EnableUnit => "启用单位",
            AuditAction::AddDispatchRule => "新建分派规则",
            AuditAction::ChangeDispatchRule => "修改分派规则",
            AuditAction::DisableDispatchRule => "停用分派规则",
            AuditAction::EnableDispatchRule => "启用分派规则",
            AuditAction::AddReplyTemplate => "新建答复模板",
            AuditAction::ChangeReplyTemplate => "修改答复模板",
            AuditAction::DisableReplyTemplate => "停用答复模板",
            AuditAction::EnableReplyTemplate => "启用答复模板",
            AuditAction::SetDeadlines => "设置办理时限",
            AuditAction::RemoveDeadlines => "恢复默认办理时限",
            AuditAction::AddAccount => "新建账户",
            AuditAction::DisableAccount => "停用账户",
            AuditAction::EnableAccount => "启用账户",
            AuditAction::EndSessions => "结束会话",
            AuditAction::ResetPassword => "重置密码",
            AuditAction::CreateToken => "创建接口令牌",
            AuditAction::RevokeToken => "吊销接口令牌",
            AuditAction::ReadAudit => "查阅审计记录",
            AuditAction::VerifyAudit => "校验审计记录",
            AuditAction::SetUnitApproval => "设置办结审核",
            AuditAction::IssueOpen311Key => "签发第三方应用接口密钥",
            AuditAction::RevokeOpen311Key => "吊销第三方应用接口密钥",
            AuditAction::IssueCentreKey => "登记12345转办中心",
            AuditAction::RevokeCentreKey => "吊销12345转办中心密钥",
            AuditAction::ReadCommenter => "查看环评意见提交人信息",
        }
    }
}

/// The interface's word for an outcome.
pub fn outcome_zh(outcome: AuditOutcome) -> &'static str {
    match outcome {
        AuditOutcome::Ok => "成功",
        AuditOutcome::Denied => "拒绝",
        AuditOutcome::Failed => "失败",
    }
}

/// An auditor's question; newest first, a page at a time.
#[derive(Debug, Clone, Default)]
pub struct AuditSearch {
    /// Part of the actor's name or the target (a case number, a username).
    pub text: Option<String>,
    pub action: Option<AuditAction>,
    pub outcome: Option<AuditOutcome>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only records older than this sequence number (the next page).
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

/// The most records one page holds.
pub const AUDIT_PAGE: u32 = 200;

impl App {
    /// An audit record of `caller` doing `action` to `target`. Counted for the metrics as it is
    /// made (the record is written with what it records; a failed write fails the request).
    pub(crate) fn audit_entry(
        &self,
        caller: &Caller,
        action: AuditAction,
        target: impl Into<String>,
        outcome: AuditOutcome,
        detail: Value,
    ) -> AuditEntry {
        crate::operations::count_audit_event(action.code());
        AuditEntry {
            at: self.now(),
            actor_id: Some(caller.id),
            actor: format!("{} ({})", caller.display_name, caller.unit.name),
            region: caller.unit.region,
            action: action.code().to_owned(),
            target: target.into(),
            outcome,
            client: caller.origin.to_string(),
            detail,
        }
    }

    /// An audit record of someone not (yet) known as a staff member, e.g. a failed sign-in.
    pub(crate) fn anonymous_audit_entry(
        &self,
        actor: &str,
        origin: Origin,
        action: AuditAction,
        outcome: AuditOutcome,
        detail: Value,
    ) -> AuditEntry {
        crate::operations::count_audit_event(action.code());
        AuditEntry {
            at: self.now(),
            actor_id: None,
            actor: actor.chars().take(64).collect(),
            region: RegionCode::NATIONAL,
            action: action.code().to_owned(),
            target: String::new(),
            outcome,
            client: origin.to_string(),
            detail,
        }
    }

    /// Records `caller` doing `action` to `target`, on its own. A use case that cannot record
    /// what it did fails rather than go unrecorded.
    pub(crate) async fn record(
        &self,
        caller: &Caller,
        action: AuditAction,
        target: impl Into<String>,
        outcome: AuditOutcome,
        detail: Value,
    ) -> ServiceResult<()> {
        let entry = self.audit_entry(caller, action, target, outcome, detail);
        self.store.audit(&entry).await?;
        Ok(())
    }

    /// The audit records an auditor may read: those of actors in their jurisdiction (records
    /// of unknown actors, such as sign-ins with an unknown username, are national). The search
    /// itself is recorded.
    pub async fn audit_records(
        &self,
        caller: &Caller,
        search: AuditSearch,
    ) -> ServiceResult<Vec<AuditRecord>> {
        if !caller.scope().can_read_audit() {
            return Err(ServiceError::Forbidden(
                "only auditors read the audit trail".to_owned(),
            ));
        }
        let limit = search.limit.unwrap_or(50);
        if !(1..=AUDIT_PAGE).contains(&limit) {
            return Err(ServiceError::parameter(
                "limit",
                format!("between 1 and {AUDIT_PAGE}"),
            ));
        }
        if let (Some(from), Some(to)) = (search.from, search.to)
            && from >= to
        {
            return Err(ServiceError::parameter("to", "must be after from"));
        }
        let query = AuditQuery {
            within: Some(caller.unit.region),
            actor_id: None,
            text: search.text.clone().filter(|t| !t.trim().is_empty()),
            action: search.action.map(|a| a.code().to_owned()),
            outcome: search.outcome,
            from: search.from,
            to: search.to,
            before: search.before,
            limit,
        };
        let records = self.store.audit_records(&query).await?;
        self.record(
            caller,
            AuditAction::ReadAudit,
            search.text.unwrap_or_default(),
            AuditOutcome::Ok,
            serde_json::json!({
                "action": search.action.map(AuditAction::code),
                "shown": records.len(),
            }),
        )
        .await?;
        Ok(records)
    }

    /// Recomputes the audit trail's hash chain; the check is itself recorded when `caller` is
    /// an auditor (the command line runs it as the operating-system user).
    pub async fn verify_audit(&self, caller: Option<&Caller>) -> ServiceResult<AuditCheck> {
        if let Some(caller) = caller
            && !caller.scope().can_read_audit()
        {
            return Err(ServiceError::Forbidden(
                "only auditors check the audit trail".to_owned(),
            ));
        }
        let check = self.store.verify_audit().await?;
        if let Some(caller) = caller {
            self.record(
                caller,
                AuditAction::VerifyAudit,
                "",
                AuditOutcome::Ok,
                serde_json::json!({
                    "records": check.records,
                    "first_broken": check.first_broken,
                    "head_matches": check.head_matches,
                }),
            )
            .await?;
        }
        Ok(check)
    }
}
