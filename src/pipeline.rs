//! The build's stages, one function each, run by [`crate::build`] and by `realist serve` alike.
//!
//! A build runs them in this order:
//!
//! 1. [`config`]: site.yaml, with `--base-url` ([`base_url`]) in place of its `base_url`.
//! 2. [`prepare`]: load `content/`, parse the bibliography, resolve the site, check it, and
//!    compile the templates, into a [`Model`] (with each stage's problems kept apart, so that
//!    `serve` can replace one stage's problems when it redoes that stage). Root causes are
//!    recorded on the way so that what they cause is not reported again: the ids of files that
//!    failed to load, a bibliography or style that cannot be used (its citations are not
//!    "unknown"), and load's problems rank before resolve's (see `diagnostics::Rank`).
//! 3. [`write_site`]: copy the static files (first, so that every file a page may link to is
//!    known before rendering), [`render`] the pages, write the [`extras`], finish the search
//!    index ([`search`]) and [`check_links`]. Every file is written through an output that the
//!    anonymity lint scans, when site.yaml has a deny-list; what it finds is reported with the
//!    inputs that hold each name.
//!
//! `serve` runs steps 1–3 for a full build, and for an update calls [`render`] on the pages its
//! planner picked and [`check_links`] on those pages against the whole site.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::check::links::PageRecord;
use crate::cite::{self, Bibliography};
use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::load::{self, Bodies, Content};
use crate::render::templates::Templates;
use crate::render::{spec_path, PageSpec, Renderer};
use crate::resolve::{self, Site};
use crate::url::BaseUrl;
use crate::write::search::SearchIndexer;
use crate::write::{self, Output, PageWriter};

/// Stage timings and every problem found so far, for `realist build`'s report.
pub(crate) struct Run {
    pub(crate) started: Instant,
    stage_start: Instant,
    pub(crate) stages: Vec<(&'static str, f64)>,
    pub(crate) rss: Vec<(f64, f64)>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Whether warnings are reported as errors (`--deny-warnings`).
    pub(crate) deny_warnings: bool,
}

impl Run {
    pub(crate) fn start() -> Run {
        let now = Instant::now();
        Run {
            started: now,
            stage_start: now,
            stages: Vec::new(),
            rss: Vec::new(),
            diagnostics: Vec::new(),
            deny_warnings: false,
        }
    }

    /// Ends the stage `name`: records its time and the memory in use.
    pub(crate) fn stage(&mut self, name: &'static str) {
        self.stages
            .push((name, self.stage_start.elapsed().as_secs_f64()));
        self.rss.push(resident_mib());
        self.stage_start = Instant::now();
    }
}

/// The process's resident memory and its peak so far, in MiB, where the OS tells (Linux), for
/// `--timings`.
fn resident_mib() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The "no site here" error, when `root` has neither site.yaml nor content/.
pub(crate) fn no_site_here(root: &Path) -> Option<Diagnostic> {
    let is_site =
        root.is_dir() && (root.join("site.yaml").is_file() || root.join("content").is_dir());
    (!is_site).then(|| {
        Diagnostic::error(
            root,
            0,
            0,
            "no site here: expected a folder with site.yaml and content/",
        )
        .with_help("pass --root DIR, or create a site with `realist init DIR`")
    })
}

/// `--base-url`, checked and normalised by the same function as `base_url` in site.yaml. A bad
/// one is a usage error.
pub(crate) fn base_url(arg: Option<&str>) -> Result<Option<BaseUrl>, Diagnostic> {
    match arg.map(BaseUrl::parse) {
        Some(Err(message)) => Err(Diagnostic::error("--base-url", 0, 0, message).with_help(
            "pass the full address the site is published at, e.g. --base-url https://www.example.ac.uk/research/hsca12/",
        )),
        Some(Ok(url)) => Ok(Some(url)),
        None => Ok(None),
    }
}

/// Step 1: site.yaml, with `base_url` (the checked `--base-url`) in place of its own.
pub(crate) fn config(
    root: &Path,
    base_url: Option<BaseUrl>,
) -> Result<SiteConfig, Vec<Diagnostic>> {
    let mut config = SiteConfig::load(root)?;
    if let Some(url) = base_url {
        config.base_url = url;
    }
    Ok(config)
}

/// Everything rendering reads, made once by the stages before it.
pub(crate) struct Model {
    pub(crate) site: Site,
    pub(crate) bibliography: Bibliography,
    pub(crate) templates: Templates,
}

/// The problems of each stage before rendering, apart.
#[derive(Default)]
pub(crate) struct Problems {
    pub(crate) load: Vec<Diagnostic>,
    pub(crate) bibliography: Vec<Diagnostic>,
    pub(crate) resolve: Vec<Diagnostic>,
    pub(crate) check: Vec<Diagnostic>,
}

impl Problems {
    pub(crate) fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.load
            .iter()
            .chain(&self.bibliography)
            .chain(&self.resolve)
            .chain(&self.check)
    }
}

