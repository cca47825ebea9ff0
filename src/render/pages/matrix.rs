//! The CMO matrix (`cmos/index.html`): per study, tracers × areas, each cell giving its count of
//! CMOs and their statuses, and the CMOs themselves grouped by tracer beneath.
//!
//! 1. Every published CMO is summarised once ([`LazyEntries`]); cells and lists index into it.
//! 2. Per study ([`matrix_tables`]), the tracers of that study are the rows and the areas their
//!    CMOs are set in the columns; each cell keeps its CMOs' indexes and counts them by status.
//! 3. Each cell gets a heat level relative to the fullest cell of the page, so a wide screen shows
//!    at a glance where the findings are; the template also prints the counts as text.
//! 4. The template draws the table (wide screens) and, beneath it, one group per tracer with a
//!    list per area: each cell links to its list, and on a phone the groups replace the table.

use serde::Serialize;

use super::super::views::{self, LinkView, Linker};
use super::super::{context, Built, Renderer};
use super::finish;
use crate::model::{enum_label, enum_value, Kind};

#[derive(Serialize)]
struct MatrixPage<'a> {
    title: String,
    tables: Vec<MatrixTable>,
    /// What a matrix cell shows of each published CMO; cells index into it.
    entries: LazyEntries<'a>,
    /// The CMOs of the full table: all of them, or on a site with more than
    /// [`FULL_TABLE_LIMIT`], only those that no cell shows.
    cmos: LazySummaries<'a>,
    total: usize,
    listed_all: bool,
    theories: Vec<(String, String)>,
    themes: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    unplaced: usize,
}

/// Above this many CMOs the matrix page does not repeat every CMO in one table under the matrix:
/// a table of tens of thousands of rows is of no use on a phone or to a screen reader, and it
/// doubled the page (20 MB and a third of the build's peak memory at 40,000 CMOs). Each CMO is
/// still linked from its cell, its tracer and area pages, and the exports.
pub(crate) const FULL_TABLE_LIMIT: usize = 2000;

/// What a matrix cell needs of a CMO: its link and the values the filter reads.
#[derive(Serialize)]
struct MatrixEntry {
    title: String,
    url: String,
    theories: String,
    themes: String,
    status: String,
    status_label: String,
}

/// Every published CMO as a [`MatrixEntry`], made one at a time (see [`LazySummaries`]).
struct LazyEntries<'a> {
    linker: &'a Linker<'a>,
    cmos: &'a [&'a crate::resolve::CmoRecord],
}

impl Serialize for LazyEntries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.cmos.iter().map(|c| {
            let s = views::cmo_summary_with(self.linker, c, |_, _| ());
            MatrixEntry {
                title: s.title,
                url: s.url,
                theories: s.theories,
                themes: s.themes,
                status: s.status,
                status_label: s.status_label,
            }
        }))
    }
}

/// Every CMO's summary, made one at a time while the page's context is built: at 40,000 CMOs a
/// vector of summaries beside their serialised copy was a third of the build's peak memory. Tracer
/// and area links are serialised once per distinct list and shared: Tera keeps a `tera::Value` it
/// meets while serialising as a reference to the same data, and 40,000 CMOs have only a few
/// dozen distinct lists.
struct LazySummaries<'a> {
    linker: &'a Linker<'a>,
    cmos: &'a [&'a crate::resolve::CmoRecord],
}

impl Serialize for LazySummaries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let shared: std::cell::RefCell<rustc_hash::FxHashMap<(Kind, Vec<String>), tera::Value>> =
            Default::default();
        let links = |kind: Kind, ids: &[String]| {
            shared
                .borrow_mut()
                .entry((kind, ids.to_vec()))
                .or_insert_with(|| {
                    let views = self.linker.entities(kind, ids.iter());
                    // A list of plain structs always serialises; an empty list is the fallback.
                    tera::Value::try_from_serializable(&views)
                        .unwrap_or_else(|_| tera::Value::from(Vec::<tera::Value>::new()))
                })
                .clone()
        };
        serializer.collect_seq(
            self.cmos
                .iter()
                .map(|c| views::cmo_summary_with(self.linker, c, links)),
        )
    }
}

