//! The analytics engine at national scale: build time, memory per case, and the four queries of
//! issue 4 (count by type × province × month; by city × type × channel × month; one month's type
//! shares; the national monthly series), plus a monthly bulletin (`Bulletin::build`) and spike
//! detection on the simulator's injected events.
//!
//! `cargo bench -p greenline-stats --bench engine` — fixed seed; each query is run seven times
//! and the median printed. Settings through the environment:
//! - `GREENLINE_BENCH_CASES`: cases to simulate (default 1000000; 10000000 takes minutes).
//! - `GREENLINE_BENCH_OUT`: a folder to write `facts.csv` (the columns the four queries use, for
//!   `bench/stats_duckdb.py`), `engine-q1.tsv` … `engine-q4.tsv` (every result row: key codes,
//!   count, and the share for q3), `engine.tsv` (query, median ms, rows, sum of counts) and
//!   `month.txt` (the month q3 looks at). `bench/stats_vs_duckdb.sh` runs all of it.
//! - `GREENLINE_BENCH_FACTS`: a file keeping the simulated facts between runs (read when it
//!   exists, written when not), to time the engine again without simulating again. Ignored when
//!   `GREENLINE_BENCH_OUT` is set, as the CSV comes from the cases themselves.
//! - `GREENLINE_BENCH_ALERTS`: when set, every spike alert is listed, marked true or false.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use greenline_domain::{DeadlineTable, RegionCode, RegionLevel};
use greenline_report::{Bulletin, Period};
use greenline_sim::{InjectedEvent, Scale, SimConfig, Simulator};
use greenline_stats::spikes::SpikeRule;
use greenline_stats::{
    CaseFacts, Dimension, Filter, Index, Measure, Query, QueryResult, TimeBucket,
};

const SEED: u64 = 20_261_127;
const RUNS: usize = 7;
/// The simulator's national volume, cases a day on average.
const NATIONAL_PER_DAY: f64 = 600_000.0 / 365.0;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `f` RUNS times; returns the median time by the clock, the median processor time of
/// the whole process (all threads: on a machine shared with other work it shows what the
/// clock hides), and the last answer.
fn timed<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut cpu = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let cpu_started = cpu_time::ProcessTime::now();
        let answer = f();
        times.push(started.elapsed());
        cpu.push(cpu_started.elapsed());
        last = Some(answer);
    }
    (
        median(times),
        median(cpu),
        last.unwrap_or_else(|| unreachable!("RUNS > 0")),
    )
}

/// A line of `/proc/self/status` in MiB (`VmRSS`, `VmHWM`); 0 where there is none.
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn create(path: &Path) -> std::io::BufWriter<std::fs::File> {
    std::io::BufWriter::new(
        std::fs::File::create(path)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display())),
    )
}

struct Csv {
    out: std::io::BufWriter<std::fs::File>,
}

impl Csv {
    fn create(path: &Path) -> std::io::Result<Csv> {
        let mut out = create(path);
        writeln!(out, "id,types,province,city,channel,month")?;
        Ok(Csv { out })
    }

    fn write(&mut self, case: &greenline_domain::Case) -> std::io::Result<()> {
        let types: Vec<&str> = case.types.iter().map(|t| t.code()).collect();
        let province = case
            .region
            .ancestry()
            .find(|c| c.level() == RegionLevel::Province)
            .unwrap_or(case.region);
        // The engine's city rule: a county's prefecture, else the region itself.
        let city = match case.region.level() {
            RegionLevel::County => case
                .region
                .parent()
                .filter(|p| p.level() == RegionLevel::Prefecture)
                .unwrap_or(case.region),
            _ => case.region,
        };
        let day = greenline_domain::deadline::local_date(case.received_at);
        writeln!(
            self.out,
            "{},{},{},{},{},{:04}-{:02}",
            case.id,
            types.join(";"),
            province,
            city,
            case.channel.code(),
            day.year(),
            day.month()
        )
    }
}

