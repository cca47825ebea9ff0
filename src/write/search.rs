//! Full-text search: a [Pagefind](https://pagefind.app) index of the rendered pages, built with
//! the `pagefind` crate as a library, so the site needs no service and no CDN to search.
//!
//! Pages are handed over as they are rendered ([`SearchIndexer::add`] only sends them down a
//! channel); a thread of its own, with a current-thread tokio runtime (Pagefind's API is async),
//! feeds them to Pagefind. [`SearchIndexer::finish`] builds the index and returns every file to
//! write under `pagefind/`.
//!
//! What is indexed: Pagefind indexes only the part of a page marked `data-pagefind-body` once any
//! page has one (`base.html` marks `<main>` on the pages [`crate::render::search_meta`] names),
//! skips elements marked `data-pagefind-ignore` and those [`EXCLUDED`] names, and takes a result's
//! title from the first `<h1>`. Glossary entries are records of their own, added from the model
//! when the indexer starts ([`SearchIndexer::for_site`]).
//!
//! URLs: pages are stored with their site-relative URL (`reports/x/`), never an absolute path. In
//! the browser, `pagefind.js` finds its own folder from its URL (`import.meta.url`) and resolves
//! results against the folder above it, the site root, so the index works at any sub-path
//! (`/research/hsca12/`) without knowing it at build time; the search page also passes that root
//! as `baseUrl` explicitly.
//!
//! Determinism: Pagefind numbers pages in the order they were added, and that order is visible in
//! the index files. Rendering runs on many threads, so pages arrive in no fixed order; to give
//! byte-identical output either the URLs are declared up front with [`SearchIndexer::expect`] (pages
//! are then indexed as they arrive, overlapping rendering, and take the declared order), or pages
//! are kept until [`SearchIndexer::finish`] and indexed there in URL order.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;

use crate::diagnostics::Diagnostic;
use crate::render::search_meta::{self, Record};
use crate::resolve::Site;

/// The folder the index is written to, relative to the site root.
pub const FOLDER: &str = "pagefind/";

/// Pagefind's ready-made interfaces: realist's search page has its own accessible one on top of
/// Pagefind's JavaScript API, so these are not written.
const UNUSED: [&str; 7] = [
    "pagefind-highlight.js",
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
];

/// Parts of the default theme's pages that Pagefind leaves out, besides what a template marks
/// `data-pagefind-ignore` (and Pagefind's own: `nav`, `form`, `svg`, `footer` …). They list other
/// pages' titles or the page's metadata: indexed, a tracer page would outrank a CMO for the CMO's
/// own title, and excerpts would be runs of table cells and slugs. What they say is searchable
/// on the pages they link to, and through the filters.
const EXCLUDED: [&str; 7] = [
    // The page's kind line ("CMO configuration · Observed · Supported"): results show the kind,
    // and the filters hold the status. Its `data-pagefind-meta` is still read.
    ".kind",
    // The page's key–value list (study, tracers, areas …); a CMO's mechanism list stays.
    "article > .facts",
    // Tables of CMO configurations, "linked from" groups and other lists of links.
    ".cmo-table",
    ".linked-from",
    ".link-list",
    // Theme slugs after a context, and the chain diagram (its text alternative is a link list).
    ".tags",
    ".chain-figure",
];

/// The files of a search index: (site-relative path under `pagefind/`, contents), sorted by path.
pub type IndexFiles = Vec<(String, Vec<u8>)>;

enum Message {
    Expect(Vec<String>),
    Page(String, String),
    Records(Vec<Record>),
}

/// Builds a Pagefind index from rendered pages while the rest of the site renders.
///
/// `add` may be called from any number of threads at once (`SearchIndexer` is `Sync`).
pub struct SearchIndexer {
    sender: Sender<Message>,
    worker: JoinHandle<Result<IndexFiles, String>>,
}

