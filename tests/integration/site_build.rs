//! Building whole sites with the real binary and checking what it writes: every kind of page,
//! backlinks, CMO chains, the matrix, Markdown, sub-path hosting, determinism, the atomic swap,
//! drafts and confidential reports, and the build summary.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use crate::common::*;

// ---------------------------------------------------------------------------------------------
// Every kind of page.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_kind_of_page_is_written() {
    let site = Site::rich();
    site.build_ok(&[]);
    for page in [
        "index.html",
        "404.html",
        "reports/index.html",
        "reports/r1/index.html",
        "reports/r2/index.html",
        "cmos/index.html",
        "cmos/c1/index.html",
        "cmos/c2/index.html",
        "cmos/c3/index.html",
        "tracers/index.html",
        "tracers/tr/index.html",
        "tracers/tr2/index.html",
        "areas/index.html",
        "areas/a1/index.html",
        "areas/a2/index.html",
        "studies/index.html",
        "studies/s/index.html",
        "theories/index.html",
        "theories/pt/index.html",
        "themes/index.html",
        "themes/integration/index.html",
        "glossary/index.html",
        "about/index.html",
        "accessibility/index.html",
        "sitemap.xml",
        "atom.xml",
        "exports/cmos.csv",
        "exports/cmos.json",
        "exports/reports.json",
    ] {
        assert!(site.exists(page), "{page} was not written");
    }
    // Each entity page is about its own entity.
    for (page, title) in [
        ("reports/r1/index.html", "R1"),
        ("reports/r2/index.html", "R2"),
        ("cmos/c1/index.html", "C1"),
        ("cmos/c2/index.html", "C2"),
        ("cmos/c3/index.html", "C3"),
        ("tracers/tr/index.html", "Tr"),
        ("areas/a2/index.html", "A2"),
        ("studies/s/index.html", "S"),
        ("theories/pt/index.html", "PT"),
        ("themes/integration/index.html", "Integration"),
        ("about/index.html", "About"),
        ("accessibility/index.html", "Accessibility"),
        ("glossary/index.html", "Glossary"),
    ] {
        let html = site.page(page);
        assert!(
            html.contains(&format!("<h1 id=\"page-title\">{title}</h1>")),
            "{page} has no h1 {title}:\n{}",
            main_of(&html)
        );
        assert!(
            html.contains(&format!("<title>{title} | T</title>")),
            "{page}"
        );
    }
}

#[test]
fn standalone_and_inline_cmo_pages_show_their_parts() {
    let site = Site::rich();
    site.build_ok(&[]);
    // Standalone (content/cmos/c2.md, type: cmo): resource and reasoning, outcome, its body.
    let c2 = site.page("cmos/c2/index.html");
    let main = main_of(&c2);
    assert!(main.contains("<dt>Resource</dt><dd>money</dd>"), "{main}");
    assert!(main.contains("<dt>Reasoning</dt><dd>trust</dd>"), "{main}");
    assert!(main.contains("c2 context"), "{main}");
    assert!(main.contains("o2"), "{main}");
    assert!(main.contains("A standalone"), "{main}");
    // Referenced from R1's `cmos:` list, so R1 lists it too.
    let r1 = site.page("reports/r1/index.html");
    let cmos = between(
        &r1,
        "<section aria-labelledby=\"report-cmos\">",
        "</section>",
    );
    assert!(cmos.contains("href=\"../../cmos/c1/\">C1</a>"), "{cmos}");
    assert!(cmos.contains("href=\"../../cmos/c2/\">C2</a>"), "{cmos}");

    // Inline (in R1's front matter): evidence links to the report section, confidence shown.
    let c1 = site.page("cmos/c1/index.html");
    let main = main_of(&c1);
    assert!(
        main.contains("<dt>Reported in</dt><dd><a href=\"../../reports/r1/\">R1</a></dd>"),
        "{main}"
    );
    assert!(
        main.contains("href=\"../../reports/r1/#findings\""),
        "evidence source: {main}"
    );
    assert!(main.contains("confidence-low"), "{main}");
}

#[test]
fn generated_files_describe_the_site() {
    let site = Site::rich();
    site.build_ok(&[]);

    let not_found = site.page("404.html");
    assert!(not_found.contains("Page not found"), "{not_found}");

    let sitemap = site.page("sitemap.xml");
    assert!(sitemap.starts_with("<?xml"), "{sitemap}");
    for url in [
        "",
        "reports/r1/",
        "reports/r2/",
        "cmos/c3/",
        "glossary/",
        "about/",
    ] {
        assert!(
            sitemap.contains(&format!(
                "<loc>https://www.example.ac.uk/research/t/{url}</loc>"
            )),
            "sitemap lacks {url}:\n{sitemap}"
        );
    }
    assert!(!sitemap.contains("404.html"), "{sitemap}");

    let atom = site.page("atom.xml");
    assert!(
        atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
        "{atom}"
    );
    assert!(atom.contains("<title>R1</title>"), "{atom}");
    assert!(atom.contains("<title>R2</title>"), "{atom}");
    assert!(
        atom.contains("<id>https://www.example.ac.uk/research/t/reports/r2/</id>"),
        "{atom}"
    );

    // Crawlers read robots.txt only at a host's root: under a sub-path the site writes none.
    assert!(!site.exists("robots.txt"), "robots.txt under a sub-path");

    let csv = site.page("exports/cmos.csv");
    let mut lines = csv.lines();
    let header = lines.next().unwrap().trim_start_matches('\u{feff}');
    let header: Vec<&str> = header.split(',').collect();
    assert_eq!(&header[..3], &["id", "title", "kind"], "{csv}");
    let mut ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["c1", "c2", "c3"], "{csv}");

    let cmos: serde_json::Value = serde_json::from_str(&site.page("exports/cmos.json")).unwrap();
    let cmos = cmos["cmos"].as_array().expect("cmos.json lists the CMOs");
    assert_eq!(cmos.len(), 3);
    let c3 = cmos.iter().find(|c| c["id"] == "c3").expect("c3 exported");
    assert_eq!(c3["url"], "https://www.example.ac.uk/research/t/cmos/c3/");
    assert_eq!(c3["status"], "contested");

    let reports: serde_json::Value =
        serde_json::from_str(&site.page("exports/reports.json")).unwrap();
    let ids: Vec<&str> = reports["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["r1", "r2"]);
}

