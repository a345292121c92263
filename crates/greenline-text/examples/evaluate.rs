//! The shipped classifier against the hand-labelled development set
//! (`data/text/dev/complaints.jsonl`), which no model is trained on: prints every miss and the
//! accuracies, and exits non-zero below the targets (type ≥ 90%, sub-type ≥ 75%).
//!
//! `cargo run -p greenline-text --example evaluate`

use greenline_text::{Classifier, Tokenizer};

const DEV: &str = include_str!("../../../data/text/dev/complaints.jsonl");

#[derive(serde::Deserialize)]
struct Labelled {
    text: String,
    category: String,
    subcategory: Option<String>,
}

fn main() -> std::process::ExitCode {
    let model = match Classifier::shipped() {
        Ok(model) => model,
        Err(e) => {
            eprintln!("the shipped model does not load: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let tokenizer = Tokenizer::shared();
    let mut set = Vec::new();
    for (i, line) in DEV.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        match serde_json::from_str::<Labelled>(line) {
            Ok(item) => set.push(item),
            Err(e) => {
                eprintln!("dev line {}: {e}", i + 1);
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let (mut types, mut subs) = (0usize, 0usize);
    for item in &set {
        let p = model.predict(tokenizer, &item.text);
        let type_right = p.category.code() == item.category;
        let sub_right =
            type_right && p.subcategory.map(|s| s.code()) == item.subcategory.as_deref();
        types += usize::from(type_right);
        subs += usize::from(sub_right);
        if !sub_right {
            println!(
                "miss: {} -> {}/{} ({:.2}) expected {}/{}",
                item.text,
                p.category.code(),
                p.subcategory.map(|s| s.code()).unwrap_or("-"),
                p.confidence,
                item.category,
                item.subcategory.as_deref().unwrap_or("-")
            );
        }
    }
    let n = set.len() as f64;
    let (type_accuracy, sub_accuracy) = (types as f64 / n, subs as f64 / n);
    println!(
        "development set: {} texts; type accuracy {:.1}% ({types}), sub-type accuracy {:.1}% ({subs}); targets 90% and 75%",
        set.len(),
        type_accuracy * 100.0,
        sub_accuracy * 100.0
    );
    if set.len() >= 300 && type_accuracy >= 0.90 && sub_accuracy >= 0.75 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
