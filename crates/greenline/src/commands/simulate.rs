//! `greenline simulate`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Months, NaiveDate};
use greenline_domain::deadline::china_time;
use greenline_domain::{CaseRecord, DeadlineTable, RegionCode};
use greenline_sim::{GroundTruth, Scale, SimConfig, Simulator};
use greenline_store::{ImportOptions, Store};

use crate::cli::RecordFormat;
use crate::cli::SimulateArgs;
use crate::commands::import::{self, Checker};
use crate::progress::Progress;
use crate::records::{RecordWriter, format_of};

fn scale(text: &str) -> anyhow::Result<Scale> {
    Ok(match text.split_once('=') {
        None if text == "national" => Scale::National,
        Some(("province", code)) => Scale::Province(RegionCode::parse(code)?),
        Some(("city", code)) => Scale::City(RegionCode::parse(code)?),
        _ => bail!("--scale: expected national, province=CODE or city=CODE, got {text:?}"),
    })
}

fn start(text: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d")
        .with_context(|| format!("--start: expected YYYY-MM, got {text:?}"))
}

fn sidecar(out: &Path, suffix: &str) -> PathBuf {
    let mut name = out.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn simulator(args: &SimulateArgs) -> anyhow::Result<Simulator> {
    let first = start(&args.start)?;
    let days = match (args.years, args.cases) {
        (Some(years), _) => {
            let end = first
                .checked_add_months(Months::new(12 * years))
                .context("--years: too far")?;
            (end - first).num_days()
        }
        // Enough days for the cases at any scale; the count stops it.
        (None, Some(_)) => 366 * 50,
        (None, None) => 365,
    };
    let config = SimConfig {
        seed: args.seed,
        start: first,
        days: u32::try_from(days).context("too many days")?,
        cases: args.cases,
        scale: scale(&args.scale)?,
        inject_events: !args.no_events,
    };
    Ok(Simulator::new(config)?)
}

/// Counts simulated cases for a progress bar: cases when a count was asked for, else days.
struct Advance {
    first: NaiveDate,
    by_cases: bool,
    counter: Arc<AtomicU64>,
}

impl Advance {
    fn start(args: &SimulateArgs, simulator: &Simulator) -> (Advance, Progress) {
        let counter = Arc::new(AtomicU64::new(0));
        let config = simulator.config();
        let progress = match args.cases {
            Some(cases) => Progress::steps("simulating", cases, counter.clone(), "cases"),
            None => Progress::steps(
                "simulating",
                u64::from(config.days),
                counter.clone(),
                "days",
            ),
        };
        let advance = Advance {
            first: config.start,
            by_cases: args.cases.is_some(),
            counter,
        };
        (advance, progress)
    }

    fn record(&self, record: &CaseRecord) {
        if self.by_cases {
            self.counter.fetch_add(1, Ordering::Relaxed);
        } else if let Some(at) = greenline_domain::record::parse_time(&record.received_at) {
            let day = (at.with_timezone(&china_time()).date_naive() - self.first).num_days();
            self.counter
                .store(u64::try_from(day).unwrap_or(0), Ordering::Relaxed);
        }
    }
}

pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
    let simulator = simulator(args)?;
    let events = simulator.events().to_vec();
    let (out, mut truth): (Box<dyn Write + Send>, Option<BufWriter<File>>) = match &args.out {
        Some(path) => {
            let file =
                File::create(path).with_context(|| format!("creating {}", path.display()))?;
            let truth_path = sidecar(path, ".truth.jsonl");
            let truth = File::create(&truth_path)
                .with_context(|| format!("creating {}", truth_path.display()))?;
            (Box::new(BufWriter::new(file)), Some(BufWriter::new(truth)))
        }
        None => (Box::new(BufWriter::new(std::io::stdout())), None),
    };
    let format = match &args.out {
        Some(path) => format_of(path, args.format),
        None => args.format.unwrap_or(RecordFormat::Jsonl),
    };
    let mut writer = RecordWriter::new(format, out)?;
    // The bar is drawn on a terminal only, so output to standard output stays clean.
    let (advance, progress) = Advance::start(args, &simulator);
    let mut count = 0u64;
    for (record, ground) in simulator {
        writer.write(&record)?;
        if let Some(truth) = truth.as_mut() {
            write_truth(truth, &ground)?;
        }
        count += 1;
        advance.record(&record);
    }
    writer.finish()?;
    progress.finish();
    if let Some(mut truth) = truth {
        truth.flush()?;
    }
    if let Some(path) = &args.out {
        let events_path = sidecar(path, ".events.json");
        std::fs::write(&events_path, serde_json::to_string_pretty(&events)?)
            .with_context(|| format!("writing {}", events_path.display()))?;
        eprintln!(
            "{count} cases written to {}; injected events in {}",
            path.display(),
            events_path.display()
        );
    }
    Ok(())
}

/// `simulate --to-database`: the simulated cases go through the same checks and transaction as
/// an imported file.
pub async fn run_into(
    store: Store,
    args: &SimulateArgs,
    deadlines: &DeadlineTable,
    options: ImportOptions,
) -> anyhow::Result<()> {
    let simulator = simulator(args)?;
    for event in simulator.events() {
        eprintln!("injected event: {}", serde_json::to_string(event)?);
    }
    let (advance, progress) = Advance::start(args, &simulator);
    let checker = Checker::new(&store, deadlines, false).await?;
    let records = simulator.zip(1u64..).map(move |((record, _), n)| {
        advance.record(&record);
        (n, Ok(record))
    });
    let summary = import::write(
        store,
        records,
        checker,
        Path::new("the simulation"),
        options,
    )
    .await;
    progress.finish();
    let summary = summary?;
    println!(
        "{} simulated cases written to the database ({} already present, skipped)",
        summary.imported, summary.skipped
    );
    Ok(())
}

fn write_truth(out: &mut impl Write, truth: &GroundTruth) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, truth)?;
    out.write_all(b"\n")?;
    Ok(())
}
