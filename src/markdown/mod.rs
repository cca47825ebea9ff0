//! Markdown to HTML for every body on the site, through pulldown-cmark.
//!
//! On top of CommonMark this stage owns: stable heading ids (explicit `{#id}` wins, and none takes
//! an id of the page's template), the table of contents, `@kind/id` cross-references and relative
//! `.md` links, Pandoc-style citations, glossary `<abbr>` on first use, syntect highlighting,
//! footnotes listed at the end ([`footnotes`]), images kept beside the Markdown file ([`images`]),
//! task-list marks for screen readers, tables wrapped in a named, focusable scroll region (so a
//! wide table never makes the page scroll sideways), warnings for Quarto habits ([`quarto`]), and a static
//! accessibility lint (image alt text, heading levels). It reports problems with file lines, and
//! never fails: a broken link renders as plain text and a diagnostic.
//!
//! [`render`] does this for one body:
//!
//! 1. find citations (`[@key]`, `@key`) and hand them to the resolver to format, as one document;
//! 2. run pulldown-cmark, passing each event through one handler per kind of event: headings get
//!    their ids, links and images are resolved and checked, code is highlighted, raw HTML becomes
//!    text, glossary terms are marked up in text;
//! 3. hold footnote definitions back, and write them after the last event of the body;
//! 4. write the HTML, and return it with the table of contents, the links to check, the images
//!    to copy beside the page and the problems found.

mod footnotes;
pub mod highlight;
pub(crate) mod image_check;
mod images;
mod quarto;

use std::collections::{HashSet, VecDeque};
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::cite::CiteItem;
use crate::model::Ref;
use crate::text::escape::{escape_attr, escape_text};
use crate::text::slug;
use crate::url::{links, relative};

/// A link on a page that an author wrote (in Markdown or front matter), with where it was written,
/// so a broken one is reported at its source rather than at the template that printed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLink {
    pub href: String,
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// Ids the page templates use; headings and footnotes never take them.
pub const RESERVED_IDS: [&str; 18] = [
    "main",
    "top",
    "page-title",
    "key-points",
    "plain-summary",
    "abstract",
    "contents",
    "metadata",
    "report-cmos",
    "cmo-list",
    // The caption of the CMO table (`macros.html`), which labels the table's scroll region.
    "cmo-list-caption",
    "references",
    "cite-this",
    "linked-from",
    "footnotes",
    "search",
    // The RAMESES II checklist of a realist report (`rameses.html`) and its table's caption.
    "reporting-checklist",
    "reporting-checklist-caption",
];

/// Ids the CMO page's template uses around a standalone CMO's body, reserved on that page only
/// (a report's heading "Evidence" keeps the id `evidence` that links to it may cite).
const CMO_PAGE_IDS: [&str; 8] = [
    "context",
    "mechanism",
    "outcome",
    "evidence",
    "confidence",
    "chain",
    "chain-in",
    "chain-out",
];

/// The ids headings and footnotes may not take on the page of the body at `path`: the
/// templates' ([`RESERVED_IDS`], [`CMO_PAGE_IDS`] on CMO pages) and the headings of the "linked
/// from" groups (`linked-<folder>`).
fn reserved_ids(path: &Path) -> slug::IdSet {
    let mut reserved: Vec<String> = RESERVED_IDS.iter().map(|s| s.to_string()).collect();
    let folder = path.parent().and_then(Path::file_name);
    if folder.is_some_and(|f| f == crate::model::Kind::Cmo.folder()) {
        reserved.extend(CMO_PAGE_IDS.iter().map(|s| s.to_string()));
    }
    reserved.extend(
        crate::model::Kind::ALL
            .iter()
            .map(|k| format!("linked-{}", k.folder())),
    );
    let reserved: Vec<&str> = reserved.iter().map(String::as_str).collect();
    slug::IdSet::with_reserved(&reserved)
}

/// What the Markdown renderer needs from the rest of the site.
pub trait Resolver {
    /// The site-relative URL (`tracers/x/`, with `#anchor` if given) of a reference, or (message, help).
    fn resolve(&self, r: &Ref) -> Result<String, (String, Option<String>)>;
    /// The reference for a content file path (`content/tracers/x.md`), if it is one.
    fn content_ref(&self, path: &Path) -> Option<Ref>;
    /// The glossary entry for a term: (expansion, anchor id on the glossary page).
    fn glossary(&self, term: &str) -> Option<(&str, &str)>;
    /// Whether a citation key exists, and a suggestion if not.
    fn has_citation(&self, key: &str) -> Result<(), Option<String>>;
    /// Formats one document's citation clusters: inline HTML per cluster, and the reference list.
    fn format_citations(&self, clusters: &[Vec<CiteItem>]) -> (Vec<String>, Vec<(String, String)>);
    /// Opens an image kept under `content/` (`content/reports/figures/x.png`) under the input
    /// policy: None if there is nothing there, or why it may not be read.
    fn open_asset(&self, path: &Path) -> Result<Option<std::fs::File>, String> {
        let _ = path;
        Err("images beside a Markdown file are not read here".into())
    }
    /// The HTML of a list the site generates, for the placeholder `<!-- realist:NAME -->` on a
    /// line of its own, on a page `depth` folders deep; None if there is no list of that name.
    fn generated(&self, name: &str, depth: usize) -> Option<String> {
        let _ = (name, depth);
        None
    }
}

/// A file the page shows that is copied beside it: its path relative to the page's folder
/// (`figures/logic-model.png`) and the file, opened under the input policy.
#[derive(Debug)]
pub struct Asset {
    pub rel: String,
    pub file: std::fs::File,
    /// The image's site-relative path (`content/reports/figures/x.png`).
    pub source: std::path::PathBuf,
}

