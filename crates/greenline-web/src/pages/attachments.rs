//! A case's files on the case page: the upload form's post, and a file opened from the list.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use greenline_app::ServiceError;
use greenline_app::cases::attachments::{AttachmentView, Upload};
use greenline_domain::AttachmentKind;

use super::console::{after_change, case_page};
use super::csrf::{self, Csrf};
use super::report::Choice;
use super::staff::ConsoleUser;
use super::{PageError, PageResult, local_time, render};
use crate::AppState;
use crate::extract::CaseId;
use crate::upload::{self, UPLOAD_BODY_LIMIT, UploadError};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console/cases/{id}/attachments",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
        )
        .route("/console/cases/{id}/attachments/{attachment}", get(open))
        .route(
            "/console/cases/{id}/attachments/{attachment}/copy",
            get(copy),
        )
}

/// A file as the case page lists it.
#[derive(Debug)]
pub(super) struct FileRow {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub size: String,
    pub by: String,
    pub at: String,
    pub sha256: String,
    pub picture: bool,
    /// Sent by the citizen with the report.
    pub from_reporter: bool,
    /// The reader may open the file as uploaded (otherwise `href` is its public copy).
    pub original: bool,
    /// The public copy (no metadata) shown as a thumbnail, if the file has one.
    pub thumbnail: Option<String>,
}

impl FileRow {
    pub fn new(file: &AttachmentView) -> FileRow {
        let size = if file.size_bytes >= 1024 * 1024 {
            format!("{:.1} MB", file.size_bytes as f64 / 1024.0 / 1024.0)
        } else {
            format!("{} KB", file.size_bytes.div_ceil(1024))
        };
        FileRow {
            href: format!("/console/cases/{}/attachments/{}", file.case_id, file.id),
            name: file.file_name.clone(),
            kind: file.kind.zh(),
            size,
            by: file.uploaded_by.clone().unwrap_or_default(),
            at: local_time(file.uploaded_at),
            sha256: file.sha256.clone(),
            picture: file.picture,
            from_reporter: file.from_reporter,
            original: file.original,
            thumbnail: file.public_copy.as_ref().map(|_| {
                format!(
                    "/console/cases/{}/attachments/{}/copy",
                    file.case_id, file.id
                )
            }),
        }
    }
}

/// The choices of the upload form's kind.
pub(super) fn kind_choices() -> Vec<Choice> {
    AttachmentKind::ALL
        .into_iter()
        .map(|k| Choice {
            value: k.code().to_owned(),
            label: k.zh().to_owned(),
            selected: false,
        })
        .collect()
}

/// `POST /console/cases/{id}/attachments`: keeps the posted file with the case, then shows
/// the case again; a refused file is named on the case page and nothing is kept.
async fn upload(
    State(state): State<AppState>,
    who: ConsoleUser,
    csrf: Csrf,
    headers: HeaderMap,
    CaseId(id): CaseId,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    // A post that is not a multipart form carries no form token that could be read.
    let multipart = multipart.map_err(|_| PageError::StaleForm)?;
    let posted = match upload::read(multipart).await {
        Ok(posted) => posted,
        Err(UploadError::TooLarge) => return Err(PageError::TooLarge),
        Err(UploadError::NotUtf8(field)) => return Err(PageError::NotUtf8 { field }),
        Err(UploadError::Malformed(_)) => return Err(PageError::BadForm),
    };
    csrf::verify(&headers, posted.field("csrf_token"))?;
    let outcome = match (AttachmentKind::parse(posted.field("kind")), posted.file) {
        (Some(kind), Some((file_name, bytes))) => state
            .attach(
                &who.0,
                id,
                Upload {
                    kind,
                    file_name,
                    bytes,
                },
            )
            .await
            .map(|_| ()),
        (None, _) => Err(ServiceError::field("kind", "附件类别有误")),
        (_, None) => Err(ServiceError::field("file", "请选择要上传的文件")),
    };
    match outcome {
        Err(ServiceError::Invalid(found)) => {
            // The file's refusals are written for the person who chose it.
            let mut page = case_page(&state, &who, &csrf, id).await?;
            let reasons: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
            page.error = Some(format!("附件未上传：{}。", reasons.join("；")));
            Ok(csrf.attach(render(StatusCode::UNPROCESSABLE_ENTITY, &page)?))
        }
        Ok(()) => Ok(super::see_other(&format!("/console/cases/{id}#files"))),
        other => after_change(&state, &who, &csrf, id, other, "上传附件").await,
    }
}

/// `GET /console/cases/{id}/attachments/{attachment}`: the file (a recorded read).
async fn open(
    State(state): State<AppState>,
    who: ConsoleUser,
    Path((id, attachment)): Path<(String, String)>,
) -> PageResult {
    let (Ok(id), Ok(attachment)) = (id.parse::<i64>(), attachment.parse::<i64>()) else {
        return Err(PageError::BadForm);
    };
    let (file, bytes) = state.attachment_content(&who.0, id, attachment).await?;
    Ok(crate::routes::cases::attachments::file_response(
        &file, bytes,
    ))
}

/// `GET /console/cases/{id}/attachments/{attachment}/copy`: a citizen photo's public copy
/// (no metadata), for anyone who may see the case; the case page's thumbnails.
async fn copy(
    State(state): State<AppState>,
    who: ConsoleUser,
    Path((id, attachment)): Path<(String, String)>,
) -> PageResult {
    let (Ok(id), Ok(attachment)) = (id.parse::<i64>(), attachment.parse::<i64>()) else {
        return Err(PageError::BadForm);
    };
    let (file, bytes) = state.attachment_copy(&who.0, id, attachment).await?;
    Ok(crate::routes::cases::attachments::file_response(
        &file, bytes,
    ))
}
