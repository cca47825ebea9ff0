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
//!
//! Each quoted part is shortened to its first clause (cut at `;`, a dash, `:`, ` (` or the end of
//! its first sentence) and then to a few words at a word boundary, with "…" where it was cut: the
//! panels below give the full text, and the sentence must stay short enough to sit on a phone's
//! first screen. If the sentence still has more than [`MAX_WORDS`] words, it is built again with
//! fewer words per part, then without the reasoning and the anticipated outcomes.

use serde::Serialize;

use crate::model::{Cmo, Mechanism, OutcomeStatus};

/// A run of the sentence: plain words, or a quoted part of the CMO (`part` names which, so the
/// page can mark it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Run {
    pub text: String,
    pub part: Option<&'static str>,
}

/// The most words the sentence may have: about three lines on a phone.
pub(crate) const MAX_WORDS: usize = 40;

/// How much of the CMO one attempt at the sentence quotes.
#[derive(Clone, Copy)]
struct Budget {
    /// The most words of each quoted part.
    words: usize,
    /// Whether a mechanism given as resource and reasoning quotes the reasoning too.
    reasoning: bool,
    /// Whether the anticipated outcomes are named when observed ones are.
    anticipated: bool,
}

/// The causal summary of `c`, as runs of text, at most [`MAX_WORDS`] words long.
pub(crate) fn causal_summary(c: &Cmo) -> Vec<Run> {
    const TRIES: [(usize, bool, bool); 8] = [
        (12, true, true),
        (10, true, true),
        (8, true, true),
        (6, true, true),
        (6, false, true),
        (6, false, false),
        (4, false, false),
        (3, false, false),
    ];
    let mut runs = Vec::new();
    for (words, reasoning, anticipated) in TRIES {
        let budget = Budget {
            words,
            reasoning,
            anticipated,
        };
        runs = sentence_within(c, budget);
        if word_count(&runs) <= MAX_WORDS {
            break;
        }
    }
    runs
}

fn word_count(runs: &[Run]) -> usize {
    runs.iter().map(|r| r.text.split_whitespace().count()).sum()
}

fn sentence_within(c: &Cmo, budget: Budget) -> Vec<Run> {
    let mut runs = Vec::new();
    if let Some(first) = c.context.first() {
        words(&mut runs, "In the context ");
        quoted(&mut runs, "context", &first.text, budget.words);
        if c.context.len() > 1 {
            let more = c.context.len() - 1;
            words(
                &mut runs,
                &format!(" (with {})", more_of(more, "condition")),
            );
        }
        words(&mut runs, ", ");
    }
    mechanism(&mut runs, &c.mechanism, budget);
    outcomes(&mut runs, c, budget);
    words(&mut runs, ".");
    if let Some(first) = runs.first_mut() {
        first.text = upper_first(&first.text);
    }
    runs
}

fn mechanism(runs: &mut Vec<Run>, m: &Mechanism, budget: Budget) {
    let n = budget.words;
    let given = |s: &Option<String>| {
        s.as_deref()
            .filter(|t| !bare(t).is_empty())
            .map(str::to_owned)
    };
    match (given(&m.text), given(&m.resource), given(&m.reasoning)) {
        (Some(text), _, _) => {
            words(runs, "the mechanism ");
            quoted(runs, "mechanism", &text, n);
        }
        (None, Some(resource), reasoning) => {
            words(runs, "the resource ");
            quoted(runs, "mechanism", &resource, n);
            if let Some(reasoning) = reasoning.filter(|_| budget.reasoning) {
                words(runs, " with the reasoning ");
                quoted(runs, "mechanism", &reasoning, n);
            }
        }
        (None, None, Some(reasoning)) => {
            words(runs, "the reasoning ");
            quoted(runs, "mechanism", &reasoning, n);
        }
        (None, None, None) => words(runs, "a mechanism not yet described"),
    }
}

