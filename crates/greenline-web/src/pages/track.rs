//! `/track` — 进度查询: the reporter looks a case up with its tracking number and the secret, or
//! with the phone they reported with and a one-time code sent to it (发送验证码 first; a phone
//! alone proves nothing), through the same core calls as the API. With phone and code they may
//! also have a new secret sent by SMS (重新获取查询码). The page shows the reporter's view only:
//! status, the stages passed, their own text, the reply and published result; never staff or
//! notes. Everything is posted, so secrets and codes stay out of addresses and logs.
//!
//! A successful lookup leaves the reporter's pass (see `greenline_app::cases::pass`) in an
//! HttpOnly cookie for half an hour: `GET /track` then shows the case again, and the reporter
//! rates the reply (`POST /track/rating`) or asks for a review (`POST /track/review`) without
//! typing the secret again. `POST /track/leave` ends it.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use greenline_domain::case::MAX_TEXT_CHARS;
use greenline_domain::{CallbackForm, Satisfaction};
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
    Router::new()
        .route("/track", get(form).post(submit))
        .route("/track/rating", post(rate))
        .route("/track/review", post(review))
        .route("/track/leave", post(leave))
}

/// The cookie holding the reporter's pass.
const PASS_COOKIE: &str = "greenline_track";
/// How long the browser keeps it (the pass itself expires at the same time).
const PASS_SECONDS: i64 = 30 * 60;

/// The rating form under a replied case.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RatingPost {
    csrf_token: String,
    satisfaction: String,
    solved: String,
    note: String,
}

/// The review request form under a replied petition.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReviewPost {
    csrf_token: String,
    reason: String,
}

/// The three answers of a rating, with the one chosen.
fn satisfaction_choices(chosen: &str) -> Vec<(&'static str, &'static str, bool)> {
    Satisfaction::ALL
        .into_iter()
        .map(|s| (s.code(), s.zh(), s.code() == chosen))
        .collect()
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
    review_until: String,
    steps: Vec<Step>,
    /// What the last action on the page did, said to the reporter.
    notice: Option<String>,
    satisfaction: Vec<(&'static str, &'static str, bool)>,
    rating: RatingPost,
    review: ReviewPost,
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
        review_until: String::new(),
        steps: Vec::new(),
        notice: None,
        satisfaction: satisfaction_choices(""),
        rating: RatingPost::default(),
        review: ReviewPost::default(),
    }
}

fn zh_date(day: chrono::NaiveDate) -> String {
    day.format("%Y年%m月%d日").to_string()
}

impl TrackPage<'_> {
    /// The page showing `found`.
    fn show(&mut self, found: TrackView) {
        self.received_at = local_time(found.received_at);
        self.due_on = found.due_on.map(zh_date).unwrap_or_default();
        self.review_until = found.review_until.map(zh_date).unwrap_or_default();
        self.steps = found
            .history
            .iter()
            .map(|s| Step {
                at: local_time(s.at),
                stage: s.stage_zh.clone(),
            })
            .collect();
        self.found = Some(found);
    }
}

