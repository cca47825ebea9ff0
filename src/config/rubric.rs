//! The `rubric:` block of `site.yaml`: the rules a team states for how it labels CMOs, which
//! `realist check` enforces (`crate::check::rubric`).
//!
//! Reading it is one step: serde fills every key left out with the default below, which is what
//! the example site's methods page says ("Kinds of CMO", "Evidence and confidence"). A key written
//! with nothing after it (its entries commented out) is a key left out, and so is the block itself:
//! `rubric:` alone is `rubric: {}`, the defaults, never "no rubric". An unknown key is an error
//! with a "did you mean", like every other key of `site.yaml`.

use serde::{Deserialize, Deserializer};

use crate::model::{CmoKind, CmoStatus, ConfidenceLevel, StudyDesign};

/// `rubric:` as written: a block, or nothing after the key (the defaults, as `rubric: {}`).
pub fn stated<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Rubric>, D::Error> {
    Ok(Some(Option::<Rubric>::deserialize(d)?.unwrap_or_default()))
}

/// Deserializers for keys of the rubric whose empty value (`key:` with nothing after it) means
/// the key's default, as leaving the key out does. serde has no such option, and the defaults
/// are not the types' own (`least_confidence` is not an empty map), so each key names its
/// default here: `null_is_default!(fn_name: Type = default)`.
macro_rules! null_is_default {
    ($($name:ident: $ty:ty = $default:expr;)*) => {$(
        fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
            Ok(Option::<$ty>::deserialize(d)?.unwrap_or_else(|| $default))
        }
    )*};
}

null_is_default! {
    confidence: Levels = Levels::default();
    least_confidence: LeastConfidence = Rubric::default().least_confidence;
    needs_evidence: Vec<CmoKind> = Rubric::default().needs_evidence;
    observed_designs: Vec<StudyDesign> = Rubric::default().observed_designs;
    theory_verdicts: Verdicts = Verdicts::default();
    verdict_kinds: Vec<CmoKind> = Rubric::default().verdict_kinds;
    warnings: Vec<Rule> = Vec::new();
    count: usize = 0;
    high: Threshold = Levels::default().high;
    moderate: Threshold = Levels::default().moderate;
    low: Threshold = Levels::default().low;
    speculative: Threshold = Levels::default().speculative;
    untested: Vec<CmoStatus> = Verdicts::default().untested;
    supported: Vec<CmoStatus> = Verdicts::default().supported;
    partially_supported: Vec<CmoStatus> = Verdicts::default().partially_supported;
    not_supported: Vec<CmoStatus> = Verdicts::default().not_supported;
}

type LeastConfidence = std::collections::BTreeMap<CmoStatus, ConfidenceLevel>;

/// The team's own rubric. A site without a `rubric:` block is not checked against one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Rubric {
    /// The least evidence each confidence level needs.
    #[serde(deserialize_with = "confidence")]
    pub confidence: Levels,
    /// The lowest confidence a CMO may have with each status (a status not named allows any).
    #[serde(deserialize_with = "least_confidence")]
    pub least_confidence: LeastConfidence,
    /// The kinds of CMO that must list evidence (and give a confidence).
    #[serde(deserialize_with = "needs_evidence")]
    pub needs_evidence: Vec<CmoKind>,
    /// The study designs whose authors set out CMOs themselves: an `observed` CMO from a study of
    /// another stated design was built by the editors, so it is `derived`.
    #[serde(deserialize_with = "observed_designs")]
    pub observed_designs: Vec<StudyDesign>,
    /// The statuses a CMO of the kinds in `verdict_kinds` may have under each theory status.
    #[serde(deserialize_with = "theory_verdicts")]
    pub theory_verdicts: Verdicts,
    /// The kinds of CMO whose status must agree with their theories' status: an anticipated CMO
    /// states what its theory expected, so its verdict is the theory's.
    #[serde(deserialize_with = "verdict_kinds")]
    pub verdict_kinds: Vec<CmoKind>,
    /// Rules reported as warnings rather than errors.
    #[serde(deserialize_with = "warnings")]
    pub warnings: Vec<Rule>,
}

/// The least evidence for one confidence level; a key left out needs nothing.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Threshold {
    /// Distinct study areas (the CMO's `areas`).
    #[serde(deserialize_with = "count")]
    pub areas: usize,
    /// Evidence items that support the CMO.
    #[serde(deserialize_with = "count")]
    pub evidence: usize,
    /// Distinct kinds of evidence among them (interview, document, …).
    #[serde(deserialize_with = "count")]
    pub evidence_kinds: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Levels {
    #[serde(deserialize_with = "high")]
    pub high: Threshold,
    #[serde(deserialize_with = "moderate")]
    pub moderate: Threshold,
    #[serde(deserialize_with = "low")]
    pub low: Threshold,
    #[serde(deserialize_with = "speculative")]
    pub speculative: Threshold,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct Verdicts {
    #[serde(deserialize_with = "untested")]
    pub untested: Vec<CmoStatus>,
    #[serde(deserialize_with = "supported")]
    pub supported: Vec<CmoStatus>,
    #[serde(deserialize_with = "partially_supported")]
    pub partially_supported: Vec<CmoStatus>,
    #[serde(deserialize_with = "not_supported")]
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
