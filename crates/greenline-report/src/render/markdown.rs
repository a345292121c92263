//! Markdown: headings, sentences, tables.

use std::fmt::Write;

use greenline_domain::deadline::local_date;

use crate::{Bulletin, Table};

/// Escapes what would break a table cell or start markup.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, t: &Table) {
    let _ = writeln!(out, "**{}**\n", cell(&t.caption));
    let _ = writeln!(
        out,
        "| {} |",
        t.header
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(
        out,
        "|{}|",
        t.header
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { " --- " } else { " ---: " })
            .collect::<Vec<_>>()
            .join("|")
    );
    for row in &t.rows {
        let _ = writeln!(
            out,
            "| {} |",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    out.push('\n');
}

pub(crate) fn render(b: &Bulletin) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", b.title);
    let _ = writeln!(
        out,
        "统计截至：{}　范围：{}　周期：{}\n",
        local_date(b.as_of),
        b.scope_name,
        b.period.zh()
    );
    for s in &b.sections {
        let _ = writeln!(out, "## {}\n", s.heading);
        for p in &s.paragraphs {
            let _ = writeln!(out, "{p}\n");
        }
        for t in &s.tables {
            table(&mut out, t);
        }
    }
    out
}
