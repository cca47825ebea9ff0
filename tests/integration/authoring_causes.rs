//! Root causes first, no cascades: each mistake is reported once, where it is written, before what
//! it caused, and the summary line counts what was listed.
//!
//! 1. the summary line and `--deny-warnings`;
//! 2. the bibliography (a syntax error, a wrong `csl:`, a missing file) without unknown-key cascades;
//! 3. files that fail to load, duplicate ids and generated-section collisions, each once;
//! 4. safe suggestions, anchors as written, template errors at their line;
//! 5. the link checker reads HTML as HTML; drafts never block the build; Vancouver prints authors;
//! 6. a site with several mistakes across files, all reported at once, root causes first.

use crate::common::*;

const R1_PATH: &str = "content/reports/r1.md";

/// The bibliography of the tests: two entries.
const BIB: &str = "@book{smith2013,
  author = {Smith, Jane},
  title = {Commissioning in Practice},
  publisher = {Policy Press},
  year = {2013}
}
@article{jones2015,
  author = {Jones, Amir and Patel, Ravi},
  title = {Tracers and Systems},
  journal = {Journal of Health Services},
  volume = {12},
  pages = {1--10},
  year = {2015}
}
";

const BIB_SITE_YAML: &str = "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nbibliography: content/references.bib\n";

/// The minimal site with a bibliography, and R1's body citing both of its keys.
fn cited_site(site_yaml: &str, bib: Option<&str>) -> Site {
    let site = Site::with(&[("site.yaml", site_yaml)]);
    if let Some(bib) = bib {
        site.write("content/references.bib", bib);
    }
    site.edit(
        R1_PATH,
        "text\n",
        "text\n\nAs argued [@smith2013, p. 3] and by @jones2015.\n",
    );
    site
}

/// The last line of stderr: the summary.
fn summary(run: &Run) -> &str {
    run.stderr.lines().last().unwrap_or("")
}

/// Asserts that no diagnostic says `phrase`.
fn never_says(run: &Run, phrase: &str) {
    assert!(
        run.diagnostics()
            .iter()
            .all(|d| !d.message.contains(phrase)),
        "no diagnostic should say {phrase:?}\n{run:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// 1. The summary line.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_summary_counts_what_is_listed_in_correct_english() {
    let site = Site::minimal();
    site.edit(R1_PATH, "tracer: tracer/tr", "tracer: tracer/nope");
    let run = site.build(&[]);
    run.assert_site_errors();
    assert_eq!(run.diagnostics().len(), 1, "{run:?}");
    assert!(summary(&run).starts_with("1 error found"), "{run:?}");
    site.edit(R1_PATH, "areas: [area/a1]", "areas: [area/nope]");
    let run = site.build(&[]);
    assert_eq!(run.diagnostics().len(), 2, "{run:?}");
    assert!(summary(&run).starts_with("2 errors found"), "{run:?}");
}

#[test]
fn deny_warnings_shows_and_counts_warnings_as_errors() {
    let site = Site::minimal();
    site.edit(R1_PATH, "text\n", "text\n\n<div>raw</div>\n");
    let run = site.build(&[]);
    run.assert_ok();
    let warnings = run.diagnostics().len();
    assert!(warnings >= 1, "{run:?}");
    let run = site.build(&["--deny-warnings"]);
    run.assert_site_errors();
    assert!(
        run.diagnostics().iter().all(|d| d.severity == "error"),
        "{run:?}"
    );
    let expected = format!(
        "{warnings} error{} found",
        if warnings == 1 { "" } else { "s" }
    );
    assert!(summary(&run).starts_with(&expected), "{run:?}");
}

#[test]
fn errors_and_warnings_are_both_counted() {
    let site = Site::minimal();
    site.edit(
        R1_PATH,
        "text\n",
        "text\n\n<div>raw</div>\n\nSee [x](@tracer/nope).\n",
    );
    let run = site.build(&[]);
    let (errors, warnings) =
        run.diagnostics()
            .iter()
            .fold((0, 0), |(e, w), d| match d.severity.as_str() {
                "error" => (e + 1, w),
                _ => (e, w + 1),
            });
    assert_eq!(errors, 1, "{run:?}");
    let expected = format!(
        "1 error and {warnings} warning{} found",
        if warnings == 1 { "" } else { "s" }
    );
    assert!(summary(&run).starts_with(&expected), "{run:?}");
}

// ---------------------------------------------------------------------------------------------
// 2. The bibliography.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_bibtex_syntax_error_is_reported_first_without_unknown_key_cascades() {
    let broken = BIB.replace(
        "title = {Commissioning in Practice},",
        "title = {Commissioning in Practice}",
    );
    let site = cited_site(BIB_SITE_YAML, Some(&broken));
    let run = site.build(&[]);
    run.assert_site_errors();
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert_eq!(errors[0].location, "content/references.bib:4:3", "{run:?}");
    never_says(&run, "unknown citation key");
}

