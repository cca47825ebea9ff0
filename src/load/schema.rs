//! The content schema of DESIGN.md as typed structs.
//!
//! Every struct denies unknown fields, so a typo is an error with a suggestion instead of silently
//! dropped metadata. Values with a grammar of their own (references, dates, the `[none-identified]`
//! marker) are checked while deserialising, so serde_yaml reports them with their position.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

/// The kinds of entity a reference can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Study,
    Report,
    Tracer,
    Area,
    Theory,
    Cmo,
    Page,
    Theme,
}

impl Kind {
    /// How many kinds there are (`Kind as usize` is below this).
    pub const COUNT: usize = Kind::Theme as usize + 1;

    pub const REFERABLE: [Kind; 7] = [
        Kind::Study,
        Kind::Report,
        Kind::Tracer,
        Kind::Area,
        Kind::Theory,
        Kind::Cmo,
        Kind::Page,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Study => "study",
            Kind::Report => "report",
            Kind::Tracer => "tracer",
            Kind::Area => "area",
            Kind::Theory => "theory",
            Kind::Cmo => "cmo",
            Kind::Page => "page",
            Kind::Theme => "theme",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::REFERABLE
            .into_iter()
            .chain([Kind::Theme])
            .find(|k| k.name() == name)
    }

    /// The folder under `content/` (and, except for pages, under the output) for this kind.
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Study => "studies",
            Kind::Report => "reports",
            Kind::Tracer => "tracers",
            Kind::Area => "areas",
            Kind::Theory => "theories",
            Kind::Cmo => "cmos",
            Kind::Page => "pages",
            Kind::Theme => "themes",
        }
    }

    /// A human label, singular and plural.
    pub fn label(self, plural: bool) -> &'static str {
        match (self, plural) {
            (Kind::Study, false) => "Study",
            (Kind::Study, true) => "Studies",
            (Kind::Report, false) => "Report",
            (Kind::Report, true) => "Reports",
            (Kind::Tracer, false) => "Tracer",
            (Kind::Tracer, true) => "Tracers",
            (Kind::Area, false) => "Study area",
            (Kind::Area, true) => "Study areas",
            (Kind::Theory, false) => "Programme theory",
            (Kind::Theory, true) => "Programme theories",
            (Kind::Cmo, false) => "CMO configuration",
            (Kind::Cmo, true) => "CMO configurations",
            (Kind::Page, false) => "Page",
            (Kind::Page, true) => "Pages",
            (Kind::Theme, false) => "Theme",
            (Kind::Theme, true) => "Themes",
        }
    }
}

/// The longest valid id. Ids become folder names in the output, and file systems allow 255 bytes.
pub const MAX_ID_LEN: usize = 200;

/// Whether `id` is a valid lower-kebab id of at most [`MAX_ID_LEN`] characters.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= MAX_ID_LEN
        && matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// What is wrong with an id that [`is_valid_id`] rejects, for messages: the id (shortened when very
/// long) and the rule it breaks.
pub fn id_problem(id: &str) -> String {
    if id.len() > MAX_ID_LEN {
        let start: String = id.chars().take(20).collect();
        format!(
            "`{start}…` is {} characters long; ids are at most {MAX_ID_LEN}",
            id.chars().count()
        )
    } else {
        format!("`{id}` is not a valid id (lower-case letters, digits and `-`)")
    }
}

/// A `kind/id` or `kind/id#anchor` reference, checked for syntax when read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ref {
    pub kind: Kind,
    pub id: String,
    pub anchor: Option<String>,
}

impl Ref {
    pub fn parse(text: &str) -> Result<Ref, String> {
        let (path, anchor) = match text.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (text, None),
        };
        let Some((kind, id)) = path.split_once('/') else {
            return Err(format!("expected a reference `kind/id`, found `{text}`"));
        };
        let kind = Kind::from_name(kind)
            .filter(|k| *k != Kind::Theme)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::REFERABLE.iter().map(|k| k.name()).collect();
                let hint = crate::diagnostics::did_you_mean(kind, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!(
                    "unknown kind `{kind}` in reference `{text}`{hint}; expected one of: {}",
                    names.join(", ")
                )
            })?;
        if !is_valid_id(id) {
            if id.len() > MAX_ID_LEN {
                return Err(format!("{} in a reference", id_problem(id)));
            }
            return Err(format!(
                "`{id}` in `{text}` is not a valid id (lower-case letters, digits and `-`)"
            ));
        }
        if anchor.as_deref() == Some("") {
            return Err(format!("empty anchor in reference `{text}`"));
        }
        Ok(Ref {
            kind,
            id: id.to_string(),
            anchor,
        })
    }

    /// The reference without its anchor, as written (`kind/id`).
    pub fn key(&self) -> String {
        format!("{}/{}", self.kind.name(), self.id)
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.name(), self.id)?;
        if let Some(a) = &self.anchor {
            write!(f, "#{a}")?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ref::parse(&text).map_err(de::Error::custom)
    }
}

