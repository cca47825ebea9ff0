//! A study's registry of informants, and how evidence names one of them.
//!
//! A study lists the people it interviewed once, in its own file (`informants:` in
//! `content/studies/<id>.md`), each with an id, a role and nothing that identifies a person. An
//! evidence item names one with `informant: <id>` (resolved in the study of the CMO's report) or
//! `informant: <study>/<id>`. Every output prints the same attribution, built here:
//!
//! 1. the role, then the area's title and "interviewed DATE", each if given (the organisation type
//!    is for analysis, in the exports; the role label says as much of it as the study publishes);
//! 2. the id after them, in brackets, unless the study's `attribution` is `role-only`, in which
//!    case no output ever shows it.

use serde::{Deserialize, Deserializer, Serialize};

use super::{is_valid_id, PartialDate, Ref};
use crate::text::yaml::value_error;

/// What the published attribution of a study's informants shows.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Attribution {
    // Plain comments on the variants, so the JSON Schema is a simple `enum` (as for every other
    // enum of the model). The role and the id: "CCG manager, Area 1 (ccg-manager-3)".
    #[default]
    RoleAndId,
    // The role only: the study promised its participants that ids would not be published.
    RoleOnly,
}

/// One person a study interviewed, described by role only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Informant {
    /// Its id within the study (lower-case letters, digits and `-`), for example
    /// `id: ccg-manager-3`.
    #[serde(deserialize_with = "informant_id")]
    #[schemars(extend("format" = "informant-id"))]
    pub id: String,
    /// The role label quotes are attributed to, for example `role: "CCG manager"`.
    pub role: String,
    /// The type of organisation they worked in, for analysis (the exports give it; the
    /// attribution does not), for example `organisation: "clinical commissioning group"`.
    pub organisation: Option<String>,
    /// The study area, for example `area: area/hsca12-area-1`.
    pub area: Option<Ref>,
    /// When they were interviewed, for example `interviewed: 2016`.
    pub interviewed: Option<PartialDate>,
}

fn informant_id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    match informant_id_problem(&text) {
        None => Ok(text),
        Some(problem) => Err(value_error("id", problem)),
    }
}

/// What is wrong with an informant id, if anything.
pub(crate) fn informant_id_problem(text: &str) -> Option<String> {
    (!is_valid_id(text)).then(|| super::id_problem(text))
}

/// What is wrong with an evidence item's `informant`, if anything: `<id>` or `<study>/<id>`.
pub(crate) fn informant_ref_problem(text: &str) -> Option<String> {
    let (study, id) = split_informant(text);
    let bad = study.into_iter().chain([id]).find(|p| !is_valid_id(p))?;
    Some(format!(
        "{}; an informant is `<id>` from the study's `informants`, or `<study>/<id>`",
        super::id_problem(bad)
    ))
}

/// An evidence item's `informant` as (study, id): `hsca12/ccg-manager-3` or `ccg-manager-3`.
pub fn split_informant(text: &str) -> (Option<&str>, &str) {
    match text.split_once('/') {
        Some((study, id)) => (Some(study), id),
        None => (None, text),
    }
}

pub(super) fn informant_ref<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    match informant_ref_problem(&text) {
        None => Ok(Some(text)),
        Some(problem) => Err(value_error("informant", problem)),
    }
}

impl Informant {
    /// The attribution every output prints: "CCG manager, Area 1, interviewed 2016
    /// (ccg-manager-3)", without the id when the study's attribution is
    /// `role-only`. `area_title` is the title of its `area`, looked up by the caller.
    pub fn attribution(&self, area_title: Option<&str>, mode: Attribution) -> String {
        let mut parts = vec![self.role.clone()];
        parts.extend(area_title.map(str::to_string));
        parts.extend(
            self.interviewed
                .map(|d| format!("interviewed {}", d.human())),
        );
        let text = parts.join(", ");
        match mode {
            Attribution::RoleAndId => format!("{text} ({})", self.id),
            Attribution::RoleOnly => text,
        }
    }

    /// Whether a free `role:` written beside `informant:` says the same: the registry's role, or
    /// the whole attribution, whatever the case and spacing.
    pub fn agrees_with(&self, role: &str, attribution: &str) -> bool {
        let norm = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let role = norm(role);
        role == norm(&self.role) || role == norm(attribution)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn informant() -> Informant {
        Informant {
            id: "ccg-manager-3".into(),
            role: "CCG manager".into(),
            organisation: None,
            area: None,
            interviewed: Some(PartialDate::parse("2016").unwrap()),
        }
    }

    #[test]
    fn attribution_hides_the_id_only_when_role_only() {
        let i = informant();
        assert_eq!(
            i.attribution(Some("Area 1"), Attribution::RoleAndId),
            "CCG manager, Area 1, interviewed 2016 (ccg-manager-3)"
        );
        assert_eq!(
            i.attribution(None, Attribution::RoleOnly),
            "CCG manager, interviewed 2016"
        );
    }

    #[test]
    fn informant_references_are_an_id_or_study_and_id() {
        assert_eq!(split_informant("s/a-1"), (Some("s"), "a-1"));
        assert_eq!(split_informant("a-1"), (None, "a-1"));
        assert!(informant_ref_problem("hsca12/ccg-3").is_none());
        assert!(informant_ref_problem("CCG 3").is_some());
        assert!(informant_ref_problem("a/b/c").is_some());
    }

    #[test]
    fn a_role_agrees_whatever_its_case() {
        let i = informant();
        assert!(i.agrees_with("ccg  Manager", "x"));
        assert!(!i.agrees_with("GP", "x"));
    }
}
