//! The text a binary file carries, for the anonymity lint (`super::anonymity`): a static file
//! whose bytes are not text (a picture, a PDF, an Office document) still carries text a reader
//! can see, in its metadata or its pages. Its raw bytes cannot be scanned instead: compressed
//! data would give false hits on short entries (two-letter abbreviations).
//!
//! [`read`] (or [`carried`] for bytes in memory):
//!
//! 1. tell the format from the first bytes (never by the name alone); a format this module does
//!    not read is [`Carried::Unreadable`], with why in plain words (a video's frames are not
//!    text), and so is a file over [`MAX_FILE`] bytes;
//! 2. PNG: the keywords and values of the `tEXt`, `zTXt` and `iTXt` chunks, the `eXIf`
//!    chunk, and any chunk of a kind not known to hold no text and any bytes after the image's
//!    end, as text (unreadable when they are not text); JPEG: the EXIF (`APP1`), XMP (`APP1`,
//!    extended XMP too), comment (`COM`) and IPTC (`APP13`) segments; GIF: comment and XMP
//!    extensions; WebP: the `EXIF` and `XMP ` chunks;
//!    TIFF: its EXIF fields (every ASCII field, XP* tags, user comment, XMP, and every other
//!    field of bytes that are text); a text file in UTF-16 (by its byte order mark): its text;
//! 3. zip archives (docx, xlsx, pptx, odt, ods, odp, epub): the archive's comment, every
//!    member's name and comment, the text of every XML member ([`Reader::xml`]: the text nodes
//!    of one paragraph joined without a separator, so a name that Word splits across runs is
//!    whole again), the text of every text
//!    member (comments too, attribute values percent-decoded as well, UTF-16 parts decoded), the
//!    carried text of every picture; any other member makes the file unreadable;
//! 4. PDF (lopdf): the text of every page (decoded through each font's ToUnicode map), every
//!    text string of every object (the Info dictionary, annotations and their URIs, bookmarks,
//!    form fields) and every XMP metadata stream; an encrypted PDF is unreadable;
//! 5. everything inflated counts against one budget ([`MAX_INFLATED`] bytes) and a zip against
//!    [`MAX_MEMBERS`]: past either the file is unreadable, so a zip bomb ends quickly.
//!
//! Pixels, sound and video are never read: a name drawn in a picture cannot be found.

use std::borrow::Cow;
use std::io::{Cursor, Read};

/// What a binary file carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Carried {
    /// Every text the file carries, each to be scanned on its own.
    Texts(Vec<String>),
    /// The file cannot be read for text: why, in plain words, to follow "because".
    Unreadable(String),
}

/// The largest file read: the formats read here need the whole file in memory.
pub const MAX_FILE: u64 = 256 << 20;

/// The most bytes inflated from one file (zip members, PNG and PDF streams) before it is called
/// unreadable. A member is held whole while it is read, and its texts beside it, so this bounds
/// the memory a file takes: a large real document unpacks to a few MiB of XML.
pub const MAX_INFLATED: u64 = 64 << 20;

/// The most members a zip archive may have.
pub const MAX_MEMBERS: usize = 10_000;

/// How deep files inside files are read (a picture inside a Word document).
const MAX_DEPTH: usize = 2;

type Step = Result<(), String>;

/// Step 1: the texts `file` (named `name`) carries, read from its start.
pub fn read(name: &str, file: &mut std::fs::File) -> Carried {
    use std::io::Seek;
    let mut head = Vec::with_capacity(1024);
    let read_head = Read::by_ref(file).take(1024).read_to_end(&mut head);
    let len = file.metadata().map(|m| m.len());
    let (Ok(_), Ok(len)) = (read_head, len) else {
        return Carried::Unreadable("it could not be read".into());
    };
    let Some(kind) = Kind::of(&head) else {
        return Carried::Unreadable(why_unknown(name, &head));
    };
    if len > MAX_FILE {
        let why = format!(
            "it is a {} larger than {} MiB, too large to read",
            kind.label(),
            MAX_FILE >> 20
        );
        return Carried::Unreadable(why);
    }
    let mut bytes = Vec::with_capacity(len as usize);
    if file
        .rewind()
        .and_then(|_| file.read_to_end(&mut bytes))
        .is_err()
    {
        return Carried::Unreadable("it could not be read".into());
    }
    let _ = file.rewind();
    carried(name, &bytes)
}

/// The texts the file `name` with contents `bytes` carries.
pub fn carried(name: &str, bytes: &[u8]) -> Carried {
    // The parsers of other crates read hostile bytes here: should one of them panic, the file is
    // one the build cannot read, not a failed build.
    let read = std::panic::catch_unwind(|| {
        let mut reader = Reader {
            texts: Vec::new(),
            budget: MAX_INFLATED,
        };
        reader.any(name, bytes, 0).map(|()| reader.texts)
    });
    match read {
        Ok(Ok(texts)) => Carried::Texts(texts),
        Ok(Err(why)) => Carried::Unreadable(why),
        Err(_) => Carried::Unreadable("its reader failed on it (the file may be damaged)".into()),
    }
}

