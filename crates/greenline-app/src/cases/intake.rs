//! Intake: every channel's way in (web, WeChat, phone, letter, visit, 12345 …).

use std::net::IpAddr;

use greenline_domain::case::MAX_DESCRIPTION_CHARS;
use greenline_domain::{
    Action, Case, Command, Deadline, DeadlineKind, IntakeForm, NewCase, RegionCode, apply,
};
use greenline_store::{Actor, AutoRouting, IdempotencyKey, IntakeRecord, Unit, UnitEntry};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::cases::evidence::{EvidenceFile, prepare};
use crate::error::{ServiceError, ServiceResult};
use crate::views::IntakeResponse;
use crate::{App, Caller};

/// How long a retry key (and the sealed secret a retry answers with) is kept.
pub const RETRY_KEYS_KEPT: chrono::Duration = chrono::Duration::hours(24);

/// Earlier cases a staff intake answer names at most.
const REPEAT_HINTS: usize = 3;

/// Letters and digits that cannot be mistaken for one another when read out on the phone.
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const SECRET_LEN: usize = 12;

pub(crate) fn new_secret() -> String {
    let mut rng = rand::rng();
    (0..SECRET_LEN)
        .map(|_| char::from(SECRET_ALPHABET[rng.random_range(0..SECRET_ALPHABET.len())]))
        .collect()
}

/// The bytes a tracking secret is sealed with in the retry table: a digest of the client's
/// retry key (which is stored only as another digest) and the request it came with. Each key
/// seals one secret, so the pad is never used twice.
fn pad(retry: &RetryKey) -> [u8; 32] {
    let mut digest = Sha256::new();
    digest.update(b"greenline retry secret\0");
    digest.update(retry.key.as_bytes());
    digest.update(b"\0");
    digest.update(retry.request_hash.as_bytes());
    digest.finalize().into()
}

/// The secret as the retry table keeps it: hex of the secret's bytes under the pad.
fn seal(secret: &str, retry: &RetryKey) -> String {
    let pad = pad(retry);
    hex::encode(
        secret
            .bytes()
            .zip(pad.iter().cycle())
            .map(|(b, p)| b ^ p)
            .collect::<Vec<u8>>(),
    )
}

/// The secret a retry's row holds, opened with the client's key.
fn unseal(sealed: &str, retry: &RetryKey) -> ServiceResult<String> {
    let pad = pad(retry);
    let bytes = hex::decode(sealed).map_err(ServiceError::internal)?;
    String::from_utf8(
        bytes
            .iter()
            .zip(pad.iter().cycle())
            .map(|(b, p)| b ^ p)
            .collect(),
    )
    .map_err(ServiceError::internal)
}

/// The stored form of a tracking secret.
pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(
        secret.trim().to_ascii_uppercase().as_bytes(),
    ))
}

/// The office that receives a public submission: the widest enabled unit whose region
/// contains the place (the platform's own office), which then routes it down — by its dispatch
/// rules at once, or by hand.
pub(crate) fn receiving_unit(units: &[UnitEntry], region: RegionCode) -> Option<&Unit> {
    units
        .iter()
        .filter(|u| u.disabled_at.is_none() && region.is_within(u.unit.region))
        .map(|u| &u.unit)
        .min_by_key(|u| (u.region.level(), u.id))
}

