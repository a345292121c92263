//! `/track` — 进度查询: the reporter looks a case up with its tracking number and the secret, or
//! with the phone they reported with and a one-time code sent to it (发送验证码 first; a phone
//! alone proves nothing), through the same core calls as the API. With phone and code they may
//! also have a new secret sent by SMS (重新获取查询码). The page shows the public view only:
//! status, the stages passed, the reply and published result; never staff, notes or the
//! reporter. Everything is posted, so secrets and codes stay out of addresses and logs.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::{Chrome, FieldErrors, PageError, PageResult, local_time, render};
use crate::AppState;
use crate::extract::ClientIp;
use greenline_app::ServiceError;
use greenline_app::cases::track::Proof;
use greenline_app::views::TrackView;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/track", get(form).post(submit))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TrackForm {
    csrf_token: String,
    tracking_no: String,
    secret: String,
    phone: String,
    code: String,
    /// Which button: `track` (查询, the default), `send_code` (发送验证码) or `new_secret`
    /// (重新获取查询码).
    intent: String,
}

/// One stage the case passed, with its China time.
#[derive(Debug)]
struct Step {
    at: String,
    stage: String,
}

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage<'a> {
    chrome: Chrome,
    title: &'static str,
    form: &'a TrackForm,
    errors: FieldErrors,
    /// A lookup that found nothing (said the same way whatever was wrong).
    not_found: bool,
    /// What was done, for the status line: a code sent, a new secret sent.
    done: Option<String>,
    found: Option<TrackView>,
    received_at: String,
    due_on: String,
    steps: Vec<Step>,
}

fn page<'a>(form: &'a TrackForm, csrf: &Csrf) -> TrackPage<'a> {
    TrackPage {
        chrome: Chrome {
            staff: None,
            csrf: csrf.token.clone(),
            nav: Vec::new(),
        },
        title: "进度查询",
        form,
        errors: FieldErrors::default(),
        not_found: false,
        done: None,
        found: None,
        received_at: String::new(),
        due_on: String::new(),
        steps: Vec::new(),
    }
}

async fn form(csrf: Csrf) -> PageResult {
    let blank = TrackForm::default();
    let response = render(StatusCode::OK, &page(&blank, &csrf))?;
    Ok(csrf.attach(response))
}

fn given(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<TrackForm>, PageError>,
) -> PageResult {
    let StrictForm(mut form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let (secret, phone, code) = (given(&form.secret), given(&form.phone), given(&form.code));
    // Neither the secret nor a code is ever sent back into the page.
    form.secret.clear();
    form.code.clear();
    let intent = form.intent.clone();
    let mut view = page(&form, &csrf);
    let number = given(&form.tracking_no);
    if number.is_none() {
        view.errors.add("tracking_no", "请填写受理编号");
    }
    match intent.as_str() {
        "send_code" | "new_secret" if phone.is_none() => {
            view.errors.add("phone", "请填写举报时留下的手机号码");
        }
        "new_secret" if code.is_none() => {
            view.errors
                .add("code", "请先点击“发送验证码”，再填写短信中的验证码");
        }
        "send_code" | "new_secret" => {}
        _ if secret.is_none() && phone.is_some() && code.is_none() => {
            view.errors.add(
                "code",
                "仅凭电话号码不能查询：请先点击“发送验证码”，再填写短信中的验证码",
            );
        }
        _ if secret.is_none() && phone.is_none() => {
            view.errors.add(
                "secret",
                "请填写查询码；没有查询码的，可用举报时留下的手机号码接收验证码",
            );
        }
        _ => {}
    }
    if !view.errors.is_empty() {
        return Ok(csrf.attach(render(StatusCode::UNPROCESSABLE_ENTITY, &view)?));
    }
    let number = number.unwrap_or_default();
    let phone = phone.unwrap_or_default();
    let status = match intent.as_str() {
        "send_code" => match state.request_tracking_code(ip, &number, &phone).await {
            Ok(sent) => {
                view.done = Some(format!(
                    "如果该号码与举报时留下的一致，验证码已通过短信发送，{} 分钟内有效，只能使用一次。",
                    sent.valid_minutes
                ));
                StatusCode::OK
            }
            Err(error) => return code_refused(view, &csrf, error),
        },
        "new_secret" => match state
            .reissue_secret(ip, &number, phone, code.unwrap_or_default())
            .await
        {
            Ok(reissued) => {
                view.done = Some(format!(
                    "新的查询码已通过短信发送至尾号 {} 的手机，原查询码已失效。",
                    reissued.sent_to.trim_start_matches('…')
                ));
                StatusCode::OK
            }
            Err(error) => return code_refused(view, &csrf, error),
        },
        _ => {
            let proof = match secret {
                Some(secret) => Proof::Secret(secret),
                None => Proof::Code {
                    phone,
                    code: code.unwrap_or_default(),
                },
            };
            match state.track(ip, &number, proof).await {
                Ok(found) => {
                    view.received_at = local_time(found.received_at);
                    view.due_on = found
                        .due_on
                        .map(|d| d.format("%Y年%m月%d日").to_string())
                        .unwrap_or_default();
                    view.steps = found
                        .history
                        .iter()
                        .map(|s| Step {
                            at: local_time(s.at),
                            stage: s.stage_zh.clone(),
                        })
                        .collect();
                    view.found = Some(found);
                    StatusCode::OK
                }
                // A malformed number, an unknown case and a wrong secret all read the same.
                Err(
                    ServiceError::NotFound(_)
                    | ServiceError::Invalid(_)
                    | ServiceError::BadParameter { .. },
                ) => {
                    view.not_found = true;
                    StatusCode::NOT_FOUND
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    Ok(csrf.attach(render(status, &view)?))
}

/// A code request or a new secret refused: said beside the field at fault, in Chinese.
fn code_refused(mut view: TrackPage<'_>, csrf: &Csrf, error: ServiceError) -> PageResult {
    let status = match error {
        ServiceError::NotFound(_) => {
            view.not_found = true;
            StatusCode::NOT_FOUND
        }
        ServiceError::Invalid(ref fields) if fields.iter().any(|f| f.field == "tracking_no") => {
            view.errors
                .add("tracking_no", "受理编号格式不正确，例如 GL20261127-0000123");
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::Invalid(_) | ServiceError::BadParameter { .. } => {
            view.errors
                .add("phone", "请填写正确的手机号码（5 至 20 位数字）");
            StatusCode::UNPROCESSABLE_ENTITY
        }
        ServiceError::TooManyAttempts(_) => {
            view.errors.add(
                "phone",
                "获取验证码或尝试次数过多，请一小时后再试，或凭查询码查询",
            );
            StatusCode::TOO_MANY_REQUESTS
        }
        ServiceError::Unavailable(_) => {
            view.errors.add(
                "phone",
                "暂时无法发送短信，请稍后再试，或凭查询码查询、拨打 12369 咨询",
            );
            StatusCode::SERVICE_UNAVAILABLE
        }
        other => return Err(other.into()),
    };
    Ok(csrf.attach(render(status, &view)?))
}
