//! `greenline air import`: hourly station measurements, all of a file or nothing.
//!
//! Two layouts: Greenline's own CSV, `station,time,pm25,pm10,so2,no2,co,o3` (time
//! `YYYY-MM-DD HH:MM` in China Standard Time or RFC 3339; an empty field or `NA` is a missing
//! value), and the Beijing PM2.5 series shipped in `data/air/` (recognised by its header, or
//! with `--beijing`), loaded as station `beijing-us-embassy` in 北京市 (110100).
//!
//! Lines are parsed on one thread and written on another as they come; the first bad line
//! stops the writing (nothing is committed) while the rest of the file is still checked, so
//! one run reports every problem, each with its line and field.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate};
use greenline_aqi::station::{Hourly, Pollutant};
use greenline_domain::RegionCode;
use greenline_store::{AirImportSummary, AirMessage, AirRow, NewAirStation, Store};
use tokio::sync::mpsc;

use crate::cli::{AirCommand, AirImportArgs};

/// The header of Greenline's layout.
pub const HEADER: [&str; 8] = ["station", "time", "pm25", "pm10", "so2", "no2", "co", "o3"];

/// The station the Beijing series is loaded as.
pub const BEIJING_STATION: &str = "beijing-us-embassy";
const BEIJING_NAME: &str = "北京美国大使馆";
/// 北京市 (the city; the series' monitor is in Chaoyang, but it stands for the city).
pub const BEIJING_REGION: &str = "110100";

/// The Beijing series, as shipped (for `greenline demo`).
pub const BEIJING_SERIES: &[u8] =
    include_bytes!("../../data/air/beijing_pm25_hourly_2010_2014.csv");

/// Rows per message to the writer.
const CHUNK: usize = 8192;
/// How many problems are printed; all are counted.
const SHOWN_PROBLEMS: usize = 1_000;

const HOUR_MS: i64 = 3_600_000;

pub async fn run(store: &Store, command: AirCommand) -> anyhow::Result<()> {
    match command {
        AirCommand::Import(args) => import(store, &args).await,
    }
}