/// Where the Markdown comes from and where its HTML will live.
pub struct Source<'a> {
    pub text: &'a str,
    /// Project-relative path of the file, for relative links and diagnostics.
    pub path: &'a Path,
    /// The file line the text starts on.
    pub first_line: usize,
    /// How many folders deep the output page is (`reports/x/` is 2).
    pub depth: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A problem in the Markdown, with its file position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
    pub warning: bool,
}

/// The rendered body.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub problems: Vec<Problem>,
    /// Internal links written in the Markdown: (href as written to the HTML, file line, column).
    pub links: Vec<(String, usize, usize)>,
    /// The formatted reference list: (key, HTML).
    pub references: Vec<(String, String)>,
    pub citation_keys: Vec<String>,
    /// Images beside the Markdown file, to copy beside the page.
    pub assets: Vec<Asset>,
}

const CITE_MARK: char = '\u{E000}';

const REFUSED_HELP: &str = "link to pages with `@kind/id`, to files in static/ with a relative path, and elsewhere with an https:// address";

/// What a link's destination becomes.
enum Target {
    /// The href to write.
    Href(String),
    /// A broken link within the site (reported): a link becomes text, an image keeps its path.
    Broken,
    /// A URL that must never be written (reported): the link or image becomes its text.
    Refused,
}

impl From<Option<String>> for Target {
    fn from(href: Option<String>) -> Target {
        href.map_or(Target::Broken, Target::Href)
    }
}

/// The name in a placeholder comment, `<!-- realist:NAME -->`.
fn placeholder(comment: &str) -> Option<&str> {
    let inner = comment.strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    let name = inner.strip_prefix("realist:")?.trim();
    (!name.is_empty() && !name.contains(char::is_whitespace)).then_some(name)
}

/// Whether a link takes its destination from a reference definition `[label]: url`.
fn by_reference(link_type: LinkType) -> bool {
    matches!(
        link_type,
        LinkType::Reference
            | LinkType::ReferenceUnknown
            | LinkType::Collapsed
            | LinkType::CollapsedUnknown
            | LinkType::Shortcut
            | LinkType::ShortcutUnknown
    )
}

/// Consecutive text events merged into one run, remembering which characters were written with
/// a backslash: such a character (`\@key`, `\[`) is literal and starts no citation.
struct TextRun {
    text: String,
    /// Source offsets where the run starts and ends.
    start: usize,
    end: usize,
    /// Offsets in `text` of the characters written with a backslash, ascending.
    escaped: Vec<usize>,
}

impl TextRun {
    fn new(start: usize) -> Self {
        TextRun {
            text: String::new(),
            start,
            end: start,
            escaped: Vec::new(),
        }
    }

    /// pulldown-cmark gives an escaped character a text event of its own, starting right after
    /// the backslash.
    fn push(&mut self, text: &str, range: std::ops::Range<usize>, source: &str) {
        if range.start > 0 && source.as_bytes().get(range.start - 1) == Some(&b'\\') {
            self.escaped.push(self.text.len());
        }
        self.text.push_str(text);
        self.end = range.end;
    }
}

/// The Markdown extensions every body is read with (pages and PDFs alike).
pub const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_HEADING_ATTRIBUTES)
    .union(Options::ENABLE_DEFINITION_LIST)
    .union(Options::ENABLE_SMART_PUNCTUATION);

/// Renders one Markdown body.
pub fn render(source: &Source, resolver: &dyn Resolver) -> Rendered {
    let options = OPTIONS;
    // CommonMark replaces U+0000 with U+FFFD for security; pulldown-cmark passes it through. One
    // character for one keeps every line and column the same.
    let cleaned;
    let source = if source.text.contains('\0') {
        cleaned = source.text.replace('\0', "\u{FFFD}");
        &Source {
            text: &cleaned,
            ..*source
        }
    } else {
        source
    };
    let mut stream = Stream {
        parser: Parser::new_ext(source.text, options).into_offset_iter(),
        state: State::new(source, resolver),
        pending_text: None,
        queue: Events::new(),
        notes_written: false,
    };
    let mut html = String::with_capacity(source.text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, &mut stream);
    let mut state = stream.state;
    state.check_definitions(stream.parser.reference_definitions());
    state.finish(html)
}

/// Events on their way to the HTML writer.
type Events<'a> = VecDeque<Event<'a>>;

/// The parser's events, as [`State`] changes them, handed to the HTML writer as they are made:
/// a body is never held as a list of events (a large table is several events per cell, and a
/// 4 MB table held that way took the best part of a gigabyte).
struct Stream<'a> {
    parser: pulldown_cmark::OffsetIter<'a>,
    state: State<'a>,
    /// Consecutive text events, merged.
    pending_text: Option<TextRun>,
    /// What `state` made of the last event read, not yet handed on.
    queue: Events<'a>,
    /// Whether the footnotes have been written, after the body.
    notes_written: bool,
}

impl<'a> Iterator for Stream<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.queue.pop_front() {
                // A footnote's definition is held back, to be written at the end.
                match self.state.notes.hold(event) {
                    Some(event) => return Some(event),
                    None => continue,
                }
            }
            // A heading's events stay in `state` until it closes, so one event read may give
            // none to hand on: read on.
            let Some((event, range)) = self.parser.next() else {
                match self.pending_text.take() {
                    Some(run) => self.state.text(&run, &mut self.queue),
                    None if !self.notes_written => {
                        // The footnotes go after the last event of the body.
                        self.notes_written = true;
                        self.state.end_notes(&mut self.queue);
                    }
                    None => return None,
                }
                continue;
            };
            if let Event::Text(t) = &event {
                if self.state.raw_text_depth == 0 {
                    let text = self.state.source.text;
                    self.pending_text
                        .get_or_insert_with(|| TextRun::new(range.start))
                        .push(t, range, text);
                    continue;
                }
            }
            if let Some(run) = self.pending_text.take() {
                self.state.text(&run, &mut self.queue);
            }
            self.state.event(event, range.start, &mut self.queue);
        }
    }
}

