//! `/report` — 我要举报: the citizen's form. A post goes through the same intake path as the
//! core's (`App::register`) as a `web` submission, rate-limited per address.
//! A bad form comes back with each field's error beside it and what was typed kept; a good one
//! gets the tracking number and secret, shown once.
//!
//! The form is `multipart/form-data` so that it can carry photos and videos (the field
//! `evidence`, several files; see `App::register_with_evidence`); a plain urlencoded post is
//! still read the same way, without files.

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use greenline_domain::geo::nearest_county;
use greenline_domain::{
    DomainError, FieldError, GeoPoint, IntakeForm, NewCase, PollutionType, RegionCode,
};
use serde::{Deserialize, Serialize};

use super::assets::{LEAFLET_CSS_FILE, LEAFLET_JS_FILE};
use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::map::MapConfig;
use super::{Chrome, FieldErrors, PageError, PageResult, render};
use crate::AppState;
use crate::extract::ClientIp;
use crate::upload::{self, REPORT_BODY_LIMIT, UploadError};
use greenline_app::ServiceError;
use greenline_app::cases::evidence::EvidenceFile;
use greenline_app::views::IntakeResponse;
use greenline_domain::attachment::EVIDENCE_FIELD;

/// The type choice "说不清" (report.html spells the same value): the reporter leaves the type to
/// the classifier's suggestion and staff's review.
const AUTO_TYPE: &str = "auto";

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/report", get(form).post(submit))
        // The report form carries photos and videos.
        .layer(DefaultBodyLimit::max(REPORT_BODY_LIMIT))
        .route("/regions/{code}", get(children))
}

/// What the form posts. Every field defaults to empty, so any browser's post parses.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ReportForm {
    csrf_token: String,
    primary_type: String,
    province: String,
    city: String,
    county: String,
    address: String,
    description: String,
    anonymous: Option<String>,
    reporter_name: String,
    reporter_phone: String,
    /// WGS-84 degrees north, as typed or filled by the map or the device.
    latitude: String,
    /// WGS-84 degrees east.
    longitude: String,
    /// The tracking number of an earlier report the citizen says is the same problem.
    follows: String,
    reporter_email: String,
}

/// One option of a select.
#[derive(Debug)]
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    chrome: Chrome,
    title: &'static str,
    form: &'a ReportForm,
    errors: FieldErrors,
    types: Vec<Choice>,
    provinces: Vec<Choice>,
    cities: Vec<Choice>,
    counties: Vec<Choice>,
    /// Files the refused post carried: a browser cannot put them back, so the form asks for
    /// them again.
    dropped_files: usize,
    /// The map, when the site has tiles.
    map: Option<MapConfig>,
    /// The vendored Leaflet's file names under /static/.
    leaflet_js: &'static str,
    leaflet_css: &'static str,
}

impl ReportPage<'_> {
    fn anonymous(&self) -> bool {
        self.form.anonymous.is_some()
    }
}

#[derive(Template)]
#[template(path = "report_done.html")]
struct ReceiptPage {
    chrome: Chrome,
    title: &'static str,
    receipt: IntakeResponse,
    acceptance_due: String,
    /// Photos and videos kept with the report.
    evidence: usize,
    /// The earlier report the new one was linked to, when the citizen followed one.
    followed: Option<String>,
}

/// The regions directly under `parent` (the nation's are the provinces), in code order.
pub(crate) fn regions_under(parent: RegionCode) -> impl Iterator<Item = RegionCode> {
    RegionCode::all()
        .map(|r| r.code)
        .filter(move |code| code.parent() == Some(parent))
}

