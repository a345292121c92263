//! Public monthly figures (公开统计): for a region of any level and optionally a pollution
//! type, the cases received in each of the last twelve whole months, and how many of those
//! have been accepted and concluded so far (the dashboard's funnel definitions:
//! [`crate::dashboard::funnel_steps`]), and the cases received per type and month — from the
//! statistics index.
//!
//! Public figures must not let anyone tell who complained: in a county and a month a count of
//! one or two may point at a household. Every count from 1 to [`MIN_PUBLIC_COUNT`] − 1 is
//! therefore withheld (shown as "<3", never drawn), and the page says so. Zero is shown: it
//! tells nothing about anyone.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use greenline_domain::deadline::{china_time, local_date};
use greenline_domain::{PollutionType, RegionCode};
use greenline_stats::{Dimension, Filter, Query, TimeBucket};
use greenline_store::CaseFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::App;
use crate::dashboard::funnel_steps;
use crate::error::{ServiceError, ServiceResult};

/// Counts below this (and above zero) are withheld.
pub const MIN_PUBLIC_COUNT: u64 = 3;
/// Whole months shown, ending with the last whole month.
pub const MONTHS: u32 = 12;

/// Which figures: every field optional.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FiguresFilter {
    /// A region code of any level (default: the whole country).
    pub region: Option<String>,
    /// A pollution type code (default: every type).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub pollution_type: Option<String>,
}

/// One count as published: the number, or nothing when it is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Cell {
    /// The count; null when withheld (from 1 to `MIN_PUBLIC_COUNT` − 1).
    pub count: Option<u64>,
}

impl Cell {
    fn of(count: u64) -> Cell {
        Cell {
            count: (count == 0 || count >= MIN_PUBLIC_COUNT).then_some(count),
        }
    }

    /// The count as the page writes it: the number, or `<3`.
    pub fn text(&self) -> String {
        match self.count {
            Some(n) => n.to_string(),
            None => format!("<{MIN_PUBLIC_COUNT}"),
        }
    }
}

/// The cases of one type received each month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TypeRow {
    #[serde(rename = "type")]
    pub pollution_type: String,
    pub type_zh: String,
    pub received: Vec<Cell>,
}

/// The figures of a region (and type) over the last twelve whole months.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicFigures {
    pub region: String,
    pub region_name: String,
    #[serde(rename = "type")]
    pub pollution_type: Option<String>,
    pub type_zh: Option<String>,
    /// The months, `YYYY-MM`, oldest first.
    pub months: Vec<String>,
    /// Cases received in each month (of the type, if one is chosen).
    pub received: Vec<Cell>,
    /// Of those, accepted by now (受理 and every later stage).
    pub accepted: Vec<Cell>,
    /// Of those, concluded by now (办结 and every later stage).
    pub concluded: Vec<Cell>,
    /// Cases received per type and month (every type with a case in the months; a case
    /// carrying two types counts under both).
    pub by_type: Vec<TypeRow>,
    /// Counts from 1 to this minus one are withheld.
    pub min_count: u64,
    /// The day the figures were read (China time).
    pub as_of: NaiveDate,
}

/// The figures with, for each month, when they last changed: the latest event of a case
/// received that month (of the region and type), or the month's end when there is none — so a
/// feed entry's `updated` moves exactly when something behind its counts did.
#[derive(Debug, Clone)]
pub struct FiguresFeed {
    pub figures: PublicFigures,
    /// Per month, as `figures.months`.
    pub updated: Vec<DateTime<Utc>>,
}

/// The instant a China-time day starts.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china_time()).single())
        .map_or_else(
            || DateTime::<Utc>::from_naive_utc_and_offset(day.and_time(Default::default()), Utc),
            |t| t.with_timezone(&Utc),
        )
}

