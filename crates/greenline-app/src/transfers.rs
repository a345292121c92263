//! The 12345 hand-over (12345 转办): city 12345 hotlines transfer environmental work orders in
//! and get the result back.
//!
//! - **Centres** are registered by administrators (API, command line), each with its own key
//!   (`glc_…`, stored as its SHA-256), a short code, the region it serves and, if it wants
//!   results pushed, a callback URL with the secret its callbacks are signed with (shown once).
//! - **Transfer in** ([`App::transfer_in`]): a work order becomes a case on channel `12345`
//!   through the one intake use case; its external reference is `<code>:<order number>`, so the
//!   store's unique index refuses an order the same centre sent already (409, naming the
//!   tracking number it got), while two centres may use the same numbers. The place must lie
//!   in the centre's region.
//! - **Status feed** ([`App::transfer_status`]): the centre polls the steps of its cases after
//!   a cursor (registered, accepted, rejected, assigned, concluded, replied, published …), with
//!   the public status and, with a reply, what it said, masked as every public output is.
//! - **Callbacks**: a step that tells the centre something (acceptance, rejection, conclusion,
//!   reply) writes a callback in its own transaction (the outbox, as notices do);
//!   [`App::deliver_transfer_callbacks`] posts it, signed like the SMS webhook
//!   (`x-greenline-signature: sha256=<HMAC-SHA256 of "<timestamp>.<body>">`,
//!   `x-greenline-timestamp`), records every attempt, and tries a failed one again after
//!   the notices' back-off (`notices.retry_seconds`, doubling, at most
//!   `notices.max_attempts`).
//!
//! Nothing sent to a centre names the reporter: the centre has its caller already, and what
//! goes back is the result.

use chrono::{DateTime, Duration, Utc};
use greenline_domain::{Action, Case, Channel, IntakeForm, RegionCode, TrackingNo};
use greenline_store::{AuditOutcome, NewTransferCallback, NewTransferCentre};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::accounts::{new_token, token_hash};
use crate::audit::AuditAction;
use crate::cases::intake::Submitter;
use crate::error::{ServiceError, ServiceResult};
use crate::notices::{SIGNATURE_HEADER, TIMESTAMP_HEADER, webhook_signature};
use crate::{App, Caller, Origin};

pub use greenline_store::{CallbackAttempt, TransferCallback, TransferCentre};

/// What centre keys start with.
pub const KEY_PREFIX: &str = "glc_";
/// Characters of a key kept to tell keys apart.
const SHOWN_PREFIX: usize = 8;
/// Steps a status feed page holds at most.
pub const MAX_FEED_PAGE: u32 = 500;

/// A centre to register.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCentre {
    /// Short and unique: letters, digits, `-` and `_`, 2 to 32 (`sz12345`).
    pub code: String,
    /// The centre's name (深圳市12345政务服务便民热线).
    pub name: String,
    /// The six-digit code of the region it serves; its transfers must lie inside it.
    pub region: String,
    /// Where results are posted (http or https); none: the centre polls the status feed only.
    #[serde(default)]
    pub callback_url: Option<String>,
}

/// A centre just registered, with its key and callback secret (shown once).
#[derive(Debug, Clone)]
pub struct IssuedCentre {
    pub centre: TransferCentre,
    pub key: String,
    pub callback_secret: Option<String>,
}

/// A work order as a centre transfers it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferForm {
    /// The centre's work order number (工单编号), 1 to 64 letters, digits, `-`, `_`, `/`.
    pub order_no: String,
    /// `report` (default), `petition` or `reconsideration`.
    #[serde(default)]
    pub kind: Option<String>,
    /// A pollution type code; left out, the classifier's suggestion is taken.
    #[serde(default)]
    pub primary_type: Option<String>,
    #[serde(default)]
    pub sub_type: Option<String>,
    /// The six-digit region code of the place.
    pub region: String,
    #[serde(default)]
    pub address: String,
    /// What the caller said (诉求内容).
    pub description: String,
    /// The caller, as the centre recorded them (kept as the reporter; never sent back). With
    /// neither name nor phone the call counts as anonymous.
    #[serde(default)]
    pub reporter_name: Option<String>,
    #[serde(default)]
    pub reporter_phone: Option<String>,
    #[serde(default)]
    pub anonymous: bool,
    #[serde(default)]
    pub latitude: Option<f64>,
    #[serde(default)]
    pub longitude: Option<f64>,
    /// `wgs84` (default) or `gcj02`.
    #[serde(default)]
    pub datum: Option<String>,
}

