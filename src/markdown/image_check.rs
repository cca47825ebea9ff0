//! What an image file must be before the site publishes it: what its name says it is, and, for
//! an SVG, a drawing that can neither run script nor load anything from elsewhere.
//!
//! An SVG is a document, not a picture: opened at its own address it runs its scripts on the
//! site's origin, and it can pull in other files. [`danger`]:
//!
//! 1. a raster image (PNG, JPEG, GIF, WebP, AVIF) must start with its format's signature, so a
//!    file named `.png` cannot be an SVG or an HTML page in disguise;
//! 2. an SVG must be UTF-8 with no `<!DOCTYPE>` (entity declarations can write markup the check
//!    would not see) and no processing instruction but the XML declaration;
//! 3. it is read with an XML parser that resolves namespaces (quick-xml), so `<x:script>` in the
//!    SVG namespace is a script whatever its prefix: no element named `script`, `foreignObject`,
//!    `iframe`, `embed`, `object`, `handler` or `listener`, and nothing in the XHTML namespace;
//! 4. no event attribute (`on…`), no attribute value that is or hides a `javascript:` address
//!    (after the parser decodes references and browsers drop blanks), and no address to anything
//!    but the image itself (`#id`) or an embedded raster image (`data:image/png;…`);
//! 5. no stylesheet text (`<style>`, `style=`) that imports or loads `url(…)` from elsewhere.
//!
//! Written here because no maintained Rust crate sanitises SVG; the parser does the hard part.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

const XHTML: &[u8] = b"http://www.w3.org/1999/xhtml";
const SCRIPTING: &[&str] = &[
    "script",
    "foreignobject",
    "iframe",
    "embed",
    "object",
    "handler",
    "listener",
];

/// Why the image `bytes`, named with extension `ext` (lower case), must not be published.
pub(crate) fn danger(ext: &str, bytes: &[u8]) -> Option<String> {
    let signature = |ok: bool, format: &str| {
        (!ok).then(|| format!("it is not a {format} file, though its name ends in .{ext}"))
    };
    match ext {
        "png" => signature(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "PNG"),
        "jpg" | "jpeg" => signature(bytes.starts_with(&[0xff, 0xd8, 0xff]), "JPEG"),
        "gif" => signature(
            bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            "GIF",
        ),
        "webp" => signature(
            bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"),
            "WebP",
        ),
        "avif" => signature(bytes.get(4..8) == Some(b"ftyp"), "AVIF"),
        "svg" => svg_danger(bytes).map(|what| format!("it holds {what}")),
        _ => Some(format!(
            "it is a .{ext} file, not an image type the site publishes"
        )),
    }
}

/// Why the SVG `bytes` could run script or load something from elsewhere, if it could.
fn svg_danger(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some("text that is not UTF-8 (save the SVG as UTF-8)".into());
    };
    let mut reader = NsReader::from_str(text);
    let mut in_style = false;
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(read) => read,
            Err(_) => return Some("markup that cannot be read as XML".into()),
        };
        let problem = match &event {
            Event::Start(e) | Event::Empty(e) => {
                in_style =
                    matches!(event, Event::Start(_)) && lower(e.local_name().as_ref()) == "style";
                element_danger(&ns, e)
            }
            Event::End(_) => {
                in_style = false;
                None
            }
            Event::Text(t) if in_style => css_danger(&String::from_utf8_lossy(t)),
            Event::CData(t) if in_style => css_danger(&String::from_utf8_lossy(t)),
            Event::GeneralRef(r) => {
                let name = String::from_utf8_lossy(r);
                let known = name.starts_with('#')
                    || matches!(name.as_ref(), "lt" | "gt" | "amp" | "apos" | "quot");
                (!known).then(|| format!("an entity reference `&{name};`"))
            }
            Event::DocType(_) => Some("a <!DOCTYPE> declaration".into()),
            Event::PI(_) => Some("a processing instruction (`<?…?>`)".into()),
            Event::Eof => return None,
            _ => None,
        };
        if problem.is_some() {
            return problem;
        }
    }
}

/// Why one element could run script or load something, if it could.
fn element_danger(ns: &ResolveResult, e: &BytesStart) -> Option<String> {
    let name = lower(e.local_name().as_ref());
    if matches!(ns, ResolveResult::Bound(n) if n.as_ref() == XHTML) {
        return Some(format!("an HTML element <{name}>"));
    }
    if SCRIPTING.contains(&name.as_str()) {
        return Some(format!("a <{name}> element"));
    }
    for attr in e.attributes().with_checks(false) {
        let Ok(attr) = attr else {
            return Some("an attribute that cannot be read".into());
        };
        let key = lower(attr.key.local_name().as_ref());
        let Ok(value) = attr.normalized_value(quick_xml::XmlVersion::default()) else {
            return Some(format!("an attribute `{key}` whose value cannot be read"));
        };
        if let Some(why) = attribute_danger(&key, &value) {
            return Some(why);
        }
    }
    None
}

