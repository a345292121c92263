//! `greenline report`: the decision bulletin (决策参考) of a month, quarter or year, as
//! self-contained HTML, Word or Markdown.

use anyhow::Context;
use greenline_domain::{DeadlineTable, RegionCode};
use greenline_report::{Bulletin, Format, Period, render};
use greenline_store::Store;

use crate::cli::ReportArgs;

pub async fn run(
    args: &ReportArgs,
    store: Option<&Store>,
    deadlines: &DeadlineTable,
) -> anyhow::Result<()> {
    let period = Period::parse(&args.period).context("--period")?;
    let scope = match &args.region {
        Some(code) => RegionCode::parse(code).context("--region")?,
        None => RegionCode::NATIONAL,
    };
    let format = Format::parse(&args.format)
        .with_context(|| format!("--format: expected html, docx or md, got {:?}", args.format))?;
    let index = super::stats::index(args.input.as_deref(), store, deadlines, None).await?;
    let bulletin = Bulletin::build(&index, period, scope, chrono::Utc::now())?;
    let body = render(&bulletin, format)?;
    let out = args.out.clone().unwrap_or_else(|| {
        std::path::PathBuf::from(format!(
            "report-{}-{}.{}",
            args.period,
            scope,
            format.extension()
        ))
    });
    std::fs::write(&out, body).with_context(|| format!("writing {}", out.display()))?;
    println!("{}", out.display());
    Ok(())
}
