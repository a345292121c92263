//! The same-source scorer on hand-written pairs by writers who did not see the scorer:
//! `data/text/pairs/same_source.jsonl` (two writers; `train`, `dev`, and `spent`, a sealed part
//! measured once and fitted on since), `data/text/pairs/w3.jsonl` to `w7.jsonl`, `w10.jsonl`,
//! `w13.jsonl` to `w17.jsonl` (a third to a seventh, a tenth, and a thirteenth to a seventeenth
//! writer's, each sealed and measured once, then development data: `spent`), `w8.jsonl`,
//! `w9.jsonl`, `w11.jsonl` and `w12.jsonl` (written for fitting: `train`) and
//! `data/text/pairs/sealed_w18.jsonl` (an eighteenth writer's: the sealed `test` part). The
//! development part is checked on every run; the sealed part is measured once, with `cargo test
//! -p greenline-text --test same_source_pairs -- --ignored --nocapture`, and its figures are in
//! `data/text/README.md`.

use greenline_text::source::{LabelledPair, PairModel, measure, read_pairs};

const PAIRS: &str = include_str!("../data/text/pairs/same_source.jsonl");
const THIRD: &str = include_str!("../data/text/pairs/w3.jsonl");
const FOURTH: &str = include_str!("../data/text/pairs/w4.jsonl");
const FIFTH: &str = include_str!("../data/text/pairs/w5.jsonl");
const SIXTH: &str = include_str!("../data/text/pairs/w6.jsonl");
const EIGHTH: &str = include_str!("../data/text/pairs/w8.jsonl");
const NINTH: &str = include_str!("../data/text/pairs/w9.jsonl");
const ELEVENTH: &str = include_str!("../data/text/pairs/w11.jsonl");
const TWELFTH: &str = include_str!("../data/text/pairs/w12.jsonl");
const SEVENTH: &str = include_str!("../data/text/pairs/w7.jsonl");
const TENTH: &str = include_str!("../data/text/pairs/w10.jsonl");
const THIRTEENTH: &str = include_str!("../data/text/pairs/w13.jsonl");
const FOURTEENTH: &str = include_str!("../data/text/pairs/w14.jsonl");
const FIFTEENTH: &str = include_str!("../data/text/pairs/w15.jsonl");
const SIXTEENTH: &str = include_str!("../data/text/pairs/w16.jsonl");
const SEVENTEENTH: &str = include_str!("../data/text/pairs/w17.jsonl");
const SEALED: &str = include_str!("../data/text/pairs/sealed_w18.jsonl");

fn part(name: &str) -> Vec<LabelledPair> {
    let file = if name == "test" { SEALED } else { PAIRS };
    read_pairs(file)
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
fn the_pairs_are_split_once_and_the_sealed_part_is_apart() {
    let all = read_pairs(PAIRS).unwrap_or_else(|e| panic!("pairs: {e}"));
    assert_eq!(all.len(), 480);
    for name in ["train", "dev", "spent"] {
        let n = all.iter().filter(|p| p.part == name).count();
        assert!(n >= 90, "{name}: {n}");
    }
    assert!(
        all.iter()
            .all(|p| matches!(p.part.as_str(), "train" | "dev" | "spent"))
    );
    // Each sealed once and measured (`spent`), or written for fitting only, never sealed
    // (`train`).
    for (writer, file, part) in [
        ("third", THIRD, "spent"),
        ("fourth", FOURTH, "spent"),
        ("fifth", FIFTH, "spent"),
        ("sixth", SIXTH, "spent"),
        ("seventh", SEVENTH, "spent"),
        ("eighth", EIGHTH, "train"),
        ("ninth", NINTH, "train"),
        ("tenth", TENTH, "spent"),
        ("eleventh", ELEVENTH, "train"),
        ("twelfth", TWELFTH, "train"),
        ("thirteenth", THIRTEENTH, "spent"),
        ("fourteenth", FOURTEENTH, "spent"),
        ("fifteenth", FIFTEENTH, "spent"),
        ("sixteenth", SIXTEENTH, "spent"),
        ("seventeenth", SEVENTEENTH, "spent"),
    ] {
        let pairs = read_pairs(file).unwrap_or_else(|e| panic!("{writer} writer's pairs: {e}"));
        assert_eq!(pairs.len(), 240, "{writer}");
        assert!(
            pairs.iter().all(|p| p.part == part && p.is_training()),
            "{writer}"
        );
    }
    let sealed = read_pairs(SEALED).unwrap_or_else(|e| panic!("sealed pairs: {e}"));
    assert_eq!(sealed.len(), 240);
    assert!(sealed.iter().all(|p| p.part == "test" && !p.is_training()));
}

#[test]
fn same_source_on_the_development_part() {
    // Not fitted on; the threshold is set with each writer's pairs held out in turn. The old
    // hand-set rules reached 0.417 here.
    let f1 = report("dev");
    assert!(f1 >= 0.85, "dev F1 {f1:.3}");
}

#[test]
#[ignore = "the sealed test part: measured once, not to be tuned on"]
fn same_source_on_the_sealed_test_part() {
    report("test");
}
