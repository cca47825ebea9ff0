//! Stage 5, write: the build's files go into a temporary folder beside the output, and reach the
//! output only when the whole build succeeded, so a failed build leaves the previous site
//! byte-for-byte intact.
//!
//! The first build into a folder writes everything into a fresh temporary folder and renames it
//! into place. A later build updates the output instead: it writes into the temporary folder only
//! the files that differ from the live output, and on success moves them in and deletes the files
//! it no longer makes. Rebuilding an unchanged site therefore creates no files at all: making and
//! deleting the tens of thousands of page folders of a large site cost more than rendering them
//! (on ext4, inode allocation), and a whole second copy of the site is never on disk.

pub mod extras;
pub mod search;

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// Where a build writes its files.
#[derive(Debug, Clone)]
pub struct Output {
    /// The folder files are written into.
    pub dir: PathBuf,
    /// The live output this build updates, if any: a file identical to its live copy is not
    /// written to `dir` at all.
    live: Option<PathBuf>,
}

impl Output {
    /// Plain output into `dir` (`serve`'s folders): a file that already holds exactly the new
    /// contents is left alone.
    pub fn new(dir: PathBuf) -> Output {
        Output { dir, live: None }
    }

    /// Writes `contents` as the site-relative file `rel`, unless it is already there (in the live
    /// output being updated, or else in `dir`): an unchanged file keeps its inode and mtime, so
    /// deploy tools see only real changes.
    pub fn put(&self, rel: &str, contents: &[u8]) -> std::io::Result<()> {
        if holds(&self.current(rel), contents) {
            return Ok(());
        }
        let dest = self.dir.join(rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(dest, contents)
    }

    /// The file `rel` is compared with before it is written: its live copy, or itself.
    fn current(&self, rel: &str) -> PathBuf {
        self.live.as_ref().unwrap_or(&self.dir).join(rel)
    }
}

/// Whether the file at `path` holds exactly `contents`.
fn holds(path: &Path, contents: &[u8]) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == contents.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == contents)
}

/// How a [`Staging`] folder reaches the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// It holds the whole site and is renamed into place (there was no output yet).
    Fresh,
    /// It holds the files that changed, which are moved into the existing output.
    Update,
    /// It is thrown away (`realist check`).
    Scratch,
}

/// A build's output under construction, in a folder next to the final one (same file system, so
/// files reach the output by renaming).
pub struct Staging {
    output: Output,
    target: PathBuf,
    mode: Mode,
    /// When updating: the live output's files (site-relative), listed on a thread of its own
    /// while the site renders. Walking 100,000 entries at the end instead made an unchanged
    /// rebuild of a large site a quarter of a second slower than a cold one.
    listing: Option<std::thread::JoinHandle<Vec<String>>>,
}

impl Staging {
    pub fn new(target: &Path) -> Result<Staging, String> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if target.is_dir() && !is_replaceable(target) {
            return Err(format!(
                "{} already holds files and is not a site that realist built (it has no index.html \
                 and sitemap.xml), and a build would delete them; nothing was written. Choose a new or \
                 empty folder for --out, or empty this one first",
                target.display()
            ));
        }
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        // Earlier versions kept the output before last here; it is no longer read.
        let _ = std::fs::remove_dir_all(parent.join(format!(".{name}.prev")));
        let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (mode, live) = if target.is_dir() {
            (Mode::Update, Some(target.to_path_buf()))
        } else {
            (Mode::Fresh, None)
        };
        let listing = live.clone().map(|live| {
            std::thread::spawn(move || {
                files_under(&live)
                    .map(|(_, rel)| rel.to_string_lossy().replace('\\', "/"))
                    .collect()
            })
        });
        Ok(Staging {
            output: Output { dir, live },
            target: target.to_path_buf(),
            mode,
            listing,
        })
    }

    /// A staging directory in the system's temporary folder, for a build that writes nothing
    /// (`realist check`); it is removed by [`Staging::abandon`].
    pub fn scratch() -> Result<Staging, String> {
        let dir = std::env::temp_dir().join(format!("realist-check-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Staging {
            target: dir.clone(),
            output: Output::new(dir),
            mode: Mode::Scratch,
            listing: None,
        })
    }

    /// Where the build writes.
    pub fn output(&self) -> &Output {
        &self.output
    }

    /// Whether this is a throw-away directory (`realist check`), whose files nobody reads.
    pub fn is_scratch(&self) -> bool {
        self.mode == Mode::Scratch
    }

    /// Puts the finished output in place. `written` holds every site-relative file the build
    /// made; when an existing output is updated, its other files are deleted.
    pub fn commit(mut self, written: &HashSet<String>) -> Result<(), String> {
        let dir = &self.output.dir;
        if self.mode != Mode::Update {
            return std::fs::rename(dir, &self.target)
                .map_err(|e| format!("cannot move the new output into place: {e}"));
        }
        // New files first, then the deletions, so that a reader never meets a link to a file
        // that is not there yet.
        for (path, rel) in files_under(dir) {
            move_into_place(&path, &self.target.join(&rel))
                .map_err(|e| format!("cannot move {} into place: {e}", rel.display()))?;
        }
        let listed = self.listing.take().and_then(|l| l.join().ok());
        prune(&self.target, listed.unwrap_or_default(), written);
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    /// Gives up on this build: the output is untouched.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.output.dir);
    }
}

