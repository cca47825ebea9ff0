//! The one place realist parses YAML.
//!
//! Everything else sees typed structs and [`YamlError`]s with positions in the file. Keeping
//! serde_yaml behind this module means the parser can be swapped (serde_yaml is no longer maintained)
//! without touching the rest of the pipeline.
//!
//! serde_yaml knows where a syntax or type error happened, but its values carry no spans. For the
//! problems found later (a dangling reference, a duplicate id) [`Locator`] finds the position of a
//! value by searching the front-matter text, which is exact for the short scalar values involved.

use std::fmt;

pub(crate) mod check;
pub(crate) mod slips;
pub(crate) mod tree;

pub use check::FormatCheck;

use serde::de::DeserializeOwned;

use super::suggest::suggestion;

/// A YAML problem with a 1-based position relative to the start of the YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

/// Joins the message of [`value_error`] to the key whose value it refuses; a NUL, which no message
/// can hold otherwise (values are quoted through `printable_inline`, which escapes it).
const VALUE_OF_KEY: &str = "\u{0}value of key:";

/// The error of a deserialiser that refuses the value of `key` (a DOI, a web address): serde
/// gives such an error the position of the mapping around the value, or the start of the
/// document, so [`from_str`] moves it to the value of `key` in that mapping. Every validator of
/// a value in the model reports through this, so that its error is located at the value.
pub fn value_error<E: serde::de::Error>(key: &str, message: impl fmt::Display) -> E {
    E::custom(format!("{message}{VALUE_OF_KEY}{key}"))
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
    if let Some((line, column)) = find_deep_flow(yaml) {
        return Err(YamlError {
            line,
            column,
            message: format!("{TOO_DEEP} ({MAX_FLOW_DEPTH} at most)"),
            help: Some(
                "the YAML is nested too deeply; front matter needs only a few levels".into(),
            ),
        });
    }
    // An empty document deserialises as unit; treat it as an empty mapping so that the
    // "missing field" errors name what is missing.
    let source = if yaml.trim().is_empty() { "{}" } else { yaml };
    // Aliases need anchors: only text with both `&` and `*` can expand. A refused character
    // ([`super::chars`]) can come from an escape in a double-quoted string (`"\x1b"`, `"\uFFFE"`,
    // which needs a backslash) or be written literally (libyaml refuses most literal controls
    // itself, but not NEL, the bidirectional controls or most noncharacters). Only such text pays
    // for the walk.
    let may_expand = yaml.contains('&') && yaml.contains('*');
    if may_expand || yaml.contains('\\') || yaml.chars().any(is_forbidden) {
        check_values(source).map_err(|e| convert(&e, yaml))?;
    }
    serde_yaml::from_str(source).map_err(|e| convert(&e, yaml))
}

/// Deserialises `yaml` into `T` like [`from_str`] and, when that fails, reports every mistake
/// in the text instead of the first: the slips of [`slips`], then each field checked against
/// `T`'s JSON Schema ([`check`]), with `formats` checking the values that have a grammar of their
/// own. Valid text is read once, by serde_yaml, as before; only a failure pays for the analysis.
pub fn from_str_all<T: DeserializeOwned + schemars::JsonSchema>(
    yaml: &str,
    formats: FormatCheck,
) -> Result<T, Vec<YamlError>> {
    from_str::<T>(yaml).map_err(|first| {
        let schema = schemars::schema_for!(T);
        all_errors(yaml, schema.as_value(), formats, first)
    })
}

/// Every mistake in `yaml` against `schema`; `first` is serde_yaml's, which is kept when the
/// analysis finds nothing (it cannot be lost) or when it is about safety (aliases, characters).
fn all_errors(
    yaml: &str,
    schema: &serde_json::Value,
    formats: FormatCheck,
    first: YamlError,
) -> Vec<YamlError> {
    let safety = first.message == ALIAS_BOMB
        || first.message.contains(REFUSED_CHAR)
        || first.message.contains("is not allowed in YAML")
        || first.message.contains("limit exceeded")
        || first.message.contains(TOO_DEEP);
    if safety {
        return vec![first];
    }
    // The tree is built and walked recursively, one frame or more per level of nesting (at most
    // 64, serde-saphyr's limit): a thread of its own with a large stack keeps deep documents
    // from overflowing a worker thread's small one. Only files that failed to load get here.
    let analysis = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(scope, || analyse(yaml, schema, formats, &first))
            .ok()
            .and_then(|handle| handle.join().ok())
    });
    let mut errors = analysis.unwrap_or_default();
    if errors.is_empty() {
        errors.push(first);
    }
    errors.sort_by_key(|e| (e.line, e.column));
    errors.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.message == b.message);
    errors
}

