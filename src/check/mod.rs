//! Stage 3, check: the schema rules that span fields, and (in [`links`]) every link in the output.
//!
//! Loading already rejected malformed files and resolving rejected dangling references; what is left
//! here are rules that depend on other fields ("a tracer report needs a tracer", "an observed CMO
//! needs evidence"), the glossary's own consistency, and citation keys used in front matter.
//!
//! [`check`] runs, in order:
//!
//! 1. the report rules (what a tracer report and a commissioning report each need);
//! 2. the CMO rules (a context, an outcome and a complete mechanism; evidence for observed and
//!    derived CMOs, or the kinds the rubric's `needs_evidence` names; citation keys named as
//!    evidence that exist; a refined CMO that says what it refines, by `chain.refines` or by
//!    prompting a theory's refinement);
//! 3. the informants ([`informants`]): registries without repeated ids, evidence naming an
//!    informant that exists, and no informant id visible in a `role-only` study;
//! 4. provenance ([`provenance`]): an editorial page never claims a published work's DOI or the
//!    summarised work's authors (nor do site.yaml's `editors:`), and evidence from a published
//!    work says where in it a reader looks;
//! 5. the glossary's consistency (a term defined twice, a `see_also` that names no term);
//!    theories' refinements oldest first and patterns' instances named once ([`sequences`]);
//! 6. the team's rubric, if `site.yaml` states one ([`rubric`]).
//!
//! The output's links are checked later, once pages are rendered ([`links`]).

mod informants;
pub mod links;
mod provenance;
pub mod rubric;
mod sequences;

use std::collections::HashSet;

use crate::cite::Bibliography;
use crate::diagnostics::{suggestion, Diagnostic};
use crate::load::Document;
use crate::model::{Cmo, CmoKind, EvidenceSource, PartialDate, Report, ReportKind, ReportType};
use crate::resolve::{CmoRecord, Site};

/// Every cross-field rule, over the whole site.
pub fn check(site: &Site, bibliography: &Bibliography) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let config = &site.config;
    problems.extend(crate::config::links::check_targets(
        &config.highlights,
        |r| {
            site.ref_problem(r, &crate::model::Kind::REFERABLE, "highlights")
                .or_else(|| site.withdrawn_problem(r))
        },
    ));
    check_reports(site, &mut problems);
    // The RAMESES II checklist of each realist report that this build publishes.
    for (i, doc) in site.content.reports.iter().enumerate() {
        if site.is_published(crate::model::Kind::Report, &doc.id) {
            problems.extend(crate::resolve::rameses::problems(site, i));
        }
    }
    check_cmos(site, bibliography, &mut problems);
    informants::check(site, &mut problems);
    provenance::check(site, bibliography, &mut problems);
    check_glossary(site, &mut problems);
    sequences::check(site, &mut problems);
    problems.extend(rubric::check(site));
    problems.extend(crate::config::links::check_targets(&config.menu, |r| {
        site.ref_problem(r, &crate::model::Kind::REFERABLE, "menu")
    }));
    problems
}

fn check_reports(site: &Site, problems: &mut Vec<Diagnostic>) {
    for doc in &site.content.reports {
        let m = &doc.meta;
        let mut need = |ok: bool, key: &str, message: &str, help: &str| {
            if !ok {
                problems.push(doc.error_at_key(key, None, message).with_help(help));
            }
        };
        need(
            !m.authors.is_empty() || m.authors_not_named,
            "authors",
            "`authors` is empty",
            "list at least one author (`- name: …`), or write `authors_not_named: true` if the published work names none",
        );
        need(
            m.authors.is_empty() || !m.authors_not_named,
            "authors_not_named",
            "`authors_not_named: true` but `authors` lists authors",
            "remove `authors_not_named`, or empty `authors` if the work names none",
        );
        need(
            !m.areas.is_empty(),
            "areas",
            "`areas` is empty",
            "list the study areas the report covers, e.g. `[area/hsca12-area-1]`",
        );
        need(
            !m.summary.is_empty(),
            "summary",
            "`summary` is empty",
            "give the key points as a list of sentences",
        );
        problems.extend(dates_and_names(doc));
        match m.report_class {
            ReportType::TracerReport => {
                if m.tracer.is_none() && m.tracers.as_ref().is_none_or(|t| t.is_empty()) {
                    problems.push(
                        doc.error_at_key("type", None, "a tracer report needs `tracer: tracer/…`")
                            .with_help("add the tracer this report follows"),
                    );
                }
                if m.programme_theories.is_none() {
                    problems.push(doc.error_at_key("type", None, "a tracer report needs `programme_theories`")
                        .with_help("list `theory/…` references, or write `programme_theories: [none-identified]`"));
                }
            }
            ReportType::CommissioningReport => {
                if m.report_type.is_none() {
                    problems.push(doc.error_at_key("type", None, "a commissioning report needs `report_type`")
                        .with_help("one of: final-report, interim-report, case-study, journal-article, working-paper, short-report"));
                }
            }
        }
    }
}

