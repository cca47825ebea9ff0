//! `realist serve` end to end: the real binary on a free port, spoken to over HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BASE: &str = "/research/t/";
const WAIT: Duration = Duration::from_secs(15);

use crate::common;

/// The shared minimal report, with a body sentence the tests edit.
fn report() -> String {
    common::R1.replace(
        "## Findings {#findings}\ntext\n",
        "## Findings {#findings}\nThe first version of the findings.\n",
    )
}

/// A minimal valid site, with a few static files of the types the server must label.
fn site(dir: &Path) -> PathBuf {
    let root = dir.join("site");
    let report = report();
    let files: &[(&str, &[u8])] = &[
        (
            "site.yaml",
            b"title: \"T\"\nbase_url: \"https://www.example.ac.uk/research/t/\"\n",
        ),
        ("content/studies/s.md", b"---\ntitle: S\n---\nbody\n"),
        (
            "content/tracers/tr.md",
            b"---\ntitle: Tr\nstudy: study/s\nkind: service\n---\n",
        ),
        (
            "content/areas/a1.md",
            b"---\ntitle: A1\nstudy: study/s\nanonymised: true\n---\n",
        ),
        ("content/theories/pt.md", b"---\ntitle: PT\nstudy: study/s\nstatement: {if: x, then: y, because: z}\nstatus: untested\nlevel: policy\n---\n"),
        (
            "content/pages/accessibility.md",
            b"---\ntitle: Accessibility\n---\ntext\n",
        ),
        ("content/reports/r1.md", report.as_bytes()),
        ("static/img/logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
        ("static/img/photo.png", b"\x89PNG\r\n\x1a\n"),
        ("static/img/photo.jpg", b"\xff\xd8\xff\xe0"),
        ("static/fonts/f.woff2", b"wOF2"),
        ("static/data/notes.txt", b"notes"),
    ];
    for (rel, bytes) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    root
}

/// A running `realist serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    url: String,
    tmp: PathBuf,
}

