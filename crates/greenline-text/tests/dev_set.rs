//! Place resolution against the hand-labelled development set (`data/text/dev/complaints.jsonl`):
//! fails below 90% exact at the labelled level. The classifier is measured on the same set by
//! `cargo run -p greenline-text --example evaluate`, which fails below its targets.

use greenline_domain::RegionCode;
use greenline_text::Gazetteer;

const DEV: &str = include_str!("../../../data/text/dev/complaints.jsonl");

#[derive(serde::Deserialize)]
struct Labelled {
    text: String,
    region: Option<String>,
}

fn dev_set() -> Vec<Labelled> {
    DEV.lines()
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
