//! The `anonymity:` block of `site.yaml`: a deny-list of names (of anonymised study areas, sites,
//! people) that the site must never publish. The build checks every file it writes against it
//! (`crate::write::anonymity`).
//!
//! Reading it ([`Anonymity::load`]):
//!
//! 1. refuse a `deny_list` path that leaves the site or lies in a folder the site publishes
//!    (`content/`, `static/`, the theme's `static/`), since the list would then be published
//!    itself; located at the value in site.yaml;
//! 2. a file that does not exist is an error at the same place; otherwise it is read under the
//!    site's input policy (`crate::paths`: inside the site, no links out);
//! 3. read it line by line: `# comment`, blank, `sha256:N:<64 hex digits>` (a hashed entry of an
//!    N-word name; `sha256:<64 hex digits>` also works, looked for at 1 to [`BARE_WORDS`] words),
//!    or a plain name; a line that is neither is an error at its line, which never quotes it.
//!
//! [`Anonymity::check_unchecked`] checks `unchecked:`: each entry must name a file (or, ending
//! with `/`, a folder) of the site; one that names nothing is an error at its line in site.yaml,
//! with a "did you mean" from the site's files.
//!
//! Names are compared in their normal form ([`normalise`]): the words as the lint reads them
//! (`crate::text::words`: lower case, NFKC, diacritics dropped, invisible characters left out,
//! cut between letters and digits) joined by one space. Diacritics are dropped so that
//! `Zörbington` matches `Zorbington`; an entry with an accent hashed before this rule has a new
//! hash now. A hashed entry is the SHA-256 of that form, written in hex
//! ([`hashed_entry`]), so a team can commit its list without publishing the names.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::diagnostics::Diagnostic;

/// The `anonymity:` block.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anonymity {
    /// The deny-list file, relative to the site root, outside every published folder.
    pub deny_list: PathBuf,
    /// Binary files a person has checked by hand, published without being read: source paths
    /// relative to the site root (`static/video/intro.mp4`), or folders ending with `/`
    /// (`static/media/`) for every file under them. The build reads the text that PNG, JPEG,
    /// GIF, WebP, TIFF, PDF and Office or OpenDocument files carry; any other binary file it
    /// publishes is an error until it is listed here.
    #[serde(default)]
    pub unchecked: Vec<String>,
    /// The entries of the file, filled by [`Anonymity::load`].
    #[serde(skip)]
    pub entries: Arc<DenyList>,
}

/// The entries of a deny-list file, in normal form.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DenyList {
    /// Plain names, normalised ([`normalise`]), without repeats.
    pub plain: Vec<String>,
    /// Hashed entries: the SHA-256 of a normalised name, without repeats.
    pub hashed: Vec<[u8; 32]>,
    /// The word counts of the hashed names, without repeats: only word sequences of these
    /// lengths need hashing. An entry written without its count adds 1 to [`BARE_WORDS`].
    pub hashed_words: Vec<usize>,
}

impl DenyList {
    pub fn is_empty(&self) -> bool {
        self.plain.is_empty() && self.hashed.is_empty()
    }
}

/// The prefix of a hashed entry.
pub const SHA256: &str = "sha256:";

/// The longest name a hashed entry written without its word count (`sha256:<hex>`) is looked
/// for as: its word count is unknown, so sequences of 1 to this many words are hashed.
pub const BARE_WORDS: usize = 4;

/// The normal form of a name: its words, by the rules the lint reads every output file with
/// ([`crate::text::words`]), joined by one space: lower case, NFKC, diacritics dropped, invisible characters left
/// out, cut between letters and digits; every other character only separates words.
/// `Exampleton-on-Sea` and `EXAMPLETON ON  SEA` are both `exampleton on sea`, `Area51` is
/// `area 51`.
pub fn normalise(name: &str) -> String {
    crate::text::words::normal_form(name)
}

/// The SHA-256 of a normalised name.
pub fn digest(normalised: &str) -> [u8; 32] {
    Sha256::digest(normalised.as_bytes()).into()
}

/// The hashed deny-list entry of `name`, as `realist deny-hash` prints it: `sha256:`, the
/// number of words of its normal form, `:`, and the hex SHA-256 of the normal form
/// (`sha256:1:5031…`). None if the name has no letter or digit. The word count tells the build
/// which word sequences to hash; it reveals only how many words the name has.
pub fn hashed_entry(name: &str) -> Option<String> {
    let normal = normalise(name);
    if normal.is_empty() {
        return None;
    }
    let hex: String = digest(&normal).iter().map(|b| format!("{b:02x}")).collect();
    let words = normal.split(' ').count();
    Some(format!("{SHA256}{words}:{hex}"))
}

