//! The anonymity lint reads the text that binary static files carry: a deny-listed name (plain
//! or hashed) in a PNG text chunk, a JPEG's EXIF or XMP, a Word document (split across runs), an
//! Excel shared string, an OpenDocument text, a PDF's page text (a PDF our own build made, with
//! subset fonts and compressed streams) or a PDF's Info title fails the build at the static file,
//! leaves the previous output as it was, and the same file without the name builds. A binary
//! file the lint cannot read is an error until `unchecked:` lists it; an `unchecked:` entry that
//! names nothing is an error with a suggestion; a zip bomb ends quickly; and short entries give
//! no false hits on photo-sized pictures of random pixels.
//!
//! Every fixture is made at test time, by the byte builders below or by crates already in the
//! dependency tree (zip, rust_xlsxwriter, lopdf, flate2).

use std::io::Write;
use std::time::{Duration, Instant};

use crate::anonymity::{fails_at, hashed, site_with, NAME};
use crate::common::{self, Site};

/// A name that is not on the list, in the same places, for the file that builds.
const CLEAN: &str = "Area Alpha";

/// For each entry (plain, hashed): `make(NAME)` as `file` fails the build at `file`, and
/// `make(CLEAN)` builds.
fn planted(file: &str, make: impl Fn(&str) -> Vec<u8>) {
    let (with, without) = (make(NAME), make(CLEAN));
    for entry in [NAME.to_string(), hashed()] {
        let site = site_with(&entry, "");
        fails_at(
            &site,
            |s| s.write(file, &with),
            |s| s.write(file, &without),
            &format!("{file}:1:1"),
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Byte builders.

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xedb8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// A PNG of `width`×`height` RGB pixels from `pixel`, with `extra` chunks before its data.
fn png(
    width: u32,
    height: u32,
    pixel: impl FnMut() -> u8,
    extra: &[(&[u8; 4], Vec<u8>)],
) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut chunk = |kind: &[u8; 4], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    };
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(b"IHDR", &ihdr);
    for (kind, data) in extra {
        chunk(kind, data);
    }
    let mut pixel = pixel;
    let mut raw = Vec::new();
    for _ in 0..height {
        raw.push(0);
        raw.extend((0..width * 3).map(|_| pixel()));
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&raw).unwrap();
    chunk(b"IDAT", &z.finish().unwrap());
    chunk(b"IEND", b"");
    out
}

/// A small random generator (xorshift), so no crate is needed for noise.
fn noise(mut seed: u64) -> impl FnMut() -> u8 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 24) as u8
    }
}

/// An EXIF block (little-endian TIFF) with ASCII fields.
fn tiff(fields: &[(u16, &str)]) -> Vec<u8> {
    let mut out = b"II*\0".to_vec();
    out.extend(8u32.to_le_bytes());
    out.extend((fields.len() as u16).to_le_bytes());
    let mut data_at = 8 + 2 + 12 * fields.len() + 4;
    let mut data = Vec::new();
    for (tag, text) in fields {
        let mut value = text.as_bytes().to_vec();
        value.push(0);
        out.extend(tag.to_le_bytes());
        out.extend(2u16.to_le_bytes());
        out.extend((value.len() as u32).to_le_bytes());
        out.extend((data_at as u32).to_le_bytes());
        data_at += value.len();
        data.extend(value);
    }
    out.extend(0u32.to_le_bytes());
    out.extend(data);
    out
}

fn segment(marker: u8, data: &[u8]) -> Vec<u8> {
    let mut out = vec![0xff, marker];
    out.extend(((data.len() + 2) as u16).to_be_bytes());
    out.extend(data);
    out
}

/// A JPEG with `segments` after its start, then one scan of `scan` bytes of random entropy-coded
/// data (each 0xFF stuffed with a 0, as encoders write it).
fn jpeg(segments: &[Vec<u8>], scan: usize) -> Vec<u8> {
    let mut out = vec![0xff, 0xd8];
    for s in segments {
        out.extend(s);
    }
    out.extend(segment(0xda, &[1, 1, 0, 0, 63, 0]));
    let mut next = noise(7);
    for _ in 0..scan {
        let b = next();
        out.push(b);
        if b == 0xff {
            out.push(0);
        }
    }
    out.extend([0xff, 0xd9]);
    out
}

