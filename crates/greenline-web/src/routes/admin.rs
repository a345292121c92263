//! A jurisdiction's administration over the API (administrators): dispatch rules (自动分派)
//! with their dry run, and reply templates; and the templates offered for one case.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use super::accounts::account_id;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::extract::CaseId;
use crate::json::ApiJson;
use greenline_app::admin::{
    DispatchTrial, FilledTemplate, RuleForm, RuleView, TemplateForm, TemplateView,
};

/// The dispatch rules owned by units of the administrator's jurisdiction.
#[utoipa::path(get, path = "/api/v1/dispatch-rules", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<RuleView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn rules(State(app): State<AppState>, who: SignedIn) -> ApiResult<Json<Vec<RuleView>>> {
    Ok(Json(app.rules(&who).await?))
}

/// Add a dispatch rule: new public reports held by the owner unit whose place lies in `region`
/// (and whose primary type is `pollution_type`, if given) go to `target_unit_id` at intake.
/// The target must be an enabled unit below the owner whose region holds `region`; a bad rule
/// is refused with the field named.
#[utoipa::path(post, path = "/api/v1/dispatch-rules", tag = "admin",
    security(("bearer" = [])),
    request_body = RuleForm,
    responses((status = 201, body = RuleView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "`errors` names the field at fault")))]
pub async fn add_rule(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<RuleForm>,
) -> ApiResult<(StatusCode, Json<RuleView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.add_rule(&who, &body.value).await?),
    ))
}

/// Change a dispatch rule of the jurisdiction.
#[utoipa::path(put, path = "/api/v1/dispatch-rules/{id}", tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The rule's id")),
    request_body = RuleForm,
    responses((status = 200, body = RuleView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_rule(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    body: ApiJson<RuleForm>,
) -> ApiResult<Json<RuleView>> {
    Ok(Json(
        app.update_rule(&who, account_id(&id)?, &body.value).await?,
    ))
}

/// Disable a dispatch rule: it routes nothing more.
#[utoipa::path(post, path = "/api/v1/dispatch-rules/{id}/disable", tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The rule's id")),
    responses((status = 204, description = "Disabled"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn disable_rule(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.set_rule_disabled(&who, account_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enable a dispatch rule again (refused if it is no longer valid).
#[utoipa::path(post, path = "/api/v1/dispatch-rules/{id}/enable", tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The rule's id")),
    responses((status = 204, description = "Enabled"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn enable_rule(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.set_rule_disabled(&who, account_id(&id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TrialQuery {
    /// The report's place: a region code in the caller's jurisdiction.
    pub region: String,
    /// Its primary pollution type (a code); the first type if absent.
    #[serde(default, rename = "type")]
    pub pollution_type: Option<String>,
}

/// Which unit a public report about `region` (of `type`) would reach, and by which rules: a dry
/// run that changes nothing.
#[utoipa::path(get, path = "/api/v1/dispatch-rules/trial", tag = "admin",
    security(("bearer" = [])),
    params(TrialQuery),
    responses((status = 200, body = DispatchTrial), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn trial(
    State(app): State<AppState>,
    who: SignedIn,
    Query(query): Query<TrialQuery>,
) -> ApiResult<Json<DispatchTrial>> {
    Ok(Json(
        app.try_dispatch(&who, &query.region, query.pollution_type.as_deref())
            .await?,
    ))
}

/// The reply templates of regions in the administrator's jurisdiction.
#[utoipa::path(get, path = "/api/v1/reply-templates", tag = "admin",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TemplateView>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn templates(
    State(app): State<AppState>,
    who: SignedIn,
) -> ApiResult<Json<Vec<TemplateView>>> {
    Ok(Json(app.templates(&who).await?))
}

/// Add a reply template. Placeholders: `{tracking_no}`, `{type}`, `{date}`, `{received_date}`,
/// `{region}`, `{unit}`. A template carrying a name or phone number is refused.
#[utoipa::path(post, path = "/api/v1/reply-templates", tag = "admin",
    security(("bearer" = [])),
    request_body = TemplateForm,
    responses((status = 201, body = TemplateView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn add_template(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<TemplateForm>,
) -> ApiResult<(StatusCode, Json<TemplateView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.add_template(&who, &body.value).await?),
    ))
}

/// Change a reply template of the jurisdiction.
#[utoipa::path(put, path = "/api/v1/reply-templates/{id}", tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The template's id")),
    request_body = TemplateForm,
    responses((status = 200, body = TemplateView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn update_template(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    body: ApiJson<TemplateForm>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(
        app.update_template(&who, account_id(&id)?, &body.value)
            .await?,
    ))
}

/// Disable a reply template: it is no longer offered.
#[utoipa::path(post, path = "/api/v1/reply-templates/{id}/disable", tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The template's id")),
    responses((status = 204, description = "Disabled"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn disable_template(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.set_template_disabled(&who, account_id(&id)?, true)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enable a reply template again.
#[utoipa::path(post, path = "/api/v1/reply-templates/{id}/enable", tag = "admin",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The template's id")),
    responses((status = 204, description = "Enabled"), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn enable_template(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    app.set_template_disabled(&who, account_id(&id)?, false)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The reply templates for a case, filled for it (its tracking number, type, dates, place and
/// holding unit; never the reporter): empty for a caller who may not reply to it.
#[utoipa::path(get, path = "/api/v1/cases/{id}/reply-templates", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FilledTemplate>), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn case_templates(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<Vec<FilledTemplate>>> {
    Ok(Json(app.templates_for_case(&who, id).await?))
}
