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
//! 6. In markup only text, attribute values and comments are read: tag and attribute names,
//!    `<!DOCTYPE …>` and namespace values (`xmlns`) are not words. A `<br>` joins like a space.
//! 7. A hyphen (any dash; `_` in Markdown) between two letters, directly or before a line
//!    break, is also read as joining them ([`Word::hyphen`]); `%XX` escapes of ASCII are read as
//!    their characters; diacritics are dropped in step 3.
//!
//! Not read: text split by a space or a block tag (`<td>Q</td><td>Z</td>` is two words), a
//! named character reference of a letter (`&eacute;`), and letters written as images or CSS.

use icu_properties::props::DefaultIgnorableCodePoint;
use icu_properties::CodePointSetData;
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
    /// Whether a hyphen between two letters (`Zor-bington`, `Zor-` at a line's end) comes
    /// before it: the *hyphen reading* reads it as one word with the word before it.
    pub hyphen: bool,
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

/// Whether `c` is skipped inside a word as if absent (module step 1): every Unicode
/// Default_Ignorable_Code_Point (soft hyphen, zero-width characters, bidi controls, variation
/// selectors, tag characters, the Hangul fillers, the Mongolian vowel separator), by the
/// table ICU keeps, not a list of our own that a new character would slip past.
pub fn is_invisible(c: char) -> bool {
    CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
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
    /// Whether the next run follows a hyphen between two letters ([`Word::hyphen`]).
    hyphen: bool,
    /// The attribute values of a tag, reused.
    values: Vec<(usize, usize)>,
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
            hyphen: false,
            values: Vec::new(),
        }
    }

    fn read(&mut self) {
        let mut joined = false;
        while self.at < self.end && !self.stopped {
            let (unit, len) = self.unit(self.at);
            match unit {
                Unit::Letter(..) | Unit::Digit(_) => {
                    let letter = self.run(joined);
                    self.hyphen = letter && self.hyphen_gap(self.at).is_some();
                    joined = true;
                }
                Unit::Break => {
                    self.hyphen = false;
                    let tag = (self.mode.markup && self.bytes[self.at] == b'<')
                        .then(|| tag(&self.bytes[self.at..self.end], |_, _| {}))
                        .flatten();
                    match tag {
                        // An inline tag (`Exampleton <em>Borough</em>`), a `<br>` or a comment
                        // breaks no sequence; a block tag does. Only the values of its
                        // attributes are read, apart.
                        Some((tag_len, kind)) => {
                            let start = self.at;
                            self.at += tag_len;
                            joined &= kind != TagKind::Block;
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

    /// Where the next run starts, if the text at `i` is a hyphen (any dash, or in Markdown a
    /// `_`) between two letters, directly or before a line break: the hyphen reading joins
    /// them ([`Word::hyphen`]).
    fn hyphen_gap(&self, i: usize) -> Option<usize> {
        let rest = &self.bytes[i..self.end];
        let dash = match rest {
            [b'-', ..] => 1,
            [0xE2, 0x80, 0x90 | 0x91, ..] => 3,
            [b'_', ..] if self.mode.emphasis => 1,
            _ => return None,
        };
        let space = rest[dash..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let at = i + dash + space;
        let broken = space == 0 || rest[dash..dash + space].contains(&b'\n');
        (broken && at < self.end && matches!(self.unit(at).0, Unit::Letter(..))).then_some(at)
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
            b'%' => match percent(rest) {
                Some(c) => (char_unit(c, true), 3),
                None => (Unit::Break, 1),
            },
            _ => {
                let c = self.text[i..].chars().next().unwrap_or(' ');
                (char_unit(c, false), c.len_utf8())
            }
        }
    }

    /// Reads the run at `self.at` (module steps 1 to 3), its first word `joined` or not.
    /// Returns whether its last word is letters.
    fn run(&mut self, joined: bool) -> bool {
        let mut joined = joined;
        let mut piece_start = self.at;
        let mut piece_end = self.at;
        let mut digits: Option<bool> = None;
        let mut lower_before = false;
        // Where the camel-case reading cuts the piece: (byte in `buf`, byte in the text).
        let mut camel: Vec<(usize, usize)> = Vec::new();
        let mut tags: Vec<(usize, usize)> = Vec::new();
        let hex = hex_like(&self.bytes[..self.end], self.at);
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
            if !hex && digits.is_some_and(|d| d != digit) {
                if !self.piece(piece_start, piece_end, joined, &camel) {
                    return false;
                }
                joined = true;
                camel.clear();
                self.buf.clear();
                self.ascii = true;
                piece_start = self.at;
            }
            // A camel-case cut leaves at least three letters before it, so that SVG's
            // `feGaussianBlur` or `xmlSpace` hold no two-letter word.
            let since_cut = self.buf.len() - camel.last().map_or(0, |c| c.0);
            if upper && lower_before && !digit && since_cut >= 3 {
                camel.push((self.buf.len(), self.at));
            }
            lower_before = !digit && !upper && c.is_lowercase();
            digits = Some(digit);
            self.push(c);
            self.at += len;
            piece_end = self.at;
        }
        if !self.piece(piece_start, piece_end, joined, &camel) {
            return false;
        }
        for (start, end) in tags {
            self.alternative(start, end);
        }
        digits == Some(false)
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
    /// comment, or in Markdown the `*`, `~` or `` ` `` of emphasis, strike-through or code), if
    /// the markup is such and a letter follows it.
    fn joint(&self, i: usize) -> Option<usize> {
        let mut at = i;
        loop {
            at = match self.bytes[at] {
                b'<' if self.mode.markup => inline_tag(&self.bytes[at..self.end])? + at,
                c @ (b'*' | b'~' | b'`') if self.mode.emphasis && at == i => {
                    at + self.bytes[at..self.end]
                        .iter()
                        .take_while(|b| **b == c)
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
        let hyphen = std::mem::take(&mut self.hyphen);
        let mut go = self.emit(&buf, start, end, joined, self.alt, hyphen);
        let mut cuts = camel.iter().copied().peekable();
        let (mut from, mut from_at) = (0, start);
        while go && !camel.is_empty() {
            let (to, to_at) = cuts.next().unwrap_or((buf.len(), end));
            go = self.emit(&buf[from..to], from_at, to_at, from > 0, true, false);
            if to == buf.len() {
                break;
            }
            (from, from_at) = (to, to_at);
        }
        self.buf = buf;
        self.stopped |= !go;
        go
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        word: &str,
        start: usize,
        end: usize,
        joined: bool,
        alt: bool,
        hyphen: bool,
    ) -> bool {
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
            hyphen,
        })
    }

    /// Reads the attribute values (and comments' text) of the tags from `start` to `end` as
    /// alternative readings, each a sequence of its own; tag and attribute names are not read.
    fn alternative(&mut self, start: usize, end: usize) {
        let mut values = std::mem::take(&mut self.values);
        values.clear();
        let mut at = start;
        while at < end {
            let b = &self.bytes[at..end];
            match tag(b, |s, e| values.push((at + s, at + e))) {
                Some((len, _)) => at += len,
                None => break,
            }
        }
        for &(start, end) in &values {
            let mut reader = Reader::new(self.text, start, end, Mode::default(), true, self.f);
            reader.read();
            self.stopped |= reader.stopped;
        }
        self.values = values;
    }
}

/// Whether the run of ASCII letters and digits at `b[at..]` looks like a hexadecimal number:
/// only hex digits, with both letters and digits, and either a colour (after `#`) or ten
/// characters or more (a hash, a file's fingerprint). Such a run is one word, not cut between
/// letters and digits: cut, `#1fe3a0` would hold the two-letter word `fe`, which no one wrote.
/// A citation key (`dee2015`) is shorter and still cut.
fn hex_like(b: &[u8], at: usize) -> bool {
    let rest = &b[at..];
    let len = rest
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    let run = &rest[..len];
    let colour = at > 0 && b[at - 1] == b'#';
    (colour || len >= 10)
        && run.iter().all(u8::is_ascii_hexdigit)
        && run.iter().any(u8::is_ascii_digit)
        && run.iter().any(u8::is_ascii_alphabetic)
        && rest.get(len).is_none_or(|c| c.is_ascii())
}

/// The unit a character is; `decoded` when it was written as a reference or escape.
fn char_unit(c: char, decoded: bool) -> Unit {
    // First: some invisible characters are letters (the Hangul fillers).
    if is_invisible(c) {
        Unit::Invisible
    } else if c.is_numeric() {
        Unit::Digit(c)
    } else if c.is_alphabetic() {
        Unit::Letter(c, c.is_uppercase())
    } else if is_combining_mark(c) && !decoded {
        Unit::Mark(c)
    } else if is_joiner(c) {
        Unit::Join
    } else {
        Unit::Break
    }
}

/// A word with non-ASCII characters in normal form: NFKC, lower case, diacritics dropped (NFD
/// without combining marks, composed again), `ß` as `ss`, only its letters and digits. A
/// deny-list errs on the side of more matches: `Zörbington` is `zorbington`, and a capital
/// `İ`, whose lower case is `i` and a combining dot, is `i`.
fn normalise_into(word: &str, out: &mut String) {
    out.clear();
    let folded = (word.nfkc().flat_map(char::to_lowercase).nfd())
        .filter(|c| !is_combining_mark(*c))
        .nfc();
    for c in folded {
        match c {
            'ß' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c if c.is_alphanumeric() && !is_invisible(c) => out.push(c),
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

/// What a tag is to the words around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// An inline element's tag, or a comment: it joins two letters it stands between.
    Inline,
    /// `<br>`: it joins two words like a space.
    LineBreak,
    /// Any other tag, declaration or processing instruction: it ends a sequence.
    Block,
}

/// The tag, comment, `<!DOCTYPE …>` or `<?xml …?>` at the start of `b`: its length and what
/// it is, calling `value` with the range of each attribute value and of a comment's text (the
/// only parts of markup read as words). None if `b` starts none, as a `<` in text or an
/// autolink (`<https://…>`) does, or if it does not end. By hand: the tokeniser reads a page
/// once, and an HTML parser would build what it never needs.
fn tag(b: &[u8], mut value: impl FnMut(usize, usize)) -> Option<(usize, TagKind)> {
    if b.starts_with(b"<!--") {
        let n = memchr::memmem::find(&b[4..], b"-->")?;
        value(4, 4 + n);
        return Some((n + 7, TagKind::Inline));
    }
    if b.starts_with(b"<![CDATA[") {
        return Some((9, TagKind::Block));
    }
    let name_at = if matches!(b.get(1), Some(b'/' | b'!' | b'?')) {
        2
    } else {
        1
    };
    let name_len = b[name_at.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':' | b'.'))
        .count();
    let after = name_at + name_len;
    let ended = match b.get(after)? {
        c if c.is_ascii_whitespace() => true,
        b'>' => true,
        b'/' | b'?' => matches!(b.get(after + 1), Some(b'>')),
        _ => false,
    };
    if name_len == 0 || !b[name_at].is_ascii_alphabetic() || !ended {
        return None;
    }
    let name = &b[name_at..after];
    let kind = if b[1] == b'!' || b[1] == b'?' {
        TagKind::Block
    } else if name.eq_ignore_ascii_case(b"br") {
        TagKind::LineBreak
    } else if INLINE
        .iter()
        .any(|t| t.as_bytes().eq_ignore_ascii_case(name))
    {
        TagKind::Inline
    } else {
        TagKind::Block
    };
    // A declaration's words (`<!DOCTYPE html>`) are all names.
    let declaration = b[1] == b'!';
    let space = |c: &u8| c.is_ascii_whitespace() || matches!(c, b'/' | b'?');
    let mut i = after;
    let mut namespace;
    loop {
        i += b[i..].iter().take_while(|c| space(c)).count();
        match *b.get(i)? {
            b'>' => return Some((i + 1, kind)),
            b'<' => return None,
            _ => {}
        }
        // An attribute's name, then its value if it has one. A namespace (`xmlns="…/svg"`)
        // is a fixed identifier, not text: its value is not read either.
        let name_len = b[i..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && !matches!(c, b'=' | b'>' | b'/' | b'<'))
            .count();
        namespace = b[i..i + name_len].starts_with(b"xmlns");
        i += name_len;
        i += b[i..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        if b.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        i += b[i..]
            .iter()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
        let (start, end, next) = match *b.get(i)? {
            q @ (b'"' | b'\'') => {
                let n = memchr::memchr(q, &b[i + 1..])?;
                (i + 1, i + 1 + n, i + n + 2)
            }
            _ => {
                let n = b[i..]
                    .iter()
                    .take_while(|c| !c.is_ascii_whitespace() && **c != b'>')
                    .count();
                (i, i + n, i + n)
            }
        };
        if !declaration && !namespace {
            value(start, end);
        }
        i = next;
    }
}

/// The length of the inline tag or comment at the start of `b`, else None.
fn inline_tag(b: &[u8]) -> Option<usize> {
    match tag(b, |_, _| {})? {
        (len, TagKind::Inline) => Some(len),
        _ => None,
    }
}

/// Whether `b` starts with the start of a tag that is not inline nor `<br>` (`<p`, `</td`), whose name
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
        && !name.eq_ignore_ascii_case("br")
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

/// The character of the URL escape at the start of `b` (`%62`, `%20`), if it is ASCII: what a
/// URL writes as an escape is read as the character.
fn percent(b: &[u8]) -> Option<char> {
    let hex = std::str::from_utf8(b.get(1..3)?).ok()?;
    let n = u8::from_str_radix(hex, 16).ok()?;
    n.is_ascii().then_some(n as char)
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
        assert_eq!(main("Ma\u{308}rz"), "marz");
        assert_eq!(main("MÄRZ"), "marz");
        assert_eq!(main("Zörbington"), "zorbington");
        // Capital I with dot: its lower case is `i` and a combining dot.
        assert_eq!(main("ZORB\u{130}NGTON"), "zorbington");
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
        // A cut leaves three letters or more before it: `McDonald` is still the word
        // `mcdonald`, and SVG's `feGaussianBlur` holds no word `fe`.
        assert_eq!(
            read("McDonald x", Mode::default()),
            ("mcdonald+x".into(), "".into())
        );
        assert_eq!(read("feGaussianBlur", Mode::default()).1, "fegaussian+blur");
        assert_eq!(read("HTML TEXT", Mode::default()).1, "");
    }

    #[test]
    fn a_colour_or_a_hash_is_one_word_but_a_citation_key_is_cut() {
        assert_eq!(main("color: #1fe3a0;"), "color 1fe3a0");
        assert_eq!(main("#ab12cd"), "ab12cd");
        assert_eq!(main("en-gb_5cd0fbb12a9e.pf"), "en+gb+5cd0fbb12a9e+pf");
        assert_eq!(main("dee2015a"), "dee+2015+a");
        assert_eq!(main("ab12cd"), "ab+12+cd");
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
        assert_eq!(alt, "zorb+ington");
        assert_eq!(
            read("<p>Ex<em class=\"x\">ampleton</em> Borough</p>", MARKUP),
            ("exampleton+borough".into(), "x".into())
        );
        // Block tags, spaces and text that is not markup keep breaking.
        assert_eq!(read("<td>Q</td><td>Z</td>", MARKUP).0, "q z");
        assert_eq!(read("Ex <em>ample", MARKUP), ("ex+ample".into(), "".into()));
        assert_eq!(read("Ex</p><p>ample", MARKUP).0, "ex ample");
        assert_eq!(main("Ex<em>ample"), "ex em ample");
        let emphasis = Mode {
            markup: true,
            emphasis: true,
        };
        assert_eq!(read("*Ex*ampleton", emphasis).0, "exampleton");
        assert_eq!(
            read("Zor~~bing~~ton Zor`bing`ton", emphasis).0,
            "zorbington+zorbington"
        );
        assert_eq!(read("a * b", emphasis).0, "a b");
    }

    #[test]
    fn every_default_ignorable_code_point_is_skipped() {
        for written in [
            "Zor\u{FE0F}bington",
            "Zor\u{E0041}bington",
            "Zor\u{180E}bington",
            "Zor\u{3164}bington",
            "Zor\u{115F}bing\u{FFA0}ton",
            "Zor&#xFE0F;bington",
        ] {
            assert_eq!(main(written), "zorbington", "{written:?}");
        }
        assert!(is_invisible('\u{AD}') && is_invisible('\u{200B}') && !is_invisible('a'));
    }

    /// The words of `text` with `-` before a word of the hyphen reading.
    fn hyphens(text: &str, mode: Mode) -> String {
        let mut out = String::new();
        words(text, mode, |w| {
            out.push_str(if w.hyphen { "-" } else { " " });
            out.push_str(w.text);
            true
        });
        out.trim().to_string()
    }

    #[test]
    fn a_hyphen_between_two_letters_is_also_read_as_joining_them() {
        let plain = Mode::default();
        assert_eq!(hyphens("Zor-bington", plain), "zor-bington");
        assert_eq!(hyphens("Zor\u{2011}bing\u{2010}ton", plain), "zor-bing-ton");
        assert_eq!(hyphens("Zor-\n   bington", plain), "zor-bington");
        // Not across a space on one line, nor between digits, nor `_` outside Markdown.
        assert_eq!(
            hyphens("Zor - bington Zor- bington", plain),
            "zor bington zor bington"
        );
        assert_eq!(hyphens("2015-16 a-1", plain), "2015 16 a 1");
        assert_eq!(hyphens("Zor_bington", plain), "zor bington");
        let markdown = Mode {
            markup: true,
            emphasis: true,
        };
        assert_eq!(hyphens("Zor_bing_ton", markdown), "zor-bing-ton");
        // The main reading keeps the words apart: the list's normal form is unchanged.
        assert_eq!(normal_form("Exampleton-on-Sea"), "exampleton on sea");
    }

    #[test]
    fn markup_reads_text_and_attribute_values_only() {
        let svg = "<?xml version=\"1.0\"?><!DOCTYPE svg><svg xmlns=\"http://www.w3.org/2000/svg\" \
                   viewBox='0 0 1 1'><title>Logo</title><!-- made by Zorbington --></svg>";
        let (main, alt) = read(svg, MARKUP);
        assert_eq!(main, "logo");
        assert!(!alt.contains("svg+") && !alt.contains("xmlns") && !alt.contains("doctype"));
        assert!(alt.contains("made+by+zorbington"), "{alt}");
        assert!(alt.contains("0+0+1+1") && !alt.contains("www"), "{alt}");
        // A `<br>` joins like a space; an autolink and a `<` in text are not tags.
        assert_eq!(
            read("Exampleton<br/>Borough", MARKUP).0,
            "exampleton+borough"
        );
        assert_eq!(read("Ex<br>ample", MARKUP).0, "ex+ample");
        assert_eq!(
            read("<https://zorbington.org>", MARKUP).0,
            "https zorbington+org"
        );
        assert_eq!(read("a <b c", MARKUP).0, "a b+c");
        assert!(!starts_block_tag(b"<br/>"));
    }

    #[test]
    fn percent_escapes_of_ascii_read_as_their_characters() {
        assert_eq!(main("q=Zor%62ington"), "q zorbington");
        assert_eq!(
            main("Exampleton%20Borough Exampleton%2DBorough"),
            "exampleton+borough+exampleton+borough"
        );
        assert_eq!(main("100% sure"), "100 sure");
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
