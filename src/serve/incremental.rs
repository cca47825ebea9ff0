//! Incremental rebuilds for `realist serve`.
//!
//! A [`Session`] keeps everything the last build made: the model of [`crate::pipeline`] (site,
//! bibliography, templates), the content as loaded, each stage's problems, and for every page
//! what the pipeline rendered (its record and problems) plus serve's own dependency map (the
//! source file a page is made from, and the pages it links to). The stages themselves are the
//! pipeline's: a full build is [`pipeline::prepare`] and [`pipeline::write_site`], and an update
//! calls [`pipeline::render`] and [`pipeline::check_links`] on the pages it picked.
//!
//! After a change, an update:
//!
//! 1. Compares the inputs with those of the last build; a new, deleted or renamed file, or a
//!    change to anything but content files and static files (templates, themes, site.yaml, the
//!    glossary, the bibliography), needs a full build.
//! 2. Parses the changed content files and classifies the change: only a body's text (same
//!    front matter, same `](@kind/id)` mentions and headings), a body's links or headings, or
//!    front matter.
//! 3. Plans the pages to render again: for body text, the file's own pages and the pages linking
//!    into them with an anchor (the site model is patched in place); otherwise the site is
//!    resolved again ([`pipeline::resolve`]) and the file's dependents, every page whose
//!    backlinks changed, and (for front matter) every summary page and the extra files are
//!    planned. A change that adds or removes pages needs a full build.
//! 4. Renders the planned pages into a scratch folder, checks their links against the whole
//!    site, and moves them into the served folder only when the whole site has no errors, so a
//!    failed build leaves the last good site being served. Pages that were not moved in are
//!    remembered as dirty and rendered again next time.
//!
//! A full build writes a new folder and switches to it in one step. `tests/serve_incremental.rs`
//! checks that its output and every incremental update are byte-identical to `realist::build`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::inputs::{Diff, Inputs};
use crate::check::links::link_targets;
use crate::diagnostics::{self, display_path, Diagnostic};
use crate::load::schema::Kind;
use crate::load::{self, Content, Document, Loaded};
use crate::pipeline::{self, Model, Problems};
use crate::render::{entity_doc, spec_path, PageRecord, PageSpec};
use crate::resolve::{self, Site};
use crate::write::search::SearchIndexer;
use crate::write::Output;
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

/// One page of the current build: what the pipeline rendered, and where it sits in the
/// dependency map.
struct Page {
    built: pipeline::Page,
    /// The content file the page is made from (a report for its inline CMOs).
    source: Option<PathBuf>,
    /// Site-relative pages this page links to, and whether with an `#anchor`.
    targets: Vec<(String, bool)>,
}

impl Page {
    fn new(site: &Site, built: pipeline::Page) -> Page {
        Page {
            source: spec_source(site, &built.spec),
            targets: targets_of(&built),
            built,
        }
    }
}

fn targets_of(page: &pipeline::Page) -> Vec<(String, bool)> {
    page.record
        .as_ref()
        .map(|r| link_targets(&r.path, &r.hrefs))
        .unwrap_or_default()
}

/// The dependency map: which pages link to which, and which pages each source file makes.
#[derive(Default)]
struct Deps {
    /// Page path → pages linking to it (with and without an anchor).
    referrers: HashMap<String, BTreeSet<String>>,
    /// Page path → pages linking to it with an anchor.
    anchored: HashMap<String, BTreeSet<String>>,
    /// Source file → the pages made from it.
    pages_of_source: HashMap<PathBuf, Vec<String>>,
}

impl Deps {
    fn of(pages: &BTreeMap<String, Page>) -> Deps {
        let mut deps = Deps::default();
        for (key, page) in pages {
            deps.link(key, &page.targets);
        }
        deps.index_sources(pages);
        deps
    }

