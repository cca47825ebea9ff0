//! The citation files: `cite.bib`, `cite.ris` and `cite.json` beside each report's and CMO's
//! `index.html`, and the whole site's `exports/citations.bib|ris|json`.
//!
//! 1. take the record of every report and CMO that has a page in this build (drafts only with
//!    `--drafts`, confidential never: the pages' own rule, `Site::is_published`);
//! 2. write each page's three files in parallel (rayon), each record written once per format;
//! 3. join the same texts, in page order, into the site's three files.

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

/// Every published report's and CMO's folder (`report/x/`) and record, in page order.
fn records(site: &Site) -> Vec<(String, Record)> {
    let reports = site.content.reports.iter().enumerate();
    let reports = reports
        .filter(|(_, d)| site.is_published(Kind::Report, &d.id))
        .map(|(i, d)| (Site::url(Kind::Report, &d.id), report_record(site, i)));
    let cmos = site.cmos.iter().enumerate().filter(|(_, c)| c.published);
    let cmos =
        cmos.filter_map(|(i, c)| Some((Site::url(Kind::Cmo, &c.cmo.id), cmo_record(site, i)?)));
    reports.chain(cmos).collect()
}

/// The paths of every citation file [`write_all`] writes (pages link to them before they are):
/// the folders of [`records`], without making the records.
pub fn files(site: &Site) -> Vec<String> {
    let reports = site.content.reports.iter();
    let reports = reports
        .filter(|d| site.is_published(Kind::Report, &d.id))
        .map(|d| Site::url(Kind::Report, &d.id));
    let cmos = site.cmos.iter().filter(|c| c.published);
    let defined = cmos.filter(|c| {
        c.reports
            .first()
            .is_some_and(|id| site.report(id).is_some())
    });
    let folders = reports.chain(defined.map(|c| Site::url(Kind::Cmo, &c.cmo.id)));
    let pages = folders.flat_map(|folder| PAGE_FILES.map(|f| format!("{folder}{f}")));
    pages.chain(SITE_FILES.map(String::from)).collect()
}

/// Writes every page's citation files and the site's; returns the paths written.
pub fn write_all(site: &Site, out: &super::Output) -> Result<Vec<String>, Diagnostic> {
    let texts: Vec<(String, [String; 3], serde_json::Value)> = records(site)
        .into_par_iter()
        .map(|(folder, r)| {
            let item = r.csl_json();
            let json = serde_json::to_string_pretty(&[&item]).unwrap_or_default() + "\n";
            (folder, [r.bibtex(), r.ris(), json], item)
        })
        .collect();
    let mut written: Vec<String> = texts
        .par_iter()
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
