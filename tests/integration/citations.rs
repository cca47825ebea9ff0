//! The citation files of the example site read back with pandoc 3, the client the publishing
//! guide names: every report's `cite.bib`, `cite.ris` and `cite.json`, and every CMO's entry in
//! the site's `exports/citations.bib|ris|json`, converted to CSL-JSON by pandoc, must give back
//! the front matter's title (case kept), authors (a group as one name, persons as family and
//! given names, no placeholder, none for an anonymous work), year and month, journal fields, DOI
//! and URL; a CMO's must name its report as container.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::common;

/// Converts each file with pandoc 3 and returns, by path, the CSL-JSON items it reads.
fn pandoc_all(files: &[String]) -> BTreeMap<String, Vec<Value>> {
    const CODE: &str = r#"
import json, sys, pypandoc
out = {}
for p in sys.argv[1:]:
    fmt = {'bib': 'bibtex', 'ris': 'ris', 'json': 'csljson'}[p.rsplit('.', 1)[1]]
    out[p] = json.loads(pypandoc.convert_file(p, 'csljson', format=fmt))
print(json.dumps(out))
"#;
    let args: Vec<&str> = files.iter().map(String::as_str).collect();
    let text = common::client_python(CODE, &args);
    serde_json::from_str(&text).unwrap()
}

/// Converts each file with pandoc 3 and returns, by path, the one CSL-JSON item it reads.
fn pandoc_items(files: &[String]) -> BTreeMap<String, Value> {
    pandoc_all(files)
        .into_iter()
        .map(|(path, items)| {
            assert_eq!(items.len(), 1, "{path}: pandoc reads one entry: {items:?}");
            (path, items[0].clone())
        })
        .collect()
}

/// The paths of the site's citation files `exports/citations.EXT`, in the order of `exts`.
fn site_files(site: &Path, exts: &[&str]) -> Vec<String> {
    let path = |ext: &&str| site.join(format!("exports/citations.{ext}"));
    exts.iter()
        .map(|e| path(e).to_str().unwrap().to_string())
        .collect()
}

/// The front matter of a Markdown file.
fn front_matter(path: &Path) -> serde_yaml::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let yaml = text
        .split("\n---")
        .next()
        .unwrap()
        .trim_start_matches("---");
    serde_yaml::from_str(yaml).unwrap()
}

fn str_of<'a>(v: &'a serde_yaml::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|x| x.as_str())
}

/// Who the example site's editorial pages are credited to (its `title:`, unset `editors:`).
const EXAMPLE_EDITORS: &str =
    "The editors of Commissioning in the English NHS: realist evaluations";

/// The authors as CSL-JSON names, from the front matter (a group literal; a person split at
/// the last space unless `family`/`given` are written).
fn expected_authors(fm: &serde_yaml::Value) -> Vec<Value> {
    let list = fm.get("authors").and_then(|a| a.as_sequence()).cloned();
    // An editorial page that names no authors is credited to the site's editors.
    if list.is_none() && fm.get("editorial").is_some() {
        return vec![json!({ "literal": EXAMPLE_EDITORS })];
    }
    list.unwrap_or_default()
        .iter()
        .map(|a| {
            let name = str_of(a, "name").unwrap();
            if a.get("group").and_then(|g| g.as_bool()) == Some(true) {
                return json!({ "literal": name });
            }
            let (given, family) = name.rsplit_once(' ').unwrap_or(("", name));
            let family = str_of(a, "family").unwrap_or(family);
            let given = str_of(a, "given").unwrap_or(given);
            json!({ "family": family, "given": given })
        })
        .collect()
}

/// pandoc's authors, "others" (BibTeX's "and others") taken off and reported; a name RIS
/// can only give as a family name alone is what a literal name becomes there.
fn read_authors(item: &Value, ris: bool) -> (Vec<Value>, bool) {
    let mut names: Vec<Value> = item["author"].as_array().cloned().unwrap_or_default();
    let others = names.last() == Some(&json!({ "literal": "others" }));
    if others {
        names.pop();
    }
    if ris {
        for n in &mut names {
            if n.get("given").is_none() {
                *n = json!({ "literal": n["family"] });
            }
        }
    }
    (names, others)
}

/// Year and month as CSL date parts.
fn date_parts(date: &str) -> Value {
    let parts: Vec<u64> = date
        .split('-')
        .take(2)
        .map(|p| p.parse().unwrap())
        .collect();
    json!([parts])
}

