//! The all-errors check: a YAML tree ([`super::tree`]) walked against the JSON Schema of the type
//! it should become, reporting every mistake at its own value, in words an author knows.
//!
//! 1. [`check`] starts at the root schema with the tree's root;
//! 2. each value is matched against its schema: `$ref` followed, `anyOf` narrowed to the branch
//!    of the value's shape, then its type, allowed values (`enum`, `const`), fields (`properties`,
//!    `required`, `additionalProperties: false`) and items;
//! 3. a string with a `format` (a DOI, a reference, a date) is checked by the caller's
//!    [`FormatCheck`], which holds the model's own validators, so every bad value is reported and
//!    not only the first;
//! 4. a field that is not allowed where it is written is looked for deeper in the schema ("belongs
//!    under `mechanism:`") and around it ("belongs beside `mechanism:`"), then spelt against the
//!    fields allowed there; a value that is not allowed gets a suggestion only when it is a typo
//!    of an allowed one (one letter off), never a different word that is merely spelt alike.
//!
//! Why by hand, and not a JSON Schema validator crate: such crates report in their own words
//! ("is not of type 'array'", "additional properties are not allowed"), which are the jargon this
//! check exists to replace, and they locate errors by JSON pointer, not by line and column. The
//! walker needs only the few keywords the schema generator (schemars) emits for the model.

use serde_json::Value as Json;

use super::tree::{Node, Value};
use super::YamlError;

/// The model's checks of values with a grammar of their own: given a schema `format`, the field
/// the value is written in and the text of the value, what is wrong with it (None when it is
/// right, or the format is not theirs).
pub type FormatCheck = fn(format: &str, field: &str, text: &str) -> Option<String>;

/// Every mistake in `root` against `schema` (the root of a JSON Schema with its `$defs`).
pub(crate) fn check(schema: &Json, root: &Node, formats: FormatCheck) -> Vec<YamlError> {
    let mut walk = Walk {
        root: schema,
        formats,
        errors: Vec::new(),
        ancestors: Vec::new(),
    };
    walk.value(schema, root, &Place::Top, None);
    walk.errors
}

/// Where a value is written: at the top of the front matter, as a field, or as an item of a list.
#[derive(Debug, Clone)]
enum Place {
    Top,
    Field(String),
    Item(String, usize),
}

impl Place {
    /// The field the value belongs to (a list item's is its list's).
    fn field(&self) -> Option<&str> {
        match self {
            Place::Top => None,
            Place::Field(f) | Place::Item(f, _) if !f.is_empty() => Some(f),
            Place::Field(_) | Place::Item(..) => None,
        }
    }

    /// The value's place, as a message names it.
    fn named(&self) -> String {
        match self {
            Place::Top => "the front matter".into(),
            Place::Field(f) => format!("`{f}`"),
            Place::Item(f, i) if f.is_empty() => format!("entry {}", i + 1),
            Place::Item(f, i) => format!("item {} of `{f}`", i + 1),
        }
    }
}

struct Walk<'s> {
    root: &'s Json,
    formats: FormatCheck,
    errors: Vec<YamlError>,
    /// The object schemas the walk is inside, with the field each was written under.
    ancestors: Vec<(&'s Json, Option<String>)>,
}

impl<'s> Walk<'s> {
    fn error(&mut self, node: &Node, message: String, help: Option<String>) {
        self.errors.push(YamlError {
            line: node.line,
            column: node.column,
            message,
            help,
        });
    }

