//! Routing several cases at once (批量转办) from the work queue: each case takes the same step
//! as alone ([`App::take_step`]), and each answers for itself — one case refused does not stop
//! the others.

use greenline_domain::Command;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The most cases one bulk assignment takes.
pub const MAX_CASES: usize = 100;

/// What became of one case of a bulk assignment.
#[derive(Debug)]
pub struct CaseOutcome {
    pub id: i64,
    /// `Ok` once routed; else why not (the same error as a single step would give).
    pub result: ServiceResult<()>,
}

impl App {
    /// Routes each of `ids` to unit `unit_id` for `caller`, with the same `note`, one step per
    /// case, in the order given (repeats once). Refused as a whole only when nothing or too
    /// much is asked.
    pub async fn assign_cases(
        &self,
        caller: &Caller,
        ids: &[i64],
        unit_id: i64,
        note: Option<String>,
    ) -> ServiceResult<Vec<CaseOutcome>> {
        caller.jurisdiction()?;
        let mut unique: Vec<i64> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        if unique.is_empty() {
            return Err(ServiceError::parameter(
                "case_id",
                "choose at least one case",
            ));
        }
        if unique.len() > MAX_CASES {
            return Err(ServiceError::parameter(
                "case_id",
                format!("at most {MAX_CASES} cases at once"),
            ));
        }
        let mut outcomes = Vec::with_capacity(unique.len());
        for id in unique {
            let command = Command::Assign {
                unit_id,
                note: note.clone(),
            };
            let result = self.take_step(caller, id, command).await.map(|_| ());
            outcomes.push(CaseOutcome { id, result });
        }
        Ok(outcomes)
    }
}
