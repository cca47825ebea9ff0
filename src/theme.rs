//! The theme: the files a site's look comes from, found in one place for every stage that needs
//! them (templates for rendering, static files for writing, archetypes for `realist new`).
//!
//! 1. a site with `themes/<name>/` uses that folder, read under the input policy ([`paths`]);
//! 2. otherwise the theme `default` comes from the copy compiled into the binary, so a site
//!    without a `themes/` folder (every site made by `realist init`, and every test fixture)
//!    still builds;
//! 3. any other theme name is an error in `site.yaml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;
use crate::paths;

/// The default theme, embedded at compile time: (path inside the theme, contents), every file
/// under `themes/default/` (listed by `build.rs`).
pub(crate) const DEFAULT_THEME: &[(&str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/default_theme.rs"));

/// Files of the theme folder `sub` ("templates", "static", "archetypes"): (name, project-relative
/// origin, contents). The site's theme folder wins over the embedded default.
pub(crate) fn theme_files(
    root: &Path,
    theme: &str,
    sub: &str,
) -> Result<BTreeMap<String, (PathBuf, Vec<u8>)>, Diagnostic> {
    let mut files = BTreeMap::new();
    let theme_dir = Path::new("themes").join(theme);
    if paths::exists(root, &theme_dir) {
        // The theme is read under the same policy as every input: inside the site, no links out.
        if !paths::check_inside(root, &theme_dir)?.is_dir() {
            return Err(paths::not_a_folder(&theme_dir)
                .with_help("a theme is a folder themes/NAME/ with templates/ and static/"));
        }
        if let Some(first) = read_dir_files(root, &theme_dir.join(sub), &mut files)
            .into_iter()
            .next()
        {
            return Err(first);
        }
    } else if theme == "default" {
        for (path, text) in DEFAULT_THEME {
            if let Some(name) = path.strip_prefix(&format!("{sub}/")) {
                files.insert(
                    name.to_string(),
                    (
                        Path::new("themes/default").join(path),
                        text.as_bytes().to_vec(),
                    ),
                );
            }
        }
    } else {
        return Err(Diagnostic::error(
            "site.yaml",
            0,
            0,
            format!("theme `{theme}` not found: there is no themes/{theme}/ folder"),
        )
        .with_help("remove `theme:` to use the built-in default theme"));
    }
    Ok(files)
}

/// Reads every file below `root/dir` into `files`, keyed by its path relative to `dir`, under the
/// one input policy ([`paths`]). Returns every problem: a file that is refused (a link out of the
/// site, a named pipe, a name that is not UTF-8) is reported and not read, and the rest of the folder
/// is still read, so one bad file does not hide every other.
pub(crate) fn read_dir_files(
    root: &Path,
    dir: &Path,
    files: &mut BTreeMap<String, (PathBuf, Vec<u8>)>,
) -> Vec<Diagnostic> {
    let walk = paths::walk(root, dir);
    let mut problems = walk.problems;
    for rel in walk.files {
        let name = paths::slash_name(rel.strip_prefix(dir).unwrap_or(&rel));
        match paths::read(root, &rel) {
            Ok(bytes) => {
                files.insert(name, (rel, bytes));
            }
            Err(d) => problems.push(d),
        }
    }
    problems
}
