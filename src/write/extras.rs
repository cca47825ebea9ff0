//! The files beside the pages: sitemap, Atom feed, robots.txt, and the data exports
//! (`super::exports`).

pub use super::exports::neutralise_formula;
use crate::diagnostics::Diagnostic;
use crate::model::Kind;
use crate::resolve::Site;
use crate::text::escape::{escape_attr, escape_text};
use crate::url::page_of_file;

/// The files [`write_all`] writes besides the exports (`super::exports::FILES`).
const OWN_FILES: [&str; 3] = ["sitemap.xml", "atom.xml", "robots.txt"];

/// Every file [`write_all`] may write, its own and the exports (pages may link to them before
/// they exist).
pub fn files() -> impl Iterator<Item = &'static str> {
    OWN_FILES.into_iter().chain(super::exports::FILES)
}

/// Writes every extra file; returns the site-relative paths written, in the order of [`files`].
pub fn write_all<'p>(
    site: &Site,
    out: &super::Output,
    page_paths: impl Iterator<Item = &'p str>,
) -> Result<Vec<String>, Diagnostic> {
    let sitemap = sitemap(site, page_paths);
    // Crawlers read robots.txt only at the host's root (RFC 9309), so one under a sub-path would
    // only pretend to work: it is written only when the site is the host's root, and the
    // publishing guide gives the lines to add to the host's own robots.txt otherwise.
    let robots = (site.config.base_url.path() == "/").then(|| {
        format!(
            "User-agent: *\nAllow: /\nSitemap: {}\n",
            site.config.base_url.absolute("sitemap.xml")
        )
    });
    let (pages, (exports, citations)) = rayon::join(
        || -> Result<Vec<String>, Diagnostic> {
            let mut written = vec![
                super::write_file(out, "sitemap.xml", sitemap.as_bytes())?,
                super::write_file(out, "atom.xml", atom(site).as_bytes())?,
            ];
            if let Some(robots) = &robots {
                written.push(super::write_file(out, "robots.txt", robots.as_bytes())?);
            }
            written.extend(super::rameses::write(site, out)?);
            Ok(written)
        },
        || {
            rayon::join(
                || super::exports::write_all(site, out),
                || super::citations::write_all(site, out),
            )
        },
    );
    let mut written = pages?;
    written.extend(exports?);
    written.extend(citations?);
    Ok(written)
}

/// The sitemap lists every page at a folder URL (`x/index.html`), so not `404.html`, with the
/// `lastmod` of [`lastmods`] where there is one.
fn sitemap<'p>(site: &Site, page_paths: impl Iterator<Item = &'p str>) -> String {
    let mut paths: Vec<&str> = page_paths.filter(|p| p.ends_with("index.html")).collect();
    paths.sort();
    let lastmods = lastmods(site);
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in paths {
        let page = page_of_file(p);
        let lastmod = lastmods
            .get(page)
            .map(|d| format!("<lastmod>{d}</lastmod>"))
            .unwrap_or_default();
        s.push_str(&format!(
            "  <url><loc>{}</loc>{lastmod}</url>\n",
            escape_text(&site.config.base_url.absolute(page))
        ));
    }
    s.push_str("</urlset>\n");
    s
}

/// Site path → `lastmod` (`YYYY-MM-DD`) of the pages whose last change the content states: a
/// published report's `updated`, else its `date`, and each published CMO its defining report's.
/// The sitemap schema allows only a whole day (`xsd:date`), so a year or month is left out rather
/// than guessed; other pages have none, since only the build's time would do and builds are
/// reproducible.
fn lastmods(site: &Site) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    for d in &site.content.reports {
        let date = d.meta.updated.as_ref().unwrap_or(&d.meta.date);
        if site.is_published(Kind::Report, &d.id) && date.day.is_some() {
            out.insert(Site::url(Kind::Report, &d.id), date.iso());
        }
    }
    for r in site.cmos.iter().filter(|r| r.published) {
        let report = r.reports.first().map(|id| Site::url(Kind::Report, id));
        if let Some(date) = report.and_then(|u| out.get(&u)).cloned() {
            out.insert(Site::url(Kind::Cmo, &r.cmo.id), date);
        }
    }
    out
}

fn atom(site: &Site) -> String {
    let base = &site.config.base_url;
    let home = base.absolute("");
    let mut reports: Vec<_> = site
        .content
        .reports
        .iter()
        .filter(|d| site.is_published(Kind::Report, &d.id))
        .collect();
    reports.sort_by(|a, b| b.meta.date.cmp(&a.meta.date).then(a.id.cmp(&b.id)));
    let updated = reports
        .first()
        .map(|d| d.meta.date.rfc3339())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}\"/>\n  <id>{}</id>\n  <updated>{updated}</updated>\n",
        escape_attr(&site.config.language), escape_text(&site.config.title), escape_attr(&home), escape_attr(&base.absolute("atom.xml")), escape_text(&home)
    );
    for d in reports.iter().take(50) {
        let url = base.absolute(&Site::url(Kind::Report, &d.id));
        s.push_str(&format!("  <entry>\n    <title>{}</title>\n    <link href=\"{}\"/>\n    <id>{}</id>\n    <updated>{}</updated>\n", escape_text(&d.meta.title), escape_attr(&url), escape_text(&url), d.meta.date.rfc3339()));
        for a in &d.meta.authors {
            s.push_str(&format!(
                "    <author><name>{}</name></author>\n",
                escape_text(&a.name)
            ));
        }
        s.push_str(&format!(
            "    <summary>{}</summary>\n  </entry>\n",
            escape_text(&d.meta.summary.join(" "))
        ));
    }
    s.push_str("</feed>\n");
    s
}

#[cfg(test)]
mod tests {
    /// The "Data and downloads" page describes every file written into `exports/`.
    #[test]
    fn the_exports_page_describes_every_export() {
        let described: Vec<&str> = crate::render::pages::exports_described().collect();
        let written = super::files()
            .chain(super::super::citations::SITE_FILES)
            .chain(super::super::rameses::FILES);
        for file in written.filter(|f| f.starts_with("exports/")) {
            assert!(described.contains(&file), "{file}");
        }
    }
}
