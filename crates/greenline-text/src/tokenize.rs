//! Chinese word segmentation (分词) for complaint text.
//!
//! [`Tokenizer`] is jieba with its general dictionary plus our domain dictionary
//! (`data/text/domain_dict.txt`: pollution terms, equipment, industries, place suffixes), so that
//! words such as 油烟净化器 or 渣土车 stay whole. Stop words (`data/text/stopwords.txt`) are
//! dropped from [`Tokenizer::words`]; punctuation and whitespace are always dropped.

use std::collections::{HashMap, HashSet};
use std::io::BufReader;
use std::sync::LazyLock;

use jieba_rs::Jieba;

use crate::TextError;

pub(crate) const DOMAIN_DICT: &str = include_str!("../data/text/domain_dict.txt");
pub(crate) const STOPWORDS: &str = include_str!("../data/text/stopwords.txt");

/// About how many word occurrences jieba's general dictionary counts (the sum of its
/// frequencies), the scale of [`Tokenizer::rarity`].
const GENERAL_WORDS: f64 = 6.0e7;
/// Words whose rarity each thread keeps worked out, at most.
const RARITIES_KEPT: usize = 200_000;

/// jieba with the domain dictionary and the stop-word list.
pub struct Tokenizer {
    jieba: Jieba,
    stopwords: HashSet<String>,
    /// The domain dictionary's words: the field's own vocabulary, common in complaints however
    /// rare in general text.
    domain: HashSet<String>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("stopwords", &self.stopwords.len())
            .finish_non_exhaustive()
    }
}

static SHARED: LazyLock<Tokenizer> = LazyLock::new(|| {
    Tokenizer::with_data(DOMAIN_DICT, STOPWORDS)
        .unwrap_or_else(|e| unreachable!("the shipped dictionaries load: {e}"))
});

