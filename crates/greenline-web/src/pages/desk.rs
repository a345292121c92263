//! `/console/intake` — the call-taker's desk (来电登记): one keyboard-driven form an operator
//! fills while the caller talks (phone, letter, visit, 12345). `static/desk.js` asks
//! `POST /api/v1/desk/suggestions` as they type and offers the type, the place, earlier reports
//! of the same source (one key each to link the call to one) and the caller's earlier cases;
//! without it the form still saves. A save goes through the core's intake
//! (`App::register_at_desk`) and answers with the tracking number and secret to read out.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use greenline_app::ServiceError;
use greenline_app::accounts::new_token;
use greenline_app::cases::desk::{DESK_CHANNELS, DeskRegistered};
use greenline_app::cases::intake::RetryKey;
use greenline_domain::{CaseKind, FieldError, IntakeForm, PollutionType, RegionCode, RegionLevel};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::report::{Choice, regions_under};
use super::staff::ConsoleUser;
use super::{FieldErrors, PageResult, render};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/intake", get(form).post(save))
}

/// What the desk posts. Every field defaults to empty, so any browser's post parses.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct DeskPost {
    #[serde(skip_serializing)]
    csrf_token: String,
    /// A token the form was rendered with: a second press of 保存 saves nothing new.
    #[serde(skip_serializing)]
    retry_key: String,
    channel: String,
    kind: String,
    anonymous: Option<String>,
    reporter_name: String,
    reporter_phone: String,
    reporter_address: String,
    reporter_email: String,
    description: String,
    province: String,
    city: String,
    county: String,
    address: String,
    primary_type: String,
    sub_type: String,
    /// The earlier report the call is linked to: its tracking number or case number.
    link: String,
    /// A 12345 work order's number.
    external_id: String,
}

#[derive(Template)]
#[template(path = "desk.html")]
struct DeskPage<'a> {
    chrome: super::Chrome,
    title: &'static str,
    form: &'a DeskPost,
    retry_key: String,
    jurisdiction: String,
    errors: FieldErrors,
    channels: Vec<Choice>,
    kinds: Vec<Choice>,
    types: Vec<Choice>,
    /// The sub-types by type: (type code, type label, its sub-types).
    sub_types: Vec<(String, String, Vec<Choice>)>,
    provinces: Vec<Choice>,
    cities: Vec<Choice>,
    counties: Vec<Choice>,
}

impl DeskPage<'_> {
    fn anonymous(&self) -> bool {
        self.form.anonymous.is_some()
    }
}

#[derive(Template)]
#[template(path = "desk_done.html")]
struct DonePage {
    chrome: super::Chrome,
    title: &'static str,
    case_id: i64,
    tracking_no: String,
    /// The secret in groups of four, to read out.
    secret_groups: Vec<String>,
    secret: String,
    acceptance_due: String,
    channel: &'static str,
    /// The earlier report the call now repeats, and whether it was closed as a repeat at once.
    linked: Option<String>,
    rejected_as_repeat: bool,
    link_failed: bool,
    /// Earlier cases of the same source the save found (when none was linked).
    possible: Vec<String>,
}

fn choose(value: &str, label: &str, selected: &str) -> Choice {
    Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == selected,
    }
}

/// The region choices under `parent`, `selected` marked.
fn region_choices(parent: Option<RegionCode>, selected: &str) -> Vec<Choice> {
    parent
        .map(|parent| {
            regions_under(parent)
                .map(|code| choose(&code.to_string(), code.name(), selected))
                .collect()
        })
        .unwrap_or_default()
}

/// A selected region that really lies under `parent`.
fn chosen(code: &str, parent: Option<RegionCode>) -> Option<RegionCode> {
    let code = RegionCode::parse(code).ok()?;
    (Some(code) != parent && code.parent() == parent).then_some(code)
}

/// The most specific region chosen, checked to be a chain province → city → county.
fn region_of(form: &DeskPost) -> Option<RegionCode> {
    let province = chosen(&form.province, Some(RegionCode::NATIONAL))?;
    let Some(city) = chosen(&form.city, Some(province)) else {
        return Some(province);
    };
    Some(chosen(&form.county, Some(city)).unwrap_or(city))
}

