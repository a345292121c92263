//! The search index at national scale: build rate, size on disk, memory, search latency over a
//! fixed set of realistic queries, and recall against plain substring matching.
//!
//! `cargo bench -p greenline-search --bench search` — fixed seed. Settings through the
//! environment: `GREENLINE_BENCH_CASES` (default 1000000), `GREENLINE_BENCH_THREADS` (indexing
//! threads, default 2), `GREENLINE_BENCH_RECALL_CASES` (default 100000; 0 skips the recall
//! check).
//!
//! The simulated cases are written to a temporary JSON Lines file first and read back while
//! indexing, so the build's time and the process's memory are the index's, not the
//! simulator's. The build time includes reading and parsing that file.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use greenline_domain::{Case, RegionCode};
use greenline_search::{SearchIndex, SearchQuery, WriterOptions};
use greenline_sim::{Scale, SimConfig, Simulator};

const SEED: u64 = 20_261_128;
/// The simulator's national volume, cases a day on average.
const NATIONAL_PER_DAY: f64 = 600_000.0 / 365.0;
const BATCH: usize = 10_000;
const ROUNDS: usize = 5;

const WORDS: [&str; 40] = [
    "噪音",
    "臭味",
    "油烟",
    "粉尘",
    "废气",
    "污水",
    "扰民",
    "施工",
    "夜间",
    "烧烤",
    "异味",
    "垃圾",
    "焚烧",
    "排放",
    "化工",
    "工地",
    "搅拌站",
    "黑烟",
    "渣土车",
    "餐饮",
    "养殖场",
    "恶臭",
    "偷排",
    "河道",
    "噪声",
    "广场舞",
    "锅炉",
    "喷漆",
    "油烟净化器",
    "秸秆",
    "刺鼻",
    "打桩",
    "冷却塔",
    "鸡粪",
    "发黑",
    "排污口",
    "KTV",
    "空调外机",
    "砂石",
    "危险废物",
];
const PHRASES: [&str; 20] = [
    "夜间施工",
    "油烟扰民",
    "异味刺鼻",
    "噪音扰民",
    "半夜 打桩",
    "偷排污水",
    "焚烧垃圾",
    "粉尘很大",
    "气味难闻",
    "严重影响休息",
    "晚上 噪音",
    "烧烤 油烟",
    "工地 粉尘",
    "污水直排",
    "河水发黑",
    "化工厂 异味",
    "露天焚烧",
    "渣土车 扬尘",
    "喷漆 异味",
    "养猪场 臭味",
];
const PROVINCES: [&str; 10] = [
    "440000", "320000", "370000", "330000", "410000", "510000", "130000", "420000", "110000",
    "350000",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A line of /proc/self/status in kB (`VmHWM`, `VmRSS`, `RssAnon`, `RssFile`).
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            let rest = line.strip_prefix(key)?.strip_prefix(':')?;
            rest.trim().trim_end_matches(" kB").trim().parse().ok()
        })
        .unwrap_or(0)
}

