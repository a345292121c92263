//! A request's workflow and its clock.
//!
//! | stage | steps |
//! |---|---|
//! | received (已收到, the clock runs) | ask_correction → correction_requested; start_consultation → consulting; extend (once); answer → answered |
//! | correction_requested (待补正, the clock stands) | receive_correction → received |
//! | consulting (征求第三方意见, the clock stands) | finish_consultation → received |
//! | answered (已答复, final) | — |
//!
//! The limit is 20 working days. A correction (补正) is asked once, within 7 working days of
//! receipt, and the limit then runs anew from the day the corrected application arrives
//! (art. 30: 答复期限自行政机关收到补正的申请之日起计算). The working days a third party is
//! consulted (it has 15) do not count (art. 33): the due date moves by the working days the
//! consultation took. An extension adds at most 20 working days, once, with the consent of the
//! head of the disclosure office recorded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Answer, ApplicantKind, DeliveryForm, limits};
use crate::text::check_text;
use crate::{Channel, DomainError, FieldError, MAX_TEXT_CHARS, WorkingCalendar, WorkingDue};

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureStage {
    /// 办理中: received (or its correction received); the clock runs.
    Received,
    /// 待补正: waiting for the applicant's corrected application; the clock stands.
    CorrectionRequested,
    /// 征求第三方意见: waiting for the third party; the clock stands.
    Consulting,
    /// 已答复 (final).
    Answered,
}

impl DisclosureStage {
    pub const ALL: [DisclosureStage; 4] = [
        DisclosureStage::Received,
        DisclosureStage::CorrectionRequested,
        DisclosureStage::Consulting,
        DisclosureStage::Answered,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DisclosureStage::Received => "received",
            DisclosureStage::CorrectionRequested => "correction_requested",
            DisclosureStage::Consulting => "consulting",
            DisclosureStage::Answered => "answered",
        }
    }

    pub fn parse(code: &str) -> Option<DisclosureStage> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            DisclosureStage::Received => "办理中",
            DisclosureStage::CorrectionRequested => "待补正",
            DisclosureStage::Consulting => "征求第三方意见中",
            DisclosureStage::Answered => "已答复",
        }
    }
}

/// A step on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureAction {
    /// 告知补正
    AskCorrection,
    /// 收到补正
    ReceiveCorrection,
    /// 征求第三方意见
    StartConsultation,
    /// 收到第三方意见 (or its 15 working days passed)
    FinishConsultation,
    /// 延期答复
    Extend,
    /// 答复
    Answer,
}

impl DisclosureAction {
    pub const ALL: [DisclosureAction; 6] = [
        DisclosureAction::AskCorrection,
        DisclosureAction::ReceiveCorrection,
        DisclosureAction::StartConsultation,
        DisclosureAction::FinishConsultation,
        DisclosureAction::Extend,
        DisclosureAction::Answer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DisclosureAction::AskCorrection => "ask_correction",
            DisclosureAction::ReceiveCorrection => "receive_correction",
            DisclosureAction::StartConsultation => "start_consultation",
            DisclosureAction::FinishConsultation => "finish_consultation",
            DisclosureAction::Extend => "extend",
            DisclosureAction::Answer => "answer",
        }
    }

    pub fn parse(code: &str) -> Option<DisclosureAction> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            DisclosureAction::AskCorrection => "告知补正",
            DisclosureAction::ReceiveCorrection => "收到补正",
            DisclosureAction::StartConsultation => "征求第三方意见",
            DisclosureAction::FinishConsultation => "第三方意见办结",
            DisclosureAction::Extend => "延期答复",
            DisclosureAction::Answer => "答复",
        }
    }
}

/// The workflow table of a request.
pub fn disclosure_transitions(
    stage: DisclosureStage,
) -> &'static [(DisclosureAction, DisclosureStage)] {
    use DisclosureAction as A;
    use DisclosureStage as S;
    match stage {
        S::Received => &[
            (A::AskCorrection, S::CorrectionRequested),
            (A::StartConsultation, S::Consulting),
            (A::Extend, S::Received),
            (A::Answer, S::Answered),
        ],
        S::CorrectionRequested => &[(A::ReceiveCorrection, S::Received)],
        S::Consulting => &[(A::FinishConsultation, S::Received)],
        S::Answered => &[],
    }
}

