//! The registry of entity kinds: each kind described once.
//!
//! 1. [`Kind`] names a kind; `Kind as usize` indexes anything kept per kind.
//! 2. [`KINDS`] holds one [`KindInfo`] per kind, in the order of [`Kind`]: where its files live,
//!    where its pages go, what it is called, which of its front-matter fields link to which kinds,
//!    and where its backlinks group on the pages it links to.
//! 3. Every stage that needs a fact about a kind reads it from here (`kind.info()`), and every loop
//!    over kinds iterates [`Kind::ALL`], so a new kind is one variant, one row and its metadata type
//!    (see "Add an entity kind" in CONTRIBUTING.md).

use serde::Serialize;

/// The kinds of entity a reference can name, and themes (which it cannot).
///
/// The order is the order of backlinks sorted by kind; add a new kind at the end.
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
    Source,
    Pattern,
}

/// Where the entities of a kind are kept once loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// `Content::reports`: reports carry inline CMOs and a publication status.
    Reports,
    /// `Content::cmos` for CMO files; CMOs written inline in reports join them when resolved.
    Cmos,
    /// `Content::entities(kind)`: one [`super::Entity`] per file.
    Entities,
    /// Made from the `themes:` lists of reports and CMOs; a file in its folder, named by a theme's
    /// id, adds a written synthesis to that theme's page (`Content::entities(kind)`).
    Derived,
}

/// Where an entity's id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdFrom {
    /// The file name without `.md`, which must then be a valid id.
    FileName,
    /// The `id:` of its front matter (CMOs, which can also be written inline in a report).
    FrontMatter,
}

/// Whether a kind has a list page at `<segment>/index.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListPage {
    /// None (reports' CMOs have the matrix instead, free pages have no list).
    Never,
    /// Always, with this introduction (the navigation links to it).
    Always(&'static str),
    /// Only on a site that has at least one, with this introduction.
    IfAny(&'static str),
}

/// How the source of a backlink relates to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Relation {
    Study,
    Tracer,
    Area,
    Theory,
    ListsCmo,
    DerivedFrom,
    FeedsContextOf,
    Refines,
    Contradicts,
    Specialises,
    Evidence,
    Mentions,
    Source,
    PromptedRefinement,
    Instance,
}

impl Relation {
    /// How the target page describes the source ("… links here as its study").
    pub fn inverse_label(self) -> &'static str {
        match self {
            Relation::Study => "part of this study",
            Relation::Tracer => "follows this tracer",
            Relation::Area => "set in this area",
            Relation::Theory => "tests this programme theory",
            Relation::ListsCmo => "reports this CMO",
            Relation::DerivedFrom => "derived from this report",
            Relation::FeedsContextOf => "its outcome feeds this CMO's context",
            Relation::Refines => "refines this CMO",
            Relation::Contradicts => "contradicts this CMO",
            Relation::Specialises => "specialises this CMO",
            Relation::Evidence => "cites this as evidence",
            Relation::Mentions => "mentions this",
            Relation::Source => "draws on this source",
            Relation::PromptedRefinement => "refined in the light of this",
            Relation::Instance => "names this as an instance",
        }
    }

    /// Whether this is a link between CMOs in a chain (which may not lead back to itself, and
    /// which the CMO's chain diagram draws). Every relation is listed, so a new one must be
    /// placed here.
    pub fn is_chain(self) -> bool {
        match self {
            Relation::FeedsContextOf
            | Relation::Refines
            | Relation::Contradicts
            | Relation::Specialises => true,
            Relation::Study
            | Relation::Tracer
            | Relation::Area
            | Relation::Theory
            | Relation::ListsCmo
            | Relation::DerivedFrom
            | Relation::Evidence
            | Relation::Mentions
            | Relation::Source
            | Relation::PromptedRefinement
            | Relation::Instance => false,
        }
    }
}

/// A front-matter field that references other entities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldLink {
    /// The field as written (`chain.refines` for a nested one), as named in messages.
    pub field: &'static str,
    /// The kinds it may name (the first is suggested when it names another).
    pub to: &'static [Kind],
    /// What the link means, seen from the page it points to.
    pub relation: Relation,
}

impl FieldLink {
    /// Whether a reference in this field may name a place in its page (`report/x#findings`):
    /// only where the page links to that place (evidence, what prompted a refinement). Elsewhere
    /// the anchor would be dropped without a word, so it is refused.
    pub fn keeps_anchor(&self) -> bool {
        matches!(self.field, "evidence.source" | "refinements.prompted_by")
    }

