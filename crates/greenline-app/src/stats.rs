//! Statistics of a jurisdiction from the node's statistics index: grouped counts, shares,
//! rates and changes; the monthly series with its trend test; spike alerts.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use greenline_domain::deadline::local_date;
use greenline_stats::spikes::SpikeRule;
use greenline_stats::trend::{TrendFinding, TrendGuard, assess, assess_seasonal};
use greenline_stats::{Dimension, Filter, Index, Measure, QueryResult, TimeBucket};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// A group's key: each dimension's code with the group's value and its label.
fn labelled_key<'a>(
    dimensions: &[Dimension],
    values: impl Iterator<Item = &'a greenline_stats::KeyValue>,
) -> BTreeMap<String, Labelled> {
    dimensions
        .iter()
        .zip(values)
        .map(|(d, k)| {
            (
                d.code().to_owned(),
                Labelled {
                    code: k.code.clone(),
                    label: k.label.clone(),
                },
            )
        })
        .collect()
}

/// Parameters of a question, by name.
pub type Params = HashMap<String, String>;

/// A code with the label users see.
#[derive(Debug, Serialize, ToSchema)]
pub struct Labelled {
    pub code: String,
    pub label: String,
}

/// One group: its key (dimension code → value), case count and measures (measure code →
/// value; null where there is none, e.g. no previous period for 环比).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsRow {
    pub key: BTreeMap<String, Labelled>,
    pub count: u64,
    pub values: BTreeMap<String, Option<f64>>,
}

/// The answer: the groups in order, and the number of distinct cases selected (`total`; a
/// case carrying two types is one case in `total` and counts in both type groups).
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsResult {
    pub group_by: Vec<Labelled>,
    pub measures: Vec<Labelled>,
    pub total: u64,
    pub rows: Vec<StatsRow>,
}

impl StatsResult {
    pub fn new(result: &QueryResult) -> StatsResult {
        let rows = result
            .rows()
            .map(|row| StatsRow {
                key: labelled_key(&result.dimensions, row.keys()),
                count: row.count(),
                values: result
                    .measures
                    .iter()
                    .zip(row.values())
                    .map(|(m, v)| (m.code(), *v))
                    .collect(),
            })
            .collect();
        StatsResult {
            group_by: result
                .dimensions
                .iter()
                .map(|d| Labelled {
                    code: d.code().to_owned(),
                    label: d.zh().to_owned(),
                })
                .collect(),
            measures: result
                .measures
                .iter()
                .map(|m| Labelled {
                    code: m.code(),
                    label: m.zh(),
                })
                .collect(),
            total: result.total,
            rows,
        }
    }
}

