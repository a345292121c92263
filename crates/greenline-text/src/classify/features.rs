//! What the classifier sees of a text: weighted words, character pairs and characters, clause by
//! clause.
//!
//! Complaints are short and written every which way, so the features are chosen to survive
//! that: jieba words (`w:`) carry the domain vocabulary, Chinese character pairs (`b:`) catch
//! words jieba splits differently, and single characters (`c:`) catch what neither does — a typo
//! or a homophone (噪音 typed with the wrong 噪) still shares its 音, dialect still says 臭.
//!
//! The labelling rule types a complaint by what the reporter complains about, not by the
//! facility, and people say which that is in a few fixed ways. The text is cut into clauses at
//! punctuation, and each clause weighs its features:
//!
//! - **negated** (weight 0): what follows 不是, 倒不是, 并非 … in a clause when a later clause
//!   (or the same one, after 而是 or 是) says what it is instead — 不是粉尘的事，是晚上施工 is
//!   about noise. 是不是 is a question, not a negation.
//! - **emphasised** (weight 2): the clause that says what it is instead (是…, 而是…, 主要是…,
//!   最受不了的是…, 我要说的是…).
//! - **in passing** (weight ½): a clause opened by 顺便, 另外, 此外, 附带 — a second issue
//!   mentioned after the main one.
//!
//! Everything else weighs 1. A feature seen in several clauses keeps its largest weight.
//!
//! Where a complaint is says nothing about what it is about, and region names left in would let
//! a model learn its training set's regional mix. So training masks the region names the
//! [`Gazetteer`] finds, and the words and pairs inside them are kept out of the vocabulary;
//! prediction then needs no gazetteer pass (it would cost a third of the time), since a region
//! name's words and pairs have no weight anyway.

use std::collections::HashMap;

use crate::{Gazetteer, Tokenizer};

/// Characters that end a clause.
const CLAUSE_ENDS: &[char] = &[
    '，', '。', '！', '？', '；', '：', '、', ',', '.', '!', '?', ';', ':', '\n', '\r', '\t', ' ',
    '　', '…', '~', '～', '（', '）', '(', ')', '【', '】', '[', ']', '“', '”', '"',
];

/// Words that deny what follows them in the clause.
const NEGATORS: &[&str] = &["倒不是", "并不是", "也不是", "不是", "并非"];

/// Openings of a clause that says what the complaint is about after a denial.
const CONTRASTS: &[&str] = &[
    "而是",
    "主要是",
    "就是",
    "是",
    "我要说的是",
    "我说的是",
    "要说的是",
    "我要反映的是",
    "反映的是",
    "我要投诉的是",
    "投诉的是",
];

/// Openings of a clause that names the main complaint outright.
const EMPHASES: &[&str] = &[
    "主要是",
    "最主要的是",
    "主要问题是",
    "关键是",
    "重点是",
    "最受不了的是",
    "受不了的是",
    "最烦的是",
    "我要说的是",
    "我要反映的是",
    "我要投诉的是",
];

/// Openings of a clause that mentions something in passing.
const ASIDES: &[&str] = &["顺便", "另外", "此外", "附带", "顺带", "还有就是"];

const NEGATED: f32 = 0.0;
const PLAIN: f32 = 1.0;
const EMPHASISED: f32 = 2.0;
const ASIDE: f32 = 0.5;

/// A piece of the text with the weight of its features.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Span<'a> {
    pub text: &'a str,
    pub weight: f32,
}

/// Replaces region names with a clause end.
fn mask_regions(text: &str) -> String {
    let mut masked = String::with_capacity(text.len());
    let mut from = 0;
    for mention in Gazetteer::shared().mentions(text) {
        masked.push_str(&text[from..mention.start]);
        masked.push('，');
        from = mention.end;
    }
    masked.push_str(&text[from..]);
    masked
}

fn is_negated_at(clause: &str, at: usize) -> bool {
    // 是不是 asks; 不是 after 是 is not a denial.
    !clause[..at].ends_with('是')
}

/// Where a denial starts in a clause, if it has one: the byte offset of the negator and of the
/// text after it.
fn denial(clause: &str) -> Option<(usize, usize)> {
    // Every negator has one of these; most clauses have neither.
    if !clause.contains(['不', '非']) {
        return None;
    }
    NEGATORS.iter().find_map(|negator| {
        clause
            .match_indices(negator)
            .find(|(at, _)| is_negated_at(clause, *at))
            .map(|(at, n)| (at, at + n.len()))
    })
}

fn starts_with_any(clause: &str, openings: &[&str]) -> bool {
    openings.iter().any(|o| clause.starts_with(o))
}

