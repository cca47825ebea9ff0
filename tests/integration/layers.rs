//! The crate's modules form layers: a module may use modules of its own layer or below, never one
//! above, and no group of modules may use each other in a circle.
//!
//! 1. read every `src/**/*.rs`, and take its top module from its path (`src/render/pages.rs` is
//!    `render`; `src/lib.rs` is the pipeline, `src/main.rs` is `main`);
//! 2. collect the `crate::<name>` paths in its code (comments are skipped); a name that is no
//!    module is an item of the crate root, so the pipeline. The crate root itself names modules
//!    without `crate::` (`render::Renderer`), so there every `<module>::` counts;
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

/// The names `X` in `crate::X` and `crate::{X, Y}` in `code`, outside comments.
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in code_lines(code) {
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            let before = rest[..i].chars().next_back();
            rest = &rest[i + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `realist_crate::`, not this crate
            }
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let name: String = part.trim().chars().take_while(is_ident).collect();
                    if !name.is_empty() {
                        names.insert(name);
                    }
                }
            } else {
                let name: String = rest.chars().take_while(is_ident).collect();
                if !name.is_empty() {
                    names.insert(name);
                }
            }
        }
    }
    names
}

/// The lines of `code` that are not comments.
fn code_lines(code: &str) -> impl Iterator<Item = &str> {
    code.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
}

/// The modules of `modules` that the crate root's `code` names as `module::`.
fn root_paths(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for line in code_lines(code) {
        for (i, _) in line.match_indices("::") {
            let name: String = line[..i].chars().rev().take_while(is_ident).collect();
            let name: String = name.chars().rev().collect();
            if modules.contains(&name) {
                names.insert(name);
            }
        }
    }
    names
}

fn is_ident(c: &char) -> bool {
    c.is_alphanumeric() || *c == '_'
}

/// Module → modules it uses, with the files that use each.
fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        let from = module_of(src, file);
        let code = std::fs::read_to_string(file).unwrap();
        let uses = graph.entry(from.clone()).or_default();
        let mut names = crate_paths(&code);
        if file == &src.join("lib.rs") {
            names.extend(root_paths(&code, &modules));
        }
        for name in names {
            let to = if modules.contains(&name) && name != "pipeline" {
                name
            } else {
                "pipeline".to_string() // an item of the crate root
            };
            if to != from {
                let shown = file.strip_prefix(src).unwrap_or(file).to_path_buf();
                uses.entry(to).or_default().insert(shown);
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

#[test]
fn the_check_finds_paths_cycles_and_upward_uses() {
    let names = crate_paths(
        "use crate::{load::schema::Kind, text};\n// crate::render\nlet x = crate::url::page_path(None, \"a\");\n",
    );
    assert_eq!(names, ["load", "text", "url"].map(String::from).into());
    let modules = ["render", "write"].map(String::from).into();
    let names = root_paths("let r = render::Renderer::new();\n// write::x\n", &modules);
    assert_eq!(names, ["render"].map(String::from).into());
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
