//! Building the view model of each kind of page. Every builder returns a [`Built`]; the generic
//! renderer in `mod.rs` does the rest.

use serde::Serialize;

use super::views::{self, cmo_summary, CmoSummary, Fact, Group, Item, LinkView, Linker};
use super::{chain, context, meta, Built, PageSpec, Renderer};
use crate::load::schema::{enum_label, enum_value, EvidenceSource, Kind, TheoryRefs};
use crate::markdown::TocEntry;
use crate::resolve::{Relation, Site};

pub fn build(r: &Renderer, spec: &PageSpec) -> Built {
    match spec {
        PageSpec::Home => home(r),
        PageSpec::List(kind) => list(r, *kind),
        PageSpec::Matrix => matrix(r),
        PageSpec::Glossary => glossary(r),
        PageSpec::Search => simple(r, "search/index.html", "search.html", "Search"),
        PageSpec::NotFound => simple(r, "404.html", "404.html", "Page not found"),
        PageSpec::Report(i) => report(r, *i),
        PageSpec::Cmo(i) => cmo(r, *i),
        PageSpec::Entity(kind, i) => entity(r, *kind, *i),
        PageSpec::Theme(id) => theme(r, id),
    }
}

#[derive(Serialize)]
struct Simple {
    title: String,
    /// The site's path as a JavaScript string literal, for the 404 page's `<base>`.
    base_path_js: String,
}

fn simple(r: &Renderer, path: &str, template: &'static str, title: &str) -> Built {
    let common = r.common(path, None);
    let base_path_js = serde_json::to_string(&r.site.config.base_path())
        .unwrap_or_else(|_| "\"/\"".into())
        .replace("</", "<\\/");
    let page = Simple {
        title: title.into(),
        base_path_js,
    };
    finish(path.into(), template, context(&common, &page))
}

fn finish(path: String, template: &'static str, context: tera::Context) -> Built {
    Built {
        path,
        template,
        context,
        source: None,
        md_links: Vec::new(),
        problems: Vec::new(),
    }
}

fn page_path(kind: Kind, id: &str) -> String {
    crate::url::page_file(&Site::url(kind, id))
}

/// The generic entity page: facts, body, and everything linked to it (themes too).
#[derive(Serialize)]
struct EntityPage {
    kind: String,
    kind_label: String,
    title: String,
    lead: Option<String>,
    facts: Vec<Fact>,
    body_html: String,
    toc: Vec<TocEntry>,
    cmos: Vec<CmoSummary>,
    groups: Vec<Group>,
}

/// The parts of a document that the generic entity page needs, whatever its metadata type.
fn parts<T>(
    d: &crate::load::Document<T>,
) -> (&String, &std::path::PathBuf, &crate::load::Body, usize) {
    (&d.id, &d.path, &d.body, d.body_line)
}

