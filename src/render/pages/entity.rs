//! The generic entity page (studies, tracers, areas, theories, free pages and every other kind kept
//! as an `Entity`), and theme pages, which look the same.
//!
//! A programme theory's page puts what the evaluation found first: its status, its statement (or,
//! once refined, its trail of statements with what prompted each) and the CMO configurations that
//! test it, each with its status, before the body (see [`verdict`]). A demi-regularity's page lists
//! its instances ([`instances`]); a theme's page shows its written synthesis, if it has one, above
//! what carries the theme.

use serde::Serialize;

use super::super::views::{self, cmo_summary, CmoSummary, Fact, Group, Item, LinkView, Linker};
use super::super::{context, Built, Renderer};
use super::{dedup_cmos, finish, page_path};
use crate::markdown::TocEntry;
use crate::model::{
    enum_label, enum_value, CmoStatus, Entity, Kind, Pattern, ProgrammeTheory, Ref, Statement,
};
use crate::resolve::{Relation, Site};

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
    /// A programme theory's status, statement and findings, shown before the body.
    verdict: Option<Verdict>,
    /// A demi-regularity's instances, each with its kind and note.
    instances: Vec<Item>,
    /// A free page the site's editors wrote about someone else's work: whose summary of what.
    editorial: Option<super::report::EditorialByline>,
    /// An editorial free page's Dublin Core tags and JSON-LD, as a report's (empty otherwise).
    head_meta: Vec<(String, String)>,
    json_ld: String,
}

