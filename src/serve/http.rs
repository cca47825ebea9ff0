//! The HTTP side of `realist serve`: static files under the site's base path, the live-reload
//! event stream, and the small client script that is added to HTML responses (never to files).
//!
//! Only files inside the served folder are ever read: the request path is percent-decoded, split
//! into segments, and refused if any segment is empty, `.`, `..`, or holds a separator or NUL;
//! the file found is then canonicalised and must still be inside the canonical served folder, so a
//! symbolic link cannot lead out of it.
//!
//! Requests reach [`handle`] only after [`super::conn`] has checked that they are bounded and
//! name this server's own address. The base path may hold any character: request paths are
//! matched against it segment by segment after decoding, and it is written percent-encoded.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, RwLock};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;

use super::conn::Request;
use crate::diagnostics::{display_path, Diagnostic, Severity};

/// The client script: listens for builds, reloads, shows build errors.
pub const CLIENT_JS: &str = include_str!("client.js");
/// The shared worker that holds one event stream for all the open pages of the site.
pub const WORKER_JS: &str = include_str!("worker.js");

/// Where the server's own endpoints live, under the base path.
pub const PREFIX: &str = "__realist/";

/// What the request handlers and the build loop share.
pub struct Shared {
    /// The folder being served (None until a build has succeeded).
    pub live: RwLock<Option<PathBuf>>,
    /// The path of `base_url` (`/research/hsca12/`).
    pub base_path: RwLock<String>,
    pub status: RwLock<Status>,
    pub clients: Mutex<Vec<Box<dyn Write + Send>>>,
}

/// The state of the last build, as sent to browsers.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Status {
    /// Increases with every build that changed the served files.
    pub build: u64,
    pub ok: bool,
    pub errors: Vec<DiagnosticView>,
    pub warnings: usize,
}

/// A diagnostic for the browser overlay.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DiagnosticView {
    pub severity: &'static str,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub help: Option<String>,
}

impl DiagnosticView {
    pub fn of(d: &Diagnostic) -> DiagnosticView {
        DiagnosticView {
            severity: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            file: display_path(&d.path),
            line: d.line,
            column: d.column,
            message: d.message.clone(),
            help: d.help.clone(),
        }
    }
}

impl Shared {
    pub fn new(base_path: String) -> Shared {
        Shared {
            live: RwLock::new(None),
            base_path: RwLock::new(base_path),
            status: RwLock::new(Status::default()),
            clients: Mutex::new(Vec::new()),
        }
    }

    /// Sends one server-sent event to every connected page, dropping pages that have gone.
    pub fn broadcast(&self, event: &str, data: &str) {
        let message = sse_message(event, data);
        self.send_raw(message.as_bytes());
    }

    /// Writes a comment to every stream, so closed connections are noticed and dropped.
    pub fn keep_alive(&self) {
        self.send_raw(b": keep-alive\n\n");
    }

    fn send_raw(&self, bytes: &[u8]) {
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain_mut(|c| c.write_all(bytes).and_then(|_| c.flush()).is_ok());
        }
    }

    /// Starts an event stream on a connection (with the current status as a `hello` event)
    /// and keeps it, so later builds reach it.
    pub fn add_client(&self, mut writer: Box<dyn Write + Send>) {
        let status = self.status.read().map(|s| s.clone()).unwrap_or_default();
        let hello = serde_json::to_string(&status).unwrap_or_default();
        let head = response_head(
            200,
            &[
                ("Content-Type", "text/event-stream".into()),
                ("Connection", "keep-alive".into()),
                ("X-Accel-Buffering", "no".into()),
            ],
        );
        let ok = writer
            .write_all(head.as_bytes())
            .and_then(|_| writer.write_all(b"retry: 1000\n\n"))
            .and_then(|_| writer.write_all(sse_message("hello", &hello).as_bytes()))
            .and_then(|_| writer.flush())
            .is_ok();
        if ok {
            if let Ok(mut clients) = self.clients.lock() {
                clients.push(writer);
            }
        }
    }

    pub fn client_count(&self) -> usize {
        self.clients.lock().map(|c| c.len()).unwrap_or(0)
    }
}

