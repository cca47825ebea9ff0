//! Characters that no input may carry into a site: the one definition shared by the YAML reader
//! (values) and the input policy (file names).
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
}
