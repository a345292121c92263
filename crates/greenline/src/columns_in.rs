//! The statistics index from only the fields of a file that a question needs
//! ([`greenline_stats::columns`]): Parquet reads just those columns, its row groups decoded on
//! every core and each dictionary's values read into codes once; CSV and JSON Lines still pass
//! over every byte, but decode only the needed fields, each distinct value once.
//!
//! What is read is checked, field by field, as `import` checks it: a bad value names its line
//! (for Parquet, its row from 1) and field, and the file is refused. Fields not read are not
//! checked; `greenline import` checks everything.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, bail};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, TimestampMillisecondType};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use greenline_stats::Index;
use greenline_stats::columns::{BadField, CaseField, FactColumns, RowTest};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use serde::Deserialize;

use crate::parquet_in::decoding;
use crate::records::RecordFormat;

/// Problems kept to show; the rest are counted.
const SHOWN_PROBLEMS: usize = 20;

/// Bad records found in a file: how many, and the first few, each naming its line and field.
#[derive(Debug, Default)]
pub struct BadRecords {
    pub count: usize,
    /// `line N: field: why`, in line order.
    pub first: Vec<String>,
}

impl std::fmt::Display for BadRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bad record(s)", self.count)?;
        for line in &self.first {
            write!(f, "\n{line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BadRecords {}

/// Problems of one stretch of rows, by line.
#[derive(Debug, Default)]
struct Found {
    count: usize,
    first: Vec<(u64, String)>,
}

impl Found {
    fn add(&mut self, line: u64, message: impl std::fmt::Display) {
        self.count += 1;
        if self.first.len() < SHOWN_PROBLEMS {
            self.first.push((line, message.to_string()));
        }
    }

    fn merge(parts: impl IntoIterator<Item = Found>) -> Option<BadRecords> {
        let mut count = 0;
        let mut first = Vec::new();
        for part in parts {
            count += part.count;
            first.extend(part.first);
        }
        first.sort_by_key(|(line, _)| *line);
        first.truncate(SHOWN_PROBLEMS);
        (count > 0).then(|| BadRecords {
            count,
            first: first
                .into_iter()
                .map(|(line, message)| format!("line {line}: {message}"))
                .collect(),
        })
    }
}

/// Columns and problems of the parts read, and the received days of rows not kept.
type FileRead = (Vec<FactColumns>, Vec<Found>, Vec<(u16, u16)>);

/// A part of a file read on a thread: where it is in the file (row group or chunk), its
/// columns, its problems, and the days of the rows [`FactColumns::keep`] dropped.
type Part = (usize, FactColumns, Found, Option<(u16, u16)>);

/// The index of `path` from `fields` alone. A file with any bad value in them is refused
/// with a [`BadRecords`] error (the count and the first problems).
///
/// The index holds only the rows `test` lets through: the rows the question's filters would
/// leave out anyway are read and checked, then dropped. A Parquet row group whose statistics
/// put every received time outside the days the question can need is not read at all, and
/// its values are not checked. CSV and JSON Lines have no such statistics and are read whole.
pub fn index_from_file(
    path: &Path,
    format: RecordFormat,
    fields: &[CaseField],
    test: &RowTest,
) -> anyhow::Result<Index> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        bail!("{} is not a file", path.display());
    }
    let (parts, found, unread) = match format {
        RecordFormat::Parquet => {
            parquet(path, file, fields, test).with_context(|| path.display().to_string())?
        }
        RecordFormat::Csv => csv(file, fields, test).with_context(|| path.display().to_string())?,
        RecordFormat::Jsonl => jsonl(file, fields, test),
    };
    if let Some(bad) = Found::merge(found) {
        return Err(anyhow::Error::new(bad).context(format!("{} is refused", path.display())));
    }
    let mut index = Index::from_columns(&parts);
    for (low, high) in unread {
        index.note_unread_days(low, high);
    }
    Ok(index)
}

