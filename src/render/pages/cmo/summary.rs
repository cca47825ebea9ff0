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
//! first screen. If the sentence would have more than [`MAX_WORDS`] words, fewer words of each
//! part are quoted, then the reasoning and the anticipated outcomes are left out: each of these
//! budgets is tried by counting words, and only the one that fits is written.

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

/// The most words of one part that any budget quotes.
const MOST_WORDS: usize = 12;

/// The most characters of one quoted part: scripts written without spaces between words (Chinese,
/// Japanese, Thai) make a whole clause one "word", which the word budgets alone would not shorten.
const MAX_PART_CHARS: usize = 120;

/// The budgets tried in turn, most generous first, until the sentence fits [`MAX_WORDS`].
const TRIES: [Budget; 8] = [
    Budget::new(MOST_WORDS, true, true),
    Budget::new(10, true, true),
    Budget::new(8, true, true),
    Budget::new(6, true, true),
    Budget::new(6, false, true),
    Budget::new(6, false, false),
    Budget::new(4, false, false),
    Budget::new(3, false, false),
];

impl Budget {
    const fn new(words: usize, reasoning: bool, anticipated: bool) -> Self {
        Budget {
            words,
            reasoning,
            anticipated,
        }
    }
}

/// The causal summary of `c`, as runs of text, at most [`MAX_WORDS`] words long.
///
/// Each part is cut to its first clause once; each budget is then tried by counting words alone,
/// and only the first that fits is written out (this runs for every CMO of a site, so it
/// allocates one sentence, not one per try).
pub(crate) fn causal_summary(c: &Cmo) -> Vec<Run> {
    let parts = Parts::of(c);
    let budget = TRIES
        .into_iter()
        .find(|&b| {
            let mut count = Count(0);
            sentence(&parts, b, &mut count);
            count.0 <= MAX_WORDS
        })
        .unwrap_or(TRIES[TRIES.len() - 1]);
    let mut runs = Vec::new();
    sentence(&parts, budget, &mut runs);
    if let Some(first) = runs.first_mut() {
        first.text = crate::text::upper_first(&first.text);
    }
    runs
}

/// One quotable text, cut to its first clause (at `;`, a dash, `:`, ` (` or the end of its first
/// sentence): its words, and whether anything was cut.
struct Clause<'a> {
    words: Vec<&'a str>,
    cut: bool,
}

impl<'a> Clause<'a> {
    fn of(text: &'a str) -> Self {
        const BREAKS: [&str; 7] = [";", " — ", " – ", " - ", ":", " (", ". "];
        let whole = bare(text);
        // No budget quotes more than MOST_WORDS words, so a break after the next word changes
        // nothing: search only up to there (a context item may be a paragraph long).
        let whole = match whole.split_whitespace().nth(MOST_WORDS + 1) {
            Some(word) => &whole[..word.as_ptr() as usize - whole.as_ptr() as usize],
            None => whole,
        };
        let cut = BREAKS
            .iter()
            .filter_map(|b| whole.find(b))
            .filter(|&at| !bare(&whole[..at]).is_empty())
            .min();
        let clause = cut.map_or(whole, |at| bare(&whole[..at]));
        Clause {
            words: clause.split_whitespace().collect(),
            cut: cut.is_some() || clause.len() < bare(text).len(),
        }
    }

    /// The words it takes in the sentence when quoted with at most `max` of them (an empty
    /// quotation still stands as one).
    fn len(&self, max: usize) -> usize {
        self.words.len().min(max).max(1)
    }

    /// At most `max` words, with "…" where anything was cut.
    fn short(&self, max: usize) -> String {
        let mut kept = self.words[..self.words.len().min(max)].join(" ");
        let long = kept.char_indices().nth(MAX_PART_CHARS).map(|(at, _)| at);
        if let Some(at) = long {
            kept.truncate(at);
        }
        if !self.cut && self.words.len() <= max && long.is_none() {
            return kept;
        }
        let end = kept.trim_end_matches([',', '-', '–', '—', '/', '&']);
        format!("{}…", end.trim_end())
    }
}

/// The first of some texts, cut to its clause, and how many more there are.
type FirstOf<'a> = Option<(Clause<'a>, usize)>;

fn first_of<'a>(mut texts: impl Iterator<Item = &'a str>) -> FirstOf<'a> {
    let first = Clause::of(texts.next()?);
    Some((first, texts.count()))
}

