//! Stage 2, resolve: turn loaded documents into one immutable [`Site`].
//!
//! Resolving gives every entity its URL, lifts inline CMOs out of their reports into one CMO
//! namespace, resolves every `kind/id` reference (reporting dangling ones with a suggestion), and
//! builds the link graph that every page's "linked from" lists and the CMO matrix are read from.
//! After this stage nothing is mutated: rendering reads the `Site` from many threads at once.
//!
//! [`Site::resolve`] does this:
//!
//! 1. sort every kind's documents by id, so that everything after is in a stable order;
//! 2. lift each report's inline CMOs into one CMO namespace, checking ids and duplicates;
//! 3. index every entity's title and publication status, and the reserved page ids;
//! 4. index each body's section titles (what evidence anchors name);
//! 5. give inline CMOs their report's tracers and areas unless they name their own;
//! 6. credit each editorial report that names no authors of its own to the site's editors, so
//!    every page, citation and export that reads a report's authors names them and never the
//!    authors of the work it summarises;
//! 7. build the link graph ([`graph`]): every reference checked against the registry's fields,
//!    backlinks grouped by target, chain inverses, cycles rejected, themes collected.

mod graph;
mod informants;
pub mod rameses;

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;
use std::path::PathBuf;

use crate::config::SiteConfig;
use crate::diagnostics::Diagnostic;
use crate::load::{Content, Document};
use crate::model::{Cmo, CmoEntry, EvidenceSource, IdFrom, Kind, Ref, Status, Store};

pub use crate::model::Relation;
pub use graph::Backlink;
pub use informants::InformantLookup;

/// Build-wide choices that change what is published.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub drafts: bool,
}

/// Where a CMO was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Inline in the report at this index of `content.reports`.
    Report(usize),
    /// Its own file at this index of `content.cmos`.
    File(usize),
}

/// A CMO with what it inherits from its report.
#[derive(Debug, Clone)]
pub struct CmoRecord {
    /// Boxed as it was parsed: moving 40,000 CMOs out of their boxes into one vector would copy
    /// them, and the freed boxes would stay resident between other allocations.
    pub cmo: Box<Cmo>,
    pub origin: Origin,
    pub tracers: Vec<String>,
    pub areas: Vec<String>,
    /// Reports that list this CMO (the defining report first).
    pub reports: Vec<String>,
    pub published: bool,
}

/// What the site knows of an entity by its kind and id.
#[derive(Clone)]
struct Entity {
    title: String,
    published: bool,
}

/// Up to how many published CMOs the XLSX workbook is written unless `site.yaml` says otherwise:
/// it costs about a sixth of a second per thousand CMOs.
pub const XLSX_AUTO_CMOS: usize = 1_000;

/// The resolved site: read-only from here on.
pub struct Site {
    pub config: SiteConfig,
    pub content: Content,
    pub options: Options,
    pub cmos: Vec<CmoRecord>,
    /// CMO ids of each report, in the order listed (index parallel to `content.reports`).
    pub report_cmos: Vec<Vec<String>>,
    /// Per kind (indexed by `Kind as usize`): id → title and whether the entity gets a page in
    /// this build, for every entity that exists (published or not), themes aside. Keyed by kind
    /// first so that a lookup by `&str` needs no allocation: pages make millions of them.
    entities: Vec<HashMap<String, Entity>>,
    cmo_index: HashMap<String, usize>,
    report_status: HashMap<String, Status>,
    report_index: HashMap<String, usize>,
    /// (kind, id) → (anchor, heading text) of the Markdown headings of reports and pages.
    sections: HashMap<(Kind, String), Vec<(String, String)>>,
    pub backlinks: HashMap<(Kind, String), Vec<Backlink>>,
    /// Theme id → report ids and CMO ids, sorted.
    pub themes: BTreeMap<String, (Vec<String>, Vec<String>)>,
}

impl Site {
    /// Builds the site model; returns it together with every reference problem found.
    pub fn resolve(
        config: SiteConfig,
        mut content: Content,
        options: Options,
    ) -> (Site, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        sort_documents(&mut content);
        set_aside_reserved_pages(&mut content, &mut problems);
        let (cmos, report_cmos) = lift_cmos(&mut content, &mut problems);
        let mut site = Site {
            config,
            content,
            options,
            cmos,
            report_cmos,
            entities: Vec::new(),
            cmo_index: HashMap::default(),
            report_status: HashMap::default(),
            report_index: HashMap::default(),
            sections: HashMap::default(),
            backlinks: HashMap::default(),
            themes: BTreeMap::new(),
        };
        site.index_entities();
        site.sections = index_sections(&mut site.content, &site.cmos);
        site.inherit_from_reports();
        credit_editors(&mut site.content, &site.config);
        graph::build(&mut site, &mut problems);
        (site, problems)
    }

