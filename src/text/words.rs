//! Words as the anonymity deny-list compares them: the one tokeniser behind both the list's
//! normal form (`crate::config::anonymity::normalise`) and the lint's reading of every file the
//! build writes (`crate::write::anonymity`), so that a name is matched however it is written.
//!
//! [`words`] reads the text once, left to right:
//!
//! 1. A *run* is a maximal stretch of letters, digits and combining marks. Inside a run these
//!    are skipped as if absent: invisible characters ([`is_invisible`]: soft hyphen, zero-width
//!    space, non-joiner and joiner, word joiner, BOM, the bidi marks and controls, the combining
//!    grapheme joiner), written raw, as HTML character references (`&shy;`, `&#8203;`) or as
//!    JSON `\u` escapes; in markup ([`Mode::markup`]: HTML, XML, SVG) a tag of an inline element
//!    or a comment directly between two letters (`Ex<em>ample</em>ton`); and with
//!    [`Mode::emphasis`] (Markdown inputs) a `*` directly between two letters. A numeric
//!    character reference or `\u` escape of a letter or digit is read as that character.
//! 2. A run is cut into *words* where it turns from letters to digits or back
//!    (`Zorbington2015a` is `zorbington 2015 a`), so a citation key holds the name.
//! 3. Each word is lower-cased; a word with any non-ASCII character is first brought to Unicode
//!    NFKC (a decomposed `ä` is the composed one, fullwidth letters are ASCII, `ﬁ` is `fi`), and
//!    `ß` is `ss`. ASCII words are only lower-cased, without a copy of the text.
//! 4. Between runs, whitespace, hyphens and dashes, apostrophes, full stops, `_`, `+`, `%20`, the
//!    `\n` `\r` `\t` escapes and other character references keep the words in one *sequence*
//!    ([`Word::joined`]), and so does an inline tag in markup (`Exampleton <em>Borough</em>`);
//!    any other character (`<`, `,`, `"`, a block tag) ends it.
//! 5. Two *alternative readings* are given as words of a second channel ([`Word::alt`]), each a
//!    sequence of its own: a run's words cut again where a lower-case letter meets an upper-case
//!    one (`ZorbingtonSmith` is also `zorbington smith`), and the text inside each inline tag,
//!    so a name in its `title` or `href` is still read.
//!
//! Not read: text split by a space or a block tag (`<td>Q</td><td>Z</td>` is two words), a
//! named character reference of a letter (`&eacute;`), and letters written as images or CSS.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// How a text is read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mode {
    /// HTML, XML or SVG: inline tags and comments between two letters join them.
    pub markup: bool,
    /// Markdown: a `*` between two letters joins them.
    pub emphasis: bool,
}

/// A word, as [`words`] hands it on.
#[derive(Debug)]
pub struct Word<'a> {
    /// Where the word is written in the text (bytes), skipped characters included.
    pub start: usize,
    pub end: usize,
    /// The word in normal form: lower case, NFKC, no invisible characters.
    pub text: &'a str,
    /// Whether it continues the sequence of the word before it on its channel.
    pub joined: bool,
    /// Whether it belongs to an alternative reading (module step 5).
    pub alt: bool,
}

/// Calls `f` with each word of `text` (module steps 1 to 5), until `f` returns false.
pub fn words(text: &str, mode: Mode, mut f: impl FnMut(&Word) -> bool) {
    let mut reader = Reader::new(text, 0, text.len(), mode, false, &mut f);
    reader.read();
}

/// The normal form of a name: its words (main reading) joined by one space.
pub fn normal_form(name: &str) -> String {
    let mut out = String::new();
    words(name, Mode::default(), |w| {
        if !w.alt {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w.text);
        }
        true
    });
    out
}

