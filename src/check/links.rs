//! The link checker: after rendering, every internal `href` and `src` in the output must point at a
//! file that was written, and every `#anchor` at an id on that page.
//!
//! Checking the output rather than the sources catches links that templates write as well as those
//! in Markdown. A broken link that came from Markdown is reported at its source file and line; one
//! that a template wrote names the template and the page.
//!
//! The pages are read as HTML, as a browser tokenizes them: only the attributes of start tags are
//! links and ids, never text, comments, or the raw text of `<script>` and `<style>`. So a code
//! example in prose that shows `<img src="x.png">` is text, and never a broken link.
//!
//! The tokenizer is hand-written, and kept to what the checker needs (start tags and their
//! attributes; comments, declarations and raw-text elements skipped whole). `lol_html`, the
//! streaming HTML rewriter pagefind uses, reads the same attributes from the same pages (a test
//! compares the two on generated and hostile HTML), but took 0.57 s for the 52 MB of a 1,000-report
//! site against 0.06 s for this scanner: 30 % of the build's time on its hottest path.

use std::cell::OnceCell;
use std::collections::HashSet;

use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::markdown::SourceLink;
use crate::url::links::is_external;

/// Links written in an input but put on pages by a template (site.yaml's menu entries and
/// highlights, a theory's `prompted_by`), by the page file and the anchor they name and the page
/// that carries them (empty for a link on every page), each with the problem to report if that
/// anchor is missing: it is reported once, where it is written, rather than at a template.
pub type Declared = FxHashMap<(String, String, String), Diagnostic>;

/// What the link checker keeps of a rendered page.
#[derive(Debug, Default)]
pub struct PageRecord {
    /// Site-relative file path (`reports/x/index.html`).
    pub path: String,
    pub ids: Ids,
    /// The page's links; after [`check_now`], only those left to check.
    pub hrefs: Vec<String>,
    /// The content file the page renders, and its Markdown links with their lines.
    pub source: Option<PathBuf>,
    pub md_links: Vec<SourceLink>,
    pub template: &'static str,
    /// The other files written with the page (images kept beside its Markdown file).
    pub files: Vec<String>,
}

/// The `id`s of a page, kept in one string (one allocation per page rather than one per id: a
/// 10,000-report site has half a million of them).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Ids(String);

impl Ids {
    pub fn contains(&self, id: &str) -> bool {
        self.iter().any(|i| i == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split('\n').filter(|i| !i.is_empty())
    }
}

impl FromIterator<String> for Ids {
    /// An id cannot hold a newline (HTML ids have no whitespace), so it separates them.
    fn from_iter<I: IntoIterator<Item = String>>(ids: I) -> Ids {
        let mut joined = String::new();
        for id in ids {
            if !id.contains('\n') {
                joined.push_str(&id);
                joined.push('\n');
            }
        }
        joined.shrink_to_fit();
        Ids(joined)
    }
}

/// The `id` values and the `href`/`src`/`action` values of an HTML page, as a browser reads them:
/// attributes of start tags, never text.
pub fn scan_html(html: &str) -> (Vec<String>, Vec<String>) {
    let bytes = html.as_bytes();
    let mut found = (Vec::new(), Vec::new());
    let mut i = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[i..]) {
        let start = i + offset + 1;
        i = match bytes.get(start) {
            Some(b'!') if bytes[start..].starts_with(b"!--") => {
                find(bytes, start + 3, b"-->").map_or(bytes.len(), |end| end + 3)
            }
            Some(b'!' | b'?') => {
                memchr::memchr(b'>', &bytes[start..]).map_or(bytes.len(), |e| start + e + 1)
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let (end, name) = start_tag(html, start, &mut found);
                if ["script", "style", "textarea", "title"]
                    .iter()
                    .any(|r| name.eq_ignore_ascii_case(r.as_bytes()))
                {
                    raw_text_end(bytes, end, name)
                } else {
                    end
                }
            }
            _ => start,
        };
    }
    found
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&bytes[from..], needle).map(|i| from + i)
}

