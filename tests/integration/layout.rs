//! What the reader's layout needs from the built pages: Markdown tables in named, focusable
//! scroll regions; a byline that names each affiliation once; a glossary that does not repeat a
//! term as its expansion and has an A–Z index; counts in the right number; a description, Open
//! Graph tags and a favicon on every page; and a 404 page whose links work at any depth.

use crate::common::{attrs, between, html_files, main_of, standalone_cmo, Site, RICH_R1};

/// A report whose authors share one affiliation and differ in another, and whose body holds
/// tables under a heading and before any.
const REPORT: &str = r#"---
type: tracer-report
title: R1
date: "2017-06"
authors:
  - {name: Ann One, affiliation: Trust}
  - {name: Bo Two, affiliation: "Trust; College"}
  - {name: Cy Three, affiliation: School}
status: published
study: study/s
tracer: tracer/tr
areas: [area/a1]
programme_theories: [theory/pt]
summary: ["The first key point of the report.", "The second."]
---
| A | B |
|---|---|
| 1 | 2 |

## Results & more

| C | D |
|---|---|
| 3 | 4 |

| E | F |
|---|---|
| 5 | 6 |
"#;

const GLOSSARY: &str = "- term: Monitor
  expansion: Monitor
  definition: The regulator.
- term: Context
  expansion: Context (realist)
  definition: What was already there.
- term: CCG
  expansion: clinical commissioning group
  definition: An NHS body.
- term: agency theory
  definition: A theory.
";

/// The text after the first `start` in `html`, up to the next `"`.
fn after<'a>(html: &'a str, start: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in:\n{html}"))
        + start.len();
    let rest = &html[from..];
    &rest[..rest.find('"').unwrap_or(rest.len())]
}

fn site() -> Site {
    let site = Site::minimal();
    site.write("content/reports/r1.md", REPORT);
    site.write("content/glossary.yaml", GLOSSARY);
    site.write("content/cmos/c9.md", standalone_cmo("c9", ""));
    site.build_ok(&[]);
    site
}

#[test]
fn every_markdown_table_scrolls_in_a_named_focusable_region() {
    let site = site();
    let html = site.page("reports/r1/index.html");
    // Markdown's tables: the regions named by `aria-label` (the CMO table's is labelled by its
    // caption).
    let named: Vec<&str> = html
        .split("<div class=\"table-scroll\" role=\"region\" tabindex=\"0\" aria-label=\"")
        .skip(1)
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    assert_eq!(
        named,
        [
            "Table 1",
            "Table: Results &amp; more",
            "Table 2: Results &amp; more"
        ],
        "{html}"
    );
    // Each region closes right after its table.
    assert_eq!(html.matches("</table>\n</div>").count(), 3, "{html}");
}

#[test]
fn the_byline_names_each_affiliation_once_and_marks_the_authors() {
    let site = site();
    let html = site.page("reports/r1/index.html");
    let byline = between(&html, "<div class=\"byline\">", "</div>");
    assert!(
        byline.contains("Ann One<sup class=\"marks\">1</sup>")
            && byline.contains("Bo Two<sup class=\"marks\">1,2</sup>")
            && byline.contains("Cy Three<sup class=\"marks\">3</sup>"),
        "{byline}"
    );
    assert_eq!(byline.matches("Trust").count(), 1, "{byline}");
    assert!(byline.contains("<sup>2</sup>College"), "{byline}");

    // One shared affiliation is printed once, without marks.
    let shared = REPORT
        .replace("\"Trust; College\"", "Trust")
        .replace("affiliation: School", "affiliation: Trust");
    site.write("content/reports/r1.md", &shared);
    site.build_ok(&[]);
    let html = site.page("reports/r1/index.html");
    let byline = between(&html, "<div class=\"byline\">", "</div>");
    assert!(!byline.contains("<sup"), "{byline}");
    assert_eq!(byline.matches("Trust").count(), 1, "{byline}");
}

