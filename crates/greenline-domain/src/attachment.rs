//! Files kept with a case (附件): on-site photos and videos, official letters and other
//! documents, uploaded by the staff who handle it. What a file may be is decided here: its type
//! from its first bytes (never from its name or what the sender claims), its size, how many a
//! case holds, and a file name fit to show.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::text::check_text;

/// The largest file a case takes: a phone's photo or a minute of its video, a scanned letter.
pub const MAX_ATTACHMENT_BYTES: usize = 20 * 1024 * 1024;
/// The most files one case holds.
pub const MAX_ATTACHMENTS_PER_CASE: usize = 30;
/// The longest file name kept, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// The most photos and videos a citizen attaches to one report (a phone's share sheet offers
/// nine at a time).
pub const MAX_EVIDENCE_FILES: usize = 9;
/// The largest photo a citizen attaches: a phone's full-resolution JPEG or HEIC is 2–8 MB.
pub const MAX_EVIDENCE_PHOTO_BYTES: usize = 10 * 1024 * 1024;
/// The largest video a citizen attaches: about half a minute of a phone's 1080p video.
pub const MAX_EVIDENCE_VIDEO_BYTES: usize = 50 * 1024 * 1024;
/// All of one report's files together.
pub const MAX_EVIDENCE_TOTAL_BYTES: usize = 80 * 1024 * 1024;
/// The form field that carries a report's photos and videos.
pub const EVIDENCE_FIELD: &str = "evidence";

/// What a file is to the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// 现场照片或视频
    SiteEvidence,
    /// 公函、文书
    OfficialLetter,
    /// 其他材料
    Other,
}

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 3] = [
        AttachmentKind::SiteEvidence,
        AttachmentKind::OfficialLetter,
        AttachmentKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AttachmentKind::SiteEvidence => "site_evidence",
            AttachmentKind::OfficialLetter => "official_letter",
            AttachmentKind::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<AttachmentKind> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            AttachmentKind::SiteEvidence => "现场照片或视频",
            AttachmentKind::OfficialLetter => "公函、文书",
            AttachmentKind::Other => "其他材料",
        }
    }
}

/// The file types a case takes, as their first bytes show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Webp,
    Heic,
    Mp4,
    QuickTime,
    Pdf,
    Docx,
}

impl FileType {
    const ALL: [FileType; 8] = [
        FileType::Jpeg,
        FileType::Png,
        FileType::Webp,
        FileType::Heic,
        FileType::Mp4,
        FileType::QuickTime,
        FileType::Pdf,
        FileType::Docx,
    ];

    /// The media type the file is served with.
    pub fn media_type(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Webp => "image/webp",
            FileType::Heic => "image/heic",
            FileType::Mp4 => "video/mp4",
            FileType::QuickTime => "video/quicktime",
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<FileType> {
        Self::ALL.into_iter().find(|t| t.media_type() == media_type)
    }

    /// A photo (a picture, or a phone's HEIC that browsers do not show).
    pub fn is_photo(self) -> bool {
        matches!(
            self,
            FileType::Jpeg | FileType::Png | FileType::Webp | FileType::Heic
        )
    }

    /// A video.
    pub fn is_video(self) -> bool {
        matches!(self, FileType::Mp4 | FileType::QuickTime)
    }

    /// A picture a browser shows in a page (the rest are downloaded).
    pub fn is_picture(self) -> bool {
        matches!(self, FileType::Jpeg | FileType::Png | FileType::Webp)
    }

    /// The type of `bytes`, from their first bytes: `None` for anything else (a program, an
    /// archive, a page of HTML that calls itself a photo).
    pub fn sniff(bytes: &[u8]) -> Option<FileType> {
        let kind = infer::get(bytes)?;
        match kind.mime_type() {
            "image/jpeg" => Some(FileType::Jpeg),
            "image/png" => Some(FileType::Png),
            "image/webp" => Some(FileType::Webp),
            "image/heif" | "image/heic" => Some(FileType::Heic),
            "video/mp4" => Some(FileType::Mp4),
            "video/quicktime" => Some(FileType::QuickTime),
            "application/pdf" => Some(FileType::Pdf),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Some(FileType::Docx)
            }
            _ => None,
        }
    }
}

/// A file as it arrives, checked: its type, and the name to keep (the last part of what the
/// sender called it, without folders).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub file_type: FileType,
    pub file_name: String,
}

