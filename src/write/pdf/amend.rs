//! What Typst's PDF says about the document, set to what the report's page says, by an
//! incremental update appended to the PDF Typst wrote:
//!
//! 1. find the trailer, the catalog and its XMP metadata stream (Typst writes them uncompressed
//!    and with a classic cross-reference table);
//! 2. in the XMP, make each author one entry of the `dc:creator` sequence, named as the page's
//!    Dublin Core names them (Typst's PDF 1.7 folds every author into one entry, joined by
//!    commas, which splits a group such as "Department of Health, England" for any reader), and
//!    set `dc:language` to the site's whole language tag;
//! 3. set the catalog's `/Lang` to the same tag (Typst takes only a language and a two-letter
//!    region, so `sr-Latn-RS` or `es-419` would lose their script or region);
//! 4. append the changed objects, a cross-reference section for them and a trailer that points
//!    back to Typst's (`/Prev`): every byte Typst wrote stays as it was, which is how PDF
//!    changes a file; a PDF whose shape is not the one expected is left as it is.
//!
//! Written by hand: no crate in the tree appends to a PDF, and a PDF library (lopdf) would parse
//! and write the whole file again for two small objects.

/// The PDF `pdf` with `creators` as its XMP authors and `language` as its language; the PDF
/// unchanged when it is not shaped as Typst writes it or nothing needs to change.
pub fn amend(pdf: Vec<u8>, creators: &[String], language: &str) -> Vec<u8> {
    match update(&pdf, creators, language) {
        Some(tail) if !tail.is_empty() => {
            let mut out = pdf;
            out.extend_from_slice(&tail);
            out
        }
        _ => pdf,
    }
}

/// The trailer's fields an update repeats.
struct Trailer {
    size: usize,
    root: usize,
    info: Option<usize>,
    /// `/ID[...]` as written.
    id: Option<String>,
    /// The offset of the cross-reference table (`startxref`).
    prev: usize,
}

/// The bytes to append, empty when nothing changes; none when the PDF is not as expected.
fn update(pdf: &[u8], creators: &[String], language: &str) -> Option<Vec<u8>> {
    let trailer = trailer(pdf)?;
    let catalog = std::str::from_utf8(object(pdf, trailer.root)?).ok()?;
    let meta_id: usize = number_after(catalog, "/Metadata")?;
    let meta = std::str::from_utf8(object(pdf, meta_id)?).ok()?;
    let (dict, xmp) = meta.split_once("stream\n")?;
    if dict.contains("/Filter") {
        return None;
    }
    let xmp = xmp
        .trim_end()
        .strip_suffix("endstream")?
        .trim_end_matches('\n');
    let tag_ok =
        !language.is_empty() && (language.bytes()).all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let new_xmp = edit_xmp(xmp, creators, tag_ok.then_some(language))?;
    let new_catalog = match tag_ok {
        true => set_lang(catalog, language)?,
        false => catalog.to_string(),
    };
    let mut changed: Vec<(usize, String)> = Vec::new();
    if new_xmp != xmp {
        let body = format!(
            "<</Type/Metadata/Subtype/XML/Length {}>>\nstream\n{new_xmp}\nendstream",
            new_xmp.len()
        );
        changed.push((meta_id, body));
    }
    if new_catalog != catalog {
        changed.push((trailer.root, new_catalog));
    }
    changed.sort_by_key(|(n, _)| *n);
    Some(write_update(
        pdf.len(),
        pdf.ends_with(b"\n"),
        &changed,
        &trailer,
    ))
}

/// The appended objects, cross-reference section and trailer; empty when nothing changed.
fn write_update(
    len: usize,
    ends_with_newline: bool,
    changed: &[(usize, String)],
    t: &Trailer,
) -> Vec<u8> {
    if changed.is_empty() {
        return Vec::new();
    }
    let mut out = String::new();
    if !ends_with_newline {
        out.push('\n');
    }
    let mut offsets = Vec::new();
    for (n, body) in changed {
        offsets.push((*n, len + out.len()));
        out.push_str(&format!("{n} 0 obj\n{body}\nendobj\n"));
    }
    let xref = len + out.len();
    out.push_str("xref\n");
    for (n, at) in offsets {
        // Each entry is exactly 20 bytes, its line ending included.
        out.push_str(&format!("{n} 1\n{at:010} 00000 n\r\n"));
    }
    let info = t.info.map(|i| format!("/Info {i} 0 R")).unwrap_or_default();
    let id = t.id.clone().unwrap_or_default();
    out.push_str(&format!(
        "trailer\n<</Size {}/Root {} 0 R{info}{id}/Prev {}>>\nstartxref\n{xref}\n%%EOF\n",
        t.size, t.root, t.prev
    ));
    out.into_bytes()
}

