//! What a query asks: dimensions to group by, filters, measures, and the caller's jurisdiction.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use greenline_domain::{
    CaseKind, Channel, Industry, Outcome, PollutionType, RegionCode, RegionLevel, RejectionReason,
    Stage, SubType,
};

use crate::StatsError;

/// A calendar bucket of the received day (China time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeBucket {
    /// `2026-03-01`
    Day,
    /// ISO 8601 week, `2026-W09`
    Week,
    /// `2026-03`
    Month,
    /// `2026-Q1`
    Quarter,
    /// `2026`
    Year,
}

impl TimeBucket {
    pub const ALL: [TimeBucket; 5] = [
        TimeBucket::Day,
        TimeBucket::Week,
        TimeBucket::Month,
        TimeBucket::Quarter,
        TimeBucket::Year,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TimeBucket::Day => "day",
            TimeBucket::Week => "week",
            TimeBucket::Month => "month",
            TimeBucket::Quarter => "quarter",
            TimeBucket::Year => "year",
        }
    }

    /// The bucket's ordinal number: consecutive buckets have consecutive ordinals.
    pub(crate) fn ordinal(self, date: NaiveDate) -> i64 {
        match self {
            TimeBucket::Day => (date - crate::facts::epoch()).num_days(),
            // 1970-01-01 was a Thursday: shifting by 3 makes weeks start on Monday.
            TimeBucket::Week => ((date - crate::facts::epoch()).num_days() + 3).div_euclid(7),
            TimeBucket::Month => i64::from(date.year()) * 12 + i64::from(date.month0()),
            TimeBucket::Quarter => i64::from(date.year()) * 4 + i64::from(date.month0() / 3),
            TimeBucket::Year => i64::from(date.year()),
        }
    }

    /// The first day of the bucket with this ordinal.
    pub(crate) fn first_day(self, ordinal: i64) -> NaiveDate {
        let epoch = crate::facts::epoch();
        let ymd =
            |y: i64, m0: i64| NaiveDate::from_ymd_opt(y as i32, m0 as u32 + 1, 1).unwrap_or(epoch);
        match self {
            TimeBucket::Day => epoch + chrono::Duration::days(ordinal),
            TimeBucket::Week => epoch + chrono::Duration::days(ordinal * 7 - 3),
            TimeBucket::Month => ymd(ordinal.div_euclid(12), ordinal.rem_euclid(12)),
            TimeBucket::Quarter => ymd(ordinal.div_euclid(4), ordinal.rem_euclid(4) * 3),
            TimeBucket::Year => ymd(ordinal, 0),
        }
    }

    /// The ordinal of the same bucket a year earlier (同比), where there is one: the same
    /// date, ISO week number, month, quarter or year before.
    pub(crate) fn year_earlier(self, ordinal: i64) -> Option<i64> {
        match self {
            TimeBucket::Day => {
                let date = self.first_day(ordinal);
                date.with_year(date.year() - 1).map(|d| self.ordinal(d))
            }
            TimeBucket::Week => {
                let week = self.first_day(ordinal).iso_week();
                NaiveDate::from_isoywd_opt(week.year() - 1, week.week(), chrono::Weekday::Mon)
                    .map(|d| self.ordinal(d))
            }
            TimeBucket::Month => Some(ordinal - 12),
            TimeBucket::Quarter => Some(ordinal - 4),
            TimeBucket::Year => Some(ordinal - 1),
        }
    }

    /// The bucket's code and its Chinese label.
    pub(crate) fn key(self, ordinal: i64) -> (String, String) {
        let date = self.first_day(ordinal);
        match self {
            TimeBucket::Day => (
                date.format("%Y-%m-%d").to_string(),
                format!("{}年{}月{}日", date.year(), date.month(), date.day()),
            ),
            TimeBucket::Week => {
                let w = date.iso_week();
                (
                    format!("{}-W{:02}", w.year(), w.week()),
                    format!("{}年第{}周", w.year(), w.week()),
                )
            }
            TimeBucket::Month => (
                date.format("%Y-%m").to_string(),
                format!("{}年{}月", date.year(), date.month()),
            ),
            TimeBucket::Quarter => {
                let q = date.month0() / 3 + 1;
                (
                    format!("{}-Q{q}", date.year()),
                    format!("{}年第{q}季度", date.year()),
                )
            }
            TimeBucket::Year => (date.year().to_string(), format!("{}年", date.year())),
        }
    }
}

