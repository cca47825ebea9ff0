//! The link graph: every reference between entities, checked, and turned around into backlinks.
//!
//! Each page lists everything that links to it. Rather than letting templates search, the graph
//! records one [`Backlink`] per (target, source, relation) here, once, so rendering a page is a
//! lookup. Chain links between CMOs are stored only in the direction authors write them; their
//! inverses are generated here, and cycles are rejected.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use super::{Origin, Site};
use crate::diagnostics::Diagnostic;
use crate::model::{is_valid_id, FieldLink, Kind, Ref, Relation};

/// "`from` links to this page, as `relation`".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Backlink {
    pub from_kind: Kind,
    pub from_id: String,
    pub relation: Relation,
}

/// Backlinks by target, filled as references are checked (collecting every edge first and
/// grouping afterwards held each reference twice: 260,000 of them at 10,000 reports).
#[derive(Default)]
struct Edges(HashMap<(Kind, String), Vec<Backlink>>);

impl Edges {
    fn push(&mut self, (from_kind, from_id, relation, to_kind, to_id): Edge) {
        self.0.entry((to_kind, to_id)).or_default().push(Backlink {
            from_kind,
            from_id,
            relation,
        });
    }
}

/// (from kind, from id, relation, to kind, to id).
type Edge = (Kind, String, Relation, Kind, String);

/// Checks every reference and fills `site.backlinks`, `site.themes` and each CMO's report list.
pub(super) fn build(site: &mut Site, problems: &mut Vec<Diagnostic>) {
    let mut edges = Edges::default();
    report_edges(site, &mut edges, problems);
    cmo_edges(site, &mut edges, problems);
    entity_edges(site, &mut edges, problems);
    mention_edges(site, &mut edges);
    check_cycles(site, problems);

    let mut backlinks = edges.0;
    for ((to_kind, to_id), list) in backlinks.iter_mut() {
        list.retain(|b| {
            site.is_published(b.from_kind, &b.from_id)
                && !(b.from_kind == *to_kind && b.from_id == *to_id)
        });
        list.sort();
        list.dedup();
        list.shrink_to_fit();
    }
    backlinks.retain(|_, list| !list.is_empty());
    site.backlinks = backlinks;
}

/// The references of every report, its `cmos:` list, and the themes of reports and CMOs.
fn report_edges(site: &mut Site, edges: &mut Edges, problems: &mut Vec<Diagnostic>) {
    let mut themes: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    let mut cmo_reports: Vec<(String, String)> = Vec::new();
    for (i, doc) in site.content.reports.iter().enumerate() {
        let (m, id) = (&doc.meta, &doc.id);
        let published = site.is_published(Kind::Report, id);
        for (field, r) in m.refs() {
            let link = field_link(Kind::Report, field);
            let problem = site.check_ref(doc, published, r, link.to, field);
            match problem.or_else(|| anchor_error(doc, link, r)) {
                Some(d) => problems.push(d),
                None => {
                    let from = id.clone();
                    edges.push((Kind::Report, from, link.relation, r.kind, r.id.clone()))
                }
            }
        }
        for cmo_id in cmo_list_edges(site, i, edges, problems) {
            cmo_reports.push((cmo_id, id.clone()));
        }
        check_theme_ids(doc, &m.themes, problems);
        if site.is_published(Kind::Report, id) {
            for theme in m.themes.iter().filter(|t| is_valid_id(t)) {
                themes.entry(theme.clone()).or_default().0.push(id.clone());
            }
        }
    }
    attach_reports(site, cmo_reports);
    for record in site.cmos.iter().filter(|r| r.published) {
        for theme in record.cmo.themes.iter().filter(|t| is_valid_id(t)) {
            let cmos = &mut themes.entry(theme.clone()).or_default().1;
            cmos.push(record.cmo.id.clone());
        }
    }
    for (reports, cmos) in themes.values_mut() {
        reports.sort();
        reports.dedup();
        cmos.sort();
        cmos.dedup();
    }
    site.themes = themes;
    check_syntheses(site, problems);
}

