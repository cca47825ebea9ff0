//! The user guide's examples, run: `docs/guide/` cannot promise what `realist` does not do.
//!
//! The guide marks what is to be tested in its own Markdown, so that the examples a reader copies
//! are the ones tested:
//!
//! - a fenced block whose info string names a file, ` ```yaml file=site.yaml `, is that file of
//!   the example site, written whole (or added to the end of the file with `append`);
//! - a ` ```console run ` block holds commands (`$ ` lines) and what each prints (the lines under
//!   it; a build's time is not compared);
//! - a ` ```text pages ` block lists files the build must have written;
//! - a comment `<!-- test: image PATH -->` stands for an image file the example needs, which the
//!   guide cannot show;
//! - `needs=FEATURE` on any of these makes it wait until FEATURE is marked ready in [`FEATURES`].
//!
//! [`the_guide_examples_build`]: 1. read the chapters in file-name order and collect these steps;
//! 2. in a temporary folder, take the steps in order: run the commands (`cd`, `mkdir -p`,
//! `realist …` with an optional `> FILE`) and compare what they print with the guide, and write
//! the files; 3. build the assembled site with `--deny-warnings`; 4. check every listed page.
//!
//! [`the_guide_links_resolve`]: every relative link in the guide, `README.md` and
//! `CONTRIBUTING.md` names a file that exists, and an `#anchor` names a heading of that file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};

use crate::common::*;

/// Features the guide documents that other work is adding; `true` once `realist` has them. An
/// example marked `needs=NAME` runs only when NAME is ready here.
const FEATURES: &[(&str, bool)] = &[
    // Images beside the Markdown file that uses them (`![..](figures/x.png)`).
    ("colocated-images", true),
    // `menu:` in site.yaml puts free pages in the navigation.
    ("menu", true),
    // `realist schema KIND` prints a JSON Schema for that kind's front matter.
    ("schema", true),
    // `realist new` makes every kind: area, study and page as well.
    ("new-every-kind", true),
];

/// A 1×1 PNG, standing for the images the guide's examples use.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0xda, 0x63, 0x64, 0x60, 0xf8, 0x5f,
    0x0f, 0x00, 0x02, 0x87, 0x01, 0x80, 0xeb, 0x47, 0xba, 0x92, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// One thing the guide asks the test to do, in the order the reader meets it.
#[derive(Debug)]
enum Step {
    /// Write (or, with `append`, add to) a file of the example site.
    File {
        path: String,
        text: String,
        append: bool,
    },
    /// Run these commands, each with the output the guide shows under it.
    Commands(Vec<(String, Vec<String>)>),
    /// These files must exist once the example site is built.
    Pages(Vec<String>),
    /// Write a placeholder image at this path.
    Image(String),
}

/// A step with the chapter it comes from, for messages.
struct Located {
    chapter: String,
    step: Step,
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chapters() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("docs/guide"))
        .expect("docs/guide exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// Whether a step marked with these words may run: it names no feature, or a ready one.
fn ready(words: &[&str], chapter: &str) -> bool {
    words
        .iter()
        .filter_map(|w| w.strip_prefix("needs="))
        .all(|name| {
            let Some((_, ready)) = FEATURES.iter().find(|(n, _)| *n == name) else {
                panic!("{chapter}: `needs={name}` names no feature listed in FEATURES");
            };
            *ready
        })
}

/// The steps of one chapter, from its fenced blocks and `<!-- test: … -->` comments.
fn steps_of(chapter: &str, text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut block: Option<(String, String)> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                block = Some((info.to_string(), String::new()));
            }
            Event::Text(t) => {
                if let Some((_, body)) = block.as_mut() {
                    body.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((info, body)) = block.take() {
                    steps.extend(block_step(chapter, &info, body));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                steps.extend(comment_step(chapter, &html));
            }
            _ => {}
        }
    }
    steps
}

