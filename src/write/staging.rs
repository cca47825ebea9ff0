//! The output folder's life cycle: a build never deletes what it did not write, and the output is
//! at every moment either entirely the previous site or entirely the new one.
//!
//! - **Manifest.** Every build writes `.realist-manifest` at the top of the output: one
//!   site-relative path per line (`\` and line breaks escaped as `\\`, `\n`, `\r`), naming every
//!   file the build wrote; the manifest does not name itself. An update removes only files that the
//!   previous manifest names and the new build no longer makes. Everything else in the folder (a
//!   `.git` folder, `CNAME`, `.nojekyll`, `docs/thesis.docx`) is the user's and is carried into the
//!   new output untouched. A folder that has no manifest and holds anything but a `.git` folder (a
//!   fresh gh-pages clone) is refused and left as it is: a mistaken `--out` (a home folder holds
//!   only dot-entries), or a site built by a realist older than the manifest.
//! - **Atomic switch.** A build writes into a sibling folder `.NAME.building-PID`. A file whose
//!   bytes are already in the live output is hard-linked from there (same inode and mtime, so rsync
//!   sees only real changes); the user's files are hard-linked too (symbolic links and empty
//!   folders recreated). Each folder of the staging folder, and the staging folder itself, takes
//!   the mode of its live twin (permissions, setgid and sticky bits), and, where realist runs as
//!   root, its owner and group; so does a folder made in the new output to hold a user's entry
//!   moved there after the switch (the twin is then the old tree's). The finished folder then
//!   trades places with the live one in one `renameat2(RENAME_EXCHANGE)`, but only while the output
//!   path is still the very folder the build linked from (same device and inode, not a link),
//!   checked before the exchange and, at the staging path, after it (else it is undone and the
//!   build fails); the old tree's walks never follow a symbolic link. The old tree, now at the
//!   staging path, is walked once more: every entry its manifest does not name (the user's,
//!   including what they made or replaced during the build, after the early listing) is moved into
//!   the new output unless the same file is already there, and then the tree is deleted. A user's
//!   entry that cannot be placed (the new site makes a file there, or it cannot be moved) keeps the
//!   old tree, renamed `.NAME.building-PID.kept-TIME` (never onto a folder already there) and
//!   unmarked, with a warning; no build deletes a kept folder. The first build renames the staging
//!   folder into place. Where hard links are not supported, files are copied; where the exchange is
//!   not supported, the live folder is renamed aside to `.NAME.building-PID.old` and the new one
//!   renamed in: between those two renames the output path is missing, and a build that finds it
//!   missing renames the `.old` folder back.
//! - **One at a time.** A build holds an `flock` on the folder that holds the output from start to
//!   end, so a second build into it waits, saying so on stderr (the lock goes with the process,
//!   even a killed one).
//! - **No leftovers.** A staging folder holds a marker file, `.realist-staging`, from the moment it
//!   is created until just before the switch. Then a journal, `.NAME.building-PID.switch`, takes
//!   over: it records the device and inode of the staging folder and of the folder that becomes
//!   the old tree, and only then does the marker leave the staging folder, which takes the live
//!   folder's mode (a read-only one would have kept the marker). So the exchange is the one step
//!   between the old site and the new, and the marker is never published. The old tree is marked
//!   right after the switch, and a folder set aside by the fallback switch right after it is set
//!   aside. Each build removes `.NAME.building-PID` folders that are marked, or that their journal
//!   names as the staging folder, and whose process is gone; those of a running build, and a
//!   folder of the user's that only has such a name, are left alone. A leftover that its journal
//!   names as the old tree (marked or not yet) has the user's entries moved out of it into the
//!   output first, as the killed build would have, and is kept if any cannot be placed; only then
//!   is it deleted. The old tree is emptied even where the output, or a folder in it, is read-only
//!   (realist adds the owner's permissions to the old tree's folders first). A step after the
//!   switch that fails (the new site is in place by then) is reported as a warning, never passed
//!   over. A killed `realist check` leaves a marked `realist-check-PID-RANDOM` in the temporary
//!   folder, which the next check removes.
//! - **Bounds.** An output that holds a mount point (a folder on another file system, found while
//!   listing the user's entries) is refused with nothing changed: it could neither be linked nor
//!   moved with the output. An output inside the site's inputs (content, static files, templates,
//!   the theme) or one that contains the site is refused: it would be read back as input by the
//!   next build.
//!
//! Durability against power loss is not attempted (no fsync): the promise is about builds that fail
//! or are killed.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::Output;
use crate::diagnostics::Diagnostic;

/// The manifest's file name, at the top of the output.
pub const MANIFEST: &str = ".realist-manifest";

/// The file that marks a folder as realist's staging folder (or old tree), which a later build may
/// remove once its process is gone.
const MARKER: &str = ".realist-staging";

/// How a [`Staging`] folder reaches the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// There is no output yet: the staging folder is renamed into place.
    Fresh,
    /// It trades places with the live output.
    Update,
    /// It is thrown away (`realist check`).
    Scratch,
}

/// An entry of the live output that realist did not write, carried into the new output.
#[derive(Debug)]
enum Kept {
    File(PathBuf),
    Symlink(PathBuf),
    EmptyDir(PathBuf),
}

/// A build's output under construction, in a folder next to the final one (same file system, so
/// it can take the output's place by renaming).
pub struct Staging {
    output: Output,
    target: PathBuf,
    /// The output as the user named it, for messages.
    shown: PathBuf,
    mode: Mode,
    /// When updating: the user's entries of the live output, listed on a thread of its own while
    /// the site renders.
    listing: Option<JoinHandle<Result<Vec<Kept>, String>>>,
    /// When updating: the live output's manifest, which tells the user's entries from realist's
    /// once more after the switch ([`rescue`]).
    previous: Arc<HashSet<String>>,
    /// When updating: the live output folder's device and inode, which must still be at the
    /// output path when the build switches, and at the staging path after the switch.
    live_id: Option<FolderId>,
    /// What cleaning up after killed builds has to tell.
    warnings: Vec<Diagnostic>,
    /// The lock on the folder that holds the output, held until the build ends.
    _lock: Option<std::fs::File>,
}

impl Staging {
    /// Prepares a build into `target`: refuses a folder realist did not build, removes leftovers of
    /// dead builds, and creates the staging folder. Nothing in `target` is changed.
    pub fn new(target: &Path) -> Result<Staging, Diagnostic> {
        let shown = target.to_path_buf();
        let fail = |e: std::io::Error| cannot_write(&shown, e);
        let (target, parent, name) = place(target)?;
        // Past a file-size limit (`ulimit -f`) the system kills the writer with SIGXFSZ, silently;
        // ignored, the write fails with EFBIG and the build reports it like a full disk.
        // SAFETY: setting a signal's disposition to SIG_IGN has no handler to be unsafe.
        unsafe { libc::signal(libc::SIGXFSZ, libc::SIG_IGN) };
        std::fs::create_dir_all(&parent).map_err(fail)?;
        let lock = lock(&parent, &shown).map_err(fail)?;
        let warnings = clean_leftovers(&parent, &name, &target, &shown);
        if on_another_device(&target, &parent) {
            return Err(Diagnostic::error(
                &shown,
                0,
                0,
                "the output folder is a mount point (it is on another file system than the \
                 folder that holds it), so it cannot be replaced in one step; nothing was written",
            )
            .with_help("use a folder inside it for --out"));
        }
        let manifest = if target.is_dir() {
            Some(read_manifest(&target, &shown)?)
        } else {
            None
        };
        let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
        std::fs::create_dir(&dir).map_err(fail)?;
        if let Err(e) = std::fs::File::create(dir.join(MARKER)) {
            let _ = std::fs::remove_dir(&dir);
            return Err(fail(e));
        }
        let previous = Arc::new(manifest.clone().unwrap_or_default());
        let listing = manifest.map(|manifest| {
            let live = target.clone();
            std::thread::spawn(move || kept_entries(&live, &manifest))
        });
        let live_id = listing.as_ref().and_then(|_| folder_id(&target).ok());
        let (mode, live) = match listing {
            Some(_) => (Mode::Update, Some(target.clone())),
            None => (Mode::Fresh, None),
        };
        Ok(Staging {
            output: Output::with_live(dir, live),
            target,
            shown,
            mode,
            listing,
            previous,
            live_id,
            warnings,
            _lock: Some(lock),
        })
    }

