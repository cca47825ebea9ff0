//! The connection side of `realist serve`: accepting connections, reading one bounded request
//! head at a time, refusing requests for other hosts and requests with bodies, and writing
//! responses (with keep-alive). What a request is answered with is decided in [`super::http`].
//!
//! Written on `std::net` with `httparse` for the parsing, instead of a server crate, because the
//! server crate used before bounded nothing: it read header lines of any length and any number of
//! them, and on a request with a body it allocated a buffer as long as the body claimed to be.
//! Every limit here is a constant below. Each connection has its own thread, at most
//! [`MAX_CONNECTIONS`] at once; a client that sends its request slowly holds one for at most
//! [`HEAD_TIME`], and one that stops reading for at most [`WRITE_TIME`] per write.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::http::{self, Body, Reply, Response, Shared};

/// The longest request head (request line and headers) read, in bytes.
pub const MAX_HEAD: usize = 16 * 1024;
/// The most header fields a request may have.
pub const MAX_HEADERS: usize = 64;
/// The longest body read (and thrown away): GET and HEAD carry none, so anything longer is refused.
pub const MAX_BODY: u64 = 16 * 1024;
/// The most connections answered at once (event streams are not counted: they hold no thread).
pub const MAX_CONNECTIONS: usize = 512;
/// How long a connection may take to send a request head, counted from the end of the last
/// response (so this is also how long an idle keep-alive connection stays open).
pub const HEAD_TIME: Duration = Duration::from_secs(20);
/// How long writing to a client may block before the client is dropped.
pub const WRITE_TIME: Duration = Duration::from_secs(5);

/// The host names a request may name in its `Host` header: the address the server listens on
/// and the loopback names, all with the server's port. A page on any other host name (a DNS
/// rebinding attack points an attacker's name at 127.0.0.1) is refused, so it cannot read drafts
/// or the status.
#[derive(Debug, Clone)]
pub struct Hosts {
    port: u16,
    names: Vec<String>,
    /// Listening on every address (0.0.0.0 or ::): any IP address literal names this server.
    any_ip: bool,
}

impl Hosts {
    /// The hosts of a server listening on `local`, asked to bind `bind` (a name or an address).
    pub fn new(bind: &str, local: SocketAddr) -> Hosts {
        let mut names = vec!["localhost".to_string(), "127.0.0.1".into(), "[::1]".into()];
        names.push(ip_name(local.ip()));
        let bind = bind.trim().to_ascii_lowercase();
        match bind.parse::<IpAddr>() {
            Ok(ip) => names.push(ip_name(ip)),
            Err(_) if !bind.is_empty() => names.push(bind),
            Err(_) => {}
        }
        Hosts {
            port: local.port(),
            names,
            any_ip: local.ip().is_unspecified(),
        }
    }

    /// Whether a `Host` header value (`name:port`, `[v6]:port`, or a name alone for port 80)
    /// names this server.
    pub fn allows(&self, host: &str) -> bool {
        self.check(host, self.port == 80)
    }

    /// Whether the authority of an absolute-form target (`GET http://name[:port]/`) names this
    /// server. Browsers send that form only to proxies, never to a page's own server, so the
    /// name must match but the port may be left out.
    pub fn allows_authority(&self, authority: &str) -> bool {
        self.check(authority, true)
    }

    fn check(&self, host: &str, port_optional: bool) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) if !port.contains(']') => (name, Some(port)),
            _ => (host.as_str(), None),
        };
        let port_ok = match port {
            Some(p) => p.parse::<u16>().ok() == Some(self.port) && !p.starts_with('+'),
            None => port_optional,
        };
        let literal = name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .unwrap_or(name)
            .parse::<IpAddr>()
            .is_ok();
        port_ok && (self.names.iter().any(|n| n == name) || self.any_ip && literal)
    }
}

/// An address as it appears in a `Host` header: IPv6 in brackets.
fn ip_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// A parsed request head.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The request target exactly as sent (origin form `/a/b?q` or absolute form).
    pub target: String,
    keep_alive: bool,
}