#[test]
fn a_key_in_no_entry_is_still_unknown_when_the_bibliography_is_broken() {
    let broken = BIB.replace("year = {2013}\n}", "year = {2013}\n");
    let site = cited_site(BIB_SITE_YAML, Some(&broken));
    site.edit(R1_PATH, "@jones2015.", "@jones2015 and [@nobody2020].");
    let run = site.build(&[]);
    let errors = run.errors();
    assert!(
        errors[0].location.starts_with("content/references.bib"),
        "{run:?}"
    );
    run.error("unknown citation key `@nobody2020`");
    assert!(!run.stderr.contains("`@smith2013`"), "{run:?}");
}

#[test]
fn a_wrong_csl_name_is_reported_at_its_line_in_site_yaml_only() {
    let yaml = format!("{BIB_SITE_YAML}csl: vancuver\n");
    let site = cited_site(&yaml, Some(BIB));
    let run = site.build(&[]);
    run.assert_site_errors();
    run.assert_error_help(
        "unknown citation style \"vancuver\"",
        &loc("site.yaml", &yaml, "vancuver"),
        "\"vancouver\"",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn a_missing_bibliography_file_is_one_error_in_site_yaml() {
    let site = cited_site(BIB_SITE_YAML, None);
    let run = site.build(&[]);
    run.assert_site_errors();
    assert_eq!(run.errors().len(), 1, "{run:?}");
    run.assert_error(
        "the bibliography `content/references.bib` that site.yaml names does not exist",
        &loc("site.yaml", BIB_SITE_YAML, "content/references.bib"),
    );
    never_says(&run, "unknown citation key");
}

#[test]
fn the_inline_cmos_of_a_report_that_fails_to_load_are_not_reported_as_missing() {
    let chained = standalone_cmo("c9", "chain:\n  refines: cmo/c1\n");
    let site = Site::with(&[(
        "content/cmos/c9.md",
        format!("{chained}See [c1](@cmo/c1) and [r1](@report/r1).\n").as_str(),
    )]);
    site.edit(R1_PATH, "title: R1\n", "title: R1: the sequel\n");
    let run = site.build(&[]);
    run.assert_site_errors();
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].location.starts_with(R1_PATH), "{run:?}");
}

// ---------------------------------------------------------------------------------------------
// 3. Failed files, duplicate ids, generated sections.
// ---------------------------------------------------------------------------------------------

/// A standalone CMO `broken` whose front matter does not parse (an unclosed `{`).
fn broken_cmo() -> String {
    standalone_cmo("broken", "").replace("mechanism: {text: m}", "mechanism: {text: m")
}

#[test]
fn a_standalone_cmo_that_fails_to_load_is_reported_once() {
    let site = Site::with(&[("content/cmos/broken.md", &broken_cmo())]);
    site.edit(
        R1_PATH,
        "    status: supported\n",
        "    status: supported\n  - cmo/broken\n",
    );
    site.edit(R1_PATH, "text\n", "text\n\nSee [the CMO](@cmo/broken).\n");
    let run = site.build(&[]);
    run.assert_site_errors();
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(
        errors[0].location.starts_with("content/cmos/broken.md:"),
        "{run:?}"
    );
    never_says(&run, "does not exist");
}

#[test]
fn a_tracer_that_fails_to_load_is_reported_once() {
    let site = Site::with(&[(
        "content/tracers/tr.md",
        "---\ntitle: [Tr\nstudy: study/s\n---\n",
    )]);
    let run = site.build(&[]);
    run.assert_site_errors();
    assert_eq!(run.errors().len(), 1, "{run:?}");
    never_says(&run, "does not exist");
}

