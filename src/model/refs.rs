//! Ids and references between entities: `kind/id`, lists of them, and the programme-theory list
//! with its `[none-identified]` marker.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use super::Kind;

/// The longest valid id. Ids become folder names in the output, and file systems allow 255 bytes.
pub const MAX_ID_LEN: usize = 200;

/// Whether `id` is a valid lower-kebab id of at most [`MAX_ID_LEN`] characters.
pub fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    id.len() <= MAX_ID_LEN
        && matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// What is wrong with an id that [`is_valid_id`] rejects, for messages: the id (shortened when very
/// long) and the rule it breaks.
pub fn id_problem(id: &str) -> String {
    if id.len() > MAX_ID_LEN {
        let start: String = id.chars().take(20).collect();
        format!(
            "`{start}…` is {} characters long; ids are at most {MAX_ID_LEN}",
            id.chars().count()
        )
    } else {
        format!("`{id}` is not a valid id (lower-case letters, digits and `-`)")
    }
}

/// A `kind/id` or `kind/id#anchor` reference, checked for syntax when read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ref {
    pub kind: Kind,
    pub id: String,
    pub anchor: Option<String>,
}

impl Ref {
    pub fn parse(text: &str) -> Result<Ref, String> {
        let (path, anchor) = match text.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string())),
            None => (text, None),
        };
        let Some((kind, id)) = path.split_once('/') else {
            return Err(format!("expected a reference `kind/id`, found `{text}`"));
        };
        let kind = Kind::from_name(kind)
            .filter(|k| k.info().referable)
            .ok_or_else(|| {
                let names: Vec<&str> = Kind::REFERABLE.iter().map(|k| k.name()).collect();
                let hint = crate::diagnostics::did_you_mean(kind, names.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                format!(
                    "unknown kind `{kind}` in reference `{text}`{hint}; expected one of: {}",
                    names.join(", ")
                )
            })?;
        if !is_valid_id(id) {
            if id.len() > MAX_ID_LEN {
                return Err(format!("{} in a reference", id_problem(id)));
            }
            return Err(format!(
                "`{id}` in `{text}` is not a valid id (lower-case letters, digits and `-`)"
            ));
        }
        if anchor.as_deref() == Some("") {
            return Err(format!("empty anchor in reference `{text}`"));
        }
        Ok(Ref {
            kind,
            id: id.to_string(),
            anchor,
        })
    }

    /// The reference without its anchor, as written (`kind/id`).
    pub fn key(&self) -> String {
        format!("{}/{}", self.kind.name(), self.id)
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind.name(), self.id)?;
        if let Some(a) = &self.anchor {
            write!(f, "#{a}")?;
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for Ref {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Ref::parse(&text).map_err(de::Error::custom)
    }
}

/// A reference in the JSON Schema: text whose grammar [`crate::model::check_format`] checks
/// (`format: reference`), with a pattern so that editors can check it as the author types.
fn reference_schema(description: &str) -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "format": "reference",
        "pattern": "^[a-z]+/[a-z0-9][a-z0-9-]*(#.+)?$",
        "description": description,
    })
}

impl schemars::JsonSchema for Ref {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Reference".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        reference_schema(
            "A reference to another page of the site, `kind/id`, for example `tracer/dementia`",
        )
    }
}

impl schemars::JsonSchema for RefList {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "References".into()
    }
    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [g.subschema_for::<Ref>(), {"type": "array", "items": g.subschema_for::<Ref>()}],
        })
    }
}

impl schemars::JsonSchema for TheoryRefs {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TheoryReferences".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let item = schemars::json_schema!({
            "type": "string",
            "format": "theory-reference",
            "pattern": "^(none-identified|theory/[a-z0-9][a-z0-9-]*)$",
        });
        schemars::json_schema!({
            "description": "Programme theories: a list of `theory/...`, or `[none-identified]`, for example `[theory/continuity]`",
            "anyOf": [{"type": "array", "minItems": 1, "items": item}, item],
        })
    }
}

/// One reference or a list of them (`derived_from: report/x` or `[report/x, report/y]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RefList(pub Vec<Ref>);

impl<'de> Deserialize<'de> for RefList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        let texts = match OneOrMany::deserialize(d)
            .map_err(|_| de::Error::custom("expected a reference or a list of references"))?
        {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        };
        texts
            .iter()
            .map(|t| Ref::parse(t).map_err(de::Error::custom))
            .collect::<Result<_, _>>()
            .map(RefList)
    }
}

/// Programme theories of a report or CMO: a non-empty list, or the explicit `[none-identified]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TheoryRefs {
    NoneIdentified,
    Theories(Vec<Ref>),
}

impl TheoryRefs {
    pub fn refs(&self) -> &[Ref] {
        match self {
            TheoryRefs::NoneIdentified => &[],
            TheoryRefs::Theories(v) => v,
        }
    }
}

/// Why a list of programme theories may not be empty.
pub(crate) const NO_THEORIES: &str = "the list of programme theories is empty: name at least one `theory/...`, or write `[none-identified]`";

impl<'de> Deserialize<'de> for TheoryRefs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = RefOrMarkerList::deserialize(d)?.0;
        if items.is_empty() {
            return Err(de::Error::custom(NO_THEORIES));
        }
        if items.iter().any(|i| i == "none-identified") {
            if items.len() > 1 {
                return Err(de::Error::custom(
                    "`none-identified` cannot be combined with programme theories",
                ));
            }
            return Ok(TheoryRefs::NoneIdentified);
        }
        items
            .iter()
            .map(|t| Ref::parse(t).map_err(de::Error::custom))
            .collect::<Result<_, _>>()
            .map(TheoryRefs::Theories)
    }
}

struct RefOrMarkerList(Vec<String>);

impl<'de> Deserialize<'de> for RefOrMarkerList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RefOrMarkerList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of `theory/...` references or `[none-identified]`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RefOrMarkerList, E> {
                Ok(RefOrMarkerList(vec![v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RefOrMarkerList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(RefOrMarkerList(out))
            }
        }
        d.deserialize_any(V)
    }
}
