//! Images kept beside the Markdown file that shows them, as Quarto, Hugo page bundles and Zola's
//! co-located assets allow: `![Logic model](figures/logic-model.png)` in
//! `content/reports/x.md` is the file `content/reports/figures/logic-model.png`.
//!
//! [`colocated`] decides, for an image's destination:
//!
//! 1. a relative path with an image extension, without `..`, is an image beside the file: its
//!    name must be plain (letters, digits, `-`, `_`, `.`, `/`), and it is read under the input
//!    policy (inside `content/`, no links out); a missing one is an error at the image;
//! 2. an SVG that could run script (`<script>`, `<foreignObject>`, `on…=` event attributes,
//!    `javascript:`) is refused, though an `<img>` would not run it: the file is published at its
//!    own URL, where a browser opening it directly would;
//! 3. the image is copied beside the page, at the same relative path, so the link as written
//!    works under any sub-path;
//! 4. a path with `..` (`../../static/x.png`) is relative to the page, as before, and checked by
//!    the link checker like any link.

use std::path::{Path, PathBuf};

/// What an image destination is.
pub(super) enum Image {
    /// Not an image beside the file: handled as any relative link.
    Elsewhere,
    /// An image beside the file: the file under `content/` and its path relative to the page.
    Beside { file: PathBuf, rel: String },
    /// A refused destination: (message, help).
    Refused(String, String),
}

/// Decides what the image destination `path` (no fragment), written in the Markdown file
/// `source` (`content/reports/x.md`), is.
pub(super) fn colocated(source: &Path, path: &str) -> Image {
    let is_image = crate::paths::is_image(Path::new(path));
    let Some(folder) = source.parent() else {
        return Image::Elsewhere;
    };
    if !is_image || path.starts_with('/') {
        return Image::Elsewhere;
    }
    // A path that climbs (`../../static/x.png`) is relative to the page, as before images could
    // sit beside the Markdown file.
    if path.split('/').any(|s| s == "..") {
        return Image::Elsewhere;
    }
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/');
    if !path.chars().all(plain) || path.split('/').any(|s| s.is_empty() || s == ".") {
        return Image::Refused(
            format!(
                "the image name `{}` has characters that web addresses must escape",
                crate::diagnostics::printable_inline(path)
            ),
            "rename the image (and its folders) with letters, digits, `-` and `_` only, e.g. figures/logic-model.png".into(),
        );
    }
    Image::Beside {
        file: folder.join(path),
        rel: path.to_string(),
    }
}

/// Why an SVG file must not be published, if it could run script when opened.
pub(super) fn svg_danger(bytes: &[u8]) -> Option<&'static str> {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    if text.contains("<script") {
        return Some("a <script> element");
    }
    if text.contains("foreignobject") {
        return Some("a <foreignObject> element");
    }
    // Browsers decode character references in attributes and drop tabs and line breaks from
    // addresses, so `java&#x9;script&#58;` is `javascript:` to them.
    let squeezed: String = decode_numeric_references(&text)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect();
    if squeezed.contains("javascript:") {
        return Some("a javascript: address");
    }
    has_event_attribute(text.as_bytes()).then_some("an event attribute (such as onload=)")
}

/// `text` with its numeric character references (`&#58;`, `&#x3a;`) decoded.
fn decode_numeric_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("&#") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let (digits, radix) = match after.strip_prefix('x') {
            Some(hex) => (hex, 16),
            None => (after, 10),
        };
        let len = digits.chars().take_while(|c| c.is_digit(radix)).count();
        let decoded = u32::from_str_radix(&digits[..len], radix)
            .ok()
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                let used = after.len() - digits.len() + len;
                rest = after[used..].strip_prefix(';').unwrap_or(&after[used..]);
            }
            None => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether lower-cased SVG text has an attribute `on…=` in a tag: white space, `on`, letters,
/// optional white space and `=`, inside `<…>` and outside quoted values.
fn has_event_attribute(bytes: &[u8]) -> bool {
    let (mut in_tag, mut quote) = (false, None);
    for (i, &b) in bytes.iter().enumerate() {
        match (in_tag, quote) {
            (_, Some(q)) if b == q => quote = None,
            (_, Some(_)) => {}
            (false, None) => in_tag = b == b'<',
            (true, None) if b == b'>' => in_tag = false,
            (true, None) if b == b'"' || b == b'\'' => quote = Some(b),
            (true, None) if b.is_ascii_whitespace() && bytes[i + 1..].starts_with(b"on") => {
                let rest = &bytes[i + 3..];
                let name = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
                let next = rest[name..].iter().find(|c| !c.is_ascii_whitespace());
                if name > 0 && next == Some(&b'=') {
                    return true;
                }
            }
            (true, None) => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_beside_the_file() {
        let md = Path::new("content/reports/x.md");
        assert!(matches!(
            colocated(md, "figures/logic-model.png"),
            Image::Beside { ref file, .. } if file == Path::new("content/reports/figures/logic-model.png")
        ));
        assert!(matches!(colocated(md, "figures/x.PDF"), Image::Elsewhere));
        assert!(matches!(
            colocated(md, "../../static/x.png"),
            Image::Elsewhere
        ));
        assert!(matches!(
            colocated(md, "../../../../x.png"),
            Image::Elsewhere
        ));
        assert!(matches!(colocated(md, "../static/x.png"), Image::Elsewhere));
        assert!(matches!(
            colocated(md, "figures/logic%20model.png"),
            Image::Refused(..)
        ));
        assert!(matches!(colocated(md, "/x.png"), Image::Elsewhere));
    }

    #[test]
    fn svg_that_could_run_script() {
        let safe = br#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="1" fill="red"/><text>one = two</text></svg>"#;
        assert_eq!(svg_danger(safe), None);
        assert!(svg_danger(b"<svg><script>alert(1)</script></svg>").is_some());
        assert!(svg_danger(b"<svg onload=\"alert(1)\"></svg>").is_some());
        assert!(svg_danger(b"<svg><rect\nONclick = 'x'/></svg>").is_some());
        assert!(svg_danger(b"<svg><foreignObject/></svg>").is_some());
        assert!(svg_danger(b"<svg><a href=\"JavaScript:x\"/></svg>").is_some());
        assert!(svg_danger(b"<svg><a href=\"java&#x9;script&#58;x\"/></svg>").is_some());
        assert!(svg_danger("<svg><text>&#8722;1 &#xZ; &#</text></svg>".as_bytes()).is_none());
    }
}
