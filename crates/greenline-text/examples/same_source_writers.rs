//! The same-source scorer measured across writers: for each writer of the hand-written pairs,
//! fitted on the first set and every other writer's pairs (every part but a sealed `test`),
//! measured on that writer's. A fairer development figure than the small `dev` part, since no
//! pair of the measured writer is fitted.
//!
//! `cargo run --release -p greenline-text --example same_source_writers -- [KIND]` (with a
//! kind of pair, or `all`, its mistakes and their evidence too; `L2` sets the penalty; `SIM=N`
//! fits on N simulated index suggestions too, as `greenline text train-same-source --simulated`
//! does, each counting `SIMW` (0.25) of a written pair)

use greenline_domain::RegionCode;
use greenline_text::source::{
    Example, KnownCase, LabelledPair, SourceFeatures, example, fit, index_suggestions, measure,
    read_pairs, score_by, threshold_across_writers, train,
};

const PAIRS: &str = include_str!("../data/text/pairs/same_source.jsonl");
const THIRD: &str = include_str!("../data/text/pairs/w3.jsonl");
const FOURTH: &str = include_str!("../data/text/pairs/w4.jsonl");
const FIFTH: &str = include_str!("../data/text/pairs/w5.jsonl");
const SIXTH: &str = include_str!("../data/text/pairs/w6.jsonl");
const SEVENTH: &str = include_str!("../data/text/pairs/w7.jsonl");
const EIGHTH: &str = include_str!("../data/text/pairs/w8.jsonl");
const NINTH: &str = include_str!("../data/text/pairs/w9.jsonl");
const TENTH: &str = include_str!("../data/text/pairs/w10.jsonl");
const ELEVENTH: &str = include_str!("../data/text/pairs/w11.jsonl");
const TWELFTH: &str = include_str!("../data/text/pairs/w12.jsonl");
const THIRTEENTH: &str = include_str!("../data/text/pairs/w13.jsonl");
const FOURTEENTH: &str = include_str!("../data/text/pairs/w14.jsonl");
const FIFTEENTH: &str = include_str!("../data/text/pairs/w15.jsonl");
const SIXTEENTH: &str = include_str!("../data/text/pairs/w16.jsonl");
const SEVENTEENTH: &str = include_str!("../data/text/pairs/w17.jsonl");
const FIRST: &str = include_str!("../data/text/dev/same_source.jsonl");