/// A theme synthesis (`content/themes/<id>.md`) must name a theme some report or CMO lists in
/// `themes:` (published or not, so that a draft's theme is not an error in one build only).
fn check_syntheses(site: &Site, problems: &mut Vec<Diagnostic>) {
    let syntheses = site.content.entities(Kind::Theme);
    if syntheses.is_empty() {
        return;
    }
    let reports = site.content.reports.iter().map(|d| &d.meta.themes);
    let cmos = site.cmos.iter().map(|r| &r.cmo.themes);
    let used: std::collections::BTreeSet<&str> =
        reports.chain(cmos).flatten().map(String::as_str).collect();
    for doc in syntheses.iter().filter(|d| !used.contains(d.id.as_str())) {
        let message = format!(
            "theme synthesis for `{}`, a theme no report or CMO lists in `themes:`",
            doc.id
        );
        let help = crate::diagnostics::suggestion(&doc.id, used.iter().copied())
            .unwrap_or_else(|| "name the file after a theme that a `themes:` list uses".into());
        problems.push(Diagnostic::error(&doc.path, 0, 0, message).with_help(help));
    }
}

/// Checks the `cmos:` list of report `i`; returns the ids of the CMOs it lists that exist.
fn cmo_list_edges(
    site: &Site,
    i: usize,
    edges: &mut Edges,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let doc = &site.content.reports[i];
    let link = field_link(Kind::Report, "cmos");
    let mut listed = Vec::new();
    // The list can be long (thousands of entries): locate its items in order.
    let mut cursor = crate::text::yaml::LocateCursor::default();
    for cmo_id in &site.report_cmos[i] {
        let r = Ref {
            kind: Kind::Cmo,
            id: cmo_id.clone(),
            anchor: None,
        };
        let published = site.is_published(Kind::Report, &doc.id);
        match site.ref_problem_from(published, &r, link.to, link.field) {
            Some((message, help)) => {
                let needle = r.to_string();
                let locator = doc.locator();
                let (line, col) = locator
                    .locate_next(&needle, &mut cursor)
                    .unwrap_or_else(|| locator.locate(&needle, None));
                problems.push(Diagnostic::error(&doc.path, line, col, message).with_help_opt(help));
            }
            None => {
                let from = doc.id.clone();
                edges.push((Kind::Report, from, link.relation, Kind::Cmo, cmo_id.clone()));
                listed.push(cmo_id.clone());
            }
        }
    }
    listed
}

/// Fills each CMO's list of reports from (CMO id, report id) pairs, the defining report first.
fn attach_reports(site: &mut Site, cmo_reports: Vec<(String, String)>) {
    for (cmo_id, report_id) in cmo_reports {
        if let Some(&i) = site.cmo_index.get(&cmo_id) {
            let record = &mut site.cmos[i];
            let defining = matches!(record.origin, Origin::Report(r) if site.content.reports[r].id == report_id);
            if defining {
                record.reports.insert(0, report_id);
            } else {
                record.reports.push(report_id);
            }
        }
    }
}

fn check_theme_ids<T>(
    doc: &crate::load::Document<T>,
    themes: &[String],
    problems: &mut Vec<Diagnostic>,
) {
    for theme in themes.iter().filter(|t| !is_valid_id(t)) {
        problems.push(
            doc.error_at(
                theme,
                None,
                format!("theme {}", crate::model::id_problem(theme)),
            )
            .with_help("themes are bare lower-kebab ids such as `finance-and-contracting`"),
        );
    }
}

