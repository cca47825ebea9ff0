//! Shared helpers for the integration tests: fixture sites in temporary folders, running the real
//! `realist` binary, reading its diagnostics and output.
//!
//! Every test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// The minimal valid site: the smallest set of files that builds.
// ---------------------------------------------------------------------------------------------

pub const SITE_YAML: &str = "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\n";
pub const STUDY: &str = "---\ntitle: S\n---\nbody\n";
pub const TRACER: &str = "---\ntitle: Tr\nstudy: study/s\nkind: service\n---\n";
pub const AREA: &str = "---\ntitle: A1\nstudy: study/s\nanonymised: true\n---\n";
pub const THEORY: &str = "---\ntitle: PT\nstudy: study/s\nstatement: {if: x, then: y, because: z}\nstatus: untested\nlevel: policy\n---\n";
pub const ACCESSIBILITY: &str = "---\ntitle: Accessibility\n---\ntext\n";

/// The minimal tracer report, with one inline observed CMO `c1` whose evidence cites its own
/// `#findings` section.
pub const R1: &str = r#"---
type: tracer-report
title: R1
date: "2017-06"
authors: [{name: A}]
status: published
study: study/s
tracer: tracer/tr
areas: [area/a1]
programme_theories: [theory/pt]
summary: ["k"]
cmos:
  - id: c1
    title: C1
    kind: observed
    programme_theory: [theory/pt]
    context: [{text: c}]
    mechanism: {text: m}
    outcome: [{text: o, status: observed, valence: positive, intended: true}]
    evidence: [{kind: interview, source: "report/r1#findings"}]
    confidence: {level: low, rationale: r}
    status: supported
---
## Findings {#findings}
text
"#;

/// The files of the minimal valid site.
pub fn minimal_files() -> Vec<(&'static str, String)> {
    vec![
        ("site.yaml", SITE_YAML.to_string()),
        ("content/studies/s.md", STUDY.to_string()),
        ("content/tracers/tr.md", TRACER.to_string()),
        ("content/areas/a1.md", AREA.to_string()),
        ("content/theories/pt.md", THEORY.to_string()),
        ("content/pages/accessibility.md", ACCESSIBILITY.to_string()),
        ("content/reports/r1.md", R1.to_string()),
    ]
}

/// A commissioning report with no CMOs: a convenient second (or draft, or confidential) report.
pub fn commissioning_report(title: &str, status: &str, body: &str) -> String {
    format!(
        "---\ntype: commissioning-report\nreport_type: case-study\ntitle: {title}\ndate: \"2018\"\n\
         authors: [{{name: B}}]\nstatus: {status}\nstudy: study/s\nareas: [area/a1]\nsummary: [k]\n---\n{body}"
    )
}

/// A standalone CMO file (`content/cmos/*.md`) that needs no evidence.
pub fn standalone_cmo(id: &str, extra: &str) -> String {
    format!(
        "---\ntype: cmo\nid: {id}\ntitle: {title}\nkind: anticipated\nprogramme_theory: [theory/pt]\n\
         tracer: tracer/tr\nareas: [area/a1]\ncontext: [{{text: c}}]\nmechanism: {{text: m}}\n\
         outcome: [{{text: o, status: anticipated, valence: positive, intended: true}}]\n{extra}status: initial\n---\n",
        title = id.to_uppercase()
    )
}

// ---------------------------------------------------------------------------------------------
// A richer site that uses every kind of page and most Markdown features.
// ---------------------------------------------------------------------------------------------

pub const RICH_SITE_YAML: &str = "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nbibliography: content/references.bib\n";

pub const RICH_BIB: &str = "@book{smith2013,
  author = {Smith, Jane},
  title = {Commissioning in Practice},
  publisher = {Policy Press},
  address = {Bristol},
  year = {2013}
}
@article{jones2015,
  author = {Jones, Amir},
  title = {Tracers and Systems},
  journal = {Journal of Health Services},
  volume = {12},
  pages = {1--10},
  year = {2015}
}
";

pub const RICH_GLOSSARY: &str = "- term: CCG
  expansion: clinical commissioning group
  definition: An NHS body that commissioned local services.
  see_also: [CMO]
