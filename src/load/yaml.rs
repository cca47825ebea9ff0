//! The one place realist parses YAML.
//!
//! Everything else sees typed structs and [`YamlError`]s with positions in the file. Keeping
//! serde_yaml behind this module means the parser can be swapped (serde_yaml is no longer maintained)
//! without touching the rest of the pipeline.
//!
//! serde_yaml knows where a syntax or type error happened, but its values carry no spans. For the
//! problems found later (a dangling reference, a duplicate id) [`Locator`] finds the position of a
//! value by searching the front-matter text, which is exact for the short scalar values involved.

use serde::de::DeserializeOwned;

use crate::diagnostics::suggestion;

/// A YAML problem with a 1-based position relative to the start of the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

/// Deserialises `yaml` into `T`, turning serde_yaml's errors into located, friendlier ones.
pub fn from_str<T: DeserializeOwned>(yaml: &str) -> Result<T, YamlError> {
    if let Some((line, column)) = find_tab_indent(yaml) {
        return Err(YamlError {
            line,
            column,
            message: "a tab character is used for indentation".into(),
            help: Some("YAML indentation must use spaces; replace the tab with spaces".into()),
        });
    }
    // An empty document deserialises as unit; treat it as an empty mapping so that the
    // "missing field" errors name what is missing.
    let source = if yaml.trim().is_empty() { "{}" } else { yaml };
    serde_yaml::from_str(source).map_err(|e| convert(&e, yaml))
}

fn find_tab_indent(yaml: &str) -> Option<(usize, usize)> {
    for (i, line) in yaml.lines().enumerate() {
        let indent: String = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        if let Some(col) = indent.find('\t') {
            return Some((i + 1, col + 1));
        }
    }
    None
}

fn convert(error: &serde_yaml::Error, yaml: &str) -> YamlError {
    let raw = error.to_string();
    // serde_yaml appends " at line L column C" to the message; the location is kept separately.
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.clone(),
    };
    let (line, column) = error
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let (message, help) = explain(&message);
    let (line, column) = refine_position(&message, yaml, line, column);
    YamlError {
        line,
        column,
        message,
        help,
    }
}

/// Adds "did you mean" to serde's unknown-field and unknown-variant errors, and a hint to others.
fn explain(message: &str) -> (String, Option<String>) {
    // serde_yaml prefixes errors inside nested values with their path (`cmos[0].kind: `); the
    // position is reported separately, so drop the path, but only when there is one.
    let is_path_char =
        |c: char| c == '.' || c.is_alphanumeric() || c == '[' || c == ']' || c == '_';
    let message = match message.split_once(": ") {
        Some((path, rest)) if !path.is_empty() && path.chars().all(is_path_char) => rest,
        _ => message,
    }
    .to_string();
    for prefix in ["unknown field `", "unknown variant `"] {
        if let Some(rest) = message.strip_prefix(prefix) {
            let word = rest.split('`').next().unwrap_or("");
            let expected: Vec<&str> = rest
                .split('`')
                .skip(1)
                .enumerate()
                .filter(|(i, _)| i % 2 == 1)
                .map(|(_, s)| s)
                .collect();
            let help = suggestion(word, expected.iter().copied()).or_else(|| {
                (!expected.is_empty()).then(|| format!("expected one of: {}", expected.join(", ")))
            });
            let what = if prefix.contains("field") {
                "unknown field"
            } else {
                "unknown value"
            };
            return (format!("{what} `{word}`"), help);
        }
    }
    if message.contains("recursion limit exceeded") {
        return (
            message,
            Some("the YAML is nested too deeply; front matter needs only a few levels".into()),
        );
    }
    if message.contains("repetition limit exceeded") {
        return (
            message,
            Some("the YAML expands aliases too many times; write the values out instead".into()),
        );
    }
    (message, None)
}

