//! Making reports citable: "cite this" in BibTeX and RIS, Highwire `citation_*` and Dublin Core
//! meta tags (read by Google Scholar and Zotero), and schema.org JSON-LD.
//!
//! Written by hand: these are a few fixed fields each, and no maintained crate writes BibTeX or
//! RIS from arbitrary metadata (hayagriva reads BibLaTeX but does not write it).

use serde::Serialize;
use serde_json::json;

use crate::config::SiteConfig;
use crate::model::{Kind, Report, ReportKind, ReportType};
use crate::resolve::Site;

#[derive(Debug, Clone, Serialize)]
pub struct CiteThis {
    pub text: String,
    pub bibtex: String,
    pub ris: String,
}

fn is_article(m: &Report) -> bool {
    m.report_type == Some(ReportKind::JournalArticle)
}

/// A plain-text citation and BibTeX and RIS records for a report.
pub fn cite_this(id: &str, m: &Report, url: &str, config: &SiteConfig) -> CiteThis {
    let names: Vec<&str> = m.authors.iter().map(|a| a.name.as_str()).collect();
    let publisher = config
        .publisher
        .clone()
        .unwrap_or_else(|| config.title.clone());
    let doi = m
        .doi
        .as_ref()
        .map(|d| format!(" https://doi.org/{d}"))
        .unwrap_or_default();
    let text = format!(
        "{} ({}) {}. {}. Available at: {}{}",
        names.join(", "),
        m.date.year,
        m.title,
        publisher,
        url,
        doi
    );
    let entry_type = if is_article(m) {
        "article"
    } else {
        "techreport"
    };
    let mut bib = format!(
        "@{entry_type}{{{},\n  title = {{{}}},\n  author = {{{}}},\n  year = {{{}}},\n",
        id,
        bib_escape(&m.title),
        bib_escape(&names.join(" and ")),
        m.date.year
    );
    if let Some(month) = m.date.month {
        bib.push_str(&format!("  month = {{{month}}},\n"));
    }
    if is_article(m) {
        bib.push_str(&format!(
            "  note = {{Summary published by {}}},\n",
            bib_escape(&publisher)
        ));
    } else {
        bib.push_str(&format!(
            "  institution = {{{}}},\n",
            bib_escape(&publisher)
        ));
    }
    if let Some(d) = &m.doi {
        bib.push_str(&format!("  doi = {{{}}},\n", bib_escape(d)));
    }
    bib.push_str(&format!("  url = {{{url}}}\n}}\n"));
    let ris = ris_record(m, &names, &publisher, url);
    CiteThis {
        text,
        bibtex: bib,
        ris,
    }
}

/// The RIS record for a report.
fn ris_record(m: &Report, names: &[&str], publisher: &str, url: &str) -> String {
    let date = m.date.iso().replace('-', "/");
    let year = m.date.year.to_string();
    let mut ris = Ris::default();
    ris.field("TY", if is_article(m) { "JOUR" } else { "RPRT" });
    ris.field("TI", &m.title);
    for name in names {
        ris.field("AU", name);
    }
    ris.field("PY", &year);
    ris.field("DA", &date);
    ris.field("PB", publisher);
    ris.field("UR", url);
    if let Some(d) = &m.doi {
        ris.field("DO", d);
    }
    for k in &m.keywords {
        ris.field("KW", k);
    }
    ris.field("ER", "");
    ris.0
}

/// An RIS record, one `TAG  - value` line per field.
#[derive(Default)]
struct Ris(String);

impl Ris {
    /// RIS is read line by line: a line break in a value would start a field of its own (a
    /// second `UR`, an early `ER`), so every break becomes a space.
    fn field(&mut self, tag: &str, value: &str) {
        self.0.push_str(tag);
        self.0.push_str("  - ");
        self.0.push_str(&crate::text::chars::one_line(value));
        self.0.push('\n');
    }
}

/// A BibTeX field value on one line with no brace of its own, so it cannot close its field.
/// Braces go first: `\textbackslash{}` keeps its own.
fn bib_escape(s: &str) -> String {
    crate::text::chars::one_line(s)
        .replace(['{', '}'], "")
        .replace('\\', "\\textbackslash{}")
        .replace('&', "\\&")
        .replace('%', "\\%")
        .replace('$', "\\$")
        .replace('#', "\\#")
        .replace('_', "\\_")
}

/// Highwire Press and Dublin Core meta tags: (name, content).
pub fn head_meta(m: &Report, url: &str, config: &SiteConfig) -> Vec<(String, String)> {
    let mut tags = vec![("citation_title".to_string(), m.title.clone())];
    tags.extend(
        m.authors
            .iter()
            .map(|a| ("citation_author".to_string(), a.name.clone())),
    );
    tags.push((
        "citation_publication_date".into(),
        m.date.iso().replace('-', "/"),
    ));
    if let Some(d) = &m.doi {
        tags.push(("citation_doi".into(), d.clone()));
    }
    match m.report_class {
        ReportType::TracerReport => tags.push((
            "citation_technical_report_institution".into(),
            config
                .publisher
                .clone()
                .unwrap_or_else(|| config.title.clone()),
        )),
        ReportType::CommissioningReport => tags.push((
            "citation_publisher".into(),
            config
                .publisher
                .clone()
                .unwrap_or_else(|| config.title.clone()),
        )),
    }
    tags.push(("citation_language".into(), config.language.clone()));
    tags.push(("citation_abstract_html_url".into(), url.to_string()));
    tags.push(("DC.title".into(), m.title.clone()));
    tags.extend(
        m.authors
            .iter()
            .map(|a| ("DC.creator".to_string(), a.name.clone())),
    );
    tags.push(("DC.date".into(), m.date.iso()));
    tags.push(("DC.language".into(), config.language.clone()));
    tags.push(("DC.type".into(), "Text".into()));
    if let Some(d) = &m.doi {
        tags.push(("DC.identifier".into(), format!("doi:{d}")));
    }
    tags
}

/// schema.org JSON-LD for a report, safe to embed in a `<script>` element.
pub fn json_ld(m: &Report, url: &str, site: &Site) -> String {
    let authors: Vec<_> = m
        .authors
        .iter()
        .map(|a| {
            let mut p = json!({"@type": "Person", "name": a.name});
            if let Some(aff) = &a.affiliation {
                p["affiliation"] = json!({"@type": "Organization", "name": aff});
            }
            if let Some(o) = &a.orcid {
                p["identifier"] = json!(format!("https://orcid.org/{o}"));
            }
            p
        })
        .collect();
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": if is_article(m) { "ScholarlyArticle" } else { "Report" },
        "headline": m.title,
        "name": m.title,
        "author": authors,
        "datePublished": m.date.iso(),
        "inLanguage": site.config.language,
        "url": url,
        "isPartOf": {"@type": "ResearchProject", "name": site.title(Kind::Study, &m.study.id), "url": site.config.base_url.absolute(&Site::url(Kind::Study, &m.study.id))},
        "keywords": m.keywords,
    });
    if let Some(d) = &m.doi {
        value["identifier"] = json!(format!("https://doi.org/{d}"));
    }
    if let Some(a) = &m.abstract_text {
        value["abstract"] = json!(a);
    }
    if let Some(p) = &site.config.publisher {
        value["publisher"] = json!({"@type": "Organization", "name": p});
    }
    serde_json::to_string(&value)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}
