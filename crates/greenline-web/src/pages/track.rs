//! `/track` — 进度查询: the reporter looks a case up with its tracking number and the secret, or
//! the phone they reported with, through the same lookup as the API. The page shows the public
//! view only: status, the stages passed, the reply and published result; never staff, notes or
//! the reporter. The lookup is a post, so the secret stays out of addresses and logs.

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
    let status = match state
        .track(ip, form.tracking_no.trim(), secret, phone)
        .await
    {
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
    };
    Ok(csrf.attach(render(status, &view)?))
}
