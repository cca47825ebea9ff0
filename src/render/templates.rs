//! Loading the Tera templates once: the theme's, overridden file by file by the site's `templates/`.
//!
//! The default theme is compiled into the binary, so a site without a `themes/` folder (every site
//! made by `realist init`, and every test fixture) still builds. A site that has
//! `themes/<name>/templates/` uses those files instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// The default theme, embedded at compile time: (path inside the theme, contents).
pub const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "templates/macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    (
        "templates/home.html",
        include_str!("../../themes/default/templates/home.html"),
    ),
    (
        "templates/report.html",
        include_str!("../../themes/default/templates/report.html"),
    ),
    (
        "templates/cmo.html",
        include_str!("../../themes/default/templates/cmo.html"),
    ),
    (
        "templates/entity.html",
        include_str!("../../themes/default/templates/entity.html"),
    ),
    (
        "templates/list.html",
        include_str!("../../themes/default/templates/list.html"),
    ),
    (
        "templates/matrix.html",
        include_str!("../../themes/default/templates/matrix.html"),
    ),
    (
        "templates/glossary.html",
        include_str!("../../themes/default/templates/glossary.html"),
    ),
    (
        "templates/search.html",
        include_str!("../../themes/default/templates/search.html"),
    ),
    (
        "templates/404.html",
        include_str!("../../themes/default/templates/404.html"),
    ),
    (
        "static/style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "static/print.css",
        include_str!("../../themes/default/static/print.css"),
    ),
    (
        "static/syntax.css",
        include_str!("../../themes/default/static/syntax.css"),
    ),
    (
        "static/site.js",
        include_str!("../../themes/default/static/site.js"),
    ),
    (
        "static/search.js",
        include_str!("../../themes/default/static/search.js"),
    ),
    (
        "static/search.css",
        include_str!("../../themes/default/static/search.css"),
    ),
    (
        "archetypes/report.md",
        include_str!("../../themes/default/archetypes/report.md"),
    ),
    (
        "archetypes/tracer.md",
        include_str!("../../themes/default/archetypes/tracer.md"),
    ),
    (
        "archetypes/cmo.md",
        include_str!("../../themes/default/archetypes/cmo.md"),
    ),
    (
        "archetypes/theory.md",
        include_str!("../../themes/default/archetypes/theory.md"),
    ),
];

/// Where each template came from, so template errors can name the file.
pub struct Templates {
    pub tera: tera::Tera,
    pub origins: BTreeMap<String, PathBuf>,
}

/// Files of the theme folder `sub` ("templates", "static", "archetypes"): (name, project-relative
/// origin, contents). The site's theme folder wins over the embedded default.
pub fn theme_files(
    root: &Path,
    theme: &str,
    sub: &str,
) -> Result<BTreeMap<String, (PathBuf, Vec<u8>)>, Diagnostic> {
    let mut files = BTreeMap::new();
    let theme_dir = Path::new("themes").join(theme);
    if root.join(&theme_dir).is_dir() {
        read_dir_files(root, &theme_dir.join(sub), &mut files)?;
    } else if theme == "default" {
        for (path, text) in DEFAULT_THEME {
            if let Some(name) = path.strip_prefix(&format!("{sub}/")) {
                files.insert(
                    name.to_string(),
                    (
                        Path::new("themes/default").join(path),
                        text.as_bytes().to_vec(),
                    ),
                );
            }
        }
    } else {
        return Err(Diagnostic::error(
            "site.yaml",
            0,
            0,
            format!("theme `{theme}` not found: there is no themes/{theme}/ folder"),
        )
        .with_help("remove `theme:` to use the built-in default theme"));
    }
    Ok(files)
}

/// Reads every file below `root/dir` into `files`, keyed by its path relative to `dir`.
pub fn read_dir_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, (PathBuf, Vec<u8>)>,
) -> Result<(), Diagnostic> {
    collect_dir_files(root, dir, files, true)
}