/// The formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Png,
    Jpeg,
    Gif,
    WebP,
    Tiff,
    Bmp,
    Pdf,
    Zip,
    /// Text in UTF-16, little-endian when true, told by its byte order mark.
    Utf16(bool),
}

impl Kind {
    /// Step 1: the format of a file that starts with `head`.
    fn of(head: &[u8]) -> Option<Kind> {
        let kind = match head {
            [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', ..] => Kind::Png,
            [0xff, 0xd8, 0xff, ..] => Kind::Jpeg,
            [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Kind::Gif,
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Kind::WebP,
            [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => Kind::Tiff,
            [b'B', b'M', ..] if head.len() >= 26 => Kind::Bmp,
            [b'P', b'K', 3, 4, ..] | [b'P', b'K', 5, 6, ..] => Kind::Zip,
            [0xff, 0xfe, ..] => Kind::Utf16(true),
            [0xfe, 0xff, ..] => Kind::Utf16(false),
            // A PDF's header may follow some bytes of junk, as readers allow.
            _ if memchr::memmem::find(head, b"%PDF-").is_some() => Kind::Pdf,
            _ => return None,
        };
        Some(kind)
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Png => "PNG image",
            Kind::Jpeg => "JPEG image",
            Kind::Gif => "GIF image",
            Kind::WebP => "WebP image",
            Kind::Tiff => "TIFF image",
            Kind::Bmp => "BMP image",
            Kind::Pdf => "PDF",
            Kind::Zip => "zip archive (or Office document)",
            Kind::Utf16(_) => "text file in UTF-16",
        }
    }
}

/// Why a file of a format this module does not read cannot be checked, by its name and first
/// bytes.
fn why_unknown(name: &str, head: &[u8]) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    let ext = file.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let ext = ext.as_deref().unwrap_or("");
    if head.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        return "it is a legacy Office file (.doc, .xls, .ppt), whose text the build does not read: save it as .docx, .xlsx, .pptx or PDF".into();
    }
    let what = match ext {
        "mp4" | "m4v" | "mov" | "webm" | "mkv" | "avi" | "ogv" | "mpg" | "mpeg" => {
            "it is a video, whose frames and sound are not text"
        }
        "mp3" | "m4a" | "wav" | "ogg" | "oga" | "opus" | "flac" | "aac" => {
            "it is a recording, whose sound is not text"
        }
        "woff" | "woff2" | "ttf" | "otf" | "eot" => {
            "it is a font, whose names and glyphs the build does not read"
        }
        "avif" | "heic" | "heif" | "jxl" | "ico" | "jp2" => {
            "it is a picture in a format whose metadata the build does not read (it reads PNG, JPEG, GIF, WebP and TIFF)"
        }
        "gz" | "tgz" | "bz2" | "xz" | "7z" | "rar" | "zst" | "tar" => {
            "it is a compressed archive of a kind the build does not open (it opens zip files)"
        }
        _ => "it is not text, and not a format whose text the build reads (PNG, JPEG, GIF, WebP, TIFF, PDF, or an Office or OpenDocument file)",
    };
    what.into()
}

/// Collects the texts of one file, within one budget of inflated bytes.
struct Reader {
    texts: Vec<String>,
    budget: u64,
}

impl Reader {
    /// The texts of `bytes`, a file (or a member of one) named `name`, `depth` files deep.
    fn any(&mut self, name: &str, bytes: &[u8], depth: usize) -> Step {
        let head = &bytes[..bytes.len().min(1024)];
        match Kind::of(head) {
            Some(Kind::Png) => self.png(bytes),
            Some(Kind::Jpeg) => self.jpeg(bytes),
            Some(Kind::Gif) => self.gif(bytes),
            Some(Kind::WebP) => self.webp(bytes),
            Some(Kind::Tiff) => {
                self.exif(bytes.to_vec());
                Ok(())
            }
            // A BMP holds pixels and a colour profile only.
            Some(Kind::Bmp) => Ok(()),
            Some(Kind::Pdf) => self.pdf(bytes),
            Some(Kind::Zip) if depth < MAX_DEPTH => self.zip(bytes, depth),
            Some(Kind::Zip) => Err("it holds a zip archive inside a zip archive".into()),
            Some(Kind::Utf16(le)) => {
                self.push(utf16_text(&bytes[2..], le).into());
                Ok(())
            }
            None => Err(why_unknown(name, head)),
        }
    }

    fn push(&mut self, text: Cow<str>) {
        if text.chars().any(char::is_alphanumeric) {
            self.texts.push(text.into_owned());
        }
    }

    /// Reads `source` to its end within the budget of inflated bytes.
    fn inflate(&mut self, source: impl Read) -> Result<Vec<u8>, String> {
        self.inflate_sized(source, 0)
    }

    /// [`Reader::inflate`], with room made at once for the `declared` size (within the budget),
    /// so a large member is not copied as its buffer grows.
    fn inflate_sized(&mut self, source: impl Read, declared: u64) -> Result<Vec<u8>, String> {
        let room = declared.min(self.budget.saturating_add(1));
        let mut out = Vec::with_capacity(usize::try_from(room).unwrap_or(0));
        let read = source.take(self.budget + 1).read_to_end(&mut out);
        read.map_err(|_| "its compressed data cannot be read".to_string())?;
        if out.len() as u64 > self.budget {
            return Err(over_budget());
        }
        self.budget -= out.len() as u64;
        Ok(out)
    }
}

