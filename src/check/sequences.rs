//! Lists whose order or whose uniqueness means something: a theory's refinement trail and a
//! pattern's instances.
//!
//! 1. a theory's `refinements:` are its statements oldest first (the page marks the last one
//!    "current"): an entry dated before the one above it is an error at its `date:`. Two dates
//!    are compared at the precision both give (`2014` is neither before nor after `2014-03`);
//! 2. a pattern's `instances:` name each case once: an `of:` that names what an earlier instance
//!    named is an error at the second.

use crate::diagnostics::Diagnostic;
use crate::load::Document;
use crate::model::{Entity, Kind, PartialDate};
use crate::resolve::Site;
use crate::text::yaml;

/// Every refinement trail out of date order and every pattern instance named twice.
pub fn check(site: &Site, problems: &mut Vec<Diagnostic>) {
    for doc in site.content.entities(Kind::Theory) {
        if let Entity::Theory(t) = &doc.meta {
            let dates: Vec<PartialDate> = t.refinements.iter().map(|r| r.date).collect();
            problems.extend(out_of_order(doc, &dates));
        }
    }
    for doc in site.content.entities(Kind::Pattern) {
        if let Entity::Pattern(p) = &doc.meta {
            let named: Vec<String> = p.instances.iter().map(|i| i.of.to_string()).collect();
            problems.extend(named_twice(doc, &named));
        }
    }
}

/// Whether `a` is before `b` at the precision both give.
fn before(a: PartialDate, b: PartialDate) -> bool {
    let common = |d: PartialDate, with: PartialDate| {
        let month = d.month.filter(|_| with.month.is_some());
        let day = d.day.filter(|_| month.is_some() && with.day.is_some());
        (d.year, month, day)
    };
    common(a, b) < common(b, a)
}

/// The positions of the values of `key` in a document's front matter, in file lines.
fn values(doc: &Document<Entity>, key: &str) -> Vec<(String, usize, usize)> {
    let offset = doc.yaml_line.saturating_sub(1);
    yaml::values_of_key(doc.front_matter.text(), key)
        .into_iter()
        .map(|(text, line, column)| (text, line + offset, column))
        .collect()
}

/// A refinement dated before the one written above it.
fn out_of_order(doc: &Document<Entity>, dates: &[PartialDate]) -> Vec<Diagnostic> {
    let written = values(doc, "date");
    let mut found = Vec::new();
    for (i, pair) in dates.windows(2).enumerate() {
        if !before(pair[1], pair[0]) {
            continue;
        }
        let message = format!(
            "this refinement is dated {}, before the one above it ({}): `refinements:` are written oldest first",
            pair[1].iso(),
            pair[0].iso()
        );
        // The trail's dates are the only `date:` keys of a theory; if the text says otherwise,
        // the list itself is named.
        let d = match written.get(i + 1).filter(|_| written.len() == dates.len()) {
            Some((_, line, column)) => Diagnostic::error(&doc.path, *line, *column, message),
            None => doc.error_at_key("refinements", None, message),
        };
        found.push(d.with_help("move this refinement above the older one, or correct its date: the theory's page calls the last one \"current\""));
    }
    found
}

/// A pattern instance whose `of:` names what an earlier one named.
fn named_twice(doc: &Document<Entity>, named: &[String]) -> Vec<Diagnostic> {
    let written = values(doc, "of");
    let mut found = Vec::new();
    for (i, of) in named.iter().enumerate() {
        let Some(first) = named[..i].iter().position(|o| o == of) else {
            continue;
        };
        let message = format!(
            "`{of}` is an instance of this pattern already (instance {})",
            first + 1
        );
        let d = match written.get(i).filter(|_| written.len() == named.len()) {
            Some((_, line, column)) => Diagnostic::error(&doc.path, *line, *column, message),
            None => doc.error_at_key("instances", None, message),
        };
        found.push(d.with_help("remove this instance, or merge its note into the first one"));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_compared_at_the_precision_both_give() {
        let d = |s: &str| PartialDate::parse(s).unwrap();
        assert!(before(d("2012-01"), d("2014-01")));
        assert!(before(d("2014-01"), d("2014-02")));
        assert!(!before(d("2014"), d("2014-03")));
        assert!(!before(d("2014-03"), d("2014")));
        assert!(!before(d("2014-03"), d("2014-03-02")));
        assert!(before(d("2013-12-31"), d("2014")));
    }
}
