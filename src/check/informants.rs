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
//!    uses is looked for only in the role-only study's own files;
//! 4. the same ids in every other text input a page is made from (site.yaml, the glossary, the
//!    bibliography, templates, text static files; only a YAML comment is left alone there), in
//!    every input file's name, and in the anchor a body's heading becomes, since each of these
//!    reaches a published path, page or URL.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

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
    /// Every informant id of every study, lower-cased: a longer id that holds a hidden one
    /// (`gp-1-deputy` around `gp-1`) is another informant, not the hidden one.
    known: HashSet<String>,
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
        let known = (studies.iter())
            .flat_map(|(_, s)| s.informants.iter().map(|i| i.id.to_ascii_lowercase()))
            .collect();
        let mut hidden = HiddenIds {
            everywhere: HashMap::new(),
            by_study: HashMap::new(),
            known,
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

/// Errors for every hidden id written in an input where it would be published.
fn hidden_ids(site: &Site) -> Vec<Diagnostic> {
    let hidden = HiddenIds::of(site);
    if hidden.by_study.is_empty() {
        return Vec::new();
    }
    let mut problems = Vec::new();
    let mut entity_files = HashSet::new();
    for kind in Kind::ALL {
        for head in site.content.heads(kind) {
            entity_files.insert(head.path.to_path_buf());
            let ids = hidden.in_file(study_of(site, kind, head.id));
            problems.extend(hidden_in_file(
                site,
                &hidden,
                head.path,
                &ids,
                Form::Content,
            ));
        }
    }
    let everywhere = hidden.in_file(None);
    if everywhere.is_empty() {
        return problems;
    }
    let root = &site.content.root;
    let config = &site.config;
    let inputs = crate::paths::text_inputs(root, config.bibliography.as_deref(), &config.theme);
    for path in inputs.iter().filter(|p| !entity_files.contains(*p)) {
        let yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        let form = if yaml { Form::Yaml } else { Form::Other };
        problems.extend(hidden_in_file(site, &hidden, path, &everywhere, form));
    }
    problems.extend(hidden_in_file_names(site, &hidden, &everywhere));
    problems
}

/// How a file's text is read for ids: which places an id may stand in without being published.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// A content file: front matter (where `informant:`, a registry `id:` and a YAML comment may
    /// hold an id) and a Markdown body, whose headings become anchors.
    Content,
    /// A YAML file (site.yaml, the glossary): only a comment may hold an id.
    Yaml,
    /// Anything else: no place may.
    Other,
}

/// The errors for `ids` written in the input `path`.
fn hidden_in_file(
    site: &Site,
    hidden: &HiddenIds,
    path: &Path,
    ids: &[(&str, &str)],
    form: Form,
) -> Vec<Diagnostic> {
    if ids.is_empty() {
        return Vec::new();
    }
    // A file that cannot be read again was read at load, or is reported by the build that
    // copies it; nothing new to say about it here.
    let Ok(text) = crate::load::read_text(&site.content.root, path) else {
        return Vec::new();
    };
    (ids_written(&text, ids, &hidden.known, form).into_iter())
        .map(|(line, col, id, study)| hidden_error(path, line, col, id, study))
        .collect()
}

/// The errors for hidden ids in the names of the site's input files: a file's name becomes a
/// path of the output (a page's URL, a copied file).
fn hidden_in_file_names(site: &Site, hidden: &HiddenIds, ids: &[(&str, &str)]) -> Vec<Diagnostic> {
    let root = &site.content.root;
    let theme = Path::new("themes").join(&site.config.theme);
    let folders = ["content", "static", "templates"].map(Path::new);
    let files = (folders.iter().map(|f| f.to_path_buf()))
        .chain([theme.join("static"), theme.join("templates")])
        .flat_map(|dir| crate::paths::walk(root, &dir).files);
    let mut problems = Vec::new();
    for file in files {
        let name = file.to_string_lossy().to_ascii_lowercase();
        for &(id, study) in ids {
            if !word_positions(&name, id, &hidden.known).is_empty() {
                problems.push(
                    Diagnostic::error(&file, 1, 1, hidden_message(study, id))
                        .with_help("rename the file; its name is part of a published path"),
                );
            }
        }
    }
    problems
}

