//! Hot topics (热点): the words and phrases that stand out in one period's complaints against
//! the long-run background of the periods before it.
//!
//! Each text counts once per term (document frequency): a reporter who writes 臭 ten times is
//! one report about a smell. Terms are the tokenizer's content words of two or more characters
//! and the phrases of two adjacent content words (夜间 + 打桩 → 夜间打桩), which name an event
//! better than either word. A term stands out when it is more frequent now than before and
//! Dunning's log-likelihood ratio G² of its 2 × 2 table (texts with and without it, now and
//! before) passes [`TopicOptions::min_g2`] — 10.83 is p < 0.001 for one degree of freedom,
//! strict because thousands of terms are tested at once. Counts that are too small to mean
//! anything ([`TopicOptions::min_count`]) are left out whatever their score. A term is
//! *emerging* when it was absent before, or at least ten times rarer.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::Tokenizer;

/// How many example texts a term keeps.
const EXAMPLES: usize = 3;
/// A term is emerging when its background rate is at most this part of its current rate.
const EMERGING_RATIO: f64 = 0.1;

/// The distinct terms of one text: content words and two-word phrases.
pub fn terms(tokenizer: &Tokenizer, text: &str) -> Vec<String> {
    let words: Vec<String> = tokenizer
        .words(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len() * 2);
    for pair in words.windows(2) {
        if pair[0] != pair[1] {
            out.push(format!("{}{}", pair[0], pair[1]));
        }
    }
    out.extend(words);
    out.sort_unstable();
    out.dedup();
    out
}

/// Document frequencies of terms over a set of texts, with a few example ids per term, and
/// with [`DocFreq::with_postings`] every text's id per term (to group terms by their texts).
#[derive(Debug, Clone, Default)]
pub struct DocFreq {
    texts: u64,
    counts: HashMap<String, (u64, Vec<i64>)>,
    postings: Option<HashMap<String, Vec<i64>>>,
}

impl DocFreq {
    pub fn new() -> DocFreq {
        DocFreq::default()
    }

    /// Counts that also keep, per term, the id of every text containing it: the period's
    /// counts, for [`group_topics`].
    pub fn with_postings() -> DocFreq {
        DocFreq {
            postings: Some(HashMap::new()),
            ..DocFreq::default()
        }
    }

    /// Counts one text (its id kept as an example for its first terms).
    pub fn add(&mut self, tokenizer: &Tokenizer, id: i64, text: &str) {
        self.add_terms(id, terms(tokenizer, text));
    }

    /// Counts one text given as its distinct terms.
    pub fn add_terms(&mut self, id: i64, terms: Vec<String>) {
        self.texts += 1;
        for term in terms {
            if let Some(postings) = &mut self.postings {
                postings.entry(term.clone()).or_default().push(id);
            }
            let entry = self.counts.entry(term).or_default();
            entry.0 += 1;
            if entry.1.len() < EXAMPLES {
                entry.1.push(id);
            }
        }
    }

    /// Texts counted.
    pub fn texts(&self) -> u64 {
        self.texts
    }

    /// Texts that contain `term`.
    pub fn count(&self, term: &str) -> u64 {
        self.counts.get(term).map_or(0, |(n, _)| *n)
    }
}

/// Thresholds of [`hot_topics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicOptions {
    /// Texts of the period that must contain a term.
    pub min_count: u64,
    /// The log-likelihood ratio a term must reach.
    pub min_g2: f64,
    /// Terms returned at most.
    pub limit: usize,
}

impl Default for TopicOptions {
    fn default() -> Self {
        TopicOptions {
            min_count: 5,
            min_g2: 10.83,
            limit: 20,
        }
    }
}

