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
//! | write | [`write`] | the staging directory and atomic swap, static files, feeds, exports |
//!
//! [`build`] runs them all; `main.rs` only parses arguments and prints what comes back.

pub mod check;
pub mod cite;
pub mod config;
pub mod diagnostics;
pub mod load;
pub mod markdown;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod serve;
pub mod write;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use diagnostics::{Diagnostic, Severity};
use load::schema::Kind;

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
    let now = Instant::now();
    let mut run = Run {
        started: now,
        stage_start: now,
        stages: Vec::new(),
        rss: Vec::new(),
        diagnostics: Vec::new(),
    };
    let root = &options.root;
    let out = options.out.clone().unwrap_or_else(|| root.join("public"));
    if !root.is_dir() || !root.join("site.yaml").is_file() && !root.join("content").is_dir() {
        run.diagnostics.push(
            Diagnostic::error(
                root,
                0,
                0,
                "no site here: expected a folder with site.yaml and content/",
            )
            .with_help("pass --root DIR, or create a site with `realist init DIR`"),
        );
        return run.end(Outcome::Failure, BTreeMap::new(), Vec::new(), out);
    }
    let mut config = match config::SiteConfig::load(root) {
        Ok(c) => c,
        Err(d) => {
            run.diagnostics.extend(d);
            return run.end(Outcome::SiteErrors, BTreeMap::new(), Vec::new(), out);
        }
    };
    if let Some(url) = &options.base_url {
        config.base_url = if url.ends_with('/') {
            url.clone()
        } else {
            format!("{url}/")
        };
    }
    let (content, problems) = load::load(root, &config, load::Bodies::Release);
    run.diagnostics.extend(problems);
    run.stage("load");

    let (bibliography, problems) = load_bibliography(&content, &config);
    run.diagnostics.extend(problems);
    let theme = config.theme.clone();
    let (site, problems) = resolve::Site::resolve(
        config,
        content,
        resolve::Options {
            drafts: options.drafts,
        },
    );
    run.diagnostics.extend(problems);
    run.stage("resolve");

    run.diagnostics.extend(check::check(&site, &bibliography));
    run.stage("check");

    let templates = match render::templates::Templates::load(root, &theme) {
        Ok(t) => t,
        Err(d) => {
            run.diagnostics.extend(d);
            return run.end(Outcome::SiteErrors, BTreeMap::new(), Vec::new(), out);
        }
    };
    let staging = match if options.check_only {
        write::Staging::scratch()
    } else {
        write::Staging::new(&out)
    } {
        Ok(s) => s,
        Err(message) => {
            run.diagnostics.push(Diagnostic::error(&out, 0, 0, message));
            return run.end(Outcome::Failure, BTreeMap::new(), Vec::new(), out);
        }
    };
    let timings = Mutex::new(HashMap::new());
    let has_search = site.config.search;
    // Indexes pages on its own thread as they are rendered; `realist check` writes nothing.
    let search = (has_search && !options.check_only)
        .then(|| write::search::SearchIndexer::start(&site.config.language));
    // Static files first, so that every file a page may link to is known before rendering and
    // most links are checked as soon as their page is rendered.
    let (written, problems) = write::copy_static(root, &theme, &staging.dir);
    run.diagnostics.extend(problems);
    let mut files: HashSet<String> = written.into_iter().collect();
    let (records, problems) = {
        let mut renderer = render::Renderer {
            site: &site,
            templates: &templates,
            glossary: render::GlossaryIndex::new(&site),
            bibliography: &bibliography,
            has_search,
            search: search.as_ref(),
            out: staging.dir.clone(),
            known_files: None,
        };
        let specs = renderer.specs();
        let known: rustc_hash::FxHashSet<String> = specs
            .iter()
            .map(|s| render::spec_path(&site, s))
            .chain(files.iter().cloned())
            .chain(write::extras::FILES.iter().map(|f| f.to_string()))
            .collect();
        renderer.known_files = Some(&known);
        renderer.render_all(specs, &timings)
    };
    run.diagnostics.extend(problems);
    run.stage("render");

    files.extend(records.iter().map(|r| r.path.clone()));
    let page_paths: Vec<String> = records
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p != "404.html")
        .collect();
    match write::extras::write_all(&site, &staging.dir, &page_paths) {
        Ok(written) => files.extend(written),
        Err(d) => run.diagnostics.push(d),
    }
    run.stage("extras");

    if let Some(search) = search {
        match search.finish() {
            Ok(index) => {
                use rayon::prelude::*;
                let written: Vec<Result<String, Diagnostic>> = index
                    .par_iter()
                    .map(|(rel, bytes)| write::write_file(&staging.dir, rel, bytes))
                    .collect();
                for w in written {
                    match w {
                        Ok(rel) => {
                            files.insert(rel);
                        }
                        Err(d) => run.diagnostics.push(d),
                    }
                }
            }
            Err(message) => run.diagnostics.push(Diagnostic::error(&out, 0, 0, message)),
        }
        run.stage("search");
    }

    // Pages of entities whose file failed to load are missing for a reason already reported.
    for (kind, id) in &site.content.failed {
        files.insert(format!("{}index.html", resolve::Site::url(*kind, id)));
    }
    run.diagnostics
        .extend(check::links::check(&records, &files));
    run.stage("links");
    staging.prune(&files);

    let pages = count_pages(&records);
    // Freeing tens of thousands of small allocations takes tens of milliseconds; the caller does
    // not need to wait for it.
    std::thread::spawn(move || drop((site, templates, records, files, bibliography)));
    let mut template_times: Vec<(&'static str, f64)> = timings
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .collect();
    template_times.sort_by(|a, b| b.1.total_cmp(&a.1));
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
    if let Err(message) = staging.commit() {
        run.diagnostics.push(Diagnostic::error(&out, 0, 0, message));
        return run.end(Outcome::Failure, pages, template_times, out);
    }
    run.stage("write");
    run.end(Outcome::Success, pages, template_times, out)
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

fn count_pages(records: &[render::PageRecord]) -> BTreeMap<String, usize> {
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
