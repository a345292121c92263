//! `greenline disclosure annual-report --year Y --unit U`: the annual report's tables of an
//! agency's disclosure requests, as CSV, HTML or Word.

use std::io::Write;

use anyhow::Context;
use greenline_app::App;
use greenline_report::{Format, render_document};

use crate::cli::DisclosureCommand;

pub async fn run(app: &App, command: DisclosureCommand) -> anyhow::Result<()> {
    let DisclosureCommand::AnnualReport(args) = command;
    let report = app
        .disclosure_annual_report_locally(&args.unit, args.year)
        .await
        .map_err(super::message)?;
    let bytes = match args.format.trim() {
        "csv" => report.report.to_csv().into_bytes(),
        "html" => render_document(&report.to_document(), Format::Html)?,
        "docx" => render_document(&report.to_document(), Format::Docx)?,
        other => anyhow::bail!("--format: csv, html or docx, not {other:?}"),
    };
    let out = match (&args.out, args.format.trim()) {
        (Some(path), _) => Some(path.clone()),
        (None, "docx") => {
            Some(format!("annual-report-{}-{}.docx", args.year, report.unit_id).into())
        }
        (None, _) => None,
    };
    match out {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(())
}
