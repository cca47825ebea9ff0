//! The typed records of the JSON exports, from which their JSON Schemas are generated too.
//!
//! 1. each published CMO becomes a [`Cmo`] record, each published report a [`Report`] record,
//!    with every list kept a list and every structured field an object;
//! 2. an evidence item's source is resolved here (its entity's title, its section's heading and
//!    its page's absolute URL) so that a reader of the export needs no second file;
//! 3. the same types, wrapped in [`CmosFile`] and [`ReportsFile`], give `schemars` the schemas
//!    published beside the data, so the two cannot drift apart.

use schemars::JsonSchema;
use serde::Serialize;

use crate::diagnostics::display_path;
use crate::model::{
    enum_value, CitedName, CmoKind, CmoStatus, ConfidenceLevel, EvidenceKind, EvidenceSource,
    Journal, Kind, OutcomeStatus, Stance, TheoryRefs, Valence,
};
use crate::render::pages::report_type_label;
use crate::resolve::{CmoRecord, Site};

/// `exports/cmos.json`: every published context–mechanism–outcome configuration (CMO).
#[derive(Serialize, JsonSchema)]
#[schemars(title = "CMO configurations")]
pub struct CmosFile {
    /// The JSON Schema this file follows, relative to the file: `cmos.schema.json`.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// One record per published CMO, in the order of the site's CMO list.
    pub cmos: Vec<Cmo>,
}

/// `exports/reports.json`: every published report.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "Reports")]
pub struct ReportsFile {
    /// The JSON Schema this file follows, relative to the file: `reports.schema.json`.
    #[serde(rename = "$schema")]
    pub schema: String,
    /// One record per published report, in the order of the site's report list.
    pub reports: Vec<Report>,
}

/// One context–mechanism–outcome configuration.
#[derive(Serialize, JsonSchema)]
pub struct Cmo {
    /// The CMO's id, unique on the site.
    pub id: String,
    /// The CMO's title.
    pub title: String,
    /// Whether the CMO is a finding, a hypothesis, or of another kind.
    pub kind: CmoKind,
    /// Whether the CMO is current, contested or withdrawn.
    pub status: CmoStatus,
    /// Why the status differs from what its theories' status would lead a reader to expect.
    pub status_note: Option<String>,
    /// The absolute URL of the CMO's page.
    pub url: String,
    /// The report that defines the CMO (its first report), if any report lists it.
    pub defined_in: Option<String>,
    /// Every report that lists the CMO, the defining one first.
    pub reported_in: Vec<String>,
    /// Ids of the tracers the CMO belongs to (its own, or its report's).
    pub tracers: Vec<String>,
    /// Ids of the areas the CMO belongs to (its own, or its report's).
    pub areas: Vec<String>,
    /// Ids of the programme theories the CMO refines; empty when none are named.
    pub programme_theories: Vec<String>,
    /// True when the author wrote that no programme theory was identified.
    pub programme_theories_none_identified: bool,
    /// Theme ids, whether the CMO is inline in a report or has a file of its own.
    pub themes: Vec<String>,
    /// The context items, in order.
    pub context: Vec<ContextItem>,
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The outcomes, in order.
    pub outcomes: Vec<Outcome>,
    /// The evidence items, in order.
    pub evidence: Vec<Evidence>,
    /// How confident the authors are in the CMO, and why.
    pub confidence: Option<Confidence>,
    /// How the CMO links to other CMOs.
    pub chain: Chain,
    /// The content file the CMO is written in, relative to the site's folder.
    pub source_file: String,
}

/// One item of a CMO's context.
#[derive(Serialize, JsonSchema)]
pub struct ContextItem {
    /// The context as written.
    pub text: String,
    /// Tags given to the item.
    pub tags: Vec<String>,
}

/// A CMO's mechanism, as a whole and split into resource and reasoning.
#[derive(Serialize, JsonSchema)]
pub struct Mechanism {
    /// The mechanism in one statement, if written.
    pub text: Option<String>,
    /// The resource the programme offers, if written.
    pub resource: Option<String>,
    /// How people reason in response to it, if written.
    pub reasoning: Option<String>,
    /// True when the site's editors split the mechanism into resource and reasoning because
    /// the source gave it whole: the split is their reading.
    pub split_by_editors: bool,
}

/// One outcome of a CMO.
#[derive(Serialize, JsonSchema)]
pub struct Outcome {
    /// The outcome as written.
    pub text: String,
    /// Whether the outcome was observed, expected, and so on.
    pub status: OutcomeStatus,
    /// Whether the outcome is positive, negative or mixed.
    pub valence: Valence,
    /// Whether the programme intended the outcome.
    pub intended: bool,
}

