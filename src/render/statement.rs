//! The generated lists of the accessibility statement: what the build knows does not yet conform,
//! and what it publishes that is outside the accessibility regulations, written into any body
//! where the author puts `<!-- realist:nonconformities -->` or `<!-- realist:out-of-scope -->`
//! on a line of its own (a comment, so other Markdown previews show nothing there).
//!
//! [`generated`] does this, from the site model alone (no page is read again, so rendering the
//! statement costs no pass over the other pages):
//!
//! 1. gather, for every published page with a body, the facts load took from it
//!    ([`crate::load::BodyFacts`]): its tables, its images without alternative text and the other
//!    websites it links to, with those its front matter links to (DOIs, a source's address);
//! 2. count the CMO pages that draw a chain diagram (a CMO with a published chain link either way);
//! 3. for `nonconformities`, write one item for each kind of problem found, naming each page it is
//!    on with a link relative to the statement's page; for `out-of-scope`, the other websites
//!    linked to and the PDF versions the build does not make;
//! 4. where nothing is found, write one sentence saying so, since an empty list reads as a fault.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::Kind;
use crate::resolve::Site;
use crate::text::escape::{escape_attr, escape_text};
use crate::url;

/// A published page with a body, as the statement names it.
struct PageRef {
    title: String,
    url: String,
}

/// What the statement lists, gathered from every published page.
#[derive(Default)]
struct Findings {
    /// (page, how many) for pages with tables.
    tables: Vec<(PageRef, usize)>,
    images: Vec<(PageRef, usize)>,
    /// Host → pages that link to it.
    hosts: BTreeMap<String, usize>,
    pages_linking_out: usize,
    chain_diagrams: usize,
}

/// The HTML of the list `name` for a page `depth` folders deep, or None if realist has no list
/// of that name.
pub fn generated(site: &Site, name: &str, depth: usize) -> Option<String> {
    let findings = gather(site);
    let linked = |p: &PageRef| {
        format!(
            "<a href=\"{}\">{}</a>",
            escape_attr(&url::relative(depth, &p.url)),
            escape_text(&p.title)
        )
    };
    match name {
        "nonconformities" => Some(nonconformities(&findings, &linked)),
        "out-of-scope" => Some(out_of_scope(&findings)),
        _ => None,
    }
}

fn gather(site: &Site) -> Findings {
    let mut f = Findings::default();
    for kind in Kind::ALL {
        for (i, head) in site.content.heads(kind).into_iter().enumerate() {
            if !site.is_published(kind, head.id) {
                continue;
            }
            let facts = &head.outline.facts;
            let page = || PageRef {
                title: site.title(kind, head.id),
                url: Site::url(kind, head.id),
            };
            if facts.tables > 0 {
                f.tables.push((page(), facts.tables));
            }
            if facts.images_without_alt > 0 {
                f.images.push((page(), facts.images_without_alt));
            }
            let mut hosts = facts.hosts.clone();
            hosts.extend(front_matter_hosts(site, kind, i));
            hosts.sort();
            hosts.dedup();
            if !hosts.is_empty() {
                f.pages_linking_out += 1;
            }
            for host in hosts {
                *f.hosts.entry(host).or_default() += 1;
            }
        }
    }
    f.chain_diagrams = site
        .cmos
        .iter()
        .filter(|r| r.published && has_chain(site, r))
        .count();
    f
}

/// The hosts of the links a page prints from its front matter: a report's or a source's DOI
/// (`https://doi.org/…`) and a source's web address.
fn front_matter_hosts(site: &Site, kind: Kind, i: usize) -> Vec<String> {
    let c = &site.content;
    let (doi, web) = match kind {
        Kind::Report => (c.reports[i].meta.doi.as_ref(), None),
        Kind::Source => match &c.entities(kind)[i].meta {
            crate::model::Entity::Source(s) => (s.doi.as_ref(), s.url.as_ref()),
            _ => (None, None),
        },
        _ => (None, None),
    };
    let web = web.and_then(|u| {
        ::url::Url::parse(u)
            .ok()?
            .host_str()
            .map(str::to_ascii_lowercase)
    });
    doi.map(|_| "doi.org".to_string())
        .into_iter()
        .chain(web)
        .collect()
}

