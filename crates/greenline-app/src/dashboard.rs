//! The dashboard (数据分析) of a period, a region and a pollution type inside the caller's
//! jurisdiction: every figure an analyst or a leader reads first, each with the filter of the
//! case list that shows the cases behind it.
//!
//! Definitions (the one place they are written; `docs/dashboard.md` repeats them for readers):
//!
//! - **Volume by month** (月度举报量): cases received in each month, over the
//!   [`VOLUME_MONTHS`] months that end with the period's last month, from the first month with
//!   a case in the selection (months before it are left out, not shown as zeros) to the current
//!   month at most. The trend test (Mann–Kendall, no claim from fewer than 10 months or 100
//!   cases) runs over the whole months only: a month still running is shown but not tested.
//! - **Type shares** (污染类型占比): cases of the period carrying each type over all cases of
//!   the period. Multi-label: a case counts under every type it carries, so shares may add up
//!   to more than 100%.
//! - **Regions ranked** (地区排名): cases of the period in each child region of the chosen
//!   region (provinces of the nation, cities of a province, counties of a city), most first.
//! - **Stage funnel** (办理进度): cases of the period that have reached each step by their
//!   current stage — received (all), accepted (受理 and every later stage), concluded (办结 and
//!   later), replied (答复 and later) and archived (归档). Rejected cases leave after the first.
//! - **Channel mix** (渠道构成): cases of the period by channel over all cases; adds up to 100%.
//! - **按时受理率**: cases accepted before the end of the acceptance limit counted from receipt,
//!   over cases accepted.
//! - **按期办结率**: cases concluded before the end of the handling limit (with any extension)
//!   counted from acceptance, over cases concluded.
//! - **重复举报率**: cases repeating an earlier report of the same source over all cases.
//! - **Spike alerts** (异常升高预警): region × type series of the last [`ALERT_DAYS`] days of the
//!   period (up to today) that left their own expected level (`greenline_stats::spikes`), with
//!   the cases behind each.
//! - **Hot topics** (热点): terms of the period's last month that stand out against the twelve
//!   months before (`App::topics`), from texts whose names and phone numbers were masked. They
//!   take seconds to work out for a large region, so the dashboard does not wait for them: it
//!   shows them once they are at hand (`topics_ready`), kept for five minutes.
//! - **Unit performance** (单位考核): for each unit holding cases of the period, its cases,
//!   按时受理率, 按期办结率 and 重复举报率, ranked by 按期办结率, then 按时受理率, then
//!   fewer repeats; units with fewer than [`MIN_UNIT_CASES`] cases are listed apart, unranked,
//!   since a rate of a handful of cases says little. Beside them, 群众满意率: of the callbacks
//!   (回访) recorded in the period on cases the unit held, those answered 满意 or 基本满意 —
//!   shown with the number of callbacks, not used for ranking, and left out when the
//!   dashboard is narrowed to a type (a callback is of the case, not of one of its types).
//! - **EIA comments** (环评公众意见): comments on the region's EIA projects received in the
//!   period, by theme and by project (`App::eia_comment_figures`, whatever the type chosen).

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};
use greenline_domain::deadline::local_date;
use greenline_domain::{PollutionType, RegionCode, Stage};
use greenline_report::{Period, child_level};
use greenline_stats::spikes::SpikeRule;
use greenline_stats::trend::{TrendGuard, assess};
use greenline_stats::{
    AcceptanceStatus, Dimension, Filter, Index, Measure, Query, TimeBucket, UnitFigures,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ServiceError, ServiceResult};
use crate::stats::{MonthCount, TrendView};
use crate::topics::TopicParams;
use crate::{App, Caller};

/// Months of the volume chart, ending with the period's last month.
pub const VOLUME_MONTHS: u32 = 24;
/// Days of the spike alerts, ending with the period's last day (or today).
pub const ALERT_DAYS: u64 = 30;
/// Units with fewer cases than this in the period are not ranked.
pub const MIN_UNIT_CASES: u64 = 30;
/// Hot topics shown.
pub const TOPICS: usize = 15;