/// What the sentence quotes, each text cut to its first clause.
struct Parts<'a> {
    context: FirstOf<'a>,
    mechanism: [Option<Clause<'a>>; 3],
    observed: FirstOf<'a>,
    anticipated: FirstOf<'a>,
}

impl<'a> Parts<'a> {
    fn of(c: &'a Cmo) -> Self {
        let m: &'a Mechanism = &c.mechanism;
        let given = |s: &'a Option<String>| {
            let text = s.as_deref().filter(|t| !bare(t).is_empty());
            text.map(Clause::of)
        };
        let outcomes = |status: OutcomeStatus| {
            let texts = c.outcome.iter().filter(move |o| o.status == status);
            first_of(texts.map(|o| o.text.as_str()))
        };
        Parts {
            context: first_of(c.context.iter().map(|i| i.text.as_str())),
            mechanism: [given(&m.text), given(&m.resource), given(&m.reasoning)],
            observed: outcomes(OutcomeStatus::Observed),
            anticipated: outcomes(OutcomeStatus::Anticipated),
        }
    }
}

/// Where a sentence is written: [`Count`] counts its words, a `Vec<Run>` keeps its text.
trait Sink {
    /// Plain words, joined to the run before when that is plain too.
    fn words(&mut self, text: &str);
    /// An author's text in quotation marks, at most `max` words of its first clause.
    fn quoted(&mut self, part: &'static str, clause: &Clause, max: usize);
}

/// The words of a sentence: tokens with a letter or digit (a lone comma is not a word).
struct Count(usize);

impl Sink for Count {
    fn words(&mut self, text: &str) {
        let words = text.split_whitespace();
        self.0 += words
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count();
    }

    fn quoted(&mut self, _: &'static str, clause: &Clause, max: usize) {
        self.0 += clause.len(max);
    }
}

impl Sink for Vec<Run> {
    fn words(&mut self, text: &str) {
        match self.last_mut() {
            Some(last) if last.part.is_none() => last.text.push_str(text),
            _ => self.push(Run {
                text: text.to_owned(),
                part: None,
            }),
        }
    }

