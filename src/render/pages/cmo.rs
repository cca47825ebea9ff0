//! The CMO page: its status and causal summary, context, mechanism, outcomes, facts, evidence,
//! confidence and the CMO's chain.

mod summary;

use serde::Serialize;

use super::super::views::{Fact, Group, LinkView, Linker};
use super::super::{chain, context, meta, Built, Renderer};
use super::page_path;
use crate::markdown::SourceLink;
use crate::model::{enum_label, enum_value, Cmo, Evidence, EvidenceSource, Kind, Ref, TheoryRefs};
use crate::resolve::{CmoRecord, Origin, Relation, Site};

#[derive(Serialize)]
struct CmoPage {
    id: String,
    title: String,
    kind_label: String,
    status: String,
    status_label: String,
    /// Why the status differs from its theories' (`status_note`).
    status_note: Option<String>,
    facts: Vec<Fact>,
    /// One sentence joining context, mechanism and outcomes (see [`summary`]).
    summary: Vec<summary::Run>,
    context: Vec<ContextView>,
    mechanism: crate::model::Mechanism,
    outcomes: Vec<OutcomeView>,
    evidence: Vec<EvidenceView>,
    confidence: Option<ConfidenceView>,
    chain_out: Vec<chain::ChainLink>,
    chain_in: Vec<chain::ChainLink>,
    chain_svg: String,
    body_html: String,
    groups: Vec<Group>,
    /// The `<head>`'s Highwire, Dublin Core and JSON-LD metadata (`head_meta`, `json_ld`).
    #[serde(flatten)]
    head: meta::CmoHead,
    /// "Cite this": the CMO as a part of its defining report.
    cite: Option<crate::cite::export::CiteThis>,
}