fn site_has(linker: &Linker, study: &str) -> bool {
    linker.site.is_published(Kind::Study, study)
}

/// One study's tracers (rows) × areas (columns).
#[derive(Serialize)]
struct MatrixTable {
    id: String,
    study: Option<LinkView>,
    areas: Vec<LinkView>,
    rows: Vec<MatrixRow>,
}

#[derive(Serialize)]
struct MatrixRow {
    tracer: LinkView,
    /// The id of the tracer's group under the table.
    id: String,
    /// How many CMOs the row holds (a CMO set in two areas counts once), and their statuses.
    count: usize,
    statuses: Vec<StatusCount>,
    cells: Vec<MatrixCell>,
}

/// One tracer × area cell.
#[derive(Serialize)]
struct MatrixCell {
    /// The id of the cell's list in its tracer's group.
    id: String,
    area: LinkView,
    /// The cell's CMOs by index into `MatrixPage::entries`: the page summarises every CMO once,
    /// not once per table and again in the full list (40,000 summaries at 10,000 reports).
    cmos: Vec<usize>,
    statuses: Vec<StatusCount>,
    /// 0 for an empty cell, else 1 to [`HEAT_LEVELS`], relative to the page's fullest cell.
    heat: usize,
}

/// How many CMOs of a group have one status, in the order of the statuses in the model.
#[derive(Serialize)]
struct StatusCount {
    status: String,
    label: String,
    count: usize,
    /// How many CMOs of the group come before this status: where its segment of the group's bar
    /// starts.
    start: usize,
}

/// The number of shades a cell's background can take: few enough to tell apart at a glance.
const HEAT_LEVELS: usize = 4;

/// The statuses of the CMOs at `indexes`, counted, in the model's order of statuses.
fn status_counts(published: &[&crate::resolve::CmoRecord], indexes: &[usize]) -> Vec<StatusCount> {
    let mut counts: std::collections::BTreeMap<crate::model::CmoStatus, usize> = Default::default();
    for &i in indexes {
        *counts.entry(published[i].cmo.status).or_default() += 1;
    }
    let mut start = 0;
    counts
        .into_iter()
        .map(|(s, count)| {
            start += count;
            StatusCount {
                status: enum_value(&s),
                label: enum_label(&s).to_lowercase(),
                count,
                start: start - count,
            }
        })
        .collect()
}

/// Sets each cell's heat level once every table is known: the scale is the page's, so a cell of
/// one study compares with a cell of another.
fn set_heat(tables: &mut [MatrixTable]) {
    let cells = || tables.iter().flat_map(|t| &t.rows).flat_map(|r| &r.cells);
    let max = cells().map(|c| c.cmos.len()).max().unwrap_or(0).max(1);
    for cell in tables
        .iter_mut()
        .flat_map(|t| &mut t.rows)
        .flat_map(|r| &mut r.cells)
    {
        cell.heat = (cell.cmos.len() * HEAT_LEVELS).div_ceil(max);
    }
}

