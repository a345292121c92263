//! The work queue (待办): the open cases a staff member's unit must act on, sorted by the time
//! left on their running deadline, under tabs with counts.
//!
//! A case is in the caller's queue when it is held by a unit in the caller's jurisdiction (their
//! own or one below) and the caller's roles can take one of the steps the case can take now
//! ([`Case::actions_now`], checked with [`StaffScope::can_act_on`]). Whether they can is decided
//! by the case's kind and stage alone for every role (a test below keeps that true: the only
//! steps that depend on more — an extension, a petitioner's requests — are never a role's only
//! step in a stage), so the store counts and pages the queue in SQL by kind, stage and the
//! stored running deadline (`due_at`, written with every change by the same deadline rules the
//! case page uses) and never reads a national desk's open cases whole. The rows of a page are
//! then read as cases and their deadlines and steps computed here, as everywhere else.
//!
//! The tabs do not partition the queue: 即将超期 and 已超期 cut across the stage tabs.
//!
//! A text search (`q`) narrows the queue to the open cases the search index finds, the best
//! [`MAX_TEXT_HITS`] of them; the answer says when there were more.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::workflow::transitions;
use greenline_domain::{
    Action, Case, CaseKind, Channel, Deadline, PollutionType, RegionCode, StaffScope, Stage,
};
use greenline_search::SearchQuery;
use greenline_store::{CaseFilter, DueBand, HeldCase, QueueCount, QueueOrder, QueueQuestion};
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
/// The most search hits a text filter narrows the queue to.
pub const MAX_TEXT_HITS: usize = 2_000;
/// The longest text filter, in characters.
const MAX_TEXT_CHARS: usize = 200;

/// The open stages in which a statutory deadline runs.
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

/// The open stages after a reply (待回访): no deadline runs in them.
const CALLBACK_STAGES: [Stage; 3] = [Stage::Replied, Stage::Published, Stage::Reviewed];

/// Every stage a queue lists, in the order of the workflow (for a stage filter's choices).
pub const OPEN_STAGES: [Stage; 11] = [
    Stage::Registered,
    Stage::Routed,
    Stage::Accepted,
    Stage::Handling,
    Stage::PendingApproval,
    Stage::Concluded,
    Stage::ReviewRequested,
    Stage::ReReviewRequested,
    Stage::Replied,
    Stage::Published,
    Stage::Reviewed,
];

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
    /// 待回访: replied (or published, or a petition's review decided) and not closed: the
    /// cases to call back (回访, recorded on the case page) and then close. A case called back
    /// stays here until it is closed.
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

    /// The stages whose cases the tab lists (before the deadline band).
    fn stages(self) -> &'static [Stage] {
        match self {
            QueueTab::ToAccept => &[Stage::Registered, Stage::Routed],
            QueueTab::InProgress => &[
                Stage::Accepted,
                Stage::Handling,
                Stage::Concluded,
                Stage::ReviewRequested,
                Stage::ReReviewRequested,
            ],
            QueueTab::DueSoon | QueueTab::Overdue => &DEADLINE_STAGES,
            QueueTab::ToReview => &[Stage::PendingApproval],
            QueueTab::ToCallBack => &CALLBACK_STAGES,
        }
    }

    /// The tab's share of a count of one kind in one stage.
    fn share(self, count: &QueueCount) -> u64 {
        match self {
            QueueTab::DueSoon => count.due_soon,
            QueueTab::Overdue => count.overdue,
            _ if self.stages().contains(&count.stage) => count.total,
            _ => 0,
        }
    }

    fn band(self, now: DateTime<Utc>) -> DueBand {
        match self {
            QueueTab::DueSoon => DueBand::DueSoon {
                now,
                until: now + DUE_SOON,
            },
            QueueTab::Overdue => DueBand::Overdue { now },
            _ => DueBand::Any,
        }
    }

    fn order(self) -> QueueOrder {
        match self {
            // No deadline runs after the reply: the oldest first.
            QueueTab::ToCallBack => QueueOrder::Received,
            _ => QueueOrder::Urgency,
        }
    }
}

/// What the queue is asked: a tab, filters, a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    pub tab: QueueTab,
    pub pollution_type: Option<PollutionType>,
    /// A region inside the caller's jurisdiction (with everything below it).
    pub region: Option<RegionCode>,
    pub channel: Option<Channel>,
    /// One stage of the tab's.
    pub stage: Option<Stage>,
    /// Words the case's description or address holds (the search index's syntax).
    pub text: Option<String>,
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
            stage: None,
            text: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

