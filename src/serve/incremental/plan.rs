//! The planner: parses the changed files, classifies the change, updates the site model, and
//! picks the pages and files to write again (or says why a full build is needed).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::{spec_source, State, Update, UpdateKind};
use crate::diagnostics::{self, display_path, Diagnostic};
use crate::load::schema::Kind;
use crate::load::{self, Content, Document, Loaded};
use crate::pipeline;
use crate::render::spec_path;
use crate::resolve::{self, Site};

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
        parsed.push((rel.clone(), loaded, diags));
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
            let new = DocView::of(&loaded);
            let same_front = old.front_matter == new.front_matter
                && old.yaml_line == new.yaml_line
                && old.body_line == new.body_line
                && old.id == new.id;
            // What the site model derives from a body: mentions (backlinks) and headings
            // (section titles that evidence cites).
            let same_derived = resolve::scan_mentions(old.body) == resolve::scan_mentions(new.body)
                && headings(old.body) == headings(new.body);
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
            extras: self.extras_dirty || !change.body_only,
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
                .map(|d| d.body.to_string())
                .unwrap_or_default();
            self.model.site.content.set_body(rel, body);
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
        .map(|(kind, id)| format!("{}index.html", Site::url(*kind, id)))
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

/// The ATX heading lines of a Markdown body.
fn headings(body: &str) -> Vec<&str> {
    body.lines().filter(|l| l.starts_with('#')).collect()
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
    Kind::REFERABLE.into_iter().find(|k| k.folder() == parts[1])
}

/// The parts of a parsed document that decide what a change affects.
struct DocView<'a> {
    id: &'a str,
    front_matter: &'a str,
    yaml_line: usize,
    body_line: usize,
    body: &'a str,
}

impl<'a> DocView<'a> {
    fn from_doc<T>(d: &'a Document<T>) -> DocView<'a> {
        DocView {
            id: &d.id,
            front_matter: d.front_matter.text(),
            yaml_line: d.yaml_line,
            body_line: d.body_line,
            body: d.body.text().unwrap_or_default(),
        }
    }

    fn of(loaded: &'a Loaded) -> DocView<'a> {
        match loaded {
            Loaded::Study(d) => DocView::from_doc(d),
            Loaded::Report(d) => DocView::from_doc(d),
            Loaded::Tracer(d) => DocView::from_doc(d),
            Loaded::Area(d) => DocView::from_doc(d),
            Loaded::Theory(d) => DocView::from_doc(d),
            Loaded::Cmo(d) => DocView::from_doc(d),
            Loaded::Page(d) => DocView::from_doc(d),
            Loaded::Nothing => DocView {
                id: "",
                front_matter: "",
                yaml_line: 0,
                body_line: 0,
                body: "",
            },
        }
    }
}

/// Lookups and replacement of one document in a [`Content`], by path.
trait ContentExt {
    fn find(&self, rel: &Path) -> Option<DocView<'_>>;
    fn replace(&mut self, rel: &Path, loaded: Loaded);
    fn set_body(&mut self, rel: &Path, body: String);
}

fn position<T>(docs: &[Document<T>], rel: &Path) -> Option<usize> {
    docs.iter().position(|d| d.path == rel)
}

impl ContentExt for Content {
    fn find(&self, rel: &Path) -> Option<DocView<'_>> {
        position(&self.studies, rel)
            .map(|i| DocView::from_doc(&self.studies[i]))
            .or_else(|| position(&self.reports, rel).map(|i| DocView::from_doc(&self.reports[i])))
            .or_else(|| position(&self.tracers, rel).map(|i| DocView::from_doc(&self.tracers[i])))
            .or_else(|| position(&self.areas, rel).map(|i| DocView::from_doc(&self.areas[i])))
            .or_else(|| position(&self.theories, rel).map(|i| DocView::from_doc(&self.theories[i])))
            .or_else(|| position(&self.cmos, rel).map(|i| DocView::from_doc(&self.cmos[i])))
            .or_else(|| position(&self.pages, rel).map(|i| DocView::from_doc(&self.pages[i])))
    }

    fn replace(&mut self, rel: &Path, loaded: Loaded) {
        fn put<T>(docs: &mut Vec<Document<T>>, rel: &Path, d: Document<T>) {
            match position(docs, rel) {
                Some(i) => docs[i] = d,
                None => docs.push(d),
            }
        }
        match loaded {
            Loaded::Study(d) => put(&mut self.studies, rel, d),
            Loaded::Report(d) => put(&mut self.reports, rel, d),
            Loaded::Tracer(d) => put(&mut self.tracers, rel, d),
            Loaded::Area(d) => put(&mut self.areas, rel, d),
            Loaded::Theory(d) => put(&mut self.theories, rel, d),
            Loaded::Cmo(d) => put(&mut self.cmos, rel, d),
            Loaded::Page(d) => put(&mut self.pages, rel, d),
            Loaded::Nothing => {}
        }
    }

    fn set_body(&mut self, rel: &Path, body: String) {
        fn set<T>(docs: &mut [Document<T>], rel: &Path, body: &str) -> bool {
            match docs.iter_mut().find(|d| d.path == rel) {
                Some(d) => {
                    d.body = crate::load::Body::Text(body.to_string());
                    true
                }
                None => false,
            }
        }
        let _ = set(&mut self.studies, rel, &body)
            || set(&mut self.reports, rel, &body)
            || set(&mut self.tracers, rel, &body)
            || set(&mut self.areas, rel, &body)
            || set(&mut self.theories, rel, &body)
            || set(&mut self.cmos, rel, &body)
            || set(&mut self.pages, rel, &body);
    }
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