struct State<'a> {
    source: &'a Source<'a>,
    resolver: &'a dyn Resolver,
    line_starts: Vec<usize>,
    /// The last position computed: (offset, line index, column).
    last_position: (usize, usize, usize),
    ids: slug::IdSet,
    /// The line of each heading by its id, to name the first when an id is given twice.
    heading_lines: std::collections::HashMap<String, usize>,
    out: Rendered,
    /// Buffered events of the heading being read: (level, explicit id, events, offset).
    heading: Option<(HeadingLevel, Option<String>, Vec<Event<'a>>, usize)>,
    code: Option<(String, String)>,
    /// Inside links, headings or code, text is not decorated with citations or glossary terms.
    raw_text_depth: usize,
    /// Depth of links the renderer turned into plain text (a broken reference).
    dropped_links: Vec<bool>,
    /// Depth of images the renderer left out (a refused URL): their alt text stays as text.
    dropped_images: Vec<bool>,
    glossary_seen: HashSet<String>,
    clusters: Vec<Vec<CiteItem>>,
    last_heading_level: u8,
    image_alt: Option<(String, usize)>,
    /// The raw HTML block being read, and its offset: it is shown as text, never passed through.
    html_block: Option<(String, usize)>,
    notes: footnotes::Notes,
    /// Whether the last event was the end of an image (Quarto puts `{#fig-x}` right after one).
    after_image: bool,
    /// Where each footnote is defined: (label, offset), to locate a note never referred to.
    note_definitions: Vec<(String, usize)>,
    /// The tables of the body so far, and the title of the last heading with how many tables
    /// followed it: a table's scroll region is named after the section it is in.
    tables: usize,
    section: Option<(String, usize)>,
}

impl<'a> State<'a> {
    fn new(source: &'a Source<'a>, resolver: &'a dyn Resolver) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.text.match_indices('\n').map(|(i, _)| i + 1));
        State {
            source,
            resolver,
            line_starts,
            last_position: (0, 0, 1),
            ids: reserved_ids(source.path),
            heading_lines: std::collections::HashMap::new(),
            out: Rendered::default(),
            heading: None,
            code: None,
            raw_text_depth: 0,
            dropped_links: Vec::new(),
            dropped_images: Vec::new(),
            glossary_seen: HashSet::new(),
            clusters: Vec::new(),
            last_heading_level: 1,
            image_alt: None,
            html_block: None,
            notes: footnotes::Notes::default(),
            after_image: false,
            note_definitions: Vec::new(),
            tables: 0,
            section: None,
        }
    }

    /// The file line and column of a byte offset. Positions are asked for in source order, so
    /// the column is counted on from the last one when it is on the same line: a long line with
    /// many links is walked once, not once per link.
    fn position(&mut self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let (last_offset, last_line, last_column) = self.last_position;
        let (from, column) = if last_line == line && (start..=offset).contains(&last_offset) {
            (last_offset, last_column)
        } else {
            (start, 1)
        };
        let column = match self.source.text.get(from..offset) {
            Some(s) => {
                let column = column + s.chars().count();
                self.last_position = (offset, line, column);
                column
            }
            None => 1,
        };
        (self.source.first_line + line - 1, column)
    }

    fn problem(&mut self, offset: usize, message: String, help: Option<String>, warning: bool) {
        let (line, column) = self.position(offset);
        self.out.problems.push(Problem {
            line,
            column,
            message,
            help,
            warning,
        });
    }

    fn push(&mut self, event: Event<'a>, events: &mut Events<'a>) {
        match &mut self.heading {
            Some((_, _, buffered, _)) => buffered.push(event),
            None => events.push_back(event),
        }
    }

