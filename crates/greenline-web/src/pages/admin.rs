//! `/console/admin/…` — an administrator's jurisdiction: its units (create, disable), the
//! dispatch rules (自动分派) with a dry run, the deadline table and the reply templates. The
//! accounts page (`/console/accounts`) is linked, not repeated. Each handler calls one use case
//! of `greenline_app::admin` and renders its answer; a refused form is shown again with the
//! fields at fault named.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use greenline_domain::Approval;
use serde::Deserialize;

use super::console::type_choices;
use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::report::Choice;
use super::staff::ConsoleUser;
use super::{Chrome, PageError, PageResult, local_time, render, see_other};
use crate::AppState;
use greenline_app::ServiceError;
use greenline_app::admin::{
    DeadlineRow, DispatchTrial, PLACEHOLDERS, RuleForm, RuleView, TemplateForm, TemplateView,
    UnitAdminView,
};
use greenline_domain::{CaseKind, LimitsOverride, PollutionType, RegionCode};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/admin", get(index))
        .route("/console/admin/units", get(units).post(add_unit))
        .route("/console/admin/units/{id}/{action}", post(unit_action))
        .route("/console/admin/dispatch", get(dispatch).post(add_rule))
        .route("/console/admin/dispatch/{id}", post(save_rule))
        .route("/console/admin/dispatch/{id}/{action}", post(rule_action))
        .route("/console/admin/deadlines", get(limits).post(set_limits))
        .route("/console/admin/deadlines/remove", post(remove_deadlines))
        .route("/console/admin/templates", get(replies).post(add_reply))
        .route("/console/admin/templates/{id}", post(save_template))
        .route("/console/admin/templates/{id}/{action}", post(reply_act))
}

/// A form field's name in Chinese, for the error line above a refused form.
fn field_zh(field: &str) -> &'static str {
    match field {
        "name" => "单位名称",
        "region" => "地区",
        "owner_unit_id" => "规则所属单位",
        "target_unit_id" => "分派至",
        "pollution_type" => "污染类型",
        "note" => "说明",
        "title" => "模板标题",
        "body" => "模板内容",
        "kind" => "案件类别",
        "acceptance_days" => "受理时限",
        "handling_days" => "办理时限",
        "max_extension_days" => "最长延期",
        "review_request_days" => "申请复查期限",
        "review_decision_days" => "复查时限",
        "re_review_request_days" => "申请复核期限",
        "re_review_decision_days" => "复核时限",
        _ => "内容",
    }
}

/// The Chinese line for a refused form: the fields at fault, or the error's own text.
fn refusal(error: &ServiceError) -> (StatusCode, String) {
    let (status, _, text) = super::error_text(error);
    let line = match error {
        ServiceError::Invalid(found) if !found.is_empty() => {
            let mut names: Vec<&str> = found.iter().map(|f| field_zh(&f.field)).collect();
            names.dedup();
            format!("未保存：请检查{}。", names.join("、"))
        }
        ServiceError::BadParameter { field, .. } => format!("未保存：请检查{}。", field_zh(field)),
        ServiceError::Conflict { .. } => "未保存：不能停用本人所在的单位。".to_owned(),
        _ => text.to_owned(),
    };
    (status, line)
}

/// The fields a refused form names, to mark them.
fn fields_of(error: &ServiceError) -> Vec<String> {
    match error {
        ServiceError::Invalid(found) => found.iter().map(|f| f.field.clone()).collect(),
        ServiceError::BadParameter { field, .. } => vec![field.clone()],
        _ => Vec::new(),
    }
}

/// Errors a page shows as a page of their own rather than beside the form.
fn is_fatal(error: &ServiceError) -> bool {
    matches!(
        error,
        ServiceError::Internal(_)
            | ServiceError::Forbidden(_)
            | ServiceError::Unauthorized
            | ServiceError::Unavailable(_)
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionPost {
    csrf_token: String,
}

fn id_of(text: &str) -> Result<i64, PageError> {
    text.parse().map_err(|_| PageError::BadForm)
}

/// Every pollution type as a choice, with "any type" first.
fn any_type_choices(selected: &str) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "不限类型".to_owned(),
        selected: selected.is_empty(),
    }];
    choices.extend(type_choices(selected));
    choices
}

