//! Word (.docx): title, headings, sentences and tables; each chart as a picture above its
//! table when the machine has a CJK font to draw its labels with (see `crate::picture`),
//! else as its table alone.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, PageMargin, Paragraph, Pic, Run, RunFonts, Style, StyleType, Table,
    TableCell, TableRow, WidthType,
};
use greenline_domain::deadline::local_date;

use crate::{Bulletin, Document, ReportError, Section};

/// Half-points: 三号 (16 pt) for headings, 小二 (18 pt) for the title, 四号-ish body.
const TITLE_SIZE: usize = 36;
const HEADING_SIZE: usize = 32;
const BODY_SIZE: usize = 28;
const TABLE_SIZE: usize = 21;
/// English Metric Units per SVG unit (1/96 inch).
const EMU_PER_UNIT: f32 = 9_525.0;

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
}

fn cell(text: &str, header: bool) -> TableCell {
    let mut run = Run::new().add_text(text).size(TABLE_SIZE);
    if header {
        run = run.bold();
    }
    let align = if !header && text.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        AlignmentType::Right
    } else {
        AlignmentType::Left
    };
    TableCell::new().add_paragraph(Paragraph::new().add_run(run).align(align))
}

fn table(t: &crate::Table) -> Table {
    let mut rows = vec![TableRow::new(
        t.header.iter().map(|h| cell(h, true)).collect(),
    )];
    rows.extend(
        t.rows
            .iter()
            .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())),
    );
    Table::new(rows).width(5000, WidthType::Pct)
}

pub(crate) fn render(b: &Bulletin) -> Result<Vec<u8>, ReportError> {
    let meta = format!(
        "统计截至：{}　范围：{}　周期：{}",
        local_date(b.as_of),
        b.scope_name,
        b.period.zh()
    );
    write(&b.title, &meta, &b.sections)
}

/// Any titled document: the answer letters use the bulletin's writer.
pub(crate) fn render_document(d: &Document) -> Result<Vec<u8>, ReportError> {
    write(&d.title, &d.meta, &d.sections)
}

/// The title, a line under it, then each section: its heading (if any), paragraphs, charts
/// and tables.
fn write(title: &str, meta: &str, sections: &[Section]) -> Result<Vec<u8>, ReportError> {
    let mut doc = Docx::new()
        // A4 in twentieths of a point, 2 cm side margins.
        .page_size(11_906, 16_838)
        .page_margin(
            PageMargin::new()
                .top(1_440)
                .bottom(1_440)
                .left(1_134)
                .right(1_134),
        )
        .default_fonts(fonts("仿宋"))
        .default_size(BODY_SIZE)
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("heading 1")
                .fonts(fonts("黑体"))
                .size(HEADING_SIZE)
                .bold()
                .outline_lvl(0),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(
                    Run::new()
                        .add_text(title)
                        .size(TITLE_SIZE)
                        .bold()
                        .fonts(fonts("宋体")),
                )
                .align(AlignmentType::Center),
        )
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(meta))
                .align(AlignmentType::Center),
        );
    for s in sections {
        if !s.heading.is_empty() {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(&s.heading))
                    .style("Heading1")
                    .keep_next(true),
            );
        }
        for p in &s.paragraphs {
            doc = doc.add_paragraph(
                Paragraph::new()
                    .add_run(Run::new().add_text(p))
                    .first_line_chars(200),
            );
        }
        for chart in &s.charts {
            if let Some(p) = crate::picture::draw(&crate::chart::svg(chart)) {
                let (px_w, px_h) = (
                    (p.width * 2.0).ceil() as u32,
                    (p.height * 2.0).ceil() as u32,
                );
                let pic = Pic::new_with_dimensions(p.png, px_w, px_h).size(
                    (p.width * EMU_PER_UNIT) as u32,
                    (p.height * EMU_PER_UNIT) as u32,
                );
                doc = doc.add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_image(pic))
                        .align(AlignmentType::Center)
                        .keep_next(true),
                );
            }
        }
        for t in &s.tables {
            doc = doc
                .add_paragraph(
                    Paragraph::new()
                        .add_run(Run::new().add_text(&t.caption).bold().size(TABLE_SIZE))
                        .align(AlignmentType::Center)
                        .keep_next(true),
                )
                .add_table(table(t));
        }
    }
    let mut out = Cursor::new(Vec::new());
    doc.build()
        .pack(&mut out)
        .map_err(|e| ReportError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
