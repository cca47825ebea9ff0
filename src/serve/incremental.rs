//! Incremental rebuilds for `realist serve`.
//!
//! A [`Session`] keeps everything one build made: the parsed content, the resolved [`Site`], the
//! compiled templates, and for every page its record (ids and links), its diagnostics and the
//! pages it links to. After a change it re-reads only the files that changed and re-renders only
//! the pages the change can affect:
//!
//! * a page depends on its own source file and on the source files of every entity page it links
//!   to (their titles appear on it);
//! * if only the Markdown body of a file changed (same front matter, same `](@kind/id)` mentions),
//!   only the file's own pages and the pages that link *into* them with an anchor (a CMO's evidence
//!   names the report section) are re-rendered, and the site model is patched in place;
//! * if front matter changed, the site is resolved again, and the file's dependents, every page
//!   whose backlinks changed, every list/matrix/home/theme page and the extra files are
//!   re-rendered;
//! * anything it cannot tell — a new, deleted or renamed file, templates, themes, static files,
//!   site.yaml, the glossary, the bibliography, a change that adds or removes pages — falls back to
//!   a full build.
//!
//! Pages are rendered into a scratch folder and moved into the served folder only when the whole
//! site has no errors, so a failed build leaves the last good site being served. Pages that were
//! not moved in are remembered as dirty and rendered again next time. A full build writes a new
//! folder and switches to it in one step.
//!
//! The full build here mirrors [`crate::build`] stage by stage; `tests/serve_incremental.rs`
//! checks that its output and every incremental update are byte-identical to `realist::build`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::inputs::{Diff, Inputs};
use crate::check::links::PageRecord;
use crate::cite::Bibliography;
use crate::config::SiteConfig;
use crate::diagnostics::{self, display_path, Diagnostic};
use crate::load::{self, Content, Document, Loaded};
use crate::model::Kind;
use crate::render::templates::Templates;
use crate::render::{entity_doc, spec_path, PageSpec, Renderer};
use crate::resolve::{self, Site};
use crate::write::search::SearchIndexer;
use crate::write::{Output, PageWriter};

/// What one build or update did.
#[derive(Debug)]
pub struct Update {
    pub kind: UpdateKind,
    /// No errors: the served site is now the current input's site.
    pub ok: bool,
    /// Every current problem, sorted as `realist build` prints them.
    pub diagnostics: Vec<Diagnostic>,
    /// Site-relative paths of files that changed in the served folder.
    pub changed: Vec<String>,
    /// Pages rendered by this update.
    pub rendered: usize,
    /// Why each page was rendered, or why a full build was needed (for `--verbose`).
    pub reasons: Vec<String>,
    pub seconds: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    /// Everything was built again into a new folder.
    Full,
    /// Only what the change affects was rendered.
    Incremental,
    /// Nothing the build reads changed.
    Unchanged,
}

impl Update {
    /// An update that failed inside realist itself (a bug): reported like a build error.
    pub fn internal_error(message: &str) -> Update {
        Update {
            kind: UpdateKind::Full,
            ok: false,
            diagnostics: vec![Diagnostic::error(
                "realist",
                0,
                0,
                format!("internal error while rebuilding: {message}"),
            )
            .with_help("this is a bug in realist; the next change rebuilds the whole site")],
            changed: Vec::new(),
            rendered: 0,
            reasons: Vec::new(),
            seconds: 0.0,
        }
    }

