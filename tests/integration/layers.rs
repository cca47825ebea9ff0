//! The crate's modules form layers: a module may use modules of its own layer or below, never one
//! above, and no group of modules may use each other in a circle.
//!
//! 1. read every `src/**/*.rs`, and take its top module from its path (`src/render/pages.rs` is
//!    `render`; `src/lib.rs` is the pipeline, `src/main.rs` is `main`);
//! 2. parse it with `syn` and collect every path of this crate it names: `use` trees (through
//!    groups, renames and globs), paths in expressions, types, patterns and macro calls, with
//!    `super::`/`self::` resolved against the file's module path (`src/render/pages/cmo.rs` is
//!    `crate::render::pages::cmo`) and names given by `use crate as root;` followed. Comments and
//!    strings are not code. Inline modules (`mod tests { … }`) belong to their file, so a test
//!    module's uses count like any other. The first name of the path is the module used; a name
//!    that is no module is an item of the crate root, so the pipeline. The crate root itself
//!    names modules without `crate::` (`render::Renderer`), so there every `<module>::` counts.
//!    Not seen: paths written inside strings (`#[serde(with = "crate::x")]`), and a name a `use`
//!    in a block gives is taken as the whole module's;
//! 3. check every module is in [`LAYERS`], that no module uses one in a higher layer, and that
//!    the graph of modules has no cycle.
//!
//! A new top module must be given a layer here; that is the point at which to decide where it
//! belongs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top module and its layer: lower layers never use higher ones.
const LAYERS: &[(&str, usize)] = &[
    // Below every stage: text utilities, the domain model, diagnostics, the input policy, URLs,
    // the theme's files, `site.yaml`.
    ("text", 0),
    ("diagnostics", 0),
    ("paths", 0),
    ("model", 0),
    ("url", 0),
    ("theme", 0),
    ("config", 0),
    ("load", 1),
    ("resolve", 2),
    ("markdown", 2),
    ("cite", 2),
    ("check", 3),
    ("render", 3),
    ("write", 4),
    // `src/lib.rs` and anything named `pipeline`.
    ("pipeline", 5),
    ("serve", 6),
    ("scaffold", 6),
    ("main", 7),
];

type Graph = BTreeMap<String, BTreeMap<String, BTreeSet<PathBuf>>>;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top module a file belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    match first.strip_suffix(".rs").unwrap_or(&first) {
        "lib" => "pipeline".into(),
        name if name.starts_with("pipeline") => "pipeline".into(),
        name => name.into(),
    }
}

/// The module path a file defines: `src/render/pages/cmo.rs` is `render::pages::cmo`,
/// `src/render/mod.rs` is `render`, and `src/lib.rs` (and `src/main.rs`) the crate root.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut path: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if path.last().is_some_and(|last| last == "mod") || path == ["lib"] || path == ["main"] {
        path.pop();
    }
    path
}

/// The names `X` of the crate paths `crate::X…` that `code`, the file of module `module`, uses:
/// in `use` trees (through groups, renames and globs), in any path of an expression, type,
/// pattern, visibility or attribute, and in the tokens of macro calls. `super::` and `self::`
/// are resolved against `module` (and the inline `mod` blocks around them), and names that a
/// `use` gave to the crate or its modules (`use crate as root;`) are followed. The crate root
/// (`module` empty) names its modules without `crate::` (`render::Renderer`), so in it every
/// path starting with a name of `modules` counts as well. A glob of the crate root itself
/// (`use crate::*`, `use super::*` in a top module) gives `pipeline`.
fn crate_paths(
    code: &str,
    module: &[&str],
    modules: &BTreeSet<String>,
) -> syn::Result<BTreeSet<String>> {
    let file = syn::parse_file(code)?;
    let mut collector = Collector {
        module: module.iter().map(|m| m.to_string()).collect(),
        root: module.is_empty(),
        modules,
        aliases: BTreeMap::new(),
        found: BTreeSet::new(),
    };
    // The first pass learns the aliases, so that a path before its `use` is followed too.
    syn::visit::Visit::visit_file(&mut collector, &file);
    collector.found.clear();
    syn::visit::Visit::visit_file(&mut collector, &file);
    Ok(collector.found)
}

