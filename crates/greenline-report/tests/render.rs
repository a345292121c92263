//! The renderers: a self-contained, printable, well-formed HTML page; a Word file that opens
//! as a zip with the title in its document; Markdown; and no reporter identity anywhere.

mod common;

use std::io::{Cursor, Read};
use std::sync::OnceLock;

use greenline_domain::RegionCode;
use greenline_report::{Bulletin, Format, Period, render};
use quick_xml::events::Event;
use regex::Regex;

use common::{as_of, index, region};

fn bulletin() -> &'static Bulletin {
    static B: OnceLock<Bulletin> = OnceLock::new();
    B.get_or_init(|| {
        Bulletin::build(
            index(),
            Period::parse("2026-10").expect("period"),
            RegionCode::NATIONAL,
            as_of(),
        )
        .expect("bulletin")
    })
}

fn text(format: Format) -> String {
    String::from_utf8(render(bulletin(), format).expect("render")).expect("utf-8")
}

/// Parses the page as XML, checking that every element is closed in order; returns the
/// names of the elements seen.
fn elements(html: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = true;
    let mut open: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    loop {
        match reader.read_event().expect("well-formed") {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                open.push(name.clone());
                seen.push(name);
            }
            Event::Empty(e) => seen.push(String::from_utf8_lossy(e.name().as_ref()).into_owned()),
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                assert_eq!(open.pop().as_deref(), Some(name.as_str()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed {open:?}");
    seen
}

#[test]
fn html_is_self_contained_printable_and_well_formed() {
    let html = text(Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains("@page { size: A4;"));
    assert!(html.contains("break-inside: avoid"));
    assert!(html.contains(&format!("<title>{}</title>", bulletin().title)));
    let external =
        Regex::new(r#"(?i)https?:|//[a-z0-9]|\bsrc=|\bhref=|@import|url\(|<script|<link"#)
            .expect("re");
    assert!(external.find(&html).is_none(), "{:?}", external.find(&html));
    let seen = elements(&html);
    let count = |name: &str| seen.iter().filter(|n| *n == name).count();
    // Channels, types, provinces and the monthly line.
    assert_eq!(count("svg"), 4);
    assert_eq!(count("polyline"), 1);
    assert!(count("rect") >= bulletin().figures.channels.len() + bulletin().figures.types.len());
    assert!(count("table") >= 6);
    assert_eq!(count("h2"), bulletin().sections.len());
    for s in &bulletin().sections {
        for p in &s.paragraphs {
            assert!(html.contains(p.as_str()), "{p}");
        }
    }
}

#[test]
fn docx_is_a_zip_whose_document_holds_the_title_sentences_and_tables() {
    let bytes = render(bulletin(), Format::Docx).expect("docx");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("document.xml")
        .read_to_string(&mut xml)
        .expect("read");
    assert!(zip.by_name("[Content_Types].xml").is_ok());
    assert!(xml.contains(&bulletin().title));
    assert!(xml.contains(&bulletin().sections[0].paragraphs[0]));
    assert!(xml.matches("<w:tbl>").count() >= 6, "tables");
    elements(&xml);
}

#[test]
fn markdown_has_headings_sentences_and_tables() {
    let md = text(Format::Markdown);
    assert!(md.starts_with(&format!("# {}\n", bulletin().title)));
    assert_eq!(md.matches("\n## ").count(), bulletin().sections.len());
    assert!(md.contains("| 渠道 | 件数 | 占比 |\n| --- | ---: | ---: |\n"));
    assert!(md.contains(&bulletin().sections[1].paragraphs[0]));
}

#[test]
fn no_reporter_identity_appears_in_any_output() {
    // Digits after a decimal point (a p-value in the JSON) are no phone or identity number.
    let phone = Regex::new(r"(^|[^\d.])(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(\D|$)").expect("re");
    let id_card = Regex::new(r"(^|[^\d.])\d{17}[\dXx](\D|$)").expect("re");
    let province = Bulletin::build(
        index(),
        Period::parse("2026-10").expect("period"),
        region("640000"),
        as_of(),
    )
    .expect("bulletin");
    for b in [bulletin(), &province] {
        let mut outputs = vec![serde_json::to_string(b).expect("json")];
        for f in [Format::Markdown, Format::Html] {
            outputs.push(String::from_utf8(render(b, f).expect("render")).expect("utf-8"));
        }
        for out in outputs {
            assert!(phone.find(&out).is_none(), "{:?}", phone.find(&out));
            assert!(id_card.find(&out).is_none());
        }
    }
    // Nor any of the sample's reporters: the index holds none of them.
    let md = text(Format::Markdown);
    let html = text(Format::Html);
    let mut checked = 0;
    for reporter in &common::sample().reporters {
        for who in [&reporter.name, &reporter.phone].into_iter().flatten() {
            if who.chars().count() >= 2 {
                assert!(
                    !md.contains(who.as_str()) && !html.contains(who.as_str()),
                    "{who}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "the sample has reporters to look for");
}

#[test]
fn formats_read_from_their_codes() {
    assert_eq!(Format::parse("md"), Some(Format::Markdown));
    assert_eq!(Format::parse("html"), Some(Format::Html));
    assert_eq!(Format::parse("docx"), Some(Format::Docx));
    assert_eq!(Format::parse("pdf"), None);
}

#[test]
fn docx_carries_each_chart_as_a_picture_where_a_cjk_font_is_installed() {
    let charts: usize = bulletin().sections.iter().map(|s| s.charts.len()).sum();
    assert!(charts >= 2, "the bulletin has charts");
    let bytes = render(bulletin(), Format::Docx).expect("docx");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut pictures = Vec::new();
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).expect("entry");
        if file.name().starts_with("word/media/") && file.name().ends_with(".png") {
            let mut png = Vec::new();
            file.read_to_end(&mut png).expect("read");
            pictures.push(png);
        }
    }
    // CI installs a CJK font and says so; without one the charts stay tables only.
    let font_expected = std::env::var_os("GREENLINE_TEST_CJK_FONT").is_some();
    if font_expected {
        assert!(greenline_report::picture::available(), "no CJK font found");
    }
    if greenline_report::picture::available() {
        assert_eq!(pictures.len(), charts, "a picture per chart");
        for png in &pictures {
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
            assert!(png.len() > 2_000, "a drawn chart, not an empty picture");
        }
    } else {
        assert!(pictures.is_empty(), "no picture with blank labels");
    }
}

#[test]
#[ignore = "writes the Word bulletin's first chart to GREENLINE_TEST_SCREENSHOTS to look at"]
fn the_first_chart_picture_is_saved_to_look_at() {
    let Some(dir) = std::env::var_os("GREENLINE_TEST_SCREENSHOTS") else {
        return;
    };
    let bytes = render(bulletin(), Format::Docx).expect("docx");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut png = Vec::new();
    zip.by_name("word/media/rIdImage1.png")
        .expect("a picture")
        .read_to_end(&mut png)
        .expect("read");
    std::fs::write(std::path::Path::new(&dir).join("bulletin-chart.png"), png).expect("save");
}