#[test]
fn list_pages_list_their_entities() {
    let site = Site::rich();
    site.build_ok(&[]);
    for (folder, ids) in [
        ("reports", &["r1", "r2"][..]),
        ("tracers", &["tr", "tr2"][..]),
        ("areas", &["a1", "a2"][..]),
        ("studies", &["s"][..]),
        ("theories", &["pt"][..]),
        ("themes", &["integration"][..]),
    ] {
        let page = format!("{folder}/index.html");
        let html = site.page(&page);
        let hrefs = attrs(main_of(&html), "href");
        for id in ids {
            let link = format!("../{folder}/{id}/");
            assert!(
                hrefs.contains(&link),
                "{page} does not link to {link}: {hrefs:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Backlinks.
// ---------------------------------------------------------------------------------------------

/// The "Linked from" items of a page: (href, title, note).
fn linked_from(html: &str) -> Vec<(String, String, String)> {
    if !html.contains("<section class=\"linked-from\"") {
        return Vec::new();
    }
    let section = between(html, "<section class=\"linked-from\"", "</section>");
    section
        .split("<li><a href=\"")
        .skip(1)
        .map(|item| {
            let (href, rest) = item.split_once("\">").unwrap();
            let (title, rest) = rest.split_once("</a>").unwrap();
            let note = rest
                .split_once("<span class=\"note\">")
                .and_then(|(_, n)| n.split_once("</span>"))
                .map_or("", |(n, _)| n);
            (href.to_string(), title.to_string(), note.to_string())
        })
        .collect()
}

/// Every link on the page, outside the site header and footer.
fn main_links(html: &str) -> Vec<String> {
    attrs(main_of(html), "href")
}

/// Asserts that `page` links to `href` in its main content and, in its "Linked from" list or its
/// CMO table, names the linking page.
fn assert_lists(html: &str, page: &str, href: &str) {
    let links = main_links(html);
    assert!(
        links.iter().any(|l| l == href),
        "{page} does not list {href}; its links are {links:?}\n{}",
        main_of(html)
    );
}

#[test]
fn tracer_page_lists_the_reports_and_cmos_that_link_to_it() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("tracers/tr/index.html");
    // R1 has `tracer: tracer/tr`; R2 has `tracers: [tracer/tr]`.
    assert_lists(&html, "tracers/tr", "../../reports/r1/");
    assert_lists(&html, "tracers/tr", "../../reports/r2/");
    let items = linked_from(&html);
    assert!(
        items
            .iter()
            .any(|(h, _, note)| h == "../../reports/r2/" && note.contains("follows this tracer")),
        "{items:?}"
    );
    // C1 inherits the tracer from R1, C3 from R2.
    assert_lists(&html, "tracers/tr", "../../cmos/c1/");
    assert_lists(&html, "tracers/tr", "../../cmos/c3/");
    assert!(!main_links(&html).contains(&"../../cmos/c2/".to_string()));
}

#[test]
fn area_page_lists_the_reports_and_cmos_that_link_to_it() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("areas/a2/index.html");
    assert_lists(&html, "areas/a2", "../../reports/r2/");
    assert_lists(&html, "areas/a2", "../../cmos/c2/");
    assert_lists(&html, "areas/a2", "../../cmos/c3/");
    assert!(!main_links(&html).contains(&"../../reports/r1/".to_string()));
}

#[test]
fn theory_page_lists_the_reports_and_cmos_that_link_to_it() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("theories/pt/index.html");
    assert_lists(&html, "theories/pt", "../../reports/r1/");
    assert_lists(&html, "theories/pt", "../../cmos/c1/");
    assert_lists(&html, "theories/pt", "../../cmos/c2/");
    // C3 has `programme_theory: [none-identified]`.
    assert!(!main_links(&html).contains(&"../../cmos/c3/".to_string()));
}

#[test]
fn study_page_lists_everything_in_the_study() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("studies/s/index.html");
    let items = linked_from(&html);
    for href in [
        "../../reports/r1/",
        "../../reports/r2/",
        "../../tracers/tr/",
        "../../tracers/tr2/",
        "../../areas/a1/",
        "../../areas/a2/",
        "../../theories/pt/",
    ] {
        assert!(
            items
                .iter()
                .any(|(h, _, note)| h == href && note.contains("part of this study")),
            "{href} missing from {items:?}"
        );
    }
}

#[test]
fn a_mentioned_report_shows_who_mentions_it() {
    let site = Site::rich();
    site.build_ok(&[]);
    // about.md writes `[the first report](@report/r1)`.
    let r1 = linked_from(&site.page("reports/r1/index.html"));
    assert!(
        r1.contains(&(
            "../../about/".to_string(),
            "About".to_string(),
            "mentions this".to_string()
        )),
        "{r1:?}"
    );
    // R1's body writes `[the methods](@report/r2#methods)`.
    let r2 = linked_from(&site.page("reports/r2/index.html"));
    assert!(
        r2.iter()
            .any(|(h, t, n)| h == "../../reports/r1/" && t == "R1" && n == "mentions this"),
        "{r2:?}"
    );
    // A report is not listed as linking to itself.
    assert!(
        !r1.iter().any(|(h, _, _)| h == "../../reports/r1/"),
        "{r1:?}"
    );
}

#[test]
fn theme_page_lists_tagged_reports() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("themes/integration/index.html");
    assert_lists(&html, "themes/integration", "../../reports/r1/");
    assert!(!main_links(&html).contains(&"../../reports/r2/".to_string()));
}

