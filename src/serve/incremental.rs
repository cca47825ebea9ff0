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
use crate::cite::Bibliography;
use crate::config::SiteConfig;
use crate::diagnostics::{self, display_path, Diagnostic};
use crate::load::schema::Kind;
use crate::load::{self, Content, Document, Loaded};
use crate::render::templates::Templates;
use crate::render::{entity_doc, spec_path, PageRecord, PageSpec, Renderer};
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
        let mut update = Update {
            kind: UpdateKind::Full,
            ok: false,
            diagnostics: Vec::new(),
            changed: Vec::new(),
            rendered: 0,
            reasons: Vec::new(),
            seconds: 0.0,
        };
        let fail = |mut update: Update, mut diags: Vec<Diagnostic>| {
            diagnostics::normalise(&mut diags);
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
        if let Some(d) = crate::no_site_here(&root) {
            self.state = None;
            return fail(update, vec![d]);
        }
        let config = match config {
            Ok(c) => c,
            Err(d) => {
                self.state = None;
                return fail(update, d);
            }
        };
        let (content, load_diags) = load::load(&root, &config, load::Bodies::Keep);
        let base = clone_content(&content);
        let (bibliography, bib_diags) = crate::load_bibliography(&content, &config);
        let theme = config.theme.clone();
        let (site, resolve_diags) =
            Site::resolve(config.clone(), content, resolve::Options { drafts: true });
        let check_diags = crate::check::check(&site, &bibliography);
        let templates = match Templates::load(&root, &theme) {
            Ok(t) => t,
            Err(d) => {
                self.state = None;
                let all = [load_diags, bib_diags, resolve_diags, check_diags, d].concat();
                return fail(update, all);
            }
        };
        let dir = self.next_dir("site");
        if let Err(e) = std::fs::create_dir_all(&dir) {
            self.state = None;
            let d = Diagnostic::error(&dir, 0, 0, format!("cannot create the output: {e}"));
            return fail(update, vec![d]);
        }
        let out = Output::new(dir.clone());
        let indexer = site
            .config
            .search
            .then(|| SearchIndexer::start(&site.config.language));
        let renderer = Renderer::new(
            &site,
            &templates,
            &bibliography,
            indexer.as_ref(),
            out.clone(),
        );
        let specs = renderer.specs();
        let rendered: Vec<(PageSpec, Option<PageRecord>, Vec<Diagnostic>)> = specs
            .into_par_iter()
            .map(|spec| {
                let (record, diags) = renderer.render_page(&spec);
                (spec, record, diags)
            })
            .collect();
        drop(renderer);
        update.rendered = rendered.len();
        let mut files: HashSet<String> = rendered
            .iter()
            .filter_map(|(_, r, _)| r.as_ref().map(|r| r.path.clone()))
            .collect();
        let (static_files, static_diags) = crate::write::copy_static(&root, &theme, &out);
        files.extend(static_files.iter().cloned());
        let page_paths = rendered
            .iter()
            .filter_map(|(_, r, _)| r.as_ref().map(|r| r.path.as_str()));
        let (extras, extras_diags) = match crate::write::extras::write_all(&site, &out, page_paths)
        {
            Ok(written) => (written, Vec::new()),
            Err(d) => (Vec::new(), vec![d]),
        };
        files.extend(extras.iter().cloned());
        let (search_files, search_diags) = match indexer {
            Some(indexer) => indexer.write_to(&out).unwrap_or_else(|message| {
                (Vec::new(), vec![Diagnostic::error(&dir, 0, 0, message)])
            }),
            None => (Vec::new(), Vec::new()),
        };
        files.extend(search_files.iter().cloned());
        files.extend(site.failed_pages());

        let mut pages = BTreeMap::new();
        for (spec, record, render_diags) in rendered {
            let path = spec_path(&site, &spec);
            let targets = record
                .as_ref()
                .map(|r| page_targets(&r.path, &r.hrefs))
                .unwrap_or_default();
            pages.insert(
                path,
                Page {
                    source: spec_source(&site, &spec),
                    spec,
                    record,
                    render_diags,
                    link_diags: Vec::new(),
                    targets,
                },
            );
        }
        let keys: Vec<String> = pages.keys().cloned().collect();
        let link_diags: Vec<Vec<Diagnostic>> = keys
            .par_iter()
            .map(|k| link_check(&pages[k], &pages, &files))
            .collect();
        for (k, d) in keys.iter().zip(link_diags) {
            if let Some(p) = pages.get_mut(k) {
                p.link_diags = d;
            }
        }
        let mut state = State {
            built,
            config,
            base,
            site,
            bibliography,
            templates,
            load_diags,
            bib_diags,
            resolve_diags,
            check_diags,
            static_diags,
            static_files: static_files.clone(),
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
        update.diagnostics = state.diagnostics();
        update.ok = !update.diagnostics.iter().any(Diagnostic::is_error);
        if update.ok {
            if let Some(old) = self.live.replace(dir) {
                self.retired.push(old);
            }
            self.state = Some(state);
        } else {
            // Keep serving the last good folder; remember which of its pages are out of date.
            match &self.live {
                Some(live) => {
                    // Updates only ever replace files, so the next good build can be incremental
                    // only if it has the same files as the folder being served.
                    let same_files = list_files(live) == list_files(&dir);
                    let static_stale = static_files
                        .iter()
                        .any(|f| !same_file(&dir.join(f), &live.join(f)));
                    if !same_files {
                        self.state = None;
                    } else {
                        state.static_dirty = static_stale;
                        state.dirty = state
                            .pages
                            .keys()
                            .filter(|p| !same_file(&dir.join(p), &live.join(p)))
                            .cloned()
                            .collect();
                        state.extras_dirty = state
                            .extras
                            .iter()
                            .any(|f| !same_file(&dir.join(f), &live.join(f)));
                        self.state = Some(state);
                    }
                }
                None => self.state = None,
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
        update
    }

    /// Updates only what changed, or says why a full build is needed.
    fn incremental(&mut self) -> Result<Update, String> {
        let root = self.root.clone();
        let Some(state) = self.state.as_mut() else {
            return Err("there is no previous build to update".into());
        };
        let Some(live) = self.live.clone() else {
            return Err("there is no previous build to update".into());
        };
        let diff: Diff = self.inputs.diff(&state.built);
        let mut update = Update {
            kind: UpdateKind::Incremental,
            ok: false,
            diagnostics: Vec::new(),
            changed: Vec::new(),
            rendered: 0,
            reasons: Vec::new(),
            seconds: 0.0,
        };
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
            update.kind = UpdateKind::Unchanged;
            update.diagnostics = state.diagnostics();
            update.ok = !update.diagnostics.iter().any(Diagnostic::is_error);
            return Ok(update);
        }
        // Parse every changed content file; static files are copied again; anything else needs
        // a full build.
        let mut parsed: Vec<(PathBuf, Loaded, Vec<Diagnostic>)> = Vec::new();
        let mut static_changed: Vec<&PathBuf> = Vec::new();
        for rel in &diff.modified {
            if is_static(rel, &state.config.theme) {
                static_changed.push(rel);
                continue;
            }
            let Some(kind) = content_kind(rel) else {
                return Err(format!("{} changed", display_path(rel)));
            };
            let (loaded, diags) = load::load_file(&root, kind, rel, load::Bodies::Keep);
            parsed.push((rel.clone(), loaded, diags));
        }
        if parsed.iter().any(|(_, l, _)| matches!(l, Loaded::Nothing)) {
            // A file that does not parse: report it, keep the model as it was.
            let failed: HashSet<&PathBuf> = parsed
                .iter()
                .filter(|(_, l, _)| matches!(l, Loaded::Nothing))
                .map(|(p, _, _)| p)
                .collect();
            let mut diags: Vec<Diagnostic> = state
                .diagnostics()
                .into_iter()
                .filter(|d| !failed.contains(&d.path))
                .collect();
            for (p, _, d) in &parsed {
                if failed.contains(p) {
                    diags.extend(d.iter().cloned());
                }
            }
            diagnostics::normalise(&mut diags);
            update.ok = false;
            update.diagnostics = diags;
            return Ok(update);
        }
        // Classify each change: the body's text only (the site model can be patched), the body's
        // links or headings (the model is resolved again, but summaries cannot change), or the
        // front matter (everything that summarises front matter is rendered again).
        let mut text_only = true;
        let mut body_only = true;
        let mut changed_sources: Vec<PathBuf> = Vec::new();
        for (rel, loaded, diags) in parsed {
            let Some(old) = state.base.find(&rel) else {
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
            if !same_front {
                body_only = false;
            }
            if !(same_front && same_derived) {
                text_only = false;
            }
            state.base.replace(&rel, loaded);
            state.load_diags.retain(|d| d.path != rel);
            state.load_diags.extend(diags);
            changed_sources.push(rel);
        }
        let mut reasons: BTreeMap<String, String> = BTreeMap::new();
        let mut reasons_extra: Vec<String> = Vec::new();
        let mut regenerate_extras = state.extras_dirty;
        if text_only {
            for rel in &changed_sources {
                let body = state
                    .base
                    .find(rel)
                    .map(|d| d.body.to_string())
                    .unwrap_or_default();
                state.site.content.set_body(rel, body);
                let own = state.pages_of_source.get(rel).cloned().unwrap_or_default();
                for p in &own {
                    reasons
                        .entry(p.clone())
                        .or_insert_with(|| format!("its source {} changed", display_path(rel)));
                    for q in state.anchored.get(p).into_iter().flatten() {
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
        } else {
            let (site, resolve_diags) = Site::resolve(
                state.config.clone(),
                clone_content(&state.base),
                resolve::Options { drafts: true },
            );
            let renderer_specs = specs_of(&site, &state.templates, &state.bibliography);
            let new_keys: BTreeSet<String> =
                renderer_specs.iter().map(|s| spec_path(&site, s)).collect();
            let old_keys: BTreeSet<String> = state.pages.keys().cloned().collect();
            if new_keys != old_keys {
                let added: Vec<&String> = new_keys.difference(&old_keys).take(3).collect();
                let removed: Vec<&String> = old_keys.difference(&new_keys).take(3).collect();
                return Err(format!(
                    "the change adds pages {added:?} or removes pages {removed:?}"
                ));
            }
            // Pages that linked to the changed files' pages before the change: all of them when
            // the front matter (titles, dates …) changed, those citing a section when only the
            // body did.
            state.mark_dependents(&changed_sources, body_only, &mut reasons);
            // Pages whose backlinks changed.
            let mut entities: BTreeSet<(Kind, String)> = BTreeSet::new();
            for (key, links) in &site.backlinks {
                if state.site.backlinks.get(key) != Some(links) {
                    entities.insert(key.clone());
                }
            }
            for key in state.site.backlinks.keys() {
                if !site.backlinks.contains_key(key) {
                    entities.insert(key.clone());
                }
            }
            for (kind, id) in entities {
                let path = format!("{}index.html", Site::url(kind, &id));
                if new_keys.contains(&path) {
                    reasons
                        .entry(path)
                        .or_insert_with(|| "the pages linking to it changed".into());
                }
            }
            // Lists, the matrix, home and theme pages summarise front matter.
            if !body_only {
                for (path, page) in &state.pages {
                    if page.source.is_none() {
                        reasons
                            .entry(path.clone())
                            .or_insert_with(|| "front matter changed (summary page)".into());
                    }
                }
            }
            for spec in renderer_specs {
                let path = spec_path(&site, &spec);
                if let Some(page) = state.pages.get_mut(&path) {
                    page.source = spec_source(&site, &spec);
                    page.spec = spec;
                }
            }
            state.site = site;
            state.resolve_diags = resolve_diags;
            state.index_sources();
            // Pages the changed files make now (a CMO may have moved), and pages linking to them.
            state.mark_dependents(&changed_sources, body_only, &mut reasons);
            regenerate_extras |= !body_only;
        }
        for p in &state.dirty {
            reasons
                .entry(p.clone())
                .or_insert_with(|| "a previous build that failed left it out of date".into());
        }
        state.check_diags = crate::check::check(&state.site, &state.bibliography);

        // Render what is affected into a scratch folder.
        self.generation += 1;
        let scratch = self.out_root.join(format!("scratch-{}", self.generation));
        let _ = std::fs::remove_dir_all(&scratch);
        let _ = std::fs::create_dir_all(&scratch);
        let out = Output::new(scratch.clone());
        let keys: Vec<String> = reasons.keys().cloned().collect();
        let has_search = state.site.config.search;
        let indexer = (has_search && !keys.is_empty())
            .then(|| SearchIndexer::start(&state.site.config.language));
        let results: Vec<(String, Option<PageRecord>, Vec<Diagnostic>)> = {
            let renderer = Renderer::new(
                &state.site,
                &state.templates,
                &state.bibliography,
                indexer.as_ref(),
                out.clone(),
            );
            let pages = &state.pages;
            keys.par_iter()
                .map(|k| {
                    let (record, diags) = renderer.render_page(&pages[k].spec);
                    (k.clone(), record, diags)
                })
                .collect()
        };
        update.rendered = results.len();
        for (k, record, diags) in results {
            state.unindex_links(&k);
            if let Some(page) = state.pages.get_mut(&k) {
                page.targets = record
                    .as_ref()
                    .map(|r| page_targets(&r.path, &r.hrefs))
                    .unwrap_or_default();
                page.record = record;
                page.render_diags = diags;
            }
            state.index_page_links(&k);
        }
        if regenerate_extras {
            let page_paths = state
                .pages
                .values()
                .filter_map(|p| p.record.as_ref().map(|r| r.path.as_str()));
            match crate::write::extras::write_all(&state.site, &out, page_paths) {
                Ok(written) => {
                    state.extras_diags = Vec::new();
                    if written != state.extras {
                        let _ = std::fs::remove_dir_all(&scratch);
                        return Err("the extra files (sitemap, feeds, exports) changed".into());
                    }
                }
                Err(d) => state.extras_diags = vec![d],
            }
        }
        // The search index covers every page: the pages not rendered now are read from the
        // served folder (it cannot be updated page by page).
        let mut new_search: Option<Vec<String>> = None;
        if let Some(indexer) = indexer {
            let rendered: HashSet<&String> = keys.iter().collect();
            for (path, page) in &state.pages {
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
            let (written, diags) = indexer.write_to(&out).unwrap_or_else(|message| {
                (Vec::new(), vec![Diagnostic::error(&scratch, 0, 0, message)])
            });
            state.search_diags = diags;
            // Index files are named by their contents: the link checker sees the new set.
            for old in &state.search_files {
                state.files.remove(old);
            }
            state.files.extend(written.iter().cloned());
            new_search = Some(written);
        }
        let regenerate_static = state.static_dirty || !static_changed.is_empty();
        if regenerate_static {
            let (written, problems) = crate::write::copy_static(&root, &state.config.theme, &out);
            state.static_diags = problems;
            if written != state.static_files {
                let _ = std::fs::remove_dir_all(&scratch);
                return Err("the set of static files changed".into());
            }
            for rel in &static_changed {
                reasons_extra.push(format!("{}: changed, copied again", display_path(rel)));
            }
        }
        // Check links of the rendered pages and of the pages that link into them with anchors.
        let mut to_check: BTreeSet<String> = keys.iter().cloned().collect();
        for k in &keys {
            if let Some(refs) = state.anchored.get(k) {
                to_check.extend(refs.iter().cloned());
            }
        }
        let to_check: Vec<String> = to_check.into_iter().collect();
        let link_diags: Vec<Vec<Diagnostic>> = to_check
            .par_iter()
            .map(|k| link_check(&state.pages[k], &state.pages, &state.files))
            .collect();
        for (k, d) in to_check.iter().zip(link_diags) {
            if let Some(p) = state.pages.get_mut(k) {
                p.link_diags = d;
            }
        }
        for rel in &diff.modified {
            if let Some(h) = self.inputs.files.get(rel) {
                state.built.files.insert(rel.clone(), *h);
            }
        }
        update.diagnostics = state.diagnostics();
        update.ok = !update.diagnostics.iter().any(Diagnostic::is_error);
        update.reasons = reasons
            .iter()
            .map(|(page, why)| format!("{page}: {why}"))
            .chain(reasons_extra)
            .collect();
        if update.ok {
            let mut moved = Vec::new();
            let mut candidates: Vec<String> = keys.clone();
            if regenerate_extras {
                candidates.extend(state.extras.iter().cloned());
            }
            if regenerate_static {
                candidates.extend(state.static_files.iter().cloned());
            }
            if let Some(new) = &new_search {
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
            if let Some(new) = new_search {
                let keep: HashSet<&String> = new.iter().collect();
                for old in &state.search_files {
                    if !keep.contains(old) {
                        let _ = std::fs::remove_file(live.join(old));
                        moved.push(old.clone());
                    }
                }
                state.search_files = new;
            }
            update.changed = moved;
            state.dirty.clear();
            state.extras_dirty = false;
            state.static_dirty = false;
        } else {
            if let Some(new) = new_search {
                for f in new {
                    state.files.remove(&f);
                }
                state.files.extend(state.search_files.iter().cloned());
            }
            state.dirty.extend(keys);
            state.extras_dirty |= regenerate_extras;
            state.static_dirty |= regenerate_static;
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
        all.extend(self.load_diags.iter().cloned());
        all.extend(self.bib_diags.iter().cloned());
        all.extend(self.resolve_diags.iter().cloned());
        all.extend(self.check_diags.iter().cloned());
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

/// The pages a renderer would make for `site` (the spec list does not depend on templates).
fn specs_of(site: &Site, templates: &Templates, bibliography: &Bibliography) -> Vec<PageSpec> {
    let nowhere = Output::new(PathBuf::new());
    Renderer::new(site, templates, bibliography, None, nowhere).specs()
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
        if href.is_empty() || crate::markdown::is_external(href) || href.starts_with('/') {
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

fn clone_content(c: &Content) -> Content {
    Content {
        root: c.root.clone(),
        studies: c.studies.clone(),
        reports: c.reports.clone(),
        tracers: c.tracers.clone(),
        areas: c.areas.clone(),
        theories: c.theories.clone(),
        cmos: c.cmos.clone(),
        pages: c.pages.clone(),
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
