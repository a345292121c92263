//! Prints what same-source detection reads from each line of standard input: the features as
//! JSON, one line each.
//!
//! `GREENLINE_WORDS=1` also prints jieba's words.
//!
//! `echo 建设路56号的饭店油烟大 | cargo run -p greenline-text --example source_features`

use std::io::BufRead;

use greenline_text::SourceFeatures;

fn main() -> std::process::ExitCode {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else {
            return std::process::ExitCode::FAILURE;
        };
        if std::env::var_os("GREENLINE_WORDS").is_some() {
            println!("{:?}", greenline_text::Tokenizer::shared().segments(&line));
        }
        let features = SourceFeatures::extract(&line);
        match serde_json::to_string(&features) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("{e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
