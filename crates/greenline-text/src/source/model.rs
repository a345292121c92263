//! The same-source scorer's weights, learned from labelled pairs (logistic regression, see
//! [`fit`]) and shipped as a data file, `data/text/same_source_model.tsv`, rebuilt by
//! `greenline text train-same-source` (see the data README).
//!
//! The file is text, a line per entry, tab-separated: a header line, the bias, the threshold,
//! then one line per piece of evidence ([`EvidenceKind`]) with its weight in log-odds. A file
//! that misses a kind, names an unknown one or repeats one is refused.

use std::sync::LazyLock;

use super::score::EvidenceKind;
use crate::TextError;

const HEADER: &str = "# greenline-text same-source v1";

/// How often the index's suggestions should be right on simulated cases.
pub const INDEX_PRECISION: f64 = 0.8;
const SHIPPED: &str = include_str!("../../data/text/same_source_model.tsv");

static SHIPPED_MODEL: LazyLock<PairModel> = LazyLock::new(|| {
    PairModel::parse(SHIPPED)
        .unwrap_or_else(|e| unreachable!("the shipped same-source model loads: {e}"))
});

/// Weights per kind of evidence, a bias and the decision threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct PairModel {
    /// Log-odds before any evidence.
    pub bias: f64,
    /// Scores at or above this say two texts are about the same source.
    pub threshold: f64,
    /// Scores at or above this are suggested by the index at intake. Higher than `threshold`:
    /// the labelled pairs are half repeats, an index's candidates mostly not, so the same score
    /// there is less often right. Set where the index's suggestions on simulated cases are
    /// right at least [`INDEX_PRECISION`] of the time.
    pub index_threshold: f64,
    weights: [f64; EvidenceKind::ALL.len()],
}

impl PairModel {
    /// The model shipped with the crate.
    pub fn shipped() -> &'static PairModel {
        &SHIPPED_MODEL
    }

    /// A model from its parts: weights in the order of [`EvidenceKind::ALL`].
    pub fn new(bias: f64, threshold: f64, weights: [f64; EvidenceKind::ALL.len()]) -> PairModel {
        PairModel {
            bias,
            threshold,
            index_threshold: threshold,
            weights,
        }
    }

    /// The score of a pair from each kind's value.
    pub fn score_values(&self, values: &[f64; EvidenceKind::ALL.len()]) -> f64 {
        let z = self.bias
            + EvidenceKind::ALL
                .iter()
                .map(|k| self.weight(*k) * values[*k as usize])
                .sum::<f64>();
        1.0 / (1.0 + (-z).exp())
    }

    /// The weight of one kind of evidence, in log-odds per unit of its value.
    pub fn weight(&self, kind: EvidenceKind) -> f64 {
        self.weights[kind as usize]
    }

    /// Reads a model file.
    pub fn parse(text: &str) -> Result<PairModel, TextError> {
        let bad = |line: usize, what: String| TextError::Model(format!("line {line}: {what}"));
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end()));
        match lines.next() {
            Some((_, HEADER)) => {}
            _ => return Err(bad(1, format!("expected the header {HEADER:?}"))),
        }
        let (mut bias, mut threshold, mut index_threshold) = (None, None, None);
        let mut weights = [None; EvidenceKind::ALL.len()];
        for (n, line) in lines {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line
                .split_once('\t')
                .ok_or_else(|| bad(n, "expected a name, a tab and a number".to_owned()))?;
            let value: f64 = value
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| bad(n, format!("{value:?} is not a number")))?;
            let slot = match key {
                "bias" => &mut bias,
                "threshold" => &mut threshold,
                "index_threshold" => &mut index_threshold,
                _ => {
                    let kind = EvidenceKind::from_code(key)
                        .ok_or_else(|| bad(n, format!("unknown kind of evidence {key:?}")))?;
                    &mut weights[kind as usize]
                }
            };
            if slot.replace(value).is_some() {
                return Err(bad(n, format!("{key} given twice")));
            }
        }
        let missing = |what: &str| TextError::Model(format!("no {what} in the model"));
        let mut out = [0.0; EvidenceKind::ALL.len()];
        for (kind, weight) in EvidenceKind::ALL.iter().zip(weights) {
            out[*kind as usize] = weight.ok_or_else(|| missing(kind.code()))?;
        }
        Ok(PairModel {
            bias: bias.ok_or_else(|| missing("bias"))?,
            threshold: threshold
                .filter(|t| (0.0..=1.0).contains(t))
                .ok_or_else(|| missing("threshold between 0 and 1"))?,
            index_threshold: index_threshold
                .filter(|t| (0.0..=1.0).contains(t))
                .ok_or_else(|| missing("index_threshold between 0 and 1"))?,
            weights: out,
        })
    }

    /// The model as its file.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{HEADER}\n# Weights in log-odds per unit of each kind of evidence; see crates/greenline-text/src/source/model.rs.\nbias\t{:.6}\nthreshold\t{:.4}\nindex_threshold\t{:.4}\n",
            self.bias, self.threshold, self.index_threshold
        );
        for kind in EvidenceKind::ALL {
            out.push_str(&format!("{}\t{:.6}\n", kind.code(), self.weight(kind)));
        }
        out
    }
}