/// Whether `c` is skipped inside a word as if absent (module step 1).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Whether `c`, between two runs, keeps them in one sequence: whitespace (with no-break
/// spaces), hyphens and dashes, apostrophes, full stops, and the underscore and `+` that file
/// names and URLs write for a space.
pub fn is_joiner(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\'' | '.' | '_' | '+' | '\u{2018}' | '\u{2019}' | '\u{2010}'..='\u{2014}'
        )
}

/// The byte classes of ASCII, and one for every byte that needs a closer look.
const BREAK: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const DIGIT: u8 = 3;
const JOIN: u8 = 4;
const OTHER: u8 = 5;

/// A table, not `char` methods: most text is ASCII, and one load classes a byte.
static CLASS: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut table = [BREAK; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = match i as u8 {
            b'a'..=b'z' => LOWER,
            b'A'..=b'Z' => UPPER,
            b'0'..=b'9' => DIGIT,
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | b'-' | b'\'' | b'.' | b'_' | b'+' => JOIN,
            b'&' | b'\\' | b'%' | 0x80..=0xff => OTHER,
            _ => BREAK,
        };
        i += 1;
    }
    table
}

/// What one character (or reference, or escape) of the text is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A letter (upper case or not) or digit, read as this character.
    Letter(char, bool),
    Digit(char),
    Mark(char),
    Invisible,
    Join,
    Break,
}

/// Reads one text, or one range of it for an alternative reading.
struct Reader<'t, 'f> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    end: usize,
    mode: Mode,
    alt: bool,
    f: &'f mut dyn FnMut(&Word) -> bool,
    stopped: bool,
    /// The current word as read, ASCII lower-cased, and whether it has other characters.
    buf: String,
    ascii: bool,
    norm: String,
}

impl<'t, 'f> Reader<'t, 'f> {
    fn new(
        text: &'t str,
        at: usize,
        end: usize,
        mode: Mode,
        alt: bool,
        f: &'f mut dyn FnMut(&Word) -> bool,
    ) -> Self {
        Reader {
            text,
            bytes: text.as_bytes(),
            at,
            end,
            mode,
            alt,
            f,
            stopped: false,
            buf: String::new(),
            ascii: true,
            norm: String::new(),
        }
    }

    fn read(&mut self) {
        let mut joined = false;
        while self.at < self.end && !self.stopped {
            let (unit, len) = self.unit(self.at);
            match unit {
                Unit::Letter(..) | Unit::Digit(_) => {
                    self.run(joined);
                    joined = true;
                }
                Unit::Break => {
                    // An inline tag elsewhere (`Exampleton <em>Borough</em>`) is read as
                    // nothing too: it breaks no sequence, and its text is read apart.
                    let tag = (self.mode.markup && self.bytes[self.at] == b'<')
                        .then(|| inline_tag(&self.bytes[self.at..self.end]))
                        .flatten();
                    match tag {
                        Some(tag) => {
                            let start = self.at;
                            self.at += tag;
                            self.alternative(start, self.at);
                        }
                        None => {
                            joined = false;
                            self.at += len;
                        }
                    }
                }
                Unit::Mark(_) | Unit::Invisible | Unit::Join => self.at += len,
            }
        }
    }

    /// The unit at `i` and its length in bytes.
    #[inline(always)]
    fn unit(&self, i: usize) -> (Unit, usize) {
        let b = self.bytes[i];
        match CLASS[b as usize] {
            LOWER => (Unit::Letter(b as char, false), 1),
            UPPER => (Unit::Letter(b as char, true), 1),
            DIGIT => (Unit::Digit(b as char), 1),
            JOIN => (Unit::Join, 1),
            BREAK => (Unit::Break, 1),
            _ => self.other(i),
        }
    }

