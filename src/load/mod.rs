//! Stage 1, load: walk `content/`, split each file, and parse its front matter into typed structs.
//!
//! Loading never stops at the first bad file: every file is read (in parallel) and every problem is
//! returned as a located [`Diagnostic`]. What loads cleanly is kept, so later stages can still report
//! their own problems in the same run.
//!
//! [`load`] does this:
//!
//! 1. list `content/<folder>/*.md` for every kind in the registry, under the input policy
//!    ([`crate::paths`]), with a problem for each file that does not belong;
//! 2. read each file in parallel ([`load_file`]): refuse bad characters, split the front matter,
//!    parse it into the kind's type from [`crate::model`], and keep the body's outline (headings,
//!    `@` mentions, and the [`BodyFacts`] the accessibility statement lists) and either its text
//!    or only its hash (`Bodies::Release`);
//! 3. add each document to [`Content`] by kind, remembering the ids of files that failed so that
//!    references to them are not reported twice;
//! 4. add a generated accessibility statement if the site has none;
//! 5. read `content/glossary.yaml` and the bibliography that `site.yaml` names.

mod facts;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::config::SiteConfig;
use crate::diagnostics::{suggestion, Diagnostic};
use crate::model::{
    self, Cmo, CmoMarker, Entity, FreePage, GlossaryEntry, IdFrom, Kind, ParseAs, Report, Store,
};
use crate::paths;
use crate::text::{chars, frontmatter, utf8_position, yaml};
pub use facts::BodyFacts;

/// One content file: its id, where it came from, its typed metadata and its Markdown body.
#[derive(Debug, Clone)]
pub struct Document<T> {
    pub id: String,
    /// Project-relative path, used in diagnostics.
    pub path: PathBuf,
    pub meta: T,
    pub body: Body,
    /// What the site model needs from the body, taken when the file is read.
    pub outline: Outline,
    /// The file line on which the body starts.
    pub body_line: usize,
    /// The raw front matter, to locate values in later diagnostics.
    pub front_matter: FrontMatter,
    pub yaml_line: usize,
}

/// Whether `load` keeps the Markdown bodies it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bodies {
    /// Keep each body's text (`serve`, which compares a changed body with the old one).
    Keep,
    /// Keep only each body's outline and hash; the page reads its text again when it is rendered.
    /// A 10,000-report site would otherwise hold 80 MB of Markdown from load to the end of render.
    Release,
}

/// A document's Markdown body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Text(String),
    /// Released after load ([`Bodies::Release`]): the hash of the text, to notice a file that
    /// changed between load and render.
    Released {
        hash: u64,
    },
}

impl Body {
    fn new(text: &str, bodies: Bodies) -> Body {
        match bodies {
            Bodies::Keep => Body::Text(text.to_string()),
            Bodies::Release => Body::Released {
                hash: body_hash(text),
            },
        }
    }

    /// The text, if it was kept.
    pub fn text(&self) -> Option<&str> {
        match self {
            Body::Text(t) => Some(t),
            Body::Released { .. } => None,
        }
    }
}

fn body_hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// What resolve needs from a Markdown body: its headings and its `@kind/id` mentions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outline {
    /// (anchor, text) of each ATX heading, so evidence can name the section it cites.
    pub headings: Vec<(String, String)>,
    /// Cross-references written as `](@kind/id…)`, which become "mentions" backlinks.
    pub mentions: Vec<model::Ref>,
    /// Tables, images without alternative text and other websites, for the accessibility
    /// statement, which cannot read the other pages' bodies when it is rendered.
    pub facts: BodyFacts,
}