/// The request for a correction (补正) and, once it came, the day it came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Correction {
    pub asked_on: NaiveDate,
    /// What must be corrected (需要补正的事项).
    pub what: String,
    /// The reasonable period given to the applicant (合理的补正期限), in working days.
    pub reply_within_working_days: u32,
    pub received_on: Option<NaiveDate>,
}

/// What the third party said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThirdPartyView {
    /// 同意公开
    Consents,
    /// 不同意公开
    Objects,
    /// 逾期未提出意见 — the agency decides (art. 32).
    NoAnswer,
}

impl ThirdPartyView {
    pub fn parse(code: &str) -> Option<ThirdPartyView> {
        match code {
            "consents" => Some(ThirdPartyView::Consents),
            "objects" => Some(ThirdPartyView::Objects),
            "no_answer" => Some(ThirdPartyView::NoAnswer),
            _ => None,
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            ThirdPartyView::Consents => "同意公开",
            ThirdPartyView::Objects => "不同意公开",
            ThirdPartyView::NoAnswer => "逾期未提出意见",
        }
    }
}

/// One consultation of a third party (征求第三方意见, art. 32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Consultation {
    /// Who was consulted (staff only: a company or a person).
    pub third_party: String,
    pub started_on: NaiveDate,
    pub finished_on: Option<NaiveDate>,
    pub view: Option<ThirdPartyView>,
}

/// The one extension (延期答复), with whose consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DisclosureExtension {
    pub working_days: u32,
    pub reason: String,
    /// The head of the disclosure office who consented (政府信息公开工作机构负责人).
    pub consented_by: String,
    pub on: NaiveDate,
}

/// A request as it stands. The applicant's identity lives apart; only their kind, which the
/// annual report counts, is kept here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Request {
    pub id: i64,
    pub unit_id: i64,
    pub channel: Channel,
    pub applicant_kind: ApplicantKind,
    pub description: String,
    pub delivery: DeliveryForm,
    pub stage: DisclosureStage,
    /// The day of receipt (收到申请之日, art. 31), China time.
    pub received_on: NaiveDate,
    pub correction: Option<Correction>,
    pub consultations: Vec<Consultation>,
    pub extension: Option<DisclosureExtension>,
    pub answer: Option<Answer>,
    pub answered_on: Option<NaiveDate>,
    /// The report case the request was turned into, if it was.
    pub complaint_case: Option<i64>,
    /// Bumped by every change; a change made against an older version is refused.
    pub version: i64,
}

/// The state of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The limit runs; its last day.
    Running {
        due: WorkingDue,
        /// The day the limit counts from: receipt, or the corrected application's arrival.
        counted_from: NaiveDate,
        /// Working days that do not count (third-party consultations finished so far).
        stopped_working_days: u32,
    },
    /// The clock stands until the applicant sends the correction; by when it was asked for.
    WaitingForCorrection { reply_by: WorkingDue },
    /// The clock stands while the third party is consulted; their 15 working days end here.
    WaitingForThirdParty { reply_by: WorkingDue },
    /// Answered on that day.
    Answered { on: NaiveDate },
}

/// A step with what it needs; `on` is the local day it is taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DisclosureStep {
    AskCorrection {
        what: String,
        /// The period given to the applicant, in working days (default 15).
        reply_within_working_days: Option<u32>,
    },
    ReceiveCorrection {},
    StartConsultation {
        third_party: String,
    },
    FinishConsultation {
        /// `consents`, `objects` or `no_answer`.
        view: String,
    },
    Extend {
        working_days: u32,
        reason: String,
        consented_by: String,
    },
    Answer {
        answer: Box<super::AnswerForm>,
    },
}

