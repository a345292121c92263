//! `greenline import` of a Parquet file: the record reader over the bytes as a file, then each
//! record's checks, export and re-import, and a write-and-read-back in the same format (see
//! `greenline_fuzz::check_import` for the properties).
#![no_main]

use greenline::records::RecordFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The reader catches the Parquet decoder's panics on malformed files (see
    // `greenline::parquet_in`); libFuzzer's panic hook would abort before it could. A panic
    // that escapes the reader still ends the run as a crash.
    static PANICS_UNWIND: std::sync::Once = std::sync::Once::new();
    PANICS_UNWIND.call_once(|| std::panic::set_hook(Box::new(|info| eprintln!("{info}"))));
    greenline_fuzz::check_import(RecordFormat::Parquet, data);
});