fn outcomes(runs: &mut Vec<Run>, c: &Cmo, budget: Budget) {
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
        quoted(runs, "outcome", first, budget.words);
        if observed.len() > 1 {
            let more = more_of(observed.len() - 1, "observed outcome");
            words(runs, &format!(" and {more}"));
        }
    }
    let anticipated = anticipated
        .iter()
        .filter(|_| observed.is_empty() || budget.anticipated);
    let anticipated: Vec<&str> = anticipated.copied().collect();
    if let Some(first) = anticipated.first() {
        let joint = if observed.is_empty() { " " } else { ", and " };
        words(runs, &format!("{joint}was expected to lead to "));
        quoted(runs, "outcome", first, budget.words);
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

/// Appends an author's text in quotation marks, shortened to at most `max_words` words of its
/// first clause, without the full stop it may end with (the sentence goes on after it).
fn quoted(runs: &mut Vec<Run>, part: &'static str, text: &str, max_words: usize) {
    runs.push(Run {
        text: format!("“{}”", short(text, max_words)),
        part: Some(part),
    });
}

/// The first clause of `text`, at most `max_words` words, with "…" where anything was cut.
fn short(text: &str, max_words: usize) -> String {
    const BREAKS: [&str; 7] = [";", " — ", " – ", " - ", ":", " (", ". "];
    let whole = bare(text);
    let cut = BREAKS
        .iter()
        .filter_map(|b| whole.find(b))
        .filter(|&at| !bare(&whole[..at]).is_empty())
        .min();
    let clause = cut.map_or(whole, |at| bare(&whole[..at]));
    let words: Vec<&str> = clause.split_whitespace().collect();
    let kept = words[..words.len().min(max_words)].join(" ");
    if cut.is_none() && words.len() <= max_words {
        return kept;
    }
    format!(
        "{}…",
        kept.trim_end_matches([',', '-', '–', '—', '/', '&'])
            .trim_end()
    )
}

/// `text` without surrounding white space and the punctuation that would end or break the
/// sentence around it.
fn bare(text: &str) -> &str {
    text.trim()
        .trim_end_matches(['.', ',', ';', ':', '—', '–'])
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
    fn each_part_is_cut_to_its_first_clause_at_a_word_boundary() {
        assert_eq!(short("Long waits; staff shortages.", 12), "Long waits…");
        assert_eq!(short("Trust — built over months", 12), "Trust…");
        assert_eq!(short("Budgets (2019 to 2022) fell", 12), "Budgets…");
        assert_eq!(short("Rules: many of them", 12), "Rules…");
        assert_eq!(short("(Aside) the rest", 12), "(Aside) the rest");
        assert_eq!(short("one two three four five", 3), "one two three…");
        assert_eq!(short("one two, three four", 2), "one two…");
        assert_eq!(short("Short enough.", 12), "Short enough");
        assert_eq!(short("   ", 12), "");
    }

    #[test]
    fn long_parts_keep_the_sentence_within_the_cap() {
        let long = "word ".repeat(60);
        let o = |s: &str| {
            format!("{{text: \"{long}\", status: {s}, valence: positive, intended: true}}")
        };
        let c = cmo(&format!(
            "context: [{{text: \"{long}\"}}, {{text: B}}, {{text: C}}]\nmechanism: {{resource: \"{long}\", reasoning: \"{long}\"}}\noutcome: [{}, {}, {}, {}, {}]\n",
            o("observed"), o("observed"), o("observed"), o("anticipated"), o("anticipated")
        ));
        let s = sentence(&c);
        assert!(s.split_whitespace().count() <= MAX_WORDS, "{s}");
        assert!(
            s.starts_with("In the context “word") && s.ends_with('.'),
            "{s}"
        );
        let c = cmo(&format!(
            "context: [{{text: \"{long}\"}}]\nmechanism: {{text: \"{long}\"}}\n{ONE_OUTCOME}"
        ));
        let s = sentence(&c);
        assert!(s.split_whitespace().count() <= MAX_WORDS, "{s}");
        assert!(
            s.contains(&format!("“{}…”", "word ".repeat(12).trim_end())),
            "{s}"
        );
    }

    #[test]
    fn many_items_use_digits() {
        assert_eq!(more_of(12, "condition"), "12 more conditions");
        assert_eq!(more_of(1, "condition"), "one more condition");
    }
}
