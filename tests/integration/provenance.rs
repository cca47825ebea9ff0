//! Provenance: an editorial page is the editors' work about someone else's, and evidence says
//! where in a published work a reader finds it.
//!
//! 1. a fixture site whose report summarises a source publication: its byline, Highwire, Dublin
//!    Core and JSON-LD (read by extruct), its BibTeX, RIS and CSL-JSON (read by pandoc), its
//!    PDF (pdftotext) and its export record all credit the site's editors, cite the original,
//!    and never carry the original's authors or DOI as the page's own;
//! 2. a report that is not editorial keeps its authors and gets no note or source tags;
//! 3. `check` refuses an editorial page that claims the original's DOI or authors, and warns of
//!    evidence from a source with no locator and of a locator that reads like an extraction
//!    note; as classes: the original's authors written as a group, or named by site.yaml's
//!    `editors:`; the DOI of any source or bibliography entry; a blank `editors:`; an
//!    editorial page that names no authors; a blank locator; every way of writing line numbers;
//!    evidence from a bibliography entry (a published work) with no locator, and from a report's
//!    section (on the site) needing none;
//! 4. the example site: no page shows an extraction reference, and every CMO gives at least one
//!    evidence item with a source and a locator;
//! 5. an editorial free page carries the same Dublin Core and JSON-LD as an editorial report;
//! 6. a year too long for any number is reported in plain words.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{self, Site};

const ORIGINAL: &str = "---\ntitle: On the analytical engine\nauthors: [{name: Ada Lovelace}, {name: Charles Babbage}]\nyear: 1843\ncontainer: Scientific Memoirs 3\ndoi: 10.1000/engine\n---\nThe memoir.\n";

/// The editors of the fixture site (`title: "T"`), as citations name them.
const EDITORS: &str = "The editors of T";

/// The minimal site whose report `r1` is the editors' summary of `source/lovelace-1843`, with
/// `extra` added to its front matter.
fn editorial_site(extra: &str) -> Site {
    let site = Site::with(&[("content/sources/lovelace-1843.md", ORIGINAL)]);
    site.edit(
        "content/reports/r1.md",
        "authors: [{name: A}]\n",
        &format!("editorial: {{summarises: source/lovelace-1843, part: \"Note G\"}}\nsources: [source/lovelace-1843]\n{extra}"),
    );
    site
}

/// What extruct and the HTML parser read from a page: JSON-LD, Dublin Core, Highwire.
fn read_head(page: &Path) -> Value {
    common::read_heads(&[page]).remove(0)
}

