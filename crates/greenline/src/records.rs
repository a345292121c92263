//! Reading and writing files of case records: CSV with a header row, JSON Lines or Parquet.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use anyhow::Context;
use greenline_domain::CaseRecord;

/// File formats of case records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RecordFormat {
    /// JSON Lines: one case a line.
    Jsonl,
    /// CSV with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

/// Writes records as JSON Lines, CSV or Parquet.
pub enum RecordWriter<W: Write + Send> {
    Jsonl(W),
    Csv(Box<csv::Writer<W>>),
    Parquet(Box<crate::parquet_out::ParquetSink<W>>),
}

impl<W: Write + Send> std::fmt::Debug for RecordWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let format = match self {
            RecordWriter::Jsonl(_) => "JSON Lines",
            RecordWriter::Csv(_) => "CSV",
            RecordWriter::Parquet(_) => "Parquet",
        };
        f.debug_tuple("RecordWriter").field(&format).finish()
    }
}

impl<W: Write + Send> RecordWriter<W> {
    pub fn new(format: RecordFormat, out: W) -> anyhow::Result<Self> {
        Ok(match format {
            RecordFormat::Jsonl => RecordWriter::Jsonl(out),
            RecordFormat::Csv => RecordWriter::Csv(Box::new(csv::Writer::from_writer(out))),
            RecordFormat::Parquet => {
                RecordWriter::Parquet(Box::new(crate::parquet_out::ParquetSink::new(out)?))
            }
        })
    }

    pub fn write(&mut self, record: &CaseRecord) -> anyhow::Result<()> {
        match self {
            RecordWriter::Jsonl(out) => {
                serde_json::to_writer(&mut *out, record)?;
                out.write_all(b"\n")?;
            }
            RecordWriter::Csv(out) => out.serialize(record)?,
            RecordWriter::Parquet(out) => out.write(record)?,
        }
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<()> {
        match self {
            RecordWriter::Jsonl(mut out) => out.flush()?,
            RecordWriter::Csv(mut out) => out.flush()?,
            RecordWriter::Parquet(out) => out.finish()?,
        }
        Ok(())
    }
}

/// The format a file's name suggests: `.csv` is CSV, `.parquet` Parquet, anything else JSON
/// Lines.
pub fn format_of(path: &Path, given: Option<RecordFormat>) -> RecordFormat {
    given.unwrap_or_else(|| {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match extension.as_deref() {
            Some("csv") => RecordFormat::Csv,
            Some("parquet") => RecordFormat::Parquet,
            _ => RecordFormat::Jsonl,
        }
    })
}

/// Counts the bytes read, for progress.
#[derive(Debug)]
pub struct Counting<R> {
    inner: R,
    pub bytes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

/// Records of a file with the line each starts on, or what is wrong with that line.
pub struct RecordReader {
    inner: Inner,
}

impl std::fmt::Debug for RecordReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let format = match &self.inner {
            Inner::Jsonl { .. } => "JSON Lines",
            Inner::Csv { .. } => "CSV",
            Inner::Parquet(_) => "Parquet",
        };
        f.debug_tuple("RecordReader").field(&format).finish()
    }
}

enum Inner {
    Jsonl {
        lines: std::io::Lines<BufReader<Counting<File>>>,
        line: u64,
        /// Reading failed for another reason than a line's encoding: nothing more follows.
        broken: bool,
    },
    Csv {
        reader: Box<csv::Reader<Counting<File>>>,
        headers: csv::StringRecord,
    },
    Parquet(Box<crate::parquet_in::ParquetRecords>),
}

impl RecordReader {
    pub fn open(
        path: &Path,
        format: RecordFormat,
        bytes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    ) -> anyhow::Result<RecordReader> {
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            anyhow::bail!("{} is not a file", path.display());
        }
        let inner = match format {
            RecordFormat::Parquet => {
                // The reader needs to seek, so progress counts the whole file at once.
                let size = file.metadata().map(|m| m.len()).unwrap_or(0);
                bytes.store(size, std::sync::atomic::Ordering::Relaxed);
                Inner::Parquet(Box::new(
                    crate::parquet_in::ParquetRecords::open(file)
                        .with_context(|| path.display().to_string())?,
                ))
            }
            RecordFormat::Jsonl => Inner::Jsonl {
                lines: BufReader::with_capacity(1 << 16, Counting { inner: file, bytes }).lines(),
                line: 0,
                broken: false,
            },
            RecordFormat::Csv => {
                let mut reader = csv::ReaderBuilder::new()
                    .has_headers(true)
                    .from_reader(Counting { inner: file, bytes });
                let headers = reader
                    .headers()
                    .with_context(|| format!("reading the header row of {}", path.display()))?
                    .clone();
                Inner::Csv {
                    reader: Box::new(reader),
                    headers,
                }
            }
        };
        Ok(RecordReader { inner })
    }
}

impl Iterator for RecordReader {
    /// The line number and the record, or a message saying what is wrong with the line.
    type Item = (u64, Result<CaseRecord, String>);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Jsonl {
                lines,
                line,
                broken,
            } => loop {
                if *broken {
                    return None;
                }
                *line += 1;
                let text = match lines.next()? {
                    Ok(text) => text,
                    Err(e) => {
                        // A line that is not UTF-8 was read past; any other error would
                        // come again at every call.
                        *broken = e.kind() != std::io::ErrorKind::InvalidData;
                        return Some((*line, Err(format!("cannot read the line: {e}"))));
                    }
                };
                if text.trim().is_empty() {
                    continue;
                }
                let parsed = serde_json::from_str::<CaseRecord>(&text)
                    .map_err(|e| format!("not a valid record: {e}"));
                return Some((*line, parsed));
            },
            Inner::Parquet(rows) => rows.next(),
            Inner::Csv { reader, headers } => {
                let mut row = csv::StringRecord::new();
                match reader.read_record(&mut row) {
                    Ok(false) => None,
                    Ok(true) => {
                        let line = row.position().map_or(0, csv::Position::line);
                        let parsed = row
                            .deserialize::<CaseRecord>(Some(headers))
                            .map_err(|e| format!("not a valid record: {e}"));
                        Some((line, parsed))
                    }
                    Err(e) => {
                        let line = e.position().map_or(0, csv::Position::line);
                        Some((line, Err(format!("not a valid CSV row: {e}"))))
                    }
                }
            }
        }
    }
}