struct Collector<'a> {
    /// The module being visited, inline `mod` blocks included.
    module: Vec<String>,
    /// Whether the file is the crate root, where modules are named without `crate::`.
    root: bool,
    modules: &'a BTreeSet<String>,
    /// (module, name) → the crate path that `use … as name` (or `use …::name`'s rename) gave.
    aliases: BTreeMap<(Vec<String>, String), Vec<String>>,
    found: BTreeSet<String>,
}

impl Collector<'_> {
    /// The path of `segments` from the crate root, if it is one of this crate's paths.
    fn resolve(&self, segments: &[String]) -> Option<Vec<String>> {
        let (first, rest) = segments.split_first()?;
        let mut base = match first.as_str() {
            "crate" => return Some(rest.to_vec()),
            "self" => self.module.clone(),
            "super" => {
                let mut base = self.module.clone();
                base.pop()?;
                let mut rest = rest;
                while let Some(("super", after)) =
                    rest.split_first().map(|(s, after)| (s.as_str(), after))
                {
                    base.pop()?;
                    rest = after;
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            name => {
                if let Some(alias) = self.aliases.get(&(self.module.clone(), name.to_string())) {
                    alias.clone()
                } else if self.root && !rest.is_empty() && self.modules.contains(name) {
                    vec![name.to_string()]
                } else {
                    return None;
                }
            }
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    fn record(&mut self, segments: &[String]) {
        if let Some(path) = self.resolve(segments) {
            if let Some(first) = path.first() {
                self.found.insert(first.clone());
            }
        }
    }

    fn use_tree(&mut self, mut prefix: Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
            }
            syn::UseTree::Name(name) => {
                if name.ident != "self" {
                    prefix.push(name.ident.to_string());
                }
                self.record(&prefix);
            }
            syn::UseTree::Rename(rename) => {
                if rename.ident != "self" {
                    prefix.push(rename.ident.to_string());
                }
                self.record(&prefix);
                if let Some(path) = self.resolve(&prefix) {
                    let key = (self.module.clone(), rename.rename.to_string());
                    self.aliases.insert(key, path);
                }
            }
            syn::UseTree::Glob(_) => match self.resolve(&prefix) {
                Some(path) if path.is_empty() => {
                    self.found.insert("pipeline".into());
                }
                Some(path) => {
                    self.found.insert(path[0].clone());
                }
                None => {}
            },
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(prefix.clone(), tree);
                }
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        self.module.push(item.ident.to_string());
        syn::visit::visit_item_mod(self, item);
        self.module.pop();
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        if item.leading_colon.is_none() {
            self.use_tree(Vec::new(), &item.tree);
        }
        syn::visit::visit_item_use(self, item);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        if path.leading_colon.is_none() {
            let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            self.record(&segments);
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // syn leaves a macro's arguments as tokens: read the paths among them.
        let buffer = syn::buffer::TokenBuffer::new2(mac.tokens.clone());
        let mut paths = Vec::new();
        token_paths(buffer.begin(), &mut paths);
        for path in paths {
            self.record(&path);
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// The paths (`a::b::c`) among `tokens`, into nested groups; a path after `::` alone (`::std`)
/// is left out, and `$crate` counts as `crate`.
fn token_paths(mut tokens: syn::buffer::Cursor, paths: &mut Vec<Vec<String>>) {
    let mut current: Vec<String> = Vec::new();
    let mut after_separator = false;
    let mut external = false;
    fn flush(paths: &mut Vec<Vec<String>>, current: &mut Vec<String>, external: &mut bool) {
        if !current.is_empty() && !*external {
            paths.push(std::mem::take(current));
        }
        current.clear();
        *external = false;
    }
    while !tokens.eof() {
        if let Some((ident, next)) = tokens.ident() {
            if !after_separator {
                flush(paths, &mut current, &mut external);
            }
            current.push(ident.to_string());
            after_separator = false;
            tokens = next;
        } else if let Some((punct, next)) = tokens.punct() {
            let double =
                punct.as_char() == ':' && next.punct().is_some_and(|(p, _)| p.as_char() == ':');
            if double && !after_separator {
                if current.is_empty() {
                    external = true; // `::std::…`
                }
                after_separator = true;
                tokens = next.punct().unwrap().1;
            } else {
                flush(paths, &mut current, &mut external);
                after_separator = false;
                tokens = next;
            }
        } else if let Some((inside, _, _, next)) = tokens.any_group() {
            flush(paths, &mut current, &mut external);
            after_separator = false;
            token_paths(inside, paths);
            tokens = next;
        } else {
            flush(paths, &mut current, &mut external);
            after_separator = false;
            tokens = tokens.token_tree().map_or(tokens, |(_, next)| next);
        }
    }
    flush(paths, &mut current, &mut external);
}

/// Module → modules it uses, with the files that use each.
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let from = module_of(src, file);
        let shown = file.strip_prefix(src).unwrap_or(file).to_path_buf();
        let code = std::fs::read_to_string(file).unwrap();
        let module = module_path(src, file);
        let module: Vec<&str> = module.iter().map(String::as_str).collect();
        let names = crate_paths(&code, &module, &modules)
            .unwrap_or_else(|e| panic!("src/{} does not parse: {e}", shown.display()));
        let uses = graph.entry(from.clone()).or_default();
        for name in names {
            let to = if modules.contains(&name) && name != "pipeline" {
                name
            } else {
                "pipeline".to_string() // an item of the crate root
            };
            if to != from {
                uses.entry(to).or_default().insert(shown.clone());
            }
        }
    }
    graph
}

/// A cycle in `graph`, as the modules along it, if there is one.
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut cycle = path[i..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flat_map(|m| m.keys()) {
            if let Some(cycle) = visit(next, graph, done, path) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

#[test]
fn modules_use_only_their_own_layer_and_below_and_form_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    let mut problems = Vec::new();
    for (from, uses) in &graph {
        let Some(from_layer) = layer(from) else {
            problems.push(format!("module `{from}` has no layer: add it to LAYERS"));
            continue;
        };
        for (to, files) in uses {
            match layer(to) {
                None => problems.push(format!("module `{to}` has no layer: add it to LAYERS")),
                Some(to_layer) if to_layer > from_layer => problems.push(format!(
                    "`{from}` (layer {from_layer}) uses `{to}` (layer {to_layer}), a higher layer, in {files:?}"
                )),
                Some(_) => {}
            }
        }
    }
    if let Some(cycle) = find_cycle(&graph) {
        problems.push(format!("import cycle: {}", cycle.join(" -> ")));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// What `crate_paths` finds in `code`, the file of `module`.
fn found(code: &str, module: &[&str]) -> BTreeSet<String> {
    let modules = LAYERS.iter().map(|(m, _)| m.to_string()).collect();
    crate_paths(code, module, &modules).unwrap()
}

fn set<const N: usize>(names: [&str; N]) -> BTreeSet<String> {
    names.map(String::from).into()
}

#[test]
fn the_check_finds_paths_cycles_and_upward_uses() {
    let names = found(
        "use crate::{load::schema::Kind, text};\n// crate::render\nfn f() { let x = crate::url::page_path(None, \"a\"); }\n",
        &["check"],
    );
    assert_eq!(names, set(["load", "text", "url"]));
    let names = found(
        "fn f() { let r = render::Renderer::new(); }\n// write::x\n",
        &[],
    );
    assert_eq!(names, set(["render"]));
    let mut graph = Graph::new();
    let edge = |graph: &mut Graph, a: &str, b: &str| {
        graph
            .entry(a.into())
            .or_default()
            .insert(b.into(), BTreeSet::new());
    };
    edge(&mut graph, "check", "render");
    edge(&mut graph, "render", "write");
    assert_eq!(find_cycle(&graph), None);
    edge(&mut graph, "write", "check");
    assert_eq!(
        find_cycle(&graph),
        Some(
            ["check", "render", "write", "check"]
                .map(String::from)
                .to_vec()
        )
    );
    assert!(layer("render") < layer("write"));
    assert_eq!(layer("no-such-module"), None);
}

#[test]
fn a_use_group_over_several_lines_counts_every_member() {
    let code = "use crate::{\n    render::Renderer,\n    write::Sink,\n};\n";
    assert_eq!(found(code, &["check"]), set(["render", "write"]));
}

#[test]
fn a_nested_group_counts_each_top_module_once() {
    let code = "use crate::{diagnostics::{A, B}, serve::run};\n";
    assert_eq!(found(code, &["check"]), set(["diagnostics", "serve"]));
    let code = "use crate::{render::{pages::{cmo::Cmo, list}, views}, write::{self, Sink}};\n";
    assert_eq!(found(code, &["check"]), set(["render", "write"]));
}

#[test]
fn super_chains_climb_from_the_files_module() {
    let cmo = ["render", "pages", "cmo"];
    let code = "use super::super::super::serve::run;\nuse super::super::views::Item;\n";
    assert_eq!(found(code, &cmo), set(["serve", "render"]));
    let code = "fn f() { super::super::super::write::go(); }\n";
    assert_eq!(found(code, &cmo), set(["write"]));
    // A top module's `super` is the crate root: its items are the pipeline's.
    assert_eq!(found("use super::build;\n", &["cite"]), set(["build"]));
    // Beyond the crate root is no path of this crate.
    assert_eq!(found("use super::super::serve;\n", &["cite"]), set([]));
    // `self::` is the module itself, and in the crate root it names top modules.
    assert_eq!(found("use self::pages::cmo;\n", &cmo), set(["render"]));
    assert_eq!(found("use self::serve::run;\n", &[]), set(["serve"]));
    // An inline module is a module below the file's: `super` there is the file's module.
    let code =
        "#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::serve::run;\n}\n";
    assert_eq!(found(code, &["cite"]), set(["cite", "serve"]));
}

#[test]
fn aliases_of_the_crate_and_its_modules_are_followed() {
    let code = "fn f() { root::serve::run(); }\nuse crate as root;\n";
    assert_eq!(found(code, &["check"]), set(["serve"]));
    let code = "use crate::render as r;\nfn f(x: r::Renderer) {}\n";
    assert_eq!(found(code, &["check"]), set(["render"]));
    let code = "use crate::{self as top};\nfn f() { let _ = top::write::Sink::new(); }\n";
    assert_eq!(found(code, &["check"]), set(["write"]));
    let code = "use super::super::super as up;\nfn f() { up::scaffold::new(); }\n";
    assert_eq!(found(code, &["render", "pages", "cmo"]), set(["scaffold"]));
}

#[test]
fn a_path_split_across_lines_is_one_path() {
    let code = "fn f() {\n    crate\n        ::serve\n        ::run();\n}\n";
    assert_eq!(found(code, &["check"]), set(["serve"]));
    let code = "fn f(x: crate\n    ::model::Document) -> crate::\n    render::Page { todo!() }\n";
    assert_eq!(found(code, &["check"]), set(["model", "render"]));
    let code = "fn f(k: Kind) { match k { crate::\nmodel::Kind::Cmo => {} _ => {} } }\n";
    assert_eq!(found(code, &["check"]), set(["model"]));
}

#[test]
fn a_glob_counts_the_module_it_empties() {
    assert_eq!(found("use crate::serve::*;\n", &["check"]), set(["serve"]));
    assert_eq!(
        found("use crate::render::{pages::*, views};\n", &["check"]),
        set(["render"])
    );
    // The crate root's items are the pipeline's.
    assert_eq!(found("use crate::*;\n", &["check"]), set(["pipeline"]));
    assert_eq!(found("use super::*;\n", &["check"]), set(["pipeline"]));
}

#[test]
fn paths_in_macro_calls_count_but_strings_and_comments_do_not() {
    let code = "fn f() {\n    assert_eq!(crate::write::x(), vec![crate::\n render::y()]);\n    \
                println!(\"crate::serve::run\");\n    // crate::scaffold::new()\n}\n\
                /// Calls `crate::cite::run`.\nfn g() {}\n";
    assert_eq!(found(code, &["check"]), set(["render", "write"]));
    let code = "macro_rules! m { () => { $crate::diagnostics::Report::new() }; }\n";
    assert_eq!(found(code, &["check"]), set(["diagnostics"]));
    // `::url` is the crate `url`, not the crate root's module.
    assert_eq!(
        found("fn f() { g!(::url::Url::parse(\"x\")); }\n", &[]),
        set([])
    );
}

#[test]
fn a_files_module_path_follows_its_place_under_src() {
    let src = Path::new("/s/src");
    let path = |file: &str| module_path(src, &src.join(file));
    assert_eq!(path("render/pages/cmo.rs"), ["render", "pages", "cmo"]);
    assert_eq!(path("render/mod.rs"), ["render"]);
    assert_eq!(path("url.rs"), ["url"]);
    assert_eq!(path("lib.rs"), Vec::<String>::new());
    assert_eq!(module_of(src, &src.join("pipeline.rs")), "pipeline");
    assert_eq!(module_of(src, &src.join("lib.rs")), "pipeline");
}
