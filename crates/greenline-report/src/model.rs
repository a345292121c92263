//! The bulletin's figures, each read from one engine answer.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use greenline_domain::{PollutionType, RegionCode};
use greenline_stats::spikes::SpikeRule;
use greenline_stats::trend::{self, Direction, TrendFinding, TrendGuard};
use greenline_stats::{AcceptanceStatus, Index, Measure, QueryResult};
use serde::Serialize;

use crate::queries::{BulletinQueries, TREND_MONTHS, child_level};
use crate::text::{Section, write_sections};
use crate::{Period, ReportError};

/// What a bulletin may claim, and how much it lists.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BulletinOptions {
    /// No ranking sentence (top regions, industries, reasons, sub-types, a region's leading
    /// type) is written from fewer cases than this.
    pub min_ranking_cases: u64,
    /// Regions listed in the breakdown by region.
    pub top_regions: usize,
    /// Industries listed.
    pub top_industries: usize,
    /// Types whose leading sub-types (and trends) are described.
    pub top_types: usize,
    /// Sub-types named for each of those types.
    pub top_sub_types: usize,
    /// When a trend may be claimed.
    pub trend_guard: TrendGuard,
    /// When a series' spike raises an alert.
    pub spike_rule: SpikeRule,
}

impl Default for BulletinOptions {
    /// Thirty cases before ranking: below that one or two cases reorder the list.
    fn default() -> Self {
        BulletinOptions {
            min_ranking_cases: 30,
            top_regions: 5,
            top_industries: 5,
            top_types: 3,
            top_sub_types: 3,
            trend_guard: TrendGuard::default(),
            spike_rule: SpikeRule::default(),
        }
    }
}

/// One value of a breakdown: its code, label, count and share (as a fraction).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub code: String,
    pub label: String,
    pub count: u64,
    pub share: Option<f64>,
}

/// The period's total and how it compares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    pub received: u64,
    /// The previous period's total (环比's base).
    pub previous: u64,
    /// The same period a year earlier (同比's base).
    pub year_earlier: u64,
    /// 环比, as a fraction; `None` when the previous period had no case. For an annual
    /// bulletin this is the change on the year before, the same as 同比.
    pub period_on_period: Option<f64>,
    /// 同比, as a fraction; `None` when the period a year earlier had no case.
    pub year_on_year: Option<f64>,
}

/// Acceptance (受理) of the period's cases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acceptance {
    pub accepted: Item,
    pub rejected: Item,
    pub pending: Item,
    /// Rejected cases by reason, most first; shares are of the rejected.
    pub reasons: Vec<Item>,
    /// Whether the reasons may be ranked (enough rejected cases).
    pub reasons_ranked: bool,
}

/// The leading sub-types of one type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubTypes {
    /// The type, with its count and share over all cases.
    pub pollution_type: Item,
    /// Its sub-types, most first; shares are of the cases carrying the type.
    pub sub_types: Vec<Item>,
}

/// One region of the breakdown by region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionItem {
    pub region: Item,
    /// The type most of its cases carry, with the share of its cases; `None` when it has
    /// too few cases to say.
    pub leading_type: Option<Item>,
}

/// The breakdown one level below the scope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Regions {
    /// `省份`, `地市`, `区县`.
    pub level_zh: &'static str,
    /// Regions at that level with any case in the period.
    pub with_cases: usize,
    /// The leading regions, most first (empty when the guard forbids a ranking).
    pub top: Vec<RegionItem>,
    /// Their combined share of the total.
    pub top_share: Option<f64>,
    pub ranked: bool,
}

/// Timeliness of the period's cases, as of the bulletin's date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeliness {
    /// 按期办结率 over the concluded cases.
    pub on_time_rate: Option<f64>,
    pub handling_days_mean: Option<f64>,
    pub handling_days_median: Option<f64>,
    pub acceptance_days_mean: Option<f64>,
    /// Cases past their deadline and not concluded at `as_of`.
    pub overdue: u64,
}

/// One month of a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthCount {
    /// `2026-10`
    pub month: String,
    pub count: u64,
}

/// What may be said of a series' trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum TrendResult {
    TooFewPoints {
        points: usize,
        needed: usize,
    },
    TooFewCases {
        cases: u64,
        needed: u64,
    },
    Tested {
        /// `increasing`, `decreasing` or `no_trend` at the guard's significance level.
        direction: &'static str,
        p_value: f64,
        /// Sen's slope, cases per month.
        slope_per_month: f64,
        z: f64,
    },
}

