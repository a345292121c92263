//! `POST /api/v1/cases/{id}/transitions` — take a step on a case.

use axum::Json;
use axum::extract::State;
use greenline_domain::{Action, Command, apply, check_assignment};
use greenline_store::{NewEvent, StoreError};

use super::{CaseId, visible_case};
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::json::ApiJson;
use crate::views::{CaseView, EventView, TransitionResponse};

/// Take a step on a case: `{"action": "accept"}`, `{"action": "assign", "unit_id": 7}`,
/// `{"action": "extend", "days": 20, "reason": "…"}`, …
///
/// Allowed only from the stages the case's workflow allows (409 lists the allowed actions), by
/// staff whose role may take it, on a case held in their region or below (403).
#[utoipa::path(post, path = "/api/v1/cases/{id}/transitions", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = Command,
    responses(
        (status = 200, body = TransitionResponse),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not allowed from the current stage; `allowed_actions` lists what is"),
        (status = 422, body = Problem),
    ))]
pub async fn transition(
    State(state): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    body: ApiJson<serde_json::Value>,
) -> ApiResult<Json<TransitionResponse>> {
    // Name the `action` field when it is missing or unknown; then read the whole command.
    match body.value.get("action").and_then(serde_json::Value::as_str) {
        None => return Err(ApiError::field("action", "required: the step to take")),
        Some(code) if Action::parse(code).is_none() => {
            let known: Vec<_> = Action::ALL.iter().map(|a| a.code()).collect();
            return Err(ApiError::field(
                "action",
                format!("unknown action {code:?}; one of {}", known.join(", ")),
            ));
        }
        Some(_) => {}
    }
    let command: Command = crate::json::parse(&body.raw)?;
    take_step(&state, &who, id, command).await.map(Json)
}

/// Applies `command` to case `id` for `who`: jurisdiction, role, routing and workflow checks,
/// then the change and its event in one write. Shared by the API and the staff console.
pub(crate) async fn take_step(
    state: &AppState,
    who: &SignedIn,
    id: i64,
    command: Command,
) -> ApiResult<TransitionResponse> {
    let case = visible_case(state, who, id).await?;
    let holder = state.store.unit(case.unit_id).await?;
    let action = command.action();
    if !who.scope().can_act_on(holder.region, action) {
        return Err(ApiError::Forbidden(format!(
            "you may not {action} this case: it is held by {}, or your role does not allow it",
            holder.name
        )));
    }
    if let Command::Assign { unit_id, .. } = &command {
        let target = match state.store.unit(*unit_id).await {
            Err(StoreError::NotFound(_)) => {
                return Err(ApiError::field("unit_id", "no such unit"));
            }
            other => other?,
        };
        check_assignment(holder.region, target.region, case.region)
            .map_err(|why| ApiError::field("unit_id", why))?;
    }
    let now = state.clock.now();
    let limits = state.deadlines.limits_for(case.kind, case.region);
    let applied = apply(&case, &command, now, &limits)?;
    let due = applied.case.current_deadline(&limits).map(|d| d.due_at);
    let actor = who.actor();
    let data = serde_json::to_value(&command).map_err(|e| ApiError::Internal(e.into()))?;
    let event = state
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
        case: CaseView::new(applied.case, &state.deadlines, now),
        event: EventView::from(event),
    })
}
