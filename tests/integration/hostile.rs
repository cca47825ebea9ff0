//! A catalogue of malformed and hostile inputs.
//!
//! Every case starts from the minimal valid site (tests/integration/common), builds it once into `--out`,
//! records every output file byte for byte, makes one hostile change and builds again with the real
//! binary. Each case then checks:
//!
//! - the exit code (1 for site errors, 0 for oddities that are valid),
//! - that the diagnostics name the file, with line and column where the problem has a position
//!   (the `--> path:line:col` line of stderr),
//! - that the process did not panic or die from a signal (stack overflow, out of memory),
//! - that a failed build left the previous output exactly as it was, with no staging folder behind,
//! - that the build took under 2 s and peaked under 200 MB.
//!
//! Peak memory is the child's own `ru_maxrss`, read with `wait4` (so no other test's children are
//! counted). Linux charges a child that `exec`s from `vfork`/`posix_spawn` with its parent's peak,
//! so that number is exact only when it is above the test process's own peak (`VmHWM`); when it is
//! not, the child's true peak is at most the test process's, which the harness keeps under the limit,
//! and the reported figure is the child's `VmHWM` as last seen while polling `/proc/PID/status`.
//!
//! The measured builds run one at a time. `HOSTILE_TIME_LIMIT` (seconds) overrides the time limit; a
//! debug build gets ten times as long, since the 2 s budget is for the release binary.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_realist");
const MEMORY_LIMIT_KB: i64 = 200 * 1024;
/// A build that runs this long is killed: it has hung, and the case fails.
const KILL_AFTER: Duration = Duration::from_secs(60);

/// The report every case starts from. Line numbers matter: the cases point at them.
use crate::common::{minimal_files, symlink, R1, SITE_YAML};
// Lines of R1:  1 ---  2 type  3 title  4 date  5 authors  6 status  7 study  8 tracer  9 areas
// 10 programme_theories  11 summary  12 cmos  13 `- id: c1`  14 title  15 kind  16 programme_theory
// 17 context  18 mechanism  19 outcome  20 evidence  21 confidence  22 status  23 ---  24 ## Findings
// 25 text; an appended line is line 26.

const REPORT: &str = "content/reports/r1.md";

// ---------------------------------------------------------------------------------------------
// The harness.

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    seconds: f64,
    max_rss_kb: i64,
}

/// A `VmHWM`-style line of /proc/PID/status, in KB.
fn proc_status_kb(pid: &str, field: &str) -> Option<i64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

impl Run {
    /// Every `--> path:line:col` of stderr as (path, line, column); 0 where a part is absent.
    fn locations(&self) -> Vec<(String, usize, usize)> {
        self.stderr
            .lines()
            .filter_map(|l| l.trim_start().strip_prefix("--> "))
            .map(parse_location)
            .collect()
    }

    fn errors(&self) -> usize {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count()
    }
}

fn parse_location(text: &str) -> (String, usize, usize) {
    let parts: Vec<&str> = text.rsplitn(3, ':').collect();
    let num = |s: &str| s.trim().parse::<usize>().ok();
    match parts.as_slice() {
        [col, line, path] if num(col).is_some() && num(line).is_some() => (
            path.to_string(),
            num(line).unwrap_or(0),
            num(col).unwrap_or(0),
        ),
        [line, rest @ ..] if num(line).is_some() => {
            let path: Vec<&str> = rest.iter().rev().copied().collect();
            (path.join(":"), num(line).unwrap_or(0), 0)
        }
        _ => (text.to_string(), 0, 0),
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

fn time_limit() -> f64 {
    if let Some(s) = std::env::var("HOSTILE_TIME_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return s;
    }
    if cfg!(debug_assertions) {
        20.0
    } else {
        2.0
    }
}

/// Runs `realist build --root ROOT --out OUT`, measuring wall time and the child's peak memory.
// The child is reaped by `libc::wait4` (for its rusage), which clippy cannot see.
#[allow(clippy::zombie_processes)]
fn build(root: &Path, out: &Path) -> Run {
    let parent_peak_kb = proc_status_kb("self", "VmHWM:").unwrap_or(0);
    assert!(
        parent_peak_kb < MEMORY_LIMIT_KB,
        "the test process itself peaked at {parent_peak_kb} KB: child peaks cannot be bounded"
    );
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the realist binary");
    let pid = child.id() as libc::pid_t;
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out_pipe.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err_pipe.read_to_end(&mut s);
        s
    });
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for the one child we started and reaps it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    let mut polled_kb = 0;
    let pid_text = pid.to_string();
    loop {
        if let Some(kb) = proc_status_kb(&pid_text, "VmHWM:") {
            polled_kb = kb;
        }
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert!(r == 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if !killed && started.elapsed() > KILL_AFTER {
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    let (code, signal) = if libc::WIFEXITED(status) {
        (Some(libc::WEXITSTATUS(status)), None)
    } else if libc::WIFSIGNALED(status) {
        (None, Some(libc::WTERMSIG(status)))
    } else {
        (None, None)
    };
    Run {
        code,
        signal,
        stdout,
        stderr,
        seconds,
        max_rss_kb: if usage.ru_maxrss > parent_peak_kb {
            usage.ru_maxrss
        } else {
            polled_kb
        },
    }
}

/// Every file under `dir`, by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, files: &mut BTreeMap<PathBuf, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                walk(base, &path, files);
            } else {
                let bytes = std::fs::read(&path).expect("read output file");
                files.insert(path.strip_prefix(base).unwrap().to_path_buf(), bytes);
            }
        }
    }
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn write(root: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap()
}