/// A matrix per study: a tracer of one study is rarely followed in another study's areas, and
/// one site-wide grid would be mostly empty.
fn matrix_tables(linker: &Linker, published: &[&crate::resolve::CmoRecord]) -> Vec<MatrixTable> {
    let c = &linker.site.content;
    let study_of =
        |t: &crate::load::Document<crate::model::Entity>| t.meta.study().map(|r| r.id.clone());
    let all_tracers = c.entities(Kind::Tracer);
    let mut studies: Vec<Option<String>> = all_tracers.iter().map(study_of).collect();
    studies.sort();
    studies.dedup();
    let mut tables = Vec::new();
    for study in studies {
        let tracers: Vec<&String> = all_tracers
            .iter()
            .filter(|t| study_of(t) == study)
            .map(|t| &t.id)
            .collect();
        let in_table: Vec<(usize, &crate::resolve::CmoRecord)> = published
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, r)| r.tracers.iter().any(|t| tracers.contains(&t)))
            .collect();
        let areas: Vec<&String> = c
            .entities(Kind::Area)
            .iter()
            .map(|a| &a.id)
            .filter(|a| in_table.iter().any(|(_, r)| r.areas.contains(a)))
            .collect();
        let mut rows = Vec::new();
        for tracer in tracers {
            let in_row: Vec<_> = in_table
                .iter()
                .filter(|(_, r)| r.tracers.contains(tracer))
                .collect();
            if in_row.is_empty() {
                continue;
            }
            let cells = areas
                .iter()
                .map(|a| {
                    let cmos: Vec<usize> = in_row
                        .iter()
                        .filter(|(_, r)| r.areas.contains(a))
                        .map(|(i, _)| *i)
                        .collect();
                    MatrixCell {
                        // `_` cannot occur in an id, so no two cells (nor a heading) share one.
                        id: format!("cell_{tracer}_{a}"),
                        area: linker.entity(Kind::Area, a),
                        statuses: status_counts(published, &cmos),
                        cmos,
                        heat: 0,
                    }
                })
                .collect();
            // What the row's cells show: a CMO of the tracer set in no area is in no cell.
            let all: Vec<usize> = in_row
                .iter()
                .filter(|(_, r)| !r.areas.is_empty())
                .map(|(i, _)| *i)
                .collect();
            rows.push(MatrixRow {
                tracer: linker.entity(Kind::Tracer, tracer),
                id: format!("tracer_{tracer}"),
                count: all.len(),
                statuses: status_counts(published, &all),
                cells,
            });
        }
        if rows.is_empty() || areas.is_empty() {
            continue;
        }
        tables.push(MatrixTable {
            id: format!("matrix-{}", study.as_deref().unwrap_or("other")),
            study: study
                .as_ref()
                .filter(|s| site_has(linker, s))
                .map(|s| linker.entity(Kind::Study, s)),
            areas: areas.iter().map(|a| linker.entity(Kind::Area, a)).collect(),
            rows,
        });
    }
    tables
}

pub(super) fn matrix(r: &Renderer) -> Built {
    let path = crate::url::page_file(&Kind::Cmo.list_url());
    let site = r.site;
    let linker = Linker { site, depth: 1 };
    let published: Vec<&crate::resolve::CmoRecord> =
        site.cmos.iter().filter(|c| c.published).collect();
    let mut tables = matrix_tables(&linker, &published);
    set_heat(&mut tables);
    let unplaced = published
        .iter()
        .filter(|c| c.tracers.is_empty() || c.areas.is_empty())
        .count();
    let mut theories: Vec<(String, String)> = site
        .content
        .entities(Kind::Theory)
        .iter()
        .map(|t| (t.id.clone(), t.meta.title().to_string()))
        .collect();
    theories.push(("none-identified".into(), "None identified".into()));
    let statuses = {
        let mut s: Vec<_> = published.iter().map(|c| c.cmo.status).collect();
        s.sort();
        s.dedup();
        s.iter().map(|s| (enum_value(s), enum_label(s))).collect()
    };
    let listed_all = published.len() <= FULL_TABLE_LIMIT;
    let listed: Vec<&crate::resolve::CmoRecord> = if listed_all {
        Vec::new()
    } else {
        published
            .iter()
            .copied()
            .filter(|c| c.tracers.is_empty() || c.areas.is_empty())
            .collect()
    };
    let page = MatrixPage {
        title: "CMO configurations".into(),
        tables,
        entries: LazyEntries {
            linker: &linker,
            cmos: &published,
        },
        cmos: LazySummaries {
            linker: &linker,
            cmos: if listed_all { &published } else { &listed },
        },
        total: published.len(),
        listed_all,
        theories,
        themes: site
            .themes
            .keys()
            .map(|t| (t.clone(), site.title(Kind::Theme, t)))
            .collect(),
        statuses,
        unplaced,
    };
    let common = r.common(&path, Some(Kind::Cmo));
    finish(path, "matrix.html", context(&common, &page))
}
