//! The entities other than reports and CMOs: studies, tracers, areas, programme theories (with
//! their refinement trails), free pages, theme syntheses and, through their own modules, sources
//! and demi-regularities.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::report::Ethics;
use super::{
    enum_label, enum_value, Attribution, Informant, Kind, PartialDate, Pattern, Ref, Source, Text,
};

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Period {
    pub start: PartialDate,
    pub end: Option<PartialDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StudyDesign {
    RealistEvaluation,
    MultiSiteCaseStudy,
    SingleCaseStudy,
    MixedMethods,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Study {
    /// The study's title, for example `title: "Commissioning for integrated care"`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// Who funded it, for example `funder: NIHR`.
    pub funder: Option<String>,
    /// When it ran, for example `period: {start: 2019-04, end: 2022-03}`.
    pub period: Option<Period>,
    /// Its ethics approval, for example `ethics: {committee: University ethics committee}`.
    pub ethics: Option<Ethics>,
    /// Its design, for example `design: realist-evaluation`.
    pub design: Option<StudyDesign>,
    /// The grant's reference, for example `grant_ref: "NIHR130246"`.
    pub grant_ref: Option<Text>,
    /// Whether published attributions show informants' ids (`role-and-id`, the default) or only
    /// their roles (`role-only`), for example `attribution: role-only`.
    #[serde(default)]
    pub attribution: Attribution,
    /// The people it interviewed, described by role only, for evidence to name, for example
    /// `informants: [{id: ccg-manager-3, role: "CCG manager", area: area/a1, interviewed: 2016}]`.
    #[serde(default)]
    pub informants: Vec<Informant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TracerKind {
    Service,
    Condition,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tracer {
    /// The tracer's name, for example `title: Dementia care`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// The study it belongs to, for example `study: study/hsca12`.
    pub study: Option<Ref>,
    /// Whether it is a service or a condition, for example `kind: condition`.
    pub kind: Option<TracerKind>,
    /// Why it was chosen, for example `chosen_to_illuminate: "Care across organisations"`.
    pub chosen_to_illuminate: Option<String>,
    /// Other names for it, for example `aliases: [memory services]`.
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// The area's name, for example `title: Area A`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// The study it belongs to, for example `study: study/hsca12`.
    pub study: Option<Ref>,
    /// Whether its name is a pseudonym, for example `anonymised: true`.
    pub anonymised: bool,
    /// What sort of area it is, for example `kind: primary care network`.
    pub kind: Option<String>,
    /// How many people live there, for example `population: 202741`.
    pub population: Option<Text>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    #[serde(rename = "if")]
    pub if_: String,
    pub then: String,
    pub because: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TheoryStatus {
    Untested,
    Supported,
    PartiallySupported,
    NotSupported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TheoryLevel {
    Policy,
    Tracer,
    Informant,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeTheory {
    /// The theory's name, for example `title: Continuity of care`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// The study it belongs to, for example `study: study/hsca12`.
    pub study: Option<Ref>,
    /// The theory as if–then–because, for example
    /// `statement: {if: "...", then: "...", because: "..."}`.
    pub statement: Option<Statement>,
    /// How far the evidence supports it, for example `status: untested`.
    pub status: Option<TheoryStatus>,
    /// The level it works at, for example `level: policy`.
    pub level: Option<TheoryLevel>,
    /// Later statements of the theory, oldest first, each with what prompted it, for example
    /// `refinements: [{date: 2017-12, statement: {...}, prompted_by: [cmo/x], note: "..."}]`.
    #[serde(default)]
    pub refinements: Vec<Refinement>,
}

/// One step of a theory's refinement trail: the statement as the evidence left it.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refinement {
    /// When the theory was restated, for example `date: 2017-12`.
    pub date: PartialDate,
    /// The refined theory as if–then–because.
    pub statement: Statement,
    /// The CMOs (or report sections and sources) that prompted it, for example
    /// `prompted_by: [cmo/reciprocity, report/final#conclusions]`.
    #[serde(default)]
    pub prompted_by: Vec<Ref>,
    /// What changed and why, in a sentence, for example `note: "Adds reciprocity"`.
    pub note: Option<String>,
}

/// The synthesis written for a theme (`content/themes/<theme-id>.md`): its title; the body is the
/// synthesis, shown on the theme's page above the list of what carries the theme.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeSynthesis {
    /// The theme's title, for example `title: Integration across organisations`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
}

#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FreePage {
    /// The page's title, for example `title: About this study`.
    #[serde(deserialize_with = "crate::model::values::title")]
    #[schemars(with = "String", length(min = 1))]
    pub title: String,
    /// Whether the site's editors wrote it about someone else's published work, for example
    /// `editorial: {summarises: source/smith-2013}`: its byline then says so.
    pub editorial: Option<super::Editorial>,
}

/// One labelled fact an entity page shows about its entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub label: &'static str,
    pub value: FactValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactValue {
    Text(String),
    /// Links to the pages of these entities (those that are published).
    Links(Kind, Vec<String>),
    /// A link to a page outside the site (an `http` or `https` URL), shown as `title`.
    External {
        title: String,
        url: String,
    },
}

impl Fact {
    pub fn text(label: &'static str, text: impl Into<String>) -> Fact {
        Fact {
            label,
            value: FactValue::Text(text.into()),
        }
    }

    pub fn external(label: &'static str, title: impl Into<String>, url: impl Into<String>) -> Fact {
        let (title, url) = (title.into(), url.into());
        Fact {
            label,
            value: FactValue::External { title, url },
        }
    }

    pub fn links(label: &'static str, kind: Kind, ids: Vec<String>) -> Fact {
        Fact {
            label,
            value: FactValue::Links(kind, ids),
        }
    }
}

/// Parses a file's front matter as a given type: how the loader lends its YAML reader and its
/// document type to [`Entity::parse`], which knows which type each kind's front matter is.
pub trait ParseAs {
    /// A parsed document holding metadata of type `T`.
    type Doc<T>;
    /// The document with front matter of type `T`, or None if it does not parse (reported).
    fn parse<T: DeserializeOwned + schemars::JsonSchema>(self) -> Option<Self::Doc<T>>;
    /// The same document with its metadata turned into a `U`.
    fn map<T, U>(doc: Self::Doc<T>, f: impl FnOnce(T) -> U) -> Self::Doc<U>;
}

/// The metadata of an entity of a kind kept as [`Store::Entities`](super::Store::Entities): one Markdown file each, with a
/// title, facts and references to other entities.
#[derive(Debug, Clone)]
pub enum Entity {
    Study(Study),
    Tracer(Tracer),
    Area(Area),
    Theory(ProgrammeTheory),
    Page(FreePage),
    Source(Source),
    Theme(ThemeSynthesis),
    Pattern(Pattern),
}

impl Entity {
    /// Parses the front matter of a file of `kind` with `parser`: None for a kind not kept as an
    /// [`Entity`], `Some(None)` for a file that does not parse.
    pub fn parse<P: ParseAs>(kind: Kind, parser: P) -> Option<Option<P::Doc<Entity>>> {
        fn as_entity<P: ParseAs, T: DeserializeOwned + schemars::JsonSchema>(
            parser: P,
            f: fn(T) -> Entity,
        ) -> Option<Option<P::Doc<Entity>>> {
            Some(parser.parse::<T>().map(|d| P::map(d, f)))
        }
        match kind {
            Kind::Study => as_entity(parser, Entity::Study),
            Kind::Tracer => as_entity(parser, Entity::Tracer),
            Kind::Area => as_entity(parser, Entity::Area),
            Kind::Theory => as_entity(parser, Entity::Theory),
            Kind::Page => as_entity(parser, Entity::Page),
            Kind::Source => as_entity(parser, Entity::Source),
            Kind::Theme => as_entity(parser, Entity::Theme),
            Kind::Pattern => as_entity(parser, Entity::Pattern),
            Kind::Report | Kind::Cmo => None,
        }
    }

    pub fn kind(&self) -> Kind {
        match self {
            Entity::Study(_) => Kind::Study,
            Entity::Tracer(_) => Kind::Tracer,
            Entity::Area(_) => Kind::Area,
            Entity::Theory(_) => Kind::Theory,
            Entity::Page(_) => Kind::Page,
            Entity::Source(_) => Kind::Source,
            Entity::Theme(_) => Kind::Theme,
            Entity::Pattern(_) => Kind::Pattern,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Entity::Study(m) => &m.title,
            Entity::Tracer(m) => &m.title,
            Entity::Area(m) => &m.title,
            Entity::Theory(m) => &m.title,
            Entity::Page(m) => &m.title,
            Entity::Source(m) => &m.title,
            Entity::Theme(m) => &m.title,
            Entity::Pattern(m) => &m.title,
        }
    }

    /// The study it belongs to, if it names one.
    pub fn study(&self) -> Option<&Ref> {
        match self {
            Entity::Tracer(m) => m.study.as_ref(),
            Entity::Area(m) => m.study.as_ref(),
            Entity::Theory(m) => m.study.as_ref(),
            Entity::Study(_)
            | Entity::Page(_)
            | Entity::Source(_)
            | Entity::Theme(_)
            | Entity::Pattern(_) => None,
        }
    }

    /// Every reference in its front matter, with the field it is written in (a field of the
    /// kind's `links` in the registry).
    pub fn refs(&self) -> Vec<(&'static str, &Ref)> {
        let mut refs: Vec<(&'static str, &Ref)> =
            self.study().map(|s| ("study", s)).into_iter().collect();
        match self {
            Entity::Theory(m) => refs.extend(
                m.refinements
                    .iter()
                    .flat_map(|r| &r.prompted_by)
                    .map(|r| ("refinements.prompted_by", r)),
            ),
            Entity::Pattern(m) => refs.extend(m.instances.iter().map(|i| ("instances.of", &i.of))),
            Entity::Study(m) => {
                let areas = m.informants.iter().filter_map(|i| i.area.as_ref());
                refs.extend(areas.map(|a| ("informants.area", a)));
            }
            Entity::Page(p) => {
                refs.extend(p.editorial.as_ref().map(|e| ("editorial", &e.summarises)));
            }
            Entity::Tracer(_) | Entity::Area(_) | Entity::Source(_) | Entity::Theme(_) => {}
        }
        refs
    }

    /// What its page says about it: a lead sentence and the facts.
    pub fn facts(&self) -> (Option<String>, Vec<Fact>) {
        match self {
            Entity::Study(m) => (None, m.facts()),
            Entity::Tracer(m) => m.facts(),
            Entity::Area(m) => (None, m.facts()),
            Entity::Theory(m) => (None, m.facts()),
            Entity::Page(_) => (None, Vec::new()),
            Entity::Source(m) => (None, m.facts()),
            Entity::Theme(_) => (None, Vec::new()),
            Entity::Pattern(m) => (Some(m.statement.clone()), Vec::new()),
        }
    }

    /// The short note beside it on its kind's list page.
    pub fn list_note(&self) -> String {
        match self {
            Entity::Study(m) => m.funder.clone().unwrap_or_default(),
            Entity::Tracer(m) => m
                .kind
                .map(|k| format!("Tracer {}", enum_value(&k)))
                .unwrap_or_default(),
            Entity::Area(m) if m.anonymised => "Anonymised".into(),
            Entity::Theory(m) => m.status.map(|s| enum_label(&s)).unwrap_or_default(),
            Entity::Source(m) => m.list_note(),
            Entity::Pattern(m) => m.list_note(),
            Entity::Area(_) | Entity::Page(_) | Entity::Theme(_) => String::new(),
        }
    }
}

/// The "Study" fact of an entity that names its study.
fn study_fact(study: &Option<Ref>) -> Vec<Fact> {
    study
        .iter()
        .map(|s| Fact::links("Study", Kind::Study, vec![s.id.clone()]))
        .collect()
}

impl Study {
    fn facts(&self) -> Vec<Fact> {
        let mut facts = Vec::new();
        self.funder
            .iter()
            .for_each(|f| facts.push(Fact::text("Funder", f)));
        self.grant_ref
            .iter()
            .for_each(|g| facts.push(Fact::text("Grant reference", &g.0)));
        if let Some(p) = &self.period {
            let end = p.end.map_or("ongoing".into(), |e| e.human());
            facts.push(Fact::text(
                "Period",
                format!("{} to {end}", p.start.human()),
            ));
        }
        self.design
            .iter()
            .for_each(|d| facts.push(Fact::text("Design", enum_label(d))));
        facts.extend(self.ethics.as_ref().map(Ethics::fact));
        facts
    }
}

impl Tracer {
    fn facts(&self) -> (Option<String>, Vec<Fact>) {
        let mut facts = study_fact(&self.study);
        self.kind
            .iter()
            .for_each(|k| facts.push(Fact::text("Kind", format!("Tracer {}", enum_value(k)))));
        if !self.aliases.is_empty() {
            facts.push(Fact::text("Also called", self.aliases.join("; ")));
        }
        let lead = self
            .chosen_to_illuminate
            .as_ref()
            .map(|c| format!("Chosen to illuminate: {c}"));
        (lead, facts)
    }
}

impl Area {
    fn facts(&self) -> Vec<Fact> {
        let mut facts = study_fact(&self.study);
        facts.push(Fact::text(
            "Anonymised",
            if self.anonymised {
                "Yes: the study does not name this area"
            } else {
                "No: the study names this area"
            },
        ));
        self.kind
            .iter()
            .for_each(|k| facts.push(Fact::text("Kind", k)));
        self.population
            .iter()
            .for_each(|p| facts.push(Fact::text("Population", &p.0)));
        facts
    }
}

impl ProgrammeTheory {
    fn facts(&self) -> Vec<Fact> {
        let mut facts = Vec::new();
        if let Some(s) = &self.statement {
            facts.push(Fact::text("If", &s.if_));
            facts.push(Fact::text("Then", &s.then));
            facts.push(Fact::text("Because", &s.because));
        }
        facts.extend(study_fact(&self.study));
        self.level
            .iter()
            .for_each(|l| facts.push(Fact::text("Level", enum_label(l))));
        self.status
            .iter()
            .for_each(|s| facts.push(Fact::text("Status", enum_label(s))));
        facts
    }
}