fn xmp(attribute: &str, element: &str) -> String {
    format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" photoshop:City="{attribute}"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">{element}</rdf:li></rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#
    )
}

/// A zip archive of `members` (name, contents), deflated, the first stored (OpenDocument's
/// `mimetype` must be).
fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (i, (name, data)) in members.iter().enumerate() {
        let method = match i {
            0 => zip::CompressionMethod::Stored,
            _ => zip::CompressionMethod::Deflated,
        };
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A Word document whose body writes `name` split across two runs (as Word does after an edit),
/// and whose core properties name `author`.
fn docx(name: &str, author: &str) -> Vec<u8> {
    let (head, tail) = name.split_at(4);
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t xml:space="preserve">We met in </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>{head}</w:t></w:r><w:r><w:t xml:space="preserve">{tail} last May.</w:t></w:r></w:p><w:p><w:pPr><w:rPr><w:lang w:bidi="ar-SA"/></w:rPr></w:pPr><w:r><w:t>Next paragraph.</w:t></w:r></w:p></w:body></w:document>"#
    );
    let core = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{author}</dc:creator><dc:title>Notes</dc:title></cp:coreProperties>"#
    );
    zip_of(&[
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#),
        ("word/document.xml", document.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
    ])
}

/// An OpenDocument text whose paragraph writes `name` split by a span.
fn odt(name: &str) -> Vec<u8> {
    let (head, tail) = name.split_at(4);
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3"><office:body><office:text><text:p>We met in {head}<text:span>{tail}</text:span> last May.</text:p></office:text></office:body></office:document-content>"#
    );
    zip_of(&[
        ("mimetype", b"application/vnd.oasis.opendocument.text"),
        ("META-INF/manifest.xml", br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#),
        ("content.xml", content.as_bytes()),
    ])
}

/// A one-page PDF (lopdf) whose page says `body` and whose Info dictionary's title is `title`.
fn pdf(title: &str, body: &str) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{dictionary, Document, Object, Stream};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font } });
    let ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("Td", vec![72.into(), 720.into()]),
        Operation::new("Tj", vec![Object::string_literal(body)]),
        Operation::new("ET", vec![]),
    ];
    let content = Content { operations: ops }.encode().unwrap();
    let contents = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => contents,
    });
    let pages = dictionary! {
        "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
        "Resources" => resources, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    };
    doc.objects.insert(pages_id, Object::Dictionary(pages));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let info = doc.add_object(dictionary! { "Title" => Object::string_literal(title) });
    doc.trailer.set("Info", info);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// The PDF of a report that says `sentence`, made by our own build (`pdf: true`): Typst's subset
/// fonts, compressed streams and ToUnicode maps.
fn report_pdf(sentence: &str) -> Vec<u8> {
    let body = format!("## Findings {{#findings}}\n\n{sentence}\n");
    let r1 = common::R1.replace("## Findings {#findings}\ntext\n", &body);
    assert_ne!(r1, common::R1);
    let site = Site::with(&[("content/reports/r1.md", &r1)]);
    site.write("site.yaml", format!("{}pdf: true\n", common::SITE_YAML));
    site.build_ok(&[]);
    std::fs::read(site.out().join("reports/r1/r1.pdf")).unwrap()
}

// ---------------------------------------------------------------------------------------------
// A name in each format.

#[test]
fn a_name_in_a_png_text_chunk_fails_at_the_png() {
    planted("static/figures/map.png", |name| {
        let text = [b"Description\0".as_slice(), name.as_bytes()].concat();
        png(4, 4, noise(1), &[(b"tEXt", text)])
    });
    // Compressed (zTXt) and international (iTXt) chunks too.
    planted("static/figures/map2.png", |name| {
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(format!("Taken in {name}.").as_bytes()).unwrap();
        let ztxt = [b"Comment\0\0".as_slice(), &z.finish().unwrap()].concat();
        let itxt = [b"Title\0\0\0en\0\0".as_slice(), b"A map"].concat();
        png(4, 4, noise(2), &[(b"iTXt", itxt), (b"zTXt", ztxt)])
    });
}