#[test]
fn a_source_page_shows_its_facts_and_who_draws_on_it() {
    let site = site_with_source();
    // Evidence from a source says where in it a reader looks (a warning otherwise).
    site.edit(
        "content/cmos/c9.md",
        "source: source/pawson-1997}",
        "source: source/pawson-1997, locator: \"Chapter 3\"}",
    );
    site.build_ok(&["--deny-warnings"]);
    let html = site.page("sources/pawson-1997/index.html");
    let main = main_of(&html);
    assert!(
        main.contains("<p class=\"kind\" data-pagefind-meta=\"kind\">Source publication</p>"),
        "{main}"
    );
    assert!(
        main.contains("<h1 id=\"page-title\">Realistic evaluation</h1>"),
        "{main}"
    );
    assert!(main.contains("<dd>Pawson, Tilley</dd>"), "{main}");
    assert!(main.contains("<dd>Sage</dd>"), "{main}");
    assert!(main.contains("<strong>CMO</strong>"), "{main}");
    let links = main_links(&html);
    for href in ["https://doi.org/10.1000/re", "https://example.org/re"] {
        assert!(links.iter().any(|l| l == href), "{links:?}");
    }
    // R1 lists it in `sources:`; C9 in `sources:` and as evidence (one row in the CMO table).
    let items = linked_from(&html);
    assert!(
        items
            .iter()
            .any(|(h, _, note)| h == "../../reports/r1/" && note == "draws on this source"),
        "{items:?}"
    );
    assert_lists(&html, "sources/pawson-1997", "../../cmos/c9/");
    assert_eq!(main.matches("href=\"../../cmos/c9/\"").count(), 1, "{main}");
    // The CMO's evidence and facts, and the report's facts, link to the source.
    let cmo = site.page("cmos/c9/index.html");
    let to_source = "../../sources/pawson-1997/".to_string();
    assert_eq!(
        main_links(&cmo).iter().filter(|l| **l == to_source).count(),
        2
    );
    assert!(main_links(&site.page("reports/r1/index.html")).contains(&to_source));
    // Its list page, the sitemap and the search index's input pick it up without being told.
    let list = site.page("sources/index.html");
    assert!(main_links(&list).contains(&"../sources/pawson-1997/".to_string()));
    assert!(main_of(&list).contains("Pawson, Tilley (1997)"));
    let sitemap = site.page("sitemap.xml");
    assert!(sitemap.contains("/sources/pawson-1997/</loc>"), "{sitemap}");
    assert!(sitemap.contains("/sources/</loc>"), "{sitemap}");
    assert!(html.contains("data-pagefind-body"));
}

#[test]
fn a_site_without_sources_has_no_source_list() {
    let site = Site::minimal();
    site.build_ok(&[]);
    assert!(!site.exists("sources/index.html"));
    assert!(!site.page("index.html").contains("sources/"));
}

// ---------------------------------------------------------------------------------------------
// CMO chains.
// ---------------------------------------------------------------------------------------------

#[test]
fn chains_are_shown_forward_on_the_source_and_inverse_on_the_target() {
    let site = Site::rich();
    site.build_ok(&[]);

    // C3 writes `feeds_context_of: [cmo/c1]` and `refines: cmo/c2`.
    let c3 = site.page("cmos/c3/index.html");
    let out = between(&c3, "<h3 id=\"chain-out\">", "</ul>");
    assert!(out.contains("feeds the context of"), "{out}");
    assert!(out.contains("<a href=\"../../cmos/c1/\">C1</a>"), "{out}");
    assert!(out.contains("Refines"), "{out}");
    assert!(out.contains("<a href=\"../../cmos/c2/\">C2</a>"), "{out}");
    assert!(!c3.contains("id=\"chain-in\""), "C3 has no incoming links");

    // The inverse links are generated on C1 and C2, which say nothing about C3 themselves.
    let c1 = site.page("cmos/c1/index.html");
    let inc = between(&c1, "<h3 id=\"chain-in\">", "</ul>");
    assert!(inc.contains("<a href=\"../../cmos/c3/\">C3</a>"), "{inc}");
    assert!(inc.contains("feeds this CMO&#39;s context"), "{inc}");
    assert!(!c1.contains("id=\"chain-out\""));

    let c2 = site.page("cmos/c2/index.html");
    let inc = between(&c2, "<h3 id=\"chain-in\">", "</ul>");
    assert!(inc.contains("<a href=\"../../cmos/c3/\">C3</a>"), "{inc}");
    assert!(inc.contains("refines this CMO"), "{inc}");

    // The diagram is an accessible image with a title, and links the same CMOs.
    for (html, name) in [(&c3, "C3"), (&c1, "C1"), (&c2, "C2")] {
        let svg = between(html, "<svg", "</svg>");
        // A group, not an image: its nodes are links.
        assert!(svg.contains("role=\"group\""), "{svg}");
        assert!(
            svg.contains(&format!(">Chain diagram for {name}</title>")),
            "{svg}"
        );
        assert!(svg.contains("<title"), "{svg}");
    }
    // It draws the same CMOs that the text list links.
    let svg = between(&c3, "<svg", "</svg>");
    assert!(svg.contains(">C1</tspan>"), "{svg}");
    assert!(svg.contains(">C2</tspan>"), "{svg}");
    assert!(svg.contains("0 incoming and 2 outgoing"), "{svg}");
}

#[test]
fn a_cmo_outside_any_chain_has_no_diagram() {
    let site = Site::minimal();
    site.build_ok(&[]);
    let c1 = site.page("cmos/c1/index.html");
    assert!(!c1.contains("<svg"), "{}", main_of(&c1));
}

// ---------------------------------------------------------------------------------------------
// The matrix.
// ---------------------------------------------------------------------------------------------

/// The matrix as (row header href) → cells, each cell the list of CMO hrefs, in column order;
/// and the column header hrefs.
fn matrix(html: &str) -> (Vec<String>, BTreeMap<String, Vec<Vec<String>>>) {
    let table = between(html, "<table class=\"matrix\">", "</table>");
    let head = between(table, "<thead>", "</thead>");
    let columns = attrs(head, "href");
    let mut rows = BTreeMap::new();
    for row in table.split("<tr><th scope=\"row\">").skip(1) {
        let (header, cells) = row.split_once("</th>").unwrap();
        let key = attrs(header, "href").remove(0);
        // A cell links to its list of CMOs under the table.
        let listed = |id: &str| -> Vec<String> {
            let list = between(html, &format!("data-cell=\"{id}\">"), "</ul>");
            attrs(list, "href")
        };
        let cells: Vec<Vec<String>> = cells
            .split("<td")
            .skip(1)
            .map(|cell| {
                let targets = attrs(cell.split("</td>").next().unwrap(), "href");
                targets
                    .iter()
                    .flat_map(|t| listed(t.strip_prefix('#').unwrap()))
                    .collect()
            })
            .collect();
        rows.insert(key, cells);
    }
    (columns, rows)
}

