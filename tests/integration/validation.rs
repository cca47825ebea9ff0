//! One fixture per validation rule: the build exits with 1, leaves no output, and prints the
//! message at the right path, line and column, with a helpful suggestion where there is one.

use crate::common::*;

const R1_PATH: &str = "content/reports/r1.md";

/// Builds, asserts exit code 1 and that nothing was written, and returns the run.
fn fails(site: &Site) -> Run {
    let run = site.build(&[]);
    run.assert_site_errors();
    assert!(!site.out().exists(), "a failed first build wrote output");
    assert_eq!(run.stdout, "", "{run:?}");
    run
}

/// The minimal site with R1's front matter or body changed by replacing `from` with `to`.
fn r1_with(from: &str, to: &str) -> Site {
    let site = Site::minimal();
    site.edit(R1_PATH, from, to);
    site
}

// ---------------------------------------------------------------------------------------------
// Reading files: YAML, front matter, encoding, file names.
// ---------------------------------------------------------------------------------------------

#[test]
fn yaml_syntax_error() {
    let site = r1_with("title: R1\n", "title: R1: the sequel\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "this title contains `: ` — put the title in quotes",
        &loc(R1_PATH, &text, ": the sequel"),
    );
}

#[test]
fn tab_indentation() {
    let site = r1_with("study: study/s\n", "\tstudy: study/s\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "a tab was used for indentation — use spaces",
        &loc(R1_PATH, &text, "\tstudy"),
        "spaces",
    );
}

#[test]
fn unclosed_front_matter() {
    let site = Site::with(&[(
        "content/pages/about.md",
        "---\ntitle: About\n\nSome text.\n",
    )]);
    let run = fails(&site);
    run.assert_error_help(
        "the front matter opened on line 1 is never closed",
        "content/pages/about.md:1:1",
        "`---`",
    );
}

#[test]
fn missing_front_matter() {
    let site = Site::with(&[("content/pages/about.md", "# About\n\nSome text.\n")]);
    let run = fails(&site);
    run.assert_error_help(
        "expected YAML front matter",
        "content/pages/about.md:1:1",
        "start the file with `---`",
    );
}

#[test]
fn unknown_field_with_did_you_mean() {
    let site = r1_with("summary:", "titel: Another\nsummary:");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    let d = run.assert_error_help(
        "`titel` is not a field here",
        &loc(R1_PATH, &text, "titel:"),
        "did you mean `title`?",
    );
    assert_eq!(d.message, "`titel` is not a field here");
}

#[test]
fn unknown_field_inside_an_inline_cmo() {
    let site = r1_with(
        "    mechanism:",
        "    mechanisms: {text: m}\n    mechanism:",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`mechanisms` is not a field in item 1 of `cmos`",
        &loc(R1_PATH, &text, "mechanisms:"),
        "did you mean `mechanism`?",
    );
}

#[test]
fn missing_required_field() {
    let site = r1_with("title: R1\n", "");
    let run = fails(&site);
    // The field is absent, so the error points at the start of the front matter.
    run.assert_error(
        "`title` is missing from the front matter",
        "content/reports/r1.md:2:1",
    );
}

#[test]
fn bad_enum_value_with_suggestion() {
    let site = r1_with("kind: observed", "kind: observd");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`kind` cannot be `observd`",
        &loc(R1_PATH, &text, "observd"),
        "did you mean `observed`?",
    );

    let site = r1_with("status: published", "status: publishd");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`status` cannot be `publishd`",
        &loc(R1_PATH, &text, "publishd"),
        "did you mean `published`?",
    );
}

