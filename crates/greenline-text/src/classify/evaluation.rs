//! Measuring a model against labelled texts: accuracy by type and by sub-type, the confusion
//! between types, and the misses.
//!
//! A sub-type counts as right only when the type is right too; a type without sub-types (土壤,
//! 海洋, 其他) is right at both levels when the type is.

use greenline_domain::PollutionType;

use super::{Classifier, Example, Label, Prediction};
use crate::Tokenizer;

/// One text the model got wrong (at either level).
#[derive(Debug, Clone)]
pub struct Miss {
    pub text: String,
    pub expected: Label,
    pub predicted: Prediction,
}

/// How a model did on a set of labelled texts.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub texts: usize,
    pub types_right: usize,
    pub sub_types_right: usize,
    /// (expected type, predicted type, texts), for every pair that occurs, largest first.
    pub confusion: Vec<(PollutionType, PollutionType, usize)>,
    pub misses: Vec<Miss>,
}

impl Evaluation {
    /// Share of texts whose type is right.
    pub fn type_accuracy(&self) -> f64 {
        ratio(self.types_right, self.texts)
    }

    /// Share of texts whose type and sub-type are right.
    pub fn sub_type_accuracy(&self) -> f64 {
        ratio(self.sub_types_right, self.texts)
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl Classifier {
    /// Predicts every example and compares (weights are ignored: each text counts once).
    pub fn evaluate(&self, tokenizer: &Tokenizer, examples: &[Example<'_>]) -> Evaluation {
        let mut evaluation = Evaluation {
            texts: examples.len(),
            ..Evaluation::default()
        };
        for example in examples {
            let predicted = self.predict(tokenizer, example.text);
            let type_right = predicted.category == example.label.category;
            let sub_right = type_right && predicted.subcategory == example.label.subcategory;
            evaluation.types_right += usize::from(type_right);
            evaluation.sub_types_right += usize::from(sub_right);
            let pair = (example.label.category, predicted.category);
            match evaluation
                .confusion
                .iter_mut()
                .find(|(e, p, _)| (*e, *p) == pair)
            {
                Some((_, _, n)) => *n += 1,
                None => evaluation.confusion.push((pair.0, pair.1, 1)),
            }
            if !sub_right {
                evaluation.misses.push(Miss {
                    text: example.text.to_owned(),
                    expected: example.label,
                    predicted,
                });
            }
        }
        evaluation.confusion.sort_by(|a, b| {
            b.2.cmp(&a.2)
                .then_with(|| a.0.code().cmp(b.0.code()))
                .then_with(|| a.1.code().cmp(b.1.code()))
        });
        evaluation
    }
}