/// Why an attribute `key` (local name, lower case) with its decoded `value` is refused.
fn attribute_danger(key: &str, value: &str) -> Option<String> {
    if key.starts_with("on") {
        return Some(format!("an event attribute `{key}`"));
    }
    // Browsers drop blanks and controls inside an address: `java\tscript:` is `javascript:`.
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    if squeezed.contains("javascript:") || squeezed.contains("vbscript:") {
        return Some(format!("a script address in `{key}`"));
    }
    if key == "href" && !is_inner_address(&squeezed) {
        return Some(format!("an address to another file (`{key}=\"{value}\"`)"));
    }
    if squeezed.contains("data:") && !squeezed.contains("data:image/") {
        return Some(format!("an embedded document in `{key}`"));
    }
    if key == "style" {
        return css_danger(value);
    }
    None
}

/// A part of the image itself (`#id`) or an embedded raster image.
fn is_inner_address(address: &str) -> bool {
    const RASTER: &[&str] = &["png", "jpeg", "jpg", "gif", "webp", "avif"];
    address.is_empty()
        || address.starts_with('#')
        || address.strip_prefix("data:image/").is_some_and(|rest| {
            RASTER
                .iter()
                .any(|r| rest.starts_with(&format!("{r};")) || rest.starts_with(&format!("{r},")))
        })
}

/// Why stylesheet text could load something from elsewhere: `@import`, or `url(…)` to anything
/// but `#id` or an embedded raster image.
fn css_danger(css: &str) -> Option<String> {
    let css: String = css
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if css.contains("@import") || css.contains("expression(") {
        return Some("a stylesheet that loads other files".into());
    }
    let mut rest = css.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        let target = rest.trim_start_matches(['"', '\'']);
        if !is_inner_address(target.split([')', '"', '\'']).next().unwrap_or("")) {
            return Some("a stylesheet `url(…)` to another file".into());
        }
    }
    None
}

fn lower(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> Option<String> {
        danger(
            "svg",
            format!(r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">{body}</svg>"#)
                .as_bytes(),
        )
    }

    #[test]
    fn drawings_are_accepted() {
        assert_eq!(
            svg(
                r##"<defs><linearGradient id="g"/></defs><rect style="fill:url(#g)" width="2"/><use xlink:href="#g"/><text>a &lt; b &#8722;1</text>"##
            ),
            None
        );
        assert_eq!(svg(r#"<image href="data:image/png;base64,iVBO"/>"#), None);
        assert_eq!(
            svg(r#"<style>.a { fill: red }</style><g class="a"/>"#),
            None
        );
        let inkscape = r#"<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"><sodipodi:namedview/><!-- c --><path d="M0 0"/></svg>"#;
        assert_eq!(danger("svg", inkscape.as_bytes()), None);
    }

    #[test]
    fn script_in_any_disguise_is_refused() {
        for body in [
            "<script>alert(1)</script>",
            r#"<x:script xmlns:x="http://www.w3.org/2000/svg">alert(1)</x:script>"#,
            r#"<h:div xmlns:h="http://www.w3.org/1999/xhtml"/>"#,
            r#"<svg:script xmlns:svg="http://www.w3.org/2000/svg" href="data:text/javascript,x"/>"#,
            "<foreignObject/>",
            r#"<rect onclick="x"/>"#,
            r#"<a href="java&#x9;script&#58;x"/>"#,
            r#"<animate attributeName="href" values="javascript:alert(1)"/>"#,
            r#"<image href="https://evil.example/x.png"/>"#,
            r#"<use xlink:href="https://evil.example/s.svg#a"/>"#,
            "<style>@import url(https://evil.example/x.css);</style>",
            r#"<rect style="fill: url('https://evil.example/p')"/>"#,
            "<text>&x;</text>",
        ] {
            assert!(svg(body).is_some(), "{body}");
        }
        let entity = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x \"&#60;script&#62;\">]><svg xmlns=\"http://www.w3.org/2000/svg\">&x;</svg>";
        assert!(danger("svg", entity.as_bytes()).is_some());
        let utf16: Vec<u8> = "<svg onload=\"x\"/>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(danger("svg", &[&[0xff, 0xfe][..], &utf16].concat()).is_some());
        assert!(danger("svg", b"<?xml-stylesheet href=\"x.css\"?><svg/>").is_some());
    }

    #[test]
    fn raster_images_must_be_what_their_name_says() {
        assert_eq!(danger("png", b"\x89PNG\r\n\x1a\n...."), None);
        assert!(danger("png", b"<svg onload=\"x\"/>").is_some());
        assert_eq!(danger("jpg", &[0xff, 0xd8, 0xff, 0xe0]), None);
        assert!(danger("gif", b"<html>").is_some());
        assert_eq!(danger("webp", b"RIFF\0\0\0\0WEBPVP8 "), None);
    }
}