fn over_budget() -> String {
    format!(
        "it unpacks to more than {} MiB (it may be a zip bomb)",
        MAX_INFLATED >> 20
    )
}

/// Step 2, PNG: the text chunks and the EXIF chunk. A chunk walk by hand (a few lines): the `png`
/// crate reports text chunks only once it has decoded every pixel, when they follow the image.
impl Reader {
    fn png(&mut self, bytes: &[u8]) -> Step {
        let mut at = 8;
        while at + 8 <= bytes.len() {
            let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap_or_default());
            let kind = &bytes[at + 4..at + 8];
            let end = (at + 8)
                .checked_add(len as usize)
                .filter(|e| *e <= bytes.len());
            let Some(end) = end else {
                return Err("the PNG image is cut short".into());
            };
            let data = &bytes[at + 8..end];
            match kind {
                b"tEXt" => self.png_text(data, false, false)?,
                b"zTXt" => self.png_text(data, true, false)?,
                b"iTXt" => self.png_text(data, false, true)?,
                b"eXIf" => self.exif(data.to_vec()),
                b"IEND" => return self.png_extra("bytes after its end", bytes.get(end + 4..)),
                _ if PNG_BINARY.contains(&kind) => {}
                _ => {
                    let what = format!("chunk `{}`", String::from_utf8_lossy(kind));
                    self.png_extra(&what, Some(data))?
                }
            }
            at = end + 4;
        }
        Ok(())
    }

    /// A chunk of a kind not known to hold no text, or bytes after the image's end: read as
    /// text when they are text, else the file is unreadable (they could hold anything).
    fn png_extra(&mut self, what: &str, data: Option<&[u8]>) -> Step {
        let data = data.unwrap_or_default();
        if data.iter().all(|b| *b == 0 || b.is_ascii_whitespace()) {
            return Ok(());
        }
        match field_text(data) {
            Some(text) => {
                self.push(text.into());
                Ok(())
            }
            None => Err(format!(
                "its PNG {what} is neither text nor a part the build knows"
            )),
        }
    }

    /// A `tEXt` (Latin-1), `zTXt` (Latin-1, compressed) or `iTXt` (UTF-8, maybe compressed) chunk:
    /// keyword, NUL, then the fields of its kind.
    fn png_text(&mut self, data: &[u8], compressed: bool, international: bool) -> Step {
        let mut parts = data.splitn(2, |b| *b == 0);
        let keyword = parts.next().unwrap_or_default();
        let rest = parts.next().unwrap_or_default();
        self.push(latin1(keyword));
        if !international {
            let text = match compressed {
                true => self.inflate(flate2::read::ZlibDecoder::new(
                    rest.get(1..).unwrap_or_default(),
                ))?,
                false => rest.to_vec(),
            };
            self.push(latin1(&text));
            return Ok(());
        }
        // iTXt: compression flag, method, language tag NUL, translated keyword NUL, text.
        let flag = rest.first().copied().unwrap_or(0);
        let mut fields = rest.get(2..).unwrap_or_default().splitn(3, |b| *b == 0);
        let (lang, translated) = (fields.next(), fields.next());
        let text = fields.next().unwrap_or_default();
        for field in [lang, translated].into_iter().flatten() {
            self.push(String::from_utf8_lossy(field));
        }
        let text = match flag {
            0 => text.to_vec(),
            _ => self.inflate(flate2::read::ZlibDecoder::new(text))?,
        };
        self.push(String::from_utf8_lossy(&text));
        Ok(())
    }
}

/// The PNG chunks that hold pixels, colour or layout and no text (the PNG and APNG
/// specifications', and Apple's `iDOT` and `CgBI`, which macOS screenshots carry).
const PNG_BINARY: &[&[u8]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP",
    b"mDCV", b"cLLI", b"mDCv", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"tIME", b"acTL",
    b"fcTL", b"fdAT", b"oFFs", b"sCAL", b"sTER", b"iDOT", b"CgBI", b"vpAg", b"dSIG",
];