/// One piece of evidence for or against a CMO.
#[derive(Serialize, JsonSchema)]
pub struct Evidence {
    /// What kind of evidence it is.
    pub kind: EvidenceKind,
    /// Whether it supports or challenges the CMO.
    pub stance: Stance,
    /// Where it comes from, as written: `report/<id>#<anchor>`, `source/<id>` or `@bibkey`.
    pub source: String,
    /// The title of the report or source it comes from (none for a bibliography key).
    pub source_title: Option<String>,
    /// The heading of the section it comes from, when the source names one.
    pub source_section: Option<String>,
    /// The absolute URL of the report or source page, and section (none for a bibliography key).
    pub source_url: Option<String>,
    /// Where in the source, for example a page or paragraph.
    pub locator: Option<String>,
    /// A short quote.
    pub quote: Option<String>,
    /// Who said it (never a name): built from the study's registry of informants when the item
    /// names one, else the role as written.
    pub informant_role: Option<String>,
    /// The id of the informant in the study's registry (none when the study publishes roles only).
    pub informant: Option<String>,
    /// The type of organisation the informant worked in, from the study's registry.
    pub informant_organisation: Option<String>,
    /// When it was gathered: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// How confident the authors are in a CMO.
#[derive(Serialize, JsonSchema)]
pub struct Confidence {
    /// The level of confidence.
    pub level: ConfidenceLevel,
    /// Why.
    pub rationale: String,
}

/// Links from a CMO to other CMOs, by id.
#[derive(Serialize, JsonSchema)]
pub struct Chain {
    /// CMOs whose context this CMO's outcome feeds.
    pub feeds_context_of: Vec<String>,
    /// The CMO this one refines, if any.
    pub refines: Option<String>,
    /// CMOs this one contradicts.
    pub contradicts: Vec<String>,
    /// CMOs this one specialises.
    pub specialises: Vec<String>,
}

/// One report.
#[derive(Serialize, JsonSchema)]
pub struct Report {
    /// The report's id, unique on the site.
    pub id: String,
    /// The report's title.
    pub title: String,
    /// The report's class, as written in its front matter (`type:`).
    #[serde(rename = "type")]
    pub class: String,
    /// The report's type as shown on its page.
    pub report_type: String,
    /// The publication date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: String,
    /// The date of the last update, if any, in the same form.
    pub updated: Option<String>,
    /// The report's status.
    pub status: String,
    /// The absolute URL of the report's page.
    pub url: String,
    /// The authors, in order: people and groups (teams, organisations).
    pub authors: Vec<Author>,
    /// True when the report names no authors on purpose (anonymous work).
    pub authors_not_named: bool,
    /// True when the source names only the first authors ("et al.").
    pub more_authors: bool,
    /// The id of the study the report belongs to.
    pub study: String,
    /// Ids of the report's tracers.
    pub tracers: Vec<String>,
    /// Ids of the report's areas.
    pub areas: Vec<String>,
    /// Ids of the programme theories the report tests; empty when none are named.
    pub programme_theories: Vec<String>,
    /// True when the author wrote that no programme theory was identified.
    pub programme_theories_none_identified: bool,
    /// Theme ids.
    pub themes: Vec<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Ids of the CMOs the report lists, in order.
    pub cmos: Vec<String>,
    /// The DOI, without `https://doi.org/`, if any.
    pub doi: Option<String>,
    /// The journal a journal article appeared in.
    pub journal: Option<Journal>,
    /// For a page the site's editors wrote about someone else's work (its authors are then the
    /// editors), the id of the source publication it summarises.
    pub summarises: Option<String>,
    /// The report's own licence, if it differs from the site's.
    pub licence: Option<String>,
    /// The content file the report is written in, relative to the site's folder.
    pub source_file: String,
}

/// One author of a report.
#[derive(Serialize, JsonSchema)]
pub struct Author {
    /// The name as cited: a person's name, or a group's name as written.
    pub name: String,
    /// True for a team or an organisation, which is never split into family and given names.
    pub group: bool,
    /// A person's family name (none for a group).
    pub family: Option<String>,
    /// A person's given names (none for a group).
    pub given: Option<String>,
    /// Where the author works.
    pub affiliation: Option<String>,
    /// The author's ORCID iD (`0000-0000-0000-0000`).
    pub orcid: Option<String>,
}

/// The ids of `refs`, and whether they were `[none-identified]`.
fn theories(refs: Option<&TheoryRefs>) -> (Vec<String>, bool) {
    match refs {
        Some(TheoryRefs::Theories(v)) => (v.iter().map(|t| t.id.clone()).collect(), false),
        Some(TheoryRefs::NoneIdentified) => (Vec::new(), true),
        None => (Vec::new(), false),
    }
}

/// The published CMOs as records, in order.
pub fn cmos(site: &Site) -> impl Iterator<Item = Cmo> + '_ {
    site.cmos
        .iter()
        .filter(|r| r.published)
        .map(move |r| cmo(site, r))
}

