//! Same-source lookup at national scale: 1,000,000 earlier simulated cases in a
//! [`SourceIndex`], then 10,000 new cases looked up against them (each lookup reads the new
//! case's features from its text and compares it with the earlier cases of its county).
//!
//! Prints the insert rate, the lookup time (median, p99, max; with and without reading the new
//! text; wall time, and time on the CPU, which a busy machine does not inflate), the index's size, the process's peak memory (VmHWM) and — from the simulator's ground
//! truth, which knows each case's source — how often the best suggestion is right and how many
//! repeat reports with an earlier case in the window are found.
//!
//! Also times the snapshot a restart reads instead of the texts: the cases' compact features
//! written out and read back into a new index, against the time the features took from the texts.
//!
//! `cargo bench -p greenline-text --bench same_source` — fixed seed. Settings through the
//! environment: `GREENLINE_BENCH_CASES` (earlier cases, default 1000000),
//! `GREENLINE_BENCH_LOOKUPS` (default 10000), `GREENLINE_BENCH_SHOW` (print that many wrong
//! suggestions with both texts and the evidence; keeps the earlier texts in memory).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cpu_time::ThreadTime;
use greenline_domain::RegionCode;
use greenline_domain::record::parse_time;
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_text::{SourceFeatures, SourceIndex};

