//! The home page: the headline findings first, then studies, tracers, the latest reports and the
//! site's counts.
//!
//! The findings are the `highlights:` of site.yaml, or, when it names none, the first key point of
//! each of the latest reports, so that a new site shows findings before it chooses any.

use serde::Serialize;

use super::super::views::{Item, Linker};
use super::super::{context, Built, Renderer};
use super::finish;
use super::report::report_type_label;
use crate::model::{enum_label, enum_value, Kind};
use crate::resolve::Site;

/// How many reports' key points stand in for highlights that site.yaml does not set.
const DEFAULT_HIGHLIGHTS: usize = 3;

#[derive(Serialize)]
struct HomePage {
    title: String,
    description: Option<String>,
    /// Whether the findings were chosen in site.yaml (else they are the latest key points).
    chosen: bool,
    highlights: Vec<HighlightView>,
    studies: Vec<Item>,
    tracers: Vec<Item>,
    latest: Vec<Item>,
    counts: Vec<(String, usize, String)>,
}

/// One headline finding: a message (or the page's title) linked to the page it comes from.
#[derive(Serialize)]
struct HighlightView {
    text: Option<String>,
    title: String,
    url: String,
    /// A CMO's status, shown as a badge.
    status: Option<String>,
    status_label: Option<String>,
}

pub(super) fn home(r: &Renderer) -> Built {
    let path = "index.html".to_string();
    let site = r.site;
    let c = &site.content;
    let linker = Linker { site, depth: 0 };
    let item = |kind: Kind, id: &str, note: String| {
        let l = linker.entity(kind, id);
        Item {
            title: l.title,
            url: l.url,
            note,
        }
    };
    let mut latest: Vec<_> = c
        .reports
        .iter()
        .filter(|d| site.is_published(Kind::Report, &d.id))
        .collect();
    latest.sort_by(|a, b| b.meta.date.cmp(&a.meta.date).then(a.id.cmp(&b.id)));
    let published_cmos = site.cmos.iter().filter(|c| c.published).count();
    let count = |kind: Kind| {
        let url = linker.url(&kind.list_url());
        let n = c.entities(kind).len();
        (kind.label(n != 1).to_string(), n, url)
    };
    let page = HomePage {
        title: site.config.title.clone(),
        description: site.config.description.clone(),
        studies: c
            .entities(Kind::Study)
            .iter()
            .map(|d| item(Kind::Study, &d.id, d.meta.list_note()))
            .collect(),
        tracers: c
            .entities(Kind::Tracer)
            .iter()
            .map(|d| {
                let study = d.meta.study().map(|s| site.title(Kind::Study, &s.id));
                item(Kind::Tracer, &d.id, study.unwrap_or_default())
            })
            .collect(),
        latest: latest
            .iter()
            .take(10)
            .map(|d| {
                item(
                    Kind::Report,
                    &d.id,
                    format!("{} · {}", report_type_label(&d.meta), d.meta.date.human()),
                )
            })
            .collect(),
        counts: vec![
            (
                Kind::Report.label(latest.len() != 1).into(),
                latest.len(),
                linker.url(&Kind::Report.list_url()),
            ),
            (
                Kind::Cmo.label(published_cmos != 1).into(),
                published_cmos,
                linker.url(&Kind::Cmo.list_url()),
            ),
            count(Kind::Tracer),
            count(Kind::Area),
            count(Kind::Theory),
        ],
        chosen: !site.config.highlights.is_empty(),
        highlights: if site.config.highlights.is_empty() {
            latest_key_points(&linker, &latest)
        } else {
            chosen_highlights(&linker)
        },
    };
    let common = r.common(&path, None);
    finish(path, "home.html", context(&common, &page))
}

/// The `highlights:` of site.yaml whose pages are published (the check stage reports the others).
fn chosen_highlights(linker: &Linker) -> Vec<HighlightView> {
    let site = linker.site;
    let published = |h: &&crate::config::Highlight| site.is_published(h.link.kind, &h.link.id);
    let highlights = site.config.highlights.iter().filter(published);
    highlights
        .map(|h| {
            let page = Site::url(h.link.kind, &h.link.id);
            let target = match &h.link.anchor {
                Some(anchor) => format!("{page}#{anchor}"),
                None => page,
            };
            let cmo = (h.link.kind == Kind::Cmo)
                .then(|| site.cmo(&h.link.id))
                .flatten();
            HighlightView {
                text: h.words.clone(),
                title: site.title(h.link.kind, &h.link.id),
                url: linker.url(&target),
                status: cmo.map(|r| enum_value(&r.cmo.status)),
                status_label: cmo.map(|r| enum_label(&r.cmo.status)),
            }
        })
        .collect()
}

/// The first key point of each of the latest reports, newest first.
fn latest_key_points(
    linker: &Linker,
    latest: &[&crate::load::Document<crate::model::Report>],
) -> Vec<HighlightView> {
    let with_points = latest.iter().filter(|d| !d.meta.summary.is_empty());
    with_points
        .take(DEFAULT_HIGHLIGHTS)
        .map(|d| {
            let link = linker.entity(Kind::Report, &d.id);
            HighlightView {
                text: d.meta.summary.first().cloned(),
                title: link.title,
                url: link.url,
                status: None,
                status_label: None,
            }
        })
        .collect()
}
