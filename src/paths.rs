//! The one policy for finding and opening a site's input files.
//!
//! Every input (site.yaml, content, the glossary, the bibliography, templates, static files and the
//! theme) is found and opened through this module, so one set of rules holds everywhere:
//!
//! - a path written by the author (in site.yaml) is relative and never climbs out with `..`;
//! - nothing is read whose real location, once symbolic links are followed, is outside the canonical
//!   site root; a link inside the site to a file inside the site is fine;
//! - only regular files are opened: a folder, named pipe (FIFO), socket or device is reported, never
//!   opened (opening a named pipe waits for a writer forever) and never skipped silently;
//! - a file whose name is not valid UTF-8 is reported, not read under a lossy name that could merge
//!   it with another file;
//! - a file or folder whose name holds a character no input may carry ([`crate::text::chars`]: a control
//!   character, a noncharacter, a bidirectional control) is reported, not copied to the output under
//!   a name that drives a terminal or displays as another name;
//! - a file or folder whose name holds a backslash is reported: browsers read `\` in a URL as `/`,
//!   so such a file could never be reached, and its name must never become a path of the output.
//!
//! A refused file is never opened, so its contents can never appear in a later message. The type is
//! checked before opening and again on the open file (opened without blocking), so a file swapped for
//! a named pipe in between is still refused.

use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

const OUTSIDE: &str = "a symbolic link that points outside the site root";
const OUTSIDE_HELP: &str =
    "realist reads only files inside the site; copy the file in instead of linking to it";

/// The site root with every symbolic link resolved (the root itself if that fails).
/// The nearest folder from `start` upwards that holds `site.yaml`: the site every command works
/// on when no `--root` is given, so that `check`, `build`, `serve` and `new` all work from any
/// folder inside a site. Only the presence of site.yaml is asked (not followed through a link).
pub fn nearest_site_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| std::fs::symlink_metadata(dir.join("site.yaml")).is_ok())
        .map(Path::to_path_buf)
}

