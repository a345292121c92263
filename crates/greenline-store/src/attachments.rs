//! What the store keeps of a case's files (附件): their description, written with the case's
//! `attach` event in one transaction. The bytes themselves live in the object store, put there
//! before this row is written, so an acknowledged file is never a row without its bytes.

use chrono::{DateTime, Utc};
use greenline_domain::{AttachmentKind, FileType};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::cases::{NewEvent, append_event};
use crate::convert::{instant, millis};
use crate::{Result, Store, StoreError};

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
}

const COLUMNS: &str = "a.id, a.case_id, a.kind, a.file_name, a.media_type, a.size_bytes, \
     a.sha256, a.object_key, a.uploaded_by, s.display_name AS uploaded_by_name, a.uploaded_at";

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
             object_key, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING id",
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