/// The default period given to the applicant to send a correction.
pub const DEFAULT_CORRECTION_PERIOD: u32 = 15;

impl DisclosureStep {
    pub fn action(&self) -> DisclosureAction {
        match self {
            DisclosureStep::AskCorrection { .. } => DisclosureAction::AskCorrection,
            DisclosureStep::ReceiveCorrection {} => DisclosureAction::ReceiveCorrection,
            DisclosureStep::StartConsultation { .. } => DisclosureAction::StartConsultation,
            DisclosureStep::FinishConsultation { .. } => DisclosureAction::FinishConsultation,
            DisclosureStep::Extend { .. } => DisclosureAction::Extend,
            DisclosureStep::Answer { .. } => DisclosureAction::Answer,
        }
    }
}

fn required_text(field: &str, value: &str) -> Result<String, DomainError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(DomainError::invalid(field, "required"));
    }
    check_text(field, value, MAX_TEXT_CHARS).map_err(|e| DomainError::Invalid(vec![e]))?;
    Ok(value.to_owned())
}

impl Request {
    /// A request as it stands on the day it was received.
    pub fn received(
        id: i64,
        unit_id: i64,
        new: &super::NewApplication,
        received_on: NaiveDate,
    ) -> Request {
        Request {
            id,
            unit_id,
            channel: new.channel,
            applicant_kind: new.applicant.kind,
            description: new.description.clone(),
            delivery: new.delivery,
            stage: DisclosureStage::Received,
            received_on,
            correction: None,
            consultations: Vec::new(),
            extension: None,
            answer: None,
            answered_on: None,
            complaint_case: None,
            version: 0,
        }
    }

    /// The steps the stage allows that can still be taken: a correction only once and within
    /// its window, an extension only once.
    pub fn actions_now(
        &self,
        today: NaiveDate,
        calendar: &WorkingCalendar,
    ) -> Vec<DisclosureAction> {
        disclosure_transitions(self.stage)
            .iter()
            .map(|(a, _)| *a)
            .filter(|a| match a {
                DisclosureAction::AskCorrection => {
                    self.correction.is_none() && today <= self.correction_window(calendar).last_day
                }
                DisclosureAction::Extend => self.extension.is_none(),
                _ => true,
            })
            .collect()
    }

    /// The last day a correction may be asked for: 7 working days from receipt.
    pub fn correction_window(&self, calendar: &WorkingCalendar) -> WorkingDue {
        calendar.add_working_days(self.received_on, limits().correction_request)
    }

    /// The working days that do not count: each finished consultation's, from the day after
    /// it started to the day it ended.
    pub fn stopped_working_days(&self, calendar: &WorkingCalendar) -> u32 {
        self.consultations
            .iter()
            .filter_map(|c| {
                c.finished_on
                    .map(|end| calendar.working_days_between(c.started_on, end))
            })
            .sum()
    }

    /// Where the clock stands, with the due date recomputed from what happened so far.
    pub fn clock(&self, calendar: &WorkingCalendar) -> Clock {
        match self.stage {
            DisclosureStage::Answered => Clock::Answered {
                on: self.answered_on.unwrap_or(self.received_on),
            },
            DisclosureStage::CorrectionRequested => {
                let (asked, within) = self
                    .correction
                    .as_ref()
                    .map_or((self.received_on, DEFAULT_CORRECTION_PERIOD), |c| {
                        (c.asked_on, c.reply_within_working_days)
                    });
                Clock::WaitingForCorrection {
                    reply_by: calendar.add_working_days(asked, within),
                }
            }
            DisclosureStage::Consulting => {
                let started = self
                    .consultations
                    .last()
                    .map_or(self.received_on, |c| c.started_on);
                Clock::WaitingForThirdParty {
                    reply_by: calendar.add_working_days(started, limits().third_party_reply),
                }
            }
            DisclosureStage::Received => {
                let counted_from = self
                    .correction
                    .as_ref()
                    .and_then(|c| c.received_on)
                    .unwrap_or(self.received_on);
                let stopped = self.stopped_working_days(calendar);
                let extended = self.extension.as_ref().map_or(0, |e| e.working_days);
                Clock::Running {
                    due: calendar
                        .add_working_days(counted_from, limits().answer + extended + stopped),
                    counted_from,
                    stopped_working_days: stopped,
                }
            }
        }
    }

