//! Safety: the output folder. A build never deletes what realist did not write, leaves the output
//! entirely old or entirely new even when killed, cleans up after killed builds, refuses an output
//! inside its own inputs, and names the output folder when it cannot be written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::common::{self, minimal_files, tree, Run, Site};

const MANIFEST: &str = ".realist-manifest";

/// Runs `realist build --root ROOT --out OUT` and returns what it did.
fn build_into(site: &Site, out: &Path) -> Run {
    site.build(&["--out", out.to_str().unwrap()])
}

/// The names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Asserts that nothing but `keep` is beside the output in `parent`: no staging folder is left.
fn assert_nothing_beside(parent: &Path, keep: &[&str]) {
    let stray: Vec<String> = names(parent)
        .into_iter()
        .filter(|n| !keep.contains(&n.as_str()))
        .collect();
    let held: Vec<(&String, Vec<String>)> = stray
        .iter()
        .map(|n| (n, names(&parent.join(n)).into_iter().take(6).collect()))
        .collect();
    assert!(
        stray.is_empty(),
        "left beside the output (with some of what they hold): {held:?}"
    );
}

/// Writes `contents` at `rel` under `dir`, creating folders.
fn put(dir: &Path, rel: &str, contents: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

/// Files a user keeps in a published folder: a gh-pages `.git`, `CNAME`, `.nojekyll`, another
/// document, and dot-files inside folders realist writes to.
const USER_FILES: &[(&str, &str)] = &[
    (".git/HEAD", "ref: refs/heads/gh-pages\n"),
    (".git/config", "[core]\n"),
    (".git/objects/ab/cdef", "object"),
    (".git/refs/heads/gh-pages", "0123\n"),
    ("CNAME", "research.example.org\n"),
    (".nojekyll", ""),
    ("docs/thesis.docx", "PK thesis"),
    ("reports/.htaccess", "deny from all\n"),
    ("static/.well-known/security.txt", "Contact: x\n"),
    ("about/notes.txt", "kept beside a page that goes away"),
];

/// Asserts every user file is in `out` with its contents, and the user's link and empty folder.
fn assert_user_files(out: &Path, when: &str) {
    for (rel, text) in USER_FILES {
        let got = std::fs::read_to_string(out.join(rel));
        assert_eq!(got.ok().as_deref(), Some(*text), "{rel} {when}");
    }
    let link = std::fs::read_link(out.join("latest")).ok();
    assert_eq!(link, Some(PathBuf::from("docs/thesis.docx")), "link {when}");
    assert!(out.join("empty/folder").is_dir(), "empty folder {when}");
}

#[test]
fn files_realist_did_not_write_survive_every_kind_of_rebuild() {
    let site = Site::rich();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    build_into(&site, &out).assert_ok();
    for (rel, text) in USER_FILES {
        put(&out, rel, text);
    }
    std::os::unix::fs::symlink("docs/thesis.docx", out.join("latest")).unwrap();
    std::fs::create_dir_all(out.join("empty/folder")).unwrap();

    build_into(&site, &out).assert_ok();
    assert_user_files(&out, "after an unchanged rebuild");

    site.edit("content/reports/r1.md", "The CCG met twice.", "Met once.");
    build_into(&site, &out).assert_ok();
    assert_user_files(&out, "after a page changed");
    assert!(common::read_output(&out, "reports/r1/index.html").contains("Met once."));

    // Pages disappear: their files go, the user's files in their folders stay.
    site.remove("content/pages/about.md");
    site.edit("site.yaml", "title: \"T\"", "title: \"T2\"");
    build_into(&site, &out).assert_ok();
    assert_user_files(&out, "after pages disappeared");
    assert!(!out.join("about/index.html").exists(), "a gone page stays");
    assert_nothing_beside(parent.path(), &["public"]);

    // The manifest names what realist wrote, and nothing of the user's.
    let manifest = std::fs::read_to_string(out.join(MANIFEST)).unwrap();
    assert!(manifest.lines().any(|l| l == "reports/r1/index.html"));
    for (rel, _) in USER_FILES {
        assert!(
            !manifest.lines().any(|l| l == *rel),
            "{rel} in the manifest"
        );
    }
}

#[test]
fn a_fresh_clone_that_holds_only_git_is_built_into_and_it_is_kept() {
    for dots in [
        &[".git/HEAD"][..],
        &[".git/HEAD", ".git/refs/heads/gh-pages"],
    ] {
        let site = Site::minimal();
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("gh-pages");
        for rel in dots {
            put(&out, rel, "mine");
        }
        build_into(&site, &out).assert_ok();
        build_into(&site, &out).assert_ok();
        for rel in dots {
            assert_eq!(std::fs::read_to_string(out.join(rel)).unwrap(), "mine");
        }
        assert!(out.join("index.html").is_file());
    }
}

#[test]
fn a_folder_with_files_and_no_manifest_is_refused_and_untouched() {
    let layouts: [&[(&str, &str)]; 7] = [
        &[("notes/keep.txt", "mine")],
        // A home folder holds only dot-entries.
        &[(".ssh/id_ed25519", "KEY"), (".bashrc", "PS1=x")],
        &[(".git/HEAD", "x"), (".nojekyll", "")],
        &[(".profile", "")],
        // What an older realist built: looks like a site, but has no manifest.
        &[("index.html", "<p>old"), ("sitemap.xml", "<urlset/>")],
        &[("CNAME", "example.org")],
        &[(".git/HEAD", "x"), ("thesis.docx", "PK")],
    ];
    for files in layouts {
        let site = Site::minimal();
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("documents");
        for (rel, text) in files {
            put(&out, rel, text);
        }
        let before = tree(&out);
        let run = build_into(&site, &out);
        assert_eq!(run.code, 2, "{files:?}: {run:?}");
        let d = run.error("no .realist-manifest");
        assert!(
            d.help.unwrap_or_default().contains("empty folder"),
            "{run:?}"
        );
        assert!(!run.stdout.contains("Built"), "{run:?}");
        assert_eq!(tree(&out), before, "{files:?}: the folder changed");
        assert_nothing_beside(parent.path(), &["documents"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Killed builds.
// ---------------------------------------------------------------------------------------------

/// The minimal site with `n` more reports, whose titles carry `tag`.
fn many_reports(n: usize, tag: &str) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = minimal_files()
        .into_iter()
        .map(|(p, t)| (p.to_string(), t))
        .collect();
    for i in 0..n {
        let body = format!("## Part {i}\n\nText of report {i}, {tag}.\n");
        let report = common::commissioning_report(&format!("R{i} {tag}"), "published", &body);
        files.push((format!("content/reports/x{i}.md"), report));
    }
    files
}

/// Starts `realist build` of `root` into `out` without waiting for it.
fn spawn_build(root: &Path, out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(["build", "--root", root.to_str().unwrap(), "--out"])
        .arg(out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Which paths of the output `now` differ from the old site and from the new one (a few of each).
fn mixture(
    now: &BTreeMap<String, Vec<u8>>,
    old: &BTreeMap<String, Vec<u8>>,
    new: &BTreeMap<String, Vec<u8>>,
) -> String {
    let differ = |site: &BTreeMap<String, Vec<u8>>| {
        let paths: BTreeSet<&String> = now.keys().chain(site.keys()).collect();
        let odd: Vec<&String> = paths
            .into_iter()
            .filter(|p| now.get(*p) != site.get(*p))
            .collect();
        let shown: Vec<&str> = odd.iter().take(5).map(|p| p.as_str()).collect();
        format!("{} paths, such as {shown:?}", odd.len())
    };
    format!(
        "from the old site: {}; from the new: {}",
        differ(old),
        differ(new)
    )
}

/// Copies the folder `from` to `to` (which must not exist), keeping the user's link.
fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp").arg("-a").arg(from).arg(to).status();
    assert!(status.unwrap().success(), "cp -a failed");
}

#[test]
fn a_rebuild_killed_at_any_moment_leaves_the_old_site_or_the_new_one() {
    let work = tempfile::tempdir().unwrap();
    let old_site = Site::from_files(&many_reports(300, "old"));
    // The new site changes every page (the title), and drops and adds reports.
    let mut new_files = many_reports(320, "new");
    new_files.retain(|(p, _)| !p.ends_with("/x7.md") && !p.ends_with("/x8.md"));
    let new_site = Site::from_files(&new_files);
    new_site.edit("site.yaml", "title: \"T\"", "title: \"T new\"");

    let pristine = work.path().join("pristine");
    build_into(&old_site, &pristine).assert_ok();
    put(&pristine, ".git/HEAD", "mine");
    put(&pristine, "CNAME", "example.org");
    let old = tree(&pristine);
    let finished = work.path().join("finished");
    copy_tree(&pristine, &finished);
    build_into(&new_site, &finished).assert_ok();
    let new = tree(&finished);
    assert_ne!(old, new);

    let parent = work.path().join("deploy");
    std::fs::create_dir_all(&parent).unwrap();
    let out = parent.join("public");
    // How long the rebuild takes here, as the rounds below run it.
    let mut run_time = Duration::ZERO;
    for _ in 0..2 {
        let _ = std::fs::remove_dir_all(&out);
        copy_tree(&pristine, &out);
        let started = Instant::now();
        assert!(spawn_build(new_site.root(), &out).wait().unwrap().success());
        run_time = run_time.max(started.elapsed());
    }
    let rounds = 15u32;
    let (mut saw_old, mut saw_new) = (0, 0);
    for round in 0..rounds {
        let _ = std::fs::remove_dir_all(&out);
        copy_tree(&pristine, &out);
        // Spread over the whole run and a little beyond, with some jitter inside each slice.
        let jitter = (std::process::id() as u64 * 7919 + round as u64 * 104_729) % 1000;
        let slice = run_time.mul_f64(1.3) / rounds;
        let delay = slice * round + slice.mul_f64(jitter as f64 / 1000.0);
        let mut child = spawn_build(new_site.root(), &out);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let now = tree(&out);
        assert!(
            now == old || now == new,
            "round {round}, killed after {delay:?}: the output is a mixture; {}",
            mixture(&now, &old, &new)
        );
        saw_old += usize::from(now == old);
        saw_new += usize::from(now == new);
    }
    assert!(saw_old > 0, "every kill came too late to test anything");

    // The next build finishes the job and leaves nothing beside the output.
    build_into(&new_site, &out).assert_ok();
    assert_eq!(tree(&out), new);
    assert_nothing_beside(&parent, &["public"]);
    eprintln!("kills: {saw_old} old, {saw_new} new, run {run_time:?}");
}

// ---------------------------------------------------------------------------------------------
// Leftovers of other builds.
// ---------------------------------------------------------------------------------------------

/// The id of a process that has ended.
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[test]
fn staging_folders_of_dead_builds_are_removed_and_those_of_running_builds_kept() {
    let mut alive = Command::new("sleep").arg("60").spawn().unwrap();
    for existing_output in [false, true] {
        let site = Site::minimal();
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("site");
        if existing_output {
            build_into(&site, &out).assert_ok();
        }
        let dead = [dead_pid(), dead_pid()];
        let stale = [
            format!(".site.building-{}", dead[0]),
            format!(".site.building-{}", dead[1]),
        ];
        for name in &stale {
            let dir = parent.path().join(name);
            put(&dir, "reports/r1/index.html", "half a site");
            put(&dir, ".realist-staging", "");
        }
        // The user's own folder that only has a staging folder's name.
        let users = format!(".site.building-{}", dead_pid());
        put(&parent.path().join(&users), "thesis.docx", "PK mine");
        let running = format!(".site.building-{}", alive.id());
        put(&parent.path().join(&running), "index.html", "busy");
        put(&parent.path().join(&running), ".realist-staging", "");
        let other = ".other.building-1";
        put(&parent.path().join(other), "x", "another output's");

        build_into(&site, &out).assert_ok();
        let mut expected = vec![running.clone(), other.to_string(), "site".to_string()];
        expected.push(users.clone());
        expected.sort();
        assert_eq!(
            names(parent.path()),
            expected,
            "output existed: {existing_output}"
        );
    }
    let _ = alive.kill();
    let _ = alive.wait();
}

#[test]
fn an_output_set_aside_by_a_killed_build_is_put_back() {
    let site = Site::minimal();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("site");
    build_into(&site, &out).assert_ok();
    put(&out, "CNAME", "example.org");
    let aside = parent
        .path()
        .join(format!(".site.building-{}.old", dead_pid()));
    std::fs::rename(&out, &aside).unwrap();
    put(&aside, ".realist-staging", "");
    build_into(&site, &out).assert_ok();
    assert!(
        !out.join(".realist-staging").exists(),
        "the marker is in the output"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("CNAME")).unwrap(),
        "example.org"
    );
    assert_nothing_beside(parent.path(), &["site"]);
}

// ---------------------------------------------------------------------------------------------
// Where the output may be.
// ---------------------------------------------------------------------------------------------

/// The minimal site with its own copy of the default theme, named `mine`, and a static file.
fn site_with_theme() -> Site {
    let site = Site::minimal();
    site.edit("site.yaml", "title:", "theme: mine\ntitle:");
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    std::fs::create_dir_all(site.path("themes")).unwrap();
    copy_tree(&theme, &site.path("themes/mine"));
    site.write("static/logo.svg", "<svg/>");
    std::fs::create_dir_all(site.path("templates")).unwrap();
    site
}

#[test]
fn an_output_inside_the_sites_inputs_is_refused_before_anything_is_written() {
    let site = site_with_theme();
    let outside = tempfile::tempdir().unwrap();
    let link = outside.path().join("link");
    std::os::unix::fs::symlink(site.path("content"), &link).unwrap();
    let root = site.root().to_str().unwrap().to_string();
    let cases: Vec<(String, &str)> = vec![
        (format!("{root}/content/public"), "content/"),
        (format!("{root}/content/reports/deep/er"), "content/"),
        (format!("{root}/content"), "content/"),
        (format!("{root}/static/out"), "static/"),
        (format!("{root}/templates/out"), "templates/"),
        (format!("{root}/themes/mine/static/out"), "theme"),
        (format!("{root}/themes/mine"), "theme"),
        (format!("{root}/nothing/../content/x"), "content/"),
        (format!("{}/out", link.display()), "content/"),
        (root.clone(), "contains it"),
        (format!("{root}/."), "contains it"),
        (
            site.root().parent().unwrap().display().to_string(),
            "contains it",
        ),
    ];
    let before = tree(site.root());
    for (out, says) in cases {
        let run = site.build(&["--out", &out]);
        assert_eq!(run.code, 2, "--out {out}: {run:?}");
        let d = run.error("cannot use this output folder");
        assert!(d.message.contains(says), "--out {out}: {d:?}");
        assert_eq!(tree(site.root()), before, "--out {out} wrote into the site");
        assert_eq!(names(outside.path()), ["link"]);
    }
    // Beside the inputs is fine.
    site.build_ok(&["--out", &format!("{root}/public")]);
    site.build_ok(&["--out", &format!("{root}/themes-out")]);
}

// ---------------------------------------------------------------------------------------------
// An output that cannot be written.
// ---------------------------------------------------------------------------------------------

/// Asserts a failed build says it cannot write the output folder `out`, as an output folder
/// (no line and column), with exit code 2.
fn assert_names_the_output(run: &Run, out: &str) {
    assert_eq!(run.code, 2, "{run:?}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    let d = &errors[0];
    assert!(
        d.message.contains("the output folder") && d.message.contains(out),
        "{d:?}"
    );
    assert_eq!(d.location, out, "{run:?}");
    assert!(!run.stdout.contains("Built"), "{run:?}");
}

#[test]
fn an_output_folder_that_cannot_be_created_is_named_as_the_output() {
    let site = Site::minimal();
    let parent = tempfile::tempdir().unwrap();
    std::fs::write(parent.path().join("a-file"), "x").unwrap();
    for out in [
        parent.path().join("a-file/public"),
        parent.path().join("a-file/deeper/public"),
        PathBuf::from("/proc/self/no-such/public"),
        PathBuf::from("/proc/version/public"),
    ] {
        let shown = out.to_str().unwrap();
        let run = build_into(&site, &out);
        assert_names_the_output(&run, shown);
        assert!(run.errors()[0].message.contains("cannot write"), "{run:?}");
    }
    // An output path that is a file is refused as such.
    let run = build_into(&site, &parent.path().join("a-file"));
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        std::fs::read_to_string(parent.path().join("a-file")).unwrap(),
        "x"
    );
}

/// Runs `realist build` with files limited to `limit` bytes, as on a full disk. SIGXFSZ is left
/// as it is: realist itself must ignore it, so a write past the limit fails with "file too large"
/// instead of killing the process.
fn build_with_file_size_limit(site: &Site, out: &Path, limit: u64) -> Run {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_realist"));
    command.args(["build", "--root", site.root().to_str().unwrap(), "--out"]);
    command.arg(out);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_DFL);
            let rlimit = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            match libc::setrlimit(libc::RLIMIT_FSIZE, &rlimit) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    let output = command.output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[test]
fn a_full_disk_fails_with_exit_2_naming_the_output_and_keeps_the_previous_site() {
    // Half the largest page: most files are written, and then one fails.
    for (limit, existing) in [(Some(1500), false), (Some(1500), true), (None, true)] {
        let site = Site::rich();
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("public");
        if existing {
            build_into(&site, &out).assert_ok();
            site.edit(
                "site.yaml",
                "title: \"T\"",
                "title: \"A much longer title\"",
            );
        }
        let before: BTreeMap<String, Vec<u8>> = tree(&out);
        // The largest page: static files that did not change may be linked, not written.
        let largest = before
            .iter()
            .filter(|(path, _)| path.ends_with(".html"))
            .map(|(_, bytes)| bytes.len())
            .max()
            .unwrap_or(3000);
        let limit = limit.unwrap_or(largest as u64 / 2);
        let run = build_with_file_size_limit(&site, &out, limit);
        assert_names_the_output(&run, out.to_str().unwrap());
        assert!(run.stderr.contains("too large"), "{run:?}");
        assert_eq!(tree(&out), before, "limit {limit}: the output changed");
        let keep: &[&str] = if existing { &["public"] } else { &[] };
        assert_nothing_beside(parent.path(), keep);
    }
}

// ---------------------------------------------------------------------------------------------
// Large static files.
// ---------------------------------------------------------------------------------------------

/// Runs `realist build --timings` of `site` into `out` and returns its exit code and the peak
/// resident memory it reports (VmHWM, in MiB). Not the `wait4` figure: Linux charges a child
/// with its parent's peak at exec, and other tests in this process build large bodies.
fn build_peak_mib(site: &Site, out: &Path) -> (i32, f64) {
    let run = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args([
            "build",
            "--timings",
            "--root",
            site.root().to_str().unwrap(),
            "--out",
        ])
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    let peaks = stderr.lines().filter_map(|line| {
        let before = line.strip_suffix("MiB peak")?.trim_end();
        before
            .rsplit(|c: char| c.is_whitespace() || c == ',')
            .next()?
            .parse::<f64>()
            .ok()
    });
    let peak = peaks.fold(0.0, f64::max);
    assert!(
        peak > 0.0 || !run.status.success(),
        "no peak in --timings: {stderr}"
    );
    (run.status.code().unwrap_or(-1), peak)
}

/// Sets the last byte of the file at `path` to `byte`.
fn set_last_byte(path: &Path, byte: u8) {
    use std::io::{Seek, SeekFrom, Write};
    let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.seek(SeekFrom::End(-1)).unwrap();
    file.write_all(&[byte]).unwrap();
}

/// The last byte of the file at `path`.
fn last_byte(path: &Path) -> u8 {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(path).unwrap();
    file.seek(SeekFrom::End(-1)).unwrap();
    let mut byte = [0u8];
    file.read_exact(&mut byte).unwrap();
    byte[0]
}

#[test]
fn large_static_files_are_copied_and_compared_without_holding_them_in_memory() {
    const MIB: u64 = 1024 * 1024;
    let site = Site::minimal();
    let files = [
        ("static/big.bin", 300 * MIB),
        ("static/media/talk.mp4", 120 * MIB),
    ];
    for (rel, size) in files {
        let path = site.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::File::create(&path).unwrap().set_len(size).unwrap();
        set_last_byte(&path, b'a');
    }
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    // The first build copies, a rebuild compares, and a change in the last byte copies again.
    for round in ["first build", "unchanged rebuild", "changed rebuild"] {
        if round == "changed rebuild" {
            set_last_byte(&site.path("static/big.bin"), b'b');
        }
        let (code, peak) = build_peak_mib(&site, &out);
        assert_eq!(code, 0, "{round}");
        assert!(peak < 110.0, "{round}: peak {peak:.0} MiB");
        for (rel, size) in files {
            let copy = out.join(rel);
            assert_eq!(std::fs::metadata(&copy).unwrap().len(), size, "{round}");
        }
        // Read by seeking: a test process holding the file would lend its memory to the child.
        let (last, copy) = (
            last_byte(&site.path("static/big.bin")),
            last_byte(&out.join("static/big.bin")),
        );
        assert_eq!(copy, last, "{round}: stale copy");
    }
}

#[test]
fn a_users_file_where_the_site_now_writes_is_never_replaced() {
    // The user's file, then the site makes a page at the same path; or the user's file stands
    // where the site needs a folder; or the user's folder where the site writes a file.
    let cases: [(&str, &str, &str); 3] = [
        (
            "extra/index.html",
            "content/pages/extra.md",
            "extra/index.html",
        ),
        ("extra", "content/pages/extra.md", "extra"),
        ("atom.xml/mine.txt", "content/pages/extra.md", "atom.xml"),
    ];
    for (user_file, new_source, named) in cases {
        let site = Site::minimal();
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("public");
        build_into(&site, &out).assert_ok();
        if user_file.starts_with("atom.xml") {
            // The user's folder stands where realist's file was.
            std::fs::remove_file(out.join("atom.xml")).unwrap();
        }
        put(&out, user_file, "the user's");
        site.write(new_source, "---\ntitle: Extra\n---\ntext\n");
        let before = tree(&out);
        let run = build_into(&site, &out);
        assert_eq!(run.code, 2, "{user_file}: {run:?}");
        let d = run.error("was not written by realist");
        assert!(d.message.contains(named), "{d:?}");
        assert_eq!(tree(&out), before, "{user_file}: the output changed");
        assert_nothing_beside(parent.path(), &["public"]);
    }
}

#[test]
fn an_output_holding_a_pipe_or_socket_is_refused_without_waiting() {
    for (rel, kind) in [
        ("queue", "fifo"),
        ("deep/er/queue", "fifo"),
        ("sock", "socket"),
    ] {
        let site = Site::minimal();
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("public");
        build_into(&site, &out).assert_ok();
        let path = out.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let _listener;
        if kind == "fifo" {
            let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        } else {
            _listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        }
        site.edit("site.yaml", "title: \"T\"", "title: \"T2\"");
        let before = tree_without(&out, rel);
        let started = Instant::now();
        let run = build_into(&site, &out);
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{rel}: took too long"
        );
        assert_eq!(run.code, 2, "{rel}: {run:?}");
        run.error("not a file, folder or symbolic link");
        assert_eq!(tree_without(&out, rel), before, "{rel}: the output changed");
        assert_nothing_beside(parent.path(), &["public"]);
    }
}

/// The files of `dir` (as [`tree`]) without reading the special file `skip`.
fn tree_without(dir: &Path, skip: &str) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy();
            (rel.into_owned(), std::fs::read(e.path()).unwrap())
        })
        .filter(|(rel, _)| rel != skip)
        .collect()
}

