//! The shipped model and the gazetteer against the hand-labelled sets, which no model is trained
//! on: the development set (`data/text/dev/complaints.jsonl`) and the held-out set
//! (`data/text/dev/holdout.jsonl`). Fails below the targets: type ≥ 90% and sub-type ≥ 75% on
//! each set, place exact at the labelled level ≥ 90% on the development set.
//! `cargo run --release -p greenline-text --example evaluate` prints the classifier's figures, the
//! confusion of types and the development set's misses.

use greenline_domain::RegionCode;
use greenline_text::{Classifier, Example, Gazetteer, Label, Tokenizer};

const DEV: &str = include_str!("../data/text/dev/complaints.jsonl");
const HOLDOUT: &str = include_str!("../data/text/dev/holdout.jsonl");

#[derive(serde::Deserialize)]
struct Labelled {
    text: String,
    category: String,
    subcategory: Option<String>,
    region: Option<String>,
}

fn dev_set() -> Vec<Labelled> {
    read(DEV)
}

fn read(content: &str) -> Vec<Labelled> {
    content
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("dev line {}: {e}", i + 1)))
        .collect()
}

#[test]
fn place_resolution_meets_its_target_on_the_development_set() {
    let gazetteer = Gazetteer::shared();
    let set = dev_set();
    let (mut labelled, mut exact, mut false_places, mut unplaced) =
        (0usize, 0usize, 0usize, 0usize);
    for item in &set {
        let found = gazetteer.locate(&item.text).region;
        match &item.region {
            Some(code) => {
                labelled += 1;
                let expected = RegionCode::parse(code).expect("dev region codes are valid");
                let expected = (expected != RegionCode::NATIONAL).then_some(expected);
                if found == expected {
                    exact += 1;
                } else {
                    println!("miss: {} -> {found:?} expected {expected:?}", item.text);
                }
            }
            None => {
                unplaced += 1;
                if let Some(found) = found {
                    false_places += 1;
                    println!("place where none is named: {} -> {found:?}", item.text);
                }
            }
        }
    }
    let accuracy = exact as f64 / labelled as f64;
    println!(
        "development set: {labelled} texts name a place, {exact} resolved exactly ({:.1}%); \
         {false_places} of {unplaced} texts without a place were given one",
        accuracy * 100.0
    );
    assert!(labelled >= 100, "only {labelled} texts name a place");
    assert!(accuracy >= 0.90, "place accuracy {accuracy:.3} < 0.90");
}

/// The shipped model's type and sub-type accuracy on a set, printed and checked.
fn assert_classifier_targets(name: &str, content: &str) {
    let set = read(content);
    let labels: Vec<Label> = set
        .iter()
        .map(|item| {
            Label::parse(&item.category, item.subcategory.as_deref())
                .unwrap_or_else(|e| panic!("{name}: {}: {e}", item.text))
        })
        .collect();
    let examples: Vec<Example<'_>> = set
        .iter()
        .zip(&labels)
        .map(|(item, label)| Example {
            text: &item.text,
            label: *label,
            weight: 1.0,
        })
        .collect();
    let model = Classifier::shipped().expect("the shipped model loads");
    let evaluation = model.evaluate(Tokenizer::shared(), &examples);
    println!(
        "{name}: {} texts, type accuracy {:.1}%, sub-type accuracy {:.1}%",
        evaluation.texts,
        evaluation.type_accuracy() * 100.0,
        evaluation.sub_type_accuracy() * 100.0
    );
    assert!(
        evaluation.texts >= 200,
        "{name} has {} texts",
        evaluation.texts
    );
    assert!(
        evaluation.type_accuracy() >= 0.90,
        "{name}: type accuracy {:.3} < 0.90",
        evaluation.type_accuracy()
    );
    assert!(
        evaluation.sub_type_accuracy() >= 0.75,
        "{name}: sub-type accuracy {:.3} < 0.75",
        evaluation.sub_type_accuracy()
    );
}

#[test]
fn the_classifier_meets_its_targets_on_the_development_set() {
    assert_classifier_targets("development set", DEV);
}

#[test]
fn the_classifier_meets_its_targets_on_the_held_out_set() {
    assert_classifier_targets("held-out set", HOLDOUT);
}