    /// Records that the page `key` links to `targets`.
    fn link(&mut self, key: &str, targets: &[(String, bool)]) {
        for (target, anchored) in targets {
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

    /// Forgets that the page `key` links to `targets`.
    fn unlink(&mut self, key: &str, targets: &[(String, bool)]) {
        for (target, _) in targets {
            if let Some(set) = self.referrers.get_mut(target) {
                set.remove(key);
            }
            if let Some(set) = self.anchored.get_mut(target) {
                set.remove(key);
            }
        }
    }

    fn index_sources(&mut self, pages: &BTreeMap<String, Page>) {
        self.pages_of_source.clear();
        for (path, page) in pages {
            if let Some(src) = &page.source {
                self.pages_of_source
                    .entry(src.clone())
                    .or_default()
                    .push(path.clone());
            }
        }
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
}

/// Everything the last build made, kept for the next update.
struct State {
    /// The inputs the site model reflects.
    built: Inputs,
    /// The pipeline's model, patched or replaced by each update.
    model: Model,
    /// The content as loaded, before resolving rearranged it; patched file by file.
    content: Content,
    /// The problems of the stages before rendering.
    problems: Problems,
    /// The files copied from the theme's and the site's static/ folders.
    static_files: Vec<String>,
    static_diags: Vec<Diagnostic>,
    static_dirty: bool,
    /// The search index's files (when site.yaml asks for search), rebuilt with every update.
    search_files: Vec<String>,
    search_diags: Vec<Diagnostic>,
    extras: Vec<String>,
    extras_diags: Vec<Diagnostic>,
    extras_dirty: bool,
    /// Every file of the output, for the link checker.
    files: HashSet<String>,
    /// Page path → page.
    pages: BTreeMap<String, Page>,
    deps: Deps,
    /// Pages whose served file may be out of date (rendered by a failed build).
    dirty: BTreeSet<String>,
}

impl State {
    /// The state a full build leaves.
    fn new(
        built: Inputs,
        model: Model,
        content: Content,
        problems: Problems,
        written: pipeline::Written,
    ) -> State {
        let site = &model.site;
        let pages: BTreeMap<String, Page> = written
            .pages
            .into_iter()
            .map(|p| (spec_path(site, &p.spec), Page::new(site, p)))
            .collect();
        let deps = Deps::of(&pages);
        State {
            built,
            model,
            content,
            problems,
            static_files: written.statics.0,
            static_diags: written.statics.1,
            static_dirty: false,
            search_files: written.search.0,
            search_diags: written.search.1,
            extras: written.extras.0,
            extras_diags: written.extras.1,
            extras_dirty: false,
            files: written.files,
            pages,
            deps,
            dirty: BTreeSet::new(),
        }
    }

    /// Every current diagnostic, as a full build would report it.
    fn diagnostics(&self) -> Vec<Diagnostic> {
        let pages = || self.pages.values().map(|p| &p.built);
        let mut all: Vec<Diagnostic> = self
            .problems
            .all()
            .chain(&self.static_diags)
            .chain(pages().flat_map(|p| &p.problems))
            .chain(&self.extras_diags)
            .chain(&self.search_diags)
            .chain(pages().flat_map(|p| &p.link_problems))
            .cloned()
            .collect();
        diagnostics::normalise(&mut all);
        all
    }

    /// `update` with the current diagnostics, ok if none is an error.
    fn finish(&self, mut update: Update) -> Update {
        update.diagnostics = self.diagnostics();
        update.ok = !update.diagnostics.iter().any(Diagnostic::is_error);
        update
    }

    /// Whether a failed update left something out of date in the served folder.
    fn has_dirty(&self) -> bool {
        !self.dirty.is_empty() || self.extras_dirty || self.static_dirty
    }
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

    /// Forgets the last build, so the next update is a full build (after an internal error).
    pub fn reset(&mut self) {
        self.state = None;
    }

    /// For tests: the page paths of the current model whose record path differs from the path
    /// `serve` expects (these would break the dependency map).
    pub fn mismatched_paths(&self) -> Vec<String> {
        let Some(state) = &self.state else {
            return Vec::new();
        };
        state
            .pages
            .iter()
            .filter_map(|(k, p)| {
                let r = p.built.record.as_ref()?;
                (r.path != *k).then(|| format!("{k} != {}", r.path))
            })
            .collect()
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

    /// A full build into a new folder, by the pipeline's stages (with drafts); on success it
    /// becomes the served folder.
    fn full_build(&mut self) -> Update {
        let root = self.root.clone();
        // Read the inputs first, so that a change made during the build is seen afterwards.
        let config = pipeline::config(&root, None);
        self.extra = vec![PathBuf::from("site.yaml")];
        if let Ok(c) = &config {
            self.base_path = Some(c.base_path());
            self.extra.extend(c.bibliography.iter().cloned());
        }
        self.inputs = Inputs::scan(&root, &self.extra);
        let built = self.inputs.clone();
        self.state = None;
        if let Some(d) = pipeline::no_site_here(&root) {
            return Update::failed(vec![d]);
        }
        let how = pipeline::Prepare {
            drafts: true,
            bodies: load::Bodies::Keep,
            keep_content: true,
        };
        let prepared = match config {
            Ok(config) => pipeline::prepare(&root, config, how, &mut |_| {}),
            Err(diags) => return Update::failed(diags),
        };
        let model = match prepared.model {
            Ok(model) => model,
            Err(d) => {
                return Update::failed([prepared.problems.all().cloned().collect(), d].concat())
            }
        };
        let dir = self.next_dir("site");
        if let Err(e) = std::fs::create_dir_all(&dir) {
            let d = Diagnostic::error(&dir, 0, 0, format!("cannot create the output: {e}"));
            return Update::failed(vec![d]);
        }
        let with = pipeline::WriteWith {
            search: true,
            check_early: false,
            report_at: &dir,
        };
        let out = Output::new(dir.clone());
        let written = pipeline::write_site(&model, &root, &out, with, &mut |_| {});
        let content = prepared.content.unwrap_or_default();
        let state = State::new(built, model, content, prepared.problems, written);
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
        if diff.modified.is_empty() && !state.has_dirty() {
            return Ok(state.finish(Update::new(UpdateKind::Unchanged)));
        }
        let theme = state.model.site.config.theme.clone();
        let (parsed, static_changed) = parse_changes(&root, &theme, &diff.modified)?;
        if let Some(update) = state.unparsable(&parsed) {
            return Ok(update);
        }
        let change = state.apply(parsed)?;
        let plan = state.plan(&change, static_changed)?;
        self.generation += 1;
        let scratch = self.out_root.join(format!("scratch-{}", self.generation));
        let _ = std::fs::remove_dir_all(&scratch);
        let _ = std::fs::create_dir_all(&scratch);
        let update = state.carry_out(&root, plan, &scratch, &live);
        let _ = std::fs::remove_dir_all(&scratch);
        if update.is_ok() {
            for rel in &diff.modified {
                if let Some(h) = self.inputs.files.get(rel) {
                    state.built.files.insert(rel.clone(), *h);
                }
            }
        }
        update
    }
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

    /// A full build that stopped before rendering, with its problems.
    fn failed(mut diagnostics: Vec<Diagnostic>) -> Update {
        diagnostics::normalise(&mut diagnostics);
        let mut update = Update::new(UpdateKind::Full);
        update.diagnostics = diagnostics;
        update
    }
}

// ---------------------------------------------------------------------------------------------
// The planner: what a change affects.

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

/// What the changed files changed, once applied to the loaded content.
struct Change {
    sources: Vec<PathBuf>,
    /// Only the Markdown bodies' text: the site model can be patched in place.
    text_only: bool,
    /// Only bodies (their links or headings too): summaries of front matter cannot change.
    body_only: bool,
}

/// What an update renders and writes again.
struct Plan {
    /// Page path → why it is rendered again.
    pages: BTreeMap<String, String>,
    extras: bool,
    statics: bool,
    /// The static files that changed.
    static_changed: Vec<PathBuf>,
}

impl State {
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
            let Some(old) = self.content.find(&rel) else {
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
            self.content.replace(&rel, loaded);
            self.problems.load.retain(|d| d.path != rel);
            self.problems.load.extend(diags);
            change.sources.push(rel);
        }
        Ok(change)
    }

    /// Plans the pages and files to write again after `change`, updating the site model.
    /// Err: the change needs a full build.
    fn plan(&mut self, change: &Change, static_changed: Vec<PathBuf>) -> Result<Plan, String> {
        let mut pages = if change.text_only {
            self.patch_bodies(&change.sources)
        } else {
            self.resolve_again(&change.sources, change.body_only)?
        };
        for p in &self.dirty {
            pages
                .entry(p.clone())
                .or_insert_with(|| "a previous build that failed left it out of date".into());
        }
        self.problems.check = pipeline::check(&self.model.site, &self.model.bibliography);
        Ok(Plan {
            pages,
            extras: self.extras_dirty || !change.body_only,
            statics: self.static_dirty || !static_changed.is_empty(),
            static_changed,
        })
    }

    /// For a change to bodies' text only: patches the bodies into the site model, and returns
    /// the pages to render again (the files' own pages, and those citing one of their sections).
    fn patch_bodies(&mut self, sources: &[PathBuf]) -> BTreeMap<String, String> {
        let mut reasons = BTreeMap::new();
        for rel in sources {
            let body = self
                .content
                .find(rel)
                .map(|d| d.body.to_string())
                .unwrap_or_default();
            self.model.site.content.set_body(rel, body);
            for p in self.deps.pages_of_source.get(rel).into_iter().flatten() {
                reasons
                    .entry(p.clone())
                    .or_insert_with(|| format!("its source {} changed", display_path(rel)));
                for q in self.deps.anchored.get(p).into_iter().flatten() {
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
    /// the pages to render again. Err if the change adds or removes pages (the state is then
    /// dropped by the full build that follows).
    fn resolve_again(
        &mut self,
        sources: &[PathBuf],
        body_only: bool,
    ) -> Result<BTreeMap<String, String>, String> {
        let config = self.model.site.config.clone();
        let (site, resolve_diags) = pipeline::resolve(config, self.content.clone(), true);
        let old = std::mem::replace(&mut self.model.site, site);
        let specs = pipeline::specs(&self.model);
        let site = &self.model.site;
        let new_keys: BTreeSet<String> = specs.iter().map(|s| spec_path(site, s)).collect();
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
        self.deps.mark_dependents(sources, body_only, &mut reasons);
        for path in changed_backlinks(&old, site) {
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
            if let Some(page) = self.pages.get_mut(&spec_path(site, &spec)) {
                page.source = spec_source(site, &spec);
                page.built.spec = spec;
            }
        }
        self.problems.resolve = resolve_diags;
        self.deps.index_sources(&self.pages);
        // Pages the changed files make now (a CMO may have moved), and pages linking to them.
        self.deps.mark_dependents(sources, body_only, &mut reasons);
        Ok(reasons)
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

// ---------------------------------------------------------------------------------------------
// Carrying out a plan: the pipeline's stages on the planned pages, then the served folder.

impl State {
    /// Writes what `plan` asks for into `scratch`, checks the links of the pages rendered, and
    /// moves the files into the served folder `live` if the site has no errors. Err: the set of
    /// extra or static files changed (a full build is needed).
    fn carry_out(
        &mut self,
        root: &Path,
        plan: Plan,
        scratch: &Path,
        live: &Path,
    ) -> Result<Update, String> {
        let keys: Vec<String> = plan.pages.keys().cloned().collect();
        let search = self.write_changes(root, &plan, &keys, &Output::new(scratch.into()), live)?;
        self.check_links_of(&keys);
        let mut update = self.finish(Update::new(UpdateKind::Incremental));
        update.rendered = keys.len();
        update.reasons = plan
            .pages
            .iter()
            .map(|(page, why)| format!("{page}: {why}"))
            .chain(
                (plan
                    .statics
                    .then_some(&plan.static_changed)
                    .into_iter()
                    .flatten())
                .map(|rel| format!("{}: changed, copied again", display_path(rel))),
            )
            .collect();
        if update.ok {
            update.changed = self.publish(scratch, live, &plan, &keys, search);
        } else {
            self.keep_dirty(plan, keys, search);
        }
        Ok(update)
    }

    /// Copies the static files (when planned), renders the planned pages `keys` into `out`, and
    /// writes the extra files and search index the plan asks for, in the pipeline's order.
    /// Returns the search index's files, when the site has search.
    fn write_changes(
        &mut self,
        root: &Path,
        plan: &Plan,
        keys: &[String],
        out: &Output,
        live: &Path,
    ) -> Result<Option<Vec<String>>, String> {
        if plan.statics {
            let (written, problems) =
                crate::write::copy_static(root, &self.model.site.config.theme, out);
            self.static_diags = problems;
            if written != self.static_files {
                return Err("the set of static files changed".into());
            }
        }
        let config = &self.model.site.config;
        let indexer =
            (config.search && !keys.is_empty()).then(|| SearchIndexer::start(&config.language));
        self.render_pages(keys, out, indexer.as_ref());
        if plan.extras {
            let page_paths = self
                .pages
                .values()
                .filter_map(|p| p.built.record.as_ref().map(|r| r.path.as_str()));
            let (written, problems) = pipeline::extras(&self.model.site, out, page_paths);
            if problems.is_empty() && written != self.extras {
                return Err("the extra files (sitemap, feeds, exports) changed".into());
            }
            self.extras_diags = problems;
        }
        Ok(indexer.map(|indexer| self.write_search(indexer, keys, out, live)))
    }

    /// Renders the pages `keys` into `out` and updates their records and the dependency map.
    fn render_pages(&mut self, keys: &[String], out: &Output, search: Option<&SearchIndexer>) {
        let specs: Vec<PageSpec> = keys
            .iter()
            .map(|k| self.pages[k].built.spec.clone())
            .collect();
        let with = pipeline::RenderWith {
            search,
            known: None,
            timings: None,
        };
        let rendered = pipeline::render(&self.model, specs, out, with);
        for (key, built) in keys.iter().zip(rendered) {
            if let Some(page) = self.pages.get_mut(key) {
                self.deps.unlink(key, &page.targets);
                page.targets = targets_of(&built);
                page.built = built;
                self.deps.link(key, &page.targets);
            }
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
            if rendered.contains(path) || page.built.record.is_none() {
                continue;
            }
            if let Ok(html) = std::fs::read_to_string(live.join(path)) {
                if html.contains("data-pagefind-body") {
                    let url = path.strip_suffix("index.html").unwrap_or(path);
                    indexer.add(url.to_string(), html);
                }
            }
        }
        let (written, diags) = pipeline::search(indexer, out, &out.dir);
        self.search_diags = diags;
        // Index files are named by their contents: the link checker sees the new set.
        for old in &self.search_files {
            self.files.remove(old);
        }
        self.files.extend(written.iter().cloned());
        written
    }

    /// Checks the links of `keys` and of the pages that link into them with anchors, against
    /// the whole site.
    fn check_links_of(&mut self, keys: &[String]) {
        let mut to_check: BTreeSet<&String> = keys.iter().collect();
        for k in keys {
            to_check.extend(self.deps.anchored.get(k).into_iter().flatten());
        }
        let to_check: Vec<String> = to_check.into_iter().cloned().collect();
        let record = |k: &String| self.pages.get(k).and_then(|p| p.built.record.as_ref());
        let mut found = {
            let checked: Vec<&PageRecord> = to_check.iter().filter_map(record).collect();
            let site_pages = self.pages.values().filter_map(|p| p.built.record.as_ref());
            pipeline::check_links(&checked, site_pages, &self.files).into_iter()
        };
        for k in &to_check {
            if let Some(page) = self.pages.get_mut(k) {
                page.built.link_problems = match page.built.record {
                    Some(_) => found.next().unwrap_or_default(),
                    None => Vec::new(),
                };
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
        keys: &[String],
        search: Option<Vec<String>>,
    ) -> Vec<String> {
        let mut candidates: Vec<&String> = keys.iter().collect();
        if plan.extras {
            candidates.extend(&self.extras);
        }
        if plan.statics {
            candidates.extend(&self.static_files);
        }
        candidates.extend(search.iter().flatten());
        let mut moved: Vec<String> = candidates
            .into_iter()
            .filter(|rel| move_in(&scratch.join(rel), &live.join(rel)))
            .cloned()
            .collect();
        if let Some(new) = search {
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
    fn keep_dirty(&mut self, plan: Plan, keys: Vec<String>, search: Option<Vec<String>>) {
        if let Some(new) = search {
            for f in new {
                self.files.remove(&f);
            }
            self.files.extend(self.search_files.iter().cloned());
        }
        self.dirty.extend(keys);
        self.extras_dirty |= plan.extras;
        self.static_dirty |= plan.statics;
    }
}

/// Moves the file `from` to `to` if it differs from it; whether it was moved.
fn move_in(from: &Path, to: &Path) -> bool {
    if !from.is_file() || same_file(from, to) {
        return false;
    }
    if let Some(parent) = to.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::rename(from, to).is_ok()
}

/// The content file a page is made from; None for pages that summarise many files.
fn spec_source(site: &Site, spec: &PageSpec) -> Option<PathBuf> {
    let c = &site.content;
    match spec {
        PageSpec::Report(i) => Some(c.reports[*i].path.clone()),
        PageSpec::Cmo(i) => Some(site.cmo_document_path(&site.cmos[*i])),
        PageSpec::Entity(kind, i) => Some(entity_doc(c, *kind, *i).1.to_path_buf()),
        PageSpec::Home
        | PageSpec::List(_)
        | PageSpec::Matrix
        | PageSpec::Glossary
        | PageSpec::Search
        | PageSpec::NotFound
        | PageSpec::Theme(_) => None,
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
            Loaded::Study(d) => DocView::from_doc(d),
            Loaded::Report(d) => DocView::from_doc(d),
            Loaded::Tracer(d) => DocView::from_doc(d),
            Loaded::Area(d) => DocView::from_doc(d),
            Loaded::Theory(d) => DocView::from_doc(d),
            Loaded::Cmo(d) => DocView::from_doc(d),
            Loaded::Page(d) => DocView::from_doc(d),
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
        position(&self.studies, rel)
            .map(|i| DocView::from_doc(&self.studies[i]))
            .or_else(|| position(&self.reports, rel).map(|i| DocView::from_doc(&self.reports[i])))
            .or_else(|| position(&self.tracers, rel).map(|i| DocView::from_doc(&self.tracers[i])))
            .or_else(|| position(&self.areas, rel).map(|i| DocView::from_doc(&self.areas[i])))
            .or_else(|| position(&self.theories, rel).map(|i| DocView::from_doc(&self.theories[i])))
            .or_else(|| position(&self.cmos, rel).map(|i| DocView::from_doc(&self.cmos[i])))
            .or_else(|| position(&self.pages, rel).map(|i| DocView::from_doc(&self.pages[i])))
    }

    fn replace(&mut self, rel: &Path, loaded: Loaded) {
        fn put<T>(docs: &mut Vec<Document<T>>, rel: &Path, d: Document<T>) {
            match position(docs, rel) {
                Some(i) => docs[i] = d,
                None => docs.push(d),
            }
        }
        match loaded {
            Loaded::Study(d) => put(&mut self.studies, rel, d),
            Loaded::Report(d) => put(&mut self.reports, rel, d),
            Loaded::Tracer(d) => put(&mut self.tracers, rel, d),
            Loaded::Area(d) => put(&mut self.areas, rel, d),
            Loaded::Theory(d) => put(&mut self.theories, rel, d),
            Loaded::Cmo(d) => put(&mut self.cmos, rel, d),
            Loaded::Page(d) => put(&mut self.pages, rel, d),
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
        let _ = set(&mut self.studies, rel, &body)
            || set(&mut self.reports, rel, &body)
            || set(&mut self.tracers, rel, &body)
            || set(&mut self.areas, rel, &body)
            || set(&mut self.theories, rel, &body)
            || set(&mut self.cmos, rel, &body)
            || set(&mut self.pages, rel, &body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
