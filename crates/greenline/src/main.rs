//! # greenline
//!
//! The `greenline` command: runs the platform (`serve`), prepares its database (`migrate`) and
//! manages offices and staff accounts (`unit`, `user`). Settings come from defaults, then a
//! TOML file (`--config`, or `./greenline.toml` if present), then `GREENLINE_…` environment
//! variables, then the command line.
#![forbid(unsafe_code)]

mod analytics;
mod cli;
mod commands;
mod config;
mod progress;

// The record files' readers and writers live in the library part (`lib.rs`).
use greenline::records;

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("GREENLINE_LOG")
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        cli::LogFormat::Text => logs.init(),
        // Each event with the fields of its spans (a request's id, method and route) flattened
        // in, one JSON object per line.
        cli::LogFormat::Json => logs
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    match commands::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("greenline: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
