//! The team's rubric (`rubric:` in `site.yaml`, [`crate::config::rubric`]) applied to every CMO.
//!
//! [`check`] does this:
//!
//! 1. for every CMO, whatever the rubric: a mechanism marked `split: editorial` must give the
//!    resource and reasoning it says the editors split, and a `status_note:` must say something
//!    (a blank one explains nothing, so it exempts the CMO from no rule);
//! 2. without a `rubric:` block, stop there;
//! 3. otherwise, for each CMO, apply each rule of the rubric:
//!    - `confidence`: its confidence level has the areas, supporting evidence items and kinds
//!      of evidence the level needs;
//!    - `least_confidence`: its status is allowed at its confidence level;
//!    - `observed_designs`: an `observed` CMO comes from a study whose design sets out CMOs;
//!    - `theory_verdicts`: the status of a CMO of the `verdict_kinds` agrees with the status of
//!      each of its theories, unless `status_note:` explains the difference;
//!      (`needs_evidence` is applied with the other evidence rules, in `check_cmos`);
//! 4. report each breach at the value that breaks it (the `level:`, `status:` or `kind:` line of
//!    that CMO), saying which rule it breaks and what would satisfy it: an error, or a warning if
//!    the rule is listed in the rubric's `warnings:`.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::config::rubric::{rank, Rubric, Rule};
use crate::diagnostics::Diagnostic;
use crate::model::{enum_value, Cmo, CmoKind, Entity, Kind, Stance, StudyDesign, TheoryStatus};
use crate::resolve::{CmoRecord, Origin, Site};
use crate::text::yaml::Locator;

/// Every breach of the rubric, and every mechanism split flag without a split.
pub fn check(site: &Site) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for record in &site.cmos {
        let m = &record.cmo.mechanism;
        if m.split.is_some() && (m.resource.is_none() || m.reasoning.is_none()) {
            let place = Place::of(site, record);
            found.push(place.error_at("split", None, format!(
                "CMO `{}` marks how its mechanism was split (`split:`) but gives no `resource` and `reasoning`",
                record.cmo.id
            )).with_help("give both `resource:` and `reasoning:`, or remove `split:`"));
        }
        if record
            .cmo
            .status_note
            .as_deref()
            .is_some_and(|n| n.trim().is_empty())
        {
            let place = Place::of(site, record);
            found.push(place.error_at("status_note", None, format!(
                "CMO `{}`: `status_note` is empty",
                record.cmo.id
            )).with_help("say why the CMO's status differs from its theories' (`status_note: \"Refuted nationally, but contested in Area 2\"`), or remove `status_note:`"));
        }
    }
    let Some(rubric) = &site.config.rubric else {
        return found;
    };
    let facts = Facts::of(site);
    for record in &site.cmos {
        let breaches = [
            confidence(rubric, record),
            least_confidence(rubric, &record.cmo),
            observed(rubric, &facts, study_of(site, record), record),
        ];
        let verdicts = verdicts(rubric, &facts, &record.cmo);
        let all = breaches.into_iter().flatten().chain(verdicts);
        let mut place = None;
        for b in all {
            let place = place.get_or_insert_with(|| Place::of(site, record));
            let d = place.error_at(b.key, b.nested, b.message).with_help(b.help);
            found.push(if rubric.warnings.contains(&b.rule) {
                Diagnostic::warning(&d.path, d.line, d.column, d.message).with_help_opt(d.help)
            } else {
                d
            });
        }
    }
    found
}

/// One broken rule: the CMO's own key whose value breaks it (or `nested` inside that key's value).
struct Breach {
    rule: Rule,
    key: &'static str,
    nested: Option<&'static str>,
    message: String,
    help: String,
}

/// What the rules need to know of the rest of the site: each theory's status and study's design.
struct Facts<'a> {
    theories: HashMap<&'a str, Option<TheoryStatus>>,
    designs: HashMap<&'a str, Option<StudyDesign>>,
}

impl<'a> Facts<'a> {
    fn of(site: &'a Site) -> Self {
        let mut theories = HashMap::new();
        let mut designs = HashMap::new();
        for d in site.content.entities(Kind::Theory) {
            if let Entity::Theory(t) = &d.meta {
                theories.insert(d.id.as_str(), t.status);
            }
        }
        for d in site.content.entities(Kind::Study) {
            if let Entity::Study(s) = &d.meta {
                designs.insert(d.id.as_str(), s.design);
            }
        }
        Facts { theories, designs }
    }
}

/// The study of the report that defines the CMO.
fn study_of<'a>(site: &'a Site, record: &CmoRecord) -> Option<&'a str> {
    let report = site.report(record.reports.first()?)?;
    Some(report.meta.study.id.as_str())
}