pub fn sse_message(event: &str, data: &str) -> String {
    let mut s = format!("event: {event}\n");
    for line in data.lines() {
        s.push_str("data: ");
        s.push_str(line);
        s.push('\n');
    }
    s.push('\n');
    s
}

/// What a request is answered with.
pub enum Reply {
    Response(Response),
    /// The live-reload event stream: the connection is handed to [`Shared::add_client`].
    Events,
}

/// The headers of every response the server sends, event streams included.
pub const COMMON_HEADERS: [(&str, &str); 3] = [
    ("Cache-Control", "no-store"),
    ("X-Content-Type-Options", "nosniff"),
    // Pages of other sites cannot even embed what the server sends (drafts, the status) as an
    // image or script.
    ("Cross-Origin-Resource-Policy", "same-origin"),
];

/// The head of a response: status line, [`COMMON_HEADERS`], then `headers`, then the blank line.
pub fn response_head(status: u16, headers: &[(&str, String)]) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    let common = COMMON_HEADERS.iter().map(|(n, v)| (*n, *v));
    for (name, value) in common.chain(headers.iter().map(|(n, v)| (*n, v.as_str()))) {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// The reason phrase of the status codes the server sends.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// A response: status, headers (besides [`COMMON_HEADERS`], `Content-Length` and `Connection`)
/// and body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Body,
}

/// A response body: bytes in memory, or a file sent in pieces as it is read.
pub enum Body {
    Bytes(Vec<u8>),
    File(std::fs::File, u64),
}

impl Body {
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, len) => *len,
        }
    }
}

impl Response {
    /// A response with bytes for a body.
    pub fn bytes(status: u16, kind: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", kind.to_string())],
            body: Body::Bytes(body),
        }
    }

    /// A plain-text response.
    pub fn text(status: u16, text: &str) -> Response {
        Response::bytes(
            status,
            "text/plain; charset=utf-8",
            text.as_bytes().to_vec(),
        )
    }

    fn with_header(mut self, name: &'static str, value: String) -> Response {
        self.headers.push((name, value));
        self
    }
}

/// The most live-reload streams kept open at once (each page of the site holds one at most, and
/// pages share one where the browser can).
pub const MAX_EVENT_STREAMS: usize = 256;

/// Answers one request.
pub fn handle(shared: &Shared, request: &Request) -> Reply {
    let base = shared
        .base_path
        .read()
        .map(|b| b.clone())
        .unwrap_or_else(|_| "/".into());
    if !matches!(request.method.as_str(), "GET" | "HEAD") {
        let refusal = Response::text(405, "method not allowed\n");
        return Reply::Response(refusal.with_header("Allow", "GET, HEAD".into()));
    }
    let path = request_path(&request.target);
    let mount = encode_path(&base);
    if path == "/" && mount != "/" || strip_base(&format!("{path}/"), &base) == Some("") {
        return Reply::Response(redirect(302, &mount));
    }
    let Some(rest) = strip_base(&path, &base) else {
        return Reply::Response(not_found(shared, &mount));
    };
    if let Some(endpoint) = rest.strip_prefix(PREFIX) {
        return Reply::Response(match endpoint {
            "events" if request.method == "GET" => {
                if shared.client_count() >= MAX_EVENT_STREAMS {
                    // Streams of pages that have gone are only noticed when written to.
                    shared.keep_alive();
                }
                if shared.client_count() < MAX_EVENT_STREAMS {
                    return Reply::Events;
                }
                Response::text(503, "too many live-reload streams are open\n")
            }
            "events" => Response::bytes(200, "text/event-stream", Vec::new()),
            "client.js" => Response::bytes(200, JS, CLIENT_JS.as_bytes().to_vec()),
            "worker.js" => Response::bytes(200, JS, WORKER_JS.as_bytes().to_vec()),
            "status" => {
                let status = shared.status.read().map(|s| s.clone()).unwrap_or_default();
                let body = serde_json::to_string(&status).unwrap_or_default();
                Response::bytes(200, "application/json", body.into_bytes())
            }
            _ => not_found(shared, &mount),
        });
    }
    let live = shared.live.read().ok().and_then(|l| l.clone());
    let Some(live) = live else {
        return Reply::Response(not_built_yet(&mount));
    };
    Reply::Response(match resolve_file(&live, rest) {
        Resolved::File(file) => file_response(&file, 200, &mount),
        Resolved::AddSlash => redirect(301, &format!("{path}/")),
        Resolved::NotFound => not_found(shared, &mount),
    })
}