/// A transfer registered.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Transferred {
    pub order_no: String,
    /// 受理编号: the case's number here.
    pub tracking_no: String,
    pub received_at: DateTime<Utc>,
    /// The last day to decide on acceptance (China time).
    pub acceptance_due: chrono::NaiveDate,
}

/// One step of a transferred case in the status feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferStatus {
    /// The feed's cursor: pass the last one seen as `after`.
    pub cursor: i64,
    pub order_no: String,
    pub tracking_no: String,
    /// The step: `register`, `accept`, `reject`, `assign`, `conclude`, `reply`, `publish` …
    pub event: String,
    pub event_zh: String,
    pub at: DateTime<Utc>,
    /// The public status after the step: `not_yet_accepted`, `in_progress`, `concluded`,
    /// `not_accepted`.
    pub status: greenline_domain::PublicStatus,
    pub status_zh: String,
    /// With a reply: what that reply said, masked as public outputs are.
    pub reply: Option<String>,
}

/// A page of the status feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusFeed {
    pub items: Vec<TransferStatus>,
    /// The `after` of the next page (the last cursor, or the one given when nothing is new).
    pub next_after: i64,
}

/// A callback and every attempt to deliver it.
#[derive(Debug, Clone)]
pub struct CallbackRecord {
    pub callback: TransferCallback,
    pub attempts: Vec<CallbackAttempt>,
}

fn check_code(code: &str) -> ServiceResult<&str> {
    let code = code.trim();
    let fine = (2..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if fine {
        Ok(code)
    } else {
        Err(ServiceError::field(
            "code",
            "2 to 32 letters, digits, '-' or '_'",
        ))
    }
}

fn check_order(order: &str) -> ServiceResult<&str> {
    let order = order.trim();
    let fine = (1..=64).contains(&order.len())
        && order
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/'));
    if fine {
        Ok(order)
    } else {
        Err(ServiceError::field(
            "order_no",
            "1 to 64 letters, digits, '-', '_' or '/'",
        ))
    }
}

fn require_admin(caller: &Caller) -> ServiceResult<()> {
    if caller.scope().can_manage_accounts() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only administrators manage 12345 centres".to_owned(),
        ))
    }
}

/// The order number of a transferred case's external reference (`<code>:<order>`).
fn order_of(external_id: &str) -> &str {
    external_id
        .split_once(':')
        .map_or(external_id, |(_, order)| order)
}

/// What a step tells a centre: the last of acceptance, rejection, conclusion, reply.
fn told(actions: &[Action]) -> Option<&'static str> {
    actions.iter().rev().find_map(|a| match a {
        Action::Accept => Some("accepted"),
        Action::Reject => Some("rejected"),
        Action::Conclude => Some("concluded"),
        Action::Reply => Some("replied"),
        _ => None,
    })
}

impl App {
    /// Registers a centre and issues its key (and callback secret), shown once.
    pub async fn issue_transfer_centre(
        &self,
        admin: &Caller,
        new: NewCentre,
    ) -> ServiceResult<IssuedCentre> {
        require_admin(admin)?;
        let entry = self.audit_entry(
            admin,
            AuditAction::IssueCentreKey,
            new.code.trim(),
            AuditOutcome::Ok,
            json!({ "region": new.region.trim() }),
        );
        self.store_centre(new, Some(admin.id), entry).await
    }

    /// [`App::issue_transfer_centre`] from the server's command line; recorded.
    pub async fn issue_transfer_centre_locally(
        &self,
        new: NewCentre,
    ) -> ServiceResult<IssuedCentre> {
        let mut entry = self.anonymous_audit_entry(
            "command line",
            Origin::CommandLine,
            AuditAction::IssueCentreKey,
            AuditOutcome::Ok,
            json!({ "region": new.region.trim() }),
        );
        entry.target = new.code.trim().to_owned();
        self.store_centre(new, None, entry).await
    }