/// Checks a file for a case that already holds `held` files; each refusal names the field
/// `file` in Chinese words staff can act on.
pub fn check_file(name: &str, bytes: &[u8], held: usize) -> Result<CheckedFile, FieldError> {
    if held >= MAX_ATTACHMENTS_PER_CASE {
        return Err(FieldError::new(
            "file",
            format!("每件案件最多保存 {MAX_ATTACHMENTS_PER_CASE} 个附件"),
        ));
    }
    if bytes.is_empty() {
        return Err(FieldError::new("file", "请选择要上传的文件"));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(FieldError::new(
            "file",
            format!(
                "文件超过 {} MB，请压缩后再上传",
                MAX_ATTACHMENT_BYTES / 1024 / 1024
            ),
        ));
    }
    let file_type = FileType::sniff(bytes).ok_or_else(|| {
        FieldError::new(
            "file",
            "只能上传照片（JPEG、PNG、WebP、HEIC）、视频（MP4、MOV）、PDF 或 Word（.docx）文件",
        )
    })?;
    let file_name = kept_name(name);
    check_text("file", &file_name, MAX_FILE_NAME_CHARS)?;
    Ok(CheckedFile {
        file_type,
        file_name,
    })
}

/// The name to keep of a file called `name` by its sender: the last part, without folders,
/// at most [`MAX_FILE_NAME_CHARS`] characters; "附件" if there is none.
fn kept_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    if base.is_empty() {
        "附件".to_owned()
    } else {
        base.chars().take(MAX_FILE_NAME_CHARS).collect()
    }
}

