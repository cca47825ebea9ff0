//! Stage 5, write: every file of a build goes into a staging folder beside the output, and the
//! staging folder replaces the output in one step only when the whole build succeeded, so a failed
//! or killed build leaves the previous site exactly as it was.
//!
//! A build writes in this order (driven by `crate::pipeline`):
//!
//! 1. [`staging`] prepares the staging folder (refusing an output realist did not write) and lists
//!    the user's files in the live output;
//! 2. [`copy_static`] copies the theme's and the site's static files;
//! 3. each rendered page reaches [`PageWriter`], which writes it, feeds [`search`] and scans its
//!    links;
//! 4. [`extras`] writes the sitemap, feed, robots.txt and exports, and [`search`] its index;
//! 5. every file written in steps 2–4 passes through [`Output`], which hands its text to the
//!    [`anonymity`] lint when site.yaml has a deny-list (for a binary input, the text it carries,
//!    read by [`carried_text`]);
//! 6. [`staging::Staging::commit`] writes the manifest and switches the folder into place.
//!
//! [`Output`] is where pages, feeds, exports and static files are written; [`PageWriter`] is the
//! sink the renderer hands each page to. When a live output is
//! being updated, a file whose bytes are already in the live output is hard-linked from there
//! instead of written again, so an unchanged page keeps its inode and mtime and deploy tools
//! (rsync) see only real changes. [`staging`] owns the folder's life cycle: the manifest of the
//! files realist wrote, the files of the user that are carried over, the atomic switch, and the
//! cleaning of leftovers from killed builds.
//!
//! Nothing is ever written through a path that already exists in the staging folder: it may be a
//! hard link to a live file, and writing through it would change the live site early. A file is
//! created anew instead (the old link is removed first).
//!
//! Every site-relative path is checked before anything is written or linked through it
//! ([`Output::path`]): an absolute path, an empty, `.` or `..` part, a backslash or a NUL is an
//! internal error, never a write, so no name can reach outside the output, whatever let it through.

pub mod anonymity;
/// The text a binary static file carries, for the anonymity lint.
pub mod carried_text;
/// Each report's and CMO's citation files, and the whole site's.
pub mod citations;
mod css_check;
pub mod exports;
pub mod extras;
pub mod pdf;
pub mod rameses;
pub mod search;
pub(crate) mod staging;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashSet;

use crate::check::links::{check_now, scan_html, PageRecord};
use crate::diagnostics::Diagnostic;
use crate::paths;
use crate::render::{PageSink, RenderedPage};

pub use staging::Staging;

/// Where rendered pages go in a build: each page is written into the output, handed to the
/// search indexer when it is marked `data-pagefind-body`, and scanned for its ids and links, which
/// are checked at once as far as they can be.
pub struct PageWriter<'a> {
    pub out: Output,
    /// Receives every page marked `data-pagefind-body`, when the site has search.
    pub search: Option<&'a search::SearchIndexer>,
    /// Every file the build will write, when links are to be checked as pages are rendered
    /// (`build`); `serve` keeps every link instead, for its dependency map.
    pub known_files: Option<&'a FxHashSet<String>>,
}