/// Accepts connections until the listener fails for good, each on its own thread.
pub fn serve(listener: TcpListener, shared: Arc<Shared>, hosts: Arc<Hosts>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of file descriptors, or a connection reset before it was accepted: wait a
            // little rather than spin, and go on.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        if active.load(Ordering::Acquire) >= MAX_CONNECTIONS {
            let _ = stream.set_write_timeout(Some(WRITE_TIME));
            let refusal = Response::text(503, "the server is busy: too many connections\n");
            let _ = write_response(&mut stream, &refusal, false, false);
            continue;
        }
        active.fetch_add(1, Ordering::AcqRel);
        let (shared, hosts) = (Arc::clone(&shared), Arc::clone(&hosts));
        let done = Arc::clone(&active);
        let spawned = std::thread::Builder::new()
            .name("realist-http".into())
            .spawn(move || {
                // A panic answering one request must close only its own connection.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    connection(stream, &shared, &hosts)
                }));
                done.fetch_sub(1, Ordering::AcqRel);
            });
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Why no request could be read.
enum HeadError {
    /// The connection closed, failed or timed out: close it without a word.
    Gone,
    /// The head was longer than [`MAX_HEAD`] or had more than [`MAX_HEADERS`] fields.
    TooLarge,
    /// Not HTTP/1.x.
    Malformed,
}

/// Answers the requests of one connection until it closes, asks to close, or misbehaves.
fn connection(mut stream: TcpStream, shared: &Shared, hosts: &Hosts) {
    let _ = stream.set_write_timeout(Some(WRITE_TIME));
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    loop {
        let (request, used) = match read_request(&mut stream, &mut buf, hosts) {
            Ok(r) => r,
            Err(Some(refusal)) => {
                let _ = write_response(&mut stream, &refusal, false, false);
                return;
            }
            Err(None) => return,
        };
        buf.drain(..used);
        let head_only = request.method == "HEAD";
        match http::handle(shared, &request) {
            Reply::Events => {
                // Events are small, so a stream whose send buffer is full belongs to a page that
                // stopped reading: without blocking, a write to it fails at once and the page is
                // dropped, instead of holding up the events of every other page.
                if let Ok(writer) = stream.try_clone() {
                    if writer.set_nonblocking(true).is_ok() {
                        shared.add_client(Box::new(writer));
                    }
                }
                return;
            }
            Reply::Response(response) => {
                if write_response(&mut stream, &response, head_only, request.keep_alive).is_err()
                    || !request.keep_alive
                {
                    return;
                }
            }
        }
    }
}

/// Reads and checks the next request of a connection. Returns the request and how many bytes of
/// `buf` it used; or the response that refuses it (the connection is then closed); or None when
/// the connection has gone.
fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    hosts: &Hosts,
) -> Result<(Request, usize), Option<Response>> {
    let deadline = Instant::now() + HEAD_TIME;
    let (request, host, body, head_len) = match read_head(stream, buf, deadline) {
        Ok(parsed) => parsed,
        Err(HeadError::Gone) => return Err(None),
        Err(HeadError::TooLarge) => {
            return Err(Some(Response::text(
                431,
                "request header fields too large: the request head is limited to 16 KiB and 64 fields\n",
            )))
        }
        Err(HeadError::Malformed) => {
            return Err(Some(Response::text(400, "bad request: not an HTTP/1.1 request\n")))
        }
    };
    if let Some(refusal) = check_host(&request, host.as_deref(), hosts) {
        return Err(Some(refusal));
    }
    match body {
        BodyLength::None => Ok((request, head_len)),
        BodyLength::Length(n) if n <= MAX_BODY => {
            // Small bodies are read and dropped, so the next request on the connection is found.
            let mut total = head_len as u64 + n;
            while (buf.len() as u64) < total {
                if fill(stream, buf, MAX_HEAD + MAX_BODY as usize, deadline).is_err() {
                    return Err(None);
                }
            }
            total = total.min(buf.len() as u64);
            Ok((request, total as usize))
        }
        BodyLength::Length(_) | BodyLength::Chunked => Err(Some(Response::text(
            413,
            "content too large: realist serve accepts no request bodies over 16 KiB\n",
        ))),
        BodyLength::Invalid => Err(Some(Response::text(
            400,
            "bad request: the Content-Length header is not a single number\n",
        ))),
    }
}

/// The body a request announces.
enum BodyLength {
    None,
    Length(u64),
    Chunked,
    Invalid,
}

/// Reads bytes until `buf` holds a complete request head, then parses it: the request, its
/// `Host`, its body length, and the length of the head in `buf`.
fn read_head(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    deadline: Instant,
) -> Result<(Request, Option<String>, BodyLength, usize), HeadError> {
    loop {
        let mut fields = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Request::new(&mut fields);
        match parsed.parse(buf) {
            Ok(httparse::Status::Complete(len)) => return Ok(head_of(&parsed, len)),
            Ok(httparse::Status::Partial) if buf.len() >= MAX_HEAD => {
                return Err(HeadError::TooLarge)
            }
            Ok(httparse::Status::Partial) => {}
            Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
            Err(_) => return Err(HeadError::Malformed),
        }
        if fill(stream, buf, MAX_HEAD, deadline).is_err() {
            return Err(HeadError::Gone);
        }
    }
}

