//! `/console/queue` — the staff member's work queue (待办): the core's queue (`App::queue`, the
//! same answer as `GET /api/v1/queue`) as tabs with counts, rows with their time left, filters
//! and pages.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use greenline_app::ServiceError;
use greenline_app::cases::bulk::CaseOutcome;
use greenline_app::cases::queue::{OPEN_STAGES as QUEUE_STAGES, QueueItem, QueueQuery, QueueTab};
use greenline_domain::Channel;

use super::console::{encode, jurisdiction_regions, type_choices};
use super::csrf::{self, Csrf};
use super::form::StrictForm;
use super::report::Choice;
use super::staff::ConsoleUser;
use super::{PageError, PageResult, local_time, render, see_other};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/queue", get(queue).post(assign))
}

/// A tab with its count and address.
#[derive(Debug)]
struct Tab {
    label: &'static str,
    count: usize,
    href: String,
    current: bool,
}

/// One row of the queue.
#[derive(Debug)]
struct Row {
    id: i64,
    tracking_no: String,
    kind: &'static str,
    primary_type: &'static str,
    region: String,
    stage: &'static str,
    received_at: String,
    /// 剩 3 天, 今日到期, 超期 2 天; none when no deadline runs in the stage.
    time_left: Option<String>,
    overdue: bool,
}

impl Row {
    fn new(item: &QueueItem) -> Row {
        Row {
            id: item.id,
            tracking_no: item.tracking_no.clone(),
            kind: item.kind.zh(),
            primary_type: item.primary_type.zh(),
            region: item.region_name.clone(),
            stage: item.stage.zh(),
            received_at: local_time(item.received_at),
            time_left: item.days_left.map(time_left),
            overdue: item.overdue,
        }
    }
}

/// The badge for `days` calendar days left to a deadline's last day.
fn time_left(days: i64) -> String {
    match days {
        0 => "今日到期".to_owned(),
        d if d > 0 => format!("剩 {d} 天"),
        d => format!("超期 {} 天", -d),
    }
}

#[derive(Template)]
#[template(path = "queue.html")]
struct QueuePage {
    chrome: super::Chrome,
    title: &'static str,
    jurisdiction: String,
    tabs: Vec<Tab>,
    /// The chosen tab, for the form to keep it.
    tab: &'static str,
    types: Vec<Choice>,
    regions: Vec<Choice>,
    channels: Vec<Choice>,
    stages: Vec<Choice>,
    /// The words searched for, as typed.
    text: String,
    /// The words found more cases than the queue looks through.
    capped: bool,
    rows: Vec<Row>,
    next: Option<String>,
    error: Option<&'static str>,
    /// Units the chosen rows may be routed to; no bulk form without them.
    units: Vec<Choice>,
    /// What a bulk assignment did: how many were routed, and each case that was not.
    routed: Option<usize>,
    failures: Vec<String>,
}

