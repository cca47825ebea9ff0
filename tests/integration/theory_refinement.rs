//! Programme theories' refinement trails, demi-regularities (`pattern`) and theme syntheses: their
//! pages, the backlinks they give, and the mistakes `realist` reports in them: a trail out of date
//! order, an instance named twice, an anchor a field would drop, and a missing anchor of what
//! prompted a refinement, each located in the file that wrote it.

use crate::common::*;

const THEORY_PATH: &str = "content/theories/pt.md";

/// The minimal theory, refined twice; the first step prompted by CMO `c1`.
const REFINED_THEORY: &str = r#"---
title: PT
study: study/s
statement: {if: first-if, then: first-then, because: first-because}
status: untested
refinements:
  - date: 2017-06
    statement: {if: second-if, then: second-then, because: second-because}
    prompted_by: [cmo/c1]
    note: adds reciprocity
  - date: 2018
    statement: {if: third-if, then: third-then, because: third-because}
---
"#;

fn refined_site() -> Site {
    let site = Site::minimal();
    site.write(THEORY_PATH, REFINED_THEORY);
    site
}

#[test]
fn a_theory_page_shows_its_trail_in_order_with_what_prompted_each_step() {
    let site = refined_site();
    site.build_ok(&[]);
    let page = site.page("theories/pt/index.html");
    let trail = between(&page, "<section class=\"theory-trail\"", "</section>");
    let order = [
        "<h3>Initial statement</h3>",
        "first-if",
        "<h3>Refined, June 2017</h3>",
        "second-if",
        "adds reciprocity",
        "<h3>Refined, 2018 <strong class=\"trail-badge\">current</strong></h3>",
        "third-if",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|s| {
            trail
                .find(s)
                .unwrap_or_else(|| panic!("{s:?} missing from {trail}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}\n{trail}");
    assert_eq!(trail.matches("trail-badge").count(), 1, "{trail}");
    // Each step is a list item of an ordered list, under the page's own heading.
    assert_eq!(trail.matches("<li").count(), 3, "{trail}");
    assert!(trail.contains("<h2 id=\"theory-trail\">"), "{trail}");
    let prompted = between(trail, "Prompted by:", "</p>");
    assert!(
        prompted.contains("<a href=\"../../cmos/c1/\">C1</a>"),
        "{prompted}"
    );
    // The single statement is not shown again outside the trail.
    let statements = main_of(&page).matches("<dl class=\"statement\">").count();
    assert_eq!(statements, 3, "{page}");
}

#[test]
fn a_theory_never_refined_keeps_its_single_statement() {
    let site = Site::minimal();
    site.build_ok(&[]);
    let page = site.page("theories/pt/index.html");
    assert!(!page.contains("theory-trail"), "{page}");
    assert!(page.contains("<dl class=\"statement\">"), "{page}");
}

#[test]
fn a_cmo_that_prompted_a_refinement_links_back_to_the_theory() {
    let site = refined_site();
    site.build_ok(&[]);
    let page = site.page("cmos/c1/index.html");
    let linked = between(&page, "<section class=\"linked-from\"", "</section>");
    let item = between(linked, "<a href=\"../../theories/pt/\">", "</li>");
    assert!(item.contains("refined in the light of this"), "{linked}");
}

#[test]
fn a_dangling_prompt_of_a_refinement_is_located() {
    let site = refined_site();
    site.edit(
        THEORY_PATH,
        "prompted_by: [cmo/c1]",
        "prompted_by: [cmo/c9]",
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    let text = site.source(THEORY_PATH);
    run.assert_error(
        "`cmo/c9` does not exist",
        &loc(THEORY_PATH, &text, "cmo/c9"),
    );
}

#[test]
fn a_refined_cmo_must_say_what_it_refines() {
    let site = Site::minimal();
    let r1 = site.source("content/reports/r1.md");
    site.write(
        "content/reports/r1.md",
        r1.replace("    kind: observed\n", "    kind: refined\n"),
    );
    let run = site.check(&[]);
    let warning = run
        .diagnostics()
        .into_iter()
        .find(|d| d.message.contains("is refined but refines nothing"))
        .unwrap_or_else(|| panic!("no warning\n{run:?}"));
    assert_eq!(warning.severity, "warning");
    let text = site.source("content/reports/r1.md");
    assert_eq!(
        warning.location,
        loc("content/reports/r1.md", &text, "kind: refined")
    );
    // Prompting a theory's refinement is saying what it refines.
    site.write(THEORY_PATH, REFINED_THEORY);
    let run = site.check(&[]);
    assert!(!run.stderr.contains("refines nothing"), "{run:?}");
}

const PATTERN_PATH: &str = "content/patterns/fragmentation.md";
const PATTERN: &str = "---\ntitle: Fragmentation produces workarounds\n\
statement: Split services are held together by local arrangements.\n\
instances:\n  - of: cmo/c1\n    note: a local fix\n  - of: tracer/tr\n  - of: study/s\n---\nbody text\n";

fn pattern_site() -> Site {
    let site = Site::minimal();
    site.write(PATTERN_PATH, PATTERN);
    site
}

#[test]
fn a_pattern_page_lists_its_instances_with_links_and_notes() {
    let site = pattern_site();
    site.build_ok(&[]);
    let page = site.page("patterns/fragmentation/index.html");
    assert!(page.contains("<h1 id=\"page-title\">Fragmentation produces workarounds</h1>"));
    assert!(page.contains("Split services are held together by local arrangements."));
    let list = between(&page, "<section class=\"pattern-instances\"", "</section>");
    assert!(list.contains("<h2 id=\"pattern-instances\">"), "{list}");
    assert!(list.contains("<ul class=\"link-list\">"), "{list}");
    assert!(
        list.contains("<a href=\"../../cmos/c1/\">C1</a> <span class=\"note\">CMO configuration: a local fix</span>"),
        "{list}"
    );
    assert!(
        list.contains("<a href=\"../../tracers/tr/\">Tr</a>"),
        "{list}"
    );
    assert!(list.contains("<a href=\"../../studies/s/\">"), "{list}");
}

#[test]
fn patterns_have_a_list_page_and_a_menu_entry_only_when_there_are_some() {
    let site = pattern_site();
    site.build_ok(&[]);
    let list = site.page("patterns/index.html");
    assert!(list.contains("Demi-regularities"), "{list}");
    assert!(
        list.contains("href=\"../patterns/fragmentation/\""),
        "{list}"
    );
    assert!(site.page("index.html").contains(">Patterns</a>"));
    let plain = Site::minimal();
    plain.build_ok(&[]);
    assert!(!plain.exists("patterns/index.html"));
    assert!(!plain.page("index.html").contains(">Patterns</a>"));
}

#[test]
fn each_instance_page_links_back_to_the_pattern() {
    let site = pattern_site();
    site.build_ok(&[]);
    for page in [
        "cmos/c1/index.html",
        "tracers/tr/index.html",
        "studies/s/index.html",
    ] {
        let html = site.page(page);
        let linked = between(&html, "<section class=\"linked-from\"", "</section>");
        assert!(
            linked.contains("<a href=\"../../patterns/fragmentation/\">Fragmentation produces workarounds</a> <span class=\"note\">names this as an instance</span>"),
            "{page}: {linked}"
        );
    }
}

#[test]
fn a_dangling_or_wrong_kind_instance_is_located() {
    let site = pattern_site();
    site.edit(PATTERN_PATH, "of: tracer/tr", "of: tracer/trr");
    let run = site.build(&[]);
    run.assert_site_errors();
    let text = site.source(PATTERN_PATH);
    run.assert_error_help(
        "`tracer/trr` does not exist",
        &loc(PATTERN_PATH, &text, "tracer/trr"),
        "did you mean `tracer/tr`?",
    );
    site.edit(PATTERN_PATH, "of: tracer/trr", "of: theory/pt");
    let run = site.build(&[]);
    run.assert_site_errors();
    let text = site.source(PATTERN_PATH);
    let d = run
        .errors()
        .into_iter()
        .find(|d| d.message.contains("theory/pt"));
    let d = d.unwrap_or_else(|| panic!("no error for theory/pt\n{run:?}"));
    assert_eq!(d.location, loc(PATTERN_PATH, &text, "theory/pt"), "{run:?}");
}

#[test]
fn a_trail_out_of_date_order_is_an_error_at_the_later_entrys_date() {
    let site = refined_site();
    site.edit(THEORY_PATH, "date: 2018", "date: 2016-01");
    let run = site.check(&[]);
    let text = site.source(THEORY_PATH);
    run.assert_error_help(
        "this refinement is dated 2016-01, before the one above it (2017-06)",
        &loc(THEORY_PATH, &text, "2016-01"),
        "move this refinement above the older one",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
    // Dates compared at the precision both give: 2017 is not before 2017-06.
    site.edit(THEORY_PATH, "date: 2016-01", "date: 2017");
    site.check(&["--deny-warnings"]).assert_ok();
}

#[test]
fn an_instance_named_twice_is_an_error_at_the_second() {
    let site = pattern_site();
    site.edit(
        PATTERN_PATH,
        "  - of: study/s\n",
        "  - of: study/s\n  - of: cmo/c1\n",
    );
    let run = site.check(&[]);
    let text = site.source(PATTERN_PATH);
    run.assert_error_help(
        "`cmo/c1` is an instance of this pattern already (instance 1)",
        &loc_after(PATTERN_PATH, &text, "of: study/s", "cmo/c1"),
        "remove this instance",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn an_anchor_a_field_would_drop_is_refused_at_the_value() {
    let site = pattern_site();
    site.edit(PATTERN_PATH, "of: study/s", "of: report/r1#no-such");
    site.write("content/sources/x.md", "---\ntitle: X\nyear: 2001\n---\n");
    site.write(
        "content/pages/notes.md",
        "---\ntitle: Notes\neditorial: {summarises: source/x#y}\n---\nNotes.\n",
    );
    let run = site.check(&[]);
    let text = site.source(PATTERN_PATH);
    run.assert_error_help(
        "`instances.of` names a page, not a place in it: `report/r1#no-such` gives the anchor `#no-such`",
        &loc(PATTERN_PATH, &text, "report/r1#no-such"),
        "write `report/r1`",
    );
    let notes = site.source("content/pages/notes.md");
    run.assert_error_help(
        "`editorial` names a page, not a place in it: `source/x#y`",
        &loc("content/pages/notes.md", &notes, "source/x#y"),
        "write `source/x`",
    );
    assert_eq!(run.errors().len(), 2, "{run:?}");
    // Evidence and refinements keep their anchors: the minimal site's evidence cites
    // `report/r1#findings`, and a refinement may too.
    let site = refined_site();
    site.edit(
        THEORY_PATH,
        "prompted_by: [cmo/c1]",
        "prompted_by: [cmo/c1, report/r1#findings]",
    );
    site.build_ok(&["--deny-warnings"]);
}

#[test]
fn a_missing_anchor_of_a_prompt_is_reported_in_the_theory_file() {
    let site = refined_site();
    site.edit(
        THEORY_PATH,
        "prompted_by: [cmo/c1]",
        "prompted_by: [cmo/c1, report/r1#no-anchor]",
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    let text = site.source(THEORY_PATH);
    run.assert_error_help(
        "`prompted_by` names the anchor `#no-anchor` of `report/r1`, but `reports/r1/index.html` has no element with that id",
        &loc(THEORY_PATH, &text, "report/r1#no-anchor"),
        "or leave out the `#…`",
    );
    assert!(!run.stderr.contains("templates/entity.html"), "{run:?}");
}

/// Two theories naming the same missing anchor are each reported at their own file.
#[test]
fn two_theories_naming_one_missing_anchor_are_each_reported_at_their_own_file() {
    let site = refined_site();
    let with_anchor = site.source(THEORY_PATH).replace(
        "prompted_by: [cmo/c1]",
        "prompted_by: [cmo/c1, report/r1#no-anchor]",
    );
    site.write(THEORY_PATH, &with_anchor);
    site.write(
        "content/theories/pt2.md",
        with_anchor.replace("title: ", "title: Second "),
    );
    let run = site.build(&[]);
    let message = "`prompted_by` names the anchor `#no-anchor` of `report/r1`, but `reports/r1/index.html` has no element with that id";
    let mut at: Vec<String> = (run.errors().into_iter())
        .filter(|d| d.message == message)
        .map(|d| d.location)
        .collect();
    at.sort();
    let text = site.source(THEORY_PATH);
    let first = loc(THEORY_PATH, &text, "report/r1#no-anchor");
    let second = first.replace("pt.md", "pt2.md");
    assert_eq!(at, [first, second], "{run:?}");
}

#[test]
fn realist_new_pattern_makes_a_pattern_that_builds() {
    let site = Site::minimal();
    let run = realist(&[
        "new",
        "pattern",
        "payment-dominates",
        "--root",
        site.root().to_str().unwrap(),
    ]);
    run.assert_ok();
    let text = site.source("content/patterns/payment-dominates.md");
    assert!(text.contains("title: \"Payment dominates\""), "{text}");
    site.build_ok(&[]);
    let page = site.page("patterns/payment-dominates/index.html");
    assert!(page.contains("<a href=\"../../studies/s/\">"), "{page}");
}

const THEME_PATH: &str = "content/themes/finance.md";

/// The minimal site with CMO `c1` tagged with theme `finance`.
fn themed_site() -> Site {
    let site = Site::minimal();
    site.edit(
        "content/reports/r1.md",
        "    status: supported\n",
        "    status: supported\n    themes: [finance]\n",
    );
    site
}

#[test]
fn a_theme_synthesis_is_shown_above_the_list() {
    let site = themed_site();
    site.write(
        THEME_PATH,
        "---\ntitle: Finance and contracting\n---\nMoney shaped change ([the CMO](@cmo/c1)).\n",
    );
    site.build_ok(&[]);
    let page = site.page("themes/finance/index.html");
    assert!(
        page.contains("<h1 id=\"page-title\">Finance and contracting</h1>"),
        "{page}"
    );
    let prose = page.find("Money shaped change").expect("the synthesis");
    let list = page.find("id=\"cmo-list\"").expect("the CMO list");
    assert!(prose < list, "{page}");
    assert!(
        page.contains("<a href=\"../../cmos/c1/\">the CMO</a>"),
        "{page}"
    );
    // The theme's title is the synthesis's wherever the theme is linked.
    assert!(site
        .page("cmos/c1/index.html")
        .contains(">Finance and contracting</a>"));
}

#[test]
fn a_synthesis_for_a_theme_nobody_uses_is_an_error_with_a_suggestion() {
    let site = themed_site();
    site.write("content/themes/finanse.md", "---\ntitle: F\n---\nx\n");
    let run = site.build(&[]);
    run.assert_site_errors();
    let d = run.error("theme synthesis for `finanse`");
    assert!(d.location.starts_with("content/themes/finanse.md"), "{d:?}");
    assert_eq!(d.help.as_deref(), Some("did you mean `finance`?"));
}