#[test]
fn builds_of_two_versions_at_once_leave_one_whole_version() {
    let versions: Vec<Site> = ["one", "two"]
        .iter()
        .map(|tag| {
            let site = Site::from_files(&many_reports(120, tag));
            site.edit("site.yaml", "title: \"T\"", &format!("title: \"T {tag}\""));
            site
        })
        .collect();
    let work = tempfile::tempdir().unwrap();
    let whole: Vec<BTreeMap<String, Vec<u8>>> = versions
        .iter()
        .enumerate()
        .map(|(i, site)| {
            let out = work.path().join(format!("reference-{i}"));
            build_into(site, &out).assert_ok();
            tree(&out)
        })
        .collect();
    let parent = work.path().join("deploy");
    let out = parent.join("public");
    for round in 0..3 {
        let mut children: Vec<Child> = versions
            .iter()
            .map(|site| spawn_build(site.root(), &out))
            .collect();
        if round == 2 {
            children.reverse();
        }
        for child in &mut children {
            assert!(child.wait().unwrap().success(), "round {round}");
        }
        let now = tree(&out);
        assert!(
            now == whole[0] || now == whole[1],
            "round {round}: a mixture"
        );
        assert_nothing_beside(&parent, &["public"]);
    }
}

// ---------------------------------------------------------------------------------------------
// Names that could reach outside the output.
// ---------------------------------------------------------------------------------------------

