//! The work queue (待办): the open cases a staff member's unit must act on, sorted by the time
//! left on their running deadline, under tabs with counts.
//!
//! A case is in the caller's queue when it is held by a unit in the caller's jurisdiction (their
//! own or one below) and the caller's roles can take one of the steps the case can take now
//! ([`Case::actions_now`], checked with [`StaffScope::can_act_on`]). The store picks the
//! candidates — open stages, held inside the jurisdiction, the filters — with the texts left
//! out; the deadline arithmetic (limits per kind and region, extensions) runs here over those
//! rows, as it does everywhere else, so that the queue and the case page never disagree about
//! a deadline.
//!
//! The tabs do not partition the queue: 即将超期 and 已超期 cut across the stage tabs.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::{
    Action, Case, CaseKind, Channel, Deadline, PollutionType, RegionCode, StaffScope, Stage,
};
use greenline_store::{CaseFilter, HeldCase};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::views::UnitView;
use crate::{App, Caller};

/// Rows a page holds unless the question says otherwise.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most rows one page holds.
pub const MAX_LIMIT: u32 = 500;
/// A running deadline ending within this long is 即将超期.
pub const DUE_SOON: Duration = Duration::days(3);

/// The open stages in which a statutory deadline runs: their candidates are read whole, and
/// the deadlines computed here.
const DEADLINE_STAGES: [Stage; 8] = [
    Stage::Registered,
    Stage::Routed,
    Stage::Accepted,
    Stage::Handling,
    Stage::PendingApproval,
    Stage::Concluded,
    Stage::ReviewRequested,
    Stage::ReReviewRequested,
];

/// The open stages after a reply (待回访). No deadline runs in them and each offers 归档
/// (close) to every kind that reaches it (a test below keeps that true), so whoever may close
/// a case may act on all of them: they are counted and paged in SQL. On the national demo year
/// they are nine cases in ten of the open ones, and reading them whole took seconds.
const CALLBACK_STAGES: [Stage; 3] = [Stage::Replied, Stage::Published, Stage::Reviewed];

/// A tab of the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueTab {
    /// 待受理: registered (or, a petition, routed) and not yet accepted.
    ToAccept,
    /// 办理中: accepted, being handled, or concluded with the reply still to send — the
    /// handling limit runs through all three — and a petitioner's request for review (复查)
    /// or re-review (复核) awaiting its decision: a new round of handling by the unit, on its
    /// own decision limit, which the unit's handlers take like any other (and a decision
    /// needs no approval).
    InProgress,
    /// 即将超期: the running deadline ends within three days and has not passed.
    DueSoon,
    /// 已超期: the running deadline has passed.
    Overdue,
    /// 待审核: a conclusion and reply drafted under a unit's approval setting await a
    /// supervisor's approval (审核通过 or 审核退回). Only supervisors can act on them, so only
    /// their queues count them. 复查/复核 requests, which this tab listed before approval
    /// existed, are under 办理中: they are handling work, not approval, and 审核 names
    /// approval in the agency's own words.
    ToReview,
    /// 待回访: replied (or published, or a petition's review decided) and not closed. The queue only lists these; the
    /// callback itself (回访: calling the reporter, recording their satisfaction) is a piece
    /// of work of its own, not done here.
    ToCallBack,
}

impl QueueTab {
    pub const ALL: [QueueTab; 6] = [
        QueueTab::ToAccept,
        QueueTab::InProgress,
        QueueTab::DueSoon,
        QueueTab::Overdue,
        QueueTab::ToReview,
        QueueTab::ToCallBack,
    ];

    pub fn code(self) -> &'static str {
        match self {
            QueueTab::ToAccept => "to_accept",
            QueueTab::InProgress => "in_progress",
            QueueTab::DueSoon => "due_soon",
            QueueTab::Overdue => "overdue",
            QueueTab::ToReview => "to_review",
            QueueTab::ToCallBack => "to_call_back",
        }
    }

    pub fn parse(code: &str) -> Option<QueueTab> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The tab's name in the interface.
    pub fn zh(self) -> &'static str {
        match self {
            QueueTab::ToAccept => "待受理",
            QueueTab::InProgress => "办理中",
            QueueTab::DueSoon => "即将超期",
            QueueTab::Overdue => "已超期",
            QueueTab::ToReview => "待审核",
            QueueTab::ToCallBack => "待回访",
        }
    }

    fn holds(self, stage: Stage, time: TimeLeft) -> bool {
        match self {
            QueueTab::ToAccept => matches!(stage, Stage::Registered | Stage::Routed),
            QueueTab::InProgress => matches!(
                stage,
                Stage::Accepted
                    | Stage::Handling
                    | Stage::Concluded
                    | Stage::ReviewRequested
                    | Stage::ReReviewRequested
            ),
            QueueTab::DueSoon => time == TimeLeft::DueSoon,
            QueueTab::Overdue => time == TimeLeft::Overdue,
            QueueTab::ToReview => stage == Stage::PendingApproval,
            QueueTab::ToCallBack => {
                matches!(stage, Stage::Replied | Stage::Published | Stage::Reviewed)
            }
        }
    }
}