/// The CSL-JSON item pandoc reads from each of a page's citation files, by extension.
fn pandoc_read(folder: &Path) -> Vec<(String, Value)> {
    const CODE: &str = r#"
import json, sys, pypandoc
out = []
for p in sys.argv[1:]:
    fmt = {'bib': 'bibtex', 'ris': 'ris', 'json': 'csljson'}[p.rsplit('.', 1)[1]]
    out.append([p, json.loads(pypandoc.convert_file(p, 'csljson', format=fmt))[0]])
print(json.dumps(out))
"#;
    let files: Vec<String> = ["bib", "ris", "json"]
        .iter()
        .map(|e| {
            folder
                .join(format!("cite.{e}"))
                .to_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    serde_json::from_str(&common::client_python(CODE, &args)).unwrap()
}

fn names(authors: &Value) -> Vec<String> {
    let list = authors.as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|a| {
            let part = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            [part("literal"), part("name"), part("given"), part("family")]
                .join(" ")
                .trim()
                .to_string()
        })
        .collect()
}

#[test]
fn an_editorial_page_names_the_editors_and_its_source_in_every_format() {
    let site = editorial_site("");
    site.edit("site.yaml", "title: \"T\"\n", "title: \"T\"\npdf: true\n");
    site.build_ok(&[]);
    let html = site.page("reports/r1/index.html");
    let byline = common::between(&html, "<div class=\"byline\">", "</div>");
    assert!(
        byline.contains("Summary by the editors of T of <a href=\"../../sources/lovelace-1843/\">Ada Lovelace, Charles Babbage (1843)</a>, Note G"),
        "{byline}"
    );

    let head = read_head(&site.out().join("reports/r1/index.html"));
    let cite = |k: &str| head["cite"][k].clone();
    assert_eq!(cite("citation_author"), serde_json::json!([EDITORS]));
    assert!(cite("citation_doi").is_null(), "no DOI of the original");
    assert!(cite("citation_journal_title").is_null());
    let dc = |k: &str| head["dc"][k].clone();
    assert_eq!(dc("DC.creator"), serde_json::json!([EDITORS]));
    assert_eq!(
        dc("DC.source"),
        serde_json::json!(["https://doi.org/10.1000/engine"])
    );
    assert_eq!(
        dc("DC.relation"),
        serde_json::json!(["https://www.example.ac.uk/research/t/sources/lovelace-1843/"])
    );
    assert!(!dc("DC.identifier").to_string().contains("10.1000/engine"));
    let ld = &head["json_ld"][0];
    assert_eq!(names(&ld["author"]), [EDITORS]);
    assert!(ld["identifier"].is_null() && ld["sameAs"].is_null(), "{ld}");
    let based_on = &ld["isBasedOn"];
    assert_eq!(based_on["identifier"]["value"], "10.1000/engine");
    assert_eq!(
        names(&based_on["author"]),
        ["Ada Lovelace", "Charles Babbage"]
    );

    for (file, item) in pandoc_read(&site.out().join("reports/r1")) {
        assert_eq!(names(&item["author"]), [EDITORS], "{file}: {item}");
        assert!(item.get("DOI").is_none(), "{file}: {item}");
        // pandoc's RIS reader drops `N1`, so the RIS note is read from the file itself.
        let raw = std::fs::read_to_string(&file).unwrap();
        let ris_note = raw.lines().find_map(|l| l.strip_prefix("N1  - "));
        let note = ris_note.unwrap_or_else(|| item["note"].as_str().unwrap_or_default());
        assert!(
            note.starts_with("Summary by the editors of T of Ada Lovelace, Charles Babbage (1843)"),
            "{file}: note {note:?}"
        );
    }
    // The CMO of an editorial report is the editors' too.
    let cmo = read_head(&site.out().join("cmos/c1/index.html"));
    assert_eq!(cmo["cite"]["citation_author"], serde_json::json!([EDITORS]));
    // "Cite this" says whose summary it is.
    assert!(html.contains("<p class=\"citation-note\">Summary by the editors of T of Ada Lovelace"));

    let exports: Value = serde_json::from_str(&site.page("exports/reports.json")).unwrap();
    let r1 = &exports["reports"][0];
    assert_eq!(r1["summarises"], "lovelace-1843");
    assert_eq!(names(&r1["authors"]), [EDITORS]);

    let pdf = site.out().join("reports/r1/r1.pdf");
    let out = Command::new("pdftotext")
        .args([pdf.to_str().unwrap(), "-"])
        .output();
    if let Some(out) = out.ok().filter(|o| o.status.success()) {
        let text = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            text.contains("Summary by the editors of T of Ada Lovelace"),
            "{text}"
        );
    }
}

#[test]
fn a_report_that_is_not_editorial_keeps_its_authors_and_gets_no_source_note() {
    let site = Site::with(&[("content/sources/lovelace-1843.md", ORIGINAL)]);
    site.edit(
        "content/reports/r1.md",
        "summary: [\"k\"]\n",
        "summary: [\"k\"]\nsources: [source/lovelace-1843]\n",
    );
    site.build_ok(&[]);
    let html = site.page("reports/r1/index.html");
    assert!(!html.contains("Summary by the editors"), "{html}");
    assert!(!html.contains("citation-note"));
    assert!(!html.contains("name=\"DC.source\""));
    assert!(!html.contains("isBasedOn"));
    assert!(
        html.contains("<meta name=\"citation_author\" content=\"A\">"),
        "{html}"
    );
    assert!(!site.page("reports/r1/cite.bib").contains("note"));
}

