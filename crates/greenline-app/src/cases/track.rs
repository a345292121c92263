//! The reporter's view of their case, given its tracking number and a proof: the secret from
//! intake, or the phone they reported with together with a one-time code sent to it.
//!
//! A phone number alone proves nothing: a neighbour may know it, and "did the man next door
//! complain about my dog?" must not be answerable. So a phone proves a case only with a code:
//! [`App::request_tracking_code`] sends a six-digit code by SMS if the phone is the case's, and
//! answers the same way whether it is or not (the SMS goes out in the background, so the answer
//! does not take longer either); the code is kept as a digest, lasts [`CODE_MINUTES`] minutes,
//! takes [`CODE_TRIES`] wrong tries and is used up by the look-up it proves. Requests are
//! limited per phone number and per case ([`CODES_PER_HOUR`] each, counted in the store so
//! that every node sees them, matched or not), besides the public limit per client. With a
//! code, a reporter who lost the secret gets a new one by SMS ([`App::reissue_secret`]); the
//! old one stops working.
//!
//! Tracking numbers are sequential, so a case's view could also be probed by guessing secrets.
//! Besides the public rate limit per client address, each case therefore takes at most
//! [`MAX_FAILED_ATTEMPTS`] failed proofs in [`ATTEMPT_WINDOW`]; after that its view is refused
//! (429), the right secret included, until the oldest failure leaves the window. Refusing the
//! right secret too is the point: otherwise a prober could keep guessing, and a lock that only
//! guessing hits would tell them nothing was wrong. These failures are kept in memory, per node
//! (a restart forgets them; behind several nodes each counts its own), which keeps a failed
//! lookup from writing to the store.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use greenline_domain::TrackingNo;
use greenline_store::StoreError;

use greenline_domain::phone_keys;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::intake::{new_secret, secret_hash};
use crate::App;
use crate::error::{ServiceError, ServiceResult};
use crate::views::{ReporterChoices, TrackView};

/// How long a one-time code lasts.
pub const CODE_MINUTES: i64 = 10;
/// Wrong tries a code takes before it is void.
pub const CODE_TRIES: i64 = 5;
/// Codes that may be requested per phone number, and per case, in an hour.
pub const CODES_PER_HOUR: i64 = 5;

/// How a member of the public proves a case is theirs.
#[derive(Debug, Clone)]
pub enum Proof {
    /// The secret given at intake.
    Secret(String),
    /// The phone the case was reported with and the one-time code sent to it.
    Code { phone: String, code: String },
}

/// The answer to a code request: the same whether the phone was the case's or not.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CodeRequested {
    /// Always true: if the phone is the one the case was reported with, a code is on its way.
    pub accepted: bool,
    /// Minutes a code lasts.
    pub valid_minutes: i64,
}

/// The answer to a reissued secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SecretReissued {
    /// The new secret was sent by SMS to the phone, shown with all but its last four digits
    /// hidden; the old secret no longer works.
    pub sent_to: String,
}

/// The digits a phone's limits and codes are keyed by: its national form.
fn phone_key(phone: &str) -> ServiceResult<String> {
    let keys = phone_keys(phone);
    let national = keys
        .iter()
        .min_by_key(|k| k.len())
        .ok_or_else(|| ServiceError::field("phone", "expected a phone number (5 to 20 digits)"))?;
    Ok(hex::encode(Sha256::digest(
        format!("greenline tracking phone\0{national}").as_bytes(),
    )))
}

/// The digest a code is kept as: bound to its case and phone, so a code proves nothing else.
fn code_hash(case_id: i64, phone_key: &str, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!(
            "greenline tracking code\0{case_id}\0{phone_key}\0{}",
            code.trim()
        )
        .as_bytes(),
    ))
}

/// A phone with all but its last four digits hidden.
fn masked(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    format!("…{}", &digits[digits.len().saturating_sub(4)..])
}