/// What the evaluation found about a programme theory.
#[derive(Serialize)]
struct Verdict {
    status: Option<String>,
    status_label: Option<String>,
    /// The statement as (label, text): if, then, because.
    statement: Vec<(&'static str, String)>,
    /// How many CMO configurations test it, by status, in a sentence.
    tally: Option<String>,
    /// The initial statement and each refinement, oldest first; empty if it was never refined.
    trail: Vec<TrailStep>,
}

/// One statement of a theory's refinement trail.
#[derive(Serialize)]
struct TrailStep {
    /// "Initial statement", or "Refined, December 2017".
    heading: String,
    /// The last step: the theory as it now stands.
    current: bool,
    statement: Vec<(&'static str, String)>,
    note: Option<String>,
    /// The published CMOs, report sections and sources that prompted it.
    prompted_by: Vec<LinkView>,
}

/// The page of entity `index` of `kind` (in `Content::entities(kind)`).
pub(super) fn entity(r: &Renderer, kind: Kind, index: usize) -> Built {
    let doc = &r.site.content.entities(kind)[index];
    let id = &doc.id;
    let path = page_path(kind, id);
    let linker = Linker {
        site: r.site,
        depth: super::super::depth_of(&path),
    };
    let mut problems = Vec::new();
    let mut md_links = Vec::new();
    let md = r.markdown(doc, &path, &mut problems, &mut md_links);
    let (lead, mut facts) = doc.meta.facts();
    let cmos = linked_cmos(&linker, kind, id);
    let verdict = match &doc.meta {
        Entity::Theory(t) => {
            // The verdict shows these; the facts keep the rest (study, level).
            facts.retain(|f| !matches!(f.label, "If" | "Then" | "Because" | "Status"));
            Some(verdict(&linker, t, &cmos))
        }
        _ => None,
    };
    let instances = match &doc.meta {
        Entity::Pattern(p) => instances(&linker, p),
        _ => Vec::new(),
    };
    // CMOs linked to this entity get their own table; every other kind stays in "Linked from".
    let groups = linker
        .backlink_groups(kind, id, &[])
        .into_iter()
        .filter(|g| g.id != "linked-cmos" || cmos.is_empty())
        .collect();
    let based_on = match &doc.meta {
        Entity::Page(p) => crate::render::meta::BasedOn::of(r.site, p.editorial.as_ref()),
        _ => None,
    };
    let page = EntityPage {
        kind: kind.name().into(),
        kind_label: kind.label(false).into(),
        title: r.site.title(kind, id),
        lead,
        facts: facts.into_iter().map(|f| linker.fact(f)).collect(),
        body_html: md.html,
        toc: views::toc(&md.toc),
        cmos: dedup_cmos(cmos),
        groups,
        verdict,
        instances,
        editorial: super::report::editorial_byline(&linker, based_on.as_ref()),
        head_meta: Vec::new(),
        json_ld: String::new(),
    };
    let page = match &based_on {
        Some(b) => editorial_head(r, kind, id, page, b),
        None => page,
    };
    let common = r.common(&path, Some(kind));
    Built {
        path,
        template: kind.info().template,
        context: context(&common, &page),
        source: Some(doc.path.clone()),
        md_links,
        problems,
        assets: md.assets,
    }
}

/// An editorial free page's head: the Dublin Core and JSON-LD that cite the work it summarises.
fn editorial_head(
    r: &Renderer,
    kind: Kind,
    id: &str,
    page: EntityPage,
    based_on: &crate::render::meta::BasedOn,
) -> EntityPage {
    let site = r.site;
    let url = site.config.base_url.absolute(&Site::url(kind, id));
    EntityPage {
        head_meta: crate::render::meta::editorial_page_meta(
            &page.title,
            &url,
            &site.config,
            based_on,
        ),
        json_ld: crate::render::meta::editorial_page_json_ld(&page.title, &url, site, based_on),
        ..page
    }
}

/// The published CMOs that link to (kind, id) other than by a mention in their body.
fn linked_cmos(linker: &Linker, kind: Kind, id: &str) -> Vec<CmoSummary> {
    let site = linker.site;
    let Some(links) = site.backlinks.get(&(kind, id.to_string())) else {
        return Vec::new();
    };
    links
        .iter()
        .filter(|l| l.from_kind == Kind::Cmo && l.relation != Relation::Mentions)
        .filter_map(|l| site.cmo(&l.from_id))
        .filter(|rec| rec.published)
        .map(|rec| cmo_summary(linker, rec))
        .collect()
}

pub(super) fn theme(r: &Renderer, id: &str) -> Built {
    let path = page_path(Kind::Theme, id);
    let linker = Linker {
        site: r.site,
        depth: super::super::depth_of(&path),
    };
    // The written synthesis, if `content/themes/<id>.md` gives one.
    let syntheses = r.site.content.entities(Kind::Theme);
    let synthesis = syntheses.iter().find(|d| d.id == id);
    let (mut problems, mut md_links) = (Vec::new(), Vec::new());
    let md = synthesis.map(|doc| r.markdown(doc, &path, &mut problems, &mut md_links));
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
            "{} and {} are tagged with this theme.",
            views::count(reports.len(), "report", "reports"),
            views::count(cmos.len(), "CMO configuration", "CMO configurations")
        )),
        facts: Vec::new(),
        body_html: md.as_ref().map(|m| m.html.clone()).unwrap_or_default(),
        toc: md.as_ref().map(|m| views::toc(&m.toc)).unwrap_or_default(),
        cmos: cmos
            .iter()
            .filter_map(|c| r.site.cmo(c))
            .map(|rec| cmo_summary(&linker, rec))
            .collect(),
        groups,
        editorial: None,
        verdict: None,
        instances: Vec::new(),
        head_meta: Vec::new(),
        json_ld: String::new(),
    };
    let common = r.common(&path, Some(Kind::Theme));
    let mut built = finish(path, "entity.html", context(&common, &page));
    built.source = synthesis.map(|d| d.path.clone());
    built.md_links = md_links;
    built.problems = problems;
    built.assets = md.map(|m| m.assets).unwrap_or_default();
    built
}

