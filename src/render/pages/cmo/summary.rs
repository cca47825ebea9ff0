//! A CMO's causal summary: one sentence that joins its context, mechanism and outcomes, shown near
//! the top of its page so a reader on a phone gets the finding before the detail.
//!
//! Authors write each part as they like (a clause, a noun phrase, with or without a full stop), so
//! the sentence quotes each part after a word that names it ("the context “…”", "the mechanism
//! “…”"): a quotation reads grammatically whatever its own grammar. [`causal_summary`] does this:
//!
//! 1. the context: the first item, quoted, and how many more there are;
//! 2. the mechanism: its text, or else its resource and reasoning, or else says it is not described;
//! 3. the outcomes: the first observed one ("led to"), then the first anticipated one ("was
//!    expected to lead to"), each with how many more of its status there are;
//! 4. the first letter of the sentence is made upper case and a full stop ends it.

use serde::Serialize;

use crate::model::{Cmo, Mechanism, OutcomeStatus};

/// A run of the sentence: plain words, or a quoted part of the CMO (`part` names which, so the
/// page can mark it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Run {
    pub text: String,
    pub part: Option<&'static str>,
}

/// The causal summary of `c`, as runs of text.
pub(crate) fn causal_summary(c: &Cmo) -> Vec<Run> {
    let mut runs = Vec::new();
    if let Some(first) = c.context.first() {
        words(&mut runs, "In the context ");
        quoted(&mut runs, "context", &first.text);
        if c.context.len() > 1 {
            let more = c.context.len() - 1;
            words(
                &mut runs,
                &format!(" (with {})", more_of(more, "condition")),
            );
        }
        words(&mut runs, ", ");
    }
    mechanism(&mut runs, &c.mechanism);
    outcomes(&mut runs, c);
    words(&mut runs, ".");
    if let Some(first) = runs.first_mut() {
        first.text = upper_first(&first.text);
    }
    runs
}

fn mechanism(runs: &mut Vec<Run>, m: &Mechanism) {
    let given = |s: &Option<String>| {
        s.as_deref()
            .filter(|t| !bare(t).is_empty())
            .map(str::to_owned)
    };
    match (given(&m.text), given(&m.resource), given(&m.reasoning)) {
        (Some(text), _, _) => {
            words(runs, "the mechanism ");
            quoted(runs, "mechanism", &text);
        }
        (None, Some(resource), reasoning) => {
            words(runs, "the resource ");
            quoted(runs, "mechanism", &resource);
            if let Some(reasoning) = reasoning {
                words(runs, " with the reasoning ");
                quoted(runs, "mechanism", &reasoning);
            }
        }
        (None, None, Some(reasoning)) => {
            words(runs, "the reasoning ");
            quoted(runs, "mechanism", &reasoning);
        }
        (None, None, None) => words(runs, "a mechanism not yet described"),
    }
}

fn outcomes(runs: &mut Vec<Run>, c: &Cmo) {
    let of = |status: OutcomeStatus| -> Vec<&str> {
        let texts = c.outcome.iter().filter(|o| o.status == status);
        texts.map(|o| o.text.as_str()).collect()
    };
    let (observed, anticipated) = (of(OutcomeStatus::Observed), of(OutcomeStatus::Anticipated));
    if observed.is_empty() && anticipated.is_empty() {
        words(runs, " has no outcome recorded yet");
        return;
    }
    if let Some(first) = observed.first() {
        words(runs, " led to ");
        quoted(runs, "outcome", first);
        if observed.len() > 1 {
            let more = more_of(observed.len() - 1, "observed outcome");
            words(runs, &format!(" and {more}"));
        }
    }
    if let Some(first) = anticipated.first() {
        let joint = if observed.is_empty() { " " } else { ", and " };
        words(runs, &format!("{joint}was expected to lead to "));
        quoted(runs, "outcome", first);
        if anticipated.len() > 1 {
            let more = more_of(anticipated.len() - 1, "anticipated outcome");
            words(runs, &format!(" and {more}"));
        }
    }
}

/// Appends plain words, joined to the run before when that is plain too.
fn words(runs: &mut Vec<Run>, text: &str) {
    match runs.last_mut() {
        Some(last) if last.part.is_none() => last.text.push_str(text),
        _ => runs.push(Run {
            text: text.to_owned(),
            part: None,
        }),
    }
}

