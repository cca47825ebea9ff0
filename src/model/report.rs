//! Reports (`content/reports/*.md`) and what they hold: authors, funding, ethics.

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use super::{CmoEntry, Fact, PartialDate, Ref, RefList, TheoryRefs};
use crate::text::yaml::value_error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReportType {
    TracerReport,
    CommissioningReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ReportKind {
    FinalReport,
    InterimReport,
    CaseStudy,
    JournalArticle,
    WorkingPaper,
    ShortReport,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    InReview,
    Published,
    Withdrawn,
    Confidential,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Author {
    /// The author's name as it is cited, for example `name: Jane Smith`, or a team's or an
    /// organisation's name with `group: true`.
    #[serde(deserialize_with = "author_name")]
    pub name: String,
    /// Whether `name` is a team or an organisation, cited as written and never split into given
    /// and family names, for example `group: true` with `name: HSCA12 evaluation team`.
    #[serde(default)]
    pub group: bool,
    /// The family name, where splitting `name` at its last space would get it wrong, for example
    /// `family: van der Berg`.
    pub family: Option<String>,
    /// The given names, where splitting `name` at its last space would get them wrong, for example
    /// `given: Anna Maria`.
    pub given: Option<String>,
    /// Where the author works, for example `affiliation: University of Kent`.
    pub affiliation: Option<String>,
    /// The author's ORCID iD, for example `orcid: 0000-0002-1825-0097`.
    #[serde(default, deserialize_with = "orcid")]
    #[schemars(extend("format" = "orcid"))]
    pub orcid: Option<String>,
}

/// Lower-case words that begin a family name (`Ludwig van Beethoven`, `Maria de la Cruz`).
const PARTICLES: [&str; 10] = [
    "van", "von", "de", "der", "den", "da", "du", "le", "la", "di",
];

/// How an author is cited: a person by family and given names (and a generational suffix,
/// "Jr."), or a group by its name alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CitedName<'a> {
    Person {
        family: String,
        given: String,
        /// "Jr.", "III": cited after the given names, never part of the family name.
        suffix: String,
    },
    Group(&'a str),
}

/// Generational suffixes, which follow a name ("Martin Luther King, Jr.") but are neither its
/// family nor its given names. A closed list: any other last word may be a family name.
const SUFFIXES: [&str; 7] = ["Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"];

impl Author {
    /// The author's name as citation formats need it (BibTeX, RIS, CSL-JSON, Highwire).
    ///
    /// 1. a group is cited by its name as written;
    /// 2. a generational suffix ("Jr.", "III") is taken off `name`, written after a comma or
    ///    as its last word ("Martin Luther King, Jr.", "King, Martin Luther, Jr.");
    /// 3. `family` and `given`, where written, win;
    /// 4. a name written "Family, Given" splits at its comma;
    /// 5. else the name splits before its last word, and lower-case particles before that word
    ///    (`van`, `de`) join the family name.
    pub fn cited_name(&self) -> CitedName<'_> {
        if self.group {
            return CitedName::Group(&self.name);
        }
        let (name, suffix) = split_suffix(&self.name);
        let (family, given) = split_name(&name);
        CitedName::Person {
            family: self.family.clone().unwrap_or(family),
            given: self.given.clone().unwrap_or(given),
            suffix,
        }
    }
}

/// `name` without its generational suffix, and the suffix ("" when it has none).
fn split_suffix(name: &str) -> (String, String) {
    let is_suffix = |s: &&str| SUFFIXES.contains(&s.trim());
    // "King, Jr., Martin Luther", "King, Martin Luther, Jr.", "Martin Luther King, Jr.".
    let parts: Vec<&str> = name.split(',').map(str::trim).collect();
    if let Some(at) = parts.iter().skip(1).position(is_suffix) {
        let rest: Vec<&str> = (parts.iter().enumerate())
            .filter(|(i, _)| *i != at + 1)
            .map(|(_, p)| *p)
            .collect();
        return (rest.join(", "), parts[at + 1].to_string());
    }
    // "Martin Luther King Jr.": a last word alone is a name ("Jr." alone is not a suffix).
    match name.trim().rsplit_once(char::is_whitespace) {
        Some((rest, last)) if is_suffix(&last) && !rest.trim().is_empty() => {
            (rest.trim().to_string(), last.to_string())
        }
        _ => (name.to_string(), String::new()),
    }
}

/// `name` (without a suffix) as family and given names: "Smith, Jane" at its comma, else before
/// the last word and the lower-case particles before it.
fn split_name(name: &str) -> (String, String) {
    // "Smith, Jane", as reference lists write it: the family name comes first.
    if let Some((family, given)) = name.split_once(',') {
        let (family, given) = (family.trim(), given.trim());
        if !family.is_empty() && !given.is_empty() && !given.contains(',') {
            return (family.to_string(), given.to_string());
        }
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut split = words.len().saturating_sub(1);
    while split > 1 && PARTICLES.contains(&words[split - 1]) {
        split -= 1;
    }
    (words[split..].join(" "), words[..split].join(" "))
}

/// An author's name, which citation formats split and index, so it may not be blank.
fn author_name<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim().is_empty() {
        return Err(value_error(
            "name",
            "an author's `name` is empty: write the name as it is cited, or remove the author",
        ));
    }
    Ok(text)
}

/// An ORCID iD as written on orcid.org, `0000-0002-1825-0097`: it is published as
/// `https://orcid.org/{id}`, so nothing else may reach that URL.
fn orcid<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    match orcid_problem(&text) {
        None => Ok(Some(text)),
        Some(problem) => Err(value_error("orcid", problem)),
    }
}