/// The text of a metadata value whose encoding is not declared: UTF-16 (little- or
/// big-endian) when every other byte is zero, else UTF-8 with no control characters; `None`
/// for anything else (binary data, whose letters would give false hits).
fn field_text(bytes: &[u8]) -> Option<String> {
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    let bytes = &bytes[..end];
    if bytes.is_empty() {
        return None;
    }
    let pairs = bytes.len().div_ceil(2);
    let zeros = |odd: usize| {
        bytes
            .iter()
            .skip(odd)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let mut padded = bytes.to_vec();
    padded.resize(pairs * 2, 0);
    // Trimming took the last unit's zero byte of little-endian ASCII: count the odd bytes left.
    if pairs >= 2 && zeros(1) * 10 >= (bytes.len() / 2) * 9 {
        return Some(utf16_text(&padded, true));
    }
    if pairs >= 2 && zeros(0) * 10 >= pairs * 9 {
        return Some(utf16_text(bytes, false));
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let control = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\0');
    match text.chars().any(control) {
        true => None,
        false => Some(text.replace('\0', " ")),
    }
}

fn latin1(bytes: &[u8]) -> Cow<'static, str> {
    Cow::Owned(bytes.iter().map(|&b| b as char).collect())
}

/// Step 2, JPEG: the segments before (and between) the scans. A segment walk by hand: the
/// decoders in the tree read pixels, not these segments.
impl Reader {
    fn jpeg(&mut self, bytes: &[u8]) -> Step {
        const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
        const XMP_EXT: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";
        let mut extended = Vec::new();
        let mut at = 2;
        while at + 4 <= bytes.len() {
            if bytes[at] != 0xff {
                at = next_marker(bytes, at);
                continue;
            }
            let marker = bytes[at + 1];
            // Fill bytes, and markers that stand alone (restart, start of image).
            if matches!(marker, 0xff | 0x01 | 0xd0..=0xd8) {
                at += if marker == 0xff { 1 } else { 2 };
                continue;
            }
            if marker == 0xd9 {
                break;
            }
            let len = u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]) as usize;
            let Some(data) = bytes.get(at + 4..at + 2 + len.max(2)) else {
                return Err("the JPEG image is cut short".into());
            };
            match marker {
                0xe1 if data.starts_with(b"Exif\0\0") => self.exif(data[6..].to_vec()),
                0xe1 if data.starts_with(XMP) => self.xml(&data[XMP.len()..], false)?,
                // GUID (32), full length (4), offset (4), then the part.
                0xe1 if data.starts_with(XMP_EXT) => {
                    extended.extend_from_slice(data.get(XMP_EXT.len() + 40..).unwrap_or_default())
                }
                0xfe => self.push(String::from_utf8_lossy(data)),
                0xed if data.starts_with(b"Photoshop 3.0\0") => self.photoshop(&data[14..]),
                _ => {}
            }
            at += 2 + len;
            if marker == 0xda {
                at = next_marker(bytes, at);
            }
        }
        if !extended.is_empty() {
            self.xml(&extended, false)?;
        }
        Ok(())
    }

    /// Photoshop's image resources: the IPTC record (resource 0x0404) holds caption, keywords,
    /// city and byline as datasets `0x1C record dataset length value`.
    fn photoshop(&mut self, mut data: &[u8]) {
        while data.len() >= 12 && data.starts_with(b"8BIM") {
            let id = u16::from_be_bytes([data[4], data[5]]);
            let name_len = data[6] as usize;
            // The name is a Pascal string padded to an even length.
            let skip = 6 + (1 + name_len).next_multiple_of(2);
            let Some(size) = data.get(skip..skip + 4) else {
                return;
            };
            let size = u32::from_be_bytes(size.try_into().unwrap_or_default()) as usize;
            let Some(body) = data.get(skip + 4..skip + 4 + size) else {
                return;
            };
            if id == 0x0404 {
                self.iptc(body);
            }
            data = data
                .get(skip + 4 + size.next_multiple_of(2)..)
                .unwrap_or_default();
        }
    }

    fn iptc(&mut self, mut data: &[u8]) {
        while data.len() >= 5 && data[0] == 0x1c {
            let len = u16::from_be_bytes([data[3], data[4]]) as usize;
            let Some(value) = data.get(5..5 + len) else {
                return;
            };
            self.push(String::from_utf8_lossy(value));
            data = &data[5 + len..];
        }
    }
}

/// Where the next marker after entropy-coded data starts (`0xFF` not followed by 0 or a restart).
fn next_marker(bytes: &[u8], mut at: usize) -> usize {
    while at + 1 < bytes.len() {
        if bytes[at] == 0xff && !matches!(bytes[at + 1], 0x00 | 0xd0..=0xd7 | 0xff) {
            return at;
        }
        at += 1;
    }
    bytes.len()
}

/// Step 2, EXIF, GIF and WebP.
impl Reader {
    /// The text fields of an EXIF (TIFF) block: ASCII fields, the user comment, Windows' XP*
    /// fields (UTF-16) and an embedded XMP packet. A block that cannot be parsed carries no text
    /// the lint could read, and no reader shows it either.
    fn exif(&mut self, tiff: Vec<u8>) {
        let tiff = match tiff.strip_prefix(b"Exif\0\0") {
            Some(rest) => rest.to_vec(),
            None => tiff,
        };
        let Ok(exif) = exif::Reader::new().read_raw(tiff) else {
            return;
        };
        for field in exif.fields() {
            match (&field.value, field.tag.number()) {
                // Any ASCII field; one that holds UTF-16 (as some writers put the XP* fields)
                // is split at each NUL by the crate, so its parts are read joined too.
                (exif::Value::Ascii(parts), _) => {
                    for part in parts {
                        self.push(String::from_utf8_lossy(part));
                    }
                    if parts.len() > 1 {
                        self.push(String::from_utf8_lossy(&parts.concat()));
                    }
                }
                // UserComment: an 8-byte character code, then the text.
                (exif::Value::Undefined(bytes, _), 0x9286) => {
                    let (code, text) = bytes.split_at(bytes.len().min(8));
                    match code.starts_with(b"UNICODE") {
                        true => self.push(utf16(text, false).into()),
                        false => self.push(String::from_utf8_lossy(text)),
                    }
                }
                (exif::Value::Byte(bytes), 0x9c9b..=0x9c9f) => self.push(utf16(bytes, true).into()),
                (exif::Value::Byte(bytes) | exif::Value::Undefined(bytes, _), 700) => {
                    let _ = self.xml(bytes, false);
                }
                // Any other field of bytes that are text (a maker's note may hold the owner's
                // name); binary ones are left, their letters would give false hits.
                (exif::Value::Byte(bytes) | exif::Value::Undefined(bytes, _), _) => {
                    if let Some(text) = field_text(bytes) {
                        self.push(text.into());
                    }
                }
                _ => {}
            }
        }
    }