#[test]
fn check_refuses_an_editorial_page_that_claims_the_originals_doi_or_authors() {
    let site = editorial_site(
        "doi: \"10.1000/ENGINE\"\nauthors: [{name: \"A. Lovelace\"}, {name: Mary Editor}]\n",
    );
    let run = site.check(&[]);
    let text = site.source("content/reports/r1.md");
    run.assert_error_help(
        "gives its DOI, `10.1000/ENGINE`, as its own",
        &common::loc("content/reports/r1.md", &text, "doi:"),
        "remove `doi:`",
    );
    run.assert_error_help(
        "`A. Lovelace` is an author of `source/lovelace-1843`",
        &common::loc("content/reports/r1.md", &text, "A. Lovelace"),
        "editors' work",
    );
    assert_eq!(run.errors().len(), 2, "{run:?}");
    // The editors' own names and a DOI of the summary itself are fine.
    let ok = editorial_site("doi: \"10.1000/summary\"\nauthors: [{name: Mary Editor}]\n");
    ok.check(&["--deny-warnings"]).assert_ok();
}

#[test]
fn evidence_from_a_source_needs_a_locator_a_reader_can_follow() {
    let site = common::site_with_source();
    let run = site.check(&[]);
    run.assert_ok();
    let warnings: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{run:?}");
    assert!(warnings[0]
        .message
        .contains("evidence from `source/pawson-1997` gives no `locator`"));
    assert!(
        warnings[0].location.starts_with("content/cmos/c9.md:"),
        "{warnings:?}"
    );

    site.edit(
        "content/cmos/c9.md",
        "source: source/pawson-1997}",
        "source: source/pawson-1997, locator: \"seed S4 lines 1463-1469\"}",
    );
    let run = site.check(&["--deny-warnings"]);
    let d = run.error("looks like an internal extraction reference");
    let text = site.source("content/cmos/c9.md");
    assert_eq!(
        d.location,
        common::loc("content/cmos/c9.md", &text, "seed S4")
    );

    site.edit(
        "content/cmos/c9.md",
        "seed S4 lines 1463-1469",
        "Chapter 3, p. 57",
    );
    site.check(&["--deny-warnings"]).assert_ok();
}

#[test]
fn no_page_of_the_example_site_shows_an_extraction_reference() {
    let out = common::example_site();
    let internal = |text: &str| {
        let lower = text.to_lowercase();
        lower.contains("seed s")
            || lower.match_indices("line").any(|(i, _)| {
                let rest = lower[i + 4..].trim_start_matches('s');
                rest.starts_with(' ') && rest[1..].starts_with(|c: char| c.is_ascii_digit())
            })
    };
    let pages = common::html_files(out);
    assert!(pages.len() > 100);
    for (path, html) in pages {
        assert!(!internal(&html), "{path} shows an extraction reference");
    }
}

#[test]
fn every_cmo_of_the_example_site_has_evidence_with_a_source_and_locator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/reports");
    let mut cmos = 0;
    for entry in std::fs::read_dir(root).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let yaml = text
            .split("\n---")
            .next()
            .unwrap()
            .trim_start_matches("---");
        let fm: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
        let editorial = fm.get("editorial").is_some();
        let status = fm["status"].as_str().unwrap_or_default();
        assert!(
            editorial || status != "published",
            "published reports on the example site are editorial summaries"
        );
        for cmo in fm["cmos"].as_sequence().cloned().unwrap_or_default() {
            cmos += 1;
            let evidence = cmo["evidence"].as_sequence().cloned().unwrap_or_default();
            let located = evidence.iter().any(|e| {
                let locator = e["locator"].as_str().unwrap_or_default();
                e["source"].as_str().is_some() && !locator.trim().is_empty()
            });
            assert!(
                located,
                "{:?} has no evidence with a source and locator",
                cmo["id"]
            );
        }
    }
    assert!(cmos > 80, "{cmos} CMOs read");
}

#[test]
fn the_originals_authors_are_refused_as_a_group_and_as_the_sites_editors() {
    // A person written as a group is still the original's author.
    let site = editorial_site("authors: [{name: \"Ada Lovelace\", group: true}]\n");
    let run = site.check(&[]);
    let text = site.source("content/reports/r1.md");
    run.assert_error_help(
        "`Ada Lovelace` is an author of `source/lovelace-1843`",
        &common::loc("content/reports/r1.md", &text, "Ada Lovelace"),
        "editors' work",
    );
    // A real group's name is no person's.
    let ok = editorial_site("authors: [{name: \"Analytical Society\", group: true}]\n");
    ok.check(&["--deny-warnings"]).assert_ok();

    // site.yaml's `editors:` credits every editorial page, a free page's too: it may not name an
    // original author, in any form.
    for editors in ["Charles Babbage", "\"Babbage, C.\""] {
        let site = editorial_site("");
        site.write(
            "content/pages/notes.md",
            "---\ntitle: Notes\neditorial: {summarises: source/lovelace-1843}\n---\nOur notes.\n",
        );
        site.edit(
            "site.yaml",
            "title: \"T\"\n",
            &format!("title: \"T\"\neditors: {editors}\n"),
        );
        let run = site.check(&[]);
        let yaml = site.source("site.yaml");
        run.assert_error_help(
            "names `Charles Babbage`, an author of `source/lovelace-1843`",
            &common::loc("site.yaml", &yaml, editors.trim_matches('"')),
            "`editors:` is who the site's summaries are credited to",
        );
        assert_eq!(run.errors().len(), 1, "one error for the one work: {run:?}");
    }
}