/// Like [`read_dir_files`], but leaves the contents empty: for files copied streamed.
pub fn list_dir_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, (PathBuf, Vec<u8>)>,
) -> Result<(), Diagnostic> {
    collect_dir_files(root, dir, files, false)
}

fn collect_dir_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, (PathBuf, Vec<u8>)>,
    read: bool,
) -> Result<(), Diagnostic> {
    let full = root.join(dir);
    if !full.is_dir() {
        return Ok(());
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut first_problem = None;
    // A link (to a file or a folder) whose target is outside the site is reported and skipped,
    // and the rest of the folder is still read, so one bad link does not hide every other file.
    let walker = walkdir::WalkDir::new(&full)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let inside = !e.path_is_symlink()
                || e.path()
                    .canonicalize()
                    .is_ok_and(|p| p.starts_with(&canonical_root));
            if !inside && first_problem.is_none() {
                first_problem = Some(
                    Diagnostic::error(
                        relative(e.path()),
                        0,
                        0,
                        "a symbolic link that points outside the site root",
                    )
                    .with_help("copy the file into the site instead of linking to it"),
                );
            }
            inside
        });
    for entry in walker {
        let entry = entry.map_err(|e| {
            let rel = e.path().map(relative).unwrap_or_else(|| dir.to_path_buf());
            Diagnostic::error(rel, 0, 0, format!("cannot read: {e}"))
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = relative(entry.path());
        let name = entry
            .path()
            .strip_prefix(&full)
            .unwrap_or(entry.path())
            .to_string_lossy()
            .replace('\\', "/");
        let bytes = match read {
            true => std::fs::read(entry.path())
                .map_err(|e| Diagnostic::error(&rel, 0, 0, format!("cannot read: {e}")))?,
            false => Vec::new(),
        };
        files.insert(name, (rel, bytes));
    }
    first_problem.map_or(Ok(()), Err)
}

impl Templates {
    /// Compiles the theme's templates and the site's overrides once.
    pub fn load(root: &Path, theme: &str) -> Result<Templates, Vec<Diagnostic>> {
        let mut files = theme_files(root, theme, "templates").map_err(|d| vec![d])?;
        read_dir_files(root, Path::new("templates"), &mut files).map_err(|d| vec![d])?;
        let mut sources = Vec::new();
        let mut origins = BTreeMap::new();
        let mut problems = Vec::new();
        for (name, (origin, bytes)) in files {
            match String::from_utf8(bytes) {
                Ok(text) => sources.push((name.clone(), text)),
                Err(_) => problems.push(Diagnostic::error(
                    &origin,
                    0,
                    0,
                    "template is not valid UTF-8",
                )),
            }
            origins.insert(name, origin);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let mut tera = tera::Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        if let Err(e) = tera.add_raw_templates(sources) {
            return Err(vec![template_error(&e, &origins, None)]);
        }
        Ok(Templates { tera, origins })
    }
}

/// A Tera error as a diagnostic naming the template file, line and column, and the page rendered.
pub fn template_error(
    error: &tera::Error,
    origins: &BTreeMap<String, PathBuf>,
    page: Option<&str>,
) -> Diagnostic {
    use std::error::Error as _;
    let (file, line, column, message) = match error.kind() {
        tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
            let span = report.span();
            (
                report.filename().to_string(),
                span.start_line,
                span.start_col + 1,
                report.message().to_string(),
            )
        }
        _ => {
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(s) = source {
                message.push_str(&format!(": {s}"));
                source = s.source();
            }
            (String::new(), 0, 0, message)
        }
    };
    let path = origins
        .get(&file)
        .cloned()
        .unwrap_or_else(|| PathBuf::from(if file.is_empty() { "templates" } else { &file }));
    let mut d = Diagnostic::error(path, line, column, format!("template error: {message}"));
    if let Some(page) = page {
        d = d.with_help(format!("while rendering the page `{page}`"));
    }
    d
}