/// One reference or a list of them (`derived_from: report/x` or `[report/x, report/y]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RefList(pub Vec<Ref>);

impl<'de> Deserialize<'de> for RefList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let texts = match OneOrMany::deserialize(d)
            .map_err(|_| de::Error::custom("expected a reference or a list of references"))?
        {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        texts
            .iter()
            .map(|t| Ref::parse(t).map_err(de::Error::custom))
            .collect::<Result<_, _>>()
            .map(RefList)
    }
}

/// A date with year, month or day precision, as research outputs are dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    pub fn parse(text: &str) -> Result<PartialDate, String> {
        let err = || format!("invalid date `{text}`: expected YYYY, YYYY-MM or YYYY-MM-DD");
        let parts: Vec<&str> = text.trim().split('-').collect();
        if parts.is_empty()
            || parts.len() > 3
            || parts[0].len() != 4
            || parts[1..].iter().any(|p| p.len() != 2)
        {
            return Err(err());
        }
        let num = |s: &str| s.parse::<u16>().map_err(|_| err());
        let year = num(parts[0])?;
        let month = parts.get(1).map(|m| num(m)).transpose()?.map(|m| m as u8);
        let day = parts.get(2).map(|d| num(d)).transpose()?.map(|d| d as u8);
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(format!(
                    "invalid date `{text}`: month {m} is not between 01 and 12"
                ));
            }
            if let Some(d) = day {
                let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                let days = [
                    31,
                    if leap { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ][m as usize - 1];
                if d == 0 || d > days {
                    return Err(format!(
                        "invalid date `{text}`: day {d} does not exist in that month"
                    ));
                }
            }
        }
        Ok(PartialDate { year, month, day })
    }

    /// The ISO form with the precision that was given.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// A human form such as "June 2017" or "3 June 2017" (British order).
    pub fn human(&self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            _ => self.year.to_string(),
        }
    }

    /// A full RFC 3339 timestamp at the start of the period (for feeds and sitemaps).
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year,
            self.month.unwrap_or(1),
            self.day.unwrap_or(1)
        )
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PartialDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date YYYY, YYYY-MM or YYYY-MM-DD")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PartialDate, E> {
                PartialDate::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PartialDate, E> {
                PartialDate::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PartialDate, E> {
                PartialDate::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// Text that YAML may have read as a number or boolean (`population: 202741`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Programme theories of a report or CMO: a non-empty list, or the explicit `[none-identified]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TheoryRefs {
    NoneIdentified,
    Theories(Vec<Ref>),
}

impl TheoryRefs {
    pub fn refs(&self) -> &[Ref] {
        match self {
            TheoryRefs::NoneIdentified => &[],
            TheoryRefs::Theories(v) => v,
        }
    }
}

impl<'de> Deserialize<'de> for TheoryRefs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = RefOrMarkerList::deserialize(d)?.0;
        if items.is_empty() {
            return Err(de::Error::custom(
                "the list of programme theories is empty: name at least one `theory/...`, or write `[none-identified]`",
            ));
        }
        if items.iter().any(|i| i == "none-identified") {
            if items.len() > 1 {
                return Err(de::Error::custom(
                    "`none-identified` cannot be combined with programme theories",
                ));
            }
            return Ok(TheoryRefs::NoneIdentified);
        }
        items
            .iter()
            .map(|t| Ref::parse(t).map_err(de::Error::custom))
            .collect::<Result<_, _>>()
            .map(TheoryRefs::Theories)
    }
}

struct RefOrMarkerList(Vec<String>);

impl<'de> Deserialize<'de> for RefOrMarkerList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RefOrMarkerList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of `theory/...` references or `[none-identified]`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RefOrMarkerList, E> {
                Ok(RefOrMarkerList(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RefOrMarkerList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(RefOrMarkerList(out))
            }
        }
        d.deserialize_any(V)
    }
}

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
    Err(de::Error::custom(format!(
        "`{}` is not an ORCID iD: write four groups of four digits, such as 0000-0002-1825-0097 (the last may be X)",
        crate::diagnostics::printable_inline(&text)
    )))
}

