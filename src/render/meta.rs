//! Making pages findable and reports citable: every page's meta description and Open Graph
//! type ([`page_meta`]); Highwire `citation_*` and Dublin Core meta tags for report and CMO pages
//! and Dublin Core for editorial free pages (read by Google Scholar and Zotero, see
//! [`highwire`]), and schema.org JSON-LD for them (see [`linked_data`]). "Cite this" and the citation files are written in `crate::cite::export`.
//!
//! A page's description is found in this order:
//!
//! 1. what the page's own front matter says it is about: a report's key points (else its plain
//!    summary or abstract), a CMO's context, mechanism and outcome, a tracer's lead, a theory's
//!    statement; a theme's counts of reports and CMOs; the matrix, glossary and search pages'
//!    own leads (so no two kinds of page share the site's description);
//! 2. else the first paragraph of the page's body, already rendered for the page;
//! 3. else the site's description.
//!
//! It is plain text on one line, cut at a word near [`DESCRIPTION_CHARS`].
//!
//! A printed page starts with a source line made of its `<head>` alone (`print.css` shows the
//! title, the canonical address and a report's `article:published_time`), so it needs no inline
//! style or script, and a strict Content-Security-Policy stays possible.
//!
//! Written by hand: these are a few fixed fields each.

use serde::Serialize;

use crate::model::{Cmo, Entity, Kind, Report};
use crate::resolve::{CmoRecord, Site};

use super::PageSpec;

mod highwire;
mod linked_data;
mod provenance;

pub use highwire::{cited_authors, cmo_head_meta, editorial_page_meta, head_meta, Defining};
pub use linked_data::{cmo_json_ld, editorial_page_json_ld, json_ld, script_safe};
pub use provenance::BasedOn;

/// About the length search engines show of a description.
pub const DESCRIPTION_CHARS: usize = 200;

/// What every page's `<head>` says about it beyond its title.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PageMeta {
    /// The meta and Open Graph description (empty when the site has none either).
    pub description: String,
    /// The Open Graph type: `article` for reports and CMOs, `website` for everything else.
    pub og_type: &'static str,
    /// A report's date (`2013-03`), for `article:published_time`; `print.css` shows it, with the
    /// page's title and address, as the source line above a printed page.
    pub published: Option<String>,
}

/// The description and Open Graph type of the page `spec`, whose view is `page` (the body's
/// first paragraph is read from its `body_html` when the front matter has nothing better).
pub fn page_meta(site: &Site, spec: &PageSpec, page: Option<&tera::Value>) -> PageMeta {
    let own = match spec {
        PageSpec::Report(i) => report_description(&site.content.reports[*i].meta),
        PageSpec::Cmo(i) => cmo_description(&site.cmos[*i].cmo),
        PageSpec::Entity(kind, i) => entity_description(&site.content.entities(*kind)[*i].meta),
        PageSpec::List(kind) => match kind.info().list {
            crate::model::ListPage::Always(intro) | crate::model::ListPage::IfAny(intro) => {
                intro.to_string()
            }
            crate::model::ListPage::Never => String::new(),
        },
        PageSpec::Theme(id) => theme_description(site, id),
        PageSpec::Matrix => MATRIX_LEAD.to_owned(),
        PageSpec::Glossary => GLOSSARY_LEAD.to_owned(),
        PageSpec::Exports => EXPORTS_LEAD.to_owned(),
        PageSpec::Search => SEARCH_LEAD.to_owned(),
        PageSpec::Home | PageSpec::NotFound => String::new(),
    };
    let body = || {
        page.and_then(|p| p.as_map())
            .and_then(|m| m.get(&"body_html".into()))
            .and_then(|v| v.as_str())
            .map(first_paragraph)
            .unwrap_or_default()
    };
    let mut text = own;
    if text.trim().is_empty() {
        text = body();
    }
    if text.trim().is_empty() {
        text = site.config.description.clone().unwrap_or_default();
    }
    let og_type = match spec {
        PageSpec::Report(_) | PageSpec::Cmo(_) => "article",
        _ => "website",
    };
    PageMeta {
        description: shorten(&text, DESCRIPTION_CHARS),
        og_type,
        published: match spec {
            PageSpec::Report(i) => Some(site.content.reports[*i].meta.date.iso()),
            _ => None,
        },
    }
}

/// What a CMO page's `<head>` says to indexers: Highwire and Dublin Core tags and JSON-LD.
#[derive(Debug, Clone, Serialize)]
pub struct CmoHead {
    pub head_meta: Vec<(String, String)>,
    pub json_ld: String,
}

