//! Stage 4, render: every page through Tera, in parallel, handed on as it is rendered.
//!
//! Rendering is one generic path:
//!
//! 1. [`PageSpec`] names a page, and [`Renderer::specs`] lists every page of the site;
//! 2. [`pages`] builds the page's view model;
//! 3. [`Renderer::render_page`] renders it into this thread's buffer;
//! 4. the HTML goes to a [`PageSink`] (the caller's: `write` writes the page, indexes it for
//!    search and scans it for the link check), which returns what the caller keeps of the page.
//!
//! Nothing keeps a page's HTML after the sink has it.

pub mod chain;
/// The citation record of each report and CMO page, for "Cite this" and the citation files.
pub mod citation;
pub mod meta;
pub mod nav;
pub mod pages;
pub mod search_meta;
pub mod statement;
pub mod templates;
pub mod views;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cite::{Bibliography, CiteItem};
use crate::diagnostics::Diagnostic;
use crate::markdown::{self, Resolver, SourceLink};
use crate::model::{Kind, Ref, Store};
use crate::resolve::Site;
use crate::url;
use templates::Templates;
use views::{Common, NavItem};

/// One page of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageSpec {
    Home,
    List(Kind),
    Matrix,
    Glossary,
    /// The "Data and downloads" page describing `exports/`.
    Exports,
    Search,
    NotFound,
    Report(usize),
    Cmo(usize),
    /// A study, tracer, area, theory or free page, by index into its content list.
    Entity(Kind, usize),
    Theme(String),
}

/// The site-relative file a page is written to.
pub fn spec_path(site: &Site, spec: &PageSpec) -> String {
    let c = &site.content;
    let entity = |kind: Kind, id: &str| url::page_file(&Site::url(kind, id));
    match spec {
        PageSpec::Home => url::page_file(""),
        PageSpec::List(kind) => url::page_file(&kind.list_url()),
        PageSpec::Matrix => url::page_file(&Kind::Cmo.list_url()),
        PageSpec::Glossary => url::page_file("glossary/"),
        PageSpec::Exports => url::page_file("exports/"),
        PageSpec::Search => url::page_file("search/"),
        PageSpec::NotFound => "404.html".into(),
        PageSpec::Report(i) => entity(Kind::Report, &c.reports[*i].id),
        PageSpec::Cmo(i) => entity(Kind::Cmo, &site.cmos[*i].cmo.id),
        PageSpec::Entity(kind, i) => entity(*kind, entity_doc(c, *kind, *i).0),
        PageSpec::Theme(id) => entity(Kind::Theme, id),
    }
}

/// The id and source file of the document behind `PageSpec::Entity(kind, i)`.
pub fn entity_doc(c: &crate::load::Content, kind: Kind, i: usize) -> (&str, &Path) {
    let d = &c.entities(kind)[i];
    (&d.id, &d.path)
}

/// A page's view model, ready to render.
pub struct Built {
    pub path: String,
    pub template: &'static str,
    pub context: tera::Context,
    pub source: Option<PathBuf>,
    pub md_links: Vec<SourceLink>,
    pub problems: Vec<Diagnostic>,
    /// Images kept beside the page's Markdown file, copied beside the page.
    pub assets: Vec<markdown::Asset>,
}

/// Glossary lookup for `<abbr>`: term → (expansion, anchor).
pub struct GlossaryIndex(HashMap<String, (String, String)>);

impl GlossaryIndex {
    pub fn new(site: &Site) -> Self {
        let mut map = HashMap::new();
        let mut anchors = glossary_anchors(&site.content.glossary);
        for entry in &site.content.glossary {
            // Only acronyms get <abbr>: one word with at least two capitals (CCG, PbR, HSCA12).
            let single_word = entry.term.chars().all(|c| c.is_alphanumeric() || c == '&');
            let acronym =
                single_word && entry.term.chars().filter(|c| c.is_uppercase()).count() >= 2;
            if let (true, Some(expansion)) = (acronym, &entry.expansion) {
                let anchor = anchors.remove(&entry.term).unwrap_or_default();
                map.insert(entry.term.clone(), (expansion.clone(), anchor));
            }
        }
        GlossaryIndex(map)
    }
}

