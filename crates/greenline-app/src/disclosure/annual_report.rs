//! The annual report's tables (年度报告) of one agency's year, filled from its requests.

use chrono::NaiveDate;
use greenline_domain::disclosure::{AnnualReport, annual_report};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The tables with the agency they are for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitAnnualReport {
    pub unit_id: i64,
    pub unit_name: String,
    #[serde(flatten)]
    pub report: AnnualReport,
}

impl App {
    /// The tables of `year` for unit `unit_id`, which must lie in the caller's jurisdiction.
    pub async fn disclosure_annual_report(
        &self,
        caller: &Caller,
        unit_id: i64,
        year: i32,
    ) -> ServiceResult<UnitAnnualReport> {
        let region = caller.jurisdiction()?;
        let Some(end) =
            NaiveDate::from_ymd_opt(year, 12, 31).filter(|_| (2008..=9999).contains(&year))
        else {
            return Err(ServiceError::parameter("year", "a year from 2008 on"));
        };
        let unit = match self.store.unit(unit_id).await {
            Ok(unit) if unit.region.is_within(region) => unit,
            Ok(_) | Err(greenline_store::StoreError::NotFound(_)) => {
                return Err(ServiceError::NotFound("unit"));
            }
            Err(other) => return Err(other.into()),
        };
        let tallies = self.store.disclosure_tallies(unit.id, end).await?;
        Ok(UnitAnnualReport {
            unit_id: unit.id,
            unit_name: unit.name,
            report: annual_report(year, &tallies),
        })
    }
}