impl TrendResult {
    fn of(finding: TrendFinding) -> TrendResult {
        match finding {
            TrendFinding::TooFewPoints { points, needed } => {
                TrendResult::TooFewPoints { points, needed }
            }
            TrendFinding::TooFewCases { cases, needed } => TrendResult::TooFewCases {
                cases: cases as u64,
                needed: needed.ceil() as u64,
            },
            TrendFinding::Tested { direction, test } => TrendResult::Tested {
                direction: match direction {
                    Direction::Increasing => "increasing",
                    Direction::Decreasing => "decreasing",
                    Direction::NoTrend => "no_trend",
                },
                p_value: test.p_value,
                slope_per_month: test.slope,
                z: test.z,
            },
        }
    }
}

/// A series and its trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The series' subject: `举报总量` or a type's name.
    pub label: String,
    /// The type's code, for a type's series.
    pub code: Option<String>,
    /// Months from the first month with data (within the window) to the period's last.
    pub months: Vec<MonthCount>,
    pub result: TrendResult,
}

/// The trend findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trends {
    pub total: Trend,
    /// The leading types' own series.
    pub by_type: Vec<Trend>,
    pub alpha: f64,
    pub min_points: usize,
    pub min_cases: u64,
}

/// A spike alert raised in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertItem {
    pub region_code: String,
    pub region: String,
    pub pollution_type: String,
    pub type_label: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub observed: u64,
    pub expected: f64,
}

/// Every figure of a bulletin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub totals: Totals,
    pub acceptance: Acceptance,
    /// Every channel with cases, most first (shares add up to 100%).
    pub channels: Vec<Item>,
    /// Every type with cases, most first (multi-label: shares are over cases).
    pub types: Vec<Item>,
    pub sub_types: Vec<SubTypes>,
    /// Leading industries, most first (cases with no industry left out).
    pub industries: Vec<Item>,
    /// Cases with an industry recorded.
    pub industry_cases: u64,
    pub industries_ranked: bool,
    pub regions: Option<Regions>,
    pub timeliness: Timeliness,
    /// Cases whose source was reported before.
    pub repeat_sources: Item,
    pub trends: Trends,
    pub alerts: Vec<AlertItem>,
    pub min_ranking_cases: u64,
}

/// A decision report (决策参考) for one period and region: the figures, and the text written
/// from them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bulletin {
    pub title: String,
    pub period: Period,
    pub scope: String,
    /// The scope's name: `全国`, `广东省`, `广东省深圳市`.
    pub scope_name: String,
    pub as_of: DateTime<Utc>,
    pub figures: Figures,
    pub sections: Vec<Section>,
}

impl Bulletin {
    /// The bulletin with its section on hot topics (十、热点问题): `topics` rose in the period's
    /// complaint texts against the `baseline_months` before it.
    pub fn with_hot_topics(mut self, topics: &[crate::HotTopic], baseline_months: u32) -> Bulletin {
        self.sections.push(crate::text::hot_topics(
            self.period.this_zh(),
            topics,
            baseline_months,
        ));
        self
    }
}

fn item(row: &greenline_stats::Row<'_>, d: usize, share: Option<&Measure>) -> Item {
    let key = row.key(d);
    Item {
        code: key.code.clone(),
        label: key.label.clone(),
        count: row.count(),
        share: share.and_then(|m| row.value(m)),
    }
}

fn share() -> Measure {
    Measure::Share { within: Vec::new() }
}

/// Rows of a one-dimension answer as items, most first (ties in code order).
fn items(result: &QueryResult) -> Vec<Item> {
    let share = share();
    let mut all: Vec<Item> = result.rows().map(|r| item(&r, 0, Some(&share))).collect();
    all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    all
}

fn find(result: &QueryResult, code: &str) -> Item {
    items(result)
        .into_iter()
        .find(|i| i.code == code)
        .unwrap_or_else(|| Item {
            code: code.to_owned(),
            label: String::new(),
            count: 0,
            share: (result.total > 0).then_some(0.0),
        })
}

/// One acceptance status's item, labelled by the status even when no case has it.
fn status_item(result: &QueryResult, status: AcceptanceStatus) -> Item {
    let mut item = find(result, status.code());
    if item.label.is_empty() {
        item.label = status.zh().to_owned();
    }
    item
}

fn region_label(code: &str, fallback: &str) -> String {
    RegionCode::parse(code)
        .map(|c| c.name().to_owned())
        .unwrap_or_else(|_| fallback.to_owned())
}