/// What the dashboard shows: a period, a region, a type.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardFilter {
    /// `2026`, `2026-Q3` or `2026-10` (default: the current year).
    pub period: Option<String>,
    /// A region of any level inside the caller's jurisdiction (default: all of it).
    pub region: Option<String>,
    /// Only cases carrying this pollution type.
    #[serde(rename = "type")]
    pub pollution_type: Option<String>,
}

/// One group of a figure: its code and label, cases, share, and the case list's filter that
/// shows the cases behind it (`key=value&…`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Slice {
    pub code: String,
    pub label: String,
    pub count: u64,
    /// Over all cases of the selection (types: may add up to more than 1).
    pub share: Option<f64>,
    pub cases: String,
}

/// The monthly series and its trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct Volume {
    pub months: Vec<MonthCount>,
    /// The month still running, shown but left out of the test.
    pub running_month: Option<String>,
    pub trend: TrendView,
    /// The case list's filter for one month is this with `received_from` and `received_to`
    /// of the month added.
    pub cases: String,
}

/// One step of the funnel.
#[derive(Debug, Serialize, ToSchema)]
pub struct FunnelStep {
    pub code: String,
    pub label: String,
    pub count: u64,
    /// Over the cases received.
    pub share: Option<f64>,
    pub cases: String,
}