/// A DOI, `10.` + registrant + `/` + suffix (`10.1136/bmjopen-2013-003341`): it is published as
/// `https://doi.org/{doi}`, so it holds no space or control character and names no other scheme.
fn doi<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
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
    Err(de::Error::custom(format!(
        "`{}` is not a DOI: write it as 10.<registrant>/<suffix>, such as 10.1136/bmjopen-2013-003341, without https://doi.org/",
        crate::diagnostics::printable_inline(&text)
    )))
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

    /// The report's tracers, from `tracer` and `tracers` together.
    pub fn tracer_refs(&self) -> Vec<&Ref> {
        self.tracer
            .iter()
            .chain(self.tracers.iter().flatten())
            .collect()
    }
}

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
            Some(_) => Err(de::Error::custom("empty citation key after `@`")),
            None => Ref::parse(&text).map(EvidenceSource::Ref).map_err(|e| {
                de::Error::custom(format!(
                    "{e}; an evidence source is `report/<id>#<anchor>` or `@bibkey`"
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
}

impl Cmo {
    /// See [`Report::shrink_to_fit`].
    pub fn shrink_to_fit(&mut self) {
        self.context.shrink_to_fit();
        self.outcome.shrink_to_fit();
        self.evidence.shrink_to_fit();
        self.themes.shrink_to_fit();
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

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub start: PartialDate,
    pub end: Option<PartialDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StudyDesign {
    RealistEvaluation,
    MultiSiteCaseStudy,
    SingleCaseStudy,
    MixedMethods,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    pub title: String,
    pub funder: Option<String>,
    pub period: Option<Period>,
    pub ethics: Option<Ethics>,
    pub design: Option<StudyDesign>,
    pub grant_ref: Option<Text>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TracerKind {
    Service,
    Condition,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tracer {
    pub title: String,
    pub study: Option<Ref>,
    pub kind: Option<TracerKind>,
    pub chosen_to_illuminate: Option<String>,
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    pub title: String,
    pub study: Option<Ref>,
    pub anonymised: bool,
    pub kind: Option<String>,
    pub population: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "if")]
    pub if_: String,
    pub then: String,
    pub because: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TheoryStatus {
    Untested,
    Supported,
    PartiallySupported,
    NotSupported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TheoryLevel {
    Policy,
    Tracer,
    Informant,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeTheory {
    pub title: String,
    pub study: Option<Ref>,
    pub statement: Option<Statement>,
    pub status: Option<TheoryStatus>,
    pub level: Option<TheoryLevel>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FreePage {
    pub title: String,
}

/// One entry of `content/glossary.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryEntry {
    pub term: String,
    pub expansion: Option<String>,
    pub definition: String,
    #[serde(default)]
    pub see_also: Vec<String>,
}

/// A human label for a kebab-case enum value (`partially-supported` → "Partially supported").
pub fn enum_label<T: Serialize>(value: &T) -> String {
    let raw = serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let spaced = raw.replace('-', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The kebab-case form of an enum value, as written in YAML.
pub fn enum_value<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_parse() {
        let r = Ref::parse("report/hsca12-final#methods").unwrap();
        assert_eq!(
            (r.kind, r.id.as_str(), r.anchor.as_deref()),
            (Kind::Report, "hsca12-final", Some("methods"))
        );
        assert!(Ref::parse("tracer").is_err());
        assert!(Ref::parse("tracr/x")
            .unwrap_err()
            .contains("did you mean `tracer`"));
        assert!(Ref::parse("tracer/Bad_Id").is_err());
    }

    #[test]
    fn dates() {
        assert_eq!(PartialDate::parse("2017-06").unwrap().human(), "June 2017");
        assert!(PartialDate::parse("2017-13").is_err());
        assert!(PartialDate::parse("2019-02-29").is_err());
        assert!(PartialDate::parse("2020-02-29").is_ok());
        assert!(PartialDate::parse("17-06").is_err());
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("hsca12-area-1"));
        assert!(!is_valid_id("-x"));
        assert!(!is_valid_id("Area"));
        assert!(!is_valid_id(""));
    }

    #[test]
    fn labels() {
        assert_eq!(
            enum_label(&CmoStatus::PartiallySupported),
            "Partially supported"
        );
    }
}
