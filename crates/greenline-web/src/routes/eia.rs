//! Public participation in EIA (环评公众参与) over the API. Staff of the reviewing unit's chain
//! register projects, schedule their notices, regroup the comments, answer each theme and
//! publish the participation statement (`/api/v1/eia/…`); anyone reads the projects with a
//! notice up and sends a comment while a window is open (`/api/v1/public/eia/…`). See
//! `greenline_app::eia`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use greenline_app::eia::answers::{AnswerForm, AnswerView, StatementForm};
use greenline_app::eia::comments::{CommentReceipt, RegroupForm};
use greenline_app::eia::projects::{NoticeView, ProjectFile, ProjectView};
use greenline_app::eia::public::{PublicProject, PublicProjectItem};
use greenline_domain::eia::{CommentForm, Commenter, NoticeForm, ProjectForm};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;

/// Register a project under assessment (建设项目), reviewed by the caller's unit or, with
/// `unit_id`, one below it: handlers and supervisors.
#[utoipa::path(post, path = "/api/v1/eia/projects", tag = "eia",
    security(("bearer" = [])),
    request_body = ProjectForm,
    responses((status = 201, body = ProjectView), (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it")))]
pub async fn create_project(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<ProjectForm>,
) -> ApiResult<(StatusCode, Json<ProjectView>)> {
    let project = app.create_eia_project(&who, body.value).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// The projects located in the caller's jurisdiction, newest first.
#[utoipa::path(get, path = "/api/v1/eia/projects", tag = "eia",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<ProjectView>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn projects(
    State(app): State<AppState>,
    who: SignedIn,
) -> ApiResult<Json<Vec<ProjectView>>> {
    Ok(Json(app.eia_projects(&who).await?))
}

/// One project: its notices with their dates, today's comment window, the comments by theme
/// with their phrases and answers (texts masked for roles that may not read identities), its
/// history.
#[utoipa::path(get, path = "/api/v1/eia/projects/{id}", tag = "eia",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ProjectFile), (status = 401, body = Problem),
        (status = 404, body = Problem)))]
pub async fn project(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProjectFile>> {
    Ok(Json(app.eia_project_file(&who, id).await?))
}

/// Schedule the project's next notice (公示): `first`, `draft`, `acceptance`, `intended`,
/// `decision`, in that order, each after the previous one's last day, with at least the
/// working days the measures set (10 for `draft` and `acceptance`, 5 for `intended`); `first`
/// and `decision` within 7 working days of `counted_from`. Shown to the public from `start`.
#[utoipa::path(post, path = "/api/v1/eia/projects/{id}/notices", tag = "eia",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = NoticeForm,
    responses((status = 201, body = NoticeView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Another notice was added meanwhile"),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it")))]
pub async fn add_notice(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    body: ApiJson<NoticeForm>,
) -> ApiResult<(StatusCode, Json<NoticeView>)> {
    let notice = app.add_eia_notice(&who, id, body.value).await?;
    Ok((StatusCode::CREATED, Json(notice)))
}

/// How many comments moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct Regrouped {
    pub moved: u64,
}

/// Move comments of the project to another theme (before the statement is published).
#[utoipa::path(post, path = "/api/v1/eia/projects/{id}/regroup", tag = "eia",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = RegroupForm,
    responses((status = 200, body = Regrouped), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn regroup(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    body: ApiJson<RegroupForm>,
) -> ApiResult<Json<Regrouped>> {
    let moved = app.regroup_eia_comments(&who, id, body.value).await?;
    Ok(Json(Regrouped { moved }))
}

/// Who sent a comment, if they said (null otherwise): for staff of the reviewing unit's chain
/// whose role reads reporters' identities. Every read and every refusal is in the audit trail.
#[utoipa::path(get, path = "/api/v1/eia/projects/{id}/comments/{comment_id}/commenter",
    tag = "eia",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("comment_id" = i64, Path)),
    responses((status = 200, body = Option<Commenter>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn commenter(
    State(app): State<AppState>,
    who: SignedIn,
    Path((id, comment_id)): Path<(i64, i64)>,
) -> ApiResult<Json<Option<Commenter>>> {
    Ok(Json(app.eia_commenter(&who, id, comment_id).await?))
}

/// Answer one theme of the project's comments: `adopted` (采纳), `partly` (部分采纳) or
/// `not_adopted` (不采纳), with the reason. Final once the statement is published.
#[utoipa::path(post, path = "/api/v1/eia/projects/{id}/answers", tag = "eia",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = AnswerForm,
    responses((status = 200, body = AnswerView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "The statement is published"),
        (status = 422, body = Problem)))]
pub async fn answer(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    body: ApiJson<AnswerForm>,
) -> ApiResult<Json<AnswerView>> {
    Ok(Json(app.answer_eia_theme(&who, id, body.value).await?))
}

/// Publish the participation statement (公众参与说明) with the answers, once every theme has
/// one; the project's public page then shows them.
#[utoipa::path(post, path = "/api/v1/eia/projects/{id}/statement", tag = "eia",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = StatementForm,
    responses((status = 200, body = ProjectView), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Published already"),
        (status = 422, body = Problem)))]
pub async fn statement(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    body: ApiJson<StatementForm>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(app.publish_eia_statement(&who, id, body.value).await?))
}

/// The projects with a notice up today, the latest notice first, each with today's comment
/// window (anyone).
#[utoipa::path(get, path = "/api/v1/public/eia/projects", tag = "eia",
    responses((status = 200, body = Vec<PublicProjectItem>)))]
pub async fn public_projects(
    State(app): State<AppState>,
) -> ApiResult<Json<Vec<PublicProjectItem>>> {
    Ok(Json(app.public_eia_projects().await?))
}

/// A project's public page: its notices up to today with their dates, today's comment window
/// (until when, or when the next opens), its themes with their counts and, once the statement
/// is published, the statement, the answer to each theme and the comments, masked. 404 until
/// its first notice is up.
#[utoipa::path(get, path = "/api/v1/public/eia/projects/{id}", tag = "eia",
    params(("id" = i64, Path)),
    responses((status = 200, body = PublicProject), (status = 404, body = Problem)))]
pub async fn public_project(
    State(app): State<AppState>,
    Path(id): Path<i64>,
) -> ApiResult<Json<PublicProject>> {
    Ok(Json(app.public_eia_project(id).await?))
}

/// Send a comment (意见) on a project while a comment window is open (the draft report's or
/// the acceptance notice's). Name, phone and e-mail are optional and never shown to the
/// public. Outside a window: 409, saying when the next one opens. Rate-limited per client
/// address like intake.
#[utoipa::path(post, path = "/api/v1/public/eia/projects/{id}/comments", tag = "eia",
    params(("id" = i64, Path)),
    request_body = CommentForm,
    responses((status = 201, body = CommentReceipt), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "No comment window is open"),
        (status = 422, body = Problem), (status = 429, body = Problem)))]
pub async fn comment(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<i64>,
    body: ApiJson<CommentForm>,
) -> ApiResult<(StatusCode, Json<CommentReceipt>)> {
    let receipt = app.comment_on_eia_project(Some(ip), id, body.value).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}
