//! Safety: inputs are read only from inside the site root, only as regular files with UTF-8 names,
//! carry no control characters, `base_url` is checked once by one function, and diagnostics never
//! pass terminal control sequences through.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, symlink, Run, Site};

/// What the secret files outside the site hold; it must never appear in any message or output.
const SECRET: &str = "SECRET-7f3a9c-PRIVATE-KEY";

/// A folder outside the site holding a secret file and a secret theme.
fn outside() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key"), format!("{SECRET}\n")).unwrap();
    let theme = dir.path().join("theme/templates");
    std::fs::create_dir_all(&theme).unwrap();
    std::fs::create_dir_all(dir.path().join("theme/static")).unwrap();
    std::fs::write(theme.join("base.html"), SECRET).unwrap();
    std::fs::write(dir.path().join("theme/static/x.css"), SECRET).unwrap();
    dir
}

/// Runs `realist build` on `site`, killing it (and failing the test) if it takes over a minute:
/// a build that waits on a named pipe never ends by itself.
fn build_within_a_minute(site: &Site, args: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_realist"));
    command
        .arg("build")
        .arg("--root")
        .arg(site.root())
        .args(args);
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run realist");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("realist build did not finish within a minute");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every file below `dir`, as bytes (empty if there is no such folder).
/// Every output file's bytes; a workbook's by its inflated parts, since its own are compressed.
fn all_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let files = common::tree(dir).into_iter();
    files.filter(|(p, _)| !p.ends_with(".xlsx")).collect()
}

/// Asserts that the secret is nowhere: not on stdout or stderr, not in any file of the output.
fn assert_secret_never_shown(case: &str, site: &Site, run: &Run) {
    assert!(
        !run.stderr.contains(SECRET),
        "{case}: secret on stderr\n{run:?}"
    );
    assert!(
        !run.stdout.contains(SECRET),
        "{case}: secret on stdout\n{run:?}"
    );
    for (path, bytes) in all_bytes(&site.out()) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(SECRET), "{case}: secret in output {path}");
    }
}

/// Each kind of input, linked to a file or folder outside the site: (case, link, target, extra
/// site.yaml lines).
fn links_out(secret: &Path) -> Vec<(&'static str, &'static str, PathBuf, &'static str)> {
    let key = secret.join("key");
    vec![
        ("content file", "content/reports/r2.md", key.clone(), ""),
        ("content folder", "content/pages", secret.to_path_buf(), ""),
        ("glossary", "content/glossary.yaml", key.clone(), ""),
        (
            "bibliography in content",
            "content/references.bib",
            key.clone(),
            "bibliography: content/references.bib\n",
        ),
        (
            "bibliography elsewhere",
            "refs/main.bib",
            key.clone(),
            "bibliography: refs/main.bib\n",
        ),
        ("template", "templates/base.html", key.clone(), ""),
        (
            "templates folder",
            "templates",
            secret.join("theme/templates"),
            "",
        ),
        ("static file", "static/x.css", key.clone(), ""),
        ("static folder", "static/leak", secret.to_path_buf(), ""),
        (
            "theme folder",
            "themes/evil",
            secret.join("theme"),
            "theme: evil\n",
        ),
        (
            "themes folder",
            "themes",
            secret.to_path_buf(),
            "theme: theme\n",
        ),
        (
            "theme template",
            "themes/t/templates/base.html",
            key.clone(),
            "theme: t\n",
        ),
        ("site.yaml", "site.yaml", key.clone(), ""),
    ]
}

#[test]
fn links_out_of_the_site_are_refused_and_their_files_never_read() {
    let secret = outside();
    for (case, link, target, yaml) in links_out(secret.path()) {
        let site = Site::minimal();
        if !yaml.is_empty() {
            site.write("site.yaml", format!("{}{yaml}", common::SITE_YAML));
        }
        if link == "content/pages" {
            std::fs::remove_dir_all(site.path("content/pages")).unwrap();
        }
        if link == "site.yaml" {
            site.remove("site.yaml");
        }
        if link.starts_with("themes/t/") {
            site.write("themes/t/static/x.css", "x");
        }
        symlink(&target, &site.path(link));
        let run = build_within_a_minute(&site, &[]);
        assert_ne!(
            run.code, 0,
            "{case}: built with a link out of the site\n{run:?}"
        );
        assert!(
            run.stderr.contains("outside the site root"),
            "{case}: no message about the link\n{run:?}"
        );
        assert!(
            run.stderr.contains(&link.to_string()),
            "{case}: link not named\n{run:?}"
        );
        assert_secret_never_shown(case, &site, &run);
    }
}

