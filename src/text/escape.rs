//! Escaping text for the formats realist writes: HTML and XML text and attributes, and Markdown
//! that must render as exactly the text given.

/// `s` as HTML or XML text: `<`, `>` and `&` escaped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

/// `s` as a double-quoted HTML or XML attribute value.
pub fn escape_attr(s: &str) -> String {
    escape_text(s).replace('"', "&quot;")
}

/// `text` as Markdown that renders as exactly that text, on one line: for values from site.yaml
/// placed into Markdown the site generates. Every ASCII punctuation character is escaped (any may
/// start an image, link, heading, emphasis, attribute, citation or HTML), and line breaks become
/// spaces so no value can start a block.
pub fn escape_text_for_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in super::chars::one_line(text).chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The text of HTML that this program wrote: tags dropped, and the entities its escapers (and
/// hayagriva's) write decoded. Not a general HTML parser: the input is always our own output.
pub fn html_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `css` with its escapes read (`\5A ` and `\00005a` are `Z`, `\"` is `"`), as a browser
/// reads a stylesheet: a hex escape is one to six hex digits, then one optional space. None if
/// `css` has no backslash. Written by hand: no maintained crate decodes CSS escapes alone (the
/// CSS parsers tokenise whole stylesheets).
pub fn css_unescaped(css: &str) -> Option<String> {
    if !css.contains('\\') {
        return None;
    }
    let mut out = String::with_capacity(css.len());
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let mut hex = String::new();
        while hex.len() < 6 && chars.peek().is_some_and(char::is_ascii_hexdigit) {
            hex.extend(chars.next());
        }
        if hex.is_empty() {
            out.extend(chars.next().filter(|c| *c != '\n'));
            continue;
        }
        let n = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
        out.push(
            char::from_u32(n)
                .filter(|c| *c != '\0')
                .unwrap_or('\u{FFFD}'),
        );
        if chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn css_escapes_are_read_as_a_browser_reads_them() {
        use super::css_unescaped;
        assert_eq!(css_unescaped("a"), None);
        assert_eq!(
            css_unescaped("\"\\5A orb\\69ngton\"").unwrap(),
            "\"Zorbington\""
        );
        assert_eq!(css_unescaped("\\00005a\\\"x").unwrap(), "Z\"x");
    }

    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_text("<a & b>\""), "&lt;a &amp; b&gt;\"");
        assert_eq!(escape_attr("\"<"), "&quot;&lt;");
        assert_eq!(escape_text_for_markdown("a*b\nc"), "a\\*b c");
    }
}