    /// Handles one event of the Markdown parser at byte `offset`: one function per kind of event
    /// that realist changes, the rest passed on as it is.
    fn event(&mut self, event: Event<'a>, offset: usize, events: &mut Events<'a>) {
        // Set again by the end of an image, for the text that follows it.
        self.after_image = false;
        match event {
            Event::Start(Tag::Heading {
                level, id, attrs, ..
            }) => {
                // `{#Results Two}` is read as the id `Results` and a stray attribute `Two`.
                if let (Some(id), Some((word, None))) = (&id, attrs.first()) {
                    let message = format!("a heading id cannot contain spaces: `{{#{id} {word}}}` gives the id `{id}` only");
                    let help = format!("join the words with hyphens: `{{#{id}-{word}}}`");
                    self.problem(offset, message, Some(help), true);
                }
                self.raw_text_depth += 1;
                self.heading = Some((level, id.map(|i| i.to_string()), Vec::new(), offset));
            }
            Event::End(TagEnd::Heading(_)) => {
                self.raw_text_depth -= 1;
                self.close_heading(events);
            }
            Event::Start(Tag::CodeBlock(kind)) => self.start_code(kind, offset),
            Event::Text(t) if self.code.is_some() => {
                if let Some((_, code)) = &mut self.code {
                    code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => self.end_code(events),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => self.start_link(link_type, dest_url, (title, id), offset, events),
            Event::End(TagEnd::Link) => {
                self.raw_text_depth -= 1;
                if !self.dropped_links.pop().unwrap_or(false) {
                    self.push(Event::End(TagEnd::Link), events);
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => self.start_image(link_type, dest_url, (title, id), offset, events),
            Event::End(TagEnd::Image) => self.end_image(events),
            Event::Start(Tag::HtmlBlock) => self.html_block = Some((String::new(), offset)),
            Event::Html(html) if self.html_block.is_some() => {
                if let Some((block, _)) = &mut self.html_block {
                    block.push_str(&html);
                }
            }
            Event::End(TagEnd::HtmlBlock) => self.end_html_block(events),
            Event::Html(html) | Event::InlineHtml(html) => {
                if !html.starts_with("<!--") {
                    self.raw_html_warning(offset);
                    self.push(Event::Text(html), events);
                }
            }
            Event::FootnoteReference(label) => {
                let (number, note, id) = self.notes.reference(&label, &mut self.ids);
                self.record_link(&format!("#{note}"), offset);
                let html = format!(
                    "<sup class=\"footnote-reference\"><a href=\"#{}\" id=\"{}\">{number}</a></sup>",
                    escape_attr(&note),
                    escape_attr(&id)
                );
                self.push(Event::InlineHtml(html.into()), events);
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.note_definitions.push((label.to_string(), offset));
                self.push(Event::Start(Tag::FootnoteDefinition(label)), events);
            }
            Event::TaskListMarker(done) => self.push(task_marker(done), events),
            Event::Start(Tag::Table(alignments)) => {
                let open = self.table_region();
                self.push(Event::Html(open.into()), events);
                self.push(Event::Start(Tag::Table(alignments)), events);
            }
            Event::End(TagEnd::Table) => {
                self.push(Event::End(TagEnd::Table), events);
                self.push(Event::Html("</div>\n".into()), events);
            }
            Event::Text(t) => {
                if let Some((alt, _)) = &mut self.image_alt {
                    alt.push_str(&t);
                }
                self.push(Event::Text(t), events);
            }
            other => self.push(other, events),
        }
    }

    /// A code block starts: its text is gathered until it ends, then highlighted. A Quarto code
    /// chunk (```` ```{r} ````) is shown as code in its language, with a warning that it is not run.
    fn start_code(&mut self, kind: pulldown_cmark::CodeBlockKind<'a>, offset: usize) {
        let mut lang = match kind {
            pulldown_cmark::CodeBlockKind::Fenced(info) => {
                info.split_whitespace().next().unwrap_or("").to_string()
            }
            pulldown_cmark::CodeBlockKind::Indented => String::new(),
        };
        if let Some((chunk_lang, problem)) = quarto::code_chunk(&lang) {
            self.problem(offset, problem.message, Some(problem.help), true);
            lang = chunk_lang;
        }
        self.raw_text_depth += 1;
        self.code = Some((lang, String::new()));
    }

    fn end_code(&mut self, events: &mut Events<'a>) {
        self.raw_text_depth -= 1;
        if let Some((lang, code)) = self.code.take() {
            events.push_back(Event::Html(CowStr::from(
                highlight::highlight(&lang, &code).to_string(),
            )));
        }
    }

    /// A link starts: its destination is resolved (a cross-reference, a relative file, an
    /// allowed URL); a broken or refused one keeps its text and loses the link.
    fn start_link(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        (title, id): (CowStr<'a>, CowStr<'a>),
        offset: usize,
        events: &mut Events<'a>,
    ) {
        self.raw_text_depth += 1;
        let target = if link_type == LinkType::Email {
            // An email autolink: the HTML writer puts `mailto:` in front.
            Target::Href(dest_url.to_string())
        } else {
            self.link_target(&dest_url, offset, by_reference(link_type), false)
        };
        match target {
            Target::Href(href) => {
                self.dropped_links.push(false);
                let dest_url = href.into();
                let link = Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                };
                self.push(Event::Start(link), events);
            }
            Target::Broken | Target::Refused => self.dropped_links.push(true),
        }
    }

    /// An image starts: a broken source is kept (the link check reports it), a refused one
    /// drops the image; its alternative text is gathered to check it is not empty.
    fn start_image(
        &mut self,
        link_type: LinkType,
        dest_url: CowStr<'a>,
        (title, id): (CowStr<'a>, CowStr<'a>),
        offset: usize,
        events: &mut Events<'a>,
    ) {
        self.raw_text_depth += 1;
        let href = match self.link_target(&dest_url, offset, by_reference(link_type), true) {
            Target::Href(href) => Some(href),
            Target::Broken => Some(dest_url.to_string()),
            Target::Refused => None,
        };
        self.image_alt = Some((String::new(), offset));
        self.dropped_images.push(href.is_none());
        if let Some(href) = href {
            let dest_url = href.into();
            let image = Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            };
            self.push(Event::Start(image), events);
        }
    }

    fn end_image(&mut self, events: &mut Events<'a>) {
        self.raw_text_depth -= 1;
        self.after_image = true;
        if let Some((alt, at)) = self.image_alt.take() {
            if alt.trim().is_empty() {
                let help = "describe the image between the brackets: ![what it shows](file.png)";
                self.problem(
                    at,
                    "image without alternative text".into(),
                    Some(help.into()),
                    true,
                );
            }
        }
        if !self.dropped_images.pop().unwrap_or(false) {
            self.push(Event::End(TagEnd::Image), events);
        }
    }

    /// An HTML block ends: a comment is dropped (or, if it is a placeholder, replaced by the
    /// list it names), anything else shown as text with a warning.
    fn end_html_block(&mut self, events: &mut Events<'a>) {
        if let Some((block, at)) = self.html_block.take() {
            let trimmed = block.trim();
            if let Some(name) = placeholder(trimmed) {
                return self.generated(name, at, events);
            }
            if !(trimmed.starts_with("<!--") && trimmed.ends_with("-->")) {
                self.raw_html_warning(at);
                self.push(Event::Start(Tag::Paragraph), events);
                self.push(Event::Text(trimmed.to_string().into()), events);
                self.push(Event::End(TagEnd::Paragraph), events);
            }
        }
    }

    /// A placeholder `<!-- realist:NAME -->` becomes the list the site generates; an unknown
    /// name is a warning, so a misspelt one is not silently left out.
    fn generated(&mut self, name: &str, at: usize, events: &mut Events<'a>) {
        match self.resolver.generated(name, self.source.depth) {
            Some(html) => self.push(Event::Html(html.into()), events),
            None => self.problem(
                at,
                format!("`<!-- realist:{name} -->` names no list that realist generates"),
                Some(
                    "write `<!-- realist:nonconformities -->` or `<!-- realist:out-of-scope -->`"
                        .into(),
                ),
                true,
            ),
        }
    }

    /// Raw HTML is shown as text: it would bypass escaping, the link checker and the accessibility
    /// lint, and a `<script>` in a report must never run on the site. HTML comments are dropped.
    fn raw_html_warning(&mut self, offset: usize) {
        self.problem(
            offset,
            "raw HTML is not allowed in Markdown: it is shown as text".into(),
            Some("use Markdown instead (links, emphasis, tables, images with alt text)".into()),
            true,
        );
    }

    fn close_heading(&mut self, events: &mut Events<'a>) {
        let Some((level, explicit, inner, offset)) = self.heading.take() else {
            return;
        };
        let title: String = inner
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let wanted = explicit.clone().unwrap_or_else(|| slug::slugify(&title));
        let id = self.ids.claim(&wanted);
        if explicit.is_some() && id != wanted {
            let help = match self.heading_lines.get(&wanted) {
                Some(first) => format!(
                    "the first heading with this id is on line {first}: give each heading its own `{{#id}}`"
                ),
                None => "give each heading its own `{#id}`".into(),
            };
            self.problem(
                offset,
                format!("heading id `{wanted}` is used twice on this page"),
                Some(help),
                false,
            );
        }
        let line = self.position(offset).0;
        self.heading_lines.entry(id.clone()).or_insert(line);
        let n = level as u8;
        if n == 1 {
            self.problem(
                offset,
                "a level-1 heading in the body: the page title is the page's only h1".into(),
                Some("start sections at `##`".into()),
                true,
            );
        } else if n > self.last_heading_level + 1 {
            self.problem(
                offset,
                format!(
                    "heading level jumps from h{} to h{n}",
                    self.last_heading_level
                ),
                Some("screen-reader users navigate by heading level; do not skip levels".into()),
                true,
            );
        }
        self.last_heading_level = n;
        self.section = Some((title.trim().to_string(), 0));
        self.out.toc.push(TocEntry {
            level: n,
            id: id.clone(),
            title: title.trim().to_string(),
        });
        events.push_back(Event::Html(
            format!("<h{n} id=\"{}\">", escape_attr(&id)).into(),
        ));
        events.extend(inner);
        events.push_back(Event::Html(format!("</h{n}>\n").into()));
    }

    /// The opening of the scroll container a table is wrapped in, so that a wide table scrolls
    /// inside it instead of making the whole page scroll sideways (WCAG 1.4.10). Keyboard users
    /// scroll it once it has focus, and screen readers announce it as a region, so it needs a
    /// name: Markdown tables have no caption, so it is named after the section the table is in
    /// ("Table: Results", "Table 2: Results"), or numbered in the body when no heading precedes it.
    fn table_region(&mut self) -> String {
        self.tables += 1;
        let label = match &mut self.section {
            Some((title, count)) if !title.is_empty() => {
                *count += 1;
                match *count {
                    1 => format!("Table: {title}"),
                    k => format!("Table {k}: {title}"),
                }
            }
            _ => format!("Table {}", self.tables),
        };
        format!(
            "<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"{}\">\n",
            escape_attr(&label)
        )
    }

    /// The href for a link to a resolved site URL (recorded for the link checker), or None with
    /// the problem reported.
    fn resolved_href(
        &mut self,
        resolved: Result<String, (String, Option<String>)>,
        offset: usize,
    ) -> Option<String> {
        match resolved {
            Ok(url) => {
                let href = relative(self.source.depth, &url);
                self.record_link(&href, offset);
                Some(href)
            }
            Err((message, help)) => {
                self.problem(offset, message, help, false);
                None
            }
        }
    }

    /// The href to write for a link destination, or None when the link is broken (reported).
    fn link_target(
        &mut self,
        dest: &str,
        offset: usize,
        by_reference: bool,
        image: bool,
    ) -> Target {
        if let Some(reference) = dest.strip_prefix('@') {
            let resolved = Ref::parse(reference)
                .map_err(|m| (m, None))
                .and_then(|r| self.resolver.resolve(&r));
            return self.resolved_href(resolved, offset).into();
        }
        match links::classify(dest) {
            Err(message) => {
                // A reference definition's URL is reported where it is defined.
                if !by_reference {
                    self.problem(offset, message, Some(REFUSED_HELP.into()), false);
                }
                return Target::Refused;
            }
            Ok(links::UrlKind::External) => {
                if image {
                    self.foreign_image_error(dest, offset);
                }
                return Target::Href(dest.to_string());
            }
            Ok(links::UrlKind::Relative) => {}
        }
        if image {
            if let Some(target) = self.colocated_image(dest, offset) {
                return target;
            }
        }
        self.site_link_target(dest, offset).into()
    }

    /// The href for a link within the site, or None (reported) when it is broken.
    fn site_link_target(&mut self, dest: &str, offset: usize) -> Option<String> {
        if dest.starts_with('#') {
            self.record_link(dest, offset);
            return Some(dest.to_string());
        }
        let (path_part, anchor) = dest
            .split_once('#')
            .map_or((dest, None), |(p, a)| (p, Some(a)));
        if path_part.ends_with(".md") {
            let target = self
                .source
                .path
                .parent()
                .map(|p| normalise(&p.join(path_part)));
            let Some(mut r) = target.as_deref().and_then(|t| self.resolver.content_ref(t)) else {
                self.problem(
                    offset,
                    format!("link to `{dest}`: no content file there"),
                    Some("relative `.md` links must point to a file under content/".into()),
                    false,
                );
                return None;
            };
            r.anchor = anchor.map(str::to_string);
            let resolved = self.resolver.resolve(&r);
            return self.resolved_href(resolved, offset);
        }
        if dest.starts_with('/') {
            self.problem(offset, format!("root-absolute link `{dest}` breaks when the site is published under a sub-path"), Some("use `@kind/id` for pages, or a path relative to this page".into()), false);
            return None;
        }
        if climbs_above_root(path_part, self.source.depth) {
            self.problem(
                offset,
                format!("link `{dest}` leaves the site: it climbs above the site root"),
                Some("link to pages with `@kind/id`, and to files in static/ with a path that stays inside the site".into()),
                false,
            );
            return None;
        }
        self.record_link(dest, offset);
        Some(dest.to_string())
    }

    /// The target of an image kept beside the Markdown file (see [`images`]), opened and kept
    /// to be copied beside the page; None for any other relative image path. A missing or
    /// refused image is an error at the image, and is left out (its alternative text stays).
    fn colocated_image(&mut self, dest: &str, offset: usize) -> Option<Target> {
        let path = dest.split(['#', '?']).next().unwrap_or(dest);
        let (file, rel) = match images::colocated(self.source.path, path) {
            images::Image::Elsewhere => return None,
            images::Image::Refused(message, help) => {
                self.problem(offset, message, Some(help), false);
                return Some(Target::Refused);
            }
            images::Image::Beside { file, rel } => (file, rel),
        };
        let shown = crate::diagnostics::display_path(&file);
        let refusal = match self.resolver.open_asset(&file) {
            Ok(Some(opened)) => match self.check_svg(&rel, opened) {
                Ok(opened) => {
                    if !self.out.assets.iter().any(|a| a.rel == rel) {
                        self.out.assets.push(Asset { rel: rel.clone(), file: opened, source: file.clone() });
                    }
                    return Some(Target::Href(rel));
                }
                Err(refusal) => refusal,
            },
            Ok(None) => (
                format!("image `{path}` not found: there is no file {shown}"),
                "the path is relative to this Markdown file: put the image there, or correct the path".to_string(),
            ),
            Err(why) => (
                format!("image `{path}` cannot be used: {shown} is {why}"),
                "keep images as ordinary files under content/".to_string(),
            ),
        };
        self.problem(offset, refusal.0, Some(refusal.1), false);
        Some(Target::Refused)
    }

    /// An image file, refused if it is not what its name says, or is an SVG that could run
    /// script or load other files (see [`image_check::danger`]), or is far too large for a page.
    fn check_svg(
        &self,
        rel: &str,
        mut file: std::fs::File,
    ) -> Result<std::fs::File, (String, String)> {
        use std::io::{Read, Seek};
        const MAX_BYTES: u64 = 50 << 20;
        let ext = rel.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_BYTES {
            return Err((
                format!(
                    "the image `{rel}` is {} MB, too large for a web page",
                    size >> 20
                ),
                "save a smaller version (a figure for the web is usually well under 1 MB)".into(),
            ));
        }
        let mut bytes = Vec::new();
        let read = file.read_to_end(&mut bytes).and_then(|_| file.rewind());
        let danger = match read {
            Ok(()) => image_check::danger(&ext, &bytes),
            Err(_) => Some("it cannot be read".into()),
        };
        match danger {
            None => Ok(file),
            Some(what) => Err((
                format!("the image `{rel}` cannot be published: {what}"),
                "export the figure again as PNG, or as a plain SVG drawing (no scripts, links, or styles that load other files)"
                    .to_string(),
            )),
        }
    }

    fn foreign_image_error(&mut self, dest: &str, offset: usize) {
        self.problem(
            offset,
            format!("the image `{}` is loaded from another host", links::shown(dest)),
            Some("copy the image into static/ and use a relative path: the site's pages load nothing from other hosts".into()),
            false,
        );
    }

    /// Reference definitions whose URL is refused, reported where they are defined (used or not).
    fn check_definitions(&mut self, definitions: &pulldown_cmark::RefDefs) {
        let mut refused: Vec<(usize, String)> = definitions
            .iter()
            .filter_map(|(_, d)| links::classify(&d.dest).err().map(|m| (d.span.start, m)))
            .collect();
        refused.sort();
        for (at, message) in refused {
            self.problem(at, message, Some(REFUSED_HELP.into()), false);
        }
    }

    /// Records a link the page writes, with where it is in the source, for the link checker.
    fn record_link(&mut self, href: &str, offset: usize) {
        let (line, column) = self.position(offset);
        self.out.links.push((href.to_string(), line, column));
    }

    /// The footnotes, after the body; a note never referred to is left out, with a warning.
    fn end_notes(&mut self, events: &mut Events<'a>) {
        for (label, at) in std::mem::take(&mut self.note_definitions) {
            if self.notes.is_referenced(&label) {
                continue;
            }
            self.problem(
                at,
                format!("the footnote `[^{label}]` is never referred to: it is left out"),
                Some(format!(
                    "refer to it in the text with `[^{label}]`, or delete it"
                )),
                true,
            );
        }
        events.extend(self.notes.section());
    }

    /// Decorates running text: citations first, then glossary terms in what is left.
    fn text(&mut self, run: &TextRun, events: &mut Events<'a>) {
        let (text, source) = (run.text.as_str(), run.start..run.end);
        if let Some((at, problem)) = quarto::fenced_div(self.source.text, run.start) {
            self.problem(at, problem.message, Some(problem.help), true);
        }
        if std::mem::take(&mut self.after_image) {
            if let Some(problem) = quarto::image_attributes(text) {
                self.problem(run.start, problem.message, Some(problem.help), true);
            }
        }
        if let Some((in_text, problem)) = quarto::shortcode(text) {
            // Found in the source when it is there as written, else where the text has it.
            let source = self.source.text.get(run.start..run.end).unwrap_or("");
            let at = run.start + source.find("{{<").unwrap_or(in_text);
            self.problem(at, problem.message, Some(problem.help), true);
        }
        if self.raw_text_depth > 0 || self.heading.is_some() {
            self.push(Event::Text(text.to_string().into()), events);
            return;
        }
        // Unknown keys are looked for in the source from here on: clusters come in order, so the
        // run is searched once however many keys it holds.
        let mut cursor = source.start;
        for piece in citations::split(text, &run.escaped) {
            match piece {
                citations::Piece::Text(t) => self.glossary_text(t, events),
                citations::Piece::Cluster(items) => {
                    let mut ok = true;
                    for item in &items {
                        if let Err(suggestion) = self.resolver.has_citation(&item.key) {
                            ok = false;
                            let help = quarto::cross_reference(&item.key)
                                .or_else(|| suggestion.map(|s| format!("did you mean `@{s}`?")))
                                .or_else(|| {
                                    Some(
                                        "add the entry to the bibliography named in site.yaml"
                                            .into(),
                                    )
                                });
                            // Point at the key itself, found in the run's source. A key written
                            // with entities is not found as is: point at the run, and stop looking.
                            let found = self
                                .source
                                .text
                                .get(cursor..source.end)
                                .and_then(|t| t.find(&format!("@{}", item.key)));
                            let at = match found {
                                Some(i) => {
                                    cursor += i;
                                    cursor
                                }
                                None => std::mem::replace(&mut cursor, source.end),
                            };
                            self.problem(
                                at,
                                format!("unknown citation key `@{}`", item.key),
                                help,
                                false,
                            );
                        }
                    }
                    if ok {
                        self.clusters.push(items);
                        self.push(
                            Event::InlineHtml(
                                format!("{CITE_MARK}{}{CITE_MARK}", self.clusters.len() - 1).into(),
                            ),
                            events,
                        );
                    } else {
                        self.push(
                            Event::Text(
                                items
                                    .iter()
                                    .map(|i| format!("@{}", i.key))
                                    .collect::<Vec<_>>()
                                    .join("; ")
                                    .into(),
                            ),
                            events,
                        );
                    }
                }
            }
        }
    }

    fn glossary_text(&mut self, text: &str, events: &mut Events<'a>) {
        let mut last = 0;
        for (start, word) in words(text) {
            if self.glossary_seen.contains(word) {
                continue;
            }
            let Some((expansion, anchor)) = self.resolver.glossary(word) else {
                continue;
            };
            self.glossary_seen.insert(word.to_string());
            if start > last {
                self.push(Event::Text(text[last..start].to_string().into()), events);
            }
            let href = relative(self.source.depth, &format!("glossary/#{anchor}"));
            self.out.links.push((href.clone(), 0, 0));
            let html = format!(
                "<a class=\"term\" href=\"{}\"><abbr title=\"{}\">{}</abbr></a>",
                escape_attr(&href),
                escape_attr(expansion),
                escape_text(word)
            );
            self.push(Event::InlineHtml(html.into()), events);
            last = start + word.len();
        }
        if last < text.len() {
            self.push(Event::Text(text[last..].to_string().into()), events);
        }
    }

    fn finish(mut self, html: String) -> Rendered {
        if self.clusters.is_empty() {
            self.out.html = html;
            return self.out;
        }
        let (inline, references) = self.resolver.format_citations(&self.clusters);
        let mut out = String::with_capacity(html.len());
        let mut parts = html.split(CITE_MARK);
        out.push_str(parts.next().unwrap_or(""));
        while let (Some(index), Some(rest)) = (parts.next(), parts.next()) {
            let i: usize = index.parse().unwrap_or(0);
            out.push_str(&format!(
                "<span class=\"citation\">{}</span>",
                inline.get(i).map(String::as_str).unwrap_or("")
            ));
            out.push_str(rest);
        }
        let mut keys: Vec<String> = self
            .clusters
            .iter()
            .flatten()
            .map(|c| c.key.clone())
            .collect();
        keys.sort();
        keys.dedup();
        self.out.citation_keys = keys;
        self.out.references = references;
        self.out.html = out;
        self.out
    }
}

/// A task-list checkbox (`- [x]`), as text rather than a form control no one can tick: a mark for
/// the eye and its meaning for screen readers, which announce a disabled checkbox with no label
/// as "checkbox, dimmed".
fn task_marker(done: bool) -> Event<'static> {
    let (mark, said) = if done {
        ("☑", "Done:")
    } else {
        ("☐", "To do:")
    };
    Event::InlineHtml(
        format!(
            "<span class=\"task-marker\" aria-hidden=\"true\">{mark}</span><span class=\"visually-hidden\">{said}</span> "
        )
        .into(),
    )
}

/// Word tokens (letters, digits, `&`) with their byte offsets, for glossary lookup.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let part = c.is_alphanumeric() || c == '&';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
}