/// The pass cookie set, or ended with an age of 0.
fn with_pass(state: &AppState, mut response: Response, pass: &str, seconds: i64) -> Response {
    if let Ok(value) = crate::auth::set_cookie(state, PASS_COOKIE, pass, Some(seconds)) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

async fn form(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
) -> PageResult {
    let blank = TrackForm::default();
    let mut view = page(&blank, &csrf);
    // A reporter who looked their case up a moment ago sees it again.
    if let Some(pass) = crate::auth::cookie(&headers, PASS_COOKIE) {
        match state.track_with_pass(ip, &pass).await {
            Ok(found) => view.show(found),
            Err(ServiceError::NotFound(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let response = render(StatusCode::OK, &view)?;
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
    let (status, pass) = match intent.as_str() {
        "send_code" => match state.request_tracking_code(ip, &number, &phone).await {
            Ok(sent) => {
                view.done = Some(format!(
                    "如果该号码与举报时留下的一致，验证码已通过短信发送，{} 分钟内有效，只能使用一次。",
                    sent.valid_minutes
                ));
                (StatusCode::OK, None)
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
                (StatusCode::OK, None)
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
            match state.open_track(ip, &number, proof).await {
                Ok((found, pass)) => {
                    view.show(found);
                    (StatusCode::OK, Some(pass))
                }
                // A malformed number, an unknown case and a wrong secret all read the same.
                Err(
                    ServiceError::NotFound(_)
                    | ServiceError::Invalid(_)
                    | ServiceError::BadParameter { .. },
                ) => {
                    view.not_found = true;
                    (StatusCode::NOT_FOUND, None)
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    let response = csrf.attach(render(status, &view)?);
    Ok(match pass {
        Some(pass) => with_pass(&state, response, &pass, PASS_SECONDS),
        None => response,
    })
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

/// The page after a rating or a review request: the case as it is now, through the pass (the
/// lookup form again, saying so, once the pass has expired).
async fn shown_again(
    state: &AppState,
    ip: std::net::IpAddr,
    pass: &str,
    mut view: TrackPage<'_>,
    status: StatusCode,
    csrf: &Csrf,
) -> PageResult {
    match state.track_with_pass(ip, pass).await {
        Ok(found) => view.show(found),
        Err(ServiceError::NotFound(_)) => return expired(csrf),
        Err(other) => return Err(other.into()),
    }
    Ok(csrf.attach(render(status, &view)?))
}

/// The lookup form again when the pass has expired, saying so.
fn expired(csrf: &Csrf) -> PageResult {
    let blank = TrackForm::default();
    let mut view = page(&blank, csrf);
    view.notice = Some("查询已超时，请重新输入受理编号和查询码。".to_owned());
    Ok(csrf.attach(render(StatusCode::UNAUTHORIZED, &view)?))
}

async fn rate(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<RatingPost>, PageError>,
) -> PageResult {
    let StrictForm(rating) = posted?;
    csrf::verify(&headers, &rating.csrf_token)?;
    let Some(pass) = crate::auth::cookie(&headers, PASS_COOKIE) else {
        return expired(&csrf);
    };
    let blank = TrackForm::default();
    let mut view = page(&blank, &csrf);
    let satisfaction = Satisfaction::parse(&rating.satisfaction);
    if satisfaction.is_none() {
        view.errors.add("satisfaction", "请选择您对办理结果的评价");
    }
    let solved = match rating.solved.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => {
            view.errors.add("solved", "请选择问题是否已经解决");
            None
        }
    };
    let mut status = StatusCode::OK;
    if let (Some(satisfaction), Some(solved)) = (satisfaction, solved) {
        let note = given(&rating.note);
        let form = CallbackForm {
            satisfaction,
            solved,
            note,
        };
        match state.rate_reply_with_pass(ip, &pass, &form).await {
            Ok(receipt) => {
                view.notice = Some(match (receipt.followup, receipt.review_until) {
                    (greenline_domain::Followup::Reopened, _) => {
                        "感谢您的评价。您反映的问题尚未解决，已重新交办理单位办理。".to_owned()
                    }
                    (greenline_domain::Followup::ReviewAvailable, Some(until)) => format!(
                        "感谢您的评价。您反映的问题尚未解决，可以在{}前申请复查（见下方）。",
                        zh_date(until)
                    ),
                    _ => "感谢您的评价。".to_owned(),
                });
            }
            Err(ServiceError::NotFound(_)) => return expired(&csrf),
            Err(ServiceError::Conflict { .. }) => {
                view.notice = Some("您已评价过这次答复。".to_owned());
            }
            Err(ServiceError::Invalid(found)) => {
                // The note is the only answer the rules can find fault with (its length), or
                // the case left the stages that take a rating meanwhile.
                let message = if found.iter().any(|f| f.field == "note") {
                    format!("补充说明过长，请删减到 {MAX_TEXT_CHARS} 字以内")
                } else {
                    "该案件目前不能评价，请刷新后查看最新状态。".to_owned()
                };
                view.errors.add("note", message);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(other) => return Err(other.into()),
        }
    } else {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    if status != StatusCode::OK {
        view.satisfaction = satisfaction_choices(&rating.satisfaction);
        view.rating = rating;
    }
    shown_again(&state, ip, &pass, view, status, &csrf).await
}

async fn review(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<ReviewPost>, PageError>,
) -> PageResult {
    let StrictForm(review) = posted?;
    csrf::verify(&headers, &review.csrf_token)?;
    let Some(pass) = crate::auth::cookie(&headers, PASS_COOKIE) else {
        return expired(&csrf);
    };
    let blank = TrackForm::default();
    let mut view = page(&blank, &csrf);
    let mut status = StatusCode::OK;
    if given(&review.reason).is_none() {
        view.errors.add("reason", "请写明申请复查的理由");
        status = StatusCode::UNPROCESSABLE_ENTITY;
    } else {
        match state
            .request_review_with_pass(ip, &pass, &review.reason)
            .await
        {
            Ok(receipt) => {
                view.notice = Some(match receipt.answer_by {
                    Some(day) => {
                        format!("复查申请已提交，上一级机关将在{}前书面答复。", zh_date(day))
                    }
                    None => "复查申请已提交。".to_owned(),
                });
            }
            Err(ServiceError::NotFound(_)) => return expired(&csrf),
            Err(ServiceError::Invalid(_) | ServiceError::Conflict { .. }) => {
                view.errors.add(
                    "reason",
                    "现在不能申请复查：复查申请应在收到答复之日起 30 日内提出，且只能申请一次。",
                );
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(other) => return Err(other.into()),
        }
    }
    if status != StatusCode::OK {
        view.review = review;
    }
    shown_again(&state, ip, &pass, view, status, &csrf).await
}

/// Ends the reporter's pass (on a shared phone, say) and shows the empty lookup form.
async fn leave(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Result<StrictForm<ReviewPost>, PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let response = super::see_other("/track").into_response();
    Ok(with_pass(&state, response, "", 0))
}