    /// A staging directory in the system's temporary folder, for a build that writes nothing
    /// (`realist check`); it is removed by [`Staging::abandon`]. It is made with a random name,
    /// only if new, readable by this user alone (`realist-check-PID-RANDOM`), and marked: a check
    /// that was killed leaves one, which the next check removes once that process is gone.
    pub fn scratch() -> Result<Staging, Diagnostic> {
        let temp = std::env::temp_dir();
        clean_scratch_leftovers(&temp);
        let dir = tempfile::Builder::new()
            .prefix(&format!("realist-check-{}-", std::process::id()))
            .tempdir_in(&temp)
            .map_err(|e| cannot_write(&temp, e))?
            .keep();
        if let Err(e) = std::fs::File::create(dir.join(MARKER)) {
            let _ = std::fs::remove_dir(&dir);
            return Err(cannot_write(&dir, e));
        }
        Ok(Staging {
            target: dir.clone(),
            shown: dir.clone(),
            output: Output::new(dir),
            mode: Mode::Scratch,
            listing: None,
            previous: Arc::default(),
            live_id: None,
            warnings: Vec::new(),
            _lock: None,
        })
    }

    /// What cleaning up after killed builds found to say (a user's file kept beside the output).
    pub fn take_warnings(&mut self) -> Vec<Diagnostic> {
        std::mem::take(&mut self.warnings)
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
    /// made. On error the output is as it was before the build, and the message says so. Returns
    /// a warning when a user's entry made during the build could not be placed in the new output
    /// (the old tree is then kept beside it).
    pub fn commit(mut self, written: &HashSet<String>) -> Result<Option<Diagnostic>, Diagnostic> {
        let dir = self.output.dir.clone();
        let listing = self.listing.take();
        let staged = folder_id(&dir).ok();
        let prepared = (|| {
            if let Some(listing) = listing {
                let kept = listing
                    .join()
                    .map_err(|_| "listing the output folder failed".to_string())??;
                carry_over(&self.target, &dir, &kept, written)?;
            }
            write_manifest(&self.output, written).map_err(|e| e.to_string())?;
            if self.mode == Mode::Update {
                copy_folder_modes(&self.target, &dir).map_err(|e| e.to_string())?;
            }
            let staged = staged.ok_or("the staging folder could not be examined")?;
            match self.mode {
                Mode::Update => self.switch_checked(&dir, staged),
                _ => write_journal(&dir, None, staged)
                    .and_then(|()| unmark(&dir, None))
                    .and_then(|()| std::fs::rename(&dir, &self.target))
                    .map_err(|e| e.to_string()),
            }
        })();
        if let Err(message) = prepared {
            // Only this build's own folder is deleted: a switch undone in vain leaves there what
            // was at the output path.
            if folder_id(&dir).ok() == staged {
                let _ = remove_tree(&dir);
            }
            let _ = std::fs::remove_file(journal(&dir));
            // Only the fallback switch can fail half-way, with the old output set aside.
            let state = match self.mode == Mode::Fresh || self.target.exists() {
                _ if folder_id(&self.target).ok() == staged => format!(
                    "the new site is in place, and what was at the output path is at {}, untouched",
                    dir.display()
                ),
                true => "it was left as it was".to_string(),
                false => format!("the previous output is in {}.old", dir.display()),
            };
            return Err(Diagnostic::error(
                &self.shown,
                0,
                0,
                format!("cannot update the output folder: {message}; {state}"),
            ));
        }
        if self.mode == Mode::Fresh {
            let _ = std::fs::remove_file(journal(&dir));
            return Ok(None);
        }
        let warning = self.finish_update(&dir, written);
        let _ = std::fs::remove_file(journal(&dir));
        Ok(warning)
    }

    /// After the switch: marks the old tree `dir`, moves the user's entries across and deletes the
    /// old tree. Every step that fails is said in the returned warning: the new site is in place,
    /// and a marked old tree left behind is deleted by the next build.
    fn finish_update(&self, dir: &Path, written: &HashSet<String>) -> Option<Diagnostic> {
        let mut problems = Vec::new();
        // The old tree is realist's to empty now, even where the output was read-only.
        let opened = open_up(dir).unwrap_or_else(|e| {
            problems.push(format!("cannot make the previous output writable: {e}"));
            Vec::new()
        });
        // Until now the journal said what this folder is; it goes once the user's entries are out.
        if let Err(e) = std::fs::File::create(dir.join(MARKER)) {
            problems.push(format!("cannot mark the previous output for deletion: {e}"));
        }
        // The user's entries were listed early; what they made or replaced since is only in the
        // old tree, so it is moved across before the tree is deleted. A kill here leaves the old
        // tree, marked, for the next build.
        let unplaced = rescue(dir, &self.target, &self.previous, written, &opened);
        // Done: a kill from here on leaves a marked tree of realist's files to delete, which
        // must not be taken for an old tree to rescue from once its manifest is deleted.
        let _ = std::fs::remove_file(journal(dir));
        if !unplaced.is_empty() {
            return Some(keep_old_tree(&self.shown, dir, &unplaced, &problems));
        }
        if let Err(e) = remove_opened_tree(dir) {
            problems.push(format!(
                "cannot delete the previous output at {} ({e}); the next build tries again",
                dir.display()
            ));
        }
        (!problems.is_empty()).then(|| {
            Diagnostic::warning(
                &self.shown,
                0,
                0,
                format!("the new site is in place, but {}", problems.join("; ")),
            )
        })
    }

    /// Trades the staging folder `dir` (the folder `staged`) for the live output, but only if the
    /// output path still holds the folder this build linked from: a folder moved away and replaced
    /// (by a symbolic link to another folder, say) during the build must not end up at the staging
    /// path, where the old tree is emptied and deleted. Checked before the switch, and once more
    /// after it (the path can change in between); then the switch is undone. Just before the
    /// switch the journal is written and the staging folder loses its marker and takes the live
    /// folder's mode, so that the exchange is the one step between the old site and the new.
    fn switch_checked(&self, dir: &Path, staged: FolderId) -> Result<(), String> {
        let replaced = |_| {
            "the output folder was moved or replaced during the build (it is no longer the \
             folder the build started from)"
                .to_string()
        };
        let id = self
            .live_id
            .ok_or("the output folder could not be examined")?;
        same_folder(&self.target, id).map_err(replaced)?;
        // Names the folder that becomes the old tree, for the next build if this one is killed
        // after the switch, before the old tree is marked or while the user's entries are moved.
        write_journal(dir, Some(id), staged).map_err(|e| e.to_string())?;
        unmark(dir, Some(&self.target)).map_err(|e| e.to_string())?;
        switch(dir, &self.target, id).map_err(|e| e.to_string())?;
        if let Err(e) = same_folder(dir, id) {
            // Undone, the output path holds what the user put there again.
            let _ = exchange(dir, &self.target);
            return Err(replaced(e));
        }
        Ok(())
    }

    /// Gives up on this build: the output is untouched.
    pub fn abandon(mut self) {
        if let Some(listing) = self.listing.take() {
            let _ = listing.join();
        }
        let _ = remove_tree(&self.output.dir);
    }
}

/// Waits for, and takes, the lock on the folder `parent`: two builds into the same output run one
/// after the other, so one never links files from an output the other is replacing. The lock is
/// the system's (`flock`), released when the process ends, even when it is killed; no lock file
/// is left beside the output. A build that has to wait says so on stderr, naming the output
/// `shown`, so that it does not look hung.
fn lock(parent: &Path, shown: &Path) -> std::io::Result<std::fs::File> {
    use std::os::fd::AsRawFd;
    let dir = std::fs::File::open(parent)?;
    // SAFETY: flock on a descriptor that stays open as long as the returned File.
    let flock = |how| match unsafe { libc::flock(dir.as_raw_fd(), how) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    };
    match flock(libc::LOCK_EX | libc::LOCK_NB) {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
            eprintln!(
                "waiting for another build into {} to finish",
                crate::diagnostics::printable_inline(&shown.display().to_string())
            );
            flock(libc::LOCK_EX)?;
        }
        other => other?,
    }
    Ok(dir)
}

