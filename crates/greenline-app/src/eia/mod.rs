//! Public participation in environmental impact assessment (环评公众参与): the use cases.
//!
//! | use case | module |
//! |---|---|
//! | register a project; list and read a jurisdiction's projects (staff) | [`projects`] |
//! | schedule a project's next notice with its dates | [`notices`] |
//! | a comment from the public while a window is open; the commenter (audited); regrouping; themes with their phrases | [`comments`] |
//! | the agency's answer to a theme; the participation statement | [`answers`] |
//! | what anyone reads: projects, a project's page, the feed of notices | [`public`] |
//! | comment counts and themes per project and per month | [`figures`] |
//!
//! Projects belong to the unit that reviews them; staff of that unit's chain whose role keeps
//! participation (handlers, supervisors) act on them, every staff member whose jurisdiction
//! holds the project's place reads them. The rules of notices and windows are
//! `greenline_domain::eia`'s; "today" is the China date of the application's clock.

pub mod answers;
pub mod comments;
pub mod figures;
pub mod notices;
pub mod projects;
pub mod public;

use chrono::NaiveDate;
use greenline_domain::deadline::local_date;
use greenline_domain::eia::Schedule;
use greenline_store::{EiaNotice, EiaProject};

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

impl App {
    /// Today in China, by the application's clock: the day notices and windows are read on.
    pub fn today(&self) -> NaiveDate {
        local_date(self.now())
    }

    /// A project the caller may read (its place within their jurisdiction), else "not found".
    pub(crate) async fn visible_project(
        &self,
        caller: &Caller,
        id: i64,
    ) -> ServiceResult<EiaProject> {
        let project = self.store.eia_project(id).await?;
        if caller.scope().can_see(project.region) {
            Ok(project)
        } else {
            Err(ServiceError::NotFound("project"))
        }
    }

    /// A project the caller may keep: reviewed by a unit of their chain, in a role that keeps
    /// participation.
    pub(crate) async fn managed_project(
        &self,
        caller: &Caller,
        id: i64,
    ) -> ServiceResult<EiaProject> {
        let project = self.visible_project(caller, id).await?;
        let unit = self.store.unit(project.unit_id).await?;
        if caller.scope().can_manage_eia(unit.region) {
            Ok(project)
        } else {
            Err(ServiceError::Forbidden(
                "only handlers and supervisors of the reviewing unit's chain keep this project's participation"
                    .to_owned(),
            ))
        }
    }
}

/// The schedule of comment windows made of a project's notices.
pub(crate) fn schedule(notices: &[EiaNotice]) -> Schedule {
    Schedule {
        notices: notices.iter().map(EiaNotice::scheduled).collect(),
    }
}
