//! The statistics index read from only the fields a question needs gives the same answers as
//! the index of whole, checked cases, in every file format; and a bad value in a field it
//! reads is named with its line and field.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use chrono::{NaiveDate, TimeZone, Utc};
use greenline::columns_in::{BadRecords, index_from_file};
use greenline::parquet_out::ParquetSink;
use greenline::records::{RecordFormat, RecordReader, RecordWriter};
use greenline_domain::{CaseRecord, DeadlineTable, RegionCode};
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_stats::columns::{RowTest, fields_needed};
use greenline_stats::{CaseFacts, Index, Query};

const FORMATS: [(RecordFormat, &str); 3] = [
    (RecordFormat::Csv, "csv"),
    (RecordFormat::Jsonl, "jsonl"),
    (RecordFormat::Parquet, "parquet"),
];

fn simulated(cases: u64, seed: u64) -> Vec<CaseRecord> {
    simulated_from(
        NaiveDate::from_ymd_opt(2024, 11, 1).expect("a date"),
        cases,
        seed,
    )
}

/// `cases` national cases from `start` on (a few days' worth at national volume).
fn simulated_from(start: NaiveDate, cases: u64, seed: u64) -> Vec<CaseRecord> {
    let simulator = Simulator::new(SimConfig {
        seed,
        start,
        days: 800,
        cases: Some(cases),
        scale: Scale::National,
        inject_events: true,
    })
    .expect("a simulator");
    simulator.map(|(record, _)| record).collect()
}

fn write(dir: &Path, name: &str, format: RecordFormat, records: &[CaseRecord]) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).expect("create");
    let mut writer = RecordWriter::new(format, std::io::BufWriter::new(file)).expect("writer");
    for record in records {
        writer.write(record).expect("write");
    }
    writer.finish().expect("finish");
    path
}

/// The index `greenline stats` built before: every record read whole and checked as `import`
/// checks it.
fn whole_index(path: &Path, format: RecordFormat) -> Index {
    let deadlines = DeadlineTable::statutory();
    let reader =
        RecordReader::open(path, format, Arc::new(AtomicU64::new(0))).expect("open the file");
    let mut index = Index::new();
    for (line, record) in reader {
        let record = record.expect("a valid record");
        let imported = record.to_imported().expect("a valid case");
        let facts = CaseFacts::from_case(&imported.case, false, &deadlines).expect("facts");
        index.upsert(i64::try_from(line).expect("a line number"), &facts);
    }
    index
}

/// A small deterministic generator (xorshift), so a failing query can be found again.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

const DIMENSIONS: [&str; 19] = [
    "kind",
    "channel",
    "type",
    "primary_type",
    "sub_type",
    "industry",
    "province",
    "city",
    "county",
    "stage",
    "outcome",
    "status",
    "rejection_reason",
    "repeat_source",
    "day",
    "week",
    "month",
    "quarter",
    "year",
];

const MEASURES: [&str; 8] = [
    "count",
    "share",
    "acceptance_rate",
    "repeat_rate",
    "distinct_sources",
    "mom",
    "yoy",
    "share(month)",
];

const FILTERS: [(&str, &str); 16] = [
    ("type", "noise,air"),
    ("not_type", "water"),
    ("primary_type", "solid_waste,noise"),
    ("channel", "phone,wechat"),
    ("not_channel", "phone"),
    ("kind", "report"),
    ("region", "440000,110000"),
    ("not_region", "320000"),
    ("status", "accepted"),
    ("status", "rejected,pending"),
    ("stage", "rejected,closed"),
    ("outcome", "substantiated"),
    ("rejection_reason", "already_accepted"),
    ("received_from", "2025-03-01"),
    ("received_to", "2025-10-31"),
    ("repeat_source", "false"),
];

fn random_query(dice: &mut Dice) -> Query {
    let groups = 1 + dice.next() % 3;
    let group_by: Vec<&str> = (0..groups).map(|_| dice.pick(&DIMENSIONS)).collect();
    let mut measures = vec![dice.pick(&MEASURES)];
    if dice.next().is_multiple_of(2) {
        measures.push(dice.pick(&MEASURES));
    }
    let group_by = group_by.join(",");
    let measure = measures.join(",");
    let mut params: Vec<(&str, &str)> = vec![("group_by", &group_by), ("measure", &measure)];
    for _ in 0..dice.next() % 3 {
        params.push(FILTERS[(dice.next() % FILTERS.len() as u64) as usize]);
    }
    let scope = if dice.next().is_multiple_of(4) {
        RegionCode::parse("440000").expect("Guangdong")
    } else {
        RegionCode::NATIONAL
    };
    let as_of = Utc
        .with_ymd_and_hms(2026, 1, 15, 0, 0, 0)
        .single()
        .expect("a time");
    Query::from_params(scope, as_of, params).unwrap_or_else(|_| Query::new(scope, as_of))
}