impl QueueQuery {
    /// Reads a question given as `key=value` pairs: `tab`, `type`, `region`, `channel`,
    /// `stage`, `q`, `limit`, `offset`. An empty value is no filter.
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
                "stage" => {
                    query.stage = Some(Stage::parse(value).ok_or_else(|| bad("unknown stage"))?)
                }
                "q" => {
                    if value.chars().count() > MAX_TEXT_CHARS {
                        return Err(bad(&format!("longer than {MAX_TEXT_CHARS} characters")));
                    }
                    query.text = Some(value.to_owned());
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
    /// Whether the caller may record the callback (回访) on the case now.
    pub call_back: bool,
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
    /// With a text filter: the search found more cases than the queue looks through (the
    /// best [`MAX_TEXT_HITS`]), so the counts may fall short.
    pub text_hits_capped: bool,
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
    let call_back = CALLBACK_STAGES.contains(&case.stage) && scope.can_call_back(case.region);
    if actions.is_empty() && !call_back {
        return None;
    }
    let deadline = case.current_deadline(&limits);
    Some(item(case, deadline, actions, call_back, now))
}

fn item(
    case: Case,
    deadline: Option<Deadline>,
    actions: Vec<Action>,
    call_back: bool,
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
        call_back,
    }
}

/// The kinds and stages in which `scope` can act on every case of theirs: those where one of
/// the scope's steps is open whatever the case (see [`Action::stage_decides`]), and, for
/// whoever records callbacks (operators among them), the stages after the reply.
fn open_to(scope: &StaffScope, jurisdiction: RegionCode) -> Vec<(CaseKind, Stage)> {
    let mut pairs = Vec::new();
    for kind in CaseKind::CASES {
        for stage in OPEN_STAGES {
            let acts = transitions(kind, stage)
                .iter()
                .any(|(a, _)| a.stage_decides() && scope.can_act_on(jurisdiction, *a));
            let calls_back = CALLBACK_STAGES.contains(&stage) && scope.can_call_back(jurisdiction);
            if acts || calls_back {
                pairs.push((kind, stage));
            }
        }
    }
    pairs
}