/// `confidence`: the level's least areas, supporting evidence items and kinds of evidence.
fn confidence(rubric: &Rubric, record: &CmoRecord) -> Option<Breach> {
    let c = &record.cmo;
    let level = c.confidence.as_ref()?.level;
    let need = rubric.confidence.of(level);
    let supporting: Vec<_> = c
        .evidence
        .iter()
        .filter(|e| e.stance == Stance::Supports)
        .collect();
    let kinds: BTreeSet<String> = supporting.iter().map(|e| enum_value(&e.kind)).collect();
    let areas: BTreeSet<&String> = record.areas.iter().collect();
    // (what it has, what the level needs, one, many, what would add one)
    let short = [
        (
            areas.len(),
            need.areas,
            "area",
            "distinct areas",
            "evidence from another area",
        ),
        (
            supporting.len(),
            need.evidence,
            "supporting evidence item",
            "supporting evidence items",
            "another supporting evidence item",
        ),
        (
            kinds.len(),
            need.evidence_kinds,
            "kind of evidence",
            "distinct kinds of evidence",
            "evidence of another kind",
        ),
    ];
    let (have, needed, one, many, more) =
        short.into_iter().find(|(have, needed, ..)| have < needed)?;
    let name = enum_value(&level);
    // "0 areas", "1 area", "3 areas": what it has is counted without "distinct".
    let counted = |n: usize| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {}", many.trim_start_matches("distinct ")),
    };
    Some(Breach {
        rule: Rule::Confidence,
        key: "confidence",
        nested: Some("level"),
        message: format!(
            "CMO `{}` is rated `{name}` confidence on {}, but the rubric (`confidence.{name}`) needs at least {needed} {}",
            c.id,
            counted(have),
            if needed == 1 { one } else { many },
        ),
        help: format!("lower the `level` to one its evidence bears, or add {more}"),
    })
}

/// `least_confidence`: a status the CMO's confidence level allows.
fn least_confidence(rubric: &Rubric, c: &Cmo) -> Option<Breach> {
    let level = c.confidence.as_ref()?.level;
    let least = *rubric.least_confidence.get(&c.status)?;
    if rank(level) >= rank(least) {
        return None;
    }
    let status = enum_value(&c.status);
    let allowed: Vec<String> = [
        crate::model::CmoStatus::Initial,
        crate::model::CmoStatus::PartiallySupported,
        crate::model::CmoStatus::Contested,
    ]
    .iter()
    .filter(|s| {
        rubric
            .least_confidence
            .get(s)
            .is_none_or(|l| rank(level) >= rank(*l))
    })
    .map(|s| format!("`{}`", enum_value(s)))
    .collect();
    Some(Breach {
        rule: Rule::LeastConfidence,
        key: "status",
        nested: None,
        message: format!(
            "CMO `{}` is `{status}` with `{}` confidence, but the rubric (`least_confidence.{status}`) allows `{status}` only from `{}` confidence",
            c.id,
            enum_value(&level),
            enum_value(&least)
        ),
        help: format!(
            "raise the confidence if the evidence bears it, or give a status that `{}` confidence allows ({})",
            enum_value(&level),
            allowed.join(", ")
        ),
    })
}

/// `observed_designs`: an observed CMO comes from a study whose authors set out CMOs. A study
/// with no stated design is not judged.
fn observed(
    rubric: &Rubric,
    facts: &Facts,
    study: Option<&str>,
    record: &CmoRecord,
) -> Option<Breach> {
    let c = &record.cmo;
    if c.kind != CmoKind::Observed || rubric.observed_designs.is_empty() {
        return None;
    }
    let study = study?;
    let design = (*facts.designs.get(study)?)?;
    if rubric.observed_designs.contains(&design) {
        return None;
    }
    let designs: Vec<String> = rubric.observed_designs.iter().map(enum_value).collect();
    Some(Breach {
        rule: Rule::ObservedDesigns,
        key: "kind",
        nested: None,
        message: format!(
            "CMO `{}` is `observed`, but its study `study/{study}` is a {}, and the rubric (`observed_designs`) keeps `observed` for CMOs set out by the authors of a {}",
            c.id,
            enum_value(&design),
            designs.join(" or ")
        ),
        help: "write `kind: derived`: the editors built this configuration from the study's narrative".into(),
    })
}

/// `theory_verdicts`: the CMO's status agrees with each of its theories' status.
fn verdicts(rubric: &Rubric, facts: &Facts, c: &Cmo) -> Vec<Breach> {
    let explained = c
        .status_note
        .as_deref()
        .is_some_and(|n| !n.trim().is_empty());
    if !rubric.verdict_kinds.contains(&c.kind) || explained {
        return Vec::new();
    }
    let status = enum_value(&c.status);
    let kind = enum_value(&c.kind);
    let mut found = Vec::new();
    for t in c.programme_theory.refs() {
        let Some(Some(theory)) = facts.theories.get(t.id.as_str()) else {
            continue;
        };
        let allowed = rubric.theory_verdicts.of(*theory);
        if allowed.contains(&c.status) {
            continue;
        }
        let verdict = enum_value(theory);
        let listed: Vec<String> = allowed
            .iter()
            .map(|s| format!("`{}`", enum_value(s)))
            .collect();
        found.push(Breach {
            rule: Rule::TheoryVerdicts,
            key: "status",
            nested: None,
            message: format!(
                "{kind} CMO `{}` is `{status}`, but its theory `theory/{}` is `{verdict}`; the rubric (`theory_verdicts.{verdict}`) allows {}",
                c.id,
                t.id,
                if listed.is_empty() { "no status".to_string() } else { listed.join(" or ") }
            ),
            help: "give the CMO the theory's verdict, change the theory's `status`, or explain the difference in `status_note:`".into(),
        });
    }
    found
}

