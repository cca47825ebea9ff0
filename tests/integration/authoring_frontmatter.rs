//! Front matter with many mistakes: every one is reported in one run, at its own line and column,
//! in plain words; the schema reference in docs/schema.md is the generated one.

use crate::common::*;

/// A report with a mistake in almost every field, and in its inline CMO.
const REPORT: &str = "---
type: tracer-report
report_type: short-reprt
title: Social prescribing: what works
date: \"2018\"
authors: Jane Smith
status: publishd
study: study/s
tracer: tracer/tr
areas: [a1]
summary: [k]
doi: https://doi.org/10.1/x
cmos:
  - id: c1
    title: \"Caf\\u00e9 talk\"
    kind: observed
    programme_theory: [theory/pt]
    context:
      - text: 'It''s local'
    resource: \"Time with a link worker\"
    mechanism:
      reasoning: |
        They felt heard
    outcome:
      - text: o
        status: observed
        valence: mixd
        intended: false
    evidence:
      - kind: interview
        quote: \"He said \"no\" twice\"
        sorce: report/r1
    status: refined
---
Body.
";

/// A standalone CMO with a wrong type and a missing field.
const CMO: &str = "---
type: cmo
id: c2
title: C2
kind: anticipated
programme_theory: [theory/pt]
context: {text: c}
mechanism: {text: m}
outcome: [{text: o, status: anticipated, valence: positive, intended: true}]
---
";

/// A tracer with a misspelt field, a value of the wrong kind, and a tab.
const TRACER: &str = "---
title: Tracer two
kind: servce
chosen_to_ilumminate: why
aliases: memory services
---
";

/// Phrases of the parser and of serde that must never reach an author.
const JARGON: &[&str] = &[
    "invalid type",
    "expected a sequence",
    "expected a map",
    "mapping values are not allowed",
    "did not find expected key",
    "YAML tag",
    "unknown variant",
    "expected null",
    "invalid value:",
    "unknown field",
];

fn assert_no_jargon(run: &Run) {
    for phrase in JARGON {
        assert!(
            !run.stderr.contains(phrase),
            "{phrase:?} in\n{}",
            run.stderr
        );
    }
}

#[test]
fn every_mistake_in_every_file_is_reported_in_one_run_at_its_own_place() {
    let site = Site::with(&[
        ("content/reports/bad.md", REPORT),
        ("content/cmos/c2.md", CMO),
        ("content/tracers/two.md", TRACER),
    ]);
    let run = site.check(&[]);
    let r = "content/reports/bad.md";
    let at = |line: usize, col: usize| format!("{r}:{line}:{col}");
    run.assert_error_help(
        "`report_type` cannot be `short-reprt`",
        &at(3, 14),
        "did you mean `short-report`?",
    );
    run.assert_error_help(
        "this title contains `: ` — put the title in quotes",
        &at(4, 26),
        "title: \"Social prescribing: what works\"",
    );
    run.assert_error_help(
        "`authors` must be a list, for example `authors: [{name: Jane Smith}]`",
        &at(6, 10),
        "here it is text: `Jane Smith`",
    );
    run.assert_error_help(
        "`status` cannot be `publishd`",
        &at(7, 9),
        "did you mean `published`?",
    );
    run.assert_error(
        "`a1` needs its kind in front, as in `area/<id>`",
        &at(10, 9),
    );
    run.assert_error("`https://doi.org/10.1/x` is not a DOI", &at(12, 6));
    run.assert_error_help(
        "`resource` belongs under `mechanism:`",
        &at(20, 5),
        "indent it under `mechanism:`",
    );
    run.assert_error_help(
        "`valence` cannot be `mixd`",
        &at(27, 18),
        "did you mean `mixed`?",
    );
    run.assert_error(
        "this quote contains unescaped `\"` — use single quotes around it, or `\\\"`",
        &at(31, 16),
    );
    // A misspelt required field is one mistake, not also a missing one.
    run.assert_error_help(
        "`sorce` should be `source`",
        &at(32, 9),
        "did you mean `source`?",
    );
    // `refined` is a CMO kind, not a status: `refuted`, one letter-pair away, would reverse it.
    let refined = run.assert_error("`status` cannot be `refined`", &at(33, 13));
    let help = refined.help.unwrap_or_default();
    assert!(help.contains("`refined` is a value of `kind`"), "{help}");
    assert!(!help.contains("did you mean"), "{help}");
    let c = "content/cmos/c2.md";
    run.assert_error_help(
        "`context` must be a list, for example `context: [{text: \"Long waits\"}]`",
        &format!("{c}:7:10"),
        "here it is a group of fields",
    );
    run.assert_error_help(
        "`status` is missing from the front matter",
        &format!("{c}:2:1"),
        "status: supported",
    );
    let t = "content/tracers/two.md";
    run.assert_error("`kind` cannot be `servce`", &format!("{t}:3:7"));
    run.assert_error_help(
        "`chosen_to_ilumminate` is not a field here",
        &format!("{t}:4:1"),
        "did you mean `chosen_to_illuminate`?",
    );
    run.assert_error("`aliases` must be a list", &format!("{t}:5:10"));
    assert_eq!(run.errors().len(), 16, "{}", run.stderr);
    assert_no_jargon(&run);
}

