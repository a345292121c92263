//! The audit trail, for auditors (审计员).

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use greenline_app::audit::{AuditAction, AuditOutcome, AuditSearch};
use greenline_app::views::AuditRecordView;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// Part of the actor's name or of the target (a case number, a username).
    pub text: Option<String>,
    /// `sign_in`, `sign_out`, `change_password`, `read_case`, `read_reporter`, `search`,
    /// `export`, `bulletin`, `add_unit`, `add_account`, `disable_account`, `enable_account`,
    /// `end_sessions`, `reset_password`, `create_token`, `revoke_token`, `read_audit`,
    /// `verify_audit`.
    pub action: Option<String>,
    /// `ok`, `denied` or `failed`.
    pub outcome: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Records older than this sequence number (the next page).
    pub before: Option<i64>,
    /// 1 to 200; 50 by default.
    pub limit: Option<u32>,
}

/// Audit records of actors in the auditor's jurisdiction, newest first. The search is
/// itself recorded.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    security(("bearer" = [])),
    params(AuditParams),
    responses((status = 200, body = Vec<AuditRecordView>), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn records(
    State(app): State<AppState>,
    who: SignedIn,
    Query(params): Query<AuditParams>,
) -> ApiResult<Json<Vec<AuditRecordView>>> {
    let search = AuditSearch {
        text: params.text,
        action: params
            .action
            .as_deref()
            .map(|code| {
                AuditAction::parse(code)
                    .ok_or_else(|| ApiError::bad_query("action", "unknown action"))
            })
            .transpose()?,
        outcome: params
            .outcome
            .as_deref()
            .map(|code| {
                AuditOutcome::parse(code)
                    .ok_or_else(|| ApiError::bad_query("outcome", "ok, denied or failed"))
            })
            .transpose()?,
        from: params.from,
        to: params.to,
        before: params.before,
        limit: params.limit,
    };
    let records = app.audit_records(&who, search).await?;
    Ok(Json(
        records.into_iter().map(AuditRecordView::from).collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditCheckView {
    pub records: u64,
    /// The first record whose hash or link does not hold.
    pub first_broken: Option<i64>,
    /// Whether the chain's recorded end agrees with its last record.
    pub head_matches: bool,
    /// No broken record and the end agrees.
    pub intact: bool,
}

/// Recompute the audit trail's hash chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    security(("bearer" = [])),
    responses((status = 200, body = AuditCheckView), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn verify(State(app): State<AppState>, who: SignedIn) -> ApiResult<Json<AuditCheckView>> {
    let check = app.verify_audit(Some(&who)).await?;
    Ok(Json(AuditCheckView {
        intact: check.first_broken.is_none() && check.head_matches,
        records: check.records,
        first_broken: check.first_broken,
        head_matches: check.head_matches,
    }))
}
