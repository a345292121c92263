//! `/console/audit` — the audit trail for auditors (审计员): search by words, action, outcome
//! and dates, newest first, a page at a time; and a check of the trail's hash chain.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;

use super::console::encode;
use super::csrf::Csrf;
use super::report::Choice;
use super::staff::ConsoleUser;
use super::{Chrome, PageResult, local_time, render};
use crate::AppState;
use greenline_app::ServiceError;
use greenline_app::audit::{AuditAction, AuditOutcome, AuditSearch, outcome_zh};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/console/audit", get(audit))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AuditForm {
    text: String,
    action: String,
    outcome: String,
    from: String,
    to: String,
    before: String,
    verify: String,
}

/// One record of the list.
#[derive(Debug)]
struct Line {
    seq: i64,
    at: String,
    actor: String,
    action: &'static str,
    target: String,
    outcome: &'static str,
    refused: bool,
    client: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    title: &'static str,
    jurisdiction: String,
    form: AuditForm,
    actions: Vec<Choice>,
    outcomes: Vec<Choice>,
    lines: Vec<Line>,
    next: Option<String>,
    check: Option<String>,
    error: Option<&'static str>,
}

/// A day in China's time zone as the instant it starts.
fn day_start(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    let china = chrono::FixedOffset::east_opt(8 * 3600)?;
    china
        .from_local_datetime(&day.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|at| at.with_timezone(&chrono::Utc))
}

async fn audit(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    Query(form): Query<AuditForm>,
) -> PageResult {
    let mut page = AuditPage {
        chrome: who.chrome(&csrf),
        title: "审计记录",
        jurisdiction: who.0.unit.region.full_name(),
        actions: AuditAction::ALL
            .iter()
            .map(|a| Choice {
                value: a.code().to_owned(),
                label: a.zh().to_owned(),
                selected: a.code() == form.action,
            })
            .collect(),
        outcomes: [AuditOutcome::Ok, AuditOutcome::Denied, AuditOutcome::Failed]
            .iter()
            .map(|o| Choice {
                value: o.code().to_owned(),
                label: outcome_zh(*o).to_owned(),
                selected: o.code() == form.outcome,
            })
            .collect(),
        lines: Vec::new(),
        next: None,
        check: None,
        error: None,
        form,
    };
    let form = &page.form;
    let optional = |text: &str| {
        Some(text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    };
    let date = |text: &str| -> Result<Option<_>, ()> {
        match optional(text) {
            None => Ok(None),
            Some(t) => day_start(&t).map(Some).ok_or(()),
        }
    };
    let (Ok(from), Ok(to)) = (date(&form.from), date(&form.to)) else {
        page.error = Some("日期格式应为 年-月-日，如 2026-12-01。");
        return Ok(csrf.attach(render(StatusCode::BAD_REQUEST, &page)?));
    };
    let search = AuditSearch {
        text: optional(&form.text),
        action: AuditAction::parse(&form.action),
        outcome: AuditOutcome::parse(&form.outcome),
        from,
        // The "to" day is included.
        to: to.map(|t| t + chrono::Duration::days(1)),
        before: form.before.trim().parse().ok(),
        limit: Some(50),
    };
    if !form.verify.is_empty() {
        let check = state.verify_audit(Some(&who.0)).await?;
        page.check = Some(match (check.first_broken, check.head_matches) {
            (None, true) => format!("校验通过：共 {} 条记录，哈希链完整。", check.records),
            (Some(seq), _) => format!(
                "校验未通过：第 {seq} 条记录起哈希链断裂，记录可能被篡改或删除。共 {} 条。",
                check.records
            ),
            (None, false) => format!(
                "校验未通过：链尾与最后一条记录不符，末尾记录可能被删除。共 {} 条。",
                check.records
            ),
        });
    }
    let status = match state.audit_records(&who.0, search).await {
        Ok(records) => {
            if records.len() == 50
                && let Some(last) = records.last()
            {
                let f = &page.form;
                page.next = Some(format!(
                    "/console/audit?text={}&action={}&outcome={}&from={}&to={}&before={}",
                    encode(&f.text),
                    encode(&f.action),
                    encode(&f.outcome),
                    encode(&f.from),
                    encode(&f.to),
                    last.seq
                ));
            }
            page.lines = records
                .into_iter()
                .map(|r| Line {
                    seq: r.seq,
                    at: local_time(r.entry.at),
                    actor: zh_origin(r.entry.actor),
                    action: AuditAction::parse(&r.entry.action).map_or("其他", AuditAction::zh),
                    target: r.entry.target,
                    outcome: outcome_zh(r.entry.outcome),
                    refused: r.entry.outcome != AuditOutcome::Ok,
                    client: zh_origin(r.entry.client),
                })
                .collect();
            StatusCode::OK
        }
        Err(ServiceError::BadParameter { .. }) => {
            page.error = Some("查询条件有误，请检查日期范围。");
            StatusCode::BAD_REQUEST
        }
        Err(other) => return Err(other.into()),
    };
    Ok(csrf.attach(render(status, &page)?))
}

/// Records made by commands on the server name it in English; the page says it in Chinese.
fn zh_origin(text: String) -> String {
    if text == "command line" {
        "服务器命令行".to_owned()
    } else {
        text
    }
}
