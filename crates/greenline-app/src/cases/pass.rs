//! The reporter's pass (查询凭证): after a reporter has proven a case on the portal, the page
//! keeps a short-lived pass in a cookie, so that rating the reply or asking for a review does
//! not make them type the secret again, and the secret never goes back into a page.
//!
//! A pass is `{case id}.{expiry}.{signature}`, the signature an HMAC-SHA256 of the case id and
//! expiry keyed with the case's stored secret hash. So nothing is written when a pass is issued,
//! every node checks it alike, and issuing a new secret ends every pass of the old one.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// How long a pass is good for.
pub const PASS_LIFETIME: Duration = Duration::minutes(30);

/// What is signed: the purpose, the case and the expiry, so a pass is good for nothing else.
fn signature(secret_hash: &str, case_id: i64, expires: i64) -> ServiceResult<Hmac<Sha256>> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret_hash.as_bytes()).map_err(ServiceError::internal)?;
    mac.update(format!("reporter-pass|{case_id}|{expires}").as_bytes());
    Ok(mac)
}

/// A pass for case `case_id`, whose stored secret hash is `secret_hash`, good until
/// `now + PASS_LIFETIME`.
pub(crate) fn issue(secret_hash: &str, case_id: i64, now: DateTime<Utc>) -> ServiceResult<String> {
    let expires = (now + PASS_LIFETIME).timestamp();
    let tag = signature(secret_hash, case_id, expires)?
        .finalize()
        .into_bytes();
    Ok(format!("{case_id}.{expires}.{}", hex::encode(tag)))
}

/// The case id a pass names and its expiry, if it is well formed (not yet checked).
fn parts(pass: &str) -> Option<(i64, i64, Vec<u8>)> {
    let mut fields = pass.trim().splitn(3, '.');
    let case_id = fields.next()?.parse().ok()?;
    let expires = fields.next()?.parse().ok()?;
    let tag = hex::decode(fields.next()?).ok()?;
    Some((case_id, expires, tag))
}

impl App {
    /// The case a pass proves, under the public rate limit of `client`. An expired, forged or
    /// superseded pass reads as not found, like a wrong secret.
    pub(crate) async fn case_by_pass(
        &self,
        client: IpAddr,
        pass: &str,
    ) -> ServiceResult<greenline_domain::Case> {
        self.limiter.check(client)?;
        let not_found = || ServiceError::NotFound("case with this pass");
        let (case_id, expires, tag) = parts(pass).ok_or_else(not_found)?;
        if expires <= self.now().timestamp() {
            return Err(not_found());
        }
        let (hash, _) = self
            .store
            .case_credentials(case_id)
            .await
            .map_err(|_| not_found())?;
        signature(&hash, case_id, expires)?
            .verify_slice(&tag)
            .map_err(|_| not_found())?;
        Ok(self.store.case(case_id).await?)
    }

    /// A fresh pass for a case just proven.
    pub(crate) async fn pass_for(&self, case_id: i64) -> ServiceResult<String> {
        let (hash, _) = self.store.case_credentials(case_id).await?;
        issue(&hash, case_id, self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_is_checked_against_its_case_and_its_secret() {
        let now = Utc::now();
        let pass = issue("hash-a", 7, now).expect("pass");
        let (case_id, expires, tag) = parts(&pass).expect("parts");
        assert_eq!(case_id, 7);
        assert_eq!(expires, (now + PASS_LIFETIME).timestamp());
        let check = |hash: &str, id: i64, expires: i64| {
            signature(hash, id, expires)
                .expect("mac")
                .verify_slice(&tag)
                .is_ok()
        };
        assert!(check("hash-a", 7, expires));
        // Another case, another expiry, or a new secret: refused.
        assert!(!check("hash-a", 8, expires));
        assert!(!check("hash-a", 7, expires + 3600));
        assert!(!check("hash-b", 7, expires));
        assert!(parts("7.x.00").is_none());
        assert!(parts("garbage").is_none());
    }
}