    #[inline(never)]
    fn other(&self, i: usize) -> (Unit, usize) {
        let rest = &self.bytes[i..self.end];
        match rest[0] {
            b'&' => match reference(rest) {
                Some((Some(c), len)) => (char_unit(c, true), len),
                Some((None, len)) => (Unit::Join, len),
                None => (Unit::Break, 1),
            },
            b'\\' => match escape(rest) {
                Some((c, len)) => (char_unit(c, true), len),
                None => (Unit::Break, 1),
            },
            b'%' if rest.starts_with(b"%20") => (Unit::Join, 3),
            b'%' => (Unit::Break, 1),
            _ => {
                let c = self.text[i..].chars().next().unwrap_or(' ');
                (char_unit(c, false), c.len_utf8())
            }
        }
    }

    /// Reads the run at `self.at` (module steps 1 to 3), its first word `joined` or not.
    fn run(&mut self, joined: bool) {
        let mut joined = joined;
        let mut piece_start = self.at;
        let mut piece_end = self.at;
        let mut digits: Option<bool> = None;
        let mut lower_before = false;
        // Where the camel-case reading cuts the piece: (byte in `buf`, byte in the text).
        let mut camel: Vec<(usize, usize)> = Vec::new();
        let mut tags: Vec<(usize, usize)> = Vec::new();
        self.buf.clear();
        self.ascii = true;
        while self.at < self.end {
            let (unit, len) = self.unit(self.at);
            let (c, digit, upper) = match unit {
                Unit::Letter(c, upper) => (c, false, upper),
                Unit::Digit(c) => (c, true, false),
                Unit::Mark(c) => {
                    self.push(c);
                    self.at += len;
                    piece_end = self.at;
                    continue;
                }
                Unit::Invisible => {
                    self.at += len;
                    continue;
                }
                _ => match self.joint(self.at) {
                    Some(after) => {
                        if self.bytes[self.at] == b'<' {
                            tags.push((self.at, after));
                        }
                        self.at = after;
                        continue;
                    }
                    None => break,
                },
            };
            if digits.is_some_and(|d| d != digit) {
                if !self.piece(piece_start, piece_end, joined, &camel) {
                    return;
                }
                joined = true;
                camel.clear();
                self.buf.clear();
                self.ascii = true;
                piece_start = self.at;
            }
            if upper && lower_before && !digit {
                camel.push((self.buf.len(), self.at));
            }
            lower_before = !digit && !upper && c.is_lowercase();
            digits = Some(digit);
            self.push(c);
            self.at += len;
            piece_end = self.at;
        }
        if !self.piece(piece_start, piece_end, joined, &camel) {
            return;
        }
        for (start, end) in tags {
            self.alternative(start, end);
        }
    }

    #[inline(always)]
    fn push(&mut self, c: char) {
        if c.is_ascii() {
            self.buf.push(c.to_ascii_lowercase());
        } else {
            self.buf.push(c);
            self.ascii = false;
        }
    }

    /// Where the run goes on after the markup at `i` that joins two letters (an inline tag or
    /// comment, or a `*` in Markdown), if the markup is such and a letter follows it.
    fn joint(&self, i: usize) -> Option<usize> {
        let mut at = i;
        loop {
            at = match self.bytes[at] {
                b'<' if self.mode.markup => inline_tag(&self.bytes[at..self.end])? + at,
                b'*' if self.mode.emphasis && at == i => {
                    at + self.bytes[at..self.end]
                        .iter()
                        .take_while(|b| **b == b'*')
                        .count()
                }
                _ => return None,
            };
            if at >= self.end {
                return None;
            }
            match self.unit(at).0 {
                Unit::Letter(..) | Unit::Digit(_) => return Some(at),
                _ if self.bytes[at] == b'<' => continue,
                _ => return None,
            }
        }
    }