/// CSV: for each dimension its code and its label (`province`, `province_name`), then
/// `count` and the measures. Numbers as computed, empty where there is no value.
pub fn to_csv(result: &QueryResult) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = Vec::new();
    for d in &result.dimensions {
        header.push(d.code().to_owned());
        header.push(format!("{}_name", d.code()));
    }
    header.push("count".to_owned());
    header.extend(
        result
            .measures
            .iter()
            .filter(|m| **m != Measure::Count)
            .map(Measure::code),
    );
    out.write_record(&header)?;
    for row in result.rows() {
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        for key in row.keys() {
            record.push(key.code.clone());
            record.push(key.label.clone());
        }
        record.push(row.count().to_string());
        for (m, v) in result.measures.iter().zip(row.values()) {
            if *m != Measure::Count {
                record.push(v.map(|v| v.to_string()).unwrap_or_default());
            }
        }
        out.write_record(&record)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`
    pub month: String,
    pub count: u64,
}

/// What the test found.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendView {
    /// `increasing`, `decreasing`, `no_trend`, or `not_tested` when the guard forbids a claim.
    pub direction: String,
    /// 上升 / 下降 / 无显著趋势 / the reason no claim is made.
    pub summary: String,
    pub p_value: Option<f64>,
    pub z: Option<f64>,
    pub s: Option<i64>,
    pub tau: Option<f64>,
    /// Sen's slope: cases per month (per year for the seasonal test).
    pub slope: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Trend {
    /// The months asked for that the store holds data of: a month before the jurisdiction's
    /// first case or after its last is not a month of zero cases, and is left out.
    pub series: Vec<MonthCount>,
    /// Months of the window left out for lying outside the data (before the first case of the
    /// jurisdiction, or after its last); the summary says so when there are any.
    pub months_left_out: u32,
    /// `mann_kendall`, or `seasonal_mann_kendall` (same month of each year compared).
    pub test: String,
    pub trend: TrendView,
}

pub(crate) fn trend_view(finding: &TrendFinding, alpha: f64) -> TrendView {
    match finding {
        TrendFinding::Tested { direction, test } => TrendView {
            direction: match direction {
                greenline_stats::trend::Direction::Increasing => "increasing",
                greenline_stats::trend::Direction::Decreasing => "decreasing",
                greenline_stats::trend::Direction::NoTrend => "no_trend",
            }
            .to_owned(),
            summary: format!(
                "{}（p={:.3}，显著性水平{alpha}）",
                direction.zh(),
                test.p_value
            ),
            p_value: Some(test.p_value),
            z: Some(test.z),
            s: Some(test.s),
            tau: Some(test.tau),
            slope: Some(test.slope),
        },
        TrendFinding::TooFewPoints { points, needed } => TrendView {
            direction: "not_tested".to_owned(),
            summary: format!("仅有{points}个月的数据（不足{needed}个月），不作趋势判断"),
            p_value: None,
            z: None,
            s: None,
            tau: None,
            slope: None,
        },
        TrendFinding::TooFewCases { cases, needed } => TrendView {
            direction: "not_tested".to_owned(),
            summary: format!("举报量仅{cases}件（不足{needed}件），不作趋势判断"),
            p_value: None,
            z: None,
            s: None,
            tau: None,
            slope: None,
        },
    }
}

/// The monthly series of the last `months` whole months (default 24; 3 to 240) and its trend.
///
/// Other parameters filter as in `/api/v1/stats`. `seasonal=true` compares each month with
/// the same month of other years (seasonal Mann–Kendall; needs two whole years). No trend is
/// claimed from fewer than 10 months or 100 cases.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertView {
    pub region: String,
    pub region_name: String,
    #[serde(rename = "type")]
    pub pollution_type: String,
    pub type_name: String,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Cases in the alarming days, and how many were expected there.
    pub observed: u64,
    pub expected: f64,
    /// −log10 of the Poisson tail probability: 7 means one chance in ten million.
    pub score: f64,
    pub case_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Alerts {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub alerts: Vec<AlertView>,
}

/// The query parameters that are not part of the query.
const NOT_QUERY: [&str; 1] = ["format"];

/// Parameters of a comparison that are not the statistics query's.
const COMPARE_ONLY: [&str; 5] = [
    "before_from",
    "before_to",
    "after_from",
    "after_to",
    "limit",
];

/// One group in two periods (see [`App::compare_periods`]).
#[derive(Debug, Serialize, ToSchema)]
pub struct MoveView {
    pub key: BTreeMap<String, Labelled>,
    pub before: u64,
    pub after: u64,
    /// The later count had the group kept its share of the whole.
    pub expected: f64,
    /// `after − expected`.
    pub excess: f64,
    /// Two-sided binomial test of the group's share.
    pub p_value: f64,
    /// Benjamini–Hochberg q-value over all groups compared.
    pub q_value: f64,
    pub significant: bool,
    /// 显著上升 / 显著下降 / 变化在正常波动范围内.
    pub verdict: String,
}

/// Which groups moved most between two periods, beyond the whole's own move.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodComparison {
    pub group_by: Vec<Labelled>,
    pub before_from: NaiveDate,
    pub before_to: NaiveDate,
    pub after_from: NaiveDate,
    pub after_to: NaiveDate,
    pub before_total: u64,
    pub after_total: u64,
    /// Groups compared in all (`moves` holds the largest `limit` of them).
    pub groups: usize,
    pub moves: Vec<MoveView>,
}

fn day(params: &Params, key: &str) -> ServiceResult<Option<NaiveDate>> {
    params
        .get(key)
        .map(|text| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                ServiceError::parameter(key, format!("{text:?} is not a YYYY-MM-DD date"))
            })
        })
        .transpose()
}

impl App {
    /// Runs `work` on the statistics index, off the async threads; unavailable while the
    /// index is built.
    pub async fn on_statistics<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Index) -> T + Send + 'static,
    ) -> ServiceResult<T> {
        let analytics = self.projections.analytics.clone();
        if !self
            .projections
            .is_ready(crate::projections::analytics::NAME)
        {
            return Err(ServiceError::Unavailable(format!(
                "the statistics are being prepared ({} cases read so far); try again shortly",
                crate::projections::Projection::loaded(analytics.as_ref())
            )));
        }
        Ok(tokio::task::spawn_blocking(move || analytics.with_index(work)).await?)
    }

    /// Reads a statistics query for `caller`'s jurisdiction from its parameters (`group_by`,
    /// `measure`, filters by dimension, `received_from`, `received_to`).
    pub fn stats_query(
        &self,
        caller: &Caller,
        params: &Params,
    ) -> ServiceResult<greenline_stats::Query> {
        greenline_stats::Query::from_params(
            caller.jurisdiction()?,
            self.now(),
            params
                .iter()
                .filter(|(key, _)| !NOT_QUERY.contains(&key.as_str()))
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|e| ServiceError::parameter(&e.field, e.error.to_string()))
    }

    /// Compares two periods of `caller`'s jurisdiction by the query's groups: `before_from`,
    /// `before_to`, `after_from`, `after_to` (dates, inclusive), `group_by` and filters as for
    /// the statistics, `limit` (largest moves kept, default 20, at most 500).
    pub async fn compare_periods(
        &self,
        caller: &Caller,
        params: &Params,
    ) -> ServiceResult<PeriodComparison> {
        use greenline_stats::compare::{Period, compare};
        caller.jurisdiction()?;
        let required = |key: &str| -> ServiceResult<NaiveDate> {
            day(params, key)?.ok_or_else(|| ServiceError::parameter(key, "required (YYYY-MM-DD)"))
        };
        let before = Period {
            first: required("before_from")?,
            last: required("before_to")?,
        };
        let after = Period {
            first: required("after_from")?,
            last: required("after_to")?,
        };
        let limit = match params.get("limit") {
            None => 20,
            Some(text) => text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=500).contains(n))
                .ok_or_else(|| ServiceError::parameter("limit", "a number from 1 to 500"))?,
        };
        let rest: Params = params
            .iter()
            .filter(|(k, _)| !COMPARE_ONLY.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let query = self.stats_query(caller, &rest)?;
        let dimensions = query.group_by.clone();
        let found = self
            .on_statistics(move |index| compare(index, &query, before, after))
            .await?
            .map_err(|e| ServiceError::parameter("query", e.to_string()))?;
        let groups = found.moves.len();
        let moves = found
            .moves
            .into_iter()
            .take(limit)
            .map(|m| MoveView {
                key: labelled_key(&dimensions, m.keys.iter()),
                verdict: match (m.significant, m.excess > 0.0) {
                    (true, true) => "显著上升",
                    (true, false) => "显著下降",
                    (false, _) => "变化在正常波动范围内",
                }
                .to_owned(),
                before: m.before,
                after: m.after,
                expected: m.expected,
                excess: m.excess,
                p_value: m.p_value,
                q_value: m.q_value,
                significant: m.significant,
            })
            .collect();
        Ok(PeriodComparison {
            group_by: dimensions
                .iter()
                .map(|d| Labelled {
                    code: d.code().to_owned(),
                    label: d.zh().to_owned(),
                })
                .collect(),
            before_from: before.first,
            before_to: before.last,
            after_from: after.first,
            after_to: after.last,
            before_total: found.before_total,
            after_total: found.after_total,
            groups,
            moves,
        })
    }

    /// Answers a statistics query.
    pub async fn stats(&self, query: greenline_stats::Query) -> ServiceResult<QueryResult> {
        self.on_statistics(move |index| index.query(&query))
            .await?
            .map_err(|e| ServiceError::parameter("query", e.to_string()))
    }

    /// The monthly series of `caller`'s jurisdiction over `months` whole months before the
    /// current one (filtered as the statistics are) and its Mann–Kendall test.
    pub async fn trend(&self, caller: &Caller, mut params: Params) -> ServiceResult<Trend> {
        let months: u32 = match params.remove("months") {
            None => 24,
            Some(text) => text
                .parse()
                .ok()
                .filter(|m| (3..=240).contains(m))
                .ok_or_else(|| {
                    ServiceError::parameter("months", "expected a whole number from 3 to 240")
                })?,
        };
        let seasonal = match params.remove("seasonal").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(ServiceError::parameter(
                    "seasonal",
                    "expected true or false",
                ));
            }
        };
        for reserved in ["group_by", "measure", "received_from", "received_to"] {
            if params.contains_key(reserved) {
                return Err(ServiceError::parameter(
                    reserved,
                    "the series is monthly over `months`; use /api/v1/stats for other groupings",
                ));
            }
        }
        let today = local_date(self.now());
        let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let first = this_month
            .checked_sub_months(Months::new(months))
            .unwrap_or(this_month);
        // The months the jurisdiction has any case in, whatever the filters: outside them the
        // store holds no data, and a count of zero there would be invented.
        let held = self
            .stats(
                self.stats_query(caller, &Params::new())?
                    .group_by(Dimension::Time(TimeBucket::Month)),
            )
            .await?;
        let held: Vec<String> = held
            .rows()
            .filter(|row| row.count() > 0)
            .map(|row| row.key(0).code.clone())
            .collect();
        let (data_from, data_to) = (held.iter().min(), held.iter().max());
        let query = self
            .stats_query(caller, &params)?
            .group_by(Dimension::Time(TimeBucket::Month))
            .filter(Filter::Received {
                from: first,
                until: this_month,
            });
        let result = self.stats(query).await?;
        let found: HashMap<String, u64> = result
            .rows()
            .map(|row| (row.key(0).code.clone(), row.count()))
            .collect();
        let series: Vec<MonthCount> = (0..months)
            .filter_map(|i| first.checked_add_months(Months::new(i)))
            .map(|month| month.format("%Y-%m").to_string())
            .filter(|code| {
                data_from.is_some_and(|from| code >= from) && data_to.is_some_and(|to| code <= to)
            })
            .map(|code| MonthCount {
                count: found.get(&code).copied().unwrap_or(0),
                month: code,
            })
            .collect();
        let months_left_out = months - u32::try_from(series.len()).unwrap_or(months);
        let counts: Vec<f64> = series.iter().map(|m| m.count as f64).collect();
        let guard = TrendGuard::default();
        let finding = if seasonal {
            assess_seasonal(&counts, 12, &guard)
        } else {
            assess(&counts, &guard)
        }
        .map_err(|e| ServiceError::parameter("months", e.to_string()))?;
        let mut trend = trend_view(&finding, guard.alpha);
        if months_left_out > 0 {
            let held = match (series.first(), series.last()) {
                (Some(a), Some(b)) => format!("只有{}至{}的数据", a.month, b.month),
                _ => "没有数据".to_owned(),
            };
            trend.summary = format!(
                "{}（所选{months}个月中{held}，其余{months_left_out}个月不计为零，未纳入检验）",
                trend.summary
            );
        }
        Ok(Trend {
            series,
            months_left_out,
            test: if seasonal {
                "seasonal_mann_kendall"
            } else {
                "mann_kendall"
            }
            .to_owned(),
            trend,
        })
    }

    /// Region × type spikes of `caller`'s jurisdiction between `from` and `to` (days,
    /// inclusive; the last 30 days by default).
    pub async fn alerts(&self, caller: &Caller, params: &Params) -> ServiceResult<Alerts> {
        let today = local_date(self.now());
        let to = day(params, "to")?.unwrap_or(today);
        let from = day(params, "from")?.unwrap_or(to - chrono::Days::new(29));
        if from > to {
            return Err(ServiceError::parameter("from", "must not be after `to`"));
        }
        let scope = caller.jurisdiction()?;
        let until = to.succ_opt().unwrap_or(to);
        let found = self
            .on_statistics(move |index| index.spikes(scope, from, until, &SpikeRule::default()))
            .await?
            .map_err(|e| ServiceError::parameter("from", e.to_string()))?;
        let alerts = found
            .into_iter()
            .map(|a| AlertView {
                region: a.region.to_string(),
                region_name: a.region.full_name(),
                pollution_type: a.pollution_type.code().to_owned(),
                type_name: a.pollution_type.zh().to_owned(),
                first_day: a.first_day,
                last_day: a.last_day,
                observed: a.observed,
                expected: a.expected,
                score: a.score,
                case_ids: a.case_ids,
            })
            .collect();
        Ok(Alerts { from, to, alerts })
    }
}
