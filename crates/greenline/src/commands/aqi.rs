//! `greenline aqi`: the air quality index of one reading, or of JSON Lines in batch.
//!
//! One reading: `greenline aqi --standard 2012 --daily pm25_24h=80 pm10_24h=120`. Keys are the
//! table's columns (`so2_24h, so2_1h, no2_24h, no2_1h, pm10_24h, pm25_24h, co_24h, co_1h,
//! o3_1h, o3_8h`), or a pollutant's short name (`so2, no2, pm10, pm25, co`) standing for the one
//! column of that pollutant the report uses: `so2=…` is `so2_1h` in an hourly report and
//! `so2_24h` in a daily one, `pm25=…` is `pm25_24h` in both (there is no 1-hour PM column).
//! `o3` is ambiguous (1-hour and 8-hour values both count): name `o3_1h` or `o3_8h`.
//!
//! Batch (`--batch`): JSON Lines on standard input, each line with its index added on standard
//! output (see `greenline_aqi::jsonl`); a bad line is reported on standard error with its line
//! number and field, the other lines go on, and the command fails at the end if any line did.

use std::io::{BufRead, BufWriter, Write};

use anyhow::{Context, bail};
use chrono::{FixedOffset, NaiveDate, Utc};
use clap::Args;
use greenline_aqi::jsonl::{Defaults, annotate_line};
use greenline_aqi::{
    Column, ColumnSet, Iaqi, Period, Readings, Report, Standard, compute, pollutant_name,
    us_epa_pm25,
};

#[derive(Debug, Args)]
pub struct AqiArgs {
    /// Concentrations, KEY=VALUE in µg/m³ (CO in mg/m³): a column (pm25_24h=80, o3_8h=150) or
    /// a pollutant's short name (pm25=80, so2=20) for its one column in the report.
    #[arg(value_name = "KEY=VALUE", required_unless_present = "batch")]
    pub readings: Vec<String>,
    /// Version of HJ 633: 2012 or 2026 (default: the one in force on --date, or today in China).
    #[arg(long, value_parser = ["2012", "2026"])]
    pub standard: Option<String>,
    /// A daily report (日报): 24-hour means, O₃'s daily largest 1-hour and 8-hour values.
    #[arg(long, conflicts_with = "hourly")]
    pub daily: bool,
    /// A real-time report (实时报): 1-hour values and O₃'s running 8-hour mean.
    #[arg(long)]
    pub hourly: bool,
    /// The readings' day, YYYY-MM-DD: chooses the version in force (default: today in China).
    /// In batch, for lines without their own `date`.
    #[arg(long, value_name = "DATE")]
    pub date: Option<NaiveDate>,
    /// Print the result as JSON (the fields batch adds).
    #[arg(long)]
    pub json: bool,
    /// Also give PM2.5's index on the US EPA 2024 scale, for comparison.
    #[arg(long)]
    pub us_epa: bool,
    /// JSON Lines on standard input to standard output; --standard, --daily/--hourly and --date
    /// are defaults for lines that do not say.
    #[arg(long, conflicts_with_all = ["readings", "json", "us_epa"])]
    pub batch: bool,
}

/// Today in China Standard Time, whose calendar the monitoring data follow.
fn today_in_china() -> NaiveDate {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("+08:00"));
    Utc::now().with_timezone(&offset).date_naive()
}