/// Each glossary term's id on the glossary page, `term-<slug>`, unique: terms whose slugs are the
/// same (`CCG` and `ccg`) get `-1`, `-2` … in the order of the glossary file.
pub fn glossary_anchors(entries: &[crate::model::GlossaryEntry]) -> HashMap<String, String> {
    let mut ids = crate::text::slug::IdSet::default();
    let mut anchors = HashMap::with_capacity(entries.len());
    for e in entries {
        if !anchors.contains_key(&e.term) {
            let id = ids.claim(&format!("term-{}", crate::text::slug::slugify(&e.term)));
            anchors.insert(e.term.clone(), id);
        }
    }
    anchors
}

/// Everything rendering reads: the site, the compiled templates and the lookups built once.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub templates: &'a Templates,
    pub glossary: GlossaryIndex,
    pub bibliography: &'a Bibliography,
    /// Each study's reports in date order, for a report's previous and next.
    pub series: nav::Series,
}

/// A page just rendered, handed to a [`PageSink`] while its HTML is in the rendering buffer.
pub struct RenderedPage<'h> {
    /// Site-relative file path (`reports/x/index.html`).
    pub path: String,
    pub html: &'h str,
    pub template: &'static str,
    /// The content file the page renders, and the links its author wrote there, with where.
    pub source: Option<PathBuf>,
    pub md_links: Vec<SourceLink>,
    /// Images to copy beside the page (paths relative to its folder).
    pub assets: Vec<markdown::Asset>,
}

/// Where rendered pages go. The renderer keeps nothing of a page; the sink takes its HTML (to
/// write, index, scan for links) and returns what the caller keeps of it, with the problems
/// found, or the problem that stopped it (a failed write).
pub trait PageSink: Sync {
    type Record: Send;

    fn take(&self, page: RenderedPage<'_>) -> Result<(Self::Record, Vec<Diagnostic>), Diagnostic>;
}

impl<'a> Renderer<'a> {
    /// A renderer of `site`'s pages; where they go is the [`PageSink`] given to each call.
    pub fn new(
        site: &'a Site,
        templates: &'a Templates,
        bibliography: &'a Bibliography,
    ) -> Renderer<'a> {
        Renderer {
            site,
            templates,
            glossary: GlossaryIndex::new(site),
            bibliography,
            series: nav::Series::new(site),
        }
    }

    /// Every page of the site, in a stable order.
    pub fn specs(&self) -> Vec<PageSpec> {
        let site = self.site;
        let c = &site.content;
        let mut specs = vec![
            PageSpec::Home,
            PageSpec::Matrix,
            PageSpec::Glossary,
            PageSpec::Exports,
            PageSpec::NotFound,
        ];
        if self.site.config.search {
            specs.push(PageSpec::Search);
        }
        specs.extend(
            Kind::ALL
                .into_iter()
                .filter(|k| has_list(c, *k))
                .map(PageSpec::List),
        );
        specs.extend(
            c.reports
                .iter()
                .enumerate()
                .filter(|(_, d)| site.is_published(Kind::Report, &d.id))
                .map(|(i, _)| PageSpec::Report(i)),
        );
        specs.extend(
            site.cmos
                .iter()
                .enumerate()
                .filter(|(_, r)| r.published)
                .map(|(i, _)| PageSpec::Cmo(i)),
        );
        // A theme's synthesis file is shown on its theme page, which the `themes:` lists make.
        for kind in Kind::ALL
            .into_iter()
            .filter(|k| k.info().store == Store::Entities)
        {
            let count = c.entities(kind).len();
            specs.extend((0..count).map(|i| PageSpec::Entity(kind, i)));
        }
        specs.extend(site.themes.keys().map(|t| PageSpec::Theme(t.clone())));
        specs
    }

