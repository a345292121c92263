//! `/` — what the line is for and how to report.

use askama::Template;
use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use greenline_domain::PollutionType;

use super::{Chrome, PageResult, render};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    title: &'static str,
    /// Each pollution type's Chinese name.
    types: Vec<(&'static str,)>,
}

async fn home() -> PageResult {
    render(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::default(),
            title: "首页",
            types: PollutionType::all().map(|t| (t.zh(),)).collect(),
        },
    )
}