impl PageSink for PageWriter<'_> {
    type Record = PageRecord;

    fn take(&self, page: RenderedPage<'_>) -> Result<(PageRecord, Vec<Diagnostic>), Diagnostic> {
        let html = page.html;
        if let Err(e) = self.out.put(&page.path, html.as_bytes()) {
            let message = format!("cannot write output: {e}");
            return Err(Diagnostic::error(&page.path, 0, 0, message));
        }
        if let Some(search) = self.search {
            if html.contains("data-pagefind-body") {
                let url = crate::url::page_of_file(&page.path);
                search.add(url.to_string(), html.to_string());
            }
        }
        let (mut hrefs_written, mut files) = (Vec::new(), Vec::new());
        let folder = page.path.rsplit_once('/').map_or("", |(f, _)| f);
        for asset in page.assets {
            let rel = match folder {
                "" => asset.rel.clone(),
                f => format!("{f}/{}", asset.rel),
            };
            if let Err(e) = self.out.put_file(&rel, &asset.source, asset.file) {
                let message = format!("cannot write output: {e}");
                return Err(Diagnostic::error(&rel, 0, 0, message));
            }
            hrefs_written.push(asset.rel);
            files.push(rel);
        }
        let (ids, mut hrefs) = scan_html(html);
        // The images just copied beside the page were found when the Markdown was read.
        hrefs.retain(|h| !hrefs_written.contains(h));
        let mut record = PageRecord {
            path: page.path,
            ids: ids.into_iter().collect(),
            hrefs,
            source: page.source,
            md_links: page.md_links,
            template: page.template,
            files,
        };
        let mut problems = Vec::new();
        if let Some(known) = self.known_files {
            problems = check_now(&mut record, known);
            // Only `serve` asks which file a page came from.
            record.source = None;
        }
        Ok((record, problems))
    }
}

/// Where a build writes its files.
#[derive(Debug, Clone)]
pub struct Output {
    /// The folder files are written into.
    pub dir: PathBuf,
    /// The live output this build replaces, if any: a file identical to its live copy is linked
    /// from there instead of written.
    live: Option<PathBuf>,
    /// The first error met while writing into `dir`, shared by every clone: a write that fails is
    /// a problem of the output folder (disk full, read-only), not of the source file being
    /// rendered, and the build reports it as such.
    failure: Arc<Mutex<Option<String>>>,
    /// The anonymity lint every file written is scanned by, when site.yaml has a deny-list.
    lint: Option<Arc<anonymity::Lint>>,
}

impl Output {
    /// Plain output into `dir` (`serve`'s folders): a file that already holds exactly the new
    /// contents is left alone.
    pub fn new(dir: PathBuf) -> Output {
        Output::with_live(dir, None)
    }

    fn with_live(dir: PathBuf, live: Option<PathBuf>) -> Output {
        Output {
            dir,
            live,
            failure: Arc::default(),
            lint: None,
        }
    }

    /// This output, with every file written from now on scanned by `lint`.
    pub fn with_lint(mut self, lint: Option<Arc<anonymity::Lint>>) -> Output {
        self.lint = lint;
        self
    }

    /// The anonymity lint, if the site has one.
    pub fn lint(&self) -> Option<&Arc<anonymity::Lint>> {
        self.lint.as_ref()
    }

    /// Hands the lint `text` that goes into the file `rel` in another form (compressed, or
    /// typeset): an XLSX cell, a PDF's data.
    pub fn scan_text(&self, rel: &str, text: &str) {
        if let Some(lint) = &self.lint {
            lint.scan(rel, text.as_bytes());
        }
    }

    /// Scans the path of `rel`, and its contents if it is a text file.
    fn scan(&self, rel: &str, contents: &[u8]) {
        let Some(lint) = &self.lint else { return };
        lint.scan(rel, rel.as_bytes());
        if anonymity::is_text_file(rel) {
            lint.scan(rel, contents);
        }
    }