fn choices(parent: Option<RegionCode>, selected: &str) -> Vec<Choice> {
    parent
        .map(|parent| {
            regions_under(parent)
                .map(|code| Choice {
                    value: code.to_string(),
                    label: code.name().to_owned(),
                    selected: code.to_string() == selected,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A selected region that really lies under `parent`, or `None`.
fn chosen(code: &str, parent: Option<RegionCode>) -> Option<RegionCode> {
    let code = RegionCode::parse(code).ok()?;
    (Some(code) != parent && code.parent() == parent).then_some(code)
}

fn page<'a>(
    form: &'a ReportForm,
    errors: FieldErrors,
    csrf: &Csrf,
    map: Option<MapConfig>,
) -> ReportPage<'a> {
    let province = chosen(&form.province, Some(RegionCode::NATIONAL));
    let city = chosen(&form.city, province);
    ReportPage {
        chrome: Chrome {
            staff: None,
            csrf: csrf.token.clone(),
            nav: Vec::new(),
        },
        title: "我要举报",
        types: PollutionType::all()
            .map(|t| Choice {
                value: t.code().to_owned(),
                label: t.zh().to_owned(),
                selected: t.code() == form.primary_type,
            })
            .collect(),
        provinces: choices(Some(RegionCode::NATIONAL), &form.province),
        cities: choices(province, &form.city),
        counties: choices(city, &form.county),
        form,
        errors,
        dropped_files: 0,
        map,
        leaflet_js: LEAFLET_JS_FILE,
        leaflet_css: LEAFLET_CSS_FILE,
    }
}

async fn form(State(state): State<AppState>, csrf: Csrf) -> PageResult {
    let blank = ReportForm::default();
    let map = MapConfig::from_settings(&state.settings);
    let response = render(
        StatusCode::OK,
        &page(&blank, FieldErrors::default(), &csrf, map),
    )?;
    Ok(csrf.attach(response))
}

/// The province and city lists' values that lead to `county` (a county directly under its
/// province is its own city-list entry, as the lists show it).
fn suggested_chain(county: RegionCode) -> (RegionCode, RegionCode) {
    let mut chain: Vec<RegionCode> = county
        .ancestry()
        .filter(|c| *c != RegionCode::NATIONAL)
        .collect();
    chain.reverse();
    let province = chain.first().copied().unwrap_or(county);
    let city = chain.get(1).copied().unwrap_or(county);
    (province, city)
}

/// The most specific region chosen, checked to be a chain province → city → county.
fn region_of(form: &ReportForm) -> Option<RegionCode> {
    let province = chosen(&form.province, Some(RegionCode::NATIONAL))?;
    let Some(city) = chosen(&form.city, Some(province)) else {
        return Some(province);
    };
    Some(chosen(&form.county, Some(city)).unwrap_or(city))
}

/// A coordinate field: empty is none; anything but a number is refused naming the field.
fn coordinate(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    label: &str,
) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.add(field, format!("{label}请填写数字，例如 22.543099"));
            None
        }
    }
}

