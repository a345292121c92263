//! `/api/v1/disclosure/…` — information-disclosure requests (依申请公开): applying, the
//! handlers' list and steps, turning a request into a complaint, the applicant (recorded), the
//! answer document and its sending, the applicant's own view and download, and the annual
//! report's tables.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use greenline_app::disclosure::DisclosureView;
use greenline_app::disclosure::annual_report::UnitAnnualReport;
use greenline_app::disclosure::answer_document::{AnswerFile, SentInput, document_format};
use greenline_app::disclosure::apply::{ApplicationInput, ApplicationReceipt, Applier};
use greenline_app::disclosure::complaint::{ComplaintInput, TurnedIntoComplaint};
use greenline_app::disclosure::read::DisclosureFile;
use greenline_app::disclosure::steps::StepInput;
use greenline_app::disclosure::track::ApplicantView;
use greenline_domain::disclosure::{Applicant, DisclosureAction};

use crate::AppState;
use crate::auth::{MaybeSignedIn, SignedIn};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ClientIp, RequestId};
use crate::json::ApiJson;

/// Apply for government information.
///
/// Citizens and organisations apply through the portal (`channel` `web`) without signing in,
/// naming the agency (`unit_id`); staff key in letters, e-mails, faxes and visits for their
/// own unit. The applicant's name, identity number and a contact are required; they are kept
/// apart and never shown in public output. The answer carries the tracking number and a secret
/// shown once.
#[utoipa::path(post, path = "/api/v1/disclosure/requests", tag = "disclosure", operation_id = "disclosure_apply",
    request_body = ApplicationInput,
    responses(
        (status = 201, body = ApplicationReceipt),
        (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "A field is not valid; `errors` names it"),
        (status = 429, body = Problem),
    ))]
pub async fn apply(
    State(app): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    ClientIp(ip): ClientIp,
    body: ApiJson<ApplicationInput>,
) -> ApiResult<(StatusCode, Json<ApplicationReceipt>)> {
    let applier = match &who {
        Some(staff) => Applier::Staff(staff),
        None => Applier::Public(ip),
    };
    let receipt = app.apply_for_disclosure(applier, body.value).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

/// The requests held in the caller's jurisdiction, the nearest due date first.
#[utoipa::path(get, path = "/api/v1/disclosure/requests", tag = "disclosure", operation_id = "disclosure_list",
    security(("bearer" = [])),
    params(("open" = Option<bool>, Query, description = "Only requests not yet answered")),
    responses(
        (status = 200, body = Vec<DisclosureView>),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    ))]
pub async fn list(
    State(app): State<AppState>,
    who: SignedIn,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Vec<DisclosureView>>> {
    let open = match params.get("open").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(ApiError::bad_query("open", "true or false")),
    };
    Ok(Json(app.disclosures(&who, open).await?))
}

/// A request with its clock (the due date recomputed after every stop), the steps open to the
/// caller and its history. No applicant's identity.
#[utoipa::path(get, path = "/api/v1/disclosure/requests/{id}", tag = "disclosure", operation_id = "disclosure_read",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = DisclosureFile),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn read(
    State(app): State<AppState>,
    who: SignedIn,
    RequestId(id): RequestId,
) -> ApiResult<Json<DisclosureFile>> {
    Ok(Json(app.disclosure(&who, id).await?))
}

/// Take a step: `{"action": "ask_correction", "what": "…"}`, `receive_correction`,
/// `start_consultation` (`third_party`), `finish_consultation` (`view`), `extend`
/// (`working_days`, `reason`, `consented_by`), `answer` (`answer`: the kind and its required
/// content).
#[utoipa::path(post, path = "/api/v1/disclosure/requests/{id}/steps", tag = "disclosure", operation_id = "disclosure_step",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = StepInput,
    responses(
        (status = 200, body = DisclosureView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not allowed now, or changed meanwhile"),
        (status = 422, body = Problem, description = "A required part is missing; `errors` names it"),
    ))]
pub async fn step(
    State(app): State<AppState>,
    who: SignedIn,
    RequestId(id): RequestId,
    body: ApiJson<serde_json::Value>,
) -> ApiResult<Json<DisclosureView>> {
    match body.value.get("action").and_then(serde_json::Value::as_str) {
        None => return Err(ApiError::field("action", "required: the step to take")),
        Some(code) if DisclosureAction::parse(code).is_none() => {
            let known: Vec<_> = DisclosureAction::ALL.iter().map(|a| a.code()).collect();
            return Err(ApiError::field(
                "action",
                format!("unknown action {code:?}; one of {}", known.join(", ")),
            ));
        }
        Some(_) => {}
    }
    let input: StepInput = crate::json::parse(&body.raw)?;
    Ok(Json(app.disclosure_step(&who, id, input).await?))
}

/// Turn a request that is really a complaint into a report case, in one step: the case is
/// registered with the applicant as its reporter, both are linked, and the request is answered
/// with the redirect.
#[utoipa::path(post, path = "/api/v1/disclosure/requests/{id}/complaint", tag = "disclosure", operation_id = "disclosure_complaint",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = ComplaintInput,
    responses(
        (status = 201, body = TurnedIntoComplaint),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn complaint(
    State(app): State<AppState>,
    who: SignedIn,
    RequestId(id): RequestId,
    body: ApiJson<ComplaintInput>,
) -> ApiResult<(StatusCode, Json<TurnedIntoComplaint>)> {
    let turned = app.turn_into_complaint(&who, id, body.value).await?;
    Ok((StatusCode::CREATED, Json(turned)))
}

/// The applicant's identity: for staff of the holding unit's chain whose role reads reporters.
/// Every read and every refused attempt is recorded.
#[utoipa::path(get, path = "/api/v1/disclosure/requests/{id}/applicant", tag = "disclosure", operation_id = "disclosure_applicant",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses(
        (status = 200, body = Applicant),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    ))]
