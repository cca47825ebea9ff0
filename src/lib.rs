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
//! [`build`] does this:
//!
//! 1. refuse a root with no site and an output inside the inputs, and parse `--base-url`;
//! 2. read `site.yaml`, then load, resolve and check the site and compile its templates
//!    (`pipeline::prepare`);
//! 3. prepare the staging folder beside the output (or a scratch folder for `check`);
//! 4. copy static files, render every page, write the extras and the search index, and check the
//!    links (`pipeline::write_site`);
//! 5. if nothing failed, switch the staging folder into place; else abandon it, leaving the
//!    previous output as it was.
//!
//! The `pipeline` module holds one function per stage, and runs them in order; [`build`] and
//! `realist serve` ([`serve`]) both call those functions, so a stage is written once.
//! `main.rs` only parses arguments and prints what comes back.

pub mod check;
pub mod cite;
pub mod config;
pub mod diagnostics;
pub(crate) mod load;
pub mod markdown;
pub mod model;
pub(crate) mod paths;
pub use paths::nearest_site_root;
mod pipeline;
pub(crate) mod render;
pub(crate) mod resolve;
pub mod scaffold;
pub mod serve;
pub mod text;
pub(crate) mod theme;
pub(crate) mod url;
pub mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::Kind;
use diagnostics::{Diagnostic, Severity};
use pipeline::Run;

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

    /// The line a failed build or check ends with: how many problems were listed, of each
    /// severity, in correct English (`1 error and 2 warnings found`).
    pub fn problems_summary(&self) -> String {
        let errors = diagnostics::count(self.errors(), "error");
        match self.warnings() {
            0 => format!("{errors} found"),
            n => format!("{errors} and {} found", diagnostics::count(n, "warning")),
        }
    }

    /// The one-line summary `build` ends with.
    pub fn summary(&self, verb: &str) -> String {
        let total: usize = self.pages.values().sum();
        let by_kind: Vec<String> = self
            .pages
            .iter()
            .map(|(label, n)| format!("{n} {}", singular_if_one(label, *n)))
            .collect();
        format!(
            "{verb} {} ({}) with {} in {:.2} s",
            diagnostics::count(total, "page"),
            by_kind.join(", "),
            diagnostics::count(self.warnings(), "warning"),
            self.seconds
        )
    }
}

/// Loads, resolves, checks, renders and (unless `check_only`) writes the site.
///
/// 1. Refuse a root that is no site, an output inside the inputs, and a bad `--base-url`.
/// 2. Read site.yaml and run the stages before rendering (`pipeline::prepare`).
/// 3. Open the staging folder and write the site into it (`pipeline::write_site`).
/// 4. Move the staging folder into place if nothing failed (and this is not `check`).
pub fn build(options: &BuildOptions) -> BuildReport {
    let mut run = Run::start();
    run.deny_warnings = options.deny_warnings;
    let out = options
        .out
        .clone()
        .unwrap_or_else(|| options.root.join("public"));
    let base_url = match refuse(options, &out) {
        Ok(base_url) => base_url,
        Err(d) => return fail(run, d, out),
    };
    let Some(model) = model(options, base_url, &mut run) else {
        return report(run, Outcome::SiteErrors, BTreeMap::new(), Vec::new(), out);
    };
    let mut staging = match staging(options, &model, &out) {
        Ok(s) => s,
        Err(d) => return fail(run, d, out),
    };
    run.diagnostics.extend(staging.take_warnings());
    let with = pipeline::WriteWith {
        search: !staging.is_scratch(),
        check_early: true,
        report_at: &out,
    };
    let written = pipeline::write_site(&model, &options.root, staging.output(), with, &mut |s| {
        run.stage(s)
    });
    run.diagnostics.extend(written.problems().cloned());
    let pipeline::Written {
        pages: rendered,
        files,
        template_times,
        ..
    } = written;
    let pages = count_pages(&rendered);
    if let Some(e) = staging.output().write_failure() {
        // A full disk or a read-only output fails every later write too, and each would be
        // reported against a page or file: one problem of the output folder is reported instead.
        staging.abandon();
        run.diagnostics = vec![write::staging::cannot_write(&out, e)];
        return report(run, Outcome::Failure, pages, template_times, out);
    }
    // Freeing tens of thousands of small allocations takes tens of milliseconds; the caller does
    // not need to wait for it.
    std::thread::spawn(move || drop((model, rendered)));
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
        return report(run, outcome, pages, template_times, out);
    }
    match staging.commit(&files) {
        Ok(warning) => run.diagnostics.extend(warning),
        Err(d) => return fail(run, d, out),
    }
    run.stage("write");
    report(run, Outcome::Success, pages, template_times, out)
}