    fn gif(&mut self, bytes: &[u8]) -> Step {
        let short = || "the GIF image is cut short".to_string();
        let packed = *bytes.get(10).ok_or_else(short)?;
        let mut at = 13 + colour_table(packed);
        while let Some(&block) = bytes.get(at) {
            match block {
                0x21 => {
                    let label = *bytes.get(at + 1).ok_or_else(short)?;
                    let (data, end) = sub_blocks(bytes, at + 2).ok_or_else(short)?;
                    if label == 0xfe {
                        self.push(String::from_utf8_lossy(&data));
                    }
                    if label == 0xff && data.starts_with(b"XMP DataXMP") {
                        // XMP is written raw, its bytes read as sub-block lengths.
                        let raw = &bytes[at + 14..end];
                        let close = memchr::memmem::find(raw, b"</x:xmpmeta>").map(|i| i + 12);
                        self.xml(&raw[..close.unwrap_or(0)], false)?;
                    }
                    at = end;
                }
                0x2c => {
                    let packed = *bytes.get(at + 9).ok_or_else(short)?;
                    let start = at + 10 + colour_table(packed) + 1;
                    at = sub_blocks(bytes, start).ok_or_else(short)?.1;
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn webp(&mut self, bytes: &[u8]) -> Step {
        let mut at = 12;
        while at + 8 <= bytes.len() {
            let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap_or_default());
            let end = (at + 8).saturating_add(len as usize).min(bytes.len());
            let data = &bytes[at + 8..end];
            match &bytes[at..at + 4] {
                b"EXIF" => self.exif(data.to_vec()),
                b"XMP " => self.xml(data, false)?,
                _ => {}
            }
            at = end + (len as usize & 1);
        }
        Ok(())
    }
}

/// The size of a GIF colour table that the packed byte `packed` announces.
fn colour_table(packed: u8) -> usize {
    match packed & 0x80 {
        0 => 0,
        _ => 3 << ((packed & 7) + 1),
    }
}

/// The data of the GIF sub-blocks from `at`, and where they end (after the empty block).
fn sub_blocks(bytes: &[u8], mut at: usize) -> Option<(Vec<u8>, usize)> {
    let mut data = Vec::new();
    loop {
        let len = *bytes.get(at)? as usize;
        if len == 0 {
            return Some((data, at + 1));
        }
        data.extend_from_slice(bytes.get(at + 1..at + 1 + len)?);
        at += 1 + len;
    }
}

/// UTF-16 (little-endian when `le`), every unit of it.
fn utf16_text(bytes: &[u8], le: bool) -> String {
    let units = bytes.chunks_exact(2).map(|c| match le {
        true => u16::from_le_bytes([c[0], c[1]]),
        false => u16::from_be_bytes([c[0], c[1]]),
    });
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// UTF-16 (little-endian when `le`) up to its first NUL.
fn utf16(bytes: &[u8], le: bool) -> String {
    let units = bytes.chunks_exact(2).map(|c| match le {
        true => u16::from_le_bytes([c[0], c[1]]),
        false => u16::from_be_bytes([c[0], c[1]]),
    });
    let units: Vec<u16> = units.take_while(|u| *u != 0).collect();
    String::from_utf16_lossy(&units)
}

/// Step 3: zip archives.
impl Reader {
    fn zip(&mut self, bytes: &[u8], depth: usize) -> Step {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
            .map_err(|_| "it looks like a zip archive but cannot be opened as one".to_string())?;
        self.push(String::from_utf8_lossy(archive.comment()));
        if archive.len() > MAX_MEMBERS {
            return Err(format!("it is an archive of more than {MAX_MEMBERS} files"));
        }
        // The sizes the archive declares, before anything is inflated.
        let declared: u64 = (0..archive.len())
            .filter_map(|i| archive.by_index_raw(i).ok().map(|f| f.size()))
            .fold(0, u64::saturating_add);
        if declared > self.budget {
            return Err(over_budget());
        }
        for i in 0..archive.len() {
            let member = archive
                .by_index(i)
                .map_err(|_| "a file inside it cannot be read (it may be encrypted)".to_string())?;
            let name = match member.name() {
                Ok(name) => name.into_owned(),
                Err(_) => String::from_utf8_lossy(member.name_raw()).into_owned(),
            };
            self.push(Cow::Borrowed(&name));
            self.push(Cow::Owned(member.comment().to_string()));
            if member.is_dir() {
                continue;
            }
            let declared = member.size();
            let data = self.inflate_sized(member, declared)?;
            self.member(&name, &data, depth)?;
        }
        Ok(())
    }

    /// One member of an archive: XML, a picture (or other format read here), plain text, or a
    /// few known parts without text; anything else makes the whole file unreadable.
    fn member(&mut self, name: &str, data: &[u8], depth: usize) -> Step {
        let lower = name.to_ascii_lowercase();
        let text = std::str::from_utf8(data).ok().filter(|t| !t.contains('\0'));
        let xml_name = [
            ".xml", ".rels", ".xhtml", ".html", ".htm", ".opf", ".ncx", ".svg", ".xmp", ".rdf",
        ]
        .iter()
        .any(|e| lower.ends_with(e));
        let starts_xml = text.is_some_and(|t| {
            t.trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('<')
        });
        if xml_name || starts_xml {
            return self
                .xml(data, true)
                .map_err(|why| format!("its part `{name}` {why}"));
        }
        if let Some(text) = text {
            self.push(Cow::Borrowed(text));
            return Ok(());
        }
        // LibreOffice's layout cache holds positions only; Office's printer settings are a
        // DEVMODE record that starts with the printer's name (UTF-16).
        if lower == "layout-cache" {
            return Ok(());
        }
        if lower.contains("printersettings") && lower.ends_with(".bin") {
            self.push(utf16(&data[..data.len().min(64)], true).into());
            return Ok(());
        }
        let head = &data[..data.len().min(1024)];
        if Kind::of(head).is_some() {
            return self
                .any(name, data, depth + 1)
                .map_err(|why| format!("its part `{name}` cannot be read: {why}"));
        }
        Err(format!(
            "its part `{name}` cannot be read: {}",
            why_unknown(name, head)
        ))
    }
}

/// The elements whose text nodes make one paragraph, joined without a separator: Word's `w:p`,
/// DrawingML's `a:p` (PowerPoint, charts), OpenDocument's `text:p` and `text:h`, a shared or
/// inline string of Excel (`si`, `is`), and XHTML's blocks (EPUB).
const PARAGRAPHS: &[&[u8]] = &[
    b"p", b"h", b"si", b"is", b"h1", b"h2", b"h3", b"h4", b"h5", b"h6", b"li",
];

/// Empty elements inside a paragraph that stand for a space or a line break.
const SPACERS: &[&[u8]] = &[b"tab", b"br", b"cr", b"s", b"line-break", b"ptab"];

/// The attributes of Office and OpenDocument XML that hold text a person wrote: names of sheets,
/// pictures and bookmarks, alternative text, authors of comments and changes, link targets,
/// values of pivot caches and cells. Other attributes hold codes (`ar-SA`, `ctr`) that would
/// give false hits on short entries.
const TEXT_ATTRIBUTES: &[&[u8]] = &[
    b"author",
    b"initials",
    b"name",
    b"descr",
    b"title",
    b"target",
    b"href",
    b"tooltip",
    b"display",
    b"location",
    b"v",
    b"string-value",
    b"formula",
    b"creator",
    b"label",
];

/// Step 3, XML.
impl Reader {
    /// The text of an XML document: text nodes (a paragraph's joined, see [`PARAGRAPHS`]) and
    /// attribute values: every one for XMP (`office` false), the [`TEXT_ATTRIBUTES`] for an
    /// Office document's parts. Err: why it cannot be read, to follow the part's name.
    fn xml(&mut self, xml: &[u8], office: bool) -> Step {
        use quick_xml::events::Event;
        let xml = utf8_xml(xml);
        let mut reader = quick_xml::Reader::from_reader(&xml[..]);
        reader.config_mut().check_end_names = false;
        let (mut buf, mut current, mut depth) = (Vec::new(), String::new(), 0usize);
        loop {
            let event = reader
                .read_event_into(&mut buf)
                .map_err(|_| "is not well-formed XML".to_string())?;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let local = e.local_name();
                    let paragraph = PARAGRAPHS.contains(&local.as_ref());
                    let start = matches!(event, Event::Start(_));
                    if depth > 0 && (paragraph || SPACERS.contains(&local.as_ref())) {
                        current.push(' ');
                    } else if depth == 0 {
                        self.flush(&mut current);
                    }
                    depth += usize::from(start && (paragraph || depth > 0));
                    self.attributes(e, office);
                }
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        self.flush(&mut current);
                    }
                }
                Event::Text(t) => current.push_str(&t.decode().unwrap_or_default()),
                Event::CData(t) => current.push_str(&String::from_utf8_lossy(t)),
                // A comment is not shown, but it is published with the file.
                Event::Comment(t) => self.push(String::from_utf8_lossy(t)),
                Event::PI(t) => self.push(String::from_utf8_lossy(t)),
                Event::GeneralRef(r) => current.push(match r.resolve_char_ref() {
                    Ok(Some(c)) => c,
                    _ => predefined(r).unwrap_or(' '),
                }),
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        self.flush(&mut current);
        Ok(())
    }

    fn attributes(&mut self, e: &quick_xml::events::BytesStart, office: bool) {
        for attr in e.attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref();
            let local = attr.key.local_name();
            let local = local.as_ref().to_ascii_lowercase();
            if key == b"xmlns" || key.starts_with(b"xmlns:") {
                continue;
            }
            if office && !TEXT_ATTRIBUTES.contains(&local.as_slice()) {
                continue;
            }
            let value = match attr.normalized_value(quick_xml::XmlVersion::default()) {
                Ok(value) => value.into_owned(),
                Err(_) => String::from_utf8_lossy(&attr.value).into_owned(),
            };
            // A link target may spell letters as percent-escapes (`%62` for `b`).
            if value.contains('%') {
                let decoded = percent_encoding::percent_decode_str(&value).decode_utf8_lossy();
                self.push(decoded.into_owned().into());
            }
            self.push(value.into());
        }
    }

    /// Ends one text. A long run of base64 (a printer setup, an embedded picture) is left out:
    /// what it encodes is not text a reader sees, and its letters would give false hits.
    fn flush(&mut self, current: &mut String) {
        let text = std::mem::take(current);
        let packed: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
        let base64 = packed.len() >= 64
            && packed
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        if !base64 {
            self.push(Cow::Owned(text));
        }
    }
}

/// An XML document in UTF-8: one in UTF-16 (by its byte order mark, or by its first `<` being
/// two bytes) decoded, as quick-xml reads UTF-8 only (its `encoding` feature is not on).
fn utf8_xml(xml: &[u8]) -> Cow<'_, [u8]> {
    let le = match xml {
        [0xff, 0xfe, ..] | [b'<', 0, ..] => true,
        [0xfe, 0xff, ..] | [0, b'<', ..] => false,
        _ => return Cow::Borrowed(xml),
    };
    let body = match xml.starts_with(&[0xff, 0xfe]) || xml.starts_with(&[0xfe, 0xff]) {
        true => &xml[2..],
        false => xml,
    };
    Cow::Owned(utf16_text(body, le).into_bytes())
}

