//! `site.yaml`: the site's own settings.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::load::{paths, yaml};

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
        let bytes = paths::read(root, path).map_err(|d| {
            vec![d.with_help("every site needs a site.yaml with at least `title` and `base_url`; `realist init DIR` makes one")]
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let (line, col) =
                    crate::load::utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
                return Err(vec![Diagnostic::error(
                    path,
                    line,
                    col,
                    "site.yaml is not valid UTF-8",
                )
                .with_help("save the file as UTF-8")]);
            }
        };
        let text = crate::load::frontmatter::normalise_text(&text);
        let mut config: SiteConfig = yaml::from_str(&text).map_err(|e| {
            vec![Diagnostic::error(path, e.line, e.column, e.message).with_help_opt(e.help)]
        })?;
        let problems = config.check(&yaml::Locator::new(&text, 1));
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Checks `base_url` (replacing it with its normalised form) and the paths, located in `site.yaml`.
    fn check(&mut self, locator: &yaml::Locator) -> Vec<Diagnostic> {
        let path = Path::new("site.yaml");
        let mut problems = Vec::new();
        match parse_base_url(&self.base_url) {
            Ok(url) => self.base_url = url,
            Err(message) => {
                let (line, col) = locator.locate(self.base_url.trim(), Some("base_url"));
                problems.push(Diagnostic::error(path, line, col, message).with_help(BASE_URL_HELP));
            }
        }
        let theme = Path::new(&self.theme);
        let paths = [
            ("bibliography", self.bibliography.as_deref()),
            ("theme", Some(theme)),
        ];
        for (field, value) in paths {
            let Some(p) = value else { continue };
            if escapes_root(p) || p.as_os_str().is_empty() {
                let (line, col) = locator.locate(&p.to_string_lossy(), Some(field));
                problems.push(
                    Diagnostic::error(
                        path,
                        line,
                        col,
                        format!("`{field}` path `{}` leaves the site root", p.display()),
                    )
                    .with_help(
                        "paths in site.yaml are relative to the site root and must stay inside it",
                    ),
                );
            }
        }
        problems
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

pub use crate::load::paths::escapes_root;

const BASE_URL_HELP: &str = "write the full address the site is published at, e.g. https://www.example.ac.uk/research/hsca12/";

/// Parses and checks a site's address, the one check for both `site.yaml` and `--base-url`: an
/// absolute `http` or `https` URL with a host, no user name or password, no query or fragment, and
/// every `%` followed by two hex digits. Returns the URL as the `url` crate normalises it (a path
/// with spaces or non-ASCII letters percent-encoded), always ending with `/`.
pub fn parse_base_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let shown = crate::diagnostics::printable(text);
    let bad = |why: &str| Err(format!("base_url `{shown}` {why}"));
    if has_bad_percent(text) {
        return bad("has a `%` that is not followed by two hex digits");
    }
    // The `url` crate repairs `https:/x` and `https:///x` into `https://x/`; a site address must
    // name its host itself.
    let authority = text.split_once("://").map(|(_, rest)| rest);
    if authority.is_none_or(|rest| rest.is_empty() || rest.starts_with(['/', '\\', '?', '#'])) {
        return bad(if authority.is_some() {
            "has no host name"
        } else {
            "is not an absolute http(s) URL"
        });
    }
    let mut url = match url::Url::parse(text) {
        Ok(u) => u,
        Err(e) => return bad(&format!("is not an absolute http(s) URL ({e})")),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return bad("is not an absolute http(s) URL: only http:// and https:// can be published");
    }
    if url.host_str().is_none_or(str::is_empty) {
        return bad("has no host name");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return bad("has a user name or password (`user@`), which must not be published");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return bad("has a query (`?`) or fragment (`#`), which a site address cannot have");
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url.into())
}

/// Whether some `%` in `text` is not followed by two hex digits.
fn has_bad_percent(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'%'
            && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
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
        let normalised = parse_base_url("https://example.org/café y").unwrap();
        assert_eq!(base_path_of(&normalised), "/caf%C3%A9%20y/");
    }

    #[test]
    fn base_urls_are_normalised_or_refused() {
        let ok = |u: &str| parse_base_url(u).unwrap();
        assert_eq!(ok("https://example.org"), "https://example.org/");
        assert_eq!(ok(" http://example.org/a b/ "), "http://example.org/a%20b/");
        assert_eq!(
            ok("https://example.org/café"),
            "https://example.org/caf%C3%A9/"
        );
        assert_eq!(ok("https://example.org/%41/"), "https://example.org/%41/");
        for bad in [
            "ftp://example.org/",
            "javascript:alert(1)",
            "https://",
            "https:///x/",
            "https:/x/",
            "https://example.org/?q=1",
            "https://example.org/#top",
            "https://u:p@example.org/",
            "https://example.org/%zz/",
            "example.org/x/",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }
}