pub fn canonical_root(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// True when a relative path is absolute or climbs out of its base with `..`.
pub fn escapes_root(path: &Path) -> bool {
    let mut depth: i32 = 0;
    for component in path.components() {
        match component {
            std::path::Component::Normal(_) => depth += 1,
            std::path::Component::ParentDir => depth -= 1,
            std::path::Component::CurDir => {}
            _ => return true,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// A problem with a name in `rel`: a file or folder name holding a refused character. The path is
/// printed escaped, as every diagnostic is.
pub fn bad_name(rel: &Path) -> Option<Diagnostic> {
    let names = || {
        rel.components()
            .filter_map(|part| part.as_os_str().to_str())
    };
    if names().any(|name| name.contains('\\')) {
        return Some(
            Diagnostic::error(rel, 0, 0, "the name contains a backslash (`\\`)").with_help(
                "rename it using letters, digits and `-`: browsers read `\\` in an address as `/`, \
                 so the file could never be reached",
            ),
        );
    }
    let (c, kind) = rel
        .components()
        .filter_map(|part| part.as_os_str().to_str())
        .find_map(crate::text::chars::first_refused)?;
    Some(
        Diagnostic::error(
            rel,
            0,
            0,
            format!("the name contains {kind} (U+{:04X})", c as u32),
        )
        .with_help("rename it using letters, digits and `-`: names are copied into the site"),
    )
}

/// The site-relative name of `rel`: its components joined with `/`, whatever the platform's
/// separator (a walk's names are valid UTF-8 and hold no backslash: [`bad_name`]).
pub fn slash_name(rel: &Path) -> String {
    let parts: Vec<_> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    parts.join("/")
}

/// The image types a page may show from beside its Markdown file under `content/`: copied into
/// the output, so never a type a browser would run (HTML) or that names other files.
pub const IMAGE_TYPES: [&str; 7] = ["png", "jpg", "jpeg", "gif", "svg", "webp", "avif"];

/// Whether `path` names an image of one of the [`IMAGE_TYPES`] (by its extension, in any case).
pub fn is_image(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_TYPES.contains(&e.to_ascii_lowercase().as_str()))
}

/// Whether anything (even a broken link or a named pipe) is at `root/rel`, without following it.
pub fn exists(root: &Path, rel: &Path) -> bool {
    std::fs::symlink_metadata(root.join(rel)).is_ok()
}

/// Why a file of this type cannot be read as an input, or None for a regular file.
fn not_a_file(meta: &Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
        if kind.is_block_device() || kind.is_char_device() {
            return Some("a device");
        }
    }
    Some("a special file")
}

/// Checks that `rel` may be read under the policy; returns where to open it (a path with no
/// symbolic link in its part below the root).
pub fn check_file(root: &Path, rel: &Path) -> Result<PathBuf, Diagnostic> {
    let (real, meta) = resolve(root, rel)?;
    match not_a_file(&meta) {
        None => Ok(real),
        Some(why) => Err(refused(rel, why)),
    }
}

/// Checks that `rel` resolves inside the site root; returns where it really is.
pub fn check_inside(root: &Path, rel: &Path) -> Result<PathBuf, Diagnostic> {
    resolve(root, rel).map(|(real, _)| real)
}

/// Where `rel` really is, and what is there (links followed), if that is inside the site root.
///
/// Each step below the root is looked at without following it; only when one is a link is the
/// whole path resolved (`canonicalize`) and compared with the canonical root. Content files are
/// rarely links, and this costs a few `lstat` calls per file instead of resolving every path.
fn resolve(root: &Path, rel: &Path) -> Result<(PathBuf, Metadata), Diagnostic> {
    if escapes_root(rel) {
        return Err(
            Diagnostic::error(rel, 0, 0, "the path leaves the site root")
                .with_help("paths are relative to the site root and must stay inside it"),
        );
    }
    if let Some(d) = bad_name(rel) {
        return Err(d);
    }
    let full = root.join(rel);
    let mut at = root.to_path_buf();
    let mut plain = !rel
        .components()
        .any(|c| c == std::path::Component::ParentDir);
    let mut last = None;
    for component in rel.components() {
        at.push(component);
        let meta = std::fs::symlink_metadata(&at).map_err(|e| cannot_read(rel, &e))?;
        if meta.file_type().is_symlink() {
            plain = false;
            break;
        }
        last = Some(meta);
    }
    if let (true, Some(meta)) = (plain, last) {
        return Ok((full, meta));
    }
    let real = full.canonicalize().map_err(|e| cannot_read(rel, &e))?;
    if !real.starts_with(canonical_root(root)) {
        return Err(Diagnostic::error(rel, 0, 0, OUTSIDE).with_help(OUTSIDE_HELP));
    }
    let meta = std::fs::metadata(&real).map_err(|e| cannot_read(rel, &e))?;
    Ok((real, meta))
}

/// Opens `root/rel` for reading under the policy.
pub fn open(root: &Path, rel: &Path) -> Result<File, Diagnostic> {
    let real = check_file(root, rel)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        // Without blocking: should the file have become a named pipe since the check, opening it
        // returns at once and the type check below refuses it. `real` has no links left in it, so
        // one that appears there since the check is not followed either.
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW);
    }
    let file = options.open(&real).map_err(|e| cannot_read(rel, &e))?;
    let meta = file.metadata().map_err(|e| cannot_read(rel, &e))?;
    match not_a_file(&meta) {
        None => Ok(file),
        Some(why) => Err(refused(rel, why)),
    }
}

/// Reads all of `root/rel` under the policy.
pub fn read(root: &Path, rel: &Path) -> Result<Vec<u8>, Diagnostic> {
    let mut file = open(root, rel)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| cannot_read(rel, &e))?;
    Ok(bytes)
}

