//! Safety: the development server. It answers only requests that name its own address (so a DNS
//! rebinding page cannot read drafts or the status), serves a base path with any characters in
//! it, and bounds what it reads of a request. The real binary runs on a free loopback port and
//! is spoken to with raw bytes; every request has a time limit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;

const WAIT: Duration = Duration::from_secs(20);

/// A running `realist serve`, killed when dropped.
struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    addr: String,
    port: u16,
    /// The base path as printed (percent-encoded), e.g. `/caf%C3%A9/`.
    base: String,
    _tmp: tempfile::TempDir,
}

impl Server {
    /// Serves the minimal site with the given `base_url`.
    fn start(base_url: &str) -> Server {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        for (rel, text) in common::minimal_files() {
            let text = if rel == "site.yaml" {
                format!("title: \"T\"\nbase_url: \"{base_url}\"\n")
            } else {
                text
            };
            write(&root.join(rel), text.as_bytes());
        }
        let serve_tmp = tmp.path().join("serve-tmp");
        std::fs::create_dir_all(&serve_tmp).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_realist"))
            .args(["serve", "--port", "0", "--root"])
            .arg(&root)
            .env("TMPDIR", &serve_tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let line = lines
            .find_map(|l| l.ok().filter(|l| l.starts_with("Serving ")))
            .expect("the Serving line");
        let url = line.rsplit(" at ").next().unwrap().trim().to_string();
        let rest = url.strip_prefix("http://").expect("an http URL");
        let (addr, base) = rest.split_at(rest.find('/').unwrap());
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        // Drain stdout so the server never blocks writing to it.
        std::thread::spawn(move || lines.for_each(drop));
        Server {
            child,
            addr: addr.to_string(),
            port,
            base: base.to_string(),
            _tmp: tmp,
        }
    }

    /// A GET of `target` with the given Host header value.
    fn get_as(&self, host: &str, target: &str) -> Reply {
        let raw = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        self.send(raw.as_bytes())
    }

    fn get(&self, target: &str) -> Reply {
        self.get_as(&self.addr.clone(), target)
    }

    /// Sends raw bytes and reads the whole answer (the connection is closed by one side).
    fn send(&self, raw: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.set_write_timeout(Some(WAIT)).unwrap();
        // The server may answer and close before reading everything: that is the point of some
        // tests, so a failed write is not an error here.
        let _ = stream.write_all(raw);
        Reply::read(&mut stream)
    }

    /// The folder given to the server as its TMPDIR.
    fn tmpdir(&self) -> std::path::PathBuf {
        self._tmp.path().join("serve-tmp")
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A response: status (0 when there was none), head and body.
#[derive(Debug)]
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn read(stream: &mut TcpStream) -> Reply {
        let mut raw = Vec::new();
        let mut chunk = [0u8; 65536];
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&chunk[..n]),
            }
        }
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Reply {
            status,
            head: head.to_string(),
            body: body.to_string(),
        }
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

#[test]
fn the_server_answers_only_requests_for_its_own_address() {
    let server = Server::start("https://www.example.ac.uk/research/t/");
    let (port, base) = (server.port, server.base.clone());
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("LOCALHOST:{port}"),
        format!("LocalHost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let r = server.get_as(&host, &base);
        assert_eq!(r.status, 200, "Host: {host} must be served");
        assert_eq!(
            r.header("Cross-Origin-Resource-Policy").as_deref(),
            Some("same-origin"),
            "other sites cannot embed what the server sends"
        );
    }
    let targets = [
        base.clone(),
        format!("{base}__realist/status"),
        format!("{base}__realist/events"),
        format!("{base}__realist/client.js"),
        format!("{base}reports/r1/"),
        "/".to_string(),
    ];
    let foreign = [
        format!("evil.com:{port}"),
        "evil.com".to_string(),
        format!("127.0.0.1.evil.com:{port}"),
        format!("localhost.evil.com:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{port}@evil.com"),
        format!("evil.com:{port}#127.0.0.1:{port}"),
        format!("10.0.0.1:{port}"),
        format!("[::2]:{port}"),
    ];
    for target in &targets {
        for host in &foreign {
            let r = server.get_as(host, target);
            assert!(
                r.status == 403 || r.status == 421,
                "Host: {host} {target} -> {} {}",
                r.status,
                r.body
            );
            assert!(
                !r.body.contains("\"build\""),
                "{host} {target} read the status"
            );
            assert!(!r.body.contains("<html"), "{host} {target} read a page");
            assert!(r.body.contains("address"), "a plain reason: {}", r.body);
        }
    }
    // No Host, two Hosts, and an absolute-form target naming another host.
    let odd = [
        format!("GET {base} HTTP/1.1\r\nConnection: close\r\n\r\n"),
        format!("GET {base} HTTP/1.0\r\n\r\n"),
        format!(
            "GET {base} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: evil.com\r\nConnection: close\r\n\r\n"
        ),
        format!("GET http://evil.com{base} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
        format!(
            "GET http://evil.com:{port}{base}__realist/status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        ),
    ];
    for raw in &odd {
        let r = server.send(raw.as_bytes());
        assert!(
            matches!(r.status, 400 | 403 | 421),
            "{raw:?} -> {} {}",
            r.status,
            r.body
        );
        assert!(
            !r.body.contains("<html") && !r.body.contains("\"build\""),
            "{raw:?}"
        );
    }
}

#[test]
fn a_base_path_with_any_characters_is_served() {
    // (base_url, the encoded base path, another spelling of it a browser may send)
    let cases = [
        ("https://x.ac.uk/café/", "/caf%C3%A9/", Some("/caf%c3%a9/")),
        (
            "https://x.ac.uk/caf%C3%A9/",
            "/caf%C3%A9/",
            Some("/caf%c3%a9/"),
        ),
        ("https://x.ac.uk/my%20site/", "/my%20site/", None),
        ("https://x.ac.uk/r/a%2Fb/", "/r/a%2Fb/", Some("/r/a%2fb/")),
        (
            "https://x.ac.uk/研究/ü/",
            "/%E7%A0%94%E7%A9%B6/%C3%BC/",
            None,
        ),
    ];
    for (base_url, encoded, other) in cases {
        let mut server = Server::start(base_url);
        assert_eq!(server.base, encoded, "the URL printed for {base_url}");
        let page = server.get(encoded);
        assert_eq!(page.status, 200, "{base_url}: {encoded} -> {}", page.head);
        assert!(
            page.body
                .contains(&format!("<script src=\"{encoded}__realist/client.js\"")),
            "{base_url}: the client script under the encoded base"
        );
        if let Some(other) = other {
            assert_eq!(server.get(other).status, 200, "{base_url}: {other}");
        }
        for target in ["/", encoded.trim_end_matches('/')] {
            let r = server.get(target);
            assert_eq!(r.status, 302, "{base_url}: {target} redirects");
            assert_eq!(r.header("Location").as_deref(), Some(encoded), "{base_url}");
        }
        let css = server.get(&format!("{encoded}static/print.css"));
        assert!(css.status == 200 || css.status == 404, "{base_url}");
        assert!(
            server.get("/r/a/b/").status == 404,
            "an encoded slash is not a slash"
        );
        assert_eq!(
            server.get(&format!("{encoded}__realist/status")).status,
            200
        );
        assert!(server.alive(), "{base_url}: the server is still running");
    }
}

#[test]
fn request_heads_and_bodies_are_bounded() {
    let mut server = Server::start("https://www.example.ac.uk/research/t/");
    let (addr, base) = (server.addr.clone(), server.base.clone());
    let get = |extra: &str| format!("GET {base} HTTP/1.1\r\nHost: {addr}\r\n{extra}\r\n");
    let huge_field = format!("X-Big: {}\r\n", "a".repeat(100_000));
    let many_fields: String = (0..200).map(|i| format!("X-F{i}: v\r\n")).collect();
    let long_target = format!(
        "GET {base}{} HTTP/1.1\r\nHost: {addr}\r\n\r\n",
        "a".repeat(70_000)
    );
    let cases: Vec<(String, &[u16])> = vec![
        (get(&huge_field), &[431]),
        (get(&many_fields), &[431]),
        (long_target, &[414, 431]),
        (get("Content-Length: 1000000000000\r\n"), &[413]),
        (
            get("Content-Length: 99999999999999999999999\r\n"),
            &[400, 413],
        ),
        (get("Content-Length: 20000000\r\n"), &[413]),
        (get("Transfer-Encoding: chunked\r\n"), &[413]),
        (get("Content-Length: 5\r\nContent-Length: 6\r\n"), &[400]),
        (get("Content-Length: -1\r\n"), &[400]),
        (
            format!("POST {base} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 4294967296\r\n\r\n"),
            &[413],
        ),
    ];
    for (raw, allowed) in &cases {
        let started = Instant::now();
        let r = server.send(raw.as_bytes());
        let shown = &raw[..raw.len().min(120)];
        assert!(
            allowed.contains(&r.status),
            "{shown:?} -> {} {}",
            r.status,
            r.body
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{shown:?}: answered at once, without waiting for the body"
        );
    }
    // A header that never ends: the server stops reading long before 64 MiB.
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream.set_write_timeout(Some(WAIT)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(stream, "GET {base} HTTP/1.1\r\nHost: {addr}\r\nX-Endless: ").unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    let sent = (0..1024)
        .take_while(|_| stream.write_all(&chunk).is_ok())
        .count();
    assert!(sent < 1024, "the server read a 64 MiB header to its end");
    // A small body is read and dropped, and the connection goes on to the next request.
    let two = format!(
        "GET {base} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 5\r\n\r\nhelloGET {base}__realist/status HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let r = server.send(two.as_bytes());
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains("\"build\""),
        "the second request was answered"
    );
    assert!(server.alive());
    assert_eq!(server.get(&base).status, 200, "still serving");
}

#[test]
fn idle_connections_and_open_streams_do_not_block_pages() {
    let server = Server::start("https://www.example.ac.uk/research/t/");
    let (addr, base) = (server.addr.clone(), server.base.clone());
    let mut held = Vec::new();
    for i in 0..100 {
        let mut s = TcpStream::connect(&addr).unwrap();
        // Half send the start of a request and stop; half open a live-reload stream.
        let raw = if i % 2 == 0 {
            format!("GET {base} HTTP/1.1\r\nHost: ")
        } else {
            format!("GET {base}__realist/events HTTP/1.1\r\nHost: {addr}\r\n\r\n")
        };
        s.write_all(raw.as_bytes()).unwrap();
        held.push(s);
    }
    for _ in 0..20 {
        let started = Instant::now();
        assert_eq!(server.get(&format!("{base}static/print.css")).status, 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a page file waited"
        );
    }
}

#[cfg(unix)]
#[test]
fn drafts_are_built_into_a_folder_only_its_owner_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let mut server = Server::start("https://www.example.ac.uk/research/t/");
    assert_eq!(server.get(&server.base.clone()).status, 200);
    let made: Vec<_> = std::fs::read_dir(server.tmpdir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(made.len(), 1, "one output folder: {made:?}");
    let dir = &made[0];
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.starts_with("realist-serve-"), "{name}");
    let meta = std::fs::symlink_metadata(dir).unwrap();
    assert!(meta.is_dir(), "a real folder, not a link");
    assert_eq!(meta.permissions().mode() & 0o777, 0o700, "{name}");
    assert!(server.alive());
}

/// Sends raw bytes and reads only the response head (an event stream never ends).
fn head_only(addr: &str, raw: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") && raw.len() < 65536 {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&raw).into_owned()
}

#[test]
fn every_response_carries_the_same_protective_headers() {
    let server = Server::start("https://www.example.ac.uk/research/t/");
    let (addr, base) = (server.addr.clone(), server.base.clone());
    let get = |target: &str| format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    let requests = [
        get(&format!("{base}__realist/events")),
        get(&base),
        get(&format!("{base}static/print.css")),
        get(&format!("{base}__realist/status")),
        get(&format!("{base}__realist/client.js")),
        get(&format!("{base}__realist/worker.js")),
        get(&format!("{base}no-such-page/")),
        get("/"),
        get(&format!("{base}reports")),
        format!("HEAD {base}__realist/events HTTP/1.1\r\nHost: {addr}\r\n\r\n"),
        format!("POST {base} HTTP/1.1\r\nHost: {addr}\r\n\r\n"),
        format!("GET {base} HTTP/1.1\r\nHost: evil.com\r\n\r\n"),
        format!("GET {base} HTTP/1.1\r\n\r\n"),
        format!("GET {base} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 99999999\r\n\r\n"),
        "NOT HTTP\r\n\r\n".to_string(),
    ];
    for raw in &requests {
        let head = head_only(&addr, raw).to_ascii_lowercase();
        assert!(head.starts_with("http/1.1 "), "{raw:?}: {head}");
        for wanted in [
            "cross-origin-resource-policy: same-origin\r\n",
            "x-content-type-options: nosniff\r\n",
            "cache-control: no-store\r\n",
        ] {
            assert!(head.contains(wanted), "{raw:?} lacks {wanted:?}: {head}");
        }
    }
}

#[test]
fn an_absolute_form_target_is_read_whatever_the_case_of_its_scheme() {
    let server = Server::start("https://www.example.ac.uk/research/t/");
    let (addr, base) = (server.addr.clone(), server.base.clone());
    for scheme in ["http", "HTTP", "Http", "hTTp", "HTTPS"] {
        for (path, status) in [
            (base.clone(), 200),
            (format!("{base}static/print.css"), 200),
            (format!("{base}__realist/status?x=1"), 200),
            (format!("{base}no-such-page/"), 404),
        ] {
            let raw = format!(
                "GET {scheme}://{addr}{path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
            );
            let r = server.send(raw.as_bytes());
            assert_eq!(r.status, status, "{scheme}://{addr}{path}: {}", r.head);
        }
        // Another host in the target is refused in any case.
        let raw = format!(
            "GET {scheme}://EVIL.com{base} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        assert_eq!(server.send(raw.as_bytes()).status, 421, "{scheme}");
    }
}

#[test]
fn a_file_is_named_without_a_trailing_slash_and_an_encoded_slash_is_no_separator() {
    let server = Server::start("https://www.example.ac.uk/research/t/");
    let base = server.base.clone();
    for ok in [
        format!("{base}index.html"),
        format!("{base}static/print.css"),
        format!("{base}static/print%2Ecss"),
        format!("{base}%73tatic/print.css"),
        format!("{base}reports/r1/"),
        format!("{base}reports/r1/index.html"),
    ] {
        assert_eq!(server.get(&ok).status, 200, "{ok}");
    }
    for missing in [
        format!("{base}index.html/"),
        format!("{base}static/print.css/"),
        format!("{base}static/print.css%2F"),
        format!("{base}reports/r1/index.html/"),
        format!("{base}static%2Fprint.css"),
        format!("{base}static%2fprint.css"),
        format!("{base}reports%2Fr1/"),
        format!("{base}reports%2Fr1%2Findex.html"),
        format!("{base}reports/r1%2Findex.html"),
        format!("{base}static%252Fprint.css"),
    ] {
        let r = server.get(&missing);
        assert_eq!(r.status, 404, "{missing}: {}", r.head);
        assert!(!r.body.contains("@media"), "{missing} sent the style sheet");
    }
    // The base path follows the same rule: an encoded slash stays inside its segment.
    let r = server.get(&format!("{}%2Ft/", base.trim_end_matches("/t/")));
    assert_eq!(r.status, 404, "{}", r.head);
}

#[test]
fn a_base_path_holding_the_servers_own_file_names_is_served() {
    let server = Server::start("https://x.ac.uk/__realist/client.js/");
    let base = server.base.clone();
    assert_eq!(base, "/__realist/client.js/");
    let page = server.get(&base);
    assert_eq!(page.status, 200, "{}", page.head);
    assert!(page
        .body
        .contains("src=\"/__realist/client.js/__realist/client.js\""));
    let client = server.get(&format!("{base}__realist/client.js"));
    assert_eq!(client.status, 200);
    assert!(
        client.body.contains("lastIndexOf(own)") && !client.body.contains(".replace(/__realist"),
        "the client cuts its own name off the end of its URL only"
    );
    assert_eq!(
        server.get(&format!("{base}__realist/worker.js")).status,
        200
    );
    assert_eq!(server.get(&format!("{base}__realist/status")).status, 200);
    let events = head_only(
        &server.addr,
        &format!(
            "GET {base}__realist/events HTTP/1.1\r\nHost: {}\r\n\r\n",
            server.addr
        ),
    );
    assert!(events.contains("text/event-stream"), "{events}");
    // What a client cutting at the first match would ask for is not the server's.
    assert_eq!(server.get("/__realist/events").status, 404);
}
