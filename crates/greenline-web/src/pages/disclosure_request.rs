//! `/console/disclosure/{id}` — one information-disclosure request (依申请公开) at the handler's
//! desk: its clock in working days, the application, the history, and a form for each step
//! open to the staff member (告知补正, 收到补正, 征求第三方意见, 第三方意见办结, 延期答复, 答复 with
//! the content each kind of answer needs), turning it into a complaint, the answer document
//! (HTML, Word) and its sending. Reading the applicant's identity is a button: each read is
//! recorded. Each handler calls one use case of `greenline_app::disclosure`.

use askama::Template;
use axum::Router;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use greenline_app::ServiceError;
use greenline_app::disclosure::answer_document::{SentInput, document_format};
use greenline_app::disclosure::complaint::ComplaintInput;
use greenline_app::disclosure::read::DisclosureFile;
use greenline_app::disclosure::steps::StepInput;
use greenline_domain::disclosure::{
    AnswerForm, AnswerKind, Applicant, DisclosureAction, DisclosureStep, Redirect,
    WithholdingGround,
};
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::report::Choice;
use super::staff::ConsoleUser;
use super::{Chrome, FieldErrors, PageError, PageResult, local_time, render, see_other};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/disclosure/{id}", get(one))
        .route("/console/disclosure/{id}/steps", post(step))
        .route("/console/disclosure/{id}/complaint", post(complaint))
        .route("/console/disclosure/{id}/sent", post(sent))
        .route("/console/disclosure/{id}/applicant", post(applicant))
        .route("/console/disclosure/{id}/answer/{format}", get(document))
}

/// Every field any step's form posts; each step reads its own.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StepPost {
    csrf_token: String,
    version: String,
    action: String,
    what: String,
    reply_within_working_days: String,
    third_party: String,
    view: String,
    working_days: String,
    reason: String,
    consented_by: String,
    kind: String,
    delivery: String,
    where_published: String,
    ground: String,
    withheld: String,
    right_agency: String,
    right_agency_contact: String,
    earlier_request: String,
    redirect_to: String,
    note: String,
    region: String,
    address: String,
    primary_type: String,
    by: String,
}

fn some(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
}

impl StepPost {
    fn version(&self) -> Option<i64> {
        self.version.trim().parse().ok()
    }

    /// The step the form says; a number that does not parse is named like the core names it.
    fn step(&self) -> Result<DisclosureStep, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = |errors: &mut FieldErrors, field: &str, text: &str| -> Option<u32> {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            text.parse().map_or_else(
                |_| {
                    errors.add(field, "请填写整数。");
                    None
                },
                Some,
            )
        };
        let step = match DisclosureAction::parse(&self.action) {
            Some(DisclosureAction::AskCorrection) => DisclosureStep::AskCorrection {
                what: self.what.clone(),
                reply_within_working_days: number(
                    &mut errors,
                    "reply_within_working_days",
                    &self.reply_within_working_days,
                ),
            },
            Some(DisclosureAction::ReceiveCorrection) => DisclosureStep::ReceiveCorrection {},
            Some(DisclosureAction::StartConsultation) => DisclosureStep::StartConsultation {
                third_party: self.third_party.clone(),
            },
            Some(DisclosureAction::FinishConsultation) => DisclosureStep::FinishConsultation {
                view: self.view.clone(),
            },
            Some(DisclosureAction::Extend) => DisclosureStep::Extend {
                working_days: number(&mut errors, "working_days", &self.working_days).unwrap_or(0),
                reason: self.reason.clone(),
                consented_by: self.consented_by.clone(),
            },
            Some(DisclosureAction::Answer) => DisclosureStep::Answer {
                answer: Box::new(AnswerForm {
                    kind: self.kind.clone(),
                    delivery: some(&self.delivery),
                    where_published: some(&self.where_published),
                    ground: some(&self.ground),
                    reason: some(&self.reason),
                    withheld: some(&self.withheld),
                    right_agency_known: some(&self.right_agency).is_some(),
                    right_agency: some(&self.right_agency),
                    right_agency_contact: some(&self.right_agency_contact),
                    earlier_request: self.earlier_request.trim().parse().ok(),
                    redirect_to: some(&self.redirect_to),
                    note: some(&self.note),
                }),
            },
            None => {
                errors.add("action", "请选择要办理的事项。");
                return Err(errors);
            }
        };
        if errors.is_empty() {
            Ok(step)
        } else {
            Err(errors)
        }
    }
}

