//! Where a page sits in the site: its breadcrumbs, the current item of the navigation, its
//! report series, its dates and the site's branding, for the header and footer of every page.
//!
//! 1. [`Series::new`] orders each study's published reports by date, once per build, so that a
//!    report finds its neighbours by one lookup (no page looks at the other reports);
//! 2. [`page_of`] reads which list or entity a page shows from its path;
//! 3. [`breadcrumbs`] follows the model's links upwards: a CMO to the report that defines it, a
//!    report to its study and (when it has one) its tracer, any other entity to its kind's list;
//! 4. [`aria_current`] marks the navigation item that is this page (`page`) or its section
//!    (`true`);
//! 5. [`brand`] turns the checked branding of site.yaml into links relative to the page.
//!
//! Every URL here is a site path made relative by the page's [`Linker`].

use std::collections::HashMap;

use super::views::{BrandView, Item, LinkView, Linker, PageDates, SeriesView};
use crate::model::Kind;
use crate::resolve::Site;

/// What a page shows, as far as navigation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageOf<'p> {
    Home,
    /// A kind's list page (for CMOs, the matrix).
    List(Kind),
    /// A page with no kind of its own (`glossary/`, `search/`, the 404 page), by its site path.
    Other(&'p str),
    Entity(Kind, &'p str),
}

/// What the page at `page` (a site path such as `reports/x/`) shows.
pub fn page_of<'p>(site: &Site, page: &'p str) -> PageOf<'p> {
    if page.is_empty() {
        return PageOf::Home;
    }
    let segments: Vec<&str> = page.trim_end_matches('/').split('/').collect();
    for kind in Kind::ALL {
        let list = kind.list_url();
        if list.is_empty() {
            continue;
        }
        if page == list {
            return PageOf::List(kind);
        }
        if let (Some(id), 2) = (page.strip_prefix(list.as_str()), segments.len()) {
            return PageOf::Entity(kind, id.trim_end_matches('/'));
        }
    }
    match segments.as_slice() {
        [id] if page.ends_with('/') && site.exists(Kind::Page, id) => {
            PageOf::Entity(Kind::Page, id)
        }
        _ => PageOf::Other(page),
    }
}

/// The reports of each study in date order (then by id), and each report's place among them.
#[derive(Default)]
pub struct Series {
    groups: Vec<Vec<usize>>,
    place: HashMap<String, (usize, usize)>,
}

impl Series {
    pub fn new(site: &Site) -> Series {
        let reports = &site.content.reports;
        let mut by_study: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, doc) in reports.iter().enumerate() {
            if site.is_published(Kind::Report, &doc.id) {
                by_study
                    .entry(doc.meta.study.id.as_str())
                    .or_default()
                    .push(i);
            }
        }
        let mut series = Series::default();
        let mut studies: Vec<_> = by_study.into_iter().collect();
        studies.sort_by_key(|(study, _)| *study);
        for (_, mut group) in studies {
            group.sort_by(|&a, &b| {
                let (a, b) = (&reports[a], &reports[b]);
                a.meta.date.cmp(&b.meta.date).then_with(|| a.id.cmp(&b.id))
            });
            let g = series.groups.len();
            for (pos, &i) in group.iter().enumerate() {
                series.place.insert(reports[i].id.clone(), (g, pos));
            }
            series.groups.push(group);
        }
        series
    }

    /// The previous and next report of report `id`'s series, if it has more than one report.
    pub fn view(&self, linker: &Linker, id: &str) -> Option<SeriesView> {
        let &(g, pos) = self.place.get(id)?;
        let group = &self.groups[g];
        if group.len() < 2 {
            return None;
        }
        let site = linker.site;
        let item = |i: usize| {
            let doc = &site.content.reports[i];
            let link = linker.entity(Kind::Report, &doc.id);
            Item {
                title: link.title,
                url: link.url,
                note: doc.meta.date.human(),
            }
        };
        let study = &site.content.reports[group[0]].meta.study.id;
        Some(SeriesView {
            name: site.title(Kind::Study, study),
            previous: pos.checked_sub(1).map(|p| item(group[p])),
            next: group.get(pos + 1).map(|&i| item(i)),
        })
    }
}

