//! Applying (提出申请): the portal's form online, or a letter, e-mail, fax or visit keyed in by
//! staff at the desk (an oral application is written down for the applicant, art. 29).

use std::net::IpAddr;

use chrono::NaiveDate;
use greenline_domain::Channel;
use greenline_domain::disclosure::{ApplicationForm, NewApplication, Request};
use greenline_store::{Actor, NewDisclosure};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{calendar, tracking_no};
use crate::cases::intake::{new_secret, secret_hash};
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// Who applies through which door.
#[derive(Debug, Clone, Copy)]
pub enum Applier<'a> {
    /// The portal form, from this client address.
    Public(IpAddr),
    /// Staff keying in a letter, e-mail, fax or visit for their own unit.
    Staff(&'a Caller),
}

/// An application with the agency it is addressed to.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ApplicationInput {
    /// The agency (unit) applied to; for staff at the desk, their own unit if left out.
    pub unit_id: Option<i64>,
    #[serde(flatten)]
    pub form: ApplicationForm,
}

/// What the applicant is told on applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ApplicationReceipt {
    pub id: i64,
    /// 受理编号, e.g. `GK20251009-0000012`.
    pub tracking_no: String,
    /// Shown once: with the tracking number, it lets the applicant follow the request and
    /// download the answer.
    pub secret: String,
    pub unit_name: String,
    pub received_on: NaiveDate,
    /// The last day of the 20 working days to answer.
    pub due_on: NaiveDate,
}

/// An agency that takes applications: its unit's number and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Agency {
    pub id: i64,
    pub name: String,
}

impl App {
    /// The agencies an application can be addressed to: every enabled unit.
    pub async fn disclosure_agencies(&self) -> ServiceResult<Vec<Agency>> {
        Ok(self
            .store
            .unit_entries()
            .await?
            .into_iter()
            .filter(|e| e.disabled_at.is_none())
            .map(|e| Agency {
                id: e.unit.id,
                name: e.unit.name,
            })
            .collect())
    }

    /// Registers a request: the form's checks, which door may take which channel, the agency
    /// applied to, its first due date and the store's write with the `apply` event.
    pub async fn apply_for_disclosure(
        &self,
        who: Applier<'_>,
        input: ApplicationInput,
    ) -> ServiceResult<ApplicationReceipt> {
        if let Applier::Public(ip) = who {
            self.limiter.check(ip)?;
        }
        let new = NewApplication::parse(&input.form)?;
        let (unit, actor) = match who {
            Applier::Public(_) => {
                if new.channel != Channel::Web {
                    return Err(ServiceError::field(
                        "channel",
                        "the portal's form is the web channel; letters and visits are keyed in by staff",
                    ));
                }
                let unit_id = input.unit_id.ok_or_else(|| {
                    ServiceError::field("unit_id", "choose the agency applied to")
                })?;
                let entry = self
                    .store
                    .unit_entries()
                    .await?
                    .into_iter()
                    .find(|e| e.unit.id == unit_id && e.disabled_at.is_none())
                    .ok_or_else(|| ServiceError::field("unit_id", "no such agency"))?;
                (entry.unit, Actor::public())
            }
            Applier::Staff(caller) => {
                if !caller.scope().can_register() {
                    return Err(ServiceError::Forbidden(
                        "keying in applications needs the operator, handler or supervisor role"
                            .to_owned(),
                    ));
                }
                if new.channel == Channel::Web {
                    return Err(ServiceError::field(
                        "channel",
                        "the desk keys in letters, e-mails, faxes and visits; web applications come through the portal",
                    ));
                }
                if input.unit_id.is_some_and(|id| id != caller.unit.id) {
                    return Err(ServiceError::field(
                        "unit_id",
                        "staff key in applications to their own unit",
                    ));
                }
                (caller.unit.clone(), caller.actor())
            }
        };
        let now = self.now();
        let received_on = greenline_domain::deadline::local_date(now);
        let request = Request::received(0, unit.id, &new, received_on);
        let due = request
            .due(calendar())
            .map(|d| d.last_day)
            .unwrap_or(received_on);
        let secret = new_secret();
        let stored = self
            .store
            .insert_disclosure(&NewDisclosure {
                request: &request,
                applicant: &new.applicant,
                received_at: now,
                due_on: Some(due),
                secret_hash: secret_hash(&secret),
                actor: &actor,
            })
            .await?;
        Ok(ApplicationReceipt {
            id: stored.id,
            tracking_no: tracking_no(&stored),
            secret,
            unit_name: unit.name,
            received_on,
            due_on: due,
        })
    }
}