/// How [`prepare`] loads the site.
pub(crate) struct Prepare {
    pub(crate) drafts: bool,
    pub(crate) bodies: Bodies,
    /// Keep a copy of the content as loaded, before resolving rearranges it (`serve` patches it
    /// file by file and resolves it again).
    pub(crate) keep_content: bool,
}

/// What [`prepare`] made.
pub(crate) struct Prepared {
    /// Err: the templates cannot be used (their problems); nothing can be rendered.
    pub(crate) model: Result<Model, Vec<Diagnostic>>,
    pub(crate) problems: Problems,
    /// The content as loaded, when [`Prepare::keep_content`] asked for it.
    pub(crate) content: Option<Content>,
}

/// Step 2: loads, resolves and checks the site, and compiles its templates. `stage` is called
/// at the end of each stage with its name (for timings).
pub(crate) fn prepare(
    root: &Path,
    config: SiteConfig,
    how: Prepare,
    stage: &mut dyn FnMut(&'static str),
) -> Prepared {
    let mut problems = Problems::default();
    let (mut content, load_problems) = load::load(root, &config, how.bodies);
    problems.load = ranked_as_load(load_problems);
    remember_failed_cmo_ids(root, &mut content);
    missing_bibliography_in_site_yaml(root, &config, &content, &mut problems.load);
    stage("load");
    let kept = how.keep_content.then(|| content.clone());
    let (bibliography, bib_problems) = load_bibliography(root, &content, &config);
    problems.bibliography = bib_problems;
    let theme = config.theme.clone();
    let (site, resolve_problems) = resolve(config, content, how.drafts);
    problems.resolve = resolve_problems;
    suggest_for_bare_ids(&site, root, &mut problems.load);
    stage("resolve");
    problems.check = check(&site, &bibliography);
    stage("check");
    let model = Templates::load(root, &theme).map(|templates| Model {
        site,
        bibliography,
        templates,
    });
    Prepared {
        model,
        problems,
        content: kept,
    }
}

/// Records as failed the CMO ids written in report and CMO files that did not load (an inline
/// CMO's `id:`, or a standalone CMO's own when it differs from its file name): references to them
/// are then not reported as dangling on top of the file's own problem. Only files that failed are
/// read again.
fn remember_failed_cmo_ids(root: &Path, content: &mut Content) {
    use crate::model::Kind;
    let mut ids = Vec::new();
    for (kind, stem) in &content.failed {
        if !matches!(kind, Kind::Report | Kind::Cmo) {
            continue;
        }
        let rel = Path::new("content")
            .join(kind.folder())
            .join(format!("{stem}.md"));
        let Ok(bytes) = crate::paths::read(root, &rel) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        // The front matter: the lines between the first two `---`.
        let front = text.lines().skip(1).take_while(|l| l.trim_end() != "---");
        for line in front {
            let entry = line.trim_start().trim_start_matches("- ").trim_start();
            let Some(value) = entry.strip_prefix("id:") else {
                continue;
            };
            let id = value.trim().trim_matches(['"', '\'']);
            if crate::model::is_valid_id(id) {
                ids.push((Kind::Cmo, id.to_string()));
            }
        }
    }
    content.failed.extend(ids);
}

/// A bibliography that site.yaml names but that does not exist is a mistake in site.yaml (or a
/// file not yet made): it is reported at `bibliography:` in site.yaml, in place of load's
/// "cannot read file" at a path where there is nothing to open.
fn missing_bibliography_in_site_yaml(
    root: &Path,
    config: &SiteConfig,
    content: &Content,
    problems: &mut [Diagnostic],
) {
    let Some(rel) = &config.bibliography else {
        return;
    };
    let missing = std::fs::symlink_metadata(root.join(rel)).is_err();
    if content.bibliography.is_some() || !missing {
        return;
    }
    let Some(d) = problems.iter_mut().find(|d| d.path == *rel) else {
        return;
    };
    let (line, column) = site_yaml_value(root, "bibliography");
    let shown = crate::diagnostics::display_path(rel);
    *d = Diagnostic::error(
        "site.yaml",
        line,
        column,
        format!("the bibliography `{shown}` that site.yaml names does not exist"),
    )
    .with_help("create the file, or correct the path (it is relative to the site's folder)");
}

/// Load's problems are each about one file (read, split, parsed), found before anything is linked:
/// they rank as root causes of what resolving that file's references finds later.
pub(crate) fn ranked_as_load(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let load = crate::diagnostics::Rank::FailedFile;
    problems.into_iter().map(|d| d.ranked(load)).collect()
}

/// Gives a help line to each reference written as a bare id (`areas: [pcn-a]`), which load refuses
/// before the site is known: the reference to write, if an entity of a kind the field accepts has
/// that id, else what the field needs (see [`Site::safe_suggestion`]). Only the rare file with
/// such a mistake is read again, to find the field the value is under.
fn suggest_for_bare_ids(site: &Site, root: &Path, problems: &mut [Diagnostic]) {
    const BARE: &str = "expected a reference `kind/id`, found `";
    for d in problems.iter_mut().filter(|d| d.help.is_none()) {
        // Two wordings: the typed reader's, and the field-by-field check's for a field that
        // names one kind (model/values.rs `with_kind`).
        let id = d
            .message
            .strip_prefix(BARE)
            .and_then(|m| m.strip_suffix('`'))
            .or_else(|| {
                let rest = d.message.strip_prefix('`')?;
                let (id, tail) = rest.split_once('`')?;
                tail.starts_with(" needs its kind in front").then_some(id)
            });
        let Some(id) = id else {
            continue;
        };
        if !crate::model::is_valid_id(id) {
            continue;
        }
        let Some(kinds) = field_kinds_at(root, d) else {
            continue;
        };
        d.help = Some(site.safe_suggestion(id, kinds));
    }
}

/// The kinds the field holding the value at `d`'s position accepts: the nearest `key:` at or
/// above the value, looked up in the registry for the file's kind (or a CMO's, for an inline one).
fn field_kinds_at(root: &Path, d: &Diagnostic) -> Option<&'static [crate::model::Kind]> {
    use crate::model::Kind;
    let folder = d
        .path
        .strip_prefix("content")
        .ok()?
        .iter()
        .next()?
        .to_str()?;
    let kind = Kind::from_folder(folder)?;
    let text = std::fs::read_to_string(root.join(&d.path)).ok()?;
    let lines: Vec<&str> = text.lines().take(d.line).collect();
    let (last, above) = lines.split_last()?;
    let here = last.get(..d.column.saturating_sub(1)).unwrap_or(last);
    let key = std::iter::once(here)
        .chain(above.iter().rev().copied())
        .find_map(last_key)?;
    let link = kind.field_link(key).or_else(|| Kind::Cmo.field_link(key))?;
    Some(link.to)
}

