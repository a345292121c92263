//! Cases: intake, steps, approval (审核), callbacks (回访), type review, repeat grouping, reading, lists, same-source candidates
//! and the reporter's view.

pub mod approval;
pub mod attachments;
pub mod bulk;
pub mod callback;
pub mod desk;
pub mod evidence;
pub mod intake;
pub mod list;
pub mod merge;
pub mod oversight;
pub mod pass;
pub mod queue;
pub mod read;
pub mod review;
pub mod review_request;
pub mod same_source;
pub mod similar;
pub mod steps;
pub mod track;

use greenline_domain::Case;

use crate::error::ServiceResult;
use crate::{App, Caller};

impl App {
    /// A case `caller` may see; one they may not see is "not found".
    pub async fn visible_case(&self, caller: &Caller, id: i64) -> ServiceResult<Case> {
        caller.see(self.store.case(id).await?)
    }
}
