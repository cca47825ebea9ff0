//! Property tests of the pipeline on random input.
//!
//! Stage by stage, in process and cheap enough for 10,000 cases each:
//! - `text::frontmatter::split` on any text never panics, and what it returns is a real split;
//! - `text::yaml::from_str` on random YAML-ish text and on schema-shaped but wrong mappings, for
//!   every content type and site.yaml, never panics and always locates its error inside the text;
//! - `markdown::render` on random Markdown never panics, locates its problems inside the body,
//!   gives unique heading ids, and never lets raw `<script>` or a NUL byte through.
//!
//! End to end, fewer cases: a fixture site with a random report (random front matter and body) is
//! built with `realist::build` into a temporary folder; the build must return, and its outcome must
//! agree with its diagnostics (errors ⇔ `SiteErrors`, and nothing is written when it fails).
//!
//! `PROPTEST_CASES` sets the cases of the cheap properties (default 10,000); the end-to-end
//! property runs `PROPTEST_BUILD_CASES` (default 300). The seed is fixed so CI is repeatable; set
//! `PROPTEST_RANDOM=1` to explore new inputs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

use realist::cite::CiteItem;
use realist::markdown::{Resolver, Source};
use realist::model::{Kind, Ref};

// ---------------------------------------------------------------------------------------------
// Running properties.

fn cheap_cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000)
}

fn build_cases() -> u32 {
    std::env::var("PROPTEST_BUILD_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Runs `test` on `cases` values of `strategy` and prints how many ran (outside the test
/// harness's capture, so the counts show in CI logs).
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let mut runner = if std::env::var_os("PROPTEST_RANDOM").is_some() {
        TestRunner::new(config)
    } else {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    };
    let ran = AtomicUsize::new(0);
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |value| {
        ran.fetch_add(1, Ordering::Relaxed);
        test(value)
    });
    let _ = writeln!(
        std::io::stderr(),
        "proptest {name}: {} cases run ({cases} required) in {:.1} s",
        ran.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// Generators.

const REPORT_FIELDS: [&str; 29] = [
    "type",
    "report_type",
    "title",
    "date",
    "updated",
    "authors",
    "authors_not_named",
    "journal",
    "rameses",
    "more_authors",
    "status",
    "study",
    "tracer",
    "tracers",
    "areas",
    "programme_theories",
    "summary",
    "lay_summary",
    "abstract",
    "keywords",
    "themes",
    "doi",
    "licence",
    "funding",
    "ethics",
    "derived_from",
    "sources",
    "editorial",
    "cmos",
];

const CMO_FIELDS: [&str; 17] = [
    "type",
    "id",
    "title",
    "kind",
    "programme_theory",
    "tracer",
    "areas",
    "context",
    "mechanism",
    "outcome",
    "chain",
    "evidence",
    "confidence",
    "status",
    "status_note",
    "themes",
    "sources",
];

/// The fields of every other front-matter type and of the structures inside reports and CMOs
/// (authors, evidence, chains …) that are not already above.
const OTHER_FIELDS: [&str; 60] = [
    "affiliation",
    "aliases",
    "anonymised",
    "area",
    "attribution",
    "informant",
    "informants",
    "interviewed",
    "organisation",
    "because",
    "chosen_to_illuminate",
    "committee",
    "container",
    "contradicts",
    "design",
    "end",
    "feeds_context_of",
    "funder",
    "grant_ref",
    "if",
    "instances",
    "intended",
    "level",
    "locator",
    "name",
    "note",
    "of",
    "orcid",
    "group",
    "volume",
    "issue",
    "pages",
    "part",
    "summarises",
    "family",
    "given",
    "period",
    "population",
    "programme",
    "prompted_by",
    "quote",
    "rationale",
    "reasoning",
    "ref",
    "refinements",
    "refines",
    "resource",
    "role",
    "source",
    "specialises",
    "split",
    "stance",
    "start",
    "statement",
    "tags",
    "text",
    "then",
    "url",
    "valence",
    "year",
];

const ENUM_VALUES: [&str; 22] = [
    "tracer-report",
    "commissioning-report",
    "final-report",
    "published",
    "draft",
    "confidential",
    "in-review",
    "withdrawn",
    "observed",
    "anticipated",
    "derived",
    "refined",
    "supported",
    "initial",
    "positive",
    "interview",
    "high",
    "low",
    "service",
    "condition",
    "policy",
    "none-identified",
];

const KINDS: [&str; 10] = [
    "study", "report", "tracer", "area", "theory", "cmo", "page", "theme", "tracr", "",
];

fn any_field() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&REPORT_FIELDS[..]).prop_map(str::to_string),
        prop::sample::select(&CMO_FIELDS[..]).prop_map(str::to_string),
        prop::sample::select(&OTHER_FIELDS[..]).prop_map(str::to_string),
        "[a-z_]{1,12}",
    ]
}