    /// Scans the path of `rel`, and the file `source` (copied from the input `origin`): a text
    /// file (by its name, or for a name the lint does not know, such as a map's `.geojson` or a
    /// `README`, by its first bytes) streamed, any other file through the texts it carries
    /// ([`Output::scan_carried`]).
    fn scan_file(
        &self,
        rel: &str,
        origin: &Path,
        source: &mut std::fs::File,
    ) -> std::io::Result<()> {
        use std::io::{Read, Seek};
        let Some(lint) = &self.lint else {
            return Ok(());
        };
        lint.scan(rel, rel.as_bytes());
        let mut head = Vec::with_capacity(8192);
        Read::by_ref(source).take(8192).read_to_end(&mut head)?;
        source.rewind()?;
        let (text_name, text) = (anonymity::is_text_file(rel), paths::is_text_head(&head));
        if paths::is_carrier(&head) || !(text_name || text) {
            self.scan_carried(rel, origin, || carried_text::read(rel, source));
            source.rewind()?;
            // A file named as text but made as a PDF (say) is read both ways: its raw bytes were
            // all the lint read before. Other binary files are not: a PDF's operators (`ET`,
            // `Tf`) would give false hits on short entries.
            if !(text_name && text) {
                return Ok(());
            }
        }
        let mut stream = anonymity::Stream::new(lint.clone(), rel);
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match source.read(&mut buf)? {
                0 => break,
                n => stream.feed(&buf[..n]),
            }
        }
        stream.finish();
        source.rewind()?;
        // A stylesheet can write a name with escapes (`content: "\\5A orbington"`), which a
        // browser shows as letters; stylesheets are small, so read it again whole, unescaped.
        if rel.to_ascii_lowercase().ends_with(".css") {
            let mut css = String::new();
            if source.read_to_string(&mut css).is_ok() {
                if let Some(text) = crate::text::escape::css_unescaped(&css) {
                    lint.scan(rel, text.as_bytes());
                }
            }
            source.rewind()?;
        }
        Ok(())
    }

    /// With a lint, scans the texts that the binary input `origin`, published as `rel`, carries
    /// (`read` reads them); a file that cannot be read is recorded as a problem of `origin`,
    /// unless site.yaml lists it under `unchecked:`.
    fn scan_carried(&self, rel: &str, origin: &Path, read: impl FnOnce() -> carried_text::Carried) {
        let Some(lint) = &self.lint else { return };
        let input = crate::paths::slash_name(origin);
        if lint.is_unchecked(&input) {
            return;
        }
        match read() {
            carried_text::Carried::Texts(texts) => {
                lint.read_binary(rel, &input);
                for text in texts {
                    lint.scan(rel, text.as_bytes());
                }
            }
            carried_text::Carried::Unreadable(why) => lint.cannot_read(&input, why),
        }
    }

    /// Writes `contents`, the input file `origin` (a theme's static file), as the site-relative
    /// file `rel`, as [`Output::put`] does; with a lint, a binary file is read for the texts it
    /// carries.
    pub fn put_input(&self, rel: &str, origin: &Path, contents: &[u8]) -> std::io::Result<()> {
        let head = &contents[..contents.len().min(8192)];
        let text = anonymity::is_text_file(rel) || paths::is_text_head(head);
        if self.lint.is_some() && (paths::is_carrier(head) || !text) {
            self.scan_carried(rel, origin, || carried_text::carried(rel, contents));
        }
        self.put(rel, contents)
    }

    /// Writes `contents` as the site-relative file `rel`, unless it is already there (in the live
    /// output being replaced, where it is linked from, or else in `dir`).
    pub fn put(&self, rel: &str, contents: &[u8]) -> std::io::Result<()> {
        let result = (|| {
            let dest = self.path(rel)?;
            self.scan(rel, contents);
            match &self.live {
                Some(live) if holds(&live.join(rel), contents) => {
                    return link_or_copy(&live.join(rel), &dest)
                }
                None if holds(&dest, contents) => return Ok(()),
                _ => {}
            }
            create_new(&dest)?.write_all(contents)
        })();
        self.note(result)
    }

    /// Copies the file `source`, opened from the input `origin`, as the site-relative file
    /// `rel`, streamed (never held in memory whole), unless its bytes are already there, as with
    /// [`Output::put`].
    pub fn put_file(
        &self,
        rel: &str,
        origin: &Path,
        mut source: std::fs::File,
    ) -> std::io::Result<()> {
        use std::io::{Seek, SeekFrom};
        let result = (|| {
            let dest = self.path(rel)?;
            self.scan_file(rel, origin, &mut source)?;
            let current = self.current(rel);
            if same_contents(&mut source, &current)? {
                return match self.live {
                    Some(_) => link_or_copy(&current, &dest),
                    None => Ok(()),
                };
            }
            source.seek(SeekFrom::Start(0))?;
            std::io::copy(&mut source, &mut create_new(&dest)?).map(drop)
        })();
        self.note(result)
    }

    /// The file `rel` is compared with before it is written: its live copy, or itself. Only called
    /// once [`Output::path`] has accepted `rel`.
    fn current(&self, rel: &str) -> PathBuf {
        self.live.as_ref().unwrap_or(&self.dir).join(rel)
    }

    /// Where the site-relative file `rel` goes in `dir`; an error if `rel` could reach outside it.
    fn path(&self, rel: &str) -> std::io::Result<PathBuf> {
        match is_site_relative(rel) {
            true => Ok(self.dir.join(rel)),
            false => Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("internal error: {rel:?} is not a plain site-relative path; not written"),
            )),
        }
    }

    /// Records the first failed write, and passes `result` on.
    fn note<T>(&self, result: std::io::Result<T>) -> std::io::Result<T> {
        if let (Err(e), Ok(mut first)) = (&result, self.failure.lock()) {
            first.get_or_insert_with(|| e.to_string());
        }
        result
    }

    /// The first error met while writing into the output, if any.
    pub fn write_failure(&self) -> Option<String> {
        self.failure.lock().ok().and_then(|f| f.clone())
    }
}

