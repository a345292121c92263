//! Registered Open311 clients and their API keys: issued, listed and revoked by administrators
//! (the API, the console or the command line), stored only as their SHA-256, every change in
//! the audit trail; each key's requests counted against `open311_requests_per_minute`.
//!
//! A key lets a client submit requests as a citizen's app would: the case goes to the office
//! that receives the place, whatever the region of the administrator who issued the key, so
//! any administrator may issue and revoke keys.

pub use greenline_store::Open311Client;
use greenline_store::{AuditOutcome, NewOpen311Client};
use serde_json::json;

use crate::accounts::{new_token, token_hash};
use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller, Origin};

/// What Open311 keys start with, so that a leaked one is recognised (and told from a staff
/// token, `glt_`).
pub const KEY_PREFIX: &str = "glo_";
/// How many characters of a key are kept to tell keys apart.
const SHOWN_PREFIX: usize = 8;
/// The longest name of a client.
const MAX_NAME_CHARS: usize = 64;

fn check_name(name: &str) -> ServiceResult<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ServiceError::field(
            "name",
            format!("1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name)
}

fn require_admin(caller: &Caller) -> ServiceResult<()> {
    if caller.scope().can_manage_accounts() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "only administrators manage Open311 clients".to_owned(),
        ))
    }
}

impl App {
    /// Registers a client named `name` and issues its key (shown once, here only).
    pub async fn issue_open311_key(
        &self,
        admin: &Caller,
        name: &str,
    ) -> ServiceResult<(Open311Client, String)> {
        require_admin(admin)?;
        let name = check_name(name)?;
        let entry = self.audit_entry(
            admin,
            AuditAction::IssueOpen311Key,
            name,
            AuditOutcome::Ok,
            json!({}),
        );
        self.store_open311_client(name, Some(admin.id), entry).await
    }

    /// [`App::issue_open311_key`] from the server's command line (whoever runs commands there
    /// holds the database already); recorded.
    pub async fn issue_open311_key_locally(
        &self,
        name: &str,
    ) -> ServiceResult<(Open311Client, String)> {
        let name = check_name(name)?;
        let mut entry = self.anonymous_audit_entry(
            "command line",
            Origin::CommandLine,
            AuditAction::IssueOpen311Key,
            AuditOutcome::Ok,
            json!({}),
        );
        entry.target = name.to_owned();
        self.store_open311_client(name, None, entry).await
    }

    async fn store_open311_client(
        &self,
        name: &str,
        created_by: Option<i64>,
        entry: greenline_store::AuditEntry,
    ) -> ServiceResult<(Open311Client, String)> {
        let key = format!("{KEY_PREFIX}{}", new_token());
        let client = self
            .store
            .create_open311_client(
                &NewOpen311Client {
                    name: name.to_owned(),
                    key_hash: token_hash(&key),
                    key_prefix: key.chars().take(SHOWN_PREFIX).collect(),
                    created_by,
                },
                self.now(),
                &entry,
            )
            .await?;
        Ok((client, key))
    }

    /// Every registered client, newest first, revoked ones too.
    pub async fn open311_clients(&self, admin: &Caller) -> ServiceResult<Vec<Open311Client>> {
        require_admin(admin)?;
        Ok(self.store.open311_clients().await?)
    }

    /// Every registered client, for the command line.
    pub async fn open311_clients_locally(&self) -> ServiceResult<Vec<Open311Client>> {
        Ok(self.store.open311_clients().await?)
    }

    /// Revokes client `id`'s key: from now on its requests are refused (403).
    pub async fn revoke_open311_key(&self, admin: &Caller, id: i64) -> ServiceResult<()> {
        require_admin(admin)?;
        let client = self.store.open311_client(id).await?;
        let entry = self.audit_entry(
            admin,
            AuditAction::RevokeOpen311Key,
            &client.name,
            AuditOutcome::Ok,
            json!({ "client": id }),
        );
        Ok(self
            .store
            .revoke_open311_client(id, self.now(), &entry)
            .await?)
    }

    /// [`App::revoke_open311_key`] from the server's command line; recorded.
    pub async fn revoke_open311_key_locally(&self, id: i64) -> ServiceResult<()> {
        let client = self.store.open311_client(id).await?;
        let mut entry = self.anonymous_audit_entry(
            "command line",
            Origin::CommandLine,
            AuditAction::RevokeOpen311Key,
            AuditOutcome::Ok,
            json!({ "client": id }),
        );
        entry.target = client.name;
        Ok(self
            .store
            .revoke_open311_client(id, self.now(), &entry)
            .await?)
    }

    /// The client holding `key`, if the key is live; the request counted against its limit.
    /// No key, an unknown key and a revoked key are each refused (403, as the spec has it).
    pub async fn open311_client(&self, key: Option<&str>) -> ServiceResult<Open311Client> {
        let key = key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                ServiceError::Forbidden("api_key is required to submit a request".to_owned())
            })?;
        let client = self
            .store
            .open311_client_by_key(&token_hash(key), self.now())
            .await?
            .ok_or_else(|| ServiceError::Forbidden("api_key is not valid".to_owned()))?;
        if client.revoked_at.is_some() {
            return Err(ServiceError::Forbidden(
                "api_key has been revoked".to_owned(),
            ));
        }
        self.open311_limiter.check(client.id)?;
        Ok(client)
    }
}
