//! Citations and reference lists for `realist`.
//!
//! This module owns everything bibliographic: parsing the project's `.bib`
//! file (BibLaTeX / BibTeX syntax), choosing a CSL citation style, and turning
//! the citation clusters of one document (`[@a; @b, p. 3]`) into inline HTML
//! plus an HTML reference list.
//!
//! It is built on [`hayagriva`] (the Typst project's bibliography engine)
//! because that crate, on its own and in pure Rust, gives us a BibLaTeX
//! importer (via the `biblatex` crate), a complete CSL 1.0.2 processor
//! (disambiguation, sorting, locators, name formatting) and an archive of
//! ~80 widely used styles and all CSL locales embedded in the binary — so no
//! style files have to be found at run time and no network is needed.
//!
//! Notes on how hayagriva is used here:
//! * hayagriva's own HTML writer does not escape text and emits inline
//!   `style=` spans, so this module walks the rendered element tree itself and
//!   writes escaped HTML with `<i>`, `<b>`, `<u>`, `<sup>`, `<sub>` and
//!   `<a href>`.
//! * The CSL style is decoded once in [`Bibliography::parse`]; the CSL locales
//!   are decoded once per process (shared `'static` slice): the first `parse`
//!   pays ~55 ms (release) for that, later ones ~0.5–5 ms depending on style.
//! * Formatting cost is dominated by hayagriva's CSL evaluation (~0.3 ms for
//!   ieee, ~0.7–1 ms for harvard, ~3–4 ms for apa per 10-cluster document in
//!   release builds), so callers should skip re-formatting unchanged documents.
//! * All stored hayagriva/citationberg values are plain owned data, so
//!   [`Bibliography`] is `Send + Sync` (checked at compile time below) and can
//!   be shared by reference across rayon threads.

use std::fmt::Write as _;
use std::sync::OnceLock;

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::citationberg::{
    Display, FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, Name, NamesChild, Style,
    TextDecoration, VerticalAlign,
};
use hayagriva::io::BibLaTeXError;
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, ElemChild,
    ElemChildren, ElemMeta, Formatted, Formatting, Library, LocatorPayload, SpecificLocator,
};

/// The style realist uses when the project does not name one.
pub const DEFAULT_STYLE: &str = "harvard-cite-them-right";

/// A parsed bibliography together with the citation style used to format it.
pub struct Bibliography {
    library: Library,
    /// `None` only for [`Bibliography::empty`], which can format nothing.
    style: Option<IndependentStyle>,
    /// All CSL locales from hayagriva's archive, decoded once per process.
    locales: &'static [Locale],
    /// The site's language (`en-GB`), so the style's terms and quotation marks are the site's.
    locale: Option<hayagriva::citationberg::LocaleCode>,
    /// The keys that cannot be checked because the bibliography could not be read: their
    /// citations are not reported as unknown, since the real problem is reported already.
    unchecked: Unchecked,
}

/// Which citation keys a bibliography that could not be read cannot vouch against.
#[derive(Debug, Clone, Default)]
enum Unchecked {
    /// The bibliography was read: every key is checked.
    #[default]
    None,
    /// The file is missing or unreadable: no key can be checked.
    All,
    /// The file has a syntax error: the keys its entries are written with are taken as there
    /// (a key that is in no entry is still unknown).
    Keys(std::collections::HashSet<String>),
}

/// One cited item inside a citation cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct CiteItem {
    pub key: String,
    /// Pandoc-style locator such as `"p. 12"`, `"pp. 3-5"`, `"chapter 2"`.
    /// A bare number (`"12"`) is taken as a page; an unrecognised label is
    /// printed verbatim without a label.
    pub locator: Option<String>,
}

/// A problem with the `.bib` text or the style name.
#[derive(Debug, Clone, PartialEq)]
pub struct BibError {
    /// 1-based line in the `.bib` text (1 for style errors).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

/// The formatted citations of one document.
pub struct FormattedCitations {
    /// `inline[i]` is the HTML for citation cluster `i`.
    pub inline: Vec<String>,
    /// Reference-list entries, in the order the style prescribes.
    pub references: Vec<Reference>,
}

/// One reference-list entry.
pub struct Reference {
    pub key: String,
    pub html: String,
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<Bibliography>();
    check::<FormattedCitations>();
}

fn all_locales() -> &'static [Locale] {
    static LOCALES: OnceLock<Vec<Locale>> = OnceLock::new();
    LOCALES.get_or_init(hayagriva::archive::locales)
}

/// The library with BibTeX's `and others` read as "et al.": hayagriva reads it as an author named
/// "others", whom every style would print. It becomes a suffix of the last named author, which
/// every style prints with the name.
fn with_et_al(library: Library) -> Library {
    let mut out = Library::new();
    for mut entry in library {
        if let Some(mut authors) = entry.authors().map(<[_]>::to_vec) {
            let others =
                |p: &hayagriva::types::Person| p.name == "others" && p.given_name.is_none();
            if authors.len() > 1 && authors.last().is_some_and(others) {
                authors.pop();
                if let Some(last) = authors.last_mut() {
                    // A suffix of its own ("Jr.") stays before it.
                    last.suffix = Some(match last.suffix.take() {
                        Some(own) => format!("{own} et al."),
                        None => "et al.".into(),
                    });
                }
                entry.set_authors(authors);
            }
        }
        out.push(&entry);
    }
    out
}

/// "et al." after the names of an in-text citation whose last author carries it (see
/// [`with_et_al`]): a style's short form of a name prints the family name without its suffix, so
/// "Hammond, J. and others" was cited as "(Hammond, 2017)". A names element that already shows
/// "et al." (the style's own rule, or a long form) is left as it is.
fn et_al_after_short_names(children: &mut ElemChildren) {
    for child in &mut children.0 {
        let ElemChild::Elem(e) = child else {
            continue;
        };
        let incomplete = match &e.meta {
            Some(ElemMeta::Names(lists)) => lists.iter().any(|(people, _)| {
                (people.last()).is_some_and(|p| p.suffix.as_deref().is_some_and(is_et_al))
            }),
            _ => false,
        };
        if incomplete && !e.to_string().contains("et al") {
            e.children.0.push(ElemChild::Text(Formatted {
                text: " et al.".into(),
                formatting: Formatting::default(),
            }));
        } else {
            et_al_after_short_names(&mut e.children);
        }
    }
}

