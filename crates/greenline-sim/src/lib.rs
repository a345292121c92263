//! # greenline-sim
//!
//! A simulator of environmental complaint cases at national, provincial or city scale, for
//! people trying Greenline, for the tests and for the benchmarks. It is calibrated to the
//! national 12369 platform's bulletins: volume, channel and type shares, sub-types, seasons,
//! the rhythm of the week and the day, regions, acceptance, durations, outcomes; sources that
//! are reported again and again; and injected events (an odour surge at a chemical park, a new
//! construction site) whose places and times are known, so anomaly detection can be tested
//! against them. Every parameter and its source is in [`calibration`].
//!
//! The same seed gives the same cases, byte for byte. The simulator writes [`CaseRecord`]s,
//! the flat form that import and export also use. It knows nothing of storage or HTTP.
#![forbid(unsafe_code)]

pub mod calibration;
mod generate;
mod places;
pub mod text;
mod truth;

pub use generate::{InjectedEvent, Scale, SimConfig, SimError, Simulator};
pub use greenline_domain::CaseRecord;
pub use truth::GroundTruth;
