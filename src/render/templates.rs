//! Loading the Tera templates once: the theme's, overridden file by file by the site's `templates/`.
//!
//! The default theme is compiled into the binary, so a site without a `themes/` folder (every site
//! made by `realist init`, and every test fixture) still builds. A site that has
//! `themes/<name>/templates/` uses those files instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::load::paths;

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
    (
        "archetypes/source.md",
        include_str!("../../themes/default/archetypes/source.md"),
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
    if paths::exists(root, &theme_dir) {
        // The theme is read under the same policy as every input: inside the site, no links out.
        if !paths::check_inside(root, &theme_dir)?.is_dir() {
            return Err(paths::not_a_folder(&theme_dir)
                .with_help("a theme is a folder themes/NAME/ with templates/ and static/"));
        }
        if let Some(first) = read_dir_files(root, &theme_dir.join(sub), &mut files)
            .into_iter()
            .next()
        {
            return Err(first);
        }
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

/// Reads every file below `root/dir` into `files`, keyed by its path relative to `dir`, under the
/// one input policy ([`paths`]). Returns every problem: a file that is refused (a link out of the
/// site, a named pipe, a name that is not UTF-8) is reported and not read, and the rest of the folder
/// is still read, so one bad file does not hide every other.
pub fn read_dir_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, (PathBuf, Vec<u8>)>,
) -> Vec<Diagnostic> {
    let walk = paths::walk(root, dir);
    let mut problems = walk.problems;
    for rel in walk.files {
        let name = paths::slash_name(rel.strip_prefix(dir).unwrap_or(&rel));
        match paths::read(root, &rel) {
            Ok(bytes) => {
                files.insert(name, (rel, bytes));
            }
            Err(d) => problems.push(d),
        }
    }
    problems
}

impl Templates {
    /// Compiles the theme's templates and the site's overrides once.
    pub fn load(root: &Path, theme: &str) -> Result<Templates, Vec<Diagnostic>> {
        let mut files = theme_files(root, theme, "templates").map_err(|d| vec![d])?;
        let mut problems = read_dir_files(root, Path::new("templates"), &mut files);
        problems.extend(template_named_folders(root));
        if !problems.is_empty() {
            return Err(problems);
        }
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

/// Folders under `templates/` named like a template (`base.html/`): the file they stand in for
/// would otherwise silently come from the theme.
fn template_named_folders(root: &Path) -> Vec<Diagnostic> {
    let walk = paths::walk(root, Path::new("templates"));
    walk.folders
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "html" || e == "xml"))
        .map(|f| {
            Diagnostic::error(f, 0, 0, "a folder, where a template file is expected")
                .with_help("templates are files; rename or remove the folder")
        })
        .collect()
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
