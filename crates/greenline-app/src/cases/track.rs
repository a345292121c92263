//! The reporter's view of their case, given its tracking number and the secret or the phone.
//!
//! Tracking numbers are sequential and a phone number is something a neighbour may know, so a
//! case's view could be probed: "did the man next door complain about my dog?". Besides the
//! public rate limit per client address, each case therefore takes at most
//! [`MAX_FAILED_ATTEMPTS`] failed proofs in [`ATTEMPT_WINDOW`]; after that its view is refused
//! (429), the right secret included, until the oldest failure leaves the window. Refusing the
//! right secret too is the point: otherwise a prober could keep guessing, and a lock that only
//! guessing hits would tell them nothing was wrong.
//!
//! The failures are kept in memory, per node: a restart forgets them, and behind several nodes
//! each counts its own (so the limit is that many times higher). That is accepted for now — a
//! later change replaces the phone with a one-time code — and keeps a failed lookup from
//! writing to the store.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use greenline_domain::TrackingNo;
use greenline_store::StoreError;

use super::intake::secret_hash;
use crate::App;
use crate::error::{ServiceError, ServiceResult};
use crate::views::{ReporterChoices, TrackView};

/// Failed proofs a case takes within [`ATTEMPT_WINDOW`] before its view is refused.
pub const MAX_FAILED_ATTEMPTS: usize = 5;
/// How far back failed proofs count.
pub const ATTEMPT_WINDOW: Duration = Duration::hours(1);
/// Cases with recent failures kept before stale ones are swept out.
const SWEEP_AT: usize = 10_000;

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// The recent failed proofs of each case (see the module doc).
#[derive(Debug, Default)]
pub struct TrackingAttempts {
    failures: Mutex<HashMap<i64, VecDeque<DateTime<Utc>>>>,
}

impl TrackingAttempts {
    fn failures(&self) -> std::sync::MutexGuard<'_, HashMap<i64, VecDeque<DateTime<Utc>>>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuses if case `id` has had too many failures in the window before `now`.
    fn check(&self, id: i64, now: DateTime<Utc>) -> ServiceResult<()> {
        let mut failures = self.failures();
        let Some(times) = failures.get_mut(&id) else {
            return Ok(());
        };
        while times.front().is_some_and(|t| *t <= now - ATTEMPT_WINDOW) {
            times.pop_front();
        }
        match times.front() {
            None => {
                failures.remove(&id);
                Ok(())
            }
            Some(oldest) if times.len() >= MAX_FAILED_ATTEMPTS => {
                let minutes = (*oldest + ATTEMPT_WINDOW - now).num_minutes() + 1;
                Err(ServiceError::TooManyAttempts(format!(
                    "too many failed attempts for this case; try again in {minutes} minutes"
                )))
            }
            Some(_) => Ok(()),
        }
    }

    /// Records a failed proof for case `id`.
    fn fail(&self, id: i64, now: DateTime<Utc>) {
        let mut failures = self.failures();
        if failures.len() >= SWEEP_AT {
            failures.retain(|_, times| times.back().is_some_and(|t| *t > now - ATTEMPT_WINDOW));
        }
        let times = failures.entry(id).or_default();
        times.push_back(now);
        // Only the latest failures matter for the limit.
        while times.len() > MAX_FAILED_ATTEMPTS {
            times.pop_front();
        }
    }
}

impl App {
    /// The reporter's view: stage, public status, deadline, their own text, the reply and
    /// published result, and what they may do next; no staff and no other reporter. Counts
    /// against the public rate limit of `client`.
    pub async fn track(
        &self,
        client: IpAddr,
        tracking_no: &str,
        secret: Option<String>,
        phone: Option<String>,
    ) -> ServiceResult<TrackView> {
        let case = self.proven_case(client, tracking_no, secret, phone).await?;
        self.track_view(case).await
    }

    /// [`App::track`] for the portal, with a pass (see [`super::pass`]) that proves the case
    /// for the next few steps without the secret.
    pub async fn open_track(
        &self,
        client: IpAddr,
        tracking_no: &str,
        secret: Option<String>,
        phone: Option<String>,
    ) -> ServiceResult<(TrackView, String)> {
        let case = self.proven_case(client, tracking_no, secret, phone).await?;
        let pass = self.pass_for(case.id).await?;
        Ok((self.track_view(case).await?, pass))
    }

    /// The reporter's view of the case a pass proves.
    pub async fn track_with_pass(&self, client: IpAddr, pass: &str) -> ServiceResult<TrackView> {
        let case = self.case_by_pass(client, pass).await?;
        self.track_view(case).await
    }

    async fn track_view(&self, mut case: greenline_domain::Case) -> ServiceResult<TrackView> {
        // The reporter reads their own words as they wrote them.
        let own_text = (case.description.clone(), case.address.clone());
        // The reply and the published summary are staff's words and may quote the reporter or
        // name someone else; whoever holds the number and a proof reads them, so they are
        // masked like every public output.
        let known = self.identity_to_mask(case.id).await?;
        crate::masking::mask_case(&mut case, &known);
        (case.description, case.address) = own_text;
        // A draft awaiting approval is the agency's own business (the view never reads it).
        case.draft = None;
        let unit = self.store.unit(case.unit_id).await?;
        let events = self.store.events(case.id).await?;
        let callbacks = self.store.callbacks(case.id).await?;
        let now = self.now();
        let limits = self.deadlines.limits_for(case.kind, case.region);
        let open_to_reporter = ReporterChoices::of(&case, &callbacks, &limits, now);
        Ok(
            TrackView::new(&case, unit.name, &events, &self.deadlines, now)
                .with_choices(open_to_reporter),
        )
    }

    /// The case whose tracking number and secret (or phone) a member of the public gave,
    /// under the public rate limit of `client` and the case's limit on failed proofs (see the
    /// module doc).
    pub(crate) async fn proven_case(
        &self,
        client: IpAddr,
        tracking_no: &str,
        secret: Option<String>,
        phone: Option<String>,
    ) -> ServiceResult<greenline_domain::Case> {
        self.limiter.check(client)?;
        let number = TrackingNo::parse(tracking_no)?;
        if secret.is_none() && phone.is_none() {
            return Err(ServiceError::parameter(
                "secret",
                "required (or phone): give the secret from intake or the phone number you reported with",
            ));
        }
        let not_found = || ServiceError::NotFound("case with this tracking number and secret");
        let now = self.now();
        self.tracking_attempts.check(number.case_id, now)?;
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
            self.tracking_attempts.fail(number.case_id, now);
            return Err(not_found());
        }
        let case = self.store.case(number.case_id).await?;
        if case.tracking_no() != number {
            self.tracking_attempts.fail(number.case_id, now);
            return Err(not_found());
        }
        Ok(case)
    }
}
