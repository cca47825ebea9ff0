//! The report as data for the PDF template: a document structure serialised to JSON, so report
//! text reaches Typst only as strings, never as Typst code.
//!
//! 1. take the front matter's title, authors, date, DOI, key points and abstract as they are (an
//!    editorial page's byline names the work it summarises, its authors are the editors);
//! 2. walk the Markdown body with pulldown-cmark (the extensions the pages use) into blocks:
//!    headings with levels, paragraphs as runs of styled text, lists, tables with their header
//!    row, block quotes, code, figures and footnotes;
//! 3. format the citations the bibliography knows, inline and as the reference list, as text;
//! 4. add the report's published CMOs and the line naming the page the PDF was made from.

use std::path::{Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::cite::{Bibliography, CiteItem};
use crate::load::Document;
use crate::markdown::citations::{split, Piece};
use crate::model::{enum_label, Kind, Report};
use crate::resolve::Site;

/// The whole report, as the template reads it from `/data.json`.
#[derive(Serialize, Default)]
pub struct ReportData {
    pub title: String,
    /// The byline's authors: the first [`BYLINE_AUTHORS`].
    pub authors: Vec<AuthorData>,
    /// "and 1,234 others" after them, when there are more.
    pub others: Option<String>,
    /// Every author's name, for the document's metadata.
    pub author_names: Vec<String>,
    /// The byline's authors' affiliations, each once in the order first met, split at `;` as
    /// the page splits them (counted here: Typst's `dedup` compares every pair, which took
    /// most of a minute for thousands of authors).
    pub affiliations: Vec<String>,
    /// Whether the byline ends "et al." (`more_authors`).
    pub more_authors: bool,
    /// Whether the work names no authors on purpose (`authors_not_named`).
    pub authors_not_named: bool,
    /// An editorial page's byline, "Summary by the editors of SITE of …", in place of its
    /// authors (who are the site's editors, as the document's metadata says).
    pub editorial: Option<String>,
    /// The report's status when it is not `published` ("Withdrawn", "Draft"), as its page shows it.
    pub status: Option<String>,
    pub date: String,
    /// "Last updated" (`updated`).
    pub updated: Option<String>,
    /// The licence and the funding line, as the page's facts give them.
    pub licence: Option<String>,
    pub funding: Option<String>,
    pub doi: Option<String>,
    pub doi_url: Option<String>,
    pub key_points: Vec<String>,
    pub lay_summary: Option<String>,
    pub abstract_text: Option<String>,
    pub body: Vec<Block>,
    pub cmos: Vec<CmoData>,
    pub references: Vec<String>,
    pub source: String,
    pub site: String,
    /// The language and region of site.yaml's `language` (`en-GB` is `en` and `gb`), as Typst
    /// takes them: the PDF's language, and how text is hyphenated and quoted.
    pub lang: String,
    pub region: Option<String>,
}

#[derive(Serialize, Clone)]
pub struct AuthorData {
    pub name: String,
    pub affiliation: Option<String>,
}

/// One CMO configuration, as the report page lists it.
#[derive(Serialize)]
pub struct CmoData {
    pub title: String,
    pub status: String,
    pub context: Vec<String>,
    pub mechanism: Vec<String>,
    pub outcomes: Vec<String>,
}

/// A run of text with one style; `link` is an absolute URL.
#[derive(Serialize, Default, Clone)]
pub struct Run {
    pub text: String,
    pub emph: bool,
    pub strong: bool,
    pub code: bool,
    pub strike: bool,
    pub link: Option<String>,
}

/// A block of the body. `kind` tells the template which fields it has.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    Heading {
        level: u8,
        runs: Vec<Run>,
    },
    Paragraph {
        runs: Vec<Run>,
    },
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Quote {
        blocks: Vec<Block>,
    },
    Code {
        text: String,
    },
    Table {
        header: Vec<Vec<Run>>,
        rows: Vec<Vec<Vec<Run>>>,
    },
    Figure {
        alt: String,
        image: Option<String>,
    },
    Rule,
}

/// An image a figure shows: its virtual path in the Typst world and its bytes.
pub type Image = (String, Vec<u8>);