#[test]
fn paths_in_site_yaml_that_leave_the_root_are_refused_without_reading() {
    let secret = outside();
    let key = secret.path().join("key");
    let key = key.to_string_lossy();
    let depth = "../".repeat(12);
    for (field, value) in [
        ("bibliography", key.to_string()),
        (
            "bibliography",
            format!("{depth}{}", key.trim_start_matches('/')),
        ),
        (
            "theme",
            secret.path().join("theme").to_string_lossy().into_owned(),
        ),
        ("theme", "../theme".to_string()),
        ("theme", "a/../../theme".to_string()),
        ("csl", key.to_string()),
    ] {
        let site = Site::minimal();
        let yaml = format!("{}{field}: \"{value}\"\n", common::SITE_YAML);
        site.write("site.yaml", &yaml);
        let run = build_within_a_minute(&site, &[]);
        assert_ne!(run.code, 0, "{field}: {value}\n{run:?}");
        let errors = run.errors();
        // `csl` names a built-in style, never a file: only the secret matters there.
        assert!(
            field == "csl"
                || errors
                    .iter()
                    .any(|d| d.location.starts_with("site.yaml:3:")),
            "{field}: {value}: not located in site.yaml\n{run:?}"
        );
        assert_secret_never_shown(field, &site, &run);
    }
}

#[test]
fn links_inside_the_site_to_files_inside_still_work() {
    let site = Site::minimal();
    site.write("shared/pt.md", common::THEORY);
    site.remove("content/theories/pt.md");
    symlink("../../shared/pt.md", &site.path("content/theories/pt.md"));
    site.write(
        "shared/logo.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    symlink("../shared/logo.svg", &site.path("static/logo.svg"));
    site.write(
        "shared/glossary.yaml",
        "- term: Context\n  definition: Where.\n",
    );
    symlink(
        "../shared/glossary.yaml",
        &site.path("content/glossary.yaml"),
    );
    site.write("shared/styles/extra.css", "p{}");
    symlink("../shared/styles", &site.path("static/styles"));
    let run = build_within_a_minute(&site, &[]);
    run.assert_ok();
    assert!(site.exists("theories/pt/index.html"), "{run:?}");
    assert!(site.exists("static/logo.svg"), "{run:?}");
    assert!(site.exists("static/styles/extra.css"), "{run:?}");
    assert!(
        site.page("glossary/index.html").contains("Where."),
        "{run:?}"
    );
}

/// Makes a named pipe at `path`.
fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo touches no memory of ours.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0, "mkfifo");
}

#[test]
fn pipes_and_sockets_where_files_are_expected_are_reported_without_waiting() {
    let cases: [(&str, &str); 8] = [
        ("content/reports/r2.md", ""),
        ("content/glossary.yaml", ""),
        ("static/x.css", ""),
        ("templates/base.html", ""),
        ("refs.bib", "bibliography: refs.bib\n"),
        ("themes/t/templates/home.html", "theme: t\n"),
        ("site.yaml", ""),
        ("static/sock", ""),
    ];
    for (rel, yaml) in cases {
        let site = Site::minimal();
        site.write("site.yaml", format!("{}{yaml}", common::SITE_YAML));
        if rel.starts_with("themes/") {
            site.write("themes/t/templates/base.html", "x");
        }
        let path = site.path(rel);
        if path.exists() {
            std::fs::remove_file(&path).unwrap();
        }
        let _listener;
        let what = if rel.ends_with("sock") {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
            "socket"
        } else {
            mkfifo(&path);
            "named pipe"
        };
        let run = build_within_a_minute(&site, &[]);
        assert_ne!(run.code, 0, "{rel}\n{run:?}");
        let found = run
            .errors()
            .into_iter()
            .any(|d| d.message.contains(what) && d.location == rel);
        assert!(found, "{rel}: no error naming the {what}\n{run:?}");
    }
}

#[test]
fn a_folder_for_a_file_or_a_file_for_a_folder_is_reported() {
    for (rel, yaml) in [
        ("content/reports/r2.md", ""),
        ("content/pages/empty.md", ""),
        ("content/glossary.yaml", ""),
        ("refs.bib", "bibliography: refs.bib\n"),
        ("themes/t", "theme: t\n"),
        ("templates/base.html", ""),
        ("static", ""),
        ("templates", ""),
        ("themes/t/templates", "theme: t\n"),
    ] {
        let site = Site::minimal();
        site.write("site.yaml", format!("{}{yaml}", common::SITE_YAML));
        if ["themes/t", "static", "templates", "themes/t/templates"].contains(&rel) {
            site.write(rel, "not a folder");
        } else {
            std::fs::create_dir_all(site.path(rel)).unwrap();
        }
        let run = build_within_a_minute(&site, &[]);
        assert_ne!(run.code, 0, "{rel}\n{run:?}");
        assert!(
            run.errors().iter().any(|d| d.location == rel),
            "{rel}: not reported\n{run:?}"
        );
    }
}

