//! Files kept with a case (附件): on-site photos and videos, official letters, other documents,
//! uploaded by the staff who handle the case.
//!
//! A file may name or show the reporter (a petition letter carries the petitioner's name and
//! address), so files are read as the reporter is: by operators, handlers and supervisors of
//! the holding unit's chain, and every read of a file's bytes is an audit record. The bytes go
//! to the file store first, under a fresh key; then the case records the file and its `attach`
//! event in one transaction — an acknowledged file always has its bytes. On every read the
//! bytes are checked against the SHA-256 taken at upload.
//!
//! A citizen's photos sent with the report (see [`crate::cases::evidence`]) also have a public
//! copy without metadata: staff who may see the case but not read the reporter (analysts, a
//! unit outside the holding chain) are shown those copies, and nothing else of the files.

use chrono::{DateTime, Utc};
use greenline_domain::{AttachmentKind, Case, Stage, check_file};
use greenline_store::{Attachment, AuditOutcome, NewAttachment, NewEvent, PublicCopy};
use rand::Rng;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::audit::AuditAction;
use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// A file as it arrives.
#[derive(Debug, Clone)]
pub struct Upload {
    pub kind: AttachmentKind,
    /// What the sender called it (folders are dropped).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

/// A file of a case, as staff who may read it see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub case_id: i64,
    pub kind: AttachmentKind,
    /// The kind in Chinese.
    pub kind_label: String,
    pub file_name: String,
    /// The type found in the file's bytes.
    pub media_type: String,
    /// A picture a page can show.
    pub picture: bool,
    pub size_bytes: u64,
    /// Hex SHA-256 of the bytes as uploaded.
    pub sha256: String,
    pub uploaded_by: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    /// Sent by the citizen with the report (举报人提供的证据), not uploaded by staff.
    pub from_reporter: bool,
    /// This reader is given the file as uploaded; otherwise only its public copy (a photo
    /// re-encoded without metadata), which the fields above then describe.
    pub original: bool,
    /// The photo's public copy (without EXIF/XMP/GPS or device data), if it has one: the
    /// only form shown to anyone but the handling staff.
    pub public_copy: Option<PublicCopyView>,
}

/// A photo's public copy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCopyView {
    pub media_type: String,
    pub size_bytes: u64,
    /// Hex SHA-256 of the copy's bytes.
    pub sha256: String,
}

impl From<&PublicCopy> for PublicCopyView {
    fn from(copy: &PublicCopy) -> Self {
        PublicCopyView {
            media_type: copy.file_type.media_type().to_owned(),
            size_bytes: copy.size_bytes,
            sha256: copy.sha256.clone(),
        }
    }
}

impl AttachmentView {
    /// The file as a reader who may not read the reporter sees it: its public copy only, under
    /// a name that is not the sender's (a file name can carry a person's name).
    pub(crate) fn public_only(a: Attachment) -> Option<AttachmentView> {
        let copy = a.public.as_ref()?;
        Some(AttachmentView {
            id: a.id,
            case_id: a.case_id,
            kind: a.kind,
            kind_label: a.kind.zh().to_owned(),
            file_name: format!("现场照片-{}.jpg", a.id),
            media_type: copy.file_type.media_type().to_owned(),
            picture: copy.file_type.is_picture(),
            size_bytes: copy.size_bytes,
            sha256: copy.sha256.clone(),
            uploaded_by: None,
            uploaded_at: a.uploaded_at,
            from_reporter: a.from_reporter,
            original: false,
            public_copy: Some(copy.into()),
        })
    }
}