fn cmo_edges(site: &Site, edges: &mut Edges, problems: &mut Vec<Diagnostic>) {
    for record in &site.cmos {
        let c = &record.cmo;
        let id = &c.id;
        for (field, r) in c.refs() {
            let link = field_link(Kind::Cmo, field);
            let FieldLink { to, relation, .. } = *link;
            let problem = site
                .ref_problem_from(record.published, r, to, field)
                .or_else(|| link.anchor_problem(r))
                .map(|(m, h)| {
                    site.cmo_field_error(record, field, &r.to_string(), m)
                        .with_help_opt(h)
                });
            let problem = problem.or_else(|| {
                (relation.is_chain() && r.id == *id).then(|| {
                    site.cmo_error(
                        record,
                        &r.to_string(),
                        format!("CMO `{id}` cannot be chained to itself"),
                    )
                })
            });
            match problem {
                Some(d) => problems.push(d),
                None => edges.push((Kind::Cmo, id.clone(), relation, r.kind, r.id.clone())),
            }
        }
        // Inherited tracers and areas link too, so tracer and area pages list inline CMOs.
        if c.tracer.is_none() {
            record.tracers.iter().for_each(|t| {
                edges.push((
                    Kind::Cmo,
                    id.clone(),
                    Relation::Tracer,
                    Kind::Tracer,
                    t.clone(),
                ))
            });
        }
        if c.areas.is_none() {
            record.areas.iter().for_each(|a| {
                edges.push((Kind::Cmo, id.clone(), Relation::Area, Kind::Area, a.clone()))
            });
        }
        if let Origin::File(f) = record.origin {
            check_theme_ids(&site.content.cmos[f], &c.themes, problems);
        } else if let Origin::Report(r) = record.origin {
            check_theme_ids(&site.content.reports[r], &c.themes, problems);
        }
    }
}

/// The registry's description of `field` of `kind`. Every field a metadata type's `refs()` returns
/// is in the registry (a test of the model checks it), so a missing one is a bug.
fn field_link(kind: Kind, field: &str) -> &'static FieldLink {
    kind.field_link(field).unwrap_or_else(|| {
        panic!(
            "the registry does not describe field `{field}` of {}",
            kind.name()
        )
    })
}

/// An anchor on `r` that its field drops, located at the reference in `doc`.
fn anchor_error<T>(
    doc: &crate::load::Document<T>,
    link: &FieldLink,
    r: &crate::model::Ref,
) -> Option<Diagnostic> {
    let (message, help) = link.anchor_problem(r)?;
    Some(
        doc.error_in_field(&r.to_string(), link.field, None, message)
            .with_help_opt(help),
    )
}

/// The references of every entity kept as [`crate::model::Store::Entities`] (a tracer's study …).
fn entity_edges(site: &Site, edges: &mut Edges, problems: &mut Vec<Diagnostic>) {
    for kind in Kind::ALL {
        for d in site.content.entities(kind) {
            for (field, r) in d.meta.refs() {
                let link = field_link(kind, field);
                let problem = site.check_ref(d, true, r, link.to, field);
                match problem.or_else(|| anchor_error(d, link, r)) {
                    Some(problem) => problems.push(problem),
                    None => edges.push((kind, d.id.clone(), link.relation, r.kind, r.id.clone())),
                }
            }
        }
    }
}

/// Cross-references written in Markdown bodies (`](@kind/id…)`) become "mentions" backlinks.
/// Their validity is checked, with line numbers, when the Markdown is rendered.
fn mention_edges(site: &Site, edges: &mut Edges) {
    for kind in Kind::ALL {
        for d in site.content.heads(kind) {
            for r in &d.outline.mentions {
                if site.exists(r.kind, &r.id) {
                    let from = d.id.to_string();
                    edges.push((kind, from, Relation::Mentions, r.kind, r.id.clone()));
                }
            }
        }
    }
}

