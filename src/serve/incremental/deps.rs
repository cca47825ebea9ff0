//! Serve's dependency map: which pages link to which (and whether to a section), and which pages
//! each source file makes. The planner reads it to pick the pages a change affects.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use super::Page;
use crate::diagnostics::display_path;

/// The dependency map: which pages link to which, and which pages each source file makes.
#[derive(Default)]
pub(super) struct Deps {
    /// Page path → pages linking to it (with and without an anchor).
    pub(super) referrers: HashMap<String, BTreeSet<String>>,
    /// Page path → pages linking to it with an anchor.
    pub(super) anchored: HashMap<String, BTreeSet<String>>,
    /// Source file → the pages made from it.
    pub(super) pages_of_source: HashMap<PathBuf, Vec<String>>,
}

impl Deps {
    pub(super) fn of(pages: &BTreeMap<String, Page>) -> Deps {
        let mut deps = Deps::default();
        for (key, page) in pages {
            deps.link(key, &page.targets);
        }
        deps.index_sources(pages);
        deps
    }

    /// Records that the page `key` links to `targets`.
    pub(super) fn link(&mut self, key: &str, targets: &[(String, bool)]) {
        for (target, anchored) in targets {
            if target == key {
                continue;
            }
            self.referrers
                .entry(target.clone())
                .or_default()
                .insert(key.to_string());
            if *anchored {
                self.anchored
                    .entry(target.clone())
                    .or_default()
                    .insert(key.to_string());
            }
        }
    }

    /// Forgets that the page `key` links to `targets`.
    pub(super) fn unlink(&mut self, key: &str, targets: &[(String, bool)]) {
        for (target, _) in targets {
            if let Some(set) = self.referrers.get_mut(target) {
                set.remove(key);
            }
            if let Some(set) = self.anchored.get_mut(target) {
                set.remove(key);
            }
        }
    }

    pub(super) fn index_sources(&mut self, pages: &BTreeMap<String, Page>) {
        self.pages_of_source.clear();
        for (path, page) in pages {
            if let Some(src) = &page.source {
                self.pages_of_source
                    .entry(src.clone())
                    .or_default()
                    .push(path.clone());
            }
        }
    }

    /// Adds the pages made from `sources`, and the pages linking to them (only those linking to
    /// a section when `anchored_only`), to `reasons`.
    pub(super) fn mark_dependents(
        &self,
        sources: &[PathBuf],
        anchored_only: bool,
        reasons: &mut BTreeMap<String, String>,
    ) {
        for rel in sources {
            for p in self.pages_of_source.get(rel).into_iter().flatten() {
                reasons
                    .entry(p.clone())
                    .or_insert_with(|| format!("its source {} changed", display_path(rel)));
                let linking = if anchored_only {
                    self.anchored.get(p)
                } else {
                    self.referrers.get(p)
                };
                for q in linking.into_iter().flatten() {
                    reasons.entry(q.clone()).or_insert_with(|| {
                        format!(
                            "it links to {p}, whose source {} changed",
                            display_path(rel)
                        )
                    });
                }
            }
        }
    }
}
