//! A YAML document as a tree with a position for every value, for the all-errors check
//! ([`super::check`]) and for locating values that are not written verbatim ([`super::Locator`]).
//!
//! 1. serde-saphyr parses the text (with its alias budget, and duplicate keys refused) into
//!    [`Node`]s through its `Spanned` wrapper, which records where each value starts;
//! 2. a syntax error comes back as a [`Slip`] with its position, for [`super::slips`] to explain.
//!
//! Only files that failed to load, or a diagnostic that needs an exact position, pay for this
//! second parse: valid files are read once, by serde_yaml, into their typed structs.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// One value of the document and where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub value: Value,
    /// 1-based line and column (in characters) of the value's first character (inside its
    /// quotes; a block scalar's first line of text), relative to the YAML text.
    pub line: usize,
    pub column: usize,
    /// Byte offset of that character in the text.
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(String),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What kind of value this is, in words an author knows.
    pub fn described(&self) -> &'static str {
        match self {
            Value::Null => "empty",
            Value::Bool(_) => "yes/no (true or false)",
            Value::Number(_) => "a number",
            Value::Str(_) => "text",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a group of fields",
        }
    }

    /// The text of a scalar as written (numbers and booleans too), or None.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Str(s) | Value::Number(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }
}

/// A syntax error serde-saphyr stopped at, with its position (1-based, relative to the text).
#[derive(Debug, Clone)]
pub(crate) struct Slip {
    pub line: usize,
    pub column: usize,
    pub raw: String,
}

/// Parses `yaml` into a tree. Aliases are bounded by serde-saphyr's budget (its defaults are far
/// above any front matter and far below what would exhaust memory), duplicate keys are errors.
pub(crate) fn parse(yaml: &str) -> Result<Node, Slip> {
    if yaml.trim().is_empty() {
        return Ok(Node {
            value: Value::Map(Vec::new()),
            line: 1,
            column: 1,
            offset: 0,
        });
    }
    // `yes`, `no`, `on` and `off` are text, as serde_yaml (YAML 1.2) reads them for the typed
    // structs: the check must not call `chosen_to_illuminate: yes` a yes/no.
    let options = serde_saphyr::options! { strict_booleans: true };
    match serde_saphyr::from_str_with_options::<Spanned<Value>>(yaml, options) {
        Ok(root) => Ok(node(root, yaml)),
        Err(e) => {
            let (line, column) = e
                .location()
                .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
            Err(Slip {
                line: line.max(1),
                column: column.max(1),
                raw: e.to_string(),
            })
        }
    }
}

fn node(spanned: Spanned<Value>, yaml: &str) -> Node {
    let at = spanned.referenced;
    let (line, column) = (at.line() as usize, at.column() as usize);
    let offset = byte_offset(yaml, &line_starts(yaml), line, column);
    Node {
        value: spanned.value,
        line: line.max(1),
        column: column.max(1),
        offset,
    }
}

/// The byte offset of 1-based `line` and `column` (in characters), with `starts` the byte
/// offsets of the text's lines ([`line_starts`]), so that locating every node of a long file is
/// linear, not a scan from the top for each node.
fn byte_offset(yaml: &str, starts: &[usize], line: usize, column: usize) -> usize {
    let start = match line.saturating_sub(1) {
        0 => 0,
        n => starts.get(n).copied().unwrap_or(yaml.len()),
    };
    let rest = &yaml[start.min(yaml.len())..];
    start
        + rest
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// The byte offset at which each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    let ends = text.match_indices('\n').map(|(i, _)| i + 1);
    std::iter::once(0).chain(ends).collect()
}

/// The tree's nodes are built while serde-saphyr deserialises; positions are filled in by
/// [`node`] from the `Spanned` wrapper around each child, so the visitor leaves them at zero and
/// [`fill`] corrects the children once the text is known.
impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

/// A child as deserialised: its value and position, before its byte offset is known.
fn child(s: Spanned<Value>) -> Node {
    Node {
        line: s.referenced.line() as usize,
        column: s.referenced.column() as usize,
        offset: usize::MAX,
        value: s.value,
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Number(v.to_string()))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_char<E: de::Error>(self, v: char) -> Result<Value, E> {
        Ok(Value::Str(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Value>>()? {
            items.push(child(item));
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<Value>>()? {
            let value = map.next_value::<Spanned<Value>>()?;
            entries.push((child(key), child(value)));
        }
        Ok(Value::Map(entries))
    }
}

/// Gives every node below `root` its byte offset in `yaml`.
/// A quoted value is located at its first character inside the quote, where its text starts (as
/// [`super::Locator::value_of_key`] does), not at the quote.
pub(crate) fn fill(root: &mut Node, yaml: &str) {
    let starts = line_starts(yaml);
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.offset == usize::MAX {
            n.offset = byte_offset(yaml, &starts, n.line, n.column);
            n.line = n.line.max(1);
            n.column = n.column.max(1);
            let quoted = matches!(n.value, Value::Str(_) | Value::Number(_) | Value::Bool(_))
                && yaml[n.offset.min(yaml.len())..].starts_with(['"', '\'']);
            if quoted {
                // Past the quote and any spaces inside it, to the text itself.
                let inner = &yaml[n.offset + 1..];
                let spaces = inner.len() - inner.trim_start_matches(' ').len();
                n.offset += 1 + spaces;
                n.column += 1 + spaces;
            }
        }
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::Str(_) => {}
        }
    }
}

/// Parses `yaml` and fills in every offset.
pub(crate) fn parse_filled(yaml: &str) -> Result<Node, Slip> {
    let mut root = parse(yaml)?;
    fill(&mut root, yaml);
    Ok(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(root: &Node, key: &str) -> (usize, usize) {
        let Value::Map(entries) = &root.value else {
            panic!("not a map")
        };
        let (_, v) = entries
            .iter()
            .find(|(k, _)| k.value == Value::Str(key.into()))
            .unwrap();
        (v.line, v.column)
    }

    #[test]
    fn every_value_has_its_position() {
        let yaml = "a: x\nb: \"caf\\u00e9\"\nc: 'it''s'\nd: |\n  block\ne:\n  - 1\n  - {f: y}\n";
        let root = parse_filled(yaml).unwrap();
        assert_eq!(at(&root, "a"), (1, 4));
        assert_eq!(at(&root, "b"), (2, 5));
        assert_eq!(at(&root, "c"), (3, 5));
        // A block scalar is located at its first line of text, below its `|`.
        assert_eq!(at(&root, "d"), (5, 3));
        assert_eq!(at(&root, "e"), (7, 3));
    }

    #[test]
    fn a_duplicate_key_and_an_unclosed_quote_are_slips() {
        let dup = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(dup.line, 3, "{dup:?}");
        let quote = parse("a: \"abc\nb: 2\n").unwrap_err();
        assert!(quote.line >= 1, "{quote:?}");
    }
}