/// Checks one file's item against a report's front matter; `title` and `url` are the page's.
fn check_item(path: &str, item: &Value, fm: &serde_yaml::Value, title: &str, url: &str) {
    let ris = path.ends_with(".ris");
    // pandoc reads quotes as quotation marks (TeX's `'`, CSL rich text's paired quotes) and
    // writes them typographically: the words and case must survive, the quote glyphs may not.
    let read = item["title"].as_str().unwrap_or_default();
    let read = read.replace(['\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}'], "'");
    assert_eq!(read, title, "{path}: title");
    let (authors, others) = read_authors(item, ris);
    assert_eq!(authors, expected_authors(fm), "{path}: authors");
    let more = fm.get("more_authors").and_then(|m| m.as_bool()) == Some(true);
    if path.ends_with(".bib") {
        assert_eq!(
            others, more,
            "{path}: `and others` exactly for more_authors"
        );
    }
    assert_eq!(
        item["issued"]["date-parts"],
        date_parts(str_of(fm, "date").unwrap()),
        "{path}: date"
    );
    assert_eq!(item["URL"], json!(url), "{path}: URL");
    // A CMO is a part of its report: the report's DOI names the whole work, not the part.
    let part = url.contains("/cmos/");
    match str_of(fm, "doi") {
        Some(doi) if !part => assert_eq!(item["DOI"], json!(doi), "{path}: DOI"),
        _ => assert!(item.get("DOI").is_none(), "{path}: no DOI of its own"),
    }
}

/// The journal fields of an article, as pandoc reads them.
fn check_journal(path: &str, item: &Value, fm: &serde_yaml::Value) {
    let Some(journal) = fm.get("journal") else {
        return;
    };
    assert_eq!(item["type"], json!("article-journal"), "{path}: type");
    assert_eq!(
        item["container-title"],
        json!(str_of(journal, "title").unwrap()),
        "{path}"
    );
    for (field, csl) in [("volume", "volume"), ("issue", "issue"), ("pages", "page")] {
        if let Some(v) = str_of(journal, field) {
            assert_eq!(item[csl], json!(v), "{path}: {csl}");
        }
    }
}