/// Where a case stands on acceptance (受理状态).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AcceptanceStatus {
    /// 已受理 — accepted (whatever happened next).
    Accepted,
    /// 不予受理 — rejected.
    Rejected,
    /// 待受理 — not yet decided.
    Pending,
}

impl AcceptanceStatus {
    pub const ALL: [AcceptanceStatus; 3] = [
        AcceptanceStatus::Accepted,
        AcceptanceStatus::Rejected,
        AcceptanceStatus::Pending,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AcceptanceStatus::Accepted => "accepted",
            AcceptanceStatus::Rejected => "rejected",
            AcceptanceStatus::Pending => "pending",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            AcceptanceStatus::Accepted => "已受理",
            AcceptanceStatus::Rejected => "不予受理",
            AcceptanceStatus::Pending => "待受理",
        }
    }

    pub fn parse(code: &str) -> Option<AcceptanceStatus> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// What results can be grouped by.
///
/// **Regions.** `Region(level)` groups a case under its region at that level: a county case
/// rolls up to its city and its province. A case filed at city level (no county known) appears
/// at county level under the city's own code, labelled `…（未细分到区县）`, so county rows still
/// add up to the city's total; likewise a province-level case at city level (`…（未细分到地市）`).
/// A county directly under its province (省直辖县级行政区, e.g. 仙桃市) stands for itself at city
/// level, as provincial bulletins list them beside the cities.
///
/// **Types.** `Type` is multi-label: a case counts under every type it carries, so the rows of
/// one group may add up to more than the number of cases. `PrimaryType` counts each case once.
///
/// Optional values (sub-type, industry, outcome, rejection reason) have a row of their own for
/// "none" (code `""`), so rows always add up to the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Kind,
    Channel,
    /// Every type a case carries (multi-label).
    Type,
    PrimaryType,
    SubType,
    Industry,
    /// Province, prefecture (city) or county level; the national level is not a grouping.
    Region(RegionLevel),
    Stage,
    Outcome,
    /// 受理状态: accepted, rejected, pending.
    Status,
    RejectionReason,
    /// 超期 at the query's `as_of`.
    Overdue,
    /// The same source reported before (重复举报).
    RepeatSource,
    /// The received day's bucket (China time).
    Time(TimeBucket),
}