- term: CMO
  expansion: context–mechanism–outcome configuration
  definition: How a mechanism, in a context, produces an outcome.
";

/// R1 of the rich site: the minimal report plus a theme, a reference to the standalone CMO `c2`,
/// and a body that exercises the Markdown features.
pub const RICH_R1: &str = r#"---
type: tracer-report
title: R1
date: "2017-06"
authors: [{name: A}]
status: published
study: study/s
tracer: tracer/tr
areas: [area/a1]
programme_theories: [theory/pt]
summary: ["k"]
themes: [integration]
cmos:
  - id: c1
    title: C1
    kind: observed
    programme_theory: [theory/pt]
    context: [{text: c}]
    mechanism: {text: m}
    outcome: [{text: o, status: observed, valence: positive, intended: true}]
    evidence: [{kind: interview, source: "report/r1#findings"}]
    confidence: {level: low, rationale: r}
    status: supported
  - cmo/c2
---
## Findings {#findings}
The CCG met twice. Later the CCG met again.

## Background and aims
See [the tracer](@tracer/tr), [the methods](@report/r2#methods), [tracer file](../tracers/tr.md)
and [an area](../areas/a1.md).

As argued [@smith2013, p. 3] and by @jones2015.

| Col A | Col B |
|-------|-------|
| 1     | 2     |

- [x] done
- [ ] open

A claim.[^n1]

[^n1]: The footnote text.

```rust
fn main() { let x = 1; }
```

## Notes

## Notes

## Café – über
"#;

/// R2: a commissioning report whose inline CMO `c3` inherits its tracer from the report, names its
/// own area, and chains to `c1` (feeds_context_of) and `c2` (refines).
pub const RICH_R2: &str = r#"---
type: commissioning-report
report_type: final-report
title: R2
date: "2018-01-05"
authors: [{name: B, affiliation: U}]
status: published
study: study/s
tracers: [tracer/tr]
areas: [area/a1, area/a2]
summary: ["k2"]
cmos:
  - id: c3
    title: C3
    kind: refined
    programme_theory: [none-identified]
    areas: [area/a2]
    context: [{text: c3}]
    mechanism: {text: m3}
    outcome: [{text: o3, status: observed, valence: negative, intended: false}]
    chain:
      feeds_context_of: [cmo/c1]
      refines: cmo/c2
    status: contested
---
## Methods {#methods}
Methods text.
"#;

pub const RICH_C2: &str = r#"---
type: cmo
id: c2
title: C2
kind: anticipated
programme_theory: [theory/pt]
tracer: tracer/tr2
areas: [area/a2]
context: [{text: c2 context}]
mechanism: {resource: money, reasoning: trust}
outcome: [{text: o2, status: anticipated, valence: mixed, intended: false}]
status: initial
---
A standalone configuration.
"#;

/// The rich site: two reports (tracer and commissioning), three CMOs (inline, standalone,
/// chained), two tracers, two areas, a theme, a free page that mentions a report, a glossary and
/// a bibliography.
pub fn rich_files() -> Vec<(&'static str, String)> {
    let mut files = minimal_files();
    let extra: [(&'static str, &str); 9] = [
        ("site.yaml", RICH_SITE_YAML),
        ("content/references.bib", RICH_BIB),
        ("content/glossary.yaml", RICH_GLOSSARY),
        (
            "content/tracers/tr2.md",
            "---\ntitle: Tr2\nstudy: study/s\nkind: condition\n---\n",
        ),
        (
            "content/areas/a2.md",
            "---\ntitle: A2\nstudy: study/s\nanonymised: false\n---\n",
        ),
        (
            "content/pages/about.md",
            "---\ntitle: About\n---\nWe publish [the first report](@report/r1) and [its findings](@report/r1#findings).\n",
        ),
        ("content/cmos/c2.md", RICH_C2),
        ("content/reports/r1.md", RICH_R1),
        ("content/reports/r2.md", RICH_R2),
    ];
    for (path, text) in extra {
        set(&mut files, path, text);
    }
    files
}

fn set(files: &mut Vec<(&'static str, String)>, path: &'static str, text: &str) {
    match files.iter_mut().find(|(p, _)| *p == path) {
        Some(entry) => entry.1 = text.to_string(),
        None => files.push((path, text.to_string())),
    }
}

// ---------------------------------------------------------------------------------------------
// Fixture sites on disk.
// ---------------------------------------------------------------------------------------------

/// A site in a temporary folder, deleted when dropped.
pub struct Site {
    dir: TempDir,
}

impl Site {
    /// A site with exactly these files.
    pub fn from_files<P: AsRef<str>, T: AsRef<[u8]>>(files: &[(P, T)]) -> Site {
        let site = Site {
            dir: tempfile::Builder::new()
                .prefix("realist-test-")
                .tempdir()
                .expect("create a temporary folder"),
        };
        for (path, text) in files {
            site.write(path.as_ref(), text);
        }
        site
    }

    /// The minimal valid site.
    pub fn minimal() -> Site {
        Site::from_files(&minimal_files())
    }

    /// The minimal site with some files added or replaced.
    pub fn with(changes: &[(&str, &str)]) -> Site {
        let site = Site::minimal();
        for (path, text) in changes {
            site.write(path, text);
        }
        site
    }

    /// The rich site (see [`rich_files`]).
    pub fn rich() -> Site {
        Site::from_files(&rich_files())
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root().join(rel)
    }

    /// Writes (or replaces) a file of the site, creating folders.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent folder")).expect("create folders");
        std::fs::write(&path, contents).expect("write a fixture file");
    }

    /// Replaces the first occurrence of `from` in a site file; panics if it is not there.
    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.source(rel);
        assert!(text.contains(from), "{rel} does not contain {from:?}");
        self.write(rel, text.replacen(from, to, 1));
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).expect("remove a fixture file");
    }

    /// The text of a source file of the site.
    pub fn source(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    /// `realist build --root ROOT ARGS…`
    pub fn build(&self, args: &[&str]) -> Run {
        let root = self.root().to_string_lossy().into_owned();
        let mut all = vec!["build", "--root", root.as_str()];
        all.extend_from_slice(args);
        realist(&all)
    }

    /// `realist check --root ROOT ARGS…`
    pub fn check(&self, args: &[&str]) -> Run {
        let root = self.root().to_string_lossy().into_owned();
        let mut all = vec!["check", "--root", root.as_str()];
        all.extend_from_slice(args);
        realist(&all)
    }

    /// Builds and asserts success.
    pub fn build_ok(&self, args: &[&str]) -> Run {
        let run = self.build(args);
        run.assert_ok();
        run
    }

    /// The default output folder, ROOT/public.
    pub fn out(&self) -> PathBuf {
        self.path("public")
    }

    /// Whether `rel` exists under the default output folder.
    pub fn exists(&self, rel: &str) -> bool {
        self.out().join(rel).is_file()
    }

    /// A file of the default output, as text; panics with a listing when it is missing.
    pub fn page(&self, rel: &str) -> String {
        read_output(&self.out(), rel)
    }
}

/// A file of an output folder, as text; panics with a listing of the folder when it is missing.
pub fn read_output(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| {
        let files: Vec<String> = tree(out).into_keys().collect();
        panic!("cannot read {rel} in the output ({e}); the output holds: {files:#?}")
    })
}

