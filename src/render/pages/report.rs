//! The report page: facts, summaries, body with references, CMOs, "cite this" and the metadata
//! Google Scholar and Zotero read.

use serde::Serialize;

use super::super::views::{self, cmo_summary, CmoSummary, Fact, Group, Linker};
use super::super::{context, meta, Built, Renderer};
use super::page_path;
use crate::markdown::TocEntry;
use crate::model::{enum_label, enum_value, Funding, Kind, Report, TheoryRefs};
use crate::resolve::{Relation, Site};

pub fn report_type_label(m: &Report) -> String {
    match (m.report_class, m.report_type) {
        (_, Some(t)) => enum_label(&t),
        (class, None) => enum_label(&class),
    }
}

#[derive(Serialize)]
struct ReportPage {
    id: String,
    title: String,
    class_label: String,
    type_label: String,
    status: String,
    status_label: String,
    date: String,
    date_iso: String,
    authors: Vec<crate::model::Author>,
    byline: Byline,
    /// An editorial page's byline: whose summary of which work, linked to the work's page.
    editorial: Option<EditorialByline>,
    /// Whether the byline ends "et al.": the source lists only its first authors.
    more_authors: bool,
    facts: Vec<Fact>,
    summary: Vec<String>,
    lay_summary: Option<String>,
    abstract_text: Option<String>,
    keywords: Vec<String>,
    toc: Vec<TocEntry>,
    body_html: String,
    cmos: Vec<CmoSummary>,
    references: Vec<(String, String)>,
    cite: crate::cite::export::CiteThis,
    head_meta: Vec<(String, String)>,
    json_ld: String,
    groups: Vec<Group>,
    /// The relative URL of the report's PDF, when site.yaml has `pdf: true`.
    pdf: Option<String>,
    /// The RAMESES II reporting checklist, for a realist report.
    rameses: Option<Vec<crate::resolve::rameses::ChecklistRow>>,
}

/// "Summary by the editors of SITE of AUTHORS (YEAR)", the credit linked to the source's page.
#[derive(Serialize)]
pub(super) struct EditorialByline {
    site: String,
    credit: String,
    href: String,
    part: Option<String>,
}

/// The byline of an editorial page, linked from `linker`'s page.
pub(super) fn editorial_byline(
    linker: &Linker,
    b: Option<&meta::BasedOn>,
) -> Option<EditorialByline> {
    let b = b?;
    Some(EditorialByline {
        site: linker.site.config.title.clone(),
        credit: b.byline_credit(),
        href: linker.url(&b.page_path),
        part: b.part.clone(),
    })
}

pub(super) fn report(r: &Renderer, index: usize) -> Built {
    let doc = &r.site.content.reports[index];
    let m = &doc.meta;
    let path = page_path(Kind::Report, &doc.id);
    let linker = Linker {
        site: r.site,
        depth: 2,
    };
    let mut problems = Vec::new();
    let mut md_links = Vec::new();
    let md = r.markdown(doc, &path, &mut problems, &mut md_links);
    let cmos = r.site.report_cmos[index]
        .iter()
        .filter_map(|id| r.site.cmo(id))
        .filter(|c| c.published)
        .map(|c| cmo_summary(&linker, c))
        .collect();
    let url = r
        .site
        .config
        .base_url
        .absolute(&Site::url(Kind::Report, &doc.id));
    let based_on = meta::BasedOn::of(r.site, m.editorial.as_ref());
    let page = ReportPage {
        id: doc.id.clone(),
        title: m.title.clone(),
        class_label: enum_label(&m.report_class),
        type_label: report_type_label(m),
        status: enum_value(&m.status),
        status_label: enum_label(&m.status),
        date: m.date.human(),
        date_iso: m.date.iso(),
        authors: m.authors.clone(),
        byline: byline(&m.authors),
        editorial: editorial_byline(&linker, based_on.as_ref()),
        more_authors: m.more_authors,
        facts: report_facts(&linker, m),
        summary: m.summary.clone(),
        lay_summary: m.lay_summary.clone(),
        abstract_text: m.abstract_text.clone(),
        keywords: m.keywords.clone(),
        toc: views::toc(&md.toc),
        body_html: md.html,
        cmos,
        head_meta: with_pdf(
            meta::head_meta(
                m,
                &url,
                &r.site.config,
                &reference_entries(r, &md.references),
                based_on.as_ref(),
            ),
            r.site,
            &doc.id,
        ),
        pdf: r.site.config.pdf.then(|| format!("{}.pdf", doc.id)),
        references: md.references,
        cite: super::super::citation::report_record(r.site, index).cite_this(r.bibliography, true),
        json_ld: meta::json_ld(m, &url, r.site),
        groups: linker.backlink_groups(Kind::Report, &doc.id, &[Relation::ListsCmo]),
        rameses: crate::resolve::rameses::rows(r.site, index),
    };
    let common = r.common(&path, Some(Kind::Report));
    Built {
        path,
        template: Kind::Report.info().template,
        context: context(&common, &page),
        source: Some(doc.path.clone()),
        md_links,
        problems,
        assets: md.assets,
    }
}

/// The tags with Highwire's `citation_pdf_url`, the PDF's absolute URL, before the reference
/// list's tags (when site.yaml has `pdf: true`).
fn with_pdf(mut tags: Vec<(String, String)>, site: &Site, id: &str) -> Vec<(String, String)> {
    if site.config.pdf {
        let at = tags
            .iter()
            .position(|(name, _)| name == "citation_reference" || name.starts_with("DC."))
            .unwrap_or(tags.len());
        let url = site.config.base_url.absolute(&Site::pdf_file(id));
        tags.insert(at, ("citation_pdf_url".to_string(), url));
    }
    tags
}