impl Outline {
    /// A light scan of the Markdown (ATX headings and `](@` links only), without a full parse.
    pub fn of(body: &str) -> Outline {
        let mut headings = Vec::new();
        for line in body.lines().filter(|l| l.starts_with('#')) {
            let text = line.trim_start_matches('#').trim();
            let (text, anchor) = match text.rfind("{#") {
                Some(i) if text.ends_with('}') => {
                    (text[..i].trim(), text[i + 2..text.len() - 1].to_string())
                }
                _ => (text, crate::text::slug::slugify(text)),
            };
            headings.push((anchor, text.to_string()));
        }
        let mut mentions = Vec::new();
        let mut rest = body;
        while let Some(i) = rest.find("](@") {
            rest = &rest[i + 3..];
            let end = rest
                .find(|c: char| c == ')' || c.is_whitespace())
                .unwrap_or(rest.len());
            if let Ok(r) = model::Ref::parse(&rest[..end]) {
                mentions.push(r);
            }
        }
        Outline {
            headings,
            mentions,
            facts: BodyFacts::of(body),
        }
    }
}

/// Reads a released body again: the file's text after its front matter, as at load.
/// Fails if the file cannot be read or no longer has the body that was loaded.
pub fn reread_body(root: &Path, rel: &Path, body: &Body) -> Result<String, Diagnostic> {
    let Body::Released { hash } = body else {
        return Ok(body.text().unwrap_or_default().to_string());
    };
    let text = read_text(root, rel)?;
    let split = frontmatter::split(&text).ok();
    match split {
        Some(s) if body_hash(s.body) == *hash => Ok(s.body.to_string()),
        _ => Err(
            Diagnostic::error(rel, 0, 0, "the file changed while the site was being built")
                .with_help("build again"),
        ),
    }
}

/// A document's raw front matter, used only to point diagnostics at a line and column.
///
/// With [`Bodies::Release`] it is not kept after parsing (at 10,000 reports it would be 40 MB held
/// for the rare build that has something to report); the first diagnostic that needs it reads the
/// file again and keeps the text from then on.
#[derive(Debug, Clone)]
pub struct FrontMatter {
    text: std::sync::OnceLock<String>,
    /// The site root and the project-relative file to read it from again, when it was released.
    file: Option<std::sync::Arc<(PathBuf, PathBuf)>>,
}

impl FrontMatter {
    pub fn kept(text: String) -> FrontMatter {
        FrontMatter {
            text: text.into(),
            file: None,
        }
    }

    fn released(root: &Path, rel: &Path) -> FrontMatter {
        FrontMatter {
            text: std::sync::OnceLock::new(),
            file: Some((root.to_path_buf(), rel.to_path_buf()).into()),
        }
    }

    /// The text (read again from the file if it was released; empty if that fails).
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            // The same reading as at load (`read_text`: BOM and CRLF removed, the same policy).
            self.file
                .as_ref()
                .and_then(|f| read_text(&f.0, &f.1).ok())
                .and_then(|text| frontmatter::split(&text).ok().map(|s| s.yaml.to_string()))
                .unwrap_or_default()
        })
    }
}

impl<T> Document<T> {
    pub fn locator(&self) -> yaml::Locator<'_> {
        yaml::Locator::new(self.front_matter.text(), self.yaml_line)
    }

    /// A located error at the first occurrence of `needle` in the front matter (after `within`).
    pub fn error_at(
        &self,
        needle: &str,
        within: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, col) = self.locator().locate(needle, within);
        Diagnostic::error(&self.path, line, col, message)
    }

    /// A located error at `needle` inside the value of `field` (after `within`): the same text
    /// written in an earlier field (`study: study/s` above `areas: [study/s]`) is not the mistake.
    /// `field` may be a path (`chain.refines`): its last key is looked for.
    pub fn error_in_field(
        &self,
        needle: &str,
        field: &str,
        within: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let locator = self.locator();
        let key = field.rsplit('.').next().unwrap_or(field);
        let from = within.and_then(|w| locator.find_offset(w, 0)).unwrap_or(0);
        let (line, col) = locator
            .find_key_after(key, from)
            .and_then(|(line, _)| {
                let start = locator.line_offset((line + 1).saturating_sub(self.yaml_line));
                locator.find_after(needle, start)
            })
            .unwrap_or_else(|| locator.locate(needle, within));
        Diagnostic::error(&self.path, line, col, message)
    }
}

