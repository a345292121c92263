//! Which published answers a text calls for: the report form and the desk offer those whose
//! words (关键词) the text contains; the portal's search also weighs the question and the
//! answer's own words.
//!
//! A keyword is matched as a substring of the text, after folding letters to lower case and
//! full-width forms to ASCII, so `楼顶装了基站` finds the answer with keyword `基站` whatever the
//! segmenter makes of it. Longer keywords weigh more (up to four characters): `夜间施工` says
//! more than `噪声`. The index is small (hundreds of answers) and rebuilt when one is published
//! or withdrawn.

use std::collections::HashSet;

use greenline_domain::AnswerContent;
use greenline_text::Tokenizer;

/// The fewest keyword characters a text must match for an answer to be offered.
const OFFER_AT: usize = 2;

/// Lower case, full-width ASCII forms and the ideographic space folded to ASCII.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// One published answer as the index holds it.
#[derive(Debug)]
struct Entry {
    id: i64,
    keywords: Vec<String>,
    question: String,
    answer_words: HashSet<String>,
}

/// The published answers, ready to be matched.
#[derive(Debug, Default)]
pub(crate) struct AnswerIndex {
    entries: Vec<Entry>,
}

fn weight(keyword: &str) -> usize {
    keyword.chars().count().min(4)
}

impl AnswerIndex {
    pub fn new<'a>(answers: impl IntoIterator<Item = (i64, &'a AnswerContent)>) -> AnswerIndex {
        let tokenizer = Tokenizer::shared();
        let entries = answers
            .into_iter()
            .map(|(id, content)| Entry {
                id,
                keywords: content.keywords.iter().map(|k| fold(k)).collect(),
                question: fold(&content.question),
                answer_words: tokenizer
                    .words(&fold(&content.answer))
                    .into_iter()
                    .filter(|w| w.chars().count() >= 2)
                    .collect(),
            })
            .collect();
        AnswerIndex { entries }
    }

    /// The answers `text` calls for, best first, at most `limit`: each with the keywords it
    /// matched.
    pub fn offered(&self, text: &str, limit: usize) -> Vec<(i64, Vec<String>)> {
        let text = fold(text);
        let mut found: Vec<(usize, i64, Vec<String>)> = self
            .entries
            .iter()
            .filter_map(|entry| {
                let matched: Vec<String> = entry
                    .keywords
                    .iter()
                    .filter(|k| text.contains(k.as_str()))
                    .cloned()
                    .collect();
                let score: usize = matched.iter().map(|k| weight(k)).sum();
                (score >= OFFER_AT).then_some((score, entry.id, matched))
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found
            .into_iter()
            .take(limit)
            .map(|(_, id, matched)| (id, matched))
            .collect()
    }

    /// The answers a search `query` finds, best first: keywords the query contains or that
    /// contain a word of it, the question's words, then the answer's own words.
    pub fn search(&self, query: &str) -> Vec<i64> {
        let query = fold(query.trim());
        if query.is_empty() {
            return Vec::new();
        }
        let mut words: Vec<String> = Tokenizer::shared()
            .words(&query)
            .into_iter()
            .filter(|w| w.chars().count() >= 2)
            .collect();
        words.dedup();
        let mut found: Vec<(usize, i64)> = self
            .entries
            .iter()
            .filter_map(|entry| {
                let mut score = 0;
                for keyword in &entry.keywords {
                    if query.contains(keyword.as_str()) {
                        score += 3 * weight(keyword);
                    } else if words.iter().any(|w| keyword.contains(w.as_str())) {
                        score += 2;
                    }
                }
                if entry.question.contains(query.as_str()) {
                    score += 6;
                }
                for word in &words {
                    if entry.question.contains(word.as_str()) {
                        score += 2;
                    }
                    if entry.answer_words.contains(word) {
                        score += 1;
                    }
                }
                (score > 0).then_some((score, entry.id))
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found.into_iter().map(|(_, id)| id).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use greenline_domain::Basis;

    fn answer(question: &str, text: &str, keywords: &[&str]) -> AnswerContent {
        AnswerContent {
            question: question.to_owned(),
            answer: text.to_owned(),
            basis: vec![Basis {
                standard: "GB 8702-2014".to_owned(),
                clause: "表1".to_owned(),
            }],
            keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
            department: None,
            checked_on: NaiveDate::from_ymd_opt(2026, 12, 1).expect("day"),
        }
    }

    fn index() -> AnswerIndex {
        let radiation = answer(
            "楼顶装了手机基站，辐射会超标吗？",
            "移动通信基站的电磁辐射有国家限值，可以申请监测。",
            &["基站", "信号塔", "辐射", "5G"],
        );
        let night = answer(
            "工地夜里施工合法吗？",
            "夜间施工须取得证明并公告附近居民。",
            &["夜间施工", "工地", "施工"],
        );
        let noise = answer(
            "住宅区噪声白天晚上各是多少分贝？",
            "居住区昼间不超过55分贝，夜间不超过45分贝。",
            &["噪声", "噪音", "分贝"],
        );
        AnswerIndex::new([(1, &radiation), (2, &night), (3, &noise)])
    }

    #[test]
    fn a_keyword_inside_the_text_offers_its_answer() {
        let index = index();
        assert_eq!(
            index.offered("楼顶装了基站", 3),
            vec![(1, vec!["基站".to_owned()])]
        );
        // Full-width letters and capitals fold.
        assert_eq!(index.offered("小区里新建了５Ｇ塔", 3)[0].0, 1);
        assert!(index.offered("河里有死鱼", 3).is_empty());
    }

    #[test]
    fn the_longer_match_comes_first() {
        let index = index();
        let offered: Vec<i64> = index
            .offered("隔壁工地夜间施工噪音太大", 3)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(offered, [2, 3]);
    }

    #[test]
    fn search_weighs_keywords_question_and_answer_words() {
        let index = index();
        assert_eq!(index.search("基站辐射")[0], 1);
        assert_eq!(index.search("分贝")[0], 3);
        assert_eq!(index.search("夜间施工 证明")[0], 2);
        assert!(index.search("   ").is_empty());
        assert!(index.search("垃圾分类").is_empty());
    }
}