/// Whether the CMO's page draws a chain diagram: a published chain link out of it or into it.
fn has_chain(site: &Site, record: &crate::resolve::CmoRecord) -> bool {
    let out = record.cmo.chain.as_ref().is_some_and(|c| {
        c.feeds_context_of
            .iter()
            .chain(&c.refines)
            .chain(&c.contradicts)
            .chain(&c.specialises)
            .any(|r| site.is_published(Kind::Cmo, &r.id))
    });
    out || site
        .backlinks
        .get(&(Kind::Cmo, record.cmo.id.clone()))
        .is_some_and(|b| b.iter().any(|b| b.relation.is_chain()))
}

/// "1 table", "3 tables".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The pages, each with its count when it has more than one, as a sentence's list.
fn pages_list(pages: &[(PageRef, usize)], linked: &dyn Fn(&PageRef) -> String) -> String {
    let items: Vec<String> = pages
        .iter()
        .map(|(p, n)| match n {
            1 => linked(p),
            n => format!("{} ({n})", linked(p)),
        })
        .collect();
    items.join(", ")
}

fn nonconformities(f: &Findings, linked: &dyn Fn(&PageRef) -> String) -> String {
    let mut items = Vec::new();
    if !f.images.is_empty() {
        let n: usize = f.images.iter().map(|(_, n)| n).sum();
        items.push(format!(
            "<strong>Images without a text alternative</strong> (WCAG 1.1.1 Non-text content). \
{} on {} {} no description, so screen reader users do not know what they show: {}.",
            count(n, "image", "images"),
            count(f.images.len(), "page", "pages"),
            if n == 1 { "has" } else { "have" },
            pages_list(&f.images, linked)
        ));
    }
    if !f.tables.is_empty() {
        let n: usize = f.tables.iter().map(|(_, n)| n).sum();
        items.push(format!(
            "<strong>Tables without a caption</strong> (WCAG 1.3.1 Info and relationships). \
{} in the text of {} {} no caption, so a screen reader announces {} without saying what {} \
shows: {}.",
            count(n, "table", "tables"),
            count(f.tables.len(), "page", "pages"),
            if n == 1 { "has" } else { "have" },
            if n == 1 { "it" } else { "them" },
            if n == 1 { "it" } else { "each" },
            pages_list(&f.tables, linked)
        ));
    }
    if f.chain_diagrams > 0 {
        items.push(format!(
            "<strong>Chain diagrams</strong> (WCAG 1.1.1 Non-text content). {} {} a diagram of \
how the CMO links to others. The diagram is a picture; its text alternative is the list of the \
same links next to it, which gives the links but not the diagram's layout.",
            count(f.chain_diagrams, "CMO page", "CMO pages"),
            if f.chain_diagrams == 1 {
                "draws"
            } else {
                "draw"
            },
        ));
    }
    if items.is_empty() {
        return "<p class=\"nonconformities\">The checks made when this website was built found \
no content that does not conform.</p>\n"
            .into();
    }
    list(&items)
}

fn out_of_scope(f: &Findings) -> String {
    let mut items = vec![
        "<strong>PDF versions.</strong> This website publishes every report \
as a web page and makes no PDF versions of its pages."
            .to_string(),
    ];
    if !f.hosts.is_empty() {
        let mut hosts: Vec<(&String, &usize)> = f.hosts.iter().collect();
        // The websites most linked to first, so a long list starts with what matters.
        hosts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = hosts.iter().take(10).map(|(h, _)| escape_text(h)).collect();
        let more = hosts.len().saturating_sub(shown.len());
        let more = if more > 0 {
            format!(" and {}", count(more, "other", "others"))
        } else {
            String::new()
        };
        items.push(format!(
            "<strong>Third-party content.</strong> {} {} to {} that we do not control ({}{more}).",
            count(f.pages_linking_out, "page", "pages"),
            if f.pages_linking_out == 1 {
                "links"
            } else {
                "link"
            },
            count(hosts.len(), "other website", "other websites"),
            shown.join(", "),
        ));
    }
    list(&items)
}

fn list(items: &[String]) -> String {
    let mut html = String::from("<ul class=\"nonconformities\">\n");
    for item in items {
        let _ = writeln!(html, "<li>{item}</li>");
    }
    html.push_str("</ul>\n");
    html
}
