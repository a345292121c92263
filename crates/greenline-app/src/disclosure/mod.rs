//! Information-disclosure requests (依申请公开): the use cases of the fourth kind of case.
//!
//! | use case | module |
//! |---|---|
//! | apply: the portal form online, or a letter or visit keyed in at the desk | [`apply`] |
//! | a step: ask for and receive a correction, consult a third party, extend, answer | [`steps`] |
//! | turn a request that is really a complaint into a report case, in one step | [`complaint`] |
//! | read a request with its clock and history, list a unit's requests, read the applicant (recorded) | [`read`] |
//! | the annual report's tables of an agency's year | [`annual_report`] |
//! | the answer document (HTML, Word) for staff; its sending recorded | [`answer_document`] |
//! | the applicant's view and download with the tracking number and secret | [`track`] |
//!
//! A request is held by a unit; staff see those held by units in their jurisdiction. The
//! applicant's identity is read only by roles that may read reporters, each read an event
//! and an audit record; no view here but [`App::applicant`]'s carries it.

pub mod annual_report;
pub mod answer_document;
pub mod apply;
pub mod complaint;
pub mod read;
pub mod steps;
pub mod track;

use chrono::NaiveDate;
use greenline_domain::WorkingCalendar;
use greenline_domain::disclosure::{Clock, DisclosureAction, Request};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The working-day calendar the limits are counted on.
pub(crate) fn calendar() -> &'static WorkingCalendar {
    WorkingCalendar::shipped()
}

/// The tracking number (受理编号) of a request: `GK` (公开), the day of receipt, the number.
pub fn tracking_no(request: &Request) -> String {
    format!(
        "GK{}-{:07}",
        request.received_on.format("%Y%m%d"),
        request.id
    )
}

/// Where the clock stands, as the views show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ClockView {
    /// `running`, `waiting_for_correction`, `waiting_for_third_party` or `answered`.
    pub state: String,
    /// 计时中 / 暂停计时（等待补正） / 暂停计时（征求第三方意见） / 已答复.
    pub state_zh: String,
    /// The last day of the running limit; while the clock stands, the last day of the wait
    /// (the applicant's correction period, the third party's 15 working days).
    pub last_day: NaiveDate,
    /// Working days of consultations that do not count, so far.
    pub stopped_working_days: u32,
    /// Said when the date counts days past the last year of holiday arrangements loaded.
    pub warning: Option<String>,
    /// The clock runs and its last day has passed (超期).
    pub overdue: bool,
}

pub(crate) fn clock_view(request: &Request, today: NaiveDate) -> ClockView {
    let cal = calendar();
    let (state, state_zh, due, stopped) = match request.clock(cal) {
        Clock::Running {
            due,
            stopped_working_days,
            ..
        } => ("running", "计时中", due, stopped_working_days),
        Clock::WaitingForCorrection { reply_by } => (
            "waiting_for_correction",
            "暂停计时（等待补正）",
            reply_by,
            request.stopped_working_days(cal),
        ),
        Clock::WaitingForThirdParty { reply_by } => (
            "waiting_for_third_party",
            "暂停计时（征求第三方意见）",
            reply_by,
            request.stopped_working_days(cal),
        ),
        Clock::Answered { on } => {
            return ClockView {
                state: "answered".to_owned(),
                state_zh: "已答复".to_owned(),
                last_day: on,
                stopped_working_days: request.stopped_working_days(cal),
                warning: None,
                overdue: false,
            };
        }
    };
    ClockView {
        state: state.to_owned(),
        state_zh: state_zh.to_owned(),
        last_day: due.last_day,
        stopped_working_days: stopped,
        warning: due.warning_zh(cal),
        overdue: request.is_overdue(today, cal),
    }
}

/// A request as staff see it: everything but the applicant's identity, with its clock and
/// the steps open to the caller now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisclosureView {
    #[serde(flatten)]
    pub request: Request,
    /// 受理编号, e.g. `GK20251009-0000012`.
    pub tracking_no: String,
    pub unit_name: String,
    pub stage_zh: String,
    pub applicant_kind_zh: String,
    pub clock: ClockView,
    /// The steps the caller may take now.
    pub actions: Vec<DisclosureAction>,
}

impl App {
    /// A request `caller` may see (held by a unit in their jurisdiction); one they may not see
    /// is "not found".
    pub(crate) async fn visible_request(
        &self,
        caller: &Caller,
        id: i64,
    ) -> ServiceResult<(greenline_store::StoredDisclosure, greenline_store::Unit)> {
        let stored = self.store.disclosure(id).await?;
        let holder = self.store.unit(stored.request.unit_id).await?;
        if caller.scope().can_see(holder.region) {
            Ok((stored, holder))
        } else {
            Err(ServiceError::NotFound("disclosure request"))
        }
    }

    pub(crate) fn disclosure_view(
        &self,
        caller: &Caller,
        request: Request,
        holder: &greenline_store::Unit,
    ) -> DisclosureView {
        let today = self.today();
        let actions = request
            .actions_now(today, calendar())
            .into_iter()
            .filter(|a| steps::may_take(caller, holder, *a))
            .collect();
        DisclosureView {
            tracking_no: tracking_no(&request),
            unit_name: holder.name.clone(),
            stage_zh: request.stage.zh().to_owned(),
            applicant_kind_zh: request.applicant_kind.zh().to_owned(),
            clock: clock_view(&request, today),
            actions,
            request,
        }
    }
}
