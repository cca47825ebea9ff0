//! The accessibility statement's generated lists: what the build found that does not yet conform
//! (`<!-- realist:nonconformities -->`) and what is outside the regulations
//! (`<!-- realist:out-of-scope -->`), in the statement realist writes for a site without one and
//! in a site's own statement.

use crate::common::*;

/// A free page with two tables (one without a leading pipe), a table inside a code block that is
/// not one, an image without alternative text, and links elsewhere.
const DATA_PAGE: &str = "---\ntitle: Data tables\n---\n\
Figures from [the survey](https://www.example.org/survey) and [again](https://www.example.org/more).\n\n\
| a | b |\n|---|---|\n| 1 | 2 |\n\n\
c | d\n:-- | --:\n3 | 4\n\n\
```text\n| not | a table |\n|-----|---------|\n```\n\n\
![](chart.png)\n\nAn image of <https://img.example.net/chart>.\n";

/// A PNG's signature is all the build checks of a raster image.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really";

fn statement_of(site: &Site) -> String {
    main_of(&site.page("accessibility/index.html")).to_string()
}

#[test]
fn the_generated_statement_lists_what_the_build_found_with_links_to_the_pages() {
    let site = Site::rich();
    site.remove("content/pages/accessibility.md");
    site.write("content/pages/data.md", DATA_PAGE);
    site.write("content/pages/chart.png", PNG);
    // An image without alternative text is a warning: the build that accepts it must disclose it.
    let run = site.build_ok(&[]);
    assert!(
        run.stderr.contains("image without alternative text"),
        "{run:?}"
    );
    let html = statement_of(&site);

    let images = between(&html, "Images without a text alternative", "</li>");
    assert!(
        images.contains("1 image on 1 page has no description"),
        "{images}"
    );
    assert!(
        images.contains("<a href=\"../data/\">Data tables</a>"),
        "{images}"
    );

    // R1 has one table, the data page two; the one in a code block is not counted.
    let tables = between(&html, "Tables without a caption", "</li>");
    assert!(
        tables.contains("3 tables in the text of 2 pages have no caption"),
        "{tables}"
    );
    assert!(
        tables.contains("<a href=\"../data/\">Data tables</a> (2)"),
        "{tables}"
    );
    assert!(
        tables.contains("<a href=\"../reports/r1/\">R1</a>"),
        "{tables}"
    );

    // c3 chains to c1 and c2: all three pages draw a diagram.
    let chains = between(&html, "Chain diagrams", "</li>");
    assert!(chains.contains("3 CMO pages draw a diagram"), "{chains}");

    let third = between(&html, "Third-party content.", "</li>");
    assert!(
        third.contains("1 page links to 2 other websites"),
        "{third}"
    );
    assert!(
        third.contains("(img.example.net, www.example.org)"),
        "{third}"
    );
    assert!(
        !html.contains("realist:"),
        "a placeholder was left in the page: {html}"
    );
}

#[test]
fn a_sites_own_statement_gets_the_lists_where_it_puts_the_placeholders() {
    let own = "---\ntitle: Accessibility\n---\nOur words first.\n\n\
## Non-compliance {#non-compliance}\n\n<!-- realist:nonconformities -->\n\nOur words after.\n\n\
## Out of scope {#out-of-scope}\n\n<!-- realist:out-of-scope -->\n";
    let site = Site::with(&[("content/pages/accessibility.md", own)]);
    site.build_ok(&["--deny-warnings"]);
    let html = statement_of(&site);
    let found = between(&html, "id=\"non-compliance\"", "Our words after.");
    assert!(
        found.contains("found no content that does not conform"),
        "a site with no finding says so where the list goes: {found}"
    );
    let scope = between(&html, "id=\"out-of-scope\"", "</ul>");
    assert!(scope.contains("PDF versions."), "{scope}");
    assert!(
        !scope.contains("Third-party content"),
        "the minimal site links nowhere else: {scope}"
    );

    // A table added to a report is listed at the next build, under the site's own heading.
    site.edit(
        "content/reports/r1.md",
        "text\n",
        "text\n\n| x | y |\n|---|---|\n| 1 | 2 |\n",
    );
    site.build_ok(&["--deny-warnings"]);
    let html = statement_of(&site);
    let found = between(&html, "id=\"non-compliance\"", "Our words after.");
    assert!(
        found.contains("1 table in the text of 1 page has no caption"),
        "{found}"
    );
}

#[test]
fn an_unknown_placeholder_is_a_located_warning_and_shows_nothing() {
    let own = "---\ntitle: Accessibility\n---\ntext\n\n<!-- realist:nonconformites -->\n";
    let site = Site::with(&[("content/pages/accessibility.md", own)]);
    let run = site.build(&["--deny-warnings"]);
    assert_eq!(run.code, 1, "{run:?}");
    let found: Vec<Diag> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.message.contains("names no list that realist generates"))
        .collect();
    assert_eq!(found.len(), 1, "{run:?}");
    let d = &found[0];
    assert_eq!(d.location, "content/pages/accessibility.md:6:1", "{d:?}");
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("realist:nonconformities")),
        "{d:?}"
    );
}