const JS: &str = "text/javascript; charset=utf-8";

/// The characters percent-encoded in a path written into a header or a page: controls, space,
/// non-ASCII, and those that could end an attribute or start markup.
const PATH_UNSAFE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'\'')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'\\')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'^');

/// A path segment encoded: as [`PATH_UNSAFE`], plus `%`, `/`, `?` and `#`, which would change
/// what the path means.
const SEGMENT_UNSAFE: &AsciiSet = &PATH_UNSAFE.add(b'%').add(b'/').add(b'?').add(b'#');

/// The base path as it is written in URLs: each segment decoded (the base may be written
/// either way in `base_url`) and encoded again, so `/café/` and `/caf%C3%A9/` both give
/// `/caf%C3%A9/`.
pub fn encode_path(base: &str) -> String {
    let mut out = String::from("/");
    for segment in base_segments(base) {
        out.extend(utf8_percent_encode(&segment, SEGMENT_UNSAFE));
        out.push('/');
    }
    out
}

/// The decoded segments of the base path (a segment whose escapes are malformed is taken as
/// written), with `.` and `..` resolved the way a browser resolves them before it asks.
fn base_segments(base: &str) -> Vec<String> {
    let mut segments: Vec<String> = Vec::new();
    for raw in base.split('/').filter(|s| !s.is_empty()) {
        let segment = percent_decode(raw).unwrap_or_else(|| raw.to_string());
        match segment.as_str() {
            "." => {}
            ".." => {
                segments.pop();
            }
            _ => segments.push(segment),
        }
    }
    segments
}

/// The rest of a request path after the base path, or None if it is not under it. Paths are
/// compared segment by segment after decoding, so any spelling of the same path matches (`é`
/// as `%C3%A9` or `%c3%a9`), while an encoded slash stays part of its segment.
pub fn strip_base<'a>(path: &'a str, base: &str) -> Option<&'a str> {
    let mut rest = path.strip_prefix('/')?;
    for want in base_segments(base) {
        let (segment, tail) = rest.split_once('/')?;
        if percent_decode(segment)? != want {
            return None;
        }
        rest = tail;
    }
    Some(rest)
}

/// A request target split into the authority of an absolute-form target (`http://name:port`,
/// the scheme matched in any case) and the path, without query or fragment. The only place the
/// server takes a request target apart: the Host check and the file lookup both use it.
pub fn split_target(target: &str) -> (Option<&str>, &str) {
    let scheme_end = ["http://", "https://"].iter().find_map(|scheme| {
        let head = target.get(..scheme.len())?;
        head.eq_ignore_ascii_case(scheme).then_some(scheme.len())
    });
    let (authority, path) = match scheme_end {
        Some(at) => {
            let rest = &target[at..];
            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            (Some(&rest[..end]), &rest[end..])
        }
        None => (None, target),
    };
    (authority, path.split(['?', '#']).next().unwrap_or(""))
}

/// The path of a request target (see [`split_target`]), `/` when empty.
pub fn request_path(target: &str) -> String {
    match split_target(target).1 {
        "" => "/".into(),
        path => path.to_string(),
    }
}

/// What a site-relative request path names.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    File(PathBuf),
    /// A folder asked for without its trailing slash.
    AddSlash,
    NotFound,
}