fn cannot_read(rel: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(rel, 0, 0, format!("cannot read file: {e}"))
}

fn refused(rel: &Path, why: &str) -> Diagnostic {
    Diagnostic::error(rel, 0, 0, format!("this is {why}, where a file is expected"))
        .with_help("realist reads only ordinary files (never pipes, sockets or devices); replace it with a file, or remove it")
}

/// Why [`create_new`] did not write a file.
#[derive(Debug)]
pub enum CreateError {
    /// Something (a file, a folder, a link, even a broken one) is already there.
    Exists,
    /// The policy refuses the path: it leaves the site, or a step of it is a link out of the site
    /// or a file where a folder is expected.
    Refused(Diagnostic),
    /// The file system failed.
    Io(Diagnostic),
}

/// Creates the new file `root/rel` holding `bytes`, under the same policy as reading: the path
/// stays inside the canonical site root, a step that is a link is followed only to a folder inside
/// the site, missing folders are made one at a time, and the file itself must not exist in any
/// form. It is created with `O_CREAT | O_EXCL` (and `O_NOFOLLOW`), so a link put there, even a
/// broken one, is never written through.
pub fn create_new(root: &Path, rel: &Path, bytes: &[u8]) -> Result<(), CreateError> {
    if escapes_root(rel) || rel.file_name().is_none() {
        return Err(CreateError::Refused(
            Diagnostic::error(rel, 0, 0, "the path leaves the site root")
                .with_help("paths are relative to the site root and must stay inside it"),
        ));
    }
    if let Some(d) = bad_name(rel) {
        return Err(CreateError::Refused(d));
    }
    let root = root
        .canonicalize()
        .map_err(|e| CreateError::Io(cannot_write(rel, &e)))?;
    let mut real = root.clone();
    let parent = rel.parent().unwrap_or(Path::new(""));
    for component in parent.components() {
        real = folder_step(&root, &real.join(component), rel)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let name = rel.file_name().expect("checked above");
    let link = std::fs::symlink_metadata(real.join(name)).is_ok_and(|m| m.file_type().is_symlink());
    if link {
        return Err(CreateError::Refused(
            Diagnostic::error(rel, 0, 0, "a symbolic link is already there")
                .with_help("realist never writes through a link; remove it or choose another name"),
        ));
    }
    let mut file = match options.open(real.join(name)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(CreateError::Exists),
        Err(e) => return Err(CreateError::Io(cannot_write(rel, &e))),
    };
    std::io::Write::write_all(&mut file, bytes).map_err(|e| CreateError::Io(cannot_write(rel, &e)))
}

/// One folder step of [`create_new`]: `at` made if missing, or followed if it is a link to a folder
/// inside `root`. Returns where the step really is.
fn folder_step(root: &Path, at: &Path, rel: &Path) -> Result<PathBuf, CreateError> {
    let refused = |why: &str| {
        CreateError::Refused(
            Diagnostic::error(rel, 0, 0, why.to_string())
                .with_help("realist writes new files only into folders of the site itself"),
        )
    };
    let meta = match std::fs::symlink_metadata(at) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match std::fs::create_dir(at) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(CreateError::Io(cannot_write(rel, &e))),
            }
            std::fs::symlink_metadata(at).map_err(|e| CreateError::Io(cannot_write(rel, &e)))?
        }
        Err(e) => return Err(CreateError::Io(cannot_write(rel, &e))),
        Ok(meta) => meta,
    };
    if meta.is_dir() {
        return Ok(at.to_path_buf());
    }
    if !meta.file_type().is_symlink() {
        return Err(refused(&format!(
            "`{}` is a file, where a folder is expected",
            at.file_name().unwrap_or_default().to_string_lossy()
        )));
    }
    match at.canonicalize() {
        Ok(real) if real.starts_with(root) && real.is_dir() => Ok(real),
        Ok(real) if real.starts_with(root) => Err(refused(&format!(
            "`{}` links to a file, where a folder is expected",
            at.file_name().unwrap_or_default().to_string_lossy()
        ))),
        _ => Err(refused(&format!(
            "`{}` is a symbolic link that points outside the site root",
            at.file_name().unwrap_or_default().to_string_lossy()
        ))),
    }
}