    fn quoted(&mut self, part: &'static str, clause: &Clause, max: usize) {
        self.push(Run {
            text: format!("“{}”", clause.short(max)),
            part: Some(part),
        });
    }
}

fn sentence(p: &Parts, budget: Budget, out: &mut impl Sink) {
    if let Some((first, more)) = &p.context {
        out.words("In the context ");
        out.quoted("context", first, budget.words);
        if *more > 0 {
            out.words(&format!(" (with {})", more_of(*more, "condition")));
        }
        out.words(", ");
    }
    mechanism(p, budget, out);
    outcomes(p, budget, out);
    out.words(".");
}

fn mechanism(p: &Parts, budget: Budget, out: &mut impl Sink) {
    let n = budget.words;
    match &p.mechanism {
        [Some(text), _, _] => {
            out.words("the mechanism ");
            out.quoted("mechanism", text, n);
        }
        [None, Some(resource), reasoning] => {
            out.words("the resource ");
            out.quoted("mechanism", resource, n);
            if let Some(reasoning) = reasoning.as_ref().filter(|_| budget.reasoning) {
                out.words(" with the reasoning ");
                out.quoted("mechanism", reasoning, n);
            }
        }
        [None, None, Some(reasoning)] => {
            out.words("the reasoning ");
            out.quoted("mechanism", reasoning, n);
        }
        [None, None, None] => out.words("a mechanism not yet described"),
    }
}

fn outcomes(p: &Parts, budget: Budget, out: &mut impl Sink) {
    if p.observed.is_none() && p.anticipated.is_none() {
        out.words(" has no outcome recorded yet");
        return;
    }
    if let Some((first, more)) = &p.observed {
        out.words(" led to ");
        out.quoted("outcome", first, budget.words);
        if *more > 0 {
            out.words(&format!(" and {}", more_of(*more, "observed outcome")));
        }
    }
    let anticipated = p
        .anticipated
        .as_ref()
        .filter(|_| p.observed.is_none() || budget.anticipated);
    if let Some((first, more)) = anticipated {
        let joint = if p.observed.is_none() { " " } else { ", and " };
        out.words(&format!("{joint}was expected to lead to "));
        out.quoted("outcome", first, budget.words);
        if *more > 0 {
            out.words(&format!(" and {}", more_of(*more, "anticipated outcome")));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cmo(yaml: &str) -> Cmo {
        let base = "id: x\ntitle: X\nkind: observed\nprogramme_theory: [none-identified]\nstatus: supported\nevidence: []\n";
        crate::text::yaml::from_str(&format!("{base}{yaml}")).expect("a CMO")
    }

    fn sentence_of(c: &Cmo) -> String {
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
            sentence_of(&c),
            "In the context “Long waits”, the mechanism “Patients trust the link worker” led to “Fewer visits”."
        );
        let parts: Vec<_> = causal_summary(&c).iter().filter_map(|r| r.part).collect();
        assert_eq!(parts, ["context", "mechanism", "outcome"]);
    }

    #[test]
    fn more_items_are_counted_with_plurals() {
        let c = cmo("context: [{text: A}, {text: B}, {text: C}]\nmechanism: {text: M}\noutcome:\n  - {text: O1, status: observed, valence: positive, intended: true}\n  - {text: O2, status: observed, valence: negative, intended: false}\n  - {text: A1, status: anticipated, valence: positive, intended: true}\n  - {text: A2, status: anticipated, valence: positive, intended: true}\n  - {text: A3, status: anticipated, valence: positive, intended: true}\n");
        assert_eq!(
            sentence_of(&c),
            "In the context “A” (with two more conditions), the mechanism “M” led to “O1” and one more observed outcome, and was expected to lead to “A1” and two more anticipated outcomes."
        );
    }

    #[test]
    fn resource_and_reasoning_stand_for_a_missing_text() {
        let c = cmo(&format!(
            "context: [{{text: A}}, {{text: B}}]\nmechanism: {{resource: \"Time\", reasoning: \"They felt heard\"}}\n{ONE_OUTCOME}"
        ));
        assert_eq!(
            sentence_of(&c),
            "In the context “A” (with one more condition), the resource “Time” with the reasoning “They felt heard” led to “Fewer visits”."
        );
        let c = cmo(&format!(
            "context: [{{text: A}}]\nmechanism: {{reasoning: R}}\n{ONE_OUTCOME}"
        ));
        assert!(sentence_of(&c).contains(", the reasoning “R” led to"));
    }

    #[test]
    fn anticipated_only_and_odd_input_stay_grammatical() {
        let c = cmo("context: []\nmechanism: {text: \"  \"}\noutcome: [{text: A1, status: anticipated, valence: positive, intended: true}]\n");
        assert_eq!(
            sentence_of(&c),
            "A mechanism not yet described was expected to lead to “A1”."
        );
        let c = cmo("context: [{text: C}]\nmechanism: {text: M}\noutcome: []\n");
        assert_eq!(
            sentence_of(&c),
            "In the context “C”, the mechanism “M” has no outcome recorded yet."
        );
    }

    #[test]
    fn each_part_is_cut_to_its_first_clause_at_a_word_boundary() {
        assert_eq!(
            Clause::of("Long waits; staff shortages.").short(12),
            "Long waits…"
        );
        assert_eq!(Clause::of("Trust — built over months").short(12), "Trust…");
        assert_eq!(
            Clause::of("Budgets (2019 to 2022) fell").short(12),
            "Budgets…"
        );
        assert_eq!(Clause::of("Rules: many of them").short(12), "Rules…");
        assert_eq!(Clause::of("(Aside) the rest").short(12), "(Aside) the rest");
        assert_eq!(
            Clause::of("one two three four five").short(3),
            "one two three…"
        );
        assert_eq!(Clause::of("one two, three four").short(2), "one two…");
        assert_eq!(Clause::of("Short enough.").short(12), "Short enough");
        assert_eq!(Clause::of("   ").short(12), "");
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
        let s = sentence_of(&c);
        assert!(s.split_whitespace().count() <= MAX_WORDS, "{s}");
        assert!(
            s.starts_with("In the context “word") && s.ends_with('.'),
            "{s}"
        );
        let c = cmo(&format!(
            "context: [{{text: \"{long}\"}}]\nmechanism: {{text: \"{long}\"}}\n{ONE_OUTCOME}"
        ));
        let s = sentence_of(&c);
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

    #[test]
    fn a_part_without_spaces_is_cut_by_characters() {
        let long = "很".repeat(400);
        let c = cmo(&format!(
            "context: [{{text: \"{long}\"}}]\nmechanism: {{text: M}}\n{ONE_OUTCOME}"
        ));
        let runs = causal_summary(&c);
        let context = runs.iter().find(|r| r.part == Some("context")).unwrap();
        assert!(
            context.text.chars().count() <= MAX_PART_CHARS + 3,
            "{}",
            context.text
        );
        assert!(context.text.contains('…'));
    }
}
