//! Same-source detection against the hand-labelled pairs of `data/text/dev/same_source.jsonl`:
//! precision, recall and F1 of the `tune` part, the `held_out` part, or both, with every
//! mistake and its evidence. Exits non-zero when F1 is below 0.85.
//!
//! `cargo run -p greenline-text --example same_source -- [tune|held_out|all]`

use greenline_text::source::{THRESHOLD, score_texts};

const DEV: &str = include_str!("../data/text/dev/same_source.jsonl");

#[derive(serde::Deserialize)]
struct Pair {
    a: String,
    b: String,
    same_source: bool,
    group: String,
    part: String,
}

fn main() -> std::process::ExitCode {
    let part = std::env::args().nth(1).unwrap_or_else(|| "tune".to_owned());
    let mut pairs = Vec::new();
    for (i, line) in DEV.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        match serde_json::from_str::<Pair>(line) {
            Ok(pair) => pairs.push(pair),
            Err(e) => {
                eprintln!("dev line {}: {e}", i + 1);
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let mut ok = true;
    for name in ["tune", "held_out"] {
        if part != name && part != "all" {
            continue;
        }
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        let set: Vec<&Pair> = pairs.iter().filter(|p| p.part == name).collect();
        for pair in &set {
            let m = score_texts(&pair.a, &pair.b);
            match (m.same, pair.same_source) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => {}
            }
            if m.same != pair.same_source {
                println!(
                    "{} [{}] score {:.2}\n  a: {}\n  b: {}",
                    if m.same { "false match" } else { "missed" },
                    pair.group,
                    m.score,
                    pair.a,
                    pair.b
                );
                for e in &m.evidence {
                    println!("    {:+.1} {}", e.weight, e.label);
                }
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        let f1 = 2.0 * precision * recall / (precision + recall).max(f64::EPSILON);
        println!(
            "{name}: {} pairs ({} same); precision {:.3}, recall {:.3}, F1 {:.3} at threshold {THRESHOLD}",
            set.len(),
            set.iter().filter(|p| p.same_source).count(),
            precision,
            recall,
            f1
        );
        ok &= f1 >= 0.85;
    }
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