impl SearchIndexer {
    /// Starts the indexing thread. `language` is the site's language (`en`, `en-GB`): every page
    /// is indexed as that language, whatever its `lang` says, and its stemmer is used.
    pub fn start(language: &str) -> SearchIndexer {
        let language = language.trim().to_ascii_lowercase();
        let (sender, receiver) = channel();
        let worker = std::thread::Builder::new()
            .name("search-index".into())
            .spawn(move || run(&language, receiver))
            .unwrap_or_else(|e| {
                // No thread: answer with the error at `finish`.
                let message = format!("cannot start the search indexer: {e}");
                std::thread::spawn(move || Err(message))
            });
        SearchIndexer { sender, worker }
    }

    /// Starts the indexing thread for `site`, and queues its search records that are not pages
    /// (one per glossary entry), which are indexed first, in a fixed order.
    pub fn for_site(site: &Site) -> SearchIndexer {
        let indexer = SearchIndexer::start(&site.config.language);
        let records = search_meta::glossary_records(site);
        if !records.is_empty() {
            let _ = indexer.sender.send(Message::Records(records));
        }
        indexer
    }

    /// Declares, before the first [`add`](Self::add), the URLs of the pages that will be added,
    /// in the order the index should hold them. Pages are then indexed as soon as they arrive,
    /// while the rest of the site renders, and the output stays byte-identical from build to
    /// build. A declared page that never arrives is left out; a page that was not declared is
    /// indexed at the end, in URL order. Without this call every page waits for `finish`.
    pub fn expect(&self, urls: Vec<String>) {
        let _ = self.sender.send(Message::Expect(urls));
    }

    /// Queues a page for indexing. `url` is the page's site-relative URL (`reports/x/`, `""` for
    /// the home page); `html` is the whole page. Cheap: it only sends the page to the indexing
    /// thread.
    pub fn add(&self, url: String, html: String) {
        let html = separate_blocks(html);
        // A send fails only if the thread has ended early; `finish` reports why.
        let _ = self.sender.send(Message::Page(url, html));
    }

    /// Waits for indexing to end, and returns every file of the index and of Pagefind's search
    /// script (`pagefind.js`, its worker and WebAssembly, `pagefind-entry.json`, the index,
    /// fragment and filter chunks) as (path under `pagefind/`, bytes), sorted by path.
    pub fn finish(self) -> Result<IndexFiles, String> {
        drop(self.sender);
        match self.worker.join() {
            Ok(result) => result,
            Err(_) => Err("the search indexer crashed".into()),
        }
    }

    /// [`finish`](Self::finish)es the index and writes its files under `out`. Returns the
    /// site-relative paths written (sorted) and the files that could not be written; Err if the
    /// index could not be built.
    pub fn write_to(self, out: &super::Output) -> Result<(Vec<String>, Vec<Diagnostic>), String> {
        let index = self.finish()?;
        // Not handed to the anonymity lint: the index's names are hashes and its data is
        // compressed, made from the pages, which the lint reads; its scripts are Pagefind's own.
        // Hex in a hashed name would otherwise match a short entry such as `fe`.
        let out = &out.clone().with_lint(None);
        let results: Vec<Result<String, Diagnostic>> = index
            .par_iter()
            .map(|(rel, bytes)| super::write_file(out, rel, bytes))
            .collect();
        let mut written = Vec::new();
        let mut problems = Vec::new();
        for result in results {
            match result {
                Ok(rel) => written.push(rel),
                Err(d) => problems.push(d),
            }
        }
        written.sort();
        Ok((written, problems))
    }
}

