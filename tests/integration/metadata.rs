//! What indexers read from report and CMO pages, read by the real client: extruct (JSON-LD and
//! Dublin Core) and Python's `html.parser` for the Highwire `citation_*` tags, which extruct has no
//! syntax for.
//!
//! 1. every report and CMO page of the example site: JSON-LD of the right `@type`, Dublin Core
//!    found, dates in the forms Google Scholar allows, no placeholder author, one
//!    `citation_reference` per reference-list item, journal articles with their journal and no
//!    publisher;
//! 2. fixture sites for a group author, an anonymous report, a day-precision date and an
//!    article's page range.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{self, Site};

/// One page as the clients read it.
struct PageRead {
    page: String,
    kind: String,
    value: Value,
}

impl PageRead {
    fn cite(&self, name: &str) -> Vec<String> {
        strings(&self.value["cite"][name])
    }
    fn dc(&self, name: &str) -> Vec<String> {
        strings(&self.value["dc"][name])
    }
    fn json_ld(&self) -> &Value {
        &self.value["json_ld"][0]
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Runs the clients over an output folder's report and CMO pages.
fn read_pages(out: &Path) -> Vec<PageRead> {
    let mut pages: Vec<(String, PathBuf)> = ["reports", "cmos"]
        .iter()
        .flat_map(|kind| std::fs::read_dir(out.join(kind)).unwrap())
        .map(|e| e.unwrap().path().join("index.html"))
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.strip_prefix(out).unwrap().to_str().unwrap().to_string(),
                p,
            )
        })
        .collect();
    pages.sort();
    let paths: Vec<&Path> = pages.iter().map(|(_, p)| p.as_path()).collect();
    let heads = common::read_heads(&paths);
    pages
        .into_iter()
        .zip(heads)
        .map(|((page, _), value)| {
            let kind = page.split('/').next().unwrap().to_string();
            PageRead { page, kind, value }
        })
        .collect()
}

/// `YYYY/MM/DD` or `YYYY`, the only forms Google Scholar's inclusion guidelines allow.
fn scholar_date(d: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match d.split('/').collect::<Vec<_>>()[..] {
        [y] => digits(y, 4),
        [y, m, day] => digits(y, 4) && digits(m, 2) && digits(day, 2),
        _ => false,
    }
}

/// Fails if a name is a placeholder for authors rather than an author.
fn assert_no_placeholder(page: &str, names: &[String]) {
    for n in names {
        let lower = n.to_lowercase();
        let bad = ["not given", "not named", "et al", "anonymous", "unknown"];
        assert!(
            !n.trim().is_empty() && lower != "others" && !bad.iter().any(|b| lower.contains(b)),
            "{page}: placeholder author {n:?}"
        );
    }
}