#[test]
fn file_names_that_are_not_utf8_are_reported_not_merged() {
    use std::os::unix::ffi::OsStrExt;
    for (folder, name, contents) in [
        ("content/reports", &b"caf\xe9.md"[..], "x"),
        ("content/pages", &b"\xff\xfe.md"[..], "---\ntitle: X\n---\n"),
        ("static", &b"logo\xe9.svg"[..], "<svg/>"),
        ("templates", &b"b\xe9se.html"[..], "x"),
    ] {
        let site = Site::minimal();
        std::fs::create_dir_all(site.path(folder)).unwrap();
        let path = site.path(folder).join(std::ffi::OsStr::from_bytes(name));
        std::fs::write(&path, contents).unwrap();
        let run = build_within_a_minute(&site, &[]);
        assert_ne!(run.code, 0, "{folder}: built\n{run:?}");
        assert!(
            run.errors()
                .iter()
                .any(|d| d.message.contains("not valid UTF-8") && d.location.starts_with(folder)),
            "{folder}: not reported\n{run:?}"
        );
    }
}

/// (file, text replaced, replacement, where the bad value starts).
const CONTROL_CASES: [(&str, &str, &str, &str); 14] = [
    (
        "content/reports/r1.md",
        "title: R1",
        r#"title: "R\x1b[2J1""#,
        r#""R\x1b"#,
    ),
    (
        "content/reports/r1.md",
        "title: R1",
        r#"title: "R1\0""#,
        r#""R1\0"#,
    ),
    (
        "content/reports/r1.md",
        "title: R1",
        r#"title: "R1\e]0;x\a""#,
        r#""R1\e"#,
    ),
    (
        "content/reports/r1.md",
        "summary: [\"k\"]",
        r#"summary: ["k\u0007"]"#,
        r#""k\u"#,
    ),
    (
        "content/reports/r1.md",
        "    title: C1",
        r#"    title: "C1\U0000009B31m""#,
        r#""C1\U"#,
    ),
    (
        "content/reports/r1.md",
        "mechanism: {text: m}",
        r#"mechanism: {text: "m\x7f"}"#,
        r#""m\x7f"#,
    ),
    (
        "content/reports/r1.md",
        "    title: C1",
        r#"    title: "C1\N""#,
        r#""C1\N"#,
    ),
    (
        "content/reports/r1.md",
        "title: R1",
        r#"title: "R1\r""#,
        r#""R1\r"#,
    ),
    (
        "content/studies/s.md",
        "title: S",
        r#"title: "S\x00""#,
        r#""S\x00"#,
    ),
    (
        "site.yaml",
        "title: \"T\"",
        r#"title: "T\x1b""#,
        r#""T\x1b"#,
    ),
    (
        "site.yaml",
        "title: \"T\"",
        "title: \"T\"\ndescription: \"d\\b\"",
        r#""d\b"#,
    ),
    // Written literally rather than escaped (libyaml refuses them at the character itself).
    (
        "content/reports/r1.md",
        "title: R1",
        "title: R\u{1b}[2J1",
        "\u{1b}",
    ),
    (
        "content/areas/a1.md",
        "title: A1",
        "title: A\u{9b}1",
        "\u{9b}",
    ),
    ("site.yaml", "title: \"T\"", "title: \"T\u{7f}\"", "\u{7f}"),
];

#[test]
fn control_characters_from_yaml_escapes_are_refused_where_they_are() {
    for (rel, from, to, at) in CONTROL_CASES {
        let site = Site::minimal();
        site.edit(rel, from, to);
        let text = site.source(rel);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{rel} {to}\n{run:?}");
        let d = run.error("control character");
        assert_eq!(
            d.location,
            common::loc(rel, &text, at),
            "{rel} {to}\n{run:?}"
        );
        assert!(!site.out().join("atom.xml").exists(), "{rel} {to}");
    }
}