    /// What is wrong with `r` written in this field, if it names an anchor the field drops.
    pub fn anchor_problem(&self, r: &super::Ref) -> Option<(String, Option<String>)> {
        let anchor = r.anchor.as_deref().filter(|_| !self.keeps_anchor())?;
        Some((
            format!(
                "`{}` names a page, not a place in it: `{r}` gives the anchor `#{anchor}`, which `{}` does not use",
                self.field, self.field
            ),
            Some(format!("write `{}/{}`", r.kind.name(), r.id)),
        ))
    }
}

/// Everything the stages need to know about one kind.
#[derive(Debug, Clone, Copy)]
pub struct KindInfo {
    pub kind: Kind,
    /// Its name in references (`study/x`), in `realist new` and in templates.
    pub name: &'static str,
    /// The folder under `content/` holding one Markdown file per entity (for themes, which are
    /// made from `themes:` lists, one file per theme that has a written synthesis).
    pub folder: &'static str,
    pub store: Store,
    pub id_from: IdFrom,
    /// The first segment of its pages' URLs (`reports` in `reports/x/`); empty for free pages,
    /// which sit at the site root.
    pub segment: &'static str,
    /// The Tera template of its pages.
    pub template: &'static str,
    pub singular: &'static str,
    pub plural: &'static str,
    /// Its label in the site navigation, if it has one there (in the order of [`KINDS`]).
    pub nav: Option<&'static str>,
    pub list: ListPage,
    /// The front-matter fields that link to other entities.
    pub links: &'static [FieldLink],
    /// Where its entities group among the backlinks of a page they link to (lower first).
    pub backlink_rank: u8,
    /// Whether a reference `name/id` may name it.
    pub referable: bool,
    /// Whether `realist new` makes one, from the theme's `archetypes/<name>.md`.
    pub archetype: bool,
}

const STUDY_LINK: FieldLink = FieldLink {
    field: "study",
    to: &[Kind::Study],
    relation: Relation::Study,
};

/// `tracer:`, on reports and CMOs.
const TRACER_LINK: FieldLink = FieldLink {
    field: "tracer",
    to: &[Kind::Tracer],
    relation: Relation::Tracer,
};

/// `areas:`, on reports and CMOs.
const AREAS_LINK: FieldLink = FieldLink {
    field: "areas",
    to: &[Kind::Area],
    relation: Relation::Area,
};

/// A page the site's editors wrote names the published work it summarises.
const EDITORIAL_LINK: FieldLink = FieldLink {
    field: "editorial",
    to: &[Kind::Source],
    relation: Relation::Source,
};

