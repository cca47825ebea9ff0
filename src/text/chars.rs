//! Characters that no input may carry into a site: the one definition shared by the YAML reader
//! (values), the Markdown bodies and the input policy (file names).
//!
//! - control characters (C0, DEL and C1): they drive terminals and make `atom.xml` invalid XML;
//! - Unicode noncharacters (U+FDD0–U+FDEF and the last two code points of every plane, U+FFFE,
//!   U+FFFF, U+1FFFE …): XML does not allow U+FFFE and U+FFFF, and none of them is meant for
//!   interchange;
//! - the bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069):
//!   they reorder the text around them, so a title or name can display as something else.
//!
//! None is ever needed in research text. The marks U+200E and U+200F, zero-width characters,
//! U+FEFF and the line and paragraph separators U+2028 and U+2029 are valid XML and are left alone.

/// What kind of refused character `c` is, in words, or None if it may appear in an input.
pub fn refused(c: char) -> Option<&'static str> {
    if c.is_control() {
        Some("a control character")
    } else if is_noncharacter(c) {
        Some("a Unicode noncharacter")
    } else if is_bidi_control(c) {
        Some("a bidirectional text control character")
    } else {
        None
    }
}

/// `text` with every line break (CR, LF, vertical tab, form feed, NEL, U+2028, U+2029) and any
/// other control character as a space.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// U+FDD0–U+FDEF, and U+xFFFE and U+xFFFF in every plane.
pub fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xFDD0..=0xFDEF).contains(&n) || n & 0xFFFE == 0xFFFE
}

/// The embeddings and overrides U+202A–U+202E and the isolates U+2066–U+2069.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The first refused character in `text`, with its kind.
pub fn first_refused(text: &str) -> Option<(char, &'static str)> {
    text.chars().find_map(|c| refused(c).map(|kind| (c, kind)))
}

/// Whether byte `b` can start a refused character other than tab and line breaks: C0 controls,
/// DEL, 0xC2 (C1 controls), 0xE2 (bidirectional controls), 0xEF (U+FDD0–U+FDEF, U+FFFE, U+FFFF)
/// and 0xF0–0xF4 (the noncharacters of the other planes). A table, so that a body costs one lookup
/// per byte and only these bytes are decoded.
const MAY_START_REFUSED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = !matches!(b as u8, b'\t' | b'\n' | b'\r');
        b += 1;
    }
    table[0x7f] = true;
    table[0xc2] = true;
    table[0xe2] = true;
    table[0xef] = true;
    let mut b = 0xf0;
    while b <= 0xf4 {
        table[b] = true;
        b += 1;
    }
    table
};

/// Every refused character in `text` except tab, LF and CR (which Markdown needs): its byte offset,
/// the character and its kind, in order.
pub fn refused_in_text(text: &str) -> RefusedInText<'_> {
    RefusedInText { text, at: 0 }
}

/// The iterator returned by [`refused_in_text`].
pub struct RefusedInText<'a> {
    text: &'a str,
    at: usize,
}

impl Iterator for RefusedInText<'_> {
    type Item = (usize, char, &'static str);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.text.as_bytes().get(self.at..)?;
            let at = self.at + rest.iter().position(|&b| MAY_START_REFUSED[b as usize])?;
            // A lead byte is never a UTF-8 continuation byte, so `at` is a character boundary.
            let c = self.text[at..].chars().next()?;
            self.at = at + c.len_utf8();
            if let Some(kind) = refused(c) {
                return Some((at, c, kind));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_and_allowed_characters() {
        for c in [
            '\0',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{9b}',
            '\t',
            '\n',
            '\u{fdd0}',
            '\u{fdef}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
            '\u{202a}',
            '\u{202e}',
            '\u{2066}',
            '\u{2069}',
        ] {
            assert!(refused(c).is_some(), "{:x}", c as u32);
        }
        for c in [
            'a',
            'é',
            '\u{2028}',
            '\u{2029}',
            '\u{feff}',
            '\u{200b}',
            '\u{200d}',
            '\u{200e}',
            '\u{200f}',
            '\u{fdcf}',
            '\u{fdf0}',
            '\u{fffd}',
            '\u{1fffd}',
            '\u{2065}',
            '\u{2029}',
        ] {
            assert!(refused(c).is_none(), "{:x}", c as u32);
        }
    }

    #[test]
    fn refused_in_text_finds_every_refused_character_and_nothing_else() {
        // Every character that shares a lead byte with a refused one, or is one.
        let all = (0..=0x10ffff_u32).filter_map(char::from_u32);
        let text: String = all.filter(|&c| !c.is_ascii_alphanumeric()).collect();
        let expected: Vec<(usize, char, &str)> = text
            .char_indices()
            .filter(|&(_, c)| !matches!(c, '\t' | '\n' | '\r'))
            .filter_map(|(i, c)| refused(c).map(|kind| (i, c, kind)))
            .collect();
        assert_eq!(refused_in_text(&text).collect::<Vec<_>>(), expected);
        let found: Vec<char> = refused_in_text("a\tb\r\n\u{1b}é\u{2019}\u{202e}\u{fffe}\u{1fffe}")
            .map(|(_, c, _)| c)
            .collect();
        assert_eq!(found, ['\u{1b}', '\u{202e}', '\u{fffe}', '\u{1fffe}']);
    }
}