fn entity(r: &Renderer, kind: Kind, index: usize) -> Built {
    let c = &r.site.content;
    let (id, path_in, body, line) = match kind {
        Kind::Study => parts(&c.studies[index]),
        Kind::Tracer => parts(&c.tracers[index]),
        Kind::Area => parts(&c.areas[index]),
        Kind::Theory => parts(&c.theories[index]),
        _ => parts(&c.pages[index]),
    };
    let path = page_path(kind, id);
    let linker = Linker {
        site: r.site,
        depth: super::depth_of(&path),
    };
    let mut problems = Vec::new();
    let mut md_links = Vec::new();
    let md = r.markdown(body, path_in, line, &path, &mut problems, &mut md_links);
    let (lead, facts) = entity_facts(&linker, kind, index);
    let cmos = r
        .site
        .backlinks
        .get(&(kind, id.clone()))
        .map(|links| {
            links
                .iter()
                .filter(|l| l.from_kind == Kind::Cmo && l.relation != Relation::Mentions)
                .filter_map(|l| r.site.cmo(&l.from_id))
                .filter(|rec| rec.published)
                .map(|rec| cmo_summary(&linker, rec))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    // CMOs linked to this entity get their own table; every other kind stays in "Linked from".
    let groups = linker
        .backlink_groups(kind, id, &[])
        .into_iter()
        .filter(|g| g.id != "linked-cmos" || cmos.is_empty())
        .collect();
    let page = EntityPage {
        kind: kind.name().into(),
        kind_label: kind.label(false).into(),
        title: r.site.title(kind, id),
        lead,
        facts,
        body_html: md.html,
        toc: views::toc(&md.toc),
        cmos: dedup_cmos(cmos),
        groups,
    };
    let common = r.common(&path, (kind != Kind::Page).then_some(kind));
    Built {
        path,
        template: "entity.html",
        context: context(&common, &page),
        source: Some(path_in.clone()),
        md_links,
        problems,
    }
}

fn dedup_cmos(mut cmos: Vec<CmoSummary>) -> Vec<CmoSummary> {
    cmos.sort_by(|a, b| a.id.cmp(&b.id));
    cmos.dedup_by(|a, b| a.id == b.id);
    cmos
}

/// "Ethics: committee (reference)", for studies and reports.
fn ethics_fact(e: &crate::load::schema::Ethics) -> Fact {
    let reference = e.reference.as_ref().map(|r| format!(" ({r})"));
    Fact::text(
        "Ethics",
        format!("{}{}", e.committee, reference.unwrap_or_default()),
    )
}

/// Kind-specific facts for the generic entity page: (lead sentence, facts).
fn entity_facts(linker: &Linker, kind: Kind, index: usize) -> (Option<String>, Vec<Fact>) {
    let c = &linker.site.content;
    let study = |s: &Option<crate::load::schema::Ref>| {
        s.iter()
            .map(|s| {
                Fact::links(
                    "Study",
                    linker.entities(Kind::Study, std::iter::once(&s.id)),
                )
            })
            .collect::<Vec<_>>()
    };
    match kind {
        Kind::Study => {
            let m = &c.studies[index].meta;
            let mut facts = Vec::new();
            m.funder
                .iter()
                .for_each(|f| facts.push(Fact::text("Funder", f)));
            m.grant_ref
                .iter()
                .for_each(|g| facts.push(Fact::text("Grant reference", &g.0)));
            if let Some(p) = &m.period {
                facts.push(Fact::text(
                    "Period",
                    format!(
                        "{} to {}",
                        p.start.human(),
                        p.end.map_or("ongoing".into(), |e| e.human())
                    ),
                ));
            }
            m.design
                .iter()
                .for_each(|d| facts.push(Fact::text("Design", enum_label(d))));
            facts.extend(m.ethics.as_ref().map(ethics_fact));
            (None, facts)
        }
        Kind::Tracer => {
            let m = &c.tracers[index].meta;
            let mut facts = study(&m.study);
            m.kind
                .iter()
                .for_each(|k| facts.push(Fact::text("Kind", format!("Tracer {}", enum_value(k)))));
            if !m.aliases.is_empty() {
                facts.push(Fact::text("Also called", m.aliases.join("; ")));
            }
            (
                m.chosen_to_illuminate
                    .as_ref()
                    .map(|c| format!("Chosen to illuminate: {c}")),
                facts,
            )
        }
        Kind::Area => {
            let m = &c.areas[index].meta;
            let mut facts = study(&m.study);
            facts.push(Fact::text(
                "Anonymised",
                if m.anonymised {
                    "Yes: the study does not name this area"
                } else {
                    "No: the study names this area"
                },
            ));
            m.kind
                .iter()
                .for_each(|k| facts.push(Fact::text("Kind", k)));
            m.population
                .iter()
                .for_each(|p| facts.push(Fact::text("Population", &p.0)));
            (None, facts)
        }
        Kind::Theory => {
            let m = &c.theories[index].meta;
            let mut facts = study(&m.study);
            m.level
                .iter()
                .for_each(|l| facts.push(Fact::text("Level", enum_label(l))));
            m.status
                .iter()
                .for_each(|s| facts.push(Fact::text("Status", enum_label(s))));
            if let Some(s) = &m.statement {
                facts.insert(0, Fact::text("If", &s.if_));
                facts.insert(1, Fact::text("Then", &s.then));
                facts.insert(2, Fact::text("Because", &s.because));
            }
            (None, facts)
        }
        _ => (None, Vec::new()),
    }
}

fn theme(r: &Renderer, id: &str) -> Built {
    let path = page_path(Kind::Theme, id);
    let linker = Linker {
        site: r.site,
        depth: super::depth_of(&path),
    };
    let (reports, cmos) = r.site.themes.get(id).cloned().unwrap_or_default();
    let items = reports
        .iter()
        .map(|rid| {
            let doc = r.site.report(rid);
            let link = linker.entity(Kind::Report, rid);
            Item {
                title: link.title,
                url: link.url,
                note: doc.map(|d| d.meta.date.human()).unwrap_or_default(),
            }
        })
        .collect::<Vec<_>>();
    let groups = if items.is_empty() {
        Vec::new()
    } else {
        vec![Group {
            heading: "Reports".into(),
            id: "linked-reports".into(),
            items,
        }]
    };
    // A theme has no file of its own, but its page is an entity page like any other.
    let page = EntityPage {
        kind: "theme".into(),
        kind_label: "Theme".into(),
        title: r.site.title(Kind::Theme, id),
        lead: Some(format!(
            "{} reports and {} CMO configurations are tagged with this theme.",
            reports.len(),
            cmos.len()
        )),
        facts: Vec::new(),
        body_html: String::new(),
        toc: Vec::new(),
        cmos: cmos
            .iter()
            .filter_map(|c| r.site.cmo(c))
            .map(|rec| cmo_summary(&linker, rec))
            .collect(),
        groups,
    };
    let common = r.common(&path, Some(Kind::Theme));
    finish(path, "entity.html", context(&common, &page))
}

#[derive(Serialize)]
struct ListPage {
    title: String,
    kind: String,
    intro: String,
    items: Vec<Item>,
}

fn list(r: &Renderer, kind: Kind) -> Built {
    let path = format!("{}/index.html", kind.folder());
    let linker = Linker {
        site: r.site,
        depth: 1,
    };
    let c = &r.site.content;
    let notes: Vec<(String, String)> = match kind {
        Kind::Report => c
            .reports
            .iter()
            .filter(|d| r.site.is_published(Kind::Report, &d.id))
            .map(|d| {
                (
                    d.id.clone(),
                    format!("{} · {}", report_type_label(&d.meta), d.meta.date.human()),
                )
            })
            .collect(),
        Kind::Study => c
            .studies
            .iter()
            .map(|d| (d.id.clone(), d.meta.funder.clone().unwrap_or_default()))
            .collect(),
        Kind::Tracer => c
            .tracers
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    d.meta
                        .kind
                        .map(|k| format!("Tracer {}", enum_value(&k)))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        Kind::Area => c
            .areas
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    if d.meta.anonymised {
                        "Anonymised".into()
                    } else {
                        String::new()
                    },
                )
            })
            .collect(),
        Kind::Theory => c
            .theories
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    d.meta.status.map(|s| enum_label(&s)).unwrap_or_default(),
                )
            })
            .collect(),
        _ => r
            .site
            .themes
            .iter()
            .map(|(id, (rep, cm))| {
                (
                    id.clone(),
                    format!("{} reports, {} CMOs", rep.len(), cm.len()),
                )
            })
            .collect(),
    };
    let mut items: Vec<Item> = notes
        .into_iter()
        .map(|(id, note)| {
            let l = linker.entity(kind, &id);
            Item {
                title: l.title,
                url: l.url,
                note,
            }
        })
        .collect();
    if kind == Kind::Report {
        let dates: std::collections::HashMap<&str, _> = c
            .reports
            .iter()
            .map(|d| (d.id.as_str(), d.meta.date))
            .collect();
        items.sort_by(|a, b| {
            let key = |i: &Item| {
                dates
                    .get(i.url.trim_end_matches('/').rsplit('/').next().unwrap_or(""))
                    .copied()
            };
            key(b).cmp(&key(a)).then(a.title.cmp(&b.title))
        });
    } else {
        items.sort_by(|a, b| a.title.cmp(&b.title));
    }
    let page = ListPage {
        title: kind.label(true).into(),
        kind: kind.name().into(),
        intro: list_intro(kind).into(),
        items,
    };
    let common = r.common(&path, Some(kind));
    finish(path, "list.html", context(&common, &page))
}

