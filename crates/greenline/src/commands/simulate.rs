//! `greenline simulate`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{Datelike, Months, NaiveDate};
use greenline_domain::RegionCode;
use greenline_sim::{GroundTruth, Scale, SimConfig, Simulator};

use crate::cli::RecordFormat;
use crate::cli::SimulateArgs;
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

pub fn run(args: &SimulateArgs) -> anyhow::Result<()> {
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
    let simulator = Simulator::new(config)?;
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
    let mut count = 0u64;
    let mut last_year = None;
    for (record, ground) in simulator {
        writer.write(&record)?;
        if let Some(truth) = truth.as_mut() {
            write_truth(truth, &ground)?;
        }
        count += 1;
        let year = greenline_domain::record::parse_time(&record.received_at).map(|at| {
            at.with_timezone(&greenline_domain::deadline::china_time())
                .year()
        });
        if args.out.is_some() && last_year != year {
            if let Some(year) = year {
                eprintln!("simulating {year} …");
            }
            last_year = year;
        }
    }
    writer.finish()?;
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

fn write_truth(out: &mut impl Write, truth: &GroundTruth) -> anyhow::Result<()> {
    serde_json::to_writer(&mut *out, truth)?;
    out.write_all(b"\n")?;
    Ok(())
}