impl Dimension {
    /// Reads a dimension code: `kind`, `channel`, `type`, `primary_type`, `sub_type`,
    /// `industry`, `province`, `city`, `county`, `stage`, `outcome`, `status`,
    /// `rejection_reason`, `overdue`, `repeat_source`, `day`, `week`, `month`, `quarter`,
    /// `year`.
    pub fn parse(code: &str) -> Result<Dimension, StatsError> {
        let dimension = match code.trim() {
            "kind" => Dimension::Kind,
            "channel" => Dimension::Channel,
            "type" => Dimension::Type,
            "primary_type" => Dimension::PrimaryType,
            "sub_type" => Dimension::SubType,
            "industry" => Dimension::Industry,
            "province" => Dimension::Region(RegionLevel::Province),
            "city" => Dimension::Region(RegionLevel::Prefecture),
            "county" => Dimension::Region(RegionLevel::County),
            "stage" => Dimension::Stage,
            "outcome" => Dimension::Outcome,
            "status" => Dimension::Status,
            "rejection_reason" => Dimension::RejectionReason,
            "overdue" => Dimension::Overdue,
            "repeat_source" => Dimension::RepeatSource,
            other => match TimeBucket::ALL.into_iter().find(|b| b.code() == other) {
                Some(bucket) => Dimension::Time(bucket),
                None => {
                    return Err(StatsError::Unknown {
                        what: "dimension",
                        code: other.to_owned(),
                    });
                }
            },
        };
        Ok(dimension)
    }

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Kind => "kind",
            Dimension::Channel => "channel",
            Dimension::Type => "type",
            Dimension::PrimaryType => "primary_type",
            Dimension::SubType => "sub_type",
            Dimension::Industry => "industry",
            Dimension::Region(RegionLevel::Province) => "province",
            Dimension::Region(RegionLevel::Prefecture) => "city",
            Dimension::Region(RegionLevel::County) => "county",
            Dimension::Region(RegionLevel::National) => "national",
            Dimension::Stage => "stage",
            Dimension::Outcome => "outcome",
            Dimension::Status => "status",
            Dimension::RejectionReason => "rejection_reason",
            Dimension::Overdue => "overdue",
            Dimension::RepeatSource => "repeat_source",
            Dimension::Time(bucket) => bucket.code(),
        }
    }

    /// The column heading users see.
    pub fn zh(self) -> &'static str {
        match self {
            Dimension::Kind => "类别",
            Dimension::Channel => "渠道",
            Dimension::Type => "污染类型（多选）",
            Dimension::PrimaryType => "主要污染类型",
            Dimension::SubType => "子类型",
            Dimension::Industry => "行业",
            Dimension::Region(level) => level.zh(),
            Dimension::Stage => "办理阶段",
            Dimension::Outcome => "办理结果",
            Dimension::Status => "受理状态",
            Dimension::RejectionReason => "不予受理原因",
            Dimension::Overdue => "是否超期",
            Dimension::RepeatSource => "是否重复举报",
            Dimension::Time(TimeBucket::Day) => "日",
            Dimension::Time(TimeBucket::Week) => "周",
            Dimension::Time(TimeBucket::Month) => "月",
            Dimension::Time(TimeBucket::Quarter) => "季度",
            Dimension::Time(TimeBucket::Year) => "年",
        }
    }
}

/// Which cases a query looks at. Several filters all apply (AND); the values inside one filter
/// are alternatives (OR).
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Kind(Vec<CaseKind>),
    Channel(Vec<Channel>),
    /// Cases carrying any of these types (multi-label).
    Type(Vec<PollutionType>),
    PrimaryType(Vec<PollutionType>),
    SubType(Vec<SubType>),
    /// Exact industry codes (a section does not include its divisions).
    Industry(Vec<Industry>),
    /// Cases inside any of these regions' subtrees. It narrows the query's scope, never widens it.
    Region(Vec<RegionCode>),
    Stage(Vec<Stage>),
    Outcome(Vec<Outcome>),
    Status(Vec<AcceptanceStatus>),
    RejectionReason(Vec<RejectionReason>),
    Overdue(bool),
    RepeatSource(bool),
    /// Accepted after the acceptance limit (`true`) or within it (`false`); cases not accepted
    /// pass neither.
    AcceptedLate(bool),
    /// Concluded (办结) after the handling limit with any extension (`true`) or within it
    /// (`false`); cases not concluded pass neither.
    ConcludedLate(bool),
    /// Received (China time) on or after `from` and before `until`.
    Received {
        from: NaiveDate,
        until: NaiveDate,
    },
    /// The cases the inner filter leaves out (a list or yes/no filter; not dates, not another
    /// NOT). As a parameter: the filter's name with `not_` before it (`not_type=noise,air`).
    Not(Box<Filter>),
}

fn list<T>(
    field: &str,
    value: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Vec<T>, StatsError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            parse(v).ok_or_else(|| StatsError::BadValue {
                field: field.to_owned(),
                value: v.to_owned(),
                why: "unknown code".to_owned(),
            })
        })
        .collect()
}

fn date(field: &str, value: &str) -> Result<NaiveDate, StatsError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| StatsError::BadValue {
        field: field.to_owned(),
        value: value.to_owned(),
        why: "expected a date YYYY-MM-DD".to_owned(),
    })
}

fn boolean(field: &str, value: &str) -> Result<bool, StatsError> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(StatsError::BadValue {
            field: field.to_owned(),
            value: other.to_owned(),
            why: "expected true or false".to_owned(),
        }),
    }
}