    pub fn errors(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// A one-line account for the terminal.
    pub fn summary(&self) -> String {
        let ms = self.seconds * 1000.0;
        match (self.kind, self.ok) {
            (UpdateKind::Unchanged, true) => "no page changed".to_string(),
            (UpdateKind::Full, true) => {
                format!(
                    "built the whole site ({} pages) in {ms:.0} ms",
                    self.rendered
                )
            }
            (UpdateKind::Incremental, true) => format!(
                "rebuilt {} page{} ({} file{} changed) in {ms:.0} ms",
                self.rendered,
                plural(self.rendered),
                self.changed.len(),
                plural(self.changed.len())
            ),
            (_, false) => format!(
                "build failed with {} error{}; still serving the last good site",
                self.errors().max(1),
                plural(self.errors().max(1))
            ),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One page of the current build.
struct Page {
    spec: PageSpec,
    /// The content file the page is made from (a report for its inline CMOs).
    source: Option<PathBuf>,
    record: Option<PageRecord>,
    render_diags: Vec<Diagnostic>,
    link_diags: Vec<Diagnostic>,
    /// Site-relative pages this page links to, and whether with an `#anchor`.
    targets: Vec<(String, bool)>,
}

/// Everything the last build made, kept for the next update.
struct State {
    /// The inputs the site model reflects.
    built: Inputs,
    /// The site model, patched or replaced by each update.
    model: Model,
    static_diags: Vec<Diagnostic>,
    /// The files copied from the theme's and the site's static/ folders.
    static_files: Vec<String>,
    static_dirty: bool,
    /// The search index's files (when site.yaml asks for search), rebuilt with every update.
    search_files: Vec<String>,
    search_diags: Vec<Diagnostic>,
    extras_diags: Vec<Diagnostic>,
    extras: Vec<String>,
    /// Every file of the output, for the link checker.
    files: HashSet<String>,
    /// Page path → page.
    pages: BTreeMap<String, Page>,
    /// Page path → pages linking to it (with and without an anchor).
    referrers: HashMap<String, BTreeSet<String>>,
    /// Page path → pages linking to it with an anchor.
    anchored: HashMap<String, BTreeSet<String>>,
    /// Source file → the pages made from it.
    pages_of_source: HashMap<PathBuf, Vec<String>>,
    /// Pages whose served file may be out of date (rendered by a failed build).
    dirty: BTreeSet<String>,
    extras_dirty: bool,
}

/// A live, incrementally rebuilt site.
pub struct Session {
    root: PathBuf,
    out_root: PathBuf,
    generation: u64,
    live: Option<PathBuf>,
    inputs: Inputs,
    state: Option<State>,
    /// site.yaml and the bibliography: inputs outside the input folders.
    extra: Vec<PathBuf>,
    /// Folders replaced by a newer build, removed at the start of the next one (by then nothing
    /// serves from them any more).
    retired: Vec<PathBuf>,
    /// The path of `base_url` from the last site.yaml that loaded.
    base_path: Option<String>,
}

impl Session {
    /// A session for the site at `root`, writing its generations of output under `out_root`.
    pub fn new(root: &Path, out_root: &Path) -> Session {
        let _ = std::fs::create_dir_all(out_root);
        Session {
            root: root.to_path_buf(),
            out_root: out_root.to_path_buf(),
            generation: 0,
            live: None,
            inputs: Inputs::default(),
            state: None,
            extra: vec![PathBuf::from("site.yaml")],
            retired: Vec::new(),
            base_path: None,
        }
    }

    fn collect_garbage(&mut self) {
        for dir in self.retired.drain(..) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }

    /// The folder being served: the last good build.
    pub fn live_dir(&self) -> Option<&Path> {
        self.live.as_deref()
    }

    /// The site's path under its host, from `base_url` (`/research/hsca12/`).
    pub fn base_path(&self) -> Option<String> {
        self.base_path.clone()
    }

    /// Files outside the input folders that are inputs too (site.yaml, the bibliography).
    pub fn extra_inputs(&self) -> &[PathBuf] {
        &self.extra
    }

    /// Re-reads what is at `paths` (from file-system events), then updates the site.
    pub fn refresh(&mut self, paths: &[PathBuf]) -> Update {
        let extra = self.extra.clone();
        self.inputs.refresh(&self.root, paths, &extra);
        self.update()
    }

    /// Re-reads every input, then updates the site (when events may have been lost).
    pub fn rescan(&mut self) -> Update {
        self.inputs = Inputs::scan(&self.root, &self.extra);
        self.update()
    }

    /// Builds everything from scratch.
    pub fn full(&mut self, reason: &str) -> Update {
        let started = Instant::now();
        self.collect_garbage();
        let mut update = self.full_build();
        update.reasons.insert(0, format!("full build: {reason}"));
        update.seconds = started.elapsed().as_secs_f64();
        update
    }

    fn update(&mut self) -> Update {
        let started = Instant::now();
        self.collect_garbage();
        let mut update = match self.incremental() {
            Ok(update) => update,
            Err(reason) => {
                let mut u = self.full_build();
                u.reasons.insert(0, format!("full build: {reason}"));
                u
            }
        };
        update.seconds = started.elapsed().as_secs_f64();
        update
    }

    fn next_dir(&mut self, prefix: &str) -> PathBuf {
        self.generation += 1;
        let dir = self.out_root.join(format!("{prefix}-{}", self.generation));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    /// A full build into a new folder, mirroring [`crate::build`]; on success it becomes the
    /// served folder.
    fn full_build(&mut self) -> Update {
        let root = self.root.clone();
        let fail = |mut diags: Vec<Diagnostic>| {
            diagnostics::normalise(&mut diags);
            let mut update = Update::new(UpdateKind::Full);
            update.diagnostics = diags;
            update
        };
        // Read the inputs first, so that a change made during the build is seen afterwards.
        let config = SiteConfig::load(&root);
        self.extra = vec![PathBuf::from("site.yaml")];
        if let Ok(c) = &config {
            self.base_path = Some(c.base_path());
            if let Some(b) = &c.bibliography {
                self.extra.push(b.clone());
            }
        }
        self.inputs = Inputs::scan(&root, &self.extra);
        let built = self.inputs.clone();
        self.state = None;
        if let Some(d) = crate::no_site_here(&root) {
            return fail(vec![d]);
        }
        let model = match config.and_then(|config| Model::load(&root, config)) {
            Ok(model) => model,
            Err(diags) => return fail(diags),
        };
        let dir = self.next_dir("site");
        if let Err(e) = std::fs::create_dir_all(&dir) {
            let d = Diagnostic::error(&dir, 0, 0, format!("cannot create the output: {e}"));
            return fail(vec![d]);
        }
        let state = model.write_everything(&root, built, &dir);
        let mut update = state.finish(Update::new(UpdateKind::Full));
        update.rendered = state.pages.len();
        self.adopt(state, dir, update.ok);
        update
    }

    /// Serves the folder `dir` that a full build made, if it had no errors. Otherwise the last
    /// good folder stays served, and the state remembers which of its files are out of date
    /// (or is dropped, when the next good build cannot be an update of that folder).
    fn adopt(&mut self, mut state: State, dir: PathBuf, ok: bool) {
        if ok {
            if let Some(old) = self.live.replace(dir) {
                self.retired.push(old);
            }
            self.state = Some(state);
            return;
        }
        // Updates only ever replace files, so the next good build can be incremental only if it
        // has the same files as the folder being served.
        if let Some(live) = self
            .live
            .as_ref()
            .filter(|l| list_files(l) == list_files(&dir))
        {
            let stale = |f: &String| !same_file(&dir.join(f), &live.join(f));
            state.static_dirty = state.static_files.iter().any(stale);
            state.dirty = state.pages.keys().filter(|p| stale(p)).cloned().collect();
            state.extras_dirty = state.extras.iter().any(stale);
            self.state = Some(state);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Updates only what changed, or says why a full build is needed.
    fn incremental(&mut self) -> Result<Update, String> {
        let root = self.root.clone();
        let (Some(state), Some(live)) = (self.state.as_mut(), self.live.clone()) else {
            return Err("there is no previous build to update".into());
        };
        let diff: Diff = self.inputs.diff(&state.built);
        if let Some(p) = diff.added.first() {
            return Err(format!("{} was created", display_path(p)));
        }
        if let Some(p) = diff.removed.first() {
            return Err(format!("{} was deleted", display_path(p)));
        }
        if diff.modified.is_empty()
            && state.dirty.is_empty()
            && !state.extras_dirty
            && !state.static_dirty
        {
            return Ok(state.finish(Update::new(UpdateKind::Unchanged)));
        }
        let (parsed, static_changed) =
            parse_changes(&root, &state.model.config.theme, &diff.modified)?;
        if let Some(update) = state.unparsable(&parsed) {
            return Ok(update);
        }
        let change = state.apply(parsed)?;
        let mut reasons = if change.text_only {
            state.patch_bodies(&change.sources)
        } else {
            state.resolve_again(&change.sources, change.body_only)?
        };
        for p in &state.dirty {
            reasons
                .entry(p.clone())
                .or_insert_with(|| "a previous build that failed left it out of date".into());
        }
        state.model.check_diags = crate::check::check(&state.model.site, &state.model.bibliography);

        self.generation += 1;
        let scratch = self.out_root.join(format!("scratch-{}", self.generation));
        let _ = std::fs::remove_dir_all(&scratch);
        let _ = std::fs::create_dir_all(&scratch);
        let plan = Plan {
            pages: reasons.keys().cloned().collect(),
            extras: state.extras_dirty || !change.body_only,
            statics: state.static_dirty || !static_changed.is_empty(),
        };
        let written = state.write_changes(&root, &plan, &Output::new(scratch.clone()), &live);
        let written = match written {
            Ok(w) => w,
            Err(reason) => {
                let _ = std::fs::remove_dir_all(&scratch);
                return Err(reason);
            }
        };
        state.check_links_of(&plan.pages);
        for rel in &diff.modified {
            if let Some(h) = self.inputs.files.get(rel) {
                state.built.files.insert(rel.clone(), *h);
            }
        }
        let mut update = state.finish(Update::new(UpdateKind::Incremental));
        update.rendered = plan.pages.len();
        update.reasons = reasons
            .iter()
            .map(|(page, why)| format!("{page}: {why}"))
            .chain(
                (plan
                    .statics
                    .then_some(&static_changed)
                    .into_iter()
                    .flatten())
                .map(|rel| format!("{}: changed, copied again", display_path(rel))),
            )
            .collect();
        if update.ok {
            update.changed = state.publish(&scratch, &live, &plan, written);
        } else {
            state.keep_dirty(plan, written);
        }
        let _ = std::fs::remove_dir_all(&scratch);
        Ok(update)
    }

    /// Forgets the last build, so the next update is a full build (after an internal error).
    pub fn reset(&mut self) {
        self.state = None;
    }

    /// For tests: the page paths of the current model whose record path differs from the path
    /// `serve` expects (these would break the dependency map).
    pub fn mismatched_paths(&self) -> Vec<String> {
        self.state
            .as_ref()
            .map(|s| {
                s.pages
                    .iter()
                    .filter_map(|(k, p)| {
                        let r = p.record.as_ref()?;
                        (r.path != *k).then(|| format!("{k} != {}", r.path))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl State {
    /// Every current diagnostic, as a full build would report it.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut all: Vec<Diagnostic> = Vec::new();
        all.extend(self.model.load_diags.iter().cloned());
        all.extend(self.model.bib_diags.iter().cloned());
        all.extend(self.model.resolve_diags.iter().cloned());
        all.extend(self.model.check_diags.iter().cloned());
        for page in self.pages.values() {
            all.extend(page.render_diags.iter().cloned());
        }
        all.extend(self.static_diags.iter().cloned());
        all.extend(self.extras_diags.iter().cloned());
        all.extend(self.search_diags.iter().cloned());
        for page in self.pages.values() {
            all.extend(page.link_diags.iter().cloned());
        }
        diagnostics::normalise(&mut all);
        all
    }

    /// Adds the pages made from `sources`, and the pages linking to them (only those linking to
    /// a section when `anchored_only`), to `reasons`.
    fn mark_dependents(
        &self,
        sources: &[PathBuf],
        anchored_only: bool,
        reasons: &mut BTreeMap<String, String>,
    ) {
        for rel in sources {
            for p in self.pages_of_source.get(rel).into_iter().flatten() {
                reasons
                    .entry(p.clone())
                    .or_insert_with(|| format!("its source {} changed", display_path(rel)));
                let linking = if anchored_only {
                    self.anchored.get(p)
                } else {
                    self.referrers.get(p)
                };
                for q in linking.into_iter().flatten() {
                    reasons.entry(q.clone()).or_insert_with(|| {
                        format!(
                            "it links to {p}, whose source {} changed",
                            display_path(rel)
                        )
                    });
                }
            }
        }
    }

    fn index_links(&mut self) {
        self.referrers.clear();
        self.anchored.clear();
        let keys: Vec<String> = self.pages.keys().cloned().collect();
        for k in keys {
            self.index_page_links(&k);
        }
    }

    fn index_page_links(&mut self, key: &str) {
        let Some(page) = self.pages.get(key) else {
            return;
        };
        for (target, anchored) in &page.targets {
            if target == key {
                continue;
            }
            self.referrers
                .entry(target.clone())
                .or_default()
                .insert(key.to_string());
            if *anchored {
                self.anchored
                    .entry(target.clone())
                    .or_default()
                    .insert(key.to_string());
            }
        }
    }

    fn unindex_links(&mut self, key: &str) {
        let Some(page) = self.pages.get(key) else {
            return;
        };
        for (target, _) in &page.targets {
            if let Some(set) = self.referrers.get_mut(target) {
                set.remove(key);
            }
            if let Some(set) = self.anchored.get_mut(target) {
                set.remove(key);
            }
        }
    }

    fn index_sources(&mut self) {
        self.pages_of_source.clear();
        for (path, page) in &self.pages {
            if let Some(src) = &page.source {
                self.pages_of_source
                    .entry(src.clone())
                    .or_default()
                    .push(path.clone());
            }
        }
    }
}

/// What a full build makes before rendering.
struct Model {
    config: SiteConfig,
    /// Parsed content before resolving (resolving consumes and rearranges it).
    base: Content,
    site: Site,
    bibliography: Bibliography,
    templates: Templates,
    load_diags: Vec<Diagnostic>,
    bib_diags: Vec<Diagnostic>,
    resolve_diags: Vec<Diagnostic>,
    check_diags: Vec<Diagnostic>,
}

impl Model {
    /// Loads, resolves and checks the site (drafts included), and compiles the templates.
    /// Err with every problem found if the templates cannot be used.
    fn load(root: &Path, config: SiteConfig) -> Result<Model, Vec<Diagnostic>> {
        let (content, load_diags) = load::load(root, &config, load::Bodies::Keep);
        let base = clone_content(&content);
        let (bibliography, bib_diags) = crate::load_bibliography(&content, &config);
        let (site, resolve_diags) =
            Site::resolve(config.clone(), content, resolve::Options { drafts: true });
        let check_diags = crate::check::check(&site, &bibliography);
        match Templates::load(root, &config.theme) {
            Ok(templates) => Ok(Model {
                config,
                base,
                site,
                bibliography,
                templates,
                load_diags,
                bib_diags,
                resolve_diags,
                check_diags,
            }),
            Err(d) => Err([load_diags, bib_diags, resolve_diags, check_diags, d].concat()),
        }
    }

    /// Renders every page and writes every file into `dir`, checks every link, and keeps it all
    /// as the state the next update starts from.
    fn write_everything(self, root: &Path, built: Inputs, dir: &Path) -> State {
        let site = &self.site;
        let out = Output::new(dir.to_path_buf());
        let indexer = site
            .config
            .search
            .then(|| SearchIndexer::start(&site.config.language));
        let renderer = Renderer::new(site, &self.templates, &self.bibliography);
        let sink = PageWriter {
            out: out.clone(),
            search: indexer.as_ref(),
            known_files: None,
        };
        let rendered: Vec<(PageSpec, Option<PageRecord>, Vec<Diagnostic>)> = renderer
            .specs()
            .into_par_iter()
            .map(|spec| {
                let (record, diags) = renderer.render_page(&spec, &sink);
                (spec, record, diags)
            })
            .collect();
        drop((renderer, sink));
        let (static_files, static_diags) =
            crate::write::copy_static(root, &self.config.theme, &out);
        let page_paths = rendered
            .iter()
            .filter_map(|(_, r, _)| r.as_ref().map(|r| r.path.as_str()));
        let (extras, extras_diags) = match crate::write::extras::write_all(site, &out, page_paths) {
            Ok(written) => (written, Vec::new()),
            Err(d) => (Vec::new(), vec![d]),
        };
        let (search_files, search_diags) = match indexer {
            Some(indexer) => indexer.write_to(&out).unwrap_or_else(|message| {
                (Vec::new(), vec![Diagnostic::error(dir, 0, 0, message)])
            }),
            None => (Vec::new(), Vec::new()),
        };
        let mut files: HashSet<String> = rendered
            .iter()
            .filter_map(|(_, r, _)| r.as_ref().map(|r| r.path.clone()))
            .chain(static_files.iter().cloned())
            .chain(extras.iter().cloned())
            .chain(search_files.iter().cloned())
            .collect();
        files.extend(site.failed_pages());
        let pages = rendered
            .into_iter()
            .map(|(spec, record, render_diags)| {
                let targets = record
                    .as_ref()
                    .map(|r| page_targets(&r.path, &r.hrefs))
                    .unwrap_or_default();
                let page = Page {
                    source: spec_source(site, &spec),
                    spec,
                    record,
                    render_diags,
                    link_diags: Vec::new(),
                    targets,
                };
                (spec_path(site, &page.spec), page)
            })
            .collect();
        let mut state = State {
            built,
            model: self,
            static_diags,
            static_files,
            static_dirty: false,
            search_files,
            search_diags,
            extras_diags,
            extras,
            files,
            pages,
            referrers: HashMap::new(),
            anchored: HashMap::new(),
            pages_of_source: HashMap::new(),
            dirty: BTreeSet::new(),
            extras_dirty: false,
        };
        state.index_links();
        state.index_sources();
        let keys: Vec<String> = state.pages.keys().cloned().collect();
        state.check_links_of(&keys);
        state
    }
}

/// A content file that changed, parsed: (project-relative path, what loaded, its problems).
type Parsed = (PathBuf, Loaded, Vec<Diagnostic>);

/// Parses the changed content files and lists the changed static files. Err: a change that
/// needs a full build (any other input).
fn parse_changes(
    root: &Path,
    theme: &str,
    modified: &[PathBuf],
) -> Result<(Vec<Parsed>, Vec<PathBuf>), String> {
    let mut parsed = Vec::new();
    let mut statics = Vec::new();
    for rel in modified {
        if is_static(rel, theme) {
            statics.push(rel.clone());
            continue;
        }
        let Some(kind) = content_kind(rel) else {
            return Err(format!("{} changed", display_path(rel)));
        };
        let (loaded, diags) = load::load_file(root, kind, rel, load::Bodies::Keep);
        parsed.push((rel.clone(), loaded, diags));
    }
    Ok((parsed, statics))
}

/// What the changed files changed, once applied to the parsed content.
struct Change {
    sources: Vec<PathBuf>,
    /// Only the Markdown bodies' text: the site model can be patched in place.
    text_only: bool,
    /// Only bodies (their links or headings too): summaries of front matter cannot change.
    body_only: bool,
}

/// What an update renders and writes again.
struct Plan {
    pages: Vec<String>,
    extras: bool,
    statics: bool,
}

/// The files an update wrote into its scratch folder, besides its pages.
struct Written {
    /// The search index, when the site has one (it is rebuilt as a whole).
    search: Option<Vec<String>>,
}

impl Update {
    fn new(kind: UpdateKind) -> Update {
        Update {
            kind,
            ok: false,
            diagnostics: Vec::new(),
            changed: Vec::new(),
            rendered: 0,
            reasons: Vec::new(),
            seconds: 0.0,
        }
    }
}

impl State {
    /// `update` with the current diagnostics, ok if none is an error.
    fn finish(&self, mut update: Update) -> Update {
        update.diagnostics = self.diagnostics();
        update.ok = !update.diagnostics.iter().any(Diagnostic::is_error);
        update
    }

    /// If a changed file does not parse: the update that reports it, keeping the model as it was.
    fn unparsable(&self, parsed: &[Parsed]) -> Option<Update> {
        let failed: HashSet<&PathBuf> = parsed
            .iter()
            .filter(|(_, l, _)| matches!(l, Loaded::Nothing))
            .map(|(p, _, _)| p)
            .collect();
        if failed.is_empty() {
            return None;
        }
        let mut diags: Vec<Diagnostic> = self
            .diagnostics()
            .into_iter()
            .filter(|d| !failed.contains(&d.path))
            .collect();
        for (p, _, d) in parsed {
            if failed.contains(p) {
                diags.extend(d.iter().cloned());
            }
        }
        diagnostics::normalise(&mut diags);
        let mut update = Update::new(UpdateKind::Incremental);
        update.diagnostics = diags;
        Some(update)
    }

    /// Puts the parsed files into the content, and classifies the change: the body's text only,
    /// the body's links or headings (the model is resolved again, but summaries cannot change),
    /// or the front matter (everything that summarises front matter is rendered again).
    fn apply(&mut self, parsed: Vec<Parsed>) -> Result<Change, String> {
        let mut change = Change {
            sources: Vec::new(),
            text_only: true,
            body_only: true,
        };
        for (rel, loaded, diags) in parsed {
            let Some(old) = self.model.base.find(&rel) else {
                return Err(format!(
                    "{} was not part of the last build",
                    display_path(&rel)
                ));
            };
            let new = DocView::of(&loaded);
            let same_front = old.front_matter == new.front_matter
                && old.yaml_line == new.yaml_line
                && old.body_line == new.body_line
                && old.id == new.id;
            // What the site model derives from a body: mentions (backlinks) and headings
            // (section titles that evidence cites).
            let same_derived = resolve::scan_mentions(old.body) == resolve::scan_mentions(new.body)
                && headings(old.body) == headings(new.body);
            change.body_only &= same_front;
            change.text_only &= same_front && same_derived;
            self.model.base.replace(&rel, loaded);
            self.model.load_diags.retain(|d| d.path != rel);
            self.model.load_diags.extend(diags);
            change.sources.push(rel);
        }
        Ok(change)
    }

    /// For a change to bodies' text only: patches the bodies into the site model, and returns
    /// the pages to render again (the files' own pages, and those citing one of their sections).
    fn patch_bodies(&mut self, sources: &[PathBuf]) -> BTreeMap<String, String> {
        let mut reasons = BTreeMap::new();
        for rel in sources {
            let body = self
                .model
                .base
                .find(rel)
                .map(|d| d.body.to_string())
                .unwrap_or_default();
            self.model.site.content.set_body(rel, body);
            for p in self.pages_of_source.get(rel).into_iter().flatten() {
                reasons
                    .entry(p.clone())
                    .or_insert_with(|| format!("its source {} changed", display_path(rel)));
                for q in self.anchored.get(p).into_iter().flatten() {
                    reasons.entry(q.clone()).or_insert_with(|| {
                        format!(
                            "it links to a section of {} (body of {} changed)",
                            p,
                            display_path(rel)
                        )
                    });
                }
            }
        }
        reasons
    }

    /// Resolves the site again after a change to links, headings or front matter, and returns
    /// the pages to render again. Err if the change adds or removes pages.
    fn resolve_again(
        &mut self,
        sources: &[PathBuf],
        body_only: bool,
    ) -> Result<BTreeMap<String, String>, String> {
        let (site, resolve_diags) = Site::resolve(
            self.model.config.clone(),
            clone_content(&self.model.base),
            resolve::Options { drafts: true },
        );
        let specs = specs_of(&site, &self.model.templates, &self.model.bibliography);
        let new_keys: BTreeSet<String> = specs.iter().map(|s| spec_path(&site, s)).collect();
        let old_keys: BTreeSet<String> = self.pages.keys().cloned().collect();
        if new_keys != old_keys {
            let added: Vec<&String> = new_keys.difference(&old_keys).take(3).collect();
            let removed: Vec<&String> = old_keys.difference(&new_keys).take(3).collect();
            return Err(format!(
                "the change adds pages {added:?} or removes pages {removed:?}"
            ));
        }
        let mut reasons = BTreeMap::new();
        // Pages that linked to the changed files' pages before the change: all of them when the
        // front matter (titles, dates …) changed, those citing a section when only the body did.
        self.mark_dependents(sources, body_only, &mut reasons);
        for path in changed_backlinks(&self.model.site, &site) {
            if new_keys.contains(&path) {
                reasons
                    .entry(path)
                    .or_insert_with(|| "the pages linking to it changed".into());
            }
        }
        // Lists, the matrix, home and theme pages summarise front matter.
        if !body_only {
            for (path, page) in &self.pages {
                if page.source.is_none() {
                    reasons
                        .entry(path.clone())
                        .or_insert_with(|| "front matter changed (summary page)".into());
                }
            }
        }
        for spec in specs {
            let path = spec_path(&site, &spec);
            if let Some(page) = self.pages.get_mut(&path) {
                page.source = spec_source(&site, &spec);
                page.spec = spec;
            }
        }
        self.model.site = site;
        self.model.resolve_diags = resolve_diags;
        self.index_sources();
        // Pages the changed files make now (a CMO may have moved), and pages linking to them.
        self.mark_dependents(sources, body_only, &mut reasons);
        Ok(reasons)
    }

    /// Renders the planned pages into `out`, and the extra files, search index and static files
    /// the plan asks for. Err if the set of extra or static files changed (a full build is
    /// needed).
    fn write_changes(
        &mut self,
        root: &Path,
        plan: &Plan,
        out: &Output,
        live: &Path,
    ) -> Result<Written, String> {
        let indexer = (self.model.site.config.search && !plan.pages.is_empty())
            .then(|| SearchIndexer::start(&self.model.site.config.language));
        self.render_pages(&plan.pages, out, indexer.as_ref());
        if plan.extras {
            let page_paths = self
                .pages
                .values()
                .filter_map(|p| p.record.as_ref().map(|r| r.path.as_str()));
            match crate::write::extras::write_all(&self.model.site, out, page_paths) {
                Ok(written) if written != self.extras => {
                    return Err("the extra files (sitemap, feeds, exports) changed".into());
                }
                Ok(_) => self.extras_diags = Vec::new(),
                Err(d) => self.extras_diags = vec![d],
            }
        }
        let search = indexer.map(|indexer| self.write_search(indexer, &plan.pages, out, live));
        if plan.statics {
            let (written, problems) =
                crate::write::copy_static(root, &self.model.config.theme, out);
            self.static_diags = problems;
            if written != self.static_files {
                return Err("the set of static files changed".into());
            }
        }
        Ok(Written { search })
    }

    /// Renders `keys` into `out` and updates their records and the link index.
    fn render_pages(&mut self, keys: &[String], out: &Output, indexer: Option<&SearchIndexer>) {
        let results: Vec<(String, Option<PageRecord>, Vec<Diagnostic>)> = {
            let model = &self.model;
            let renderer = Renderer::new(&model.site, &model.templates, &model.bibliography);
            let sink = PageWriter {
                out: out.clone(),
                search: indexer,
                known_files: None,
            };
            let pages = &self.pages;
            keys.par_iter()
                .map(|k| {
                    let (record, diags) = renderer.render_page(&pages[k].spec, &sink);
                    (k.clone(), record, diags)
                })
                .collect()
        };
        for (k, record, diags) in results {
            self.unindex_links(&k);
            if let Some(page) = self.pages.get_mut(&k) {
                page.targets = record
                    .as_ref()
                    .map(|r| page_targets(&r.path, &r.hrefs))
                    .unwrap_or_default();
                page.record = record;
                page.render_diags = diags;
            }
            self.index_page_links(&k);
        }
    }

    /// Finishes the search index into `out`. It covers every page: the pages not rendered now
    /// are read from the served folder (an index cannot be updated page by page). Returns the
    /// index's files, which the link checker now sees.
    fn write_search(
        &mut self,
        indexer: SearchIndexer,
        rendered: &[String],
        out: &Output,
        live: &Path,
    ) -> Vec<String> {
        let rendered: HashSet<&String> = rendered.iter().collect();
        for (path, page) in &self.pages {
            if rendered.contains(path) || page.record.is_none() {
                continue;
            }
            if let Ok(html) = std::fs::read_to_string(live.join(path)) {
                if html.contains("data-pagefind-body") {
                    let url = path.strip_suffix("index.html").unwrap_or(path);
                    indexer.add(url.to_string(), html);
                }
            }
        }
        let (written, diags) = indexer.write_to(out).unwrap_or_else(|message| {
            (Vec::new(), vec![Diagnostic::error(&out.dir, 0, 0, message)])
        });
        self.search_diags = diags;
        // Index files are named by their contents: the link checker sees the new set.
        for old in &self.search_files {
            self.files.remove(old);
        }
        self.files.extend(written.iter().cloned());
        written
    }

    /// Checks the links of `keys` and of the pages that link into them with anchors.
    fn check_links_of(&mut self, keys: &[String]) {
        let mut to_check: BTreeSet<String> = keys.iter().cloned().collect();
        for k in keys {
            if let Some(refs) = self.anchored.get(k) {
                to_check.extend(refs.iter().cloned());
            }
        }
        let to_check: Vec<String> = to_check.into_iter().collect();
        let link_diags: Vec<Vec<Diagnostic>> = to_check
            .par_iter()
            .map(|k| link_check(&self.pages[k], &self.pages, &self.files))
            .collect();
        for (k, d) in to_check.iter().zip(link_diags) {
            if let Some(p) = self.pages.get_mut(k) {
                p.link_diags = d;
            }
        }
    }

    /// Moves what the update wrote from `scratch` into the served folder `live`; returns the
    /// site-relative files that changed there.
    fn publish(
        &mut self,
        scratch: &Path,
        live: &Path,
        plan: &Plan,
        written: Written,
    ) -> Vec<String> {
        let mut moved = Vec::new();
        let mut candidates: Vec<String> = plan.pages.clone();
        if plan.extras {
            candidates.extend(self.extras.iter().cloned());
        }
        if plan.statics {
            candidates.extend(self.static_files.iter().cloned());
        }
        if let Some(new) = &written.search {
            candidates.extend(new.iter().cloned());
        }
        for rel in candidates {
            let from = scratch.join(&rel);
            let to = live.join(&rel);
            if !from.is_file() || same_file(&from, &to) {
                continue;
            }
            if let Some(parent) = to.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            if std::fs::rename(&from, &to).is_ok() {
                moved.push(rel);
            }
        }
        if let Some(new) = written.search {
            let keep: HashSet<&String> = new.iter().collect();
            for old in &self.search_files {
                if !keep.contains(old) {
                    let _ = std::fs::remove_file(live.join(old));
                    moved.push(old.clone());
                }
            }
            self.search_files = new;
        }
        self.dirty.clear();
        self.extras_dirty = false;
        self.static_dirty = false;
        moved
    }

    /// After an update with errors (the served folder keeps its files): remembers what is out of
    /// date there, to render again next time.
    fn keep_dirty(&mut self, plan: Plan, written: Written) {
        if let Some(new) = written.search {
            for f in new {
                self.files.remove(&f);
            }
            self.files.extend(self.search_files.iter().cloned());
        }
        self.dirty.extend(plan.pages);
        self.extras_dirty |= plan.extras;
        self.static_dirty |= plan.statics;
    }
}

/// The pages of entities whose backlinks differ between two resolutions of the site.
fn changed_backlinks(old: &Site, new: &Site) -> Vec<String> {
    let mut entities: BTreeSet<&(Kind, String)> = BTreeSet::new();
    for (key, links) in &new.backlinks {
        if old.backlinks.get(key) != Some(links) {
            entities.insert(key);
        }
    }
    for key in old.backlinks.keys() {
        if !new.backlinks.contains_key(key) {
            entities.insert(key);
        }
    }
    entities
        .into_iter()
        .map(|(kind, id)| format!("{}index.html", Site::url(*kind, id)))
        .collect()
}

/// The pages a renderer would make for `site` (the spec list does not depend on templates).
fn specs_of(site: &Site, templates: &Templates, bibliography: &Bibliography) -> Vec<PageSpec> {
    Renderer::new(site, templates, bibliography).specs()
}

/// The content file a page is made from; None for pages that summarise many files.
fn spec_source(site: &Site, spec: &PageSpec) -> Option<PathBuf> {
    let c = &site.content;
    match spec {
        PageSpec::Report(i) => Some(c.reports[*i].path.clone()),
        PageSpec::Cmo(i) => Some(site.cmo_document_path(&site.cmos[*i])),
        PageSpec::Entity(kind, i) => Some(entity_doc(c, *kind, *i).1.to_path_buf()),
        _ => None,
    }
}

/// Whether a project-relative path is a file of the site's or the theme's static/ folder.
fn is_static(rel: &Path, theme: &str) -> bool {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [first, _, ..] if first == "static" => true,
        [themes, name, folder, _, ..] => themes == "themes" && name == theme && folder == "static",
        _ => false,
    }
}

/// The ATX heading lines of a Markdown body.
fn headings(body: &str) -> Vec<&str> {
    body.lines().filter(|l| l.starts_with('#')).collect()
}

/// The kind of a content file `content/<folder>/<name>.md`, or None for anything else.
fn content_kind(rel: &Path) -> Option<Kind> {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.len() != 3 || parts[0] != "content" {
        return None;
    }
    let name = &parts[2];
    if name.starts_with('.') || !name.ends_with(".md") {
        return None;
    }
    Kind::REFERABLE.into_iter().find(|k| k.folder() == parts[1])
}

/// The pages a page links to: site-relative file paths, each with whether an anchor was named.
fn page_targets(page: &str, hrefs: &[String]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for href in hrefs {
        if href.is_empty() || crate::url::links::is_external(href) || href.starts_with('/') {
            continue;
        }
        let (path, fragment) = href
            .split_once('#')
            .map_or((href.as_str(), None), |(p, f)| (p, Some(f)));
        let path = path.split('?').next().unwrap_or("");
        let anchored = fragment.is_some_and(|f| !f.is_empty() && f != "top");
        let target = if path.is_empty() {
            page.to_string()
        } else {
            match crate::check::links::resolve_page(page, path) {
                Some(t) => t,
                None => continue,
            }
        };
        match out.iter_mut().find(|(t, _)| *t == target) {
            Some(entry) => entry.1 |= anchored,
            None => out.push((target, anchored)),
        }
    }
    out
}

/// The link problems of one page: its own record plus the ids of the pages it links into.
fn link_check(
    page: &Page,
    pages: &BTreeMap<String, Page>,
    files: &HashSet<String>,
) -> Vec<Diagnostic> {
    let Some(record) = &page.record else {
        return Vec::new();
    };
    let mut mini = vec![PageRecord {
        path: record.path.clone(),
        ids: record.ids.clone(),
        hrefs: record.hrefs.clone(),
        source: record.source.clone(),
        md_links: record.md_links.clone(),
        template: record.template,
    }];
    for (target, anchored) in &page.targets {
        if !anchored || *target == record.path {
            continue;
        }
        if let Some(t) = pages.get(target).and_then(|p| p.record.as_ref()) {
            mini.push(PageRecord {
                path: t.path.clone(),
                ids: t.ids.clone(),
                ..Default::default()
            });
        }
    }
    crate::check::links::check(&mini, files)
}

/// The site-relative paths of every file under `dir`.
fn list_files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(display_path))
        .collect()
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::read(a), std::fs::read(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The parts of a parsed document that decide what a change affects.
struct DocView<'a> {
    id: &'a str,
    front_matter: &'a str,
    yaml_line: usize,
    body_line: usize,
    body: &'a str,
}

impl<'a> DocView<'a> {
    fn from_doc<T>(d: &'a Document<T>) -> DocView<'a> {
        DocView {
            id: &d.id,
            front_matter: d.front_matter.text(),
            yaml_line: d.yaml_line,
            body_line: d.body_line,
            body: d.body.text().unwrap_or_default(),
        }
    }

    fn of(loaded: &'a Loaded) -> DocView<'a> {
        match loaded {
            Loaded::Report(d) => DocView::from_doc(d),
            Loaded::Cmo(d) => DocView::from_doc(d),
            Loaded::Entity(d) => DocView::from_doc(d),
            Loaded::Nothing => DocView {
                id: "",
                front_matter: "",
                yaml_line: 0,
                body_line: 0,
                body: "",
            },
        }
    }
}

/// Lookups and replacement of one document in a [`Content`], by path.
trait ContentExt {
    fn find(&self, rel: &Path) -> Option<DocView<'_>>;
    fn replace(&mut self, rel: &Path, loaded: Loaded);
    fn set_body(&mut self, rel: &Path, body: String);
}

fn position<T>(docs: &[Document<T>], rel: &Path) -> Option<usize> {
    docs.iter().position(|d| d.path == rel)
}

impl ContentExt for Content {
    fn find(&self, rel: &Path) -> Option<DocView<'_>> {
        position(&self.reports, rel)
            .map(|i| DocView::from_doc(&self.reports[i]))
            .or_else(|| position(&self.cmos, rel).map(|i| DocView::from_doc(&self.cmos[i])))
            .or_else(|| {
                let docs = self.entities.iter().flatten();
                docs.into_iter()
                    .find(|d| d.path == rel)
                    .map(DocView::from_doc)
            })
    }

    fn replace(&mut self, rel: &Path, loaded: Loaded) {
        fn put<T>(docs: &mut Vec<Document<T>>, rel: &Path, d: Document<T>) {
            match position(docs, rel) {
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

    fn set_body(&mut self, rel: &Path, body: String) {
        fn set<T>(docs: &mut [Document<T>], rel: &Path, body: &str) -> bool {
            match docs.iter_mut().find(|d| d.path == rel) {
                Some(d) => {
                    d.body = crate::load::Body::Text(body.to_string());
                    true
                }
                None => false,
            }
        }
        let _ = set(&mut self.reports, rel, &body)
            || set(&mut self.cmos, rel, &body)
            || self.entities.iter_mut().any(|docs| set(docs, rel, &body));
    }
}

fn clone_content(c: &Content) -> Content {
    Content {
        root: c.root.clone(),
        reports: c.reports.clone(),
        cmos: c.cmos.clone(),
        entities: c.entities.clone(),
        glossary: c.glossary.clone(),
        glossary_text: c.glossary_text.clone(),
        bibliography: c.bibliography.clone(),
        failed: c.failed.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_relative_to_the_page() {
        let t = page_targets(
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
    fn content_kinds() {
        assert_eq!(
            content_kind(Path::new("content/reports/a.md")),
            Some(Kind::Report)
        );
        assert_eq!(content_kind(Path::new("content/glossary.yaml")), None);
        assert_eq!(content_kind(Path::new("content/reports/.a.md")), None);
        assert_eq!(content_kind(Path::new("templates/base.html")), None);
    }
}
