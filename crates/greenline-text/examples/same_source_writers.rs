//! The same-source scorer measured across writers: fitted on the first set and one writer's
//! pairs (every part but a sealed `test`), measured on the other writer's, both ways. A fairer
//! development figure than the small `dev` part, since no pair of the measured writer is fitted.
//!
//! `cargo run --release -p greenline-text --example same_source_writers -- [KIND]` (with a
//! kind of pair, its mistakes and their evidence too)

use greenline_text::source::{
    LabelledPair, SourceFeatures, example, measure, read_pairs, score_by, train,
};

const PAIRS: &str = include_str!("../data/text/pairs/same_source.jsonl");
const FIRST: &str = include_str!("../data/text/dev/same_source.jsonl");

fn main() -> std::process::ExitCode {
    let (Ok(pairs), Ok(first)) = (read_pairs(PAIRS), read_pairs(FIRST)) else {
        eprintln!("the pair files do not read");
        return std::process::ExitCode::FAILURE;
    };
    let writer = |p: &LabelledPair| p.id.split('-').next().unwrap_or("").to_owned();
    let mut f1s = Vec::new();
    for (fit_on, measured) in [("w1", "w2"), ("w2", "w1")] {
        let fitted: Vec<&LabelledPair> = first
            .iter()
            .chain(
                pairs
                    .iter()
                    .filter(|p| writer(p) == fit_on && p.part != "test"),
            )
            .collect();
        let held: Vec<&LabelledPair> = pairs
            .iter()
            .filter(|p| writer(p) == measured && p.part != "test")
            .collect();
        let examples: Vec<_> = fitted.iter().map(|p| example(p, 1.0)).collect();
        let owned: Vec<LabelledPair> = fitted.iter().map(|p| (*p).clone()).collect();
        let l2: f64 = std::env::var("L2")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1.0);
        let model = match train(&examples, &owned, l2) {
            Ok(model) => model,
            Err(e) => {
                eprintln!("fitting: {e}");
                return std::process::ExitCode::FAILURE;
            }
        };
        if let Some(kind) = std::env::args().nth(1) {
            for pair in held.iter().filter(|p| p.kind == kind) {
                let m = score_by(
                    &SourceFeatures::extract(&pair.a),
                    &SourceFeatures::extract(&pair.b),
                    &model,
                );
                if m.same != pair.same_source {
                    println!(
                        "{} score {:.2}\n  a: {}\n  b: {}",
                        if m.same { "false match" } else { "missed" },
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
        let (all, by_kind) = measure(held.iter().copied(), &model);
        println!(
            "fitted on the first set and {fit_on} ({} pairs), measured on {measured} ({} pairs): \
             precision {:.3}, recall {:.3}, F1 {:.3} at threshold {:.2}",
            fitted.len(),
            all.pairs,
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
        let mut model = model;
        let mut line = String::from("  F1 at other thresholds:");
        for step in [25, 30, 35, 40, 45, 50, 55] {
            model.threshold = f64::from(step) / 100.0;
            let (f, _) = measure(held.iter().copied(), &model);
            line.push_str(&format!(" {:.2}→{:.3}", model.threshold, f.f1()));
        }
        println!("{line}");
    }
    println!(
        "mean F1 across writers {:.3}",
        f1s.iter().sum::<f64>() / 2.0
    );
    std::process::ExitCode::SUCCESS
}