const SEED: u64 = 20_261_128;
/// The simulator's national volume, cases a day on average.
const NATIONAL_PER_DAY: f64 = 600_000.0 / 365.0;
const WINDOW_DAYS: i64 = 180;
const LIMIT: usize = 5;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A line of /proc/self/status in MiB (VmHWM, VmRSS).
fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let earlier = env_usize("GREENLINE_BENCH_CASES", 1_000_000);
    let lookups = env_usize("GREENLINE_BENCH_LOOKUPS", 10_000);
    let mut show = env_usize("GREENLINE_BENCH_SHOW", 0);
    let mut texts: Vec<String> = Vec::new();
    let total = earlier + lookups;
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default();
    let days = (total as f64 / NATIONAL_PER_DAY * 1.3).ceil() as u32 + 30;
    println!("simulating {total} national cases from {start} (seed {SEED}) …");
    let simulator = Simulator::new(SimConfig {
        seed: SEED,
        start,
        days,
        cases: Some(total as u64),
        scale: Scale::National,
        inject_events: false,
    })
    .unwrap_or_else(|e| panic!("simulator: {e}"));

    let rss_before = status_mib("VmRSS");
    let mut index = SourceIndex::new();
    // Each source's latest case: (received, case id), for the ground truth.
    let mut last_of_source: HashMap<u64, i64> = HashMap::new();
    let mut source_of_case: Vec<u64> = Vec::with_capacity(earlier);
    let mut queries = Vec::with_capacity(lookups);
    let mut insert_time = Duration::ZERO;
    for (record, truth) in simulator {
        let (Ok(region), Some(at)) = (
            RegionCode::parse(&record.region),
            parse_time(&record.received_at),
        ) else {
            continue;
        };
        let at_ms = at.timestamp_millis();
        if source_of_case.len() < earlier {
            let id = source_of_case.len() as i64;
            let started = Instant::now();
            index.insert_text(id, region, at_ms, &record.description);
            insert_time += started.elapsed();
            source_of_case.push(truth.source_id);
            if show > 0 {
                texts.push(record.description.clone());
            }
            last_of_source.insert(truth.source_id, at_ms);
        } else {
            queries.push((region, at_ms, record.description, truth.source_id));
        }
    }
    let stats = index.stats();
    let rss_index = status_mib("VmRSS") - rss_before;
    println!(
        "inserted {} cases in {:.1} s: {:.0} cases/s (features read from each text)",
        stats.cases,
        insert_time.as_secs_f64(),
        stats.cases as f64 / insert_time.as_secs_f64()
    );
    println!(
        "index: {} keys, {} postings, {:.1} MiB of compact features ({:.0} bytes a case); \
         resident memory grew by {:.0} MiB while inserting ({:.0} bytes a case, the ground \
         truth's maps included)",
        stats.keys,
        stats.postings,
        stats.feature_bytes as f64 / 1_048_576.0,
        stats.feature_bytes as f64 / stats.cases as f64,
        rss_index,
        rss_index * 1_048_576.0 / stats.cases as f64
    );

    // A restart's alternative to reading every text again: the cases' compact features
    // written out and read back (as the server's snapshot does), three times, the median.
    let mut written = Vec::new();
    let mut write_times = Vec::new();
    let mut read_times = Vec::new();
    for _ in 0..3 {
        written.clear();
        let started = Instant::now();
        let count = index.write_cases(&mut written).unwrap_or(0);
        write_times.push(started.elapsed());
        let started = Instant::now();
        let mut again = SourceIndex::new();
        if let Err(e) = again.read_cases(&mut written.as_slice(), count, i64::MIN) {
            panic!("reading the written cases back: {e}");
        }
        read_times.push(started.elapsed());
        assert_eq!(again.len(), index.len(), "every case read back");
    }
    write_times.sort();
    read_times.sort();
    println!(
        "snapshot: {:.1} MiB written in {:.2} s, read back into a new index in {:.2} s \
         (medians of 3): {:.3} of the time the features took from the texts",
        written.len() as f64 / 1_048_576.0,
        write_times[1].as_secs_f64(),
        read_times[1].as_secs_f64(),
        read_times[1].as_secs_f64() / insert_time.as_secs_f64()
    );

    let mut with_text = Vec::with_capacity(queries.len());
    let mut index_only = Vec::with_capacity(queries.len());
    let mut on_cpu = Vec::with_capacity(queries.len());
    let (mut suggested, mut right, mut repeats, mut found) = (0usize, 0usize, 0usize, 0usize);
    for (region, at_ms, text, source) in &queries {
        let cpu_started = ThreadTime::now();
        let started = Instant::now();
        let features = SourceFeatures::extract(text);
        let read = started.elapsed();
        let lookup_started = Instant::now();
        let candidates = index.candidates(RegionCode::NATIONAL, *region, *at_ms, &features, LIMIT);
        let lookup = lookup_started.elapsed();
        on_cpu.push(cpu_started.elapsed());
        with_text.push(read + lookup);
        index_only.push(lookup);
        let best = candidates.first().filter(|c| c.matched.same);
        if let Some(best) = best {
            suggested += 1;
            if source_of_case.get(best.case_id as usize) == Some(source) {
                right += 1;
            } else if show > 0 {
                show -= 1;
                println!(
                    "wrong ({:.2}):\n  new:     {text}\n  earlier: {}",
                    best.matched.score,
                    texts.get(best.case_id as usize).map_or("", String::as_str)
                );
                for e in &best.matched.evidence {
                    println!("    {:+.1} {}", e.weight, e.label);
                }
            }
        }
        let repeat = last_of_source
            .get(source)
            .is_some_and(|last| *last >= at_ms - WINDOW_DAYS * 86_400_000);
        if repeat {
            repeats += 1;
            if candidates
                .iter()
                .filter(|c| c.matched.same)
                .any(|c| source_of_case.get(c.case_id as usize) == Some(source))
            {
                found += 1;
            }
        }
    }
    with_text.sort();
    index_only.sort();
    on_cpu.sort();
    println!(
        "{} lookups (limit {LIMIT}): with reading the text p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms; \
         index only p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        with_text.len(),
        ms(percentile(&with_text, 0.5)),
        ms(percentile(&with_text, 0.99)),
        ms(percentile(&with_text, 1.0)),
        ms(percentile(&index_only, 0.5)),
        ms(percentile(&index_only, 0.99)),
        ms(percentile(&index_only, 1.0)),
    );
    println!(
        "the same lookups on the CPU (with reading the text, waits for a CPU left out): p50 {:.3} ms, \
         p99 {:.3} ms, max {:.3} ms",
        ms(percentile(&on_cpu, 0.5)),
        ms(percentile(&on_cpu, 0.99)),
        ms(percentile(&on_cpu, 1.0)),
    );
    println!(
        "ground truth: {suggested} suggestions, {right} of the right source (precision {:.3}); \
         {repeats} new cases repeat a source with an earlier case in the window, {found} found \
         (recall {:.3})",
        right as f64 / suggested.max(1) as f64,
        found as f64 / repeats.max(1) as f64
    );
    println!("peak memory (VmHWM): {:.0} MiB", status_mib("VmHWM"));
}
