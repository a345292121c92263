//! Type classification (类型研判): a suggested pollution type and sub-type with a confidence.
//!
//! The model is multinomial naive Bayes over the text's jieba words and its Chinese character
//! bigrams, each counted once per text. Its labels are the (type, sub-type) pairs of the
//! taxonomy; the suggested type is the one whose sub-types together are most probable, and the
//! sub-type the most probable within it. Naive Bayes was chosen because it trains in one pass
//! from an agency's confirmed cases, needs no tuning, and is fast enough to classify tens of
//! thousands of texts a second on one core.
//!
//! Models are versioned text files (`greenline-text classifier v1`); the default one ships as
//! `data/text/model-v1.tsv` and is trained by `greenline train` from case records.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::LazyLock;

use greenline_domain::{PollutionType, SubType};

use crate::{Gazetteer, TextError, Tokenizer};

const SHIPPED_MODEL: &str = include_str!("../../../data/text/model-v1.tsv");
const MAGIC: &str = "greenline-text classifier v1";
/// Additive smoothing of feature counts.
const ALPHA: f64 = 0.1;

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
    labels: Vec<Label>,
    /// Per label: weighted number of training texts.
    docs: Vec<f64>,
    /// Per feature: weighted count per label.
    counts: HashMap<String, Vec<f64>>,
    // Derived when built or loaded.
    log_prior: Vec<f64>,
    log_likelihood: HashMap<String, Vec<f64>>,
}

static SHIPPED: LazyLock<Result<Classifier, TextError>> =
    LazyLock::new(|| Classifier::from_model_text(SHIPPED_MODEL));

