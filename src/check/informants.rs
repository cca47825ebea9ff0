//! The rules of the registries of informants (`informants:` in a study's file) and of the evidence
//! that names them.
//!
//! [`check`] runs, in order:
//!
//! 1. each study's registry: no id given twice;
//! 2. each evidence item's `informant`: it names a study and an informant of it (else an error at
//!    the value, with a "did you mean"), and a free `role:` beside it says the same (else a
//!    warning, since the registry's attribution is what is published);
//! 3. the `attribution: role-only` studies: none of their informants' ids is written anywhere in a
//!    content file (front matter or body, in any case), since the study promised roles only; the
//!    places an id belongs are left alone: an evidence item's `informant:` value, the registry's
//!    own `id:`, and YAML comments, which are never published. An id that a study showing ids also
//!    uses is looked for only in the role-only study's own files.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostics::{suggestion, Diagnostic, Severity};
use crate::model::{Attribution, Entity, Evidence, Kind};
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
    problems.extend(hidden_ids(site));
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
        // A study whose file failed to load was reported already: its informants are unknown.
        InformantLookup::UnknownStudy(study) if failed_to_load(site, study) => None,
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

/// Whether study `id`'s file exists but failed to load.
fn failed_to_load(site: &Site, id: &str) -> bool {
    (site.content.failed.iter()).any(|(kind, failed)| *kind == Kind::Study && failed == id)
}

/// The ids of role-only studies' informants, and which study each belongs to.
struct HiddenIds<'a> {
    /// id → role-only studies that have it, for ids no study showing ids also has.
    everywhere: HashMap<&'a str, Vec<&'a str>>,
    /// role-only study → all its ids.
    by_study: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> HiddenIds<'a> {
    fn of(site: &'a Site) -> Self {
        let studies = site.content.entities(Kind::Study).iter();
        let studies: Vec<(&str, &crate::model::Study)> = studies
            .filter_map(|d| match &d.meta {
                Entity::Study(s) => Some((d.id.as_str(), s)),
                _ => None,
            })
            .collect();
        let shown: BTreeSet<&str> = studies
            .iter()
            .filter(|(_, s)| s.attribution != Attribution::RoleOnly)
            .flat_map(|(_, s)| s.informants.iter().map(|i| i.id.as_str()))
            .collect();
        let mut hidden = HiddenIds {
            everywhere: HashMap::new(),
            by_study: HashMap::new(),
        };
        for (id, s) in studies
            .iter()
            .filter(|(_, s)| s.attribution == Attribution::RoleOnly)
        {
            let ids: Vec<&str> = s.informants.iter().map(|i| i.id.as_str()).collect();
            for i in ids.iter().filter(|i| !shown.contains(*i)) {
                hidden.everywhere.entry(*i).or_default().push(*id);
            }
            hidden.by_study.insert(*id, ids);
        }
        hidden
    }

    /// The ids hidden in a file of study `study` (if it has one), each with its study.
    fn in_file(&self, study: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
        let mut ids: Vec<(&str, &str)> = self
            .everywhere
            .iter()
            .flat_map(|(id, studies)| studies.iter().map(move |s| (*id, *s)))
            .collect();
        if let Some((s, own)) = study.and_then(|s| self.by_study.get_key_value(s)) {
            ids.extend(own.iter().map(|id| (*id, *s)));
        }
        ids.sort_unstable();
        ids.dedup_by_key(|(id, _)| *id);
        ids
    }
}

/// Errors for every hidden id written in a content file where it would be published.
fn hidden_ids(site: &Site) -> Vec<Diagnostic> {
    let hidden = HiddenIds::of(site);
    if hidden.by_study.is_empty() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    for kind in Kind::ALL {
        for head in site.content.heads(kind) {
            let ids = hidden.in_file(study_of(site, kind, head.id));
            if ids.is_empty() {
                continue;
            }
            // A file that cannot be read again was read at load; nothing new to say about it.
            let Ok(text) = crate::load::read_text(&site.content.root, head.path) else {
                continue;
            };
            problems.extend(ids_written(&text, &ids).into_iter().map(|(line, col, id, study)| {
                Diagnostic::error(head.path, line, col, hidden_message(study, id)).with_help(
                    "name the informant with `informant:` only, and describe them by role in the text",
                )
            }));
        }
    }
    problems
}

