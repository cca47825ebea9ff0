//! `realist serve` updates the served folder incrementally. After any sequence of edits,
//! creations, renames and deletions, the served folder must be byte-identical to a clean
//! `realist::build` of the same files (with drafts), and a failed build must leave the last good
//! site in place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use realist::serve::incremental::{Session, UpdateKind};

use crate::common;

const THEMES: [&str; 2] = ["equity", "finance-and-contracting"];

/// One report of the fixture, as parameters its file is generated from.
#[derive(Debug, Clone, Default)]
struct Report {
    title: u8,
    date: u8,
    status: u8,
    tracer: u8,
    areas: u8,
    themes: u8,
    heading: u8,
    text: u8,
    link_to: Option<String>,
    mention: bool,
    chain_to: Option<String>,
    extra_cmo: bool,
    broken_yaml: bool,
    broken_link: bool,
    lists_standalone: bool,
    derived_from: Option<String>,
    keywords: u8,
    sources: u8,
}

impl Report {
    fn file(&self, id: &str) -> String {
        let status = ["published", "draft", "confidential"][self.status as usize % 3];
        let tracer = ["tr", "tr2"][self.tracer as usize % 2];
        let areas: Vec<&str> = [(1, "area/a1"), (2, "area/a2")]
            .iter()
            .filter(|(bit, _)| self.areas & bit != 0)
            .map(|(_, a)| *a)
            .collect();
        let areas = if areas.is_empty() {
            vec!["area/a1"]
        } else {
            areas
        };
        let themes: Vec<&str> = THEMES
            .iter()
            .enumerate()
            .filter(|(i, _)| self.themes & (1 << i) != 0)
            .map(|(_, t)| *t)
            .collect();
        let title = if self.broken_yaml {
            "[broken".to_string()
        } else {
            format!("\"Report {id} v{}\"", self.title)
        };
        let chain = match &self.chain_to {
            Some(t) if t != id => format!("    chain: {{refines: cmo/{t}-c1}}\n"),
            _ => String::new(),
        };
        let extra = if self.extra_cmo {
            format!(
                "  - id: {id}-c2\n    title: \"Second {id}\"\n    kind: anticipated\n    programme_theory: [none-identified]\n    context: [{{text: c2}}]\n    mechanism: {{resource: r, reasoning: q}}\n    outcome: [{{text: o2, status: anticipated, valence: mixed, intended: false}}]\n    status: initial\n"
            )
        } else {
            String::new()
        };
        let listed = if self.lists_standalone {
            "  - cmo/sx\n"
        } else {
            ""
        };
        let derived = match &self.derived_from {
            Some(t) if t != id => format!("derived_from: report/{t}\n"),
            _ => String::new(),
        };
        let keywords =
            ["[]", "[commissioning]", "[commissioning, integration]"][self.keywords as usize % 3];
        // Changes the backlinks of the sources' pages.
        let sources = [
            "",
            "sources: [source/src1]\n",
            "sources: [source/src1, source/src2]\n",
        ][self.sources as usize % 3];
        let heading = ["Findings", "What we found"][self.heading as usize % 2];
        let mut body = format!(
            "## {heading} {{#findings}}\n\nText number {} on the CCG [@key].\n",
            self.text
        );
        if let Some(t) = &self.link_to {
            body.push_str(&format!(
                "\nSee [the other report](@report/{t}#findings).\n"
            ));
        }
        if self.mention {
            body.push_str("\nCompare [the second tracer](@tracer/tr2).\n");
        }
        if self.broken_link {
            body.push_str("\nA [broken link](@report/nope).\n");
        }
        format!(
            "---\ntype: tracer-report\ntitle: {title}\ndate: \"2017-{:02}\"\nauthors: [{{name: A}}]\nstatus: {status}\nstudy: study/s\ntracer: tracer/{tracer}\nareas: [{}]\nprogramme_theories: [theory/pt]\nsummary: [\"k\"]\nkeywords: {keywords}\nthemes: [{}]\n{sources}{derived}cmos:\n  - id: {id}-c1\n    title: \"CMO of {id} v{}\"\n    kind: observed\n    programme_theory: [theory/pt]\n    context: [{{text: c}}]\n    mechanism: {{text: m}}\n    outcome: [{{text: o, status: observed, valence: positive, intended: true}}]\n    evidence: [{{kind: interview, source: \"report/{id}#findings\"}}]\n    confidence: {{level: low, rationale: r}}\n    status: supported\n{chain}{extra}{listed}---\n{body}",
            self.date % 12 + 1,
            areas.join(", "),
            themes.join(", "),
            self.title,
        )
    }
}

