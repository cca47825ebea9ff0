//! Stage 5, write: a fresh temporary output directory, swapped into place only when the build
//! succeeds, so a failed build leaves the previous site byte-for-byte intact.

pub mod extras;
pub mod search;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// A build's output directory under construction, next to the final one (same file system, so the
/// final swap is a rename).
///
/// The output before last is kept as `.NAME.prev` and reused as the next staging directory: pages
/// are overwritten in place (unchanged ones are not rewritten at all), and files the new build did
/// not write are pruned. Creating and deleting tens of thousands of inodes on every build cost more
/// than rendering them; reusing them makes an unchanged rebuild cheaper than a cold one.
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
    prev: PathBuf,
    /// A throw-away directory (for `realist check`), removed when done.
    scratch: bool,
    /// Created empty for this build (no earlier output to reuse), so it holds only what the
    /// build wrote and [`Staging::prune`] has nothing to do.
    fresh: bool,
}

impl Staging {
    pub fn new(target: &Path) -> Result<Staging, String> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "public".into());
        let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
        let prev = parent.join(format!(".{name}.prev"));
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
        if prev.is_dir() && std::fs::rename(&prev, &dir).is_ok() {
            return Ok(Staging {
                dir,
                target: target.to_path_buf(),
                prev,
                scratch: false,
                fresh: false,
            });
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            prev,
            scratch: false,
            fresh: true,
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
            prev: dir.clone(),
            dir,
            scratch: true,
            fresh: true,
        })
    }

    /// Removes every file in the staging directory that this build did not write (`written` holds
    /// site-relative paths), and then any folder left empty.
    pub fn prune(&self, written: &std::collections::HashSet<String>) {
        if self.fresh {
            return;
        }
        let mut emptied = std::collections::BTreeSet::new();
        for entry in walkdir::WalkDir::new(&self.dir)
            .min_depth(1)
            .into_iter()
            .flatten()
        {
            if entry.file_type().is_dir() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(&self.dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            if !written.contains(&rel) && std::fs::remove_file(entry.path()).is_ok() {
                emptied.extend(
                    entry
                        .path()
                        .ancestors()
                        .skip(1)
                        .take_while(|p| *p != self.dir)
                        .map(Path::to_path_buf),
                );
            }
        }
        // Deepest first; removing a folder that still has files fails, as it should.
        for dir in emptied.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }

    /// Puts the finished output in place, and keeps the old one as the next staging directory.
    pub fn commit(self) -> Result<(), String> {
        if self.target.exists() {
            exchange(&self.dir, &self.target)
                .map_err(|e| format!("cannot move the new output into place: {e}"))?;
            // `dir` now holds the old output: keep it for reuse by the next build.
            let _ = std::fs::remove_dir_all(&self.prev);
            if std::fs::rename(&self.dir, &self.prev).is_err() {
                let _ = std::fs::remove_dir_all(&self.dir);
            }
            return Ok(());
        }
        std::fs::rename(&self.dir, &self.target)
            .map_err(|e| format!("cannot move the new output into place: {e}"))
    }

    /// Gives up on this build: the output is untouched, and the staging directory is kept for reuse.
    pub fn abandon(self) {
        if self.scratch || std::fs::rename(&self.dir, &self.prev).is_err() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Swaps two directories atomically where the OS can (Linux `renameat2(RENAME_EXCHANGE)`), else
/// with two renames.
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let ca = std::ffi::CString::new(a.as_os_str().as_bytes())?;
        let cb = std::ffi::CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both are valid NUL-terminated paths; renameat2 does not retain the pointers.
        let rc = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if rc == 0 {
            return Ok(());
        }
    }
    let aside = a.with_extension("swap");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// Writes `contents` to `path` unless the file already holds exactly that (keeps the inode and
/// mtime of unchanged pages, so deploy tools see only real changes).
pub fn write_if_changed(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.len() == contents.len() as u64
            && std::fs::read(path).is_ok_and(|old| old == contents)
        {
            return Ok(());
        }
    } else if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, contents)
}

/// Copies the theme's `static/` and then the site's `static/` into `out/static/` (site files win).
/// Returns the site-relative paths written, and the problems met (a file that could not be read or
/// written is skipped; the rest are still copied).
pub fn copy_static(root: &Path, theme: &str, out: &Path) -> (Vec<String>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut files =
        crate::render::templates::theme_files(root, theme, "static").unwrap_or_else(|d| {
            problems.push(d);
            Default::default()
        });
    // A bad link in static/ is reported, but the other files are still copied, so pages do not
    // also fail the link check for a missing stylesheet.
    problems.extend(
        crate::render::templates::read_dir_files(root, Path::new("static"), &mut files).err(),
    );
    let mut written = Vec::new();
    for (name, (origin, bytes)) in files {
        let rel = format!("static/{name}");
        match write_if_changed(&out.join(&rel), &bytes) {
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
/// temporary file beside it, which replaces the old file only if the contents differ (so an
/// unchanged file keeps its inode and mtime, as with [`write_if_changed`]).
pub fn write_streamed(
    out: &Path,
    rel: &str,
    produce: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<String, Diagnostic> {
    use std::io::Write;
    let dest = out.join(rel);
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
        if same_contents(&tmp, &dest)? {
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
pub fn write_file(out: &Path, rel: &str, contents: &[u8]) -> Result<String, Diagnostic> {
    let dest = out.join(rel);
    crate::write::write_if_changed(&dest, contents)
        .map_err(|e| Diagnostic::error(rel, 0, 0, format!("cannot write output: {e}")))?;
    Ok(rel.to_string())
}
