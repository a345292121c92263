//! What a search asks and what it answers.

use chrono::{DateTime, Utc};
use greenline_domain::{CaseKind, Channel, PollutionType, RegionCode, Stage};

/// The most hits one search returns.
pub const MAX_LIMIT: usize = 100;

/// A search: words, the searcher's jurisdiction, filters and the page wanted.
///
/// `text` is split at spaces into parts; every part must occur in a case's description or
/// address, and a part of several words must occur as that phrase (`油烟 扰民` finds cases that
/// mention both; `油烟扰民` finds the phrase).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchQuery {
    pub text: String,
    /// The searcher's jurisdiction: only cases placed in this region are found
    /// ([`RegionCode::NATIONAL`] for all). Filters narrow it and never widen it.
    pub scope: RegionCode,
    /// Only cases placed in this region (its whole subtree).
    pub region: Option<RegionCode>,
    /// Only cases carrying this type (as primary type or another).
    pub pollution_type: Option<PollutionType>,
    pub primary_type: Option<PollutionType>,
    pub stage: Option<Stage>,
    pub kind: Option<CaseKind>,
    pub channel: Option<Channel>,
    /// Only cases received at or after this instant.
    pub received_from: Option<DateTime<Utc>>,
    /// Only cases received before this instant.
    pub received_before: Option<DateTime<Utc>>,
    /// Hits wanted, at most [`MAX_LIMIT`].
    pub limit: usize,
    /// Hits to skip (the best first).
    pub offset: usize,
    /// Search and show the texts as written. Off by default: the search then runs over the
    /// texts with reporters' identities masked and shows those, so that a searcher who may not
    /// read reporters can neither see a phone or name in a passage nor learn, by searching for
    /// one, which case holds it.
    pub reveal_identities: bool,
}

impl SearchQuery {
    /// A search for `text` over the whole country, the first ten hits.
    pub fn new(text: impl Into<String>) -> SearchQuery {
        SearchQuery {
            text: text.into(),
            scope: RegionCode::NATIONAL,
            region: None,
            pollution_type: None,
            primary_type: None,
            stage: None,
            kind: None,
            channel: None,
            received_from: None,
            received_before: None,
            limit: 10,
            offset: 0,
            reveal_identities: false,
        }
    }

    /// The same search within `scope`.
    pub fn within(mut self, scope: RegionCode) -> SearchQuery {
        self.scope = scope;
        self
    }
}

/// One case found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub case_id: i64,
    /// BM25 relevance; higher is better.
    pub score: f32,
    /// The best passage of the description, HTML-escaped, with the words found in
    /// `<mark>…</mark>` and `…` where the description goes on.
    pub snippet_html: String,
    /// The address, HTML-escaped, with the words found marked.
    pub address_html: String,
}

/// The hits of one page, and how many cases match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
}
