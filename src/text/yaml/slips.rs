//! YAML slips: the syntax mistakes authors make most, found line by line so that one does not
//! hide the others, and explained in words that need no YAML.
//!
//! 1. [`repair`] reads each line and finds the slips it knows: a tab in the indentation, a
//!    value that contains `: ` without quotes or starts with `@` or a backtick, a quoted value
//!    with an unescaped `"` or `'` inside, a quote or bracket never closed, no space between
//!    `key:` and a quoted value;
//! 2. each is reported at its line and column, and mended in a copy of the text (the tab made
//!    spaces, the value quoted), so that the rest of the file can still be checked field by field;
//! 3. [`plain`] rewords the parser's message for any other syntax error, and [`quote_line`]
//!    quotes the value of its line so that the file can be read on past it.
//!
//! The parsers stop at the first syntax error and describe it in their own terms ("mapping values
//! are not allowed in this context"), so these few, common slips are recognised here by hand.

use std::borrow::Cow;

use super::YamlError;

/// The slips found in `yaml`, and the text with each of them mended.
pub(crate) fn repair(yaml: &str) -> (Vec<YamlError>, Cow<'_, str>) {
    let mut errors = Vec::new();
    let mut mended: Vec<Cow<str>> = Vec::new();
    let mut changed = false;
    let lines: Vec<&str> = yaml.split('\n').collect();
    for (i, line) in lines.iter().copied().enumerate() {
        let next = lines.get(i + 1).copied();
        match slip(line).or_else(|| quote_slip(line, next)) {
            Some((column, message, help, fixed)) => {
                errors.push(YamlError {
                    line: i + 1,
                    column,
                    message,
                    help: Some(help),
                });
                mended.push(Cow::Owned(fixed));
                changed = true;
            }
            None => mended.push(Cow::Borrowed(line)),
        }
    }
    if !changed {
        return (errors, Cow::Borrowed(yaml));
    }
    (errors, Cow::Owned(mended.join("\n")))
}

/// One line's slip: its column, message, help, and the line mended.
fn slip(line: &str) -> Option<(usize, String, String, String)> {
    let indent: String = line
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    if let Some(at) = indent.find('\t') {
        let fixed = format!("{}{}", indent.replace('\t', "  "), &line[indent.len()..]);
        return Some((
            at + 1,
            "a tab was used for indentation — use spaces".into(),
            "indent with spaces only; most editors can turn tabs into spaces".into(),
            fixed,
        ));
    }
    let (key, value_at) = key_and_value(line)?;
    let value = line[value_at..].trim_end();
    let column = line[..value_at].chars().count() + 1;
    if let Some(inner) = value.strip_prefix('"') {
        let close = closing_quote(inner)?;
        let after = inner[close + 1..].trim_start();
        if after.is_empty() || after.starts_with('#') {
            return None;
        }
        let whole = value.trim_end_matches(' ').to_string();
        let text = whole.trim_start_matches('"').trim_end_matches('"');
        let fixed = format!("{}'{}'", &line[..value_at], text.replace('\'', "''"));
        return Some((
            column,
            "this quote contains unescaped `\"` — use single quotes around it, or `\\\"`".into(),
            format!(
                "the `\"` inside ends the value of `{key}` early; write `{key}: '{}'`",
                text.replace('\'', "''")
            ),
            fixed,
        ));
    }
    // A plain value ends where ` #` starts a comment; the comment stays outside the quotes.
    let (value, comment) = split_comment(value);
    if value.starts_with(['@', '`']) {
        let quoted = double_quoted(value);
        let first = if value.starts_with('@') {
            "`@`"
        } else {
            "a backtick"
        };
        return Some((
            column,
            format!("a value that starts with {first} must be in quotes"),
            format!("write it as `{key}: {quoted}`"),
            format!("{}{quoted}{comment}", &line[..value_at]),
        ));
    }
    let plain = !value.starts_with(['\'', '[', '{', '|', '>', '&', '*', '!', '#', '%', '@', '`']);
    let colon = value.find(": ").filter(|_| plain)?;
    let quoted = double_quoted(value);
    let fixed = format!("{}{quoted}{comment}", &line[..value_at]);
    Some((
        column + value[..colon].chars().count(),
        format!("this {key} contains `: ` — put the {key} in quotes"),
        format!("write it as `{key}: {quoted}`"),
        fixed,
    ))
}