fn list_intro(kind: Kind) -> &'static str {
    match kind {
        Kind::Report => "Every published report, newest first.",
        Kind::Study => "The research studies this site publishes.",
        Kind::Tracer => "Tracers are services or conditions followed in depth as a lens on the commissioning system.",
        Kind::Area => "The geographic cases the studies followed. Anonymised areas are described only as the studies describe them.",
        Kind::Theory => "Programme theories: “if … then … because …” statements that the CMO configurations test.",
        _ => "Cross-cutting themes across reports and CMO configurations.",
    }
}

pub fn report_type_label(m: &crate::load::schema::Report) -> String {
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
    authors: Vec<crate::load::schema::Author>,
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

fn report(r: &Renderer, index: usize) -> Built {
    let doc = &r.site.content.reports[index];
    let m = &doc.meta;
    let path = page_path(Kind::Report, &doc.id);
    let linker = Linker {
        site: r.site,
        depth: 2,
    };
    let mut problems = Vec::new();
    let mut md_links = Vec::new();
    let md = r.markdown(
        &doc.body,
        &doc.path,
        doc.body_line,
        &path,
        &mut problems,
        &mut md_links,
    );
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
    if let Some(f) = &m.funding {
        let extra: Vec<&str> = [f.programme.as_deref(), f.reference.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        facts.push(Fact::text(
            "Funding",
            if extra.is_empty() {
                f.funder.clone()
            } else {
                format!("{} ({})", f.funder, extra.join(", "))
            },
        ));
    }
    facts.extend(m.ethics.as_ref().map(ethics_fact));
    m.doi.iter().for_each(|d| facts.push(Fact::text("DOI", d)));
    m.licence
        .iter()
        .for_each(|l| facts.push(Fact::text("Licence", l)));
    let cmos = r.site.report_cmos[index]
        .iter()
        .filter_map(|id| r.site.cmo(id))
        .filter(|c| c.published)
        .map(|c| cmo_summary(&linker, c))
        .collect();
    let base_url = &r.site.config.base_url;
    let url = base_url.absolute(&Site::url(Kind::Report, &doc.id));
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
        facts,
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
        template: "report.html",
        context: context(&common, &page),
        source: Some(doc.path.clone()),
        md_links,
        problems,
    }
}

#[derive(Serialize)]
struct CmoPage {
    id: String,
    title: String,
    kind_label: String,
    status: String,
    status_label: String,
    facts: Vec<Fact>,
    context: Vec<crate::load::schema::ContextItem>,
    mechanism: crate::load::schema::Mechanism,
    outcomes: Vec<OutcomeView>,
    evidence: Vec<EvidenceView>,
    confidence: Option<ConfidenceView>,
    chain_out: Vec<chain::ChainLink>,
    chain_in: Vec<chain::ChainLink>,
    chain_svg: String,
    body_html: String,
    groups: Vec<Group>,
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

fn cmo(r: &Renderer, index: usize) -> Built {
    let record = &r.site.cmos[index];
    let c = &record.cmo;
    let path = page_path(Kind::Cmo, &c.id);
    let linker = Linker {
        site: r.site,
        depth: 2,
    };
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
    facts.retain(|f| f.text.is_some() || !f.links.is_empty());
    let evidence = c
        .evidence
        .iter()
        .map(|e| EvidenceView {
            kind_label: enum_label(&e.kind),
            quote: e.quote.clone(),
            role: e.role.clone(),
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
                    url: linker.url(&format!(
                        "{}{}",
                        Site::url(s.kind, &s.id),
                        s.anchor
                            .as_ref()
                            .map(|a| format!("#{a}"))
                            .unwrap_or_default()
                    )),
                }),
                EvidenceSource::Citation(_) => None,
            },
            citation_html: match &e.source {
                EvidenceSource::Citation(key) if r.bibliography.contains(key) => {
                    let f = r
                        .bibliography
                        .format_document(&[vec![crate::cite::CiteItem {
                            key: key.clone(),
                            locator: None,
                        }]]);
                    f.references.into_iter().next().map(|x| x.html)
                }
                // Written unescaped by the template, like the formatted reference above.
                EvidenceSource::Citation(key) => {
                    Some(format!("@{}", crate::text::escape::escape_text(key)))
                }
                _ => None,
            },
            locator: e.locator.clone(),
            stance: enum_value(&e.stance),
            stance_label: enum_label(&e.stance),
        })
        .collect();
    let (chain_out, chain_in) = chain::links(&linker, record);
    let mut problems = Vec::new();
    let mut md_links = evidence_links(r, record, &linker);
    let (body_html, source) = match record.origin {
        crate::resolve::Origin::File(f) => {
            let doc = &r.site.content.cmos[f];
            let md = r.markdown(
                &doc.body,
                &doc.path,
                doc.body_line,
                &path,
                &mut problems,
                &mut md_links,
            );
            (md.html, Some(doc.path.clone()))
        }
        crate::resolve::Origin::Report(_) => (String::new(), None),
    };
    let page = CmoPage {
        id: c.id.clone(),
        title: c.title.clone(),
        kind_label: enum_label(&c.kind),
        status: enum_value(&c.status),
        status_label: enum_label(&c.status),
        facts,
        context: c.context.clone(),
        mechanism: c.mechanism.clone(),
        outcomes: c
            .outcome
            .iter()
            .map(|o| OutcomeView {
                text: o.text.clone(),
                status_label: enum_label(&o.status),
                valence: enum_value(&o.valence),
                valence_label: enum_label(&o.valence),
                intended: o.intended,
            })
            .collect(),
        evidence,
        confidence: c.confidence.as_ref().map(|k| ConfidenceView {
            level: enum_value(&k.level),
            level_label: enum_label(&k.level),
            rationale: k.rationale.clone(),
        }),
        chain_svg: chain::svg(&c.title, &chain_out, &chain_in),
        chain_out,
        chain_in,
        body_html,
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
    };
    let common = r.common(&path, Some(Kind::Cmo));
    Built {
        path,
        template: "cmo.html",
        context: context(&common, &page),
        source,
        md_links,
        problems,
    }
}

