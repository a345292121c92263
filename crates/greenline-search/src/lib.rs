//! # greenline-search
//!
//! Full-text search over what reporters wrote (投诉举报内容): the description and the address of
//! every case, in Chinese, with filters (region, type, stage, kind, channel, time received), the
//! words found highlighted, and the searcher's jurisdiction as a scope no filter can widen.
//!
//! The index is [tantivy](https://docs.rs/tantivy) with our own tokenizer ([`analyzer`]): jieba
//! word segmentation with the domain dictionary from `greenline-text`, plus the dictionary words
//! inside longer words at the same position, so that 化工 finds 化工厂 and phrases still hold.
//! Each case is one document keyed by its id; [`SearchIndex::upsert`] replaces a changed case.
//! The index lives in a directory (memory-mapped) or in memory, and remembers with each commit
//! how far through the store's event log it is ([`SearchIndex::commit_at`]), so a server that
//! restarts catches up from there instead of reading every case again.
//!
//! This crate knows cases, not the store or HTTP: the web layer reads cases from the store, hands
//! them in and keeps the index current; it answers [`SearchQuery`] with case ids and
//! highlighted passages.
//!
//! Reporters often type their phone or name into the description. Each text is therefore indexed
//! twice: as written, and with identities masked by `greenline_text::pii` (each case's own
//! reporter too, when the caller hands them in, [`SearchIndex::upsert_knowing`]). A query
//! searches and shows the masked copy unless it asks for the text as written
//! ([`SearchQuery::reveal_identities`]). Masking the index rather than the query is the only
//! way that holds: a name has no shape a query-side filter could recognise, so a searcher who
//! may not read reporters could otherwise learn which case mentions 张三 by searching for it,
//! even with every passage masked. The cost is the texts stored twice (the description is most
//! of a document).
#![forbid(unsafe_code)]

pub mod analyzer;
mod error;
mod index;
mod query;

pub use error::SearchError;
pub use index::{SearchIndex, WriterOptions};
pub use query::{MAX_LIMIT, SearchHit, SearchQuery, SearchResults};