/// A quoting slip of one line (`next` is the line after it): no space between `key:` and a
/// quoted value, a quote never closed, or a `'` inside single quotes.
fn quote_slip(line: &str, next: Option<&str>) -> Option<(usize, String, String, String)> {
    let start = line.len() - line.trim_start_matches([' ', '-']).len();
    let rest = &line[start..];
    let colon = rest.find(':')?;
    let key = &rest[..colon];
    let valid = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    if key.is_empty() || !key.chars().all(valid) {
        return None;
    }
    let after = &rest[colon + 1..];
    let column = line[..start + colon + 1].chars().count() + 1;
    if after.starts_with(['"', '\'']) {
        let fixed = format!("{}: {after}", &line[..start + colon]);
        return Some((
            column,
            format!("put a space after `{key}:`"),
            format!("write `{key}: {}`", after.trim_end()),
            fixed,
        ));
    }
    let value_at = start + colon + 1 + (after.len() - after.trim_start().len());
    let value = line[value_at..].trim_end();
    let column = line[..value_at].chars().count() + 1;
    let ends_here = next.is_none_or(|n| key_and_value(n).is_some() || n.trim() == "---");
    for (open, close) in [('[', ']'), ('{', '}')] {
        let (text, _) = split_comment(value);
        if value.starts_with(open) && !text.contains(close) && ends_here {
            return Some((
                column,
                format!("the `{open}` here is never closed"),
                format!("add `{close}` at the end of the value of `{key}`"),
                format!("{}{text}{close}", &line[..value_at]),
            ));
        }
    }
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = &value[1..];
    let close = if quote == '"' {
        closing_quote(inner)
    } else {
        closing_single(inner)
    };
    match close {
        // The value may go on over the next lines, unless the next line starts a field.
        None if ends_here => Some((
            column,
            "this quote is never closed".into(),
            format!("add `{quote}` at the end of the value of `{key}`"),
            format!("{}{quote}", line.trim_end()),
        )),
        Some(close) if quote == '\'' => {
            let tail = inner[close + 1..].trim_start();
            if tail.is_empty() || tail.starts_with('#') {
                return None;
            }
            let text = value[1..].trim_end_matches('\'');
            let word_start = inner[..close].rfind(' ').map_or(0, |i| i + 1);
            let word_end = inner[close + 1..]
                .find(' ')
                .map_or(inner.len(), |i| close + 1 + i);
            let doubled = format!(
                "{}''{}",
                &inner[word_start..close],
                &inner[close + 1..word_end]
            );
            Some((
                column + 1 + inner[..close].chars().count(),
                format!(
                    "this quote contains `'` — write it twice (`{doubled}`) or use double quotes"
                ),
                format!("write `{key}: {}`", double_quoted(text)),
                format!("{}{}", &line[..value_at], double_quoted(text)),
            ))
        }
        _ => None,
    }
}