/// The links a CMO page prints for its evidence sources, located in the front matter that wrote
/// them, so a broken `report/x#anchor` is reported there and not at the template.
fn evidence_links(
    r: &Renderer,
    record: &crate::resolve::CmoRecord,
    linker: &Linker,
) -> Vec<super::SourceLink> {
    let path = r.site.cmo_document_path(record);
    record
        .cmo
        .evidence
        .iter()
        .filter_map(|e| match &e.source {
            EvidenceSource::Ref(s) => {
                let href = linker.url(&format!(
                    "{}{}",
                    Site::url(s.kind, &s.id),
                    s.anchor
                        .as_ref()
                        .map(|a| format!("#{a}"))
                        .unwrap_or_default()
                ));
                // Locating reads the front matter again (see `load::FrontMatter`), so only a
                // link that may be broken is located: one whose anchor is not a heading of its
                // target. The target itself was checked with the other references.
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
                Some(super::SourceLink {
                    href,
                    path: path.clone(),
                    line,
                    column,
                })
            }
            EvidenceSource::Citation(_) => None,
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

#[derive(Serialize)]
struct MatrixPage<'a> {
    title: String,
    tables: Vec<MatrixTable>,
    /// What a matrix cell shows of each published CMO; cells index into it.
    entries: LazyEntries<'a>,
    /// The CMOs of the full table: all of them, or on a site with more than
    /// [`FULL_TABLE_LIMIT`], only those that no cell shows.
    cmos: LazySummaries<'a>,
    total: usize,
    listed_all: bool,
    theories: Vec<(String, String)>,
    themes: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    unplaced: usize,
}

/// Above this many CMOs the matrix page does not repeat every CMO in one table under the matrix:
/// a table of tens of thousands of rows is of no use on a phone or to a screen reader, and it
/// doubled the page (20 MB and a third of the build's peak memory at 40,000 CMOs). Each CMO is
/// still linked from its cell, its tracer and area pages, and the exports.
pub const FULL_TABLE_LIMIT: usize = 2000;

/// What a matrix cell needs of a CMO: its link and the values the filter reads.
#[derive(Serialize)]
struct MatrixEntry {
    title: String,
    url: String,
    theories: String,
    themes: String,
    status: String,
}

/// Every published CMO as a [`MatrixEntry`], made one at a time (see [`LazySummaries`]).
struct LazyEntries<'a> {
    linker: &'a Linker<'a>,
    cmos: &'a [&'a crate::resolve::CmoRecord],
}