    /// Builds and renders one page into `sink`.
    pub fn render_page<S: PageSink>(
        &self,
        spec: &PageSpec,
        sink: &S,
    ) -> (Option<S::Record>, Vec<Diagnostic>) {
        self.render_timed(spec, sink).0
    }

    /// [`Renderer::render_page`], and the template the page used.
    fn render_timed<S: PageSink>(
        &self,
        spec: &PageSpec,
        sink: &S,
    ) -> ((Option<S::Record>, Vec<Diagnostic>), &'static str) {
        let mut built = pages::build(self, spec);
        // Every template may read `search` (base.html marks the indexed pages' `<main>`).
        let search = search_meta::for_page(self.site, spec);
        built.context.insert("search", &search);
        let template = built.template;
        let mut problems = built.problems;
        // The page's HTML lives only in this thread's buffer while the sink has it; then the
        // buffer is reused for the next page.
        let rendered = with_rendered(&self.templates.tera, template, &built.context, |html| {
            sink.take(RenderedPage {
                path: built.path.clone(),
                html,
                template,
                source: built.source,
                md_links: built.md_links,
                assets: built.assets,
            })
        });
        let record = match rendered {
            Ok(Ok((record, found))) => {
                problems.extend(found);
                Some(record)
            }
            Ok(Err(d)) => {
                problems.push(d);
                None
            }
            Err(e) => {
                let origins = &self.templates.origins;
                problems.push(templates::template_error(&e, origins, Some(&built.path)));
                None
            }
        };
        ((record, problems), template)
    }

    /// The context every page shares, for a page at `path` (site-relative file path).
    pub fn common(&self, path: &str, current: Option<Kind>) -> Common {
        let depth = depth_of(path);
        let config = &self.site.config;
        let linker = views::Linker {
            site: self.site,
            depth,
        };
        let page = nav::page_of(self.site, url::page_of_file(path));
        let mut nav: Vec<NavItem> = Kind::ALL
            .into_iter()
            .filter_map(|k| Some((k, k.info().nav?)))
            // A kind whose list page is made only if it has entities is in the menu only then.
            .filter(|(k, _)| {
                !matches!(k.info().list, crate::model::ListPage::IfAny(_))
                    || has_list(&self.site.content, *k)
            })
            .map(|(k, title)| NavItem {
                title: title.into(),
                url: linker.url(&k.list_url()),
                current: current == Some(k),
                aria_current: nav::aria_current(page, &k.list_url(), current.filter(|c| *c == k)),
            })
            .collect();
        nav.push(NavItem {
            title: "Glossary".into(),
            url: linker.url("glossary/"),
            current: false,
            aria_current: nav::aria_current(page, "glossary/", None),
        });
        nav.extend(self.menu(&linker, path));
        for item in &mut nav {
            item.current = item.aria_current.is_some();
        }
        Common {
            site_title: config.title.clone(),
            site_description: config.description.clone(),
            language: config.language.clone(),
            publisher: config.publisher.clone(),
            licence: config.licence.clone(),
            accessibility_contact: config.accessibility_contact.clone(),
            root: url::relative(depth, ""),
            canonical: config.base_url.absolute(url::page_of_file(path)),
            nav,
            has_search: config.search,
            short_title: config.short_title.clone(),
            breadcrumbs: nav::breadcrumbs(&linker, page),
            brand: nav::brand(&linker),
            series: match page {
                nav::PageOf::Entity(Kind::Report, id) => self.series.view(&linker, id),
                _ => None,
            },
            dates: nav::dates(self.site, page),
        }
    }