impl From<Attachment> for AttachmentView {
    fn from(a: Attachment) -> Self {
        AttachmentView {
            id: a.id,
            case_id: a.case_id,
            kind: a.kind,
            kind_label: a.kind.zh().to_owned(),
            file_name: a.file_name,
            media_type: a.file_type.media_type().to_owned(),
            picture: a.file_type.is_picture(),
            size_bytes: a.size_bytes,
            sha256: a.sha256,
            uploaded_by: a.uploaded_by_name,
            uploaded_at: a.uploaded_at,
            from_reporter: a.from_reporter,
            original: true,
            public_copy: a.public.as_ref().map(PublicCopyView::from),
        }
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A key no one can guess or reuse: the case and 128 random bits.
fn new_key(case_id: i64) -> String {
    let bits: [u8; 16] = rand::rng().random();
    format!("cases/{case_id}/{}", hex::encode(bits))
}

impl App {
    /// The case `id` if `caller` may read and add its files: operators, handlers and
    /// supervisors of the holding unit's chain; a case outside the jurisdiction is not found.
    async fn case_for_files(&self, caller: &Caller, id: i64) -> ServiceResult<Case> {
        let case = self.visible_case(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        if !caller.scope().can_read_reporter(holder.region) {
            return Err(ServiceError::Forbidden(
                "a case's files are read by the staff of the unit holding it and those above"
                    .to_owned(),
            ));
        }
        Ok(case)
    }

    /// The case `id` if `caller` may see it, and whether they may read its files as
    /// uploaded (the reporter's readers) or only their public copies.
    async fn case_for_copies(&self, caller: &Caller, id: i64) -> ServiceResult<(Case, bool)> {
        let case = self.visible_case(caller, id).await?;
        let holder = self.store.unit(case.unit_id).await?;
        let original = caller.scope().can_read_reporter(holder.region);
        Ok((case, original))
    }

    /// Keeps `upload` with case `id`. Refused, with nothing kept, if the file is not one a
    /// case takes (type from its bytes, size, count, name), or the case is closed.
    pub async fn attach(
        &self,
        caller: &Caller,
        id: i64,
        upload: Upload,
    ) -> ServiceResult<AttachmentView> {
        let case = self.case_for_files(caller, id).await?;
        if case.stage == Stage::Closed {
            return Err(ServiceError::conflict(
                "the case is closed (归档): no files can be added",
            ));
        }
        let held = self.store.attachments(id).await?.len();
        let checked = check_file(&upload.file_name, &upload.bytes, held)
            .map_err(|e| ServiceError::from(greenline_domain::DomainError::Invalid(vec![e])))?;
        let key = new_key(id);
        let sha256 = sha256_hex(&upload.bytes);
        let size_bytes = upload.bytes.len() as u64;
        self.files.put(&key, upload.bytes).await?;
        let actor = caller.actor();
        let kept = self
            .store
            .add_attachment(
                &NewAttachment {
                    case_id: id,
                    kind: upload.kind,
                    file_name: checked.file_name.clone(),
                    file_type: checked.file_type,
                    size_bytes,
                    sha256: sha256.clone(),
                    object_key: key,
                    uploaded_by: Some(caller.id),
                    public: None,
                },
                NewEvent {
                    actor: &actor,
                    at: self.now(),
                    note: Some(format!("{}：{}", upload.kind.zh(), checked.file_name)),
                    data: serde_json::json!({
                        "kind": upload.kind.code(),
                        "media_type": checked.file_type.media_type(),
                        "size_bytes": size_bytes,
                        "sha256": sha256,
                    }),
                },
            )
            .await?;
        Ok(kept.into())
    }

    /// The files of case `id`, oldest first: all of them to the reporter's readers; to other
    /// staff who may see the case, the public copies of the citizen's photos only.
    pub async fn attachments(
        &self,
        caller: &Caller,
        id: i64,
    ) -> ServiceResult<Vec<AttachmentView>> {
        let (_, original) = self.case_for_copies(caller, id).await?;
        let files = self.store.attachments(id).await?.into_iter();
        Ok(if original {
            files.map(AttachmentView::from).collect()
        } else {
            files.filter_map(AttachmentView::public_only).collect()
        })
    }

    /// The public copy of photo `attachment` of case `id` (a thumbnail, or all that a reader
    /// who may not read the reporter is given), for anyone who may see the case. It holds no
    /// metadata, so its read is not an audit record. Not found for a file without one.
    pub async fn attachment_copy(
        &self,
        caller: &Caller,
        id: i64,
        attachment: i64,
    ) -> ServiceResult<(AttachmentView, Vec<u8>)> {
        self.case_for_copies(caller, id).await?;
        let file = self.store.attachment(attachment).await?;
        if file.case_id != id {
            return Err(ServiceError::NotFound("attachment"));
        }
        let copy = file
            .public
            .clone()
            .ok_or(ServiceError::NotFound("attachment"))?;
        let bytes = self.public_copy_bytes(&copy).await?;
        let view = AttachmentView::public_only(file).ok_or(ServiceError::NotFound("attachment"))?;
        Ok((view, bytes))
    }

    /// File `attachment` of case `id` with its bytes. The read is an audit record; bytes that
    /// no longer match their checksum are refused, never served. A reader who may not read the
    /// reporter gets a citizen photo's public copy instead, and is refused any other file.
    pub async fn attachment_content(
        &self,
        caller: &Caller,
        id: i64,
        attachment: i64,
    ) -> ServiceResult<(AttachmentView, Vec<u8>)> {
        let (_, original) = self.case_for_copies(caller, id).await?;
        if !original {
            // Other staff are given a photo's public copy, and nothing of other files.
            return match self.attachment_copy(caller, id, attachment).await {
                Err(ServiceError::NotFound(_)) => Err(ServiceError::Forbidden(
                    "a case's files are read by the staff of the unit holding it and those \
                     above; others see only the public copies of the citizen's photos"
                        .to_owned(),
                )),
                other => other,
            };
        }
        let file = self.store.attachment(attachment).await?;
        if file.case_id != id {
            return Err(ServiceError::NotFound("attachment"));
        }
        let bytes = self.files.get(&file.object_key).await?;
        if sha256_hex(&bytes) != file.sha256 {
            return Err(ServiceError::internal(anyhow::anyhow!(
                "attachment {} of case {id} does not match its checksum",
                file.id
            )));
        }
        self.record(
            caller,
            AuditAction::ReadAttachment,
            id.to_string(),
            AuditOutcome::Ok,
            serde_json::json!({ "attachment": file.id, "file_name": file.file_name }),
        )
        .await?;
        Ok((file.into(), bytes))
    }
}