/// serde_yaml reports an unknown field at the start of its mapping on some inputs; point at the key.
fn refine_position(message: &str, yaml: &str, line: usize, column: usize) -> (usize, usize) {
    // Errors raised by our own deserialisers for a whole list carry the position of the enclosing
    // mapping (or the document start); point at the field's key instead.
    if message.contains("programme theories") || message.contains("`none-identified`") {
        let locator = Locator::new(yaml, 1);
        let after = locator.line_offset(line);
        for key in ["programme_theories", "programme_theory"] {
            if let Some(pos) = locator.find_key_after(key, after) {
                return pos;
            }
        }
    }
    // A malformed reference (`stduy/s`) is also reported at the start of its mapping; point at the
    // reference itself, which the message quotes.
    let reference = ["in reference `", "found `", "` in `"]
        .iter()
        .find_map(|p| message.split_once(p).and_then(|(_, r)| r.split('`').next()))
        .filter(|r| !r.is_empty());
    if let Some(text) = reference {
        let locator = Locator::new(yaml, 1);
        let after = locator.line_offset(line);
        if let Some(pos) = locator
            .find_after(text, after)
            .or_else(|| locator.find_after(text, 0))
        {
            return pos;
        }
    }
    if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next())
    {
        let locator = Locator::new(yaml, 1);
        let after = locator.line_offset(line);
        if let Some(pos) = locator.find_key_after(field, after) {
            return pos;
        }
    }
    (line, column)
}

/// Finds the positions of values in front-matter text after it has been parsed.
pub struct Locator<'a> {
    text: &'a str,
    first_line: usize,
}

impl<'a> Locator<'a> {
    /// `first_line` is the file line on which `text` starts.
    pub fn new(text: &'a str, first_line: usize) -> Self {
        Locator { text, first_line }
    }

    /// Byte offset of the start of 1-based line `line` (relative to the text).
    pub fn line_offset(&self, line: usize) -> usize {
        let mut offset = 0;
        for _ in 1..line {
            match self.text[offset..].find('\n') {
                Some(i) => offset += i + 1,
                None => return offset,
            }
        }
        offset
    }

    /// The file position of byte `offset` in the text.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count();
        let column = before
            .rfind('\n')
            .map_or(before.chars().count(), |i| before[i + 1..].chars().count());
        (self.first_line + line, column + 1)
    }

    /// The position of the first occurrence of `needle` at or after byte `from`, as a whole value
    /// (not part of a longer identifier).
    pub fn find_after(&self, needle: &str, from: usize) -> Option<(usize, usize)> {
        self.find_offset(needle, from).map(|o| self.position(o))
    }

    pub fn find_offset(&self, needle: &str, from: usize) -> Option<usize> {
        if needle.is_empty() {
            return None;
        }
        let mut start = from.min(self.text.len());
        while let Some(i) = self.text[start..].find(needle) {
            let at = start + i;
            let before = self.text[..at].chars().next_back();
            let after = self.text[at + needle.len()..].chars().next();
            let boundary = |c: Option<char>| {
                !c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_' || c == '/')
            };
            if boundary(before) && boundary(after) {
                return Some(at);
            }
            start = at + needle.len();
        }
        None
    }

    /// The position of `key:` at or after byte `from`.
    pub fn find_key_after(&self, key: &str, from: usize) -> Option<(usize, usize)> {
        let mut start = from.min(self.text.len());
        while let Some(at) = self.find_offset(key, start) {
            if self.text[at + key.len()..]
                .trim_start_matches([' ', '"', '\''])
                .starts_with(':')
            {
                return Some(self.position(at));
            }
            start = at + key.len();
        }
        None
    }

    /// The position of a value, preferring an occurrence after the anchor text `within` (for example
    /// `id: some-cmo`, so that a problem in one inline CMO is located inside that CMO).
    pub fn locate(&self, needle: &str, within: Option<&str>) -> (usize, usize) {
        let from = within.and_then(|w| self.find_offset(w, 0)).unwrap_or(0);
        self.find_after(needle, from)
            .or_else(|| self.find_after(needle, 0))
            .or_else(|| within.and_then(|w| self.find_after(w, 0)))
            .unwrap_or((self.first_line.saturating_sub(1).max(1), 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Small {
        title: String,
        date: Option<String>,
    }

    #[test]
    fn unknown_field_has_suggestion_and_position() {
        let e = from_str::<Small>("title: a\ntitel: b\n").unwrap_err();
        assert_eq!(e.message, "unknown field `titel`");
        assert_eq!(e.help.as_deref(), Some("did you mean `title`?"));
        assert_eq!((e.line, e.column), (2, 1));
    }

    #[test]
    fn tabs_are_located() {
        let e = from_str::<Small>("title: a\n\tdate: b\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
    }

    #[test]
    fn missing_field_in_empty_document() {
        let e = from_str::<Small>("").unwrap_err();
        assert!(e.message.contains("missing field `title`"), "{}", e.message);
    }

    #[test]
    fn locator_finds_whole_values() {
        let l = Locator::new("a: tracer/x-y\nb: tracer/x\n", 2);
        assert_eq!(l.locate("tracer/x", None), (3, 4));
    }
}
