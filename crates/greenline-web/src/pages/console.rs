//! `/console` — the staff console: the cases of the staff member's jurisdiction (the API's search,
//! with its filters and keyset pages, or its full-text search when words are given, with the
//! passage found) and one case with its history and the actions its stage
//! allows, each posted to a handler that takes the same step as the API
//! (`App::take_step`).

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use greenline_app::cases::oversight::OversightForm;
use greenline_domain::{
    Action, CallbackForm, CaseKind, Command, Draft, ENFORCEMENT_FIELDS, EnforcementAction, Outcome,
    Oversight, PollutionType, RegionCode, RejectionReason, Reporter, Satisfaction, Stage,
    TypeReview, TypesForm,
};
use serde::Deserialize;

use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::report::{Choice, regions_under};
use super::staff::ConsoleUser;
use super::{FieldErrors, PageError, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::extract::CaseId;
use greenline_app::ServiceError;
use greenline_app::cases::merge::MergeForm;
use greenline_app::cases::read::CaseFile;
use greenline_app::views::CaseView;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(list))
        .route("/console/cases/{id}", get(detail))
        .route("/console/cases/{id}/actions", post(act))
        .route("/console/cases/{id}/types", post(review))
        .route("/console/cases/{id}/merge", post(merge))
        .route("/console/cases/{id}/reporter", post(reporter))
        .route("/console/cases/{id}/oversight", post(oversee))
        .route("/console/cases/{id}/callback", post(call_back))
}

/// One row of the list.
#[derive(Debug)]
struct Row {
    id: i64,
    tracking_no: String,
    received_at: String,
    kind: &'static str,
    types: String,
    region: String,
    stage: &'static str,
    overdue: bool,
    /// The passage of the description a full-text search found, as escaped HTML with `<mark>`.
    snippet_html: Option<String>,
}

impl Row {
    fn new(view: &CaseView) -> Row {
        let case = &view.case;
        Row {
            id: case.id,
            tracking_no: view.tracking_no.clone(),
            received_at: local_time(case.received_at),
            kind: case.kind.zh(),
            types: case
                .types
                .iter()
                .map(|t| t.zh())
                .collect::<Vec<_>>()
                .join("、"),
            region: view.region_name.clone(),
            stage: case.stage.zh(),
            overdue: view.overdue,
            snippet_html: None,
        }
    }
}

#[derive(Template)]
#[template(path = "console.html")]
struct ListPage {
    chrome: super::Chrome,
    title: &'static str,
    jurisdiction: String,
    /// The words of a full-text search, if one was asked for.
    q: String,
    /// How many cases a full-text search found.
    total: Option<u64>,
    stages: Vec<Choice>,
    types: Vec<Choice>,
    regions: Vec<Choice>,
    rows: Vec<Row>,
    /// The address of the next page, with the same filters.
    next: Option<String>,
    error: Option<&'static str>,
    /// Filters beyond the form's (a figure of the dashboard opened this list), in words.
    counted_filters: Vec<String>,
}

/// Every pollution type as a choice of a filter, `selected` (a type's code) marked.
pub(super) fn type_choices(selected: &str) -> Vec<Choice> {
    PollutionType::all()
        .map(|t| Choice {
            value: t.code().to_owned(),
            label: t.zh().to_owned(),
            selected: t.code() == selected,
        })
        .collect()
}

/// The regions a staff member can filter by: their own and two levels below it.
pub(super) fn jurisdiction_regions(top: RegionCode, selected: &str) -> Vec<Choice> {
    let mut out = Vec::new();
    let mut push = |code: RegionCode, depth: usize| {
        out.push(Choice {
            value: code.to_string(),
            label: format!("{}{}", "　".repeat(depth), code.name()),
            selected: code.to_string() == selected,
        });
    };
    for child in regions_under(top) {
        push(child, 0);
        for grandchild in regions_under(child) {
            push(grandchild, 1);
        }
    }
    out
}