/// The last `key:` written on a YAML line (`areas: [` gives `areas`).
fn last_key(line: &str) -> Option<&str> {
    let colon = line
        .rfind(": ")
        .or_else(|| line.trim_end().strip_suffix(':').map(str::len))?;
    let before = &line[..colon];
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    Some(&before[start..]).filter(|k| !k.is_empty())
}

/// Resolves loaded content into the site (also `serve`'s step after a change to front matter).
pub(crate) fn resolve(
    config: SiteConfig,
    content: Content,
    drafts: bool,
) -> (Site, Vec<Diagnostic>) {
    Site::resolve(config, content, resolve::Options { drafts })
}

/// The checks of the resolved site: cross-field rules, the glossary, citations.
pub(crate) fn check(site: &Site, bibliography: &Bibliography) -> Vec<Diagnostic> {
    crate::check::check(site, bibliography)
}

/// Parses the site's bibliography with its CSL style.
///
/// 1. Skip it when the site names neither a bibliography nor a style.
/// 2. Check the style; an unknown one is reported at `csl:` in site.yaml, and the default style
///    is used instead, so that citations are still checked against the entries.
/// 3. A bibliography that site.yaml names but that could not be read (reported by load) checks no
///    citation: every one would be reported as unknown for one missing file.
/// 4. Parse the entries; a syntax error is reported in the `.bib` file, and citations of the keys
///    it is written with are not reported as unknown.
pub(crate) fn load_bibliography(
    root: &Path,
    content: &Content,
    config: &SiteConfig,
) -> (Bibliography, Vec<Diagnostic>) {
    if content.bibliography.is_none() && config.csl.is_none() && config.bibliography.is_none() {
        // Parsing a CSL style decodes every CSL locale (tens of milliseconds): skip it when the
        // site has no bibliography.
        return (Bibliography::empty(), Vec::new());
    }
    let mut problems = Vec::new();
    let mut style = config.csl.as_deref().unwrap_or(cite::DEFAULT_STYLE);
    if let Err(e) = Bibliography::check_style(style) {
        let (line, column) = site_yaml_value(root, "csl");
        problems
            .push(Diagnostic::error("site.yaml", line, column, e.message).with_help_opt(e.help));
        style = cite::DEFAULT_STYLE;
    }
    let (path, text) = match (&content.bibliography, &config.bibliography) {
        (Some((p, t)), _) => (p.clone(), t.as_str()),
        (None, Some(_)) => return (Bibliography::unreadable(), problems),
        (None, None) => (PathBuf::from("site.yaml"), ""),
    };
    match Bibliography::parse(text, style) {
        Ok(b) => (b.in_language(&config.language), problems),
        Err(errors) => {
            problems.extend(errors.into_iter().map(|e| {
                Diagnostic::error(&path, e.line, e.column, e.message).with_help_opt(e.help)
            }));
            (Bibliography::unparsable(text), problems)
        }
    }
}

