//! The Pagefind search index: what `SearchIndexer` returns, that it is the same from run to run
//! whatever order pages arrive in, and that a page's words can be found in it.

use std::collections::BTreeMap;
use std::io::Read;

use realist::write::search::SearchIndexer;

fn page(title: &str, body: &str, searchable: bool) -> String {
    let marker = if searchable {
        " data-pagefind-body"
    } else {
        ""
    };
    format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{title} | Site</title></head>\
         <body><header><nav><a href=\"../../\">Home</a> Navigation words</nav></header>\
         <main id=\"main\"{marker}><h1>{title}</h1><p>{body}</p>\
         <dl><div><dt>Reported in</dt><dd>Work Stream</dd></div><div><dt>Tracers</dt><dd>Memory</dd></div></dl>\
         <h2 id=\"findings\">Findings</h2><p>Findings about {title}.</p>\
         <aside data-pagefind-ignore><p>Cite this unindexable zzyzx</p></aside></main>\
         <footer>Footer text</footer></body></html>"
    )
}

fn pages() -> Vec<(String, String)> {
    vec![
        (
            "reports/r1/".into(),
            page(
                "Recharging report",
                "Commissioners recharged the hospital for dementia services.",
                true,
            ),
        ),
        (
            "cmos/c1/".into(),
            page(
                "Mechanism of trust",
                "Trust between practices and the commissioning group.",
                true,
            ),
        ),
        (
            "tracers/dementia/".into(),
            page("Dementia tracer", "Memory clinics in two areas.", true),
        ),
        // No data-pagefind-body: left out, because other pages have one.
        (
            "reports/".into(),
            page("Reports", "A list of every report.", false),
        ),
    ]
}

fn index(pages: &[(String, String)], expect: Option<Vec<String>>) -> BTreeMap<String, Vec<u8>> {
    let indexer = SearchIndexer::start("en-GB");
    if let Some(urls) = expect {
        indexer.expect(urls);
    }
    // Pages arrive from several threads at once, as they do from rayon.
    std::thread::scope(|s| {
        for (url, html) in pages {
            let indexer = &indexer;
            s.spawn(move || indexer.add(url.clone(), html.clone()));
        }
    });
    let files = indexer.finish().expect("indexing succeeds");
    let count = files.len();
    let map: BTreeMap<String, Vec<u8>> = files.into_iter().collect();
    assert_eq!(map.len(), count, "no path twice");
    map
}

/// Index and fragment files are gzip, their payload prefixed with `pagefind_dcd`.
fn decompress(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    assert!(out.starts_with(b"pagefind_dcd"), "Pagefind's marker");
    out.split_off(b"pagefind_dcd".len())
}

fn fragments(files: &BTreeMap<String, Vec<u8>>) -> Vec<serde_json::Value> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("pagefind/fragment/") && p.ends_with(".pf_fragment"))
        .map(|(_, b)| serde_json::from_slice(&decompress(b)).expect("fragment JSON"))
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn returns_the_script_the_wasm_and_the_index() {
    let files = index(&pages(), None);
    for name in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-worker.js",
        "pagefind/pagefind-entry.json",
        "pagefind/wasm.en-gb.pagefind",
    ] {
        assert!(
            files.contains_key(name),
            "{name} missing from {:?}",
            files.keys()
        );
    }
    assert!(files.keys().all(|p| p.starts_with("pagefind/")));
    assert!(files
        .keys()
        .any(|p| p.starts_with("pagefind/pagefind.en-gb_") && p.ends_with(".pf_meta")));
    assert!(files
        .keys()
        .any(|p| p.starts_with("pagefind/index/") && p.ends_with(".pf_index")));
    // realist has its own search interface: Pagefind's are not shipped.
    assert!(
        !files.keys().any(|p| p.contains("-ui.")),
        "{:?}",
        files.keys()
    );
    // The WebAssembly (with the English stemmer) is gzip-compressed too.
    let wasm = decompress(&files["pagefind/wasm.en-gb.pagefind"]);
    assert!(wasm.starts_with(b"\0asm"), "a WebAssembly module");

    let entry: serde_json::Value =
        serde_json::from_slice(&files["pagefind/pagefind-entry.json"]).expect("entry JSON");
    assert_eq!(entry["version"], "1.6.0");
    let language = &entry["languages"]["en-gb"];
    assert_eq!(
        language["page_count"], 3,
        "the page without data-pagefind-body is left out: {entry}"
    );
    assert_eq!(language["wasm"], "en-gb");
    let meta = format!(
        "pagefind/pagefind.{}.pf_meta",
        language["hash"].as_str().expect("hash")
    );
    assert!(files.contains_key(&meta), "{meta}");
}