/// Everything read from a site's files, before any cross-file checks.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// The site root the files were read from (released bodies are read again from there).
    pub root: PathBuf,
    pub reports: Vec<Document<Report>>,
    pub cmos: Vec<Document<Cmo>>,
    /// The documents of every kind kept as [`Store::Entities`], by kind (`Kind as usize`); read
    /// them with [`Content::entities`].
    pub entities: Vec<Vec<Document<Entity>>>,
    pub glossary: Vec<GlossaryEntry>,
    pub glossary_text: String,
    /// The bibliography file's project-relative path and text, if site.yaml names one.
    pub bibliography: Option<(PathBuf, String)>,
    /// Entities whose file exists but failed to load (already reported): references to them are
    /// not reported again as dangling.
    pub failed: Vec<(Kind, String)>,
}

/// What every document has, whatever its kind: for the loops that treat every kind alike.
#[derive(Debug, Clone, Copy)]
pub struct DocHead<'a> {
    pub id: &'a str,
    pub path: &'a Path,
    /// The front matter (`serve` compares its text to tell what changed). Its text is read only
    /// when asked for: a released one is read from the file again.
    pub front_matter: &'a FrontMatter,
    pub yaml_line: usize,
    pub body: &'a Body,
    pub body_line: usize,
    pub outline: &'a Outline,
}

impl<T> Document<T> {
    pub fn head(&self) -> DocHead<'_> {
        DocHead {
            id: &self.id,
            path: &self.path,
            front_matter: &self.front_matter,
            yaml_line: self.yaml_line,
            body: &self.body,
            body_line: self.body_line,
            outline: &self.outline,
        }
    }
}

impl Content {
    /// The documents of a kind kept as [`Store::Entities`] (empty for any other kind).
    pub fn entities(&self, kind: Kind) -> &[Document<Entity>] {
        self.entities.get(kind as usize).map_or(&[], Vec::as_slice)
    }

    /// The documents of `kind`, to add to or sort.
    pub fn entities_mut(&mut self, kind: Kind) -> &mut Vec<Document<Entity>> {
        if self.entities.len() < Kind::COUNT {
            self.entities.resize_with(Kind::COUNT, Vec::new);
        }
        &mut self.entities[kind as usize]
    }

    /// The file documents of any kind (CMOs: their files only, not those inline in reports).
    pub fn heads(&self, kind: Kind) -> Vec<DocHead<'_>> {
        match kind.info().store {
            Store::Reports => self.reports.iter().map(Document::head).collect(),
            Store::Cmos => self.cmos.iter().map(Document::head).collect(),
            Store::Entities | Store::Derived => {
                self.entities(kind).iter().map(Document::head).collect()
            }
        }
    }

    /// Adds a loaded document to its kind's list.
    pub fn add(&mut self, loaded: Loaded) {
        match loaded {
            Loaded::Report(d) => self.reports.push(d),
            Loaded::Cmo(d) => self.cmos.push(d),
            Loaded::Entity(d) => self.entities_mut(d.meta.kind()).push(d),
            Loaded::Nothing => {}
        }
    }

    /// The document read from the file `rel`, whatever its kind.
    pub fn find(&self, rel: &Path) -> Option<DocHead<'_>> {
        let reports = self.reports.iter().map(Document::head);
        let cmos = self.cmos.iter().map(Document::head);
        let entities = self.entities.iter().flatten().map(Document::head);
        reports.chain(cmos).chain(entities).find(|d| d.path == rel)
    }

    /// Puts `loaded`, read again from the file `rel`, in place of that file's document (or adds
    /// it, if the file is new).
    pub fn replace(&mut self, rel: &Path, loaded: Loaded) {
        fn put<T>(docs: &mut Vec<Document<T>>, rel: &Path, d: Document<T>) {
            match docs.iter().position(|d| d.path == rel) {
                Some(i) => docs[i] = d,
                None => docs.push(d),
            }
        }
        match loaded {
            Loaded::Report(d) => put(&mut self.reports, rel, d),
            Loaded::Cmo(d) => put(&mut self.cmos, rel, d),
            Loaded::Entity(d) => put(self.entities_mut(d.meta.kind()), rel, d),
            Loaded::Nothing => {}
        }
    }

    /// Gives the document of the file `rel` the Markdown body `body`.
    pub fn set_body(&mut self, rel: &Path, body: &str) {
        fn set<T>(docs: &mut [Document<T>], rel: &Path, body: &str) -> bool {
            let doc = docs.iter_mut().find(|d| d.path == rel);
            doc.map(|d| d.body = Body::Text(body.to_string())).is_some()
        }
        let _ = set(&mut self.reports, rel, body)
            || set(&mut self.cmos, rel, body)
            || self.entities.iter_mut().any(|docs| set(docs, rel, body));
    }
}

