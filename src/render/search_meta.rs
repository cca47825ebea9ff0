//! What the search index knows of each page beyond its text: whether the page is indexed, its
//! kind, and the values of the search filters (kind, tracer, area, programme theory, CMO status,
//! study), all taken from the model, never parsed back out of the rendered HTML.
//!
//! 1. [`for_page`] decides from the [`PageSpec`] whether a page is indexed: research content
//!    (reports, CMOs, studies, tracers, areas, theories, themes, sources, free pages) is; lists,
//!    the matrix, the home, search and 404 pages, which only repeat other pages' titles, are not.
//! 2. It collects the filter values from the model: the page's own kind, and the titles of the
//!    published tracers, areas, theories and studies it belongs to (a study, tracer … page
//!    belongs to itself, so filtering by a tracer also finds the tracer's own page).
//! 3. Templates write them as empty `data-pagefind-filter="NAME[data-value]"` elements: the value
//!    sits in an attribute of its own, so a title with a comma or a colon stays one value.
//! 4. [`glossary_records`] makes one search record per glossary entry (`glossary/#term-…`), which
//!    the indexer adds beside the pages, so a term is a result of its own.

use serde::Serialize;

use super::PageSpec;
use crate::model::{enum_label, Kind, Ref};
use crate::resolve::Site;

/// The filters, in the order the search page offers them, with their labels there.
pub const FILTERS: [(&str, &str); 6] = [
    ("kind", "Kind of page"),
    ("study", "Study"),
    ("tracer", "Tracer"),
    ("area", "Study area"),
    ("theory", "Programme theory"),
    ("status", "CMO status"),
];

/// The kind filter's value for glossary entries, which are not a [`Kind`].
pub const GLOSSARY_KIND: &str = "Glossary term";

/// A page's search data, in every page's template context as `search`.
#[derive(Debug, Default, Serialize)]
pub struct SearchMeta {
    /// Whether the page is indexed: its `<main>` is then marked `data-pagefind-body`.
    pub body: bool,
    /// The page's kind as results show it ("CMO configuration"): Pagefind's `kind` meta.
    pub kind: String,
    /// One (filter, value) per value, in the order of [`FILTERS`], each value once.
    pub filters: Vec<FilterValue>,
    /// On the search page only: the filters it offers, as (name, label) in `value`.
    pub offered: Vec<FilterValue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FilterValue {
    pub name: &'static str,
    pub value: String,
}

/// A search record that is not a page: one glossary entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Site-relative URL with the entry's anchor (`glossary/#term-ccg`).
    pub url: String,
    pub title: String,
    /// The words to index and to take excerpts from.
    pub content: String,
    pub filters: Vec<FilterValue>,
}

/// The search data of the page `spec`; not indexed (and no filters) when the site has no search.
pub fn for_page(site: &Site, spec: &PageSpec) -> SearchMeta {
    if !site.config.search {
        return SearchMeta::default();
    }
    let mut f = Filters::new(site);
    match spec {
        PageSpec::Report(i) => report(&mut f, &site.content.reports[*i].meta),
        PageSpec::Cmo(i) => cmo(&mut f, *i),
        PageSpec::Entity(kind, i) => entity(&mut f, *kind, *i),
        PageSpec::Theme(_) => f.kind(Kind::Theme),
        PageSpec::Search => {
            return SearchMeta {
                offered: FILTERS
                    .iter()
                    .map(|(name, label)| FilterValue {
                        name,
                        value: label.to_string(),
                    })
                    .collect(),
                ..SearchMeta::default()
            }
        }
        PageSpec::Home
        | PageSpec::List(_)
        | PageSpec::Matrix
        | PageSpec::Glossary
        | PageSpec::Exports
        | PageSpec::NotFound => return SearchMeta::default(),
    }
    let filters = f.finish();
    SearchMeta {
        body: true,
        kind: filters
            .iter()
            .find(|v| v.name == "kind")
            .map(|v| v.value.clone())
            .unwrap_or_default(),
        filters,
        offered: Vec::new(),
    }
}

/// Collects filter values, each once.
struct Filters<'s> {
    site: &'s Site,
    values: Vec<FilterValue>,
}

