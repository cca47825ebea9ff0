//! `realist init` and `realist new`: a site skeleton that builds, and new content files from
//! archetypes.
//!
//! [`find_site_root`]: walk up from the current folder to the nearest one holding `site.yaml`, as
//! git and cargo find their roots, so `new` works from anywhere inside a site and refuses outside.
//!
//! [`new_content`]: 1. check the kind (one the registry gives an archetype) and the id; 2. read the
//! archetype from the site's own `archetypes/` folder, else the site's theme, else the default;
//! 3. fill in the id, a title made from it ([`title`]), today's date and the first study, tracer
//! and area of the site; 4. write `content/<folder>/<id>.md`, never over a file, through a link or
//! outside the site.
//!
//! [`init`]: 1. refuse a folder that is not empty, a file or a link; 2. write the skeleton's files
//! (site.yaml, one entity of each kind, an accessibility statement, a glossary, and a copy of the
//! archetypes the author can edit), which build as they are.

mod title;

use std::path::{Path, PathBuf};

use crate::diagnostics::display_path;
use crate::model::{is_valid_id, Kind};
use crate::paths::{self, CreateError};
use crate::theme::theme_files;

/// A failure of `init` or `new`, with the exit code it deserves (1: bad input, 2: I/O).
#[derive(Debug)]
pub struct ScaffoldError {
    pub message: String,
    pub help: Option<String>,
    pub code: i32,
}

fn fail(code: i32, message: impl Into<String>, help: Option<&str>) -> ScaffoldError {
    ScaffoldError {
        message: message.into(),
        help: help.map(str::to_string),
        code,
    }
}

/// The kinds `realist new` can make: those the registry gives an archetype.
pub fn new_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.into_iter().filter(|k| k.info().archetype)
}

/// Writes a new content file from the theme archetype `kind` with id `id`; returns its path.
pub fn new_content(
    root: &Path,
    kind: &str,
    id: &str,
    today: &str,
) -> Result<PathBuf, ScaffoldError> {
    let (rel, text) = archetype_text(root, kind, id, today)?;
    write_new(root, &rel, &text)?;
    Ok(rel)
}

/// The path and text of a new content file of `kind` with id `id`, from its archetype.
fn archetype_text(
    root: &Path,
    kind: &str,
    id: &str,
    today: &str,
) -> Result<(PathBuf, String), ScaffoldError> {
    let Some(kind) = new_kinds().find(|k| k.name() == kind) else {
        let names: Vec<&str> = new_kinds().map(Kind::name).collect();
        let help = crate::diagnostics::suggestion(kind, names.iter().copied());
        let (last, others) = names.split_last().unwrap_or((&"", &[]));
        return Err(ScaffoldError {
            message: format!(
                "cannot make a `{kind}`: expected {} or {last}",
                others.join(", ")
            ),
            help,
            code: 2,
        });
    };
    check_id(kind, id)?;
    if kind == Kind::Cmo {
        refuse_inline_cmo(root, id)?;
    }
    let bytes = archetype(root, kind)?;
    let glossary = title::glossary_acronyms(root);
    let values = [
        ("{{id}}", id.to_string()),
        ("{{title}}", title::title_from_id(id, &glossary)),
        ("{{date}}", today.to_string()),
        ("{{study}}", first_id(root, Kind::Study, "my-study")),
        ("{{tracer}}", first_id(root, Kind::Tracer, "my-tracer")),
        ("{{area}}", first_id(root, Kind::Area, "area-1")),
    ];
    let text = fill(&String::from_utf8_lossy(&bytes), &values);
    Ok((
        Path::new("content")
            .join(kind.folder())
            .join(format!("{id}.md")),
        text,
    ))
}

/// Replaces the placeholders of an archetype, keeping the comments at the end of each line where
/// they were (a comment starts after two spaces), so the archetype's column of comments stays
/// one column whatever the id's length.
fn fill(archetype: &str, values: &[(&str, String)]) -> String {
    let replace = |text: &str| {
        values
            .iter()
            .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
    };
    let mut out = String::with_capacity(archetype.len() + 256);
    for line in archetype.split_inclusive('\n') {
        // The comment at the end, not the `#` that starts a commented-out line.
        let indent = line.len() - line.trim_start().len() + 1;
        let comment = line.get(indent..).and_then(|rest| rest.find("  #"));
        match comment
            .filter(|_| line.contains("{{"))
            .map(|at| at + indent)
        {
            Some(at) => {
                let value = replace(line[..at].trim_end());
                let width = (at + 2).max(value.chars().count() + 2);
                out.push_str(&format!("{value:<width$}{}", &line[at + 2..]));
            }
            None => out.push_str(&replace(line)),
        }
    }
    out
}

