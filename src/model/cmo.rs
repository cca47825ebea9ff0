//! Context–mechanism–outcome configurations and their evidence.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::{PartialDate, Ref, TheoryRefs};
use crate::text::yaml::value_error;

/// An entry of a report's `cmos:` list: an inline CMO, or a reference to one defined elsewhere.
#[derive(Debug, Clone)]
pub enum CmoEntry {
    Inline(Box<Cmo>),
    Ref(Ref),
}

impl<'de> Deserialize<'de> for CmoEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CmoEntry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an inline CMO (a mapping) or a reference `cmo/...`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CmoEntry, E> {
                Ref::parse(v).map(CmoEntry::Ref).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<CmoEntry, A::Error> {
                Cmo::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|c| CmoEntry::Inline(Box::new(c)))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CmoKind {
    Anticipated,
    Observed,
    Derived,
    Refined,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CmoStatus {
    Initial,
    Supported,
    PartiallySupported,
    Refuted,
    Contested,
    Superseded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CmoMarker {
    Cmo,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContextItem {
    pub text: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Mechanism {
    pub text: Option<String>,
    pub resource: Option<String>,
    pub reasoning: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeStatus {
    Observed,
    Anticipated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Valence {
    Positive,
    Negative,
    Mixed,
    Neutral,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub text: String,
    pub status: OutcomeStatus,
    pub valence: Valence,
    pub intended: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    #[serde(default)]
    pub feeds_context_of: Vec<Ref>,
    pub refines: Option<Ref>,
    #[serde(default)]
    pub contradicts: Vec<Ref>,
    #[serde(default)]
    pub specialises: Vec<Ref>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Interview,
    FocusGroup,
    Observation,
    Document,
    Dataset,
    Survey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stance {
    Supports,
    Challenges,
}

/// Where a piece of evidence comes from: a section of a report on this site, or a bibliography key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum EvidenceSource {
    Ref(Ref),
    Citation(String),
}

impl<'de> Deserialize<'de> for EvidenceSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.strip_prefix('@') {
            Some(key) if !key.is_empty() => Ok(EvidenceSource::Citation(key.to_string())),
            Some(_) => Err(value_error("source", "empty citation key after `@`")),
            None => Ref::parse(&text).map(EvidenceSource::Ref).map_err(|e| {
                de::Error::custom(format!(
                    "{e}; an evidence source is `report/<id>#<anchor>`, `source/<id>` or `@bibkey`"
                ))
            }),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub quote: Option<String>,
    pub role: Option<String>,
    pub date: Option<PartialDate>,
    pub source: EvidenceSource,
    pub locator: Option<String>,
    #[serde(default = "default_stance")]
    pub stance: Stance,
}

fn default_stance() -> Stance {
    Stance::Supports
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConfidenceLevel {
    High,
    Moderate,
    Low,
    Speculative,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Confidence {
    pub level: ConfidenceLevel,
    pub rationale: String,
}

/// A context–mechanism–outcome configuration, inline in a report or in `content/cmos/*.md`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cmo {
    #[serde(rename = "type")]
    pub marker: Option<CmoMarker>,
    pub id: String,
    pub title: String,
    pub kind: CmoKind,
    pub programme_theory: TheoryRefs,
    pub tracer: Option<Ref>,
    pub areas: Option<Vec<Ref>>,
    pub context: Vec<ContextItem>,
    pub mechanism: Mechanism,
    pub outcome: Vec<Outcome>,
    pub chain: Option<Chain>,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub confidence: Option<Confidence>,
    pub status: CmoStatus,
    #[serde(default)]
    pub themes: Vec<String>,
    /// Published works it draws on (`source/...`).
    #[serde(default)]
    pub sources: Vec<Ref>,
}

impl Cmo {
    /// Every reference in its front matter, with the field it is written in (a field of the
    /// CMO's `links` in the registry), in the order they are checked.
    pub fn refs(&self) -> Vec<(&'static str, &Ref)> {
        let mut refs: Vec<(&'static str, &Ref)> = Vec::new();
        refs.extend(
            self.programme_theory
                .refs()
                .iter()
                .map(|t| ("programme_theory", t)),
        );
        refs.extend(self.tracer.iter().map(|t| ("tracer", t)));
        refs.extend(self.areas.iter().flatten().map(|a| ("areas", a)));
        if let Some(chain) = &self.chain {
            let feeds = chain.feeds_context_of.iter();
            refs.extend(feeds.map(|r| ("chain.feeds_context_of", r)));
            refs.extend(chain.refines.iter().map(|r| ("chain.refines", r)));
            refs.extend(chain.contradicts.iter().map(|r| ("chain.contradicts", r)));
            refs.extend(chain.specialises.iter().map(|r| ("chain.specialises", r)));
        }
        for e in &self.evidence {
            if let EvidenceSource::Ref(r) = &e.source {
                refs.push(("evidence.source", r));
            }
        }
        refs.extend(self.sources.iter().map(|s| ("sources", s)));
        refs
    }

    /// See [`Report::shrink_to_fit`].
    pub fn shrink_to_fit(&mut self) {
        self.context.shrink_to_fit();
        self.outcome.shrink_to_fit();
        self.evidence.shrink_to_fit();
        self.themes.shrink_to_fit();
        self.sources.shrink_to_fit();
        if let Some(a) = &mut self.areas {
            a.shrink_to_fit();
        }
        if let TheoryRefs::Theories(t) = &mut self.programme_theory {
            t.shrink_to_fit();
        }
        if let Some(c) = &mut self.chain {
            c.feeds_context_of.shrink_to_fit();
            c.contradicts.shrink_to_fit();
            c.specialises.shrink_to_fit();
        }
    }
}
