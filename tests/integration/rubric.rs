//! The team's rubric (`rubric:` in site.yaml): each rule fires at the value that breaks it with a
//! message naming the rule and a help saying what would satisfy it; a custom rubric changes the
//! outcome; a rule can be made a warning; a mistyped key gets a "did you mean"; the mechanism split
//! flag is shown and exported; and the example site passes with its rubric enforced. A bare
//! `rubric:` and a key of it left empty take the defaults; a blank `status_note` explains nothing;
//! a negative count is told in plain words.

use crate::common::*;

const R1_PATH: &str = "content/reports/r1.md";

/// The minimal site with `rubric` appended to its site.yaml.
fn with_rubric(rubric: &str) -> Site {
    let site = Site::minimal();
    site.write("site.yaml", format!("{SITE_YAML}rubric: {rubric}\n"));
    site
}

#[test]
fn without_a_rubric_nothing_is_judged_by_one() {
    // R1's CMO is `supported` with `low` confidence, which the default rubric refuses.
    Site::minimal().build_ok(&[]);
}

#[test]
fn least_confidence_is_located_at_the_cmos_own_status() {
    let site = with_rubric("{}");
    let run = site.check(&[]);
    let text = site.source(R1_PATH);
    let at = loc_after(R1_PATH, &text, "\n    status: ", "supported");
    run.assert_error_help(
        "CMO `c1` is `supported` with `low` confidence, but the rubric (`least_confidence.supported`) allows `supported` only from `moderate` confidence",
        &at,
        "or give a status that `low` confidence allows (`initial`, `partially-supported`, `contested`)",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn high_confidence_needs_more_than_one_area() {
    let site = with_rubric("{}");
    site.edit(R1_PATH, "level: low", "level: high");
    let run = site.check(&[]);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "CMO `c1` is rated `high` confidence on 1 area, but the rubric (`confidence.high`) needs at least 2 distinct areas",
        &loc(R1_PATH, &text, "high"),
        "lower the `level`",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
    // A second area, and a second supporting item, satisfy it.
    site.write("content/areas/a2.md", AREA.replace("A1", "A2"));
    site.edit(R1_PATH, "areas: [area/a1]", "areas: [area/a1, area/a2]");
    let run = site.check(&[]);
    run.error("needs at least 2 supporting evidence items");
    site.edit(
        R1_PATH,
        "    evidence: [{kind: interview, source: \"report/r1#findings\"}]",
        "    evidence: [{kind: interview, source: \"report/r1#findings\"}, {kind: document, source: \"report/r1#findings\"}]",
    );
    site.check(&[]).assert_ok();
}

#[test]
fn a_custom_rubric_changes_the_outcome_and_can_make_a_rule_a_warning() {
    let site = with_rubric("{least_confidence: {supported: low}, confidence: {high: {areas: 1}}}");
    site.edit(R1_PATH, "level: low", "level: high");
    site.check(&[]).assert_ok();

    let site = with_rubric("{confidence: {moderate: {evidence_kinds: 2}}}");
    site.edit(R1_PATH, "level: low", "level: moderate");
    site.check(&[]).error("on 1 kind of evidence, but the rubric (`confidence.moderate`) needs at least 2 distinct kinds of evidence");

    let site = with_rubric("{warnings: [least_confidence]}");
    let run = site.check(&[]);
    run.assert_ok();
    let warned = run.diagnostics();
    assert!(
        warned
            .iter()
            .any(|d| d.severity == "warning" && d.message.contains("least_confidence.supported")),
        "{run:?}"
    );
    assert!(site.check(&["--deny-warnings"]).code != 0);
}

#[test]
fn observed_cmo_from_a_study_that_reports_themes_should_be_derived() {
    let site = with_rubric("{least_confidence: {}}");
    site.write(
        "content/studies/s.md",
        STUDY.replace("title: S\n", "title: S\ndesign: multi-site-case-study\n"),
    );
    let run = site.check(&[]);
    let text = site.source(R1_PATH);
    run.assert_error_help(
        "CMO `c1` is `observed`, but its study `study/s` is a multi-site-case-study, and the rubric (`observed_designs`) keeps `observed` for CMOs set out by the authors of a realist-evaluation",
        &loc_after(R1_PATH, &text, "id: c1", "observed"),
        "write `kind: derived`",
    );
    site.edit(R1_PATH, "kind: observed", "kind: derived");
    site.check(&[]).assert_ok();
    // A realist evaluation's authors set out their own CMOs.
    site.edit(R1_PATH, "kind: derived", "kind: observed");
    site.write(
        "content/studies/s.md",
        STUDY.replace("title: S\n", "title: S\ndesign: realist-evaluation\n"),
    );
    assert!(!site.check(&[]).stderr.contains("observed_designs"));
}

#[test]
fn an_anticipated_cmo_gives_its_theorys_verdict_unless_a_note_explains() {
    let site = with_rubric("{least_confidence: {}}");
    site.write("content/cmos/c2.md", standalone_cmo("c2", ""));
    site.check(&[]).assert_ok();
    site.edit(
        "content/theories/pt.md",
        "status: untested",
        "status: not-supported",
    );
    let run = site.check(&[]);
    let text = site.source("content/cmos/c2.md");
    run.assert_error_help(
        "anticipated CMO `c2` is `initial`, but its theory `theory/pt` is `not-supported`; the rubric (`theory_verdicts.not-supported`) allows `refuted` or `superseded`",
        &loc_after("content/cmos/c2.md", &text, "\nstatus: ", "initial"),
        "explain the difference in `status_note:`",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
    // Observed CMOs report what happened, so R1's `supported` CMO is not judged by its theory.
    site.write(
        "content/cmos/c2.md",
        standalone_cmo(
            "c2",
            "status_note: \"Not yet tested against the national data\"\n",
        ),
    );
    site.check(&[]).assert_ok();
    site.build_ok(&[]);
    assert!(site
        .page("cmos/c2/index.html")
        .contains("Not yet tested against the national data"));
}

#[test]
fn a_mistyped_rubric_key_gets_did_you_mean() {
    let site = with_rubric("{least_confidense: {supported: moderate}}");
    let run = site.check(&[]);
    let d = run.error("least_confidense");
    assert!(d.location.starts_with("site.yaml:3:"), "{d:?}");
    assert!(format!("{d:?}").contains("least_confidence"), "{run:?}");
    let run = with_rubric("{confidence: {hihg: {areas: 2}}}").check(&[]);
    assert!(
        format!("{:?}", run.error("hihg")).contains("high"),
        "{run:?}"
    );
}

#[test]
fn needs_evidence_follows_the_rubric() {
    let site =
        with_rubric("{least_confidence: {}, needs_evidence: [observed, derived, anticipated]}");
    site.write("content/cmos/c2.md", standalone_cmo("c2", ""));
    site.check(&[])
        .error("CMO `c2` is anticipated but gives no `evidence`");
    let site = with_rubric("{least_confidence: {}, needs_evidence: []}");
    site.edit(R1_PATH, "    confidence: {level: low, rationale: r}\n", "");
    site.check(&[]).assert_ok();
}

#[test]
fn the_mechanism_split_flag_is_shown_and_exported() {
    let site = Site::minimal();
    site.edit(
        R1_PATH,
        "    mechanism: {text: m}",
        "    mechanism: {resource: money, reasoning: trust, split: editorial}",
    );
    site.build_ok(&[]);
    let page = site.page("cmos/c1/index.html");
    assert!(
        page.contains("Split into resource and reasoning by the editors"),
        "{page}"
    );
    let json = std::fs::read_to_string(site.out().join("exports/cmos.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["cmos"][0]["mechanism"]["split_by_editors"], true);
    let csv = std::fs::read_to_string(site.out().join("exports/cmos.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap()
        .trim_start_matches('\u{feff}')
        .split(',')
        .collect();
    let i = header
        .iter()
        .position(|h| *h == "mechanism_split_by_editors")
        .unwrap();
    assert!(
        lines.next().unwrap().split(',').nth(i) == Some("yes"),
        "{csv}"
    );

    // The authors' own split says nothing; a split without resource and reasoning is an error.
    site.edit(R1_PATH, "split: editorial", "split: authors");
    site.build_ok(&[]);
    assert!(!site.page("cmos/c1/index.html").contains("by the editors"));
    site.edit(
        R1_PATH,
        "{resource: money, reasoning: trust, split: authors}",
        "{text: m, split: editorial}",
    );
    let run = site.check(&[]);
    let text = site.source(R1_PATH);
    run.assert_error(
        "CMO `c1` marks how its mechanism was split (`split:`) but gives no `resource` and `reasoning`",
        &loc(R1_PATH, &text, "editorial"),
    );
}

#[test]
fn the_example_site_passes_with_its_rubric_enforced() {
    let root = env!("CARGO_MANIFEST_DIR");
    let yaml = std::fs::read_to_string(format!("{root}/site.yaml")).unwrap();
    assert!(
        yaml.contains("\nrubric:"),
        "the example site states its rubric"
    );
    let run = realist_in(std::path::Path::new(root), &["check"]);
    let rubric_errors: Vec<_> = run
        .diagnostics()
        .into_iter()
        .filter(|d| d.message.contains("the rubric") || d.message.contains("split"))
        .collect();
    assert!(rubric_errors.is_empty(), "{rubric_errors:#?}");
    run.assert_ok();
}

/// The least_confidence error the default rubric gives R1's `supported` CMO of `low` confidence.
const LEAST: &str =
    "the rubric (`least_confidence.supported`) allows `supported` only from `moderate` confidence";

#[test]
fn a_bare_rubric_and_its_empty_keys_take_the_defaults() {
    // `rubric:` alone is `rubric: {}`, never "no rubric".
    for bare in ["", "~", "null"] {
        let run = with_rubric(bare).check(&[]);
        run.error(LEAST);
        assert_eq!(run.errors().len(), 1, "{bare:?}: {run:?}");
    }
    // A key whose entries are commented out is a key left out: its default applies.
    let site = with_rubric(
        "\n  least_confidence:\n    # supported: moderate\n  confidence:\n    high:\n  warnings:\n",
    );
    let run = site.check(&[]);
    run.error(LEAST);
    assert_eq!(run.errors().len(), 1, "{run:?}");
    // The default of `confidence.high` (two areas) applies too.
    site.edit(R1_PATH, "level: low", "level: high");
    site.check(&[]).error("needs at least 2 distinct areas");
    // An empty mapping is still "nothing": `least_confidence: {}` allows any confidence.
    with_rubric("{least_confidence: {}}").check(&[]).assert_ok();
}

#[test]
fn a_blank_status_note_explains_nothing() {
    let site = with_rubric("{least_confidence: {}}");
    site.edit(
        "content/theories/pt.md",
        "status: untested",
        "status: not-supported",
    );
    for blank in ["\"\"", "\"  \""] {
        site.write(
            "content/cmos/c2.md",
            standalone_cmo("c2", &format!("status_note: {blank}\n")),
        );
        let run = site.check(&[]);
        let text = site.source("content/cmos/c2.md");
        run.assert_error_help(
            "CMO `c2`: `status_note` is empty",
            // Inside the quotes, just past the opening one.
            &{
                let (line, column) = pos(&text, "status_note: ");
                format!(
                    "content/cmos/c2.md:{line}:{}",
                    column + "status_note: \"".len()
                )
            },
            "or remove `status_note:`",
        );
        // And it exempts the CMO from no rule.
        run.error(
            "anticipated CMO `c2` is `initial`, but its theory `theory/pt` is `not-supported`",
        );
        assert_eq!(run.errors().len(), 2, "{run:?}");
    }
    // Without a rubric a blank note is still refused.
    let site = Site::minimal();
    site.write(
        "content/cmos/c2.md",
        standalone_cmo("c2", "status_note: \"\"\n"),
    );
    site.check(&[]).error("`status_note` is empty");
}

#[test]
fn a_negative_count_is_told_in_plain_words() {
    let run = with_rubric("{confidence: {high: {areas: -1}}}").check(&[]);
    let d = run.error("a whole number of 0 or more");
    assert!(d.location.starts_with("site.yaml:3:"), "{d:?}");
    assert!(d.message.contains("`-1`"), "{d:?}");
    for jargon in ["usize", "u64", "integer", "floating"] {
        assert!(!run.stderr.contains(jargon), "{jargon}: {run:?}");
    }
}