fn block_step(chapter: &str, info: &str, body: String) -> Option<Step> {
    let words: Vec<&str> = info.split_whitespace().collect();
    if !ready(&words, chapter) {
        return None;
    }
    if let Some(path) = words.iter().find_map(|w| w.strip_prefix("file=")) {
        return Some(Step::File {
            path: path.to_string(),
            text: body,
            append: words.contains(&"append"),
        });
    }
    match words.get(1).copied() {
        Some("run") => Some(Step::Commands(commands(&body))),
        Some("pages") => Some(Step::Pages(
            body.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(String::from)
                .collect(),
        )),
        _ => None,
    }
}

/// `<!-- test: image PATH [needs=…] -->`.
fn comment_step(chapter: &str, html: &str) -> Option<Step> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let words: Vec<&str> = inner.strip_prefix("test:")?.split_whitespace().collect();
    match words.as_slice() {
        ["image", path, rest @ ..] => ready(rest, chapter).then(|| Step::Image(path.to_string())),
        _ => panic!("{chapter}: unknown test comment `{html}`"),
    }
}

/// The commands of a `console run` block, each with the lines printed under it.
fn commands(body: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in body.lines() {
        match (line.strip_prefix("$ "), out.last_mut()) {
            (Some(command), _) => out.push((command.trim().to_string(), Vec::new())),
            (None, Some((_, printed))) => printed.push(line.to_string()),
            (None, None) => panic!("console run block starts with output, not a `$ ` command"),
        }
    }
    out
}

/// A line of output with a build's duration ("… in 0.05 s") made comparable.
fn without_time(line: &str) -> String {
    if let Some((head, tail)) = line.rsplit_once(" in ") {
        let number = tail.strip_suffix(" s").or_else(|| tail.strip_suffix(" ms"));
        if number
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
        {
            return format!("{head} in TIME");
        }
    }
    line.to_string()
}

/// A command's words as a POSIX shell splits them: at spaces, except inside double quotes (the
/// only quoting the guide uses), which are removed.
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let (mut word, mut quoted, mut started) = (String::new(), false, false);
    for c in command.chars() {
        match c {
            '"' => (quoted, started) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// Runs one command of the guide in `cwd` (which `cd` changes) and returns what it printed.
fn run(cwd: &mut PathBuf, command: &str, chapter: &str) -> String {
    let (command, into) = match command.split_once(" > ") {
        Some((c, file)) => (c, Some(file.trim())),
        None => (command, None),
    };
    let words = shell_words(command);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["cd", dir] => {
            *cwd = cwd.join(dir);
            String::new()
        }
        ["mkdir", "-p", dir] => {
            std::fs::create_dir_all(cwd.join(dir)).unwrap();
            String::new()
        }
        ["realist", args @ ..] => {
            let done = realist_in(cwd, args);
            assert_eq!(done.code, 0, "{chapter}: `{command}` failed: {done:?}");
            if let Some(file) = into {
                std::fs::write(cwd.join(file), &done.stdout).unwrap();
                return done.stderr;
            }
            format!("{}{}", done.stdout, done.stderr)
        }
        _ => panic!(
            "{chapter}: the guide's test cannot run `{command}` (only cd, mkdir -p, realist)"
        ),
    }
}

fn take(step: &Step, cwd: &mut PathBuf, chapter: &str) {
    match step {
        Step::File { path, text, append } => {
            let file = cwd.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            let mut all = if *append {
                std::fs::read_to_string(&file).unwrap()
            } else {
                String::new()
            };
            all.push_str(text);
            std::fs::write(&file, all).unwrap();
        }
        Step::Commands(list) => {
            for (command, shown) in list {
                let printed = run(cwd, command, chapter);
                if shown.is_empty() {
                    continue; // the guide shows no output for it (one that waits for a feature)
                }
                let printed: Vec<String> = printed.lines().map(without_time).collect();
                let shown: Vec<String> = shown.iter().map(|l| without_time(l)).collect();
                assert_eq!(printed, shown, "{chapter}: `{command}` printed something else than the guide shows; update the guide");
            }
        }
        Step::Image(path) => {
            let file = cwd.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, PNG).unwrap();
        }
        Step::Pages(_) => {}
    }
}