    fn index_entities(&mut self) {
        let c = &self.content;
        let mut entities: Vec<HashMap<String, Entity>> = vec![HashMap::default(); Kind::COUNT];
        let mut add = |kind: Kind, id: &str, title: &str, published: bool| {
            let title = title.to_string();
            entities[kind as usize].insert(id.to_string(), Entity { title, published });
        };
        for kind in Kind::ALL {
            for d in c.entities(kind) {
                add(kind, &d.id, d.meta.title(), true);
            }
        }
        for d in &c.reports {
            add(
                Kind::Report,
                &d.id,
                &d.meta.title,
                is_published(d.meta.status, self.options),
            );
            self.report_status.insert(d.id.clone(), d.meta.status);
            self.report_index
                .insert(d.id.clone(), self.report_index.len());
        }
        for (i, record) in self.cmos.iter_mut().enumerate() {
            record.published = match record.origin {
                Origin::Report(r) => is_published(c.reports[r].meta.status, self.options),
                Origin::File(_) => true,
            };
            add(
                Kind::Cmo,
                &record.cmo.id,
                &record.cmo.title,
                record.published,
            );
            self.cmo_index.insert(record.cmo.id.clone(), i);
        }
        self.entities = entities;
    }

    /// Inline CMOs inherit tracer and areas from their report unless they name their own.
    fn inherit_from_reports(&mut self) {
        for record in &mut self.cmos {
            let report = match record.origin {
                Origin::Report(r) => Some(&self.content.reports[r].meta),
                Origin::File(_) => None,
            };
            record.tracers = match (&record.cmo.tracer, report) {
                (Some(t), _) => vec![t.id.clone()],
                (None, Some(r)) => r.tracer_refs().iter().map(|t| t.id.clone()).collect(),
                (None, None) => Vec::new(),
            };
            record.areas = match (&record.cmo.areas, report) {
                (Some(a), _) => a.iter().map(|a| a.id.clone()).collect(),
                (None, Some(r)) => r.areas.iter().map(|a| a.id.clone()).collect(),
                (None, None) => Vec::new(),
            };
        }
    }

    /// The source publication with this id, if any.
    pub fn source(&self, id: &str) -> Option<&crate::model::Source> {
        let sources = self.content.entities(Kind::Source);
        let i = sources.binary_search_by(|d| d.id.as_str().cmp(id)).ok()?;
        match &sources[i].meta {
            crate::model::Entity::Source(s) => Some(s),
            _ => None,
        }
    }

    /// The report with this id, if any.
    pub fn report(&self, id: &str) -> Option<&Document<crate::model::Report>> {
        self.report_index.get(id).map(|&i| &self.content.reports[i])
    }

    /// The text of the heading with id `anchor` in a report or page body, if there is one.
    pub fn section_title(&self, kind: Kind, id: &str, anchor: &str) -> Option<&str> {
        let sections = self.sections.get(&(kind, id.to_string()))?;
        sections
            .iter()
            .find(|(a, _)| a == anchor)
            .map(|(_, t)| t.as_str())
    }