/// A blank form, its region lists opened at the operator's jurisdiction (a city's operator
/// starts with the city chosen and its districts listed).
fn blank(jurisdiction: RegionCode) -> DeskPost {
    let mut form = DeskPost {
        channel: "phone".to_owned(),
        kind: "report".to_owned(),
        ..DeskPost::default()
    };
    for code in jurisdiction.ancestry() {
        match code.level() {
            RegionLevel::Province => form.province = code.to_string(),
            RegionLevel::Prefecture => form.city = code.to_string(),
            RegionLevel::County => form.county = code.to_string(),
            RegionLevel::National => {}
        }
    }
    form
}

fn page<'a>(
    who: &ConsoleUser,
    csrf: &Csrf,
    jurisdiction: RegionCode,
    form: &'a DeskPost,
    errors: FieldErrors,
    retry_key: String,
) -> DeskPage<'a> {
    let province = chosen(&form.province, Some(RegionCode::NATIONAL));
    let city = chosen(&form.city, province);
    DeskPage {
        chrome: who.chrome(csrf),
        title: "来电登记",
        retry_key,
        jurisdiction: jurisdiction.full_name(),
        channels: DESK_CHANNELS
            .iter()
            .map(|c| choose(c.code(), c.zh(), &form.channel))
            .collect(),
        kinds: CaseKind::CASES
            .iter()
            .map(|k| choose(k.code(), k.zh(), &form.kind))
            .collect(),
        types: PollutionType::all()
            .map(|t| choose(t.code(), t.zh(), &form.primary_type))
            .collect(),
        sub_types: PollutionType::all()
            .map(|t| {
                let subs: Vec<Choice> = t
                    .sub_types()
                    .map(|s| choose(s.code(), s.zh(), &form.sub_type))
                    .collect();
                (t.code().to_owned(), t.zh().to_owned(), subs)
            })
            .filter(|(_, _, subs)| !subs.is_empty())
            .collect(),
        provinces: region_choices(Some(RegionCode::NATIONAL), &form.province),
        cities: region_choices(province, &form.city),
        counties: region_choices(city, &form.county),
        form,
        errors,
    }
}