async fn import(store: &Store, args: &AirImportArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut first_line = String::new();
    {
        let file = std::fs::File::open(&args.file)
            .with_context(|| format!("opening {}", args.file.display()))?;
        let mut reader = std::io::BufReader::new(file);
        std::io::BufRead::read_line(&mut reader, &mut first_line)
            .with_context(|| format!("reading {}", args.file.display()))?;
    }
    let summary = if args.beijing || greenline_aqi::beijing::is_beijing_header(&first_line) {
        let file = std::fs::File::open(&args.file)
            .with_context(|| format!("opening {}", args.file.display()))?;
        import_beijing(store, file).await?
    } else {
        let stations = match &args.stations {
            Some(path) => read_stations(path)?,
            None => Vec::new(),
        };
        import_csv(store, &args.file, stations).await?
    };
    println!(
        "imported {} hourly rows ({} already stored, skipped); {} new stations; {:.1} s",
        summary.inserted,
        summary.skipped,
        summary.stations_created,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Imports the Beijing series (its own layout) as station [`BEIJING_STATION`].
pub async fn import_beijing(
    store: &Store,
    reader: impl Read + Send + 'static,
) -> anyhow::Result<AirImportSummary> {
    let hours: Vec<Hourly> =
        tokio::task::spawn_blocking(move || greenline_aqi::beijing::read(reader))
            .await?
            .map_err(|e| anyhow::anyhow!("{e}; nothing was imported"))?;
    let rows: Vec<AirRow> = hours
        .iter()
        .map(|hour| AirRow {
            station: 0,
            hour_ms: hour.hour * HOUR_MS,
            values: hour.values,
        })
        .collect();
    let station = NewAirStation {
        code: BEIJING_STATION.into(),
        name: BEIJING_NAME.into(),
        region_code: BEIJING_REGION.into(),
    };
    let (sender, receiver) = mpsc::channel(2);
    let import = store.import_air(vec![station], vec![BEIJING_STATION.into()], receiver);
    let send = async move {
        for chunk in rows.chunks(CHUNK) {
            if sender.send(AirMessage::Rows(chunk.to_vec())).await.is_err() {
                return;
            }
        }
        let _ = sender.send(AirMessage::Commit).await;
    };
    let (summary, ()) = tokio::join!(import, send);
    Ok(summary?)
}

/// Reads a stations file: `code,name,region`, each line checked.
fn read_stations(path: &Path) -> anyhow::Result<Vec<NewAirStation>> {
    let mut csv =
        csv::Reader::from_path(path).with_context(|| format!("opening {}", path.display()))?;
    let header: Vec<String> = csv.headers()?.iter().map(str::to_owned).collect();
    if header != ["code", "name", "region"] {
        bail!(
            "{}: line 1: expected the header code,name,region, got {}",
            path.display(),
            header.join(",")
        );
    }
    let mut stations = Vec::new();
    let mut problems = Vec::new();
    for (index, record) in csv.records().enumerate() {
        let line = index + 2;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let code = record.get(0).unwrap_or("").trim();
        let name = record.get(1).unwrap_or("").trim();
        let region = record.get(2).unwrap_or("").trim();
        if code.is_empty() {
            problems.push(format!("line {line}, code: empty"));
        }
        if name.is_empty() {
            problems.push(format!("line {line}, name: empty"));
        }
        match RegionCode::parse(region) {
            Ok(region) => stations.push(NewAirStation {
                code: code.to_owned(),
                name: name.to_owned(),
                region_code: region.to_string(),
            }),
            Err(e) => problems.push(format!("line {line}, region: {e}")),
        }
    }
    if !problems.is_empty() {
        for problem in &problems {
            eprintln!("{}: {problem}", path.display());
        }
        bail!(
            "{} problems in {}; nothing was imported",
            problems.len(),
            path.display()
        );
    }
    Ok(stations)
}

/// A time of the layout: `YYYY-MM-DD HH:MM` (China Standard Time) or RFC 3339, at the start of
/// an hour; the hour's start in milliseconds since the epoch.
fn parse_time(text: &str) -> Result<i64, String> {
    let ms = if text.len() == 16 && text.as_bytes()[10] == b' ' {
        let date = NaiveDate::parse_from_str(&text[..10], "%Y-%m-%d")
            .map_err(|_| format!("{text:?} is not a date YYYY-MM-DD HH:MM"))?;
        let (hour, minute) = text[11..]
            .split_once(':')
            .and_then(|(h, m)| Some((h.parse::<i64>().ok()?, m.parse::<i64>().ok()?)))
            .filter(|(h, m)| (0..24).contains(h) && (0..60).contains(m))
            .ok_or_else(|| format!("{text:?} is not a time YYYY-MM-DD HH:MM"))?;
        let hours = greenline_aqi::station::first_hour_of_day(date) + hour;
        hours * HOUR_MS + minute * 60_000
    } else {
        DateTime::parse_from_rfc3339(text)
            .map_err(|_| format!("{text:?} is neither YYYY-MM-DD HH:MM (China time) nor RFC 3339"))?
            .timestamp_millis()
    };
    if ms.rem_euclid(HOUR_MS) != 0 {
        return Err(format!("{text:?} is not the start of an hour"));
    }
    Ok(ms)
}

/// A concentration field: empty or `NA` is missing; otherwise a finite number, not negative.
fn parse_value(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    if text.is_empty() || text == "NA" {
        return Ok(None);
    }
    let value: f64 = text
        .parse()
        .map_err(|_| format!("expected a number, got {text:?}"))?;
    if !value.is_finite() {
        return Err(format!("expected a number, got {text:?}"));
    }
    if value < 0.0 {
        return Err(format!("a concentration cannot be negative, got {text}"));
    }
    Ok(Some(value))
}

async fn import_csv(
    store: &Store,
    path: &Path,
    new_stations: Vec<NewAirStation>,
) -> anyhow::Result<AirImportSummary> {
    let mut codes: Vec<String> = store
        .air_stations()
        .await?
        .into_iter()
        .map(|s| s.code)
        .collect();
    codes.extend(new_stations.iter().map(|s| s.code.clone()));
    codes.sort();
    codes.dedup();
    let index: HashMap<String, u32> = codes
        .iter()
        .enumerate()
        .map(|(i, code)| (code.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let (sender, receiver) = mpsc::channel(4);
    let import = store.import_air(new_stations, codes, receiver);
    let display = path.display().to_string();
    let parse = tokio::task::spawn_blocking(move || parse_csv(file, &display, &index, sender));
    let (summary, problems) = tokio::join!(import, parse);
    let problems = problems??;
    if problems > 0 {
        bail!(
            "{problems} problems in {}; nothing was imported",
            path.display()
        );
    }
    Ok(summary?)
}

/// Parses every line, sending rows while all is well; returns the number of problems (each
/// printed, up to [`SHOWN_PROBLEMS`]). On the first problem the sender is dropped, which rolls
/// the import back.
fn parse_csv(
    file: std::fs::File,
    display: &str,
    index: &HashMap<String, u32>,
    sender: mpsc::Sender<AirMessage>,
) -> anyhow::Result<usize> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .buffer_capacity(1 << 20)
        .from_reader(file);
    let mut record = csv::StringRecord::new();
    let mut problems = 0usize;
    let report = |problems: &mut usize, message: String| {
        if *problems < SHOWN_PROBLEMS {
            eprintln!("{display}: {message}");
        }
        *problems += 1;
    };
    if !csv.read_record(&mut record)? {
        bail!("{display}: the file is empty");
    }
    let header: Vec<&str> = record
        .iter()
        .map(|f| f.trim_start_matches('\u{feff}'))
        .collect();
    if header != HEADER {
        bail!(
            "{display}: line 1: expected the header {}, got {}",
            HEADER.join(","),
            header.join(",")
        );
    }
    let mut sender = Some(sender);
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut line = 1u64;
    let mut last_time: Option<(String, i64)> = None;
    loop {
        match csv.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                line += 1;
                report(&mut problems, format!("line {line}: {e}"));
                sender = None;
                continue;
            }
        }
        line = record.position().map_or(line + 1, |p| p.line());
        match parse_row(&record, index, &mut last_time) {
            Ok(row) if sender.is_some() => {
                chunk.push(row);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if let Some(s) = &sender
                        && s.blocking_send(AirMessage::Rows(full)).is_err()
                    {
                        // The writer failed; its error is reported by the caller.
                        sender = None;
                    }
                }
            }
            Ok(_) => {}
            Err(errors) => {
                for (field, message) in errors {
                    report(&mut problems, format!("line {line}, {field}: {message}"));
                }
                sender = None;
            }
        }
    }
    if let Some(sender) = sender {
        if !chunk.is_empty() {
            let _ = sender.blocking_send(AirMessage::Rows(chunk));
        }
        let _ = sender.blocking_send(AirMessage::Commit);
    }
    Ok(problems)
}

