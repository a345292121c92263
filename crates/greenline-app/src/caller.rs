//! Who asks: a signed-in staff member, with the jurisdiction and roles every use case checks.

use greenline_domain::{Case, RegionCode, StaffScope};
use greenline_store::{Actor, Staff};

use crate::error::{ServiceError, ServiceResult};

/// A staff member with a live session (or, on the command line, a checked password).
#[derive(Debug, Clone)]
pub struct Caller(pub Staff);

impl std::ops::Deref for Caller {
    type Target = Staff;

    fn deref(&self) -> &Staff {
        &self.0
    }
}

impl Caller {
    /// Their jurisdiction (their unit's region and below) and roles.
    pub fn scope(&self) -> StaffScope {
        StaffScope {
            region: self.0.unit.region,
            roles: self.0.roles.clone(),
        }
    }

    /// How the event log names them.
    pub fn actor(&self) -> Actor {
        Actor::staff(
            self.0.id,
            format!("{} ({})", self.0.display_name, self.0.unit.name),
        )
    }

    /// A region a question names, if it lies inside the caller's jurisdiction.
    pub fn region(&self, region: RegionCode) -> ServiceResult<RegionCode> {
        if self.scope().can_see(region) {
            Ok(region)
        } else {
            Err(ServiceError::Forbidden(format!(
                "{} is outside your jurisdiction",
                region.full_name()
            )))
        }
    }

    /// The one spelling of the jurisdiction check: `case` if the caller may see it, else "not
    /// found", so that a case's existence does not leak across jurisdictions.
    pub fn see(&self, case: Case) -> ServiceResult<Case> {
        if self.scope().can_see(case.region) {
            Ok(case)
        } else {
            Err(ServiceError::NotFound("case"))
        }
    }
}
