//! The HTTP side of `realist serve`: static files under the site's base path, the live-reload
//! event stream, and the small client script that is added to HTML responses (never to files).
//!
//! Only files inside the served folder are ever read: the request path is percent-decoded, split
//! into segments, and refused if any segment is empty, `.`, `..`, or holds a separator or NUL;
//! the file found is then canonicalised and must still be inside the canonical served folder, so a
//! symbolic link cannot lead out of it.

use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, RwLock};

use serde::Serialize;
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::diagnostics::{display_path, Diagnostic, Severity};

/// The client script: connects to the event stream, reloads, shows build errors.
pub const CLIENT_JS: &str = include_str!("client.js");

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

/// Answers one request.
pub fn handle(shared: &Shared, request: Request) {
    let base = shared
        .base_path
        .read()
        .map(|b| b.clone())
        .unwrap_or_else(|_| "/".into());
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request.respond(
            text_response(405, "method not allowed\n").with_header(header("Allow", "GET, HEAD")),
        );
        return;
    }
    let path = request_path(request.url());
    if path == "/" && base != "/" || format!("{path}/") == base {
        let _ = request.respond(redirect(302, &base));
        return;
    }
    let Some(rest) = path.strip_prefix(&base) else {
        let response = not_found(shared, &base);
        let _ = request.respond(response);
        return;
    };
    if let Some(endpoint) = rest.strip_prefix(PREFIX) {
        match endpoint {
            "events" => return events(shared, request),
            "client.js" => {
                let r = Response::from_data(CLIENT_JS.as_bytes().to_vec())
                    .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
                    .with_header(header("Cache-Control", "no-store"));
                let _ = request.respond(r);
                return;
            }
            "status" => {
                let status = shared.status.read().map(|s| s.clone()).unwrap_or_default();
                let body = serde_json::to_string(&status).unwrap_or_default();
                let r = Response::from_data(body.into_bytes())
                    .with_header(header("Content-Type", "application/json"))
                    .with_header(header("Cache-Control", "no-store"));
                let _ = request.respond(r);
                return;
            }
            _ => {
                let _ = request.respond(not_found(shared, &base));
                return;
            }
        }
    }
    let live = shared.live.read().ok().and_then(|l| l.clone());
    let Some(live) = live else {
        let _ = request.respond(not_built_yet(&base));
        return;
    };
    match resolve_file(&live, rest) {
        Resolved::File(file) => {
            let _ = request.respond(file_response(&file, 200, &base));
        }
        Resolved::AddSlash => {
            let _ = request.respond(redirect(301, &format!("{path}/")));
        }
        Resolved::NotFound => {
            let _ = request.respond(not_found(shared, &base));
        }
    }
}

/// The path of a request target, without query or fragment (also for absolute-form targets).
pub fn request_path(url: &str) -> String {
    let mut path = url;
    if let Some(rest) = path
        .strip_prefix("http://")
        .or_else(|| path.strip_prefix("https://"))
    {
        path = rest.find('/').map_or("/", |i| &rest[i..]);
    }
    let path = path.split(['?', '#']).next().unwrap_or("/");
    if path.is_empty() {
        "/".into()
    } else {
        path.to_string()
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
/// that could leave it.
pub fn resolve_file(root: &Path, rest: &str) -> Resolved {
    let Some(decoded) = percent_decode(rest) else {
        return Resolved::NotFound;
    };
    let mut file = root.to_path_buf();
    let segments: Vec<&str> = decoded.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        if seg.is_empty() {
            // Only a trailing slash (or the empty root path) may leave an empty segment.
            if i == last {
                continue;
            }
            return Resolved::NotFound;
        }
        if *seg == "." || *seg == ".." || seg.contains(['\\', '\0', ':']) {
            return Resolved::NotFound;
        }
        let mut components = Path::new(seg).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(_)), None) => file.push(seg),
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
    if canonical.is_dir() {
        if !decoded.is_empty() && !decoded.ends_with('/') {
            return Resolved::AddSlash;
        }
        let index = canonical.join("index.html");
        return match index.canonicalize() {
            Ok(c) if c.starts_with(&canonical_root) && c.is_file() => Resolved::File(c),
            _ => Resolved::NotFound,
        };
    }
    if canonical.is_file() {
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

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn text_response(status: u16, text: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(text.as_bytes().to_vec())
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

fn redirect(status: u16, location: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    text_response(status, &format!("see {location}\n")).with_header(header("Location", location))
}

fn file_response(file: &Path, status: u16, base: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let Ok(bytes) = std::fs::read(file) else {
        return text_response(404, "not found\n");
    };
    let kind = content_type(file);
    let body = if kind.starts_with("text/html") {
        inject(&String::from_utf8_lossy(&bytes), base).into_bytes()
    } else {
        bytes
    };
    Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"))
}

fn not_found(shared: &Shared, base: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let live = shared.live.read().ok().and_then(|l| l.clone());
    match live.map(|l| l.join("404.html")).filter(|p| p.is_file()) {
        Some(page) => file_response(&page, 404, base),
        None => text_response(404, "not found\n"),
    }
}

fn not_built_yet(base: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    let html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not built yet</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
         <body><main><h1>The site has not built yet</h1><p>realist serve shows the site here as \
         soon as it builds without errors. The errors are listed on this page and in the terminal.\
         </p></main></body></html>\n".to_string();
    Response::from_data(inject(&html, base).into_bytes())
        .with_status_code(StatusCode(503))
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-store"))
}

/// Opens a server-sent event stream and keeps it in `shared.clients`.
fn events(shared: &Shared, request: Request) {
    let mut writer = request.into_writer();
    let status = shared.status.read().map(|s| s.clone()).unwrap_or_default();
    let hello = serde_json::to_string(&status).unwrap_or_default();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n\
                Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\nretry: 1000\n\n";
    let ok = writer
        .write_all(head.as_bytes())
        .and_then(|_| writer.write_all(sse_message("hello", &hello).as_bytes()))
        .and_then(|_| writer.flush())
        .is_ok();
    if ok {
        if let Ok(mut clients) = shared.clients.lock() {
            clients.push(writer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_decoding() {
        assert_eq!(request_path("/a/b?x=1#y"), "/a/b");
        assert_eq!(request_path("http://h:1/a/"), "/a/");
        assert_eq!(percent_decode("%2e%2E/x").as_deref(), Some("../x"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%2"), None);
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
        for bad in [
            "../secret.txt",
            "%2e%2e/secret.txt",
            "a/%2E%2E/%2e%2e/secret.txt",
            "/etc/passwd",
            "a//index.html",
            "a/..%2f..%2fsecret.txt",
            "a%5c..%5c..%5csecret.txt",
            "a/index.html%00",
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
