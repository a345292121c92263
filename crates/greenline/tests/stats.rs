//! `greenline stats` and `greenline report` against the real binary: offline on a file, and on
//! the database after importing the same file, with the same answers.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use greenline_domain::CaseRecord;

fn greenline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_greenline"))
        .args(args)
        .env_remove("GREENLINE_DATABASE")
        .env("GREENLINE_LOG", "warn")
        .output()
        .expect("run greenline")
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("path")
}

/// `key,…,count` CSV rows as a map from the key codes to the count.
fn counts(csv: &str, keys: usize) -> BTreeMap<Vec<String>, u64> {
    csv.lines()
        .skip(1)
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let key = (0..keys).map(|i| cells[2 * i].to_owned()).collect();
            (key, cells[2 * keys].parse().expect("count"))
        })
        .collect()
}

#[test]
fn stats_on_a_file_and_on_the_database_count_what_the_records_say() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cases.jsonl");
    ok(&greenline(&[
        "simulate",
        "--cases",
        "1500",
        "--seed",
        "8",
        "--out",
        path(&file),
    ]));
    let records: Vec<CaseRecord> = std::fs::read_to_string(&file)
        .expect("file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("record"))
        .collect();
    // Counted here straight from the records: channel × province (the first two digits).
    let mut expected: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    for r in &records {
        *expected
            .entry(vec![r.channel.clone(), format!("{}0000", &r.region[..2])])
            .or_default() += 1;
    }

    let on_file = ok(&greenline(&[
        "stats",
        "--input",
        path(&file),
        "--group-by",
        "channel,province",
    ]));
    assert!(on_file.starts_with("channel,channel_name,province,province_name,count\n"));
    assert_eq!(counts(&on_file, 2), expected);

    let db = format!("sqlite://{}", dir.path().join("g.db").display());
    ok(&greenline(&[
        "--database",
        &db,
        "unit",
        "add",
        "--name",
        "生态环境部",
        "--region",
        "000000",
    ]));
    ok(&greenline(&["--database", &db, "import", path(&file)]));
    let on_db = ok(&greenline(&[
        "--database",
        &db,
        "stats",
        "--group-by",
        "channel,province",
    ]));
    assert_eq!(on_db, on_file);

    // A filter narrows; a bad one is named.
    let phone = ok(&greenline(&[
        "stats",
        "--input",
        path(&file),
        "--filter",
        "channel=phone",
    ]));
    let phones = records.iter().filter(|r| r.channel == "phone").count();
    assert_eq!(phone, format!("count\n{phones}\n"));
    let bad = greenline(&["stats", "--input", path(&file), "--group-by", "colour"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--group-by"));
}

#[test]
fn a_report_is_written_as_html_word_or_markdown() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cases.parquet");
    ok(&greenline(&[
        "simulate",
        "--cases",
        "3000",
        "--seed",
        "9",
        "--scale",
        "province=620000",
        "--start",
        "2025-01",
        "--out",
        path(&file),
    ]));
    for (format, check) in [("html", "<!DOCTYPE html>"), ("md", "# 2025年3月甘肃省")] {
        let out = dir.path().join(format!("r.{format}"));
        ok(&greenline(&[
            "report",
            "--input",
            path(&file),
            "--period",
            "2025-03",
            "--region",
            "620000",
            "--format",
            format,
            "--out",
            path(&out),
        ]));
        let text = std::fs::read_to_string(&out).expect("report");
        assert!(
            text.contains(check),
            "{format}: {}",
            &text[..200.min(text.len())]
        );
        assert!(text.contains("甘肃省"));
    }
    let docx = dir.path().join("r.docx");
    ok(&greenline(&[
        "report",
        "--input",
        path(&file),
        "--period",
        "2025-Q1",
        "--format",
        "docx",
        "--out",
        path(&docx),
    ]));
    assert!(std::fs::read(&docx).expect("docx").starts_with(b"PK"));
    let bad = greenline(&["report", "--input", path(&file), "--period", "2025-13"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--period"));
}
