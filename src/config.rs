//! `site.yaml`: the site's own settings.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::load::yaml;

/// Settings from `site.yaml`. Paths are relative to the site root.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    /// The absolute URL the site is published at; always ends with `/` after loading.
    pub base_url: String,
    #[serde(default = "default_language")]
    pub language: String,
    pub description: Option<String>,
    pub publisher: Option<String>,
    pub bibliography: Option<PathBuf>,
    /// A CSL style name known to hayagriva, such as `apa` or `harvard-cite-them-right`.
    pub csl: Option<String>,
    /// An email address or URL for accessibility problems, shown in the footer and statement.
    pub accessibility_contact: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The licence of the site's content, shown in the footer.
    pub licence: Option<String>,
    /// Full-text search (a Pagefind index under `pagefind/` and the `search/` page).
    #[serde(default = "default_search")]
    pub search: bool,
}

/// Off unless asked for, as in Zola: a Pagefind index costs several times the rest of the build
/// in time and memory on large sites (measured in the search module's notes).
fn default_search() -> bool {
    false
}

fn default_language() -> String {
    "en-GB".into()
}

fn default_theme() -> String {
    "default".into()
}

impl SiteConfig {
    /// Reads and checks `ROOT/site.yaml`.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let path = Path::new("site.yaml");
        let text = match std::fs::read(root.join(path)) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => {
                    let (line, col) = crate::load::utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
                    return Err(vec![Diagnostic::error(path, line, col, "site.yaml is not valid UTF-8")
                        .with_help("save the file as UTF-8")]);
                }
            },
            Err(e) => {
                return Err(vec![Diagnostic::error(path, 0, 0, format!("cannot read site.yaml: {e}"))
                    .with_help("every site needs a site.yaml with at least `title` and `base_url`; `realist init DIR` makes one")])
            }
        };
        let text = crate::load::frontmatter::normalise_text(&text);
        let mut config: SiteConfig = yaml::from_str(&text).map_err(|e| {
            vec![Diagnostic::error(path, e.line, e.column, e.message).with_help_opt(e.help)]
        })?;
        config.base_url = config.base_url.trim().to_string();
        let locator = yaml::Locator::new(&text, 1);
        let mut problems = Vec::new();
        if !(config.base_url.starts_with("https://") || config.base_url.starts_with("http://")) {
            let (line, col) = locator.locate(&config.base_url, Some("base_url"));
            problems.push(
                Diagnostic::error(path, line, col, format!("base_url `{}` is not an absolute http(s) URL", config.base_url))
                    .with_help("write the full address the site is published at, e.g. https://www.example.ac.uk/research/hsca12/"),
            );
        }
        if !config.base_url.ends_with('/') {
            config.base_url.push('/');
        }
        for (field, value) in [("bibliography", &config.bibliography)] {
            if let Some(p) = value {
                if escapes_root(p) {
                    let (line, col) = locator.locate(&p.to_string_lossy(), Some(field));
                    problems.push(Diagnostic::error(path, line, col, format!("`{field}` path `{}` leaves the site root", p.display()))
                        .with_help("paths in site.yaml are relative to the site root and must stay inside it"));
                }
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// The path part of `base_url` (`/research/hsca12/`), where `serve` mounts the site.
    pub fn base_path(&self) -> String {
        base_path_of(&self.base_url)
    }
}

/// The path part of an absolute URL, always starting and ending with `/`.
pub fn base_path_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    }
}

/// True when a relative path is absolute or climbs out of its base with `..`.
pub fn escapes_root(path: &Path) -> bool {
    let mut depth: i32 = 0;
    for component in path.components() {
        match component {
            std::path::Component::Normal(_) => depth += 1,
            std::path::Component::ParentDir => depth -= 1,
            std::path::Component::CurDir => {}
            _ => return true,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(
            base_path_of("https://www.example.ac.uk/research/hsca12/"),
            "/research/hsca12/"
        );
        assert_eq!(base_path_of("https://example.org"), "/");
        assert_eq!(base_path_of("https://example.org/a"), "/a/");
    }

    #[test]
    fn escaping_paths() {
        assert!(escapes_root(Path::new("../x.bib")));
        assert!(escapes_root(Path::new("/etc/passwd")));
        assert!(escapes_root(Path::new("a/../../x")));
        assert!(!escapes_root(Path::new("content/references.bib")));
    }
}