impl Anonymity {
    /// Checks the path, reads the file and fills [`Anonymity::entries`]; every problem is
    /// returned, located at `deny_list:` in site.yaml (`at`) or at a line of the file.
    pub fn load(&mut self, root: &Path, theme: &str, at: (usize, usize)) -> Vec<Diagnostic> {
        if let Some(d) = self.refuse_path(theme, at) {
            return vec![d];
        }
        let rel = self.deny_list.as_path();
        if std::fs::symlink_metadata(root.join(rel)).is_err() {
            let shown = crate::diagnostics::display_path(rel);
            let message = format!("the deny-list `{shown}` that site.yaml names does not exist");
            return vec![site_yaml(at, message).with_help(
                "create the file (one name, or `sha256:` entry, a line), or correct the path: it is relative to the site's folder",
            )];
        }
        let bytes = match crate::paths::read(root, rel) {
            Ok(b) => b,
            Err(d) => return vec![d],
        };
        let Ok(text) = String::from_utf8(bytes) else {
            let d = Diagnostic::error(rel, 0, 0, "the deny-list is not valid UTF-8");
            return vec![d.with_help("save the file as UTF-8")];
        };
        match parse(&text) {
            // An empty list checks nothing: most likely a file that a script failed to fill.
            Ok(list) if list.plain.is_empty() && list.hashed.is_empty() => {
                let message = format!(
                    "the deny-list `{}` has no names in it, so nothing would be checked",
                    crate::diagnostics::display_path(rel)
                );
                vec![Diagnostic::error(rel, 0, 0, message).with_help(
                    "add the names that must never be published (one a line, or the `sha256:` entries `realist deny-hash` prints), or remove `anonymity:` from site.yaml",
                )]
            }
            Ok(list) => {
                self.entries = Arc::new(list);
                Vec::new()
            }
            Err(lines) => lines.into_iter().map(|l| bad_line(rel, l)).collect(),
        }
    }

    /// Whether the site-relative input file `input` (written with `/`) is listed under
    /// `unchecked:`, itself or by a folder that holds it.
    pub fn is_unchecked(&self, input: &str) -> bool {
        is_listed(&self.unchecked, input)
    }

    /// Every `unchecked:` entry that names no file (or no folder, for one ending with `/`) of
    /// the site, as an error at its line of site.yaml (`text`), with the closest of `files`
    /// (the site's files and folders, site-relative) as a suggestion.
    pub fn check_unchecked(&self, root: &Path, text: &str, files: &[String]) -> Vec<Diagnostic> {
        let locator = crate::text::yaml::Locator::new(text, 1);
        let mut problems = Vec::new();
        for entry in &self.unchecked {
            let at = locator.locate(entry, Some("unchecked"));
            let rel = entry.trim_start_matches("./");
            let (want_dir, path) = match rel.strip_suffix('/') {
                Some(folder) => (true, folder),
                None => (false, rel),
            };
            let found = !crate::paths::escapes_root(Path::new(path))
                && std::fs::metadata(root.join(path)).is_ok_and(|m| m.is_dir() == want_dir);
            if found {
                continue;
            }
            let what = if want_dir { "folder" } else { "file" };
            let shown = crate::diagnostics::printable_inline(entry);
            let message = format!("`unchecked` lists `{shown}`, but the site has no such {what}");
            let candidates = files.iter().map(String::as_str);
            let help = match crate::text::suggest::suggestion(rel, candidates) {
                Some(s) => format!("{s} (paths are relative to the site's folder; a folder ends with `/`)"),
                None => "write the file's path relative to the site's folder (`static/video/intro.mp4`), or a folder ending with `/` (`static/media/`)".to_string(),
            };
            problems.push(site_yaml(at, message).with_help(help));
        }
        problems
    }

    /// The path's problem: outside the site, or inside a folder the site publishes. The real
    /// path counts too, so a link into `content/` is refused as well.
    fn refuse_path(&self, theme: &str, at: (usize, usize)) -> Option<Diagnostic> {
        let rel = &self.deny_list;
        let shown = crate::diagnostics::display_path(rel);
        if crate::paths::escapes_root(rel) || rel.as_os_str().is_empty() {
            let message = format!("`deny_list` path `{shown}` leaves the site root");
            return Some(site_yaml(at, message).with_help(
                "paths in site.yaml are relative to the site root and must stay inside it",
            ));
        }
        let folder = published_folder(rel, theme)?;
        let message = format!(
            "the deny-list `{shown}` is inside `{folder}`, which the site publishes: the names would be published with it"
        );
        Some(site_yaml(at, message).with_help(
            "keep the list outside content/ and static/, for example `private/deny.txt` (listed in .gitignore) or `anonymity.sha256` at the site root",
        ))
    }
}

/// Whether `input` (site-relative, written with `/`) is one of `unchecked`'s entries, or under
/// one ending with `/`.
pub fn is_listed(unchecked: &[String], input: &str) -> bool {
    unchecked.iter().any(|entry| {
        let entry = entry.trim_start_matches("./");
        match entry.strip_suffix('/') {
            Some(folder) => input
                .strip_prefix(folder)
                .is_some_and(|r| r.starts_with('/')),
            None => input == entry,
        }
    })
}

/// The published folder `rel` is inside, if any: `content/`, `static/` or the theme's `static/`.
fn published_folder(rel: &Path, theme: &str) -> Option<String> {
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(p) => p.to_str(),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        ["content" | "static", _, ..] => Some(format!("{}/", parts[0])),
        ["themes", t, "static", _, ..] if *t == theme => Some(format!("themes/{theme}/static/")),
        _ => None,
    }
}

