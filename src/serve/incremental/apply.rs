//! Carrying out a plan: the pipeline's stages on the planned pages, into a scratch folder (each
//! file scanned by the anonymity lint, as a full build's are), then into the served folder when
//! the site has no errors.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use super::plan::Plan;
use super::{targets_of, State, Update, UpdateKind};
use crate::check::links::PageRecord;
use crate::diagnostics::display_path;
use crate::pipeline;
use crate::render::PageSpec;
use crate::write::search::SearchIndexer;
use crate::write::Output;

impl State {
    /// Writes what `plan` asks for into `scratch`, checks the links of the pages rendered, and
    /// moves the files into the served folder `live` if the site has no errors. Err: the set of
    /// extra or static files changed (a full build is needed).
    pub(super) fn carry_out(
        &mut self,
        root: &Path,
        plan: Plan,
        scratch: &Path,
        live: &Path,
    ) -> Result<Update, String> {
        let keys: Vec<String> = plan.pages.keys().cloned().collect();
        let site = &self.model.site;
        let lint = crate::write::anonymity::Lint::for_config(site.config.anonymity.as_ref());
        let out = Output::new(scratch.into()).with_lint(lint.clone());
        let search = self.write_changes(root, &plan, &keys, &out, live)?;
        if let Some(lint) = lint.filter(|l| l.found_any()) {
            self.anonymity_diags = pipeline::anonymity_problems(&lint, root, &self.model.site);
        }
        self.check_links_of(&keys);
        let mut update = self.finish(Update::new(UpdateKind::Incremental));
        update.rendered = keys.len();
        update.reasons = plan
            .pages
            .iter()
            .map(|(page, why)| format!("{page}: {why}"))
            .chain(
                (plan
                    .statics
                    .then_some(&plan.static_changed)
                    .into_iter()
                    .flatten())
                .map(|rel| format!("{}: changed, copied again", display_path(rel))),
            )
            .collect();
        if update.ok {
            update.changed = self.publish(scratch, live, &plan, &keys, search);
        } else {
            self.keep_dirty(plan, keys, search);
        }
        Ok(update)
    }

    /// Copies the static files (when planned), renders the planned pages `keys` into `out`, and
    /// writes the extra files and search index the plan asks for, in the pipeline's order.
    /// Returns the search index's files, when the site has search.
    fn write_changes(
        &mut self,
        root: &Path,
        plan: &Plan,
        keys: &[String],
        out: &Output,
        live: &Path,
    ) -> Result<Option<Vec<String>>, String> {
        if plan.statics {
            let (written, problems) = pipeline::statics(root, &self.model.site, out);
            self.static_diags = problems;
            if written != self.static_files {
                return Err("the set of static files changed".into());
            }
        }
        let config = &self.model.site.config;
        let indexer =
            (config.search && !keys.is_empty()).then(|| SearchIndexer::for_site(&self.model.site));
        self.render_pages(keys, out, indexer.as_ref());
        if plan.extras {
            let page_paths = self
                .pages
                .values()
                .filter_map(|p| p.built.record.as_ref().map(|r| r.path.as_str()));
            let (written, problems) = pipeline::extras(&self.model, out, page_paths);
            if problems.is_empty() && written != self.extras {
                return Err("the extra files (sitemap, feeds, exports) changed".into());
            }
            self.extras_diags = problems;
        }
        Ok(indexer.map(|indexer| self.write_search(indexer, keys, out, live)))
    }

    /// Renders the pages `keys` into `out` and updates their records and the dependency map.
    fn render_pages(&mut self, keys: &[String], out: &Output, search: Option<&SearchIndexer>) {
        let specs: Vec<PageSpec> = keys
            .iter()
            .map(|k| self.pages[k].built.spec.clone())
            .collect();
        let with = pipeline::RenderWith {
            search,
            known: None,
            timings: None,
        };
        let rendered = pipeline::render(&self.model, specs, out, with);
        for (key, built) in keys.iter().zip(rendered) {
            if let Some(page) = self.pages.get_mut(key) {
                self.deps.unlink(key, &page.targets);
                page.targets = targets_of(&built);
                page.built = built;
                self.deps.link(key, &page.targets);
            }
        }
    }