/// Ids, mostly valid and short, sometimes not.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(&["s", "tr", "a1", "pt", "r1", "c1", "c2", "accessibility", "nope"][..])
            .prop_map(str::to_string),
        3 => "[a-z0-9][a-z0-9-]{0,15}",
        1 => "[A-Za-z0-9_ é-]{0,10}",
        1 => (1usize..400).prop_map(|n| "x".repeat(n)),
    ]
}

fn reference() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&KINDS[..]),
        id(),
        prop::option::of("[a-z0-9<>\"'-]{0,10}"),
    )
        .prop_map(|(kind, id, anchor)| match anchor {
            Some(a) => format!("{kind}/{id}#{a}"),
            None => format!("{kind}/{id}"),
        })
}

fn date() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..3000, 0u32..15, 0u32..33).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (0u32..3000, 0u32..15).prop_map(|(y, m)| format!("{y}-{m:02}")),
        (0u32..99999).prop_map(|y| y.to_string()),
        Just("June 2017".to_string()),
        Just("2019-02-29".to_string()),
        Just("2020-02-29".to_string()),
    ]
}

/// A YAML scalar, quoted or not.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9 ]{0,12}",
        2 => prop::sample::select(&ENUM_VALUES[..]).prop_map(str::to_string),
        2 => reference(),
        2 => date().prop_map(|d| format!("\"{d}\"")),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>().prop_map(|n| n.to_string()),
        1 => prop::sample::select(&["true", "false", "null", "~", "yes", "-", "''", "\"\"", ".inf"][..])
            .prop_map(str::to_string),
        1 => "\\PC{0,10}".prop_map(|s| format!("{s:?}")),
        1 => "<script>alert\\(1\\)</script>".prop_map(|s| format!("\"{s}\"")),
    ]
}

/// A YAML value in flow style, nested a few levels.
fn flow_value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((any_field(), inner), 0..5).prop_map(|v| {
                let pairs: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", pairs.join(", "))
            }),
        ]
    })
}

/// Mappings built from the schema's field names with random values: structured, but wrong in
/// most of the ways an author can be wrong (types, enums, dates, refs, missing and unknown keys).
fn structured_yaml() -> impl Strategy<Value = String> {
    let entry = (any_field(), flow_value(), 0usize..3);
    prop::collection::vec(entry, 0..14).prop_map(|entries| {
        let mut out = String::new();
        for (key, value, style) in entries {
            match style {
                0 => out.push_str(&format!("{key}: {value}\n")),
                1 => out.push_str(&format!("{key}:\n  - {value}\n  - {value}\n")),
                _ => out.push_str(&format!("{key}:\n  {key}: {value}\n")),
            }
        }
        out
    })
}

/// A valid report's front matter with one random field replaced, dropped or added.
fn mutated_report_yaml() -> impl Strategy<Value = String> {
    (
        0usize..valid_report_yaml().lines().count(),
        0usize..3,
        any_field(),
        flow_value(),
    )
        .prop_map(|(line, action, key, value)| {
            let mut lines: Vec<String> = valid_report_yaml().lines().map(str::to_string).collect();
            match action {
                0 => {
                    let indent: String = lines[line].chars().take_while(|c| *c == ' ').collect();
                    let old_key = lines[line]
                        .trim_start()
                        .trim_start_matches("- ")
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .to_string();
                    lines[line] = format!("{indent}{old_key}: {value}");
                }
                1 => {
                    lines.remove(line);
                }
                _ => lines.insert(line, format!("{key}: {value}")),
            }
            lines.join("\n") + "\n"
        })
}