/// The byte offset in `inner` (the text after an opening `'`) of the quote that closes it; `''`
/// is a quote inside.
fn closing_single(inner: &str) -> Option<usize> {
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            if bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A plain value and the comment after it (with the spaces before it), if any.
fn split_comment(value: &str) -> (&str, &str) {
    match value.find(" #") {
        Some(at) => {
            let text = value[..at].trim_end();
            (text, &value[text.len()..])
        }
        None => (value, ""),
    }
}

/// `value` in double quotes, with its backslashes and quotes escaped.
fn double_quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `yaml` with the plain value on 1-based `line` put in quotes (the value of a `key: value` or
/// `- value` line), to read on past a syntax error no slip explains; None if the line has no such
/// value, so that recovery stops rather than guess.
pub(crate) fn quote_line(yaml: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = yaml.split('\n').collect();
    let text = *lines.get(line.checked_sub(1)?)?;
    let value_at = match key_and_value(text) {
        Some((_, at)) => at,
        None => {
            let rest = text.trim_start().strip_prefix("- ")?;
            text.len() - rest.trim_start().len()
        }
    };
    let (value, comment) = split_comment(text[value_at..].trim_end());
    if value.is_empty() || value.starts_with(['"', '\'', '[', '{', '|', '>', '#']) {
        return None;
    }
    let fixed = format!("{}{}{comment}", &text[..value_at], double_quoted(value));
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[line - 1] = fixed;
    Some(out.join("\n"))
}

/// The key of a `key: value` line (or `- key: value`) and the byte offset of its value.
fn key_and_value(line: &str) -> Option<(String, usize)> {
    let start = line.len() - line.trim_start_matches([' ', '-']).len();
    let rest = &line[start..];
    if rest.starts_with(['"', '\'', '#', '[', '{']) {
        return None;
    }
    let colon = rest.find(": ")?;
    let key = &rest[..colon];
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    let after = &rest[colon + 1..];
    let value_at = start + colon + 1 + (after.len() - after.trim_start().len());
    (value_at < line.len()).then(|| (key.to_string(), value_at))
}

/// The byte offset in `inner` (the text after an opening `"`) of the quote that closes it.
fn closing_quote(inner: &str) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(i),
            _ => escaped = false,
        }
    }
    None
}

/// The parser's message for a syntax error, reworded: the message and a help line.
pub(crate) fn plain(message: &str) -> Option<(String, String)> {
    const TABLE: &[(&str, &str, &str)] = &[
        (
            "mapping values are not allowed",
            "a `: ` here starts a field where none can start",
            "if it is part of a value, put the whole value in quotes",
        ),
        (
            "did not find expected key",
            "this line does not line up with the fields around it",
            "check its indentation (spaces, as many as the fields beside it) and that every quote is closed",
        ),
        (
            "did not find expected '-' indicator",
            "this line does not line up with the list items above it",
            "start each item with `- ` at the same indentation",
        ),
        (
            "did not find expected ',' or ']'",
            "a list written in `[ ]` is not closed, or one of its values needs quotes",
            "close it with `]`, and put a value that holds `,`, `:` or `#` in quotes",
        ),
        (
            "did not find expected ',' or '}'",
            "a group written in `{ }` is not closed, or one of its values needs quotes",
            "close it with `}`, and put a value that holds `,`, `:` or `#` in quotes",
        ),
        (
            "found character that cannot start any token",
            "this value starts with a character that YAML keeps for itself",
            "put the value in quotes, for example `source: \"@smith2020\"`",
        ),
        (
            "expected a YAML tag",
            "a value starting with `!` must be in quotes",
            "put the value in quotes",
        ),
        (
            "found undefined alias",
            "a value starting with `*` must be in quotes",
            "put the value in quotes",
        ),
        (
            "unknown anchor",
            "a value starting with `*` must be in quotes",
            "`*name` repeats a value marked `&name` above; to write a `*`, put the value in quotes",
        ),
        (
            "found unexpected end of stream",
            "the front matter ends in the middle of a value",
            "a quote or bracket is not closed",
        ),
        (
            "could not find expected ':'",
            "this line has no `: ` between a field and its value",
            "write `field: value`, with a space after the colon",
        ),
        (
            "block sequence entries are not allowed",
            "a list item (`- `) cannot start here",
            "put the list on the lines below the field, each item indented and starting with `- `",
        ),
    ];
    TABLE
        .iter()
        .find(|(jargon, _, _)| message.contains(jargon))
        .map(|(_, m, h)| (m.to_string(), h.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_slip_is_found_and_mended() {
        let yaml = "title: Social prescribing: a review\n\tdate: 2024\nquote: \"he said \"no\" twice\"\nok: \"fine\" # c\n";
        let (errors, mended) = repair(yaml);
        let at: Vec<_> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(at, [(1, 26), (2, 1), (3, 8)]);
        assert!(errors[0].message.contains("put the title in quotes"));
        assert_eq!(
            mended,
            "title: \"Social prescribing: a review\"\n  date: 2024\nquote: 'he said \"no\" twice'\nok: \"fine\" # c\n"
        );
    }
}