/// A term that stands out in the period.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Topic {
    pub term: String,
    /// Texts of the period that contain it.
    pub count: u64,
    /// Its share of the period's texts.
    pub share: f64,
    /// Texts of the background that contain it.
    pub background_count: u64,
    /// Its share of the background's texts.
    pub background_share: f64,
    /// How many times more frequent it is now (the background count smoothed by ½, so a term
    /// absent before gets a finite ratio).
    pub lift: f64,
    /// Dunning's log-likelihood ratio G².
    pub g2: f64,
    /// Absent before, or at least ten times rarer.
    pub emerging: bool,
    /// Ids of a few texts of the period that contain it.
    pub examples: Vec<i64>,
}

/// `x ln(x / e)`, 0 when `x` is 0.
fn part(observed: f64, expected: f64) -> f64 {
    if observed > 0.0 {
        observed * (observed / expected).ln()
    } else {
        0.0
    }
}

/// G² of a 2 × 2 table: `a` of `n1` texts now and `c` of `n2` before contain the term.
pub fn log_likelihood(a: u64, n1: u64, c: u64, n2: u64) -> f64 {
    let (a, n1, c, n2) = (a as f64, n1 as f64, c as f64, n2 as f64);
    let total = n1 + n2;
    let with = a + c;
    let without = total - with;
    if total == 0.0 || with == 0.0 || without == 0.0 {
        return 0.0;
    }
    let g = part(a, n1 * with / total)
        + part(n1 - a, n1 * without / total)
        + part(c, n2 * with / total)
        + part(n2 - c, n2 * without / total);
    (2.0 * g).max(0.0)
}

/// The terms of `current` that stand out against `background`, highest G² first (ties by
/// count, then term, so the order is fixed).
pub fn hot_topics(current: &DocFreq, background: &DocFreq, options: &TopicOptions) -> Vec<Topic> {
    let n1 = current.texts;
    let n2 = background.texts;
    if n1 == 0 {
        return Vec::new();
    }
    let mut topics: Vec<Topic> = current
        .counts
        .iter()
        .filter(|(_, (a, _))| *a >= options.min_count)
        .filter_map(|(term, (a, examples))| {
            let a = *a;
            let c = background.count(term);
            let share = a as f64 / n1 as f64;
            let background_share = if n2 == 0 { 0.0 } else { c as f64 / n2 as f64 };
            if n2 > 0 && share <= background_share {
                return None;
            }
            let g2 = log_likelihood(a, n1, c, n2);
            if g2 < options.min_g2 {
                return None;
            }
            let smoothed = if n2 == 0 {
                f64::NAN
            } else {
                (c as f64 + 0.5) / n2 as f64
            };
            Some(Topic {
                term: term.clone(),
                count: a,
                share,
                background_count: c,
                background_share,
                lift: share / smoothed,
                g2,
                emerging: background_share <= EMERGING_RATIO * share,
                examples: examples.clone(),
            })
        })
        .collect();
    topics.sort_by(|x, y| {
        y.g2.total_cmp(&x.g2)
            .then(y.count.cmp(&x.count))
            .then(x.term.cmp(&y.term))
    });
    topics.truncate(options.limit);
    topics
}

const FILLERS: &str = include_str!("../data/text/topic_fillers.txt");

/// Whether a term is filler to a reader (see `data/text/topic_fillers.txt`): a filler word, or a
/// phrase that begins or ends with one.
pub fn is_filler(term: &str) -> bool {
    static WORDS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let words = WORDS.get_or_init(|| {
        FILLERS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    });
    words.iter().any(|w| {
        term == *w
            || (term.chars().count() > w.chars().count()
                && (term.starts_with(w) || term.ends_with(w)))
    })
}

/// A hot topic as people read it: the terms that stand out together in the same texts, under
/// one label.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TopicGroup {
    /// The words a reader sees: the group's leading phrase, and a second term when it says
    /// something the first does not (农药味、化工园区).
    pub label: String,
    /// The group's terms, strongest first.
    pub terms: Vec<String>,
    /// Texts of the period that contain any of them.
    pub count: u64,
    /// Their share of the period's texts.
    pub share: f64,
    /// The strongest term's G².
    pub g2: f64,
    /// The strongest term is emerging.
    pub emerging: bool,
    /// Ids of the texts that contain the most of the group's terms (at most three).
    pub examples: Vec<i64>,
}