#[test]
fn control_characters_in_glossary_values_and_keys_are_refused() {
    for text in [
        "- term: Context\n  definition: \"a\\x1b[31mb\"\n",
        "- term: \"Con\\ttext\\u009b\"\n  definition: d\n",
        "- \"te\\x01rm\": Context\n  definition: d\n",
    ] {
        let site = Site::with(&[("content/glossary.yaml", text)]);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{text}\n{run:?}");
        let d = run.error("control character");
        assert!(d.location.starts_with("content/glossary.yaml:"), "{run:?}");
    }
}

#[test]
fn tabs_and_line_breaks_in_yaml_text_are_still_accepted() {
    let site = Site::minimal();
    site.edit(
        "content/reports/r1.md",
        "summary: [\"k\"]",
        "summary:\n  - \"k\\tl\"\n  - \"m\\nn\"\n  - |\n    block\n    te\txt",
    );
    let run = build_within_a_minute(&site, &[]);
    run.assert_ok();
}

const BAD_BASE_URLS: [&str; 9] = [
    "ftp://www.example.ac.uk/t/",
    "https://",
    "https:///t/",
    "https://www.example.ac.uk/t/?page=1",
    "https://www.example.ac.uk/t/#top",
    "https://www.example.ac.uk/t%zz/",
    "javascript:alert(1)//",
    "https://user:pw@www.example.ac.uk/t/",
    "www.example.ac.uk/t/",
];

#[test]
fn a_bad_base_url_flag_is_one_usage_error() {
    for url in BAD_BASE_URLS {
        let site = Site::minimal();
        let run = build_within_a_minute(&site, &["--base-url", url]);
        assert_eq!(run.code, 2, "{url}\n{run:?}");
        let errors = run.stderr.matches("error").count();
        assert_eq!(errors, 1, "{url}: expected one message\n{run:?}");
        assert!(run.stderr.contains("base_url"), "{url}\n{run:?}");
        assert!(!site.out().exists(), "{url}: wrote output");
    }
}

#[test]
fn a_bad_base_url_in_site_yaml_is_one_located_error() {
    for url in BAD_BASE_URLS {
        let site = Site::minimal();
        let yaml = format!("title: \"T\"\nbase_url: \"{url}\"\n");
        site.write("site.yaml", &yaml);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{url}\n{run:?}");
        assert_eq!(run.errors().len(), 1, "{url}: expected one error\n{run:?}");
        run.assert_error("base_url", &common::loc("site.yaml", &yaml, url));
        assert!(!run.stderr.contains("broken link"), "{url}\n{run:?}");
    }
}

#[test]
fn a_base_url_with_accents_is_percent_encoded_from_either_source() {
    let site = Site::minimal();
    site.write(
        "site.yaml",
        "title: T\nbase_url: \"https://www.example.ac.uk/café%20y/\"\n",
    );
    build_within_a_minute(&site, &[]).assert_ok();
    let sitemap = site.page("sitemap.xml");
    assert!(
        sitemap.contains("https://www.example.ac.uk/caf%C3%A9%20y/"),
        "{sitemap}"
    );
    let flag = build_within_a_minute(&site, &["--base-url", "http://localhost:8000/é"]);
    flag.assert_ok();
    assert!(site
        .page("sitemap.xml")
        .contains("http://localhost:8000/%C3%A9/"));
}

/// Values the `url` crate would silently repair (YAML text, as written in a double-quoted string).
const REPAIRED_BASE_URLS: [&str; 16] = [
    r"https://www.example.ac.uk\\t/",
    r"https://www.example.ac.uk/t\\x/",
    "https://www.example.ac.uk/a b/",
    r"https://www.example.ac.uk/a\tb/",
    r"https://www.exam\nple.ac.uk/t/",
    r"https://www.exa\tmple.ac.uk/t/",
    "https://www.example.ac.uk:0/t/",
    "https://www.example.ac.uk:/t/",
    "https://www.example.ac.uk:0443/t/",
    "https://www.example..ac.uk/t/",
    "https://www.example.ac.uk./t/",
    "https://-www.example.ac.uk/t/",
    "https://www.example-.ac.uk/t/",
    "http://0x7f.1/t/",
    "https://www.ex%61mple.ac.uk/t/",
    "http://2130706433/t/",
];

#[test]
fn a_base_url_the_url_crate_would_repair_is_one_located_error() {
    for url in REPAIRED_BASE_URLS {
        let site = Site::minimal();
        let yaml = format!("title: \"T\"\nbase_url:   \"{url}\"\n");
        site.write("site.yaml", &yaml);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{url}\n{run:?}");
        assert_eq!(run.errors().len(), 1, "{url}: expected one error\n{run:?}");
        // Located at the value, even when it holds escapes and is not found verbatim.
        run.assert_error("base_url", &common::loc("site.yaml", &yaml, url));
        assert!(!run.stderr.contains('\t'), "{url}: raw tab\n{run:?}");
    }
}

