//! Provenance rules: whose work a page is, and where its evidence can be found.
//!
//! 1. an editorial report (`editorial: {summarises: source/…}`) is the site's editors' work: it
//!    may not give the summarised work's DOI as its own `doi:` (error), nor list that work's
//!    authors as its `authors:` (error); a `journal:` on it is a warning, since the page did
//!    not appear in the journal (the source's `container` says where the work did);
//! 2. an evidence item that cites a source publication (`source: source/…`) needs a `locator`
//!    a reader can follow: a chapter, section, table, figure or page (warning when missing, so
//!    that a site can add locators as it goes);
//! 3. a locator that reads like an internal extraction reference ("seed S4 lines 120–130",
//!    "line 42") is a warning: readers have the published work, not the extraction; such notes
//!    belong in a YAML comment.

use crate::diagnostics::{Diagnostic, Severity};
use crate::load::Document;
use crate::model::{Author, CitedName, EvidenceSource, Kind, Report, Source};
use crate::resolve::Site;

/// Every provenance problem of the site.
pub fn check(site: &Site, problems: &mut Vec<Diagnostic>) {
    for doc in &site.content.reports {
        let Some(e) = &doc.meta.editorial else {
            continue;
        };
        if let Some(source) = site.source(&e.summarises.id) {
            problems.extend(editorial_problems(doc, &e.summarises.id, source));
        }
    }
    for record in &site.cmos {
        for e in &record.cmo.evidence {
            let cites_source =
                matches!(&e.source, EvidenceSource::Ref(r) if r.kind == Kind::Source);
            let source_text = match &e.source {
                EvidenceSource::Ref(r) => r.to_string(),
                EvidenceSource::Citation(k) => format!("@{k}"),
            };
            match e.locator.as_deref() {
                None if cites_source => problems.push(warning(
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

/// What an editorial report borrows from the work it summarises that is not its own.
fn editorial_problems(doc: &Document<Report>, id: &str, source: &Source) -> Vec<Diagnostic> {
    let m = &doc.meta;
    let mut found = Vec::new();
    let same_doi = |d: &String| {
        source
            .doi
            .as_ref()
            .is_some_and(|s| s.eq_ignore_ascii_case(d))
    };
    if let Some(doi) = m.doi.as_ref().filter(|d| same_doi(d)) {
        found.push(
            doc.error_at_key("doi", None, format!(
                "this page summarises `source/{id}` but gives its DOI, `{doi}`, as its own"
            ))
            .with_help(format!("remove `doi:`: the DOI belongs to the published work, and `source/{id}` carries it; the page cites it from there")),
        );
    }
    for a in m
        .authors
        .iter()
        .filter(|a| source.authors.iter().any(|s| same_person(a, s)))
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

/// Whether two author entries name the same person: the same family name and, where both give
/// one, the same first initial ("Judith A Smith" is "Judith Smith" and "J. Smith").
fn same_person(a: &Author, b: &Author) -> bool {
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
    words.windows(2).any(|pair| {
        let number = pair[1].starts_with(|c: char| c.is_ascii_digit());
        let seed = pair[0] == "seed" && pair[1].starts_with('s');
        ((pair[0] == "line" || pair[0] == "lines") && number) || seed
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
        ] {
            assert!(looks_internal(internal), "{internal}");
        }
        for fine in [
            "§5.1.4",
            "Chapter 5, Table 20",
            "p. 12",
            "Results, 'Timelines'",
            "Figure 25",
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
    }
}