    /// Hands on the word in `buf` (module step 3), then its camel-case reading.
    fn piece(&mut self, start: usize, end: usize, joined: bool, camel: &[(usize, usize)]) -> bool {
        let buf = std::mem::take(&mut self.buf);
        let mut go = self.emit(&buf, start, end, joined, self.alt);
        let mut cuts = camel.iter().copied().peekable();
        let (mut from, mut from_at) = (0, start);
        while go && !camel.is_empty() {
            let (to, to_at) = cuts.next().unwrap_or((buf.len(), end));
            go = self.emit(&buf[from..to], from_at, to_at, from > 0, true);
            if to == buf.len() {
                break;
            }
            (from, from_at) = (to, to_at);
        }
        self.buf = buf;
        self.stopped |= !go;
        go
    }

    fn emit(&mut self, word: &str, start: usize, end: usize, joined: bool, alt: bool) -> bool {
        let text = if self.ascii {
            word
        } else {
            normalise_into(word, &mut self.norm);
            self.norm.as_str()
        };
        (self.f)(&Word {
            start,
            end,
            text,
            joined,
            alt,
        })
    }

    /// Reads the text of a tag a run was joined across as an alternative reading.
    fn alternative(&mut self, start: usize, end: usize) {
        let mut reader = Reader::new(self.text, start, end, Mode::default(), true, self.f);
        reader.read();
        self.stopped |= reader.stopped;
    }
}

/// The unit a character is; `decoded` when it was written as a reference or escape.
fn char_unit(c: char, decoded: bool) -> Unit {
    if c.is_numeric() {
        Unit::Digit(c)
    } else if c.is_alphabetic() {
        Unit::Letter(c, c.is_uppercase())
    } else if is_invisible(c) {
        Unit::Invisible
    } else if is_combining_mark(c) && !decoded {
        Unit::Mark(c)
    } else if is_joiner(c) {
        Unit::Join
    } else {
        Unit::Break
    }
}

/// A word with non-ASCII characters in normal form: NFKC, lower case, `ß` as `ss`, only its
/// letters, digits and marks.
fn normalise_into(word: &str, out: &mut String) {
    out.clear();
    for c in word.nfkc().flat_map(char::to_lowercase) {
        match c {
            'ß' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c if c.is_alphanumeric() || is_combining_mark(c) => out.push(c),
            _ => {}
        }
    }
}

/// The inline elements: a tag of one between two letters does not separate them in the
/// rendered page, nor in the search index.
const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "tspan", "u",
    "var", "wbr",
];

/// The length of the inline tag or comment at the start of `b`, else None.
fn inline_tag(b: &[u8]) -> Option<usize> {
    const MAX: usize = 4096;
    let b = &b[..b.len().min(MAX)];
    if b.starts_with(b"<!--") {
        return memchr::memmem::find(&b[4..], b"-->").map(|n| n + 7);
    }
    let name_at = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    let name_len = b[name_at..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let name = std::str::from_utf8(&b[name_at..name_at + name_len]).ok()?;
    if !INLINE.iter().any(|t| t.eq_ignore_ascii_case(name)) {
        return None;
    }
    let mut quote = None;
    for (i, &c) in b.iter().enumerate().skip(name_at + name_len) {
        match (quote, c) {
            (None, b'>') => return Some(i + 1),
            (None, b'"' | b'\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, b'<') => return None,
            _ => {}
        }
    }
    None
}

/// Whether `b` starts with the start of a tag that is not inline (`<p`, `</td`), whose name
/// is complete in `b`: the text may be cut before it without cutting a word.
pub fn starts_block_tag(b: &[u8]) -> bool {
    let name_at = if b.get(1) == Some(&b'/') { 2 } else { 1 };
    let rest = b.get(name_at..).unwrap_or_default();
    let name_len = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let ended = rest
        .get(name_len)
        .is_some_and(|c| c.is_ascii_whitespace() || matches!(c, b'>' | b'/'));
    let name = std::str::from_utf8(&rest[..name_len]).unwrap_or_default();
    b.first() == Some(&b'<')
        && name_len > 0
        && ended
        && !INLINE.iter().any(|t| t.eq_ignore_ascii_case(name))
}

/// The HTML character reference at the start of `b` (`&nbsp;`, `&#x27;`, `&shy;`): the
/// character, when it is one the tokeniser reads (invisible, a letter or digit; numeric
/// references and the named invisible ones), and its length. None if `b` starts no reference.
fn reference(b: &[u8]) -> Option<(Option<char>, usize)> {
    let n = b.iter().skip(1).take(32).position(|&c| c == b';')?;
    let body = &b[1..=n];
    if n == 0 || !body.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'#') {
        return None;
    }
    let body = std::str::from_utf8(body).ok()?;
    let c = match body.strip_prefix('#') {
        Some(num) => match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse().ok(),
        }
        .and_then(char::from_u32),
        None => named(body),
    };
    let read = c.filter(|c| c.is_alphanumeric() || is_invisible(*c));
    Some((read, n + 2))
}

