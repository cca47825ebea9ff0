//! Every internal URL of a site, made in one place: the site's address ([`BaseUrl`]), the path of
//! a page under it, links between pages, and absolute addresses.
//!
//! Three forms of the same address appear in a site, and each comes from one function here:
//!
//! 1. the **site path** of a page (`reports/x/`): `page_path`, from the URL segment of its kind
//!    and its id (a kind's list page, `reports/`: `list_path`); its file in the output is `page_file` (`reports/x/index.html`), and back again
//!    `page_of_file`;
//! 2. a **relative link** from one page to another (`../../reports/x/`): `relative`, which keeps
//!    a site working wherever it is opened (a file system, a preview, any base path);
//! 3. an **absolute address** (`https://host/base/reports/x/`), for what leaves the site (the
//!    canonical link, Highwire and JSON-LD metadata, the sitemap, the feed, robots.txt, exports):
//!    [`BaseUrl::absolute`], and the site's path under its host (`/base/`) for `serve`:
//!    [`BaseUrl::path`].
//!
//! [`BaseUrl::parse`] is the one check of a site's address, for `site.yaml` and `--base-url`
//! alike. Which links content may hold at all is `links`.

pub(crate) mod links;

use std::fmt;

/// The address a site is published at: an absolute `http(s)` URL that always ends with `/`,
/// checked and normalised by [`BaseUrl::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Parses and checks a site's address, the one check for both `site.yaml` and `--base-url`: an
    /// absolute `http` or `https` URL with a host, no user name or password, no query or fragment,
    /// and every `%` followed by two hex digits. The URL is kept as the `url` crate normalises it
    /// (a path with non-ASCII letters percent-encoded), always ending with `/`.
    ///
    /// What the `url` crate would silently repair is refused instead, so the address published is
    /// the one written: a backslash (read as `/`), whitespace or a control character inside the
    /// value (tabs and line breaks are dropped), a host written in a form browsers rewrite
    /// (`0x7f.1`, `ex%61mple.org`), a host with an empty part or a part starting or ending with
    /// `-`, and a port that is empty, 0 or has leading zeros. Dot segments are still resolved
    /// (`/a/../b/` becomes `/b/`), as every browser does with the links built from it, so they
    /// change nothing published.
    pub fn parse(text: &str) -> Result<BaseUrl, String> {
        parse(text).map(BaseUrl)
    }

    /// The address as written in `site.yaml`, before [`SiteConfig::load`] checks it with
    /// [`BaseUrl::parse`] (serde reads the whole file first, so that every problem in it is found
    /// and located in one pass).
    ///
    /// [`SiteConfig::load`]: crate::config::SiteConfig::load
    pub(crate) fn as_written<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BaseUrl, D::Error> {
        <String as serde::Deserialize>::deserialize(d).map(BaseUrl)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The absolute address of a site path (`reports/x/`, `atom.xml`, `` for the home page).
    /// What a URL path cannot hold as it is (a space, a non-ASCII letter) is percent-encoded, as
    /// a browser would encode it: the address leaves the site (sitemaps, feeds, exports,
    /// metadata), where readers expect a URL and not an IRI. Ids are lower-kebab, so the pages
    /// of today's kinds never need it.
    pub fn absolute(&self, site_path: &str) -> String {
        let mut out = String::with_capacity(self.0.len() + site_path.len());
        out.push_str(&self.0);
        for c in site_path.chars() {
            if c.is_ascii_graphic()
                && !matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
            {
                out.push(c);
            } else {
                let mut bytes = [0; 4];
                for b in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
        out
    }

    /// The path part of the address (`/research/hsca12/`), always starting and ending with `/`:
    /// where `serve` mounts the site.
    pub fn path(&self) -> String {
        let url = &self.0;
        let after_scheme = url.split_once("://").map_or(url.as_str(), |(_, rest)| rest);
        let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
        let path = path.split(['?', '#']).next().unwrap_or("/");
        if path.ends_with('/') {
            path.to_string()
        } else {
            format!("{path}/")
        }
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The characters a DOI may hold that a URL path cannot: the DOI Handbook (2.5.2.4) has them
/// percent-encoded when a DOI becomes a `https://doi.org/` address.
const DOI_ESCAPES: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The resolver address of a DOI: `https://doi.org/10.1000/a%23b` for `10.1000/a#b`.
pub fn doi_url(doi: &str) -> String {
    format!(
        "https://doi.org/{}",
        percent_encoding::utf8_percent_encode(doi, DOI_ESCAPES)
    )
}

/// The site path of an entity's page (`reports/x/`): `segment` is the URL folder of its kind
/// (`reports`), or None for a kind whose pages sit at the top of the site (free pages, `x/`).
pub(crate) fn page_path(segment: Option<&str>, id: &str) -> String {
    match segment {
        Some(segment) => format!("{segment}/{id}/"),
        None => format!("{id}/"),
    }
}

/// The site path of a kind's list page (`reports/`): `segment` as in [`page_path`]; a kind whose
/// pages sit at the top of the site would list them on the home page (``).
pub(crate) fn list_path(segment: Option<&str>) -> String {
    segment.map_or_else(String::new, |s| format!("{s}/"))
}

/// The file a page at `site_path` (`reports/x/`, `` for the home page) is written to.
pub(crate) fn page_file(site_path: &str) -> String {
    format!("{site_path}index.html")
}

/// The site path a page file is served at: `reports/x/index.html` is `reports/x/`, `404.html`
/// stays itself.
pub(crate) fn page_of_file(file: &str) -> &str {
    file.strip_suffix("index.html").unwrap_or(file)
}

/// A site path (`tracers/x/`, `glossary/#a`) as a relative link from a page `depth` folders deep.
pub(crate) fn relative(depth: usize, site_path: &str) -> String {
    if depth == 0 {
        if site_path.is_empty() || site_path.starts_with('#') {
            return format!("./{site_path}");
        }
        return site_path.to_string();
    }
    let mut out = "../".repeat(depth);
    out.push_str(site_path);
    out
}

/// The checks behind [`BaseUrl::parse`]; the normalised address.
fn parse(text: &str) -> Result<String, String> {
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
    let mut url = match ::url::Url::parse(text) {
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
    // The site is a folder: `…/index.html` would become `…/index.html/` and every link break.
    let last = url.path().rsplit('/').next().unwrap_or_default();
    if last.to_ascii_lowercase().ends_with(".html") || last.to_ascii_lowercase().ends_with(".htm") {
        return bad(
            "names a page, not the folder the site is published in: leave out the file name",
        );
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
fn authority_problem(authority: &str, url: &::url::Url) -> Option<String> {
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
    if let Some(::url::Host::Domain(domain)) = url.host() {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn base(text: &str) -> BaseUrl {
        BaseUrl::parse(text).unwrap()
    }

    #[test]
    fn base_paths() {
        assert_eq!(
            base("https://www.example.ac.uk/research/hsca12/").path(),
            "/research/hsca12/"
        );
        assert_eq!(base("https://example.org").path(), "/");
        assert_eq!(base("https://example.org/a").path(), "/a/");
        assert_eq!(
            base("https://example.org/café%20y").path(),
            "/caf%C3%A9%20y/"
        );
    }

    #[test]
    fn a_base_without_a_trailing_slash_gets_one() {
        assert_eq!(
            base("https://example.org/a").as_str(),
            "https://example.org/a/"
        );
        assert_eq!(
            base("https://example.org/a").absolute("reports/x/"),
            "https://example.org/a/reports/x/"
        );
    }

    #[test]
    fn absolute_addresses_keep_the_sub_path() {
        let b = base("https://www.example.ac.uk/research/hsca12/");
        assert_eq!(b.absolute(""), "https://www.example.ac.uk/research/hsca12/");
        assert_eq!(
            b.absolute(&page_path(Some("reports"), "x")),
            "https://www.example.ac.uk/research/hsca12/reports/x/"
        );
        assert_eq!(
            b.absolute("atom.xml"),
            "https://www.example.ac.uk/research/hsca12/atom.xml"
        );
    }

    #[test]
    fn absolute_addresses_encode_what_a_url_path_cannot_hold() {
        let b = base("https://example.org/a/");
        assert_eq!(
            b.absolute(&page_path(Some("themes"), "café au lait")),
            "https://example.org/a/themes/caf%C3%A9%20au%20lait/"
        );
        assert_eq!(
            b.absolute("a\"b<c>/"),
            "https://example.org/a/a%22b%3Cc%3E/"
        );
        // What is already a URL is left alone: encoded bytes, a fragment.
        assert_eq!(b.absolute("x%20y/#top"), "https://example.org/a/x%20y/#top");
    }

    #[test]
    fn page_paths_files_and_relative_links() {
        assert_eq!(page_path(Some("reports"), "x"), "reports/x/");
        assert_eq!(page_path(None, "about"), "about/");
        assert_eq!(list_path(Some("reports")), "reports/");
        assert_eq!(list_path(None), "");
        assert_eq!(page_file("reports/x/"), "reports/x/index.html");
        assert_eq!(page_file(""), "index.html");
        assert_eq!(page_of_file("reports/x/index.html"), "reports/x/");
        assert_eq!(page_of_file("404.html"), "404.html");
        assert_eq!(relative(0, ""), "./");
        assert_eq!(relative(2, "tracers/x/"), "../../tracers/x/");
        assert_eq!(relative(0, "glossary/#a"), "glossary/#a");
        assert_eq!(relative(0, "#top"), "./#top");
    }

    #[test]
    fn doi_addresses_are_encoded() {
        assert_eq!(
            doi_url("10.1136/bmjopen-2013-003341"),
            "https://doi.org/10.1136/bmjopen-2013-003341"
        );
        assert_eq!(
            doi_url("10.1002/(SICI)1097-4571#x?y%"),
            "https://doi.org/10.1002/(SICI)1097-4571%23x%3Fy%25"
        );
    }

    #[test]
    fn base_urls_are_normalised_or_refused() {
        let ok = |u: &str| base(u).to_string();
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
            "https://example.org/research/index.html",
            "https://example.org/a/Page.HTM",
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
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
