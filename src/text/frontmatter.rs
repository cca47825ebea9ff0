//! Splitting a content file into YAML front matter and a Markdown body.
//!
//! Written by hand because every later diagnostic depends on knowing exactly which line of the file
//! each part starts on; the front-matter crates we looked at throw that away. Input has already been
//! normalised by [`normalise_text`]: no BOM, `\n` line endings.

/// The two halves of a content file, with the 1-based line each starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    pub yaml_line: usize,
    pub body: &'a str,
    pub body_line: usize,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    Empty,
    NoOpening,
    Unclosed,
}

impl SplitError {
    pub fn message(&self) -> (&'static str, &'static str) {
        match self {
            SplitError::Empty => (
                "the file is empty: expected YAML front matter between `---` lines",
                "start the file with `---`, the metadata, then `---` and the Markdown body",
            ),
            SplitError::NoOpening => (
                "expected YAML front matter: the first line must be `---`",
                "start the file with `---`, the metadata, then `---` and the Markdown body",
            ),
            SplitError::Unclosed => (
                "the front matter opened on line 1 is never closed",
                "add a line containing only `---` after the metadata",
            ),
        }
    }
}

/// Removes a UTF-8 byte-order mark and turns CRLF and lone CR into LF. Columns and line numbers are
/// unchanged by this, so positions still match what the author sees in an editor.
pub fn normalise_text(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Splits `text` at the `---` fences. The closing fence may also be `...`, as in YAML itself.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    if text.trim().is_empty() {
        return Err(SplitError::Empty);
    }
    let first_end = text.find('\n').unwrap_or(text.len());
    if text[..first_end].trim_end() != "---" {
        return Err(SplitError::NoOpening);
    }
    let yaml_start = (first_end + 1).min(text.len());
    let mut offset = yaml_start;
    let mut line = 2;
    while offset < text.len() {
        let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let content = text[offset..end].trim_end();
        if content == "---" || content == "..." {
            let body_start = (end + 1).min(text.len());
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        offset = end + 1;
        line += 1;
    }
    Err(SplitError::Unclosed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_with_line_numbers() {
        let s = split("---\ntitle: A\n---\n# Body\n").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn empty_front_matter_and_no_body() {
        let s = split("---\n---").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body, "");
    }

    #[test]
    fn errors() {
        assert_eq!(split(""), Err(SplitError::Empty));
        assert_eq!(split("title: x\n"), Err(SplitError::NoOpening));
        assert_eq!(split("---\ntitle: x\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn bom_and_crlf() {
        let t = normalise_text("\u{feff}---\r\ntitle: A\r\n---\r\nbody");
        let s = split(&t).unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "body");
    }
}
