//! Same-source detection (重复举报): is a new complaint about a source an earlier case is about?
//!
//! Three parts, each usable alone:
//! - [`SourceFeatures`]: what in a text identifies its source — names of firms, shops and sites
//!   (stems without trade words, legal forms or city), roads with house numbers, compounds with
//!   buildings, wider areas, the kinds of problem, night, the region.
//! - [`score`]: two texts' features against each other, as a [`SourceMatch`] with a score 0–1,
//!   a decision and the [`Evidence`] for and against, in Chinese, for staff to check.
//! - [`SourceIndex`]: the earlier cases of each county, found through their names, roads and
//!   compounds, so that a new case is compared only with the few earlier ones that share one.
//!
//! Names are compared by sound (拼音) so that homophone typos still match, and by overlap with
//! the shorter name so that extra characters around a name do not hide it. Precision comes first:
//! a source is only suggested when a name, a road or a compound is shared, and two different
//! names, a different house number or building, another kind of problem or another region count
//! strongly against.

mod features;
mod index;
mod model;
mod pairs;
mod score;
mod sound;
mod terms;

pub use features::{Compound, Facility, Road, SourceFeatures};
pub use index::{Candidate, SourceIndex, SourceIndexStats};
pub use model::{Example, INDEX_PRECISION, PairModel, fit};
pub use pairs::{
    Figures, KnownCase, LabelledPair, example, index_suggestions, measure, read_pairs,
    set_index_threshold, threshold_across_writers, train,
};
/// The version of what [`SourceFeatures::extract`] reads from a text and of the compact form
/// the index keeps: raise it when either changes (place resolution included), so that features
/// kept from before are read again from the texts.
const FEATURES_VERSION: u32 = 9;

/// A digest of [`FEATURES_VERSION`] and of every table the features are read with (lines of
/// business, terms, places, the tokenizer's dictionary and stop words, surnames): features a
/// snapshot kept under another one are stale.
pub fn features_fingerprint() -> u64 {
    // FNV-1a: the same number from every build of the same tables.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so that moving text from one table to the next changes the digest.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    };
    eat(&FEATURES_VERSION.to_le_bytes());
    for table in [
        features::LINES_DATA,
        terms::TERMS,
        crate::place::COMMON_WORDS,
        crate::place::FORMER_NAMES,
        crate::place::TOWNSHIPS,
        crate::place::LANDMARKS,
        crate::tokenize::DOMAIN_DICT,
        crate::tokenize::STOPWORDS,
        crate::pii::SURNAMES,
    ] {
        eat(table.as_bytes());
    }
    hash
}

/// Loads the term table, the pair model and the county lists (see [`crate::load_tables`]).
pub(crate) fn load_tables() {
    std::sync::LazyLock::force(&terms::TERMS_TABLE);
    PairModel::shipped();
    index::load_tables();
    features::load_tables();
}

pub use score::{
    Evidence, EvidenceKind, SourceMatch, score, score_by, score_texts, threshold, values,
};