/// Whether the existing folder `target` is on another device than `parent` (a mount point, such
/// as a container's volume): it could not be renamed.
fn on_another_device(target: &Path, parent: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(target), std::fs::metadata(parent)) {
        (Ok(t), Ok(p)) => t.dev() != p.dev(),
        _ => false,
    }
}

/// The problem of an output folder that cannot be written.
pub fn cannot_write(shown: &Path, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(
        shown,
        0,
        0,
        format!("cannot write the output folder {}: {e}", shown.display()),
    )
}

/// The output folder `target` with links resolved (when it exists), the folder that holds it, and
/// its name. A file, or a path without a name (`/`, `..`), is refused.
fn place(target: &Path) -> Result<(PathBuf, PathBuf, String), Diagnostic> {
    let refuse = |message: &str, help: &str| {
        Diagnostic::error(target, 0, 0, message.to_string()).with_help(help.to_string())
    };
    let resolved = match std::fs::symlink_metadata(target) {
        Ok(_) => std::fs::canonicalize(target).map_err(|e| cannot_write(target, e))?,
        Err(_) => target.to_path_buf(),
    };
    if resolved.exists() && !resolved.is_dir() {
        return Err(refuse(
            "the output folder is a file",
            "choose a folder for --out",
        ));
    }
    let (parent, name) = parent_and_name(&resolved).ok_or_else(|| {
        refuse(
            "cannot use this path as the output folder",
            "choose a new or empty folder for --out",
        )
    })?;
    Ok((resolved, parent, name))
}

/// The folder that holds `target`, and `target`'s name.
fn parent_and_name(target: &Path) -> Option<(PathBuf, String)> {
    let name = match target.components().next_back()? {
        Component::Normal(name) => name.to_str()?.to_string(),
        _ => return None,
    };
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some((parent.to_path_buf(), name))
}

/// Removes the staging folders `.NAME.building-PID` (and `.NAME.building-PID.old`) in `parent`
/// that hold the marker and whose process is no longer running. A `.old` folder is the previous
/// output set aside by the fallback switch: if the output is missing, it is renamed back instead
/// (without the marker). A folder that its journal names as the old tree of a switch, marked or
/// not, first has the user's entries moved into the output ([`settle_old_tree`]). Returns what
/// that has to tell, naming the output `shown`.
fn clean_leftovers(parent: &Path, name: &str, target: &Path, shown: &Path) -> Vec<Diagnostic> {
    let prefix = format!(".{name}.building-");
    let mut warnings = Vec::new();
    let Ok(entries) = std::fs::read_dir(parent) else {
        return warnings;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        if let Some(pid) = rest.strip_suffix(".switch") {
            remove_orphan_journal(&entry.path(), pid);
            continue;
        }
        let (pid, aside) = match rest.strip_suffix(".old") {
            Some(pid) => (pid, true),
            None => (rest, false),
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        let marked =
            std::fs::symlink_metadata(entry.path().join(MARKER)).is_ok_and(|m| m.is_file());
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let id = folder_id(&entry.path()).ok();
        let named = read_journal(&entry.path()).filter(|_| !aside && is_dir);
        let old_tree = named.is_some_and(|j| j.old.is_some() && j.old == id);
        // Killed between the marker's removal and the switch, or just after the first switch.
        let staged = named.is_some_and(|j| Some(j.staging) == id);
        if !is_dir || pid != std::process::id() && process_alive(pid) {
            continue;
        }
        if !(marked || old_tree || staged) {
            // Killed between making its staging folder and marking it; a user's folder that only
            // has such a name loses nothing, as only an empty one is removed.
            let _ = std::fs::remove_dir(entry.path());
            continue;
        }
        if old_tree {
            warnings.extend(settle_old_tree(&entry.path(), target, shown));
            continue;
        }
        if aside && !target.exists() {
            let _ = std::fs::remove_file(entry.path().join(MARKER));
            if std::fs::rename(entry.path(), target).is_ok() {
                continue;
            }
        }
        // A journal of a build killed before its switch goes with its staging folder.
        if remove_tree(&entry.path()).is_ok() && !aside {
            let _ = std::fs::remove_file(journal(&entry.path()));
        }
    }
    warnings
}

/// Removes the scratch folders `realist-check-PID-RANDOM` in `temp` of checks that are gone: only
/// those that are folders (not links), hold the marker, and are this user's.
fn clean_scratch_leftovers(temp: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    // SAFETY: geteuid only reads the process's user id.
    let me = unsafe { libc::geteuid() };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("realist-check-")) else {
            continue;
        };
        let Some(Ok(pid)) = rest.split('-').next().map(str::parse::<u32>) else {
            continue;
        };
        let mine =
            std::fs::symlink_metadata(entry.path()).is_ok_and(|m| m.is_dir() && m.uid() == me);
        let marked =
            std::fs::symlink_metadata(entry.path().join(MARKER)).is_ok_and(|m| m.is_file());
        if mine && marked && pid != std::process::id() && !process_alive(pid) {
            let _ = remove_tree(&entry.path());
        }
    }
}

/// The journal of the staging folder `dir`, `DIR.switch`: written just before the switch, it holds
/// the device and inode of the folder that becomes the old tree at `dir` (none for a first build)
/// and of the staging folder itself, which it marks from then on.
fn journal(dir: &Path) -> PathBuf {
    let mut path = dir.as_os_str().to_owned();
    path.push(".switch");
    PathBuf::from(path)
}

/// What a journal names: the folder that becomes the old tree, and the staging folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Journal {
    old: Option<FolderId>,
    staging: FolderId,
}

/// Writes the journal of the staging folder `dir` (the folder `staging`), whose switch leaves the
/// folder `old` at `dir`: `OLD_DEV OLD_INO STAGING_DEV STAGING_INO`, with `- -` for no old tree.
fn write_journal(dir: &Path, old: Option<FolderId>, staging: FolderId) -> std::io::Result<()> {
    let old = old.map_or("- -".to_string(), |(dev, ino)| format!("{dev} {ino}"));
    let text = format!("{old} {} {}\n", staging.0, staging.1);
    std::fs::write(journal(dir), text)
}

/// The journal of the staging folder `dir`, if there is one that reads.
fn read_journal(dir: &Path) -> Option<Journal> {
    let text = std::fs::read_to_string(journal(dir)).ok()?;
    let words: Vec<&str> = text.split_whitespace().collect();
    let [old_dev, old_ino, dev, ino] = words[..] else {
        return None;
    };
    let number = |word: &str| word.parse::<u64>().ok();
    let old = match (old_dev, old_ino) {
        ("-", "-") => None,
        _ => Some((number(old_dev)?, number(old_ino)?)),
    };
    let staging = (number(dev)?, number(ino)?);
    Some(Journal { old, staging })
}