/// Months from `from` (a first day) up to and including `last`, as `YYYY-MM`.
fn month_codes(from: NaiveDate, last: NaiveDate) -> Vec<String> {
    let mut out = Vec::new();
    let mut m = from;
    while m <= last {
        out.push(format!("{}-{:02}", m.year(), m.month()));
        match m.checked_add_months(Months::new(1)) {
            Some(next) => m = next,
            None => break,
        }
    }
    out
}

/// A monthly series over the window, from its first month with a case (months before the
/// data begin are absence, not zeros), zero-filled after that.
fn series(window: &[String], counts: &[(String, u64)]) -> Vec<MonthCount> {
    let first = window
        .iter()
        .position(|m| counts.iter().any(|(c, n)| c == m && *n > 0))
        .unwrap_or(window.len());
    window[first..]
        .iter()
        .map(|m| MonthCount {
            month: m.clone(),
            count: counts.iter().find(|(c, _)| c == m).map_or(0, |(_, n)| *n),
        })
        .collect()
}

fn assess(
    label: String,
    code: Option<String>,
    months: Vec<MonthCount>,
    guard: &TrendGuard,
) -> Result<Trend, ReportError> {
    let values: Vec<f64> = months.iter().map(|m| m.count as f64).collect();
    let result = TrendResult::of(trend::assess(&values, guard)?);
    Ok(Trend {
        label,
        code,
        months,
        result,
    })
}

impl Bulletin {
    /// Builds the bulletin for `period` within `scope` with the default options.
    pub fn build(
        index: &Index,
        period: Period,
        scope: RegionCode,
        as_of: DateTime<Utc>,
    ) -> Result<Bulletin, ReportError> {
        Bulletin::build_with(index, period, scope, as_of, &BulletinOptions::default())
    }