fn type_zh(code: Option<&str>) -> String {
    code.and_then(|c| PollutionType::parse(c).ok())
        .map_or_else(|| "不限类型".to_owned(), |t| t.zh().to_owned())
}

/// The regions of a jurisdiction an input suggests: its own and two levels below.
fn region_suggestions(top: RegionCode) -> Vec<Choice> {
    let mut out = vec![Choice {
        value: top.to_string(),
        label: top.full_name(),
        selected: false,
    }];
    out.extend(
        super::console::jurisdiction_regions(top, "")
            .into_iter()
            .map(|mut c| {
                if let Ok(code) = RegionCode::parse(&c.value) {
                    c.label = code.full_name();
                }
                c
            }),
    );
    out
}

// ---- the index ----

#[derive(Template)]
#[template(path = "admin.html")]
struct IndexPage {
    chrome: Chrome,
    title: &'static str,
    jurisdiction: String,
    units: usize,
}

async fn index(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    let units = state.admin_units(&who.0).await?;
    let page = IndexPage {
        chrome: who.chrome(&csrf),
        title: "系统管理",
        jurisdiction: who.0.unit.region.full_name(),
        units: units.len(),
    };
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

// ---- units ----

#[derive(Template)]
#[template(path = "admin_units.html")]
struct UnitsPage {
    chrome: Chrome,
    title: &'static str,
    jurisdiction: String,
    units: Vec<UnitAdminView>,
    regions: Vec<Choice>,
    form: UnitPost,
    notice: Option<String>,
    error: Option<String>,
    invalid: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UnitPost {
    csrf_token: String,
    name: String,
    region: String,
}

async fn units_page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    form: UnitPost,
    outcome: Result<Option<String>, ServiceError>,
) -> PageResult {
    let units = state.admin_units(&who.0).await?;
    let (status, notice, error, invalid) = match outcome {
        Ok(notice) => (StatusCode::OK, notice, None, Vec::new()),
        Err(e) if is_fatal(&e) => return Err(e.into()),
        Err(e) => {
            let (status, line) = refusal(&e);
            (status, None, Some(line), fields_of(&e))
        }
    };
    let page = UnitsPage {
        chrome: who.chrome(csrf),
        title: "单位管理",
        jurisdiction: who.0.unit.region.full_name(),
        units,
        regions: region_suggestions(who.0.unit.region),
        form,
        notice,
        error,
        invalid,
    };
    Ok(csrf.attach(render(status, &page)?))
}

async fn units(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    units_page(&state, &who, &csrf, UnitPost::default(), Ok(None)).await
}

async fn add_unit(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<UnitPost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    match state.create_unit(&who.0, &form.name, &form.region).await {
        Ok(unit) => {
            let notice = format!("已新建单位：{}（{}）。", unit.name, unit.region.full_name());
            units_page(&state, &who, &csrf, UnitPost::default(), Ok(Some(notice))).await
        }
        Err(e) => units_page(&state, &who, &csrf, form, Err(e)).await,
    }
}

async fn unit_action(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path((id, action)): Path<(String, String)>,
    posted: Result<StrictForm<ActionPost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = match action.as_str() {
        "disable" => state.set_unit_disabled(&who.0, id, true).await.map(|()| {
            Some("单位已停用：不再接收新案件，分派规则和转办均不能再指向它。".to_owned())
        }),
        "enable" => state
            .set_unit_disabled(&who.0, id, false)
            .await
            .map(|()| Some("单位已启用。".to_owned())),
        "approval-on" => state
            .set_unit_approval(Some(&who.0), &id.to_string(), Approval::Required)
            .await
            .map(|u| Some(format!("{}的办结意见和答复今后须经审核后生效。", u.name))),
        "approval-off" => state
            .set_unit_approval(Some(&who.0), &id.to_string(), Approval::NotRequired)
            .await
            .map(|u| Some(format!("{}的办结意见和答复今后不再需要审核。", u.name))),
        _ => return Err(PageError::BadForm),
    };
    units_page(&state, &who, &csrf, UnitPost::default(), outcome).await
}

// ---- dispatch rules ----

/// A rule as the list shows it.
struct RuleLine {
    view: RuleView,
    type_zh: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "admin_dispatch.html")]
