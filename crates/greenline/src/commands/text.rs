//! `greenline text classify`, `locate` and `same-source`: JSON Lines on standard input, each line
//! with its results added on standard output. `greenline text topics`: the hot topics of a
//! period among the JSON Lines read.
//!
//! Every field of an input line passes through unchanged; `classify` adds `predicted`, `locate`
//! adds `region` (and `address` where a street address follows the region), `same-source` adds
//! `same_source`, `score` and `evidence`. A line that is not a JSON object with the strings the
//! command reads (`text`, or `a` and `b`) is reported on standard error with its line number, the
//! other lines go on, and the command fails at the end if any line did.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use chrono::Months;
use clap::{Args, Subcommand};
use greenline_domain::RegionCode;
use greenline_domain::deadline::local_date;
use greenline_domain::record::parse_time;
use greenline_report::Period;
use greenline_text::source::score_texts;
use greenline_text::{Classifier, DocFreq, Gazetteer, Tokenizer, TopicOptions, hot_topics};
use serde_json::{Map, Value, json};

#[derive(Debug, Subcommand)]
pub enum TextCommand {
    /// Suggest the pollution type and sub-type of each line's `text`: adds `predicted`
    /// {category, subcategory, confidence}.
    Classify(ClassifyArgs),
    /// Find the administrative region each line's `text` names: adds `region` {code, province,
    /// city, county}, with levels that are not certain null, and `address`.
    Locate,
    /// Whether each line's texts `a` and `b` are about the same source (重复举报): adds
    /// `same_source` (true/false), `score` (0–1) and `evidence` (what matched or differed).
    SameSource,
    /// Fit the same-source scorer on labelled pairs and write its model file (see
    /// `crates/greenline-text/data/text/README.md`). Pairs of part `train` (and `tune`,
    /// `held_out`) are fitted, `dev` sets the threshold; `test` is never read.
    TrainSameSource(TrainSameSourceArgs),
    /// Hot topics of a period: reads JSON Lines with `text` (or `description`) and
    /// `received_at`, and writes one line per term that stands out in `--period` against the
    /// months before it.
    Topics(TopicsArgs),
}

#[derive(Debug, Args)]
pub struct TrainSameSourceArgs {
    /// Pair files (JSON Lines: `a`, `b`, `same_source`, `kind`, `part`).
    #[arg(long = "pairs", value_name = "FILE", required = true)]
    pub pairs: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The L2 penalty on the weights (0.3: the lowest mistakes with each writer held out in
    /// turn, against 0.1, 0.5 and 1).
    #[arg(long, default_value_t = 0.3)]
    pub l2: f64,
    /// Simulated pairs added to the training part: the suggestions the same-source index makes
    /// on a simulated city's cases, labelled by the simulator's own knowledge of each source.
    #[arg(long, default_value_t = 0)]
    pub simulated: usize,
    /// Simulated suggestions (another seed) that set the index's threshold: the lowest at which
    /// the index's suggestions are right 80 % of the time.
    #[arg(long, default_value_t = 3000)]
    pub index_pairs: usize,
    /// Keep this model's weights and pair threshold, and set only its index threshold (fitting
    /// is skipped; the pairs are still read and measured).
    #[arg(long, value_name = "FILE")]
    pub keep_weights: Option<PathBuf>,
    /// How much each simulated pair counts against a hand-written one.
    #[arg(long, default_value_t = 0.25)]
    pub simulated_weight: f64,
    /// The simulator's seed.
    #[arg(long, default_value_t = 2369)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct TopicsArgs {
    /// `2026-10`, `2026-Q3` or `2026` (China time).
    #[arg(long)]
    pub period: String,
    /// Months before the period that make the background.
    #[arg(long, default_value_t = 12)]
    pub baseline_months: u32,
    /// Terms written at most.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Texts of the period that must contain a term.
    #[arg(long, default_value_t = 5)]
    pub min_count: u64,
}

#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// A model file written by `greenline train` (default: the model that ships).
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
}

