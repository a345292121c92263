//! `greenline import` of a Csv file: the record reader over the bytes as a file, then each
//! record's checks, export and re-import, and a write-and-read-back in the same format (see
//! `greenline_fuzz::check_import` for the properties).
#![no_main]

use greenline::records::RecordFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    greenline_fuzz::check_import(RecordFormat::Csv, data);
});
