//! Provenance rules: whose work a page is, and where its evidence can be found.
//!
//! 1. an editorial report (`editorial: {summarises: source/…}`) is the site's editors' work: it
//!    may not give as its own `doi:` the DOI of any published work the site knows (a source
//!    publication's or a bibliography entry's, compared without case and without a `doi.org`
//!    prefix), nor list the summarised work's authors as its `authors:`, whether written as
//!    people or as a group (error), nor say `authors_not_named: true`, which would take the
//!    editors' credit away from a page whose byline names them (error); a `journal:` on it is a
//!    warning, since the page did not appear in the journal (the source's `container` says where
//!    the work did);
//! 2. `editors:` of site.yaml, to whom every editorial report and page is credited, may not name
//!    an author of a work one of them summarises (error at the site.yaml value);
//! 3. an evidence item that cites a published work (`source: source/…` or a bibliography entry,
//!    `source: "@key"`) needs a `locator` a reader can follow: a chapter, section, table, figure
//!    or page (warning when missing or blank, so that a site can add locators as it goes).
//!    Evidence from a report of the site (`report/…#section`) needs none: the report is on the
//!    site, and its `#section` already says where;
//! 4. a locator that reads like an internal extraction reference ("seed S4 lines 120–130",
//!    "line 42", "ll. 4–9", "L120-130") is a warning: readers have the published work, not the
//!    extraction; such notes belong in a YAML comment.

use std::path::Path;

use crate::cite::Bibliography;
use crate::diagnostics::{Diagnostic, Severity};
use crate::load::Document;
use crate::model::{Author, CitedName, Entity, EvidenceSource, Kind, Report, Source};
use crate::resolve::Site;

/// Every provenance problem of the site.
pub fn check(site: &Site, bibliography: &Bibliography, problems: &mut Vec<Diagnostic>) {
    let dois = known_dois(site, bibliography);
    for doc in &site.content.reports {
        let Some(e) = &doc.meta.editorial else {
            continue;
        };
        if let Some(source) = site.source(&e.summarises.id) {
            let editors = site.config.editors();
            problems.extend(editorial_problems(doc, &e.summarises.id, source, &editors));
        }
        problems.extend(borrowed_doi(doc, &e.summarises.id, &dois));
    }
    problems.extend(editors_problems(site));
    for record in &site.cmos {
        for e in &record.cmo.evidence {
            let published_work = match &e.source {
                EvidenceSource::Ref(r) => r.kind == Kind::Source,
                EvidenceSource::Citation(_) => true,
            };
            let source_text = match &e.source {
                EvidenceSource::Ref(r) => r.to_string(),
                EvidenceSource::Citation(k) => format!("@{k}"),
            };
            // A blank locator says no more than a missing one.
            match e.locator.as_deref().filter(|l| !l.trim().is_empty()) {
                None if published_work => problems.push(warning(
                    site.cmo_field_error(record, "source", &source_text, format!(
                        "evidence from `{source_text}` gives no `locator`"
                    ))
                    .with_help("say where in the published work a reader finds it: `locator: \"Chapter 5, §5.2\"`, a table, a figure or a page"),
                )),
                Some(l) if looks_internal(l) => problems.push(warning(
                    site.cmo_field_error(record, "locator", l, format!(
                        "the locator `{l}` looks like an internal extraction reference"
                    ))
                    .with_help("give a chapter, section, table, figure or page of the published work; keep extraction line numbers in a YAML comment (`# …`)"),
                )),
                _ => {}
            }
        }
    }
}

fn warning(mut d: Diagnostic) -> Diagnostic {
    d.severity = Severity::Warning;
    d
}

/// A DOI as compared: without case, spaces or a `doi.org` / `doi:` prefix.
fn doi_key(doi: &str) -> String {
    let lower = doi.trim().to_ascii_lowercase();
    let prefixes = [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "doi:",
    ];
    let bare = prefixes
        .iter()
        .find_map(|p| lower.strip_prefix(p))
        .unwrap_or(&lower);
    bare.trim().to_string()
}

/// The DOIs of the published works the site knows, each with how messages name its work
/// (`source/x`, `@key`), in a stable order.
fn known_dois(site: &Site, bibliography: &Bibliography) -> Vec<(String, String)> {
    let mut dois: Vec<(String, String)> = site
        .content
        .entities(Kind::Source)
        .iter()
        .filter_map(|d| match &d.meta {
            Entity::Source(s) => s
                .doi
                .as_ref()
                .map(|doi| (doi_key(doi), format!("source/{}", d.id))),
            _ => None,
        })
        .collect();
    dois.extend(
        bibliography
            .dois()
            .map(|(key, doi)| (doi_key(doi), format!("@{key}"))),
    );
    dois
}