#[test]
fn input_names_with_a_backslash_are_refused_and_nothing_is_written_outside_the_output() {
    let inputs = [
        "static/..\\..\\victim.txt",
        "themes/mine/static/..\\..\\victim.txt",
        "content/pages/..\\..\\victim.md",
        "static/a\\b/..\\..\\..\\victim.txt",
    ];
    for input in inputs {
        let site = site_with_theme();
        let parent = tempfile::tempdir().unwrap();
        let out = parent.path().join("public");
        put(parent.path(), "victim.txt", "the victim");
        let text = "---\ntitle: Hostile\n---\noverwritten\n";
        site.write(input, text);
        let run = build_into(&site, &out);
        assert_ne!(run.code, 0, "{input}: {run:?}");
        run.error("backslash");
        let victim = std::fs::read_to_string(parent.path().join("victim.txt")).unwrap();
        assert_eq!(victim, "the victim", "{input}: written outside the output");
        assert_nothing_beside(parent.path(), &["victim.txt", "public"]);
        assert!(!out.exists() || !tree(&out).values().any(|b| b == text.as_bytes()));
    }
}

// ---------------------------------------------------------------------------------------------
// The user's changes during a build.
// ---------------------------------------------------------------------------------------------

/// Does what a user does to `rel` under `dir` while a build runs: `replace` it by a new file (a
/// new inode, as editors and `git checkout` do), or write it. Tried again when the output traded
/// places half-way (the folder made or the temporary file written is then in the old tree).
fn users_write(dir: &Path, rel: &str, contents: &str, replace: bool) {
    let path = dir.join(rel);
    let tmp = path.with_extension("swap");
    for _ in 0..10 {
        let done = std::fs::create_dir_all(path.parent().unwrap()).and_then(|()| match replace {
            true => std::fs::write(&tmp, contents).and_then(|()| std::fs::rename(&tmp, &path)),
            false => std::fs::write(&path, contents),
        });
        if done.is_ok() {
            return;
        }
    }
    panic!("cannot write {rel}");
}