#[derive(Debug, Clone)]
enum Op {
    Title(usize, u8),
    Date(usize, u8),
    Status(usize, u8),
    Tracer(usize, u8),
    Areas(usize, u8),
    Themes(usize, u8),
    Heading(usize, u8),
    Text(usize, u8),
    Link(usize, Option<usize>),
    Mention(usize, bool),
    Chain(usize, Option<usize>),
    ExtraCmo(usize, bool),
    BreakYaml(usize, bool),
    BrokenLink(usize, bool),
    TracerTitle(usize, u8),
    TracerText(usize, u8),
    AreaTitle(u8),
    AreaText(u8),
    StandaloneTitle(u8),
    StandaloneText(u8),
    StandaloneSource(usize),
    ListStandalone(usize, bool),
    DerivedFrom(usize, Option<usize>),
    Keywords(usize, u8),
    Sources(usize, u8),
    StandaloneTracer(u8),
    StandaloneAreas(u8),
    RenameStandalone,
    Glossary(u8),
    Bibliography(u8),
    Template(Option<u8>),
    FreePage(bool),
    Css(u8),
    AddStatic(u8),
    Create,
    Delete(usize),
    Rename(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let r = 0usize..8;
    prop_oneof![
        3 => (r.clone(), 0u8..4).prop_map(|(i, v)| Op::Title(i, v)),
        1 => (r.clone(), 0u8..12).prop_map(|(i, v)| Op::Date(i, v)),
        1 => (r.clone(), 0u8..3).prop_map(|(i, v)| Op::Status(i, v)),
        1 => (r.clone(), 0u8..2).prop_map(|(i, v)| Op::Tracer(i, v)),
        1 => (r.clone(), 0u8..4).prop_map(|(i, v)| Op::Areas(i, v)),
        1 => (r.clone(), 0u8..4).prop_map(|(i, v)| Op::Themes(i, v)),
        2 => (r.clone(), 0u8..2).prop_map(|(i, v)| Op::Heading(i, v)),
        4 => (r.clone(), 0u8..8).prop_map(|(i, v)| Op::Text(i, v)),
        2 => (r.clone(), proptest::option::of(0usize..8)).prop_map(|(i, v)| Op::Link(i, v)),
        1 => (r.clone(), any::<bool>()).prop_map(|(i, v)| Op::Mention(i, v)),
        1 => (r.clone(), proptest::option::of(0usize..8)).prop_map(|(i, v)| Op::Chain(i, v)),
        1 => (r.clone(), any::<bool>()).prop_map(|(i, v)| Op::ExtraCmo(i, v)),
        1 => (r.clone(), any::<bool>()).prop_map(|(i, v)| Op::BreakYaml(i, v)),
        1 => (r.clone(), any::<bool>()).prop_map(|(i, v)| Op::BrokenLink(i, v)),
        1 => (0usize..2, 0u8..4).prop_map(|(i, v)| Op::TracerTitle(i, v)),
        1 => (0usize..2, 0u8..4).prop_map(|(i, v)| Op::TracerText(i, v)),
        1 => (0u8..4).prop_map(Op::AreaTitle),
        1 => (0u8..4).prop_map(Op::AreaText),
        1 => (0u8..4).prop_map(Op::StandaloneTitle),
        1 => (0u8..4).prop_map(Op::StandaloneText),
        1 => r.clone().prop_map(Op::StandaloneSource),
        1 => (r.clone(), any::<bool>()).prop_map(|(i, v)| Op::ListStandalone(i, v)),
        1 => (r.clone(), proptest::option::of(0usize..8)).prop_map(|(i, v)| Op::DerivedFrom(i, v)),
        1 => (r.clone(), 0u8..3).prop_map(|(i, v)| Op::Keywords(i, v)),
        1 => (r.clone(), 0u8..3).prop_map(|(i, v)| Op::Sources(i, v)),
        1 => (0u8..2).prop_map(Op::StandaloneTracer),
        1 => (0u8..4).prop_map(Op::StandaloneAreas),
        1 => Just(Op::RenameStandalone),
        1 => (0u8..4).prop_map(Op::Glossary),
        1 => (0u8..4).prop_map(Op::Bibliography),
        1 => proptest::option::of(0u8..4).prop_map(Op::Template),
        1 => any::<bool>().prop_map(Op::FreePage),
        1 => (0u8..4).prop_map(Op::Css),
        1 => (0u8..4).prop_map(Op::AddStatic),
        1 => Just(Op::Create),
        1 => r.clone().prop_map(Op::Delete),
        1 => r.prop_map(Op::Rename),
    ]
}

struct Fixture {
    root: PathBuf,
    reports: BTreeMap<String, Report>,
    tracers: [(u8, u8); 2],
    area: (u8, u8),
    /// The standalone CMO: title, text, and the report its evidence cites.
    standalone: (u8, u8, String),
    /// The standalone CMO's tracer and areas (front matter that changes backlinks), and its
    /// file name.
    standalone_links: (u8, u8, &'static str),
    next_id: u32,
}

impl Fixture {
    fn new(root: &Path, search: bool) -> Fixture {
        let write = |rel: &str, text: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write(
            "site.yaml",
            &format!(
                "title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\nsearch: {search}\nbibliography: content/references.bib\n"
            ),
        );
        write("content/studies/s.md", "---\ntitle: S\n---\nbody\n");
        for s in ["src1", "src2"] {
            let source =
                format!("---\ntitle: Source {s}\nauthors: [{{name: B}}]\nyear: 2015\n---\n");
            write(&format!("content/sources/{s}.md"), &source);
        }
        std::fs::create_dir_all(root.join("content/tracers")).unwrap();
        std::fs::create_dir_all(root.join("content/reports")).unwrap();
        write(
            "content/areas/a1.md",
            "---\ntitle: A1\nstudy: study/s\nanonymised: true\n---\n",
        );
        write("content/theories/pt.md", "---\ntitle: PT\nstudy: study/s\nstatement: {if: x, then: y, because: z}\nstatus: untested\nlevel: policy\n---\n");
        write(
            "content/pages/accessibility.md",
            "---\ntitle: Accessibility\n---\ntext\n",
        );
        let mut f = Fixture {
            root: root.to_path_buf(),
            reports: BTreeMap::new(),
            tracers: [(0, 0), (0, 0)],
            area: (0, 0),
            standalone: (0, 0, "r2".into()),
            standalone_links: (0, 2, "sx"),
            next_id: 4,
        };
        f.write_glossary(0);
        f.write_bibliography(0);
        for i in 0..2 {
            f.write_tracer(i);
        }
        f.write_area();
        write("static/custom.css", "body { margin: 0; }\n");
        f.write_standalone();
        for (id, link) in [("r1", Some("r2")), ("r2", None), ("r3", Some("r1"))] {
            let r = Report {
                link_to: link.map(str::to_string),
                themes: 1,
                ..Default::default()
            };
            f.reports.insert(id.into(), r);
            f.write_report(id);
        }
        f
    }