/// The text cut into weighted spans (see the module documentation).
pub(crate) fn spans(text: &str) -> Vec<Span<'_>> {
    let clauses: Vec<&str> = text
        .split(CLAUSE_ENDS)
        .filter(|c| !c.trim().is_empty())
        .collect();
    let mut spans = Vec::with_capacity(clauses.len() + 2);
    let mut previous_denied = false;
    for (i, clause) in clauses.iter().enumerate() {
        let weight = if previous_denied && starts_with_any(clause, CONTRASTS)
            || starts_with_any(clause, EMPHASES)
        {
            EMPHASISED
        } else if starts_with_any(clause, ASIDES) {
            ASIDE
        } else {
            PLAIN
        };
        previous_denied = false;
        if let Some((start, after)) = denial(clause) {
            let rest = &clause[after..];
            // 不是X而是Y, or 不是X是Y in one breath: the first 是 after the denial opens Y.
            let within = rest
                .find("而是")
                .or_else(|| rest.find('是').filter(|at| *at > 0));
            if let Some(at) = within {
                spans.push(Span {
                    text: &clause[..start],
                    weight,
                });
                spans.push(Span {
                    text: &rest[..at],
                    weight: NEGATED,
                });
                spans.push(Span {
                    text: &rest[at..],
                    weight: EMPHASISED,
                });
                continue;
            }
            let contrast_follows = clauses
                .get(i + 1)
                .is_some_and(|next| starts_with_any(next, CONTRASTS));
            if contrast_follows {
                spans.push(Span {
                    text: &clause[..start],
                    weight,
                });
                spans.push(Span {
                    text: rest,
                    weight: NEGATED,
                });
                previous_denied = true;
                continue;
            }
        }
        spans.push(Span {
            text: clause,
            weight,
        });
    }
    spans.retain(|s| !s.text.is_empty());
    spans
}

pub(crate) fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// One feature of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Feature<'a> {
    /// A jieba word (`w:`), Latin letters lowered.
    Word(&'a str),
    /// Two Chinese characters in a row (`b:`).
    Pair(char, char),
    /// One Chinese character (`c:`).
    Char(char),
}

impl Feature<'_> {
    /// The feature's name in a model file: `w:工地`, `b:工地`, `c:吵`.
    pub(crate) fn name(&self) -> String {
        match self {
            Feature::Word(word) => format!("w:{word}"),
            Feature::Pair(a, b) => format!("b:{a}{b}"),
            Feature::Char(c) => format!("c:{c}"),
        }
    }

    /// Characters and pairs as one number, for a quick look-up; words have none.
    pub(crate) fn packed(&self) -> Option<u64> {
        match self {
            Feature::Word(_) => None,
            Feature::Pair(a, b) => Some(pack(*a, Some(*b))),
            Feature::Char(c) => Some(pack(*c, None)),
        }
    }
}

fn pack(first: char, second: Option<char>) -> u64 {
    match second {
        Some(second) => 1 << 63 | u64::from(first) << 21 | u64::from(second),
        None => u64::from(first),
    }
}

/// The packed form of a feature name that is a character or a pair.
pub(crate) fn packed_name(name: &str) -> Option<u64> {
    let (kind, rest) = name.split_once(':')?;
    let mut chars = rest.chars();
    let first = chars.next()?;
    match (kind, chars.next(), chars.next()) {
        ("c", None, _) => Some(pack(first, None)),
        ("b", Some(second), None) => Some(pack(first, Some(second))),
        _ => None,
    }
}

/// The word and pair features inside the region names of a text.
pub(crate) fn region_name_features(tokenizer: &Tokenizer, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for mention in Gazetteer::shared().mentions(text) {
        for_each_feature(tokenizer, &mention.text, false, |feature, _| {
            if !matches!(feature, Feature::Char(_)) {
                found.push(feature.name());
            }
        });
    }
    found
}