#[test]
fn files_the_user_makes_or_replaces_during_a_build_survive_it() {
    let site = Site::from_files(&many_reports(300, "v1"));
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    build_into(&site, &out).assert_ok();
    put(&out, "CNAME", "v0");
    put(&out, "docs/notes.txt", "v0");
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for round in 0..2 {
        let mut child = spawn_build(site.root(), &out);
        let mut step = 0;
        while child.try_wait().unwrap().is_none() {
            let v = format!("round {round} step {step}");
            users_write(&out, "CNAME", &v, true);
            users_write(&out, "docs/notes.txt", &v, true);
            for rel in [
                format!("new/r{round}s{step}.txt"),
                format!("reports/.mine{step}"),
            ] {
                users_write(&out, &rel, &v, false);
                expected.insert(rel, v.clone());
            }
            expected.insert("CNAME".into(), v.clone());
            expected.insert("docs/notes.txt".into(), v);
            step += 1;
            std::thread::sleep(Duration::from_millis(15));
        }
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "round {round}: {stderr}");
        assert!(
            step > 3,
            "the build was too quick to change files during it"
        );
        for (rel, text) in &expected {
            let got = std::fs::read_to_string(out.join(rel)).ok();
            assert_eq!(got.as_deref(), Some(text.as_str()), "{rel}, round {round}");
        }
        assert!(out.join("reports/x299/index.html").is_file());
        assert_nothing_beside(parent.path(), &["public"]);
        assert!(
            !out.join(".realist-staging").exists(),
            "the marker is in the output"
        );
    }
}