/// The offset after the end tag `</name` of a raw-text element whose content starts at `from`.
fn raw_text_end(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(at) = find(bytes, i, b"</") {
        let after = at + 2;
        let candidate = &bytes[after..(after + name.len()).min(bytes.len())];
        if candidate.eq_ignore_ascii_case(name) {
            return after;
        }
        i = after;
    }
    bytes.len()
}

/// Reads the start tag whose name starts at `start`, collecting its ids and links; returns the
/// offset after it and its name.
fn start_tag<'h>(
    html: &'h str,
    start: usize,
    found: &mut (Vec<String>, Vec<String>),
) -> (usize, &'h [u8]) {
    let bytes = html.as_bytes();
    let stop = |c: u8| c.is_ascii_whitespace() || c == b'/' || c == b'>';
    let mut i = start;
    while i < bytes.len() && !stop(bytes[i]) {
        i += 1;
    }
    let name = &bytes[start..i];
    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] == b'>' {
            return ((i + 1).min(bytes.len()), name);
        }
        let attr_start = i;
        while i < bytes.len() && !(stop(bytes[i]) || bytes[i] == b'=') {
            i += 1;
        }
        let attr = &bytes[attr_start..i];
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let (value_start, value_end, next) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let end = memchr::memchr(q, &bytes[i + 1..]).map_or(bytes.len(), |e| i + 1 + e);
                (i + 1, end, end + 1)
            }
            _ => {
                let mut end = i;
                while end < bytes.len() && !(bytes[end].is_ascii_whitespace() || bytes[end] == b'>')
                {
                    end += 1;
                }
                (i, end, end)
            }
        };
        let value = &html[value_start..value_end];
        if attr.eq_ignore_ascii_case(b"id") {
            found.0.push(unescape(value));
        } else if [&b"href"[..], b"src", b"action"]
            .iter()
            .any(|a| attr.eq_ignore_ascii_case(a))
        {
            found.1.push(unescape(value));
        }
        i = next;
    }
}

fn unescape(value: &str) -> String {
    if value.contains('&') {
        value
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    } else {
        value.to_string()
    }
}

/// Checks what can be checked as soon as a page is rendered, and keeps in the record only the
/// links that need the whole output: anchors into other pages, and files not in `known` (the
/// pages, static files and extras that the build will write). On a 10,000-report site this keeps
/// a few links per page instead of every page's hundred, which used to be the largest thing the
/// build held.
pub fn check_now(record: &mut PageRecord, known: &FxHashSet<String>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let mut deferred = Vec::new();
    let hrefs = std::mem::take(&mut record.hrefs);
    let page = Page::new(record);
    for href in internal_links(&hrefs) {
        match judge(&page, href, &|t| known.contains(t), None) {
            Finding::Fine => {}
            Finding::Broken(message) => problems.push(page.locate(href, message)),
            // A template's link may be one that site.yaml declares (a menu entry naming an anchor
            // of this very page): it is judged with the rest, where it is reported at site.yaml.
            Finding::NoAnchor { .. } if page.md_link(href).is_none() => deferred.push(href.clone()),
            Finding::NoAnchor { target, fragment } => {
                let ids = page.ids.get_or_init(|| record_ids(page.record));
                problems.push(page.broken_anchor(href, &target, &fragment, ids));
            }
            Finding::NotYet => deferred.push(href.clone()),
        }
    }
    let kept: FxHashSet<&str> = deferred.iter().map(String::as_str).collect();
    record.md_links.retain(|l| kept.contains(l.href.as_str()));
    record.hrefs = deferred;
    problems
}

/// A page being checked, with its ids and its Markdown links indexed the first time they are
/// asked for: a page with thousands of `#anchor` links and thousands of ids (a long table of
/// contents, footnotes) would otherwise scan every id, or every source link, once per link.
struct Page<'r> {
    record: &'r PageRecord,
    ids: OnceCell<FxHashSet<&'r str>>,
    md_links: OnceCell<FxHashMap<&'r str, &'r SourceLink>>,
}

impl<'r> Page<'r> {
    fn new(record: &'r PageRecord) -> Self {
        Page {
            record,
            ids: OnceCell::new(),
            md_links: OnceCell::new(),
        }
    }

