//! Staff sign-in: Argon2id password hashes, session tokens (bearer header for the API, an
//! HttpOnly SameSite cookie for pages), and the extractors handlers use to know who calls.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use greenline_domain::StaffScope;
use greenline_store::{Actor, Staff};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// The cookie that carries a page session.
pub const SESSION_COOKIE: &str = "greenline_session";

fn argon2() -> Argon2<'static> {
    // Argon2id, 19 MiB, 2 passes, 1 lane: the OWASP minimum for Argon2id.
    let params = Params::new(19 * 1024, 2, 1, None)
        .unwrap_or_else(|e| unreachable!("fixed Argon2 parameters are valid: {e}"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash to verify against when the username is unknown, so that a failed sign-in takes as
/// long whether or not the account exists.
pub static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    hash_password("no such account").unwrap_or_else(|_| "$argon2id$v=19$invalid".to_owned())
});

/// Hashes a password into a PHC string. CPU- and memory-heavy: call off the async threads.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("salt: {e}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing: {e}")))
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

/// The session token a request carries: the bearer token, or else the session cookie.
pub(crate) fn token_from(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// A signed-in staff member. Extracting it from a request without a live session is a 401.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Staff);

impl SignedIn {
    pub fn scope(&self) -> StaffScope {
        StaffScope {
            region: self.0.unit.region,
            roles: self.0.roles.clone(),
        }
    }

    pub fn actor(&self) -> Actor {
        Actor::staff(
            self.0.id,
            format!("{} ({})", self.0.display_name, self.0.unit.name),
        )
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        MaybeSignedIn::from_request_parts(parts, state)
            .await?
            .0
            .ok_or(ApiError::Unauthorized)
    }
}

/// The staff member if the request carries a live session; `None` for the public. A token that
/// is sent but not live is still a 401, so a client learns its session ended.
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = token_from(&parts.headers) else {
            return Ok(MaybeSignedIn(None));
        };
        let staff = state
            .store
            .session_staff(&token_hash(&token), state.clock.now())
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(MaybeSignedIn(Some(SignedIn(staff))))
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
