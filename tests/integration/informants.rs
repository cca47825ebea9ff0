//! A study's registry of informants: evidence that names an informant is attributed from the
//! registry on the CMO page and in every export; a `role-only` study's ids appear nowhere in the
//! output; a dangling informant is a located error with a suggestion; a free `role:` still works.

use crate::common::*;

/// The minimal study with one informant, and `extra` front matter (such as `attribution:`).
fn study(extra: &str) -> String {
    format!(
        "---\ntitle: S\n{extra}informants:\n  - id: ccg-manager-3\n    role: \"CCG manager\"\n    organisation: \"clinical commissioning group\"\n    area: area/a1\n    interviewed: 2016\n---\nbody\n"
    )
}

/// The minimal site whose study is `study` and whose CMO's evidence item ends with `evidence`.
fn site(study: &str, evidence: &str) -> Site {
    let site = Site::with(&[("content/studies/s.md", study)]);
    site.edit(
        "content/reports/r1.md",
        "source: \"report/r1#findings\"}",
        &format!("source: \"report/r1#findings\", quote: \"We met monthly\"{evidence}}}"),
    );
    site
}

const ATTRIBUTION: &str = "CCG manager, A1, interviewed 2016";

#[test]
fn attribution_is_built_from_the_registry_on_the_cmo_page_and_in_every_export() {
    let site = site(&study(""), ", informant: ccg-manager-3");
    site.build_ok(&[]);
    let page = site.page("cmos/c1/index.html");
    assert!(
        page.contains(&format!("{ATTRIBUTION} (ccg-manager-3)")),
        "{}",
        between(&page, "<ol class=\"evidence\">", "</ol>")
    );
    let json: serde_json::Value =
        serde_json::from_str(&site.page("exports/cmos.json")).expect("cmos.json is JSON");
    let e = &json["cmos"][0]["evidence"][0];
    assert_eq!(
        e["informant_role"],
        format!("{ATTRIBUTION} (ccg-manager-3)")
    );
    assert_eq!(e["informant"], "ccg-manager-3");
    assert_eq!(e["informant_organisation"], "clinical commissioning group");
    let csv = site.page("exports/evidence.csv");
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains("informant_role,informant,informant_organisation"),
        "{header}"
    );
    assert!(
        csv.contains(&format!(
            "\"{ATTRIBUTION} (ccg-manager-3)\",ccg-manager-3,clinical commissioning group"
        )),
        "{csv}"
    );
    let files = tree(&site.out());
    let sheet = files
        .iter()
        .find(|(k, _)| k.starts_with("exports/realist.xlsx!") && k.contains("sharedStrings"))
        .map(|(_, v)| String::from_utf8_lossy(v).to_string())
        .expect("the workbook has shared strings");
    assert!(sheet.contains(ATTRIBUTION), "{sheet}");
}

#[test]
fn a_role_only_study_shows_no_informant_id_anywhere_in_the_output() {
    let site = site(
        &study("attribution: role-only\n"),
        ", informant: ccg-manager-3",
    );
    site.build_ok(&[]);
    let page = site.page("cmos/c1/index.html");
    assert!(page.contains(ATTRIBUTION), "the role is still shown");
    let leaks: Vec<String> = tree(&site.out())
        .into_iter()
        .filter(|(_, bytes)| String::from_utf8_lossy(bytes).contains("ccg-manager-3"))
        .map(|(path, _)| path)
        .collect();
    assert!(
        leaks.is_empty(),
        "the informant's id is published in {leaks:?}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&site.page("exports/cmos.json")).expect("cmos.json is JSON");
    assert_eq!(
        json["cmos"][0]["evidence"][0]["informant_role"],
        ATTRIBUTION
    );
}

#[test]
fn a_role_only_study_may_not_write_an_id_where_it_would_be_published() {
    let site = site(
        &study("attribution: role-only\n"),
        ", informant: ccg-manager-3, locator: \"p. 4, ccg-manager-3\"",
    );
    let run = site.check(&[]);
    let text = site.source("content/reports/r1.md");
    run.assert_error_help(
        "informant id `ccg-manager-3` would be published, but study `s` has `attribution: role-only`",
        &loc_after("content/reports/r1.md", &text, "p. 4, ", "ccg-manager-3"),
        "name the informant with `informant:` only",
    );
}

/// Every place an id would be published is checked, in any case: a rationale, a status note,
/// the report's body, and a theory's text; the `informant:` value is not.
#[test]
fn a_role_only_id_is_refused_in_any_field_and_any_case() {
    let site = site(
        &study("attribution: role-only\n"),
        ", informant: ccg-manager-3",
    );
    site.edit(
        "content/reports/r1.md",
        "status: supported",
        "status: supported\n    status_note: \"CCG-Manager-3 disagreed\"",
    );
    let report = site.source("content/reports/r1.md");
    let body = format!("{report}\nAs ccg-manager-3 put it, nothing changed.\n");
    site.write("content/reports/r1.md", &body);
    site.write(
        "content/theories/pt.md",
        format!("{THEORY}A theory quoting Ccg-manager-3.\n"),
    );
    let run = site.check(&[]);
    let text = site.source("content/reports/r1.md");
    let message =
        "informant id `ccg-manager-3` would be published, but study `s` has `attribution: role-only`";
    let at: Vec<String> = run
        .errors()
        .into_iter()
        .filter(|d| d.message == message)
        .map(|d| d.location)
        .collect();
    let theory_text = site.source("content/theories/pt.md");
    let theory = loc("content/theories/pt.md", &theory_text, "Ccg-manager-3");
    let expected = [
        loc("content/reports/r1.md", &text, "CCG-Manager-3 disagreed"),
        loc("content/reports/r1.md", &text, "ccg-manager-3 put it"),
        theory,
    ];
    for e in &expected {
        assert!(at.contains(e), "{e} not in {at:?}");
    }
    assert_eq!(at.len(), expected.len(), "{at:?}");
}

/// A study file that fails to load is the one error: the evidence naming its informants is not
/// blamed for a missing study.
#[test]
fn a_study_that_fails_to_load_is_the_only_error_about_its_informants() {
    let site = site(
        &study("attribution: role_only\n"),
        ", informant: s/ccg-manager-3",
    );
    let run = site.check(&[]);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].location.starts_with("content/studies/s.md"),
        "{errors:?}"
    );
}