pub fn run(args: &AqiArgs) -> anyhow::Result<()> {
    let period = match (args.daily, args.hourly) {
        (true, _) => Some(Period::Daily),
        (_, true) => Some(Period::Hourly),
        _ => None,
    };
    let standard = args.standard.as_deref().and_then(Standard::from_code);
    let day = args.date.unwrap_or_else(today_in_china);
    if args.batch {
        return batch(&Defaults {
            today: day,
            period,
            standard,
        });
    }
    let Some(period) = period else {
        bail!("say which report: --daily (24-hour means) or --hourly (real-time)");
    };
    let readings = parse_readings(&args.readings, period)?;
    let standard = standard.unwrap_or_else(|| Standard::in_force_on(day));
    let report = compute(standard.table_on(day), period, &readings)?;
    if args.json {
        let mut line = serde_json::Map::new();
        for column in Column::ALL {
            if let Some(value) = readings.get(column) {
                // Whole numbers as integers, as they were most likely typed.
                let number = if value.fract() == 0.0 && value.abs() < 1e15 {
                    serde_json::Value::from(value as i64)
                } else {
                    serde_json::Value::from(value)
                };
                line.insert(column.key().into(), number);
            }
        }
        line.insert("standard".into(), standard.code().into());
        line.insert("period".into(), period.key().into());
        line.insert("date".into(), day.to_string().into());
        let mut out = greenline_aqi::jsonl::annotate(
            line,
            &Defaults {
                today: day,
                period: Some(period),
                standard: Some(standard),
            },
        )?;
        if args.us_epa
            && let Some(value) = readings.get(Column::Pm25H24)
        {
            out.insert("us_epa_pm25_aqi".into(), iaqi_json(us_epa_pm25(value)?));
        }
        println!("{}", serde_json::Value::Object(out));
    } else {
        println!("{}", describe(&report));
        if args.us_epa
            && let Some(value) = readings.get(Column::Pm25H24)
        {
            println!("美国EPA（2024）PM2.5空气质量指数：{}", us_epa_pm25(value)?);
        }
    }
    Ok(())
}

fn iaqi_json(iaqi: Iaqi) -> serde_json::Value {
    match iaqi {
        Iaqi::Value(value) => value.into(),
        Iaqi::BeyondScale => iaqi.to_string().into(),
    }
}

/// KEY=VALUE arguments as readings for a kind of report.
fn parse_readings(arguments: &[String], period: Period) -> anyhow::Result<Readings> {
    let mut readings = Readings::new();
    for argument in arguments {
        let Some((key, value)) = argument.split_once('=') else {
            bail!("{argument:?}: expected KEY=VALUE, e.g. pm25_24h=80");
        };
        let column = Column::from_key(key)
            .or_else(|| period.column_for(key))
            .with_context(|| {
                format!(
                    "{key}: not a column ({}) nor a pollutant with one column in a {period} report ({})",
                    Column::ALL.map(Column::key).join(", "),
                    ["so2", "no2", "pm10", "pm25", "co"].join(", ")
                )
            })?;
        if readings.get(column).is_some() {
            bail!("{key}: {column} is given twice");
        }
        let value: f64 = value
            .trim()
            .parse()
            .with_context(|| format!("{key}: expected a number, got {value:?}"))?;
        readings.set(column, value);
    }
    Ok(readings)
}

fn names(columns: ColumnSet) -> String {
    columns
        .iter()
        .map(|column| format!("{}（{column}）", pollutant_name(column)))
        .collect::<Vec<_>>()
        .join("、")
}

/// One readable line: the index, level, category, colour, pollutants, sub-indices, version.
fn describe(report: &Report) -> String {
    let level = report.level;
    let mut text = format!(
        "空气质量指数 {}，{}（{}，{}）",
        report.aqi, level.name_zh, level.category_zh, level.colour_zh
    );
    if report.aqi.is_beyond_scale() {
        text.push_str("，超出指数上限");
    }
    if !report.primary_pollutants.is_empty() {
        text.push_str(&format!(
            "；首要污染物：{}",
            names(report.primary_pollutants)
        ));
    }
    if !report.exceeding_pollutants.is_empty() {
        text.push_str(&format!(
            "；超标污染物：{}",
            names(report.exceeding_pollutants)
        ));
    }
    let sub: Vec<String> = report
        .iaqis()
        .map(|(column, iaqi)| format!("{column} {iaqi}"))
        .collect();
    let kind = match report.period {
        Period::Hourly => "实时报",
        Period::Daily => "日报",
    };
    text.push_str(&format!(
        "；分指数：{}（{}，{kind}）",
        sub.join("，"),
        report.standard().name()
    ));
    text
}

fn batch(defaults: &Defaults) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let (mut lines, mut failed) = (0u64, 0u64);
    for (number, line) in stdin.lines().enumerate() {
        let number = number + 1;
        let line = line.with_context(|| format!("reading standard input, line {number}"))?;
        if line.trim().is_empty() {
            continue;
        }
        lines += 1;
        match annotate_line(&line, defaults) {
            Ok(annotated) => writeln!(out, "{annotated}")?,
            Err(error) => {
                failed += 1;
                eprintln!("line {number}: {error}");
            }
        }
    }
    out.flush()?;
    if failed > 0 {
        bail!("{failed} of {lines} lines failed; the others were written");
    }
    Ok(())
}