// ---------------------------------------------------------------------------------------------
// Running the binary.
// ---------------------------------------------------------------------------------------------

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit code {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `realist ARGS…` in the current folder.
pub fn realist(args: &[&str]) -> Run {
    realist_in(Path::new("."), args)
}

/// Runs `realist ARGS…` in `dir`.
pub fn realist_in(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .output()
        .expect("run the realist binary");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// One diagnostic as printed on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    /// `error` or `warning`.
    pub severity: String,
    pub message: String,
    /// `path:line:col` (or less, as printed).
    pub location: String,
    pub help: Option<String>,
}

impl Run {
    pub fn assert_ok(&self) -> &Run {
        assert_eq!(self.code, 0, "expected success, got {self:?}");
        self
    }

    /// Asserts exit code 1 (errors in the site's own files).
    pub fn assert_site_errors(&self) -> &Run {
        assert_eq!(self.code, 1, "expected exit code 1, got {self:?}");
        // Said only when true: there may have been no output before.
        assert!(
            self.stderr.contains("the previous output is unchanged")
                || self.stderr.contains("no output was written"),
            "{self:?}"
        );
        self
    }

    /// Every diagnostic printed on stderr.
    pub fn diagnostics(&self) -> Vec<Diag> {
        let mut out: Vec<Diag> = Vec::new();
        for line in self.stderr.lines() {
            let start = line
                .strip_prefix("error: ")
                .map(|m| ("error", m))
                .or_else(|| line.strip_prefix("warning: ").map(|m| ("warning", m)));
            if let Some((severity, message)) = start {
                out.push(Diag {
                    severity: severity.into(),
                    message: message.into(),
                    location: String::new(),
                    help: None,
                });
            } else if let Some(location) = line.strip_prefix("  --> ") {
                if let Some(d) = out.last_mut() {
                    d.location = location.into();
                }
            } else if let Some(help) = line.strip_prefix("   = help: ") {
                if let Some(d) = out.last_mut() {
                    d.help = Some(help.into());
                }
            }
        }
        out
    }

    pub fn errors(&self) -> Vec<Diag> {
        self.diagnostics()
            .into_iter()
            .filter(|d| d.severity == "error")
            .collect()
    }

    /// The one error whose message contains `message`; panics (showing stderr) unless exactly one.
    pub fn error(&self, message: &str) -> Diag {
        let found: Vec<Diag> = self
            .errors()
            .into_iter()
            .filter(|d| d.message.contains(message))
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected exactly one error containing {message:?}, found {found:#?}\n{self:?}"
        );
        found.into_iter().next().unwrap()
    }

    /// Asserts an error containing `message` located exactly at `location`; returns it.
    pub fn assert_error(&self, message: &str, location: &str) -> Diag {
        let d = self.error(message);
        assert_eq!(d.location, location, "location of {message:?}\n{self:?}");
        d
    }

    /// Like [`Run::assert_error`], and the help line contains `help`.
    pub fn assert_error_help(&self, message: &str, location: &str, help: &str) -> Diag {
        let d = self.assert_error(message, location);
        let got = d.help.clone().unwrap_or_default();
        assert!(
            got.contains(help),
            "help of {message:?} is {got:?}, expected it to contain {help:?}\n{self:?}"
        );
        d
    }
}

// ---------------------------------------------------------------------------------------------
// Positions and output inspection.
// ---------------------------------------------------------------------------------------------

/// The 1-based (line, column) of the first occurrence of `needle` in `text`; column in characters.
pub fn pos(text: &str, needle: &str) -> (usize, usize) {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not found in {text}"));
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// `path:line:col` of the first occurrence of `needle` in `text`.
pub fn loc(path: &str, text: &str, needle: &str) -> String {
    let (line, column) = pos(text, needle);
    format!("{path}:{line}:{column}")
}

/// `path:line:col` of the first `needle` after the first `after` in `text`.
pub fn loc_after(path: &str, text: &str, after: &str, needle: &str) -> String {
    let start = text
        .find(after)
        .unwrap_or_else(|| panic!("{after:?} not found in {text}"));
    let offset = start
        + text[start..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not found after {after:?} in {text}"));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    format!("{path}:{line}:{column}")
}

/// The inflated parts of an XLSX workbook (a zip of XML files), each as `book.xlsx!part`: its
/// cells' text is in them, compressed out of sight in the workbook's own bytes.
fn xlsx_parts(rel: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut book = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    (0..book.len())
        .map(|i| {
            let mut part = book.by_index(i).expect("a part of the workbook");
            let mut text = Vec::new();
            part.read_to_end(&mut text).expect("inflate a part");
            let name = part.name().expect("a part's name").into_owned();
            (format!("{rel}!{name}"), text)
        })
        .collect()
}

/// Every file of `dir` by its relative path, and each part of an XLSX workbook in it as well
/// (`exports/realist.xlsx!xl/sharedStrings.xml`).
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                let bytes = std::fs::read(&path).expect("read an output file");
                if rel.ends_with(".xlsx") {
                    out.extend(xlsx_parts(&rel, &bytes));
                }
                out.insert(rel, bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Every HTML file under `dir`: (relative path, text).
pub fn html_files(dir: &Path) -> Vec<(String, String)> {
    tree(dir)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| (p, String::from_utf8(b).expect("HTML output is UTF-8")))
        .collect()
}

/// The values of every `name="…"` attribute in `html` (HTML entities for `&` decoded).
pub fn attrs(html: &str, name: &str) -> Vec<String> {
    let pattern = format!(" {name}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&pattern) {
        rest = &rest[i + pattern.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        out.push(rest[..end].replace("&amp;", "&"));
        rest = &rest[end..];
    }
    out
}

/// The part of `html` from the first `start` to the next `end` after it (both included).
pub fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not found in:\n{html}"));
    let len = html[from..]
        .find(end)
        .map_or(html.len() - from, |i| i + end.len());
    &html[from..from + len]
}

/// The `<main>` element of a page: what the page says, without the site header and footer.
pub fn main_of(html: &str) -> &str {
    between(html, "<main", "</main>")
}

/// Whether `html` has an element with `id="id"`.
pub fn has_id(html: &str, id: &str) -> bool {
    html.contains(&format!(" id=\"{id}\""))
}

// ---------------------------------------------------------------------------------------------
// A source publication, and the minimal site with a report and a CMO that draw on it.
// ---------------------------------------------------------------------------------------------

pub const SOURCE: &str = "---\ntitle: Realistic evaluation\nauthors: [{name: Pawson}, {name: Tilley}]\nyear: 1997\ncontainer: Sage\ndoi: 10.1000/re\nurl: https://example.org/re\n---\nThe book that set out the **CMO** idea.\n";

/// The minimal site with `content/sources/pawson-1997.md`, named in R1's `sources:` and by the
/// standalone CMO `c9` (its `sources:` and its evidence).
pub fn site_with_source() -> Site {
    let cmo = standalone_cmo(
        "c9",
        "sources: [source/pawson-1997]\nevidence: [{kind: document, source: source/pawson-1997}]\n",
    );
    let site = Site::with(&[
        ("content/sources/pawson-1997.md", SOURCE),
        ("content/cmos/c9.md", &cmo),
    ]);
    site.edit(
        "content/reports/r1.md",
        "summary: [\"k\"]\n",
        "summary: [\"k\"]\nsources: [source/pawson-1997]\n",
    );
    site
}

// ---------------------------------------------------------------------------------------------
// The schema's field names, for tests that must cover every field.
// ---------------------------------------------------------------------------------------------

/// The field names a `Deserialize` struct asks for, read from the schema itself: a deserializer
/// that answers `deserialize_struct` by failing with the fields it was given.
pub fn fields_of<T: serde::de::DeserializeOwned>() -> Vec<&'static str> {
    #[derive(Debug)]
    struct Fields(Vec<&'static str>);
    impl std::fmt::Display for Fields {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{:?}", self.0)
        }
    }
    impl std::error::Error for Fields {}
    impl serde::de::Error for Fields {
        fn custom<M: std::fmt::Display>(_: M) -> Self {
            Fields(Vec::new())
        }
    }
    struct Probe;
    impl<'de> serde::Deserializer<'de> for Probe {
        type Error = Fields;
        fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Fields> {
            Err(Fields(Vec::new()))
        }
        fn deserialize_struct<V: serde::de::Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Fields> {
            Err(Fields(fields.to_vec()))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let fields = T::deserialize(Probe).err().map(|e| e.0).unwrap_or_default();
    assert!(
        !fields.is_empty(),
        "{} is not a plain struct",
        std::any::type_name::<T>()
    );
    fields
}

// ---------------------------------------------------------------------------------------------
// Output trees and links.
// ---------------------------------------------------------------------------------------------

/// [`tree`] without the build's manifest of the files it wrote, which is not part of the site.
pub fn site_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = tree(dir);
    files.remove(".realist-manifest");
    files
}

/// Asserts two output trees hold the same files byte for byte, naming the first file and line
/// that differ.
pub fn assert_same_tree(actual: &BTreeMap<String, Vec<u8>>, expected: &BTreeMap<String, Vec<u8>>) {
    let a: Vec<&String> = actual.keys().collect();
    let e: Vec<&String> = expected.keys().collect();
    assert_eq!(a, e, "the trees hold different files");
    for (path, bytes) in expected {
        if actual[path] != *bytes {
            let (a, e) = (
                String::from_utf8_lossy(&actual[path]).into_owned(),
                String::from_utf8_lossy(bytes).into_owned(),
            );
            let (line, (sa, se)) = a
                .lines()
                .zip(e.lines())
                .enumerate()
                .find(|(_, (x, y))| x != y)
                .unwrap_or((0, ("", "")));
            panic!(
                "{path} differs at line {}:\n  this one: {sa}\n  expected: {se}",
                line + 1
            );
        }
    }
}

/// Makes a symbolic link at `link` to `target` (and the folder that holds it).
pub fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, link).unwrap();
}

// ---------------------------------------------------------------------------------------------
// The example site at the repository root, built once per test run, and the real clients that the
// publishing tests feed its output to.
// ---------------------------------------------------------------------------------------------

/// The sub-path the example site is published under in the tests, as in CI.
pub const EXAMPLE_BASE_URL: &str = "https://www.example.ac.uk/research/hsca12/";

/// The output folder of the repository's example site, built once (under [`EXAMPLE_BASE_URL`],
/// warnings as errors) the first time a test asks for it.
pub fn example_site() -> &'static Path {
    static OUT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    OUT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = root.join("target/test-example-site");
        let run = realist_in(
            root,
            &[
                "build",
                "--base-url",
                EXAMPLE_BASE_URL,
                "--out",
                out.to_str().unwrap(),
                "--deny-warnings",
            ],
        );
        run.assert_ok();
        out
    })
}