/// Removes the marker from the finished staging folder `dir` (the journal marks it now, and the
/// marker must not be published), then gives it the mode of the live output `live`, if any: only
/// now, as a read-only folder would have kept the marker.
fn unmark(dir: &Path, live: Option<&Path>) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::remove_file(dir.join(MARKER))?;
    let Some(live) = live else {
        return Ok(());
    };
    let mode = std::fs::symlink_metadata(live)?.permissions().mode() & 0o7777;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode))
}

/// Removes the journal `path` of a dead build `pid` whose staging folder is gone.
fn remove_orphan_journal(path: &Path, pid: &str) {
    let Ok(pid) = pid.parse::<u32>() else {
        return;
    };
    let dir = path.with_extension("");
    let is_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    if is_file && !process_alive(pid) && std::fs::symlink_metadata(dir).is_err() {
        let _ = std::fs::remove_file(path);
    }
}

/// Finishes the switch of a killed build whose old tree `old` was left: the user's entries in it
/// (those its own manifest does not name) are moved into the output `target` as after any switch,
/// and only then is it deleted; what cannot be placed keeps it, unmarked ([`keep_old_tree`]).
fn settle_old_tree(old: &Path, target: &Path, shown: &Path) -> Option<Diagnostic> {
    let manifest = |dir: &Path| {
        std::fs::read(dir.join(MANIFEST))
            .map(|bytes| parse_manifest(&String::from_utf8_lossy(&bytes)))
            .unwrap_or_default()
    };
    let opened = open_up(old).unwrap_or_default();
    let unplaced = rescue(old, target, &manifest(old), &manifest(target), &opened);
    // As after a switch ([`Staging::finish_update`]): the rest is realist's to delete.
    let _ = std::fs::remove_file(journal(old));
    if !unplaced.is_empty() {
        return Some(keep_old_tree(shown, old, &unplaced, &[]));
    }
    let e = remove_tree(old).err()?;
    let message = format!(
        "cannot delete the previous output left at {} by a killed build: {e}",
        old.display()
    );
    Some(Diagnostic::warning(shown, 0, 0, message))
}

/// Deletes the staging folder or old tree `dir`, its marker last, so that a build killed half-way
/// leaves a folder that is still marked, which the next build removes.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    // Never through a symbolic link: that would empty the folder it points to.
    folder_id(dir)?;
    open_up(dir)?;
    remove_opened_tree(dir)
}

/// [`remove_tree`] of a tree whose folders [`open_up`] has already made writable (one walk of a
/// large site's tens of thousands of folders fewer after a switch).
fn remove_opened_tree(dir: &Path) -> std::io::Result<()> {
    folder_id(dir)?;
    for entry in std::fs::read_dir(dir)?.flatten() {
        if entry.file_name() == MARKER {
            continue;
        }
        match entry.file_type()?.is_dir() {
            true => std::fs::remove_dir_all(entry.path())?,
            false => std::fs::remove_file(entry.path())?,
        }
    }
    let _ = std::fs::remove_file(dir.join(MARKER));
    std::fs::remove_dir(dir)
}

/// Whether a process `pid` is running (signal 0 checks without sending anything; a process of
/// another user answers "not permitted").
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks that the process exists.
    let answer = unsafe { libc::kill(pid, 0) };
    answer == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// The previous build's manifest in the live output `target`: the site-relative files it wrote.
/// A folder without one is refused unless it is empty or holds nothing but `.git` (a fresh clone of
/// a gh-pages branch): even a folder of dot-entries alone may be a home folder.
fn read_manifest(target: &Path, shown: &Path) -> Result<HashSet<String>, Diagnostic> {
    let path = target.join(MANIFEST);
    match std::fs::symlink_metadata(&path) {
        Ok(meta) if meta.is_file() => std::fs::read(&path)
            .map(|bytes| parse_manifest(&String::from_utf8_lossy(&bytes)))
            .map_err(|e| cannot_write(shown, e)),
        Ok(_) => Err(Diagnostic::error(
            shown,
            0,
            0,
            format!("the output folder's {MANIFEST} is not a file"),
        )),
        Err(_) => {
            let entries = std::fs::read_dir(target).map_err(|e| cannot_write(shown, e))?;
            let mut names = entries.flatten().map(|e| e.file_name());
            if names.any(|n| n != ".git") {
                return Err(not_realist_output(shown));
            }
            Ok(HashSet::new())
        }
    }
}

/// The refusal of a folder that holds files but no manifest.
fn not_realist_output(shown: &Path) -> Diagnostic {
    Diagnostic::error(
        shown,
        0,
        0,
        format!(
            "the output folder {} already holds files and has no {MANIFEST}, so realist cannot \
             tell which files it wrote; nothing was written and nothing in it was changed",
            shown.display()
        ),
    )
    .with_help(
        "choose a new or empty folder for --out (or a fresh clone that holds only .git); if this \
         folder is a site built by an older realist, which has no manifest, delete its contents \
         once and build again",
    )
}

/// The paths of a manifest's text; a line that is not a plain relative path is ignored.
pub fn parse_manifest(text: &str) -> HashSet<String> {
    text.lines()
        .map(unescape)
        .filter(|rel| is_plain_relative(rel))
        .collect()
}

/// Whether `rel` is a relative path of plain names (no `..`, `.`, root or empty part).
fn is_plain_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

fn escape(rel: &str) -> String {
    rel.replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// Writes the manifest of `written` into the staging folder, sorted (linked from the live output
/// when it is unchanged, like every other file).
fn write_manifest(out: &Output, written: &HashSet<String>) -> std::io::Result<()> {
    let mut paths: Vec<&String> = written.iter().filter(|r| *r != MANIFEST).collect();
    if let Some(bad) = paths.iter().find(|r| !super::is_site_relative(r)) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("internal error: {bad:?} is not a plain site-relative path"),
        ));
    }
    paths.sort();
    let mut text = String::with_capacity(paths.len() * 32);
    for rel in paths {
        text.push_str(&escape(rel));
        text.push('\n');
    }
    out.put(MANIFEST, text.as_bytes())
}

/// The entries of the live output `live` that the previous build did not write (not named in
/// `manifest`). An entry that is not a file, folder or symbolic link is an error, and so is a
/// mount point ([`mount_point`]).
fn kept_entries(live: &Path, manifest: &HashSet<String>) -> Result<Vec<Kept>, String> {
    use std::os::unix::fs::MetadataExt;
    let mut kept = Vec::new();
    let device = std::fs::symlink_metadata(live)
        .map_err(|e| format!("cannot read it: {e}"))?
        .dev();
    for entry in walkdir::WalkDir::new(live).min_depth(1) {
        let entry = entry.map_err(|e| format!("cannot read it: {e}"))?;
        let rel = entry.path().strip_prefix(live).unwrap_or(entry.path());
        let kind = entry.file_type();
        if kind.is_dir() {
            mount_point(&entry, rel, device)?;
        }
        let realist = rel.to_str().is_some_and(|r| manifest.contains(r));
        if rel == Path::new(MANIFEST) || rel == Path::new(MARKER) || kind.is_file() && realist {
            continue;
        }
        let rel = rel.to_path_buf();
        if kind.is_file() {
            kept.push(Kept::File(rel));
        } else if kind.is_symlink() {
            kept.push(Kept::Symlink(rel));
        } else if kind.is_dir() {
            let empty = std::fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_none());
            if empty {
                kept.push(Kept::EmptyDir(rel));
            }
        } else {
            return Err(format!(
                "{} is not a file, folder or symbolic link (a pipe, socket or device), and \
                 realist does not carry such entries over; move it out of the output folder",
                rel.display()
            ));
        }
    }
    Ok(kept)
}