pub async fn applicant(
    State(app): State<AppState>,
    who: SignedIn,
    RequestId(id): RequestId,
) -> ApiResult<Json<Applicant>> {
    Ok(Json(app.applicant(&who, id).await?))
}

/// The annual report's tables (年度报告, the General Office's 2019 format) of an agency's year:
/// JSON, or `format=csv`.
#[utoipa::path(get, path = "/api/v1/disclosure/annual-report", tag = "disclosure", operation_id = "disclosure_annual_report",
    security(("bearer" = [])),
    params(
        ("year" = i32, Query),
        ("unit_id" = i64, Query, description = "The agency; in the caller's jurisdiction"),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses(
        (status = 200, body = UnitAnnualReport, description = "JSON, or CSV with format=csv"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
    ))]
pub async fn annual_report(
    State(app): State<AppState>,
    who: SignedIn,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let number = |key: &str| -> ApiResult<i64> {
        params
            .get(key)
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| ApiError::bad_query(key, "required: a number"))
    };
    let year = i32::try_from(number("year")?).map_err(|_| ApiError::bad_query("year", "a year"))?;
    let unit_id = number("unit_id")?;
    let report = app.disclosure_annual_report(&who, unit_id, year).await?;
    match params.get("format").map(String::as_str) {
        None | Some("json") => Ok(Json(report).into_response()),
        Some("csv") => {
            let mut response = report.report.to_csv().into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            );
            Ok(response)
        }
        Some(_) => Err(ApiError::bad_query("format", "json or csv")),
    }
}

pub(crate) fn document_response(file: AnswerFile) -> Response {
    let disposition = format!(
        "attachment; filename=\"answer.{}\"; filename*=UTF-8''{}",
        if file.media_type.starts_with("text/html") {
            "html"
        } else {
            "docx"
        },
        utf8_percent_encode(&file.file_name)
    );
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.media_type),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// RFC 5987 encoding of a file name: every byte outside the unreserved set as `%XX`.
fn utf8_percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn format_param(params: &HashMap<String, String>) -> ApiResult<greenline_report::Format> {
    Ok(document_format(
        params.get("format").map_or("html", String::as_str),
    )?)
}

/// The answer document (政府信息公开申请答复书) of an answered request, addressed to the
/// applicant (so reading it reads the applicant, recorded): `format=html` (default) or `docx`.
#[utoipa::path(get, path = "/api/v1/disclosure/requests/{id}/answer", tag = "disclosure", operation_id = "disclosure_answer_document",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("format" = Option<String>, Query, description = "html (default) or docx")),
    responses(
        (status = 200, description = "The document", content_type = "text/html"),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "Not answered yet"),
    ))]
pub async fn answer_document(
    State(app): State<AppState>,
    who: SignedIn,
    RequestId(id): RequestId,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let format = format_param(&params)?;
    Ok(document_response(
        app.answer_document(&who, id, format).await?,
    ))
}

/// Record that the answer went to the applicant: `{"by": "post" | "email" | "in_person" |
/// "online", "note": …}` — a `send_answer` event.
#[utoipa::path(post, path = "/api/v1/disclosure/requests/{id}/sent", tag = "disclosure", operation_id = "disclosure_answer_sent",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body = SentInput,
    responses(
        (status = 200, body = DisclosureView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem),
    ))]
pub async fn answer_sent(
    State(app): State<AppState>,
    who: SignedIn,
    RequestId(id): RequestId,
    body: ApiJson<SentInput>,
) -> ApiResult<Json<DisclosureView>> {
    Ok(Json(app.record_answer_sent(&who, id, body.value).await?))
}

fn secret_header(headers: &HeaderMap) -> String {
    headers
        .get("x-tracking-secret")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The applicant's view of their request, with the secret given at applying in the
/// `X-Tracking-Secret` header: stage, due date, the kind of answer.
#[utoipa::path(get, path = "/api/v1/disclosure/track/{tracking_no}", tag = "disclosure", operation_id = "disclosure_track",
    params(("tracking_no" = String, Path, description = "e.g. GK20250925-0000001"),
        ("X-Tracking-Secret" = String, Header, description = "The secret given when applying")),
    responses(
        (status = 200, body = ApplicantView), (status = 400, body = Problem),
        (status = 404, body = Problem), (status = 429, body = Problem),
    ))]
pub async fn track(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(number): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<ApplicantView>> {
    Ok(Json(
        app.track_disclosure(ip, &number, &secret_header(&headers))
            .await?,
    ))
}

/// The answer document for the applicant, with the secret in `X-Tracking-Secret`:
/// `format=html` (default) or `docx`.
#[utoipa::path(get, path = "/api/v1/disclosure/track/{tracking_no}/answer", tag = "disclosure", operation_id = "disclosure_track_answer",
    params(("tracking_no" = String, Path),
        ("X-Tracking-Secret" = String, Header, description = "The secret given when applying"),
        ("format" = Option<String>, Query, description = "html (default) or docx")),
    responses(
        (status = 200, description = "The document", content_type = "text/html"),
        (status = 400, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "Not answered yet"), (status = 429, body = Problem),
    ))]
pub async fn track_answer(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(number): Path<String>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let format = format_param(&params)?;
    Ok(document_response(
        app.applicant_answer_document(ip, &number, &secret_header(&headers), format)
            .await?,
    ))
}
