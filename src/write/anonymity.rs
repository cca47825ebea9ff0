//! The anonymity lint: no file the build writes may hold a name of site.yaml's deny-list
//! (`crate::config::anonymity`).
//!
//! Every output goes through [`super::Output`], which hands this module the text of each file
//! ([`Lint::scan`]): a text file's contents as written (pages, feeds, sitemap, CSV and JSON
//! exports, citation files, copied SVG, CSS, JS and text static files), and, for a file whose
//! bytes are compressed, the text handed to the library that writes it (each cell of the XLSX
//! workbook, the data and template handed to Typst for a PDF). The search index is made from the
//! pages' HTML, which is scanned as the pages. Each file's path is scanned too. A binary input
//! (picture, PDF, Office file) is scanned through the texts it carries (`super::carried_text`);
//! one that cannot be read is recorded ([`Lint::cannot_read`]) and reported with the hits.
//!
//! 1. [`Lint::new`] builds the matcher: the set of plain names and the set of hashed entries,
//!    with the word counts each has.
//! 2. [`Lint::scan`] reads the text as words ([`crate::text::words`], the rules the list's normal
//!    form is made by): runs of letters, digits and marks, invisible characters and (in HTML, XML
//!    and SVG) inline tags between letters skipped, cut between letters and digits, NFKC and
//!    lower-cased, joined into one sequence across whitespace, line breaks, hyphens, apostrophes,
//!    full stops, character references and `\n` escapes (JSON), and broken by any other
//!    character, so a name is found across a line break but not across `<p>`, `,` or `"`; with a
//!    second reading of camel-case runs and of the joined tags' attributes. Every sequence of a
//!    listed length is read, looked up among the plain names and, at a hashed length, hashed
//!    (once per thread: sequences found clean are remembered). Reading every word costs less
//!    than finding where a plain name might start and reading around it, once names can hide
//!    behind hyphens, escapes and markup.
//! 3. Each hit is recorded with the file and the text as written; [`Lint::problems`] turns them
//!    into one error per input file that holds the name ([`locate`]), or one at the first output
//!    file when no input does, naming the output files that carry it.
//!
//! Not found: a name split by a space or a block tag, written with Markdown emphasis in a
//! file that is not HTML, or drawn (an image, a PDF's embedded font). See
//! [`crate::text::words`] for what a word is.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashSet;

use crate::config::anonymity::{digest, Anonymity, DenyList};
use crate::diagnostics::Diagnostic;
pub use crate::paths::{is_text_file, starts_as_text, text_inputs as inputs};
use crate::text::words::{is_joiner, starts_block_tag, words, Mode, Word};

/// How many output files a problem names before "and N more".
const SHOWN_FILES: usize = 3;

/// The matcher of one deny-list, and the hits found so far.
pub struct Lint {
    list: Arc<DenyList>,
    plain: FxHashSet<String>,
    hashed: FxHashSet<[u8; 32]>,
    /// The longest sequence to read, in words.
    longest: usize,
    /// The word counts of the plain names.
    plain_words: Vec<usize>,
    /// This lint's own start for the keys of [`CLEAN`], so that a thread never takes a sequence
    /// another deny-list found clean for clean under this one.
    salt: u128,
    hits: Mutex<BTreeMap<Entry, Hits>>,
    /// The binary inputs read for the text they carry, and those that could not be read
    /// ([`Lint::read_binary`], [`Lint::cannot_read`]).
    binary: Mutex<Binary>,
    /// site.yaml's `unchecked:` entries: binary inputs published unread.
    unchecked: Vec<String>,
}

/// What the lint knows of the binary inputs (`super::carried_text`).
#[derive(Default)]
struct Binary {
    /// The output file each binary input's texts were scanned as → that input.
    read_as: BTreeMap<String, String>,
    /// Each input that could not be read → why.
    unreadable: BTreeMap<String, String>,
}

impl std::fmt::Debug for Lint {
    /// Never the entries: a debug print must not publish the names.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lint { .. }")
    }
}