#[test]
fn every_report_and_cmo_citation_round_trips_through_pandoc() {
    let site = common::example_site();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut reports = BTreeMap::new();
    for entry in std::fs::read_dir(root.join("content/reports")).unwrap() {
        let path = entry.unwrap().path();
        let fm = front_matter(&path);
        if !matches!(str_of(&fm, "status"), Some("published" | "in-review")) {
            continue;
        }
        let id = path.file_stem().unwrap().to_str().unwrap().to_string();
        reports.insert(id, fm);
    }
    assert!(reports.len() > 5, "the example site's reports are found");
    let cmo_dirs: Vec<String> = std::fs::read_dir(site.join("cmos"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("index.html").exists())
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    let mut files = Vec::new();
    for id in reports.keys() {
        for ext in ["bib", "ris", "json"] {
            let file = site.join(format!("reports/{id}/cite.{ext}"));
            assert!(file.exists(), "{} is published", file.display());
            files.push(file.to_str().unwrap().to_string());
        }
    }
    for (path, item) in &pandoc_items(&files) {
        let id = Path::new(path).parent().unwrap().file_name().unwrap();
        let fm = &reports[id.to_str().unwrap()];
        let url = format!(
            "{}reports/{}/",
            common::EXAMPLE_BASE_URL,
            id.to_str().unwrap()
        );
        check_item(path, item, fm, str_of(fm, "title").unwrap(), &url);
        check_journal(path, item, fm);
    }
    // A CMO, in each of the site's files: cited as a part of the report whose title is its
    // container.
    let by_title: BTreeMap<&str, &serde_yaml::Value> = reports
        .values()
        .map(|fm| (str_of(fm, "title").unwrap(), fm))
        .collect();
    for (path, items) in &pandoc_all(&site_files(site, &["bib", "ris", "json"])) {
        let mut cmos_read = 0;
        for item in items {
            let url = item["URL"].as_str().unwrap_or_default();
            let Some(id) = url
                .strip_prefix(&format!("{}cmos/", common::EXAMPLE_BASE_URL))
                .and_then(|rest| rest.strip_suffix('/'))
            else {
                continue;
            };
            let container = item["container-title"].as_str().unwrap_or_default();
            let container =
                container.replace(['\u{2018}', '\u{2019}', '\u{201c}', '\u{201d}'], "'");
            let fm = by_title.get(container.as_str()).unwrap_or_else(|| {
                panic!("{path}: {id}: container {container:?} is a report's title")
            });
            let title = page_title(&site.join(format!("cmos/{id}/index.html")));
            check_item(path, item, fm, &title, url);
            assert_eq!(item["type"], json!("chapter"), "{path}: a part of a report");
            cmos_read += 1;
        }
        assert_eq!(
            cmos_read,
            cmo_dirs.len(),
            "{path}: every CMO page's citation"
        );
    }
}

/// The text of a page's `<h1>`, entities decoded.
fn page_title(page: &Path) -> String {
    let html = std::fs::read_to_string(page).unwrap();
    let start = html.find("<h1").unwrap();
    let start = start + html[start..].find('>').unwrap() + 1;
    let end = start + html[start..].find("</h1>").unwrap();
    html[start..end]
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[test]
fn the_site_wide_files_hold_every_page_citation() {
    let site = common::example_site();
    let json: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(site.join("exports/citations.json")).unwrap(),
    )
    .unwrap();
    let reports = std::fs::read_dir(site.join("reports")).unwrap();
    let reports = reports.filter(|e| e.as_ref().unwrap().path().join("cite.json").exists());
    let cmos = std::fs::read_dir(site.join("cmos")).unwrap();
    let cmos = cmos.filter(|e| e.as_ref().unwrap().path().join("index.html").exists());
    let pages = reports.count() + cmos.count();
    assert_eq!(json.len(), pages, "one item per report and CMO page");
    let counts: Vec<usize> = pandoc_all(&site_files(site, &["bib", "ris"]))
        .values()
        .map(Vec::len)
        .collect();
    assert_eq!(
        counts,
        [pages, pages],
        "pandoc reads every entry of the site's files"
    );
}

/// Reads each `(file, pandoc input format)` with pandoc 3 into CSL-JSON items.
fn pandoc_as(files: &[(String, &str)]) -> Vec<Vec<Value>> {
    const CODE: &str = r#"
import json, sys, pypandoc
args = sys.argv[1:]
print(json.dumps([json.loads(pypandoc.convert_file(p, 'csljson', format=f))
                  for p, f in zip(args[::2], args[1::2])]))
"#;
    let args: Vec<&str> = files.iter().flat_map(|(p, f)| [p.as_str(), f]).collect();
    serde_json::from_str(&common::client_python(CODE, &args)).unwrap()
}

/// The minimal site's report with the names, pages, DOI and title that readers split or changed:
/// a generational suffix, "and" in a given name and in a family name, an en-dashed range of
/// article numbers, a DOI with braces and TeX's specials. (A comma in a given name is braced in
/// BibTeX, which BibTeX and biber respect, but pandoc 3 splits a name at any comma.)
fn site_with_hard_citation() -> common::Site {
    let site = common::Site::minimal();
    site.edit(
        "content/reports/r1.md",
        "title: R1\ndate: \"2017-06\"\nauthors: [{name: A}]",
        "title: \"England's NHS: The Big Reform\"\ndate: \"2017-06\"\n\
         authors: [{name: \"Martin Luther King, Jr.\"}, {name: Anne and Marie Roe}, \
         {name: Ann Smith, family: Smith and Jones, given: Ann Bea}, {name: John Doe III}]\n\
         journal: {title: BMJ Open, volume: \"3\", issue: \"7\", pages: \"e1–e2\"}\n\
         doi: \"10.1000/a{b}_c%d#e~f^g$h&i\"",
    );
    site.build_ok(&[]);
    site
}

/// Names split into two authors, a suffix read as a given name, a page range, a DOI or a month
/// misread: the report's cite.bib read by pandoc as BibTeX and as biblatex, its cite.ris and its
/// cite.json must each give back the same authors, first and last page, DOI and month.
#[test]
fn hard_names_pages_and_dois_round_trip_through_pandoc_in_every_format() {
    let site = site_with_hard_citation();
    let folder = site.out().join("reports/r1");
    let file = |ext: &str| {
        folder
            .join(format!("cite.{ext}"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let formats = [
        (file("bib"), "bibtex"),
        (file("bib"), "biblatex"),
        (file("ris"), "ris"),
        (file("json"), "csljson"),
    ];
    let person = |family: &str, given: &str| json!({ "family": family, "given": given });
    let mut king = person("King", "Martin Luther");
    king["suffix"] = json!("Jr.");
    let mut doe = json!({ "family": "Doe", "given": "John" });
    doe["suffix"] = json!("III");
    let authors = json!([
        king,
        person("Roe", "Anne and Marie"),
        person("Smith and Jones", "Ann Bea"),
        doe
    ]);
    for ((path, format), items) in formats.iter().zip(pandoc_as(&formats)) {
        assert_eq!(items.len(), 1, "{format}: one entry: {items:?}");
        let item = &items[0];
        let mut read = item["author"].clone();
        if *format == "ris" {
            // The RIS specification writes "Family, Given, Suffix" (EndNote, Zotero); pandoc
            // reads the last two parts the other way round, as BibTeX orders them.
            for name in read.as_array_mut().unwrap() {
                if let Some(suffix) = name.get("suffix").cloned() {
                    name["suffix"] = name["given"].clone();
                    name["given"] = suffix;
                }
            }
        }
        assert_eq!(read, authors, "{format}: authors");
        assert_eq!(item["page"], json!("e1-e2"), "{format}: {path}: pages");
        assert_eq!(
            item["DOI"],
            json!("10.1000/a{b}_c%d#e~f^g$h&i"),
            "{format}: DOI"
        );
        assert_eq!(
            item["issued"]["date-parts"],
            json!([[2017, 6]]),
            "{format}: month"
        );
        let title = item["title"].as_str().unwrap().replace('\u{2019}', "'");
        assert_eq!(title, "England's NHS: The Big Reform", "{format}: title");
    }
    // The page's Highwire tags, which Zotero and Google Scholar read, split the range alike.
    let page = std::fs::read_to_string(folder.join("index.html")).unwrap();
    for tag in [
        r#"<meta name="citation_firstpage" content="e1">"#,
        r#"<meta name="citation_lastpage" content="e2">"#,
        r#"<meta name="citation_author" content="King, Martin Luther, Jr.">"#,
    ] {
        assert!(page.contains(tag), "{tag}");
    }
}

/// A work whose source names only its first authors (BibTeX `and others`) is cited "et al." in
/// the text and in the reference list, never with an author named "others": the style's short
/// form of a name in the text has no room for the suffix the reference list prints.
#[test]
fn and_others_is_et_al_in_the_text_and_the_reference_list() {
    let site = common::Site::minimal();
    let yaml = site.source("site.yaml");
    site.write("site.yaml", format!("{yaml}bibliography: refs.bib\n"));
    site.write(
        "refs.bib",
        "@article{hammond2017, author = {Hammond, Jon and others}, title = {Place}, \
         journal = {Social Science and Medicine}, year = {2017}}\n\
         @article{porter2013, author = {Porter, Alison and Mays, Nick and others}, \
         title = {Commissioning}, journal = {BMC}, year = {2013}}\n",
    );
    site.edit(
        "content/reports/r1.md",
        "## Findings {#findings}\ntext",
        "## Findings {#findings}\ntext [@hammond2017] and [@porter2013].",
    );
    site.build_ok(&[]);
    let html = std::fs::read_to_string(site.out().join("reports/r1/index.html")).unwrap();
    let text = html.replace("<i>", "").replace("</i>", "");
    for cited in ["(Hammond et al., 2017)", "(Porter and Mays et al., 2013)"] {
        assert!(text.contains(cited), "{cited} in the text:\n{text}");
    }
    for listed in ["Hammond, J. et al.", "Porter, A. and Mays, N. et al."] {
        assert!(
            text.replace(",  et al.", " et al.")
                .replace(", et al.", " et al.")
                .contains(listed),
            "{listed} in the reference list:\n{text}"
        );
    }
    assert!(!text.contains("others"), "no author named others:\n{text}");
}

/// A CSL style that prints each title in sentence case, as APA and many journals' styles do.
const SENTENCE_CASE_CSL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0" default-locale="en-GB">
  <info><title>Sentence case</title><id>sentence-case</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title" text-case="sentence"/></layout></citation>
  <bibliography><layout><text variable="title" text-case="sentence"/><text variable="language" prefix=" [" suffix="]"/></layout></bibliography>
</style>
"#;

/// pandoc's citeproc, formatting the report's cite.json in a sentence-case style, keeps the
/// title's case as the author wrote it ("England's NHS: The Big Reform", not "The big reform")
/// and reads the item's language, the site's.
#[test]
fn csl_json_titles_keep_their_case_in_a_sentence_case_style() {
    let site = site_with_hard_citation();
    let csl = site.path("sentence.csl");
    std::fs::write(&csl, SENTENCE_CASE_CSL).unwrap();
    let json = site.out().join("reports/r1/cite.json");
    const CODE: &str = r#"
import sys, pypandoc
print(pypandoc.convert_text('---\nnocite: "@*"\n---\n', 'plain', format='markdown',
      extra_args=['--citeproc', '--bibliography', sys.argv[1], '--csl', sys.argv[2]]))
"#;
    let out = common::client_python(CODE, &[json.to_str().unwrap(), csl.to_str().unwrap()]);
    assert!(
        out.replace('\u{2019}', "'")
            .contains("England's NHS: The Big Reform [en-GB]"),
        "{out}"
    );
}