/// A demi-regularity's instances that have a page: each linked, with its kind and its note.
fn instances(linker: &Linker, p: &Pattern) -> Vec<Item> {
    let published = p.instances.iter();
    let published = published.filter(|i| linker.site.is_published(i.of.kind, &i.of.id));
    published
        .map(|i| {
            let link = linker.entity(i.of.kind, &i.of.id);
            let kind = i.of.kind.label(false);
            let note = match &i.note {
                Some(n) => format!("{kind}: {n}"),
                None => kind.to_string(),
            };
            Item {
                title: link.title,
                url: link.url,
                note,
            }
        })
        .collect()
}

/// The statement as (label, text): if, then, because.
fn statement_rows(s: &Statement) -> Vec<(&'static str, String)> {
    vec![
        ("If", s.if_.clone()),
        ("Then", s.then.clone()),
        ("Because", s.because.clone()),
    ]
}

/// A theory's trail: its initial statement, then each refinement in the order written, the last
/// marked current. Empty for a theory never refined, whose page shows its one statement.
fn trail(linker: &Linker, t: &ProgrammeTheory) -> Vec<TrailStep> {
    if t.refinements.is_empty() {
        return Vec::new();
    }
    let initial = t.statement.as_ref().map(|s| TrailStep {
        heading: "Initial statement".into(),
        current: false,
        statement: statement_rows(s),
        note: None,
        prompted_by: Vec::new(),
    });
    let last = t.refinements.len() - 1;
    let refined = t.refinements.iter().enumerate().map(|(i, step)| TrailStep {
        heading: format!("Refined, {}", step.date.human()),
        current: i == last,
        statement: statement_rows(&step.statement),
        note: step.note.clone(),
        prompted_by: step
            .prompted_by
            .iter()
            .filter_map(|r| prompt_link(linker, r))
            .collect(),
    });
    initial.into_iter().chain(refined).collect()
}

/// A link to what prompted a refinement, if it has a page: a report section is named after its
/// heading ("Final report: Conduct of commissioning").
fn prompt_link(linker: &Linker, r: &Ref) -> Option<LinkView> {
    if !linker.site.is_published(r.kind, &r.id) {
        return None;
    }
    let mut link = linker.entity(r.kind, &r.id);
    if let Some(anchor) = &r.anchor {
        link.url = format!("{}#{anchor}", link.url);
        if let Some(heading) = linker.site.section_title(r.kind, &r.id, anchor) {
            link.title = format!("{}: {heading}", link.title);
        }
    }
    Some(link)
}

/// A theory's verdict: its status, its statement, and a count of the CMO configurations that test
/// it by their status ("3 CMO configurations test this theory: 2 supported and 1 refuted").
fn verdict(linker: &Linker, t: &ProgrammeTheory, cmos: &[CmoSummary]) -> Verdict {
    let site = linker.site;
    let statement = t.statement.iter().flat_map(statement_rows);
    let mut ids: Vec<&str> = cmos.iter().map(|c| c.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut by_status = std::collections::BTreeMap::<CmoStatus, usize>::new();
    for record in ids.iter().filter_map(|id| site.cmo(id)) {
        *by_status.entry(record.cmo.status).or_default() += 1;
    }
    let parts: Vec<String> = by_status
        .iter()
        .map(|(status, n)| format!("{n} {}", enum_label(status).to_lowercase()))
        .collect();
    let tally = (!ids.is_empty()).then(|| {
        let n = ids.len();
        let verb = if n == 1 { "tests" } else { "test" };
        let cmo = Kind::Cmo.label_in_sentence(n != 1);
        format!("{n} {cmo} {verb} this theory: {}.", and_list(&parts))
    });
    Verdict {
        status: t.status.map(|s| enum_value(&s)),
        status_label: t.status.map(|s| enum_label(&s)),
        statement: statement.collect(),
        tally,
        trail: trail(linker, t),
    }
}

/// "a", "a and b", "a, b and c".
fn and_list(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