/// A deny-list entry: a plain name (by its normal form) or a hashed one (by its digest).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Entry {
    Plain(String),
    Hashed([u8; 32]),
}

/// Where one entry was found.
#[derive(Default)]
struct Hits {
    /// The text as written in the first file it was found in.
    written: String,
    files: BTreeSet<String>,
}

impl Lint {
    /// The lint of site.yaml's `anonymity:` block; None without one, or with an empty list.
    pub fn for_config(anonymity: Option<&Anonymity>) -> Option<Arc<Lint>> {
        let anonymity = anonymity?;
        let list = &anonymity.entries;
        let mut lint = Lint::new(list.clone());
        lint.unchecked = anonymity.unchecked.clone();
        (!list.is_empty()).then(|| Arc::new(lint))
    }

    /// Step 1: the matcher of `list`.
    pub fn new(list: Arc<DenyList>) -> Lint {
        let words = |n: &String| n.split(' ').count();
        let longest = (list.plain.iter().map(words))
            .chain(list.hashed_words.iter().copied())
            .max()
            .unwrap_or(1);
        let mut plain_words: Vec<usize> = list.plain.iter().map(words).collect();
        plain_words.sort_unstable();
        plain_words.dedup();
        Lint {
            plain_words,
            plain: list.plain.iter().cloned().collect(),
            hashed: list.hashed.iter().copied().collect(),
            list,
            longest,
            salt: SALTS
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                .into(),
            hits: Mutex::default(),
            binary: Mutex::default(),
            unchecked: Vec::new(),
        }
    }

    /// Step 2: records every deny-listed name in `text` (UTF-8, or read as such), part of the
    /// output file `rel`.
    pub fn scan(&self, rel: &str, text: &[u8]) {
        let mut found = Vec::new();
        let text = String::from_utf8_lossy(text);
        let mode = mode_of(rel);
        self.scan_all(&text, mode, &mut found);
        if found.is_empty() {
            return;
        }
        let Ok(mut hits) = self.hits.lock() else {
            return;
        };
        for (entry, written) in found {
            let hit = hits.entry(entry).or_default();
            if hit.written.is_empty() {
                hit.written = written;
            }
            hit.files.insert(rel.to_string());
        }
    }

    /// With hashed entries: every sequence of a listed length ends at each word; each is looked
    /// up among the plain names and, at a hashed length, hashed. Pages repeat most of their
    /// sequences (navigation, labels), so each thread remembers, by a 128-bit key of its words,
    /// the sequences it has already found clean and hashes only new ones.
    fn scan_all(&self, text: &str, mode: Mode, found: &mut Vec<(Entry, String)>) {
        let mut readings = Readings::default();
        CLEAN.with(|clean| {
            let (clean, recent) = &mut *clean.borrow_mut();
            if clean.len() > CLEAN_MAX {
                clean.clear();
                recent.fill(0);
            }
            words(text, mode, |w| {
                for (channel, fewest) in readings.push(w, self.longest).into_iter().flatten() {
                    let window = &mut readings.windows[channel];
                    self.check_ending(window, fewest, text, w.end, clean, recent, found);
                }
                true
            });
        });
    }

    /// Looks up the sequences of `fewest` words and more that end the window, text ending at
    /// `end` (see [`Lint::scan_all`]).
    #[allow(clippy::too_many_arguments)]
    fn check_ending(
        &self,
        window: &mut Window,
        fewest: usize,
        text: &str,
        end: usize,
        clean: &mut FxHashSet<u128>,
        recent: &mut [u128],
        found: &mut Vec<(Entry, String)>,
    ) {
        for n in fewest..=window.len() {
            let hashed = self.list.hashed_words.contains(&n);
            if !hashed && !self.plain_words.contains(&n) {
                continue;
            }
            let at = window.len() - n;
            let key = window.key(self.salt, n);
            // Most sequences were seen a moment ago (a page's navigation, the page
            // before): a small table in the cache answers those without the set.
            let slot = &mut recent[key as usize % RECENT];
            if *slot == key {
                continue;
            }
            if clean.contains(&key) {
                *slot = key;
                continue;
            }
            let start = window.spans[at].0;
            match self.check(window.phrase(n), hashed) {
                Some(entry) => found.push((entry, text[start..end].to_string())),
                None => {
                    clean.insert(key);
                    recent[key as usize % RECENT] = key;
                }
            }
        }
    }