fn cannot_write(rel: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(rel, 0, 0, format!("cannot write file: {e}"))
}

/// The one error for a file (or a link to one) where an input folder is expected: `content/`, a
/// content folder such as `content/pages`, `static/`, `templates/`, a theme or one of its folders.
/// Always an error, never a warning: the folder's files would otherwise be missing without a word.
pub fn not_a_folder(rel: &Path) -> Diagnostic {
    Diagnostic::error(rel, 0, 0, "a file, where a folder is expected")
        .with_help("make it a folder (rename or remove the file)")
}

/// What [`walk`] found below a folder, as project-relative paths in a stable order.
#[derive(Debug, Default)]
pub struct Walk {
    /// Regular files (or links to regular files inside the site).
    pub files: Vec<PathBuf>,
    /// Sub-folders (not the folder walked).
    pub folders: Vec<PathBuf>,
    /// Everything refused: links out of the site, pipes, sockets, devices, non-UTF-8 names.
    pub problems: Vec<Diagnostic>,
}

/// Lists everything below `root/dir` under the policy. A missing folder is an empty walk; a folder
/// that is itself outside the site is one problem and is not walked.
pub fn walk(root: &Path, dir: &Path) -> Walk {
    let mut found = Walk::default();
    if !exists(root, dir) {
        return found;
    }
    match check_inside(root, dir) {
        Err(d) => found.problems.push(d),
        Ok(real) if !real.is_dir() => found.problems.push(not_a_folder(dir)),
        Ok(_) => return walk_inside(root, dir, found),
    }
    found
}

/// [`walk`] of a folder already known to be inside the site.
fn walk_inside(root: &Path, dir: &Path, mut found: Walk) -> Walk {
    let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_path_buf();
    let mut walker = walkdir::WalkDir::new(root.join(dir))
        .follow_links(true)
        .sort_by_file_name()
        .into_iter();
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                found.problems.push(walk_error(&e, &relative, dir));
                continue;
            }
        };
        let rel = relative(entry.path());
        let is_dir = entry.file_type().is_dir();
        if let Some(d) = refuse_entry(root, &entry, &rel) {
            found.problems.push(d);
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if entry.depth() == 0 {
            continue;
        }
        if is_dir {
            found.folders.push(rel);
        } else if entry.file_type().is_file() {
            found.files.push(rel);
        } else if let Ok(meta) = entry.metadata() {
            found
                .problems
                .push(refused(&rel, not_a_file(&meta).unwrap_or("a special file")));
        }
    }
    found
}

/// A problem with one entry of a walk: a name that is not UTF-8 or holds a refused character, or a
/// link out of the site.
fn refuse_entry(root: &Path, entry: &walkdir::DirEntry, rel: &Path) -> Option<Diagnostic> {
    if entry.depth() > 0 && entry.file_name().to_str().is_none() {
        return Some(
            Diagnostic::error(rel, 0, 0, "the file name is not valid UTF-8")
                .with_help("rename it using letters, digits and `-`"),
        );
    }
    if let Some(d) = (entry.depth() > 0).then(|| bad_name(rel)).flatten() {
        return Some(d);
    }
    if entry.path_is_symlink() {
        let inside = entry
            .path()
            .canonicalize()
            .is_ok_and(|p| p.starts_with(canonical_root(root)));
        if !inside {
            return Some(Diagnostic::error(rel, 0, 0, OUTSIDE).with_help(OUTSIDE_HELP));
        }
    }
    None
}

