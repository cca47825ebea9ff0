//! The title `realist new` writes for an id: `ccg-merger` becomes "CCG merger", not "Ccg merger".
//!
//! 1. split the id at `-`;
//! 2. write each word as the site's glossary spells it when the glossary has it as an acronym
//!    (`pbr` → "PbR"), else as the built-in list of health-services acronyms does (`nhs` →
//!    "NHS"), else in lower case;
//! 3. capitalise the first letter of the first word.
//!
//! The archetypes say "check the capitals" beside the title: no list knows every name.

use std::collections::HashMap;
use std::path::Path;

/// Acronyms common in English health-services research, in their usual spelling.
const ACRONYMS: &[&str] = &[
    "AHSN", "BCF", "CCG", "CMO", "CQC", "CQUIN", "CSU", "DH", "DHSC", "GP", "HSCA12", "HWB", "ICB",
    "ICP", "ICS", "JSNA", "LA", "LTC", "NHS", "NHSE", "NICE", "NIHR", "PbR", "PCN", "PCT", "QOF",
    "RAMESES", "STP", "UK", "VCSE",
];

/// A title for `id`, with the acronyms of the site's glossary (see [`glossary_acronyms`]).
pub(crate) fn title_from_id(id: &str, glossary: &HashMap<String, String>) -> String {
    let words: Vec<String> = id
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            acronym(w, glossary)
                .or_else(|| {
                    // A plural of an acronym: `ccgs` is "CCGs".
                    let stem = w.strip_suffix('s')?;
                    acronym(stem, glossary).map(|a| format!("{a}s"))
                })
                .unwrap_or_else(|| w.to_string())
        })
        .collect();
    let title = words.join(" ");
    let mut chars = title.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// How the glossary, or else the built-in list, spells the lower-case word `w`.
fn acronym(w: &str, glossary: &HashMap<String, String>) -> Option<String> {
    glossary.get(w).cloned().or_else(|| {
        ACRONYMS
            .iter()
            .find(|a| a.to_lowercase() == w)
            .map(|a| a.to_string())
    })
}

/// The acronyms of `content/glossary.yaml` (terms of one word with two capitals or more), keyed
/// by their lower-case spelling. A glossary that cannot be read gives none: `new` never fails on
/// it, and the build reports what is wrong with it.
pub(crate) fn glossary_acronyms(root: &Path) -> HashMap<String, String> {
    let Ok(bytes) = crate::paths::read(root, Path::new("content/glossary.yaml")) else {
        return HashMap::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    let entries: Vec<crate::model::GlossaryEntry> =
        crate::text::yaml::from_str(&text).unwrap_or_default();
    entries
        .into_iter()
        .map(|e| e.term)
        .filter(|t| {
            t.chars().all(char::is_alphanumeric)
                && t.chars().filter(char::is_ascii_uppercase).count() >= 2
        })
        .map(|t| (t.to_lowercase(), t))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_keep_their_capitals() {
        let none = HashMap::new();
        assert_eq!(title_from_id("ccg-merger", &none), "CCG merger");
        assert_eq!(title_from_id("nhs-111-pcn", &none), "NHS 111 PCN");
        assert_eq!(title_from_id("dementia-area-2", &none), "Dementia area 2");
        assert_eq!(title_from_id("gp-led-pbr", &none), "GP led PbR");
        assert_eq!(title_from_id("ccgs-and-gps", &none), "CCGs and GPs");
        assert_eq!(title_from_id("who-decides", &none), "Who decides");
        let glossary = HashMap::from([("hwbb".to_string(), "HWBB".to_string())]);
        assert_eq!(title_from_id("the-hwbb", &glossary), "The HWBB");
    }
}