/// The most pixels an image may have to be shown in a PDF. Typst decodes every raster image
/// whole, at 3 to 4 bytes a pixel, so a small file that claims 30,000 × 30,000 pixels (an image
/// bomb) would take gigabytes of memory; 50 megapixels is more than any camera or figure needs.
pub const MAX_PIXELS: u64 = 50_000_000;

/// The report as data, the images its figures show, and each figure image left out (its alt
/// text stands in for it) as the address the report gives and why.
pub struct Prepared {
    pub data: ReportData,
    pub images: Vec<Image>,
    pub left_out: Vec<(String, String)>,
}

/// The report `index` of `site` as data, with the images its figures show.
pub fn report_data(site: &Site, bibliography: &Bibliography, index: usize, body: &str) -> Prepared {
    let doc = &site.content.reports[index];
    let m = &doc.meta;
    let url = site
        .config
        .base_url
        .absolute(&Site::url(Kind::Report, &doc.id));
    let (lang, region) = language(&site.config.language);
    let mut walk = Walk::new(site, doc, bibliography, &url);
    let (body, references) = walk.body(body);
    let byline = &m.authors[..m.authors.len().min(BYLINE_AUTHORS)];
    let data = ReportData {
        title: m.title.clone(),
        authors: byline
            .iter()
            .map(|a| AuthorData {
                name: a.name.clone(),
                affiliation: a.affiliation.clone(),
            })
            .collect(),
        others: others(m.authors.len() - byline.len(), m.more_authors),
        author_names: m.authors.iter().map(|a| a.name.clone()).collect(),
        affiliations: affiliations(byline),
        more_authors: m.more_authors,
        authors_not_named: m.authors_not_named,
        editorial: crate::render::meta::BasedOn::of(site, m.editorial.as_ref())
            .map(|b| b.note(&site.config.title)),
        status: (m.status != crate::model::report::Status::Published)
            .then(|| enum_label(&m.status)),
        date: m.date.human(),
        updated: m.updated.as_ref().map(|u| u.human()),
        licence: m.licence.clone(),
        funding: m.funding.as_ref().map(|f| f.line()),
        doi: m.doi.clone(),
        doi_url: m.doi.as_deref().map(crate::url::doi_url),
        key_points: m.summary.clone(),
        lay_summary: m.lay_summary.clone(),
        abstract_text: m.abstract_text.clone(),
        body,
        cmos: cmos(site, index),
        references,
        source: url,
        site: site.config.title.clone(),
        lang,
        region,
    };
    Prepared {
        data,
        images: walk.images,
        left_out: walk.left_out,
    }
}

/// How many authors the PDF's byline names. A consortium's paper may list thousands, which
/// Typst would set as pages of names before the title's text; the metadata names them all.
pub const BYLINE_AUTHORS: usize = 100;

/// "and 1,234 others" for `n` authors left out of the byline ("more than" when the work lists
/// only its first authors); none when none are.
fn others(n: usize, more_authors: bool) -> Option<String> {
    let digits = n.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let more = if more_authors { "more than " } else { "" };
    (n > 0).then(|| format!("and {more}{grouped} others"))
}

/// The distinct affiliations of `authors`, in the order first met.
fn affiliations(authors: &[crate::model::Author]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let all = authors.iter().filter_map(|a| a.affiliation.as_deref());
    all.flat_map(|a| a.split(';'))
        .map(str::trim)
        .filter(|a| !a.is_empty() && seen.insert(*a))
        .map(str::to_string)
        .collect()
}