/// The line and column of the value of the top-level `key` in the site's site.yaml, or (0, 0)
/// when it cannot be found (the problem is then reported at the file).
fn site_yaml_value(root: &Path, key: &str) -> (usize, usize) {
    let text = std::fs::read_to_string(root.join("site.yaml")).unwrap_or_default();
    let text = crate::text::frontmatter::normalise_text(&text);
    crate::text::yaml::Locator::new(&text, 1)
        .value_of_key(key)
        .unwrap_or((0, 0))
}

/// Every page of the site, in a stable order.
pub(crate) fn specs(model: &Model) -> Vec<PageSpec> {
    renderer(model).specs()
}

fn renderer(model: &Model) -> Renderer<'_> {
    Renderer::new(&model.site, &model.templates, &model.bibliography)
}

/// One page, rendered: what it is, its record for the link checker (None if it failed), its
/// problems, and its link problems once [`check_links`] ran.
pub(crate) struct Page {
    pub(crate) spec: PageSpec,
    pub(crate) record: Option<PageRecord>,
    pub(crate) problems: Vec<Diagnostic>,
    pub(crate) link_problems: Vec<Diagnostic>,
}

/// How [`render`] renders.
pub(crate) struct RenderWith<'a> {
    /// Receives the pages to index, when the site has search.
    pub(crate) search: Option<&'a SearchIndexer>,
    /// Every file the build will write: links are then checked as pages render, and records
    /// keep only the links that need the whole output. None keeps every link (`serve` maps its
    /// dependencies from them).
    pub(crate) known: Option<&'a FxHashSet<String>>,
    /// Receives the seconds spent in each template.
    pub(crate) timings: Option<&'a Mutex<HashMap<&'static str, f64>>>,
}