#[test]
fn bad_date() {
    let site = r1_with("date: \"2017-06\"", "date: \"2017-13\"");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "invalid date `2017-13`: month 13 is not between 01 and 12",
        &loc_after(R1_PATH, &text, "date: \"", "2017-13"),
    );

    let site = r1_with("date: \"2017-06\"", "date: \"June 2017\"");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "invalid date `June 2017`: expected YYYY, YYYY-MM or YYYY-MM-DD",
        &loc_after(R1_PATH, &text, "date: \"", "June 2017"),
    );

    let site = r1_with("date: \"2017-06\"", "date: \"2017-02-30\"");
    let run = fails(&site);
    run.error("day 30 does not exist");
}

#[test]
fn invalid_file_name_id() {
    let site = Site::with(&[(
        "content/tracers/Bad_Name.md",
        "---\ntitle: Bad\nstudy: study/s\nkind: service\n---\n",
    )]);
    let run = fails(&site);
    // A problem with the whole file has no line.
    run.assert_error_help(
        "file name `Bad_Name` is not a valid id",
        "content/tracers/Bad_Name.md",
        "bad-name.md",
    );
}

#[test]
fn invalid_utf8() {
    let site = Site::minimal();
    site.write(
        "content/pages/about.md",
        b"---\ntitle: About\n---\nline one\nCaf\xe9 au lait\n",
    );
    let run = fails(&site);
    run.assert_error_help(
        "the file is not valid UTF-8",
        "content/pages/about.md:5:4",
        "UTF-8",
    );
}

// ---------------------------------------------------------------------------------------------
// References.
// ---------------------------------------------------------------------------------------------

#[test]
fn dangling_reference_with_did_you_mean() {
    let site = r1_with("tracer: tracer/tr\n", "tracer: tracer/trr\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    let d = run.assert_error_help(
        "`tracer/trr` does not exist: there is no tracer with id `trr`",
        &loc(R1_PATH, &text, "tracer/trr"),
        "did you mean `tracer/tr`?",
    );
    assert_eq!(d.help.as_deref(), Some("did you mean `tracer/tr`?"));
}

#[test]
fn dangling_reference_in_an_inline_cmo() {
    let site = r1_with(
        "    programme_theory: [theory/pt]",
        "    programme_theory: [theory/ptt]",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`theory/ptt` does not exist",
        &loc(R1_PATH, &text, "theory/ptt"),
        "did you mean `theory/pt`?",
    );
}

#[test]
fn reference_to_the_wrong_kind() {
    let site = r1_with("tracer: tracer/tr\n", "tracer: area/a1\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`tracer` expects a reference to a tracer, found `area/a1`",
        &loc(R1_PATH, &text, "area/a1"),
        "tracer/",
    );
}

#[test]
fn reference_with_an_unknown_kind() {
    let site = r1_with("study: study/s\n", "study: stduy/s\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "unknown kind `stduy` in reference `stduy/s` (did you mean `study`?)",
        &loc(R1_PATH, &text, "stduy/s"),
    );
}

#[test]
fn duplicate_cmo_id_inline_and_standalone() {
    let site = Site::with(&[("content/cmos/dup.md", &standalone_cmo("c1", ""))]);
    let run = fails(&site);
    let text = site.source("content/cmos/dup.md");
    run.assert_error_help(
        "duplicate CMO id `c1`",
        &loc_after("content/cmos/dup.md", &text, "id:", "c1"),
        "content/reports/r1.md",
    );
}

#[test]
fn standalone_cmo_needs_type_cmo() {
    let cmo = standalone_cmo("c9", "").replace("type: cmo\n", "");
    let site = Site::with(&[("content/cmos/c9.md", &cmo)]);
    let run = fails(&site);
    run.assert_error_help(
        "a standalone CMO file needs `type: cmo`",
        "content/cmos/c9.md:2:1",
        "type: cmo",
    );
}

// ---------------------------------------------------------------------------------------------
// Programme theories.
// ---------------------------------------------------------------------------------------------