#[test]
fn a_base_url_flag_the_url_crate_would_repair_is_one_usage_error() {
    let controls = [
        "https://www.example.ac.uk/t\u{1f}/",
        "https://www.example.ac.uk/\u{85}t/",
    ];
    for url in REPAIRED_BASE_URLS.iter().chain(&controls) {
        let url = url
            .replace(r"\\", "\\")
            .replace(r"\t", "\t")
            .replace(r"\n", "\n");
        let site = Site::minimal();
        let run = build_within_a_minute(&site, &["--base-url", &url]);
        assert_eq!(run.code, 2, "{url:?}\n{run:?}");
        assert!(run.stderr.contains("base_url"), "{url:?}\n{run:?}");
        assert_eq!(
            run.errors().len(),
            1,
            "{url:?}: expected one message\n{run:?}"
        );
        let raw = run.stderr.chars().any(|c| c.is_control() && c != '\n');
        assert!(!raw, "{url:?}: raw control character on stderr\n{run:?}");
        assert!(!site.out().exists(), "{url:?}: wrote output");
    }
}

#[test]
fn a_base_url_with_dot_segments_is_resolved() {
    let site = Site::minimal();
    site.write(
        "site.yaml",
        "title: T\nbase_url: \"https://www.example.ac.uk/a/../research/t/\"\n",
    );
    build_within_a_minute(&site, &[]).assert_ok();
    let sitemap = site.page("sitemap.xml");
    assert!(
        sitemap.contains("https://www.example.ac.uk/research/t/"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("/a/"), "{sitemap}");
}

/// Changes the minimal site into a test case.
type MakeSite = Box<dyn Fn(&Site)>;

#[test]
fn terminal_control_sequences_reach_stderr_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let cases: Vec<(&str, MakeSite)> = vec![
        (
            "file name",
            Box::new(|s: &Site| {
                let p = s
                    .path("content/reports")
                    .join(std::ffi::OsStr::from_bytes(b"\x1b[2J.md"));
                std::fs::write(p, "x").unwrap();
            }),
        ),
        (
            "template source",
            Box::new(|s: &Site| {
                s.write("templates/home.html", "{% include \"x\u{1b}[2J.html\" %}")
            }),
        ),
        (
            "title",
            Box::new(|s: &Site| {
                s.edit(
                    "content/reports/r1.md",
                    "title: R1",
                    "title: \"\\e[2J\\x9b2J\"",
                )
            }),
        ),
        (
            "id of a CMO",
            Box::new(|s: &Site| s.edit("content/reports/r1.md", "id: c1", "id: \"c1\u{1b}[2J\"")),
        ),
        (
            "folder name",
            Box::new(|s: &Site| s.write("content/\u{1b}]0;pwned\u{7}/x.md", "x")),
        ),
    ];
    for (case, make) in cases {
        let site = Site::minimal();
        make(&site);
        let run = build_within_a_minute(&site, &[]);
        assert!(
            !run.diagnostics().is_empty(),
            "{case}: nothing reported\n{run:?}"
        );
        let raw: Vec<char> = run
            .stderr
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(
            raw.is_empty(),
            "{case}: raw control characters {raw:?}\n{run:?}"
        );
        if case != "title" && case != "id of a CMO" {
            assert!(
                run.stderr.contains("\\u{1b}"),
                "{case}: not shown escaped\n{run:?}"
            );
        }
    }
}

