//! The files a build reads, with a hash of each, so `serve` can tell exactly what changed.
//!
//! File-system events only say *where* to look; what changed is decided by comparing content
//! hashes with the inputs the current build was made from. Editors that save through a temporary
//! file, or touch a file without changing it, therefore cause no rebuild.

use std::collections::BTreeMap;
use std::hash::Hasher;
use std::path::{Component, Path, PathBuf};

use crate::paths;

/// Top-level folders of a site whose files are inputs, all watched recursively.
pub const INPUT_DIRS: [&str; 4] = ["content", "templates", "themes", "static"];

/// Project-relative path → hash of the file's bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    pub files: BTreeMap<PathBuf, u64>,
}

/// How the inputs differ between two snapshots.
#[derive(Debug, Default)]
pub struct Diff {
    pub added: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub modified: Vec<PathBuf>,
}

/// Names that editors create and delete around a save (backups, swap files, Vim's `4913` probe).
pub fn is_editor_noise(name: &str) -> bool {
    name.ends_with('~')
        || name == "4913"
        || name.starts_with(".#")
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.contains("___jb_")
}

impl Inputs {
    /// Reads every input of the site at `root`. `extra` are files outside the input folders
    /// (site.yaml, a bibliography named in it).
    pub fn scan(root: &Path, extra: &[PathBuf]) -> Inputs {
        let mut inputs = Inputs::default();
        for dir in INPUT_DIRS {
            inputs.add_tree(root, Path::new(dir));
        }
        for rel in extra {
            inputs.refresh_one(root, rel);
        }
        inputs
    }

    /// Whether a project-relative path is something a build reads.
    pub fn is_input(rel: &Path, extra: &[PathBuf]) -> bool {
        let Some(Component::Normal(first)) = rel.components().next() else {
            return false;
        };
        let name = rel
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if is_editor_noise(&name) {
            return false;
        }
        INPUT_DIRS.iter().any(|d| first == *d) || extra.iter().any(|e| e == rel)
    }

    /// Re-reads what is now at each of `paths` (absolute or project-relative; files or folders).
    pub fn refresh(&mut self, root: &Path, paths: &[PathBuf], extra: &[PathBuf]) {
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        for path in paths {
            let rel = path
                .strip_prefix(root)
                .or_else(|_| path.strip_prefix(&canonical_root))
                .unwrap_or(path);
            if rel.is_absolute() || rel.as_os_str().is_empty() {
                continue;
            }
            if !Inputs::is_input(rel, extra) {
                continue;
            }
            self.refresh_one(root, rel);
        }
    }

    /// Forgets everything at or under `rel`, then reads what is there now.
    fn refresh_one(&mut self, root: &Path, rel: &Path) {
        let stale: Vec<PathBuf> = self
            .files
            .range(rel.to_path_buf()..)
            .take_while(|(p, _)| p.starts_with(rel))
            .map(|(p, _)| p.clone())
            .collect();
        for p in stale {
            self.files.remove(&p);
        }
        if root.join(rel).is_dir() {
            self.add_tree(root, rel);
        } else if let Some(h) = hash_file(root, rel) {
            self.files.insert(rel.to_path_buf(), h);
        }
    }

    /// Reads every file below `rel` that the build may read ([`paths::walk`]); what it refuses is
    /// left out here and reported by the build.
    fn add_tree(&mut self, root: &Path, rel: &Path) {
        for file in paths::walk(root, rel).files {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default();
            if is_editor_noise(&name) {
                continue;
            }
            if let Some(h) = hash_file(root, &file) {
                self.files.insert(file, h);
            }
        }
    }

    /// What changed from `before` to `self`.
    pub fn diff(&self, before: &Inputs) -> Diff {
        let mut diff = Diff::default();
        for (path, hash) in &self.files {
            match before.files.get(path) {
                None => diff.added.push(path.clone()),
                Some(h) if h != hash => diff.modified.push(path.clone()),
                Some(_) => {}
            }
        }
        for path in before.files.keys() {
            if !self.files.contains_key(path) {
                diff.removed.push(path.clone());
            }
        }
        diff
    }
}

/// The hash of a file the build may read ([`paths::read`]: never a pipe, never outside the site).
fn hash_file(root: &Path, rel: &Path) -> Option<u64> {
    let bytes = paths::read(root, rel).ok()?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hasher.write(&bytes);
    hasher.write_usize(bytes.len());
    Some(hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn pipes_and_links_out_of_the_site_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("key"), "secret").unwrap();
        std::fs::create_dir_all(dir.path().join("content/reports")).unwrap();
        std::fs::create_dir_all(dir.path().join("static")).unwrap();
        std::fs::write(dir.path().join("content/reports/a.md"), "a").unwrap();
        let fifo = dir.path().join("content/reports/p.md");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo touches no memory of ours.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let link = dir.path().join("static/key");
        std::os::unix::fs::symlink(outside.path().join("key"), &link).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("static/out")).unwrap();
        let extra = vec![PathBuf::from("content/reports/p.md")];
        let mut inputs = Inputs::scan(dir.path(), &extra);
        inputs.refresh(dir.path(), &[fifo, link], &extra);
        let files: Vec<_> = inputs.files.keys().cloned().collect();
        assert_eq!(files, vec![PathBuf::from("content/reports/a.md")]);
    }

    #[test]
    fn diff_and_refresh() {
        let dir = std::env::temp_dir().join(format!("realist-inputs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content/reports")).unwrap();
        std::fs::write(dir.join("site.yaml"), "a").unwrap();
        std::fs::write(dir.join("content/reports/a.md"), "a").unwrap();
        std::fs::write(dir.join("content/reports/a.md~"), "a").unwrap();
        let extra = vec![PathBuf::from("site.yaml")];
        let before = Inputs::scan(&dir, &extra);
        assert_eq!(before.files.len(), 2);
        std::fs::write(dir.join("content/reports/a.md"), "b").unwrap();
        std::fs::write(dir.join("content/reports/b.md"), "b").unwrap();
        let mut after = before.clone();
        after.refresh(
            &dir,
            &[
                dir.join("content/reports/a.md"),
                dir.join("content/reports/b.md"),
                dir.join("public/x.html"),
            ],
            &extra,
        );
        let d = after.diff(&before);
        assert_eq!(d.modified, vec![PathBuf::from("content/reports/a.md")]);
        assert_eq!(d.added, vec![PathBuf::from("content/reports/b.md")]);
        std::fs::remove_dir_all(dir.join("content/reports")).unwrap();
        after.refresh(&dir, &[dir.join("content/reports")], &extra);
        assert_eq!(after.diff(&before).removed.len(), 1);
        assert_eq!(after.files.len(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