impl Tokenizer {
    /// The tokenizer with the shipped dictionaries, built once per process.
    pub fn shared() -> &'static Tokenizer {
        &SHARED
    }

    /// A tokenizer with a domain dictionary in jieba's format (`word [freq] [tag]` a line, `#`
    /// comments) and a stop-word list (one word a line).
    pub fn with_data(domain_dict: &str, stopwords: &str) -> Result<Tokenizer, TextError> {
        let mut jieba = Jieba::new();
        let domain = domain_dict
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .filter_map(|line| line.split_whitespace().next())
            .map(str::to_owned)
            .collect();
        let entries: String = domain_dict
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| format!("{line}\n"))
            .collect();
        jieba
            .load_dict(&mut BufReader::new(entries.as_bytes()))
            .map_err(|e| TextError::Dictionary(e.to_string()))?;
        let stopwords = stopwords
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(str::to_owned)
            .collect();
        Ok(Tokenizer {
            jieba,
            stopwords,
            domain,
        })
    }

    /// Every segment of the text, punctuation and spaces included.
    pub fn segments<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba.cut(text, true)
    }

    /// Every segment of the text with its byte offset in `text`, in order: what a search index
    /// needs to highlight a word where it stands.
    pub fn segments_with_offsets<'a>(&self, text: &'a str) -> Vec<(usize, &'a str)> {
        let start = text.as_ptr() as usize;
        // jieba returns slices of the text itself, so a slice's address gives its offset.
        self.segments(text)
            .into_iter()
            .map(|segment| (segment.as_ptr() as usize - start, segment))
            .collect()
    }

    /// Whether a word is in the dictionary (jieba's general one or the domain dictionary).
    pub fn is_known_word(&self, word: &str) -> bool {
        self.jieba.has_word(word)
    }

    /// The words of the text: no punctuation, spaces or stop words. Latin letters are lowered.
    pub fn words(&self, text: &str) -> Vec<String> {
        self.segments(text)
            .into_iter()
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .filter(|word| !self.stopwords.contains(*word))
            .map(str::to_lowercase)
            .collect()
    }

    /// Whether a word is in the domain dictionary.
    pub fn is_domain_word(&self, word: &str) -> bool {
        self.domain.contains(word)
    }

    /// How rare a word is in general Chinese: the natural log of how many times fewer it occurs
    /// than one word in [`GENERAL_WORDS`] of jieba's dictionary. A common word (我们) is near 7,
    /// a word jieba has never seen (a shop's made-up name) above 16.
    pub fn rarity(&self, word: &str) -> f64 {
        // Working it out segments the word again, so each thread keeps what it has worked out.
        thread_local! {
            static KNOWN: std::cell::RefCell<HashMap<String, f64>> =
                std::cell::RefCell::new(HashMap::new());
        }
        if let Some(rarity) = KNOWN.with(|known| known.borrow().get(word).copied()) {
            return rarity;
        }
        let freq = self.jieba.suggest_freq(word).max(1) as f64;
        let rarity = (GENERAL_WORDS / freq).ln().max(0.0);
        KNOWN.with(|known| {
            let mut known = known.borrow_mut();
            if known.len() >= RARITIES_KEPT {
                known.clear();
            }
            known.insert(word.to_owned(), rarity);
        });
        rarity
    }

    /// Whether a word is on the stop-word list.
    pub fn is_stopword(&self, word: &str) -> bool {
        self.stopwords.contains(word)
    }

    /// Whether the dictionary has `word` as a common noun or verb (tags `n`, `v`, `vn`) at least
    /// as frequent as `rarity` allows: 美容, 加工, 维修; not a place's name (东关, 南站).
    pub fn is_everyday_word(&self, word: &str, rarity: f64) -> bool {
        self.is_tagged(word, &["n", "v", "vn"], rarity)
    }

    /// Whether the dictionary has `word` as a common noun (tag `n`; not a person's, place's or
    /// organisation's name) at least as frequent as `rarity` allows: 玩具, 电机, 药材.
    pub fn is_common_noun(&self, word: &str, rarity: f64) -> bool {
        self.is_tagged(word, &["n"], rarity)
    }

    /// Whether the dictionary has `word` under one of `tags` alone, at most as rare as `rarity`.
    fn is_tagged(&self, word: &str, tags: &[&str], rarity: f64) -> bool {
        self.jieba.has_word(word)
            && matches!(self.jieba.tag(word, false).as_slice(), [t] if tags.contains(&t.tag))
            && self.rarity(word) <= rarity
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_names_are_rarer_than_everyday_words() {
        let t = Tokenizer::shared();
        assert!(t.rarity("鑫宏达") > t.rarity("学校") + 4.0);
        assert!(t.rarity("我们") < 10.0);
        assert!(t.is_domain_word("油烟净化器"));
        assert!(!t.is_domain_word("学校"));
    }

    #[test]
    fn domain_words_stay_whole() {
        let words = Tokenizer::shared().words("楼下烧烤店没装油烟净化器，渣土车晚上也很吵");
        assert!(words.contains(&"油烟净化器".to_owned()), "{words:?}");
        assert!(words.contains(&"渣土车".to_owned()), "{words:?}");
    }

    #[test]
    fn offsets_point_at_each_segment_in_the_text() {
        let text = "Ａ栋楼下 KTV 夜里唱歌，噪音很大！";
        let segments = Tokenizer::shared().segments_with_offsets(text);
        let mut next = 0;
        for (offset, segment) in &segments {
            assert_eq!(&text[*offset..*offset + segment.len()], *segment);
            assert!(*offset >= next, "{segments:?}");
            next = offset + segment.len();
        }
        assert!(segments.iter().any(|(_, s)| *s == "噪音"), "{segments:?}");
    }

    #[test]
    fn stop_words_and_punctuation_are_dropped() {
        let words = Tokenizer::shared().words("我们的小区，非常吵！");
        assert!(
            !words.iter().any(|w| w == "的" || w == "，" || w == "！"),
            "{words:?}"
        );
        assert!(words.iter().any(|w| w == "小区"), "{words:?}");
    }
}