    fn report_path(&self, id: &str) -> PathBuf {
        self.root.join(format!("content/reports/{id}.md"))
    }

    fn write_report(&self, id: &str) -> PathBuf {
        let p = self.report_path(id);
        std::fs::write(&p, self.reports[id].file(id)).unwrap();
        p
    }

    fn write_tracer(&self, i: usize) -> PathBuf {
        let id = ["tr", "tr2"][i];
        let (title, text) = self.tracers[i];
        let p = self.root.join(format!("content/tracers/{id}.md"));
        std::fs::write(
            &p,
            format!("---\ntitle: Tracer {id} v{title}\nstudy: study/s\nkind: service\n---\nAbout {id}, version {text}.\n"),
        )
        .unwrap();
        p
    }

    fn write_area(&self) -> PathBuf {
        let p = self.root.join("content/areas/a2.md");
        std::fs::write(
            &p,
            format!(
                "---\ntitle: A2 v{}\nstudy: study/s\nanonymised: false\n---\nSecond area, version {}.\n",
                self.area.0, self.area.1
            ),
        )
        .unwrap();
        p
    }

    fn standalone_path(&self) -> PathBuf {
        let name = self.standalone_links.2;
        self.root.join(format!("content/cmos/{name}.md"))
    }

    fn write_standalone(&self) -> PathBuf {
        let p = self.standalone_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let (title, text, source) = &self.standalone;
        let (tracer, areas, _) = self.standalone_links;
        let tracer = ["tr", "tr2"][tracer as usize % 2];
        let areas = ["area/a1", "area/a2", "area/a1, area/a2"][areas as usize % 3];
        std::fs::write(
            &p,
            format!(
                "---\ntype: cmo\nid: sx\ntitle: \"Standalone v{title}\"\nkind: derived\nprogramme_theory: [theory/pt]\ntracer: tracer/{tracer}\nareas: [{areas}]\ncontext: [{{text: c}}]\nmechanism: {{text: m}}\noutcome: [{{text: o, status: observed, valence: negative, intended: false}}]\nevidence: [{{kind: document, source: \"report/{source}#findings\"}}]\nconfidence: {{level: moderate, rationale: r}}\nstatus: contested\n---\nStandalone body, version {text}.\n"
            ),
        )
        .unwrap();
        p
    }