/// How many syntax errors no slip explains are read past, each by quoting its line's value.
const RECOVERIES: usize = 10;

/// The slips of `yaml`, then each syntax error left, then (when the text could be read) every
/// field checked against `schema`:
/// 1. [`slips::repair`] finds and mends the known slips;
/// 2. while the mended text cannot be read, its syntax error is reported and the value on that
///    line quoted ([`slips::quote_line`]), up to [`RECOVERIES`] times;
/// 3. the tree read at last is checked, except on the lines quoted in step 2, whose values are
///    guesses.
fn analyse(
    yaml: &str,
    schema: &serde_json::Value,
    formats: FormatCheck,
    first: &YamlError,
) -> Vec<YamlError> {
    let (mut errors, text) = slips::repair(yaml);
    let mut text = text.into_owned();
    // A bracket closed by a slip is a guess at what was meant: its value is not checked.
    let mut quoted: Vec<usize> = errors
        .iter()
        .filter(|e| e.message.ends_with("here is never closed"))
        .map(|e| e.line)
        .collect();
    for round in 0..=RECOVERIES {
        let slip = match tree::parse_filled(&text) {
            Ok(root) => {
                let checked = check::check(schema, &root, formats);
                errors.extend(checked.into_iter().filter(|e| !quoted.contains(&e.line)));
                break;
            }
            Err(slip) => slip,
        };
        // A document nested too deeply or expanding too far is refused by serde-saphyr's budget
        // near its start: reported as it is, without asking libyaml to scan it all again (its
        // scanner is quadratic in the depth of flow nesting).
        if slip.raw.contains("budget breached") {
            errors.push(budget_error(&slip));
            break;
        }
        // The text as written, when serde_yaml can read it (a duplicate key): serde_yaml's own
        // error is about this very text, and located with care (at the second occurrence).
        let untouched = round == 0 && text == yaml;
        let readable = match serde_yaml::from_str::<serde_yaml::Value>(yaml) {
            Ok(_) => true,
            Err(e) => e.to_string().starts_with("duplicate entry"),
        };
        let error = if untouched && readable {
            first.clone()
        } else {
            syntax_error(&text, slip)
        };
        let mut error = error;
        over_indented(&text, &mut error);
        let line = error.line;
        if !errors
            .iter()
            .any(|e| e.line == line && e.message == error.message)
        {
            errors.push(error);
        }
        match slips::quote_line(&text, line).filter(|_| round < RECOVERIES) {
            Some(mended) if mended != text => {
                text = mended;
                quoted.push(line);
            }
            _ => break,
        }
    }
    for e in errors.iter_mut() {
        explain_comment(yaml, e);
        show_as_written(e);
    }
    errors
}

/// A yes/no field given `yes`, `no`, `on` or `off`: YAML 1.2, which realist reads, takes these
/// as text, which the author cannot guess from "here it is text".
fn show_as_written(e: &mut YamlError) {
    const WORDS: &[&str] = &["yes", "no", "on", "off", "y", "n"];
    if !e.message.contains("must be `true` or `false`") {
        return;
    }
    let Some(written) = e
        .help
        .as_deref()
        .and_then(|h| h.strip_prefix("here it is text: `"))
        .and_then(|h| h.strip_suffix('`'))
        .filter(|w| WORDS.contains(&w.to_lowercase().as_str()))
        .map(str::to_string)
    else {
        return;
    };
    e.help = Some(format!(
        "here it is `{written}`, which YAML reads as text: write `true` or `false`"
    ));
}

