//! The anonymity lint: a name on site.yaml's deny-list (plain or hashed) planted in any input
//! fails the build at the input that holds it, leaves the previous output as it was, and the
//! build passes once the name is gone. Also: a deny-list in a published folder is refused, a
//! missing one is an error at site.yaml, `realist deny-hash` prints the file's rule, and without
//! an `anonymity:` block nothing is checked.

use crate::common::{self, realist, Site};

/// A name no fixture holds, of two words, so a match across a line break is exercised.
pub(crate) const NAME: &str = "Exampleton Borough";

/// The rich site with `anonymity:` naming `private/deny.txt`, which holds `entry`.
pub(crate) fn site_with(entry: &str, extra_yaml: &str) -> Site {
    let site = Site::rich();
    let yaml = site.source("site.yaml");
    site.write(
        "site.yaml",
        format!("{yaml}{extra_yaml}anonymity:\n  deny_list: private/deny.txt\n"),
    );
    site.write("private/deny.txt", format!("# test list\n{entry}\n"));
    site
}

pub(crate) fn hashed() -> String {
    let run = realist(&["deny-hash", NAME]);
    run.assert_ok();
    run.stdout.trim().to_string()
}

/// Plants `planted` (by `plant`), builds, and checks: the build fails with the deny-list error
/// at `location` (a prefix: file, or file:line:col), the previous output is unchanged, and the
/// build passes once `unplant` has run.
pub(crate) fn fails_at(
    site: &Site,
    plant: impl Fn(&Site),
    unplant: impl Fn(&Site),
    location: &str,
) {
    site.build_ok(&[]);
    let before = common::tree(&site.out());
    plant(site);
    let run = site.build(&[]);
    run.assert_site_errors();
    let found: Vec<_> = run
        .errors()
        .into_iter()
        .filter(|d| d.message.contains("is on the site's deny-list"))
        .collect();
    assert!(
        found.iter().any(|d| d.location.starts_with(location)),
        "expected a deny-list error at {location}, got {found:#?}\n{run:?}"
    );
    assert!(
        !run.stderr.contains("test list"),
        "the list's text is never printed"
    );
    assert_eq!(
        common::tree(&site.out()),
        before,
        "the previous output is untouched"
    );
    unplant(site);
    site.build_ok(&[]);
}

fn each_entry(test: impl Fn(&Site)) {
    for entry in [NAME.to_string(), hashed()] {
        test(&site_with(&entry, ""));
    }
}

#[test]
fn a_name_in_a_page_body_across_a_line_break_fails_at_its_line() {
    each_entry(|site| {
        let about = "content/pages/about.md";
        let text = site.source(about);
        let planted = format!("{text}\nWe met in exampleton\n   BOROUGH last year.\n");
        fails_at(
            site,
            |s| s.write(about, &planted),
            |s| s.write(about, &text),
            &common::loc(about, &planted, "exampleton"),
        );
    });
}

#[test]
fn a_name_in_a_front_matter_title_fails_at_the_title() {
    each_entry(|site| {
        let file = "content/reports/r2.md";
        let text = site.source(file);
        let title = text
            .lines()
            .find(|l| l.starts_with("title:"))
            .unwrap()
            .to_string();
        let planted = text.replacen(&title, &format!("title: {NAME} review"), 1);
        fails_at(
            site,
            |s| s.write(file, &planted),
            |s| s.write(file, &text),
            &common::loc(file, &planted, NAME),
        );
        // Its title reaches the feed, the exports and the citation files too.
        site.write(file, &planted);
        let run = site.build(&[]);
        let d = run.error("is on the site's deny-list");
        assert!(d.message.contains("more"), "{d:?}");
        site.write(file, &text);
    });
}

#[test]
fn a_name_in_a_static_svg_fails_at_the_svg() {
    each_entry(|site| {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><text>{NAME}</text></svg>\n"
        );
        fails_at(
            site,
            |s| s.write("static/map.svg", &svg),
            |s| s.remove("static/map.svg"),
            "static/map.svg:1:",
        );
    });
}

#[test]
fn a_name_in_a_bibliography_entry_fails_at_the_entry() {
    each_entry(|site| {
        let bib = "content/references.bib";
        let text = site.source(bib);
        let planted = text.replace(
            "Commissioning in Practice",
            "Commissioning in Exampleton Borough",
        );
        fails_at(
            site,
            |s| s.write(bib, &planted),
            |s| s.write(bib, &text),
            &common::loc(bib, &planted, NAME),
        );
    });
}

#[test]
fn a_name_in_a_cmo_and_in_a_pdf_report_fails_the_build() {
    for entry in [NAME.to_string(), hashed()] {
        let site = site_with(&entry, "pdf: true\n");
        let file = "content/reports/r1.md";
        let text = site.source(file);
        let planted = text.replacen(
            "rationale: r",
            "rationale: \"seen in Exampleton Borough\"",
            1,
        );
        assert_ne!(planted, text);
        fails_at(
            &site,
            |s| s.write(file, &planted),
            |s| s.write(file, &text),
            &common::loc(file, &planted, NAME),
        );
    }
}

#[test]
fn a_deny_list_inside_content_is_refused_at_site_yaml() {
    let site = Site::rich();
    let yaml = format!(
        "{}anonymity:\n  deny_list: content/deny.txt\n",
        site.source("site.yaml")
    );
    site.write("site.yaml", &yaml);
    site.write("content/deny.txt", "Oldtown\n");
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    run.assert_error(
        "which the site publishes",
        &common::loc("site.yaml", &yaml, "content/deny.txt"),
    );
    assert!(!run.stderr.contains("Oldtown"));
}