/// Whether `rel` is a relative path of plain names joined by `/`: not absolute, no empty, `.` or
/// `..` part, no backslash (a separator on some systems) and no NUL.
pub fn is_site_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.contains(['\\', '\0'])
        && rel
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Whether the regular file at `path` (not a link to one) holds exactly `contents`.
fn holds(path: &Path, contents: &[u8]) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == contents.len() as u64)
        && std::fs::read(path).is_ok_and(|old| old == contents)
}

/// Creates the file `path` (and its folders) for writing. Whatever stood there is removed first,
/// never written through: in a staging folder it may be a hard link to a file of the live output.
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let open = || {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    };
    match open() {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            open()
        }
        other => other,
    }
}

/// Makes `to` the same file as `from`: a hard link (same inode and mtime), or a copy where the
/// file system has no hard links.
fn link_or_copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let linked = match std::fs::hard_link(from, to) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(to)?;
            std::fs::hard_link(from, to)
        }
        other => other,
    };
    match linked {
        Ok(()) => Ok(()),
        Err(_) => std::io::copy(&mut std::fs::File::open(from)?, &mut create_new(to)?).map(drop),
    }
}

/// Copies the theme's `static/` and then the site's `static/` into `out/static/` (site files win).
/// Returns the site-relative paths written, and the problems met (a file that could not be read or
/// written is skipped; the rest are still copied). The site's files are copied streamed, never
/// held in memory whole (a static folder may hold videos or large PDFs).
pub fn copy_static(root: &Path, theme: &str, out: &Output) -> (Vec<String>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let themed = crate::theme::theme_files(root, theme, "static").unwrap_or_else(|d| {
        problems.push(d);
        Default::default()
    });
    // A bad link in static/ is reported, but the other files are still copied, so pages do not
    // also fail the link check for a missing stylesheet.
    let walk = crate::paths::walk(root, Path::new("static"));
    problems.extend(walk.problems);
    let own: std::collections::BTreeMap<String, PathBuf> = walk
        .files
        .into_iter()
        .map(|rel| {
            let name = rel.strip_prefix("static").unwrap_or(&rel);
            (crate::paths::slash_name(name), rel)
        })
        .collect();
    let mut written = Vec::new();
    for (name, (origin, bytes)) in themed.iter().filter(|(name, _)| !own.contains_key(*name)) {
        let rel = format!("static/{name}");
        if let Some(d) = css_problem(name, bytes, &rel) {
            problems.push(d);
            continue;
        }
        match out.put_input(&rel, origin, bytes) {
            Ok(()) => written.push(rel),
            Err(e) => problems.push(output_error(&rel, e)),
        }
    }
    for (name, origin) in &own {
        let rel = format!("static/{name}");
        // Opened under the input policy, then copied streamed.
        let source = match crate::paths::open(root, origin) {
            Ok(file) => file,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        let source = match static_file_danger(name, source) {
            Ok(file) => file,
            Err(Danger::Css(line, why)) => {
                problems.push(css_diagnostic(origin.display().to_string(), line, &why));
                continue;
            }
            Err(Danger::File(why)) => {
                problems.push(
                    Diagnostic::error(origin.clone(), 0, 0, format!("`{}` cannot be published: {why}", origin.display()))
                        .with_help("the site publishes no script from its content: remove the file, or, for a figure, export it as PNG or a plain SVG drawing"),
                );
                continue;
            }
        };
        match out.put_file(&rel, origin, source) {
            Ok(()) => written.push(rel),
            Err(e) => problems.push(output_error(&rel, e)),
        }
    }
    (written, problems)
}

/// Writes a file that `produce` writes piece by piece, without holding it in memory: into a
/// temporary file beside it, which is kept only if the contents differ from the current file (an
/// unchanged file is linked from the live output instead, as with [`Output::put`]).
pub fn write_streamed(
    out: &Output,
    rel: &str,
    produce: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<String, Diagnostic> {
    let dest = out.note(out.path(rel)).map_err(|e| output_error(rel, e))?;
    let tmp = dest.with_file_name(format!(
        ".{}.tmp",
        dest.file_name().unwrap_or_default().to_string_lossy()
    ));
    let result = (|| {
        let stream = out.lint.as_ref().map(|lint| {
            lint.scan(rel, rel.as_bytes());
            anonymity::Stream::new(lint.clone(), rel)
        });
        let stream = stream.filter(|_| anonymity::is_text_file(rel));
        let scanned = anonymity::ScanWriter {
            inner: create_new(&tmp)?,
            stream,
        };
        let mut writer = std::io::BufWriter::with_capacity(256 * 1024, scanned);
        produce(&mut writer)?;
        writer.flush()?;
        let scanned = writer.into_inner().map_err(|e| e.into_error())?;
        if let Some(stream) = scanned.stream {
            stream.finish();
        }
        let current = out.current(rel);
        if !same_contents(&mut std::fs::File::open(&tmp)?, &current)? {
            return std::fs::rename(&tmp, &dest);
        }
        std::fs::remove_file(&tmp)?;
        match out.live {
            Some(_) => link_or_copy(&current, &dest),
            None => Ok(()),
        }
    })();
    out.note(result).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        output_error(rel, e)
    })?;
    Ok(rel.to_string())
}