/// A rate with its parts, and the filter of the cases that missed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Rate {
    pub label: String,
    pub rate: Option<f64>,
    pub part: u64,
    pub whole: u64,
    /// The cases that missed (late).
    pub missed_cases: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Timeliness {
    /// 按时受理率
    pub on_time_acceptance: Rate,
    /// 按期办结率
    pub on_time_conclusion: Rate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardAlert {
    pub region: String,
    pub region_name: String,
    #[serde(rename = "type")]
    pub pollution_type: String,
    pub type_name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub observed: u64,
    pub expected: f64,
    pub score: f64,
    pub case_ids: Vec<i64>,
    /// The region's cases of the type over the alert's days.
    pub cases: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HotTopic {
    pub term: String,
    pub count: u64,
    pub share: f64,
    pub emerging: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitRow {
    pub unit_id: i64,
    pub name: String,
    /// 1 for the best; `None` for units below the minimum sample.
    pub rank: Option<u32>,
    pub cases: u64,
    /// 按时受理率
    pub on_time_acceptance_rate: Option<f64>,
    /// 按期办结率
    pub on_time_rate: Option<f64>,
    /// 重复举报率
    pub repeat_rate: Option<f64>,
    /// Callbacks (回访) recorded in the period, and 群众满意率 over them.
    pub callbacks: u64,
    pub satisfaction_rate: Option<f64>,
    pub case_list: String,
}

/// Everything the dashboard shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub period: String,
    pub period_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub region: String,
    pub region_name: String,
    #[serde(rename = "type")]
    pub pollution_type: Option<String>,
    pub type_name: Option<String>,
    /// Distinct cases of the selection.
    pub total: u64,
    /// The case list's filter of the whole selection.
    pub cases: String,
    pub volume: Volume,
    pub types: Vec<Slice>,
    pub regions: Vec<Slice>,
    /// The level of `regions` (省/市/县), if the region has children.
    pub regions_level: Option<String>,
    pub funnel: Vec<FunnelStep>,
    pub channels: Vec<Slice>,
    pub timeliness: Timeliness,
    pub alerts_from: NaiveDate,
    pub alerts_to: NaiveDate,
    pub alerts: Vec<DashboardAlert>,
    /// The month the topics are of, and its texts read.
    pub topics_period: String,
    /// False while the topics are still being worked out (a national month takes seconds):
    /// they are then empty, and a later request finds them.
    pub topics_ready: bool,
    pub topics_texts: u64,
    pub topics: Vec<HotTopic>,
    pub min_unit_cases: u64,
    /// Units with at least `min_unit_cases` cases, ranked.
    pub units: Vec<UnitRow>,
    /// Units with fewer, by cases.
    pub small_units: Vec<UnitRow>,
    /// Comments on EIA projects of the region received in the period (环评公众参与).
    pub eia_comments: crate::eia::figures::CommentFigures,
}

/// The funnel's steps: code, label, the stages a case may be in to have reached the step
/// (`None`: every case).
pub fn funnel_steps() -> [(&'static str, &'static str, Option<Vec<Stage>>); 5] {
    let replied = vec![
        Stage::Replied,
        Stage::Published,
        Stage::ReviewRequested,
        Stage::Reviewed,
        Stage::ReReviewRequested,
        Stage::ReReviewed,
        Stage::Closed,
    ];
    let mut concluded = vec![Stage::Concluded];
    concluded.extend(replied.iter().copied());
    let mut accepted = vec![Stage::Accepted, Stage::Handling];
    accepted.extend(concluded.iter().copied());
    [
        ("received", "收到", None),
        ("accepted", "受理", Some(accepted)),
        ("concluded", "办结", Some(concluded)),
        ("replied", "答复", Some(replied)),
        ("closed", "归档", Some(vec![Stage::Closed])),
    ]
}

/// A case list's filter: `key=value` pairs joined with `&`, values percent-encoded.
#[derive(Debug, Clone, Default)]
struct ListFilter(Vec<(String, String)>);

impl ListFilter {
    fn with(&self, key: &str, value: impl Into<String>) -> ListFilter {
        let mut next = self.clone();
        next.0.retain(|(k, _)| k != key);
        next.0.push((key.to_owned(), value.into()));
        next
    }

    fn text(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn day(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// What [`App::dashboard`] has read from its filter.
#[derive(Debug, Clone, Copy)]
struct Selection {
    period: Period,
    region: RegionCode,
    pollution_type: Option<PollutionType>,
    /// First day and the day after the last of the period, cut at tomorrow.
    from: NaiveDate,
    until: NaiveDate,
    today: NaiveDate,
}

impl Selection {
    fn query(&self, as_of: chrono::DateTime<chrono::Utc>) -> Query {
        let mut query = Query::new(self.region, as_of).filter(Filter::Received {
            from: self.from,
            until: self.until,
        });
        if let Some(t) = self.pollution_type {
            query = query.filter(Filter::Type(vec![t]));
        }
        query
    }

    /// The case list's filter of the selection (region, type and the period's days).
    fn list(&self) -> ListFilter {
        let mut f = ListFilter::default();
        if self.region != RegionCode::NATIONAL {
            f = f.with("region", self.region.to_string());
        }
        if let Some(t) = self.pollution_type {
            f = f.with("type", t.code());
        }
        f.with("received_from", day(self.from)).with(
            "received_to",
            day(self.until.pred_opt().unwrap_or(self.until)),
        )
    }
}

/// The figures the statistics index answers, in one visit.
struct Counted {
    total: u64,
    months: Vec<(String, u64)>,
    types: Vec<(String, String, u64)>,
    regions: Vec<(String, String, u64)>,
    channels: Vec<(String, String, u64)>,
    funnel: Vec<u64>,
    accepted: u64,
    accepted_on_time: u64,
    concluded: u64,
    concluded_on_time: u64,
    units: Vec<UnitFigures>,
    alerts: Vec<greenline_stats::spikes::Alert>,
}

fn groups(
    index: &Index,
    query: Query,
    dimension: Dimension,
) -> Result<Vec<(String, String, u64)>, greenline_stats::StatsError> {
    let result = index.query(&query.group_by(dimension))?;
    Ok(result
        .rows()
        .map(|r| (r.key(0).code.clone(), r.key(0).label.clone(), r.count()))
        .collect())
}

fn count_in(
    index: &Index,
    selection: &Selection,
    as_of: chrono::DateTime<chrono::Utc>,
) -> Result<Counted, greenline_stats::StatsError> {
    let base = selection.query(as_of);
    let timeliness = index.query(
        &base
            .clone()
            .measure(Measure::OnTimeAcceptanceRate)
            .measure(Measure::OnTimeRate),
    )?;
    let total = timeliness.total;
    let count_of = |filter: Filter| -> Result<u64, greenline_stats::StatsError> {
        Ok(index.query(&base.clone().filter(filter))?.total)
    };
    let accepted = count_of(Filter::Status(vec![AcceptanceStatus::Accepted]))?;
    let accepted_on_time = count_of(Filter::AcceptedLate(false))?;
    let concluded_on_time = count_of(Filter::ConcludedLate(false))?;
    let concluded = concluded_on_time + count_of(Filter::ConcludedLate(true))?;
    let mut funnel = Vec::new();
    for (_, _, stages) in funnel_steps() {
        funnel.push(match stages {
            None => total,
            Some(stages) => count_of(Filter::Stage(stages))?,
        });
    }

    // The volume window: the months up to the period's last, cut at the current month.
    let last_month = {
        let end = selection.until.pred_opt().unwrap_or(selection.until);
        NaiveDate::from_ymd_opt(end.year(), end.month(), 1).unwrap_or(end)
    };
    let window_from = last_month
        .checked_sub_months(Months::new(VOLUME_MONTHS - 1))
        .unwrap_or(last_month);
    let window_until = last_month
        .checked_add_months(Months::new(1))
        .unwrap_or(last_month)
        .min(selection.today.succ_opt().unwrap_or(selection.today));
    let mut volume = Query::new(selection.region, as_of)
        .filter(Filter::Received {
            from: window_from,
            until: window_until,
        })
        .group_by(Dimension::Time(TimeBucket::Month));
    if let Some(t) = selection.pollution_type {
        volume = volume.filter(Filter::Type(vec![t]));
    }
    let found: HashMap<String, u64> = index
        .query(&volume)?
        .rows()
        .filter(|r| r.count() > 0)
        .map(|r| (r.key(0).code.clone(), r.count()))
        .collect();
    let mut months = Vec::new();
    let mut month = window_from;
    while month < window_until {
        let code = month.format("%Y-%m").to_string();
        let count = found.get(&code).copied().unwrap_or(0);
        // Months before the first case of the selection are outside the data's range.
        if count > 0 || !months.is_empty() {
            months.push((code, count));
        }
        month = match month.checked_add_months(Months::new(1)) {
            Some(next) => next,
            None => break,
        };
    }

    let regions = match child_level(selection.region) {
        Some(level) => {
            let mut rows = groups(index, base.clone(), Dimension::Region(level))?;
            rows.retain(|r| r.2 > 0);
            rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
            rows
        }
        None => Vec::new(),
    };
    let mut types = groups(index, base.clone(), Dimension::Type)?;
    types.retain(|r| r.2 > 0);
    types.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let mut channels = groups(index, base.clone(), Dimension::Channel)?;
    channels.retain(|r| r.2 > 0);
    channels.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    let units = index.by_unit(&base)?;

    let alert_until = selection.until;
    let alert_from = alert_until - chrono::Days::new(ALERT_DAYS);
    let mut alerts = index.spikes(
        selection.region,
        alert_from,
        alert_until,
        &SpikeRule::default(),
    )?;
    if let Some(t) = selection.pollution_type {
        alerts.retain(|a| a.pollution_type == t);
    }
    Ok(Counted {
        total,
        months,
        types,
        regions,
        channels,
        funnel,
        accepted,
        accepted_on_time,
        concluded,
        concluded_on_time,
        units,
        alerts,
    })
}

/// Units ranked as [`MIN_UNIT_CASES`] and the module's definitions say, and those below it.
pub fn rank_units(
    figures: &[UnitFigures],
    names: &HashMap<i64, String>,
    list: impl Fn(i64) -> String,
) -> (Vec<UnitRow>, Vec<UnitRow>) {
    let row = |f: &UnitFigures| UnitRow {
        unit_id: i64::from(f.unit),
        name: names
            .get(&i64::from(f.unit))
            .cloned()
            .unwrap_or_else(|| format!("单位{}", f.unit)),
        rank: None,
        cases: f.cases,
        on_time_acceptance_rate: f.on_time_acceptance_rate(),
        on_time_rate: f.on_time_rate(),
        repeat_rate: f.repeat_rate(),
        callbacks: 0,
        satisfaction_rate: None,
        case_list: list(i64::from(f.unit)),
    };
    let (mut ranked, mut small): (Vec<UnitRow>, Vec<UnitRow>) = (Vec::new(), Vec::new());
    for f in figures {
        if f.cases >= MIN_UNIT_CASES {
            ranked.push(row(f));
        } else {
            small.push(row(f));
        }
    }
    let key = |r: &UnitRow| {
        (
            r.on_time_rate.unwrap_or(-1.0),
            r.on_time_acceptance_rate.unwrap_or(-1.0),
            -r.repeat_rate.unwrap_or(1.0),
        )
    };
    ranked.sort_by(|a, b| {
        key(b)
            .partial_cmp(&key(a))
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| b.cases.cmp(&a.cases))
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    for (i, r) in ranked.iter_mut().enumerate() {
        r.rank = Some(i as u32 + 1);
    }
    small.sort_by(|a, b| {
        b.cases
            .cmp(&a.cases)
            .then_with(|| a.unit_id.cmp(&b.unit_id))
    });
    (ranked, small)
}

impl App {
    /// The dashboard of `filter` within `caller`'s jurisdiction; a region outside it is
    /// refused (`Forbidden`), never answered.
    pub async fn dashboard(
        &self,
        caller: &Caller,
        filter: &DashboardFilter,
    ) -> ServiceResult<Dashboard> {
        let jurisdiction = caller.jurisdiction()?;
        let region = match filter.region.as_deref().map(str::trim) {
            None | Some("") => jurisdiction,
            Some(code) => caller.region(
                RegionCode::parse(code)
                    .map_err(|e| ServiceError::parameter("region", e.to_string()))?,
            )?,
        };
        let pollution_type = filter
            .pollution_type
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(PollutionType::parse)
            .transpose()
            .map_err(|e| ServiceError::parameter("type", e.to_string()))?;
        let today = local_date(self.now());
        let period = match filter.period.as_deref().map(str::trim) {
            None | Some("") => Period::Year(today.year()),
            Some(code) => {
                Period::parse(code).map_err(|e| ServiceError::parameter("period", e.to_string()))?
            }
        };
        let tomorrow = today.succ_opt().unwrap_or(today);
        if period.first_day() > today {
            return Err(ServiceError::parameter(
                "period",
                "the period has not begun yet",
            ));
        }
        let selection = Selection {
            period,
            region,
            pollution_type,
            from: period.first_day(),
            until: period.end().min(tomorrow),
            today,
        };
        let as_of = self.now();
        let counted = self
            .on_statistics(move |index| count_in(index, &selection, as_of))
            .await?
            .map_err(|e| ServiceError::parameter("period", e.to_string()))?;

        let names: HashMap<i64, String> = self
            .store
            .units()
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();

        // Hot topics of the period's last month (up to the current one).
        let last = selection.until.pred_opt().unwrap_or(selection.until);
        let topics_period = format!("{}-{:02}", last.year(), last.month());
        let topics = self
            .topics_if_ready(
                caller,
                TopicParams {
                    period: topics_period.clone(),
                    region: Some(region.to_string()),
                    pollution_type: pollution_type.map(|t| t.code().to_owned()),
                    limit: Some(TOPICS),
                    ..TopicParams::default()
                },
            )
            .await?;

        // 群众满意率 per unit: the callbacks recorded in the period, whatever the type.
        let satisfaction = if pollution_type.is_none() {
            // The first instant of a day in China time.
            let start = |day: NaiveDate| {
                use chrono::TimeZone;
                greenline_domain::deadline::china_time()
                    .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
                    .single()
                    .map(|t| t.with_timezone(&chrono::Utc))
                    .unwrap_or_default()
            };
            let counts = self
                .store
                .callback_counts(&greenline_store::CallbackQuery {
                    within: Some(region),
                    unit_id: None,
                    from: Some(start(selection.from)),
                    before: Some(start(selection.until)),
                })
                .await?;
            let mut per_unit: HashMap<i64, (u64, u64)> = HashMap::new();
            for c in counts {
                let entry = per_unit.entry(c.unit_id).or_default();
                entry.0 += c.count;
                if matches!(
                    c.satisfaction,
                    greenline_domain::Satisfaction::Satisfied
                        | greenline_domain::Satisfaction::BasicallySatisfied
                ) {
                    entry.1 += c.count;
                }
            }
            per_unit
        } else {
            HashMap::new()
        };
        // Comments on the region's EIA projects in the period, beside the cases.
        let eia_comments = self
            .eia_comment_figures(
                caller,
                &crate::eia::figures::CommentFiguresQuery {
                    region: Some(region),
                    from: Some(selection.from),
                    to: selection.until.pred_opt(),
                },
            )
            .await?;
        let mut dashboard = self.assemble(selection, counted, &names, topics_period, topics);
        dashboard.eia_comments = eia_comments;
        for row in dashboard
            .units
            .iter_mut()
            .chain(dashboard.small_units.iter_mut())
        {
            if let Some((callbacks, satisfied)) = satisfaction.get(&row.unit_id) {
                row.callbacks = *callbacks;
                row.satisfaction_rate =
                    (*callbacks > 0).then(|| *satisfied as f64 / *callbacks as f64);
            }
        }
        Ok(dashboard)
    }

    fn assemble(
        &self,
        selection: Selection,
        counted: Counted,
        names: &HashMap<i64, String>,
        topics_period: String,
        topics: Option<crate::topics::Topics>,
    ) -> Dashboard {
        let list = selection.list();
        let total = counted.total;
        let slices = |rows: &[(String, String, u64)], key: &str| -> Vec<Slice> {
            rows.iter()
                .map(|(code, label, count)| Slice {
                    code: code.clone(),
                    label: label.clone(),
                    count: *count,
                    share: ratio(*count, total),
                    cases: list.with(key, code.clone()).text(),
                })
                .collect()
        };

        // The series and its test over the whole months.
        let running = format!("{}-{:02}", selection.today.year(), selection.today.month());
        let whole: Vec<f64> = counted
            .months
            .iter()
            .filter(|(m, _)| *m != running)
            .map(|(_, c)| *c as f64)
            .collect();
        let guard = TrendGuard::default();
        let trend = match assess(&whole, &guard) {
            Ok(finding) => crate::stats::trend_view(&finding, guard.alpha),
            Err(e) => TrendView {
                direction: "not_tested".to_owned(),
                summary: format!("不作趋势判断：{e}"),
                p_value: None,
                z: None,
                s: None,
                tau: None,
                slope: None,
            },
        };
        let mut volume_list = ListFilter::default();
        if selection.region != RegionCode::NATIONAL {
            volume_list = volume_list.with("region", selection.region.to_string());
        }
        if let Some(t) = selection.pollution_type {
            volume_list = volume_list.with("type", t.code());
        }
        let volume = Volume {
            running_month: counted
                .months
                .iter()
                .any(|(m, _)| *m == running)
                .then_some(running.clone()),
            months: counted
                .months
                .iter()
                .map(|(month, count)| MonthCount {
                    month: month.clone(),
                    count: *count,
                })
                .collect(),
            trend,
            cases: volume_list.text(),
        };

        let funnel = funnel_steps()
            .into_iter()
            .zip(&counted.funnel)
            .map(|((code, label, stages), count)| FunnelStep {
                code: code.to_owned(),
                label: label.to_owned(),
                count: *count,
                share: ratio(*count, total),
                cases: match stages {
                    None => list.text(),
                    Some(stages) => list
                        .with(
                            "stage",
                            stages
                                .iter()
                                .map(|s| s.code())
                                .collect::<Vec<_>>()
                                .join(","),
                        )
                        .text(),
                },
            })
            .collect();

        let alerts = counted
            .alerts
            .iter()
            .map(|a| DashboardAlert {
                region: a.region.to_string(),
                region_name: a.region.full_name(),
                pollution_type: a.pollution_type.code().to_owned(),
                type_name: a.pollution_type.zh().to_owned(),
                first_day: a.first_day,
                last_day: a.last_day,
                observed: a.observed,
                expected: a.expected,
                score: a.score,
                case_ids: a.case_ids.clone(),
                cases: ListFilter::default()
                    .with("region", a.region.to_string())
                    .with("type", a.pollution_type.code())
                    .with("received_from", day(a.first_day))
                    .with("received_to", day(a.last_day))
                    .text(),
            })
            .collect();

        let (units, small_units) = rank_units(&counted.units, names, |unit| {
            list.with("unit_id", unit.to_string()).text()
        });

        Dashboard {
            period: selection.period.code(),
            period_name: selection.period.zh(),
            from: selection.from,
            to: selection.until.pred_opt().unwrap_or(selection.until),
            region: selection.region.to_string(),
            region_name: selection.region.full_name(),
            pollution_type: selection.pollution_type.map(|t| t.code().to_owned()),
            type_name: selection.pollution_type.map(|t| t.zh().to_owned()),
            total,
            cases: list.text(),
            volume,
            types: slices(&counted.types, "type"),
            regions: slices(&counted.regions, "region")
                .into_iter()
                .map(|mut s| {
                    // The parent is the chosen region: its name needs no repeating.
                    if let Ok(code) = RegionCode::parse(&s.code) {
                        s.label = code.name().to_owned();
                    }
                    s
                })
                .collect(),
            regions_level: child_level(selection.region).map(|l| l.zh().to_owned()),
            funnel,
            channels: slices(&counted.channels, "channel"),
            timeliness: Timeliness {
                on_time_acceptance: Rate {
                    label: "按时受理率".to_owned(),
                    rate: ratio(counted.accepted_on_time, counted.accepted),
                    part: counted.accepted_on_time,
                    whole: counted.accepted,
                    missed_cases: list.with("accepted_late", "true").text(),
                },
                on_time_conclusion: Rate {
                    label: "按期办结率".to_owned(),
                    rate: ratio(counted.concluded_on_time, counted.concluded),
                    part: counted.concluded_on_time,
                    whole: counted.concluded,
                    missed_cases: list.with("concluded_late", "true").text(),
                },
            },
            alerts_from: selection.until - chrono::Days::new(ALERT_DAYS),
            alerts_to: selection.until.pred_opt().unwrap_or(selection.until),
            alerts,
            topics_period,
            topics_ready: topics.is_some(),
            topics_texts: topics.as_ref().map_or(0, |t| t.texts),
            topics: topics
                .map(|t| t.topics)
                .unwrap_or_default()
                .into_iter()
                .map(|t| HotTopic {
                    term: t.term,
                    count: t.count,
                    share: t.share,
                    emerging: t.emerging,
                })
                .collect(),
            min_unit_cases: MIN_UNIT_CASES,
            units,
            small_units,
            eia_comments: crate::eia::figures::CommentFigures::default(),
        }
    }
}
