//! The RAMESES II reporting checklist of realist reports, and what crawlers are given: the
//! checklist on every realist report page and in its export, a warning per item a realist report
//! does not cover, a located error for a bad anchor, robots.txt only at a host's root, and a
//! sitemap whose `lastmod`s are whole days (`xsd:date`) that the sitemaps.org schema accepts.

use crate::common::{self, loc, Site, R1, STUDY};

/// The minimal site whose study is a realist evaluation.
fn realist_site(rameses: &str) -> Site {
    let report = R1.replacen("cmos:", &format!("{rameses}cmos:"), 1);
    Site::with(&[
        (
            "content/studies/s.md",
            &STUDY.replace("title: S", "title: S\ndesign: realist-evaluation"),
        ),
        ("content/reports/r1.md", &report),
    ])
}

#[test]
fn every_realist_report_of_the_example_site_shows_twenty_items_and_exports_the_same_statuses() {
    let out = common::example_site();
    let json: serde_json::Value =
        serde_json::from_str(&common::read_output(out, "exports/rameses.json")).unwrap();
    let lists = json.as_array().unwrap();
    assert!(!lists.is_empty(), "the example site has realist reports");
    let csv = common::read_output(out, "exports/rameses.csv");
    for list in lists {
        let id = list["report"].as_str().unwrap();
        let page = common::read_output(out, &format!("reports/{id}/index.html"));
        let section = common::between(&page, "<section class=\"rameses\"", "</section>");
        assert!(
            section.contains("<caption"),
            "{id}: the checklist is a captioned table"
        );
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 20, "{id}");
        assert_eq!(section.matches("<th scope=\"row\">").count(), 20, "{id}");
        for item in items {
            let (n, label) = (
                item["number"].as_u64().unwrap(),
                item["status_label"].as_str().unwrap(),
            );
            let row = format!(
                "<th scope=\"row\">{n}. {}</th>",
                item["item"].as_str().unwrap()
            );
            let at = section
                .find(&row)
                .unwrap_or_else(|| panic!("{id}: no row {row}"));
            let cells = &section[at..section[at..].find("</tr>").unwrap() + at];
            assert!(
                cells.contains(label),
                "{id} item {n}: the page says {label}"
            );
            assert_ne!(item["status"], "not-stated", "{id} item {n} is covered");
            if let Some(anchor) = item["anchor"].as_str() {
                assert!(common::has_id(&page, anchor), "{id}: #{anchor} exists");
            }
            let csv_row = format!("{id},{n},{},", item["key"].as_str().unwrap());
            let line = csv.lines().find(|l| l.starts_with(&csv_row)).unwrap();
            assert!(line.contains(item["status"].as_str().unwrap()), "{line}");
        }
    }
    // A report of a study that is not a realist evaluation has no checklist.
    let studies = common::read_output(out, "exports/reports.json");
    let reports: serde_json::Value = serde_json::from_str(&studies).unwrap();
    let other = reports["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !lists.iter().any(|l| l["report"] == r["id"]));
    let other = other.expect("a report that is not realist").clone();
    let page = common::read_output(
        out,
        &format!("reports/{}/index.html", other["id"].as_str().unwrap()),
    );
    assert!(!page.contains("class=\"rameses\""));
}

#[test]
fn a_realist_report_missing_items_gets_one_located_warning_per_item() {
    let site = realist_site("rameses:\n  3: {status: met, where: \"#findings\"}\n  ethics: {status: not-reported, note: none given}\n");
    let run = site.check(&[]);
    let warnings: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning")
        .collect();
    // Mapped: 3 and 6; found from fields: 4 (programme_theories), 15 (cmos), 16 (summary).
    assert_eq!(warnings.len(), 15, "{warnings:#?}");
    let text = site.source("content/reports/r1.md");
    let at = loc("content/reports/r1.md", &text, "rameses:");
    for w in &warnings {
        assert_eq!(w.location, at);
        assert!(w.message.contains("RAMESES II item"), "{}", w.message);
    }
    assert!(warnings.iter().any(|w| w
        .message
        .contains("item 17, \"Strengths, limitations and future research directions\"")));
    assert!(!warnings
        .iter()
        .any(|w| w.message.contains("item 4,") || w.message.contains("item 6,")));
    assert_eq!(
        site.check(&["--deny-warnings"]).code,
        1,
        "the warnings fail a check under --deny-warnings"
    );
}