/// What is wrong with an ORCID iD, if anything.
pub(crate) fn orcid_problem(text: &str) -> Option<String> {
    let groups: Vec<&str> = text.split('-').collect();
    let digits = |g: &str| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit());
    let last = |g: &str| {
        g.len() == 4
            && g.bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || (i == 3 && b == b'X'))
    };
    if groups.len() == 4 && groups[..3].iter().all(|g| digits(g)) && last(groups[3]) {
        if orcid_checksum(&groups.concat()) {
            return None;
        }
        return Some(format!(
            "`{text}` is not an ORCID iD: its last character is a check digit, and it does not match the other fifteen (a mistyped digit?); copy the iD from orcid.org"
        ));
    }
    Some(format!(
        "`{}` is not an ORCID iD: write four groups of four digits, such as 0000-0002-1825-0097 (the last may be X)",
        crate::diagnostics::printable_inline(text)
    ))
}

/// Whether the 16 characters of an ORCID iD end with the check digit of the first 15 (ISO 7064
/// MOD 11-2, as orcid.org computes it).
fn orcid_checksum(chars: &str) -> bool {
    let bytes = chars.as_bytes();
    let total = bytes[..15]
        .iter()
        .fold(0u32, |t, b| (t + u32::from(b - b'0')) * 2);
    let check = (12 - total % 11) % 11;
    let expected = if check == 10 {
        b'X'
    } else {
        b'0' + check as u8
    };
    bytes[15] == expected
}

/// A DOI, `10.` + registrant + `/` + suffix (`10.1136/bmjopen-2013-003341`): it is published as
/// `https://doi.org/{doi}`, so it holds no space or control character and names no other scheme.
pub(super) fn doi<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    match doi_problem(&text) {
        None => Ok(Some(text)),
        Some(problem) => Err(value_error("doi", problem)),
    }
}

/// What is wrong with a DOI, if anything.
pub(crate) fn doi_problem(text: &str) -> Option<String> {
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
        return None;
    }
    Some(format!(
        "`{}` is not a DOI: write it as 10.<registrant>/<suffix>, such as 10.1136/bmjopen-2013-003341, without https://doi.org/",
        crate::diagnostics::printable_inline(text)
    ))
}

/// What a page the site's editors wrote about someone else's work summarises.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Editorial {
    /// The published work, a `source/<id>`, for example `summarises: source/smith-2013`.
    pub summarises: Ref,
    /// Which part of it, when the page covers only one, for example
    /// `part: "Chapter 5, the dementia tracer"`.
    pub part: Option<String>,
}

/// The journal a `journal-article` appeared in, as citation formats need it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    /// The journal's full title, for example `title: BMC Health Services Research`.
    pub title: String,
    /// The volume, for example `volume: "19"`.
    pub volume: Option<String>,
    /// The issue, for example `issue: "1"`.
    pub issue: Option<String>,
    /// The pages or article number, for example `pages: "648"` or `pages: 12-19`.
    pub pages: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    /// Who funded the work, for example `funder: NIHR`.
    pub funder: String,
    /// The funding programme, for example `programme: HS&DR`.
    pub programme: Option<String>,
    /// The grant's reference, for example `ref: "NIHR130246"`.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