/// Resolves `.` and `..` in a relative path without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Pandoc citation syntax in running text.
pub mod citations {
    use crate::cite::CiteItem;

    pub enum Piece<'t> {
        Text(&'t str),
        Cluster(Vec<CiteItem>),
    }

    /// Splits text into plain runs and citation clusters: `[@a; @b, p. 3]` and bare `@key`.
    /// `escaped`: the ascending offsets of characters written with a backslash, which start and
    /// end nothing.
    pub fn split<'t>(text: &'t str, escaped: &[usize]) -> Vec<Piece<'t>> {
        let literal = |i: usize| escaped.binary_search(&i).is_ok();
        let mut out = Vec::new();
        let mut last = 0;
        let mut i = 0;
        let bytes = text.as_bytes();
        let mut next_close = NextByte::new(b']');
        let mut next_open = NextByte::new(b'[');
        while i < bytes.len() {
            if bytes[i] == b'[' && !literal(i) {
                // A cluster holds no `[`: with one inside, only the innermost can be a cluster,
                // so every character is read by at most one `parse_cluster`.
                let close = next_close.at_or_after(bytes, i);
                let inner_open = next_open.at_or_after(bytes, i + 1);
                let usable = |c: &usize| inner_open.is_none_or(|o| o > *c) && !literal(*c);
                if let Some(close) = close.filter(usable) {
                    if let Some(items) = parse_cluster(&text[i + 1..close]) {
                        push_text(&mut out, &text[last..i]);
                        out.push(Piece::Cluster(items));
                        i = close + 1;
                        last = i;
                        continue;
                    }
                }
            }
            let word_start = i == 0 || matches!(bytes[i - 1], b' ' | b'\n' | b'(' | b'\t');
            if bytes[i] == b'@' && word_start && !literal(i) {
                let key = key_at(&text[i + 1..]);
                if !key.is_empty() {
                    push_text(&mut out, &text[last..i]);
                    out.push(Piece::Cluster(vec![CiteItem {
                        key: key.to_string(),
                        locator: None,
                    }]));
                    i += 1 + key.len();
                    last = i;
                    continue;
                }
            }
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
        push_text(&mut out, &text[last..]);
        out
    }

    /// The next position of one byte, remembered: asked for at positions that only grow, it reads
    /// the text once in all (looking ahead afresh at every `[` is quadratic on a run of `[`).
    struct NextByte {
        byte: u8,
        /// The answer to the last question, if one was asked.
        last: Option<Option<usize>>,
    }

    impl NextByte {
        fn new(byte: u8) -> Self {
            NextByte { byte, last: None }
        }

        fn at_or_after(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
            match self.last {
                Some(Some(p)) if p >= from => return Some(p),
                Some(None) => return None,
                _ => {}
            }
            let found = bytes
                .get(from..)
                .and_then(|rest| memchr::memchr(self.byte, rest))
                .map(|p| from + p);
            self.last = Some(found);
            found
        }
    }

    fn push_text<'t>(out: &mut Vec<Piece<'t>>, t: &'t str) {
        if !t.is_empty() {
            out.push(Piece::Text(t));
        }
    }

    /// The citation key at the start of `s` (Pandoc: letters, digits, `_`, and internal `:.#$%&-+?<>~/`).
    fn key_at(s: &str) -> &str {
        let end = s
            .find(|c: char| !(c.is_alphanumeric() || "_:.#$%&-+?<>~/".contains(c)))
            .unwrap_or(s.len());
        let key = s[..end].trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
        if key.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
            key
        } else {
            ""
        }
    }

    fn parse_cluster(inner: &str) -> Option<Vec<CiteItem>> {
        let mut items = Vec::new();
        for part in inner.split(';') {
            let part = part.trim();
            let at = part.find('@')?;
            if at > 0 && !part[..at].ends_with(' ') && !part[..at].ends_with('-') {
                return None;
            }
            let key = key_at(&part[at + 1..]);
            if key.is_empty() {
                return None;
            }
            let rest = part[at + 1 + key.len()..].trim();
            let locator = rest
                .strip_prefix(',')
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty());
            if locator.is_none() && !rest.is_empty() {
                return None;
            }
            items.push(CiteItem {
                key: key.to_string(),
                locator,
            });
        }
        (!items.is_empty()).then_some(items)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn keys(text: &str) -> Vec<String> {
            split(text, &[])
                .into_iter()
                .filter_map(|p| match p {
                    Piece::Cluster(items) => Some(
                        items
                            .iter()
                            .map(|i| format!("{}|{}", i.key, i.locator.clone().unwrap_or_default()))
                            .collect::<Vec<_>>()
                            .join(";"),
                    ),
                    Piece::Text(_) => None,
                })
                .collect()
        }

        #[test]
        fn characters_written_with_a_backslash_start_nothing() {
            let cites = |text, escaped: &[usize]| {
                split(text, escaped)
                    .iter()
                    .filter(|p| matches!(p, Piece::Cluster(_)))
                    .count()
            };
            // `\@york`, `\[@k1]`, `[@k1\]` as merged text with the escaped offsets.
            assert_eq!(cites("@york", &[0]), 0);
            assert_eq!(cites("Smith @york", &[6]), 0);
            assert_eq!(cites("[@k1]", &[0]), 0);
            assert_eq!(cites("[@k1]", &[4]), 0);
            assert_eq!(cites("[@k1]", &[]), 1);
            assert!(matches!(split("@york", &[])[0], Piece::Cluster(_)));
        }

        #[test]
        fn clusters_and_bare_keys() {
            assert_eq!(
                keys("as shown [@smith2013, p. 12]."),
                vec!["smith2013|p. 12"]
            );
            assert_eq!(keys("[@a; @b]"), vec!["a|;b|"]);
            assert_eq!(keys("@smith2013 argues"), vec!["smith2013|"]);
            assert_eq!(
                keys("mail me at a@b.com [not a cite]"),
                Vec::<String>::new()
            );
            assert_eq!(keys("(@smith2013)."), vec!["smith2013|"]);
        }
    }
}

/// Whether a relative URL path, from a page `depth` folders deep, climbs above the site root.
fn climbs_above_root(path: &str, depth: usize) -> bool {
    let mut level = depth as isize;
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        match *segment {
            ".." => level -= 1,
            "." | "" => {}
            // The last segment is a file name (or empty for a folder link): it does not go deeper.
            _ if i + 1 == segments.len() => {}
            _ => level += 1,
        }
        if level < 0 {
            return true;
        }
    }
    false
}