fn walk_error(e: &walkdir::Error, relative: &impl Fn(&Path) -> PathBuf, dir: &Path) -> Diagnostic {
    let rel = e.path().map(relative).unwrap_or_else(|| dir.to_path_buf());
    if e.loop_ancestor().is_some() {
        Diagnostic::error(
            rel,
            0,
            0,
            "a symbolic link loop: this folder links back to one of its parents",
        )
        .with_help("remove the link or point it at a real folder")
    } else {
        Diagnostic::error(rel, 0, 0, format!("cannot read: {e}"))
            .with_help("remove the link or point it at a real file")
    }
}

/// The site's text inputs a published name can come from: site.yaml, everything under
/// `content/`, `templates/` and `static/`, the bibliography, and the theme's templates and static
/// files when the site has its own theme folder.
pub fn text_inputs(root: &Path, bibliography: Option<&Path>, theme: &str) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("site.yaml")];
    let theme = Path::new("themes").join(theme);
    for dir in [
        PathBuf::from("content"),
        PathBuf::from("templates"),
        PathBuf::from("static"),
        theme.join("templates"),
        theme.join("static"),
        theme.join("pdf"),
    ] {
        files.extend(walk(root, &dir).files);
    }
    files.extend(bibliography.map(Path::to_path_buf));
    files.retain(|f| {
        is_text_file(&f.to_string_lossy())
            || std::fs::File::open(root.join(f))
                .and_then(|mut file| starts_as_text(&mut file))
                .unwrap_or(false)
    });
    files.sort();
    files.dedup();
    files
}

/// Whether the file begins as UTF-8 text: its first 8 KiB have no NUL and no invalid UTF-8
/// (a character cut at the end aside), and it is not a format [`is_carrier`] knows. Binary files
/// (images, fonts, PDF, Office files) fail at once; their text is compressed or encoded, so the
/// lint cannot read it as written.
pub fn starts_as_text(source: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek};
    let mut head = Vec::with_capacity(8192);
    Read::by_ref(source).take(8192).read_to_end(&mut head)?;
    source.rewind()?;
    Ok(is_text_head(&head) && !is_carrier(&head))
}

/// Whether `head`, the first bytes of a file, is UTF-8 (a character cut at the end aside) with
/// no NUL.
pub fn is_text_head(head: &[u8]) -> bool {
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    utf8 && !head.contains(&0)
}

/// Whether a file that begins with `head` is, by its first bytes, a format that carries its text
/// in a form of its own whatever its name and whether its bytes are ASCII: a PDF (whose streams
/// may be uncompressed), PNG, JPEG, GIF, WebP, TIFF, a zip archive, or text in UTF-16 (by its
/// byte order mark). The lint reads these through `write::carried_text`, never as raw bytes.
pub fn is_carrier(head: &[u8]) -> bool {
    const MAGIC: &[&[u8]] = &[
        b"%PDF-",
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF87a",
        b"GIF89a",
        b"II*\0",
        b"MM\0*",
        b"PK\x03\x04",
        b"PK\x05\x06",
        b"\xff\xfe",
        b"\xfe\xff",
    ];
    let webp = head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP");
    webp || MAGIC.iter().any(|m| head.starts_with(m))
}