pub fn run(command: &TextCommand) -> anyhow::Result<()> {
    match command {
        TextCommand::Classify(args) => {
            let owned;
            let model: &Classifier = match &args.model {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    owned = Classifier::from_model_text(&text)
                        .with_context(|| path.display().to_string())?;
                    &owned
                }
                None => Classifier::shipped().map_err(|e| anyhow::anyhow!("{e}"))?,
            };
            let tokenizer = Tokenizer::shared();
            each_line(&["text"], |texts, line| {
                let text = &texts[0];
                let p = model.predict(tokenizer, text);
                line.insert(
                    "predicted".into(),
                    json!({
                        "category": p.category.code(),
                        "subcategory": p.subcategory.map(|s| s.code()),
                        "confidence": (p.confidence * 1000.0).round() / 1000.0,
                    }),
                );
            })
        }
        TextCommand::Topics(args) => topics(args),
        TextCommand::TrainSameSource(args) => train_same_source(args),
        TextCommand::Locate => {
            let gazetteer = Gazetteer::shared();
            each_line(&["text"], |texts, line| {
                let text = &texts[0];
                let place = gazetteer.locate(text);
                let (province, city, county) = place.levels();
                let name = |code: Option<RegionCode>| code.map(RegionCode::name);
                let region = match place.region {
                    Some(code) => json!({
                        "code": code.to_string(),
                        "province": name(province),
                        "city": name(city),
                        "county": name(county),
                    }),
                    None => Value::Null,
                };
                line.insert("region".into(), region);
                if !place.alternatives.is_empty() {
                    let codes: Vec<String> =
                        place.alternatives.iter().map(|c| c.to_string()).collect();
                    line.insert("region_alternatives".into(), json!(codes));
                }
                if let Some(address) = place.address {
                    line.insert("address".into(), address.into());
                }
            })
        }
        TextCommand::SameSource => each_line(&["a", "b"], |texts, line| {
            let matched = score_texts(&texts[0], &texts[1]);
            line.insert("same_source".into(), matched.same.into());
            line.insert(
                "score".into(),
                json!((matched.score * 1000.0).round() / 1000.0),
            );
            let evidence: Vec<Value> = matched
                .evidence
                .iter()
                .map(|e| json!({"kind": e.kind, "label": e.label, "weight": e.weight}))
                .collect();
            line.insert("evidence".into(), Value::Array(evidence));
        }),
    }
}

fn train_same_source(args: &TrainSameSourceArgs) -> anyhow::Result<()> {
    use greenline_text::source::{
        LabelledPair, example, fit, measure, read_pairs, set_index_threshold,
        threshold_across_writers, train,
    };
    let mut pairs: Vec<LabelledPair> = Vec::new();
    for path in &args.pairs {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        pairs.extend(read_pairs(&text).with_context(|| path.display().to_string())?);
    }
    let sealed = pairs.iter().filter(|p| p.part == "test").count();
    let dev: Vec<LabelledPair> = pairs.iter().filter(|p| p.part == "dev").cloned().collect();
    let mut examples: Vec<_> = pairs
        .iter()
        .filter(|p| p.is_training())
        .map(|p| example(p, 1.0))
        .collect();
    // Each hand-written pair's writer (the prefix of its id), to set the threshold as a new
    // writer's pairs would; pairs without one (and simulated ones) are always fitted on.
    let mut writers: Vec<Option<String>> = pairs
        .iter()
        .filter(|p| p.is_training())
        .map(|p| p.id.split_once('-').map(|(w, _)| w.to_owned()))
        .collect();
    let written = examples.len();
    if args.simulated > 0 {
        examples.extend(
            simulated_examples(args.simulated, args.seed)?
                .into_iter()
                .map(|mut e| {
                    e.weight = args.simulated_weight;
                    e
                }),
        );
    }
    let simulated = examples.len() - written;
    writers.resize(examples.len(), None);
    let mut distinct: Vec<&String> = writers.iter().flatten().collect();
    distinct.sort();
    distinct.dedup();
    let across_writers = distinct.len() >= 2;
    let mut model = match &args.keep_weights {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            greenline_text::source::PairModel::parse(&text)
                .with_context(|| path.display().to_string())?
        }
        None if across_writers => {
            let mut model = fit(&examples, args.l2)?;
            model.threshold = threshold_across_writers(&examples, &writers, args.l2)?;
            model.index_threshold = model.threshold;
            model
        }
        None => train(&examples, &dev, args.l2)?,
    };
    if args.index_pairs > 0 {
        let candidates = simulated_examples(args.index_pairs, args.seed.wrapping_add(1))?;
        let (threshold, precision, recall) = set_index_threshold(&mut model, &candidates);
        eprintln!(
            "index threshold {threshold:.2} on {} simulated suggestions: precision {precision:.3}, \
             recall {recall:.3}",
            candidates.len()
        );
    }
    std::fs::write(&args.out, model.to_text())
        .with_context(|| format!("writing {}", args.out.display()))?;
    if args.keep_weights.is_some() {
        eprintln!("weights and pair threshold {:.2} kept", model.threshold);
    } else {
        let chosen = if across_writers {
            format!(
                "with each of {} writers' pairs held out in turn",
                distinct.len()
            )
        } else {
            format!("on {} dev pairs", dev.len())
        };
        eprintln!(
            "fitted on {written} hand-written pairs and {simulated} simulated ones (weight {}); \
             threshold {:.2} chosen {chosen}",
            args.simulated_weight, model.threshold,
        );
    }
    eprintln!("{sealed} sealed test pairs not read");
    let (all, by_kind) = measure(&dev, &model);
    eprintln!(
        "dev: {} pairs ({} same), precision {:.3}, recall {:.3}, F1 {:.3}",
        all.pairs,
        all.same,
        all.precision(),
        all.recall(),
        all.f1()
    );
    for (kind, f) in by_kind {
        eprintln!(
            "  {kind}: {} pairs ({} same), precision {:.3}, recall {:.3}, F1 {:.3}",
            f.pairs,
            f.same,
            f.precision(),
            f.recall(),
            f.f1()
        );
    }
    Ok(())
}