/// `/console/queue?…` with `params` in a stable order.
fn address(params: &[(&str, String)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    if query.is_empty() {
        "/console/queue".to_owned()
    } else {
        format!("/console/queue?{}", query.join("&"))
    }
}

async fn queue(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    if who.0.jurisdiction().is_err() {
        // An auditor's desk is the audit trail.
        return Ok(see_other("/console/audit"));
    }
    let params: Vec<(String, String)> = params.into_iter().collect();
    let (status, page) = queue_page(&state, &who, &csrf, &params).await?;
    Ok(csrf.attach(render(status, &page)?))
}

/// The queue under the filters in `params` (`tab`, `type`, `region`, `channel`, `stage`, `q`,
/// `offset`), and
/// the status to answer with.
async fn queue_page(
    state: &AppState,
    who: &ConsoleUser,
    csrf: &Csrf,
    params: &[(String, String)],
) -> Result<(StatusCode, QueuePage), PageError> {
    let selected = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let filters = |tab: &str, offset: Option<u32>| {
        let mut pairs = vec![("tab", tab.to_owned())];
        for name in ["type", "region", "channel", "stage", "q"] {
            pairs.push((name, selected(name)));
        }
        if let Some(offset) = offset {
            pairs.push(("offset", offset.to_string()));
        }
        address(&pairs)
    };
    let top = who.0.unit.region;
    let mut page = QueuePage {
        chrome: who.chrome(csrf),
        title: "待办",
        jurisdiction: top.full_name(),
        tabs: Vec::new(),
        tab: QueueTab::ToAccept.code(),
        types: type_choices(&selected("type")),
        regions: jurisdiction_regions(top, &selected("region")),
        channels: Channel::ALL
            .iter()
            .map(|c| Choice {
                value: c.code().to_owned(),
                label: c.zh().to_owned(),
                selected: c.code() == selected("channel"),
            })
            .collect(),
        stages: QUEUE_STAGES
            .iter()
            .map(|s| Choice {
                value: s.code().to_owned(),
                label: s.zh().to_owned(),
                selected: s.code() == selected("stage"),
            })
            .collect(),
        text: selected("q"),
        capped: false,
        rows: Vec::new(),
        next: None,
        error: None,
        units: Vec::new(),
        routed: None,
        failures: Vec::new(),
    };
    let wanted = params
        .iter()
        .filter(|(k, _)| {
            matches!(
                k.as_str(),
                "tab" | "type" | "region" | "channel" | "stage" | "q" | "offset"
            )
        })
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let answer = match QueueQuery::from_params(wanted) {
        Ok(query) => state.queue(&who.0, query).await,
        Err(error) => Err(error),
    };
    let status = match answer {
        Ok(queue) => {
            page.tab = queue.tab.code();
            page.tabs = queue
                .counts
                .iter()
                .map(|c| Tab {
                    label: c.tab.zh(),
                    count: c.count,
                    href: filters(c.tab.code(), None),
                    current: c.tab == queue.tab,
                })
                .collect();
            page.rows = queue.items.iter().map(Row::new).collect();
            page.capped = queue.text_hits_capped;
            page.next = queue
                .next_offset
                .map(|offset| filters(queue.tab.code(), Some(offset)));
            page.units = queue
                .assign_targets
                .iter()
                .map(|u| Choice {
                    value: u.id.to_string(),
                    label: u.name.clone(),
                    selected: false,
                })
                .collect();
            StatusCode::OK
        }
        Err(ServiceError::BadParameter { field, .. }) if field == "q" => {
            page.error = Some("关键词有误：请输入要查找的字词（不超过 200 字）。");
            StatusCode::BAD_REQUEST
        }
        Err(ServiceError::BadParameter { .. }) => {
            page.error = Some("筛选条件有误，请重新选择。");
            StatusCode::BAD_REQUEST
        }
        Err(ServiceError::Unavailable(_)) => {
            page.error = Some("全文检索正在准备中，请稍后再按关键词查找。");
            StatusCode::SERVICE_UNAVAILABLE
        }
        Err(other) => return Err(other.into()),
    };
    Ok((status, page))
}

/// Why one case of a bulk assignment was not routed, in Chinese.
fn failure(outcome: &CaseOutcome) -> Option<String> {
    let error = outcome.result.as_ref().err()?;
    let why = match error {
        ServiceError::Invalid(_) => {
            "不能转办到所选单位：只能转给下级单位，且案件所在地须在其辖区内".to_owned()
        }
        ServiceError::Forbidden(_) => "无权转办：案件不由本单位或下级单位承办".to_owned(),
        ServiceError::Conflict { .. } => {
            "案件当前阶段不能转办，或已被他人处理，请刷新后重试".to_owned()
        }
        ServiceError::NotFound(_) => "案件不存在或不在管辖范围内".to_owned(),
        other => super::error_text(other).2.to_owned(),
    };
    Some(format!("案件 {}：{why}", outcome.id))
}

/// `POST /console/queue`: routes the chosen rows (`case_id`, repeated) to `unit_id`, then
/// shows the queue again with what was done and what was not.
async fn assign(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    posted: Result<StrictForm<Vec<(String, String)>>, PageError>,
) -> PageResult {
    let StrictForm(fields) = posted?;
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
    };
    csrf::verify(&headers, field("csrf_token"))?;
    let ids: Result<Vec<i64>, _> = fields
        .iter()
        .filter(|(k, _)| k == "case_id")
        .map(|(_, v)| v.trim().parse::<i64>())
        .collect();
    let unit_id = field("unit_id").parse::<i64>();
    let note = Some(field("note").to_owned()).filter(|n| !n.is_empty());
    let outcome = match (ids, unit_id) {
        (Ok(ids), Ok(unit_id)) => state.assign_cases(&who.0, &ids, unit_id, note).await,
        _ => Err(ServiceError::parameter(
            "unit_id",
            "choose cases and a unit",
        )),
    };
    let (routed, failures, error) = match outcome {
        Ok(outcomes) => (
            Some(outcomes.iter().filter(|o| o.result.is_ok()).count()),
            outcomes.iter().filter_map(failure).collect(),
            None,
        ),
        Err(ServiceError::BadParameter { .. }) => {
            (None, Vec::new(), Some("请先勾选案件并选择转办单位。"))
        }
        Err(other) => return Err(other.into()),
    };
    let (status, mut page) = queue_page(&state, &who, &csrf, &fields).await?;
    page.routed = routed;
    page.failures = failures;
    if error.is_some() {
        page.error = error;
    }
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        status
    };
    Ok(csrf.attach(render(status, &page)?))
}

#[cfg(test)]
mod tests {
    use super::time_left;

    #[test]
    fn the_badge_counts_days_left_and_days_overdue() {
        assert_eq!(time_left(3), "剩 3 天");
        assert_eq!(time_left(0), "今日到期");
        assert_eq!(time_left(-2), "超期 2 天");
    }
}