fn parse_row(
    record: &csv::StringRecord,
    index: &HashMap<String, u32>,
    last_time: &mut Option<(String, i64)>,
) -> Result<AirRow, Vec<(&'static str, String)>> {
    let mut errors = Vec::new();
    if record.len() != HEADER.len() {
        return Err(vec![(
            "row",
            format!("expected {} fields, got {}", HEADER.len(), record.len()),
        )]);
    }
    let code = record.get(0).unwrap_or("").trim();
    let station = index.get(code).copied();
    if station.is_none() {
        errors.push((
            "station",
            format!("{code:?} is not a known station; add it with --stations FILE"),
        ));
    }
    let time = record.get(1).unwrap_or("").trim();
    // Files come hour by hour: most rows repeat the time of the row before.
    let hour_ms = match last_time {
        Some((text, ms)) if text == time => Some(*ms),
        _ => match parse_time(time) {
            Ok(ms) => {
                *last_time = Some((time.to_owned(), ms));
                Some(ms)
            }
            Err(message) => {
                errors.push(("time", message));
                None
            }
        },
    };
    let mut values = [None; 6];
    for pollutant in Pollutant::ALL {
        match parse_value(record.get(2 + pollutant.index()).unwrap_or("")) {
            Ok(value) => values[pollutant.index()] = value,
            Err(message) => errors.push((pollutant.key(), message)),
        }
    }
    match (station, hour_ms) {
        (Some(station), Some(hour_ms)) if errors.is_empty() => Ok(AirRow {
            station,
            hour_ms,
            values,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_china_time_or_rfc3339_at_the_start_of_an_hour() {
        assert_eq!(parse_time("2013-01-01 00:00"), Ok(1_356_969_600_000));
        assert_eq!(
            parse_time("2013-01-01T00:00:00+08:00"),
            Ok(1_356_969_600_000)
        );
        assert_eq!(parse_time("2012-12-31T16:00:00Z"), Ok(1_356_969_600_000));
        assert!(parse_time("2013-01-01 00:30").is_err());
        assert!(parse_time("2013-02-30 00:00").is_err());
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn values_are_numbers_not_negative_or_missing() {
        assert_eq!(parse_value(""), Ok(None));
        assert_eq!(parse_value("NA"), Ok(None));
        assert_eq!(parse_value("35.5"), Ok(Some(35.5)));
        assert!(parse_value("-1").is_err());
        assert!(parse_value("abc").is_err());
        assert!(parse_value("inf").is_err());
    }
}
