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
    hashed_of(NAME)
}

/// The hashed entry `realist deny-hash` prints for `name`.
fn hashed_of(name: &str) -> String {
    let run = realist(&["deny-hash", name]);
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
    let printed = run.stderr.to_lowercase();
    for name in ["exampleton", "zorbington", "mbleton"] {
        assert!(
            !printed.contains(name),
            "the name found is never printed, not even in a path: {run:?}"
        );
    }
    assert_eq!(
        common::tree(&site.out()),
        before,
        "the previous output is untouched"
    );
    unplant(site);
    site.build_ok(&[]);
}

fn each_entry(test: impl Fn(&Site)) {
    each_entry_of(NAME, test);
}

/// Plants a static SVG whose `<text>` holds `text`, and checks the build fails at the SVG.
fn fails_in_svg(site: &Site, text: &str) {
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\"><text>{text}</text></svg>\n"
    );
    fails_at(
        site,
        |s| s.write("static/map.svg", &svg),
        |s| s.remove("static/map.svg"),
        "static/map.svg:1:",
    );
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
    each_entry(|site| fails_in_svg(site, NAME));
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
            "static/files/[deny-listed name]_plan.txt",
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

/// Each of `names`' entries, plain and hashed (by `realist deny-hash`), in a site of its own.
fn each_entry_of(name: &str, test: impl Fn(&Site)) {
    for entry in [name.to_string(), hashed_of(name)] {
        test(&site_with(&entry, ""));
    }
}

/// Appends `body` to the about page, builds, and checks the error is located in that page.
fn fails_in_about(site: &Site, body: &str) {
    let about = "content/pages/about.md";
    let text = site.source(about);
    let planted = format!("{text}\n{body}\n");
    fails_at(
        site,
        |s| s.write(about, &planted),
        |s| s.write(about, &text),
        &format!("{about}:"),
    );
}

/// A decomposed accent is the composed one, and fullwidth letters are ASCII (Unicode NFKC).
#[test]
fn a_name_in_another_unicode_form_fails_the_build() {
    each_entry_of("Ämbleton Borough", |site| {
        fails_in_about(site, "We met in A\u{308}mbleton Borough.");
    });
    each_entry(|site| {
        fails_in_about(site, "We met in ＥＸＡＭＰＬＥＴＯＮ Ｂｏｒｏｕｇｈ.");
    });
    each_entry_of("A\u{308}mbleton", |site| {
        fails_in_about(site, "We met in ämbleton.");
    });
}

/// Invisible characters inside a name are skipped: raw, as character references, in the body
/// and in front matter.
#[test]
fn a_name_with_invisible_characters_fails_the_build() {
    each_entry(|site| {
        for body in [
            "In Exam\u{ad}pleton Borough.",
            "In Exam&shy;ple&#x200B;ton Bor&#173;ough.",
            "In Exam&ZeroWidthSpace;pleton\u{2060} Borough.",
        ] {
            fails_in_about(site, body);
        }
        let file = "content/reports/r2.md";
        let text = site.source(file);
        let title = text.lines().find(|l| l.starts_with("title:")).unwrap();
        let planted = text.replacen(title, "title: \"Exam\\u200Bpleton\u{200d} Borough\"", 1);
        fails_at(
            site,
            |s| s.write(file, &planted),
            |s| s.write(file, &text),
            &format!("{file}:"),
        );
    });
}

/// A citation key runs the name and the year together: words are cut between letters and
/// digits, so the key holds the name.
#[test]
fn a_name_in_a_citation_key_fails_the_build() {
    each_entry_of("Zorbington", |site| {
        let bib = "content/references.bib";
        let page = "content/reports/r1.md";
        let (bib_text, page_text) = (site.source(bib), site.source(page));
        let key = |t: &str| t.replace("smith2013", "Zorbington2015a");
        fails_at(
            site,
            |s| {
                s.write(bib, key(&bib_text));
                s.write(page, key(&page_text));
            },
            |s| {
                s.write(bib, &bib_text);
                s.write(page, &page_text);
            },
            "content/",
        );
    });
}

/// Inline markup between two letters does not split a name: Markdown emphasis (which the page
/// carries as `<em>Ex</em>ampleton`), a comment, and inline tags in a static SVG drawing (raw
/// HTML in Markdown is published as text, so it splits nothing there). A name in an attribute of
/// such a tag is still found.
#[test]
fn a_name_split_by_inline_markup_fails_the_build() {
    each_entry(|site| {
        for body in [
            "In *Ex*ampleton Borough.",
            "In Ex<!-- x -->ampleton Borough.",
        ] {
            fails_in_about(site, body);
        }
        for text in [
            "Ex<tspan>ample</tspan>ton Borough",
            "Ex<tspan class=\"x\">ampleton</tspan> Bor<!-- -->ough",
            "Ex<tspan class=\"Exampleton Borough\">a</tspan>b",
        ] {
            fails_in_svg(site, text);
        }
    });
}

/// A short entry is not found in letters a space or a block tag separates; a digit after it
/// (`Qz2`) is another word, so that one is found, as a citation key would be.
#[test]
fn a_short_entry_is_not_found_across_spaces_or_block_tags() {
    each_entry_of("QZ", |site| {
        let about = "content/pages/about.md";
        let text = site.source(about);
        site.write(
            about,
            format!("{text}\n| A | B |\n|---|---|\n| Q | Z |\n\nQ Z, Q-Zed, QZA.\n"),
        );
        site.build_ok(&[]);
        fails_in_about(site, "Site Qz2.");
    });
}

