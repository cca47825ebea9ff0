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
///
/// Tera wraps some errors (an unknown filter or template found while compiling) in a plain
/// message whose source holds the located one: the chain is searched for the first located
/// error, so that the diagnostic points at the template's line, not at the `templates` folder.
pub fn template_error(
    error: &tera::Error,
    origins: &BTreeMap<String, PathBuf>,
    page: Option<&str>,
) -> Diagnostic {
    let (file, line, column, message) = match located(error) {
        Some(report) => {
            let span = report.span();
            (
                report.filename().to_string(),
                span.start_line,
                span.start_col + 1,
                report.message().to_string(),
            )
        }
        None => match error.kind() {
            tera::ErrorKind::Msg(text) => from_report_text(text)
                .unwrap_or_else(|| (String::new(), 0, 0, unlocated_message(error))),
            _ => (named_template(error), 0, 0, unlocated_message(error)),
        },
    };
    let path = match origins.get(&file) {
        Some(origin) => origin.clone(),
        None if file.is_empty() => PathBuf::from("templates"),
        None => Path::new("templates").join(&file),
    };
    let mut d = Diagnostic::error(path, line, column, format!("template error: {message}"));
    if let Some(page) = page {
        d = d.with_help(format!("while rendering the page `{page}`"));
    }
    d
}

/// The first error of `error`'s chain that knows its template, line and column.
fn located(error: &tera::Error) -> Option<&tera::ReportError> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = next {
        if let Some(tera_error) = e.downcast_ref::<tera::Error>() {
            match tera_error.kind() {
                tera::ErrorKind::SyntaxError(report) | tera::ErrorKind::RenderingError(report) => {
                    return Some(report)
                }
                _ => {}
            }
        }
        next = e.source();
    }
    None
}

/// (template, line, column, message) from the text of a located error that Tera gave as a plain
/// message (an unknown filter, test, function or template is found after parsing, and reported as
/// `error: MESSAGE\n --> NAME:LINE:COL\n` followed by the source line). Read from the text
/// because Tera keeps no other record of where it was.
fn from_report_text(text: &str) -> Option<(String, usize, usize, String)> {
    let mut lines = text.lines();
    let message = lines.next()?.trim().trim_start_matches("error:").trim();
    let at = lines.next()?.trim().strip_prefix("-->")?.trim();
    let mut parts = at.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    let file = parts.next()?.to_string();
    Some((file, line, column, message.to_string()))
}

/// The template an unlocated error is about, when Tera names it ("" when it does not).
fn named_template(error: &tera::Error) -> String {
    match error.kind() {
        tera::ErrorKind::MissingParent { current, .. } => current.clone(),
        tera::ErrorKind::CircularExtend { tpl, .. } => tpl.clone(),
        tera::ErrorKind::CircularInclude { tpl, .. } => tpl.clone(),
        _ => String::new(),
    }
}

/// An unlocated error's message, with the messages of its sources.
fn unlocated_message(error: &tera::Error) -> String {
    use std::error::Error as _;
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    message
}
