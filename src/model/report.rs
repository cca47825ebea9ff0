//! Reports (`content/reports/*.md`) and what they hold: authors, funding, ethics.

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use super::{CmoEntry, Fact, PartialDate, Ref, RefList, TheoryRefs};
use crate::text::yaml::value_error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportType {
    TracerReport,
    CommissioningReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    FinalReport,
    InterimReport,
    CaseStudy,
    JournalArticle,
    WorkingPaper,
    ShortReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    InReview,
    Published,
    Withdrawn,
    Confidential,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Author {
    pub name: String,
    pub affiliation: Option<String>,
    #[serde(default, deserialize_with = "orcid")]
    pub orcid: Option<String>,
}

/// An ORCID iD as written on orcid.org, `0000-0002-1825-0097`: it is published as
/// `https://orcid.org/{id}`, so nothing else may reach that URL.
fn orcid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let groups: Vec<&str> = text.split('-').collect();
    let digits = |g: &str| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit());
    let last = |g: &str| {
        g.len() == 4
            && g.bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || (i == 3 && b == b'X'))
    };
    if groups.len() == 4 && groups[..3].iter().all(|g| digits(g)) && last(groups[3]) {
        return Ok(Some(text));
    }
    Err(value_error(
        "orcid",
        format!(
            "`{}` is not an ORCID iD: write four groups of four digits, such as 0000-0002-1825-0097 (the last may be X)",
            crate::diagnostics::printable_inline(&text)
        ),
    ))
}

/// A DOI, `10.` + registrant + `/` + suffix (`10.1136/bmjopen-2013-003341`): it is published as
/// `https://doi.org/{doi}`, so it holds no space or control character and names no other scheme.
pub(super) fn doi<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    let valid = text
        .strip_prefix("10.")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(registrant, suffix)| {
            !registrant.is_empty()
                && registrant
                    .split('.')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                && !suffix.is_empty()
                && !text.chars().any(|c| {
                    c.is_whitespace() || c.is_control() || crate::text::chars::refused(c).is_some()
                })
        });
    if valid {
        return Ok(Some(text));
    }
    Err(value_error(
        "doi",
        format!(
            "`{}` is not a DOI: write it as 10.<registrant>/<suffix>, such as 10.1136/bmjopen-2013-003341, without https://doi.org/",
            crate::diagnostics::printable_inline(&text)
        ),
    ))
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    pub funder: String,
    pub programme: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Ethics {
    pub committee: String,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

impl Ethics {
    /// "Ethics: committee (reference)", for studies and reports.
    pub fn fact(&self) -> Fact {
        let reference = self.reference.as_ref().map(|r| format!(" ({r})"));
        Fact::text(
            "Ethics",
            format!("{}{}", self.committee, reference.unwrap_or_default()),
        )
    }
}

/// A tracer report or commissioning report (`content/reports/*.md`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    #[serde(rename = "type")]
    pub report_class: ReportType,
    pub report_type: Option<ReportKind>,
    pub title: String,
    pub date: PartialDate,
    pub authors: Vec<Author>,
    pub status: Status,
    pub study: Ref,
    pub tracer: Option<Ref>,
    pub tracers: Option<Vec<Ref>>,
    pub areas: Vec<Ref>,
    pub programme_theories: Option<TheoryRefs>,
    pub summary: Vec<String>,
    pub lay_summary: Option<String>,
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default, deserialize_with = "doi")]
    pub doi: Option<String>,
    pub licence: Option<String>,
    pub funding: Option<Funding>,
    pub ethics: Option<Ethics>,
    #[serde(default)]
    pub derived_from: RefList,
    #[serde(default)]
    pub cmos: Vec<CmoEntry>,
    /// Published works it draws on (`source/...`).
    #[serde(default)]
    pub sources: Vec<Ref>,
}

impl Report {
    /// Drops the spare capacity the YAML parser leaves in lists (it grows each list from empty,
    /// so a one-item list holds room for four; at 40,000 CMOs that is tens of megabytes).
    pub fn shrink_to_fit(&mut self) {
        self.authors.shrink_to_fit();
        self.areas.shrink_to_fit();
        self.summary.shrink_to_fit();
        self.keywords.shrink_to_fit();
        self.themes.shrink_to_fit();
        self.cmos.shrink_to_fit();
        self.sources.shrink_to_fit();
        if let Some(t) = &mut self.tracers {
            t.shrink_to_fit();
        }
        if let Some(TheoryRefs::Theories(t)) = &mut self.programme_theories {
            t.shrink_to_fit();
        }
        for entry in &mut self.cmos {
            if let CmoEntry::Inline(cmo) = entry {
                cmo.shrink_to_fit();
            }
        }
    }

    /// Every reference in its front matter but the `cmos:` list, with the field it is written in
    /// (a field of the report's `links` in the registry).
    pub fn refs(&self) -> Vec<(&'static str, &Ref)> {
        let mut refs = vec![("study", &self.study)];
        refs.extend(self.tracer_refs().into_iter().map(|t| ("tracer", t)));
        refs.extend(self.areas.iter().map(|a| ("areas", a)));
        let theories = self.programme_theories.iter().flat_map(|p| p.refs());
        refs.extend(theories.map(|t| ("programme_theories", t)));
        refs.extend(self.derived_from.0.iter().map(|d| ("derived_from", d)));
        refs.extend(self.sources.iter().map(|s| ("sources", s)));
        refs
    }

    /// The report's tracers, from `tracer` and `tracers` together.
    pub fn tracer_refs(&self) -> Vec<&Ref> {
        self.tracer
            .iter()
            .chain(self.tracers.iter().flatten())
            .collect()
    }
}
