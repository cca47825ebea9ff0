//! Navigation and branding: site.yaml's branding refused where its colours fail WCAG contrast
//! (named pair, ratio, located), and published as a stylesheet, a logo and parent links; every
//! page's breadcrumbs, current navigation item and a report's previous and next.

use crate::common::*;

const BRANDED: &str = "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nbibliography: content/references.bib\nshort_title: \"Short T\"\nmenu: [page/about]\nbranding:\n  logo: static/logo.svg\n  colours:\n    accent: \"#123456\"\n    header_background: \"rgb(0 40 80)\"\n    header_text: \"#ffffff\"\n    link: \"#0645ad\"\n  department: {name: \"Dept of Health\", url: \"https://www.example.ac.uk/health/\"}\n  university: {name: \"Example University\", url: \"https://www.example.ac.uk/\"}\n";

const LOGO: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 40 40\" width=\"40\" height=\"40\"><rect width=\"40\" height=\"40\" fill=\"#003366\"/></svg>\n";

fn branded(yaml: &str) -> Site {
    let site = Site::rich();
    site.write("site.yaml", yaml);
    site.write("static/logo.svg", LOGO);
    site
}

fn refused(site: &Site) -> Run {
    let run = site.build(&[]);
    run.assert_site_errors();
    assert!(!site.out().exists(), "a refused site.yaml wrote output");
    run
}