/// Whether a name's suffix is the "et al." [`with_et_al`] gives it (after a suffix of its own).
fn is_et_al(suffix: &str) -> bool {
    suffix == "et al." || suffix.ends_with(" et al.")
}

impl Bibliography {
    /// A bibliography with no entries and no style. `format_document` on it
    /// returns placeholders for any (necessarily unknown) key.
    pub fn empty() -> Self {
        Bibliography {
            library: Library::new(),
            style: None,
            locales: &[],
            locale: None,
            unchecked: Unchecked::None,
        }
    }

    /// The bibliography of a site whose `.bib` file could not be read (its problem is reported):
    /// it has no entries, and reports no citation as unknown.
    pub fn unreadable() -> Self {
        Bibliography {
            unchecked: Unchecked::All,
            ..Bibliography::empty()
        }
    }

    /// The bibliography of a site whose `.bib` text could not be parsed (its errors are reported):
    /// it has no entries, and reports as unknown only the citations of keys that no entry of
    /// `bibtex` is written with.
    pub fn unparsable(bibtex: &str) -> Self {
        Bibliography {
            unchecked: Unchecked::Keys(entry_keys(bibtex)),
            ..Bibliography::empty()
        }
    }

    /// Whether the style `name` exists: the same check [`Bibliography::parse`] makes first,
    /// without decoding the style.
    pub fn check_style(name: &str) -> Result<(), BibError> {
        find_style(name).map(|_| ())
    }

    /// `style`: an archived CSL style name such as "apa" or
    /// "harvard-cite-them-right" (hayagriva's `ArchivedStyle` names; see
    /// [`Bibliography::style_names`]). Unknown → `BibError` with a
    /// did-you-mean help listing the closest names.
    pub fn parse(bibtex: &str, style: &str) -> Result<Self, Vec<BibError>> {
        // Check the style first: it is cheap and independent of the .bib.
        let style = load_style(style).map_err(|e| vec![e])?;
        // The limits are checked on the raw text first: expanding it is what can exhaust memory.
        let raw = limits::check(bibtex)?;
        let library = hayagriva::io::from_biblatex_str(bibtex).map_err(|errs| {
            errs.iter()
                .map(|e| bib_error(bibtex, e))
                .collect::<Vec<_>>()
        })?;
        refuse_urls(bibtex, raw.as_ref(), &library)?;
        Ok(Bibliography {
            library: with_et_al(library),
            style: Some(style),
            locales: all_locales(),
            locale: None,
            unchecked: Unchecked::None,
        })
    }

    /// The bibliography formatting in `language` (a BCP 47 tag such as `en-GB`).
    pub fn in_language(mut self, language: &str) -> Self {
        self.locale = Some(hayagriva::citationberg::LocaleCode(language.to_string()));
        self
    }

    /// The locale requests ask for.
    fn locale(&self) -> Option<hayagriva::citationberg::LocaleCode> {
        self.locale.clone()
    }

