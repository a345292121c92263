//! The same-source scorer on the hand-written pairs of `data/text/pairs/same_source.jsonl`:
//! precision, recall and F1 of one part (`dev` by default; `test` is the sealed part, measured
//! once), in all and per kind of pair, with every mistake and its evidence.
//!
//! `cargo run -p greenline-text --example same_source -- [dev|test|train|spent] [--quiet|--all]`
//!
//! `PAIRS=path/to/w13.jsonl` reads another pair file instead (a writer's file, all its pairs
//! of the part asked for).

use greenline_domain::RegionCode;
use greenline_text::source::{
    PairModel, SourceFeatures, SourceIndex, measure, read_pairs, score_texts,
};

const PAIRS: &str = include_str!("../data/text/pairs/same_source.jsonl");

fn main() -> std::process::ExitCode {
    let part = std::env::args().nth(1).unwrap_or_else(|| "dev".to_owned());
    let quiet = std::env::args().any(|a| a == "--quiet");
    // Every pair, right or wrong, with its label: for counting evidence over a whole file.
    let every = std::env::args().any(|a| a == "--all");
    let other = std::env::var("PAIRS").ok().map(std::fs::read_to_string);
    let text = match other {
        None => PAIRS.to_owned(),
        Some(Ok(text)) => text,
        Some(Err(e)) => {
            eprintln!("PAIRS: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let pairs = match read_pairs(&text) {
        Ok(pairs) => pairs,
        Err(e) => {
            eprintln!("pairs: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let set: Vec<_> = pairs.iter().filter(|p| p.part == part).collect();
    if set.is_empty() {
        eprintln!("no pairs in part {part:?}");
        return std::process::ExitCode::FAILURE;
    }
    if !quiet {
        for pair in &set {
            let m = score_texts(&pair.a, &pair.b);
            if m.same != pair.same_source || every {
                let verdict = match (m.same, pair.same_source) {
                    (true, false) => "false match",
                    (false, true) => "missed",
                    (true, true) => "right same",
                    (false, false) => "right apart",
                };
                println!(
                    "{} {} [{}] score {:.2}\n  a: {}\n  b: {}",
                    verdict, pair.id, pair.kind, m.score, pair.a, pair.b
                );
                for e in &m.evidence {
                    println!("    {:+.2} {}", e.weight, e.label);
                }
            }
        }
    }
    let model = PairModel::shipped();
    let (all, by_kind) = measure(set.iter().copied(), model);
    println!(
        "{part}: {} pairs ({} same); precision {:.3}, recall {:.3}, F1 {:.3} at threshold {:.2}",
        all.pairs,
        all.same,
        all.precision(),
        all.recall(),
        all.f1(),
        model.threshold
    );
    for (kind, f) in by_kind {
        println!(
            "  {kind:<16} {:>3} pairs ({:>3} same)  precision {:.3}  recall {:.3}  F1 {:.3}",
            f.pairs,
            f.same,
            f.precision(),
            f.recall(),
            f.f1()
        );
    }
    // Whether the index finds the earlier text of each pair at all: the scorer only sees what
    // the index gathers (both texts put in one county, a day apart).
    let county = RegionCode::parse("320102").unwrap_or(RegionCode::NATIONAL);
    let (mut found, mut same) = (0, 0);
    for pair in set.iter().filter(|p| p.same_source) {
        let mut index = SourceIndex::new();
        index.insert_text(1, county, 0, &pair.b);
        same += 1;
        let query = SourceFeatures::extract(&pair.a);
        if !index
            .candidates(RegionCode::NATIONAL, county, 86_400_000, &query, 5)
            .is_empty()
        {
            found += 1;
        }
    }
    println!("the index gathers the earlier text of {found} of {same} same-source pairs");
    std::process::ExitCode::SUCCESS
}
