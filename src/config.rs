//! `site.yaml`: the site's own settings.
//!
//! [`SiteConfig::load`] does this:
//!
//! 1. read `site.yaml` under the input policy and parse it (unknown keys are errors with a
//!    suggestion);
//! 2. check each value whose grammar is its own: `base_url` ([`crate::url::BaseUrl`]), the
//!    language tag, the accessibility contact's email address, the paths it names;
//! 3. locate each `menu:` and `highlights:` entry, whose target is checked once the site is known
//!    ([`SiteConfig::check_menu`], [`SiteConfig::check_highlights`]);
//! 4. return every problem at once, each located at its value.

mod branding;
pub mod contrast;

use std::path::{Path, PathBuf};

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::model::Ref;
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
    /// for a site of at most [`crate::write::exports::XLSX_AUTO_CMOS`] CMOs, where it costs
    /// little; a larger site turns it on with `xlsx: true`.
    pub xlsx: Option<bool>,
}

/// An entry of `highlights:`: a page of the site, written `cmo/some-id`, or
/// `{link: report/x#findings, text: "A finding in one sentence"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// The message the home page shows, linked to `link`; by default the page's title.
    pub text: Option<String>,
    /// The page, as a reference (`cmo/some-id`, `report/x#findings`).
    pub link: Ref,
    /// Where `link` is written in site.yaml (line, column), to report a target that does not exist
    /// once the site is read.
    pub at: (usize, usize),
}

impl<'de> Deserialize<'de> for Highlight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            link: String,
            text: Option<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Highlight;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(
                    "a page such as `cmo/some-id`, or `{link: cmo/some-id, text: A finding}`",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Highlight, E> {
                highlight(v, None, false)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Highlight, A::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                highlight(&full.link, full.text, true)
            }
        }
        d.deserialize_any(V)
    }
}

fn highlight<E: de::Error>(
    link: &str,
    text: Option<String>,
    mapping: bool,
) -> Result<Highlight, E> {
    let link = Ref::parse(link).map_err(|m| {
        let m = format!("{m}; a highlight names a page of the site, such as `cmo/some-id`");
        at_link(m, mapping)
    })?;
    // An empty message would show as an empty link: say so where it is written.
    let text = text.map(|t| t.trim().to_owned());
    if text.as_deref() == Some("") {
        return Err(yaml::value_error(
            "text",
            "a highlight's `text` is empty; write the finding, or leave `text` out to show the page's title",
        ));
    }
    Ok(Highlight {
        text,
        link,
        at: (0, 0),
    })
}

pub use branding::{Branding, Colours, ParentLink, BRAND_STYLESHEET};

/// An entry of `menu:`: a page of the site, written `page/about` or
/// `{link: page/about, label: "About us"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    /// What the navigation shows: by default, the page's title.
    pub label: Option<String>,
    /// The page, as a reference (`page/about`, `report/x#findings`).
    pub link: Ref,
    /// Where `link` is written in site.yaml (line, column), to report a target that does not
    /// exist once the site is read.
    pub at: (usize, usize),
}