impl Funding {
    /// "funder (programme, reference)", as the report's page and its PDF give it.
    pub fn line(&self) -> String {
        let extra: Vec<&str> = [self.programme.as_deref(), self.reference.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if extra.is_empty() {
            self.funder.clone()
        } else {
            format!("{} ({})", self.funder, extra.join(", "))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ethics {
    /// The committee that gave approval, for example `committee: University ethics committee`.
    pub committee: String,
    /// The approval's reference, for example `ref: "REC 19/LO/1234"`.
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
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Which kind of report it is, for example `type: tracer-report`.
    #[serde(rename = "type")]
    pub report_class: ReportType,
    /// What form the report takes, for example `report_type: final-report`.
    pub report_type: Option<ReportKind>,
    /// The report's title, for example `title: "Social prescribing: what works"`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// When it was published: a year, a month or a day, for example `date: 2024-03`.
    pub date: PartialDate,
    /// When it was last revised after publication, shown as "Last updated" (the build never
    /// reads a file's time, so builds stay reproducible), for example `updated: 2024-09-12`.
    pub updated: Option<PartialDate>,
    /// The authors, in order, for example `authors: [{name: Jane Smith}]`. An editorial page
    /// (`editorial:`) may leave them out: it is credited to the site's editors.
    #[serde(default)]
    pub authors: Vec<Author>,
    /// Whether the published work names no authors, so `authors` is empty on purpose: the
    /// byline says so and citations are anonymous, for example `authors_not_named: true`.
    #[serde(default)]
    pub authors_not_named: bool,
    /// Whether the published work has more authors than `authors` lists (the source names only
    /// the first, "Smith et al."): the byline adds "et al." and BibTeX `and others`, for example
    /// `more_authors: true`.
    #[serde(default)]
    pub more_authors: bool,
    /// Where the report is in its life: a `draft` is built only with `--drafts`, `confidential`
    /// never, and the others always (`in-review` and `withdrawn` say so on the page), for example
    /// `status: published`.
    pub status: Status,
    /// The study it belongs to, for example `study: study/hsca12`.
    pub study: Ref,
    /// The tracer it follows, for example `tracer: tracer/dementia`.
    pub tracer: Option<Ref>,
    /// The tracers it follows, when there are several, for example `tracers: [tracer/dementia]`.
    pub tracers: Option<Vec<Ref>>,
    /// The study areas it covers, for example `areas: [area/pcn-a]`.
    pub areas: Vec<Ref>,
    /// The programme theories it tests, or `[none-identified]`, for example
    /// `programme_theories: [theory/continuity]`.
    pub programme_theories: Option<TheoryRefs>,
    /// The key points, one sentence each, for example `summary: ["Link workers built trust."]`.
    pub summary: Vec<String>,
    /// A summary for the public, in plain words, for example `lay_summary: "What we found."`.
    pub lay_summary: Option<String>,
    /// The abstract, for example `abstract: "Background: ..."`.
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
    /// Keywords for search and citation, for example `keywords: [social prescribing]`.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Theme ids, for example `themes: [integration]`.
    #[serde(default)]
    pub themes: Vec<String>,
    /// The report's DOI, without https://doi.org/, for example `doi: 10.1136/bmjopen-2013-003341`.
    #[serde(default, deserialize_with = "doi")]
    #[schemars(extend("format" = "doi"))]
    pub doi: Option<String>,
    /// The licence it is published under, for example `licence: CC BY 4.0`.
    pub licence: Option<String>,
    /// Where a journal article appeared, for example
    /// `journal: {title: BMJ Open, volume: "3", issue: "9", pages: e003341}`.
    pub journal: Option<Journal>,
    /// Who funded it, for example `funding: {funder: NIHR}`.
    pub funding: Option<Funding>,
    /// Its ethics approval, for example `ethics: {committee: University ethics committee}`.
    pub ethics: Option<Ethics>,
    /// Reports it builds on, for example `derived_from: [report/interim-2023]`.
    #[serde(default)]
    pub derived_from: RefList,
    /// Its CMO configurations: each written here, or a reference to a CMO file, for example
    /// `cmos: [cmo/link-worker-trust]`.
    #[serde(default)]
    pub cmos: Vec<CmoEntry>,
    /// Published works it draws on (`source/...`).
    #[serde(default)]
    pub sources: Vec<Ref>,
    /// Whether the site's editors wrote it about someone else's published work, for example
    /// `editorial: {summarises: source/smith-2013}`: it is then credited to the editors, and
    /// cites that work as its source, in its byline and in every citation format.
    pub editorial: Option<Editorial>,
    /// Where it covers the items of the RAMESES II reporting standard for realist evaluations,
    /// by item number or key, for example
    /// `rameses: {3: {status: met, where: "#background"}, 14: {status: not-reported, note: "…"}}`.
    /// A report of a study whose `design` is `realist-evaluation`, or one with this field, is a
    /// realist report: `check` warns about each item it neither maps nor covers by a field, which
    /// its page shows as "Not stated" and `exports/rameses.json` and `.csv` as `not-stated`.
    pub rameses: Option<std::collections::BTreeMap<String, super::RamesesEntry>>,
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
        refs.extend(self.editorial.iter().map(|e| ("editorial", &e.summarises)));
        refs
    }

    /// The published work it summarises, when the site's editors wrote it.
    pub fn summarises(&self) -> Option<&Ref> {
        self.editorial.as_ref().map(|e| &e.summarises)
    }

    /// The report's tracers, from `tracer` and `tracers` together.
    pub fn tracer_refs(&self) -> Vec<&Ref> {
        self.tracer
            .iter()
            .chain(self.tracers.iter().flatten())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cited(yaml: &str) -> (bool, String, String) {
        let a: Author = serde_yaml::from_str(yaml).unwrap();
        match a.cited_name() {
            CitedName::Person { family, given, .. } => (false, family, given),
            CitedName::Group(g) => (true, g.to_string(), String::new()),
        }
    }

    #[test]
    fn names_split_into_family_and_given_unless_a_group_or_written_out() {
        let person = |f: &str, g: &str| (false, f.to_string(), g.to_string());
        assert_eq!(cited("name: Sara E Shaw"), person("Shaw", "Sara E"));
        assert_eq!(
            cited("name: Ludwig van Beethoven"),
            person("van Beethoven", "Ludwig")
        );
        assert_eq!(cited("name: Plato"), person("Plato", ""));
        assert_eq!(
            cited("name: \"Smith, Jane A.\""),
            person("Smith", "Jane A.")
        );
        assert_eq!(
            cited("{name: Anna Maria Lopez Garcia, family: Lopez Garcia, given: Anna Maria}"),
            person("Lopez Garcia", "Anna Maria")
        );
        assert_eq!(
            cited("{name: HSCA12 evaluation team, group: true}"),
            (true, "HSCA12 evaluation team".to_string(), String::new())
        );
    }

    #[test]
    fn a_generational_suffix_is_neither_family_nor_given_name() {
        let suffix = |yaml: &str| match serde_yaml::from_str::<Author>(yaml).unwrap().cited_name() {
            CitedName::Person {
                family,
                given,
                suffix,
            } => [family, given, suffix],
            CitedName::Group(g) => panic!("{g} is a group"),
        };
        let king = ["King", "Martin Luther", "Jr."].map(String::from);
        for name in [
            "'Martin Luther King, Jr.'",
            "Martin Luther King Jr.",
            "'King, Martin Luther, Jr.'",
            "'King, Jr., Martin Luther'",
            "{name: 'Martin Luther King, Jr.', family: King, given: Martin Luther}",
        ] {
            let yaml = if name.starts_with('{') {
                name.to_string()
            } else {
                format!("name: {name}")
            };
            assert_eq!(suffix(&yaml), king, "{yaml}");
        }
        assert_eq!(suffix("name: John Smith III")[2], "III");
        // A last word that is not a suffix is the family name; "Jr." alone is a name.
        assert_eq!(suffix("name: Anne Junior")[0], "Junior");
        assert_eq!(suffix("name: Jr.")[0], "Jr.");
    }

    #[test]
    fn a_blank_author_name_is_refused() {
        for yaml in ["name: ''", "name: '   '"] {
            let err = serde_yaml::from_str::<Author>(yaml)
                .unwrap_err()
                .to_string();
            assert!(err.contains("`name` is empty"), "{yaml}: {err}");
        }
    }

    #[test]
    fn orcid_check_digits_are_checked() {
        assert_eq!(orcid_problem("0000-0002-1825-0097"), None);
        assert_eq!(orcid_problem("0000-0002-9079-593X"), None);
        let wrong = orcid_problem("0000-0002-1825-0098").unwrap();
        assert!(wrong.contains("check digit"), "{wrong}");
    }
}