#[test]
fn a_build_waiting_for_another_says_so_and_then_builds() {
    use std::os::fd::AsRawFd;
    let site = Site::minimal();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    // Another build's lock on the folder that holds the output.
    let held = std::fs::File::open(parent.path()).unwrap();
    assert_eq!(unsafe { libc::flock(held.as_raw_fd(), libc::LOCK_EX) }, 0);
    let mut child = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(["build", "--root", site.root().to_str().unwrap(), "--out"])
        .arg(&out)
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "did not wait for the lock"
    );
    assert!(!out.exists(), "built while another build held the lock");
    drop(held);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let line = format!("waiting for another build into {} to finish", out.display());
    assert_eq!(stderr.matches(&line).count(), 1, "{stderr}");
    assert!(out.join("index.html").is_file());
}

#[test]
fn every_users_file_where_the_site_now_writes_is_named_as_the_sites_path() {
    let site = Site::minimal();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    build_into(&site, &out).assert_ok();
    put(&out, "extra/index.html", "the user's");
    put(
        &out,
        "more",
        "the user's file where the site makes a folder",
    );
    std::fs::remove_file(out.join("atom.xml")).unwrap();
    put(
        &out,
        "atom.xml/a.txt",
        "the user's folder where the site makes a file",
    );
    put(&out, "atom.xml/b.txt", "the user's");
    for page in ["extra", "more"] {
        site.write(
            &format!("content/pages/{page}.md"),
            "---\ntitle: X\n---\nx\n",
        );
    }
    let before = tree(&out);
    let run = build_into(&site, &out);
    assert_eq!(run.code, 2, "{run:?}");
    let d = run.error("was not written by realist");
    for named in ["`extra/index.html`", "`more/index.html`", "`atom.xml`"] {
        assert!(d.message.contains(named), "{named}: {d:?}");
    }
    assert_eq!(d.message.matches('`').count(), 6, "{d:?}");
    assert_eq!(tree(&out), before, "the output changed");

    // Many: the first twenty are named, and how many more there are.
    for i in 0..25 {
        put(&out, &format!("p{i:02}/index.html"), "the user's");
        site.write(
            &format!("content/pages/p{i:02}.md"),
            "---\ntitle: P\n---\np\n",
        );
    }
    let d = build_into(&site, &out).error("was not written by realist");
    // `atom.xml` sorts first: it, `extra`, `more` and p00 to p16 are the twenty.
    assert!(d.message.contains("`p16/index.html`, and 8 more"), "{d:?}");
}