    fn has_id(&self, id: &str) -> bool {
        let ids = self.ids.get_or_init(|| record_ids(self.record));
        ids.contains(id)
    }

    /// A broken anchor `#fragment` of the link `href` into the page `target`, whose ids are
    /// `target_ids`. From Markdown it is shown as the author wrote it (`@report/x#finding`, not
    /// the output path) with the closest id of that page; from a template, as the page has it.
    fn broken_anchor(
        &self,
        href: &str,
        target: &str,
        fragment: &str,
        target_ids: &FxHashSet<&str>,
    ) -> Diagnostic {
        if self.md_link(href).is_none() {
            let message =
                format!("broken anchor `{href}`: `{target}` has no element with id `{fragment}`");
            return self.locate(href, message);
        }
        let written = as_written(href, target, fragment);
        let message = match written.strip_prefix('@').and_then(|w| w.split_once('#')) {
            Some((page, _)) => format!(
                "broken anchor `{written}`: the page of `{page}` has no heading or element with id `{fragment}`"
            ),
            None => format!("broken anchor `{written}`: `{target}` has no element with id `{fragment}`"),
        };
        let d = self.locate(href, message);
        match crate::diagnostics::did_you_mean(fragment, target_ids.iter().copied()) {
            Some(id) => {
                let page = written.split_once('#').map_or("", |(page, _)| page);
                d.with_help(format!("did you mean `{page}#{id}`?"))
            }
            None => d,
        }
    }

    /// The Markdown link that wrote `href` (its first occurrence), if one did.
    fn md_link(&self, href: &str) -> Option<&'r SourceLink> {
        let md_links = self.md_links.get_or_init(|| {
            let mut first = FxHashMap::default();
            for link in &self.record.md_links {
                first.entry(link.href.as_str()).or_insert(link);
            }
            first
        });
        md_links.get(href).copied()
    }

    /// A diagnostic at the Markdown line that wrote `href` (its first occurrence), or naming
    /// the template and page.
    fn locate(&self, href: &str, message: String) -> Diagnostic {
        if let Some(link) = self.md_link(href) {
            let help = match email_address(href) {
                Some(address) => format!("to link to an email address, write `mailto:{address}`"),
                None => FIX_LINK.to_string(),
            };
            return Diagnostic::error(&link.path, link.line, link.column, message).with_help(help);
        }
        let record = self.record;
        let template = Path::new("templates").join(record.template);
        Diagnostic::error(template, 0, 0, message).with_help(format!(
            "written by the template `{}` on the page `{}`",
            record.template, record.path
        ))
    }
}

/// `href` when it is an email address written without `mailto:` (`name@example.ac.uk`): one `@`
/// with a name before it and a dotted domain after it, and nothing that a path or URL would have.
fn email_address(href: &str) -> Option<&str> {
    let (name, domain) = href.split_once('@')?;
    let plain = |s: &str| !s.is_empty() && !s.contains(['/', ':', '?', '#', '@', ' ']);
    (plain(name) && plain(domain) && domain.contains('.') && !domain.ends_with('.')).then_some(href)
}

/// The help of a broken link written in Markdown.
const FIX_LINK: &str = "fix the link target or the anchor it names";

fn record_ids(record: &PageRecord) -> FxHashSet<&str> {
    record.ids.iter().collect()
}

/// A link into a page as an author writes it: `#fragment` within the page, `@kind/id#fragment`
/// for an entity's page (found from the URL segment of `target`), or `href` itself.
fn as_written(href: &str, target: &str, fragment: &str) -> String {
    if href.starts_with('#') {
        return href.to_string();
    }
    let parts: Vec<&str> = target.split('/').collect();
    let entity = match parts.as_slice() {
        [segment, id, "index.html"] => crate::model::Kind::REFERABLE
            .into_iter()
            .find(|k| k.info().segment == *segment)
            .map(|k| format!("{}/{id}", k.name())),
        [id, "index.html"] => Some(format!("page/{id}")),
        _ => None,
    };
    match entity {
        Some(e) => format!("@{e}#{fragment}"),
        None => href.to_string(),
    }
}

