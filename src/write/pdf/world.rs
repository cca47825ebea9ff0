//! The Typst world a report's PDF is compiled in: the template, the report's data and the
//! embedded fonts, and nothing else.
//!
//! 1. build the standard library and the font book once, from the fonts compiled into
//!    `typst-assets`, so a PDF never depends on the machine's fonts;
//! 2. serve the template as `/main.typ`, the report as `/data.json` and each figure's image at
//!    the path its data names;
//! 3. answer every other file with "not found": the world has no file system, no packages and
//!    no network, whatever a template or a report asks for;
//! 4. give no date, so a build is reproducible.

use std::collections::HashMap;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The standard library, shared by every report.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The embedded fonts and their book, shared by every report.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

/// The id of the file at `path` in the project.
pub fn file_id(path: &str) -> Option<FileId> {
    let vpath = VirtualPath::new(path).ok()?;
    Some(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

/// One report's world.
pub struct ReportWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
}

impl ReportWorld {
    /// A world of the template `template`, the data `json` and the `images` (path, bytes).
    pub fn new(template: &str, json: Vec<u8>, images: Vec<(String, Vec<u8>)>) -> Self {
        let main_id = file_id("/main.typ").expect("a valid path");
        let mut files = HashMap::new();
        files.insert(
            file_id("/data.json").expect("a valid path"),
            Bytes::new(json),
        );
        for (path, bytes) in images {
            if let Some(id) = file_id(&path) {
                files.insert(id, Bytes::new(bytes));
            }
        }
        ReportWorld {
            main: Source::new(main_id, template.to_string()),
            files,
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        Err(not_found(id))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_string()));
        }
        self.files.get(&id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.get().vpath().get_with_slash().into())
}