impl Server {
    fn start(root: &Path, tmp: &Path) -> Server {
        let serve_tmp = tmp.join("serve-tmp");
        std::fs::create_dir_all(&serve_tmp).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_realist"))
            .args(["serve", "--root"])
            .arg(root)
            .args(["--port", "0"])
            .env("TMPDIR", &serve_tmp)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(url) = line
                    .strip_prefix("Serving ")
                    .and_then(|l| l.split(" at ").last())
                {
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let url = match rx.recv_timeout(WAIT) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("realist serve did not print its URL");
            }
        };
        let rest = url.strip_prefix("http://").expect("an http URL");
        let (addr, path) = rest.split_at(rest.find('/').unwrap());
        assert_eq!(path, BASE, "served under the path of base_url");
        assert!(
            addr.starts_with("127.0.0.1:"),
            "binds 127.0.0.1 by default: {addr}"
        );
        assert_ne!(addr, "127.0.0.1:0", "prints the real port");
        Server {
            child,
            addr: addr.to_string(),
            url,
            tmp: serve_tmp,
        }
    }

    fn get(&self, target: &str) -> Response {
        request(&self.addr, "GET", target)
    }

    fn events(&self) -> Events {
        Events::open(&self.addr, &format!("{BASE}__realist/events"))
    }

    /// The folder being served (the newest generation with an index page).
    fn served_dir(&self) -> PathBuf {
        let mut dirs: Vec<PathBuf> = walkdir::WalkDir::new(&self.tmp)
            .max_depth(2)
            .into_iter()
            .flatten()
            .map(|e| e.path().to_path_buf())
            .filter(|p| p.join("index.html").is_file())
            .collect();
        dirs.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        dirs.pop().expect("a served folder")
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

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request with `Connection: close`; the target is sent exactly as given.
fn request(addr: &str, method: &str, target: &str) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    write!(
        stream,
        "{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Response {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A server-sent event stream.
struct Events {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Events {
    fn open(addr: &str, target: &str) -> Events {
        let mut stream = TcpStream::connect(addr).unwrap();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut events = Events {
            stream,
            buf: Vec::new(),
        };
        let head = events.read_until(b"\r\n\r\n", WAIT).expect("response head");
        let head = String::from_utf8_lossy(&head).into_owned();
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("text/event-stream"), "{head}");
        events
    }

    fn read_until(&mut self, delimiter: &[u8], timeout: Duration) -> Option<Vec<u8>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(i) = self
                .buf
                .windows(delimiter.len())
                .position(|w| w == delimiter)
            {
                let block = self.buf[..i].to_vec();
                self.buf.drain(..i + delimiter.len());
                return Some(block);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            self.stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(_) => return None,
            }
        }
    }

    /// The next event (name, JSON data), skipping comments and the retry hint.
    fn next(&mut self, timeout: Duration) -> Option<(String, serde_json::Value)> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            let block = self.read_until(b"\n\n", left)?;
            let block = String::from_utf8_lossy(&block).into_owned();
            let mut name = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = Some(n.to_string());
                } else if let Some(d) = line.strip_prefix("data: ") {
                    data.push_str(d);
                }
            }
            if let Some(name) = name {
                return Some((name, serde_json::from_str(&data).unwrap()));
            }
        }
    }

    /// Waits for an event called `name`, returning it and the events before it.
    fn expect(&mut self, name: &str) -> serde_json::Value {
        let deadline = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next(left) {
                Some((n, data)) if n == name => return data,
                Some(other) => seen.push(other),
                None => break,
            }
        }
        panic!("no `{name}` event; saw {seen:?}");
    }

    /// True if no event arrives within `quiet`.
    fn none_within(&mut self, quiet: Duration) -> bool {
        self.next(quiet).is_none()
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn serves_the_site_under_its_base_path() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let server = Server::start(&root, tmp.path());

    let r = server.get("/");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("Location"), Some(BASE));
    let r = server.get("/research/t");
    assert_eq!(r.status, 302);
    assert_eq!(r.header("Location"), Some(BASE));

    let home = server.get(BASE);
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    let html = home.text();
    assert!(html.contains("<title>"), "{html}");
    assert!(
        html.contains(&format!(
            "<script src=\"{BASE}__realist/client.js\" defer></script>"
        )),
        "the reload script is added to served HTML"
    );
    assert_eq!(
        html.matches("__realist").count(),
        1,
        "exactly one script tag"
    );
    let url = server.url.clone();
    assert!(url.ends_with(BASE));

    // The script lives only in responses, never in the built files.
    let served = server.served_dir();
    for entry in walkdir::WalkDir::new(&served).into_iter().flatten() {
        if entry.file_type().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains("__realist"),
                "{} contains the reload script",
                entry.path().display()
            );
        }
    }
    let page = server.get(&format!("{BASE}reports/r1/"));
    let on_disk = std::fs::read_to_string(served.join("reports/r1/index.html")).unwrap();
    assert_eq!(
        page.text().replace(
            &format!("<script src=\"{BASE}__realist/client.js\" defer></script>"),
            ""
        ),
        on_disk
    );

    // A folder without its slash is redirected; a missing page gets the site's 404 page.
    let r = server.get(&format!("{BASE}reports/r1"));
    assert_eq!(r.status, 301);
    assert_eq!(
        r.header("Location").map(str::to_string),
        Some(format!("{BASE}reports/r1/"))
    );
    let r = server.get(&format!("{BASE}reports/nope/"));
    assert_eq!(r.status, 404);
    assert!(r.text().contains("__realist/client.js"));
    let r = server.get("/elsewhere/");
    assert_eq!(r.status, 404);

    // HEAD answers the headers alone.
    let r = request(&server.addr, "HEAD", BASE);
    assert_eq!(r.status, 200);
    assert!(r.body.is_empty());
    let r = request(&server.addr, "POST", BASE);
    assert_eq!(r.status, 405);
}

#[test]
fn labels_every_kind_of_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let server = Server::start(&root, tmp.path());
    let cases = [
        ("", "text/html; charset=utf-8"),
        ("static/style.css", "text/css; charset=utf-8"),
        ("static/site.js", "text/javascript; charset=utf-8"),
        ("static/img/logo.svg", "image/svg+xml"),
        ("sitemap.xml", "application/xml; charset=utf-8"),
        ("atom.xml", "application/xml; charset=utf-8"),
        ("exports/cmos.json", "application/json"),
        ("exports/cmos.csv", "text/csv; charset=utf-8"),
        ("static/img/photo.png", "image/png"),
        ("static/img/photo.jpg", "image/jpeg"),
        ("static/fonts/f.woff2", "font/woff2"),
        ("static/data/notes.txt", "text/plain; charset=utf-8"),
        ("__realist/client.js", "text/javascript; charset=utf-8"),
    ];
    for (path, kind) in cases {
        let r = server.get(&format!("{BASE}{path}"));
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("Content-Type"), Some(kind), "{path}");
    }
    let png = server.get(&format!("{BASE}static/img/photo.png"));
    assert_eq!(
        png.body, b"\x89PNG\r\n\x1a\n",
        "binary files are served unchanged"
    );
    let client = server.get(&format!("{BASE}__realist/client.js")).text();
    assert!(client.contains("alertdialog"));
    assert!(client.contains("EventSource"));
}