impl<'de> Deserialize<'de> for MenuItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Full {
            link: String,
            label: Option<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = MenuItem;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a page such as `page/about`, or `{link: page/about, label: About}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MenuItem, E> {
                menu_item(v, None, false)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<MenuItem, A::Error> {
                let full = Full::deserialize(de::value::MapAccessDeserializer::new(map))?;
                menu_item(&full.link, full.label, true)
            }
        }
        d.deserialize_any(V)
    }
}

/// The error of an entry's link: located at its `link:` value when the entry is a mapping, else
/// where serde places it (the entry itself), since the next `link:` key in the file may belong to
/// another entry, or another list.
fn at_link<E: de::Error>(message: String, mapping: bool) -> E {
    if mapping {
        yaml::value_error("link", message)
    } else {
        E::custom(message)
    }
}

fn menu_item<E: de::Error>(
    link: &str,
    label: Option<String>,
    mapping: bool,
) -> Result<MenuItem, E> {
    let link = Ref::parse(link).map_err(|m| {
        let m = format!("{m}; a menu entry names a page of the site, such as `page/about`");
        at_link(m, mapping)
    })?;
    Ok(MenuItem {
        label,
        link,
        at: (0, 0),
    })
}

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
        self.locate_menu(locator);
        problems.extend(self.check_menu_labels());
        self.locate_highlights(locator);
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

    /// Finds where each `menu:` entry's link is written, in order.
    fn locate_menu(&mut self, locator: &yaml::Locator) {
        // From the first `menu` on, so that a link is not found in an earlier value.
        let mut cursor = yaml::LocateCursor::default();
        if !self.menu.is_empty() {
            let _ = locator.locate_next("menu", &mut cursor);
        }
        for item in &mut self.menu {
            let written = item.link.to_string();
            item.at = locator
                .locate_next(&written, &mut cursor)
                .or_else(|| locator.value_of_key("menu"))
                .unwrap_or((1, 1));
        }
    }

    /// An empty `label` of a `menu:` entry would make a link with no accessible name.
    fn check_menu_labels(&self) -> Vec<Diagnostic> {
        let empty = |i: &&MenuItem| i.label.as_deref().is_some_and(|l| l.trim().is_empty());
        self.menu
            .iter()
            .filter(empty)
            .map(|item| {
                let (line, column) = item.at;
                let message = format!("the menu entry `{}` has an empty label, so its link would have no text", item.link);
                Diagnostic::error(Path::new("site.yaml"), line, column, message)
                    .with_help("write the label readers should see, or leave `label` out to show the page's title")
            })
            .collect()
    }

    /// Checks that each `menu:` entry names a page the site publishes: `problem` says what is
    /// wrong with a reference (the resolver's check of a reference), and the error is located at
    /// the entry in site.yaml.
    pub fn check_menu(
        &self,
        problem: impl Fn(&Ref) -> Option<(String, Option<String>)>,
    ) -> Vec<Diagnostic> {
        self.menu
            .iter()
            .filter_map(|item| {
                let (message, help) = problem(&item.link)?;
                let (line, column) = item.at;
                let d = Diagnostic::error(Path::new("site.yaml"), line, column, message);
                Some(d.with_help_opt(help))
            })
            .collect()
    }

    /// Finds where each `highlights:` entry's link is written, in order.
    fn locate_highlights(&mut self, locator: &yaml::Locator) {
        // From `highlights` on, so that a link is not found in the menu or an earlier value.
        let mut cursor = yaml::LocateCursor::default();
        if !self.highlights.is_empty() {
            let _ = locator.locate_next("highlights", &mut cursor);
        }
        for item in &mut self.highlights {
            let written = item.link.to_string();
            item.at = locator
                .locate_next(&written, &mut cursor)
                .or_else(|| locator.value_of_key("highlights"))
                .unwrap_or((1, 1));
        }
    }

    /// Checks that each `highlights:` entry names a page the site publishes, as
    /// [`SiteConfig::check_menu`] does for the menu.
    pub fn check_highlights(
        &self,
        problem: impl Fn(&Ref) -> Option<(String, Option<String>)>,
    ) -> Vec<Diagnostic> {
        self.highlights
            .iter()
            .filter_map(|item| {
                let (message, help) = problem(&item.link)?;
                let (line, column) = item.at;
                let d = Diagnostic::error(Path::new("site.yaml"), line, column, message);
                Some(d.with_help_opt(help))
            })
            .collect()
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

    /// The path part of `base_url` (`/research/hsca12/`), where `serve` mounts the site.
    pub fn base_path(&self) -> String {
        self.base_url.path()
    }
}

/// `name@host.domain`: letters, digits and `.`, `_`, `+`, `-`, `'` before the `@`, dot-separated
/// labels of letters, digits and inner hyphens after it. Nothing that could add to a `mailto:` URL
/// (`?`, `&`, `,`, `%`), break out of an attribute or a Markdown link, or hold a space.
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
