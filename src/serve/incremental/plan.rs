//! The planner: parses the changed files, classifies the change, updates the site model, and
//! picks the pages and files to write again (or says why a full build is needed).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::{spec_source, State, Update, UpdateKind};
use crate::diagnostics::{self, display_path, Diagnostic};
use crate::load::{self, Loaded};
use crate::model::Kind;
use crate::pipeline;
use crate::render::spec_path;
use crate::resolve::Site;

/// A content file that changed, parsed: (project-relative path, what loaded, its problems).
type Parsed = (PathBuf, Loaded, Vec<Diagnostic>);

/// Parses the changed content files and lists the changed static files. Err: a change that
/// needs a full build (any other input).
pub(super) fn parse_changes(
    root: &Path,
    theme: &str,
    modified: &[PathBuf],
) -> Result<(Vec<Parsed>, Vec<PathBuf>), String> {
    let mut parsed = Vec::new();
    let mut statics = Vec::new();
    for rel in modified {
        if is_static(rel, theme) {
            statics.push(rel.clone());
            continue;
        }
        let Some(kind) = content_kind(rel) else {
            return Err(format!("{} changed", display_path(rel)));
        };
        let (loaded, diags) = load::load_file(root, kind, rel, load::Bodies::Keep);
        parsed.push((rel.clone(), loaded, crate::pipeline::ranked_as_load(diags)));
    }
    Ok((parsed, statics))
}

/// What the changed files changed, once applied to the loaded content.
pub(super) struct Change {
    sources: Vec<PathBuf>,
    /// Only the Markdown bodies' text: the site model can be patched in place.
    text_only: bool,
    /// Only bodies (their links or headings too): summaries of front matter cannot change.
    body_only: bool,
}

/// What an update renders and writes again.
pub(super) struct Plan {
    /// Page path → why it is rendered again.
    pub(super) pages: BTreeMap<String, String>,
    pub(super) extras: bool,
    pub(super) statics: bool,
    /// The static files that changed.
    pub(super) static_changed: Vec<PathBuf>,
}

impl State {
    /// If a changed file does not parse: the update that reports it, keeping the model as it was.
    pub(super) fn unparsable(&self, parsed: &[Parsed]) -> Option<Update> {
        let failed: HashSet<&PathBuf> = parsed
            .iter()
            .filter(|(_, l, _)| matches!(l, Loaded::Nothing))
            .map(|(p, _, _)| p)
            .collect();
        if failed.is_empty() {
            return None;
        }
        let mut diags: Vec<Diagnostic> = self
            .diagnostics()
            .into_iter()
            .filter(|d| !failed.contains(&d.path))
            .collect();
        for (p, _, d) in parsed {
            if failed.contains(p) {
                diags.extend(d.iter().cloned());
            }
        }
        diagnostics::normalise(&mut diags);
        let mut update = Update::new(UpdateKind::Incremental);
        update.diagnostics = diags;
        Some(update)
    }

    /// Puts the parsed files into the content, and classifies the change: the body's text only,
    /// the body's links or headings (the model is resolved again, but summaries cannot change),
    /// or the front matter (everything that summarises front matter is rendered again).
    pub(super) fn apply(&mut self, parsed: Vec<Parsed>) -> Result<Change, String> {
        let mut change = Change {
            sources: Vec::new(),
            text_only: true,
            body_only: true,
        };
        for (rel, loaded, diags) in parsed {
            let Some(old) = self.content.find(&rel) else {
                return Err(format!(
                    "{} was not part of the last build",
                    display_path(&rel)
                ));
            };
            let Some(new) = loaded.head() else {
                return Err(format!("{} could not be read again", display_path(&rel)));
            };
            let same_front = old.front_matter.text() == new.front_matter.text()
                && old.yaml_line == new.yaml_line
                && old.body_line == new.body_line
                && old.id == new.id;
            // What the site model derives from a body: its outline, the mentions (backlinks) and
            // headings (section titles that evidence cites) the loader read.
            let same_derived = old.outline == new.outline;
            change.body_only &= same_front;
            change.text_only &= same_front && same_derived;
            self.content.replace(&rel, loaded);
            self.problems.load.retain(|d| d.path != rel);
            self.problems.load.extend(diags);
            change.sources.push(rel);
        }
        Ok(change)
    }

    /// Plans the pages and files to write again after `change`, updating the site model.
    /// Err: the change needs a full build.
    pub(super) fn plan(
        &mut self,
        change: &Change,
        static_changed: Vec<PathBuf>,
    ) -> Result<Plan, String> {
        let mut pages = if change.text_only {
            self.patch_bodies(&change.sources)
        } else {
            self.resolve_again(&change.sources, change.body_only)?
        };
        for p in &self.dirty {
            pages
                .entry(p.clone())
                .or_insert_with(|| "a previous build that failed left it out of date".into());
        }
        self.problems.check = pipeline::check(&self.model.site, &self.model.bibliography);
        Ok(Plan {
            pages,
            // The exports name the section each piece of evidence cites, so a body whose
            // headings changed rewrites them too; a change of body text alone does not, unless
            // the site has PDFs, which hold the whole text.
            extras: self.extras_dirty || !change.text_only || self.model.site.config.pdf,
            statics: self.static_dirty || !static_changed.is_empty(),
            static_changed,
        })
    }

