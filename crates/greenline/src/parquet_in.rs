//! Case records read back from Parquet (the layout `parquet_out` writes; columns found by
//! name, so files written by other tools with the same column names and types read too).
//!
//! The Parquet decoder panics on some malformed files instead of returning an error (parquet
//! 60: a dictionary-encoded page in a column chunk without its dictionary page, found by
//! fuzzing). A file is input like any other, so each call into the decoder is guarded: such a
//! panic becomes "not a valid Parquet file" for the whole file, and the reader stops there.

use std::fs::File;
use std::panic::{AssertUnwindSafe, catch_unwind};

use anyhow::Context;
use arrow_array::cast::AsArray;
use arrow_array::types::{TimestampMillisecondType, UInt32Type};
use arrow_array::{Array, RecordBatch};
use chrono::{DateTime, Datelike};
use greenline_domain::CaseRecord;
use greenline_domain::record::format_time;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

/// Rows of a Parquet file as records, each with its row number (from 1).
pub struct ParquetRecords {
    /// `None` once the decoder failed: its state is not to be trusted after a panic.
    batches: Option<ParquetRecordBatchReader>,
    batch: Option<RecordBatch>,
    next_in_batch: usize,
    row: u64,
}

impl std::fmt::Debug for ParquetRecords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParquetRecords")
            .field("row", &self.row)
            .finish_non_exhaustive()
    }
}

impl ParquetRecords {
    pub fn open(file: File) -> anyhow::Result<ParquetRecords> {
        let batches = decoding(|| {
            ParquetRecordBatchReaderBuilder::try_new(file)?
                .with_batch_size(8_192)
                .build()
        })
        .map_err(anyhow::Error::msg)?
        .context("not a Parquet file")?;
        Ok(ParquetRecords {
            batches: Some(batches),
            batch: None,
            next_in_batch: 0,
            row: 0,
        })
    }
}

/// A call into the Parquet decoder, its panic (on a malformed file) turned into an error.
pub(crate) fn decoding<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(call)).map_err(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("not a valid Parquet file: the decoder failed ({detail})")
    })
}

fn text(batch: &RecordBatch, name: &str, row: usize) -> Result<Option<String>, String> {
    let column = batch
        .column_by_name(name)
        .ok_or_else(|| format!("{name}: no such column"))?;
    let strings = column
        .as_string_opt::<i32>()
        .ok_or_else(|| format!("{name}: expected a text column"))?;
    Ok((!strings.is_null(row)).then(|| strings.value(row).to_owned()))
}

fn required(batch: &RecordBatch, name: &str, row: usize) -> Result<String, String> {
    text(batch, name, row)?.ok_or_else(|| format!("{name}: must not be empty"))
}

fn time(batch: &RecordBatch, name: &str, row: usize) -> Result<Option<String>, String> {
    let Some(column) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let times = column
        .as_primitive_opt::<TimestampMillisecondType>()
        .ok_or_else(|| format!("{name}: expected a timestamp in milliseconds"))?;
    if times.is_null(row) {
        return Ok(None);
    }
    // Records write times as RFC 3339, which has years 0000 to 9999 only: a time outside them
    // would read here and then be refused as "not a time" by everything that reads records.
    DateTime::from_timestamp_millis(times.value(row))
        .filter(|at| (0..=9999).contains(&at.year()))
        .map(|at| Some(format_time(at)))
        .ok_or_else(|| format!("{name}: time out of range"))
}