    /// Every style name accepted by [`Bibliography::parse`], sorted.
    pub fn style_names() -> Vec<&'static str> {
        let mut v: Vec<&'static str> = ArchivedStyle::all()
            .iter()
            .flat_map(|s| s.names().iter().copied())
            .collect();
        v.sort_unstable();
        v
    }

    /// Whether a citation of `key` is fine: the key has an entry, or the bibliography could not
    /// be read and its file is where the problem is (see [`Bibliography::unparsable`]).
    pub fn contains(&self, key: &str) -> bool {
        self.library.get(key).is_some()
            || match &self.unchecked {
                Unchecked::None => false,
                Unchecked::All => true,
                Unchecked::Keys(keys) => keys.contains(key),
            }
    }

    /// The closest existing key (for "did you mean"), if any is reasonably
    /// close.
    pub fn suggest(&self, key: &str) -> Option<String> {
        closest(key, self.library.keys(), 1)
            .into_iter()
            .next()
            .map(str::to_owned)
    }

    pub fn len(&self) -> usize {
        self.library.len()
    }

    /// The DOI of each entry that gives one, with the entry's key.
    pub fn dois(&self) -> impl Iterator<Item = (&str, &str)> {
        self.library
            .iter()
            .filter_map(|e| e.doi().map(|d| (e.key(), d)))
    }

    pub fn is_empty(&self) -> bool {
        self.library.is_empty()
    }

    /// Format every citation of ONE document, in reading order.
    /// `citations[i]` is one citation cluster (`[@a; @b, p. 3]`).
    ///
    /// Returns `inline[i]` = the HTML of cluster `i` and the reference list
    /// entries as HTML, sorted as the style says. Keys missing from the
    /// library (the caller should have checked with `contains`) are skipped;
    /// a cluster with no known key renders as `[?key]`.
    pub fn format_document(&self, citations: &[Vec<CiteItem>]) -> FormattedCitations {
        let Some(style) = &self.style else {
            return FormattedCitations {
                inline: citations.iter().map(|c| missing_cluster(c)).collect(),
                references: Vec::new(),
            };
        };

        // Map every cluster to the request index it was given (or None).
        let mut slot: Vec<Option<usize>> = Vec::with_capacity(citations.len());
        let mut driver = BibliographyDriver::new();
        let mut n = 0;
        for cluster in citations {
            let items: Vec<CitationItem<'_, hayagriva::Entry>> = cluster
                .iter()
                .filter_map(|ci| {
                    let entry = self.library.get(&ci.key)?;
                    let locator = ci.locator.as_deref().and_then(parse_locator);
                    Some(CitationItem::with_locator(entry, locator))
                })
                .collect();
            if items.is_empty() {
                slot.push(None);
                continue;
            }
            driver.citation(CitationRequest::new(
                items,
                style,
                self.locale(),
                self.locales,
                None,
            ));
            slot.push(Some(n));
            n += 1;
        }

        let rendered = driver.finish(BibliographyRequest::new(style, self.locale(), self.locales));

        let inline = citations
            .iter()
            .zip(&slot)
            .map(|(cluster, s)| match s {
                Some(i) => {
                    let mut citation = rendered.citations[*i].citation.clone();
                    et_al_after_short_names(&mut citation);
                    let mut out = String::new();
                    write_children(&mut out, &citation);
                    merge_adjacent_tags(out)
                }
                None => missing_cluster(cluster),
            })
            .collect();

        let references = rendered
            .bibliography
            .map(|b| {
                b.items
                    .into_iter()
                    .map(|item| {
                        let mut html = String::new();
                        if let Some(first) = &item.first_field {
                            html.push_str("<span class=\"csl-left-margin\">");
                            write_child(&mut html, first, true);
                            html.push_str("</span><span class=\"csl-right-inline\">");
                            write_children_inline(&mut html, &item.content);
                            html.push_str("</span>");
                        } else {
                            write_children(&mut html, &item.content);
                        }
                        Reference {
                            key: item.key,
                            html: merge_adjacent_tags(html),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();

        FormattedCitations { inline, references }
    }

    /// The entry of `key`, for metadata that describes it field by field (Highwire
    /// `citation_reference`); `None` if the key is unknown.
    pub fn entry(&self, key: &str) -> Option<&hayagriva::Entry> {
        self.library.get(key)
    }

    /// Title and year of an entry as plain (unescaped) text, e.g.
    /// `"A Title (2013)"`; `"A Title"` without a date, `"(2013)"` without a
    /// title. `None` if the key is unknown or the entry has neither.
    pub fn title_of(&self, key: &str) -> Option<String> {
        let entry = self.library.get(key)?;
        let title = entry.title().map(|t| t.value.to_str().into_owned());
        let year = entry.date_any().map(|d| d.year);
        match (title, year) {
            (Some(t), Some(y)) => Some(format!("{t} ({y})")),
            (Some(t), None) => Some(t),
            (None, Some(y)) => Some(format!("({y})")),
            (None, None) => None,
        }
    }
}

// ---------------------------------------------------------------- styles ---

fn load_style(name: &str) -> Result<IndependentStyle, BibError> {
    let mut style = load_archived(find_style(name)?, name)?;
    name_every_names(&mut style);
    Ok(style)
}

/// The archived style named `name`, not yet decoded (finding it costs nothing; decoding costs
/// milliseconds), or an error with the closest names.
fn find_style(name: &str) -> Result<ArchivedStyle, BibError> {
    let unknown = || {
        let names = Bibliography::style_names();
        let near = closest(name, names.iter().copied(), 3);
        let help = if near.is_empty() {
            format!("available styles: {}", names.join(", "))
        } else {
            format!(
                "did you mean {}?",
                near.iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        BibError {
            line: 1,
            column: 1,
            message: format!("unknown citation style \"{name}\""),
            help: Some(help),
        }
    };
    ArchivedStyle::by_name(name.trim()).ok_or_else(unknown)
}

/// The independent style of `archived` (a dependent one is resolved to its parent).
fn load_archived(archived: ArchivedStyle, name: &str) -> Result<IndependentStyle, BibError> {
    match archived.get() {
        Style::Independent(s) => Ok(s),
        // The archive ships independent styles only; be defensive anyway.
        Style::Dependent(d) => match ArchivedStyle::by_id(&d.parent_link.href).map(|p| p.get()) {
            Some(Style::Independent(mut s)) => {
                if d.default_locale.is_some() {
                    s.default_locale = d.default_locale;
                }
                Ok(s)
            }
            _ => Err(BibError {
                line: 1,
                column: 1,
                message: format!(
                    "citation style \"{name}\" depends on a style that is not bundled"
                ),
                help: None,
            }),
        },
    }
}

/// Gives every `<names>` element of `style` a `<name/>` child where it has none.
///
/// CSL lets a `<names>` element leave out `<name>`: the names are then printed with the options
/// the style sets on its root, as if an empty `<name/>` were there. Vancouver, NLM and several other
/// archived styles are written so (with a `<label>` after the names), and hayagriva 0.10 takes a
/// `<names>` whose only children are a label and a substitute for one that prints nothing: every
/// author was dropped from their references. An empty `<name/>` inherits exactly the options
/// the missing element would have, so the style means the same and hayagriva prints the names.
fn name_every_names(style: &mut IndependentStyle) {
    use hayagriva::citationberg::LayoutRenderingElement as E;
    fn walk(elements: &mut [E]) {
        for element in elements {
            match element {
                E::Names(names) => {
                    let has_name = names
                        .children
                        .iter()
                        .any(|c| matches!(c, NamesChild::Name(_)));
                    if !has_name {
                        names.children.insert(0, NamesChild::Name(Name::default()));
                    }
                    for child in &mut names.children {
                        if let NamesChild::Substitute(s) = child {
                            walk(&mut s.children);
                        }
                    }
                }
                E::Group(group) => walk(&mut group.children),
                E::Choose(choose) => {
                    walk(&mut choose.if_.children);
                    for branch in &mut choose.else_if {
                        walk(&mut branch.children);
                    }
                    if let Some(otherwise) = &mut choose.otherwise {
                        walk(&mut otherwise.children);
                    }
                }
                E::Text(_) | E::Date(_) | E::Number(_) | E::Label(_) => {}
            }
        }
    }
    for m in &mut style.macros {
        walk(&mut m.children);
    }
    walk(&mut style.citation.layout.elements);
    if let Some(bibliography) = &mut style.bibliography {
        walk(&mut bibliography.layout.elements);
    }
}

/// Up to `max` candidates closest to `query`, best first, only if
/// reasonably similar. Ties are broken by name for determinism.
fn closest<'a>(query: &str, candidates: impl Iterator<Item = &'a str>, max: usize) -> Vec<&'a str> {
    let q = query.to_lowercase();
    let mut scored: Vec<(f64, &'a str)> = candidates
        .map(|c| {
            let cl = c.to_lowercase();
            let mut score = strsim::jaro_winkler(&q, &cl);
            // A prefix / substring match is a strong hint ("harvard" → "harvard-cite-them-right").
            if !q.is_empty() && (cl.starts_with(&q) || q.starts_with(&cl)) {
                score = score.max(0.9);
            } else if q.len() >= 3 && cl.contains(&q) {
                score = score.max(0.85);
            }
            (score, c)
        })
        .filter(|(s, _)| *s >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(max).map(|(_, c)| c).collect()
}

// ------------------------------------------------------------------ URLs ---

/// Every entry's URL (what reaches `href` in a reference list) must pass the site's URL check; a
/// refused one is reported at the entry's `url` field (the first fifty of them: each costs a walk
/// over the file to find its line).
fn refuse_urls(
    src: &str,
    raw: Option<&biblatex::RawBibliography>,
    library: &Library,
) -> Result<(), Vec<BibError>> {
    let refused: Vec<(&str, String)> = library
        .iter()
        .filter_map(|entry| {
            let url = entry.url()?;
            let message = crate::url::links::classify(url.value.as_str()).err()?;
            Some((entry.key(), message))
        })
        .take(50)
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    let raw_entries: std::collections::HashMap<&str, _> = raw
        .map(|r| r.entries.iter().map(|e| (e.v.key.v, e)).collect())
        .unwrap_or_default();
    let errors = refused
        .into_iter()
        .map(|(key, message)| {
            let at = raw_entries.get(key).map_or(0, |e| {
                e.v.fields
                    .iter()
                    .find(|f| f.key.v.eq_ignore_ascii_case("url"))
                    .map_or(e.span.start, |f| f.value.span.start)
            });
            let (line, column) = line_col(src, at);
            BibError {
                line,
                column,
                message: format!("entry `{key}`: {message}"),
                help: Some(
                    "give the entry an http:// or https:// address, or remove the url field".into(),
                ),
            }
        })
        .collect();
    Err(errors)
}

// ---------------------------------------------------------------- errors ---

/// The keys of the entries of a `.bib` text that may not parse: what follows `@type{` or
/// `@type(` up to a comma, brace or space. Written by hand because the parser that would find
/// them is the one that just failed; a simple scan finds an entry's key before any later slip.
fn entry_keys(bibtex: &str) -> std::collections::HashSet<String> {
    let mut keys = std::collections::HashSet::new();
    for (i, _) in bibtex.match_indices('@') {
        let after = &bibtex[i + 1..];
        let kind_end = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        let rest = after[kind_end..].trim_start();
        let Some(rest) = rest.strip_prefix(['{', '(']) else {
            continue;
        };
        let rest = rest.trim_start();
        let end = rest
            .find(|c: char| c == ',' || c == '}' || c == ')' || c.is_whitespace())
            .unwrap_or(rest.len());
        if end > 0 && kind_end > 0 {
            keys.insert(rest[..end].to_string());
        }
    }
    keys
}

fn bib_error(src: &str, err: &BibLaTeXError) -> BibError {
    use hayagriva::io::BibLaTeXError as E;
    let (span, message, help) = match err {
        E::Parse(e) => {
            let (msg, help) = parse_error_text(&e.kind);
            (e.span.clone(), msg, help)
        }
        E::Type(e) => (
            e.span.clone(),
            format!("malformed field value: {}", e.kind),
            Some(
                "check the field's format (e.g. dates as YYYY or YYYY-MM-DD, page ranges as 3--5)"
                    .to_owned(),
            ),
        ),
    };
    let (line, column) = line_col(src, span.start);
    let help = match first_entry_line(src, &message, span.start) {
        Some(first) => Some(format!(
            "every entry needs a unique key: the first entry with this key is on line {first}; rename or remove one of them"
        )),
        None => help,
    };
    BibError {
        line,
        column,
        message,
        help,
    }
}

/// For a duplicate-key error (`duplicate key "smith2013"`, say), the line of the first entry with
/// that key, before `before`: the author sees both places to compare.
fn first_entry_line(src: &str, message: &str, before: usize) -> Option<usize> {
    if !message.to_lowercase().contains("duplicate") {
        return None;
    }
    let key = message.split(['"', '`', '\'']).nth(1)?;
    let head = &src[..before.min(src.len())];
    let at = head.match_indices(key).map(|(i, _)| i).find(|&i| {
        let open = head[..i].trim_end();
        open.ends_with(['{', '(']) && head[i + key.len()..].trim_start().starts_with(',')
    })?;
    Some(line_col(src, at).0)
}

/// Message and help for a `biblatex::ParseErrorKind`. hayagriva does not
/// re-export the `biblatex` crate, so instead of adding it as a direct
/// dependency (which would have to track hayagriva's version) the variant is
/// recognised from its `Debug` form, e.g. `Expected(ClosingBrace)`.
fn parse_error_text(kind: &(impl std::fmt::Display + std::fmt::Debug)) -> (String, Option<String>) {
    let dbg = format!("{kind:?}");
    let help = if dbg == "UnexpectedEof" {
        Some("an entry is not closed: check that every `{` has a matching `}`")
    } else if dbg == "Expected(ClosingBrace)" || dbg == "Expected(OpeningBrace)" {
        Some("check that every `{` has a matching `}`")
    } else if dbg == "Expected(Comma)" {
        Some("fields are separated by commas: `title = {...},`")
    } else if dbg == "Expected(Equals)" {
        Some("fields are written `name = {value}`")
    } else if dbg == "Expected(Identifier)" {
        Some("entries start like `@article{key,` and fields like `title = {...}`")
    } else if dbg.starts_with("UnknownAbbreviation") {
        Some("define it with `@string{name = {...}}` or wrap the value in braces")
    } else if dbg.starts_with("DuplicateKey") {
        Some("every entry needs a unique key: rename one of them")
    } else if dbg == "MalformedCommand" {
        Some("check the TeX command (`\\...`) in this field")
    } else if dbg.starts_with("Unexpected(") {
        Some("check the entry's syntax: `@type{key, field = {value}, ...}`")
    } else {
        None
    };
    (kind.to_string(), help.map(str::to_owned))
}

/// 1-based line and column (in chars) of byte offset `pos` in `src`.
fn line_col(src: &str, pos: usize) -> (usize, usize) {
    let mut pos = pos.min(src.len());
    while !src.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &src[..pos];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = src[line_start..pos].chars().count() + 1;
    (line, column)
}

// -------------------------------------------------------------- locators ---

/// Locator labels (lower-case, trailing dot removed) realist understands:
/// pandoc's English list, singular, plural and abbreviated forms.
const LOCATOR_TERMS: &[(&str, Locator)] = &[
    ("p", Locator::Page),
    ("pp", Locator::Page),
    ("page", Locator::Page),
    ("pages", Locator::Page),
    ("book", Locator::Book),
    ("bk", Locator::Book),
    ("bks", Locator::Book),
    ("chapter", Locator::Chapter),
    ("chapters", Locator::Chapter),
    ("chap", Locator::Chapter),
    ("chaps", Locator::Chapter),
    ("ch", Locator::Chapter),
    ("column", Locator::Column),
    ("columns", Locator::Column),
    ("col", Locator::Column),
    ("cols", Locator::Column),
    ("figure", Locator::Figure),
    ("figures", Locator::Figure),
    ("fig", Locator::Figure),
    ("figs", Locator::Figure),
    ("folio", Locator::Folio),
    ("folios", Locator::Folio),
    ("fol", Locator::Folio),
    ("fols", Locator::Folio),
    ("issue", Locator::Issue),
    ("issues", Locator::Issue),
    ("no", Locator::Issue),
    ("nos", Locator::Issue),
    ("line", Locator::Line),
    ("lines", Locator::Line),
    ("l", Locator::Line),
    ("ll", Locator::Line),
    ("note", Locator::Note),
    ("notes", Locator::Note),
    ("n", Locator::Note),
    ("nn", Locator::Note),
    ("opus", Locator::Opus),
    ("opera", Locator::Opus),
    ("op", Locator::Opus),
    ("opp", Locator::Opus),
    ("paragraph", Locator::Paragraph),
    ("paragraphs", Locator::Paragraph),
    ("para", Locator::Paragraph),
    ("paras", Locator::Paragraph),
    ("¶", Locator::Paragraph),
    ("¶¶", Locator::Paragraph),
    ("part", Locator::Part),
    ("parts", Locator::Part),
    ("pt", Locator::Part),
    ("pts", Locator::Part),
    ("section", Locator::Section),
    ("sections", Locator::Section),
    ("sec", Locator::Section),
    ("secs", Locator::Section),
    ("§", Locator::Section),
    ("§§", Locator::Section),
    ("s.v", Locator::SubVerbo),
    ("s.vv", Locator::SubVerbo),
    ("table", Locator::Table),
    ("tables", Locator::Table),
    ("tab", Locator::Table),
    ("tabs", Locator::Table),
    ("verse", Locator::Verse),
    ("verses", Locator::Verse),
    ("v", Locator::Verse),
    ("vv", Locator::Verse),
    ("volume", Locator::Volume),
    ("volumes", Locator::Volume),
    ("vol", Locator::Volume),
    ("vols", Locator::Volume),
    ("appendix", Locator::Appendix),
    ("app", Locator::Appendix),
    ("equation", Locator::Equation),
    ("eq", Locator::Equation),
    ("act", Locator::Act),
    ("scene", Locator::Scene),
    ("sc", Locator::Scene),
    ("rule", Locator::Rule),
    ("supplement", Locator::Supplement),
    ("supp", Locator::Supplement),
    ("timestamp", Locator::Timestamp),
];

/// Turn a pandoc-style locator ("p. 12", "pp. 3-5", "chapter 2", "§3",
/// "sub verbo foo") into a CSL locator. A value starting with a digit is a
/// page; an unknown label keeps the whole text, printed without a CSL label.
fn parse_locator(raw: &str) -> Option<SpecificLocator<'_>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(SpecificLocator(Locator::Page, LocatorPayload::Str(s)));
    }
    // Split "label[.] value" at the first whitespace or digit ("§3", "¶ 2").
    let (label, rest) = match s.find(|c: char| c.is_whitespace() || c.is_ascii_digit()) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    };
    let label = label.trim_end_matches('.').to_lowercase();
    if label == "sub" {
        let value = rest
            .strip_prefix("verbo")
            .map(str::trim_start)
            .unwrap_or("");
        if !value.is_empty() {
            return Some(SpecificLocator(
                Locator::SubVerbo,
                LocatorPayload::Str(value),
            ));
        }
    } else if !rest.is_empty() {
        if let Some((_, loc)) = LOCATOR_TERMS.iter().find(|(t, _)| *t == label) {
            return Some(SpecificLocator(*loc, LocatorPayload::Str(rest)));
        }
    }
    Some(SpecificLocator(Locator::Custom, LocatorPayload::Str(s)))
}

// ------------------------------------------------------------------ HTML ---

fn missing_cluster(cluster: &[CiteItem]) -> String {
    let mut out = String::from("[");
    for (i, c) in cluster.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push('?');
        escape_into(&mut out, &c.key);
    }
    out.push(']');
    out
}

/// `<sup>1</sup><sup>,</sup><sup>2</sup>` → `<sup>1,2</sup>`: hayagriva
/// formats each CSL element separately, so equal formatting can be split.
fn merge_adjacent_tags(html: String) -> String {
    const PAIRS: [&str; 5] = [
        "</i><i>",
        "</b><b>",
        "</sup><sup>",
        "</sub><sub>",
        "</u><u>",
    ];
    if !PAIRS.iter().any(|p| html.contains(p)) {
        return html;
    }
    let mut html = html;
    for p in PAIRS {
        html = html.replace(p, "");
    }
    html
}

/// Escapes text for HTML, leaving out control characters (the file is checked for them, but a
/// TeX command can still produce one), which would make a page or feed invalid.
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

fn write_children(out: &mut String, children: &ElemChildren) {
    for child in &children.0 {
        write_child(out, child, false);
    }
}

/// Like [`write_children`] but block-level displays become spans (used
/// inside the right-inline span of a second-field-aligned entry).
fn write_children_inline(out: &mut String, children: &ElemChildren) {
    for child in &children.0 {
        write_child(out, child, true);
    }
}

fn write_child(out: &mut String, child: &ElemChild, inline_only: bool) {
    match child {
        ElemChild::Text(t) => write_formatted(out, &t.text, &t.formatting),
        ElemChild::Markup(m) => escape_into(out, m),
        ElemChild::Elem(e) => {
            let class = match e.display {
                None => None,
                Some(Display::Block) => Some("csl-block"),
                Some(Display::Indent) => Some("csl-indent"),
                Some(Display::LeftMargin) => Some("csl-left-margin"),
                Some(Display::RightInline) => Some("csl-right-inline"),
            };
            let tag = if inline_only { "span" } else { "div" };
            if let Some(class) = class {
                let _ = write!(out, "<{tag} class=\"{class}\">");
            }
            for c in &e.children.0 {
                write_child(out, c, inline_only);
            }
            if class.is_some() {
                let _ = write!(out, "</{tag}>");
            }
        }
        // Entry URLs were checked when the file was read; a link that hayagriva makes up from
        // other fields is checked here too, and written as plain text if refused.
        ElemChild::Link { text, url } if !crate::url::links::is_allowed(url) => {
            write_formatted(out, &text.text, &text.formatting);
        }
        ElemChild::Link { text, url } => {
            out.push_str("<a href=\"");
            // A style makes a DOI's link by appending the DOI as written, which may hold `#`,
            // `?` or `%`: it is encoded as everywhere else on the site.
            match url.strip_prefix("https://doi.org/") {
                Some(doi) => escape_into(out, &crate::url::doi_url(doi)),
                None => escape_into(out, url),
            }
            out.push_str("\">");
            write_formatted(out, &text.text, &text.formatting);
            out.push_str("</a>");
        }
        ElemChild::Transparent { .. } => {}
    }
}

fn write_formatted(out: &mut String, text: &str, f: &Formatting) {
    if *f == Formatting::default() {
        escape_into(out, text);
        return;
    }
    let mut close: Vec<&str> = Vec::with_capacity(4);
    if f.font_style == FontStyle::Italic {
        out.push_str("<i>");
        close.push("</i>");
    }
    match f.font_weight {
        FontWeight::Bold => {
            out.push_str("<b>");
            close.push("</b>");
        }
        FontWeight::Light => {
            out.push_str("<span style=\"font-weight:lighter\">");
            close.push("</span>");
        }
        FontWeight::Normal => {}
    }
    if f.font_variant == FontVariant::SmallCaps {
        out.push_str("<span style=\"font-variant:small-caps\">");
        close.push("</span>");
    }
    if f.text_decoration == TextDecoration::Underline {
        out.push_str("<u>");
        close.push("</u>");
    }
    match f.vertical_align {
        VerticalAlign::Sup => {
            out.push_str("<sup>");
            close.push("</sup>");
        }
        VerticalAlign::Sub => {
            out.push_str("<sub>");
            close.push("</sub>");
        }
        _ => {}
    }
    escape_into(out, text);
    for c in close.iter().rev() {
        out.push_str(c);
    }
}

// ----------------------------------------------------------------- tests ---

#[cfg(test)]
mod tests {
    use super::*;

    const BIB: &str = r#"
@article{smith2013,
  author  = {Smith, John and Doe, Jane},
  title   = {Rivers {\&} Lakes of the North},
  journal = {Journal of Hydrology},
  year    = {2013},
  volume  = {12},
  number  = {3},
  pages   = {100--120},
  doi     = {10.1000/xyz123},
}

@book{adams1979,
  author    = {Adams, Douglas},
  title     = {The Hitchhiker's Guide to the Galaxy},
  publisher = {Pan Books},
  address   = {London},
  year      = {1979},
}

@techreport{brown2020,
  author      = {Brown, Alice},
  title       = {Water Quality Report},
  institution = {Environment Agency},
  year        = {2020},
  url         = {https://example.org/report?a=1&b=2},
}
"#;

    fn cite(key: &str, loc: Option<&str>) -> CiteItem {
        CiteItem {
            key: key.into(),
            locator: loc.map(Into::into),
        }
    }

    fn bib() -> Bibliography {
        Bibliography::parse(BIB, DEFAULT_STYLE).expect("bib parses")
    }

    #[test]
    fn parses_article_book_report() {
        let b = bib();
        assert_eq!(b.len(), 3);
        assert!(b.contains("smith2013") && b.contains("adams1979") && b.contains("brown2020"));
        assert!(!b.contains("smith2014"));
        assert_eq!(b.suggest("smith2014").as_deref(), Some("smith2013"));
        assert_eq!(b.suggest("zzzzzzzzzzzzzz"), None);
        assert_eq!(
            b.title_of("adams1979").as_deref(),
            Some("The Hitchhiker's Guide to the Galaxy (1979)")
        );
        assert_eq!(b.title_of("nope"), None);
    }

    #[test]
    fn empty_bibliography() {
        let b = Bibliography::empty();
        assert_eq!(b.len(), 0);
        assert!(!b.contains("x"));
        let out = b.format_document(&[]);
        assert!(out.inline.is_empty() && out.references.is_empty());
    }

    #[test]
    fn bad_syntax_is_located() {
        let src = "@article{ok,\n  title = {Fine},\n  year = {2000},\n}\n\n@book{broken,\n  title = {Oops,\n  year = 1999\n";
        let errs = match Bibliography::parse(src, "apa") {
            Err(e) => e,
            Ok(_) => panic!("should fail"),
        };
        assert_eq!(errs.len(), 1);
        let e = &errs[0];
        assert!(
            e.line >= 6,
            "error should point into the broken entry: {e:?}"
        );
        assert!(e.column >= 1);
        assert!(e.help.is_some(), "{e:?}");

        let src2 = "@article{a,\n  title = {A},\n  year  {2000},\n}\n";
        let e = &Bibliography::parse(src2, "apa").err().expect("should fail")[0];
        assert_eq!((e.line, e.column), (3, 9), "{e:?}");
        assert!(e.message.contains("equals"), "{e:?}");
    }

    #[test]
    fn vancouver_and_nlm_print_the_authors() {
        for style in [
            "vancouver",
            "nlm-citation-sequence",
            "vancouver-superscript",
        ] {
            let b = Bibliography::parse(BIB, style).unwrap();
            let f = b.format_document(&[vec![cite("smith2013", None)]]);
            let html = &f.references[0].html;
            assert!(
                html.contains("Smith J") && html.contains("Doe J"),
                "{style}: {html}"
            );
        }
    }

    #[test]
    fn unknown_style_did_you_mean() {
        let errs = Bibliography::parse(BIB, "harvard")
            .err()
            .expect("unknown style");
        let help = errs[0].help.as_deref().unwrap();
        assert!(errs[0].message.contains("harvard"));
        assert!(help.contains("harvard-cite-them-right"), "{help}");
        let errs = Bibliography::parse(BIB, "apaa")
            .err()
            .expect("unknown style");
        assert!(
            errs[0].help.as_deref().unwrap().contains("\"apa\""),
            "{:?}",
            errs[0]
        );
        assert!(Bibliography::style_names().contains(&"apa"));
        assert!(Bibliography::style_names().contains(&DEFAULT_STYLE));
    }

    #[test]
    fn formats_with_locator() {
        let b = bib();
        let out = b.format_document(&[
            vec![cite("smith2013", Some("p. 12"))],
            vec![
                cite("adams1979", Some("pp. 3-5")),
                cite("brown2020", Some("chapter 2")),
            ],
            vec![cite("smith2013", None)],
        ]);
        assert_eq!(out.inline.len(), 3);
        assert_eq!(out.inline[0], "(Smith and Doe, 2013, p. 12)");
        assert_eq!(
            out.inline[1],
            "(Adams, 1979, pp. 3\u{2013}5; Brown, 2020, chap. 2)"
        );
        assert_eq!(out.inline[2], "(Smith and Doe, 2013)");
    }

    #[test]
    fn reference_list_order_and_links() {
        let b = bib();
        // Cited in non-alphabetical order; harvard sorts by author.
        let out = b.format_document(&[
            vec![cite("smith2013", None)],
            vec![cite("brown2020", None)],
            vec![cite("adams1979", None)],
        ]);
        let keys: Vec<&str> = out.references.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["adams1979", "brown2020", "smith2013"]);
        let adams = &out.references[0].html;
        assert!(
            adams.contains("<i>The Hitchhiker&#39;s Guide to the Galaxy</i>")
                || adams.contains("<i>The hitchhiker&#39;s guide to the galaxy</i>")
                || adams.contains("<i>The Hitchhiker’s Guide to the Galaxy</i>"),
            "{adams}"
        );
        let smith = &out.references[2].html;
        assert!(
            smith.contains("<a href=\"https://doi.org/10.1000/xyz123\">"),
            "{smith}"
        );

        // Only cited entries appear; numeric style orders by citation.
        let ieee = Bibliography::parse(BIB, "ieee").unwrap();
        let out =
            ieee.format_document(&[vec![cite("smith2013", None)], vec![cite("adams1979", None)]]);
        let keys: Vec<&str> = out.references.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["smith2013", "adams1979"]);
        assert_eq!(out.inline, ["[1]", "[2]"]);
        assert!(out.references[0]
            .html
            .starts_with("<span class=\"csl-left-margin\">[1]</span>"));

        let nature = Bibliography::parse(BIB, "nature").unwrap();
        let out = nature.format_document(&[vec![cite("smith2013", None), cite("adams1979", None)]]);
        assert_eq!(out.inline, ["<sup>1,2</sup>"]);
    }

    #[test]
    fn escapes_ampersand() {
        let b = bib();
        let out =
            b.format_document(&[vec![cite("smith2013", None)], vec![cite("brown2020", None)]]);
        let smith = out
            .references
            .iter()
            .find(|r| r.key == "smith2013")
            .unwrap();
        assert!(smith.html.contains("Rivers &amp; Lakes"), "{}", smith.html);
        assert!(!smith.html.contains("& "), "{}", smith.html);
        let brown = out
            .references
            .iter()
            .find(|r| r.key == "brown2020")
            .unwrap();
        assert!(brown.html.contains("a=1&amp;b=2"), "{}", brown.html);
        assert!(!brown.html.contains("a=1&b"), "{}", brown.html);
    }

    #[test]
    fn deterministic_and_missing_keys() {
        let b = bib();
        let doc = vec![
            vec![cite("smith2013", Some("12"))],
            vec![cite("adams1979", None), cite("nope", None)],
            vec![cite("nope<", None)],
        ];
        let a = b.format_document(&doc);
        let c = b.format_document(&doc);
        assert_eq!(a.inline, c.inline);
        assert_eq!(a.inline[0], "(Smith and Doe, 2013, p. 12)");
        assert_eq!(a.inline[2], "[?nope&lt;]");
        let ka: Vec<_> = a.references.iter().map(|r| (&r.key, &r.html)).collect();
        let kc: Vec<_> = c.references.iter().map(|r| (&r.key, &r.html)).collect();
        assert_eq!(ka, kc);
    }

    #[test]
    fn locator_parsing() {
        let l = |s| {
            parse_locator(s).map(|SpecificLocator(l, p)| {
                (
                    l,
                    match p {
                        LocatorPayload::Str(s) => s.to_string(),
                        _ => String::new(),
                    },
                )
            })
        };
        assert_eq!(l("p. 12"), Some((Locator::Page, "12".into())));
        assert_eq!(l("pp. 3-5"), Some((Locator::Page, "3-5".into())));
        assert_eq!(l("chapter 2"), Some((Locator::Chapter, "2".into())));
        assert_eq!(l("§3"), Some((Locator::Section, "3".into())));
        assert_eq!(l("42"), Some((Locator::Page, "42".into())));
        assert_eq!(l("somewhere"), Some((Locator::Custom, "somewhere".into())));
        assert_eq!(
            l("sub verbo river"),
            Some((Locator::SubVerbo, "river".into()))
        );
        assert_eq!(l("s.v. river"), Some((Locator::SubVerbo, "river".into())));
        assert_eq!(l("Fig. 3b"), Some((Locator::Figure, "3b".into())));
        assert_eq!(l("  "), None);
    }

    #[test]
    fn shared_across_threads() {
        let b = bib();
        let doc = vec![
            vec![cite("smith2013", Some("p. 12"))],
            vec![cite("adams1979", None)],
        ];
        let expected = b.format_document(&doc).inline;
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| b.format_document(&doc).inline))
                .collect();
            for h in handles {
                assert_eq!(h.join().unwrap(), expected);
            }
        });
        assert_eq!(
            b.title_of("smith2013").as_deref(),
            Some("Rivers & Lakes of the North (2013)")
        );
    }
}

