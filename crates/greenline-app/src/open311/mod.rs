//! Open311 GeoReport v2: the interface city apps, NGOs and civic-tech tools speak
//! (`docs/open311.md` says what is served and why; the facts are in the shared domain notes).
//!
//! - **Services** are our pollution types (大气, 噪声, 水 …), one each; a type's sub-types are
//!   the service's `sub_type` attribute, a single-value list, required where the type has
//!   sub-types; an optional `region` attribute names the county outright (six digits), for a
//!   place the point and the address cannot settle ([`services`]).
//! - **Requests** are our reports (举报件; petitions and reconsiderations are personal and are
//!   not listed), identified by their tracking number. What a request shows is public: the
//!   description and the reply masked as everything public is (names, phones, e-mail, ID
//!   numbers, plates, and the case's own reporter verbatim), the place cut after its road as
//!   the published results cut it, the point rounded to 0.001° (about 100 m), never a
//!   reporter's field ([`requests`]).
//! - **Submissions** need a registered client's `api_key` ([`clients`]): the key is checked,
//!   counted against the client's limit, and the case registered through the one intake use
//!   case on channel `open311`, dispatched like a citizen's web report.
//!
//! The door (`greenline-web`) reads the formats (`.json`, `.xml`) and the form; this module
//! answers in plain values, with [`ServiceError`]s the door maps to the spec's error lists.

pub mod clients;
pub mod requests;
pub mod services;

use chrono::{DateTime, SecondsFormat, Utc};
use greenline_domain::deadline::china_time;

use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// The changeset of the discovery document: when this interface last changed.
pub const CHANGESET: &str = "2026-12-06T00:00:00+08:00";

/// A time as the interface writes it: ISO 8601 with China's offset.
pub fn datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&china_time())
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// The discovery document (`discovery.{fmt}`) of a server whose GeoReport base is `base`
/// (an absolute URL ending in `/`).
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    pub changeset: String,
    pub contact: String,
    pub key_service: String,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub specification: String,
    pub url: String,
    pub changeset: String,
    pub kind: String,
    pub formats: Vec<String>,
}

impl App {
    /// A `jurisdiction_id` as a client sent it: absent or empty is fine, the configured one is
    /// fine, any other is not found.
    pub fn open311_jurisdiction(&self, sent: Option<&str>) -> ServiceResult<()> {
        let sent = sent.map(str::trim).filter(|j| !j.is_empty());
        match (sent, self.settings.open311_jurisdiction_id.as_deref()) {
            (None, _) => Ok(()),
            (Some(sent), Some(ours)) if sent == ours.trim() => Ok(()),
            _ => Err(ServiceError::NotFound("jurisdiction")),
        }
    }

    /// The discovery document of the interface at `base`.
    pub fn open311_discovery(
        &self,
        base: &str,
        jurisdiction: Option<&str>,
    ) -> ServiceResult<Discovery> {
        self.open311_jurisdiction(jurisdiction)?;
        Ok(Discovery {
            changeset: CHANGESET.to_owned(),
            contact: "生态环境信访投诉举报平台管理员".to_owned(),
            key_service: "提交诉求需要 api_key：请向平台管理员申请（greenline open311 client add）"
                .to_owned(),
            endpoints: vec![Endpoint {
                specification: "http://wiki.open311.org/GeoReport_v2".to_owned(),
                url: base.to_owned(),
                changeset: CHANGESET.to_owned(),
                kind: "production".to_owned(),
                formats: vec!["text/xml".to_owned(), "application/json".to_owned()],
            }],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_carry_chinas_offset() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T02:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(datetime(at), "2026-11-27T10:00:00+08:00");
    }
}
