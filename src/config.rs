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
                let (line, col) = locator
                    .value_of_key("base_url")
                    .unwrap_or_else(|| locator.locate(self.base_url.trim(), Some("base_url")));
                problems.push(Diagnostic::error(path, line, col, message).with_help(BASE_URL_HELP));
            }
        }
        if let Some(problem) = self.check_contact(locator) {
            problems.push(problem);
        }
        if let Some(problem) = self.check_language(locator) {
            problems.push(problem);
        }
        let theme = Path::new(&self.theme);
        let paths = [
            ("bibliography", self.bibliography.as_deref()),
            ("theme", Some(theme)),
        ];
        for (field, value) in paths {
            let Some(p) = value else { continue };
            if escapes_root(p) || p.as_os_str().is_empty() {
                let (line, col) = locator
                    .value_of_key(field)
                    .unwrap_or_else(|| locator.locate(&p.to_string_lossy(), Some(field)));
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

    /// `language` is a BCP 47 language tag (`en`, `en-GB`, `cy`): it goes into every page's
    /// `lang` attribute and the feed's `xml:lang`, where anything else is wrong for screen readers
    /// and search engines.
    fn check_language(&self, locator: &yaml::Locator) -> Option<Diagnostic> {
        if is_language_tag(&self.language) {
            return None;
        }
        let (line, col) = locator
            .value_of_key("language")
            .unwrap_or_else(|| locator.locate(&self.language, Some("language")));
        let shown = crate::diagnostics::printable_inline(&self.language);
        Some(
            Diagnostic::error(
                Path::new("site.yaml"),
                line,
                col,
                format!("language `{shown}` is not a language tag"),
            )
            .with_help(
                "write a BCP 47 language tag, for example `language: en-GB` or `language: cy`",
            ),
        )
    }

    /// `accessibility_contact` is an email address: the footer links to `mailto:` it.
    fn check_contact(&self, locator: &yaml::Locator) -> Option<Diagnostic> {
        let contact = self.accessibility_contact.as_deref()?;
        if is_email_address(contact) {
            return None;
        }
        let (line, col) = locator
            .value_of_key("accessibility_contact")
            .unwrap_or_else(|| locator.locate(contact, Some("accessibility_contact")));
        let shown = crate::diagnostics::printable_inline(contact);
        Some(
            Diagnostic::error(
                Path::new("site.yaml"),
                line,
                col,
                format!("accessibility_contact `{shown}` is not an email address"),
            )
            .with_help(
                "write one address such as `accessibility@example.ac.uk`: every page's footer links to it with `mailto:`",
            ),
        )
    }

    /// The path part of `base_url` (`/research/hsca12/`), where `serve` mounts the site.
    pub fn base_path(&self) -> String {
        base_path_of(&self.base_url)
    }
}

/// `name@host.domain`: letters, digits and `.`, `_`, `+`, `-`, `'` before the `@`, dot-separated
/// labels of letters, digits and inner hyphens after it. Nothing that could add to a `mailto:` URL
/// (`?`, `&`, `,`, `%`), break out of an attribute or a Markdown link, or hold a space.
pub fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '+' | '-' | '\''));
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    local_ok && domain.contains('.') && domain.split('.').all(label_ok)
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
/// with non-ASCII letters percent-encoded), always ending with `/`.
///
/// What the `url` crate would silently repair is refused instead, so the address published is the
/// one written: a backslash (read as `/`), whitespace or a control character inside the value
/// (tabs and line breaks are dropped), a host written in a form browsers rewrite (`0x7f.1`,
/// `ex%61mple.org`), a host with an empty part or a part starting or ending with `-`, and a port
/// that is empty, 0 or has leading zeros. Dot segments are still resolved (`/a/../b/` becomes
/// `/b/`), as every browser does with the links built from it, so they change nothing published.
pub fn parse_base_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let shown = crate::diagnostics::printable_inline(text);
    let bad = |why: &str| Err(format!("base_url `{shown}` {why}"));
    if let Some(why) = raw_problem(text) {
        return bad(why);
    }
    // The `url` crate repairs `https:/x` and `https:///x` into `https://x/`; a site address must
    // name its host itself.
    let authority = text.split_once("://").map(|(_, rest)| rest);
    if authority.is_none_or(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
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
    if let Some(why) = authority_problem(authority.unwrap_or_default(), &url) {
        return bad(&why);
    }
    // A path such as `//evil.example/` is the address of another host once a browser takes it
    // on its own (a root-relative link, `new URL(path, page)`).
    if url.path().contains("//") {
        return bad("has an empty path segment (`//`), which browsers can read as another host");
    }
    if !url.path().ends_with('/') {
        url.set_path(&format!("{}/", url.path()));
    }
    Ok(url.into())
}