/// Where a CMO is written: its document's front matter and the span of the CMO inside it.
struct Place<'a> {
    path: &'a Path,
    text: &'a str,
    yaml_line: usize,
    /// The byte offsets of the CMO's `id:` line and of the end of its span.
    start: usize,
    end: usize,
    /// The column of its keys (that of `id:`), which tells its own `status:` from an outcome's.
    column: usize,
}

impl<'a> Place<'a> {
    fn of(site: &'a Site, record: &CmoRecord) -> Self {
        let (path, text, yaml_line) = match record.origin {
            Origin::Report(r) => {
                let d = &site.content.reports[r];
                (d.path.as_path(), d.front_matter.text(), d.yaml_line)
            }
            Origin::File(f) => {
                let d = &site.content.cmos[f];
                (d.path.as_path(), d.front_matter.text(), d.yaml_line)
            }
        };
        let (start, column) = id_line(text, &record.cmo.id).unwrap_or((0, 0));
        let end = span_end(text, start, column);
        Place {
            path,
            text,
            yaml_line,
            start,
            end,
            column,
        }
    }

    /// An error at the value of the CMO's own `key` (or of `nested` inside it), else at its id.
    fn error_at(&self, key: &str, nested: Option<&str>, message: String) -> Diagnostic {
        let locator = Locator::new(self.text, self.yaml_line);
        let own = self.own_key(key).or_else(|| {
            let at = locator.find_offset(&format!("{key}:"), self.start)?;
            (at < self.end).then_some(at)
        });
        let at = own.and_then(|at| match nested {
            Some(n) => locator
                .find_offset(&format!("{n}:"), at)
                .filter(|o| *o < self.end),
            None => Some(at),
        });
        let (line, column) = match at {
            Some(at) => locator.position(value_start(self.text, at)),
            None => locator.position(self.start),
        };
        Diagnostic::error(self.path, line, column, message)
    }

    /// The offset of `key:` written at the CMO's own column within its span.
    fn own_key(&self, key: &str) -> Option<usize> {
        let mut offset = self.start;
        for line in self.text[self.start..self.end].split_inclusive('\n') {
            let lead = line.get(..self.column).unwrap_or("");
            let rest = line.get(self.column..).unwrap_or("");
            let is_key = rest.strip_prefix(key).is_some_and(|r| r.starts_with(':'));
            if is_key && lead.chars().all(|c| c == ' ' || c == '-') {
                return Some(offset + self.column);
            }
            offset += line.len();
        }
        None
    }
}

/// The offset of the line that gives `id: ID`, and the column of `id` in it.
fn id_line(text: &str, id: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let column = line.len() - line.trim_start_matches([' ', '-']).len();
        let rest = &line[column..];
        if let Some(value) = rest.strip_prefix("id:") {
            if value.trim().trim_matches(['"', '\'']) == id {
                return Some((offset, column));
            }
        }
        offset += line.len();
    }
    None
}

/// Where the CMO that starts at `start` ends: at the next `id:` written at the same column.
fn span_end(text: &str, start: usize, column: usize) -> usize {
    let mut offset = start;
    for (i, line) in text[start..].split_inclusive('\n').enumerate() {
        let lead = line.get(..column).unwrap_or("");
        let rest = line.get(column..).unwrap_or("");
        if i > 0 && lead.chars().all(|c| c == ' ' || c == '-') && rest.starts_with("id:") {
            return offset;
        }
        offset += line.len();
    }
    text.len()
}

/// The offset of the value after the `key:` at `at`: past the colon, spaces and an opening quote.
fn value_start(text: &str, at: usize) -> usize {
    let Some(colon) = text[at..].find(':') else {
        return at;
    };
    let after = &text[at + colon + 1..];
    let value = after.trim_start_matches([' ', '\t']);
    // Past one opening quote only: an empty `""` is located at its closing quote, on its line.
    let value = value.strip_prefix(['"', '\'']).unwrap_or(value);
    text.len() - value.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cmos_own_status_is_told_from_its_outcomes_status() {
        let text = "cmos:\n  - id: a\n    outcome:\n      - status: observed\n    status: supported\n  - id: b\n    status: initial\n";
        let (start, column) = id_line(text, "a").unwrap();
        let end = span_end(text, start, column);
        let place = Place {
            path: Path::new("r.md"),
            text,
            yaml_line: 2,
            start,
            end,
            column,
        };
        let at = place.own_key("status").unwrap();
        assert_eq!(&text[value_start(text, at)..][..9], "supported");
        let (start, column) = id_line(text, "b").unwrap();
        assert_eq!(&text[start..], "  - id: b\n    status: initial\n");
        assert_eq!(column, 4);
    }
}
