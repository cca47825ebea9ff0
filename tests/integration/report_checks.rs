//! The report checks that span fields: dates that cannot be right, journal details on a work that
//! is not an article, and authors cited the wrong way.
//! Each is located at its value, in plain words, with a fix; legitimate input passes untouched.

use crate::common::*;

/// A published commissioning report with `authors` and `extra` lines of front matter.
fn report(authors: &str, extra: &str) -> String {
    format!(
        "---\ntype: commissioning-report\nreport_type: case-study\ntitle: T\n{extra}\
         authors: {authors}\nstatus: published\nstudy: study/s\nareas: [area/a1]\nsummary: [k]\n---\nBody.\n"
    )
}

fn checked(text: &str) -> (Run, String) {
    let site = Site::with(&[("content/reports/r2.md", text)]);
    (site.check(&[]), text.to_string())
}

fn warnings(run: &Run) -> Vec<Diag> {
    run.diagnostics()
        .into_iter()
        .filter(|d| d.severity == "warning")
        .collect()
}

#[test]
fn a_revision_before_publication_is_an_error_at_updated() {
    let (run, text) = checked(&report(
        "[{name: B}]",
        "date: \"2019-05\"\nupdated: \"2018-01-02\"\n",
    ));
    let d = run.error("`updated` (2018-01-02) is before `date` (2019-05)");
    assert_eq!(
        d.location,
        loc("content/reports/r2.md", &text, "updated:"),
        "{d:?}"
    );
    // A year is not before a month of the same year.
    let (run, _) = checked(&report(
        "[{name: B}]",
        "date: \"2019-05\"\nupdated: \"2019\"\n",
    ));
    run.assert_ok();
}

#[test]
fn future_and_implausible_dates_journal_details_and_organisations_are_warned_about() {
    let extra = "date: \"2999\"\njournal: {title: BMJ Open}\n";
    let (run, _) = checked(&report("[{name: NHS England commissioning team}]", extra));
    let messages: Vec<String> = warnings(&run).into_iter().map(|d| d.message).collect();
    let expected = [
        "`date` (2999) is in the future",
        "`journal` is given, but `report_type` is not `journal-article`",
        "the author `NHS England commissioning team` looks like a team or organisation",
    ];
    for m in expected {
        assert!(messages.iter().any(|x| x.contains(m)), "{m}: {messages:?}");
    }
    let (run, _) = checked(&report("[{name: B}]", "date: \"0042\"\n"));
    assert!(
        run.stderr.contains("`date` (0042) is implausibly early"),
        "{run:?}"
    );
}

#[test]
fn a_person_or_group_written_as_such_is_not_warned_about() {
    let authors = "[{name: Grant Group, family: Group, given: Grant}, {name: Evaluation team, group: true}, {name: \"Smith, Jane\"}]";
    let (run, _) = checked(&report(authors, "date: \"2019\"\n"));
    assert!(warnings(&run).is_empty(), "{run:?}");
    run.assert_ok();
}

#[test]
fn a_group_with_a_persons_details_is_warned_about_at_its_name() {
    let authors = "\n  - name: Evaluation team\n    group: true\n    given: Eva\n    orcid: 0000-0002-1825-0097";
    let (run, text) = checked(&report(authors, "date: \"2019\"\n"));
    let w = warnings(&run);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].message.contains("has `given` and `orcid`"), "{w:?}");
    assert_eq!(
        w[0].location,
        loc("content/reports/r2.md", &text, "Evaluation team")
    );
}
