//! The `crossref` and `xdata` links between entries, checked before biblatex follows them.
//! biblatex resolves each entry's links by recursion, cloning every ancestor afresh: a cycle
//! overflows the stack and a long chain takes time quadratic in its length. So a cycle is refused,
//! a chain is at most [`MAX_CHAIN`] links long, and what the clones copy is measured.

use std::collections::HashMap;

use biblatex::{Bibliography, RawBibliography};

use super::limits::{error, MAX_CHAIN};
use super::BibError;

/// The link fields renamed, so that biblatex reads their values as it would (same parser, same
/// macros) without following them. A space never occurs in a field name read from a file.
const PROBES: [(&str, &str); 2] = [("crossref", "crossref "), ("xdata", "xdata ")];

/// What every copy of an entry costs beyond its text (the clone of its field map).
const VISIT: usize = 64;

/// One entry naming another in `crossref` or `xdata`.
pub struct Link {
    parent: usize,
    /// `crossref` or `xdata`.
    field: &'static str,
    /// Byte offset of the field's name in the file.
    at: usize,
}

/// The links of each entry, by its index in the raw bibliography.
pub struct Graph {
    parents: Vec<Vec<Link>>,
}

/// The links between entries, with no cycle and no chain longer than [`MAX_CHAIN`].
pub fn graph(src: &str, raw: &RawBibliography<'_>) -> Result<Graph, BibError> {
    let graph = Graph {
        parents: read_links(raw).unwrap_or_default(),
    };
    let mut marks = vec![Mark::Unseen; raw.entries.len()];
    for i in 0..graph.parents.len() {
        let mut path = Vec::new();
        if let Err(problem) = height(i, &graph, &mut marks, &mut path) {
            return Err(problem.error(src, raw));
        }
    }
    Ok(graph)
}

/// The parents of every entry as biblatex will look them up, or None when there are no links or
/// the file has an error biblatex reports before following any link.
fn read_links(raw: &RawBibliography<'_>) -> Option<Vec<Vec<Link>>> {
    let is_link = |key: &str| PROBES.iter().any(|(f, _)| key.eq_ignore_ascii_case(f));
    if !raw
        .entries
        .iter()
        .any(|e| e.v.fields.iter().any(|f| is_link(f.key.v)))
    {
        return None;
    }
    let mut renamed = raw.clone();
    for pair in renamed
        .entries
        .iter_mut()
        .flat_map(|e| e.v.fields.iter_mut())
    {
        if let Some((_, probe)) = PROBES
            .iter()
            .find(|(f, _)| pair.key.v.eq_ignore_ascii_case(f))
        {
            pair.key.v = probe;
        }
    }
    let bib = Bibliography::from_raw(renamed).ok()?;
    let index: HashMap<&str, usize> = raw
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.v.key.v, i))
        .collect();
    let links = raw.entries.iter().map(|e| {
        let Some(entry) = bib.get(e.v.key.v) else {
            return Vec::new();
        };
        // The last of repeated fields is the one biblatex keeps.
        let at = |field: &str| {
            e.v.fields
                .iter()
                .rev()
                .find(|f| f.key.v.eq_ignore_ascii_case(field))
                .map_or(e.span.start, |f| f.key.span.start)
        };
        let crossref = entry.get_as::<String>(PROBES[0].1).ok().into_iter();
        let xdata = entry.get_as::<Vec<String>>(PROBES[1].1).ok();
        let named = crossref
            .map(|k| (PROBES[0].0, k))
            .chain(xdata.into_iter().flatten().map(|k| (PROBES[1].0, k)));
        named
            .filter_map(|(field, key)| {
                let parent = *index.get(key.as_str())?;
                Some(Link {
                    parent,
                    field,
                    at: at(field),
                })
            })
            .collect()
    });
    Some(links.collect())
}

#[derive(Clone, Copy)]
enum Mark {
    Unseen,
    OnPath,
    /// The longest chain of links from this entry.
    Done(usize),
}

enum Problem {
    /// The link at `at`, from `entry`, starts `links` links that lead back to `entry`.
    Cycle {
        entry: usize,
        field: &'static str,
        at: usize,
        links: usize,
    },
    /// The chain starting at the link at this byte offset, from `entry`, is too long.
    TooLong { entry: usize, at: usize },
}

/// The longest chain of links from entry `i`. `path` holds the (entry, link index) pairs followed
/// to reach it; its length bounds the recursion.
fn height(
    i: usize,
    graph: &Graph,
    marks: &mut [Mark],
    path: &mut Vec<(usize, usize)>,
) -> Result<usize, Problem> {
    if let Mark::Done(h) = marks[i] {
        return Ok(h);
    }
    marks[i] = Mark::OnPath;
    let mut longest = 0;
    for (n, link) in graph.parents[i].iter().enumerate() {
        path.push((i, n));
        if let Mark::OnPath = marks[link.parent] {
            return Err(cycle(graph, path, link.parent));
        }
        if path.len() > MAX_CHAIN {
            let (entry, n) = path[0];
            let at = graph.parents[entry][n].at;
            return Err(Problem::TooLong { entry, at });
        }
        let below = height(link.parent, graph, marks, path)?;
        path.pop();
        longest = longest.max(below + 1);
        if longest > MAX_CHAIN {
            return Err(Problem::TooLong {
                entry: i,
                at: link.at,
            });
        }
    }
    marks[i] = Mark::Done(longest);
    Ok(longest)
}

/// The cycle that `path` closes by returning to `entry`, reported at the link leaving `entry`.
fn cycle(graph: &Graph, path: &[(usize, usize)], entry: usize) -> Problem {
    let from = path.iter().position(|&(e, _)| e == entry).unwrap_or(0);
    let (_, n) = path[from];
    let link = &graph.parents[entry][n];
    Problem::Cycle {
        entry,
        field: link.field,
        at: link.at,
        links: path.len() - from,
    }
}

/// A key short enough for a message.
fn short(key: &str) -> String {
    match key.char_indices().nth(60) {
        Some((end, _)) => format!("{}…", &key[..end]),
        None => key.to_string(),
    }
}

impl Problem {
    fn error(&self, src: &str, raw: &RawBibliography<'_>) -> BibError {
        match *self {
            Problem::Cycle {
                entry,
                field,
                at,
                links,
            } => error(
                src,
                at,
                format!(
                    "this `{field}` leads back to `{}` through {links} {}: entries that inherit from each other can never be completed",
                    short(raw.entries[entry].v.key.v),
                    if links == 1 { "link" } else { "links" },
                ),
                "an entry can inherit fields only from an entry that does not inherit from it",
            ),
            Problem::TooLong { entry, at } => error(
                src,
                at,
                format!(
                    "`{}` starts a chain of more than {MAX_CHAIN} entries inheriting from each other through `crossref` or `xdata`",
                    short(raw.entries[entry].v.key.v)
                ),
                "point `crossref` and `xdata` at the entry that holds the fields",
            ),
        }
    }
}

/// What resolving entry `i` copies: its own text and, along every path, its ancestors'.
/// The graph has no cycle and its chains are short, so the recursion is bounded.
pub fn reach_cost(i: usize, own: &[usize], graph: &Graph, memo: &mut [Option<usize>]) -> usize {
    if let Some(c) = memo[i] {
        return c;
    }
    let mut cost = own[i].saturating_add(VISIT);
    for link in graph.parents.get(i).into_iter().flatten() {
        cost = cost.saturating_add(reach_cost(link.parent, own, graph, memo));
    }
    memo[i] = Some(cost);
    cost
}