/// The named references of the invisible characters.
fn named(name: &str) -> Option<char> {
    Some(match name {
        "shy" => '\u{00AD}',
        "ZeroWidthSpace"
        | "NegativeVeryThinSpace"
        | "NegativeThinSpace"
        | "NegativeMediumSpace"
        | "NegativeThickSpace" => '\u{200B}',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        "NoBreak" => '\u{2060}',
        "it" | "InvisibleTimes" => '\u{2062}',
        "ic" | "InvisibleComma" => '\u{2063}',
        "af" | "ApplyFunction" => '\u{2061}',
        _ => return None,
    })
}

/// The JSON escape at the start of `b`: `\n`, `\r`, `\t` as a space, `\uXXXX` as its character
/// (a surrogate as U+FFFD), with its length. None if `b` starts no such escape.
fn escape(b: &[u8]) -> Option<(char, usize)> {
    match b {
        [b'\\', b'n' | b'r' | b't', ..] => Some((' ', 2)),
        [b'\\', b'u', hex @ ..] if hex.len() >= 4 => {
            let hex = std::str::from_utf8(&hex[..4]).ok()?;
            let n = u32::from_str_radix(hex, 16).ok()?;
            Some((char::from_u32(n).unwrap_or('\u{FFFD}'), 6))
        }
        _ => None,
    }
}