/// What in the raw text the `url` crate would drop or rewrite without a word.
fn raw_problem(text: &str) -> Option<&'static str> {
    if text.contains('\\') {
        Some("has a backslash (`\\`), which browsers read as `/`; write `/`")
    } else if text
        .chars()
        .any(|c| c.is_ascii_whitespace() || c.is_control())
    {
        Some("has a space, tab, line break or control character inside it; write a space in a path as `%20`")
    } else if has_bad_percent(text) {
        Some("has a `%` that is not followed by two hex digits")
    } else {
        None
    }
}

/// A problem with the host or port as written (`authority` is the text after `://`), compared with
/// how `url` read them.
fn authority_problem(authority: &str, url: &url::Url) -> Option<String> {
    let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match host_port.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((ip, after)) => (&host_port[..ip.len() + 2], after.strip_prefix(':')),
            None => (host_port, None),
        },
        None => match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        },
    };
    if let Some(port) = port {
        if port.is_empty() || port.starts_with('0') {
            return Some("has a port that is empty, 0 or written with leading zeros".into());
        }
    }
    let parsed = url.host_str().unwrap_or_default();
    // A non-ASCII host is an internationalised name, rightly written in its `xn--` form.
    if host.is_ascii() && !host.eq_ignore_ascii_case(parsed) {
        return Some(format!(
            "has a host written in a form browsers rewrite (`{host}` is read as `{parsed}`); write `{parsed}`"
        ));
    }
    if let Some(url::Host::Domain(domain)) = url.host() {
        if domain.split('.').any(str::is_empty) {
            return Some(
                "has a host name with an empty part (`..`, or a dot at either end)".into(),
            );
        }
        if domain
            .split('.')
            .any(|label| label.starts_with('-') || label.ends_with('-'))
        {
            return Some("has a host name with a part that starts or ends with `-`".into());
        }
    }
    None
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

/// A BCP 47 language tag in its common shape: a primary language of 2 to 8 letters, then
/// subtags of 1 to 8 letters or digits, separated by hyphens (`en`, `en-GB`, `zh-Hant-TW`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=8).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
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
        let normalised = parse_base_url("https://example.org/café%20y").unwrap();
        assert_eq!(base_path_of(&normalised), "/caf%C3%A9%20y/");
    }

    #[test]
    fn base_urls_are_normalised_or_refused() {
        let ok = |u: &str| parse_base_url(u).unwrap();
        assert_eq!(ok("https://example.org"), "https://example.org/");
        assert_eq!(
            ok(" http://example.org/a%20b/ "),
            "http://example.org/a%20b/"
        );
        // Dot segments are resolved, as browsers resolve them in every link built from the URL.
        assert_eq!(ok("https://example.org/a/../b/"), "https://example.org/b/");
        assert_eq!(ok("https://EXAMPLE.org:443/"), "https://example.org/");
        assert_eq!(ok("http://127.0.0.1:8000/x"), "http://127.0.0.1:8000/x/");
        assert_eq!(ok("http://[::1]:8000/"), "http://[::1]:8000/");
        assert_eq!(
            ok("https://bücher.example/"),
            "https://xn--bcher-kva.example/"
        );
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
            "https://example.org\\x/",
            "https://example.org/a b/",
            "https://example.org/a\tb/",
            "https://exa\nmple.org/",
            "https://example.org/\u{85}/",
            "https://example.org:0/",
            "https://example.org:/",
            "https://example.org:0443/",
            "https://ex..org/",
            "https://.example.org/",
            "https://example.org./",
            "https://-ex.org/",
            "https://ex-.org/",
            "https://a.b-/",
            "http://0x7f.1/",
            "http://2130706433/",
            "https://ex%61mple.org/",
            "http://[0:0::1]/",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }
}