    /// The entry the sequence `phrase` (in normal form) is, if any; hashed if `hashed`.
    fn check(&self, phrase: &str, hashed: bool) -> Option<Entry> {
        if self.plain.contains(phrase) {
            return Some(Entry::Plain(phrase.to_string()));
        }
        if !hashed {
            return None;
        }
        let digest = digest(phrase);
        self.hashed
            .contains(&digest)
            .then_some(Entry::Hashed(digest))
    }

    /// Whether anything was found.
    pub fn found_any(&self) -> bool {
        self.hits.lock().is_ok_and(|h| !h.is_empty())
            || self.binary.lock().is_ok_and(|b| !b.unreadable.is_empty())
    }

    /// Step 3: one error per input that holds a deny-listed name found in the output, or one at
    /// the output file when no input does. `inputs` are the site's input files to search.
    pub fn problems(&self, root: &Path, inputs: &[PathBuf]) -> Vec<Diagnostic> {
        let Ok(hits) = self.hits.lock() else {
            return Vec::new();
        };
        let mut problems = Vec::new();
        for (entry, hit) in hits.iter() {
            // A path that holds the name is printed with the name left out, as the name itself
            // never is: build logs are often public.
            let redact = |path: &str| self.redact(entry, path);
            let files: BTreeSet<String> = hit.files.iter().map(|f| redact(f)).collect();
            let carried = carried_by(&files);
            let mut at = locate(self, entry, root, inputs);
            if at.is_empty() {
                at = self.binary_inputs(&hit.files, &hit.written);
            }
            if at.is_empty() {
                let first = files.iter().next().cloned().unwrap_or_default();
                problems.push(problem(&first, 0, 0, &hit.written, &carried, false));
            }
            for (file, line, column, written) in at {
                let file = redact(&file);
                problems.push(problem(&file, line, column, &written, &carried, true));
            }
        }
        drop(hits);
        problems.extend(self.unreadable_problems());
        problems
    }