fn query_string(params: &HashMap<String, String>) -> String {
    let mut pairs: Vec<_> = params.iter().collect();
    pairs.sort();
    pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query component.
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn list(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    RawQuery(raw): RawQuery,
    Query(mut params): Query<HashMap<String, String>>,
) -> PageResult {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    // A form sends every select, chosen or not: an empty one filters nothing.
    params.retain(|_, v| !v.trim().is_empty());
    if who.0.jurisdiction().is_err() {
        // An auditor's desk is the audit trail.
        return Ok(see_other("/console/audit"));
    }
    let selected = |name: &str| params.get(name).cloned().unwrap_or_default();
    let top = who.0.unit.region;
    let mut page = ListPage {
        chrome: who.chrome(&csrf),
        title: "案件列表",
        jurisdiction: top.full_name(),
        q: selected("q"),
        total: None,
        stages: Stage::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().to_owned(),
                label: s.zh().to_owned(),
                selected: s.code() == selected("stage"),
            })
            .collect(),
        types: type_choices(&selected("type")),
        regions: jurisdiction_regions(top, &selected("region")),
        rows: Vec::new(),
        next: None,
        error: None,
        counted_filters: describe_filters(&params),
    };
    if params.contains_key("q") {
        let status = full_text(&state, &who, &params, &mut page).await?;
        return Ok(csrf.attach(render(status, &page)?));
    }
    let filters = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let status = match state.list_cases(&who.0, filters).await {
        Ok(found) => {
            page.rows = found.items.iter().map(Row::new).collect();
            page.next = found.next_before.map(|before| {
                let mut next: HashMap<String, String> = params
                    .iter()
                    .filter(|(k, _)| k.as_str() != "before")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                next.insert("before".to_owned(), before.to_string());
                format!("/console?{}", query_string(&next))
            });
            StatusCode::OK
        }
        Err(ServiceError::BadParameter { .. }) => {
            page.error = Some("筛选条件有误，请重新选择。");
            StatusCode::BAD_REQUEST
        }
        Err(other) => return Err(other.into()),
    };
    Ok(csrf.attach(render(status, &page)?))
}

