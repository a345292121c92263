//! # greenline-domain
//!
//! The environmental complaint case as the agency knows it, with no I/O: the kinds of case
//! (举报件, 信访事项, 行政复议, and information-disclosure requests 依申请公开, see
//! [`disclosure`]) and their state machines, statutory time limits, channels, the
//! pollution-type taxonomy, administrative regions, outcomes and enforcement actions, roles and
//! jurisdiction rules, and tracking numbers; and, beside the case, public participation in
//! environmental impact assessment ([`eia`]: projects, their notices' periods and comment windows).
//!
//! Everything here is a pure function or a type that cannot hold an invalid value: input is
//! parsed once at the edge (see [`NewCase::parse`], [`RegionCode::parse`]) and the rest of the
//! system trusts it. Storage, HTTP and the command line build on this crate; it depends on none
//! of them. Code lists and time limits are data files in this crate's `data/` folder.
#![forbid(unsafe_code)]

pub mod access;
pub mod approval;
pub mod attachment;
pub mod calendar;
pub mod callback;
pub mod case;
pub mod channel;
pub mod classification;
pub mod deadline;
pub mod disclosure;
pub mod dispatch;
pub mod eia;
pub mod error;
pub mod geo;
pub mod outcome;
pub mod oversight;
pub mod plain_answer;
pub mod record;
pub mod region;
pub mod taxonomy;
pub mod text;
pub mod tracking;
pub mod workflow;

pub use access::{Role, StaffScope, check_assignment};
pub use approval::{Approval, Draft};
pub use attachment::{AttachmentKind, CheckedFile, FileType, check_evidence, check_file};
pub use calendar::{Arranged, WorkingCalendar, WorkingDue};
pub use callback::{CallbackForm, Followup, Satisfaction};
pub use case::{
    Applied, Case, Command, ENFORCEMENT_FIELDS, Extension, IntakeForm, NewCase, Reporter,
    SEND_BACK_WORKING_DAYS, apply, check_send_back, is_email, phone_keys,
};
pub use channel::Channel;
pub use classification::{
    Merge, Reviewed, TypeReview, TypeSuggestion, Types, TypesForm, merge, review_types,
};
pub use deadline::{
    Deadline, DeadlineKind, DeadlineTable, LimitsOverride, TimeLimits, statutory_limits,
};
pub use dispatch::{DispatchRule, DispatchStep, DispatchUnit, RuleProblem};
pub use error::{DomainError, FieldError};
pub use geo::{Datum, GeoPoint};
pub use outcome::{EnforcementAction, Outcome, RejectionReason};
pub use oversight::Oversight;
pub use plain_answer::{AnswerContent, AnswerState, AnswerStep, Basis};
pub use record::{CaseRecord, ImportedCase, Step};
pub use region::{Region, RegionCode, RegionLevel};
pub use taxonomy::{Industry, PollutionType, SubType};
pub use text::{MAX_DESCRIPTION_CHARS, MAX_TEXT_CHARS};
pub use text::{check_text, is_forbidden_char};
pub use tracking::TrackingNo;
pub use workflow::{Action, CaseKind, PublicStatus, Stage};
