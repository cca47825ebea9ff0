//! Embeds the default theme: writes `default_theme.rs` into `OUT_DIR`, a list of
//! `(path inside the theme, include_str!(file))` for every file under `themes/default/`, which
//! `src/theme.rs` includes. A file added to the theme (a template or archetype for a new entity
//! kind) is then compiled in without editing a hand-kept list.
//!
//! Written by hand rather than with an embedding crate: it is twenty lines, and `include_str!`
//! keeps the files as `&str` and lets Cargo track each one.

use std::path::{Path, PathBuf};

fn files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("themes/default is readable") {
        let path = entry.expect("a theme entry").path();
        if path.is_dir() {
            files(&path, found);
        } else {
            found.push(path);
        }
    }
}

fn main() {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    println!("cargo:rerun-if-changed={}", theme.display());
    let mut found = Vec::new();
    files(&theme, &mut found);
    found.sort();
    let mut code = String::from("&[\n");
    for path in found {
        let rel = path.strip_prefix(&theme).expect("inside the theme");
        let rel = rel.to_str().expect("theme file names are UTF-8");
        code.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("]\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("default_theme.rs"), code).expect("OUT_DIR is writable");
}