/// (file, text replaced, replacement, where the bad value starts) for noncharacters and
/// bidirectional controls, escaped and written literally, in several fields and files.
const UNPUBLISHABLE_CASES: [(&str, &str, &str, &str); 12] = [
    (
        "content/reports/r1.md",
        "title: R1",
        r#"title: "A\uFFFEB""#,
        r#""A\uFFFE"#,
    ),
    (
        "content/reports/r1.md",
        "summary: [\"k\"]",
        r#"summary: ["k\uFFFF"]"#,
        r#""k\uFFFF"#,
    ),
    (
        "content/reports/r1.md",
        "mechanism: {text: m}",
        r#"mechanism: {text: "m\uFDD0"}"#,
        r#""m\uFDD0"#,
    ),
    (
        "content/reports/r1.md",
        "    title: C1",
        r#"    title: "C1\U0010FFFF""#,
        r#""C1\U"#,
    ),
    (
        "content/studies/s.md",
        "title: S",
        "title: S\u{1fffe}x",
        "S\u{1fffe}",
    ),
    (
        "site.yaml",
        "title: \"T\"",
        r#"title: "T\uFFFE""#,
        r#""T\u"#,
    ),
    (
        "content/reports/r1.md",
        "title: R1",
        r#"title: "R\u202Egnp.exe""#,
        r#""R\u202E"#,
    ),
    (
        "content/reports/r1.md",
        "title: R1",
        "title: R\u{202e}1",
        "R\u{202e}1",
    ),
    (
        "content/areas/a1.md",
        "title: A1",
        "title: \"A\u{2066}1\u{2069}\"",
        "\"A\u{2066}",
    ),
    (
        "content/reports/r1.md",
        "    title: C1",
        r#"    title: "C\u202A1\u202C""#,
        r#""C\u202A"#,
    ),
    (
        "site.yaml",
        "title: \"T\"",
        "title: \"T\"\ndescription: d\u{2067}x",
        "d\u{2067}",
    ),
    (
        "content/theories/pt.md",
        "statement: {if: x,",
        "statement: {if: \"x\\u2068\",",
        "\"x\\u2068",
    ),
];

#[test]
fn noncharacters_and_bidi_controls_in_yaml_are_refused_where_they_are() {
    for (rel, from, to, at) in UNPUBLISHABLE_CASES {
        let site = Site::minimal();
        site.edit(rel, from, to);
        let text = site.source(rel);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{rel} {to}\n{run:?}");
        let d = run.error("is not allowed in a YAML value");
        assert_eq!(
            d.location,
            common::loc(rel, &text, at),
            "{rel} {to}\n{run:?}"
        );
        assert!(!site.out().join("atom.xml").exists(), "{rel} {to}");
        // The message names the character escaped, never raw.
        assert!(
            !run.stderr.contains(['\u{202e}', '\u{2066}', '\u{fffe}']),
            "{run:?}"
        );
    }
    for text in [
        "- term: \"Con\\uFFFEtext\"\n  definition: d\n",
        "- term: Context\n  definition: \"a\\u202Eb\"\n",
    ] {
        let site = Site::with(&[("content/glossary.yaml", text)]);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{text}\n{run:?}");
        let d = run.error("is not allowed in a YAML value");
        assert!(d.location.starts_with("content/glossary.yaml:"), "{run:?}");
    }
}

#[test]
fn separators_zero_width_characters_and_marks_in_yaml_are_still_accepted() {
    let site = Site::minimal();
    site.edit(
        "content/reports/r1.md",
        "title: R1",
        "title: \"R\\u2028\\u2029\\uFEFF\\u200B\\u200D\\u200F1\u{200e}\"",
    );
    build_within_a_minute(&site, &[]).assert_ok();
    let atom = site.page("atom.xml");
    assert!(atom.contains("R\u{2028}"), "{atom}");
}

#[test]
fn diagnostics_show_bidi_controls_escaped() {
    for name in ["r\u{202e}dm.exe.md", "a\u{2066}b.md", "x\u{202a}y.md"] {
        let site = Site::minimal();
        site.write(&format!("content/reports/{name}"), "x");
        let run = build_within_a_minute(&site, &[]);
        assert!(
            !run.diagnostics().is_empty(),
            "{name}: nothing reported\n{run:?}"
        );
        assert!(
            !run.stderr.contains(['\u{202a}', '\u{202e}', '\u{2066}']),
            "{name}: raw bidi control\n{run:?}"
        );
        assert!(run.stderr.contains("\\u{"), "{name}: not escaped\n{run:?}");
    }
}

