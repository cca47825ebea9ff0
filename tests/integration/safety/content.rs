//! Safety: published pages never carry script or tracking. Every URL from Markdown or the
//! bibliography passes one scheme check; images from other hosts warn; bibliography control
//! characters, `@string` expansion and brace depth are bounded; CSV cells never start a formula;
//! the 404 page's script cannot be broken by the base path; Markdown is rendered in linear time.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{loc, tree, Run, Site};

const PAGE: &str = "content/pages/x.md";

/// A free page whose body is `body`.
fn page(body: &str) -> String {
    format!("---\ntitle: X\n---\n{body}\n")
}

/// Every output file that contains `needle` (case-insensitive), for the "never reaches any
/// output" checks.
fn files_containing(out: &Path, needle: &str) -> Vec<String> {
    let needle = needle.to_lowercase();
    tree(out)
        .into_iter()
        .filter(|(_, bytes)| {
            String::from_utf8_lossy(bytes)
                .to_lowercase()
                .contains(&needle)
        })
        .map(|(path, _)| path)
        .collect()
}

/// `realist build` on the site, killed (and the test failed) if it runs longer than `limit`.
fn build_within(site: &Site, args: &[&str], limit: Duration) -> Run {
    let root = site.root().to_string_lossy().into_owned();
    let mut child = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(["build", "--root", root.as_str()])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the realist binary");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for realist") {
            break status;
        }
        if started.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("realist build ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .ok();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .ok();
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

// ---------------------------------------------------------------------------------------------
// URL scheme allowlist.
// ---------------------------------------------------------------------------------------------

/// (Markdown, where the link starts): script and other refused schemes in every Markdown form.
const REFUSED_LINKS: [(&str, &str); 18] = [
    ("[a](javascript:alert(101))", "[a]"),
    ("[a](JaVaScRiPt:alert(102))", "[a]"),
    ("[a](<  javascript:alert(103)>)", "[a]"),
    ("[a](&#106;avascript:alert(104))", "[a]"),
    ("[a](&#x6A;&#x61;vascript:alert(105))", "[a]"),
    ("[a](java&#9;script:alert(106))", "[a]"),
    ("[a](java&#10;script:alert(107))", "[a]"),
    ("[a](&#1;&#32;javascript:alert(108))", "[a]"),
    ("<javascript:alert(109)>", "<java"),
    ("<VBScript:alert(110)>", "<VB"),
    ("[a](data:text/html;base64,alert111)", "[a]"),
    ("![a](data:image/svg+xml;base64,alert112)", "![a]"),
    ("[a](file:///etc/alert113)", "[a]"),
    ("[a](ftp://example.org/alert114)", "[a]"),
    ("Text [a] here.\n\n[a]: javascript:alert(115)", "[a]:"),
    (
        "Text ![a][i] here.\n\n[i]: data:image/png;base64,alert116",
        "[i]:",
    ),
    ("[a](javascript&#x3A;alert(117))", "[a]"),
    ("[a](<java\tscript:alert(118)>)", "[a]"),
];

#[test]
fn refused_url_schemes_are_located_errors_and_never_published() {
    let site = Site::minimal();
    site.build_ok(&[]);
    for (i, (markdown, at)) in REFUSED_LINKS.iter().enumerate() {
        let text = page(&format!(
            "Before. {markdown}\n\nAfter [ok](https://example.org/)."
        ));
        site.write(PAGE, &text);
        let run = site.build(&[]);
        run.assert_site_errors();
        let d = run.assert_error("scheme", &loc(PAGE, &text, at));
        assert!(d.help.is_some(), "case {i}: {d:?}");
        let marker = format!("alert{}", 101 + i);
        let marker_call = format!("alert({})", 101 + i);
        for m in [marker, marker_call] {
            assert_eq!(
                files_containing(&site.out(), &m),
                Vec::<String>::new(),
                "case {i}"
            );
        }
    }
}

#[test]
fn allowed_urls_are_published_unchanged() {
    let body =
        "[w](https://example.org/a?b=1#c) [h](HTTP://example.org/) [m](mailto:a@example.org) \
                <https://example.org/auto> <a@example.org> [f](#top) [r](./)";
    let site = Site::with(&[(PAGE, &page(body))]);
    site.build_ok(&[]);
    let html = site.page("x/index.html");
    for href in [
        "https://example.org/a?b=1#c",
        "HTTP://example.org/",
        "mailto:a@example.org",
        "https://example.org/auto",
    ] {
        assert!(html.contains(&format!("href=\"{href}")), "{href}\n{html}");
    }
}

/// (bibliography entry, text where the error is): refused URLs in a BibTeX `url` field.
const REFUSED_BIB_URLS: [(&str, &str); 5] = [
    (
        "@misc{k, title = {T}, year = {2000}, url = {javascript:alert(201)}}",
        "{javascript",
    ),
    (
        "@misc{k, title = {T}, year = {2000}, URL = \"JAVASCRIPT:alert(202)\"}",
        "\"JAVA",
    ),
    (
        "@misc{k, title = {T}, year = {2000}, url = { vbscript:alert(203)}}",
        "{ vb",
    ),
    (
        "@misc{k, title = {T}, year = {2000}, url = {data:text/html,alert204}}",
        "{data",
    ),
    (
        "@string{u = {javascript:alert(205)}}\n@misc{k, title = {T}, year = {2000}, url = u}",
        "u}",
    ),
];

#[test]
fn bibliography_urls_are_checked_like_links() {
    let site = Site::rich();
    site.build_ok(&[]);
    let cite = "---\ntitle: X\n---\nAs argued [@k].\n";
    for (i, (bib, at)) in REFUSED_BIB_URLS.iter().enumerate() {
        site.write("content/references.bib", bib);
        site.write(PAGE, cite);
        let run = site.build(&[]);
        run.assert_site_errors();
        let d = run.error("scheme");
        let expected = loc("content/references.bib", bib, at);
        assert_eq!(d.location, expected, "case {i}\n{run:?}");
        let marker = format!("alert{}", 201 + i);
        assert_eq!(files_containing(&site.out(), &marker), Vec::<String>::new());
        assert_eq!(
            files_containing(&site.out(), &format!("alert({})", 201 + i)),
            Vec::<String>::new()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Images from other hosts.
// ---------------------------------------------------------------------------------------------

const FOREIGN_IMAGES: [(&str, &str); 5] = [
    ("![a](https://tracker.example.org/p.png)", "!"),
    ("![a](HTTP://tracker.example.org/p.png)", "!"),
    ("![a](//tracker.example.org/p.png)", "!"),
    ("![a](https://tracker.example.org:8443/p.png)", "!"),
    (
        "Text ![a][p].\n\n[p]: https://tracker.example.org/p.png",
        "!",
    ),
];

#[test]
fn images_from_other_hosts_are_errors() {
    let site = Site::minimal();
    for (i, (markdown, at)) in FOREIGN_IMAGES.iter().enumerate() {
        let text = page(&format!("Intro.\n\n{markdown}"));
        site.write(PAGE, &text);
        let run = site.build(&[]);
        assert_ne!(run.code, 0, "case {i}: {run:?}");
        let errors: Vec<_> = run
            .diagnostics()
            .into_iter()
            .filter(|d| d.severity == "error" && d.message.contains("another host"))
            .collect();
        assert_eq!(errors.len(), 1, "case {i}: {run:?}");
        assert_eq!(errors[0].location, loc(PAGE, &text, at), "case {i}");
    }
    site.write(PAGE, page("![a](static-image.png)"));
    let run = site.build(&[]);
    assert!(!run.stderr.contains("another host"), "{run:?}");
}

// ---------------------------------------------------------------------------------------------
// Control characters in the bibliography.
// ---------------------------------------------------------------------------------------------

#[test]
fn bibliography_control_characters_are_refused() {
    let site = Site::rich();
    site.build_ok(&[]);
    site.write(PAGE, "---\ntitle: X\n---\nAs argued [@k].\n");
    for (i, c) in ['\u{1b}', '\u{0}', '\u{7}', '\u{7f}', '\u{85}', '\u{c}']
        .iter()
        .enumerate()
    {
        for field in ["title", "author", "note"] {
            let bib =
                format!("@misc{{k, {field} = {{A{c}[31mB}}, title2 = {{x}}, year = {{2000}}}}\n");
            site.write("content/references.bib", &bib);
            let run = site.build(&[]);
            run.assert_site_errors();
            let at = bib.find(*c).unwrap();
            let column = bib[..at].chars().count() + 1;
            run.assert_error(
                "control character",
                &format!("content/references.bib:1:{column}"),
            );
            // A workbook's own bytes are compressed: its parts are read instead.
            let files = tree(&site.out()).into_iter();
            for (path, bytes) in files.filter(|(p, _)| !p.ends_with(".xlsx")) {
                let bad = String::from_utf8_lossy(&bytes)
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'));
                assert!(!bad, "case {i} {field}: control character in {path}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Spreadsheet formulas in CSV exports.
// ---------------------------------------------------------------------------------------------

const FORMULA_CMO: &str = r#"---
type: cmo
id: f1
title: "=HYPERLINK(\"http://evil.example/\",\"x\")"
kind: anticipated
programme_theory: [theory/pt]
tracer: tracer/tr
areas: [area/a1]
context: [{text: "+cmd|' /C calc'!A0"}, {text: "=1+1"}]
mechanism: {text: "-2+3", resource: "\tTAB", reasoning: "@SUM(1+1)"}
outcome: [{text: "@SUM(A1)", status: anticipated, valence: positive, intended: true}]
status: initial
---
"#;

#[test]
fn csv_cells_never_start_a_formula() {
    let site = Site::with(&[("content/cmos/f1.md", FORMULA_CMO)]);
    site.build_ok(&[]);
    let mut checked = 0;
    for (path, bytes) in tree(&site.out())
        .into_iter()
        .filter(|(p, _)| p.ends_with(".csv"))
    {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        for record in reader.records() {
            for cell in record.expect("a CSV record").iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{path}: cell {cell:?} starts a formula"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "no CSV cells were checked");
    let csv = site.page("exports/cmos.csv");
    for cell in [
        "'=HYPERLINK(",
        "'+cmd|",
        "'-2+3",
        "'\tTAB",
        "'@SUM(1+1)",
        "'@SUM(A1)",
    ] {
        assert!(csv.contains(cell), "{cell:?} not in\n{csv}");
    }
}

#[test]
fn every_formula_start_is_neutralised() {
    for start in ['=', '+', '-', '@', '\t', '\r'] {
        let mut cell = format!("{start}1+1");
        realist::write::extras::neutralise_formula(&mut cell);
        assert_eq!(cell, format!("'{start}1+1"));
    }
    for plain in ["text", "1-1", " =1", "", "'=1"] {
        let mut cell = plain.to_string();
        realist::write::extras::neutralise_formula(&mut cell);
        assert_eq!(cell, plain);
    }
}

// ---------------------------------------------------------------------------------------------
// The 404 page's script and the base path.
// ---------------------------------------------------------------------------------------------

/// The 404 page's `<script>` elements with their attributes cut out, and its count of `<!--`.
fn script_shape(html: &str) -> (Vec<String>, usize) {
    let lower = html.to_lowercase();
    let mut scripts = Vec::new();
    let mut rest = 0;
    while let Some(i) = lower[rest..].find("<script") {
        let start = rest + i;
        let open_end = start + lower[start..].find('>').expect("a script tag ends");
        let close = open_end
            + lower[open_end..]
                .find("</script")
                .expect("a script is closed");
        scripts.push(html[open_end..close].to_string());
        rest = close + 1;
    }
    (scripts, lower.matches("<!--").count())
}

#[test]
fn the_404_script_cannot_be_broken_by_the_base_path() {
    let site = Site::minimal();
    site.build_ok(&[]);
    let baseline = script_shape(&site.page("404.html"));
    let hostile = [
        "https://example.org/a</script><script>alert(301)</script>/",
        "https://example.org/a</SCRIPT >alert(302)/",
        "https://example.org/<!--alert(303)/",
        "https://example.org/<script>alert(304)/",
        "https://example.org/a'\"\\alert(305)/",
        "https://example.org/a\u{2028}alert(306)\u{2029}/",
    ];
    for (i, base) in hostile.iter().enumerate() {
        let yaml = format!(
            "title: T\nbase_url: {}\n",
            serde_json::to_string(base).unwrap()
        );
        site.write("site.yaml", &yaml);
        let run = site.build(&[]);
        if run.code != 0 {
            // Refusing the base path is as safe as publishing it harmlessly.
            assert!(run.code == 1 || run.code == 2, "case {i}: {run:?}");
            continue;
        }
        let html = site.page("404.html");
        assert_eq!(script_shape(&html), baseline, "case {i}:\n{html}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bounded BibTeX.
// ---------------------------------------------------------------------------------------------

/// `@string` macros that each double the last: 2^40 bytes if expanded.
fn doubling_macros() -> String {
    let mut bib = String::from("@string{m0 = {xx}}\n");
    for i in 1..=40 {
        bib.push_str(&format!("@string{{m{i} = m{} # m{}}}\n", i - 1, i - 1));
    }
    bib + "@misc{k, title = m40, year = {2000}}\n"
}

fn deep_braces(depth: usize) -> String {
    format!(
        "@misc{{k, year = {{2000}}, title = {{{}x{}}}}}\n",
        "{".repeat(depth),
        "}".repeat(depth)
    )
}

/// The path:line:col of the `n`-th (1-based) `{` in `text`.
fn nth_brace(text: &str, n: usize) -> String {
    let at = text.match_indices('{').nth(n - 1).unwrap().0;
    let line = text[..at].matches('\n').count() + 1;
    let column = text[..at].rsplit('\n').next().unwrap().chars().count() + 1;
    format!("content/references.bib:{line}:{column}")
}

#[test]
fn bibtex_expansion_and_depth_are_bounded_and_located() {
    let site = Site::rich();
    site.build_ok(&[]);
    let bib = "content/references.bib";
    let deep = deep_braces(100_000);
    let deep_macro = format!(
        "@string{{d = {{{}x{}}}}}\n",
        "{".repeat(500),
        "}".repeat(500)
    );
    let self_ref = "@string{a = {x}}\n@string{a = a # a}\n@misc{k, title = a}\n".to_string();
    let mutual = "@string{a = b # b}\n@string{b = a # a}\n@misc{k, title = a}\n".to_string();
    let cases: Vec<(String, &str, String)> = vec![
        (
            doubling_macros(),
            "expands to more than",
            loc(bib, &doubling_macros(), "@misc"),
        ),
        (deep.clone(), "nested more than", nth_brace(&deep, 66)),
        (
            deep_macro.clone(),
            "nested more than",
            nth_brace(&deep_macro, 65),
        ),
        (
            self_ref.clone(),
            "defined through itself",
            format!("{bib}:2:13"),
        ),
        (
            mutual.clone(),
            "defined through itself",
            format!("{bib}:2:13"),
        ),
    ];
    for (i, (text, message, at)) in cases.iter().enumerate() {
        site.write(bib, text);
        let run = build_within(&site, &[], Duration::from_secs(30));
        assert_eq!(run.code, 1, "case {i}: {run:?}");
        run.assert_error(message, at);
    }
}

#[test]
fn crossref_copies_count_towards_the_expansion_limit() {
    let site = Site::rich();
    let mut bib = format!(
        "@misc{{p, title = {{{}}}, year = {{2000}}}}\n",
        "x".repeat(400_000)
    );
    for i in 0..200 {
        bib.push_str(&format!("@misc{{c{i}, crossref = {{p}}}}\n"));
    }
    site.write("content/references.bib", &bib);
    let run = build_within(&site, &[], Duration::from_secs(60));
    assert_eq!(run.code, 1, "{run:?}");
    let d = run.error("expands to more than");
    assert!(d.location.starts_with("content/references.bib:"), "{d:?}");
}

#[test]
fn ordinary_macros_and_months_still_build() {
    let bib = "@string{jhs = {Journal of Health Services}}\n\
               @article{smith2013, author = {Smith, Jane}, title = {A {Nested {Title}}}, journal = jhs # { (UK)}, year = {2013}, month = jan}\n\
               @article{jones2015, author = {Jones, Amir}, title = {B}, journal = jhs, year = {2015}, url = {https://example.org/b}, doi = {10.1000/b}}\n";
    let site = Site::rich();
    site.write("content/references.bib", bib);
    site.build_ok(&[]);
    let html = site.page("reports/r1/index.html");
    assert!(html.contains("Journal of Health Services"), "{html}");
}

// ---------------------------------------------------------------------------------------------
// Linear-time Markdown.
// ---------------------------------------------------------------------------------------------

mod linear {
    use std::path::Path;
    use std::time::Duration;

    use realist::cite::CiteItem;
    use realist::markdown::{render, Resolver, Source};
    use realist::model::Ref;

    use super::Site;

    /// Resolves every reference and knows no citation or glossary term.
    struct Everything;

    impl Resolver for Everything {
        fn resolve(&self, _: &Ref) -> Result<String, (String, Option<String>)> {
            Ok("reports/x/".into())
        }
        fn content_ref(&self, _: &Path) -> Option<Ref> {
            None
        }
        fn glossary(&self, _: &str) -> Option<(&str, &str)> {
            None
        }
        fn has_citation(&self, _: &str) -> Result<(), Option<String>> {
            Err(None)
        }
        fn format_citations(&self, _: &[Vec<CiteItem>]) -> (Vec<String>, Vec<(String, String)>) {
            (Vec::new(), Vec::new())
        }
    }

    /// The CPU time this thread has used: unlike the clock, it does not count the time other
    /// processes (a parallel compile, the other tests) take the processor away.
    fn thread_cpu() -> Duration {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes into the timespec it is given.
        assert_eq!(
            unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) },
            0
        );
        Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    }

    fn time(text: &str) -> Duration {
        let source = Source {
            text,
            path: Path::new("content/pages/x.md"),
            first_line: 5,
            depth: 1,
        };
        let start = thread_cpu();
        std::hint::black_box(render(&source, &Everything));
        thread_cpu() - start
    }

    /// The best of five runs: disturbances only ever add time.
    fn median(text: &str) -> Duration {
        (0..5).map(|_| time(text)).min().unwrap()
    }

    /// Time for 4n against time for n: about 4 when linear, 16 when quadratic.
    fn growth(shape: fn(usize) -> String, n: usize) -> f64 {
        time(&shape(n));
        let small = median(&shape(n));
        let large = median(&shape(4 * n));
        large.as_secs_f64() / small.as_secs_f64().max(1e-6)
    }

    /// (name, shape, n): bodies that were quadratic, and their neighbours.
    #[allow(clippy::type_complexity)]
    const SHAPES: [(&str, fn(usize) -> String, usize); 12] = [
        ("nested brackets", |n| "[".repeat(n) + &"]".repeat(n), 8_000),
        ("emphasis openers", |n| "*a _b ".repeat(n), 8_000),
        (
            "a table of links",
            |n| "|a|b|\n|-|-|\n".to_string() + &"|[x](y)|`z`|\n".repeat(n),
            4_000,
        ),
        ("duplicate headings", |n| "## Same\n\n".repeat(n), 4_000),
        (
            "duplicate explicit ids",
            |n| "## A {#a}\n\n".repeat(n),
            4_000,
        ),
        ("a long line of links", |n| "[a](x/y.png) ".repeat(n), 8_000),
        (
            "a long line of refused links",
            |n| "[a](javascript:x) ".repeat(n),
            8_000,
        ),
        ("unmatched brackets", |n| "[ ".repeat(n), 20_000),
        (
            "brackets before a citation",
            |n| "[".repeat(n) + "[@k]",
            20_000,
        ),
        (
            "unknown citations on one line",
            |n| "[@k] ".repeat(n),
            8_000,
        ),
        ("many footnotes", footnotes, 4_000),
        ("reference links", references, 4_000),
    ];

    fn footnotes(n: usize) -> String {
        let refs: String = (0..n).map(|i| format!("Text[^n{i}] ")).collect();
        let defs: String = (0..n).map(|i| format!("[^n{i}]: note {i}\n")).collect();
        format!("{refs}\n\n{defs}")
    }

    fn references(n: usize) -> String {
        let uses: String = (0..n).map(|i| format!("[a][r{i}] ")).collect();
        let defs: String = (0..n).map(|i| format!("[r{i}]: x/{i}.png\n")).collect();
        format!("{uses}\n\n{defs}")
    }

    #[test]
    fn rendering_time_grows_linearly_with_the_body() {
        let mut slow = Vec::new();
        for (name, shape, n) in SHAPES {
            // A measurement can be disturbed by other work on the machine: a shape is slow only
            // if it is slow three times.
            let ratios: Vec<f64> = (0..3).map(|_| growth(shape, n)).collect();
            eprintln!("{name}: x4 input takes {ratios:.1?} times as long");
            if ratios.iter().all(|&r| r > 8.0) {
                slow.push((name, ratios));
            }
        }
        assert!(slow.is_empty(), "super-linear rendering: {slow:?}");
    }

    /// Bodies that went through the Markdown library in linear time but made the whole build
    /// quadratic further on (table of contents, template, link checker, search index, writer),
    /// and a table, which is many small events. Sized so that the body, not the rest of the
    /// site, takes most of a release build (a quarter of a second or more).
    #[allow(clippy::type_complexity)]
    const PAGE_SHAPES: [(&str, fn(usize) -> String, usize); 4] = [
        (
            "repeated headings",
            |n| "## Same heading\n\n".repeat(n),
            64_000,
        ),
        ("footnotes", footnote_lines, 64_000),
        ("anchor links to headings", anchors, 32_000),
        ("a table", table, 8_000),
    ];

    fn footnote_lines(n: usize) -> String {
        let refs: String = (0..n).map(|i| format!("x[^{i}]\n")).collect();
        let defs: String = (0..n).map(|i| format!("[^{i}]: note {i}\n")).collect();
        format!("{refs}\n{defs}")
    }

    fn anchors(n: usize) -> String {
        (0..n)
            .map(|i| format!("[x](#h{i})\n\n## H {{#h{i}}}\n\n"))
            .collect()
    }

    fn table(rows: usize) -> String {
        let row = |cell: &str| format!("|{}|\n", vec![cell; 50].join("|"));
        row("head") + &row("---") + &row("cell").repeat(rows)
    }

    /// CPU seconds (user and system, all threads) of a whole build of the site by the real
    /// binary, the best of three: CPU time, not the clock, so that other processes taking the
    /// processor away do not count. A child process, so the test process does not grow: other
    /// tests in this crate measure the peak memory of their children, which Linux charges with
    /// the parent's peak.
    fn build_time(site: &Site) -> f64 {
        let out = site.root().join("public");
        (0..3)
            .map(|_| {
                // Reaped by wait4 below, which std's `wait` cannot replace: it gives no usage.
                #[allow(clippy::zombie_processes)]
                let child = std::process::Command::new(env!("CARGO_BIN_EXE_realist"))
                    .args(["build", "--root"])
                    .arg(site.root())
                    .arg("--out")
                    .arg(&out)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                let (status, usage) = wait_with_usage(child.id());
                assert!(status == 0, "the build failed");
                let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
                seconds(usage.ru_utime) + seconds(usage.ru_stime)
            })
            .fold(f64::INFINITY, f64::min)
    }

    /// Waits for the child `pid` and returns its wait status and its own resource usage.
    fn wait_with_usage(pid: u32) -> (libc::c_int, libc::rusage) {
        let mut status = 0;
        // SAFETY: rusage is plain data, and wait4 fills it and `status` for the child it reaps.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage) };
        assert_eq!(reaped, pid as libc::pid_t, "wait4 failed");
        (status, usage)
    }

    /// How much longer the build takes for the body of size 2n than for n, less what a build
    /// of an empty page costs: about 2 when linear, 4 when quadratic.
    fn build_growth(site: &Site, shape: fn(usize) -> String, n: usize, empty: f64) -> f64 {
        site.write("content/pages/about.md", page(&shape(n)));
        let small = build_time(site) - empty;
        site.write("content/pages/about.md", page(&shape(2 * n)));
        let large = build_time(site) - empty;
        large / small.max(1e-3)
    }

    fn page(body: &str) -> String {
        format!("---\ntitle: About\n---\n{body}")
    }

    #[test]
    fn building_time_grows_linearly_with_the_body() {
        let site = Site::minimal();
        site.write("content/pages/about.md", page(""));
        let empty = build_time(&site);
        let mut slow = Vec::new();
        for (name, shape, n) in PAGE_SHAPES {
            // A shape is slow only if it is slow twice: another process can disturb one run.
            let ratios: Vec<f64> = (0..2)
                .map(|_| build_growth(&site, shape, n, empty))
                .collect();
            eprintln!("{name}: x2 body builds in {ratios:.1?} times as long");
            if ratios.iter().all(|&r| r > 3.0) {
                slow.push((name, ratios));
            }
        }
        assert!(slow.is_empty(), "super-linear build: {slow:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// `crossref` and `xdata` links: no cycle, no chain longer than 64.
// ---------------------------------------------------------------------------------------------

const BIB: &str = "content/references.bib";

/// A site whose bibliography is `bib` and whose page cites `[@k1]`.
fn citing_site(bib: &str) -> Site {
    Site::with(&[
        (
            "site.yaml",
            &format!(
                "{}bibliography: content/references.bib\n",
                crate::common::SITE_YAML
            ),
        ),
        (PAGE, &page("As argued [@k1].")),
        (BIB, bib),
    ])
}

#[test]
fn crossref_and_xdata_cycles_are_located_errors() {
    let mutual = "@misc{k1, title={T}, year={2020}}\n@misc{k2, title={T}, year={2020}, crossref={k3}}\n@misc{k3, title={T}, year={2020}, crossref={k2}}\n";
    let cases = [
        ("@misc{k1, crossref={k1}, title={x}, year={2020}}\n", "crossref"),
        (mutual, "crossref={k3}"),
        ("@misc{k1, xdata={k1}, title={x}, year={2020}}\n", "xdata"),
        (
            "@misc{k1, title={T}, year={2020}, xdata={k2}}\n@xdata{k2, xdata={k3}}\n@xdata{k3, note={n}, xdata={k1}}\n",
            "xdata",
        ),
        (
            "@misc{k1, title={T}, year={2020}, XData={k0, k2}}\n@misc{k2, CrossRef={k1}}\n@misc{k0, note={n}}\n",
            "XData",
        ),
        // The key is read as biblatex reads it: braces and macros are resolved.
        ("@string{me = {k1}}\n@misc{k1, crossref=me, title={x}, year={2020}}\n", "crossref"),
        ("@misc{k1, crossref={{k}1}, title={x}, year={2020}}\n", "crossref"),
    ];
    for (i, (bib, at)) in cases.iter().enumerate() {
        let site = citing_site(bib);
        let run = build_within(&site, &[], Duration::from_secs(30));
        assert_eq!(run.code, 1, "case {i}: {run:?}");
        run.assert_error("leads back to", &loc(BIB, bib, at));
    }
}

/// Entries c1..=cn, each inheriting from the one before: a chain of n - 1 links.
fn chain(n: usize, field: &str) -> String {
    let mut bib = String::from("@misc{k1, title={T}, year={2020}}\n");
    for i in 1..=n {
        bib.push_str(&format!("@misc{{c{i}, {field}={{c{}}}}}\n", i - 1));
    }
    bib
}

#[test]
fn crossref_chains_longer_than_64_are_refused_quickly() {
    for field in ["crossref", "xdata"] {
        // c1 names no entry, so c65 is 64 links from its end and c66 is one too many.
        let site = citing_site(&chain(65, field));
        build_within(&site, &[], Duration::from_secs(30)).assert_ok();
        for n in [66, 20_000] {
            let bib = chain(n, field);
            site.write(BIB, &bib);
            let run = build_within(&site, &[], Duration::from_secs(20));
            assert_eq!(run.code, 1, "{field} {n}: {run:?}");
            run.assert_error(
                "chain of more than 64",
                &crate::common::loc_after(BIB, &bib, "@misc{c66,", field),
            );
        }
    }
}

#[test]
fn crossref_copies_along_every_path_count_towards_the_limit() {
    // Each level reaches the next twice: 2^30 copies of the last entry if resolved, in a chain of
    // 60 links, within the limit on chains.
    let mut bib = String::from("@misc{k1, title={T}, year={2020}}\n@misc{d30, note={n}}\n");
    for i in (0..30).rev() {
        bib.push_str(&format!(
            "@misc{{a{i}, crossref={{d{0}}}}}\n@misc{{b{i}, crossref={{d{0}}}}}\n@misc{{d{i}, xdata={{a{i}, b{i}}}}}\n",
            i + 1
        ));
    }
    let site = citing_site(&bib);
    let run = build_within(&site, &[], Duration::from_secs(30));
    assert_eq!(run.code, 1, "{run:?}");
    let d = run.error("expands to more than");
    assert!(d.location.starts_with("content/references.bib:"), "{d:?}");
}

#[test]
fn ordinary_crossref_and_xdata_still_build() {
    let bib = "@misc{k1, title={T}, year={2020}, crossref={proc}, xdata={pub}}\n\
               @proceedings{proc, title={Proceedings}, year={2019}, crossref={series}}\n\
               @misc{series, note={Series}}\n@xdata{pub, publisher={P}}\n\
               @misc{k2, crossref={missing}}\n";
    let site = citing_site(bib);
    site.build_ok(&[]);
}

// ---------------------------------------------------------------------------------------------
// A base path that a browser could read as another host.
// ---------------------------------------------------------------------------------------------

const EMPTY_SEGMENTS: [&str; 5] = [
    "https://example.org//evil.example/",
    "https://example.org//evil.example",
    "https://example.org/research//evil.example/",
    "https://example.org/.//evil.example/",
    "http://localhost:8000/a//",
];

#[test]
fn a_base_path_with_an_empty_segment_is_refused_from_either_source() {
    for url in EMPTY_SEGMENTS {
        let site = Site::minimal();
        let flag = site.build(&["--base-url", url]);
        assert_eq!(flag.code, 2, "{url}\n{flag:?}");
        assert_eq!(flag.stderr.matches("error").count(), 1, "{url}\n{flag:?}");
        assert!(
            flag.stderr.contains("empty path segment"),
            "{url}\n{flag:?}"
        );
        let yaml = format!("title: \"T\"\nbase_url: \"{url}\"\nsearch: true\n");
        site.write("site.yaml", &yaml);
        let run = site.build(&[]);
        assert_eq!(run.code, 1, "{url}\n{run:?}");
        assert_eq!(run.errors().len(), 1, "{url}\n{run:?}");
        run.assert_error("empty path segment", &loc("site.yaml", &yaml, url));
        assert!(!site.out().exists(), "{url}: wrote output");
    }
}

#[test]
fn the_search_script_loads_pagefind_from_a_full_same_origin_url() {
    let site = Site::with(&[(
        "site.yaml",
        "title: \"T\"\nbase_url: \"https://example.org/research/t/\"\nsearch: true\n",
    )]);
    site.build_ok(&[]);
    let script = site.page("static/search.js");
    assert!(!script.contains(".pathname"), "{script}");
    for call in ["import(", "basePath:", "baseUrl:"] {
        let at = script
            .find(call)
            .unwrap_or_else(|| panic!("{call} in {script}"));
        let rest = &script[at + call.len()..];
        assert!(rest.trim_start().starts_with("here("), "{call}: {rest}");
    }
    assert!(script.contains(".href"), "{script}");
}

// ---------------------------------------------------------------------------------------------
// "Cite this": every RIS field on one line, every BibTeX field closed where it should be.
// ---------------------------------------------------------------------------------------------

/// The text of a `<details>` block of the "cite this" section, unescaped.
fn cite_block(html: &str, summary: &str) -> String {
    let start = format!("<summary>{summary}</summary><pre class=\"code\"><code>");
    let block = crate::common::between(html, &start, "</code>");
    block[start.len()..block.len() - "</code>".len()]
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Line breaks as YAML double-quoted escapes: LF, CR LF, CR, U+2028, U+2029.
const BREAKS: [&str; 5] = ["\\n", "\\r\\n", "\\r", "\\u2028", "\\u2029"];

/// Builds the site; true when it built, false when it refused the break as a control character
/// (as safe as publishing it harmlessly). A plain line feed is allowed and must build.
fn builds_or_refuses_the_break(site: &Site, br: &str) -> bool {
    let run = site.build(&[]);
    if run.code == 0 {
        return true;
    }
    assert_ne!(br, "\\n", "{run:?}");
    run.error("control character");
    false
}

#[test]
fn a_line_break_in_a_report_field_never_starts_an_ris_line() {
    let site = Site::rich();
    for br in BREAKS {
        let evil = format!("T{br}UR  - javascript:alert(1){br}ER  - ");
        let report = crate::common::RICH_R1
            .replace("title: R1", &format!("title: \"{evil}\""))
            .replace(
                "authors: [{name: A}]",
                &format!("authors: [{{name: \"A{br}AU  - B\"}}]\nkeywords: [\"k{br}KW  - j\"]"),
            );
        site.write("content/reports/r1.md", &report);
        if !builds_or_refuses_the_break(&site, br) {
            continue;
        }
        let ris = cite_block(&site.page("reports/r1/index.html"), "RIS");
        let lines: Vec<&str> = ris.lines().collect();
        let tags: Vec<&str> = lines.iter().map(|l| &l[..l.len().min(6)]).collect();
        assert_eq!(
            tags,
            [
                "TY  - ", "TI  - ", "AU  - ", "PY  - ", "DA  - ", "PB  - ", "UR  - ", "KW  - ",
                "ER  - "
            ],
            "{br}:\n{ris}"
        );
        assert!(lines[1].contains("javascript:alert(1)"), "{br}:\n{ris}");
        assert!(
            !ris.contains(['\r', '\u{2028}', '\u{2029}', '\u{85}']),
            "{br}:\n{ris:?}"
        );
    }
}

#[test]
fn a_brace_or_line_break_in_a_report_field_never_closes_a_bibtex_field() {
    let site = Site::rich();
    for br in BREAKS {
        let evil = format!("T}},{br}  url = {{javascript:alert(1)}},{br}  note = {{x");
        let report = crate::common::RICH_R1
            .replace("title: R1", &format!("title: \"{evil}\""))
            .replace(
                "authors: [{name: A}]",
                &format!("authors: [{{name: \"A}}{br}B\\\\\"}}]"),
            );
        site.write("content/reports/r1.md", &report);
        if !builds_or_refuses_the_break(&site, br) {
            continue;
        }
        let bib = cite_block(&site.page("reports/r1/index.html"), "BibTeX");
        let lines: Vec<&str> = bib.lines().collect();
        assert!(lines[0].starts_with("@techreport{r1,"), "{br}:\n{bib}");
        assert_eq!(lines.last(), Some(&"}"), "{br}:\n{bib}");
        const MONTHS: &str = "jan feb mar apr may jun jul aug sep oct nov dec";
        for line in &lines[1..lines.len() - 1] {
            // The month is a macro (`month = jun,`), a word BibTeX defines, with no braces.
            let macro_name = line
                .strip_prefix("month = ")
                .and_then(|m| m.strip_suffix(','));
            if macro_name.is_some_and(|m| m.len() == 3 && MONTHS.contains(m)) {
                continue;
            }
            // Each other field is `  name = {value},` with its braces balanced inside the value.
            let value = line.split_once(" = {").map(|(_, v)| v).unwrap_or("");
            let depth = value.chars().try_fold(1i32, |d, c| {
                let d = d + (c == '{') as i32 - (c == '}') as i32;
                (d > 0).then_some(d)
            });
            assert!(
                depth.is_none() && value.trim_end_matches(',').ends_with('}'),
                "{br}: field does not close at its end: {line}\n{bib}"
            );
        }
        let urls = lines
            .iter()
            .filter(|l| l.trim_start().starts_with("url"))
            .count();
        assert_eq!(urls, 1, "{br}:\n{bib}");
    }
}

// ---------------------------------------------------------------------------------------------
// The generated accessibility statement: site.yaml values are text, never Markdown.
// ---------------------------------------------------------------------------------------------

/// site.yaml titles that would be Markdown if pasted in: each must show as its own text.
const MARKDOWN_TITLES: [&str; 12] = [
    "![x](https://evil.example/t.png)",
    "[x](https://evil.example/)",
    "[x](javascript:alert(1))",
    "<img src=https://evil.example/t.png>",
    "T\\n\\n# Heading\\n\\n![x](https://evil.example/t.png)",
    "T\\n[r]: https://evil.example/t.png\\n![x][r]",
    "*a* _b_ `c` ~~d~~ $e$",
    "A {#main} title",
    "Smith @york [@k1] \\\\",
    "T\\u2028![x](https://evil.example/t.png)",
    "<https://evil.example/>",
    "a | b\\n---|---",
];

#[test]
fn site_yaml_values_in_the_generated_statement_are_text() {
    let site = Site::minimal();
    site.remove("content/pages/accessibility.md");
    for title in MARKDOWN_TITLES {
        site.write(
            "site.yaml",
            format!("title: \"{title}\"\nbase_url: \"https://example.org/t/\"\naccessibility_contact: \"a_b+c@example.ac.uk\"\n"),
        );
        let run = site.build(&[]);
        assert_eq!(run.code, 0, "{title}\n{run:?}");
        assert!(!run.stderr.contains("accessibility.md"), "{title}\n{run:?}");
        let main = crate::common::main_of(&site.page("accessibility/index.html")).to_string();
        assert!(!main.contains("<img"), "{title}\n{main}");
        assert!(!main.contains("<h1 id=\"heading"), "{title}\n{main}");
        for attr in ["href", "src"] {
            let off = crate::common::attrs(&main, attr)
                .into_iter()
                .filter(|v| v.contains("evil.example") || v.contains("javascript"))
                .collect::<Vec<_>>();
            assert!(off.is_empty(), "{title}: {off:?}\n{main}");
        }
        for tag in [
            "<em>",
            "<code>",
            "<del>",
            "<table",
            "<abbr",
            "class=\"math",
            "<h2 id=\"heading",
        ] {
            assert!(!main.contains(tag), "{title}: {tag}\n{main}");
        }
        assert!(
            main.contains("href=\"mailto:a_b+c@example.ac.uk\""),
            "{main}"
        );
    }
}

#[test]
fn accessibility_contact_is_an_email_address_located_in_site_yaml() {
    let bad = [
        "the research team",
        "https://example.org/contact",
        "a@b",
        "a@example.org?cc=x@evil.example",
        "a@example.org&body=x",
        "a,b@example.org",
        "a b@example.org",
        "a@@example.org",
        "<a@example.org>",
        "a@example.org)![x](https://evil.example/t.png)",
        "a\\\"onmouseover=\\\"alert(1)@example.org",
        "javascript:alert(1)//@example.org",
    ];
    let site = Site::minimal();
    for contact in bad {
        let yaml = format!(
            "title: \"T\"\nbase_url: \"https://example.org/t/\"\naccessibility_contact: \"{contact}\"\n"
        );
        site.write("site.yaml", &yaml);
        let run = site.build(&[]);
        assert_eq!(run.code, 1, "{contact}\n{run:?}");
        assert_eq!(run.errors().len(), 1, "{contact}\n{run:?}");
        run.assert_error("is not an email address", "site.yaml:3:25");
    }
    for good in [
        "research-team@example.ac.uk",
        "o'neil.j@dept.example.org",
        "ana@exámple.es",
    ] {
        site.write(
            "site.yaml",
            format!("title: \"T\"\nbase_url: \"https://example.org/t/\"\naccessibility_contact: \"{good}\"\n"),
        );
        site.build_ok(&[]);
    }
}

// ---------------------------------------------------------------------------------------------
// DOIs and ORCID iDs: published as https://doi.org/… and https://orcid.org/…, so checked.
// ---------------------------------------------------------------------------------------------

const REPORT: &str = "content/reports/r1.md";

#[test]
fn a_bad_doi_is_a_located_error_in_the_report() {
    let bad = [
        "javascript:alert(1)",
        "https://doi.org/10.1000/x",
        "10.1000",
        "10./x",
        "10.1000/",
        "11.1000/x",
        "10.10a0/x",
        "10.1000/a b",
        "10.1000/a\\tb",
        "10.1000/a\\u2028b",
        "doi:10.1000/x",
        " 10.1000/x",
    ];
    let site = Site::minimal();
    for doi in bad {
        let report = crate::common::R1.replace(
            "status: published",
            &format!("status: published\ndoi: \"{doi}\""),
        );
        site.write(REPORT, &report);
        let run = site.build(&[]);
        assert_eq!(run.code, 1, "{doi}\n{run:?}");
        let d = run.error("is not a DOI");
        let at = crate::common::loc_after(REPORT, &report, "doi: \"", doi.trim_start());
        assert_eq!(d.location, at, "{doi}\n{run:?}");
        assert!(files_containing(&site.out(), "javascript:alert").is_empty());
    }
    for good in [
        "10.1136/bmjopen-2013-003341",
        "10.1000.10/ABC(1)x;2",
        "10.5555/é",
    ] {
        let report = crate::common::R1.replace(
            "status: published",
            &format!("status: published\ndoi: \"{good}\""),
        );
        site.write(REPORT, &report);
        site.build_ok(&[]);
    }
}

#[test]
fn a_bad_orcid_is_a_located_error_in_the_report() {
    let bad = [
        "javascript:alert(1)",
        "https://orcid.org/0000-0002-1825-0097",
        "0000-0002-1825-009",
        "0000-0002-1825-00977",
        "0000-0002-1825-009x",
        "0000-000X-1825-0097",
        "0000 0002 1825 0097",
        "0000-0002-1825-0097/../x",
        "000a-0002-1825-0097",
        "0000-0002-1825-0097\\n",
    ];
    let site = Site::minimal();
    for orcid in bad {
        let report = crate::common::R1.replace(
            "authors: [{name: A}]",
            &format!("authors: [{{name: A, orcid: \"{orcid}\"}}]"),
        );
        site.write(REPORT, &report);
        let run = site.build(&[]);
        assert_eq!(run.code, 1, "{orcid}\n{run:?}");
        let d = run.error("is not an ORCID iD");
        let at = crate::common::loc_after(REPORT, &report, "orcid: \"", orcid);
        assert_eq!(d.location, at, "{orcid}\n{run:?}");
    }
    for good in ["0000-0002-1825-0097", "0000-0002-9079-593X"] {
        let report = crate::common::R1.replace(
            "authors: [{name: A}]",
            &format!("authors: [{{name: A, orcid: \"{good}\"}}]"),
        );
        site.write(REPORT, &report);
        site.build_ok(&[]);
        let page = site.page("reports/r1/index.html");
        assert!(
            page.contains(&format!("https://orcid.org/{good}")),
            "{page}"
        );
    }
}

#[test]
fn a_bad_orcid_among_several_authors_is_located_at_its_own_value() {
    let report = crate::common::R1.replace(
        "authors: [{name: A}]",
        "authors: [{name: A, orcid: \"0000-0002-1825-0097\"}, {name: B, orcid: \"javascript:alert(1)\"}]",
    );
    let site = Site::minimal();
    site.write(REPORT, &report);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    run.assert_error(
        "is not an ORCID iD",
        &crate::common::loc(REPORT, &report, "javascript"),
    );
}