/// The form's Chinese message for a field the core refused.
fn message_zh(field: &str) -> &'static str {
    match field.rsplit('.').next().unwrap_or(field) {
        "what" => "请写明需要补正的内容。",
        "reply_within_working_days" => "补正期限须为 1 至 30 个工作日。",
        "third_party" => "请填写第三方的名称。",
        "view" => "请选择第三方的意见。",
        "working_days" => "延长期限须为 1 至 20 个工作日，且只能延长一次。",
        "reason" => "请写明理由。",
        "consented_by" => "请填写同意延期的负责人。",
        "kind" => "请选择答复类型。",
        "delivery" => "请选择提供信息的方式。",
        "where_published" => "请写明信息已公开的位置和获取方式。",
        "ground" => "请选择不予公开的法律依据。",
        "withheld" => "请写明不予公开的部分。",
        "right_agency" => "请写明负责该信息的机关。",
        "earlier_request" => "请填写此前申请的编号。",
        "redirect_to" => "请选择转由哪种渠道办理。",
        "note" => "请写明告知申请人的内容。",
        "region" => "请填写六位行政区划代码。",
        "primary_type" => "污染类型不正确。",
        "by" => "请选择送达方式。",
        _ => "填写的内容有误，请检查。",
    }
}

fn refused(error: ServiceError) -> Result<FieldErrors, PageError> {
    let mut errors = FieldErrors::default();
    match error {
        ServiceError::Invalid(fields) => {
            for f in fields {
                errors.add(&f.field, message_zh(&f.field));
            }
        }
        ServiceError::BadParameter { field, .. } => errors.add(&field, message_zh(&field)),
        ServiceError::Conflict { .. } => errors.add(
            "form",
            "该申请已被他人办理或当前阶段不能办理此事项，请刷新页面后再操作。",
        ),
        other => return Err(other.into()),
    }
    Ok(errors)
}

struct HistoryRow {
    at: String,
    actor: String,
    action: String,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "console_disclosure_request.html")]
struct RequestPage<'a> {
    chrome: Chrome,
    title: &'static str,
    file: &'a DisclosureFile,
    received_on: String,
    delivery_zh: &'static str,
    answer_zh: Option<&'static str>,
    history: Vec<HistoryRow>,
    actions: Vec<(&'static str, &'static str)>,
    kinds: Vec<Choice>,
    grounds: Vec<Choice>,
    redirects: Vec<Choice>,
    errors: FieldErrors,
    notice: Option<String>,
    applicant: Option<Applicant>,
}

impl RequestPage<'_> {
    fn may(&self, code: &str) -> bool {
        self.actions.iter().any(|(c, _)| *c == code)
    }
}

fn history_zh(action: &str) -> String {
    match action {
        "apply" => "收到申请".to_owned(),
        "view_applicant" => "查看申请人信息".to_owned(),
        "send_answer" => "送达答复".to_owned(),
        "turn_into_complaint" => "转为举报件".to_owned(),
        other => {
            DisclosureAction::parse(other).map_or_else(|| other.to_owned(), |a| a.zh().to_owned())
        }
    }
}