/// Words that mark a name as a team's or an organisation's, not a person's.
const GROUP_WORDS: [&str; 12] = [
    "team",
    "group",
    "department",
    "university",
    "trust",
    "council",
    "collaboration",
    "consortium",
    "institute",
    "centre",
    "nhs",
    "committee",
];

/// Dates that cannot be right (a revision before publication, a date still to come), journal
/// details on a work that is not an article, and an organisation cited as if it were a person.
fn dates_and_names(doc: &Document<Report>) -> Vec<Diagnostic> {
    let m = &doc.meta;
    let warn = |key: &str, message: String, help: &str| {
        let at = doc.error_at_key(key, None, "");
        Diagnostic::warning(&at.path, at.line, at.column, message).with_help(help)
    };
    let mut found = Vec::new();
    if let Some(updated) = m.updated.filter(|u| u.surely_before(&m.date)) {
        let (u, d) = (updated.iso(), m.date.iso());
        let message = format!(
            "`updated` ({u}) is before `date` ({d}): a report is revised after it is published"
        );
        found.push(
            doc.error_at_key("updated", None, message)
                .with_help("check both dates; `date` is when the report was first published"),
        );
    }
    let today = PartialDate::today();
    for (key, date) in [("date", Some(m.date)), ("updated", m.updated)] {
        let implausible = |d: &PartialDate| today.surely_before(d) || d.year < 1800;
        if let Some(d) = date.filter(implausible) {
            let when = if d.year < 1800 {
                "is implausibly early"
            } else {
                "is in the future"
            };
            let message = format!("`{key}` ({}) {when}", d.iso());
            found.push(warn(
                key,
                message,
                "a mistyped year? Write the date the work was (or was last) published",
            ));
        }
    }
    if m.journal.is_some() && m.report_type != Some(ReportKind::JournalArticle) {
        found.push(warn(
            "journal",
            "`journal` is given, but `report_type` is not `journal-article`".into(),
            "write `report_type: journal-article`, or remove `journal` if the work did not appear in one",
        ));
    }
    // A person whose name has such a word says so by writing `family:` and `given:`.
    let unsplit = |a: &&crate::model::Author| !a.group && a.family.is_none() && a.given.is_none();
    for a in m.authors.iter().filter(unsplit) {
        let lower = a.name.to_lowercase();
        let mut words = lower.split(|c: char| !c.is_alphanumeric());
        if let Some(word) = words.find(|w| GROUP_WORDS.contains(w)) {
            let (line, column) = doc.locator().locate(&a.name, None);
            let message = format!(
                "the author `{}` looks like a team or organisation (\"{word}\")",
                a.name
            );
            found.push(Diagnostic::warning(&doc.path, line, column, message).with_help(
                "add `group: true` to this author, so citations keep the name whole instead of splitting it into given and family names; if it is a person's name, write their `family:` and `given:` names",
            ));
        }
    }
    found.extend(group_details(doc));
    found
}

/// Details a group author cannot use: a team has no given or family names, and an ORCID iD
/// identifies a person. They would be dropped without a word.
fn group_details(doc: &Document<Report>) -> Vec<Diagnostic> {
    let unused = |a: &crate::model::Author| {
        let fields = [
            ("given", a.given.is_some()),
            ("family", a.family.is_some()),
            ("orcid", a.orcid.is_some()),
        ];
        fields
            .into_iter()
            .filter(|(_, set)| *set)
            .map(|(k, _)| format!("`{k}`"))
            .collect::<Vec<_>>()
    };
    let groups = doc.meta.authors.iter().filter(|a| a.group);
    groups
        .filter_map(|a| {
            let fields = unused(a);
            if fields.is_empty() {
                return None;
            }
            let (line, column) = doc.locator().locate(&a.name, None);
            let message = format!(
                "the group author `{}` has {}, which a group cannot use",
                a.name,
                fields.join(" and ")
            );
            Some(
                Diagnostic::warning(&doc.path, line, column, message)
                    .with_help("remove them, or remove `group: true` if this author is a person"),
            )
        })
        .collect()
}

fn check_cmos(site: &Site, bibliography: &Bibliography, problems: &mut Vec<Diagnostic>) {
    let prompts = refinement_prompts(site);
    for record in &site.cmos {
        let at = |key: &str, message: String| site.cmo_key_error(record, key, message);
        problems.extend(shape(&record.cmo, &at));
        problems.extend(evidence_needed(site, &record.cmo, &at));
        problems.extend(refines_nothing(&record.cmo, &prompts, &at));
        problems.extend(unknown_citation_keys(site, bibliography, record));
    }
}

/// Makes a located error at one of a CMO's keys.
type At<'a> = dyn Fn(&str, String) -> Diagnostic + 'a;