/// Whether a build may replace what is in the folder `dir`: it is empty, or it looks like a site
/// realist built (every build writes `index.html` and `sitemap.xml` at the top). A mistaken `--out`
/// (a home folder, the site's own root) must not have its files deleted.
fn is_replaceable(dir: &Path) -> bool {
    let empty = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_none());
    empty || dir.join("index.html").is_file() && dir.join("sitemap.xml").is_file()
}

/// Renames `from` to `to`, first clearing what stands in the way: a folder where the file goes,
/// or a file where one of its folders goes (an output whose shape changed).
fn move_into_place(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.is_dir() {
        std::fs::remove_dir_all(to)?;
    }
    if let Some(parent) = to.parent() {
        if std::fs::create_dir_all(parent).is_err() {
            for blocker in parent.ancestors().filter(|a| a.is_file()) {
                std::fs::remove_file(blocker)?;
            }
            std::fs::create_dir_all(parent)?;
        }
    }
    std::fs::rename(from, to)
}

/// Every file under `root` (not its folders): (path, path relative to `root`).
fn files_under(root: &Path) -> impl Iterator<Item = (PathBuf, PathBuf)> + '_ {
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .flatten()
        .filter(|entry| !entry.file_type().is_dir())
        .map(move |entry| {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            let rel = rel.to_path_buf();
            (entry.into_path(), rel)
        })
}

/// Removes each of the `listed` files under `root` that is not in `keep` (site-relative paths),
/// and then any folder left empty.
fn prune(root: &Path, listed: Vec<String>, keep: &HashSet<String>) {
    let mut emptied = BTreeSet::new();
    for rel in listed.iter().filter(|rel| !keep.contains(*rel)) {
        let path = root.join(rel);
        if std::fs::remove_file(&path).is_ok() {
            emptied.extend(
                path.ancestors()
                    .skip(1)
                    .take_while(|p| *p != root)
                    .map(Path::to_path_buf),
            );
        }
    }
    // Deepest first; removing a folder that still has files fails, as it should.
    for dir in emptied.iter().rev() {
        let _ = std::fs::remove_dir(dir);
    }
}

/// Copies the theme's `static/` and then the site's `static/` into `out/static/` (site files win).
/// Returns the site-relative paths written, and the problems met (a file that could not be read or
/// written is skipped; the rest are still copied).
pub fn copy_static(root: &Path, theme: &str, out: &Output) -> (Vec<String>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut files =
        crate::render::templates::theme_files(root, theme, "static").unwrap_or_else(|d| {
            problems.push(d);
            Default::default()
        });
    // A bad link in static/ is reported, but the other files are still copied, so pages do not
    // also fail the link check for a missing stylesheet.
    problems.extend(crate::render::templates::read_dir_files(
        root,
        Path::new("static"),
        &mut files,
    ));
    let mut written = Vec::new();
    for (name, (origin, bytes)) in files {
        let rel = format!("static/{name}");
        match out.put(&rel, &bytes) {
            Ok(()) => written.push(rel),
            Err(e) => problems.push(Diagnostic::error(
                origin,
                0,
                0,
                format!("cannot copy to the output: {e}"),
            )),
        }
    }
    (written, problems)
}