/// Renders and writes `specs` into `out`, in parallel; the pages come back in the order of
/// `specs`.
pub(crate) fn render(
    model: &Model,
    specs: Vec<PageSpec>,
    out: &Output,
    with: RenderWith,
) -> Vec<Page> {
    let renderer = &renderer(model);
    let sink = &PageWriter {
        out: out.clone(),
        search: with.search,
        known_files: with.known,
    };
    specs
        .into_par_iter()
        .map(|spec| {
            let started = Instant::now();
            let (record, problems) = renderer.render_page(&spec, sink);
            if let (Some(record), Some(Ok(mut t))) = (&record, with.timings.map(Mutex::lock)) {
                *t.entry(record.template).or_default() += started.elapsed().as_secs_f64();
            }
            Page {
                spec,
                record,
                problems,
                link_problems: Vec::new(),
            }
        })
        .collect()
}

/// The files a page may link to before they are written: the pages, `files` written already
/// (static files), and the extra files.
fn known_files(site: &Site, specs: &[PageSpec], files: &HashSet<String>) -> FxHashSet<String> {
    specs
        .iter()
        .map(|s| spec_path(site, s))
        .chain(files.iter().cloned())
        .chain(write::extras::files().map(String::from))
        .chain(write::citations::files(site))
        .chain(write::pdf::files(site))
        .collect()
}

/// The sitemap, feeds, robots.txt, exports and the reports' PDFs; returns the files written and
/// the problems.
pub(crate) fn extras<'p>(
    model: &Model,
    out: &Output,
    page_paths: impl Iterator<Item = &'p str>,
) -> (Vec<String>, Vec<Diagnostic>) {
    let (mut written, mut problems) = match write::extras::write_all(&model.site, out, page_paths) {
        Ok(written) => (written, Vec::new()),
        Err(d) => (Vec::new(), vec![d]),
    };
    let (pdfs, pdf_problems) = write::pdf::write_all(&model.site, &model.bibliography, out);
    written.extend(pdfs);
    problems.extend(pdf_problems);
    (written, problems)
}

/// Finishes the search index into `out`; its problems are reported at `report_at`.
pub(crate) fn search(
    indexer: SearchIndexer,
    out: &Output,
    report_at: &Path,
) -> (Vec<String>, Vec<Diagnostic>) {
    indexer.write_to(out).unwrap_or_else(|message| {
        (
            Vec::new(),
            vec![Diagnostic::error(report_at, 0, 0, message)],
        )
    })
}

/// Checks the links of `checked` against `files` (every file of the output) and the ids of the
/// pages of `site_pages` (every page of the site). One list of problems per checked page.
pub(crate) fn check_links<'r>(
    site: &Site,
    checked: &[&'r PageRecord],
    site_pages: impl Iterator<Item = &'r PageRecord>,
    files: &HashSet<String>,
) -> Vec<Vec<Diagnostic>> {
    let declared = declared_links(site);
    crate::check::links::check_pages(checked, site_pages, files, &declared)
}

