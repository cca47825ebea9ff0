//! The domain model: the content schema of DESIGN.md as typed structs, and the registry of entity
//! kinds. Every stage reads it; it reads no stage.
//!
//! 1. [`kinds`] names each kind of entity and describes it once (folder, URL, labels, links).
//! 2. [`refs`] and [`values`] are the small values with a grammar of their own: ids, `kind/id`
//!    references, partial dates.
//! 3. [`report`], [`cmo`], [`entities`], [`source`] and [`glossary`] are the front matter of each
//!    kind.
//!
//! Every struct denies unknown fields, so a typo is an error with a suggestion instead of silently
//! dropped metadata. Values with a grammar of their own (references, dates, the `[none-identified]`
//! marker) are checked while deserialising, so serde_yaml reports them with their position.

pub mod cmo;
pub mod entities;
pub mod glossary;
pub mod kinds;
pub mod refs;
pub mod report;
pub mod source;
pub mod values;

pub use cmo::*;
pub use entities::*;
pub use glossary::*;
pub use kinds::*;
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

    /// Every field whose references `refs()` returns is described in the registry, so the link
    /// graph knows what it may name and what it means.
    #[test]
    fn every_referencing_field_is_in_the_registry() {
        let report: Report = serde_yaml::from_str(
            "type: tracer-report\ntitle: R\ndate: 2017\nauthors: []\nstatus: published\nstudy: study/s\ntracer: tracer/t\ntracers: [tracer/u]\nareas: [area/a]\nprogramme_theories: [theory/p]\nsummary: []\nderived_from: report/q\nsources: [source/b]\n",
        )
        .unwrap();
        let cmo: Cmo = serde_yaml::from_str(
            "id: c\ntitle: C\nkind: observed\nprogramme_theory: [theory/p]\ntracer: tracer/t\nareas: [area/a]\ncontext: []\nmechanism: {}\noutcome: []\nchain: {feeds_context_of: [cmo/d], refines: cmo/e, contradicts: [cmo/f], specialises: [cmo/g]}\nevidence: [{kind: document, source: report/q}]\nstatus: supported\nsources: [source/b]\n",
        )
        .unwrap();
        let tracer: Tracer = serde_yaml::from_str("title: T\nstudy: study/s\n").unwrap();
        let fields = report
            .refs()
            .into_iter()
            .map(|(f, r)| (Kind::Report, f, r.kind));
        let fields = fields.chain(cmo.refs().into_iter().map(|(f, r)| (Kind::Cmo, f, r.kind)));
        let entity = Entity::Tracer(tracer);
        let fields: Vec<_> = fields
            .chain(
                entity
                    .refs()
                    .into_iter()
                    .map(|(f, r)| (Kind::Tracer, f, r.kind)),
            )
            .collect();
        assert_eq!(fields.len(), 17);
        for (kind, field, target) in fields {
            let link = kind.field_link(field);
            assert!(
                link.is_some_and(|l| l.to.contains(&target)),
                "{}.{field} is not in the registry",
                kind.name()
            );
        }
    }
}