    /// For a change to bodies' text only: patches the bodies into the site model, and returns
    /// the pages to render again (the files' own pages, and those citing one of their sections).
    fn patch_bodies(&mut self, sources: &[PathBuf]) -> BTreeMap<String, String> {
        let mut reasons = BTreeMap::new();
        for rel in sources {
            let body = self
                .content
                .find(rel)
                .and_then(|d| d.body.text())
                .unwrap_or_default()
                .to_string();
            self.model.site.content.set_body(rel, &body);
            for p in self.deps.pages_of_source.get(rel).into_iter().flatten() {
                reasons
                    .entry(p.clone())
                    .or_insert_with(|| format!("its source {} changed", display_path(rel)));
                for q in self.deps.anchored.get(p).into_iter().flatten() {
                    reasons.entry(q.clone()).or_insert_with(|| {
                        format!(
                            "it links to a section of {} (body of {} changed)",
                            p,
                            display_path(rel)
                        )
                    });
                }
            }
        }
        reasons
    }

    /// Resolves the site again after a change to links, headings or front matter, and returns
    /// the pages to render again. Err if the change adds or removes pages (the state is then
    /// dropped by the full build that follows).
    fn resolve_again(
        &mut self,
        sources: &[PathBuf],
        body_only: bool,
    ) -> Result<BTreeMap<String, String>, String> {
        let config = self.model.site.config.clone();
        let (site, resolve_diags) = pipeline::resolve(config, self.content.clone(), true);
        let old = std::mem::replace(&mut self.model.site, site);
        let specs = pipeline::specs(&self.model);
        let site = &self.model.site;
        let new_keys: BTreeSet<String> = specs.iter().map(|s| spec_path(site, s)).collect();
        let old_keys: BTreeSet<String> = self.pages.keys().cloned().collect();
        if new_keys != old_keys {
            let added: Vec<&String> = new_keys.difference(&old_keys).take(3).collect();
            let removed: Vec<&String> = old_keys.difference(&new_keys).take(3).collect();
            return Err(format!(
                "the change adds pages {added:?} or removes pages {removed:?}"
            ));
        }
        let mut reasons = BTreeMap::new();
        // Pages that linked to the changed files' pages before the change: all of them when the
        // front matter (titles, dates …) changed, those citing a section when only the body did.
        self.deps.mark_dependents(sources, body_only, &mut reasons);
        for path in changed_backlinks(&old, site) {
            if new_keys.contains(&path) {
                reasons
                    .entry(path)
                    .or_insert_with(|| "the pages linking to it changed".into());
            }
        }
        // Lists, the matrix, home and theme pages summarise front matter.
        if !body_only {
            for (path, page) in &self.pages {
                if page.source.is_none() {
                    reasons
                        .entry(path.clone())
                        .or_insert_with(|| "front matter changed (summary page)".into());
                }
            }
        }
        for spec in specs {
            if let Some(page) = self.pages.get_mut(&spec_path(site, &spec)) {
                page.source = spec_source(site, &spec);
                page.built.spec = spec;
            }
        }
        self.problems.resolve = resolve_diags;
        self.deps.index_sources(&self.pages);
        // Pages the changed files make now (a CMO may have moved), and pages linking to them.
        self.deps.mark_dependents(sources, body_only, &mut reasons);
        Ok(reasons)
    }
}

/// The pages of entities whose backlinks differ between two resolutions of the site.
fn changed_backlinks(old: &Site, new: &Site) -> Vec<String> {
    let mut entities: BTreeSet<&(Kind, String)> = BTreeSet::new();
    for (key, links) in &new.backlinks {
        if old.backlinks.get(key) != Some(links) {
            entities.insert(key);
        }
    }
    for key in old.backlinks.keys() {
        if !new.backlinks.contains_key(key) {
            entities.insert(key);
        }
    }
    entities
        .into_iter()
        .map(|(kind, id)| crate::url::page_file(&Site::url(*kind, id)))
        .collect()
}

/// Whether a project-relative path is a file of the site's or the theme's static/ folder.
fn is_static(rel: &Path, theme: &str) -> bool {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.as_slice() {
        [first, _, ..] if first == "static" => true,
        [themes, name, folder, _, ..] => themes == "themes" && name == theme && folder == "static",
        _ => false,
    }
}

/// The kind of a content file `content/<folder>/<name>.md`, or None for anything else.
fn content_kind(rel: &Path) -> Option<Kind> {
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.len() != 3 || parts[0] != "content" {
        return None;
    }
    let name = &parts[2];
    if name.starts_with('.') || !name.ends_with(".md") {
        return None;
    }
    Kind::from_folder(&parts[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_kinds() {
        assert_eq!(
            content_kind(Path::new("content/reports/a.md")),
            Some(Kind::Report)
        );
        assert_eq!(content_kind(Path::new("content/glossary.yaml")), None);
        assert_eq!(content_kind(Path::new("content/reports/.a.md")), None);
        assert_eq!(content_kind(Path::new("templates/base.html")), None);
    }
}