/// A page's internal links, each once (external links and empty ones are not checked).
fn internal_links(hrefs: &[String]) -> impl Iterator<Item = &String> {
    let mut seen = FxHashSet::default();
    hrefs
        .iter()
        .filter(move |h| !h.is_empty() && !is_external(h) && seen.insert(h.as_str()))
}

/// What checking one link found.
enum Finding {
    Fine,
    Broken(String),
    /// The page `target` exists but has no element with the id `fragment`.
    NoAnchor {
        target: String,
        fragment: String,
    },
    /// It needs what is not known yet: another page's ids, or a file written later.
    NotYet,
}

/// Checks `href` on `record`'s page. `exists` says whether a site-relative file is in the
/// output; `ids` holds the ids of the pages that anchors point into, once every page is
/// rendered (None while pages are still rendering: then what needs them is [`Finding::NotYet`]).
fn judge(
    page: &Page,
    href: &str,
    exists: &dyn Fn(&str) -> bool,
    ids: Option<&FxHashMap<&str, FxHashSet<&str>>>,
) -> Finding {
    // The 404 page is served at any depth, so its links start from the site's root
    // (`render/pages/simple.rs`); they are the shared links every other page checks relatively.
    if href.starts_with('/') && !href.starts_with("//") && page.record.path == "404.html" {
        return Finding::Fine;
    }
    if href.starts_with('/') {
        return Finding::Broken(format!(
            "root-absolute URL `{href}` breaks when the site is served under a sub-path"
        ));
    }
    let record = page.record;
    let (path, fragment) = split_href(href);
    let Some(target) = target_of(&record.path, path) else {
        return Finding::Broken(format!(
            "broken link `{href}`: it climbs above the site root"
        ));
    };
    if !exists(&target) {
        return if exists(&format!("{target}/index.html")) {
            Finding::Fine
        } else if ids.is_some() {
            Finding::Broken(format!(
                "broken link `{href}`: nothing is published at `{target}`"
            ))
        } else {
            Finding::NotYet
        };
    }
    let Some(fragment) = fragment.filter(|f| !f.is_empty() && *f != "top") else {
        return Finding::Fine;
    };
    let fragment = percent_decode(fragment);
    let has_id = if target == record.path {
        Some(page.has_id(&fragment))
    } else {
        ids.map(|ids| {
            ids.get(target.as_str())
                .is_none_or(|page_ids| page_ids.contains(fragment.as_str()))
        })
    };
    match has_id {
        Some(true) => Finding::Fine,
        Some(false) => Finding::NoAnchor { target, fragment },
        None => Finding::NotYet,
    }
}

/// `href` split into its path (without a query) and its fragment.
fn split_href(href: &str) -> (&str, Option<&str>) {
    let (path, fragment) = href
        .split_once('#')
        .map_or((href, None), |(p, f)| (p, Some(f)));
    (path.split('?').next().unwrap_or(""), fragment)
}

/// The site-relative file a link's path names from `page`; None if it climbs above the root.
fn target_of(page: &str, path: &str) -> Option<String> {
    if path.is_empty() {
        Some(page.to_string())
    } else {
        resolve_page(page, path)
    }
}

/// Checks every page's links against the written files and their ids.
/// `files` holds every site-relative file path in the output (pages, static files, exports).
pub fn check(records: &[PageRecord], files: &HashSet<String>) -> Vec<Diagnostic> {
    let checked: Vec<&PageRecord> = records.iter().collect();
    check_pages(&checked, records.iter(), files, &Declared::default())
        .into_iter()
        .flatten()
        .collect()
}

