//! `/console/admin/interfaces` — an administrator's open interfaces: the Open311 clients and
//! the 12345 centres, each registered with its key shown once, and revoked. Each handler calls
//! one use case of `greenline_app::open311::clients` or `greenline_app::transfers`.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use greenline_app::ServiceError;
use greenline_app::transfers::NewCentre;
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::staff::ConsoleUser;
use super::{Chrome, PageError, PageResult, local_time, render};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/admin/interfaces", get(index))
        .route("/console/admin/interfaces/clients", post(add_client))
        .route(
            "/console/admin/interfaces/clients/{id}/revoke",
            post(revoke_client),
        )
        .route("/console/admin/interfaces/centres", post(add_centre))
        .route(
            "/console/admin/interfaces/centres/{id}/revoke",
            post(revoke_centre),
        )
}

struct ClientRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    used: String,
    revoked: bool,
}

struct CentreRow {
    id: i64,
    code: String,
    name: String,
    region: String,
    prefix: String,
    callback: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "admin_interfaces.html")]
struct InterfacesPage {
    chrome: Chrome,
    title: &'static str,
    clients: Vec<ClientRow>,
    centres: Vec<CentreRow>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    notice: Option<String>,
    error: Option<String>,
) -> PageResult {
    let clients = state
        .open311_clients(&who.0)
        .await?
        .into_iter()
        .map(|c| ClientRow {
            id: c.id,
            name: c.name,
            prefix: format!("{}…", c.key_prefix),
            created: local_time(c.created_at),
            used: c.last_used_at.map_or_else(|| "从未".to_owned(), local_time),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    let centres = state
        .transfer_centres(&who.0)
        .await?
        .into_iter()
        .map(|c| CentreRow {
            id: c.id,
            code: c.code,
            name: c.name,
            region: c.region.full_name(),
            prefix: format!("{}…", c.key_prefix),
            callback: c.callback_url.unwrap_or_else(|| "未设置".to_owned()),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = InterfacesPage {
        chrome: who.chrome(csrf),
        title: "对外接口",
        clients,
        centres,
        notice,
        error,
    };
    Ok(csrf.attach(render(status, &page)?))
}

/// A refusal the page shows above its forms; anything else as the error page.
fn refused(error: ServiceError) -> Result<String, PageError> {
    match error {
        ServiceError::Invalid(fields) => Ok(fields
            .iter()
            .map(|f| match f.field.as_str() {
                "name" => "名称须为 1 至 64 个字符。",
                "code" => "中心代码须为 2 至 32 个字母、数字、“-”或“_”。",
                "region" => "服务地区代码不正确。",
                "callback_url" => "结果推送地址须以 http:// 或 https:// 开头。",
                _ => "填写的内容有误。",
            })
            .collect::<Vec<_>>()
            .join("")),
        ServiceError::Conflict { .. } => Ok("该中心代码已被使用。".to_owned()),
        other => Err(other.into()),
    }
}

async fn index(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    page(&state, &who, &csrf, None, None).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ClientForm {
    csrf_token: String,
    name: String,
}

async fn add_client(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<Form<ClientForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    match state.issue_open311_key(&who.0, &form.name).await {
        Ok((client, key)) => {
            let notice = format!(
                "已登记“{}”。接口密钥：{key}（仅显示一次，请通过安全渠道交给对方）",
                client.name
            );
            page(&state, &who, &csrf, Some(notice), None).await
        }
        Err(error) => page(&state, &who, &csrf, None, Some(refused(error)?)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CentreForm {
    csrf_token: String,
    code: String,
    name: String,
    region: String,
    callback_url: String,
}

async fn add_centre(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<Form<CentreForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let new = NewCentre {
        code: form.code,
        name: form.name,
        region: form.region,
        callback_url: Some(form.callback_url).filter(|u| !u.trim().is_empty()),
    };
    match state.issue_transfer_centre(&who.0, new).await {
        Ok(issued) => {
            let secret = issued
                .callback_secret
                .map(|s| format!("；结果推送签名密钥：{s}"))
                .unwrap_or_default();
            let notice = format!(
                "已登记“{}”。接入密钥：{}{secret}（仅显示一次，请通过安全渠道交给对方）",
                issued.centre.name, issued.key
            );
            page(&state, &who, &csrf, Some(notice), None).await
        }
        Err(error) => page(&state, &who, &csrf, None, Some(refused(error)?)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionForm {
    csrf_token: String,
}

async fn revoke_client(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<ActionForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id: i64 = id.parse().map_err(|_| PageError::BadForm)?;
    state.revoke_open311_key(&who.0, id).await?;
    page(
        &state,
        &who,
        &csrf,
        Some("密钥已吊销，该应用的提交将被拒绝。".to_owned()),
        None,
    )
    .await
}

async fn revoke_centre(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<ActionForm>, FormRejection>,
) -> PageResult {
    let Form(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id: i64 = id.parse().map_err(|_| PageError::BadForm)?;
    state.revoke_transfer_centre(&who.0, id).await?;
    page(
        &state,
        &who,
        &csrf,
        Some("密钥已吊销，该中心的转办将被拒绝。".to_owned()),
        None,
    )
    .await
}