/// A field indented under one that already has a value (`status: x` then `  level: y`): the
/// parser says a field cannot start there; name the two fields instead.
fn over_indented(text: &str, e: &mut YamlError) {
    if !e.message.starts_with("a `: ` here starts a field") {
        return;
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
    let key = |l: &str| {
        let t = l.trim_start();
        let (k, v) = t.split_once(": ")?;
        let word = k
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        (word && !k.is_empty()).then(|| (k.to_string(), v.trim().to_string()))
    };
    let Some(here) = lines.get(e.line.saturating_sub(1)).copied() else {
        return;
    };
    let above = lines[..e.line.saturating_sub(1)]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
    let (Some((name, _)), Some(above)) = (key(here), above) else {
        return;
    };
    if let Some((parent, value)) = key(above) {
        if indent(here) > indent(above) && !value.is_empty() && !value.starts_with('#') {
            e.message = format!("`{name}` is indented under `{parent}`, which already has a value");
            e.help = Some(format!("indent `{name}` as far as `{parent}`"));
        }
    }
}

/// An empty value on a line whose value starts with `#` was meant as text: YAML read it as a
/// comment (`title: #1 theory`), which the author cannot guess.
fn explain_comment(yaml: &str, e: &mut YamlError) {
    let Some(field) = e
        .message
        .strip_suffix("` is empty")
        .and_then(|m| m.strip_prefix('`'))
    else {
        return;
    };
    let line = yaml.split('\n').nth(e.line.saturating_sub(1)).unwrap_or("");
    let value = line.split_once(':').map_or("", |(_, v)| v.trim_start());
    if value.starts_with('#') {
        e.help = Some(format!(
            "`#` starts a comment in YAML; put the {field} in quotes, for example `{field}: \"{}\"`",
            value.split(" #").next().unwrap_or(value).trim_end()
        ));
    }
}

/// The error for a document that breaches serde-saphyr's budget: too deep, or too large once
/// its aliases are expanded.
fn budget_error(slip: &tree::Slip) -> YamlError {
    let (message, help) = if slip.raw.contains("Depth") {
        (
            "recursion limit exceeded: the YAML is nested too deeply here",
            "front matter needs only a few levels of indentation or brackets",
        )
    } else {
        (
            "the YAML grows too large once its aliases (`*name`) are expanded",
            "write the values out instead of repeating them with aliases",
        )
    };
    YamlError {
        line: slip.line,
        column: slip.column,
        message: message.into(),
        help: Some(help.into()),
    }
}

/// The syntax error that stops the (mended) text from being read, located and reworded as for a
/// file that only has that error: serde_yaml's is tried first, as its positions are corrected.
fn syntax_error(text: &str, slip: tree::Slip) -> YamlError {
    if let Err(e) = serde_yaml::from_str::<serde_yaml::Value>(text) {
        return convert(&e, text);
    }
    let (message, help) = slips::plain(&slip.raw).unwrap_or_else(|| {
        (
            "this line cannot be read".into(),
            "check its indentation and that every quote and bracket is closed".into(),
        )
    });
    YamlError {
        line: slip.line,
        column: slip.column,
        message,
        help: Some(help),
    }
}

/// How large a document may become once its aliases are expanded: a few times its own size.
fn alias_budget(len: usize) -> usize {
    (1 << 20) + 4 * len
}

/// Walks the document with its aliases expanded, without building any value, and fails once it
/// would be much larger than the text, or at the first string (key or value) holding a control
/// character other than tab and line break. serde_yaml bounds the number of alias replays but not
/// their size, so `[&a "<1 MB>", *a, *a, …]` would otherwise allocate hundreds of megabytes; and a
/// control character would reach pages, feeds and exports (it makes `atom.xml` invalid XML).
fn check_values(yaml: &str) -> Result<(), serde_yaml::Error> {
    use serde::de::DeserializeSeed;
    let left = std::cell::Cell::new(alias_budget(yaml.len()));
    Budget { left: &left }.deserialize(serde_yaml::Deserializer::from_str(yaml))
}

/// The end of the message for a refused character in a value; the start names its kind.
const REFUSED_CHAR: &str = "is not allowed in a YAML value";

/// What [`super::chars`] refuses, except tab and line break, which block text may hold.
fn is_forbidden(c: char) -> bool {
    c != '\t' && c != '\n' && super::chars::refused(c).is_some()
}

/// The message for a value holding the refused character `c`.
fn refused_char_message(c: char) -> String {
    let kind = super::chars::refused(c).unwrap_or("a character");
    format!("{kind} {REFUSED_CHAR} (U+{:04X})", c as u32)
}

const ALIAS_BOMB: &str = "the YAML expands its aliases (`*name`) to far more than its own size";

/// A visitor that spends a byte budget on every node and scalar it sees.
#[derive(Clone, Copy)]
struct Budget<'b> {
    left: &'b std::cell::Cell<usize>,
}