/// The last trailer of the PDF and where its cross-reference table starts.
fn trailer(pdf: &[u8]) -> Option<Trailer> {
    let at = memchr::memmem::rfind(pdf, b"trailer")?;
    let tail = std::str::from_utf8(&pdf[at..]).ok()?;
    let dict = &tail[..tail.find("startxref")?];
    let prev = tail[tail.find("startxref")? + 9..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let id = dict.find("/ID").and_then(|i| {
        let end = dict[i..].find(']')?;
        Some(dict[i..=i + end].to_string())
    });
    Some(Trailer {
        size: number_after(dict, "/Size")?,
        root: number_after(dict, "/Root")?,
        info: number_after(dict, "/Info"),
        id,
        prev,
    })
}

/// The body of indirect object `n` (between `n 0 obj` and `endobj`), as Typst writes it.
fn object(pdf: &[u8], n: usize) -> Option<&[u8]> {
    let head = format!("\n{n} 0 obj\n");
    let start = memchr::memmem::rfind(pdf, head.as_bytes())? + head.len();
    let end = start + memchr::memmem::find(&pdf[start..], b"\nendobj")?;
    Some(&pdf[start..end])
}

/// The number that follows `key` in a dictionary (`/Root 141 0 R` gives 141).
fn number_after(dict: &str, key: &str) -> Option<usize> {
    let at = dict.find(key)? + key.len();
    let digits: String = dict[at..]
        .trim_start()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The catalog with `/Lang` set to `tag` (or added, when it has none).
fn set_lang(catalog: &str, tag: &str) -> Option<String> {
    let Some(at) = catalog.find("/Lang") else {
        let open = catalog.find("<<")? + 2;
        return Some(format!(
            "{}/Lang({tag}){}",
            &catalog[..open],
            &catalog[open..]
        ));
    };
    let rest = &catalog[at + 5..];
    let value_end = rest.find(')')? + 1;
    Some(format!(
        "{}/Lang({tag}){}",
        &catalog[..at],
        &rest[value_end..]
    ))
}

/// The XMP packet with one `dc:creator` entry per name (none without names) and `language` as
/// its `dc:language`.
pub fn edit_xmp(xmp: &str, creators: &[String], language: Option<&str>) -> Option<String> {
    let entries: String = creators
        .iter()
        .map(|c| format!("<rdf:li>{}</rdf:li>", escape(c)))
        .collect();
    let creator = match entries.is_empty() {
        true => String::new(),
        false => format!("<dc:creator><rdf:Seq>{entries}</rdf:Seq></dc:creator>"),
    };
    let mut xmp = match xmp.find("<dc:creator>") {
        Some(start) => {
            let end = start + xmp[start..].find("</dc:creator>")? + "</dc:creator>".len();
            format!("{}{creator}{}", &xmp[..start], &xmp[end..])
        }
        None => {
            let at = xmp.find("</rdf:Description>")?;
            format!("{}{creator}{}", &xmp[..at], &xmp[at..])
        }
    };
    if let Some(tag) = language {
        let open = "<dc:language><rdf:Bag><rdf:li>";
        if let Some(start) = xmp.find(open).map(|i| i + open.len()) {
            let end = start + xmp[start..].find("</rdf:li>")?;
            xmp.replace_range(start..end, tag);
        }
    }
    Some(xmp)
}

/// Text as XML character data.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const XMP: &str =
        "<x><rdf:Description rdf:about=\"\"><dc:creator><rdf:Seq><rdf:li>A, B</rdf:li>\
</rdf:Seq></dc:creator><dc:language><rdf:Bag><rdf:li>en</rdf:li></rdf:Bag></dc:language>\
</rdf:Description></x>";

    #[test]
    fn each_author_is_one_entry_and_the_language_is_the_whole_tag() {
        let names = ["Smith, Jane".to_string(), "R&D <team>".to_string()];
        let xmp = edit_xmp(XMP, &names, Some("sr-Latn-RS")).unwrap();
        assert!(
            xmp.contains("<rdf:Seq><rdf:li>Smith, Jane</rdf:li><rdf:li>R&amp;D &lt;team&gt;</rdf:li></rdf:Seq>"),
            "{xmp}"
        );
        assert!(xmp.contains("<rdf:li>sr-Latn-RS</rdf:li>"), "{xmp}");
        let none = edit_xmp(XMP, &[], None).unwrap();
        assert!(!none.contains("dc:creator"), "{none}");
    }

    #[test]
    fn the_catalog_language_is_replaced_or_added() {
        let c = "<</Type/Catalog/Lang(en-GB)/Pages 1 0 R>>";
        assert_eq!(
            set_lang(c, "es-419").unwrap(),
            "<</Type/Catalog/Lang(es-419)/Pages 1 0 R>>"
        );
        assert_eq!(
            set_lang("<</Type/Catalog>>", "cy").unwrap(),
            "<</Lang(cy)/Type/Catalog>>"
        );
    }

    #[test]
    fn a_pdf_of_another_shape_is_left_as_it_is() {
        let pdf = b"%PDF-1.7\nnot a pdf Typst wrote".to_vec();
        assert_eq!(amend(pdf.clone(), &["A".into()], "en-GB"), pdf);
    }
}