#[test]
fn never_serves_a_file_outside_the_site() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let secret = "TOP-SECRET-CONTENT";
    std::fs::write(tmp.path().join("secret.txt"), secret).unwrap();
    std::fs::create_dir_all(tmp.path().join("outside")).unwrap();
    std::fs::write(tmp.path().join("outside/secret.txt"), secret).unwrap();
    let server = Server::start(&root, tmp.path());
    let served = server.served_dir();
    // Symbolic links planted inside the served folder, pointing out of it.
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), served.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("outside"), served.join("leakdir")).unwrap();
    assert!(server.get(&format!("{BASE}atom.xml")).status == 200);

    let attempts = [
        format!("{BASE}../../secret.txt"),
        format!("{BASE}../../../etc/passwd"),
        format!("{BASE}%2e%2e/%2e%2e/secret.txt"),
        format!("{BASE}%2E%2E/%2E%2E/%2E%2E/etc/passwd"),
        format!("{BASE}%2e%2e%2f%2e%2e%2fsecret.txt"),
        format!("{BASE}static/..%2f..%2f..%2fsecret.txt"),
        format!("{BASE}..%5c..%5csecret.txt"),
        format!("{BASE}.%2e/.%2e/secret.txt"),
        "//etc/passwd".to_string(),
        format!("{BASE}/etc/passwd"),
        format!("{BASE}%2fetc%2fpasswd"),
        "/etc/passwd".to_string(),
        "http://127.0.0.1/etc/passwd".to_string(),
        format!("{BASE}leak.txt"),
        format!("{BASE}leakdir/secret.txt"),
        format!("{BASE}leakdir/"),
        format!("{BASE}atom.xml%00.html"),
    ];
    for target in &attempts {
        let r = server.get(target);
        assert_eq!(r.status, 404, "{target}");
        let text = r.text();
        assert!(!text.contains(secret), "{target} leaked a file");
        assert!(!text.contains("root:"), "{target} leaked /etc/passwd");
    }
}

#[test]
fn an_edit_reloads_open_pages_after_the_files_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let server = Server::start(&root, tmp.path());
    let mut events = server.events();
    let hello = events.expect("hello");
    assert_eq!(hello["ok"], true);

    let report = root.join("content/reports/r1.md");
    edit(&report, "The first version", "The second version");
    let reload = events.expect("reload");
    assert_eq!(reload["ok"], true);
    let paths: Vec<&str> = reload["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(paths.contains(&"reports/r1/index.html"), "{paths:?}");
    assert!(
        !paths.contains(&"studies/s/index.html"),
        "a body edit re-renders only the pages it affects: {paths:?}"
    );
    // The event comes only after the files are in place.
    let page = server.get(&format!("{BASE}reports/r1/"));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("The second version"));

    // A title change reaches the pages that show it.
    edit(&report, "title: R1\n", "title: Renamed report\n");
    let reload = events.expect("reload");
    let paths = reload["paths"].as_array().unwrap();
    assert!(
        paths.iter().any(|p| p == "studies/s/index.html"),
        "{paths:?}"
    );
    assert!(server
        .get(&format!("{BASE}studies/s/"))
        .text()
        .contains("Renamed report"));

    // A static file is copied again, without re-rendering pages.
    std::fs::write(root.join("static/data/notes.txt"), "new notes").unwrap();
    let reload = events.expect("reload");
    assert_eq!(
        reload["paths"],
        serde_json::json!(["static/data/notes.txt"])
    );
    assert_eq!(
        server.get(&format!("{BASE}static/data/notes.txt")).text(),
        "new notes"
    );

    // Saving the same bytes again changes nothing and sends nothing.
    std::fs::write(&report, std::fs::read(&report).unwrap()).unwrap();
    assert!(events.none_within(Duration::from_millis(400)));
}