#[test]
fn matrix_is_an_accessible_table_of_tracers_by_areas() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("cmos/index.html");
    let table = between(&html, "<table class=\"matrix\">", "</table>");
    assert!(table.contains("<caption"), "{table}");
    assert!(table.contains("<th scope=\"col\">"), "{table}");
    assert!(table.contains("<th scope=\"row\">"), "{table}");

    let (columns, rows) = matrix(&html);
    assert_eq!(columns, ["../areas/a1/", "../areas/a2/"]);
    let cell = |tracer: &str, column: usize| -> Vec<String> {
        let row = rows
            .get(&format!("../tracers/{tracer}/"))
            .unwrap_or_else(|| panic!("no row for {tracer}: {rows:?}"));
        assert_eq!(row.len(), columns.len(), "{row:?}");
        row[column].clone()
    };
    // C1: inline in R1, inherits tracer tr and area a1.
    assert_eq!(cell("tr", 0), ["../cmos/c1/"]);
    // C3: inline in R2 (areas a1, a2), inherits tracer tr, names its own area a2 only.
    assert_eq!(cell("tr", 1), ["../cmos/c3/"]);
    // C2: standalone, tracer tr2, area a2.
    assert_eq!(cell("tr2", 0), Vec::<String>::new());
    assert_eq!(cell("tr2", 1), ["../cmos/c2/"]);
}

#[test]
fn inline_cmos_inherit_tracer_and_areas_from_their_report() {
    let site = Site::rich();
    site.build_ok(&[]);
    let c1 = site.page("cmos/c1/index.html");
    let facts = between(&c1, "<dl class=\"facts\">", "</dl>");
    assert!(
        facts.contains("<dt>Tracers</dt><dd><a href=\"../../tracers/tr/\">Tr</a></dd>"),
        "{facts}"
    );
    assert!(
        facts.contains("<dt>Areas</dt><dd><a href=\"../../areas/a1/\">A1</a></dd>"),
        "{facts}"
    );
    let c3 = site.page("cmos/c3/index.html");
    let facts = between(&c3, "<dl class=\"facts\">", "</dl>");
    assert!(
        facts.contains("<dt>Tracers</dt><dd><a href=\"../../tracers/tr/\">Tr</a></dd>"),
        "{facts}"
    );
    assert!(
        facts.contains("<dt>Areas</dt><dd><a href=\"../../areas/a2/\">A2</a></dd>"),
        "own areas replace the report's: {facts}"
    );
    let csv = site.page("exports/cmos.csv");
    let c3_row = csv.lines().find(|l| l.starts_with("c3,")).unwrap();
    assert!(c3_row.contains(",tr,a2,"), "{c3_row}");
}

// ---------------------------------------------------------------------------------------------
// Markdown.
// ---------------------------------------------------------------------------------------------

fn r1_body(site: &Site) -> String {
    let html = site.page("reports/r1/index.html");
    between(&html, "<div class=\"prose\">", "</pre></div>").to_string()
}

#[test]
fn heading_ids_are_slugs_and_explicit_ids_win() {
    let site = Site::rich();
    site.build_ok(&[]);
    let body = r1_body(&site);
    assert!(body.contains("<h2 id=\"findings\">Findings</h2>"), "{body}");
    assert!(
        body.contains("<h2 id=\"background-and-aims\">Background and aims</h2>"),
        "{body}"
    );
    assert!(body.contains("<h2 id=\"notes\">Notes</h2>"), "{body}");
    assert!(body.contains("<h2 id=\"notes-1\">Notes</h2>"), "{body}");
    let html = site.page("reports/r1/index.html");
    assert!(
        html.contains("<h2 id=\"café-über\">Café – über</h2>"),
        "{}",
        main_of(&html)
    );
    // The table of contents uses the same ids.
    let toc = between(&html, "<nav class=\"toc\"", "</nav>");
    for id in ["findings", "background-and-aims", "notes", "notes-1"] {
        assert!(toc.contains(&format!("href=\"#{id}\"")), "{toc}");
    }
}

#[test]
fn cross_references_and_md_links_become_relative_links() {
    let site = Site::rich();
    site.build_ok(&[]);
    let body = r1_body(&site);
    assert!(
        body.contains("<a href=\"../../tracers/tr/\">the tracer</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"../../reports/r2/#methods\">the methods</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"../../tracers/tr/\">tracer file</a>"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"../../areas/a1/\">an area</a>"),
        "{body}"
    );
    assert!(!body.contains(".md\""), "{body}");
    assert!(!body.contains("@tracer"), "{body}");
    // One level deep (a free page), the same references climb one folder.
    let about = site.page("about/index.html");
    assert!(
        about.contains("<a href=\"../reports/r1/#findings\">its findings</a>"),
        "{}",
        main_of(&about)
    );
}

#[test]
fn code_blocks_are_highlighted_with_classes_only() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("reports/r1/index.html");
    let code = between(
        &html,
        "<pre class=\"code\" role=\"region\" tabindex=\"0\" aria-label=\"Code: rust\"><code class=\"language-rust\">",
        "</pre>",
    );
    assert!(code.contains("<span class=\"hl-"), "{code}");
    assert!(code.contains(">fn</span>"), "{code}");
    assert!(code.contains(">main</span>"), "{code}");
    for (path, page) in html_files(&site.out()) {
        assert!(!page.contains(" style=\""), "{path} has an inline style");
    }
    assert!(site.exists("static/syntax.css"));
}

#[test]
fn glossary_terms_get_abbr_on_first_use_only() {
    let site = Site::rich();
    site.build_ok(&[]);
    let body = r1_body(&site);
    assert_eq!(body.matches("<abbr").count(), 1, "{body}");
    assert!(
        body.contains(
            "<a class=\"term\" href=\"../../glossary/#term-ccg\"><abbr title=\"clinical commissioning group\">CCG</abbr></a> met twice. Later the CCG met again."
        ),
        "{body}"
    );
    let glossary = site.page("glossary/index.html");
    assert!(has_id(&glossary, "term-ccg"), "{glossary}");
    assert!(has_id(&glossary, "term-cmo"), "{glossary}");
    // see_also links to the other entry.
    let ccg = between(&glossary, "id=\"term-ccg\"", "</div>");
    assert!(ccg.contains("href=\"#term-cmo\""), "{ccg}");
}

