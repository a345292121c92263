//! `/password` — changing one's password (also when it has expired), and `/console/accounts` —
//! an administrator's accounts: disable, enable, end sessions, reset a password.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::staff::ConsoleUser;
use super::{Chrome, PageError, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::extract::ClientIp;
use greenline_app::accounts::MIN_PASSWORD_CHARS;
use greenline_app::{Origin, ServiceError, Settings};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/password", get(password_form).post(change_password))
        .route("/console/accounts", get(accounts))
        .route("/console/accounts/{id}/{action}", post(account_action))
}

/// The rules, as the page states them, with the numbers in force.
fn rules(settings: &Settings) -> String {
    format!(
        "新密码至少 {MIN_PASSWORD_CHARS} 位，须包含大写字母、小写字母、数字、符号中的至少三类，\
         不得包含用户名，且不得与最近 {} 次使用过的密码相同。",
        settings.password_history.max(1)
    )
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    chrome: Chrome,
    title: &'static str,
    username: &'a str,
    rules: String,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

fn password_page<'a>(settings: &Settings, csrf: &Csrf, username: &'a str) -> PasswordPage<'a> {
    PasswordPage {
        chrome: Chrome {
            staff: None,
            csrf: csrf.token.clone(),
            nav: Vec::new(),
        },
        title: "修改密码",
        username,
        rules: rules(settings),
        notice: None,
        error: None,
    }
}

/// The sign-in page's answer to a right but expired password: the form to change it.
pub(super) fn expired(settings: &Settings, csrf: &Csrf, username: &str) -> PageResult {
    let mut page = password_page(settings, csrf, username);
    page.notice = Some("您的密码已超过有效期（或由管理员重置），请设置新密码后再登录。");
    Ok(csrf.attach(render(StatusCode::FORBIDDEN, &page)?))
}

async fn password_form(State(state): State<AppState>, csrf: Csrf) -> PageResult {
    let page = password_page(&state.settings, &csrf, "");
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PasswordForm {
    csrf_token: String,
    username: String,
    current_password: String,
    new_password: String,
    repeat_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<Form<PasswordForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let username = form.username.trim();
    let refuse = |status, error| -> PageResult {
        let mut page = password_page(&state.settings, &csrf, username);
        page.error = Some(error);
        Ok(csrf.attach(render(status, &page)?))
    };
    if username.is_empty() || form.current_password.is_empty() || form.new_password.is_empty() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请填写用户名、当前密码和新密码。",
        );
    }
    if form.new_password != form.repeat_password {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "两次输入的新密码不一致。");
    }
    match state
        .change_password(
            Origin::Address(ip),
            username,
            form.current_password,
            form.new_password,
        )
        .await
    {
        Ok(()) => Ok(see_other("/login?changed=1")),
        Err(ServiceError::Unauthorized) => refuse(
            StatusCode::UNAUTHORIZED,
            "用户名或当前密码不正确，或账户已停用、已暂时锁定。",
        ),
        Err(ServiceError::Invalid(_)) => refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "新密码不符合要求，请按下方规则重新设置。",
        ),
        Err(other) => Err(other.into()),
    }
}

/// One account of the list.
#[derive(Debug)]
struct AccountRow {
    id: i64,
    username: String,
    display_name: String,
    unit: String,
    roles: String,
    state: String,
    disabled: bool,
    password_set: String,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    chrome: Chrome,
    title: &'static str,
    jurisdiction: String,
    rows: Vec<AccountRow>,
    /// What was just done, or a one-time password just set.
    notice: Option<String>,
}

async fn accounts_page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    notice: Option<String>,
) -> PageResult {
    let now = state.now();
    let rows = state
        .accounts(&who.0)
        .await?
        .into_iter()
        .map(|login| {
            let locked = login.locked_until.filter(|until| *until > now);
            let state = match (login.disabled_at, locked) {
                (Some(_), _) => "已停用".to_owned(),
                (None, Some(until)) => format!("已锁定至 {}", local_time(until)),
                (None, None) => "正常".to_owned(),
            };
            AccountRow {
                id: login.staff.id,
                username: login.staff.username.clone(),
                display_name: login.staff.display_name.clone(),
                unit: login.staff.unit.name.clone(),
                roles: login
                    .staff
                    .roles
                    .iter()
                    .map(|r| r.zh())
                    .collect::<Vec<_>>()
                    .join("、"),
                state,
                disabled: login.disabled_at.is_some(),
                password_set: local_time(login.password_set_at),
            }
        })
        .collect();
    let page = AccountsPage {
        chrome: who.chrome(csrf),
        title: "账户管理",
        jurisdiction: who.0.unit.region.full_name(),
        rows,
        notice,
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

async fn accounts(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    accounts_page(&state, &who, &csrf, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    csrf_token: String,
}

async fn account_action(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path((id, action)): Path<(String, String)>,
    posted: Result<Form<ActionForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id: i64 = id.parse().map_err(|_| PageError::BadForm)?;
    let notice = match action.as_str() {
        "disable" => {
            state.set_account_disabled(&who.0, id, true).await?;
            "账户已停用，其会话和接口令牌均已结束。".to_owned()
        }
        "enable" => {
            state.set_account_disabled(&who.0, id, false).await?;
            "账户已启用。".to_owned()
        }
        "end-sessions" => {
            state.end_account_sessions(&who.0, id).await?;
            "该账户的全部会话和接口令牌已结束。".to_owned()
        }
        "reset-password" => {
            let password = state.reset_password(&who.0, id).await?;
            format!(
                "已重置密码。一次性密码：{password}（仅显示一次，请当面或通过安全渠道告知本人；\
                 下次登录时须修改）"
            )
        }
        _ => return Err(PageError::BadForm),
    };
    accounts_page(&state, &who, &csrf, Some(notice)).await
}
