//! The crate's one error type.

use std::path::PathBuf;

/// What can go wrong while loading data files, reading models or training.
#[derive(Debug, thiserror::Error)]
pub enum TextError {
    /// A dictionary or word list could not be read.
    #[error("dictionary: {0}")]
    Dictionary(String),
    /// A model file is malformed or of another version.
    #[error("model: {0}")]
    Model(String),
    /// Training was given nothing usable.
    #[error("training: {0}")]
    Training(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
