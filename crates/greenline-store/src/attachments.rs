//! What the store keeps of a case's files (附件): their description, written with the case's
//! `attach` event in one transaction. The bytes themselves live in the object store, put there
//! before this row is written, so an acknowledged file is never a row without its bytes.
//!
//! A citizen's photos and videos (`from_reporter`) come with the report itself and are written
//! by intake, in the case's own transaction; a photo then also names its public copy.

use chrono::{DateTime, Utc};
use greenline_domain::{AttachmentKind, FileType};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::cases::{NewEvent, append_event};
use crate::convert::{Arg, instant, millis};
use crate::{Result, Store, StoreError};

/// The public copy of a photo: re-encoded without its metadata, with a checksum of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicCopy {
    pub object_key: String,
    pub file_type: FileType,
    pub size_bytes: u64,
    /// Hex of the SHA-256 of the copy's bytes.
    pub sha256: String,
}

/// A photo or video a citizen sent with a report, its bytes already in the object store:
/// written by intake with the case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    pub file_name: String,
    pub file_type: FileType,
    pub size_bytes: u64,
    /// Hex of the SHA-256 of the bytes as sent.
    pub sha256: String,
    pub object_key: String,
    /// A photo's public copy; none for a video or a photo that cannot be re-encoded (HEIC).
    pub public: Option<PublicCopy>,
}

/// A file to record with a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    pub case_id: i64,
    pub kind: AttachmentKind,
    pub file_name: String,
    pub file_type: FileType,
    pub size_bytes: u64,
    /// Hex of the SHA-256 of the bytes as uploaded.
    pub sha256: String,
    /// Where the bytes are in the object store.
    pub object_key: String,
    pub uploaded_by: Option<i64>,
    /// A public copy of the file, if one was made.
    pub public: Option<PublicCopy>,
}

/// A file recorded with a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub case_id: i64,
    pub kind: AttachmentKind,
    pub file_name: String,
    pub file_type: FileType,
    pub size_bytes: u64,
    pub sha256: String,
    pub object_key: String,
    pub uploaded_by: Option<i64>,
    /// The uploader's name, as the history shows it.
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: DateTime<Utc>,
    /// Sent by the citizen with the report (举报人提供的证据), not uploaded by staff.
    pub from_reporter: bool,
    /// The copy anyone but the handling staff is shown, if there is one.
    pub public: Option<PublicCopy>,
}

const COLUMNS: &str = "a.id, a.case_id, a.kind, a.file_name, a.media_type, a.size_bytes, \
     a.sha256, a.object_key, a.uploaded_by, s.display_name AS uploaded_by_name, a.uploaded_at, a.from_reporter, \
     a.public_key, a.public_media_type, a.public_size_bytes, a.public_sha256";

/// Statement and arguments that record a citizen's file with case `case_id`.
pub(crate) fn evidence_row(
    case_id: i64,
    file: &NewEvidence,
    at: DateTime<Utc>,
) -> (String, Vec<Arg>) {
    let public = file.public.as_ref();
    (
        "INSERT INTO attachments (case_id, kind, file_name, media_type, size_bytes, sha256, \
         object_key, uploaded_by, uploaded_at, from_reporter, public_key, public_media_type, \
         public_size_bytes, public_sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, 1, $9, $10, $11, $12)"
            .to_owned(),
        vec![
            Arg::int(case_id),
            Arg::text(AttachmentKind::SiteEvidence.code()),
            Arg::text(file.file_name.clone()),
            Arg::text(file.file_type.media_type()),
            Arg::int(i64::try_from(file.size_bytes).unwrap_or(i64::MAX)),
            Arg::text(file.sha256.clone()),
            Arg::text(file.object_key.clone()),
            Arg::int(millis(at)),
            Arg::Text(public.map(|p| p.object_key.clone())),
            Arg::Text(public.map(|p| p.file_type.media_type().to_owned())),
            Arg::Int(public.map(|p| i64::try_from(p.size_bytes).unwrap_or(i64::MAX))),
            Arg::Text(public.map(|p| p.sha256.clone())),
        ],
    )
}