/// One labelled pair as the learner sees it: each kind's value, whether it is the same source,
/// and how much it counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub values: [f64; EvidenceKind::ALL.len()],
    pub same: bool,
    pub weight: f64,
}

/// Fits a logistic regression by Newton's method with an L2 penalty `l2` on the weights (not
/// the bias): the penalised log loss is convex, so the answer depends on the data alone, not on
/// a seed or an order. A weight that comes out on the wrong side of its kind's
/// [`EvidenceKind::direction`] is held at zero and the rest fitted again. The threshold is left
/// at 0.5; choose it on a development set.
pub fn fit(examples: &[Example], l2: f64) -> Result<PairModel, TextError> {
    if examples.iter().all(|e| e.same) || examples.iter().all(|e| !e.same) {
        return Err(TextError::Training(
            "pairs of both labels are needed".to_owned(),
        ));
    }
    let mut held = [false; EvidenceKind::ALL.len()];
    for _ in 0..=EvidenceKind::ALL.len() {
        let (bias, weights) = newton(examples, l2, &held)?;
        let wrong: Vec<usize> = EvidenceKind::ALL
            .iter()
            .enumerate()
            .filter(|(i, kind)| {
                !held[*i]
                    && match kind.direction() {
                        Some(true) => weights[*i] < 0.0,
                        Some(false) => weights[*i] > 0.0,
                        None => false,
                    }
            })
            .map(|(i, _)| i)
            .collect();
        if wrong.is_empty() {
            return Ok(PairModel::new(bias, 0.5, weights));
        }
        for i in wrong {
            held[i] = true;
        }
    }
    Err(TextError::Training("the weights did not settle".to_owned()))
}