impl Budget<'_> {
    fn spend<E: serde::de::Error>(self, bytes: usize) -> Result<(), E> {
        // A fixed cost per node stands for the memory of an (empty) value.
        let cost = bytes.saturating_add(32);
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(E::custom(ALIAS_BOMB)),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Budget<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Budget<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        if let Some(c) = v.chars().find(|&c| is_forbidden(c)) {
            return Err(E::custom(refused_char_message(c)));
        }
        self.spend(v.len())
    }
    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.spend(v.len())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_newtype_struct<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        serde::de::DeserializeSeed::deserialize(self, d)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spend::<A::Error>(0)?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.spend::<A::Error>(0)?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag value`) arrives as an enum.
        use serde::de::VariantAccess;
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

/// How many `[` and `{` may be open at once: far more than any front matter needs, and far fewer
/// than the ten thousand that make libyaml's scanner take seconds before serde_yaml's own
/// recursion limit is reached.
const MAX_FLOW_DEPTH: usize = 100;

/// The message of text nested deeper than [`MAX_FLOW_DEPTH`].
const TOO_DEEP: &str = "too many brackets are open at once here";

/// Where the text first opens more than [`MAX_FLOW_DEPTH`] flow collections at once, counting
/// brackets outside quoted strings and comments (a rough scan: it only has to find pathological
/// nesting early, and libyaml still reads the text in full).
fn find_deep_flow(yaml: &str) -> Option<(usize, usize)> {
    if yaml.len() < 2 * MAX_FLOW_DEPTH {
        return None;
    }
    let mut depth = 0usize;
    for (i, line) in yaml.lines().enumerate() {
        // A quotation mark left open (an apostrophe in plain text) closes with its line: this
        // may miss brackets, never count text as brackets.
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for (col, c) in line.chars().enumerate() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if previous.is_whitespace() => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((i + 1, col + 1));
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
    }
    None
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
    let (message, key) = match message.split_once(VALUE_OF_KEY) {
        Some((message, key)) => (message.to_string(), Some(key)),
        None => (message.clone(), None),
    };
    let (explained, help) = explain(&message);
    let (line, column) = match key.and_then(|key| value_position(key, yaml, line, column)) {
        Some(position) => position,
        None => refine_position(strip_path(&message), yaml, line, column),
    };
    let message = explained;
    let mut e = YamlError {
        line,
        column,
        message,
        help,
    };
    locate_syntax_error(&raw, yaml, &mut e);
    // libyaml places end-of-input errors one line past text without a final newline (a lone
    // comment, say); keep every position inside the text.
    let lines: Vec<&str> = yaml.split('\n').collect();
    if e.line == 0 {
        (e.line, e.column) = (1, 1);
    }
    if e.line > lines.len() {
        e.line = lines.len();
        e.column = lines[e.line - 1].chars().count() + 1;
    }
    let width = lines[e.line - 1].chars().count();
    e.column = e.column.clamp(1, width + 1);
    e
}

/// Moves errors that libyaml or serde_yaml place badly to where the author must look: an unclosed
/// quote to its opening quote (not the end of the text), a control character to itself (libyaml
/// gives a byte offset, not a line), a duplicate key to its second occurrence (not the mapping).
fn locate_syntax_error(raw: &str, yaml: &str, e: &mut YamlError) {
    if let Some(rest) = raw
        .split(", while scanning a quoted scalar at line ")
        .nth(1)
    {
        let mut numbers = rest.split(" column ").map(|n| {
            n.trim_matches(|c: char| !c.is_ascii_digit())
                .parse::<usize>()
                .ok()
        });
        if let (Some(Some(line)), Some(Some(column))) = (numbers.next(), numbers.next()) {
            e.line = line;
            e.column = column;
            e.message = "this quoted string is never closed".into();
            e.help = Some("add the closing quote at the end of the value".into());
        }
        return;
    }
    if let Some(offset) = raw
        .strip_prefix("control characters are not allowed at position ")
        .and_then(|n| n.trim().parse::<usize>().ok())
    {
        let offset = (0..=offset.min(yaml.len()))
            .rev()
            .find(|&o| yaml.is_char_boundary(o))
            .unwrap_or(0);
        (e.line, e.column) = Locator::new(yaml, 1).position(offset);
        let c = yaml[offset..].chars().next();
        let kind = c
            .and_then(super::chars::refused)
            .unwrap_or("a control character");
        let shown = c.map_or(String::new(), |c| format!(" (U+{:04X})", c as u32));
        e.message = format!("{kind}{shown} is not allowed in YAML");
        e.help = Some("remove it: most editors do not show it".into());
        return;
    }
    // serde_yaml names a duplicate key one way in a typed struct, another in a plain mapping.
    let duplicate = e
        .message
        .strip_prefix("duplicate field `")
        .and_then(|r| r.split('`').next())
        .or_else(|| {
            e.message
                .strip_prefix("duplicate entry with key \"")
                .and_then(|r| r.split('"').next())
        })
        .map(str::to_string);
    if let Some(key) = duplicate.as_deref() {
        // The first one's line is not named: these lines count from the start of the YAML,
        // and only the caller knows where that is in the file.
        if let Some(pos) = second_key_at_column(yaml, key, e.line, e.column) {
            (e.line, e.column) = pos;
            e.message = format!("`{key}` is given twice");
            e.help = Some(
                "it is given once above and again here, in the same group of fields; keep one"
                    .into(),
            );
        }
    }
    if e.message.contains(REFUSED_CHAR) {
        e.help = Some(
            "remove it (an escape such as `\\x1b`, `\\0` or `\\uFFFE`, or the character itself): pages, feeds and exports cannot carry control characters, noncharacters or bidirectional overrides"
                .into(),
        );
    }
    if e.message == ALIAS_BOMB {
        e.help =
            Some("write the values out instead of repeating large ones through aliases".into());
    }
}

/// The second `key:` of the block mapping whose first key is at `line`:`column` (serde_yaml reports
/// a duplicate key at the start of its mapping). None for flow mappings and anything unusual.
fn second_key_at_column(
    yaml: &str,
    key: &str,
    line: usize,
    column: usize,
) -> Option<(usize, usize)> {
    if line == 0 || column == 0 {
        return None;
    }
    let mut seen = 0;
    for (i, text) in yaml.lines().enumerate().skip(line - 1) {
        let number = i + 1;
        let indent = text.chars().take_while(|c| *c == ' ').count();
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if number > line && indent + 1 < column {
            break; // a dedent or a new list item ends the mapping
        }
        if number > line && indent + 1 > column {
            continue; // nested content
        }
        let Some((at, _)) = text.char_indices().nth(column - 1) else {
            continue;
        };
        let rest = &text[at..];
        let is_key = ["", "\"", "'"].iter().any(|q| {
            rest.strip_prefix(q)
                .and_then(|r| r.strip_prefix(key))
                .and_then(|r| r.strip_prefix(q))
                .is_some_and(|r| r.trim_start().starts_with(':'))
        });
        if is_key {
            seen += 1;
            if seen == 2 {
                return Some((number, column));
            }
        }
    }
    None
}

/// serde_yaml prefixes errors inside nested values with their path (`cmos[0].kind: `); the
/// position is reported separately, so the path is dropped, but only when there is one.
/// serde's name for a kind of value, in words an author knows.
fn serde_words(text: &str) -> String {
    const WORDS: &[(&str, &str)] = &[
        ("sequence", "a list"),
        ("struct", "a group of fields"),
        ("map", "a group of fields"),
        ("unit", "nothing"),
        ("null", "nothing"),
        ("string", "text"),
        ("bool", "`true` or `false`"),
        ("integer", "a number"),
        ("floating point", "a number"),
        ("usize", "a whole number of 0 or more"),
        ("u8", "a whole number of 0 or more"),
        ("u16", "a whole number of 0 or more"),
        ("u32", "a whole number of 0 or more"),
        ("u64", "a whole number of 0 or more"),
        ("u128", "a whole number of 0 or more"),
        ("i64", "a whole number"),
        ("i128", "a whole number"),
    ];
    WORDS
        .iter()
        .find(|(serde, _)| text.contains(serde))
        .map_or_else(|| text.to_string(), |(_, words)| words.to_string())
}

fn strip_path(message: &str) -> &str {
    let is_path_char =
        |c: char| c == '.' || c.is_alphanumeric() || c == '[' || c == ']' || c == '_';
    match message.split_once(": ") {
        Some((path, rest)) if !path.is_empty() && path.chars().all(is_path_char) => rest,
        _ => message,
    }
}

/// A yes/no field given text (`anonymised: no`): YAML 1.2, which serde_yaml reads, takes only
/// `true` and `false` as yes/no, and `yes`, `no`, `on`, `off` as text; the field is named from the
/// path serde_yaml puts in front of its message.
fn explain_yes_no(message: &str) -> Option<(String, Option<String>)> {
    let rest = strip_path(message);
    let written = rest
        .strip_prefix("invalid type: string \"")?
        .strip_suffix("\", expected a boolean")?;
    let field = message[..message.len() - rest.len()]
        .trim_end_matches(": ")
        .rsplit('.')
        .next()
        .map(|f| f.split('[').next().unwrap_or(f))
        .filter(|f| !f.is_empty())
        .unwrap_or("this field");
    Some((
        format!("`{field}` must be `true` or `false`, for example `{field}: true`"),
        Some(format!(
            "here it is `{written}`, which YAML reads as text: write `true` or `false`"
        )),
    ))
}

/// Rewords serde's messages in plain words, with "did you mean" for an unknown field or value
/// and a hint for others. The all-errors check ([`check`]) says most of this with more context;
/// these are for `site.yaml` and for what that check does not model.
fn explain(message: &str) -> (String, Option<String>) {
    if let Some(explained) = explain_yes_no(message) {
        return explained;
    }
    let message = strip_path(message).to_string();
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
            if prefix.contains("field") {
                let help = suggestion(word, expected.iter().copied()).or_else(|| {
                    (!expected.is_empty())
                        .then(|| format!("the fields here are: {}", expected.join(", ")))
                });
                return (format!("`{word}` is not a field here"), help);
            }
            let help = match check::safe_suggestion(word, &expected) {
                Some(typo) => format!("did you mean `{typo}`?"),
                None => format!("the allowed values are: {}", expected.join(", ")),
            };
            return (format!("`{word}` is not an allowed value"), Some(help));
        }
    }
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        let help = format!("add `{field}:` with its value");
        return (format!("`{field}` is missing"), Some(help));
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = message
            .strip_prefix(prefix)
            .and_then(|r| r.split_once(", expected "))
        {
            // serde quotes the value it found (integer `-1`): the author sees it as written.
            let written = found.split('`').nth(1).filter(|w| !w.is_empty());
            let found = match written {
                Some(w) => format!("{} (`{w}`)", serde_words(found)),
                None => serde_words(found),
            };
            let message = format!("this is {found}, where {} is needed", serde_words(expected));
            return (message, None);
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
    match slips::plain(&message) {
        Some((message, help)) => (message, Some(help)),
        None => (message, None),
    }
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

/// The position of the value of `key` in the mapping serde placed an error of [`value_error`] at
/// (`line`, `column`): the first `key:` from there on, as several mappings may share a line (a
/// flow list of authors).
fn value_position(key: &str, yaml: &str, line: usize, column: usize) -> Option<(usize, usize)> {
    let locator = Locator::new(yaml, 1);
    let line_start = locator.line_offset(line);
    let in_line = yaml[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    locator.value_of_key_after(key, line_start + in_line)
}

/// Every scalar value of a field named `key` anywhere in `yaml`, in the order written, with its
/// 1-based line and column (inside quotes; a block's first line of text). Empty if the text does
/// not parse. For problems about one of several equal values (a glossary term given twice), which
/// searching the text cannot tell apart from the same word written elsewhere.
pub fn values_of_key(yaml: &str, key: &str) -> Vec<(String, usize, usize)> {
    let Ok(root) = tree::parse_filled(yaml) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![&root];
    while let Some(n) = stack.pop() {
        match &n.value {
            tree::Value::Seq(items) => stack.extend(items.iter().rev()),
            tree::Value::Map(entries) => {
                for (k, v) in entries.iter().rev() {
                    let text = v.value.scalar_text();
                    match text {
                        Some(t) if k.value.scalar_text().as_deref() == Some(key) => {
                            out.push((n.offset, (t, v.line, v.column)))
                        }
                        _ => stack.push(v),
                    }
                }
            }
            tree::Value::Null
            | tree::Value::Bool(_)
            | tree::Value::Number(_)
            | tree::Value::Str(_) => {}
        }
    }
    out.sort_by_key(|(offset, _)| *offset);
    out.into_iter().map(|(_, v)| v).collect()
}

/// Where [`Locator::locate_next`] continues from.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocateCursor {
    offset: usize,
    lines: usize,
}

/// Finds the positions of values in front-matter text after it has been parsed.
///
/// Values are found by searching the text, which is exact and cheap for the short values later
/// stages look for (ids, references). A value not written as it reads (with an escape such as
/// `"\u00e9"`, a doubled `''` quote, or as a `|` or `>` block) is not in the text verbatim: then,
/// and only then, the text is parsed again with a position for every value ([`tree`]), once per
/// locator, and the value is found among them.
pub struct Locator<'a> {
    text: &'a str,
    first_line: usize,
    /// The scalar values of the text with their byte offsets, in order, once they are needed.
    values: std::sync::OnceLock<Vec<(usize, String)>>,
}