#[test]
fn an_editorial_page_may_carry_no_doi_of_a_work_the_site_cites() {
    let other = "---\ntitle: Other\nyear: 1990\ndoi: 10.1000/other\n---\n";
    let bib = "@article{menabrea1842,\n  title = {Sketch},\n  author = {Menabrea, Luigi},\n  year = {1842},\n  doi = {https://doi.org/10.1000/Sketch},\n}\n";
    for (doi, work) in [
        ("10.1000/OTHER", "`source/other`"),
        ("10.1000/sketch", "`@menabrea1842`"),
    ] {
        let site = editorial_site(&format!("doi: \"{doi}\"\n"));
        site.write("content/sources/other.md", other);
        site.write("content/references.bib", bib);
        site.edit(
            "site.yaml",
            "title: \"T\"\n",
            "title: \"T\"\nbibliography: content/references.bib\n",
        );
        let run = site.check(&[]);
        let text = site.source("content/reports/r1.md");
        run.assert_error_help(
            &format!("gives the DOI of {work}, `{doi}`, as its own"),
            &common::loc("content/reports/r1.md", &text, "doi:"),
            "remove `doi:`",
        );
        assert_eq!(run.errors().len(), 1, "{run:?}");
    }
}

#[test]
fn blank_editors_and_an_editorial_page_without_authors_are_refused() {
    for blank in ["\"\"", "\"   \""] {
        let site = editorial_site("");
        site.edit(
            "site.yaml",
            "title: \"T\"\n",
            &format!("title: \"T\"\neditors: {blank}\n"),
        );
        let run = site.check(&[]);
        let yaml = site.source("site.yaml");
        // At the value, inside its quotes.
        let quote = common::loc("site.yaml", &yaml, blank);
        let d = run.error("`editors` is empty");
        assert!(
            d.location.starts_with("site.yaml:2:") && d.location > quote,
            "{d:?} {quote}"
        );
        assert!(d.help.unwrap_or_default().contains("or remove `editors:`"));
        // The build publishes nothing with an empty author.
        let run = site.build(&[]);
        run.assert_site_errors();
    }
    // "Summary by the editors" with no one credited would be a contradiction.
    let site = editorial_site("authors_not_named: true\n");
    let run = site.check(&[]);
    let text = site.source("content/reports/r1.md");
    run.assert_error_help(
        "`authors_not_named: true` would take that credit away",
        &common::loc("content/reports/r1.md", &text, "authors_not_named"),
        "remove `authors_not_named`",
    );
}

/// The warnings of `check` on the site, as (message, location).
fn warnings(site: &Site) -> Vec<(String, String)> {
    let run = site.check(&[]);
    run.assert_ok();
    run.diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning")
        .map(|d| (d.message, d.location))
        .collect()
}

#[test]
fn a_blank_locator_is_no_locator_and_line_numbers_are_extraction_notes_however_written() {
    for blank in ["\"\"", "\"   \""] {
        let site = common::site_with_source();
        site.edit(
            "content/cmos/c9.md",
            "source: source/pawson-1997}",
            &format!("source: source/pawson-1997, locator: {blank}}}"),
        );
        let found = warnings(&site);
        assert_eq!(found.len(), 1, "{blank}: {found:?}");
        assert!(
            found[0]
                .0
                .contains("evidence from `source/pawson-1997` gives no `locator`"),
            "{found:?}"
        );
    }
    for internal in ["L120-130", "ll. 120–130", "lines 4-9", "line 12", "seed S4"] {
        let site = common::site_with_source();
        site.edit(
            "content/cmos/c9.md",
            "source: source/pawson-1997}",
            &format!("source: source/pawson-1997, locator: \"{internal}\"}}"),
        );
        let found = warnings(&site);
        let text = site.source("content/cmos/c9.md");
        assert_eq!(found.len(), 1, "{internal}: {found:?}");
        assert!(
            found[0].0.contains(&format!(
                "the locator `{internal}` looks like an internal extraction reference"
            )),
            "{found:?}"
        );
        assert_eq!(
            found[0].1,
            common::loc("content/cmos/c9.md", &text, internal)
        );
    }
}

