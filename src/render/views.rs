//! View models: the light, serialisable summaries templates read.
//!
//! Templates never see the loaded documents directly. Each page gets a view whose URLs are already
//! relative to that page, so no template can produce a root-absolute link, and list pages carry
//! titles and URLs only, never other pages' HTML.

use serde::Serialize;

use crate::markdown::TocEntry;
use crate::model::{self, enum_label, enum_value, FactValue, Kind};
use crate::resolve::{Relation, Site};
use crate::url::relative;

/// A link to another page, relative to the page being rendered.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct LinkView {
    pub title: String,
    pub url: String,
}

/// One labelled fact about an entity (a row of the metadata list).
#[derive(Debug, Clone, Serialize)]
pub struct Fact {
    pub label: String,
    pub text: Option<String>,
    pub links: Vec<LinkView>,
}

impl Fact {
    pub fn text(label: &str, text: impl Into<String>) -> Fact {
        Fact {
            label: label.into(),
            text: Some(text.into()),
            links: Vec::new(),
        }
    }

    pub fn links(label: &str, links: Vec<LinkView>) -> Fact {
        Fact {
            label: label.into(),
            text: None,
            links,
        }
    }
}

/// A list item on an entity page: a linked page with a short note.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub title: String,
    pub url: String,
    pub note: String,
}

/// A headed group of items ("Reports", "CMO configurations" …).
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub heading: String,
    pub id: String,
    pub items: Vec<Item>,
}

/// Makes links relative to one page.
#[derive(Clone, Copy)]
pub struct Linker<'a> {
    pub site: &'a Site,
    pub depth: usize,
}

impl<'a> Linker<'a> {
    pub fn url(&self, site_url: &str) -> String {
        relative(self.depth, site_url)
    }

    pub fn entity(&self, kind: Kind, id: &str) -> LinkView {
        LinkView {
            title: self.site.title(kind, id),
            url: self.url(&Site::url(kind, id)),
        }
    }

    pub fn entities<'i>(
        &self,
        kind: Kind,
        ids: impl IntoIterator<Item = &'i String>,
    ) -> Vec<LinkView> {
        ids.into_iter()
            .filter(|id| self.site.is_published(kind, id))
            .map(|id| self.entity(kind, id))
            .collect()
    }

    /// A fact of the model as a page shows it: links become relative links to published pages.
    pub fn fact(&self, fact: model::Fact) -> Fact {
        match fact.value {
            FactValue::Text(text) => Fact::text(fact.label, text),
            FactValue::Links(kind, ids) => Fact::links(fact.label, self.entities(kind, ids.iter())),
            FactValue::External { title, url } => {
                Fact::links(fact.label, vec![LinkView { title, url }])
            }
        }
    }

    pub fn themes(&self, ids: &[String]) -> Vec<LinkView> {
        self.entities(Kind::Theme, ids.iter())
    }

    /// Everything that links to (kind, id), grouped by the kind of the linking page.
    pub fn backlink_groups(&self, kind: Kind, id: &str, skip: &[Relation]) -> Vec<Group> {
        let Some(links) = self.site.backlinks.get(&(kind, id.to_string())) else {
            return Vec::new();
        };
        // Each kind's place among the groups is its `backlink_rank` in the registry.
        let mut order = Kind::ALL;
        order.sort_by_key(|k| k.info().backlink_rank);
        let mut groups = Vec::new();
        for group_kind in order {
            let mut items: Vec<Item> = Vec::new();
            // Backlinks are sorted by (kind, id, relation), so the relations of one linking page
            // are adjacent and merge into the item just pushed.
            let mut last_id: Option<&str> = None;
            for link in links
                .iter()
                .filter(|l| l.from_kind == group_kind && !skip.contains(&l.relation))
            {
                let note = link.relation.inverse_label();
                match items.last_mut() {
                    Some(item) if last_id == Some(link.from_id.as_str()) => {
                        if !item.note.contains(note) {
                            item.note = format!("{}; {note}", item.note);
                        }
                    }
                    _ => {
                        let view = self.entity(group_kind, &link.from_id);
                        items.push(Item {
                            title: view.title,
                            url: view.url,
                            note: note.to_string(),
                        });
                        last_id = Some(&link.from_id);
                    }
                }
            }
            if !items.is_empty() {
                items.sort_by(|a, b| a.title.cmp(&b.title).then(a.url.cmp(&b.url)));
                groups.push(Group {
                    heading: group_kind.label(true).to_string(),
                    id: format!("linked-{}", group_kind.folder()),
                    items,
                });
            }
        }
        groups
    }
}

