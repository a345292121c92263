//! A file posted as `multipart/form-data` (the API's and the case page's uploads): its text
//! fields and its one file, read whole (a case file is at most
//! [`MAX_ATTACHMENT_BYTES`](greenline_domain::attachment::MAX_ATTACHMENT_BYTES)); and the
//! report form's photos and videos (the field `evidence`, several files).

use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::StatusCode;
use greenline_domain::attachment::{
    EVIDENCE_FIELD, MAX_ATTACHMENT_BYTES, MAX_EVIDENCE_TOTAL_BYTES,
};

/// The body limit of an upload route: the largest file and room for the other fields.
pub const UPLOAD_BODY_LIMIT: usize = MAX_ATTACHMENT_BYTES + 64 * 1024;

/// The body limit of the report form: all of a report's photos and videos, and room for the
/// text fields and the parts' headers.
pub const REPORT_BODY_LIMIT: usize = MAX_EVIDENCE_TOTAL_BYTES + 256 * 1024;

/// What an upload's body held.
#[derive(Debug, Default)]
pub struct Posted {
    /// The text fields, in order.
    pub fields: Vec<(String, String)>,
    /// The file field `file`: what the sender called it, and its bytes.
    pub file: Option<(String, Vec<u8>)>,
    /// The files of the field `evidence` (the report form's photos and videos), in order; a
    /// part without a name or bytes (a browser's empty file input) is left out.
    pub files: Vec<(String, Vec<u8>)>,
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
        } else if name == EVIDENCE_FIELD {
            let file_name = part.file_name().unwrap_or_default().to_owned();
            let bytes = part.bytes().await.map_err(failed)?;
            if !(file_name.is_empty() && bytes.is_empty()) {
                posted.files.push((file_name, bytes.to_vec()));
            }
        } else {
            let bytes = part.bytes().await.map_err(failed)?;
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| UploadError::NotUtf8(name.clone()))?;
            posted.fields.push((name, text));
        }
    }
    Ok(posted)
}

/// The text fields as an `application/x-www-form-urlencoded` body, so a multipart form is read
/// into the same structure, by the same rules, as a plain one.
pub fn urlencoded(fields: &[(String, String)]) -> String {
    fn encode(text: &str, out: &mut String) {
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'*') {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    let mut out = String::new();
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode(name, &mut out);
        out.push('=');
        encode(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_encoded_as_a_form_posts_them() {
        let fields = vec![
            ("description".to_owned(), "工地 & 噪声=100%".to_owned()),
            ("anonymous".to_owned(), "1".to_owned()),
        ];
        assert_eq!(
            super::urlencoded(&fields),
            "description=%E5%B7%A5%E5%9C%B0%20%26%20%E5%99%AA%E5%A3%B0%3D100%25&anonymous=1"
        );
    }
}