    /// `path` with every place that holds `entry` written as `[deny-listed name]`.
    fn redact(&self, entry: &Entry, path: &str) -> String {
        let mut out = String::new();
        let mut rest = path;
        while let Some((start, end)) = self.find(entry, rest) {
            out.push_str(&rest[..start]);
            out.push_str("[deny-listed name]");
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    /// Whether `text` (an input file) holds `entry`, and where: the byte range of the first
    /// occurrence. Inputs are read as markup with Markdown emphasis, so that a name the output
    /// holds as `<em>Ex</em>ampleton` is found where `*Ex*ampleton` wrote it.
    fn find(&self, entry: &Entry, text: &str) -> Option<(usize, usize)> {
        let mode = Mode {
            markup: true,
            emphasis: true,
        };
        let mut readings = Readings::default();
        let mut at = None;
        let n = match entry {
            Entry::Plain(name) => name.split(' ').count(),
            Entry::Hashed(_) => 0,
        };
        words(text, mode, |w| {
            for (channel, fewest) in readings.push(w, self.longest).into_iter().flatten() {
                let window = &mut readings.windows[channel];
                let len = window.len();
                let lengths = match entry {
                    Entry::Plain(_) => n..=n,
                    Entry::Hashed(_) => fewest..=len,
                };
                for n in lengths.filter(|n| *n <= len && *n >= fewest) {
                    let first = window.spans[len - n].0;
                    let phrase = window.phrase(n);
                    let hit = match entry {
                        Entry::Plain(name) => phrase == name,
                        Entry::Hashed(d) => digest(phrase) == *d,
                    };
                    if hit {
                        at = Some((first, w.end));
                        return false;
                    }
                }
            }
            true
        });
        at
    }
}

/// The binary inputs (pictures, PDFs, Office files) whose carried text the build reads
/// (`super::carried_text`): kept apart from the scanning above.
impl Lint {
    /// Whether the input `input` (site-relative, with `/`) is listed under `unchecked:`.
    pub fn is_unchecked(&self, input: &str) -> bool {
        crate::config::anonymity::is_listed(&self.unchecked, input)
    }

    /// Records that the texts scanned as the output file `rel` were carried by the binary
    /// input `input`, so a hit there is located at that input.
    pub fn read_binary(&self, rel: &str, input: &str) {
        if let Ok(mut binary) = self.binary.lock() {
            binary.read_as.insert(rel.to_string(), input.to_string());
        }
    }

    /// Records that the binary input `input` could not be checked, and `why`.
    pub fn cannot_read(&self, input: &str, why: String) {
        if let Ok(mut binary) = self.binary.lock() {
            binary.unreadable.insert(input.to_string(), why);
        }
    }

    /// The binary inputs among the output `files` that carry a name, each at its line 1.
    fn binary_inputs(
        &self,
        files: &BTreeSet<String>,
        written: &str,
    ) -> Vec<(String, usize, usize, String)> {
        let Ok(binary) = self.binary.lock() else {
            return Vec::new();
        };
        let inputs: BTreeSet<&String> =
            files.iter().filter_map(|f| binary.read_as.get(f)).collect();
        inputs
            .into_iter()
            .map(|input| (input.clone(), 1, 1, written.to_string()))
            .collect()
    }

    /// One error for each binary input that could not be read.
    fn unreadable_problems(&self) -> Vec<Diagnostic> {
        let Ok(binary) = self.binary.lock() else {
            return Vec::new();
        };
        let problem = |(input, why): (&String, &String)| {
            let message = format!(
                "`{input}` could not be checked for the names on the site's deny-list (`anonymity:` in site.yaml), because {why}"
            );
            let help = format!(
                "remove the file; or, once a person has checked it holds none of the names (in its text, metadata and pictures), list it in site.yaml under `anonymity: {{ unchecked: [{input}] }}` (a folder ending with `/` lists every file under it)"
            );
            Diagnostic::error(input.as_str(), 1, 1, message).with_help(help)
        };
        binary.unreadable.iter().map(problem).collect()
    }
}

/// How the words of the output file `rel` are read: HTML, XML and SVG as markup.
fn mode_of(rel: &str) -> Mode {
    let ext = rel.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let markup = ext.is_some_and(|e| {
        matches!(
            e.as_str(),
            "html" | "htm" | "xhtml" | "xml" | "svg" | "rss" | "atom"
        )
    });
    Mode {
        markup,
        emphasis: false,
    }
}

thread_local! {
    /// The keys of word sequences this thread found clean (see [`Lint::scan_all`]). Each key
    /// starts from its lint's salt, so the sequences of another deny-list are never taken for
    /// clean.
    /// With a direct-mapped table of the most recent keys in front of the set.
    static CLEAN: std::cell::RefCell<(FxHashSet<u128>, Vec<u128>)> =
        std::cell::RefCell::new((FxHashSet::default(), vec![0; RECENT]));
}

/// The source of each [`Lint`]'s salt.
static SALTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The slots of the table of recent keys (16 bytes each).
const RECENT: usize = 1 << 12;

/// The most keys a thread remembers before it starts again (16 bytes each).
const CLEAN_MAX: usize = 1 << 20;

/// A 128-bit key of a word in normal form: two FNV-1a hashes with different bases, so that
/// two different sequences share a key with a chance of about 2^-128.
fn word_key(word: &str) -> u128 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let (mut a, mut b) = (0xcbf2_9ce4_8422_2325u64, 0x6c62_272e_07bb_0142u64);
    let mut feed = |byte: u8| {
        a = (a ^ byte as u64).wrapping_mul(PRIME);
        b = (b ^ byte as u64).wrapping_mul(PRIME).rotate_left(29);
    };
    word.bytes().for_each(&mut feed);
    (a as u128) << 64 | b as u128
}

/// Adds a word's key to a sequence's key (order matters).
fn mix(key: u128, word: u128) -> u128 {
    const M: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835;
    (key.rotate_left(17) ^ word).wrapping_mul(M)
}

/// The last words read on one channel, in normal form, with where each is written and its key;
/// queues, so that dropping the first word moves nothing.
#[derive(Default)]
struct Window {
    words: VecDeque<String>,
    spans: VecDeque<(usize, usize)>,
    keys: VecDeque<u128>,
    /// Of the hyphen reading: whether each word joins words across a hyphen.
    merged: VecDeque<bool>,
    /// Strings to reuse, and the phrase's buffer: no allocation per word.
    spare: Vec<String>,
    phrase: String,
}

impl Window {
    /// Adds `w`, after the words before it if it continues their sequence, keeping `longest`.
    fn push(&mut self, w: &Word, longest: usize) {
        if !w.joined {
            self.clear();
        }
        if self.words.len() == longest {
            self.spare.extend(self.words.pop_front());
            self.spans.pop_front();
            self.keys.pop_front();
            self.merged.pop_front();
        }
        self.merged.push_back(false);
        let mut word = self.spare.pop().unwrap_or_default();
        word.clear();
        word.push_str(w.text);
        self.words.push_back(word);
        self.spans.push_back((w.start, w.end));
        self.keys.push_back(word_key(w.text));
    }

