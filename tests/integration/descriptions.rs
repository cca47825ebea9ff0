//! Pages without front matter of their own (themes, the CMO matrix, the glossary) each
//! describe themselves in their meta description instead of repeating the site's.

use crate::common::Site;

/// The page's meta description, unescaped enough to compare.
fn description(site: &Site, rel: &str) -> String {
    let html = site.page(rel);
    let start = "<meta name=\"description\" content=\"";
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{rel}: no description"))
        + start.len();
    let rest = &html[from..];
    rest[..rest.find('"').unwrap()].replace("&quot;", "\"")
}

#[test]
fn theme_matrix_glossary_and_search_pages_describe_themselves() {
    let site = Site::rich();
    site.write(
        "site.yaml",
        std::fs::read_to_string(site.path("site.yaml")).unwrap()
            + "description: The site as a whole.\n",
    );
    site.build_ok(&[]);
    let theme = description(&site, "themes/integration/index.html");
    assert!(
        theme.contains(" report") && theme.contains(" CMO configuration"),
        "{theme}"
    );
    assert!(!theme.contains("1 reports") && !theme.contains("1 CMO configurations"));
    let pages = [
        "themes/integration/index.html",
        "cmos/index.html",
        "glossary/index.html",
    ];
    let texts: Vec<String> = pages.iter().map(|p| description(&site, p)).collect();
    for (page, text) in pages.iter().zip(&texts) {
        assert!(
            !text.is_empty() && text != "The site as a whole.",
            "{page}: {text}"
        );
    }
    for (i, a) in texts.iter().enumerate() {
        assert!(!texts[i + 1..].contains(a), "shared description: {a}");
    }
    assert_eq!(description(&site, "index.html"), "The site as a whole.");
}