/// Refuses the folder `entry` of the output (at `rel`) if another file system is mounted there: it
/// cannot be linked nor moved with the output, and copying it would duplicate a whole disk.
fn mount_point(entry: &walkdir::DirEntry, rel: &Path, device: u64) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    let meta = entry
        .metadata()
        .map_err(|e| format!("cannot read it: {e}"))?;
    match meta.dev() == device {
        true => Ok(()),
        false => Err(format!(
            "{} is a mount point (another file system is mounted there), and realist does not \
             carry those over; unmount it or mount it elsewhere",
            rel.display()
        )),
    }
}

/// Moves every entry of the old tree `old` that the manifest `previous` does not name (the user's)
/// into the new output `target` at the same path, unless the same file is already there. A stale
/// link to an older version of the user's file is replaced; a file or folder of the new site is
/// not. Returns the paths that could not be placed.
fn rescue(
    old: &Path,
    target: &Path,
    previous: &HashSet<String>,
    written: &HashSet<String>,
    opened: &[(PathBuf, u32)],
) -> Vec<Unplaced> {
    let mut unplaced = Vec::new();
    let mut made = Vec::new();
    // WalkDir follows a root that is a symbolic link; the old tree must be the folder itself.
    if folder_id(old).is_err() {
        return unplaced;
    }
    for entry in walkdir::WalkDir::new(old).follow_links(false).min_depth(1) {
        // What cannot be read may be the user's: the old tree is kept.
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let at = e.path().unwrap_or(old).to_path_buf();
                let rel = at
                    .strip_prefix(old)
                    .unwrap_or(&at)
                    .to_string_lossy()
                    .into_owned();
                unplaced.push((rel, e.into()));
                continue;
            }
        };
        let rel = entry.path().strip_prefix(old).unwrap_or(entry.path());
        let name = rel.to_string_lossy();
        let kind = entry.file_type();
        let realist = kind.is_file() && previous.contains(name.as_ref());
        if realist || rel == Path::new(MANIFEST) || rel == Path::new(MARKER) {
            continue;
        }
        let dest = target.join(rel);
        let placed = match kind.is_dir() {
            true => rescue_empty_folder(entry.path(), &dest, opened, &mut made),
            false => rescue_entry(
                entry.path(),
                &dest,
                written.contains(name.as_ref()),
                &mut made,
            ),
        };
        if let Err(e) = placed {
            unplaced.push((name.into_owned(), e));
        }
    }
    // Modes last, innermost first: a read-only folder would have refused what was moved into it.
    // A folder left with the default mode holds the user's files all the same: not worth keeping
    // the old tree for.
    for (dest, from) in made.iter().rev() {
        let _ = restore_mode(dest, from, opened);
    }
    unplaced
}

/// Makes the missing folders above `dest` in the new output, each owned like its twin above `from`
/// in the old tree (as root; otherwise the user's own anyway), and notes them in `made` to be
/// given their twin's mode once everything is moved in.
fn make_parents(
    from: &Path,
    dest: &Path,
    made: &mut Vec<(PathBuf, PathBuf)>,
) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let (mut d, mut f) = (dest.parent(), from.parent());
    while let (Some(dir), Some(twin)) = (d, f) {
        if std::fs::symlink_metadata(dir).is_ok() {
            break;
        }
        missing.push((dir.to_path_buf(), twin.to_path_buf()));
        (d, f) = (dir.parent(), twin.parent());
    }
    for (dir, twin) in missing.into_iter().rev() {
        std::fs::create_dir(&dir)?;
        same_owner(&twin, &dir);
        made.push((dir, twin));
    }
    Ok(())
}

/// Gives the folder `dir` the owner and group of `twin` where they differ, which only root can:
/// elsewhere the attempt fails and the folder stays the user's own.
fn same_owner(twin: &Path, dir: &Path) {
    use std::os::unix::fs::MetadataExt;
    let (Ok(want), Ok(has)) = (
        std::fs::symlink_metadata(twin),
        std::fs::symlink_metadata(dir),
    ) else {
        return;
    };
    if (want.uid(), want.gid()) != (has.uid(), has.gid()) {
        let _ = std::os::unix::fs::lchown(dir, Some(want.uid()), Some(want.gid()));
    }
}

/// A folder of the old tree: only an empty one is moved (a folder that holds anything is made
/// in the new tree as its entries are moved; it may hold realist's files the new site no longer
/// makes).
fn rescue_empty_folder(
    from: &Path,
    dest: &Path,
    opened: &[(PathBuf, u32)],
    made: &mut Vec<(PathBuf, PathBuf)>,
) -> std::io::Result<()> {
    let empty = std::fs::read_dir(from).is_ok_and(|mut d| d.next().is_none());
    match std::fs::symlink_metadata(dest) {
        Ok(meta) if meta.is_dir() || !empty => Ok(()),
        Ok(_) => Err(std::io::ErrorKind::AlreadyExists.into()),
        Err(_) if !empty => Ok(()),
        Err(_) => {
            make_parents(from, dest, made)?;
            // Renamed, the folder keeps its owner; its mode is the one open_up found.
            std::fs::rename(from, dest)?;
            restore_mode(dest, from, opened)
        }
    }
}

/// Gives the folder `dest` the mode of its twin `from` in the old tree: the one [`open_up`]
/// changed, if it did.
fn restore_mode(dest: &Path, from: &Path, opened: &[(PathBuf, u32)]) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = match opened.iter().find(|(path, _)| path == from) {
        Some((_, mode)) => *mode,
        None => std::fs::symlink_metadata(from)?.permissions().mode() & 0o7777,
    };
    std::fs::set_permissions(dest, std::fs::Permissions::from_mode(mode))
}

/// Adds the owner's read, write and search permission to every folder of `dir` (itself included)
/// that lacks it, so that a tree realist is about to empty can be emptied even where the output
/// or a folder in it was read-only. Returns the folders changed, with their modes before.
fn open_up(dir: &Path) -> std::io::Result<Vec<(PathBuf, u32)>> {
    use std::os::unix::fs::PermissionsExt;
    let mut opened = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let meta = std::fs::symlink_metadata(&folder)?;
        if !meta.is_dir() {
            continue;
        }
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o700 != 0o700 {
            std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(mode | 0o700))?;
            opened.push((folder.clone(), mode));
        }
        for entry in std::fs::read_dir(&folder)? {
            let entry = entry?;
            if entry.file_type()?.is_dir() {
                folders.push(entry.path());
            }
        }
    }
    Ok(opened)
}

/// A user's file or link of the old tree: moved to `dest` unless the same file is there already.
/// What stands there is replaced only if it is not the new site's (`site`) and not a folder.
fn rescue_entry(
    from: &Path,
    dest: &Path,
    site: bool,
    made: &mut Vec<(PathBuf, PathBuf)>,
) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let source = std::fs::symlink_metadata(from)?;
    match std::fs::symlink_metadata(dest) {
        Ok(there) if there.dev() == source.dev() && there.ino() == source.ino() => Ok(()),
        Ok(there) if there.is_dir() || site => Err(std::io::ErrorKind::AlreadyExists.into()),
        Ok(_) => std::fs::rename(from, dest),
        Err(_) => {
            make_parents(from, dest, made)?;
            std::fs::rename(from, dest)
        }
    }
}

