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
    facts: Vec<Fact>,
    summary: Vec<String>,
    lay_summary: Option<String>,
    abstract_text: Option<String>,
    keywords: Vec<String>,
    toc: Vec<TocEntry>,
    body_html: String,
    cmos: Vec<CmoSummary>,
    references: Vec<(String, String)>,
    cite: meta::CiteThis,
    head_meta: Vec<(String, String)>,
    json_ld: String,
    groups: Vec<Group>,
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
        facts: report_facts(&linker, m),
        summary: m.summary.clone(),
        lay_summary: m.lay_summary.clone(),
        abstract_text: m.abstract_text.clone(),
        keywords: m.keywords.clone(),
        toc: views::toc(&md.toc),
        body_html: md.html,
        cmos,
        references: md.references,
        cite: meta::cite_this(&doc.id, m, &url, &r.site.config),
        head_meta: meta::head_meta(m, &url, &r.site.config),
        json_ld: meta::json_ld(m, &url, r.site),
        groups: linker.backlink_groups(Kind::Report, &doc.id, &[Relation::ListsCmo]),
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
    m.doi.iter().for_each(|d| facts.push(Fact::text("DOI", d)));
    m.licence
        .iter()
        .for_each(|l| facts.push(Fact::text("Licence", l)));
    facts
}

/// "Funding: funder (programme, reference)".
fn funding_fact(f: &Funding) -> Fact {
    let extra: Vec<&str> = [f.programme.as_deref(), f.reference.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    Fact::text(
        "Funding",
        if extra.is_empty() {
            f.funder.clone()
        } else {
            format!("{} ({})", f.funder, extra.join(", "))
        },
    )
}
