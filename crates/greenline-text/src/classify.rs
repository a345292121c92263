//! Type classification (类型研判): a suggested pollution type and sub-type with a confidence.
//!
//! The model is linear: two softmax layers over the text's weighted features (see
//! [`features`]), one choosing among the types and one among the (type, sub-type) labels of the
//! taxonomy. The type layer decides the type — it pools every sub-type's texts, so a rare type
//! such as 土壤 or 海洋 is learnt from all of them — and the label layer then picks the sub-type
//! within that type. The weights are fitted by stochastic gradient descent on the log loss with
//! an L2 penalty, in an order drawn from a fixed seed, so the same data always gives the same
//! model.
//!
//! A linear model was chosen over the naive Bayes of model v1 because naive Bayes counts every
//! correlated character pair as fresh evidence, so a facility's many words (污水处理厂, 水泵)
//! outvote the one word that says what the complaint is about (吵); a linear model learns how
//! much each feature adds given the others. Prediction is a dictionary look-up and a multiply-add
//! per feature and output, fast enough for tens of thousands of texts a second on one core.
//!
//! Models are versioned text files (`greenline-text classifier v2`); the default one ships as
//! `data/text/model-v2.tsv` and is trained by `greenline train` from case records and
//! hand-written texts (see `data/text/README.md`).

mod evaluation;
mod features;
mod train;

use std::fmt::Write as _;
use std::sync::LazyLock;

use greenline_domain::{PollutionType, SubType};
use rustc_hash::FxHashMap;

use crate::{TextError, Tokenizer};

pub use evaluation::{Evaluation, Miss};
pub use features::features;
pub use train::TrainSettings;

const SHIPPED_MODEL: &str = include_str!("../data/text/model-v2.tsv");
const MAGIC: &str = "greenline-text classifier v2";
const MAGIC_V1: &str = "greenline-text classifier v1";
/// Weights smaller than this are left out of model files (and so set to zero after training).
const SMALLEST_WEIGHT: f32 = 1e-4;

/// A type and, where the taxonomy has them, a sub-type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Label {
    pub category: PollutionType,
    pub subcategory: Option<SubType>,
}

impl Label {
    /// From the codes of a case record: a sub-type must belong to the type.
    pub fn parse(category: &str, subcategory: Option<&str>) -> Result<Label, TextError> {
        let category = PollutionType::parse(category.trim())
            .map_err(|e| TextError::Training(e.to_string()))?;
        let subcategory = match subcategory.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(code) => {
                let sub = SubType::parse(code).map_err(|e| TextError::Training(e.to_string()))?;
                if sub.pollution_type() != category {
                    return Err(TextError::Training(format!(
                        "sub-type {code} is not of type {category}"
                    )));
                }
                Some(sub)
            }
        };
        Ok(Label {
            category,
            subcategory,
        })
    }

    /// `noise/construction`, or `soil` for a type without a sub-type.
    pub fn key(&self) -> String {
        match self.subcategory {
            Some(sub) => format!("{}/{}", self.category, sub),
            None => self.category.code().to_owned(),
        }
    }

    fn from_key(key: &str) -> Result<Label, TextError> {
        let (category, sub) = match key.split_once('/') {
            Some((c, s)) => (c, Some(s)),
            None => (key, None),
        };
        Label::parse(category, sub).map_err(|e| TextError::Model(e.to_string()))
    }

    /// Taxonomy order: the type's place in the list, then the sub-type's.
    fn rank(&self) -> (usize, usize) {
        let category = type_rank(self.category);
        let sub = self.subcategory.map_or(0, |s| {
            self.category
                .sub_types()
                .position(|t| t == s)
                .map_or(usize::MAX, |p| p + 1)
        });
        (category, sub)
    }
}

fn type_rank(category: PollutionType) -> usize {
    PollutionType::all()
        .position(|t| t == category)
        .unwrap_or(usize::MAX)
}

/// What the classifier suggests for one text.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub category: PollutionType,
    pub subcategory: Option<SubType>,
    /// The model's probability of the type, 0–1.
    pub confidence: f64,
    /// The model's probability of the sub-type given the type, 0–1.
    pub subcategory_confidence: f64,
}

/// One text with its label and how much it counts.
#[derive(Debug, Clone)]
pub struct Example<'a> {
    pub text: &'a str,
    pub label: Label,
    pub weight: f64,
}