impl<'a> Locator<'a> {
    /// `first_line` is the file line on which `text` starts.
    pub fn new(text: &'a str, first_line: usize) -> Self {
        Locator {
            text,
            first_line,
            values: std::sync::OnceLock::new(),
        }
    }

    /// The offset of the first scalar value equal to `needle` at or after byte `from`, found in
    /// the parsed text (for values not written verbatim).
    fn parsed_offset(&self, needle: &str, from: usize) -> Option<usize> {
        let values = self.values.get_or_init(|| {
            let mut out = Vec::new();
            if let Ok(root) = tree::parse_filled(self.text) {
                let mut stack = vec![&root];
                while let Some(n) = stack.pop() {
                    match &n.value {
                        tree::Value::Str(s) => out.push((n.offset, s.clone())),
                        tree::Value::Seq(items) => stack.extend(items),
                        tree::Value::Map(entries) => {
                            stack.extend(entries.iter().flat_map(|(k, v)| [k, v]))
                        }
                        tree::Value::Null | tree::Value::Bool(_) | tree::Value::Number(_) => {}
                    }
                }
            }
            out.sort_by_key(|(offset, _)| *offset);
            out
        });
        values
            .iter()
            .find(|(offset, value)| *offset >= from && value == needle)
            .map(|(offset, _)| *offset)
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
        // Counting bytes vectorises; this runs once per diagnostic over the whole front matter.
        let line = before.bytes().filter(|&b| b == b'\n').count();
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
        self.parsed_offset(needle, from)
    }

