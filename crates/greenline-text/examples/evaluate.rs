//! The classifier against both hand-labelled sets, which no model is trained on:
//! `data/text/dev/complaints.jsonl` (the development set, with every miss printed) and
//! `data/text/dev/holdout.jsonl` (held out for final measurement: figures and the confusion of
//! types only — its misses are not printed, since reading them would spend it). Exits non-zero
//! below the targets (type ≥ 90%, sub-type ≥ 75%) on either set.
//!
//! `cargo run --release -p greenline-text --example evaluate [-- --model FILE]`
//! (default: the shipped model).

use std::process::ExitCode;

use greenline_text::classify::Evaluation;
use greenline_text::{Classifier, Example, Label, Tokenizer};

const DEVELOPMENT: &str = include_str!("../data/text/dev/complaints.jsonl");
const HOLDOUT: &str = include_str!("../data/text/dev/holdout.jsonl");
const TYPE_TARGET: f64 = 0.90;
const SUB_TYPE_TARGET: f64 = 0.75;

#[derive(serde::Deserialize)]
struct Labelled {
    text: String,
    category: String,
    subcategory: Option<String>,
}

fn read(name: &str, content: &str) -> Result<Vec<(String, Label)>, String> {
    content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let item: Labelled =
                serde_json::from_str(line).map_err(|e| format!("{name} line {}: {e}", i + 1))?;
            let label = Label::parse(&item.category, item.subcategory.as_deref())
                .map_err(|e| format!("{name} line {}: {e}", i + 1))?;
            Ok((item.text, label))
        })
        .collect()
}

fn report(name: &str, evaluation: &Evaluation, show_misses: bool) -> bool {
    if show_misses {
        for miss in &evaluation.misses {
            let p = &miss.predicted;
            let predicted = Label {
                category: p.category,
                subcategory: p.subcategory,
            };
            println!(
                "miss: {} -> {} ({:.2}) expected {}",
                miss.text,
                predicted.key(),
                p.confidence,
                miss.expected.key()
            );
        }
    }
    println!(
        "{name}: {} texts; type accuracy {:.1}% ({}), sub-type accuracy {:.1}% ({}); targets {:.0}% and {:.0}%",
        evaluation.texts,
        evaluation.type_accuracy() * 100.0,
        evaluation.types_right,
        evaluation.sub_type_accuracy() * 100.0,
        evaluation.sub_types_right,
        TYPE_TARGET * 100.0,
        SUB_TYPE_TARGET * 100.0,
    );
    let wrong: Vec<String> = evaluation
        .confusion
        .iter()
        .filter(|(expected, predicted, _)| expected != predicted)
        .map(|(expected, predicted, n)| format!("{expected}→{predicted} {n}"))
        .collect();
    println!(
        "  types confused: {}",
        if wrong.is_empty() {
            "none".to_owned()
        } else {
            wrong.join(", ")
        }
    );
    evaluation.type_accuracy() >= TYPE_TARGET && evaluation.sub_type_accuracy() >= SUB_TYPE_TARGET
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let owned;
    let model = match args.as_slice() {
        [] => match Classifier::shipped() {
            Ok(model) => model,
            Err(e) => {
                eprintln!("the shipped model does not load: {e}");
                return ExitCode::FAILURE;
            }
        },
        [flag, path] if flag == "--model" => {
            match std::fs::read_to_string(path)
                .map_err(|e| e.to_string())
                .and_then(|t| Classifier::from_model_text(&t).map_err(|e| e.to_string()))
            {
                Ok(model) => {
                    owned = model;
                    &owned
                }
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        _ => {
            eprintln!("usage: evaluate [--model FILE]");
            return ExitCode::FAILURE;
        }
    };
    let tokenizer = Tokenizer::shared();
    let mut all_met = true;
    for (name, content, show_misses) in [
        ("development set (complaints.jsonl)", DEVELOPMENT, true),
        ("held-out set (holdout.jsonl)", HOLDOUT, false),
    ] {
        let set = match read(name, content) {
            Ok(set) => set,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        let examples: Vec<Example<'_>> = set
            .iter()
            .map(|(text, label)| Example {
                text,
                label: *label,
                weight: 1.0,
            })
            .collect();
        all_met &= report(name, &model.evaluate(tokenizer, &examples), show_misses);
    }
    if all_met {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