/// Newton's method on the penalised log loss, with the `held` weights fixed at zero.
fn newton(
    examples: &[Example],
    l2: f64,
    held: &[bool; EvidenceKind::ALL.len()],
) -> Result<(f64, [f64; EvidenceKind::ALL.len()]), TextError> {
    const N: usize = EvidenceKind::ALL.len() + 1;
    // Parameter 0 is the bias.
    let mut theta = [0.0f64; N];
    let row = |e: &Example| {
        let mut x = [0.0; N];
        x[0] = 1.0;
        for (i, v) in e.values.iter().enumerate() {
            x[i + 1] = if held[i] { 0.0 } else { *v };
        }
        x
    };
    for _ in 0..100 {
        let mut gradient = [0.0; N];
        let mut hessian = vec![[0.0; N]; N];
        for e in examples {
            let x = row(e);
            let z: f64 = x.iter().zip(&theta).map(|(a, b)| a * b).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let y = if e.same { 1.0 } else { 0.0 };
            for i in 0..N {
                gradient[i] += e.weight * (p - y) * x[i];
                for j in 0..N {
                    hessian[i][j] += e.weight * p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 1..N {
            gradient[i] += l2 * theta[i];
            hessian[i][i] += l2;
        }
        // A little on the bias's diagonal too, so that the system stays solvable.
        hessian[0][0] += 1e-9;
        let step = solve(hessian, gradient)
            .ok_or_else(|| TextError::Training("the system could not be solved".to_owned()))?;
        let mut largest = 0.0f64;
        for i in 0..N {
            theta[i] -= step[i];
            largest = largest.max(step[i].abs());
        }
        if largest < 1e-9 {
            break;
        }
    }
    let mut weights = [0.0; EvidenceKind::ALL.len()];
    weights.copy_from_slice(&theta[1..]);
    Ok((theta[0], weights))
}

/// Solves `a x = b` for a symmetric positive definite `a` (Cholesky).
fn solve<const N: usize>(a: Vec<[f64; N]>, b: [f64; N]) -> Option<[f64; N]> {
    let mut l = vec![[0.0f64; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let d = a[i][i] - sum;
                if d <= 0.0 {
                    return None;
                }
                l[i][j] = d.sqrt();
            } else {
                l[i][j] = (a[i][j] - sum) / l[j][j];
            }
        }
    }
    let mut y = [0.0; N];
    for i in 0..N {
        let sum: f64 = (0..i).map(|k| l[i][k] * y[k]).sum();
        y[i] = (b[i] - sum) / l[i][i];
    }
    let mut x = [0.0; N];
    for i in (0..N).rev() {
        let sum: f64 = (i + 1..N).map(|k| l[k][i] * x[k]).sum();
        x[i] = (y[i] - sum) / l[i][i];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_model_loads_and_writes_back_the_same() {
        let model = PairModel::shipped();
        let again = PairModel::parse(&model.to_text()).expect("reads back");
        assert_eq!(again.threshold, model.threshold);
        assert_eq!(again.index_threshold, model.index_threshold);
        for kind in EvidenceKind::ALL {
            assert!((again.weight(kind) - model.weight(kind)).abs() < 1e-5);
        }
    }

    #[test]
    fn a_file_missing_a_kind_or_naming_an_unknown_one_is_refused() {
        let text = PairModel::shipped().to_text();
        let missing: String = text
            .lines()
            .filter(|l| !l.starts_with("same_road\t"))
            .map(|l| format!("{l}\n"))
            .collect();
        let e = PairModel::parse(&missing).expect_err("same_road missing");
        assert!(e.to_string().contains("same_road"), "{e}");
        let unknown = format!("{text}loud_music\t1.0\n");
        let e = PairModel::parse(&unknown).expect_err("unknown kind");
        assert!(e.to_string().contains("loud_music"), "{e}");
        let twice = format!("{text}bias\t1.0\n");
        assert!(PairModel::parse(&twice).is_err());
    }

    #[test]
    fn fitting_learns_which_evidence_counts_for_and_which_against() {
        // Same name: mostly the same source; different region: never.
        let mut examples = Vec::new();
        for i in 0..200 {
            let mut values = [0.0; EvidenceKind::ALL.len()];
            let same_name = i % 2 == 0;
            let other_region = i % 5 == 0;
            values[EvidenceKind::SameName as usize] = f64::from(u8::from(same_name));
            values[EvidenceKind::DifferentRegion as usize] = f64::from(u8::from(other_region));
            let same = same_name && !other_region && i % 10 != 2;
            examples.push(Example {
                values,
                same,
                weight: 1.0,
            });
        }
        let model = fit(&examples, 0.1).expect("fits");
        assert!(model.weight(EvidenceKind::SameName) > 2.0, "{model:?}");
        assert!(
            model.weight(EvidenceKind::DifferentRegion) < -2.0,
            "{model:?}"
        );
        assert!(fit(&examples[..1], 0.1).is_err());
    }
}
