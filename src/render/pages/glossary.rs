//! The glossary page: every term of `content/glossary.yaml`, sorted.

use serde::Serialize;

use super::super::views::LinkView;
use super::super::{context, Built, Renderer};
use super::finish;

#[derive(Serialize)]
struct GlossaryPage {
    title: String,
    entries: Vec<GlossaryView>,
}

#[derive(Serialize)]
struct GlossaryView {
    id: String,
    term: String,
    expansion: Option<String>,
    definition: String,
    see_also: Vec<LinkView>,
}

pub(super) fn glossary(r: &Renderer) -> Built {
    let path = "glossary/index.html".to_string();
    let anchors = super::super::glossary_anchors(&r.site.content.glossary);
    let anchor = |term: &str| anchors.get(term).cloned().unwrap_or_default();
    let mut entries: Vec<GlossaryView> = r
        .site
        .content
        .glossary
        .iter()
        .map(|e| GlossaryView {
            id: anchor(&e.term),
            term: e.term.clone(),
            expansion: e.expansion.clone(),
            definition: e.definition.clone(),
            see_also: e
                .see_also
                .iter()
                // An unknown term is reported by the glossary check; do not also print a broken link.
                .filter(|s| r.site.content.glossary.iter().any(|g| &g.term == *s))
                .map(|s| LinkView {
                    title: s.clone(),
                    url: format!("#{}", anchor(s)),
                })
                .collect(),
        })
        .collect();
    entries.sort_by_key(|e| e.term.to_lowercase());
    let page = GlossaryPage {
        title: "Glossary".into(),
        entries,
    };
    let common = r.common(&path, None);
    finish(path, "glossary.html", context(&common, &page))
}