/// The DOI of an editorial report, when it is the DOI of a published work the site knows: the
/// summarised work's, another source's, or a bibliography entry's. It is never the page's own.
fn borrowed_doi(
    doc: &Document<Report>,
    summarised: &str,
    dois: &[(String, String)],
) -> Option<Diagnostic> {
    let doi = doc.meta.doi.as_ref()?;
    let key = doi_key(doi);
    let (_, work) = dois.iter().find(|(d, _)| *d == key)?;
    let message = if *work == format!("source/{summarised}") {
        format!("this page summarises `{work}` but gives its DOI, `{doi}`, as its own")
    } else {
        format!("this page summarises `source/{summarised}` but gives the DOI of `{work}`, `{doi}`, as its own")
    };
    Some(doc.error_at_key("doi", None, message).with_help(format!(
        "remove `doi:`: the DOI belongs to the published work, and `{work}` carries it; an editorial page has no DOI of its own unless one was registered for the summary itself"
    )))
}

/// What an editorial report borrows from the work it summarises that is not its own.
/// `editors` is the group the resolver credits a page that lists no authors to: site.yaml's
/// `editors:`, whose own check is [`editors_problems`], at its value.
fn editorial_problems(
    doc: &Document<Report>,
    id: &str,
    source: &Source,
    editors: &str,
) -> Vec<Diagnostic> {
    let m = &doc.meta;
    let mut found = Vec::new();
    if m.authors_not_named {
        found.push(
            doc.error_at_key("authors_not_named", None, format!(
                "this page summarises `source/{id}` and is credited to the site's editors, but `authors_not_named: true` would take that credit away"
            ))
            .with_help("remove `authors_not_named`: the byline says \"Summary by the editors\", and citations name the editors (site.yaml's `editors:`); `authors_not_named` is for a published work that names no authors"),
        );
    }
    let credited = |a: &Author| a.group && a.name == editors;
    for a in m
        .authors
        .iter()
        .filter(|a| !credited(a) && source.authors.iter().any(|s| same_person(a, s)))
    {
        let (line, column) = doc.locator().locate(&a.name, None);
        found.push(
            Diagnostic::error(&doc.path, line, column, format!(
                "`{}` is an author of `source/{id}`, which this page summarises, and is listed as an author of the summary",
                a.name
            ))
            .with_help("an editorial page is the site's editors' work: remove the original's authors from `authors:` (leave it out to credit the editors); the byline names them as the summarised work's authors"),
        );
    }
    if m.journal.is_some() {
        found.push(
            warning(doc.error_at_key("journal", None, format!(
                "this page summarises `source/{id}` but gives a `journal`, as if it had appeared there"
            )))
            .with_help(format!("remove `journal:`; give the journal as `container:` of `source/{id}`")),
        );
    }
    found
}

/// `editors:` of site.yaml, when it names an author of a work some editorial report or page
/// summarises: every editorial page would be credited to that author. One error per work, at the
/// value in site.yaml.
fn editors_problems(site: &Site) -> Vec<Diagnostic> {
    let Some(editors) = site.config.editors.as_deref() else {
        return Vec::new();
    };
    let as_written = |group| Author {
        name: editors.to_string(),
        group,
        family: None,
        given: None,
        affiliation: None,
        orcid: None,
    };
    let (person, group) = (as_written(false), as_written(true));
    let pages = site.content.entities(Kind::Page).iter();
    let page_works = pages.filter_map(|d| match &d.meta {
        Entity::Page(p) => p.editorial.as_ref().map(|e| &e.summarises.id),
        _ => None,
    });
    let report_works = site.content.reports.iter();
    let report_works = report_works.filter_map(|d| d.meta.summarises().map(|r| &r.id));
    let mut works: Vec<&String> = report_works.chain(page_works).collect();
    works.sort();
    works.dedup();
    let text = crate::paths::read(&site.content.root, Path::new("site.yaml"))
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let locator = crate::text::yaml::Locator::new(&text, 1);
    let (line, column) = locator.value_of_key("editors").unwrap_or((1, 1));
    works
        .into_iter()
        .filter_map(|id| {
            let source = site.source(id)?;
            let author = source
                .authors
                .iter()
                .find(|s| same_person(&person, s) || same_person(&group, s))?;
            let message = format!(
                "`editors: {editors}` names `{}`, an author of `source/{id}`, which an editorial page of the site summarises",
                author.name
            );
            Some(Diagnostic::error(Path::new("site.yaml"), line, column, message).with_help(
                "`editors:` is who the site's summaries are credited to, in every citation: name the site's editors, or leave it out to credit \"The editors of\" the site's title",
            ))
        })
        .collect()
}

