//! The figures of EIA participation in a jurisdiction: how many comments came, on which
//! projects, in which months (China time) and on which themes — for the statistics API beside
//! the callback figures, and on the dashboard for its region and period.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::RegionCode;
use greenline_domain::deadline::{china_time, local_date};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::params::RegionPeriod;
use crate::{App, Caller};

/// A question about comment figures: `region` (inside the jurisdiction), `from` and `to`
/// (YYYY-MM-DD, China time, inclusive).
#[derive(Debug, Clone, Default)]
pub struct CommentFiguresQuery {
    pub region: Option<RegionCode>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl CommentFiguresQuery {
    /// Reads `region`, `from`, `to` given as `key=value` pairs.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ServiceResult<CommentFiguresQuery> {
        let mut period = RegionPeriod::default();
        for (key, value) in params {
            let value = value.trim();
            if !value.is_empty() && !period.take(key, value)? {
                return Err(ServiceError::parameter(key, "unknown parameter"));
            }
        }
        let period = period.checked()?;
        let query = CommentFiguresQuery {
            region: period.region,
            from: period.from,
            to: period.to,
        };
        Ok(query)
    }
}

/// A count under a label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ThemeCount {
    pub theme: String,
    pub comments: u64,
}

/// One project's comments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProjectCount {
    pub project_id: i64,
    pub name: String,
    pub comments: u64,
    /// Its themes, most comments first.
    pub themes: Vec<ThemeCount>,
}

/// One month's comments (China time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MonthCount {
    /// `YYYY-MM`.
    pub month: String,
    pub comments: u64,
    pub themes: Vec<ThemeCount>,
}

/// The comment figures of a jurisdiction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CommentFigures {
    pub region: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub comments: u64,
    /// Every theme, most comments first.
    pub themes: Vec<ThemeCount>,
    /// Projects with comments, most first.
    pub by_project: Vec<ProjectCount>,
    /// Months with comments, in order.
    pub by_month: Vec<MonthCount>,
}

fn day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0)?
        .and_local_timezone(china_time())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

fn ranked(counts: BTreeMap<String, u64>) -> Vec<ThemeCount> {
    let mut themes: Vec<ThemeCount> = counts
        .into_iter()
        .map(|(theme, comments)| ThemeCount { theme, comments })
        .collect();
    themes.sort_by(|a, b| b.comments.cmp(&a.comments).then(a.theme.cmp(&b.theme)));
    themes
}

impl App {
    /// Comment counts and themes per project and per month in the caller's jurisdiction.
    pub async fn eia_comment_figures(
        &self,
        caller: &Caller,
        query: &CommentFiguresQuery,
    ) -> ServiceResult<CommentFigures> {
        let jurisdiction = caller.jurisdiction()?;
        let region = match query.region {
            None => jurisdiction,
            Some(region) => caller.region(region)?,
        };
        let projects = self.store.eia_projects(Some(region)).await?;
        let ids: Vec<i64> = projects.iter().map(|p| p.id).collect();
        let from = query
            .from
            .and_then(day_start)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let before = query
            .to
            .and_then(|d| d.succ_opt())
            .and_then(day_start)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let facts = self.store.eia_comment_facts(&ids, from, before).await?;
        let mut themes = BTreeMap::<String, u64>::new();
        let mut per_project = BTreeMap::<i64, BTreeMap<String, u64>>::new();
        let mut per_month = BTreeMap::<String, BTreeMap<String, u64>>::new();
        for f in &facts {
            *themes.entry(f.theme.clone()).or_default() += 1;
            *per_project
                .entry(f.project_id)
                .or_default()
                .entry(f.theme.clone())
                .or_default() += 1;
            let month = local_date(f.received_at).format("%Y-%m").to_string();
            *per_month
                .entry(month)
                .or_default()
                .entry(f.theme.clone())
                .or_default() += 1;
        }
        let mut by_project: Vec<ProjectCount> = per_project
            .into_iter()
            .map(|(id, themes)| ProjectCount {
                project_id: id,
                name: projects
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                comments: themes.values().sum(),
                themes: ranked(themes),
            })
            .collect();
        by_project.sort_by(|a, b| {
            b.comments
                .cmp(&a.comments)
                .then(a.project_id.cmp(&b.project_id))
        });
        Ok(CommentFigures {
            region: region.to_string(),
            from: query.from,
            to: query.to,
            comments: facts.len() as u64,
            themes: ranked(themes),
            by_project,
            by_month: per_month
                .into_iter()
                .map(|(month, themes)| MonthCount {
                    month,
                    comments: themes.values().sum(),
                    themes: ranked(themes),
                })
                .collect(),
        })
    }
}
