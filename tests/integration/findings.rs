//! Findings first: the CMO page's verdict and causal summary before the detail, a theory's
//! verdict and findings before its body, and the home page's headline findings from
//! `highlights:` in site.yaml (checked like `menu:`), or the latest key points without them.

use crate::common::*;

/// The tracer report R1 with its CMO given `context`, `mechanism` and `outcome` YAML instead.
fn r1_with(context: &str, mechanism: &str, outcome: &str) -> String {
    R1.replace("context: [{text: c}]", &format!("context: {context}"))
        .replace("mechanism: {text: m}", &format!("mechanism: {mechanism}"))
        .replace(
            "outcome: [{text: o, status: observed, valence: positive, intended: true}]",
            &format!("outcome: {outcome}"),
        )
}

#[test]
fn a_cmo_page_opens_with_its_status_and_one_causal_sentence() {
    let report = r1_with(
        "[{text: \"Long waits.\", tags: [fiscal-squeeze]}, {text: B}]",
        "{resource: \"Time with a link worker\", reasoning: \"They felt heard\"}",
        "[{text: \"Fewer visits\", status: observed, valence: positive, intended: true}, \
         {text: \"Lower costs\", status: anticipated, valence: positive, intended: true}]",
    );
    let site = Site::with(&[("content/reports/r1.md", &report)]);
    site.build_ok(&["--deny-warnings"]);
    let main = main_of(&site.page("cmos/c1/index.html")).to_string();
    let text = squash(&strip_tags(&main));
    assert!(
        text.contains(
            "In the context “Long waits” (with one more condition), the resource “Time with a link worker” \
             with the reasoning “They felt heard” led to “Fewer visits”, and was expected to lead to “Lower costs”."
        ),
        "{text}"
    );
    // The status is a badge right after the title, before the summary and the context.
    let title = main.find("id=\"page-title\"").expect("a title");
    let badge = main
        .find("<strong class=\"verdict-badge verdict-supported\">Supported</strong>")
        .unwrap_or_else(|| panic!("{main}"));
    let summary = main.find("class=\"cmo-summary\"").expect("a summary");
    let context = main.find("id=\"context\"").expect("a context");
    let facts = main.find("class=\"facts\"").expect("facts");
    assert!(
        title < badge && badge < summary && summary < context && context < facts,
        "{main}"
    );
    // Tags are shown as words, never as the slug written in the front matter.
    assert!(
        main.contains("<span class=\"tag\">fiscal squeeze</span>"),
        "{main}"
    );
    assert!(!main.contains("fiscal-squeeze"), "{main}");
}

#[test]
fn a_theory_page_gives_its_verdict_and_findings_before_its_body() {
    let theory = THEORY.replace("status: untested", "status: partially-supported")
        + "## Background\n\nWhy the theory was held.\n";
    let site = Site::with(&[("content/theories/pt.md", &theory)]);
    site.build_ok(&["--deny-warnings"]);
    let main = main_of(&site.page("theories/pt/index.html")).to_string();
    let badge = main
        .find("verdict-partially-supported\">Partially supported</strong>")
        .unwrap_or_else(|| panic!("{main}"));
    let statement = main
        .find("<dl class=\"statement\">")
        .expect("the statement");
    let tally = main
        .find("1 CMO configuration tests this theory: 1 supported.")
        .unwrap_or_else(|| panic!("{main}"));
    let finding = main
        .find(">C1</a> <span class=\"verdict-badge verdict-supported\">")
        .expect("C1");
    let body = main.find("Why the theory was held").expect("the body");
    assert!(
        badge < statement && statement < tally && tally < finding && finding < body,
        "{main}"
    );
    // The statement and status are not repeated among the facts.
    let facts = between(&main, "<dl class=\"facts\">", "</dl>");
    assert!(
        !facts.contains("<dt>If</dt>") && !facts.contains("<dt>Status</dt>"),
        "{facts}"
    );
}

#[test]
fn highlights_put_chosen_findings_first_on_the_home_page() {
    let yaml = format!(
        "{SITE_YAML}highlights:\n  - {{link: report/r1#findings, text: \"Link workers built trust\"}}\n  - cmo/c1\n"
    );
    let site = Site::with(&[("site.yaml", &yaml)]);
    site.build_ok(&["--base-url", "https://example.org/sub/", "--deny-warnings"]);
    let main = main_of(&site.page("index.html")).to_string();
    let message = main
        .find("Link workers built trust")
        .unwrap_or_else(|| panic!("{main}"));
    let link = main
        .find("<a href=\"reports/r1/#findings\">R1</a>")
        .expect("the report link");
    let cmo = main
        .find("<a href=\"cmos/c1/\">C1</a> <span class=\"verdict-badge verdict-supported\">Supported</span>")
        .unwrap_or_else(|| panic!("{main}"));
    let counts = main.find("class=\"counts\"").expect("counts");
    assert!(message < link && link < cmo && cmo < counts, "{main}");
    // Counts take the singular for one.
    assert!(
        main.contains("<span class=\"count\">1</span> Report</a>"),
        "{main}"
    );
}

#[test]
fn without_highlights_the_home_page_shows_the_latest_key_points() {
    let site = Site::minimal();
    site.build_ok(&["--deny-warnings"]);
    let main = main_of(&site.page("index.html")).to_string();
    let heading = main
        .find("Key findings from the latest reports")
        .unwrap_or_else(|| panic!("{main}"));
    let point = main
        .find("<p class=\"highlight-text\">k</p>")
        .expect("R1's key point");
    assert!(
        heading < point && point < main.find("class=\"counts\"").unwrap(),
        "{main}"
    );
}

#[test]
fn wrong_highlight_targets_are_errors_in_site_yaml() {
    let yaml = format!(
        "{SITE_YAML}menu: [page/accessibility]\nhighlights:\n  - cmo/c9\n  - {{link: report/r9, text: X}}\n  - cmo/c1\n"
    );
    let site = Site::with(&[("site.yaml", &yaml)]);
    let run = site.build(&[]);
    run.assert_site_errors();
    run.assert_error(
        "`cmo/c9` does not exist",
        &loc("site.yaml", &yaml, "cmo/c9"),
    );
    run.assert_error(
        "`report/r9` does not exist",
        &loc("site.yaml", &yaml, "report/r9"),
    );
    assert_eq!(run.errors().len(), 2, "{run:?}");
    // Not a reference, or an empty message: an error at its place.
    for (entry, at, says) in [
        ("  - c1\n", "c1", "such as `cmo/some-id`"),
        (
            "  - {link: cmo/c1, text: \" \"}\n",
            "cmo/c1",
            "has an empty `text`",
        ),
    ] {
        let yaml = format!("{SITE_YAML}highlights:\n{entry}");
        let site = Site::with(&[("site.yaml", &yaml)]);
        let run = site.build(&[]);
        assert_eq!(run.code, 1, "{run:?}");
        let error = run.errors().remove(0);
        assert!(error.message.contains(says), "{run:?}");
        // On the entry's line (the column is the value's or the key's, as the parser says).
        let line = |l: &str| l.rsplit_once(':').map(|(a, _)| a.to_owned());
        assert_eq!(
            line(&error.location),
            line(&loc("site.yaml", &yaml, at)),
            "{run:?}"
        );
    }
}

/// The text of some HTML, without its tags.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// White space folded to single spaces.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
