//! A file posted as `multipart/form-data` (the API's and the case page's uploads): its text
//! fields and its one file, read whole (a case file is at most
//! [`MAX_ATTACHMENT_BYTES`](greenline_domain::attachment::MAX_ATTACHMENT_BYTES)).

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use greenline_domain::attachment::MAX_ATTACHMENT_BYTES;

/// The body limit of an upload route: the largest file and room for the other fields.
pub const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

/// What an upload's body held.
#[derive(Debug, Default)]
pub struct Posted {
    /// The text fields, in order.
    pub fields: Vec<(String, String)>,
    /// The file field `file`: what the sender called it, and its bytes.
    pub file: Option<(String, Vec<u8>)>,
}

impl Posted {
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.trim())
    }
}

/// Why an upload's body could not be read.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the body is larger than an upload may be")]
    TooLarge,
    #[error("the form field {0} is not valid UTF-8")]
    NotUtf8(String),
    #[error("the body is not a readable multipart/form-data form: {0}")]
    Malformed(String),
}

fn failed(error: MultipartError) -> UploadError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        UploadError::TooLarge
    } else {
        UploadError::Malformed(error.body_text())
    }
}

/// Reads every part of `multipart`: `file` as the file, the rest as text.
pub async fn read(mut multipart: Multipart) -> Result<Posted, UploadError> {
    let mut posted = Posted::default();
    while let Some(part) = multipart.next_field().await.map_err(failed)? {
        let name = part.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = part.file_name().unwrap_or_default().to_owned();
            let bytes = part.bytes().await.map_err(failed)?;
            posted.file = Some((file_name, bytes.to_vec()));
        } else {
            let bytes = part.bytes().await.map_err(failed)?;
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| UploadError::NotUtf8(name.clone()))?;
            posted.fields.push((name, text));
        }
    }
    Ok(posted)
}