/// A trained classifier.
#[derive(Debug, Clone)]
pub struct Classifier {
    /// Outputs of the type layer.
    types: Vec<PollutionType>,
    /// Outputs of the label layer.
    labels: Vec<Label>,
    /// For each label, its type's index in `types`.
    label_type: Vec<usize>,
    /// Word feature → row.
    words: FxHashMap<Box<str>, u32>,
    /// Packed character or pair feature → row.
    chars: FxHashMap<u64, u32>,
    /// Row → feature.
    names: Vec<Box<str>>,
    /// One row of `width()` weights per feature: the types', then the labels'.
    weights: Vec<f32>,
    /// One bias per output.
    bias: Vec<f32>,
}

static SHIPPED: LazyLock<Result<Classifier, TextError>> =
    LazyLock::new(|| Classifier::from_model_text(SHIPPED_MODEL));

impl Classifier {
    /// The default model that ships with Greenline.
    pub fn shipped() -> Result<&'static Classifier, &'static TextError> {
        SHIPPED.as_ref()
    }

    /// Trains on examples (see [`TrainSettings`] for what can be set).
    pub fn train(
        tokenizer: &Tokenizer,
        examples: &[Example<'_>],
        settings: &TrainSettings,
    ) -> Result<Classifier, TextError> {
        train::train(tokenizer, examples, settings)
    }

    /// An untrained model over these labels and features (weights zero).
    fn empty(labels: Vec<Label>, names: Vec<Box<str>>) -> Classifier {
        let mut labels = labels;
        labels.sort_by_key(Label::rank);
        labels.dedup();
        let mut types: Vec<PollutionType> = labels.iter().map(|l| l.category).collect();
        types.dedup();
        let label_type = labels
            .iter()
            .map(|l| types.iter().position(|t| *t == l.category).unwrap_or(0))
            .collect();
        let mut words = FxHashMap::default();
        let mut chars = FxHashMap::default();
        for (row, name) in names.iter().enumerate() {
            match features::packed_name(name) {
                Some(packed) => chars.insert(packed, row as u32),
                None => words.insert(name.strip_prefix("w:").unwrap_or(name).into(), row as u32),
            };
        }
        let width = types.len() + labels.len();
        Classifier {
            weights: vec![0.0; names.len() * width],
            bias: vec![0.0; width],
            types,
            labels,
            label_type,
            words,
            chars,
            names,
        }
    }

    /// Sets weights too small to write to zero and drops the features left with none, so that the
    /// model in memory is the one its file holds.
    fn compact(self) -> Classifier {
        let width = self.width();
        let mut weights = self.weights;
        for weight in &mut weights {
            if weight.abs() < SMALLEST_WEIGHT {
                *weight = 0.0;
            }
        }
        let kept: Vec<usize> = (0..self.names.len())
            .filter(|row| {
                weights[row * width..(row + 1) * width]
                    .iter()
                    .any(|w| *w != 0.0)
            })
            .collect();
        let names = kept.iter().map(|row| self.names[*row].clone()).collect();
        let mut model = Classifier::empty(self.labels, names);
        for (new, old) in kept.iter().enumerate() {
            model.weights[new * width..(new + 1) * width]
                .copy_from_slice(&weights[old * width..(old + 1) * width]);
        }
        model.bias = self.bias;
        model
    }

    fn width(&self) -> usize {
        self.types.len() + self.labels.len()
    }

    /// The labels the model knows.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// How many features the model weighs.
    pub fn feature_count(&self) -> usize {
        self.names.len()
    }

    /// The text's known features as (row, value), each once, scaled to unit length.
    fn encode(&self, tokenizer: &Tokenizer, text: &str) -> Vec<(u32, f32)> {
        let mut active: Vec<(u32, f32)> = Vec::with_capacity(128);
        features::for_each_feature(tokenizer, text, false, |feature, weight| {
            if let Some(row) = self.row(feature) {
                active.push((row, weight));
            }
        });
        unit_length(&mut active);
        active
    }

    fn row_of_name(&self, name: &str) -> Option<u32> {
        match features::packed_name(name) {
            Some(packed) => self.chars.get(&packed).copied(),
            None => self.words.get(name.strip_prefix("w:")?).copied(),
        }
    }

    fn row(&self, feature: features::Feature<'_>) -> Option<u32> {
        match feature {
            features::Feature::Word(word) => self.words.get(word).copied(),
            other => other.packed().and_then(|p| self.chars.get(&p).copied()),
        }
    }

    /// The output scores of an encoded text: the types', then the labels'.
    fn scores(&self, active: &[(u32, f32)]) -> Vec<f32> {
        let width = self.width();
        let mut scores = self.bias.clone();
        for &(row, value) in active {
            let start = row as usize * width;
            let weights = &self.weights[start..start + width];
            for (score, weight) in scores.iter_mut().zip(weights) {
                *score += value * weight;
            }
        }
        scores
    }

    /// Suggests a type and sub-type for a text.
    pub fn predict(&self, tokenizer: &Tokenizer, text: &str) -> Prediction {
        let active = self.encode(tokenizer, text);
        let scores = self.scores(&active);
        let (type_scores, label_scores) = scores.split_at(self.types.len());
        let type_probabilities = softmax(type_scores);
        let (best_type, type_probability) = type_probabilities
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        let within: Vec<(usize, f32)> = self
            .label_type
            .iter()
            .enumerate()
            .filter(|(_, t)| **t == best_type)
            .map(|(i, _)| (i, label_scores[i]))
            .collect();
        let within_probabilities = softmax(&within.iter().map(|(_, s)| *s).collect::<Vec<_>>());
        let (best_label, label_probability) = within
            .iter()
            .zip(&within_probabilities)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|((i, _), p)| (*i, *p))
            .unwrap_or((0, 0.0));
        Prediction {
            category: self.types[best_type],
            subcategory: self.labels.get(best_label).and_then(|l| l.subcategory),
            confidence: f64::from(type_probability),
            subcategory_confidence: f64::from(label_probability),
        }
    }