/// The study a file belongs to: a report's `study`, a CMO file's report's, a study itself.
fn study_of<'a>(site: &'a Site, kind: Kind, id: &'a str) -> Option<&'a str> {
    match kind {
        Kind::Report => site.report(id).map(|d| d.meta.study.id.as_str()),
        Kind::Cmo => site.cmo(id).and_then(|r| site.cmo_study(r)),
        Kind::Study => Some(id),
        _ => None,
    }
}

/// Each of `ids` (with its study) written in `text` as a word of its own, in any case, as (line,
/// column, id, study), except as an `informant:` value, a registry `id:`, or in a YAML comment.
fn ids_written<'a>(
    text: &str,
    ids: &[(&'a str, &'a str)],
) -> Vec<(usize, usize, &'a str, &'a str)> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    // The front matter runs from a first line `---` to the next; only there do keys and comments
    // tell a place the id belongs.
    let mut front_matter = false;
    for (n, line) in lower.lines().enumerate() {
        if line.trim_end() == "---" && (n == 0 || front_matter) {
            front_matter = n == 0;
            continue;
        }
        for &(id, study) in ids {
            for at in word_positions(line, id) {
                if !(front_matter && meant_place(&line[..at])) {
                    found.push((n + 1, line[..at].chars().count() + 1, id, study));
                }
            }
        }
    }
    found.sort_unstable();
    found
}

/// Whether the text before an id on its line makes it a place the id belongs: the value of
/// `informant:` (perhaps as `<study>/<id>`, perhaps quoted) or of a registry's `id:`, or a YAML
/// comment (` #` before it; only front matter lines begin with a key, so a Markdown heading's `#`
/// at the start of a line does not count).
fn meant_place(before: &str) -> bool {
    let key = before
        .trim_end_matches(|c: char| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/'
        })
        .trim_end_matches(['"', '\'', ' ']);
    key.ends_with("informant:")
        || key.ends_with("- id:")
        || key.trim_start() == "id:"
        || before.contains(" #")
}

/// The byte offsets at which `id` stands in `text` as a word of its own (not inside a longer id
/// or word).
fn word_positions(text: &str, id: &str) -> Vec<usize> {
    let part_of_id = |c: char| c.is_alphanumeric() || c == '-';
    text.match_indices(id)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + id.len()..].chars().next();
            !before.is_some_and(part_of_id) && !after.is_some_and(part_of_id)
        })
        .collect()
}

fn hidden_message(study_id: &str, id: &str) -> String {
    format!("informant id `{id}` would be published, but study `{study_id}` has `attribution: role-only`")
}

#[cfg(test)]
mod tests {
    use super::{ids_written, word_positions};

    #[test]
    fn an_id_is_found_only_as_a_word_of_its_own() {
        assert_eq!(word_positions("said gp-1, p. 4", "gp-1"), [5]);
        assert!(word_positions("(gp-12)", "gp-1").is_empty());
        assert_eq!(word_positions("2 pm meeting", "pm"), [2]);
        assert!(word_positions("pmr", "pm").is_empty());
    }

    #[test]
    fn an_id_is_found_in_any_case_but_not_where_it_belongs() {
        let ids = [("gp-1", "s")];
        let text = "---\n  - id: gp-1\n    informant: s/gp-1\n    quote: \"GP-1 said\"\n# gp-1 here is a heading\ntext # gp-1\n{kind: interview, informant: \"gp-1\"}\n---\nbody # gp-1, informant: gp-1\n";
        let found: Vec<(usize, usize)> = ids_written(text, &ids)
            .into_iter()
            .map(|(l, c, _, _)| (l, c))
            .collect();
        assert_eq!(found, [(4, 13), (5, 3), (9, 8), (9, 25)]);
    }
}
