//! The word lists of same-source detection, read once from `data/text/source_terms.tsv`.
//!
//! Kept as data so that an agency can see (and extend) what counts as a firm's trade word, a
//! road's ending or a word for noise, without reading code.

use std::collections::HashMap;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use greenline_domain::PollutionType;

pub(crate) const TERMS: &str = include_str!("../../data/text/source_terms.tsv");

/// What a facility word says about the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FacilityWord {
    /// Broad class: `restaurant`, `firm`, `site` …
    pub class: &'static str,
    /// A specific kind within the class (`barbecue`), or empty for a generic word (饭店).
    pub sort: &'static str,
}

/// The lists, indexed for matching at a position.
#[derive(Debug)]
pub(crate) struct Terms {
    /// Facility words, trade words and legal forms: everything that may end a source's name.
    pub name_words: HashMap<&'static str, NameWord>,
    pub name_ends: Vec<char>,
    pub roads: Vec<&'static str>,
    pub not_roads: Vec<&'static str>,
    /// Compound endings, longest first, with whether they are generic (stripped).
    pub compounds: Vec<(&'static str, bool)>,
    pub not_compounds: Vec<&'static str>,
    pub areas: Vec<&'static str>,
    pub boundaries: HashMap<&'static str, ()>,
    /// Generic endings of a stem, dropped (北区, 分店).
    pub qualifiers: Vec<&'static str>,
    /// Problem words, longest first, with their type's index in [`PollutionType::all`].
    pub pollution: Vec<(&'static str, u8)>,
    pub night: Vec<&'static str>,
    pub day: Vec<&'static str>,
    /// Equipment and spots, longest first, with their group.
    pub objects: Vec<(&'static str, &'static str)>,
    object_groups: HashMap<&'static str, &'static str>,
    /// Public places a source is located by (学校, 加油站), with the index of their kind in
    /// [`Terms::landmark_kinds`].
    pub landmarks: Vec<(&'static str, u8)>,
    /// The kinds of public place, in the file's order (学校, 医院, 汽车站 …).
    pub landmark_kinds: Vec<&'static str>,
    /// Problem and time-of-day words, for [`Terms::is_term`].
    problem_words: std::collections::HashSet<&'static str>,
    /// The longest name word, in characters.
    pub longest_name_word: usize,
    /// Every name word, for finding all of them in one pass (overlapping).
    pub name_matcher: AhoCorasick,
    pub name_patterns: Vec<&'static str>,
    /// Problem and time-of-day words, in one pass (overlapping).
    pub problem_matcher: AhoCorasick,
    pub problem_meanings: Vec<Problem>,
    /// Equipment and spot words, longest first, not overlapping.
    pub object_matcher: AhoCorasick,
    /// Public-place words, leftmost-longest, not overlapping.
    pub landmark_matcher: AhoCorasick,
}

/// What a problem or time word says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    /// A kind of problem: the index of its type.
    Kind(u8),
    Night,
    Day,
}

fn matcher(patterns: &[&str], kind: MatchKind) -> AhoCorasick {
    AhoCorasick::builder()
        .match_kind(kind)
        .build(patterns)
        .unwrap_or_else(|e| unreachable!("the shipped word lists make a matcher: {e}"))
}

/// A word that may end a name, and what it tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameWord {
    /// A facility word (烧烤店, 工地, 厂): it ends a name on its own.
    Facility(FacilityWord),
    /// A trade word (化工, 塑料): between the stem and the facility word, or ending a name.
    Trade(&'static str),
    /// A legal form (有限公司): always preceded by the name.
    Legal,
}

pub(crate) static TERMS_TABLE: LazyLock<Terms> = LazyLock::new(|| Terms::parse(TERMS));

/// The index of a type in [`PollutionType::all`] (its bit in a kind mask).
pub(crate) fn type_index(code: &str) -> Option<u8> {
    PollutionType::all()
        .position(|t| t.code() == code)
        .and_then(|i| u8::try_from(i).ok())
}

/// The type at an index of [`PollutionType::all`].
pub(crate) fn type_at(index: u8) -> Option<PollutionType> {
    PollutionType::all().nth(usize::from(index))
}

impl Terms {
    fn parse(text: &'static str) -> Terms {
        let mut terms = Terms {
            name_words: HashMap::new(),
            name_ends: Vec::new(),
            roads: Vec::new(),
            not_roads: Vec::new(),
            compounds: Vec::new(),
            not_compounds: Vec::new(),
            areas: Vec::new(),
            boundaries: HashMap::new(),
            qualifiers: Vec::new(),
            pollution: Vec::new(),
            night: Vec::new(),
            day: Vec::new(),
            objects: Vec::new(),
            object_groups: HashMap::new(),
            landmarks: Vec::new(),
            landmark_kinds: Vec::new(),
            problem_words: std::collections::HashSet::new(),
            longest_name_word: 0,
            name_matcher: matcher(&[], MatchKind::Standard),
            name_patterns: Vec::new(),
            problem_matcher: matcher(&[], MatchKind::Standard),
            problem_meanings: Vec::new(),
            object_matcher: matcher(&[], MatchKind::LeftmostLongest),
            landmark_matcher: matcher(&[], MatchKind::LeftmostLongest),
        };
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let cols: Vec<&'static str> = line.split('\t').collect();
            let (kind, word) = match cols.as_slice() {
                [kind, word, ..] => (*kind, *word),
                _ => continue,
            };
            let third = cols.get(2).copied().unwrap_or("");
            let fourth = cols.get(3).copied().unwrap_or("");
            match kind {
                "legal" => {
                    terms.name_words.entry(word).or_insert(NameWord::Legal);
                }
                "facility" => {
                    terms.name_words.insert(
                        word,
                        NameWord::Facility(FacilityWord {
                            class: third,
                            sort: fourth,
                        }),
                    );
                }
                "trade" => {
                    terms
                        .name_words
                        .entry(word)
                        .or_insert(NameWord::Trade(third));
                }
                "name_end" => terms.name_ends.extend(word.chars().next()),
                "road" => terms.roads.push(word),
                "not_road" => terms.not_roads.push(word),
                "compound" => terms.compounds.push((word, third == "strip")),
                "not_compound" => terms.not_compounds.push(word),
                "area" => terms.areas.push(word),
                "qualifier" => terms.qualifiers.push(word),
                "boundary" => {
                    terms.boundaries.insert(word, ());
                }
                "pollution" => {
                    if let Some(index) = type_index(third) {
                        terms.pollution.push((word, index));
                    }
                }
                "time" if third == "night" => terms.night.push(word),
                "time" => terms.day.push(word),
                "object" => terms.objects.push((word, third)),
                "landmark" => {
                    let kind = match terms.landmark_kinds.iter().position(|k| *k == third) {
                        Some(kind) => kind,
                        None => {
                            terms.landmark_kinds.push(third);
                            terms.landmark_kinds.len() - 1
                        }
                    };
                    if let Ok(kind) = u8::try_from(kind) {
                        terms.landmarks.push((word, kind));
                    }
                }
                _ => {}
            }
        }
        terms
            .roads
            .sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        terms
            .areas
            .sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        terms
            .compounds
            .sort_by_key(|t| std::cmp::Reverse(t.0.chars().count()));
        terms
            .pollution
            .sort_by_key(|t| std::cmp::Reverse(t.0.chars().count()));
        terms
            .objects
            .sort_by_key(|t| std::cmp::Reverse(t.0.chars().count()));
        terms.object_groups = terms.objects.iter().copied().collect();
        terms.problem_words = terms
            .pollution
            .iter()
            .map(|(w, _)| *w)
            .chain(terms.night.iter().copied())
            .chain(terms.day.iter().copied())
            .collect();
        terms.name_patterns = terms.name_words.keys().copied().collect();
        terms.name_matcher = matcher(&terms.name_patterns, MatchKind::Standard);
        let mut problems: Vec<&str> = Vec::new();
        for (word, index) in &terms.pollution {
            problems.push(word);
            terms.problem_meanings.push(Problem::Kind(*index));
        }
        for word in &terms.night {
            problems.push(word);
            terms.problem_meanings.push(Problem::Night);
        }
        for word in &terms.day {
            problems.push(word);
            terms.problem_meanings.push(Problem::Day);
        }
        terms.problem_matcher = matcher(&problems, MatchKind::Standard);
        let objects: Vec<&str> = terms.objects.iter().map(|(w, _)| *w).collect();
        terms.object_matcher = matcher(&objects, MatchKind::LeftmostLongest);
        let landmarks: Vec<&str> = terms.landmarks.iter().map(|(w, _)| *w).collect();
        terms.landmark_matcher = matcher(&landmarks, MatchKind::LeftmostLongest);
        terms.longest_name_word = terms
            .name_words
            .keys()
            .map(|w| w.chars().count())
            .max()
            .unwrap_or(0);
        terms
    }

    pub fn is_boundary(&self, word: &str) -> bool {
        self.boundaries.contains_key(word)
    }

    /// Whether a word is on the list in any role: a name word, a boundary, a problem, a time
    /// of day or a piece of equipment.
    pub fn is_term(&self, word: &str) -> bool {
        self.name_words.contains_key(word)
            || self.boundaries.contains_key(word)
            || self.object_groups.contains_key(word)
            || self.problem_words.contains(word)
    }

    /// The group of an equipment or spot word.
    pub fn object_group(&self, word: &str) -> Option<&'static str> {
        self.object_groups.get(word).copied()
    }