/// What every report and CMO page must carry, whatever the site.
fn assert_page_metadata(p: &PageRead) {
    let page = &p.page;
    let want = if p.kind == "cmos" {
        &["Claim"][..]
    } else {
        &["Report", "ScholarlyArticle"][..]
    };
    let json_ld = p.value["json_ld"].as_array().unwrap();
    let types: Vec<String> = json_ld
        .iter()
        .map(|v| v["@type"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(
        types.len() == 1 && want.contains(&types[0].as_str()),
        "{page}: JSON-LD types {types:?}"
    );
    assert_eq!(p.cite("citation_title").len(), 1, "{page}: citation_title");
    assert_eq!(p.dc("DC.title").len(), 1, "{page}: Dublin Core not found");
    assert!(!p.dc("DC.identifier").is_empty(), "{page}: DC.identifier");
    for d in p.cite("citation_publication_date") {
        assert!(scholar_date(&d), "{page}: citation_publication_date {d:?}");
    }
    for name in [
        "citation_author",
        "citation_journal_title",
        "citation_technical_report_institution",
    ] {
        for v in p.cite(name) {
            assert!(!v.trim().is_empty(), "{page}: empty {name}");
        }
    }
    assert_no_placeholder(page, &p.cite("citation_author"));
    assert_no_placeholder(page, &p.dc("DC.creator"));
    let authors = json_ld.iter().flat_map(|v| match &v["author"] {
        Value::Array(a) => a.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    });
    let names: Vec<String> = authors
        .map(|a| a["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_no_placeholder(page, &names);
    assert_citations(p, &types[0]);
}

/// References and journal fields as Scholar reads them.
fn assert_citations(p: &PageRead, ld_type: &str) {
    let page = &p.page;
    for r in p.cite("citation_reference") {
        assert!(r.starts_with("citation_title="), "{page}: reference {r:?}");
        assert!(
            !r.contains("citation_author=others"),
            "{page}: reference {r:?}"
        );
    }
    if p.kind == "reports" {
        let refs = p.value["refs"].as_u64().unwrap() as usize;
        assert_eq!(
            p.cite("citation_reference").len(),
            refs,
            "{page}: one citation_reference per reference"
        );
        assert_eq!(
            p.cite("citation_publication_date").len(),
            1,
            "{page}: one date"
        );
    }
    if ld_type == "ScholarlyArticle" {
        assert_eq!(
            p.cite("citation_journal_title").len(),
            1,
            "{page}: journal title"
        );
        assert!(
            p.cite("citation_publisher").is_empty(),
            "{page}: an article's publisher"
        );
        assert!(
            p.cite("citation_technical_report_institution").is_empty(),
            "{page}: institution"
        );
        assert!(p.dc("DC.publisher").is_empty(), "{page}: DC.publisher");
    }
}

#[test]
fn extruct_reads_every_report_and_cmo_page_of_the_example_site() {
    let out = common::example_site();
    let pages = read_pages(out);
    let count = |kind| {
        std::fs::read_dir(out.join(kind))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().join("index.html").is_file())
            .count()
    };
    assert_eq!(
        pages.len(),
        count("reports") + count("cmos"),
        "every page read"
    );
    pages.iter().for_each(assert_page_metadata);
    // The example site's reports are the editors' summaries of published works (journal
    // articles among them, which the fixtures below cover as articles), each based on its
    // source; it has a reference list and CMOs: the checks above ran.
    assert!(pages
        .iter()
        .filter(|p| p.kind == "reports")
        .all(|p| p.json_ld()["isBasedOn"]["name"].is_string()));
    assert!(pages
        .iter()
        .any(|p| !p.cite("citation_reference").is_empty()));
    // A reference to a journal article gives its volume, issue and pages (references.bib has
    // one with `pages = {11--17}`).
    let references: Vec<String> = pages
        .iter()
        .flat_map(|p| p.cite("citation_reference"))
        .collect();
    assert!(
        references.iter().any(|r| r.contains("citation_volume=17")
            && r.contains("citation_firstpage=11; citation_lastpage=17")),
        "{references:#?}"
    );
    // A CMO page is cited as a part of its report: with the report's date, and its authors
    // wherever the report names them.
    let cmos: Vec<&PageRead> = pages.iter().filter(|p| p.kind == "cmos").collect();
    for p in &cmos {
        let in_report = !p.json_ld()["appearance"].is_null();
        assert_eq!(
            p.cite("citation_publication_date").len(),
            usize::from(in_report),
            "{}",
            p.page
        );
    }
    assert!(cmos.iter().any(|p| !p.cite("citation_author").is_empty()));
    // Each page describes itself: no two pages share a Dublin Core description.
    let mut descriptions: Vec<Vec<String>> = pages.iter().map(|p| p.dc("description")).collect();
    descriptions.sort();
    let all = descriptions.len();
    descriptions.dedup();
    assert_eq!(descriptions.len(), all, "pages share a description");
}

const GROUP_REPORT: &str =
    "authors: [{name: \"Evaluation team of the North\", group: true}]\ndate: \"2017-06-05\"";

/// A commissioning report with a given author line, date and extra front matter.
fn report(title: &str, authors_and_date: &str, extra: &str) -> String {
    format!(
        "---\ntype: commissioning-report\n{extra}title: {title}\n{authors_and_date}\nstatus: published\n\
         study: study/s\nareas: [area/a1]\nsummary: [k]\n---\nbody\n"
    )
}

/// The fixture site: a group's report with a day-precision date and a CMO, an anonymous report and
/// a journal article, built and read by the clients.
fn fixture_pages() -> (Site, Vec<PageRead>) {
    let r1 = common::R1.replace("date: \"2017-06\"\nauthors: [{name: A}]", GROUP_REPORT);
    let anonymous = report(
        "Anon",
        "authors: []\nauthors_not_named: true\ndate: \"2018-02\"",
        "report_type: case-study\n",
    );
    let article = report(
        "Art",
        "authors: [{name: Ann van der Berg}, {name: Bo Li}]\nmore_authors: true\ndate: \"2019\"",
        "report_type: journal-article\njournal: {title: Journal of Tests, volume: \"4\", issue: \"2\", pages: 12–19}\ndoi: \"10.1234/abc.5\"\n",
    );
    let site = Site::with(&[
        ("content/reports/r1.md", &r1),
        ("content/reports/anon.md", &anonymous),
        ("content/reports/art.md", &article),
    ]);
    site.build_ok(&[]);
    let pages = read_pages(&site.out());
    pages.iter().for_each(assert_page_metadata);
    (site, pages)
}

fn page<'p>(pages: &'p [PageRead], name: &str) -> &'p PageRead {
    pages
        .iter()
        .find(|p| p.page == name)
        .unwrap_or_else(|| panic!("{name} read"))
}

#[test]
fn a_group_author_and_a_day_reach_the_clients_from_a_report_and_its_cmo() {
    let (site, pages) = fixture_pages();
    let page = |name| page(&pages, name);
    let group = page("reports/r1/index.html");
    assert_eq!(
        group.cite("citation_author"),
        ["Evaluation team of the North"]
    );
    assert_eq!(group.cite("citation_publication_date"), ["2017/06/05"]);
    assert_eq!(group.dc("DC.date"), ["2017-06-05"]);
    assert_eq!(group.json_ld()["author"][0]["@type"], "Organization");
    assert_eq!(group.cite("citation_technical_report_institution").len(), 1);
    // The CMO is a claim of its report, with the report's authors and date.
    let cmo = page("cmos/c1/index.html");
    assert_eq!(
        cmo.cite("citation_author"),
        ["Evaluation team of the North"]
    );
    assert_eq!(cmo.cite("citation_publication_date"), ["2017/06/05"]);
    assert_eq!(cmo.json_ld()["appearance"]["@type"], "Report");
    assert!(site.page("cmos/c1/index.html").contains(
        "<meta name=\"DC.relation.ispartof\" content=\"https://www.example.ac.uk/research/t/reports/r1/\">"
    ));
}

#[test]
fn anonymous_work_names_no_author_and_an_article_its_journal() {
    let (site, pages) = fixture_pages();
    let page = |name| page(&pages, name);
    let anon = page("reports/anon/index.html");
    assert!(anon.cite("citation_author").is_empty() && anon.dc("DC.creator").is_empty());
    assert_eq!(anon.json_ld()["author"], serde_json::json!([]));
    assert_eq!(
        anon.cite("citation_publication_date"),
        ["2018"],
        "no year and month alone"
    );

    let art = page("reports/art/index.html");
    assert_eq!(art.cite("citation_author"), ["van der Berg, Ann", "Li, Bo"]);
    assert_eq!(art.cite("citation_journal_title"), ["Journal of Tests"]);
    assert_eq!(
        (art.cite("citation_volume"), art.cite("citation_issue")),
        (vec!["4".to_string()], vec!["2".to_string()])
    );
    assert_eq!(
        (
            art.cite("citation_firstpage"),
            art.cite("citation_lastpage")
        ),
        (vec!["12".to_string()], vec!["19".to_string()])
    );
    assert_eq!(art.cite("citation_doi"), ["10.1234/abc.5"]);
    assert!(art
        .dc("DC.identifier")
        .contains(&"https://doi.org/10.1234/abc.5".to_string()));
    let ld = art.json_ld();
    assert_eq!(
        (ld["@type"].as_str(), ld["sameAs"].as_str()),
        (
            Some("ScholarlyArticle"),
            Some("https://doi.org/10.1234/abc.5")
        )
    );
    assert_eq!(ld["author"][0]["familyName"], "van der Berg");
    // The DOI is shown and linked on the page.
    assert!(site
        .page("reports/art/index.html")
        .contains("href=\"https://doi.org/10.1234/abc.5\""));
}

#[test]
fn the_exports_page_is_a_dataset_whose_downloads_exist() {
    let out = common::example_site();
    let head = common::read_heads(&[&out.join("exports/index.html")]).remove(0);
    let found = head["json_ld"].as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let dataset = &found[0];
    assert_eq!(dataset["@type"], "Dataset");
    // Google's Dataset guidelines: a name, and a description of 50 to 5,000 characters.
    assert!(!dataset["name"].as_str().unwrap().is_empty());
    let description = dataset["description"].as_str().unwrap().chars().count();
    assert!((50..=5000).contains(&description), "{description}");
    assert!(dataset["license"].is_string(), "{dataset}");
    let downloads = dataset["distribution"].as_array().unwrap();
    let page = std::fs::read_to_string(out.join("exports/index.html")).unwrap();
    for file in [
        "cmos.json",
        "cmos.csv",
        "evidence.csv",
        "realist.xlsx",
        "citations.bib",
    ] {
        assert!(
            downloads.iter().any(|d| d["name"] == file),
            "{file} is not a DataDownload"
        );
    }
    for d in downloads {
        let url = d["contentUrl"].as_str().unwrap();
        let rel = url.strip_prefix(common::EXAMPLE_BASE_URL).expect(url);
        assert!(out.join(rel).is_file(), "{url} names no file");
        assert!(d["encodingFormat"].is_string(), "{d}");
        // The page links each file it describes.
        assert!(page.contains(&format!("href=\"../{rel}\"")), "{rel}");
    }
}