#[test]
fn empty_programme_theories_must_say_none_identified() {
    let site = r1_with("programme_theories: [theory/pt]", "programme_theories: []");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    let d = run.assert_error(
        "the list of programme theories is empty",
        &loc_after(R1_PATH, &text, "programme_theories: ", "[]"),
    );
    assert!(d.message.contains("[none-identified]"), "{d:?}");

    // The explicit marker is accepted.
    let site = r1_with(
        "programme_theories: [theory/pt]",
        "programme_theories: [none-identified]",
    );
    site.build_ok(&[]);
}

#[test]
fn empty_programme_theory_of_a_cmo() {
    let site = r1_with(
        "    programme_theory: [theory/pt]",
        "    programme_theory: []",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "the list of programme theories is empty",
        &loc_after(R1_PATH, &text, "programme_theory: ", "[]"),
    );
}

#[test]
fn none_identified_mixed_with_theories() {
    let site = r1_with(
        "    programme_theory: [theory/pt]",
        "    programme_theory: [none-identified, theory/pt]",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "`none-identified` cannot be combined with programme theories",
        &loc(R1_PATH, &text, "programme_theory: [none"),
    );
}

// ---------------------------------------------------------------------------------------------
// CMO rules.
// ---------------------------------------------------------------------------------------------

const C2_CHAINED: &str = "  - id: c2
    title: C2
    kind: anticipated
    programme_theory: [theory/pt]
    context: [{text: c}]
    mechanism: {text: m}
    outcome: [{text: o, status: anticipated, valence: positive, intended: true}]
    chain: {feeds_context_of: [cmo/c1]}
    status: initial
";