/// Why the image `bytes` (of extension `kind`) cannot go into a PDF, if it cannot: a raster
/// image whose header cannot be read or that has more than [`MAX_PIXELS`], or an SVG that embeds
/// such an image (`data:image/...;base64,`), which Typst would decode in the same way.
fn unshowable(kind: &str, bytes: &[u8]) -> Option<String> {
    if kind != "svg" {
        return raster_problem(bytes);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    text.match_indices("data:image/").find_map(|(at, _)| {
        let rest = &text[at..];
        let payload = &rest[rest.find("base64,")? + 7..];
        // The header is in the first bytes: decode a whole number of base64 quads of them.
        let head: String = payload
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .take(4096)
            .collect();
        let head = &head[..head.len() / 4 * 4];
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(head)
            .ok()?;
        raster_problem(&decoded).map(|why| format!("embeds an image that {why}"))
    })
}

/// Why a raster image cannot be shown: its size unreadable, or more than [`MAX_PIXELS`].
fn raster_problem(bytes: &[u8]) -> Option<String> {
    let Ok(size) = imagesize::blob_size(bytes) else {
        return Some("is not an image whose size can be read".into());
    };
    let pixels = size.width as u64 * size.height as u64;
    (pixels > MAX_PIXELS).then(|| {
        format!(
            "is {} × {} pixels, more than the {} megapixels a PDF figure may have",
            size.width,
            size.height,
            MAX_PIXELS / 1_000_000
        )
    })
}

/// The language and region subtags of a BCP 47 tag, lower-cased; English when the primary tag
/// is not the two or three letters Typst takes.
fn language(tag: &str) -> (String, Option<String>) {
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or_default().to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) {
        return ("en".into(), None);
    }
    let region = parts.find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()));
    (lang, region.map(|r| r.to_ascii_lowercase()))
}

/// The report's published CMOs, in the order it lists them.
fn cmos(site: &Site, index: usize) -> Vec<CmoData> {
    let published = site.report_cmos[index]
        .iter()
        .filter_map(|id| site.cmo(id))
        .filter(|c| c.published);
    published
        .map(|c| {
            let m = &c.cmo.mechanism;
            let mechanism = [&m.text, &m.resource, &m.reasoning];
            CmoData {
                title: c.cmo.title.clone(),
                status: enum_label(&c.cmo.status),
                context: c.cmo.context.iter().map(|x| x.text.clone()).collect(),
                mechanism: mechanism.into_iter().flatten().cloned().collect(),
                outcomes: c.cmo.outcome.iter().map(|o| o.text.clone()).collect(),
            }
        })
        .collect()
}

/// A table being read: its header cells, its rows of cells, and whether the header is being read.
#[derive(Default)]
struct Table {
    header: Vec<Vec<Run>>,
    rows: Vec<Vec<Vec<Run>>>,
    in_head: bool,
}

/// What a nested block collects until its end event.
enum Open {
    Item(Vec<Block>),
    List(bool, u64, Vec<Vec<Block>>),
    Quote(Vec<Block>),
    /// A footnote's definition, or a list or quotation nested deeper than [`MAX_NESTING`]: its
    /// blocks go to the container around it.
    Note(Vec<Block>),
}

/// How deep lists and quotations nest in a PDF; deeper ones are set at this depth. Typst limits
/// how deeply its show rules nest (a quotation 20 deep fails), and a report nested thousands
/// deep would overflow the stack of whatever walks the tree.
const MAX_NESTING: usize = 8;

/// The state of one walk over a body.
struct Walk<'a> {
    site: &'a Site,
    folder: PathBuf,
    bibliography: &'a Bibliography,
    page_url: url::Url,
    /// The shift that makes the body's highest heading level 2 (the title is level 1).
    shift: i32,
    clusters: Vec<Vec<CiteItem>>,
    images: Vec<Image>,
    left_out: Vec<(String, String)>,
    stack: Vec<Open>,
    blocks: Vec<Block>,
    runs: Vec<Run>,
    style: Run,
    table: Option<Table>,
    code: Option<String>,
    alt: Option<(String, String)>,
}

impl<'a> Walk<'a> {
    fn new(
        site: &'a Site,
        doc: &Document<Report>,
        bibliography: &'a Bibliography,
        url: &str,
    ) -> Self {
        let folder = doc.path.parent().unwrap_or(Path::new("")).to_path_buf();
        Walk {
            site,
            folder,
            bibliography,
            page_url: url::Url::parse(url)
                .unwrap_or_else(|_| url::Url::parse("https://invalid/").expect("valid")),
            shift: 0,
            clusters: Vec::new(),
            images: Vec::new(),
            left_out: Vec::new(),
            stack: Vec::new(),
            blocks: Vec::new(),
            runs: Vec::new(),
            style: Run::default(),
            table: None,
            code: None,
            alt: None,
        }
    }