/// Where a case stands against its running deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimeLeft {
    NoDeadline,
    InTime,
    DueSoon,
    Overdue,
}

/// What the queue is asked: a tab, filters, a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub tab: QueueTab,
    pub pollution_type: Option<PollutionType>,
    /// A region inside the caller's jurisdiction (with everything below it).
    pub region: Option<RegionCode>,
    pub channel: Option<Channel>,
    pub limit: u32,
    pub offset: u32,
}

impl Default for QueueQuery {
    fn default() -> Self {
        QueueQuery {
            tab: QueueTab::ToAccept,
            pollution_type: None,
            region: None,
            channel: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl QueueQuery {
    /// Reads a question given as `key=value` pairs: `tab`, `type`, `region`, `channel`,
    /// `limit`, `offset`. An empty value is no filter.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ServiceResult<QueueQuery> {
        let mut query = QueueQuery::default();
        for (key, value) in params {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let bad = |message: &str| ServiceError::parameter(key, message);
            match key {
                "tab" => {
                    query.tab = QueueTab::parse(value).ok_or_else(|| {
                        bad(
                            "expected to_accept, in_progress, due_soon, overdue, to_review or \
                             to_call_back",
                        )
                    })?
                }
                "type" => {
                    query.pollution_type =
                        Some(PollutionType::parse(value).map_err(|e| bad(&e.to_string()))?)
                }
                "region" => {
                    query.region = Some(RegionCode::parse(value).map_err(|e| bad(&e.to_string()))?)
                }
                "channel" => {
                    query.channel =
                        Some(Channel::parse(value).ok_or_else(|| bad("unknown channel"))?)
                }
                "limit" => {
                    let limit: u32 = value.parse().map_err(|_| bad("expected a number"))?;
                    if !(1..=MAX_LIMIT).contains(&limit) {
                        return Err(bad(&format!("between 1 and {MAX_LIMIT}")));
                    }
                    query.limit = limit;
                }
                "offset" => query.offset = value.parse().map_err(|_| bad("expected a number"))?,
                _ => return Err(bad("unknown parameter")),
            }
        }
        Ok(query)
    }
}

/// A tab with the number of cases under it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TabCount {
    pub tab: QueueTab,
    /// The tab's name in Chinese.
    pub label: String,
    pub count: usize,
}

/// A row of the queue: what a list shows of a case, and its time left.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueItem {
    pub id: i64,
    /// 受理编号.
    pub tracking_no: String,
    pub kind: CaseKind,
    pub channel: Channel,
    pub stage: Stage,
    pub primary_type: PollutionType,
    pub region: RegionCode,
    pub region_name: String,
    /// The unit holding the case.
    pub unit_id: i64,
    pub received_at: DateTime<Utc>,
    /// The statutory deadline running in the current stage, if any.
    pub deadline: Option<Deadline>,
    /// Calendar days (China time) from today to the deadline's last day: 0 on the last day,
    /// negative once past.
    pub days_left: Option<i64>,
    pub overdue: bool,
    /// The steps the caller can take on the case now.
    pub actions: Vec<Action>,
}

impl QueueItem {
    fn time_left(&self, now: DateTime<Utc>) -> TimeLeft {
        match self.deadline {
            None => TimeLeft::NoDeadline,
            Some(d) if d.is_past(now) => TimeLeft::Overdue,
            Some(d) if d.due_at - now <= DUE_SOON => TimeLeft::DueSoon,
            Some(_) => TimeLeft::InTime,
        }
    }

    /// The sort key: the earliest deadline first (so the most overdue first), cases without a
    /// running deadline last, oldest first among equals.
    fn urgency(&self) -> (bool, Option<DateTime<Utc>>, DateTime<Utc>, i64) {
        let due = self.deadline.map(|d| d.due_at);
        (due.is_none(), due, self.received_at, self.id)
    }
}

/// The queue's answer: every tab's count, and a page of the chosen tab.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queue {
    pub tab: QueueTab,
    pub counts: Vec<TabCount>,
    /// The chosen tab's rows from `offset`, most urgent first.
    pub items: Vec<QueueItem>,
    pub offset: u32,
    /// Pass as `offset` for the next page; absent on the last page.
    pub next_offset: Option<u32>,
    /// Today in China time, from which `days_left` counts.
    pub today: NaiveDate,
    /// The units below the caller's to which cases held by the caller's unit may be routed
    /// (for bulk assignment); empty when the caller's roles do not route.
    pub assign_targets: Vec<UnitView>,
}