/// Codes of a column's distinct values, read once each.
struct Codes {
    field: CaseField,
    seen: HashMap<Box<str>, Result<u16, BadField>>,
}

impl Codes {
    fn new(field: CaseField) -> Codes {
        Codes {
            field,
            seen: HashMap::new(),
        }
    }

    fn code(&mut self, text: Option<&str>) -> Result<u16, BadField> {
        match text {
            // Times are mostly distinct: nothing to gain from remembering them.
            Some(text) if !matches!(self.field, CaseField::ReceivedAt | CaseField::AcceptedAt) => {
                if let Some(known) = self.seen.get(text) {
                    return known.clone();
                }
                let code = self.field.code(Some(text));
                self.seen.insert(text.into(), code.clone());
                code
            }
            other => self.field.code(other),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Parquet

/// Milliseconds of 0000-01-01T00:00:00Z and of the last millisecond of 9999: records write
/// times as RFC 3339, which has those years only (as `parquet_in` reads them).
const FIRST_MILLIS: i64 = -62_167_219_200_000;
const LAST_MILLIS: i64 = 253_402_300_799_999;

/// Where a field is in the file: its column's position, or not there (every value absent).
fn parquet_columns(schema: &Schema, fields: &[CaseField]) -> anyhow::Result<Vec<Option<usize>>> {
    fields
        .iter()
        .map(|field| {
            let found = schema
                .fields()
                .iter()
                .position(|f| f.name() == field.name() || f.name() == field.alias());
            match found {
                None if field.required() => bail!("{}: no such column", field.name()),
                found => Ok(found),
            }
        })
        .collect()
}

/// The received days of a row group, from its statistics, when they lie wholly outside `days`
/// (so the group need not be read); `None` when it may hold a needed row, or when its
/// statistics do not say (none written, or a missing time that must be reported).
fn skippable(
    group: &parquet::file::metadata::RowGroupMetaData,
    received: &str,
    days: (u16, u16),
) -> Option<(u16, u16)> {
    let column = group
        .columns()
        .iter()
        .find(|c| c.column_path().string() == received)?;
    let parquet::file::statistics::Statistics::Int64(stats) = column.statistics()? else {
        return None;
    };
    if stats.null_count_opt() != Some(0) {
        return None;
    }
    let day = |millis: &i64| {
        (FIRST_MILLIS..=LAST_MILLIS)
            .contains(millis)
            .then(|| CaseField::ReceivedAt.day_code_of_millis(*millis).ok())
            .flatten()
    };
    let (low, high) = (day(stats.min_opt()?)?, day(stats.max_opt()?)?);
    (high < days.0 || low > days.1).then_some((low, high))
}

fn parquet(
    path: &Path,
    file: File,
    fields: &[CaseField],
    test: &RowTest,
) -> anyhow::Result<FileRead> {
    let plain = decoding(|| ArrowReaderMetadata::load(&file, ArrowReaderOptions::new()))
        .map_err(anyhow::Error::msg)?
        .context("not a Parquet file")?;
    let positions = parquet_columns(plain.schema(), fields)?;
    // Text columns come back dictionary-encoded, as they are stored: the values once, then a
    // small key a row.
    let wanted: Vec<usize> = positions.iter().flatten().copied().collect();
    let schema = Schema::new(
        plain
            .schema()
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| match f.data_type() {
                DataType::Utf8 if wanted.contains(&i) => Arc::new(Field::new(
                    f.name(),
                    DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                    f.is_nullable(),
                )),
                _ => f.clone(),
            })
            .collect::<Vec<_>>(),
    );
    let metadata = decoding(|| {
        ArrowReaderMetadata::try_new(
            plain.metadata().clone(),
            ArrowReaderOptions::new().with_schema(Arc::new(schema)),
        )
    })
    .map_err(anyhow::Error::msg)??;
    let mask = ProjectionMask::roots(metadata.parquet_schema(), wanted.iter().copied());
    let groups = metadata.metadata().row_groups();
    // Only a column of millisecond timestamps is read by its statistics: other kinds of
    // column are refused below, group by group, as before.
    let received = fields
        .iter()
        .zip(&positions)
        .find(|(f, _)| **f == CaseField::ReceivedAt)
        .and_then(|(_, p)| *p)
        .map(|p| metadata.schema().field(p))
        .filter(|f| {
            matches!(
                f.data_type(),
                DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, _)
            )
        });
    let skipped: Vec<Option<(u16, u16)>> = groups
        .iter()
        .map(|g| received.and_then(|f| skippable(g, f.name(), test.days())))
        .collect();
    let mut first_rows = Vec::with_capacity(groups.len());
    let mut rows = 0u64;
    for group in groups {
        first_rows.push(rows);
        rows += u64::try_from(group.num_rows()).unwrap_or(0);
    }

    // Each thread takes the next row group until none is left; results go back in file order.
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<Part>> = Mutex::new(Vec::new());
    let failed: Mutex<Option<anyhow::Error>> = Mutex::new(None);
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(groups.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                // A file of its own: the decoder seeks and reads, and clones of one file
                // share its position, so threads sharing one would read each other's bytes.
                let file = match File::open(path) {
                    Ok(file) => file,
                    Err(e) => {
                        if let Ok(mut failed) = failed.lock() {
                            failed.get_or_insert(e.into());
                        }
                        return;
                    }
                };
                // Each distinct value once per thread, not once per row group.
                let mut codes: Vec<Codes> = fields.iter().map(|f| Codes::new(*f)).collect();
                loop {
                    let group = next.fetch_add(1, Ordering::Relaxed);
                    if group >= groups.len() || failed.lock().is_ok_and(|f| f.is_some()) {
                        return;
                    }
                    if skipped[group].is_some() {
                        continue;
                    }
                    let read = parquet_group(
                        &file,
                        &metadata,
                        &mask,
                        (group, first_rows[group]),
                        fields,
                        &positions,
                        &mut codes,
                    );
                    match read {
                        Ok((mut columns, found)) => {
                            let dropped = columns.keep(test);
                            if let Ok(mut done) = done.lock() {
                                done.push((group, columns, found, dropped));
                            }
                        }
                        Err(e) => {
                            if let Ok(mut failed) = failed.lock() {
                                failed.get_or_insert(e);
                            }
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut done = done
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a reading thread failed"))?;
    done.sort_by_key(|(group, ..)| *group);
    let mut unread: Vec<(u16, u16)> = skipped.into_iter().flatten().collect();
    let mut parts = Vec::with_capacity(done.len());
    let mut found = Vec::with_capacity(done.len());
    for (_, columns, problems, dropped) in done {
        parts.push(columns);
        found.push(problems);
        unread.extend(dropped);
    }
    Ok((parts, found, unread))
}

fn parquet_group(
    file: &File,
    metadata: &ArrowReaderMetadata,
    mask: &ProjectionMask,
    (group, first_row): (usize, u64),
    fields: &[CaseField],
    positions: &[Option<usize>],
    codes: &mut [Codes],
) -> anyhow::Result<(FactColumns, Found)> {
    let file = file.try_clone()?;
    let rows = metadata.metadata().row_group(group).num_rows();
    let batches = decoding(|| {
        ParquetRecordBatchReaderBuilder::new_with_metadata(file, metadata.clone())
            .with_projection(mask.clone())
            .with_row_groups(vec![group])
            .with_batch_size(usize::try_from(rows).unwrap_or(8_192).clamp(1, 1 << 20))
            .build()
    })
    .map_err(anyhow::Error::msg)??;
    let mut columns = FactColumns::new(fields);
    let mut found = Found::default();
    let mut row = first_row;
    let mut batches = batches;
    loop {
        let batch = match decoding(|| batches.next()).map_err(anyhow::Error::msg)? {
            None => break,
            Some(batch) => batch.map_err(|e| anyhow::anyhow!("cannot read the file: {e}"))?,
        };
        for ((field, position), codes) in fields.iter().zip(positions).zip(codes.iter_mut()) {
            let column = position.and_then(|p| {
                let name = metadata.schema().field(p).name();
                batch.column_by_name(name).cloned()
            });
            let Some(out) = columns.column_mut(*field) else {
                continue;
            };
            read_parquet_column(&batch, column.as_ref(), codes, row, out, &mut found)?;
        }
        row += batch.num_rows() as u64;
    }
    Ok((columns, found))
}

/// Appends the codes of one column of a batch (`None`: the file has no such column).
fn read_parquet_column(
    batch: &RecordBatch,
    column: Option<&ArrayRef>,
    codes: &mut Codes,
    first_row: u64,
    out: &mut Vec<u16>,
    found: &mut Found,
) -> anyhow::Result<()> {
    let field = codes.field;
    let mut push = |out: &mut Vec<u16>, i: usize, code: Result<u16, BadField>| match code {
        Ok(code) => out.push(code),
        Err(e) => {
            out.push(0);
            found.add(first_row + i as u64 + 1, e);
        }
    };
    let Some(column) = column else {
        let absent = field.code(None);
        for i in 0..batch.num_rows() {
            push(out, i, absent.clone());
        }
        return Ok(());
    };
    if let Some(dictionary) = column.as_dictionary_opt::<Int32Type>() {
        let values = dictionary
            .values()
            .as_string_opt::<i32>()
            .ok_or_else(|| anyhow::anyhow!("{}: expected a text column", field.name()))?;
        // The dictionary's values, read once; then a look-up a row.
        let mapped: Vec<Result<u16, BadField>> = (0..values.len())
            .map(|v| codes.code((!values.is_null(v)).then(|| values.value(v))))
            .collect();
        let keys = dictionary.keys();
        // Every value good and every row with one: a look-up a row and nothing else.
        if keys.null_count() == 0 && mapped.iter().all(Result::is_ok) {
            let good: Vec<u16> = mapped.iter().map(|m| *m.as_ref().unwrap_or(&0)).collect();
            let start = out.len();
            let mut out_of_range = false;
            out.extend(keys.values().iter().map(|key| {
                match usize::try_from(*key).ok().and_then(|k| good.get(k)) {
                    Some(code) => *code,
                    None => {
                        out_of_range = true;
                        0
                    }
                }
            }));
            if !out_of_range {
                return Ok(());
            }
            out.truncate(start);
        }
        let absent = field.code(None);
        for i in 0..keys.len() {
            let code = if keys.is_null(i) {
                absent.clone()
            } else {
                let key = usize::try_from(keys.value(i)).unwrap_or(usize::MAX);
                mapped.get(key).cloned().unwrap_or_else(|| {
                    Err(BadField {
                        field: field.name(),
                        why: "not a valid Parquet file: a dictionary key out of range".to_owned(),
                    })
                })
            };
            push(out, i, code);
        }
    } else if let Some(strings) = column.as_string_opt::<i32>() {
        for i in 0..strings.len() {
            push(
                out,
                i,
                codes.code((!strings.is_null(i)).then(|| strings.value(i))),
            );
        }
    } else if let Some(times) = column.as_primitive_opt::<TimestampMillisecondType>() {
        for i in 0..times.len() {
            let code = if times.is_null(i) {
                field.time_code(None)
            } else {
                let millis = times.value(i);
                if (FIRST_MILLIS..=LAST_MILLIS).contains(&millis) {
                    field.day_code_of_millis(millis)
                } else {
                    Err(BadField {
                        field: field.name(),
                        why: "time out of range".to_owned(),
                    })
                }
            };
            push(out, i, code);
        }
    } else {
        bail!(
            "{}: expected {}",
            field.name(),
            match field {
                CaseField::ReceivedAt | CaseField::AcceptedAt => "a timestamp in milliseconds",
                _ => "a text column",
            }
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// CSV

fn csv(file: File, fields: &[CaseField], test: &RowTest) -> anyhow::Result<FileRead> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let headers = reader
        .byte_headers()
        .context("reading the header row")?
        .clone();
    let positions: Vec<Option<usize>> = fields
        .iter()
        .map(|field| {
            let found = headers
                .iter()
                .position(|h| h == field.name().as_bytes() || h == field.alias().as_bytes());
            match found {
                None if field.required() => bail!("{}: no such column", field.name()),
                found => Ok(found),
            }
        })
        .collect::<anyhow::Result<_>>()?;
    let mut columns = FactColumns::new(fields);
    let mut codes: Vec<Codes> = fields.iter().map(|f| Codes::new(*f)).collect();
    let mut found = Found::default();
    let mut row = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut row) {
            Ok(false) => break,
            Ok(true) => {
                let line = row.position().map_or(0, csv::Position::line);
                // A short row is refused whole, as the record reader refuses it.
                if row.len() != headers.len() {
                    found.add(
                        line,
                        format!(
                            "not a valid record: {} fields where the header has {}",
                            row.len(),
                            headers.len()
                        ),
                    );
                    for field in fields {
                        if let Some(out) = columns.column_mut(*field) {
                            out.push(0);
                        }
                    }
                    continue;
                }
                for ((field, position), codes) in fields.iter().zip(&positions).zip(&mut codes) {
                    let code = match position.and_then(|p| row.get(p)) {
                        None => codes.code(None),
                        Some(bytes) => match std::str::from_utf8(bytes) {
                            Ok(text) => codes.code(Some(text)),
                            Err(_) => Err(BadField {
                                field: field.name(),
                                why: "not UTF-8".to_owned(),
                            }),
                        },
                    };
                    if let Some(out) = columns.column_mut(*field) {
                        out.push(*code.as_ref().unwrap_or(&0));
                    }
                    if let Err(e) = code {
                        found.add(line, e);
                    }
                }
            }
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                found.add(line, format!("not a valid CSV row: {e}"));
                // Only a failure to read the file itself would come again at every call.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    let dropped = columns.keep(test);
    Ok((vec![columns], vec![found], dropped.into_iter().collect()))
}

// ---------------------------------------------------------------------------------------------
// JSON Lines

/// The fields of a JSON record that facts are read from; every other field is skipped over
/// unread.
#[derive(Debug, Deserialize)]
struct JsonFields<'a> {
    #[serde(borrow, default, alias = "类别")]
    kind: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "渠道")]
    channel: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "污染类型")]
    primary_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "涉及类型")]
    types: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "子类型")]
    sub_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "行业")]
    industry: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "行政区划代码")]
    region: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "办理阶段")]
    stage: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "办理结果")]
    outcome: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "不予受理原因")]
    rejection_reason: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "受理时间")]
    accepted_at: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow, default, alias = "接收时间")]
    received_at: Option<std::borrow::Cow<'a, str>>,
}

