//! Stage 5, write: a fresh temporary output directory, swapped into place only when the build
//! succeeds, so a failed build leaves the previous site byte-for-byte intact.

pub mod extras;

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

/// A build's output directory under construction, next to the final one (same file system, so the
/// final swap is a rename).
pub struct Staging {
    pub dir: PathBuf,
    target: PathBuf,
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
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| format!("cannot clear {}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
        })
    }

    /// Moves the finished output into place: the old output is renamed aside, the new one renamed
    /// in, and the old one removed.
    pub fn commit(self) -> Result<(), String> {
        let old = self.dir.with_file_name(format!(
            "{}.old",
            self.dir.file_name().unwrap_or_default().to_string_lossy()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old)
                .map_err(|e| format!("cannot move the old output aside: {e}"))?;
        }
        if let Err(e) = std::fs::rename(&self.dir, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(format!("cannot move the new output into place: {e}"));
        }
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    }

    /// Throws the unfinished output away.
    pub fn abandon(self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Copies the theme's `static/` and then the site's `static/` into `out/static/` (site files win).
/// Returns the site-relative paths written.
pub fn copy_static(root: &Path, theme: &str, out: &Path) -> Result<Vec<String>, Vec<Diagnostic>> {
    let mut files =
        crate::render::templates::theme_files(root, theme, "static").map_err(|d| vec![d])?;
    crate::render::templates::read_dir_files(root, Path::new("static"), &mut files)
        .map_err(|d| vec![d])?;
    let mut written = Vec::new();
    for (name, (origin, bytes)) in files {
        let rel = format!("static/{name}");
        let dest = out.join(&rel);
        let result = dest
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|_| std::fs::write(&dest, bytes));
        if let Err(e) = result {
            return Err(vec![Diagnostic::error(
                origin,
                0,
                0,
                format!("cannot copy to the output: {e}"),
            )]);
        }
        written.push(rel);
    }
    Ok(written)
}

/// Writes a file into the output, creating folders; returns its site-relative path.
pub fn write_file(out: &Path, rel: &str, contents: &[u8]) -> Result<String, Diagnostic> {
    let dest = out.join(rel);
    dest.parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|_| std::fs::write(&dest, contents))
        .map_err(|e| Diagnostic::error(rel, 0, 0, format!("cannot write output: {e}")))?;
    Ok(rel.to_string())
}