/// Simulates `cases` national cases; writes the CSV for DuckDB on the way if asked.
fn simulate(config: SimConfig, csv: Option<&Path>) -> Vec<(i64, CaseFacts)> {
    let cases = config.cases.unwrap_or(0) as usize;
    let mut csv = csv.map(|path| {
        Csv::create(path).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()))
    });
    let simulator = Simulator::new(config).unwrap_or_else(|e| panic!("simulator: {e}"));
    let limits = DeadlineTable::statutory();
    let mut seen = std::collections::HashSet::new();
    let mut facts: Vec<(i64, CaseFacts)> = Vec::with_capacity(cases);
    for (record, truth) in simulator {
        let Ok(imported) = record.to_imported() else {
            continue;
        };
        let mut case = imported.case;
        case.id = facts.len() as i64 + 1;
        let repeat = !seen.insert(truth.source_id);
        if let Some(csv) = &mut csv {
            csv.write(&case)
                .unwrap_or_else(|e| panic!("writing the CSV: {e}"));
        }
        let f = CaseFacts::from_case(&case, repeat, &limits)
            .unwrap_or_else(|e| panic!("facts of case {}: {e}", case.id));
        facts.push((case.id, f));
    }
    if let Some(mut csv) = csv {
        csv.out
            .flush()
            .unwrap_or_else(|e| panic!("writing the CSV: {e}"));
    }
    facts
}

/// Facts kept between runs: the case count, then the id and the facts' bytes per case.
fn read_facts(path: &Path, cases: usize) -> Option<Vec<(i64, CaseFacts)>> {
    let mut input = std::io::BufReader::new(std::fs::File::open(path).ok()?);
    let mut word = [0u8; 8];
    input.read_exact(&mut word).ok()?;
    if u64::from_le_bytes(word) != cases as u64 {
        return None;
    }
    let mut facts = Vec::with_capacity(cases);
    let mut bytes = [0u8; greenline_stats::FACT_BYTES];
    for _ in 0..cases {
        input.read_exact(&mut word).ok()?;
        input.read_exact(&mut bytes).ok()?;
        facts.push((i64::from_le_bytes(word), CaseFacts::from_bytes(&bytes)?));
    }
    input.fill_buf().ok()?.is_empty().then_some(facts)
}