/// A context item with its tags as readers see them.
#[derive(Serialize)]
struct ContextView {
    text: String,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct OutcomeView {
    text: String,
    status_label: String,
    valence: String,
    valence_label: String,
    intended: bool,
}

#[derive(Serialize)]
struct EvidenceView {
    kind_label: String,
    quote: Option<String>,
    role: Option<String>,
    date: Option<String>,
    source: Option<LinkView>,
    citation_html: Option<String>,
    locator: Option<String>,
    stance: String,
    stance_label: String,
}

#[derive(Serialize)]
struct ConfidenceView {
    level: String,
    level_label: String,
    rationale: String,
}

pub(super) fn cmo(r: &Renderer, index: usize) -> Built {
    let record = &r.site.cmos[index];
    let c = &record.cmo;
    let path = page_path(Kind::Cmo, &c.id);
    let linker = Linker {
        site: r.site,
        depth: 2,
    };
    let (chain_out, chain_in) = chain::links(&linker, record);
    let mut problems = Vec::new();
    let mut md_links = evidence_links(r, record, &linker);
    let (body_html, source, assets) = match record.origin {
        Origin::File(f) => {
            let doc = &r.site.content.cmos[f];
            let md = r.markdown(doc, &path, &mut problems, &mut md_links);
            (md.html, Some(doc.path.clone()), md.assets)
        }
        Origin::Report(_) => (String::new(), None, Vec::new()),
    };
    let page = CmoPage {
        id: c.id.clone(),
        title: c.title.clone(),
        kind_label: enum_label(&c.kind),
        status: enum_value(&c.status),
        status_label: enum_label(&c.status),
        status_note: c.status_note.clone(),
        facts: cmo_facts(&linker, record),
        summary: summary::causal_summary(c),
        context: c.context.iter().map(context_view).collect(),
        mechanism: c.mechanism.clone(),
        outcomes: outcomes(c),
        evidence: (c.evidence.iter())
            .map(|e| evidence(r, &linker, record, e))
            .collect(),
        confidence: c.confidence.as_ref().map(|k| ConfidenceView {
            level: enum_value(&k.level),
            level_label: enum_label(&k.level),
            rationale: k.rationale.clone(),
        }),
        chain_svg: chain::svg(&c.title, &chain_out, &chain_in),
        chain_out,
        chain_in,
        body_html,
        head: meta::cmo_head(r.site, record),
        groups: linker.backlink_groups(
            Kind::Cmo,
            &c.id,
            &[
                Relation::ListsCmo,
                Relation::FeedsContextOf,
                Relation::Refines,
                Relation::Contradicts,
                Relation::Specialises,
            ],
        ),
        cite: super::super::citation::cmo_record(r.site, index)
            .map(|c| c.cite_this(r.bibliography, false)),
    };
    let common = r.common(&path, Some(Kind::Cmo));
    Built {
        path,
        template: Kind::Cmo.info().template,
        context: context(&common, &page),
        source,
        md_links,
        problems,
        assets,
    }
}

/// The facts list of a CMO: where it is reported, its tracers, areas, theories and themes.
fn cmo_facts(linker: &Linker, record: &CmoRecord) -> Vec<Fact> {
    let c = &record.cmo;
    let mut facts = Vec::new();
    if !record.reports.is_empty() {
        facts.push(Fact::links(
            "Reported in",
            linker.entities(Kind::Report, record.reports.iter()),
        ));
    }
    facts.push(Fact::links(
        "Tracers",
        linker.entities(Kind::Tracer, record.tracers.iter()),
    ));
    facts.push(Fact::links(
        "Areas",
        linker.entities(Kind::Area, record.areas.iter()),
    ));
    match &c.programme_theory {
        TheoryRefs::NoneIdentified => facts.push(Fact::text("Programme theory", "None identified")),
        TheoryRefs::Theories(t) => facts.push(Fact::links(
            "Programme theory",
            linker.entities(Kind::Theory, t.iter().map(|t| &t.id)),
        )),
    }
    if !c.themes.is_empty() {
        facts.push(Fact::links("Themes", linker.themes(&c.themes)));
    }
    // An inline CMO draws on what its report draws on, as it inherits its tracers and areas.
    let report = match record.origin {
        crate::resolve::Origin::Report(r) => Some(&linker.site.content.reports[r].meta),
        crate::resolve::Origin::File(_) => None,
    };
    let mut sources: Vec<&String> = c.sources.iter().map(|s| &s.id).collect();
    for s in report.into_iter().flat_map(|m| &m.sources) {
        if !sources.contains(&&s.id) {
            sources.push(&s.id);
        }
    }
    facts.push(Fact::links(
        "Sources",
        linker.entities(Kind::Source, sources),
    ));
    facts.retain(|f| f.text.is_some() || !f.links.is_empty());
    facts
}

/// Tags are short labels written as slugs (`fiscal-squeeze`); the page shows them as words.
fn context_view(item: &crate::model::ContextItem) -> ContextView {
    ContextView {
        text: item.text.clone(),
        tags: item
            .tags
            .iter()
            .map(|t| t.replace(['-', '_'], " ").trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect(),
    }
}

fn outcomes(c: &Cmo) -> Vec<OutcomeView> {
    c.outcome
        .iter()
        .map(|o| OutcomeView {
            text: o.text.clone(),
            status_label: enum_label(&o.status),
            valence: enum_value(&o.valence),
            valence_label: enum_label(&o.valence),
            intended: o.intended,
        })
        .collect()
}

/// One piece of evidence: its source as a link (an entity on this site, with the section it
/// cites) or as a formatted reference (a bibliography key); who said it, from the study's
/// registry of informants when it names one.
fn evidence(r: &Renderer, linker: &Linker, record: &CmoRecord, e: &Evidence) -> EvidenceView {
    EvidenceView {
        kind_label: enum_label(&e.kind),
        quote: e.quote.clone(),
        role: r.site.attribution(record, e),
        date: e.date.map(|d| d.human()),
        source: match &e.source {
            EvidenceSource::Ref(s) => Some(LinkView {
                title: match &s.anchor {
                    Some(a) => format!(
                        "{}, section “{}”",
                        r.site.title(s.kind, &s.id),
                        section_title(r, s.kind, &s.id, a)
                    ),
                    None => r.site.title(s.kind, &s.id),
                },
                url: linker.url(&href(s)),
            }),
            EvidenceSource::Citation(_) => None,
        },
        citation_html: match &e.source {
            EvidenceSource::Citation(key) => citation_html(r, key),
            EvidenceSource::Ref(_) => None,
        },
        locator: e.locator.clone(),
        stance: enum_value(&e.stance),
        stance_label: enum_label(&e.stance),
    }
}

/// The formatted reference of bibliography key `key`, or `@key` when the bibliography lacks it
/// (written unescaped by the template, like the formatted reference).
fn citation_html(r: &Renderer, key: &str) -> Option<String> {
    if !r.bibliography.contains(key) {
        return Some(format!("@{}", crate::text::escape::escape_text(key)));
    }
    let item = crate::cite::CiteItem {
        key: key.to_string(),
        locator: None,
    };
    let f = r.bibliography.format_document(&[vec![item]]);
    f.references.into_iter().next().map(|x| x.html)
}

/// The site-relative URL of an evidence source, with its anchor.
fn href(s: &Ref) -> String {
    let anchor = s.anchor.as_ref().map(|a| format!("#{a}"));
    format!("{}{}", Site::url(s.kind, &s.id), anchor.unwrap_or_default())
}

/// The links a CMO page prints for its evidence sources, located in the front matter that wrote
/// them, so a broken `report/x#anchor` is reported there and not at the template.
fn evidence_links(r: &Renderer, record: &CmoRecord, linker: &Linker) -> Vec<SourceLink> {
    let path = r.site.cmo_document_path(record);
    let refs = record.cmo.evidence.iter().filter_map(|e| match &e.source {
        EvidenceSource::Ref(s) => Some(s),
        EvidenceSource::Citation(_) => None,
    });
    refs.map(|s| {
        // Locating reads the front matter again (see `load::FrontMatter`), so only a link that
        // may be broken is located: one whose anchor is not a heading of its target. The target
        // itself was checked with the other references.
        let suspect = s
            .anchor
            .as_ref()
            .is_some_and(|a| r.site.section_title(s.kind, &s.id, a).is_none());
        let (line, column) = if suspect {
            let d = r.site.cmo_error(record, &s.to_string(), "");
            (d.line, d.column)
        } else {
            (0, 0)
        };
        SourceLink {
            href: linker.url(&href(s)),
            path: path.clone(),
            line,
            column,
        }
    })
    .collect()
}

/// The heading text of `#anchor` in a report or page body, found by a light scan of its Markdown.
fn section_title(r: &Renderer, kind: Kind, id: &str, anchor: &str) -> String {
    r.site
        .section_title(kind, id, anchor)
        .unwrap_or(anchor)
        .to_string()
}