#[test]
fn a_dangling_informant_is_a_located_error_with_a_suggestion() {
    let site = site(&study(""), ", informant: ccg-manager-4");
    let run = site.check(&[]);
    let text = site.source("content/reports/r1.md");
    run.assert_error_help(
        "informant `ccg-manager-4`: study `s` lists no informant `ccg-manager-4`",
        &loc("content/reports/r1.md", &text, "ccg-manager-4"),
        "did you mean `ccg-manager-3`?",
    );
    let site = self::site(&study(""), ", informant: t/ccg-manager-3");
    site.check(&[])
        .error("informant `t/ccg-manager-3`: there is no study `t`");
}

#[test]
fn a_free_role_that_disagrees_with_the_registry_is_a_warning_and_the_registry_wins() {
    let site = site(&study(""), ", informant: ccg-manager-3, role: \"GP\"");
    let run = site.build(&[]);
    run.assert_ok();
    let warning = run
        .diagnostics()
        .into_iter()
        .find(|d| d.severity == "warning" && d.message.contains("disagrees with informant"))
        .unwrap_or_else(|| panic!("no warning: {run:?}"));
    assert!(
        warning.location.starts_with("content/reports/r1.md:"),
        "{warning:?}"
    );
    assert!(site.page("cmos/c1/index.html").contains(ATTRIBUTION));
    let agreeing = self::site(
        &study(""),
        ", informant: ccg-manager-3, role: \"ccg manager\"",
    );
    let run = agreeing.build(&[]);
    assert!(!run.stderr.contains("disagrees"), "{run:?}");
}

#[test]
fn a_free_role_still_works_without_a_registry() {
    let site = site(STUDY, ", role: \"Practice nurse, A1\"");
    site.build_ok(&[]);
    assert!(site
        .page("cmos/c1/index.html")
        .contains("Practice nurse, A1"));
    assert!(site
        .page("exports/evidence.csv")
        .contains("Practice nurse, A1"));
}

#[test]
fn a_registry_that_repeats_an_id_or_names_a_missing_area_is_refused() {
    let text = study("").replace(
        "---\nbody",
        "  - id: ccg-manager-3\n    role: GP\n    area: area/a9\n---\nbody",
    );
    let site = Site::with(&[("content/studies/s.md", &text)]);
    let run = site.check(&[]);
    run.error("informant `ccg-manager-3` is listed twice in `informants`");
    run.error("area/a9");
}

/// A role-only id is refused in every input a page is made from, not only in content files:
/// site.yaml, the glossary, the bibliography, a template, a text static file, a file's name and
/// the anchor a heading becomes. A YAML comment may still hold it.
#[test]
fn a_role_only_id_is_refused_in_every_input_its_name_and_a_heading_anchor() {
    let site = site(
        &study("attribution: role-only\n"),
        ", informant: ccg-manager-3",
    );
    site.edit(
        "site.yaml",
        "title:",
        "description: \"Views of Ccg-Manager-3\"  # ccg-manager-3 is fine here\ntitle:",
    );
    site.write(
        "content/glossary.yaml",
        "# ccg-manager-3 in a comment is fine\n- term: PbR\n  definition: \"As CCG-MANAGER-3 defined it\"\n",
    );
    site.write("static/notes.txt", "Notes from ccg-manager-3's interview\n");
    site.write(
        "static/ccg-manager-3_transcript.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    let report = site.source("content/reports/r1.md");
    site.write(
        "content/reports/r1.md",
        format!("{report}\n## CCG manager 3: a view\n\nText.\n"),
    );
    let run = site.check(&[]);
    let message =
        "informant id `ccg-manager-3` would be published, but study `s` has `attribution: role-only`";
    let at: Vec<String> = (run.errors().into_iter())
        .filter(|d| d.message == message)
        .map(|d| d.location)
        .collect();
    let yaml = site.source("site.yaml");
    let glossary = site.source("content/glossary.yaml");
    let report = site.source("content/reports/r1.md");
    let expected = [
        loc("site.yaml", &yaml, "Ccg-Manager-3\""),
        loc("content/glossary.yaml", &glossary, "CCG-MANAGER-3"),
        "static/notes.txt:1:12".to_string(),
        "static/ccg-manager-3_transcript.svg:1:1".to_string(),
        loc("content/reports/r1.md", &report, "CCG manager 3: a view"),
    ];
    for e in &expected {
        assert!(at.contains(e), "{e} not in {at:?}");
    }
    assert_eq!(at.len(), expected.len(), "{at:?}");
}
