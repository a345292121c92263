//! Staff accounts: Argon2id password hashes and the password rules, sign-in with lock-out after
//! repeated failures, sessions with idle and absolute limits (opaque tokens stored as their
//! SHA-256), revocable API tokens, and the administration of units (offices) and staff. Every
//! attempt and every change is recorded in the audit trail.

use std::net::IpAddr;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use greenline_domain::{RegionCode, Role};
use greenline_store::{ApiToken, AuditOutcome, Login, NewApiToken, NewStaff, Staff, Unit};
use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller, Origin};

/// The fewest characters of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most characters of a password (Argon2 takes any length; this bounds the work).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// What API tokens start with, so that a leaked one is recognised (and told from a session).
pub const TOKEN_PREFIX: &str = "glt_";

/// The password rules of level-3 protection (等级保护): at least [`MIN_PASSWORD_CHARS`]
/// characters from at least three of four classes (lower-case letters, capitals, digits,
/// anything else), not containing the username.
pub fn check_password_rules(username: &str, password: &str) -> ServiceResult<()> {
    let count = password.chars().count();
    if count < MIN_PASSWORD_CHARS {
        return Err(ServiceError::field(
            "password",
            format!("at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if count > MAX_PASSWORD_CHARS {
        return Err(ServiceError::field(
            "password",
            format!("at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password
            .chars()
            .any(|c| !c.is_lowercase() && !c.is_uppercase() && !c.is_ascii_digit()),
    ];
    if classes.iter().filter(|&&has| has).count() < 3 {
        return Err(ServiceError::field(
            "password",
            "use at least three of: lower-case letters, capitals, digits, symbols",
        ));
    }
    let username = username.trim().to_lowercase();
    if username.chars().count() >= 3 && password.to_lowercase().contains(&username) {
        return Err(ServiceError::field(
            "password",
            "must not contain the username",
        ));
    }
    Ok(())
}

fn argon2() -> Argon2<'static> {
    // Argon2id, 19 MiB, 2 passes, 1 lane: the OWASP minimum for Argon2id.
    let params = Params::new(19 * 1024, 2, 1, None)
        .unwrap_or_else(|e| unreachable!("fixed Argon2 parameters are valid: {e}"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash to verify against when the username is unknown, so that a failed sign-in takes as
/// long whether or not the account exists.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password("no such account").unwrap_or_else(|_| "$argon2id$v=19$invalid".to_owned())
});

/// Hashes a password into a PHC string. CPU- and memory-heavy: call off the async threads.
pub fn hash_password(password: &str) -> ServiceResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("salt: {e}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("hashing: {e}")))
}

/// Checks a password against a PHC string.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|hash| argon2().verify_password(password.as_bytes(), &hash).is_ok())
        .unwrap_or(false)
}

/// A fresh random token, hex-encoded (256 bits): a session's, or behind [`TOKEN_PREFIX`] an API
/// token's.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are stored only as their SHA-256: a leaked table opens no session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An open session: its token (shown once), when it ends at the latest, and whose it is.
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub caller: Caller,
}

/// What a new account is.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub unit: String,
    /// Creates the unit when it does not exist yet.
    pub region: Option<RegionCode>,
    pub roles: Vec<Role>,
}

/// Why a sign-in was refused, as the audit trail records it.
fn refusal(reason: &str) -> serde_json::Value {
    json!({ "reason": reason })
}

impl App {
    /// Checks a username and password, recording every refusal. Verifies even for an unknown
    /// username, so timing does not tell which usernames exist; a disabled or locked account is
    /// refused like a wrong password (the audit trail tells which). Answers the account and
    /// whether its password has expired.
    async fn authenticate(
        &self,
        origin: Origin,
        username: &str,
        password: String,
    ) -> ServiceResult<(Login, bool)> {
        let found = self.store.staff_login(username).await?;
        let phc = found
            .as_ref()
            .map_or_else(|| DUMMY_HASH.clone(), |l| l.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await?;
        let now = self.now();
        let Some(login) = found else {
            let entry = self.anonymous_audit_entry(
                username,
                origin,
                AuditAction::SignIn,
                AuditOutcome::Denied,
                refusal("unknown username"),
            );
            self.store.sign_in_failed(None, 1, now, &entry).await?;
            return Err(ServiceError::Unauthorized);
        };
        let caller = Caller::new(login.staff.clone(), origin);
        let refuse = |outcome, reason: &str| {
            self.audit_entry(
                &caller,
                AuditAction::SignIn,
                username,
                outcome,
                refusal(reason),
            )
        };
        if login.disabled_at.is_some() {
            self.store
                .audit(&refuse(AuditOutcome::Failed, "account disabled"))
                .await?;
            return Err(ServiceError::Unauthorized);
        }
        if login.locked_until.is_some_and(|until| until > now) {
            self.store
                .audit(&refuse(AuditOutcome::Failed, "account locked"))
                .await?;
            return Err(ServiceError::Unauthorized);
        }
        if !ok {
            let settings = &self.settings;
            let lock_until = now + Duration::minutes(i64::from(settings.lock_minutes));
            let entry = refuse(AuditOutcome::Denied, "wrong password");
            let locked = self
                .store
                .sign_in_failed(
                    Some(login.staff.id),
                    settings.lock_after_failures,
                    lock_until,
                    &entry,
                )
                .await?;
            if locked.is_some_and(|until| until > now) {
                tracing::warn!(
                    "account {} locked after repeated sign-in failures",
                    login.staff.id
                );
            }
            return Err(ServiceError::Unauthorized);
        }
        let max_age = self.settings.password_max_age_days;
        let expired =
            max_age > 0 && login.password_set_at + Duration::days(i64::from(max_age)) <= now;
        Ok((login, expired))
    }

    /// The staff member whose credentials these are, if their password has not expired (an
    /// expired one is recorded and refused).
    async fn current_password(
        &self,
        origin: Origin,
        username: &str,
        password: String,
    ) -> ServiceResult<Caller> {
        let (login, expired) = self.authenticate(origin, username, password).await?;
        let caller = Caller::new(login.staff, origin);
        if expired {
            self.record(
                &caller,
                AuditAction::SignIn,
                username,
                AuditOutcome::Failed,
                refusal("password expired"),
            )
            .await?;
            return Err(ServiceError::PasswordExpired);
        }
        Ok(caller)
    }

    /// The staff member whose credentials these are (for a command that asks for a password).
    /// Refused like a sign-in: wrong, locked, disabled or expired.
    pub async fn check_password(
        &self,
        origin: Origin,
        username: &str,
        password: String,
    ) -> ServiceResult<Caller> {
        let caller = self.current_password(origin, username, password).await?;
        let entry = self.audit_entry(
            &caller,
            AuditAction::SignIn,
            username,
            AuditOutcome::Ok,
            json!({}),
        );
        self.store.signed_in(caller.id, &entry).await?;
        Ok(caller)
    }

    /// Signs in and opens a session. Attempts are limited per client address (apart from the
    /// public requests' limit, so that probes of the tracking page lock no one out), and per
    /// account: [`Settings::lock_after_failures`](crate::Settings) failures in a row lock it for
    /// `lock_minutes`. Attempts refused by the address limit are not recorded one by one (a
    /// flood would fill the trail); they are logged.
    pub async fn sign_in(
        &self,
        client: IpAddr,
        username: &str,
        password: String,
    ) -> ServiceResult<Session> {
        if let Err(refused) = self.sign_in_limiter.check(client) {
            tracing::warn!("sign-in attempts over the limit from one client");
            return Err(refused);
        }
        let origin = Origin::Address(client);
        let caller = self.current_password(origin, username, password).await?;
        let token = new_token();
        let now = self.now();
        let expires_at = now + Duration::hours(i64::from(self.settings.session_hours));
        let entry = self.audit_entry(
            &caller,
            AuditAction::SignIn,
            username,
            AuditOutcome::Ok,
            json!({}),
        );
        self.store
            .open_session(&token_hash(&token), caller.id, now, expires_at, &entry)
            .await?;
        Ok(Session {
            token,
            expires_at,
            caller,
        })
    }

    /// The staff member of a live session or API token; `Unauthorized` if the token opens
    /// none. A session ends [`Settings::session_hours`](crate::Settings) after sign-in, or
    /// after `session_idle_minutes` without a request, or when its account is disabled.
    pub async fn session(&self, token: &str, origin: Origin) -> ServiceResult<Caller> {
        let now = self.now();
        let staff = if token.starts_with(TOKEN_PREFIX) {
            self.store.token_staff(&token_hash(token), now).await?
        } else {
            let idle = Duration::minutes(i64::from(self.settings.session_idle_minutes));
            self.store
                .session_staff(&token_hash(token), now, now - idle)
                .await?
        };
        staff
            .map(|staff| Caller::new(staff, origin))
            .ok_or(ServiceError::Unauthorized)
    }

    /// Ends the session of `token` (nothing if there is none) and records it.
    pub async fn sign_out(&self, caller: &Caller, token: &str) -> ServiceResult<()> {
        if token.starts_with(TOKEN_PREFIX) {
            return Err(ServiceError::parameter(
                "token",
                "an API token is revoked, not signed out",
            ));
        }
        let entry = self.audit_entry(
            caller,
            AuditAction::SignOut,
            "",
            AuditOutcome::Ok,
            json!({}),
        );
        Ok(self
            .store
            .delete_session(&token_hash(token), Some(&entry))
            .await?)
    }

    /// Changes a password, given the current one (also when it has expired): the new one must
    /// follow the rules and differ from the last `password_history` ones. Ends every session
    /// and token of the account.
    pub async fn change_password(
        &self,
        origin: Origin,
        username: &str,
        current: String,
        new: String,
    ) -> ServiceResult<()> {
        if let Origin::Address(client) = origin {
            self.sign_in_limiter.check(client)?;
        }
        check_password_rules(username, &new)?;
        let (login, _) = self.authenticate(origin, username, current).await?;
        let caller = Caller::new(login.staff, origin);
        let recent = self
            .store
            .recent_password_hashes(caller.id, self.settings.password_history.saturating_sub(1))
            .await?;
        let candidate = new.clone();
        let reused = tokio::task::spawn_blocking(move || {
            recent.iter().any(|phc| verify_password(&candidate, phc))
        })
        .await?;
        if reused {
            return Err(ServiceError::field(
                "new_password",
                format!(
                    "must differ from the last {} passwords",
                    self.settings.password_history.max(1)
                ),
            ));
        }
        let hash = tokio::task::spawn_blocking(move || hash_password(&new)).await??;
        let entry = self.audit_entry(
            &caller,
            AuditAction::ChangePassword,
            username,
            AuditOutcome::Ok,
            json!({}),
        );
        self.store
            .set_password(caller.id, &hash, self.now(), false, &entry)
            .await?;
        Ok(())
    }

    /// An account an administrator may manage: inside their jurisdiction.
    async fn managed_account(&self, admin: &Caller, id: i64) -> ServiceResult<Login> {
        if !admin.scope().can_manage_accounts() {
            return Err(ServiceError::Forbidden(
                "only administrators manage accounts".to_owned(),
            ));
        }
        let login = self.store.account(id).await?;
        if !admin.scope().can_see(login.staff.unit.region) {
            return Err(ServiceError::NotFound("staff member"));
        }
        Ok(login)
    }

    /// The accounts of an administrator's jurisdiction, with their state.
    pub async fn accounts(&self, admin: &Caller) -> ServiceResult<Vec<Login>> {
        if !admin.scope().can_manage_accounts() {
            return Err(ServiceError::Forbidden(
                "only administrators manage accounts".to_owned(),
            ));
        }
        Ok(self.store.accounts(Some(admin.unit.region)).await?)
    }

    /// Disables an account (ending its sessions and tokens) or enables it again.
    pub async fn set_account_disabled(
        &self,
        admin: &Caller,
        id: i64,
        disabled: bool,
    ) -> ServiceResult<()> {
        let login = self.managed_account(admin, id).await?;
        if disabled && id == admin.id {
            return Err(ServiceError::conflict(
                "you cannot disable your own account",
            ));
        }
        let action = if disabled {
            AuditAction::DisableAccount
        } else {
            AuditAction::EnableAccount
        };
        let entry = self.audit_entry(
            admin,
            action,
            &login.staff.username,
            AuditOutcome::Ok,
            json!({}),
        );
        self.store
            .set_disabled(id, disabled, self.now(), &entry)
            .await?;
        Ok(())
    }

    /// Disables or enables an account from the server's command line (whoever runs commands
    /// there holds the database already); recorded.
    pub async fn set_account_disabled_locally(
        &self,
        username: &str,
        disabled: bool,
    ) -> ServiceResult<()> {
        let login = self
            .store
            .staff_login(username)
            .await?
            .ok_or(ServiceError::NotFound("staff member"))?;
        let action = if disabled {
            AuditAction::DisableAccount
        } else {
            AuditAction::EnableAccount
        };
        let mut entry = self.anonymous_audit_entry(
            "command line",
            Origin::CommandLine,
            action,
            AuditOutcome::Ok,
            json!({}),
        );
        entry.target = login.staff.username.clone();
        entry.region = login.staff.unit.region;
        self.store
            .set_disabled(login.staff.id, disabled, self.now(), &entry)
            .await?;
        Ok(())
    }

    /// Ends every session and API token of an account.
    pub async fn end_account_sessions(&self, admin: &Caller, id: i64) -> ServiceResult<()> {
        let login = self.managed_account(admin, id).await?;
        let entry = self.audit_entry(
            admin,
            AuditAction::EndSessions,
            &login.staff.username,
            AuditOutcome::Ok,
            json!({}),
        );
        self.store.end_sessions(id, self.now(), &entry).await?;
        Ok(())
    }

    /// Sets a random one-time password on an account, to be changed at its next sign-in;
    /// returns it (shown once).
    pub async fn reset_password(&self, admin: &Caller, id: i64) -> ServiceResult<String> {
        let login = self.managed_account(admin, id).await?;
        let password = generated_password();
        let phc = password.clone();
        let hash = tokio::task::spawn_blocking(move || hash_password(&phc)).await??;
        let entry = self.audit_entry(
            admin,
            AuditAction::ResetPassword,
            &login.staff.username,
            AuditOutcome::Ok,
            json!({}),
        );
        self.store
            .set_password(id, &hash, self.now(), true, &entry)
            .await?;
        Ok(password)
    }

    /// Issues an API token for the caller's own account, valid for `days` (at most
    /// `api_token_days`); returns it with the token itself (shown once).
    pub async fn create_token(
        &self,
        caller: &Caller,
        name: &str,
        days: Option<u32>,
    ) -> ServiceResult<(ApiToken, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 64 {
            return Err(ServiceError::field("name", "1 to 64 characters"));
        }
        let most = self.settings.api_token_days.max(1);
        let days = days.unwrap_or(most);
        if !(1..=most).contains(&days) {
            return Err(ServiceError::field("days", format!("between 1 and {most}")));
        }
        let token = format!("{TOKEN_PREFIX}{}", new_token());
        let now = self.now();
        let entry = self.audit_entry(
            caller,
            AuditAction::CreateToken,
            name,
            AuditOutcome::Ok,
            json!({ "days": days }),
        );
        let id = self
            .store
            .create_api_token(
                &NewApiToken {
                    token_hash: token_hash(&token),
                    staff_id: caller.id,
                    name: name.to_owned(),
                    expires_at: now + Duration::days(i64::from(days)),
                },
                now,
                &entry,
            )
            .await?;
        Ok((self.store.api_token(id).await?, token))
    }

    /// The caller's own API tokens.
    pub async fn tokens(&self, caller: &Caller) -> ServiceResult<Vec<ApiToken>> {
        Ok(self.store.api_tokens(caller.id).await?)
    }

    /// Revokes an API token: the caller's own, or as administrator one of an account in their
    /// jurisdiction.
    pub async fn revoke_token(&self, caller: &Caller, id: i64) -> ServiceResult<()> {
        let token = self.store.api_token(id).await?;
        if token.staff_id != caller.id {
            self.managed_account(caller, token.staff_id)
                .await
                .map_err(|_| ServiceError::NotFound("token"))?;
        }
        let entry = self.audit_entry(
            caller,
            AuditAction::RevokeToken,
            &token.name,
            AuditOutcome::Ok,
            json!({ "token": id }),
        );
        self.store.revoke_api_token(id, self.now(), &entry).await?;
        Ok(())
    }

    /// The units inside `caller`'s region (their own and those below): the targets of routing.
    pub async fn units_within(&self, caller: &Caller) -> ServiceResult<Vec<Unit>> {
        caller.jurisdiction()?;
        let scope = caller.scope();
        let mut units = self.store.units().await?;
        units.retain(|u| scope.can_see(u.region));
        Ok(units)
    }

    /// Every unit.
    pub async fn units(&self) -> ServiceResult<Vec<Unit>> {
        Ok(self.store.units().await?)
    }

    /// Creates a unit (an office) for a region (a command run on the server; recorded).
    pub async fn add_unit(&self, name: &str, region: RegionCode) -> ServiceResult<Unit> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::field("name", "required"));
        }
        let unit = self.store.create_unit(name, region, self.now()).await?;
        let mut entry = self.anonymous_audit_entry(
            "command line",
            Origin::CommandLine,
            AuditAction::AddUnit,
            AuditOutcome::Ok,
            json!({ "region": region.to_string() }),
        );
        entry.target = unit.name.clone();
        entry.region = region;
        self.store.audit(&entry).await?;
        Ok(unit)
    }

    /// Creates a staff account, and its unit when `region` is given and no unit has the name.
    /// Returns the account and whether the unit was created.
    pub async fn add_account(&self, new: NewAccount) -> ServiceResult<(Staff, bool)> {
        check_password_rules(&new.username, &new.password)?;
        if new.roles.is_empty() {
            return Err(ServiceError::field("roles", "at least one role"));
        }
        let username = new.username.trim().to_owned();
        if username.is_empty() {
            return Err(ServiceError::field("username", "required"));
        }
        let (unit, created) = match (self.store.unit_by_name(new.unit.trim()).await?, new.region) {
            (Some(unit), Some(region)) if unit.region != region => {
                return Err(ServiceError::field(
                    "region",
                    format!("unit {} exists with region {}", unit.name, unit.region),
                ));
            }
            (Some(unit), _) => (unit, false),
            (None, Some(region)) => (self.add_unit(&new.unit, region).await?, true),
            (None, None) => {
                return Err(ServiceError::field(
                    "unit",
                    format!(
                        "no unit named {:?}: give its region to create it",
                        new.unit.trim()
                    ),
                ));
            }
        };
        let password = new.password;
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password)).await??;
        let staff = self
            .store
            .create_staff(
                &NewStaff {
                    display_name: if new.display_name.trim().is_empty() {
                        username.clone()
                    } else {
                        new.display_name.trim().to_owned()
                    },
                    username,
                    password_hash,
                    unit_id: unit.id,
                    roles: new.roles,
                },
                self.now(),
            )
            .await?;
        let mut entry = self.anonymous_audit_entry(
            "command line",
            Origin::CommandLine,
            AuditAction::AddAccount,
            AuditOutcome::Ok,
            json!({ "roles": staff.roles.iter().map(|r| r.code()).collect::<Vec<_>>() }),
        );
        entry.target = staff.username.clone();
        entry.region = staff.unit.region;
        self.store.audit(&entry).await?;
        Ok((staff, created))
    }
}

