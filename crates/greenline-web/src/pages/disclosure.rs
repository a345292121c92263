//! `/disclosure` — 政府信息公开申请: the portal's application form (phone-friendly), and the
//! receipt with the tracking number and secret; `/console/disclosure` — the handlers' list of
//! requests with their due dates and the steps open to them. Both call the core's disclosure use
//! cases, as the API does.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use greenline_app::ServiceError;
use greenline_app::disclosure::DisclosureView;
use greenline_app::disclosure::apply::{ApplicationInput, ApplicationReceipt, Applier};
use greenline_domain::disclosure::{ApplicantKind, ApplicationForm, DeliveryForm};
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::report::Choice;
use super::staff::ConsoleUser;
use super::{Chrome, FieldErrors, PageError, PageResult, render};
use crate::AppState;
use crate::extract::ClientIp;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/disclosure", get(form).post(submit))
        .route("/console/disclosure", get(list))
}

/// The form as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApplyPost {
    csrf_token: String,
    unit_id: String,
    applicant_kind: String,
    applicant_name: String,
    applicant_id_number: String,
    contact_person: String,
    phone: String,
    email: String,
    address: String,
    description: String,
    delivery: String,
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct ApplyPage<'a> {
    chrome: Chrome,
    title: &'static str,
    form: &'a ApplyPost,
    errors: FieldErrors,
    agencies: Vec<Choice>,
    kinds: Vec<Choice>,
    deliveries: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "disclosure_done.html")]
struct DonePage {
    chrome: Chrome,
    title: &'static str,
    receipt: ApplicationReceipt,
    due_on: String,
}

fn public_chrome(csrf: &Csrf) -> Chrome {
    Chrome {
        staff: None,
        csrf: csrf.token.clone(),
        nav: Vec::new(),
    }
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    zh: fn(T) -> &'static str,
    chosen: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: zh(*v).to_owned(),
            selected: code(*v) == chosen,
        })
        .collect()
}

async fn apply_page<'a>(
    state: &AppState,
    form: &'a ApplyPost,
    csrf: &Csrf,
    errors: FieldErrors,
) -> Result<ApplyPage<'a>, PageError> {
    let agencies = state
        .disclosure_agencies()
        .await?
        .into_iter()
        .map(|a| Choice {
            selected: a.id.to_string() == form.unit_id,
            value: a.id.to_string(),
            label: a.name,
        })
        .collect();
    let kind = if form.applicant_kind.is_empty() {
        ApplicantKind::NaturalPerson.code()
    } else {
        form.applicant_kind.as_str()
    };
    let delivery = if form.delivery.is_empty() {
        DeliveryForm::Paper.code()
    } else {
        form.delivery.as_str()
    };
    Ok(ApplyPage {
        chrome: public_chrome(csrf),
        title: "政府信息公开申请",
        form,
        errors,
        agencies,
        kinds: choices(
            &ApplicantKind::ALL,
            ApplicantKind::code,
            ApplicantKind::zh,
            kind,
        ),
        deliveries: choices(
            &DeliveryForm::ALL,
            DeliveryForm::code,
            DeliveryForm::zh,
            delivery,
        ),
    })
}

async fn form(State(state): State<AppState>, csrf: Csrf) -> PageResult {
    let blank = ApplyPost::default();
    let page = apply_page(&state, &blank, &csrf, FieldErrors::default()).await?;
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

/// What each field's problem is called on the page.
fn zh_message(field: &str) -> (&'static str, &'static str) {
    match field {
        "unit_id" => ("unit_id", "请选择受理申请的机关"),
        "applicant_kind" => ("applicant_kind", "请选择申请人类型"),
        "applicant_name" => ("applicant_name", "请填写申请人姓名或名称（不超过200字）"),
        "applicant_id_number" => (
            "applicant_id_number",
            "请填写身份证件号码或统一社会信用代码",
        ),
        "phone" => (
            "phone",
            "请至少留一种联系方式（手机号码、电子邮箱或通信地址），手机号码须为5至20位数字",
        ),
        "email" => (
            "email",
            "请填写有效的电子邮箱；选择以电子邮件方式获取信息时必填",
        ),
        "address" | "contact_person" => ("address", "通信地址或联系人不能超过200字"),
        "description" => (
            "description",
            "请描述所需政府信息的名称、文号或便于查询的其他特征",
        ),
        "delivery" => ("delivery", "请选择获取信息的方式"),
        _ => ("description", "申请内容有误，请检查后再次提交"),
    }
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
    posted: Result<StrictForm<ApplyPost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let mut errors = FieldErrors::default();
    let unit_id = form.unit_id.trim().parse::<i64>().ok();
    if unit_id.is_none() {
        let (field, message) = zh_message("unit_id");
        errors.add(field, message);
    }
    let input = ApplicationInput {
        unit_id,
        form: ApplicationForm {
            channel: "web".to_owned(),
            applicant_kind: form.applicant_kind.clone(),
            applicant_name: form.applicant_name.clone(),
            applicant_id_number: form.applicant_id_number.clone(),
            contact_person: given(&form.contact_person),
            phone: given(&form.phone),
            email: given(&form.email),
            address: given(&form.address),
            description: form.description.clone(),
            delivery: form.delivery.clone(),
        },
    };
    if errors.is_empty() {
        match state.apply_for_disclosure(Applier::Public(ip), input).await {
            Ok(receipt) => {
                let page = DonePage {
                    chrome: public_chrome(&csrf),
                    title: "申请已提交",
                    due_on: receipt.due_on.format("%Y年%m月%d日").to_string(),
                    receipt,
                };
                return Ok(csrf.attach(render(StatusCode::CREATED, &page)?));
            }
            Err(ServiceError::Invalid(found)) => {
                for error in &found {
                    let (field, message) = zh_message(&error.field);
                    errors.add(field, message);
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    let page = apply_page(&state, &form, &csrf, errors).await?;
    Ok(csrf.attach(render(StatusCode::UNPROCESSABLE_ENTITY, &page)?))
}

/// One request in the handlers' list.
#[derive(Debug)]
struct Row {
    id: i64,
    tracking_no: String,
    unit: String,
    applicant_kind: String,
    received_on: String,
    stage: String,
    clock: String,
    last_day: String,
    overdue: bool,
    answer: Option<String>,
    actions: Vec<&'static str>,
}

impl Row {
    fn new(v: &DisclosureView) -> Row {
        Row {
            id: v.request.id,
            tracking_no: v.tracking_no.clone(),
            unit: v.unit_name.clone(),
            applicant_kind: v.applicant_kind_zh.clone(),
            received_on: v.request.received_on.format("%Y-%m-%d").to_string(),
            stage: v.stage_zh.clone(),
            clock: v.clock.state_zh.clone(),
            last_day: v.clock.last_day.format("%Y-%m-%d").to_string(),
            overdue: v.clock.overdue,
            answer: v.request.answer.as_ref().map(|a| a.kind().zh().to_owned()),
            actions: v.actions.iter().map(|a| a.zh()).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "console_disclosure.html")]
struct ListPage {
    chrome: Chrome,
    title: &'static str,
    rows: Vec<Row>,
    open: usize,
    overdue: usize,
}

async fn list(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    let views = state.disclosures(&who.0, false).await?;
    let rows: Vec<Row> = views.iter().map(Row::new).collect();
    let page = ListPage {
        chrome: who.chrome(&csrf),
        title: "依申请公开",
        open: views.iter().filter(|v| v.request.answer.is_none()).count(),
        overdue: rows.iter().filter(|r| r.overdue).count(),
        rows,
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}