fn memory(label: &str) {
    println!(
        "memory {label}: peak (VmHWM) {} MiB, now (VmRSS) {} MiB = heap and other anonymous {} MiB + mapped files {} MiB",
        status_kb("VmHWM") / 1024,
        status_kb("VmRSS") / 1024,
        status_kb("RssAnon") / 1024,
        status_kb("RssFile") / 1024,
    );
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// Up to `count` distinct names ending in the word `end` in the texts: the whole words before
/// it, at most `stem` characters of them, as a person who knows the name would type it.
fn names(texts: &[String], end: &str, stem: usize, count: usize) -> Vec<String> {
    let segmenter = greenline_text::Tokenizer::shared();
    let mut found = BTreeSet::new();
    let mut ordered = Vec::new();
    for text in texts {
        let segments = segmenter.segments(text);
        let Some(last) = segments.iter().position(|s| *s == end) else {
            continue;
        };
        let mut first = last;
        let mut chars = 0;
        while first > 0 {
            let word = segments[first - 1];
            let n = word.chars().count();
            if !word.chars().all(|c| c > '\u{4e00}') || chars + n > stem {
                break;
            }
            chars += n;
            first -= 1;
        }
        if chars < 2 {
            continue;
        }
        let name = segments[first..=last].concat();
        if found.insert(name.clone()) {
            ordered.push(name);
        }
        if ordered.len() == count {
            break;
        }
    }
    ordered
}

/// Lower-cased, without anything but letters and digits: how the index sees a text for phrases.
fn bare(text: &str) -> String {
    text.chars()
        .map(|c| match u32::from(c) {
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn simulate(cases: usize, file: &Path) -> Vec<String> {
    let start = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default();
    let days = (cases as f64 / NATIONAL_PER_DAY * 1.3).ceil() as u32 + 30;
    let simulator = Simulator::new(SimConfig {
        seed: SEED,
        start,
        days,
        cases: Some(cases as u64),
        scale: Scale::National,
        inject_events: true,
    })
    .unwrap_or_else(|e| panic!("simulator: {e}"));
    let mut out = BufWriter::new(
        std::fs::File::create(file).unwrap_or_else(|e| panic!("{}: {e}", file.display())),
    );
    let mut sample = Vec::new();
    let mut id = 0;
    for (record, _) in simulator {
        let Ok(imported) = record.to_imported() else {
            continue;
        };
        let mut case = imported.case;
        id += 1;
        case.id = id;
        if sample.len() < 20_000 {
            sample.push(case.description.clone());
        }
        serde_json::to_writer(&mut out, &case).unwrap_or_else(|e| panic!("writing: {e}"));
        out.write_all(b"\n")
            .unwrap_or_else(|e| panic!("writing: {e}"));
    }
    out.flush().unwrap_or_else(|e| panic!("writing: {e}"));
    sample
}

/// Reads the cases file in batches, handing each to `f`; stops after `limit` cases.
fn read_cases(file: &Path, limit: usize, mut f: impl FnMut(&[Case])) {
    let reader = BufReader::new(
        std::fs::File::open(file).unwrap_or_else(|e| panic!("{}: {e}", file.display())),
    );
    let mut batch = Vec::with_capacity(BATCH);
    for (n, line) in reader.lines().enumerate() {
        if n == limit {
            break;
        }
        let line = line.unwrap_or_else(|e| panic!("reading: {e}"));
        batch.push(serde_json::from_str::<Case>(&line).unwrap_or_else(|e| panic!("parsing: {e}")));
        if batch.len() == BATCH {
            f(&batch);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        f(&batch);
    }
}

fn main() {
    let cases = env_usize("GREENLINE_BENCH_CASES", 1_000_000);
    let threads = env_usize("GREENLINE_BENCH_THREADS", 2);
    let recall_cases = env_usize("GREENLINE_BENCH_RECALL_CASES", 100_000).min(cases);
    let work = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let file = work.path().join("cases.jsonl");
    let index_dir = work.path().join("index");
    println!("load average at start: {}", load());

    println!(
        "simulating {cases} national cases (seed {SEED}) into {} …",
        file.display()
    );
    let started = Instant::now();
    let sample = simulate(cases, &file);
    println!(
        "simulated in {:.1} s; file {} MiB",
        started.elapsed().as_secs_f64(),
        std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) >> 20
    );
    memory("after simulating");

    // The queries: words, phrases, names from the texts; each without and with a province.
    let mut texts: Vec<String> = WORDS
        .iter()
        .chain(PHRASES.iter())
        .map(|s| s.to_string())
        .collect();
    texts.extend(names(&sample, "有限公司", 4, 25));
    texts.extend(names(&sample, "花园", 2, 15));
    drop(sample);
    let mut queries: Vec<SearchQuery> = texts.iter().map(SearchQuery::new).collect();
    for (i, text) in texts.iter().enumerate() {
        let province = RegionCode::parse(PROVINCES[i % PROVINCES.len()])
            .unwrap_or_else(|e| panic!("province: {e}"));
        queries.push(SearchQuery::new(text).within(province));
    }
    println!(
        "{} queries: {} words, {} phrases, {} names (e.g. {}), each also within a province",
        queries.len(),
        WORDS.len(),
        PHRASES.len(),
        texts.len() - WORDS.len() - PHRASES.len(),
        texts[WORDS.len() + PHRASES.len()..]
            .iter()
            .take(4)
            .cloned()
            .collect::<Vec<_>>()
            .join("、")
    );

    let index = SearchIndex::open_with(
        &index_dir,
        WriterOptions {
            threads,
            memory_per_thread: 256 << 20,
        },
    )
    .unwrap_or_else(|e| panic!("index: {e}"));
    println!("building on {threads} indexing threads …");
    let started = Instant::now();
    read_cases(&file, usize::MAX, |batch| {
        index
            .add_new(batch)
            .unwrap_or_else(|e| panic!("indexing: {e}"));
    });
    index
        .commit_at("0")
        .unwrap_or_else(|e| panic!("commit: {e}"));
    let build = started.elapsed();
    let indexed = index.len();
    println!(
        "built: {indexed} cases in {:.1} s = {:.0} cases/s; {} segments; load average {}",
        build.as_secs_f64(),
        indexed as f64 / build.as_secs_f64(),
        index
            .tantivy()
            .searchable_segment_ids()
            .map(|s| s.len())
            .unwrap_or(0),
        load()
    );
    let bytes = dir_size(&index_dir);
    println!(
        "index on disk: {} MiB ({:.0} bytes a case)",
        bytes >> 20,
        bytes as f64 / indexed.max(1) as f64
    );
    memory("after building");

    // Warm up once, then time every query ROUNDS times.
    let mut totals = Vec::with_capacity(queries.len());
    for q in &queries {
        totals.push(
            index
                .search(q)
                .unwrap_or_else(|e| panic!("{:?}: {e}", q.text))
                .total,
        );
    }
    let mut times = Vec::with_capacity(queries.len() * ROUNDS);
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); queries.len()];
    for _ in 0..ROUNDS {
        for (i, q) in queries.iter().enumerate() {
            let started = Instant::now();
            let results = index
                .search(q)
                .unwrap_or_else(|e| panic!("{:?}: {e}", q.text));
            let took = started.elapsed();
            assert_eq!(results.total, totals[i]);
            times.push(took);
            per_query[i].push(took);
        }
    }
    times.sort();
    println!(
        "search (top 10 with snippets and the total), {} runs: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms; load average {}",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.9),
        percentile(&times, 0.99),
        percentile(&times, 1.0),
        load()
    );
    let kinds = [
        ("words", 0..WORDS.len()),
        ("phrases", WORDS.len()..WORDS.len() + PHRASES.len()),
        ("names", WORDS.len() + PHRASES.len()..texts.len()),
    ];
    for (kind, range) in kinds {
        for (scope, offset) in [("nationwide", 0), ("within a province", texts.len())] {
            let mut these: Vec<Duration> = range
                .clone()
                .flat_map(|i| per_query[i + offset].iter().copied())
                .collect();
            these.sort();
            println!(
                "  {kind}, {scope}: p50 {:.2} ms, p99 {:.2} ms",
                percentile(&these, 0.5),
                percentile(&these, 0.99)
            );
        }
    }
    let mut slowest: Vec<(f64, usize)> = per_query
        .iter_mut()
        .enumerate()
        .map(|(i, t)| {
            t.sort();
            (percentile(t, 0.5), i)
        })
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, i) in slowest.iter().take(5) {
        let q = &queries[*i];
        println!(
            "  slow: {:?}{} — median {ms:.2} ms, {} cases",
            q.text,
            if q.scope == RegionCode::NATIONAL {
                String::new()
            } else {
                format!(" within {}", q.scope)
            },
            totals[*i]
        );
    }
    let mut sorted_totals = totals.clone();
    sorted_totals.sort_unstable();
    println!(
        "cases found per query: median {}, max {}",
        sorted_totals[sorted_totals.len() / 2],
        sorted_totals[sorted_totals.len() - 1]
    );
    memory("after searching");
    drop(index);

    if recall_cases == 0 {
        return;
    }
    // Recall and precision against substring matching (letters and digits only) on a subset.
    let small = SearchIndex::open_in_ram_with(WriterOptions {
        threads,
        memory_per_thread: 128 << 20,
    })
    .unwrap_or_else(|e| panic!("index: {e}"));
    let mut bare_texts: Vec<(i64, String, String)> = Vec::with_capacity(recall_cases);
    read_cases(&file, recall_cases, |batch| {
        small
            .add_new(batch)
            .unwrap_or_else(|e| panic!("indexing: {e}"));
        bare_texts.extend(
            batch
                .iter()
                .map(|c| (c.id, bare(&c.description), bare(&c.address))),
        );
    });
    small.commit().unwrap_or_else(|e| panic!("commit: {e}"));
    let (mut truth_total, mut found_total, mut both_total) = (0usize, 0usize, 0usize);
    let mut misses: Vec<(f64, String, usize)> = Vec::new();
    for text in &texts {
        let parts: Vec<String> = text.split_whitespace().map(bare).collect();
        let truth: BTreeSet<i64> = bare_texts
            .iter()
            .filter(|(_, d, a)| {
                parts
                    .iter()
                    .all(|p| d.contains(p.as_str()) || a.contains(p.as_str()))
            })
            .map(|(id, _, _)| *id)
            .collect();
        let found: BTreeSet<i64> = small
            .case_ids(&SearchQuery::new(text))
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .into_iter()
            .collect();
        let both = truth.intersection(&found).count();
        truth_total += truth.len();
        found_total += found.len();
        both_total += both;
        if !truth.is_empty() {
            misses.push((both as f64 / truth.len() as f64, text.clone(), truth.len()));
        }
    }
    misses.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!(
        "against substring matching over the first {recall_cases} cases, {} queries: recall {:.4}, precision {:.4}",
        texts.len(),
        both_total as f64 / truth_total.max(1) as f64,
        both_total as f64 / found_total.max(1) as f64
    );
    for (recall, text, n) in misses.iter().take(8) {
        println!("  lowest recall: {text:?} {recall:.3} of {n}");
    }
}