/// Whether two regular files hold the same bytes (false if `b` is not a regular file): sizes
/// first, then chunk by chunk, so a large file is never held in memory.
fn same_contents(a: &mut std::fs::File, b: &Path) -> std::io::Result<bool> {
    use std::io::Read;
    let (Ok(meta_a), Ok(meta_b)) = (a.metadata(), std::fs::symlink_metadata(b)) else {
        return Ok(false);
    };
    if !meta_b.is_file() || meta_a.len() != meta_b.len() {
        return Ok(false);
    }
    let mut fb = std::fs::File::open(b)?;
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = a.read(&mut ba)?;
        if n == 0 {
            return Ok(true);
        }
        if fb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return Ok(false);
        }
    }
}

/// Writes a file into the output, creating folders; returns its site-relative path.
pub fn write_file(out: &Output, rel: &str, contents: &[u8]) -> Result<String, Diagnostic> {
    out.put(rel, contents).map_err(|e| output_error(rel, e))?;
    Ok(rel.to_string())
}

/// The problem of an output file that could not be written: a problem of the output folder, not
/// of a source file (the build reports it once, naming the output folder).
fn output_error(rel: &str, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(rel, 0, 0, format!("cannot write the output file: {e}"))
}

/// Why a static file cannot be published: a stylesheet's line that loads from another host, or
/// anything else about the file.
enum Danger {
    Css(usize, String),
    File(String),
}