#[test]
fn a_missing_deny_list_is_an_error_at_site_yaml() {
    let site = Site::rich();
    let yaml = format!(
        "{}anonymity:\n  deny_list: private/deny.txt\n",
        site.source("site.yaml")
    );
    site.write("site.yaml", &yaml);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    run.assert_error(
        "does not exist",
        &common::loc("site.yaml", &yaml, "private/deny.txt"),
    );
}

#[test]
fn deny_hash_prints_the_sha256_of_the_normal_form_with_its_word_count() {
    // `printf %s 'exampleton borough' | sha256sum`
    let want = "sha256:2:e6b42b33b6627922b3139c708033da997867835bee885a59ab45f5f22292d9c6";
    for written in [NAME, "  EXAMPLETON-borough ", "exampleton\nborough"] {
        let run = realist(&["deny-hash", written]);
        run.assert_ok();
        assert_eq!(run.stdout.trim(), want, "{written:?}");
    }
    assert_eq!(realist(&["deny-hash", "--"]).code, 2);
}

#[test]
fn without_an_anonymity_block_nothing_is_checked() {
    let site = Site::rich();
    site.write("private/deny.txt", "Exampleton Borough\n");
    let about = "content/pages/about.md";
    site.write(about, format!("{}\nIn {NAME}.\n", site.source(about)));
    site.build_ok(&[]);
}

/// A file name or a URL writes a space as `_`, `%20` or `+`: the name is found all the same.
#[test]
fn a_name_in_a_file_name_or_a_url_fails_the_build() {
    each_entry(|site| {
        fails_at(
            site,
            |s| s.write("static/files/Exampleton_Borough_plan.txt", "plan\n"),
            |s| s.remove("static/files/Exampleton_Borough_plan.txt"),
            "",
        );
        let page = site.source("content/reports/r1.md");
        for url in [
            "https://example.org/Exampleton%20Borough/plan.pdf",
            "https://example.org/maps/Exampleton+Borough",
        ] {
            fails_at(
                site,
                |s| s.write("content/reports/r1.md", format!("{page}\n[plan]({url})\n")),
                |s| s.write("content/reports/r1.md", &page),
                "content/reports/r1.md:",
            );
        }
    });
}

/// A list with no names (only comments, or a file a script failed to fill) is an error, and a
/// `#` after a name starts a comment rather than joining the name.
#[test]
fn an_empty_deny_list_is_an_error_and_a_comment_may_follow_a_name() {
    let site = site_with("# nothing yet", "");
    site.write("private/deny.txt", "# only a comment\n\n");
    let run = site.build(&[]);
    run.assert_site_errors();
    assert!(
        run.errors()
            .iter()
            .any(|d| d.message.contains("has no names in it")),
        "{run:?}"
    );
    site.write(
        "private/deny.txt",
        format!("{NAME}  # the area's real name\n"),
    );
    fails_at(
        &site,
        |s| s.write("static/n.txt", format!("{NAME}\n")),
        |s| s.remove("static/n.txt"),
        "static/n.txt:1:",
    );
}

/// A static file whose type the lint does not know by its name (a map's GeoJSON, a README) is
/// read as text when it is text.
#[test]
fn a_name_in_a_static_file_of_an_unknown_type_fails_the_build() {
    each_entry(|site| {
        for file in ["static/areas.geojson", "static/README"] {
            let text = format!("{{\"name\": \"{NAME}\"}}\n");
            fails_at(
                site,
                |s| s.write(file, &text),
                |s| s.remove(file),
                &format!("{file}:1:"),
            );
        }
    });
}

/// `realist serve` runs the lint too: a name planted by an edit that `serve` renders
/// incrementally is an error and is not served; a full build started by the next update clears
/// it once the name is gone.
#[test]
fn serve_finds_a_name_an_incremental_update_writes_and_clears_it_when_removed() {
    use realist::serve::incremental::{Session, UpdateKind};
    use std::path::PathBuf;
    for entry in [NAME.to_string(), hashed()] {
        let site = site_with(&entry, "");
        let tmp = tempfile::tempdir().unwrap();
        let mut session = Session::new(site.root(), &tmp.path().join("serve"));
        let first = session.full("test");
        assert!(first.ok, "{:?}", first.diagnostics);
        let report = "content/reports/r1.md";
        let clean = site.source(report);
        site.write(report, format!("{clean}\nA visit to {NAME}.\n"));
        let update = session.refresh(&[PathBuf::from(report)]);
        assert_eq!(update.kind, UpdateKind::Incremental, "{:?}", update.reasons);
        assert!(!update.ok, "the name is an error in serve too");
        assert!(
            (update.diagnostics.iter())
                .any(|d| d.message.contains("deny-list") && d.path.ends_with(report)),
            "{:?}",
            update.diagnostics
        );
        let served = session.live_dir().unwrap().join("reports/r1/index.html");
        let page = std::fs::read_to_string(served).unwrap();
        assert!(!page.contains("Exampleton"), "the name is not served");
        site.write(report, &clean);
        let update = session.refresh(&[PathBuf::from(report)]);
        assert!(update.ok, "{:?}", update.diagnostics);
    }
}