/// Calls `f(start, end)` for each place in `text` that could hide a word from a search for its
/// plain letters: a non-ASCII letter, digit, mark or invisible character, a reference or escape
/// of one, or (in markup) an inline tag between two letters. The lint reads the words around
/// such a place in full (`crate::write::anonymity`); ASCII prose has none.
pub fn hiding_places(text: &str, mode: Mode, mut f: impl FnMut(usize, usize)) {
    let mut nothing = |_: &Word| true;
    let reader = Reader::new(text, 0, text.len(), mode, false, &mut nothing);
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let special = CLASS[c as usize] == OTHER || (c == b'<' && mode.markup);
        if !special || c == b'%' {
            i += 1;
            continue;
        }
        if c == b'<' {
            if i > 0 && b[i - 1].is_ascii_alphanumeric() {
                if let Some(after) = reader.joint(i) {
                    f(i, after);
                }
            }
            i += 1;
            continue;
        }
        let (unit, len) = reader.unit(i);
        if !matches!(unit, Unit::Join | Unit::Break) {
            f(i, i + len);
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words of `text` as `main|alt` readings, `+` before a joined word.
    fn read(text: &str, mode: Mode) -> (String, String) {
        let (mut main, mut alt) = (String::new(), String::new());
        words(text, mode, |w| {
            let out = if w.alt { &mut alt } else { &mut main };
            out.push_str(if w.joined { "+" } else { " " });
            out.push_str(w.text);
            true
        });
        (main.trim().to_string(), alt.trim().to_string())
    }

    fn main(text: &str) -> String {
        read(text, Mode::default()).0
    }

    const MARKUP: Mode = Mode {
        markup: true,
        emphasis: false,
    };

    #[test]
    fn unicode_forms_read_as_their_nfkc_lower_case() {
        assert_eq!(main("Ma\u{308}rz"), "märz");
        assert_eq!(main("MÄRZ"), "märz");
        assert_eq!(main("Ｚｏｒｂｉｎｇｔｏｎ"), "zorbington");
        assert_eq!(main("ﬁeld Straße"), "field+strasse");
        assert_eq!(normal_form("Ma\u{308}rz"), normal_form("März"));
    }

    #[test]
    fn invisible_characters_are_skipped_raw_as_references_and_as_escapes() {
        for written in [
            "Zorb\u{ad}ington",
            "Zorb\u{200b}ing\u{200d}ton",
            "\u{feff}Zorb\u{2066}ington\u{2069}",
            "Zorb&shy;ington",
            "Zorb&#173;ing&#x200B;ton",
            "Zorb&ZeroWidthSpace;ington",
            "Zorb\\u00adington",
            "&#90;orbington",
        ] {
            assert_eq!(main(written), "zorbington", "{written}");
        }
        // Other references join words as before; an unknown `&` breaks.
        assert_eq!(main("Zorb&nbsp;ington"), "zorb+ington");
        assert_eq!(main("Zorb&ington"), "zorb ington");
    }

    #[test]
    fn runs_are_cut_between_letters_and_digits_and_read_again_at_camel_case() {
        assert_eq!(main("zorbington2015a"), "zorbington+2015+a");
        assert_eq!(main("Area51"), "area+51");
        assert_eq!(normal_form("Area51"), normal_form("area 51"));
        assert_eq!(
            read("ZorbingtonSmith2015", Mode::default()),
            ("zorbingtonsmith+2015".into(), "zorbington+smith".into())
        );
        assert_eq!(read("McDonald x", Mode::default()).1, "mc+donald");
        assert_eq!(read("HTML TEXT", Mode::default()).1, "");
    }

    #[test]
    fn inline_tags_between_letters_join_them_and_their_text_is_read_apart() {
        for written in [
            "Ex<em>ample</em>ton",
            "Ex<span class=\"x\">ample</span>ton",
            "Ex<wbr>ampleton",
            "Ex<!-- -->ampleton",
            "<em>Ex</em>ampleton",
        ] {
            let (joined, _) = read(written, MARKUP);
            assert_eq!(joined.rsplit(' ').next(), Some("exampleton"), "{written}");
        }
        let (joined, alt) = read("Ex<abbr title=\"Zorb ington\">ample</abbr>ton", MARKUP);
        assert_eq!(joined, "exampleton");
        assert_eq!(alt, "abbr+title zorb+ington abbr");
        assert_eq!(
            read("<p>Ex<em class=\"x\">ampleton</em> Borough</p>", MARKUP),
            ("p exampleton+borough p".into(), "em+class x em".into())
        );
        // Block tags, spaces and text that is not markup keep breaking.
        assert_eq!(read("<td>Q</td><td>Z</td>", MARKUP).0, "td q td td z td");
        assert_eq!(
            read("Ex <em>ample", MARKUP),
            ("ex+ample".into(), "em".into())
        );
        assert_eq!(read("Ex</p><p>ample", MARKUP).0, "ex p p ample");
        assert_eq!(main("Ex<em>ample"), "ex em ample");
        let emphasis = Mode {
            markup: true,
            emphasis: true,
        };
        assert_eq!(read("*Ex*ampleton", emphasis).0, "exampleton");
        assert_eq!(read("a * b", emphasis).0, "a b");
    }

    #[test]
    fn a_block_tag_is_a_safe_cut() {
        assert!(starts_block_tag(b"</p>"));
        assert!(starts_block_tag(b"<td class"));
        assert!(!starts_block_tag(b"<em>"));
        assert!(!starts_block_tag(b"<td"));
        assert!(!starts_block_tag(b"< p"));
    }
}