    /// The (anchor, text) of the headings kept for a report or page body: those evidence cites,
    /// and every heading of a report with a RAMESES II mapping.
    pub fn sections(&self, kind: Kind, id: &str) -> &[(String, String)] {
        self.sections
            .get(&(kind, id.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Whether an entity exists at all (published or not).
    pub fn exists(&self, kind: Kind, id: &str) -> bool {
        if kind == Kind::Theme {
            return self.themes.contains_key(id);
        }
        self.entity(kind, id).is_some()
    }

    fn entity(&self, kind: Kind, id: &str) -> Option<&Entity> {
        self.entities.get(kind as usize)?.get(id)
    }

    /// Whether the exports include the XLSX workbook: `xlsx:` in `site.yaml`, else only up to
    /// [`XLSX_AUTO_CMOS`] published CMOs (it is built in memory).
    pub fn has_xlsx(&self) -> bool {
        let published = || self.cmos.iter().filter(|r| r.published).count();
        self.config
            .xlsx
            .unwrap_or_else(|| published() <= XLSX_AUTO_CMOS)
    }

    /// Whether the build publishes a realist report, and so the RAMESES II checklist exports.
    pub fn has_checklists(&self) -> bool {
        let reports = self.content.reports.iter().enumerate();
        reports
            .filter(|(_, d)| self.is_published(Kind::Report, &d.id))
            .any(|(_, d)| rameses::is_realist(self, &d.meta))
    }

    /// Whether an entity gets a page in this build.
    pub fn is_published(&self, kind: Kind, id: &str) -> bool {
        kind == Kind::Theme && self.themes.contains_key(id)
            || self.entity(kind, id).is_some_and(|e| e.published)
    }

    pub fn title(&self, kind: Kind, id: &str) -> String {
        if kind == Kind::Theme {
            // A theme's synthesis gives its title; otherwise it is made from the id.
            let synthesis = self.entity(kind, id).map(|e| e.title.clone());
            return synthesis.unwrap_or_else(|| theme_title(id));
        }
        self.entity(kind, id)
            .map_or_else(|| id.to_string(), |e| e.title.clone())
    }

    pub fn cmo(&self, id: &str) -> Option<&CmoRecord> {
        self.cmo_index.get(id).map(|&i| &self.cmos[i])
    }

    /// Ids of one kind, for "did you mean".
    pub fn ids_of(&self, kind: Kind) -> impl Iterator<Item = &str> {
        self.entities
            .get(kind as usize)
            .into_iter()
            .flat_map(|ids| ids.keys().map(String::as_str))
    }

    /// The site-relative URL of an entity's page (`reports/x/`).
    pub fn url(kind: Kind, id: &str) -> String {
        kind.url(id)
    }

    /// The site-relative path of a report's PDF, beside its page (`reports/x/x.pdf`), written
    /// when site.yaml has `pdf: true`.
    pub fn pdf_file(id: &str) -> String {
        format!("{}{id}.pdf", Kind::Report.url(id))
    }

    /// The page files of entities whose file exists but failed to load. They are not written, for
    /// a reason already reported, so the link checker counts them as there.
    pub fn failed_pages(&self) -> impl Iterator<Item = String> + '_ {
        self.content
            .failed
            .iter()
            .map(|(kind, id)| crate::url::page_file(&Site::url(*kind, id)))
    }

    /// The page files of unpublished pages (a draft or confidential report and its inline CMOs).
    /// A published page can only link to one through a reference already reported where it is
    /// written, so the link checker counts them as there rather than add a second, unlocated
    /// "broken link" for the same mistake.
    pub fn unpublished_pages(&self) -> impl Iterator<Item = String> + '_ {
        let reports = self.content.reports.iter().map(|d| (Kind::Report, &d.id));
        let cmos = self.cmos.iter().map(|r| (Kind::Cmo, &r.cmo.id));
        reports
            .chain(cmos)
            .filter(|(kind, id)| !self.is_published(*kind, id))
            .map(|(kind, id)| crate::url::page_file(&Site::url(kind, id)))
    }

    /// The project-relative path of the file that defines an entity (for diagnostics).
    pub fn source_path(&self, kind: Kind, id: &str) -> Option<PathBuf> {
        if kind.info().store == Store::Cmos {
            // A CMO may be written inline in a report.
            return self.cmo(id).map(|r| self.cmo_document_path(r));
        }
        let heads = self.content.heads(kind);
        heads
            .into_iter()
            .find(|d| d.id == id)
            .map(|d| d.path.to_path_buf())
    }

    pub fn cmo_document_path(&self, record: &CmoRecord) -> PathBuf {
        match record.origin {
            Origin::Report(r) => self.content.reports[r].path.clone(),
            Origin::File(f) => self.content.cmos[f].path.clone(),
        }
    }

    /// A located error inside the file that defines `record`, near its `id:`.
    pub fn cmo_error(
        &self,
        record: &CmoRecord,
        needle: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let within = Some(record.cmo.id.as_str());
        match record.origin {
            Origin::Report(r) => self.content.reports[r].error_at(needle, within, message),
            Origin::File(f) => self.content.cmos[f].error_at(needle, within, message),
        }
    }

    /// A located error at the CMO `record`'s own `key` (its first line when the key is absent).
    pub fn cmo_key_error(
        &self,
        record: &CmoRecord,
        key: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let within = Some(record.cmo.id.as_str());
        match record.origin {
            Origin::Report(r) => self.content.reports[r].error_at_key(key, within, message),
            Origin::File(f) => self.content.cmos[f].error_at_key(key, within, message),
        }
    }

    /// A located error at `needle` inside `field` of the CMO `record`.
    pub fn cmo_field_error(
        &self,
        record: &CmoRecord,
        field: &str,
        needle: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        let within = Some(record.cmo.id.as_str());
        match record.origin {
            Origin::Report(r) => {
                self.content.reports[r].error_in_field(needle, field, within, message)
            }
            Origin::File(f) => self.content.cmos[f].error_in_field(needle, field, within, message),
        }
    }

    /// Checks that `r`, written in `doc` (published in this build or not: `from_published`),
    /// names an existing entity of kind `expected`; returns a located error if not.
    pub fn check_ref<T>(
        &self,
        doc: &Document<T>,
        from_published: bool,
        r: &Ref,
        expected: &[Kind],
        field: &str,
    ) -> Option<Diagnostic> {
        self.ref_problem_from(from_published, r, expected, field)
            .map(|(message, help)| {
                doc.error_in_field(&r.to_string(), field, None, message)
                    .with_help_opt(help)
            })
    }

    /// What is wrong with a reference written on a published page, if anything: (message, help).
    pub fn ref_problem(
        &self,
        r: &Ref,
        expected: &[Kind],
        field: &str,
    ) -> Option<(String, Option<String>)> {
        self.ref_problem_from(true, r, expected, field)
    }

    /// What is wrong with a reference, if anything: (message, help). A reference from a page that
    /// is not published in this build (a draft, a confidential report, their inline CMOs) may
    /// name another unpublished page, itself included: neither is built, so nothing breaks, and
    /// a draft must never stop the rest of the site from building.
    pub fn ref_problem_from(
        &self,
        from_published: bool,
        r: &Ref,
        expected: &[Kind],
        field: &str,
    ) -> Option<(String, Option<String>)> {
        if let Some(problem) = self.kind_or_existence_problem(r, expected, field) {
            return Some(problem);
        }
        if r.kind == Kind::Report && from_published {
            return self.unpublished_problem(r);
        }
        if r.kind == Kind::Cmo && from_published {
            return self.unpublished_cmo_problem(r);
        }
        None
    }

    /// Why `r` may not be shown as a headline finding though it may be linked: it is a withdrawn
    /// report, or a CMO whose defining report is withdrawn (its findings no longer stand).
    pub fn withdrawn_problem(&self, r: &Ref) -> Option<(String, Option<String>)> {
        let report = match r.kind {
            Kind::Report => r.id.as_str(),
            Kind::Cmo => self.cmo(&r.id)?.reports.first()?.as_str(),
            _ => return None,
        };
        if self.report_status.get(report) != Some(&Status::Withdrawn) {
            return None;
        }
        let what = if r.kind == Kind::Report {
            format!("`{r}` is withdrawn")
        } else {
            format!("`{r}` is defined in the withdrawn report `report/{report}`")
        };
        Some((
            format!("{what}, so it may not be shown as a headline finding"),
            Some("remove it from `highlights`, or choose a finding that stands".into()),
        ))
    }

    /// A reference from a published page to a CMO written inline in a draft or confidential
    /// report: that CMO gets no page either, so the link would break. One error that names the
    /// report it is in, as for a link to the report itself. (A standalone CMO has no publication
    /// status of its own: it is always built.)
    fn unpublished_cmo_problem(&self, r: &Ref) -> Option<(String, Option<String>)> {
        let record = self.cmo(&r.id)?;
        let Origin::Report(index) = record.origin else {
            return None;
        };
        if record.published {
            return None;
        }
        let report = &self.content.reports[index];
        let path = crate::diagnostics::display_path(&report.path);
        let report_ref = format!("report/{}", report.id);
        if report.meta.status == Status::Confidential {
            return Some((
                format!("`{r}` is written in the confidential report `{report_ref}` ({path}): it is never published, so a published page may not link to it"),
                Some("remove the link, or change that report's status".into()),
            ));
        }
        Some((
            format!("`{r}` is written in the draft report `{report_ref}` ({path}) and is not built without --drafts"),
            Some("publish that report (`status: published`), remove the link, or build with --drafts to preview".into()),
        ))
    }

    /// A reference to a draft or confidential report from a published page: one error that
    /// names the report and says what to do.
    fn unpublished_problem(&self, r: &Ref) -> Option<(String, Option<String>)> {
        let status = *self.report_status.get(&r.id)?;
        let path = self
            .report(&r.id)
            .map(|d| crate::diagnostics::display_path(&d.path))
            .unwrap_or_default();
        if status == Status::Confidential {
            return Some((
                format!("`{r}` is confidential ({path}): it is never published, so a published page may not link to it"),
                Some("remove the link, or change that report's status".into()),
            ));
        }
        if !self.is_published(Kind::Report, &r.id) {
            return Some((
                format!("`{r}` is a draft ({path}) and is not built without --drafts"),
                Some("publish that report (`status: published`), remove the link, or build with --drafts to preview".into()),
            ));
        }
        None
    }

    /// A reference to the wrong kind, or to nothing: (message, help).
    fn kind_or_existence_problem(
        &self,
        r: &Ref,
        expected: &[Kind],
        field: &str,
    ) -> Option<(String, Option<String>)> {
        if !expected.contains(&r.kind) {
            let names: Vec<&str> = expected.iter().map(|k| k.name()).collect();
            return Some((
                format!(
                    "`{field}` expects a reference to {} {}, found `{r}`",
                    names.first().map_or("a", |n| article(n)),
                    names.join(" or ")
                ),
                Some(self.safe_suggestion(&r.id, expected)),
            ));
        }
        if !self.exists(r.kind, &r.id) {
            if self
                .content
                .failed
                .iter()
                .any(|(k, id)| *k == r.kind && *id == r.id)
            {
                // Its file exists but did not load; that error is already reported.
                return None;
            }
            return Some((
                format!(
                    "`{r}` does not exist: there is no {} with id `{}`",
                    r.kind.name(),
                    r.id
                ),
                Some(
                    self.failed_suggestion(&r.id, r.kind)
                        .unwrap_or_else(|| self.safe_suggestion(&r.id, &[r.kind])),
                ),
            ));
        }
        None
    }

    /// What to write instead of a reference to `id` of `kind` that exists nowhere, when the
    /// nearest match is a file of that kind that failed to load (its mistakes are reported
    /// above), so that the help never says the site has none. `None` when a loaded entity is
    /// close enough, or no file of that kind failed.
    fn failed_suggestion(&self, id: &str, kind: Kind) -> Option<String> {
        if crate::diagnostics::did_you_mean(id, self.ids_of(kind)).is_some() {
            return None;
        }
        let failed = self.content.failed.iter().filter(|(k, _)| *k == kind);
        let failed: Vec<&str> = failed.map(|(_, id)| id.as_str()).collect();
        if failed.is_empty() {
            return None;
        }
        if let Some(near) = crate::diagnostics::did_you_mean(id, failed.iter().copied()) {
            return Some(format!(
                "did you mean `{}/{near}`? Its file has mistakes, listed above, to fix first",
                kind.name()
            ));
        }
        if self.ids_of(kind).next().is_some() {
            return None;
        }
        Some(format!(
            "write `{}/<id>` with the id of a {}; the site's {} files have mistakes, listed above, to fix first",
            kind.name(),
            kind.label_in_sentence(false),
            kind.label_in_sentence(false)
        ))
    }

    /// What to write instead of a reference to `id` that is wrong, naming only entities that
    /// exist and that the field accepts (`kinds`): the same id in an accepted kind, else the
    /// closest id of an accepted kind, else what the field needs, with the ids when they are few.
    /// Never an entity that does not exist, nor one of a kind the field refuses.
    pub fn safe_suggestion(&self, id: &str, kinds: &[Kind]) -> String {
        if let Some(k) = kinds.iter().find(|k| self.exists(**k, id)) {
            return format!("did you mean `{}/{id}`?", k.name());
        }
        let near = kinds
            .iter()
            .find_map(|k| crate::diagnostics::did_you_mean(id, self.ids_of(*k)).map(|s| (k, s)));
        if let Some((k, s)) = near {
            return format!("did you mean `{}/{s}`?", k.name());
        }
        let Some(kind) = kinds.first() else {
            return "remove the reference".into();
        };
        let mut ids: Vec<&str> = kinds.iter().flat_map(|k| self.ids_of(*k)).collect();
        ids.sort_unstable();
        let label = kind.label_in_sentence(true);
        match ids.len() {
            0 => format!(
                "write `{}/<id>` with the id of a {}; the site has none yet",
                kind.name(),
                kind.label_in_sentence(false)
            ),
            n if n <= 10 => format!(
                "write `{}/<id>`; the {label} are: {}",
                kind.name(),
                ids.join(", ")
            ),
            _ => format!(
                "write `{}/<id>` with the id of one of the site's {label}",
                kind.name()
            ),
        }
    }
}

/// `a` or `an` before `word`, by its first letter (`an area`, `a study`).
fn article(word: &str) -> &'static str {
    match word.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    }
}