impl Filter {
    /// Reads a filter given as `key=value`, several values separated by commas: the keys are
    /// the dimension codes (`kind`, `channel`, `type`, `primary_type`, `sub_type`, `industry`,
    /// `region`, `stage`, `outcome`, `status`, `rejection_reason`, `overdue`, `repeat_source`),
    /// `accepted_late`, `concluded_late`, and `received_from`, `received_to` (dates, both inclusive), as the case search takes them.
    pub fn parse(key: &str, value: &str) -> Result<Filter, StatsError> {
        let far_past = crate::facts::epoch();
        let far_future = NaiveDate::from_ymd_opt(2149, 6, 6).unwrap_or(far_past);
        if let Some(inner) = key.trim().strip_prefix("not_") {
            let inner = Filter::parse(inner, value)?;
            if matches!(inner, Filter::Received { .. } | Filter::Not(_)) {
                return Err(StatsError::BadValue {
                    field: key.to_owned(),
                    value: value.to_owned(),
                    why: "NOT applies to a list or yes/no filter, not to dates".to_owned(),
                });
            }
            return Ok(Filter::Not(Box::new(inner)));
        }
        let filter = match key.trim() {
            "kind" => Filter::Kind(list(key, value, CaseKind::parse_case)?),
            "channel" => Filter::Channel(list(key, value, Channel::parse)?),
            "type" => Filter::Type(list(key, value, |v| PollutionType::parse(v).ok())?),
            "primary_type" => {
                Filter::PrimaryType(list(key, value, |v| PollutionType::parse(v).ok())?)
            }
            "sub_type" => Filter::SubType(list(key, value, |v| SubType::parse(v).ok())?),
            "industry" => Filter::Industry(list(key, value, |v| Industry::parse(v).ok())?),
            "region" => Filter::Region(list(key, value, |v| RegionCode::parse(v).ok())?),
            "stage" => Filter::Stage(list(key, value, Stage::parse)?),
            "outcome" => Filter::Outcome(list(key, value, |v| {
                crate::dict::OUTCOMES.into_iter().find(|o| o.code() == v)
            })?),
            "status" => Filter::Status(list(key, value, AcceptanceStatus::parse)?),
            "rejection_reason" => Filter::RejectionReason(list(key, value, |v| {
                crate::dict::REJECTION_REASONS
                    .into_iter()
                    .find(|r| r.code() == v)
            })?),
            "overdue" => Filter::Overdue(boolean(key, value)?),
            "repeat_source" => Filter::RepeatSource(boolean(key, value)?),
            "accepted_late" => Filter::AcceptedLate(boolean(key, value)?),
            "concluded_late" => Filter::ConcludedLate(boolean(key, value)?),
            "received_from" => Filter::Received {
                from: date(key, value)?,
                until: far_future,
            },
            "received_to" => Filter::Received {
                from: far_past,
                until: date(key, value)?.succ_opt().unwrap_or(far_future),
            },
            other => {
                return Err(StatsError::Unknown {
                    what: "filter",
                    code: other.to_owned(),
                });
            }
        };
        Ok(filter)
    }
}

/// What is computed for each group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Measure {
    /// Cases in the group (a case counts in every type group it carries).
    Count,
    /// The group's count over the number of distinct cases with the same values of `within`
    /// (a subset of the grouping; empty: all cases the query selects). Type shares are over
    /// cases, so they may add up to more than 1; shares of a single-valued dimension such as
    /// channel add up to exactly 1 (their counts add up to the denominator).
    Share { within: Vec<Dimension> },
    /// Accepted over decided (accepted + rejected); cases still pending are left out.
    AcceptanceRate,
    /// Mean days from receipt to acceptance, over accepted cases.
    AcceptanceDaysMean,
    /// A nearest-rank percentile (1–100) of days from receipt to acceptance.
    AcceptanceDaysPercentile(u8),
    /// Mean days from acceptance to conclusion (办结), over concluded cases.
    HandlingDaysMean,
    /// A nearest-rank percentile (1–100) of days from acceptance to conclusion.
    HandlingDaysPercentile(u8),
    /// 按期办结率: concluded within the handling limit (with any extension) over concluded.
    OnTimeRate,
    /// 按时受理率: accepted within the acceptance limit over accepted.
    OnTimeAcceptanceRate,
    /// 重复举报率: cases repeating an earlier report of the same source over all cases.
    RepeatRate,
    /// 问题源数: distinct sources among the group's cases — a case that repeats an earlier
    /// report counts with that report, once, however many repeat it.
    DistinctSources,
    /// 环比: the count's change over the previous bucket of the time dimension, as a fraction.
    PeriodOnPeriod,
    /// 同比: the count's change over the same bucket a year earlier, as a fraction.
    YearOnYear,
}

