//! The chain diagram of a CMO page: CMOs whose outcomes feed this one on the left, this CMO in the
//! middle, the CMOs it leads to on the right. Drawn as a small SVG by hand (no graph-layout crate
//! is needed for one column either side), always next to a text list that says the same thing.

use serde::Serialize;

use super::views::Linker;
use crate::model::Kind;
use crate::resolve::{CmoRecord, Site};
use crate::text::escape::escape_text;

#[derive(Debug, Clone, Serialize)]
pub struct ChainLink {
    pub relation: String,
    pub title: String,
    pub url: String,
}

/// Outgoing chain links as written, and incoming ones generated from backlinks.
pub fn links(linker: &Linker, record: &CmoRecord) -> (Vec<ChainLink>, Vec<ChainLink>) {
    let site = linker.site;
    let link = |relation: &str, id: &str| ChainLink {
        relation: relation.into(),
        title: site.title(Kind::Cmo, id),
        url: linker.url(&Site::url(Kind::Cmo, id)),
    };
    let mut out = Vec::new();
    if let Some(chain) = &record.cmo.chain {
        let published = |id: &str| site.is_published(Kind::Cmo, id);
        chain
            .feeds_context_of
            .iter()
            .filter(|r| published(&r.id))
            .for_each(|r| out.push(link("Its outcome feeds the context of", &r.id)));
        chain
            .refines
            .iter()
            .filter(|r| published(&r.id))
            .for_each(|r| out.push(link("Refines", &r.id)));
        chain
            .contradicts
            .iter()
            .filter(|r| published(&r.id))
            .for_each(|r| out.push(link("Contradicts", &r.id)));
        chain
            .specialises
            .iter()
            .filter(|r| published(&r.id))
            .for_each(|r| out.push(link("Specialises", &r.id)));
    }
    let mut incoming = Vec::new();
    for b in site
        .backlinks
        .get(&(Kind::Cmo, record.cmo.id.clone()))
        .into_iter()
        .flatten()
    {
        // The registry names the chain relations and their labels, so a new one is drawn too.
        if b.relation.is_chain() {
            incoming.push(link(b.relation.inverse_label(), &b.from_id));
        }
    }
    (out, incoming)
}

const W: usize = 720;
const BOX_W: usize = 200;
const BOX_H: usize = 64;
const GAP: usize = 16;

/// The SVG, or an empty string when the CMO is in no chain.
pub fn svg(title: &str, out: &[ChainLink], incoming: &[ChainLink]) -> String {
    if out.is_empty() && incoming.is_empty() {
        return String::new();
    }
    let rows = out.len().max(incoming.len()).max(1);
    let height = rows * (BOX_H + GAP) + GAP;
    let centre_y = (height - BOX_H) / 2;
    let mut s = format!(
        "<svg class=\"chain\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-labelledby=\"chain-title chain-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"chain-title\">Chain diagram for {}</title><desc id=\"chain-desc\">{} incoming and {} outgoing chain links; the list below gives them as text.</desc>\
<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" class=\"chain-arrow\"/></marker></defs>",
        escape_text(title), incoming.len(), out.len()
    );
    let middle_x = (W - BOX_W) / 2;
    for (i, l) in incoming.iter().enumerate() {
        let y = GAP + i * (BOX_H + GAP);
        s.push_str(&node(0, y, l, false));
        s.push_str(&format!("<line x1=\"{BOX_W}\" y1=\"{}\" x2=\"{middle_x}\" y2=\"{}\" class=\"chain-edge\" marker-end=\"url(#arrow)\"/>", y + BOX_H / 2, centre_y + BOX_H / 2));
    }
    s.push_str(&node(
        middle_x,
        centre_y,
        &ChainLink {
            relation: String::new(),
            title: title.into(),
            url: String::new(),
        },
        true,
    ));
    for (i, l) in out.iter().enumerate() {
        let y = GAP + i * (BOX_H + GAP);
        s.push_str(&format!("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"chain-edge\" marker-end=\"url(#arrow)\"/>", middle_x + BOX_W, centre_y + BOX_H / 2, W - BOX_W, y + BOX_H / 2));
        s.push_str(&node(W - BOX_W, y, l, false));
    }
    s.push_str("</svg>");
    s
}

fn node(x: usize, y: usize, link: &ChainLink, current: bool) -> String {
    let class = if current {
        "chain-node current"
    } else {
        "chain-node"
    };
    let mut lines = wrap(&link.title, 28);
    lines.truncate(3);
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "<tspan x=\"{}\" y=\"{}\">{}</tspan>",
                x + 10,
                y + 20 + i * 16,
                escape_text(l)
            )
        })
        .collect();
    // No links inside the diagram: a role="img" element must not contain interactive controls;
    // the lists beside the diagram carry the links.
    format!("<rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\" class=\"{class}\"/><text class=\"chain-label\">{text}</text>")
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("lines is never empty");
        if !last.is_empty() && last.chars().count() + word.chars().count() + 1 > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::fixture;

    /// A CMO's diagram shows every chain link that points to it, with the registry's label of its
    /// relation, and no other backlink.
    #[test]
    fn incoming_links_are_every_chain_backlink() {
        let cmos = format!(
            "cmos:\n{}{}{}{}{}",
            fixture::inline_cmo(
                "c1",
                "{feeds_context_of: [cmo/c2], refines: cmo/c3, contradicts: [cmo/c4], specialises: [cmo/c5]}"
            ),
            fixture::inline_cmo("c2", ""),
            fixture::inline_cmo("c3", ""),
            fixture::inline_cmo("c4", ""),
            fixture::inline_cmo("c5", ""),
        );
        let (site, _) = fixture::site(&[fixture::report("r", "published", &cmos)]);
        let linker = Linker {
            site: &site,
            depth: 2,
        };
        let mut chained = 0;
        for record in &site.cmos {
            let (_, incoming) = links(&linker, record);
            let mut expected: Vec<&str> = site
                .backlinks
                .get(&(Kind::Cmo, record.cmo.id.clone()))
                .into_iter()
                .flatten()
                .filter(|b| b.relation.is_chain())
                .map(|b| b.relation.inverse_label())
                .collect();
            chained += expected.len();
            let mut shown: Vec<&str> = incoming.iter().map(|l| l.relation.as_str()).collect();
            expected.sort();
            shown.sort();
            assert_eq!(shown, expected, "{}", record.cmo.id);
        }
        assert_eq!(chained, 4);
    }
}