impl Loaded {
    /// What every document has, or None for [`Loaded::Nothing`].
    pub fn head(&self) -> Option<DocHead<'_>> {
        match self {
            Loaded::Report(d) => Some(d.head()),
            Loaded::Cmo(d) => Some(d.head()),
            Loaded::Entity(d) => Some(d.head()),
            Loaded::Nothing => None,
        }
    }
}

/// The kinds whose entities are files under `content/` (themes: their syntheses), with their
/// folders.
fn content_folders() -> impl Iterator<Item = (&'static str, Kind)> {
    Kind::ALL.into_iter().map(|k| (k.folder(), k))
}

/// Reads the whole `content/` folder of the site at `root`.
pub fn load(root: &Path, config: &SiteConfig, bodies: Bodies) -> (Content, Vec<Diagnostic>) {
    let (files, mut problems) = discover(root);
    let loaded: Vec<(Loaded, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|(kind, rel)| load_file(root, *kind, rel, bodies))
        .collect();
    let mut content = Content {
        root: root.to_path_buf(),
        ..Content::default()
    };
    for ((kind, rel), (doc, diags)) in files.iter().zip(loaded) {
        problems.extend(diags);
        // An entity whose file does not load is still known, by the id its file name gives it
        // (a CMO's own `id:` is usually its file name too), so that references to it are not
        // reported as dangling on top of the file's own problem.
        if matches!(doc, Loaded::Nothing) {
            if let Some(stem) = rel.file_stem() {
                content
                    .failed
                    .push((*kind, stem.to_string_lossy().into_owned()));
            }
        }
        content.add(doc);
    }
    if !content
        .entities(Kind::Page)
        .iter()
        .any(|p| p.id == "accessibility")
    {
        content.add(Loaded::Entity(default_accessibility_statement(config)));
    }
    load_glossary(root, &mut content, &mut problems);
    load_bibliography(root, config, &mut content, &mut problems);
    (content, problems)
}

/// Lists content files by kind, in a stable order, with problems for files that do not belong.
fn discover(root: &Path) -> (Vec<(Kind, PathBuf)>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    if !root.join("content").is_dir() {
        let problem = if paths::exists(root, Path::new("content")) {
            paths::not_a_folder(Path::new("content"))
        } else {
            Diagnostic::error("content", 0, 0, "the site has no content/ folder")
                .with_help("create content/ with reports/, tracers/, areas/ … (see `realist init`)")
        };
        return (files, vec![problem]);
    }
    let walk = paths::walk(root, Path::new("content"));
    let mut problems = walk.problems;
    for folder in &walk.folders {
        if folder.extension().is_some_and(|e| e == "md") {
            problems.push(
                Diagnostic::error(folder, 0, 0, "a folder, where a Markdown file is expected")
                    .with_help("content files are `.md` files; rename or remove the folder"),
            );
        }
    }
    for rel in &walk.files {
        if let Some(file) = classify(rel, &mut problems) {
            files.push(file);
        }
    }
    (files, problems)
}

