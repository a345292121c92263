//! `/login` and `/logout` — staff sign-in for the console, opening the same session as the API
//! (`App::sign_in`) and carrying it in the HttpOnly, SameSite=Strict session cookie.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::{Chrome, PageError, PageResult, render, see_other};
use crate::AppState;
use crate::auth::{MaybeSignedIn, SESSION_COOKIE, SignedIn, set_cookie, token_from};
use crate::error::ApiError;
use crate::extract::ClientIp;
use greenline_app::ServiceError;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(form).post(submit))
        .route("/logout", post(logout))
}

/// A signed-in staff member on a console page; anyone else is sent to the sign-in page.
#[derive(Debug)]
pub(crate) struct ConsoleUser(pub SignedIn);

impl ConsoleUser {
    pub fn chrome(&self, csrf: &Csrf) -> Chrome {
        let scope = self.0.scope();
        let mut nav = Vec::new();
        if scope.can_register() {
            nav.push(("/console/intake", "来电登记"));
        }
        if scope.takes_steps() {
            nav.push(("/console/queue", "待办"));
        }
        if self.0.jurisdiction().is_ok() {
            nav.push(("/console", "案件列表"));
            nav.push(("/console/disclosure", "依申请公开"));
        }
        if scope.leads_with_figures() {
            nav.push(("/console/dashboard", "数据分析"));
        }
        if scope.can_write_answers() || scope.can_review_answers() {
            nav.push(("/console/answers", "常见问题"));
        }
        if self.0.jurisdiction().is_ok() {
            nav.push(("/console/eia", "环评公众参与"));
        }
        if scope.can_manage_accounts() {
            nav.push(("/console/admin", "系统管理"));
            nav.push(("/console/accounts", "账户管理"));
        }
        if scope.can_read_audit() {
            nav.push(("/console/audit", "审计记录"));
        }
        nav.push(("/password", "修改密码"));
        Chrome {
            staff: Some(format!("{}（{}）", self.0.display_name, self.0.unit.name)),
            csrf: csrf.token.clone(),
            nav,
        }
    }
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match MaybeSignedIn::from_request_parts(parts, state).await {
            Ok(MaybeSignedIn(Some(who))) => Ok(ConsoleUser(who)),
            Ok(MaybeSignedIn(None)) | Err(ApiError::Service(ServiceError::Unauthorized)) => {
                Err(see_other("/login"))
            }
            Err(ApiError::Service(error)) => Err(PageError::from(error).into_response()),
            Err(_) => Err(PageError::BadForm.into_response()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginForm {
    csrf_token: String,
    username: String,
    password: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    chrome: Chrome,
    title: &'static str,
    username: &'a str,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

fn page<'a>(csrf: &Csrf, username: &'a str, error: Option<&'static str>) -> LoginPage<'a> {
    LoginPage {
        chrome: Chrome {
            staff: None,
            csrf: csrf.token.clone(),
            nav: Vec::new(),
        },
        title: "工作人员登录",
        username,
        error,
        notice: None,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LoginQuery {
    changed: Option<String>,
}

async fn form(csrf: Csrf, Query(query): Query<LoginQuery>) -> PageResult {
    let mut page = page(&csrf, "", None);
    if query.changed.is_some() {
        page.notice = Some("密码已修改，请使用新密码登录。");
    }
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<LoginForm>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let username = form.username.trim();
    if username.is_empty() || form.password.is_empty() {
        let page = page(&csrf, username, Some("请输入用户名和密码"));
        return Ok(csrf.attach(render(StatusCode::UNPROCESSABLE_ENTITY, &page)?));
    }
    match state.sign_in(ip, username, form.password).await {
        Ok(session) => {
            let hours = i64::from(state.settings.session_hours);
            let mut response = see_other("/console");
            response.headers_mut().insert(
                header::SET_COOKIE,
                cookie_header(set_cookie(
                    &state,
                    SESSION_COOKIE,
                    &session.token,
                    Some(hours * 3600),
                ))?,
            );
            Ok(response)
        }
        Err(ServiceError::Unauthorized) => {
            let page = page(
                &csrf,
                username,
                Some(
                    "用户名或密码不正确，或账户已停用、已暂时锁定。连续输错多次后账户将锁定一段时间。",
                ),
            );
            Ok(csrf.attach(render(StatusCode::UNAUTHORIZED, &page)?))
        }
        Err(ServiceError::PasswordExpired) => {
            super::accounts::expired(&state.settings, &csrf, username)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LogoutForm {
    csrf_token: String,
}

async fn logout(
    State(state): State<AppState>,
    who: Result<MaybeSignedIn, ApiError>,
    headers: HeaderMap,
    posted: Result<Form<LogoutForm>, FormRejection>,
) -> PageResult {
    let form = posted.map(|Form(f)| f).unwrap_or_default();
    csrf::verify(&headers, &form.csrf_token)?;
    if let (Ok(MaybeSignedIn(Some(who))), Some(token)) = (who, token_from(&headers)) {
        state.sign_out(&who, &token).await?;
    }
    let mut response = see_other("/login");
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie_header(set_cookie(&state, SESSION_COOKIE, "", Some(0)))?,
    );
    Ok(response)
}

/// A cookie header that could not be made is a failure of the page.
fn cookie_header(
    made: Result<axum::http::HeaderValue, axum::http::header::InvalidHeaderValue>,
) -> Result<axum::http::HeaderValue, PageError> {
    made.map_err(|e| PageError::from(ServiceError::internal(e)))
}