#[test]
fn values_written_with_escapes_quotes_and_block_scalars_are_located_exactly() {
    let report = "---
type: tracer-report
title: T
date: \"2018\"
authors:
  - name: \"Jos\\u00e9\"
    orcid: \"0000\\u002D1\"
  - name: 'O''Neill'
    orcid: 'it''s'
status: published
study: study/s
areas: [area/a1]
summary: [k]
doi: >
  not a doi
---
";
    let run = Site::with(&[("content/reports/r1.md", report)]).check(&[]);
    let r = "content/reports/r1.md";
    run.assert_error("`0000-1` is not an ORCID iD", &format!("{r}:7:13"));
    run.assert_error("`it's` is not an ORCID iD", &format!("{r}:9:13"));
    run.assert_error("is not a DOI", &format!("{r}:15:3"));
    assert_no_jargon(&run);
}

#[test]
fn slips_are_explained_and_do_not_hide_the_rest() {
    let report = "---
type: tracer-report
title: T
date: \"2018\"
authors: [{name: A}]
status: published
study: study/s
areas: [area/a1]
summary: [k]
funding:
\tfunder: NIHR
keywords: ok
---
";
    let run = Site::with(&[("content/reports/r1.md", report)]).check(&[]);
    let r = "content/reports/r1.md";
    run.assert_error(
        "a tab was used for indentation — use spaces",
        &format!("{r}:11:1"),
    );
    run.assert_error("`keywords` must be a list", &format!("{r}:12:11"));
    assert_no_jargon(&run);
}

#[test]
fn docs_schema_md_holds_the_generated_reference() {
    let run = realist(&["schema", "--markdown"]);
    run.assert_ok();
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/schema.md")).unwrap();
    assert!(
        docs.contains(run.stdout.trim_end()),
        "docs/schema.md differs from `realist schema --markdown`; regenerate its last section"
    );
    let json = realist(&["schema", "cmo"]);
    json.assert_ok();
    assert!(
        json.stdout
            .contains("\"$schema\": \"https://json-schema.org/draft/2020-12/schema\""),
        "{}",
        json.stdout
    );
}

#[test]
fn a_duplicate_glossary_term_is_located_at_its_own_term() {
    let glossary = "- term: ICB\n  definition: The body after the CCG.\n  see_also: [CCG]\n- term: CCG\n  definition: d\n- term: CCG\n  definition: e\n";
    let run = Site::with(&[("content/glossary.yaml", glossary)]).check(&[]);
    run.assert_error_help(
        "glossary term `CCG` is defined twice",
        "content/glossary.yaml:6:9",
        "merge the two entries",
    );
    assert_no_jargon(&run);
}

#[test]
fn a_syntax_error_is_reported_and_does_not_hide_the_other_mistakes() {
    let report = "---
type: tracer-report
title: `T` # the title
date: \"2018\"
authors:
  - name: A
    orcid: https://orcid.org/0000-0002-1825-0097
status: published
study: study/s
areas: [area/a1]
summary: [k]
keywords:
  - @social
doi: %10.1/x # the DOI
---
";
    let run = Site::with(&[("content/reports/r1.md", report)]).check(&[]);
    let r = "content/reports/r1.md";
    run.assert_error("is not an ORCID iD", &format!("{r}:7:12"));
    run.assert_error_help(
        "a value that starts with a backtick must be in quotes",
        &format!("{r}:3:8"),
        "title: \"`T`\"",
    );
    // `- @social` and `%10.1/x` are no known slip: each is reported, quoted, and the file read on.
    for at in [format!("{r}:13:5"), format!("{r}:14:6")] {
        let here = run
            .errors()
            .into_iter()
            .filter(|d| d.location == at)
            .count();
        assert_eq!(here, 1, "at {at}: {}", run.stderr);
    }
    // Neither quoted value is checked as a guess (the DOI is not reported as not a DOI).
    assert!(!run.stderr.contains("is not a DOI"), "{}", run.stderr);
    assert_no_jargon(&run);
}

