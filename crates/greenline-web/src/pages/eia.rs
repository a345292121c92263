//! The public pages of EIA participation (环评公众参与): `/eia` (the projects with a notice up),
//! `/eia/{id}` (a project: its notices with their dates, whether comments are taken today
//! and until when, or when the next window opens; the comment form while one is open; the
//! themes, and once published the participation statement with the answers), the form's post
//! `/eia/{id}/comment`, and `/eia/feed.atom` (the notices, with ETag and Last-Modified like
//! the results feed).
//!
//! Each handler calls one use case of `greenline_app::eia` and renders; what the core hands
//! out holds no commenter's identity and its texts are masked.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use greenline_app::ServiceError;
use greenline_app::eia::projects::WindowState;
use greenline_app::eia::public::{PublicProject, PublicProjectItem};
use greenline_domain::deadline::china_time;
use greenline_domain::eia::CommentForm;
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::results::{Feed, FeedEntry, atom, atom_time};
use super::{Chrome, FieldErrors, PageError, PageResult, render, see_other};
use crate::AppState;
use crate::extract::ClientIp;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/eia", get(list))
        .route("/eia/feed.atom", get(feed))
        .route("/eia/{id}", get(project))
        .route("/eia/{id}/comment", post(comment))
}

/// `2026年12月7日`.
pub(super) fn zh_date(day: NaiveDate) -> String {
    day.format("%Y年%-m月%-d日").to_string()
}

/// Today's comment window in one sentence.
pub(super) fn window_zh(window: &WindowState) -> String {
    match (&window.open, window.closes_on, window.next_opens_on) {
        (Some(kind), Some(closes), _) => format!(
            "正在征求公众意见（{}），截止{}（含当日）。",
            kind_zh(kind),
            zh_date(closes)
        ),
        (_, _, Some(next)) => format!("目前不在意见征集期，下一次征集将于{}开始。", zh_date(next)),
        _ => "目前不在意见征集期，暂无已安排的意见征集。".to_owned(),
    }
}

fn kind_zh(code: &str) -> &'static str {
    greenline_domain::eia::NoticeKind::parse(code).map_or("公示", |k| k.zh())
}

struct ListRow {
    id: i64,
    name: String,
    place: String,
    developer: String,
    latest: String,
    window: String,
    open: bool,
}

#[derive(Template)]
#[template(path = "eia_list.html")]
struct ListPage {
    chrome: Chrome,
    title: &'static str,
    rows: Vec<ListRow>,
}

fn row(item: PublicProjectItem) -> ListRow {
    ListRow {
        id: item.project.id,
        name: item.project.name,
        place: format!("{}{}", item.project.region_name, item.project.location),
        developer: item.project.developer,
        latest: format!(
            "{} · {}起",
            item.latest_notice.kind_zh,
            zh_date(item.latest_notice.start)
        ),
        window: window_zh(&item.window),
        open: item.window.open.is_some(),
    }
}

async fn list(State(app): State<AppState>) -> PageResult {
    let rows = app
        .public_eia_projects()
        .await?
        .into_iter()
        .map(row)
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            chrome: Chrome::default(),
            title: "环评公众参与",
            rows,
        },
    )
}

struct NoticeRow {
    kind_zh: String,
    period: String,
    body: String,
    takes_comments: bool,
    warning: Option<String>,
}

struct CommentRow {
    day: String,
    text: String,
}

struct ThemeRow {
    theme: String,
    count: usize,
    answer: Option<(String, String)>,
    comments: Vec<CommentRow>,
}

/// What the form keeps after a refused post.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CommentPageForm {
    csrf_token: String,
    text: String,
    name: String,
    phone: String,
    email: String,
}

#[derive(Template)]
#[template(path = "eia_project.html")]
struct ProjectPage {
    chrome: Chrome,
    title: String,
    id: i64,
    facts: Vec<(&'static str, String)>,
    notices: Vec<NoticeRow>,
    window: String,
    open: bool,
    closes_on: String,
    themes: Vec<ThemeRow>,
    statement: Option<String>,
    form: CommentPageForm,
    errors: FieldErrors,
    refused: Option<String>,
    sent: bool,
}

fn project_page(p: PublicProject, csrf: &Csrf) -> ProjectPage {
    let project = p.project;
    let facts = vec![
        ("建设单位", project.developer),
        (
            "建设地点",
            format!("{}{}", project.region_name, project.location),
        ),
        ("项目类别", project.project_type_zh),
        ("环评文件编制单位", project.consultant),
        ("审批部门", project.unit_name),
    ];
    let notices = p
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
            takes_comments: n.takes_comments,
            warning: n.warning,
        })
        .collect();
    let themes = p
        .themes
        .into_iter()
        .map(|t| ThemeRow {
            theme: t.theme,
            count: t.count,
            answer: t.answer.map(|a| (a.adoption_zh, a.reason)),
            comments: t
                .comments
                .into_iter()
                .map(|c| CommentRow {
                    day: zh_date(c.received_on),
                    text: c.text,
                })
                .collect(),
        })
        .collect();
    ProjectPage {
        chrome: Chrome {
            csrf: csrf.token.clone(),
            ..Chrome::default()
        },
        title: project.name,
        id: project.id,
        facts,
        notices,
        window: window_zh(&p.window),
        open: p.window.open.is_some(),
        closes_on: p.window.closes_on.map(zh_date).unwrap_or_default(),
        themes,
        statement: project.statement,
        form: CommentPageForm::default(),
        errors: FieldErrors::default(),
        refused: None,
        sent: false,
    }
}

