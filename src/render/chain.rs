//! The chain diagram of a CMO page: the CMOs that link to this one, this CMO, and the CMOs it
//! links to, drawn as inline SVG by hand (no graph-layout crate is needed for one ring of
//! neighbours), always next to a text list that says the same thing.
//!
//! 1. [`links`] collects the chain links: outgoing ones as written, incoming ones from the
//!    backlinks, each with its [`Relation`].
//! 2. [`svg`] lays the same diagram out twice: wide (three columns) and narrow (one column, the
//!    edges running in a gutter on the left). The stylesheet shows one of them by a media query,
//!    and each is sized so that its labels render at 12 CSS px or more where it is shown.
//! 3. Each label is wrapped by a conservative estimate of its rendered width ([`text_width`],
//!    from a wide sans-serif font) and each node grows to hold its lines, so no line reaches its
//!    node's border.
//! 4. Every node but the page's own CMO is a link to its page; each relation has its own dash
//!    pattern and arrowhead ([`style`]), which the [`legend`] beneath the diagram explains.

use serde::Serialize;

use super::views::Linker;
use crate::model::Kind;
use crate::resolve::{CmoRecord, Relation, Site};
use crate::text::escape::{escape_attr, escape_text};

#[derive(Debug, Clone, Serialize)]
pub struct ChainLink {
    pub relation: String,
    /// Which chain relation this is, for its line style.
    pub kind: Relation,
    pub title: String,
    pub url: String,
}

/// Outgoing chain links as written, and incoming ones generated from backlinks.
pub fn links(linker: &Linker, record: &CmoRecord) -> (Vec<ChainLink>, Vec<ChainLink>) {
    let site = linker.site;
    let link = |relation: &str, kind: Relation, id: &str| ChainLink {
        relation: relation.into(),
        kind,
        title: site.title(Kind::Cmo, id),
        url: linker.url(&Site::url(Kind::Cmo, id)),
    };
    let mut out = Vec::new();
    if let Some(chain) = &record.cmo.chain {
        let published = |id: &str| site.is_published(Kind::Cmo, id);
        let refs: [(Vec<&crate::model::Ref>, Relation, &str); 4] = [
            (
                chain.feeds_context_of.iter().collect(),
                Relation::FeedsContextOf,
                "Its outcome feeds the context of",
            ),
            (chain.refines.iter().collect(), Relation::Refines, "Refines"),
            (
                chain.contradicts.iter().collect(),
                Relation::Contradicts,
                "Contradicts",
            ),
            (
                chain.specialises.iter().collect(),
                Relation::Specialises,
                "Specialises",
            ),
        ];
        for (refs, kind, label) in refs {
            refs.iter()
                .filter(|r| published(&r.id))
                .for_each(|r| out.push(link(label, kind, &r.id)));
        }
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
            incoming.push(link(b.relation.inverse_label(), b.relation, &b.from_id));
        }
    }
    (out, incoming)
}

/// How a relation is drawn: its dash pattern (empty for a solid line), the shape of its
/// arrowhead, and its name in the legend.
struct Style {
    dash: &'static str,
    head: &'static str,
    name: &'static str,
}

/// Each relation's line differs in two ways besides colour (which it does not use): dashes and
/// arrowhead. A relation the diagram does not know yet is drawn as a plain thin dashed line.
fn style(r: Relation) -> Style {
    let (dash, head, name) = match r {
        Relation::FeedsContextOf => ("", "M0,0 L10,5 L0,10 z", "its outcome feeds the context of"),
        Relation::Refines => ("8 4", "M1,1 L10,5 L1,9", "refines"),
        Relation::Contradicts => ("2 4", "M7,0 L10,0 L10,10 L7,10 z", "contradicts"),
        Relation::Specialises => ("12 4 3 4", "M0,1 L10,5 L0,9 z", "specialises"),
        _ => ("4 4", "M1,1 L10,5 L1,9", "is linked to"),
    };
    Style { dash, head, name }
}

