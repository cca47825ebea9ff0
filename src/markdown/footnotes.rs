//! Footnotes, collected at the end of the body with links back to where they are referred to.
//!
//! pulldown-cmark parses footnotes, and its HTML writer prints each definition where it is
//! written, with the author's label as its id (`[^design]` gives `id="design"`, which a heading
//! `{#design}` may also have). So, as pulldown-cmark's own `footnote-rewrite` example does:
//!
//! 1. each reference `[^name]` is numbered in the order notes are first referred to, and gets the
//!    ids `fnref-<slug>` (then `fnref-<slug>-2` …) and the note `fn-<slug>`, claimed from the same
//!    set as the page's heading ids, so no two elements of the page share an id;
//! 2. the events of each definition are held back instead of written where they are;
//! 3. after the last event of the body, the notes that were referred to are written as one
//!    numbered list, each ending with a link back to every place that refers to it. A note never
//!    referred to is left out with a warning.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::text::escape::escape_attr;
use crate::text::slug::{self, IdSet};

/// The footnotes referred to on one page.
#[derive(Debug, Default)]
pub(super) struct Notes {
    /// By label (as pulldown-cmark matches them, without regard to case): its number, its id and
    /// the ids of the references to it.
    refs: HashMap<String, Note>,
    /// Definitions held back: (label, events).
    defs: Vec<(String, Vec<Event<'static>>)>,
    /// The definition being read, if any.
    current: Option<(String, Vec<Event<'static>>)>,
}

#[derive(Debug)]
struct Note {
    number: usize,
    id: String,
    ref_ids: Vec<String>,
}

fn key(label: &str) -> String {
    label.to_lowercase()
}

impl Notes {
    /// A reference to `label`: its number, the note's id and this reference's id.
    pub(super) fn reference(&mut self, label: &str, ids: &mut IdSet) -> (usize, String, String) {
        let count = self.refs.len();
        let note = self.refs.entry(key(label)).or_insert_with(|| Note {
            number: count + 1,
            id: ids.claim(&format!("fn-{}", slug::slugify(label))),
            ref_ids: Vec::new(),
        });
        let base = format!("fnref-{}", slug::slugify(label));
        let wanted = match note.ref_ids.len() {
            0 => base,
            n => format!("{base}-{}", n + 1),
        };
        let ref_id = ids.claim(&wanted);
        note.ref_ids.push(ref_id.clone());
        (note.number, note.id.clone(), ref_id)
    }

    /// Takes `event` if it belongs to a footnote definition; gives it back otherwise.
    pub(super) fn hold<'a>(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) => {
                self.current = Some((label.to_string(), Vec::new()));
                None
            }
            Event::End(TagEnd::FootnoteDefinition) => {
                self.defs.extend(self.current.take());
                None
            }
            other => match &mut self.current {
                Some((_, events)) => {
                    events.push(other.into_static());
                    None
                }
                None => Some(other),
            },
        }
    }

    /// Whether a reference points to the note `label`.
    pub(super) fn is_referenced(&self, label: &str) -> bool {
        self.refs.contains_key(&key(label))
    }

    /// The list of notes, in the order of their numbers, as events for the HTML writer.
    pub(super) fn section(&mut self) -> Vec<Event<'static>> {
        let mut defs: Vec<(&Note, Vec<Event<'static>>)> = Vec::new();
        let mut written = std::collections::HashSet::new();
        for (label, events) in std::mem::take(&mut self.defs) {
            if let Some(note) = self.refs.get(&key(&label)) {
                // A label defined twice: the first definition is the note, as in pulldown-cmark.
                if written.insert(note.number) {
                    defs.push((note, events));
                }
            }
        }
        if defs.is_empty() {
            return Vec::new();
        }
        defs.sort_by_key(|(n, _)| n.number);
        let mut out = vec![html(
            "<section class=\"footnotes\" aria-labelledby=\"footnotes\">\n<h2 id=\"footnotes\">Notes</h2>\n<ol>\n",
        )];
        for (note, mut events) in defs {
            out.push(html(&format!("<li id=\"{}\">", escape_attr(&note.id))));
            let back = back_links(note);
            // The links back go at the end of the note's last paragraph, as on GitHub.
            match events.last() {
                Some(Event::End(TagEnd::Paragraph)) => {
                    let end = events.pop();
                    events.push(Event::InlineHtml(back.into()));
                    events.extend(end);
                }
                _ => events.push(html(&back)),
            }
            out.extend(events);
            out.push(html("</li>\n"));
        }
        out.push(html("</ol>\n</section>\n"));
        out
    }
}

/// ` ↩` links to each reference to `note`, labelled for screen readers.
fn back_links(note: &Note) -> String {
    let many = note.ref_ids.len() > 1;
    note.ref_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let (mark, which) = if many {
                (format!("↩<sup>{}</sup>", i + 1), format!(" ({})", i + 1))
            } else {
                ("↩".to_string(), String::new())
            };
            format!(
                " <a href=\"#{}\" class=\"footnote-back\" aria-label=\"Back to reference {}{which}\">{mark}</a>",
                escape_attr(id),
                note.number
            )
        })
        .collect()
}

fn html(text: &str) -> Event<'static> {
    Event::Html(CowStr::from(text.to_string()))
}