#[test]
fn chain_cycle() {
    let site = r1_with(
        "    status: supported\n",
        &format!("    status: supported\n    chain: {{refines: cmo/c2}}\n{C2_CHAINED}"),
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "CMO chain cycle: c1 → c2 → c1",
        &loc_after(R1_PATH, &text, "feeds_context_of:", "cmo/c1"),
        "must not lead back",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn longer_chain_cycle_through_a_standalone_cmo() {
    // c1 → c9 (standalone) → c2 → c1
    let site = r1_with(
        "    status: supported\n",
        &format!("    status: supported\n    chain: {{specialises: [cmo/c9]}}\n{C2_CHAINED}"),
    );
    site.write(
        "content/cmos/c9.md",
        standalone_cmo("c9", "chain: {refines: cmo/c2}\n"),
    );
    let run = fails(&site);
    let d = run.error("CMO chain cycle:");
    assert!(
        [
            "c1 → c9 → c2 → c1",
            "c9 → c2 → c1 → c9",
            "c2 → c1 → c9 → c2"
        ]
        .iter()
        .any(|c| d.message.ends_with(c)),
        "{d:?}"
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn contradicting_each_other_is_not_a_cycle() {
    let site = r1_with(
        "    status: supported\n",
        &format!(
            "    status: supported\n    chain: {{contradicts: [cmo/c2]}}\n{}",
            C2_CHAINED.replace("feeds_context_of", "contradicts")
        ),
    );
    site.build_ok(&[]);
}

#[test]
fn chain_to_itself() {
    let site = r1_with(
        "    status: supported\n",
        "    status: supported\n    chain: {feeds_context_of: [cmo/c1]}\n",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "CMO `c1` cannot be chained to itself",
        &loc_after(R1_PATH, &text, "chain:", "cmo/c1"),
    );
    assert_eq!(run.errors().len(), 1, "reported once: {run:?}");
}

#[test]
fn chain_to_a_missing_cmo() {
    let site = r1_with(
        "    status: supported\n",
        "    status: supported\n    chain: {refines: cmo/c11}\n",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`cmo/c11` does not exist",
        &loc(R1_PATH, &text, "cmo/c11"),
        "did you mean `cmo/c1`?",
    );
}

#[test]
fn observed_cmo_without_evidence() {
    let site = r1_with(
        "    evidence: [{kind: interview, source: \"report/r1#findings\"}]\n",
        "",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "CMO `c1` is observed but gives no `evidence`",
        &loc_after(R1_PATH, &text, "id: c1", "kind:"),
        "anticipated",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn observed_cmo_without_confidence() {
    let site = r1_with("    confidence: {level: low, rationale: r}\n", "");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "CMO `c1` is observed but has no `confidence`",
        &loc_after(R1_PATH, &text, "id: c1", "kind:"),
        "confidence: {level:",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn derived_cmo_needs_evidence_and_confidence_but_anticipated_does_not() {
    let site = r1_with("kind: observed", "kind: derived");
    site.edit(
        R1_PATH,
        "    evidence: [{kind: interview, source: \"report/r1#findings\"}]\n",
        "",
    );
    site.edit(R1_PATH, "    confidence: {level: low, rationale: r}\n", "");
    let run = fails(&site);
    run.error("is derived but gives no `evidence`");
    run.error("is derived but has no `confidence`");

    site.edit(R1_PATH, "kind: derived", "kind: anticipated");
    site.build_ok(&[]);
}

#[test]
fn mechanism_without_text_or_resource_and_reasoning() {
    for mechanism in ["{resource: money}", "{reasoning: trust}", "{}"] {
        let site = r1_with(
            "    mechanism: {text: m}",
            &format!("    mechanism: {mechanism}"),
        );
        let run = fails(&site);
        let text = site.source(R1_PATH);
        run.assert_error_help(
            "CMO `c1`: the mechanism needs `text`, or both `resource` and `reasoning`",
            &loc(R1_PATH, &text, "mechanism:"),
            "Dalkin",
        );
    }
    // Resource and reasoning without text are enough.
    let site = r1_with(
        "    mechanism: {text: m}",
        "    mechanism: {resource: money, reasoning: trust}",
    );
    site.build_ok(&[]);
}

#[test]
fn empty_context_or_outcome() {
    let site = r1_with("    context: [{text: c}]", "    context: []");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "CMO `c1` has an empty `context`",
        &loc(R1_PATH, &text, "context:"),
    );
}

// ---------------------------------------------------------------------------------------------
// Report rules.
// ---------------------------------------------------------------------------------------------

#[test]
fn tracer_report_without_tracer() {
    let site = r1_with("tracer: tracer/tr\n", "");
    let run = fails(&site);
    run.assert_error_help(
        "a tracer report needs `tracer: tracer/…`",
        "content/reports/r1.md:2:1",
        "add the tracer",
    );
}

#[test]
fn tracer_report_without_programme_theories() {
    let site = r1_with("programme_theories: [theory/pt]\n", "");
    let run = fails(&site);
    run.assert_error_help(
        "a tracer report needs `programme_theories`",
        "content/reports/r1.md:2:1",
        "[none-identified]",
    );
}

#[test]
fn commissioning_report_without_report_type() {
    let report =
        commissioning_report("C", "published", "body\n").replace("report_type: case-study\n", "");
    let site = Site::with(&[("content/reports/c.md", &report)]);
    let run = fails(&site);
    run.assert_error_help(
        "a commissioning report needs `report_type`",
        "content/reports/c.md:2:1",
        "final-report",
    );
}

#[test]
fn empty_areas_and_summary() {
    let site = r1_with("areas: [area/a1]", "areas: []");
    site.edit(R1_PATH, "summary: [\"k\"]", "summary: []");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error("`areas` is empty", &loc(R1_PATH, &text, "areas:"));
    run.assert_error("`summary` is empty", &loc(R1_PATH, &text, "summary:"));
}

// ---------------------------------------------------------------------------------------------
// Links from front matter and Markdown.
// ---------------------------------------------------------------------------------------------

fn with_confidential() -> Site {
    Site::with(&[(
        "content/reports/secret.md",
        &commissioning_report("Secret", "confidential", "## Part {#part}\n"),
    )])
}

#[test]
fn link_to_a_confidential_report_from_front_matter() {
    let site = with_confidential();
    site.edit(
        R1_PATH,
        "summary:",
        "derived_from: [report/secret]\nsummary:",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`report/secret` is confidential (content/reports/secret.md): it is never published, so a published page may not link to it",
        &loc(R1_PATH, &text, "report/secret"),
        "remove the link",
    );
}

#[test]
fn link_to_a_confidential_report_from_the_body_and_evidence() {
    let site = with_confidential();
    site.edit(
        R1_PATH,
        "text\n",
        "text\n\nAs in [the secret report](@report/secret#part).\n",
    );
    site.edit(
        R1_PATH,
        "source: \"report/r1#findings\"}]",
        "source: \"report/r1#findings\"}, {kind: document, source: \"report/secret#part\"}]",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    let errors: Vec<Diag> = run
        .errors()
        .into_iter()
        .filter(|d| d.message.contains("`report/secret#part` is confidential"))
        .collect();
    let mut locations: Vec<String> = errors.iter().map(|d| d.location.clone()).collect();
    locations.sort();
    let mut expected = vec![
        loc(R1_PATH, &text, "[the secret report]"),
        loc(R1_PATH, &text, "report/secret#part\"}"),
    ];
    expected.sort();
    assert_eq!(locations, expected, "{run:?}");
}

#[test]
fn broken_cross_reference_in_the_body() {
    let site = r1_with(
        "text\n",
        "text\n\nFirst line.\nSee [the tracer](@tracer/trx) here.\n",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`tracer/trx` does not exist: there is no tracer with id `trx`",
        &loc(R1_PATH, &text, "[the tracer]"),
        "did you mean `tracer/tr`?",
    );
}

#[test]
fn malformed_cross_reference_in_the_body() {
    let site = r1_with("text\n", "text\n\nSee [it](@tracers/tr).\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "unknown kind `tracers` in reference `tracers/tr` (did you mean `tracer`?)",
        &loc(R1_PATH, &text, "[it]"),
    );
}

#[test]
fn relative_md_link_to_a_missing_file() {
    let site = r1_with("text\n", "text\n\nSee [it](../tracers/trx.md).\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "`tracer/trx` does not exist",
        &loc(R1_PATH, &text, "[it]"),
        "did you mean `tracer/tr`?",
    );

    let site = r1_with("text\n", "text\n\nSee [it](../../notes.md).\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "link to `../../notes.md`: no content file there",
        &loc(R1_PATH, &text, "[it]"),
        "content/",
    );
}

#[test]
fn root_absolute_link_in_the_body() {
    let site = r1_with("text\n", "text\n\nSee [it](/reports/r1/).\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "root-absolute link `/reports/r1/`",
        &loc(R1_PATH, &text, "[it]"),
        "relative",
    );
}

#[test]
fn broken_anchor_in_a_body_link() {
    let site = r1_with(
        "text\n",
        "text\n\nFirst line.\nSee [the section](@report/r1#nope) here.\n",
    );
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error(
        "broken anchor `@report/r1#nope`: the page of `report/r1` has no heading or element with id `nope`",
        &loc(R1_PATH, &text, "[the section]"),
    );
}

#[test]
fn broken_anchor_in_a_same_page_link() {
    let site = r1_with("text\n", "text\n\nSee [above](#findngs).\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error("broken anchor `#findngs`", &loc(R1_PATH, &text, "[above]"));
}

#[test]
fn broken_anchor_in_an_evidence_source() {
    let site = r1_with("report/r1#findings", "report/r1#findingz");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    // The mistake is in the report's front matter, so that is where it must be reported (not in
    // the template that wrote the link).
    run.assert_error("findingz", &loc(R1_PATH, &text, "report/r1#findingz"));
}

#[test]
fn unknown_citation_key_in_the_body() {
    let site = with_bibliography();
    site.edit(R1_PATH, "text\n", "text\n\nAs argued [@smth2013, p. 3].\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "unknown citation key `@smth2013`",
        &loc(R1_PATH, &text, "@smth2013"),
        "did you mean `@smith2013`?",
    );
}

#[test]
fn unknown_citation_key_in_an_evidence_source() {
    let site = with_bibliography();
    site.edit(R1_PATH, "\"report/r1#findings\"", "\"@smyth2013\"");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "unknown citation key `@smyth2013`",
        &loc(R1_PATH, &text, "@smyth2013"),
        "did you mean `@smith2013`?",
    );
}

#[test]
fn citation_without_a_bibliography() {
    let site = r1_with("text\n", "text\n\nAs argued [@smith2013].\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "unknown citation key `@smith2013`",
        &loc(R1_PATH, &text, "@smith2013"),
        "bibliography",
    );
}

fn with_bibliography() -> Site {
    let site = Site::minimal();
    site.write(
        "site.yaml",
        format!("{SITE_YAML}bibliography: content/references.bib\n"),
    );
    site.write(
        "content/references.bib",
        "@book{smith2013,\n  author = {Smith, Jane},\n  title = {Book},\n  publisher = {P},\n  year = {2013}\n}\n",
    );
    site.build_ok(&[]);
    std::fs::remove_dir_all(site.out()).unwrap();
    site
}

#[test]
fn bibliography_syntax_error() {
    let site = with_bibliography();
    site.write(
        "content/references.bib",
        "@book{smith2013,\n  author = {Smith, Jane\n",
    );
    let run = fails(&site);
    let d = run.error("unexpected end of file");
    assert!(d.location.starts_with("content/references.bib:"), "{d:?}");
}

#[test]
fn missing_bibliography_file() {
    let site = with_bibliography();
    site.remove("content/references.bib");
    let run = fails(&site);
    let yaml = site.source("site.yaml");
    run.assert_error_help(
        "the bibliography `content/references.bib` that site.yaml names does not exist",
        &loc("site.yaml", &yaml, "content/references.bib"),
        "create the file",
    );
}

// ---------------------------------------------------------------------------------------------
// The glossary, site.yaml and templates.
// ---------------------------------------------------------------------------------------------

#[test]
fn glossary_see_also_names_an_unknown_term() {
    let glossary = "- term: CCG\n  expansion: clinical commissioning group\n  definition: d\n  see_also: [CMOO]\n- term: CMO\n  expansion: e\n  definition: d\n";
    let site = Site::with(&[("content/glossary.yaml", glossary)]);
    let run = fails(&site);
    run.assert_error_help(
        "`see_also` names `CMOO`, which is not a glossary term",
        &loc("content/glossary.yaml", glossary, "CMOO"),
        "did you mean `CMO`?",
    );
}

#[test]
fn glossary_term_defined_twice() {
    let glossary =
        "- term: CCG\n  expansion: a\n  definition: d\n- term: CCG\n  expansion: b\n  definition: d\n";
    let site = Site::with(&[("content/glossary.yaml", glossary)]);
    let run = fails(&site);
    run.assert_error_help(
        "glossary term `CCG` is defined twice",
        &loc_after("content/glossary.yaml", glossary, "expansion: a", "CCG"),
        "merge",
    );
}

#[test]
fn glossary_unknown_field() {
    let glossary = "- term: CCG\n  expansion: a\n  defintion: d\n";
    let site = Site::with(&[("content/glossary.yaml", glossary)]);
    let run = fails(&site);
    run.assert_error_help(
        "`defintion` should be `definition`",
        &loc("content/glossary.yaml", glossary, "defintion"),
        "did you mean `definition`?",
    );
}

#[test]
fn site_yaml_without_base_url() {
    let site = Site::with(&[("site.yaml", "title: \"T\"\n")]);
    let run = fails(&site);
    run.assert_error("`base_url` is missing", "site.yaml:1:1");
}

#[test]
fn site_yaml_with_relative_base_url() {
    for base in [
        "research/t/",
        "/research/t/",
        "www.example.ac.uk/research/t/",
    ] {
        let text = format!("title: \"T\"\nbase_url: \"{base}\"\n");
        let site = Site::with(&[("site.yaml", &text)]);
        let run = fails(&site);
        run.assert_error_help(
            &format!("base_url `{base}` is not an absolute http(s) URL"),
            &loc("site.yaml", &text, base),
            "https://",
        );
    }
}

#[test]
fn relative_base_url_on_the_command_line() {
    let site = Site::minimal();
    let run = site.build(&["--base-url", "/research/t/"]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("/research/t/"), "{run:?}");
    assert!(!site.out().exists());
}

#[test]
fn site_yaml_unknown_field() {
    let text = "title: \"T\"\nbase_ulr: \"https://www.example.ac.uk/\"\n";
    let site = Site::with(&[("site.yaml", text)]);
    let run = fails(&site);
    run.assert_error_help(
        "`base_ulr` is not a field here",
        "site.yaml:2:1",
        "did you mean `base_url`?",
    );
}

#[test]
fn template_syntax_error_names_the_template() {
    let template = "{% extends \"base.html\" %}\n{% block content %}\n<p>{{ page.title </p>\n{% endblock content %}\n";
    let site = Site::with(&[("templates/entity.html", template)]);
    let run = fails(&site);
    let d = run.error("template error");
    assert_eq!(
        d.location,
        loc("templates/entity.html", template, "</p>"),
        "{run:?}"
    );
}

#[test]
fn template_unknown_tag_names_the_template() {
    let template = "{% extends \"base.html\" %}\n{% block content %}\n{% frobnicate %}\n{% endblock content %}\n";
    let site = Site::with(&[("templates/entity.html", template)]);
    let run = fails(&site);
    let d = run.error("template error");
    assert!(
        d.location.starts_with("templates/entity.html:3:"),
        "{run:?}"
    );
}

#[test]
fn a_valid_template_override_is_used() {
    let template = "{% extends \"base.html\" %}\n{% block content %}<p class=\"overridden\">{{ page.title }}</p>{% endblock content %}\n";
    let site = Site::with(&[("templates/entity.html", template)]);
    site.build_ok(&[]);
    assert!(site
        .page("tracers/tr/index.html")
        .contains("<p class=\"overridden\">Tr</p>"));
}

// ---------------------------------------------------------------------------------------------
// All errors in one run.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_error_is_reported_in_one_run() {
    let site = Site::minimal();
    // Four files, four stages: load (YAML), resolve (reference), check (report rule) and render
    // (Markdown cross-reference).
    site.write(
        "content/tracers/tr2.md",
        "---\ntitle: Tr2\nstudy: study/s\nkind: servise\n---\n",
    );
    site.write(
        "content/areas/a2.md",
        "---\ntitle: A2\nstudy: study/t\nanonymised: true\n---\n",
    );
    site.write(
        "content/reports/r2.md",
        commissioning_report("R2", "published", "body\n").replace("report_type: case-study\n", ""),
    );
    site.write(
        "content/pages/about.md",
        "---\ntitle: About\n---\nSee [x](@theory/nope).\n",
    );
    let run = fails(&site);
    run.assert_error_help(
        "`kind` cannot be `servise`",
        "content/tracers/tr2.md:4:7",
        "did you mean `service`?",
    );
    run.assert_error("`study/t` does not exist", "content/areas/a2.md:3:8");
    run.assert_error(
        "a commissioning report needs `report_type`",
        "content/reports/r2.md:2:1",
    );
    run.assert_error("`theory/nope` does not exist", "content/pages/about.md:4:5");
    let in_content: Vec<Diag> = run
        .errors()
        .into_iter()
        .filter(|d| d.location.starts_with("content/"))
        .collect();
    assert_eq!(in_content.len(), 4, "{run:?}");

    // `check` finds the same problems.
    let check = site.check(&[]);
    assert_eq!(check.code, 1, "{check:?}");
    assert_eq!(check.errors(), run.errors());
}

#[test]
fn two_broken_files_are_both_reported() {
    let site = Site::with(&[
        ("content/pages/about.md", "title: About\n"),
        (
            "content/pages/methods.md",
            "---\ntitle: Methods\ntitel: x\n---\n",
        ),
    ]);
    let run = fails(&site);
    run.assert_error("expected YAML front matter", "content/pages/about.md:1:1");
    run.assert_error(
        "`titel` is not a field here",
        "content/pages/methods.md:3:1",
    );
    assert!(run.stderr.contains("2 errors found"), "{run:?}");
}

#[test]
fn errors_are_printed_like_rustc() {
    let site = r1_with("tracer: tracer/tr\n", "tracer: tracer/trr\n");
    let run = fails(&site);
    let text = site.source(R1_PATH);
    let (line, col) = pos(&text, "tracer/trr");
    let expected = format!(
        "error: `tracer/trr` does not exist: there is no tracer with id `trr`\n  --> content/reports/r1.md:{line}:{col}\n   = help: did you mean `tracer/tr`?\n"
    );
    assert!(run.stderr.starts_with(&expected), "{run:?}");
    assert!(run
        .stderr
        .ends_with("1 error found; no output was written\n"));
}

#[test]
fn missing_root_is_a_usage_failure() {
    let dir = tempfile::tempdir().unwrap();
    let run = realist(&["build", "--root", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("no site here"), "{run:?}");
    let run = realist(&["build", "--frobnicate"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn a_dangling_reference_is_reported_once() {
    // The reference is wrong in the content file; the pages that would have linked to the missing
    // study must not add "broken link" errors that blame a template.
    let site = Site::with(&[(
        "content/areas/a2.md",
        "---\ntitle: A2\nstudy: study/t\nanonymised: true\n---\n",
    )]);
    let run = fails(&site);
    run.assert_error("`study/t` does not exist", "content/areas/a2.md:3:8");
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn a_file_that_fails_to_load_does_not_cascade() {
    // The tracer file is broken; the report that names it should not also be told that
    // `tracer/tr` does not exist, nor its pages blame templates for broken links.
    let site = Site::minimal();
    site.edit("content/tracers/tr.md", "kind: service", "kind: servise");
    let run = fails(&site);
    run.assert_error_help(
        "`kind` cannot be `servise`",
        "content/tracers/tr.md:4:7",
        "did you mean `service`?",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn a_reference_to_a_missing_source_is_located_with_a_suggestion() {
    let site = site_with_source();
    site.edit(
        "content/reports/r1.md",
        "sources: [source/pawson-1997]",
        "sources: [source/pawson-1979]",
    );
    let run = fails(&site);
    let text = site.source("content/reports/r1.md");
    run.assert_error_help(
        "`source/pawson-1979` does not exist: there is no source with id `pawson-1979`",
        &loc("content/reports/r1.md", &text, "source/pawson-1979"),
        "did you mean `source/pawson-1997`?",
    );
}

#[test]
fn sources_may_only_be_named_where_the_registry_says() {
    let site = site_with_source();
    site.edit(
        "content/reports/r1.md",
        "sources: [source/pawson-1997]",
        "sources: [tracer/tr]",
    );
    let run = fails(&site);
    let d = run.error("`sources` expects a reference to a source, found `tracer/tr`");
    // `source/tr` does not exist, so it is not suggested: the sources that do are listed.
    assert_eq!(
        d.help.as_deref(),
        Some("write `source/<id>`; the source publications are: pawson-1997")
    );
    // A source's own fields are checked as it is read.
    let site = site_with_source();
    site.edit(
        "content/sources/pawson-1997.md",
        "title: Realistic evaluation\n",
        "",
    );
    fails(&site).error("`title` is missing");
}