#[test]
fn deny_hash_reads_a_name_however_it_is_written() {
    let want = realist(&["deny-hash", "Zörbington"]);
    want.assert_ok();
    for written in [
        "ZÖRBINGTON",
        "Zör\u{200b}bington",
        "Zo\u{308}rbington",
        "Ｚöｒｂｉｎｇｔｏｎ",
    ] {
        let run = realist(&["deny-hash", written]);
        run.assert_ok();
        assert_eq!(run.stdout, want.stdout, "{written:?}");
    }
    let area = realist(&["deny-hash", "Area51"]);
    assert_eq!(area.stdout, realist(&["deny-hash", "area 51"]).stdout);
    assert!(area.stdout.starts_with("sha256:2:"), "{area:?}");
}

/// Short entries made of hex letters do not hit the search index's hashed file names, which no
/// input writes and which change with every edit.
#[test]
fn short_hex_like_entries_do_not_hit_the_search_index_file_names() {
    let entries = [
        "fe", "cd", "ab", "bf", "dcf", "fbb", "ae", "ec", "fa", "bd", "cf", "db",
    ];
    let site = site_with(&entries.join("\n"), "search: true\n");
    site.build_ok(&[]);
    let hashed = common::tree(&site.out())
        .into_keys()
        .filter(|p| p.starts_with("pagefind/fragment/"))
        .count();
    assert!(hashed > 0, "the site has a search index");
}

/// Every Unicode default-ignorable character inside a name is skipped, as a class: variation
/// selectors, tag characters, the Mongolian vowel separator and the Hangul filler among them.
#[test]
fn a_name_with_any_default_ignorable_character_fails_the_build() {
    each_entry_of("Zorbington", |site| {
        for body in [
            "In Zor\u{FE0F}bington.",
            "In Zor\u{E0041}bington.",
            "In Zor\u{180E}bington.",
            "In Zor\u{3164}bington.",
        ] {
            fails_in_about(site, body);
        }
    });
}

/// Diacritics are dropped after lower-casing, in the text and the list alike: a capital I with
/// a dot is `i`, and an accented spelling is the plain name.
#[test]
fn a_name_with_other_diacritics_fails_the_build() {
    each_entry_of("Zorbington", |site| {
        for body in ["In ZORB\u{130}NGTON.", "In Zörbington."] {
            fails_in_about(site, body);
        }
    });
}

/// A hyphen between two letters is also read as joining them, on one line and at a line end.
#[test]
fn a_name_split_by_a_hyphen_fails_the_build() {
    each_entry_of("Zorbington", |site| {
        for body in [
            "In Zor-bington.",
            "In Zor-\nbington.",
            "In Zor\u{2011}bington.",
        ] {
            fails_in_about(site, body);
        }
    });
}

/// A `<br>` joins two words like a space, in a static SVG or HTML file.
#[test]
fn a_name_across_a_line_break_tag_fails_the_build() {
    each_entry(|site| {
        let svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\"><text>Exampleton<br/>Borough</text></svg>\n";
        fails_at(
            site,
            |s| s.write("static/map.svg", svg),
            |s| s.remove("static/map.svg"),
            "static/map.svg:1:",
        );
    });
}

/// In markup only text and attribute values are read: entries that are tag or attribute names
/// (`xmlns`, `viewBox`, `DOCTYPE`) do not fail a site with the example's SVG logo, but one in a
/// value still does. (`svg` itself is still found: the pages link `logo.svg` by its name.)
#[test]
fn tag_and_attribute_names_are_not_read_as_words() {
    let logo = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static/logo.svg"),
    )
    .unwrap();
    for entry in ["xmlns\nDOCTYPE\nviewBox", &hashed_of("xmlns")] {
        let site = site_with(entry, "");
        site.write("static/logo.svg", &logo);
        site.build_ok(&[]);
        let planted = logo.replacen("<svg", "<svg data-x=\"xmlns\"", 1);
        fails_at(
            &site,
            |s| s.write("static/logo.svg", &planted),
            |s| s.write("static/logo.svg", &logo),
            "static/logo.svg:",
        );
    }
}

/// A name split by Markdown strike-through or code is located at the input line that writes it.
#[test]
fn a_name_split_by_strike_through_or_code_is_located_at_its_input() {
    each_entry_of("Zorbington", |site| {
        for body in ["In Zor~~bing~~ton.", "In Zor`bing`ton."] {
            fails_in_about(site, body);
        }
    });
}

/// A URL's `%XX` escape of a letter is read as the letter.
#[test]
fn a_name_with_percent_escaped_letters_fails_the_build() {
    each_entry_of("Zorbington", |site| {
        fails_in_about(site, "See [the map](https://example.org/?q=Zor%62ington).");
    });
}

/// A stylesheet that writes a name with CSS escapes, which a browser shows as letters, fails at
/// the stylesheet.
#[test]
fn a_name_written_with_css_escapes_fails_at_the_stylesheet() {
    each_entry_of("Zorbington", |site| {
        fails_at(
            site,
            |s| {
                s.write(
                    "static/x.css",
                    "h1::after { content: \"\\5A orb\\69ngton\"; }\n",
                )
            },
            |s| s.remove("static/x.css"),
            "static/x.css",
        );
    });
}