    /// The position of the next `needle` after `cursor`, for values that appear in order (a long
    /// `cmos:` list): each search starts where the last one ended and lines are counted only over
    /// the new stretch, so locating every item of a list is linear instead of quadratic.
    pub fn locate_next(&self, needle: &str, cursor: &mut LocateCursor) -> Option<(usize, usize)> {
        let at = self.find_offset(needle, cursor.offset)?;
        let newlines = |s: &str| s.bytes().filter(|&b| b == b'\n').count();
        cursor.lines += newlines(&self.text[cursor.offset..at]);
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let column = self.text[line_start..at].chars().count() + 1;
        let line = self.first_line + cursor.lines;
        let end = at + needle.len();
        cursor.lines += newlines(&self.text[at..end]);
        cursor.offset = end;
        Some((line, column))
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

    /// The position of the value of `key:` (the first such key): past the colon, the spaces, an
    /// opening quote and any spaces inside it, so a value is located at its first character
    /// whether or not it is quoted and whether or not its text appears verbatim (it may hold
    /// escapes).
    pub fn value_of_key(&self, key: &str) -> Option<(usize, usize)> {
        self.value_of_key_after(key, 0)
    }

    /// Like [`Locator::value_of_key`], for the first `key:` at or after byte `from`.
    pub fn value_of_key_after(&self, key: &str, from: usize) -> Option<(usize, usize)> {
        let mut start = from.min(self.text.len());
        while let Some(at) = self.find_offset(key, start) {
            let after = &self.text[at + key.len()..];
            let rest = after.trim_start_matches([' ', '"', '\'']);
            if let Some(value) = rest.strip_prefix(':') {
                let value = value.trim_start_matches([' ', '\t']);
                let value = value.strip_prefix(['"', '\'']).unwrap_or(value);
                let value = value.trim_start_matches(' ');
                return Some(self.position(self.text.len() - value.len()));
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
        assert_eq!(e.message, "`titel` is not a field here");
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
        assert!(e.message.contains("`title` is missing"), "{}", e.message);
    }

    #[test]
    fn locator_finds_values_not_written_verbatim() {
        let text = "a: \"caf\\u00e9\"\nb: 'it''s'\nc: |\n  two\n  lines\n";
        let l = Locator::new(text, 2);
        assert_eq!(l.locate("café", None), (2, 5));
        assert_eq!(l.locate("it's", None), (3, 5));
        assert_eq!(l.locate("two\nlines\n", None), (5, 3));
    }

    #[test]
    fn locator_finds_whole_values() {
        let l = Locator::new("a: tracer/x-y\nb: tracer/x\n", 2);
        assert_eq!(l.locate("tracer/x", None), (3, 4));
    }
}

#[cfg(test)]
mod hostile_input_tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: Option<String>,
        summary: Option<Vec<String>>,
        items: Option<Vec<Item>>,
    }

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: String,
        status: Option<String>,
        outcome: Option<Vec<Outcome>>,
    }

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outcome {
        status: String,
    }