#[test]
fn a_name_in_a_jpeg_exif_field_fails_at_the_jpeg() {
    planted("static/photo.jpg", |name| {
        let exif = tiff(&[(0x010e, "A clinic"), (0x013b, name)]);
        let app1 = segment(0xe1, &[b"Exif\0\0".as_slice(), &exif].concat());
        jpeg(&[app1], 2000)
    });
}

#[test]
fn a_name_in_a_jpeg_xmp_packet_fails_at_the_jpeg() {
    planted("static/photo.jpeg", |name| {
        let packet = xmp(name, "A clinic");
        let data = [
            b"http://ns.adobe.com/xap/1.0/\0".as_slice(),
            packet.as_bytes(),
        ]
        .concat();
        jpeg(&[segment(0xe1, &data)], 2000)
    });
    planted("static/photo2.jpg", |name| {
        let packet = xmp("Area", &format!("Clinic, {name}"));
        let data = [
            b"http://ns.adobe.com/xap/1.0/\0".as_slice(),
            packet.as_bytes(),
        ]
        .concat();
        jpeg(&[segment(0xe1, &data)], 2000)
    });
}

#[test]
fn a_name_split_across_runs_of_a_word_document_fails_at_the_docx() {
    planted("static/files/notes.docx", |name| docx(name, "A. Author"));
    // The author in its core properties, too.
    planted("static/files/notes2.docx", |name| docx(CLEAN, name));
}

#[test]
fn a_name_in_an_excel_shared_string_fails_at_the_xlsx() {
    planted("static/files/areas.xlsx", |name| {
        let bytes = workbook(name);
        let shared = String::from_utf8_lossy(&bytes).contains("sharedStrings");
        assert!(shared, "the workbook keeps its text in shared strings");
        bytes
    });
}

/// An Excel workbook (rust_xlsxwriter) whose second row names `name`.
fn workbook(name: &str) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Area").unwrap();
    sheet.write_string(1, 0, name).unwrap();
    book.save_to_buffer().unwrap()
}

#[test]
fn a_name_in_an_opendocument_text_fails_at_the_odt() {
    planted("static/files/notes.odt", odt);
}

#[test]
fn a_name_in_the_page_text_of_a_pdf_our_build_made_fails_at_the_pdf() {
    let with = report_pdf(&format!("We met the team in {NAME} last spring."));
    let without = report_pdf(&format!("We met the team in {CLEAN} last spring."));
    // The name is in the PDF's text, not in its raw bytes (Typst compresses and subsets).
    let raw = String::from_utf8_lossy(&with);
    assert!(!raw.contains("Exampleton"), "the PDF's text is compressed");
    planted("static/reports/r1.pdf", |name| match name {
        NAME => with.clone(),
        _ => without.clone(),
    });
}

#[test]
fn a_name_in_the_title_of_a_pdf_fails_at_the_pdf() {
    // poppler reads the title the fixture writes (checked when it is installed).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.pdf");
    std::fs::write(&file, pdf(NAME, "A plain page.")).unwrap();
    match std::process::Command::new("pdfinfo").arg(&file).output() {
        Ok(info) => {
            let info = String::from_utf8_lossy(&info.stdout);
            let title = info.lines().find_map(|l| l.strip_prefix("Title:"));
            assert_eq!(title.map(str::trim), Some(NAME), "{info}");
        }
        Err(_) => eprintln!("pdfinfo is not on PATH: the fixture's title is not checked"),
    }
    planted("static/files/plan.pdf", |name| pdf(name, "A plain page."));
    // The page text of a PDF made by hand, too.
    planted("static/files/plan2.pdf", |name| {
        pdf("Plan", &format!("In {name}."))
    });
}

