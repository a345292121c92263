//! Server-rendered pages in Simplified Chinese: the public portal (home, 我要举报, 进度查询,
//! 环评公众参与) and the staff console (sign-in, case list, case detail with its actions).
//!
//! Pages are thin: they parse a form, call one use case of the application core (the same one
//! the API calls: intake, tracking, the case list, search, a step, a review, a merge), and render
//! the answer. They hold no SQL and no rules of their own, and map the core's errors to Chinese
//! error pages in one place (`error_text`).
//!
//! Templates use askama: they are compiled into the binary together with the Rust code, so a
//! template that names a missing field or method fails the build instead of a request, rendering
//! needs no template lookup at run time, and escaping of HTML is on by default. (minijinja would
//! also do, but checks templates only when they render.) CSS, JavaScript and the icon are embedded
//! with `include_str!` and served under `/static/`; the pages load nothing from elsewhere, and the
//! Content-Security-Policy sent with every page says so to the browser.
//!
//! Every form post carries a CSRF token that must match a SameSite=Strict cookie (see [`csrf`]).

mod accounts;
mod admin;
mod air;
mod answer_desk;
mod answers;
mod assets;
mod attachments;
mod audit;
mod console;
pub mod csrf;
mod dashboard;
mod desk;
mod disclosure;
mod disclosure_request;
mod eia;
mod eia_console;
pub(crate) mod form;
mod home;
mod interfaces;
mod map;
mod queue;
mod report;
mod results;
mod staff;
mod track;

use askama::Template;
use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, FixedOffset, Utc};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;
use greenline_app::ServiceError;

/// The page routes, with the headers every page carries (the rest of the security headers are
/// added around the whole application: see [`crate::security_headers`]).
pub fn router(settings: &greenline_app::Settings) -> Router<AppState> {
    let map = map::MapConfig::from_settings(settings);
    if map.is_none()
        && settings
            .map_tiles
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
    {
        tracing::warn!(
            "map_tiles {:?} with map_datum {:?}: not an http(s) template with a plain host, \
             or not wgs84/gcj02; no map is drawn",
            settings.map_tiles,
            settings.map_datum
        );
    }
    let policy = content_security_policy(map.as_ref());
    Router::new()
        .merge(home::routes())
        .merge(air::routes())
        .merge(answers::routes())
        .merge(answer_desk::routes())
        .merge(report::routes())
        .merge(track::routes())
        .merge(disclosure::routes())
        .merge(disclosure_request::routes())
        .merge(results::routes())
        .merge(eia::routes())
        .merge(eia_console::routes())
        .merge(staff::routes())
        .merge(console::routes())
        .merge(attachments::routes())
        .merge(desk::routes())
        .merge(dashboard::routes())
        .merge(queue::routes())
        .merge(accounts::routes())
        .merge(interfaces::routes())
        .merge(admin::routes())
        .merge(audit::routes())
        .merge(assets::routes())
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            policy,
        ))
        // Links between pages keep their referrer (the site's own logs); links out do not.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// Whether `path` belongs to the machine interfaces (answered in JSON), not to the pages.
pub(crate) fn is_api_path(path: &str) -> bool {
    ["/api/", "/healthz", "/readyz", "/metrics"]
        .iter()
        .any(|prefix| path == prefix.trim_end_matches('/') || path.starts_with(prefix))
}