fn hidden_error(path: &Path, line: usize, col: usize, id: &str, study: &str) -> Diagnostic {
    Diagnostic::error(path, line, col, hidden_message(study, id)).with_help(
        "name the informant with `informant:` only, and describe them by role in the text",
    )
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
/// column, id, study), except where `form` lets an id stand unpublished. A Markdown heading of a
/// content file's body is also read as the anchor it becomes (`## Site 1 manager` is
/// `#site-1-manager`).
fn ids_written<'a>(
    text: &str,
    ids: &[(&'a str, &'a str)],
    known: &HashSet<String>,
    form: Form,
) -> Vec<(usize, usize, &'a str, &'a str)> {
    let lower = text.to_ascii_lowercase();
    let mut found = Vec::new();
    // The front matter runs from a first line `---` to the next; only there do keys and comments
    // tell a place the id belongs.
    let mut front_matter = false;
    for (n, line) in lower.lines().enumerate() {
        if form == Form::Content && line.trim_end() == "---" && (n == 0 || front_matter) {
            front_matter = n == 0;
            continue;
        }
        let unpublished = |at: usize| match form {
            Form::Content => front_matter && meant_place(&line[..at]),
            Form::Yaml => line[..at].trim_start().starts_with('#') || line[..at].contains(" #"),
            Form::Other => false,
        };
        let heading = (form == Form::Content && !front_matter && line.starts_with('#'))
            .then(|| crate::text::slug::slugify(line.trim_start_matches('#')));
        for &(id, study) in ids {
            let mut at: Vec<usize> = word_positions(line, id, known);
            at.retain(|&at| !unpublished(at));
            if at.is_empty()
                && heading
                    .as_deref()
                    .is_some_and(|h| !word_positions(h, id, known).is_empty())
            {
                at.push(line.len() - line.trim_start_matches('#').trim_start().len());
            }
            found.extend(
                at.into_iter()
                    .map(|at| (n + 1, line[..at].chars().count() + 1, id, study)),
            );
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

/// The byte offsets at which `id` stands in `text` as a word of its own: not inside a longer
/// word, and not inside a longer id of `known` (`gp-1` in `gp-1-deputy`, when that is an
/// informant too). A hyphen or underscore ends a word, so `gp-1` is found in an anchor
/// `gp-1-view` or a file name `gp-1_notes.md`.
fn word_positions(text: &str, id: &str, known: &HashSet<String>) -> Vec<usize> {
    let in_word = |c: char| c.is_alphanumeric();
    let in_id = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(id)
        .map(|(at, _)| at)
        .filter(|&at| {
            let (before, after) = (&text[..at], &text[at + id.len()..]);
            if before.chars().next_back().is_some_and(in_word)
                || after.chars().next().is_some_and(in_word)
            {
                return false;
            }
            let start = before.trim_end_matches(in_id).len();
            let end = at + id.len() + (after.len() - after.trim_start_matches(in_id).len());
            let token = &text[start..end];
            token == id || !known.contains(token)
        })
        .collect()
}

fn hidden_message(study_id: &str, id: &str) -> String {
    format!("informant id `{id}` would be published, but study `{study_id}` has `attribution: role-only`")
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{ids_written, word_positions, Form};

    fn known(ids: &[&str]) -> HashSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn an_id_is_found_only_as_a_word_of_its_own() {
        let none = known(&[]);
        assert_eq!(word_positions("said gp-1, p. 4", "gp-1", &none), [5]);
        assert!(word_positions("(gp-12)", "gp-1", &none).is_empty());
        assert_eq!(word_positions("2 pm meeting", "pm", &none), [2]);
        assert!(word_positions("pmr", "pm", &none).is_empty());
    }

    #[test]
    fn a_hyphen_ends_an_id_unless_the_longer_id_is_another_informant() {
        let none = known(&[]);
        assert_eq!(word_positions("#gp-1-view", "gp-1", &none), [1]);
        assert_eq!(word_positions("static/gp-1_notes.md", "gp-1", &none), [7]);
        let deputy = known(&["gp-1", "gp-1-deputy"]);
        assert!(word_positions("as gp-1-deputy said", "gp-1", &deputy).is_empty());
        assert_eq!(
            word_positions("as gp-1-deputy and gp-1", "gp-1", &deputy),
            [19]
        );
    }

    #[test]
    fn an_id_is_found_in_any_case_but_not_where_it_belongs() {
        let ids = [("gp-1", "s")];
        let text = "---\n  - id: gp-1\n    informant: s/gp-1\n    quote: \"GP-1 said\"\n# gp-1 here is a heading\ntext # gp-1\n{kind: interview, informant: \"gp-1\"}\n---\nbody # gp-1, informant: gp-1\n";
        let found: Vec<(usize, usize)> = ids_written(text, &ids, &known(&[]), Form::Content)
            .into_iter()
            .map(|(l, c, _, _)| (l, c))
            .collect();
        assert_eq!(found, [(4, 13), (5, 3), (9, 8), (9, 25)]);
    }

    #[test]
    fn a_heading_is_read_as_the_anchor_it_becomes() {
        let ids = [("site-1-manager", "s")];
        let text = "---\ntitle: t\n---\n## Site 1 Manager: a view\n\nSite 1 manager, in prose.\n";
        let found: Vec<(usize, usize)> = ids_written(text, &ids, &known(&[]), Form::Content)
            .into_iter()
            .map(|(l, c, _, _)| (l, c))
            .collect();
        assert_eq!(found, [(4, 4)]);
    }

    #[test]
    fn in_yaml_only_a_comment_holds_an_id_and_elsewhere_nothing_does() {
        let ids = [("gp-1", "s")];
        let yaml = "# gp-1 was here\nterm: gp-1  # gp-1\n";
        let at = |form| -> Vec<(usize, usize)> {
            (ids_written(yaml, &ids, &known(&[]), form).into_iter())
                .map(|(l, c, _, _)| (l, c))
                .collect()
        };
        assert_eq!(at(Form::Yaml), [(2, 7)]);
        assert_eq!(at(Form::Other), [(1, 3), (2, 7), (2, 15)]);
    }
}