/// Texts two terms share over the texts of the rarer one, at or above which they are one topic.
const SAME_TOPIC: f64 = 0.5;

/// `topics` (strongest first, from [`hot_topics`] over `current`, which must have been counted
/// [`DocFreq::with_postings`]) as topics people can read: filler terms dropped, terms that mostly
/// share their texts grouped, each group labelled and given example texts; at most `limit`.
pub fn group_topics(current: &DocFreq, topics: &[Topic], limit: usize) -> Vec<TopicGroup> {
    let Some(postings) = &current.postings else {
        return Vec::new();
    };
    struct Building<'a> {
        seed: HashSet<i64>,
        members: Vec<&'a Topic>,
    }
    let mut groups: Vec<Building> = Vec::new();
    for topic in topics.iter().filter(|t| !is_filler(&t.term)) {
        let Some(docs) = postings.get(&topic.term) else {
            continue;
        };
        let joined = groups.iter_mut().find(|g| {
            let shared = docs.iter().filter(|d| g.seed.contains(d)).count();
            shared as f64 >= SAME_TOPIC * docs.len().min(g.seed.len()) as f64
        });
        match joined {
            Some(group) => group.members.push(topic),
            None => groups.push(Building {
                seed: docs.iter().copied().collect(),
                members: vec![topic],
            }),
        }
    }
    let texts = current.texts.max(1) as f64;
    groups
        .into_iter()
        .take(limit)
        .map(|g| {
            let mut hits: HashMap<i64, usize> = HashMap::new();
            for member in &g.members {
                for id in postings.get(&member.term).into_iter().flatten() {
                    *hits.entry(*id).or_default() += 1;
                }
            }
            let mut ranked: Vec<(i64, usize)> = hits.iter().map(|(id, n)| (*id, *n)).collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let strongest = g.members[0];
            TopicGroup {
                label: label(&g.members),
                terms: g.members.iter().map(|m| m.term.clone()).collect(),
                count: hits.len() as u64,
                share: hits.len() as f64 / texts,
                g2: strongest.g2,
                emerging: strongest.emerging,
                examples: ranked.iter().take(EXAMPLES).map(|(id, _)| *id).collect(),
            }
        })
        .collect()
}

