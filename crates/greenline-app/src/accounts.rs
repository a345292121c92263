//! Staff accounts: Argon2id password hashes, sessions (opaque tokens stored as their SHA-256),
//! sign-in and sign-out, and the administration of units (offices) and staff.

use std::net::IpAddr;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use greenline_domain::{RegionCode, Role};
use greenline_store::{NewStaff, Staff, Unit};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The fewest characters of a password.
pub const MIN_PASSWORD_CHARS: usize = 10;

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

/// A fresh random token, hex-encoded (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are stored only as their SHA-256: a leaked table opens no session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An open session: its token (shown once), when it ends, and whose it is.
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

impl App {
    /// The staff member whose credentials these are, if the password is right. Verifies even
    /// for an unknown username, so timing does not tell which usernames exist.
    pub async fn check_password(&self, username: &str, password: String) -> ServiceResult<Caller> {
        let found = self.store.staff_login(username).await?;
        let (staff, phc) = match found {
            Some((staff, phc)) => (Some(staff), phc),
            None => (None, DUMMY_HASH.clone()),
        };
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &phc)).await?;
        match (ok, staff) {
            (true, Some(staff)) => Ok(Caller(staff)),
            _ => Err(ServiceError::Unauthorized),
        }
    }

    /// Signs in (rate-limited per client address) and opens a session.
    pub async fn sign_in(
        &self,
        client: IpAddr,
        username: &str,
        password: String,
    ) -> ServiceResult<Session> {
        self.limiter.check(client)?;
        let caller = self.check_password(username, password).await?;
        let token = new_token();
        let now = self.now();
        let expires_at = now + Duration::hours(i64::from(self.settings.session_hours));
        self.store
            .create_session(&token_hash(&token), caller.id, now, expires_at)
            .await?;
        Ok(Session {
            token,
            expires_at,
            caller,
        })
    }

    /// The staff member of a live session; `Unauthorized` if the token opens none.
    pub async fn session(&self, token: &str) -> ServiceResult<Caller> {
        self.store
            .session_staff(&token_hash(token), self.now())
            .await?
            .map(Caller)
            .ok_or(ServiceError::Unauthorized)
    }

    /// Ends the session of `token` (nothing if there is none).
    pub async fn sign_out(&self, token: &str) -> ServiceResult<()> {
        Ok(self.store.delete_session(&token_hash(token)).await?)
    }

    /// The units inside `caller`'s region (their own and those below): the targets of routing.
    pub async fn units_within(&self, caller: &Caller) -> ServiceResult<Vec<Unit>> {
        let scope = caller.scope();
        let mut units = self.store.units().await?;
        units.retain(|u| scope.can_see(u.region));
        Ok(units)
    }

    /// Every unit.
    pub async fn units(&self) -> ServiceResult<Vec<Unit>> {
        Ok(self.store.units().await?)
    }

    /// Creates a unit (an office) for a region.
    pub async fn add_unit(&self, name: &str, region: RegionCode) -> ServiceResult<Unit> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ServiceError::field("name", "required"));
        }
        Ok(self.store.create_unit(name, region, self.now()).await?)
    }

    /// Creates a staff account, and its unit when `region` is given and no unit has the name.
    /// Returns the account and whether the unit was created.
    pub async fn add_account(&self, new: NewAccount) -> ServiceResult<(Staff, bool)> {
        if new.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(ServiceError::field(
                "password",
                format!("at least {MIN_PASSWORD_CHARS} characters"),
            ));
        }
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
        Ok((staff, created))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