/// Records as Parquet in row groups of `rows` cases: small groups, so that the days a query
/// needs leave whole groups unread.
fn write_parquet_groups(dir: &Path, name: &str, records: &[CaseRecord], rows: usize) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).expect("create");
    let mut writer =
        ParquetSink::with_rows_per_group(std::io::BufWriter::new(file), rows).expect("writer");
    for record in records {
        writer.write(record).expect("write");
    }
    writer.finish().expect("finish");
    path
}

#[test]
fn the_fields_a_query_needs_give_the_same_answers_as_whole_cases_in_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A few days of cases every 50 days from November 2024 to February 2026, so that date
    // filters, 环比 and 同比 have months and years to work on; in time order, as the
    // simulator and an export write them, so that a row group covers a stretch of days.
    let first = NaiveDate::from_ymd_opt(2024, 11, 1).expect("a date");
    let records: Vec<CaseRecord> = (0..10u64)
        .flat_map(|k| simulated_from(first + chrono::Days::new(50 * k), 600, 17 + k))
        .collect();
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let queries: Vec<Query> = (0..60).map(|_| random_query(&mut dice)).collect();
    let mut files: Vec<(RecordFormat, String, PathBuf)> = FORMATS
        .iter()
        .map(|(format, extension)| {
            let name = format!("cases.{extension}");
            let path = write(dir.path(), &name, *format, &records);
            (*format, name, path)
        })
        .collect();
    let grouped = write_parquet_groups(dir.path(), "groups.parquet", &records, 250);
    files.push((RecordFormat::Parquet, "groups.parquet".to_owned(), grouped));
    let mut answered = 0;
    let mut fewer = 0;
    for (format, name, path) in &files {
        let whole = whole_index(path, *format);
        assert_eq!(whole.len(), records.len());
        for query in queries.iter().chain(&date_queries()) {
            let fields = fields_needed(query).expect("a query the fields can answer");
            let projected = index_from_file(path, *format, &fields, &RowTest::new(query))
                .expect("the file reads");
            // Only the rows the query's filters let through are kept.
            assert!(projected.len() <= records.len());
            if projected.len() < records.len() {
                fewer += 1;
            }
            let expected = whole.query(query);
            let found = projected.query(query);
            assert_eq!(found, expected, "{name}: {query:?} reading {fields:?}");
            if expected.is_ok_and(|result| result.len() > 1) {
                answered += 1;
            }
        }
    }
    // Most random queries are answerable and have several rows (a few ask for 环比 without
    // one time dimension, or filter everything out): the comparison is not of empty answers.
    assert!(answered > 120, "only {answered} of 264 answers had rows");
    // And many were answered from fewer rows than the file holds.
    eprintln!("{answered} of 264 answers had rows; {fewer} indexes dropped rows");
    assert!(fewer > 60, "only {fewer} of 264 indexes dropped rows");
}

/// Questions on a stretch of days, with and without 环比 and 同比, which read earlier days.
fn date_queries() -> Vec<Query> {
    let as_of = Utc
        .with_ymd_and_hms(2026, 1, 15, 0, 0, 0)
        .single()
        .expect("a time");
    [
        vec![("group_by", "month"), ("measure", "count,mom,yoy")],
        vec![
            ("group_by", "province,month"),
            ("measure", "mom"),
            ("received_from", "2025-09-01"),
        ],
        vec![
            ("group_by", "quarter,channel"),
            ("measure", "yoy,share"),
            ("received_from", "2025-10-01"),
            ("received_to", "2026-03-31"),
        ],
        vec![
            ("group_by", "week"),
            ("received_from", "2025-12-01"),
            ("received_to", "2025-12-31"),
            ("channel", "phone"),
        ],
        vec![
            ("group_by", "day,primary_type"),
            ("measure", "count,share(day)"),
            ("received_to", "2024-12-15"),
            ("not_kind", "petition"),
        ],
        vec![("group_by", "year"), ("received_from", "2030-01-01")],
    ]
    .into_iter()
    .map(|params| Query::from_params(RegionCode::NATIONAL, as_of, params).expect("a query"))
    .collect()
}