fn append(root: &Path, rel: &str, text: &str) {
    let old = read(root, rel);
    write(root, rel, old + text);
}

/// Replaces the first `from` in a site file with `to`; the case is broken if `from` is not there.
fn replace(root: &Path, rel: &str, from: &str, to: &str) {
    let old = read(root, rel);
    assert!(
        old.contains(from),
        "fixture: `{from}` is not in {rel}; the case would test nothing"
    );
    write(root, rel, old.replacen(from, to, 1));
}

type Change = Box<dyn FnOnce(&Path)>;
type After = Box<dyn FnOnce(&Path, &Path, &Run)>;

/// One hostile case, described with a small builder and checked by [`Case::run`].
struct Case {
    name: &'static str,
    change: Option<Change>,
    code: i32,
    /// (path, line, column): 0 for line or column means "any, but present".
    at: Vec<(&'static str, usize, usize)>,
    /// Paths that must be named, with no position.
    files: Vec<&'static str>,
    says: Vec<String>,
    after: Option<After>,
}

fn case(name: &'static str, change: impl FnOnce(&Path) + 'static) -> Case {
    Case {
        name,
        change: Some(Box::new(change)),
        code: 1,
        at: Vec::new(),
        files: Vec::new(),
        says: Vec::new(),
        after: None,
    }
}

impl Case {
    /// The change is a valid oddity: the build must succeed.
    fn builds(mut self) -> Self {
        self.code = 0;
        self
    }

    /// A diagnostic at exactly `path:line:col`.
    fn at(mut self, path: &'static str, line: usize, col: usize) -> Self {
        self.at.push((path, line, col));
        self
    }

    /// A diagnostic in `path` with some line and column.
    fn located(self, path: &'static str) -> Self {
        self.at(path, 0, 0)
    }

    /// A diagnostic naming `path` (a file or folder, where no line applies).
    fn names(mut self, path: &'static str) -> Self {
        self.files.push(path);
        self
    }

    fn says(mut self, text: impl Into<String>) -> Self {
        self.says.push(text.into());
        self
    }

    fn then(mut self, after: impl FnOnce(&Path, &Path, &Run) + 'static) -> Self {
        self.after = Some(Box::new(after));
        self
    }

    fn run(mut self) {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        let out = tmp.path().join("out");
        for (rel, text) in minimal_files() {
            write(&root, rel, text);
        }
        let first = build(&root, &out);
        assert_eq!(
            first.code,
            Some(0),
            "{}: the base site must build\n{}",
            self.name,
            first.stderr
        );
        let before = snapshot(&out);
        assert!(before.contains_key(Path::new("reports/r1/index.html")));

        (self.change.take().unwrap())(&root);
        let run = build(&root, &out);
        let name = self.name;
        let context = format!(
            "case `{name}`: exit {:?}, signal {:?}, {:.2} s, {} KB\n--- stderr (first 3000 bytes) ---\n{}",
            run.code,
            run.signal,
            run.seconds,
            run.max_rss_kb,
            run.stderr.chars().take(3000).collect::<String>()
        );
        eprintln!(
            "{name}: exit {:?}, {:.3} s, {:.1} MB peak, {} error(s)",
            run.code,
            run.seconds,
            run.max_rss_kb as f64 / 1024.0,
            run.errors()
        );

        assert!(
            !run.stderr.contains("panicked at") && run.code != Some(101),
            "it panicked: {context}"
        );
        assert!(run.signal.is_none(), "it died from a signal: {context}");
        assert_eq!(run.code, Some(self.code), "wrong exit code: {context}");

        if self.code != 0 {
            assert!(
                run.stderr.contains("error: "),
                "a failed build must say why: {context}"
            );
            let after = snapshot(&out);
            assert_eq!(
                before.keys().collect::<Vec<_>>(),
                after.keys().collect::<Vec<_>>(),
                "the failed build changed the set of output files: {context}"
            );
            for (path, bytes) in &before {
                assert!(
                    after.get(path) == Some(bytes),
                    "the failed build changed {}: {context}",
                    path.display()
                );
            }
        } else {
            assert!(
                out.join("reports/r1/index.html").is_file(),
                "the build succeeded but wrote no report page: {context}"
            );
        }
        let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".building-"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "staging folders left behind: {leftovers:?}: {context}"
        );

        let locations = run.locations();
        for &(path, line, col) in &self.at {
            let found = locations.iter().any(|(p, l, c)| {
                p == path
                    && *l > 0
                    && *c > 0
                    && (line == 0 || *l == line)
                    && (col == 0 || *c == col)
            });
            let want = match (line, col) {
                (0, 0) => format!("{path}:<line>:<col>"),
                (l, 0) => format!("{path}:{l}:<col>"),
                (l, c) => format!("{path}:{l}:{c}"),
            };
            assert!(
                found,
                "expected a diagnostic at {want}; got {locations:?}: {context}"
            );
        }
        for path in &self.files {
            assert!(
                locations.iter().any(|(p, _, _)| p == path),
                "expected a diagnostic naming {path}; got {locations:?}: {context}"
            );
        }
        for text in &self.says {
            assert!(
                run.stderr.contains(text.as_str()),
                "expected stderr to contain {text:?}: {context}"
            );
        }