impl<'s> Filters<'s> {
    fn new(site: &'s Site) -> Self {
        Filters {
            site,
            values: Vec::new(),
        }
    }

    fn push(&mut self, name: &'static str, value: String) {
        let value = FilterValue { name, value };
        if !value.value.trim().is_empty() && !self.values.contains(&value) {
            self.values.push(value);
        }
    }

    fn kind(&mut self, kind: Kind) {
        self.push("kind", kind.label(false).to_string());
    }

    /// The title of a published entity, under the filter named for its kind.
    fn entity(&mut self, kind: Kind, id: &str) {
        let name = match kind {
            Kind::Study => "study",
            Kind::Tracer => "tracer",
            Kind::Area => "area",
            Kind::Theory => "theory",
            _ => return,
        };
        if self.site.is_published(kind, id) {
            self.push(name, self.site.title(kind, id));
        }
    }

    fn refs<'r>(&mut self, refs: impl IntoIterator<Item = &'r Ref>) {
        for r in refs {
            self.entity(r.kind, &r.id);
        }
    }

    /// The values in the order of [`FILTERS`], then by value.
    fn finish(mut self) -> Vec<FilterValue> {
        let rank = |name: &str| FILTERS.iter().position(|(n, _)| *n == name);
        self.values
            .sort_by(|a, b| (rank(a.name), &a.value).cmp(&(rank(b.name), &b.value)));
        self.values
    }
}

fn report(f: &mut Filters, r: &crate::model::Report) {
    f.kind(Kind::Report);
    f.refs([&r.study]);
    f.refs(r.tracer_refs());
    f.refs(&r.areas);
    f.refs(r.programme_theories.iter().flat_map(|t| t.refs()));
}

fn cmo(f: &mut Filters, index: usize) {
    let site = f.site;
    let record = &site.cmos[index];
    f.kind(Kind::Cmo);
    // A CMO belongs to the studies of the reports that list it.
    for id in &record.reports {
        if let Some(doc) = site.report(id) {
            f.refs([&doc.meta.study]);
        }
    }
    for id in &record.tracers {
        f.entity(Kind::Tracer, id);
    }
    for id in &record.areas {
        f.entity(Kind::Area, id);
    }
    f.refs(record.cmo.programme_theory.refs());
    f.push("status", enum_label(&record.cmo.status));
}

fn entity(f: &mut Filters, kind: Kind, index: usize) {
    let doc = &f.site.content.entities(kind)[index];
    f.kind(kind);
    f.entity(kind, &doc.id);
    if let Some(study) = doc.meta.study() {
        f.refs([study]);
    }
}

/// A glossary record's title, by the glossary page's rule so that no title repeats its term: the
/// term alone when the expansion only repeats it, the term and its qualifier (`Mechanism
/// (realist)`), the expansion alone when it begins with the term (`Tracer service or tracer
/// condition`), else the term with the expansion in brackets.
fn record_title(term: &str, expansion: Option<&str>) -> String {
    let term = term.trim();
    match expansion.and_then(|x| super::pages::shown_expansion(term, x)) {
        None => term.to_string(),
        Some(q) if q.starts_with('(') => format!("{term} {q}"),
        Some(q) if begins_with_word(&q, term) => q,
        Some(q) => format!("{term} ({q})"),
    }
}

/// Whether `text` begins with the word(s) `word`, ignoring case.
fn begins_with_word(text: &str, word: &str) -> bool {
    text.get(..word.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(word))
        && !text[word.len()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
}

/// One record per glossary entry, in the order of the glossary file; none without search.
pub fn glossary_records(site: &Site) -> Vec<Record> {
    if !site.config.search {
        return Vec::new();
    }
    let anchors = super::glossary_anchors(&site.content.glossary);
    site.content
        .glossary
        .iter()
        .filter_map(|e| {
            let anchor = anchors.get(&e.term)?;
            let title = record_title(&e.term, e.expansion.as_deref());
            Some(Record {
                url: format!("glossary/#{anchor}"),
                content: format!("{title}. {}", e.definition),
                title,
                filters: vec![FilterValue {
                    name: "kind",
                    value: GLOSSARY_KIND.into(),
                }],
            })
        })
        .collect()
}