/// Takes out of the site every free page whose id is the name of a generated section (a page
/// `glossary`), with one error each. The page is not built, so the generated section keeps its
/// place and every link into it still works: one mistake, one error, instead of one broken anchor
/// per link into the section. The page is recorded as failed, so links to it are not reported too.
fn set_aside_reserved_pages(content: &mut Content, problems: &mut Vec<Diagnostic>) {
    let reserved = reserved_page_ids();
    let (kept, clashing): (Vec<_>, Vec<_>) = std::mem::take(content.entities_mut(Kind::Page))
        .into_iter()
        .partition(|page| !reserved.contains(&page.id.as_str()));
    *content.entities_mut(Kind::Page) = kept;
    for page in clashing {
        let message = format!(
            "page id `{}` collides with a generated section of the site",
            page.id
        );
        let help = format!(
            "rename the file; the page is left out until then. Reserved names are: {}",
            reserved.join(", ")
        );
        let d = Diagnostic::error(&page.path, 0, 0, message).with_help(help);
        problems.push(d.ranked(crate::diagnostics::Rank::Duplicate));
        content.failed.push((Kind::Page, page.id));
    }
}

/// Page ids that would collide with generated folders or files: every kind's URL segment, and the
/// folders of the generated pages and files.
pub fn reserved_page_ids() -> Vec<&'static str> {
    let segments = Kind::ALL.map(|k| k.info().segment);
    let generated = [
        "glossary", "search", "static", "exports", "pagefind", "index",
    ];
    segments
        .into_iter()
        .filter(|s| !s.is_empty())
        .chain(generated)
        .collect()
}