/// A program from the clients' virtual environment that `.ci/clients.sh` installs (pandoc 3's
/// Python wrapper, extruct, check-jsonschema, openpyxl): `client("python")`, `client("check-jsonschema")`.
pub fn client(program: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci-tools/clients/bin")
        .join(program);
    assert!(
        path.exists(),
        "{} is missing: run `bash .ci/clients.sh` to install the publishing clients",
        path.display()
    );
    path
}

/// Runs Python code with the clients' interpreter, with `args` as `sys.argv[1..]`, and returns
/// its standard output; a failing script fails the test with its standard error.
pub fn client_python(code: &str, args: &[&str]) -> String {
    let out = Command::new(client("python"))
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("the clients' python runs");
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("python prints UTF-8")
}

/// Reads each HTML page in `pages` as indexers do: extruct for JSON-LD and Dublin Core, and
/// Python's `html.parser` for the Highwire `citation_*` tags (which extruct does not read) and the
/// number of entries in the page's reference list. One JSON object per page, in order:
/// `{"json_ld": [..], "dc": {name: [..]}, "cite": {name: [..]}, "refs": N}`.
pub fn read_heads(pages: &[&Path]) -> Vec<serde_json::Value> {
    const CODE: &str = r#"
import json, sys
from html.parser import HTMLParser
import extruct

class Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cite, self.refs, self.in_refs = {}, 0, False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and (a.get("name") or "").startswith("citation_"):
            self.cite.setdefault(a["name"], []).append(a.get("content") or "")
        if tag == "ul" and "references" in (a.get("class") or "").split():
            self.in_refs = True
        if tag == "li" and self.in_refs:
            self.refs += 1
    def handle_endtag(self, tag):
        if tag == "ul":
            self.in_refs = False

out = []
for path in sys.argv[1:]:
    html = open(path, encoding="utf-8").read()
    data = extruct.extract(html, base_url="https://example.org/", syntaxes=["json-ld", "dublincore"], uniform=False)
    head = Head()
    head.feed(html)
    dc = {}
    for block in data["dublincore"]:
        for e in block.get("elements", []) + block.get("terms", []):
            dc.setdefault(e["name"], []).append(e["content"])
    out.append({"json_ld": data["json-ld"], "dc": dc, "cite": head.cite, "refs": head.refs})
print(json.dumps(out))
"#;
    let args: Vec<&str> = pages.iter().map(|p| p.to_str().unwrap()).collect();
    serde_json::from_str(&client_python(CODE, &args)).expect("the script prints JSON")
}
