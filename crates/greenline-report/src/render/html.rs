//! HTML: one self-contained page (inline CSS, inline SVG charts, no script, no external
//! request) that prints cleanly on A4. The markup is also well-formed XML, so a strict parser
//! reads it.

use std::fmt::Write;

use greenline_domain::deadline::local_date;

use crate::chart::{escape, svg};
use crate::{Bulletin, Document, Section, Table};

const STYLE: &str = "
@page { size: A4; margin: 20mm 18mm 20mm 18mm; }
html { font-family: 'SimSun', 'Songti SC', 'Noto Serif CJK SC', 'Source Han Serif SC', serif;
  font-size: 11pt; line-height: 1.7; color: #111111; }
body { margin: 0 auto; max-width: 174mm; padding: 8mm 0; }
h1 { font-family: 'SimHei', 'Heiti SC', 'Noto Sans CJK SC', sans-serif; font-size: 18pt;
  text-align: center; margin: 0 0 4mm 0; }
h2 { font-family: 'SimHei', 'Heiti SC', 'Noto Sans CJK SC', sans-serif; font-size: 14pt;
  margin: 6mm 0 2mm 0; break-after: avoid; page-break-after: avoid; }
p { text-indent: 2em; margin: 0 0 2mm 0; }
p.meta { text-indent: 0; text-align: center; color: #555555; font-size: 10pt; }
figure { margin: 3mm 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { text-align: center; font-size: 10pt; color: #333333; }
svg.chart { display: block; max-width: 100%; height: auto; margin: 0 auto; }
svg.chart text { font-family: inherit; fill: #222222; }
table { border-collapse: collapse; width: 100%; margin: 3mm 0; font-size: 10pt;
  break-inside: avoid; page-break-inside: avoid; }
caption { font-weight: bold; margin-bottom: 1mm; }
th, td { border: 0.5pt solid #777777; padding: 1mm 2mm; }
th { background: #eef3ef; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
section.new-page { break-before: page; page-break-before: always; }
@media print { body { padding: 0; max-width: none; } }
";

fn table(out: &mut String, t: &Table) {
    let _ = write!(
        out,
        "<table><caption>{}</caption><thead><tr>",
        escape(&t.caption)
    );
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            let class = if i > 0 && c.chars().next().is_some_and(|ch| ch.is_ascii_digit()) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", escape(c));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

pub(crate) fn render(b: &Bulletin) -> String {
    let meta = format!(
        "统计截至：{}　范围：{}　周期：{}",
        local_date(b.as_of),
        b.scope_name,
        b.period.zh()
    );
    write(&b.title, &meta, &b.sections)
}

/// Any titled document: the answer letters use the bulletin's writer.
pub(crate) fn render_document(d: &Document) -> String {
    write(&d.title, &d.meta, &d.sections)
}

/// The title, a line under it, then each section: its heading (if any), paragraphs, charts
/// and tables.
fn write(title: &str, meta: &str, sections: &[Section]) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>\n<article>");
    let _ = writeln!(out, "<h1>{}</h1>", escape(title));
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", escape(meta));
    for s in sections {
        // The long monthly table and the alerts start on a page of their own.
        let class = if s.heading.contains("趋势") {
            " class=\"new-page\""
        } else {
            ""
        };
        let _ = writeln!(out, "<section{class}>");
        if !s.heading.is_empty() {
            let _ = writeln!(out, "<h2>{}</h2>", escape(&s.heading));
        }
        for p in &s.paragraphs {
            let _ = writeln!(out, "<p>{}</p>", escape(p));
        }
        for c in &s.charts {
            let title = match c {
                crate::Chart::Bars { title, .. } | crate::Chart::Line { title, .. } => title,
            };
            let _ = writeln!(
                out,
                "<figure>{}<figcaption>{}</figcaption></figure>",
                svg(c),
                escape(title)
            );
        }
        for t in &s.tables {
            table(&mut out, t);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</article>\n</body>\n</html>\n");
    out
}
