//! Urging and supervising a case (催办, 督办): a supervisor of the holding unit's chain prompts
//! the unit that holds it. An event of the case, shown on it and counted; the stage and the
//! deadline stay as they are.

use greenline_domain::Oversight;
use greenline_store::NewEvent;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// A prompt: which kind, and what is expected of the holding unit.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OversightForm {
    pub kind: Oversight,
    pub note: String,
}

/// How often a case was urged and whether it is supervised, from its history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OversightCount {
    pub urged: u32,
    pub supervised: u32,
}

impl OversightCount {
    /// Counts the prompts among a case's events.
    pub fn of(events: &[greenline_store::Event]) -> OversightCount {
        let mut count = OversightCount::default();
        for event in events {
            match Oversight::parse(&event.action) {
                Some(Oversight::Urge) => count.urged += 1,
                Some(Oversight::Supervise) => count.supervised += 1,
                None => {}
            }
        }
        count
    }
}

impl App {
    /// Urges or supervises case `id`: supervisors of the holding unit's region or above, on a
    /// case not yet closed, with an opinion.
    pub async fn oversee(
        &self,
        caller: &Caller,
        id: i64,
        form: &OversightForm,
    ) -> ServiceResult<()> {
        let case = self.visible_case(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        if !caller.scope().can_oversee(holder.region) {
            return Err(ServiceError::Forbidden(
                "supervisors of the holding unit's chain urge and supervise".to_owned(),
            ));
        }
        let note = form.kind.check(case.stage, &form.note)?;
        let actor = caller.actor();
        self.store
            .note_event(
                id,
                form.kind.code(),
                NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: Some(note),
                    data: serde_json::json!({ "holder": holder.id }),
                },
            )
            .await?;
        Ok(())
    }
}