#[test]
fn file_and_folder_names_with_refused_characters_are_reported_not_copied() {
    for (rel, contents, shown) in [
        ("static/a\u{1b}[31mb.txt", "x", "static/a\\u{1b}[31mb.txt"),
        ("static/line\nbreak.txt", "x", "static/line\\u{a}break.txt"),
        ("static/tab\there.txt", "x", "static/tab\\u{9}here.txt"),
        ("static/c1\u{9b}2J.css", "x", "static/c1\\u{9b}2J.css"),
        ("static/x\u{fffe}.css", "x", "static/x"),
        ("static/x\u{fdd0}y.js", "x", "static/x"),
        ("static/r\u{202e}gnp.exe", "x", "static/r\\u{202e}gnp.exe"),
        (
            "static/dir\u{2066}/logo.svg",
            "<svg/>",
            "static/dir\\u{2066}",
        ),
        (
            "content/reports/r\u{7f}2.md",
            "x",
            "content/reports/r\\u{7f}2.md",
        ),
        (
            "content/pages/p\u{1fffe}.md",
            "---\ntitle: P\n---\n",
            "content/pages/p",
        ),
        ("templates/x\u{1b}.html", "x", "templates/x\\u{1b}.html"),
        ("content/.hidden\u{7}", "x", "content/.hidden\\u{7}"),
    ] {
        let site = Site::minimal();
        site.write(rel, contents);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{rel:?}: built\n{run:?}");
        let d = run.error("the name contains");
        assert!(
            d.location.starts_with(shown),
            "{rel:?}: located at {d:?}\n{run:?}"
        );
        let raw: Vec<char> = run
            .stderr
            .chars()
            .filter(|&c| c != '\n' && rel.contains(c) && !c.is_ascii())
            .collect();
        assert!(raw.is_empty(), "{rel:?}: raw {raw:?} on stderr\n{run:?}");
        assert!(!run.stderr.contains('\u{1b}'), "{rel:?}\n{run:?}");
    }
    // With an output already built, the refused file never reaches it.
    let site = Site::minimal();
    site.build_ok(&[]);
    site.write("static/a\u{1b}[31mb.txt", "x");
    build_within_a_minute(&site, &[]);
    let names = common::tree(&site.out());
    assert!(
        !names.keys().any(|k| k.contains('\u{1b}')),
        "{:?}",
        names.keys()
    );
}

#[test]
fn a_file_where_any_input_folder_is_expected_is_an_error() {
    for (rel, yaml) in [
        ("content", ""),
        ("content/pages", ""),
        ("content/reports", ""),
        ("content/cmos", ""),
        ("content/studies", ""),
        ("static", ""),
        ("templates", ""),
        ("themes/t", "theme: t\n"),
        ("themes/t/static", "theme: t\n"),
        ("themes/t/templates", "theme: t\n"),
    ] {
        for via_link in [false, true] {
            let site = Site::minimal();
            site.write("site.yaml", format!("{}{yaml}", common::SITE_YAML));
            if rel.starts_with("themes/t/") {
                site.write("themes/t/archetypes/.keep", "");
            }
            let path = site.path(rel);
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            }
            if via_link {
                site.write("elsewhere.txt", "a file inside the site");
                let depth = rel.matches('/').count();
                symlink(format!("{}elsewhere.txt", "../".repeat(depth)), &path);
            } else {
                site.write(rel, "not a folder");
            }
            let run = build_within_a_minute(&site, &["--deny-warnings"]);
            let case = format!("{rel} (link: {via_link})");
            assert_eq!(run.code, 1, "{case}\n{run:?}");
            let d = run.error("where a folder is expected");
            assert_eq!(d.location, rel, "{case}\n{run:?}");
            assert!(
                !run.diagnostics()
                    .iter()
                    .any(|d| d.severity == "warning" && d.location == rel),
                "{case}: also a warning\n{run:?}"
            );
        }
    }
}

#[test]
fn literal_noncharacters_in_yaml_are_named_for_what_they_are() {
    for (rel, from, to) in [
        ("site.yaml", "title: \"T\"", "title: \"T\u{fffe}\""),
        ("content/reports/r1.md", "title: R1", "title: R\u{ffff}1"),
    ] {
        let site = Site::minimal();
        site.edit(rel, from, to);
        let text = site.source(rel);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{rel}\n{run:?}");
        let d = run.error("a Unicode noncharacter");
        let c = to.chars().find(|c| *c > '\u{fff0}').unwrap();
        assert_eq!(
            d.location,
            common::loc(rel, &text, &c.to_string()),
            "{run:?}"
        );
    }
}

#[test]
fn site_yaml_path_errors_point_at_the_value_even_when_escaped() {
    for (field, value) in [
        ("theme", r"\x2e\x2e/theme"),
        ("theme", "../theme"),
        ("bibliography", r"\u002Fetc/refs.bib"),
        ("bibliography", "/etc/refs.bib"),
    ] {
        let site = Site::minimal();
        let yaml = format!("{}{field}:  \"{value}\"\n", common::SITE_YAML);
        site.write("site.yaml", &yaml);
        let run = build_within_a_minute(&site, &[]);
        assert_eq!(run.code, 1, "{field}: {value}\n{run:?}");
        run.assert_error(
            "leaves the site root",
            &common::loc("site.yaml", &yaml, value),
        );
    }
}

