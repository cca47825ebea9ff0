//! The glossary (`content/glossary.yaml`).

use serde::{Deserialize, Serialize};

/// One entry of `content/glossary.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    pub term: String,
    pub expansion: Option<String>,
    pub definition: String,
    #[serde(default)]
    pub see_also: Vec<String>,
}
