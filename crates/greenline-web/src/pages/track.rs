//! `/track` — 进度查询: the reporter looks a case up with its tracking number and the secret, or
//! the phone they reported with, through the same lookup as the API. The page shows the
//! reporter's view only: status, the stages passed, their own text, the reply and published
//! result; never staff or notes. The lookup is a post, so the secret stays out of addresses and
//! logs.
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
    let (secret, phone) = (given(&form.secret), given(&form.phone));
    // The secret is never sent back into the page.
    form.secret.clear();
    let mut view = page(&form, &csrf);
    if given(&form.tracking_no).is_none() {
        view.errors.add("tracking_no", "请填写受理编号");
    }
    if secret.is_none() && phone.is_none() {
        view.errors
            .add("secret", "请填写查询码，或举报时留下的电话");
    }
    if !view.errors.is_empty() {
        return Ok(csrf.attach(render(StatusCode::UNPROCESSABLE_ENTITY, &view)?));
    }
    let (status, pass) = match state
        .open_track(ip, form.tracking_no.trim(), secret, phone)
        .await
    {
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
    };
    let response = csrf.attach(render(status, &view)?);
    Ok(match pass {
        Some(pass) => with_pass(&state, response, &pass, PASS_SECONDS),
        None => response,
    })
}

/// The reporter's pass from the cookie, or the page saying the lookup has to be done again.
fn pass_of(headers: &HeaderMap) -> Result<String, PageError> {
    crate::auth::cookie(headers, PASS_COOKIE)
        .ok_or(PageError::Service(ServiceError::NotFound("reporter pass")))
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
    let Ok(pass) = pass_of(&headers) else {
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
    match state.track_with_pass(ip, &pass).await {
        Ok(found) => view.show(found),
        Err(ServiceError::NotFound(_)) => return expired(&csrf),
        Err(other) => return Err(other.into()),
    }
    Ok(csrf.attach(render(status, &view)?))
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
    let Ok(pass) = pass_of(&headers) else {
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
    match state.track_with_pass(ip, &pass).await {
        Ok(found) => view.show(found),
        Err(ServiceError::NotFound(_)) => return expired(&csrf),
        Err(other) => return Err(other.into()),
    }
    Ok(csrf.attach(render(status, &view)?))
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
