//! The `rubric:` block of `site.yaml`: the rules a team states for how it labels CMOs, which
//! `realist check` enforces (`crate::check::rubric`).
//!
//! Reading it is one step: serde fills every key left out with the default below, which is what
//! the example site's methods page says ("Kinds of CMO", "Evidence and confidence"). An unknown key
//! is an error with a "did you mean", like every other key of `site.yaml`.

use serde::Deserialize;

use crate::model::{CmoKind, CmoStatus, ConfidenceLevel, StudyDesign};

/// The team's own rubric. A site without a `rubric:` block is not checked against one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rubric {
    /// The least evidence each confidence level needs.
    pub confidence: Levels,
    /// The lowest confidence a CMO may have with each status (a status not named allows any).
    pub least_confidence: std::collections::BTreeMap<CmoStatus, ConfidenceLevel>,
    /// The kinds of CMO that must list evidence (and give a confidence).
    pub needs_evidence: Vec<CmoKind>,
    /// The study designs whose authors set out CMOs themselves: an `observed` CMO from a study of
    /// another stated design was built by the editors, so it is `derived`.
    pub observed_designs: Vec<StudyDesign>,
    /// The statuses a CMO of the kinds in `verdict_kinds` may have under each theory status.
    pub theory_verdicts: Verdicts,
    /// The kinds of CMO whose status must agree with their theories' status: an anticipated CMO
    /// states what its theory expected, so its verdict is the theory's.
    pub verdict_kinds: Vec<CmoKind>,
    /// Rules reported as warnings rather than errors.
    pub warnings: Vec<Rule>,
}

/// The least evidence for one confidence level; a key left out needs nothing.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Threshold {
    /// Distinct study areas (the CMO's `areas`).
    pub areas: usize,
    /// Evidence items that support the CMO.
    pub evidence: usize,
    /// Distinct kinds of evidence among them (interview, document, …).
    pub evidence_kinds: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Levels {
    pub high: Threshold,
    pub moderate: Threshold,
    pub low: Threshold,
    pub speculative: Threshold,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct Verdicts {
    pub untested: Vec<CmoStatus>,
    pub supported: Vec<CmoStatus>,
    pub partially_supported: Vec<CmoStatus>,
    pub not_supported: Vec<CmoStatus>,
}

/// A rule of the rubric, as named in `warnings:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    Confidence,
    LeastConfidence,
    NeedsEvidence,
    ObservedDesigns,
    TheoryVerdicts,
}

impl Default for Levels {
    /// "high: consistent evidence … from more than one area"; "moderate: consistent evidence, but
    /// from one area"; low and speculative need no more than any CMO.
    fn default() -> Self {
        let at_least = |areas, evidence| Threshold {
            areas,
            evidence,
            evidence_kinds: 0,
        };
        Levels {
            high: at_least(2, 2),
            moderate: at_least(0, 1),
            low: Threshold::default(),
            speculative: Threshold::default(),
        }
    }
}

impl Default for Verdicts {
    /// An anticipated CMO restates its theory, so its status is the theory's verdict; a
    /// partially supported theory may also be contested, and any CMO may be superseded.
    fn default() -> Self {
        use CmoStatus::*;
        Verdicts {
            untested: vec![Initial, Superseded],
            supported: vec![Supported, Superseded],
            partially_supported: vec![PartiallySupported, Contested, Superseded],
            not_supported: vec![Refuted, Superseded],
        }
    }
}

impl Default for Rubric {
    fn default() -> Self {
        Rubric {
            confidence: Levels::default(),
            least_confidence: [(CmoStatus::Supported, ConfidenceLevel::Moderate)].into(),
            needs_evidence: vec![CmoKind::Observed, CmoKind::Derived],
            observed_designs: vec![StudyDesign::RealistEvaluation],
            theory_verdicts: Verdicts::default(),
            verdict_kinds: vec![CmoKind::Anticipated],
            warnings: Vec::new(),
        }
    }
}

impl Levels {
    pub fn of(&self, level: ConfidenceLevel) -> &Threshold {
        match level {
            ConfidenceLevel::High => &self.high,
            ConfidenceLevel::Moderate => &self.moderate,
            ConfidenceLevel::Low => &self.low,
            ConfidenceLevel::Speculative => &self.speculative,
        }
    }
}

impl Verdicts {
    pub fn of(&self, status: crate::model::TheoryStatus) -> &[CmoStatus] {
        use crate::model::TheoryStatus::*;
        match status {
            Untested => &self.untested,
            Supported => &self.supported,
            PartiallySupported => &self.partially_supported,
            NotSupported => &self.not_supported,
        }
    }
}

/// Confidence levels from the lowest: a level is enough if its rank is at least the needed one's.
pub fn rank(level: ConfidenceLevel) -> u8 {
    match level {
        ConfidenceLevel::Speculative => 0,
        ConfidenceLevel::Low => 1,
        ConfidenceLevel::Moderate => 2,
        ConfidenceLevel::High => 3,
    }
}