    /// The `menu:` entries of site.yaml whose pages are published (the others are reported by the
    /// check stage), for the page at `path`.
    fn menu<'m>(
        &'m self,
        linker: &'m views::Linker,
        path: &'m str,
    ) -> impl Iterator<Item = NavItem> + 'm {
        let site = self.site;
        let here = url::page_of_file(path);
        site.config
            .menu
            .iter()
            .filter(move |m| site.is_published(m.link.kind, &m.link.id))
            .map(move |m| {
                let page = Site::url(m.link.kind, &m.link.id);
                let current = page == here;
                let aria_current = nav::aria_current(nav::page_of(site, here), &page, None);
                let target = match &m.link.anchor {
                    Some(anchor) => format!("{page}#{anchor}"),
                    None => page,
                };
                NavItem {
                    title: m
                        .words
                        .clone()
                        .unwrap_or_else(|| site.title(m.link.kind, &m.link.id)),
                    url: linker.url(&target),
                    current,
                    aria_current,
                }
            })
    }

    /// Renders the Markdown body of `doc` for the page at `path`, turning its problems into
    /// diagnostics. A body released after load is read again from its file here.
    pub fn markdown<T>(
        &self,
        doc: &crate::load::Document<T>,
        path: &str,
        problems: &mut Vec<Diagnostic>,
        links: &mut Vec<SourceLink>,
    ) -> markdown::Rendered {
        let (body, file, first_line) = (&doc.body, doc.path.as_path(), doc.body_line);
        let reread;
        let text = match body.text() {
            Some(t) => t,
            None => {
                reread = crate::load::reread_body(&self.site.content.root, file, body)
                    .unwrap_or_else(|d| {
                        problems.push(d);
                        String::new()
                    });
                &reread
            }
        };
        let source = markdown::Source {
            text,
            path: file,
            first_line,
            depth: depth_of(path),
        };
        let resolver = SiteResolver { renderer: self };
        let rendered = markdown::render(&source, &resolver);
        links.extend(
            rendered
                .links
                .iter()
                .map(|(href, line, column)| SourceLink {
                    href: href.clone(),
                    path: file.to_path_buf(),
                    line: *line,
                    column: *column,
                }),
        );
        for p in &rendered.problems {
            let d = if p.warning {
                Diagnostic::warning(file, p.line, p.column, &p.message)
            } else {
                Diagnostic::error(file, p.line, p.column, &p.message)
            };
            problems.push(d.with_help_opt(p.help.clone()));
        }
        rendered
    }
}

/// Whether `kind` has a list page on this site (see [`crate::model::ListPage`]).
fn has_list(c: &crate::load::Content, kind: Kind) -> bool {
    match kind.info().list {
        crate::model::ListPage::Always(_) => true,
        crate::model::ListPage::IfAny(_) => !c.entities(kind).is_empty(),
        crate::model::ListPage::Never => false,
    }
}

thread_local! {
    /// Each rendering thread renders every page into one buffer, sized by the largest page so far.
    /// A fresh buffer per page cost a page fault for every 4 KiB of every page (the kernel zeroes
    /// each new page), which was a sixth of a cold build's time.
    static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(Vec::with_capacity(64 * 1024));
}

/// Renders `template` into this thread's buffer and hands the HTML to `f`.
fn with_rendered<R>(
    tera: &tera::Tera,
    template: &str,
    context: &tera::Context,
    f: impl FnOnce(&str) -> R,
) -> tera::TeraResult<R> {
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        buffer.clear();
        tera.render_to(template, context, &mut *buffer)?;
        // Tera writes only `str`s, so this never fails; the lossy path is a safety net.
        let result = match std::str::from_utf8(&buffer) {
            Ok(html) => f(html),
            Err(_) => f(&String::from_utf8_lossy(&buffer)),
        };
        // One huge page (a matrix of 40,000 CMOs is 20 MB) should not stay resident to the end.
        if buffer.capacity() > 4 << 20 {
            *buffer = Vec::with_capacity(64 * 1024);
        }
        Ok(result)
    })
}

/// How many folders deep a site-relative file path is (`reports/x/index.html` → 2).
pub fn depth_of(path: &str) -> usize {
    path.matches('/').count()
}

/// Serialises a view into a Tera context.
pub fn context<T: Serialize>(common: &Common, page: &T) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("common", common);
    ctx.insert("page", page);
    ctx
}

struct SiteResolver<'r, 'a> {
    renderer: &'r Renderer<'a>,
}

