//! A citizen's photos and videos sent with a report (举报人提供的现场照片、视频).
//!
//! They come with the report and are kept as the staff's case files are (same table, same
//! object store), so that an acknowledged report always has its files: every file is checked
//! (count, size by type, type from its bytes), every photo decoded into its public copy, and
//! only then are the bytes written, under keys made of their SHA-256 — a retried submission
//! writes the same objects again, nothing twice and nothing half. The case, its events and
//! one `attach` event and row per file are then written in the intake's one transaction.
//!
//! Who sees what: the handling staff (those who may read the reporter) get the original, with
//! its checksum, as evidence; everyone else — other staff, and the public once the case is
//! published — gets only a photo's public copy (see [`crate::photos`]); videos and HEIC photos
//! have none and stay with the handling staff.

use greenline_domain::{FileType, Stage, check_evidence};
use greenline_store::{NewEvidence, PublicCopy};
use sha2::{Digest, Sha256};

use crate::App;
use crate::error::{ServiceError, ServiceResult};
use crate::photos::{PhotoError, public_copy};

/// A photo or video as the citizen sent it.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    /// What the sender called it (folders are dropped).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A report's files, checked and copied, their bytes not yet written.
#[derive(Debug, Default)]
pub(crate) struct PreparedEvidence {
    /// (object key, bytes) to write before the case.
    objects: Vec<(String, Vec<u8>)>,
    /// The rows the intake writes.
    pub rows: Vec<NewEvidence>,
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The key of an original: its checksum (two characters of it as a folder, so no folder grows
/// past a few thousand entries on a disk).
fn original_key(sha256: &str) -> String {
    format!("evidence/{}/{sha256}", &sha256[..2])
}

fn public_key(sha256: &str) -> String {
    format!("evidence-public/{}/{sha256}", &sha256[..2])
}

/// Checks `files` and makes each photo's public copy (CPU work, done off the async threads).
/// Refusals name the field `evidence`, and the file, in Chinese.
pub(crate) async fn prepare(files: Vec<EvidenceFile>) -> ServiceResult<PreparedEvidence> {
    if files.is_empty() {
        return Ok(PreparedEvidence::default());
    }
    tokio::task::spawn_blocking(move || {
        let named: Vec<(String, Vec<u8>)> =
            files.into_iter().map(|f| (f.file_name, f.bytes)).collect();
        let checked = check_evidence(&named).map_err(ServiceError::Invalid)?;
        let mut prepared = PreparedEvidence::default();
        for (file, (_, bytes)) in checked.into_iter().zip(named) {
            let public = match public_copy(&bytes, file.file_type) {
                Ok(copy) => copy,
                Err(PhotoError::Undecodable(error)) => {
                    tracing::info!(file = %file.file_name, %error, "a photo that does not decode");
                    return Err(ServiceError::field(
                        greenline_domain::attachment::EVIDENCE_FIELD,
                        format!(
                            "“{}”无法作为照片打开（文件可能已损坏），请重新选择",
                            file.file_name
                        ),
                    ));
                }
            };
            let sha256 = sha256_hex(&bytes);
            let public = public.map(|copy| {
                let copy_sha = sha256_hex(&copy);
                let kept = PublicCopy {
                    object_key: public_key(&copy_sha),
                    file_type: FileType::Jpeg,
                    size_bytes: copy.len() as u64,
                    sha256: copy_sha,
                };
                prepared.objects.push((kept.object_key.clone(), copy));
                kept
            });
            let row = NewEvidence {
                file_name: file.file_name,
                file_type: file.file_type,
                size_bytes: bytes.len() as u64,
                object_key: original_key(&sha256),
                sha256,
                public,
            };
            prepared.objects.push((row.object_key.clone(), bytes));
            prepared.rows.push(row);
        }
        Ok(prepared)
    })
    .await?
}

/// A photo's public copy, as the public side serves it.
#[derive(Debug, Clone)]
pub struct PublicPhoto {
    pub file_type: FileType,
    pub bytes: Vec<u8>,
}

impl App {
    /// Writes a report's files to the object store, before the case that names them.
    pub(crate) async fn keep_evidence(&self, prepared: &mut PreparedEvidence) -> ServiceResult<()> {
        for (key, bytes) in std::mem::take(&mut prepared.objects) {
            self.files.put(&key, bytes).await?;
        }
        Ok(())
    }

    /// The bytes of a public copy, checked against its checksum.
    pub(crate) async fn public_copy_bytes(&self, copy: &PublicCopy) -> ServiceResult<Vec<u8>> {
        let bytes = self.files.get(&copy.object_key).await?;
        if sha256_hex(&bytes) != copy.sha256 {
            return Err(ServiceError::internal(anyhow::anyhow!(
                "the public copy {} does not match its checksum",
                copy.object_key
            )));
        }
        Ok(bytes)
    }

    /// The public copy of photo `attachment` of case `case_id`, for the public side (the
    /// published results page, Open311's `media_url`): only a citizen's photo, only its copy
    /// without metadata, only of a case whose result is public
    /// ([`Stage::PUBLISHED_RESULT`]). Anything else is not found.
    pub async fn public_photo(&self, case_id: i64, attachment: i64) -> ServiceResult<PublicPhoto> {
        let case = self.store.case(case_id).await?;
        if !Stage::PUBLISHED_RESULT.contains(&case.stage) {
            return Err(ServiceError::NotFound("photo"));
        }
        let file = self.store.attachment(attachment).await?;
        let copy = match file.public {
            Some(copy) if file.case_id == case_id && file.from_reporter => copy,
            _ => return Err(ServiceError::NotFound("photo")),
        };
        Ok(PublicPhoto {
            file_type: copy.file_type,
            bytes: self.public_copy_bytes(&copy).await?,
        })
    }
}
