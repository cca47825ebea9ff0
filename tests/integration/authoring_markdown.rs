//! What authors write in Markdown bodies beyond CommonMark: footnotes and the ids they and
//! glossary terms take, task lists, Quarto habits realist warns about, images kept beside the
//! report, and the site's `menu:`.

use std::collections::BTreeMap;

use crate::common::*;

/// Every page of the output gives each id to one element only.
fn assert_unique_ids(site: &Site) {
    for (path, html) in html_files(&site.out()) {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for id in attrs(&html, "id") {
            *seen.entry(id).or_default() += 1;
        }
        let repeated: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).collect();
        assert!(repeated.is_empty(), "{path} repeats ids {repeated:?}");
    }
}

fn page(body: &str) -> String {
    format!("---\ntitle: Notes\n---\n{body}")
}

#[test]
fn footnotes_never_take_a_headings_id_and_link_both_ways() {
    let body = "## Design {#design}\n\nA claim[^design] and again[^design].\n\n\
                Another[^2].\n\n## Later\n\n[^design]: Why it was designed so.\n\n[^2]: A second note.\n";
    let site = Site::with(&[("content/pages/notes.md", &page(body))]);
    // The link checker checks every link below, back-links included.
    site.build_ok(&["--deny-warnings"]);
    assert_unique_ids(&site);
    let html = site.page("notes/index.html");
    let main = main_of(&html);
    // The heading keeps its id, and the contents link to it.
    assert!(main.contains("<h2 id=\"design\">Design</h2>"), "{main}");
    // Both references point at the note; the note links back to each of them.
    assert!(
        main.contains("<a href=\"#fn-design\" id=\"fnref-design\">1</a>"),
        "{main}"
    );
    assert!(
        main.contains("<a href=\"#fn-design\" id=\"fnref-design-2\">1</a>"),
        "{main}"
    );
    let notes = between(main, "<section class=\"footnotes\"", "</section>");
    let first = between(notes, "<li id=\"fn-design\">", "</li>");
    assert!(first.contains("Why it was designed so."), "{first}");
    assert!(first.contains("href=\"#fnref-design\""), "{first}");
    assert!(first.contains("href=\"#fnref-design-2\""), "{first}");
    // The notes are at the end, in the order they are first referred to.
    assert!(
        notes.find("fn-design").unwrap() < notes.find("fn-2").unwrap(),
        "{notes}"
    );
    assert!(
        main.find("id=\"later\"").unwrap() < main.find("class=\"footnotes\"").unwrap(),
        "{main}"
    );
}

#[test]
fn a_footnote_never_referred_to_is_a_located_warning() {
    let text = page("Text.\n\n[^lost]: Nobody points here.\n");
    let site = Site::with(&[("content/pages/notes.md", &text)]);
    let run = site.build_ok(&[]);
    let warning = run
        .diagnostics()
        .into_iter()
        .find(|d| d.message.contains("`[^lost]` is never referred to"))
        .unwrap_or_else(|| panic!("no warning\n{run:?}"));
    assert_eq!(
        warning.location,
        loc("content/pages/notes.md", &text, "[^lost]:")
    );
    assert!(!site.page("notes/index.html").contains("Nobody points here"));
}

#[test]
fn headings_never_take_the_templates_ids() {
    // A report's "Abstract" heading beside its abstract, a CMO page's "Evidence" heading beside
    // the template's evidence section, and "Linked reports" beside the backlink group.
    let site = Site::with(&[
        (
            "content/reports/r2.md",
            &commissioning_report(
                "R2",
                "published",
                "## Abstract\n\ntext\n\n## Evidence\n\ntext\n",
            )
            .replace("summary: [k]", "summary: [k]\nabstract: \"The abstract.\""),
        ),
        (
            "content/cmos/c5.md",
            &(standalone_cmo("c5", "") + "## Evidence\n\nNotes.\n\n## Linked reports\n"),
        ),
        (
            "content/pages/about.md",
            "---\ntitle: About\n---\nSee [c5](@cmo/c5) and [R2](@report/r2).\n",
        ),
    ]);
    site.build_ok(&["--deny-warnings"]);
    assert_unique_ids(&site);
    let report = site.page("reports/r2/index.html");
    assert!(
        report.contains("<h2 id=\"abstract-1\">Abstract</h2>"),
        "{report}"
    );
    // On a report, "Evidence" is not a template id: the heading keeps it.
    assert!(
        report.contains("<h2 id=\"evidence\">Evidence</h2>"),
        "{report}"
    );
    let cmo = site.page("cmos/c5/index.html");
    assert!(cmo.contains("<h2 id=\"evidence-1\">Evidence</h2>"), "{cmo}");
}