fn is_published(status: Status, options: Options) -> bool {
    match status {
        Status::Confidential => false,
        Status::Draft => options.drafts,
        _ => true,
    }
}

/// Heading anchors and texts of the report and page sections that evidence cites, so a CMO page
/// can name the section it cites (other headings are dropped: at 10,000 reports they are
/// a hundred thousand strings no page prints).
fn index_sections(
    content: &mut Content,
    cmos: &[CmoRecord],
) -> HashMap<(Kind, String), Vec<(String, String)>> {
    let cited: rustc_hash::FxHashSet<(Kind, &str, &str)> = cmos
        .iter()
        .flat_map(|r| r.cmo.evidence.iter())
        .filter_map(|e| match &e.source {
            EvidenceSource::Ref(r) => r.anchor.as_deref().map(|a| (r.kind, r.id.as_str(), a)),
            EvidenceSource::Citation(_) => None,
        })
        .collect();
    // A report with a RAMESES II mapping keeps every heading: its `where: "#section"` links are
    // checked against them, with a "did you mean" from among them.
    let keep_all: rustc_hash::FxHashSet<String> = content
        .reports
        .iter()
        .filter(|d| d.meta.rameses.is_some())
        .map(|d| d.id.clone())
        .collect();
    let reports = content.reports.iter_mut();
    let report_outlines = reports.map(|d| (Kind::Report, &d.id, &mut d.outline));
    let entities = content.entities.iter_mut().flatten();
    let entity_outlines = entities.map(|d| (d.meta.kind(), &d.id, &mut d.outline));
    let outlines = report_outlines.chain(entity_outlines);
    let mut out = HashMap::default();
    for (kind, id, outline) in outlines {
        let mut headings = std::mem::take(&mut outline.headings);
        if !(kind == Kind::Report && keep_all.contains(id.as_str())) {
            headings.retain(|(anchor, _)| cited.contains(&(kind, id.as_str(), anchor.as_str())));
        }
        if !headings.is_empty() {
            headings.shrink_to_fit();
            out.insert((kind, id.clone()), headings);
        }
    }
    out
}

