//! Place resolution on its own hand-written set (`data/text/place/places.tsv`): old names,
//! townships, names inside other words, municipalities' districts, short forms, district names
//! several cities share. Exact: the region resolved is the one expected (province, city and
//! county alike), or none where none may be claimed.
//!
//! The development part is measured on every run. A sealed test part is measured once, at the
//! end, with `cargo test -p greenline-text --test place_set -- --ignored` (the figures are in
//! `data/text/README.md`), and becomes development data after it.

use std::collections::BTreeMap;

use greenline_text::place::Gazetteer;

const SET: &str = include_str!("../data/text/place/places.tsv");

struct Example {
    kind: &'static str,
    part: &'static str,
    expected: Option<String>,
    text: &'static str,
}

fn examples() -> Vec<Example> {
    SET.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            assert_eq!(fields.len(), 4, "{l}");
            Example {
                kind: fields[0],
                part: fields[1],
                expected: (fields[2] != "000000").then(|| fields[2].to_owned()),
                text: fields[3],
            }
        })
        .collect()
}

/// Exact accuracy over the part, overall and per kind, printing each miss.
fn measure(part: &str) -> f64 {
    let gazetteer = Gazetteer::shared();
    let mut per_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let (mut right, mut all) = (0, 0);
    for e in examples().iter().filter(|e| e.part == part) {
        let found = gazetteer.locate(e.text).region.map(|r| r.to_string());
        let ok = found == e.expected;
        let entry = per_kind.entry(e.kind).or_default();
        entry.1 += 1;
        all += 1;
        if ok {
            entry.0 += 1;
            right += 1;
        } else {
            println!(
                "miss [{}] {}: expected {:?}, found {found:?}",
                e.kind, e.text, e.expected
            );
        }
    }
    for (kind, (r, n)) in &per_kind {
        println!("{part} {kind}: {r}/{n}");
    }
    let accuracy = right as f64 / all as f64;
    println!("{part}: {right}/{all} exact = {accuracy:.3}");
    accuracy
}

#[test]
fn the_set_is_split_once_and_every_expected_region_exists() {
    let all = examples();
    assert!(all.len() >= 80);
    for e in &all {
        assert!(matches!(e.part, "dev" | "test" | "spent"), "{}", e.text);
        if let Some(code) = &e.expected {
            assert!(
                greenline_domain::RegionCode::parse(code).is_ok(),
                "{code} of {}",
                e.text
            );
        }
    }
}

#[test]
fn place_resolution_on_the_development_part() {
    let accuracy = measure("dev");
    assert!(accuracy >= 0.95, "dev accuracy {accuracy:.3}");
}

#[test]
#[ignore = "the parts measured once as sealed parts, for development"]
fn place_resolution_on_the_spent_parts() {
    measure("spent");
}

#[test]
#[ignore = "the sealed test part: measured once, not to be tuned on"]
fn place_resolution_on_the_sealed_test_part() {
    if examples().iter().any(|e| e.part == "test") {
        measure("test");
    } else {
        println!(
            "no sealed part: every set written so far was measured once and is development data"
        );
    }
}
