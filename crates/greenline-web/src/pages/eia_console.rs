//! The console's EIA participation pages: `/console/eia` (the jurisdiction's projects, the
//! form to register one, and the comment figures per project, month and theme) and
//! `/console/eia/{id}` (a project's notices with the form for the next one, the comments by
//! theme with their phrases, regrouping, the answer to each theme, the participation
//! statement, the history), with one post per action. Each post calls one use case of
//! `greenline_app::eia`; a refusal shows the page again with the reason.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use greenline_app::ServiceError;
use greenline_app::eia::answers::{AnswerForm, StatementForm};
use greenline_app::eia::comments::RegroupForm;
use greenline_app::eia::figures::{CommentFigures, CommentFiguresQuery};
use greenline_app::eia::projects::{ProjectFile, ProjectView};
use greenline_domain::eia::{Commenter, NoticeForm, NoticeKind, ProjectForm, ProjectType};
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::eia::{window_zh, zh_date};
use super::form::StrictForm;
use super::staff::ConsoleUser;
use super::{Chrome, PageError, PageResult, local_time, render, see_other};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/eia", get(projects).post(create))
        .route("/console/eia/{id}", get(project))
        .route("/console/eia/{id}/notices", post(add_notice))
        .route("/console/eia/{id}/regroup", post(regroup))
        .route("/console/eia/{id}/answers", post(answer))
        .route("/console/eia/{id}/statement", post(statement))
        .route(
            "/console/eia/{id}/comments/{comment}/commenter",
            post(commenter),
        )
}

/// A refusal's fields in one Chinese sentence, for the notice at the top of the page.
fn refusal_zh(error: &ServiceError) -> Option<String> {
    let field_zh = |field: &str| match field {
        "name" => "项目名称",
        "developer" => "建设单位",
        "location" => "建设地点",
        "region" => "行政区划代码",
        "project_type" => "项目类别",
        "consultant" => "环评文件编制单位",
        "unit_id" => "审批单位",
        "kind" => "公示类型",
        "start" => "公示开始日期",
        "working_days" => "公示工作日数",
        "counted_from" => "起算日期",
        "body" => "公示内容",
        "theme" => "意见类别",
        "comment_ids" => "所选意见",
        "adoption" => "采纳情况",
        "reason" => "理由",
        "statement" => "公众参与说明",
        _ => "填写内容",
    };
    match error {
        ServiceError::Invalid(fields) => Some(format!(
            "未保存，请检查：{}。",
            fields
                .iter()
                .map(|f| format!("{}（{}）", field_zh(&f.field), message_zh(&f.message)))
                .collect::<Vec<_>>()
                .join("；")
        )),
        ServiceError::Conflict { .. } => Some(
            "未保存：公众参与说明已公开，答复和分类不再修改；或该项目刚被他人修改，请刷新后重试。"
                .to_owned(),
        ),
        _ => None,
    }
}

/// The core's field messages are English for the API; the console gives their gist in
/// Chinese, keeping the dates and numbers they name.
fn message_zh(message: &str) -> String {
    let numbers: String = message
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join("、");
    let gist = if message.starts_with("required") {
        "必填"
    } else if message.contains("in order") || message.contains("no notice follows") {
        "公示须按顺序发布"
    } else if message.contains("at least") {
        "少于规定的最短工作日数"
    } else if message.contains("after the") {
        "须在上一公示期结束之后"
    } else if message.contains("within") {
        "超过了规定的发布期限"
    } else if message.contains("not a YYYY-MM-DD") {
        "日期格式应为 年-月-日"
    } else if message.contains("unanswered") {
        "尚有类别未答复"
    } else {
        "不符合要求"
    };
    if numbers.is_empty() {
        gist.to_owned()
    } else {
        format!("{gist}：{numbers}")
    }
}

struct ProjectRow {
    id: i64,
    name: String,
    place: String,
    unit: String,
    created: String,
}

fn project_row(p: ProjectView) -> ProjectRow {
    ProjectRow {
        id: p.id,
        place: format!("{}{}", p.region_name, p.location),
        name: p.name,
        unit: p.unit_name,
        created: local_time(p.created_at),
    }
}

#[derive(Template)]
#[template(path = "console_eia.html")]
struct ProjectsPage {
    chrome: Chrome,
    title: &'static str,
    rows: Vec<ProjectRow>,
    may_create: bool,
    types: Vec<(&'static str, &'static str)>,
    figures: CommentFigures,
    notice: Option<String>,
}

async fn projects_page(
    app: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    status: StatusCode,
    notice: Option<String>,
) -> PageResult {
    let rows = app
        .eia_projects(&who.0)
        .await?
        .into_iter()
        .map(project_row)
        .collect();
    let figures = app
        .eia_comment_figures(&who.0, &CommentFiguresQuery::default())
        .await?;
    let page = ProjectsPage {
        chrome: who.chrome(csrf),
        title: "环评公众参与",
        rows,
        may_create: who.0.roles.iter().any(|r| r.may_manage_eia()),
        types: ProjectType::ALL.map(|t| (t.code(), t.zh())).to_vec(),
        figures,
        notice,
    };
    Ok(csrf.attach(render(status, &page)?))
}

