//! Document text made safe to show: a chip's strings are untrusted, and Unicode bidirectional formatting
//! characters in them can reorder what a reader sees ("Trojan Source", CVE-2021-42574) — a name or a
//! place that displays differently from what the chip holds. The HTML and text reports show each such
//! character as a visible escape, `\u{202E}`, instead.

use std::borrow::Cow;

/// The bidirectional formatting characters (Unicode UAX #9): the embeddings and overrides U+202A–U+202E,
/// the isolates U+2066–U+2069, and the marks U+200E (LRM), U+200F (RLM) and U+061C (ALM).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// `c` as the visible escape `\u{XXXX}`.
pub fn visible_escape(c: char) -> String {
    format!("\\u{{{:04X}}}", u32::from(c))
}

/// `text` for a terminal: every bidirectional formatting character and every control character but
/// line feed and tab (escape sequences included) replaced by its visible escape.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_bidi_control(c) || (c.is_control() && c != '\n' && c != '\t');
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&visible_escape(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_and_control_characters_become_visible() {
        assert_eq!(for_terminal("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(
            for_terminal("A\u{202E}B\u{2066}C\u{200F}D\u{061C}E\u{1B}[31m"),
            "A\\u{202E}B\\u{2066}C\\u{200F}D\\u{061C}E\\u{001B}[31m"
        );
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2067}', '\u{2068}', '\u{2069}',
            '\u{200E}',
        ] {
            assert!(is_bidi_control(c), "{c:?}");
        }
        assert!(
            !is_bidi_control('\u{2029}') && !is_bidi_control('A') && !is_bidi_control('\u{05D0}')
        );
    }
}