impl Serialize for LazyEntries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.cmos.iter().map(|c| {
            let s = views::cmo_summary_with(self.linker, c, |_, _| ());
            MatrixEntry {
                title: s.title,
                url: s.url,
                theories: s.theories,
                themes: s.themes,
                status: s.status,
            }
        }))
    }
}

/// Every CMO's summary, made one at a time while the page's context is built: at 40,000 CMOs a
/// vector of summaries beside their serialised copy was a third of the build's peak memory. Tracer
/// and area links are serialised once per distinct list and shared: Tera keeps a `tera::Value` it
/// meets while serialising as a reference to the same data, and 40,000 CMOs have only a few
/// dozen distinct lists.
struct LazySummaries<'a> {
    linker: &'a Linker<'a>,
    cmos: &'a [&'a crate::resolve::CmoRecord],
}

impl Serialize for LazySummaries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let shared: std::cell::RefCell<rustc_hash::FxHashMap<(Kind, Vec<String>), tera::Value>> =
            Default::default();
        let links = |kind: Kind, ids: &[String]| {
            shared
                .borrow_mut()
                .entry((kind, ids.to_vec()))
                .or_insert_with(|| {
                    let views = self.linker.entities(kind, ids.iter());
                    // A list of plain structs always serialises; an empty list is the fallback.
                    tera::Value::try_from_serializable(&views)
                        .unwrap_or_else(|_| tera::Value::from(Vec::<tera::Value>::new()))
                })
                .clone()
        };
        serializer.collect_seq(
            self.cmos
                .iter()
                .map(|c| views::cmo_summary_with(self.linker, c, links)),
        )
    }
}