fn trimmed(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The Chinese message for a field the domain refused.
fn zh_message(error: &FieldError) -> (&'static str, String) {
    let too_long = error
        .message
        .strip_prefix("longer than ")
        .and_then(|rest| rest.split(' ').next())
        .map(|n| format!("不能超过 {n} 个字"));
    if error.message.starts_with("contains a control") {
        let (field, label) = match error.field.as_str() {
            "description" => ("description", "问题描述"),
            "address" => ("address", "详细地址"),
            "reporter_name" => ("reporter_name", "姓名"),
            "reporter_phone" => ("reporter_phone", "联系电话"),
            "reporter_email" => ("reporter_email", "电子邮箱"),
            _ => ("description", "提交的内容"),
        };
        return (
            field,
            format!("{label}中含有不允许的控制字符或不可见的格式字符，请删除后重试"),
        );
    }
    match error.field.as_str() {
        // The files' refusals are written in Chinese by the domain, naming the file.
        EVIDENCE_FIELD => (EVIDENCE_FIELD, error.message.clone()),
        "primary_type" => ("primary_type", "请选择问题类型".to_owned()),
        "region" => ("region", "请选择问题发生地（至少选择到省）".to_owned()),
        "description" => (
            "description",
            too_long.map_or_else(
                || "请描述您要举报的问题".to_owned(),
                |m| format!("问题描述{m}"),
            ),
        ),
        "address" => (
            "address",
            format!("详细地址{}", too_long.unwrap_or_default()),
        ),
        "reporter_name" => (
            "reporter_name",
            format!("姓名{}", too_long.unwrap_or_default()),
        ),
        "reporter_phone" if error.message.starts_with("give a phone") => (
            "reporter_phone",
            "请留下联系电话，或选择匿名举报".to_owned(),
        ),
        "reporter_phone" => (
            "reporter_phone",
            "请填写正确的电话号码（5 至 20 位数字）".to_owned(),
        ),
        "latitude" if error.message.starts_with("give both") => {
            ("latitude", "请同时填写纬度和经度，或都不填".to_owned())
        }
        "longitude" if error.message.starts_with("give both") => {
            ("longitude", "请同时填写纬度和经度，或都不填".to_owned())
        }
        "latitude" => ("latitude", "纬度应在 -90 到 90 之间".to_owned()),
        "longitude" => ("longitude", "经度应在 -180 到 180 之间".to_owned()),
        "follows" => (
            "follows",
            "您选择关注的举报已不符合条件（问题类型或区县不同，或已不在办理中），已取消关注。请重新选择，或直接提交作为新的举报".to_owned(),
        ),
        "reporter_email" => (
            "reporter_email",
            too_long.map_or_else(
                || "请填写正确的电子邮箱，如 name@example.com".to_owned(),
                |m| format!("电子邮箱{m}"),
            ),
        ),
        _ => ("description", "提交的内容有误，请检查后重试".to_owned()),
    }
}

/// The form's fields and its files: from a multipart post (the form as served) or a plain one.
async fn read_post(
    state: &AppState,
    headers: &HeaderMap,
    request: Request,
) -> Result<(ReportForm, Vec<EvidenceFile>), PageError> {
    let multipart = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("multipart/form-data"));
    if !multipart {
        let StrictForm(form) = StrictForm::from_request(request, state).await?;
        return Ok((form, Vec::new()));
    }
    let multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| PageError::BadForm)?;
    let posted = match upload::read(multipart).await {
        Ok(posted) => posted,
        Err(UploadError::TooLarge) => return Err(PageError::TooLarge),
        Err(UploadError::NotUtf8(field)) => return Err(PageError::NotUtf8 { field }),
        Err(UploadError::Malformed(_)) => return Err(PageError::BadForm),
    };
    // The text fields are read by the same rules as a plain post's.
    let mut again = Request::new(axum::body::Body::from(upload::urlencoded(&posted.fields)));
    *again.method_mut() = axum::http::Method::POST;
    again.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    let StrictForm(form) = StrictForm::from_request(again, state).await?;
    let files = posted
        .files
        .into_iter()
        .map(|(file_name, bytes)| EvidenceFile { file_name, bytes })
        .collect();
    Ok((form, files))
}

/// Adds the files' refusals as one message (the form shows one per field).
fn add_evidence_errors<'a>(errors: &mut FieldErrors, found: impl Iterator<Item = &'a FieldError>) {
    let messages: Vec<&str> = found
        .filter(|e| e.field == EVIDENCE_FIELD)
        .map(|e| e.message.as_str())
        .collect();
    if !messages.is_empty() {
        errors.add(EVIDENCE_FIELD, messages.join("；"));
    }
}