fn record(batch: &RecordBatch, row: usize) -> Result<CaseRecord, String> {
    let extension_days = match batch.column_by_name("extension_days") {
        Some(column) => {
            let days = column
                .as_primitive_opt::<UInt32Type>()
                .ok_or("extension_days: expected a whole number")?;
            (!days.is_null(row)).then(|| days.value(row))
        }
        None => None,
    };
    let anonymous = batch
        .column_by_name("anonymous")
        .ok_or("anonymous: no such column")?
        .as_boolean_opt()
        .ok_or("anonymous: expected true or false")?
        .value(row);
    Ok(CaseRecord {
        external_id: required(batch, "external_id", row)?,
        kind: required(batch, "kind", row)?,
        channel: required(batch, "channel", row)?,
        primary_type: required(batch, "primary_type", row)?,
        types: required(batch, "types", row)?,
        sub_type: text(batch, "sub_type", row)?,
        industry: text(batch, "industry", row)?,
        region: required(batch, "region", row)?,
        address: text(batch, "address", row)?.unwrap_or_default(),
        description: text(batch, "description", row)?.unwrap_or_default(),
        received_at: time(batch, "received_at", row)?.ok_or("received_at: must not be empty")?,
        stage: required(batch, "stage", row)?,
        accepted_at: time(batch, "accepted_at", row)?,
        rejected_at: time(batch, "rejected_at", row)?,
        rejection_reason: text(batch, "rejection_reason", row)?,
        extension_days,
        concluded_at: time(batch, "concluded_at", row)?,
        outcome: text(batch, "outcome", row)?,
        replied_at: time(batch, "replied_at", row)?,
        published_at: time(batch, "published_at", row)?,
        anonymous,
        reporter_name: text(batch, "reporter_name", row).ok().flatten(),
        reporter_phone: text(batch, "reporter_phone", row).ok().flatten(),
    })
}

impl Iterator for ParquetRecords {
    /// The row number and the record, or what is wrong with the row.
    type Item = (u64, Result<CaseRecord, String>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(batch) = &self.batch
                && self.next_in_batch < batch.num_rows()
            {
                let row = self.next_in_batch;
                self.next_in_batch += 1;
                self.row += 1;
                return Some((self.row, record(batch, row)));
            }
            let batches = self.batches.as_mut()?;
            match decoding(|| batches.next()) {
                Ok(None) => return None,
                Ok(Some(Ok(batch))) => {
                    self.batch = Some(batch);
                    self.next_in_batch = 0;
                }
                Ok(Some(Err(e))) => {
                    self.row += 1;
                    self.batch = None;
                    return Some((self.row, Err(format!("cannot read the file: {e}"))));
                }
                Err(message) => {
                    self.row += 1;
                    self.batch = None;
                    self.batches = None;
                    return Some((self.row, Err(message)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, TimestampMillisecondArray};

    use super::*;

    /// Found by fuzzing (`fuzz/fuzz_targets/import_parquet.rs`): a timestamp in the year 73381
    /// read as `+73381-09-12T23:52:38Z`, which no reader of records parses, so the record could
    /// not be written back.
    #[test]
    fn a_time_beyond_the_years_rfc_3339_can_write_is_out_of_range() {
        let millis = [
            Some(1_740_787_200_000),
            Some(2_253_000_000_000_000),
            Some(-62_200_000_000_000),
        ];
        let column: ArrayRef = Arc::new(TimestampMillisecondArray::from(millis.to_vec()));
        let batch =
            RecordBatch::try_from_iter([("accepted_at", column)]).expect("a one-column batch");
        assert_eq!(
            time(&batch, "accepted_at", 0),
            Ok(Some("2025-03-01T00:00:00Z".to_owned()))
        );
        for row in [1, 2] {
            assert_eq!(
                time(&batch, "accepted_at", row),
                Err("accepted_at: time out of range".to_owned())
            );
        }
    }

    /// Found by fuzzing (`fuzz/fuzz_targets/import_parquet.rs`): a simulated file with five
    /// bytes changed, so that a column's pages are dictionary-encoded but its dictionary page is
    /// gone. The decoder panicked ("Decoder for dict should have been set") and took
    /// `greenline import` down with it.
    #[test]
    fn a_malformed_parquet_file_is_reported_as_such_not_a_crash() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/dictionary-page-missing.parquet");
        let file = File::open(path).expect("the test file");
        let rows: Vec<_> = match ParquetRecords::open(file) {
            Ok(rows) => rows.collect(),
            Err(error) => {
                assert!(format!("{error:#}").contains("Parquet"), "{error:#}");
                return;
            }
        };
        let Some((_, Err(message))) = rows.last() else {
            panic!("the malformed column read as records: {rows:?}");
        };
        assert!(message.contains("not a valid Parquet file"), "{message}");
    }
}
