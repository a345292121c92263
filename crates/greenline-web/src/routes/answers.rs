//! Plain answers (通俗解说). Staff keep them (`/api/v1/answers`: list, write, change, send for
//! review, publish, return, withdraw); anyone reads the published ones
//! (`/api/v1/public/answers`: list and search, one answer, "this helped", and the answers a
//! text calls for, as the report form asks while a citizen types).

use axum::Json;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use greenline_app::answers::public::AnswerMatch;
use greenline_app::answers::{
    AnswerHint, AnswerRecord, AnswerStepInput, PublicAnswer, PublicAnswers,
};
use greenline_domain::AnswerContent;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use crate::extract::ClientIp;
use crate::json::ApiJson;
use crate::routes::accounts::account_id;

/// A change of an answer's text, made on `version`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerEdit {
    pub version: i64,
    pub content: AnswerContent,
}

/// A reader's verdict on an answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// True: 有帮助; false: 没有帮助.
    pub helped: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnswerSearch {
    /// Words to search for (at most 100 characters); none: every published answer, most read
    /// first.
    pub q: Option<String>,
}

/// Every plain answer, most recently changed first, with the steps the caller may take
/// (operators, handlers and supervisors).
#[utoipa::path(get, path = "/api/v1/answers", tag = "answers",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<AnswerRecord>), (status = 401, body = Problem),
        (status = 403, body = Problem)))]
pub async fn list_answers(
    State(app): State<AppState>,
    who: SignedIn,
) -> ApiResult<Json<Vec<AnswerRecord>>> {
    Ok(Json(app.staff_answers(&who).await?))
}

/// Write a new answer; it starts as a draft (operators, handlers and supervisors).
#[utoipa::path(post, path = "/api/v1/answers", tag = "answers",
    security(("bearer" = [])),
    request_body = AnswerContent,
    responses((status = 201, body = AnswerRecord), (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it")))]
pub async fn create_answer(
    State(app): State<AppState>,
    who: SignedIn,
    body: ApiJson<AnswerContent>,
) -> ApiResult<(StatusCode, Json<AnswerRecord>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.create_answer(&who, body.value).await?),
    ))
}

/// One answer: its working and published versions and its history.
#[utoipa::path(get, path = "/api/v1/answers/{id}", tag = "answers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The answer's id")),
    responses((status = 200, body = AnswerRecord), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_answer(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<AnswerRecord>> {
    Ok(Json(app.staff_answer(&who, account_id(&id)?).await?))
}

/// Change an answer's text. It becomes a draft again; its published version stays public until
/// the change is published. Refused (409) while it waits for review or when `version` is stale.
#[utoipa::path(put, path = "/api/v1/answers/{id}", tag = "answers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The answer's id")),
    request_body = AnswerEdit,
    responses((status = 200, body = AnswerRecord), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn edit_answer(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    body: ApiJson<AnswerEdit>,
) -> ApiResult<Json<AnswerRecord>> {
    let AnswerEdit { version, content } = body.value;
    Ok(Json(
        app.edit_answer(&who, account_id(&id)?, version, content)
            .await?,
    ))
}

/// Take a step: `submit` (send for review), and for supervisors `publish` (not one's own
/// submission), `return` (with a note) or `withdraw`.
#[utoipa::path(post, path = "/api/v1/answers/{id}/steps", tag = "answers",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The answer's id")),
    request_body = AnswerStepInput,
    responses((status = 200, body = AnswerRecord), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer_step(
    State(app): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    body: ApiJson<AnswerStepInput>,
) -> ApiResult<Json<AnswerRecord>> {
    Ok(Json(
        app.answer_step(&who, account_id(&id)?, body.value).await?,
    ))
}

/// The published answers, most read first, or those a search finds, best first (anyone).
#[utoipa::path(get, path = "/api/v1/public/answers", tag = "answers",
    params(AnswerSearch),
    responses((status = 200, body = PublicAnswers), (status = 400, body = Problem)))]
pub async fn public_answers(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(search): Query<AnswerSearch>,
) -> ApiResult<Json<PublicAnswers>> {
    super::check_query_utf8(raw.as_deref())?;
    Ok(Json(app.public_answers(search.q.as_deref()).await?))
}

/// One published answer (anyone); each read is counted.
#[utoipa::path(get, path = "/api/v1/public/answers/{id}", tag = "answers",
    params(("id" = i64, Path, description = "The answer's id")),
    responses((status = 200, body = PublicAnswer), (status = 404, body = Problem)))]
pub async fn public_answer(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PublicAnswer>> {
    Ok(Json(app.public_answer(account_id(&id)?).await?))
}

/// "This helped" (or not), counted; rate-limited per client address.
#[utoipa::path(post, path = "/api/v1/public/answers/{id}/feedback", tag = "answers",
    params(("id" = i64, Path, description = "The answer's id")),
    request_body = Feedback,
    responses((status = 204, description = "Counted"), (status = 404, body = Problem),
        (status = 429, body = Problem)))]
pub async fn answer_feedback(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    body: ApiJson<Feedback>,
) -> ApiResult<StatusCode> {
    app.answer_feedback(ip, account_id(&id)?, body.value.helped)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The published answers a text calls for (at most 3, best first): what the report form
/// offers while a citizen types. Rate-limited per client address apart from reports.
#[utoipa::path(post, path = "/api/v1/public/answers/match", tag = "answers",
    request_body = AnswerMatch,
    responses((status = 200, body = Vec<AnswerHint>), (status = 422, body = Problem),
        (status = 429, body = Problem)))]
pub async fn match_answers(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    body: ApiJson<AnswerMatch>,
) -> ApiResult<Json<Vec<AnswerHint>>> {
    Ok(Json(app.answers_for_text(ip, body.value).await?))
}