    /// The blocks of `body` and its reference list.
    fn body(&mut self, body: &str) -> (Vec<Block>, Vec<String>) {
        let options = crate::markdown::OPTIONS;
        let highest = Parser::new_ext(body, options)
            .filter_map(|e| match e {
                Event::Start(Tag::Heading { level, .. }) => Some(level as i32),
                _ => None,
            })
            .min()
            .unwrap_or(2);
        self.shift = 2 - highest;
        // pulldown-cmark splits `[@key]` into the texts `[`, `@key` and `]`: merged, the citation
        // is read with its brackets, as the page reads it.
        for event in pulldown_cmark::TextMergeStream::new(Parser::new_ext(body, options)) {
            self.event(event);
        }
        self.flush();
        let formatted = self.bibliography.format_document(&self.clusters);
        let mut blocks = std::mem::take(&mut self.blocks);
        let inline: Vec<String> = formatted
            .inline
            .iter()
            .map(|h| crate::text::escape::html_text(h))
            .collect();
        fill_citations(&mut blocks, &inline);
        let references = formatted
            .references
            .iter()
            .map(|r| crate::text::escape::html_text(&r.html));
        (blocks, references.collect())
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => self.run(Run {
                text: t.to_string(),
                code: true,
                ..self.style.clone()
            }),
            Event::SoftBreak => self.plain(" "),
            Event::HardBreak => self.plain("\n"),
            Event::Rule => self.push(Block::Rule),
            Event::FootnoteReference(label) => self.plain(&format!("[{label}]")),
            Event::TaskListMarker(done) => self.plain(if done { "[x] " } else { "[ ] " }),
            // Raw HTML and maths are shown as the text they are, as the pages show raw HTML.
            Event::Html(t)
            | Event::InlineHtml(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t) => self.plain(&t),
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            // A footnote's label waits in the runs for its first paragraph.
            Tag::Paragraph | Tag::TableCell => {}
            Tag::Heading { .. } => self.flush_runs(),
            Tag::Emphasis => self.style.emph = true,
            Tag::Strong => self.style.strong = true,
            Tag::Strikethrough => self.style.strike = true,
            Tag::Link { dest_url, .. } => self.style.link = self.absolute(&dest_url),
            Tag::Image { dest_url, .. } => {
                self.flush_runs();
                self.alt = Some((dest_url.to_string(), String::new()));
            }
            Tag::TableHead => self.set_head(true),
            Tag::TableRow => self.new_row(),
            other => self.start_block(other),
        }
    }

    /// A block that ends the text before it: a tight list item's text is its first paragraph.
    fn start_block(&mut self, tag: Tag) {
        self.flush_runs();
        match tag {
            Tag::CodeBlock(_) => self.code = Some(String::new()),
            Tag::List(_) | Tag::BlockQuote(_) if self.nesting() >= MAX_NESTING => {
                self.stack.push(Open::Note(Vec::new()))
            }
            Tag::List(start) => {
                let open = Open::List(start.is_some(), start.unwrap_or(1), Vec::new());
                self.stack.push(open);
            }
            Tag::Item => self.stack.push(Open::Item(Vec::new())),
            Tag::BlockQuote(_) => self.stack.push(Open::Quote(Vec::new())),
            Tag::FootnoteDefinition(label) => {
                self.stack.push(Open::Note(Vec::new()));
                self.plain(&format!("[{label}] "));
            }
            Tag::Table(_) => self.table = Some(Table::default()),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::DefinitionListTitle | TagEnd::DefinitionListDefinition => {
                self.flush_runs()
            }
            TagEnd::Heading(level) => {
                let level = (level as i32 + self.shift).clamp(2, 6) as u8;
                let runs = std::mem::take(&mut self.runs);
                self.push(Block::Heading { level, runs });
            }
            TagEnd::Emphasis => self.style.emph = false,
            TagEnd::Strong => self.style.strong = false,
            TagEnd::Strikethrough => self.style.strike = false,
            TagEnd::Link => self.style.link = None,
            TagEnd::Image => self.figure(),
            TagEnd::CodeBlock => {
                let text = self.code.take().unwrap_or_default();
                self.push(Block::Code { text });
            }
            TagEnd::TableCell => self.cell(),
            TagEnd::TableHead => self.set_head(false),
            TagEnd::Table => {
                if let Some(Table { header, rows, .. }) = self.table.take() {
                    self.push(Block::Table { header, rows });
                }
            }
            TagEnd::Item | TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::FootnoteDefinition => {
                self.close()
            }
            _ => {}
        }
    }

    /// Text, split into plain runs and citations the bibliography can format. A text with a
    /// citation of an unknown key stays as written, so `@word` in prose is never lost.
    fn text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        if let Some((_, alt)) = &mut self.alt {
            alt.push_str(text);
            return;
        }
        let pieces = split(text, &[]);
        let known = pieces.iter().all(|p| match p {
            Piece::Text(_) => true,
            Piece::Cluster(items) => items.iter().all(|i| self.bibliography.contains(&i.key)),
        });
        if !known || self.bibliography.is_empty() {
            self.plain(text);
            return;
        }
        for piece in pieces {
            match piece {
                Piece::Text(t) => self.plain(t),
                Piece::Cluster(items) => {
                    // A placeholder the formatted citation replaces once every cluster is known.
                    self.plain(&format!("\u{0}{}", self.clusters.len()));
                    self.clusters.push(items);
                }
            }
        }
    }

    fn plain(&mut self, text: &str) {
        if let Some((_, alt)) = &mut self.alt {
            alt.push_str(text);
            return;
        }
        self.run(Run {
            text: text.to_string(),
            ..self.style.clone()
        });
    }

    fn run(&mut self, run: Run) {
        self.runs.push(run);
    }

    /// Ends the paragraph in progress, if any.
    fn flush_runs(&mut self) {
        if self.table.is_some() && self.in_cell() {
            return;
        }
        if !self.runs.is_empty() {
            let runs = std::mem::take(&mut self.runs);
            self.push(Block::Paragraph { runs });
        }
    }

    fn in_cell(&self) -> bool {
        self.table
            .as_ref()
            .is_some_and(|t| !t.rows.is_empty() || t.in_head)
    }

    fn flush(&mut self) {
        self.flush_runs();
        while !self.stack.is_empty() {
            self.close();
        }
    }

    /// Adds a block to the innermost open container, or to the body.
    fn push(&mut self, block: Block) {
        match self.stack.last_mut() {
            Some(Open::Item(b) | Open::Quote(b) | Open::Note(b)) => b.push(block),
            Some(Open::List(_, _, items)) => items.push(vec![block]),
            None => self.blocks.push(block),
        }
    }

    /// How many lists and quotations are open.
    fn nesting(&self) -> usize {
        let open = self.stack.iter();
        open.filter(|o| matches!(o, Open::List(..) | Open::Quote(_)))
            .count()
    }

    /// Ends the innermost container.
    fn close(&mut self) {
        self.flush_runs();
        let Some(open) = self.stack.pop() else { return };
        match open {
            Open::Item(blocks) => match self.stack.last_mut() {
                Some(Open::List(_, _, items)) => items.push(blocks),
                _ => blocks.into_iter().for_each(|b| self.push(b)),
            },
            Open::List(ordered, start, items) => self.push(Block::List {
                ordered,
                start,
                items,
            }),
            Open::Quote(blocks) => self.push(Block::Quote { blocks }),
            Open::Note(blocks) => blocks.into_iter().for_each(|b| self.push(b)),
        }
    }

    fn set_head(&mut self, head: bool) {
        if let Some(t) = &mut self.table {
            t.in_head = head;
        }
    }

    fn new_row(&mut self) {
        if let Some(t) = &mut self.table {
            t.rows.push(Vec::new());
        }
    }

    fn cell(&mut self) {
        let runs = std::mem::take(&mut self.runs);
        if let Some(Table {
            header,
            rows,
            in_head: head,
        }) = &mut self.table
        {
            match (head, rows.last_mut()) {
                (true, _) => header.push(runs),
                (false, Some(row)) => row.push(runs),
                (false, None) => rows.push(vec![runs]),
            }
        }
    }

    /// A figure: the image when it is a PNG, JPEG or SVG file inside the site, else its alt text.
    fn figure(&mut self) {
        let Some((dest, alt)) = self.alt.take() else {
            return;
        };
        let image = self.image(&dest);
        // PDF/UA needs every image described; the pages' lint already asks the author for one.
        let alt = match alt.trim() {
            "" => "An image without a description".to_string(),
            _ => alt,
        };
        self.push(Block::Figure { alt, image });
    }

    fn image(&mut self, dest: &str) -> Option<String> {
        let kind = dest.rsplit('.').next()?.to_ascii_lowercase();
        let local = !dest.contains(':') && !dest.starts_with('/') && !dest.contains('?');
        if !local || !matches!(kind.as_str(), "png" | "jpg" | "jpeg" | "svg") {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(dest)
            .decode_utf8()
            .ok()?;
        // Read under the input policy: inside the site root, no links out.
        let bytes =
            crate::paths::read(&self.site.content.root, &self.folder.join(&*decoded)).ok()?;
        if let Some(why) = unshowable(&kind, &bytes) {
            self.left_out.push((dest.to_string(), why));
            return None;
        }
        let path = format!("/images/{}.{kind}", self.images.len());
        self.images.push((path.clone(), bytes));
        Some(path)
    }

    /// A link's absolute URL, resolved against the report's page; none for a scheme the pages
    /// would not link either. A reference (`@cmo/x#y`) is the page of what it names, when that
    /// page is published; a link to a content file (`../tracers/t.md`) is left as text, since its
    /// page address is the Markdown renderer's to work out and a guess would be a broken link.
    fn absolute(&self, dest: &str) -> Option<String> {
        if let Some(reference) = dest.strip_prefix('@') {
            let r = crate::model::Ref::parse(reference).ok()?;
            if !self.site.is_published(r.kind, &r.id) {
                return None;
            }
            let mut path = Site::url(r.kind, &r.id);
            if let Some(anchor) = &r.anchor {
                path = format!("{path}#{anchor}");
            }
            return Some(self.site.config.base_url.absolute(&path));
        }
        let path = dest.split(['#', '?']).next().unwrap_or_default();
        if path.ends_with(".md") {
            return None;
        }
        let url = self.page_url.join(dest).ok()?;
        matches!(url.scheme(), "http" | "https" | "mailto").then(|| url.to_string())
    }
}