/// Random YAML-ish text: the tokens YAML gives meaning to, mixed with words and odd characters.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => any_field().prop_map(|f| format!("{f}: ")),
        3 => "[a-z0-9/#@ -]{1,8}",
        2 => prop::sample::select(&[
            "\n", "\n", "\n  ", "\n    ", "\n- ", "  - ", ": ", ":", "-", "[", "]", "{", "}", ",",
            "\"", "'", "&a ", "*a", "&b ", "*b", "!tag ", "!!str ", "!!binary ", "# c", "|", ">",
            "? ", "\t", "---", "...", "%YAML 1.2", "<<: *a", "~", "null", "\\", "\u{feff}",
            "\u{0}", "\r", "é", "😀", "\u{202e}", "0x1F", "1e999", "-.inf",
        ][..])
        .prop_map(str::to_string),
        1 => scalar(),
        1 => "\\PC{1,4}",
    ];
    prop::collection::vec(token, 0..50).prop_map(|t| t.concat())
}

fn front_matter() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => yamlish(),
        2 => structured_yaml(),
        3 => mutated_report_yaml(),
        1 => Just(valid_report_yaml()),
    ]
}

/// Inline Markdown. `valid` keeps to what the fixture site can resolve (known references, the one
/// bibliography key, links that stay inside the site), so that whole builds get past checking.
fn inline(valid: bool) -> BoxedStrategy<String> {
    let reference = if valid {
        prop::sample::select(
            &[
                "tracer/tr",
                "report/r1#findings",
                "cmo/c1",
                "area/a1",
                "study/s",
                "theory/pt",
                "page/accessibility",
            ][..],
        )
        .prop_map(str::to_string)
        .boxed()
    } else {
        reference().boxed()
    };
    let ups: &'static [&'static str] = if valid {
        &["../../tracers/"]
    } else {
        &["../", "../../", "../../../../", "/", "./", "", "x/"]
    };
    let exts: &'static [&'static str] = if valid {
        &["", "/"]
    } else {
        &[".md", ".png", "", "/", ".md#x"]
    };
    let cites: &'static [&'static str] = if valid {
        &["[@smith2013]", "[@smith2013, p. 12]", "@smith2013"]
    } else {
        &[
            "[@smith2013]",
            "[@smith2013, p. 12]",
            "@smith2013",
            "[@nokey]",
            "[@smith2013; @nokey]",
            "[@]",
            "@",
        ]
    };
    prop_oneof![
        6 => "[a-zA-Z]{1,8}",
        2 => Just(" ".to_string()),
        1 => "\\PC{1,3}",
        1 => prop::sample::select(&[
            "*", "**", "_", "`", "~~", "[", "]", "(", ")", "![", "<", ">", "&", "&amp;", "\\",
            "[^1]", "\u{0}", "<!-- c -->", "<script>alert(1)</script>", "<b>", "</b>",
            "<img src=x onerror=alert(1)>", "CCG", "{#x}", "|", "<http://x.org>", "😀", "ﷺ",
            "\u{200d}", "\u{301}",
        ][..])
        .prop_map(str::to_string),
        1 => (reference, "[a-z ]{0,6}").prop_map(|(r, t)| format!("[{t}](@{r})")),
        1 => (prop::sample::select(ups), "[a-z]{1,6}", prop::sample::select(exts))
            .prop_map(move |(up, name, ext)| {
                if valid { format!("[l]({up}tr/)") } else { format!("[l]({up}{name}{ext})") }
            }),
        1 => prop::sample::select(cites).prop_map(str::to_string),
        1 => "[a-z]{1,6}".prop_map(|w| format!("`{w}`")),
    ]
    .boxed()
}

fn md_line(valid: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(inline(valid), 0..10).prop_map(|v| v.concat())
}