    /// Finishes the search index into `out`. It covers every page: the pages not rendered now
    /// are read from the served folder (an index cannot be updated page by page). Returns the
    /// index's files, which the link checker now sees.
    fn write_search(
        &mut self,
        indexer: SearchIndexer,
        rendered: &[String],
        out: &Output,
        live: &Path,
    ) -> Vec<String> {
        let rendered: HashSet<&String> = rendered.iter().collect();
        for (path, page) in &self.pages {
            if rendered.contains(path) || page.built.record.is_none() {
                continue;
            }
            if let Ok(html) = std::fs::read_to_string(live.join(path)) {
                if html.contains("data-pagefind-body") {
                    let url = crate::url::page_of_file(path);
                    indexer.add(url.to_string(), html);
                }
            }
        }
        let (written, diags) = pipeline::search(indexer, out, &out.dir);
        self.search_diags = diags;
        // Index files are named by their contents: the link checker sees the new set.
        for old in &self.search_files {
            self.files.remove(old);
        }
        self.files.extend(written.iter().cloned());
        written
    }

    /// Checks the links of `keys` and of the pages that link into them with anchors, against
    /// the whole site.
    fn check_links_of(&mut self, keys: &[String]) {
        let mut to_check: BTreeSet<&String> = keys.iter().collect();
        for k in keys {
            to_check.extend(self.deps.anchored.get(k).into_iter().flatten());
        }
        let to_check: Vec<String> = to_check.into_iter().cloned().collect();
        let record = |k: &String| self.pages.get(k).and_then(|p| p.built.record.as_ref());
        let mut found = {
            let checked: Vec<&PageRecord> = to_check.iter().filter_map(record).collect();
            let site_pages = self.pages.values().filter_map(|p| p.built.record.as_ref());
            let site = &self.model.site;
            pipeline::check_links(site, &checked, site_pages, &self.files).into_iter()
        };
        for k in &to_check {
            if let Some(page) = self.pages.get_mut(k) {
                page.built.link_problems = match page.built.record {
                    Some(_) => found.next().unwrap_or_default(),
                    None => Vec::new(),
                };
            }
        }
    }

    /// Moves what the update wrote from `scratch` into the served folder `live`; returns the
    /// site-relative files that changed there.
    fn publish(
        &mut self,
        scratch: &Path,
        live: &Path,
        plan: &Plan,
        keys: &[String],
        search: Option<Vec<String>>,
    ) -> Vec<String> {
        let mut candidates: Vec<&String> = keys.iter().collect();
        if plan.extras {
            candidates.extend(&self.extras);
        }
        if plan.statics {
            candidates.extend(&self.static_files);
        }
        candidates.extend(search.iter().flatten());
        let mut moved: Vec<String> = candidates
            .into_iter()
            .filter(|rel| move_in(&scratch.join(rel), &live.join(rel)))
            .cloned()
            .collect();
        if let Some(new) = search {
            let keep: HashSet<&String> = new.iter().collect();
            for old in &self.search_files {
                if !keep.contains(old) {
                    let _ = std::fs::remove_file(live.join(old));
                    moved.push(old.clone());
                }
            }
            self.search_files = new;
        }
        self.dirty.clear();
        self.extras_dirty = false;
        self.static_dirty = false;
        moved
    }

    /// After an update with errors (the served folder keeps its files): remembers what is out of
    /// date there, to render again next time.
    fn keep_dirty(&mut self, plan: Plan, keys: Vec<String>, search: Option<Vec<String>>) {
        if let Some(new) = search {
            for f in new {
                self.files.remove(&f);
            }
            self.files.extend(self.search_files.iter().cloned());
        }
        self.dirty.extend(keys);
        self.extras_dirty |= plan.extras;
        self.static_dirty |= plan.statics;
    }
}

/// Moves the file `from` to `to` if it differs from it; whether it was moved.
fn move_in(from: &Path, to: &Path) -> bool {
    if !from.is_file() || same_file(from, to) {
        return false;
    }
    if let Some(parent) = to.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::rename(from, to).is_ok()
}

/// The site-relative paths of every file under `dir`.
pub(super) fn list_files(dir: &Path) -> BTreeSet<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.path().strip_prefix(dir).ok().map(display_path))
        .collect()
}

pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::read(a), std::fs::read(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}
