//! `branding:` in `site.yaml`: a university's logo, colours and parent links, without a fork of
//! the theme.
//!
//! [`Branding::check`] does this, after the file has been parsed:
//!
//! 1. the logo must be an image file (not a folder) under the site's `static/` folder (which the build copies
//!    and checks like every static image), named by a path that stays inside the site;
//! 2. each colour must be an opaque CSS colour ([`contrast::parse`]);
//! 3. each pair of colours the theme puts text on must reach WCAG AA's 4.5:1, the site's colours
//!    standing in for the theme's defaults where given ([`Branding::pairs`]);
//!    (the link colour also on the matrix's darkest heat cell, which mixes it into the page);
//! 4. the site may not have its own `static/brand.css` as well as colours (it would replace the
//!    checked stylesheet);
//! 5. the logo's text alternative and the parents' names may not be empty (links with no name);
//! 6. the department's and university's addresses must be `https:` or `http:` addresses;
//! 7. every problem is located at its value in `site.yaml`.
//!
//! The checked colours reach the pages as CSS custom properties in a generated stylesheet
//! ([`Branding::stylesheet`]), written from their normalised `#rrggbb` form only.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::contrast::{self, Rgb};
use crate::diagnostics::Diagnostic;
use crate::text::yaml;

/// Where the stylesheet of the branding colours is written, relative to the site root.
pub const BRAND_STYLESHEET: &str = "static/brand.css";

/// The site's branding.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// An image in the site's `static/` folder shown at the start of the header, such as
    /// `static/logo.svg`; it links to the university's address when one is given.
    pub logo: Option<PathBuf>,
    /// The logo's text alternative; by default the university's name, else the publisher.
    pub logo_alt: Option<String>,
    /// Colours that replace the theme's; each text colour must reach 4.5:1 on its background.
    #[serde(default)]
    pub colours: Colours,
    /// The department or unit the site belongs to, linked from the header and footer.
    pub department: Option<ParentLink>,
    /// The university, linked from the header and footer.
    pub university: Option<ParentLink>,
}

/// `branding.colours`: CSS colours (`#0b3d60`, `rgb(11 61 96)`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Colours {
    /// Borders, panels' edges and buttons (white text on it); by default also the header.
    pub accent: Option<String>,
    /// The header's background; by default the accent colour.
    pub header_background: Option<String>,
    /// The header's text and links; by default white.
    pub header_text: Option<String>,
    /// Links on the page's white background and grey panels.
    pub link: Option<String>,
}

/// A link to a parent organisation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParentLink {
    pub name: String,
    /// An `https:` address.
    pub url: String,
}

/// The default theme's light colours that branding colours are checked against (`style.css`).
const THEME_ACCENT: Rgb = Rgb([0x0b, 0x3d, 0x60]);
const THEME_LINK: Rgb = Rgb([0x1d, 0x4e, 0xd8]);
const THEME_PAGE: Rgb = Rgb::WHITE;
const THEME_PANEL: Rgb = Rgb([0xf3, 0xf4, 0xf6]);
/// The share of the link colour in the matrix's darkest heat cell (`.heat-4` in `style.css`).
const HEAT_MAX: f64 = 0.24;