    /// The model as its versioned text file.
    pub fn to_model_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{MAGIC}");
        let types: Vec<&str> = self.types.iter().map(|t| t.code()).collect();
        let _ = writeln!(out, "types\t{}", types.join("\t"));
        let keys: Vec<String> = self.labels.iter().map(Label::key).collect();
        let _ = writeln!(out, "labels\t{}", keys.join("\t"));
        let bias: Vec<String> = self.bias.iter().map(|b| format_weight(*b)).collect();
        let _ = writeln!(out, "bias\t{}", bias.join("\t"));
        let width = self.width();
        let mut rows: Vec<usize> = (0..self.names.len()).collect();
        rows.sort_unstable_by(|a, b| self.names[*a].cmp(&self.names[*b]));
        for row in rows {
            let weights = &self.weights[row * width..(row + 1) * width];
            let cells: Vec<String> = weights
                .iter()
                .enumerate()
                .filter(|(_, w)| w.abs() >= SMALLEST_WEIGHT)
                .map(|(i, w)| format!("{i}:{}", format_weight(*w)))
                .collect();
            if !cells.is_empty() {
                let _ = writeln!(out, "{}\t{}", self.names[row], cells.join(" "));
            }
        }
        out
    }

    /// Reads a model file written by [`Classifier::to_model_text`].
    pub fn from_model_text(text: &str) -> Result<Classifier, TextError> {
        let mut lines = text.lines();
        match lines.next().map(str::trim) {
            Some(MAGIC) => {}
            Some(MAGIC_V1) => {
                return Err(TextError::Model(
                    "a version 1 (naive Bayes) model, which this version no longer reads: \
                     train a new one with `greenline train`"
                        .into(),
                ));
            }
            _ => {
                return Err(TextError::Model(format!(
                    "not a model file: expected '{MAGIC}'"
                )));
            }
        }
        let mut field = |name: &str| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix('\t'))
                .ok_or_else(|| TextError::Model(format!("no {name} line")))
        };
        let types = field("types")?
            .split('\t')
            .map(|t| PollutionType::parse(t).map_err(|e| TextError::Model(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let labels = field("labels")?
            .split('\t')
            .map(Label::from_key)
            .collect::<Result<Vec<_>, _>>()?;
        let bias = field("bias")?
            .split('\t')
            .map(|b| b.parse::<f32>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TextError::Model(format!("bias: {e}")))?;
        // Per feature: its name and its (output, weight) cells.
        type Row = (Box<str>, Vec<(usize, f32)>);
        let mut rows: Vec<Row> = Vec::new();
        for (number, line) in lines.enumerate() {
            let bad = || TextError::Model(format!("feature line {}: {line}", number + 5));
            let (feature, cells) = line.split_once('\t').ok_or_else(bad)?;
            let mut row = Vec::new();
            for cell in cells.split(' ').filter(|c| !c.is_empty()) {
                let (i, weight) = cell.split_once(':').ok_or_else(bad)?;
                let i: usize = i.parse().map_err(|_| bad())?;
                let weight: f32 = weight.parse().map_err(|_| bad())?;
                row.push((i, weight));
            }
            rows.push((feature.into(), row));
        }
        let names = rows.iter().map(|(n, _)| n.clone()).collect();
        let mut model = Classifier::empty(labels, names);
        if model.types != types {
            return Err(TextError::Model(
                "the types line does not match the labels".into(),
            ));
        }
        if bias.len() != model.width() {
            return Err(TextError::Model(format!(
                "{} biases for {} outputs",
                bias.len(),
                model.width()
            )));
        }
        if model.words.len() + model.chars.len() != model.names.len() {
            return Err(TextError::Model("a feature is listed twice".into()));
        }
        model.bias = bias;
        let width = model.width();
        for (row, (_, cells)) in rows.iter().enumerate() {
            for &(i, weight) in cells {
                if i >= width {
                    return Err(TextError::Model(format!(
                        "weight for output {i} of {width}"
                    )));
                }
                model.weights[row * width + i] = weight;
            }
        }
        Ok(model)
    }
}

/// Keeps each row once with its largest value, drops zero values, and scales to unit length.
fn unit_length(active: &mut Vec<(u32, f32)>) {
    active.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    active.dedup_by_key(|(row, _)| *row);
    active.retain(|(_, v)| *v > 0.0);
    let norm = active.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, v) in active.iter_mut() {
            *v /= norm;
        }
    }
}