    /// Builds the bulletin with the given options.
    pub fn build_with(
        index: &Index,
        period: Period,
        scope: RegionCode,
        as_of: DateTime<Utc>,
        options: &BulletinOptions,
    ) -> Result<Bulletin, ReportError> {
        let q = BulletinQueries::new(period, scope, as_of);
        let min = options.min_ranking_cases;

        let total = index.query(&q.total)?;
        let row = total.rows().next();
        let previous = index.query(&q.previous_total)?.total;
        let year_earlier = index.query(&q.year_earlier_total)?.total;
        // An empty period has no row to carry a change; from a non-empty base it fell by all.
        let change = |measure: Measure, base: u64| match row {
            Some(r) => r.value(&measure),
            None => (base > 0).then_some(-1.0),
        };
        let totals = Totals {
            received: total.total,
            previous,
            year_earlier,
            period_on_period: change(Measure::PeriodOnPeriod, previous),
            year_on_year: change(Measure::YearOnYear, year_earlier),
        };

        let status = index.query(&q.status)?;
        let mut reasons = items(&index.query(&q.rejection_reasons)?);
        reasons.retain(|r| !r.code.is_empty());
        let rejected = status_item(&status, AcceptanceStatus::Rejected);
        let acceptance = Acceptance {
            accepted: status_item(&status, AcceptanceStatus::Accepted),
            reasons_ranked: rejected.count >= min,
            rejected,
            pending: status_item(&status, AcceptanceStatus::Pending),
            reasons,
        };

        let channels = items(&index.query(&q.channels)?);
        let types = items(&index.query(&q.types)?);

        let sub_result = index.query(&q.sub_types)?;
        let within_type = Measure::Share {
            within: vec![greenline_stats::Dimension::Type],
        };
        let sub_types = types
            .iter()
            .take(options.top_types)
            .filter(|t| t.count >= min)
            .map(|t| {
                let mut subs: Vec<Item> = sub_result
                    .rows()
                    .filter(|r| r.key(0).code == t.code && !r.key(1).code.is_empty())
                    .filter(|r| {
                        greenline_domain::SubType::parse(&r.key(1).code)
                            .is_ok_and(|s| s.pollution_type().code() == t.code)
                    })
                    .map(|r| item(&r, 1, Some(&within_type)))
                    .collect();
                subs.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
                subs.truncate(options.top_sub_types);
                SubTypes {
                    pollution_type: t.clone(),
                    sub_types: subs,
                }
            })
            .filter(|s| !s.sub_types.is_empty())
            .collect();

        let mut industries = items(&index.query(&q.industries)?);
        industries.retain(|i| !i.code.is_empty());
        let with_industry: u64 = industries.iter().map(|i| i.count).sum();
        industries.truncate(options.top_industries);
        let industries_ranked = with_industry >= min;
        if !industries_ranked {
            industries.clear();
        }

        let regions = match (&q.regions, &q.region_types, child_level(scope)) {
            (Some(rq), Some(tq), Some(level)) => {
                let mut all = items(&index.query(rq)?);
                // Cases filed above the level (未细分) count in the total but are no region
                // of that level.
                all.retain(|r| RegionCode::parse(&r.code).is_ok_and(|c| c.level() == level));
                for r in &mut all {
                    r.label = region_label(&r.code, &r.label);
                }
                let mix = index.query(tq)?;
                let within_region = Measure::Share {
                    within: vec![greenline_stats::Dimension::Region(level)],
                };
                let ranked = totals.received >= min;
                let with_cases = all.len();
                let top: Vec<RegionItem> = if ranked {
                    all.into_iter()
                        .take(options.top_regions)
                        .map(|region| {
                            let leading_type = (region.count >= min)
                                .then(|| {
                                    mix.rows()
                                        .filter(|r| r.key(0).code == region.code)
                                        .map(|r| item(&r, 1, Some(&within_region)))
                                        .max_by(|a, b| {
                                            a.count.cmp(&b.count).then_with(|| b.code.cmp(&a.code))
                                        })
                                })
                                .flatten();
                            RegionItem {
                                region,
                                leading_type,
                            }
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let top_count: u64 = top.iter().map(|r| r.region.count).sum();
                Some(Regions {
                    level_zh: level.zh(),
                    with_cases,
                    top_share: (totals.received > 0)
                        .then(|| top_count as f64 / totals.received as f64),
                    top,
                    ranked,
                })
            }
            _ => None,
        };

        let t = index.query(&q.timeliness)?;
        let t_row = t.rows().next();
        let value = |m: Measure| t_row.and_then(|r| r.value(&m));
        let timeliness = Timeliness {
            on_time_rate: value(Measure::OnTimeRate),
            handling_days_mean: value(Measure::HandlingDaysMean),
            handling_days_median: value(Measure::HandlingDaysPercentile(50)),
            acceptance_days_mean: value(Measure::AcceptanceDaysMean),
            overdue: find(&index.query(&q.overdue)?, "true").count,
        };

        let repeat_sources = find(&index.query(&q.repeat_sources)?, "true");

        let end = period.end();
        let window = month_codes(
            end.checked_sub_months(Months::new(TREND_MONTHS))
                .unwrap_or(end),
            period.last_month(),
        );
        let monthly = index.query(&q.monthly)?;
        let counts: Vec<(String, u64)> = monthly
            .rows()
            .map(|r| (r.key(0).code.clone(), r.count()))
            .collect();
        let guard = &options.trend_guard;
        let total_trend = assess("举报总量".to_owned(), None, series(&window, &counts), guard)?;
        let by_type_result = index.query(&q.monthly_by_type)?;
        let mut by_type = Vec::new();
        for t in types.iter().take(options.top_types) {
            let counts: Vec<(String, u64)> = by_type_result
                .rows()
                .filter(|r| r.key(0).code == t.code)
                .map(|r| (r.key(1).code.clone(), r.count()))
                .collect();
            by_type.push(assess(
                t.label.clone(),
                Some(t.code.clone()),
                series(&window, &counts),
                guard,
            )?);
        }
        let trends = Trends {
            total: total_trend,
            by_type,
            alpha: guard.alpha,
            min_points: guard.min_points,
            min_cases: guard.min_cases.ceil() as u64,
        };

        let mut alerts: Vec<AlertItem> = index
            .spikes(scope, period.first_day(), end, &options.spike_rule)?
            .into_iter()
            .map(|a| AlertItem {
                region_code: a.region.to_string(),
                region: a.region.full_name(),
                pollution_type: a.pollution_type.code().to_owned(),
                type_label: type_label(a.pollution_type),
                first_day: a.first_day,
                last_day: a.last_day,
                observed: a.observed,
                expected: a.expected,
            })
            .collect();
        alerts.sort_by(|a, b| {
            b.observed
                .cmp(&a.observed)
                .then_with(|| a.first_day.cmp(&b.first_day))
        });

        let figures = Figures {
            totals,
            acceptance,
            channels,
            types,
            sub_types,
            industries,
            industry_cases: with_industry,
            industries_ranked,
            regions,
            timeliness,
            repeat_sources,
            trends,
            alerts,
            min_ranking_cases: min,
        };
        let scope_name = scope.full_name();
        let title = format!("{}{}生态环境信访举报情况", period.zh(), scope_name);
        let sections = write_sections(period, &scope_name, as_of, &figures);
        Ok(Bulletin {
            title,
            period,
            scope: scope.to_string(),
            scope_name,
            as_of,
            figures,
            sections,
        })
    }
}

fn type_label(t: PollutionType) -> String {
    t.zh().to_owned()
}
