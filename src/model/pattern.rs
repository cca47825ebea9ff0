//! Demi-regularities (`content/patterns/*.md`): semi-predictable patterns of outcomes that recur
//! across cases, each with the studies, tracers, areas, reports and CMO configurations that show
//! it.
//!
//! 1. [`Pattern`] is the front matter: a title, the statement of the pattern and its instances;
//! 2. each [`Instance`] names one entity (`of:`) and may say, in a note, how it shows the pattern;
//! 3. the references are returned by `Entity::refs` as `instances.of`, so the resolver checks them
//!    and each instance's page lists the pattern among its backlinks.

use serde::Deserialize;

use super::Ref;

/// A demi-regularity: a pattern of outcomes seen, more or less reliably, across cases.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// Its name, for example `title: Fragmentation produces workarounds`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// The pattern in a sentence or two, for example
    /// `statement: "Where a service is split between commissioners, ..."`.
    pub statement: String,
    /// Where it is seen, for example `instances: [{of: area/a, note: "..."}, {of: cmo/x}]`.
    #[serde(default)]
    pub instances: Vec<Instance>,
}

/// One case or CMO configuration that shows a pattern.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// The study, tracer, area, report or CMO configuration, for example `of: tracer/dementia`.
    pub of: Ref,
    /// How it shows the pattern, for example `note: "Two pathways, one for each commissioner"`.
    pub note: Option<String>,
}

impl Pattern {
    /// "N instances" on the list page.
    pub(super) fn list_note(&self) -> String {
        match self.instances.len() {
            1 => "1 instance".into(),
            n => format!("{n} instances"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_needs_a_statement_and_instances_name_entities() {
        let p: Pattern = serde_yaml::from_str(
            "title: T\nstatement: S\ninstances: [{of: cmo/a, note: n}, {of: area/b}]\n",
        )
        .unwrap();
        assert_eq!(p.list_note(), "2 instances");
        assert_eq!(p.instances[1].of.id, "b");
        assert!(serde_yaml::from_str::<Pattern>("title: T\n").is_err());
        let bad = serde_yaml::from_str::<Pattern>("title: T\nstatement: S\ninstances: [{of: x}]\n");
        assert!(bad.is_err());
    }
}