/// Calls `each` with every feature of the text and its weight; a feature may come more than
/// once (once per span it is in). With `mask`, region names are left out first.
pub(crate) fn for_each_feature(
    tokenizer: &Tokenizer,
    text: &str,
    mask: bool,
    mut each: impl FnMut(Feature<'_>, f32),
) {
    let masked;
    let text = if mask {
        masked = mask_regions(text);
        masked.as_str()
    } else {
        text
    };
    let mut lowered = String::new();
    for span in spans(text) {
        for word in tokenizer.segments(span.text) {
            if !word.chars().any(char::is_alphanumeric) || tokenizer.is_stopword(word) {
                continue;
            }
            if word.chars().any(char::is_uppercase) {
                lowered.clear();
                lowered.extend(word.chars().flat_map(char::to_lowercase));
                each(Feature::Word(&lowered), span.weight);
            } else {
                each(Feature::Word(word), span.weight);
            }
        }
        let mut previous: Option<char> = None;
        for c in span.text.chars() {
            if !is_han(c) {
                previous = None;
                continue;
            }
            each(Feature::Char(c), span.weight);
            if let Some(p) = previous {
                each(Feature::Pair(p, c), span.weight);
            }
            previous = Some(c);
        }
    }
}

/// The features of a text as training sees them (region names masked), with their weights,
/// each once (its largest weight), sorted by name; features that a denial cancels are left out.
/// [`super::Classifier`] predicts without building this.
pub fn features(tokenizer: &Tokenizer, text: &str) -> Vec<(String, f32)> {
    let mut found: HashMap<String, f32> = HashMap::new();
    for_each_feature(tokenizer, text, true, |feature, weight| {
        let entry = found.entry(feature.name()).or_insert(weight);
        *entry = entry.max(weight);
    });
    let mut features: Vec<(String, f32)> = found.into_iter().filter(|(_, w)| *w > 0.0).collect();
    features.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    features
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weight_of(text: &str, part: &str) -> Option<f32> {
        spans(text)
            .into_iter()
            .find(|s| s.text.contains(part))
            .map(|s| s.weight)
    }

    #[test]
    fn a_denied_issue_weighs_nothing_and_the_real_one_double() {
        let text = "不是粉尘的事，我要说的是这个工地晚上一直在施工";
        assert_eq!(weight_of(text, "粉尘"), Some(NEGATED));
        assert_eq!(weight_of(text, "施工"), Some(EMPHASISED));
    }

    #[test]
    fn a_denial_with_er_shi_in_one_clause() {
        let text = "投诉的不是油烟而是风机的声音";
        assert_eq!(weight_of(text, "油烟"), Some(NEGATED));
        assert_eq!(weight_of(text, "风机"), Some(EMPHASISED));
        assert_eq!(weight_of(text, "投诉的"), Some(PLAIN));
    }

    #[test]
    fn a_denial_with_shi_in_one_clause() {
        let text = "空地在挖土，不是噪音问题是灰";
        assert_eq!(weight_of(text, "噪音"), Some(NEGATED));
        assert_eq!(weight_of(text, "是灰"), Some(EMPHASISED));
        assert_eq!(weight_of(text, "挖土"), Some(PLAIN));
    }

    #[test]
    fn what_comes_before_the_denial_still_counts() {
        let text = "小区旁边的河沟不是水的问题，主要是那个味";
        assert_eq!(weight_of(text, "河沟"), Some(PLAIN));
        assert_eq!(weight_of(text, "水的问题"), Some(NEGATED));
        assert_eq!(weight_of(text, "那个味"), Some(EMPHASISED));
    }

    #[test]
    fn a_question_with_shi_bu_shi_is_no_denial() {
        let text = "楼顶的天线是不是辐射超标，是谁装的";
        assert!(
            spans(text).iter().all(|s| s.weight == PLAIN),
            "{:?}",
            spans(text)
        );
    }

    #[test]
    fn a_denial_without_a_contrast_is_left_alone() {
        let text = "这不是第一次了，工厂又在排废水";
        assert!(
            spans(text).iter().all(|s| s.weight == PLAIN),
            "{:?}",
            spans(text)
        );
    }

    #[test]
    fn an_aside_weighs_half() {
        let text = "楼下饭店油烟很大，顺便说一下晚上也吵";
        assert_eq!(weight_of(text, "油烟"), Some(PLAIN));
        assert_eq!(weight_of(text, "晚上也吵"), Some(ASIDE));
    }

    #[test]
    fn features_are_words_pairs_and_characters_without_region_names() {
        let features = features(Tokenizer::shared(), "广州天河区有个工地很吵");
        let keys: Vec<&str> = features.iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.contains(&"w:工地"), "{keys:?}");
        assert!(keys.contains(&"b:工地"), "{keys:?}");
        assert!(keys.contains(&"c:吵"), "{keys:?}");
        assert!(!keys.iter().any(|k| k.contains('广')), "{keys:?}");
    }

    #[test]
    fn packed_names_match_packed_features() {
        for feature in [Feature::Char('吵'), Feature::Pair('工', '地')] {
            assert_eq!(packed_name(&feature.name()), feature.packed());
        }
        assert_eq!(packed_name("w:工地"), None);
        assert_ne!(
            Feature::Pair('工', '地').packed(),
            Feature::Pair('地', '工').packed()
        );
    }
}