/// Checks the photos and videos a citizen attaches to a report, given as (name as sent,
/// bytes): count, each file's type (from its bytes: photos and videos only), each file's size
/// by its type, and the sum. Every refusal names the field [`EVIDENCE_FIELD`] and, in words a
/// citizen can act on, the file at fault.
pub fn check_evidence(files: &[(String, Vec<u8>)]) -> Result<Vec<CheckedFile>, Vec<FieldError>> {
    let refuse = |message: String| vec![FieldError::new(EVIDENCE_FIELD, message)];
    if files.len() > MAX_EVIDENCE_FILES {
        return Err(refuse(format!(
            "最多上传 {MAX_EVIDENCE_FILES} 个照片或视频，您选择了 {} 个",
            files.len()
        )));
    }
    let total: usize = files.iter().map(|(_, bytes)| bytes.len()).sum();
    if total > MAX_EVIDENCE_TOTAL_BYTES {
        return Err(refuse(format!(
            "照片和视频合计不能超过 {} MB，请减少数量或压缩后再上传",
            MAX_EVIDENCE_TOTAL_BYTES / 1024 / 1024
        )));
    }
    let mut checked = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    for (name, bytes) in files {
        let file_name = kept_name(name);
        if let Err(e) = check_text(EVIDENCE_FIELD, &file_name, MAX_FILE_NAME_CHARS) {
            errors.push(FieldError::new(
                EVIDENCE_FIELD,
                format!("文件名中含有不允许的字符，请改名后重试（{}）", e.message),
            ));
            continue;
        }
        if bytes.is_empty() {
            errors.push(FieldError::new(
                EVIDENCE_FIELD,
                format!("“{file_name}”是空文件"),
            ));
            continue;
        }
        let Some(file_type) = FileType::sniff(bytes).filter(|t| t.is_photo() || t.is_video())
        else {
            errors.push(FieldError::new(
                EVIDENCE_FIELD,
                format!(
                    "“{file_name}”不是照片或视频：只能上传照片（JPEG、PNG、WebP、HEIC）或视频（MP4、MOV）"
                ),
            ));
            continue;
        };
        let (limit, what) = if file_type.is_video() {
            (MAX_EVIDENCE_VIDEO_BYTES, "视频")
        } else {
            (MAX_EVIDENCE_PHOTO_BYTES, "照片")
        };
        if bytes.len() > limit {
            errors.push(FieldError::new(
                EVIDENCE_FIELD,
                format!(
                    "“{file_name}”超过 {} MB，每个{what}不能超过 {} MB",
                    bytes.len().div_ceil(1024 * 1024),
                    limit / 1024 / 1024
                ),
            ));
            continue;
        }
        checked.push(CheckedFile {
            file_type,
            file_name,
        });
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    const PNG: &[u8] = &[
        0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D,
    ];
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";

    #[test]
    fn the_type_comes_from_the_bytes_not_the_name() {
        assert_eq!(
            check_file("现场.pdf", JPEG, 0).map(|f| f.file_type),
            Ok(FileType::Jpeg)
        );
        assert_eq!(
            check_file("scan.jpg", PDF, 0).map(|f| f.file_type),
            Ok(FileType::Pdf)
        );
        assert_eq!(
            check_file("a.png", PNG, 0).map(|f| f.file_type),
            Ok(FileType::Png)
        );
        let html = b"<!DOCTYPE html><script>alert(1)</script>";
        assert_eq!(
            check_file("photo.jpg", html, 0)
                .map(|_| ())
                .map_err(|e| e.field),
            Err("file".to_owned())
        );
        let program = b"\x7FELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
        assert!(check_file("photo.jpg", program, 0).is_err());
    }

    #[test]
    fn size_count_and_name_are_checked() {
        assert!(check_file("a.jpg", &[], 0).is_err());
        let mut big = JPEG.to_vec();
        big.resize(MAX_ATTACHMENT_BYTES + 1, 0);
        assert!(check_file("a.jpg", &big, 0).is_err());
        assert!(check_file("a.jpg", JPEG, MAX_ATTACHMENTS_PER_CASE).is_err());
        assert!(check_file("a.jpg", JPEG, MAX_ATTACHMENTS_PER_CASE - 1).is_ok());
        let named = check_file("C:\\Users\\王\\桌面\\现场照片1.jpg", JPEG, 0).expect("ok");
        assert_eq!(named.file_name, "现场照片1.jpg");
        let named = check_file("../../etc/passwd", JPEG, 0).expect("ok");
        assert_eq!(named.file_name, "passwd");
        assert_eq!(check_file("", JPEG, 0).expect("ok").file_name, "附件");
        assert!(check_file("a\u{202E}gpj.exe", JPEG, 0).is_err());
    }

    #[test]
    fn evidence_is_photos_and_videos_within_their_limits() {
        const MP4: &[u8] = &[
            0, 0, 0, 0x18, b'f', b't', b'y', b'p', b'm', b'p', b'4', b'2',
        ];
        let file = |name: &str, bytes: &[u8]| (name.to_owned(), bytes.to_vec());
        let ok = check_evidence(&[file("a.jpg", JPEG), file("b.mp4", MP4), file("c", PNG)])
            .expect("photos and a video");
        let types: Vec<FileType> = ok.iter().map(|f| f.file_type).collect();
        assert_eq!(types, [FileType::Jpeg, FileType::Mp4, FileType::Png]);
        assert!(check_evidence(&[]).expect("none").is_empty());

        // A PDF is a case file but not evidence from the form; a text called .jpg is refused
        // by its bytes, and the message names the file.
        let errors = check_evidence(&[file("scan.pdf", PDF), file("smoke.jpg", b"hello")])
            .expect_err("not photos");
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().all(|e| e.field == EVIDENCE_FIELD));
        assert!(errors[1].message.contains("smoke.jpg"), "{:?}", errors[1]);

        let many: Vec<_> = (0..=MAX_EVIDENCE_FILES)
            .map(|_| file("a.jpg", JPEG))
            .collect();
        assert!(check_evidence(&many[..MAX_EVIDENCE_FILES]).is_ok());
        assert!(check_evidence(&many).is_err());

        let mut photo = JPEG.to_vec();
        photo.resize(MAX_EVIDENCE_PHOTO_BYTES + 1, 0);
        assert!(check_evidence(&[file("big.jpg", &photo)]).is_err());
        // The same size is a short video.
        let mut video = MP4.to_vec();
        video.resize(MAX_EVIDENCE_PHOTO_BYTES + 1, 0);
        assert!(check_evidence(std::slice::from_ref(&file("v.mp4", &video))).is_ok());
        video.resize(MAX_EVIDENCE_VIDEO_BYTES + 1, 0);
        assert!(check_evidence(std::slice::from_ref(&file("v.mp4", &video))).is_err());
        photo.truncate(MAX_EVIDENCE_PHOTO_BYTES);
        let over_total: Vec<_> = (0..MAX_EVIDENCE_TOTAL_BYTES / MAX_EVIDENCE_PHOTO_BYTES + 1)
            .map(|_| file("p.jpg", &photo))
            .collect();
        assert!(over_total.len() <= MAX_EVIDENCE_FILES);
        assert!(check_evidence(&over_total).is_err());
        assert!(check_evidence(&[file("", b"")]).is_err());
    }
}