#[test]
fn a_colour_pair_below_wcag_aa_is_refused_naming_the_pair_and_ratio_at_its_value() {
    let yaml = BRANDED
        .replace(
            "header_background: \"rgb(0 40 80)\"",
            "header_background: \"#fff\"",
        )
        .replace("header_text: \"#ffffff\"", "header_text: \"#777\"");
    let run = refused(&branded(&yaml));
    run.assert_error_help(
        "header text #777777 on header background #ffffff has contrast 4.48:1; WCAG AA needs 4.5:1 — darken the text or lighten the background",
        &loc("site.yaml", &yaml, "#777"),
        "4.5:1",
    );
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn a_light_link_colour_is_refused_on_the_page_background_and_the_panels() {
    let yaml = BRANDED.replace("link: \"#0645ad\"", "link: \"#6b8fd6\"");
    let run = refused(&branded(&yaml));
    let at = loc("site.yaml", &yaml, "#6b8fd6");
    run.assert_error("link #6b8fd6 on page background #ffffff has contrast", &at);
    run.assert_error("link #6b8fd6 on panel background #f3f4f6 has contrast", &at);
    // Only the site's own colours are checked against the theme's: a dark header text colour
    // on the default accent is named too, located where it is written.
    let yaml = "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nbibliography: content/references.bib\nbranding:\n  colours: {header_text: \"#333333\"}\n";
    let run = refused(&branded(yaml));
    run.assert_error(
        "header text #333333 on header background #0b3d60 has contrast",
        &loc("site.yaml", yaml, "#333333"),
    );
}

#[test]
fn colours_that_are_not_css_colours_and_a_missing_logo_are_located_errors() {
    let yaml = BRANDED
        .replace("accent: \"#123456\"", "accent: \"#12345\"")
        .replace("#0645ad", "#0645ad80")
        .replace("static/logo.svg", "static/missing.svg")
        .replace("https://www.example.ac.uk/health/", "javascript:alert(1)");
    let run = refused(&branded(&yaml));
    run.assert_error(
        "accent colour `#12345` is not a colour",
        &loc("site.yaml", &yaml, "#12345"),
    );
    run.assert_error(
        "link colour `#0645ad80` is transparent in part",
        &loc("site.yaml", &yaml, "#0645ad80"),
    );
    run.assert_error_help(
        "the logo `static/missing.svg` does not exist",
        &loc("site.yaml", &yaml, "static/missing.svg"),
        "static/",
    );
    run.assert_error(
        "the department's url `javascript:alert(1)` is not an https: or http: address",
        &loc("site.yaml", &yaml, "javascript:"),
    );
    let outside = BRANDED.replace("static/logo.svg", "content/reports/r1.md");
    refused(&branded(&outside)).assert_error(
        "is not in the site's static/ folder",
        &loc("site.yaml", &outside, "content/reports/r1.md"),
    );
}

#[test]
fn branding_reaches_every_page_as_a_stylesheet_a_logo_and_parent_links_all_relative() {
    let site = branded(BRANDED);
    site.build_ok(&[]);
    let css = site.page("static/brand.css");
    // Normalised values only: what site.yaml wrote never reaches the stylesheet verbatim.
    assert!(css.contains("--header-bg: #002850;"), "{css}");
    assert!(css.contains("--header-text: #ffffff;"), "{css}");
    assert!(
        css.contains("--accent: #123456;") && css.contains("--link: #0645ad;"),
        "{css}"
    );
    assert!(!css.contains("rgb("), "{css}");
    for (page, root) in [("index.html", ""), ("reports/r1/index.html", "../../")] {
        let html = site.page(page);
        let sheet = format!("<link rel=\"stylesheet\" href=\"{root}static/brand.css\">");
        assert!(html.contains(&sheet), "{page}: {html}");
        let logo = format!("<a class=\"brand-logo\" href=\"https://www.example.ac.uk/\"><img src=\"{root}static/logo.svg\" alt=\"Example University\"");
        assert!(html.contains(&logo), "{page}: {html}");
        assert!(
            html.contains("<span class=\"title-short\">Short T</span>"),
            "{page}"
        );
        let footer = between(&html, "<footer class=\"site-footer\">", "</footer>");
        assert!(footer.contains("Part of <a href=\"https://www.example.ac.uk/health/\">Dept of Health</a>, <a href=\"https://www.example.ac.uk/\">Example University</a>."), "{footer}");
    }
    // A site without branding links no stylesheet and writes none.
    let plain = Site::rich();
    plain.build_ok(&[]);
    assert!(!plain.exists("static/brand.css"));
    assert!(!plain.page("index.html").contains("brand.css"));
}

/// The `<li>`s of a page's breadcrumb trail, as (title, href, current).
fn crumbs(html: &str) -> Vec<(String, String, bool)> {
    let nav = between(
        html,
        "<nav class=\"breadcrumbs wrap\" aria-label=\"Breadcrumb\">",
        "</nav>",
    );
    nav.split("<li>")
        .skip(1)
        .map(|li| {
            let href = li
                .split("href=\"")
                .nth(1)
                .and_then(|h| h.split('"').next())
                .unwrap_or("");
            let title = li
                .split('>')
                .nth(1)
                .and_then(|t| t.split('<').next())
                .unwrap_or("");
            (
                title.to_string(),
                href.to_string(),
                li.contains("aria-current=\"page\""),
            )
        })
        .collect()
}

#[test]
fn breadcrumbs_follow_the_model_from_study_and_tracer_to_report_and_cmo() {
    let site = Site::rich();
    site.build_ok(&[]);
    let report = crumbs(&site.page("reports/r1/index.html"));
    let titles: Vec<&str> = report.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(titles, ["Home", "S", "Tr", "R1"], "{report:?}");
    assert_eq!(report[0].1, "../../");
    assert_eq!(report[1].1, "../../studies/s/");
    assert_eq!(report.iter().filter(|c| c.2).count(), 1);
    assert!(report[3].2, "the last crumb is the current page");
    let cmo = crumbs(&site.page("cmos/c1/index.html"));
    let titles: Vec<&str> = cmo.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(&titles[..4], ["Home", "S", "Tr", "R1"], "{cmo:?}");
    assert_eq!(cmo.len(), 5);
    assert_eq!(cmo[4].1, "../../cmos/c1/");
    let tracer = crumbs(&site.page("tracers/tr/index.html"));
    let titles: Vec<&str> = tracer.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(titles, ["Home", "Tracers", "Tr"]);
    assert!(!site
        .page("index.html")
        .contains("aria-label=\"Breadcrumb\""));
}

#[test]
fn the_navigation_marks_its_current_page_and_section_and_lists_studies_and_menu_pages() {
    let site = Site::rich();
    site.edit(
        "site.yaml",
        "bibliography:",
        "menu: [page/about]\nbibliography:",
    );
    site.build_ok(&[]);
    let nav = |page: &str| {
        let html = site.page(page);
        between(
            &html,
            "<nav class=\"site-nav\" aria-label=\"Main\">",
            "</nav>",
        )
        .to_string()
    };
    let list = nav("reports/index.html");
    assert!(
        list.contains("<a href=\"../reports/\" aria-current=\"page\">Reports</a>"),
        "{list}"
    );
    let report = nav("reports/r1/index.html");
    assert!(
        report.contains("<a href=\"../../reports/\" aria-current=\"true\">Reports</a>"),
        "{report}"
    );
    assert_eq!(report.matches("aria-current").count(), 1, "{report}");
    assert!(
        report.contains(">Studies</a>") && report.contains(">About</a>"),
        "{report}"
    );
    let about = nav("about/index.html");
    assert!(
        about.contains("<a href=\"../about/\" aria-current=\"page\">About</a>"),
        "{about}"
    );
    let glossary = nav("glossary/index.html");
    assert!(
        glossary.contains("aria-current=\"page\">Glossary</a>"),
        "{glossary}"
    );
    assert_eq!(nav("index.html").matches("aria-current").count(), 0);
}

#[test]
fn a_report_links_the_previous_and_next_report_of_its_study_by_date() {
    let site = Site::rich();
    site.edit(
        "content/reports/r2.md",
        "date: \"2018-01-05\"",
        "date: \"2018-01-05\"\nupdated: \"2019-02\"",
    );
    site.build_ok(&[]);
    // R1 is dated 2017-06 and R2 2018-01-05, both of study S.
    let first = site.page("reports/r1/index.html");
    let pager = between(&first, "<nav class=\"pager\"", "</nav>");
    assert!(
        pager.contains("aria-label=\"More reports from S\""),
        "{pager}"
    );
    assert!(
        pager.contains("<a href=\"../../reports/r2/\" rel=\"next\">"),
        "{pager}"
    );
    assert!(!pager.contains("rel=\"prev\""), "{pager}");
    let second = site.page("reports/r2/index.html");
    assert!(second.contains("<a href=\"../../reports/r1/\" rel=\"prev\">"));
    assert!(second.contains("Published <time datetime=\"2018-01-05\">5 January 2018</time> · Last updated <time datetime=\"2019-02\">February 2019</time>"), "{second}");
    assert!(!first.contains("Last updated"));
}

#[test]
fn the_404_page_links_the_brand_stylesheet_in_its_head_and_the_logo_from_the_site_path() {
    let site = branded(BRANDED);
    site.build_ok(&[]);
    let html = site.page("404.html");
    let head = between(&html, "<head>", "</head>");
    // Served at any depth, so both start from the site's path, like its other links.
    let sheet = "<link rel=\"stylesheet\" href=\"/research/t/static/brand.css\">";
    assert!(head.contains(sheet), "{head}");
    // After the theme's stylesheet, so the site's colours win.
    let theme = head.find("static/style.css").expect("style.css");
    assert!(head.find(sheet).unwrap() > theme, "{head}");
    assert!(
        html.contains("<img src=\"/research/t/static/logo.svg\""),
        "{html}"
    );
    // Other pages link it in the head too, relative to the page.
    let page = site.page("reports/r1/index.html");
    let head = between(&page, "<head>", "</head>");
    assert!(head.contains("href=\"../../static/brand.css\""), "{head}");
}

#[test]
fn a_site_brand_css_with_branding_colours_is_refused_at_colours() {
    let site = branded(BRANDED);
    site.write("static/brand.css", ":root { --link: #ffff00; }\n");
    let run = refused(&site);
    let at = loc("site.yaml", BRANDED, "colours:");
    run.assert_error_help(
        "the site has its own `static/brand.css`",
        &at,
        "rename your file",
    );
    // Without colours in site.yaml the site's own file is the site's business.
    let yaml = BRANDED.replace(
        "  colours:\n    accent: \"#123456\"\n    header_background: \"rgb(0 40 80)\"\n    header_text: \"#ffffff\"\n    link: \"#0645ad\"\n",
        "",
    );
    let site = branded(&yaml);
    site.write("static/brand.css", ":root { --link: #0645ad; }\n");
    site.build_ok(&[]);
    assert!(site.page("static/brand.css").contains("#0645ad"));
}

#[test]
fn a_link_colour_is_checked_on_the_darkest_matrix_heat_cell() {
    // Passes on white (4.6:1) and the panel grey but not on 24% of itself mixed into white.
    let yaml = BRANDED.replace("link: \"#0645ad\"", "link: \"#4669d3\"");
    let run = refused(&branded(&yaml));
    let at = loc("site.yaml", &yaml, "#4669d3");
    run.assert_error("link #4669d3 on darkest matrix heat cell #", &at);
    assert!(
        !run.stderr.contains("link #4669d3 on page background"),
        "{run:?}"
    );
}

#[test]
fn empty_names_of_the_logo_parents_and_menu_entries_are_located_errors() {
    let yaml = BRANDED
        .replace(
            "  logo: static/logo.svg\n",
            "  logo: static/logo.svg\n  logo_alt: \" \"\n",
        )
        .replace("name: \"Dept of Health\"", "name: \"\"")
        .replace("name: \"Example University\"", "name: \"  \"")
        .replace(
            "menu: [page/about]",
            "menu: [{link: page/about, label: \" \"}]",
        );
    let run = refused(&branded(&yaml));
    // Each is located on the line of its value (the column of an empty quoted value is moot).
    let on_line = |message: &str, needle: &str| {
        let (line, _) = pos(&yaml, needle);
        let d = run.error(message);
        assert!(
            d.location.starts_with(&format!("site.yaml:{line}:")),
            "{message}: {d:?}"
        );
    };
    on_line("`logo_alt` is empty", "logo_alt:");
    on_line("the department's name is empty", "department:");
    on_line("the university's name is empty", "university:");
    on_line("the menu entry `page/about` has an empty `label`", "menu:");
}

#[test]
fn colour_help_names_the_accepted_forms() {
    let yaml = BRANDED.replace("accent: \"#123456\"", "accent: \"navy\"");
    let run = refused(&branded(&yaml));
    run.assert_error_help(
        "accent colour `navy` is not a colour",
        &loc("site.yaml", &yaml, "navy"),
        "colour names such as `navy` are not accepted",
    );
    assert!(run.stderr.contains("`hsl(…)`"), "{run:?}");
}

#[test]
fn a_logo_that_names_a_folder_is_one_located_error() {
    let yaml = BRANDED.replace("static/logo.svg", "static/d.svg");
    let site = branded(&yaml);
    site.write("static/d.svg/x.txt", "not a logo\n");
    let run = refused(&site);
    run.assert_error_help(
        "the logo `static/d.svg` is not a file",
        &loc("site.yaml", &yaml, "static/d.svg"),
        "static/",
    );
    // Not also every page's link to it.
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn a_bad_highlight_written_as_a_plain_reference_is_located_at_itself() {
    // A `link:` key written later (a menu entry's) must not take the error.
    let yaml = "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nbibliography: content/references.bib\nhighlights:\n  - report/r1\n  - glossary\nmenu:\n  - {link: page/about, label: About}\n";
    let run = refused(&branded(yaml));
    let d = run.error("expected a reference `kind/id`, found `glossary`");
    let (line, _) = pos(yaml, "- glossary");
    assert!(
        d.location.starts_with(&format!("site.yaml:{line}:")),
        "{d:?}"
    );
}

#[test]
fn a_highlight_of_a_withdrawn_report_or_its_cmo_is_an_error_at_the_entry() {
    let yaml = "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nbibliography: content/references.bib\nhighlights:\n  - report/r2\n  - cmo/c3\n  - cmo/c1\n";
    let site = Site::rich();
    site.write("site.yaml", yaml);
    site.write(
        "content/reports/r2.md",
        RICH_R2.replace("status: published", "status: withdrawn"),
    );
    let run = refused(&site);
    run.assert_error_help(
        "`report/r2` is withdrawn, so it may not be shown as a headline finding",
        &loc("site.yaml", yaml, "report/r2"),
        "remove it from `highlights`",
    );
    run.assert_error(
        "`cmo/c3` is defined in the withdrawn report `report/r2`",
        &loc("site.yaml", yaml, "cmo/c3"),
    );
    // A finding of a report that stands is still a headline.
    assert_eq!(run.errors().len(), 2, "{run:?}");
}

#[test]
fn a_menu_entry_or_highlight_naming_a_missing_anchor_is_one_error_at_site_yaml() {
    // The menu is on every page and the highlight on the home page: each mistake is reported
    // once, where it is written, with the closest id of the page (not once per page at a template).
    let yaml = BRANDED.replace(
        "menu: [page/about]",
        "menu: [\"page/about#nowhere\"]\nhighlights:\n  - {link: \"report/r1#findngs\", text: \"What we found\"}",
    );
    let run = refused(&branded(&yaml));
    assert_eq!(run.errors().len(), 2, "{run:?}");
    let menu = run.error("the menu entry `page/about#nowhere` names the anchor `#nowhere`");
    let line = |value: &str| format!("site.yaml:{}:", pos(&yaml, value).0);
    assert!(
        menu.location.starts_with(&line("page/about#nowhere")),
        "{menu:?}"
    );
    let highlight = run.error("the highlight `report/r1#findngs` names the anchor `#findngs`");
    assert!(
        highlight.location.starts_with(&line("report/r1#findngs")),
        "{highlight:?}"
    );
    assert_eq!(highlight.help.as_deref(), Some("did you mean `#findings`?"));
}