/// The class of a relation's arrowhead: filled, open (a chevron) or hollow (filled with the
/// background).
fn head_class(r: Relation) -> &'static str {
    match r {
        Relation::Refines => "chain-head open",
        Relation::Specialises => "chain-head hollow",
        Relation::FeedsContextOf | Relation::Contradicts => "chain-head",
        _ => "chain-head open",
    }
}

const CHAIN_RELATIONS: [Relation; 4] = [
    Relation::FeedsContextOf,
    Relation::Refines,
    Relation::Contradicts,
    Relation::Specialises,
];

fn relation_slug(r: Relation) -> String {
    crate::model::enum_value(&r)
}

/// The relations of these links, each once.
fn used(out: &[ChainLink], incoming: &[ChainLink]) -> Vec<Relation> {
    let mut used: Vec<Relation> = out.iter().chain(incoming).map(|l| l.kind).collect();
    used.sort();
    used.dedup();
    used
}

/// One arrowhead marker per relation, with ids under `prefix`: each SVG has its own, since a
/// marker inside an SVG that is not displayed is not drawn elsewhere either.
fn markers(prefix: &str, relations: &[Relation]) -> String {
    let mut s = String::from("<defs>");
    for &r in relations.iter().filter(|r| CHAIN_RELATIONS.contains(r)) {
        let st = style(r);
        s.push_str(&format!(
            "<marker id=\"{prefix}-{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"12\" markerHeight=\"12\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path d=\"{}\" class=\"{}\"/></marker>",
            relation_slug(r),
            st.head,
            head_class(r)
        ));
    }
    s.push_str("</defs>");
    s
}

/// An edge drawn along `path` in the style of `r`.
fn edge(prefix: &str, r: Relation, path: &str) -> String {
    let st = style(r);
    let dash = if st.dash.is_empty() {
        String::new()
    } else {
        format!(" stroke-dasharray=\"{}\"", st.dash)
    };
    let marker = if CHAIN_RELATIONS.contains(&r) {
        format!(" marker-end=\"url(#{prefix}-{})\"", relation_slug(r))
    } else {
        String::new()
    };
    format!("<path d=\"{path}\" class=\"chain-edge\" fill=\"none\"{dash}{marker}/>")
}

/// The legend of the relations drawn in this diagram, as an HTML list with a sample of each line.
pub fn legend(out: &[ChainLink], incoming: &[ChainLink]) -> String {
    let used = used(out, incoming);
    if used.is_empty() {
        return String::new();
    }
    let mut s = String::from("<ul class=\"chain-legend\">");
    for r in used {
        s.push_str(&format!(
            "<li><svg class=\"chain-swatch\" viewBox=\"0 0 48 12\" width=\"48\" height=\"12\" aria-hidden=\"true\" focusable=\"false\">{}{}</svg> {}</li>",
            markers(&format!("chain-key-{}", relation_slug(r)), &[r]),
            edge(&format!("chain-key-{}", relation_slug(r)), r, "M2,6 H46"),
            style(r).name
        ));
    }
    s.push_str("</ul>");
    s
}

/// A typeface's measure of a text, in ems, erring wide: per-character widths a little above
/// DejaVu Sans's (one of the widest common sans-serif faces, and Linux's usual `system-ui`), so
/// a label never needs more room than the layout gave it in any common font.
pub(crate) fn text_width(text: &str, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | 'I' | '(' | ')'
            | '[' | ']' | '‘' | '’' => 0.40,
            'f' | 't' | 'r' | '-' => 0.46,
            'm' | 'w' | 'M' | 'W' | '—' | '%' | '@' => 1.02,
            'A'..='Z' => 0.82,
            'a'..='z' | '0'..='9' => 0.66,
            c if c.is_ascii() => 0.72,
            // Anything else (accented letters, other scripts, symbols) may be as wide as an em.
            _ => 1.05,
        })
        .sum();
    if bold {
        em * 1.15
    } else {
        em
    }
}

/// The most lines a label takes; a longer title ends in an ellipsis (the text list beside the
/// diagram gives it in full).
const MAX_LINES: usize = 5;