#[test]
fn the_guide_examples_build() {
    let steps: Vec<Located> = chapters()
        .iter()
        .flat_map(|path| {
            let chapter = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(path).unwrap();
            steps_of(&chapter, &text)
                .into_iter()
                .map(move |step| Located {
                    chapter: chapter.clone(),
                    step,
                })
        })
        .collect();
    assert!(
        steps.iter().any(|s| matches!(s.step, Step::Commands(_))),
        "the guide runs no command"
    );
    assert!(
        steps.iter().any(|s| matches!(s.step, Step::File { .. })),
        "the guide shows no file"
    );
    let parent = tempfile::tempdir().unwrap();
    let mut cwd = parent.path().to_path_buf();
    for located in &steps {
        take(&located.step, &mut cwd, &located.chapter);
    }
    realist_in(&cwd, &["build", "--deny-warnings"]).assert_ok();
    let missing: Vec<String> = steps
        .iter()
        .filter_map(|s| match &s.step {
            Step::Pages(pages) => Some(pages.iter().map(move |p| (s.chapter.clone(), p.clone()))),
            _ => None,
        })
        .flatten()
        .filter(|(_, page)| !cwd.join(page).is_file())
        .map(|(chapter, page)| format!("{chapter}: {page}"))
        .collect();
    assert!(
        missing.is_empty(),
        "pages the guide promises are missing: {missing:#?}"
    );
}

/// The ids GitHub and GitLab give a Markdown file's headings: lower-case letters, digits, `-`
/// and `_` kept, spaces made `-`, anything else dropped, repeats numbered.
fn heading_anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut heading: Option<String> = None;
    for event in Parser::new(text) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let slug: String = heading
                    .take()
                    .unwrap_or_default()
                    .to_lowercase()
                    .chars()
                    .filter_map(|c| match c {
                        ' ' => Some('-'),
                        c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                        _ => None,
                    })
                    .collect();
                let mut unique = slug.clone();
                let mut n = 0;
                while !anchors.insert(unique.clone()) {
                    n += 1;
                    unique = format!("{slug}-{n}");
                }
            }
            _ => {}
        }
    }
    anchors
}

/// Problems with the relative links of one Markdown file.
fn broken_links(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut problems = Vec::new();
    for event in Parser::new(&text) {
        let (Event::Start(Tag::Link { dest_url, .. }) | Event::Start(Tag::Image { dest_url, .. })) =
            event
        else {
            continue;
        };
        let dest = dest_url.to_string();
        if dest.contains("://") || dest.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = dest
            .split_once('#')
            .map_or((dest.as_str(), None), |(p, a)| (p, Some(a)));
        let target = if path.is_empty() {
            file.to_path_buf()
        } else {
            file.parent().unwrap().join(path)
        };
        if !target.exists() {
            problems.push(format!("{}: `{dest}`: no such file", file.display()));
            continue;
        }
        if let Some(anchor) = anchor.filter(|_| target.extension().is_some_and(|e| e == "md")) {
            let anchors = heading_anchors(&std::fs::read_to_string(&target).unwrap());
            if !anchors.contains(anchor) {
                problems.push(format!(
                    "{}: `{dest}`: no heading with that anchor",
                    file.display()
                ));
            }
        }
    }
    problems
}

#[test]
fn the_guide_links_resolve() {
    let mut files = chapters();
    files.push(repo().join("README.md"));
    files.push(repo().join("CONTRIBUTING.md"));
    let problems: Vec<String> = files.iter().flat_map(|f| broken_links(f)).collect();
    assert!(
        problems.is_empty(),
        "broken links in the guide: {problems:#?}"
    );
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(
        readme.contains("docs/guide/"),
        "README.md links to the guide"
    );
}