/// The trail of site paths from the home page to `page`, its last entry the page itself.
pub fn breadcrumbs(linker: &Linker, page: PageOf) -> Vec<LinkView> {
    let site = linker.site;
    let home = LinkView {
        title: "Home".into(),
        url: linker.url(""),
    };
    let here = |title: String, path: &str| LinkView {
        title,
        url: linker.url(path),
    };
    let mut trail = match page {
        PageOf::Home => return Vec::new(),
        PageOf::List(kind) => vec![here(list_label(kind).into(), &kind.list_url())],
        PageOf::Other(path) => match path {
            "glossary/" => vec![here("Glossary".into(), path)],
            "exports/" => vec![here("Data and downloads".into(), path)],
            "search/" => vec![here("Search".into(), path)],
            _ => return Vec::new(),
        },
        PageOf::Entity(Kind::Report, id) => report_trail(linker, id),
        PageOf::Entity(Kind::Cmo, id) => cmo_trail(linker, id),
        PageOf::Entity(Kind::Page, id) => vec![linker.entity(Kind::Page, id)],
        PageOf::Entity(kind, id) => {
            let mut trail = Vec::new();
            if super::has_list(&site.content, kind) {
                trail.push(here(list_label(kind).into(), &kind.list_url()));
            }
            trail.push(linker.entity(kind, id));
            trail
        }
    };
    trail.insert(0, home);
    trail
}

/// A kind's name in the navigation, else its plural.
fn list_label(kind: Kind) -> &'static str {
    kind.info().nav.unwrap_or(kind.info().plural)
}

/// Study › Tracer (when the report follows exactly one) › Report.
fn report_trail(linker: &Linker, id: &str) -> Vec<LinkView> {
    let site = linker.site;
    let mut trail = Vec::new();
    if let Some(doc) = site.report(id) {
        trail.extend(linker.entities(Kind::Study, [&doc.meta.study.id]));
        if let [tracer] = doc.meta.tracer_refs().as_slice() {
            trail.extend(linker.entities(Kind::Tracer, [&tracer.id]));
        }
    }
    trail.push(linker.entity(Kind::Report, id));
    trail
}

/// The trail of the CMO's defining report, then the CMO; CMOs › CMO for one no report publishes.
fn cmo_trail(linker: &Linker, id: &str) -> Vec<LinkView> {
    let site = linker.site;
    let report = site.cmo(id).and_then(|c| {
        c.reports
            .iter()
            .find(|r| site.is_published(Kind::Report, r))
    });
    let mut trail = match report {
        Some(r) => report_trail(linker, r),
        None => vec![LinkView {
            title: list_label(Kind::Cmo).into(),
            url: linker.url(&Kind::Cmo.list_url()),
        }],
    };
    trail.push(linker.entity(Kind::Cmo, id));
    trail
}

/// `page` if the navigation item at site path `item` is this page, `true` if it is the list of
/// this page's kind (its section).
pub fn aria_current(page: PageOf, item: &str, kind: Option<Kind>) -> Option<&'static str> {
    let this = match page {
        PageOf::Home => "",
        PageOf::List(k) => return (Some(k) == kind).then_some("page"),
        PageOf::Other(path) => path,
        PageOf::Entity(k, _) if Some(k) == kind => return Some("true"),
        PageOf::Entity(k, id) => return (Site::url(k, id) == item).then_some("page"),
    };
    (this == item).then_some("page")
}

/// The dates a report's page shows.
pub fn dates(site: &Site, page: PageOf) -> Option<PageDates> {
    let PageOf::Entity(Kind::Report, id) = page else {
        return None;
    };
    let meta = &site.report(id)?.meta;
    Some(PageDates {
        published: meta.date.human(),
        published_iso: meta.date.iso(),
        updated: meta.updated.map(|d| d.human()),
        updated_iso: meta.updated.map(|d| d.iso()),
    })
}

/// The site's branding for a page, or None when site.yaml sets none.
pub fn brand(linker: &Linker) -> Option<BrandView> {
    let config = &linker.site.config;
    let b = &config.branding;
    let parents: Vec<LinkView> = [&b.department, &b.university]
        .into_iter()
        .flatten()
        .map(|p| LinkView {
            title: p.name.clone(),
            url: p.url.clone(),
        })
        .collect();
    if b.logo.is_none() && !b.has_colours() && parents.is_empty() {
        return None;
    }
    let logo = b
        .logo
        .as_ref()
        .map(|path| linker.url(&crate::paths::slash_name(path)));
    let logo_alt = b
        .logo_alt
        .clone()
        .or_else(|| b.university.as_ref().map(|u| u.name.clone()))
        .or_else(|| config.publisher.clone())
        .unwrap_or_default();
    Some(BrandView {
        logo_url: logo,
        logo_alt,
        logo_link: b.university.as_ref().map(|u| u.url.clone()),
        stylesheet_url: b.has_colours().then(|| linker.url(BRAND_STYLESHEET)),
        parents,
    })
}

pub use crate::config::BRAND_STYLESHEET;