#[test]
fn folder_modes_of_the_output_are_kept_across_rebuilds() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::from_files(&many_reports(2, "v1"));
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    build_into(&site, &out).assert_ok();
    put(&out, ".private/key.txt", "secret");
    put(&out, "shared/notes.txt", "ours");
    let modes = [
        (".private", 0o700),
        ("shared", 0o2775),
        ("reports", 0o750),
        ("reports/x1", 0o2750),
        ("", 0o750),
    ];
    let mode = |rel: &str| {
        std::fs::metadata(out.join(rel))
            .unwrap()
            .permissions()
            .mode()
            & 0o7777
    };
    for (rel, m) in modes {
        std::fs::set_permissions(out.join(rel), std::fs::Permissions::from_mode(m)).unwrap();
    }
    for round in ["unchanged", "changed"] {
        if round == "changed" {
            site.edit(
                "content/reports/x1.md",
                "Text of report",
                "New text of report",
            );
        }
        build_into(&site, &out).assert_ok();
        for (rel, m) in modes {
            assert_eq!(mode(rel), m, "{rel:?} after an {round} rebuild");
        }
        assert_eq!(common::read_output(&out, ".private/key.txt"), "secret");
    }
}

#[test]
fn a_build_whose_stdout_is_full_or_closed_does_not_panic() {
    let site = Site::minimal();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(["build", "--root", site.root().to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains("cannot print on standard output"),
        "{stderr}"
    );
    assert!(out.join("index.html").exists());
    // A reader that has gone away: nothing to say, and no panic.
    let mut child = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(["build", "--root", site.root().to_str().unwrap()])
        .args(["--out", out.to_str().unwrap()])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Unmounts its folder when dropped, even when the test fails.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn an_output_holding_a_mount_point_is_refused_and_unchanged() {
    let site = Site::minimal();
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    build_into(&site, &out).assert_ok();
    let disk = out.join("data");
    std::fs::create_dir_all(&disk).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "none"])
        .arg(&disk)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: mounting a tmpfs needs root");
        return;
    }
    let _unmount = Mounted(disk.clone());
    put(&disk, "big.bin", "a disk of its own");
    let before = tree(&out);
    let run = build_into(&site, &out);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("data is a mount point"),
        "{}",
        run.stderr
    );
    assert_eq!(tree(&out), before);
    assert_nothing_beside(parent.path(), &["public"]);
}

