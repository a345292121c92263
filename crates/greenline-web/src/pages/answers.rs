//! The portal's plain answers (常见问题): `/answers` lists them, most read first, or those a
//! search finds; `/answers/{id}` shows one with the standards it rests on, the day it was
//! checked, and "有帮助 / 没有帮助" buttons. Each handler calls one use case of
//! `greenline_app::answers`.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use greenline_app::answers::PublicAnswer;
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::{Chrome, PageError, PageResult, render};
use crate::AppState;
use crate::extract::ClientIp;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/answers", get(list))
        .route("/answers/{id}", get(one))
        .route("/answers/{id}/feedback", post(feedback))
}

fn chrome(csrf: &Csrf) -> Chrome {
    Chrome {
        staff: None,
        csrf: csrf.token.clone(),
        nav: Vec::new(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Search {
    q: String,
}

#[derive(Template)]
#[template(path = "answers.html")]
struct ListPage {
    chrome: Chrome,
    title: &'static str,
    query: String,
    answers: Vec<PublicAnswer>,
}

#[derive(Template)]
#[template(path = "answer.html")]
struct AnswerPage {
    chrome: Chrome,
    title: &'static str,
    answer: PublicAnswer,
    /// Set once the reader has said whether it helped.
    thanked: bool,
}

async fn list(
    State(state): State<AppState>,
    csrf: Csrf,
    RawQuery(raw): RawQuery,
    query: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> PageResult {
    crate::routes::check_query_utf8(raw.as_deref()).map_err(|_| PageError::BadForm)?;
    let Query(search) = query.map_err(|_| PageError::BadForm)?;
    let query = search.q.trim().chars().take(100).collect::<String>();
    let found = state
        .public_answers(Some(query.as_str()).filter(|q| !q.is_empty()))
        .await?;
    let page = ListPage {
        chrome: chrome(&csrf),
        title: "常见问题解答",
        query,
        answers: found.answers,
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

fn answer_id(text: &str) -> Result<i64, PageError> {
    text.parse().map_err(|_| PageError::BadForm)
}

async fn one(State(state): State<AppState>, csrf: Csrf, Path(id): Path<String>) -> PageResult {
    let answer = state.public_answer(answer_id(&id)?).await?;
    let page = AnswerPage {
        chrome: chrome(&csrf),
        title: "常见问题解答",
        answer,
        thanked: false,
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FeedbackForm {
    csrf_token: String,
    helped: String,
}

async fn feedback(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<FeedbackForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id = answer_id(&id)?;
    let helped = match form.helped.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(PageError::BadForm),
    };
    state.answer_feedback(ip, id, helped).await?;
    let page = AnswerPage {
        chrome: chrome(&csrf),
        title: "常见问题解答",
        answer: state.public_answer_uncounted(id).await?,
        thanked: true,
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}