/// Decides which kind a file under `content/` is, or reports why it is not content.
fn classify(rel: &Path, problems: &mut Vec<Diagnostic>) -> Option<(Kind, PathBuf)> {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let name = parts.last()?.clone();
    if name.starts_with('.') {
        return None;
    }
    if parts.len() == 2 && content_folders().any(|(f, _)| f == name) {
        problems.push(paths::not_a_folder(rel));
        return None;
    }
    if parts.len() == 2 {
        // Top-level files of content/: the glossary and bibliography are read separately.
        let known = ["glossary.yaml", "references.bib"];
        if !known.contains(&name.as_str()) && !name.ends_with(".bib") {
            problems.push(Diagnostic::warning(rel, 0, 0, "file ignored: content/ holds only folders of Markdown, glossary.yaml and .bib files"));
        }
        return None;
    }
    let folder = parts[1].as_str();
    let Some(kind) = Kind::from_folder(folder) else {
        problems.push(
            Diagnostic::warning(
                rel,
                0,
                0,
                format!("file ignored: `content/{folder}/` is not a content folder"),
            )
            .with_help_opt(
                suggestion(folder, content_folders().map(|(f, _)| f)).or_else(|| {
                    let folders: Vec<&str> = content_folders().map(|(f, _)| f).collect();
                    Some(format!("content folders are: {}", folders.join(", ")))
                }),
            ),
        );
        return None;
    };
    if !name.ends_with(".md") {
        // An image beside the Markdown files: a page that shows it copies it (markdown/images.rs).
        if paths::is_image(rel) {
            return None;
        }
        problems.push(
            Diagnostic::warning(rel, 0, 0, "file ignored: only `.md` files are content")
                .with_help("put images and downloads in static/"),
        );
        return None;
    }
    if parts.len() > 3 {
        problems.push(Diagnostic::warning(
            rel,
            0,
            0,
            format!("file ignored: content/{folder}/ has no sub-folders"),
        ));
        return None;
    }
    Some((kind, rel.to_path_buf()))
}

/// One parsed content file, by where it is kept (`Nothing` when it could not be parsed).
// A report's front matter is the largest variant; each value is moved once, from the loader into
// the content, so boxing it would add an allocation per file and save no copying that counts.
#[allow(clippy::large_enum_variant)]
pub enum Loaded {
    Report(Document<Report>),
    Cmo(Document<Cmo>),
    Entity(Document<Entity>),
    Nothing,
}

/// Reads and parses one content file of `kind` (used by `serve` to re-read only what changed).
pub fn load_file(root: &Path, kind: Kind, rel: &Path, bodies: Bodies) -> (Loaded, Vec<Diagnostic>) {
    let raw = match read_text(root, rel) {
        Ok(t) => t,
        Err(d) => return (Loaded::Nothing, vec![d]),
    };
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut problems = Vec::new();
    if kind.info().id_from == IdFrom::FileName && !model::is_valid_id(&stem) {
        problems.push(
            Diagnostic::error(rel, 0, 0, format!("file name `{stem}` is not a valid id"))
                .with_help(format!(
                    "rename the file to `{}.md`: lower-case letters, digits and `-`",
                    slugify_id(&stem)
                )),
        );
        return (Loaded::Nothing, problems);
    }
    let parser = Parser {
        root,
        rel,
        id: &stem,
        text: &raw,
        bodies,
        problems: &mut problems,
    };
    let loaded = match kind.info().store {
        Store::Reports => parser.parse::<Report>().map(|mut d| {
            d.meta.shrink_to_fit();
            Loaded::Report(d)
        }),
        Store::Cmos => parser.parse::<Cmo>().map(|d| cmo_file(d, &mut problems)),
        Store::Entities | Store::Derived => {
            Entity::parse(kind, parser).flatten().map(Loaded::Entity)
        }
    };
    (loaded.unwrap_or(Loaded::Nothing), problems)
}

/// A standalone CMO file: its id is its `id:`, and it says `type: cmo`.
fn cmo_file(mut d: Document<Cmo>, problems: &mut Vec<Diagnostic>) -> Loaded {
    d.meta.shrink_to_fit();
    d.id = d.meta.id.clone();
    if d.meta.marker != Some(CmoMarker::Cmo) {
        problems.push(
            Diagnostic::error(
                &d.path,
                d.yaml_line,
                1,
                "a standalone CMO file needs `type: cmo`",
            )
            .with_help("add `type: cmo` to the front matter"),
        );
    }
    Loaded::Cmo(d)
}