/// A CMO as one row of a list or matrix cell. `L` is how its tracer and area links are held:
/// a list of [`LinkView`]s, or (on the matrix page) one shared, already serialised value per
/// distinct list (see `pages::LazySummaries`).
#[derive(Debug, Clone, Serialize)]
pub struct CmoSummary<L = Vec<LinkView>> {
    pub id: String,
    pub title: String,
    pub url: String,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    pub status_label: String,
    pub theories: String,
    pub themes: String,
    pub tracers: L,
    pub areas: L,
}

pub fn cmo_summary(linker: &Linker, record: &crate::resolve::CmoRecord) -> CmoSummary {
    cmo_summary_with(linker, record, |kind, ids| {
        linker.entities(kind, ids.iter())
    })
}

/// A summary whose tracer and area links are made by `links(kind, ids)`.
pub fn cmo_summary_with<L>(
    linker: &Linker,
    record: &crate::resolve::CmoRecord,
    links: impl Fn(Kind, &[String]) -> L,
) -> CmoSummary<L> {
    let c = &record.cmo;
    let theories: Vec<&str> = c
        .programme_theory
        .refs()
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    CmoSummary {
        id: c.id.clone(),
        title: c.title.clone(),
        url: linker.url(&Site::url(Kind::Cmo, &c.id)),
        kind: enum_value(&c.kind),
        kind_label: enum_label(&c.kind),
        status: enum_value(&c.status),
        status_label: enum_label(&c.status),
        theories: if theories.is_empty() {
            "none-identified".into()
        } else {
            theories.join(" ")
        },
        themes: c.themes.join(" "),
        tracers: links(Kind::Tracer, &record.tracers),
        areas: links(Kind::Area, &record.areas),
    }
}

/// Context shared by every page.
#[derive(Debug, Clone, Serialize)]
pub struct Common {
    pub site_title: String,
    pub site_description: Option<String>,
    pub language: String,
    pub publisher: Option<String>,
    pub licence: Option<String>,
    pub accessibility_contact: Option<String>,
    /// The relative prefix to the site root from this page ("../../" or "./").
    pub root: String,
    pub canonical: String,
    pub nav: Vec<NavItem>,
    pub has_search: bool,
    /// A shorter title for the header on narrow screens.
    pub short_title: Option<String>,
    /// The trail from the home page to this page (the last is this page); empty on the home page.
    pub breadcrumbs: Vec<LinkView>,
    /// The university's branding, if site.yaml sets any.
    pub brand: Option<BrandView>,
    /// The previous and next report of this report's series (its study's reports by date).
    pub series: Option<SeriesView>,
    /// When this page's work was published and last updated, if it says.
    pub dates: Option<PageDates>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    pub title: String,
    pub url: String,
    pub current: bool,
    /// `page` on the item that is this page, `true` on the item of its section.
    pub aria_current: Option<&'static str>,
}

/// The branding a page shows: everything checked when site.yaml was read.
#[derive(Debug, Clone, Serialize)]
pub struct BrandView {
    /// The logo's URL relative to this page, its text alternative and where it links (the
    /// university's address, if given).
    pub logo_url: Option<String>,
    pub logo_alt: String,
    pub logo_link: Option<String>,
    /// The generated stylesheet of the site's colours, relative to this page. (Both URL fields
    /// end in `_url` so that the 404 page puts the site's path in front of them.)
    pub stylesheet_url: Option<String>,
    /// The parent department and university, as external links.
    pub parents: Vec<LinkView>,
}