fn site_has(linker: &Linker, study: &str) -> bool {
    linker.site.is_published(Kind::Study, study)
}

/// One study's tracers (rows) × areas (columns).
#[derive(Serialize)]
struct MatrixTable {
    id: String,
    study: Option<LinkView>,
    areas: Vec<LinkView>,
    rows: Vec<MatrixRow>,
}

#[derive(Serialize)]
struct MatrixRow {
    tracer: LinkView,
    /// Each cell lists its CMOs by index into `MatrixPage::cmos`: the page summarises every CMO
    /// once, not once per table and again in the full list (40,000 summaries at 10,000 reports).
    cells: Vec<Vec<usize>>,
}

/// A matrix per study: a tracer of one study is rarely followed in another study's areas, and
/// one site-wide grid would be mostly empty.
fn matrix_tables(linker: &Linker, published: &[&crate::resolve::CmoRecord]) -> Vec<MatrixTable> {
    let c = &linker.site.content;
    let study_of = |s: &Option<crate::load::schema::Ref>| s.as_ref().map(|r| r.id.clone());
    let mut studies: Vec<Option<String>> =
        c.tracers.iter().map(|t| study_of(&t.meta.study)).collect();
    studies.sort();
    studies.dedup();
    let mut tables = Vec::new();
    for study in studies {
        let tracers: Vec<&String> = c
            .tracers
            .iter()
            .filter(|t| study_of(&t.meta.study) == study)
            .map(|t| &t.id)
            .collect();
        let in_table: Vec<(usize, &crate::resolve::CmoRecord)> = published
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, r)| r.tracers.iter().any(|t| tracers.contains(&t)))
            .collect();
        let areas: Vec<&String> = c
            .areas
            .iter()
            .map(|a| &a.id)
            .filter(|a| in_table.iter().any(|(_, r)| r.areas.contains(a)))
            .collect();
        let mut rows = Vec::new();
        for tracer in tracers {
            let in_row: Vec<_> = in_table
                .iter()
                .filter(|(_, r)| r.tracers.contains(tracer))
                .collect();
            if in_row.is_empty() {
                continue;
            }
            let cells = areas
                .iter()
                .map(|a| {
                    in_row
                        .iter()
                        .filter(|(_, r)| r.areas.contains(a))
                        .map(|(i, _)| *i)
                        .collect()
                })
                .collect();
            rows.push(MatrixRow {
                tracer: linker.entity(Kind::Tracer, tracer),
                cells,
            });
        }
        if rows.is_empty() || areas.is_empty() {
            continue;
        }
        tables.push(MatrixTable {
            id: format!("matrix-{}", study.as_deref().unwrap_or("other")),
            study: study
                .as_ref()
                .filter(|s| site_has(linker, s))
                .map(|s| linker.entity(Kind::Study, s)),
            areas: areas.iter().map(|a| linker.entity(Kind::Area, a)).collect(),
            rows,
        });
    }
    tables
}