/// `text` broken into lines at most `width` ems wide (a word longer than a line is broken too).
///
/// Widths are sums of per-character widths, so each line's width is kept as it grows rather than
/// measured again for every word: this runs for every label of every chain diagram, twice.
fn wrap(text: &str, width: f64, bold: bool) -> Vec<String> {
    // A hair of slack, so that summing the same widths in another order never tips a line over.
    let width = width - 1e-9;
    let space = text_width(" ", bold);
    let mut lines: Vec<String> = vec![String::new()];
    let mut used = 0.0;
    for word in text.split_whitespace() {
        let w = text_width(word, bold);
        let last = lines.last_mut().expect("lines is never empty");
        if last.is_empty() && w <= width {
            last.push_str(word);
            used = w;
        } else if !last.is_empty() && used + space + w <= width {
            last.push(' ');
            last.push_str(word);
            used += space + w;
        } else {
            used = break_word(&mut lines, word, width, bold);
        }
    }
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        let last = lines.last_mut().expect("MAX_LINES is above 0");
        let mut used = text_width(last, bold) + text_width("…", bold);
        while used > width {
            let Some(c) = last.pop() else { break };
            used -= text_width(c.encode_utf8(&mut [0; 4]), bold);
        }
        last.push('…');
    }
    lines
}

/// Starts a new line with `word`, broken into as many lines as it needs; returns the width of
/// the last line.
fn break_word(lines: &mut Vec<String>, word: &str, width: f64, bold: bool) -> f64 {
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    let mut piece = String::new();
    let mut used = 0.0;
    for c in word.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]), bold);
        if !piece.is_empty() && used + w > width {
            lines.push(std::mem::take(&mut piece));
            used = 0.0;
        }
        piece.push(c);
        used += w;
    }
    lines.push(piece);
    used
}

/// The measures of one variant of the diagram, in the SVG's units.
struct Variant {
    name: &'static str,
    width: usize,
    font: usize,
    line: usize,
}

/// Shown from 40em: at its narrowest (a 640 px window less the page's margins, about 576 px)
/// a 16-unit font renders at 12.8 px.
const WIDE: Variant = Variant {
    name: "wide",
    width: 720,
    font: 16,
    line: 20,
};

/// Shown below 40em and at most 24rem wide: on a 320 px screen (about 256 to 288 px for the
/// figure) a 15-unit font renders at 12.8 to 14.4 px.
const NARROW: Variant = Variant {
    name: "narrow",
    width: 300,
    font: 15,
    line: 19,
};

/// The space between a node's border and its text.
const PAD: usize = 10;
/// The space between two nodes of a column.
const GAP: usize = 14;

/// One box of the diagram: a CMO, and the link to its page unless it is the page's own.
struct Node<'a> {
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    lines: Vec<String>,
    url: Option<&'a str>,
}