async fn form(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    let jurisdiction = state.desk(&who.0)?;
    let form = blank(jurisdiction);
    let page = page(
        &who,
        &csrf,
        jurisdiction,
        &form,
        FieldErrors::default(),
        new_token(),
    );
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

fn trimmed(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The form's fields, in the order the form shows them.
const FIELDS: &[&str] = &[
    "channel",
    "kind",
    "reporter_name",
    "reporter_phone",
    "reporter_address",
    "reporter_email",
    "description",
    "region",
    "address",
    "primary_type",
    "sub_type",
    "link",
    "external_id",
];

/// The field's name on the form, for messages.
fn label(field: &str) -> &'static str {
    match field {
        "channel" => "来源渠道",
        "kind" => "案件类别",
        "primary_type" => "问题类型",
        "sub_type" => "细分类型",
        "region" => "问题发生地",
        "address" => "详细地址",
        "description" => "问题描述",
        "reporter_name" => "来电人姓名",
        "reporter_phone" => "联系电话",
        "reporter_address" => "通信地址",
        "reporter_email" => "电子邮箱",
        "external_id" => "12345工单编号",
        "link" => "关联的早先举报",
        _ => "登记内容",
    }
}

/// The form field a core error names (`other_types[0]` belongs to the type) and the Chinese
/// message shown beside it.
fn message(error: &FieldError) -> (&'static str, String) {
    let field = if error.field.starts_with("other_types") {
        "primary_type"
    } else {
        FIELDS
            .iter()
            .find(|f| **f == error.field)
            .copied()
            .unwrap_or("description")
    };
    let m = error.message.as_str();
    let text = if m.starts_with("longer than ") {
        let n = m
            .trim_start_matches("longer than ")
            .split(' ')
            .next()
            .unwrap_or_default();
        format!("{}不能超过 {n} 个字", label(field))
    } else if m.starts_with("contains a control") {
        format!("{}中含有不允许的控制字符，请删除后重试", label(field))
    } else {
        match field {
            "description" => "请记录来电人反映的问题".to_owned(),
            "region" if m.contains("outside your jurisdiction") => {
                "问题发生地不在本单位管辖范围内，请告知来电人向当地生态环境部门反映".to_owned()
            }
            "region" => "请选择问题发生地（至少选择到省）".to_owned(),
            "reporter_phone" if m.starts_with("give a phone") => {
                "请填写联系电话或通信地址，或勾选匿名".to_owned()
            }
            "reporter_phone" => "请填写正确的电话号码（5 至 20 位数字）".to_owned(),
            "reporter_email" => "请填写正确的电子邮箱，如 name@example.com".to_owned(),
            "primary_type" => "请选择问题类型，或填写问题描述由系统建议".to_owned(),
            "sub_type" => "细分类型与问题类型不一致，请重新选择".to_owned(),
            "link" if m.starts_with("a tracking") => {
                "请填写早先举报的受理编号（如 GL20261127-0000123）".to_owned()
            }
            "link" => "未找到该受理编号对应的案件（或不在本单位管辖范围内）".to_owned(),
            "channel" => "请选择来源渠道".to_owned(),
            "kind" => "请选择案件类别".to_owned(),
            other => format!("请检查{}", label(other)),
        }
    };
    (field, text)
}

/// The request's digest for the retry key: the form as posted, without its tokens.
fn request_hash(post: &DeskPost) -> String {
    let body = serde_json::to_vec(post).unwrap_or_default();
    hex::encode(Sha256::digest(&body))
}

async fn save(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    posted: Result<StrictForm<DeskPost>, super::PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let anonymous = post.anonymous.is_some();
    let region = region_of(&post);
    let intake = IntakeForm {
        kind: Some(post.kind.clone()).filter(|k| !k.is_empty()),
        channel: post.channel.clone(),
        // Left empty, the classifier's suggestion stands in until staff review it.
        primary_type: post.primary_type.trim().to_owned(),
        other_types: Vec::new(),
        sub_type: trimmed(&post.sub_type),
        industry: None,
        region: region.map(|r| r.to_string()).unwrap_or_default(),
        address: post.address.clone(),
        description: post.description.clone(),
        anonymous,
        reporter_name: trimmed(&post.reporter_name).filter(|_| !anonymous),
        reporter_phone: trimmed(&post.reporter_phone).filter(|_| !anonymous),
        reporter_address: trimmed(&post.reporter_address).filter(|_| !anonymous),
        reporter_email: trimmed(&post.reporter_email).filter(|_| !anonymous),
        external_id: trimmed(&post.external_id),
        ..IntakeForm::default()
    };
    let retry = trimmed(&post.retry_key).map(|key| RetryKey {
        key,
        request_hash: request_hash(&post),
    });
    let outcome = state
        .register_at_desk(&who.0, intake, trimmed(&post.link).as_deref(), retry)
        .await;
    let saved = match outcome {
        Ok(saved) => saved,
        Err(ServiceError::Invalid(found)) => {
            let mut errors = FieldErrors::default();
            for error in &found {
                let (field, text) = message(error);
                errors.add(field, text);
            }
            let jurisdiction = state.desk(&who.0)?;
            // The same retry key: the form, put right, is still the same call.
            let key = trimmed(&post.retry_key).unwrap_or_else(new_token);
            let page = page(&who, &csrf, jurisdiction, &post, errors, key);
            return Ok(csrf.attach(render(StatusCode::UNPROCESSABLE_ENTITY, &page)?));
        }
        Err(other) => return Err(other.into()),
    };
    let status = if saved.registered.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok(csrf.attach(render(status, &done(&who, &csrf, saved))?))
}

fn done(who: &ConsoleUser, csrf: &Csrf, saved: DeskRegistered) -> DonePage {
    let receipt = &saved.registered.receipt;
    let secret = receipt.secret.clone();
    DonePage {
        chrome: who.chrome(csrf),
        title: "登记完成",
        case_id: receipt.id,
        tracking_no: receipt.tracking_no.clone(),
        secret_groups: secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect(),
        secret,
        acceptance_due: receipt.acceptance_due.format("%Y年%m月%d日").to_string(),
        channel: saved.registered.case.channel.zh(),
        rejected_as_repeat: saved.linked.as_ref().is_some_and(|m| m.events.len() > 1),
        linked: saved.linked_tracking_no.clone(),
        link_failed: saved.link_failed,
        possible: if saved.linked.is_none() {
            receipt
                .possible_repeats
                .iter()
                .map(|c| c.tracking_no.clone())
                .collect()
        } else {
            Vec::new()
        },
    }
}