/// Pairs from the same-source index's suggestions on simulated cases: each new case of a
/// simulated city against its best few candidates, same when the simulator made both from one
/// source.
fn simulated_examples(
    count: usize,
    seed: u64,
) -> anyhow::Result<Vec<greenline_text::source::Example>> {
    use greenline_sim::{Scale, SimConfig, Simulator};
    use greenline_text::source::{KnownCase, index_suggestions};
    let city = RegionCode::parse("320100").map_err(|e| anyhow::anyhow!("{e}"))?;
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).context("start date")?;
    let simulator = Simulator::new(SimConfig {
        seed,
        start,
        days: 3650,
        cases: Some((count * 20) as u64),
        scale: Scale::City(city),
        inject_events: false,
    })
    .map_err(|e| anyhow::anyhow!("simulator: {e}"))?;
    let cases = simulator.filter_map(|(record, truth)| {
        Some(KnownCase {
            region: RegionCode::parse(&record.region).ok()?,
            received_ms: parse_time(&record.received_at)?.timestamp_millis(),
            description: record.description,
            source: truth.source_id,
        })
    });
    Ok(index_suggestions(cases, count, 1.0))
}

/// Reads JSON Lines from standard input, lets `annotate` add fields to each from the strings of
/// the `fields` it reads, writes them out.
fn each_line(
    fields: &[&str],
    mut annotate: impl FnMut(&[String], &mut Map<String, Value>),
) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut failed = 0u64;
    for (index, line) in stdin.lines().enumerate() {
        let number = index + 1;
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let mut object = match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(object)) => object,
            Ok(_) => {
                eprintln!("line {number}: not a JSON object");
                failed += 1;
                continue;
            }
            Err(e) => {
                eprintln!("line {number}: not valid JSON: {e}");
                failed += 1;
                continue;
            }
        };
        let texts: Option<Vec<String>> = fields
            .iter()
            .map(|field| {
                object
                    .get(*field)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        let Some(texts) = texts else {
            let names: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
            eprintln!("line {number}: no {} string", names.join(" and "));
            failed += 1;
            continue;
        };
        annotate(&texts, &mut object);
        serde_json::to_writer(&mut out, &Value::Object(object))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if failed > 0 {
        bail!("{failed} line(s) could not be read");
    }
    Ok(())
}

/// `text topics`: the period's texts against the background months' texts.
fn topics(args: &TopicsArgs) -> anyhow::Result<()> {
    let period = Period::parse(&args.period).map_err(|e| anyhow::anyhow!("--period: {e}"))?;
    let from = period
        .first_day()
        .checked_sub_months(Months::new(args.baseline_months))
        .context("--baseline-months reaches before the calendar")?;
    let (start, end) = (period.first_day(), period.end());
    let tokenizer = Tokenizer::shared();
    let mut now = DocFreq::new();
    let mut before = DocFreq::new();
    let mut failed = 0u64;
    for (index, line) in std::io::stdin().lock().lines().enumerate() {
        let number = index + 1;
        let line = line.context("reading standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<Value>(&line) {
            Ok(Value::Object(object)) => object,
            _ => {
                eprintln!("line {number}: not a JSON object");
                failed += 1;
                continue;
            }
        };
        let text = object
            .get("text")
            .or_else(|| object.get("description"))
            .and_then(Value::as_str);
        let day = object
            .get("received_at")
            .and_then(Value::as_str)
            .and_then(parse_time)
            .map(local_date);
        let (Some(text), Some(day)) = (text, day) else {
            eprintln!("line {number}: needs a `text` string and a `received_at` time");
            failed += 1;
            continue;
        };
        let id = i64::try_from(number).unwrap_or(i64::MAX);
        if (start..end).contains(&day) {
            now.add(tokenizer, id, text);
        } else if (from..start).contains(&day) {
            before.add(tokenizer, id, text);
        }
    }
    if failed > 0 {
        bail!("{failed} line(s) could not be read");
    }
    let options = TopicOptions {
        min_count: args.min_count,
        limit: args.limit,
        ..TopicOptions::default()
    };
    eprintln!(
        "{}: {} texts; background {from} to {start}: {} texts",
        period.code(),
        now.texts(),
        before.texts()
    );
    let mut out = BufWriter::new(std::io::stdout().lock());
    for topic in hot_topics(&now, &before, &options) {
        serde_json::to_writer(
            &mut out,
            &json!({
                "term": topic.term,
                "count": topic.count,
                "share": topic.share,
                "background_count": topic.background_count,
                "background_share": topic.background_share,
                "lift": topic.lift,
                "g2": topic.g2,
                "emerging": topic.emerging,
                "example_lines": topic.examples,
            }),
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