/// The file types whose bytes are text, read by the lint as written. Other files (images, PDF,
/// XLSX, the search index's compressed parts) are scanned through the text handed to the
/// library that writes them, or not at all.
pub fn is_text_file(name: &str) -> bool {
    const TEXT: &[&str] = &[
        "html",
        "htm",
        "xml",
        "json",
        "csv",
        "tsv",
        "txt",
        "svg",
        "css",
        "js",
        "mjs",
        "bib",
        "ris",
        "md",
        "markdown",
        "yaml",
        "yml",
        "webmanifest",
        "ics",
        "vtt",
        "srt",
        "tex",
        "typ",
        "rss",
        "atom",
    ];
    let file = name.rsplit('/').next().unwrap_or(name);
    let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    ext.is_some_and(|e| TEXT.contains(&e.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn only_regular_files_inside_the_root_are_opened() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::write(outside.path().join("key"), "secret").unwrap();
        std::fs::create_dir_all(r.join("a/b")).unwrap();
        std::fs::write(r.join("a/b/ok.md"), "ok").unwrap();
        std::os::unix::fs::symlink("b/ok.md", r.join("a/in.md")).unwrap();
        std::os::unix::fs::symlink("a/b", r.join("dir")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("key"), r.join("a/out.md")).unwrap();
        std::os::unix::fs::symlink(outside.path(), r.join("a/outdir")).unwrap();
        let fifo = std::ffi::CString::new(r.join("a/p.md").as_os_str().as_encoded_bytes());
        // SAFETY: a valid NUL-terminated path; mkfifo touches no memory of ours.
        assert_eq!(unsafe { libc::mkfifo(fifo.unwrap().as_ptr(), 0o644) }, 0);
        for ok in [
            "a/b/ok.md",
            "a/in.md",
            "dir/ok.md",
            "a/./b/ok.md",
            "a/b/../b/ok.md",
        ] {
            assert_eq!(read(r, Path::new(ok)).unwrap(), b"ok", "{ok}");
        }
        for (bad, says) in [
            ("a/out.md", "outside"),
            ("a/outdir/key", "outside"),
            ("a/p.md", "named pipe"),
            ("a/b", "folder"),
            ("../key", "leaves"),
            ("a/missing.md", "cannot read"),
        ] {
            let d = read(r, Path::new(bad)).unwrap_err();
            assert!(d.message.contains(says), "{bad}: {}", d.message);
            assert_eq!(d.path, Path::new(bad));
        }
        let walk = walk(r, Path::new("a"));
        assert_eq!(walk.files, [Path::new("a/b/ok.md"), Path::new("a/in.md")]);
        assert_eq!(walk.problems.len(), 3, "{:?}", walk.problems);
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_created_only_inside_the_root_never_through_a_link() {
        let root = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let r = root.path();
        let link =
            |target: &Path, at: &str| std::os::unix::fs::symlink(target, r.join(at)).unwrap();
        std::fs::create_dir_all(r.join("in")).unwrap();
        std::fs::write(r.join("file"), "mine").unwrap();
        link(&outside.path().join("new.md"), "dangling.md");
        link(outside.path(), "out");
        link(Path::new("in"), "inlink");
        link(Path::new("file"), "filelink");
        create_new(r, Path::new("a/b/new.md"), b"x").unwrap();
        create_new(r, Path::new("inlink/new.md"), b"y").unwrap();
        assert_eq!(std::fs::read(r.join("in/new.md")).unwrap(), b"y");
        assert!(matches!(
            create_new(r, Path::new("file"), b"z"),
            Err(CreateError::Exists)
        ));
        for (bad, says) in [
            ("dangling.md", "symbolic link"),
            ("out/new.md", "outside"),
            ("out/deeper/new.md", "outside"),
            ("file/new.md", "where a folder is expected"),
            ("filelink/new.md", "where a folder is expected"),
            ("../new.md", "leaves"),
            ("/tmp/new.md", "leaves"),
            ("a/x\u{1b}.md", "control character"),
            ("a/r\u{202e}.md", "bidirectional"),
        ] {
            match create_new(r, Path::new(bad), b"z") {
                Err(CreateError::Refused(d)) => assert!(d.message.contains(says), "{bad}: {d:?}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert_eq!(std::fs::read(r.join("file")).unwrap(), b"mine");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn escaping_paths() {
        assert!(escapes_root(Path::new("../x.bib")));
        assert!(escapes_root(Path::new("/etc/passwd")));
        assert!(escapes_root(Path::new("a/../../x")));
        assert!(!escapes_root(Path::new("content/references.bib")));
    }
}