/// The menu entries and highlights of site.yaml that name an anchor, by the page file and anchor,
/// with the problem to report at site.yaml if the page has no such id.
fn declared_links(site: &Site) -> crate::check::links::Declared {
    use crate::config::links::{LinkList, SiteLink};
    fn add<L: LinkList>(links: &[SiteLink<L>], out: &mut crate::check::links::Declared) {
        for item in links {
            let Some(anchor) = &item.link.anchor else {
                continue;
            };
            let file = crate::url::page_file(&Site::url(item.link.kind, &item.link.id));
            let (line, column) = item.at;
            let message = format!(
                "the {} `{}` names the anchor `#{anchor}`, but `{file}` has no element with that id",
                L::ENTRY,
                item.link
            );
            let d = Diagnostic::error(Path::new("site.yaml"), line, column, message).with_help(
                "name a heading's id (`## Findings {#findings}` has the id `findings`), or leave out the `#…`",
            );
            out.insert((file, anchor.clone(), String::new()), d);
        }
    }
    let mut out = crate::check::links::Declared::default();
    add(&site.config.menu, &mut out);
    add(&site.config.highlights, &mut out);
    prompts(site, &mut out);
    out
}

/// The anchored `prompted_by` references of theories' refinements, declared like site.yaml's
/// links: the theory page's template writes the link, but the anchor is the theory file's, so a
/// missing one is reported there, at the reference (each theory at its own, for its own page).
fn prompts(site: &Site, out: &mut crate::check::links::Declared) {
    for doc in site.content.entities(crate::model::Kind::Theory) {
        let crate::model::Entity::Theory(t) = &doc.meta else {
            continue;
        };
        for r in t.refinements.iter().flat_map(|step| &step.prompted_by) {
            let Some(anchor) = &r.anchor else { continue };
            let file = crate::url::page_file(&Site::url(r.kind, &r.id));
            let message = format!(
                "`prompted_by` names the anchor `#{anchor}` of `{}/{}`, but `{file}` has no element with that id",
                r.kind.name(),
                r.id
            );
            let d = doc
                .error_in_field(&r.to_string(), "prompted_by", None, message)
                .with_help("name a heading's id (`## Findings {#findings}` has the id `findings`), or leave out the `#…`");
            let on = crate::url::page_file(&Site::url(crate::model::Kind::Theory, &doc.id));
            out.entry((file, anchor.clone(), on)).or_insert(d);
        }
    }
}

/// Copies the static files, then writes the stylesheet of site.yaml's branding colours beside
/// them, unless the site sets no colours or its own static/ holds a file of that name (the site's
/// files win). Returns the files written and the problems.
pub(crate) fn statics(root: &Path, site: &Site, out: &Output) -> (Vec<String>, Vec<Diagnostic>) {
    let mut statics = write::copy_static(root, &site.config.theme, out);
    let branding = &site.config.branding;
    let rel = crate::render::nav::BRAND_STYLESHEET;
    if !branding.has_colours() || statics.0.iter().any(|f| f == rel) {
        return statics;
    }
    match write::write_file(out, rel, branding.stylesheet().as_bytes()) {
        Ok(written) => statics.0.push(written),
        Err(d) => statics.1.push(d),
    }
    statics
}

/// How [`write_site`] writes.
pub(crate) struct WriteWith<'a> {
    /// Index the pages for search (when site.yaml asks for it).
    pub(crate) search: bool,
    /// Check links as pages render (`build`); `serve` keeps every link of every page.
    pub(crate) check_early: bool,
    /// The output folder as problems name it.
    pub(crate) report_at: &'a Path,
}