/// What the server needs from a parsed head.
fn head_of(parsed: &httparse::Request, len: usize) -> (Request, Option<String>, BodyLength, usize) {
    let field = |name: &str| {
        parsed
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
            .collect::<Vec<String>>()
    };
    let hosts = field("Host");
    // Two Host fields are as bad as a wrong one: which one would count is ambiguous.
    let host = match hosts.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let lengths = field("Content-Length");
    let body = if !field("Transfer-Encoding").is_empty() {
        BodyLength::Chunked
    } else {
        match lengths.as_slice() {
            [] => BodyLength::None,
            [one] => match one.parse::<u64>() {
                Ok(0) => BodyLength::None,
                Ok(n) if one.bytes().all(|b| b.is_ascii_digit()) => BodyLength::Length(n),
                _ => BodyLength::Invalid,
            },
            _ => BodyLength::Invalid,
        }
    };
    let connection = field("Connection").join(",").to_ascii_lowercase();
    let http10 = parsed.version == Some(0);
    let keep_alive = if http10 {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    let request = Request {
        method: parsed.method.unwrap_or("GET").to_string(),
        target: parsed.path.unwrap_or("/").to_string(),
        keep_alive,
    };
    (request, host, body, len)
}

/// The refusal of a request that does not name this server, or None if it does.
fn check_host(request: &Request, host: Option<&str>, hosts: &Hosts) -> Option<Response> {
    let Some(host) = host else {
        return Some(Response::text(
            400,
            "bad request: a request must have exactly one Host header\n",
        ));
    };
    // An absolute-form target (`GET http://name/ HTTP/1.1`) names its host too.
    let (authority, _) = http::split_target(&request.target);
    if hosts.allows(host) && authority.is_none_or(|a| hosts.allows_authority(a)) {
        return None;
    }
    Some(Response::text(
        421,
        "misdirected request: this development server answers only requests for the address it \
         listens on (such as 127.0.0.1 or localhost with its port)\n",
    ))
}

/// Reads once more into `buf`, which may grow to at most `limit` bytes, waiting until `deadline`.
fn fill(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    limit: usize,
    deadline: Instant,
) -> std::io::Result<()> {
    let left = deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(std::io::ErrorKind::TimedOut)?;
    stream.set_read_timeout(Some(left))?;
    let mut chunk = [0u8; 4096];
    let room = limit.saturating_sub(buf.len()).clamp(1, chunk.len());
    match stream.read(&mut chunk[..room])? {
        0 => Err(std::io::ErrorKind::UnexpectedEof.into()),
        n => {
            buf.extend_from_slice(&chunk[..n]);
            Ok(())
        }
    }
}

/// Writes a response with its length; the body only when asked for (not for HEAD).
pub fn write_response(
    stream: &mut TcpStream,
    response: &Response,
    head_only: bool,
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut headers = response.headers.clone();
    headers.push(("Content-Length", response.body.len().to_string()));
    let connection = if keep_alive { "keep-alive" } else { "close" };
    headers.push(("Connection", connection.into()));
    let head = http::response_head(response.status, &headers);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stream);
    out.write_all(head.as_bytes())?;
    if !head_only {
        match &response.body {
            Body::Bytes(bytes) => out.write_all(bytes)?,
            Body::File(file, len) => {
                let copied = std::io::copy(&mut file.take(*len), &mut out)?;
                if copied != *len {
                    // The file shrank while it was sent: the length announced is wrong, so the
                    // connection must end here.
                    return Err(std::io::ErrorKind::UnexpectedEof.into());
                }
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let local: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let h = Hosts::new("127.0.0.1", local);
        for ok in [
            "127.0.0.1:4000",
            "LOCALHOST:4000",
            "localhost:4000",
            "[::1]:4000",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for bad in [
            "evil.com:4000",
            "127.0.0.1.evil.com:4000",
            "127.0.0.1:4001",
            "127.0.0.1",
            "localhost:+4000",
            "10.0.0.1:4000",
            "",
        ] {
            assert!(!h.allows(bad), "{bad}");
        }
        let any = Hosts::new("0.0.0.0", "0.0.0.0:80".parse().unwrap());
        assert!(any.allows("192.168.1.5") && any.allows("[fe80::1]:80"));
        assert!(!any.allows("evil.com") && !any.allows("192.168.1.5.nip.io"));
    }
}