    /// Checks `node` against `schema`; `hint` is the example of the field it is the value of,
    /// which a field's description gives beside its `$ref` (so it is lost once that is followed).
    fn value(&mut self, schema: &'s Json, node: &Node, place: &Place, hint: Option<String>) {
        let hint = example(schema).or(hint);
        let schema = resolve(self.root, schema);
        let hint = hint.or_else(|| example(schema));
        if let Some(branches) = any_of(schema) {
            return self.branches(schema, branches, node, place, hint);
        }
        if is_empty_text(schema, &node.value) {
            let field = place.field().unwrap_or("this field");
            let help = hint.map_or_else(
                || format!("write its text after `{field}: `"),
                |e| format!("write its text, for example `{}`", as_field(field, &e)),
            );
            return self.error(node, format!("`{field}` is empty"), Some(help));
        }
        if !shape_allowed(schema, &node.value) {
            return self.wrong_shape(schema, node, place, hint);
        }
        if let Some(allowed) = allowed_values(schema) {
            if let Some(text) = node.value.scalar_text() {
                if !allowed.contains(&text.as_str()) {
                    self.not_allowed(&allowed, &text, node, place);
                }
                return;
            }
        }
        match &node.value {
            Value::Map(entries) => self.fields(schema, entries, node, place),
            Value::Seq(items) => self.items(schema, items, node, place, hint),
            Value::Str(text) => self.format(schema, text, node, place),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    /// `anyOf`/`oneOf`: null is fine when a branch allows it; otherwise the first branch whose
    /// shape fits the value is checked, and a value no branch fits is the wrong shape.
    fn branches(
        &mut self,
        schema: &'s Json,
        branches: &'s [Json],
        node: &Node,
        place: &Place,
        hint: Option<String>,
    ) {
        let fitting = branches
            .iter()
            .map(|b| resolve(self.root, b))
            .find(|b| any_of(b).is_some() || shape_allowed(b, &node.value));
        match fitting {
            Some(branch) => self.value(branch, node, place, hint),
            None => self.wrong_shape(schema, node, place, hint),
        }
    }

    fn wrong_shape(&mut self, schema: &'s Json, node: &Node, place: &Place, hint: Option<String>) {
        let needs = shapes(self.root, schema);
        let example = hint.map(|e| match place.field() {
            Some(field) => as_field(field, &e),
            None => e,
        });
        let message = match (place, place.field()) {
            (Place::Item(..), Some(_)) => format!("{} must be {needs}", place.named()),
            (_, Some(field)) => format!("`{field}` must be {needs}"),
            (_, None) => format!("the front matter must be {needs}"),
        };
        let message = match (&example, place) {
            (Some(e), Place::Field(_)) => format!("{message}, for example `{e}`"),
            _ => message,
        };
        let wrote = match node.value.scalar_text() {
            Some(text) => format!("here it is {}: `{}`", node.value.described(), shown(&text)),
            None => format!("here it is {}", node.value.described()),
        };
        let help = match (&example, place) {
            (Some(e), Place::Item(..)) => format!("{wrote}; for example `{e}`"),
            _ => wrote,
        };
        self.error(node, message, Some(help));
    }

    fn not_allowed(&mut self, allowed: &[&str], text: &str, node: &Node, place: &Place) {
        let field = place.field().unwrap_or("this field");
        // A block value (`design: |`) ends with a line break, which the author does not see.
        let trimmed = text.trim();
        if allowed.contains(&trimmed) {
            let message = format!("`{field}` must be written on the same line as `{field}:`");
            let help = format!("write `{field}: {trimmed}`, without `|`, `>`, tabs or line breaks");
            return self.error(node, message, Some(help));
        }
        let shown = shown(trimmed);
        let message = format!("`{field}` cannot be `{shown}`");
        let list = format!("`{field}` is one of: {}", allowed.join(", "));
        let help = if let Some(typo) = safe_suggestion(trimmed, allowed) {
            format!("did you mean `{typo}`?")
        } else if let Some(meant) = synonym(trimmed, allowed) {
            format!("did you mean `{meant}`? {list}")
        } else {
            let elsewhere: Vec<String> = fields_allowing(self.root, text)
                .into_iter()
                .filter(|f| f != field)
                .collect();
            match elsewhere.first() {
                Some(other) => {
                    format!("`{shown}` is a value of `{other}`, not of `{field}`; {list}")
                }
                None => list,
            }
        };
        self.error(node, message, Some(help));
    }

    fn format(&mut self, schema: &Json, text: &str, node: &Node, place: &Place) {
        let Some(format) = schema.get("format").and_then(Json::as_str) else {
            return;
        };
        let field = place.field().unwrap_or_default();
        if let Some(problem) = (self.formats)(format, field, text) {
            self.error(node, problem, None);
        }
    }

    fn items(
        &mut self,
        schema: &'s Json,
        items: &[Node],
        node: &Node,
        place: &Place,
        hint: Option<String>,
    ) {
        let field = place.field().unwrap_or_default().to_string();
        let min = schema.get("minItems").and_then(Json::as_u64).unwrap_or(0);
        if (items.len() as u64) < min {
            // The model may say why the list must not be empty (`<format>:empty`).
            let format = schema.get("items").and_then(|i| i.get("format"));
            let own = format
                .and_then(Json::as_str)
                .and_then(|f| (self.formats)(&format!("{f}:empty"), &field, ""));
            match own {
                Some(message) => self.error(node, message, None),
                None => {
                    let example = hint.as_ref().map(|e| format!("for example `{e}`"));
                    self.error(node, format!("`{field}` must not be empty"), example);
                }
            }
        }
        let Some(item_schema) = schema.get("items") else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let place = Place::Item(field.clone(), i);
            self.value(item_schema, item, &place, hint.clone());
        }
    }

    fn fields(&mut self, schema: &'s Json, entries: &[(Node, Node)], node: &Node, place: &Place) {
        static EMPTY: std::sync::OnceLock<serde_json::Map<String, Json>> =
            std::sync::OnceLock::new();
        let properties = schema
            .get("properties")
            .and_then(Json::as_object)
            .unwrap_or_else(|| EMPTY.get_or_init(serde_json::Map::new));
        let closed = schema.get("additionalProperties") == Some(&Json::Bool(false));
        self.ancestors
            .push((schema, place.field().map(str::to_string)));
        let mut missing = missing_fields(schema, entries);
        for (key, value) in entries {
            let Some(name) = key.value.scalar_text() else {
                self.error(key, "a field name must be a word".into(), None);
                continue;
            };
            match properties.get(&name) {
                Some(field_schema) => self.value(field_schema, value, &Place::Field(name), None),
                None if closed => match misspelt_required(&name, &missing) {
                    Some(meant) => {
                        missing.retain(|m| *m != meant);
                        let message = format!("`{}` should be `{meant}`", shown(&name));
                        let help = format!("did you mean `{meant}`? Field names are spelt exactly");
                        self.error(key, message, Some(help));
                    }
                    None => self.unknown_field(properties, &name, key, place),
                },
                None => {}
            }
        }
        self.ancestors.pop();
        self.missing(schema, &missing, node, place);
    }

    fn missing(&mut self, schema: &Json, missing: &[&str], node: &Node, place: &Place) {
        for &name in missing {
            let field_schema = schema.get("properties").and_then(|p| p.get(name));
            let example = field_schema.and_then(example).or_else(|| {
                field_schema
                    .map(|s| resolve(self.root, s))
                    .and_then(example)
            });
            let help = match example {
                Some(e) => format!("add it, for example `{}`", as_field(name, &e)),
                None => format!("add `{name}:` with its value"),
            };
            let message = format!("`{name}` is missing from {}", place.named());
            self.error(node, message, Some(help));
        }
    }

    fn unknown_field(
        &mut self,
        properties: &serde_json::Map<String, Json>,
        name: &str,
        key: &Node,
        place: &Place,
    ) {
        let shown = shown(name);
        let here = match place {
            Place::Top => "here".to_string(),
            Place::Field(field) => format!("under `{field}:`"),
            Place::Item(list, i) if list.is_empty() => format!("in entry {}", i + 1),
            Place::Item(list, i) => format!("in item {} of `{list}`", i + 1),
        };
        let mut message = format!("`{shown}` is not a field {here}");
        let help = if let Some(under) = belongs_under(self.root, properties, name) {
            message = format!("`{shown}` belongs under {under}");
            format!("indent it under {under}, with that field's other values")
        } else if let Some(beside) = self.belongs_beside(name, place) {
            message = format!("`{shown}` belongs beside {beside}, not under it");
            format!("indent `{shown}` as far as {beside} is indented")
        } else if let Some(close) =
            crate::text::suggest::did_you_mean(name, properties.keys().map(String::as_str))
        {
            format!("did you mean `{close}`?")
        } else {
            let fields: Vec<&str> = properties.keys().map(String::as_str).collect();
            format!("the fields {here} are: {}", fields.join(", "))
        };
        self.error(key, message, Some(help));
    }

    /// The field the walk is inside, when `name` is a field of a mapping around it.
    fn belongs_beside(&self, name: &str, place: &Place) -> Option<String> {
        let outer = self.ancestors.iter().rev().skip(1);
        let found = outer
            .clone()
            .any(|(s, _)| s.get("properties").and_then(|p| p.get(name)).is_some());
        found.then(|| format!("`{}:`", place.field().unwrap_or("it")))
    }
}

/// The required fields of `schema` that `entries` lack, in the schema's order.
fn missing_fields<'s>(schema: &'s Json, entries: &[(Node, Node)]) -> Vec<&'s str> {
    let required = schema.get("required").and_then(Json::as_array);
    let present = |name: &str| {
        entries
            .iter()
            .any(|(k, _)| k.value.scalar_text().as_deref() == Some(name))
    };
    required
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .filter(|name| !present(name))
        .collect()
}

