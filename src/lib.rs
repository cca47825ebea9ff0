//! realist: a static site generator for realist evaluations of NHS commissioning.
//!
//! The pipeline follows DESIGN.md, one module per stage:
//!
//! | stage | module | owns |
//! |---|---|---|
//! | load | [`load`] | walking `content/`, front matter, typed YAML |
//! | resolve | [`resolve`] | the immutable [`resolve::Site`]: ids, URLs, link graph, backlinks |
//! | check | [`check`] | cross-field rules, glossary, the output link checker |
//! | render | [`render`], [`markdown`], [`cite`] | Tera pages in parallel, Markdown, citations |
//! | write | [`write`] | the staging folder and moving it into place, static files, feeds, exports |
//!
//! [`build`] runs them all; `main.rs` only parses arguments and prints what comes back.

pub mod check;
pub mod cite;
pub mod config;
pub mod diagnostics;
pub mod load;
pub mod markdown;
pub mod model;
pub mod paths;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod serve;
pub mod text;
pub mod theme;
pub mod url;
pub mod write;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::model::Kind;
use diagnostics::{Diagnostic, Severity};

/// What `realist build` and `realist check` were asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub out: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub deny_warnings: bool,
    /// Render and check everything, but write nothing (`realist check`).
    pub check_only: bool,
}

/// How a build ended, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: something is wrong in the site's own files.
    SiteErrors,
    /// Exit 2: a failure outside the site (missing root, cannot write the output).
    Failure,
}

impl Outcome {
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Success => 0,
            Outcome::SiteErrors => 1,
            Outcome::Failure => 2,
        }
    }
}