fn main() -> std::process::ExitCode {
    let writers_files = [
        PAIRS,
        THIRD,
        FOURTH,
        FIFTH,
        SIXTH,
        SEVENTH,
        EIGHTH,
        NINTH,
        TENTH,
        ELEVENTH,
        TWELFTH,
        THIRTEENTH,
        FOURTEENTH,
        FIFTEENTH,
        SIXTEENTH,
        SEVENTEENTH,
    ];
    let mut pairs = Vec::new();
    for file in writers_files {
        match read_pairs(file) {
            Ok(read) => pairs.extend(read),
            Err(e) => {
                eprintln!("the pair files do not read: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let first = match read_pairs(FIRST) {
        Ok(first) => first,
        Err(e) => {
            eprintln!("the first set does not read: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    pairs.retain(|p| p.part != "test");
    let writer = |p: &LabelledPair| p.id.split('-').next().unwrap_or("").to_owned();
    let mut writers: Vec<String> = pairs.iter().map(writer).collect();
    writers.sort();
    writers.dedup();
    let l2: f64 = std::env::var("L2")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.3);
    // `WEIGHTS=w7=3,w8=3`: how much each named writer's pairs count in fitting (1 otherwise).
    let weights: Vec<(String, f64)> = std::env::var("WEIGHTS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|w| w.split_once('='))
        .filter_map(|(w, k)| Some((w.to_owned(), k.parse().ok()?)))
        .collect();
    let weight_of = |w: &str| {
        weights
            .iter()
            .find(|(named, _)| named == w)
            .map_or(1.0, |(_, k)| *k)
    };
    // `DUMP=file`: write each pair's evidence values (id, kind, label, then one column per kind
    // of evidence) as tab-separated lines, for study with other tools, and stop.
    if let Ok(path) = std::env::var("DUMP") {
        let mut out = String::new();
        for p in first.iter().chain(pairs.iter()) {
            let e = example(p, 1.0);
            let values: Vec<String> = e.values.iter().map(|v| format!("{v}")).collect();
            out.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                p.id,
                p.kind,
                u8::from(p.same_source),
                values.join("\t")
            ));
        }
        return match std::fs::write(&path, out) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    let sim_count: usize = std::env::var("SIM")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let sim_weight: f64 = std::env::var("SIMW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.25);
    let simulated = simulated_suggestions(sim_count, sim_weight);
    let kind = std::env::args().nth(1);
    let mut mistakes = 0;
    let (mut log_loss, mut scored) = (0.0, 0usize);
    let (mut f1s, mut at_030) = (Vec::new(), Vec::new());
    for measured in &writers {
        let fitted: Vec<LabelledPair> = first
            .iter()
            .chain(pairs.iter().filter(|p| writer(p) != *measured))
            .cloned()
            .collect();
        let held: Vec<&LabelledPair> = pairs.iter().filter(|p| writer(p) == *measured).collect();
        let examples: Vec<_> = fitted
            .iter()
            .map(|p| example(p, weight_of(&writer(p))))
            .chain(simulated.iter().cloned())
            .collect();
        // The threshold as the fitted writers, each held out in turn, set it; or, with
        // `THRESHOLD=fitted`, where F1 on the fitted pairs themselves is highest.
        let model = if std::env::var("THRESHOLD").is_ok_and(|v| v == "fitted") {
            train(&examples, &fitted, l2)
        } else {
            let writers: Vec<Option<String>> = first
                .iter()
                .map(|_| None)
                .chain(
                    pairs
                        .iter()
                        .filter(|p| writer(p) != *measured)
                        .map(|p| Some(writer(p))),
                )
                .chain(simulated.iter().map(|_| None))
                .collect();
            fit(&examples, l2).and_then(|mut model| {
                model.threshold = threshold_across_writers(&examples, &writers, l2)?;
                Ok(model)
            })
        };
        let mut model = match model {
            Ok(model) => model,
            Err(e) => {
                eprintln!("fitting: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        if let Some(kind) = &kind {
            for pair in held.iter().filter(|p| kind == "all" || p.kind == *kind) {
                let m = score_by(
                    &SourceFeatures::extract(&pair.a),
                    &SourceFeatures::extract(&pair.b),
                    &model,
                );
                if m.same != pair.same_source {
                    println!(
                        "{} {} [{}] score {:.2}\n  a: {}\n  b: {}",
                        if m.same { "false match" } else { "missed" },
                        pair.id,
                        pair.kind,
                        m.score,
                        pair.a,
                        pair.b
                    );
                    for e in &m.evidence {
                        println!("    {:+.2} {}", e.weight, e.label);
                    }
                }
            }
        }
        // The held-out pairs' log-loss: a steadier yardstick than mistakes at one threshold.
        for pair in &held {
            let score = score_by(
                &SourceFeatures::extract(&pair.a),
                &SourceFeatures::extract(&pair.b),
                &model,
            )
            .score
            .clamp(1e-6, 1.0 - 1e-6);
            log_loss -= if pair.same_source {
                score.ln()
            } else {
                (1.0 - score).ln()
            };
            scored += 1;
        }
        let (all, by_kind) = measure(held.iter().copied(), &model);
        println!(
            "measured on {measured} ({} pairs), fitted on the rest ({} pairs): precision {:.3}, \
             recall {:.3}, F1 {:.3} at threshold {:.2}",
            all.pairs,
            fitted.len(),
            all.precision(),
            all.recall(),
            all.f1(),
            model.threshold
        );
        for (kind, f) in by_kind {
            println!(
                "  {kind:<16} {:>3} pairs  precision {:.3}  recall {:.3}  F1 {:.3}",
                f.pairs,
                f.precision(),
                f.recall(),
                f.f1()
            );
        }
        f1s.push(all.f1());
        mistakes += all.false_positives + all.false_negatives;
        let mut line = String::from("  F1 at other thresholds:");
        for step in [25, 30, 35, 40, 45, 50, 55] {
            model.threshold = f64::from(step) / 100.0;
            let (f, _) = measure(held.iter().copied(), &model);
            line.push_str(&format!(" {:.2}→{:.3}", model.threshold, f.f1()));
            if step == 30 {
                at_030.push(f.f1());
            }
        }
        println!("{line}");
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    println!(
        "mean F1 across writers {:.3} at the fitted thresholds, {:.3} at 0.30; {mistakes} \
         mistakes; log-loss {:.4}",
        mean(&f1s),
        mean(&at_030),
        log_loss / scored.max(1) as f64
    );
    std::process::ExitCode::SUCCESS
}

/// The same-source index's suggestions on a simulated city's cases (seed 2369), each labelled by
/// whether the simulator made both cases from one source, as `train-same-source` makes them.
fn simulated_suggestions(count: usize, weight: f64) -> Vec<Example> {
    use greenline_sim::{Scale, SimConfig, Simulator};
    let (Ok(city), Some(start)) = (
        RegionCode::parse("320100"),
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
    ) else {
        return Vec::new();
    };
    let Ok(simulator) = Simulator::new(SimConfig {
        seed: 2369,
        start,
        days: 3650,
        cases: Some((count * 20) as u64),
        scale: Scale::City(city),
        inject_events: false,
    }) else {
        return Vec::new();
    };
    let cases = simulator.filter_map(|(record, truth)| {
        Some(KnownCase {
            region: RegionCode::parse(&record.region).ok()?,
            received_ms: greenline_domain::record::parse_time(&record.received_at)?
                .timestamp_millis(),
            description: record.description,
            source: truth.source_id,
        })
    });
    index_suggestions(cases, count, weight)
}
