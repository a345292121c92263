//! `greenline train`: a type classifier from labelled case texts, written as a model file that
//! `greenline text classify --model` (or a build replacing
//! `crates/greenline-text/data/text/model-v2.tsv`) uses.
//!
//! Case records (CSV, JSON Lines or Parquet, as `import` reads them) give their `description`
//! with `primary_type` and `sub_type`; `--examples` adds JSON Lines of `text`, `category`,
//! `subcategory` (hand-written phrases, say). Unusable lines are reported with their number and
//! left out.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use anyhow::{Context, bail};
use clap::Args;
use greenline_store::Store;
use greenline_text::classify::TrainSettings;
use greenline_text::{Classifier, Example, Label, Tokenizer};

use crate::records::{RecordReader, format_of};

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Case records to learn from (CSV, JSON Lines or Parquet); repeat for several files.
    #[arg(long = "input", value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Learn from the cases whose types staff reviewed in the database (`--database`).
    #[arg(long)]
    pub reviewed: bool,
    /// JSON Lines of `text`, `category`, `subcategory` to learn from as well; repeat for several.
    #[arg(long = "examples", value_name = "FILE")]
    pub examples: Vec<PathBuf>,
    /// How much each line of --examples counts against one case record.
    #[arg(long, default_value_t = 20.0)]
    pub examples_weight: f64,
    /// The model file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Leave out features whose texts weigh less than this together (a case record weighs 1).
    #[arg(long, default_value_t = TrainSettings::default().min_docs)]
    pub min_docs: f64,
    /// Keep at most this many features (the most frequent).
    #[arg(long, default_value_t = TrainSettings::default().max_features)]
    pub max_features: usize,
    /// Passes over the data.
    #[arg(long, default_value_t = TrainSettings::default().epochs)]
    pub epochs: usize,
    /// Seed of the order in which texts are drawn: the same data and seed give the same model.
    #[arg(long, default_value_t = TrainSettings::default().seed)]
    pub seed: u64,
}

/// The texts and types of the cases staff reviewed, read page by page.
pub async fn reviewed(store: &Store) -> anyhow::Result<Vec<(String, Label, f64)>> {
    let mut texts = Vec::new();
    let mut after = 0;
    loop {
        let page = store.reviewed_texts(after, 10_000).await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (id, text, category, sub_type) in page {
            match Label::parse(&category, sub_type.as_deref()) {
                Ok(label) if !text.trim().is_empty() => texts.push((text, label, 1.0)),
                Ok(_) => {}
                Err(e) => eprintln!("case {id}: {e}"),
            }
        }
    }
    eprintln!("{} reviewed cases read from the database", texts.len());
    Ok(texts)
}

/// Trains on the files the arguments name and `texts` (read from the database, or none).
pub fn run(args: &TrainArgs, mut texts: Vec<(String, Label, f64)>) -> anyhow::Result<()> {
    if args.inputs.is_empty() && args.examples.is_empty() && !args.reviewed {
        bail!("give case records (--input), examples (--examples) or --reviewed to learn from");
    }
    if args.reviewed && texts.is_empty() {
        bail!("no case in the database has reviewed types yet");
    }
    let mut skipped = 0u64;
    for path in &args.inputs {
        let reader = RecordReader::open(path, format_of(path, None), Arc::new(AtomicU64::new(0)))?;
        for (line, record) in reader {
            let labelled = record.and_then(|r| {
                Label::parse(&r.primary_type, r.sub_type.as_deref())
                    .map(|label| (r.description, label))
                    .map_err(|e| e.to_string())
            });
            match labelled {
                Ok((text, label)) if !text.trim().is_empty() => texts.push((text, label, 1.0)),
                Ok(_) => skipped += 1,
                Err(e) => {
                    eprintln!("{}: line {line}: {e}", path.display());
                    skipped += 1;
                }
            }
        }
    }
    for path in &args.examples {
        read_examples(path, args.examples_weight, &mut texts, &mut skipped)?;
    }
    let examples: Vec<Example<'_>> = texts
        .iter()
        .map(|(text, label, weight)| Example {
            text,
            label: *label,
            weight: *weight,
        })
        .collect();
    let settings = TrainSettings {
        min_docs: args.min_docs,
        max_features: args.max_features,
        epochs: args.epochs,
        seed: args.seed,
        ..TrainSettings::default()
    };
    let model = Classifier::train(Tokenizer::shared(), &examples, &settings)?;
    std::fs::write(&args.out, model.to_model_text())
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "trained on {} texts ({skipped} left out), {} labels, {} features; model written to {}",
        examples.len(),
        model.labels().len(),
        model.feature_count(),
        args.out.display()
    );
    Ok(())
}

#[derive(serde::Deserialize)]
struct LabelledText {
    text: String,
    category: String,
    subcategory: Option<String>,
}

fn read_examples(
    path: &Path,
    weight: f64,
    texts: &mut Vec<(String, Label, f64)>,
    skipped: &mut u64,
) -> anyhow::Result<()> {
    let content =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    for (index, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<LabelledText>(line)
            .map_err(|e| e.to_string())
            .and_then(|l| {
                Label::parse(&l.category, l.subcategory.as_deref())
                    .map(|label| (l.text, label))
                    .map_err(|e| e.to_string())
            });
        match parsed {
            Ok((text, label)) => texts.push((text, label, weight)),
            Err(e) => {
                eprintln!("{}: line {}: {e}", path.display(), index + 1);
                *skipped += 1;
            }
        }
    }
    Ok(())
}