fn matrix(r: &Renderer) -> Built {
    let path = "cmos/index.html".to_string();
    let site = r.site;
    let linker = Linker { site, depth: 1 };
    let published: Vec<&crate::resolve::CmoRecord> =
        site.cmos.iter().filter(|c| c.published).collect();
    let tables = matrix_tables(&linker, &published);
    let unplaced = published
        .iter()
        .filter(|c| c.tracers.is_empty() || c.areas.is_empty())
        .count();
    let mut theories: Vec<(String, String)> = site
        .content
        .theories
        .iter()
        .map(|t| (t.id.clone(), t.meta.title.clone()))
        .collect();
    theories.push(("none-identified".into(), "None identified".into()));
    let statuses = {
        let mut s: Vec<_> = published.iter().map(|c| c.cmo.status).collect();
        s.sort();
        s.dedup();
        s.iter().map(|s| (enum_value(s), enum_label(s))).collect()
    };
    let listed_all = published.len() <= FULL_TABLE_LIMIT;
    let listed: Vec<&crate::resolve::CmoRecord> = if listed_all {
        Vec::new()
    } else {
        published
            .iter()
            .copied()
            .filter(|c| c.tracers.is_empty() || c.areas.is_empty())
            .collect()
    };
    let page = MatrixPage {
        title: "CMO configurations".into(),
        tables,
        entries: LazyEntries {
            linker: &linker,
            cmos: &published,
        },
        cmos: LazySummaries {
            linker: &linker,
            cmos: if listed_all { &published } else { &listed },
        },
        total: published.len(),
        listed_all,
        theories,
        themes: site
            .themes
            .keys()
            .map(|t| (t.clone(), site.title(Kind::Theme, t)))
            .collect(),
        statuses,
        unplaced,
    };
    let common = r.common(&path, Some(Kind::Cmo));
    finish(path, "matrix.html", context(&common, &page))
}