/// Replaces each citation placeholder with its formatted text.
fn fill_citations(blocks: &mut [Block], inline: &[String]) {
    for block in blocks {
        match block {
            Block::Heading { runs, .. } | Block::Paragraph { runs } => fill_runs(runs, inline),
            Block::List { items, .. } => items.iter_mut().for_each(|b| fill_citations(b, inline)),
            Block::Quote { blocks } => fill_citations(blocks, inline),
            Block::Table { header, rows } => {
                let cells = header.iter_mut().chain(rows.iter_mut().flatten());
                cells.for_each(|runs| fill_runs(runs, inline));
            }
            Block::Code { .. } | Block::Figure { .. } | Block::Rule => {}
        }
    }
}

fn fill_runs(runs: &mut [Run], inline: &[String]) {
    for run in runs {
        if let Some(n) = run.text.strip_prefix('\u{0}') {
            let text = n.parse::<usize>().ok().and_then(|i| inline.get(i));
            run.text = text.cloned().unwrap_or_default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_authors_left_out_of_the_byline_are_counted_in_groups_of_three_digits() {
        assert_eq!(others(0, false), None);
        assert_eq!(others(7, false).as_deref(), Some("and 7 others"));
        assert_eq!(
            others(29_900, true).as_deref(),
            Some("and more than 29,900 others")
        );
        assert_eq!(
            others(1_234_567, false).as_deref(),
            Some("and 1,234,567 others")
        );
    }
}
