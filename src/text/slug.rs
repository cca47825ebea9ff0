//! Stable heading ids.
//!
//! Written by hand because the rule must never change between versions (ids are cited as
//! `report/x#anchor` in evidence and in other sites), and it must keep non-ASCII letters, which the
//! common slug crates transliterate or drop.

use std::collections::{HashMap, HashSet};

/// Lower-cases, keeps Unicode letters and digits, turns runs of anything else into one `-`.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if pending_dash && !out.is_empty() {
                out.push('-');
            }
            pending_dash = false;
            out.extend(c.to_lowercase());
        } else if c == '-' || c == '_' || c.is_whitespace() {
            pending_dash = true;
        }
    }
    if out.is_empty() {
        "section".to_string()
    } else {
        out
    }
}

/// Hands out ids unique within one page, appending `-1`, `-2` … on repeats.
#[derive(Debug, Default)]
pub struct IdSet {
    used: HashSet<String>,
    /// For each id asked for more than once, the suffix to try next: without it the n-th repeat
    /// of a heading would try n-1 taken ids first, and a page of repeated headings is quadratic.
    next_suffix: HashMap<String, usize>,
}

impl IdSet {
    pub fn with_reserved(reserved: &[&str]) -> Self {
        IdSet {
            used: reserved.iter().map(|s| s.to_string()).collect(),
            next_suffix: HashMap::new(),
        }
    }

    pub fn claim(&mut self, wanted: &str) -> String {
        if self.used.insert(wanted.to_string()) {
            return wanted.to_string();
        }
        let mut n = self.next_suffix.get(wanted).copied().unwrap_or(1);
        loop {
            let candidate = format!("{wanted}-{n}");
            n += 1;
            if self.used.insert(candidate.clone()) {
                self.next_suffix.insert(wanted.to_string(), n);
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Methods"), "methods");
        assert_eq!(
            slugify("5.2 Sexual health: Area 1"),
            "52-sexual-health-area-1"
        );
        assert_eq!(slugify("Café – über"), "café-über");
        assert_eq!(slugify("?!"), "section");
    }

    #[test]
    fn unique_ids() {
        let mut ids = IdSet::with_reserved(&["main"]);
        assert_eq!(ids.claim("main"), "main-1");
        assert_eq!(ids.claim("a"), "a");
        assert_eq!(ids.claim("a"), "a-1");
        assert_eq!(ids.claim("a-2"), "a-2");
        assert_eq!(ids.claim("a"), "a-3");
        assert_eq!(ids.claim("a"), "a-4");
        assert_eq!(ids.claim("a-1"), "a-1-1");
    }
}