fn render_page(
    who: &ConsoleUser,
    csrf: &Csrf,
    file: &DisclosureFile,
    errors: FieldErrors,
    notice: Option<String>,
    applicant: Option<Applicant>,
) -> PageResult {
    let request = &file.view.request;
    let page = RequestPage {
        chrome: who.chrome(csrf),
        title: "依申请公开",
        received_on: request.received_on.to_string(),
        delivery_zh: request.delivery.zh(),
        answer_zh: request.answer.as_ref().map(|a| a.kind().zh()),
        history: file
            .events
            .iter()
            .rev()
            .map(|e| HistoryRow {
                at: local_time(e.at),
                actor: e.actor.clone(),
                action: history_zh(&e.action),
                note: e.note.clone(),
            })
            .collect(),
        actions: file
            .view
            .actions
            .iter()
            .map(|a| (a.code(), a.zh()))
            .collect(),
        kinds: AnswerKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().to_owned(),
                label: k.zh().to_owned(),
                selected: false,
            })
            .collect(),
        grounds: WithholdingGround::ALL
            .iter()
            .map(|g| Choice {
                value: g.code().to_owned(),
                label: format!("{}（{}）", g.zh(), g.article_zh()),
                selected: false,
            })
            .collect(),
        redirects: Redirect::ALL
            .iter()
            .map(|r| Choice {
                value: r.code().to_owned(),
                label: r.zh().to_owned(),
                selected: false,
            })
            .collect(),
        file,
        errors,
        notice,
        applicant,
    };
    let status = if page.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(csrf.attach(render(status, &page)?))
}

fn request_id(text: &str) -> Result<i64, PageError> {
    text.parse().map_err(|_| PageError::BadForm)
}

async fn one(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    Path(id): Path<String>,
) -> PageResult {
    let file = state.disclosure(&who.0, request_id(&id)?).await?;
    render_page(&who, &csrf, &file, FieldErrors::default(), None, None)
}

async fn step(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<StepPost>, FormRejection>,
) -> PageResult {
    let Form(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let id = request_id(&id)?;
    let errors = match post.step() {
        Ok(step) => {
            let input = StepInput {
                version: post.version(),
                step,
            };
            match state.disclosure_step(&who.0, id, input).await {
                Ok(_) => return Ok(see_other(&format!("/console/disclosure/{id}"))),
                Err(error) => refused(error)?,
            }
        }
        Err(errors) => errors,
    };
    let file = state.disclosure(&who.0, id).await?;
    render_page(&who, &csrf, &file, errors, None, None)
}

async fn complaint(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<StepPost>, FormRejection>,
) -> PageResult {
    let Form(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let id = request_id(&id)?;
    let input = ComplaintInput {
        version: post.version(),
        region: post.region.trim().to_owned(),
        address: post.address.trim().to_owned(),
        primary_type: post.primary_type.trim().to_owned(),
    };
    let (errors, notice) = match state.turn_into_complaint(&who.0, id, input).await {
        Ok(turned) => (
            FieldErrors::default(),
            Some(format!(
                "已转为举报件 {}，申请已按“不属于政府信息公开申请”答复。",
                turned.case_tracking_no
            )),
        ),
        Err(error) => (refused(error)?, None),
    };
    let file = state.disclosure(&who.0, id).await?;
    render_page(&who, &csrf, &file, errors, notice, None)
}

async fn sent(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<StepPost>, FormRejection>,
) -> PageResult {
    let Form(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let id = request_id(&id)?;
    let input = SentInput {
        by: post.by.clone(),
        note: some(&post.note),
    };
    let (errors, notice) = match state.record_answer_sent(&who.0, id, input).await {
        Ok(_) => (FieldErrors::default(), Some("已记录送达。".to_owned())),
        Err(error) => (refused(error)?, None),
    };
    let file = state.disclosure(&who.0, id).await?;
    render_page(&who, &csrf, &file, errors, notice, None)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TokenOnly {
    csrf_token: String,
}

async fn applicant(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<Form<TokenOnly>, FormRejection>,
) -> PageResult {
    let Form(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let id = request_id(&id)?;
    let applicant = state.applicant(&who.0, id).await?;
    let file = state.disclosure(&who.0, id).await?;
    render_page(
        &who,
        &csrf,
        &file,
        FieldErrors::default(),
        None,
        Some(applicant),
    )
}

async fn document(
    State(state): State<AppState>,
    who: ConsoleUser,
    Path((id, format)): Path<(String, String)>,
) -> PageResult {
    let id = request_id(&id)?;
    let format = document_format(&format)?;
    let file = state.answer_document(&who.0, id, format).await?;
    Ok(crate::routes::disclosure::document_response(file))
}
