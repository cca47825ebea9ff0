//! The home page: studies, tracers, the latest reports and the site's counts.

use serde::Serialize;

use super::super::views::{Item, Linker};
use super::super::{context, Built, Renderer};
use super::finish;
use super::report::report_type_label;
use crate::model::Kind;

#[derive(Serialize)]
struct HomePage {
    title: String,
    description: Option<String>,
    studies: Vec<Item>,
    tracers: Vec<Item>,
    latest: Vec<Item>,
    counts: Vec<(String, usize, String)>,
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
        (kind.label(true).to_string(), c.entities(kind).len(), url)
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
                "Reports".into(),
                latest.len(),
                linker.url(&Kind::Report.list_url()),
            ),
            (
                "CMO configurations".into(),
                published_cmos,
                linker.url(&Kind::Cmo.list_url()),
            ),
            count(Kind::Tracer),
            count(Kind::Area),
            count(Kind::Theory),
        ],
    };
    let common = r.common(&path, None);
    finish(path, "home.html", context(&common, &page))
}
