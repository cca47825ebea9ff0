//! The glossary page: every term of `content/glossary.yaml`, sorted, with an A–Z index.
//!
//! 1. each entry gets its anchor, its definition and its links to other terms;
//! 2. an expansion that only repeats the term is dropped, and one that is the term with a
//!    qualifier in brackets (`Context (realist)`) keeps only the qualifier;
//! 3. the entries are sorted without regard to case;
//! 4. the index links each initial letter to its first entry.

use serde::Serialize;

use super::super::views::LinkView;
use super::super::{context, Built, Renderer};
use super::finish;

#[derive(Serialize)]
struct GlossaryPage {
    title: String,
    entries: Vec<GlossaryView>,
    index: Vec<Letter>,
}

/// One letter of the A–Z index and the anchor of its first entry.
#[derive(Serialize, Debug, PartialEq, Eq)]
struct Letter {
    letter: String,
    id: String,
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
            expansion: e
                .expansion
                .as_deref()
                .and_then(|x| shown_expansion(&e.term, x)),
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
        index: index(&entries),
        entries,
    };
    let common = r.common(&path, None);
    finish(path, "glossary.html", context(&common, &page))
}

/// What the page shows of `expansion` beside `term`: nothing when it only repeats the term
/// (ignoring case, spaces and punctuation), the bracketed qualifier when it is the term followed by
/// one (`Context (realist)` beside `Context`), else the whole expansion.
pub(crate) fn shown_expansion(term: &str, expansion: &str) -> Option<String> {
    let words = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let expansion = expansion.trim();
    if words(expansion) == words(term) {
        return None;
    }
    let qualifier = expansion
        .get(..term.len())
        .filter(|head| head.eq_ignore_ascii_case(term))
        .map(|_| expansion[term.len()..].trim())
        .filter(|rest| rest.starts_with('(') && rest.ends_with(')'));
    Some(qualifier.unwrap_or(expansion).to_string())
}

/// The heading letter of a term: its first character in upper case if it is a letter, `0–9`
/// for a digit, and `Other` for anything else.
fn initial(term: &str) -> String {
    match term.trim().chars().next() {
        Some(c) if c.is_alphabetic() => c.to_uppercase().collect(),
        Some(c) if c.is_numeric() => "0–9".into(),
        _ => "Other".into(),
    }
}

/// Each initial of the sorted entries, once, with the anchor of its first entry.
fn index(entries: &[GlossaryView]) -> Vec<Letter> {
    let mut letters: Vec<Letter> = Vec::new();
    for e in entries {
        let letter = initial(&e.term);
        if !letters.iter().any(|l| l.letter == letter) {
            letters.push(Letter {
                letter,
                id: e.id.clone(),
            });
        }
    }
    letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expansion_that_repeats_the_term_is_not_shown_twice() {
        assert_eq!(shown_expansion("Monitor", "Monitor"), None);
        assert_eq!(
            shown_expansion("Co-commissioning", "co commissioning."),
            None
        );
        let kept = shown_expansion("Context", "Context (realist)");
        assert_eq!(kept.as_deref(), Some("(realist)"));
        let whole = shown_expansion("CCG", "Clinical commissioning group");
        assert_eq!(whole.as_deref(), Some("Clinical commissioning group"));
        let longer = shown_expansion("Healthwatch", "Local Healthwatch");
        assert_eq!(longer.as_deref(), Some("Local Healthwatch"));
    }

    #[test]
    fn the_index_links_each_initial_to_its_first_entry() {
        let view = |term: &str, id: &str| GlossaryView {
            id: id.into(),
            term: term.into(),
            expansion: None,
            definition: String::new(),
            see_also: Vec::new(),
        };
        let entries = [
            view("18 weeks", "t0"),
            view("agency", "t1"),
            view("Area", "t2"),
            view("Éclair", "t3"),
        ];
        let letters: Vec<(String, String)> = index(&entries)
            .into_iter()
            .map(|l| (l.letter, l.id))
            .collect();
        let want = [("0–9", "t0"), ("A", "t1"), ("É", "t3")];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(letters, want);
    }
}