    /// Whether two facility classes can be one source: the same class, an unknown one, two
    /// industrial classes (a plant and its yard, its boiler house, its waste station), or a
    /// restaurant and a hotel (泉城大酒店 and 泉城酒店).
    pub fn classes_fit(a: &str, b: &str) -> bool {
        const INDUSTRIAL: &[&str] = &["firm", "yard", "sewage_works", "power", "waste"];
        a == b
            || a.is_empty()
            || b.is_empty()
            || (INDUSTRIAL.contains(&a) && INDUSTRIAL.contains(&b))
            || matches!((a, b), ("restaurant", "hotel") | ("hotel", "restaurant"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lists_load_with_known_types() {
        let terms = &*TERMS_TABLE;
        assert!(terms.name_words.len() > 200);
        assert!(matches!(
            terms.name_words.get("烧烤"),
            Some(NameWord::Facility(FacilityWord {
                class: "restaurant",
                sort: "barbecue"
            }))
        ));
        assert!(matches!(
            terms.name_words.get("化工"),
            Some(NameWord::Trade("firm"))
        ));
        assert!(terms.is_boundary("旁边"));
        // Every kind of public place fits a bit of a `u32`.
        assert!(terms.landmark_kinds.len() <= 32);
        let kind = |w: &str| {
            let (_, k) = terms.landmarks.iter().find(|(x, _)| *x == w)?;
            terms.landmark_kinds.get(usize::from(*k)).copied()
        };
        assert_eq!(kind("客运站"), Some("汽车站"));
        assert_eq!(kind("汽车站"), Some("汽车站"));
        assert_eq!(kind("卫生院"), Some("医院"));
        let noise = type_index("noise").expect("noise is a type");
        assert!(terms.pollution.contains(&("噪音", noise)));
        // Every problem word's type exists: the file names no type the taxonomy lacks.
        let listed = TERMS
            .lines()
            .filter(|l| l.starts_with("pollution\t"))
            .count();
        assert_eq!(listed, terms.pollution.len());
    }
}