/// Who submits: a citizen (from a client address, rate-limited), a staff member, or a
/// registered Open311 client (its key checked and rate-limited by [`App::open311_client`]).
#[derive(Debug, Clone, Copy)]
pub enum Submitter<'a> {
    Public(IpAddr),
    Staff(&'a Caller),
    Open311(&'a greenline_store::Open311Client),
    /// A 12345 centre transferring a work order (its key checked by
    /// [`App::transfer_centre`]).
    Centre(&'a greenline_store::TransferCentre),
}

/// A retry key the channel sent (e.g. the `Idempotency-Key` header) and a digest of the
/// request it came with.
#[derive(Debug, Clone)]
pub struct RetryKey {
    pub key: String,
    pub request_hash: String,
}

/// A registered case, as intake answers it.
#[derive(Debug)]
pub struct Registered {
    pub receipt: IntakeResponse,
    /// The case as stored.
    pub case: Case,
    /// An earlier submission with the same retry key: nothing new was created.
    pub replayed: bool,
    /// How many photos and videos were kept with the case.
    pub evidence: usize,
}

impl App {
    /// The office that receives a submission from outside (see [`receiving_unit`]).
    async fn receiving_unit_of(&self, region: RegionCode) -> ServiceResult<Unit> {
        let units = self.store.unit_entries().await?;
        receiving_unit(&units, region).cloned().ok_or_else(|| {
            ServiceError::Unavailable(format!(
                "no office is set up to receive cases from {}",
                region.full_name()
            ))
        })
    }

    /// Forgets retry keys older than [`RETRY_KEYS_KEPT`] now; how many. A started node does
    /// this every hour.
    pub async fn forget_old_retry_keys(&self) -> ServiceResult<u64> {
        Ok(self
            .store
            .forget_idempotency_keys(self.now() - RETRY_KEYS_KEPT)
            .await?)
    }

    /// Registers a case: the type suggestion, the form's checks, who may register what, which
    /// unit receives it, its first deadline and the store's write; staff keying in a case are
    /// told at once if it may repeat one they already hold.
    pub async fn register(
        &self,
        who: Submitter<'_>,
        form: IntakeForm,
        retry: Option<RetryKey>,
    ) -> ServiceResult<Registered> {
        self.register_with_evidence(who, form, retry, Vec::new())
            .await
    }

    /// [`App::register`], with the photos and videos the reporter sent: each is checked
    /// (count, size, type from its bytes) with the form, a refusal keeps nothing; their bytes
    /// are written to the file store before the case, and recorded with it, each with an
    /// `attach` event, in the intake's one transaction (see [`crate::cases::evidence`]).
    pub async fn register_with_evidence(
        &self,
        who: Submitter<'_>,
        mut form: IntakeForm,
        retry: Option<RetryKey>,
        evidence: Vec<EvidenceFile>,
    ) -> ServiceResult<Registered> {
        // The cheap refusals come before the classifier reads the text: a citizen over the
        // rate limit, a description too long to be one (its characters counted, not read).
        if let Submitter::Public(ip) = who {
            self.limiter.check(ip)?;
        }
        if form.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(ServiceError::field(
                "description",
                format!("longer than {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        // The classifier is CPU work: off the async threads.
        let (form, suggestion) = tokio::task::spawn_blocking(move || {
            let suggestion = crate::suggest::suggest(&mut form);
            (form, suggestion)
        })
        .await?;
        // The files' checks and the form's are answered together, so all is put right at once.
        let prepared = prepare(evidence).await;
        let new = match (NewCase::parse(&form), prepared) {
            (Ok(new), Ok(prepared)) => (new, prepared),
            (
                Err(greenline_domain::DomainError::Invalid(mut found)),
                Err(ServiceError::Invalid(more)),
            ) => {
                found.extend(more);
                return Err(ServiceError::Invalid(found));
            }
            (Err(error), _) => return Err(error.into()),
            (_, Err(error)) => return Err(error),
        };
        let (new, mut prepared) = new;
        let (unit, actor, scope) = match who {
            Submitter::Public(client) => {
                if !new.channel.is_self_service() {
                    return Err(ServiceError::Unauthorized);
                }
                // An external reference is another system's number (a 12345 work order): a
                // citizen setting one could squat an order number, or probe whether it exists.
                if new.external_id.is_some() {
                    return Err(ServiceError::field(
                        "external_id",
                        "only staff and 12345 centres set an external reference",
                    ));
                }
                let unit = self.receiving_unit_of(new.region).await?;
                // Retry keys of the public are the client's own: another address sending the
                // same key and body gets a case of its own, never the first one's secret.
                (unit, Actor::public(), format!("public:{client}"))
            }
            Submitter::Open311(client) => {
                if new.channel != greenline_domain::Channel::Open311 {
                    return Err(ServiceError::field(
                        "channel",
                        "an Open311 client submits on channel open311",
                    ));
                }
                let unit = self.receiving_unit_of(new.region).await?;
                // The event log names the client, so its submissions can be traced to its key.
                let actor = Actor {
                    staff_id: None,
                    label: format!("open311:{} {}", client.id, client.name),
                };
                (unit, actor, format!("open311:{}", client.id))
            }
            Submitter::Centre(centre) => {
                if new.channel != greenline_domain::Channel::Transfer12345 {
                    return Err(ServiceError::field(
                        "channel",
                        "a 12345 centre transfers on channel 12345",
                    ));
                }
                if !new.region.is_within(centre.region) {
                    return Err(ServiceError::field(
                        "region",
                        format!(
                            "{} is outside the area of {} ({})",
                            new.region.full_name(),
                            centre.name,
                            centre.region.full_name()
                        ),
                    ));
                }
                let unit = self.receiving_unit_of(new.region).await?;
                let actor = Actor {
                    staff_id: None,
                    label: format!("12345:{} {}", centre.code, centre.name),
                };
                (unit, actor, format!("12345:{}", centre.id))
            }
            Submitter::Staff(staff) => {
                let scope = staff.scope();
                if !scope.can_register() {
                    return Err(ServiceError::Forbidden(
                        "registering cases needs the operator, handler or supervisor role"
                            .to_owned(),
                    ));
                }
                if !scope.can_see(new.region) {
                    return Err(ServiceError::field(
                        "region",
                        format!(
                            "{} is outside your jurisdiction ({})",
                            new.region.full_name(),
                            staff.unit.region.full_name()
                        ),
                    ));
                }
                (
                    staff.unit.clone(),
                    staff.actor(),
                    format!("staff:{}", staff.id),
                )
            }
        };
        let secret = new_secret();
        let idempotency = retry.as_ref().map(|r| IdempotencyKey {
            scope,
            key: hex::encode(Sha256::digest(r.key.as_bytes())),
            request_hash: r.request_hash.clone(),
            secret: seal(&secret, r),
        });
        let now = self.now();
        let limits = self.deadlines.limits_for(new.kind, new.region);
        let mut due =
            Deadline::starting(DeadlineKind::Acceptance, now, limits.acceptance_days).due_at;
        // A public (or Open311) case goes down the chain by the dispatch rules at once, in the
        // intake's own transaction; staff keep what they key in.
        let mut routing = Vec::new();
        if let Submitter::Public(_) | Submitter::Open311(_) | Submitter::Centre(_) = who {
            let mut case = Case::registered(0, &new, unit.id, now);
            for (step, note) in self
                .dispatch_steps(unit.id, new.region, new.primary_type)
                .await?
            {
                let command = Command::Assign {
                    unit_id: step.to_unit_id,
                    note: None,
                };
                // A kind whose workflow does not route at this stage stays where it is.
                let Ok(applied) = apply(&case, &command, now, &limits) else {
                    break;
                };
                debug_assert_eq!(applied.action, Action::Assign);
                routing.push(AutoRouting {
                    rule_id: step.rule_id,
                    from_unit_id: step.from_unit_id,
                    to_unit_id: step.to_unit_id,
                    from_stage: applied.from,
                    to_stage: applied.to,
                    note,
                });
                case = applied.case;
            }
            if let Some(d) = case.current_deadline(&limits) {
                due = d.due_at;
            }
        }
        // The files' bytes before the case that names them.
        self.keep_evidence(&mut prepared).await?;
        let evidence = prepared.rows.len();
        let receipt = self
            .store
            .intake_with_evidence(
                IntakeRecord {
                    secret_hash: secret_hash(&secret),
                    secret,
                    case: new,
                    unit_id: unit.id,
                    received_at: now,
                    due_at: Some(due),
                    actor,
                    idempotency,
                    suggestion,
                },
                routing,
                prepared.rows,
            )
            .await?;
        let case = receipt.case;
        // A retry's answer carries the secret as the first one sealed it, with this key.
        let secret = match (&retry, receipt.replayed) {
            (Some(retry), true) => unseal(&receipt.secret, retry)?,
            _ => receipt.secret,
        };
        // A replayed case came from the same body, so the same limits apply to it.
        let acceptance = Deadline::starting(
            DeadlineKind::Acceptance,
            case.received_at,
            limits.acceptance_days,
        );
        let mut registered = Registered {
            evidence,
            replayed: receipt.replayed,
            receipt: IntakeResponse {
                id: case.id,
                tracking_no: case.tracking_no().to_string(),
                secret,
                kind: case.kind,
                stage: case.stage,
                received_at: case.received_at,
                acceptance_due: acceptance.last_day,
                possible_repeats: Vec::new(),
            },
            case,
        };
        // The case is stored by now: a failed lookup only leaves the hint out of the answer.
        if let Submitter::Staff(staff) = who
            && !registered.replayed
        {
            match self
                .repeats_of_new(staff, &registered.case, REPEAT_HINTS)
                .await
            {
                Ok(repeats) => registered.receipt.possible_repeats = repeats,
                Err(error) => {
                    tracing::warn!("repeat hints for case {}: {error}", registered.case.id);
                }
            }
        }
        Ok(registered)
    }
}