/// "finance-and-contracting" → "Finance and contracting".
pub fn theme_title(id: &str) -> String {
    let spaced = id.replace('-', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Documents in a stable order: by id, or by path for those whose id is in their front matter
/// (whose ids may repeat until the duplicates are reported).
/// Gives each editorial report that lists no authors one group author, the site's editors: the
/// page is their work, whatever work it summarises.
fn credit_editors(content: &mut Content, config: &SiteConfig) {
    for d in &mut content.reports {
        let m = &mut d.meta;
        if m.editorial.is_some() && m.authors.is_empty() && !m.authors_not_named {
            m.authors.push(crate::model::Author {
                name: config.editors(),
                group: true,
                family: None,
                given: None,
                affiliation: None,
                orcid: None,
            });
            m.more_authors = false;
        }
    }
}

fn sort_documents(c: &mut Content) {
    fn sort<T>(docs: &mut [Document<T>], kind: Kind) {
        match kind.info().id_from {
            IdFrom::FileName => docs.sort_by(|a, b| a.id.cmp(&b.id)),
            IdFrom::FrontMatter => docs.sort_by(|a, b| a.path.cmp(&b.path)),
        }
    }
    sort(&mut c.reports, Kind::Report);
    sort(&mut c.cmos, Kind::Cmo);
    for kind in Kind::ALL {
        sort(c.entities_mut(kind), kind);
    }
}

/// Moves every CMO, inline or standalone, into one list; reports keep only their CMO ids.
/// Duplicate ids and invalid ids are reported here, since this is where the namespace is built.
fn lift_cmos(
    content: &mut Content,
    problems: &mut Vec<Diagnostic>,
) -> (Vec<CmoRecord>, Vec<Vec<String>>) {
    // Sized exactly: at 40,000 CMOs a doubling vector would waste a third of its capacity.
    let inline: usize = content.reports.iter().map(|r| r.meta.cmos.len()).sum();
    let mut lifted = Lifted::with_capacity(content.cmos.len() + inline);
    let mut report_cmos = Vec::with_capacity(content.reports.len());
    for (i, doc) in content.reports.iter_mut().enumerate() {
        report_cmos.push(lift_report(i, doc, &mut lifted, problems));
    }
    for (i, doc) in content.cmos.iter().enumerate() {
        let locate = |id: &str| doc.locator().locate(id, None);
        let cmo = Box::new(doc.meta.clone());
        lifted.push(cmo, Origin::File(i), &doc.path, &locate, problems);
    }
    for (at, id, first) in std::mem::take(&mut lifted.duplicates) {
        let d = &mut problems[at];
        d.help = Some(format!(
            "it is first defined at {}; CMO ids are unique across the site: rename one of them",
            first_definition(content, &first, &id)
        ));
    }
    (lifted.records, report_cmos)
}

/// `path:line:col` of the first `id: <id>` in the front matter of the file `path`, for the help of
/// a duplicate id (found only then: a position costs a search of the front matter).
fn first_definition(content: &Content, path: &PathBuf, id: &str) -> String {
    let heads = content.reports.iter().map(Document::head);
    let head = heads
        .chain(content.cmos.iter().map(Document::head))
        .find(|h| h.path == path);
    let shown = crate::diagnostics::display_path(path);
    let Some(head) = head else {
        return shown;
    };
    let text = head.front_matter.text();
    let locator = crate::text::yaml::Locator::new(text, head.yaml_line);
    let (line, col) = match id_value_after(text, &locator, id, 0) {
        Some(at) => locator.position(at),
        None => locator.locate(id, None),
    };
    format!("{shown}:{line}:{col}")
}

/// The CMO namespace as it is built: the records so far, and where each id was first defined.
struct Lifted {
    records: Vec<CmoRecord>,
    seen: HashMap<String, PathBuf>,
    /// Each duplicate id reported: the index of its problem, the id, and the file of its first
    /// definition (located once every file is lifted).
    duplicates: Vec<(usize, String, PathBuf)>,
}

impl Lifted {
    fn with_capacity(count: usize) -> Lifted {
        let mut seen = HashMap::default();
        seen.reserve(count);
        Lifted {
            records: Vec::with_capacity(count),
            seen,
            duplicates: Vec::new(),
        }
    }

    /// Adds a CMO defined in `doc_path`, unless its id is invalid or taken (then reported, at
    /// the position `locate` gives for its id). Returns whether it was added.
    fn push(
        &mut self,
        cmo: Box<Cmo>,
        origin: Origin,
        doc_path: &PathBuf,
        locate: &dyn Fn(&str) -> (usize, usize),
        problems: &mut Vec<Diagnostic>,
    ) -> bool {
        if let Some(problem) = self.id_problem(&cmo.id, doc_path, locate) {
            if let Some(first) = self.seen.get(&cmo.id) {
                let first = first.clone();
                self.duplicates
                    .push((problems.len(), cmo.id.clone(), first));
            }
            problems.push(problem);
            return false;
        }
        self.seen.insert(cmo.id.clone(), doc_path.clone());
        self.records.push(CmoRecord {
            cmo,
            origin,
            tracers: Vec::new(),
            areas: Vec::new(),
            reports: Vec::new(),
            published: true,
        });
        true
    }

    /// What is wrong with a new CMO's id: not a valid id, or already defined.
    fn id_problem(
        &self,
        id: &str,
        doc_path: &PathBuf,
        locate: &dyn Fn(&str) -> (usize, usize),
    ) -> Option<Diagnostic> {
        if !crate::model::is_valid_id(id) {
            let message = if id.len() > crate::model::MAX_ID_LEN {
                format!("CMO id {}", crate::model::id_problem(id))
            } else {
                format!("CMO id `{id}` is not a valid id")
            };
            let (line, col) = locate(id);
            let d = Diagnostic::error(doc_path, line, col, message);
            return Some(d.with_help("ids use lower-case letters, digits and `-`"));
        }
        let first = self.seen.get(id)?;
        let (line, col) = locate(id);
        let message = format!("duplicate CMO id `{id}`");
        // The help names the first definition's line once every file is lifted (`lift_cmos`).
        let help = format!(
            "it is first defined in {}; CMO ids are unique across the site: rename one of them",
            crate::diagnostics::display_path(first)
        );
        let d = Diagnostic::error(doc_path, line, col, message).with_help(help);
        Some(d.ranked(crate::diagnostics::Rank::Duplicate))
    }
}

/// Lifts the inline CMOs of report `i` into `lifted`, leaving references in their place; returns
/// the ids of the report's CMOs (inline or referenced), in order.
fn lift_report(
    i: usize,
    doc: &mut Document<crate::model::Report>,
    lifted: &mut Lifted,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let mut ids = Vec::new();
    let entries = std::mem::take(&mut doc.meta.cmos);
    let locator = InlineLocator::default();
    for entry in entries {
        match entry {
            CmoEntry::Inline(cmo) => {
                let id = cmo.id.clone();
                locator.listed.borrow_mut().push(id.clone());
                let locate = |_: &str| locator.next(doc);
                if lifted.push(cmo, Origin::Report(i), &doc.path, &locate, problems) {
                    ids.push(id.clone());
                }
                doc.meta.cmos.push(CmoEntry::Ref(Ref {
                    kind: Kind::Cmo,
                    id,
                    anchor: None,
                }));
            }
            CmoEntry::Ref(r) => {
                ids.push(r.id.clone());
                doc.meta.cmos.push(CmoEntry::Ref(r));
            }
        }
    }
    ids
}

/// Locates the `id:` of inline CMOs in their report's front matter. They are listed in order, so
/// each one's `id:` is searched for after the previous one's: a duplicate id in the same report is
/// then reported where it is repeated. Only a problem needs a position, so the search runs (over
/// the ids listed so far) only then.
#[derive(Default)]
struct InlineLocator {
    listed: std::cell::RefCell<Vec<String>>,
    /// How many of `listed` are located, and the offset after the last one located.
    located: std::cell::Cell<usize>,
    cursor: std::cell::Cell<usize>,
}

impl InlineLocator {
    /// The position of the `id:` of the CMO listed last.
    fn next<T>(&self, doc: &Document<T>) -> (usize, usize) {
        let text = doc.front_matter.text();
        let locator = crate::text::yaml::Locator::new(text, doc.yaml_line);
        let listed = self.listed.borrow();
        let mut position = (doc.yaml_line, 1);
        for id in &listed[self.located.get()..] {
            position = match id_value_after(text, &locator, id, self.cursor.get()) {
                Some(at) => {
                    self.cursor.set(at + id.len());
                    locator.position(at)
                }
                None => locator.locate(id, None),
            };
        }
        self.located.set(listed.len());
        position
    }
}

/// The offset of `id` written as the value of an `id:` key, at or after byte `from`.
fn id_value_after(
    text: &str,
    locator: &crate::text::yaml::Locator,
    id: &str,
    from: usize,
) -> Option<usize> {
    let mut start = from;
    while let Some(at) = locator.find_offset(id, start) {
        let before = text[..at].trim_end_matches([' ', '"', '\'']);
        if let Some(key) = before.strip_suffix("id:") {
            if !key.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '-') {
                return Some(at);
            }
        }
        start = at + id.len();
    }
    None
}

/// Small sites built in a temporary folder, for the unit tests of this stage and of the views.
#[cfg(test)]
pub(crate) mod fixture {
    use super::{Options, Site};
    use crate::diagnostics::Diagnostic;

    pub(crate) const STUDY: (&str, &str) = ("content/studies/s.md", "---\ntitle: S\n---\n");
    pub(crate) const TRACER: (&str, &str) = (
        "content/tracers/tr.md",
        "---\ntitle: Tr\nstudy: study/s\n---\n",
    );
    pub(crate) const AREA: (&str, &str) = (
        "content/areas/a1.md",
        "---\ntitle: A1\nstudy: study/s\nanonymised: true\n---\n",
    );
    pub(crate) const THEORY: (&str, &str) = (
        "content/theories/pt.md",
        "---\ntitle: PT\nstudy: study/s\n---\n",
    );

    /// A report `id` with status `status`, its front matter ending with `extra` (more fields,
    /// such as a `cmos:` list).
    pub(crate) fn report(id: &str, status: &str, extra: &str) -> (String, String) {
        (
            format!("content/reports/{id}.md"),
            format!(
                "---\ntype: tracer-report\ntitle: Report {id}\ndate: \"2017-06\"\nauthors: [{{name: A}}]\nstatus: {status}\nstudy: study/s\ntracer: tracer/tr\nareas: [area/a1]\nsummary: [k]\n{extra}---\n## Findings {{#findings}}\ntext\n"
            ),
        )
    }

    /// An inline CMO `id` (a `cmos:` entry), with `chain` as its `chain:` value if not empty.
    pub(crate) fn inline_cmo(id: &str, chain: &str) -> String {
        let chain = if chain.is_empty() {
            String::new()
        } else {
            format!("    chain: {chain}\n")
        };
        format!("  - id: {id}\n    title: CMO {id}\n    kind: observed\n    programme_theory: [theory/pt]\n    context: [{{text: c}}]\n    mechanism: {{text: m}}\n    outcome: [{{text: o, status: observed, valence: positive, intended: true}}]\n    status: supported\n{chain}")
    }

    /// Loads and resolves a site of the entities above plus `files`.
    pub(crate) fn site(files: &[(String, String)]) -> (Site, Vec<Diagnostic>) {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        let site_yaml = (
            "site.yaml".to_string(),
            "title: T\nbase_url: \"https://example.org/t/\"\n".to_string(),
        );
        let fixed = [STUDY, TRACER, AREA, THEORY].map(|(p, t)| (p.to_string(), t.to_string()));
        for (path, text) in fixed.iter().chain(files).chain([&site_yaml]) {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("folder created");
            std::fs::write(path, text).expect("file written");
        }
        let config = crate::config::SiteConfig::load(root).expect("site.yaml is valid");
        let (content, mut problems) = crate::load::load(root, &config, crate::load::Bodies::Keep);
        let (site, more) = Site::resolve(config, content, Options::default());
        problems.extend(more);
        (site, problems)
    }
}