impl JsonFields<'_> {
    fn get(&self, field: CaseField) -> Option<&str> {
        match field {
            CaseField::Kind => self.kind.as_deref(),
            CaseField::Channel => self.channel.as_deref(),
            CaseField::PrimaryType => self.primary_type.as_deref(),
            CaseField::Types => self.types.as_deref(),
            CaseField::SubType => self.sub_type.as_deref(),
            CaseField::Industry => self.industry.as_deref(),
            CaseField::Region => self.region.as_deref(),
            CaseField::Stage => self.stage.as_deref(),
            CaseField::Outcome => self.outcome.as_deref(),
            CaseField::RejectionReason => self.rejection_reason.as_deref(),
            CaseField::AcceptedAt => self.accepted_at.as_deref(),
            CaseField::ReceivedAt => self.received_at.as_deref(),
        }
    }
}

/// Lines handed to a parsing thread at once.
const JSON_CHUNK_BYTES: usize = 4 << 20;

fn jsonl(file: File, fields: &[CaseField], test: &RowTest) -> FileRead {
    // One thread cuts the file into chunks of whole lines; the others parse them.
    let (send, receive) = std::sync::mpsc::sync_channel::<(usize, u64, Vec<u8>)>(4);
    let receive = Mutex::new(receive);
    let done: Mutex<Vec<Part>> = Mutex::new(Vec::new());
    let reading: Mutex<Option<(u64, std::io::Error)>> = Mutex::new(None);
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let next = match receive.lock() {
                        Ok(receive) => receive.recv(),
                        Err(_) => return,
                    };
                    let Ok((chunk, first_line, bytes)) = next else {
                        return;
                    };
                    let (mut columns, found) = jsonl_chunk(&bytes, first_line, fields);
                    let dropped = columns.keep(test);
                    if let Ok(mut done) = done.lock() {
                        done.push((chunk, columns, found, dropped));
                    }
                }
            });
        }
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let mut line = 1u64;
        for chunk in 0.. {
            let mut bytes = Vec::with_capacity(JSON_CHUNK_BYTES + 4096);
            let read = (&mut reader)
                .take(JSON_CHUNK_BYTES as u64)
                .read_to_end(&mut bytes)
                .and_then(|_| reader.read_until(b'\n', &mut bytes));
            if let Err(e) = read {
                if let Ok(mut reading) = reading.lock() {
                    *reading = Some((line, e));
                }
                break;
            }
            if bytes.is_empty() {
                break;
            }
            let lines = bytes.iter().filter(|b| **b == b'\n').count() as u64;
            if send.send((chunk, line, bytes)).is_err() {
                break;
            }
            line += lines;
        }
        drop(send);
    });
    let mut done = done.into_inner().unwrap_or_default();
    done.sort_by_key(|(chunk, ..)| *chunk);
    let mut parts = Vec::with_capacity(done.len());
    let mut found = Vec::with_capacity(done.len());
    let mut unread = Vec::new();
    for (_, columns, problems, dropped) in done {
        parts.push(columns);
        found.push(problems);
        unread.extend(dropped);
    }
    if let Some((line, e)) = reading.into_inner().ok().flatten() {
        let mut broken = Found::default();
        broken.add(line, format!("cannot read the file: {e}"));
        found.push(broken);
    }
    (parts, found, unread)
}

fn jsonl_chunk(bytes: &[u8], first_line: u64, fields: &[CaseField]) -> (FactColumns, Found) {
    let mut columns = FactColumns::new(fields);
    let mut codes: Vec<Codes> = fields.iter().map(|f| Codes::new(*f)).collect();
    let mut found = Found::default();
    for (n, text) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = first_line + n as u64;
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let record = std::str::from_utf8(text)
            .map_err(|e| format!("cannot read the line: {e}"))
            .and_then(|text| {
                serde_json::from_str::<JsonFields<'_>>(text)
                    .map_err(|e| format!("not a valid record: {e}"))
            });
        let record = match record {
            Ok(record) => record,
            Err(message) => {
                found.add(line, message);
                for field in fields {
                    if let Some(out) = columns.column_mut(*field) {
                        out.push(0);
                    }
                }
                continue;
            }
        };
        for (field, codes) in fields.iter().zip(&mut codes) {
            let code = codes.code(record.get(*field));
            if let Some(out) = columns.column_mut(*field) {
                out.push(*code.as_ref().unwrap_or(&0));
            }
            if let Err(e) = code {
                found.add(line, e);
            }
        }
    }
    (columns, found)
}