impl App {
    /// `caller`'s work queue under `query`. A caller whose roles take no steps and record no
    /// callbacks (an analyst, an administrator) has an empty queue; an auditor, who reads no
    /// cases, is refused. An operator's queue is the callbacks (待回访) of the cases held in
    /// their jurisdiction.
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
            stage: query.stage,
            ..CaseFilter::default()
        };
        let pairs = open_to(&scope, jurisdiction);
        let mut stages: Vec<Stage> = pairs.iter().map(|(_, stage)| *stage).collect();
        stages.sort_by_key(|s| s.code());
        stages.dedup();
        // Left out: the kinds in those stages the caller cannot act on. A kind that never
        // reaches a stage (one with no step from it, such as a report under 复查) holds no
        // case there, and testing for it on every row made a national page slow.
        let excluded: Vec<(CaseKind, Stage)> = CaseKind::CASES
            .into_iter()
            .flat_map(|kind| stages.iter().map(move |stage| (kind, *stage)))
            .filter(|pair| !pairs.contains(pair) && !transitions(pair.0, pair.1).is_empty())
            .collect();
        let (hits, text_hits_capped) = match &query.text {
            Some(text) => {
                let (ids, capped) = self.queue_text_hits(caller, text, &stages).await?;
                (Some(ids), capped)
            }
            None => (None, false),
        };
        let question = QueueQuestion {
            held_within: jurisdiction,
            stages: &stages,
            excluded: &excluded,
            filter: &filter,
            among: hits.as_deref(),
        };
        let tallies = self
            .store
            .queue_counts(&question, now, now + DUE_SOON)
            .await?;
        let counts: Vec<TabCount> = QueueTab::ALL
            .into_iter()
            .map(|tab| TabCount {
                tab,
                label: tab.zh().to_owned(),
                count: usize::try_from(tallies.iter().map(|t| tab.share(t)).sum::<u64>())
                    .unwrap_or(usize::MAX),
            })
            .collect();
        let total = counts
            .iter()
            .find(|c| c.tab == query.tab)
            .map_or(0, |c| c.count);
        let tab_stages: Vec<Stage> = stages
            .iter()
            .copied()
            .filter(|s| query.tab.stages().contains(s))
            .collect();
        let page = self
            .store
            .queue_page(
                &QueueQuestion {
                    stages: &tab_stages,
                    ..question
                },
                query.tab.band(now),
                query.tab.order(),
                query.limit,
                query.offset,
            )
            .await?;
        let items: Vec<QueueItem> = page
            .into_iter()
            .filter_map(|h| actionable(h, &scope, self, now))
            .collect();
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
            text_hits_capped,
        })
    }

    /// The open cases in `stages` within `caller`'s jurisdiction whose texts hold `text`, the
    /// best [`MAX_TEXT_HITS`], and whether there were more. Recorded like every search.
    async fn queue_text_hits(
        &self,
        caller: &Caller,
        text: &str,
        stages: &[Stage],
    ) -> ServiceResult<(Vec<i64>, bool)> {
        if greenline_search::analyzer::query_words(text).is_empty() {
            return Err(ServiceError::parameter("q", "give words to search for"));
        }
        let mut query = SearchQuery::new(text).within(caller.jurisdiction()?);
        query.reveal_identities = caller.may_read_identities();
        let search = self.projections.search.clone();
        let Some(index) = search.index().cloned() else {
            return Err(ServiceError::Unavailable(format!(
                "the search index is being prepared ({} cases read so far); try again shortly",
                search.loaded()
            )));
        };
        let stages = stages.to_vec();
        let (ids, total) =
            tokio::task::spawn_blocking(move || index.matching_ids(&query, &stages, MAX_TEXT_HITS))
                .await?
                .map_err(|e| ServiceError::parameter("q", e.to_string()))?;
        self.record(
            caller,
            crate::audit::AuditAction::Search,
            text.chars().take(200).collect::<String>(),
            greenline_store::AuditOutcome::Ok,
            serde_json::json!({ "found": total, "queue": true }),
        )
        .await?;
        Ok((ids, total > MAX_TEXT_HITS as u64))
    }
}

#[cfg(test)]
mod tests {
    use greenline_domain::Role;

    use super::*;

    /// The queue counts by kind and stage on this promise: for every set of roles, in every
    /// open stage, either one of the roles' steps is open to every case, or none of their
    /// steps is (not even one that depends on the case, such as an extension).
    /// The queue leaves a kind's stage without steps out of its questions, as holding no case:
    /// every open stage a kind can reach from registration has a step.
    #[test]
    fn every_open_stage_a_kind_reaches_has_a_step() {
        for kind in CaseKind::CASES {
            let mut reached = vec![Stage::Registered];
            let mut next = 0;
            while next < reached.len() {
                for (_, to) in transitions(kind, reached[next]) {
                    if !reached.contains(to) {
                        reached.push(*to);
                    }
                }
                next += 1;
            }
            for stage in reached.into_iter().filter(|s| OPEN_STAGES.contains(s)) {
                assert!(
                    !transitions(kind, stage).is_empty(),
                    "a {kind:?} case in {stage:?} has no step"
                );
            }
        }
    }

    #[test]
    fn the_open_stages_are_the_deadline_stages_and_those_after_the_reply() {
        let mut open = OPEN_STAGES.to_vec();
        let mut parts: Vec<Stage> = DEADLINE_STAGES.into_iter().chain(CALLBACK_STAGES).collect();
        open.sort_by_key(|s| s.code());
        parts.sort_by_key(|s| s.code());
        assert_eq!(open, parts);
    }

    #[test]
    fn the_stage_decides_whether_a_role_acts_on_an_open_case() {
        for mask in 1u32..(1 << Role::ALL.len()) {
            let roles: Vec<Role> = Role::ALL
                .into_iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, r)| r)
                .collect();
            for kind in CaseKind::CASES {
                for stage in OPEN_STAGES {
                    let steps: Vec<Action> = transitions(kind, stage)
                        .iter()
                        .map(|(a, _)| *a)
                        .filter(|a| roles.iter().any(|r| r.may_take(*a)))
                        .collect();
                    assert!(
                        steps.is_empty() || steps.iter().any(|a| a.stage_decides()),
                        "{roles:?} on a {kind:?} case in {stage:?}: only {steps:?}"
                    );
                }
            }
        }
    }
}