/// One file's text, ready to parse as the front matter of whatever kind it is.
struct Parser<'a> {
    root: &'a Path,
    rel: &'a Path,
    id: &'a str,
    text: &'a str,
    bodies: Bodies,
    problems: &'a mut Vec<Diagnostic>,
}

impl ParseAs for Parser<'_> {
    type Doc<T> = Document<T>;

    fn parse<T: DeserializeOwned + schemars::JsonSchema>(self) -> Option<Document<T>> {
        parse_document(
            self.root,
            self.rel,
            self.id,
            self.text,
            self.bodies,
            self.problems,
        )
    }

    fn map<T, U>(doc: Document<T>, f: impl FnOnce(T) -> U) -> Document<U> {
        Document {
            id: doc.id,
            path: doc.path,
            meta: f(doc.meta),
            body: doc.body,
            outline: doc.outline,
            body_line: doc.body_line,
            front_matter: doc.front_matter,
            yaml_line: doc.yaml_line,
        }
    }
}

/// Reads a file as UTF-8 text with BOM and CRLF removed; invalid UTF-8 is located.
pub fn read_text(root: &Path, rel: &Path) -> Result<String, Diagnostic> {
    let bytes = paths::read(root, rel)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(frontmatter::normalise_text(&text).into_owned()),
        Err(e) => {
            let (line, col) = utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
            Err(Diagnostic::error(rel, line, col, "the file is not valid UTF-8")
                .with_help("save the file with UTF-8 encoding (most editors offer this under “Save with encoding”)"))
        }
    }
}

fn parse_document<T: DeserializeOwned + schemars::JsonSchema>(
    root: &Path,
    rel: &Path,
    id: &str,
    text: &str,
    bodies: Bodies,
    problems: &mut Vec<Diagnostic>,
) -> Option<Document<T>> {
    let split = match frontmatter::split(text) {
        Ok(s) => s,
        Err(e) => {
            let (message, help) = e.message();
            problems.push(Diagnostic::error(rel, 1, 1, message).with_help(help));
            return None;
        }
    };
    // A refused character in the body would reach pages, the table of contents, `atom.xml`, the
    // exports and the search index as it is; the file is not loaded, as for a front-matter error.
    let body_problems = check_body(rel, split.body, split.body_line);
    let body_refused = !body_problems.is_empty();
    match yaml::from_str_all::<T>(split.yaml, model::check_format) {
        Ok(_) if body_refused => {
            problems.extend(body_problems);
            None
        }
        Ok(meta) => Some(Document {
            id: id.to_string(),
            path: rel.to_path_buf(),
            meta,
            body: Body::new(split.body, bodies),
            outline: Outline::of(split.body),
            body_line: split.body_line,
            front_matter: match bodies {
                Bodies::Keep => FrontMatter::kept(split.yaml.to_string()),
                Bodies::Release => FrontMatter::released(root, rel),
            },
            yaml_line: split.yaml_line,
        }),
        Err(errors) => {
            problems.extend(errors.into_iter().map(|e| {
                Diagnostic::error(rel, split.yaml_line + e.line - 1, e.column, e.message)
                    .with_help_opt(e.help)
            }));
            problems.extend(body_problems);
            None
        }
    }
}

/// How many refused characters of one body are located; the rest are counted in one more error,
/// so that a file pasted from a terminal log does not bury every other diagnostic.
const REFUSED_SHOWN: usize = 10;

/// A located error for each character of the Markdown `body` that [`chars`] refuses (tab and line
/// breaks are allowed); `body_line` is the file line on which the body starts.
fn check_body(rel: &Path, body: &str, body_line: usize) -> Vec<Diagnostic> {
    let mut found = chars::refused_in_text(body);
    let mut position = Position::new(body, body_line);
    let mut problems = Vec::new();
    for (at, c, kind) in found.by_ref().take(REFUSED_SHOWN) {
        let (line, column) = position.of(at);
        let message = format!(
            "{kind} is not allowed in Markdown text (U+{:04X})",
            c as u32
        );
        problems.push(Diagnostic::error(rel, line, column, message).with_help(
            "remove it (most editors do not show it): pages, feeds and exports cannot carry control characters, noncharacters or bidirectional overrides",
        ));
    }
    if let Some((at, _, _)) = found.next() {
        let more = 1 + found.count();
        let (line, column) = position.of(at);
        let message = format!("{more} more such characters in this file, the next one here");
        problems.push(Diagnostic::error(rel, line, column, message));
    }
    problems
}

