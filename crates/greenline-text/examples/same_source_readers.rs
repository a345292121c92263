//! How careful readers do on the writers' pairs from the two texts alone: the ceiling a text-only
//! scorer could reach on them. Each reader judged one writer's 240 pairs, shuffled, with neither
//! the labels nor the writer's notes (`data/text/pairs/readers/verdicts.jsonl`); precision,
//! recall and F1 against the writers' labels, in all and per kind of pair, beside the shipped
//! scorer's on the same pairs.
//!
//! `cargo run --release -p greenline-text --example same_source_readers`

use std::collections::BTreeMap;

use greenline_text::source::{LabelledPair, read_pairs, score_texts};

const VERDICTS: &str = include_str!("../data/text/pairs/readers/verdicts.jsonl");
const WRITERS: [&str; 6] = [
    include_str!("../data/text/pairs/w10.jsonl"),
    include_str!("../data/text/pairs/w11.jsonl"),
    include_str!("../data/text/pairs/w12.jsonl"),
    include_str!("../data/text/pairs/w13.jsonl"),
    include_str!("../data/text/pairs/w14.jsonl"),
    include_str!("../data/text/pairs/w15.jsonl"),
];

#[derive(serde::Deserialize)]
struct Verdict {
    id: String,
    reader: String,
    same_source: bool,
}

/// True positives, false positives, false negatives.
#[derive(Default, Clone, Copy)]
struct Counts(u32, u32, u32);

impl Counts {
    fn add(&mut self, said: bool, truth: bool) {
        match (said, truth) {
            (true, true) => self.0 += 1,
            (true, false) => self.1 += 1,
            (false, true) => self.2 += 1,
            (false, false) => {}
        }
    }

    fn f1(self) -> f64 {
        let Counts(tp, fp, fn_) = self;
        2.0 * f64::from(tp) / f64::from((2 * tp + fp + fn_).max(1))
    }
}

fn main() -> std::process::ExitCode {
    let mut pairs: BTreeMap<String, LabelledPair> = BTreeMap::new();
    for file in WRITERS {
        match read_pairs(file) {
            Ok(read) => pairs.extend(read.into_iter().map(|p| (p.id.clone(), p))),
            Err(e) => {
                eprintln!("pairs: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    // Per reader: (reader's counts, scorer's counts) in all and per kind.
    let mut by_reader: BTreeMap<String, BTreeMap<String, (Counts, Counts)>> = BTreeMap::new();
    for (number, line) in VERDICTS.lines().enumerate() {
        let verdict: Verdict = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("verdicts line {}: {e}", number + 1);
                return std::process::ExitCode::FAILURE;
            }
        };
        let Some(pair) = pairs.get(&verdict.id) else {
            eprintln!("verdicts line {}: no pair {}", number + 1, verdict.id);
            return std::process::ExitCode::FAILURE;
        };
        let scorer = score_texts(&pair.a, &pair.b).same;
        let kinds = by_reader.entry(verdict.reader).or_default();
        for kind in ["all", pair.kind.as_str()] {
            let (reader_counts, scorer_counts) = kinds.entry(kind.to_owned()).or_default();
            reader_counts.add(verdict.same_source, pair.same_source);
            scorer_counts.add(scorer, pair.same_source);
        }
    }
    for (reader, kinds) in &by_reader {
        let (r, s) = kinds.get("all").copied().unwrap_or_default();
        println!(
            "{reader}: reader F1 {:.3}, shipped scorer F1 {:.3}",
            r.f1(),
            s.f1()
        );
        for (kind, (r, s)) in kinds.iter().filter(|(k, _)| *k != "all") {
            println!("  {kind:<16} reader {:.3}  scorer {:.3}", r.f1(), s.f1());
        }
    }
    std::process::ExitCode::SUCCESS
}