impl Resolver for SiteResolver<'_, '_> {
    fn resolve(&self, r: &Ref) -> Result<String, (String, Option<String>)> {
        let site = self.renderer.site;
        if let Some(problem) = site.ref_problem(r, &[r.kind], "link") {
            return Err(problem);
        }
        let mut url = Site::url(r.kind, &r.id);
        if let Some(anchor) = &r.anchor {
            url.push('#');
            url.push_str(anchor);
        }
        Ok(url)
    }

    fn content_ref(&self, path: &Path) -> Option<Ref> {
        let site = self.renderer.site;
        let mut parts = path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
        if parts.next()? != "content" {
            return None;
        }
        let folder = parts.next()?;
        let kind = Kind::from_folder(&folder)?;
        let id = if kind.info().id_from == crate::model::IdFrom::FrontMatter {
            site.content
                .cmos
                .iter()
                .find(|d| d.path == path)?
                .meta
                .id
                .clone()
        } else {
            path.file_stem()?.to_string_lossy().into_owned()
        };
        Some(Ref {
            kind,
            id,
            anchor: None,
        })
    }

    fn glossary(&self, term: &str) -> Option<(&str, &str)> {
        self.renderer
            .glossary
            .0
            .get(term)
            .map(|(e, a)| (e.as_str(), a.as_str()))
    }

    fn has_citation(&self, key: &str) -> Result<(), Option<String>> {
        let bib = self.renderer.bibliography;
        if bib.contains(key) {
            Ok(())
        } else {
            Err(bib.suggest(key))
        }
    }

    fn open_asset(&self, path: &Path) -> Result<Option<std::fs::File>, String> {
        let root = &self.renderer.site.content.root;
        if !crate::paths::exists(root, path) {
            return Ok(None);
        }
        // Under the input policy, and inside content/ itself: a link from there to another
        // file of the site (site.yaml, a draft's folder) is not published either.
        let real = crate::paths::check_file(root, path).map_err(|d| d.message)?;
        let content = Path::new("content");
        let canonical = crate::paths::canonical_root(root).join(content);
        if !(real.starts_with(root.join(content)) || real.starts_with(canonical)) {
            return Err("a symbolic link that points outside content/".into());
        }
        crate::paths::open(root, path)
            .map(Some)
            .map_err(|d| d.message)
    }

    fn generated(&self, name: &str, depth: usize) -> Option<String> {
        statement::generated(self.renderer.site, name, depth)
    }

    fn format_citations(&self, clusters: &[Vec<CiteItem>]) -> (Vec<String>, Vec<(String, String)>) {
        let formatted = self.renderer.bibliography.format_document(clusters);
        (
            formatted.inline,
            formatted
                .references
                .into_iter()
                .map(|r| (r.key, r.html))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::resolve::fixture;

    /// Every page a kind's URLs lead to is one the site writes and the link checker knows: each
    /// page is built at the path the page list gives it, and every navigation link and list-page
    /// link of the home page names a page of that list.
    #[test]
    fn navigation_and_list_links_name_pages_of_the_site() {
        let files = [
            fixture::report("r", "published", ""),
            (
                "content/sources/s.md".to_string(),
                "---\ntitle: S\n---\n".to_string(),
            ),
        ];
        let (site, _) = fixture::site(&files);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let templates = Templates::load(dir.path(), "default").expect("the default theme loads");
        let bibliography = Bibliography::empty();
        let r = Renderer::new(&site, &templates, &bibliography);
        let specs = r.specs();
        let paths: HashSet<String> = specs.iter().map(|s| spec_path(&site, s)).collect();
        for spec in &specs {
            assert_eq!(
                pages::build(&r, spec).path,
                spec_path(&site, spec),
                "{spec:?}"
            );
        }
        for kind in Kind::ALL
            .into_iter()
            .filter(|k| has_list(&site.content, *k))
        {
            let list = url::page_file(&kind.list_url());
            assert!(paths.contains(&list), "{kind:?}: {list}");
        }
        for item in r.common("index.html", None).nav {
            let page = url::page_file(&item.url);
            assert!(paths.contains(&page), "nav `{}`: {page}", item.title);
        }
    }
}
