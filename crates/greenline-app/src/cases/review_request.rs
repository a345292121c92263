//! A petitioner asks for a review (复查) online: the same step staff register at the counter
//! (登记复查申请), taken by the reporter who proves the case, within the window the rules allow
//! (30 days after the reply) and recorded as an event of the public.

use std::net::IpAddr;

use chrono::NaiveDate;
use greenline_domain::{Case, Command, apply};
use greenline_store::{Actor, NewEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// A review request through the API: the secret from intake proves the case (in the body,
/// never in the address) and the reason says what the petitioner disputes.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequestForm {
    pub secret: String,
    pub reason: String,
}

/// What a review request led to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewRequestReceipt {
    /// The stage after the request (复查申请).
    pub stage: greenline_domain::Stage,
    /// The last day by which the review is to be answered.
    pub answer_by: Option<NaiveDate>,
}

impl App {
    /// A review request made with the tracking number and secret, under the public and
    /// per-case limits on proofs.
    pub async fn request_review(
        &self,
        client: IpAddr,
        tracking_no: &str,
        form: ReviewRequestForm,
    ) -> ServiceResult<ReviewRequestReceipt> {
        let case = self
            .proven_by_secret(client, tracking_no, form.secret)
            .await?;
        self.request_review_proven(case, &form.reason).await
    }

    /// [`App::request_review`] from the portal, the case proven by the reporter's pass.
    pub async fn request_review_with_pass(
        &self,
        client: IpAddr,
        pass: &str,
        reason: &str,
    ) -> ServiceResult<ReviewRequestReceipt> {
        let case = self.case_by_pass(client, pass).await?;
        self.request_review_proven(case, reason).await
    }

    async fn request_review_proven(
        &self,
        case: Case,
        reason: &str,
    ) -> ServiceResult<ReviewRequestReceipt> {
        let now = self.now();
        let limits = self.deadlines.limits_for(case.kind, case.region);
        let command = Command::RequestReview {
            reason: reason.trim().to_owned(),
        };
        let applied = apply(&case, &command, now, &limits)?;
        let deadline = applied.case.current_deadline(&limits);
        let data = serde_json::to_value(&command).map_err(ServiceError::internal)?;
        let actor = Actor::public();
        self.store
            .record_change(
                &applied,
                deadline.map(|d| d.due_at),
                NewEvent {
                    actor: &actor,
                    at: now,
                    note: command.note(),
                    data,
                },
            )
            .await?;
        Ok(ReviewRequestReceipt {
            stage: applied.to,
            answer_by: deadline.map(|d| d.last_day),
        })
    }
}