#[test]
fn footnotes_tables_and_task_lists_render() {
    let site = Site::rich();
    site.build_ok(&[]);
    let body = r1_body(&site);
    assert!(
        body.contains("<table><thead><tr><th>Col A</th><th>Col B</th></tr></thead>"),
        "{body}"
    );
    assert!(body.contains("<td>1</td><td>2</td>"), "{body}");
    // Task-list items say whether they are done, in words for screen readers.
    assert!(
        body.contains("<span class=\"visually-hidden\">Done:</span> done"),
        "{body}"
    );
    assert!(
        body.contains("<span class=\"visually-hidden\">To do:</span> open"),
        "{body}"
    );
    let reference = between(&body, "<sup class=\"footnote-reference\">", "</sup>");
    let target = attrs(reference, "href").remove(0);
    let id = target
        .strip_prefix('#')
        .expect("a footnote link is a fragment");
    let definition = between(&body, &format!("<li id=\"{id}\">"), "</li>");
    assert!(definition.contains("The footnote text."), "{definition}");
}

#[test]
fn citations_are_formatted_with_a_reference_list() {
    let site = Site::rich();
    site.build_ok(&[]);
    let html = site.page("reports/r1/index.html");
    let body = r1_body(&site);
    assert!(
        body.contains("<span class=\"citation\">(Smith, 2013, p. 3)</span>"),
        "{body}"
    );
    assert!(body.contains("Jones"), "{body}");
    assert!(!body.contains("@smith2013"), "{body}");
    let refs = between(
        &html,
        "<section aria-labelledby=\"references\">",
        "</section>",
    );
    assert!(
        refs.contains("<h2 id=\"references\">References</h2>"),
        "{refs}"
    );
    let smith = between(refs, "<li id=\"ref-smith2013\">", "</li>");
    assert!(smith.contains("Commissioning in Practice"), "{smith}");
    assert!(smith.contains("2013"), "{smith}");
    let jones = between(refs, "<li id=\"ref-jones2015\">", "</li>");
    assert!(jones.contains("Tracers and Systems"), "{jones}");
    // R2 cites nothing and has no reference list.
    let r2 = site.page("reports/r2/index.html");
    assert!(!has_id(&r2, "references"), "{}", main_of(&r2));
}

// ---------------------------------------------------------------------------------------------
// Hosting under a sub-path.
// ---------------------------------------------------------------------------------------------

const SUB_BASE: &str = "https://www.example.ac.uk/research/hsca12/";
const SUB_PATH: &str = "/research/hsca12/";

#[test]
fn sub_path_build_has_no_root_absolute_urls() {
    let site = Site::rich();
    site.build_ok(&["--base-url", SUB_BASE]);
    let pages = html_files(&site.out());
    assert!(pages.len() > 20, "{}", pages.len());
    for (path, html) in &pages {
        for name in ["href", "src", "action", "srcset", "poster", "data"] {
            for value in attrs(html, name) {
                // The 404 page is served at any depth: its links start from the site's path.
                if path.as_str() == "404.html" && value.starts_with(SUB_PATH) {
                    continue;
                }
                assert!(
                    !value.starts_with('/'),
                    "{path}: {name}=\"{value}\" is root-absolute (or protocol-relative)"
                );
            }
        }
    }
    // Canonical links use the absolute base URL of this build, not site.yaml's.
    let r1 = site.page("reports/r1/index.html");
    assert!(
        r1.contains("<link rel=\"canonical\" href=\"https://www.example.ac.uk/research/hsca12/reports/r1/\">"),
        "{r1}"
    );
    for (path, html) in &pages {
        for canonical in html
            .split("<link rel=\"canonical\" href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
        {
            assert!(canonical.starts_with(SUB_BASE), "{path}: {canonical}");
        }
    }
    let sitemap = site.page("sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap())
        .collect();
    assert!(locs.len() > 20, "{sitemap}");
    for loc in &locs {
        assert!(loc.starts_with(SUB_BASE), "{loc}");
    }
    assert!(locs.contains(&"https://www.example.ac.uk/research/hsca12/reports/r1/"));
    let atom = site.page("atom.xml");
    assert!(!atom.contains("research/t/"), "{atom}");
    assert!(atom.contains("https://www.example.ac.uk/research/hsca12/reports/r1/"));
    assert!(!site.exists("robots.txt"), "robots.txt under a sub-path");
}

/// A tiny static file server: `prefix` (ending in `/`) maps to `root`; anything else is 404.
/// Directories are served only with a trailing slash, as `index.html`.
fn serve(root: PathBuf, prefix: &'static str) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            if reader.read_line(&mut request).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                match reader.read_line(&mut header) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if header == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            let target = request.split_whitespace().nth(1).unwrap_or("/");
            let file = target
                .strip_prefix(prefix)
                .filter(|rest| !rest.split('/').any(|s| s == ".." || s == "."))
                .map(|rest| {
                    let rest = realist::check::links::percent_decode(rest);
                    if rest.is_empty() || rest.ends_with('/') {
                        root.join(rest).join("index.html")
                    } else {
                        root.join(rest)
                    }
                });
            let (status, body) = match file.filter(|f| f.is_file()).map(std::fs::read) {
                Some(Ok(bytes)) => ("200 OK", bytes),
                _ => ("404 Not Found", b"not found".to_vec()),
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    addr
}

/// GET `path` from the server: (status code, body).
fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect to the test server");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_string());
    (status, body)
}

/// Resolves a relative URL reference (without fragment or query) against an absolute URL path.
fn resolve_url(page: &str, href: &str) -> String {
    if href.is_empty() {
        return page.to_string();
    }
    let mut segments: Vec<&str> = page.split('/').collect();
    segments.pop();
    let parts: Vec<&str> = href.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *part {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > 1 {
                    segments.pop();
                }
                if last {
                    segments.push("");
                }
            }
            other => segments.push(other),
        }
    }
    segments.join("/")
}