fn block(valid: bool) -> impl Strategy<Value = String> {
    let explicit_id = if valid {
        Just(None).boxed()
    } else {
        prop::option::of("[a-z0-9<>\"-]{0,8}").boxed()
    };
    prop_oneof![
        4 => md_line(valid).prop_map(|l| format!("{l}\n\n")),
        2 => (2usize..8, md_line(valid), explicit_id)
            .prop_map(|(n, l, id)| match id {
                Some(id) => format!("{} {l} {{#{id}}}\n\n", "#".repeat(n)),
                None => format!("{} {l}\n\n", "#".repeat(n)),
            }),
        1 => (prop::sample::select(&["", "r", "rust", "sql", "nosuchlang", "<script>"][..]), "\\PC{0,40}", any::<bool>())
            .prop_map(|(lang, code, closed)| {
                if closed { format!("```{lang}\n{code}\n```\n\n") } else { format!("```{lang}\n{code}\n") }
            }),
        1 => (1usize..5, 0usize..4, md_line(valid)).prop_map(|(cols, rows, cell)| {
            let mut t = format!("|{}\n|{}\n", " h |".repeat(cols), "---|".repeat(cols));
            for _ in 0..rows {
                t.push_str(&format!("| {cell} |{}\n", " x |".repeat(cols.saturating_sub(1))));
            }
            t + "\n"
        }),
        1 => (prop::sample::select(&["- ", "1. ", "> ", "  - ", "- [ ] ", ": ", "# "][..]), md_line(valid))
            .prop_map(|(p, l)| format!("{p}{l}\n")),
        1 => md_line(valid).prop_map(|l| format!("[^1]: {l}\n\n")),
        1 => prop::sample::select(&["<div>\nhtml\n</div>\n\n", "<!-- comment -->\n\n", "<script>alert(1)</script>\n\n", "---\n", "***\n", "<!-- x --><script>alert(1)</script>\n\n"][..])
            .prop_map(str::to_string),
    ]
}

fn markdown(valid: bool) -> impl Strategy<Value = String> {
    prop::collection::vec(block(valid), 0..12).prop_map(|b| b.concat())
}

// ---------------------------------------------------------------------------------------------
// A stub resolver for rendering Markdown without a site.

struct Stub;

const KNOWN: [(Kind, &str); 7] = [
    (Kind::Study, "s"),
    (Kind::Tracer, "tr"),
    (Kind::Area, "a1"),
    (Kind::Theory, "pt"),
    (Kind::Report, "r1"),
    (Kind::Cmo, "c1"),
    (Kind::Page, "accessibility"),
];

impl Resolver for Stub {
    fn resolve(&self, r: &Ref) -> Result<String, (String, Option<String>)> {
        if !KNOWN.iter().any(|(k, id)| *k == r.kind && *id == r.id) {
            return Err((format!("`{r}` does not exist"), None));
        }
        let mut url = match r.kind {
            Kind::Page => format!("{}/", r.id),
            k => format!("{}/{}/", k.folder(), r.id),
        };
        if let Some(a) = &r.anchor {
            url.push('#');
            url.push_str(a);
        }
        Ok(url)
    }

    fn content_ref(&self, path: &Path) -> Option<Ref> {
        let text = path.to_string_lossy();
        let rest = text.strip_prefix("content/")?.strip_suffix(".md")?;
        let (folder, id) = rest.split_once('/')?;
        let kind = Kind::REFERABLE.into_iter().find(|k| k.folder() == folder)?;
        Some(Ref {
            kind,
            id: id.to_string(),
            anchor: None,
        })
    }

    fn glossary(&self, term: &str) -> Option<(&str, &str)> {
        (term == "CCG").then_some(("clinical commissioning group", "ccg"))
    }

    fn has_citation(&self, key: &str) -> Result<(), Option<String>> {
        if key == "smith2013" {
            Ok(())
        } else {
            Err(Some("smith2013".into()))
        }
    }

    fn format_citations(&self, clusters: &[Vec<CiteItem>]) -> (Vec<String>, Vec<(String, String)>) {
        let inline = clusters
            .iter()
            .map(|_| "(Smith 2013)".to_string())
            .collect();
        (inline, vec![("smith2013".into(), "Smith (2013).".into())])
    }
}

// ---------------------------------------------------------------------------------------------
// Stage properties.