/// A workbook LibreOffice turned into a PDF (its own fonts and structure), when it is installed.
/// (A spreadsheet: the CI image carries LibreOffice's Calc, not its Writer.)
#[test]
fn a_name_in_a_pdf_made_by_libreoffice_fails_at_the_pdf() {
    let soffice = std::process::Command::new("soffice")
        .arg("--version")
        .output();
    if !soffice.is_ok_and(|o| o.status.success()) {
        eprintln!("soffice is not on PATH: skipped");
        return;
    }
    let convert = |name: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("areas.xlsx"), workbook(name)).unwrap();
        let profile = format!(
            "-env:UserInstallation=file://{}/profile",
            dir.path().display()
        );
        let run = std::process::Command::new("soffice")
            .args([
                profile.as_str(),
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(dir.path().join("areas.xlsx"))
            .output()
            .unwrap();
        let pdf = std::fs::read(dir.path().join("areas.pdf"));
        pdf.unwrap_or_else(|_| panic!("soffice made no PDF: {run:?}"))
    };
    let (with, without) = (convert(NAME), convert(CLEAN));
    planted("static/files/areas.pdf", |name| match name {
        NAME => with.clone(),
        _ => without.clone(),
    });
}

// ---------------------------------------------------------------------------------------------
// Files that cannot be read, `unchecked:`, and bounds.

#[test]
fn a_binary_file_the_lint_cannot_read_fails_until_unchecked_lists_it() {
    let video: Vec<u8> = {
        let mut next = noise(3);
        let mut v = b"\0\0\0\x18ftypmp42".to_vec();
        v.extend((0..50_000).map(|_| next()));
        v
    };
    let site = site_with(NAME, "");
    site.build_ok(&[]);
    let before = common::tree(&site.out());
    site.write("static/video/intro.mp4", &video);
    let run = site.build(&[]);
    run.assert_site_errors();
    let d = run.assert_error_help(
        "could not be checked for the names on the site's deny-list",
        "static/video/intro.mp4:1:1",
        "unchecked: [static/video/intro.mp4]",
    );
    assert!(d.message.contains("a video"), "{d:?}");
    assert_eq!(
        common::tree(&site.out()),
        before,
        "the previous output is untouched"
    );

    // Listed by itself, or by its folder, it is published unread.
    let yaml = site.source("site.yaml");
    for entry in ["static/video/intro.mp4", "static/video/"] {
        let listed = yaml.replace(
            "deny_list: private/deny.txt\n",
            &format!("deny_list: private/deny.txt\n  unchecked: [{entry}]\n"),
        );
        assert_ne!(listed, yaml);
        site.write("site.yaml", &listed);
        site.build_ok(&[]);
        assert!(site.exists("static/video/intro.mp4"));
    }
}

#[test]
fn an_unchecked_entry_that_names_no_file_is_an_error_with_a_suggestion() {
    let site = site_with(NAME, "");
    site.write("static/video/intro.mp4", b"\0\0\0\x18ftypmp42 not text \0");
    let yaml = site.source("site.yaml").replace(
        "deny_list: private/deny.txt\n",
        "deny_list: private/deny.txt\n  unchecked:\n    - static/video/intro.mp3\n",
    );
    site.write("site.yaml", &yaml);
    let run = site.build(&[]);
    assert_eq!(run.code, 1, "{run:?}");
    run.assert_error_help(
        "`unchecked` lists `static/video/intro.mp3`, but the site has no such file",
        &common::loc("site.yaml", &yaml, "static/video/intro.mp3"),
        "did you mean `static/video/intro.mp4`?",
    );
}

#[test]
fn a_zip_bomb_ends_quickly_as_a_file_that_cannot_be_read() {
    // One member of 1 GiB of zeros, deflated to about 1 MiB.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9));
    w.start_file("word/document.xml", options).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        w.write_all(&zeros).unwrap();
    }
    let bomb = w.finish().unwrap().into_inner();
    assert!(bomb.len() < 4 << 20, "{}", bomb.len());
    let site = site_with(NAME, "");
    site.write("static/files/bomb.docx", &bomb);
    let started = Instant::now();
    let run = site.build(&[]);
    let took = started.elapsed();
    run.assert_site_errors();
    let d = run.assert_error(
        "could not be checked for the names on the site's deny-list",
        "static/files/bomb.docx:1:1",
    );
    assert!(d.message.contains("zip bomb"), "{d:?}");
    assert!(took < Duration::from_secs(20), "the build took {took:?}");
}