/// Refuses an id that is not lower-kebab, and a page id the site's generated folders take.
fn check_id(kind: Kind, id: &str) -> Result<(), ScaffoldError> {
    if !is_valid_id(id) {
        return Err(fail(
            2,
            format!("`{id}` is not a valid id"),
            Some("ids use lower-case letters, digits and `-`, e.g. `dementia-area-2`"),
        ));
    }
    let reserved = crate::resolve::reserved_page_ids();
    if kind == Kind::Page && reserved.contains(&id) {
        return Err(ScaffoldError {
            message: format!("`{id}` cannot be a page id: the site makes a folder of that name"),
            help: Some(format!(
                "choose another id; taken are {}",
                reserved.join(", ")
            )),
            code: 2,
        });
    }
    Ok(())
}

/// The archetype of `kind`: the site's own `archetypes/<name>.md` (which `init` writes, for the
/// author to edit), else the theme's. Both are read under the input policy.
fn archetype(root: &Path, kind: Kind) -> Result<Vec<u8>, ScaffoldError> {
    let own = Path::new("archetypes").join(format!("{}.md", kind.name()));
    if paths::exists(root, &own) {
        return paths::read(root, &own).map_err(|d| ScaffoldError {
            message: d.message,
            help: d.help,
            code: 1,
        });
    }
    let theme = crate::config::SiteConfig::load(root)
        .map(|c| c.theme)
        .unwrap_or_else(|_| "default".into());
    let archetypes =
        theme_files(root, &theme, "archetypes").map_err(|d| fail(1, d.message, None))?;
    archetypes
        .get(&format!("{}.md", kind.name()))
        .map(|(_, bytes)| bytes.clone())
        .ok_or_else(|| {
            fail(
                1,
                format!("the theme has no archetypes/{}.md", kind.name()),
                Some("add the file to the site's archetypes/ folder"),
            )
        })
}

/// The site root for `new`: `root` if given, else the nearest folder from `start` upwards that
/// holds `site.yaml`. Outside a site this is an error, so nothing is written where it does not
/// belong.
pub fn find_site_root(root: Option<&Path>, start: &Path) -> Result<PathBuf, ScaffoldError> {
    let help = "run `realist new` inside a site (the folder holding site.yaml, or any folder in it), give `--root SITE`, or make a site with `realist init DIR`";
    if let Some(root) = root {
        if std::fs::symlink_metadata(root.join("site.yaml")).is_ok() {
            return Ok(root.to_path_buf());
        }
        return Err(fail(
            2,
            format!("{} is not a site: it has no site.yaml", root.display()),
            Some(help),
        ));
    }
    if let Some(dir) = paths::nearest_site_root(start) {
        return Ok(dir);
    }
    Err(fail(
        2,
        format!(
            "not inside a site: no site.yaml in {} or any folder above it",
            start.display()
        ),
        Some(help),
    ))
}

/// Creates `root/rel` under the input policy ([`paths::create_new`]): never through a link, never
/// outside the site, never over anything already there. A refusal is a problem with the site's
/// files (exit 1, as in a build); a failing file system is exit 2.
fn write_new(root: &Path, rel: &Path, text: &str) -> Result<(), ScaffoldError> {
    let shown = display_path(rel);
    paths::create_new(root, rel, text.as_bytes()).map_err(|e| match e {
        CreateError::Exists => fail(
            1,
            format!("{shown} already exists"),
            Some("choose another id, or edit the existing file"),
        ),
        CreateError::Refused(d) => ScaffoldError {
            message: format!("cannot create {shown}: {}", d.message),
            help: d.help,
            code: 1,
        },
        CreateError::Io(d) => fail(2, format!("cannot create {shown}: {}", d.message), None),
    })
}

/// The first id (alphabetically) in a content folder, so new files reference something that exists.
/// The folder is listed under the input policy, so a folder linked from outside the site is not.
/// Refuses a new CMO file whose id a report already gives an inline CMO: the site would not
/// build (a CMO id is unique across the site), so nothing is written and the author is told where
/// the id is. Read by lines rather than parsed, as `first_id` reads names: a report with broken
/// front matter must not hide the clash, and this needs no more than `id:` lines.
fn refuse_inline_cmo(root: &Path, id: &str) -> Result<(), ScaffoldError> {
    let dir = Path::new("content").join(Kind::Report.folder());
    for rel in paths::walk(root, &dir).files {
        if rel.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        let Ok(bytes) = paths::read(root, &rel) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if let Some(line) = inline_id_line(&text, id) {
            return Err(ScaffoldError {
                message: format!(
                    "`cmo/{id}` already exists: it is written inline in {} on line {line}",
                    display_path(&rel)
                ),
                help: Some("choose another id: every CMO id is unique across the site".into()),
                code: 1,
            });
        }
    }
    Ok(())
}

/// The line of an `id: <id>` (or `- id: <id>`) in `text`, quoted or not, comment aside.
fn inline_id_line(text: &str, id: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            let line = line.trim_start();
            let line = line.strip_prefix('-').unwrap_or(line).trim_start();
            let Some(value) = line.strip_prefix("id:") else {
                return false;
            };
            let value = value.split(" #").next().unwrap_or(value).trim();
            value.trim_matches(['"', '\'']) == id
        })
        .map(|i| i + 1)
}