fn cmo(site: &Site, r: &CmoRecord) -> Cmo {
    let c = &r.cmo;
    let ids = |v: &[crate::model::Ref]| v.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
    let chain = c.chain.clone().unwrap_or_default();
    let (programme_theories, none) = theories(Some(&c.programme_theory));
    Cmo {
        id: c.id.clone(),
        title: c.title.clone(),
        kind: c.kind,
        status: c.status,
        status_note: c.status_note.clone(),
        url: site.config.base_url.absolute(&Site::url(Kind::Cmo, &c.id)),
        defined_in: r.reports.first().cloned(),
        reported_in: r.reports.clone(),
        tracers: r.tracers.clone(),
        areas: r.areas.clone(),
        programme_theories,
        programme_theories_none_identified: none,
        themes: c.themes.clone(),
        context: (c.context.iter())
            .map(|x| ContextItem {
                text: x.text.clone(),
                tags: x.tags.clone(),
            })
            .collect(),
        mechanism: Mechanism {
            text: c.mechanism.text.clone(),
            resource: c.mechanism.resource.clone(),
            reasoning: c.mechanism.reasoning.clone(),
            split_by_editors: c.mechanism.split == Some(crate::model::MechanismSplit::Editorial),
        },
        outcomes: (c.outcome.iter())
            .map(|o| Outcome {
                text: o.text.clone(),
                status: o.status,
                valence: o.valence,
                intended: o.intended,
            })
            .collect(),
        evidence: c.evidence.iter().map(|e| evidence(site, r, e)).collect(),
        confidence: c.confidence.as_ref().map(|k| Confidence {
            level: k.level,
            rationale: k.rationale.clone(),
        }),
        chain: Chain {
            feeds_context_of: ids(&chain.feeds_context_of),
            refines: chain.refines.map(|x| x.id),
            contradicts: ids(&chain.contradicts),
            specialises: ids(&chain.specialises),
        },
        source_file: display_path(&site.cmo_document_path(r)),
    }
}

/// An evidence item with its source resolved to a title, a section heading and a URL.
fn evidence(site: &Site, record: &CmoRecord, e: &crate::model::Evidence) -> Evidence {
    let (source, source_title, source_section, source_url) = match &e.source {
        EvidenceSource::Ref(x) => {
            let page = Site::url(x.kind, &x.id);
            let (section, url) = match &x.anchor {
                Some(a) => (
                    site.section_title(x.kind, &x.id, a).map(str::to_string),
                    format!("{page}#{a}"),
                ),
                None => (None, page),
            };
            let title = site.title(x.kind, &x.id);
            let url = site.config.base_url.absolute(&url);
            (x.to_string(), Some(title), section, Some(url))
        }
        EvidenceSource::Citation(k) => (format!("@{k}"), None, None, None),
    };
    Evidence {
        kind: e.kind,
        stance: e.stance,
        source,
        source_title,
        source_section,
        source_url,
        locator: e.locator.clone(),
        quote: e.quote.clone(),
        informant_role: site.attribution(record, e),
        informant: site.published_informant_id(record, e),
        informant_organisation: (site.evidence_informant(record, e))
            .and_then(|(i, _)| i.organisation.clone()),
        date: e.date.as_ref().map(|d| d.iso()),
    }
}

/// The published reports as records, in order.
pub fn reports(site: &Site) -> impl Iterator<Item = Report> + '_ {
    let reports = site.content.reports.iter().enumerate();
    reports
        .filter(|(_, d)| site.is_published(Kind::Report, &d.id))
        .map(|(i, d)| {
            let m = &d.meta;
            let (programme_theories, none) = theories(m.programme_theories.as_ref());
            Report {
                id: d.id.clone(),
                title: m.title.clone(),
                class: enum_value(&m.report_class),
                report_type: report_type_label(m),
                date: m.date.iso(),
                updated: m.updated.as_ref().map(|u| u.iso()),
                status: enum_value(&m.status),
                url: (site.config.base_url).absolute(&Site::url(Kind::Report, &d.id)),
                authors: m.authors.iter().map(author).collect(),
                authors_not_named: m.authors_not_named,
                more_authors: m.more_authors,
                study: m.study.id.clone(),
                tracers: m.tracer_refs().iter().map(|t| t.id.clone()).collect(),
                areas: m.areas.iter().map(|a| a.id.clone()).collect(),
                programme_theories,
                programme_theories_none_identified: none,
                themes: m.themes.clone(),
                keywords: m.keywords.clone(),
                cmos: site.report_cmos[i].clone(),
                doi: m.doi.clone(),
                journal: m.journal.clone(),
                summarises: m.summarises().map(|s| s.id.clone()),
                licence: m.licence.clone(),
                source_file: display_path(&d.path),
            }
        })
}

fn author(a: &crate::model::Author) -> Author {
    let (family, given) = match a.cited_name() {
        CitedName::Person { family, given, .. } => (Some(family), Some(given)),
        CitedName::Group(_) => (None, None),
    };
    Author {
        name: a.name.clone(),
        group: a.group,
        family,
        given: given.filter(|g| !g.is_empty()),
        affiliation: a.affiliation.clone(),
        orcid: a.orcid.clone(),
    }
}