    fn write_glossary(&self, v: u8) -> PathBuf {
        let p = self.root.join("content/glossary.yaml");
        let text = format!(
            "- term: CCG\n  expansion: Clinical Commissioning Group v{v}\n  definition: A body, version {v}.\n"
        );
        std::fs::write(&p, text).unwrap();
        p
    }

    fn write_bibliography(&self, v: u8) -> PathBuf {
        let p = self.root.join("content/references.bib");
        let text = format!(
            "@book{{key,\n  author = {{Author, A.}},\n  title = {{A book, edition {v}}},\n  publisher = {{P}},\n  year = {{{}}}\n}}\n",
            2000 + u32::from(v)
        );
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Overrides the theme's 404 template with a variant, or removes the override.
    fn write_template(&self, v: Option<u8>) -> PathBuf {
        let p = self.root.join("templates/404.html");
        match v {
            Some(v) => {
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                let theme = include_str!("../../themes/default/templates/404.html");
                std::fs::write(&p, format!("{theme}{{# variant {v} #}}\n")).unwrap();
            }
            None => {
                let _ = std::fs::remove_file(&p);
            }
        }
        p
    }

    /// Adds or removes a second free page.
    fn write_free_page(&self, present: bool) -> PathBuf {
        let p = self.root.join("content/pages/about.md");
        if present {
            std::fs::write(&p, "---\ntitle: About\n---\nAbout the study.\n").unwrap();
        } else {
            let _ = std::fs::remove_file(&p);
        }
        p
    }

    fn ids(&self) -> Vec<String> {
        self.reports.keys().cloned().collect()
    }

    /// Applies one operation; returns the paths it touched (as a file watcher would report).
    fn apply(&mut self, op: &Op) -> Vec<PathBuf> {
        let ids = self.ids();
        match op {
            Op::AreaTitle(v) => {
                self.area.0 = *v;
                return vec![self.write_area()];
            }
            Op::AreaText(v) => {
                self.area.1 = *v;
                return vec![self.write_area()];
            }
            Op::StandaloneTitle(v) => {
                self.standalone.0 = *v;
                return vec![self.write_standalone()];
            }
            Op::StandaloneText(v) => {
                self.standalone.1 = *v;
                return vec![self.write_standalone()];
            }
            Op::Css(v) => {
                let p = self.root.join("static/custom.css");
                std::fs::write(&p, format!("body {{ margin: {v}px; }}\n")).unwrap();
                return vec![p];
            }
            Op::AddStatic(v) => {
                let p = self.root.join(format!("static/added-{v}.txt"));
                std::fs::write(&p, format!("file {v}\n")).unwrap();
                return vec![p];
            }
            Op::StandaloneTracer(v) => {
                self.standalone_links.0 = *v;
                return vec![self.write_standalone()];
            }
            Op::StandaloneAreas(v) => {
                self.standalone_links.1 = *v;
                return vec![self.write_standalone()];
            }
            Op::RenameStandalone => {
                let from = self.standalone_path();
                self.standalone_links.2 = if self.standalone_links.2 == "sx" {
                    "sy"
                } else {
                    "sx"
                };
                let to = self.standalone_path();
                std::fs::rename(&from, &to).unwrap();
                return vec![from, to];
            }
            Op::Glossary(v) => return vec![self.write_glossary(*v)],
            Op::Bibliography(v) => return vec![self.write_bibliography(*v)],
            Op::Template(v) => return vec![self.write_template(*v)],
            Op::FreePage(present) => return vec![self.write_free_page(*present)],
            Op::StandaloneSource(i) if !ids.is_empty() => {
                self.standalone.2 = ids[i % ids.len()].clone();
                return vec![self.write_standalone()];
            }
            _ => {}
        }
        if ids.is_empty() && !matches!(op, Op::Create | Op::TracerTitle(..) | Op::TracerText(..)) {
            return Vec::new();
        }
        let pick = |i: usize| ids[i % ids.len()].clone();
        let mut edit = |i: usize, f: &mut dyn FnMut(&mut Report)| {
            let id = pick(i);
            f(self.reports.get_mut(&id).unwrap());
            vec![self.write_report(&id)]
        };
        match op.clone() {
            Op::Title(i, v) => edit(i, &mut |r| r.title = v),
            Op::Date(i, v) => edit(i, &mut |r| r.date = v),
            Op::Status(i, v) => edit(i, &mut |r| r.status = v),
            Op::Tracer(i, v) => edit(i, &mut |r| r.tracer = v),
            Op::Areas(i, v) => edit(i, &mut |r| r.areas = v),
            Op::Themes(i, v) => edit(i, &mut |r| r.themes = v),
            Op::Heading(i, v) => edit(i, &mut |r| r.heading = v),
            Op::Text(i, v) => edit(i, &mut |r| r.text = v),
            Op::Link(i, t) => {
                let t = t.map(pick);
                edit(i, &mut |r| r.link_to = t.clone())
            }
            Op::Mention(i, v) => edit(i, &mut |r| r.mention = v),
            Op::Chain(i, t) => {
                let t = t.map(pick);
                edit(i, &mut |r| r.chain_to = t.clone())
            }
            Op::ExtraCmo(i, v) => edit(i, &mut |r| r.extra_cmo = v),
            Op::BreakYaml(i, v) => edit(i, &mut |r| r.broken_yaml = v),
            Op::BrokenLink(i, v) => edit(i, &mut |r| r.broken_link = v),
            Op::ListStandalone(i, v) => edit(i, &mut |r| r.lists_standalone = v),
            Op::DerivedFrom(i, t) => {
                let t = t.map(pick);
                edit(i, &mut |r| r.derived_from = t.clone())
            }
            Op::Keywords(i, v) => edit(i, &mut |r| r.keywords = v),
            Op::Sources(i, v) => edit(i, &mut |r| r.sources = v),
            Op::AreaTitle(_)
            | Op::AreaText(_)
            | Op::StandaloneTitle(_)
            | Op::StandaloneText(_)
            | Op::StandaloneSource(_)
            | Op::StandaloneTracer(_)
            | Op::StandaloneAreas(_)
            | Op::RenameStandalone
            | Op::Glossary(_)
            | Op::Bibliography(_)
            | Op::Template(_)
            | Op::FreePage(_)
            | Op::Css(_)
            | Op::AddStatic(_) => Vec::new(),
            Op::TracerTitle(i, v) => {
                self.tracers[i].0 = v;
                vec![self.write_tracer(i)]
            }
            Op::TracerText(i, v) => {
                self.tracers[i].1 = v;
                vec![self.write_tracer(i)]
            }
            Op::Create => {
                let id = format!("r{}", self.next_id);
                self.next_id += 1;
                self.reports.insert(id.clone(), Report::default());
                vec![self.write_report(&id)]
            }
            Op::Delete(i) => {
                let id = pick(i);
                self.reports.remove(&id);
                let p = self.report_path(&id);
                std::fs::remove_file(&p).unwrap();
                vec![p]
            }
            Op::Rename(i) => {
                let id = pick(i);
                let new = format!("r{}", self.next_id);
                self.next_id += 1;
                let r = self.reports.remove(&id).unwrap();
                self.reports.insert(new.clone(), r);
                let (from, to) = (self.report_path(&id), self.report_path(&new));
                // A rename keeps the old text: the CMO ids inside still say the old id.
                std::fs::rename(&from, &to).unwrap();
                self.write_report(&new);
                vec![from, to]
            }
        }
    }

    fn any_broken_yaml(&self) -> bool {
        self.reports.values().any(|r| r.broken_yaml)
    }
}

/// Runs a sequence of operations and checks the served folder after each.
fn check_sequence(ops: &[Op]) -> (usize, usize) {
    check_site(ops, false)
}

fn check_site(ops: &[Op], search: bool) -> (usize, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let mut fixture = Fixture::new(&root, search);
    let mut session = Session::new(&root, &tmp.path().join("serve"));
    let first = session.full("test");
    assert!(first.ok, "{:?}", first.diagnostics);
    let mut last_good = common::site_tree(session.live_dir().unwrap());
    let (mut incremental, mut full) = (0, 0);
    for (step, op) in ops.iter().enumerate() {
        let touched = fixture.apply(op);
        let update = session.refresh(&touched);
        match update.kind {
            UpdateKind::Incremental => incremental += 1,
            UpdateKind::Full => full += 1,
            UpdateKind::Unchanged => {}
        }
        assert!(
            session.mismatched_paths().is_empty(),
            "{:?}",
            session.mismatched_paths()
        );
        let out = tmp.path().join(format!("expected-{step}"));
        let expected = realist::build(&realist::BuildOptions {
            root: root.clone(),
            out: Some(out.clone()),
            drafts: true,
            ..Default::default()
        });
        let context = format!(
            "after step {step} ({op:?}) of {ops:?}: {:?}",
            update.reasons
        );
        if expected.outcome == realist::Outcome::Success {
            assert!(
                update.ok,
                "{context}\nserve failed where a clean build succeeds: {:?}",
                update.diagnostics
            );
            let want = common::site_tree(&out);
            common::assert_same_tree(&common::site_tree(session.live_dir().unwrap()), &want);
            last_good = want;
        } else {
            assert!(
                !update.ok,
                "{context}\nserve succeeded where a clean build fails: {:?}",
                expected.diagnostics
            );
            common::assert_same_tree(&common::site_tree(session.live_dir().unwrap()), &last_good);
        }
        if !fixture.any_broken_yaml() {
            assert_eq!(update.diagnostics, expected.diagnostics, "{context}");
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    (incremental, full)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn incremental_updates_equal_a_clean_build(ops in proptest::collection::vec(op(), 1..8)) {
        check_sequence(&ops);
    }
}

#[test]
fn body_edits_are_incremental_and_front_matter_edits_too() {
    let ops = [
        Op::Text(0, 1),
        Op::Heading(1, 1),
        Op::Title(2, 3),
        Op::Tracer(0, 1),
        Op::Mention(1, true),
        Op::TracerText(0, 2),
        Op::TracerTitle(1, 2),
        Op::AreaTitle(1),
        Op::StandaloneText(2),
        Op::StandaloneTitle(3),
        Op::ListStandalone(2, true),
        Op::StandaloneSource(0),
        Op::Heading(0, 1),
        Op::Css(2),
        Op::StandaloneTracer(1),
        Op::StandaloneAreas(0),
        Op::StandaloneTracer(0),
        Op::DerivedFrom(0, Some(1)),
        Op::Keywords(2, 1),
        Op::Sources(1, 2),
        Op::Sources(1, 0),
        Op::DerivedFrom(0, None),
    ];
    let (incremental, full) = check_sequence(&ops);
    // Every edit here is incremental: a CMO has no citation files of its own, so listing a
    // standalone CMO in a report no longer changes the set of extra files.
    assert_eq!((incremental, full), (ops.len(), 0));
}

#[test]
fn structural_changes_fall_back_to_full_builds() {
    let ops = [
        Op::Create,
        Op::Rename(0),
        Op::Delete(1),
        Op::ExtraCmo(0, true),
        Op::Status(0, 2),
        Op::RenameStandalone,
        Op::Glossary(1),
        Op::Bibliography(2),
        Op::Template(Some(1)),
        Op::Template(Some(2)),
        Op::Template(None),
        Op::FreePage(true),
        Op::FreePage(false),
        Op::AddStatic(1),
    ];
    let (incremental, full) = check_sequence(&ops);
    assert_eq!((incremental, full), (0, ops.len()));
}

#[test]
fn failed_builds_keep_the_last_good_site_and_recover() {
    let ops = [
        Op::BreakYaml(0, true),
        Op::Text(1, 5),
        Op::BreakYaml(0, false),
        Op::BrokenLink(1, true),
        Op::Title(2, 1),
        Op::BrokenLink(1, false),
        Op::Link(0, Some(7)),
    ];
    check_sequence(&ops);
}

#[test]
fn the_search_index_is_rebuilt_with_every_update() {
    let ops = [
        Op::Text(0, 3),
        Op::Title(1, 2),
        Op::BrokenLink(0, true),
        Op::Text(2, 1),
    ];
    let (incremental, full) = check_site(&ops, true);
    assert_eq!((incremental, full), (4, 0));
}

/// Every front-matter field of a report, and how the property test above covers it: the
/// operation that edits it, or why it is written once and left alone. A field the schema gains
/// fails [`every_front_matter_field_is_covered`] until it is added here.
const REPORT_COVERAGE: [(&str, &str); 29] = [
    (
        "type",
        "fixed: tracer-report (the report's type is its own page's label)",
    ),
    (
        "report_type",
        "not written: optional label on the report's own page",
    ),
    ("title", "Op::Title"),
    ("date", "Op::Date"),
    (
        "updated",
        "not written: shown on the report's own page only",
    ),
    ("authors", "fixed"),
    ("authors_not_named", "fixed: like authors"),
    ("more_authors", "fixed: like authors"),
    (
        "journal",
        "not written: the report's page, its CMOs' metadata and the citation files only",
    ),
    (
        "rameses",
        "not written: the report's own page and the checklist exports only",
    ),
    ("status", "Op::Status"),
    ("study", "fixed: one study"),
    ("tracer", "Op::Tracer"),
    (
        "tracers",
        "not written: the plural form of tracer, resolved the same way",
    ),
    ("areas", "Op::Areas"),
    ("programme_theories", "fixed"),
    ("summary", "fixed"),
    (
        "lay_summary",
        "not written: shown on the report's own page only",
    ),
    (
        "abstract",
        "not written: shown on the report's own page and exports only",
    ),
    ("keywords", "Op::Keywords"),
    ("themes", "Op::Themes"),
    (
        "doi",
        "not written: shown on the report's own page and exports only",
    ),
    (
        "licence",
        "not written: shown on the report's own page only",
    ),
    (
        "funding",
        "not written: shown on the report's own page only",
    ),
    ("ethics", "not written: shown on the report's own page only"),
    ("derived_from", "Op::DerivedFrom"),
    ("sources", "Op::Sources"),
    (
        "editorial",
        "not written: fixtures have no source files; tested by the provenance tests",
    ),
    ("cmos", "Op::ExtraCmo, Op::Chain, Op::ListStandalone"),
];

/// The same for a CMO (inline in a report, or standalone).
const CMO_COVERAGE: [(&str, &str); 17] = [
    ("type", "fixed: cmo (standalone)"),
    ("id", "Op::Rename keeps the old ids; Op::ExtraCmo adds one"),
    ("title", "Op::Title (inline), Op::StandaloneTitle"),
    ("kind", "fixed"),
    ("programme_theory", "fixed"),
    ("tracer", "Op::StandaloneTracer"),
    ("areas", "Op::StandaloneAreas"),
    ("context", "fixed"),
    ("mechanism", "fixed"),
    ("outcome", "fixed"),
    ("chain", "Op::Chain"),
    ("evidence", "Op::StandaloneSource"),
    ("confidence", "fixed"),
    ("status", "fixed"),
    (
        "status_note",
        "not written: shown on the CMO's own page only, like `title`",
    ),
    ("themes", "not written: summarised like a report's themes"),
    (
        "sources",
        "not written: linked like a report's sources (Op::Sources)",
    ),
];

#[test]
fn every_front_matter_field_is_covered() {
    use realist::model::{Cmo, Report};
    let listed = |c: &[(&'static str, &str)]| {
        let mut v: Vec<&str> = c.iter().map(|(f, _)| *f).collect();
        v.sort_unstable();
        v
    };
    let schema = |mut v: Vec<&'static str>| {
        v.sort_unstable();
        v
    };
    assert_eq!(
        listed(&REPORT_COVERAGE),
        schema(common::fields_of::<Report>())
    );
    assert_eq!(listed(&CMO_COVERAGE), schema(common::fields_of::<Cmo>()));
}

#[test]
fn a_body_edit_rewrites_the_reports_pdf() {
    let site = common::Site::minimal();
    site.write("site.yaml", format!("{}pdf: true\n", common::SITE_YAML));
    let tmp = tempfile::tempdir().unwrap();
    let mut session = Session::new(site.root(), &tmp.path().join("serve"));
    assert!(session.full("test").ok);
    let report = "content/reports/r1.md";
    let text = std::fs::read_to_string(site.root().join(report)).unwrap();
    site.write(
        report,
        text.replace("\ntext\n", "\ntext with UNIQUEWORDONE\n"),
    );
    let update = session.refresh(&[PathBuf::from(report)]);
    assert!(update.ok, "{:?}", update.diagnostics);
    let live = session.live_dir().unwrap().join("reports/r1/r1.pdf");
    let clean = tmp.path().join("clean");
    site.build_ok(&["--out", clean.to_str().unwrap()]);
    // PDFs are reproducible: the served one is the clean build's, byte for byte.
    let served = std::fs::read(&live).unwrap();
    assert_eq!(
        served,
        std::fs::read(clean.join("reports/r1/r1.pdf")).unwrap()
    );
}