/// Keeps the old tree `dir`, which holds the user's entries `unplaced`, under a name no later
/// build removes, and says where, naming the output `shown`.
fn keep_old_tree(
    shown: &Path,
    dir: &Path,
    unplaced: &[Unplaced],
    problems: &[String],
) -> Diagnostic {
    let names: Vec<String> = unplaced.iter().map(|(name, _)| name.clone()).collect();
    let why = match &unplaced[0].1 {
        e if e.kind() == std::io::ErrorKind::AlreadyExists => {
            "the site now makes a file or folder there".to_string()
        }
        e => e.to_string(),
    };
    let at = set_aside(dir).unwrap_or_else(|_| dir.to_path_buf());
    // Unmarked, no build deletes it; a marked one would go with the user's files in it.
    let warning = match std::fs::remove_file(at.join(MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => format!(
            "; it still holds {MARKER} ({e}), so a later build will delete it: move \
             those files out now"
        ),
        _ => String::new(),
    };
    Diagnostic::warning(
        shown,
        0,
        0,
        format!(
            "{} made in the output folder during a build could not be placed in the new \
             output ({why}), so the previous output was kept in {}{warning}{}",
            name_list(&names),
            at.display(),
            problems
                .iter()
                .map(|p| format!("; {p}"))
                .collect::<String>()
        ),
    )
    .with_help("move those files where you want them, then delete that folder")
}

/// Renames the old tree `dir` to `DIR.kept-TIME`, a name of its own that no build cleans up: never
/// onto a folder already there (a kept folder of an earlier build whose PID was the same).
fn set_aside(dir: &Path) -> std::io::Result<PathBuf> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let mut last = std::io::Error::from(std::io::ErrorKind::AlreadyExists);
    for attempt in 0..100u32 {
        let mut kept = dir.as_os_str().to_owned();
        kept.push(format!(".kept-{}-{attempt}", now.as_nanos()));
        let kept = PathBuf::from(kept);
        match rename_no_replace(dir, &kept) {
            Ok(()) => return Ok(kept),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Renames `from` to `to` unless something is at `to` already (Linux `renameat2` with
/// `RENAME_NOREPLACE`; elsewhere, checked just before, which a racing writer could beat).
fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2(from, to, libc::RENAME_NOREPLACE) {
        Err(e) if exchange_unsupported(&e) => {}
        done => return done,
    }
    if std::fs::symlink_metadata(to).is_ok() {
        return Err(std::io::ErrorKind::AlreadyExists.into());
    }
    std::fs::rename(from, to)
}

/// A user's entry of the old tree that could not be moved into the new output, and why.
type Unplaced = (String, std::io::Error);

/// Up to twenty paths, quoted and joined, and how many more there are.
fn name_list(paths: &[String]) -> String {
    let mut list: Vec<String> = paths.iter().take(20).map(|p| format!("`{p}`")).collect();
    if paths.len() > 20 {
        list.push(format!("and {} more", paths.len() - 20));
    }
    list.join(", ")
}

/// Links the user's entries `kept` of the live output `live` into the staging folder `dir`. A
/// user's entry where the new site writes a file is an error: it is not realist's to replace.
/// Every such conflict is named (up to twenty), as the path the site now writes, so that one build
/// tells the user everything to move.
fn carry_over(
    live: &Path,
    dir: &Path,
    kept: &[Kept],
    written: &HashSet<String>,
) -> Result<(), String> {
    let mut conflicts = std::collections::BTreeSet::new();
    for entry in kept {
        let rel = match entry {
            Kept::File(rel) | Kept::Symlink(rel) | Kept::EmptyDir(rel) => rel,
        };
        let name = rel.to_string_lossy();
        if written.contains(name.as_ref()) {
            conflicts.insert(name.into_owned());
            continue;
        }
        let from = live.join(rel);
        match carry_one(entry, &from, &dir.join(rel)) {
            Ok(()) => {}
            // The user removed or replaced it since it was listed: the walk after the switch
            // moves what is there then.
            Err(_) if !still_listed_kind(entry, &from) => {}
            // A file of the site where the user's folder is, or the other way round.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::NotADirectory
                ) =>
            {
                conflicts.insert(site_path(&name, written));
            }
            Err(e) => return Err(format!("cannot carry {} over: {e}", rel.display())),
        }
    }
    if conflicts.is_empty() {
        return Ok(());
    }
    let conflicts: Vec<String> = conflicts.into_iter().collect();
    Err(format!(
        "what is at {} was not written by realist (it is not in {MANIFEST}), and the site now \
         makes a file there; move it away and build again",
        name_list(&conflicts)
    ))
}

/// The file the site writes that the user's entry `rel` stands in the way of: `rel` itself, a
/// folder of `rel` that the site now makes a file, or a file the site makes inside `rel`.
fn site_path(rel: &str, written: &HashSet<String>) -> String {
    let ancestor = rel
        .match_indices('/')
        .map(|(at, _)| &rel[..at])
        .find(|a| written.contains(*a));
    let inside = || {
        let folder = format!("{rel}/");
        written
            .iter()
            .filter(|w| w.starts_with(&folder))
            .min()
            .cloned()
    };
    match ancestor {
        Some(file) => file.to_string(),
        None => inside().unwrap_or_else(|| rel.to_string()),
    }
}

/// Gives every folder of the staging folder `dir` the mode of its twin in the live output `live`
/// (permissions with the setgid and sticky bits): folders are made anew in staging, and a user's
/// `.private` folder must stay 0700, a shared one keep its group. Folders are done after what they
/// hold, so a folder without write permission is changed last; `dir` itself only just before the
/// switch, once the marker has left it ([`unmark`]).
fn copy_folder_modes(live: &Path, dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // The output folder itself too: a web server's or deploy user's folder stays theirs.
    same_owner(live, dir);
    let folders = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .contents_first(true)
        .into_iter()
        .filter_entry(|e| e.file_type().is_dir());
    for entry in folders {
        let entry = entry?;
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        let Ok(twin) = std::fs::symlink_metadata(live.join(rel)) else {
            continue;
        };
        let mode = twin.permissions().mode() & 0o7777;
        if twin.is_dir() {
            same_owner(&live.join(rel), entry.path());
        }
        if twin.is_dir() && entry.metadata()?.permissions().mode() & 0o7777 != mode {
            std::fs::set_permissions(entry.path(), std::fs::Permissions::from_mode(mode))?;
        }
    }
    Ok(())
}

/// Whether the user's entry at `from` is still there, and of the kind it was listed as.
fn still_listed_kind(entry: &Kept, from: &Path) -> bool {
    std::fs::symlink_metadata(from).is_ok_and(|m| match entry {
        Kept::File(_) => m.is_file(),
        Kept::Symlink(_) => m.is_symlink(),
        Kept::EmptyDir(_) => m.is_dir(),
    })
}

/// Recreates the user's entry `from` at `to` in the staging folder: a hard link (a copy where
/// there are none), the same symbolic link, or an empty folder. Never replaces what is at `to`.
fn carry_one(entry: &Kept, from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match entry {
        Kept::File(_) => std::fs::hard_link(from, to).or_else(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Err(e),
            _ => std::fs::copy(from, to).map(drop),
        }),
        Kept::Symlink(_) => symlink(&std::fs::read_link(from)?, to),
        Kept::EmptyDir(_) => std::fs::create_dir_all(to),
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Makes the finished staging folder `dir` the output `target`, and leaves the old output at
/// `dir`: in one atomic exchange where the system has one, else by two renames.
fn switch(dir: &Path, target: &Path, id: FolderId) -> std::io::Result<()> {
    match exchange(dir, target) {
        Err(e) if exchange_unsupported(&e) => switch_by_renames(dir, target, id),
        other => other,
    }
}

/// [`switch`] without an atomic exchange: the output is renamed aside to `DIR.old`, the new one
/// renamed in, and the old one moved to `dir`. Between the first two renames the output path is
/// missing; a build that finds it so renames `DIR.old` back ([`clean_leftovers`]). What is set
/// aside must be the folder `id` (the marker is written into it), else it is put back.
fn switch_by_renames(dir: &Path, target: &Path, id: FolderId) -> std::io::Result<()> {
    let mut aside = dir.as_os_str().to_owned();
    aside.push(".old");
    let aside = PathBuf::from(aside);
    std::fs::rename(target, &aside)?;
    if let Err(e) = same_folder(&aside, id) {
        let _ = std::fs::rename(&aside, target);
        return Err(e);
    }
    let _ = std::fs::File::create(aside.join(MARKER));
    if let Err(e) = std::fs::rename(dir, target) {
        let _ = std::fs::rename(&aside, target);
        return Err(e);
    }
    std::fs::rename(&aside, dir)
}

/// A folder's device and inode.
type FolderId = (u64, u64);

/// The device and inode of the folder at `path` itself: a symbolic link is not followed, and is
/// an error.
fn folder_id(path: &Path) -> std::io::Result<FolderId> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::symlink_metadata(path)?;
    match meta.is_dir() {
        true => Ok((meta.dev(), meta.ino())),
        false => Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a folder", path.display()),
        )),
    }
}

