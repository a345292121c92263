//! The API's routes, one module per resource, one handler per action, each documented for the
//! OpenAPI document through `utoipa`, so the document and the routes cannot drift apart.

pub mod accounts;
pub mod admin;
pub mod air;
pub mod alerts;
pub mod answers;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod dashboard;
pub mod desk;
pub mod disclosure;
pub mod eia;
pub mod health;
pub mod metrics;
pub mod open311_clients;
pub mod probes;
pub mod public;
pub mod queue;
pub mod reports;
pub mod search;
pub mod stats;
pub mod topics;
pub mod track;
pub mod transfers;
pub mod trends;
pub mod units;

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Greenline API",
        description = "Environmental complaint intake, case handling and tracking (生态环境信访投诉举报).",
        license(name = "Apache-2.0")
    ),
    tags(
        (name = "cases", description = "Intake and case handling"),
        (name = "track", description = "The reporter's view of a case"),
        (name = "disclosure", description = "Information-disclosure requests (依申请公开): applying, steps with the working-day clock, answers, the annual report"),
        (name = "public", description = "Published results and public monthly figures (anyone; no reporter's identity)"),
        (name = "auth", description = "Staff sign-in, passwords and API tokens"),
        (name = "accounts", description = "Account administration (administrators)"),
        (name = "audit", description = "The audit trail (auditors)"),
        (name = "admin", description = "Dispatch rules and reply templates of a jurisdiction (administrators)"),
        (name = "units", description = "Offices and their regions"),
        (name = "stats", description = "Statistics over the caller's jurisdiction"),
        (name = "search", description = "Full-text search of case texts within the caller's jurisdiction"),
        (name = "answers", description = "Plain answers (通俗解说): kept by staff with review and publish steps; read, searched and matched to a text by anyone"),
        (name = "eia", description = "Public participation in environmental impact assessment (环评公众参与): projects, their notices and dates, comments while a window is open, answers and the participation statement"),
        (name = "air", description = "Air quality of a city and the AQI of a reading (public)"),
        (name = "health", description = "This node's views and their lag (public)"),
        (name = "transfers", description = "The 12345 hand-over: work orders transferred in by 12345 centres (their own key in X-Centre-Key), the status feed they poll, and the centres (administrators)"),
        (name = "open311", description = "Open311 GeoReport v2 (city apps, civic-tech tools): services, requests, submissions with a registered client's api_key; and the registered clients (administrators)")
    ),
    modifiers(&BearerAuth)
)]
#[derive(Debug)]
pub struct ApiDoc;