#[derive(Debug, Default, Deserialize)]
struct ProjectQuery {
    sent: Option<String>,
}

fn project_id(id: &str) -> Result<i64, PageError> {
    id.parse()
        .map_err(|_| PageError::Service(ServiceError::NotFound("project")))
}

async fn project(
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<ProjectQuery>,
    csrf: Csrf,
) -> PageResult {
    let p = app.public_eia_project(project_id(&id)?).await?;
    let mut page = project_page(p, &csrf);
    page.sent = query.sent.is_some();
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

/// A comment field's message in Chinese.
fn field_message(field: &str) -> &'static str {
    match field {
        "text" => "请填写您的意见，不超过2000字。",
        "name" => "姓名不超过50字。",
        "phone" => "请填写正确的电话号码，或不填。",
        "email" => "请填写正确的电子邮箱，或不填。",
        _ => "请检查填写的内容。",
    }
}

async fn comment(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
    csrf: Csrf,
    StrictForm(form): StrictForm<CommentPageForm>,
) -> PageResult {
    csrf::verify(&headers, &form.csrf_token)?;
    let id = project_id(&id)?;
    let optional = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let submitted = CommentForm {
        text: form.text.clone(),
        name: optional(&form.name),
        phone: optional(&form.phone),
        email: optional(&form.email),
    };
    let refusal = match app.comment_on_eia_project(Some(ip), id, submitted).await {
        Ok(_) => return Ok(see_other(&format!("/eia/{id}?sent=1#comment"))),
        Err(refusal) => refusal,
    };
    let (status, errors, refused) = match refusal {
        ServiceError::Invalid(fields) => {
            let mut errors = FieldErrors::default();
            for f in fields {
                errors.add(&f.field, field_message(&f.field));
            }
            (StatusCode::UNPROCESSABLE_ENTITY, errors, None)
        }
        ServiceError::Conflict { .. } => (
            StatusCode::CONFLICT,
            FieldErrors::default(),
            Some("您的意见未能提交：".to_owned()),
        ),
        other => return Err(other.into()),
    };
    let p = app.public_eia_project(id).await?;
    let mut page = project_page(p, &csrf);
    page.refused = refused.map(|r| format!("{r}{}", page.window));
    page.errors = errors;
    page.form = CommentPageForm {
        csrf_token: String::new(),
        ..form
    };
    Ok(csrf.attach(render(status, &page)?))
}

/// Notices in the feed.
const FEED_ENTRIES: i64 = 50;

/// The first instant of `day` in China.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china_time()).single())
        .map_or(DateTime::UNIX_EPOCH, |t| t.with_timezone(&Utc))
}

/// `GET /eia/feed.atom` — the latest notices up today, newest first; 304 to a client that has
/// this version.
async fn feed(State(app): State<AppState>, headers: HeaderMap) -> Result<Response, PageError> {
    let notices = app.eia_notice_feed(FEED_ENTRIES).await?;
    let updated_at = notices
        .iter()
        .map(|n| start_of(n.notice.start))
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let entries = notices
        .into_iter()
        .map(|n| {
            let at = start_of(n.notice.start);
            let period = if n.notice.working_days == 0 {
                format!("{}发布。", zh_date(n.notice.start))
            } else {
                format!(
                    "公示期{}至{}（{}个工作日）。",
                    zh_date(n.notice.start),
                    zh_date(n.notice.last_day),
                    n.notice.working_days
                )
            };
            FeedEntry {
                id: format!("tag:greenline,2026:eia/notices/{}", n.notice.id),
                title: format!("{}：{}", n.project_name, n.notice.kind_zh),
                href: format!("/eia/{}", n.project_id),
                updated: atom_time(at),
                published: Some(atom_time(at)),
                summary: format!("{}{period}{}", n.region_name, n.notice.body),
                category: n.notice.kind_zh,
            }
        })
        .collect();
    let feed = Feed {
        id: "tag:greenline,2026:eia".to_owned(),
        title: "环评公众参与 · 公示".to_owned(),
        updated: atom_time(updated_at),
        self_href: "/eia/feed.atom".to_owned(),
        alternate_href: "/eia".to_owned(),
        entries,
    };
    atom(&feed, updated_at, &headers)
}