fn first_id(root: &Path, kind: Kind, fallback: &str) -> String {
    let dir = Path::new("content").join(kind.folder());
    let walk = paths::walk(root, &dir);
    let mut ids: Vec<String> = walk
        .files
        .iter()
        .filter(|p| p.parent() == Some(dir.as_path()))
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .filter(|s| is_valid_id(s))
        .collect();
    ids.sort();
    ids.into_iter()
        .next()
        .unwrap_or_else(|| fallback.to_string())
}

/// Today's date as YYYY-MM-DD (UTC).
pub fn today() -> String {
    crate::model::PartialDate::today().iso()
}

const SKELETON: &[(&str, &str)] = &[
    ("site.yaml", "title: \"A realist evaluation\"\nbase_url: \"https://www.example.ac.uk/research/my-study/\"\nlanguage: en-GB\npublisher: \"Your university\"\naccessibility_contact: \"research-team@example.ac.uk\"\n# Pages added to the header navigation, in order: `page/<id>`, or {link: page/<id>, label: \"…\"}\nmenu:\n  - page/about\n"),
    ("content/studies/my-study.md", "---\ntitle: \"My study\"\ndesign: realist-evaluation\n# The people the evidence quotes, by role; CMOs' evidence names them with `informant: ccg-manager-1`.\ninformants:\n  - {id: ccg-manager-1, role: \"CCG manager\", area: area/area-1}\n---\nWhat the study is, who funds it, and when it runs.\n"),
    ("content/tracers/my-tracer.md", "---\ntitle: \"My tracer service\"\nstudy: study/my-study\nkind: service\nchosen_to_illuminate: \"what this tracer shows about the system\"\n---\nWhy this service was followed.\n"),
    ("content/areas/area-1.md", "---\ntitle: \"Area 1\"\nstudy: study/my-study\nanonymised: true\n---\nDescribe the area only as the study does.\n"),
    ("content/theories/my-theory.md", "---\ntitle: \"My programme theory\"\nstudy: study/my-study\nstatement:\n  if: \"commissioners do X\"\n  then: \"Y follows\"\n  because: \"of Z\"\nstatus: untested\nlevel: policy\n---\nWhere the theory comes from.\n"),
    ("content/pages/about.md", "---\ntitle: \"About this site\"\n---\nThis site publishes [my study](@study/my-study).\n"),
    ("content/glossary.yaml", "- term: CMO\n  expansion: context–mechanism–outcome configuration\n  definition: A statement of how a mechanism, in a context, produces an outcome.\n  see_also: []\n"),
    ("static/.keep", ""),
    ("templates/.keep", ""),
];

/// Makes `dir` a new, empty folder for a site, or accepts it if it is one already; refuses a
/// link, a file and a folder that is not empty.
fn new_folder(dir: &Path) -> Result<(), ScaffoldError> {
    let shown = dir.display();
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.file_type().is_symlink() => Err(fail(
            2,
            format!("{shown} is a symbolic link"),
            Some("realist never writes through a link; name a new folder instead"),
        )),
        Ok(meta) if !meta.is_dir() => Err(fail(
            2,
            format!("{shown} is a file, where a folder is expected"),
            Some("choose a new folder name"),
        )),
        Ok(_) if !std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_none()) => Err(fail(
            2,
            format!("{shown} exists and is not empty"),
            Some("choose a new folder name"),
        )),
        Ok(_) => Ok(()),
        Err(_) => std::fs::create_dir_all(dir)
            .map_err(|e| fail(2, format!("cannot create {shown}: {e}"), None)),
    }
}

/// The skeleton's accessibility statement, prepared `today` (YYYY-MM-DD): the sections of the
/// statement UK public-sector websites publish, more than the one a site without its own gets.
fn accessibility_statement(today: &str) -> String {
    let date = crate::model::PartialDate::parse(today)
        .map(|d| d.human())
        .unwrap_or_else(|_| today.to_string());
    include_str!("accessibility.md")
        .replace("{{contact}}", "research-team@example.ac.uk")
        .replace("{{date}}", &date)
}

/// Creates a new site in `dir` that builds as it is. Refuses a non-empty folder, and a `dir` that is
/// a symbolic link (even to an empty folder): every file is written inside `dir` itself, under the
/// input policy, never through a link.
pub fn init(dir: &Path) -> Result<(), ScaffoldError> {
    new_folder(dir)?;
    for (rel, text) in SKELETON {
        write_new(dir, Path::new(rel), text)?;
    }
    write_new(
        dir,
        Path::new("content/pages/accessibility.md"),
        &accessibility_statement(&today()),
    )?;
    // The archetypes, for the author to adapt: `new` prefers them to the theme's.
    for (path, text) in crate::theme::DEFAULT_THEME {
        if let Some(name) = path.strip_prefix("archetypes/") {
            write_new(dir, &Path::new("archetypes").join(name), text)?;
        }
    }
    let (rel, text) = archetype_text(dir, "report", "first-report", &today())?;
    write_new(
        dir,
        &rel,
        &text.replace("status: draft", "status: published"),
    )
}