fn site_yaml(at: (usize, usize), message: String) -> Diagnostic {
    Diagnostic::error("site.yaml", at.0, at.1, message)
}

/// A line that is neither a name nor a hashed entry. The line is not quoted: a message must
/// never print the list's entries.
fn bad_line(rel: &Path, (line, why): (usize, &'static str)) -> Diagnostic {
    Diagnostic::error(rel, line, 1, format!("this line of the deny-list {why}")).with_help(
        "write one name a line, or `sha256:` and the 64 hex digits that `realist deny-hash \"NAME\"` prints; `#` starts a comment",
    )
}

/// Reads a deny-list's text; Err: the numbers of the lines that cannot be read, with why.
pub fn parse(text: &str) -> Result<DenyList, Vec<(usize, &'static str)>> {
    let mut list = DenyList::default();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
        // `#` starts a comment anywhere on a line: no name or hashed entry holds one.
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if let Some(entry) = strip_prefix_ignore_case(line, SHA256) {
            match parse_hashed(entry.trim()) {
                Some((h, words)) => list.add_hashed(h, words),
                None => bad.push((
                    n + 1,
                    "is `sha256:` without a word count and 64 hex digits after it",
                )),
            }
            continue;
        }
        let normal = normalise(line);
        if normal.is_empty() {
            bad.push((n + 1, "has no letter or digit"));
        } else if !list.plain.contains(&normal) {
            list.plain.push(normal);
        }
    }
    if bad.is_empty() {
        Ok(list)
    } else {
        Err(bad)
    }
}

impl DenyList {
    fn add_hashed(&mut self, digest: [u8; 32], words: Option<usize>) {
        if !self.hashed.contains(&digest) {
            self.hashed.push(digest);
        }
        let counts = match words {
            Some(n) => n..=n,
            None => 1..=BARE_WORDS,
        };
        for n in counts {
            if !self.hashed_words.contains(&n) {
                self.hashed_words.push(n);
            }
        }
        self.hashed_words.sort_unstable();
    }
}

/// `N:<hex>` or `<hex>`: a hashed entry after `sha256:`, with its word count if written.
fn parse_hashed(entry: &str) -> Option<([u8; 32], Option<usize>)> {
    match entry.split_once(':') {
        Some((n, hex)) => {
            let n: usize = n.trim().parse().ok().filter(|n| (1..=64).contains(n))?;
            Some((parse_hex(hex.trim())?, Some(n)))
        }
        None => Some((parse_hex(entry)?, None)),
    }
}

fn strip_prefix_ignore_case<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    let head = line.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &line[prefix.len()..])
}

/// 64 hex digits (either case) as 32 bytes.
fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_form_lowers_case_and_joins_words_by_one_space() {
        assert_eq!(
            normalise("  Exampleton-on-SEA\n Borough "),
            "exampleton on sea borough"
        );
        // Diacritics are dropped: a deny-list errs on the side of more matches.
        assert_eq!(normalise("Ynys Môn"), "ynys mon");
        assert_eq!(normalise("St. Example's"), "st example s");
        assert_eq!(normalise("--"), "");
    }

    #[test]
    fn a_hashed_entry_is_the_sha256_of_the_normal_form() {
        // `printf %s exampleton | sha256sum`
        assert_eq!(
            hashed_entry("EXAMPLETON").unwrap(),
            "sha256:1:5031fd15690e8574b4c23276019522bacfd74dad4a4708561d57854ebbb1c0ae"
        );
        assert_eq!(hashed_entry("Exampleton"), hashed_entry(" exampleton "));
        assert_eq!(hashed_entry("!!"), None);
    }

    #[test]
    fn lines_are_comments_names_or_hashes_and_bad_ones_are_numbered() {
        let hash = hashed_entry("Exampleton").unwrap();
        let text = format!(
            "# areas\n\nExampleton Borough\n{}\nSHA256:{}\n",
            hash,
            &hash[9..]
        );
        let list = parse(&text).unwrap();
        assert_eq!(list.plain, vec!["exampleton borough".to_string()]);
        assert_eq!(list.hashed.len(), 1);
        // The bare form (no word count) is looked for at every length up to BARE_WORDS.
        assert_eq!(list.hashed_words, (1..=BARE_WORDS).collect::<Vec<_>>());
        assert_eq!(
            parse("ok\nsha256:abc\n---\n").unwrap_err(),
            vec![
                (
                    2,
                    "is `sha256:` without a word count and 64 hex digits after it"
                ),
                (3, "has no letter or digit")
            ]
        );
    }

    #[test]
    fn a_list_in_a_published_folder_is_refused() {
        for (p, theme) in [
            ("content/deny.txt", "default"),
            ("./static/x/deny.txt", "default"),
            ("themes/mine/static/deny.txt", "mine"),
        ] {
            assert!(published_folder(Path::new(p), theme).is_some(), "{p}");
        }
        for p in [
            "private/deny.txt",
            "anonymity.sha256",
            "themes/mine/static/x",
        ] {
            assert!(published_folder(Path::new(p), "default").is_none(), "{p}");
        }
    }
}
