//! The analytics engine at national scale: build time, memory per case, and the four queries of
//! issue 4 (count by type × province × month; by city × type × channel × month; one month's type
//! shares; the national monthly series), plus a monthly bulletin's worth of queries and spike
//! detection on the simulator's injected events.
//!
//! `cargo bench -p greenline-stats --bench engine` — fixed seed; each query is run seven times
//! and the median printed. Settings through the environment: `GREENLINE_BENCH_CASES` (default
//! 1000000; 10000000 works and takes some minutes to simulate), `GREENLINE_BENCH_CSV` (a path:
//! write the facts the four queries use, for `bench/stats_duckdb.py`).

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};
use greenline_domain::{DeadlineTable, RegionCode, RegionLevel};
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_stats::spikes::SpikeRule;
use greenline_stats::{CaseFacts, Dimension, Filter, Index, Measure, Query, TimeBucket};

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

/// Runs `f` RUNS times; returns the median time and the last answer.
fn timed<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let answer = f();
        times.push(started.elapsed());
        last = Some(answer);
    }
    (
        median(times),
        last.unwrap_or_else(|| unreachable!("RUNS > 0")),
    )
}

struct Csv {
    out: std::io::BufWriter<std::fs::File>,
}

impl Csv {
    fn create(path: &str) -> std::io::Result<Csv> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
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

fn main() {
    let cases = env_usize("GREENLINE_BENCH_CASES", 1_000_000);
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default();
    // Winter months are quieter than the average: give the calendar room, `cases` stops it.
    let days = (cases as f64 / NATIONAL_PER_DAY * 1.3).ceil() as u32 + 30;
    let mut csv = std::env::var("GREENLINE_BENCH_CSV")
        .ok()
        .map(|path| Csv::create(&path).unwrap_or_else(|e| panic!("cannot write {path}: {e}")));

    println!("simulating {cases} national cases from {start} (seed {SEED}) …");
    let started = Instant::now();
    let simulator = Simulator::new(SimConfig {
        seed: SEED,
        start,
        days,
        cases: Some(cases as u64),
        scale: Scale::National,
        inject_events: true,
    })
    .unwrap_or_else(|e| panic!("simulator: {e}"));
    let events = simulator.events().to_vec();
    let limits = DeadlineTable::statutory();
    let mut seen = std::collections::HashSet::new();
    let mut facts: Vec<(i64, CaseFacts)> = Vec::with_capacity(cases);
    let mut last_day = start;
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
        last_day = last_day.max(f.received_on());
        facts.push((case.id, f));
    }
    if let Some(mut csv) = csv {
        csv.out
            .flush()
            .unwrap_or_else(|e| panic!("writing the CSV: {e}"));
    }
    drop(seen);
    println!(
        "simulated and converted {} cases to {last_day} in {:.1} s",
        facts.len(),
        started.elapsed().as_secs_f64()
    );

    let mut builds = Vec::new();
    let mut index = Index::new();
    for _ in 0..3 {
        drop(index);
        let started = Instant::now();
        index = Index::build(facts.iter().copied());
        builds.push(started.elapsed());
    }
    drop(facts);
    let bytes = index.memory_bytes();
    println!(
        "build: median {:.0} ms for {} cases; index {:.1} MiB, {:.1} bytes/case",
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
    println!("queries (median of {RUNS} runs):");
    for (name, query) in &queries {
        let (time, result) = timed(|| index.query(query).unwrap_or_else(|e| panic!("{name}: {e}")));
        let sum: u64 = result.rows().map(|r| r.count()).sum();
        println!(
            "  {name:<40} {:>9.2} ms  {} rows, counts sum to {sum}",
            ms(time),
            result.len()
        );
    }
    println!("  (one month = {month_start}; type shares: …)");
    let shares = index
        .query(&queries[2].1)
        .unwrap_or_else(|e| panic!("shares: {e}"));
    for row in shares.rows() {
        println!(
            "      {:<12} {:>7} {:>6.1}%",
            row.key(0).label,
            row.count(),
            row.values()[1].unwrap_or(0.0) * 100.0
        );
    }

    // A monthly bulletin's worth of questions.
    let this_month = national.clone().filter(month.clone());
    let bulletin = [
        national
            .clone()
            .filter(Filter::Received {
                from: month_start
                    .checked_sub_months(chrono::Months::new(13))
                    .unwrap_or(start),
                until: month_end,
            })
            .group_by(Dimension::Time(TimeBucket::Month))
            .measure(Measure::PeriodOnPeriod)
            .measure(Measure::YearOnYear),
        this_month.clone().group_by(Dimension::Status),
        this_month.clone().group_by(Dimension::RejectionReason),
        this_month
            .clone()
            .group_by(Dimension::Channel)
            .measure(Measure::Share { within: Vec::new() }),
        this_month
            .clone()
            .group_by(Dimension::Type)
            .group_by(Dimension::SubType)
            .measure(Measure::Share {
                within: vec![Dimension::Type],
            }),
        this_month
            .clone()
            .group_by(Dimension::Industry)
            .measure(Measure::Share { within: Vec::new() }),
        this_month
            .clone()
            .group_by(Dimension::Region(RegionLevel::Province))
            .group_by(Dimension::Channel),
        this_month
            .clone()
            .group_by(Dimension::Region(RegionLevel::Prefecture)),
        this_month
            .clone()
            .measure(Measure::AcceptanceRate)
            .measure(Measure::AcceptanceDaysMean)
            .measure(Measure::HandlingDaysMean)
            .measure(Measure::HandlingDaysPercentile(90))
            .measure(Measure::OnTimeRate),
        this_month.clone().group_by(Dimension::RepeatSource),
    ];
    let (time, _) = timed(|| {
        bulletin
            .iter()
            .map(|q| {
                index
                    .query(q)
                    .unwrap_or_else(|e| panic!("bulletin: {e}"))
                    .len()
            })
            .sum::<usize>()
    });
    println!(
        "  {:<40} {:>9.2} ms  ({} queries)",
        "a national monthly bulletin",
        ms(time),
        bulletin.len()
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
    let finds = |a: &greenline_stats::spikes::Alert, e: &greenline_sim::InjectedEvent| {
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
}