async fn projects(State(app): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    projects_page(&app, &who, &csrf, StatusCode::OK, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ProjectPost {
    csrf_token: String,
    name: String,
    developer: String,
    location: String,
    region: String,
    project_type: String,
    consultant: String,
}

async fn create(
    State(app): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    StrictForm(form): StrictForm<ProjectPost>,
) -> PageResult {
    csrf::verify(&headers, &form.csrf_token)?;
    let submitted = ProjectForm {
        name: form.name,
        developer: form.developer,
        location: form.location,
        region: form.region,
        project_type: form.project_type,
        consultant: form.consultant,
        unit_id: None,
    };
    match app.create_eia_project(&who.0, submitted).await {
        Ok(project) => Ok(see_other(&format!("/console/eia/{}", project.id))),
        Err(error) => match refusal_zh(&error) {
            Some(notice) => {
                projects_page(
                    &app,
                    &who,
                    &csrf,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(notice),
                )
                .await
            }
            None => Err(error.into()),
        },
    }
}

struct NoticeRow {
    kind_zh: String,
    period: String,
    body: String,
    article: String,
    warning: Option<String>,
}

struct CommentRow {
    id: i64,
    received: String,
    window: &'static str,
    text: String,
    identified: bool,
}

struct ThemeRow {
    theme: String,
    count: usize,
    phrases: String,
    comments: Vec<CommentRow>,
    answer: Option<(String, String)>,
}

struct EventRow {
    at: String,
    actor: String,
    action: &'static str,
}

fn action_zh(action: &str) -> &'static str {
    match action {
        "create" => "登记项目",
        "add_notice" => "发布公示",
        "comment" => "收到公众意见",
        "read_commenter" => "查看意见提交人信息",
        "regroup" => "调整意见分类",
        "answer" => "答复意见",
        "publish_statement" => "公开公众参与说明",
        _ => "其他",
    }
}

#[derive(Template)]
#[template(path = "console_eia_project.html")]
struct ProjectPage {
    chrome: Chrome,
    title: String,
    id: i64,
    facts: Vec<(&'static str, String)>,
    notices: Vec<NoticeRow>,
    next_notice: Option<(&'static str, &'static str, u32, bool)>,
    window: String,
    themes: Vec<ThemeRow>,
    may_manage: bool,
    published: bool,
    statement: Option<String>,
    events: Vec<EventRow>,
    notice: Option<String>,
    commenter: Option<String>,
}

fn project_page(file: ProjectFile, who: &ConsoleUser, csrf: &Csrf) -> ProjectPage {
    let p = file.project;
    let facts = vec![
        ("建设单位", p.developer),
        ("建设地点", format!("{}{}", p.region_name, p.location)),
        ("项目类别", p.project_type_zh),
        ("环评文件编制单位", p.consultant),
        ("审批单位", p.unit_name),
    ];
    let next_notice = file
        .next_notice
        .as_deref()
        .and_then(NoticeKind::parse)
        .map(|k| {
            let rule = k.rule();
            (
                k.code(),
                k.zh(),
                rule.min_working_days,
                rule.within_working_days.is_some(),
            )
        });
    ProjectPage {
        chrome: who.chrome(csrf),
        title: p.name,
        id: p.id,
        facts,
        notices: file
            .notices
            .into_iter()
            .map(|n| NoticeRow {
                period: if n.working_days == 0 {
                    format!("{}发布", zh_date(n.start))
                } else {
                    format!(
                        "{}至{}（{}个工作日）",
                        zh_date(n.start),
                        zh_date(n.last_day),
                        n.working_days
                    )
                },
                kind_zh: n.kind_zh,
                body: n.body,
                article: n.article,
                warning: n.warning,
            })
            .collect(),
        next_notice,
        window: window_zh(&file.window),
        themes: file
            .themes
            .into_iter()
            .map(|t| ThemeRow {
                phrases: t.phrases.join("、"),
                count: t.count,
                answer: t.answer.map(|a| (a.adoption_zh, a.reason)),
                comments: t
                    .comments
                    .into_iter()
                    .map(|c| CommentRow {
                        id: c.id,
                        received: local_time(c.received_at),
                        window: NoticeKind::parse(&c.window).map_or("", NoticeKind::zh),
                        text: c.text,
                        identified: c.identified,
                    })
                    .collect(),
                theme: t.theme,
            })
            .collect(),
        may_manage: file.may_manage,
        published: p.statement_published_at.is_some(),
        statement: p.statement,
        events: file
            .events
            .into_iter()
            .rev()
            .map(|e| EventRow {
                at: local_time(e.at),
                actor: if e.actor == "public" {
                    "公众".to_owned()
                } else {
                    e.actor
                },
                action: action_zh(&e.action),
            })
            .collect(),
        notice: None,
        commenter: None,
    }
}

fn id_of(text: &str) -> Result<i64, PageError> {
    text.parse()
        .map_err(|_| PageError::Service(ServiceError::NotFound("project")))
}

async fn show(
    app: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    id: i64,
    status: StatusCode,
    notice: Option<String>,
    commenter: Option<String>,
) -> PageResult {
    let file = app.eia_project_file(&who.0, id).await?;
    let mut page = project_page(file, who, csrf);
    page.notice = notice;
    page.commenter = commenter;
    Ok(csrf.attach(render(status, &page)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

async fn project(
    State(app): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> PageResult {
    let notice = match query.done.as_str() {
        "notice" => Some("公示已发布，将于开始日期起在公开页面显示。"),
        "regroup" => Some("意见类别已调整。"),
        "answer" => Some("答复已保存。"),
        "statement" => Some("公众参与说明和各类意见的答复已公开。"),
        _ => None,
    };
    show(
        &app,
        &who,
        &csrf,
        id_of(&id)?,
        StatusCode::OK,
        notice.map(str::to_owned),
        None,
    )
    .await
}

/// Shows the project again after a post: its page with what was done, or with the refusal.
async fn after<T>(
    app: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    id: i64,
    done: Result<T, ServiceError>,
    what: &str,
) -> PageResult {
    match done {
        Ok(_) => Ok(see_other(&format!("/console/eia/{id}?done={what}"))),
        Err(error) => match refusal_zh(&error) {
            Some(notice) => {
                let status = match error {
                    ServiceError::Conflict { .. } => StatusCode::CONFLICT,
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                show(app, who, csrf, id, status, Some(notice), None).await
            }
            None => Err(error.into()),
        },
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NoticePost {
    csrf_token: String,
    kind: String,
    start: String,
    working_days: String,
    counted_from: String,
    body: String,
}

async fn add_notice(
    State(app): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    StrictForm(form): StrictForm<NoticePost>,
) -> PageResult {
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let working_days = match form.working_days.trim() {
        "" => None,
        days => match days.parse() {
            Ok(days) => Some(days),
            Err(_) => {
                let error = ServiceError::field("working_days", "not a number");
                return after(&app, &who, &csrf, id, Err::<(), _>(error), "").await;
            }
        },
    };
    let submitted = NoticeForm {
        kind: form.kind,
        start: form.start,
        working_days,
        counted_from: Some(form.counted_from).filter(|d| !d.trim().is_empty()),
        body: form.body,
    };
    let done = app.add_eia_notice(&who.0, id, submitted).await;
    after(&app, &who, &csrf, id, done, "notice").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RegroupPost {
    csrf_token: String,
    /// `id,id,…` of the comments ticked (the page's checkboxes all carry this name; the form
    /// reader keeps the last, so the page joins them — see the template).
    comments: String,
    theme: String,
}

async fn regroup(
    State(app): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    StrictForm(form): StrictForm<RegroupPost>,
) -> PageResult {
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let comment_ids: Vec<i64> = form
        .comments
        .split(',')
        .filter_map(|c| c.trim().parse().ok())
        .collect();
    let done = app
        .regroup_eia_comments(
            &who.0,
            id,
            RegroupForm {
                comment_ids,
                theme: form.theme,
            },
        )
        .await;
    after(&app, &who, &csrf, id, done, "regroup").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerPost {
    csrf_token: String,
    theme: String,
    adoption: String,
    reason: String,
}

async fn answer(
    State(app): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    StrictForm(form): StrictForm<AnswerPost>,
) -> PageResult {
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let done = app
        .answer_eia_theme(
            &who.0,
            id,
            AnswerForm {
                theme: form.theme,
                adoption: form.adoption,
                reason: form.reason,
            },
        )
        .await;
    after(&app, &who, &csrf, id, done, "answer").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatementPost {
    csrf_token: String,
    statement: String,
}

async fn statement(
    State(app): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    StrictForm(form): StrictForm<StatementPost>,
) -> PageResult {
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let done = app
        .publish_eia_statement(
            &who.0,
            id,
            StatementForm {
                statement: form.statement,
            },
        )
        .await;
    after(&app, &who, &csrf, id, done, "statement").await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReadPost {
    csrf_token: String,
}

/// Shows who sent a comment (recorded in the audit trail) at the top of the project's page.
async fn commenter(
    State(app): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path((id, comment)): Path<(String, String)>,
    StrictForm(form): StrictForm<ReadPost>,
) -> PageResult {
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let comment = id_of(&comment)?;
    let found: Option<Commenter> = app.eia_commenter(&who.0, id, comment).await?;
    let text = match found {
        None => "该意见未留联系方式。".to_owned(),
        Some(c) => format!(
            "意见提交人：{}；电话：{}；电子邮箱：{}（本次查看已记入审计记录）",
            c.name.as_deref().unwrap_or("未填"),
            c.phone.as_deref().unwrap_or("未填"),
            c.email.as_deref().unwrap_or("未填")
        ),
    };
    show(&app, &who, &csrf, id, StatusCode::OK, None, Some(text)).await
}
