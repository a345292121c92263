//! Registering a project under assessment, and what staff read of their jurisdiction's
//! projects: the list, and one project's file (notices with their dates, comments by theme,
//! answers, history).

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::eia::{NewProject, ProjectForm};
use greenline_store::{EiaEvent, EiaNotice, EiaProject};
use serde::Serialize;
use utoipa::ToSchema;

use super::comments::ThemeGroup;
use super::schedule;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// A project as the API and pages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: i64,
    pub name: String,
    /// 建设单位.
    pub developer: String,
    pub location: String,
    pub region: String,
    pub region_name: String,
    pub project_type: String,
    pub project_type_zh: String,
    /// 环境影响报告书编制单位.
    pub consultant: String,
    /// The reviewing unit.
    pub unit_id: i64,
    pub unit_name: String,
    pub created_at: DateTime<Utc>,
    /// The participation statement (公众参与说明), once published.
    pub statement: Option<String>,
    pub statement_published_at: Option<DateTime<Utc>>,
}

impl ProjectView {
    pub(crate) fn new(p: EiaProject, unit_name: String) -> ProjectView {
        ProjectView {
            id: p.id,
            name: p.name,
            developer: p.developer,
            location: p.location,
            region: p.region.to_string(),
            region_name: p.region.full_name(),
            project_type: p.project_type.code().to_owned(),
            project_type_zh: p.project_type.zh().to_owned(),
            consultant: p.consultant,
            unit_id: p.unit_id,
            unit_name,
            created_at: p.created_at,
            statement: p.statement_published_at.and(p.statement),
            statement_published_at: p.statement_published_at,
        }
    }
}

/// A notice with its dates and what the measures ask of its kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: i64,
    pub kind: String,
    pub kind_zh: String,
    pub start: NaiveDate,
    pub working_days: u32,
    /// The last day it stays up.
    pub last_day: NaiveDate,
    pub counted_from: Option<NaiveDate>,
    pub body: String,
    /// The public may send opinions while it is up.
    pub takes_comments: bool,
    /// Where the measures set its period.
    pub article: String,
    /// Some day of its period lies past the last year of holiday arrangements loaded: the
    /// dates are an estimate.
    pub warning: Option<String>,
}

impl NoticeView {
    pub(crate) fn new(n: EiaNotice) -> NoticeView {
        let rule = n.kind.rule();
        let calendar = greenline_domain::WorkingCalendar::shipped();
        let warning = calendar
            .add_working_days(n.start, n.working_days)
            .warning_zh(calendar);
        NoticeView {
            id: n.id,
            kind: n.kind.code().to_owned(),
            kind_zh: n.kind.zh().to_owned(),
            start: n.start,
            working_days: n.working_days,
            last_day: n.last_day,
            counted_from: n.counted_from,
            body: n.body,
            takes_comments: rule.takes_comments,
            article: rule.article.clone(),
            warning,
        }
    }
}

/// Whether the public may comment on a day, and when that changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WindowState {
    /// The window open today (`draft` or `acceptance`), if one is.
    pub open: Option<String>,
    /// Its last day.
    pub closes_on: Option<NaiveDate>,
    /// When no window is open: the day the next scheduled one opens, if any.
    pub next_opens_on: Option<NaiveDate>,
}

impl WindowState {
    pub(crate) fn on(notices: &[EiaNotice], day: NaiveDate) -> WindowState {
        let schedule = schedule(notices);
        match schedule.open_window(day) {
            Some(open) => WindowState {
                open: Some(open.kind.code().to_owned()),
                closes_on: Some(open.last_day),
                next_opens_on: None,
            },
            None => WindowState {
                open: None,
                closes_on: None,
                next_opens_on: schedule.next_window(day).map(|n| n.start),
            },
        }
    }
}

/// One entry of a project's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<EiaEvent> for ProjectEvent {
    fn from(e: EiaEvent) -> Self {
        ProjectEvent {
            at: e.at,
            actor: e.actor,
            action: e.action,
            data: e.data,
        }
    }
}

/// Everything staff read of one project.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectFile {
    pub project: ProjectView,
    pub notices: Vec<NoticeView>,
    /// The kind of notice that comes next, if any.
    pub next_notice: Option<String>,
    pub window: WindowState,
    /// The comments by theme, each with its phrases and its answer.
    pub themes: Vec<ThemeGroup>,
    /// The caller may schedule notices, regroup and answer.
    pub may_manage: bool,
    pub events: Vec<ProjectEvent>,
}

impl App {
    /// Registers a project reviewed by the caller's unit (or one below it).
    pub async fn create_eia_project(
        &self,
        caller: &Caller,
        form: ProjectForm,
    ) -> ServiceResult<ProjectView> {
        if !caller.roles.iter().any(|r| r.may_manage_eia()) {
            return Err(ServiceError::Forbidden(
                "only handlers and supervisors register projects".to_owned(),
            ));
        }
        let new = NewProject::parse(&form)?;
        let unit = match form.unit_id {
            None => caller.unit.clone(),
            Some(id) => self
                .store
                .unit(id)
                .await
                .map_err(|_| ServiceError::field("unit_id", "no such unit"))?,
        };
        if !caller.scope().can_manage_eia(unit.region) {
            return Err(ServiceError::Forbidden(
                "only handlers and supervisors register projects, for their unit or one below it"
                    .to_owned(),
            ));
        }
        if !new.region.is_within(unit.region) {
            return Err(ServiceError::field(
                "region",
                format!(
                    "{} lies outside the reviewing unit's region ({})",
                    new.region.full_name(),
                    unit.region.full_name()
                ),
            ));
        }
        let project = self
            .store
            .create_eia_project(&new, unit.id, &caller.actor(), self.now())
            .await?;
        Ok(ProjectView::new(project, unit.name))
    }

    /// The projects located in the caller's jurisdiction, newest first.
    pub async fn eia_projects(&self, caller: &Caller) -> ServiceResult<Vec<ProjectView>> {
        let within = caller.jurisdiction()?;
        let projects = self.store.eia_projects(Some(within)).await?;
        self.project_views(projects).await
    }

    pub(crate) async fn project_views(
        &self,
        projects: Vec<EiaProject>,
    ) -> ServiceResult<Vec<ProjectView>> {
        let mut views = Vec::with_capacity(projects.len());
        for p in projects {
            let unit = self.store.unit(p.unit_id).await?;
            views.push(ProjectView::new(p, unit.name));
        }
        Ok(views)
    }

    /// One project's file.
    pub async fn eia_project_file(&self, caller: &Caller, id: i64) -> ServiceResult<ProjectFile> {
        let project = self.visible_project(caller, id).await?;
        let unit = self.store.unit(project.unit_id).await?;
        let may_manage = caller.scope().can_manage_eia(unit.region);
        let notices = self.store.eia_notices(id).await?;
        let next_notice = match notices.last() {
            None => Some(greenline_domain::eia::NoticeKind::First),
            Some(last) => last.kind.next(),
        }
        .map(|k| k.code().to_owned());
        let window = WindowState::on(&notices, self.today());
        let themes = self
            .theme_groups(&project, !caller.may_read_identities())
            .await?;
        let events = self
            .store
            .eia_events(id)
            .await?
            .into_iter()
            .map(ProjectEvent::from)
            .collect();
        Ok(ProjectFile {
            project: ProjectView::new(project, unit.name),
            notices: notices.into_iter().map(NoticeView::new).collect(),
            next_notice,
            window,
            themes,
            may_manage,
            events,
        })
    }
}
