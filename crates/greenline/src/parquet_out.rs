//! Case records as Parquet: one column per record field, times as UTC timestamps, written in
//! row groups so that memory stays bounded whatever the number of cases.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, StringBuilder, TimestampMillisecondBuilder, UInt32Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use greenline_domain::CaseRecord;
use greenline_domain::record::parse_time;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

/// Cases per row group.
const ROWS_PER_GROUP: usize = 65_536;

const TEXT: [(&str, bool); 13] = [
    ("external_id", false),
    ("kind", false),
    ("channel", false),
    ("primary_type", false),
    ("types", false),
    ("sub_type", true),
    ("industry", true),
    ("region", false),
    ("address", false),
    ("description", false),
    ("stage", false),
    ("rejection_reason", true),
    ("outcome", true),
];
const TIMES: [(&str, bool); 6] = [
    ("received_at", false),
    ("accepted_at", true),
    ("rejected_at", true),
    ("concluded_at", true),
    ("replied_at", true),
    ("published_at", true),
];

/// The Parquet schema of case records.
pub fn schema() -> SchemaRef {
    let utc = Some(Arc::from("UTC"));
    let mut fields: Vec<Field> = TEXT
        .iter()
        .map(|(name, nullable)| Field::new(*name, DataType::Utf8, *nullable))
        .collect();
    fields.extend(TIMES.iter().map(|(name, nullable)| {
        Field::new(
            *name,
            DataType::Timestamp(TimeUnit::Millisecond, utc.clone()),
            *nullable,
        )
    }));
    fields.push(Field::new("extension_days", DataType::UInt32, true));
    fields.push(Field::new("anonymous", DataType::Boolean, false));
    fields.push(Field::new("reporter_name", DataType::Utf8, true));
    fields.push(Field::new("reporter_phone", DataType::Utf8, true));
    Arc::new(Schema::new(fields))
}

fn text_values(record: &CaseRecord) -> [Option<&str>; 13] {
    [
        Some(record.external_id.as_str()),
        Some(record.kind.as_str()),
        Some(record.channel.as_str()),
        Some(record.primary_type.as_str()),
        Some(record.types.as_str()),
        record.sub_type.as_deref(),
        record.industry.as_deref(),
        Some(record.region.as_str()),
        Some(record.address.as_str()),
        Some(record.description.as_str()),
        Some(record.stage.as_str()),
        record.rejection_reason.as_deref(),
        record.outcome.as_deref(),
    ]
}

fn time_values(record: &CaseRecord) -> [Option<&str>; 6] {
    [
        Some(record.received_at.as_str()),
        record.accepted_at.as_deref(),
        record.rejected_at.as_deref(),
        record.concluded_at.as_deref(),
        record.replied_at.as_deref(),
        record.published_at.as_deref(),
    ]
}

/// Collects records into column builders and writes a row group when enough have come.
pub struct ParquetSink<W: Write + Send> {
    writer: ArrowWriter<W>,
    text: Vec<StringBuilder>,
    times: Vec<TimestampMillisecondBuilder>,
    extension: UInt32Builder,
    anonymous: BooleanBuilder,
    reporter: [StringBuilder; 2],
    rows: usize,
    rows_per_group: usize,
}

impl<W: Write + Send> std::fmt::Debug for ParquetSink<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetSink")
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> ParquetSink<W> {
    pub fn new(out: W) -> anyhow::Result<Self> {
        Self::with_rows_per_group(out, ROWS_PER_GROUP)
    }

    /// A writer that closes a row group every `rows` cases (at least one).
    pub fn with_rows_per_group(out: W, rows: usize) -> anyhow::Result<Self> {
        let properties = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .build();
        Ok(ParquetSink {
            writer: ArrowWriter::try_new(out, schema(), Some(properties))?,
            text: (0..TEXT.len()).map(|_| StringBuilder::new()).collect(),
            times: (0..TIMES.len())
                .map(|_| TimestampMillisecondBuilder::new().with_timezone("UTC"))
                .collect(),
            extension: UInt32Builder::new(),
            anonymous: BooleanBuilder::new(),
            reporter: [StringBuilder::new(), StringBuilder::new()],
            rows: 0,
            rows_per_group: rows.max(1),
        })
    }

    pub fn write(&mut self, record: &CaseRecord) -> anyhow::Result<()> {
        for (builder, value) in self.text.iter_mut().zip(text_values(record)) {
            builder.append_option(value);
        }
        for ((builder, value), (name, _)) in
            self.times.iter_mut().zip(time_values(record)).zip(TIMES)
        {
            let millis = match value {
                Some(text) => Some(
                    parse_time(text)
                        .ok_or_else(|| anyhow::anyhow!("{name}: {text:?} is not a time"))?
                        .timestamp_millis(),
                ),
                None => None,
            };
            builder.append_option(millis);
        }
        self.extension.append_option(record.extension_days);
        self.anonymous.append_value(record.anonymous);
        self.reporter[0].append_option(record.reporter_name.as_deref());
        self.reporter[1].append_option(record.reporter_phone.as_deref());
        self.rows += 1;
        if self.rows == self.rows_per_group {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> anyhow::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut columns: Vec<ArrayRef> = self
            .text
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef)
            .collect();
        columns.extend(
            self.times
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        columns.push(Arc::new(self.extension.finish()));
        columns.push(Arc::new(self.anonymous.finish()));
        columns.extend(
            self.reporter
                .iter_mut()
                .map(|b| Arc::new(b.finish()) as ArrayRef),
        );
        self.writer
            .write(&RecordBatch::try_new(schema(), columns)?)?;
        self.writer.flush()?;
        self.rows = 0;
        Ok(())
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.flush()?;
        self.writer.close()?;
        Ok(())
    }
}
