//! `site.yaml`: the site's own settings.
//!
//! [`SiteConfig::load`] does this:
//!
//! 1. read `site.yaml` under the input policy and parse it (unknown keys are errors with a
//!    suggestion);
//! 2. check each value whose grammar is its own: `base_url` ([`crate::url::BaseUrl`]), the
//!    language tag, the accessibility contact's email address, the paths it names;
//! 3. locate each `menu:` and `highlights:` entry and refuse empty words ([`links`]); their
//!    targets are checked once the site is known ([`links::check_targets`]);
//! 4. read the deny-list that `anonymity:` names ([`anonymity`]);
//! 5. return every problem at once, each located at its value.

pub mod anonymity;
mod branding;
pub mod contrast;
pub mod links;
pub mod rubric;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::paths::{self, escapes_root};
use crate::text::yaml;
use crate::url::BaseUrl;

/// Settings from `site.yaml`. Paths are relative to the site root.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub title: String,
    /// The address the site is published at, checked by [`BaseUrl::parse`] before
    /// [`SiteConfig::load`] returns.
    #[serde(deserialize_with = "BaseUrl::as_written")]
    pub base_url: BaseUrl,
    #[serde(default = "default_language")]
    pub language: String,
    pub description: Option<String>,
    pub publisher: Option<String>,
    /// Who the site's editorial pages (`editorial:` on a report or page) are credited to in
    /// citations and metadata; unset, "The editors of" the site's title.
    pub editors: Option<String>,
    pub bibliography: Option<PathBuf>,
    /// A CSL style name known to hayagriva, such as `apa` or `harvard-cite-them-right`.
    pub csl: Option<String>,
    /// An email address or URL for accessibility problems, shown in the footer and statement.
    pub accessibility_contact: Option<String>,
    #[serde(default = "default_theme")]
    pub theme: String,
    /// The licence of the site's content, shown in the footer.
    pub licence: Option<String>,
    /// Full-text search (a Pagefind index under `pagefind/` and the `search/` page).
    #[serde(default = "default_search")]
    pub search: bool,
    /// Pages added to the header navigation, in order, after the site's own sections.
    #[serde(default)]
    pub menu: Vec<MenuItem>,
    /// A shorter title for the header on narrow screens, where the full `title` would wrap; the
    /// full title is shown on wide screens and in each page's `<title>`.
    pub short_title: Option<String>,
    /// The university's branding: a logo, colours and links to the parent department and
    /// university (see [`Branding`]).
    #[serde(default)]
    pub branding: Branding,
    /// The headline findings the home page shows first, in order: CMOs or other pages, each
    /// optionally with a short message. Without any, the home page shows the latest reports' first
    /// key points.
    #[serde(default)]
    pub highlights: Vec<Highlight>,
    /// Whether the exports include the XLSX workbook `exports/realist.xlsx`. Unset, it is written
    /// for a site of at most [`crate::resolve::XLSX_AUTO_CMOS`] CMOs, where it costs
    /// little; a larger site turns it on with `xlsx: true`.
    pub xlsx: Option<bool>,
    /// Whether each published report also gets a tagged PDF, `reports/<id>/<id>.pdf`, linked from
    /// its page (src/write/pdf). Off by default: Typst typesets every report on every build.
    #[serde(default)]
    pub pdf: bool,
    /// The team's rubric for labelling CMOs (`rubric::Rubric`), enforced by `realist check`; a
    /// site without one is not checked against one; `rubric:` with nothing under it is the
    /// defaults, as `rubric: {}` is.
    #[serde(default, deserialize_with = "rubric::stated")]
    pub rubric: Option<rubric::Rubric>,
    /// The deny-list of names the site must never publish (`anonymity::Anonymity`): every file
    /// the build writes is checked against it. Without the block nothing is checked.
    pub anonymity: Option<anonymity::Anonymity>,
}

pub use branding::{Branding, Colours, ParentLink, BRAND_STYLESHEET};
pub use links::{Highlight, Highlights, LinkList, Menu, MenuItem, SiteLink};

/// Off unless asked for, as in Zola: a Pagefind index costs several times the rest of the build
/// in time and memory on large sites (measured in the search module's notes).
fn default_search() -> bool {
    false
}

fn default_language() -> String {
    "en-GB".into()
}

fn default_theme() -> String {
    "default".into()
}

impl SiteConfig {
    /// The name the site's editorial pages are credited to, as a group author.
    pub fn editors(&self) -> String {
        self.editors
            .clone()
            .unwrap_or_else(|| format!("The editors of {}", self.title))
    }