/// Raw bytes would: compressed pixels hold any two letters somewhere.
#[test]
fn short_entries_give_no_false_hits_on_photo_sized_pictures_of_random_pixels() {
    let site = site_with(&format!("{NAME}\nNE\nSW\nAB\nOx\nQa\n"), "");
    let software = b"Software\0realist test".to_vec();
    let picture = png(1024, 512, noise(11), &[(b"tEXt", software)]);
    assert!(picture.len() > 1 << 20);
    site.write("static/photos/random.png", &picture);
    let exif = tiff(&[(0x010e, "A clinic")]);
    let app1 = segment(0xe1, &[b"Exif\0\0".as_slice(), &exif].concat());
    site.write("static/photos/random.jpg", jpeg(&[app1], 1_500_000));
    site.build_ok(&[]);
    // The same two letters in the picture's text are found.
    let text = b"Comment\0Seen in NE.".to_vec();
    site.write(
        "static/photos/random.png",
        png(64, 64, noise(11), &[(b"tEXt", text)]),
    );
    let run = site.build(&[]);
    run.assert_site_errors();
    run.assert_error("is on the site's deny-list", "static/photos/random.png:1:1");
}

/// An image kept beside a report's Markdown is copied beside its page: read the same way, and
/// the error names the image under content/.
#[test]
fn a_name_in_an_image_beside_a_report_fails_at_the_image() {
    let make = |name: &str| {
        let text = [b"Title\0".as_slice(), name.as_bytes()].concat();
        png(4, 4, noise(5), &[(b"tEXt", text)])
    };
    let image = "content/reports/figures/map.png";
    let site = site_with(NAME, "");
    let report = "content/reports/r1.md";
    site.write(
        report,
        format!("{}\n![A map](figures/map.png)\n", site.source(report)),
    );
    site.write(image, make(CLEAN));
    fails_at(
        &site,
        |s| s.write(image, make(NAME)),
        |s| s.write(image, make(CLEAN)),
        &format!("{image}:1:1"),
    );
}

// ---------------------------------------------------------------------------------------------
// Files told by their first bytes, not by their name or by whether their bytes are ASCII.

/// A PDF written in ASCII only (uncompressed streams, no binary comment line), whose page draws
/// `content` with Helvetica, and whose Info title is `title` (a PDF string, with its delimiters).
fn ascii_pdf(content: &str, title: &str) -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len() + 1),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_string(),
        format!("<< /Title {title} >>"),
    ];
    let mut out = String::from("%PDF-1.4\n");
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.push_str(&format!("{} 0 obj\n{object}\nendobj\n", i + 1));
    }
    let xref = out.len();
    out.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        out.push_str(&format!("{offset:010} 00000 n \n"));
    }
    out.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    assert!(out.is_ascii());
    out.into_bytes()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[test]
fn a_pdf_in_plain_ascii_is_read_as_a_pdf_whatever_its_name() {
    // A hex string, a name split across a TJ array, and an escaped letter: the raw bytes never
    // spell the name.
    planted("static/files/hex.pdf", |name| {
        let page = format!("BT /F1 12 Tf 20 100 Td [<{}>] TJ ET", hex(name.as_bytes()));
        ascii_pdf(&page, "(Notes)")
    });
    planted("static/files/split.pdf", |name| {
        let (head, tail) = name.split_at(3);
        let page = format!("BT /F1 12 Tf 20 100 Td [({head}) -10 ({tail})] TJ ET");
        ascii_pdf(&page, "(Notes)")
    });
    planted("static/files/octal.pdf", |name| {
        let escaped = format!("\\{:03o}{}", name.as_bytes()[0], &name[1..]);
        ascii_pdf(
            "BT /F1 12 Tf 20 100 Td (Notes) Tj ET",
            &format!("({escaped})"),
        )
    });
    // A UTF-16 title, in a file whose name says text.
    planted("static/files/notes.txt", |name| {
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let title = format!("<FEFF{}>", hex(&utf16));
        ascii_pdf("BT /F1 12 Tf 20 100 Td (Notes) Tj ET", &title)
    });
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let bom = "\u{feff}".encode_utf16();
    let units = bom.chain(text.encode_utf16());
    match le {
        true => units.flat_map(u16::to_le_bytes).collect(),
        false => units.flat_map(u16::to_be_bytes).collect(),
    }
}