/// Writes a file that `produce` writes piece by piece, without holding it in memory: into a
/// temporary file beside it, which is kept only if the contents differ from the current file (so
/// an unchanged file keeps its inode and mtime, as with [`Output::put`]).
pub fn write_streamed(
    out: &Output,
    rel: &str,
    produce: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<String, Diagnostic> {
    use std::io::Write;
    let dest = out.dir.join(rel);
    let tmp = dest.with_file_name(format!(
        ".{}.tmp",
        dest.file_name().unwrap_or_default().to_string_lossy()
    ));
    let result = (|| {
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut writer =
            std::io::BufWriter::with_capacity(256 * 1024, std::fs::File::create(&tmp)?);
        produce(&mut writer)?;
        writer.flush()?;
        drop(writer);
        if same_contents(&tmp, &out.current(rel))? {
            std::fs::remove_file(&tmp)
        } else {
            std::fs::rename(&tmp, &dest)
        }
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Diagnostic::error(rel, 0, 0, format!("cannot write output: {e}"))
    })?;
    Ok(rel.to_string())
}

/// Whether two files hold the same bytes (false if `b` does not exist), read in chunks.
fn same_contents(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let (Ok(meta_a), Ok(meta_b)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return Ok(false);
    };
    if meta_a.len() != meta_b.len() {
        return Ok(false);
    }
    let (mut fa, mut fb) = (std::fs::File::open(a)?, std::fs::File::open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = fa.read(&mut ba)?;
        if n == 0 {
            return Ok(true);
        }
        fb.read_exact(&mut bb[..n])?;
        if ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

/// Writes a file into the output, creating folders; returns its site-relative path.
pub fn write_file(out: &Output, rel: &str, contents: &[u8]) -> Result<String, Diagnostic> {
    out.put(rel, contents)
        .map_err(|e| Diagnostic::error(rel, 0, 0, format!("cannot write output: {e}")))?;
    Ok(rel.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn an_update_moves_in_what_changed_removes_what_is_gone_and_survives_a_change_of_shape() {
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        for (rel, text) in [
            ("index.html", "home"),
            ("sitemap.xml", "map"),
            ("same/index.html", "same"),
            ("changed/index.html", "old"),
            ("gone/index.html", "gone"),
            ("static/x", "a file that becomes a folder"),
            ("static/y/z.css", "a folder that becomes a file"),
        ] {
            std::fs::create_dir_all(live.join(rel).parent().unwrap()).unwrap();
            std::fs::write(live.join(rel), text).unwrap();
        }
        let staging = Staging::new(&live).unwrap();
        let out = staging.output();
        let mut written = HashSet::new();
        for (rel, text) in [
            ("index.html", "home"),
            ("sitemap.xml", "map"),
            ("same/index.html", "same"),
            ("changed/index.html", "new"),
            ("static/x/inner.css", "inner"),
            ("static/y", "now a file"),
        ] {
            out.put(rel, text.as_bytes()).unwrap();
            written.insert(rel.to_string());
        }
        // Only what differs from the live output was written.
        assert!(!out.dir.join("same/index.html").exists());
        assert!(out.dir.join("changed/index.html").exists());
        assert_eq!(
            read(&live.join("changed/index.html")),
            "old",
            "live output touched early"
        );

        staging.commit(&written).unwrap();
        assert_eq!(read(&live.join("same/index.html")), "same");
        assert_eq!(read(&live.join("changed/index.html")), "new");
        assert_eq!(read(&live.join("static/x/inner.css")), "inner");
        assert_eq!(read(&live.join("static/y")), "now a file");
        assert!(
            !live.join("gone").exists(),
            "a page no longer made is still there"
        );
        let beside: Vec<_> = std::fs::read_dir(parent.path())
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(beside.len(), 1, "the staging folder was left behind");
    }

    #[test]
    fn an_abandoned_update_leaves_the_output_as_it_was() {
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        std::fs::create_dir_all(&live).unwrap();
        std::fs::write(live.join("index.html"), "old").unwrap();
        std::fs::write(live.join("sitemap.xml"), "map").unwrap();
        let staging = Staging::new(&live).unwrap();
        staging.output().put("index.html", b"new").unwrap();
        staging.output().put("new/index.html", b"new").unwrap();
        staging.abandon();
        assert_eq!(read(&live.join("index.html")), "old");
        assert!(!live.join("new").exists());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
    }
}