impl Measure {
    /// Reads a measure code: `count`, `share`, `share(month,province)`, `acceptance_rate`,
    /// `acceptance_days_mean`, `acceptance_days_p50` (any `pNN`), `handling_days_mean`,
    /// `handling_days_p90`, `on_time_rate`, `on_time_acceptance_rate`, `repeat_rate`,
    /// `distinct_sources`, `mom`
    /// (环比), `yoy` (同比).
    pub fn parse(code: &str) -> Result<Measure, StatsError> {
        let code = code.trim();
        let unknown = || StatsError::Unknown {
            what: "measure",
            code: code.to_owned(),
        };
        let percentile = |rest: &str| -> Result<u8, StatsError> {
            rest.parse::<u8>()
                .ok()
                .filter(|p| (1..=100).contains(p))
                .ok_or_else(unknown)
        };
        if let Some(inner) = code
            .strip_prefix("share(")
            .and_then(|r| r.strip_suffix(')'))
        {
            let within = inner
                .split(',')
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(Dimension::parse)
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Measure::Share { within });
        }
        if let Some(p) = code.strip_prefix("acceptance_days_p") {
            return Ok(Measure::AcceptanceDaysPercentile(percentile(p)?));
        }
        if let Some(p) = code.strip_prefix("handling_days_p") {
            return Ok(Measure::HandlingDaysPercentile(percentile(p)?));
        }
        Ok(match code {
            "count" => Measure::Count,
            "share" => Measure::Share { within: Vec::new() },
            "acceptance_rate" => Measure::AcceptanceRate,
            "acceptance_days_mean" => Measure::AcceptanceDaysMean,
            "handling_days_mean" => Measure::HandlingDaysMean,
            "on_time_rate" => Measure::OnTimeRate,
            "on_time_acceptance_rate" => Measure::OnTimeAcceptanceRate,
            "repeat_rate" => Measure::RepeatRate,
            "distinct_sources" => Measure::DistinctSources,
            "mom" => Measure::PeriodOnPeriod,
            "yoy" => Measure::YearOnYear,
            _ => return Err(unknown()),
        })
    }

    pub fn code(&self) -> String {
        match self {
            Measure::Count => "count".to_owned(),
            Measure::Share { within } if within.is_empty() => "share".to_owned(),
            Measure::Share { within } => format!(
                "share({})",
                within
                    .iter()
                    .map(|d| d.code())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            Measure::AcceptanceRate => "acceptance_rate".to_owned(),
            Measure::AcceptanceDaysMean => "acceptance_days_mean".to_owned(),
            Measure::AcceptanceDaysPercentile(p) => format!("acceptance_days_p{p}"),
            Measure::HandlingDaysMean => "handling_days_mean".to_owned(),
            Measure::HandlingDaysPercentile(p) => format!("handling_days_p{p}"),
            Measure::OnTimeRate => "on_time_rate".to_owned(),
            Measure::OnTimeAcceptanceRate => "on_time_acceptance_rate".to_owned(),
            Measure::RepeatRate => "repeat_rate".to_owned(),
            Measure::DistinctSources => "distinct_sources".to_owned(),
            Measure::PeriodOnPeriod => "mom".to_owned(),
            Measure::YearOnYear => "yoy".to_owned(),
        }
    }

    /// The column heading users see.
    pub fn zh(&self) -> String {
        match self {
            Measure::Count => "件数".to_owned(),
            Measure::Share { .. } => "占比".to_owned(),
            Measure::AcceptanceRate => "受理率".to_owned(),
            Measure::AcceptanceDaysMean => "平均受理时间（天）".to_owned(),
            Measure::AcceptanceDaysPercentile(p) => format!("受理时间P{p}（天）"),
            Measure::HandlingDaysMean => "平均办结时间（天）".to_owned(),
            Measure::HandlingDaysPercentile(p) => format!("办结时间P{p}（天）"),
            Measure::OnTimeRate => "按期办结率".to_owned(),
            Measure::OnTimeAcceptanceRate => "按时受理率".to_owned(),
            Measure::RepeatRate => "重复举报率".to_owned(),
            Measure::DistinctSources => "问题源数".to_owned(),
            Measure::PeriodOnPeriod => "环比".to_owned(),
            Measure::YearOnYear => "同比".to_owned(),
        }
    }
}