/// Checks the links of the pages `checked` against `files` and the ids of `site_pages` (every
/// page of the site; `serve` checks only the pages it rendered again). One list of problems per
/// checked page; a broken anchor of a `declared` link is its site.yaml problem.
pub fn check_pages<'r>(
    checked: &[&'r PageRecord],
    site_pages: impl Iterator<Item = &'r PageRecord>,
    files: &HashSet<String>,
    declared: &Declared,
) -> Vec<Vec<Diagnostic>> {
    // Only pages that some link names with an anchor need their ids as a set.
    let anchored: FxHashSet<String> = checked
        .iter()
        .flat_map(|r| {
            r.hrefs.iter().filter_map(|h| {
                let (path, fragment) = split_href(h);
                fragment.and(target_of(&r.path, path))
            })
        })
        .collect();
    let ids: FxHashMap<&str, FxHashSet<&str>> = site_pages
        .filter(|r| anchored.contains(&r.path))
        .map(|r| (r.path.as_str(), r.ids.iter().collect()))
        .collect();
    let ids = &ids;
    checked
        .par_iter()
        .map(|record| {
            let page = Page::new(record);
            internal_links(&record.hrefs)
                .filter_map(
                    |href| match judge(&page, href, &|t| files.contains(t), Some(ids)) {
                        Finding::Broken(message) => Some(page.locate(href, message)),
                        Finding::NoAnchor { target, fragment } => {
                            let own = || page.ids.get_or_init(|| record_ids(record));
                            let target_ids = ids.get(target.as_str()).unwrap_or_else(own);
                            // A declared link is on every page (site.yaml) or on one.
                            let d = [String::new(), record.path.clone()]
                                .into_iter()
                                .find_map(|on| {
                                    declared.get(&(target.clone(), fragment.clone(), on))
                                })
                                .filter(|_| page.md_link(href).is_none());
                            if let Some(d) = d {
                                return Some(declared_anchor(d, &fragment, target_ids));
                            }
                            Some(page.broken_anchor(href, &target, &fragment, target_ids))
                        }
                        Finding::Fine | Finding::NotYet => None,
                    },
                )
                .collect()
        })
        .collect()
}

/// The site.yaml problem `d` of a missing anchor `fragment`, with the closest id of the page.
fn declared_anchor(d: &Diagnostic, fragment: &str, target_ids: &FxHashSet<&str>) -> Diagnostic {
    match crate::diagnostics::did_you_mean(fragment, target_ids.iter().copied()) {
        Some(id) => d.clone().with_help(format!("did you mean `#{id}`?")),
        None => d.clone(),
    }
}

/// The pages a page at `page` links to, from its links `hrefs`: site-relative files, each once,
/// with whether a link to it names an anchor (`serve` re-renders a page whose section another
/// page cites). External and root-absolute links are left out.
pub fn link_targets(page: &str, hrefs: &[String]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for href in hrefs {
        if href.is_empty() || is_external(href) || href.starts_with('/') {
            continue;
        }
        let (path, fragment) = split_href(href);
        let anchored = fragment.is_some_and(|f| !f.is_empty() && f != "top");
        let Some(target) = target_of(page, path) else {
            continue;
        };
        match out.iter_mut().find(|(t, _)| *t == target) {
            Some(entry) => entry.1 |= anchored,
            None => out.push((target, anchored)),
        }
    }
    out
}

/// Resolves a relative URL against the directory of a site-relative file path to the file it
/// names: a folder (`x/`, `.`, `..`, the root) becomes its `index.html`. None if it climbs above
/// the site root. Shared with `serve`'s dependency map.
pub fn resolve_page(from_file: &str, rel: &str) -> Option<String> {
    // Built in one string, without a list of segments: every link of every page comes here.
    let mut joined = String::with_capacity(from_file.len() + rel.len() + 11);
    if let Some((dir, _)) = from_file.rsplit_once('/') {
        joined.push_str(dir);
    }
    for seg in rel.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                if joined.is_empty() {
                    return None;
                }
                joined.truncate(joined.rfind('/').unwrap_or(0));
            }
            s => {
                if !joined.is_empty() {
                    joined.push('/');
                }
                joined.push_str(s);
            }
        }
    }
    let last = rel.rsplit('/').next().unwrap_or("");
    if rel.ends_with('/') || last == "." || last == ".." || joined.is_empty() {
        if !joined.is_empty() {
            joined.push('/');
        }
        joined.push_str("index.html");
    }
    Some(joined)
}