/// The bibliography's entries of a reference list (id, HTML), in the list's order, for the
/// `citation_reference` tags.
fn reference_entries<'b>(
    r: &Renderer<'b>,
    references: &[(String, String)],
) -> Vec<&'b hayagriva::Entry> {
    references
        .iter()
        .filter_map(|(key, _)| r.bibliography.entry(key))
        .collect()
}

/// The authors of a report with each affiliation named once, as a journal prints them.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct Byline {
    authors: Vec<BylineAuthor>,
    /// Every affiliation, in the order of first mention.
    affiliations: Vec<String>,
    /// Whether the authors carry numbered marks: only when they do not all share the same
    /// affiliations (with one shared list, it is printed once after the names, unmarked).
    marked: bool,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
struct BylineAuthor {
    name: String,
    /// The 1-based numbers of this author's affiliations in [`Byline::affiliations`].
    marks: Vec<usize>,
}

/// Groups the authors by affiliation, keeping their order (the order of authorship matters):
///
/// 1. split each author's affiliation at `;` (one author may hold two posts);
/// 2. number the distinct affiliations in the order they are first met;
/// 3. mark each author with the numbers of theirs, unless every author has the same ones.
fn byline(authors: &[crate::model::Author]) -> Byline {
    let mut affiliations: Vec<String> = Vec::new();
    let mut marked = Vec::with_capacity(authors.len());
    for a in authors {
        let mut marks = Vec::new();
        let parts = a.affiliation.as_deref().unwrap_or("").split(';');
        for part in parts.map(str::trim).filter(|p| !p.is_empty()) {
            let at = match affiliations.iter().position(|f| f == part) {
                Some(i) => i,
                None => {
                    affiliations.push(part.to_string());
                    affiliations.len() - 1
                }
            };
            if !marks.contains(&(at + 1)) {
                marks.push(at + 1);
            }
        }
        marked.push(BylineAuthor {
            name: a.name.clone(),
            marks,
        });
    }
    let shared = marked.windows(2).all(|w| w[0].marks == w[1].marks);
    Byline {
        authors: marked,
        affiliations,
        marked: !shared,
    }
}

/// The facts list of a report: what it links to, then funding, ethics, DOI and licence.
fn report_facts(linker: &Linker, m: &Report) -> Vec<Fact> {
    let mut facts = vec![Fact::links(
        "Study",
        linker.entities(Kind::Study, std::iter::once(&m.study.id)),
    )];
    let tracers: Vec<String> = m.tracer_refs().iter().map(|t| t.id.clone()).collect();
    if !tracers.is_empty() {
        facts.push(Fact::links(
            "Tracers",
            linker.entities(Kind::Tracer, tracers.iter()),
        ));
    }
    facts.push(Fact::links(
        "Areas",
        linker.entities(Kind::Area, m.areas.iter().map(|a| &a.id)),
    ));
    match &m.programme_theories {
        Some(TheoryRefs::NoneIdentified) => facts.push(Fact::text(
            "Programme theories",
            "None identified by the study",
        )),
        Some(TheoryRefs::Theories(t)) => facts.push(Fact::links(
            "Programme theories",
            linker.entities(Kind::Theory, t.iter().map(|t| &t.id)),
        )),
        None => {}
    }
    if !m.themes.is_empty() {
        facts.push(Fact::links("Themes", linker.themes(&m.themes)));
    }
    if !m.derived_from.0.is_empty() {
        facts.push(Fact::links(
            "Derived from",
            linker.entities(Kind::Report, m.derived_from.0.iter().map(|d| &d.id)),
        ));
    }
    if !m.sources.is_empty() {
        let ids = m.sources.iter().map(|s| &s.id);
        facts.push(Fact::links("Sources", linker.entities(Kind::Source, ids)));
    }
    facts.extend(m.funding.as_ref().map(funding_fact));
    facts.extend(m.ethics.as_ref().map(|e| linker.fact(e.fact())));
    m.doi.iter().for_each(|d| {
        let doi = crate::model::Fact::external("DOI", d, crate::url::doi_url(d));
        facts.push(linker.fact(doi));
    });
    m.licence
        .iter()
        .for_each(|l| facts.push(Fact::text("Licence", l)));
    facts
}

/// "Funding: funder (programme, reference)".
fn funding_fact(f: &Funding) -> Fact {
    Fact::text("Funding", f.line())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Author;

    fn author(name: &str, affiliation: Option<&str>) -> Author {
        Author {
            name: name.into(),
            group: false,
            family: None,
            given: None,
            affiliation: affiliation.map(Into::into),
            orcid: None,
        }
    }

    #[test]
    fn a_shared_affiliation_is_named_once_and_unmarked() {
        let b = byline(&[author("A", Some("Uni X")), author("B", Some(" Uni X "))]);
        assert_eq!(b.affiliations, ["Uni X"]);
        assert!(!b.marked);
    }

    #[test]
    fn different_affiliations_are_numbered_in_order_of_first_mention() {
        let b = byline(&[
            author("A", Some("Trust")),
            author("B", Some("Trust; College")),
            author("C", None),
            author("D", Some("School")),
            author("E", Some("Trust")),
        ]);
        assert_eq!(b.affiliations, ["Trust", "College", "School"]);
        assert!(b.marked);
        let marks: Vec<&[usize]> = b.authors.iter().map(|a| a.marks.as_slice()).collect();
        assert_eq!(marks, [&[1][..], &[1, 2], &[], &[3], &[1]]);
    }

    #[test]
    fn authors_without_affiliations_have_none_to_show() {
        let b = byline(&[author("Team", None)]);
        assert!(b.affiliations.is_empty() && !b.marked);
    }
}