#[test]
fn glossary_terms_that_differ_in_case_get_different_ids() {
    let glossary = "- term: ccg\n  definition: A lower-case entry.\n\
                    - term: CCG\n  expansion: clinical commissioning group\n  definition: The body.\n  see_also: [ccg]\n";
    let site = Site::with(&[
        ("content/glossary.yaml", glossary),
        (
            "content/pages/about.md",
            "---\ntitle: About\n---\nThe CCG met.\n",
        ),
    ]);
    site.build_ok(&["--deny-warnings"]);
    assert_unique_ids(&site);
    let page = site.page("glossary/index.html");
    assert!(has_id(&page, "term-ccg"), "{page}");
    assert!(has_id(&page, "term-ccg-1"), "{page}");
    // The acronym in the text links to its own entry, and see_also to the other one.
    let about = site.page("about/index.html");
    assert!(
        about.contains("href=\"../glossary/#term-ccg-1\""),
        "{about}"
    );
    let entry = between(&page, "id=\"term-ccg-1\"", "</div>");
    assert!(entry.contains("href=\"#term-ccg\""), "{entry}");
}

#[test]
fn task_list_items_say_whether_they_are_done() {
    let site = Site::with(&[(
        "content/pages/notes.md",
        &page("- [x] Interviews transcribed\n- [ ] Coding finished\n"),
    )]);
    site.build_ok(&["--deny-warnings"]);
    let html = site.page("notes/index.html");
    let main = main_of(&html);
    assert!(
        !main.contains("<input"),
        "a form control no one can use: {main}"
    );
    assert!(
        main.contains("<span class=\"visually-hidden\">Done:</span> Interviews transcribed"),
        "{main}"
    );
    assert!(
        main.contains("<span class=\"visually-hidden\">To do:</span> Coding finished"),
        "{main}"
    );
}

#[test]
fn quarto_habits_are_located_warnings_that_say_what_to_write() {
    let text = page(
        "Intro.\n\n::: {.callout-warning}\nMind this.\n:::\n\n```{r}\nsummary(x)\n```\n\n\
         ```{python echo=false}\nprint(1)\n```\n\n```r\nshown(x)\n```\n",
    );
    let site = Site::with(&[("content/pages/notes.md", &text)]);
    let run = site.build_ok(&[]);
    let warnings = run.diagnostics();
    let find = |needle: &str| {
        warnings
            .iter()
            .find(|d| d.message.contains(needle))
            .unwrap_or_else(|| panic!("no warning about {needle}\n{run:?}"))
            .clone()
    };
    let div = find("Quarto fenced div");
    assert_eq!(div.location, loc("content/pages/notes.md", &text, ":::"));
    assert!(div.message.contains("`::: {.callout-warning}`"), "{div:?}");
    assert!(
        div.help.as_deref().unwrap_or("").contains("> **Warning:**"),
        "{div:?}"
    );
    let r = find("```{r}");
    assert_eq!(r.location, loc("content/pages/notes.md", &text, "```{r}"));
    assert!(r.help.as_deref().unwrap_or("").contains("```r"), "{r:?}");
    let python = find("```{python}");
    assert_eq!(
        python.location,
        loc("content/pages/notes.md", &text, "```{python")
    );
    // Exactly these three: an ordinary fence and the closing `:::` say nothing.
    assert_eq!(warnings.len(), 3, "{run:?}");
    // The chunks are highlighted in their language.
    let html = site.page("notes/index.html");
    assert!(html.contains("class=\"language-r\""), "{html}");
    // Under --deny-warnings they fail the build.
    assert_eq!(site.build(&["--deny-warnings"]).code, 1);
}

/// A few bytes that stand for a PNG file (realist copies images, it does not decode them).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nnot really";

/// The minimal site whose report R1 shows `image` (as written) at the end of its body.
fn site_with_image(image: &str) -> (Site, String) {
    let site = Site::minimal();
    let r1 = format!("{R1}\n{image}\n");
    site.write("content/reports/r1.md", &r1);
    (site, r1)
}

#[test]
fn an_image_beside_the_report_is_copied_beside_its_page() {
    let (site, _) = site_with_image("![Logic model](figures/logic-model.png)");
    site.write("content/reports/figures/logic-model.png", PNG);
    // No warning for the image file under content/, and it works under a sub-path.
    let args = ["--base-url", "https://example.org/sub/", "--deny-warnings"];
    site.build_ok(&args);
    let html = site.page("reports/r1/index.html");
    assert!(
        html.contains("<img src=\"figures/logic-model.png\" alt=\"Logic model\""),
        "{}",
        main_of(&html)
    );
    let copied = std::fs::read(site.out().join("reports/r1/figures/logic-model.png")).unwrap();
    assert_eq!(copied, PNG);
    // A second build updates the output (the image is in the manifest), and one that no longer
    // shows it removes it.
    site.build_ok(&args);
    site.edit(
        "content/reports/r1.md",
        "![Logic model](figures/logic-model.png)",
        "",
    );
    site.build_ok(&args);
    assert!(!site.exists("reports/r1/figures/logic-model.png"));
}

