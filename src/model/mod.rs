//! The domain model: the content schema of DESIGN.md as typed structs, and the registry of entity
//! kinds. Every stage reads it; it reads no stage.
//!
//! 1. [`kinds`] names each kind of entity and describes it once (folder, URL, labels, links).
//! 2. [`refs`] and [`values`] are the small values with a grammar of their own: ids, `kind/id`
//!    references, partial dates.
//! 3. [`report`], [`cmo`], [`entities`] and [`glossary`] are the front matter of each kind.
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
pub mod values;

pub use cmo::*;
pub use entities::*;
pub use glossary::*;
pub use kinds::*;
pub use refs::*;
pub use report::*;
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
}
