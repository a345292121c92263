//! The reporter's view of their case, given its tracking number and the secret or the phone.

use std::net::IpAddr;

use greenline_domain::TrackingNo;
use greenline_store::StoreError;

use super::intake::secret_hash;
use crate::App;
use crate::error::{ServiceError, ServiceResult};
use crate::views::TrackView;

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

impl App {
    /// The reporter's view: stage, public status, deadline, reply and published result; no
    /// staff and no other reporter. Counts against the public rate limit of `client`.
    pub async fn track(
        &self,
        client: IpAddr,
        tracking_no: &str,
        secret: Option<String>,
        phone: Option<String>,
    ) -> ServiceResult<TrackView> {
        self.limiter.check(client)?;
        let number = TrackingNo::parse(tracking_no)?;
        if secret.is_none() && phone.is_none() {
            return Err(ServiceError::parameter(
                "secret",
                "required (or phone): give the secret from intake or the phone number you reported with",
            ));
        }
        let not_found = || ServiceError::NotFound("case with this tracking number and secret");
        let (hash, known_phone) = match self.store.case_credentials(number.case_id).await {
            Ok(found) => found,
            Err(StoreError::NotFound(_)) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        let by_secret = secret.is_some_and(|s| secret_hash(&s) == hash);
        let by_phone = match (phone, known_phone) {
            (Some(given), Some(known)) => {
                !digits(&given).is_empty() && digits(&given) == digits(&known)
            }
            _ => false,
        };
        if !(by_secret || by_phone) {
            return Err(not_found());
        }
        let mut case = self.store.case(number.case_id).await?;
        if case.tracking_no() != number {
            return Err(not_found());
        }
        // The reply and the published summary are staff's words and may quote the reporter or
        // name someone else; whoever holds the number and a proof reads them, so they are
        // masked like every public output.
        let known = self.identity_to_mask(case.id).await?;
        crate::masking::mask_case(&mut case, &known);
        let unit = self.store.unit(case.unit_id).await?;
        let events = self.store.events(case.id).await?;
        Ok(TrackView::new(
            &case,
            unit.name,
            &events,
            &self.deadlines,
            self.now(),
        ))
    }
}
