//! Labelled pairs: reading them, fitting the scorer on them and measuring it.
//!
//! A pair file is JSON Lines: `a`, `b` (the two texts), `same_source`, `kind` (what sort of
//! pair, for figures per kind; `group` is read as well) and `part`: `train` (and the older
//! development set's `tune` and `held_out`, now training data) to fit, `dev` to choose the
//! threshold and read figures while working, `test` sealed — measured once, at the end.

use std::collections::BTreeMap;

use serde::Deserialize;

use greenline_domain::RegionCode;

use super::features::SourceFeatures;
use super::index::SourceIndex;
use super::model::{Example, INDEX_PRECISION, PairModel, fit};
use super::score::{EvidenceKind, score_with, values, values_of};
use crate::TextError;

/// One labelled pair.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct LabelledPair {
    /// The writer's prefix and a number (`w1-0001`); empty in the first set.
    #[serde(default)]
    pub id: String,
    pub a: String,
    pub b: String,
    pub same_source: bool,
    #[serde(default, alias = "group")]
    pub kind: String,
    #[serde(default)]
    pub part: String,
}

impl LabelledPair {
    /// Whether the pair is for fitting: the training parts, and a sealed part once it was
    /// measured (`spent`).
    pub fn is_training(&self) -> bool {
        matches!(self.part.as_str(), "train" | "tune" | "held_out" | "spent")
    }
}

/// Reads a pair file; a bad line is named by its number.
pub fn read_pairs(text: &str) -> Result<Vec<LabelledPair>, TextError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|e| TextError::Training(format!("line {}: {e}", i + 1)))
        })
        .collect()
}

/// Precision, recall and F1 of a set of decisions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    pub pairs: usize,
    pub same: usize,
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
}

impl Figures {
    pub fn add(&mut self, found: bool, same: bool) {
        self.pairs += 1;
        self.same += usize::from(same);
        match (found, same) {
            (true, true) => self.true_positives += 1,
            (true, false) => self.false_positives += 1,
            (false, true) => self.false_negatives += 1,
            (false, false) => {}
        }
    }

    pub fn precision(&self) -> f64 {
        self.true_positives as f64 / (self.true_positives + self.false_positives).max(1) as f64
    }

