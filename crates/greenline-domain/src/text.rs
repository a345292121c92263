//! The one rule for every free-text field people submit (descriptions, addresses, names, notes,
//! reasons, findings, replies, summaries, merge and review notes): a length limit, and none of
//! the characters that have no business in text a person typed.
//!
//! Refused everywhere: C0 control characters except tab, line feed and carriage return; DEL; C1
//! controls (U+0080–U+009F); the bidirectional embedding, override and isolate characters
//! (U+202A–U+202E, U+2066–U+2069), which make text display in another order than it is stored
//! (a tracking number or an amount that reads differently from what it is); and U+FEFF (a
//! byte-order mark or zero-width no-break space, invisible inside text). NUL in particular is
//! refused by PostgreSQL text columns, so accepting it on one store and failing on the other
//! would be worse than refusing it at the edge.

use crate::error::FieldError;

/// The longest description accepted, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// The longest of any other free-text field (address, names, notes, reasons), in characters.
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Whether `c` is refused in submitted text (see the module doc).
pub fn is_forbidden_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Checks one free-text field: at most `max_chars` characters and no refused character. The
/// error names the field and, for a refused character, which one and where (in English, for
/// the API; the pages translate by field).
pub fn check_text(field: &str, text: &str, max_chars: usize) -> Result<(), FieldError> {
    if let Some((at, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| is_forbidden_char(*c))
    {
        return Err(FieldError::new(
            field,
            format!(
                "contains a control or invisible formatting character (U+{:04X}) at character {}",
                u32::from(c),
                at + 1
            ),
        ));
    }
    if text.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("longer than {max_chars} characters"),
        ));
    }
    Ok(())
}

/// [`check_text`] on an optional field.
pub fn check_optional_text(
    field: &str,
    text: Option<&str>,
    max_chars: usize,
) -> Result<(), FieldError> {
    text.map_or(Ok(()), |t| check_text(field, t, max_chars))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_with_tabs_and_line_breaks_passes() {
        assert!(check_text("note", "第一行\r\n第二行\t（已核实）", 100).is_ok());
        assert!(check_text("note", "‘引号’ “中文” — 破折号 · 间隔号 emoji 🌫", 100).is_ok());
    }

    #[test]
    fn controls_bidi_overrides_and_the_bom_are_refused_by_name() {
        for bad in [
            "a\u{0}b",
            "a\u{1b}[31m",
            "a\u{7f}",
            "a\u{85}",
            "a\u{202e}b",
            "a\u{2066}b",
            "\u{feff}a",
        ] {
            let error = check_text("findings", bad, 100).expect_err(bad);
            assert_eq!(error.field, "findings");
            assert!(error.message.contains("U+"), "{}", error.message);
        }
        let error = check_text("note", "ok\u{202e}", 100).expect_err("override");
        assert!(error.message.contains("U+202E"), "{}", error.message);
        assert!(error.message.contains("character 3"), "{}", error.message);
    }

    #[test]
    fn length_is_counted_in_characters() {
        assert!(check_text("note", &"字".repeat(10), 10).is_ok());
        let error = check_text("note", &"字".repeat(11), 10).expect_err("too long");
        assert_eq!(error.message, "longer than 10 characters");
    }
}
