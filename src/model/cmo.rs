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

impl schemars::JsonSchema for CmoEntry {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CmoEntry".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A CMO written here (its fields indented under `- `), or a reference to one defined elsewhere, for example `cmo/link-worker-trust`",
            "anyOf": [g.subschema_for::<Cmo>(), g.subschema_for::<Ref>()],
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CmoKind {
    Anticipated,
    Observed,
    Derived,
    Refined,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum CmoStatus {
    Initial,
    Supported,
    PartiallySupported,
    Refuted,
    Contested,
    Superseded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum CmoMarker {
    Cmo,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextItem {
    /// What was already true when the change arrived, for example `text: "Long waits for GP appointments"`.
    pub text: String,
    /// Short labels for grouping contexts, for example `tags: [rural]`.
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Mechanism {
    /// The mechanism in one sentence, for example `text: "Patients trust the link worker"`.
    pub text: Option<String>,
    /// What the change offered people, for example `resource: "Time with a link worker"`.
    pub resource: Option<String>,
    /// How people responded to it, for example `reasoning: "They felt listened to"`.
    pub reasoning: Option<String>,
    /// Who split the mechanism into resource and reasoning: `editorial` where the source did
    /// not, so the split is the editors' reading, for example `split: editorial`.
    pub split: Option<MechanismSplit>,
}

/// Who split a mechanism into its resource and reasoning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MechanismSplit {
    // Plain comments on the variants, so the JSON Schema is a simple `enum`, as for every other
    // enum of the model. The study's authors wrote it so:
    Authors,
    // the site's editors split a mechanism the source gave whole.
    Editorial,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeStatus {
    Observed,
    Anticipated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Valence {
    Positive,
    Negative,
    Mixed,
    Neutral,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// What happened, for example `text: "Fewer repeat GP visits"`.
    pub text: String,
    /// Whether it was seen or is expected, for example `status: observed`.
    pub status: OutcomeStatus,
    /// Whether it was good, bad or both, for example `valence: positive`.
    pub valence: Valence,
    /// Whether the programme meant it to happen, for example `intended: true`.
    pub intended: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Chain {
    /// CMOs whose context this outcome becomes, for example `feeds_context_of: [cmo/next-step]`.
    #[serde(default)]
    pub feeds_context_of: Vec<Ref>,
    /// The CMO this one refines, for example `refines: cmo/earlier-version`.
    pub refines: Option<Ref>,
    /// CMOs this one contradicts, for example `contradicts: [cmo/other-finding]`.
    #[serde(default)]
    pub contradicts: Vec<Ref>,
    /// More general CMOs this one is a case of, for example `specialises: [cmo/general]`.
    #[serde(default)]
    pub specialises: Vec<Ref>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceKind {
    Interview,
    FocusGroup,
    Observation,
    Document,
    Dataset,
    Survey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
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

impl schemars::JsonSchema for EvidenceSource {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EvidenceSource".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Where the evidence comes from: `report/<id>#<anchor>`, `source/<id>` or `@bibkey` (in quotes), for example `\"@shaw2013work\"`",
            "type": "string",
            "format": "evidence-source",
        })
    }
}

/// What is wrong with an evidence source, if anything (the message of its deserialiser).
pub(crate) fn evidence_source_problem(text: &str) -> Option<String> {
    match text.strip_prefix('@') {
        Some(key) if !key.is_empty() => None,
        Some(_) => Some("empty citation key after `@`".into()),
        None => Ref::parse(text).err().map(|e| {
            format!("{e}; an evidence source is `report/<id>#<anchor>`, `source/<id>` or `@bibkey`")
        }),
    }
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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    /// What kind of evidence it is, for example `kind: interview`.
    pub kind: EvidenceKind,
    /// A short quote, for example `quote: "I finally felt heard"`.
    pub quote: Option<String>,
    /// Who said it, without a name, for example `role: "CCG manager, Area 1"`.
    pub role: Option<String>,
    /// The informant who said it, from the study's `informants`: `<id>` or `<study>/<id>`, for
    /// example `informant: ccg-manager-3`.
    #[serde(default, deserialize_with = "super::informant::informant_ref")]
    #[schemars(extend("format" = "informant-reference"))]
    pub informant: Option<String>,
    /// When it was gathered, for example `date: 2023-05`.
    pub date: Option<PartialDate>,
    /// Where it comes from: `report/<id>#<anchor>`, `source/<id>` or `"@bibkey"`, for example
    /// `source: report/sp-diabetes#findings`.
    pub source: EvidenceSource,
    /// Where in the source, for example `locator: "p. 12"`.
    pub locator: Option<String>,
    /// Whether it supports or challenges the CMO, for example `stance: supports`.
    #[serde(default = "default_stance")]
    pub stance: Stance,
}

fn default_stance() -> Stance {
    Stance::Supports
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ConfidenceLevel {
    High,
    Moderate,
    Low,
    Speculative,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Confidence {
    /// How sure the editors are, for example `level: moderate`.
    pub level: ConfidenceLevel,
    /// Why, for example `rationale: "Seen in three areas"`.
    pub rationale: String,
}

/// A context–mechanism–outcome configuration, inline in a report or in `content/cmos/*.md`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cmo {
    /// `cmo`, in a CMO's own file (not in a report), for example `type: cmo`.
    #[serde(rename = "type")]
    pub marker: Option<CmoMarker>,
    /// Its id, unique across the site, for example `id: link-worker-trust`.
    pub id: String,
    /// A short label, for example `title: "Trust in the link worker"`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// How the CMO was arrived at, for example `kind: observed`.
    pub kind: CmoKind,
    /// The programme theories it bears on, or `[none-identified]`, for example
    /// `programme_theory: [theory/continuity]`.
    pub programme_theory: TheoryRefs,
    /// The tracer it was seen in, for example `tracer: tracer/dementia`.
    pub tracer: Option<Ref>,
    /// The areas it was seen in, for example `areas: [area/pcn-a]`.
    pub areas: Option<Vec<Ref>>,
    /// The contexts, each a `text:`, for example `context: [{text: "Long waits"}]`.
    pub context: Vec<ContextItem>,
    /// The mechanism: what was offered and how people responded, for example
    /// `mechanism: {resource: "Time with a link worker", reasoning: "They felt heard"}`.
    pub mechanism: Mechanism,
    /// The outcomes, for example
    /// `outcome: [{text: "Fewer visits", status: observed, valence: positive, intended: true}]`.
    pub outcome: Vec<Outcome>,
    /// How it links to other CMOs, for example `chain: {refines: cmo/earlier-version}`.
    pub chain: Option<Chain>,
    /// The evidence for it, for example `evidence: [{kind: interview, source: report/sp#findings}]`.
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// How sure the editors are, and why, for example
    /// `confidence: {level: moderate, rationale: "Seen in three areas"}`.
    pub confidence: Option<Confidence>,
    /// What the evidence says about it so far, for example `status: supported`.
    pub status: CmoStatus,
    /// Why its status differs from what its theory's status would lead a reader to expect, for
    /// example `status_note: "Refuted nationally, but contested in Area 2"`.
    pub status_note: Option<String>,
    /// Theme ids, for example `themes: [integration]`.
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
