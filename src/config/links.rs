//! `menu:` and `highlights:` in site.yaml: lists of pages of the site, each written as a reference
//! (`page/about`) or with the words to show (`{link: page/about, label: About us}`).
//!
//! 1. [`SiteLink`] reads either form; which key holds the words, and how messages name the list,
//!    come from the list's [`LinkList`] ([`Menu`], [`Highlights`]);
//! 2. [`locate`] finds where each entry's link is written, once the whole file is parsed;
//! 3. [`empty_words`] refuses words that are empty: the link would have no accessible name;
//! 4. [`check_targets`] checks, once the site is read, that each link names a page it publishes.

use std::fmt;
use std::marker::PhantomData;
use std::path::Path;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::diagnostics::Diagnostic;
use crate::model::Ref;
use crate::text::yaml;

/// What sets one list of links in site.yaml apart from another.
pub trait LinkList {
    /// The list's key in site.yaml.
    const KEY: &'static str;
    /// The key of an entry's own words.
    const WORDS: &'static str;
    /// How messages name an entry.
    const ENTRY: &'static str;
    /// Both forms of an entry, for messages.
    const EXAMPLE: &'static str;
    /// What a reader sees without words of the entry's own.
    const DEFAULT_WORDS: &'static str;
}

/// `menu:`: pages added to the header navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Menu;

impl LinkList for Menu {
    const KEY: &'static str = "menu";
    const WORDS: &'static str = "label";
    const ENTRY: &'static str = "menu entry";
    const EXAMPLE: &'static str = "`page/about`, or `{link: page/about, label: About}`";
    const DEFAULT_WORDS: &'static str = "the page's title";
}

/// `highlights:`: the headline findings the home page shows first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlights;

impl LinkList for Highlights {
    const KEY: &'static str = "highlights";
    const WORDS: &'static str = "text";
    const ENTRY: &'static str = "highlight";
    const EXAMPLE: &'static str = "`cmo/some-id`, or `{link: cmo/some-id, text: A finding}`";
    const DEFAULT_WORDS: &'static str = "the page's title";
}

/// An entry of a [`LinkList`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteLink<L> {
    /// The words shown, linked to `link` (a menu entry's `label`, a highlight's `text`); by
    /// default the page's title.
    pub words: Option<String>,
    /// The page, as a reference (`page/about`, `report/x#findings`).
    pub link: Ref,
    /// Where `link` is written in site.yaml (line, column), to report a problem with it once the
    /// site is read.
    pub at: (usize, usize),
    list: PhantomData<L>,
}

pub type MenuItem = SiteLink<Menu>;
pub type Highlight = SiteLink<Highlights>;

impl<'de, L: LinkList> Deserialize<'de> for SiteLink<L> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor::<L>(PhantomData))
    }
}

struct EntryVisitor<L>(PhantomData<L>);

impl<'de, L: LinkList> Visitor<'de> for EntryVisitor<L> {
    type Value = SiteLink<L>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a page such as {}", L::EXAMPLE)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<SiteLink<L>, E> {
        entry(v, None, false)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SiteLink<L>, A::Error> {
        let (mut link, mut words) = (None::<String>, None::<String>);
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "link" => link = Some(map.next_value()?),
                k if k == L::WORDS => words = Some(map.next_value()?),
                other => return Err(de::Error::unknown_field(other, &["link", L::WORDS])),
            }
        }
        let link = link.ok_or_else(|| de::Error::missing_field("link"))?;
        entry(&link, words, true)
    }
}

fn entry<L: LinkList, E: de::Error>(
    link: &str,
    words: Option<String>,
    mapping: bool,
) -> Result<SiteLink<L>, E> {
    let link = Ref::parse(link).map_err(|m| {
        let m = format!(
            "{m}; a {} names a page of the site, such as {}",
            L::ENTRY,
            L::EXAMPLE
        );
        // Located at the `link:` value when the entry is a mapping, else where serde places it
        // (the entry itself): the next `link:` key in the file may belong to another entry.
        if mapping {
            yaml::value_error("link", m)
        } else {
            E::custom(m)
        }
    })?;
    Ok(SiteLink {
        words,
        link,
        at: (0, 0),
        list: PhantomData,
    })
}

/// Finds where each entry's link is written, in order, from the list's key on (so that a link is
/// not found in an earlier value).
pub fn locate<L: LinkList>(entries: &mut [SiteLink<L>], locator: &yaml::Locator) {
    let mut cursor = yaml::LocateCursor::default();
    if !entries.is_empty() {
        let _ = locator.locate_next(L::KEY, &mut cursor);
    }
    for item in entries {
        let written = item.link.to_string();
        item.at = locator
            .locate_next(&written, &mut cursor)
            .or_else(|| locator.value_of_key(L::KEY))
            .unwrap_or((1, 1));
    }
}

/// Entries whose own words are empty, which would make links with no text.
pub fn empty_words<L: LinkList>(entries: &[SiteLink<L>]) -> Vec<Diagnostic> {
    let empty = |i: &&SiteLink<L>| i.words.as_deref().is_some_and(|w| w.trim().is_empty());
    entries
        .iter()
        .filter(empty)
        .map(|item| {
            let message = format!(
                "the {} `{}` has an empty `{}`, so its link would have no text",
                L::ENTRY,
                item.link,
                L::WORDS
            );
            let help = format!(
                "write the {} readers should see, or leave `{}` out to show {}",
                L::WORDS,
                L::WORDS,
                L::DEFAULT_WORDS
            );
            let (line, column) = item.at;
            Diagnostic::error(Path::new("site.yaml"), line, column, message).with_help(help)
        })
        .collect()
}

/// Checks that each entry names a page the site publishes: `problem` says what is wrong with a
/// reference (the resolver's check), and the error is located at the entry in site.yaml.
pub fn check_targets<L: LinkList>(
    entries: &[SiteLink<L>],
    problem: impl Fn(&Ref) -> Option<(String, Option<String>)>,
) -> Vec<Diagnostic> {
    entries
        .iter()
        .filter_map(|item| {
            let (message, help) = problem(&item.link)?;
            let (line, column) = item.at;
            let d = Diagnostic::error(Path::new("site.yaml"), line, column, message);
            Some(d.with_help_opt(help))
        })
        .collect()
}
