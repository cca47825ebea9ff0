//! The RAMESES II checklist of a realist report: for each of the 20 items, whether and where the
//! report covers it, and what is wrong with the author's mapping.
//!
//! 1. A report is realist when its study's `design` is `realist-evaluation` or it has a
//!    `rameses:` mapping ([`is_realist`]).
//! 2. Each item takes the author's entry (by number or key) if there is one; else the report
//!    field that covers it, when that field is set ([`checklist`]).
//! 3. [`problems`] reports an unknown item, an item mapped twice, a `where` that names no field
//!    or section (with "did you mean"), a covered item that does not say where, and, as a
//!    warning, each item that is neither mapped nor covered by a field.

use crate::diagnostics::Diagnostic;
use crate::model::rameses::{item_keys, item_named, RamesesItem, ITEMS};
use crate::model::{Entity, Kind, RamesesEntry, RamesesStatus, Report, StudyDesign, TheoryRefs};
use crate::text::suggest::suggestion;

use super::Site;

/// One item of a report's checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedItem {
    pub item: &'static RamesesItem,
    /// None when the report neither maps the item nor has the field that covers it.
    pub status: Option<RamesesStatus>,
    /// Where it is covered, as written (`#methods`, `abstract`).
    pub location: Option<String>,
    /// The id on the report's page to link to, when `location` has one.
    pub anchor: Option<String>,
    pub note: Option<String>,
    /// Whether it was found from a front-matter field rather than mapped by the author.
    pub automatic: bool,
}

/// The report fields a `where` may name, with the id of the page element that shows them.
const FIELD_ANCHORS: [(&str, &str); 11] = [
    ("title", "page-title"),
    ("summary", "key-points"),
    ("lay_summary", "plain-summary"),
    ("abstract", "abstract"),
    ("keywords", "metadata"),
    ("programme_theories", "metadata"),
    ("ethics", "metadata"),
    ("funding", "metadata"),
    ("study", "metadata"),
    ("areas", "metadata"),
    ("cmos", "report-cmos"),
];

/// Whether the report field `name` is set (None: no such field can be named).
fn field_set(site: &Site, index: usize, name: &str) -> Option<bool> {
    let m = &site.content.reports[index].meta;
    Some(match name {
        "title" => true,
        "summary" => !m.summary.is_empty(),
        "lay_summary" => m.lay_summary.is_some(),
        "abstract" => m.abstract_text.is_some(),
        "keywords" => !m.keywords.is_empty(),
        "programme_theories" => {
            matches!(&m.programme_theories, Some(TheoryRefs::Theories(t)) if !t.is_empty())
        }
        "ethics" => m.ethics.is_some(),
        "funding" => m.funding.is_some(),
        "study" | "areas" => true,
        "cmos" => site.report_cmos[index]
            .iter()
            .any(|c| site.is_published(Kind::Cmo, c)),
        _ => return None,
    })
}

/// Whether the report is a realist evaluation, so the checklist applies.
pub fn is_realist(site: &Site, m: &Report) -> bool {
    m.rameses.is_some()
        || site.content.entities(Kind::Study).iter().any(|d| {
            d.id == m.study.id
                && matches!(&d.meta, Entity::Study(s) if s.design == Some(StudyDesign::RealistEvaluation))
        })
}

/// The author's entry for `item`, if they wrote one (the first, if twice).
fn entry<'a>(m: &'a Report, item: &RamesesItem) -> Option<&'a RamesesEntry> {
    let map = m.rameses.as_ref()?;
    map.iter()
        .find(|(k, _)| item_named(k).is_some_and(|i| i.number == item.number))
        .map(|(_, e)| e)
}

/// The id on the report page that `location` points at, if it names one that exists.
fn anchor_of(site: &Site, index: usize, location: &str) -> Option<String> {
    let id = &site.content.reports[index].id;
    match location.strip_prefix('#') {
        Some(a) => site
            .section_title(Kind::Report, id, a)
            .is_some()
            .then(|| a.to_string()),
        None => FIELD_ANCHORS
            .iter()
            .find(|(f, _)| *f == location && field_set(site, index, f) == Some(true))
            .map(|(_, a)| a.to_string()),
    }
}

/// The checklist of the report at `index`, or None when it is not a realist report.
pub fn checklist(site: &Site, index: usize) -> Option<Vec<CheckedItem>> {
    let m = &site.content.reports[index].meta;
    if !is_realist(site, m) {
        return None;
    }
    let items = ITEMS.iter().map(|item| match entry(m, item) {
        Some(e) => CheckedItem {
            item,
            status: Some(e.status),
            location: e.location.clone(),
            anchor: e
                .location
                .as_deref()
                .and_then(|l| anchor_of(site, index, l)),
            note: e.note.clone(),
            automatic: false,
        },
        None => {
            // A title meets item 1 by itself only when it says the work is realist.
            let title_says = m.title.to_lowercase().contains("realist");
            let field = item
                .field
                .filter(|f| field_set(site, index, f) == Some(true))
                .filter(|f| *f != "title" || title_says);
            CheckedItem {
                item,
                status: field.map(|_| RamesesStatus::Met),
                location: field.map(str::to_string),
                anchor: field.and_then(|f| anchor_of(site, index, f)),
                note: field.map(|f| format!("Found from the report's `{f}`.")),
                automatic: field.is_some(),
            }
        }
    });
    Some(items.collect())
}

