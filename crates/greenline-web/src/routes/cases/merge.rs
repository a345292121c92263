//! `POST /api/v1/cases/{id}/merge` — merge a case into the group of an earlier report of the
//! same source (重复举报归并), and `GET /api/v1/cases/{id}/group` — the group a case is in.

use axum::Json;
use axum::extract::State;
use greenline_domain::{Action, Command, RejectionReason, merge};
use greenline_store::NewEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::transition::take_step;
use super::{CaseId, visible_case};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;
use crate::views::{CaseView, EventView};

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

/// Merge a case into the group of an earlier case about the same source.
///
/// The case then counts as a repeat report in the statistics. When it is still waiting for
/// acceptance and the group's first case is already accepted or being handled, the rules say it
/// is not accepted again: it is rejected as `already_accepted` at once, the note pointing the
/// reporter to the first case's tracking number (if the caller's role may reject; otherwise it
/// is left for someone who may). Handlers and supervisors of both cases' regions may merge.
#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = MergeForm,
    responses(
        (status = 200, body = MergeResponse),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "One of the cases changed meanwhile"),
        (status = 422, body = Problem, description = "The merge makes no sense (`into` names why)"),
    ))]
pub async fn merge_case(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<MergeForm>,
) -> ApiResult<Json<MergeResponse>> {
    merge_into(&state, &who, id, &body.value).await.map(Json)
}

/// Merges case `id` as `form` says, for `who`. Shared by the API and the staff console.
pub(crate) async fn merge_into(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    form: &MergeForm,
) -> ApiResult<MergeResponse> {
    let case = visible_case(state, who, id).await?;
    let into = match visible_case(state, who, form.into).await {
        Err(ApiError::NotFound(_)) => return Err(ApiError::field("into", "no such case")),
        other => other?,
    };
    let holder = state.store.unit(case.unit_id).await?;
    if !who.scope().can_merge(holder.region) {
        return Err(ApiError::Forbidden(format!(
            "you may not merge this case: it is held by {}, or your role does not allow it",
            holder.name
        )));
    }
    let lead = state.store.group_lead(into.id).await?;
    let has_repeats = !state.store.repeats_of(case.id).await?.is_empty();
    let merged = merge(&case, &into, lead, has_repeats)?;
    let lead_case = state.store.case(merged.lead).await?;
    let actor = who.actor();
    let now = state.clock.now();
    let event = state
        .store
        .record_merge(
            &merged,
            NewEvent {
                actor: &actor,
                at: now,
                note: form.note.clone().filter(|n| !n.trim().is_empty()),
                data: serde_json::json!({
                    "into": into.id,
                    "lead": merged.lead,
                    "lead_tracking_no": lead_case.tracking_no().to_string(),
                }),
            },
        )
        .await?;
    let mut events = vec![EventView::from(event)];
    if merged.reject_as_repeat && who.scope().can_act_on(holder.region, Action::Reject) {
        let step = take_step(
            state,
            who,
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
        case: CaseView::new(merged.case, &state.deadlines, now),
        lead: merged.lead,
        events,
    })
}

/// The group of reports of one source that a case belongs to.
#[utoipa::path(get, path = "/api/v1/cases/{id}/group", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = GroupView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn group(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<GroupView>> {
    visible_case(&state, &who, id).await?;
    let (lead, _) = state.store.group_lead(id).await?;
    let visible_lead = visible_case(&state, &who, lead)
        .await
        .is_ok()
        .then_some(lead);
    let mut repeats = Vec::new();
    for repeat in state.store.repeats_of(lead).await? {
        if visible_case(&state, &who, repeat).await.is_ok() {
            repeats.push(repeat);
        }
    }
    Ok(Json(GroupView {
        lead: visible_lead,
        repeats,
    }))
}
