//! Building the view model of each kind of page, one file per page kind. Every builder returns a
//! [`Built`]; the generic renderer in `render/mod.rs` does the rest:
//!
//! 1. [`build`] picks the builder for a [`PageSpec`];
//! 2. the builder reads the [`Site`] through a [`Linker`](super::views::Linker), so every URL in
//!    its view is relative to the page;
//! 3. it renders the page's Markdown body, if it has one, collecting problems and links;
//! 4. [`finish`] (or a builder's own [`Built`]) hands the view, the template and the source file
//!    back to the renderer.

mod cmo;
mod entity;
mod exports;
mod glossary;
mod home;
mod list;
mod matrix;
mod report;
mod simple;

use super::views::CmoSummary;
use super::{Built, PageSpec, Renderer};
use crate::model::Kind;
use crate::resolve::Site;

#[cfg(test)]
pub use exports::described_paths as exports_described;
pub(crate) use glossary::shown_expansion;
pub use report::report_type_label;

pub fn build(r: &Renderer, spec: &PageSpec) -> Built {
    let mut built = build_view(r, spec);
    // Every page's head: a description of its own and its Open Graph type, from the view just
    // built (for the body's first paragraph), so that no builder has to remember them.
    let meta = super::meta::page_meta(r.site, spec, built.context.get("page"));
    built.context.insert("meta", &meta);
    built
}

fn build_view(r: &Renderer, spec: &PageSpec) -> Built {
    match spec {
        PageSpec::Home => home::home(r),
        PageSpec::List(kind) => list::list(r, *kind),
        PageSpec::Matrix => matrix::matrix(r),
        PageSpec::Glossary => glossary::glossary(r),
        PageSpec::Exports => exports::exports(r),
        PageSpec::Search => simple::simple(r, "search/index.html", "search.html", "Search"),
        PageSpec::NotFound => simple::simple(r, "404.html", "404.html", "Page not found"),
        PageSpec::Report(i) => report::report(r, *i),
        PageSpec::Cmo(i) => cmo::cmo(r, *i),
        PageSpec::Entity(kind, i) => entity::entity(r, *kind, *i),
        PageSpec::Theme(id) => entity::theme(r, id),
    }
}

/// A page with no source file of its own.
fn finish(path: String, template: &'static str, context: tera::Context) -> Built {
    Built {
        path,
        template,
        context,
        source: None,
        md_links: Vec::new(),
        problems: Vec::new(),
        assets: Vec::new(),
    }
}

/// The file an entity's page is written to.
fn page_path(kind: Kind, id: &str) -> String {
    crate::url::page_file(&Site::url(kind, id))
}

/// CMO summaries sorted by id, each once.
fn dedup_cmos(mut cmos: Vec<CmoSummary>) -> Vec<CmoSummary> {
    cmos.sort_by(|a, b| a.id.cmp(&b.id));
    cmos.dedup_by(|a, b| a.id == b.id);
    cmos
}