#[test]
fn evidence_from_a_bibliography_entry_needs_a_locator_and_a_report_section_does_not() {
    let site = common::site_with_source();
    site.write(
        "content/references.bib",
        "@book{pawson1997,\n  title = {Realistic evaluation},\n  author = {Pawson, Ray},\n  year = {1997},\n}\n",
    );
    site.edit(
        "site.yaml",
        "title: \"T\"\n",
        "title: \"T\"\nbibliography: content/references.bib\n",
    );
    site.edit(
        "content/cmos/c9.md",
        "source: source/pawson-1997}",
        "source: source/pawson-1997, locator: \"p. 57\"}, {kind: document, source: \"@pawson1997\"}, {kind: document, source: \"report/r1#findings\"}",
    );
    let found = warnings(&site);
    let text = site.source("content/cmos/c9.md");
    assert_eq!(found.len(), 1, "only the bibliography entry: {found:?}");
    assert!(
        found[0]
            .0
            .contains("evidence from `@pawson1997` gives no `locator`"),
        "{found:?}"
    );
    assert_eq!(
        found[0].1,
        common::loc("content/cmos/c9.md", &text, "@pawson1997")
    );
    site.edit(
        "content/cmos/c9.md",
        "source: \"@pawson1997\"}",
        "source: \"@pawson1997\", locator: \"Chapter 3\"}",
    );
    site.check(&["--deny-warnings"]).assert_ok();
}

#[test]
fn an_editorial_free_page_cites_its_source_as_an_editorial_report_does() {
    let site = Site::with(&[
        ("content/sources/lovelace-1843.md", ORIGINAL),
        (
            "content/pages/notes.md",
            "---\ntitle: Notes on the engine\neditorial: {summarises: source/lovelace-1843}\n---\nOur notes.\n",
        ),
    ]);
    site.build_ok(&[]);
    let head = read_head(&site.out().join("notes/index.html"));
    let dc = |k: &str| head["dc"][k].clone();
    assert_eq!(dc("DC.creator"), serde_json::json!([EDITORS]), "{head}");
    assert_eq!(dc("DC.title"), serde_json::json!(["Notes on the engine"]));
    assert_eq!(
        dc("DC.source"),
        serde_json::json!(["https://doi.org/10.1000/engine"])
    );
    assert_eq!(
        dc("DC.relation"),
        serde_json::json!(["https://www.example.ac.uk/research/t/sources/lovelace-1843/"])
    );
    let ld = &head["json_ld"][0];
    assert_eq!(names(&ld["author"]), [EDITORS], "{ld}");
    assert!(ld["identifier"].is_null(), "{ld}");
    let based_on = &ld["isBasedOn"];
    assert_eq!(based_on["identifier"]["value"], "10.1000/engine", "{ld}");
    assert_eq!(
        names(&based_on["author"]),
        ["Ada Lovelace", "Charles Babbage"]
    );
    // A page that is not editorial gets none of it.
    let about = site.page("accessibility/index.html");
    assert!(
        !about.contains("DC.source") && !about.contains("application/ld+json"),
        "{about}"
    );
}

#[test]
fn a_year_too_long_for_a_number_is_told_in_plain_words() {
    for year in ["99999999999999999999", "-99999999999999999999"] {
        let site = Site::with(&[(
            "content/sources/x.md",
            &format!("---\ntitle: X\nyear: {year}\n---\n"),
        )]);
        let run = site.check(&[]);
        let text = site.source("content/sources/x.md");
        let d = run.assert_error(
            "is not a year",
            &common::loc("content/sources/x.md", &text, year),
        );
        assert!(
            d.message.contains("four digits") && !d.message.contains("here it is a number"),
            "{d:?}"
        );
    }
}
