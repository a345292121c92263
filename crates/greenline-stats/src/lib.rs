//! # greenline-stats
//!
//! Analytics over all cases, answered while the analyst waits: grouped counts and shares,
//! acceptance and timeliness, month-on-month (环比) and year-on-year (同比) change, trend tests
//! and spike alerts, at every level of the division tree and scoped to the caller's
//! jurisdiction.
//!
//! **How it fits.** The server (or the command line, over a file) turns each stored [`Case`]
//! into [`CaseFacts`] — a few dozen bytes of dictionary-encoded facts — and keeps them in an
//! [`Index`], a struct of arrays built at start and kept current with [`Index::upsert`] as
//! cases change. A [`Query`] names the groupings ([`Dimension`]), the [`Filter`]s, the
//! [`Measure`]s and the caller's scope; [`Index::query`] answers it in one pass over the rows,
//! exactly (the tests check it against a plain loop over the cases). [`trend`] tests a series
//! for a monotonic trend (Mann–Kendall, Sen's slope); [`spikes`] finds region × type series that
//! leave their own expected level, with the cases behind each alert.
//!
//! A question asked of a file need not read whole cases: [`columns::fields_needed`] names the
//! record fields it needs, and [`Index::from_columns`] builds the index from those fields' codes
//! alone (the command reads Parquet, CSV and JSON Lines that way).
//!
//! **What it is not.** Not a store: it holds no text and no personal data, and it reads nothing
//! from disk. Not a report writer: bulletins are built on its answers elsewhere.
//!
//! [`Case`]: greenline_domain::Case
#![forbid(unsafe_code)]

pub mod columns;
pub mod compare;
mod dict;
mod engine;
mod error;
mod facts;
mod index;
mod model;
mod selection;
pub mod spikes;
pub mod trend;

pub use engine::{QueryResult, Row};
pub use error::StatsError;
pub use facts::{CaseFacts, FACT_BYTES, day_date, day_number};
pub use index::{Index, Upserted};
pub use model::{
    AcceptanceStatus, Dimension, Filter, KeyValue, Measure, ParamError, Query, TimeBucket,
    split_list,
};
pub use selection::UnitFigures;