/// Decodes `%XX` escapes (in URL fragments and paths); invalid escapes are kept as they are.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids and links of `html` as lol_html, a full HTML tokenizer, reads them.
    fn by_lol_html(html: &str) -> (Vec<String>, Vec<String>) {
        use lol_html::{element, HtmlRewriter, Settings};
        let mut found = (Vec::new(), Vec::new());
        let handler = element!("*", |el| {
            for attr in el.attributes() {
                match attr.name().as_str() {
                    "id" => found.0.push(unescape(&attr.value())),
                    "href" | "src" | "action" => found.1.push(unescape(&attr.value())),
                    _ => {}
                }
            }
            Ok(())
        });
        let settings = Settings::new().append_element_content_handler(handler);
        let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
        rewriter.write(html.as_bytes()).unwrap();
        rewriter.end().unwrap();
        found
    }

    const TRICKY: &str = r#"<!doctype html><html><head><title>a <a href="t"> b</title>
<style>a[href="s"] { color: red }</style>
<script>let x = "<a href=\"j\">"; if (a<b) {}</script></head>
<body id=top><!-- <a href="c"> --><p>Write <code>&lt;img src="x.png"&gt;</code> or `<a href="../x/">`.</p>
<A HREF='up'>u</A><img src=bare.png alt=""><form action="f"><input id="q" value='a "b" c'></form>
<p data-href="no" title="href=&quot;no&quot;">x</p><a href="&amp;amp">e</a><br/><a href = "spaced" >s</a>
</body></html>"#;

    #[test]
    fn html_is_read_as_a_browser_reads_it() {
        let (ids, hrefs) = scan_html(TRICKY);
        assert_eq!(ids, ["top", "q"]);
        assert_eq!(
            hrefs,
            ["../x/", "up", "bare.png", "f", "&amp", "spaced"].map(String::from)
        );
        assert_eq!((ids, hrefs), by_lol_html(TRICKY));
    }

    proptest::proptest! {
        #[test]
        fn the_scanner_agrees_with_lol_html(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<a href=\"x\">", "<p id='i'>", "text ", "&lt;a href=\"t\"&gt;", "<!-- <a href=\"c\"> -->",
                "<script>\"<a href='s'>\"</script>", "<img src=y.png>", "</a>", "</p>", "<br/>",
                "<style>a[href=\"q\"]{}</style>", "<title><a href=\"n\"></title>", " = \" ",
                "<div data-id=\"d\" id=\"e\">", "<!doctype html>", "<A HREF=\"U\">",
            ]), 0..24)
        ) {
            let html = parts.concat();
            proptest::prop_assert_eq!(scan_html(&html), by_lol_html(&html), "{}", html);
        }
    }

    #[test]
    fn targets_resolve_relative_to_the_page() {
        let t = link_targets(
            "reports/x/index.html",
            &[
                "../../tracers/y/".into(),
                "../y/#findings".into(),
                "#top".into(),
                "https://example.org/".into(),
                "../../static/style.css".into(),
                "../../".into(),
            ],
        );
        assert_eq!(
            t,
            vec![
                ("tracers/y/index.html".to_string(), false),
                ("reports/y/index.html".to_string(), true),
                ("reports/x/index.html".to_string(), false),
                ("static/style.css".to_string(), false),
                ("index.html".to_string(), false),
            ]
        );
    }

    #[test]
    fn scans_ids_and_links() {
        let (ids, hrefs) = scan_html(
            r#"<h2 id="a-b">x</h2><a class="k" href="../x/#a&amp;b">y</a><img src="i.png" alt="">"#,
        );
        assert_eq!(ids, vec!["a-b"]);
        assert_eq!(hrefs, vec!["../x/#a&b", "i.png"]);
    }

    /// The segment-list version `resolve_page` replaced, kept as its specification.
    fn resolve_page_by_segments(from_file: &str, rel: &str) -> Option<String> {
        let mut parts: Vec<&str> = from_file.split('/').collect();
        parts.pop();
        for seg in rel.split('/') {
            match seg {
                "." | "" => {}
                ".." => {
                    parts.pop()?;
                }
                s => parts.push(s),
            }
        }
        let joined = parts.join("/");
        let last = rel.rsplit('/').next().unwrap_or("");
        let folder = rel.ends_with('/') || last == "." || last == ".." || joined.is_empty();
        Some(match (folder, joined.is_empty()) {
            (true, true) => "index.html".to_string(),
            (true, false) => format!("{joined}/index.html"),
            (false, _) => joined,
        })
    }

    proptest::proptest! {
        #[test]
        fn resolve_page_agrees_with_its_specification(
            from in "([a-z]{1,3}/){0,3}(index\\.html|x\\.css)",
            rel in "((\\.\\.|\\.|[a-z]{1,3})/){0,5}(\\.\\.|\\.|[a-z]{1,3}|index\\.html)?",
        ) {
            proptest::prop_assert_eq!(resolve_page(&from, &rel), resolve_page_by_segments(&from, &rel));
        }
    }

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(
            resolve_page("reports/x/index.html", "../../tracers/y/").as_deref(),
            Some("tracers/y/index.html")
        );
        assert_eq!(
            resolve_page("index.html", "./").as_deref(),
            Some("index.html")
        );
        assert_eq!(
            resolve_page("reports/x/index.html", "..").as_deref(),
            Some("reports/index.html")
        );
        assert_eq!(resolve_page("index.html", "../x"), None);
        assert_eq!(
            resolve_page("a/b/index.html", "../../c/./d.css").as_deref(),
            Some("c/d.css")
        );
        assert_eq!(
            resolve_page("a/b/index.html", "../..").as_deref(),
            Some("index.html")
        );
        assert_eq!(resolve_page("a/b/index.html", "../../../x"), None);
    }

    #[test]
    fn links_above_the_root_are_broken() {
        let record = PageRecord {
            path: "reports/x/index.html".into(),
            hrefs: vec!["../../../etc/passwd".into()],
            template: "t.html",
            ..Default::default()
        };
        let problems = check(&[record], &HashSet::new());
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("above the site root"));
    }

    #[test]
    fn finds_broken_links_and_anchors() {
        let page = |path: &str, ids: &[&str], hrefs: &[&str]| PageRecord {
            path: path.into(),
            ids: ids.iter().map(|s| s.to_string()).collect(),
            hrefs: hrefs.iter().map(|s| s.to_string()).collect(),
            template: "t.html",
            ..Default::default()
        };
        let records = vec![
            page(
                "index.html",
                &["top"],
                &["a/", "a/#ok", "a/#missing", "b/", "/abs/"],
            ),
            page("a/index.html", &["ok"], &["../"]),
        ];
        let files: HashSet<String> = ["index.html", "a/index.html"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let problems = check(&records, &files);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("a/#missing")));
        assert!(messages.iter().any(|m| m.contains("`b/`")));
        assert!(messages.iter().any(|m| m.contains("root-absolute")));
    }

    #[test]
    fn checks_what_it_can_while_rendering_and_keeps_the_rest() {
        let known: FxHashSet<String> = ["index.html", "a/index.html"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut record = PageRecord {
            path: "index.html".into(),
            ids: ["here".to_string()].into_iter().collect(),
            hrefs: [
                "a/",
                "#here",
                "#gone",
                "b/",
                "a/#x",
                "pagefind/p.js",
                "https://e.org/",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            template: "t.html",
            ..Default::default()
        };
        let problems = check_now(&mut record, &known);
        assert!(problems.is_empty(), "{problems:?}");
        // A file not known before rendering, an anchor into another page, and a template's
        // missing anchor (site.yaml may have declared it) wait for the end.
        assert_eq!(record.hrefs, vec!["#gone", "b/", "a/#x", "pagefind/p.js"]);
        let files: HashSet<String> = known.iter().cloned().collect();
        let mut target = PageRecord {
            path: "a/index.html".into(),
            ids: ["x".to_string()].into_iter().collect(),
            ..Default::default()
        };
        target.template = "t.html";
        let problems = check(&[record, target], &files);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("#gone")));
        assert!(messages.iter().any(|m| m.contains("`b/`")));
        assert!(messages.iter().any(|m| m.contains("pagefind/p.js")));
    }
}