/// Failed proofs a case takes within [`ATTEMPT_WINDOW`] before its view is refused.
pub const MAX_FAILED_ATTEMPTS: usize = 5;
/// How far back failed proofs count.
pub const ATTEMPT_WINDOW: Duration = Duration::hours(1);
/// Cases with recent failures kept before stale ones are swept out.
const SWEEP_AT: usize = 10_000;

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
    pub(crate) fn check(&self, id: i64, now: DateTime<Utc>) -> ServiceResult<()> {
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
    pub(crate) fn fail(&self, id: i64, now: DateTime<Utc>) {
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
        proof: Proof,
    ) -> ServiceResult<TrackView> {
        let case = self.proven_case(client, tracking_no, proof).await?;
        self.track_view(case).await
    }

    /// [`App::track`] for the portal, with a pass (see [`super::pass`]) that proves the case
    /// for the next few steps without the secret.
    pub async fn open_track(
        &self,
        client: IpAddr,
        tracking_no: &str,
        proof: Proof,
    ) -> ServiceResult<(TrackView, String)> {
        let case = self.proven_case(client, tracking_no, proof).await?;
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

    /// Sends a one-time code to `phone` if it is the phone case `tracking_no` was reported
    /// with; answers the same either way (see the module doc). Limited per client, per phone
    /// and per case.
    pub async fn request_tracking_code(
        &self,
        client: IpAddr,
        tracking_no: &str,
        phone: &str,
    ) -> ServiceResult<CodeRequested> {
        self.limiter.check(client)?;
        let number = TrackingNo::parse(tracking_no)?;
        let key = phone_key(phone)?;
        if self.notices.sms.is_none() {
            return Err(crate::notices::no_sms());
        }
        let now = self.now();
        self.tracking_attempts.check(number.case_id, now)?;
        let (by_case, by_phone) = self
            .store
            .tracking_code_requests(number.case_id, &key, now - Duration::hours(1))
            .await?;
        if by_phone >= CODES_PER_HOUR {
            return Err(ServiceError::TooManyAttempts(format!(
                "too many codes requested for this phone number: at most {CODES_PER_HOUR} an \
                 hour; try again later"
            )));
        }
        if by_case >= CODES_PER_HOUR {
            return Err(ServiceError::TooManyAttempts(format!(
                "too many codes requested for this case: at most {CODES_PER_HOUR} an hour; try \
                 again later, or track with the secret"
            )));
        }
        let known = match self.store.case_credentials(number.case_id).await {
            Ok((_, known)) => known,
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        let matches = known.as_deref().is_some_and(|known| {
            let given = phone_keys(phone);
            phone_keys(known).iter().any(|k| given.contains(k))
        });
        // The number's date must be the case's too, or the number is not this case's. Read
        // whether the phone matched or not, so that both answers take the same work.
        let same_number = match self.store.case(number.case_id).await {
            Ok(case) => case.tracking_no() == number,
            Err(StoreError::NotFound(_)) => false,
            Err(e) => return Err(e.into()),
        };
        let matches = matches && same_number;
        let expires = now + Duration::minutes(CODE_MINUTES);
        let code = matches.then(|| format!("{:06}", rand::rng().random_range(0..1_000_000)));
        let digest = code.as_deref().map(|c| code_hash(number.case_id, &key, c));
        self.store
            .insert_tracking_code(number.case_id, &key, digest.as_deref(), now, expires)
            .await?;
        if let (Some(code), Some(sms)) = (code, self.notices.sms.clone()) {
            let to = phone.trim().to_owned();
            let text = format!(
                "【12369】您的查询验证码是 {code}，{CODE_MINUTES} 分钟内有效，用于查询受理编号 \
                 {number} 的办理情况。如非本人操作，请忽略本短信。"
            );
            // In the background: the answer must not wait longer when the phone matched.
            tokio::spawn(async move {
                if let Err(e) = sms.send(&to, &text).await {
                    tracing::warn!("a tracking code was not sent: {e}");
                }
            });
        }
        Ok(CodeRequested {
            accepted: true,
            valid_minutes: CODE_MINUTES,
        })
    }

    /// A new secret for case `tracking_no`, proven by its phone and a one-time code: sent by
    /// SMS to that phone (the one message that carries a secret); the old secret stops working.
    pub async fn reissue_secret(
        &self,
        client: IpAddr,
        tracking_no: &str,
        phone: String,
        code: String,
    ) -> ServiceResult<SecretReissued> {
        if self.notices.sms.is_none() {
            return Err(crate::notices::no_sms());
        }
        let to = phone.trim().to_owned();
        let case = self
            .proven_case(client, tracking_no, Proof::Code { phone, code })
            .await?;
        let secret = new_secret();
        let number = case.tracking_no();
        // Sent first: if it cannot be sent, the old secret still works.
        self.send_sms_now(
            &to,
            &format!(
                "【12369】受理编号 {number} 的新查询码：{secret}（原查询码已失效）。请妥善保存，\
                 勿告知他人。"
            ),
        )
        .await?;
        let actor = greenline_store::Actor::public();
        self.store
            .replace_secret(
                case.id,
                &secret_hash(&secret),
                greenline_store::NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: None,
                    data: serde_json::json!({ "proof": "phone_code" }),
                },
            )
            .await?;
        Ok(SecretReissued {
            sent_to: masked(&to),
        })
    }

    /// The case proven by the secret sent in a request's body (a rating, a review request):
    /// an empty one is refused by name before anything is counted.
    pub(crate) async fn proven_by_secret(
        &self,
        client: IpAddr,
        tracking_no: &str,
        secret: String,
    ) -> ServiceResult<greenline_domain::Case> {
        if secret.trim().is_empty() {
            return Err(ServiceError::field(
                "secret",
                "required: the secret from intake",
            ));
        }
        self.proven_case(client, tracking_no, Proof::Secret(secret))
            .await
    }

    /// The case whose tracking number and proof a member of the public gave, under the public
    /// rate limit of `client` and the case's limit on failed proofs (see the module doc).
    pub(crate) async fn proven_case(
        &self,
        client: IpAddr,
        tracking_no: &str,
        proof: Proof,
    ) -> ServiceResult<greenline_domain::Case> {
        self.limiter.check(client)?;
        let number = TrackingNo::parse(tracking_no)?;
        let what = match &proof {
            Proof::Secret(_) => "case with this tracking number and secret",
            Proof::Code { .. } => {
                "case with this tracking number, phone and a valid code (a code lasts ten \
                 minutes, takes five tries and proves one look-up)"
            }
        };
        let not_found = || ServiceError::NotFound(what);
        let now = self.now();
        match &proof {
            Proof::Secret(secret) if secret.trim().is_empty() => {
                return Err(ServiceError::parameter(
                    "secret",
                    "required: give the secret from intake, or the phone you reported with and \
                     a code sent to it",
                ));
            }
            Proof::Code { phone, code } => {
                phone_key(phone)?;
                if code.trim().is_empty() {
                    return Err(ServiceError::parameter(
                        "code",
                        "required with the phone: request a code first (a phone alone proves \
                         nothing)",
                    ));
                }
            }
            Proof::Secret(_) => {}
        }
        self.tracking_attempts.check(number.case_id, now)?;
        let proven = match proof {
            Proof::Secret(secret) => match self.store.case_credentials(number.case_id).await {
                Ok((hash, _)) => secret_hash(&secret) == hash,
                Err(StoreError::NotFound(_)) => false,
                Err(e) => return Err(e.into()),
            },
            Proof::Code { phone, code } => {
                let key = phone_key(&phone)?;
                match self.store.latest_tracking_code(number.case_id).await? {
                    Some(stored)
                        if stored.expires_at > now
                            && stored.failures < CODE_TRIES
                            && stored.code_hash.as_deref()
                                == Some(code_hash(number.case_id, &key, &code).as_str()) =>
                    {
                        self.store.use_tracking_code(stored.id, now).await?
                    }
                    Some(stored) => {
                        self.store.fail_tracking_code(stored.id).await?;
                        false
                    }
                    None => false,
                }
            }
        };
        if !proven {
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
