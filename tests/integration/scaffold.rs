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

#[test]
fn new_creates_each_kind_in_its_folder() {
    let (_parent, dir) = init();
    for (kind, folder) in [
        ("report", "reports"),
        ("tracer", "tracers"),
        ("cmo", "cmos"),
        ("theory", "theories"),
        ("source", "sources"),
    ] {
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
            assert!(text.contains(&format!("id: {id}\n")), "{text}");
        }
    }
    // The new tracer, theory, CMO and source are published as they are; the report is a draft.
    let run = build(&dir, &[]);
    run.assert_ok();
    let out = dir.join("public");
    assert!(out.join("tracers/new-tracer/index.html").is_file());
    assert!(out.join("theories/new-theory/index.html").is_file());
    assert!(out.join("cmos/new-cmo/index.html").is_file());
    assert!(out.join("sources/new-source/index.html").is_file());
    assert!(out.join("sources/index.html").is_file());
    assert!(!out.join("reports/new-report/index.html").exists());
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
    let run = new(&dir, "study", "x");
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
    assert!(text.contains("study: study/s\n"), "{text}");
    assert!(text.contains("tracer: tracer/tr\n"), "{text}");
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
