//! How case text becomes index terms, and a query becomes the same terms.
//!
//! Both sides segment with [`greenline_text::Tokenizer`] (jieba with the domain dictionary), so a
//! query word is cut the way the same word is cut in a case. Latin letters are lowered and
//! full-width letters and digits (ＡＢ１２) folded to ASCII; punctuation and spaces are no terms
//! and take no position, so `鑫达化工 有限公司` and `鑫达化工有限公司` are the same phrase.
//!
//! A case's text gets more: each word of three or more characters also yields the dictionary
//! words inside it (化工厂 → 化工, 工厂), at the word's own position, as jieba's search mode
//! does. A query for 化工 then finds 化工厂, and a phrase query 鑫达 化工 still finds
//! 鑫达化工厂 because 化工 stands where 化工厂 stands. Stop words are kept: dropping them would
//! break phrases that span one, and the index is small enough with them.
//!
//! A query's compound of the dictionary (噪音扰民) is also looked for as its words (噪音 扰民),
//! because the text around it may make jieba cut a case otherwise (施工噪音 扰民); see
//! [`query_alternatives`]. What word indexing cannot find is a query that starts or ends inside
//! a word of the case (机肥 in 有机肥): the benchmark measures how often that costs recall
//! against plain substring matching.

use greenline_text::Tokenizer as Segmenter;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name the tokenizer is registered under in the index.
pub const TOKENIZER_NAME: &str = "greenline_zh";

/// A word of a text with its byte range and position (the index of the word among the words).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub position: usize,
}

fn fold_char(c: char) -> char {
    match u32::from(c) {
        code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

/// Lowers Latin letters and folds full-width ASCII forms (U+FF01–U+FF5E) to ASCII.
fn normalise(word: &str) -> String {
    word.chars()
        .map(fold_char)
        .flat_map(char::to_lowercase)
        .collect()
}

/// The text with full-width forms folded (so that jieba sees ＫＴＶ as KTV), and where each
/// byte of the folded text came from in the original (`None`: nothing was folded).
fn fold(text: &str) -> (std::borrow::Cow<'_, str>, Option<Vec<usize>>) {
    if !text.chars().any(|c| fold_char(c) != c) {
        return (std::borrow::Cow::Borrowed(text), None);
    }
    let mut folded = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        let f = fold_char(c);
        origin.extend(std::iter::repeat_n(at, f.len_utf8()));
        folded.push(f);
    }
    origin.push(text.len());
    (std::borrow::Cow::Owned(folded), Some(origin))
}

fn is_word(segment: &str) -> bool {
    segment.chars().any(char::is_alphanumeric)
}

/// The words of a query, in order, as they are looked up in the index (no sub-words).
pub fn query_words(text: &str) -> Vec<String> {
    Segmenter::shared()
        .segments(&fold(text).0)
        .into_iter()
        .filter(|segment| is_word(segment))
        .map(normalise)
        .collect()
}

/// The fewest known words of two or more characters that make up `word`, if it can be split
/// so: 噪音扰民 → 噪音 扰民.
fn split_into_known_words(word: &str) -> Option<Vec<String>> {
    let segmenter = Segmenter::shared();
    let bounds: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(word.len()))
        .collect();
    let n = bounds.len() - 1;
    if n < 4 {
        return None;
    }
    // best[i]: the fewest parts covering the first i characters, and where the last part starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 2..=n {
        for start in 0..=end - 2 {
            if end - start == n {
                continue;
            }
            let Some((parts, _)) = best[start] else {
                continue;
            };
            if !segmenter.is_known_word(&word[bounds[start]..bounds[end]]) {
                continue;
            }
            if best[end].is_none_or(|(fewest, _)| parts + 1 < fewest) {
                best[end] = Some((parts + 1, start));
            }
        }
    }
    best[n]?;
    let mut parts = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        parts.push(word[bounds[start]..bounds[end]].to_owned());
        end = start;
    }
    parts.reverse();
    Some(parts)
}

/// The ways a query part may stand in a case's index, each a run of words: as cut, and (if the
/// part holds a compound of the dictionary such as 噪音扰民) with every such compound split into
/// its words, because a case may be cut otherwise around it (施工噪音 扰民). One or two ways;
/// none for a part without words.
pub fn query_alternatives(text: &str) -> Vec<Vec<String>> {
    let words = query_words(text);
    if words.is_empty() {
        return Vec::new();
    }
    let mut split = false;
    let finer: Vec<String> = words
        .iter()
        .flat_map(|word| match split_into_known_words(word) {
            Some(parts) => {
                split = true;
                parts
            }
            None => vec![word.clone()],
        })
        .collect();
    if split {
        vec![words, finer]
    } else {
        vec![words]
    }
}