struct DispatchPage {
    chrome: Chrome,
    title: &'static str,
    jurisdiction: String,
    rules: Vec<RuleLine>,
    /// The units a rule may belong to and route to: the jurisdiction's enabled units.
    owners: Vec<Choice>,
    targets: Vec<Choice>,
    types: Vec<Choice>,
    regions: Vec<Choice>,
    /// The rule being edited, if any (the form then saves it rather than adding one).
    editing: Option<i64>,
    form: RulePost,
    trial: Option<TrialLines>,
    trial_form: TrialQuery,
    trial_types: Vec<Choice>,
    notice: Option<String>,
    error: Option<String>,
    invalid: Vec<String>,
}

/// A dry run as the page shows it.
struct TrialLines {
    received_by: String,
    steps: Vec<String>,
    lands_at: String,
}

impl From<DispatchTrial> for TrialLines {
    fn from(trial: DispatchTrial) -> Self {
        TrialLines {
            received_by: trial.received_by,
            steps: trial
                .steps
                .iter()
                .map(|s| format!("{} → {}（规则 {}）", s.from_unit, s.to_unit, s.rule_id))
                .collect(),
            lands_at: trial.lands_at,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RulePost {
    csrf_token: String,
    owner_unit_id: String,
    region: String,
    pollution_type: String,
    target_unit_id: String,
    note: String,
}

impl RulePost {
    fn form(&self) -> Result<RuleForm, ServiceError> {
        let owner_unit_id = match self.owner_unit_id.trim() {
            "" => None,
            id => Some(
                id.parse()
                    .map_err(|_| ServiceError::field("owner_unit_id", "choose a unit"))?,
            ),
        };
        let target_unit_id = self
            .target_unit_id
            .trim()
            .parse()
            .map_err(|_| ServiceError::field("target_unit_id", "choose a unit"))?;
        Ok(RuleForm {
            owner_unit_id,
            region: self.region.clone(),
            pollution_type: Some(self.pollution_type.clone()),
            target_unit_id,
            note: Some(self.note.clone()),
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DispatchQuery {
    /// A rule to edit.
    edit: String,
    /// A dry run: the place and type of a report.
    trial_region: String,
    trial_type: String,
}

#[derive(Debug, Default)]
struct TrialQuery {
    region: String,
    pollution_type: String,
}

fn unit_choices(units: &[UnitAdminView], selected: &str) -> Vec<Choice> {
    units
        .iter()
        .filter(|u| !u.disabled)
        .map(|u| Choice {
            value: u.id.to_string(),
            label: format!("{}（{}）", u.name, u.region_name),
            selected: u.id.to_string() == selected,
        })
        .collect()
}

struct DispatchState {
    editing: Option<i64>,
    form: RulePost,
    trial: Option<TrialLines>,
    trial_form: TrialQuery,
}

async fn dispatch_page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    view: DispatchState,
    outcome: Result<Option<String>, ServiceError>,
) -> PageResult {
    let rules = state.rules(&who.0).await?;
    let units = state.admin_units(&who.0).await?;
    let (status, notice, error, invalid) = match outcome {
        Ok(notice) => (StatusCode::OK, notice, None, Vec::new()),
        Err(e) if is_fatal(&e) => return Err(e.into()),
        Err(e) => {
            let (status, line) = refusal(&e);
            (status, None, Some(line), fields_of(&e))
        }
    };
    let owner_selected = if view.form.owner_unit_id.is_empty() {
        who.0.unit.id.to_string()
    } else {
        view.form.owner_unit_id.clone()
    };
    let page = DispatchPage {
        chrome: who.chrome(csrf),
        title: "分派规则",
        jurisdiction: who.0.unit.region.full_name(),
        rules: rules
            .into_iter()
            .map(|r| RuleLine {
                type_zh: type_zh(r.pollution_type.as_deref()),
                updated: local_time(r.updated_at),
                view: r,
            })
            .collect(),
        owners: unit_choices(&units, &owner_selected),
        targets: unit_choices(&units, &view.form.target_unit_id),
        types: any_type_choices(&view.form.pollution_type),
        regions: region_suggestions(who.0.unit.region),
        editing: view.editing,
        trial_types: type_choices(&view.trial_form.pollution_type),
        trial: view.trial,
        trial_form: view.trial_form,
        form: view.form,
        notice,
        error,
        invalid,
    };
    Ok(csrf.attach(render(status, &page)?))
}

async fn dispatch(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    Query(query): Query<DispatchQuery>,
) -> PageResult {
    let mut view = DispatchState {
        editing: None,
        form: RulePost::default(),
        trial: None,
        trial_form: TrialQuery::default(),
    };
    let mut outcome = Ok(None);
    if let Ok(id) = query.edit.parse::<i64>() {
        let rules = state.rules(&who.0).await?;
        let rule = rules
            .into_iter()
            .find(|r| r.id == id)
            .ok_or(ServiceError::NotFound("dispatch rule"))?;
        view.editing = Some(id);
        view.form = RulePost {
            csrf_token: String::new(),
            owner_unit_id: rule.owner_unit_id.to_string(),
            region: rule.region.to_string(),
            pollution_type: rule.pollution_type.unwrap_or_default(),
            target_unit_id: rule.target_unit_id.to_string(),
            note: rule.note,
        };
    }
    if !query.trial_region.trim().is_empty() {
        view.trial_form = TrialQuery {
            region: query.trial_region.trim().to_owned(),
            pollution_type: query.trial_type.clone(),
        };
        match state
            .try_dispatch(&who.0, &query.trial_region, Some(&query.trial_type))
            .await
        {
            Ok(trial) => view.trial = Some(trial.into()),
            Err(e) => outcome = Err(e),
        }
    }
    dispatch_page(&state, &who, &csrf, view, outcome).await
}

async fn add_rule(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<RulePost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let outcome = match form.form() {
        Ok(rule) => state.add_rule(&who.0, &rule).await,
        Err(e) => Err(e),
    };
    let blank = DispatchState {
        editing: None,
        form: RulePost::default(),
        trial: None,
        trial_form: TrialQuery::default(),
    };
    match outcome {
        Ok(rule) => {
            let notice = format!(
                "已新建规则 {}：{}（{}）的新举报分派至 {}。",
                rule.id,
                rule.region_name,
                type_zh(rule.pollution_type.as_deref()),
                rule.target_unit
            );
            dispatch_page(&state, &who, &csrf, blank, Ok(Some(notice))).await
        }
        Err(e) => {
            let view = DispatchState { form, ..blank };
            dispatch_page(&state, &who, &csrf, view, Err(e)).await
        }
    }
}

async fn save_rule(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<StrictForm<RulePost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let outcome = match form.form() {
        Ok(rule) => state.update_rule(&who.0, id, &rule).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(see_other("/console/admin/dispatch")),
        Err(e) => {
            let view = DispatchState {
                editing: Some(id),
                form,
                trial: None,
                trial_form: TrialQuery::default(),
            };
            dispatch_page(&state, &who, &csrf, view, Err(e)).await
        }
    }
}

async fn rule_action(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path((id, action)): Path<(String, String)>,
    posted: Result<StrictForm<ActionPost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let (disabled, notice) = match action.as_str() {
        "disable" => (true, "规则已停用。"),
        "enable" => (false, "规则已启用。"),
        _ => return Err(PageError::BadForm),
    };
    let outcome = state
        .set_rule_disabled(&who.0, id, disabled)
        .await
        .map(|()| Some(notice.to_owned()));
    let view = DispatchState {
        editing: None,
        form: RulePost::default(),
        trial: None,
        trial_form: TrialQuery::default(),
    };
    dispatch_page(&state, &who, &csrf, view, outcome).await
}

// ---- the deadline table ----

/// One row of the table as the page shows it.
struct DeadlineLine {
    region: String,
    region_code: String,
    kind: &'static str,
    kind_code: &'static str,
    /// Each limit the kind has: in force, its statutory maximum and where it comes from.
    cells: Vec<DeadlineCell>,
    stored: bool,
}

struct DeadlineCell {
    label: &'static str,
    days: u32,
    max: u32,
    source: &'static str,
}

const DEADLINE_FIELDS: [&str; 7] = [
    "acceptance_days",
    "handling_days",
    "max_extension_days",
    "review_request_days",
    "review_decision_days",
    "re_review_request_days",
    "re_review_decision_days",
];

fn value_of(limits: &greenline_domain::TimeLimits, field: &str) -> u32 {
    match field {
        "acceptance_days" => limits.acceptance_days,
        "handling_days" => limits.handling_days,
        "max_extension_days" => limits.max_extension_days,
        "review_request_days" => limits.review_request_days,
        "review_decision_days" => limits.review_decision_days,
        "re_review_request_days" => limits.re_review_request_days,
        _ => limits.re_review_decision_days,
    }
}

fn set_of(o: &LimitsOverride, field: &str) -> Option<u32> {
    o.fields()
        .into_iter()
        .find(|(f, _)| *f == field)
        .and_then(|(_, v)| v)
}

impl From<DeadlineRow> for DeadlineLine {
    fn from(row: DeadlineRow) -> Self {
        let cells = DEADLINE_FIELDS
            .iter()
            .filter(|f| value_of(&row.maxima, f) > 0)
            .map(|field| {
                let stored = row.stored.as_ref().and_then(|o| set_of(o, field));
                let configured = row.configured.as_ref().and_then(|o| set_of(o, field));
                DeadlineCell {
                    label: field_zh(field),
                    days: value_of(&row.limits, field),
                    max: value_of(&row.maxima, field),
                    source: match (stored, configured) {
                        (Some(_), _) => "本系统设置",
                        (None, Some(_)) => "配置文件",
                        (None, None) => "上级或法定",
                    },
                }
            })
            .collect();
        DeadlineLine {
            region: row.region_name,
            region_code: row.region.to_string(),
            kind: row.kind.zh(),
            kind_code: row.kind.code(),
            stored: row.stored.is_some(),
            cells,
        }
    }
}

#[derive(Template)]
#[template(path = "admin_deadlines.html")]
struct DeadlinesPage {
    chrome: Chrome,
    title: &'static str,
    jurisdiction: String,
    lines: Vec<DeadlineLine>,
    regions: Vec<Choice>,
    kinds: Vec<Choice>,
    form: DeadlinePost,
    notice: Option<String>,
    error: Option<String>,
    invalid: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DeadlinePost {
    csrf_token: String,
    region: String,
    kind: String,
    acceptance_days: String,
    handling_days: String,
    max_extension_days: String,
    review_request_days: String,
    review_decision_days: String,
    re_review_request_days: String,
    re_review_decision_days: String,
}

impl DeadlinePost {
    fn value(&self, field: &str) -> &str {
        match field {
            "acceptance_days" => &self.acceptance_days,
            "handling_days" => &self.handling_days,
            "max_extension_days" => &self.max_extension_days,
            "review_request_days" => &self.review_request_days,
            "review_decision_days" => &self.review_decision_days,
            "re_review_request_days" => &self.re_review_request_days,
            _ => &self.re_review_decision_days,
        }
    }

    fn limits(&self) -> Result<LimitsOverride, ServiceError> {
        let region = RegionCode::parse(self.region.trim())
            .map_err(|_| ServiceError::field("region", "a six-digit region code"))?;
        let kind = CaseKind::parse_case(self.kind.trim())
            .ok_or_else(|| ServiceError::field("kind", "choose a kind of case"))?;
        let mut errors = Vec::new();
        let mut day = |field: &str| -> Option<u32> {
            let text = self.value(field).trim();
            if text.is_empty() {
                return None;
            }
            match text.parse::<u32>() {
                Ok(days) => Some(days),
                Err(_) => {
                    errors.push(greenline_domain::FieldError::new(field, "a whole number"));
                    None
                }
            }
        };
        let limits = LimitsOverride {
            region,
            kind,
            acceptance_days: day("acceptance_days"),
            handling_days: day("handling_days"),
            max_extension_days: day("max_extension_days"),
            review_request_days: day("review_request_days"),
            review_decision_days: day("review_decision_days"),
            re_review_request_days: day("re_review_request_days"),
            re_review_decision_days: day("re_review_decision_days"),
        };
        if errors.is_empty() {
            Ok(limits)
        } else {
            Err(ServiceError::Invalid(errors))
        }
    }
}

async fn deadlines_page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    form: DeadlinePost,
    outcome: Result<Option<String>, ServiceError>,
) -> PageResult {
    let rows = state.deadline_rows(&who.0).await?;
    let (status, notice, error, invalid) = match outcome {
        Ok(notice) => (StatusCode::OK, notice, None, Vec::new()),
        Err(e) if is_fatal(&e) => return Err(e.into()),
        Err(e) => {
            let (status, line) = refusal(&e);
            (status, None, Some(line), fields_of(&e))
        }
    };
    let kinds = CaseKind::CASES
        .iter()
        .map(|k| Choice {
            value: k.code().to_owned(),
            label: k.zh().to_owned(),
            selected: k.code() == form.kind,
        })
        .collect();
    let page = DeadlinesPage {
        chrome: who.chrome(csrf),
        title: "办理时限",
        jurisdiction: who.0.unit.region.full_name(),
        lines: rows.into_iter().map(DeadlineLine::from).collect(),
        regions: region_suggestions(who.0.unit.region),
        kinds,
        form,
        notice,
        error,
        invalid,
    };
    Ok(csrf.attach(render(status, &page)?))
}

async fn limits(State(state): State<AppState>, who: ConsoleUser, csrf: Csrf) -> PageResult {
    deadlines_page(&state, &who, &csrf, DeadlinePost::default(), Ok(None)).await
}

async fn set_limits(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<DeadlinePost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let outcome = match form.limits() {
        Ok(limits) => state.set_deadline_override(&who.0, limits).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => {
            let notice = "已保存。新的时限自现在起对新计算的期限生效，已在计时的期限不变。";
            deadlines_page(
                &state,
                &who,
                &csrf,
                DeadlinePost::default(),
                Ok(Some(notice.to_owned())),
            )
            .await
        }
        Err(e) => deadlines_page(&state, &who, &csrf, form, Err(e)).await,
    }
}

async fn remove_deadlines(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<DeadlinePost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let region = RegionCode::parse(form.region.trim()).map_err(|_| PageError::BadForm)?;
    let kind = CaseKind::parse_case(form.kind.trim()).ok_or(PageError::BadForm)?;
    let outcome = state
        .remove_deadline_override(&who.0, region, kind)
        .await
        .map(|()| Some("已恢复为上级或法定时限。".to_owned()));
    deadlines_page(&state, &who, &csrf, DeadlinePost::default(), outcome).await
}

// ---- reply templates ----

struct TemplateLine {
    view: TemplateView,
    type_zh: String,
}

#[derive(Template)]
#[template(path = "admin_templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    title: &'static str,
    jurisdiction: String,
    templates: Vec<TemplateLine>,
    types: Vec<Choice>,
    regions: Vec<Choice>,
    placeholders: Vec<(&'static str, &'static str)>,
    editing: Option<i64>,
    form: TemplatePost,
    notice: Option<String>,
    error: Option<String>,
    invalid: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplatePost {
    csrf_token: String,
    region: String,
    pollution_type: String,
    title: String,
    body: String,
}

impl TemplatePost {
    fn form(&self) -> TemplateForm {
        TemplateForm {
            region: Some(self.region.clone()),
            pollution_type: Some(self.pollution_type.clone()),
            title: self.title.clone(),
            body: self.body.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplatesQuery {
    edit: String,
}

/// The placeholders in Chinese, as the page explains them.
fn placeholders() -> Vec<(&'static str, &'static str)> {
    PLACEHOLDERS
        .iter()
        .map(|(p, _)| {
            let zh = match *p {
                "{tracking_no}" => "案件编号",
                "{type}" => "污染类型",
                "{date}" => "今天的日期",
                "{received_date}" => "收件日期",
                "{region}" => "所在地区",
                _ => "承办单位",
            };
            (*p, zh)
        })
        .collect()
}

async fn templates_page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    editing: Option<i64>,
    form: TemplatePost,
    outcome: Result<Option<String>, ServiceError>,
) -> PageResult {
    let templates = state.templates(&who.0).await?;
    let (status, notice, error, invalid) = match outcome {
        Ok(notice) => (StatusCode::OK, notice, None, Vec::new()),
        Err(e) if is_fatal(&e) => return Err(e.into()),
        Err(e) => {
            let (status, line) = refusal(&e);
            (status, None, Some(line), fields_of(&e))
        }
    };
    let page = TemplatesPage {
        chrome: who.chrome(csrf),
        title: "答复模板",
        jurisdiction: who.0.unit.region.full_name(),
        templates: templates
            .into_iter()
            .map(|t| TemplateLine {
                type_zh: type_zh(t.pollution_type.as_deref()),
                view: t,
            })
            .collect(),
        types: any_type_choices(&form.pollution_type),
        regions: region_suggestions(who.0.unit.region),
        placeholders: placeholders(),
        editing,
        form,
        notice,
        error,
        invalid,
    };
    Ok(csrf.attach(render(status, &page)?))
}

async fn replies(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    Query(query): Query<TemplatesQuery>,
) -> PageResult {
    let mut form = TemplatePost {
        region: who.0.unit.region.to_string(),
        ..TemplatePost::default()
    };
    let mut editing = None;
    if let Ok(id) = query.edit.parse::<i64>() {
        let template = state
            .templates(&who.0)
            .await?
            .into_iter()
            .find(|t| t.id == id)
            .ok_or(ServiceError::NotFound("reply template"))?;
        editing = Some(id);
        form = TemplatePost {
            csrf_token: String::new(),
            region: template.region.to_string(),
            pollution_type: template.pollution_type.unwrap_or_default(),
            title: template.title,
            body: template.body,
        };
    }
    templates_page(&state, &who, &csrf, editing, form, Ok(None)).await
}

async fn add_reply(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    posted: Result<StrictForm<TemplatePost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    match state.add_template(&who.0, &form.form()).await {
        Ok(t) => {
            let blank = TemplatePost {
                region: who.0.unit.region.to_string(),
                ..TemplatePost::default()
            };
            let notice = format!("已新建模板“{}”。", t.title);
            templates_page(&state, &who, &csrf, None, blank, Ok(Some(notice))).await
        }
        Err(e) => templates_page(&state, &who, &csrf, None, form, Err(e)).await,
    }
}

async fn save_template(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path(id): Path<String>,
    posted: Result<StrictForm<TemplatePost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    match state.update_template(&who.0, id, &form.form()).await {
        Ok(_) => Ok(see_other("/console/admin/templates")),
        Err(e) => templates_page(&state, &who, &csrf, Some(id), form, Err(e)).await,
    }
}

async fn reply_act(
    State(state): State<AppState>,
    who: ConsoleUser,
    headers: HeaderMap,
    csrf: Csrf,
    Path((id, action)): Path<(String, String)>,
    posted: Result<StrictForm<ActionPost>, PageError>,
) -> PageResult {
    let StrictForm(form) = posted?;
    csrf::verify(&headers, &form.csrf_token)?;
    let id = id_of(&id)?;
    let (disabled, notice) = match action.as_str() {
        "disable" => (true, "模板已停用。"),
        "enable" => (false, "模板已启用。"),
        _ => return Err(PageError::BadForm),
    };
    let outcome = state
        .set_template_disabled(&who.0, id, disabled)
        .await
        .map(|()| Some(notice.to_owned()));
    let blank = TemplatePost {
        region: who.0.unit.region.to_string(),
        ..TemplatePost::default()
    };
    templates_page(&state, &who, &csrf, None, blank, outcome).await
}
