//! The rules of the registries of informants (`informants:` in a study's file) and of the evidence
//! that names them.
//!
//! [`check`] runs, in order:
//!
//! 1. each study's registry: no id given twice;
//! 2. each evidence item's `informant`: it names a study and an informant of it (else an error at
//!    the value, with a "did you mean"), and a free `role:` beside it says the same (else a
//!    warning, since the registry's attribution is what is published);
//! 3. each `attribution: role-only` study: none of its informants' ids is written where realist
//!    would publish it (the registry's roles, and the evidence, titles and texts of the CMOs that
//!    belong to the study or name its informants), since the study promised roles only.

use std::collections::BTreeSet;

use crate::diagnostics::{suggestion, Diagnostic, Severity};
use crate::model::{Attribution, Cmo, Entity, Evidence, Kind, Study};
use crate::resolve::{CmoRecord, InformantLookup, Site};

/// Every problem with informants, over the whole site.
pub(super) fn check(site: &Site, problems: &mut Vec<Diagnostic>) {
    for doc in site.content.entities(Kind::Study) {
        if let Entity::Study(study) = &doc.meta {
            let mut seen = BTreeSet::new();
            for i in study.informants.iter().filter(|i| !seen.insert(&i.id)) {
                let message = format!("informant `{}` is listed twice in `informants`", i.id);
                problems.push(
                    doc.error_in_field(&format!("id: {}", i.id), "informants", None, message)
                        .with_help("give each informant its own id"),
                );
            }
        }
    }
    for record in &site.cmos {
        for e in &record.cmo.evidence {
            problems.extend(evidence_problem(site, record, e));
        }
    }
    for doc in site.content.entities(Kind::Study) {
        match &doc.meta {
            Entity::Study(s) if s.attribution == Attribution::RoleOnly => {
                problems.extend(visible_ids(site, &doc.id, s));
            }
            _ => {}
        }
    }
}

/// What is wrong with an evidence item's `informant`, if anything.
fn evidence_problem(site: &Site, record: &CmoRecord, e: &Evidence) -> Option<Diagnostic> {
    let text = e.informant.as_deref()?;
    let error = |message: String| site.cmo_field_error(record, "informant", text, message);
    match site.lookup_informant(record, text) {
        InformantLookup::Found {
            study, informant, ..
        } => {
            let role = e.role.as_deref()?;
            let shown = site.informant_attribution(informant, study.attribution);
            if informant.agrees_with(role, &shown) {
                return None;
            }
            let mut w = error(format!(
                "`role: {role}` disagrees with informant `{text}`, whose role is `{}`; the registry's is published",
                informant.role
            ))
            .with_help("remove `role:` (the attribution comes from the study's `informants`), or correct one of them");
            w.severity = Severity::Warning;
            Some(w)
        }
        InformantLookup::NoStudy => Some(
            error(format!(
                "informant `{text}`: CMO `{}` belongs to no study, so the informant's study cannot be told",
                record.cmo.id
            ))
            .with_help("write it as `<study>/<id>`, for example `hsca12/ccg-manager-3`"),
        ),
        InformantLookup::UnknownStudy(study) => {
            let studies = site.ids_of(Kind::Study);
            let help = suggestion(study, studies)
                .unwrap_or_else(|| "write `<study>/<id>` with the id of a study in `content/studies/`".into());
            Some(error(format!("informant `{text}`: there is no study `{study}`")).with_help(help))
        }
        InformantLookup::UnknownId {
            study_id, study, id, ..
        } => {
            let ids = study.informants.iter().map(|i| i.id.as_str());
            let help = suggestion(id, ids).unwrap_or_else(|| {
                format!("add it to `informants` in content/studies/{study_id}.md")
            });
            Some(
                error(format!(
                    "informant `{text}`: study `{study_id}` lists no informant `{id}`"
                ))
                .with_help(help),
            )
        }
    }
}

