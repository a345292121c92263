//! `/console/answers` — staff keep the plain answers (常见问题解答): the list with each answer's
//! state and readers' counts, a form to write one, and each answer's page with its text to
//! change, the steps the staff member may take (送审, 审核发布, 退回修改, 撤下) and its history.
//! Each handler calls one use case of `greenline_app::answers::edit`.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use greenline_app::ServiceError;
use greenline_app::answers::{AnswerRecord, AnswerStepInput};
use greenline_domain::{AnswerContent, AnswerStep, Basis};
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::staff::ConsoleUser;
use super::{Chrome, FieldErrors, PageError, PageResult, local_time, render, see_other};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/answers", get(index))
        .route("/console/answers/new", get(blank).post(create))
        .route("/console/answers/{id}", get(one).post(edit))
        .route("/console/answers/{id}/steps", post(step))
}

/// The answer form as posted: lists typed one item per line (basis) or separated by commas
/// (keywords).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    csrf_token: String,
    version: String,
    question: String,
    answer: String,
    /// One per line: `标准或法律 | 条款`.
    basis: String,
    /// Separated by commas (，、, or spaces).
    keywords: String,
    department: String,
    checked_on: String,
}

impl AnswerForm {
    fn of(content: &AnswerContent, version: i64) -> AnswerForm {
        AnswerForm {
            csrf_token: String::new(),
            version: version.to_string(),
            question: content.question.clone(),
            answer: content.answer.clone(),
            basis: content
                .basis
                .iter()
                .map(|b| format!("{} | {}", b.standard, b.clause))
                .collect::<Vec<_>>()
                .join("\n"),
            keywords: content.keywords.join("，"),
            department: content.department.clone().unwrap_or_default(),
            checked_on: content.checked_on.to_string(),
        }
    }

    /// The content the form says, or the fields that do not parse.
    fn content(&self) -> Result<AnswerContent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let checked_on = NaiveDate::parse_from_str(self.checked_on.trim(), "%Y-%m-%d")
            .unwrap_or_else(|_| {
                errors.add("checked_on", "请填写核对日期，格式为 年-月-日。");
                NaiveDate::MIN
            });
        let basis = self
            .basis
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                let (standard, clause) = line.split_once(['|', '｜']).unwrap_or((line, ""));
                Basis {
                    standard: standard.trim().to_owned(),
                    clause: clause.trim().to_owned(),
                }
            })
            .collect();
        let keywords = self
            .keywords
            .split([',', '，', '、', ' ', '\u{3000}', ';', '；'])
            .map(str::to_owned)
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AnswerContent {
            question: self.question.clone(),
            answer: self.answer.clone(),
            basis,
            keywords,
            department: Some(self.department.clone()),
            checked_on,
        })
    }
}

/// The form's Chinese message for a field the core refused.
fn message_zh(field: &str) -> (&'static str, &'static str) {
    let name = field.split(['[', '.']).next().unwrap_or(field);
    match name {
        "question" => ("question", "问题须为 4 至 60 个字。"),
        "answer" => ("answer", "解答须为 20 至 1500 个字。"),
        "basis" => (
            "basis",
            "请每行填写一项依据，格式为“标准或法律名称 | 条款”，至少一项、至多六项，两部分都要填写。",
        ),
        "keywords" => (
            "keywords",
            "请填写 1 至 20 个关键词，用逗号分隔，每个不超过 16 个字、不含空格。",
        ),
        "department" => ("department", "负责部门不超过 40 个字。"),
        "checked_on" => ("checked_on", "核对日期不能晚于今天，也不能早于 2000 年。"),
        "note" => ("note", "退回时请写明需要修改的内容（不超过 500 个字）。"),
        _ => ("form", "填写的内容有误，请检查。"),
    }
}

fn refused(error: ServiceError) -> Result<FieldErrors, PageError> {
    match error {
        ServiceError::Invalid(fields) => {
            let mut errors = FieldErrors::default();
            for f in fields {
                let (field, message) = message_zh(&f.field);
                errors.add(field, message);
            }
            Ok(errors)
        }
        ServiceError::Conflict { .. } => {
            let mut errors = FieldErrors::default();
            errors.add(
                "form",
                "这条解答已被他人修改或正在审核中，请刷新页面后再操作。",
            );
            Ok(errors)
        }
        other => Err(other.into()),
    }
}

struct Row {
    id: i64,
    question: String,
    state_zh: &'static str,
    pending: bool,
    live: bool,
    updated: String,
    views: i64,
    helped: i64,
    not_helped: i64,
}

#[derive(Template)]
#[template(path = "answer_list.html")]
struct ListPage {
    chrome: Chrome,
    title: &'static str,
    rows: Vec<Row>,
    may_write: bool,
}

struct HistoryRow {
    kind_zh: &'static str,
    actor: String,
    at: String,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "answer_edit.html")]
struct EditPage<'a> {
    chrome: Chrome,
    title: &'static str,
    /// None for a new answer.
    record: Option<&'a AnswerRecord>,
    form: &'a AnswerForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
    steps: Vec<(&'static str, &'static str)>,
    history: Vec<HistoryRow>,
    editable: bool,
    published_at: Option<String>,
}