#[test]
fn split_never_panics_and_splits_for_real() {
    let text = prop_oneof![
        "\\PC{0,200}",
        (yamlish(), markdown(false)).prop_map(|(y, m)| format!("---\n{y}\n---\n{m}")),
        (yamlish(), any::<bool>()).prop_map(|(y, crlf)| {
            let t = format!("\u{feff}---\n{y}\n...\nbody");
            if crlf {
                t.replace('\n', "\r\n")
            } else {
                t
            }
        }),
        prop::collection::vec(
            prop::sample::select(&["---", "...", "\n", "---\n", " ", "x", "\r\n", "\u{feff}"][..]),
            0..20
        )
        .prop_map(|v| v.concat()),
    ];
    check("frontmatter::split", cheap_cases(), text, |raw| {
        let text = realist::text::frontmatter::normalise_text(&raw);
        prop_assert!(!text.contains('\r'));
        if let Ok(split) = realist::text::frontmatter::split(&text) {
            prop_assert!(text.starts_with("---"));
            prop_assert!(text.ends_with(split.body));
            prop_assert_eq!(split.yaml_line, 2);
            // The YAML starts on line 2 and the body starts right after the closing fence.
            let yaml_at = text.find('\n').map_or(text.len(), |i| i + 1);
            prop_assert!(text[yaml_at..].starts_with(split.yaml));
            let before_body = &text[..text.len() - split.body.len()];
            // The body starts on the line after the closing fence, even when it is empty.
            let newlines = before_body.matches('\n').count();
            let expected = if before_body.ends_with('\n') {
                newlines + 1
            } else {
                newlines + 2
            };
            prop_assert_eq!(split.body_line, expected);
        }
        Ok(())
    });
}

/// Deserialises `yaml` as `T`; an error must be located inside the text.
fn yaml_located<T: serde::de::DeserializeOwned>(yaml: &str) -> Result<(), TestCaseError> {
    if let Err(e) = realist::text::yaml::from_str::<T>(yaml) {
        let lines = yaml.split('\n').count().max(1);
        prop_assert!(
            e.line >= 1 && e.line <= lines,
            "line {} outside 1..={lines} for {:?}: {}",
            e.line,
            yaml,
            e.message
        );
        let width = yaml
            .split('\n')
            .nth(e.line - 1)
            .map_or(0, |l| l.chars().count());
        prop_assert!(
            e.column >= 1 && e.column <= width + 1,
            "column {} outside 1..={} on line {} of {:?}: {}",
            e.column,
            width + 1,
            e.line,
            yaml,
            e.message
        );
        prop_assert!(!e.message.is_empty());
    }
    Ok(())
}

#[test]
fn yaml_reports_never_panic_and_errors_are_located() {
    check(
        "yaml::from_str::<Report>",
        cheap_cases(),
        front_matter(),
        |yaml| yaml_located::<realist::model::Report>(&yaml),
    );
}

#[test]
fn yaml_cmos_never_panic_and_errors_are_located() {
    let cmo = prop_oneof![
        yamlish(),
        structured_yaml(),
        Just(VALID_CMO_YAML.to_string()),
        (structured_yaml()).prop_map(|extra| format!("{VALID_CMO_YAML}{extra}")),
    ];
    check("yaml::from_str::<Cmo>", cheap_cases(), cmo, |yaml| {
        yaml_located::<realist::model::Cmo>(&yaml)
    });
}

#[test]
fn yaml_other_kinds_never_panic_and_errors_are_located() {
    let input = (0usize..8, prop_oneof![yamlish(), structured_yaml()]);
    check(
        "yaml::from_str::<Study|Tracer|Area|Theory|Page|Glossary|SiteConfig>",
        cheap_cases(),
        input,
        |(kind, yaml)| {
            use realist::model::*;
            match kind {
                0 => yaml_located::<Study>(&yaml),
                1 => yaml_located::<Tracer>(&yaml),
                2 => yaml_located::<Area>(&yaml),
                3 => yaml_located::<ProgrammeTheory>(&yaml),
                4 => yaml_located::<FreePage>(&yaml),
                5 => yaml_located::<Vec<GlossaryEntry>>(&yaml),
                6 => yaml_located::<realist::config::SiteConfig>(&yaml),
                _ => yaml_located::<Vec<CmoEntry>>(&yaml),
            }
        },
    );
}

