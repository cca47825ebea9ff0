//! The RAMESES II reporting standard for realist evaluations (Wong et al. 2016, BMC Medicine
//! 14:96) as data, and the `rameses:` front matter that maps its items to where a report covers
//! them.
//!
//! 1. [`ITEMS`] lists the 20 items once: number, key, name, and the report field (if any) that
//!    covers the item when the author does not map it.
//! 2. [`RamesesEntry`] is what an author writes for one item: a status, where it is covered (a
//!    `#section` of the report or a front-matter field) and a note.
//! 3. [`item_named`] finds an item by the number or key an author wrote.

use serde::{Deserialize, Serialize};

/// How far a report covers an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RamesesStatus {
    Met,
    Partly,
    NotReported,
}

impl RamesesStatus {
    /// The status in words, as the page and the exports print it.
    pub fn label(self) -> &'static str {
        match self {
            RamesesStatus::Met => "Met",
            RamesesStatus::Partly => "Partly met",
            RamesesStatus::NotReported => "Not reported",
        }
    }
}

/// Where and how far a report covers one RAMESES II item.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RamesesEntry {
    /// How far the item is covered: `met`, `partly` or `not-reported`, for example `status: met`.
    pub status: RamesesStatus,
    /// Where it is covered: a `#section` of the report's body or a front-matter field, for
    /// example `where: "#methods"` or `where: abstract`.
    #[serde(rename = "where")]
    pub location: Option<String>,
    /// What a reader should know, for example `note: "Sampling is described, not justified."`.
    pub note: Option<String>,
}

/// One item of the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RamesesItem {
    pub number: u8,
    /// The key an author may write instead of the number, for example `programme-theory`.
    pub key: &'static str,
    pub name: &'static str,
    /// The report field that covers the item when it is set, found without a mapping.
    pub field: Option<&'static str>,
}

const fn item(
    number: u8,
    key: &'static str,
    name: &'static str,
    field: Option<&'static str>,
) -> RamesesItem {
    RamesesItem {
        number,
        key,
        name,
        field,
    }
}

/// The 20 items of RAMESES II for realist evaluations, in the standard's order and words.
pub const ITEMS: [RamesesItem; 20] = [
    item(1, "title", "Title", Some("title")),
    item(2, "abstract", "Summary or abstract", Some("abstract")),
    item(3, "rationale", "Rationale for evaluation", None),
    item(
        4,
        "programme-theory",
        "Programme theory",
        Some("programme_theories"),
    ),
    item(
        5,
        "questions",
        "Evaluation questions, objectives and focus",
        None,
    ),
    item(6, "ethics", "Ethical approval", Some("ethics")),
    item(
        7,
        "realist-rationale",
        "Rationale for using realist evaluation",
        None,
    ),
    item(
        8,
        "environment",
        "Environment surrounding the evaluation",
        None,
    ),
    item(
        9,
        "programme",
        "Describe the programme policy, initiative or product evaluated",
        None,
    ),
    item(
        10,
        "design",
        "Describe and justify the evaluation design",
        None,
    ),
    item(11, "data-collection", "Data collection methods", None),
    item(
        12,
        "recruitment",
        "Recruitment process and sampling strategy",
        None,
    ),
    item(13, "analysis", "Data analysis", None),
    item(14, "participants", "Details of participants", None),
    item(15, "main-findings", "Main findings", Some("cmos")),
    item(
        16,
        "summary-of-findings",
        "Summary of findings",
        Some("summary"),
    ),
    item(
        17,
        "strengths-limitations",
        "Strengths, limitations and future research directions",
        None,
    ),
    item(
        18,
        "literature",
        "Comparison with existing literature",
        None,
    ),
    item(19, "conclusions", "Conclusion and recommendations", None),
    item(
        20,
        "funding",
        "Funding and conflict of interest",
        Some("funding"),
    ),
];

/// The item an author names by its number (`4`) or key (`programme-theory`).
pub fn item_named(written: &str) -> Option<&'static RamesesItem> {
    let written = written.trim();
    ITEMS
        .iter()
        .find(|i| i.key == written || written.parse::<u8>().is_ok_and(|n| n == i.number))
}

/// Every name an item may be written by, for "did you mean".
pub fn item_keys() -> impl Iterator<Item = &'static str> {
    ITEMS.iter().map(|i| i.key)
}