/// Appends an author's text in quotation marks, without the full stop it may end with (the
/// sentence goes on after it).
fn quoted(runs: &mut Vec<Run>, part: &'static str, text: &str) {
    runs.push(Run {
        text: format!("“{}”", bare(text)),
        part: Some(part),
    });
}

/// `text` without surrounding white space and the punctuation that would end or break the
/// sentence around it.
fn bare(text: &str) -> &str {
    text.trim()
        .trim_end_matches(['.', ',', ';', ':'])
        .trim_end()
}

/// "one more condition", "3 more conditions": small numbers in words, as in running text.
fn more_of(n: usize, noun: &str) -> String {
    const WORDS: [&str; 10] = [
        "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    let number = WORDS
        .get(n)
        .map_or_else(|| n.to_string(), |w| (*w).to_owned());
    let plural = if n == 1 { "" } else { "s" };
    format!("{number} more {noun}{plural}")
}

fn upper_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmo(yaml: &str) -> Cmo {
        let base = "id: x\ntitle: X\nkind: observed\nprogramme_theory: [none-identified]\nstatus: supported\nevidence: []\n";
        crate::text::yaml::from_str(&format!("{base}{yaml}")).expect("a CMO")
    }

    fn sentence(c: &Cmo) -> String {
        causal_summary(c).iter().map(|r| r.text.as_str()).collect()
    }

    const ONE_OUTCOME: &str =
        "outcome: [{text: \"Fewer visits.\", status: observed, valence: positive, intended: true}]\n";

    #[test]
    fn one_of_each_makes_one_sentence() {
        let c = cmo(&format!(
            "context: [{{text: \"Long waits.\"}}]\nmechanism: {{text: \"Patients trust the link worker\"}}\n{ONE_OUTCOME}"
        ));
        assert_eq!(
            sentence(&c),
            "In the context “Long waits”, the mechanism “Patients trust the link worker” led to “Fewer visits”."
        );
        let parts: Vec<_> = causal_summary(&c).iter().filter_map(|r| r.part).collect();
        assert_eq!(parts, ["context", "mechanism", "outcome"]);
    }

    #[test]
    fn more_items_are_counted_with_plurals() {
        let c = cmo("context: [{text: A}, {text: B}, {text: C}]\nmechanism: {text: M}\noutcome:\n  - {text: O1, status: observed, valence: positive, intended: true}\n  - {text: O2, status: observed, valence: negative, intended: false}\n  - {text: A1, status: anticipated, valence: positive, intended: true}\n  - {text: A2, status: anticipated, valence: positive, intended: true}\n  - {text: A3, status: anticipated, valence: positive, intended: true}\n");
        assert_eq!(
            sentence(&c),
            "In the context “A” (with two more conditions), the mechanism “M” led to “O1” and one more observed outcome, and was expected to lead to “A1” and two more anticipated outcomes."
        );
    }

    #[test]
    fn resource_and_reasoning_stand_for_a_missing_text() {
        let c = cmo(&format!(
            "context: [{{text: A}}, {{text: B}}]\nmechanism: {{resource: \"Time\", reasoning: \"They felt heard\"}}\n{ONE_OUTCOME}"
        ));
        assert_eq!(
            sentence(&c),
            "In the context “A” (with one more condition), the resource “Time” with the reasoning “They felt heard” led to “Fewer visits”."
        );
        let c = cmo(&format!(
            "context: [{{text: A}}]\nmechanism: {{reasoning: R}}\n{ONE_OUTCOME}"
        ));
        assert!(sentence(&c).contains(", the reasoning “R” led to"));
    }

    #[test]
    fn anticipated_only_and_odd_input_stay_grammatical() {
        let c = cmo("context: []\nmechanism: {text: \"  \"}\noutcome: [{text: A1, status: anticipated, valence: positive, intended: true}]\n");
        assert_eq!(
            sentence(&c),
            "A mechanism not yet described was expected to lead to “A1”."
        );
        let c = cmo("context: [{text: C}]\nmechanism: {text: M}\noutcome: []\n");
        assert_eq!(
            sentence(&c),
            "In the context “C”, the mechanism “M” has no outcome recorded yet."
        );
    }

    #[test]
    fn many_items_use_digits() {
        assert_eq!(more_of(12, "condition"), "12 more conditions");
        assert_eq!(more_of(1, "condition"), "one more condition");
    }
}
