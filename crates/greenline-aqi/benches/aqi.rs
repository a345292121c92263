//! AQI throughput on one thread: readings per second through `compute`, and separately lines
//! per second through the JSON Lines path (parse, index, serialise).
//!
//! `cargo bench -p greenline-aqi --bench aqi` — fixed seed; seven measured runs after a
//! warm-up; prints each run and the medians. Target: ≥ 10 million readings per second per core.
//! Settings through the environment: `AQI_READINGS` (per run, default 2000000), `AQI_LINES`
//! (default 200000).

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use greenline_aqi::jsonl::{Defaults, annotate_line};
use greenline_aqi::{Column, Period, Readings, Standard, compute};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SEED: u64 = 20_260_301;
const RUNS: usize = 7;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Plausible station readings: mostly clean air, a tail of polluted days, now and then a
/// missing column; half daily, half hourly.
fn readings(count: usize, rng: &mut StdRng) -> Vec<(Period, Readings)> {
    (0..count)
        .map(|_| {
            let period = if rng.random_bool(0.5) {
                Period::Daily
            } else {
                Period::Hourly
            };
            let heavy = rng.random_bool(0.05);
            let scale = if heavy { 6.0 } else { 1.0 };
            let mut r = Readings::new();
            let put = |r: &mut Readings, column: Column, max: f64, rng: &mut StdRng| {
                if !rng.random_bool(0.03) {
                    r.set(
                        column,
                        (rng.random::<f64>() * max * scale * 10.0).round() / 10.0,
                    );
                }
            };
            put(&mut r, Column::Pm25H24, 80.0, rng);
            put(&mut r, Column::Pm10H24, 120.0, rng);
            put(&mut r, Column::O3H1, 160.0, rng);
            put(&mut r, Column::O3H8, 130.0, rng);
            match period {
                Period::Daily => {
                    put(&mut r, Column::So2H24, 30.0, rng);
                    put(&mut r, Column::No2H24, 60.0, rng);
                    put(&mut r, Column::CoH24, 1.5, rng);
                }
                Period::Hourly => {
                    put(&mut r, Column::So2H1, 60.0, rng);
                    put(&mut r, Column::So2H24, 30.0, rng);
                    put(&mut r, Column::No2H1, 120.0, rng);
                    put(&mut r, Column::CoH1, 2.5, rng);
                }
            }
            // Never all missing.
            r.set(Column::Pm25H24, r.get(Column::Pm25H24).unwrap_or(10.0));
            (period, r)
        })
        .collect()
}

fn line(period: Period, readings: &Readings, date: &str) -> String {
    let mut map = serde_json::Map::new();
    map.insert("station".into(), "1001A".into());
    map.insert("date".into(), date.into());
    map.insert("period".into(), period.key().into());
    for column in Column::ALL {
        if let Some(value) = readings.get(column) {
            map.insert(column.key().into(), value.into());
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// This thread's time on a CPU so far (Linux), to tell the engine's speed from time spent
/// waiting for a core on a shared machine.
fn cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs `pass` once to warm up, then `RUNS` times; prints each run's rate in items per second
/// by the wall clock and by CPU time, and returns the medians.
fn measure(
    label: &str,
    items: usize,
    unit: f64,
    unit_name: &str,
    pass: impl Fn(),
) -> (f64, Option<f64>) {
    pass();
    let (mut wall, mut cpu) = (Vec::new(), Vec::new());
    for run in 1..=RUNS {
        let (started, cpu_started) = (Instant::now(), cpu_time());
        pass();
        let elapsed = started.elapsed().as_secs_f64();
        let rate = items as f64 / elapsed;
        let cpu_rate = cpu_started
            .zip(cpu_time())
            .map(|(a, b)| items as f64 / (b - a).as_secs_f64());
        match cpu_rate {
            Some(cpu_rate) => println!(
                "{label} run {run}: {:.2} {unit_name}/s (wall), {:.2} {unit_name}/s (CPU time)",
                rate / unit,
                cpu_rate / unit
            ),
            None => println!("{label} run {run}: {:.2} {unit_name}/s", rate / unit),
        }
        wall.push(rate);
        cpu.extend(cpu_rate);
    }
    let cpu = (cpu.len() == RUNS).then(|| median(cpu));
    (median(wall), cpu)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let count = env_usize("AQI_READINGS", 2_000_000);
    let lines = env_usize("AQI_LINES", 200_000);
    let mut rng = StdRng::seed_from_u64(SEED);
    let data = readings(count, &mut rng);
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date");
    let table = Standard::in_force_on(day).table_on(day);
    greenline_aqi::load();

    let (compute_wall, compute_cpu) = measure("compute", count, 1e6, "million readings", || {
        let mut sum = 0u64;
        for (period, r) in &data {
            let report = compute(table, *period, black_box(r)).expect("valid readings");
            sum += u64::from(report.aqi.value().unwrap_or(501))
                + report.primary_pollutants.len() as u64;
        }
        black_box(sum);
    });

    let text: Vec<String> = data[..lines.min(count)]
        .iter()
        .enumerate()
        .map(|(i, (period, r))| {
            line(
                *period,
                r,
                if i % 2 == 0 {
                    "2025-06-01"
                } else {
                    "2026-06-01"
                },
            )
        })
        .collect();
    let defaults = Defaults {
        today: day,
        period: None,
        standard: None,
    };
    let (lines_wall, lines_cpu) = measure("jsonl", text.len(), 1e3, "thousand lines", || {
        let mut bytes = 0usize;
        for line in &text {
            bytes += annotate_line(black_box(line), &defaults)
                .expect("a valid line")
                .len();
        }
        black_box(bytes);
    });
    let cpu =
        |rate: Option<f64>, unit: f64| rate.map_or("n/a".into(), |r| format!("{:.2}", r / unit));
    println!(
        "median compute: {:.2} million readings/s wall, {} by CPU time",
        compute_wall / 1e6,
        cpu(compute_cpu, 1e6)
    );
    println!(
        "median JSON Lines: {:.1} thousand lines/s wall, {} by CPU time",
        lines_wall / 1e3,
        cpu(lines_cpu, 1e3)
    );
    println!(
        "(single thread, seed {SEED}, {count} readings, {} lines)",
        text.len()
    );
}