/// The terms of a case's text: every word, and the dictionary words inside the longer ones at
/// the same position.
pub fn index_terms(text: &str) -> Vec<Term> {
    let segmenter = Segmenter::shared();
    let (folded, origin) = fold(text);
    let mut terms = Vec::new();
    let mut position = 0;
    for (start, segment) in segmenter.segments_with_offsets(&folded) {
        if !is_word(segment) {
            continue;
        }
        let chars: Vec<usize> = segment
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(segment.len()))
            .collect();
        let count = chars.len() - 1;
        let first_inner = terms.len();
        for width in [2, 3] {
            if count <= width {
                continue;
            }
            for i in 0..=count - width {
                let inner = &segment[chars[i]..chars[i + width]];
                if !segmenter.is_known_word(inner) {
                    continue;
                }
                let text = normalise(inner);
                // The same word twice inside one word (化工化工) is one term at one position.
                if terms[first_inner..].iter().any(|t: &Term| t.text == text) {
                    continue;
                }
                terms.push(Term {
                    text,
                    start: start + chars[i],
                    end: start + chars[i + width],
                    position,
                });
            }
        }
        terms.push(Term {
            text: normalise(segment),
            start,
            end: start + segment.len(),
            position,
        });
        position += 1;
    }
    if let Some(origin) = origin {
        for term in &mut terms {
            term.start = origin[term.start];
            term.end = origin[term.end];
        }
    }
    terms
}

/// [`index_terms`] as a tantivy tokenizer.
#[derive(Debug, Clone, Default)]
pub struct CaseTextTokenizer;

/// The terms of one text, handed out one by one.
#[derive(Debug)]
pub struct CaseTextTokenStream {
    terms: std::vec::IntoIter<Term>,
    token: Token,
}

impl Tokenizer for CaseTextTokenizer {
    type TokenStream<'a> = CaseTextTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CaseTextTokenStream {
        CaseTextTokenStream {
            terms: index_terms(text).into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for CaseTextTokenStream {
    fn advance(&mut self) -> bool {
        match self.terms.next() {
            Some(term) => {
                self.token = Token {
                    offset_from: term.start,
                    offset_to: term.end,
                    position: term.position,
                    text: term.text,
                    position_length: 1,
                };
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_point_at_their_words_in_the_text() {
        let text = "楼下烧烤店没装油烟净化器，ＫＴＶ夜里很吵。";
        let terms = index_terms(text);
        for term in &terms {
            assert_eq!(
                normalise(&text[term.start..term.end]),
                term.text,
                "{term:?}"
            );
        }
        assert!(terms.iter().any(|t| t.text == "ktv"), "{terms:?}");
        assert!(terms.iter().any(|t| t.text == "油烟净化器"), "{terms:?}");
    }

    #[test]
    fn inner_words_stand_at_the_position_of_their_word() {
        let terms = index_terms("化工厂排放废气");
        let whole = terms
            .iter()
            .find(|t| t.text == "化工厂")
            .expect("化工厂 is one word");
        let inner = terms
            .iter()
            .find(|t| t.text == "化工")
            .expect("化工 inside 化工厂");
        assert_eq!(inner.position, whole.position);
        assert_eq!((inner.start, inner.end), (whole.start, whole.start + 6));
        let next = terms.iter().find(|t| t.text == "排放").expect("排放");
        assert_eq!(next.position, whole.position + 1);
    }

    #[test]
    fn punctuation_and_spaces_take_no_position() {
        let words: Vec<usize> = index_terms("噪音 ， 扰民")
            .iter()
            .map(|t| t.position)
            .collect();
        assert_eq!(words, vec![0, 1]);
        assert_eq!(query_words("噪音， 扰民！"), vec!["噪音", "扰民"]);
    }

    #[test]
    fn a_compound_of_the_dictionary_may_also_be_found_as_its_words() {
        assert_eq!(query_words("噪音扰民"), vec!["噪音扰民"]);
        assert_eq!(
            query_alternatives("噪音扰民"),
            vec![
                vec!["噪音扰民".to_owned()],
                vec!["噪音".to_owned(), "扰民".to_owned()]
            ]
        );
        assert_eq!(query_alternatives("噪音"), vec![vec!["噪音".to_owned()]]);
        assert!(query_alternatives("，").is_empty());
    }

    #[test]
    fn query_words_are_the_words_a_case_is_indexed_under() {
        let text = "小区旁边的搅拌站粉尘很大";
        let terms: Vec<String> = index_terms(text).into_iter().map(|t| t.text).collect();
        for word in query_words(text) {
            assert!(terms.contains(&word), "{word} not among {terms:?}");
        }
    }
}