/// A pair to check: the key its problem is located at, then the text colour and the background,
/// each with its name in the message.
type Pair = (&'static str, (&'static str, Rgb), (&'static str, Rgb));

/// The colours the build uses, each either the site's (checked) or the theme's.
#[derive(Debug, Clone, Copy)]
struct Palette {
    accent: Rgb,
    header_background: Rgb,
    header_text: Rgb,
    link: Rgb,
}

impl Branding {
    /// Every problem of the branding settings, located in `site.yaml` (`text`).
    pub fn check(&self, root: &Path, text: &str) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let at = |key: &str, written: &str| locate(text, key, written);
        let error = |(line, col): (usize, usize), message: String, help: &str| {
            Diagnostic::error(Path::new("site.yaml"), line, col, message).with_help(help)
        };
        if let Some(problem) = self.check_logo(root) {
            let written = self
                .logo
                .as_deref()
                .unwrap_or(Path::new(""))
                .to_string_lossy();
            problems.push(error(at("logo", &written), problem, LOGO_HELP));
        }
        if let Some(alt) = self.logo_alt.as_deref().filter(|a| a.trim().is_empty()) {
            problems.push(error(
                at("logo_alt", alt),
                "`logo_alt` is empty, so the logo's link would have no accessible name".into(),
                "write the name the logo shows, such as the university's, or leave `logo_alt` out to use the university's name",
            ));
        }
        for (key, label, value) in self.colours.named() {
            let Some(written) = value else { continue };
            if let Err(why) = contrast::parse(written) {
                let shown = crate::diagnostics::printable_inline(written);
                problems.push(error(
                    at(key, written),
                    format!("{label} `{shown}` {why}"),
                    COLOUR_HELP,
                ));
            }
        }
        if problems.is_empty() {
            problems.extend(self.check_contrast(text));
        }
        problems.extend(self.check_own_stylesheet(root, text));
        problems.extend(self.check_parents(text));
        problems
    }

    /// A site's own brand.css replaces the generated one, so its colours would reach the pages
    /// unchecked while the ones in site.yaml are silently ignored.
    fn check_own_stylesheet(&self, root: &Path, text: &str) -> Option<Diagnostic> {
        let own = Path::new(BRAND_STYLESHEET);
        if !self.has_colours() || !crate::paths::exists(root, own) {
            return None;
        }
        let (line, col) = key_line(text, "colours");
        let message = format!("the site has its own `{}`, which would replace the stylesheet of these colours, so they would be neither used nor checked", own.display());
        Some(
            Diagnostic::error(Path::new("site.yaml"), line, col, message).with_help(
                "rename your file (and link it from a template), or remove `colours` from site.yaml",
            ),
        )
    }

    /// The parents' names (their links' text) and addresses.
    fn check_parents(&self, text: &str) -> Vec<Diagnostic> {
        let error = |(line, col): (usize, usize), message: String, help: &str| {
            Diagnostic::error(Path::new("site.yaml"), line, col, message).with_help(help)
        };
        let mut problems = Vec::new();
        for (key, link) in [
            ("department", &self.department),
            ("university", &self.university),
        ] {
            let Some(link) = link else { continue };
            if link.name.trim().is_empty() {
                problems.push(error(
                    key_line(text, key),
                    format!("the {key}'s name is empty, so its link would have no text"),
                    "write the name as readers know it, such as `Example University`",
                ));
            }
            if !is_web_address(&link.url) {
                let shown = crate::diagnostics::printable_inline(&link.url);
                let message =
                    format!("the {key}'s url `{shown}` is not an https: or http: address");
                problems.push(error(
                    locate(text, "url", &link.url),
                    message,
                    "write the full address, such as https://www.example.ac.uk/",
                ));
            }
        }
        problems
    }

    /// The contrast of each pair the theme puts text on, with the site's colours in place.
    fn check_contrast(&self, text: &str) -> Vec<Diagnostic> {
        let palette = self.palette();
        let mut seen = Vec::new();
        self.pairs(&palette)
            .into_iter()
            .filter_map(|(key, fore, back)| {
                // White on the accent is both the header's and the buttons' pair by default.
                if seen.contains(&(fore.1, back.1)) {
                    return None;
                }
                seen.push((fore.1, back.1));
                let message = contrast::check_pair(fore, back)?;
                let (line, col) = self
                    .written(key)
                    .map(|w| locate(text, key, w))
                    .unwrap_or((1, 1));
                Some(
                    Diagnostic::error(Path::new("site.yaml"), line, col, message)
                        .with_help("WCAG 2.2 AA (1.4.3) needs 4.5:1 for text; a contrast checker shows how far to move either colour"),
                )
            })
            .collect()
    }

    /// The pairs to check, each with the key its problem is located at: the site's own value of
    /// the pair, the text colour first.
    fn pairs(&self, p: &Palette) -> Vec<Pair> {
        let c = &self.colours;
        let mut pairs = Vec::new();
        // The header's pair is located at the first of its colours the site sets.
        let header_key = [
            ("header_text", &c.header_text),
            ("header_background", &c.header_background),
            ("accent", &c.accent),
        ]
        .into_iter()
        .find_map(|(key, v)| v.is_some().then_some(key));
        if let Some(key) = header_key {
            pairs.push((
                key,
                ("header text", p.header_text),
                ("header background", p.header_background),
            ));
        }
        if c.accent.is_some() {
            pairs.push((
                "accent",
                ("white button text", Rgb::WHITE),
                ("accent", p.accent),
            ));
        }
        if c.link.is_some() {
            pairs.push(("link", ("link", p.link), ("page background", THEME_PAGE)));
            pairs.push(("link", ("link", p.link), ("panel background", THEME_PANEL)));
            // The matrix's darkest heat cell mixes the link colour into the page, as style.css
            // does with `color-mix(in srgb, var(--link) 24%, var(--bg))`, and holds links.
            let heat = p.link.mix(HEAT_MAX, THEME_PAGE);
            pairs.push(("link", ("link", p.link), ("darkest matrix heat cell", heat)));
        }
        pairs
    }

    fn palette(&self) -> Palette {
        let get = |v: &Option<String>| v.as_deref().and_then(|t| contrast::parse(t).ok());
        let c = &self.colours;
        let accent = get(&c.accent).unwrap_or(THEME_ACCENT);
        Palette {
            accent,
            header_background: get(&c.header_background).unwrap_or(accent),
            header_text: get(&c.header_text).unwrap_or(Rgb::WHITE),
            link: get(&c.link).unwrap_or(THEME_LINK),
        }
    }

    fn written(&self, key: &str) -> Option<&str> {
        self.colours
            .named()
            .into_iter()
            .find(|(k, _, _)| *k == key)
            .and_then(|(_, _, v)| v)
    }

    fn check_logo(&self, root: &Path) -> Option<String> {
        let logo = self.logo.as_deref()?;
        let shown = logo.display();
        if crate::paths::escapes_root(logo) || !logo.starts_with("static") {
            return Some(format!(
                "the logo `{shown}` is not in the site's static/ folder"
            ));
        }
        let ext = logo
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if !IMAGE_EXTENSIONS.contains(&ext.as_str()) {
            return Some(format!(
                "the logo `{shown}` is not an image (.svg, .png, .jpg, .webp, .gif or .avif)"
            ));
        }
        if !crate::paths::exists(root, logo) {
            return Some(format!("the logo `{shown}` does not exist"));
        }
        // A folder (or anything but a file) would pass as a logo and break every page's link.
        let is_file = std::fs::symlink_metadata(root.join(logo)).is_ok_and(|m| m.is_file());
        if !is_file {
            return Some(format!("the logo `{shown}` is not a file"));
        }
        None
    }

    /// Whether the site sets any colour, so that pages link the generated stylesheet.
    pub fn has_colours(&self) -> bool {
        self.colours.named().iter().any(|(_, _, v)| v.is_some())
    }

    /// The stylesheet that carries the site's colours to the theme as custom properties. The
    /// header pair is checked as a pair, so it holds in dark mode too; the accent and link
    /// colours were checked on the light backgrounds only, so dark mode keeps the theme's.
    pub fn stylesheet(&self) -> String {
        let p = self.palette();
        let c = &self.colours;
        let mut css =
            String::from("/* Generated by realist from site.yaml's branding colours. */\n:root {");
        if c.header_background.is_some() || c.accent.is_some() {
            css.push_str(&format!(" --header-bg: {};", p.header_background.hex()));
        }
        if c.header_text.is_some() {
            css.push_str(&format!(" --header-text: {};", p.header_text.hex()));
        }
        css.push_str(" }\n@media not all and (prefers-color-scheme: dark) { :root {");
        if c.accent.is_some() {
            css.push_str(&format!(" --accent: {};", p.accent.hex()));
        }
        if c.link.is_some() {
            css.push_str(&format!(" --link: {};", p.link.hex()));
        }
        css.push_str(" } }\n");
        css
    }
}