/// The Chinese page for an address that names no page, with the pages' own headers (the
/// fallback sits outside [`router`]'s layers).
pub(crate) fn not_found() -> Response {
    let mut response = PageError::Service(ServiceError::NotFound("page")).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Only our own origin may supply scripts, styles, images and form targets.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The policy with the map's tile server (if one is set) allowed to supply images.
fn content_security_policy(map: Option<&map::MapConfig>) -> HeaderValue {
    let tiles = map.and_then(|m| map::tile_origin(&m.tiles));
    match tiles {
        None => HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        Some(origin) => {
            let policy = CONTENT_SECURITY_POLICY.replacen(
                "img-src 'self' data:;",
                &format!("img-src 'self' data: {origin};"),
                1,
            );
            HeaderValue::from_str(&policy)
                .unwrap_or_else(|_| HeaderValue::from_static(CONTENT_SECURITY_POLICY))
        }
    }
}

/// What the layout needs besides the page itself.
#[derive(Debug, Default)]
pub(crate) struct Chrome {
    /// The signed-in staff member's name and unit, for the console's header.
    pub staff: Option<String>,
    /// The CSRF token for the sign-out button and any form on the page.
    pub csrf: String,
    /// The console's links the staff member's roles open: (address, label).
    pub nav: Vec<(&'static str, &'static str)>,
}

/// Renders a template as an HTML page with `status`. Pages are never cached: some carry a
/// reporter's secret or a staff member's cases.
pub(crate) fn render(status: StatusCode, page: &impl Template) -> Result<Response, PageError> {
    let html = page.render().map_err(|e| {
        PageError::Service(ServiceError::internal(anyhow::anyhow!("template: {e}")))
    })?;
    Ok((
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response())
}

/// A failure shown as a page: the one place where the core's errors become HTML, with the
/// status the API would give and a Chinese explanation; internals of a 5xx are logged, never
/// shown.
#[derive(Debug)]
pub enum PageError {
    Service(ServiceError),
    /// A form or address that does not parse: nothing done.
    BadForm,
    /// A form larger than any the site takes: nothing done.
    TooLarge,
    /// A form post without a matching CSRF token: refused, nothing done.
    StaleForm,
    /// A form field whose bytes are not UTF-8 (named as posted): refused, nothing done.
    NotUtf8 {
        field: String,
    },
}

impl From<axum::extract::rejection::FormRejection> for PageError {
    fn from(rejection: axum::extract::rejection::FormRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            PageError::TooLarge
        } else {
            PageError::BadForm
        }
    }
}

impl From<ServiceError> for PageError {
    fn from(error: ServiceError) -> Self {
        PageError::Service(error)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    chrome: Chrome,
    title: &'a str,
    message: &'a str,
}

const BAD: (&str, &str) = (
    "请求有误",
    "提交的内容不完整或格式不正确，请返回检查后重试。",
);

/// The status, Chinese title and explanation of a page's failure.
fn error_page(error: &PageError) -> (StatusCode, &'static str, String) {
    let (status, title, message) = match error {
        PageError::NotUtf8 { field } => {
            return (
                StatusCode::BAD_REQUEST,
                BAD.0,
                format!(
                    "“{}”中含有无法识别的字符（不是有效的 UTF-8 编码），内容未提交。请返回重新输入后再提交。",
                    form::field_zh(field)
                ),
            );
        }
        other => static_error_page(other),
    };
    (status, title, message.to_owned())
}

fn static_error_page(error: &PageError) -> (StatusCode, &'static str, &'static str) {
    let error = match error {
        PageError::BadForm | PageError::NotUtf8 { .. } => {
            return (StatusCode::BAD_REQUEST, BAD.0, BAD.1);
        }
        PageError::TooLarge => {
            return (
                StatusCode::PAYLOAD_TOO_LARGE,
                "内容过长",
                "提交的内容超过了允许的长度，请删减后重试。",
            );
        }
        PageError::StaleForm => {
            return (
                StatusCode::FORBIDDEN,
                "页面已过期",
                "无法确认该表单来自本站，内容未提交。请返回上一页，刷新后重新提交。",
            );
        }
        PageError::Service(error) => error,
    };
    error_text(error)
}

/// The status, Chinese title and explanation of the core's error.
pub(crate) fn error_text(error: &ServiceError) -> (StatusCode, &'static str, &'static str) {
    match error {
        ServiceError::BadParameter { .. } => (StatusCode::BAD_REQUEST, BAD.0, BAD.1),
        ServiceError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, BAD.0, BAD.1),
        ServiceError::Unauthorized => (
            StatusCode::UNAUTHORIZED,
            "请先登录",
            "该页面仅供工作人员使用，请先登录。",
        ),
        ServiceError::PasswordExpired => (
            StatusCode::FORBIDDEN,
            "密码已过期",
            "您的密码已超过有效期，请先修改密码再登录。",
        ),
        ServiceError::Forbidden(_) => (
            StatusCode::FORBIDDEN,
            "无权操作",
            "您没有进行此操作的权限。",
        ),
        ServiceError::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "未找到",
            "您要找的页面或案件不存在，或不在您的管辖范围内。",
        ),
        ServiceError::Conflict { .. } => (
            StatusCode::CONFLICT,
            "无法完成操作",
            "案件当前所处阶段不允许此操作，可能已被他人处理，请刷新后重试。",
        ),
        ServiceError::TooManyRequests => (
            StatusCode::TOO_MANY_REQUESTS,
            "操作过于频繁",
            "您的操作过于频繁，请一分钟后再试。",
        ),
        ServiceError::TooManyAttempts(_) => (
            StatusCode::TOO_MANY_REQUESTS,
            "尝试次数过多",
            "该案件的查询验证失败次数过多，已暂停查询，请一小时后再试。",
        ),
        ServiceError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            "系统繁忙",
            "当前访问人数较多，请稍等片刻后再试。您填写的内容尚未提交。",
        ),
        ServiceError::Unavailable(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "暂时无法受理",
            "该地区尚未设立受理机构，请拨打 12345 政务服务便民热线反映。",
        ),
        ServiceError::Internal(cause) => {
            tracing::error!(error = ?cause, "page request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统繁忙",
                "系统暂时无法完成您的请求，请稍后再试。",
            )
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            PageError::Service(error) => crate::error::retry_after(error),
            _ => None,
        };
        let mut response = self.render();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(seconds),
            );
        }
        response
    }
}

impl PageError {
    fn render(self) -> Response {
        let (status, title, message) = error_page(&self);
        let page = ErrorPage {
            chrome: Chrome::default(),
            title,
            message: &message,
        };
        match page.render() {
            Ok(html) => (
                status,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                html,
            )
                .into_response(),
            Err(_) => (status, message).into_response(),
        }
    }
}

pub(crate) type PageResult = Result<Response, PageError>;

/// A redirect after a post (303, so the browser follows with a GET).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// China Standard Time, in which every time on the pages is shown.
fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("UTC+8 is a valid offset"))
}

/// `2026-11-27 10:00`, China time.
pub(crate) fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&china())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Form fields with their error messages, in the order the form shows them.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.0.push((field.to_owned(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(String, String)> {
        self.0.iter()
    }
}