/// The problem of a theme's stylesheet `name` (held as `bytes`) that loads from another host.
fn css_problem(name: &str, bytes: &[u8], rel: &str) -> Option<Diagnostic> {
    if !name.to_ascii_lowercase().ends_with(".css") {
        return None;
    }
    let (line, why) = css_check::danger(&String::from_utf8_lossy(bytes))?;
    Some(css_diagnostic(format!("the theme's {rel}"), line, &why))
}

/// A stylesheet's problem at `line`: the site's pages load nothing from other hosts.
fn css_diagnostic(file: String, line: usize, why: &str) -> Diagnostic {
    Diagnostic::error(file.clone(), line, 0, format!("`{file}` cannot be published: {why}"))
        .with_help("pages load nothing from other hosts: copy the file (font, image, stylesheet) into `static/` and refer to it by a relative path")
}

/// Refuses a file of the site's own `static/` folder that could run script on the site's pages or
/// at its own address (scripts, HTML, XML that a stylesheet can turn into HTML), and an image that
/// is not what its name says or an SVG that could run script ([`image_check::danger`]).
///
/// [`image_check::danger`]: crate::markdown::image_check::danger
fn static_file_danger(name: &str, mut file: std::fs::File) -> Result<std::fs::File, Danger> {
    use std::io::{Read, Seek};
    const SCRIPTS: &[&str] = &[
        "js", "mjs", "cjs", "html", "htm", "xhtml", "shtml", "xml", "xsl", "xslt", "svgz",
    ];
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let Some(ext) = ext else { return Ok(file) };
    if SCRIPTS.contains(&ext.as_str()) {
        return Err(Danger::File(format!(
            "it is a .{ext} file, which can run script"
        )));
    }
    if ext == "css" {
        let mut css = String::new();
        file.read_to_string(&mut css)
            .and_then(|_| file.rewind())
            .map_err(|_| Danger::File("it cannot be read as UTF-8 text".into()))?;
        return match css_check::danger(&css) {
            Some((line, why)) => Err(Danger::Css(line, why)),
            None => Ok(file),
        };
    }
    if !crate::paths::is_image(std::path::Path::new(name)) {
        return Ok(file);
    }
    let mut bytes = Vec::new();
    let read = if ext == "svg" {
        file.read_to_end(&mut bytes)
    } else {
        Read::by_ref(&mut file).take(16).read_to_end(&mut bytes)
    };
    read.and_then(|_| file.rewind())
        .map_err(|_| Danger::File("it cannot be read".to_string()))?;
    match crate::markdown::image_check::danger(&ext, &bytes) {
        Some(why) => Err(Danger::File(why)),
        None => Ok(file),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_that_could_leave_the_output_is_an_error_and_nothing_is_written() {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("out");
        std::fs::create_dir(&dir).unwrap();
        let out = Output::new(dir.clone());
        let source = parent.path().join("source");
        std::fs::write(&source, "x").unwrap();
        for rel in [
            "../victim",
            "/tmp/victim",
            "a/../../victim",
            "..\\victim",
            "a\\b",
            "./a",
            "a//b",
            "",
            "a/",
            "a\0b",
        ] {
            assert!(out.put(rel, b"x").is_err(), "{rel:?}");
            assert!(out
                .put_file(rel, &source, std::fs::File::open(&source).unwrap())
                .is_err());
            assert!(write_streamed(&out, rel, |w| w.write_all(b"x")).is_err());
        }
        assert!(out.write_failure().unwrap().contains("internal error"));
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        assert_eq!(std::fs::read_dir(parent.path()).unwrap().count(), 2);
        assert!(out.put("a/b.html", b"fine").is_ok());
    }
}
