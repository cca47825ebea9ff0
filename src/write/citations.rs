//! The citation files: `cite.bib`, `cite.ris` and `cite.json` beside each report's `index.html`,
//! and the whole site's `exports/citations.bib|ris|json`, which hold every report and CMO.
//!
//! 1. take the record of every report and CMO that has a page in this build (drafts only with
//!    `--drafts`, confidential never: the pages' own rule, `Site::is_published`);
//! 2. write each report's three files in parallel (rayon), each record written once per format;
//! 3. join the texts of every record, in page order, into the site's three files.
//!
//! A CMO, a part of its report as a table or figure is, has no files of its own: three files
//! beside each of thousands of CMO pages made the build a third slower, and a reference manager
//! reads a CMO from its page's own metadata (Highwire, JSON-LD) or from the site's files.

use rayon::prelude::*;

use crate::cite::export::Record;
use crate::diagnostics::Diagnostic;
use crate::model::Kind;
use crate::render::citation::{cmo_record, report_record};
use crate::resolve::Site;

/// The site-wide files, as their names end.
pub const SITE_FILES: [&str; 3] = [
    "exports/citations.bib",
    "exports/citations.ris",
    "exports/citations.json",
];

/// The names of a page's citation files, beside its `index.html`.
pub const PAGE_FILES: [&str; 3] = ["cite.bib", "cite.ris", "cite.json"];

/// Every published report's and CMO's folder (`reports/x/`) and record, in page order; whether
/// it gets files of its own (reports do).
fn records(site: &Site) -> Vec<(String, bool, Record)> {
    let reports = site.content.reports.iter().enumerate();
    let reports = reports
        .filter(|(_, d)| site.is_published(Kind::Report, &d.id))
        .map(|(i, d)| (Site::url(Kind::Report, &d.id), true, report_record(site, i)));
    let cmos = site.cmos.iter().enumerate().filter(|(_, c)| c.published);
    let cmos = cmos
        .filter_map(|(i, c)| Some((Site::url(Kind::Cmo, &c.cmo.id), false, cmo_record(site, i)?)));
    reports.chain(cmos).collect()
}

/// The paths of every citation file [`write_all`] writes (pages link to them before they are):
/// the report folders of [`records`], without making the records.
pub fn files(site: &Site) -> Vec<String> {
    let reports = site.content.reports.iter();
    let folders = reports
        .filter(|d| site.is_published(Kind::Report, &d.id))
        .map(|d| Site::url(Kind::Report, &d.id));
    let pages = folders.flat_map(|folder| PAGE_FILES.map(|f| format!("{folder}{f}")));
    pages.chain(SITE_FILES.map(String::from)).collect()
}

/// Writes every page's citation files and the site's; returns the paths written.
pub fn write_all(site: &Site, out: &super::Output) -> Result<Vec<String>, Diagnostic> {
    let texts: Vec<(String, [String; 3], serde_json::Value)> = records(site)
        .into_par_iter()
        .map(|(folder, own_files, r)| {
            let item = r.csl_json();
            let json = match own_files {
                true => serde_json::to_string_pretty(&[&item]).unwrap_or_default() + "\n",
                false => String::new(),
            };
            let folder = if own_files { folder } else { String::new() };
            (folder, [r.bibtex(), r.ris(), json], item)
        })
        .collect();
    let mut written: Vec<String> = texts
        .par_iter()
        .filter(|(folder, _, _)| !folder.is_empty())
        .flat_map_iter(|(folder, t, _)| PAGE_FILES.iter().zip(t).map(move |(f, t)| (folder, f, t)))
        .map(|(folder, name, text)| {
            super::write_file(out, &format!("{folder}{name}"), text.as_bytes())
        })
        .collect::<Result<_, _>>()?;
    let bib: String = texts
        .iter()
        .map(|(_, t, _)| format!("{}\n", t[0]))
        .collect();
    let ris: String = texts
        .iter()
        .map(|(_, t, _)| format!("{}\n", t[1]))
        .collect();
    let items: Vec<&serde_json::Value> = texts.iter().map(|(_, _, item)| item).collect();
    let json = serde_json::to_string_pretty(&items).unwrap_or_default() + "\n";
    for (name, text) in SITE_FILES.iter().zip([bib, ris, json]) {
        written.push(super::write_file(out, name, text.as_bytes())?);
    }
    Ok(written)
}