/// A context, an outcome and a complete mechanism.
fn shape(c: &Cmo, at: &At) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    if c.context.is_empty() {
        problems.push(
            at("context", format!("CMO `{}` has an empty `context`", c.id))
                .with_help("give at least one context: `- text: …`"),
        );
    }
    if c.outcome.is_empty() {
        problems.push(
            at("outcome", format!("CMO `{}` has an empty `outcome`", c.id))
                .with_help("give at least one outcome with text, status, valence and intended"),
        );
    }
    let m = &c.mechanism;
    if m.text.is_none() && (m.resource.is_none() || m.reasoning.is_none()) {
        problems.push(at("mechanism", format!("CMO `{}`: the mechanism needs `text`, or both `resource` and `reasoning`", c.id))
            .with_help("resource is what the change offers; reasoning is how people respond to it (Dalkin et al. 2015)"));
    }
    problems
}

/// Evidence and a confidence for the kinds that need them: the rubric's `needs_evidence`, or
/// the methods' default (observed and derived) without a rubric. Warnings if the rubric says so.
fn evidence_needed(site: &Site, c: &Cmo, at: &At) -> Vec<Diagnostic> {
    let rubric = site.config.rubric.as_ref();
    let needs = match rubric {
        Some(r) => r.needs_evidence.contains(&c.kind),
        None => matches!(c.kind, CmoKind::Observed | CmoKind::Derived),
    };
    if !needs {
        return Vec::new();
    }
    let kind = crate::model::enum_value(&c.kind);
    let mut problems = Vec::new();
    if c.evidence.is_empty() {
        problems.push(
            at(
                "kind",
                format!("CMO `{}` is {kind} but gives no `evidence`", c.id),
            )
            .with_help(
                "add at least one evidence item with its source, or make the CMO `anticipated`",
            ),
        );
    }
    if c.confidence.is_none() {
        problems.push(
            at(
                "kind",
                format!("CMO `{}` is {kind} but has no `confidence`", c.id),
            )
            .with_help("add `confidence: {level: moderate, rationale: …}`"),
        );
    }
    let warn = rubric.is_some_and(|r| {
        r.warnings
            .contains(&crate::config::rubric::Rule::NeedsEvidence)
    });
    if warn {
        for d in &mut problems {
            d.severity = crate::diagnostics::Severity::Warning;
        }
    }
    problems
}

/// A refined CMO says what it refines: by `chain.refines`, or by prompting a theory's refinement
/// (`prompts`).
fn refines_nothing(c: &Cmo, prompts: &HashSet<&str>, at: &At) -> Option<Diagnostic> {
    let refines = c.chain.as_ref().is_some_and(|ch| ch.refines.is_some());
    if c.kind != CmoKind::Refined || refines || prompts.contains(c.id.as_str()) {
        return None;
    }
    let mut d = at(
        "kind",
        format!("CMO `{}` is refined but refines nothing", c.id),
    );
    d.severity = crate::diagnostics::Severity::Warning;
    Some(d.with_help(
        "name the CMO it refines (`chain: {refines: cmo/…}`), or list it in `prompted_by` of the theory refinement it led to",
    ))
}

/// Citation keys named as evidence that the bibliography does not have.
fn unknown_citation_keys(
    site: &Site,
    bibliography: &Bibliography,
    record: &CmoRecord,
) -> Vec<Diagnostic> {
    let keys = record.cmo.evidence.iter().filter_map(|e| match &e.source {
        EvidenceSource::Citation(key) if !bibliography.contains(key) => Some(key),
        _ => None,
    });
    keys.map(|key| {
        let help = bibliography
            .suggest(key)
            .map(|s| format!("did you mean `@{s}`?"))
            .unwrap_or_else(|| "add the entry to the bibliography named in site.yaml".into());
        let message = format!("unknown citation key `@{key}`");
        site.cmo_error(record, &format!("@{key}"), message)
            .with_help(help)
    })
    .collect()
}

/// The ids of the CMOs named in `prompted_by` of some theory's refinement.
fn refinement_prompts(site: &Site) -> HashSet<&str> {
    let theories = site.content.entities(crate::model::Kind::Theory).iter();
    let steps = theories.flat_map(|d| match &d.meta {
        crate::model::Entity::Theory(t) => t.refinements.as_slice(),
        _ => &[],
    });
    let refs = steps.flat_map(|step| &step.prompted_by);
    refs.filter(|r| r.kind == crate::model::Kind::Cmo)
        .map(|r| r.id.as_str())
        .collect()
}

fn check_glossary(site: &Site, problems: &mut Vec<Diagnostic>) {
    let path = std::path::Path::new("content/glossary.yaml");
    let text = &site.content.glossary_text;
    let locator = crate::text::yaml::Locator::new(text, 1);
    let terms: Vec<&str> = site
        .content
        .glossary
        .iter()
        .map(|e| e.term.as_str())
        .collect();
    // A term defined twice is reported by load, at the second `term:` itself.
    for entry in &site.content.glossary {
        for also in &entry.see_also {
            if !terms.contains(&also.as_str()) {
                let (line, col) = locator.locate(also, Some(&entry.term));
                problems.push(
                    Diagnostic::error(
                        path,
                        line,
                        col,
                        format!("`see_also` names `{also}`, which is not a glossary term"),
                    )
                    .with_help_opt(suggestion(also, terms.iter().copied())),
                );
            }
        }
    }
}
