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
            .flat_map(|(_, s)| s.informants.iter().map(|i| id_text(&i.id).0))
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
        let name = id_text(&file.to_string_lossy()).0;
        for &(id, study) in ids {
            if !word_positions(&name, &id_text(id).0, &hidden.known).is_empty() {
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

/// Each of `ids` (with its study) written in `text` as a word of its own, in any case and
/// however it is spelled ([`id_text`]), as (line, column, id, study), except where `form` lets
/// an id stand unpublished. A Markdown heading of a content file's body is also read as the
/// anchor it becomes (`## Site 1 manager` is `#site-1-manager`).
fn ids_written<'a>(
    text: &str,
    ids: &[(&'a str, &'a str)],
    known: &HashSet<String>,
    form: Form,
) -> Vec<(usize, usize, &'a str, &'a str)> {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    // The front matter runs from a first line `---` to the next; only there do keys and comments
    // tell a place the id belongs.
    let front_end = (form == Form::Content
        && text.lines().next().map(str::trim_end) == Some("---"))
    .then(|| {
        text.lines()
            .skip(1)
            .position(|l| l.trim_end() == "---")
            .map(|n| n + 1)
    })
    .flatten()
    .unwrap_or(0);
    let (spelled, from) = id_text(text);
    let mut found = Vec::new();
    for &(id, study) in ids {
        for at in word_positions(&spelled, &id_text(id).0, known) {
            let at = from[at];
            let n = starts.partition_point(|&s| s <= at) - 1;
            let before = &text[starts[n]..at];
            let unpublished = match form {
                Form::Content => {
                    n > 0 && n < front_end && meant_place(&before.to_ascii_lowercase())
                }
                Form::Yaml => before.trim_start().starts_with('#') || before.contains(" #"),
                Form::Other => false,
            };
            if !unpublished {
                found.push((n + 1, before.chars().count() + 1, id, study));
            }
        }
    }
    if form == Form::Content {
        found.extend(heading_anchors(text, front_end, ids, known));
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The ids written in the anchors the body's headings become, at each heading's text.
fn heading_anchors<'a>(
    text: &str,
    front_end: usize,
    ids: &[(&'a str, &'a str)],
    known: &HashSet<String>,
) -> Vec<(usize, usize, &'a str, &'a str)> {
    let mut found = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .skip(front_end + usize::from(front_end > 0))
    {
        if !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#');
        let anchor = crate::text::slug::slugify(heading);
        let column = line.len() - heading.trim_start().len() + 1;
        for &(id, study) in ids {
            if !word_positions(&anchor, &id_text(id).0, known).is_empty() {
                found.push((n + 1, column, id, study));
            }
        }
    }
    found
}

/// `text` as an id is looked for in it, with, for each byte, the byte of `text` it came from:
/// lower case (and compatibility forms, such as fullwidth letters, as plain ones); any dash or
/// `_` as `-`, runs of them as one; a dash at a line's end joined to the next line's first word;
/// invisible characters, and Markdown's `*`, `~` and `` ` `` between two characters of an id,
/// left out; and character references (`&#45;`, `&hyphen;`) and `%XX` escapes as the
/// characters they stand for. So `gp&#45;com*miss*ioner` is the id `gp-commissioner`.
fn id_text(text: &str) -> (String, Vec<usize>) {
    use unicode_normalization::UnicodeNormalization;
    let mut out = String::with_capacity(text.len());
    let mut from = Vec::with_capacity(text.len());
    let push = |out: &mut String, from: &mut Vec<usize>, c: char, at: usize| {
        let c = if c == '_' || is_dash(c) { '-' } else { c };
        if c == '-' && out.ends_with('-') {
            return;
        }
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
            from.push(at);
            return;
        }
        for c in c.to_string().nfkc().flat_map(char::to_lowercase) {
            let before = out.len();
            out.push(c);
            from.extend(std::iter::repeat_n(at, out.len() - before));
        }
    };
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let c = rest.chars().next().unwrap_or(' ');
        if let Some((decoded, len)) = decoded_at(rest) {
            if !crate::text::words::is_invisible(decoded) {
                push(&mut out, &mut from, decoded, i);
            }
            i += len;
            continue;
        }
        let between = out
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphanumeric() || p == '-');
        let skipped = crate::text::words::is_invisible(c)
            || (matches!(c, '*' | '~' | '`') && between)
            || (c == '\n' && out.ends_with('-'))
            || (c.is_whitespace()
                && out.ends_with('-')
                && text[..i].trim_end_matches([' ', '\t']).ends_with('\n'));
        if !skipped {
            push(&mut out, &mut from, c, i);
        }
        i += c.len_utf8();
    }
    from.push(text.len());
    (out, from)
}

/// Whether `c` is a dash or hyphen: `-` and the Unicode dashes and minus signs.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// The character a reference (`&#45;`, `&#x2D;`, `&hyphen;`) or `%XX` escape at the start of
/// `s` stands for, and the escape's length.
fn decoded_at(s: &str) -> Option<(char, usize)> {
    if let Some(hex) = s.strip_prefix('%').and_then(|h| h.get(..2)) {
        let c = u8::from_str_radix(hex, 16).ok().filter(u8::is_ascii)?;
        return Some((c as char, 3));
    }
    let body = s.strip_prefix('&')?;
    let end = body.get(..body.len().min(24))?.find(';')?;
    let name = &body[..end];
    let c = match name.strip_prefix('#') {
        Some(n) => match n.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => n.parse().ok(),
        }
        .and_then(char::from_u32)?,
        None => match name {
            "hyphen" | "dash" | "ndash" | "mdash" | "minus" => '-',
            "lowbar" | "UnderBar" => '_',
            "shy" | "zwj" | "zwnj" | "ZeroWidthSpace" | "NoBreak" => '\u{AD}',
            _ => return None,
        },
    };
    Some((c, end + 2))
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
    fn an_id_is_found_however_it_is_spelled() {
        let ids = [("gp-commissioner", "s")];
        for text in [
            "said gp&#45;commissioner.",
            "said gp\u{2011}commissioner.",
            "said gp\u{2013}commissioner.",
            "said gp_commissioner.",
            "said gp-\u{ad}commissioner.",
            "said gp-com\u{200b}missioner.",
            "said gp-\n  commissioner.",
            "said gp-*commissioner*.",
            "said gp-com*miss*ioner.",
            "said \u{ff47}\u{ff50}\u{ff0d}commissioner.",
            "said gp%2Dcommissioner.",
            "said GP&hyphen;Commissioner.",
        ] {
            let found = ids_written(text, &ids, &known(&[]), Form::Other);
            assert_eq!(found.len(), 1, "{text:?}: {found:?}");
            assert_eq!((found[0].0, found[0].1), (1, 6), "{text:?}");
        }
        for text in [
            "a GP commissioner said",
            "gp-commissioners",
            "gp-commissioner2",
        ] {
            assert!(
                ids_written(text, &ids, &known(&[]), Form::Other).is_empty(),
                "{text:?}"
            );
        }
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