/// A question for the index. `scope` is the caller's jurisdiction: nothing outside its subtree
/// is ever counted, whatever the filters say.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub scope: RegionCode,
    pub filters: Vec<Filter>,
    pub group_by: Vec<Dimension>,
    pub measures: Vec<Measure>,
    /// The instant at which overdue status (超期) is judged.
    pub as_of: DateTime<Utc>,
}

impl Query {
    /// Counts everything in `scope`, as of `as_of`; add groupings, filters and measures.
    pub fn new(scope: RegionCode, as_of: DateTime<Utc>) -> Query {
        Query {
            scope,
            filters: Vec::new(),
            group_by: Vec::new(),
            measures: vec![Measure::Count],
            as_of,
        }
    }

    pub fn group_by(mut self, dimension: Dimension) -> Query {
        self.group_by.push(dimension);
        self
    }

    pub fn filter(mut self, filter: Filter) -> Query {
        self.filters.push(filter);
        self
    }

    pub fn measure(mut self, measure: Measure) -> Query {
        if !self.measures.contains(&measure) {
            self.measures.push(measure);
        }
        self
    }

    /// Reads a query from `key=value` parameters, as the stats API and command take them:
    /// `group_by` and `measure` are comma-separated lists (`share(month,province)` keeps its
    /// comma); every other key is a [`Filter`]. Parameters are read in key order, so the first
    /// problem reported does not depend on the order they came in.
    pub fn from_params<'a>(
        scope: RegionCode,
        as_of: DateTime<Utc>,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Query, ParamError> {
        let mut params: Vec<(&str, &str)> = params.into_iter().collect();
        params.sort_unstable();
        let mut query = Query::new(scope, as_of);
        for (key, value) in params {
            let problem = |error| ParamError {
                field: key.to_owned(),
                error,
            };
            match key {
                "group_by" => {
                    for code in split_list(value) {
                        query = query.group_by(Dimension::parse(code).map_err(problem)?);
                    }
                }
                "measure" => {
                    for code in split_list(value) {
                        query = query.measure(Measure::parse(code).map_err(problem)?);
                    }
                }
                _ => query = query.filter(Filter::parse(key, value).map_err(problem)?),
            }
        }
        Ok(query)
    }
}

/// A query parameter that could not be read, and which one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {error}")]
pub struct ParamError {
    pub field: String,
    pub error: StatsError,
}

/// Splits `a,b(c,d),e` at the commas outside parentheses.
pub fn split_list(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[start..].trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// One value of a dimension: its code and its Chinese label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyValue {
    pub code: String,
    pub label: String,
}

#[cfg(test)]
mod param_tests {
    use super::*;

    #[test]
    fn lists_split_at_commas_outside_parentheses() {
        assert_eq!(
            split_list("count, share(month,province),mom"),
            ["count", "share(month,province)", "mom"]
        );
    }

    #[test]
    fn a_bad_parameter_is_named() {
        let now = Utc::now();
        let error = Query::from_params(
            RegionCode::NATIONAL,
            now,
            [("group_by", "type"), ("channel", "pigeon")],
        )
        .expect_err("bad channel");
        assert_eq!(error.field, "channel");
        let query = Query::from_params(
            RegionCode::NATIONAL,
            now,
            [
                ("measure", "share(month,province)"),
                ("group_by", "month,province,type"),
            ],
        )
        .expect("query");
        assert_eq!(query.group_by.len(), 3);
        assert_eq!(query.measures.len(), 2);
    }
}