/// One row per kind, in the order of [`Kind`].
pub const KINDS: [KindInfo; Kind::COUNT] = [
    KindInfo {
        kind: Kind::Study,
        name: "study",
        folder: "studies",
        store: Store::Entities,
        id_from: IdFrom::FileName,
        segment: "studies",
        template: "entity.html",
        singular: "Study",
        plural: "Studies",
        nav: Some("Studies"),
        list: ListPage::Always("The research studies this site publishes."),
        links: &[FieldLink {
            field: "informants.area",
            to: &[Kind::Area],
            relation: Relation::Area,
        }],
        backlink_rank: 5,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Report,
        name: "report",
        folder: "reports",
        store: Store::Reports,
        id_from: IdFrom::FileName,
        segment: "reports",
        template: "report.html",
        singular: "Report",
        plural: "Reports",
        nav: Some("Reports"),
        list: ListPage::Always("Every published report, newest first."),
        links: &[
            STUDY_LINK,
            TRACER_LINK,
            AREAS_LINK,
            FieldLink {
                field: "programme_theories",
                to: &[Kind::Theory],
                relation: Relation::Theory,
            },
            FieldLink {
                field: "derived_from",
                to: &[Kind::Report],
                relation: Relation::DerivedFrom,
            },
            FieldLink {
                field: "cmos",
                to: &[Kind::Cmo],
                relation: Relation::ListsCmo,
            },
            FieldLink {
                field: "sources",
                to: &[Kind::Source],
                relation: Relation::Source,
            },
            EDITORIAL_LINK,
        ],
        backlink_rank: 0,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Tracer,
        name: "tracer",
        folder: "tracers",
        store: Store::Entities,
        id_from: IdFrom::FileName,
        segment: "tracers",
        template: "entity.html",
        singular: "Tracer",
        plural: "Tracers",
        nav: Some("Tracers"),
        list: ListPage::Always("Tracers are services or conditions followed in depth as a lens on the commissioning system."),
        links: &[STUDY_LINK],
        backlink_rank: 2,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Area,
        name: "area",
        folder: "areas",
        store: Store::Entities,
        id_from: IdFrom::FileName,
        segment: "areas",
        template: "entity.html",
        singular: "Study area",
        plural: "Study areas",
        nav: Some("Areas"),
        list: ListPage::Always("The geographic cases the studies followed. Anonymised areas are described only as the studies describe them."),
        links: &[STUDY_LINK],
        backlink_rank: 3,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Theory,
        name: "theory",
        folder: "theories",
        store: Store::Entities,
        id_from: IdFrom::FileName,
        segment: "theories",
        template: "entity.html",
        singular: "Programme theory",
        plural: "Programme theories",
        nav: Some("Theories"),
        list: ListPage::Always("Programme theories: “if … then … because …” statements that the CMO configurations test."),
        links: &[
            STUDY_LINK,
            FieldLink {
                field: "refinements.prompted_by",
                to: &[Kind::Cmo, Kind::Report, Kind::Source],
                relation: Relation::PromptedRefinement,
            },
        ],
        backlink_rank: 4,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Cmo,
        name: "cmo",
        folder: "cmos",
        store: Store::Cmos,
        id_from: IdFrom::FrontMatter,
        segment: "cmos",
        template: "cmo.html",
        singular: "CMO configuration",
        plural: "CMO configurations",
        nav: Some("CMOs"),
        list: ListPage::Never,
        links: &[
            FieldLink {
                field: "programme_theory",
                to: &[Kind::Theory],
                relation: Relation::Theory,
            },
            TRACER_LINK,
            AREAS_LINK,
            FieldLink {
                field: "chain.feeds_context_of",
                to: &[Kind::Cmo],
                relation: Relation::FeedsContextOf,
            },
            FieldLink {
                field: "chain.refines",
                to: &[Kind::Cmo],
                relation: Relation::Refines,
            },
            FieldLink {
                field: "chain.contradicts",
                to: &[Kind::Cmo],
                relation: Relation::Contradicts,
            },
            FieldLink {
                field: "chain.specialises",
                to: &[Kind::Cmo],
                relation: Relation::Specialises,
            },
            FieldLink {
                field: "evidence.source",
                to: &[Kind::Report, Kind::Page, Kind::Source],
                relation: Relation::Evidence,
            },
            FieldLink {
                field: "sources",
                to: &[Kind::Source],
                relation: Relation::Source,
            },
        ],
        backlink_rank: 1,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Page,
        name: "page",
        folder: "pages",
        store: Store::Entities,
        id_from: IdFrom::FileName,
        segment: "",
        template: "entity.html",
        singular: "Page",
        plural: "Pages",
        nav: None,
        list: ListPage::Never,
        links: &[EDITORIAL_LINK],
        backlink_rank: 6,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Theme,
        name: "theme",
        folder: "themes",
        store: Store::Derived,
        id_from: IdFrom::FileName,
        segment: "themes",
        template: "entity.html",
        singular: "Theme",
        plural: "Themes",
        nav: Some("Themes"),
        list: ListPage::Always("Cross-cutting themes across reports and CMO configurations."),
        links: &[],
        backlink_rank: 7,
        referable: false,
        archetype: false,
    },
    KindInfo {
        kind: Kind::Source,
        name: "source",
        folder: "sources",
        store: Store::Entities,
        id_from: IdFrom::FileName,
        segment: "sources",
        template: "entity.html",
        singular: "Source publication",
        plural: "Source publications",
        nav: None,
        list: ListPage::IfAny("Published works that the reports and CMO configurations draw on."),
        links: &[],
        backlink_rank: 8,
        referable: true,
        archetype: true,
    },
    KindInfo {
        kind: Kind::Pattern,
        name: "pattern",
        folder: "patterns",
        store: Store::Entities,
        id_from: IdFrom::FileName,
        segment: "patterns",
        template: "entity.html",
        singular: "Demi-regularity",
        plural: "Demi-regularities",
        nav: Some("Patterns"),
        list: ListPage::IfAny("Demi-regularities: patterns of outcomes that recur, more or less predictably, across the cases, with the cases and CMO configurations that show them."),
        links: &[FieldLink {
            field: "instances.of",
            to: &[Kind::Cmo, Kind::Study, Kind::Tracer, Kind::Area, Kind::Report],
            relation: Relation::Instance,
        }],
        backlink_rank: 9,
        referable: true,
        archetype: true,
    },
];

/// How many kinds a reference may name.
const REFERABLE_COUNT: usize = {
    let (mut i, mut n) = (0, 0);
    while i < Kind::COUNT {
        if KINDS[i].referable {
            n += 1;
        }
        i += 1;
    }
    n
};

impl Kind {
    /// How many kinds there are (`Kind as usize` is below this).
    pub const COUNT: usize = Kind::Pattern as usize + 1;