/// A build that failed outside the site's own files (exit 2) with `d`.
fn fail(mut run: Run, d: Diagnostic, out: PathBuf) -> BuildReport {
    run.diagnostics.push(d);
    report(run, Outcome::Failure, BTreeMap::new(), Vec::new(), out)
}

fn report(
    mut run: Run,
    outcome: Outcome,
    pages: BTreeMap<String, usize>,
    templates: Vec<(&'static str, f64)>,
    out: PathBuf,
) -> BuildReport {
    if run.deny_warnings {
        // `--deny-warnings` makes every warning an error: it is shown and counted as one.
        for d in &mut run.diagnostics {
            d.severity = Severity::Error;
        }
    }
    diagnostics::normalise(&mut run.diagnostics);
    BuildReport {
        outcome,
        diagnostics: run.diagnostics,
        pages,
        seconds: run.started.elapsed().as_secs_f64(),
        stages: run.stages,
        stage_rss: run.rss,
        templates,
        out,
    }
}

/// What is refused before anything is read: a root that is no site, an output inside the
/// inputs, a bad `--base-url`. Ok: the checked `--base-url`, if given.
fn refuse(options: &BuildOptions, out: &Path) -> Result<Option<url::BaseUrl>, Diagnostic> {
    if let Some(d) = pipeline::no_site_here(&options.root) {
        return Err(d);
    }
    // Checked before loading too, so that a nested output is never read as content.
    if !options.check_only {
        if let Some(d) = write::staging::refuse_out_inside_inputs(&options.root, None, out) {
            return Err(d);
        }
    }
    pipeline::base_url(options.base_url.as_deref())
}

/// Where the build writes: a staging folder beside `out`, or a scratch folder for `check`. An
/// `out` inside the site's inputs is refused before anything is written.
fn staging(
    options: &BuildOptions,
    model: &pipeline::Model,
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

/// Steps 1 and 2 of the pipeline. None if site.yaml or the templates cannot be used; every
/// problem found is in `run`.
fn model(
    options: &BuildOptions,
    base_url: Option<url::BaseUrl>,
    run: &mut Run,
) -> Option<pipeline::Model> {
    let config = pipeline::config(&options.root, base_url)
        .map_err(|d| run.diagnostics.extend(d))
        .ok()?;
    let how = pipeline::Prepare {
        drafts: options.drafts,
        bodies: load::Bodies::Release,
        keep_content: false,
    };
    let prepared = pipeline::prepare(&options.root, config, how, &mut |s| run.stage(s));
    run.diagnostics.extend(prepared.problems.all().cloned());
    prepared.model.map_err(|d| run.diagnostics.extend(d)).ok()
}

fn count_pages(pages: &[pipeline::Page]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for r in pages.iter().filter_map(|p| p.record.as_ref()) {
        let first = r.path.split('/').next().unwrap_or("");
        let label = match Kind::REFERABLE
            .iter()
            .chain([Kind::Theme].iter())
            .find(|k| k.info().segment == first && r.path.matches('/').count() == 2)
        {
            Some(k) => k.label_in_sentence(true),
            None => "other".into(),
        };
        *counts.entry(label).or_insert(0) += 1;
    }
    counts
}

/// A kind's plural page label (`studies`), as the singular (`study`) when there is one page.
fn singular_if_one(label: &str, n: usize) -> String {
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.label_in_sentence(true) == label);
    match kind {
        Some(k) if n == 1 => k.label_in_sentence(false),
        _ => label.to_string(),
    }
}

/// Resolves `--root` to a path, for tools and tests.
pub fn root_or_cwd(root: Option<&Path>) -> PathBuf {
    root.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}
