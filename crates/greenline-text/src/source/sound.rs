//! Names compared by sound (拼音), so that a homophone typed by a pinyin input method (鑫达 for
//! 新达, 鸿福 for 红福, 合平路 for 和平路) still matches.
//!
//! Each Han character becomes the id of its toneless syllable; any other character stands for
//! itself (Latin letters upper-cased, digits as they are). Names are compared as sets of
//! syllable bigrams by their overlap with the shorter name, so that a name written with extra
//! characters around it (临港新达 for 鑫达, 底商金嗓子 for 金嗓子) still matches in full.

use pinyin::ToPinyin;

/// The sound of one character.
pub(crate) type Sound = u32;

/// Marks sounds that are characters standing for themselves.
const LITERAL: u32 = 1 << 31;

/// The sound of a character: its toneless syllable for a Han character, itself otherwise.
pub(crate) fn sound(c: char) -> Sound {
    match c.to_pinyin() {
        Some(pinyin) => syllable_id(pinyin.plain()),
        None => LITERAL | u32::from(c.to_ascii_uppercase()),
    }
}

/// The sounds of a text, one per character.
pub(crate) fn sounds(text: &str) -> Vec<Sound> {
    text.chars().map(sound).collect()
}

/// A stable id for a syllable (FNV-1a of its letters, top bit clear).
fn syllable_id(syllable: &str) -> Sound {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in syllable.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash & !LITERAL
}

/// How alike two names sound, 0–1: the share of the shorter name's syllable bigrams found in
/// the longer one (single syllables for a one-character name).
pub(crate) fn similarity(a: &[Sound], b: &[Sound]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() == 1 {
        return if long.contains(&short[0]) { 0.5 } else { 0.0 };
    }
    let bigrams =
        |s: &[Sound]| -> Vec<(Sound, Sound)> { s.windows(2).map(|w| (w[0], w[1])).collect() };
    let (short, long) = (bigrams(short), bigrams(long));
    let shared = short.iter().filter(|g| long.contains(g)).count();
    shared as f64 / short.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homophones_sound_alike_and_other_names_do_not() {
        assert_eq!(similarity(&sounds("鑫达"), &sounds("新达")), 1.0);
        assert_eq!(similarity(&sounds("和平"), &sounds("合平")), 1.0);
        assert_eq!(similarity(&sounds("恒升"), &sounds("恒达")), 0.0);
        assert_eq!(similarity(&sounds("宏远"), &sounds("宏达")), 0.0);
    }

    #[test]
    fn a_name_inside_a_longer_one_matches_in_full() {
        assert_eq!(similarity(&sounds("临港新达"), &sounds("鑫达")), 1.0);
        assert!(similarity(&sounds("福满楼"), &sounds("福满多")) < 0.75);
    }

    #[test]
    fn latin_letters_ignore_case() {
        assert_eq!(sounds("ktv"), sounds("KTV"));
    }
}