    fn len(&self) -> usize {
        self.words.len()
    }

    fn clear(&mut self) {
        self.spare.extend(self.words.drain(..));
        self.spans.clear();
        self.keys.clear();
        self.merged.clear();
    }

    /// Appends `w` to the last word (the hyphen reading of `Zor-bington`).
    fn join_last(&mut self, w: &Word) {
        let (Some(word), Some(span), Some(key), Some(merged)) = (
            self.words.back_mut(),
            self.spans.back_mut(),
            self.keys.back_mut(),
            self.merged.back_mut(),
        ) else {
            return;
        };
        word.push_str(w.text);
        span.1 = w.end;
        *key = word_key(word);
        *merged = true;
    }

    /// Makes this window a copy of `other`.
    fn copy(&mut self, other: &Window) {
        self.clear();
        for word in &other.words {
            let mut copy = self.spare.pop().unwrap_or_default();
            copy.clear();
            copy.push_str(word);
            self.words.push_back(copy);
        }
        self.spans.extend(other.spans.iter().copied());
        self.keys.extend(other.keys.iter().copied());
        self.merged.extend(other.words.iter().map(|_| false));
    }

    /// The key of the last `n` words, from `salt`.
    fn key(&self, salt: u128, n: usize) -> u128 {
        let at = self.keys.len() - n;
        self.keys
            .range(at..)
            .fold(mix(salt, n as u128), |k, w| mix(k, *w))
    }