        let limit = time_limit();
        assert!(
            run.seconds < limit,
            "took {:.2} s (limit {limit} s): {context}",
            run.seconds
        );
        assert!(
            run.max_rss_kb < MEMORY_LIMIT_KB,
            "peaked at {} KB (limit {MEMORY_LIMIT_KB} KB): {context}",
            run.max_rss_kb
        );
        if let Some(after) = self.after.take() {
            after(&root, &out, &run);
        }
        let _ = &run.stdout;
    }
}

/// All output files whose name ends with one of `exts`, as text.
fn output_texts(out: &Path, exts: &[&str]) -> Vec<(PathBuf, String)> {
    snapshot(out)
        .into_iter()
        .filter(|(p, _)| exts.iter().any(|e| p.to_string_lossy().ends_with(e)))
        .map(|(p, b)| (p, String::from_utf8_lossy(&b).into_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// YAML syntax.

#[test]
fn yaml_unclosed_flow_sequence() {
    case("yaml_unclosed_flow_sequence", |r| {
        replace(r, REPORT, "summary: [\"k\"]", "summary: [\"k\",")
    })
    .located(REPORT)
    .run();
}

#[test]
fn yaml_bad_indentation() {
    case("yaml_bad_indentation", |r| {
        replace(r, REPORT, "date: \"2017-06\"", "  date: \"2017-06\"")
    })
    .at(REPORT, 4, 7)
    .run();
}

#[test]
fn yaml_unclosed_quote_points_at_the_opening_quote() {
    case("yaml_unclosed_quote", |r| {
        replace(
            r,
            REPORT,
            "    status: supported",
            "    status: \"supported",
        )
    })
    .at(REPORT, 22, 13)
    .run();
}

#[test]
fn yaml_colon_in_plain_scalar() {
    case("yaml_colon_in_plain_scalar", |r| {
        replace(r, REPORT, "title: R1", "title: a: b")
    })
    .at(REPORT, 3, 9)
    .run();
}

#[test]
fn yaml_duplicate_key_points_at_the_second_key() {
    case("yaml_duplicate_key", |r| {
        replace(r, REPORT, "title: R1\n", "title: R1\ntitle: R2\n")
    })
    .at(REPORT, 4, 1)
    .says("`title` is given twice")
    .run();
}

#[test]
fn yaml_unknown_alias() {
    case("yaml_unknown_alias", |r| {
        replace(r, REPORT, "title: R1", "title: *nope")
    })
    .at(REPORT, 3, 8)
    .run();
}

#[test]
fn yaml_tab_indentation() {
    case("yaml_tab_indentation", |r| {
        replace(r, REPORT, "    title: C1", "\ttitle: C1")
    })
    .at(REPORT, 14, 1)
    .says("tab")
    .run();
}

#[test]
fn yaml_front_matter_is_a_list() {
    case("yaml_front_matter_is_a_list", |r| {
        write(r, REPORT, "---\n- a\n- b\n---\nbody\n")
    })
    .at(REPORT, 2, 1)
    .run();
}

#[test]
fn yaml_custom_tag_is_ignored() {
    case("yaml_custom_tag_is_ignored", |r| {
        replace(r, REPORT, "title: R1", "title: !evil R1")
    })
    .builds()
    .run();
}

// ---------------------------------------------------------------------------------------------
// Front matter fences.

#[test]
fn unclosed_front_matter() {
    case("unclosed_front_matter", |r| {
        replace(
            r,
            REPORT,
            "    status: supported\n---\n",
            "    status: supported\n",
        )
    })
    .at(REPORT, 1, 1)
    .says("never closed")
    .run();
}

#[test]
fn no_front_matter() {
    case("no_front_matter", |r| {
        write(r, REPORT, "# Just Markdown\n\ntext\n")
    })
    .at(REPORT, 1, 1)
    .run();
}

#[test]
fn empty_file() {
    case("empty_file", |r| write(r, REPORT, ""))
        .at(REPORT, 1, 1)
        .says("empty")
        .run();
}

// ---------------------------------------------------------------------------------------------
// Wrong types, unknown and missing fields, bad enums and dates.

#[test]
fn wrong_type_string_for_list() {
    case("wrong_type_string_for_list", |r| {
        replace(r, REPORT, "areas: [area/a1]", "areas: area/a1")
    })
    .at(REPORT, 9, 8)
    .run();
}

#[test]
fn wrong_type_list_for_string() {
    case("wrong_type_list_for_string", |r| {
        replace(r, REPORT, "title: R1", "title: [a, b]")
    })
    .at(REPORT, 3, 8)
    .run();
}

#[test]
fn wrong_type_number_for_bool() {
    case("wrong_type_number_for_bool", |r| {
        replace(
            r,
            "content/areas/a1.md",
            "anonymised: true",
            "anonymised: 1",
        )
    })
    .at("content/areas/a1.md", 4, 13)
    .run();
}

#[test]
fn unknown_field_with_suggestion() {
    case("unknown_field", |r| {
        replace(r, REPORT, "title: R1", "titel: R1")
    })
    .at(REPORT, 3, 1)
    .says("did you mean `title`?")
    .run();
}

#[test]
fn unknown_field_inside_an_inline_cmo() {
    case("unknown_field_in_cmo", |r| {
        replace(r, REPORT, "    title: C1", "    titel: C1")
    })
    .at(REPORT, 14, 5)
    .run();
}

#[test]
fn missing_required_field() {
    case("missing_required_field", |r| {
        replace(r, REPORT, "status: published\n", "")
    })
    .located(REPORT)
    .says("`status` is missing")
    .run();
}

#[test]
fn missing_required_field_of_an_inline_cmo() {
    case("missing_required_field_in_cmo", |r| {
        replace(r, REPORT, "    status: supported\n", "")
    })
    .at(REPORT, 13, 5)
    .says("`status` is missing")
    .run();
}

#[test]
fn missing_required_bool() {
    case("missing_required_bool", |r| {
        replace(r, "content/areas/a1.md", "anonymised: true\n", "")
    })
    .located("content/areas/a1.md")
    .says("anonymised")
    .run();
}

#[test]
fn bad_enum_value() {
    case("bad_enum_value", |r| {
        replace(r, REPORT, "status: published", "status: publishd")
    })
    .at(REPORT, 6, 9)
    .says("did you mean `published`?")
    .run();
}

#[test]
fn bad_date_month_13() {
    case("bad_date_month_13", |r| {
        replace(r, REPORT, "\"2017-06\"", "\"2017-13\"")
    })
    // At the date's first character, inside its quotes, as a bad DOI or ORCID iD is.
    .at(REPORT, 4, 8)
    .run();
}

#[test]
fn bad_date_29_february_2019() {
    case("bad_date_29_february", |r| {
        replace(r, REPORT, "\"2017-06\"", "\"2019-02-29\"")
    })
    // At the date's first character, inside its quotes, as a bad DOI or ORCID iD is.
    .at(REPORT, 4, 8)
    .run();
}

#[test]
fn bad_date_in_words() {
    case("bad_date_in_words", |r| {
        replace(r, REPORT, "\"2017-06\"", "\"June 2017\"")
    })
    // At the date's first character, inside its quotes, as a bad DOI or ORCID iD is.
    .at(REPORT, 4, 8)
    .run();
}

// ---------------------------------------------------------------------------------------------
// References, anchors, ids, chains.

#[test]
fn dangling_reference_in_front_matter() {
    case("dangling_reference_in_front_matter", |r| {
        replace(r, REPORT, "tracer: tracer/tr", "tracer: tracer/nope")
    })
    .at(REPORT, 8, 9)
    .says("tracer/nope")
    .run();
}

#[test]
fn dangling_reference_in_markdown() {
    case("dangling_reference_in_markdown", |r| {
        append(r, REPORT, "see [x](@tracer/nope)\n")
    })
    .at(REPORT, 26, 5)
    .run();
}

#[test]
fn unknown_reference_kind_in_markdown() {
    case("unknown_reference_kind_in_markdown", |r| {
        append(r, REPORT, "see [x](@trace/tr)\n")
    })
    .at(REPORT, 26, 5)
    .says("did you mean `tracer`?")
    .run();
}

#[test]
fn dangling_anchor_in_front_matter() {
    case("dangling_anchor_in_front_matter", |r| {
        replace(r, REPORT, "report/r1#findings", "report/r1#nope")
    })
    .at(REPORT, 20, 0)
    .says("nope")
    .run();
}

#[test]
fn dangling_anchor_in_markdown() {
    case("dangling_anchor_in_markdown", |r| {
        append(r, REPORT, "see [x](@report/r1#nope)\n")
    })
    .at(REPORT, 26, 5)
    .says("nope")
    .run();
}

#[test]
fn unknown_citation_key() {
    case("unknown_citation_key", |r| {
        append(r, REPORT, "as shown [@nokey, p. 3]\n")
    })
    .at(REPORT, 26, 11)
    .says("@nokey")
    .run();
}

const SECOND_CMO: &str = "  - id: c1
    title: C2
    kind: anticipated
    programme_theory: [theory/pt]
    context: [{text: c}]
    mechanism: {text: m}
    outcome: [{text: o, status: anticipated, valence: positive, intended: true}]
    status: initial
---
";

#[test]
fn duplicate_cmo_id_in_one_report_points_at_the_second() {
    case("duplicate_cmo_id_in_one_report", |r| {
        replace(
            r,
            REPORT,
            "    status: supported\n---\n",
            &format!("    status: supported\n{SECOND_CMO}"),
        )
    })
    .at(REPORT, 23, 9)
    .says("duplicate CMO id `c1`")
    .run();
}

#[test]
fn duplicate_cmo_id_across_files() {
    case("duplicate_cmo_id_across_files", |r| {
        let body = SECOND_CMO.replace("  - id: c1\n", "").replace("    ", "");
        write(
            r,
            "content/cmos/other.md",
            format!("---\ntype: cmo\nid: c1\ntracer: tracer/tr\nareas: [area/a1]\n{body}"),
        );
    })
    .says("duplicate CMO id `c1`")
    .run();
}

#[test]
fn page_id_colliding_with_a_section() {
    // A page whose id collides with a generated section of the site.
    case("page_id_collides_with_a_section", |r| {
        write(r, "content/pages/reports.md", "---\ntitle: X\n---\n")
    })
    .names("content/pages/reports.md")
    .run();
}

#[test]
fn chain_cycle() {
    case("chain_cycle", |r| {
        let second = SECOND_CMO
            .replace("id: c1", "id: c2")
            .replace("---\n", "    chain: {refines: cmo/c1}\n---\n");
        replace(
            r,
            REPORT,
            "    status: supported\n---\n",
            &format!("    status: supported\n    chain: {{refines: cmo/c2}}\n{second}"),
        )
    })
    .located(REPORT)
    .says("cycle")
    .run();
}

#[test]
fn link_to_a_confidential_report() {
    case("link_to_a_confidential_report", |r| {
        let r2 = R1
            .replace("status: published", "status: confidential")
            .replace("title: R1", "title: R2")
            .replace("  - id: c1", "  - id: c2");
        write(r, "content/reports/r2.md", r2);
        append(r, REPORT, "see [x](@report/r2)\n");
    })
    .at(REPORT, 26, 5)
    .says("confidential")
    .run();
}

#[test]
fn standalone_cmo_without_type() {
    case("standalone_cmo_without_type", |r| {
        let body = SECOND_CMO.replace("  - id: c1\n", "").replace("    ", "");
        write(
            r,
            "content/cmos/c9.md",
            format!("---\nid: c9\ntracer: tracer/tr\nareas: [area/a1]\n{body}"),
        );
    })
    .located("content/cmos/c9.md")
    .says("type: cmo")
    .run();
}

// ---------------------------------------------------------------------------------------------
// Encodings and bytes.

#[test]
fn byte_order_mark_builds() {
    case("byte_order_mark", |r| {
        write(r, REPORT, format!("\u{feff}{R1}"));
        write(r, "site.yaml", format!("\u{feff}{SITE_YAML}"));
    })
    .builds()
    .then(|_, out, _| {
        let html = read(out, "reports/r1/index.html");
        assert!(html.contains("R1"));
        assert!(!html.contains('\u{feff}'), "the BOM leaked into the page");
    })
    .run();
}

#[test]
fn crlf_line_endings_build() {
    case("crlf_line_endings", |r| {
        for rel in [REPORT, "site.yaml", "content/areas/a1.md"] {
            let text = read(r, rel).replace('\n', "\r\n");
            write(r, rel, text);
        }
    })
    .builds()
    .then(|_, out, _| {
        let html = read(out, "reports/r1/index.html");
        assert!(
            html.contains("id=\"findings\""),
            "explicit heading id lost with CRLF"
        );
    })
    .run();
}

#[test]
fn crlf_positions_are_still_right() {
    case("crlf_positions", |r| {
        let text = R1.replace("title: R1", "titel: R1").replace('\n', "\r\n");
        write(r, REPORT, text);
    })
    .at(REPORT, 3, 1)
    .run();
}

#[test]
fn invalid_utf8() {
    case("invalid_utf8", |r| {
        let mut bytes = R1.replace("title: R1", "title: R\u{1}1").into_bytes();
        let at = bytes.iter().position(|&b| b == 1).unwrap();
        bytes[at] = 0xff;
        write(r, REPORT, bytes);
    })
    .at(REPORT, 3, 9)
    .says("UTF-8")
    .run();
}

#[test]
fn nul_byte_in_front_matter() {
    case("nul_byte_in_front_matter", |r| {
        replace(r, REPORT, "title: R1", "title: R\u{0}1")
    })
    .at(REPORT, 3, 9)
    .run();
}

#[test]
fn nul_byte_in_body() {
    // Refused like every other control character, rather than left to the Markdown parser (which
    // would publish U+FFFD in its place).
    case("nul_byte_in_body", |r| append(r, REPORT, "a\u{0}b\n"))
        .at(REPORT, 26, 2)
        .says("a control character is not allowed in Markdown text (U+0000)")
        .run();
}

#[test]
fn non_utf8_site_yaml() {
    case("non_utf8_site_yaml", |r| {
        let mut bytes = SITE_YAML.as_bytes().to_vec();
        bytes[8] = 0xfe;
        write(r, "site.yaml", bytes);
    })
    .at("site.yaml", 1, 9)
    .run();
}

// ---------------------------------------------------------------------------------------------
// Resource exhaustion.

/// The classic "billion laughs": nine levels of nine aliases each.
fn billion_laughs(field: &str) -> String {
    let mut s = format!("{field}:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    let names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        s.push_str(&format!("  {}: &{} [{refs}]\n", w[1], w[1]));
    }
    s
}

#[test]
fn yaml_alias_bomb_billion_laughs() {
    case("yaml_alias_bomb_billion_laughs", |r| {
        replace(
            r,
            REPORT,
            "summary: [\"k\"]\n",
            &format!("summary: [\"k\"]\n{}", billion_laughs("bomb")),
        )
    })
    .located(REPORT)
    .run();
}

#[test]
fn yaml_alias_bomb_in_a_typed_field() {
    // One 1 MB string repeated 300 times through an alias: 300 MB of summary from a 1 MB file.
    case("yaml_alias_bomb_typed", |r| {
        let big = "x".repeat(1 << 20);
        let aliases = vec!["*a"; 300].join(", ");
        replace(
            r,
            REPORT,
            "summary: [\"k\"]",
            &format!("summary: [&a \"{big}\", {aliases}]"),
        )
    })
    .located(REPORT)
    .says("alias")
    .run();
}

#[test]
fn yaml_alias_bomb_nested_through_cmos() {
    // 100 KB text × 100 contexts × 100 CMOs = 1 GB if expanded, from a 100 KB file.
    case("yaml_alias_bomb_nested", |r| {
        let text = "y".repeat(100_000);
        let contexts = vec!["*t"; 99].join(", ");
        let cmos = vec!["*c"; 99].join(", ");
        let cmo = format!(
            "&c {{id: c1, title: C1, kind: anticipated, programme_theory: [theory/pt], \
             context: [&t {{text: \"{text}\"}}, {contexts}], mechanism: {{text: m}}, \
             outcome: [{{text: o, status: anticipated, valence: positive, intended: true}}], status: initial}}"
        );
        let old = read(r, REPORT);
        let head = old.split("cmos:\n").next().unwrap().to_string();
        write(r, REPORT, format!("{head}cmos: [{cmo}, {cmos}]\n---\n## Findings {{#findings}}\n"));
    })
    .located(REPORT)
    .says("alias")
    .run();
}

#[test]
fn deep_nesting_sequences() {
    case("deep_nesting_sequences", |r| {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        replace(r, REPORT, "summary: [\"k\"]", &format!("summary: {deep}"))
    })
    .at(REPORT, 11, 0)
    .run();
}

#[test]
fn deep_nesting_mappings() {
    case("deep_nesting_mappings", |r| {
        let deep = format!("{}1{}", "{a: ".repeat(10_000), "}".repeat(10_000));
        replace(r, REPORT, "summary: [\"k\"]", &format!("summary: {deep}"))
    })
    .at(REPORT, 11, 0)
    .run();
}

#[test]
fn deep_nesting_as_the_whole_front_matter() {
    case("deep_nesting_whole_front_matter", |r| {
        let deep = format!("{}1{}", "{a: ".repeat(10_000), "}".repeat(10_000));
        write(r, REPORT, format!("---\n{deep}\n---\nbody\n"))
    })
    .located(REPORT)
    .run();
}

#[test]
fn deep_nesting_in_site_yaml() {
    case("deep_nesting_site_yaml", |r| {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        append(r, "site.yaml", &format!("description: {deep}\n"))
    })
    .at("site.yaml", 3, 0)
    .run();
}

#[test]
fn deep_nesting_in_markdown_builds() {
    case("deep_nesting_markdown", |r| {
        let mut body = String::new();
        body.push_str(&">".repeat(10_000));
        body.push_str(" quoted\n\n");
        for i in 0..2_000 {
            body.push_str(&"  ".repeat(i));
            body.push_str("- item\n");
        }
        body.push('\n');
        body.push_str(&"*a ".repeat(10_000));
        body.push_str(&" a*".repeat(10_000));
        body.push('\n');
        append(r, REPORT, &body);
    })
    .builds()
    .run();
}

#[test]
fn five_megabyte_report_builds_fast() {
    case("five_megabyte_report", |r| {
        let mut body = String::with_capacity(5_200_000);
        let mut i = 0;
        while body.len() < 5_000_000 {
            i += 1;
            if i % 40 == 1 {
                body.push_str(&format!("## Part {i}\n\n"));
            }
            body.push_str(
                "Commissioners in Area 1 described *recharging* between the CCG and the council as a \
                 workaround for fragmented budgets, and several managers said that **relationships** \
                 mattered more than contracts (see [the tracer](@tracer/tr)).\n\n",
            );
            match i % 100 {
                10 => body.push_str("- one\n- two\n- three\n\n"),
                20 => body.push_str("| a | b |\n|---|---|\n| 1 | 2 |\n\n"),
                30 => body.push_str(&format!("```r\nx <- read.csv(\"f{i}.csv\")\n```\n\n")),
                40 => body.push_str("> a quotation from an interview\n\n"),
                _ => {}
            }
        }
        append(r, REPORT, &body);
    })
    .builds()
    .then(|_, out, _| {
        let html = read(out, "reports/r1/index.html");
        assert!(html.len() > 5_000_000, "the body is missing from the page");
    })
    .run();
}

#[test]
fn huge_single_line_builds() {
    case("huge_single_line", |r| {
        append(r, REPORT, &"word ".repeat(400_000))
    })
    .builds()
    .run();
}

#[test]
fn huge_single_line_of_front_matter() {
    case("huge_single_line_front_matter", |r| {
        let long = "x".repeat(2_000_000);
        replace(
            r,
            REPORT,
            "summary: [\"k\"]",
            &format!("summary: [\"k\"] {long}"),
        )
    })
    .at(REPORT, 11, 0)
    .run();
}

#[test]
fn ten_thousand_dangling_cmo_references() {
    case("ten_thousand_dangling_cmo_refs", |r| {
        let refs: String = (0..10_000)
            .map(|i| format!("  - cmo/missing-{i}\n"))
            .collect();
        replace(r, REPORT, "cmos:\n", &format!("cmos:\n{refs}"))
    })
    .at(REPORT, 13, 5)
    .at(REPORT, 10_012, 5)
    .then(|_, _, run| assert_eq!(run.errors(), 10_000, "every missing CMO is reported once"))
    .run();
}

#[test]
fn extremely_long_cmo_id() {
    case("extremely_long_cmo_id", |r| {
        let id = "c".repeat(5_000);
        replace(r, REPORT, "  - id: c1", &format!("  - id: {id}"))
    })
    .at(REPORT, 13, 9)
    .then(|_, _, run| {
        assert!(
            !run.stderr.contains(".building-"),
            "the error names the staging folder instead of the source"
        )
    })
    .run();
}

#[test]
fn long_but_legal_file_id_builds() {
    case("long_file_id", |r| {
        let name = format!("content/tracers/{}.md", "t".repeat(200));
        write(
            r,
            &name,
            "---\ntitle: Long\nstudy: study/s\nkind: service\n---\n",
        );
    })
    .builds()
    .run();
}

#[test]
fn extremely_long_theme_id() {
    case("extremely_long_theme_id", |r| {
        replace(
            r,
            REPORT,
            "summary: [\"k\"]",
            &format!("summary: [\"k\"]\nthemes: [{}]", "t".repeat(5_000)),
        )
    })
    .at(REPORT, 12, 0)
    .then(|_, _, run| assert!(!run.stderr.contains(".building-")))
    .run();
}

// ---------------------------------------------------------------------------------------------
// Paths, links and symbolic links that try to leave the site.

#[test]
fn markdown_link_escaping_the_root_to_an_md_file() {
    case("link_escaping_root_md", |r| {
        append(r, REPORT, "[x](../../../../etc/passwd.md)\n")
    })
    .at(REPORT, 26, 1)
    .run();
}

#[test]
fn markdown_link_escaping_the_root() {
    case("link_escaping_root", |r| {
        append(
            r,
            REPORT,
            "see [x](../../../../etc/passwd) and ![i](../../../../../x.png)\n",
        )
    })
    .at(REPORT, 26, 5)
    .at(REPORT, 26, 37)
    .run();
}

#[test]
fn root_absolute_link() {
    case("root_absolute_link", |r| {
        append(r, REPORT, "see [y](/etc/x)\n")
    })
    .at(REPORT, 26, 5)
    .says("root-absolute")
    .run();
}

#[test]
fn bibliography_outside_the_root() {
    case("bibliography_outside_root", |r| {
        append(r, "site.yaml", "bibliography: ../outside.bib\n");
        write(r.parent().unwrap(), "outside.bib", "@book{a, title={x}}\n");
    })
    .at("site.yaml", 3, 15)
    .says("leaves the site root")
    .run();
}

#[test]
fn static_file_symlink_outside_the_root() {
    case("static_file_symlink_outside", |r| {
        let secret = r.parent().unwrap().join("secret.txt");
        std::fs::write(&secret, "TOPSECRET").unwrap();
        symlink(&secret, &r.join("static/secret.txt"));
    })
    .names("static/secret.txt")
    .says("outside the site root")
    .run();
}

#[test]
fn static_folder_symlink_outside_the_root() {
    case("static_folder_symlink_outside", |r| {
        let secret = r.parent().unwrap().join("secrets");
        std::fs::create_dir_all(&secret).unwrap();
        std::fs::write(secret.join("key.txt"), "TOPSECRET").unwrap();
        symlink(&secret, &r.join("static/leak"));
    })
    .names("static/leak")
    .says("outside the site root")
    .run();
}

#[test]
fn content_symlink_loop() {
    case("content_symlink_loop", |r| {
        symlink("..", &r.join("content/reports/loop"))
    })
    .names("content/reports/loop")
    .says("loop")
    .run();
}

#[test]
fn content_file_symlink_outside_the_root() {
    case("content_file_symlink_outside", |r| {
        let outside = r.parent().unwrap().join("r9.md");
        std::fs::write(&outside, R1.replace("  - id: c1", "  - id: c9")).unwrap();
        symlink(&outside, &r.join("content/reports/r9.md"));
    })
    .names("content/reports/r9.md")
    .says("outside the site root")
    .run();
}

#[test]
fn content_folder_symlink_outside_the_root_is_not_walked() {
    case("content_folder_symlink_outside", |r| {
        let outside = r.parent().unwrap().join("elsewhere");
        for i in 0..50 {
            write(&outside, &format!("d{i}/x.md"), "not content");
        }
        symlink(&outside, &r.join("content/reports/elsewhere"));
    })
    .names("content/reports/elsewhere")
    .then(|_, _, run| {
        assert!(
            !run.stderr.contains("content/reports/elsewhere/"),
            "walked into the linked folder:\n{}",
            run.stderr
        )
    })
    .run();
}

// ---------------------------------------------------------------------------------------------
// Broken glossary, site.yaml and templates.

#[test]
fn glossary_syntax_error() {
    case("glossary_syntax_error", |r| {
        write(
            r,
            "content/glossary.yaml",
            "- term: \"CCG\n  definition: d\n",
        )
    })
    .at("content/glossary.yaml", 1, 9)
    .run();
}

#[test]
fn glossary_wrong_shape() {
    case("glossary_wrong_shape", |r| {
        write(
            r,
            "content/glossary.yaml",
            "CCG: clinical commissioning group\n",
        )
    })
    .at("content/glossary.yaml", 1, 1)
    .run();
}

#[test]
fn glossary_wrong_field_type() {
    case("glossary_wrong_field_type", |r| {
        write(
            r,
            "content/glossary.yaml",
            "- term: CCG\n  definition: [a]\n",
        )
    })
    .at("content/glossary.yaml", 2, 15)
    .run();
}

#[test]
fn site_yaml_syntax_error() {
    case("site_yaml_syntax_error", |r| {
        write(r, "site.yaml", "title: \"T\nbase_url: x\n")
    })
    .at("site.yaml", 1, 8)
    .run();
}

#[test]
fn site_yaml_unknown_field() {
    case("site_yaml_unknown_field", |r| {
        append(r, "site.yaml", "titel: x\n")
    })
    .at("site.yaml", 3, 1)
    .says("did you mean `title`?")
    .run();
}

#[test]
fn site_yaml_missing_title() {
    case("site_yaml_missing_title", |r| {
        replace(r, "site.yaml", "title: \"T\"\n", "")
    })
    .at("site.yaml", 1, 1)
    .says("`title` is missing")
    .run();
}

#[test]
fn site_yaml_empty() {
    case("site_yaml_empty", |r| write(r, "site.yaml", ""))
        .at("site.yaml", 1, 1)
        .run();
}

#[test]
fn site_yaml_script_base_url() {
    case("site_yaml_script_base_url", |r| {
        replace(
            r,
            "site.yaml",
            "\"https://www.example.ac.uk/research/t/\"",
            "\"javascript:alert(1)\"",
        )
    })
    .at("site.yaml", 2, 12)
    .run();
}

#[test]
fn template_syntax_error() {
    case("template_syntax_error", |r| {
        write(r, "templates/report.html", "{% if %}\nx\n")
    })
    .located("templates/report.html")
    .run();
}

// ---------------------------------------------------------------------------------------------
// Odd files and names under content/.

#[test]
fn heading_with_only_punctuation_builds() {
    case("heading_only_punctuation", |r| {
        append(
            r,
            REPORT,
            "## !!!\n\nx\n\n## ...\n\n## ???\n\n## —\n\n## #\n",
        )
    })
    .builds()
    .then(|_, out, _| {
        let html = read(out, "reports/r1/index.html");
        assert!(!html.contains("id=\"\""), "a heading got an empty id");
        let ids: Vec<&str> = html
            .split("<h2 id=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .collect();
        let unique: std::collections::HashSet<&&str> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "duplicate heading ids: {ids:?}");
    })
    .run();
}

#[test]
fn unknown_content_folder_is_a_warning() {
    case("unknown_content_folder", |r| {
        write(
            r,
            "content/reprots/r9.md",
            R1.replace("  - id: c1", "  - id: c9"),
        )
    })
    .builds()
    .names("content/reprots/r9.md")
    .says("did you mean `reports`?")
    .run();
}

#[test]
fn non_markdown_file_in_reports_is_a_warning() {
    case("non_markdown_in_reports", |r| {
        write(r, "content/reports/notes.txt", "x")
    })
    .builds()
    .names("content/reports/notes.txt")
    .run();
}

#[test]
fn hidden_file_is_ignored() {
    case("hidden_file", |r| {
        write(r, "content/reports/.r1.md.swp", "\0\0")
    })
    .builds()
    .run();
}

#[test]
fn file_name_not_a_valid_id() {
    case("file_name_not_a_valid_id", |r| {
        write(
            r,
            "content/reports/Bad Name.md",
            R1.replace("  - id: c1", "  - id: c9"),
        )
    })
    .names("content/reports/Bad Name.md")
    .says("bad-name")
    .run();
}

#[test]
fn unicode_file_name() {
    case("unicode_file_name", |r| {
        write(r, "content/tracers/café.md", "---\ntitle: C\n---\n")
    })
    .names("content/tracers/café.md")
    .run();
}

// ---------------------------------------------------------------------------------------------
// Injection.

const SCRIPT: &str = "<script>alert(1)</script>";

#[test]
fn script_in_a_title_is_escaped() {
    case("script_in_title", |r| {
        replace(r, REPORT, "title: R1", &format!("title: \"{SCRIPT} R1\""));
        replace(
            r,
            "content/tracers/tr.md",
            "title: Tr",
            &format!("title: \"{SCRIPT}\""),
        );
        replace(
            r,
            REPORT,
            "    title: C1",
            &format!("    title: \"{SCRIPT}\""),
        );
    })
    .builds()
    .then(|_, out, _| {
        for (path, text) in output_texts(out, &[".html", ".xml"]) {
            assert!(
                !text.contains("<script>alert"),
                "{} contains the title's <script> unescaped",
                path.display()
            );
        }
    })
    .run();
}

#[test]
fn markdown_raw_html_is_not_passed_through() {
    case("markdown_raw_html", |r| {
        append(
            r,
            REPORT,
            &format!("\n{SCRIPT}\n\nand <img src=x onerror=alert(2)> inline\n"),
        )
    })
    .builds()
    .at(REPORT, 27, 1)
    .at(REPORT, 29, 5)
    .says("raw HTML")
    .then(|_, out, _| {
        let html = read(out, "reports/r1/index.html");
        assert!(
            !html.contains("<script>alert"),
            "raw <script> reached the page"
        );
        assert!(
            !html.contains("<img src=x"),
            "raw <img onerror> reached the page"
        );
    })
    .run();
}