#[test]
fn a_failed_build_says_only_what_is_true_of_the_output() {
    let site = Site::minimal();
    site.edit("site.yaml", "title: \"T\"", "title: [");
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    let first = build_into(&site, &out);
    assert!(
        first.stderr.contains("; no output was written"),
        "{first:?}"
    );
    assert!(!first.stderr.contains("previous output"), "{first:?}");
    let check = site.check(&[]);
    assert!(!check.stderr.contains("output"), "{check:?}");
}

#[test]
fn a_killed_checks_scratch_folder_is_removed_by_the_next_check() {
    let site = Site::minimal();
    let temp = tempfile::tempdir().unwrap();
    let dead = dead_pid();
    let left = temp.path().join(format!("realist-check-{dead}-abc123"));
    put(&left, ".realist-staging", "");
    put(&left, "index.html", "stale");
    let users = temp.path().join(format!("realist-check-{dead}-mine"));
    put(&users, "notes.txt", "not realist's");
    let run = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(["check", "--root", site.root().to_str().unwrap()])
        .env("TMPDIR", temp.path())
        .output()
        .unwrap();
    assert!(run.status.success(), "{run:?}");
    // Nor is this check's own folder left.
    assert_eq!(
        names(temp.path()),
        vec![format!("realist-check-{dead}-mine")]
    );
}

/// Run as root (as CI is), a build gives every folder of the output, the output folder itself
/// included, the owner and group it had: a web server's or deploy user's folder stays theirs.
/// Elsewhere only root can change an owner, and the test has nothing to check.
#[test]
fn folder_owners_of_the_output_are_kept_across_rebuilds_when_run_as_root() {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return;
    }
    let site = Site::from_files(&many_reports(2, "v1"));
    let parent = tempfile::tempdir().unwrap();
    let out = parent.path().join("public");
    build_into(&site, &out).assert_ok();
    put(&out, "uploads/a.txt", "theirs");
    let folders = ["", "uploads", "reports"];
    for rel in folders {
        std::os::unix::fs::lchown(out.join(rel), Some(65534), Some(65534)).unwrap();
    }
    for round in ["unchanged", "changed"] {
        if round == "changed" {
            site.edit(
                "content/reports/x1.md",
                "Text of report",
                "New text of report",
            );
        }
        build_into(&site, &out).assert_ok();
        for rel in folders {
            let meta = std::fs::symlink_metadata(out.join(rel)).unwrap();
            assert_eq!(
                (meta.uid(), meta.gid()),
                (65534, 65534),
                "{rel:?} after an {round} rebuild"
            );
        }
    }
}
