//! The applicant's view (进度查询) with the tracking number and the secret given at applying —
//! where the request stands, its due date, the kind of answer — and the answer document to
//! download, each read recorded as an event of the request.

use std::net::IpAddr;

use chrono::NaiveDate;
use greenline_domain::disclosure::Request;
use greenline_report::Format;
use greenline_store::{Actor, AuditOutcome, NewEvent, StoreError};
use serde::Serialize;
use utoipa::ToSchema;

use super::answer_document::{AnswerFile, answer_file};
use super::{ClockView, clock_view, tracking_no};
use crate::audit::AuditAction;
use crate::cases::intake::secret_hash;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Origin};

/// What the applicant sees: nothing of who handled it or whom it consulted.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicantView {
    pub tracking_no: String,
    pub unit_name: String,
    pub stage_zh: String,
    pub received_on: NaiveDate,
    pub clock: ClockView,
    /// The kind of answer, once answered (予以公开, 部分公开, …).
    pub answer_zh: Option<String>,
    pub answered_on: Option<NaiveDate>,
    /// Whether the answer document can be downloaded.
    pub has_document: bool,
}

/// Reads `GK20250925-0000012` (either case) into the day of receipt and the number.
pub fn parse_tracking_no(text: &str) -> ServiceResult<(NaiveDate, i64)> {
    let bad = || ServiceError::parameter("tracking_no", "expected GKyyyymmdd-nnnnnnn");
    let text = text.trim();
    let rest = text
        .get(..2)
        .filter(|p| p.eq_ignore_ascii_case("GK"))
        .and_then(|_| text.get(2..))
        .ok_or_else(bad)?;
    let (date, number) = rest.split_once('-').ok_or_else(bad)?;
    if date.len() != 8 || number.len() < 7 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let day = NaiveDate::parse_from_str(date, "%Y%m%d").map_err(|_| bad())?;
    Ok((day, number.parse().map_err(|_| bad())?))
}

impl App {
    /// The request the tracking number and secret prove; anything else is "not found", and
    /// failed proofs count against the request like a case's.
    async fn proven_request(
        &self,
        client: IpAddr,
        number: &str,
        secret: &str,
    ) -> ServiceResult<(Request, greenline_store::Unit)> {
        self.limiter.check(client)?;
        let (day, id) = parse_tracking_no(number)?;
        if secret.trim().is_empty() {
            return Err(ServiceError::parameter(
                "secret",
                "required: the secret given when applying",
            ));
        }
        let now = self.now();
        self.disclosure_attempts.check(id, now)?;
        let not_found = || ServiceError::NotFound("disclosure request");
        let hash = match self.store.disclosure_secret_hash(id).await {
            Ok(hash) => hash,
            Err(StoreError::NotFound(_)) => {
                self.disclosure_attempts.fail(id, now);
                return Err(not_found());
            }
            Err(e) => return Err(e.into()),
        };
        if hash != secret_hash(secret) {
            self.disclosure_attempts.fail(id, now);
            return Err(not_found());
        }
        let stored = self.store.disclosure(id).await?;
        if stored.request.received_on != day {
            return Err(not_found());
        }
        let holder = self.store.unit(stored.request.unit_id).await?;
        Ok((stored.request, holder))
    }

    /// The applicant's view of their request.
    pub async fn track_disclosure(
        &self,
        client: IpAddr,
        number: &str,
        secret: &str,
    ) -> ServiceResult<ApplicantView> {
        let (request, holder) = self.proven_request(client, number, secret).await?;
        Ok(ApplicantView {
            tracking_no: tracking_no(&request),
            unit_name: holder.name,
            stage_zh: request.stage.zh().to_owned(),
            received_on: request.received_on,
            clock: clock_view(&request, self.today()),
            answer_zh: request.answer.as_ref().map(|a| a.kind().zh().to_owned()),
            answered_on: request.answered_on,
            has_document: request.answer.is_some(),
            // The clock view names no third party; the consultation's days show only as a count.
        })
    }

    /// The answer document, downloaded by the applicant; the download is an event of the
    /// request and, since it carries the applicant's name, an audit record.
    pub async fn applicant_answer_document(
        &self,
        client: IpAddr,
        number: &str,
        secret: &str,
        format: Format,
    ) -> ServiceResult<AnswerFile> {
        let (request, holder) = self.proven_request(client, number, secret).await?;
        if request.answer.is_none() {
            return Err(ServiceError::conflict(
                "the request is not answered yet: there is no answer document",
            ));
        }
        let audit = self.anonymous_audit_entry(
            "applicant",
            Origin::Address(client),
            AuditAction::ReadApplicant,
            AuditOutcome::Ok,
            serde_json::json!({ "request": request.id, "download": format.extension() }),
        );
        let actor = Actor::public();
        let applicant = self
            .store
            .read_applicant(
                request.id,
                NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: None,
                    data: serde_json::json!({ "download_answer": format.extension() }),
                },
                &audit,
            )
            .await?;
        answer_file(&request, &applicant.name, &holder.name, format)
    }
}