    pub fn recall(&self) -> f64 {
        self.true_positives as f64 / (self.true_positives + self.false_negatives).max(1) as f64
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

/// The figures of a model on some pairs: in all, and per kind of pair.
pub fn measure<'a>(
    pairs: impl IntoIterator<Item = &'a LabelledPair>,
    model: &PairModel,
) -> (Figures, BTreeMap<String, Figures>) {
    let mut all = Figures::default();
    let mut by_kind: BTreeMap<String, Figures> = BTreeMap::new();
    for pair in pairs {
        let found = score_with(
            &SourceFeatures::extract(&pair.a),
            &SourceFeatures::extract(&pair.b),
            &|_| false,
            model,
        )
        .same;
        all.add(found, pair.same_source);
        by_kind
            .entry(pair.kind.clone())
            .or_default()
            .add(found, pair.same_source);
    }
    (all, by_kind)
}

/// A pair as the learner sees it.
pub fn example(pair: &LabelledPair, weight: f64) -> Example {
    Example {
        values: values(
            &SourceFeatures::extract(&pair.a),
            &SourceFeatures::extract(&pair.b),
        ),
        same: pair.same_source,
        weight,
    }
}

/// A case as the index's suggestions are learned from: its description, where and when it was
/// received (milliseconds), and the source that made it (known for simulated cases only).
#[derive(Debug, Clone)]
pub struct KnownCase {
    pub description: String,
    pub region: RegionCode,
    pub received_ms: i64,
    pub source: u64,
}

/// Pairs from the same-source index's suggestions on cases whose sources are known: each case
/// against the index's best two earlier candidates, the same when one source made both, up to
/// `count` pairs, each counting `weight`.
pub fn index_suggestions(
    cases: impl IntoIterator<Item = KnownCase>,
    count: usize,
    weight: f64,
) -> Vec<Example> {
    let mut index = SourceIndex::new();
    let mut source_of: Vec<u64> = Vec::new();
    let mut out = Vec::new();
    for case in cases {
        if out.len() >= count {
            break;
        }
        let features = SourceFeatures::extract(&case.description);
        let at = case.received_ms;
        for candidate in index.candidates(RegionCode::NATIONAL, case.region, at, &features, 2) {
            let values = values_of(&candidate.matched.evidence);
            let same = usize::try_from(candidate.case_id)
                .ok()
                .and_then(|i| source_of.get(i))
                == Some(&case.source);
            out.push(Example {
                values,
                same,
                weight,
            });
        }
        index.insert(source_of.len() as i64, case.region, at, &features);
        source_of.push(case.source);
    }
    out.truncate(count);
    out
}

/// Fits the model on `examples` and sets its threshold where F1 on `dev` is highest (the
/// lowest such threshold on ties, a step of 0.01 from 0.2 to 0.8).
pub fn train(examples: &[Example], dev: &[LabelledPair], l2: f64) -> Result<PairModel, TextError> {
    let mut model = fit(examples, l2)?;
    if dev.is_empty() {
        return Ok(model);
    }
    let dev_values: Vec<([f64; EvidenceKind::ALL.len()], bool)> = dev
        .iter()
        .map(|p| (example(p, 1.0).values, p.same_source))
        .collect();
    let scores: Vec<(f64, bool)> = dev_values
        .iter()
        .map(|(v, s)| (model.score_values(v), *s))
        .collect();
    let mut best = (f64::MIN, 0.5);
    for step in 20..=80 {
        let threshold = f64::from(step) / 100.0;
        let mut figures = Figures::default();
        for (s, same) in &scores {
            figures.add(*s >= threshold, *same);
        }
        if figures.f1() > best.0 + 1e-12 {
            best = (figures.f1(), threshold);
        }
    }
    model.threshold = best.1;
    model.index_threshold = best.1;
    Ok(model)
}

/// The threshold for a model fitted on `examples`, chosen as a new writer's pairs would set it:
/// each writer's pairs (`writers`, one entry per example; `None` for pairs always fitted on and
/// never held out) are scored by a model fitted on all the others, and the threshold is where F1
/// over these held-out scores, averaged over the thresholds 0.02 either side, is highest (the
/// lowest such on ties; a step of 0.01 from 0.2 to 0.8). Less at the mercy of a few pairs than
/// the best F1 on a small development part.
pub fn threshold_across_writers(
    examples: &[Example],
    writers: &[Option<String>],
    l2: f64,
) -> Result<f64, TextError> {
    let mut groups: Vec<&str> = writers.iter().flatten().map(String::as_str).collect();
    groups.sort_unstable();
    groups.dedup();
    if groups.len() < 2 {
        return Err(TextError::Training(
            "pairs of two writers at least are needed to set the threshold".to_owned(),
        ));
    }
    let mut scores: Vec<(f64, bool)> = Vec::new();
    for group in groups {
        let held = |i: usize| writers[i].as_deref() == Some(group);
        let fitted: Vec<Example> = (0..examples.len())
            .filter(|i| !held(*i))
            .map(|i| examples[i].clone())
            .collect();
        let model = fit(&fitted, l2)?;
        scores.extend(
            (0..examples.len())
                .filter(|i| held(*i))
                .map(|i| (model.score_values(&examples[i].values), examples[i].same)),
        );
    }
    let f1_at = |step: i32| {
        let threshold = f64::from(step) / 100.0;
        let mut figures = Figures::default();
        for (s, same) in &scores {
            figures.add(*s >= threshold, *same);
        }
        figures.f1()
    };
    let f1s: Vec<f64> = (18..=82).map(f1_at).collect();
    let mut best = (f64::MIN, 0.5);
    for step in 20..=80 {
        let at = (step - 18) as usize;
        let smoothed = f1s[at - 2..=at + 2].iter().sum::<f64>() / 5.0;
        if smoothed > best.0 + 1e-12 {
            best = (smoothed, f64::from(step) / 100.0);
        }
    }
    Ok(best.1)
}

/// Sets the index's threshold: the lowest, from the pair threshold up by 0.01, at which the
/// index's suggestions (`candidates`, labelled by the simulator) are right at least
/// [`INDEX_PRECISION`] of the time; the figures there (threshold, precision, recall over the
/// candidates' repeats).
pub fn set_index_threshold(model: &mut PairModel, candidates: &[Example]) -> (f64, f64, f64) {
    let scores: Vec<(f64, bool)> = candidates
        .iter()
        .map(|e| (model.score_values(&e.values), e.same))
        .collect();
    let figures = |t: f64| {
        let mut f = Figures::default();
        for (s, same) in &scores {
            f.add(*s >= t, *same);
        }
        f
    };
    let mut t = model.threshold;
    while t < 0.99 && figures(t).precision() < INDEX_PRECISION {
        t = ((t + 0.01) * 100.0).round() / 100.0;
    }
    model.index_threshold = t;
    let f = figures(t);
    (t, f.precision(), f.recall())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_is_named() {
        let text = "{\"a\":\"x\",\"b\":\"y\",\"same_source\":true,\"kind\":\"plain\",\"part\":\"dev\"}\n{\"a\":1}\n";
        let e = read_pairs(text).expect_err("line 2 is bad");
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn figures_count_what_they_say() {
        let mut f = Figures::default();
        f.add(true, true);
        f.add(true, false);
        f.add(false, true);
        f.add(false, false);
        assert_eq!((f.pairs, f.same), (4, 2));
        assert!((f.precision() - 0.5).abs() < 1e-12);
        assert!((f.recall() - 0.5).abs() < 1e-12);
        assert!((f.f1() - 0.5).abs() < 1e-12);
    }
}