#[derive(Debug)]
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn api() -> OpenApiRouter<AppState> {
    let mut document = ApiDoc::openapi();
    // The GeoReport paths are served by one catch-all route (see `crate::open311`); they are
    // described apart.
    document.merge(crate::open311::doc::Open311Doc::openapi());
    OpenApiRouter::with_openapi(document)
        .routes(routes!(cases::intake::intake, cases::search::search))
        .routes(routes!(cases::read::case))
        .routes(routes!(cases::read::events))
        .routes(routes!(cases::read::reporter))
        .routes(routes!(cases::transition::transition))
        .routes(routes!(cases::review::review))
        .routes(routes!(cases::merge::merge_case))
        .routes(routes!(cases::merge::group))
        .routes(routes!(cases::oversight::oversee))
        .merge(
            // A file is larger than any other body: its own limit, on its route alone.
            OpenApiRouter::new()
                .routes(routes!(
                    cases::attachments::upload,
                    cases::attachments::list
                ))
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::upload::UPLOAD_BODY_LIMIT,
                )),
        )
        .routes(routes!(cases::attachments::content))
        .routes(routes!(cases::callback::call_back))
        .routes(routes!(cases::same_source::same_source))
        .routes(routes!(desk::suggestions))
        .routes(routes!(queue::queue))
        .routes(routes!(public::similar))
        .routes(routes!(answers::list_answers, answers::create_answer))
        .routes(routes!(answers::read_answer, answers::edit_answer))
        .routes(routes!(answers::answer_step))
        .routes(routes!(answers::public_answers))
        .routes(routes!(answers::match_answers))
        .routes(routes!(answers::public_answer))
        .routes(routes!(answers::answer_feedback))
        .routes(routes!(track::track, track::track_post))
        .routes(routes!(track::request_code))
        .routes(routes!(track::reissue_secret))
        .routes(routes!(track::rate))
        .routes(routes!(track::review))
        .routes(routes!(public::results))
        .routes(routes!(public::result))
        .routes(routes!(public::figures))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::create_token, auth::tokens))
        .routes(routes!(auth::revoke_token))
        .routes(routes!(accounts::accounts))
        .routes(routes!(accounts::disable))
        .routes(routes!(accounts::enable))
        .routes(routes!(accounts::end_sessions))
        .routes(routes!(accounts::reset_password))
        .routes(routes!(audit::records))
        .routes(routes!(audit::verify))
        .routes(routes!(units::units))
        .routes(routes!(admin::rules, admin::add_rule))
        .routes(routes!(admin::update_rule))
        .routes(routes!(admin::disable_rule))
        .routes(routes!(admin::enable_rule))
        .routes(routes!(admin::trial))
        .routes(routes!(admin::templates, admin::add_template))
        .routes(routes!(admin::update_template))
        .routes(routes!(admin::disable_template))
        .routes(routes!(admin::enable_template))
        .routes(routes!(admin::case_templates))
        .routes(routes!(stats::stats))
        .routes(routes!(stats::compare))
        .routes(routes!(stats::callbacks))
        .routes(routes!(stats::eia_comments))
        .routes(routes!(eia::create_project, eia::projects))
        .routes(routes!(eia::project))
        .routes(routes!(eia::add_notice))
        .routes(routes!(eia::regroup))
        .routes(routes!(eia::commenter))
        .routes(routes!(eia::answer))
        .routes(routes!(eia::statement))
        .routes(routes!(eia::public_projects))
        .routes(routes!(eia::public_project))
        .routes(routes!(eia::comment))
        .routes(routes!(search::search))
        .routes(routes!(trends::trends))
        .routes(routes!(topics::topics))
        .routes(routes!(dashboard::dashboard))
        .routes(routes!(alerts::alerts))
        .routes(routes!(reports::report))
        .routes(routes!(air::days))
        .routes(routes!(air::today))
        .routes(routes!(air::month))
        .routes(routes!(air::year))
        .routes(routes!(air::aqi))
        .routes(routes!(health::health))
        .routes(routes!(
            open311_clients::issue_client,
            open311_clients::list_clients
        ))
        .routes(routes!(open311_clients::revoke_client))
        .routes(routes!(transfers::transfer_in))
        .routes(routes!(transfers::transfer_status))
        .routes(routes!(transfers::issue_centre, transfers::list_centres))
        .routes(routes!(transfers::revoke_centre))
        .routes(routes!(transfers::centre_callbacks))
        .routes(routes!(disclosure::apply, disclosure::list))
        .routes(routes!(disclosure::read))
        .routes(routes!(disclosure::step))
        .routes(routes!(disclosure::complaint))
        .routes(routes!(disclosure::applicant))
        .routes(routes!(disclosure::annual_report))
        .routes(routes!(disclosure::answer_document))
        .routes(routes!(disclosure::answer_sent))
        .routes(routes!(disclosure::track))
        .routes(routes!(disclosure::track_answer))
}

/// Refuses a query string with a parameter that is not UTF-8 once percent-decoded (axum's
/// `Query` would read it with U+FFFD in place of the bytes sent), naming the parameter.
pub(crate) fn check_query_utf8(raw: Option<&str>) -> Result<(), crate::error::ApiError> {
    match raw.and_then(|q| crate::pages::form::first_field_not_utf8(q.as_bytes())) {
        Some(field) => Err(crate::error::ApiError::bad_query(
            &field,
            "not valid UTF-8 once percent-decoded",
        )),
        None => Ok(()),
    }
}
