//! # greenline (library part)
//!
//! The files of case records the `greenline` command reads and writes (CSV with a header row,
//! JSON Lines, Parquet), as a library so that programs other than the command can drive the
//! same readers: the fuzz targets in `fuzz/` feed them arbitrary bytes. Everything else of the
//! command (its arguments, its sub-commands) stays in the binary.
#![forbid(unsafe_code)]

pub mod columns_in;
pub mod parquet_in;
pub mod parquet_out;
pub mod records;