    /// The running due date, if the clock runs.
    pub fn due(&self, calendar: &WorkingCalendar) -> Option<WorkingDue> {
        match self.clock(calendar) {
            Clock::Running { due, .. } => Some(due),
            _ => None,
        }
    }

    /// Whether the clock runs and its last day has passed (超期).
    pub fn is_overdue(&self, today: NaiveDate, calendar: &WorkingCalendar) -> bool {
        self.due(calendar).is_some_and(|d| today > d.last_day)
    }

    /// Takes `step` on `today`: checks the stage allows it and the step carries what it needs,
    /// and returns the request as it stands afterwards (the version is the store's to bump).
    pub fn apply(
        &self,
        step: &DisclosureStep,
        today: NaiveDate,
        calendar: &WorkingCalendar,
    ) -> Result<Request, DomainError> {
        let action = step.action();
        let Some(to) = disclosure_transitions(self.stage)
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, to)| *to)
        else {
            return Err(DomainError::IllegalDisclosureStep {
                stage: self.stage,
                action,
                allowed: self.actions_now(today, calendar),
            });
        };
        let mut next = self.clone();
        next.stage = to;
        match step {
            DisclosureStep::AskCorrection {
                what,
                reply_within_working_days,
            } => {
                if self.correction.is_some() {
                    return Err(DomainError::invalid(
                        "action",
                        "a correction is asked for only once (一次性告知, art. 30)",
                    ));
                }
                let window = self.correction_window(calendar);
                if today > window.last_day {
                    return Err(DomainError::WindowClosed {
                        what: "asking for a correction (7 working days from receipt)",
                        last_day: window.last_day,
                    });
                }
                let within = reply_within_working_days.unwrap_or(DEFAULT_CORRECTION_PERIOD);
                if within == 0 || within > 60 {
                    return Err(DomainError::invalid(
                        "reply_within_working_days",
                        "between 1 and 60 working days",
                    ));
                }
                next.correction = Some(Correction {
                    asked_on: today,
                    what: required_text("what", what)?,
                    reply_within_working_days: within,
                    received_on: None,
                });
            }
            DisclosureStep::ReceiveCorrection {} => {
                if let Some(c) = next.correction.as_mut() {
                    c.received_on = Some(today);
                }
            }
            DisclosureStep::StartConsultation { third_party } => {
                next.consultations.push(Consultation {
                    third_party: required_text("third_party", third_party)?,
                    started_on: today,
                    finished_on: None,
                    view: None,
                });
            }
            DisclosureStep::FinishConsultation { view } => {
                let view = ThirdPartyView::parse(view.trim()).ok_or_else(|| {
                    DomainError::invalid("view", "expected consents, objects or no_answer")
                })?;
                if let Some(c) = next.consultations.last_mut() {
                    c.finished_on = Some(today);
                    c.view = Some(view);
                }
            }
            DisclosureStep::Extend {
                working_days,
                reason,
                consented_by,
            } => {
                if let Some(e) = &self.extension {
                    return Err(DomainError::AlreadyExtended {
                        days: e.working_days,
                        reason: e.reason.clone(),
                    });
                }
                let max = limits().max_extension;
                let mut errors = Vec::new();
                if *working_days == 0 || *working_days > max {
                    errors.push(FieldError::new(
                        "working_days",
                        format!("between 1 and {max} working days (art. 33)"),
                    ));
                }
                let reason = required_text("reason", reason).map_err(|e| errors.push(field_of(e)));
                let consented_by = required_text("consented_by", consented_by)
                    .map_err(|e| errors.push(field_of(e)));
                match (reason, consented_by) {
                    (Ok(reason), Ok(consented_by)) if errors.is_empty() => {
                        next.extension = Some(DisclosureExtension {
                            working_days: *working_days,
                            reason,
                            consented_by,
                            on: today,
                        });
                    }
                    _ => return Err(DomainError::Invalid(errors)),
                }
            }
            DisclosureStep::Answer { answer } => {
                next.answer = Some(Answer::parse(answer)?);
                next.answered_on = Some(today);
            }
        }
        Ok(next)
    }
}