fn public_from_row(row: &AnyRow) -> Result<Option<PublicCopy>> {
    let Some(object_key) = row.try_get::<Option<String>, _>("public_key")? else {
        return Ok(None);
    };
    let media_type: String = row
        .try_get::<Option<String>, _>("public_media_type")?
        .unwrap_or_default();
    Ok(Some(PublicCopy {
        object_key,
        file_type: FileType::from_media_type(&media_type)
            .ok_or_else(|| crate::convert::corrupt("media type", &media_type))?,
        size_bytes: u64::try_from(
            row.try_get::<Option<i64>, _>("public_size_bytes")?
                .unwrap_or_default(),
        )
        .unwrap_or_default(),
        sha256: row
            .try_get::<Option<String>, _>("public_sha256")?
            .unwrap_or_default(),
    }))
}

fn attachment_from_row(row: &AnyRow) -> Result<Attachment> {
    let kind: String = row.try_get("kind")?;
    let media_type: String = row.try_get("media_type")?;
    Ok(Attachment {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        kind: AttachmentKind::parse(&kind)
            .ok_or_else(|| crate::convert::corrupt("attachment kind", &kind))?,
        file_name: row.try_get("file_name")?,
        file_type: FileType::from_media_type(&media_type)
            .ok_or_else(|| crate::convert::corrupt("media type", &media_type))?,
        size_bytes: u64::try_from(row.try_get::<i64, _>("size_bytes")?).unwrap_or_default(),
        sha256: row.try_get("sha256")?,
        object_key: row.try_get("object_key")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_by_name: row.try_get("uploaded_by_name")?,
        uploaded_at: instant(row.try_get("uploaded_at")?)?,
        from_reporter: row.try_get::<i64, _>("from_reporter")? != 0,
        public: public_from_row(row)?,
    })
}

impl Store {
    /// Records a file with its case and the case's `attach` event, in one transaction.
    pub async fn add_attachment(
        &self,
        file: &NewAttachment,
        event: NewEvent<'_>,
    ) -> Result<Attachment> {
        let mut tx = self.writer.begin().await?;
        // The event first: on SQLite it takes the write lock, and a missing case fails here.
        append_event(&mut tx, file.case_id, "attach", None, None, &event)
            .await
            .map_err(|e| match e {
                StoreError::Database(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
                    StoreError::NotFound("case")
                }
                other => other,
            })?;
        let id: i64 = sqlx::query(
            "INSERT INTO attachments (case_id, kind, file_name, media_type, size_bytes, sha256, \
             object_key, uploaded_by, uploaded_at, public_key, public_media_type, \
             public_size_bytes, public_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(file.case_id)
        .bind(file.kind.code().to_owned())
        .bind(file.file_name.clone())
        .bind(file.file_type.media_type().to_owned())
        .bind(i64::try_from(file.size_bytes).unwrap_or(i64::MAX))
        .bind(file.sha256.clone())
        .bind(file.object_key.clone())
        .bind(file.uploaded_by)
        .bind(millis(event.at))
        .bind(file.public.as_ref().map(|p| p.object_key.clone()))
        .bind(
            file.public
                .as_ref()
                .map(|p| p.file_type.media_type().to_owned()),
        )
        .bind(
            file.public
                .as_ref()
                .map(|p| i64::try_from(p.size_bytes).unwrap_or(i64::MAX)),
        )
        .bind(file.public.as_ref().map(|p| p.sha256.clone()))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        tx.commit().await?;
        self.attachment(id).await
    }

    /// The files of a case, oldest first.
    pub async fn attachments(&self, case_id: i64) -> Result<Vec<Attachment>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM attachments a LEFT JOIN staff s ON s.id = a.uploaded_by \
             WHERE a.case_id = $1 ORDER BY a.id"
        ))
        .bind(case_id)
        .fetch_all(&self.reader)
        .await?
        .iter()
        .map(attachment_from_row)
        .collect()
    }

    /// One file's record.
    pub async fn attachment(&self, id: i64) -> Result<Attachment> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM attachments a LEFT JOIN staff s ON s.id = a.uploaded_by \
             WHERE a.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await?
        .ok_or(StoreError::NotFound("attachment"))?;
        attachment_from_row(&row)
    }
}