/// File positions of increasing byte offsets in a body, counting its lines only once.
struct Position<'a> {
    body: &'a str,
    /// Where the last counted line starts, and its file line.
    line_start: usize,
    line: usize,
}

impl<'a> Position<'a> {
    fn new(body: &'a str, body_line: usize) -> Self {
        Position {
            body,
            line_start: 0,
            line: body_line,
        }
    }

    /// The 1-based file line and column (in characters) of byte `at`, at or after the last one.
    fn of(&mut self, at: usize) -> (usize, usize) {
        let counted = &self.body.as_bytes()[self.line_start..at];
        if let Some(last) = memchr::memrchr(b'\n', counted) {
            self.line += memchr::memchr_iter(b'\n', counted).count();
            self.line_start += last + 1;
        }
        let column = self.body[self.line_start..at].chars().count() + 1;
        (self.line, column)
    }
}

/// Every page footer links to the accessibility statement, which UK public-sector sites must publish.
/// A site that has not written its own gets this generic one, naming the contact from site.yaml.
fn default_accessibility_statement(config: &SiteConfig) -> Document<Entity> {
    use crate::text::escape::escape_text_for_markdown as escape;
    // The contact is an email address (config.rs checks it), so it is safe in the link's target.
    let contact = match &config.accessibility_contact {
        Some(c) => format!("email [{}](mailto:{c})", escape(c)),
        None => "contact the research team".to_string(),
    };
    let body = format!(
        "This statement applies to {}.\n\n## How accessible this site is {{#how-accessible}}\n\n\
The site aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. Every page can be used with a keyboard, \
works from 320 pixels wide, and does not depend on JavaScript.\n\n## Non-accessible content {{#non-accessible-content}}\n\n\
<!-- realist:nonconformities -->\n\n\
## Content outside the scope of the regulations {{#out-of-scope}}\n\n<!-- realist:out-of-scope -->\n\n\
## Reporting problems {{#reporting-problems}}\n\n\
If you find a problem or need information in another format, {contact}.\n\n## Enforcement procedure {{#enforcement}}\n\n\
The Equality and Human Rights Commission (EHRC) enforces the Public Sector Bodies (Websites and Mobile Applications) \
(No. 2) Accessibility Regulations 2018. If you are not happy with how we respond to your complaint, contact the \
Equality Advisory and Support Service (EASS).\n",
        escape(&config.title)
    );
    Document {
        id: "accessibility".into(),
        path: PathBuf::from("content/pages/accessibility.md"),
        meta: Entity::Page(FreePage {
            title: "Accessibility statement".into(),
            editorial: None,
        }),
        outline: Outline::of(&body),
        body: Body::Text(body),
        body_line: 1,
        front_matter: FrontMatter::kept(String::new()),
        yaml_line: 1,
    }
}

