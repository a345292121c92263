//! The crate's one error type.

/// What can go wrong with the index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query has nothing to search for (no words, only punctuation).
    #[error("the query has no words to search for")]
    EmptyQuery,
    /// The index directory could not be opened or created.
    #[error("index directory {path}: {message}")]
    Directory { path: String, message: String },
    /// The search engine failed (I/O, a damaged index).
    #[error("search index: {0}")]
    Engine(#[from] tantivy::TantivyError),
}