/// The filters of a list that the form does not show, in words: those a figure of the
/// dashboard adds when it opens the cases behind it.
fn describe_filters(params: &HashMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    let yes = |v: &String| v.trim() == "true";
    let mut keys: Vec<&String> = params.keys().collect();
    keys.sort();
    for key in keys {
        let value = &params[key];
        let text = match key.as_str() {
            "received_from" => format!("收到日期自 {value}"),
            "received_to" => format!("收到日期至 {value}"),
            "channel" => format!(
                "渠道：{}",
                value
                    .split(',')
                    .map(|c| greenline_domain::Channel::parse(c.trim()).map_or(c, |c| c.zh()))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            "overdue" if yes(value) => "已超期".to_owned(),
            "stage" if value.contains(',') => format!(
                "阶段：{}",
                value
                    .split(',')
                    .map(|c| Stage::parse(c.trim()).map_or(c, |s| s.zh()))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            "status" if value == "accepted" => "已受理".to_owned(),
            "accepted_late" if yes(value) => "超时受理".to_owned(),
            "accepted_late" => "按时受理".to_owned(),
            "concluded_late" if yes(value) => "超期办结".to_owned(),
            "concluded_late" => "按期办结".to_owned(),
            "unit_id" => "指定承办单位".to_owned(),
            "repeat_source" if yes(value) => "重复举报".to_owned(),
            "q" | "stage" | "type" | "region" | "before" | "offset" => continue,
            _ => "其他统计条件".to_owned(),
        };
        out.push(text);
    }
    out.dedup();
    out
}

/// Fills the list with a full-text search under the form's filters; the status to answer with.
async fn full_text(
    state: &AppState,
    who: &ConsoleUser,
    params: &HashMap<String, String>,
    page: &mut ListPage,
) -> Result<StatusCode, PageError> {
    let wanted: HashMap<String, String> = params
        .iter()
        .filter(|(k, _)| matches!(k.as_str(), "q" | "stage" | "type" | "region" | "offset"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let query =
        match state.search_query(&who.0, wanted.iter().map(|(k, v)| (k.as_str(), v.as_str()))) {
            Ok(query) => query,
            Err(ServiceError::BadParameter { .. }) => {
                page.error = Some("检索词或筛选条件有误，请修改后重试。");
                return Ok(StatusCode::BAD_REQUEST);
            }
            Err(other) => return Err(other.into()),
        };
    let (offset, limit) = (query.offset, query.limit);
    match state.search_texts(&who.0, query).await {
        Ok(found) => {
            page.total = Some(found.total);
            page.rows = found
                .hits
                .into_iter()
                .map(|hit| Row {
                    snippet_html: Some(hit.snippet_html),
                    ..Row::new(&hit.case)
                })
                .collect();
            let next = offset + limit;
            if (next as u64) < found.total {
                let mut params = wanted;
                params.insert("offset".to_owned(), next.to_string());
                page.next = Some(format!("/console?{}", query_string(&params)));
            }
            Ok(StatusCode::OK)
        }
        Err(ServiceError::Unavailable(_)) => {
            page.error = Some("全文检索正在准备中，请稍后再试。");
            Ok(StatusCode::SERVICE_UNAVAILABLE)
        }
        Err(other) => Err(other.into()),
    }
}

/// One entry of the history, for staff.
#[derive(Debug)]
struct HistoryEntry {
    at: String,
    actor: String,
    action: String,
    stage: Option<&'static str>,
    note: Option<String>,
}

/// A form for one action the staff member may take now.
#[derive(Debug)]
struct ActionForm {
    code: &'static str,
    label: &'static str,
    /// The inputs this action asks for.
    fields: Vec<Input>,
}

#[derive(Debug)]
struct Input {
    name: &'static str,
    label: String,
    kind: InputKind,
    required: bool,
    /// What the input holds when the page opens (a returned draft's text); for a check box,
    /// non-empty when ticked.
    value: String,
}

#[derive(Debug)]
enum InputKind {
    Text,
    LongText,
    /// Days, 1 to 30.
    Number,
    /// An amount in yuan.
    Amount,
    /// A check box.
    Check,
    Select(Vec<Choice>),
}

#[derive(Template)]
#[template(path = "case.html")]
pub(super) struct CasePage {
    chrome: super::Chrome,
    title: String,
    view: CaseView,
    received_at: String,
    kind: &'static str,
    types: String,
    channel: &'static str,
    holder: String,
    due_on: String,
    history: Vec<HistoryEntry>,
    actions: Vec<ActionForm>,
    /// 分类建议, e.g. "大气 / 餐饮油烟（置信度 92%）"; empty when none was made.
    suggestion: String,
    /// 未审核 / 已确认 / 已更正
    review: &'static str,
    /// The types form, when the user may review: every type and sub-type, the case's own
    /// selected.
    type_choices: Vec<Choice>,
    sub_type_choices: Vec<Choice>,
    /// The further types, comma-separated, kept as they are by the types form.
    other_types: String,
    may_review: bool,
    may_merge: bool,
    /// The conclusion (结论) and its enforcement measures (查处措施), once concluded.
    outcome: String,
    enforcement: String,
    /// Whether the reporter's contact may be opened (a recorded read), and, once opened, it.
    may_read_reporter: bool,
    reporter: Option<Reporter>,
    /// Whether the user may urge or supervise (催办, 督办), and how often the case was.
    may_oversee: bool,
    oversight: String,
    /// Earlier cases this one may repeat (疑似重复举报), best first.
    repeats: Vec<RepeatHint>,
    /// The case's files, for those who may read them.
    files: Option<Vec<super::attachments::FileRow>>,
    may_attach: bool,
    file_kinds: Vec<Choice>,
    /// A conclusion and reply awaiting approval or returned for editing (审核), for the staff
    /// who may see the case; and whether the holding unit's conclusions need approval.
    draft: Option<DraftShown>,
    approval: bool,
    /// Whether the user may record a callback (回访), and those recorded.
    may_call_back: bool,
    callbacks: Vec<CallbackShown>,
    satisfaction_choices: Vec<Choice>,
    /// The reply templates for this case, filled for it (when the user may reply).
    templates: Vec<greenline_app::admin::FilledTemplate>,
    /// The template chosen without script ("使用模板"), and the reply text it gave.
    chosen_template: i64,
    reply_text: String,
    pub(super) error: Option<String>,
    errors: FieldErrors,
    /// The map of the reporter's point, when the case has one and the site has tiles.
    map: Option<super::map::MapConfig>,
    leaflet_js: &'static str,
    leaflet_css: &'static str,
}

impl CasePage {
    /// The point as the page writes it: latitude and longitude to six places, WGS-84.
    fn point_text(&self) -> Option<(String, String)> {
        self.view
            .case
            .point
            .map(|p| (format!("{:.6}", p.latitude), format!("{:.6}", p.longitude)))
    }
}

/// A draft as the case page shows it.
struct DraftShown {
    outcome: &'static str,
    findings: String,
    enforcement: String,
    reply: String,
    submitted_at: String,
    /// 待审核 (awaiting approval) or 已退回修改 (returned).
    state: &'static str,
}

/// A recorded callback as the case page lists it.
struct CallbackShown {
    at: String,
    satisfaction: &'static str,
    solved: &'static str,
    by: String,
    note: Option<String>,
}

/// A same-source candidate as the case page lists it.
struct RepeatHint {
    case_id: i64,
    tracking_no: String,
    received_on: String,
    stage: &'static str,
    percent: String,
    same: bool,
    evidence: String,
}

/// Who acted, in Chinese: staff by their name and unit; the public and the system by role.
fn actor_label(actor: String) -> String {
    match actor.as_str() {
        "public" => "举报人".to_owned(),
        "system:import" => "系统（批量导入）".to_owned(),
        greenline_app::admin::DISPATCH_ACTOR => "自动分派".to_owned(),
        other if other.starts_with("system") => "系统".to_owned(),
        _ => actor,
    }
}

/// An event's action code in Chinese, for the history.
fn event_label(code: &str) -> String {
    match Action::parse(code) {
        Some(action) => action.zh().to_owned(),
        None => match code {
            "register" => "登记".to_owned(),
            "confirm_types" => "确认分类".to_owned(),
            "correct_types" => "更正分类".to_owned(),
            "merge" => "归并为重复举报".to_owned(),
            "view_reporter" => "查看举报人信息".to_owned(),
            "urge" => "催办".to_owned(),
            "supervise" => "督办".to_owned(),
            "attach" => "上传附件".to_owned(),
            "callback" => "回访".to_owned(),
            "export_reporter" => "导出举报人信息".to_owned(),
            other => other.to_owned(),
        },
    }
}

fn field_label(name: &str) -> &'static str {
    match name {
        "note" => "备注",
        "reason" => "理由",
        "unit_id" => "承办单位",
        "days" => "延长天数",
        "outcome" => "结论",
        "findings" => "调查情况",
        "text" | "reply" => "答复内容",
        "satisfaction" => "满意度",
        "solved" => "问题是否解决",
        "stage" => "阶段",
        "summary" => "公开内容",
        "into" => "重复举报的案件编号",
        "primary_type" => "主要类型",
        "sub_type" => "细分类型",
        "fine_yuan" => "罚款金额（元）",
        "kind" => "催办或督办",
        "enforcement_other" => "其他措施",
        _ => "内容",
    }
}

fn input(name: &'static str, kind: InputKind, required: bool) -> Input {
    Input {
        name,
        label: field_label(name).to_owned(),
        kind,
        required,
        value: String::new(),
    }
}

/// The conclusion's enforcement measures (查处措施): a check box each, the fine's amount and
/// any other measure, as `Command::from_fields` reads them.
fn enforcement_inputs() -> Vec<Input> {
    let mut inputs: Vec<Input> = ENFORCEMENT_FIELDS
        .iter()
        .map(|(name, action)| Input {
            name,
            label: action.zh(),
            kind: InputKind::Check,
            required: false,
            value: String::new(),
        })
        .collect();
    inputs.push(input("fine_yuan", InputKind::Amount, false));
    inputs.push(input("enforcement_other", InputKind::Text, false));
    inputs
}

fn outcomes(kind: CaseKind) -> InputKind {
    InputKind::Select(
        Outcome::for_kind(kind)
            .iter()
            .map(|o| Choice {
                value: o.code().to_owned(),
                label: o.zh().to_owned(),
                selected: false,
            })
            .collect(),
    )
}

/// The inputs each action asks for, matching the fields of its [`Command`].
fn inputs(action: Action, kind: CaseKind, units: &[Choice]) -> Vec<Input> {
    use InputKind::{LongText, Number, Select, Text};
    match action {
        Action::Accept | Action::Handle | Action::Close => vec![input("note", Text, false)],
        Action::Reject => vec![
            input(
                "reason",
                Select(
                    RejectionReason::ALL
                        .iter()
                        .map(|r| Choice {
                            value: r.code().to_owned(),
                            label: r.zh().to_owned(),
                            selected: false,
                        })
                        .collect(),
                ),
                true,
            ),
            input("note", Text, false),
        ],
        Action::Assign => vec![
            input(
                "unit_id",
                Select(
                    units
                        .iter()
                        .map(|u| Choice {
                            value: u.value.clone(),
                            label: u.label.clone(),
                            selected: false,
                        })
                        .collect(),
                ),
                true,
            ),
            input("note", Text, false),
        ],
        Action::Extend => vec![input("days", Number, true), input("reason", LongText, true)],
        Action::Conclude => {
            let mut fields = vec![
                input("outcome", outcomes(kind), true),
                input("findings", LongText, true),
            ];
            if kind == CaseKind::Report {
                fields.extend(enforcement_inputs());
            }
            fields
        }
        Action::Submit => {
            let mut fields = vec![
                input("outcome", outcomes(kind), true),
                input("findings", LongText, true),
            ];
            if kind == CaseKind::Report {
                fields.extend(enforcement_inputs());
            }
            fields.push(input("reply", LongText, true));
            fields
        }
        Action::Approve => vec![Input {
            label: "审核意见".to_owned(),
            ..input("note", Text, false)
        }],
        Action::ReturnDraft => vec![Input {
            label: "退回理由（需修改之处）".to_owned(),
            ..input("reason", LongText, true)
        }],
        Action::Reopen => vec![input("reason", LongText, true)],
        Action::Reply => vec![input("text", LongText, true)],
        Action::Publish => vec![input("summary", LongText, true)],
        Action::RequestReview | Action::RequestReReview | Action::SendBack => {
            vec![input("reason", LongText, true)]
        }
        Action::DecideReview | Action::DecideReReview => vec![
            input("outcome", outcomes(kind), true),
            input("text", LongText, true),
        ],
    }
}

pub(super) async fn case_page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    id: i64,
) -> Result<CasePage, PageError> {
    let file = state.case_file(&who.0, id).await?;
    let case = &file.view.case;
    let units: Vec<Choice> = file
        .assign_targets
        .iter()
        .map(|u| Choice {
            value: u.id.to_string(),
            label: u.name.clone(),
            selected: false,
        })
        .collect();
    let actions = file
        .may_take
        .iter()
        .copied()
        // Routing needs somewhere to route to.
        .filter(|a| *a != Action::Assign || !units.is_empty())
        .map(|a| ActionForm {
            code: a.code(),
            label: a.zh(),
            fields: match (a, &case.draft) {
                // A returned draft opens in the form, to be edited rather than typed again.
                (Action::Submit, Some(draft)) => filled(inputs(a, case.kind, &units), draft),
                _ => inputs(a, case.kind, &units),
            },
        })
        .collect();
    let draft = case.draft.as_ref().map(|d| DraftShown {
        outcome: d.outcome.zh(),
        findings: d.findings.clone(),
        enforcement: d
            .enforcement
            .iter()
            .map(EnforcementAction::zh)
            .collect::<Vec<_>>()
            .join("、"),
        reply: d.reply.clone(),
        submitted_at: local_time(d.submitted_at),
        state: if case.stage == Stage::PendingApproval {
            "待审核"
        } else {
            "已退回修改"
        },
    });
    let callbacks = file
        .callbacks
        .iter()
        .map(|c| CallbackShown {
            at: local_time(c.at),
            satisfaction: c.satisfaction.zh(),
            solved: if c.solved { "已解决" } else { "未解决" },
            by: actor_label(c.actor.clone()),
            note: c.note.clone(),
        })
        .collect();
    let templates = if file.may_take.contains(&Action::Reply) {
        state.templates_for_case(&who.0, id).await?
    } else {
        Vec::new()
    };
    let (may_review, may_merge) = (file.may_review, file.may_merge);
    let may_read_reporter = file.may_read_reporter;
    let may_oversee = file.may_oversee;
    let file_approval = file.approval.is_required();
    let file_may_call_back = file.may_call_back;
    let oversight = match (file.oversight.urged, file.oversight.supervised) {
        (0, 0) => String::new(),
        (urged, 0) => format!("已催办 {urged} 次"),
        (0, _) => "督办中".to_owned(),
        (urged, _) => format!("督办中，已催办 {urged} 次"),
    };
    let outcome = case.outcome.map(|o| o.zh().to_owned()).unwrap_or_default();
    let enforcement = case
        .enforcement
        .iter()
        .map(|e| e.zh())
        .collect::<Vec<_>>()
        .join("、");
    let type_choices = type_choices(case.primary_type.code());
    let sub_type_choices = case
        .types
        .iter()
        .flat_map(|t| t.sub_types())
        .map(|sub| Choice {
            value: sub.code().to_owned(),
            label: format!("{} / {}", sub.pollution_type().zh(), sub.zh()),
            selected: Some(sub) == case.sub_type,
        })
        .collect();
    let suggestion = case.suggestion.map_or_else(String::new, |s| {
        format!(
            "{}{}（置信度 {:.0}%）",
            s.primary_type.zh(),
            s.sub_type
                .map(|sub| format!(" / {}", sub.zh()))
                .unwrap_or_default(),
            s.confidence * 100.0
        )
    });
    let repeats = file
        .repeats
        .into_iter()
        .map(|c| RepeatHint {
            case_id: c.case_id,
            tracking_no: c.tracking_no,
            received_on: local_time(c.received_at),
            stage: c.stage.zh(),
            percent: format!("{:.0}%", c.score * 100.0),
            same: c.same_source,
            evidence: c
                .evidence
                .iter()
                .map(|e| e.label.as_str())
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    let files = file
        .attachments
        .as_ref()
        .map(|files| files.iter().map(super::attachments::FileRow::new).collect());
    let may_attach = file.may_attach;
    let CaseFile {
        view,
        events,
        holder,
        ..
    } = file;
    let map = view
        .case
        .point
        .and_then(|_| super::map::MapConfig::from_settings(&state.settings));
    Ok(CasePage {
        map,
        leaflet_js: super::assets::LEAFLET_JS_FILE,
        leaflet_css: super::assets::LEAFLET_CSS_FILE,
        files,
        may_attach,
        file_kinds: super::attachments::kind_choices(),
        draft,
        approval: file_approval,
        may_call_back: file_may_call_back,
        callbacks,
        satisfaction_choices: Satisfaction::ALL
            .iter()
            .map(|s| Choice {
                value: s.code().to_owned(),
                label: s.zh().to_owned(),
                selected: false,
            })
            .collect(),
        templates,
        chosen_template: 0,
        reply_text: String::new(),
        repeats,
        suggestion,
        review: view.case.type_review.map_or("未审核", TypeReview::zh),
        type_choices,
        sub_type_choices,
        other_types: view
            .case
            .types
            .iter()
            .skip(1)
            .map(|t| t.code())
            .collect::<Vec<_>>()
            .join(","),
        may_review,
        may_merge,
        outcome,
        enforcement,
        may_read_reporter,
        reporter: None,
        may_oversee,
        oversight,
        chrome: who.chrome(csrf),
        title: format!("案件 {}", view.tracking_no),
        received_at: local_time(view.case.received_at),
        kind: view.case.kind.zh(),
        types: view
            .case
            .types
            .iter()
            .map(|t| t.zh())
            .collect::<Vec<_>>()
            .join("、"),
        channel: view.case.channel.zh(),
        holder: holder.name,
        due_on: view
            .deadline
            .map(|d| d.last_day.format("%Y年%m月%d日").to_string())
            .unwrap_or_default(),
        history: events
            .into_iter()
            .map(|e| HistoryEntry {
                at: local_time(e.at),
                note: history_note(&e.action, e.note, &e.data),
                actor: actor_label(e.actor),
                action: event_label(&e.action),
                // A step that stays in its stage (an approval's own line) shows no arrow.
                stage: e
                    .to_stage
                    .filter(|to| Some(*to) != e.from_stage)
                    .map(Stage::zh),
            })
            .collect(),
        actions,
        view,
        error: None,
        errors: FieldErrors::default(),
    })
}

/// The inputs of a submission filled with a returned draft.
fn filled(mut fields: Vec<Input>, draft: &Draft) -> Vec<Input> {
    for field in &mut fields {
        field.value = match field.name {
            "outcome" => draft.outcome.code().to_owned(),
            "findings" => draft.findings.clone(),
            "reply" => draft.reply.clone(),
            "fine_yuan" => draft
                .enforcement
                .iter()
                .find_map(|e| match e {
                    EnforcementAction::Fine { amount_yuan } => Some(amount_yuan.to_string()),
                    _ => None,
                })
                .unwrap_or_default(),
            "enforcement_other" => draft
                .enforcement
                .iter()
                .find_map(|e| match e {
                    EnforcementAction::Other { description } => Some(description.clone()),
                    _ => None,
                })
                .unwrap_or_default(),
            name => ENFORCEMENT_FIELDS
                .iter()
                .find(|(field, action)| *field == name && draft.enforcement.contains(action))
                .map(|_| "1".to_owned())
                .unwrap_or_default(),
        };
        if let InputKind::Select(options) = &mut field.kind {
            for option in options {
                option.selected = option.value == field.value;
            }
        }
    }
    fields
}

/// A history line's note: a callback's answers in words, with what was said.
fn history_note(action: &str, note: Option<String>, data: &serde_json::Value) -> Option<String> {
    if action != "callback" {
        return note;
    }
    let satisfaction = data["satisfaction"]
        .as_str()
        .and_then(Satisfaction::parse)
        .map_or("", Satisfaction::zh);
    let solved = if data["solved"].as_bool() == Some(true) {
        "已解决"
    } else {
        "未解决"
    };
    let by = if data["source"] == "reporter" {
        "（举报人网上评价）"
    } else {
        ""
    };
    Some(match note {
        Some(note) => format!("{satisfaction}，{solved}{by}：{note}"),
        None => format!("{satisfaction}，{solved}{by}"),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DetailQuery {
    /// A reply template to start the reply from (the page without script).
    template: String,
}

async fn detail(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    CaseId(id): CaseId,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    let mut page = case_page(&state, &who, &csrf, id).await?;
    if let Ok(chosen) = query.template.parse::<i64>()
        && let Some(t) = page.templates.iter().find(|t| t.id == chosen)
    {
        page.reply_text = t.text.clone();
        page.chosen_template = chosen;
    }
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ReporterPost {
    csrf_token: String,
}

/// The case page with the reporter's contact opened: a post, so that no link prefetch or
/// crawler opens it, and recorded by the core as every reporter read is.
async fn reporter(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    CaseId(id): CaseId,
    posted: Result<StrictForm<ReporterPost>, PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let reporter = state.reporter(&who.0, id).await?;
    let mut page = case_page(&state, &who, &csrf, id).await?;
    page.reporter = Some(reporter);
    Ok(csrf.attach(render(StatusCode::OK, &page)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OversightPost {
    csrf_token: String,
    kind: String,
    note: String,
}

async fn oversee(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    CaseId(id): CaseId,
    posted: Result<StrictForm<OversightPost>, PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let outcome = match Oversight::parse(&post.kind) {
        Some(kind) => {
            let form = OversightForm {
                kind,
                note: post.note,
            };
            state.oversee(&who.0, id, &form).await
        }
        None => Err(ServiceError::field("kind", "urge or supervise")),
    };
    after_change(&state, &who, &csrf, id, outcome, "催办督办").await
}

/// What the callback form posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CallbackPost {
    csrf_token: String,
    satisfaction: String,
    solved: String,
    note: String,
}

async fn call_back(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    CaseId(id): CaseId,
    posted: Result<StrictForm<CallbackPost>, PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let satisfaction = Satisfaction::parse(&post.satisfaction);
    let solved = match post.solved.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let outcome = match (satisfaction, solved) {
        (Some(satisfaction), Some(solved)) => {
            let form = CallbackForm {
                satisfaction,
                solved,
                note: Some(post.note).filter(|n| !n.trim().is_empty()),
            };
            state.record_callback(&who.0, id, &form).await.map(|_| ())
        }
        (None, _) => Err(ServiceError::field("satisfaction", "choose one")),
        (_, None) => Err(ServiceError::field("solved", "yes or no")),
    };
    after_change(&state, &who, &csrf, id, outcome, "回访").await
}

/// What an action form posts: the action and whichever inputs it has.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ActionPost {
    csrf_token: String,
    action: String,
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// The command an action form stands for; a missing or bad input is named.
fn command(post: &ActionPost) -> Result<Command, ServiceError> {
    let action = Action::parse(&post.action)
        .ok_or_else(|| ServiceError::field("action", "unknown action"))?;
    Ok(Command::from_fields(action, |name| {
        post.fields.get(name).map(String::as_str)
    })?)
}

async fn act(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    CaseId(id): CaseId,
    posted: Result<StrictForm<ActionPost>, PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let outcome = match command(&post) {
        Ok(command) => state.take_step(&who.0, id, command).await.map(|_| ()),
        Err(e) => Err(e),
    };
    let error = match outcome {
        Ok(()) => return Ok(see_other(&format!("/console/cases/{id}"))),
        Err(
            e @ (ServiceError::Internal(_)
            | ServiceError::NotFound(_)
            | ServiceError::Unavailable(_)),
        ) => {
            return Err(e.into());
        }
        Err(e) => e,
    };
    // Show the case again, with what went wrong above the actions.
    let mut page = case_page(&state, &who, &csrf, id).await?;
    let (status, _, text) = super::error_text(&error);
    let fields: Vec<String> = match &error {
        ServiceError::Invalid(found) => found.iter().map(|f| f.field.clone()).collect(),
        ServiceError::BadParameter { field, .. } => vec![field.clone()],
        _ => Vec::new(),
    };
    page.error = Some(if fields.is_empty() {
        text.to_owned()
    } else {
        let names: Vec<&str> = fields.iter().map(|f| field_label(f)).collect();
        format!(
            "“{}”未完成：请检查{}。",
            Action::parse(&post.action).map_or("操作", Action::zh),
            names.join("、")
        )
    });
    for field in &fields {
        page.errors.add(field, "请检查此项");
    }
    Ok(csrf.attach(render(status, &page)?))
}

/// What the types form posts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TypesPost {
    csrf_token: String,
    primary_type: String,
    /// The further types, comma-separated.
    other_types: String,
    sub_type: String,
}

/// What the merge form posts: the number of the case this one repeats.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct MergePost {
    csrf_token: String,
    into: String,
    note: String,
}

async fn review(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    CaseId(id): CaseId,
    posted: Result<StrictForm<TypesPost>, PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    let form = TypesForm {
        primary_type: post.primary_type,
        other_types: post
            .other_types
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        sub_type: Some(post.sub_type).filter(|s| !s.trim().is_empty()),
        note: None,
    };
    let outcome = state.review_types(&who.0, id, &form).await.map(|_| ());
    after_change(&state, &who, &csrf, id, outcome, "保存分类").await
}

async fn merge(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    CaseId(id): CaseId,
    posted: Result<StrictForm<MergePost>, PageError>,
) -> PageResult {
    let StrictForm(post) = posted?;
    csrf::verify(&headers, &post.csrf_token)?;
    // Staff read out and type tracking numbers (GL20261127-0000123); a case's number (#123)
    // from the repeat list works too.
    let typed = post.into.trim();
    let into = match typed.trim_start_matches('#').parse::<i64>() {
        Ok(id) => Ok(id),
        Err(_) => state.case_id_of(&who.0, typed).await,
    };
    let outcome = match into {
        Ok(into) => {
            let form = MergeForm {
                into,
                note: Some(post.note).filter(|n| !n.trim().is_empty()),
            };
            state.merge(&who.0, id, &form).await.map(|_| ())
        }
        Err(ServiceError::NotFound(_) | ServiceError::Invalid(_)) => Err(ServiceError::field(
            "into",
            "a tracking number or case number",
        )),
        Err(other) => Err(other),
    };
    after_change(&state, &who, &csrf, id, outcome, "归并").await
}

/// Back to the case after a change; on a refusal the case again, with what went wrong.
pub(super) async fn after_change(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    id: i64,
    outcome: Result<(), ServiceError>,
    what: &str,
) -> PageResult {
    let error = match outcome {
        Ok(()) => return Ok(see_other(&format!("/console/cases/{id}"))),
        Err(
            e @ (ServiceError::Internal(_)
            | ServiceError::NotFound(_)
            | ServiceError::Unavailable(_)),
        ) => {
            return Err(e.into());
        }
        Err(e) => e,
    };
    let mut page = case_page(state, who, csrf, id).await?;
    let (status, _, text) = super::error_text(&error);
    // The core's messages are English (for the API); the page names the fields in Chinese.
    page.error = Some(match &error {
        ServiceError::Invalid(found) if !found.is_empty() => {
            let names: Vec<&str> = found.iter().map(|f| field_label(&f.field)).collect();
            format!("“{what}”未完成：请检查{}。", names.join("、"))
        }
        _ => text.to_owned(),
    });
    Ok(csrf.attach(render(status, &page)?))
}