impl Colours {
    /// Each colour with its key and its name in messages.
    fn named(&self) -> [(&'static str, &'static str, Option<&str>); 4] {
        [
            ("accent", "accent colour", self.accent.as_deref()),
            (
                "header_background",
                "header background",
                self.header_background.as_deref(),
            ),
            ("header_text", "header text", self.header_text.as_deref()),
            ("link", "link colour", self.link.as_deref()),
        ]
    }
}

const IMAGE_EXTENSIONS: &[&str] = &["svg", "png", "jpg", "jpeg", "webp", "gif", "avif"];
const LOGO_HELP: &str = "put the logo in the site's static/ folder and name it from the site root, such as `logo: static/logo.svg`";
const COLOUR_HELP: &str = "write a colour as hex (`#0b3d60`, `#fff`) or a CSS function: `rgb(11 61 96)`, `hsl(…)`, `hwb(…)`, `lab(…)`, `lch(…)`, `oklab(…)` or `oklch(…)`; colour names such as `navy` are not accepted";

fn is_web_address(text: &str) -> bool {
    url::Url::parse(text)
        .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
}

/// Where the key `key` is first written at the start of a line of `site.yaml` (for a key whose
/// value is a mapping, which [`locate`] cannot find), else the top of the file.
fn key_line(text: &str, key: &str) -> (usize, usize) {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| {
            let rest = l.trim_start();
            let named = rest.strip_prefix(key)?.trim_start().starts_with(':');
            named.then_some((i + 1, l.len() - rest.len() + 1))
        })
        .unwrap_or((1, 1))
}

/// Where the value `written` of `key` is in `site.yaml`: the occurrence of the key whose value is
/// that text, read from the parsed tree (so a `link:` of a menu entry is not taken for the link
/// colour). Only called for a problem, so the second parse costs nothing on a good site.
fn locate(text: &str, key: &str, written: &str) -> (usize, usize) {
    let values = yaml::values_of_key(text, key);
    let (line, col) = values
        .iter()
        .find(|(v, _, _)| v == written)
        .or(values.first())
        .map_or((1, 1), |(_, line, col)| (*line, *col));
    // A quoted value is located at its first character, as other site.yaml values are.
    let quoted = text
        .lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| l.chars().nth(col.saturating_sub(1)))
        .is_some_and(|c| c == '"' || c == '\'');
    (line, col + usize::from(quoted))
}