/// The character of one of XML's five predefined entities.
fn predefined(r: &quick_xml::events::BytesRef) -> Option<char> {
    let name: &[u8] = r;
    Some(match name {
        b"lt" => '<',
        b"gt" => '>',
        b"amp" => '&',
        b"apos" => '\'',
        b"quot" => '"',
        _ => return None,
    })
}

/// Step 4: PDF.
impl Reader {
    fn pdf(&mut self, bytes: &[u8]) -> Step {
        let limit = usize::try_from(self.budget).unwrap_or(usize::MAX);
        let options = lopdf::LoadOptions::with_max_decompressed_size(limit);
        let doc = lopdf::Document::load_mem_with_options(bytes, options)
            .map_err(|_| "it looks like a PDF but cannot be read as one".to_string())?;
        if doc.is_encrypted() || doc.was_encrypted() {
            return Err("it is an encrypted PDF, whose text the build cannot read".into());
        }
        for (number, _) in doc.get_pages() {
            let text = doc.extract_text_with_limit(&[number], limit).map_err(|_| {
                format!("the text of its page {number} cannot be read (a font without a map to Unicode, or a damaged page)")
            })?;
            self.budget = self.budget.saturating_sub(text.len() as u64);
            let joined = join_glyph_runs(&text);
            if joined != text {
                self.push(Cow::Owned(joined));
            }
            self.push(Cow::Owned(text));
        }
        for object in doc.objects.values() {
            self.pdf_object(object, None, 0)?;
        }
        Ok(())
    }