#[test]
fn a_query_that_needs_whole_cases_says_so() {
    let now = Utc::now();
    for params in [
        [("group_by", "overdue"), ("measure", "count")],
        [("group_by", "province"), ("measure", "on_time_rate")],
        [("group_by", "month"), ("measure", "handling_days_p90")],
        [("group_by", "month"), ("accepted_late", "true")],
    ] {
        let query = Query::from_params(RegionCode::NATIONAL, now, params).expect("a query");
        assert_eq!(fields_needed(&query), None, "{params:?}");
    }
}

fn refused(path: &Path, format: RecordFormat, query: &Query) -> BadRecords {
    let fields = fields_needed(query).expect("fields");
    let error =
        index_from_file(path, format, &fields, &RowTest::new(query)).expect_err("a bad value");
    error
        .downcast::<BadRecords>()
        .unwrap_or_else(|e| panic!("not a list of bad records: {e:#}"))
}

#[test]
fn a_bad_value_in_a_field_read_names_its_line_and_field_and_others_are_not_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut records = simulated(300, 5);
    records[4].region = "449999".to_owned();
    records[9].received_at = "next Tuesday".to_owned();
    // Not a field the province × month question reads.
    records[20].channel = "pigeon".to_owned();
    let now = Utc::now();
    let by_month = Query::from_params(RegionCode::NATIONAL, now, [("group_by", "province,month")])
        .expect("query");
    let by_channel =
        Query::from_params(RegionCode::NATIONAL, now, [("group_by", "channel")]).expect("query");
    for (format, extension) in FORMATS {
        // Parquet keeps times as timestamps: a time that is not one cannot be written there.
        let mut these = records.clone();
        if format == RecordFormat::Parquet {
            these[9] = records[8].clone();
        }
        let path = write(dir.path(), &format!("bad.{extension}"), format, &these);
        // CSV counts its header as line 1; JSON Lines and Parquet count records from 1.
        let line = |record: usize| record + if format == RecordFormat::Csv { 2 } else { 1 };
        let bad = refused(&path, format, &by_month);
        let mut expected = vec![format!(
            "line {}: region: unknown region code \"449999\": not in the administrative division table",
            line(4)
        )];
        if format != RecordFormat::Parquet {
            expected.push(format!(
                "line {}: received_at: \"next Tuesday\" is not a time: use RFC 3339 or YYYY-MM-DD HH:MM:SS",
                line(9)
            ));
        }
        assert_eq!(bad.first, expected, "{extension}");
        assert_eq!(bad.count, expected.len(), "{extension}");

        let bad = refused(&path, format, &by_channel);
        assert!(
            bad.first.contains(&format!(
                "line {}: channel: unknown channel \"pigeon\"",
                line(20)
            )),
            "{extension}: {:?}",
            bad.first
        );
    }
}

#[test]
fn a_parquet_row_group_outside_the_days_asked_is_not_read_and_one_inside_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let november = NaiveDate::from_ymd_opt(2024, 11, 1).expect("a date");
    let june = NaiveDate::from_ymd_opt(2025, 6, 1).expect("a date");
    let mut records = simulated_from(november, 300, 5);
    records.extend(simulated_from(june, 300, 6));
    // A bad region in the first row group, which holds only November's cases.
    records[4].region = "449999".to_owned();
    let path = write_parquet_groups(dir.path(), "groups.parquet", &records, 100);
    let now = Utc::now();
    let query = |params: &[(&str, &str)]| {
        Query::from_params(RegionCode::NATIONAL, now, params.iter().copied()).expect("a query")
    };
    let read = |query: &Query| {
        let fields = fields_needed(query).expect("fields");
        index_from_file(&path, RecordFormat::Parquet, &fields, &RowTest::new(query))
    };

    // From June on: November's groups are passed over by their statistics, the bad value
    // with them, and the answer counts June's cases.
    let from_june = query(&[("group_by", "month"), ("received_from", "2025-05-01")]);
    let index = read(&from_june).expect("November's row groups are not read");
    let answer = index.query(&from_june).expect("an answer");
    assert_eq!(answer.total, 300);
    // 环比 reaches back into November: the group is read, and the file refused.
    let with_change = query(&[
        ("group_by", "month"),
        ("measure", "mom"),
        ("received_from", "2025-05-01"),
    ]);
    let bad = read(&with_change).expect_err("the bad value is read");
    assert!(bad.to_string().contains("refused"), "{bad:#}");
    // A filter on another field reads every group: the bad value is found.
    let phone = query(&[("group_by", "month"), ("channel", "phone")]);
    let bad = read(&phone)
        .expect_err("the bad value is read")
        .downcast::<BadRecords>()
        .expect("bad records");
    assert_eq!(
        bad.first,
        vec![
            "line 5: region: unknown region code \"449999\": not in the administrative division table"
        ]
    );
}
