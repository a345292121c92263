//! Scheduling a project's next notice (公示): checked against the notices so far and given its
//! dates in working days by `greenline_domain::eia::plan_notice`, then kept with its event.

use greenline_domain::WorkingCalendar;
use greenline_domain::eia::{NoticeForm, plan_notice};
use greenline_store::StoreError;

use super::projects::NoticeView;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

impl App {
    /// Schedules the project's next notice; it is shown to the public from its start date.
    pub async fn add_eia_notice(
        &self,
        caller: &Caller,
        project_id: i64,
        form: NoticeForm,
    ) -> ServiceResult<NoticeView> {
        self.managed_project(caller, project_id).await?;
        let earlier = self.store.eia_notices(project_id).await?;
        let scheduled: Vec<_> = earlier.iter().map(|n| n.scheduled()).collect();
        let planned = plan_notice(&form, &scheduled, WorkingCalendar::shipped())?;
        let notice = self
            .store
            .add_eia_notice(
                project_id,
                earlier.len(),
                &planned,
                &caller.actor(),
                self.now(),
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict | StoreError::Duplicate(_) => ServiceError::conflict(
                    "another notice was added to this project meanwhile; reload it and try again",
                ),
                other => other.into(),
            })?;
        Ok(NoticeView::new(notice))
    }
}