    /// The kinds a reference `name/id` may name, in the order of the registry.
    pub const REFERABLE: [Kind; REFERABLE_COUNT] = {
        let mut all = [Kind::Study; REFERABLE_COUNT];
        let (mut i, mut n) = (0, 0);
        while i < Kind::COUNT {
            if KINDS[i].referable {
                all[n] = KINDS[i].kind;
                n += 1;
            }
            i += 1;
        }
        all
    };

    /// Every kind, in the order of the registry.
    pub const ALL: [Kind; Kind::COUNT] = {
        let mut all = [Kind::Study; Kind::COUNT];
        let mut i = 0;
        while i < Kind::COUNT {
            all[i] = KINDS[i].kind;
            i += 1;
        }
        all
    };

    /// Everything known about this kind.
    pub fn info(self) -> &'static KindInfo {
        &KINDS[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind whose files are in `content/<folder>/` (for themes, their syntheses).
    pub fn from_folder(folder: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.folder() == folder)
    }

    /// The folder under `content/` for this kind (for themes, that of their syntheses).
    pub fn folder(self) -> &'static str {
        self.info().folder
    }

    /// A human label, singular and plural.
    pub fn label(self, plural: bool) -> &'static str {
        let info = self.info();
        if plural {
            info.plural
        } else {
            info.singular
        }
    }

    /// The label inside a sentence: lower-case, but an acronym kept (`CMO configurations`,
    /// `study areas`).
    pub fn label_in_sentence(self, plural: bool) -> String {
        let label = self.label(plural);
        let first = label.split(' ').next().unwrap_or("");
        if first.len() > 1 && first.chars().all(|c| c.is_ascii_uppercase()) {
            label.to_string()
        } else {
            label.to_lowercase()
        }
    }

    /// What a reference in `field` of this kind's front matter means, if the field links at all.
    pub fn field_link(self, field: &str) -> Option<&'static FieldLink> {
        self.info().links.iter().find(|l| l.field == field)
    }

    /// The URL segment of its pages, None for free pages (at the site root). Every page URL of a
    /// kind comes from it, through [`Kind::url`] and [`Kind::list_url`]; the content folder
    /// ([`Kind::folder`]) names files and is never part of a URL.
    fn segment(self) -> Option<&'static str> {
        Some(self.info().segment).filter(|s| !s.is_empty())
    }

    /// The site-relative URL of an entity's page (`reports/x/`, or `x/` for a free page).
    pub fn url(self, id: &str) -> String {
        crate::url::page_path(self.segment(), id)
    }

    /// The site-relative URL of the kind's list page (`reports/`; for CMOs, the matrix). Free
    /// pages have no list page; theirs would be the home page.
    pub fn list_url(self) -> String {
        crate::url::list_path(self.segment())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_in_the_order_of_the_kinds() {
        for (i, info) in KINDS.iter().enumerate() {
            assert_eq!(info.kind as usize, i, "{}", info.name);
        }
        let mut names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Kind::COUNT, "two kinds share a name");
    }

    #[test]
    fn content_folders_and_url_segments_are_unique() {
        let mut folders: Vec<&str> = KINDS.iter().map(|k| k.folder).collect();
        folders.sort();
        folders.dedup();
        assert_eq!(folders.len(), Kind::COUNT);
        let mut segments: Vec<&str> = KINDS.iter().map(|k| k.segment).collect();
        segments.sort();
        segments.dedup();
        assert_eq!(segments.len(), Kind::COUNT, "two kinds share a URL segment");
        assert_eq!(Kind::from_folder("tracers"), Some(Kind::Tracer));
        assert_eq!(Kind::from_folder("themes"), Some(Kind::Theme));
        assert_eq!(Kind::Page.url("about"), "about/");
        assert_eq!(Kind::Tracer.url("dementia"), "tracers/dementia/");
    }

    /// Every page URL of a kind, its entity pages and its list page, is made from its URL segment
    /// and never from its content folder, so the two may differ.
    #[test]
    fn page_urls_come_from_the_url_segment() {
        for kind in Kind::ALL {
            let info = kind.info();
            let list = kind.list_url();
            let entity = kind.url("x");
            if info.segment.is_empty() {
                assert_eq!(
                    (list.as_str(), entity.as_str()),
                    ("", "x/"),
                    "{}",
                    info.name
                );
            } else {
                assert_eq!(list, format!("{}/", info.segment), "{}", info.name);
                assert_eq!(entity, format!("{}/x/", info.segment), "{}", info.name);
            }
        }
    }

    #[test]
    fn links_name_only_referable_kinds() {
        for info in &KINDS {
            for link in info.links {
                assert!(!link.to.is_empty(), "{}.{}", info.name, link.field);
                assert!(link.to.iter().all(|k| k.info().referable));
            }
        }
        assert_eq!(
            Kind::Report.field_link("derived_from").map(|l| l.relation),
            Some(Relation::DerivedFrom)
        );
    }
}