/// Markdown with `§` where a refused character goes: in a paragraph, a heading, link text, a
/// heading id, a table cell and a code block.
const BODY_WITH_MARKS: &str = "\nParagraph §text.\n\n## Heading § here\n\n\
See [link § text](https://example.org/).\n\n## Anchored {#id§x}\n\n\
| a | b |\n|---|---|\n| cell § | x |\n\n```\ncode § here\n```\n";

/// `path:line:col` of every `c` in `text`, in order.
fn every_loc(path: &str, text: &str, c: char) -> Vec<String> {
    text.char_indices()
        .filter(|&(_, found)| found == c)
        .map(|(at, _)| {
            let before = &text[..at];
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            format!("{path}:{line}:{column}")
        })
        .collect()
}

#[test]
fn refused_characters_in_markdown_bodies_are_located_errors_and_never_published() {
    let report = "content/reports/r1.md";
    let cmo = "content/cmos/loose.md";
    let page = "content/pages/about.md";
    let site = Site::minimal();
    let report_head = site.source(report);
    let cmo_head = common::standalone_cmo("loose", "");
    let page_head = "---\ntitle: About\n---\n";
    // Tab, typographic quotes, accents, the bidirectional marks and a zero-width no-break space
    // share lead bytes with refused characters but are ordinary text.
    let allowed = "\ntab\there, “quoted” ‘text’ — café \u{200e}x\u{200f} a\u{feff}b \u{2028}\n";
    site.write(report, format!("{report_head}{allowed}"));
    site.write(cmo, format!("{cmo_head}{allowed}"));
    site.write(page, format!("{page_head}{allowed}"));
    build_within_a_minute(&site, &[]).assert_ok();
    for c in [
        '\u{1b}', '\u{7}', '\u{7f}', '\u{9b}', '\u{202e}', '\u{2066}', '\u{fffe}', '\u{fdd0}',
    ] {
        let body = BODY_WITH_MARKS.replace('§', &c.to_string());
        let mut expected = Vec::new();
        for (rel, head) in [
            (report, &report_head),
            (cmo, &cmo_head),
            (page, &page_head.to_string()),
        ] {
            let text = format!("{head}{body}");
            site.write(rel, &text);
            expected.extend(every_loc(rel, &text, c));
        }
        let run = build_within_a_minute(&site, &[]);
        let case = format!("U+{:04X}", c as u32);
        assert_eq!(run.code, 1, "{case}\n{run:?}");
        let mut located: Vec<String> = run
            .errors()
            .into_iter()
            .filter(|d| {
                d.message
                    .contains(&format!("not allowed in Markdown text ({case})"))
            })
            .map(|d| d.location)
            .collect();
        assert_eq!(located.len(), 3 * 6, "{case}\n{run:?}");
        located.sort();
        expected.sort();
        assert_eq!(located, expected, "{case}\n{run:?}");
        assert!(!run.stderr.contains(c), "{case}: printed raw\n{run:?}");
        let mut bytes = [0; 4];
        let needle = c.encode_utf8(&mut bytes).as_bytes();
        for (path, contents) in all_bytes(&site.out()) {
            let raw = contents.windows(needle.len()).any(|w| w == needle);
            assert!(!raw, "{case} reached {path}");
        }
    }
}

#[test]
fn a_language_that_is_not_a_language_tag_is_one_located_error_and_never_published() {
    let bad = [
        "en\" x=\"y",
        "en\"><script>alert(1)</script>",
        "en GB",
        "e",
        "englishlanguage",
        "en_GB",
        "en-",
        "",
    ];
    for value in bad {
        let site = Site::minimal();
        let yaml = format!("{}language: '{value}'\n", common::SITE_YAML);
        site.write("site.yaml", &yaml);
        let out = site.path("public");
        let run = build_within_a_minute(&site, &["--out", out.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{value:?}\n{run:?}");
        let errors = run.errors();
        assert!(
            errors
                .iter()
                .any(|d| d.location.starts_with("site.yaml:3:") && d.message.contains("language")),
            "{value:?}: not located at the language line\n{run:?}"
        );
        assert!(!out.exists(), "{value:?}: an output was written");
    }
    for good in ["en", "en-GB", "cy", "zh-Hant-TW", "de-CH-1996"] {
        let site = Site::minimal();
        let yaml = format!("{}language: {good}\n", common::SITE_YAML);
        site.write("site.yaml", &yaml);
        let out = site.path("public");
        let run = build_within_a_minute(&site, &["--out", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{good}\n{run:?}");
        let feed = std::fs::read_to_string(out.join("atom.xml")).unwrap();
        assert!(feed.contains(&format!("xml:lang=\"{good}\"")), "{good}");
    }
}
