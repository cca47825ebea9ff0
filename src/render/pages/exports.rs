//! The "Data and downloads" page, `exports/index.html`: what each file in `exports/` holds, its
//! format and licence, so that an analyst who finds the folder knows what they are reusing.
//!
//! 1. [`CATALOGUE`] describes every file the build can write there, grouped as the page shows
//!    them; a group is left out when the build does not write its files (the workbook beyond
//!    its size limit, the checklists without a realist report);
//! 2. each file is linked relative to the page, and its format is named in words;
//! 3. the page's head carries a schema.org `Dataset` in JSON-LD, one `DataDownload` per data file,
//!    so dataset search engines can list the exports with their licence and publisher.

use serde::Serialize;
use serde_json::{json, Value};

use super::super::views::Linker;
use super::super::{context, Built, Renderer};
use super::finish;
use crate::resolve::Site;

/// Which build writes a group's files.
#[derive(Clone, Copy, PartialEq, Eq)]
enum When {
    Always,
    Workbook,
    Checklists,
}

/// One file of the catalogue.
struct Entry {
    /// Its path from the site's top folder.
    path: &'static str,
    format: &'static str,
    /// Its media type, for the `Dataset`'s `encodingFormat`; None for the feeds, which are not data.
    media: Option<&'static str>,
    about: &'static str,
}

/// A group of files and when it is written.
struct Group {
    title: &'static str,
    when: When,
    entries: &'static [Entry],
}

const fn file(
    path: &'static str,
    format: &'static str,
    media: Option<&'static str>,
    about: &'static str,
) -> Entry {
    Entry {
        path,
        format,
        media,
        about,
    }
}

/// Every file the build can write into `exports/` (and the feeds beside it), as the page lists them.
const CATALOGUE: [Group; 6] = [
    Group {
        title: "CMO configurations",
        when: When::Always,
        entries: &[
            file("exports/cmos.json", "JSON", Some("application/json"), "Every published CMO configuration with its context items, mechanism (text, resource and reasoning), outcomes, evidence items (source, locator, quote and who said it: the informant's role, and their id and organisation type from the study's registry unless the study publishes roles only), programme theories, areas, themes, chain links, status and confidence. Lists are kept as lists. This is the complete form."),
            file("exports/cmos.schema.json", "JSON Schema", Some("application/schema+json"), "The structure of cmos.json, which names it in its $schema field; use it to validate the file or to generate code that reads it."),
            file("exports/cmos.csv", "CSV, UTF-8", Some("text/csv"), "One row per CMO configuration. A cell that holds a list has one item per line."),
            file("exports/evidence.csv", "CSV, UTF-8", Some("text/csv"), "One row per evidence item: the CMO it supports, its report, kind, source (a report or source as report/ID or source/ID, a bibliography entry by its key alone, without the @ of cmos.json), locator, quote and informant (role, and id and organisation type unless the study publishes roles only)."),
        ],
    },
    Group {
        title: "Reports",
        when: When::Always,
        entries: &[
            file("exports/reports.json", "JSON", Some("application/json"), "Every published report with its authors (name, family and given names, affiliation, ORCID iD), dates, journal, DOI and CMO configurations."),
            file("exports/reports.schema.json", "JSON Schema", Some("application/schema+json"), "The structure of reports.json."),
            file("exports/reports.csv", "CSV, UTF-8", Some("text/csv"), "One row per report."),
        ],
    },
    Group {
        title: "Workbook",
        when: When::Workbook,
        entries: &[file("exports/realist.xlsx", "Excel workbook (XLSX)", Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), "The CMO, evidence and report tables as three sheets, for Excel and LibreOffice. Every cell is text; a text longer than Excel allows in a cell (32,767 characters) is cut there, and says so.")],
    },
    Group {
        title: "Citations",
        when: When::Always,
        entries: &[
            file("exports/citations.bib", "BibTeX", Some("application/x-bibtex"), "Every report and CMO configuration, for LaTeX, JabRef and pandoc."),
            file("exports/citations.ris", "RIS", Some("application/x-research-info-systems"), "The same records for EndNote, Zotero and Mendeley."),
            file("exports/citations.json", "CSL-JSON", Some("application/vnd.citationstyles.csl+json"), "The same records for Zotero, pandoc and other CSL processors."),
        ],
    },
    Group {
        title: "Reporting checklists (RAMESES II)",
        when: When::Checklists,
        entries: &[
            file("exports/rameses.json", "JSON", Some("application/json"), "For each realist report, the 20 items of the RAMESES II reporting standard: status (met, partly or not-reported as the report maps it, or not-stated for an item it neither maps nor covers by a field), where the report covers it, and a note."),
            file("exports/rameses.csv", "CSV, UTF-8", Some("text/csv"), "The same, one row per report and item."),
        ],
    },
    Group {
        title: "Feeds",
        when: When::Always,
        entries: &[
            file("atom.xml", "Atom feed", None, "The newest reports, for feed readers."),
            file("sitemap.xml", "Sitemap", None, "Every page's address, for search engines."),
        ],
    },
];