#[test]
fn markdown_render_never_panics_and_stays_safe() {
    let input = (
        prop_oneof![markdown(false), markdown(true)],
        1usize..50,
        0usize..4,
    );
    check(
        "markdown::render",
        cheap_cases(),
        input,
        |(text, first_line, depth)| {
            let source = Source {
                text: &text,
                path: Path::new("content/reports/r1.md"),
                first_line,
                depth,
            };
            let out = realist::markdown::render(&source, &Stub);
            let last_line = first_line + text.matches('\n').count();
            for p in &out.problems {
                prop_assert!(
                    p.line >= first_line && p.line <= last_line && p.column >= 1,
                    "problem outside the body: {p:?}"
                );
            }
            prop_assert!(
                !out.html.contains("<script"),
                "raw <script> in {}",
                out.html
            );
            prop_assert!(
                !out.html.contains("<img src=x"),
                "raw <img> in {}",
                out.html
            );
            prop_assert!(!out.html.contains('\0'), "NUL in the HTML");
            let mut ids = std::collections::HashSet::new();
            for entry in &out.toc {
                prop_assert!(!entry.id.is_empty(), "empty heading id");
                prop_assert!(
                    ids.insert(entry.id.clone()),
                    "duplicate heading id {}",
                    entry.id
                );
            }
            for link in &out.links {
                let (href, line) = (&link.0, link.1);
                prop_assert!(!href.starts_with('/'), "root-absolute link {href}");
                // Glossary links are generated, not written, and carry no line.
                let generated = line == 0 && href.contains("glossary/#");
                prop_assert!(
                    generated || (line >= first_line && line <= last_line),
                    "link {href} on line {line}"
                );
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------------------------------
// The whole pipeline.

use crate::common;

/// The front matter of the shared minimal report, without its fences.
fn valid_report_yaml() -> String {
    let text = common::R1.strip_prefix("---\n").unwrap_or(common::R1);
    text.split("\n---\n").next().unwrap_or("").to_string() + "\n"
}

const VALID_CMO_YAML: &str = "type: cmo
id: c9
title: C9
kind: anticipated
programme_theory: [theory/pt]
tracer: tracer/tr
areas: [area/a1]
context: [{text: c}]
mechanism: {resource: r, reasoning: s}
outcome: [{text: o, status: anticipated, valence: mixed, intended: false}]
status: initial
";

const BASE: [(&str, &str); 8] = [
    (
        "site.yaml",
        "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nbibliography: content/references.bib\n",
    ),
    (
        "content/references.bib",
        "@book{smith2013, author = {Smith, Jane}, title = {Commissioning}, year = {2013}, publisher = {P}}\n",
    ),
    (
        "content/glossary.yaml",
        "- term: CCG\n  expansion: clinical commissioning group\n  definition: A group.\n",
    ),
    ("content/studies/s.md", common::STUDY),
    ("content/tracers/tr.md", common::TRACER),
    ("content/areas/a1.md", common::AREA),
    ("content/theories/pt.md", common::THEORY),
    ("content/pages/accessibility.md", common::ACCESSIBILITY),
];

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn whole_builds_return_and_agree_with_their_diagnostics() {
    // One base site; each case rewrites the report and builds into a fresh output folder.
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    for (rel, text) in BASE {
        write(&root, rel, text);
    }
    let counter = AtomicUsize::new(0);
    let succeeded = AtomicUsize::new(0);
    let input = (
        prop_oneof![
            1 => front_matter(),
            1 => Just(valid_report_yaml()),
        ],
        prop_oneof![
            2 => markdown(true),
            1 => markdown(false),
            1 => Just("text\n".to_string()),
        ],
        any::<bool>(),
    );
    check(
        "realist::build",
        build_cases(),
        input,
        |(yaml, body, with_cmo_file)| {
            let report = format!("---\n{yaml}---\n## Findings {{#findings}}\n{body}");
            write(&root, "content/reports/r1.md", &report);
            let cmo_file = root.join("content/cmos/c9.md");
            if with_cmo_file {
                write(
                    &root,
                    "content/cmos/c9.md",
                    &format!("---\n{VALID_CMO_YAML}---\n{body}"),
                );
            } else {
                let _ = std::fs::remove_file(&cmo_file);
            }
            let n = counter.fetch_add(1, Ordering::Relaxed);
            let out: PathBuf = tmp.path().join(format!("out-{n}"));
            let report_out = realist::build(&realist::BuildOptions {
                root: root.clone(),
                out: Some(out.clone()),
                ..Default::default()
            });
            let errors: Vec<_> = report_out
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .collect();
            match report_out.outcome {
                realist::Outcome::Success => {
                    succeeded.fetch_add(1, Ordering::Relaxed);
                    prop_assert!(errors.is_empty(), "success with errors: {errors:?}");
                    prop_assert!(out.join("index.html").is_file(), "success but no output");
                }
                realist::Outcome::SiteErrors => {
                    prop_assert!(!errors.is_empty(), "SiteErrors without an error");
                    prop_assert!(!out.exists(), "a failed build wrote its output");
                }
                realist::Outcome::Failure => {
                    prop_assert!(
                        false,
                        "an outside failure on a writable temp folder: {:?}",
                        report_out.diagnostics
                    );
                }
            }
            let leftovers = std::fs::read_dir(tmp.path())
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().contains(".building-"))
                .count();
            prop_assert_eq!(leftovers, 0, "staging folder left behind");
            let lines = report.lines().count() + 1;
            for d in &report_out.diagnostics {
                prop_assert!(d.path.is_relative(), "absolute path in a diagnostic: {d}");
                prop_assert!(
                    !d.path.to_string_lossy().contains(".building-"),
                    "staging path in a diagnostic: {d}"
                );
                if d.path == Path::new("content/reports/r1.md") {
                    prop_assert!(d.line <= lines, "line past the end of the file: {d}");
                }
            }
            let _ = std::fs::remove_dir_all(&out);
            Ok(())
        },
    );
    let _ = writeln!(
        std::io::stderr(),
        "proptest realist::build: {} of {} builds succeeded, the rest failed with located site errors",
        succeeded.load(Ordering::Relaxed),
        counter.load(Ordering::Relaxed)
    );
}

// ---------------------------------------------------------------------------------------------
// Guard: the generators' field lists are the schema's.

fn sorted(fields: &[&'static str]) -> Vec<&'static str> {
    let mut v = fields.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// A field added to the schema must be added to the generators too, or the property tests never
/// write it: the lists above are compared with the schema's own field names.
#[test]
fn the_generators_field_lists_are_the_schemas() {
    use realist::model as s;
    assert_eq!(
        sorted(&REPORT_FIELDS),
        sorted(&common::fields_of::<s::Report>())
    );
    assert_eq!(sorted(&CMO_FIELDS), sorted(&common::fields_of::<s::Cmo>()));
    // Every kind's own front-matter type, by a match with no wildcard: a new kind does not
    // compile here until its type is named.
    let of_kind = |kind: s::Kind| match kind {
        s::Kind::Study => common::fields_of::<s::Study>(),
        s::Kind::Report => common::fields_of::<s::Report>(),
        s::Kind::Tracer => common::fields_of::<s::Tracer>(),
        s::Kind::Area => common::fields_of::<s::Area>(),
        s::Kind::Theory => common::fields_of::<s::ProgrammeTheory>(),
        s::Kind::Cmo => common::fields_of::<s::Cmo>(),
        s::Kind::Page => common::fields_of::<s::FreePage>(),
        s::Kind::Theme => common::fields_of::<s::ThemeSynthesis>(),
        s::Kind::Source => common::fields_of::<s::Source>(),
        s::Kind::Pattern => common::fields_of::<s::Pattern>(),
    };
    let kinds: Vec<&'static str> = s::Kind::ALL.into_iter().flat_map(of_kind).collect();
    let nested = [
        kinds,
        common::fields_of::<s::Author>(),
        common::fields_of::<s::Funding>(),
        common::fields_of::<s::Ethics>(),
        common::fields_of::<s::Journal>(),
        common::fields_of::<s::Editorial>(),
        common::fields_of::<s::ContextItem>(),
        common::fields_of::<s::Mechanism>(),
        common::fields_of::<s::Outcome>(),
        common::fields_of::<s::Chain>(),
        common::fields_of::<s::Evidence>(),
        common::fields_of::<s::Informant>(),
        common::fields_of::<s::Confidence>(),
        common::fields_of::<s::Period>(),
        common::fields_of::<s::Statement>(),
        common::fields_of::<s::Refinement>(),
        common::fields_of::<s::Instance>(),
    ]
    .concat();
    let known: Vec<&str> = sorted(&[&REPORT_FIELDS[..], &CMO_FIELDS[..]].concat());
    let others: Vec<&'static str> = sorted(&nested)
        .into_iter()
        .filter(|f| known.binary_search(f).is_err())
        .collect();
    assert_eq!(sorted(&OTHER_FIELDS), others);
}