    /// The last `n` words joined by one space: the normal form of the sequence.
    fn phrase(&mut self, n: usize) -> &str {
        self.phrase.clear();
        for (i, word) in self.words.range(self.words.len() - n..).enumerate() {
            if i > 0 {
                self.phrase.push(' ');
            }
            self.phrase.push_str(word);
        }
        &self.phrase
    }
}

/// The windows of a text's three readings: the main one, the alternative ones
/// ([`Word::alt`]), and the hyphen reading ([`Word::hyphen`]), which is kept only while its
/// last words hold a hyphen join, for it is the main reading otherwise.
#[derive(Default)]
struct Readings {
    windows: [Window; 3],
}

impl Readings {
    /// Adds `w`; returns the windows that now end in a sequence to look up, each with the
    /// fewest words such a sequence has (in the hyphen reading, enough to hold a join).
    fn push(&mut self, w: &Word, longest: usize) -> [Option<(usize, usize)>; 2] {
        if w.alt {
            self.windows[1].push(w, longest);
            return [Some((1, 1)), None];
        }
        let [main, _, hyphen] = &mut self.windows;
        let mut found = None;
        if w.hyphen && main.len() > 0 {
            if hyphen.len() == 0 {
                hyphen.copy(main);
            }
            hyphen.join_last(w);
        } else if hyphen.len() > 0 {
            hyphen.push(w, longest);
        }
        if let Some(last) = hyphen.merged.iter().rposition(|m| *m) {
            found = Some((2, hyphen.len() - last));
        } else {
            hyphen.clear();
        }
        main.push(w, longest);
        [Some((0, 1)), found]
    }
}

/// "7 files: `a`, `b`, `c` and 4 more": the output files that carry a name.
fn carried_by(files: &BTreeSet<String>) -> String {
    let shown: Vec<String> = files
        .iter()
        .take(SHOWN_FILES)
        .map(|f| format!("`{f}`"))
        .collect();
    let more = files.len().saturating_sub(SHOWN_FILES);
    let count = match files.len() {
        1 => "1 file".to_string(),
        n => format!("{n} files"),
    };
    match more {
        0 => format!("{count}: {}", shown.join(", ")),
        n => format!("{count}: {} and {n} more", shown.join(", ")),
    }
}

/// The error for a deny-listed name written as `written`, at `file` (an input when `input`).
/// The name is never printed, only its length: a build's log is often public (a CI job's), and
/// the location is enough to find it.
fn problem(
    file: &str,
    line: usize,
    column: usize,
    written: &str,
    carried: &str,
    input: bool,
) -> Diagnostic {
    let length = written.chars().count();
    let origin = if input {
        "this file holds it"
    } else {
        "no input holds it as written"
    };
    let message = format!(
        "a name that is on the site's deny-list (`anonymity:` in site.yaml) is written here ({length} characters from this point; the name is not printed, so that build logs never publish it): {origin}, and the output would carry it in {carried}"
    );
    Diagnostic::error(file, line, column, message).with_help(
        "write the area's anonymised label (such as `Area A`) instead; if the name may be published, take it off the deny-list",
    )
}

/// Every place among `inputs` (site-relative files) where `entry` is written: (file, line,
/// column, the text as written), the first occurrence in each file. Files that cannot be read
/// as text are skipped: they were read, and reported, by the stages that use them.
fn locate(
    lint: &Lint,
    entry: &Entry,
    root: &Path,
    inputs: &[PathBuf],
) -> Vec<(String, usize, usize, String)> {
    let mut at = Vec::new();
    for rel in inputs {
        let Ok(bytes) = crate::paths::read(root, rel) else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        if let Some((start, end)) = lint.find(entry, text) {
            let (line, column) = crate::text::yaml::Locator::new(text, 1).position(start);
            let file = crate::paths::slash_name(rel);
            at.push((file, line, column, text[start..end].to_string()));
        }
    }
    at
}

/// Scans a file written piece by piece: each piece up to its last character that ends a word
/// sequence (such as `<`, `,` or `"`), the rest kept for the next piece, so no name is cut in
/// two. A run of more than [`CARRY`] bytes without such a character is scanned as it is.
pub struct Stream {
    lint: Arc<Lint>,
    rel: String,
    carry: Vec<u8>,
}

/// The most a [`Stream`] keeps between pieces.
const CARRY: usize = 64 * 1024;

impl Stream {
    pub fn new(lint: Arc<Lint>, rel: &str) -> Stream {
        Stream {
            lint,
            rel: rel.to_string(),
            carry: Vec::new(),
        }
    }

    pub fn feed(&mut self, piece: &[u8]) {
        self.carry.extend_from_slice(piece);
        let cut = if mode_of(&self.rel).markup {
            // In markup, `<` may open an inline tag that joins two letters: cut only before a
            // block tag.
            memchr::memrchr_iter(b'<', &self.carry).find(|&i| starts_block_tag(&self.carry[i..]))
        } else {
            self.carry
                .iter()
                .rposition(|b| ends_sequence(*b))
                .map(|i| i + 1)
        };
        let cut = match cut {
            Some(c) => c,
            None if self.carry.len() > CARRY => self.carry.len(),
            None => return,
        };
        self.lint.scan(&self.rel, &self.carry[..cut]);
        self.carry.drain(..cut);
    }