#[test]
fn build_errors_show_in_the_browser_and_go_away_when_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let mut server = Server::start(&root, tmp.path());
    let mut events = server.events();
    events.expect("hello");
    let report = root.join("content/reports/r1.md");

    // Broken front matter.
    edit(&report, "title: R1\n", "title: [R1\n");
    let errors = events.expect("errors");
    assert_eq!(errors["ok"], false);
    let first = &errors["errors"][0];
    assert_eq!(first["file"], "content/reports/r1.md");
    assert_eq!(first["line"], 3);
    assert!(first["column"].as_u64().unwrap() > 0);
    assert!(!first["message"].as_str().unwrap().is_empty());
    // The last good site is still served, and a page opened now shows the errors on load.
    let page = server.get(&format!("{BASE}reports/r1/"));
    assert_eq!(page.status, 200);
    assert!(page.text().contains("The first version"));
    let mut late = server.events();
    let hello = late.expect("hello");
    assert_eq!(hello["ok"], false);
    assert_eq!(hello["errors"][0]["file"], "content/reports/r1.md");
    let status = server.get(&format!("{BASE}__realist/status"));
    assert!(status.text().contains("\"ok\":false"));

    // Fixed: the overlay is told to go away.
    edit(&report, "title: [R1\n", "title: R1\n");
    let ok = events.expect("ok");
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["errors"].as_array().unwrap().len(), 0);
    assert_eq!(late.expect("ok")["ok"], true);

    // A broken link in the body: located, with help, then fixed by an edit that also changes text.
    edit(
        &report,
        "The first version",
        "See [nothing](@report/nope). The first version",
    );
    let errors = events.expect("errors");
    let e = &errors["errors"][0];
    assert_eq!(e["file"], "content/reports/r1.md");
    assert!(e["line"].as_u64().unwrap() >= 24, "{e}");
    assert!(e["message"].as_str().unwrap().contains("nope"), "{e}");
    edit(
        &report,
        "See [nothing](@report/nope). The first version",
        "The fixed version",
    );
    let reload = events.expect("reload");
    assert_eq!(reload["ok"], true);
    assert!(server
        .get(&format!("{BASE}reports/r1/"))
        .text()
        .contains("The fixed version"));

    // A broken template, a deleted study: errors again, and the server never exits.
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(root.join("templates/404.html"), "{% if %}").unwrap();
    events.expect("errors");
    std::fs::remove_file(root.join("templates/404.html")).unwrap();
    events.expect("reload");
    std::fs::remove_file(root.join("content/studies/s.md")).unwrap();
    events.expect("errors");
    std::fs::write(root.join("site.yaml"), "title: [").unwrap();
    let errors = events.expect("errors");
    assert_eq!(errors["errors"][0]["file"], "site.yaml");
    assert!(server.alive());
    assert_eq!(server.get(&format!("{BASE}reports/r1/")).status, 200);
}

#[test]
fn a_site_that_does_not_build_at_first_is_served_once_fixed() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let report = root.join("content/reports/r1.md");
    edit(&report, "title: R1\n", "title: [R1\n");
    let server = Server::start(&root, tmp.path());
    let r = server.get(BASE);
    assert_eq!(r.status, 503);
    assert!(r.text().contains("__realist/client.js"));
    let mut events = server.events();
    let hello = events.expect("hello");
    assert_eq!(hello["ok"], false);
    edit(&report, "title: [R1\n", "title: R1\n");
    let reload = events.expect("reload");
    assert_eq!(reload["all"], true);
    assert_eq!(server.get(BASE).status, 200);
}

#[test]
fn a_new_draft_report_shows_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path());
    let server = Server::start(&root, tmp.path());
    let mut events = server.events();
    events.expect("hello");
    let out = Command::new(env!("CARGO_BIN_EXE_realist"))
        .args(["new", "report", "my-draft", "--root"])
        .arg(&root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(root.join("content/reports/my-draft.md")).unwrap();
    assert!(text.contains("status: draft"));
    let reload = events.expect("reload");
    assert_eq!(reload["ok"], true, "{reload}");
    let page = server.get(&format!("{BASE}reports/my-draft/"));
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(html.contains("My draft"), "the archetype's title is shown");
    assert!(html.contains("Draft"), "the page says it is a draft");
}
