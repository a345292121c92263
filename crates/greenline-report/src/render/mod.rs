//! Bulletins as Markdown, HTML and Word; any other titled document (an answer letter) as
//! HTML and Word through the same writers.

mod docx;
mod html;
mod markdown;

use crate::{Bulletin, ReportError, Section};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Markdown,
    Html,
    Docx,
}

impl Format {
    /// Reads `md` (or `markdown`), `html`, `docx`.
    pub fn parse(code: &str) -> Option<Format> {
        match code.trim() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
            Format::Docx => "docx",
        }
    }

    /// The media type to serve it as.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Html => "text/html; charset=utf-8",
            Format::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        }
    }
}

/// The bulletin in the given format.
pub fn render(bulletin: &Bulletin, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Markdown => Ok(markdown::render(bulletin).into_bytes()),
        Format::Html => Ok(html::render(bulletin).into_bytes()),
        Format::Docx => docx::render(bulletin),
    }
}

/// A titled document other than a bulletin (an answer letter): a line under the title, then
/// sections whose heading may be empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub meta: String,
    pub sections: Vec<Section>,
}

/// A document as HTML (a self-contained page that prints on A4) or Word; Markdown is the
/// bulletin's alone.
pub fn render_document(document: &Document, format: Format) -> Result<Vec<u8>, ReportError> {
    match format {
        Format::Html => Ok(html::render_document(document).into_bytes()),
        Format::Docx => docx::render_document(document),
        Format::Markdown => Err(ReportError::UnsupportedFormat("Markdown")),
    }
}