/// Neighbours of a report in its series, with their dates.
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    pub name: String,
    pub previous: Option<Item>,
    pub next: Option<Item>,
}

/// Published and last-updated dates, human and ISO.
#[derive(Debug, Clone, Serialize)]
pub struct PageDates {
    pub published: String,
    pub published_iso: String,
    pub updated: Option<String>,
    pub updated_iso: Option<String>,
}

/// A count with its noun in the right number: `count(1, "report", "reports")` is "1 report".
/// (Templates use Tera's `pluralize` filter for the same.)
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The table of contents entries of a body, for templates.
pub fn toc(entries: &[TocEntry]) -> Vec<TocEntry> {
    entries.iter().filter(|e| e.level <= 3).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::fixture::{inline_cmo, report, site};

    #[test]
    fn backlinks_group_by_the_registry_rank_of_the_linking_kind() {
        let cmos = format!("cmos:\n{}", inline_cmo("c1", ""));
        let about = (
            "content/pages/about.md".to_string(),
            "---\ntitle: About\n---\nSee [the tracer](@tracer/tr).\n".to_string(),
        );
        let (site, problems) = site(&[report("r1", "published", &cmos), about]);
        assert!(problems.is_empty(), "{problems:?}");
        let linker = Linker {
            site: &site,
            depth: 2,
        };
        let groups = linker.backlink_groups(Kind::Tracer, "tr", &[]);
        let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids, ["linked-reports", "linked-cmos", "linked-pages"]);
        assert_eq!(groups[0].heading, "Reports");
        assert_eq!(groups[0].items[0].url, "../../reports/r1/");
        assert_eq!(groups[2].items[0].note, "mentions this");
        // A relation to skip drops the items that link only that way.
        let skipped = linker.backlink_groups(Kind::Tracer, "tr", &[Relation::Mentions]);
        assert_eq!(skipped.len(), 2);
    }

    #[test]
    fn links_are_relative_and_only_to_published_pages() {
        let (site, _) = site(&[report("r1", "published", ""), report("r2", "draft", "")]);
        let linker = Linker {
            site: &site,
            depth: 1,
        };
        let ids = ["r1".to_string(), "r2".to_string()];
        let links = linker.entities(Kind::Report, ids.iter());
        assert_eq!(
            links,
            [LinkView {
                title: "Report r1".into(),
                url: "../reports/r1/".into()
            }]
        );
        let fact = linker.fact(model::Fact::links("Reports", Kind::Report, ids.to_vec()));
        assert_eq!((fact.text, fact.links.len()), (None, 1));
        let text = linker.fact(model::Fact::text("Funder", "NIHR"));
        assert_eq!(text.text.as_deref(), Some("NIHR"));
        // An external link is not made relative.
        let url = "https://doi.org/10.1/x";
        let external = linker.fact(model::Fact::external("DOI", "10.1/x", url));
        assert_eq!(external.links[0].url, url);
    }

    #[test]
    fn a_count_of_one_is_singular() {
        assert_eq!(count(1, "report", "reports"), "1 report");
        assert_eq!(count(0, "report", "reports"), "0 reports");
        assert_eq!(count(2, "CMO", "CMOs"), "2 CMOs");
    }

    #[test]
    fn a_cmo_summary_says_when_no_theory_was_identified() {
        let cmo = inline_cmo("c1", "").replace("[theory/pt]", "[none-identified]");
        let (site, problems) = site(&[report("r1", "published", &format!("cmos:\n{cmo}"))]);
        assert!(problems.is_empty(), "{problems:?}");
        let linker = Linker {
            site: &site,
            depth: 0,
        };
        let summary = cmo_summary(&linker, site.cmo("c1").expect("c1 is lifted"));
        assert_eq!(summary.theories, "none-identified");
        assert_eq!(summary.url, "cmos/c1/");
        assert_eq!(summary.tracers[0].title, "Tr");
    }
}
