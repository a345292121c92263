//! Offices (units) and their regions.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiResult, Problem};
use greenline_app::views::UnitView;

/// The units inside the caller's region (their own and those below): the targets of routing.
#[utoipa::path(get, path = "/api/v1/units", tag = "units",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<UnitView>), (status = 401, body = Problem)))]
pub async fn units(State(app): State<AppState>, who: SignedIn) -> ApiResult<Json<Vec<UnitView>>> {
    let units = app.units_within(&who).await?;
    Ok(Json(units.into_iter().map(UnitView::from).collect()))
}
