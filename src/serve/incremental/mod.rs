//! Incremental rebuilds for `realist serve`.
//!
//! A [`Session`] keeps everything the last build made: the model of `crate::pipeline` (site,
//! bibliography, templates), the content as loaded, each stage's problems, and for every page
//! what the pipeline rendered (its record and problems) plus serve's own dependency map (the
//! source file a page is made from, and the pages it links to). The stages themselves are the
//! pipeline's: a full build is `pipeline::prepare` and `pipeline::write_site`, and an update
//! calls `pipeline::render` and `pipeline::check_links` on the pages it picked.
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
//!    resolved again (`pipeline::resolve`) and the file's dependents, every page whose
//!    backlinks changed, and (for front matter) every summary page and the extra files are
//!    planned. A change that adds or removes pages needs a full build.
//! 4. Renders the planned pages into a scratch folder, checks their links against the whole
//!    site, and moves them into the served folder only when the whole site has no errors, so a
//!    failed build leaves the last good site being served. Pages that were not moved in are
//!    remembered as dirty and rendered again next time.
//!
//! Steps 2 and 3 are the planner (`plan`), reading the dependency map (`deps`); step 4 is
//! `apply`. A full build writes a new folder and switches to it in one step.
//! `tests/integration/serve_incremental.rs` checks that its output and every incremental update are
//! byte-identical to `realist::build`.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::inputs::{Diff, Inputs};
use crate::check::links::link_targets;
use crate::diagnostics::{self, display_path, Diagnostic};
use crate::load::{self, Content};
use crate::pipeline::{self, Model, Problems};
use crate::render::{entity_doc, spec_path, PageSpec};
use crate::resolve::Site;
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

mod apply;
mod deps;
mod plan;

use apply::{list_files, same_file};
use deps::Deps;
use plan::parse_changes;

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
    /// The deny-listed names the last build or update found (site.yaml `anonymity`).
    anonymity_diags: Vec<Diagnostic>,
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
            anonymity_diags: written.anonymity,
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
            .chain(&self.anonymity_diags)
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
        // An update scans only the files it writes, so it cannot tell that a name found in
        // another file is gone: only a full build can clear the lint's errors.
        if !state.anonymity_diags.is_empty() {
            return Err("the last build found names of the deny-list".into());
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
        | PageSpec::Exports
        | PageSpec::Search
        | PageSpec::NotFound
        | PageSpec::Theme(_) => None,
    }
}