/// Whether two author entries name the same person: the same family name and, where both give
/// one, the same first initial ("Judith A Smith" is "Judith Smith" and "J. Smith"). A group whose
/// name reads as a person's name ("Sara Shaw", `group: true`) is compared as that person: a
/// group entry is no way round the rule.
fn same_person(a: &Author, b: &Author) -> bool {
    let as_person = |x: &Author| Author {
        group: false,
        ..x.clone()
    };
    match (a.group, b.group) {
        (true, false) => reads_as_person(a) && same_named(&as_person(a), b),
        (false, true) => reads_as_person(b) && same_named(a, &as_person(b)),
        _ => same_named(a, b),
    }
}

/// Whether a group's name could be a person's: a given name and a family name, as cited.
fn reads_as_person(group: &Author) -> bool {
    let person = Author {
        group: false,
        ..group.clone()
    };
    matches!(person.cited_name(), CitedName::Person { family, given, .. } if !family.trim().is_empty() && !given.trim().is_empty())
}

/// [`same_person`] for entries of the same sort (two people, two groups).
fn same_named(a: &Author, b: &Author) -> bool {
    let fold = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    match (a.cited_name(), b.cited_name()) {
        (CitedName::Group(x), CitedName::Group(y)) => fold(x) == fold(y),
        (
            CitedName::Person {
                family: f1,
                given: g1,
                ..
            },
            CitedName::Person {
                family: f2,
                given: g2,
                ..
            },
        ) => {
            let initial = |g: &str| fold(g).chars().next();
            fold(&f1) == fold(&f2)
                && match (initial(&g1), initial(&g2)) {
                    (Some(x), Some(y)) => x == y,
                    _ => true,
                }
        }
        _ => false,
    }
}

/// Whether a locator reads like a note on an extraction ("lines 12–20", "seed S3 line 4") rather
/// than a place in the published work.
pub(crate) fn looks_internal(locator: &str) -> bool {
    let lower = locator.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // "L120-130" (an editor's line reference) starts with one word of the letter and a number;
    // elsewhere ("Box L1") such a word is a label of the work.
    let line_number = |w: &&str| {
        w.strip_prefix('l')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    };
    words.first().is_some_and(line_number)
        || words.windows(2).any(|pair| {
            let number = pair[1].starts_with(|c: char| c.is_ascii_digit());
            let seed = pair[0] == "seed" && pair[1].starts_with('s');
            let line = matches!(pair[0], "line" | "lines" | "l" | "ll");
            (line && number) || seed
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extraction_references_are_told_from_locators() {
        for internal in [
            "seed S4 lines 1463–1469",
            "line 42",
            "Lines 3-9",
            "see seed s3",
            "L120-130",
            "ll. 120–130",
            "lines 4-9",
            "line 12",
            "l. 7",
        ] {
            assert!(looks_internal(internal), "{internal}");
        }
        for fine in [
            "§5.1.4",
            "Chapter 5, Table 20",
            "p. 12",
            "Results, 'Timelines'",
            "Figure 25",
            "Box L1",
            "Table 12, lower panel",
        ] {
            assert!(!looks_internal(fine), "{fine}");
        }
    }

    #[test]
    fn the_same_person_is_found_under_another_spelling() {
        let a = |yaml: &str| serde_yaml::from_str::<Author>(yaml).unwrap();
        assert!(same_person(
            &a("name: Judith A Smith"),
            &a("name: Judith Smith")
        ));
        assert!(same_person(
            &a("name: \"Smith, J.\""),
            &a("name: Judith Smith")
        ));
        assert!(!same_person(
            &a("name: Mary Smith"),
            &a("name: Judith Smith")
        ));
        assert!(!same_person(
            &a("{name: Smith, group: true}"),
            &a("name: Judith Smith")
        ));
        assert!(!same_person(
            &a("name: Sara Shaw"),
            &a("name: Judith Smith")
        ));
        // A person written as a group is still that person, either way round.
        assert!(same_person(
            &a("{name: Sara Shaw, group: true}"),
            &a("name: Sara Shaw")
        ));
        assert!(same_person(
            &a("name: \"Shaw, S.\""),
            &a("{name: Sara Shaw, group: true}")
        ));
        assert!(!same_person(
            &a("{name: Nuffield Trust, group: true}"),
            &a("name: Sara Shaw")
        ));
    }
}