    /// The text strings in `object` (a value of the dictionary key `key`), and the XMP of a
    /// metadata stream. Strings that are not text (file identifiers, password hashes) are
    /// skipped by their key.
    fn pdf_object(&mut self, object: &lopdf::Object, key: Option<&[u8]>, depth: usize) -> Step {
        use lopdf::Object;
        if depth > 32 {
            return Ok(());
        }
        match object {
            Object::String(..)
                if !matches!(key, Some(b"ID" | b"O" | b"U" | b"OE" | b"UE" | b"Perms")) =>
            {
                if let Ok(text) = lopdf::decode_text_string(object) {
                    self.push(Cow::Owned(text));
                }
            }
            Object::Array(items) => {
                for item in items {
                    self.pdf_object(item, None, depth + 1)?;
                }
            }
            Object::Dictionary(dict) => {
                for (k, v) in dict.iter() {
                    self.pdf_object(v, Some(k), depth + 1)?;
                }
            }
            Object::Stream(stream) => {
                for (k, v) in stream.dict.iter() {
                    self.pdf_object(v, Some(k), depth + 1)?;
                }
                let is = |k: &[u8], v: &[u8]| {
                    stream
                        .dict
                        .get(k)
                        .and_then(|o| o.as_name())
                        .is_ok_and(|n| n == v)
                };
                if is(b"Type", b"Metadata") || is(b"Subtype", b"XML") {
                    let limit = usize::try_from(self.budget).unwrap_or(usize::MAX);
                    let xml = match stream.dict.get(b"Filter") {
                        Ok(_) => stream.decompressed_content_with_limit(limit),
                        Err(_) => Ok(stream.content.clone()),
                    };
                    let xml = xml.map_err(|_| "its metadata (XMP) cannot be read".to_string())?;
                    self.budget = self.budget.saturating_sub(xml.len() as u64);
                    self.xml(&xml, false)
                        .map_err(|why| format!("its metadata (XMP) {why}"))?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// The page text with words whose letters were placed one by one made whole again. lopdf ends
/// a line at each text object and spaces each `TJ` array, and a PDF writer may place each
/// letter of a word in its own (spacing it out in a table cell, say): `C \no\nm\ne` is
/// `Come`. A one-character line joins the line before when that ended in one character too,
/// and the line after a run of them joins it; the text as read is scanned as well.
fn join_glyph_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_run = false;
    let single =
        |t: &str| t.chars().count() == 1 && t.chars().all(|c| c.is_alphanumeric() || c == '-');
    let last_token_single = |out: &str| {
        let token = out
            .trim_end()
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("");
        token.chars().count() == 1
    };
    let ends_alnum = |out: &str| {
        out.trim_end()
            .ends_with(|c: char| c.is_alphanumeric() || c == '-')
    };
    for line in text.split('\n') {
        let t = line.trim_end();
        let joins = !out.is_empty()
            && ends_alnum(&out)
            && if single(t) {
                in_run || last_token_single(&out)
            } else {
                in_run && t.starts_with(char::is_alphanumeric)
            };
        if joins {
            out.truncate(out.trim_end().len());
            out.push_str(line);
            in_run = single(t);
        } else {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
            in_run = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str, bytes: &[u8]) -> Vec<String> {
        match carried(name, bytes) {
            Carried::Texts(t) => t,
            Carried::Unreadable(why) => panic!("{name}: {why}"),
        }
    }

    #[test]
    fn a_word_split_across_runs_is_joined_and_paragraphs_are_apart() {
        let mut r = Reader {
            texts: Vec::new(),
            budget: 1 << 20,
        };
        let xml = br#"<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>In Ex</w:t></w:r><w:r><w:t>ampleton</w:t></w:r><w:r><w:tab/><w:t>Borough</w:t></w:r></w:p><w:p w:rsidR="00AB"><w:r><w:t>next</w:t></w:r></w:p><w:lang w:bidi="ar-SA"/></w:body></w:document>"#;
        r.xml(xml, true).unwrap();
        assert_eq!(r.texts, ["In Exampleton Borough", "next"]);
        let mut r = Reader {
            texts: Vec::new(),
            budget: 1 << 20,
        };
        r.xml(br#"<x:xmpmeta><rdf:Description photoshop:City="Oldtown"><dc:title>T &amp; U&#x41;</dc:title></rdf:Description></x:xmpmeta>"#, false).unwrap();
        assert_eq!(r.texts, ["Oldtown", "T & UA"]);
    }

    #[test]
    fn a_png_text_chunk_is_read_and_pixels_are_not() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            png.extend((data.len() as u32).to_be_bytes());
            png.extend(kind);
            png.extend(data);
            png.extend([0; 4]);
        };
        chunk(b"IDAT", b"ne ne ne");
        chunk(b"tEXt", b"Author\0Oldtown");
        chunk(b"IEND", b"");
        assert_eq!(texts("a.png", &png), ["Author", "Oldtown"]);
    }

    #[test]
    fn letters_placed_one_by_one_are_joined() {
        let text = "not supported \nC\no\nm\ne\nb for x \nPrimary care c \no\n-\nc\no\nm\nb\n—\npartly \nA\nB \n";
        assert_eq!(
            join_glyph_runs(text),
            "not supported \nComeb for x \nPrimary care co-comb\n—\npartly \nAB \n"
        );
    }

    #[test]
    fn a_damaged_pdf_and_an_archive_with_a_binary_part_are_unreadable() {
        let Carried::Unreadable(why) = carried("a.pdf", b"%PDF-1.7\n1 0 obj << /Ty") else {
            panic!()
        };
        assert!(why.contains("PDF"), "{why}");
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        w.start_file("word/Oldtown.xml", options).unwrap();
        std::io::Write::write_all(&mut w, b"<a>x</a>").unwrap();
        w.start_file("word/embeddings/oleObject1.bin", options)
            .unwrap();
        std::io::Write::write_all(&mut w, b"\xd0\xcf\x11\xe0\0\0\xff").unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let Carried::Unreadable(why) = carried("a.docx", &bytes) else {
            panic!()
        };
        assert!(why.contains("`word/embeddings/oleObject1.bin`"), "{why}");
    }

    #[test]
    fn a_metadata_value_is_text_in_utf8_or_utf16_and_binary_is_not() {
        let le: Vec<u8> = "Area A".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = "Area A".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(field_text(&le).as_deref(), Some("Area A"));
        assert_eq!(field_text(&be).as_deref(), Some("Area A"));
        assert_eq!(field_text(b"Area A\0\0").as_deref(), Some("Area A"));
        assert_eq!(field_text(&[0x01, 0x9c, 0xfe, 0x41, 0x17]), None);
    }

    #[test]
    fn unknown_files_are_unreadable_with_a_reason() {
        let Carried::Unreadable(why) = carried("v/intro.mp4", b"\0\0\0\x18ftypmp42") else {
            panic!()
        };
        assert!(why.contains("video"), "{why}");
    }
}
