//! `/` — what the line is for, how to report, where to read results, figures and the air, and
//! what is handled elsewhere.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use greenline_app::air::AirCity;
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
    /// The cities with air-quality data.
    air: Vec<AirCity>,
}

async fn home(State(app): State<AppState>) -> PageResult {
    render(
        StatusCode::OK,
        &HomePage {
            chrome: Chrome::default(),
            title: "首页",
            types: PollutionType::all().map(|t| (t.zh(),)).collect(),
            air: app.air_cities().await?,
        },
    )
}