/// What [`write_site`] wrote, each stage's files and problems apart.
pub(crate) struct Written {
    pub(crate) pages: Vec<Page>,
    pub(crate) statics: (Vec<String>, Vec<Diagnostic>),
    pub(crate) extras: (Vec<String>, Vec<Diagnostic>),
    pub(crate) search: (Vec<String>, Vec<Diagnostic>),
    /// The deny-listed names the output would publish.
    pub(crate) anonymity: Vec<Diagnostic>,
    /// Every site-relative file of the site, for the link checker.
    pub(crate) files: HashSet<String>,
    /// Seconds spent in each template, slowest first.
    pub(crate) template_times: Vec<(&'static str, f64)>,
}

impl Written {
    /// Every problem, in stage order.
    pub(crate) fn problems(&self) -> impl Iterator<Item = &Diagnostic> {
        self.statics
            .1
            .iter()
            .chain(self.pages.iter().flat_map(|p| &p.problems))
            .chain(&self.extras.1)
            .chain(&self.search.1)
            .chain(&self.anonymity)
            .chain(self.pages.iter().flat_map(|p| &p.link_problems))
    }
}

/// Step 3: writes every page and file of the site into `out` and checks every link. `stage` is
/// called at the end of each stage with its name (for timings).
pub(crate) fn write_site(
    model: &Model,
    root: &Path,
    out: &Output,
    with: WriteWith,
    stage: &mut dyn FnMut(&'static str),
) -> Written {
    let site = &model.site;
    let lint = write::anonymity::Lint::for_config(site.config.anonymity.as_ref());
    let out = &out.clone().with_lint(lint.clone());
    // Indexes pages on its own thread as they are rendered.
    let indexer = (with.search && site.config.search).then(|| SearchIndexer::for_site(site));
    let statics = statics(root, site, out);
    let mut files: HashSet<String> = statics.0.iter().cloned().collect();
    let specs = specs(model);
    let known = with.check_early.then(|| known_files(site, &specs, &files));
    let timings = Mutex::new(HashMap::new());
    let render_with = RenderWith {
        search: indexer.as_ref(),
        known: known.as_ref(),
        timings: Some(&timings),
    };
    let mut pages = render(model, specs, out, render_with);
    drop(known);
    stage("render");

    let records = || pages.iter().filter_map(|p| p.record.as_ref());
    files.extend(records().flat_map(|r| std::iter::once(&r.path).chain(&r.files).cloned()));
    let extras = extras(model, out, records().map(|r| r.path.as_str()));
    files.extend(extras.0.iter().cloned());
    stage("extras");

    let search = match indexer {
        Some(indexer) => {
            let search = search(indexer, out, with.report_at);
            files.extend(search.0.iter().cloned());
            stage("search");
            search
        }
        None => (Vec::new(), Vec::new()),
    };

    let anonymity = lint
        .filter(|l| l.found_any())
        .map(|l| anonymity_problems(&l, root, site))
        .unwrap_or_default();
    files.extend(site.failed_pages());
    // Unpublished pages count as there for the link check only: they are taken out again, so
    // that the manifest names only what was written.
    let absent: Vec<String> = site
        .unpublished_pages()
        .filter(|p| !files.contains(p))
        .collect();
    files.extend(absent.iter().cloned());
    check_all_links(site, &mut pages, &files);
    for page in &absent {
        files.remove(page);
    }
    stage("links");
    let mut template_times: Vec<(&'static str, f64)> = timings
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .collect();
    template_times.sort_by(|a, b| b.1.total_cmp(&a.1));
    Written {
        pages,
        statics,
        extras,
        search,
        anonymity,
        files,
        template_times,
    }
}

/// The anonymity lint's errors: each deny-listed name found in the output, located in the inputs
/// that hold it.
pub(crate) fn anonymity_problems(
    lint: &write::anonymity::Lint,
    root: &Path,
    site: &Site,
) -> Vec<Diagnostic> {
    let config = &site.config;
    let inputs = write::anonymity::inputs(root, config.bibliography.as_deref(), &config.theme);
    lint.problems(root, &inputs)
}

/// Checks the links of every page, into its `link_problems`.
fn check_all_links(site: &Site, pages: &mut [Page], files: &HashSet<String>) {
    let found = {
        let records: Vec<&PageRecord> = pages.iter().filter_map(|p| p.record.as_ref()).collect();
        check_links(site, &records, records.iter().copied(), files)
    };
    let with_record = pages.iter_mut().filter(|p| p.record.is_some());
    for (page, problems) in with_record.zip(found) {
        page.link_problems = problems;
    }
}
