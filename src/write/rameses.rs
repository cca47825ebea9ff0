//! The RAMESES II checklists of the published realist reports, exported for analysis:
//! `exports/rameses.json` (one object per report, its items nested) and `exports/rameses.csv`
//! (one row per report and item).
//!
//! 1. collect the checklist of each published realist report (`resolve::rameses::rows`);
//! 2. if there are none, write nothing (a site with no realist report has no checklist to give);
//! 3. write the JSON, then the CSV with each cell guarded against spreadsheet formulas.

use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::model::Kind;
use crate::resolve::rameses::{rows, ChecklistRow};
use crate::resolve::Site;

/// The files [`write`] writes, when it writes any.
pub const FILES: [&str; 2] = ["exports/rameses.json", "exports/rameses.csv"];

/// One realist report's checklist.
#[derive(Serialize)]
struct ReportChecklist {
    report: String,
    title: String,
    url: String,
    items: Vec<ChecklistRow>,
}

/// One item of one report, for the CSV.
#[derive(Serialize)]
struct CsvRow<'a> {
    report: &'a str,
    number: u8,
    key: &'a str,
    item: &'a str,
    status: String,
    #[serde(rename = "where")]
    location: String,
    note: String,
    automatic: bool,
}

/// Writes both files when the site publishes a realist report; returns the paths written.
pub fn write(site: &Site, out: &super::Output) -> Result<Vec<String>, Diagnostic> {
    let lists: Vec<ReportChecklist> = site
        .content
        .reports
        .iter()
        .enumerate()
        .filter(|(_, d)| site.is_published(Kind::Report, &d.id))
        .filter_map(|(i, d)| {
            Some(ReportChecklist {
                report: d.id.clone(),
                title: d.meta.title.clone(),
                url: site
                    .config
                    .base_url
                    .absolute(&Site::url(Kind::Report, &d.id)),
                items: rows(site, i)?,
            })
        })
        .collect();
    if lists.is_empty() {
        return Ok(Vec::new());
    }
    let json = serde_json::to_vec_pretty(&lists)
        .map_err(|e| Diagnostic::error(FILES[0], 0, 0, format!("cannot write: {e}")))?;
    let json = super::write_file(out, FILES[0], &json)?;
    let csv = super::write_streamed(out, FILES[1], |w| {
        // The byte-order mark, as on every CSV export: spreadsheets then read it as UTF-8.
        w.write_all("\u{feff}".as_bytes())?;
        let mut writer = csv::Writer::from_writer(w);
        for list in &lists {
            for i in &list.items {
                let mut cells = [
                    i.status.clone(),
                    i.location.clone().unwrap_or_default(),
                    i.note.clone().unwrap_or_default(),
                ];
                cells.iter_mut().for_each(super::extras::neutralise_formula);
                let [status, location, note] = cells;
                let row = CsvRow {
                    report: &list.report,
                    number: i.number,
                    key: i.key,
                    item: i.item,
                    status,
                    location,
                    note,
                    automatic: i.automatic,
                };
                writer.serialize(row).map_err(std::io::Error::other)?;
            }
        }
        writer.flush()
    })?;
    Ok(vec![json, csv])
}