fn field_of(error: DomainError) -> FieldError {
    match error {
        DomainError::Invalid(mut errors) if !errors.is_empty() => errors.remove(0),
        other => FieldError::new("input", other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::{AnswerForm, ApplicationForm, NewApplication};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn request(received_on: NaiveDate) -> Request {
        let new = NewApplication::parse(&ApplicationForm {
            channel: "web".into(),
            applicant_kind: "social_organisation".into(),
            applicant_name: "绿色江河环保促进会".into(),
            applicant_id_number: "51440300MJL123456X".into(),
            email: Some("info@example.org".into()),
            description: "某工业园区2025年污水处理厂在线监测数据".into(),
            delivery: "email".into(),
            ..ApplicationForm::default()
        })
        .expect("valid");
        Request::received(1, 1, &new, received_on)
    }

    fn cal() -> &'static WorkingCalendar {
        WorkingCalendar::shipped()
    }

    #[test]
    fn twenty_working_days_from_receipt_over_national_day() {
        // 2025-09-22 (Monday); see the calendar's own test: the 20th working day is 10-24.
        let r = request(d(2025, 9, 22));
        assert_eq!(r.due(cal()).map(|d| d.last_day), Some(d(2025, 10, 24)));
    }

    #[test]
    fn a_correction_stops_the_clock_and_the_limit_runs_anew_from_the_corrected_application() {
        let cal = cal();
        // Received Thursday 2025-09-25; 20 working days (the holiday runs 1–8 Oct, Sunday
        // 28 Sep and Saturday 11 Oct are worked) end on 2025-10-29.
        let r = request(d(2025, 9, 25));
        let before = r.due(cal).expect("running").last_day;
        assert_eq!(before, d(2025, 10, 29));
        let asked = r
            .apply(
                &DisclosureStep::AskCorrection {
                    what: "请写明监测点位".into(),
                    reply_within_working_days: None,
                },
                d(2025, 9, 26),
                cal,
            )
            .expect("within 7 working days");
        assert!(matches!(
            asked.clock(cal),
            Clock::WaitingForCorrection { .. }
        ));
        assert_eq!(asked.due(cal), None);
        // The correction arrives on Sunday 2025-09-28, a 调休 working day.
        let corrected = asked
            .apply(&DisclosureStep::ReceiveCorrection {}, d(2025, 9, 28), cal)
            .expect("received");
        let after = corrected.due(cal).expect("running again").last_day;
        // Waited from receipt: 26 Sep (Fri) and 28 Sep (the Sunday worked) — two working days.
        let waited = cal.working_days_between(d(2025, 9, 25), d(2025, 9, 28));
        assert_eq!(waited, 2);
        assert_eq!(cal.working_days_between(before, after), waited);
        assert_eq!(after, d(2025, 10, 31));
    }

    #[test]
    fn a_correction_is_asked_once_and_only_within_seven_working_days() {
        let cal = cal();
        let r = request(d(2025, 9, 25));
        // 7 working days from 25 Sep: 26, 28 (Sunday worked), 29, 30 Sep, 9, 10, 11 Oct.
        assert_eq!(r.correction_window(cal).last_day, d(2025, 10, 11));
        let late = r.apply(
            &DisclosureStep::AskCorrection {
                what: "补正".into(),
                reply_within_working_days: None,
            },
            d(2025, 10, 13),
            cal,
        );
        assert!(
            matches!(late, Err(DomainError::WindowClosed { .. })),
            "{late:?}"
        );
        assert!(
            !r.actions_now(d(2025, 10, 13), cal)
                .contains(&DisclosureAction::AskCorrection)
        );
    }

    #[test]
    fn a_consultation_does_not_count_and_moves_the_due_date_by_its_working_days() {
        let cal = cal();
        let r = request(d(2025, 9, 22));
        let consulting = r
            .apply(
                &DisclosureStep::StartConsultation {
                    third_party: "某化工有限公司".into(),
                },
                d(2025, 9, 24),
                cal,
            )
            .expect("started");
        match consulting.clock(cal) {
            Clock::WaitingForThirdParty { reply_by } => {
                assert_eq!(reply_by, cal.add_working_days(d(2025, 9, 24), 15));
            }
            other => panic!("{other:?}"),
        }
        let back = consulting
            .apply(
                &DisclosureStep::FinishConsultation {
                    view: "objects".into(),
                },
                d(2025, 10, 10),
                cal,
            )
            .expect("finished");
        let stopped = cal.working_days_between(d(2025, 9, 24), d(2025, 10, 10));
        assert_eq!(back.stopped_working_days(cal), stopped);
        let due = back.due(cal).expect("running").last_day;
        assert_eq!(cal.working_days_between(d(2025, 10, 24), due), stopped);
    }

    #[test]
    fn an_extension_is_once_at_most_twenty_working_days_with_the_heads_consent() {
        let cal = cal();
        let r = request(d(2025, 9, 22));
        let no_consent = r.apply(
            &DisclosureStep::Extend {
                working_days: 21,
                reason: "涉及多个业务处室".into(),
                consented_by: " ".into(),
            },
            d(2025, 10, 20),
            cal,
        );
        match no_consent {
            Err(DomainError::Invalid(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["working_days", "consented_by"]);
            }
            other => panic!("{other:?}"),
        }
        let extended = r
            .apply(
                &DisclosureStep::Extend {
                    working_days: 20,
                    reason: "涉及多个业务处室".into(),
                    consented_by: "李主任".into(),
                },
                d(2025, 10, 20),
                cal,
            )
            .expect("extended");
        let due = extended.due(cal).expect("running").last_day;
        assert_eq!(cal.working_days_between(d(2025, 10, 24), due), 20);
        let again = extended.apply(
            &DisclosureStep::Extend {
                working_days: 5,
                reason: "再延".into(),
                consented_by: "李主任".into(),
            },
            d(2025, 10, 21),
            cal,
        );
        assert!(matches!(again, Err(DomainError::AlreadyExtended { .. })));
    }

    #[test]
    fn an_answer_closes_the_request_and_nothing_follows() {
        let cal = cal();
        let r = request(d(2025, 9, 22));
        let answered = r
            .apply(
                &DisclosureStep::Answer {
                    answer: Box::new(AnswerForm {
                        kind: "not_exist".into(),
                        ..AnswerForm::default()
                    }),
                },
                d(2025, 9, 30),
                cal,
            )
            .expect("answered");
        assert_eq!(answered.stage, DisclosureStage::Answered);
        assert_eq!(answered.clock(cal), Clock::Answered { on: d(2025, 9, 30) });
        let after = answered.apply(&DisclosureStep::ReceiveCorrection {}, d(2025, 10, 9), cal);
        assert!(matches!(
            after,
            Err(DomainError::IllegalDisclosureStep { allowed, .. }) if allowed.is_empty()
        ));
    }

    #[test]
    fn no_answer_while_the_clock_stands() {
        let cal = cal();
        let r = request(d(2025, 9, 22))
            .apply(
                &DisclosureStep::StartConsultation {
                    third_party: "某公司".into(),
                },
                d(2025, 9, 23),
                cal,
            )
            .expect("started");
        let answer = r.apply(
            &DisclosureStep::Answer {
                answer: Box::new(AnswerForm {
                    kind: "not_exist".into(),
                    ..AnswerForm::default()
                }),
            },
            d(2025, 9, 24),
            cal,
        );
        assert!(matches!(
            answer,
            Err(DomainError::IllegalDisclosureStep { allowed, .. })
                if allowed == [DisclosureAction::FinishConsultation]
        ));
    }
}