/// A random password that follows the rules (64 random bits, four classes): for an account
/// created without one, or reset by an administrator.
pub fn generated_password() -> String {
    let hex = new_token();
    format!("Gl-{}-9x", &hex[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_rules_ask_for_length_classes_and_no_username() {
        assert!(check_password_rules("zhang", "Short1!").is_err());
        assert!(check_password_rules("zhang", "alllowercaseletters").is_err());
        assert!(check_password_rules("zhang", "lowercase and 123").is_ok());
        assert!(check_password_rules("zhang", "Lower-and-UPPER").is_ok());
        assert!(
            check_password_rules("zhang", "Zhang-2026-ok").is_err(),
            "has the username"
        );
        assert!(
            check_password_rules("zhang", &"Aa1".repeat(50)).is_err(),
            "too long"
        );
        assert!(
            check_password_rules("li", "绿色环保123abc").is_ok(),
            "CJK counts as symbols"
        );
        assert!(check_password_rules("zhang", &generated_password()).is_ok());
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let phc = hash_password("correct horse").expect("hash");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse", &phc));
        assert!(!verify_password("wrong horse", &phc));
        assert!(!verify_password("correct horse", "not a hash"));
        assert_ne!(phc, hash_password("correct horse").expect("hash"), "salted");
    }
}
