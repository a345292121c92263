//! Every question a bulletin asks the engine, in one place, so the API layer can show the same
//! figures as JSON and a test can ask them again.

use chrono::{DateTime, Months, Utc};
use greenline_domain::{RegionCode, RegionLevel};
use greenline_stats::{AcceptanceStatus, Dimension, Filter, Measure, Query, TimeBucket};
use serde::Serialize;

use crate::Period;

/// Months of history the trend findings look at.
pub const TREND_MONTHS: u32 = 24;

/// The level a scope's breakdown by region ranks: provinces for the nation, cities for a
/// province, counties for a city; none below.
pub fn child_level(scope: RegionCode) -> Option<RegionLevel> {
    match scope.level() {
        RegionLevel::National => Some(RegionLevel::Province),
        RegionLevel::Province => Some(RegionLevel::Prefecture),
        RegionLevel::Prefecture => Some(RegionLevel::County),
        RegionLevel::County => None,
    }
}

/// The queries behind one bulletin. Each figure of a [`crate::Bulletin`] is read from the
/// answer to one of these (alerts come from [`greenline_stats::Index::spikes`] instead).
#[derive(Debug, Clone)]
pub struct BulletinQueries {
    /// The period as one time bucket, with its count, 环比 and 同比.
    pub total: Query,
    /// The previous period's count (the 环比 comparison).
    pub previous_total: Query,
    /// The same period a year earlier (the 同比 comparison).
    pub year_earlier_total: Query,
    /// Accepted, rejected and pending, with shares of the total.
    pub status: Query,
    /// Rejected cases by reason, with shares of the rejected.
    pub rejection_reasons: Query,
    /// By channel, with shares of the total (they add up to 100%).
    pub channels: Query,
    /// By type (multi-label), with shares over cases.
    pub types: Query,
    /// By type and sub-type, with shares within the type.
    pub sub_types: Query,
    /// By industry, with shares of the total.
    pub industries: Query,
    /// By region one level below the scope, with shares of the total.
    pub regions: Option<Query>,
    /// By region and type, with shares within the region (each region's own mix).
    pub region_types: Option<Query>,
    /// On-time completion rate, mean and median handling days, mean acceptance days.
    pub timeliness: Query,
    /// Overdue or not at `as_of`.
    pub overdue: Query,
    /// Repeat source or not, with shares.
    pub repeat_sources: Query,
    /// Monthly counts over the [`TREND_MONTHS`] months ending with the period.
    pub monthly: Query,
    /// Monthly counts by type over the same months.
    pub monthly_by_type: Query,
}

impl BulletinQueries {
    /// The queries for `period` within `scope`, judged as of `as_of`.
    pub fn new(period: Period, scope: RegionCode, as_of: DateTime<Utc>) -> BulletinQueries {
        let within = |p: Period| Filter::Received {
            from: p.first_day(),
            until: p.end(),
        };
        let base = || Query::new(scope, as_of).filter(within(period));
        let share = || Measure::Share { within: Vec::new() };
        let by = |d: Dimension| base().group_by(d).measure(share());
        let level = child_level(scope);
        let end = period.end();
        let trend_from = end
            .checked_sub_months(Months::new(TREND_MONTHS))
            .unwrap_or(end);
        let months = || {
            Query::new(scope, as_of).filter(Filter::Received {
                from: trend_from,
                until: end,
            })
        };
        BulletinQueries {
            total: base()
                .group_by(Dimension::Time(period.bucket()))
                .measure(Measure::PeriodOnPeriod)
                .measure(Measure::YearOnYear),
            previous_total: Query::new(scope, as_of).filter(within(period.previous())),
            year_earlier_total: Query::new(scope, as_of).filter(within(period.year_earlier())),
            status: by(Dimension::Status),
            rejection_reasons: base()
                .filter(Filter::Status(vec![AcceptanceStatus::Rejected]))
                .group_by(Dimension::RejectionReason)
                .measure(share()),
            channels: by(Dimension::Channel),
            types: by(Dimension::Type),
            sub_types: base()
                .group_by(Dimension::Type)
                .group_by(Dimension::SubType)
                .measure(Measure::Share {
                    within: vec![Dimension::Type],
                }),
            industries: by(Dimension::Industry),
            regions: level.map(|l| by(Dimension::Region(l))),
            region_types: level.map(|l| {
                base()
                    .group_by(Dimension::Region(l))
                    .group_by(Dimension::Type)
                    .measure(Measure::Share {
                        within: vec![Dimension::Region(l)],
                    })
            }),
            timeliness: base()
                .measure(Measure::OnTimeRate)
                .measure(Measure::HandlingDaysMean)
                .measure(Measure::HandlingDaysPercentile(50))
                .measure(Measure::AcceptanceDaysMean),
            overdue: base().group_by(Dimension::Overdue),
            repeat_sources: by(Dimension::RepeatSource),
            monthly: months().group_by(Dimension::Time(TimeBucket::Month)),
            monthly_by_type: months()
                .group_by(Dimension::Type)
                .group_by(Dimension::Time(TimeBucket::Month)),
        }
    }

    /// Every query with a name, for an API that shows them beside the bulletin.
    pub fn named(&self) -> Vec<(&'static str, &Query)> {
        let mut all = vec![
            ("total", &self.total),
            ("previous_total", &self.previous_total),
            ("year_earlier_total", &self.year_earlier_total),
            ("status", &self.status),
            ("rejection_reasons", &self.rejection_reasons),
            ("channels", &self.channels),
            ("types", &self.types),
            ("sub_types", &self.sub_types),
            ("industries", &self.industries),
        ];
        if let Some(q) = &self.regions {
            all.push(("regions", q));
        }
        if let Some(q) = &self.region_types {
            all.push(("region_types", q));
        }
        all.extend([
            ("timeliness", &self.timeliness),
            ("overdue", &self.overdue),
            ("repeat_sources", &self.repeat_sources),
            ("monthly", &self.monthly),
            ("monthly_by_type", &self.monthly_by_type),
        ]);
        all
    }
}

/// A query as plain codes, for JSON.
#[derive(Debug, Clone, Serialize)]
pub struct QueryDescription {
    pub name: &'static str,
    pub scope: String,
    pub group_by: Vec<&'static str>,
    pub measures: Vec<String>,
}

/// The bulletin's queries described as codes (`group_by`, `measures`), for the API.
pub fn bulletin_queries(
    period: Period,
    scope: RegionCode,
    as_of: DateTime<Utc>,
) -> Vec<QueryDescription> {
    BulletinQueries::new(period, scope, as_of)
        .named()
        .into_iter()
        .map(|(name, q)| QueryDescription {
            name,
            scope: q.scope.to_string(),
            group_by: q.group_by.iter().map(|d| d.code()).collect(),
            measures: q.measures.iter().map(Measure::code).collect(),
        })
        .collect()
}
