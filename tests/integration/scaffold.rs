//! `realist init` and `realist new`: a skeleton that builds, and new content files from archetypes.

use std::path::Path;

use crate::common::*;

/// `realist init DIR` in a fresh temporary folder; returns the folder and the new site's path.
fn init() -> (tempfile::TempDir, std::path::PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("my-site");
    let run = realist(&["init", dir.to_str().unwrap()]);
    run.assert_ok();
    assert!(run.stdout.contains("created a new site"), "{run:?}");
    (parent, dir)
}

fn build(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["build", "--root", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    realist(&all)
}

fn new(dir: &Path, kind: &str, id: &str) -> Run {
    realist(&["new", kind, id, "--root", dir.to_str().unwrap()])
}

#[test]
fn init_makes_a_site_that_builds_without_warnings() {
    let (_parent, dir) = init();
    for file in [
        "site.yaml",
        "content/studies",
        "content/reports",
        "content/glossary.yaml",
    ] {
        assert!(dir.join(file).exists(), "{file} missing");
    }
    let run = build(&dir, &["--deny-warnings"]);
    run.assert_ok();
    assert!(run.stdout.contains("with 0 warnings"), "{run:?}");
    assert!(run.stderr.is_empty(), "{run:?}");
    let out = dir.join("public");
    // The skeleton's own report is published, not a draft.
    let reports = tree(&out.join("reports"));
    assert!(
        reports
            .keys()
            .any(|k| k.ends_with("/index.html") && k != "index.html"),
        "{:?}",
        reports.keys()
    );
    for page in [
        "index.html",
        "404.html",
        "accessibility/index.html",
        "sitemap.xml",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    // `check` agrees.
    realist(&["check", "--root", dir.to_str().unwrap()]).assert_ok();
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let (_parent, dir) = init();
    let before = tree(&dir);
    let run = realist(&["init", dir.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not empty"), "{run:?}");
    assert_eq!(tree(&dir), before);
}

/// Every kind `realist new` makes, with its content folder.
const KINDS: [(&str, &str); 8] = [
    ("report", "reports"),
    ("cmo", "cmos"),
    ("tracer", "tracers"),
    ("area", "areas"),
    ("study", "studies"),
    ("theory", "theories"),
    ("page", "pages"),
    ("source", "sources"),
];

#[test]
fn new_creates_each_kind_in_its_folder() {
    let (_parent, dir) = init();
    for (kind, folder) in KINDS {
        let id = format!("new-{kind}");
        let run = new(&dir, kind, &id);
        run.assert_ok();
        let rel = format!("content/{folder}/{id}.md");
        assert!(run.stdout.contains(&rel), "{run:?}");
        let text = std::fs::read_to_string(dir.join(&rel)).unwrap();
        assert!(text.starts_with("---\n"), "{rel}:\n{text}");
        assert!(
            !text.contains("{{"),
            "unfilled placeholder in {rel}:\n{text}"
        );
        if kind == "cmo" {
            assert!(text.contains(&format!("id: {id} ")), "{text}");
        }
    }
    // Everything but the report is published as it is; the report is a draft. Both builds are
    // free of warnings.
    let run = build(&dir, &["--deny-warnings"]);
    run.assert_ok();
    let out = dir.join("public");
    for page in [
        "tracers/new-tracer/index.html",
        "theories/new-theory/index.html",
        "cmos/new-cmo/index.html",
        "sources/new-source/index.html",
        "sources/index.html",
        "areas/new-area/index.html",
        "studies/new-study/index.html",
        "new-page/index.html",
    ] {
        assert!(out.join(page).is_file(), "{page}");
    }
    assert!(!out.join("reports/new-report/index.html").exists());
    build(&dir, &["--drafts", "--deny-warnings"]).assert_ok();
    assert!(out.join("reports/new-report/index.html").is_file());
    assert!(out.join("cmos/new-report-cmo-1/index.html").is_file());
}

#[test]
fn new_finds_the_site_from_a_folder_inside_it() {
    let (_parent, dir) = init();
    let inside = dir.join("content/reports");
    let run = realist_in(&inside, &["new", "report", "from-inside"]);
    run.assert_ok();
    assert!(dir.join("content/reports/from-inside.md").is_file());
    assert!(!inside.join("content").exists(), "wrote below the folder");
    // The message names the file, so the author can open it.
    assert!(
        run.stdout.contains(
            &dir.join("content/reports/from-inside.md")
                .display()
                .to_string()
        ),
        "{run:?}"
    );
    // From the site's own folder, the path is relative to it.
    let run = realist_in(&dir, &["new", "tracer", "from-root"]);
    run.assert_ok();
    assert_eq!(run.stdout.trim(), "created content/tracers/from-root.md");
    // `--root` wins over the folder the command is run in.
    let (_other_parent, other) = init();
    realist_in(
        &inside,
        &[
            "new",
            "area",
            "elsewhere",
            "--root",
            other.to_str().unwrap(),
        ],
    )
    .assert_ok();
    assert!(other.join("content/areas/elsewhere.md").is_file());
    assert!(!dir.join("content/areas/elsewhere.md").exists());
}

#[test]
fn new_refuses_outside_a_site_and_writes_nothing() {
    let outside = tempfile::tempdir().unwrap();
    // The test means nothing if a folder above the temporary one happens to be a site.
    if outside
        .path()
        .ancestors()
        .any(|a| a.join("site.yaml").exists())
    {
        return;
    }
    let run = realist_in(outside.path(), &["new", "report", "x"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("error: not inside a site"), "{run:?}");
    assert!(run.stderr.contains("realist init"), "{run:?}");
    assert!(tree(outside.path()).is_empty(), "wrote outside a site");
    // A `--root` that is not a site is refused the same way.
    let run = realist(&[
        "new",
        "report",
        "x",
        "--root",
        outside.path().to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is not a site"), "{run:?}");
    assert!(tree(outside.path()).is_empty(), "wrote outside a site");
}

#[test]
fn new_titles_keep_acronyms() {
    let (_parent, dir) = init();
    new(&dir, "report", "ccg-merger").assert_ok();
    let text = std::fs::read_to_string(dir.join("content/reports/ccg-merger.md")).unwrap();
    assert!(text.contains("title: \"CCG merger\""), "{text}");
    // The site's glossary spells its own acronyms (init's glossary has `CMO`).
    new(&dir, "page", "cmo-guide").assert_ok();
    let text = std::fs::read_to_string(dir.join("content/pages/cmo-guide.md")).unwrap();
    assert!(text.contains("title: \"CMO guide\""), "{text}");
}

#[test]
fn new_refuses_a_page_id_the_site_takes() {
    let (_parent, dir) = init();
    let before = tree(&dir);
    let run = new(&dir, "page", "glossary");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("cannot be a page id"), "{run:?}");
    assert_eq!(tree(&dir), before);
}

#[test]
fn new_refuses_a_cmo_id_a_report_gives_an_inline_cmo() {
    let (_parent, dir) = init();
    let report = std::fs::read_to_string(dir.join("content/reports/first-report.md")).unwrap();
    let line = report
        .lines()
        .position(|l| l.contains("- id: first-report-cmo-1"))
        .expect("the skeleton's report has an inline CMO")
        + 1;
    let before = tree(&dir);
    let run = new(&dir, "cmo", "first-report-cmo-1");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(&format!(
            "`cmo/first-report-cmo-1` already exists: it is written inline in content/reports/first-report.md on line {line}"
        )),
        "{run:?}"
    );
    assert_eq!(tree(&dir), before);
    new(&dir, "cmo", "another-cmo").assert_ok();
}

/// Removes the `# ` in front of every commented-out field of a front matter, as an author
/// uncommenting them would (prose comments, which start with a capital, stay).
fn uncomment(text: &str) -> String {
    let mut out = String::new();
    let mut in_front = 0;
    for line in text.lines() {
        if line == "---" {
            in_front += 1;
        }
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let field = trimmed.strip_prefix("# ").filter(|rest| {
            rest.starts_with("- ")
                || rest.starts_with("  ")
                || rest.split_once(':').is_some_and(|(key, _)| {
                    !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                })
        });
        match field {
            Some(rest) if in_front == 1 => out.push_str(&format!("{indent}{rest}\n")),
            _ => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

#[test]
fn every_commented_out_field_of_the_archetypes_is_valid() {
    let (_parent, dir) = init();
    // What the archetypes' examples name.
    for (kind, id) in [
        ("cmo", "another-cmo"),
        ("source", "a-book"),
        ("report", "another-report"),
    ] {
        new(&dir, kind, id).assert_ok();
    }
    for (kind, folder) in KINDS {
        let id = format!("full-{kind}");
        new(&dir, kind, &id).assert_ok();
        let path = dir.join(format!("content/{folder}/{id}.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, uncomment(&text)).unwrap();
    }
    let cmo = std::fs::read_to_string(dir.join("content/cmos/full-cmo.md")).unwrap();
    for field in ["chain:", "refines:", "evidence:", "confidence:", "sources:"] {
        assert!(
            cmo.contains(&format!("\n{field}")) || cmo.contains(&format!(" {field}")),
            "{cmo}"
        );
    }
    assert!(!cmo.contains("# chain"), "{cmo}");
    let run = build(&dir, &["--drafts"]);
    run.assert_ok();
    assert!(dir.join("public/cmos/full-cmo/index.html").is_file());
}

#[test]
fn init_gives_the_site_archetypes_that_new_prefers() {
    let (_parent, dir) = init();
    for (kind, _) in KINDS {
        assert!(
            dir.join(format!("archetypes/{kind}.md")).is_file(),
            "{kind}"
        );
    }
    std::fs::write(
        dir.join("archetypes/tracer.md"),
        "---\ntitle: \"{{title}}\"\nkind: condition\n---\nOur own tracer archetype.\n",
    )
    .unwrap();
    new(&dir, "tracer", "own").assert_ok();
    let text = std::fs::read_to_string(dir.join("content/tracers/own.md")).unwrap();
    assert!(text.contains("Our own tracer archetype."), "{text}");
    build(&dir, &["--deny-warnings"]).assert_ok();
}

#[test]
fn init_writes_a_complete_accessibility_statement() {
    let (_parent, dir) = init();
    let text = std::fs::read_to_string(dir.join("content/pages/accessibility.md")).unwrap();
    // The sections of the built-in statement, and those of the form UK public-sector sites use.
    for id in [
        "how-accessible",
        "reporting-problems",
        "enforcement",
        "feedback",
        "technical-information",
        "compliance-status",
        "non-accessible-content",
        "preparation",
    ] {
        assert!(text.contains(&format!("{{#{id}}}")), "no #{id}:\n{text}");
    }
    assert!(text.contains("WCAG) 2.2"), "{text}");
    assert!(
        text.contains("mailto:research-team@example.ac.uk"),
        "{text}"
    );
    assert!(!text.contains("{{"), "{text}");
    build(&dir, &["--deny-warnings"]).assert_ok();
    let html = std::fs::read_to_string(dir.join("public/accessibility/index.html")).unwrap();
    assert!(has_id(&html, "enforcement"), "{}", main_of(&html));
}

#[test]
fn a_new_report_appears_when_built_with_drafts() {
    let (_parent, dir) = init();
    new(&dir, "report", "dementia-area-2").assert_ok();
    let text = std::fs::read_to_string(dir.join("content/reports/dementia-area-2.md")).unwrap();
    assert!(text.contains("status: draft"), "{text}");
    assert!(text.contains("title: \"Dementia area 2\""), "{text}");

    build(&dir, &[]).assert_ok();
    assert!(!dir.join("public/reports/dementia-area-2").exists());

    let run = build(&dir, &["--drafts", "--deny-warnings"]);
    run.assert_ok();
    let html =
        std::fs::read_to_string(dir.join("public/reports/dementia-area-2/index.html")).unwrap();
    assert!(
        html.contains("<h1 id=\"page-title\">Dementia area 2</h1>"),
        "{}",
        main_of(&html)
    );
    // The archetype's sections are there, with their ids.
    for id in ["methods", "findings", "discussion"] {
        assert!(has_id(&html, id), "no #{id}");
    }
}

#[test]
fn new_refuses_to_overwrite() {
    let (_parent, dir) = init();
    new(&dir, "tracer", "dementia").assert_ok();
    let path = dir.join("content/tracers/dementia.md");
    std::fs::write(&path, "my own words").unwrap();
    let run = new(&dir, "tracer", "dementia");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("error: content/tracers/dementia.md already exists"),
        "{run:?}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my own words");
}

#[test]
fn new_rejects_bad_ids() {
    let (_parent, dir) = init();
    let before = tree(&dir);
    for id in ["Bad_Id", "_leading", "has space", "ümlaut", "a/b", ""] {
        let run = new(&dir, "report", id);
        assert_eq!(run.code, 2, "{id:?}: {run:?}");
        assert!(run.stderr.contains("is not a valid id"), "{id:?}: {run:?}");
    }
    assert_eq!(tree(&dir), before, "a rejected id wrote something");
}

#[test]
fn new_rejects_unknown_kinds() {
    let (_parent, dir) = init();
    let before = tree(&dir);
    let run = new(&dir, "reprt", "x");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("cannot make a `reprt`"), "{run:?}");
    assert!(run.stderr.contains("did you mean `report`?"), "{run:?}");
    let run = new(&dir, "theme", "x");
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(tree(&dir), before);
}

#[test]
fn new_references_entities_that_exist() {
    // In the minimal site (not made by init), a new report points at its study, tracer and area.
    let site = Site::minimal();
    let run = realist(&[
        "new",
        "report",
        "r2",
        "--root",
        site.root().to_str().unwrap(),
    ]);
    run.assert_ok();
    let text = site.source("content/reports/r2.md");
    assert!(text.contains("\nstudy: study/s "), "{text}");
    assert!(text.contains("\ntracer: tracer/tr "), "{text}");
    assert!(text.contains("area/a1"), "{text}");
    site.build_ok(&["--drafts", "--deny-warnings"]);
    assert!(site.exists("reports/r2/index.html"));
}

#[test]
fn new_never_writes_through_a_link_or_outside_the_site() {
    for (kind, folder) in [
        ("report", "reports"),
        ("tracer", "tracers"),
        ("cmo", "cmos"),
        ("theory", "theories"),
    ] {
        // A broken link where the new file goes, a link to a file outside, a content folder that
        // links outside, and `content/` itself linking outside.
        for case in ["dangling", "file", "folder", "content"] {
            let (_parent, dir) = init();
            let outside = tempfile::tempdir().unwrap();
            let target = outside.path().join("pwned.md");
            let rel = format!("content/{folder}/zz.md");
            match case {
                "dangling" => symlink(&target, &dir.join(&rel)),
                "file" => {
                    std::fs::write(&target, "theirs").unwrap();
                    symlink(&target, &dir.join(&rel));
                }
                "folder" => {
                    std::fs::remove_dir_all(dir.join("content").join(folder)).ok();
                    symlink(outside.path(), &dir.join("content").join(folder));
                }
                _ => {
                    let moved = outside.path().join("content");
                    std::fs::rename(dir.join("content"), &moved).unwrap();
                    symlink(&moved, &dir.join("content"));
                }
            }
            let before = tree(outside.path());
            let run = new(&dir, kind, "zz");
            assert_eq!(run.code, 1, "{kind} {case}: {run:?}");
            assert!(run.stderr.starts_with("error: "), "{kind} {case}: {run:?}");
            assert!(
                run.stderr.contains("link"),
                "{kind} {case}: the refusal does not say why\n{run:?}"
            );
            assert_eq!(tree(outside.path()), before, "{kind} {case}: wrote outside");
            assert!(!target.exists() || case == "file", "{kind} {case}");
        }
    }
}

#[test]
fn new_follows_a_link_to_a_folder_inside_the_site() {
    let (_parent, dir) = init();
    std::fs::create_dir_all(dir.join("content/shared")).unwrap();
    std::fs::remove_dir_all(dir.join("content/cmos")).ok();
    symlink(Path::new("shared"), &dir.join("content/cmos"));
    new(&dir, "cmo", "c9").assert_ok();
    assert!(dir.join("content/shared/c9.md").is_file());
}

#[test]
fn new_refuses_a_file_where_its_folder_is_expected() {
    let (_parent, dir) = init();
    std::fs::remove_dir_all(dir.join("content/tracers")).ok();
    std::fs::write(dir.join("content/tracers"), "a file").unwrap();
    let run = new(&dir, "tracer", "t9");
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("where a folder is expected"), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("content/tracers")).unwrap(),
        "a file"
    );
}

#[test]
fn init_never_writes_through_a_link() {
    let parent = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let empty = outside.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    for (name, target) in [
        ("to-empty", empty.clone()),
        ("dangling", outside.path().join("missing")),
    ] {
        let dir = parent.path().join(name);
        symlink(&target, &dir);
        let run = realist(&["init", dir.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{name}: {run:?}");
        assert!(run.stderr.contains("symbolic link"), "{name}: {run:?}");
    }
    assert!(tree(outside.path()).is_empty(), "init wrote outside");
    assert!(!outside.path().join("missing").exists());
    // A file where the new site's folder would be is refused too, and left alone.
    let file = parent.path().join("file");
    std::fs::write(&file, "mine").unwrap();
    let run = realist(&["init", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
}

/// Every field of a kind's front matter, nested ones included, is shown in its archetype (set or
/// commented out), so that a field added to the schema is added to the archetypes too. The match
/// has no wildcard: a new kind does not compile here until its fields are named.
#[test]
fn the_archetypes_show_every_field() {
    use realist::model as s;
    let cmo = [
        fields_of::<s::Cmo>(),
        fields_of::<s::ContextItem>(),
        fields_of::<s::Mechanism>(),
        fields_of::<s::Outcome>(),
        fields_of::<s::Chain>(),
        fields_of::<s::Evidence>(),
        fields_of::<s::Confidence>(),
    ]
    .concat();
    for kind in s::Kind::ALL {
        let fields: Vec<&str> = match kind {
            s::Kind::Study => [
                fields_of::<s::Study>(),
                fields_of::<s::Period>(),
                fields_of::<s::Ethics>(),
            ]
            .concat(),
            s::Kind::Report => [
                fields_of::<s::Report>(),
                fields_of::<s::Author>(),
                fields_of::<s::Funding>(),
                fields_of::<s::Ethics>(),
                // The inline CMO's own `type:` is optional and always `cmo`: not shown there.
                cmo.iter().copied().filter(|f| *f != "type").collect(),
            ]
            .concat(),
            s::Kind::Tracer => fields_of::<s::Tracer>(),
            s::Kind::Area => fields_of::<s::Area>(),
            s::Kind::Theory => [
                fields_of::<s::ProgrammeTheory>(),
                fields_of::<s::Statement>(),
                fields_of::<s::Refinement>(),
            ]
            .concat(),
            s::Kind::Cmo => cmo.clone(),
            s::Kind::Page => fields_of::<s::FreePage>(),
            s::Kind::Theme => continue,
            s::Kind::Source => [fields_of::<s::Source>(), vec!["name"]].concat(),
            s::Kind::Pattern => [fields_of::<s::Pattern>(), fields_of::<s::Instance>()].concat(),
        };
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("themes/default/archetypes/{}.md", kind.name()));
        let text = std::fs::read_to_string(&path).unwrap();
        let front = text.split("\n---\n").next().unwrap();
        for field in fields {
            // `field:` as a key: at the start of a word, in a block or a flow mapping.
            let key = format!("{field}:");
            let shown = front.match_indices(&key).any(|(at, _)| {
                front[..at]
                    .chars()
                    .next_back()
                    .is_none_or(|c| matches!(c, ' ' | '{' | '\n'))
            });
            assert!(shown, "{}: `{field}` is not shown", path.display());
        }
    }
}