async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    csrf: Csrf,
    request: Request,
) -> PageResult {
    let (mut form, files) = read_post(&state, &headers, request).await?;
    csrf::verify(&headers, &form.csrf_token)?;
    let posted_files = files.len();
    let map = MapConfig::from_settings(&state.settings);
    let anonymous = form.anonymous.is_some();
    let mut errors = FieldErrors::default();
    let latitude = coordinate(&mut errors, "latitude", &form.latitude, "纬度");
    let longitude = coordinate(&mut errors, "longitude", &form.longitude, "经度");
    let mut region = region_of(&form);
    if region.is_none()
        && let Some(county) = latitude
            .zip(longitude)
            .and_then(|(lat, lon)| GeoPoint::new(lat, lon).ok())
            .and_then(nearest_county)
    {
        // No region chosen but a point given: the county it lies nearest is filled in for the
        // citizen to check, and the form comes back rather than guessing for them.
        let (province, city) = suggested_chain(county);
        form.province = province.to_string();
        form.city = city.to_string();
        form.county = county.to_string();
        region = region_of(&form);
        errors.add(
            "region",
            format!(
                "已根据您填写的经纬度选择了问题发生地：{}。请核对，无误后再次提交",
                county.full_name()
            ),
        );
    } else if region.is_none() {
        errors.add("region", "请选择问题发生地（至少选择到省）");
    }
    // An anonymous report keeps no name or phone: the reporter follows it with the secret.
    let chosen = form.primary_type.trim();
    let intake = IntakeForm {
        kind: None,
        channel: "web".to_owned(),
        // "Not sure": the classifier's suggestion stands in until staff review it.
        primary_type: if chosen == AUTO_TYPE { "" } else { chosen }.to_owned(),
        other_types: Vec::new(),
        sub_type: None,
        industry: None,
        region: region.map(|r| r.to_string()).unwrap_or_default(),
        address: form.address.clone(),
        description: form.description.clone(),
        anonymous,
        reporter_name: trimmed(&form.reporter_name).filter(|_| !anonymous),
        reporter_phone: trimmed(&form.reporter_phone).filter(|_| !anonymous),
        reporter_email: trimmed(&form.reporter_email).filter(|_| !anonymous),
        reporter_address: None,
        external_id: None,
        latitude,
        longitude,
        ..IntakeForm::default()
    };
    let follows = trimmed(&form.follows);
    let registered = if errors.is_empty() {
        match state
            .register_public_with_evidence(ip, intake, follows.as_deref(), None, files)
            .await
        {
            Ok(registered) => Some(registered),
            Err(ServiceError::Invalid(found)) => {
                for error in found.iter().filter(|e| e.field != EVIDENCE_FIELD) {
                    let (field, message) = zh_message(error);
                    errors.add(field, message);
                }
                add_evidence_errors(&mut errors, found.iter());
                // A follow that no longer holds is dropped: the next submission is a new report.
                if found.iter().any(|e| e.field == "follows") {
                    form.follows.clear();
                }
                None
            }
            Err(other) => return Err(other.into()),
        }
    } else {
        // Name every other field at fault too, so the form is put right in one go; the type is
        // left to the classifier when the reporter could not say.
        if let Err(DomainError::Invalid(found)) = NewCase::parse(&intake) {
            for error in found
                .iter()
                .filter(|e| chosen != AUTO_TYPE || e.field != "primary_type")
            {
                let (field, message) = zh_message(error);
                errors.add(field, message);
            }
        }
        let named: Vec<(String, Vec<u8>)> =
            files.into_iter().map(|f| (f.file_name, f.bytes)).collect();
        if let Err(found) = greenline_domain::check_evidence(&named) {
            add_evidence_errors(&mut errors, found.iter());
        }
        None
    };
    let Some(registered) = registered else {
        let mut page = page(&form, errors, &csrf, map);
        page.dropped_files = posted_files;
        let response = render(StatusCode::UNPROCESSABLE_ENTITY, &page)?;
        return Ok(csrf.attach(response));
    };
    let followed = registered.followed;
    let registered = registered.registered;
    let acceptance_due = registered
        .receipt
        .acceptance_due
        .format("%Y年%m月%d日")
        .to_string();
    render(
        StatusCode::CREATED,
        &ReceiptPage {
            chrome: Chrome::default(),
            title: "举报已提交",
            receipt: registered.receipt,
            acceptance_due,
            evidence: registered.evidence,
            followed,
        },
    )
}

#[derive(Debug, Serialize)]
struct RegionChoice {
    code: String,
    name: &'static str,
}

/// `GET /regions/{code}` — the regions directly under one, for the form's city and county lists.
async fn children(Path(code): Path<String>) -> Response {
    match RegionCode::parse(&code) {
        Ok(parent) => axum::Json(
            regions_under(parent)
                .map(|code| RegionChoice {
                    code: code.to_string(),
                    name: code.name(),
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => PageError::from(ServiceError::from(e)).into_response(),
    }
}
