//! What the fuzz targets share: feeding bytes to the import readers through a scratch file
//! (they read files, as `greenline import` does), the properties every import checks, and an
//! in-process web application over a scratch SQLite store for the form posts.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, LazyLock};

use greenline::records::{RecordFormat, RecordReader, RecordWriter};
use greenline_domain::{CaseRecord, DeadlineTable};

pub mod web;

/// Records read from one input at most; the rest of a long file adds little but time.
const MAX_RECORDS: usize = 64;

/// A file of this process's own under the temporary directory, holding `bytes`.
pub fn scratch_file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("greenline-fuzz-{}-{name}", std::process::id()));
    let mut file = std::fs::File::create(&path).expect("the scratch file can be created");
    file.write_all(bytes)
        .expect("the scratch file can be written");
    path
}

/// One row of a records file: its line (or row) number and the record, or what is wrong with it.
pub type Row = (u64, Result<CaseRecord, String>);

/// The records `greenline import` would read from a file holding `bytes`, or the reason it
/// refuses the whole file.
pub fn read_records(format: RecordFormat, bytes: &[u8]) -> Result<Vec<Row>, String> {
    let path = scratch_file("input", bytes);
    let reader = RecordReader::open(&path, format, Arc::new(AtomicU64::new(0)))
        .map_err(|e| format!("{e:#}"))?;
    Ok(reader.take(MAX_RECORDS).collect())
}

/// The properties of every import, whatever the format:
///
/// - each record read is either turned into a case or refused with at least one named field;
/// - a case imported from a record exports to a record that imports again, and exporting that
///   gives the same record (export and import agree);
/// - each record read, written in the same format and read back, is the same record.
pub fn check_import(format: RecordFormat, bytes: &[u8]) {
    let Ok(rows) = read_records(format, bytes) else {
        return;
    };
    let mut lines = Vec::new();
    for (line, row) in rows {
        lines.push(line);
        let Ok(record) = row else { continue };
        check_record(&record);
        check_round_trip(format, &record);
    }
    // Line numbers go forward (a message naming a line must name the right one).
    assert!(
        lines.windows(2).all(|w| w[0] <= w[1]),
        "line numbers out of order: {lines:?}"
    );
}

/// A record imports, or is refused naming a field; what imports gets its running deadline and
/// its statistics facts (as `greenline import` and `greenline stats` compute them) and survives
/// export and import.
pub fn check_record(record: &CaseRecord) {
    static DEADLINES: LazyLock<DeadlineTable> = LazyLock::new(DeadlineTable::statutory);
    let imported = match record.to_imported() {
        Ok(imported) => imported,
        Err(errors) => {
            assert!(!errors.is_empty(), "refused without a reason: {record:?}");
            return;
        }
    };
    // As `greenline import` and `greenline stats` do: the limits in force, then the deadline.
    let limits = DEADLINES.limits_for(imported.case.kind, imported.case.region);
    if imported.check_limits(&limits).is_err() {
        return;
    }
    let _ = imported.case.current_deadline(&limits);
    let _ = greenline_stats::CaseFacts::from_case(&imported.case, false, &DEADLINES);
    let published = |steps: &[greenline_domain::record::Step]| {
        steps.iter().find(|s| s.action == "publish").map(|s| s.at)
    };
    let exported = CaseRecord::from_case(
        &imported.case,
        published(&imported.steps),
        Some(&imported.reporter),
    );
    let again = exported.to_imported().unwrap_or_else(|errors| {
        panic!("an exported case does not import again: {errors:?}\nfrom {record:?}\nexported {exported:?}")
    });
    let exported_again =
        CaseRecord::from_case(&again.case, published(&again.steps), Some(&again.reporter));
    assert_eq!(
        exported, exported_again,
        "export and import disagree for {record:?}"
    );
}

/// A record written in `format` and read back is the same record.
pub fn check_round_trip(format: RecordFormat, record: &CaseRecord) {
    let mut out = Vec::new();
    let mut writer = RecordWriter::new(format, &mut out).expect("a writer over memory");
    if let Err(error) = writer.write(record) {
        panic!("a record read cannot be written back: {error:#}\n{record:?}");
    }
    writer.finish().expect("the writer finishes");
    let path = scratch_file("round-trip", &out);
    let back: Vec<_> = RecordReader::open(&path, format, Arc::new(AtomicU64::new(0)))
        .expect("what was written opens")
        .map(|(_, row)| row)
        .collect();
    match back.as_slice() {
        [Ok(read)] => assert_eq!(read, record, "the record changed on the way round"),
        other => panic!("wrote {record:?}\nread back {other:?}"),
    }
}