/// Whether `path` is the folder `id` itself (not a link to it, nor another folder).
fn same_folder(path: &Path, id: FolderId) -> std::io::Result<()> {
    match folder_id(path)? == id {
        true => Ok(()),
        false => Err(std::io::Error::other(format!(
            "{} is not the folder it was",
            path.display()
        ))),
    }
}

/// Whether `e` says the file system or kernel has no atomic exchange.
fn exchange_unsupported(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::Unsupported
        || matches!(
            e.raw_os_error(),
            Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)
        )
}

/// Swaps the folders `a` and `b` in one step (Linux `renameat2` with `RENAME_EXCHANGE`): a reader
/// of either path sees one or the other, never neither.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    renameat2(a, b, libc::RENAME_EXCHANGE)
}

/// Linux `renameat2(from, to, flags)`, which std does not expose.
#[cfg(target_os = "linux")]
fn renameat2(from: &Path, to: &Path, flags: libc::c_uint) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(from.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let answer = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            flags,
        )
    };
    match answer {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// Refuses an output folder `out` inside one of the site's inputs (`content/`, `static/`,
/// `templates/`, the theme's folder) or one that is the site root or contains it: the next build
/// would read the output back as input. Paths are compared canonicalised; a folder that does not
/// exist yet is placed through its nearest existing ancestor.
pub fn refuse_out_inside_inputs(
    root: &Path,
    theme: Option<&str>,
    out: &Path,
) -> Option<Diagnostic> {
    let at = canonical(out);
    let site = canonical(root);
    let theme = theme.map(|t| ("the theme's folder", site.join("themes").join(t)));
    let inputs = [
        ("content/", site.join("content")),
        ("static/", site.join("static")),
        ("templates/", site.join("templates")),
    ];
    let problem = if site.starts_with(&at) {
        Some("it is the site's own folder or contains it".to_string())
    } else {
        inputs
            .iter()
            .chain(theme.iter())
            .find(|(_, dir)| at.starts_with(dir))
            .map(|(name, _)| format!("it is inside the site's {name}"))
    }?;
    Some(
        Diagnostic::error(
            out,
            0,
            0,
            format!("cannot use this output folder: {problem}, so every build would read its own output back; nothing was written"),
        )
        .with_help("choose an --out outside content/, static/, templates/ and themes/, such as the default ROOT/public"),
    )
}

/// `path` made absolute with links resolved, through its nearest existing ancestor; the parts
/// that do not exist yet are added by name (`..` removes the part before it).
fn canonical(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let parts: Vec<Component> = absolute.components().collect();
    for known in (0..=parts.len()).rev() {
        let base: PathBuf = parts[..known].iter().collect();
        let Ok(mut out) = std::fs::canonicalize(&base) else {
            continue;
        };
        for part in &parts[known..] {
            match part {
                Component::ParentDir => {
                    out.pop();
                }
                Component::Normal(name) => out.push(name),
                _ => {}
            }
        }
        return out;
    }
    absolute
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn an_update_swaps_in_what_changed_removes_what_is_gone_and_survives_a_change_of_shape() {
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        let mut manifest = String::new();
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
            manifest.push_str(rel);
            manifest.push('\n');
        }
        std::fs::write(live.join(MANIFEST), manifest).unwrap();
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
        // What is the same as in the live output is linked from there, not written.
        use std::os::unix::fs::MetadataExt;
        let inode = |p: &Path| std::fs::metadata(p).unwrap().ino();
        assert_eq!(
            inode(&out.dir.join("same/index.html")),
            inode(&live.join("same/index.html"))
        );
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
        std::fs::write(live.join(MANIFEST), "index.html\n").unwrap();
        let staging = Staging::new(&live).unwrap();
        staging.output().put("index.html", b"new").unwrap();
        staging.output().put("new/index.html", b"new").unwrap();
        staging.abandon();
        assert_eq!(read(&live.join("index.html")), "old");
        assert!(!live.join("new").exists());
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_manifest_round_trips_any_name_and_ignores_paths_out_of_the_folder() {
        let names = [
            "a/b.html",
            "static/new\nline.txt",
            "static/back\\slash",
            "static/cr\r",
        ];
        let text: String = names.iter().map(|n| escape(n) + "\n").collect();
        let parsed = parse_manifest(&text);
        assert_eq!(parsed.len(), names.len(), "{text:?}");
        for name in names {
            assert!(parsed.contains(name), "{name:?} lost in {text:?}");
        }
        let hostile = "../outside\n/etc/passwd\na//b\n./x\nok/../../y\n\nfine.html\n";
        assert_eq!(
            parse_manifest(hostile),
            HashSet::from(["fine.html".to_string()])
        );
    }

    #[test]
    fn a_users_file_made_during_the_build_where_the_site_writes_keeps_the_old_tree() {
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        std::fs::create_dir_all(&live).unwrap();
        std::fs::write(live.join(MANIFEST), "").unwrap();
        let mut staging = Staging::new(&live).unwrap();
        staging.output().put("page.html", b"site").unwrap();
        // The early listing is done before the user's file appears.
        let listed = staging.listing.take().unwrap().join().unwrap();
        staging.listing = Some(std::thread::spawn(move || listed));
        std::fs::write(live.join("page.html"), "the user's").unwrap();
        std::fs::write(live.join("notes.txt"), "kept").unwrap();
        let written = HashSet::from(["page.html".to_string()]);
        let warning = staging.commit(&written).unwrap().expect("a warning");
        assert!(warning.message.contains("`page.html`"), "{warning:?}");
        assert_eq!(read(&live.join("page.html")), "site");
        assert_eq!(read(&live.join("notes.txt")), "kept");
        let prefix = format!(".public.building-{}.kept-", std::process::id());
        let kept = std::fs::read_dir(parent.path())
            .unwrap()
            .flatten()
            .find(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .expect("a kept folder")
            .path();
        assert!(warning.message.contains(&kept.display().to_string()));
        assert_eq!(read(&kept.join("page.html")), "the user's");
        assert!(!kept.join(MARKER).exists(), "a kept folder is marked");
        // An earlier kept folder of the same PID is not replaced, and no build deletes either.
        let earlier = parent
            .path()
            .join(format!(".public.building-{}.kept", std::process::id()));
        std::fs::create_dir_all(&earlier).unwrap();
        std::fs::write(earlier.join(MARKER), "").unwrap();
        let empty = parent.path().join("empty");
        std::fs::create_dir_all(&empty).unwrap();
        let refused = rename_no_replace(&empty, &earlier).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::AlreadyExists);
        clean_leftovers(parent.path(), "public", &live, &live);
        assert!(kept.join("page.html").exists() && earlier.exists());
    }

    #[test]
    fn an_output_replaced_by_a_link_during_the_build_is_not_switched_nor_emptied() {
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        std::fs::create_dir_all(&live).unwrap();
        std::fs::write(live.join(MANIFEST), "").unwrap();
        let elsewhere = parent.path().join("elsewhere");
        std::fs::create_dir_all(elsewhere.join("sub")).unwrap();
        std::fs::write(elsewhere.join("sub/precious.txt"), "mine").unwrap();
        let staging = Staging::new(&live).unwrap();
        staging.output().put("index.html", b"site").unwrap();
        std::fs::rename(&live, parent.path().join("public.real")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, &live).unwrap();
        let written = HashSet::from(["index.html".to_string()]);
        let error = staging.commit(&written).unwrap_err();
        // The listing of the old output runs on a thread of its own: when it reads the folder
        // between the rename and the link, it is the listing that fails, not the switch.
        let refused = ["moved or replaced", "cannot read it"];
        assert!(
            refused.iter().any(|m| error.message.contains(m)),
            "{error:?}"
        );
        assert!(std::fs::symlink_metadata(&live).unwrap().is_symlink());
        assert_eq!(read(&elsewhere.join("sub/precious.txt")), "mine");
        // The old tree's walks never go through a link, even at their root.
        assert!(remove_tree(&live).is_err());
        let target = parent.path().join("new");
        std::fs::create_dir_all(&target).unwrap();
        assert!(rescue(&live, &target, &HashSet::new(), &HashSet::new(), &[]).is_empty());
        assert_eq!(read(&elsewhere.join("sub/precious.txt")), "mine");
        assert!(!target.join("sub").exists());
    }

    /// Run as root (the test suite is), permissions do not stop anything; as another user this
    /// also shows that a read-only output and folder inside it are emptied and deleted.
    #[test]
    fn a_read_only_output_keeps_its_mode_loses_the_marker_and_leaves_nothing_beside() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        std::fs::create_dir_all(live.join("locked")).unwrap();
        std::fs::write(live.join("locked/old.html"), "old").unwrap();
        std::fs::write(live.join(MANIFEST), "locked/old.html\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o7777;
        let set = |p: &Path, m| std::fs::set_permissions(p, PermissionsExt::from_mode(m)).unwrap();
        set(&live.join("locked"), 0o555);
        set(&live, 0o555);
        let staging = Staging::new(&live).unwrap();
        staging.output().put("locked/new.html", b"new").unwrap();
        let written = HashSet::from(["locked/new.html".to_string()]);
        assert!(staging.commit(&written).unwrap().is_none());
        assert_eq!((mode(&live), mode(&live.join("locked"))), (0o555, 0o555));
        assert!(!live.join(MARKER).exists(), "the marker was published");
        assert_eq!(read(&live.join("locked/new.html")), "new");
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 1);
        // A marked, read-only leftover is deleted all the same.
        let left = parent.path().join(".public.building-1");
        std::fs::create_dir_all(left.join("ro")).unwrap();
        std::fs::write(left.join(MARKER), "").unwrap();
        set(&left.join("ro"), 0o555);
        set(&left, 0o555);
        remove_tree(&left).unwrap();
        assert!(!left.exists());
        set(&live, 0o755);
    }

    #[test]
    fn an_old_tree_left_by_a_killed_build_has_the_users_files_moved_out_before_it_goes() {
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        std::fs::create_dir_all(&live).unwrap();
        std::fs::write(live.join("index.html"), "new").unwrap();
        std::fs::write(live.join(MANIFEST), "index.html\n").unwrap();
        // Old trees of dead builds, marked (killed while moving the user's files) or not (killed
        // right after the switch); staging folders killed before their switch, marked or not (the
        // journal marks them then); and a folder the journal names neither way, which is left.
        let leftover = |pid: u32, marked: bool, old: bool, staging: bool| {
            let dir = parent.path().join(format!(".public.building-{pid}"));
            std::fs::create_dir_all(dir.join("docs")).unwrap();
            std::fs::write(dir.join(MANIFEST), "old.html\n").unwrap();
            std::fs::write(dir.join("old.html"), "old").unwrap();
            std::fs::write(dir.join(format!("docs/user-{pid}.txt")), "mine").unwrap();
            if marked {
                std::fs::write(dir.join(MARKER), "").unwrap();
            }
            let id = folder_id(&dir).unwrap();
            let other = (0, 0);
            let old = old.then_some(id).or(Some(other));
            write_journal(&dir, old, if staging { id } else { other }).unwrap();
            dir
        };
        leftover(999_999_991, true, true, false);
        leftover(999_999_992, false, true, false);
        leftover(999_999_993, true, false, false);
        leftover(999_999_994, false, false, true);
        let users = leftover(999_999_995, false, false, false);
        let warnings = clean_leftovers(parent.path(), "public", &live, &live);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(read(&live.join("docs/user-999999991.txt")), "mine");
        assert_eq!(read(&live.join("docs/user-999999992.txt")), "mine");
        assert!(!live.join("docs/user-999999993.txt").exists());
        assert!(!live.join("docs/user-999999994.txt").exists());
        assert!(!live.join("old.html").exists() && !live.join(MARKER).exists());
        assert_eq!(read(&users.join("docs/user-999999995.txt")), "mine");
        let names: Vec<_> = std::fs::read_dir(parent.path())
            .unwrap()
            .flatten()
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    /// Owners can only be given as root, which the test suite runs as; elsewhere that part is
    /// skipped.
    #[test]
    fn folders_the_user_made_keep_their_mode_and_owner() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let parent = tempfile::tempdir().unwrap();
        let live = parent.path().join("public");
        std::fs::create_dir_all(live.join("early")).unwrap();
        std::fs::write(live.join("early/a.txt"), "a").unwrap();
        std::fs::write(live.join(MANIFEST), "").unwrap();
        // SAFETY: geteuid only reads the process's user id.
        let root = unsafe { libc::geteuid() } == 0;
        let chown = |p: &Path| {
            if root {
                std::os::unix::fs::lchown(p, Some(4321), Some(4322)).unwrap();
            }
        };
        chown(&live.join("early"));
        let mut staging = Staging::new(&live).unwrap();
        staging.output().put("index.html", b"site").unwrap();
        let listed = staging.listing.take().unwrap().join().unwrap();
        staging.listing = Some(std::thread::spawn(move || listed));
        // Made during the build, after the early listing.
        std::fs::create_dir_all(live.join("late/inner")).unwrap();
        std::fs::write(live.join("late/inner/b.txt"), "b").unwrap();
        for dir in ["late", "late/inner"] {
            chown(&live.join(dir));
            std::fs::set_permissions(live.join(dir), PermissionsExt::from_mode(0o750)).unwrap();
        }
        let written = HashSet::from(["index.html".to_string()]);
        assert!(staging.commit(&written).unwrap().is_none());
        assert_eq!(read(&live.join("late/inner/b.txt")), "b");
        for dir in ["early", "late", "late/inner"] {
            let meta = std::fs::metadata(live.join(dir)).unwrap();
            if dir != "early" {
                assert_eq!(meta.permissions().mode() & 0o7777, 0o750, "{dir}");
            }
            if root {
                assert_eq!((meta.uid(), meta.gid()), (4321, 4322), "{dir}");
            }
        }
    }

    #[test]
    fn both_switches_trade_the_folders_places() {
        for by_renames in [false, true] {
            let parent = tempfile::tempdir().unwrap();
            let (dir, target) = (parent.path().join(".o.building-1"), parent.path().join("o"));
            for (folder, text) in [(&dir, "new"), (&target, "old")] {
                std::fs::create_dir_all(folder).unwrap();
                std::fs::write(folder.join("f"), text).unwrap();
            }
            match by_renames {
                true => switch_by_renames(&dir, &target, folder_id(&target).unwrap()).unwrap(),
                false => switch(&dir, &target, folder_id(&target).unwrap()).unwrap(),
            }
            assert_eq!(read(&target.join("f")), "new");
            assert_eq!(read(&dir.join("f")), "old");
            assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 2);
        }
    }
}
