//! The same-source scorer on the hand-written pairs of `data/text/pairs/same_source.jsonl`, by
//! writers who did not see the scorer. The development part (it set the threshold and was read
//! while choosing features) is checked on every run; the sealed test part was measured once,
//! with `cargo test -p greenline-text --test same_source_pairs -- --ignored --nocapture`, and
//! its figures are in `data/text/README.md`.

use greenline_text::source::{LabelledPair, PairModel, measure, read_pairs};

const PAIRS: &str = include_str!("../data/text/pairs/same_source.jsonl");

fn part(name: &str) -> Vec<LabelledPair> {
    read_pairs(PAIRS)
        .unwrap_or_else(|e| panic!("pairs: {e}"))
        .into_iter()
        .filter(|p| p.part == name)
        .collect()
}

fn report(name: &str) -> f64 {
    let pairs = part(name);
    let (all, by_kind) = measure(&pairs, PairModel::shipped());
    println!(
        "{name}: {} pairs ({} same), precision {:.3}, recall {:.3}, F1 {:.3}",
        all.pairs,
        all.same,
        all.precision(),
        all.recall(),
        all.f1()
    );
    for (kind, f) in &by_kind {
        println!(
            "  {kind}: {} pairs, precision {:.3}, recall {:.3}, F1 {:.3}",
            f.pairs,
            f.precision(),
            f.recall(),
            f.f1()
        );
    }
    all.f1()
}

#[test]
fn the_pairs_are_split_once_into_three_parts() {
    let all = read_pairs(PAIRS).unwrap_or_else(|e| panic!("pairs: {e}"));
    assert_eq!(all.len(), 480);
    for name in ["train", "dev", "test"] {
        let n = all.iter().filter(|p| p.part == name).count();
        assert!(n >= 90, "{name}: {n}");
    }
    assert!(
        all.iter()
            .all(|p| matches!(p.part.as_str(), "train" | "dev" | "test"))
    );
}

#[test]
fn same_source_on_the_development_part() {
    // Measured at 0.832 when the model was fitted; the old hand-set rules reached 0.417.
    let f1 = report("dev");
    assert!(f1 >= 0.82, "dev F1 {f1:.3}");
}

#[test]
#[ignore = "the sealed test part: measured once, not to be tuned on"]
fn same_source_on_the_sealed_test_part() {
    report("test");
}