/// Maps the part of a request path after the base path to a file inside `root`, refusing anything
/// that could leave it. The path is split at its slashes before each segment is decoded, as the
/// base path is, so an encoded slash (`%2F`) never separates folders. A folder is named with a
/// trailing slash, a file without one.
pub fn resolve_file(root: &Path, rest: &str) -> Resolved {
    let raw: Vec<&str> = rest.split('/').collect();
    let last = raw.len() - 1;
    let mut file = root.to_path_buf();
    for (i, raw_segment) in raw.iter().enumerate() {
        let Some(seg) = percent_decode(raw_segment) else {
            return Resolved::NotFound;
        };
        if seg.is_empty() {
            // Only a trailing slash (or the empty root path) may leave an empty segment.
            if i == last {
                continue;
            }
            return Resolved::NotFound;
        }
        if seg == "." || seg == ".." || seg.contains(['/', '\\', '\0', ':']) {
            return Resolved::NotFound;
        }
        let mut components = Path::new(&seg).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(_)), None) => file.push(&seg),
            _ => return Resolved::NotFound,
        }
    }
    let Ok(canonical_root) = root.canonicalize() else {
        return Resolved::NotFound;
    };
    let Ok(canonical) = file.canonicalize() else {
        return Resolved::NotFound;
    };
    if !canonical.starts_with(&canonical_root) {
        return Resolved::NotFound;
    }
    let named_as_folder = rest.is_empty() || rest.ends_with('/');
    if canonical.is_dir() {
        if !named_as_folder {
            return Resolved::AddSlash;
        }
        let index = canonical.join("index.html");
        return match index.canonicalize() {
            Ok(c) if c.starts_with(&canonical_root) && c.is_file() => Resolved::File(c),
            _ => Resolved::NotFound,
        };
    }
    if canonical.is_file() && !named_as_folder {
        Resolved::File(canonical)
    } else {
        Resolved::NotFound
    }
}

/// Decodes `%XX` escapes; None for malformed escapes or bytes that are not UTF-8.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Content-Type for a file name.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "xml" => "application/xml; charset=utf-8",
        "json" => "application/json",
        "csv" => "text/csv; charset=utf-8",
        "txt" | "bib" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// The `<script>` tag added to every HTML response (never to the built files).
pub fn client_tag(base: &str) -> String {
    format!("<script src=\"{base}{PREFIX}client.js\" defer></script>")
}

/// `html` with the client script added before `</head>` (or `</body>`, or at the end).
pub fn inject(html: &str, base: &str) -> String {
    let tag = client_tag(base);
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("</head>")
        .or_else(|| lower.rfind("</body>"))
        .unwrap_or(html.len());
    let mut out = String::with_capacity(html.len() + tag.len());
    out.push_str(&html[..at]);
    out.push_str(&tag);
    out.push_str(&html[at..]);
    out
}

fn redirect(status: u16, location: &str) -> Response {
    let location = utf8_percent_encode(location, PATH_UNSAFE).to_string();
    Response::text(status, &format!("see {location}\n")).with_header("Location", location)
}

/// A file of the site; HTML pages get the client script, other files are sent as they are read.
fn file_response(file: &Path, status: u16, mount: &str) -> Response {
    let kind = content_type(file);
    if kind.starts_with("text/html") {
        return match std::fs::read(file) {
            Ok(bytes) => {
                let page = inject(&String::from_utf8_lossy(&bytes), mount);
                Response::bytes(status, kind, page.into_bytes())
            }
            Err(_) => Response::text(404, "not found\n"),
        };
    }
    let opened = std::fs::File::open(file).and_then(|f| Ok((f.metadata()?.len(), f)));
    match opened {
        Ok((len, f)) => Response {
            body: Body::File(f, len),
            ..Response::bytes(status, kind, Vec::new())
        },
        Err(_) => Response::text(404, "not found\n"),
    }
}

fn not_found(shared: &Shared, mount: &str) -> Response {
    let live = shared.live.read().ok().and_then(|l| l.clone());
    match live.map(|l| l.join("404.html")).filter(|p| p.is_file()) {
        Some(page) => file_response(&page, 404, mount),
        None => Response::text(404, "not found\n"),
    }
}