/// The label of a group: its strongest term, widened to the longest term that holds it and is
/// nearly as frequent (农药 → 农药味), then a second term, widened the same way, that neither holds
/// nor is held by the first (化工 → 化工园区).
fn label(members: &[&Topic]) -> String {
    let strongest = members[0];
    let frequent = |m: &&&Topic| 2 * m.count >= strongest.count;
    let widest = |base: &str| -> String {
        members
            .iter()
            .filter(frequent)
            .filter(|m| m.term.contains(base))
            .max_by_key(|m| (m.term.chars().count(), m.count))
            .map_or(base.to_owned(), |m| m.term.clone())
    };
    let first = widest(&strongest.term);
    let related = |term: &str| term.contains(first.as_str()) || first.contains(term);
    let second = members
        .iter()
        .filter(frequent)
        .find(|m| !related(&m.term) && !m.term.contains(strongest.term.as_str()))
        .map(|m| widest(&m.term))
        .filter(|wider| !related(wider));
    match second {
        Some(other) => format!("{first}、{other}"),
        None => first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A background of ordinary complaints, and a period where a new odour appears.
    fn corpus() -> (DocFreq, DocFreq) {
        let tokenizer = Tokenizer::shared();
        let ordinary = [
            "楼下饭店油烟很大，晚上呛得睡不着",
            "工地夜间施工噪音扰民，希望管一管",
            "小区旁边的河道发黑发臭",
            "广场舞音响声音太大，影响老人休息",
            "有人在田里焚烧秸秆，烟很大",
        ];
        let mut background = DocFreq::new();
        let mut id = 0;
        for round in 0..40 {
            for text in ordinary {
                id += 1;
                background.add(tokenizer, id, &format!("{text}（第{round}次反映）"));
            }
        }
        let mut current = DocFreq::new();
        for round in 0..8 {
            for text in ordinary {
                id += 1;
                current.add(tokenizer, id, &format!("{text}（第{round}次反映）"));
            }
            id += 1;
            current.add(tokenizer, id, "化工园区方向飘来刺鼻的农药味，闻了头晕恶心");
            id += 1;
            current.add(tokenizer, id, "这两天一直有农药味，应该是化工园区排的");
        }
        (current, background)
    }

    #[test]
    fn a_planted_term_comes_out_on_top_and_is_emerging() {
        let (current, background) = corpus();
        let topics = hot_topics(&current, &background, &TopicOptions::default());
        assert!(!topics.is_empty());
        let top: Vec<&str> = topics.iter().take(3).map(|t| t.term.as_str()).collect();
        assert!(
            top.iter()
                .any(|t| t.contains("农药") || t.contains("化工园区")),
            "{top:?}"
        );
        let pesticide = topics
            .iter()
            .find(|t| t.term == "农药味")
            .expect("农药味 stands out");
        assert_eq!(pesticide.count, 16);
        assert_eq!(pesticide.background_count, 0);
        assert!(pesticide.emerging);
        assert_eq!(pesticide.examples.len(), 3);
        // The ordinary complaints are as frequent as before: none of their words stands out.
        assert!(
            !topics.iter().any(|t| t.term == "油烟" || t.term == "噪音"),
            "{topics:?}"
        );
    }

    #[test]
    fn the_log_likelihood_matches_a_worked_table() {
        // a = 10 of 100, c = 10 of 1000: the G-test of independence of this 2 × 2 table gives 22.908.
        let expected = 2.0
            * (10.0 * (10.0f64 / (100.0 * 20.0 / 1100.0)).ln()
                + 90.0 * (90.0f64 / (100.0 * 1080.0 / 1100.0)).ln()
                + 10.0 * (10.0f64 / (1000.0 * 20.0 / 1100.0)).ln()
                + 990.0 * (990.0f64 / (1000.0 * 1080.0 / 1100.0)).ln());
        let g2 = log_likelihood(10, 100, 10, 1000);
        assert!((g2 - expected).abs() < 1e-9, "{g2} vs {expected}");
        assert!((g2 - 22.908).abs() < 0.001, "{g2}");
        assert_eq!(log_likelihood(5, 100, 50, 1000), 0.0, "same rate");
    }

    #[test]
    fn rare_terms_and_falling_terms_are_left_out() {
        let (current, background) = corpus();
        let strict = TopicOptions {
            min_count: 17,
            ..TopicOptions::default()
        };
        assert!(
            hot_topics(&current, &background, &strict)
                .iter()
                .all(|t| t.count >= 17)
        );
        // Swapped, the planted term is absent from the period and nothing rises.
        let reversed = hot_topics(&background, &current, &TopicOptions::default());
        assert!(!reversed.iter().any(|t| t.term.contains("农药")));
    }

    #[test]
    fn phrases_join_adjacent_content_words() {
        let found = terms(Tokenizer::shared(), "工地夜间打桩，夜间打桩太吵");
        assert!(found.iter().any(|t| t == "夜间"), "{found:?}");
        assert!(
            found
                .iter()
                .any(|t| t.starts_with("夜间") && t.len() > "夜间".len()),
            "{found:?}"
        );
        let unique: std::collections::HashSet<_> = found.iter().collect();
        assert_eq!(unique.len(), found.len(), "each term once");
    }
}
