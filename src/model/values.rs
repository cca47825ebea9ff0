//! Values with a grammar of their own: partial dates, text YAML may read as a number, web
//! addresses, and the labels of kebab-case enum values.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::text::yaml::value_error;

/// Reads a title, which must hold some text: `title: ""` would give a page an empty heading,
/// and `title: #1 theory` is empty too, as `#` starts a comment in YAML.
pub fn title<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim().is_empty() {
        return Err(value_error("title", "`title` is empty"));
    }
    Ok(text)
}

/// A year, written as a number or in quotes (`year: 2017` or `year: "2017"`: both are how
/// people write a year, and a year copied from a reference manager often comes quoted).
pub fn year<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    struct Year;
    impl Visitor<'_> for Year {
        type Value = Option<u16>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a year, for example `year: 2017`")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        // A number too long for 64 bits, or with a fraction, is still a mistaken year: the
        // message says so in the same words, never in the parser's ("u128", "floating point").
        fn visit_u128<E: de::Error>(self, v: u128) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_i128<E: de::Error>(self, v: i128) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            self.visit_str(&v.to_string())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let text = v.trim();
            match text.parse::<u16>() {
                Ok(y) if text.len() == 4 => Ok(Some(y)),
                _ => Err(value_error(
                    "year",
                    format!("`{v}` is not a year: write its four digits, for example `year: 2017`"),
                )),
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Year)
}

/// A date with year, month or day precision, as research outputs are dated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    pub fn parse(text: &str) -> Result<PartialDate, String> {
        let err = || format!("invalid date `{text}`: expected YYYY, YYYY-MM or YYYY-MM-DD");
        let parts: Vec<&str> = text.trim().split('-').collect();
        if parts.is_empty()
            || parts.len() > 3
            || parts[0].len() != 4
            || parts[1..].iter().any(|p| p.len() != 2)
        {
            return Err(err());
        }
        let num = |s: &str| s.parse::<u16>().map_err(|_| err());
        let year = num(parts[0])?;
        let month = parts.get(1).map(|m| num(m)).transpose()?.map(|m| m as u8);
        let day = parts.get(2).map(|d| num(d)).transpose()?.map(|d| d as u8);
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(format!(
                    "invalid date `{text}`: month {m} is not between 01 and 12"
                ));
            }
            if let Some(d) = day {
                let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
                let days = [
                    31,
                    if leap { 29 } else { 28 },
                    31,
                    30,
                    31,
                    30,
                    31,
                    31,
                    30,
                    31,
                    30,
                    31,
                ][m as usize - 1];
                if d == 0 || d > days {
                    return Err(format!(
                        "invalid date `{text}`: day {d} does not exist in that month"
                    ));
                }
            }
        }
        Ok(PartialDate { year, month, day })
    }

    /// The ISO form with the precision that was given.
    /// Today (UTC), from the system clock, without a date-time dependency.
    pub fn today() -> PartialDate {
        let days = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 86_400)
            .unwrap_or(0) as i64;
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        PartialDate {
            year: y as u16,
            month: Some(m as u8),
            day: Some(d as u8),
        }
    }

    /// Whether `self` is surely earlier than `other`, comparing only the parts both give
    /// (`2021` is not earlier than `2021-03`, nor later).
    pub fn surely_before(&self, other: &PartialDate) -> bool {
        let key = |d: &PartialDate, month: bool, day: bool| {
            (d.year, d.month.filter(|_| month), d.day.filter(|_| day))
        };
        let month = self.month.is_some() && other.month.is_some();
        let day = month && self.day.is_some() && other.day.is_some();
        key(self, month, day) < key(other, month, day)
    }

    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }

    /// A human form such as "June 2017" or "3 June 2017" (British order).
    pub fn human(&self) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", MONTHS[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", MONTHS[m as usize - 1], self.year),
            _ => self.year.to_string(),
        }
    }

    /// A full RFC 3339 timestamp at the start of the period (for feeds and sitemaps).
    pub fn rfc3339(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T00:00:00Z",
            self.year,
            self.month.unwrap_or(1),
            self.day.unwrap_or(1)
        )
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PartialDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a date YYYY, YYYY-MM or YYYY-MM-DD")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PartialDate, E> {
                PartialDate::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PartialDate, E> {
                PartialDate::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PartialDate, E> {
                PartialDate::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for PartialDate {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PartialDate".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A date: a year, a month or a day, for example `2024-03`",
            "type": ["string", "integer"],
            "format": "partial-date",
            "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
        })
    }
}

