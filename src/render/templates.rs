//! Loading the Tera templates once: the theme's, overridden file by file by the site's `templates/`.
//!
//! 1. read the theme's `templates/` ([`crate::theme`]: the site's `themes/<name>/`, or the default
//!    theme compiled into the binary);
//! 2. read the site's `templates/` over them, file by file;
//! 3. compile them all once, keeping where each came from for error messages.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::paths;
use crate::theme::{read_dir_files, theme_files};

/// Where each template came from, so template errors can name the file.
pub struct Templates {
    pub tera: tera::Tera,
    pub origins: BTreeMap<String, PathBuf>,
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