    #[test]
    fn unclosed_quote_points_at_the_quote() {
        let e = from_str::<Doc>("title: \"abc\nsummary: [x]\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 8), "{e:?}");
        assert!(e.message.contains("never closed"));
    }

    #[test]
    fn control_character_is_located() {
        let e = from_str::<Doc>("summary: [é]\ntitle: a\u{0}b\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 9), "{e:?}");
        assert!(e.message.contains("U+0000"), "{}", e.message);
    }

    #[test]
    fn duplicate_key_points_at_the_second_one() {
        let e = from_str::<Doc>("title: a\nsummary: [x]\ntitle: b\n").unwrap_err();
        assert_eq!((e.line, e.column), (3, 1), "{e:?}");
        let yaml = "items:\n  - id: a\n    outcome: [{status: x}]\n    status: s\n    status: t\n  - id: b\n";
        let e = from_str::<Doc>(yaml).unwrap_err();
        assert_eq!((e.line, e.column), (5, 5), "{e:?}");
    }

    #[test]
    fn alias_expansion_is_bounded() {
        let big = "x".repeat(1 << 20);
        let yaml = format!("summary: [&a \"{big}\", {}]\n", vec!["*a"; 50].join(", "));
        let e = from_str::<Doc>(&yaml).unwrap_err();
        assert_eq!(e.message, ALIAS_BOMB);
        // Small, ordinary aliases still work.
        let ok = from_str::<Doc>("title: &t hello\nsummary: [*t, *t]\n").unwrap();
        assert_eq!(ok.summary.unwrap(), vec!["hello", "hello"]);
    }
}