#[test]
fn a_realist_study_without_any_mapping_warns_too() {
    let site = Site::with(&[(
        "content/studies/s.md",
        &STUDY.replace("title: S", "title: S\ndesign: realist-evaluation"),
    )]);
    let warnings = site.check(&[]).diagnostics();
    assert_eq!(
        warnings
            .iter()
            .filter(|d| d.message.contains("RAMESES II item"))
            .count(),
        17
    );
}

#[test]
fn a_bad_anchor_or_item_is_a_located_error_with_did_you_mean() {
    let site = realist_site(
        "rameses:\n  13: {status: met, where: \"#findngs\"}\n  strengths: {status: not-reported}\n",
    );
    let run = site.check(&[]);
    let text = site.source("content/reports/r1.md");
    run.assert_error_help(
        "broken anchor `#findngs`: the report has no heading with id `findngs`",
        &loc("content/reports/r1.md", &text, "13:"),
        "did you mean `#findings`?",
    );
    run.assert_error_help(
        "`strengths` is not a RAMESES II item: write its number (1 to 20) or its key",
        &loc("content/reports/r1.md", &text, "strengths:"),
        "did you mean `strengths-limitations`?",
    );
}

#[test]
fn robots_txt_is_written_only_at_a_host_root() {
    let site = Site::minimal();
    site.build_ok(&[]);
    assert!(
        !site.exists("robots.txt"),
        "a sub-path robots.txt is never read"
    );
    assert!(site.exists("sitemap.xml"));
    site.build_ok(&["--base-url", "https://www.example.ac.uk/"]);
    let robots = common::read_output(&site.out(), "robots.txt");
    assert!(
        robots.contains("Sitemap: https://www.example.ac.uk/sitemap.xml\n"),
        "{robots}"
    );
}

/// Checks a sitemap against the rules of the sitemaps.org 0.9 schema (sitemap.xsd) with Python's
/// XML parser: the root and its namespace, only `url` children, in each `loc` (an absolute URL of
/// 12 to 2048 characters) then an optional `lastmod` that is an `xsd:date`, nothing else.
const SITEMAP_RULES: &str = r#"
import sys, re, datetime, xml.etree.ElementTree as ET
NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == NS + "urlset", root.tag
dates = []
for url in root:
    assert url.tag == NS + "url", url.tag
    tags = [c.tag[len(NS):] for c in url]
    assert tags in (["loc"], ["loc", "lastmod"]), tags
    loc = url[0].text
    assert 12 <= len(loc) <= 2048 and re.match(r"https?://", loc), loc
    if len(url) == 2:
        text = url[1].text
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), text
        datetime.date.fromisoformat(text)
        dates.append((loc, text))
print("\n".join(f"{l} {d}" for l, d in dates))
"#;

#[test]
fn the_sitemap_has_day_precision_lastmods_that_the_schema_accepts() {
    let report = R1.replace(
        "date: \"2017-06\"",
        "date: \"2017-06\"\nupdated: 2018-02-03",
    );
    let site = Site::with(&[
        ("content/reports/r1.md", &report),
        (
            "content/reports/r2.md",
            &common::commissioning_report("R2", "published", ""),
        ),
    ]);
    site.build_ok(&[]);
    let path = site.out().join("sitemap.xml");
    let dates = common::client_python(SITEMAP_RULES, &[path.to_str().unwrap()]);
    let base = "https://www.example.ac.uk/research/t/";
    assert!(
        dates.contains(&format!("{base}reports/r1/ 2018-02-03")),
        "{dates}"
    );
    assert!(
        dates.contains(&format!("{base}cmos/c1/ 2018-02-03")),
        "the CMO takes its report's: {dates}"
    );
    // A year alone (`date: "2018"`) is not a day, so R2 has no lastmod; nor do the list pages.
    assert!(
        !dates.contains("reports/r2/") && !dates.contains(&format!("{base} ")),
        "{dates}"
    );
    // The example site's sitemap passes the same rules.
    let example = common::example_site().join("sitemap.xml");
    common::client_python(SITEMAP_RULES, &[example.to_str().unwrap()]);
}