#[test]
fn url_resolution_follows_rfc_3986() {
    let page = "/research/hsca12/reports/r1/";
    assert_eq!(
        resolve_url(page, "../../tracers/tr/"),
        "/research/hsca12/tracers/tr/"
    );
    assert_eq!(resolve_url(page, "./"), page);
    assert_eq!(resolve_url(page, ""), page);
    assert_eq!(resolve_url(page, "../.."), "/research/hsca12/");
    assert_eq!(
        resolve_url("/research/hsca12/", "static/style.css"),
        "/research/hsca12/static/style.css"
    );
    assert_eq!(
        resolve_url("/research/hsca12/404.html", "./"),
        "/research/hsca12/"
    );
}

fn is_external(href: &str) -> bool {
    match (href.find(':'), href.find(['/', '?', '#'])) {
        (Some(colon), None) => colon > 0,
        (Some(colon), Some(other)) => colon > 0 && colon < other,
        _ => false,
    }
}

#[test]
fn every_internal_link_resolves_when_served_under_the_sub_path() {
    let site = Site::rich();
    site.build_ok(&["--base-url", SUB_BASE]);
    let addr = serve(site.out(), SUB_PATH);

    // The server really is mounted at the sub-path only.
    assert_eq!(get(addr, SUB_PATH).0, 200);
    assert_eq!(get(addr, "/reports/r1/").0, 404);
    assert_eq!(get(addr, "/research/hsca12/reports/r1").0, 404);

    let mut fetched: HashMap<String, (u16, String)> = HashMap::new();
    let mut checked = 0;
    for (rel, html) in html_files(&site.out()) {
        let page_url = format!(
            "{SUB_PATH}{}",
            rel.strip_suffix("index.html").unwrap_or(&rel)
        );
        let mut seen = HashSet::new();
        for href in ["href", "src", "action"]
            .iter()
            .flat_map(|name| attrs(&html, name))
        {
            if is_external(&href) || !seen.insert(href.clone()) {
                continue;
            }
            // The 404 page is served at any depth: its links start from the site's path.
            let rooted = rel == "404.html" && href.starts_with(SUB_PATH);
            assert!(
                rooted || !href.starts_with('/'),
                "{rel}: root-absolute {href}"
            );
            let (rest, fragment) = href
                .split_once('#')
                .map_or((href.as_str(), None), |(p, f)| (p, Some(f)));
            let path_part = rest.split('?').next().unwrap();
            let target = match rooted {
                true => path_part.to_string(),
                false => resolve_url(&page_url, path_part),
            };
            assert!(
                target.starts_with(SUB_PATH),
                "{rel}: {href} leaves the sub-path ({target})"
            );
            let (status, body) = fetched
                .entry(target.clone())
                .or_insert_with(|| get(addr, &target))
                .clone();
            assert_eq!(status, 200, "{rel}: {href} → {target} is not served");
            if let Some(fragment) = fragment.filter(|f| !f.is_empty() && *f != "top") {
                let fragment = realist::check::links::percent_decode(fragment);
                assert!(
                    has_id(&body, &fragment),
                    "{rel}: {href} → {target} has no id {fragment:?}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} links checked");
}

// ---------------------------------------------------------------------------------------------
// Determinism and the atomic swap.
// ---------------------------------------------------------------------------------------------

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn two_builds_are_byte_identical() {
    let site = Site::rich();
    let outs = tempfile::tempdir().unwrap();
    let a = outs.path().join("a");
    let b = outs.path().join("b");
    site.build_ok(&["--out", a.to_str().unwrap()]);
    site.build_ok(&["--out", b.to_str().unwrap()]);
    let tree_a = tree(&a);
    assert!(tree_a.len() > 30, "{}", tree_a.len());
    assert_same_tree(&tree_a, &tree(&b));
    assert!(!site.out().exists(), "--out was not used");
}

/// Asserts that beside the output folder `name` in `parent` there is nothing but the output: no
/// `.NAME.building-*` folder of an unfinished build, and no second copy of the site.
fn assert_no_staging_left(parent: &Path, name: &str) {
    let stray: Vec<String> = entries(parent).into_iter().filter(|e| e != name).collect();
    assert!(stray.is_empty(), "stray files beside the output: {stray:?}");
}

/// Builds the rich site into a fresh folder, breaks it with `break_site`, builds again, and checks
/// that the second build failed and left the first output (and its parent folder) as they were.
fn assert_failed_build_keeps_output(break_site: impl FnOnce(&Site)) {
    let site = Site::rich();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("site");
    let out_arg = out.to_str().unwrap();
    site.build_ok(&["--out", out_arg]);
    let before = tree(&out);
    assert!(before.len() > 30);

    break_site(&site);
    let run = site.build(&["--out", out_arg]);
    run.assert_site_errors();
    assert!(!run.stdout.contains("Built"), "{run:?}");
    assert_same_tree(&before, &tree(&out));
    assert_no_staging_left(parent.path(), "site");
    assert_eq!(
        entries(site.root()),
        ["content", "site.yaml"],
        "stray files in the site root"
    );
}

#[test]
fn a_build_that_fails_while_loading_leaves_the_previous_output_untouched() {
    assert_failed_build_keeps_output(|site| {
        site.edit(
            "content/reports/r1.md",
            "date: \"2017-06\"",
            "date: \"2017-13\"",
        )
    });
}

#[test]
fn a_build_that_fails_after_rendering_leaves_the_previous_output_untouched() {
    // A broken anchor is only found by the link checker, after every page has been written to the
    // staging folder.
    assert_failed_build_keeps_output(|site| {
        site.edit(
            "content/reports/r2.md",
            "Methods text.",
            "Methods text. See [gone](@report/r1#no-such-section).",
        );
    });
}

#[test]
fn a_successful_build_replaces_the_whole_output() {
    let site = Site::rich();
    site.build_ok(&[]);
    assert!(site.exists("about/index.html"));
    std::fs::write(site.out().join("mine.txt"), "not realist's").unwrap();
    site.remove("content/pages/about.md");
    site.build_ok(&[]);
    assert!(
        !site.exists("about/index.html"),
        "a removed page is still published"
    );
    assert!(
        !site.out().join("about").exists(),
        "the removed page's folder is left"
    );
    assert!(
        site.exists("mine.txt"),
        "a file realist did not write was deleted"
    );
    assert!(site.exists("reports/r1/index.html"));
    let stray: Vec<String> = entries(site.root())
        .into_iter()
        .filter(|e| !["content", "site.yaml", "public"].contains(&e.as_str()))
        .collect();
    assert!(stray.is_empty(), "stray files in the site root: {stray:?}");
}

#[test]
fn a_folder_that_realist_did_not_build_is_never_emptied() {
    let site = Site::rich();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("documents");
    std::fs::create_dir_all(out.join("notes")).unwrap();
    std::fs::write(out.join("notes/keep.txt"), "mine").unwrap();
    let run = site.build(&["--out", out.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("has no .realist-manifest"), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(out.join("notes/keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(entries(&out), ["notes"]);
    assert_no_staging_left(parent.path(), "documents");

    // An empty folder, or one realist built, is fine.
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    site.build_ok(&["--out", out.to_str().unwrap()]);
    site.build_ok(&["--out", out.to_str().unwrap()]);
}

/// Each file of the output, by its inode number: a file that was written again has a new one.
fn inodes(dir: &Path) -> BTreeMap<String, u64> {
    use std::os::unix::fs::MetadataExt;
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, e.metadata().unwrap().ino())
        })
        .collect()
}

#[test]
fn a_rebuild_updates_the_output_in_place_and_rewrites_only_the_files_that_changed() {
    let site = Site::rich();
    site.build_ok(&[]);
    let first = inodes(&site.out());
    assert!(first.len() > 30, "{}", first.len());

    // Unchanged: nothing is written again, and nothing but the output is left beside it.
    site.build_ok(&[]);
    assert_eq!(
        inodes(&site.out()),
        first,
        "an unchanged rebuild rewrote files"
    );
    assert_eq!(entries(site.root()), ["content", "public", "site.yaml"]);

    // One report's body: its own page changes, the pages that do not show it are not rewritten.
    site.edit(
        "content/reports/r1.md",
        "The CCG met twice.",
        "The CCG met three times.",
    );
    site.build_ok(&[]);
    let third = inodes(&site.out());
    assert!(site
        .page("reports/r1/index.html")
        .contains("met three times."));
    assert_ne!(
        third["reports/r1/index.html"],
        first["reports/r1/index.html"]
    );
    let rewritten: Vec<&String> = third
        .iter()
        .filter(|(rel, ino)| first.get(*rel) != Some(*ino))
        .map(|(rel, _)| rel)
        .collect();
    assert!(
        rewritten.len() < first.len() / 4,
        "a one-paragraph edit rewrote {} of {} files: {rewritten:?}",
        rewritten.len(),
        first.len()
    );
    assert_eq!(third["static/style.css"], first["static/style.css"]);
    assert_eq!(entries(site.root()), ["content", "public", "site.yaml"]);
}

#[test]
fn check_writes_nothing() {
    let site = Site::rich();
    let run = site.check(&[]);
    run.assert_ok();
    assert!(run.stdout.starts_with("Checked "), "{run:?}");
    assert!(!site.out().exists());
    assert_eq!(entries(site.root()), ["content", "site.yaml"]);
}

// ---------------------------------------------------------------------------------------------
// Drafts and confidential reports.
// ---------------------------------------------------------------------------------------------

const DRAFT_CMO: &str = "cmos:
  - id: dc
    title: DC
    kind: anticipated
    programme_theory: [theory/pt]
    context: [{text: c}]
    mechanism: {text: m}
    outcome: [{text: o, status: anticipated, valence: positive, intended: true}]
    status: initial
";

fn with_report(status: &str, id: &str) -> Site {
    let report = commissioning_report("Unpublished", status, "## Section {#section}\nbody\n")
        .replacen(
            "summary: [k]\n",
            &format!(
                "summary: [k]\n{}",
                DRAFT_CMO.replace("dc", &format!("{id}-cmo"))
            ),
            1,
        );
    Site::with(&[(&format!("content/reports/{id}.md"), &report)])
}

/// Whether any output file mentions `needle`.
fn output_mentions(site: &Site, needle: &str) -> Vec<String> {
    tree(&site.out())
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains(needle))
        .map(|(p, _)| p)
        .collect()
}

#[test]
fn drafts_are_built_only_with_drafts() {
    let site = with_report("draft", "dr");
    site.build_ok(&[]);
    assert!(site.exists("reports/r1/index.html"));
    assert!(!site.exists("reports/dr/index.html"));
    assert!(!site.exists("cmos/dr-cmo/index.html"));
    assert_eq!(output_mentions(&site, "Unpublished"), Vec::<String>::new());
    assert_eq!(output_mentions(&site, "reports/dr/"), Vec::<String>::new());

    let run = site.build_ok(&["--drafts"]);
    assert!(run.stdout.contains("2 reports"), "{run:?}");
    let html = site.page("reports/dr/index.html");
    assert!(html.contains("<h1 id=\"page-title\">Unpublished</h1>"));
    assert!(site.exists("cmos/dr-cmo/index.html"));
    assert!(site
        .page("reports/index.html")
        .contains("href=\"../reports/dr/\""));
}

#[test]
fn a_link_to_a_draft_is_an_error_without_drafts() {
    let site = with_report("draft", "dr");
    site.edit(
        "content/reports/r1.md",
        "text\n",
        "text\n\nSee [the draft](@report/dr).\n",
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    let r1 = site.source("content/reports/r1.md");
    run.assert_error_help(
        "`report/dr` is a draft",
        &loc("content/reports/r1.md", &r1, "[the draft]"),
        "--drafts",
    );
    assert!(!site.out().exists());
    let run = site.build(&["--drafts"]);
    run.assert_ok();
    assert!(site
        .page("reports/r1/index.html")
        .contains("<a href=\"../../reports/dr/\">the draft</a>"));
}

#[test]
fn confidential_reports_are_never_built() {
    let site = with_report("confidential", "secret");
    for args in [&[][..], &["--drafts"][..]] {
        site.build_ok(args);
        assert!(!site.exists("reports/secret/index.html"), "{args:?}");
        assert!(!site.exists("cmos/secret-cmo/index.html"), "{args:?}");
        assert_eq!(
            output_mentions(&site, "Unpublished"),
            Vec::<String>::new(),
            "{args:?}"
        );
        assert_eq!(
            output_mentions(&site, "secret"),
            Vec::<String>::new(),
            "{args:?}"
        );
    }
}

#[test]
fn a_link_to_a_confidential_report_is_an_error_even_with_drafts() {
    let site = with_report("confidential", "secret");
    site.edit(
        "content/reports/r1.md",
        "text\n",
        "text\n\nSee [it](@report/secret).\n",
    );
    let r1 = site.source("content/reports/r1.md");
    for args in [&[][..], &["--drafts"][..]] {
        let run = site.build(args);
        run.assert_site_errors();
        run.assert_error(
            "`report/secret` is confidential",
            &loc("content/reports/r1.md", &r1, "[it]"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The summary line, warnings, --out.
// ---------------------------------------------------------------------------------------------

#[test]
fn build_ends_with_a_summary_line() {
    let site = Site::rich();
    let run = site.build_ok(&[]);
    let line = run.stdout.trim_end();
    assert_eq!(line.lines().count(), 1, "{run:?}");
    let rest = line.strip_prefix("Built ").expect(line);
    let (count, rest) = rest.split_once(" pages (").expect(line);
    let count: usize = count.parse().expect(line);
    let (kinds, rest) = rest.split_once(") with 0 warnings in ").expect(line);
    let seconds = rest.strip_suffix(" s").expect(line);
    assert!(seconds.parse::<f64>().is_ok(), "{line}");
    for kind in [
        "2 reports",
        "3 CMO configurations",
        "2 tracers",
        "2 study areas",
    ] {
        assert!(kinds.contains(kind), "{line}");
    }
    // One page of a kind is counted in the singular ("1 study", never "1 studies").
    let ones: Vec<&str> = kinds.split(", ").filter(|k| k.starts_with("1 ")).collect();
    assert!(
        !ones.is_empty(),
        "the rich site has a kind with one page: {line}"
    );
    assert!(ones.iter().all(|k| !k.ends_with('s')), "{line}");
    let pages = html_files(&site.out()).len();
    assert_eq!(count, pages, "{line}: the output holds {pages} HTML pages");
    assert_eq!(run.stderr, "", "{run:?}");
}

#[test]
fn warnings_are_counted_and_fail_only_with_deny_warnings() {
    let site = Site::minimal();
    // A local image: one from another host would add a warning of its own.
    site.write("static/chart.png", b"\x89PNG\r\n\x1a\n");
    site.edit(
        "content/reports/r1.md",
        "text\n",
        "text\n\n![](../../static/chart.png)\n",
    );
    let run = site.build(&[]);
    run.assert_ok();
    assert!(run.stdout.contains("with 1 warning in"), "{run:?}");
    let warnings: Vec<Diag> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning")
        .collect();
    assert_eq!(warnings.len(), 1, "{run:?}");
    let r1 = site.source("content/reports/r1.md");
    assert_eq!(warnings[0].message, "image without alternative text");
    assert_eq!(
        warnings[0].location,
        loc("content/reports/r1.md", &r1, "![](../../static/chart.png)")
    );

    let before = tree(&site.out());
    let run = site.build(&["--deny-warnings"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_same_tree(&before, &tree(&site.out()));
}

#[test]
fn a_large_matrix_links_every_cmo_once_and_lists_only_the_unplaced_ones_in_full() {
    // Above 2,000 CMOs the table under the matrix lists only what no cell shows.
    let n = 2000;
    let mut r2 = R1
        .replace("title: R1", "title: R2")
        .replace("report/r1#findings", "report/r2#findings");
    let cmos: String = (0..n)
        .map(|i| {
            format!(
                "  - {{id: m{i}, title: M{i}, kind: observed, programme_theory: [theory/pt], \
                 context: [{{text: c}}], mechanism: {{text: m}}, outcome: [{{text: o, status: observed, \
                 valence: positive, intended: true}}], evidence: [{{kind: interview, source: \"report/r2\"}}], \
                 confidence: {{level: low, rationale: r}}, status: supported}}\n"
            )
        })
        .collect();
    let start = r2.find("  - id: c1").unwrap();
    let end = r2.find("---\n## Findings").unwrap();
    r2.replace_range(start..end, &cmos);
    let unplaced = standalone_cmo("loose", "").replace("areas: [area/a1]\n", "");
    let mut files = minimal_files();
    files.push(("content/reports/r2.md", r2));
    files.push(("content/cmos/loose.md", unplaced));
    let site = Site::from_files(&files);
    site.build_ok(&[]);
    let html = site.page("cmos/index.html");
    assert!(
        html.contains(&format!("{} configurations in all", n + 2)),
        "lead"
    );
    // Every placed CMO is linked from a cell.
    let (_, rows) = matrix(&html);
    let linked: usize = rows.values().flatten().map(Vec::len).sum();
    assert_eq!(linked, n + 1);
    // The table under the matrix has the one CMO no cell shows, and points at the exports.
    let below = html
        .split("id=\"all-cmos\"")
        .nth(1)
        .expect("a section under the matrix");
    assert!(
        below.contains("Configurations outside the tables"),
        "{below}"
    );
    assert!(below.contains("href=\"../exports/cmos.csv\""), "{below}");
    let listed = attrs(between(below, "<tbody>", "</tbody>"), "href");
    assert_eq!(listed, ["../cmos/loose/", "../tracers/tr/"], "{listed:?}");
}

/// A front matter with thousands of entries (20,000 authors, one a line) builds in a time that
/// grows with its length, not with its square (locating each value used to scan the file from its top).
#[test]
fn a_report_with_twenty_thousand_authors_builds_quickly() {
    let site = Site::minimal();
    let authors: String = (0..20000)
        .map(|i| format!("  - name: \"Author Number{i}\"\n"))
        .collect();
    site.edit(
        "content/reports/r1.md",
        "authors: [{name: A}]\n",
        &format!("authors:\n{authors}"),
    );
    let started = std::time::Instant::now();
    site.build_ok(&[]);
    let took = started.elapsed();
    assert!(took.as_secs_f64() < 5.0, "took {took:?}");
    assert!(site
        .page("reports/r1/index.html")
        .contains("Author Number19999"));
}