/// The files a build of `site` writes, each with its group's title.
fn written(site: &Site) -> impl Iterator<Item = (&'static str, &'static Entry)> + '_ {
    CATALOGUE
        .iter()
        .filter(move |g| match g.when {
            When::Always => true,
            When::Workbook => site.has_xlsx(),
            When::Checklists => site.has_checklists(),
        })
        .flat_map(|g| g.entries.iter().map(move |e| (g.title, e)))
}

/// Every path in `exports/` the page can describe (the write stage checks it describes each).
#[cfg(test)]
pub fn described_paths() -> impl Iterator<Item = &'static str> {
    CATALOGUE
        .iter()
        .flat_map(|g| g.entries.iter().map(|e| e.path))
}

#[derive(Serialize)]
struct FileView {
    name: &'static str,
    url: String,
    format: &'static str,
    about: &'static str,
}

#[derive(Serialize)]
struct GroupView {
    title: &'static str,
    files: Vec<FileView>,
}

#[derive(Serialize)]
struct ExportsPage {
    title: String,
    lead: &'static str,
    licence: Option<String>,
    groups: Vec<GroupView>,
    json_ld: String,
}

pub(super) fn exports(r: &Renderer) -> Built {
    let path = "exports/index.html".to_string();
    let linker = Linker {
        site: r.site,
        depth: 1,
    };
    let mut groups: Vec<GroupView> = Vec::new();
    for (title, e) in written(r.site) {
        let view = FileView {
            name: e.path.rsplit('/').next().unwrap_or(e.path),
            url: linker.url(e.path),
            format: e.format,
            about: e.about,
        };
        match groups.last_mut() {
            Some(g) if g.title == title => g.files.push(view),
            _ => groups.push(GroupView {
                title,
                files: vec![view],
            }),
        }
    }
    let page = ExportsPage {
        title: "Data and downloads".into(),
        lead: super::super::meta::EXPORTS_LEAD,
        licence: r.site.config.licence.clone(),
        groups,
        json_ld: dataset(r.site),
    };
    let common = r.common(&path, None);
    finish(path, "exports.html", context(&common, &page))
}

/// The schema.org `Dataset` of the exports, safe to embed in a `<script>` element.
fn dataset(site: &Site) -> String {
    let config = &site.config;
    let downloads: Vec<Value> = written(site)
        .filter_map(|(_, e)| {
            let media = e.media?;
            Some(json!({
                "@type": "DataDownload",
                "name": e.path.rsplit('/').next().unwrap_or(e.path),
                "encodingFormat": media,
                "contentUrl": config.base_url.absolute(e.path),
            }))
        })
        .collect();
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": format!("{}: research data", config.title),
        "description": format!("The context–mechanism–outcome (CMO) configurations, evidence, reports and citations published on {}, as JSON with JSON Schemas, CSV, a spreadsheet workbook, BibTeX, RIS and CSL-JSON.", config.title),
        "url": config.base_url.absolute("exports/"),
        "inLanguage": config.language,
        "isAccessibleForFree": true,
        "distribution": downloads,
    });
    if let Some(p) = config.publisher.as_ref() {
        value["publisher"] = json!({"@type": "Organization", "name": p});
        value["creator"] = json!({"@type": "Organization", "name": p});
    }
    if let Some(l) = &config.licence {
        value["license"] = json!(l);
    }
    super::super::meta::script_safe(&value)
}