#[test]
fn a_missing_image_is_an_error_at_the_image() {
    let (site, r1) = site_with_image("Text ![Logic model](figures/nothing.png)");
    let run = site.build(&[]);
    run.assert_site_errors();
    run.assert_error_help(
        "image `figures/nothing.png` not found: there is no file content/reports/figures/nothing.png",
        &loc("content/reports/r1.md", &r1, "![Logic model]"),
        "relative to this Markdown file",
    );
    // One error, not a second "broken link" for the same image.
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn images_are_never_read_from_outside_content() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.png"), "secret").unwrap();
    let (site, r1) = site_with_image("![a](figures/out.png) ![b](figures/config.png)");
    std::fs::create_dir_all(site.path("content/reports/figures")).unwrap();
    // A link to a file outside the site, and one to a file of the site outside content/.
    symlink(
        outside.path().join("secret.png"),
        &site.path("content/reports/figures/out.png"),
    );
    std::fs::write(site.path("config.png"), "site file").unwrap();
    symlink(
        site.path("config.png"),
        &site.path("content/reports/figures/config.png"),
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    // Each refusal is at the image (the link out of the site is also reported where it is).
    let at = |needle: &str| {
        let location = loc("content/reports/r1.md", &r1, needle);
        run.errors()
            .into_iter()
            .find(|d| d.location == location)
            .unwrap_or_else(|| panic!("no error at {location}\n{run:?}"))
    };
    assert!(at("![a]").message.contains("outside the site"), "{run:?}");
    assert!(at("![b]").message.contains("outside content/"), "{run:?}");
    assert!(!site.out().exists(), "{run:?}");
    assert!(!run.stderr.contains("secret"), "{run:?}");
    // A path that climbs is a link relative to the page, checked as before.
    let (site, _) = site_with_image("![c](../../../../../etc/x.png)");
    let run = site.build(&[]);
    run.assert_site_errors();
    assert!(run.stderr.contains("climbs above the site root"), "{run:?}");
}

#[test]
fn an_svg_that_could_run_script_is_refused() {
    let (site, r1) = site_with_image("![Chart](chart.svg) ![Safe](safe.svg)");
    site.write(
        "content/reports/chart.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect onclick=\"steal()\"/></svg>",
    );
    site.write(
        "content/reports/safe.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>",
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    run.assert_error(
        "the image `chart.svg` cannot be published: it holds an event attribute `onclick`",
        &loc("content/reports/r1.md", &r1, "![Chart]"),
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
    // Without it, the safe one is published, as an image only.
    site.edit("content/reports/r1.md", "![Chart](chart.svg)", "");
    site.build_ok(&["--deny-warnings"]);
    assert!(site.exists("reports/r1/safe.svg"));
    assert!(!site.exists("reports/r1/chart.svg"));
    assert!(site
        .page("reports/r1/index.html")
        .contains("<img src=\"safe.svg\" alt=\"Safe\""));
}

#[test]
fn menu_puts_pages_in_the_navigation_in_order_with_labels() {
    let site = Site::with(&[
        (
            "site.yaml",
            &format!(
                "{SITE_YAML}menu:\n  - page/about\n  - {{link: page/accessibility, label: \"Access\"}}\n  \
                 - link: report/r1#findings\n    label: \"What we found\"\n"
            ),
        ),
        ("content/pages/about.md", "---\ntitle: About us\n---\nText.\n"),
    ]);
    site.build_ok(&["--base-url", "https://example.org/sub/", "--deny-warnings"]);
    let about = site.page("about/index.html");
    let nav = between(&about, "<nav class=\"site-nav\"", "</nav>");
    let about_at = nav
        .find("<a href=\"../about/\" aria-current=\"page\">About us</a>")
        .unwrap_or_else(|| panic!("{nav}"));
    let access_at = nav
        .find("<a href=\"../accessibility/\">Access</a>")
        .unwrap_or_else(|| panic!("{nav}"));
    let found_at = nav
        .find("<a href=\"../reports/r1/#findings\">What we found</a>")
        .unwrap_or_else(|| panic!("{nav}"));
    assert!(about_at < access_at && access_at < found_at, "{nav}");
    // After the site's own sections, on every page.
    assert!(nav.find("Reports").unwrap() < about_at, "{nav}");
    let report = site.page("reports/r1/index.html");
    assert!(
        report.contains("<a href=\"../../about/\">About us</a>"),
        "{report}"
    );
}

#[test]
fn wrong_menu_targets_are_errors_in_site_yaml() {
    let yaml = format!(
        "{SITE_YAML}menu:\n  - page/abot\n  - {{link: report/r9, label: X}}\n  - page/accessibility\n"
    );
    let site = Site::with(&[("site.yaml", &yaml)]);
    let run = site.build(&[]);
    run.assert_site_errors();
    run.assert_error(
        "`page/abot` does not exist",
        &loc("site.yaml", &yaml, "page/abot"),
    );
    run.assert_error(
        "`report/r9` does not exist",
        &loc("site.yaml", &yaml, "report/r9"),
    );
    assert_eq!(run.errors().len(), 2, "{run:?}");
    // A value that is no reference at all is an error at its place too.
    let yaml = format!("{SITE_YAML}menu:\n  - about\n");
    let site = Site::with(&[("site.yaml", &yaml)]);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    let error = run.errors().remove(0);
    assert_eq!(error.location, loc("site.yaml", &yaml, "about"), "{run:?}");
    assert!(error.message.contains("such as `page/about`"), "{run:?}");
}

#[test]
fn a_quarto_cross_reference_says_what_to_write_instead() {
    let text = page("As @fig-logic-model shows.\n");
    let site = Site::with(&[("content/pages/notes.md", &text)]);
    let run = site.build(&[]);
    run.assert_site_errors();
    run.assert_error_help(
        "unknown citation key `@fig-logic-model`",
        &loc("content/pages/notes.md", &text, "@fig"),
        "Quarto cross-reference to a figure",
    );
}

#[test]
fn quarto_image_attributes_and_shortcodes_are_located_warnings() {
    let text = page(
        "![Logic model](figures/lm.png){#fig-logic width=80%}\n\nSee {{< include _intro.qmd >}} here.\n",
    );
    let site = Site::with(&[("content/pages/notes.md", &text)]);
    site.write("content/pages/figures/lm.png", PNG);
    let run = site.build_ok(&[]);
    let warnings = run.diagnostics();
    assert_eq!(warnings.len(), 2, "{run:?}");
    let attributes = &warnings[0];
    assert!(
        attributes
            .message
            .starts_with("`{#fig-logic width=80%}` after an image"),
        "{run:?}"
    );
    assert_eq!(
        attributes.location,
        loc("content/pages/notes.md", &text, "{#fig")
    );
    let shortcode = &warnings[1];
    assert!(shortcode.message.contains("Quarto shortcode"), "{run:?}");
    assert_eq!(
        shortcode.location,
        loc("content/pages/notes.md", &text, "{{<")
    );
}

#[test]
fn an_image_that_is_not_what_its_name_says_is_refused() {
    let (site, r1) = site_with_image("![Chart](chart.png)");
    site.write("content/reports/chart.png", "<svg onload=\"x()\"/>");
    let run = site.build(&[]);
    run.assert_error(
        "the image `chart.png` cannot be published: it is not a PNG file, though its name ends in .png",
        &loc("content/reports/r1.md", &r1, "![Chart]"),
    );
}

#[test]
fn svg_script_in_disguise_is_refused_beside_reports_and_in_static() {
    // A prefixed script element, an entity declared in a DOCTYPE, and UTF-16 text: each ran in a
    // browser when a text search looked for `<script`.
    let disguises: [&[u8]; 3] = [
        br#"<svg xmlns="http://www.w3.org/2000/svg"><x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script></svg>"#,
        b"<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;alert(1)&#60;/script&#62;\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>",
        &[0xff, 0xfe, b'<', 0, b's', 0, b'v', 0, b'g', 0, b'/', 0, b'>', 0],
    ];
    for (i, svg) in disguises.iter().enumerate() {
        let (site, _) = site_with_image("![Chart](chart.svg)");
        site.write("content/reports/chart.svg", svg);
        let run = site.build(&[]);
        assert_ne!(run.code, 0, "case {i}: {run:?}");
        assert!(
            run.stderr.contains("`chart.svg` cannot be published"),
            "case {i}: {run:?}"
        );
        // The same file in static/, and a script there, are refused too.
        let site = Site::minimal();
        site.write("static/chart.svg", svg);
        site.write("static/site.js", "alert(1)");
        let run = site.build(&[]);
        assert_ne!(run.code, 0, "case {i}: {run:?}");
        assert!(
            run.stderr.contains("static/chart.svg` cannot be published"),
            "case {i}: {run:?}"
        );
        assert!(
            run.stderr.contains("static/site.js` cannot be published"),
            "case {i}: {run:?}"
        );
    }
}