/// The indexing thread: receives pages until every sender is gone, then builds the index.
fn run(language: &str, receiver: Receiver<Message>) -> Result<IndexFiles, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the search indexer: {e}"))?;
    runtime.block_on(async move {
        let config = PagefindServiceConfig::builder()
            .force_language(language.to_string())
            .exclude_selectors(EXCLUDED.iter().map(|s| s.to_string()).collect())
            .build();
        let mut index = PagefindIndex::new(Some(config)).map_err(|e| e.to_string())?;
        // Pages that were not declared with `expect` (all of them, without it), by URL.
        let mut waiting: BTreeMap<String, String> = BTreeMap::new();
        let mut expected: Option<std::collections::HashSet<String>> = None;
        // Waiting on the channel blocks this thread, which runs nothing else meanwhile.
        while let Ok(message) = receiver.recv() {
            match message {
                Message::Expect(urls) if expected.is_none() => {
                    // A placeholder with no words holds each page's place; Pagefind replaces a
                    // page added again under the same URL in place, and leaves out pages with
                    // no words.
                    for url in &urls {
                        index
                            .add_custom_record(
                                url.clone(),
                                String::new(),
                                language.to_string(),
                                None,
                                None,
                                None,
                            )
                            .await
                            .map_err(|e| format!("search index: {e}"))?;
                    }
                    expected = Some(urls.into_iter().collect());
                }
                Message::Expect(_) => {}
                Message::Records(records) => {
                    for record in records {
                        add_record(&mut index, language, record).await?;
                    }
                }
                Message::Page(url, html) => {
                    if expected.as_ref().is_some_and(|e| e.contains(&url)) {
                        add_page(&mut index, url, html).await?;
                    } else {
                        waiting.insert(url, html);
                    }
                }
            }
        }
        for (url, html) in waiting {
            add_page(&mut index, url, html).await?;
        }
        let files = index
            .get_files()
            .await
            .map_err(|e| format!("cannot build the search index: {e}"))?;
        let mut out: IndexFiles = files
            .into_iter()
            .filter_map(|file| {
                let name = file.filename.to_string_lossy().replace('\\', "/");
                (!UNUSED.contains(&name.as_str()))
                    .then(|| (format!("{FOLDER}{name}"), file.contents))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    })
}

/// Adds a record that is not a page, with its title and kind as Pagefind meta.
async fn add_record(
    index: &mut PagefindIndex,
    language: &str,
    record: Record,
) -> Result<(), String> {
    let mut filters: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in record.filters {
        filters.entry(f.name.to_string()).or_default().push(f.value);
    }
    let mut meta = BTreeMap::from([("title".to_string(), record.title)]);
    if let Some(kind) = filters.get("kind").and_then(|k| k.first()) {
        meta.insert("kind".into(), kind.clone());
    }
    index
        .add_custom_record(
            record.url.clone(),
            record.content,
            language.to_string(),
            Some(meta),
            Some(filters),
            None,
        )
        .await
        .map(|_| ())
        .map_err(|e| format!("cannot index {} for search: {e}", record.url))
}

async fn add_page(index: &mut PagefindIndex, url: String, html: String) -> Result<(), String> {
    index
        .add_html_file(None, Some(url.clone()), html)
        .await
        .map(|_| ())
        .map_err(|e| format!("cannot index {url} for search: {e}"))
}

/// Block elements whose text Pagefind runs into the next element's (it separates only `p`, `td`,
/// `li`, `div`, headings and a few more): `<dt>Tracers</dt><dd>Dementia</dd>` would be indexed as
/// the one word "TracersDementia".
const BLOCKS: [&str; 24] = [
    "address",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "details",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "header",
    "legend",
    "main",
    "nav",
    "ol",
    "pre",
    "summary",
    "table",
    "th",
    "tr",
    "search",
];

/// Puts a space after the end tag of each element in [`BLOCKS`], so that words on either side
/// stay apart in the index and in excerpts.
fn separate_blocks(html: String) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + html.len() / 64);
    let mut copied = 0;
    let mut from = 0;
    while let Some(at) = html[from..].find("</").map(|i| i + from) {
        let name_start = at + 2;
        let name_end = bytes[name_start..]
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .map_or(bytes.len(), |i| i + name_start);
        from = name_end;
        if bytes.get(name_end) != Some(&b'>') {
            continue;
        }
        let name = &html[name_start..name_end];
        if BLOCKS.iter().any(|b| b.eq_ignore_ascii_case(name)) {
            out.push_str(&html[copied..=name_end]);
            out.push(' ');
            copied = name_end + 1;
        }
    }
    if copied == 0 {
        return html;
    }
    out.push_str(&html[copied..]);
    out
}
