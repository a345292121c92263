//! Understanding what people write in complaints (投诉举报内容): the first pieces.
//!
//! Complaints arrive as free Chinese text — typed on a phone, transcribed from a call, scanned
//! from a letter. This crate turns such text into what intake and analysis need:
//!
//! - [`Tokenizer`]: jieba word segmentation with a domain dictionary and stop words
//!   (`data/text/`).
//! - [`Gazetteer`]: place resolution, from text to the most precise administrative region that is
//!   certain (never a guess between two districts of the same name) and the street address.
//! - [`Classifier`]: a suggested pollution type and sub-type with a confidence, from a linear
//!   model trained on labelled case texts; a default model ships in `data/text/model-v2.tsv`.
//! - [`source`]: same-source detection (重复举报) — the features that identify a complaint's
//!   source, a scorer with its evidence, and an index of earlier cases by county.
//! - [`topics`]: hot topics, the terms that stand out in a period against its background.
//! - [`pii`]: masking reporters' identities (phones, names, ID numbers …) in free text, for
//!   every reader who may not see them.
//!
//! It depends only on `greenline-domain` (for [`RegionCode`](greenline_domain::RegionCode) and
//! the taxonomy) and does no I/O of its own beyond the data it compiles in: the command line and
//! the web layer read files and requests and hand text in. Full-text search is its own crate
//! (`greenline-search`).
#![forbid(unsafe_code)]

pub mod classify;
mod error;
pub mod pii;
pub mod place;
pub mod source;
mod tokenize;
pub mod topics;

pub use classify::{Classifier, Example, Label, Prediction};
pub use error::TextError;
pub use place::{Gazetteer, Place};
pub use source::{
    Candidate, Evidence, SourceFeatures, SourceIndex, SourceMatch, features_fingerprint,
};
pub use tokenize::Tokenizer;
pub use topics::{DocFreq, Topic, TopicGroup, TopicOptions, group_topics, hot_topics};

/// Loads every table the tools read (the segmenter's dictionary, the gazetteer, the models,
/// the surname and term tables), which are otherwise loaded by the first text that needs them.
/// A server calls it while it starts, so its first case is not the one that waits for them.
pub fn load_tables() {
    source::load_tables();
    Tokenizer::shared();
    Gazetteer::shared();
    // A broken shipped model is reported where the classifier is used.
    let _ = Classifier::shipped();
    pii::load_tables();
}