/// An allowed value that means the same as `text` in the words authors use (`medium` for
/// `moderate`): never one with another meaning, so the table is short and checked by hand.
fn synonym<'a>(text: &str, allowed: &[&'a str]) -> Option<&'a str> {
    const SAME: &[(&str, &str)] = &[
        ("medium", "moderate"),
        ("final", "final-report"),
        ("interim", "interim-report"),
        ("expected", "anticipated"),
        ("predicted", "anticipated"),
    ];
    let text = text.to_lowercase();
    SAME.iter()
        .filter(|(word, _)| *word == text)
        .find_map(|(_, meant)| allowed.iter().copied().find(|a| a == meant))
}

/// Whether `value` is empty where `schema` needs some text (`minLength`): nothing, or spaces.
fn is_empty_text(schema: &Json, value: &Value) -> bool {
    let needs_text = schema.get("minLength").and_then(Json::as_u64).unwrap_or(0) > 0;
    needs_text
        && match value {
            Value::Null => true,
            Value::Str(s) => s.trim().is_empty(),
            Value::Bool(_) | Value::Number(_) | Value::Seq(_) | Value::Map(_) => false,
        }
}

/// The required field among `missing` that `name` misspells: the same but for case, a plural
/// `s`, or one letter (`Title`, `author`, `titel`), or a word authors use for it (`name` for a
/// title). One mistake is then reported once, at the field written, not also as a missing one.
fn misspelt_required<'m>(name: &str, missing: &[&'m str]) -> Option<&'m str> {
    const SYNONYMS: &[(&str, &str)] = &[("name", "title"), ("heading", "title")];
    let lower = name.to_lowercase();
    missing.iter().copied().find(|m| {
        lower == *m
            || format!("{lower}s") == *m
            || lower == format!("{m}s")
            || (lower.chars().count() > 3 && strsim::damerau_levenshtein(&lower, m) == 1)
            || SYNONYMS.contains(&(lower.as_str(), *m))
    })
}