#[derive(Serialize)]
struct GlossaryPage {
    title: String,
    entries: Vec<GlossaryView>,
}

#[derive(Serialize)]
struct GlossaryView {
    id: String,
    term: String,
    expansion: Option<String>,
    definition: String,
    see_also: Vec<LinkView>,
}

fn glossary(r: &Renderer) -> Built {
    let path = "glossary/index.html".to_string();
    let mut entries: Vec<GlossaryView> = r
        .site
        .content
        .glossary
        .iter()
        .map(|e| GlossaryView {
            id: super::glossary_anchor(&e.term),
            term: e.term.clone(),
            expansion: e.expansion.clone(),
            definition: e.definition.clone(),
            see_also: e
                .see_also
                .iter()
                // An unknown term is reported by the glossary check; do not also print a broken link.
                .filter(|s| r.site.content.glossary.iter().any(|g| &g.term == *s))
                .map(|s| LinkView {
                    title: s.clone(),
                    url: format!("#{}", super::glossary_anchor(s)),
                })
                .collect(),
        })
        .collect();
    entries.sort_by_key(|e| e.term.to_lowercase());
    let page = GlossaryPage {
        title: "Glossary".into(),
        entries,
    };
    let common = r.common(&path, None);
    finish(path, "glossary.html", context(&common, &page))
}

#[derive(Serialize)]
struct HomePage {
    title: String,
    description: Option<String>,
    studies: Vec<Item>,
    tracers: Vec<Item>,
    latest: Vec<Item>,
    counts: Vec<(String, usize, String)>,
}

fn home(r: &Renderer) -> Built {
    let path = "index.html".to_string();
    let site = r.site;
    let c = &site.content;
    let linker = Linker { site, depth: 0 };
    let item = |kind: Kind, id: &str, note: String| {
        let l = linker.entity(kind, id);
        Item {
            title: l.title,
            url: l.url,
            note,
        }
    };
    let mut latest: Vec<_> = c
        .reports
        .iter()
        .filter(|d| site.is_published(Kind::Report, &d.id))
        .collect();
    latest.sort_by(|a, b| b.meta.date.cmp(&a.meta.date).then(a.id.cmp(&b.id)));
    let published_cmos = site.cmos.iter().filter(|c| c.published).count();
    let page = HomePage {
        title: site.config.title.clone(),
        description: site.config.description.clone(),
        studies: c
            .studies
            .iter()
            .map(|d| {
                item(
                    Kind::Study,
                    &d.id,
                    d.meta.funder.clone().unwrap_or_default(),
                )
            })
            .collect(),
        tracers: c
            .tracers
            .iter()
            .map(|d| {
                item(
                    Kind::Tracer,
                    &d.id,
                    d.meta
                        .study
                        .as_ref()
                        .map(|s| site.title(Kind::Study, &s.id))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        latest: latest
            .iter()
            .take(10)
            .map(|d| {
                item(
                    Kind::Report,
                    &d.id,
                    format!("{} · {}", report_type_label(&d.meta), d.meta.date.human()),
                )
            })
            .collect(),
        counts: vec![
            ("Reports".into(), latest.len(), linker.url("reports/")),
            (
                "CMO configurations".into(),
                published_cmos,
                linker.url("cmos/"),
            ),
            ("Tracers".into(), c.tracers.len(), linker.url("tracers/")),
            ("Study areas".into(), c.areas.len(), linker.url("areas/")),
            (
                "Programme theories".into(),
                c.theories.len(),
                linker.url("theories/"),
            ),
        ],
    };
    let common = r.common(&path, None);
    finish(path, "home.html", context(&common, &page))
}