fn not_built_yet(mount: &str) -> Response {
    let html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not built yet</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
         <body><main><h1>The site has not built yet</h1><p>realist serve shows the site here as \
         soon as it builds without errors. The errors are listed on this page and in the terminal.\
         </p></main></body></html>\n";
    Response::bytes(
        503,
        "text/html; charset=utf-8",
        inject(html, mount).into_bytes(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_decoding() {
        assert_eq!(request_path("/a/b?x=1#y"), "/a/b");
        assert_eq!(request_path("http://h:1/a/"), "/a/");
        for target in ["HTTP://h:1/a/?q", "Https://h:1/a/#f", "hTtP://h:1/a/"] {
            assert_eq!(request_path(target), "/a/", "{target}");
            assert_eq!(split_target(target).0, Some("h:1"), "{target}");
        }
        assert_eq!(split_target("http://h:1?x"), (Some("h:1"), ""));
        assert_eq!(request_path("http://h:1"), "/");
        assert_eq!(split_target("/http://h/a"), (None, "/http://h/a"));
        assert_eq!(percent_decode("%2e%2E/x").as_deref(), Some("../x"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%2"), None);
    }

    #[test]
    fn base_paths() {
        assert_eq!(encode_path("/café/"), "/caf%C3%A9/");
        assert_eq!(encode_path("/caf%c3%a9/"), "/caf%C3%A9/");
        assert_eq!(encode_path("/a b/\"<x>/"), "/a%20b/%22%3Cx%3E/");
        assert_eq!(encode_path("/a%2Fb/"), "/a%2Fb/");
        assert_eq!(encode_path("/a/./../b/%2e%2E/c/"), "/c/");
        assert_eq!(encode_path("/100%/"), "/100%25/");
        assert_eq!(strip_base("/caf%c3%a9/x", "/café/"), Some("x"));
        assert_eq!(strip_base("/café/x", "/caf%C3%A9/"), Some("x"));
        assert_eq!(strip_base("/a/b/x", "/a%2Fb/"), None);
        assert_eq!(strip_base("/a%2fb/x", "/a%2Fb/"), Some("x"));
        assert_eq!(strip_base("/caf", "/café/"), None);
        assert_eq!(strip_base("/x", "/"), Some("x"));
    }

    #[test]
    fn injects_before_head_end() {
        assert_eq!(
            inject("<html><head></head><body></body></html>", "/b/"),
            "<html><head><script src=\"/b/__realist/client.js\" defer></script></head><body></body></html>"
        );
        assert!(inject("plain", "/").ends_with("</script>"));
    }

    #[test]
    fn refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("realist-http-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("site/a")).unwrap();
        std::fs::write(dir.join("site/a/index.html"), "x").unwrap();
        std::fs::write(dir.join("secret.txt"), "s").unwrap();
        let site = dir.join("site");
        assert!(matches!(resolve_file(&site, "a/"), Resolved::File(_)));
        assert_eq!(resolve_file(&site, "a"), Resolved::AddSlash);
        assert!(matches!(
            resolve_file(&site, "a/index.html"),
            Resolved::File(_)
        ));
        assert!(matches!(
            resolve_file(&site, "%61/index%2Ehtml"),
            Resolved::File(_)
        ));
        for bad in [
            "../secret.txt",
            "%2e%2e/secret.txt",
            "a/%2E%2E/%2e%2e/secret.txt",
            "/etc/passwd",
            "a//index.html",
            "a/..%2f..%2fsecret.txt",
            "a%5c..%5c..%5csecret.txt",
            "a/index.html%00",
            "a/index.html/",
            "a%2Findex.html",
            "a%2findex.html",
            "a%2F",
            "a/index.html%2F",
        ] {
            assert_eq!(resolve_file(&site, bad), Resolved::NotFound, "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("secret.txt"), site.join("link.txt")).unwrap();
            assert_eq!(resolve_file(&site, "link.txt"), Resolved::NotFound);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