/// A value as a message quotes it: on one line, without characters a terminal would act on
/// (the diagnostics module does the same for every message, but sits above this one), and short.
fn shown(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        // A tab or line break is shown as the space it looks like, not as an escape.
        if matches!(c, '\t' | '\n' | '\r') {
            out.push(' ');
        } else if c.is_control() || crate::text::chars::refused(c).is_some() {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// Follows `$ref: #/$defs/Name` (several times, if a definition is itself a reference).
fn resolve<'s>(root: &'s Json, mut schema: &'s Json) -> &'s Json {
    for _ in 0..8 {
        let Some(target) = schema.get("$ref").and_then(Json::as_str) else {
            break;
        };
        let name = target.trim_start_matches("#/$defs/");
        match root.get("$defs").and_then(|d| d.get(name)) {
            Some(def) => schema = def,
            None => break,
        }
    }
    schema
}

fn any_of(schema: &Json) -> Option<&[Json]> {
    schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Json::as_array)
        .map(Vec::as_slice)
}

/// The JSON types a schema allows (none given: any).
fn types(schema: &Json) -> Vec<&str> {
    match schema.get("type") {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Whether a value of this shape can be what `schema` asks for. YAML reads `2024` or `yes` as
/// a number or a boolean, and realist takes them as text where text is wanted, as serde_yaml does.
fn shape_allowed(schema: &Json, value: &Value) -> bool {
    let types = types(schema);
    if types.is_empty() {
        return match schema.get("const").or_else(|| schema.get("enum")) {
            Some(_) => value.scalar_text().is_some(),
            None => true,
        };
    }
    types.iter().any(|t| match (*t, value) {
        ("null", Value::Null) => true,
        ("boolean", Value::Bool(_)) => true,
        // A whole number too long for 64 bits is still one: the field's own check says what is
        // wrong with it ("a year of four digits"), not that it is not a number.
        ("integer", Value::Number(n)) => {
            let digits = n.strip_prefix(['-', '+']).unwrap_or(n);
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == '_')
        }
        ("number", Value::Number(_)) => true,
        ("string", Value::Str(_) | Value::Number(_) | Value::Bool(_)) => true,
        ("array", Value::Seq(_)) => true,
        ("object", Value::Map(_)) => true,
        _ => false,
    })
}

/// What a schema needs, in words: "a list", "text or a list".
fn shapes(root: &Json, schema: &Json) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut add = |s: &Json| {
        for t in types(s) {
            let word = match t {
                "array" => "a list",
                "object" => "a group of fields (`name: value` lines indented under it)",
                "string" => "text",
                "integer" => "a whole number",
                "number" => "a number",
                "boolean" => "`true` or `false`",
                _ => continue,
            };
            if !words.contains(&word) {
                words.push(word);
            }
        }
    };
    match any_of(schema) {
        Some(branches) => branches
            .iter()
            .filter(|b| types(resolve(root, b)) != ["null"])
            .for_each(|b| add(resolve(root, b))),
        None => add(schema),
    }
    match words.split_last() {
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "something else".into(),
    }
}

/// The values an `enum` or `const` allows.
fn allowed_values(schema: &Json) -> Option<Vec<&str>> {
    if let Some(values) = schema.get("enum").and_then(Json::as_array) {
        return Some(values.iter().filter_map(Json::as_str).collect());
    }
    schema.get("const").and_then(Json::as_str).map(|c| vec![c])
}

/// The example in a field's description: the text in backquotes after "for example".
pub(crate) fn example(schema: &Json) -> Option<String> {
    let description = schema.get("description").and_then(Json::as_str)?;
    let after = description.split_once("for example")?.1.trim_start();
    let after = after.strip_prefix('`')?;
    after.split_once('`').map(|(e, _)| e.to_string())
}

/// An example as a whole line, `field: value`, when the description gave only the value.
fn as_field(field: &str, example: &str) -> String {
    if example.starts_with(&format!("{field}:")) {
        example.to_string()
    } else {
        format!("{field}: {example}")
    }
}

/// A suggestion that is safe to make: an allowed value that differs from `text` only by case,
/// separators, or one letter added, dropped, changed or swapped. A value further away may be a
/// different word with another meaning (`refined` is not a misspelt `refuted`), so none is given.
pub(crate) fn safe_suggestion<'a>(text: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let normal = |s: &str| s.trim().to_lowercase().replace(['_', ' '], "-");
    let text = normal(text);
    let mut close = allowed.iter().filter(|a| {
        let a = normal(a);
        a == text || (text.chars().count() > 3 && strsim::damerau_levenshtein(&a, &text) == 1)
    });
    match (close.next(), close.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// Where, below an object's fields, `name` is a field: the nearest fields holding it, named as
/// "`mechanism:`" (or several, "`context:` or `outcome:`"), or None.
fn belongs_under(
    root: &Json,
    properties: &serde_json::Map<String, Json>,
    name: &str,
) -> Option<String> {
    let mut level: Vec<(&str, &Json)> = properties
        .iter()
        .map(|(k, s)| (k.as_str(), resolve(root, s)))
        .collect();
    for _ in 0..3 {
        let mut found: Vec<&str> = Vec::new();
        let mut next = Vec::new();
        for (holder, schema) in &level {
            for object in objects_in(root, schema) {
                let props = object.get("properties").and_then(Json::as_object);
                for (k, s) in props.into_iter().flatten() {
                    if k == name && !found.contains(holder) {
                        found.push(holder);
                    }
                    next.push((k.as_str(), resolve(root, s)));
                }
            }
        }
        if !found.is_empty() {
            let named: Vec<String> = found.iter().map(|f| format!("`{f}:`")).collect();
            return Some(named.join(" or "));
        }
        level = next;
    }
    None
}

/// The object schemas a field's schema may hold: itself, its list items, its `anyOf` branches.
fn objects_in<'s>(root: &'s Json, schema: &'s Json) -> Vec<&'s Json> {
    let mut out = Vec::new();
    let mut stack = vec![resolve(root, schema)];
    while let Some(s) = stack.pop() {
        if out.len() > 16 {
            break;
        }
        if s.get("properties").is_some() {
            out.push(s);
        }
        if let Some(items) = s.get("items") {
            stack.push(resolve(root, items));
        }
        for b in any_of(s).unwrap_or(&[]) {
            stack.push(resolve(root, b));
        }
    }
    out
}

/// The fields anywhere in the schema whose allowed values include `text`.
fn fields_allowing(root: &Json, text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut stack: Vec<&Json> = vec![root];
    stack.extend(
        root.get("$defs")
            .and_then(Json::as_object)
            .into_iter()
            .flat_map(|d| d.values()),
    );
    while let Some(s) = stack.pop() {
        let props = s.get("properties").and_then(Json::as_object);
        for (k, field) in props.into_iter().flatten() {
            let mut options = vec![resolve(root, field)];
            options.extend(
                any_of(options[0])
                    .unwrap_or(&[])
                    .iter()
                    .map(|b| resolve(root, b)),
            );
            let allows = options
                .iter()
                .filter_map(|o| allowed_values(o))
                .any(|values| values.contains(&text));
            if allows && !out.contains(k) {
                out.push(k.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_typos_only() {
        let statuses = [
            "initial",
            "supported",
            "partially-supported",
            "refuted",
            "contested",
        ];
        assert_eq!(safe_suggestion("refined", &statuses), None);
        assert_eq!(safe_suggestion("refutd", &statuses), Some("refuted"));
        assert_eq!(
            safe_suggestion("Partially Supported", &statuses),
            Some("partially-supported")
        );
        let report = [
            "draft",
            "in-review",
            "published",
            "withdrawn",
            "confidential",
        ];
        assert_eq!(safe_suggestion("publishd", &report), Some("published"));
    }
}