    /// Reads and checks `ROOT/site.yaml`.
    pub fn load(root: &Path) -> Result<SiteConfig, Vec<Diagnostic>> {
        let path = Path::new("site.yaml");
        let bytes = paths::read(root, path).map_err(|d| {
            vec![d.with_help("every site needs a site.yaml with at least `title` and `base_url`; `realist init DIR` makes one")]
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let (line, col) =
                    crate::text::utf8_position(e.as_bytes(), e.utf8_error().valid_up_to());
                return Err(vec![Diagnostic::error(
                    path,
                    line,
                    col,
                    "site.yaml is not valid UTF-8",
                )
                .with_help("save the file as UTF-8")]);
            }
        };
        let text = crate::text::frontmatter::normalise_text(&text);
        let mut config: SiteConfig = yaml::from_str(&text).map_err(|e| {
            vec![Diagnostic::error(path, e.line, e.column, e.message).with_help_opt(e.help)]
        })?;
        let mut problems = config.check(&yaml::Locator::new(&text, 1));
        problems.extend(config.branding.check(root, &text));
        if let Some(anonymity) = &mut config.anonymity {
            let at = yaml::Locator::new(&text, 1)
                .value_of_key("deny_list")
                .unwrap_or((0, 0));
            problems.extend(anonymity.load(root, &config.theme, at));
            if !anonymity.unchecked.is_empty() {
                let files = site_paths(root, &config.theme);
                problems.extend(anonymity.check_unchecked(root, &text, &files));
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Checks `base_url` (replacing it with its normalised form) and the paths, located in `site.yaml`.
    fn check(&mut self, locator: &yaml::Locator) -> Vec<Diagnostic> {
        let path = Path::new("site.yaml");
        let mut problems = Vec::new();
        match BaseUrl::parse(self.base_url.as_str()) {
            Ok(url) => self.base_url = url,
            Err(message) => {
                let written = self.base_url.as_str().trim();
                let (line, col) = locator
                    .value_of_key("base_url")
                    .unwrap_or_else(|| locator.locate(written, Some("base_url")));
                problems.push(Diagnostic::error(path, line, col, message).with_help(BASE_URL_HELP));
            }
        }
        if let Some(problem) = self.check_contact(locator) {
            problems.push(problem);
        }
        if let Some(problem) = self.check_language(locator) {
            problems.push(problem);
        }
        if let Some(problem) = self.check_editors(locator) {
            problems.push(problem);
        }
        links::locate(&mut self.menu, locator);
        links::locate(&mut self.highlights, locator);
        problems.extend(links::empty_words(&self.menu));
        problems.extend(links::empty_words(&self.highlights));
        let theme = Path::new(&self.theme);
        let paths = [
            ("bibliography", self.bibliography.as_deref()),
            ("theme", Some(theme)),
        ];
        for (field, value) in paths {
            let Some(p) = value else { continue };
            if escapes_root(p) || p.as_os_str().is_empty() {
                let (line, col) = locator
                    .value_of_key(field)
                    .unwrap_or_else(|| locator.locate(&p.to_string_lossy(), Some(field)));
                problems.push(
                    Diagnostic::error(
                        path,
                        line,
                        col,
                        format!("`{field}` path `{}` leaves the site root", p.display()),
                    )
                    .with_help(
                        "paths in site.yaml are relative to the site root and must stay inside it",
                    ),
                );
            }
        }
        problems
    }

    /// `language` is a BCP 47 language tag (`en`, `en-GB`, `cy`): it goes into every page's
    /// `lang` attribute and the feed's `xml:lang`, where anything else is wrong for screen readers
    /// and search engines.
    fn check_language(&self, locator: &yaml::Locator) -> Option<Diagnostic> {
        if is_language_tag(&self.language) {
            return None;
        }
        let (line, col) = locator
            .value_of_key("language")
            .unwrap_or_else(|| locator.locate(&self.language, Some("language")));
        let shown = crate::diagnostics::printable_inline(&self.language);
        Some(
            Diagnostic::error(
                Path::new("site.yaml"),
                line,
                col,
                format!("language `{shown}` is not a language tag"),
            )
            .with_help(match language_for_name(&self.language) {
                Some(tag) => format!("write the language's tag: `language: {tag}`"),
                None => {
                    "write a BCP 47 language tag, for example `language: en-GB` or `language: cy`"
                        .into()
                }
            }),
        )
    }

    /// `accessibility_contact` is an email address: the footer links to `mailto:` it.
    fn check_contact(&self, locator: &yaml::Locator) -> Option<Diagnostic> {
        let contact = self.accessibility_contact.as_deref()?;
        if is_email_address(contact) {
            return None;
        }
        let (line, col) = locator
            .value_of_key("accessibility_contact")
            .unwrap_or_else(|| locator.locate(contact, Some("accessibility_contact")));
        let shown = crate::diagnostics::printable_inline(contact);
        Some(
            Diagnostic::error(
                Path::new("site.yaml"),
                line,
                col,
                format!("accessibility_contact `{shown}` is not an email address"),
            )
            .with_help(
                "write one address such as `accessibility@example.ac.uk`: every page's footer links to it with `mailto:`",
            ),
        )
    }

    /// `editors` names who every editorial page is credited to, as the author in BibTeX, RIS,
    /// CSL-JSON, the PDF and the page's metadata: a blank name would leave them with an empty
    /// author (`author = {{}}`), so it is refused rather than published.
    fn check_editors(&self, locator: &yaml::Locator) -> Option<Diagnostic> {
        let editors = self.editors.as_deref()?;
        if !editors.trim().is_empty() {
            return None;
        }
        let (line, col) = locator.value_of_key("editors").unwrap_or((1, 1));
        Some(
            Diagnostic::error(Path::new("site.yaml"), line, col, "`editors` is empty")
                .with_help(format!(
                    "write who the site's summaries are credited to, such as `editors: The editors of {}`, or remove `editors:` to credit them so",
                    self.title
                )),
        )
    }

    /// The path part of `base_url` (`/research/hsca12/`), where `serve` mounts the site.
    pub fn base_path(&self) -> String {
        self.base_url.path()
    }
}

/// `name@host.domain`: letters, digits and `.`, `_`, `+`, `-`, `'` before the `@`, dot-separated
/// labels of letters, digits and inner hyphens after it. Nothing that could add to a `mailto:` URL
/// (`?`, `&`, `,`, `%`), break out of an attribute or a Markdown link, or hold a space.
/// The site's published inputs, as `unchecked:` names them: every file and folder (a folder
/// with a `/` at its end) under `content/`, `static/` and the theme's `static/`, for "did you
/// mean".
fn site_paths(root: &Path, theme: &str) -> Vec<String> {
    let theme_static = Path::new("themes").join(theme).join("static");
    let mut paths = Vec::new();
    for dir in [
        Path::new("content"),
        Path::new("static"),
        theme_static.as_path(),
    ] {
        let walk = crate::paths::walk(root, dir);
        paths.extend(walk.files.iter().map(|f| crate::paths::slash_name(f)));
        let folders = walk
            .folders
            .iter()
            .map(|f| crate::paths::slash_name(f) + "/");
        paths.extend(folders);
    }
    paths
}

pub fn is_email_address(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '+' | '-' | '\''));
    let label_ok = |l: &str| {
        !l.is_empty()
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    local_ok && domain.contains('.') && domain.split('.').all(label_ok)
}

const BASE_URL_HELP: &str = "write the full address the site is published at, e.g. https://www.example.ac.uk/research/hsca12/";

/// The tag of a language written by its English name (`English` → `en-GB`), for the help: the
/// languages of the UK and the most common others. A small table, as a full registry of names
/// would be a dependency for one hint.
fn language_for_name(name: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &str)] = &[
        ("english", "en-GB"),
        ("british english", "en-GB"),
        ("american english", "en-US"),
        ("welsh", "cy"),
        ("cymraeg", "cy"),
        ("gaelic", "gd"),
        ("scottish gaelic", "gd"),
        ("irish", "ga"),
        ("french", "fr"),
        ("german", "de"),
        ("spanish", "es"),
        ("italian", "it"),
        ("portuguese", "pt"),
        ("dutch", "nl"),
        ("polish", "pl"),
        ("swedish", "sv"),
        ("danish", "da"),
        ("norwegian", "nb"),
        ("finnish", "fi"),
        ("greek", "el"),
        ("turkish", "tr"),
        ("arabic", "ar"),
        ("urdu", "ur"),
        ("hindi", "hi"),
        ("bengali", "bn"),
        ("punjabi", "pa"),
        ("chinese", "zh"),
        ("japanese", "ja"),
    ];
    let name = name.trim().to_lowercase();
    NAMES.iter().find(|(n, _)| *n == name).map(|(_, tag)| *tag)
}

/// A BCP 47 language tag in its common shape: a primary language of 2 or 3 letters (ISO 639;
/// longer primary subtags are reserved or unused, and `English` is a name, not a tag), then
/// subtags of 1 to 8 letters or digits, separated by hyphens (`en`, `en-GB`, `zh-Hant-TW`).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary = parts.next().unwrap_or("");
    (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}