/// Rejects cycles through `feeds_context_of`, `refines` and `specialises`. (`contradicts` is
/// symmetric in meaning, so two CMOs contradicting each other is not a cycle.)
fn check_cycles(site: &Site, problems: &mut Vec<Diagnostic>) {
    let mut next: HashMap<&str, Vec<&str>> = HashMap::default();
    for record in &site.cmos {
        if let Some(chain) = &record.cmo.chain {
            let targets = chain
                .feeds_context_of
                .iter()
                .chain(chain.refines.iter())
                .chain(chain.specialises.iter());
            next.insert(
                &record.cmo.id,
                targets
                    .map(|r| r.id.as_str())
                    // A link to itself is reported once, as such, where the links are checked.
                    .filter(|t| *t != record.cmo.id && site.cmo(t).is_some())
                    .collect(),
            );
        }
    }
    // Iterative depth-first search with colours: 0 unvisited, 1 on the stack, 2 done.
    let mut colour: HashMap<&str, u8> = HashMap::default();
    let mut reported = rustc_hash::FxHashSet::default();
    for record in &site.cmos {
        let start = record.cmo.id.as_str();
        if colour.get(start).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, 1);
        while let Some((node, child)) = stack.pop() {
            let children = next.get(node).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(&target) = children.get(child) {
                stack.push((node, child + 1));
                match colour.get(target).copied().unwrap_or(0) {
                    0 => {
                        colour.insert(target, 1);
                        stack.push((target, 0));
                    }
                    1 => {
                        let from = stack.iter().position(|(n, _)| *n == target).unwrap_or(0);
                        let mut cycle: Vec<&str> = stack[from..].iter().map(|(n, _)| *n).collect();
                        cycle.push(target);
                        let mut key: Vec<&str> = cycle[..cycle.len() - 1].to_vec();
                        key.sort();
                        if reported.insert(key) {
                            let record = site.cmo(node).expect("node comes from the CMO list");
                            problems.push(site.cmo_error(record, &format!("cmo/{target}"), format!("CMO chain cycle: {}", cycle.join(" → ")))
                                .with_help("a chain must not lead back to where it started; remove one of these links"));
                        }
                    }
                    _ => {}
                }
            } else {
                colour.insert(node, 2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{inline_cmo, report, site};
    use super::*;

    fn from(site: &Site, kind: Kind, id: &str) -> Vec<(Kind, String, Relation)> {
        let links = site.backlinks.get(&(kind, id.to_string()));
        links
            .into_iter()
            .flatten()
            .map(|b| (b.from_kind, b.from_id.clone(), b.relation))
            .collect()
    }

    #[test]
    fn references_become_backlinks_on_their_targets() {
        let cmos = format!("cmos:\n{}", inline_cmo("c1", ""));
        let (site, problems) = site(&[report("r1", "published", &cmos)]);
        assert!(problems.is_empty(), "{problems:?}");
        let tracer = from(&site, Kind::Tracer, "tr");
        // The inline CMO inherits its report's tracer, so the tracer page lists it too.
        assert_eq!(
            tracer,
            [
                (Kind::Report, "r1".into(), Relation::Tracer),
                (Kind::Cmo, "c1".into(), Relation::Tracer),
            ]
        );
        assert!(from(&site, Kind::Cmo, "c1").contains(&(
            Kind::Report,
            "r1".into(),
            Relation::ListsCmo
        )));
        assert!(from(&site, Kind::Study, "s").contains(&(
            Kind::Tracer,
            "tr".into(),
            Relation::Study
        )));
        assert_eq!(
            site.cmo("c1").map(|r| r.reports.clone()),
            Some(vec!["r1".into()])
        );
    }

    #[test]
    fn a_reference_to_the_wrong_kind_or_to_nothing_is_reported_with_a_hint() {
        let (_, problems) = site(&[report(
            "r1",
            "published",
            "derived_from: [tracer/tr, report/r2]\n",
        )]);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`derived_from` expects a reference to a report")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`report/r2` does not exist")),
            "{messages:?}"
        );
    }

    #[test]
    fn a_draft_links_nowhere_in_a_published_build() {
        let (site, problems) = site(&[report("r1", "draft", "")]);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(from(&site, Kind::Tracer, "tr").is_empty());
    }

    #[test]
    fn chain_cycles_and_self_links_are_refused() {
        let cmos = format!(
            "cmos:\n{}{}{}",
            inline_cmo("c1", "{refines: cmo/c2}"),
            inline_cmo("c2", "{refines: cmo/c1}"),
            inline_cmo("c3", "{specialises: [cmo/c3]}")
        );
        let (site, problems) = site(&[report("r1", "published", &cmos)]);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("CMO chain cycle: c1 → c2 → c1")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`c3` cannot be chained to itself")),
            "{messages:?}"
        );
        // The inverse of a chain link is generated here, on the page it points to.
        assert!(from(&site, Kind::Cmo, "c2").contains(&(
            Kind::Cmo,
            "c1".into(),
            Relation::Refines
        )));
    }
}
