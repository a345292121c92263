//! Fitting the classifier's weights: stochastic gradient descent on the log loss of both
//! layers, with an L2 penalty, examples drawn in proportion to their weight from a fixed seed.
//!
//! Drawing examples by weight, rather than scaling each step by it, lets a hand-written phrase
//! count as twenty case texts without one step of twenty times the size throwing the weights
//! about. The weights of the later epochs are averaged, which evens out the last steps' noise.

use std::collections::{HashMap, HashSet};

use rand::SeedableRng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_chacha::ChaCha8Rng;

use super::{Classifier, Example, Label, features, unit_length};
use crate::{TextError, Tokenizer};

/// How a model is trained.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainSettings {
    /// Leave out features whose texts weigh less than this together (a case record weighs 1).
    pub min_docs: f64,
    /// Keep at most this many features (those in the most texts).
    pub max_features: usize,
    /// Passes over the data (each pass draws as many examples as there are).
    pub epochs: usize,
    /// Step size at the start; it falls as 1 / (1 + epoch).
    pub learning_rate: f32,
    /// Penalty on the squared weights.
    pub l2: f32,
    /// Penalty on the weights' sizes, which sets most of them to zero and keeps the model file
    /// small.
    pub l1: f32,
    /// Seed of the order in which examples are drawn.
    pub seed: u64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        TrainSettings {
            min_docs: 2.0,
            max_features: 60_000,
            epochs: 12,
            learning_rate: 0.5,
            l2: 1e-5,
            l1: 3e-6,
            seed: 12_369,
        }
    }
}

struct Encoded {
    active: Vec<(u32, f32)>,
    category: usize,
    label: usize,
}

pub(super) fn train(
    tokenizer: &Tokenizer,
    examples: &[Example<'_>],
    settings: &TrainSettings,
) -> Result<Classifier, TextError> {
    if examples.is_empty() {
        return Err(TextError::Training("no labelled texts".into()));
    }
    if let Some(bad) = examples
        .iter()
        .find(|e| !e.weight.is_finite() || e.weight <= 0.0)
    {
        return Err(TextError::Training(format!(
            "weight {} of '{}' is not a positive number",
            bad.weight, bad.text
        )));
    }
    let featured: Vec<Vec<(String, f32)>> = examples
        .iter()
        .map(|e| features(tokenizer, e.text))
        .collect();
    let mut weight_of: HashMap<&str, f64> = HashMap::new();
    for (example, found) in examples.iter().zip(&featured) {
        for (feature, _) in found {
            *weight_of.entry(feature).or_default() += example.weight;
        }
    }
    let region_names: HashSet<String> = examples
        .iter()
        .flat_map(|e| super::features::region_name_features(tokenizer, e.text))
        .collect();
    let mut kept: Vec<(&str, f64)> = weight_of
        .into_iter()
        .filter(|(_, w)| *w >= settings.min_docs)
        .filter(|(f, _)| !region_names.contains(*f))
        .collect();
    kept.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    kept.truncate(settings.max_features);
    let mut names: Vec<Box<str>> = kept.into_iter().map(|(f, _)| f.into()).collect();
    names.sort_unstable();
    let labels: Vec<Label> = examples.iter().map(|e| e.label).collect();
    let mut model = Classifier::empty(labels, names);
    let encoded: Vec<Encoded> = examples
        .iter()
        .zip(&featured)
        .map(|(example, found)| {
            let mut active: Vec<(u32, f32)> = found
                .iter()
                .filter_map(|(f, w)| model.row_of_name(f).map(|row| (row, *w)))
                .collect();
            unit_length(&mut active);
            let label = model
                .labels
                .iter()
                .position(|l| *l == example.label)
                .unwrap_or(0);
            Encoded {
                active,
                category: model.label_type[label],
                label,
            }
        })
        .collect();
    descend(&mut model, &encoded, examples, settings)?;
    Ok(model.compact())
}

fn descend(
    model: &mut Classifier,
    encoded: &[Encoded],
    examples: &[Example<'_>],
    settings: &TrainSettings,
) -> Result<(), TextError> {
    let draw = WeightedIndex::new(examples.iter().map(|e| e.weight))
        .map_err(|e| TextError::Training(e.to_string()))?;
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let width = model.width();
    let types = model.types.len();
    let averaged_from = settings.epochs / 2;
    let mut sum_weights = vec![0.0f32; model.weights.len()];
    let mut sum_bias = vec![0.0f32; width];
    let mut snapshots = 0usize;
    // The cumulative L1 penalty of Tsuruoka, Tsujii and Ananiadou (2009): `total` is what each
    // weight would have lost so far, `applied` what it did lose.
    let mut total_penalty = 0.0f32;
    let mut applied = vec![0.0f32; model.weights.len()];
    for epoch in 0..settings.epochs {
        let rate = settings.learning_rate / (1.0 + epoch as f32);
        for _ in 0..encoded.len() {
            total_penalty += rate * settings.l1;
            let example = &encoded[draw.sample(&mut rng)];
            let scores = model.scores(&example.active);
            let mut gradient = Vec::with_capacity(width);
            gradient.extend(super::softmax(&scores[..types]));
            gradient.extend(super::softmax(&scores[types..]));
            gradient[example.category] -= 1.0;
            gradient[types + example.label] -= 1.0;
            for (bias, g) in model.bias.iter_mut().zip(&gradient) {
                *bias -= rate * g;
            }
            for &(row, value) in &example.active {
                let start = row as usize * width;
                let weights = &mut model.weights[start..start + width];
                let applied = &mut applied[start..start + width];
                for ((weight, g), applied) in weights.iter_mut().zip(&gradient).zip(applied) {
                    *weight -= rate * (g * value + settings.l2 * *weight);
                    let before = *weight;
                    if before > 0.0 {
                        *weight = (before - (total_penalty + *applied)).max(0.0);
                    } else if before < 0.0 {
                        *weight = (before + (total_penalty - *applied)).min(0.0);
                    }
                    *applied += *weight - before;
                }
            }
        }
        if epoch >= averaged_from {
            snapshots += 1;
            for (sum, w) in sum_weights.iter_mut().zip(&model.weights) {
                *sum += w;
            }
            for (sum, b) in sum_bias.iter_mut().zip(&model.bias) {
                *sum += b;
            }
        }
    }
    if snapshots > 0 {
        let n = snapshots as f32;
        model.weights = sum_weights.into_iter().map(|w| w / n).collect();
        model.bias = sum_bias.into_iter().map(|b| b / n).collect();
    }
    Ok(())
}