/// The head metadata of a CMO's page, as a part of its defining report (the first report that
/// lists it) when that report is published.
pub fn cmo_head(site: &Site, record: &CmoRecord) -> CmoHead {
    let c = &record.cmo;
    let url = site.config.base_url.absolute(&Site::url(Kind::Cmo, &c.id));
    let defining = record
        .reports
        .first()
        .filter(|id| site.is_published(Kind::Report, id))
        .and_then(|id| {
            let report = &site.report(id)?.meta;
            let url = site.config.base_url.absolute(&Site::url(Kind::Report, id));
            Some(Defining { report, url })
        });
    CmoHead {
        head_meta: cmo_head_meta(&c.title, &url, defining.as_ref(), &site.config),
        json_ld: cmo_json_ld(c, &url, defining.as_ref(), site),
    }
}

/// The leads of the pages that have no front matter (as their templates say them).
const MATRIX_LEAD: &str = "Each study's CMO configurations by tracer and study area: how many were found, and how far the evidence supports them.";
/// The exports page's lead, shown on the page and used as its description.
pub(crate) const EXPORTS_LEAD: &str = "The site's findings as data: every CMO configuration with its evidence, the reports, their citations and reporting checklists, in formats for analysis software, spreadsheets and reference managers.";
const GLOSSARY_LEAD: &str = "Acronyms and terms used across the reports. In report text, the first use of an acronym links here.";
const SEARCH_LEAD: &str = "Search the reports, CMO configurations, tracers, study areas, programme theories, studies and glossary of this site.";

/// What a theme holds: "3 reports and one CMO configuration on the theme “Workforce”."
fn theme_description(site: &Site, id: &str) -> String {
    let (reports, cmos) = site
        .themes
        .get(id)
        .map_or((0, 0), |(r, c)| (r.len(), c.len()));
    let count = |n: usize, noun: &str| match n {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    };
    format!(
        "{} and {} on the theme “{}”.",
        count(reports, "report"),
        count(cmos, "CMO configuration"),
        site.title(Kind::Theme, id)
    )
}

/// A report's key points, else its plain-English summary, else its abstract.
fn report_description(m: &Report) -> String {
    if !m.summary.is_empty() {
        return m.summary.join(" ");
    }
    m.lay_summary
        .clone()
        .or_else(|| m.abstract_text.clone())
        .unwrap_or_default()
}

/// "Context: … Mechanism: … Outcome: …", each part the CMO's own words.
fn cmo_description(c: &Cmo) -> String {
    let context: Vec<&str> = c.context.iter().map(|x| x.text.as_str()).collect();
    let m = &c.mechanism;
    let mechanism = m.text.clone().unwrap_or_else(|| {
        [m.resource.as_deref(), m.reasoning.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("; ")
    });
    let outcomes: Vec<&str> = c.outcome.iter().map(|o| o.text.as_str()).collect();
    let parts = [
        ("Context", context.join("; ")),
        ("Mechanism", mechanism),
        ("Outcome", outcomes.join("; ")),
    ];
    let parts: Vec<String> = parts
        .iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(label, t)| format!("{label}: {}.", t.trim().trim_end_matches('.')))
        .collect();
    parts.join(" ")
}

/// A tracer's lead, a theory's "if … then … because …"; nothing for other kinds.
fn entity_description(e: &Entity) -> String {
    match e {
        Entity::Theory(t) => t
            .statement
            .as_ref()
            .map(|s| format!("If {}, then {}, because {}.", s.if_, s.then, s.because))
            .unwrap_or_default(),
        _ => e.facts().0.unwrap_or_default(),
    }
}

/// The text of the first `<p>` of rendered HTML, tags dropped and entities decoded.
fn first_paragraph(html: &str) -> String {
    let Some(start) = html.find("<p>") else {
        return String::new();
    };
    let rest = &html[start + 3..];
    let inner = &rest[..rest.find("</p>").unwrap_or(rest.len())];
    crate::text::escape::html_text(inner)
}

/// `text` on one line, cut at the last space before `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let cut: String = one_line.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > max / 2 => &cut[..at],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_description_is_cut_at_a_word_with_an_ellipsis() {
        let text = "word ".repeat(100);
        let short = shorten(&text, 30);
        assert!(short.chars().count() <= 31, "{short}");
        assert!(short.ends_with("word…"), "{short}");
        assert_eq!(shorten(" two\n lines ", 30), "two lines");
    }

    #[test]
    fn the_first_paragraph_is_plain_text() {
        let html = "<h2 id=\"a\">A</h2>\n<p>One <a href=\"x\">link</a> &amp; <abbr title=\"t\">CCG</abbr>.</p><p>Two</p>";
        assert_eq!(first_paragraph(html), "One link & CCG.");
        assert_eq!(first_paragraph("<ul><li>x</li></ul>"), "");
    }
}
