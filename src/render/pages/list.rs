//! The list page of a kind (`reports/index.html`, `tracers/index.html` …): every entity of the
//! kind with a short note, and the kind's introduction from the registry.

use serde::Serialize;

use super::super::views::{Item, Linker};
use super::super::{context, Built, Renderer};
use super::finish;
use super::report::report_type_label;
use crate::model::{Kind, ListPage as Listed, Store};
use crate::resolve::Site;

#[derive(Serialize)]
struct ListPage {
    title: String,
    kind: String,
    intro: String,
    items: Vec<Item>,
}

pub(super) fn list(r: &Renderer, kind: Kind) -> Built {
    let path = crate::url::page_file(&kind.list_url());
    let linker = Linker {
        site: r.site,
        depth: 1,
    };
    let mut items: Vec<Item> = notes(r.site, kind)
        .into_iter()
        .map(|(id, note)| {
            let l = linker.entity(kind, &id);
            Item {
                title: l.title,
                url: l.url,
                note,
            }
        })
        .collect();
    if kind.info().store == Store::Reports {
        sort_newest_first(r.site, &mut items);
    } else {
        items.sort_by(|a, b| a.title.cmp(&b.title));
    }
    let intro = match kind.info().list {
        Listed::Always(intro) | Listed::IfAny(intro) => intro,
        Listed::Never => "",
    };
    let page = ListPage {
        title: kind.label(true).into(),
        kind: kind.name().into(),
        intro: intro.into(),
        items,
    };
    let common = r.common(&path, Some(kind));
    finish(path, "list.html", context(&common, &page))
}

/// (id, note) of every published entity of `kind`.
fn notes(site: &Site, kind: Kind) -> Vec<(String, String)> {
    let c = &site.content;
    match kind.info().store {
        Store::Reports => c
            .reports
            .iter()
            .filter(|d| site.is_published(Kind::Report, &d.id))
            .map(|d| {
                let note = format!("{} · {}", report_type_label(&d.meta), d.meta.date.human());
                (d.id.clone(), note)
            })
            .collect(),
        Store::Entities => c
            .entities(kind)
            .iter()
            .map(|d| (d.id.clone(), d.meta.list_note()))
            .collect(),
        // Themes are the only kind made from other entities' lists.
        Store::Derived => site
            .themes
            .iter()
            .map(|(id, (rep, cm))| {
                let reports = super::super::views::count(rep.len(), "report", "reports");
                let note = format!(
                    "{reports}, {}",
                    super::super::views::count(cm.len(), "CMO", "CMOs")
                );
                (id.clone(), note)
            })
            .collect(),
        // CMOs are listed by the matrix page.
        Store::Cmos => Vec::new(),
    }
}

/// Reports newest first, then by title.
fn sort_newest_first(site: &Site, items: &mut [Item]) {
    let dates: std::collections::HashMap<&str, _> = site
        .content
        .reports
        .iter()
        .map(|d| (d.id.as_str(), d.meta.date))
        .collect();
    items.sort_by(|a, b| {
        let key = |i: &Item| {
            dates
                .get(i.url.trim_end_matches('/').rsplit('/').next().unwrap_or(""))
                .copied()
        };
        key(b).cmp(&key(a)).then(a.title.cmp(&b.title))
    });
}
