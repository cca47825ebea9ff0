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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_text("<a & b>\""), "&lt;a &amp; b&gt;\"");
        assert_eq!(escape_attr("\"<"), "&quot;&lt;");
        assert_eq!(escape_text_for_markdown("a*b\nc"), "a\\*b c");
    }
}