#[test]
fn a_text_file_in_utf16_is_read_by_its_byte_order_mark() {
    planted("static/notes.txt", |name| {
        utf16(&format!("Visits\nWe met in {name}.\n"), true)
    });
    planted("static/data/places.dat", |name| {
        utf16(&format!("site,area\n1,{name}\n"), false)
    });
    // A Word document whose body is a UTF-16 part.
    planted("static/files/notes.docx", |name| {
        let document = format!(
            r#"<?xml version="1.0" encoding="UTF-16"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>We met in {name}.</w:t></w:r></w:p></w:body></w:document>"#
        );
        zip_of(&[
            ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#),
            ("word/document.xml", &utf16(&document, true)),
        ])
    });
}

/// An EXIF block (little-endian TIFF) with one field `tag` of type ASCII holding `value` as is.
fn tiff_raw(tag: u16, value: &[u8]) -> Vec<u8> {
    let mut out = b"II*\0".to_vec();
    out.extend(8u32.to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(tag.to_le_bytes());
    out.extend(2u16.to_le_bytes());
    out.extend((value.len() as u32).to_le_bytes());
    out.extend(26u32.to_le_bytes());
    out.extend(0u32.to_le_bytes());
    out.extend(value);
    out
}

#[test]
fn a_name_in_any_png_metadata_fails_at_the_png() {
    // Windows' subject field, written as UTF-16 in a field typed ASCII.
    planted("static/figures/a.png", |name| {
        let mut subject: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        subject.extend([0, 0]);
        png(2, 2, noise(3), &[(b"eXIf", tiff_raw(0x9c9f, &subject))])
    });
    // A private chunk, and bytes after the image's end.
    planted("static/figures/b.png", |name| {
        png(2, 2, noise(4), &[(b"prVt", name.as_bytes().to_vec())])
    });
    planted("static/figures/c.png", |name| {
        [png(2, 2, noise(5), &[]), name.as_bytes().to_vec()].concat()
    });
}

#[test]
fn a_private_png_chunk_that_is_not_text_makes_the_png_unreadable() {
    let site = site_with(NAME, "");
    let chunk = vec![0x01, 0x9c, 0xfe, 0x00, 0x17, 0x80];
    site.write(
        "static/figures/d.png",
        png(2, 2, noise(6), &[(b"prVt", chunk)]),
    );
    let run = site.build(&[]);
    let d = run.assert_error(
        "could not be checked for the names on the site's deny-list",
        "static/figures/d.png:1:1",
    );
    assert!(d.message.contains("chunk `prVt`"), "{d:?}");
}

#[test]
fn a_name_in_a_comment_or_an_escaped_link_of_a_word_document_fails_at_the_docx() {
    let types = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#;
    let body = |inner: &str| {
        format!(
            r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{inner}<w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>"#
        )
    };
    planted("static/files/comment.docx", |name| {
        let document = body(&format!("<!-- {name} -->"));
        zip_of(&[
            ("[Content_Types].xml", types),
            ("word/document.xml", document.as_bytes()),
        ])
    });
    planted("static/files/link.docx", |name| {
        let escaped = format!("%{:02X}{}", name.as_bytes()[0], &name[1..]).replace(' ', "%20");
        let rels = format!(
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Target="https://x.example/{escaped}" TargetMode="External"/></Relationships>"#
        );
        let document = body("");
        zip_of(&[
            ("[Content_Types].xml", types),
            ("word/document.xml", document.as_bytes()),
            ("word/_rels/document.xml.rels", rels.as_bytes()),
        ])
    });
    planted("static/files/archive.docx", |name| {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        w.start_file(
            "word/document.xml",
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        w.write_all(body("").as_bytes()).unwrap();
        w.set_comment(format!("Made in {name}")).unwrap();
        w.finish().unwrap().into_inner()
    });
}