#[test]
fn a_page_s_words_can_be_found() {
    let files = index(&pages(), None);
    let fragments = fragments(&files);
    assert_eq!(fragments.len(), 3, "one fragment per searchable page");
    let report = fragments
        .iter()
        .find(|f| f["url"] == "reports/r1/")
        .unwrap_or_else(|| panic!("the report's fragment, under its relative URL: {fragments:?}"));
    assert_eq!(report["meta"]["title"], "Recharging report");
    let content = report["content"].as_str().expect("content");
    assert!(
        content.contains("Commissioners recharged the hospital"),
        "{content}"
    );
    assert!(
        !content.contains("Navigation words"),
        "outside data-pagefind-body: {content}"
    );
    assert!(
        !content.contains("zzyzx"),
        "data-pagefind-ignore: {content}"
    );
    // Words in neighbouring block elements stay apart (Pagefind alone would give "inWork").
    assert!(
        content.contains("Reported in Work Stream Tracers Memory"),
        "{content}"
    );
    assert!(
        report["anchors"]
            .as_array()
            .expect("anchors")
            .iter()
            .any(|a| a["id"] == "findings"),
        "headings with ids become sub-results: {report}"
    );
    // Every URL stays relative to the site root, so the site works at any sub-path.
    assert!(fragments
        .iter()
        .all(|f| !f["url"].as_str().unwrap_or("/").starts_with('/')));

    // The word index holds the stemmed words of the page body ("recharged" → "recharg"), and not
    // the ignored ones.
    let words: Vec<u8> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".pf_index"))
        .flat_map(|(_, b)| decompress(b))
        .collect();
    assert!(contains(&words, b"recharg"), "stemmed word in the index");
    assert!(contains(&words, b"dementia"));
    assert!(!contains(&words, b"zzyzx"));
    assert!(
        !contains(&words, b"tracersmemori"),
        "no words glued across elements"
    );
}

#[test]
fn output_is_the_same_whatever_order_pages_arrive_in() {
    let forward = pages();
    let mut backward = pages();
    backward.reverse();
    let first = index(&forward, None);
    let second = index(&backward, None);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    assert!(first == second, "byte-identical files");

    // Declaring the URLs up front (pages then index as they arrive) gives the same bytes again
    // when the declared order is URL order, whatever order pages come in.
    let mut urls: Vec<String> = forward.iter().map(|(u, _)| u.clone()).collect();
    urls.sort();
    let declared = index(&backward, Some(urls.clone()));
    assert!(first == declared, "declared order, pages backwards");
    let declared_again = index(&forward, Some(urls));
    assert!(declared == declared_again, "declared order, pages forwards");

    // A different page order is a different index: the order really is fixed, not ignored.
    let mut reversed_urls: Vec<String> = forward.iter().map(|(u, _)| u.clone()).collect();
    reversed_urls.sort();
    reversed_urls.reverse();
    let other = index(&forward, Some(reversed_urls));
    assert!(other != first, "page numbers follow the declared order");
}

#[test]
fn declared_pages_that_never_arrive_are_left_out() {
    let mut urls: Vec<String> = pages().iter().map(|(u, _)| u.clone()).collect();
    urls.push("reports/never-rendered/".into());
    urls.sort();
    let mut some = pages();
    // Not declared: indexed at the end.
    some.push((
        "glossary/".into(),
        page("Glossary", "Terms and acronyms used.", true),
    ));
    let files = index(&some, Some(urls));
    let entry: serde_json::Value =
        serde_json::from_slice(&files["pagefind/pagefind-entry.json"]).expect("entry JSON");
    assert_eq!(entry["languages"]["en-gb"]["page_count"], 4, "{entry}");
    let urls: Vec<String> = fragments(&files)
        .iter()
        .map(|f| f["url"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(urls.contains(&"glossary/".to_string()), "{urls:?}");
    assert!(
        !urls.iter().any(|u| u.contains("never-rendered")),
        "{urls:?}"
    );
}

#[test]
fn an_empty_site_still_gets_the_script() {
    let files = SearchIndexer::start("en")
        .finish()
        .expect("indexing succeeds");
    let names: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    assert!(names.contains(&"pagefind/pagefind.js"), "{names:?}");
    assert!(names.contains(&"pagefind/pagefind-entry.json"), "{names:?}");
    assert!(
        !names.iter().any(|n| n.ends_with(".pf_fragment")),
        "{names:?}"
    );
}