pub mod export;
mod links;

/// Bounds on what a bibliography may ask for, checked on the raw text before it is expanded: a
/// few hundred bytes of `@string` macros that each double the last expand to gigabytes, a macro
/// defined through itself recurses without end, very deep braces recurse in the TeX reader, and
/// `crossref` and `xdata` are followed by recursion ([`links`]).
///
/// The text is read with `biblatex`'s own raw parser (the one hayagriva calls), so the macros
/// measured are exactly those that will be expanded, with the same names and the same rule that
/// a later definition replaces an earlier one.
mod limits {
    use std::collections::HashMap;

    use biblatex::{Field, RawBibliography, RawChunk};

    type Span = std::ops::Range<usize>;

    use super::{line_col, links, BibError};

    /// Text that all fields together may expand to, on top of four times the file's own size.
    const MAX_EXPANDED: usize = 16 << 20;
    /// Nesting of braces (an entry and a field value are two levels; real files use a few more).
    const MAX_DEPTH: usize = 64;
    /// Macros defined through macros defined through macros …
    pub(super) const MAX_CHAIN: usize = 64;

    /// The raw bibliography when the limits hold (None when it does not parse: hayagriva then
    /// reports the syntax error), or the located errors.
    pub fn check(src: &str) -> Result<Option<RawBibliography<'_>>, Vec<BibError>> {
        if let Some(e) = control_character(src).or_else(|| too_deep(src)) {
            return Err(vec![e]);
        }
        let Ok(raw) = RawBibliography::parse(src) else {
            return Ok(None);
        };
        let own = own_sizes(src, &raw).map_err(|e| vec![e])?;
        let links = links::graph(src, &raw).map_err(|e| vec![e])?;
        match inherited(src, &raw, &own, &links) {
            Some(e) => Err(vec![e]),
            None => Ok(Some(raw)),
        }
    }

    pub(super) fn error(src: &str, at: usize, message: String, help: &str) -> BibError {
        let (line, column) = line_col(src, at);
        BibError {
            line,
            column,
            message,
            help: Some(help.into()),
        }
    }

    /// The first control character other than tab and line ends: no page, feed or export may
    /// carry one (XML forbids most of them).
    fn control_character(src: &str) -> Option<BibError> {
        let (at, c) = src
            .char_indices()
            .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))?;
        Some(error(
            src,
            at,
            format!(
                "the bibliography holds a control character (U+{:04X})",
                c as u32
            ),
            "remove it: control characters are invisible and break feeds and exports",
        ))
    }

    fn too_deep(src: &str) -> Option<BibError> {
        let mut depth = 0usize;
        let mut bytes = src.bytes().enumerate();
        while let Some((at, b)) = bytes.next() {
            match b {
                b'\\' => {
                    bytes.next();
                }
                b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Some(error(
                            src,
                            at,
                            format!("braces are nested more than {MAX_DEPTH} deep"),
                            "check that every `{` has a matching `}`",
                        ));
                    }
                }
                b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }

    /// What each entry's own fields expand to (by entry index), with each macro measured once.
    fn own_sizes<'s>(src: &str, raw: &'s RawBibliography<'s>) -> Result<Vec<usize>, BibError> {
        let mut sizes = Sizes {
            macros: raw
                .abbreviations
                .iter()
                .map(|p| (p.key.v, &p.value.v))
                .collect(),
            known: HashMap::new(),
        };
        raw.entries
            .iter()
            .map(|e| {
                sizes
                    .entry(&e.v)
                    .map_err(|span| self_reference(src, span.start))
            })
            .collect()
    }

    /// Text copied into each entry is counted once for every way biblatex reaches it: resolving
    /// `crossref` and `xdata` clones each parent along every path, so shared ancestors multiply.
    fn inherited(
        src: &str,
        raw: &RawBibliography<'_>,
        own: &[usize],
        links: &links::Graph,
    ) -> Option<BibError> {
        let limit = MAX_EXPANDED.saturating_add(src.len().saturating_mul(4));
        let mut cost: Vec<Option<usize>> = vec![None; own.len()];
        let mut total = 0usize;
        for (i, e) in raw.entries.iter().enumerate() {
            total = total.saturating_add(links::reach_cost(i, own, links, &mut cost));
            if total > limit {
                return Some(error(
                    src,
                    e.span.start,
                    format!(
                        "the bibliography expands to more than {} MB of text, through `@string` macros or `crossref`",
                        limit >> 20
                    ),
                    "a macro that repeats another multiplies the text: write the value out instead",
                ));
            }
        }
        None
    }

    fn self_reference(src: &str, at: usize) -> BibError {
        error(
            src,
            at,
            format!("this `@string` macro is defined through itself, or through a chain of more than {MAX_CHAIN} macros"),
            "define each macro with text, or with macros defined before it",
        )
    }

    struct Sizes<'s> {
        /// Macro definitions by name; a later definition replaces an earlier one.
        macros: HashMap<&'s str, &'s Field<'s>>,
        /// Expanded sizes measured so far.
        known: HashMap<&'s str, usize>,
    }

    impl<'s> Sizes<'s> {
        /// The expanded size of all of an entry's own fields.
        fn entry(&mut self, e: &'s biblatex::RawEntry<'s>) -> Result<usize, Span> {
            let mut n = 0usize;
            for f in &e.fields {
                n = n.saturating_add(self.field(&f.value.v, 0)?);
            }
            Ok(n)
        }

        /// The expanded size of a field, or the span of a macro use that recurses too deep.
        fn field(&mut self, field: &'s Field<'s>, depth: usize) -> Result<usize, Span> {
            let mut n = 0usize;
            for chunk in field {
                let size = match chunk.v {
                    RawChunk::Normal(s) => s.len(),
                    RawChunk::Abbreviation(name) => self.abbreviation(name, &chunk.span, depth)?,
                };
                n = n.saturating_add(size);
            }
            Ok(n)
        }

        fn abbreviation(
            &mut self,
            name: &'s str,
            span: &Span,
            depth: usize,
        ) -> Result<usize, Span> {
            if let Some(&n) = self.known.get(name) {
                return Ok(n);
            }
            // An undefined name is a month (`jan`) or an error biblatex reports.
            let Some(&definition) = self.macros.get(name) else {
                return Ok(name.len().max(9));
            };
            if depth >= MAX_CHAIN {
                return Err(span.clone());
            }
            let n = self.field(definition, depth + 1)?;
            self.known.insert(name, n);
            Ok(n)
        }
    }
}