fn write_facts(path: &Path, facts: &[(i64, CaseFacts)]) {
    let mut out = create(path);
    let mut write = |bytes: &[u8]| {
        out.write_all(bytes)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    };
    write(&(facts.len() as u64).to_le_bytes());
    for (id, f) in facts {
        write(&id.to_le_bytes());
        write(&f.to_bytes());
    }
    out.flush()
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Every row of a result as text: key codes, count, and the share when asked.
fn write_rows(path: &Path, result: &QueryResult, share: bool) {
    let mut out = create(path);
    for row in result.rows() {
        let keys: Vec<&str> = row.keys().map(|k| k.code.as_str()).collect();
        let line = if share {
            let value = row.value(&Measure::Share { within: Vec::new() });
            format!(
                "{}\t{}\t{:.9}",
                keys.join("\t"),
                row.count(),
                value.unwrap_or(0.0)
            )
        } else {
            format!("{}\t{}", keys.join("\t"), row.count())
        };
        writeln!(out, "{line}").unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
    out.flush()
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn main() {
    let cases = env_usize("GREENLINE_BENCH_CASES", 1_000_000);
    let out_dir = std::env::var("GREENLINE_BENCH_OUT").ok().map(PathBuf::from);
    let facts_file = std::env::var("GREENLINE_BENCH_FACTS")
        .ok()
        .filter(|_| out_dir.is_none())
        .map(PathBuf::from);
    if let Some(dir) = &out_dir {
        std::fs::create_dir_all(dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    }
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default();
    // Winter months are quieter than the average: give the calendar room, `cases` stops it.
    let days = (cases as f64 / NATIONAL_PER_DAY * 1.3).ceil() as u32 + 30;
    let config = SimConfig {
        seed: SEED,
        start,
        days,
        cases: Some(cases as u64),
        scale: Scale::National,
        inject_events: true,
    };
    let events: Vec<InjectedEvent> = Simulator::new(config.clone())
        .unwrap_or_else(|e| panic!("simulator: {e}"))
        .events()
        .to_vec();

    let started = Instant::now();
    let kept = facts_file.as_deref().and_then(|p| read_facts(p, cases));
    let facts = match kept {
        Some(facts) => {
            println!(
                "read {} cases' facts from {} in {:.1} s",
                facts.len(),
                facts_file
                    .as_deref()
                    .map_or("", |p| p.to_str().unwrap_or("")),
                started.elapsed().as_secs_f64()
            );
            facts
        }
        None => {
            println!("simulating {cases} national cases from {start} (seed {SEED}) …");
            let csv = out_dir.as_ref().map(|d| d.join("facts.csv"));
            let facts = simulate(config, csv.as_deref());
            println!(
                "simulated and converted {} cases in {:.1} s",
                facts.len(),
                started.elapsed().as_secs_f64()
            );
            if let Some(path) = &facts_file {
                write_facts(path, &facts);
            }
            facts
        }
    };
    let last_day = facts
        .iter()
        .map(|(_, f)| f.received_on())
        .max()
        .unwrap_or(start);

    let rss_before = status_mib("VmRSS");
    let mut builds = Vec::new();
    let mut index = Index::new();
    let mut rss_grew = 0.0;
    for round in 0..3 {
        drop(index);
        let started = Instant::now();
        index = Index::build(facts.iter().copied());
        builds.push(started.elapsed());
        if round == 0 {
            rss_grew = status_mib("VmRSS") - rss_before;
        }
    }
    drop(facts);
    let bytes = index.memory_bytes();
    println!(
        "build: median {:.0} ms for {} cases to {last_day}; index {:.1} MiB by its own \
         accounting ({:.1} bytes/case); the process grew by {rss_grew:.1} MiB building it",
        ms(median(builds)),
        index.len(),
        bytes as f64 / (1 << 20) as f64,
        bytes as f64 / index.len() as f64
    );

    let as_of = Utc
        .from_local_datetime(&last_day.and_hms_opt(16, 0, 0).unwrap_or_default())
        .single()
        .unwrap_or_else(Utc::now);
    // The last complete month.
    let month_start = NaiveDate::from_ymd_opt(last_day.year(), last_day.month(), 1)
        .and_then(|d| d.checked_sub_months(chrono::Months::new(1)))
        .unwrap_or(start);
    let month_end = month_start
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(month_start);
    let month = Filter::Received {
        from: month_start,
        until: month_end,
    };
    let national = Query::new(RegionCode::NATIONAL, as_of);
    let queries = [
        (
            "count by type x province x month",
            national
                .clone()
                .group_by(Dimension::Type)
                .group_by(Dimension::Region(RegionLevel::Province))
                .group_by(Dimension::Time(TimeBucket::Month)),
        ),
        (
            "count by city x type x channel x month",
            national
                .clone()
                .group_by(Dimension::Region(RegionLevel::Prefecture))
                .group_by(Dimension::Type)
                .group_by(Dimension::Channel)
                .group_by(Dimension::Time(TimeBucket::Month)),
        ),
        (
            "one month's type shares",
            national
                .clone()
                .filter(month.clone())
                .group_by(Dimension::Type)
                .measure(Measure::Share { within: Vec::new() }),
        ),
        (
            "national monthly series",
            national
                .clone()
                .group_by(Dimension::Time(TimeBucket::Month)),
        ),
    ];
    println!("queries (median of {RUNS} runs; one month = {month_start}):");
    let mut summary = String::new();
    for (q, (name, query)) in queries.iter().enumerate() {
        let (time, cpu, result) =
            timed(|| index.query(query).unwrap_or_else(|e| panic!("{name}: {e}")));
        let sum: u64 = result.rows().map(|r| r.count()).sum();
        println!(
            "  {name:<40} {:>9.2} ms (processor {:>8.2} ms)  {} rows, counts sum to {sum}",
            ms(time),
            ms(cpu),
            result.len()
        );
        summary.push_str(&format!(
            "q{}\t{name}\t{:.3}\t{}\t{sum}\n",
            q + 1,
            ms(time),
            result.len()
        ));
        if let Some(dir) = &out_dir {
            write_rows(&dir.join(format!("engine-q{}.tsv", q + 1)), &result, q == 2);
        }
    }
    if let Some(dir) = &out_dir {
        let write = |name: &str, text: &str| {
            std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("writing {name}: {e}"));
        };
        write("engine.tsv", &summary);
        write("month.txt", &format!("{}\n", month_start.format("%Y-%m")));
    }

    // The monthly bulletin as the server and `greenline report` build it: every query of the
    // bulletin, the trend tests and the month's spike alerts.
    let period = Period::parse(&month_start.format("%Y-%m").to_string())
        .unwrap_or_else(|e| panic!("period: {e}"));
    let (time, cpu, bulletin) = timed(|| {
        Bulletin::build(&index, period, RegionCode::NATIONAL, as_of)
            .unwrap_or_else(|e| panic!("bulletin: {e}"))
    });
    println!(
        "  {:<40} {:>9.2} ms (processor {:>8.2} ms)  ({} received, {} alerts)",
        "national monthly bulletin (Bulletin::build)",
        ms(time),
        ms(cpu),
        bulletin.figures.totals.received,
        bulletin.figures.alerts.len()
    );

    // Spikes over the whole period, against the injected events.
    let started = Instant::now();
    let alerts = index
        .spikes(
            RegionCode::NATIONAL,
            start,
            last_day + Days::new(1),
            &SpikeRule::default(),
        )
        .unwrap_or_else(|e| panic!("spikes: {e}"));
    let elapsed = started.elapsed();
    let finds = |a: &greenline_stats::spikes::Alert, e: &InjectedEvent| {
        a.region == e.region
            && a.pollution_type == e.primary_type
            && a.first_day <= e.last_day
            && e.first_day <= a.last_day
    };
    let events: Vec<_> = events
        .into_iter()
        .filter(|e| e.first_day <= last_day)
        .collect();
    let true_alerts = alerts
        .iter()
        .filter(|a| events.iter().any(|e| finds(a, e)))
        .count();
    let found = events
        .iter()
        .filter(|e| alerts.iter().any(|a| finds(a, e)))
        .count();
    println!(
        "spikes: {:.0} ms; {} injected events in the period, {found} found; {} alerts, {} false; \
         precision {:.2}, recall {:.2}",
        ms(elapsed),
        events.len(),
        alerts.len(),
        alerts.len() - true_alerts,
        if alerts.is_empty() {
            1.0
        } else {
            true_alerts as f64 / alerts.len() as f64
        },
        if events.is_empty() {
            1.0
        } else {
            found as f64 / events.len() as f64
        }
    );
    if std::env::var_os("GREENLINE_BENCH_ALERTS").is_some() {
        for a in &alerts {
            println!(
                "  {} {} {} {}..{} observed {} expected {:.1} score {:.1} {}",
                a.region,
                a.region.full_name(),
                a.pollution_type.code(),
                a.first_day,
                a.last_day,
                a.observed,
                a.expected,
                a.score,
                if events.iter().any(|e| finds(a, e)) {
                    "EVENT"
                } else {
                    "false"
                }
            );
        }
    }
    println!(
        "memory: index {:.1} MiB; process peak (VmHWM) {:.1} MiB, simulator and facts included",
        bytes as f64 / (1 << 20) as f64,
        status_mib("VmHWM")
    );
}
