//! Cases: intake, staff search and reading, transitions.

pub mod intake;
pub mod read;
pub mod search;
pub mod transition;

use greenline_domain::Case;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult};

/// Loads a case the caller may see; one they may not see is "not found", so its existence does
/// not leak across jurisdictions.
pub(crate) async fn visible_case(state: &AppState, who: &SignedIn, id: i64) -> ApiResult<Case> {
    let case = state.store.case(id).await?;
    if who.scope().can_see(case.region) {
        Ok(case)
    } else {
        Err(ApiError::NotFound("case"))
    }
}