impl App {
    /// The public monthly figures with when each month's last changed (see [`FiguresFeed`]):
    /// the figures' Atom feed.
    pub async fn figures_feed(&self, filter: &FiguresFilter) -> ServiceResult<FiguresFeed> {
        let figures = self.public_figures(filter).await?;
        let region = RegionCode::parse(&figures.region)
            .map_err(|_| ServiceError::parameter("region", "not a known region code"))?;
        let pollution_type = figures
            .pollution_type
            .as_deref()
            .map(PollutionType::parse)
            .transpose()
            .map_err(|_| ServiceError::parameter("type", "not a known pollution type"))?;
        let mut updated = Vec::with_capacity(figures.months.len());
        for month in &figures.months {
            let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
                .map_err(ServiceError::internal)?;
            let next = first
                .checked_add_months(Months::new(1))
                .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("month {month}")))?;
            let filter = CaseFilter {
                region: Some(region),
                pollution_type,
                received_from: Some(start_of(first)),
                received_before: Some(start_of(next)),
                ..CaseFilter::default()
            };
            let last = self.store.last_change(&filter).await?;
            updated.push(last.unwrap_or_else(|| start_of(next)));
        }
        Ok(FiguresFeed { figures, updated })
    }

    /// The public monthly figures of a region (and type). Public: no caller.
    pub async fn public_figures(&self, filter: &FiguresFilter) -> ServiceResult<PublicFigures> {
        let present = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let region = match present(&filter.region) {
            Some(code) => RegionCode::parse(&code)
                .map_err(|_| ServiceError::parameter("region", "not a known region code"))?,
            None => RegionCode::NATIONAL,
        };
        let pollution_type = present(&filter.pollution_type)
            .map(|code| {
                PollutionType::parse(&code)
                    .map_err(|_| ServiceError::parameter("type", "not a known pollution type"))
            })
            .transpose()?;
        let now = self.now();
        let today = local_date(now);
        let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).unwrap_or(today);
        let first = this_month
            .checked_sub_months(Months::new(MONTHS))
            .unwrap_or(this_month);
        let months: Vec<String> = (0..MONTHS)
            .filter_map(|i| first.checked_add_months(Months::new(i)))
            .map(|m| m.format("%Y-%m").to_string())
            .collect();
        let [_, accepted_step, concluded_step, ..] = funnel_steps();
        let (accepted_stages, concluded_stages) = (
            accepted_step.2.unwrap_or_default(),
            concluded_step.2.unwrap_or_default(),
        );
        let base = Query::new(region, now).filter(Filter::Received {
            from: first,
            until: this_month,
        });
        let (selected, by_type) = self
            .on_statistics(move |index| {
                let monthly = |query: Query| -> Result<HashMap<String, u64>, _> {
                    Ok::<_, greenline_stats::StatsError>(
                        index
                            .query(&query.group_by(Dimension::Time(TimeBucket::Month)))?
                            .rows()
                            .map(|r| (r.key(0).code.clone(), r.count()))
                            .collect(),
                    )
                };
                let chosen = match pollution_type {
                    Some(t) => base.clone().filter(Filter::Type(vec![t])),
                    None => base.clone(),
                };
                let selected = [
                    monthly(chosen.clone())?,
                    monthly(chosen.clone().filter(Filter::Stage(accepted_stages)))?,
                    monthly(chosen.filter(Filter::Stage(concluded_stages)))?,
                ];
                let by_type: Vec<(String, String, String, u64)> = index
                    .query(
                        &base
                            .group_by(Dimension::Type)
                            .group_by(Dimension::Time(TimeBucket::Month)),
                    )?
                    .rows()
                    .map(|r| {
                        (
                            r.key(0).code.clone(),
                            r.key(0).label.clone(),
                            r.key(1).code.clone(),
                            r.count(),
                        )
                    })
                    .collect();
                Ok::<_, greenline_stats::StatsError>((selected, by_type))
            })
            .await?
            .map_err(|e| ServiceError::parameter("region", e.to_string()))?;
        let cells = |found: &HashMap<String, u64>| -> Vec<Cell> {
            months
                .iter()
                .map(|m| Cell::of(found.get(m).copied().unwrap_or(0)))
                .collect()
        };
        let [received, accepted, concluded] = selected;
        let mut types: Vec<(String, String, HashMap<String, u64>)> = Vec::new();
        for (code, label, month, count) in by_type {
            if count == 0 {
                continue;
            }
            match types.iter_mut().find(|(c, _, _)| *c == code) {
                Some((_, _, found)) => {
                    found.insert(month, count);
                }
                None => types.push((code, label, HashMap::from([(month, count)]))),
            }
        }
        // Most cases first.
        types.sort_by_key(|(code, _, found)| {
            (std::cmp::Reverse(found.values().sum::<u64>()), code.clone())
        });
        Ok(PublicFigures {
            region: region.to_string(),
            region_name: if region == RegionCode::NATIONAL {
                "全国".to_owned()
            } else {
                region.full_name()
            },
            pollution_type: pollution_type.map(|t| t.code().to_owned()),
            type_zh: pollution_type.map(|t| t.zh().to_owned()),
            received: cells(&received),
            accepted: cells(&accepted),
            concluded: cells(&concluded),
            by_type: types
                .iter()
                .map(|(code, label, found)| TypeRow {
                    pollution_type: code.clone(),
                    type_zh: label.clone(),
                    received: cells(found),
                })
                .collect(),
            months,
            min_count: MIN_PUBLIC_COUNT,
            as_of: today,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_of_one_and_two_are_withheld_and_zero_is_shown() {
        assert_eq!(Cell::of(0).count, Some(0));
        assert_eq!(Cell::of(1).count, None);
        assert_eq!(Cell::of(2).text(), "<3");
        assert_eq!(Cell::of(3).text(), "3");
        assert_eq!(Cell::of(1200).count, Some(1200));
    }
}
