//! # greenline-report
//!
//! Decision reports (决策参考): a monthly, quarterly or annual bulletin for the nation or for
//! one province, city or county, in the shape of the national 12369 bulletins — totals with
//! month-on-month (环比) and year-on-year (同比) change, acceptance and the reasons for
//! rejection, channels, types with their leading sub-types, industries, regions with their own
//! mix, timeliness, repeat sources, trend findings and spike alerts — written as Chinese
//! sentences generated from the numbers, with tables and charts.
//!
//! **How it fits.** [`Bulletin::build`] asks the analytics engine ([`greenline_stats::Index`])
//! the questions listed in [`BulletinQueries`] and keeps each answer as a figure
//! ([`Figures`]); the text ([`Section`]) is written from those figures only, so every number
//! in it is the engine's answer. [`render`] turns a bulletin into Markdown, a self-contained
//! HTML page (inline CSS and SVG charts, printable on A4) or a Word document. `Bulletin`
//! serialises to JSON for the API.
//!
//! **What it is not.** Not a query engine (that is `greenline-stats`) and not a command or an
//! endpoint (the binary and the web crate call [`Bulletin::build`] and [`render`]). It never
//! sees a reporter's identity: the index holds none.
#![forbid(unsafe_code)]

mod chart;
mod error;
mod model;
mod period;
pub mod picture;
mod queries;
mod render;
mod text;

pub use error::ReportError;
pub use model::{
    Acceptance, AlertItem, Bulletin, BulletinOptions, Figures, Item, MonthCount, RegionItem,
    Regions, SubTypes, Timeliness, Totals, Trend, TrendResult, Trends,
};
pub use period::Period;
pub use queries::{BulletinQueries, QueryDescription, TREND_MONTHS, bulletin_queries, child_level};
pub use render::{Document, Format, render, render_document};
pub use text::{Chart, HotTopic, Section, Table, one_decimal, p_value, percent, type_phrase};
