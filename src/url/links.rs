//! Which URLs from content may reach a published page: the one check for every link and image
//! written from Markdown, front matter or the bibliography.
//!
//! A destination is read the way a browser reads it, through the `url` crate (the WHATWG URL
//! Standard parser): leading spaces and control characters are ignored, tabs and newlines inside
//! are removed, and `\` counts as `/`. A destination that parses as an absolute URL must use
//! `http`, `https` or `mailto`; anything else (`javascript:`, `vbscript:`, `data:`, `file:` …)
//! is refused. One that does not parse on its own is relative: it is resolved against a stand-in
//! page address to see whether it still points into the site or, like `//host/x` or `\\host\x`,
//! to another host.

use url::Url;

/// The schemes a link from content may use.
pub const ALLOWED_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// A stand-in page address that no real destination can name by accident.
const STAND_IN: &str = "https://realist-site.invalid/a/b/";

/// Where an allowed destination points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlKind {
    /// A path or fragment within the site.
    Relative,
    /// Another host: an absolute `http(s)` or `mailto` URL, or a scheme-relative `//host/x`.
    External,
}

/// Classifies a destination as a browser would read it, or says in plain words why it is refused.
pub fn classify(dest: &str) -> Result<UrlKind, String> {
    match Url::parse(dest) {
        Ok(url) if ALLOWED_SCHEMES.contains(&url.scheme()) => Ok(UrlKind::External),
        Ok(url) => Err(format!(
            "the URL `{}` uses the `{}:` scheme; only http, https and mailto links, and links within the site, are allowed",
            shown(dest),
            url.scheme()
        )),
        Err(url::ParseError::RelativeUrlWithoutBase) => relative(dest),
        Err(e) => Err(format!("`{}` is not a valid URL: {e}", shown(dest))),
    }
}

/// Whether a link goes off the site (a scheme such as `https:` or `mailto:`, or `//host`): the
/// quick test for the links realist itself wrote, which [`classify`] has already allowed.
pub fn is_external(dest: &str) -> bool {
    let scheme_end = dest.find(':');
    let first_special = dest.find(['/', '?', '#']);
    matches!((scheme_end, first_special), (Some(c), None) if c > 0)
        || matches!((scheme_end, first_special), (Some(c), Some(s)) if c > 0 && c < s)
        || dest.starts_with("//")
}

/// Whether a destination is allowed at all (for writers that cannot report a location).
pub fn is_allowed(dest: &str) -> bool {
    classify(dest).is_ok()
}

fn relative(dest: &str) -> Result<UrlKind, String> {
    let base = Url::parse(STAND_IN).expect("the stand-in address is a valid URL");
    match base.join(dest) {
        Ok(url) if url.scheme() == base.scheme() && url.host() == base.host() => {
            Ok(UrlKind::Relative)
        }
        Ok(_) => Ok(UrlKind::External),
        Err(e) => Err(format!("`{}` is not a valid URL: {e}", shown(dest))),
    }
}

/// The destination for a message: control characters made visible, and at most 80 characters.
pub fn shown(dest: &str) -> String {
    let mut out: String = dest
        .chars()
        .take(80)
        .flat_map(char::escape_default)
        .collect();
    if dest.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_links() {
        assert!(is_external("https://x.org"));
        assert!(is_external("mailto:a@b"));
        assert!(!is_external("../a/"));
        assert!(!is_external("a.md#x:y"));
    }

    #[test]
    fn allowed_and_refused() {
        for ok in [
            "https://x.org/a",
            "HTTP://x.org",
            "mailto:a@b.c",
            " https://x.org",
        ] {
            assert_eq!(classify(ok), Ok(UrlKind::External), "{ok}");
        }
        for rel in [
            "a/b.png",
            "../x/",
            "#top",
            "a.md#x:y",
            "?q=1",
            "",
            "%6Aavascript:x",
        ] {
            assert_eq!(classify(rel), Ok(UrlKind::Relative), "{rel}");
        }
        for other_host in [
            "//evil.org/x.png",
            "\\\\evil.org/x",
            "/\\evil.org",
            " //evil.org",
        ] {
            assert_eq!(classify(other_host), Ok(UrlKind::External), "{other_host}");
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " \u{1}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "vbscript:msgbox",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "ftp://x.org",
            "fig:1.png",
        ] {
            assert!(classify(bad).is_err(), "{bad:?}");
        }
    }
}