/// Everything a build reports back.
#[derive(Debug)]
pub struct BuildReport {
    pub outcome: Outcome,
    pub diagnostics: Vec<Diagnostic>,
    /// Pages written, by kind label, in a stable order.
    pub pages: BTreeMap<String, usize>,
    pub seconds: f64,
    /// Seconds per stage, in pipeline order.
    pub stages: Vec<(&'static str, f64)>,
    /// Resident memory and peak resident memory so far (MiB) at the end of each stage.
    pub stage_rss: Vec<(f64, f64)>,
    /// Seconds spent in each template, slowest first.
    pub templates: Vec<(&'static str, f64)>,
    pub out: PathBuf,
}

impl BuildReport {
    pub fn warnings(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn errors(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// The one-line summary `build` ends with.
    pub fn summary(&self, verb: &str) -> String {
        let total: usize = self.pages.values().sum();
        let by_kind: Vec<String> = self.pages.iter().map(|(k, n)| format!("{n} {k}")).collect();
        format!(
            "{verb} {total} pages ({}) with {} warning{} in {:.2} s",
            by_kind.join(", "),
            self.warnings(),
            if self.warnings() == 1 { "" } else { "s" },
            self.seconds
        )
    }
}

struct Run {
    started: Instant,
    stage_start: Instant,
    stages: Vec<(&'static str, f64)>,
    rss: Vec<(f64, f64)>,
    diagnostics: Vec<Diagnostic>,
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

impl Run {
    fn start() -> Run {
        let now = Instant::now();
        Run {
            started: now,
            stage_start: now,
            stages: Vec::new(),
            rss: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    fn stage(&mut self, name: &'static str) {
        self.stages
            .push((name, self.stage_start.elapsed().as_secs_f64()));
        self.rss.push(resident_mib());
        self.stage_start = Instant::now();
    }

    fn end(
        mut self,
        outcome: Outcome,
        pages: BTreeMap<String, usize>,
        templates: Vec<(&'static str, f64)>,
        out: PathBuf,
    ) -> BuildReport {
        diagnostics::normalise(&mut self.diagnostics);
        BuildReport {
            outcome,
            diagnostics: self.diagnostics,
            pages,
            seconds: self.started.elapsed().as_secs_f64(),
            stages: self.stages,
            stage_rss: self.rss,
            templates,
            out,
        }
    }
}

/// Loads, resolves, checks, renders and (unless `check_only`) writes the site.
pub fn build(options: &BuildOptions) -> BuildReport {
    let mut run = Run::start();
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
    let misplaced = || write::staging::refuse_out_inside_inputs(&options.root, None, &out);
    let refused = no_site_here(&options.root).or_else(|| {
        // Checked before loading too, so that a nested output is never read as content.
        (!options.check_only).then(misplaced).flatten()
    });
    if let Some(d) = refused {
        run.diagnostics.push(d);
        return run.end(Outcome::Failure, BTreeMap::new(), Vec::new(), out);
    }
    // A bad --base-url is a usage error, checked by the same function as base_url in site.yaml.
    let base_url = match options.base_url.as_deref().map(crate::url::BaseUrl::parse) {
        Some(Err(message)) => {
            run.diagnostics
                .push(Diagnostic::error("--base-url", 0, 0, message).with_help(
                    "pass the full address the site is published at, e.g. --base-url https://www.example.ac.uk/research/hsca12/",
                ));
            return run.end(Outcome::Failure, BTreeMap::new(), Vec::new(), out);
        }
        Some(Ok(url)) => Some(url),
        None => None,
    };
    let Some(model) = model(options, base_url, &mut run) else {
        return run.end(Outcome::SiteErrors, BTreeMap::new(), Vec::new(), out);
    };
    let mut staging = match staging(options, &model, &out) {
        Ok(s) => s,
        Err(d) => {
            run.diagnostics.push(d);
            return run.end(Outcome::Failure, BTreeMap::new(), Vec::new(), out);
        }
    };
    run.diagnostics.extend(staging.take_warnings());
    let (records, files, template_times) =
        write_site(&model, &options.root, &staging, &out, &mut run);
    if let Some(e) = staging.output().write_failure() {
        // A full disk or a read-only output fails every later write too, and each would be
        // reported against a page or file: one problem of the output folder is reported instead.
        staging.abandon();
        run.diagnostics = vec![write::staging::cannot_write(&out, e)];
        return run.end(Outcome::Failure, count_pages(&records), template_times, out);
    }
    let pages = count_pages(&records);
    // Freeing tens of thousands of small allocations takes tens of milliseconds; the caller does
    // not need to wait for it.
    std::thread::spawn(move || drop((model, records)));
    let failed = run
        .diagnostics
        .iter()
        .any(|d| d.is_error() || options.deny_warnings && d.severity == Severity::Warning);
    if failed || options.check_only {
        staging.abandon();
        let outcome = if failed {
            Outcome::SiteErrors
        } else {
            Outcome::Success
        };
        return run.end(outcome, pages, template_times, out);
    }
    match staging.commit(&files) {
        Ok(warning) => run.diagnostics.extend(warning),
        Err(d) => {
            run.diagnostics.push(d);
            return run.end(Outcome::Failure, pages, template_times, out);
        }
    }
    run.stage("write");
    run.end(Outcome::Success, pages, template_times, out)
}

/// Where the build writes: a staging folder beside `out`, or a scratch folder for `check`. An
/// `out` inside the site's inputs is refused before anything is written.
fn staging(
    options: &BuildOptions,
    model: &Model,
    out: &Path,
) -> Result<write::Staging, Diagnostic> {
    if options.check_only {
        return write::Staging::scratch();
    }
    let theme = Some(model.site.config.theme.as_str());
    match write::staging::refuse_out_inside_inputs(&options.root, theme, out) {
        Some(d) => Err(d),
        None => write::Staging::new(out),
    }
}

/// The "no site here" error, when `root` has neither site.yaml nor content/ (shared with `serve`).
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

/// Everything rendering reads, made once by the stages before it.
struct Model {
    site: resolve::Site,
    bibliography: cite::Bibliography,
    templates: render::templates::Templates,
}

/// Stages load, resolve and check, and the compiled templates. None if site.yaml or the templates
/// cannot be used; every problem found is in `run`.
/// `base_url`, when given, is the checked and normalised `--base-url`.
fn model(
    options: &BuildOptions,
    base_url: Option<crate::url::BaseUrl>,
    run: &mut Run,
) -> Option<Model> {
    let root = &options.root;
    let mut config = config::SiteConfig::load(root)
        .map_err(|d| run.diagnostics.extend(d))
        .ok()?;
    if let Some(url) = base_url {
        config.base_url = url;
    }
    let (content, problems) = load::load(root, &config, load::Bodies::Release);
    run.diagnostics.extend(problems);
    run.stage("load");

    let (bibliography, problems) = load_bibliography(&content, &config);
    run.diagnostics.extend(problems);
    let theme = config.theme.clone();
    let drafts = options.drafts;
    let (site, problems) = resolve::Site::resolve(config, content, resolve::Options { drafts });
    run.diagnostics.extend(problems);
    run.stage("resolve");

    run.diagnostics.extend(check::check(&site, &bibliography));
    run.stage("check");

    let templates = render::templates::Templates::load(root, &theme)
        .map_err(|d| run.diagnostics.extend(d))
        .ok()?;
    Some(Model {
        site,
        bibliography,
        templates,
    })
}

/// Stages render and extras, and the link check: writes every page and file of the site into
/// `staging`. Returns the page records, every site-relative file of the site, and the time spent
/// in each template.
fn write_site(
    model: &Model,
    root: &Path,
    staging: &write::Staging,
    out: &Path,
    run: &mut Run,
) -> (
    Vec<check::links::PageRecord>,
    HashSet<String>,
    Vec<(&'static str, f64)>,
) {
    let site = &model.site;
    // Indexes pages on its own thread as they are rendered; `realist check` writes nothing.
    let search = (site.config.search && !staging.is_scratch())
        .then(|| write::search::SearchIndexer::start(&site.config.language));
    // Static files first, so that every file a page may link to is known before rendering and
    // most links are checked as soon as their page is rendered.
    let output = staging.output();
    let (written, problems) = write::copy_static(root, &site.config.theme, output);
    run.diagnostics.extend(problems);
    let mut files: HashSet<String> = written.into_iter().collect();
    let timings = Mutex::new(HashMap::new());
    let (records, problems) = {
        let renderer = render::Renderer::new(site, &model.templates, &model.bibliography);
        let specs = renderer.specs();
        let known: rustc_hash::FxHashSet<String> = specs
            .iter()
            .map(|s| render::spec_path(site, s))
            .chain(files.iter().cloned())
            .chain(write::extras::FILES.iter().map(|f| f.to_string()))
            .collect();
        let sink = write::PageWriter {
            out: output.clone(),
            search: search.as_ref(),
            known_files: Some(&known),
        };
        renderer.render_all(specs, &sink, &timings)
    };
    run.diagnostics.extend(problems);
    run.stage("render");

    files.extend(records.iter().map(|r| r.path.clone()));
    let page_paths = records.iter().map(|r| r.path.as_str());
    match write::extras::write_all(site, output, page_paths) {
        Ok(written) => files.extend(written),
        Err(d) => run.diagnostics.push(d),
    }
    run.stage("extras");

    if let Some(search) = search {
        match search.write_to(output) {
            Ok((written, problems)) => {
                files.extend(written);
                run.diagnostics.extend(problems);
            }
            Err(message) => run.diagnostics.push(Diagnostic::error(out, 0, 0, message)),
        }
        run.stage("search");
    }

    files.extend(site.failed_pages());
    run.diagnostics
        .extend(check::links::check(&records, &files));
    run.stage("links");
    let mut template_times: Vec<(&'static str, f64)> = timings
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .collect();
    template_times.sort_by(|a, b| b.1.total_cmp(&a.1));
    (records, files, template_times)
}

/// Parses the site's bibliography with its CSL style (shared with `serve`).
pub fn load_bibliography(
    content: &load::Content,
    config: &config::SiteConfig,
) -> (cite::Bibliography, Vec<Diagnostic>) {
    if content.bibliography.is_none() && config.csl.is_none() {
        // Parsing a CSL style decodes every CSL locale (tens of milliseconds): skip it when the
        // site has no bibliography.
        return (cite::Bibliography::empty(), Vec::new());
    }
    let style = config.csl.as_deref().unwrap_or(cite::DEFAULT_STYLE);
    let text = content
        .bibliography
        .as_ref()
        .map(|(_, t)| t.as_str())
        .unwrap_or("");
    let path = content
        .bibliography
        .as_ref()
        .map(|(p, _)| p.clone())
        .unwrap_or_else(|| PathBuf::from("site.yaml"));
    match cite::Bibliography::parse(text, style) {
        Ok(b) => (b, Vec::new()),
        Err(errors) => {
            let style_error = errors.iter().any(|e| e.line == 0);
            let diags = errors
                .into_iter()
                .map(|e| {
                    let p = if style_error {
                        PathBuf::from("site.yaml")
                    } else {
                        path.clone()
                    };
                    Diagnostic::error(p, e.line, e.column, e.message).with_help_opt(e.help)
                })
                .collect();
            (cite::Bibliography::empty(), diags)
        }
    }
}

fn count_pages(records: &[check::links::PageRecord]) -> BTreeMap<String, usize> {
    let mut pages = BTreeMap::new();
    for r in records {
        let first = r.path.split('/').next().unwrap_or("");
        let label = match Kind::REFERABLE
            .iter()
            .chain([Kind::Theme].iter())
            .find(|k| k.folder() == first && r.path.matches('/').count() == 2)
        {
            Some(k) => k.label(true).to_lowercase(),
            None => "other".into(),
        };
        *pages.entry(label).or_insert(0) += 1;
    }
    pages
}

/// Resolves `--root` to a path, for tools and tests.
pub fn root_or_cwd(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