/// Errors for the ids of role-only study `study_id`'s informants written where realist publishes
/// text: its registry's roles, and the CMOs that belong to it or name its informants.
fn visible_ids(site: &Site, study_id: &str, study: &Study) -> Vec<Diagnostic> {
    let ids: Vec<&str> = study.informants.iter().map(|i| i.id.as_str()).collect();
    let mut problems = Vec::new();
    let doc = site
        .content
        .entities(Kind::Study)
        .iter()
        .find(|d| d.id == study_id);
    for i in &study.informants {
        let texts = [Some(&i.role), i.organisation.as_ref()];
        for id in texts.into_iter().flatten().filter_map(|t| id_in(t, &ids)) {
            problems.extend(doc.map(|d| {
                d.error_in_field(id, "informants", None, hidden_message(study_id, id))
                    .with_help("describe informants by role only; their ids stay in the registry")
            }));
        }
    }
    for record in site.cmos.iter().filter(|r| belongs(site, r, study_id)) {
        for (field, text, id) in published_texts(&record.cmo)
            .filter_map(|(field, t)| id_in(t, &ids).map(|id| (field, t, id)))
        {
            // Located at the start of the text that holds the id: the id itself may also be
            // written, rightly, as an `informant:` earlier on the same line.
            let needle: String = text.chars().take(20).collect();
            problems.push(
                site.cmo_field_error(record, field, &needle, hidden_message(study_id, id))
                    .with_help("name the informant with `informant:` only, and describe them by role in the text"),
            );
        }
    }
    problems
}

fn hidden_message(study_id: &str, id: &str) -> String {
    format!("informant id `{id}` would be published, but study `{study_id}` has `attribution: role-only`")
}

/// Whether a CMO belongs to the study or names one of its informants as `<study>/<id>`.
fn belongs(site: &Site, record: &CmoRecord, study_id: &str) -> bool {
    site.cmo_study(record) == Some(study_id)
        || record.cmo.evidence.iter().any(|e| {
            e.informant
                .as_deref()
                .is_some_and(|i| crate::model::split_informant(i).0 == Some(study_id))
        })
}

/// The texts of a CMO's front matter that its page and the exports publish, with their field.
fn published_texts(c: &Cmo) -> impl Iterator<Item = (&'static str, &String)> {
    let evidence = c.evidence.iter().flat_map(|e| {
        let fields = [
            ("locator", &e.locator),
            ("quote", &e.quote),
            ("role", &e.role),
        ];
        fields
            .into_iter()
            .filter_map(|(f, t)| t.as_ref().map(|t| (f, t)))
    });
    let m = &c.mechanism;
    let mechanism = [
        ("text", &m.text),
        ("resource", &m.resource),
        ("reasoning", &m.reasoning),
    ]
    .into_iter()
    .filter_map(|(f, t)| t.as_ref().map(|t| (f, t)));
    std::iter::once(("title", &c.title))
        .chain(c.context.iter().map(|x| ("context", &x.text)))
        .chain(mechanism)
        .chain(c.outcome.iter().map(|o| ("outcome", &o.text)))
        .chain(evidence)
}

/// The first of `ids` written in `text` as a word of its own (not inside a longer id or word).
fn id_in<'a>(text: &str, ids: &[&'a str]) -> Option<&'a str> {
    let part_of_id = |c: char| c.is_alphanumeric() || c == '-';
    ids.iter().copied().find(|id| {
        text.match_indices(id).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + id.len()..].chars().next();
            !before.is_some_and(part_of_id) && !after.is_some_and(part_of_id)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::id_in;

    #[test]
    fn an_id_is_found_only_as_a_word_of_its_own() {
        let ids = ["gp-1", "pm"];
        assert_eq!(id_in("said gp-1, p. 4", &ids), Some("gp-1"));
        assert_eq!(id_in("(gp-12)", &ids), None);
        assert_eq!(id_in("2 pm meeting", &ids), Some("pm"));
        assert_eq!(id_in("pmr", &ids), None);
    }
}