/// Text that YAML may have read as a number or boolean (`population: 202741`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl schemars::JsonSchema for Text {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Text".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": ["string", "number"]})
    }
}

/// A human label for a kebab-case enum value (`partially-supported` → "Partially supported").
pub fn enum_label<T: Serialize>(value: &T) -> String {
    let raw = serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let spaced = raw.replace('-', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The kebab-case form of an enum value, as written in YAML.
pub fn enum_value<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A web address pages link to, the one check of every web-address field of the model (use it
/// with `#[serde(default, deserialize_with = "web_url")]`): read as a browser reads it (the WHATWG
/// parser of the `url` crate, as every link from content is), it must be `http` or `https` with a
/// host, and hold no space or control character, so that no other scheme (`javascript:`) reaches a
/// page.
pub(crate) fn web_url<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    match web_url_problem(&text) {
        None => Ok(Some(text)),
        Some(problem) => Err(value_error("url", problem)),
    }
}

/// What is wrong with a web address, if anything.
pub(crate) fn web_url_problem(text: &str) -> Option<String> {
    let parsed = ::url::Url::parse(text);
    let valid = parsed.is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        && !text.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        return None;
    }
    Some(format!(
        "`{}` is not a web address: write it in full, beginning with https://",
        crate::diagnostics::printable_inline(text)
    ))
}

/// The checks of the values whose grammar a JSON Schema does not express, by the `format` the
/// schema gives them: the all-errors check of a file that does not load
/// ([`crate::text::yaml::from_str_all`]) runs each on every such value, so every bad value is
/// reported, not only the first. The messages are those of the deserialisers; a reference written
/// without its kind in a field that names one kind (`areas: [pcn-a]`) is told the whole form.
pub fn check_format(format: &str, field: &str, text: &str) -> Option<String> {
    match format {
        "doi" => super::report::doi_problem(text),
        "orcid" => super::report::orcid_problem(text),
        "web-url" => web_url_problem(text),
        "partial-date" => PartialDate::parse(text).err(),
        "reference" => super::Ref::parse(text)
            .err()
            .map(|e| with_kind(e, field, text)),
        "theory-reference:empty" => Some(super::refs::NO_THEORIES.to_string()),
        "theory-reference" if text == "none-identified" => None,
        "theory-reference" => super::Ref::parse(text)
            .err()
            .map(|e| with_kind(e, "theory", text)),
        "evidence-source" => super::cmo::evidence_source_problem(text),
        "informant-id" => super::informant::informant_id_problem(text),
        "informant-reference" => super::informant::informant_ref_problem(text),
        _ => None,
    }
}

/// The message `e` for a reference `text` that is a bare id in a field naming one kind of
/// entity (`areas`, `tracer`), with the reference written in full: `area/pcn-a`.
fn with_kind(e: String, field: &str, text: &str) -> String {
    let kind = super::Kind::from_name(field)
        .or_else(|| super::Kind::from_name(field.trim_end_matches('s')))
        .filter(|k| k.info().referable);
    match kind {
        Some(kind) if !text.contains('/') && super::is_valid_id(text) => {
            format!(
                "`{text}` needs its kind in front, as in `{}/<id>`",
                kind.name()
            )
        }
        Some(_) | None => e,
    }
}
