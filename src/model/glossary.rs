//! The glossary (`content/glossary.yaml`).

use serde::{Deserialize, Serialize};

/// One entry of `content/glossary.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    /// The term as written in the text, for example `term: CCG`.
    pub term: String,
    /// What an abbreviation stands for, for example `expansion: Clinical commissioning group`.
    pub expansion: Option<String>,
    /// What it means, for example `definition: "The NHS body that commissioned care until 2022."`.
    pub definition: String,
    /// Related terms, for example `see_also: [ICB]`.
    #[serde(default)]
    pub see_also: Vec<String>,
}