    async fn store_centre(
        &self,
        new: NewCentre,
        created_by: Option<i64>,
        entry: greenline_store::AuditEntry,
    ) -> ServiceResult<IssuedCentre> {
        let code = check_code(&new.code)?.to_owned();
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(ServiceError::field("name", "1 to 64 characters"));
        }
        let region = RegionCode::parse(new.region.trim())
            .map_err(|_| ServiceError::field("region", "not a known region code"))?;
        let callback_url = new
            .callback_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(|u| {
                if u.starts_with("http://") || u.starts_with("https://") {
                    Ok(u.to_owned())
                } else {
                    Err(ServiceError::field(
                        "callback_url",
                        "an http:// or https:// URL",
                    ))
                }
            })
            .transpose()?;
        let key = format!("{KEY_PREFIX}{}", new_token());
        let callback_secret = callback_url.as_ref().map(|_| new_token());
        let centre = self
            .store
            .create_transfer_centre(
                &NewTransferCentre {
                    code,
                    name: name.to_owned(),
                    region,
                    key_hash: token_hash(&key),
                    key_prefix: key.chars().take(SHOWN_PREFIX).collect(),
                    callback_url,
                    callback_secret: callback_secret.clone(),
                    created_by,
                },
                self.now(),
                &entry,
            )
            .await?;
        Ok(IssuedCentre {
            centre,
            key,
            callback_secret,
        })
    }

    /// Every registered centre.
    pub async fn transfer_centres(&self, admin: &Caller) -> ServiceResult<Vec<TransferCentre>> {
        require_admin(admin)?;
        Ok(self.store.transfer_centres().await?)
    }

    /// Every registered centre, for the command line.
    pub async fn transfer_centres_locally(&self) -> ServiceResult<Vec<TransferCentre>> {
        Ok(self.store.transfer_centres().await?)
    }

    /// Revokes a centre's key.
    pub async fn revoke_transfer_centre(&self, admin: &Caller, id: i64) -> ServiceResult<()> {
        require_admin(admin)?;
        let centre = self.store.transfer_centre(id).await?;
        let entry = self.audit_entry(
            admin,
            AuditAction::RevokeCentreKey,
            &centre.code,
            AuditOutcome::Ok,
            json!({ "centre": id }),
        );
        Ok(self
            .store
            .revoke_transfer_centre(id, self.now(), &entry)
            .await?)
    }

    /// [`App::revoke_transfer_centre`] from the command line; recorded.
    pub async fn revoke_transfer_centre_locally(&self, id: i64) -> ServiceResult<()> {
        let centre = self.store.transfer_centre(id).await?;
        let mut entry = self.anonymous_audit_entry(
            "command line",
            Origin::CommandLine,
            AuditAction::RevokeCentreKey,
            AuditOutcome::Ok,
            json!({ "centre": id }),
        );
        entry.target = centre.code;
        Ok(self
            .store
            .revoke_transfer_centre(id, self.now(), &entry)
            .await?)
    }

    /// A centre's callbacks, newest first, each with every attempt to deliver it.
    pub async fn transfer_callbacks(
        &self,
        admin: &Caller,
        centre: i64,
    ) -> ServiceResult<Vec<CallbackRecord>> {
        require_admin(admin)?;
        self.store.transfer_centre(centre).await?;
        let mut out = Vec::new();
        for callback in self.store.transfer_callbacks(centre, 200).await? {
            let attempts = self.store.transfer_callback_attempts(callback.id).await?;
            out.push(CallbackRecord { callback, attempts });
        }
        Ok(out)
    }

    /// The centre holding `key`, if the key is live: absent, unknown or revoked, 403.
    pub async fn transfer_centre(&self, key: Option<&str>) -> ServiceResult<TransferCentre> {
        let key = key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                ServiceError::Forbidden(
                    "a 12345 centre's key (X-Centre-Key) is required".to_owned(),
                )
            })?;
        let centre = self
            .store
            .transfer_centre_by_key(&token_hash(key), self.now())
            .await?
            .ok_or_else(|| ServiceError::Forbidden("the centre key is not valid".to_owned()))?;
        if centre.revoked_at.is_some() {
            return Err(ServiceError::Forbidden(
                "the centre key has been revoked".to_owned(),
            ));
        }
        Ok(centre)
    }

    /// Registers a work order from the centre holding `key` (see the module doc).
    pub async fn transfer_in(
        &self,
        key: Option<&str>,
        form: TransferForm,
    ) -> ServiceResult<Transferred> {
        let centre = self.transfer_centre(key).await?;
        self.transfer_from(&centre, form).await
    }

    /// Registers a work order from `centre` (the API's transfers and `greenline import
    /// --profile 12345` both come here).
    pub async fn transfer_from(
        &self,
        centre: &TransferCentre,
        form: TransferForm,
    ) -> ServiceResult<Transferred> {
        let order = check_order(&form.order_no)?.to_owned();
        let external = format!("{}:{order}", centre.code);
        // A work order without the caller's contact is an anonymous call (the centre keeps
        // whatever it has); the intake's own rule would otherwise ask for a phone.
        let unnamed = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        let anonymous =
            form.anonymous || (unnamed(&form.reporter_name) && unnamed(&form.reporter_phone));
        let intake = IntakeForm {
            kind: form.kind,
            channel: Channel::Transfer12345.code().to_owned(),
            primary_type: form.primary_type.unwrap_or_default(),
            other_types: Vec::new(),
            sub_type: form.sub_type,
            industry: None,
            region: form.region,
            address: form.address,
            description: form.description,
            anonymous,
            reporter_name: form.reporter_name,
            reporter_phone: form.reporter_phone,
            reporter_address: None,
            reporter_email: None,
            external_id: Some(external.clone()),
            latitude: form.latitude,
            longitude: form.longitude,
            datum: form.datum,
        };
        let registered = match self.register(Submitter::Centre(centre), intake, None).await {
            Err(ServiceError::Conflict { .. }) => {
                let earlier = self.store.case_by_external_id(&external).await?;
                let number = match earlier {
                    Some(id) => self.store.case(id).await?.tracking_no().to_string(),
                    None => String::from("?"),
                };
                return Err(ServiceError::conflict(format!(
                    "work order {order} was transferred already: {number}"
                )));
            }
            other => other?,
        };
        Ok(Transferred {
            order_no: order,
            tracking_no: registered.receipt.tracking_no,
            received_at: registered.receipt.received_at,
            acceptance_due: registered.receipt.acceptance_due,
        })
    }

    /// The live centre with `code`, for a bulk transfer on the command line.
    pub async fn transfer_centre_by_code(&self, code: &str) -> ServiceResult<TransferCentre> {
        let centre = self
            .store
            .transfer_centre_by_code(code.trim())
            .await?
            .ok_or(ServiceError::NotFound("centre"))?;
        if centre.revoked_at.is_some() {
            return Err(ServiceError::Forbidden(format!(
                "the key of centre {} has been revoked",
                centre.code
            )));
        }
        Ok(centre)
    }

    /// The tracking number of the case `centre` transferred as `order`, if it did.
    pub async fn transferred_already(
        &self,
        centre: &TransferCentre,
        order: &str,
    ) -> ServiceResult<Option<String>> {
        let external = format!("{}:{}", centre.code, order.trim());
        match self.store.case_by_external_id(&external).await? {
            Some(id) => Ok(Some(self.store.case(id).await?.tracking_no().to_string())),
            None => Ok(None),
        }
    }

    /// The checks of a work order that need no writing: its number, its place (known, inside
    /// the centre's region), its types and its description; each field at fault named.
    pub fn check_transfer(
        &self,
        centre: &TransferCentre,
        form: &TransferForm,
    ) -> ServiceResult<()> {
        let mut errors = Vec::new();
        if let Err(ServiceError::Invalid(mut found)) = check_order(&form.order_no) {
            errors.append(&mut found);
        }
        match RegionCode::parse(form.region.trim()) {
            Ok(region) if region.is_within(centre.region) => {}
            Ok(region) => errors.push(greenline_domain::FieldError::new(
                "region",
                format!(
                    "{} is outside the area of {}",
                    region.full_name(),
                    centre.name
                ),
            )),
            Err(_) => errors.push(greenline_domain::FieldError::new(
                "region",
                "not a known region code",
            )),
        }
        if let Some(code) = form
            .primary_type
            .as_deref()
            .filter(|c| !c.trim().is_empty())
            && greenline_domain::PollutionType::parse(code.trim()).is_err()
        {
            errors.push(greenline_domain::FieldError::new(
                "primary_type",
                "unknown type",
            ));
        }
        if let Some(code) = form.sub_type.as_deref().filter(|c| !c.trim().is_empty())
            && greenline_domain::SubType::parse(code.trim()).is_err()
        {
            errors.push(greenline_domain::FieldError::new(
                "sub_type",
                "unknown sub-type",
            ));
        }
        let words = form.description.trim().chars().count();
        if words == 0 || words > greenline_domain::case::MAX_DESCRIPTION_CHARS {
            errors.push(greenline_domain::FieldError::new(
                "description",
                format!(
                    "1 to {} characters",
                    greenline_domain::case::MAX_DESCRIPTION_CHARS
                ),
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(errors))
        }
    }

    /// The steps of the centre's cases after cursor `after` (0: from the start), oldest
    /// first, at most `limit` (default and most [`MAX_FEED_PAGE`]).
    pub async fn transfer_status(
        &self,
        key: Option<&str>,
        after: Option<&str>,
        limit: Option<&str>,
    ) -> ServiceResult<StatusFeed> {
        let centre = self.transfer_centre(key).await?;
        let after = match after.map(str::trim).filter(|a| !a.is_empty()) {
            Some(a) => a
                .parse::<i64>()
                .ok()
                .filter(|a| *a >= 0)
                .ok_or_else(|| ServiceError::parameter("after", "expected a cursor"))?,
            None => 0,
        };
        let limit = match limit.map(str::trim).filter(|l| !l.is_empty()) {
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=MAX_FEED_PAGE).contains(l))
                .ok_or_else(|| {
                    ServiceError::parameter("limit", format!("expected 1 to {MAX_FEED_PAGE}"))
                })?,
            None => MAX_FEED_PAGE,
        };
        let steps = self
            .store
            .transfer_steps(&centre.code, after, limit)
            .await?;
        let mut ids: Vec<i64> = steps.iter().map(|s| s.case_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let known = self.identities_to_mask(&ids).await?;
        let nobody = Default::default();
        let items = steps
            .iter()
            .map(|step| {
                let status = step.stage.map_or(
                    greenline_domain::PublicStatus::NotYetAccepted,
                    greenline_domain::Stage::public_status,
                );
                let event_zh = if step.action == "register" {
                    "登记".to_owned()
                } else {
                    Action::parse(&step.action)
                        .map_or_else(|| step.action.clone(), |a| a.zh().to_owned())
                };
                TransferStatus {
                    cursor: step.event_id,
                    order_no: order_of(&step.external_id).to_owned(),
                    tracking_no: TrackingNo {
                        received_on: greenline_domain::deadline::local_date(step.received_at),
                        case_id: step.case_id,
                    }
                    .to_string(),
                    event: step.action.clone(),
                    event_zh,
                    at: step.at,
                    status,
                    status_zh: status.zh().to_owned(),
                    reply: step.reply.as_deref().map(|text| {
                        greenline_text::pii::mask_public(
                            text,
                            known.get(&step.case_id).unwrap_or(&nobody),
                        )
                        .into_owned()
                    }),
                }
            })
            .collect();
        Ok(StatusFeed {
            next_after: steps.last().map_or(after, |s| s.event_id),
            items,
        })
    }

    /// The callback a change of `case` by `actions` owes the centre that transferred it, if it
    /// was transferred by a centre with a callback and the change tells it something.
    pub(crate) async fn transfer_callback_for(
        &self,
        case: &Case,
        actions: &[Action],
        at: DateTime<Utc>,
    ) -> ServiceResult<Option<NewTransferCallback>> {
        if case.channel != Channel::Transfer12345 {
            return Ok(None);
        }
        let (Some(kind), Some(external)) = (told(actions), case.external_id.as_deref()) else {
            return Ok(None);
        };
        let Some((code, order)) = external.split_once(':') else {
            return Ok(None);
        };
        let Some(centre) = self.store.transfer_centre_by_code(code).await? else {
            return Ok(None);
        };
        if centre.callback_url.is_none() {
            return Ok(None);
        }
        let mut shown = case.clone();
        let known = self.identity_to_mask(case.id).await?;
        crate::masking::mask_case_public(&mut shown, &known);
        let status = shown.stage.public_status();
        let body = json!({
            "order_no": order,
            "tracking_no": shown.tracking_no().to_string(),
            "event": kind,
            "at": at,
            "status": status,
            "status_zh": status.zh(),
            "outcome_zh": shown.outcome.map(|o| o.zh()),
            "rejection_reason_zh": shown.rejection.map(|r| r.zh()),
            "reply": if kind == "replied" { shown.reply.clone() } else { None },
        });
        Ok(Some(NewTransferCallback {
            centre_id: centre.id,
            kind: kind.to_owned(),
            body: body.to_string(),
        }))
    }

    /// Posts the callbacks due now, at most `limit`: each attempt recorded, a failure tried
    /// again later; how many were delivered.
    pub async fn deliver_transfer_callbacks(&self, limit: u32) -> ServiceResult<usize> {
        let now = self.now();
        let lease = now + Duration::minutes(5);
        let due = self.store.due_transfer_callbacks(now, lease, limit).await?;
        let settings = &self.notices().settings;
        let mut delivered = 0;
        for item in due {
            let callback = &item.callback;
            let (status, error) = match (&item.url, &item.secret) {
                (Some(url), Some(secret)) => self.post_callback(url, secret, &callback.body).await,
                _ => (None, Some("the centre has no callback URL".to_owned())),
            };
            let at = self.now();
            let done = u32::try_from(callback.attempts).unwrap_or(u32::MAX) + 1;
            let retry = (error.is_some() && item.url.is_some() && done < settings.max_attempts)
                .then(|| at + self.notices().backoff(done));
            if let Some(why) = &error {
                tracing::warn!(
                    callback = callback.id,
                    case = callback.case_id,
                    attempt = done,
                    "a 12345 callback was not delivered: {why}"
                );
            } else {
                delivered += 1;
            }
            self.store
                .record_transfer_callback_attempt(callback.id, at, status, error.as_deref(), retry)
                .await?;
        }
        Ok(delivered)
    }

    /// One signed post; the status the centre answered and the error, if it failed.
    async fn post_callback(
        &self,
        url: &str,
        secret: &str,
        body: &str,
    ) -> (Option<u16>, Option<String>) {
        let timestamp = self.now().timestamp().to_string();
        let signature = webhook_signature(secret, &timestamp, body.as_bytes());
        let client = match reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .no_proxy()
            .build()
        {
            Ok(client) => client,
            Err(e) => return (None, Some(e.to_string())),
        };
        match client
            .post(url)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, signature)
            .body(body.to_owned())
            .send()
            .await
        {
            Ok(answer) if answer.status().is_success() => (Some(answer.status().as_u16()), None),
            Ok(answer) => (
                Some(answer.status().as_u16()),
                Some(format!("the centre answered {}", answer.status())),
            ),
            Err(e) => (None, Some(format!("posting: {}", e.without_url()))),
        }
    }

    /// Starts the callback sender: every `notices.poll_seconds`, the callbacks due are posted.
    pub(crate) fn start_transfer_sender(&self) {
        let app = self.clone();
        let pause = std::time::Duration::from_secs(self.notices().settings.poll_seconds.max(1));
        self.projections.spawn(async move {
            loop {
                loop {
                    match app.deliver_transfer_callbacks(50).await {
                        Ok(50) => continue,
                        Ok(_) => break,
                        Err(error) => {
                            tracing::warn!("posting 12345 callbacks: {error}");
                            break;
                        }
                    }
                }
                tokio::time::sleep(pause).await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_order_numbers_are_checked() {
        assert!(check_code("sz12345").is_ok());
        assert!(check_code("s").is_err());
        assert!(check_code("深圳").is_err());
        assert!(check_order("SZ2026-000123").is_ok());
        assert!(check_order("").is_err());
        assert!(check_order("a b").is_err());
        assert_eq!(order_of("sz12345:SZ2026-1"), "SZ2026-1");
    }

    #[test]
    fn a_centre_is_told_the_last_thing_a_step_did() {
        assert_eq!(told(&[Action::Accept]), Some("accepted"));
        assert_eq!(
            told(&[Action::Approve, Action::Conclude, Action::Reply]),
            Some("replied")
        );
        assert_eq!(told(&[Action::Assign]), None);
    }
}
