//! Classification throughput on one thread: texts a second, for two fixed sets of texts —
//! the hand-labelled complaints (`data/text/dev/`, short and written every which way) and
//! simulated case descriptions (fixed seed, longer) — with the shipped model.
//!
//! `cargo bench -p greenline-text --bench classify` — each set is classified seven times and the
//! median printed, by the wall clock and by the thread's own CPU time (from
//! `/proc/thread-self/schedstat`, Linux; the two agree on an idle machine, and on a shared one the
//! CPU time is the fairer measure of what a core does). `GREENLINE_BENCH_TEXTS` sets how many
//! texts one run classifies (default 50000; the sets are cycled through).

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use greenline_sim::{Scale, SimConfig, Simulator};
use greenline_text::{Classifier, Tokenizer};

const DEVELOPMENT: &str = include_str!("../data/text/dev/complaints.jsonl");
const HOLDOUT: &str = include_str!("../data/text/dev/holdout.jsonl");
const SEED: u64 = 20_261_128;
const SIMULATED: usize = 20_000;
const RUNS: usize = 7;

#[derive(serde::Deserialize)]
struct Labelled {
    text: String,
}

fn hand_labelled() -> Vec<String> {
    DEVELOPMENT
        .lines()
        .chain(HOLDOUT.lines())
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Labelled>(l)
                .unwrap_or_else(|e| panic!("a hand-labelled line: {e}"))
                .text
        })
        .collect()
}

fn simulated() -> Vec<String> {
    let simulator = Simulator::new(SimConfig {
        seed: SEED,
        start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default(),
        days: 60,
        cases: Some(SIMULATED as u64),
        scale: Scale::National,
        inject_events: false,
    })
    .unwrap_or_else(|e| panic!("simulator: {e}"));
    simulator
        .map(|(record, _)| record.description)
        .filter(|d| !d.is_empty())
        .collect()
}

/// Time this thread has spent on a CPU, where Linux tells.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn bench(name: &str, model: &Classifier, texts: &[String], per_run: usize) {
    let tokenizer = Tokenizer::shared();
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let mut wall = Vec::with_capacity(RUNS);
    let mut cpu = Vec::with_capacity(RUNS);
    let mut checksum = 0usize;
    for _ in 0..RUNS {
        let cpu_started = thread_cpu_time();
        let started = Instant::now();
        for text in texts.iter().cycle().take(per_run) {
            let p = model.predict(tokenizer, text);
            checksum = checksum.wrapping_add(p.category.code().len());
        }
        wall.push(started.elapsed());
        if let (Some(from), Some(to)) = (cpu_started, thread_cpu_time()) {
            cpu.push(to.saturating_sub(from));
        }
    }
    let rate = |d: Duration| per_run as f64 / d.as_secs_f64();
    let runs: Vec<String> = wall.iter().map(|t| format!("{:.0}", rate(*t))).collect();
    println!(
        "{name}: {} texts of {:.0} characters on average, {per_run} a run [{checksum}]",
        texts.len(),
        chars as f64 / texts.len() as f64,
    );
    let wall = median(wall);
    println!(
        "  wall clock: median {:.0} texts/s ({:.1} µs a text); runs {}",
        rate(wall),
        wall.as_secs_f64() * 1e6 / per_run as f64,
        runs.join(", ")
    );
    if cpu.len() == RUNS {
        let cpu = median(cpu);
        println!(
            "  thread CPU time: median {:.0} texts/s ({:.1} µs a text)",
            rate(cpu),
            cpu.as_secs_f64() * 1e6 / per_run as f64
        );
    }
}

fn main() {
    let per_run = std::env::var("GREENLINE_BENCH_TEXTS")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(50_000);
    let started = Instant::now();
    let model = Classifier::shipped().unwrap_or_else(|e| panic!("the shipped model: {e}"));
    let tokenizer = Tokenizer::shared();
    let _ = model.predict(tokenizer, "工地夜间施工");
    println!(
        "model and dictionaries loaded in {:.2} s; {} features, {} labels; one thread",
        started.elapsed().as_secs_f64(),
        model.feature_count(),
        model.labels().len()
    );
    bench("hand-labelled complaints", model, &hand_labelled(), per_run);
    bench("simulated descriptions", model, &simulated(), per_run);
}
