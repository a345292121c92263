//! Who asks: a signed-in staff member, with the jurisdiction and roles every use case checks.

use std::fmt;
use std::net::IpAddr;

use greenline_domain::{Case, RegionCode, StaffScope};
use greenline_store::{Actor, Staff};

use crate::error::{ServiceError, ServiceResult};

/// Where a request comes from, for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A client's address (as the web door determined it).
    Address(IpAddr),
    /// A command run on the server.
    CommandLine,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Address(ip) => write!(f, "{ip}"),
            Origin::CommandLine => f.write_str("command line"),
        }
    }
}

/// A staff member with a live session (or, on the command line, a checked password), and where
/// the request comes from.
#[derive(Debug, Clone)]
pub struct Caller {
    pub staff: Staff,
    pub origin: Origin,
}

impl std::ops::Deref for Caller {
    type Target = Staff;

    fn deref(&self) -> &Staff {
        &self.staff
    }
}

impl Caller {
    pub fn new(staff: Staff, origin: Origin) -> Caller {
        Caller { staff, origin }
    }

    /// Their jurisdiction (their unit's region and below) and roles.
    pub fn scope(&self) -> StaffScope {
        StaffScope {
            region: self.staff.unit.region,
            roles: self.staff.roles.clone(),
        }
    }

    /// How the event log names them.
    pub fn actor(&self) -> Actor {
        Actor::staff(
            self.staff.id,
            format!("{} ({})", self.staff.display_name, self.staff.unit.name),
        )
    }

    /// The caller's jurisdiction, for a question about the cases in it; `Forbidden` for a
    /// caller whose roles read no cases (an auditor).
    pub fn jurisdiction(&self) -> ServiceResult<RegionCode> {
        if self.staff.roles.iter().any(|r| r.may_read_cases()) {
            Ok(self.staff.unit.region)
        } else {
            Err(ServiceError::Forbidden(
                "this role reads the audit trail, not cases".to_owned(),
            ))
        }
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