#[test]
fn a_duplicate_id_names_both_definitions_before_what_it_caused() {
    let site = Site::with(&[("content/cmos/dup.md", &standalone_cmo("c1", ""))]);
    site.edit(R1_PATH, "text\n", "text\n\nSee [x](@tracer/nope).\n");
    let run = site.build(&[]);
    let r1 = site.source(R1_PATH);
    let dup = site.source("content/cmos/dup.md");
    let errors = run.errors();
    assert_eq!(errors.len(), 2, "{run:?}");
    assert_eq!(errors[0].message, "duplicate CMO id `c1`", "{run:?}");
    assert_eq!(
        errors[0].location,
        loc_after("content/cmos/dup.md", &dup, "id:", "c1")
    );
    let first = loc_after(R1_PATH, &r1, "- id:", "c1");
    assert!(
        errors[0].help.as_deref().unwrap_or("").contains(&first),
        "the help names the first definition {first}\n{run:?}"
    );
}

#[test]
fn a_page_named_like_a_generated_section_is_one_error() {
    let site = Site::with(&[
        ("content/pages/glossary.md", "---\ntitle: G\n---\ntext\n"),
        ("content/glossary.yaml", RICH_GLOSSARY),
    ]);
    site.edit(
        R1_PATH,
        "text\n",
        "text\n\nThe CCG met. The CMO was clear.\n",
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    assert!(errors[0].message.contains("page id `glossary`"), "{run:?}");
    assert_eq!(errors[0].location, "content/pages/glossary.md");
}

// ---------------------------------------------------------------------------------------------
// 4. Suggestions, anchors, templates.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_wrong_kind_suggests_only_what_exists() {
    let site = Site::with(&[("content/theories/x.md", THEORY)]);
    site.edit(R1_PATH, "tracer: tracer/tr", "tracer: theory/x");
    let run = site.build(&[]);
    let text = site.source(R1_PATH);
    let d = run.assert_error_help(
        "`tracer` expects a reference to a tracer, found `theory/x`",
        &loc(R1_PATH, &text, "theory/x"),
        "the tracers are: tr",
    );
    assert!(!d.help.unwrap_or_default().contains("tracer/x"), "{run:?}");
}

#[test]
fn a_wrong_kind_suggests_the_same_id_when_it_exists() {
    let site = Site::with(&[("content/theories/tr.md", THEORY)]);
    site.edit(R1_PATH, "tracer: tracer/tr", "tracer: theory/tr");
    let run = site.build(&[]);
    run.assert_error_help(
        "found `theory/tr`",
        &loc(R1_PATH, &site.source(R1_PATH), "theory/tr"),
        "did you mean `tracer/tr`?",
    );
}

#[test]
fn a_bare_id_suggests_the_reference_that_exists() {
    let site = Site::with(&[(
        "content/areas/pcn-a.md",
        "---\ntitle: PCN A\nstudy: study/s\nanonymised: true\n---\n",
    )]);
    site.edit(R1_PATH, "areas: [area/a1]", "areas: [pcn-a]");
    let run = site.build(&[]);
    let text = site.source(R1_PATH);
    let d = run
        .errors()
        .into_iter()
        .find(|d| d.location == loc(R1_PATH, &text, "pcn-a"));
    let help = d.and_then(|d| d.help).unwrap_or_default();
    assert!(help.contains("`area/pcn-a`"), "{run:?}");
}

#[test]
fn a_broken_anchor_is_shown_as_written_with_the_closest_anchor() {
    let site = Site::minimal();
    site.edit(
        R1_PATH,
        "text\n",
        "text\n\nSee [the findings](@report/r1#finding).\n",
    );
    let run = site.build(&[]);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "broken anchor `@report/r1#finding`",
        &loc(R1_PATH, &text, "[the findings]"),
        "did you mean `@report/r1#findings`?",
    );
    assert!(!run.stderr.contains("../../reports"), "{run:?}");
}