fn softmax(scores: &[f32]) -> Vec<f32> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = scores.iter().map(|s| (s - max).exp()).collect();
    let total: f32 = exps.iter().sum();
    exps.iter().map(|e| e / total).collect()
}

fn format_weight(weight: f32) -> String {
    let text = format!("{weight:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(category: &str, sub: Option<&str>) -> Label {
        Label::parse(category, sub).expect("label")
    }

    fn small_model() -> Classifier {
        let tokenizer = Tokenizer::shared();
        let texts = [
            ("工地晚上施工打桩太吵", label("noise", Some("construction"))),
            (
                "半夜工地还在施工，电锯声很吵",
                label("noise", Some("construction")),
            ),
            ("楼上装修电钻太吵", label("noise", Some("social_life"))),
            (
                "饭店油烟直排熏得人难受",
                label("air", Some("cooking_fumes")),
            ),
            ("烧烤店油烟很大", label("air", Some("cooking_fumes"))),
            ("土壤被重金属污染", label("soil", None)),
            ("农田的土壤被污染了", label("soil", None)),
        ];
        let examples: Vec<Example<'_>> = texts
            .iter()
            .map(|(text, label)| Example {
                text,
                label: *label,
                weight: 1.0,
            })
            .collect();
        let settings = TrainSettings {
            min_docs: 1.0,
            ..TrainSettings::default()
        };
        Classifier::train(tokenizer, &examples, &settings).expect("trains")
    }

    #[test]
    fn a_model_round_trips_through_its_file() {
        let tokenizer = Tokenizer::shared();
        let model = small_model();
        let again = Classifier::from_model_text(&model.to_model_text()).expect("reads");
        let text = "半夜工地施工太吵了";
        let (p, q) = (
            model.predict(tokenizer, text),
            again.predict(tokenizer, text),
        );
        assert_eq!(p.category, q.category);
        assert_eq!(p.subcategory, q.subcategory);
        assert!((p.confidence - q.confidence).abs() < 1e-3, "{p:?} {q:?}");
        assert_eq!(p.category.code(), "noise");
        assert_eq!(p.subcategory.map(|s| s.code()), Some("construction"));
    }

    #[test]
    fn the_same_data_gives_the_same_model() {
        assert_eq!(small_model().to_model_text(), small_model().to_model_text());
    }

    #[test]
    fn confidences_are_probabilities() {
        let p = small_model().predict(Tokenizer::shared(), "油烟太大了");
        assert!((0.0..=1.0).contains(&p.confidence), "{p:?}");
        assert!((0.0..=1.0).contains(&p.subcategory_confidence), "{p:?}");
        assert_eq!(p.category.code(), "air");
    }

    #[test]
    fn a_text_with_no_known_feature_still_gets_a_label() {
        let model = small_model();
        let p = model.predict(Tokenizer::shared(), "？？？");
        assert!(model.labels().iter().any(|l| l.category == p.category));
    }

    #[test]
    fn a_sub_type_of_another_type_is_refused() {
        assert!(Label::parse("water", Some("construction")).is_err());
        assert!(Label::parse("soil", None).is_ok());
    }

    #[test]
    fn a_file_of_another_kind_or_version_is_refused() {
        assert!(Classifier::from_model_text("hello\n").is_err());
        let v1 = "greenline-text classifier v1\nlabels\tsoil\ndocs\t1\n";
        let error = Classifier::from_model_text(v1).expect_err("v1 is refused");
        assert!(error.to_string().contains("greenline train"), "{error}");
    }

    #[test]
    fn a_weight_for_an_output_that_does_not_exist_is_refused() {
        let text =
            "greenline-text classifier v2\ntypes\tsoil\nlabels\tsoil\nbias\t0\t0\nw:土\t7:1\n";
        assert!(Classifier::from_model_text(text).is_err());
    }
}