#[test]
fn an_empty_title_is_an_error_whether_or_not_the_rest_is_valid() {
    let page = |title: &str| format!("---\ntitle: {title}\n---\nBody.\n");
    let run = Site::with(&[
        ("content/pages/a.md", page("").as_str()),
        ("content/pages/b.md", page("\"\"").as_str()),
        ("content/pages/c.md", page("#1 theory").as_str()),
    ])
    .check(&[]);
    let errors = run.errors();
    let at = |page: &str| {
        errors
            .iter()
            .find(|d| {
                d.location
                    .starts_with(&format!("content/pages/{page}.md:2:"))
            })
            .unwrap_or_else(|| panic!("no error in {page}.md: {}", run.stderr))
    };
    for page in ["a", "b", "c"] {
        assert_eq!(at(page).message, "`title` is empty", "{}", run.stderr);
    }
    let help = at("c").help.clone().unwrap_or_default();
    assert!(
        help.contains("`#` starts a comment in YAML; put the title in quotes"),
        "{help}"
    );
    assert_eq!(errors.len(), 3, "{}", run.stderr);
    assert_no_jargon(&run);
}

#[test]
fn a_misspelt_required_field_is_one_mistake_not_two() {
    let tracer = "---\nTitle: Tracer\nkind: service\nchosen_to_illuminate: why\n---\n";
    let run = Site::with(&[("content/tracers/t.md", tracer)]).check(&[]);
    run.assert_error_help(
        "`Title` should be `title`",
        "content/tracers/t.md:2:1",
        "did you mean `title`?",
    );
    assert!(!run.stderr.contains("is missing"), "{}", run.stderr);
    assert!(!run.stderr.contains("is not a field"), "{}", run.stderr);
    assert_eq!(run.errors().len(), 1, "{}", run.stderr);
}

#[test]
fn quotes_brackets_and_values_are_explained_where_they_go_wrong() {
    let tracer = |title: &str, kind: &str| {
        format!("---\ntitle{title}\nkind: {kind}\nchosen_to_illuminate: why\n---\n")
    };
    let run = Site::with(&[
        (
            "content/tracers/a.md",
            tracer(": \"My tracer", "service").as_str(),
        ),
        (
            "content/tracers/b.md",
            tracer(": 'The GP's tracer'", "service").as_str(),
        ),
        (
            "content/tracers/c.md",
            tracer(":\"My tracer\"", "service").as_str(),
        ),
        ("content/tracers/d.md", tracer(": T", "[service").as_str()),
        (
            "content/tracers/e.md",
            tracer(": T", "|\n  servce").as_str(),
        ),
        ("content/tracers/f.md", tracer(": T", "medium").as_str()),
    ])
    .check(&[]);
    run.assert_error_help(
        "this quote is never closed",
        "content/tracers/a.md:2:8",
        "add `\"` at the end",
    );
    run.assert_error(
        "this quote contains `'` — write it twice (`GP''s`) or use double quotes",
        "content/tracers/b.md:2:15",
    );
    run.assert_error("put a space after `title:`", "content/tracers/c.md:2:7");
    run.assert_error("the `[` here is never closed", "content/tracers/d.md:3:7");
    run.assert_error_help(
        "`kind` cannot be `servce`",
        "content/tracers/e.md:4:3",
        "did you mean `service`?",
    );
    assert!(!run.stderr.contains("\\u{"), "{}", run.stderr);
    assert_eq!(run.errors().len(), 6, "{}", run.stderr);
    assert_no_jargon(&run);
}

#[test]
fn a_yes_no_field_given_no_names_the_field() {
    let area = "---\ntitle: A\nanonymised: no\n---\n";
    let tracer = "---\ntitle: T\nkind: servce\nchosen_to_illuminate: yes\n---\n";
    let run = Site::with(&[
        ("content/areas/a.md", area),
        ("content/tracers/t.md", tracer),
    ])
    .check(&[]);
    // `yes` is text, as YAML 1.2 reads it: fine where text is needed.
    assert_eq!(run.errors().len(), 2, "{}", run.stderr);
    run.assert_error_help(
        "`anonymised` must be `true` or `false`, for example `anonymised: true`",
        "content/areas/a.md:3:13",
        "which YAML reads as text",
    );
}

#[test]
fn a_field_indented_under_a_value_names_both_fields() {
    let tracer = "---\ntitle: T\nkind: service\n  chosen_to_illuminate: why\n---\n";
    let run = Site::with(&[("content/tracers/t.md", tracer)]).check(&[]);
    run.assert_error_help(
        "`chosen_to_illuminate` is indented under `kind`, which already has a value",
        "content/tracers/t.md:4:23",
        "indent `chosen_to_illuminate` as far as `kind`",
    );
    assert_no_jargon(&run);
}