#[test]
fn the_glossary_shows_a_repeated_term_once_and_indexes_its_letters() {
    let site = site();
    let html = site.page("glossary/index.html");
    let main = main_of(&html);
    assert!(
        !main.contains("<span class=\"expansion\">Monitor</span>"),
        "{main}"
    );
    assert!(
        main.contains("<span class=\"expansion\">(realist)</span>"),
        "{main}"
    );
    assert!(main.contains("<span class=\"expansion\">clinical commissioning group</span>"));
    let index = between(main, "<nav class=\"az-index\"", "</nav>");
    let links: Vec<String> = attrs(index, "href");
    // A (agency theory), C (CCG, Context: the first), M (Monitor), each to an entry's anchor.
    assert_eq!(links.len(), 3, "{index}");
    for href in &links {
        let id = href.trim_start_matches('#');
        assert!(
            main.contains(&format!("<dt id=\"{id}\"")),
            "{href} names no entry"
        );
    }
    assert!(index.contains(">A</a>") && index.contains(">C</a>") && index.contains(">M</a>"));
    assert_eq!(links[1], "#term-ccg", "{index}");
}

#[test]
fn a_count_of_one_is_singular() {
    let site = Site::minimal();
    let tagged = RICH_R1
        .lines()
        .take_while(|l| *l != "cmos:")
        .collect::<Vec<_>>()
        .join("\n")
        + "\n---\nBody.\n";
    site.write("content/reports/r1.md", &tagged);
    site.build_ok(&[]);
    let list = site.page("themes/index.html");
    assert!(list.contains("1 report, 0 CMOs"), "{}", main_of(&list));
    let theme = site.page("themes/integration/index.html");
    assert!(
        theme.contains("1 report and 0 CMO configurations are tagged"),
        "{}",
        main_of(&theme)
    );
}

#[test]
fn every_page_has_its_own_description_open_graph_tags_and_the_favicon() {
    let site = site();
    assert!(site.exists("static/favicon.svg"));
    let out = site.out();
    for (path, html) in html_files(&out) {
        let head = between(&html, "<head>", "</head>");
        for property in ["og:type", "og:title", "og:url", "og:site_name"] {
            assert!(
                head.contains(&format!("<meta property=\"{property}\"")),
                "{path}: {property}"
            );
        }
        assert!(head.contains("rel=\"icon\" href=\""), "{path}: favicon");
        let canonical = after(head, "<link rel=\"canonical\" href=\"");
        let og_url = after(head, "<meta property=\"og:url\" content=\"");
        assert_eq!(og_url, canonical, "{path}");
    }
    let report = site.page("reports/r1/index.html");
    let description = after(&report, "<meta name=\"description\" content=\"");
    assert_eq!(
        description,
        "The first key point of the report. The second."
    );
    assert!(report.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(report.contains("<meta property=\"article:published_time\" content=\"2017-06\">"));
    let cmo = site.page("cmos/c9/index.html");
    let description = after(&cmo, "<meta name=\"description\" content=\"");
    assert_eq!(description, "Context: c. Mechanism: m. Outcome: o.");
    let theory = site.page("theories/pt/index.html");
    let description = after(&theory, "<meta name=\"description\" content=\"");
    assert_eq!(description, "If x, then y, because z.");
    // A page with nothing of its own to say is described by its body's first paragraph.
    let study = site.page("studies/s/index.html");
    let description = after(&study, "<meta name=\"description\" content=\"");
    assert_eq!(description, "body");
}

#[test]
fn the_404_page_links_from_the_site_root_and_runs_no_script_to_do_so() {
    let site = site();
    let html = site.page("404.html");
    let base = "/research/t/";
    let site_yaml = site.source("site.yaml");
    let base_url = after(&site_yaml, "base_url: \"");
    assert!(base_url.ends_with(base), "{site_yaml}");
    let hrefs: Vec<String> = ["href", "src"]
        .iter()
        .flat_map(|a| attrs(&html, a))
        .filter(|h| !h.starts_with("http") && !h.starts_with("mailto:") && !h.starts_with('#'))
        .collect();
    assert!(hrefs.len() > 8, "{hrefs:?}");
    for href in &hrefs {
        assert!(href.starts_with(base), "{href} is not from the root");
        let file = href.trim_start_matches(base);
        let file = if file.is_empty() || file.ends_with('/') {
            format!("{file}index.html")
        } else {
            file.to_string()
        };
        assert!(site.exists(&file), "{href}: {file} is not in the output");
    }
    assert!(!html.contains("<base"), "{html}");
    assert!(
        !html.contains("<script>") && !html.contains("<script data"),
        "{html}"
    );
    // Every other page links relatively.
    let other = site.page("accessibility/index.html");
    assert!(!attrs(&other, "href").iter().any(|h| h.starts_with('/')));
}
