//! The domain model: the content schema of DESIGN.md as typed structs, and the registry of entity
//! kinds. Every stage reads it; it reads no stage.
//!
//! 1. [`kinds`] names each kind of entity and describes it once (folder, URL, labels, links).
//! 2. [`refs`] and [`values`] are the small values with a grammar of their own: ids, `kind/id`
//!    references, partial dates.
//! 3. [`report`], [`cmo`], [`entities`], [`source`], [`pattern`] and [`glossary`] are the front
//!    matter of each kind.
//!
//! Every struct denies unknown fields, so a typo is an error with a suggestion instead of silently
//! dropped metadata. Values with a grammar of their own (references, dates, the `[none-identified]`
//! marker) are checked while deserialising, so serde_yaml reports them with their position.

pub mod cmo;
pub mod entities;
pub mod glossary;
pub mod informant;
pub mod kinds;
pub mod pattern;
pub mod rameses;
pub mod refs;
pub mod report;
pub mod schema;
pub mod source;
pub mod values;

pub use cmo::*;
pub use entities::*;
pub use glossary::*;
pub use informant::{split_informant, Attribution, Informant};
pub use kinds::*;
pub use pattern::{Instance, Pattern};
pub use rameses::{RamesesEntry, RamesesStatus};
pub use refs::*;
pub use report::*;
pub use source::*;
pub use values::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_parse() {
        let r = Ref::parse("report/hsca12-final#methods").unwrap();
        assert_eq!(
            (r.kind, r.id.as_str(), r.anchor.as_deref()),
            (Kind::Report, "hsca12-final", Some("methods"))
        );
        assert!(Ref::parse("tracer").is_err());
        assert!(Ref::parse("tracr/x")
            .unwrap_err()
            .contains("did you mean `tracer`"));
        assert!(Ref::parse("tracer/Bad_Id").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(PartialDate::parse("2017-06").unwrap().human(), "June 2017");
        assert!(PartialDate::parse("2017-13").is_err());
        assert!(PartialDate::parse("2019-02-29").is_err());
        assert!(PartialDate::parse("2020-02-29").is_ok());
        assert!(PartialDate::parse("17-06").is_err());
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("hsca12-area-1"));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id("Area"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn labels() {
        assert_eq!(
            enum_label(&CmoStatus::PartiallySupported),
            "Partially supported"
        );
    }

    /// The references `refs()` returns for front matter of `kind` that fills every field that can
    /// name another entity, each naming every kind it may name, as (field, kind named). The match
    /// has no `_ =>` arm, so a new kind must be given a fixture here.
    fn refs_of_a_full_fixture(kind: Kind) -> Vec<(&'static str, Kind)> {
        fn pairs(refs: Vec<(&'static str, &Ref)>) -> Vec<(&'static str, Kind)> {
            refs.into_iter().map(|(f, r)| (f, r.kind)).collect()
        }
        fn entity<T: serde::de::DeserializeOwned>(
            yaml: &str,
            f: fn(T) -> Entity,
        ) -> Vec<(&'static str, Kind)> {
            let entity = f(serde_yaml::from_str(yaml).expect("the fixture parses"));
            pairs(entity.refs())
        }
        match kind {
            Kind::Report => {
                let report: Report = serde_yaml::from_str(
                    "type: tracer-report\ntitle: R\ndate: 2017\nauthors: []\nstatus: published\nstudy: study/s\ntracer: tracer/t\ntracers: [tracer/u]\nareas: [area/a]\nprogramme_theories: [theory/p]\nsummary: []\nderived_from: report/q\nsources: [source/b]\neditorial: {summarises: source/c}\n",
                )
                .expect("the fixture parses");
                pairs(report.refs())
            }
            Kind::Cmo => {
                let cmo: Cmo = serde_yaml::from_str(
                    "id: c\ntitle: C\nkind: observed\nprogramme_theory: [theory/p]\ntracer: tracer/t\nareas: [area/a]\ncontext: []\nmechanism: {}\noutcome: []\nchain: {feeds_context_of: [cmo/d], refines: cmo/e, contradicts: [cmo/f], specialises: [cmo/g]}\nevidence: [{kind: document, source: report/q}, {kind: document, source: page/p}, {kind: document, source: source/b}]\nstatus: supported\nsources: [source/b]\n",
                )
                .expect("the fixture parses");
                pairs(cmo.refs())
            }
            Kind::Study => entity(
                "title: S\ninformants: [{id: i, role: R, area: area/a}]\n",
                Entity::Study,
            ),
            Kind::Tracer => entity("title: T\nstudy: study/s\n", Entity::Tracer),
            Kind::Area => entity("title: A\nstudy: study/s\nanonymised: true\n", Entity::Area),
            Kind::Theory => entity(
                "title: P\nstudy: study/s\nrefinements: [{date: 2017, statement: {if: a, then: b, because: c}, prompted_by: [cmo/c, report/r, source/b]}]\n",
                Entity::Theory,
            ),
            Kind::Page => entity(
                "title: P\neditorial: {summarises: source/c}\n",
                Entity::Page,
            ),
            Kind::Source => entity("title: S\n", Entity::Source),
            Kind::Theme => entity("title: T\n", Entity::Theme),
            Kind::Pattern => entity(
                "title: P\nstatement: S\ninstances: [{of: cmo/c}, {of: study/s}, {of: tracer/t}, {of: area/a}, {of: report/r}]\n",
                Entity::Pattern,
            ),
        }
    }

    /// A link field of the registry that holds no references: a report's `cmos` are CMOs written
    /// inline, which the link graph links to the report itself.
    const NOT_REFERENCES: [(Kind, &str); 1] = [(Kind::Report, "cmos")];

    /// The registry and `refs()` agree both ways, for every kind: every reference `refs()` returns
    /// is in a field the registry describes, naming a kind it may name (so the link graph knows
    /// what it means); and every field and target kind of the registry is returned by `refs()` of
    /// a fixture that fills it (so a reference in it is resolved, and a dangling one reported).
    /// The expected set is read from the registry, so a field added there and not to the fixture
    /// or to `refs()` fails here.
    #[test]
    fn every_referencing_field_is_in_the_registry() {
        use std::collections::BTreeSet;
        for kind in Kind::ALL {
            let returned: BTreeSet<(&str, Kind)> =
                refs_of_a_full_fixture(kind).into_iter().collect();
            for (field, target) in &returned {
                let link = kind.field_link(field);
                assert!(
                    link.is_some_and(|l| l.to.contains(target)),
                    "{}.{field} naming a {} is not in the registry",
                    kind.name(),
                    target.name()
                );
            }
            let expected = kind
                .info()
                .links
                .iter()
                .filter(|l| !NOT_REFERENCES.contains(&(kind, l.field)))
                .flat_map(|l| l.to.iter().map(|to| (l.field, *to)));
            for (field, target) in expected {
                assert!(
                    returned.contains(&(field, target)),
                    "{}.{field} naming a {} is in the registry, but refs() of a fixture that fills it does not return it",
                    kind.name(),
                    target.name()
                );
            }
        }
    }
}
