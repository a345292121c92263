//! A case's files (附件): upload, list, read.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use greenline_app::cases::attachments::{AttachmentView, Upload};
use greenline_domain::{AttachmentKind, FieldError};

use super::CaseId;
use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::upload::{self, UploadError};

/// The form of an upload, for the API document.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// `site_evidence` (现场照片或视频), `official_letter` (公函、文书) or `other`.
    kind: String,
    /// The file: JPEG, PNG, WebP or HEIC photo, MP4 or MOV video, PDF or Word (.docx), at
    /// most 20 MB; its type is read from its bytes.
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
}

fn upload_error(error: UploadError) -> ApiError {
    match error {
        UploadError::TooLarge => ApiError::PayloadTooLarge(error.to_string()),
        UploadError::NotUtf8(field) => ApiError::BadRequest {
            detail: format!("the form field {field} is not valid UTF-8"),
            errors: vec![FieldError::new(field, "not valid UTF-8")],
        },
        UploadError::Malformed(_) => ApiError::BadRequest {
            detail: error.to_string(),
            errors: Vec::new(),
        },
    }
}

/// Keeps a file with the case: operators, handlers and supervisors of the holding unit's
/// chain, on a case not closed. Its type is read from its bytes; the answer gives its SHA-256.
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, body = AttachmentView),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem, description = "The case is closed"),
        (status = 413, body = Problem),
        (status = 422, body = Problem, description = "Not a file a case takes (type, size, count, name)"),
        (status = 503, body = Problem, description = "No file store is set up"),
    ))]
pub async fn upload(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    let posted = upload::read(multipart).await.map_err(upload_error)?;
    let kind = AttachmentKind::parse(posted.field("kind"))
        .ok_or_else(|| ApiError::field("kind", "site_evidence, official_letter or other"))?;
    let (file_name, bytes) = posted
        .file
        .ok_or_else(|| ApiError::field("file", "no file was sent"))?;
    let kept = app
        .attach(
            &who,
            id,
            Upload {
                kind,
                file_name,
                bytes,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(kept)))
}

/// The case's files, oldest first: all of them for operators, handlers and supervisors of the
/// holding unit's chain; for other staff who may see the case, only the public copies of the
/// citizen's photos (`original: false`). `from_reporter` marks the citizen's evidence sent with
/// the report.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(app): State<AppState>,
    who: SignedIn,
    CaseId(id): CaseId,
) -> ApiResult<Json<Vec<AttachmentView>>> {
    Ok(Json(app.attachments(&who, id).await?))
}

/// One file's bytes, with the type found in them. Every read of an original is an audit
/// record; staff who may not read the reporter get a citizen photo's public copy (without
/// EXIF/GPS) and are refused any other file.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments/{attachment}", tag = "cases",
    security(("bearer" = [])),
    params(("id" = i64, Path), ("attachment" = i64, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn content(
    State(app): State<AppState>,
    who: SignedIn,
    Path((id, attachment)): Path<(String, String)>,
) -> ApiResult<Response> {
    let number = |field: &str, text: &str| {
        text.parse::<i64>().map_err(|_| ApiError::BadRequest {
            detail: format!("the {field} in the URL must be a number"),
            errors: vec![FieldError::new(field, "a number")],
        })
    };
    let (id, attachment) = (number("id", &id)?, number("attachment", &attachment)?);
    let (file, bytes) = app.attachment_content(&who, id, attachment).await?;
    Ok(file_response(&file, bytes))
}

/// A file as an answer: its own type, shown in the browser if it is a picture, else
/// downloaded under its name; never cached.
pub(crate) fn file_response(file: &AttachmentView, bytes: Vec<u8>) -> Response {
    let disposition = if file.picture { "inline" } else { "attachment" };
    let encoded: String = file
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, file.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename*=UTF-8''{encoded}"),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