async fn index(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    let answers = state.staff_answers(&who.0).await?;
    let rows = answers
        .into_iter()
        .map(|a| Row {
            id: a.id,
            question: a.working.question.clone(),
            state_zh: a.state_zh,
            pending: a.published.is_some() && a.changed_since_published,
            live: a.published.is_some(),
            updated: local_time(a.updated_at),
            views: a.views,
            helped: a.helped,
            not_helped: a.not_helped,
        })
        .collect();
    let page = ListPage {
        chrome: who.chrome(&csrf),
        title: "常见问题解答",
        rows,
        may_write: who.0.scope().can_write_answers(),
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

fn edit_page(
    who: &ConsoleUser,
    csrf: &Csrf,
    record: Option<&AnswerRecord>,
    form: &AnswerForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
) -> PageResult {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EditPage {
        chrome: who.chrome(csrf),
        title: if record.is_some() {
            "编辑解答"
        } else {
            "新建解答"
        },
        record,
        form,
        errors,
        notice,
        steps: record
            .map(|r| r.steps.iter().map(|s| (s.code(), s.zh())).collect())
            .unwrap_or_default(),
        history: record
            .map(|r| {
                r.history
                    .iter()
                    .rev()
                    .map(|e| HistoryRow {
                        kind_zh: e.kind_zh,
                        actor: e.actor.clone(),
                        at: local_time(e.at),
                        note: e.note.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        editable: record.is_none_or(|r| r.editable),
        published_at: record.and_then(|r| r.published_at).map(local_time),
    };
    Ok(csrf.attach(render(status, &page)?))
}

async fn blank(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    let form = AnswerForm {
        checked_on: state.blank_answer(&who.0)?.to_string(),
        ..AnswerForm::default()
    };
    edit_page(&who, &csrf, None, &form, FieldErrors::default(), None)
}

fn answer_id(text: &str) -> Result<i64, PageError> {
    text.parse().map_err(|_| PageError::BadForm)
}

async fn create(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<Form<AnswerForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let content = match form.content() {
        Ok(content) => content,
        Err(errors) => return edit_page(&who, &csrf, None, &form, errors, None),
    };
    match state.create_answer(&who.0, content).await {
        Ok(record) => Ok(see_other(&format!("/console/answers/{}", record.id))),
        Err(error) => edit_page(&who, &csrf, None, &form, refused(error)?, None),
    }
}

async fn one(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    Path(id): Path<String>,
) -> PageResult {
    let record = state.staff_answer(&who.0, answer_id(&id)?).await?;
    let form = AnswerForm::of(&record.working, record.version);
    edit_page(
        &who,
        &csrf,
        Some(&record),
        &form,
        FieldErrors::default(),
        None,
    )
}

async fn edit(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<AnswerForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id = answer_id(&id)?;
    let version: i64 = form.version.parse().map_err(|_| PageError::BadForm)?;
    let record = state.staff_answer(&who.0, id).await?;
    let content = match form.content() {
        Ok(content) => content,
        Err(errors) => return edit_page(&who, &csrf, Some(&record), &form, errors, None),
    };
    match state.edit_answer(&who.0, id, version, content).await {
        Ok(changed) => {
            let form = AnswerForm::of(&changed.working, changed.version);
            edit_page(
                &who,
                &csrf,
                Some(&changed),
                &form,
                FieldErrors::default(),
                Some("已保存为草稿。送审并经审核发布后，公众看到的才会更新。"),
            )
        }
        Err(error) => edit_page(&who, &csrf, Some(&record), &form, refused(error)?, None),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepForm {
    csrf_token: String,
    version: String,
    step: String,
    note: String,
}

async fn step(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<StepForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(posted) = posted?;
    csrf::verify(&headers, &posted.csrf_token)?;
    let id = answer_id(&id)?;
    let step = AnswerStep::parse(&posted.step).ok_or(PageError::BadForm)?;
    let version: i64 = posted.version.parse().map_err(|_| PageError::BadForm)?;
    let input = AnswerStepInput {
        step,
        version,
        note: Some(posted.note),
    };
    match state.answer_step(&who.0, id, input).await {
        Ok(record) => {
            let form = AnswerForm::of(&record.working, record.version);
            let notice = match step {
                AnswerStep::Submit => "已送审，等待审核发布。",
                AnswerStep::Publish => "已发布，公众现在看到的是这一版本。",
                AnswerStep::Return => "已退回修改。",
                AnswerStep::Withdraw => "已撤下，公众不再看到这条解答。",
            };
            edit_page(
                &who,
                &csrf,
                Some(&record),
                &form,
                FieldErrors::default(),
                Some(notice),
            )
        }
        Err(error) => {
            let errors = refused(error)?;
            let record = state.staff_answer(&who.0, id).await?;
            let form = AnswerForm::of(&record.working, record.version);
            edit_page(&who, &csrf, Some(&record), &form, errors, None)
        }
    }
}