impl Variant {
    fn node<'a>(&self, x: usize, w: usize, title: &str, url: Option<&'a str>) -> Node<'a> {
        let lines = wrap(
            title,
            (w - 2 * PAD) as f64 / self.font as f64,
            url.is_none(),
        );
        // Room for the first line's ascent and the last line's descent (1.25 em) beside the
        // line pitch between baselines.
        let h = 2 * PAD + (lines.len() - 1) * self.line + (self.font * 5).div_ceil(4);
        Node {
            x,
            y: 0,
            w,
            h,
            lines,
            url,
        }
    }

    /// The links' nodes in a column at `x`, one under the other from `y`; returns where the
    /// column ends.
    fn column<'a>(&self, links: &'a [ChainLink], x: usize, w: usize, y: usize) -> Vec<Node<'a>> {
        let mut y = y;
        links
            .iter()
            .map(|l| {
                let mut n = self.node(x, w, &l.title, Some(&l.url));
                n.y = y;
                y += n.h + GAP;
                n
            })
            .collect()
    }

    fn draw(&self, n: &Node) -> String {
        let text: String = n
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                // The baseline sits 0.95 em under the top of the line box.
                let y = (n.y + PAD + i * self.line) as f64 + self.font as f64 * 0.95;
                format!(
                    "<tspan x=\"{}\" y=\"{y:.1}\">{}</tspan>",
                    n.x + PAD,
                    escape_text(l)
                )
            })
            .collect();
        let body = format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\" class=\"chain-node\"/><text class=\"chain-text\" font-size=\"{}\">{text}</text>",
            n.x, n.y, n.w, n.h, self.font
        );
        match n.url {
            Some(url) => format!(
                "<a href=\"{}\" class=\"chain-link\">{body}</a>",
                escape_attr(url)
            ),
            None => format!("<g class=\"chain-current\">{body}</g>"),
        }
    }

    /// The `<svg>` element around a drawing of `height` units.
    fn frame(&self, height: usize, body: &str, title: &str, links: Links) -> String {
        let (w, name) = (self.width, self.name);
        format!(
            "<svg class=\"chain-diagram chain-{name}\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" role=\"group\" aria-labelledby=\"chain-title-{name}\" aria-describedby=\"chain-desc-{name}\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"chain-title-{name}\">Chain diagram for {}</title><desc id=\"chain-desc-{name}\">{} incoming and {} outgoing chain links; the list below gives them as text.</desc>{}{body}</svg>",
            escape_text(title),
            links.1.len(),
            links.0.len(),
            markers(&format!("chain-{name}"), &used(links.0, links.1))
        )
    }
}

/// The outgoing and the incoming links of a diagram.
type Links<'a> = (&'a [ChainLink], &'a [ChainLink]);

fn middle(n: &Node) -> usize {
    n.y + n.h / 2
}

/// Three columns: the CMOs linking here, this CMO, the CMOs it links to; each column centred
/// on the tallest, and each edge ending at its own point of this CMO's side.
fn wide(title: &str, out: &[ChainLink], incoming: &[ChainLink]) -> String {
    let v = WIDE;
    let bw = 210;
    let (mid_x, right_x) = ((v.width - bw) / 2, v.width - bw);
    let mut left = v.column(incoming, 0, bw, GAP);
    let mut right = v.column(out, right_x, bw, GAP);
    let mut current = v.node(mid_x, bw, title, None);
    let extent = |c: &[Node]| c.iter().map(|n| n.h + GAP).sum::<usize>();
    let height = extent(&left).max(extent(&right)).max(current.h + GAP) + GAP;
    for column in [&mut left, &mut right] {
        let shift = (height - extent(column) - GAP) / 2;
        column.iter_mut().for_each(|n| n.y += shift);
    }
    current.y = (height - current.h) / 2;
    let port = |i: usize, n: usize| current.y + (i + 1) * current.h / (n + 1);
    let mut body = String::new();
    for (i, (n, l)) in left.iter().zip(incoming).enumerate() {
        let path = format!("M{bw},{} L{mid_x},{}", middle(n), port(i, left.len()));
        body.push_str(&edge("chain-wide", l.kind, &path));
    }
    for (i, (n, l)) in right.iter().zip(out).enumerate() {
        let path = format!(
            "M{},{} L{right_x},{}",
            mid_x + bw,
            port(i, right.len()),
            middle(n)
        );
        body.push_str(&edge("chain-wide", l.kind, &path));
    }
    for n in left.iter().chain(&right).chain([&current]) {
        body.push_str(&v.draw(n));
    }
    v.frame(height, &body, title, (out, incoming))
}