fn slugify_id(stem: &str) -> String {
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn load_glossary(root: &Path, content: &mut Content, problems: &mut Vec<Diagnostic>) {
    let rel = Path::new("content/glossary.yaml");
    if !paths::exists(root, rel) {
        return;
    }
    let text = match read_text(root, rel) {
        Ok(t) => t,
        Err(d) => return problems.push(d),
    };
    match yaml::from_str_all::<Vec<GlossaryEntry>>(&text, model::check_format) {
        Ok(entries) => {
            problems.extend(duplicate_terms(rel, &entries, &text));
            content.glossary = entries;
            content.glossary_text = text;
        }
        Err(errors) => problems.extend(
            errors
                .into_iter()
                .map(|e| Diagnostic::error(rel, e.line, e.column, e.message).with_help_opt(e.help)),
        ),
    }
}

/// An error at each glossary term given again, at that term's own `term:` value (a search of
/// the text would find the term in an earlier `see_also` or definition first).
fn duplicate_terms(rel: &Path, entries: &[GlossaryEntry], text: &str) -> Vec<Diagnostic> {
    let mut seen = std::collections::HashSet::new();
    if entries.iter().all(|e| seen.insert(e.term.as_str())) {
        return Vec::new();
    }
    // Term → the line of its first definition, named in the help so both can be compared.
    let mut first = std::collections::HashMap::new();
    let terms = yaml::values_of_key(text, "term");
    let mut problems = Vec::new();
    for (term, line, column) in terms {
        if let Some(first_line) = first.get(&term) {
            let message = format!("glossary term `{term}` is defined twice");
            let help = format!("it is first defined on line {first_line}: merge the two entries");
            problems.push(Diagnostic::error(rel, line, column, message).with_help(help));
        } else {
            first.insert(term, line);
        }
    }
    problems
}

fn load_bibliography(
    root: &Path,
    config: &SiteConfig,
    content: &mut Content,
    problems: &mut Vec<Diagnostic>,
) {
    let Some(rel) = &config.bibliography else {
        return;
    };
    match read_text(root, rel) {
        Ok(text) => content.bibliography = Some((rel.clone(), text)),
        Err(d) => problems.push(
            d.with_help("site.yaml names this file as `bibliography`; create it or fix the path"),
        ),
    }
}

impl<T> Document<T> {
    /// A located error at `key:` in the front matter (after `within`), or at its first line.
    pub fn error_at_key(
        &self,
        key: &str,
        within: Option<&str>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let locator = self.locator();
        let from = within.and_then(|w| locator.find_offset(w, 0)).unwrap_or(0);
        let (line, col) = locator
            .find_key_after(key, from)
            .or_else(|| within.and_then(|w| locator.find_after(w, 0)))
            .unwrap_or((self.yaml_line, 1));
        Diagnostic::error(&self.path, line, col, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_released_body_is_read_again_and_a_changed_file_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let rel = Path::new("content/pages/about.md");
        std::fs::create_dir_all(dir.path().join("content/pages")).unwrap();
        let text = "---\ntitle: About\n---\n# Who we are {#who}\n\nSee [x](@tracer/dementia).\n";
        std::fs::write(dir.path().join(rel), text).unwrap();
        let (loaded, problems) = load_file(dir.path(), Kind::Page, rel, Bodies::Release);
        assert!(problems.is_empty(), "{problems:?}");
        let Loaded::Entity(doc) = loaded else {
            panic!("not loaded")
        };
        assert_eq!(doc.body.text(), None);
        assert_eq!(
            doc.outline.headings,
            vec![("who".into(), "Who we are".into())]
        );
        assert_eq!(doc.outline.mentions[0].to_string(), "tracer/dementia");
        let body = reread_body(dir.path(), rel, &doc.body).unwrap();
        assert!(body.starts_with("# Who we are"), "{body}");
        std::fs::write(dir.path().join(rel), text.replace("Who", "Why")).unwrap();
        let err = reread_body(dir.path(), rel, &doc.body).unwrap_err();
        assert!(err.message.contains("changed while"), "{}", err.message);
    }

    #[test]
    fn refused_characters_in_a_body_are_located_and_capped() {
        let rel = Path::new("content/pages/p.md");
        let body = "a\u{1b}\n\tb\u{202e}é\u{fffe}\n";
        let found: Vec<_> = check_body(rel, body, 4)
            .iter()
            .map(|d| (d.line, d.column))
            .collect();
        assert_eq!(found, [(4, 2), (5, 3), (5, 5)]);
        let many = check_body(rel, &"x\u{7}\n".repeat(25), 1);
        assert_eq!(many.len(), REFUSED_SHOWN + 1);
        assert_eq!((many[10].line, many[10].column), (11, 2));
        assert!(
            many[10].message.starts_with("15 more"),
            "{}",
            many[10].message
        );
    }
}