#[test]
fn a_template_error_is_located_in_its_template() {
    for (body, needle) in [
        ("{{ page.title | nofilter }}", "nofilter"),
        ("{% include \"nothere.html\" %}", "\"nothere.html\""),
        ("{{ nope.x }}", "nope"),
    ] {
        let template = format!("<!doctype html>\n<p>{body}</p>\n");
        let site = Site::with(&[("templates/404.html", template.as_str())]);
        let run = site.build(&[]);
        run.assert_site_errors();
        let errors = run.errors();
        assert_eq!(errors.len(), 1, "{run:?}");
        assert_eq!(
            errors[0].location,
            loc("templates/404.html", &template, needle),
            "{run:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 5. The link checker, drafts, citation styles.
// ---------------------------------------------------------------------------------------------

#[test]
fn html_shown_as_code_in_prose_is_not_a_link() {
    let site = Site::minimal();
    site.edit(
        R1_PATH,
        "text\n",
        "text\n\nWrite `<img src=\"x.png\">` or `<a href=\"../x/\">`.\n\n```html\n<a href=\"../y/\">y</a>\n```\n",
    );
    site.build_ok(&[]);
}

#[test]
fn a_draft_that_cites_itself_never_blocks_the_build() {
    let draft = R1
        .replace("title: R1", "title: R2")
        .replace("status: published", "status: draft")
        .replace("report/r1#findings", "report/r2#findings")
        .replace("id: c1", "id: c2");
    let site = Site::with(&[("content/reports/r2.md", draft.as_str())]);
    site.build_ok(&[]);
    assert!(!site.exists("reports/r2/index.html"));
    site.build_ok(&["--drafts", "--out", &site.path("drafts").to_string_lossy()]);
    let confidential = draft.replace("status: draft", "status: confidential");
    site.write("content/reports/r2.md", &confidential);
    site.build_ok(&[]);
}

#[test]
fn a_published_page_citing_a_draft_gets_one_located_error() {
    for status in ["draft", "confidential"] {
        let other = commissioning_report("R2", status, "## Findings {#findings}\ntext\n");
        let site = Site::with(&[("content/reports/r2.md", other.as_str())]);
        site.edit(R1_PATH, "report/r1#findings", "report/r2#findings");
        let run = site.build(&[]);
        run.assert_site_errors();
        let text = site.source(R1_PATH);
        let d = run.assert_error(
            &format!(
                "`report/r2#findings` is {}",
                if status == "draft" {
                    "a draft"
                } else {
                    "confidential"
                }
            ),
            &loc(R1_PATH, &text, "report/r2#findings"),
        );
        assert!(d.message.contains("content/reports/r2.md"), "{run:?}");
        assert_eq!(run.errors().len(), 1, "{run:?}");
    }
}

#[test]
fn a_published_page_linking_to_a_cmo_of_a_draft_gets_one_located_error() {
    for (status, says) in [
        ("draft", "the draft report"),
        ("confidential", "the confidential report"),
    ] {
        let draft = R1
            .replace("title: R1", "title: R2")
            .replace("status: published", &format!("status: {status}"))
            .replace("report/r1#findings", "report/r2#findings")
            .replace("id: c1", "id: c2");
        let page = "---\ntitle: About\n---\nSee [the CMO](@cmo/c2).\n";
        let site = Site::with(&[
            ("content/reports/r2.md", draft.as_str()),
            ("content/pages/about.md", page),
        ]);
        // A chain field of a published CMO pointing at it too.
        site.edit(
            R1_PATH,
            "status: supported",
            "status: supported\n    chain: {refines: cmo/c2}",
        );
        let run = site.build(&[]);
        run.assert_site_errors();
        let message = format!("`cmo/c2` is written in {says} `report/r2`");
        let mut at: Vec<String> = run
            .errors()
            .into_iter()
            .filter(|d| d.message.contains(&message))
            .map(|d| d.location)
            .collect();
        at.sort();
        let text = site.source(R1_PATH);
        let mut expected = vec![
            loc("content/pages/about.md", page, "[the CMO]"),
            loc(R1_PATH, &text, "cmo/c2"),
        ];
        expected.sort();
        assert_eq!(at, expected, "{run:?}");
        assert_eq!(run.errors().len(), 2, "{run:?}");
    }
}

#[test]
fn every_command_finds_the_site_from_a_subfolder() {
    let site = Site::minimal();
    let run = realist_in(&site.path("content/reports"), &["check"]);
    assert_eq!(run.code, 0, "{run:?}");
    site.edit(R1_PATH, "tracer: tracer/tr", "tracer: tracer/nope");
    let run = realist_in(&site.path("content/reports"), &["check"]);
    assert_eq!(run.code, 1, "{run:?}");
    let text = site.source(R1_PATH);
    run.assert_error(
        "`tracer/nope` does not exist",
        &loc(R1_PATH, &text, "tracer/nope"),
    );
}

#[test]
fn a_wrong_reference_is_located_in_its_field_not_at_the_same_text_earlier() {
    let site = Site::minimal();
    site.edit(R1_PATH, "areas: [area/a1]", "areas: [area/a1, study/s]");
    let run = site.build(&[]);
    run.assert_site_errors();
    let text = site.source(R1_PATH);
    run.assert_error(
        "`areas` expects a reference to an area, found `study/s`",
        &loc_after(R1_PATH, &text, "areas:", "study/s"),
    );
}

#[test]
fn a_reference_near_a_file_that_failed_to_load_points_at_its_mistakes() {
    let site = Site::minimal();
    site.remove("content/studies/s.md");
    site.write(
        "content/studies/my-study.md",
        "---\ntitle: S\ndesign: nonsense-design\n---\n",
    );
    site.edit(
        "content/tracers/tr.md",
        "study: study/s",
        "study: study/my-studdy",
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    let d = run.error("`study/my-studdy` does not exist");
    let help = d.help.unwrap_or_default();
    assert!(
        help.contains("did you mean `study/my-study`? Its file has mistakes"),
        "{run:?}"
    );
    let elsewhere: Vec<Diag> = run
        .errors()
        .into_iter()
        .filter(|d| d.message.contains("`study/s` does not exist"))
        .collect();
    assert!(!elsewhere.is_empty(), "{run:?}");
    for d in elsewhere {
        let help = d.help.unwrap_or_default();
        assert!(
            help.contains("files have mistakes, listed above"),
            "{run:?}"
        );
    }
}

#[test]
fn a_duplicate_names_where_it_was_first_defined() {
    let glossary = "- term: CCG\n  definition: d\n- term: ICB\n  definition: i\n- term: CCG\n  definition: e\n";
    let run = Site::with(&[("content/glossary.yaml", glossary)]).check(&[]);
    run.assert_error_help(
        "glossary term `CCG` is defined twice",
        "content/glossary.yaml:5:9",
        "first defined on line 1",
    );
    let page = "---\ntitle: About\n---\n## Results {#results}\n\n## Again {#results}\n";
    let run = Site::with(&[("content/pages/about.md", page)]).build(&[]);
    run.assert_error_help(
        "heading id `results` is used twice",
        &loc("content/pages/about.md", page, "## Again"),
        "the first heading with this id is on line 4",
    );
    let bib = format!("{BIB}@book{{smith2013,\n  title = {{Again}},\n  year = {{2014}}\n}}\n");
    let site = cited_site(BIB_SITE_YAML, Some(&bib));
    let run = site.build(&[]);
    run.assert_site_errors();
    let d = run.error("duplicate key");
    let help = d.help.unwrap_or_default();
    assert!(
        help.contains("the first entry with this key is on line 1"),
        "{run:?}"
    );
}

#[test]
fn a_language_written_as_a_name_suggests_its_tag() {
    let yaml = format!("{SITE_YAML}language: English\n");
    let run = Site::with(&[("site.yaml", yaml.as_str())]).check(&[]);
    run.assert_error_help(
        "language `English` is not a language tag",
        &loc("site.yaml", &yaml, "English"),
        "`language: en-GB`",
    );
    let yaml = format!("{SITE_YAML}language: en-GB\n");
    Site::with(&[("site.yaml", yaml.as_str())])
        .check(&[])
        .assert_ok();
}

#[test]
fn an_email_address_linked_without_mailto_says_to_write_it() {
    let page = "---\ntitle: About\n---\nWrite to [us](research@example.ac.uk).\n";
    let run = Site::with(&[("content/pages/about.md", page)]).build(&[]);
    run.assert_site_errors();
    run.assert_error_help(
        "broken link `research@example.ac.uk`",
        &loc("content/pages/about.md", page, "[us]"),
        "write `mailto:research@example.ac.uk`",
    );
}

#[test]
fn a_heading_id_with_a_space_is_warned_about() {
    let page = "---\ntitle: About\n---\n## Results two {#Results Two}\n\ntext\n";
    let run = Site::with(&[("content/pages/about.md", page)]).build(&[]);
    let warning = run
        .diagnostics()
        .into_iter()
        .find(|d| d.message.contains("a heading id cannot contain spaces"))
        .unwrap_or_else(|| panic!("no warning about the space\n{run:?}"));
    assert_eq!(warning.severity, "warning", "{run:?}");
    assert_eq!(
        warning.location,
        loc("content/pages/about.md", page, "## Results")
    );
    assert!(
        warning
            .help
            .unwrap_or_default()
            .contains("`{#Results-Two}`"),
        "{run:?}"
    );
}

#[test]
fn vancouver_and_nlm_print_the_authors() {
    for style in ["vancouver", "nlm-citation-sequence"] {
        let site = cited_site(&format!("{BIB_SITE_YAML}csl: {style}\n"), Some(BIB));
        site.build_ok(&[]);
        let page = site.page("reports/r1/index.html");
        assert!(page.contains("Smith J"), "{style}: {page}");
        assert!(page.contains("Jones A, Patel R"), "{style}: {page}");
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Several mistakes across files.
// ---------------------------------------------------------------------------------------------

/// R2: a published commissioning report that defines `c1` again, cites the bibliography, links to
/// the CMO that does not load, and names a programme theory as its tracer.
const MULTI_R2: &str = r#"---
type: commissioning-report
report_type: case-study
title: R2
date: "2018"
authors: [{name: B}]
status: published
study: study/s
tracers: [theory/pt]
areas: [area/a1]
summary: [k]
cmos:
  - id: c1
    title: C1 again
    kind: anticipated
    programme_theory: [theory/pt]
    context: [{text: c}]
    mechanism: {text: m}
    outcome: [{text: o, status: anticipated, valence: positive, intended: true}]
    status: initial
---
## Findings {#findings}
More [@smith2013]. And [a link](@cmo/broken). Code: `<a href="../nowhere/">`.
"#;

fn multi_site() -> Site {
    let broken_bib = BIB.replace(
        "title = {Commissioning in Practice},",
        "title = {Commissioning in Practice}",
    );
    let draft = commissioning_report("R3", "draft", "## Notes\nSee [me](@report/r3#notes).\n");
    let site = Site::with(&[
        ("site.yaml", BIB_SITE_YAML),
        ("content/references.bib", broken_bib.as_str()),
        ("content/cmos/broken.md", broken_cmo().as_str()),
        ("content/reports/r2.md", MULTI_R2),
        ("content/reports/r3.md", draft.as_str()),
    ]);
    site.edit(
        R1_PATH,
        "    status: supported\n",
        "    status: supported\n  - cmo/broken\n",
    );
    site.edit(
        R1_PATH,
        "text\n",
        "text\n\nAs argued [@smith2013, p. 3] and by @jones2015. See [R2](@report/r2#finding).\n",
    );
    site
}

#[test]
fn several_mistakes_across_files_are_all_reported_root_causes_first() {
    let site = multi_site();
    let run = site.build(&[]);
    run.assert_site_errors();
    let (r1, r2) = (site.source(R1_PATH), site.source("content/reports/r2.md"));
    let errors = run.errors();
    let locations: Vec<&str> = errors.iter().map(|d| d.location.as_str()).collect();
    assert_eq!(errors.len(), 5, "{run:?}");
    // Root causes: the bibliography, the file that does not load, the duplicate id.
    assert_eq!(locations[0], "content/references.bib:4:3", "{run:?}");
    assert!(
        locations[1].starts_with("content/cmos/broken.md:"),
        "{run:?}"
    );
    assert_eq!(errors[2].message, "duplicate CMO id `c1`");
    assert_eq!(
        locations[2],
        loc_after("content/reports/r2.md", &r2, "- id:", "c1")
    );
    assert!(errors[2]
        .help
        .as_deref()
        .unwrap_or("")
        .contains(&loc_after(R1_PATH, &r1, "- id:", "c1")));
    // Then what is wrong in one place, by file and line.
    assert_eq!(errors[3].location, loc(R1_PATH, &r1, "[R2]"), "{run:?}");
    assert!(
        errors[3]
            .message
            .starts_with("broken anchor `@report/r2#finding`"),
        "{run:?}"
    );
    assert_eq!(
        errors[3].help.as_deref(),
        Some("did you mean `@report/r2#findings`?")
    );
    assert_eq!(
        errors[4].location,
        loc("content/reports/r2.md", &r2, "theory/pt")
    );
    assert!(
        errors[4]
            .message
            .contains("expects a reference to a tracer"),
        "{run:?}"
    );
    // No cascades.
    for phrase in [
        "unknown citation key",
        "does not exist",
        "broken link",
        "draft",
    ] {
        never_says(&run, phrase);
    }
    assert!(summary(&run).starts_with("5 errors found"), "{run:?}");
}