/// Every problem with the RAMESES II checklist of the report at `index`.
pub fn problems(site: &Site, index: usize) -> Vec<Diagnostic> {
    let doc = &site.content.reports[index];
    let mut problems = mapping_problems(site, index);
    for c in checklist(site, index).unwrap_or_default() {
        if c.status.is_none() {
            let d = doc.error_at_key("rameses", None, "");
            problems.push(
                Diagnostic::warning(&d.path, d.line, d.column, format!(
                    "the realist report `{}` does not say where it covers RAMESES II item {}, \"{}\"",
                    doc.id, c.item.number, c.item.name
                ))
                .with_help(format!(
                    "add `{}: {{status: met, where: \"#section\"}}` under `rameses:`, or `status: not-reported` with a note",
                    c.item.key
                )),
            );
        }
    }
    problems
}

/// What is wrong with the entries the author wrote: unknown or repeated items, and `where`s.
fn mapping_problems(site: &Site, index: usize) -> Vec<Diagnostic> {
    let doc = &site.content.reports[index];
    let Some(map) = &doc.meta.rameses else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    let mut seen = Vec::new();
    for (key, e) in map {
        let at = |message: String| doc.error_at_key(key, Some("rameses"), message);
        let Some(item) = item_named(key) else {
            problems.push(
                at(format!(
                    "`{key}` is not a RAMESES II item: write its number (1 to 20) or its key"
                ))
                .with_help_opt(suggestion(key, item_keys())),
            );
            continue;
        };
        if seen.contains(&item.number) {
            problems.push(at(format!(
                "RAMESES II item {} (`{}`) is mapped twice",
                item.number, item.key
            )));
        }
        seen.push(item.number);
        match e.location.as_deref() {
            None if e.status != RamesesStatus::NotReported => problems.push(
                at(format!("RAMESES II item {} is `{}` but does not say where", item.number, crate::model::enum_value(&e.status)))
                    .with_help("add `where: \"#section\"` (a heading's id in the report) or the front-matter field that covers it"),
            ),
            Some(l) => problems.extend(location_problem(site, index, key, l)),
            None => {}
        }
    }
    problems
}

/// A located error, at the entry `key:` under `rameses:`, when its `location` names neither a
/// section of the report nor a field it sets.
fn location_problem(site: &Site, index: usize, key: &str, location: &str) -> Option<Diagnostic> {
    if anchor_of(site, index, location).is_some() {
        return None;
    }
    let doc = &site.content.reports[index];
    let at = |message: String| doc.error_at_key(key, Some("rameses"), message);
    Some(match location.strip_prefix('#') {
        Some(a) => {
            let sections = site.sections(Kind::Report, &doc.id);
            let ids = sections.iter().map(|(id, _)| id.as_str());
            at(format!(
                "broken anchor `{location}`: the report has no heading with id `{a}`"
            ))
            .with_help_opt(
                crate::diagnostics::did_you_mean(a, ids).map(|s| format!("did you mean `#{s}`?")),
            )
        }
        None if field_set(site, index, location).is_some() => at(format!(
            "`where: {location}` names a field this report does not set"
        ))
        .with_help(format!(
            "set `{location}`, or point at the section that covers the item"
        )),
        None => at(format!(
            "`where: {location}` is neither a `#section` of the report nor a front-matter field"
        ))
        .with_help_opt(suggestion(location, FIELD_ANCHORS.iter().map(|(f, _)| *f))),
    })
}

/// One item of a checklist as the report page and the exports show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChecklistRow {
    pub number: u8,
    pub key: &'static str,
    pub item: &'static str,
    /// `met`, `partly`, `not-reported`, or `not-stated` when the report does not say.
    pub status: String,
    pub status_label: String,
    /// Where it is covered, as written: a `#section` or a front-matter field.
    #[serde(rename = "where")]
    pub location: Option<String>,
    /// The id on the report's page that shows it, to link to.
    pub anchor: Option<String>,
    pub note: Option<String>,
    /// Whether it was found from a front-matter field, not mapped by the author.
    pub automatic: bool,
}

/// The checklist of the report at `index` as rows, or None when it is not a realist report.
pub fn rows(site: &Site, index: usize) -> Option<Vec<ChecklistRow>> {
    let rows = checklist(site, index)?.into_iter().map(|c| ChecklistRow {
        number: c.item.number,
        key: c.item.key,
        item: c.item.name,
        status: c
            .status
            .map_or("not-stated".into(), |s| crate::model::enum_value(&s)),
        status_label: c.status.map_or("Not stated", RamesesStatus::label).into(),
        location: c.location,
        anchor: c.anchor,
        note: c.note,
        automatic: c.automatic,
    });
    Some(rows.collect())
}
