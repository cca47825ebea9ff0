//! What a built site gives the search index: which pages are indexed, their filter values taken
//! from the model (one value per attribute, so a title with a comma or a colon stays whole), and
//! one record per glossary entry.

use std::collections::BTreeMap;
use std::io::Read;

use crate::common::*;

/// The rich site with search on, and a tracer whose title has a comma and a colon.
fn built() -> Site {
    let site = Site::rich();
    site.write(
        "site.yaml",
        format!("{RICH_SITE_YAML}search: true\n").as_str(),
    );
    site.edit(
        "content/tracers/tr2.md",
        "title: Tr2",
        "title: \"Tr2, memory: clinics\"",
    );
    site.build_ok(&[]);
    site
}

/// Every fragment of the index (one per page or record), by URL.
fn fragments(site: &Site) -> BTreeMap<String, serde_json::Value> {
    tree(&site.out())
        .into_iter()
        .filter(|(p, _)| p.starts_with("pagefind/fragment/"))
        .map(|(_, bytes)| {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .expect("gzip");
            let json: serde_json::Value =
                serde_json::from_slice(&out[b"pagefind_dcd".len()..]).expect("fragment JSON");
            (json["url"].as_str().unwrap_or_default().to_string(), json)
        })
        .collect()
}

fn strings(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn research_pages_are_indexed_with_filters_from_the_model() {
    let site = built();
    let cmo = site.page("cmos/c2/index.html");
    assert!(main_of(&cmo).len() < cmo.len());
    assert!(
        cmo.contains("<main id=\"main\" tabindex=\"-1\" class=\"wrap\" data-pagefind-body>"),
        "a CMO page's main is indexed"
    );
    assert!(
        cmo.contains(
            "data-pagefind-filter=\"tracer[data-value]\" data-value=\"Tr2, memory: clinics\""
        ),
        "the value in an attribute of its own"
    );
    // Lists, the matrix and the home page only repeat other pages' titles.
    for rel in ["index.html", "cmos/index.html", "reports/index.html"] {
        assert!(
            !site.page(rel).contains("data-pagefind-body"),
            "{rel} is not indexed"
        );
    }

    let fragments = fragments(&site);
    let c2 = &fragments["cmos/c2/"];
    assert_eq!(strings(&c2["filters"]["tracer"]), ["Tr2, memory: clinics"]);
    assert_eq!(strings(&c2["filters"]["kind"]), ["CMO configuration"]);
    assert_eq!(strings(&c2["filters"]["status"]), ["Initial"]);
    assert_eq!(strings(&c2["filters"]["area"]), ["A2"]);
    assert_eq!(strings(&c2["filters"]["theory"]), ["PT"]);
    assert_eq!(c2["meta"]["kind"], "CMO configuration");
    // An inline CMO belongs to its report's study and inherits its tracer.
    let c1 = &fragments["cmos/c1/"];
    assert_eq!(strings(&c1["filters"]["study"]), ["S"]);
    assert_eq!(strings(&c1["filters"]["tracer"]), ["Tr"]);
    assert_eq!(strings(&c1["filters"]["status"]), ["Supported"]);
    // A tracer's own page is found by filtering on that tracer.
    let tracer = &fragments["tracers/tr2/"];
    assert_eq!(strings(&tracer["filters"]["kind"]), ["Tracer"]);
    assert_eq!(
        strings(&tracer["filters"]["tracer"]),
        ["Tr2, memory: clinics"]
    );
    assert_eq!(strings(&tracer["filters"]["study"]), ["S"]);
    for url in [
        "reports/r1/",
        "studies/s/",
        "areas/a1/",
        "theories/pt/",
        "themes/integration/",
    ] {
        assert!(
            fragments.contains_key(url),
            "{url} indexed: {:?}",
            fragments.keys()
        );
    }
    for url in ["", "cmos/", "reports/", "glossary/", "search/"] {
        assert!(!fragments.contains_key(url), "{url} not indexed");
    }
}

#[test]
fn each_glossary_entry_is_a_record_of_its_own() {
    let site = built();
    let fragments = fragments(&site);
    let ccg = &fragments["glossary/#term-ccg"];
    assert_eq!(ccg["meta"]["title"], "CCG (clinical commissioning group)");
    assert_eq!(ccg["meta"]["kind"], "Glossary term");
    assert_eq!(strings(&ccg["filters"]["kind"]), ["Glossary term"]);
    let content = ccg["content"].as_str().unwrap_or_default();
    assert!(
        content.contains("An NHS body that commissioned local services."),
        "{content}"
    );
    assert!(fragments.contains_key("glossary/#term-cmo"));
}

#[test]
fn glossary_record_titles_never_repeat_the_term() {
    let site = Site::rich();
    site.write(
        "site.yaml",
        format!("{RICH_SITE_YAML}search: true\n").as_str(),
    );
    let extra = "- term: Mechanism\n  expansion: Mechanism (realist)\n  definition: How people respond.\n\
                 - term: Tracer\n  expansion: Tracer service or tracer condition\n  definition: A lens.\n\
                 - term: Monitor\n  expansion: monitor.\n  definition: A regulator.\n";
    site.write(
        "content/glossary.yaml",
        format!("{RICH_GLOSSARY}{extra}").as_str(),
    );
    site.build_ok(&[]);
    let titles: Vec<String> = fragments(&site)
        .iter()
        .filter(|(url, _)| url.starts_with("glossary/#"))
        .map(|(_, f)| f["meta"]["title"].as_str().unwrap_or_default().to_string())
        .collect();
    for want in [
        "Mechanism (realist)",
        "Tracer service or tracer condition",
        "Monitor",
        "CCG (clinical commissioning group)",
    ] {
        assert!(titles.iter().any(|t| t == want), "{want} in {titles:?}");
    }
}