/// The row of `held` if `scope` can take a step on it now.
fn actionable(
    held: HeldCase,
    scope: &StaffScope,
    app: &App,
    now: DateTime<Utc>,
) -> Option<QueueItem> {
    let HeldCase {
        case,
        holder_region,
    } = held;
    let limits = app.deadlines.limits_for(case.kind, case.region);
    let actions: Vec<Action> = case
        .actions_now(&limits, now)
        .into_iter()
        .filter(|a| scope.can_act_on(holder_region, *a))
        .collect();
    if actions.is_empty() {
        return None;
    }
    let deadline = case.current_deadline(&limits);
    Some(item(case, deadline, actions, now))
}

fn item(
    case: Case,
    deadline: Option<Deadline>,
    actions: Vec<Action>,
    now: DateTime<Utc>,
) -> QueueItem {
    let today = local_date(now);
    QueueItem {
        tracking_no: case.tracking_no().to_string(),
        region_name: case.region.full_name(),
        days_left: deadline.map(|d| (d.last_day - today).num_days()),
        overdue: deadline.is_some_and(|d| d.is_past(now)),
        id: case.id,
        kind: case.kind,
        channel: case.channel,
        stage: case.stage,
        primary_type: case.primary_type,
        region: case.region,
        unit_id: case.unit_id,
        received_at: case.received_at,
        deadline,
        actions,
    }
}

impl App {
    /// `caller`'s work queue under `query`. A caller whose roles take no steps (an analyst, an
    /// administrator) has an empty queue; an auditor, who reads no cases, is refused.
    pub async fn queue(&self, caller: &Caller, query: QueueQuery) -> ServiceResult<Queue> {
        let jurisdiction = caller.jurisdiction()?;
        if let Some(region) = query.region {
            caller.region(region)?;
        }
        let now = self.now();
        let scope = caller.scope();
        let filter = CaseFilter {
            within: Some(jurisdiction),
            region: query.region,
            pollution_type: query.pollution_type,
            channel: query.channel,
            ..CaseFilter::default()
        };
        let held = if scope.takes_steps() {
            self.store
                .held_cases(jurisdiction, &DEADLINE_STAGES, &filter, None)
                .await?
        } else {
            Vec::new()
        };
        let closes = scope.can_act_on(jurisdiction, Action::Close);
        let callbacks = if closes {
            self.store
                .count_held_cases(jurisdiction, &CALLBACK_STAGES, &filter)
                .await?
        } else {
            0
        };
        let callbacks = usize::try_from(callbacks).unwrap_or(usize::MAX);
        let mut rows: Vec<(QueueItem, TimeLeft)> = held
            .into_iter()
            .filter_map(|h| actionable(h, &scope, self, now))
            .map(|item| {
                let time = item.time_left(now);
                (item, time)
            })
            .collect();
        let counts = QueueTab::ALL
            .into_iter()
            .map(|tab| TabCount {
                tab,
                label: tab.zh().to_owned(),
                count: if tab == QueueTab::ToCallBack {
                    callbacks
                } else {
                    rows.iter()
                        .filter(|(item, time)| tab.holds(item.stage, *time))
                        .count()
                },
            })
            .collect();
        let (items, total) = if query.tab == QueueTab::ToCallBack {
            let page = if closes {
                self.store
                    .held_cases(
                        jurisdiction,
                        &CALLBACK_STAGES,
                        &filter,
                        Some((query.limit, query.offset)),
                    )
                    .await?
            } else {
                Vec::new()
            };
            let items: Vec<QueueItem> = page
                .into_iter()
                .filter_map(|h| actionable(h, &scope, self, now))
                .collect();
            (items, callbacks)
        } else {
            rows.retain(|(item, time)| query.tab.holds(item.stage, *time));
            rows.sort_by_key(|(item, _)| item.urgency());
            let total = rows.len();
            let items = rows
                .into_iter()
                .skip(query.offset as usize)
                .take(query.limit as usize)
                .map(|(item, _)| item)
                .collect();
            (items, total)
        };
        let end = (query.offset as usize).saturating_add(query.limit as usize);
        let top = caller.unit.region;
        let assign_targets = if scope.can_act_on(top, Action::Assign) {
            let mut units = self.store.units().await?;
            units.retain(|u| u.region != top && u.region.is_within(top));
            units.sort_by(|a, b| (a.region, &a.name).cmp(&(b.region, &b.name)));
            units.into_iter().map(UnitView::from).collect()
        } else {
            Vec::new()
        };
        Ok(Queue {
            assign_targets,
            tab: query.tab,
            counts,
            items,
            offset: query.offset,
            next_offset: (end < total).then(|| u32::try_from(end).unwrap_or(u32::MAX)),
            today: local_date(now),
        })
    }
}

#[cfg(test)]
mod tests {
    use greenline_domain::workflow::transitions;

    use super::*;

    #[test]
    fn every_case_after_its_reply_can_be_closed() {
        for kind in CaseKind::ALL {
            for stage in CALLBACK_STAGES {
                let steps = transitions(kind, stage);
                assert!(
                    steps.is_empty() || steps.iter().any(|(a, _)| *a == Action::Close),
                    "{kind:?} {stage:?}"
                );
            }
        }
    }
}