    pub fn finish(mut self) {
        let rest = std::mem::take(&mut self.carry);
        self.lint.scan(&self.rel, &rest);
    }
}

/// An ASCII byte that ends a word sequence (never part of a UTF-8 sequence, so a cut there is
/// always between characters).
fn ends_sequence(b: u8) -> bool {
    b.is_ascii()
        && !b.is_ascii_alphanumeric()
        && !is_joiner(b as char)
        && b != b'&'
        && b != b'\\'
        && b != b';'
        && b != b'%'
        && b != b'#'
}

/// A writer that scans what passes through it.
pub struct ScanWriter<W> {
    pub inner: W,
    pub stream: Option<Stream>,
}

impl<W: std::io::Write> std::io::Write for ScanWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(stream) = &mut self.stream {
            stream.feed(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::anonymity::{hashed_entry, parse};

    fn lint(list: &str) -> Lint {
        Lint::new(Arc::new(parse(list).unwrap()))
    }

    fn found(lint: &Lint, text: &str) -> Vec<String> {
        lint.scan("x.html", text.as_bytes());
        let hits = lint.hits.lock().unwrap();
        let mut all: Vec<String> = hits.values().map(|h| h.written.clone()).collect();
        drop(hits);
        lint.hits.lock().unwrap().clear();
        all.sort();
        all
    }

    #[test]
    fn a_plain_name_is_found_in_any_case_on_word_boundaries_across_line_breaks() {
        for lint in [
            lint("Exampleton Borough\nOldtown"),
            lint(&format!(
                "{}\n{}",
                hashed_entry("Exampleton Borough").unwrap(),
                hashed_entry("Oldtown").unwrap()
            )),
        ] {
            assert_eq!(
                found(&lint, "<p>in EXAMPLETON\n   borough.</p>"),
                ["EXAMPLETON\n   borough"]
            );
            assert_eq!(
                found(&lint, "\"Exampleton\\nBorough\""),
                ["Exampleton\\nBorough"]
            );
            assert_eq!(found(&lint, "Exampleton-Borough"), ["Exampleton-Borough"]);
            assert_eq!(
                found(&lint, "Exampleton&nbsp;Borough"),
                ["Exampleton&nbsp;Borough"]
            );
            assert!(found(&lint, "Exampleton, Borough").is_empty());
            assert!(found(&lint, "Exampleton</p><p>Borough").is_empty());
            assert_eq!(
                found(&lint, "Exampleton <em>Borough</em>"),
                ["Exampleton <em>Borough"]
            );
            assert!(found(&lint, "Exampletonborough Newoldtown Oldtowns").is_empty());
            // The camel-case reading, and a citation key.
            assert_eq!(found(&lint, "NewOldtown"), ["Oldtown"]);
            assert_eq!(found(&lint, "(oldtown2015a)"), ["oldtown"]);
            assert_eq!(
                found(&lint, "<p>Ex<em>ample</em>ton Bor&shy;ough</p>"),
                ["Ex<em>ample</em>ton Bor&shy;ough"]
            );
            assert_eq!(
                found(&lint, "<p>Ex<em class=\"x\">ampleton</em> Borough</p>"),
                ["Ex<em class=\"x\">ampleton</em> Borough"]
            );
            assert_eq!(found(&lint, "x oldtown's"), ["oldtown"]);
            assert_eq!(found(&lint, "areas/oldtown/index.html"), ["oldtown"]);
        }
    }

    #[test]
    fn a_non_ascii_name_is_found_upper_and_title_cased() {
        let lint = lint("ôldtown");
        assert_eq!(found(&lint, "x Ôldtown y"), ["Ôldtown"]);
        assert_eq!(found(&lint, "ÔLDTOWN"), ["ÔLDTOWN"]);
    }

    #[test]
    fn a_stream_finds_a_name_cut_between_pieces() {
        let lint = Arc::new(lint("Exampleton Borough"));
        let mut s = Stream::new(lint.clone(), "a.csv");
        for piece in ["a,b,Examp", "leton\n", " Borough,c"] {
            s.feed(piece.as_bytes());
        }
        s.finish();
        assert!(lint.found_any());
    }
}