/// One column: the CMOs linking here, this CMO across the whole width, the CMOs it links to.
/// Each edge has its own lane in a gutter on the left, ordered so that no two cross.
fn narrow(title: &str, out: &[ChainLink], incoming: &[ChainLink]) -> String {
    let v = NARROW;
    const LANE: usize = 12;
    const RUN: usize = 30;
    let gutter = LANE * incoming.len().max(out.len()) + 14;
    let lane = |i: usize| 8 + LANE * i;
    let above = v.column(incoming, gutter, v.width - gutter, 0);
    let mut y = above.last().map_or(0, |n| n.y + n.h + RUN);
    let mut current = v.node(0, v.width, title, None);
    current.y = y;
    y += current.h + if out.is_empty() { 0 } else { RUN };
    let below = v.column(out, gutter, v.width - gutter, y);
    let height = below.last().map_or(current.y + current.h, |n| n.y + n.h);
    let mut body = String::new();
    for (i, (n, l)) in above.iter().zip(incoming).enumerate() {
        let path = format!("M{gutter},{} H{} V{}", middle(n), lane(i), current.y);
        body.push_str(&edge("chain-narrow", l.kind, &path));
    }
    let bottom = current.y + current.h;
    for (k, (n, l)) in below.iter().zip(out).enumerate() {
        let x = lane(out.len() - 1 - k);
        let path = format!("M{x},{bottom} V{} H{gutter}", middle(n));
        body.push_str(&edge("chain-narrow", l.kind, &path));
    }
    for n in above.iter().chain(&below).chain([&current]) {
        body.push_str(&v.draw(n));
    }
    // A line's stroke and the arrowheads reach a little past the drawing's last node.
    v.frame(height + 2, &body, title, (out, incoming))
}

/// The diagram's HTML: both variants of the SVG and the legend, or an empty string when the
/// CMO is in no chain.
pub fn svg(title: &str, out: &[ChainLink], incoming: &[ChainLink]) -> String {
    if out.is_empty() && incoming.is_empty() {
        return String::new();
    }
    format!(
        "{}{}<div class=\"chain-key\"><p class=\"chain-key-title\">Key: arrows point from the configuration that states the link to the one it names.</p>{}</div>",
        wide(title, out, incoming),
        narrow(title, out, incoming),
        legend(out, incoming)
    )
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

    fn link(kind: Relation, title: &str) -> ChainLink {
        ChainLink {
            relation: String::new(),
            kind,
            title: title.into(),
            url: format!("../../cmos/{}/", title.len()),
        }
    }

    /// Every line of a label fits its node by the conservative measure, long words and long
    /// titles included, and a title too long for the node ends in an ellipsis.
    #[test]
    fn labels_fit_their_nodes() {
        let long = "Extraordinarily-long-hyphenated-compound-words-without-spaces and WWWW MMMM \
                    commissioning support units working with clinical commissioning groups \
                    across several boroughs and the whole of the region, for years on end";
        for bold in [false, true] {
            let lines = wrap(long, 11.0, bold);
            assert!(lines.len() <= MAX_LINES, "{lines:?}");
            assert!(
                lines.iter().all(|l| text_width(l, bold) <= 11.0),
                "{lines:?}"
            );
            assert!(lines.last().unwrap().ends_with('…'), "{lines:?}");
        }
        assert_eq!(wrap("Short title", 11.0, false), ["Short title"]);
    }

    /// Both variants draw every neighbour as a link, the page's own CMO as no link, one edge per
    /// link in its relation's style, and the legend names only the relations drawn.
    #[test]
    fn both_variants_link_every_neighbour_and_style_each_relation() {
        let out = [
            link(Relation::Refines, "A"),
            link(Relation::Contradicts, "Bb"),
        ];
        let incoming = [link(Relation::FeedsContextOf, "Ccc")];
        let html = svg("This one", &out, &incoming);
        for variant in ["wide", "narrow"] {
            let one = html
                .split(&format!("chain-{variant}\""))
                .nth(1)
                .and_then(|s| s.split("</svg>").next())
                .unwrap();
            assert_eq!(one.matches("<a href=").count(), 3, "{one}");
            assert_eq!(one.matches("class=\"chain-current\"").count(), 1);
            assert_eq!(one.matches("class=\"chain-edge\"").count(), 3);
            assert!(one.contains("stroke-dasharray=\"8 4\""), "{one}");
            assert!(one.contains("stroke-dasharray=\"2 4\""), "{one}");
            assert!(one.contains(&format!("url(#chain-{variant}-feeds-context-of)")));
        }
        let key = html.split("chain-key\"").nth(1).unwrap();
        assert!(
            key.contains("refines") && key.contains("contradicts"),
            "{key}"
        );
        assert!(!key.contains("specialises"), "{key}");
    }
}