/// The features of a text: its words (`w:`) and Chinese character bigrams (`b:`), once each.
/// Region names are masked first: where a complaint is says nothing about what it is about, and
/// left in they let a model learn the training set's regional mix.
pub fn features(tokenizer: &Tokenizer, text: &str) -> Vec<String> {
    let mut masked = String::with_capacity(text.len());
    let mut from = 0;
    for mention in Gazetteer::shared().mentions(text) {
        masked.push_str(&text[from..mention.start]);
        masked.push('，');
        from = mention.end;
    }
    masked.push_str(&text[from..]);
    let text = masked.as_str();
    let mut seen = HashSet::new();
    for word in tokenizer.words(text) {
        seen.insert(format!("w:{word}"));
    }
    let chars: Vec<char> = text.chars().collect();
    for pair in chars.windows(2) {
        if pair.iter().all(|c| is_han(*c)) {
            seen.insert(format!("b:{}{}", pair[0], pair[1]));
        }
    }
    let mut features: Vec<String> = seen.into_iter().collect();
    features.sort_unstable();
    features
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

impl Classifier {
    /// The default model that ships with Greenline.
    pub fn shipped() -> Result<&'static Classifier, &'static TextError> {
        SHIPPED.as_ref()
    }

    /// Trains on examples. Features seen in fewer than `min_docs` texts are dropped, and at most
    /// `max_features` are kept (the most frequent).
    pub fn train(
        tokenizer: &Tokenizer,
        examples: &[Example<'_>],
        min_docs: usize,
        max_features: usize,
    ) -> Result<Classifier, TextError> {
        if examples.is_empty() {
            return Err(TextError::Training("no labelled texts".into()));
        }
        let mut labels: Vec<Label> = Vec::new();
        let mut index: HashMap<Label, usize> = HashMap::new();
        for example in examples {
            index.entry(example.label).or_insert_with(|| {
                labels.push(example.label);
                labels.len() - 1
            });
        }
        let mut docs = vec![0.0; labels.len()];
        let mut counts: HashMap<String, Vec<f64>> = HashMap::new();
        let mut doc_freq: HashMap<String, usize> = HashMap::new();
        for example in examples {
            let label = index[&example.label];
            docs[label] += example.weight;
            for feature in features(tokenizer, example.text) {
                *doc_freq.entry(feature.clone()).or_default() += 1;
                counts
                    .entry(feature)
                    .or_insert_with(|| vec![0.0; labels.len()])[label] += example.weight;
            }
        }
        let mut kept: Vec<(String, usize)> = doc_freq
            .into_iter()
            .filter(|(_, n)| *n >= min_docs)
            .collect();
        kept.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.truncate(max_features);
        let kept: HashSet<String> = kept.into_iter().map(|(f, _)| f).collect();
        counts.retain(|feature, _| kept.contains(feature));
        Ok(Classifier::derive(labels, docs, counts))
    }

    fn derive(labels: Vec<Label>, docs: Vec<f64>, counts: HashMap<String, Vec<f64>>) -> Classifier {
        let n = labels.len();
        let total_docs: f64 = docs.iter().sum();
        let log_prior = docs
            .iter()
            .map(|d| ((d + 1.0) / (total_docs + n as f64)).ln())
            .collect();
        let vocabulary = counts.len() as f64;
        let mut totals = vec![0.0; n];
        for row in counts.values() {
            for (total, count) in totals.iter_mut().zip(row) {
                *total += count;
            }
        }
        let log_likelihood = counts
            .iter()
            .map(|(feature, row)| {
                let logs = row
                    .iter()
                    .zip(&totals)
                    .map(|(count, total)| ((count + ALPHA) / (total + ALPHA * vocabulary)).ln())
                    .collect();
                (feature.clone(), logs)
            })
            .collect();
        Classifier {
            labels,
            docs,
            counts,
            log_prior,
            log_likelihood,
        }
    }

    /// The labels the model knows.
    pub fn labels(&self) -> &[Label] {
        &self.labels
    }

    /// Suggests a type and sub-type for a text.
    pub fn predict(&self, tokenizer: &Tokenizer, text: &str) -> Prediction {
        let mut scores = self.log_prior.clone();
        let mut used = 0usize;
        for feature in features(tokenizer, text) {
            if let Some(logs) = self.log_likelihood.get(&feature) {
                used += 1;
                for (score, log) in scores.iter_mut().zip(logs) {
                    *score += log;
                }
            }
        }
        // Naive Bayes counts correlated features as independent evidence and so is
        // overconfident; tempering by the number of features keeps the probabilities usable.
        let temperature = 1.0 + used as f64 / 8.0;
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = scores
            .iter()
            .map(|s| ((s - max) / temperature).exp())
            .collect();
        let total: f64 = weights.iter().sum();
        let mut by_type: Vec<(PollutionType, f64)> = Vec::new();
        for (label, weight) in self.labels.iter().zip(&weights) {
            match by_type.iter_mut().find(|(t, _)| *t == label.category) {
                Some((_, sum)) => *sum += weight,
                None => by_type.push((label.category, *weight)),
            }
        }
        let (category, type_weight) = by_type
            .iter()
            .copied()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((self.labels[0].category, 0.0));
        let (subcategory, sub_weight) = self
            .labels
            .iter()
            .zip(&weights)
            .filter(|(label, _)| label.category == category)
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(label, weight)| (label.subcategory, *weight))
            .unwrap_or((None, 0.0));
        Prediction {
            category,
            subcategory,
            confidence: if total > 0.0 {
                type_weight / total
            } else {
                0.0
            },
            subcategory_confidence: if type_weight > 0.0 {
                sub_weight / type_weight
            } else {
                0.0
            },
        }
    }

    /// The model as its versioned text file.
    pub fn to_model_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{MAGIC}");
        let keys: Vec<String> = self.labels.iter().map(Label::key).collect();
        let _ = writeln!(out, "labels\t{}", keys.join("\t"));
        let docs: Vec<String> = self.docs.iter().map(|d| format_count(*d)).collect();
        let _ = writeln!(out, "docs\t{}", docs.join("\t"));
        let mut features: Vec<&String> = self.counts.keys().collect();
        features.sort_unstable();
        for feature in features {
            let row = &self.counts[feature];
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .filter(|(_, c)| **c > 0.0)
                .map(|(i, c)| format!("{i}:{}", format_count(*c)))
                .collect();
            let _ = writeln!(out, "{feature}\t{}", cells.join(" "));
        }
        out
    }

    /// Reads a model file written by [`Classifier::to_model_text`].
    pub fn from_model_text(text: &str) -> Result<Classifier, TextError> {
        let mut lines = text.lines();
        if lines.next().map(str::trim) != Some(MAGIC) {
            return Err(TextError::Model(format!(
                "not a model file: expected '{MAGIC}'"
            )));
        }
        let labels = lines
            .next()
            .and_then(|l| l.strip_prefix("labels\t"))
            .ok_or_else(|| TextError::Model("no labels line".into()))?
            .split('\t')
            .map(Label::from_key)
            .collect::<Result<Vec<_>, _>>()?;
        let docs = lines
            .next()
            .and_then(|l| l.strip_prefix("docs\t"))
            .ok_or_else(|| TextError::Model("no docs line".into()))?
            .split('\t')
            .map(|d| d.parse::<f64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TextError::Model(format!("docs: {e}")))?;
        if docs.len() != labels.len() {
            return Err(TextError::Model("docs and labels differ in number".into()));
        }
        let mut counts = HashMap::new();
        for (number, line) in lines.enumerate() {
            let bad = || TextError::Model(format!("feature line {}: {line}", number + 4));
            let (feature, cells) = line.split_once('\t').ok_or_else(bad)?;
            let mut row = vec![0.0; labels.len()];
            for cell in cells.split(' ').filter(|c| !c.is_empty()) {
                let (i, count) = cell.split_once(':').ok_or_else(bad)?;
                let i: usize = i.parse().map_err(|_| bad())?;
                let count: f64 = count.parse().map_err(|_| bad())?;
                *row.get_mut(i).ok_or_else(bad)? = count;
            }
            counts.insert(feature.to_owned(), row);
        }
        Ok(Classifier::derive(labels, docs, counts))
    }
}

fn format_count(count: f64) -> String {
    if count.fract() == 0.0 {
        format!("{count:.0}")
    } else {
        format!("{count:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(category: &str, sub: Option<&str>) -> Label {
        Label::parse(category, sub).expect("label")
    }

    #[test]
    fn a_model_round_trips_through_its_file() {
        let tokenizer = Tokenizer::shared();
        let examples = [
            Example {
                text: "工地晚上施工打桩太吵",
                label: label("noise", Some("construction")),
                weight: 1.0,
            },
            Example {
                text: "饭店油烟直排熏得人难受",
                label: label("air", Some("cooking_fumes")),
                weight: 1.0,
            },
            Example {
                text: "土壤被重金属污染",
                label: label("soil", None),
                weight: 1.0,
            },
        ];
        let model = Classifier::train(tokenizer, &examples, 1, 1000).expect("trains");
        let again = Classifier::from_model_text(&model.to_model_text()).expect("reads");
        let text = "半夜工地施工太吵了";
        assert_eq!(
            model.predict(tokenizer, text),
            again.predict(tokenizer, text)
        );
        assert_eq!(model.predict(tokenizer, text).category.code(), "noise");
    }

    #[test]
    fn a_sub_type_of_another_type_is_refused() {
        assert!(Label::parse("water", Some("construction")).is_err());
        assert!(Label::parse("soil", None).is_ok());
    }

    #[test]
    fn a_file_of_another_kind_is_refused() {
        assert!(Classifier::from_model_text("hello\n").is_err());
    }
}
