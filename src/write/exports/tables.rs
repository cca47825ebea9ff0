//! The exports as flat tables, for the CSV files and the XLSX workbook's sheets.
//!
//! 1. each table names its columns once ([`CMOS`], [`EVIDENCE`], [`REPORTS`]);
//! 2. a record becomes one row of text cells; a list becomes one cell holding one item per line
//!    (a line break inside an item becomes a space), since no item of a list can then run into
//!    the next one, whereas any printable separator ("; ", " | ") also occurs in the text;
//! 3. the evidence, a list of objects, gets a table of its own, one row per item;
//! 4. a cell holds the value, not the Markdown that marks it: a bibliography key is written
//!    without its `@` (`source` is a column of references), which a spreadsheet would otherwise
//!    read as a formula and the formula guard would mark with an apostrophe.
//!
//! The JSON is the lossless form; this flattening is documented on the exports' README page.

use super::records::{Cmo, Report};
use crate::model::enum_value;

/// A table: the CSV file it is written to, its sheet's name in the workbook, and its columns.
pub struct Table {
    pub file: &'static str,
    pub sheet: &'static str,
    pub columns: &'static [&'static str],
}

/// One row per CMO.
pub const CMOS: Table = Table {
    file: "exports/cmos.csv",
    sheet: "CMOs",
    columns: &[
        "id",
        "title",
        "kind",
        "status",
        "status_note",
        "url",
        "tracers",
        "areas",
        "programme_theories",
        "themes",
        "context",
        "mechanism",
        "mechanism_resource",
        "mechanism_reasoning",
        "mechanism_split_by_editors",
        "outcomes",
        "evidence_count",
        "confidence_level",
        "confidence_rationale",
        "chain_feeds_context_of",
        "chain_refines",
        "chain_contradicts",
        "chain_specialises",
        "defined_in",
        "reported_in",
        "source_file",
    ],
};

/// One row per evidence item of a CMO.
pub const EVIDENCE: Table = Table {
    file: "exports/evidence.csv",
    sheet: "Evidence",
    columns: &[
        "cmo",
        "report",
        "kind",
        "stance",
        "source",
        "source_title",
        "source_section",
        "source_url",
        "locator",
        "quote",
        "informant_role",
        "informant",
        "informant_organisation",
        "date",
    ],
};

/// One row per report.
pub const REPORTS: Table = Table {
    file: "exports/reports.csv",
    sheet: "Reports",
    columns: &[
        "id",
        "title",
        "type",
        "report_type",
        "date",
        "updated",
        "status",
        "url",
        "authors",
        "study",
        "tracers",
        "areas",
        "programme_theories",
        "themes",
        "keywords",
        "cmos",
        "doi",
        "journal_title",
        "journal_volume",
        "journal_issue",
        "journal_pages",
        "licence",
        "source_file",
    ],
};

/// A list as one cell: one item per line, line breaks inside an item made spaces.
pub fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|s| s.as_ref().replace("\r\n", " ").replace(['\r', '\n'], " "))
        .collect();
    items.join("\n")
}

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn theories(ids: &[String], none_identified: bool) -> String {
    if none_identified {
        "none-identified".into()
    } else {
        list(ids)
    }
}

/// A CMO's row of [`CMOS`].
pub fn cmo_row(c: &Cmo) -> Vec<String> {
    let outcomes = c.outcomes.iter().map(|o| {
        let intended = if o.intended { "intended" } else { "unintended" };
        let (status, valence) = (enum_value(&o.status), enum_value(&o.valence));
        format!("{} [{status}, {valence}, {intended}]", o.text)
    });
    let confidence = c.confidence.as_ref();
    vec![
        c.id.clone(),
        c.title.clone(),
        enum_value(&c.kind),
        enum_value(&c.status),
        opt(&c.status_note),
        c.url.clone(),
        list(&c.tracers),
        list(&c.areas),
        theories(&c.programme_theories, c.programme_theories_none_identified),
        list(&c.themes),
        list(c.context.iter().map(|x| &x.text)),
        opt(&c.mechanism.text),
        opt(&c.mechanism.resource),
        opt(&c.mechanism.reasoning),
        if c.mechanism.split_by_editors {
            "yes"
        } else {
            ""
        }
        .to_string(),
        list(outcomes),
        c.evidence.len().to_string(),
        confidence.map(|k| enum_value(&k.level)).unwrap_or_default(),
        confidence.map(|k| k.rationale.clone()).unwrap_or_default(),
        list(&c.chain.feeds_context_of),
        opt(&c.chain.refines),
        list(&c.chain.contradicts),
        list(&c.chain.specialises),
        opt(&c.defined_in),
        list(&c.reported_in),
        c.source_file.clone(),
    ]
}

/// A CMO's rows of [`EVIDENCE`], one per evidence item.
pub fn evidence_rows(c: &Cmo) -> impl Iterator<Item = Vec<String>> + '_ {
    c.evidence.iter().map(move |e| {
        vec![
            c.id.clone(),
            opt(&c.defined_in),
            enum_value(&e.kind),
            enum_value(&e.stance),
            source_cell(&e.source),
            opt(&e.source_title),
            opt(&e.source_section),
            opt(&e.source_url),
            opt(&e.locator),
            opt(&e.quote),
            opt(&e.informant_role),
            opt(&e.informant),
            opt(&e.informant_organisation),
            opt(&e.date),
        ]
    })
}

/// An evidence source as its cell holds it: `report/<id>#<anchor>`, `source/<id>`, or a
/// bibliography key alone (`@key` in the JSON, as written in the front matter).
fn source_cell(source: &str) -> String {
    source.strip_prefix('@').unwrap_or(source).to_string()
}

/// A report's row of [`REPORTS`].
pub fn report_row(r: &Report) -> Vec<String> {
    let journal = r.journal.as_ref();
    let field = |f: fn(&crate::model::Journal) -> Option<String>| journal.and_then(f);
    vec![
        r.id.clone(),
        r.title.clone(),
        r.class.clone(),
        r.report_type.clone(),
        r.date.clone(),
        opt(&r.updated),
        r.status.clone(),
        r.url.clone(),
        list(r.authors.iter().map(|a| &a.name)),
        r.study.clone(),
        list(&r.tracers),
        list(&r.areas),
        theories(&r.programme_theories, r.programme_theories_none_identified),
        list(&r.themes),
        list(&r.keywords),
        list(&r.cmos),
        opt(&r.doi),
        journal.map(|j| j.title.clone()).unwrap_or_default(),
        field(|j| j.volume.clone()).unwrap_or_default(),
        field(|j| j.issue.clone()).unwrap_or_default(),
        field(|j| j.pages.clone()).unwrap_or_default(),
        opt(&r.licence),
        r.source_file.clone(),
    ]
}
